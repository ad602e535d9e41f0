//! `assess kubernetes` against a stand-in Kubernetes API server (no API server can run here:
//! tests/common/kube_server.rs answers realistic payloads of three cluster shapes, with planted
//! violations), node evidence from `collect node` on a small /etc/kubernetes-like tree made in
//! the test, offline re-assessment, per-asset checklists, and a newer STIG release with --stig.

mod common;

use std::path::{Path, PathBuf};

use common::kube_server::{planted, KubeServer, Options, Shape};
use common::mke_server::{MkeServer, Reply};
use common::verdict;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = common::bin().args(args).env_remove("KUBECONFIG").output().unwrap();
    (o.status.code().unwrap(), common::stdout(&o), common::stderr(&o))
}

fn read_ar(path: &Path) -> Value {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    v
}

fn reason(ar: &Value, rule: &str) -> String {
    ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap()["description"].as_str().unwrap().to_string()
}

/// Collects node evidence from a fake node root: a kubeadm control-plane node whose
/// /etc/kubernetes/pki/ca.key is world-readable (V-242467), everything else as kubeadm makes it.
fn node_evidence(dir: &Path, node: &str) -> PathBuf {
    let root = dir.join(format!("root-{node}"));
    let put = |rel: &str, mode: u32, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    };
    put("etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\netcd:x:998:998::/var/lib/etcd:/sbin/nologin\n");
    put("etc/group", 0o644, "root:x:0:\netcd:x:998:\n");
    put("etc/kubernetes/manifests/kube-apiserver.yaml", 0o600, "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: [kube-apiserver, --audit-policy-file=/etc/kubernetes/audit-policy.yaml]\n");
    put("etc/kubernetes/audit-policy.yaml", 0o600, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n");
    put("etc/kubernetes/admin.conf", 0o600, "apiVersion: v1\nkind: Config\n");
    put("etc/kubernetes/pki/ca.crt", 0o644, "-----BEGIN CERTIFICATE-----\n");
    put("etc/kubernetes/pki/ca.key", 0o644, "-----BEGIN PRIVATE KEY-----\nnode-canary-key\n");
    put("var/lib/kubelet/config.yaml", 0o644, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n");
    put("proc/812/cmdline", 0o644, "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--kubeconfig=/etc/kubernetes/kubelet.conf\0");
    let out = dir.join("node-evidence");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join(format!("{node}.json"));
    let (code, _, err) = run(&["collect", "node", "--root", root.to_str().unwrap(), "--node-name", node, "-o", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("node-canary-key"), "key contents never collected");
    out
}

fn xmllint(file: &Path) {
    let Some(reference) = common::reference_dir() else { return };
    let xsd = reference.join("examples/ckl/schema/U_Checklist_Schema_V2.xsd");
    match std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(file).output() {
        Ok(o) => assert!(o.status.success(), "DISA's CKL schema rejects {}: {}", file.display(), String::from_utf8_lossy(&o.stderr)),
        Err(_) if std::env::var_os("CI").is_some() => panic!("xmllint is required in CI (libxml2-utils)"),
        Err(_) => eprintln!("*** SKIPPED schema check: xmllint not installed ***"),
    }
}

#[test]
fn test_fake_kube_api_kubeadm_each_planted_violation_fails_naming_its_subject() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Kubeadm) });
    let nodes = node_evidence(dir.path(), "cp-1");
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&[
        "assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--node-evidence", nodes.to_str().unwrap(), "--out", out.to_str().unwrap(), "--emit", "ckl,cklb", "--timeout", "10",
    ]);
    assert_eq!(code, 1, "findings: exit 1\n{stderr}");
    let ar = read_ar(&out.join("assessment-results.json"));
    assert_eq!(ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().len(), 91, "every rule of V1R11");
    for (rule, subject, what) in planted(Shape::Kubeadm) {
        let (status, failing, _) = verdict(&ar, rule);
        assert_eq!(status, "fail", "{rule} ({what}): {}", reason(&ar, rule));
        assert!(failing.iter().any(|f| f.contains(subject)), "{rule}: {subject} not among {failing:?}");
    }
    // The node file planted on cp-1, and the flag values named in the reason.
    assert_eq!(verdict(&ar, "V-242467").0, "fail", "{}", reason(&ar, "V-242467"));
    assert!(verdict(&ar, "V-242467").1.contains(&"cp-1".to_string()));
    assert!(reason(&ar, "V-242378").contains("1 of 1 kube-apiserver instances"), "{}", reason(&ar, "V-242378"));
    // Nodes without evidence: node-file rules name the command to run.
    assert!(reason(&ar, "V-242451").contains("oscal-stig collect node"), "{}", reason(&ar, "V-242451"));
    // Hardened flags pass.
    for rule in ["V-242376", "V-242418", "V-242462", "V-245544"] {
        assert_eq!(verdict(&ar, rule).0, "pass", "{rule}: {}", reason(&ar, rule));
    }
    assert!(stdout.contains("91 rules:"), "{stdout}");

    // Offline re-assessment of the snapshot (node evidence kept in it): byte-identical.
    let again = dir.path().join("again");
    let (code2, _, stderr2) = run(&["assess", "kubernetes", "--evidence", out.join("evidence").to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(code2, 1, "{stderr2}");
    assert_eq!(std::fs::read(out.join("assessment-results.json")).unwrap(), std::fs::read(again.join("assessment-results.json")).unwrap());

    // A checklist per asset: the cluster and each node, with host names from the evidence.
    let ckls = common::files_with_ext(&out.join("checklists"), &[".ckl"]);
    assert_eq!(ckls.len(), 1 + server.node_names().len(), "{ckls:?}");
    for f in &ckls {
        xmllint(f);
    }
    let worker = std::fs::read_to_string(out.join("checklists/worker-2.ckl")).unwrap();
    assert!(worker.contains("<HOST_NAME>worker-2</HOST_NAME>"), "host name from the node");
    let c = oscal_stig::checklist::Checklist::parse("worker-2.ckl", worker.as_bytes()).unwrap();
    let status = |v: &str| c.stigs[0].vulns.iter().find(|x| x.vuln_num() == v).map(|x| x.status.clone()).unwrap();
    assert_eq!(status("V-242387"), "Open", "worker-2's own kubelet finding");
    assert_eq!(status("V-242378"), "Not_Reviewed", "cluster rules are in the cluster's checklist");
    let cluster = std::fs::read_to_string(out.join("checklists/cluster.ckl")).unwrap();
    assert!(cluster.contains("<HOST_IP>127.0.0.1</HOST_IP>"), "the API server's address");
    assert!(cluster.contains("<HOST_NAME>127.0.0.1</HOST_NAME>"), "an address is not cut at its first dot");
    assert!(out.join("checklists/cp-1.cklb").is_file());
}

#[test]
fn test_fake_kube_api_managed_control_plane_rules_not_reviewed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Managed) });
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10"]);
    assert_eq!(code, 1, "{stderr}");
    let ar = read_ar(&out.join("assessment-results.json"));
    for rule in ["V-242378", "V-242409", "V-242379", "V-242462"] {
        assert_eq!(verdict(&ar, rule).0, "not-reviewed");
        assert!(reason(&ar, rule).contains("managed control plane"), "{rule}: {}", reason(&ar, rule));
    }
    // Decided from the server's own answer to a request without credentials (401).
    assert_eq!(verdict(&ar, "V-242390").0, "pass", "{}", reason(&ar, "V-242390"));
    for (rule, subject, _) in planted(Shape::Managed) {
        let (status, failing, _) = verdict(&ar, rule);
        assert_eq!(status, "fail", "{rule}: {}", reason(&ar, rule));
        assert!(failing.iter().any(|f| f.contains(subject)), "{rule}: {subject} not among {failing:?}");
    }
}

