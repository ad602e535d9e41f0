//! CKL and CKLB: written for the MKE STIG from an assessment (structure compared with real
//! STIG Viewer files, CKL validated against DISA's schema), every reference checklist imported
//! and round-tripped, malformed checklists refused, and an assessor's checklist merged.

mod common;

use std::path::Path;

use oscal_stig::checklist::Checklist;
use serde_json::Value;


fn run_ok(args: &[&str]) -> std::process::Output {
    let o = common::run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", common::stderr(&o));
    o
}

fn verdicts(ar: &Path) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(ar).unwrap()).unwrap();
    v["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let status = f["props"].as_array().unwrap().iter().find(|p| p["name"] == "stig-status").unwrap()["value"].as_str().unwrap().to_string();
            (common::finding_rule(f).to_string(), status)
        })
        .collect()
}

/// Element names of an XML element's children, in order.
fn child_names(xml: &oscal_stig::xml::Element) -> Vec<String> {
    xml.elements().map(|e| e.name.clone()).collect()
}

fn xmllint_validates(file: &Path, reference: &Path) {
    let xsd = reference.join("examples/ckl/schema/U_Checklist_Schema_V2.xsd");
    match std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(file).output() {
        Ok(o) => assert!(o.status.success(), "DISA's CKL schema rejects {}: {}", file.display(), String::from_utf8_lossy(&o.stderr)),
        Err(_) if std::env::var_os("CI").is_some() => panic!("xmllint is required in CI (libxml2-utils)"),
        Err(_) => eprintln!("*** SKIPPED schema check: xmllint not installed ***"),
    }
}

#[test]
fn mke_ckl_has_all_44_rules_matches_stig_viewer_structure_and_validates() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let ckl = dir.path().join("mke.ckl");
    run_ok(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "--host-name", "mke-manager-1", "--host-ip", "10.0.0.5", "-o", ckl.to_str().unwrap()]);
    xmllint_validates(&ckl, &reference);

    let text = std::fs::read_to_string(&ckl).unwrap();
    let c = Checklist::parse("mke.ckl", text.as_bytes()).unwrap();
    assert_eq!(c.stigs.len(), 1);
    let vulns = &c.stigs[0].vulns;
    assert_eq!(vulns.len(), 44);
    assert_eq!(c.asset("HOST_NAME"), Some("mke-manager-1"));
    // Statuses are the assessment's; rules it does not cover are Not_Reviewed.
    let by_rule: std::collections::HashMap<String, String> = verdicts(&ar).into_iter().collect();
    for v in vulns {
        let expected = by_rule.get(v.vuln_num()).map(String::as_str).unwrap_or("Not_Reviewed");
        assert_eq!(v.status, expected, "{}", v.vuln_num());
    }
    assert_eq!(by_rule.len(), 44, "every rule of the STIG is in the results");
    let hostnet = vulns.iter().find(|v| v.vuln_num() == "V-260913").unwrap();
    assert_eq!(hostnet.status, "Open");
    assert!(hostnet.finding_details.contains("container `stig-hostnet`") && hostnet.finding_details.contains("HostConfig.NetworkMode = host"), "{}", hostnet.finding_details);
    assert!(hostnet.comments.contains("oscal-stig") && hostnet.comments.contains("evidence"), "{}", hostnet.comments);
    let manual = vulns.iter().find(|v| v.vuln_num() == "V-260906").unwrap();
    assert_eq!(manual.status, "Not_Reviewed");
    assert!(manual.comments.contains("Not assessed by oscal-stig") && manual.comments.contains("review the rule manually"), "{}", manual.comments);
    assert_eq!(manual.attr("Rule_ID"), Some("SV-260906r986161_rule"));
    assert_eq!(manual.attr("TargetKey"), Some("5595"));
    assert_eq!(manual.attrs("CCI_REF").count(), 7);

    // Structure against a real STIG Viewer 2.17 checklist: the same elements, in the same order.
    let ours = oscal_stig::xml::parse(&text).unwrap();
    let real_text = std::fs::read_to_string(reference.join("examples/ckl/heimdall2/small_ckl_overrides.ckl")).unwrap();
    let real = oscal_stig::xml::parse(&real_text).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--"));
    assert_eq!(child_names(&ours), child_names(&real));
    let real_asset: Vec<String> = child_names(real.child("ASSET").unwrap()).into_iter().filter(|n| n != "MARKING").collect();
    assert_eq!(child_names(ours.child("ASSET").unwrap()), real_asset);
    let sid_names = |root: &oscal_stig::xml::Element| -> Vec<String> {
        root.find("STIG_INFO").unwrap().children_named("SI_DATA").map(|d| d.child_text("SID_NAME").unwrap()).collect()
    };
    assert_eq!(sid_names(&ours), sid_names(&real));
    let vuln_shape = |v: &oscal_stig::xml::Element| -> Vec<String> {
        v.elements().map(|e| if e.name == "STIG_DATA" { e.child_text("VULN_ATTRIBUTE").unwrap() } else { e.name.clone() }).collect()
    };
    // A rule with one CCI in both: identical attribute sequence.
    let real_vuln = real.find("VULN").unwrap();
    let our_vuln = ours.find("iSTIG").unwrap().children_named("VULN").find(|v| v.find("STIG_DATA").is_some() && vuln_shape(v).iter().filter(|n| *n == "CCI_REF").count() == 1).unwrap();
    assert_eq!(vuln_shape(our_vuln), vuln_shape(real_vuln));
}

