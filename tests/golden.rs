//! Golden files: the bundled example's assessment-results and plan, CKL and CKLB, byte for byte. A
//! deliberate change of output regenerates them with `scripts/update-golden.sh` (and says why
//! in the commit message); any other change fails here.

mod common;

use std::path::Path;

fn golden(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)).unwrap()
}

fn same(name: &str, got: &str) {
    let want = golden(name);
    if got != want {
        let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).map_or(got.lines().count().min(want.lines().count()), |i| i);
        panic!(
            "{name} differs from tests/golden/{name} at line {}:\n  got:  {}\n  want: {}\n(a deliberate change: run scripts/update-golden.sh)",
            line + 1,
            got.lines().nth(line).unwrap_or("<end>"),
            want.lines().nth(line).unwrap_or("<end>")
        );
    }
}

#[test]
fn the_bundled_examples_documents_are_the_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = common::bin()
        .args(["assess", "docker", "--evidence"])
        .arg(root.join("examples/docker-snapshot"))
        .arg("--policy")
        .arg(root.join("examples/policy.yaml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the example has open findings: {}", common::stderr(&o));
    let ar = out.join("assessment-results.json");
    same("assessment-results.json", &std::fs::read_to_string(&ar).unwrap());
    same("assessment-plan.json", &std::fs::read_to_string(out.join("assessment-plan.json")).unwrap());
    for (kind, name) in [("ckl", "checklist.ckl"), ("cklb", "checklist.cklb")] {
        let file = dir.path().join(name);
        let o = common::bin().args(["checklist", kind, "--results"]).arg(&ar).args(["--host-name", "vm", "--out"]).arg(&file).output().unwrap();
        assert!(o.status.success(), "{}", common::stderr(&o));
        same(name, &std::fs::read_to_string(&file).unwrap());
    }
}
