//! Evaluating NIST's constraints over a document's nodes.
//!
//! Elements are visited in document order. At each element its definition's constraints are
//! evaluated with the element as context, then its flags (datatype and the flag definition's
//! constraints), then its own value if it is a field. This is the order Metaschema's reference
//! validator uses, and it is what makes `allowed-values` combine: every constraint targeting a
//! value is declared on the value's node or an ancestor, so by the time the value is visited
//! all of them have registered, and the value is judged once against all of them together.
//! (A prop named `implementation-status` is allowed in a component by the component's
//! constraint, and refused under an implemented-requirement, where only the prop definition's
//! own `marking` applies.)
//!
//! `index` entries are collected as they are met and `index-has-key` references are resolved
//! at the end, when every index is complete.

use std::collections::{HashMap, HashSet};

use super::datatypes::{Datatypes, Fault};
use super::definitions::{Constraint, DefKind, KeyField, Kind, Schema};
use super::metapath::{self, Item};
use super::nodes::{Atom, ElemKind, NodeRef, Tree, MAX_DEPTH};
use super::{Level, Problem};

/// Allowed values listed in a message before "and N more".
const SHOWN_VALUES: usize = 25;

pub struct Outcome {
    pub problems: Vec<Problem>,
    /// Constraints that failed to evaluate somewhere in this document (id -> reason).
    pub failed: Vec<(String, String)>,
}

/// Checks a mapped document. `skip[i]` is true for constraints that cannot be evaluated.
pub fn run(schema: &Schema, datatypes: &Datatypes, skip: &[bool], tree: &Tree<'_>) -> Outcome {
    let mut c = Checker {
        schema,
        datatypes,
        types: schema.defs.iter().map(|d| datatypes.get(&d.as_type)).collect(),
        skip,
        tree,
        found: Vec::new(),
        pending: foldhash::HashMap::default(),
        indexes: HashMap::new(),
        key_refs: Vec::new(),
        failed: Vec::new(),
    };
    for e in 1..tree.len() {
        let node = NodeRef::elem(e);
        if let Some(def) = tree.def(node) {
            for &ci in &def.constraints {
                c.apply(ci, node);
            }
        }
        for flag in tree.flags(e) {
            c.check_datatype(flag);
            if let Some(def) = tree.def(flag) {
                for &ci in &def.constraints {
                    c.apply(ci, flag);
                }
            }
            c.judge_values(flag);
        }
        if tree.kind(e) == ElemKind::Field {
            c.check_datatype(node);
            c.judge_values(node);
        }
    }
    // Targets met before their constraint registered (only `..`-style targets could be).
    let mut rest: Vec<NodeRef> = c.pending.keys().copied().collect();
    rest.sort();
    for n in rest {
        c.judge_values(n);
    }
    c.resolve_key_refs();
    for &e in &tree.too_deep {
        c.report(NodeRef::elem(e), false, "nesting-depth", Level::Warning, format!("not checked below here: nested deeper than {MAX_DEPTH} levels"));
    }
    let mut found = c.found;
    found.sort_by(|a, b| (a.0, &a.1.constraint_id, &a.1.message).cmp(&(b.0, &b.1.constraint_id, &b.1.message)));
    found.dedup_by(|a, b| a.1 == b.1);
    let mut failed = c.failed;
    failed.sort();
    failed.dedup_by(|a, b| a.0 == b.0);
    Outcome { problems: found.into_iter().map(|(_, p)| p).collect(), failed }
}

struct Index {
    entries: HashMap<Vec<Option<String>>, NodeRef>,
}

struct KeyRef {
    constraint: usize,
    targets: Vec<NodeRef>,
}

struct Checker<'s, 't, 'a> {
    schema: &'s Schema,
    datatypes: &'s Datatypes,
    /// Per definition, its datatype's checker (looked up once, not per value).
    types: Vec<Option<&'s super::datatypes::Datatype>>,
    skip: &'s [bool],
    tree: &'t Tree<'a>,
    /// (where, problem): sorted by document position at the end.
    found: Vec<(NodeRef, Problem)>,
    /// allowed-values constraints registered for a value not yet judged.
    pending: foldhash::HashMap<NodeRef, Vec<usize>>,
    indexes: HashMap<&'s str, Index>,
    key_refs: Vec<KeyRef>,
    failed: Vec<(String, String)>,
}

