//! `oscal-stig validate`: pointers and sentences for broken documents (schema and constraint
//! layer), the three output formats, exit codes, bad input.

mod common;

use std::path::Path;

use common::{run, stderr, stdout};
use serde_json::{json, Value};

fn minimal_catalog() -> Value {
    json!({"catalog": {
        "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
        "metadata": {"title": "Tiny", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"},
        "controls": [{"id": "c-1", "title": "One", "parts": [{"id": "c-1_smt", "name": "statement", "prose": "Do it."}]}]
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
fn every_reference_oscal_document_is_schema_valid() {
    let Some(reference) = common::reference_dir() else { return };
    let mut files = common::files_with_ext(&reference.join("examples/oscal"), &[".json", ".yaml"]);
    files.extend(common::files_with_ext(&reference.join("nist-800-53"), &[".json"]));
    assert!(files.len() >= 20);
    let args: Vec<String> = ["validate", "--no-constraints"].iter().map(|s| s.to_string()).chain(files.iter().map(|f| f.to_string_lossy().into_owned())).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).lines().filter(|l| l.contains(": valid ")).count(), files.len());
}

/// NIST's own example documents meet NIST's constraints: no problem at any level.
#[test]
fn nist_examples_meet_the_constraint_layer() {
    let Some(reference) = common::reference_dir() else { return };
    let files = common::files_with_ext(&reference.join("examples/oscal/usnistgov-oscal-content"), &[".json"]);
    assert!(files.len() >= 7);
    let args: Vec<String> = std::iter::once("validate".to_string()).chain(files.iter().map(|f| f.to_string_lossy().into_owned())).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert_eq!(text.lines().count(), files.len(), "one line per file, no problems: {text}");
    assert!(text.lines().all(|l| l.contains(": valid ") && l.contains("constraints: NIST OSCAL 1.2.3")), "{text}");
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/constraints").join(name).to_string_lossy().into_owned()
}

#[test]
fn constraint_problems_are_listed_with_level_id_and_pointer() {
    let out = run(&["validate", &fixture("old-checklist-import.json")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let first = text.lines().next().unwrap();
    assert!(first.contains("invalid assessment-results: 0 schema errors, 2 constraint errors (OSCAL 1.1.3 schema; constraints: NIST OSCAL 1.2.3, "), "{first}");
    assert!(
        text.lines().any(|l| l.starts_with("  ERROR as-type:markup-line at /assessment-results/results/0/findings/0/target/title: title is \"The\\nLifetime")),
        "{text}"
    );
    // Schema only: the 1.1.3 schema allows multi-line titles.
    let out = run(&["validate", "--no-constraints", &fixture("old-checklist-import.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("constraints not checked"), "{}", stdout(&out));
}

/// A catalog whose back-matter resource has neither rlink nor base64: a WARNING only.
fn catalog_with_warning(dir: &Path) -> String {
    let mut doc = minimal_catalog();
    doc["catalog"]["back-matter"] = json!({"resources": [{"uuid": "7b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "title": "Nowhere"}]});
    write(dir, "warned.json", &doc)
}

#[test]
fn warnings_print_but_fail_only_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let f = catalog_with_warning(dir.path());
    let out = run(&["validate", &f]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().ends_with(", 1 warning"), "{text}");
    assert!(text.contains("  WARNING oscal-back-matter-resource-base64-rlink-cardinality at /catalog/back-matter/resources/0: resource has 0 of rlink|base64; at least 1 expected"), "{text}");
    let out = run(&["validate", "--strict", &f]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn json_format_has_one_object_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &minimal_catalog());
    let missing = dir.path().join("missing.json").to_string_lossy().into_owned();
    let out = run(&["validate", "--format", "json", &fixture("old-component-definition.json"), &good, &missing]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 3);
    let cd = &files[0];
    assert_eq!(cd["model"], "component-definition");
    assert_eq!(cd["valid"], false);
    assert_eq!(cd["schema"]["oscal_version"], "1.1.3");
    assert_eq!(cd["schema_errors"], json!([]));
    assert_eq!(cd["constraints"]["version"], "1.2.3");
    assert_eq!(cd["not_evaluated"], json!([]), "every component-definition constraint is evaluated");
    let problems = cd["constraint_problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    assert!(problems.iter().all(|p| p["constraint_id"] == "oscal-metadata-prop-name-values" && p["level"] == "ERROR"), "{problems:?}");
    assert_eq!(files[1]["valid"], true);
    assert!(files[2]["error"].as_str().unwrap().contains("cannot read"), "{}", files[2]);
    assert_eq!(stderr(&out).lines().count(), 1, "the unusable file is also said on stderr");
}

#[test]
fn sarif_is_version_2_1_0_with_rules_levels_and_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let warned = catalog_with_warning(dir.path());
    let mut bad = minimal_catalog();
    bad["catalog"]["uuid"] = json!("x");
    let bad = write(dir.path(), "bad uuid.json", &bad);
    let out = run(&["validate", "--format", "sarif", &fixture("old-checklist-import.json"), &warned, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "oscal-stig");
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["as-type:markup-line", "oscal-back-matter-resource-base64-rlink-cardinality", "oscal-json-schema"]);
    let results = run0["results"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, &str)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap(),
                loc["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().rsplit('/').next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("as-type:markup-line", "error", "/assessment-results/results/0/findings/0/title", "old-checklist-import.json"),
            ("as-type:markup-line", "error", "/assessment-results/results/0/findings/0/target/title", "old-checklist-import.json"),
            ("oscal-back-matter-resource-base64-rlink-cardinality", "warning", "/catalog/back-matter/resources/0", "warned.json"),
            ("oscal-json-schema", "error", "/catalog/uuid", "bad%20uuid.json"),
        ]
    );
    assert!(results.iter().all(|r| !r["message"]["text"].as_str().unwrap().is_empty()));
}

#[test]
fn a_1_2_document_is_checked_against_the_1_2_3_schema() {
    let (code, out) = validate_mutated(|d| d["catalog"]["metadata"]["oscal-version"] = json!("1.2.1"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("valid catalog (OSCAL 1.2.3 schema; constraints: NIST OSCAL 1.2.3"), "{out}");
    // 1.2.3 forbids a line break in a markup-line: now a schema error, not repeated as a
    // datatype problem.
    let (code, out) = validate_mutated(|d| {
        d["catalog"]["metadata"]["oscal-version"] = json!("1.2.1");
        d["catalog"]["metadata"]["title"] = json!("Two\nlines");
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("invalid catalog: 1 schema error, 0 constraint errors"), "{out}");
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
