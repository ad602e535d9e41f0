//! Profile resolution, one feature at a time, on the small hand-made catalogs in
//! tests/fixtures/resolve (plus the error cases a profile author will hit).

mod common;

use std::path::{Path, PathBuf};

use oscal_stig::oscal::{validate::validate_value, Catalog, OscalModel};
use oscal_stig::resolve::{resolve, Origin, ResolveError, ResolveOptions};
use serde_json::{json, Value};

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// A temp dir holding copies of the fixture catalogs, so relative imports work.
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/resolve");
        for f in ["abc_catalog.json", "xyz_catalog.json"] {
            std::fs::copy(fixtures.join(f), dir.path().join(f)).unwrap();
        }
        Workspace { dir }
    }

    fn write_profile(&self, name: &str, body: Value) -> PathBuf {
        let mut profile = json!({
            "uuid": "c0ffee00-1234-4abc-8def-0123456789ab",
            "metadata": {"title": format!("Test profile {name}"), "last-modified": "2024-02-02T00:00:00Z",
                          "version": "1", "oscal-version": "1.1.3"}
        });
        profile.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
        let path = self.dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(&json!({ "profile": profile })).unwrap()).unwrap();
        path
    }

    fn resolve(&self, name: &str, body: Value) -> Result<Catalog, ResolveError> {
        let path = self.write_profile(name, body);
        let opts = ResolveOptions { timestamp: Some("2024-03-03T00:00:00Z".into()) };
        let catalog = resolve(&Origin::File(path), &opts)?;
        let (_, errors) = validate_value(&catalog.to_value()).unwrap();
        assert!(errors.is_empty(), "resolved catalog invalid: {errors:?}");
        Ok(catalog)
    }

    fn ok(&self, body: Value) -> Catalog {
        self.resolve("p.json", body).unwrap_or_else(|e| panic!("{e}"))
    }
}

fn ids(c: &Catalog) -> Vec<&str> {
    c.control_ids()
}

fn import(href: &str, rest: Value) -> Value {
    let mut i = json!({ "href": href });
    i.as_object_mut().unwrap().extend(rest.as_object().unwrap().clone());
    i
}

#[test]
fn include_all_takes_every_control_and_keeps_groups() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-1", "a-2", "a-2.1", "a-2.2", "b-1", "b-2"]);
    assert_eq!(c.groups.iter().map(|g| g.id.as_deref().unwrap()).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn include_with_ids_takes_only_those() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["b-2", "a-1"]}]}))],
                         "merge": {"as-is": true}}));
    // Catalog order, not the order of with-ids.
    assert_eq!(ids(&c), ["a-1", "b-2"]);
}

#[test]
fn with_child_controls_takes_enhancements() {
    let ws = Workspace::new();
    let without = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-2"]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&without), ["a-2"]);
    let with = ws.ok(json!({"imports": [import("abc_catalog.json",
        json!({"include-controls": [{"with-ids": ["a-2"], "with-child-controls": "yes"}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&with), ["a-2", "a-2.1", "a-2.2"]);
}

#[test]
fn an_enhancement_brings_its_parent_as_nist_does() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-2.2"]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-2", "a-2.2"]);
}

#[test]
fn matching_patterns_select_by_glob() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"matching": [{"pattern": "a-2.*"}, {"pattern": "b-?"}]}]}))],
                         "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-2", "a-2.1", "a-2.2", "b-1", "b-2"]);
}

#[test]
fn exclude_controls_wins_over_include() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {},
        "exclude-controls": [{"with-ids": ["b-1", "a-2.1"]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-1", "a-2", "a-2.2", "b-2"]);
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {},
        "exclude-controls": [{"matching": [{"pattern": "a-*"}]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["b-1", "b-2"]);
}

#[test]
fn flat_merge_drops_groups_and_nesting() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))], "merge": {"flat": {}}}));
    assert!(c.groups.is_empty());
    assert_eq!(c.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a-1", "a-2", "a-2.1", "a-2.2", "b-1", "b-2"]);
    assert!(c.controls.iter().all(|c| c.controls.is_empty()));
    // No structuring directive at all also gives a flat catalog.
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))]}));
    assert!(c.groups.is_empty() && c.controls.len() == 6);
}