#[test]
fn test_fake_kube_api_anonymous_requests_served_fail_v242390() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { anonymous: common::kube_server::Anonymous::Allowed200, ..Options::new(Shape::Managed) });
    let out = dir.path().join("out");
    run(&["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10"]);
    let ar = read_ar(&out.join("assessment-results.json"));
    assert_eq!(verdict(&ar, "V-242390").0, "fail", "{}", reason(&ar, "V-242390"));
    assert!(reason(&ar, "V-242390").contains("HTTP 200"), "{}", reason(&ar, "V-242390"));
}

/// MKE: the control plane is read from the ucp-kube-* containers through MKE's Docker API
/// (the test MKE answers them), the Kubernetes API from the stand-in server; `assess mke`
/// writes the Kubernetes STIG result beside the MKE STIG's.
#[test]
fn test_fake_kube_api_mke_control_plane_from_ucp_containers() {
    let dir = tempfile::tempdir().unwrap();
    let mke = MkeServer::start(dir.path(), "config-compliant.toml");
    let inspects = common::kube_server::mke_ucp_containers(true);
    let list: Vec<Value> = inspects.iter().map(common::kube_server::container_summary).collect();
    mke.set("/containers/json?all=1", Reply::Ok("application/json", serde_json::to_vec(&list).unwrap()));
    for i in &inspects {
        mke.set(&format!("/containers/{}/json", i["Id"].as_str().unwrap()), Reply::Ok("application/json", serde_json::to_vec(i).unwrap()));
    }
    let api = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Mke) });
    let out = dir.path().join("out");
    let (_, _, stderr) = run(&[
        "assess", "mke", "--url", &mke.url, "--bundle", mke.bundle.to_str().unwrap(), "--kubeconfig", api.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10",
    ]);
    let ar = read_ar(&out.join("kubernetes/assessment-results.json"));
    assert!(stderr.contains("Kubernetes STIG: 91 rules"), "{stderr}");
    for (rule, subject, what) in planted(Shape::Mke) {
        let (status, failing, _) = verdict(&ar, rule);
        assert_eq!(status, "fail", "{rule} ({what}): {}", reason(&ar, rule));
        assert!(failing.iter().any(|f| f.contains(subject)), "{rule}: {subject} not among {failing:?}");
    }
    assert!(reason(&ar, "V-242378").contains("ucp-kube"), "{}", reason(&ar, "V-242378"));
}

