//! `oscal-stig diff`: two assessments of the bundled example snapshot, the second after three
//! edits to a copy of its evidence, compared as assessment-results, CKL and CKLB.
//!
//! The edits, and what the diff must report (exactly these, nothing else):
//! - stig-pidhost no longer shares the host PID namespace: V-260930 resolved, the container no
//!   longer failing;
//! - stig-compliant runs seccomp unconfined: V-260937 still open, the container newly failing;
//! - the engine uses the btrfs storage driver: V-260926 regressed, node vm newly failing.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{copy_dir, run, stderr, stdout};
use serde_json::Value;

struct Runs {
    old: PathBuf,
    new: PathBuf,
}

/// Both assessments, made once for all tests (each `assess` is a process run).
fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let old = common::example_results(&dir);

        let snap = dir.join("snap");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot"), &snap);
        let inspect = snap.join("docker/inspect.jsonl");
        let lines: Vec<String> = std::fs::read_to_string(&inspect)
            .unwrap()
            .lines()
            .map(|line| {
                let mut v: Value = serde_json::from_str(line).unwrap();
                let name = v["body"]["Name"].as_str().unwrap().to_string();
                let host = &mut v["body"]["HostConfig"];
                match name.as_str() {
                    "/stig-pidhost" => host["PidMode"] = "".into(),
                    "/stig-compliant" => host["SecurityOpt"].as_array_mut().unwrap().push("seccomp=unconfined".into()),
                    _ => {}
                }
                v.to_string()
            })
            .collect();
        std::fs::write(&inspect, lines.join("\n") + "\n").unwrap();
        let info_path = snap.join("docker/info.json");
        let mut info: Value = serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
        info["Driver"] = "btrfs".into();
        std::fs::write(&info_path, serde_json::to_vec_pretty(&info).unwrap()).unwrap();
        common::reseal(&snap);

        let out = dir.join("new");
        let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml");
        let o = run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        Runs { old, new: out.join("assessment-results.json") }
    })
}

