//! `assess mke` against a test MKE (local HTTPS server with a generated CA and client-bundle
//! authentication, answering with recorded MKE 3.7 config-toml fixtures and a real engine's
//! Docker API answers): every rule of the STIG gets a verdict or says why not; config rules
//! decided on compliant and non-compliant configurations; login, re-login on 401, faults.

mod common;

use std::path::Path;

use common::mke_server::{MkeServer, Reply, PASSWORD, TOKEN, USER};
use common::verdict;
use serde_json::Value;

fn assess(server: &MkeServer, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> (i32, Value, String, String) {
    let mut args = vec!["assess", "mke", "--url", &server.url, "--out", out.to_str().unwrap()];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "3"]);
    }
    args.extend_from_slice(extra);
    let mut cmd = common::bin();
    cmd.args(&args).env_remove("MKE_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    let text = std::fs::read_to_string(out.join("assessment-results.json")).unwrap_or_else(|_| panic!("no AR: {}", common::stderr(&o)));
    let v: Value = serde_json::from_str(&text).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    (o.status.code().unwrap(), v, common::stdout(&o), common::stderr(&o))
}

fn reason(ar: &Value, rule: &str) -> String {
    ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap()["description"].as_str().unwrap().to_string()
}

fn assert_no_secrets(dir: &Path, texts: &[&str]) {
    let mut all: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
    // The bundle's private key must not be copied anywhere but the bundle.
    let key = std::fs::read_to_string(dir.join("bundle/key.pem")).unwrap();
    let key_line = key.lines().nth(2).unwrap().to_string();
    for f in common::files_with_ext(dir, &[""]).into_iter().filter(|f| !f.to_string_lossy().contains("/bundle/")) {
        all.push(String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned());
    }
    for t in &all {
        for canary in ["Pr0xyS3cret-canary", "B4ckupPassphrase-canary", "LdapReader-canary", PASSWORD, TOKEN, key_line.as_str()] {
            assert!(!t.contains(canary), "secret {canary} leaked");
        }
    }
}

