//! Every kind of document oscal-stig writes, fed to consumers nobody here wrote: OSCAL JSON
//! to compliance-trestle (IBM's pydantic models: the document must load as its model) and to
//! oscal-validate (NIST's OSCAL schema and constraint layer: no ERROR finding; WARNING, INFO
//! and UNVERIFIABLE findings are printed, not failures), and CKL / CKLB to STIG Manager's
//! checklist parser (no error, and per rule the result its own STATUS means). The consumers
//! are installed by scripts/consumers.sh (scripts/test.sh runs it) under target/consumers;
//! absent, each test skips loudly, and in CI it fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::consumers::{first_lines, oscal_validate, summarize, stig_manager_import, stig_manager_result, trestle_load};
use oscal_stig::checklist::Checklist;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped NIST SP 800-53 Rev. 5 catalog (what the STIG profiles import).
fn rev5_catalog() -> PathBuf {
    root().join("catalogs/NIST_SP-800-53_rev5_catalog.json")
}

/// Runs the CLI; it must exit 0.
fn write(args: &[&str]) {
    let o = common::run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", common::stderr(&o));
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Failures of every consumer over one test, reported together so one failing consumer does
/// not hide what the others say.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    /// `doc` through compliance-trestle and oscal-validate (`resolve`: the documents it imports
    /// or refers to, given to oscal-validate's --resolve).
    fn oscal(&mut self, what: &str, doc: &Path, resolve: &[&Path]) {
        if let Some(Err(e)) = trestle_load(doc) {
            self.0.push(format!("[compliance-trestle] {what} ({}):\n{e}", doc.display()));
        }
        match oscal_validate(doc, resolve) {
            Some(Ok(others)) => eprintln!("oscal-validate on {what}: no ERROR; other findings (not failures): {}", summarize(&others)),
            Some(Err(e)) => self.0.push(format!("[oscal-validate] {what}:\n{e}")),
            None => {}
        }
    }

    /// A checklist through STIG Manager's parser: no error, every rule of the checklist read
    /// once with the result its STATUS means, and (`expected`, by V- id, when given) that
    /// STATUS being the assessment's.
    fn checklist(&mut self, what: &str, file: &Path, expected: Option<&BTreeMap<String, String>>) {
        let Some(import) = stig_manager_import(file) else { return };
        let import = match import {
            Ok(i) => i,
            Err(e) => return self.0.push(format!("[STIG Manager] {what}:\n{e}")),
        };
        let c = Checklist::parse(s(file), &std::fs::read(file).unwrap()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut problems = Vec::new();
        let mut own = BTreeMap::new();
        for v in c.stigs.iter().flat_map(|st| &st.vulns) {
            let rule = v.attr("Rule_ID").unwrap_or_else(|| panic!("{what}: {} has no Rule_ID", v.vuln_num())).to_string();
            own.insert(rule.clone(), stig_manager_result(&v.status).to_string());
            if let Some(expected) = expected {
                let want = expected.get(v.vuln_num()).map_or("Not_Reviewed", String::as_str);
                if !v.status.eq_ignore_ascii_case(want) {
                    problems.push(format!("{} ({rule}): the checklist says {}, the assessment {want}", v.vuln_num(), v.status));
                }
            }
        }
        for (rule, want) in &own {
            match import.results.get(rule) {
                Some(got) if got == want => {}
                Some(got) => problems.push(format!("{rule}: STIG Manager reads {got}, the checklist's STATUS means {want}")),
                None => problems.push(format!("{rule}: STIG Manager read no review (the checklist's STATUS means {want})")),
            }
        }
        for rule in import.results.keys().filter(|r| !own.contains_key(*r)) {
            problems.push(format!("{rule}: STIG Manager read a rule the checklist does not have"));
        }
        // STIG Manager files reviews under the asset the target names.
        if import.target.is_empty() {
            problems.push("STIG Manager read no target (asset) name".into());
        }
        if let Some(ip) = c.asset("HOST_IP").filter(|ip| ip.parse::<std::net::IpAddr>().is_ok()) {
            if ip != import.target && ip.starts_with(&format!("{}.", import.target)) {
                problems.push(format!("STIG Manager's asset is {:?} (HOST_NAME), a fragment of the target's address {ip} (HOST_IP)", import.target));
            }
        }
        if import.benchmarks.len() != c.stigs.len() || import.benchmarks.iter().any(|(id, _)| id.is_empty()) {
            problems.push(format!("STIG Manager read benchmarks {:?} from {} STIG(s)", import.benchmarks, c.stigs.len()));
        }
        if problems.is_empty() {
            eprintln!("STIG Manager on {what}: {} rules, target {:?}, benchmarks {:?}", import.results.len(), import.target, import.benchmarks);
        } else {
            self.0.push(format!("[STIG Manager] {what} ({}):{}", file.display(), first_lines(&problems, 40)));
        }
    }

    fn assert_none(self) {
        assert!(self.0.is_empty(), "{} consumer failure(s):\n\n{}", self.0.len(), self.0.join("\n\n"));
    }
}

/// stig-status (the checklist STATUS) of each rule of assessment-results, by V- id.
fn stig_statuses(ar: &Path) -> BTreeMap<String, String> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(ar).unwrap()).unwrap();
    let prop = |f: &Value, name: &str| f["props"].as_array().into_iter().flatten().find(|p| p["name"] == name).and_then(|p| p["value"].as_str()).map(str::to_string);
    v["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let rule = prop(f, "vuln-id").unwrap_or_else(|| f["target"]["target-id"].as_str().unwrap().to_string());
            (rule, prop(f, "stig-status").unwrap_or_else(|| panic!("no stig-status: {f}")))
        })
        .collect()
}