#[test]
fn mke_cklb_matches_stig_viewer_3_keys() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let out = dir.path().join("mke.cklb");
    run_ok(&["checklist", "cklb", "--results", ar.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let ours: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let real: Value = serde_json::from_str(&std::fs::read_to_string(reference.join("examples/cklb/iosecurityio/Test_ASD_Checklist.cklb")).unwrap()).unwrap();
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&ours), keys(&real));
    assert_eq!(keys(&ours["target_data"]), keys(&real["target_data"]));
    assert_eq!(keys(&ours["stigs"][0]), keys(&real["stigs"][0]));
    assert_eq!(keys(&ours["stigs"][0]["rules"][0]), keys(&real["stigs"][0]["rules"][0]));
    assert_eq!(keys(&ours["stigs"][0]["rules"][0]["check_content_ref"]), keys(&real["stigs"][0]["rules"][0]["check_content_ref"]));
    let rules = ours["stigs"][0]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 44);
    assert_eq!(ours["stigs"][0]["size"], 44);
    let by_rule: std::collections::HashMap<String, String> = verdicts(&ar).into_iter().collect();
    for r in rules {
        let ckl = by_rule.get(r["group_id"].as_str().unwrap()).map(String::as_str).unwrap_or("Not_Reviewed");
        assert_eq!(r["status"], oscal_stig::checklist::cklb::status_to_cklb(ckl));
    }
    // Reading it back gives the same checklist as the CKL route.
    let back = Checklist::read(&out).unwrap();
    assert_eq!(back.stigs[0].vulns.len(), 44);
}

#[test]
fn every_reference_checklist_imports_and_round_trips() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let files = common::files_with_ext(&reference.join("examples"), &[".ckl", ".cklb"]);
    assert_eq!(files.len(), 8);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let ar = dir.path().join(format!("{name}.json"));
        run_ok(&["checklist", "import", f.to_str().unwrap(), "--timestamp", "2024-01-01T00:00:00Z", "-o", ar.to_str().unwrap()]);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&ar).unwrap()).unwrap();
        let (_, errors) = common::validate_with_constraints(&v).unwrap();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let original = Checklist::read(&f).unwrap();
        let n: usize = original.stigs.iter().map(|s| s.vulns.len()).sum();
        assert_eq!(v["assessment-results"]["results"][0]["findings"].as_array().unwrap().len(), n, "{name}");
        // Statuses are in the OSCAL findings.
        let open = original.stigs.iter().flat_map(|s| &s.vulns).filter(|v| v.status == "Open").count();
        assert_eq!(v["assessment-results"]["results"][0]["risks"].as_array().map_or(0, Vec::len), open, "{name}: one risk per Open");

        let back = dir.path().join(format!("back-{name}"));
        let sub = if name.ends_with(".cklb") { "cklb" } else { "ckl" };
        run_ok(&["checklist", sub, "--results", ar.to_str().unwrap(), "-o", back.to_str().unwrap()]);
        if sub == "cklb" {
            let a: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            let b: Value = serde_json::from_slice(&std::fs::read(&back).unwrap()).unwrap();
            assert_eq!(a, b, "{name}: CKLB round trip lost data");
        } else {
            assert_eq!(Checklist::read(&back).unwrap(), original, "{name}: CKL round trip lost data");
        }
    }
}

#[test]
fn ckl_written_by_stig_viewer_round_trips_byte_for_byte_after_the_header() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    for rel in ["examples/ckl/heimdall2/small_ckl_overrides.ckl", "examples/ckl/iosecurityio/Test_ASD_Checklist.ckl"] {
        let f = reference.join(rel);
        let ar = dir.path().join("ar.json");
        run_ok(&["checklist", "import", f.to_str().unwrap(), "-o", ar.to_str().unwrap()]);
        let back = dir.path().join("back.ckl");
        run_ok(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "-o", back.to_str().unwrap()]);
        let body = |p: &Path| std::fs::read_to_string(p).unwrap().split_once("-->").unwrap().1.trim_start_matches(' ').to_string();
        assert_eq!(body(&back), body(&f), "{rel}");
    }
}