#[test]
fn multiple_imports_merge_as_is_into_shared_groups() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [
        import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1", "b-1"]}]})),
        import("xyz_catalog.json", json!({"include-controls": [{"with-ids": ["x-1", "y-1"]}]})),
    ], "merge": {"as-is": true}}));
    assert_eq!(c.groups.len(), 2, "group a is shared, not duplicated");
    assert_eq!(c.groups[0].controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a-1", "x-1"]);
    assert_eq!(c.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["y-1"]);
    // Back-matter of both catalogs is carried over.
    let uuids: Vec<&str> = c.back_matter.as_ref().unwrap().resources.iter().map(|r| r.uuid.as_str()).collect();
    assert_eq!(uuids, ["1a2b3c4d-1111-4222-8333-444455556666", "7a6b5c4d-2222-4333-9444-555566667777"]);
}

fn clashing(method: Option<&str>) -> Value {
    let mut merge = json!({"as-is": true});
    if let Some(m) = method {
        merge["combine"] = json!({"method": m});
    }
    json!({"imports": [
        import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]})),
        import("xyz_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]})),
    ], "merge": merge})
}

#[test]
fn combine_use_first_keeps_the_first_import() {
    let ws = Workspace::new();
    let c = ws.ok(clashing(Some("use-first")));
    assert_eq!(ids(&c), ["a-1"]);
    assert_eq!(c.find_control("a-1").unwrap().title, "Policy");
}

#[test]
fn combine_keep_rejects_differing_duplicates() {
    let ws = Workspace::new();
    let err = ws.resolve("p.json", clashing(None)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ResolveError::Clash { .. }), "{msg}");
    assert!(msg.contains("p.json") && msg.contains("\"a-1\""), "{msg}");
}

#[test]
fn combine_keep_tolerates_the_same_control_twice() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [
        import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]})),
        import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1", "b-1"]}]})),
    ], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-1", "b-1"]);
}

#[test]
fn combine_merge_unions_contents() {
    let ws = Workspace::new();
    let c = ws.ok(clashing(Some("merge")));
    let a1 = c.find_control("a-1").unwrap();
    assert_eq!(a1.title, "Policy", "the first import's title stays");
    let props: Vec<&str> = a1.props.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(props, ["label", "sort-id", "xyz-note"]);
    assert_eq!(a1.parts.len(), 2);
}

#[test]
fn set_parameters_replace_values_and_extend_props() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]}))],
        "merge": {"as-is": true},
        "modify": {"set-parameters": [
            {"param-id": "a-1_prm_1", "values": ["annually"], "props": [{"name": "site", "value": "x"}]},
            {"param-id": "a-1_prm_2", "label": "the ISSO", "select": {"how-many": "one", "choice": ["ISSO", "ISSM"]}}
        ]}}));
    let a1 = c.find_control("a-1").unwrap();
    assert_eq!(a1.params[0].values, ["annually"]);
    assert_eq!(a1.params[0].label.as_deref(), Some("organization-defined frequency"));
    assert_eq!(a1.params[0].props[0].name, "site");
    assert_eq!(a1.params[1].label.as_deref(), Some("the ISSO"));
    assert_eq!(a1.params[1].select.as_ref().unwrap()["choice"][1], "ISSM");
}

fn altered(adds_or_removes: Value) -> Result<Catalog, ResolveError> {
    let ws = Workspace::new();
    let mut alter = json!({"control-id": "a-1"});
    alter.as_object_mut().unwrap().extend(adds_or_removes.as_object().unwrap().clone());
    ws.resolve("p.json", json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]}))],
        "merge": {"as-is": true}, "modify": {"alters": [alter]}}))
}

fn part_ids(parts: &[oscal_stig::oscal::Part]) -> Vec<String> {
    parts.iter().map(|p| p.id.clone().unwrap_or_else(|| p.name.clone())).collect()
}

#[test]
fn alter_add_at_each_position() {
    let part = |id: &str| json!({"id": id, "name": "item", "prose": id});
    let c = altered(json!({"adds": [
        {"position": "starting", "props": [{"name": "priority", "value": "P1"}]},
        {"position": "ending", "parts": [part("end")]},
        {"position": "before", "by-id": "a-1_smt.b", "parts": [part("before-b")]},
        {"position": "after", "by-id": "a-1_smt.a", "parts": [part("after-a")]},
        {"position": "starting", "by-id": "a-1_smt", "parts": [part("first-in-smt")]},
        {"position": "ending", "by-id": "a-1_smt", "parts": [part("last-in-smt")]},
        {"position": "after", "by-id": "a-1_prm_1", "params": [{"id": "a-1_prm_new", "label": "new"}]},
        {"title": "Policy (tailored)"}
    ]}))
    .unwrap();
    let a1 = c.find_control("a-1").unwrap();
    assert_eq!(a1.title, "Policy (tailored)");
    assert_eq!(a1.props[0].name, "priority");
    assert_eq!(part_ids(&a1.parts), ["a-1_smt", "a-1_gdn", "end"]);
    assert_eq!(part_ids(&a1.parts[0].parts), ["first-in-smt", "a-1_smt.a", "after-a", "before-b", "a-1_smt.b", "last-in-smt"]);
    assert_eq!(a1.params.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["a-1_prm_1", "a-1_prm_new", "a-1_prm_2"]);
}