/// A newer DISA release stands in as a copy of V1R11 with one rule's STIG id changed and one
/// rule removed: the renamed rule has no check here, the removed one's check is listed on
/// stderr, and every other rule is still decided.
#[test]
fn test_fake_kube_api_newer_stig_release_given_with_stig() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Kubeadm) });
    let out = dir.path().join("out");
    run(&["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10"]);
    let xccdf = std::fs::read_to_string(reference.join("stig/kubernetes/U_Kubernetes_STIG_V1R11_Manual-xccdf.xml")).unwrap();
    let renamed = xccdf.replacen("<version>CNTR-K8-000170</version>", "<version>CNTR-K8-009170</version>", 1);
    // Drop the whole Group of V-242409 (controller-manager profiling).
    let start = renamed.find("<Group id=\"V-242409\"").unwrap();
    let end = start + renamed[start..].find("</Group>").unwrap() + "</Group>".len();
    let newer = format!("{}{}", &renamed[..start], &renamed[end..]);
    let file = dir.path().join("U_Kubernetes_STIG_V2R9_Manual-xccdf.xml");
    std::fs::write(&file, newer).unwrap();
    let again = dir.path().join("again");
    let (code, _, stderr) = run(&["assess", "kubernetes", "--evidence", out.join("evidence").to_str().unwrap(), "--stig", file.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("CNTR-K8-000910") && stderr.contains("CNTR-K8-000170"), "checks without a rule in the release: {stderr}");
    let ar = read_ar(&again.join("assessment-results.json"));
    assert_eq!(ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().len(), 90);
    assert!(reason(&ar, "V-242378").contains("no automated check for this rule (CNTR-K8-009170) in oscal-stig"), "{}", reason(&ar, "V-242378"));
    assert_eq!(verdict(&ar, "V-242379").0, "fail", "the other rules are still decided");
}

#[test]
fn test_node_evidence_that_is_not_ours_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("n1.json"), r#"{"kind":"Pod"}"#).unwrap();
    let (code, _, err) = run(&["assess", "kubernetes", "--evidence", dir.path().to_str().unwrap(), "--node-evidence", dir.path().to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("n1.json") && err.contains("not node evidence"), "{err}");
}

