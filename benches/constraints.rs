//! Constraint checking of a big assessment-results: a synthetic evidence snapshot of N
//! containers (generated in a temp dir, never committed; the same mix as benches/docker_assess)
//! is assessed into OSCAL assessment-results, then NIST's OSCAL 1.2.3 constraints are checked
//! on it five times and the median is reported (the document parsed once, outside the timing).
//! Run: `cargo bench --bench constraints`. With OSCAL_STIG_BENCH_KEEP=DIR the 50,000-container
//! document is kept as DIR/assessment-results-50000.json (to time another validator on it).
//! Under `cargo test --all-targets` (no --bench) a 200-container smoke run.

#[path = "common/synthetic.rs"]
mod synthetic;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use oscal_stig::emit::assessment_results;
use oscal_stig::evidence::Snapshot;
use oscal_stig::oscal::constraints;
use oscal_stig::oscal::OscalModel;
use oscal_stig::stig::RuleIndex;

/// Writes the assessment-results of N synthetic containers to `out`.
fn assessment_results_file(n: usize, out: &Path) {
    let dir = std::env::temp_dir().join(format!("oscal-stig-constraints-bench-{}-{n}", std::process::id()));
    synthetic::snapshot(&dir, n);
    let index = RuleIndex::load("mke").unwrap();
    let policy = oscal_stig::policy::Policy { orchestrator: Some(oscal_stig::policy::Orchestrator::Swarm), ..Default::default() };
    let snap = Snapshot::open(&dir).unwrap();
    let assessment = oscal_stig::stigs::mke::assess(&snap, None, &policy, &index);
    let doc = assessment_results::build(&assessment, &index);
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    doc.write_json_pretty(&mut w).unwrap();
    w.flush().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick { &[200] } else { &[12_500, 50_000] };
    let runs = if quick { 1 } else { 5 };
    let keep = std::env::var_os("OSCAL_STIG_BENCH_KEEP").map(std::path::PathBuf::from);
    let t = Instant::now();
    constraints::coverage(oscal_stig::oscal::Model::AssessmentResults).unwrap();
    println!("NIST OSCAL {} modules read and compiled: {:.0} ms", constraints::VERSION, ms(t.elapsed()));
    for &n in sizes {
        let path = match &keep {
            Some(dir) if n == 50_000 => dir.join("assessment-results-50000.json"),
            _ => std::env::temp_dir().join(format!("oscal-stig-constraints-bench-{}-{n}.json", std::process::id())),
        };
        assessment_results_file(n, &path);
        let bytes = std::fs::read(&path).unwrap();
        let t = Instant::now();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let parse = t.elapsed();
        let mut times = Vec::new();
        let mut report = None;
        for _ in 0..runs {
            let t = Instant::now();
            report = Some(constraints::check(&doc).unwrap());
            times.push(t.elapsed());
        }
        times.sort();
        let report = report.unwrap();
        println!(
            "{n:>6} containers: AR {:>6.1} MB, parse {:>6.0} ms, constraint check median {:>6.0} ms (min {:.0}, max {:.0}, {runs} runs); {} problems, {} constraints evaluated, {} not evaluated",
            bytes.len() as f64 / 1e6, ms(parse), ms(times[times.len() / 2]), ms(times[0]), ms(times[times.len() - 1]),
            report.problems.len(), report.evaluated, report.not_evaluated
        );
        if keep.is_none() || n != 50_000 {
            std::fs::remove_file(&path).unwrap();
        }
    }
}
