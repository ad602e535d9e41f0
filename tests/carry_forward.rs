//! `merge --carry-forward`: an assessor's MKE STIG V1R1 checklist carried into V2R1 results.
//! Uses DISA's V1R1 and V2R1 XCCDF from ../shared/reference (skipped loudly without it).

mod common;

use std::path::{Path, PathBuf};

use oscal_stig::checklist::carry::check_digest;
use oscal_stig::checklist::{ckl, cklb, Checklist, Vuln};
use oscal_stig::stig::RuleIndex;
use serde_json::Value;

/// The rules DISA re-revised between MKE V1R1 and V2R1 (a new `SV-...rNNN_rule` revision): new
/// CCIs for six of them, fix text edits for two; none changed its check text.
const REVISED: [&str; 7] = ["CNTR-MK-000030", "CNTR-MK-000110", "CNTR-MK-000130", "CNTR-MK-000170", "CNTR-MK-000940", "CNTR-MK-001180", "CNTR-MK-001380"];

fn run_ok(args: &[&str]) -> std::process::Output {
    let o = common::run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", common::stderr(&o));
    o
}

/// The STIG profile of DISA's MKE V1R1 XCCDF.
fn v1_profile(reference: &Path, dir: &Path) -> PathBuf {
    let xccdf = reference.join("stig/mke/U_Mirantis_Kubernetes_Engine_STIG_V1R1_Manual-xccdf.xml");
    let out = dir.join("mke-v1r1.json");
    run_ok(&["profile", "from-xccdf", xccdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    out
}

/// A V1R1 checklist as the tool wrote it from the bundled example's results (V- ids are the same
/// in both releases) and the V2R1 results themselves.
fn v1_checklist(dir: &Path, v1: &Path) -> (PathBuf, Checklist) {
    let ar = common::example_results(dir);
    let out = dir.join("tool-v1r1.ckl");
    run_ok(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "--stig", v1.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    (ar, Checklist::read(&out).unwrap())
}

fn set(v: &mut Vuln, key: &str, value: &str) {
    v.data.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.to_string();
}

#[test]
fn no_check_text_changed_between_mke_v1r1_and_v2r1_though_seven_rules_were_revised() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let v1 = RuleIndex::load(v1_profile(&reference, dir.path()).to_str().unwrap()).unwrap();
    let v2 = RuleIndex::load("mke").unwrap();
    assert_eq!((v1.stig.version.as_str(), v2.stig.version.as_str()), ("V1R1", "V2R1"));
    let mut changed_check = Vec::new();
    let mut revised = Vec::new();
    for old in v1.rules() {
        let new = v2.get(&old.stig_id).unwrap_or_else(|| panic!("{} is not in V2R1", old.stig_id));
        assert_eq!(new.vuln_id, old.vuln_id);
        if check_digest(old.check.as_deref().unwrap()) != check_digest(new.check.as_deref().unwrap()) {
            changed_check.push(old.stig_id.clone());
        }
        if old.rule_id != new.rule_id {
            revised.push(old.stig_id.clone());
        }
    }
    assert_eq!(v1.len(), v2.len());
    revised.sort();
    assert_eq!(revised, REVISED, "rules with a new revision");
    assert!(changed_check.is_empty(), "check text changed: {changed_check:?}");
}

#[test]
fn an_assessors_v1r1_checklist_carries_into_v2r1_results() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let v1 = v1_profile(&reference, dir.path());
    let (ar, mut c) = v1_checklist(dir.path(), &v1);
    assert_eq!(c.stigs[0].info("releaseinfo"), Some("Release: 1 Benchmark Date: 08 May 2024"));

    // The assessor's V1R1 work. Every rule the tool could not decide gets a verdict and a
    // comment, but for these:
    // - V-260903: DISA (here, the test) changed the check text: re-review, not carried;
    // - V-260912: check text only re-wrapped: still carried;
    // - V-260917: a comment, no verdict: the comment is carried;
    // - V-260904: untouched (the tool's own lines only): nothing to carry.
    // And V-260907, which the tool decides (Open), the assessor had marked NotAFinding.
    let manual_rules: Vec<String> = c.stigs[0].vulns.iter().filter(|v| v.status == "Not_Reviewed").map(|v| v.vuln_num().to_string()).collect();
    assert_eq!(manual_rules.len(), 18, "{manual_rules:?}");
    for v in &mut c.stigs[0].vulns {
        let vn = v.vuln_num().to_string();
        let tool_comments = v.comments.clone();
        match vn.as_str() {
            "V-260904" => continue,
            "V-260903" => {
                let text = v.attr("Check_Content").unwrap().to_string();
                set(v, "Check_Content", &format!("{text}\n\nIf session timeouts are not also enforced for the MKE API, this is a finding."));
            }
            "V-260912" => {
                let text = v.attr("Check_Content").unwrap().split_whitespace().collect::<Vec<_>>().join("\n   ");
                set(v, "Check_Content", &text);
            }
            _ => {}
        }
        match vn.as_str() {
            "V-260917" => v.comments = format!("Accounts to be reviewed with the ISSO ({vn}).\n{tool_comments}"),
            "V-260907" => {
                v.status = "NotAFinding".into();
                v.comments = "Ports approved in V1R1 review".into();
            }
            "V-260909" => {
                v.status = "Open".into();
                v.finding_details = "No SAML or LDAP identity provider is configured.".into();
                v.comments = format!("V1R1 review by J. Assessor ({vn})\n{tool_comments}");
            }
            "V-260946" => {
                v.status = "Not_Applicable".into();
                v.comments = format!("V1R1 review by J. Assessor ({vn}): no web UI exposed");
            }
            _ if manual_rules.contains(&vn) => {
                v.status = "NotAFinding".into();
                v.finding_details = format!("Examined on the managers ({vn}).");
                v.comments = format!("V1R1 review by J. Assessor ({vn})");
            }
            _ => {}
        }
    }
    // A rule V2R1 does not have.
    let mut gone = c.stigs[0].vulns[0].clone();
    set(&mut gone, "Vuln_Num", "V-999999");
    set(&mut gone, "Rule_Ver", "CNTR-MK-999999");
    gone.status = "NotAFinding".into();
    c.stigs[0].vulns.push(gone);
    let manual = dir.path().join("assessor-v1r1.ckl");
    std::fs::write(&manual, ckl::write(&c, "DISA STIG Viewer :: 2.17")).unwrap();

    let merged = dir.path().join("merged.json");
    let o = run_ok(&["merge", ar.to_str().unwrap(), manual.to_str().unwrap(), "--carry-forward", "-o", merged.to_str().unwrap()]);
    let err = common::stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "CNTR-MK-000940 V-260903: check text changed: re-review",
            "CNTR-MK-999999 V-999999: not in the new release (V2R1)",
            "carry-forward V1R1 -> V2R1: 16 carried forward, 1 to re-review, 1 not in the new release; 26 not carried: the new results decide those rules",
        ],
        "{err}"
    );

    // The same checklist as STIG Viewer 3 writes it carries the same way.
    let manual_cklb = dir.path().join("assessor-v1r1.cklb");
    std::fs::write(&manual_cklb, serde_json::to_string(&cklb::to_value(&c, "assessor-v1r1", "0b9c1f52-4d0e-4a39-9d3e-2f6f7d0c1a11")).unwrap()).unwrap();
    let o = run_ok(&["merge", ar.to_str().unwrap(), manual_cklb.to_str().unwrap(), "--carry-forward", "-o", dir.path().join("merged-cklb.json").to_str().unwrap()]);
    assert_eq!(common::stderr(&o), err);

    let v: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let result = &v["assessment-results"]["results"][0];
    let finding = |rule: &str| result["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap().clone();
    let prop = |rule: &str, name: &str| finding(rule)["props"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap().to_string());

    // Carried: verdict, decided by the assessor, with where it came from.
    for (rule, status) in [("V-260906", "NotAFinding"), ("V-260909", "Open"), ("V-260912", "NotAFinding"), ("V-260946", "Not_Applicable")] {
        assert_eq!(prop(rule, "stig-status").as_deref(), Some(status), "{rule}");
        assert_eq!(prop(rule, "decided-by").as_deref(), Some("assessor"), "{rule}");
        assert_eq!(prop(rule, "carry-forward").as_deref(), Some("carried"), "{rule}");
        assert_eq!(prop(rule, "previous-release").as_deref(), Some("V1R1"), "{rule}");
        let remarks = finding(rule)["remarks"].as_str().unwrap().to_string();
        assert!(remarks.contains("carried forward from the V1R1 checklist") && remarks.contains("check text is unchanged in V2R1"), "{rule}: {remarks}");
    }
    assert_eq!(prop("V-260917", "stig-status").as_deref(), Some("Not_Reviewed"));
    assert_eq!(prop("V-260917", "carry-forward").as_deref(), Some("carried"));
    // Changed check text: not carried, marked for re-review.
    assert_eq!(prop("V-260903", "stig-status").as_deref(), Some("Not_Reviewed"));
    assert_eq!(prop("V-260903", "decided-by").as_deref(), Some("tool"));
    assert_eq!(prop("V-260903", "carry-forward").as_deref(), Some("re-review"));
    assert_eq!(prop("V-260903", "previous-stig-status").as_deref(), Some("NotAFinding"));
    // Untouched, and decided by the tool: as the new results have them.
    assert_eq!(prop("V-260904", "carry-forward"), None);
    assert_eq!(prop("V-260907", "stig-status").as_deref(), Some("Open"));
    assert_eq!(prop("V-260907", "decided-by").as_deref(), Some("tool"));
    assert_eq!(prop("V-260907", "carry-forward"), None);
    // Every automated verdict stands.
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&ar).unwrap()).unwrap();
    for f in before["assessment-results"]["results"][0]["findings"].as_array().unwrap() {
        let rule = common::finding_rule(f);
        let verdict = f["props"].as_array().unwrap().iter().find(|p| p["name"] == "verdict").unwrap()["value"].as_str().unwrap();
        if verdict != "not-reviewed" {
            assert_eq!(prop(rule, "verdict").as_deref(), Some(verdict), "{rule}");
        }
    }

    // The checklist written from the merged results shows the carried verdicts and comments,
    // and what to re-review.
    let out = dir.path().join("v2r1.ckl");
    run_ok(&["checklist", "ckl", "--results", merged.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let fin = Checklist::read(&out).unwrap();
    assert_eq!(fin.stigs[0].info("releaseinfo"), Some("Release: 1 Benchmark Date: 24 Jul 2024"));
    let get = |rule: &str| fin.stigs[0].vulns.iter().find(|v| v.vuln_num() == rule).unwrap().clone();
    assert_eq!(get("V-260906").status, "NotAFinding");
    assert!(get("V-260906").comments.contains("V1R1 review by J. Assessor (V-260906)"));
    assert!(get("V-260906").comments.contains("Carried forward by oscal-stig") && get("V-260906").comments.contains("unchanged in V2R1"));
    assert!(get("V-260906").finding_details.contains("Examined on the managers"));
    assert_eq!(get("V-260909").status, "Open");
    assert_eq!(get("V-260909").comments.matches("Decided by:").count(), 1, "the V1R1 run's own lines are not carried: {}", get("V-260909").comments);
    assert_eq!(get("V-260946").status, "Not_Applicable");
    assert!(get("V-260917").comments.contains("Accounts to be reviewed with the ISSO"));
    assert_eq!(get("V-260903").status, "Not_Reviewed");
    assert!(get("V-260903").finding_details.contains("Re-review: the check text changed between V1R1 and V2R1"), "{}", get("V-260903").finding_details);
    assert!(!get("V-260903").comments.contains("J. Assessor"));
    assert_eq!(get("V-260907").status, "Open");
}

#[test]
fn carry_forward_refuses_a_checklist_of_another_stig_and_results_of_another_release() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let v1 = v1_profile(&reference, dir.path());
    let (ar, mut c) = v1_checklist(dir.path(), &v1);
    let good = dir.path().join("v1r1.ckl");
    std::fs::write(&good, ckl::write(&c, "DISA STIG Viewer :: 2.17")).unwrap();
    for v in &mut c.stigs[0].vulns {
        let id = format!("XX-{}", v.attr("Rule_Ver").unwrap());
        set(v, "Rule_Ver", &id);
    }
    let other = dir.path().join("other.ckl");
    std::fs::write(&other, ckl::write(&c, "DISA STIG Viewer :: 2.17")).unwrap();
    let (ar, good, other) = (ar.to_str().unwrap(), good.to_str().unwrap(), other.to_str().unwrap());

    for (args, expect) in [
        (vec!["merge", ar, other, "--carry-forward"], "shares no STIG id with"),
        (vec!["merge", ar, good, "--carry-forward", "--stig", "kubernetes"], "the results are for V2R1 but the STIG given is"),
    ] {
        let o = common::run(&args);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expect), "expected {expect:?} in {err}");
        assert!(o.stdout.is_empty());
    }
    // --stig belongs to --carry-forward.
    assert_eq!(common::run(&["merge", ar, good, "--stig", "mke"]).status.code(), Some(2));
}
