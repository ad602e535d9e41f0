//! Every MKE STIG rule, on a compliant and a non-compliant cluster (the test MKE of
//! tests/common/mke_server.rs: recorded engine answers, MKE 3.7 configuration fixtures,
//! Kubernetes and MSR answers), with the verdict each must get and the subjects it must name.

mod common;

use std::path::Path;

use common::mke_server::{MkeServer, PASSWORD, USER};
use common::verdict;
use serde_json::Value;

/// (rule, verdict on the compliant cluster, verdict on the non-compliant one, subjects the
/// non-compliant verdict must name).
const MATRIX: &[(&str, &str, &str, &[&str])] = &[
    ("V-260903", "pass", "fail", &["config-toml"]),
    ("V-260904", "not-reviewed", "not-reviewed", &[]),
    ("V-260905", "not-reviewed", "fail", &["default/web", "kube-system/metrics-server"]),
    ("V-260906", "pass", "fail", &["vm"]),
    ("V-260907", "pass", "fail", &["stig-port80"]),
    ("V-260908", "pass", "fail", &["vm"]),
    ("V-260909", "pass", "fail", &["config-toml"]),
    ("V-260910", "pass", "fail", &["stig-sshd"]),
    ("V-260911", "pass", "fail", &["app-a/web-9", "Deployment/app-b/billing", "tls_key"]),
    ("V-260912", "not-reviewed", "fail", &["alice-admin"]),
    ("V-260913", "pass", "fail", &["stig-hostnet", "app-a/web-7"]),
    ("V-260914", "pass", "fail", &["config-toml"]),
    ("V-260915", "not-reviewed", "fail", &["vm"]),
    ("V-260916", "pass", "fail", &["MSR certificate"]),
    ("V-260917", "pass", "fail", &["config-toml"]),
    ("V-260918", "pass", "fail", &["config-toml"]),
    ("V-260919", "pass", "fail", &["MSR settings"]),
    ("V-260920", "pass", "not-applicable", &[]),
    ("V-260921", "not-applicable", "fail", &["vm"]),
    ("V-260922", "pass", "fail", &["stig-dockersock"]),
    ("V-260923", "pass", "fail", &["stig-capadd"]),
    ("V-260924", "pass", "fail", &["stig-port80"]),
    ("V-260925", "pass", "fail", &["app-b", "stig-hostnet"]),
    ("V-260926", "pass", "fail", &["vm"]),
    ("V-260927", "pass", "fail", &["MKE certificate"]),
    ("V-260928", "pass", "fail", &["MSR settings"]),
    ("V-260929", "pass", "fail", &["stig-port80"]),
    ("V-260930", "pass", "fail", &["stig-pidhost"]),
    ("V-260931", "pass", "fail", &["stig-macvlan"]),
    ("V-260932", "not-reviewed", "not-reviewed", &[]),
    ("V-260933", "pass", "fail", &["node-1"]),
    ("V-260934", "pass", "fail", &["stig-hostnet", "stig-canary"]),
    ("V-260935", "pass", "fail", &["stig-ipchost", "config-toml"]),
    ("V-260936", "pass", "fail", &["stig-seccomp"]),
    ("V-260937", "pass", "fail", &["stig-seccomp"]),
    ("V-260938", "not-reviewed", "not-reviewed", &[]),
    ("V-260939", "pass", "fail", &["stig-usernshost"]),
    ("V-260940", "pass", "fail", &["stig-privileged"]),
    ("V-260941", "pass", "fail", &["stig-port80"]),
    ("V-260942", "not-reviewed", "fail", &["config-toml"]),
    ("V-260943", "pass", "fail", &["MSR settings"]),
    ("V-260944", "pass", "fail", &["mirantis/ucp-agent:3.7.10"]),
    ("V-260945", "pass", "fail", &["MKE version"]),
    ("V-260946", "pass", "fail", &["config-toml"]),
];

