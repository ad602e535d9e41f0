//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod consumers;
pub mod kube_server;
pub mod mke_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared/reference` beside the checkout (CI clones main with shared/ next to it).
/// Outside CI a missing reference directory skips the test loudly; in CI it fails.
pub fn reference_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("reference data missing at {} (required in CI)", dir.display());
    }
    eprintln!("\n*** SKIPPED: reference data not found at {} ***\n", dir.display());
    None
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|e| p.to_string_lossy().ends_with(e)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oscal-stig"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Control ids of a catalog JSON value, depth first (NIST's published order).
pub fn control_ids(catalog: &serde_json::Value) -> Vec<String> {
    fn controls(cs: &serde_json::Value, out: &mut Vec<String>) {
        for c in cs.as_array().into_iter().flatten() {
            out.push(c["id"].as_str().unwrap().to_string());
            controls(&c["controls"], out);
        }
    }
    fn groups(gs: &serde_json::Value, out: &mut Vec<String>) {
        for g in gs.as_array().into_iter().flatten() {
            controls(&g["controls"], out);
            groups(&g["groups"], out);
        }
    }
    let mut out = Vec::new();
    controls(&catalog["controls"], &mut out);
    groups(&catalog["groups"], &mut out);
    out
}

/// The private real Docker Engine that scripts/docker-test-env.sh starts (unix socket,
/// client bundle dir, canary secret). Absent outside CI: skip loudly; in CI: fail.
pub struct Engine {
    pub host: String,
    pub bundle: PathBuf,
    pub canary: String,
}

pub fn engine() -> Option<Engine> {
    match (std::env::var("OSCAL_STIG_TEST_DOCKER_HOST"), std::env::var("OSCAL_STIG_TEST_BUNDLE"), std::env::var("OSCAL_STIG_CANARY")) {
        (Ok(host), Ok(bundle), Ok(canary)) => Some(Engine { host, bundle: PathBuf::from(bundle), canary }),
        _ if std::env::var_os("CI").is_some() => panic!("the test Docker Engine is not set up (run the tests through scripts/test.sh)"),
        _ => {
            eprintln!("\n*** SKIPPED: no test Docker Engine (OSCAL_STIG_TEST_DOCKER_HOST unset); run scripts/test.sh ***\n");
            None
        }
    }
}

/// Verdict, failing subject names and excepted subject names of a rule in assessment-results.
pub fn verdict(ar: &serde_json::Value, rule: &str) -> (String, Vec<String>, Vec<String>) {
    let result = &ar["assessment-results"]["results"][0];
    let finding = result["findings"].as_array().unwrap().iter().find(|f| finding_rule(f) == rule).unwrap_or_else(|| panic!("no finding for {rule}"));
    let prop = |name: &str| finding["props"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap().to_string());
    let names = |group: &str| -> Vec<String> {
        let mut v: Vec<String> = result["observations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["props"].as_array().unwrap().iter().any(|p| p["name"] == "vuln-id" && p["value"] == rule))
            .filter(|o| o["props"].as_array().unwrap().iter().any(|p| p["name"] == "subject-group" && p["value"] == group))
            .flat_map(|o| o["subjects"].as_array().cloned().unwrap_or_default())
            .map(|s| s["title"].as_str().unwrap().split_once(' ').unwrap().1.to_string())
            .collect();
        v.sort();
        v
    };
    (prop("verdict").unwrap(), names("failed"), names("excepted"))
}

/// Offline assessment of the bundled example snapshot (a real engine's answers) with the example
/// site policy, as the README's main job: its assessment-results path. It has failures: exit 1.
pub fn example_results(dir: &Path) -> PathBuf {
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot");
    let out = dir.join("assess");
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml");
    let o = run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    out.join("assessment-results.json")
}

/// Copies a directory tree (an evidence snapshot to alter in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The STIG rule (V- id) of a finding: its vuln-id prop (targets name the rule's part in the
/// STIG profile).
pub fn finding_rule(f: &serde_json::Value) -> &str {
    f["props"].as_array().into_iter().flatten().find(|p| p["name"] == "vuln-id").and_then(|p| p["value"].as_str()).unwrap_or_else(|| f["target"]["target-id"].as_str().unwrap_or(""))
}

/// NIST's JSON schema and its Metaschema constraint layer (ERROR-level problems): what every
/// emitter's tests check a document with. Returns the model and the problems, one line each.
pub fn validate_with_constraints(doc: &serde_json::Value) -> Result<(oscal_stig::oscal::Model, Vec<String>), oscal_stig::oscal::OscalError> {
    let (model, schema) = oscal_stig::oscal::validate::validate_value(doc)?;
    let mut errors: Vec<String> = schema.iter().map(|e| format!("schema: {e}")).collect();
    match oscal_stig::oscal::constraints::check(doc) {
        Ok(report) => errors.extend(
            report.problems.iter().filter(|p| p.level == oscal_stig::oscal::constraints::Level::Error).map(|p| format!("constraint {} at {}: {}", p.constraint_id, p.pointer, p.message)),
        ),
        Err(e) => errors.push(format!("constraints not checked: {e}")),
    }
    Ok((model, errors))
}

/// Seals a snapshot a test altered, so it stands for evidence as collected (an unsealed or
/// altered snapshot is refused by `assess --evidence`; tests/hostile_inputs.rs checks that).
pub fn reseal(snap: &Path) {
    oscal_stig::evidence::seal(snap).unwrap_or_else(|e| panic!("sealing {}: {e}", snap.display()));
}