#[test]
fn test_mke_compliant_config_over_client_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: swarm\nidentity_provider: ldaps://ldap.example.mil:636\nimage_signers: [platform/security]\n").unwrap();
    let out = dir.path().join("out");
    let (code, ar, stdout, stderr) = assess(&server, &out, &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    assert_eq!(code, 1, "the engine answers carry failures: {stderr}");
    let findings = ar["assessment-results"]["results"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 44, "every rule of the STIG");
    for rule in ["V-260903", "V-260909", "V-260914", "V-260917", "V-260918", "V-260945", "V-260946"] {
        assert_eq!(verdict(&ar, rule).0, "pass", "{rule}: {}", reason(&ar, rule));
    }
    assert_eq!(verdict(&ar, "V-260942").0, "not-reviewed", "part 3 (all images signed) is manual");
    // The Docker API through MKE: engine rules decided as from the engine itself.
    assert_eq!(verdict(&ar, "V-260913").1, vec!["stig-hostnet".to_string()]);
    assert!(reason(&ar, "V-260941").contains("no ingress controller is configured"));
    // hostIPC is not allowed by MKE, but a container shares the host IPC namespace.
    assert_eq!(verdict(&ar, "V-260935").0, "fail");
    // Host-only rules give the assessor the exact commands.
    assert!(reason(&ar, "V-260906").contains("stat -c '%U:%G %a' /var/run/docker.sock"));
    // ... and decide them from the assessor's host evidence when given.
    // The example names other nodes than this cluster's `vm`: every node MKE lists must be there.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/host-evidence.yaml");
    std::fs::write(&policy, "identity_provider: ldaps://ldap.example.mil:636\nimage_signers: [platform/security]\ndocker_group_members: [svc-mke]\n").unwrap();
    let with = |host: &Path, out: &str| assess(&server, &dir.path().join(out), &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--host-evidence", host.to_str().unwrap()], &[]).1;
    let other_nodes = with(&example, "other-nodes");
    assert_eq!(verdict(&other_nodes, "V-260906").0, "not-reviewed");
    assert!(reason(&other_nodes, "V-260906").contains("no entry for node vm"), "{}", reason(&other_nodes, "V-260906"));
    let host = dir.path().join("host.yaml");
    std::fs::write(&host, "nodes:\n  - name: vm\n    docker_sock: \"root:docker 660\"\n    docker_group: [svc-mke]\n").unwrap();
    let with_host = with(&host, "with-host");
    assert_eq!(verdict(&with_host, "V-260906").0, "pass", "{}", reason(&with_host, "V-260906"));
    std::fs::write(&policy, "orchestrator: swarm\nidentity_provider: ldaps://ldap.example.mil:636\nimage_signers: [platform/security]\n").unwrap();
    // No MSR given and none registered in MKE: MSR 3.x would not register, so the site says (P-MSR).
    assert_eq!(verdict(&ar, "V-260928").0, "not-reviewed", "{}", reason(&ar, "V-260928"));
    assert!(reason(&ar, "V-260928").contains("msr_in_use"), "{}", reason(&ar, "V-260928"));
    // Only the client certificate was used; no login.
    assert_eq!(*server.logins.lock().unwrap(), 0);
    // Every call carries the certificate except the Kubernetes STIG's anonymous probe.
    let log = server.log.lock().unwrap();
    let bare: Vec<&String> = log.iter().filter(|l| !l.contains("cert=true")).collect();
    assert!(bare.iter().all(|l| l.starts_with("GET /version cert=false bearer=false")), "{bare:?}");
    // Evidence: the TOML kept with secret values redacted, /oscal kept or marked not offered.
    let toml = std::fs::read_to_string(out.join("evidence/mke/config.toml")).unwrap();
    assert!(toml.contains("passphrase = \"<redacted>\"") && toml.contains("credentials = \"<redacted>\""), "{toml}");
    assert!(out.join("evidence/mke/oscal-catalogs.json").is_file());
    assert!(out.join("evidence/mke/oscal-components.json").is_file(), "endpoints /oscal lists are fetched too");
    let records = std::fs::read_to_string(out.join("evidence/records.jsonl")).unwrap();
    assert!(records.contains("\"endpoint\":\"GET /oscal/controls\"") && records.contains("not offered by this MKE (HTTP 404)"));
    let resources = ar["assessment-results"]["back-matter"]["resources"].as_array().unwrap();
    assert!(resources.iter().any(|r| r["title"] == "MKE /oscal answer: catalogs" && r["rlinks"][0]["href"] == "evidence/mke/oscal-catalogs.json"));
    assert_no_secrets(dir.path(), &[&stdout, &stderr]);

    // Offline, the same bytes.
    let again = dir.path().join("again");
    let o = common::run(&["assess", "mke", "--evidence", out.join("evidence").to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let (live, offline) = (std::fs::read_to_string(out.join("assessment-results.json")).unwrap(), std::fs::read_to_string(again.join("assessment-results.json")).unwrap());
    assert!(live == offline, "offline re-assessment differs from the live run");
}

#[test]
fn test_mke_noncompliant_config_fails_each_config_rule() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-noncompliant.toml");
    server.set("/api/ucpversions", Reply::Ok("application/json", br#"["3.7.12", "3.7.15", "3.8.1"]"#.to_vec()));
    let (_, ar, ..) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap()], &[]);
    for rule in ["V-260903", "V-260909", "V-260914", "V-260917", "V-260918", "V-260935", "V-260942", "V-260945", "V-260946"] {
        assert_eq!(verdict(&ar, rule).0, "fail", "{rule}: {}", reason(&ar, rule));
    }
    assert_eq!(reason(&ar, "V-260903"), "session lifetime 60 min, renewal threshold 20 min (required: 10 and 0)");
    assert!(reason(&ar, "V-260945").contains("3.7.15, 3.8.1"));
    assert!(reason(&ar, "V-260935").contains("MKE configuration: ") && reason(&ar, "V-260935").contains("hostIPC"), "{}", reason(&ar, "V-260935"));
    assert_eq!(reason(&ar, "V-260946"), "no logon banner is configured (pre_logon_message is empty)");
}

#[test]
fn test_mke_password_login_one_token_and_relogin_on_401() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    // The token "expires" on config-toml: one 401, one re-login, then the answer.
    server.set("/api/ucp/config-toml", Reply::UnauthorizedOnce(Box::new(Reply::Ok("application/toml", common::mke_server::fixture("config-compliant.toml")))));
    let ca = server.bundle.join("ca.pem");
    let (_, ar, stdout, stderr) = assess(&server, &dir.path().join("out"), &["--ca", ca.to_str().unwrap(), "--username", USER], &[("MKE_PASSWORD", PASSWORD)]);
    assert_eq!(*server.logins.lock().unwrap(), 2, "one login, one re-login after the 401");
    assert_eq!(verdict(&ar, "V-260903").0, "pass");
    assert!(server.log.lock().unwrap().iter().filter(|l| l.starts_with("GET /api/")).all(|l| l.contains("bearer=true")));
    // Without a bundle there is no Docker API access: those rules say so.
    assert!(reason(&ar, "V-260910").starts_with("not assessed: GET /containers/json?all=1 was not collected"), "{}", reason(&ar, "V-260910"));
    assert_no_secrets(dir.path(), &[&stdout, &stderr]);
    // A wrong password: login refused, rules not assessed, exit 2.
    let (code, ar, ..) = assess(&server, &dir.path().join("out2"), &["--ca", ca.to_str().unwrap(), "--username", USER], &[("MKE_PASSWORD", "wrong")]);
    assert_eq!(code, 2);
    assert!(reason(&ar, "V-260903").contains("HTTP 401: login refused for user \"admin\""), "{}", reason(&ar, "V-260903"));
    // No password at all: a clear error before anything is collected.
    let o = common::bin().args(["assess", "mke", "--url", &server.url, "--ca", ca.to_str().unwrap(), "--username", USER, "--out", dir.path().join("o3").to_str().unwrap()]).env_remove("MKE_PASSWORD").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("set MKE_PASSWORD or --password-file"));
}