#[test]
fn assessment_results_of_the_example_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    // The plan assess writes beside the results (import-ap's resource links it by file name).
    let ap = ar.with_file_name("assessment-plan.json");
    assert!(ap.is_file(), "assess writes {}", ap.display());
    let mut f = Failures::default();
    f.oscal("assessment-results (assess docker, examples/docker-snapshot)", &ar, &[&ap]);
    f.oscal("assessment-plan (assess docker, examples/docker-snapshot)", &ap, &[]);
    f.assert_none();
}

#[test]
fn assessment_plans_of_the_plan_command_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let policy = root().join("examples/policy.yaml");
    let mut f = Failures::default();
    for (stig, target, policy) in [("mke", "https://mke.example.mil", Some(policy.as_path())), ("kubernetes", "https://k8s.example.mil:6443", None)] {
        let out = dir.path().join(format!("{stig}-plan.json"));
        let mut args = vec!["plan", "--stig", stig, "--target", target, "-o", s(&out)];
        if let Some(p) = policy {
            args.extend(["--policy", s(p)]);
        }
        write(&args);
        f.oscal(&format!("plan --stig {stig}"), &out, &[]);
    }
    f.assert_none();
}

#[test]
fn component_definition_without_results_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let cd = dir.path().join("cd.json");
    write(&["component-definition", "--stig", "mke", "-o", s(&cd)]);
    let profile = root().join("profiles/mke_stig_v2r1_rev5_profile.json");
    let mut f = Failures::default();
    f.oscal("component-definition --stig mke", &cd, &[&profile, &rev5_catalog()]);
    f.assert_none();
}

#[test]
fn component_definition_with_results_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let cd = dir.path().join("cd.json");
    write(&["component-definition", "--results", s(&ar), "-o", s(&cd)]);
    let profile = root().join("profiles/mke_stig_v2r1_rev5_profile.json");
    let mut f = Failures::default();
    f.oscal("component-definition --results (example)", &cd, &[&profile, &rev5_catalog()]);
    f.assert_none();
}

#[test]
fn poam_loads_in_trestle_and_passes_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let poam = dir.path().join("poam.json");
    write(&["poam", "--results", s(&ar), "-o", s(&poam)]);
    let mut f = Failures::default();
    // Alone, as it is handed over; and with the assessment-results it was written from.
    f.oscal("POA&M (poam --results example)", &poam, &[]);
    f.oscal("POA&M (poam --results example), with the assessment-results supplied", &poam, &[&ar]);
    f.assert_none();
}

#[test]
fn resolved_catalogs_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Failures::default();
    for profile in ["nist-800-53-rev5-moderate", "mke"] {
        let out = dir.path().join(format!("{profile}-resolved.json"));
        write(&["resolve", profile, "-o", s(&out)]);
        f.oscal(&format!("resolved catalog (resolve {profile})"), &out, &[]);
    }
    f.assert_none();
}

#[test]
fn mke_stig_profiles_load_in_trestle_and_pass_oscal_validate() {
    let mut f = Failures::default();
    // As shipped (what --stig mke uses), over Rev. 5 and Rev. 4.
    f.oscal("profiles/mke_stig_v2r1_rev5_profile.json", &root().join("profiles/mke_stig_v2r1_rev5_profile.json"), &[&rev5_catalog()]);
    f.oscal("profiles/mke_stig_v2r1_rev4_profile.json", &root().join("profiles/mke_stig_v2r1_rev4_profile.json"), &[&root().join("catalogs/NIST_SP-800-53_rev4_catalog.json")]);
    // As written from DISA's XCCDF.
    if let Some(reference) = common::reference_dir() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mke-profile.json");
        let xccdf = reference.join("stig/mke/U_Mirantis_Kubernetes_Engine_STIG_V2R1_Manual-xccdf.xml");
        write(&["profile", "from-xccdf", s(&xccdf), "-o", s(&out)]);
        f.oscal("profile from-xccdf (MKE STIG V2R1)", &out, &[&rev5_catalog()]);
    }
    f.assert_none();
}

#[test]
fn imported_checklists_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = vec![root().join("tests/golden/checklist.ckl"), root().join("tests/golden/checklist.cklb")];
    // Real checklists from STIG Viewer, STIG Manager, Heimdall and others.
    if let Some(reference) = common::reference_dir() {
        inputs.extend(common::files_with_ext(&reference.join("examples"), &[".ckl", ".cklb"]));
    }
    let mut f = Failures::default();
    for (i, input) in inputs.iter().enumerate() {
        let out = dir.path().join(format!("imported-{i}.json"));
        write(&["checklist", "import", s(input), "-o", s(&out)]);
        f.oscal(&format!("checklist import {}", input.strip_prefix(root()).unwrap_or(input).display()), &out, &[]);
    }
    f.assert_none();
}