impl<'s, 't, 'a> Checker<'s, 't, 'a>
where
    's: 'a,
{
    fn report(&mut self, at: NodeRef, value: bool, id: &str, level: Level, message: String) {
        let pointer = if value { self.tree.value_pointer(at) } else { self.tree.pointer(at) };
        self.found.push((at, Problem { pointer, constraint_id: id.to_string(), level, message }));
    }

    fn fail(&mut self, c: &Constraint, error: String) {
        self.failed.push((c.id.clone(), error));
    }

    /// Evaluates constraint `ci` with `context` as the focus.
    fn apply(&mut self, ci: usize, context: NodeRef) {
        if self.skip[ci] {
            return;
        }
        let c: &'s Constraint = &self.schema.constraints[ci];
        let Ok(target) = &c.target_expr else { return };
        let targets = match metapath::nodes(target, self.tree, context) {
            Ok(t) => t,
            Err(e) => return self.fail(c, e),
        };
        match &c.kind {
            Kind::AllowedValues { .. } => {
                for t in targets.into_iter().filter(|t| self.tree.value(*t).is_some()) {
                    self.pending.entry(t).or_default().push(ci);
                }
            }
            Kind::Matches { regex, datatype } => {
                for t in targets {
                    let Some(value) = self.tree.value(t) else { continue };
                    let text = value.text().unwrap_or_default();
                    if let Some((source, Ok(re))) = regex {
                        if !re.is_match(&text) {
                            let msg = format!("{} is {}, which does not match the pattern {source}", self.describe(t), quote(&text));
                            self.report(t, true, &c.id, c.level, msg);
                        }
                    }
                    if let Some(dt) = datatype {
                        if let Some(fault) = self.datatypes.get(dt).and_then(|d| d.check(value)) {
                            let msg = format!("{} is {}, which {}", self.describe(t), quote(&text), fault_phrase(&fault, dt));
                            self.report(t, true, &c.id, c.level, msg);
                        }
                    }
                }
            }
            Kind::HasCardinality { min, max } => {
                let n = targets.len() as u64;
                let wanted = match (min, max) {
                    (Some(lo), _) if n < *lo => Some(format!("at least {lo}")),
                    (_, Some(hi)) if n > *hi => Some(format!("at most {hi}")),
                    _ => None,
                };
                if let Some(wanted) = wanted {
                    let msg = format!("{} has {n} of {}; {wanted} expected", self.describe(context), c.target);
                    self.report(context, false, &c.id, c.level, msg);
                }
            }
            Kind::IsUnique { keys } => {
                let mut seen: HashMap<Vec<Option<String>>, NodeRef> = HashMap::new();
                for t in targets {
                    let Some(key) = self.key(c, keys, t) else { continue };
                    if key.iter().all(Option::is_none) {
                        continue;
                    }
                    if let Some(first) = seen.get(&key) {
                        let msg = format!("{} {} is not unique: the same as at {}", self.describe(t), key_text(keys, &key), self.tree.pointer(*first));
                        self.report(t, false, &c.id, c.level, msg);
                    } else {
                        seen.insert(key, t);
                    }
                }
            }
            Kind::Index { name, keys } => {
                for t in targets {
                    let Some(key) = self.key(c, keys, t) else { continue };
                    if key.iter().all(Option::is_none) {
                        continue;
                    }
                    let index = self.indexes.entry(name.as_str()).or_insert_with(|| Index { entries: HashMap::new() });
                    match index.entries.get(&key).copied() {
                        None => {
                            index.entries.insert(key, t);
                        }
                        Some(first) => {
                            let msg = format!("{} {} is already used at {} (index {name})", self.describe(t), key_text(keys, &key), self.tree.pointer(first));
                            self.report(t, false, &c.id, c.level, msg);
                        }
                    }
                }
            }
            Kind::IndexHasKey { .. } => self.key_refs.push(KeyRef { constraint: ci, targets }),
            Kind::Expect { expr: Ok(expr), message, test } => {
                for t in targets {
                    match metapath::test(expr, self.tree, t) {
                        Ok(true) => {}
                        Ok(false) => {
                            let msg = match message {
                                Some(m) => format!("{}: {m}", self.describe(t)),
                                None => format!("{} does not satisfy {test}", self.describe(t)),
                            };
                            self.report(t, false, &c.id, c.level, msg);
                        }
                        Err(e) => self.fail(c, e),
                    }
                }
            }
            Kind::Expect { expr: Err(_), .. } | Kind::Other(_) => {}
        }
    }

    /// A key: per key field, the first value it selects (None when it selects nothing).
    /// `None` when a key-field pattern does not match (reported).
    fn key(&mut self, c: &Constraint, keys: &'s [KeyField], t: NodeRef) -> Option<Vec<Option<String>>> {
        let mut key = Vec::with_capacity(keys.len());
        for k in keys {
            let value = self.key_values(c, k, t)?.into_iter().next().map(|(_, v)| v);
            key.push(value);
        }
        Some(key)
    }

    /// Every value a key field selects, with the node it came from, after its pattern.
    fn key_values(&mut self, c: &Constraint, k: &'s KeyField, t: NodeRef) -> Option<Vec<(Option<NodeRef>, String)>> {
        let Ok(expr) = &k.expr else { return None };
        let items = match metapath::evaluate(expr, self.tree, t) {
            Ok(items) => items,
            Err(e) => {
                self.fail(c, e);
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            let (node, text) = match item {
                Item::Node(n) => (Some(n), self.tree.value(n).and_then(Atom::text).map(|s| s.into_owned())),
                Item::Str(s) => (None, Some(s.into_owned())),
                Item::Num(n) => (None, Some(n.to_string())),
                Item::Bool(b) => (None, Some(b.to_string())),
            };
            let Some(mut text) = text else { continue };
            if let Some(Ok(re)) = &k.pattern {
                match re.captures(&text).and_then(|caps| caps.get(1)) {
                    Some(m) => text = m.as_str().to_string(),
                    None => {
                        let msg = format!("{} is {}, which is not of the form the key needs ({})", self.describe(node.unwrap_or(t)), quote(&text), re.as_str());
                        self.report(node.unwrap_or(t), true, &c.id, c.level, msg);
                        return None;
                    }
                }
            }
            out.push((node, text));
        }
        Some(out)
    }

    /// Every key reference against the finished indexes. A reference to an index no element
    /// of this document defined (say, no back-matter at all) resolves to nothing.
    fn resolve_key_refs(&mut self) {
        for r in std::mem::take(&mut self.key_refs) {
            let c: &'s Constraint = &self.schema.constraints[r.constraint];
            let Kind::IndexHasKey { name, keys } = &c.kind else { continue };
            for t in r.targets {
                // One key field may select several values (a responsible-party's party-uuids):
                // each must resolve.
                let lookups: Vec<(Option<NodeRef>, Vec<Option<String>>)> = if let [k] = keys.as_slice() {
                    let Some(values) = self.key_values(c, k, t) else { continue };
                    if values.is_empty() {
                        vec![(None, vec![None])]
                    } else {
                        values.into_iter().map(|(n, v)| (n, vec![Some(v)])).collect()
                    }
                } else {
                    let Some(key) = self.key(c, keys, t) else { continue };
                    vec![(None, key)]
                };
                for (node, key) in lookups {
                    let found = self.indexes.get(name.as_str()).is_some_and(|ix| ix.entries.contains_key(&key));
                    if !found {
                        let at = node.unwrap_or(t);
                        let msg = format!("{} refers to no {} in this document (index {name})", self.describe_ref(at, keys, &key), self.index_target(name));
                        self.report(at, node.is_some(), &c.id, c.level, msg);
                    }
                }
            }
        }
    }

    /// "party" for the index whose `index` constraint targets `party` (what a miss missed).
    fn index_target(&self, name: &str) -> String {
        let defining = self.schema.constraints.iter().find_map(|c| match &c.kind {
            Kind::Index { name: n, keys } if n == name => Some((c, keys)),
            _ => None,
        });
        match defining {
            Some((c, keys)) => {
                let what = c.target.trim_start_matches("./").trim_start_matches('/').trim_start_matches('/');
                let by: Vec<&str> = keys.iter().map(|k| k.target.as_str()).collect();
                format!("{what} with that {}", by.join(", "))
            }
            None => "indexed item".to_string(),
        }
    }

    fn describe_ref(&self, at: NodeRef, keys: &[KeyField], key: &[Option<String>]) -> String {
        match key {
            [Some(v)] => format!("{} {}", self.describe(at), quote(v)),
            [None] => format!("{} (no {} given)", self.describe(at), keys.first().map_or("key", |k| k.target.as_str())),
            _ => format!("{} {}", self.describe(at), key_text(keys, key)),
        }
    }

    /// A value's datatype (`as-type`), from NIST's JSON schema definition of it.
    fn check_datatype(&mut self, n: NodeRef) {
        let Some(def_id) = self.tree.def_id(n) else { return };
        let Some(dt) = self.types[def_id as usize] else { return };
        let Some(value) = self.tree.value(n) else { return };
        let def = self.schema.def(def_id);
        if let Some(fault) = dt.check(value) {
            let shown = value.text().map_or_else(|| "an object or array".to_string(), |t| quote(&t));
            let msg = format!("{} is {shown}, which {}", self.describe(n), fault_phrase(&fault, &def.as_type));
            let id = format!("as-type:{}", def.as_type);
            self.report(n, true, &id, Level::Error, msg);
        }
    }

    /// Judges a value against every allowed-values constraint that targeted it: allowed when
    /// any of them lists it, or when all of them allow other values.
    fn judge_values(&mut self, n: NodeRef) {
        let Some(cis) = self.pending.remove(&n) else { return };
        let constraints: Vec<&'s Constraint> = cis.iter().map(|ci| &self.schema.constraints[*ci]).collect();
        let Some(text) = self.tree.value(n).and_then(Atom::text) else { return };
        let mut allowed: Vec<&str> = Vec::new();
        let mut closed: Vec<&Constraint> = Vec::new();
        let mut exclusive: Option<&Constraint> = None;
        for c in &constraints {
            if let Kind::AllowedValues { values, allow_other, extension_none } = &c.kind {
                for v in values {
                    if !allowed.contains(&v.as_str()) {
                        allowed.push(v);
                    }
                }
                if !allow_other {
                    closed.push(c);
                }
                if *extension_none {
                    exclusive = Some(c);
                }
            }
        }
        if let Some(x) = exclusive.filter(|_| constraints.len() > 1) {
            let others: Vec<&str> = constraints.iter().filter(|c| c.id != x.id).map(|c| c.id.as_str()).collect();
            let msg = format!("{} is constrained by {} (which allows no other allowed-values constraint) and by {}", self.describe(n), x.id, others.join(", "));
            self.report(n, true, &x.id, x.level, msg);
        }
        if closed.is_empty() || allowed.contains(&text.as_ref()) {
            return;
        }
        let mut shown: Vec<String> = allowed.iter().take(SHOWN_VALUES).map(|v| quote(v)).collect();
        if allowed.len() > SHOWN_VALUES {
            shown.push(format!("and {} more", allowed.len() - SHOWN_VALUES));
        }
        let also = if constraints.len() > 1 {
            format!(" (values from {})", constraints.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", "))
        } else {
            String::new()
        };
        let msg = format!("{} is {}, which is not allowed here; allowed: {}{also}", self.describe(n), quote(&text), shown.join(", "));
        let level = closed.iter().map(|c| c.level).max().unwrap_or(Level::Error);
        let id = closed[0].id.clone();
        self.report(n, true, &id, level, msg);
    }

    /// How a node is named in messages: `prop/@name`, `title`, `resource`.
    fn describe(&self, n: NodeRef) -> String {
        let name = self.schema.name(self.tree.name(n));
        if n.is_flag() {
            let owner = self.schema.name(self.tree.name(NodeRef::elem(n.elem)));
            format!("{owner}/@{name}")
        } else if name.is_empty() {
            "the document".to_string()
        } else {
            name.to_string()
        }
    }
}