/// The deliverables written from a Kubernetes STIG result, none told which STIG it is for: the
/// report, the POA&M, the component-definition and a checklist find the Kubernetes STIG from the
/// results' own rules; every OSCAL document is valid and the checklist passes DISA's schema.
#[test]
fn test_fake_kube_api_deliverables_from_kubernetes_results() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options { violations: true, ..Options::new(Shape::Kubeadm) });
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10"]);
    assert_eq!(code, 1, "{stderr}");
    let results = out.join("assessment-results.json");
    let ar = read_ar(&results);
    let failed: Vec<String> = ar["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| common::finding_rule(f).to_string())
        .filter(|id| verdict(&ar, id).0 == "fail")
        .collect();
    assert!(failed.len() >= planted(Shape::Kubeadm).len(), "{failed:?}");
    let doc = |args: &[&str], file: &str| -> PathBuf {
        let path = dir.path().join(file);
        let mut all = args.to_vec();
        all.extend(["--results", results.to_str().unwrap(), "-o", path.to_str().unwrap()]);
        let (code, _, stderr) = run(&all);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        path
    };

    let poam = read_ar(&doc(&["poam"], "poam.json"));
    let items = poam["plan-of-action-and-milestones"]["poam-items"].as_array().unwrap();
    assert_eq!(items.len(), failed.len(), "one POA&M item per failed rule");
    let text = serde_json::to_string(items).unwrap();
    for id in &failed {
        assert!(text.contains(id.as_str()), "{id} has a POA&M item");
    }

    let cd = read_ar(&doc(&["component-definition"], "cd.json"));
    let component = &cd["component-definition"]["components"][0];
    assert_eq!(component["title"], "Kubernetes", "the component is named from the STIG");
    let text = serde_json::to_string(&cd).unwrap();
    assert!(text.contains("V-242390") && !text.contains("Mirantis"), "the Kubernetes STIG's rules");

    for (format, file) in [("html", "report.html"), ("md", "report.md")] {
        let report = std::fs::read_to_string(doc(&["report", "--format", format], file)).unwrap();
        assert!(report.contains("Kubernetes Security Technical Implementation Guide"), "{format}: the STIG named");
        assert!(!report.contains("Mirantis Kubernetes Engine Security"), "{format}: not the MKE STIG");
        for id in &failed {
            assert!(report.contains(id.as_str()), "{format}: {id} reported");
        }
    }

    let ckl = doc(&["checklist", "ckl", "--host-name", "cluster-a"], "cluster.ckl");
    xmllint(&ckl);
    let c = oscal_stig::checklist::Checklist::parse("cluster.ckl", &std::fs::read(&ckl).unwrap()).unwrap();
    assert_eq!(c.stigs[0].vulns.len(), 91, "every rule of the Kubernetes STIG");
    assert!(c.stigs[0].vulns.iter().any(|v| v.vuln_num() == "V-242390"));

    // Results that name no built-in STIG's rules: a clear error that asks for --stig.
    let mut foreign = ar.clone();
    for f in foreign["assessment-results"]["results"][0]["findings"].as_array_mut().unwrap() {
        f["target"]["target-id"] = Value::from("V-1");
        f["props"] = Value::Array(vec![]);
    }
    let foreign_path = dir.path().join("foreign.json");
    std::fs::write(&foreign_path, serde_json::to_vec(&foreign).unwrap()).unwrap();
    let (code, _, stderr) = run(&["component-definition", "--results", foreign_path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--stig"), "{stderr}");
}

/// A live run replaces the previous snapshot in OUT/evidence, but never deletes a file it did
/// not write there.
#[test]
fn test_fake_kube_api_live_run_never_deletes_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("api"), Options::new(Shape::Managed));
    let out = dir.path().join("out");
    let args = ["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "10"];
    let (code, _, stderr) = run(&args);
    assert_ne!(code, 2, "{stderr}");
    let notes = out.join("evidence/k8s/assessor-notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let (code, _, stderr) = run(&args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("assessor-notes.txt") && stderr.contains("refusing to clear"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    std::fs::remove_file(&notes).unwrap();
    let (code, _, stderr) = run(&args);
    assert_ne!(code, 2, "the previous snapshot alone is replaced: {stderr}");
}
