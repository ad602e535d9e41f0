//! Component definition, POA&M and report from an assessment: valid OSCAL, complete, and the
//! HTML report rendered by headless Chromium with no console errors.

mod common;

use std::path::Path;

use oscal_stig::stig::RuleIndex;
use serde_json::Value;


fn write_and_load(args: &[&str], out: &Path) -> Value {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["-o", out.to_str().unwrap()]);
    let o = common::run(&a);
    assert_eq!(o.status.code(), Some(0), "{a:?}: {}", common::stderr(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{a:?}: {errors:?}");
    v
}

fn props(v: &Value, name: &str) -> Vec<String> {
    v["props"].as_array().into_iter().flatten().filter(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap().to_string()).collect()
}

fn findings(ar: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(ar).unwrap()).unwrap();
    v["assessment-results"]["results"][0]["findings"].as_array().unwrap().clone()
}

#[test]
fn component_definition_places_every_rule_under_each_of_its_controls() {
    let dir = tempfile::tempdir().unwrap();
    let cd = write_and_load(&["component-definition", "--stig", "mke"], &dir.path().join("cd.json"));
    let comp = &cd["component-definition"]["components"][0];
    assert_eq!(comp["type"], "software");
    assert_eq!(comp["title"], "Mirantis Kubernetes Engine");
    let set = &comp["control-implementations"][0];
    assert_eq!(set["source"], "mke_stig_v2r1_rev5_profile.json");
    let reqs = set["implemented-requirements"].as_array().unwrap();
    let index = RuleIndex::load("mke").unwrap();
    let mut expected: Vec<(String, String)> = index.rules().iter().flat_map(|r| r.controls.iter().map(move |c| (c.clone(), r.vuln_id.clone()))).collect();
    let mut got: Vec<(String, String)> = reqs
        .iter()
        .flat_map(|q| props(q, "vuln-id").into_iter().map(move |v| (q["control-id"].as_str().unwrap().to_string(), v)))
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let ac3 = reqs.iter().find(|q| q["control-id"] == "ac-3").unwrap();
    let d = ac3["description"].as_str().unwrap();
    assert!(d.starts_with("Mirantis Kubernetes Engine implements AC-3 through"), "{d}");
    assert!(d.contains("V-260906 (CAT I): Least privilege access") && d.contains("How: "), "{d}");
    assert!(props(ac3, "implementation-status").is_empty(), "no results, no status claimed");
}

#[test]
fn component_definition_status_follows_the_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let cd = write_and_load(&["component-definition", "--results", ar.to_str().unwrap()], &dir.path().join("cd.json"));
    let verdict: std::collections::HashMap<String, String> = findings(&ar)
        .iter()
        .map(|f| (common::finding_rule(f).to_string(), props(f, "verdict")[0].clone()))
        .collect();
    let reqs = cd["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"].as_array().unwrap().clone();
    let mut checked = 0;
    for q in &reqs {
        let ids = props(q, "vuln-id");
        let vs: Vec<&String> = ids.iter().filter_map(|v| verdict.get(v)).filter(|v| *v != "not-reviewed").collect();
        let status = props(q, "implementation-status");
        // NIST allows only `marking` as an OSCAL-namespace prop of an implemented-requirement.
        for p in q["props"].as_array().unwrap() {
            assert!(p["ns"].is_string() || p["name"] == "marking", "{} has an OSCAL-namespace prop {}", q["control-id"], p["name"]);
        }
        if vs.is_empty() {
            assert!(status.is_empty(), "{}", q["control-id"]);
            continue;
        }
        checked += 1;
        let want = if vs.iter().all(|v| *v == "not-applicable") {
            "not-applicable"
        } else if vs.iter().all(|v| *v == "pass" || *v == "not-applicable") {
            "implemented"
        } else if vs.iter().any(|v| *v == "pass") {
            "partial"
        } else {
            "planned"
        };
        assert_eq!(status, [want], "{}", q["control-id"]);
    }
    assert!(checked > 10);
}

