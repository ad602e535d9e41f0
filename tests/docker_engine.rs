//! `assess docker` against a real Docker Engine (Debian docker.io, started privately by
//! scripts/docker-test-env.sh with one container per violation). Asserts each rule's verdict
//! and the exact failing subjects, offline re-assessment byte for byte, mTLS through a
//! client-bundle-shaped directory, and that the canary secret reaches no output.

mod common;

use std::path::Path;
use std::process::Output;

use common::{engine, verdict, Engine};
use serde_json::Value;

const ALL: &[&str] = &[
    "stig-allifaces", "stig-canary", "stig-capadd", "stig-compliant", "stig-dockersock", "stig-hostnet", "stig-ipchost",
    "stig-pidhost", "stig-port80", "stig-privileged", "stig-seccomp", "stig-sshd", "stig-usernshost",
];

fn all_but(exclude: &[&str]) -> Vec<String> {
    ALL.iter().filter(|n| !exclude.contains(n)).map(|n| n.to_string()).collect()
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

fn assess(e: &Engine, out: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["assess", "docker", "--docker-host", &e.host, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = common::run(&args);
    let text = std::fs::read_to_string(out.join("assessment-results.json")).unwrap_or_else(|_| panic!("no AR written: {}", common::stderr(&o)));
    let v: Value = serde_json::from_str(&text).unwrap();
    let (_, errors) = common::validate_with_constraints(&v).unwrap();
    assert!(errors.is_empty(), "assessment-results invalid: {errors:?}");
    (o, v)
}

fn info_os(out: &Path) -> String {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("evidence/docker/info.json")).unwrap()).unwrap();
    v["OperatingSystem"].as_str().unwrap().to_string()
}

#[test]
fn real_engine_with_only_the_orchestrator_decides_every_rule_with_exact_subjects() {
    let Some(e) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    // A plain engine carries no MKE orchestrator labels: the policy says Swarm (P-ORCH).
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: swarm\n").unwrap();
    let (o, ar) = assess(&e, &dir.path().join("out"), &["--policy", policy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "failures exist: exit 1\n{}", common::stderr(&o));
    let v = |r: &str| verdict(&ar, r);

    assert_eq!(v("V-260907").0, "not-reviewed", "P-PORTS missing");
    assert_eq!(v("V-260941").0, "not-reviewed");
    let (s, f, _) = v("V-260908");
    assert_eq!((s.as_str(), f.len()), ("fail", 1), "no FIPS on this engine: the node fails");
    assert_eq!(v("V-260910"), ("fail".into(), names(&["stig-sshd"]), vec![]));
    assert_eq!(v("V-260911").0, "not-reviewed", "P-SECRETS missing");
    assert_eq!(v("V-260913"), ("fail".into(), names(&["stig-hostnet"]), vec![]));
    assert_eq!(v("V-260915").0, "fail", "json-file log driver");
    let os = info_os(&dir.path().join("out"));
    if !os.contains("Ubuntu") {
        assert_eq!(v("V-260920").0, "not-applicable");
    }
    if !os.contains("Red Hat") && !os.contains("CentOS") {
        assert_eq!(v("V-260921").0, "not-applicable");
    }
    assert_eq!(v("V-260922"), ("fail".into(), names(&["stig-dockersock"]), vec![]));
    assert_eq!(v("V-260923").0, "not-reviewed", "P-CAPS missing while stig-capadd adds NET_ADMIN");
    assert_eq!(v("V-260924"), ("fail".into(), names(&["stig-port80"]), vec![]));
    assert_eq!(v("V-260929"), ("fail".into(), names(&["stig-port80"]), vec![]));
    assert_eq!(v("V-260925"), ("fail".into(), all_but(&["stig-compliant", "stig-privileged"]), vec![]), "running containers without memory limit / with default CPU shares");
    assert_eq!(v("V-260903").0, "not-reviewed", "MKE's configuration is not on a plain engine");
    assert!(verdict_reason(&ar, "V-260903").starts_with("not assessed: "), "{}", verdict_reason(&ar, "V-260903"));
    assert_eq!(v("V-260926").0, "pass");
    assert_eq!(v("V-260930"), ("fail".into(), names(&["stig-pidhost"]), vec![]));
    assert_eq!(v("V-260931").0, "pass");
    assert_eq!(v("V-260934"), ("fail".into(), all_but(&["stig-compliant"]), vec![]));
    assert_eq!(v("V-260935"), ("fail".into(), names(&["stig-ipchost"]), vec![]));
    assert_eq!(v("V-260936"), ("fail".into(), all_but(&["stig-compliant"]), vec![]));
    assert_eq!(v("V-260937"), ("fail".into(), names(&["stig-seccomp"]), vec![]));
    assert_eq!(v("V-260939"), ("fail".into(), names(&["stig-usernshost"]), vec![]));
    assert_eq!(v("V-260940"), ("fail".into(), names(&["stig-privileged"]), vec![]), "created-only privileged container");
    assert_eq!(v("V-260944").0, "pass");

    // Every verdict names its subjects, with the deciding values.
    let result = &ar["assessment-results"]["results"][0];
    let obs = result["observations"].as_array().unwrap();
    let hostnet = obs.iter().find(|o| o["title"] == "V-260913 failed").unwrap();
    let props = hostnet["subjects"][0]["props"].as_array().unwrap();
    assert!(props.iter().any(|p| p["value"] == "HostConfig.NetworkMode=host"), "{props:?}");
    assert!(hostnet["description"].as_str().unwrap().contains("container `stig-hostnet`"));
    // The swarm networks rule reports the unencrypted overlay network.
    assert!(verdict_reason(&ar, "V-260931").contains("stig-plain-overlay"));
    assert!(!verdict_reason(&ar, "V-260931").contains("stig-encrypted-overlay"));

    // The table on stdout: one line per rule.
    let out = common::stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("V-260913") && l.contains("fail") && l.contains(" 1 ")), "{out}");
}