#[test]
fn ckl_and_cklb_of_the_same_checklist_agree() {
    let Some(reference) = common::reference_dir() else { return };
    let ckl = Checklist::read(&reference.join("examples/ckl/iosecurityio/Test_ASD_Checklist.ckl")).unwrap();
    let cklb = Checklist::read(&reference.join("examples/cklb/iosecurityio/Test_ASD_Checklist.cklb")).unwrap();
    assert_eq!(ckl.stigs[0].vulns.len(), cklb.stigs[0].vulns.len());
    for (a, b) in ckl.stigs[0].vulns.iter().zip(&cklb.stigs[0].vulns) {
        assert_eq!(a.vuln_num(), b.vuln_num());
        assert_eq!(a.status, b.status);
        for k in ["Rule_ID", "Rule_Ver", "Severity", "Group_Title", "Rule_Title"] {
            assert_eq!(a.attr(k), b.attr(k), "{} {k}", a.vuln_num());
        }
        assert_eq!(a.attrs("CCI_REF").collect::<Vec<_>>(), b.attrs("CCI_REF").collect::<Vec<_>>());
    }
}

#[test]
fn malformed_checklists_give_one_clear_error() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(reference.join("examples/ckl/heimdall2/small_ckl_overrides.ckl")).unwrap();
    let first_vuln = &real[real.find("<VULN>").unwrap()..real.find("</VULN>").unwrap() + 7];
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated.ckl", real[..real.len() / 2].to_string(), "truncated?"),
        ("wrong-root.ckl", "<?xml version=\"1.0\"?><Benchmark/>".into(), "root element <Benchmark>, expected <CHECKLIST>"),
        ("duplicate.ckl", real.replacen(first_vuln, &format!("{first_vuln}{first_vuln}"), 1), "duplicate VULN V-257777"),
        (
            "unknown-stig.ckl",
            real.replace("<SID_DATA>RHEL_9_STIG</SID_DATA>", "<SID_DATA></SID_DATA>")
                .replace("<SID_DATA>Red Hat Enterprise Linux 9 Security Technical Implementation Guide</SID_DATA>", "<SID_DATA></SID_DATA>"),
            "unknown STIG",
        ),
        ("bad-status.ckl", real.replacen("<STATUS>Not_Applicable</STATUS>", "<STATUS>Maybe</STATUS>", 1), "STATUS \"Maybe\""),
        ("no-stigs.cklb", r#"{"title": "x"}"#.into(), "no \"stigs\" array"),
        ("truncated.cklb", r#"{"stigs": [{"rules": [{"group_id": "V-1""#.into(), "not valid CKLB JSON"),
    ];
    for (name, content, expect) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, content).unwrap();
        let o = common::run(&["checklist", "import", f.to_str().unwrap(), "-o", dir.path().join("x.json").to_str().unwrap()]);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(expect), "{name}: expected {expect:?} in {err}");
    }
}

