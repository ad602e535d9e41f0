//! Hostile and odd inputs found by fuzzing and by hand: each gives one clear line and the
//! right exit code, never a panic. (Reproducers are generated here, not committed as files.)

mod common;

use std::path::Path;

use common::copy_dir;

/// A container id with a non-ASCII character where ids are shortened to 12 characters.
#[test]
fn a_non_ascii_container_id_in_evidence_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot"), &snap);
    for f in ["records.jsonl", "docker/containers.json", "docker/inspect.jsonl", "docker/top.jsonl"] {
        let p = snap.join(f);
        std::fs::write(&p, std::fs::read_to_string(&p).unwrap().replace("5b50adb214c4", "5b50adb214cé")).unwrap();
    }
    let out = dir.path().join("o");
    let o = common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    assert!(!common::stderr(&o).contains("panicked"));
    let ar = std::fs::read_to_string(out.join("assessment-results.json")).unwrap();
    assert!(ar.contains("5b50adb214cé"), "the id is kept, whole or shortened by characters");
}

/// POA&M deadlines far in the future (or past) are refused in one line, not a date overflow.
#[test]
fn poam_days_out_of_range_are_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    for days in ["100000000", "-100000000"] {
        let o = common::run(&["poam", "--results", ar.to_str().unwrap(), &format!("--cat1-days={days}"), "-o", dir.path().join("p.json").to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{days}: {}", common::stderr(&o));
        let err = common::stderr(&o);
        assert!(!err.contains("panicked") && err.contains("cat1-days"), "{err}");
    }
}

/// A snapshot whose every evidence file is gone: nothing could be assessed, so exit 2, and the
/// document still says, rule by rule, what is missing.
#[test]
fn every_evidence_file_missing_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot"), &snap);
    std::fs::remove_dir_all(snap.join("docker")).unwrap();
    let out = dir.path().join("o");
    let o = common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("no rule could be assessed"), "{}", common::stderr(&o));
    assert!(out.join("assessment-results.json").is_file());
}

/// `--timestamp garbage` is refused before anything is written.
#[test]
fn a_timestamp_that_is_not_a_date_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ckl = dir.path().join("c.ckl");
    let ar = common::example_results(dir.path());
    assert!(common::run(&["checklist", "ckl", "--results", ar.to_str().unwrap(), "-o", ckl.to_str().unwrap()]).status.success());
    let out = dir.path().join("imported.json");
    let o = common::run(&["checklist", "import", ckl.to_str().unwrap(), "--timestamp", "garbage", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("not an RFC 3339 date-time"), "{}", common::stderr(&o));
    assert!(!out.exists());
}
