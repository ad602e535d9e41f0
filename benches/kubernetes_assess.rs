//! `assess kubernetes` on a big cluster, end to end through the CLI: the stand-in API server of
//! tests/common/kube_server.rs (no API server runs here) pretends to be a kubeadm cluster of
//! 5,000 nodes and 150,000 pods, answering pages of 500 and a kubelet configz per node; the
//! release binary collects, assesses and writes its documents. Then the same snapshot is
//! re-assessed offline (`--evidence`), which is assessment alone. Wall time and peak RSS of the
//! oscal-stig process (wait4's ru_maxrss; the server runs in this process, not counted).
//!
//! Run: `cargo bench --bench kubernetes_assess [-- NODES PODS]` (default 5000 150000; under
//! `cargo test` a 10-node smoke run).
//! Target (issue 10): under 60 s and 500 MB on a 2-core machine.

#[path = "../tests/common/kube_server.rs"]
mod kube_server;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use kube_server::{KubeServer, Options, Shape};

/// Runs the CLI, returns (exit code, seconds, peak RSS in MB).
// The child is reaped by wait4 (for its rusage), which clippy does not see.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str]) -> (i32, f64, f64) {
    let t = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_oscal-stig")).args(args).env_remove("KUBECONFIG").stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let secs = t.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    (code, secs, usage.ru_maxrss as f64 / 1024.0)
}

fn size_mb(dir: &Path) -> f64 {
    let mut total = 0u64;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let m = e.metadata().unwrap();
        total += if m.is_dir() { (size_mb(&e.path()) * 1e6) as u64 } else { m.len() };
    }
    total as f64 / 1e6
}

fn main() {
    // `cargo test --all-targets` runs this without --bench: a small cluster, as a smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (nodes, pods) = match (args.first(), args.get(1)) {
        (Some(&n), Some(&p)) => (n, p),
        _ if quick => (10, 200),
        _ => (5_000, 150_000),
    };
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let server = KubeServer::start(&dir.path().join("cluster"), Options { violations: true, nodes, pods, ..Options::new(Shape::Kubeadm) });
    eprintln!("stand-in cluster: {nodes} nodes, {} pods (up in {:.2} s)", server.list_len("/api/v1/pods").unwrap(), t.elapsed().as_secs_f64());

    let out = dir.path().join("live");
    let (code, secs, rss) = run(&["assess", "kubernetes", "--kubeconfig", server.kubeconfig.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet", "--timeout", "60"]);
    assert_eq!(code, 1, "planted violations: exit 1");
    eprintln!(
        "collect + assess (live):  {secs:6.1} s, peak RSS {rss:6.0} MB, {} requests, evidence {:.0} MB",
        server.requests.load(std::sync::atomic::Ordering::SeqCst),
        size_mb(&out.join("evidence"))
    );
    drop(server);

    let again = dir.path().join("offline");
    let (code, secs, rss) = run(&["assess", "kubernetes", "--evidence", out.join("evidence").to_str().unwrap(), "--out", again.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 1);
    eprintln!("assess alone (offline):  {secs:6.1} s, peak RSS {rss:6.0} MB");
    assert_eq!(std::fs::read(out.join("assessment-results.json")).unwrap(), std::fs::read(again.join("assessment-results.json")).unwrap(), "offline re-assessment is byte-identical");
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("kept: {}", dir.keep().display());
    }
}
