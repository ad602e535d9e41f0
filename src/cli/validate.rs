//! `oscal-stig validate FILE... [--format text|json|sarif] [--no-constraints] [--strict]`
//!
//! Each file is checked against NIST's JSON schema for its declared OSCAL version and against
//! NIST's OSCAL 1.2.3 Metaschema constraints. Exit code: 0 valid, 1 a schema error or an
//! ERROR/CRITICAL constraint problem in any file (with `--strict`, a WARNING too), 2 a file
//! that cannot be used at all; the worst file decides.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use oscal_stig::oscal::constraints::{self, ConstraintReport, Level, Problem};
use oscal_stig::oscal::validate::{validate_versioned, SchemaError, SchemaRelease};
use oscal_stig::oscal::{read_value, Model};
use serde_json::{json, Value};

use super::exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: one line per file, then one per problem.
    Text,
    /// A JSON array, one object per file.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

pub struct Options {
    pub format: Format,
    /// Skip NIST's Metaschema constraints (JSON schema only).
    pub no_constraints: bool,
    /// WARNING-level constraint problems fail the file too.
    pub strict: bool,
}

/// What one file came to.
struct Outcome {
    path: PathBuf,
    result: Result<Checked, String>,
}

struct Checked {
    model: Model,
    release: SchemaRelease,
    schema_errors: Vec<SchemaError>,
    constraints: Option<ConstraintReport>,
}

impl Checked {
    fn problems(&self) -> &[Problem] {
        self.constraints.as_ref().map_or(&[], |c| c.problems.as_slice())
    }

    fn count(&self, pred: impl Fn(Level) -> bool) -> usize {
        self.problems().iter().filter(|p| pred(p.level)).count()
    }

    fn is_valid(&self, strict: bool) -> bool {
        let floor = if strict { Level::Warning } else { Level::Error };
        self.schema_errors.is_empty() && self.count(|l| l >= floor) == 0
    }
}

impl Outcome {
    fn code(&self, strict: bool) -> u8 {
        match &self.result {
            Err(_) => exit::UNUSABLE,
            Ok(c) if c.is_valid(strict) => exit::OK,
            Ok(_) => exit::FAILED,
        }
    }
}

pub fn run(files: &[PathBuf], opts: &Options) -> u8 {
    let outcomes: Vec<Outcome> = files.iter().map(|f| Outcome { path: f.clone(), result: check_file(f, opts) }).collect();
    match opts.format {
        Format::Text => print_text(&outcomes, opts),
        Format::Json => super::print(&format!("{}\n", pretty(&Value::Array(outcomes.iter().map(|o| json_outcome(o, opts)).collect())))),
        Format::Sarif => super::print(&format!("{}\n", pretty(&sarif(&outcomes, opts)))),
    }
    // Unusable files are always said on stderr, one line each, whatever the format.
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!("{}: error: {e}", o.path.display());
        }
    }
    outcomes.iter().map(|o| o.code(opts.strict)).max().unwrap_or(exit::OK)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn check_file(path: &Path, opts: &Options) -> Result<Checked, String> {
    let doc = read_value(path).map_err(|e| e.to_string())?;
    let (model, release, schema_errors) = validate_versioned(&doc).map_err(|e| e.to_string())?;
    let constraints = if opts.no_constraints {
        None
    } else {
        let mut report = constraints::check(&doc).map_err(|e| e.to_string())?;
        // A value the JSON schema already rejected is not reported again for its datatype.
        let schema_pointers: HashSet<&str> = schema_errors.iter().map(|e| e.pointer.as_str()).collect();
        report.problems.retain(|p| !(p.constraint_id.starts_with("as-type:") && schema_pointers.contains(p.pointer.as_str())));
        Some(report)
    };
    Ok(Checked { model, release, schema_errors, constraints })
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "(OSCAL 1.1.3 schema; constraints: NIST OSCAL 1.2.3, 5 not evaluated)"
fn basis(c: &Checked) -> String {
    match &c.constraints {
        None => format!("OSCAL {} schema; constraints not checked", c.release),
        Some(r) => format!("OSCAL {} schema; constraints: NIST OSCAL {}, {} evaluated, {} not evaluated", c.release, r.version, r.evaluated, r.not_evaluated),
    }
}

fn print_text(outcomes: &[Outcome], opts: &Options) {
    for o in outcomes {
        let Ok(c) = &o.result else { continue };
        let shown = o.path.display();
        let errors = c.count(Level::is_error);
        let warnings = c.count(|l| l == Level::Warning);
        let notes = c.count(|l| l < Level::Warning);
        let mut tail = String::new();
        if warnings > 0 {
            tail.push_str(&format!(", {}", plural(warnings, "warning")));
        }
        if notes > 0 {
            tail.push_str(&format!(", {}", plural(notes, "note")));
        }
        if c.is_valid(opts.strict) {
            outln!("{shown}: valid {} ({}){tail}", c.model, basis(c));
        } else {
            let schema = plural(c.schema_errors.len(), "schema error");
            let constraint = plural(errors, "constraint error");
            outln!("{shown}: invalid {}: {schema}, {constraint}{tail} ({})", c.model, basis(c));
        }
        for e in &c.schema_errors {
            outln!("  {e}");
        }
        for p in c.problems() {
            let at = if p.pointer.is_empty() { "/" } else { &p.pointer };
            outln!("  {} {} at {at}: {}", p.level, p.constraint_id, p.message);
        }
    }
}

fn json_outcome(o: &Outcome, opts: &Options) -> Value {
    let file = o.path.display().to_string();
    let c = match &o.result {
        Err(e) => return json!({"file": file, "error": e}),
        Ok(c) => c,
    };
    let schema_errors: Vec<Value> = c.schema_errors.iter().map(|e| json!({"pointer": e.pointer, "message": e.message})).collect();
    let mut out = json!({
        "file": file,
        "model": c.model.root_key(),
        "valid": c.is_valid(opts.strict),
        "schema": {"oscal_version": c.release.version(), "errors": schema_errors.len()},
        "schema_errors": schema_errors,
    });
    if let Some(r) = &c.constraints {
        out["constraints"] = json!({
            "version": r.version,
            "evaluated": r.evaluated,
            "not_evaluated": r.not_evaluated,
            "errors": r.errors(),
        });
        out["constraint_problems"] = serde_json::to_value(&r.problems).unwrap_or_default();
        out["not_evaluated"] = serde_json::to_value(&r.not_evaluated_detail).unwrap_or_default();
    }
    out
}

/// The SARIF rule id for JSON schema errors (constraint problems use the constraint's id).
const SCHEMA_RULE: &str = "oscal-json-schema";

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Critical | Level::Error => "error",
        Level::Warning => "warning",
        Level::Informational | Level::Debug => "note",
    }
}

