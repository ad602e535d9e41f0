//! NIST's OSCAL 1.2.3 constraint layer (`oscal_stig::oscal::constraints`): the defects of
//! documents this tool wrote before issue 11 (tests/fixtures/constraints/), one small document
//! per constraint kind (valid passes, mutated fails with pointer and NIST id), NIST's own
//! examples, and what is and is not evaluated per model.

mod common;

use std::path::Path;

use oscal_stig::oscal::constraints::{check, coverage, ConstraintReport, Level};
use oscal_stig::oscal::Model;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/constraints").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// (pointer, constraint id, level) of every problem, in document order.
fn found(report: &ConstraintReport) -> Vec<(String, String, Level)> {
    report.problems.iter().map(|p| (p.pointer.clone(), p.constraint_id.clone(), p.level)).collect()
}

fn at(pointer: &str, id: &str, level: Level) -> (String, String, Level) {
    (pointer.to_string(), id.to_string(), level)
}

// ---------------------------------------------------------------------------------------
// The fixtures: documents as oscal-stig wrote them before the fixes.

#[test]
fn old_component_definition_implementation_status_without_namespace() {
    let doc = fixture("old-component-definition.json");
    let report = check(&doc).unwrap();
    // Every implementation-status prop (all without ns, so in OSCAL's namespace) is refused:
    // under an implemented-requirement only the prop definition's own `marking` is allowed.
    let mut expected = Vec::new();
    for (i, ir) in doc["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"].as_array().unwrap().iter().enumerate() {
        for (j, p) in ir["props"].as_array().into_iter().flatten().enumerate() {
            if p["name"] == "implementation-status" {
                assert!(p.get("ns").is_none());
                let pointer = format!("/component-definition/components/0/control-implementations/0/implemented-requirements/{i}/props/{j}/name");
                expected.push(at(&pointer, "oscal-metadata-prop-name-values", Level::Error));
            }
        }
    }
    assert_eq!(expected.len(), 26);
    assert_eq!(found(&report), expected);
    let first = &report.problems[0];
    assert_eq!(first.pointer, "/component-definition/components/0/control-implementations/0/implemented-requirements/5/props/14/name");
    assert_eq!(first.message, "prop/@name is \"implementation-status\", which is not allowed here; allowed: \"marking\"");
}

#[test]
fn old_assessment_results_plan_resource_without_rlink_or_base64() {
    let doc = fixture("old-assessment-results.json");
    let report = check(&doc).unwrap();
    assert_eq!(found(&report), [at("/assessment-results/back-matter/resources/0", "oscal-back-matter-resource-base64-rlink-cardinality", Level::Warning)]);
    // The resource is the one import-ap points to.
    let uuid = doc["assessment-results"]["back-matter"]["resources"][0]["uuid"].as_str().unwrap();
    assert_eq!(doc["assessment-results"]["import-ap"]["href"], format!("#{uuid}"));
    assert_eq!(report.problems[0].message, "resource has 0 of rlink|base64; at least 1 expected");
    assert_eq!(report.errors(), 0, "NIST made it a WARNING");
}

#[test]
fn old_checklist_import_multi_line_titles() {
    let report = check(&fixture("old-checklist-import.json")).unwrap();
    assert_eq!(
        found(&report),
        [
            at("/assessment-results/results/0/findings/0/title", "as-type:markup-line", Level::Error),
            at("/assessment-results/results/0/findings/0/target/title", "as-type:markup-line", Level::Error),
        ]
    );
    assert!(report.problems[0].message.starts_with("title is \"V-260903: The\\nLifetime"), "{}", report.problems[0].message);
}