#[test]
fn real_engine_without_policy_swarm_rules_are_not_assessed_not_guessed() {
    let Some(e) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (o, ar) = assess(&e, dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "failures exist: exit 1\n{}", common::stderr(&o));
    // No MKE node labels, no P-ORCH: whether Swarm is in use is unknown, so the Swarm-only
    // rules are not reviewed (never not applicable, never pass), even with violations present.
    for r in ["V-260922", "V-260936", "V-260937", "V-260939", "V-260940"] {
        assert_eq!(verdict(&ar, r).0, "not-reviewed", "{r}");
        assert!(verdict_reason(&ar, r).contains("whether Swarm is in use is unknown"), "{r}: {}", verdict_reason(&ar, r));
    }
    // Rules the STIG does not gate on the orchestrator still fail.
    assert_eq!(verdict(&ar, "V-260910"), ("fail".into(), names(&["stig-sshd"]), vec![]));
    assert_eq!(verdict(&ar, "V-260934").0, "fail");
}

fn verdict_reason(ar: &Value, rule: &str) -> String {
    ar["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| common::finding_rule(f) == rule)
        .unwrap()["description"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn real_engine_with_site_policy() {
    let Some(e) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    let high_port = std::env::var("OSCAL_STIG_TEST_HIGH_PORT").unwrap_or_else(|_| "8080".into());
    std::fs::write(
        &policy,
        r#"
allowed_ports:
  - match: { name: "^stig-allifaces$" }
    justification: "PPSM CAL entry 3 (test)"
    host_port: HIGH_PORT
    container_port: 8080
orchestrator: swarm
swarm_secrets: [db_password, tls_key]
allowed_capabilities:
  - match: { name: "^stig-capadd$" }
    justification: "network tool (test)"
    capabilities: [NET_ADMIN]
exceptions:
  - rules: [V-260913]
    match: { name: "^stig-hostnet$" }
    justification: "host networking documented in the SSP (test)"
log_drivers: [json-file]
"#
        .replace("HIGH_PORT", &high_port),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (_, ar) = assess(&e, &out, &["--policy", policy.to_str().unwrap()]);
    let v = |r: &str| verdict(&ar, r);
    // The approved port is listed with its approval (allowed_ports[0] and its justification).
    assert_eq!(v("V-260907"), ("fail".into(), names(&["stig-port80"]), names(&["stig-allifaces"])));
    // V-260941 is not applicable when MKE runs an ingress controller: unknown on a plain engine.
    assert_eq!(v("V-260941").0, "not-reviewed");
    assert!(verdict_reason(&ar, "V-260941").contains("1 of 12 running containers map ports the SSP does not approve"), "what the ports showed is still said: {}", verdict_reason(&ar, "V-260941"));
    assert_eq!(v("V-260911"), ("fail".into(), names(&["tls_key"]), vec![]), "tls_key is not a Swarm secret");
    assert_eq!(v("V-260923"), ("pass".into(), vec![], names(&["stig-capadd"])), "approved, and listed with its approval");
    assert_eq!(v("V-260913"), ("pass".into(), vec![], names(&["stig-hostnet"])), "excepted, and still listed");
    assert_eq!(v("V-260915").0, "not-reviewed", "driver accepted; SIEM part is manual");
    // Orchestrator Kubernetes makes the Swarm-only rules not applicable.
    std::fs::write(&policy, "orchestrator: kubernetes\n").unwrap();
    let (_, ar) = assess(&e, &dir.path().join("out2"), &["--policy", policy.to_str().unwrap()]);
    for r in ["V-260922", "V-260923", "V-260930", "V-260936", "V-260937", "V-260939", "V-260940"] {
        assert_eq!(verdict(&ar, r).0, "not-applicable", "{r}");
    }
    // Their Kubernetes halves need the Kubernetes API or MKE's configuration, absent here.
    for r in ["V-260911", "V-260925", "V-260931"] {
        assert_eq!(verdict(&ar, r).0, "not-reviewed", "{r}: {}", verdict_reason(&ar, r));
    }
    // Its container half is Swarm's (the STIG says "when using Swarm orchestration"); the pods,
    // which decide it under Kubernetes, are not on an engine.
    assert_eq!(verdict(&ar, "V-260913").0, "not-reviewed", "{}", verdict_reason(&ar, "V-260913"));
}

#[test]
fn offline_reassessment_is_byte_identical_and_no_secret_leaks() {
    let Some(e) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    let (o, _) = assess(&e, &live, &[]);
    let offline = dir.path().join("offline");
    let o2 = common::run(&["assess", "docker", "--evidence", live.join("evidence").to_str().unwrap(), "--out", offline.to_str().unwrap()]);
    assert_eq!(o2.status.code(), o.status.code());
    assert_eq!(std::fs::read(live.join("assessment-results.json")).unwrap(), std::fs::read(offline.join("assessment-results.json")).unwrap());
    assert_eq!(common::stdout(&o), common::stdout(&o2));

    // The canary was an environment value, a command-line flag value and a Swarm secret.
    let mut texts = vec![common::stdout(&o), common::stderr(&o), common::stdout(&o2), common::stderr(&o2)];
    for f in common::files_with_ext(dir.path(), &[""]) {
        texts.push(String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned());
    }
    assert!(texts.len() > 10);
    for t in &texts {
        assert!(!t.contains(&e.canary), "the canary secret leaked");
    }
    // The names are kept for the assessor.
    let inspect = std::fs::read_to_string(live.join("evidence/docker/inspect.jsonl")).unwrap();
    assert!(inspect.contains("DB_PASSWORD=<redacted>") && inspect.contains("--db-password=<redacted>"));
}

#[test]
fn client_bundle_mtls_reaches_the_engine() {
    let Some(e) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let o = common::run(&["assess", "docker", "--bundle", e.bundle.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let manifest = std::fs::read_to_string(dir.path().join("evidence/manifest.json")).unwrap();
    assert!(manifest.contains("tcp://127.0.0.1:") && manifest.contains("TLS"), "{manifest}");
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("assessment-results.json")).unwrap()).unwrap();
    // No orchestrator labels on a plain engine: the Swarm half is not assessed, never passed.
    assert_eq!(verdict(&ar, "V-260913").0, "not-reviewed");
    assert_eq!(verdict(&ar, "V-260910"), ("fail".into(), names(&["stig-sshd"]), vec![]));

    // A bundle whose CA did not sign the engine's certificate: TLS fails, clearly, and nothing
    // is assessed (exit 2) - but the document is still written.
    let wrong = dir.path().join("wrong-bundle");
    std::fs::create_dir(&wrong).unwrap();
    for f in ["cert.pem", "key.pem", "env.sh"] {
        std::fs::copy(e.bundle.join(f), wrong.join(f)).unwrap();
    }
    let ca_key = wrong.join("ca-key.pem");
    let st = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other CA", "-keyout"])
        .arg(&ca_key)
        .arg("-out")
        .arg(wrong.join("ca.pem"))
        .output()
        .unwrap();
    assert!(st.status.success());
    let out2 = dir.path().join("out2");
    let o = common::run(&["assess", "docker", "--bundle", wrong.to_str().unwrap(), "--out", out2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(out2.join("assessment-results.json")).unwrap()).unwrap();
    let reason = verdict_reason(&ar, "V-260908");
    assert!(reason.starts_with("not assessed: ") && reason.contains("cannot connect to tcp://127.0.0.1:"), "{reason}");
    assert!(reason.contains("certificate") || reason.contains("UnknownIssuer"), "{reason}");
}