#[test]
fn ckl_and_cklb_read_in_stig_manager_with_the_assessments_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let statuses = stig_statuses(&ar);
    assert_eq!(statuses.len(), 44);
    let mut f = Failures::default();
    for kind in ["ckl", "cklb"] {
        let file = dir.path().join(format!("mke.{kind}"));
        write(&["checklist", kind, "--results", s(&ar), "--host-name", "mke-manager-1", "--host-ip", "10.0.0.5", "-o", s(&file)]);
        f.checklist(&format!("checklist {kind} (example)"), &file, Some(&statuses));
        // Imported back, written again: the same statuses reach STIG Manager.
        let back = dir.path().join(format!("imported-{kind}.json"));
        write(&["checklist", "import", s(&file), "-o", s(&back)]);
        let again = dir.path().join(format!("again.{kind}"));
        write(&["checklist", kind, "--results", s(&back), "--host-name", "mke-manager-1", "-o", s(&again)]);
        f.checklist(&format!("checklist {kind} of the imported {kind}"), &again, Some(&statuses));
    }
    f.assert_none();
}

#[test]
fn kubernetes_stig_profiles_and_component_definition_load_in_trestle_and_pass_oscal_validate() {
    let dir = tempfile::tempdir().unwrap();
    let profile = root().join("profiles/kubernetes_stig_v1r11_rev5_profile.json");
    let mut f = Failures::default();
    f.oscal("profiles/kubernetes_stig_v1r11_rev5_profile.json", &profile, &[&rev5_catalog()]);
    f.oscal("profiles/kubernetes_stig_v1r11_rev4_profile.json", &root().join("profiles/kubernetes_stig_v1r11_rev4_profile.json"), &[&root().join("catalogs/NIST_SP-800-53_rev4_catalog.json")]);
    let cd = dir.path().join("k8s-cd.json");
    write(&["component-definition", "--stig", "kubernetes", "-o", s(&cd)]);
    f.oscal("component-definition --stig kubernetes", &cd, &[&profile, &rev5_catalog()]);
    let resolved = dir.path().join("k8s-resolved.json");
    write(&["resolve", "kubernetes", "-o", s(&resolved)]);
    f.oscal("resolved catalog (resolve kubernetes)", &resolved, &[]);
    if let Some(reference) = common::reference_dir() {
        let out = dir.path().join("k8s-profile.json");
        let xccdf = reference.join("stig/kubernetes/U_Kubernetes_STIG_V1R11_Manual-xccdf.xml");
        write(&["profile", "from-xccdf", s(&xccdf), "-o", s(&out)]);
        f.oscal("profile from-xccdf (Kubernetes STIG V1R11)", &out, &[&rev5_catalog()]);
    }
    f.assert_none();
}

#[test]
fn kubernetes_assessment_documents_reach_every_consumer() {
    use common::kube_server::{KubeServer, Options, Shape};
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Kubeadm) });
    let out = dir.path().join("out");
    let o = common::bin()
        .args(["assess", "kubernetes", "--kubeconfig", s(&server.kubeconfig), "--out", s(&out), "--emit", "ckl,cklb", "--timeout", "10"])
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "planted violations: exit 1\n{}", common::stderr(&o));
    let ar = out.join("assessment-results.json");
    let profile = root().join("profiles/kubernetes_stig_v1r11_rev5_profile.json");
    let ap = ar.with_file_name("assessment-plan.json");
    assert!(ap.is_file(), "assess writes {}", ap.display());
    let mut f = Failures::default();
    f.oscal("assessment-results (assess kubernetes)", &ar, &[&ap]);
    f.oscal("assessment-plan (assess kubernetes)", &ap, &[]);
    let poam = dir.path().join("poam.json");
    write(&["poam", "--results", s(&ar), "-o", s(&poam)]);
    f.oscal("POA&M (poam --results kubernetes)", &poam, &[&ar]);
    let cd = dir.path().join("cd.json");
    write(&["component-definition", "--results", s(&ar), "-o", s(&cd)]);
    f.oscal("component-definition --results (kubernetes)", &cd, &[&profile, &rev5_catalog()]);
    // The whole cluster's checklist, with the assessment's statuses; and the per-asset ones
    // --emit wrote, each read as it stands.
    let ckl = dir.path().join("cluster.ckl");
    write(&["checklist", "ckl", "--results", s(&ar), "--host-name", "cluster-a", "-o", s(&ckl)]);
    f.checklist("checklist ckl (kubernetes results)", &ckl, Some(&stig_statuses(&ar)));
    let emitted = common::files_with_ext(&out.join("checklists"), &[".ckl", ".cklb"]);
    assert!(emitted.len() >= 2, "{emitted:?}");
    for file in &emitted {
        f.checklist(&format!("assess kubernetes --emit: {}", file.file_name().unwrap().to_string_lossy()), file, None);
    }
    f.assert_none();
}
