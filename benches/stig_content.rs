//! STIG content hot paths: read the largest reference XCCDF and build its profile.
//! Run: `cargo bench --bench stig_content` (needs ../shared/reference).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use oscal_stig::oscal::Catalog;
use oscal_stig::stig::cci::{self, Revision};
use oscal_stig::stig::profile::{build_profile, CatalogRef};
use oscal_stig::stig::read_benchmark;

fn time<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut s: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    s.sort();
    println!("{name:<52} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   ({runs} runs)",
        s[runs / 2].as_secs_f64() * 1e3, s[0].as_secs_f64() * 1e3, s[runs - 1].as_secs_f64() * 1e3);
    s[runs / 2]
}

/// The biggest `*Manual-xccdf.xml` one folder below `dir` (DISA's layout in the reference data).
fn largest_manual_xccdf(dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|sub| std::fs::read_dir(sub.path()).ok())
        .flatten()
        .flatten()
        .map(|f| f.path())
        .filter(|p| p.to_string_lossy().ends_with("Manual-xccdf.xml"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 3 } else { 31 };
    let stig_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/stig");
    let Some(largest) = largest_manual_xccdf(&stig_dir) else {
        eprintln!("*** SKIPPED: no reference XCCDF under {} ***", stig_dir.display());
        return;
    };
    let bench = read_benchmark(&largest).unwrap();
    let label = format!("{} rules, {} KB", bench.rules.len(), std::fs::metadata(&largest).unwrap().len() / 1024);
    time(&format!("read XCCDF ({label})"), runs, || read_benchmark(&largest).unwrap());

    let ccis = cci::builtin();
    let catalog = Catalog::load_builtin("nist-800-53-rev5").unwrap();
    let cref = CatalogRef { href: "NIST_SP-800-53_rev5_catalog.json".into(), title: "rev5".into() };
    time(&format!("build profile ({label}, CCI list + catalog loaded)"), runs, || build_profile(&bench, ccis, Revision::Rev5, &catalog, &cref));
    time(&format!("read XCCDF + build profile ({label})"), runs, || {
        let b = read_benchmark(&largest).unwrap();
        build_profile(&b, ccis, Revision::Rev5, &catalog, &cref)
    });
    let cci_path = stig_dir.join("../cci/U_CCI_List.xml");
    time("parse DISA CCI list (3.4 MB, once per process)", runs.min(11), || cci::CciList::read(&cci_path).unwrap());
}