fn run(dir: &Path, compliant: bool) -> (Option<i32>, Value) {
    let server = MkeServer::start_scenario(dir, compliant);
    let other = MkeServer::start(&dir.join("other-ca"), "config-compliant.toml");
    let trust = if compliant { server.bundle.join("ca.pem") } else { other.bundle.join("ca.pem") };
    let policy = dir.join("policy.yaml");
    let caps = if compliant { "[NET_ADMIN]" } else { "[]" };
    let secrets = if compliant { "[db_password]" } else { "[db_password, tls_key]" };
    std::fs::write(
        &policy,
        format!(
            "orchestrator: both\nidentity_provider: ldaps://ldap.example.mil:636\nimage_signers: [platform/security]\nkube_system_services: [kube-dns]\n\
             docker_group_members: [svc-mke]\ntrusted_ca_bundle: {}\nallowed_ports:\n  - match: {{ name: \"^stig-allifaces$\" }}\n    justification: PPSM CAL 3\n    host_port: 8080\n\
             exceptions:\n  - rules: [V-260924]\n    match: {{ name: \"^cluster_config.controller_port$\" }}\n    justification: MKE UI/API on 443 (PPSM CAL 12)\n\
             allowed_capabilities:\n  - match: {{ name: \"^stig-capadd$\" }}\n    justification: SSP 5.1\n    capabilities: {caps}\nswarm_secrets: {secrets}\nlog_drivers: [syslog, journald]\n",
            trust.display()
        ),
    )
    .unwrap();
    let host = dir.join("host.yaml");
    let mode = if compliant { "660" } else { "666" };
    // The recorded cluster's one node is `vm`: every node MKE lists must be in the host evidence.
    std::fs::write(&host, format!("nodes:\n  - name: vm\n    docker_sock: \"root:docker {mode}\"\n    docker_group: [svc-mke]\n")).unwrap();
    let out = dir.join("out");
    let o = common::bin()
        .args(["assess", "mke", "--url", &server.url, "--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()])
        .args(["--msr-url", &server.url, "--username", USER, "--host-evidence", host.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "5"])
        // The recorded node's address is 127.0.0.1: its per-node engine proxy is this server.
        .args(["--node-port", server.url.rsplit(':').next().unwrap()])
        .env("MKE_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(out.join("assessment-results.json")).unwrap_or_else(|_| panic!("{}", common::stderr(&o)));
    let v: Value = serde_json::from_str(&text).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(out.join("evidence/docker/node-info.jsonl").is_file(), "each node's engine was read through the per-node proxy");
    (o.status.code(), v)
}

fn reason(ar: &Value, rule: &str) -> String {
    ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap()["description"].as_str().unwrap().to_string()
}

#[test]
fn every_rule_on_a_compliant_and_a_noncompliant_cluster() {
    let index = oscal_stig::stig::RuleIndex::load("mke").unwrap();
    assert_eq!(MATRIX.len(), 44);
    assert!(index.rules().iter().zip(MATRIX).all(|(r, m)| r.vuln_id == m.0), "the matrix lists every rule, in order");
    let dir = tempfile::tempdir().unwrap();
    let (good_code, good) = run(&dir.path().join("compliant"), true);
    let (bad_code, bad) = run(&dir.path().join("noncompliant"), false);
    let mut wrong = Vec::new();
    for (rule, want_good, want_bad, subjects) in MATRIX {
        let g = verdict(&good, rule);
        if g.0 != *want_good || !g.1.is_empty() {
            wrong.push(format!("{rule} compliant: {} {:?} ({})", g.0, g.1, reason(&good, rule)));
        }
        let b = verdict(&bad, rule);
        if b.0 != *want_bad {
            wrong.push(format!("{rule} non-compliant: {} ({})", b.0, reason(&bad, rule)));
        }
        for s in *subjects {
            if !b.1.iter().any(|n| n == s) {
                wrong.push(format!("{rule} non-compliant: {s} not among failing subjects {:?}", b.1));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    // The exit code gates on both STIGs `assess mke` assesses: the compliant MKE cluster's
    // Kubernetes has Kubernetes STIG findings (no node evidence, kubelets as MKE runs them).
    let k8s: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("compliant/out/kubernetes/assessment-results.json")).unwrap()).unwrap();
    let k8s_fails = k8s["assessment-results"]["results"][0]["findings"].as_array().unwrap().iter().any(|f| f["props"].as_array().unwrap().iter().any(|p| p["name"] == "verdict" && p["value"] == "fail"));
    assert_eq!((good_code, bad_code), (Some(if k8s_fails { 1 } else { 0 }), Some(1)), "exit codes gate on failed rules");
}
