//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