#[test]
fn poam_has_one_item_per_open_finding_scheduled_by_severity() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let poam = write_and_load(&["poam", "--results", ar.to_str().unwrap(), "--cat1-days", "15"], &dir.path().join("poam.json"));
    let open: Vec<Value> = findings(&ar).into_iter().filter(|f| props(f, "stig-status") == ["Open"]).collect();
    let items = poam["plan-of-action-and-milestones"]["poam-items"].as_array().unwrap();
    assert_eq!(items.len(), open.len());
    assert!(open.len() > 5);
    let ar_v: Value = serde_json::from_str(&std::fs::read_to_string(&ar).unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(ar_v["assessment-results"]["results"][0]["end"].as_str().unwrap()).unwrap();
    for item in items {
        let cat = props(item, "category")[0].clone();
        let due = chrono::DateTime::parse_from_rfc3339(&props(item, "scheduled-completion-date")[0]).unwrap();
        let days = (due - end).num_days();
        assert_eq!(days, if cat == "CAT I" { 15 } else if cat == "CAT II" { 90 } else { 180 }, "{cat}");
        assert_eq!(item["related-risks"].as_array().unwrap().len(), 1);
        assert!(!item["related-observations"].as_array().unwrap().is_empty());
    }
    let risks = poam["plan-of-action-and-milestones"]["risks"].as_array().unwrap();
    assert!(risks.iter().all(|r| r["deadline"].is_string()));
}

fn report(dir: &Path, format: &str) -> String {
    let ar = common::example_results(dir);
    let out = dir.join(format!("report.{format}"));
    let o = common::run(&["report", "--results", ar.to_str().unwrap(), "--format", format, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn markdown_report_has_summary_rules_and_failures_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), "md");
    let ar = common::example_results(&dir.path().join("again"));
    let count = |v: &str| findings(&ar).iter().filter(|f| props(f, "verdict") == [v]).count();
    let all = format!("| All | {} | {} | {} | {} | 44 |", count("pass"), count("fail"), count("not-applicable"), count("not-reviewed"));
    assert!(md.contains("## Summary") && md.contains(&all), "{all} not in {md}");
    assert!(md.contains("### V-260913 (CAT II): MKE host network namespace must not be shared."));
    assert!(md.contains("container `stig-hostnet`") && md.contains("HostConfig.NetworkMode = host"));
    assert!(md.contains("`GET /containers/{id}/json`: evidence/docker/inspect.jsonl (sha256 "));
    assert!(md.contains("Fix (DISA): "));
}

/// Headless Chromium, as the probe runs it on these machines (no network, fresh profile).
fn chromium(args: &[&str]) -> Option<std::process::Output> {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("chromium");
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=1"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args);
    match cmd.output() {
        Ok(o) => Some(o),
        Err(_) if std::env::var_os("CI").is_some() => panic!("chromium is required in CI"),
        Err(_) => {
            eprintln!("\n*** SKIPPED: chromium not installed ***\n");
            None
        }
    }
}

fn console_messages(o: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect()
}

#[test]
fn html_report_renders_in_headless_chromium_without_console_errors() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path(), "html");
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<link"), "the HTML must be self-contained");
    let file = dir.path().join("report.html");
    let url = format!("file://{}", file.display());

    // The detector itself: a page with a script error is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, "<html><body><script>notDefined();</script></body></html>").unwrap();
    let Some(o) = chromium(&["--dump-dom", &format!("file://{}", bad.display())]) else { return };
    assert!(console_messages(&o).iter().any(|m| m.contains("notDefined")), "console capture does not work: {}", String::from_utf8_lossy(&o.stderr));

    let o = chromium(&["--dump-dom", &url]).unwrap();
    assert!(o.status.success());
    assert_eq!(console_messages(&o), Vec::<String>::new(), "console messages on the report page");
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(dom.contains("44 of 44 rules"), "the page script ran");
    assert!(dom.contains("id=\"summary\"") && dom.contains("<td>All</td>"));
    assert!(dom.contains("<svg role=\"img\"") && dom.contains("Fail: "), "the summary chart, inline");
    assert!(dom.contains("<section class=\"failure\" id=\"V-260913\">"));
    assert!(dom.contains("container <code>stig-hostnet</code>"), "code spans, not raw Markdown backticks");
    assert!(!dom.contains('`'), "no raw backticks anywhere on the page");
    assert!(!dom.contains("ca.pem"), "no local CA file path in the title");

    let png = dir.path().join("report.png");
    let o = chromium(&["--window-size=1280,1600", &format!("--screenshot={}", png.display()), &url]).unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(width, 1280);
    assert!(bytes.len() > 50_000, "a rendered page, not a blank one ({} bytes)", bytes.len());
}