fn fault_phrase(fault: &Fault, as_type: &str) -> String {
    match fault {
        Fault::Pattern if as_type == "markup-line" => "is not a valid markup-line (a single line: no line breaks)".to_string(),
        Fault::Pattern => format!("is not a valid {as_type}"),
        Fault::JsonType(t) => format!("is not a JSON {t}, as {as_type} requires"),
        Fault::Minimum(m) => format!("is less than {m}, the least a {as_type} may be"),
    }
}

/// A value in a message: quoted, line breaks shown as \n, long values cut.
fn quote(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s.chars().take(MAX).collect::<String>().replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r").replace('"', "\\\"");
    if s.chars().count() > MAX {
        out.push_str("...");
    }
    format!("\"{out}\"")
}

fn key_text(keys: &[KeyField], key: &[Option<String>]) -> String {
    let parts: Vec<String> = keys.iter().zip(key).map(|(k, v)| format!("{}={}", k.target, v.as_deref().map_or_else(|| "(none)".to_string(), quote))).collect();
    parts.join(", ")
}

/// The `as-type`s among these definitions' flags and fields that NIST's JSON schema does not
/// define, so their values are not datatype-checked (for the coverage table).
pub fn unchecked_datatypes(schema: &Schema, datatypes: &Datatypes, defs: &[u32]) -> Vec<String> {
    let mut out: HashSet<String> = HashSet::new();
    for d in defs.iter().map(|d| schema.def(*d)) {
        if d.kind != DefKind::Assembly && datatypes.get(&d.as_type).is_none() {
            out.insert(d.as_type.clone());
        }
    }
    let mut v: Vec<String> = out.into_iter().collect();
    v.sort();
    v
}