/// The POA&M names observations, subjects (inventory items), actors (components), findings
/// and risks defined only in the assessment-results. NIST's 1.2.3 constraints have no index
/// for any of those uuids (its `index-has-key` rules cover parties, roles, locations,
/// back-matter resources, SSP components and catalog parts), so the constraint layer finds
/// nothing here: those references are the emitters' own tests' concern.
#[test]
fn old_poam_dangling_references_are_not_nist_constraints() {
    let doc = fixture("old-poam.json");
    let report = check(&doc).unwrap();
    assert_eq!(found(&report), []);
    // The references NIST does index are checked in a POA&M: a responsible party whose party
    // and role do not exist.
    let mut doc = doc;
    doc["plan-of-action-and-milestones"]["metadata"]["responsible-parties"] = json!([{"role-id": "prepared-by", "party-uuids": ["11111111-2222-4333-8444-555555555555"]}]);
    let report = check(&doc).unwrap();
    assert_eq!(
        found(&report),
        [
            at("/plan-of-action-and-milestones/metadata/responsible-parties/0/role-id", "oscal-metadata-responsible-party-index-metadata-role-id", Level::Error),
            at("/plan-of-action-and-milestones/metadata/responsible-parties/0/party-uuids/0", "oscal-index-metadata-party-uuid", Level::Error),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// One small document per constraint kind.

fn catalog() -> Value {
    json!({"catalog": {
        "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
        "metadata": {
            "title": "Tiny", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3",
            "roles": [{"id": "owner", "title": "Owner"}],
            "parties": [{"uuid": "1b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "type": "person", "name": "A",
                         "telephone-numbers": [{"number": "2025550100"}]}],
            "responsible-parties": [{"role-id": "owner", "party-uuids": ["1b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f"]}]
        },
        "controls": [{
            "id": "c-1", "title": "One",
            "props": [{"name": "label", "value": "C-1"}],
            "params": [{"id": "c-1_prm_1"}],
            "parts": [{"id": "c-1_smt", "name": "statement", "prose": "Do it."}],
            "links": [{"href": "#2b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "rel": "reference"}, {"href": "#c-1_smt", "rel": "related"}]
        }],
        "back-matter": {"resources": [{"uuid": "2b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "title": "Source",
            "rlinks": [{"href": "https://example.com/a", "hashes": [{"algorithm": "SHA-256", "value": "ab".repeat(32)}]}]}]}
    }})
}

/// Checks a mutated small catalog; the unmutated one has no problem at all.
fn problems_after(mutate: impl FnOnce(&mut Value)) -> Vec<(String, String, Level)> {
    let mut doc = catalog();
    mutate(&mut doc);
    found(&check(&doc).unwrap())
}

#[test]
fn the_small_catalog_meets_every_constraint() {
    assert_eq!(problems_after(|_| {}), []);
}

#[test]
fn allowed_values_are_combined_per_value() {
    // `label` is allowed on a control (the control's constraint), `marking` everywhere (the
    // prop's own); a name in another namespace is not constrained at all.
    assert_eq!(problems_after(|d| d["catalog"]["controls"][0]["props"][0]["name"] = json!("marking")), []);
    assert_eq!(problems_after(|d| d["catalog"]["controls"][0]["props"][0]["ns"] = json!("https://example.com/ns")), []);
    // On the catalog's metadata `keywords` is allowed; on a control it is not.
    assert_eq!(problems_after(|d| d["catalog"]["metadata"]["props"] = json!([{"name": "keywords", "value": "x"}])), []);
    let mut doc = catalog();
    doc["catalog"]["controls"][0]["props"][0]["name"] = json!("keywords");
    let report = check(&doc).unwrap();
    assert_eq!(found(&report), [at("/catalog/controls/0/props/0/name", "oscal-control-prop-name", Level::Error)]);
    let message = &report.problems[0].message;
    assert!(message.starts_with("prop/@name is \"keywords\", which is not allowed here; allowed: \"label\", \"sort-id\", \"alt-identifier\", \"status\", \"marking\""), "{message}");
    // A flag's own allowed values (party type), closed.
    assert_eq!(
        problems_after(|d| d["catalog"]["metadata"]["parties"][0]["type"] = json!("robot")),
        [at("/catalog/metadata/parties/0/type", "oscal-metadata-party-type-values", Level::Error)]
    );
    // allow-other: any link relation is accepted.
    assert_eq!(problems_after(|d| d["catalog"]["controls"][0]["links"][1]["rel"] = json!("inspired-by")), []);
}

#[test]
fn matches_by_regex_and_by_datatype() {
    assert_eq!(
        problems_after(|d| d["catalog"]["metadata"]["parties"][0]["telephone-numbers"][0]["number"] = json!("202-555-0100")),
        [at("/catalog/metadata/parties/0/telephone-numbers/0/number", "oscal-metadata-telephone-number-regex", Level::Warning)]
    );
    // A SHA-256 must be 64 hex digits; the value of a field with flags is under its value key.
    assert_eq!(
        problems_after(|d| d["catalog"]["back-matter"]["resources"][0]["rlinks"][0]["hashes"][0]["value"] = json!("abc")),
        [at("/catalog/back-matter/resources/0/rlinks/0/hashes/0/value", "oscal-check-hash-length-SHA2-3-256", Level::Error)]
    );
    // matches/@datatype: a resource's `published` prop is a date-time with time zone.
    assert_eq!(
        problems_after(|d| d["catalog"]["back-matter"]["resources"][0]["props"] = json!([{"name": "published", "value": "yesterday"}])),
        [at("/catalog/back-matter/resources/0/props/0/value", "oscal-back-matter-resource-prop-published-datatype", Level::Error)]
    );
}

#[test]
fn datatypes_of_every_value() {
    let problems = problems_after(|d| {
        d["catalog"]["controls"][0]["title"] = json!("Two\nlines");
        d["catalog"]["controls"][0]["id"] = json!("has space");
    });
    assert_eq!(
        problems,
        [at("/catalog/controls/0/id", "as-type:token", Level::Error), at("/catalog/controls/0/title", "as-type:markup-line", Level::Error)]
    );
}

#[test]
fn has_cardinality() {
    assert_eq!(
        problems_after(|d| {
            d["catalog"]["back-matter"]["resources"][0].as_object_mut().unwrap().remove("rlinks");
        }),
        [at("/catalog/back-matter/resources/0", "oscal-back-matter-resource-base64-rlink-cardinality", Level::Warning)]
    );
    assert_eq!(problems_after(|d| d["catalog"]["back-matter"]["resources"][0]["base64"] = json!({"filename": "a.txt", "value": "QQ=="})), []);
}

#[test]
fn is_unique() {
    assert_eq!(
        problems_after(|d| {
            let rp = d["catalog"]["metadata"]["responsible-parties"][0].clone();
            d["catalog"]["metadata"]["responsible-parties"].as_array_mut().unwrap().push(rp);
        }),
        [at("/catalog/metadata/responsible-parties/1", "oscal-unique-metadata-responsible-party", Level::Error)]
    );
}

#[test]
fn index_keys_are_unique() {
    // Two controls with one id: the catalog's control index (and its groups-controls-parts).
    let problems = problems_after(|d| {
        let mut c = d["catalog"]["controls"][0].clone();
        c["parts"][0]["id"] = json!("c-1_smt2");
        c["params"][0]["id"] = json!("c-1_prm_2");
        d["catalog"]["controls"].as_array_mut().unwrap().push(c);
    });
    assert_eq!(
        problems,
        [at("/catalog/controls/1", "oscal-catalog-controls", Level::Error), at("/catalog/controls/1", "oscal-catalog-groups-controls-parts", Level::Error)]
    );
}

#[test]
fn index_has_key_references_resolve_to_the_right_kind() {
    // A party uuid that is no party; a role that is no role.
    assert_eq!(
        problems_after(|d| d["catalog"]["metadata"]["responsible-parties"][0]["party-uuids"][0] = json!("9b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f")),
        [at("/catalog/metadata/responsible-parties/0/party-uuids/0", "oscal-index-metadata-party-uuid", Level::Error)]
    );
    // A resource link to a uuid that is a party, not a back-matter resource.
    let problems = problems_after(|d| d["catalog"]["controls"][0]["links"][0]["href"] = json!("#1b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f"));
    assert_eq!(problems, [at("/catalog/controls/0/links/0/href", "oscal-metadata-link-reference-index-back-matter-resource", Level::Error)]);
    // A related-control link to nothing: NIST made this one a WARNING.
    assert_eq!(
        problems_after(|d| d["catalog"]["controls"][0]["links"][1]["href"] = json!("#zz-9")),
        [at("/catalog/controls/0/links/1/href", "oscal-catalog-groups-controls-parts", Level::Warning)]
    );
}

#[test]
fn expect_tests() {
    // A control needs a statement unless withdrawn.
    assert_eq!(
        problems_after(|d| d["catalog"]["controls"][0]["parts"][0]["name"] = json!("guidance")),
        [at("/catalog/controls/0", "oscal-catalog-control-require-statement-when-appropriate", Level::Error)]
    );
    assert_eq!(
        problems_after(|d| {
            d["catalog"]["controls"][0]["parts"][0]["name"] = json!("guidance");
            d["catalog"]["controls"][0]["props"] = json!([{"name": "status", "value": "withdrawn"}]);
        }),
        []
    );
    // A deprecated flag, with NIST's message: a WARNING (NIST gives the notice no level, and
    // deprecated is still allowed; NIST's own 800-53 catalogs use it).
    let mut doc = catalog();
    doc["catalog"]["controls"][0]["params"][0]["depends-on"] = json!("c-1_prm_0");
    let report = check(&doc).unwrap();
    assert_eq!(found(&report), [at("/catalog/controls/0/params/0", "oscal-parameter-depends-on-deprecated", Level::Warning)]);
    assert_eq!(report.problems[0].message, "param: depends-on is deprecated");
}

#[test]
fn expect_with_a_numeric_comparison() {
    // A port range whose start is after its end, in an SSP component's protocol.
    let ssp = |start: u64, end: u64| {
        json!({"system-security-plan": {
            "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
            "metadata": {"title": "S", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"},
            "system-implementation": {"users": [], "components": [{
                "uuid": "3b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "type": "service", "title": "Web", "description": "d", "status": {"state": "operational"},
                "protocols": [{"uuid": "4b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f", "name": "https", "port-ranges": [{"start": start, "end": end, "transport": "TCP"}]}]
            }]}
        }})
    };
    let range = "/system-security-plan/system-implementation/components/0/protocols/0/port-ranges/0";
    let ids = |doc: &Value| found(&check(doc).unwrap()).into_iter().filter(|(p, _, _)| p == range).collect::<Vec<_>>();
    assert_eq!(ids(&ssp(443, 443)), []);
    assert_eq!(ids(&ssp(9, 10)), [], "numbers compare as numbers, not text");
    assert_eq!(ids(&ssp(444, 443)), [at(range, "oscal-component-protocol-port-range-starts-before-end", Level::Warning)]);
}

// ---------------------------------------------------------------------------------------
// NIST's examples, odd input, coverage.

#[test]
fn nist_examples_have_no_constraint_problems() {
    let Some(reference) = common::reference_dir() else { return };
    let files = common::files_with_ext(&reference.join("examples/oscal/usnistgov-oscal-content"), &[".json"]);
    assert!(files.len() >= 7);
    for f in files {
        let doc: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let report = check(&doc).unwrap();
        assert_eq!(report.problems, [], "{}", f.display());
    }
}

/// Older NIST content does not meet the 1.2.3 constraints everywhere. Checked by hand: the
/// rev4 HIGH baseline's responsible parties name a party uuid its metadata does not define,
/// and its alters add a `priority` prop in OSCAL's namespace, which a profile's `add` does not
/// allow (label, sort-id, alt-identifier, marking).
#[test]
fn nist_rev4_high_baseline_findings_are_real() {
    let Some(reference) = common::reference_dir() else { return };
    let path = reference.join("nist-800-53/rev4/NIST_SP-800-53_rev4_HIGH-baseline_profile.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let report = check(&doc).unwrap();
    let mut ids: Vec<&str> = report.problems.iter().map(|p| p.constraint_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids, ["oscal-index-metadata-party-uuid", "oscal-profile-modify-alter-prop-name-values"]);
    assert_eq!(report.problems[0].pointer, "/profile/metadata/responsible-parties/0/party-uuids/0");
    let party = doc["profile"]["metadata"]["responsible-parties"][0]["party-uuids"][0].as_str().unwrap();
    assert!(doc["profile"]["metadata"]["parties"].as_array().unwrap().iter().all(|p| p["uuid"] != party));
    let priority = report.problems.iter().filter(|p| p.message.starts_with("prop/@name is \"priority\"")).count();
    assert_eq!(priority, report.problems.len() - 2);
}

#[test]
fn odd_documents_are_reports_or_errors_never_panics() {
    for doc in [json!({"recipe": {}}), json!([]), json!(null), json!({"catalog": {"metadata": 3}}), json!({"catalog": {"controls": [1, "x", null]}})] {
        let _ = check(&doc);
    }
    assert!(check(&json!({"recipe": {}})).is_err());
}

#[test]
fn evaluated_and_not_evaluated_per_model() {
    let mut table = Vec::new();
    for m in Model::ALL {
        let c = coverage(m).unwrap();
        table.push((m.root_key(), c.evaluated.len(), c.not_evaluated.len()));
    }
    assert_eq!(
        table,
        [
            ("catalog", 84, 0),
            ("profile", 69, 0),
            ("component-definition", 84, 0),
            ("system-security-plan", 167, 5),
            ("assessment-plan", 128, 3),
            ("assessment-results", 197, 3),
            ("plan-of-action-and-milestones", 177, 3),
        ]
    );
    for m in Model::ALL {
        assert_eq!(coverage(m).unwrap().unchecked_datatypes, Vec::<String>::new(), "every as-type of {m} has a NIST schema definition");
    }
    let ssp = coverage(Model::SystemSecurityPlan).unwrap();
    let ids: Vec<&str> = ssp.not_evaluated.iter().map(|n| n.constraint_id.as_str()).collect();
    assert!(ids.contains(&"oscal-ssp-by-component-uuid-index"), "{ids:?}");
    assert!(ssp.not_evaluated.iter().any(|n| n.reason.contains("doc() is not supported")), "{:?}", ssp.not_evaluated);
    // The report says the same.
    let report = check(&fixture("old-assessment-results.json")).unwrap();
    assert_eq!((report.evaluated, report.not_evaluated, report.version), (197, 3, "1.2.3"));
}