/// `assess` writes its plan beside the results; the results' import-ap resolves to a back-matter
/// resource that links the file (with its SHA-256) and embeds the same bytes, so the reference
/// holds wherever the results travel. `plan` writes a valid plan on its own.
#[test]
fn assessment_plan_beside_the_results_is_what_import_ap_names() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let ar_path = common::example_results(dir.path());
    let plan_bytes = std::fs::read(ar_path.with_file_name("assessment-plan.json")).unwrap();
    let plan: Value = serde_json::from_slice(&plan_bytes).unwrap();
    let (_, errors) = common::validate_with_constraints(&plan).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(&ar_path).unwrap()).unwrap();
    let href = ar["assessment-results"]["import-ap"]["href"].as_str().unwrap();
    let uuid = href.strip_prefix('#').expect("a fragment into the document's back-matter");
    let resources = ar["assessment-results"]["back-matter"]["resources"].as_array().unwrap();
    let res = resources.iter().find(|r| r["uuid"] == uuid).expect("import-ap resolves");
    assert_eq!(res["rlinks"][0]["href"], "assessment-plan.json");
    assert_eq!(res["rlinks"][0]["hashes"][0]["value"], oscal_stig::stig::xccdf::hex_sha256(&plan_bytes));
    let embedded = base64::engine::general_purpose::STANDARD.decode(res["base64"]["value"].as_str().unwrap()).unwrap();
    assert_eq!(embedded, plan_bytes, "the embedded plan is the file");
    // The plan: every rule an activity with NIST's required method, under the one task.
    let ap = &plan["assessment-plan"];
    let activities = ap["local-definitions"]["activities"].as_array().unwrap();
    assert_eq!(activities.len(), 44);
    assert!(activities.iter().all(|a| a["props"].as_array().unwrap().iter().any(|p| p["name"] == "method" && p["value"] == "TEST" && p.get("ns").is_none())));
    assert_eq!(ap["tasks"][0]["associated-activities"].as_array().unwrap().len(), 44);
    let params: Vec<&str> = ap["tasks"][0]["props"].as_array().unwrap().iter().filter(|p| p["name"] == "site-parameter").map(|p| p["value"].as_str().unwrap()).collect();
    assert!(params.iter().any(|p| p.starts_with("exceptions=")), "the policy's parameters: {params:?}");

    let out = dir.path().join("plan.json");
    let o = common::run(&["plan", "--stig", "kubernetes", "--target", "https://k8s.example.mil:6443", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let doc = write_and_load(&["plan", "--stig", "kubernetes", "--target", "https://k8s.example.mil:6443"], &dir.path().join("plan2.json"));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(dir.path().join("plan2.json")).unwrap(), "same inputs, same bytes");
    assert_eq!(doc["assessment-plan"]["local-definitions"]["activities"].as_array().unwrap().len(), 91);
}

/// Finding targets name the rule's part in the STIG profile, which exists there.
#[test]
fn finding_targets_are_parts_of_the_stig_profile() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let profile: Value = serde_json::from_slice(oscal_stig::content::Builtin::find("mke").unwrap().bytes).unwrap();
    let text = serde_json::to_string(&profile).unwrap();
    for f in findings(&ar) {
        let id = f["target"]["target-id"].as_str().unwrap();
        assert_eq!(f["target"]["type"], "statement-id");
        assert!(id.ends_with(&format!("_stig_{}", common::finding_rule(&f))), "{id}");
        assert!(text.contains(&format!("\"id\":\"{id}\"")), "{id} is a part of the MKE STIG profile");
    }
}

