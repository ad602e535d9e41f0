//! Faults a real engine will not produce on demand: a local fake Docker Engine on a unix
//! socket answers with the recorded answers of a real engine (examples/docker-snapshot)
//! and injects a 403, a 401, a container removed between list and inspect, a malformed body
//! and a hanging call. Each run must finish, mark exactly the affected rules "not assessed:
//! <reason>", and write everything else.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{copy_dir, verdict};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot")
}

#[derive(Clone)]
enum Answer {
    Json(u16, Vec<u8>),
    Raw(u16, &'static str),
    Hang,
}

/// Answers recorded from the real engine, keyed by request path (with query).
fn recorded() -> HashMap<String, Answer> {
    let dir = fixture();
    let mut map = HashMap::new();
    let files = [
        ("/version", "version.json"), ("/info", "info.json"), ("/containers/json?all=1", "containers.json"), ("/images/json", "images.json"),
        ("/networks", "networks.json"), ("/secrets", "secrets.json"), ("/services", "services.json"), ("/nodes", "nodes.json"),
    ];
    for (path, file) in files {
        map.insert(path.to_string(), Answer::Json(200, std::fs::read(dir.join("docker").join(file)).unwrap()));
    }
    for (file, suffix) in [("inspect.jsonl", "json"), ("top.jsonl", "top?ps_args=-eo%20pid,ppid,comm")] {
        for line in std::fs::read_to_string(dir.join("docker").join(file)).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let id = v["key"].as_str().unwrap();
            map.insert(format!("/containers/{id}/{suffix}"), Answer::Json(200, serde_json::to_vec(&v["body"]).unwrap()));
        }
    }
    map
}

/// Serves `answers` on a unix socket in `dir` until the test ends.
fn serve(dir: &Path, answers: HashMap<String, Answer>) -> String {
    let sock = dir.join("fake-docker.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let answers = answers.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = match answers.get(&path) {
                    Some(Answer::Json(s, b)) => (*s, b.clone()),
                    Some(Answer::Raw(s, b)) => (*s, b.as_bytes().to_vec()),
                    Some(Answer::Hang) => {
                        std::thread::sleep(Duration::from_secs(30));
                        return;
                    }
                    None => (404, br#"{"message":"page not found"}"#.to_vec()),
                };
                let head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
                let _ = stream.flush();
                let _ = reader.read(&mut [0u8; 1]);
            });
        }
    });
    format!("unix://{}", sock.display())
}

fn container_id(name: &str) -> String {
    let list: Value = serde_json::from_slice(&std::fs::read(fixture().join("docker/containers.json")).unwrap()).unwrap();
    list.as_array().unwrap().iter().find(|c| c["Names"][0] == format!("/{name}")).unwrap()["Id"].as_str().unwrap().to_string()
}

fn run_against(answers: HashMap<String, Answer>) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(dir.path(), answers);
    let out = dir.path().join("out");
    // The recorded engine carries no MKE orchestrator labels: the site says Swarm (P-ORCH).
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: swarm\n").unwrap();
    let o = common::run(&["assess", "docker", "--docker-host", &host, "--policy", policy.to_str().unwrap(), "--out", out.to_str().unwrap(), "--timeout", "2"]);
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).expect("AR written")).unwrap();
    let (_, errors) = common::validate_with_constraints(&ar).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!common::stderr(&o).contains("panicked"));
    (o.status.code().unwrap(), ar, common::stderr(&o))
}