#[test]
fn test_mke_faults_leave_only_the_affected_rules_not_assessed() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    server.set("/api/ucp/config-toml", Reply::Status(500, r#"{"message":"internal error"}"#));
    server.set("/api/ucpversions", Reply::Hang);
    server.set("/collectionGrants?subjectType=all&expandUser=true&showPaths=true", Reply::Ok("application/json", br#"{"grants": [{"subjectID": "#.to_vec()));
    let started = std::time::Instant::now();
    let (code, ar, ..) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap()], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(25));
    assert_eq!(code, 1, "engine rules still decided");
    for rule in ["V-260903", "V-260914", "V-260918", "V-260946"] {
        assert_eq!(reason(&ar, rule), "not assessed: GET /api/ucp/config-toml failed: HTTP 500", "{rule}");
    }
    assert_eq!(reason(&ar, "V-260945"), "not assessed: GET /api/ucpversions failed: GET /api/ucpversions timed out after 3 s");
    assert_eq!(verdict(&ar, "V-260910").0, "fail");
    let records = std::fs::read_to_string(dir.path().join("out/evidence/records.jsonl")).unwrap();
    assert!(records.contains("malformed JSON body"), "the truncated grants answer is recorded as such");
}

#[test]
fn test_mke_wrong_ca_names_the_host_and_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    let other = MkeServer::start(&dir.path().join("other"), "config-compliant.toml");
    let wrong_ca = other.bundle.join("ca.pem");
    let (code, ar, _, stderr) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap(), "--ca", wrong_ca.to_str().unwrap()], &[]);
    let r = reason(&ar, "V-260903");
    assert!(r.contains(&server.url) && r.contains(&wrong_ca.display().to_string()), "{r}");
    assert!(r.contains("certificate") || r.contains("UnknownIssuer"), "{r}");
    // The Docker API still answers (its CA is the bundle's): the run goes on.
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn test_kubernetes_parts_decided_from_the_api_with_paging() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    server.k8s.lock().unwrap().pods = 1200;
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: both\nkube_system_services: [kube-dns]\n").unwrap();
    let out = dir.path().join("out");
    let (_, ar, stdout, stderr) = assess(&server, &out, &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    assert_eq!(server.k8s.lock().unwrap().pages_served, 3, "1200 pods in pages of 500");
    let v = |r: &str| verdict(&ar, r);
    let (s, f, _) = v("V-260911");
    assert_eq!(s, "fail");
    assert!(f.contains(&"app-a/web-9".to_string()) && f.contains(&"Deployment/app-b/billing".to_string()), "{f:?}");
    let (s, f, _) = v("V-260913");
    assert_eq!((s.as_str(), f), ("fail", vec!["app-a/web-7".to_string(), "stig-hostnet".to_string()]), "containers and pods together");
    assert!(v("V-260925").1.contains(&"app-b".to_string()));
    assert_eq!(v("V-260905").1, vec!["default/web".to_string(), "kube-system/metrics-server".to_string()]);
    assert_eq!(v("V-260912"), ("fail".into(), vec!["alice-admin".to_string()], vec![]));
    assert_eq!(v("V-260932").0, "not-reviewed");
    assert!(reason(&ar, "V-260932").contains("local-path"));
    // Kubelets protect kernel defaults; the Swarm half (capabilities) needs P-CAPS: stig-capadd adds one.
    assert_eq!(v("V-260933").0, "not-reviewed", "{}", reason(&ar, "V-260933"));
    assert!(reason(&ar, "V-260933").starts_with("Kubernetes: none of 2 kubelet settings") && reason(&ar, "V-260933").contains("P-CAPS"), "{}", reason(&ar, "V-260933"));
    assert_eq!(v("V-260931").0, "pass", "{}", reason(&ar, "V-260931"));
    let pods = std::fs::read_to_string(out.join("evidence/k8s/pods.jsonl")).unwrap();
    assert_eq!(pods.lines().count(), 1200);
    assert!(pods.contains("\"LOG_LEVEL\"") && !pods.contains("K8S-canary-literal"), "env values redacted, names kept");
    assert_no_secrets(dir.path(), &[&stdout, &stderr]);
    for t in [stdout, stderr] {
        assert!(!t.contains("K8S-canary-literal"));
    }
}