/// The same results as a checklist (`ckl` or `cklb`), in a file of its own per `test` (the
/// tests run at once).
fn checklist(results: &Path, kind: &str, test: &str) -> PathBuf {
    let path = results.with_file_name(format!("{test}.{kind}"));
    let o = run(&["checklist", kind, "--results", results.to_str().unwrap(), "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    path
}

fn diff_json(old: &Path, new: &Path) -> (i32, Value) {
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    (o.status.code().unwrap(), serde_json::from_str(&stdout(&o)).expect("the JSON output parses"))
}

/// (V- id, change) of every rule that is not still open, and (V- id, subject) of every
/// subject newly failing and no longer failing.
type Changes = (Vec<(String, String)>, Vec<(String, String)>, Vec<(String, String)>);

fn changes(d: &Value) -> Changes {
    let rules = d["rules"].as_array().unwrap();
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let subjects = |field: &str| -> Vec<(String, String)> {
        rules.iter().flat_map(|r| r["subjects"][field].as_array().unwrap().iter().map(move |x| (s(&r["vuln-id"]), s(x)))).collect()
    };
    let changed = rules.iter().filter(|r| r["change"] != "still-open").map(|r| (s(&r["vuln-id"]), s(&r["change"]))).collect();
    (changed, subjects("newly-failing"), subjects("no-longer-failing"))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn assert_the_three_edits(d: &Value) {
    let (changed, newly, no_longer) = changes(d);
    assert_eq!(changed, pairs(&[("V-260926", "regressed"), ("V-260930", "resolved")]), "{d:#}");
    assert_eq!(newly, pairs(&[("V-260926", "node vm"), ("V-260937", "container stig-compliant")]));
    assert_eq!(no_longer, pairs(&[("V-260930", "container stig-pidhost")]));
    assert_eq!(d["gate"], "fail");
    let summary = &d["summary"];
    assert_eq!((summary["regressed"].as_u64(), summary["resolved"].as_u64(), summary["new-finding"].as_u64(), summary["still-open"].as_u64()), (Some(1), Some(1), Some(0), Some(18)));
    assert_eq!(summary["revised"], 0, "the same STIG release on both sides");
    let regressed = d["rules"].as_array().unwrap().iter().find(|r| r["vuln-id"] == "V-260926").unwrap();
    assert_eq!((&regressed["stig-id"], &regressed["old"]["verdict"], &regressed["new"]["verdict"]), (&"CNTR-MK-000600".into(), &"pass".into(), &"fail".into()));
}

#[test]
fn two_runs_diff_per_rule_and_per_subject_and_fail_the_gate() {
    let r = runs();
    let (code, d) = diff_json(&r.old, &r.new);
    assert_eq!(code, 1, "a rule regressed");
    assert_eq!(d["format"], "oscal-stig-diff/1");
    assert_the_three_edits(&d);
    // Rules in DISA's order.
    let ids: Vec<&str> = d["rules"].as_array().unwrap().iter().map(|r| r["vuln-id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id.trim_start_matches("V-").parse::<u64>().unwrap());
    assert_eq!(ids, sorted);
    // Tool verdicts on both sides: none is the assessor's.
    assert_eq!(d["summary"]["decided-by-assessor"], 0);

    let o = run(&["diff", r.old.to_str().unwrap(), r.new.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for line in ["V-260926   CNTR-MK-000600   CAT II  pass -> fail", "+ node vm (newly failing)", "- container stig-pidhost (no longer failing)", "+ container stig-compliant (newly failing)", "Gate: FAIL"] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    let md_path = r.new.with_file_name("diff.md");
    let o = run(&["diff", r.old.to_str().unwrap(), r.new.to_str().unwrap(), "--format", "md", "-o", md_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.contains("## Regressed (1)") && md.contains("- **V-260926** CNTR-MK-000600 (CAT II) pass → fail") && md.contains("  - newly failing: node vm"), "{md}");
}

#[test]
fn the_new_side_as_a_ckl_or_cklb_gives_the_same_diff() {
    let r = runs();
    for kind in ["ckl", "cklb"] {
        let (code, d) = diff_json(&r.old, &checklist(&r.new, kind, "as-checklist"));
        assert_eq!(code, 1, "{kind}");
        assert_eq!(d["new"]["kind"], kind);
        assert_the_three_edits(&d);
        // A checklist's verdicts are the assessor's record (checklist import says so).
        assert_eq!(d["summary"]["decided-by-assessor"], 2, "{kind}");
    }
}

#[test]
fn identical_assessments_in_any_form_change_nothing_and_pass() {
    let r = runs();
    let ckl = checklist(&r.old, "ckl", "identical");
    let cklb = checklist(&r.old, "cklb", "identical");
    for (old, new) in [(&r.old, &r.old), (&r.old, &ckl), (&cklb, &r.old), (&ckl, &cklb)] {
        let (code, d) = diff_json(old, new);
        assert_eq!(code, 0, "{} vs {}", old.display(), new.display());
        let (changed, newly, no_longer) = changes(&d);
        assert!(changed.is_empty() && newly.is_empty() && no_longer.is_empty(), "{d:#}");
        assert_eq!((d["gate"].as_str(), d["summary"]["still-open"].as_u64(), d["summary"]["revised"].as_u64()), (Some("pass"), Some(19), Some(0)));
    }
    let o = run(&["diff", r.old.to_str().unwrap(), ckl.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Gate: pass"), "{}", stdout(&o));
}

#[test]
fn unusable_input_exits_2_with_one_line_naming_the_file() {
    let r = runs();
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.ckl");
    let ckl = std::fs::read(checklist(&r.old, "ckl", "unusable")).unwrap();
    std::fs::write(&truncated, &ckl[..ckl.len() / 2]).unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{\"assessment-results\": {").unwrap();
    let plan = r.old.with_file_name("assessment-plan.json");
    let empty = dir.path().join("empty.cklb");
    std::fs::write(&empty, "").unwrap();
    for bad in [&truncated, &bad_json, &plan, &empty, &dir.path().join("missing.json")] {
        for args in [[r.old.as_path(), bad.as_path()], [bad.as_path(), r.old.as_path()]] {
            let o = run(&["diff", args[0].to_str().unwrap(), args[1].to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2), "{}", bad.display());
            let err = stderr(&o);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.starts_with("error: ") && err.contains(&bad.display().to_string()), "{err}");
            assert!(stdout(&o).is_empty());
        }
    }
}
