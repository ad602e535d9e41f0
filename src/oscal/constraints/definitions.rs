//! NIST's OSCAL Metaschema modules (`oscal/metaschema/1.2.3/`), read into definitions.
//!
//! A module holds `define-assembly`, `define-field` and `define-flag` definitions; an assembly
//! has flags and a model (child assemblies and fields, possibly inside `choice`), a field has
//! flags and a value. Instances refer to definitions by name (`<assembly ref="metadata"/>`) or
//! define them inline. Names resolve in the referring module first, then through its imports
//! (global definitions only, transitively): component and SSP both define an
//! `implemented-requirement`, and each model must see its own.
//!
//! Everything the JSON mapping needs is kept (use-name, group-as with in-json, json-key,
//! json-value-key); documentation (formal-name, description, remarks, examples) is dropped.
//! NIST's 1.2.3 modules declare every constraint inside a definition's `<constraint>` block:
//! there are no external `<context>` constraint sets to read.

use std::collections::HashMap;

use regex::Regex;

use super::metapath::{self, Expr};
use super::Level;
use crate::xml::Element;

/// The OSCAL release whose Metaschema modules are vendored.
pub const VERSION: &str = "1.2.3";

/// The vendored modules, by file name (the name `<import href>` uses).
const MODULES: &[(&str, &str)] = &[
    ("oscal_assessment-common_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_assessment-common_metaschema_RESOLVED.xml")),
    ("oscal_assessment-plan_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_assessment-plan_metaschema_RESOLVED.xml")),
    ("oscal_assessment-results_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_assessment-results_metaschema_RESOLVED.xml")),
    ("oscal_catalog_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_catalog_metaschema_RESOLVED.xml")),
    ("oscal_component_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_component_metaschema_RESOLVED.xml")),
    ("oscal_control-common_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_control-common_metaschema_RESOLVED.xml")),
    ("oscal_implementation-common_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_implementation-common_metaschema_RESOLVED.xml")),
    ("oscal_mapping-common_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_mapping-common_metaschema_RESOLVED.xml")),
    ("oscal_mapping_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_mapping_metaschema_RESOLVED.xml")),
    ("oscal_metadata_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_metadata_metaschema_RESOLVED.xml")),
    ("oscal_poam_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_poam_metaschema_RESOLVED.xml")),
    ("oscal_profile_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_profile_metaschema_RESOLVED.xml")),
    ("oscal_ssp_metaschema_RESOLVED.xml", include_str!("../../../oscal/metaschema/1.2.3/oscal_ssp_metaschema_RESOLVED.xml")),
];

pub type DefId = u32;
pub type NameId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefKind {
    Assembly,
    Field,
    Flag,
}

impl DefKind {
    fn from_tag(tag: &str) -> Option<DefKind> {
        match tag {
            "define-assembly" | "assembly" => Some(DefKind::Assembly),
            "define-field" | "field" => Some(DefKind::Field),
            "define-flag" | "flag" => Some(DefKind::Flag),
            _ => None,
        }
    }
}

/// How an instance with several occurrences is written in JSON (`group-as/@in-json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// At most one occurrence: the value itself, under the instance's name.
    One,
    Array,
    /// A single item or an array (the Metaschema default).
    SingletonOrArray,
    /// An object keyed by each item's `json-key` flag.
    ByKey,
}

/// Where a field with flags keeps its value in JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKey {
    /// Under this property (`json-value-key`, else Metaschema's `STRVALUE`/`RICHTEXT`).
    Fixed(String),
    /// Under a property named by this flag's value (`json-value-key-flag`).
    Flag(String),
}

#[derive(Debug)]
pub struct FlagInstance {
    pub name: String,
    pub name_id: NameId,
    pub def: DefId,
}

#[derive(Debug)]
pub struct ModelInstance {
    /// The XML (Metapath) name: `prop`.
    pub name: String,
    pub name_id: NameId,
    /// The JSON property: the group-as name when the instance repeats (`props`).
    pub json_name: String,
    pub grouping: Grouping,
    pub def: DefId,
}