/// The POA&M stands alone: every subject and every origin actor it references is defined in it.
#[test]
fn poam_defines_what_it_references() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let poam = write_and_load(&["poam", "--results", ar.to_str().unwrap()], &dir.path().join("poam.json"));
    let doc = &poam["plan-of-action-and-milestones"];
    let defined: std::collections::HashSet<&str> = ["components", "inventory-items"]
        .iter()
        .flat_map(|k| doc["local-definitions"][*k].as_array().into_iter().flatten())
        .filter_map(|x| x["uuid"].as_str())
        .collect();
    let mut checked = 0;
    for o in doc["observations"].as_array().unwrap() {
        for s in o["subjects"].as_array().into_iter().flatten() {
            assert!(defined.contains(s["subject-uuid"].as_str().unwrap()), "subject {} of {}", s["subject-uuid"], o["title"]);
            checked += 1;
        }
        for actor in o["origins"].as_array().into_iter().flatten().flat_map(|x| x["actors"].as_array().unwrap()) {
            assert!(defined.contains(actor["actor-uuid"].as_str().unwrap()), "actor {}", actor["actor-uuid"]);
        }
    }
    assert!(checked > 0, "the example's open findings have subjects");
}

/// Every rule of the STIG is in the report, also one the results hold no finding for.
#[test]
fn report_lists_every_rule_of_the_stig() {
    let dir = tempfile::tempdir().unwrap();
    let ar_path = common::example_results(dir.path());
    let mut ar: Value = serde_json::from_str(&std::fs::read_to_string(&ar_path).unwrap()).unwrap();
    let findings = ar["assessment-results"]["results"][0]["findings"].as_array_mut().unwrap();
    let dropped = common::finding_rule(&findings.remove(0)).to_string();
    let partial = dir.path().join("partial.json");
    std::fs::write(&partial, serde_json::to_vec(&ar).unwrap()).unwrap();
    let out = dir.path().join("r.md");
    let o = common::run(&["report", "--results", partial.to_str().unwrap(), "--format", "md", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let md = std::fs::read_to_string(out).unwrap();
    let row = md.lines().find(|l| l.starts_with(&format!("| {dropped} |"))).unwrap_or_else(|| panic!("{dropped} missing from the report"));
    assert!(row.contains("| not-reviewed |") && row.contains("no finding for this rule"), "{row}");
    assert!(md.contains("| 44 |"), "44 rules in the summary");
}

/// Every `#` reference in a document resolves to an object in it (uuid or id).
fn dangling_fragments(doc: &Value) -> Vec<String> {
    fn walk<'a>(v: &'a Value, ids: &mut std::collections::HashSet<&'a str>, refs: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("uuid" | "id", Some(s)) => {
                            ids.insert(s);
                        }
                        ("href", Some(s)) if s.starts_with('#') => refs.push(&s[1..]),
                        _ => walk(x, ids, refs),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, ids, refs)),
            _ => {}
        }
    }
    let (mut ids, mut refs) = (std::collections::HashSet::new(), Vec::new());
    walk(doc, &mut ids, &mut refs);
    refs.into_iter().filter(|r| !ids.contains(r)).map(str::to_string).collect()
}