fn reason(ar: &Value, rule: &str) -> String {
    ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().iter().find(|f| common::finding_rule(f) == rule).unwrap()["description"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn fake_engine_replaying_recorded_answers_matches_the_recording() {
    let (code, ar, _) = run_against(recorded());
    assert_eq!(code, 1);
    assert_eq!(verdict(&ar, "V-260913"), ("fail".into(), vec!["stig-hostnet".into()], vec![]));
    assert_eq!(verdict(&ar, "V-260944").0, "pass");
}

#[test]
fn forbidden_images_and_unauthorized_secrets_affect_only_their_rules() {
    let mut a = recorded();
    a.insert("/images/json".into(), Answer::Raw(403, r#"{"message":"access denied: not an admin"}"#));
    a.insert("/secrets".into(), Answer::Raw(401, r#"{"message":"unauthorized"}"#));
    let policy_free = run_against(a);
    let (code, ar, _) = policy_free;
    assert_eq!(code, 1, "the rest still fails as recorded");
    assert!(reason(&ar, "V-260944").contains("not assessed: GET /images/json failed: HTTP 403: access denied: not an admin"), "{}", reason(&ar, "V-260944"));
    assert_eq!(verdict(&ar, "V-260944").0, "not-reviewed");
    assert!(reason(&ar, "V-260911").contains("not assessed: GET /secrets failed: HTTP 401: unauthorized"), "{}", reason(&ar, "V-260911"));
    assert_eq!(verdict(&ar, "V-260911").0, "not-reviewed");
    assert_eq!(verdict(&ar, "V-260913").0, "fail");
    assert_eq!(verdict(&ar, "V-260908").0, "fail");
}

#[test]
fn a_container_removed_between_list_and_inspect_is_skipped_and_said() {
    let mut a = recorded();
    let id = container_id("stig-hostnet");
    a.insert(format!("/containers/{id}/json"), Answer::Raw(404, r#"{"message":"No such container"}"#));
    let (code, ar, _) = run_against(a);
    assert_eq!(code, 1);
    let (v, failing, _) = verdict(&ar, "V-260913");
    assert_eq!((v.as_str(), failing.len()), ("pass", 0), "the only host-network container is gone");
    assert!(reason(&ar, "V-260913").contains("1 removed during collection"), "{}", reason(&ar, "V-260913"));
    assert_eq!(verdict(&ar, "V-260930").1, vec!["stig-pidhost".to_string()]);
}

#[test]
fn an_inspect_refused_with_403_leaves_container_rules_not_assessed_unless_they_fail_anyway() {
    let mut a = recorded();
    let id = container_id("stig-hostnet");
    a.insert(format!("/containers/{id}/json"), Answer::Raw(403, r#"{"message":"denied"}"#));
    let (_, ar, _) = run_against(a);
    // The only host-network container is unknown: the rule cannot pass.
    assert_eq!(verdict(&ar, "V-260913").0, "not-reviewed");
    assert!(reason(&ar, "V-260913").contains("not assessed: 1 listed container(s) could not be inspected (first: stig-hostnet: HTTP 403: denied)"), "{}", reason(&ar, "V-260913"));
    // Rules with failures among the known containers still fail, and say the evidence is partial.
    assert_eq!(verdict(&ar, "V-260937").1, vec!["stig-seccomp".to_string()]);
    assert!(reason(&ar, "V-260937").contains("also not assessed: 1 listed container(s) could not be inspected"), "{}", reason(&ar, "V-260937"));
    // Engine-level rules are unaffected.
    assert_eq!(verdict(&ar, "V-260926").0, "pass");
}

#[test]
fn a_malformed_body_and_a_hanging_call_are_reported_and_the_run_finishes() {
    let mut a = recorded();
    a.insert("/networks".into(), Answer::Raw(200, r#"[{"Name": "bridge", "Scope": "lo"#));
    a.insert("/info".into(), Answer::Hang);
    let started = std::time::Instant::now();
    let (code, ar, _) = run_against(a);
    assert!(started.elapsed() < Duration::from_secs(20), "the timeout bounds the run");
    assert_eq!(code, 1);
    let r = reason(&ar, "V-260931");
    assert!(r.contains("not assessed: GET /networks failed: HTTP 200: malformed JSON body"), "{r}");
    for rule in ["V-260908", "V-260915", "V-260926"] {
        assert_eq!(verdict(&ar, rule).0, "not-reviewed", "{rule}");
        assert!(reason(&ar, rule).contains("GET /info failed: GET /info timed out after 2 s"), "{rule}: {}", reason(&ar, rule));
    }
    assert_eq!(verdict(&ar, "V-260937").1, vec!["stig-seccomp".to_string()]);
}

#[test]
fn an_unreachable_engine_exits_2_and_still_writes_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let host = format!("unix://{}", dir.path().join("no-such.sock").display());
    let o = common::run(&["assess", "docker", "--docker-host", &host, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(err.contains("error: no rule could be assessed: every call failed (first: GET ") && err.contains("cannot connect to unix://"), "{err}");
    assert!(err.contains("No such file or directory"), "the cause is named: {err}");
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).unwrap()).unwrap();
    assert_eq!(ar["assessment-results"]["results"][0]["findings"].as_array().unwrap().len(), 44, "every rule of the STIG, each saying why");
    assert!(common::run(&["validate", out.join("assessment-results.json").to_str().unwrap()]).status.success());
}

#[test]
fn fail_on_threshold_gates_the_exit_code() {
    // The recorded engine with FIPS on: the only CAT I failure goes away.
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    copy_dir(&fixture(), &snap);
    let info_path = snap.join("docker/info.json");
    let mut info: Value = serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
    info["SecurityOptions"].as_array_mut().unwrap().push("name=fips".into());
    std::fs::write(&info_path, serde_json::to_vec_pretty(&info).unwrap()).unwrap();
    common::reseal(&snap);
    let run = |fail_on: &str| {
        let out = dir.path().join(format!("out-{fail_on}"));
        common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--out", out.to_str().unwrap(), "--fail-on", fail_on]).status.code()
    };
    assert_eq!(run("high"), Some(0), "no CAT I rule fails");
    assert_eq!(run("medium"), Some(1));
    assert_eq!(run("low"), Some(1));
}

#[test]
fn a_broken_snapshot_is_unusable_input() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::run(&["assess", "docker", "--evidence", dir.path().to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("manifest.json"), "{}", common::stderr(&o));
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "allowed_portz: []\n").unwrap();
    let o = common::run(&["assess", "docker", "--evidence", fixture().to_str().unwrap(), "--policy", bad.to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("unknown field `allowed_portz`"), "{}", common::stderr(&o));
}

fn append_record(snap: &Path, record: Value) {
    let path = snap.join("records.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("{record}\n"));
    std::fs::write(&path, text).unwrap();
}

/// A snapshot as `assess mke` collects it through MKE: MKE's aggregated /info (no
/// SecurityOptions, ServerVersion ucp/...), two nodes in /nodes, the admin identity.
fn through_mke(dir: &Path) -> PathBuf {
    let snap = dir.join("snap");
    copy_dir(&fixture(), &snap);
    let info_path = snap.join("docker/info.json");
    let mut info: Value = serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
    info.as_object_mut().unwrap().remove("SecurityOptions");
    info["ServerVersion"] = "ucp/3.7.12".into();
    std::fs::write(&info_path, serde_json::to_vec_pretty(&info).unwrap()).unwrap();
    common::reseal(&snap);
    let node = |name: &str, role: &str| serde_json::json!({"ID": name, "Description": {"Hostname": name}, "Spec": {"Role": role, "Labels": {"com.docker.ucp.orchestrator.swarm": "true"}}, "Status": {"Addr": "127.0.0.1"}});
    std::fs::write(snap.join("docker/nodes.json"), serde_json::to_vec_pretty(&serde_json::json!([node("mgr-1", "manager"), node("wkr-1", "worker")])).unwrap()).unwrap();
    std::fs::create_dir_all(snap.join("mke")).unwrap();
    std::fs::write(snap.join("mke/id.json"), r#"{"name": "admin", "isAdmin": true}"#).unwrap();
    append_record(&snap, serde_json::json!({"source": "mke", "endpoint": "GET /id/", "time": "2026-11-23T01:15:09.480Z", "status": 200, "stored": "mke/id.json"}));
    snap
}

fn assess_offline(snap: &Path, out: &Path) -> Value {
    common::reseal(snap);
    let o = common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!common::stderr(&o).contains("panicked"), "{}", common::stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).unwrap()).unwrap()
}

/// MKE's aggregated /info describes no node; every node /nodes lists must answer through the
/// per-node proxy. FIPS is judged on managers only; drivers on every node, each named.
#[test]
fn node_rules_need_every_listed_nodes_own_engine() {
    let dir = tempfile::tempdir().unwrap();
    let snap = through_mke(dir.path());
    let aggregate: Value = serde_json::from_slice(&std::fs::read(fixture().join("docker/info.json")).unwrap()).unwrap();
    // Without per-node answers: not assessed, never a pass or N/A from the aggregate.
    let ar = assess_offline(&snap, &dir.path().join("o1"));
    for rule in ["V-260908", "V-260920", "V-260921", "V-260926"] {
        assert_eq!(verdict(&ar, rule).0, "not-reviewed", "{rule}: {}", reason(&ar, rule));
        assert!(reason(&ar, rule).contains("not assessed"), "{rule}: {}", reason(&ar, rule));
    }
    let node = |role: &str, fips: bool, driver: &str| {
        let mut i = aggregate.clone();
        let mut opts = vec![Value::from("name=seccomp,profile=default")];
        if fips {
            opts.push("name=fips".into());
        }
        i["SecurityOptions"] = Value::Array(opts);
        i["Driver"] = driver.into();
        serde_json::json!({ "role": role, "info": i })
    };
    // Only the manager answered: the worker is missing.
    std::fs::write(snap.join("docker/node-info.jsonl"), serde_json::json!({"key": "mgr-1", "body": node("manager", true, "overlay2")}).to_string() + "\n").unwrap();
    append_record(&snap, serde_json::json!({"source": "docker", "endpoint": "GET /info (node mgr-1 at 127.0.0.1:12376)", "time": "2026-11-23T01:15:09.480Z", "status": 200, "stored": "docker/node-info.jsonl#mgr-1"}));
    let ar = assess_offline(&snap, &dir.path().join("o2"));
    assert_eq!(verdict(&ar, "V-260908").0, "pass", "FIPS is judged on managers: {}", reason(&ar, "V-260908"));
    assert_eq!(verdict(&ar, "V-260926").0, "not-reviewed", "{}", reason(&ar, "V-260926"));
    assert!(reason(&ar, "V-260926").contains("wkr-1"), "the missing node is named: {}", reason(&ar, "V-260926"));
    // Both answered: a FIPS manager and a non-FIPS worker pass V-260908; the worker's btrfs fails V-260926.
    let lines = [("mgr-1", node("manager", true, "overlay2")), ("wkr-1", node("worker", false, "btrfs"))]
        .iter()
        .map(|(k, b)| serde_json::json!({ "key": k, "body": b }).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(snap.join("docker/node-info.jsonl"), lines + "\n").unwrap();
    append_record(&snap, serde_json::json!({"source": "docker", "endpoint": "GET /info (node wkr-1 at 127.0.0.1:12376)", "time": "2026-11-23T01:15:09.480Z", "status": 200, "stored": "docker/node-info.jsonl#wkr-1"}));
    let ar = assess_offline(&snap, &dir.path().join("o3"));
    assert_eq!(verdict(&ar, "V-260908").0, "pass", "{}", reason(&ar, "V-260908"));
    assert_eq!(verdict(&ar, "V-260926"), ("fail".into(), vec!["wkr-1".to_string()], vec![]));
}

/// Through MKE, what the account sees depends on its grants: a non-admin's view is incomplete.
#[test]
fn a_non_admin_account_cannot_clear_container_rules() {
    let dir = tempfile::tempdir().unwrap();
    let snap = through_mke(dir.path());
    std::fs::write(snap.join("mke/id.json"), r#"{"name": "dev1", "isAdmin": false}"#).unwrap();
    let ar = assess_offline(&snap, &dir.path().join("o"));
    // The host-network container is seen and fails; rules with nothing failing cannot pass.
    assert_eq!(verdict(&ar, "V-260913").1, vec!["stig-hostnet".to_string()]);
    let r = reason(&ar, "V-260939");
    assert!(r.contains("\"dev1\" is not an MKE admin"), "{r}");
    assert_eq!(verdict(&ar, "V-260944").0, "not-reviewed", "{}", reason(&ar, "V-260944"));
}

/// A snapshot that lost a file its records say was stored is not read as "no containers".
#[test]
fn a_stored_file_gone_from_the_snapshot_is_missing_evidence_not_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    copy_dir(&fixture(), &snap);
    std::fs::remove_file(snap.join("docker/inspect.jsonl")).unwrap();
    common::reseal(&snap);
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: swarm\n").unwrap();
    let out = dir.path().join("o");
    let o = common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!common::stderr(&o).contains("panicked"));
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).unwrap()).unwrap();
    for rule in ["V-260913", "V-260934", "V-260936"] {
        assert_eq!(verdict(&ar, rule).0, "not-reviewed", "{rule}: {}", reason(&ar, rule));
        assert!(reason(&ar, rule).contains("inspect.jsonl"), "{rule}: {}", reason(&ar, rule));
    }
}

/// An inspect answer without its HostConfig is of unexpected shape, not a container with every
/// setting at its default.
#[test]
fn an_inspect_answer_without_host_config_is_not_a_clean_container() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    copy_dir(&fixture(), &snap);
    let id = container_id("stig-hostnet");
    let path = snap.join("docker/inspect.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if v["key"] == id.as_str() {
                v["body"].as_object_mut().unwrap().remove("HostConfig");
            }
            v.to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::reseal(&snap);
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "orchestrator: swarm\n").unwrap();
    let out = dir.path().join("o");
    common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let ar: Value = serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).unwrap()).unwrap();
    assert_eq!(verdict(&ar, "V-260913").0, "not-reviewed", "{}", reason(&ar, "V-260913"));
    assert!(reason(&ar, "V-260913").contains("stig-hostnet: its inspect answer is of unexpected shape"), "{}", reason(&ar, "V-260913"));
}