#[test]
fn test_kubernetes_continue_token_expiry_leaves_pod_rules_not_assessed() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    {
        let mut k = server.k8s.lock().unwrap();
        k.pods = 1200;
        k.expire_at_page = Some(2);
    }
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: kubernetes\n").unwrap();
    let (_, ar, ..) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    let r = reason(&ar, "V-260911");
    assert!(r.contains("Kubernetes: pods: not assessed: GET /api/v1/pods failed at /api/v1/pods (page 2): HTTP 410"), "{r}");
    // Lists that were read whole still decide their rules.
    assert_eq!(verdict(&ar, "V-260912").0, "fail");
    assert!(verdict(&ar, "V-260925").1.contains(&"app-b".to_string()));
}

/// 100,000 pods in pages of 500: collected page by page and assessed. Time and peak memory of
/// the same run, with the release binary, are in the notes (benches/kubernetes_pods.sh).
#[test]
fn test_kubernetes_100000_pods_in_pages_of_500() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    server.k8s.lock().unwrap().pods = 100_000;
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: kubernetes\n").unwrap();
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    let (_, ar, ..) = assess(&server, &out, &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--timeout", "30"], &[]);
    // Peak resident memory of the largest child this test process ran (this run, when the
    // test runs alone): the figure for the notes.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    eprintln!("100,000 pods collected and assessed in {:.1} s, peak RSS {peak_mb:.0} MB", started.elapsed().as_secs_f64());
    assert!(peak_mb < 1024.0, "peak memory {peak_mb:.0} MB");
    assert_eq!(server.k8s.lock().unwrap().pages_served, 200);
    let pods = std::fs::File::open(out.join("evidence/k8s/pods.jsonl")).unwrap();
    assert_eq!(std::io::BufRead::lines(std::io::BufReader::new(pods)).count(), 100_000);
    assert!(reason(&ar, "V-260913").contains("1 of 100000 pods use the host network"), "{}", reason(&ar, "V-260913"));
}