/// A file path as a SARIF artifact URI (a relative reference; spaces and the like escaped).
fn artifact_uri(path: &Path) -> String {
    let raw = path.to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sarif(outcomes: &[Outcome], opts: &Options) -> Value {
    let mut rules: BTreeMap<String, String> = BTreeMap::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    let mut artifacts = Vec::new();
    for (index, o) in outcomes.iter().enumerate() {
        let uri = artifact_uri(&o.path);
        artifacts.push(json!({"location": {"uri": uri}}));
        let c = match &o.result {
            Ok(c) => c,
            Err(e) => {
                notifications.push(json!({"level": "error", "message": {"text": format!("{}: {e}", o.path.display())},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": index}}}]}));
                continue;
            }
        };
        let mut push = |rule: &str, level: &str, text: String, pointer: &str| {
            results.push(json!({
                "ruleId": rule,
                "level": level,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": uri, "index": index}},
                    "logicalLocations": [{"fullyQualifiedName": if pointer.is_empty() { "/" } else { pointer }, "kind": "element"}]
                }]
            }));
        };
        for e in &c.schema_errors {
            rules.entry(SCHEMA_RULE.into()).or_insert_with(|| format!("NIST OSCAL {} JSON schema", c.release));
            push(SCHEMA_RULE, "error", e.message.clone(), &e.pointer);
        }
        for p in c.problems() {
            let level = if opts.strict && p.level == Level::Warning { "error" } else { sarif_level(p.level) };
            rules.entry(p.constraint_id.clone()).or_insert_with(|| rule_description(&p.constraint_id));
            push(&p.constraint_id, level, p.message.clone(), &p.pointer);
        }
    }
    let rule_list: Vec<Value> = rules.iter().map(|(id, text)| json!({"id": id, "shortDescription": {"text": text}})).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "oscal-stig",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://pages.nist.gov/OSCAL/",
                "rules": rule_list
            }},
            "artifacts": artifacts,
            "invocations": [{"executionSuccessful": notifications.is_empty(), "toolExecutionNotifications": notifications}],
            "results": results
        }]
    })
}

fn rule_description(id: &str) -> String {
    match id.strip_prefix("as-type:") {
        Some(t) => format!("A value of Metaschema datatype {t} (pattern from NIST's OSCAL {} JSON schema)", constraints::VERSION),
        None => format!("NIST OSCAL {} Metaschema constraint {id}", constraints::VERSION),
    }
}
