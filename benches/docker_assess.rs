//! Assessing a big cluster: a synthetic evidence snapshot of N containers (generated in a temp
//! dir, never committed), then facts -> rules -> OSCAL assessment-results -> bytes on disk.
//! Reports wall time per phase and peak memory (VmHWM), for N = 12,500 / 25,000 / 50,000 to
//! show time is linear in containers. Run: `cargo bench --bench docker_assess`.

#[path = "common/synthetic.rs"]
mod synthetic;

use std::io::Write;
use std::time::Instant;

use oscal_stig::emit::assessment_results;
use oscal_stig::evidence::Snapshot;
use oscal_stig::oscal::OscalModel;
use oscal_stig::stig::RuleIndex;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick { &[500] } else { &[12_500, 25_000, 50_000] };
    let index = RuleIndex::load("mke").unwrap();
    let policy = oscal_stig::policy::Policy { orchestrator: Some(oscal_stig::policy::Orchestrator::Swarm), ..Default::default() };
    for &n in sizes {
        let dir = tempfile_dir(n);
        synthetic::snapshot(&dir, n);
        let t0 = Instant::now();
        let snap = Snapshot::open(&dir).unwrap();
        // The stages of `stigs::mke::assess`, timed apart. The orchestrator is given, so the
        // Swarm-only container rules are judged (as on a real MKE cluster, from node labels).
        let cluster = oscal_stig::stigs::mke::Cluster::new(oscal_stig::facts::Facts::load(&snap, None), &policy);
        let tf = Instant::now();
        let results = oscal_stig::stigs::mke::decide(&cluster, &policy, &index);
        let assessment = oscal_stig::assess::Assessment::of_snapshot(&snap, cluster.orchestrators.source.clone(), results, policy.parameters());
        drop(cluster);
        let t1 = Instant::now();
        let doc = assessment_results::build(&assessment, &index);
        let t2 = Instant::now();
        let path = dir.join("assessment-results.json");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        doc.write_json_pretty(&mut w).unwrap();
        w.flush().unwrap();
        drop(w);
        let t3 = Instant::now();
        let size = std::fs::metadata(&path).unwrap().len();
        println!(
            "{n:>6} containers: facts {:>6.0} ms, rules {:>6.0} ms, OSCAL build {:>6.0} ms, serialize+write {:>6.0} ms, total {:>7.0} ms; AR {:>5.1} MB; peak RSS so far {:>6.0} MB",
            (tf - t0).as_secs_f64() * 1e3, (t1 - tf).as_secs_f64() * 1e3, (t2 - t1).as_secs_f64() * 1e3, (t3 - t2).as_secs_f64() * 1e3, (t3 - t0).as_secs_f64() * 1e3,
            size as f64 / 1e6, peak_rss_mb()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

fn tempfile_dir(n: usize) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("oscal-stig-bench-{}-{n}", std::process::id()))
}
