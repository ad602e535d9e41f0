//! Foundation hot paths: load the rev5 catalog, resolve the rev5 HIGH baseline, validate the
//! rev5 catalog. Prints median / min / max over repeated runs (medians, because this 2-core
//! machine is noisy). Run: `cargo bench --bench foundation`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use oscal_stig::content::Builtin;
use oscal_stig::oscal::{validate::validate_as, Catalog, Model, OscalModel};
use oscal_stig::resolve::{resolve, Origin, ResolveOptions};

fn time<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    black_box(f()); // warm-up
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[runs / 2];
    println!(
        "{name:<44} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   ({runs} runs)",
        ms(median),
        ms(samples[0]),
        ms(samples[runs - 1])
    );
    median
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run quickly then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 3 } else { 31 };
    let rev5 = Builtin::find("nist-800-53-rev5").unwrap().bytes;

    time("load rev5 catalog (3.2 MB JSON -> typed)", runs, || Catalog::from_slice(rev5).unwrap());

    let opts = ResolveOptions { timestamp: Some("2024-01-01T00:00:00Z".into()) };
    let high = Origin::from_arg("nist-800-53-rev5-high");
    time("resolve rev5 HIGH (catalog cached)", runs, || resolve(&high, &opts).unwrap());
    time("resolve rev5 HIGH (incl. catalog parse)", runs, || {
        let c = Catalog::from_slice(rev5).unwrap();
        black_box(c);
        resolve(&high, &opts).unwrap()
    });

    let value: serde_json::Value = serde_json::from_slice(rev5).unwrap();
    let errors = validate_as(Model::Catalog, &value); // also compiles the schema once
    assert!(errors.is_empty());
    time("validate rev5 catalog (schema compiled)", runs, || validate_as(Model::Catalog, &value));
}