#[test]
fn alter_remove_by_each_criterion() {
    let c = altered(json!({"removes": [{"by-id": "a-1_smt.a"}]})).unwrap();
    assert_eq!(part_ids(&c.find_control("a-1").unwrap().parts[0].parts), ["a-1_smt.b"]);
    let c = altered(json!({"removes": [{"by-name": "guidance"}]})).unwrap();
    assert_eq!(part_ids(&c.find_control("a-1").unwrap().parts), ["a-1_smt"]);
    let c = altered(json!({"removes": [{"by-class": "internal"}]})).unwrap();
    assert_eq!(c.find_control("a-1").unwrap().props.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["label"]);
    let c = altered(json!({"removes": [{"by-ns": "http://example.com/ns/extra"}]})).unwrap();
    assert_eq!(part_ids(&c.find_control("a-1").unwrap().parts), ["a-1_smt"]);
    let c = altered(json!({"removes": [{"by-item-name": "link"}]})).unwrap();
    assert!(c.find_control("a-1").unwrap().links.is_empty());
    let c = altered(json!({"removes": [{"by-item-name": "part", "by-name": "item"}]})).unwrap();
    assert!(c.find_control("a-1").unwrap().parts[0].parts.is_empty());
}

#[test]
fn alter_errors_name_profile_and_control() {
    let err = altered(json!({"removes": [{"by-id": "nope"}]})).unwrap_err().to_string();
    assert!(err.contains("p.json") && err.contains("\"a-1\"") && err.contains("by-id=\"nope\""), "{err}");
    let err = altered(json!({"adds": [{"position": "after", "by-id": "nope", "parts": [{"name": "x"}]}]})).unwrap_err().to_string();
    assert!(err.contains("\"nope\""), "{err}");
    let ws = Workspace::new();
    let err = ws.resolve("p.json", json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1"]}]}))],
        "modify": {"alters": [{"control-id": "b-1", "adds": [{"props": [{"name": "x", "value": "y"}]}]}]}})).unwrap_err().to_string();
    assert!(err.contains("\"b-1\"") && err.contains("not in the resolved catalog"), "{err}");
}

#[test]
fn import_of_a_profile_resolves_it_first() {
    let ws = Workspace::new();
    ws.write_profile("inner.json", json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1", "a-2", "b-1"]}]}))],
        "merge": {"as-is": true},
        "modify": {"set-parameters": [{"param-id": "a-1_prm_1", "values": ["monthly"]}]}}));
    let c = ws.ok(json!({"imports": [import("inner.json", json!({"include-controls": [{"with-ids": ["a-1", "b-1"]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["a-1", "b-1"]);
    assert_eq!(c.find_control("a-1").unwrap().params[0].values, ["monthly"]);
}

#[test]
fn import_through_back_matter_uuid_reference() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("#5d9c1a4e-3f2b-4e6a-8c7d-9b0a1f2e3d4c", json!({"include-controls": [{"with-ids": ["b-2"]}]}))],
        "back-matter": {"resources": [{"uuid": "5d9c1a4e-3f2b-4e6a-8c7d-9b0a1f2e3d4c",
            "rlinks": [{"href": "abc_catalog.xml", "media-type": "application/oscal.catalog+xml"},
                       {"href": "abc_catalog.json", "media-type": "application/oscal.catalog+json"}]}]}}));
    assert_eq!(ids(&c), ["b-2"]);
    // The profile's own resources are carried into the resolved back-matter too.
    assert!(c.back_matter.unwrap().resources.iter().any(|r| r.uuid == "5d9c1a4e-3f2b-4e6a-8c7d-9b0a1f2e3d4c"));
}

#[test]
fn import_of_a_built_in_catalog_by_name() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("nist-800-53-rev5", json!({"include-controls": [{"with-ids": ["ac-2", "ac-2.4"]}]}))], "merge": {"as-is": true}}));
    assert_eq!(ids(&c), ["ac-2", "ac-2.4"]);
}