#[test]
fn test_msr_rules_and_certificate_chains_against_the_trusted_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, format!("trusted_ca_bundle: {}\n", server.bundle.join("ca.pem").display())).unwrap();
    let args = ["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--msr-url", &server.url, "--username", USER];
    let (_, ar, stdout, stderr) = assess(&server, &dir.path().join("out"), &args, &[("MKE_PASSWORD", PASSWORD)]);
    for rule in ["V-260916", "V-260919", "V-260927", "V-260928", "V-260943"] {
        assert_eq!(verdict(&ar, rule).0, "pass", "{rule}: {}", reason(&ar, rule));
    }
    assert!(reason(&ar, "V-260904").contains("1 organizations (platform), 2 users (admin, dev1)"), "{}", reason(&ar, "V-260904"));
    assert_no_secrets(dir.path(), &[&stdout, &stderr]);

    // A trusted bundle that did not sign the servers' certificates, and a lax MSR.
    let other = MkeServer::start(&dir.path().join("other"), "config-compliant.toml");
    std::fs::write(&policy, format!("trusted_ca_bundle: {}\n", other.bundle.join("ca.pem").display())).unwrap();
    server.set("/api/v0/meta/settings", Reply::Ok("application/json", br#"{"reportAnalytics":true,"createRepositoryOnPush":true,"scanningEnabled":false}"#.to_vec()));
    let (_, ar, ..) = assess(&server, &dir.path().join("out2"), &args, &[("MKE_PASSWORD", PASSWORD)]);
    for rule in ["V-260916", "V-260919", "V-260927", "V-260928", "V-260943"] {
        assert_eq!(verdict(&ar, rule).0, "fail", "{rule}: {}", reason(&ar, rule));
    }
    assert!(reason(&ar, "V-260916").contains("does not validate to the trusted CA bundle"));

    // No MSR given and none registered in MKE: not applicable only when the site says MSR is
    // not in use (MSR 3.x does not register itself in MKE).
    let (_, ar, ..) = assess(&server, &dir.path().join("out3"), &["--bundle", server.bundle.to_str().unwrap()], &[]);
    for rule in ["V-260904", "V-260916", "V-260919", "V-260928", "V-260943"] {
        assert_eq!(verdict(&ar, rule).0, "not-reviewed", "{rule}");
    }
    std::fs::write(&policy, "msr_in_use: false\n").unwrap();
    let (_, ar, ..) = assess(&server, &dir.path().join("out4"), &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    for rule in ["V-260904", "V-260916", "V-260919", "V-260928", "V-260943"] {
        assert_eq!(verdict(&ar, rule).0, "not-applicable", "{rule}");
    }
    assert!(reason(&ar, "V-260927").starts_with("needs site parameter P-TRUST"));
}

/// The whole command against the test MKE with the real Docker Engine behind it (as MKE
/// proxies its nodes' engines): all 44 rules decided or explained, the engine ones from the
/// real engine's containers.
#[test]
fn test_mke_with_the_real_docker_engine_behind_it() {
    let Some(engine) = common::engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sock = std::path::PathBuf::from(engine.host.trim_start_matches("unix://"));
    let server = MkeServer::start_with_engine(dir.path(), "config-noncompliant.toml", Some(sock));
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: both\n").unwrap();
    let (code, ar, stdout, stderr) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    assert_eq!(code, 1, "{stderr}");
    let findings = ar["assessment-results"]["results"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 44);
    // Engine rules from the real engine's containers, MKE rules from the configuration,
    // Kubernetes rules from the API, in one document.
    let (s, f, _) = verdict(&ar, "V-260913");
    assert_eq!(s, "fail");
    assert!(f.contains(&"stig-hostnet".to_string()) && f.contains(&"app-a/web-7".to_string()), "{f:?}");
    assert_eq!(verdict(&ar, "V-260910").1, vec!["stig-sshd".to_string()]);
    assert_eq!(verdict(&ar, "V-260903").0, "fail");
    assert_eq!(verdict(&ar, "V-260912").0, "fail");
    // Every rule has a verdict and a reason; those not decided say why.
    for f in findings {
        assert!(!f["description"].as_str().unwrap().is_empty());
    }
    for t in [&stdout, &stderr] {
        assert!(!t.contains(&engine.canary));
    }
}

#[test]
fn test_kubernetes_unusable_kubeconfig_is_said_in_each_kubernetes_rule() {
    let dir = tempfile::tempdir().unwrap();
    let server = MkeServer::start(dir.path(), "config-compliant.toml");
    let bad = dir.path().join("kube.yml");
    std::fs::write(&bad, "apiVersion: v1\nkind: Config\nclusters: [\n").unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: kubernetes\n").unwrap();
    let (code, ar, _, stderr) = assess(&server, &dir.path().join("out"), &["--bundle", server.bundle.to_str().unwrap(), "--kubeconfig", bad.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &[]);
    assert!(stderr.contains("warning: Kubernetes API not collected: kubeconfig"), "{stderr}");
    let r = reason(&ar, "V-260912");
    assert!(r.contains("Kubernetes: not assessed: Kubernetes is in use, but the Kubernetes API could not be read") && r.contains("kubeconfig"), "{r}");
    assert_eq!(verdict(&ar, "V-260912").0, "not-reviewed");
    assert_eq!(code, 1, "everything else is still assessed");
}