#[test]
fn an_assessors_checklist_completes_and_overrides_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    // The assessor starts from the tool's checklist, as they would in STIG Viewer.
    let tool_ckl = dir.path().join("tool.ckl");
    run_ok(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "-o", tool_ckl.to_str().unwrap()]);
    let mut c = Checklist::read(&tool_ckl).unwrap();
    for v in &mut c.stigs[0].vulns {
        match v.vuln_num() {
            "V-260906" => {
                v.status = "NotAFinding".into();
                v.finding_details = "docker.sock is root:docker 660 on all 5 nodes; docker group holds svc-mke only.".into();
                v.comments = "Checked by J. Assessor on the nodes".into();
            }
            "V-260913" => {
                v.status = "Not_Applicable".into();
                v.comments = "Host networking documented in SSP section 4.2".into();
            }
            "V-260903" => v.comments = "Session limits to be checked in the UI next week".into(),
            _ => v.comments.clear(),
        }
        if !matches!(v.vuln_num(), "V-260906" | "V-260913") {
            v.status = "Not_Reviewed".into();
            v.finding_details.clear();
        }
    }
    let manual = dir.path().join("manual.ckl");
    std::fs::write(&manual, oscal_stig::checklist::ckl::write(&c, "DISA STIG Viewer :: 2.17")).unwrap();
    let merged = dir.path().join("merged.json");
    run_ok(&["merge", ar.to_str().unwrap(), manual.to_str().unwrap(), "-o", merged.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let result = &v["assessment-results"]["results"][0];
    let finding = |rule: &str| result["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap().clone();
    let prop = |f: &Value, name: &str| f["props"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap().to_string());

    let f906 = finding("V-260906");
    assert_eq!(prop(&f906, "stig-status").as_deref(), Some("NotAFinding"));
    assert_eq!(prop(&f906, "decided-by").as_deref(), Some("assessor"));
    let f913 = finding("V-260913");
    assert_eq!(prop(&f913, "stig-status").as_deref(), Some("Not_Applicable"));
    assert_eq!(prop(&f913, "tool-stig-status").as_deref(), Some("Open"), "the tool's verdict is kept");
    let titles: Vec<String> = f913["related-observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| result["observations"].as_array().unwrap().iter().find(|o| o["uuid"] == r["observation-uuid"]).unwrap()["title"].as_str().unwrap().to_string())
        .collect();
    assert!(titles.contains(&"V-260913 failed".to_string()) && titles.contains(&"V-260913 assessor".to_string()), "tool and assessor observations both kept: {titles:?}");
    let f907 = finding("V-260907");
    assert_eq!(prop(&f907, "decided-by").as_deref(), Some("tool"));
    let risk = result["risks"].as_array().unwrap().iter().find(|r| r["title"].as_str().unwrap().starts_with("V-260913")).unwrap();
    assert_eq!(risk["status"], "closed");
    assert!(v["assessment-results"]["back-matter"]["resources"].as_array().unwrap().iter().any(|r| r["title"] == "Assessor checklist (merged)"));

    // And the checklist of the merged results shows the assessor's verdicts and words.
    let out = dir.path().join("final.ckl");
    run_ok(&["checklist", "ckl", "--results", merged.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let fin = Checklist::read(&out).unwrap();
    let get = |rule: &str| fin.stigs[0].vulns.iter().find(|v| v.vuln_num() == rule).unwrap().clone();
    assert_eq!(get("V-260906").status, "NotAFinding");
    assert!(get("V-260906").finding_details.contains("root:docker 660"));
    assert!(get("V-260906").comments.contains("Checked by J. Assessor") && get("V-260906").comments.contains("Decided by: assessor"));
    assert_eq!(get("V-260913").status, "Not_Applicable");
    assert!(get("V-260903").comments.contains("next week"));
    assert_eq!(get("V-260910").status, "Open", "untouched tool verdicts stay");
}

/// A checklist whose rule title has a line break (as some DISA titles do) imports with
/// single-line titles (OSCAL titles are markup-line), and a checklist written back from the
/// import takes the asset fields given on the command line (STIG Manager needs a host name).
#[test]
fn imported_checklist_titles_are_single_line_and_target_flags_apply() {
    let dir = tempfile::tempdir().unwrap();
    let golden = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/checklist.ckl")).unwrap();
    let tag = "<VULN_ATTRIBUTE>Rule_Title</VULN_ATTRIBUTE>";
    let at = golden.find(tag).unwrap();
    let data = at + golden[at..].find("<ATTRIBUTE_DATA>").unwrap() + "<ATTRIBUTE_DATA>".len();
    let space = data + golden[data..].find(' ').unwrap();
    let broken = format!("{}\n{}", &golden[..space], &golden[space + 1..]).replace("<HOST_NAME>vm</HOST_NAME>", "<HOST_NAME></HOST_NAME>");
    let ckl = dir.path().join("assessor.ckl");
    std::fs::write(&ckl, broken).unwrap();
    let ar = dir.path().join("imported.json");
    run_ok(&["checklist", "import", ckl.to_str().unwrap(), "-o", ar.to_str().unwrap()]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ar).unwrap()).unwrap();
    let text = serde_json::to_string(&doc["assessment-results"]["results"][0]["findings"]).unwrap();
    let first = &doc["assessment-results"]["results"][0]["findings"][0];
    assert!(!first["title"].as_str().unwrap().contains('\n') && !first["target"]["title"].as_str().unwrap().contains('\n'), "{first}");
    assert!(!text.contains("\"title\":\"V-260903: The\\n"), "no multi-line title");

    let out = dir.path().join("back.ckl");
    run_ok(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "--host-name", "mke-mgr-1", "--host-ip", "10.0.0.5", "-o", out.to_str().unwrap()]);
    let back = std::fs::read_to_string(&out).unwrap();
    assert!(back.contains("<HOST_NAME>mke-mgr-1</HOST_NAME>") && back.contains("<HOST_IP>10.0.0.5</HOST_IP>"), "target flags apply to imported results");
    if let Some(reference) = common::reference_dir() {
        xmllint_validates(&out, &reference);
    }
    let cklb = dir.path().join("back.cklb");
    run_ok(&["checklist", "cklb", "--results", ar.to_str().unwrap(), "--host-name", "mke-mgr-1", "-o", cklb.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&cklb).unwrap()).unwrap();
    assert_eq!(v["target_data"]["host_name"], "mke-mgr-1");
}