#[test]
fn resolved_metadata_comes_from_the_profile() {
    let ws = Workspace::new();
    let c = ws.ok(json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))]}));
    assert_eq!(c.metadata.title, "Test profile p.json");
    assert_eq!(c.metadata.last_modified, "2024-03-03T00:00:00Z");
    assert!(c.metadata.links.iter().any(|l| l.rel.as_deref() == Some("source-profile") && l.href == "p.json"));
    assert_eq!(uuid::Uuid::parse_str(&c.uuid).unwrap().get_version_num(), 5);
}

#[test]
fn missing_import_is_a_clear_error() {
    let ws = Workspace::new();
    let err = ws.resolve("p.json", json!({"imports": [import("no_such_catalog.json", json!({"include-all": {}}))]})).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ResolveError::MissingImport { .. }));
    assert!(msg.contains("p.json") && msg.contains("no_such_catalog.json"), "{msg}");
    let err = ws.resolve("p.json", json!({"imports": [import("#00000000-0000-4000-8000-000000000000", json!({"include-all": {}}))]})).unwrap_err();
    assert!(err.to_string().contains("no back-matter resource"), "{err}");
    let err = ws.resolve("p.json", json!({"imports": [import("https://example.com/cat.json", json!({"include-all": {}}))]})).unwrap_err();
    assert!(err.to_string().contains("never fetched"), "{err}");
}

#[test]
fn id_not_in_catalog_names_profile_and_id() {
    let ws = Workspace::new();
    let err = ws.resolve("p.json", json!({"imports": [import("abc_catalog.json", json!({"include-controls": [{"with-ids": ["a-1", "zz-9"]}]}))]})).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ResolveError::ControlNotFound { .. }));
    assert!(msg.contains("p.json") && msg.contains("\"zz-9\"") && msg.contains("abc_catalog.json"), "{msg}");
}

#[test]
fn unknown_set_parameter_names_profile_and_id() {
    let ws = Workspace::new();
    let err = ws.resolve("p.json", json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))],
        "modify": {"set-parameters": [{"param-id": "zz_prm_1", "values": ["x"]}]}})).unwrap_err().to_string();
    assert!(err.contains("p.json") && err.contains("\"zz_prm_1\""), "{err}");
}

#[test]
fn circular_import_is_detected_and_names_the_chain() {
    let ws = Workspace::new();
    ws.write_profile("one.json", json!({"imports": [import("two.json", json!({"include-all": {}}))]}));
    ws.write_profile("two.json", json!({"imports": [import("one.json", json!({"include-all": {}}))]}));
    let err = resolve(&Origin::File(ws.dir.path().join("one.json")), &ResolveOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ResolveError::Circular { .. }), "{msg}");
    assert!(msg.contains("one.json -> ") && msg.contains("two.json -> ") && msg.ends_with("one.json"), "{msg}");
    // A profile importing itself.
    ws.write_profile("self.json", json!({"imports": [import("self.json", json!({"include-all": {}}))]}));
    assert!(matches!(resolve(&Origin::File(ws.dir.path().join("self.json")), &ResolveOptions::default()), Err(ResolveError::Circular { .. })));
}

#[test]
fn resolve_cli_writes_a_valid_catalog_and_fails_with_exit_2() {
    let ws = Workspace::new();
    let p = ws.write_profile("p.json", json!({"imports": [import("abc_catalog.json", json!({"include-all": {}}))]}));
    let out_file = ws.dir.path().join("out.json");
    let o = common::run(&["resolve", p.to_str().unwrap(), "-o", out_file.to_str().unwrap(), "--timestamp", "2024-01-01T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    // Schema only: the fixture catalogs' controls are skeletons without statement parts, which
    // NIST's constraints require (tests/constraints.rs exercises those).
    let v = common::run(&["validate", "--no-constraints", out_file.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}", common::stdout(&v));
    let missing = ws.write_profile("m.json", json!({"imports": [import("gone.json", json!({"include-all": {}}))]}));
    let o = common::run(&["resolve", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(common::stderr(&o).lines().count(), 1);
    assert!(common::stderr(&o).starts_with("error: profile "), "{}", common::stderr(&o));
}
