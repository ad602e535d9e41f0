//! `oscal-stig validate`: pointers and sentences for broken documents, exit codes, bad input.

mod common;

use std::path::Path;

use common::{run, stderr, stdout};
use serde_json::{json, Value};

fn minimal_catalog() -> Value {
    json!({"catalog": {
        "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
        "metadata": {"title": "Tiny", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"},
        "controls": [{"id": "c-1", "title": "One"}]
    }})
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

/// Runs validate on a mutated catalog and returns (exit code, stdout).
fn validate_mutated(mutate: impl FnOnce(&mut Value)) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = minimal_catalog();
    mutate(&mut doc);
    let f = write(dir.path(), "doc.json", &doc);
    let out = run(&["validate", &f]);
    (out.status.code().unwrap(), stdout(&out))
}

#[test]
fn a_valid_document_exits_0() {
    let (code, out) = validate_mutated(|_| {});
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("valid catalog"), "{out}");
}

#[test]
fn wrong_type_is_reported_at_its_pointer() {
    let (code, out) = validate_mutated(|d| d["catalog"]["metadata"]["version"] = json!(3));
    assert_eq!(code, 1);
    assert!(out.contains("at /catalog/metadata/version: 3 is not of type \"string\""), "{out}");
}

#[test]
fn missing_required_field_is_reported_at_its_parent() {
    let (code, out) = validate_mutated(|d| {
        d["catalog"]["controls"][0].as_object_mut().unwrap().remove("title");
    });
    assert_eq!(code, 1);
    assert!(out.contains("at /catalog/controls/0: \"title\" is a required property"), "{out}");
}

#[test]
fn bad_uuid_is_reported() {
    let (code, out) = validate_mutated(|d| d["catalog"]["uuid"] = json!("not-a-uuid"));
    assert_eq!(code, 1);
    assert!(out.lines().any(|l| l == "  at /catalog/uuid: \"not-a-uuid\" is not an OSCAL UUID (version 4 or 5, e.g. 3f2c0e6a-5d2b-4c8e-9a41-2f6d0e7bc35a)"), "{out}");
}

#[test]
fn bad_date_time_is_reported() {
    // No time zone: OSCAL requires one.
    let (code, out) = validate_mutated(|d| d["catalog"]["metadata"]["last-modified"] = json!("2024-01-01T00:00:00"));
    assert_eq!(code, 1);
    let at: Vec<&str> = out.lines().filter(|l| l.starts_with("  at /catalog/metadata/last-modified:")).collect();
    assert_eq!(at, ["  at /catalog/metadata/last-modified: \"2024-01-01T00:00:00\" is not a date-time with a time zone (e.g. 2024-01-31T12:00:00Z)"], "{out}");
}

#[test]
fn unknown_property_is_reported() {
    let (code, out) = validate_mutated(|d| d["catalog"]["controls"][0]["bogus"] = json!(1));
    assert_eq!(code, 1);
    assert!(out.contains("at /catalog/controls/0:") && out.contains("bogus"), "{out}");
}

#[test]
fn every_reference_oscal_example_is_accepted() {
    let Some(reference) = common::reference_dir() else { return };
    let mut files = common::files_with_ext(&reference.join("examples/oscal"), &[".json", ".yaml"]);
    files.extend(common::files_with_ext(&reference.join("nist-800-53"), &[".json"]));
    assert!(files.len() >= 20);
    let args: Vec<String> = std::iter::once("validate".to_string()).chain(files.iter().map(|f| f.to_string_lossy().into_owned())).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).lines().filter(|l| l.contains(": valid ")).count(), files.len());
}

/// Unusable inputs: exit 2, exactly one line on stderr, no panic.
fn assert_unusable(path: &str, expect: &str) {
    let out = run(&["validate", path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{path}: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains(expect), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unusable_inputs_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let full = serde_json::to_string(&minimal_catalog()).unwrap();
    std::fs::write(d.join("truncated.json"), &full[..full.len() / 2]).unwrap();
    std::fs::write(d.join("empty.json"), b"").unwrap();
    std::fs::write(d.join("latin1.json"), b"{\"catalog\": \"caf\xe9\"}").unwrap();
    std::fs::write(d.join("unknown.json"), b"{\"recipe\": {}}").unwrap();
    std::fs::write(d.join("array.json"), b"[1, 2]").unwrap();
    let p = |n: &str| d.join(n).to_string_lossy().into_owned();
    assert_unusable(&p("truncated.json"), "not valid JSON");
    assert_unusable(&p("empty.json"), "is empty (0 bytes)");
    assert_unusable(&p("latin1.json"), "not UTF-8");
    assert_unusable(&p("unknown.json"), "not an OSCAL document");
    assert_unusable(&p("array.json"), "not a JSON object");
    assert_unusable(&d.to_string_lossy(), "is a directory");
    assert_unusable(&p("does-not-exist.json"), "cannot read");
}

#[test]
fn worst_code_wins_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &minimal_catalog());
    let mut bad = minimal_catalog();
    bad["catalog"]["uuid"] = json!("x");
    let bad = write(dir.path(), "bad.json", &bad);
    assert_eq!(run(&["validate", &good, &bad]).status.code(), Some(1));
    std::fs::write(dir.path().join("empty.json"), b"").unwrap();
    let empty = dir.path().join("empty.json").to_string_lossy().into_owned();
    assert_eq!(run(&["validate", &good, &bad, &empty]).status.code(), Some(2));
}