#[test]
fn no_fragment_reference_points_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let docs = [
        ("assessment-results", serde_json::from_str(&std::fs::read_to_string(&ar).unwrap()).unwrap()),
        ("assessment-plan", serde_json::from_str(&std::fs::read_to_string(ar.with_file_name("assessment-plan.json")).unwrap()).unwrap()),
        ("poam", write_and_load(&["poam", "--results", ar.to_str().unwrap()], &dir.path().join("poam.json"))),
        ("component-definition", write_and_load(&["component-definition", "--results", ar.to_str().unwrap()], &dir.path().join("cd.json"))),
        ("checklist import", write_and_load(&["checklist", "import", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/checklist.ckl")], &dir.path().join("imp.json"))),
        ("plan", write_and_load(&["plan", "--stig", "kubernetes", "--target", "k8s"], &dir.path().join("ap.json"))),
    ];
    for (what, doc) in &docs {
        assert_eq!(dangling_fragments(doc), Vec::<String>::new(), "{what}: # references that point nowhere");
    }
    // The detector itself.
    let bad = serde_json::json!({"x": {"uuid": "a", "links": [{"href": "#a"}, {"href": "#nowhere"}]}});
    assert_eq!(dangling_fragments(&bad), vec!["nowhere".to_string()]);
}

/// `--emit all`: the assessor's package from one command, every OSCAL document valid with no
/// dangling reference, the checklist naming its asset.
#[test]
fn emit_all_writes_every_deliverable_beside_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let root = env!("CARGO_MANIFEST_DIR");
    let o = common::run(&["assess", "docker", "--evidence", &format!("{root}/examples/docker-snapshot"), "--policy", &format!("{root}/examples/policy.yaml"), "--out", out.to_str().unwrap(), "--emit", "all"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    for name in ["assessment-results.json", "assessment-plan.json", "poam.json", "component-definition.json"] {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join(name)).unwrap()).unwrap();
        let (_, errors) = common::validate_with_constraints(&v).unwrap();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(dangling_fragments(&v), Vec::<String>::new(), "{name}");
    }
    let ckl = std::fs::read_to_string(out.join("checklists/cluster.ckl")).unwrap();
    assert!(ckl.contains("<HOST_NAME>127.0.0.1</HOST_NAME>"), "the asset named from the target");
    assert!(out.join("checklists/cluster.cklb").is_file());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| 44 |"));
    assert!(std::fs::read_to_string(out.join("report.html")).unwrap().contains("<table"));
    let cd: Value = serde_json::from_str(&std::fs::read_to_string(out.join("component-definition.json")).unwrap()).unwrap();
    assert_eq!(cd["component-definition"]["components"][0]["title"], "Mirantis Kubernetes Engine");
    assert_eq!(cd["component-definition"]["components"][0]["control-implementations"][0]["source"], "mke_stig_v2r1_rev5_profile.json");
}

/// `report --previous`: the changes since the last assessment, at the top of the report. The
/// previous assessment here is the example's own checklist with one open rule marked fixed, so
/// the current results show that rule regressed and nothing else changed.
#[test]
fn report_with_previous_shows_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let ckl = dir.path().join("previous.ckl");
    let o = common::run(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "--host-name", "vm", "-o", ckl.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = std::fs::read_to_string(&ckl).unwrap();
    let at = text.find("<ATTRIBUTE_DATA>V-260913</ATTRIBUTE_DATA>").expect("V-260913 in the checklist");
    let status = at + text[at..].find("<STATUS>Open</STATUS>").unwrap();
    let previous = format!("{}<STATUS>NotAFinding</STATUS>{}", &text[..status], &text[status + "<STATUS>Open</STATUS>".len()..]);
    std::fs::write(&ckl, previous).unwrap();
    for (format, file) in [("md", "r.md"), ("html", "r.html")] {
        let out = dir.path().join(file);
        let o = common::run(&["report", "--results", ar.to_str().unwrap(), "--previous", ckl.to_str().unwrap(), "--format", format, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let r = std::fs::read_to_string(&out).unwrap();
        assert!(r.contains("Changes since the last assessment"), "{format}");
        assert!(r.contains("0 new findings, 1 regressed, 0 resolved"), "{format}: {r}");
        let changes = &r[r.find("Changes since").unwrap()..r.find("Rules").unwrap()];
        assert!(changes.contains("V-260913") && changes.contains("regressed"), "{format}: {changes}");
        assert_eq!(changes.matches("V-2609").count() + changes.matches("V-2608").count(), 1, "{format}: only the one rule: {changes}");
    }
    let o = common::run(&["report", "--results", ar.to_str().unwrap(), "--previous", dir.path().join("nope.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "an unreadable previous assessment is an error");
}