/// A JSON property of an assembly's or field's object.
#[derive(Debug, Clone, Copy)]
pub enum JsonChild {
    Flag(usize),
    Model(usize),
}

#[derive(Debug)]
pub struct Definition {
    pub kind: DefKind,
    /// The definition's name in its module (inline definitions: their own name).
    pub name: String,
    /// The file the definition is in.
    pub module: &'static str,
    pub as_type: String,
    pub flags: Vec<FlagInstance>,
    pub model: Vec<ModelInstance>,
    /// The flag whose value keys this definition's items in a BY_KEY group.
    pub json_key: Option<String>,
    pub value_key: ValueKey,
    /// Indexes into [`Schema::constraints`], in document order.
    pub constraints: Vec<usize>,
    pub(crate) json: foldhash::HashMap<String, JsonChild>,
}

impl Definition {
    pub fn flag_named(&self, json_name: &str) -> Option<usize> {
        match self.json.get(json_name) {
            Some(JsonChild::Flag(i)) => Some(*i),
            _ => None,
        }
    }
}

/// Which key fields make up a key (`is-unique`, `index`, `index-has-key`).
#[derive(Debug)]
pub struct KeyField {
    pub target: String,
    pub expr: Result<Expr, String>,
    /// `pattern`: the key is the first capture group of a full match.
    pub pattern: Option<Result<Regex, String>>,
}

#[derive(Debug)]
pub enum Kind {
    AllowedValues { values: Vec<String>, allow_other: bool, extension_none: bool },
    Matches { regex: Option<(String, Result<Regex, String>)>, datatype: Option<String> },
    HasCardinality { min: Option<u64>, max: Option<u64> },
    IsUnique { keys: Vec<KeyField> },
    Index { name: String, keys: Vec<KeyField> },
    IndexHasKey { name: String, keys: Vec<KeyField> },
    Expect { test: String, expr: Result<Expr, String>, message: Option<String> },
    /// A constraint element this engine does not know (`report`, `let`, ...): never evaluated.
    Other(String),
}

impl Kind {
    pub fn label(&self) -> &str {
        match self {
            Kind::AllowedValues { .. } => "allowed-values",
            Kind::Matches { .. } => "matches",
            Kind::HasCardinality { .. } => "has-cardinality",
            Kind::IsUnique { .. } => "is-unique",
            Kind::Index { .. } => "index",
            Kind::IndexHasKey { .. } => "index-has-key",
            Kind::Expect { .. } => "expect",
            Kind::Other(tag) => tag,
        }
    }
}

#[derive(Debug)]
pub struct Constraint {
    /// NIST's `@id`, or `kind@definition` when NIST gave none.
    pub id: String,
    pub level: Level,
    pub target: String,
    pub target_expr: Result<Expr, String>,
    pub kind: Kind,
    /// The definition the constraint is declared in.
    pub owner: DefId,
}

impl Constraint {
    /// Why this engine cannot evaluate the constraint, if it cannot (the expression is
    /// outside the supported Metapath subset, the regex does not compile, ...).
    pub fn unsupported(&self) -> Option<String> {
        let keys_reason = |keys: &[KeyField]| {
            keys.iter().find_map(|k| match (&k.expr, &k.pattern) {
                (Err(e), _) => Some(format!("key-field {}: {e}", k.target)),
                (_, Some(Err(e))) => Some(format!("key-field pattern: {e}")),
                _ => None,
            })
        };
        if let Err(e) = &self.target_expr {
            return Some(format!("target {}: {e}", self.target));
        }
        match &self.kind {
            Kind::Matches { regex: Some((_, Err(e))), .. } => Some(format!("regex: {e}")),
            Kind::IsUnique { keys } | Kind::Index { keys, .. } | Kind::IndexHasKey { keys, .. } => keys_reason(keys),
            Kind::Expect { test, expr: Err(e), .. } => Some(format!("test {test}: {e}")),
            Kind::Other(tag) => Some(format!("<{tag}> constraints are not implemented")),
            _ => None,
        }
    }
}

/// All modules, resolved: every definition, every constraint, and the model roots.
#[derive(Debug)]
pub struct Schema {
    pub defs: Vec<Definition>,
    pub constraints: Vec<Constraint>,
    /// `root-name` -> assembly definition.
    pub roots: Vec<(String, DefId)>,
    names: Vec<String>,
    name_ids: HashMap<String, NameId>,
}

impl Schema {
    pub fn def(&self, id: DefId) -> &Definition {
        &self.defs[id as usize]
    }

    pub fn root(&self, root_name: &str) -> Option<DefId> {
        self.roots.iter().find(|(n, _)| n == root_name).map(|(_, d)| *d)
    }

    pub fn name(&self, id: NameId) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub fn name_id(&self, name: &str) -> Option<NameId> {
        self.name_ids.get(name).copied()
    }

    /// Every definition reachable from a root, in a stable order (root first, then breadth
    /// first through flags and model).
    pub fn reachable(&self, root: DefId) -> Vec<DefId> {
        let mut seen = vec![false; self.defs.len()];
        let mut order = vec![root];
        seen[root as usize] = true;
        let mut i = 0;
        while i < order.len() {
            let d = self.def(order[i]);
            for next in d.flags.iter().map(|f| f.def).chain(d.model.iter().map(|m| m.def)) {
                if !std::mem::replace(&mut seen[next as usize], true) {
                    order.push(next);
                }
            }
            i += 1;
        }
        order
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("{module}: {source}")]
    Xml { module: &'static str, source: crate::xml::XmlError },
    #[error("{module}: {message}")]
    Module { module: &'static str, message: String },
}

/// Reads and resolves the vendored modules.
pub fn load() -> Result<Schema, DefinitionError> {
    load_modules(MODULES)
}

/// Reads and resolves a set of modules given as (file name, XML text).
pub fn load_modules(modules: &[(&'static str, &str)]) -> Result<Schema, DefinitionError> {
    let mut loader = Loader::default();
    for (file, text) in modules {
        let root = crate::xml::parse(text).map_err(|source| DefinitionError::Xml { module: file, source })?;
        loader.read_module(file, &root)?;
    }
    loader.resolve()
}

/// What an instance points at before names are resolved.
#[derive(Debug)]
enum Target {
    Ref(String),
    Inline(DefId),
}

#[derive(Debug)]
struct RawFlag {
    use_name: Option<String>,
    target: Target,
}

#[derive(Debug)]
struct RawModel {
    kind: DefKind,
    use_name: Option<String>,
    target: Target,
    max_occurs_one: bool,
    group: Option<(String, Grouping)>,
}

#[derive(Debug)]
struct Module {
    file: &'static str,
    imports: Vec<String>,
    /// Top-level definitions: (kind, name) -> (definition, global?).
    top: HashMap<(DefKind, String), (DefId, bool)>,
}

#[derive(Default)]
struct Loader {
    modules: Vec<Module>,
    defs: Vec<Definition>,
    /// Per definition: its module, default use-name, and unresolved flags and model.
    def_module: Vec<usize>,
    def_use_name: Vec<Option<String>>,
    raw_flags: Vec<Vec<RawFlag>>,
    raw_models: Vec<Vec<RawModel>>,
    raw_constraints: Vec<(DefId, Element)>,
    root_names: HashMap<DefId, String>,
}

impl Loader {
    fn read_module(&mut self, file: &'static str, root: &Element) -> Result<(), DefinitionError> {
        if root.name != "METASCHEMA" {
            return Err(DefinitionError::Module { module: file, message: format!("root element is <{}>, not <METASCHEMA>", root.name) });
        }
        let m = self.modules.len();
        self.modules.push(Module { file, imports: Vec::new(), top: HashMap::new() });
        for el in root.elements() {
            if el.name == "import" {
                if let Some(href) = el.attr("href") {
                    self.modules[m].imports.push(href.to_string());
                }
            } else if let Some(kind) = DefKind::from_tag(&el.name).filter(|_| el.name.starts_with("define-")) {
                let id = self.read_definition(m, kind, el)?;
                let global = el.attr("scope") != Some("local");
                self.modules[m].top.insert((kind, self.defs[id as usize].name.clone()), (id, global));
            }
        }
        Ok(())
    }

    /// Reads a `define-*` element (top level or inline) into a new definition.
    fn read_definition(&mut self, m: usize, kind: DefKind, el: &Element) -> Result<DefId, DefinitionError> {
        let file = self.modules[m].file;
        let name = el.attr("name").ok_or_else(|| DefinitionError::Module { module: file, message: format!("<{}> without a name", el.name) })?;
        let id = self.defs.len() as DefId;
        let value_key = match (el.child("json-value-key"), el.child("json-value-key-flag")) {
            (Some(k), _) => ValueKey::Fixed(k.text().trim().to_string()),
            (None, Some(f)) => ValueKey::Flag(f.attr("flag-ref").unwrap_or_default().to_string()),
            // Metaschema's default property for a field value beside flags.
            (None, None) if el.attr("as-type").is_some_and(|t| t.starts_with("markup")) => ValueKey::Fixed("RICHTEXT".into()),
            (None, None) => ValueKey::Fixed("STRVALUE".into()),
        };
        self.defs.push(Definition {
            kind,
            name: name.to_string(),
            module: file,
            as_type: el.attr("as-type").unwrap_or("string").to_string(),
            flags: Vec::new(),
            model: Vec::new(),
            json_key: el.child("json-key").and_then(|k| k.attr("flag-name")).map(str::to_string),
            value_key,
            constraints: Vec::new(),
            json: foldhash::HashMap::default(),
        });
        self.def_module.push(m);
        self.def_use_name.push(el.child_text("use-name").map(|s| s.trim().to_string()));
        if let Some(root) = el.child_text("root-name") {
            self.root_names.insert(id, root.trim().to_string());
        }
        self.raw_flags.push(Vec::new());
        self.raw_models.push(Vec::new());
        for child in el.elements() {
            match child.name.as_str() {
                "flag" => {
                    let target = Target::Ref(child.attr("ref").unwrap_or_default().to_string());
                    self.raw_flags[id as usize].push(RawFlag { use_name: child.child_text("use-name").map(|s| s.trim().to_string()), target });
                }
                "define-flag" => {
                    let inline = self.read_definition(m, DefKind::Flag, child)?;
                    self.raw_flags[id as usize].push(RawFlag { use_name: None, target: Target::Inline(inline) });
                }
                "model" => self.read_model(m, id, child)?,
                "constraint" => self.raw_constraints.push((id, child.clone())),
                _ => {}
            }
        }
        Ok(id)
    }

    fn read_model(&mut self, m: usize, owner: DefId, model: &Element) -> Result<(), DefinitionError> {
        for el in model.elements() {
            match el.name.as_str() {
                // A choice only says which alternatives may appear; each is an instance.
                "choice" => self.read_model(m, owner, el)?,
                "assembly" | "field" | "define-assembly" | "define-field" => {
                    let kind = DefKind::from_tag(&el.name).unwrap_or(DefKind::Field);
                    let (target, use_name) = if el.name.starts_with("define-") {
                        (Target::Inline(self.read_definition(m, kind, el)?), None)
                    } else {
                        (Target::Ref(el.attr("ref").unwrap_or_default().to_string()), el.child_text("use-name").map(|s| s.trim().to_string()))
                    };
                    let group = el.child("group-as").map(|g| {
                        let grouping = match g.attr("in-json") {
                            Some("ARRAY") => Grouping::Array,
                            Some("BY_KEY") => Grouping::ByKey,
                            _ => Grouping::SingletonOrArray,
                        };
                        (g.attr("name").unwrap_or_default().to_string(), grouping)
                    });
                    let max_occurs_one = matches!(el.attr("max-occurs"), None | Some("1"));
                    self.raw_models[owner as usize].push(RawModel { kind, use_name, target, max_occurs_one, group });
                }
                // `any`: unmodelled content, nothing to check. (`choice-group`, JSON-discriminated
                // alternatives, is not used by OSCAL and not mapped.)
                _ => {}
            }
        }
        Ok(())
    }

    /// Finds a definition by name as seen from a module: its own definitions first, then the
    /// global definitions of its imports, transitively, in import order.
    fn lookup(&self, m: usize, kind: DefKind, name: &str) -> Option<DefId> {
        if let Some((id, _)) = self.modules[m].top.get(&(kind, name.to_string())) {
            return Some(*id);
        }
        let mut seen = vec![false; self.modules.len()];
        seen[m] = true;
        let mut stack: Vec<usize> = self.imports_of(m).into_iter().rev().collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            if let Some((id, true)) = self.modules[i].top.get(&(kind, name.to_string())) {
                return Some(*id);
            }
            stack.extend(self.imports_of(i).into_iter().rev());
        }
        None
    }

    fn imports_of(&self, m: usize) -> Vec<usize> {
        self.modules[m].imports.iter().filter_map(|href| self.modules.iter().position(|x| x.file == href)).collect()
    }

    fn resolve(mut self) -> Result<Schema, DefinitionError> {
        let mut names = Names::default();
        let target_id = |this: &Loader, m: usize, kind: DefKind, t: &Target| -> Result<DefId, DefinitionError> {
            match t {
                Target::Inline(id) => Ok(*id),
                Target::Ref(name) => this.lookup(m, kind, name).ok_or_else(|| DefinitionError::Module {
                    module: this.modules[m].file,
                    message: format!("{kind:?} \"{name}\" is referenced but defined in no visible module"),
                }),
            }
        };
        for id in 0..self.defs.len() {
            let m = self.def_module[id];
            let flags = std::mem::take(&mut self.raw_flags[id]);
            for f in &flags {
                let def = target_id(&self, m, DefKind::Flag, &f.target)?;
                let name = f.use_name.clone().or_else(|| self.def_use_name[def as usize].clone()).unwrap_or_else(|| self.defs[def as usize].name.clone());
                let name_id = names.intern(&name);
                self.defs[id].flags.push(FlagInstance { name, name_id, def });
            }
            let models = std::mem::take(&mut self.raw_models[id]);
            for r in &models {
                let def = target_id(&self, m, r.kind, &r.target)?;
                let name = r.use_name.clone().or_else(|| self.def_use_name[def as usize].clone()).unwrap_or_else(|| self.defs[def as usize].name.clone());
                let (json_name, grouping) = match &r.group {
                    Some((group, grouping)) if !r.max_occurs_one => (group.clone(), *grouping),
                    _ => (name.clone(), Grouping::One),
                };
                let name_id = names.intern(&name);
                self.defs[id].model.push(ModelInstance { name, name_id, json_name, grouping, def });
            }
            let d = &mut self.defs[id];
            let mut json = foldhash::HashMap::default();
            for (i, f) in d.flags.iter().enumerate() {
                json.insert(f.name.clone(), JsonChild::Flag(i));
            }
            for (i, mi) in d.model.iter().enumerate() {
                json.entry(mi.json_name.clone()).or_insert(JsonChild::Model(i));
            }
            d.json = json;
        }
        // Inline definitions keep their own name; the root and every definition name are
        // interned so a Metapath name test can be compared as a number.
        for d in &self.defs {
            names.intern(&d.name);
        }
        let mut roots: Vec<(String, DefId)> = self.root_names.iter().map(|(id, name)| (name.clone(), *id)).collect();
        roots.sort();
        let mut constraints = Vec::new();
        let mut generated: HashMap<String, usize> = HashMap::new();
        for (owner, block) in std::mem::take(&mut self.raw_constraints) {
            for el in block.elements() {
                let c = read_constraint(owner, &self.defs[owner as usize], el, &mut names, &mut generated);
                self.defs[owner as usize].constraints.push(constraints.len());
                constraints.push(c);
            }
        }
        Ok(Schema { defs: self.defs, constraints, roots, names: names.list, name_ids: names.ids })
    }
}

/// Interned node names: a Metapath name test compares numbers, not strings.
#[derive(Default)]
struct Names {
    list: Vec<String>,
    ids: HashMap<String, NameId>,
}

impl Names {
    fn intern(&mut self, name: &str) -> NameId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.list.len() as NameId;
        self.list.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }
}

/// A Metaschema regex matches the whole value (XML Schema semantics), so it is anchored here.
fn full_match_regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| e.to_string().lines().last().unwrap_or_default().trim().to_string())
}

fn read_constraint(owner: DefId, def: &Definition, el: &Element, names: &mut Names, generated: &mut HashMap<String, usize>) -> Constraint {
    let mut compile = |text: &str| metapath::parse(text, &mut |n: &str| names.intern(n));
    let target = el.attr("target").unwrap_or(".").to_string();
    let target_expr = compile(&target);
    let keys = |compile: &mut dyn FnMut(&str) -> Result<Expr, String>| -> Vec<KeyField> {
        el.children_named("key-field")
            .map(|k| {
                let target = k.attr("target").unwrap_or(".").to_string();
                KeyField { expr: compile(&target), target, pattern: k.attr("pattern").map(full_match_regex) }
            })
            .collect()
    };
    let kind = match el.name.as_str() {
        "allowed-values" => Kind::AllowedValues {
            values: el.children_named("enum").filter_map(|e| e.attr("value")).map(str::to_string).collect(),
            allow_other: el.attr("allow-other") == Some("yes"),
            extension_none: el.attr("extension").or(el.attr("extension-model")) == Some("none"),
        },
        "matches" => Kind::Matches {
            regex: el.attr("regex").map(|r| (r.to_string(), full_match_regex(r))),
            datatype: el.attr("datatype").map(str::to_string),
        },
        "has-cardinality" => Kind::HasCardinality {
            min: el.attr("min-occurs").and_then(|v| v.parse().ok()),
            max: el.attr("max-occurs").and_then(|v| v.parse().ok()),
        },
        "is-unique" => Kind::IsUnique { keys: keys(&mut compile) },
        "index" => Kind::Index { name: el.attr("name").unwrap_or_default().to_string(), keys: keys(&mut compile) },
        "index-has-key" => Kind::IndexHasKey { name: el.attr("name").unwrap_or_default().to_string(), keys: keys(&mut compile) },
        "expect" => {
            let test = el.attr("test").unwrap_or_default().to_string();
            Kind::Expect { expr: compile(&test), test, message: el.child_text("message").map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")) }
        }
        other => Kind::Other(other.to_string()),
    };
    let id = match el.attr("id") {
        Some(id) => id.to_string(),
        None => {
            let base = format!("{}@{}", kind.label(), def.name);
            let n = generated.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        }
    };
    let level = match el.attr("level") {
        Some("CRITICAL") => Level::Critical,
        Some("WARNING") => Level::Warning,
        Some("INFORMATIONAL") => Level::Informational,
        Some("DEBUG") => Level::Debug,
        // A deprecation notice (NIST's `oscal-parameter-depends-on-deprecated`, which has no
        // level) says something is discouraged, not invalid: deprecated means still allowed, and
        // NIST's own 800-53 catalogs carry `depends-on`. Reported, as a WARNING.
        None if id.ends_with("-deprecated") => Level::Warning,
        _ => Level::Error,
    };
    Constraint { id, level, target, target_expr, kind, owner }
}
