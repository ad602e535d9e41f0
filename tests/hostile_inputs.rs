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
    common::reseal(&snap);
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
    common::reseal(&snap);
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

/// Runs oscal-stig with a time limit: a regression here would hang (a FIFO read forever) or
/// take minutes (quadratic parsing), so the process is killed after `secs` and the test fails.
/// Returns the exit code and stderr.
fn run_within(secs: u64, args: &[&str]) -> (Option<i32>, String) {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("stderr");
    let mut child = common::bin()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("binary runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("oscal-stig {args:?} still running after {secs} s: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned())
}

/// The input is refused: exit 2, one line on stderr holding every `expected` part, no panic, no
/// raw control character (terminal escape sequences are escaped), a bounded length, and no cause
/// said twice (`cannot read x: No such file: No such file`).
fn refused(args: &[&str], expected: &[&str]) -> String {
    let (code, err) = run_within(10, args);
    let line = err.trim_end();
    eprintln!("{line}");
    assert_eq!(code, Some(2), "{args:?}: {err}");
    assert_eq!(line.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(!line.contains("panicked"), "{args:?}: {err}");
    assert!(!line.chars().any(|c| c.is_control()), "{args:?}: a raw control character: {line:?}");
    assert!(line.chars().count() < 1500, "{args:?}: {} characters: {line}", line.chars().count());
    for e in expected {
        assert!(line.contains(e), "{args:?}: {e:?} not in: {line}");
    }
    let parts: Vec<&str> = line.split(": ").filter(|p| p.len() > 12).collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "{args:?}: {p:?} said twice: {line}");
    }
    line.to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A one-rule XCCDF benchmark, enough for `profile from-xccdf` (tests of the other inputs).
const TINY_XCCDF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="Tiny_STIG"><status date="2024-01-01">accepted</status><title>Tiny STIG</title><version>1</version><plain-text id="release-info">Release: 1 Benchmark Date: 24 Jul 2024</plain-text><Group id="V-1"><title>SRG-APP-000001</title><Rule id="SV-1r1_rule" severity="medium" weight="10.0"><version>TINY-000010</version><title>A rule</title><description>&lt;VulnDiscussion&gt;d&lt;/VulnDiscussion&gt;</description><ident system="http://cyber.mil/cci">CCI-000015</ident><fixtext fixref="F-1r1_fix">fix</fixtext><check system="C-1r1_chk"><check-content>check</check-content></check></Rule></Group></Benchmark>
"#;

/// XML nested 150,000 deep (`<a><a>...`, 1 MB) overflowed the stack of every XML reader (the
/// tree is dropped and searched recursively); elements may nest 256 deep.
#[test]
fn deeply_nested_xml_is_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let n = 150_000;
    let deep = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    let xml = dir.path().join("deep.xml");
    std::fs::write(&xml, &deep).unwrap();
    let ckl = dir.path().join("deep.ckl");
    std::fs::write(&ckl, format!("<CHECKLIST>{deep}</CHECKLIST>")).unwrap();
    let tiny = dir.path().join("tiny-xccdf.xml");
    std::fs::write(&tiny, TINY_XCCDF).unwrap();
    let out = dir.path().join("out.json");
    let limit = "elements nest deeper than 256 levels";
    refused(&["stig", "info", s(&xml)], &["deep.xml", limit]);
    refused(&["profile", "from-xccdf", s(&xml), "-o", s(&out)], &["deep.xml", limit]);
    refused(&["checklist", "import", s(&ckl), "-o", s(&out)], &["deep.ckl", limit]);
    refused(&["profile", "from-xccdf", s(&tiny), "--cci", s(&xml), "-o", s(&out)], &["deep.xml", limit]);
    // The tiny benchmark itself is fine: the error above is the CCI list's.
    assert_eq!(common::run(&["profile", "from-xccdf", s(&tiny), "-o", s(&out)]).status.code(), Some(0));
}

/// A chain of 2,000 profiles, each importing the next, overflowed the stack of profile
/// resolution; imports may nest 64 deep.
#[test]
fn a_chain_of_2000_profile_imports_is_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2000;
    for i in 1..=n {
        let href = if i == n { "nist-800-53-rev5-low".to_string() } else { format!("p{}.json", i + 1) };
        let p = serde_json::json!({"profile": {
            "uuid": format!("00000000-0000-4000-8000-{i:012}"),
            "metadata": {"title": format!("p{i}"), "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3"},
            "imports": [{"href": href, "include-all": {}}]
        }});
        std::fs::write(dir.path().join(format!("p{i}.json")), p.to_string()).unwrap();
    }
    let out = dir.path().join("out.json");
    refused(&["resolve", s(&dir.path().join("p1.json")), "-o", s(&out)], &["p65.json", "imports nest deeper than 64 profiles", "p1.json ->"]);
    // 64 profiles deep (p1 to p63, and the built-in baseline p63 imports) are still resolved.
    std::fs::write(
        dir.path().join("p63.json"),
        std::fs::read_to_string(dir.path().join("p63.json")).unwrap().replace("p64.json", "nist-800-53-rev5-low"),
    )
    .unwrap();
    let o = common::run(&["resolve", s(&dir.path().join("p1.json")), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
}

/// `x: [[[...]]]`, 100,000 deep (200 KB), took 24-33 s in the YAML parser (time growing with
/// the square of the depth); it is refused by a pre-scan before parsing.
#[test]
fn deeply_nested_yaml_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let yaml = dir.path().join("deep.yaml");
    std::fs::write(&yaml, format!("x: {}{}", "[".repeat(n), "]".repeat(n))).unwrap();
    let limit = "nest deeper than 128 levels";
    refused(&["policy", "check", s(&yaml)], &["deep.yaml", limit]);
    let out = dir.path().join("o");
    refused(&["assess", "mke", "--evidence", s(dir.path()), "--host-evidence", s(&yaml), "--out", s(&out)], &["host evidence", "deep.yaml", limit]);
    // Flow mappings too.
    std::fs::write(&yaml, "{a: ".repeat(n)).unwrap();
    refused(&["policy", "check", s(&yaml)], &["deep.yaml", limit]);
}

/// `validate` reads YAML through src/oscal, which calls the same pre-scan.
#[test]
fn deeply_nested_yaml_is_refused_by_validate() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let yaml = dir.path().join("deep.yaml");
    std::fs::write(&yaml, format!("x: {}{}", "[".repeat(n), "]".repeat(n))).unwrap();
    let (code, err) = run_within(10, &["validate", s(&yaml)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("deep.yaml") && err.contains("nest deeper than 128 levels"), "{err}");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

/// A FIFO (opening it blocks until a writer comes) or `/dev/zero` behind a symlink (never
/// ends) given as an input file is refused by its file type, before it is opened.
#[cfg(unix)]
#[test]
fn fifos_and_devices_as_input_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tiny = d.join("tiny-xccdf.xml");
    std::fs::write(&tiny, TINY_XCCDF).unwrap();
    let out = d.join("out.json");
    for (name, what) in [("fifo", "a FIFO (named pipe), not a regular file"), ("zero", "a character device, not a regular file")] {
        for ext in ["xml", "zip", "yaml"] {
            let p = d.join(format!("{name}.{ext}"));
            if name == "fifo" {
                mkfifo(&p);
            } else {
                std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
            }
        }
        let (xml, zip, yaml) = (d.join(format!("{name}.xml")), d.join(format!("{name}.zip")), d.join(format!("{name}.yaml")));
        let file = format!("{name}.xml");
        refused(&["profile", "from-xccdf", s(&xml), "-o", s(&out)], &[&file, what]);
        refused(&["profile", "from-xccdf", s(&zip), "-o", s(&out)], &[&format!("{name}.zip"), what]);
        refused(&["profile", "from-xccdf", s(&tiny), "--cci", s(&xml), "-o", s(&out)], &[&file, what]);
        refused(&["policy", "check", s(&yaml)], &[&format!("{name}.yaml"), what]);
        refused(&["assess", "mke", "--evidence", s(d), "--host-evidence", s(&yaml), "--out", s(&d.join("o"))], &[&format!("{name}.yaml"), what]);
    }
}

/// `checklist import` reads its file in src/cli.
#[cfg(unix)]
#[test]
fn a_fifo_as_a_checklist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("c.ckl");
    mkfifo(&fifo);
    refused(&["checklist", "import", s(&fifo), "-o", s(&dir.path().join("o.json"))], &["c.ckl", "a FIFO (named pipe), not a regular file"]);
}

/// In an evidence snapshot, FIFOs and devices are refused as files are opened: a body file
/// leaves its rules not assessed (with the reason), a snapshot's own files end the run.
#[cfg(unix)]
#[test]
fn fifos_and_devices_in_an_evidence_snapshot_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot"), &snap);
    let mut bodies: Vec<_> = std::fs::read_dir(snap.join("docker")).unwrap().map(|e| e.unwrap().path()).collect();
    bodies.sort();
    for (i, p) in bodies.iter().enumerate() {
        std::fs::remove_file(p).unwrap();
        if i % 2 == 0 {
            mkfifo(p);
        } else {
            std::os::unix::fs::symlink("/dev/zero", p).unwrap();
        }
    }
    let out = dir.path().join("o");
    // The snapshot no longer matches its seal: refused at once, naming a file and why.
    let (code, err) = run_within(20, &["assess", "docker", "--evidence", s(&snap), "--out", s(&out)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file") && err.contains("refusing to assess it"), "{err}");
    // Assessed anyway: each body that is not a regular file leaves its rules not assessed.
    let (code, err) = run_within(20, &["assess", "docker", "--evidence", s(&snap), "--out", s(&out), "--allow-modified-evidence"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no rule could be assessed"), "{err}");
    let ar = std::fs::read_to_string(out.join("assessment-results.json")).unwrap();
    assert!(ar.contains("a FIFO (named pipe), not a regular file; refused"), "the reason is given");
    assert!(ar.contains("a character device, not a regular file; refused"), "the reason is given");

    std::fs::remove_file(snap.join("records.jsonl")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", snap.join("records.jsonl")).unwrap();
    refused(&["assess", "docker", "--evidence", s(&snap), "--out", s(&out)], &["records.jsonl", "a character device, not a regular file"]);
    std::fs::remove_file(snap.join("manifest.json")).unwrap();
    mkfifo(&snap.join("manifest.json"));
    refused(&["assess", "docker", "--evidence", s(&snap), "--out", s(&out)], &["manifest.json", "a FIFO (named pipe), not a regular file"]);
}

/// A zip whose XCCDF inflates to 65 MiB (a zip bomb: 65 KB compressed) is refused, whether its
/// header says so or claims 1,000 bytes.
#[test]
fn a_zip_bomb_is_refused_not_inflated() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("U_Bomb_STIG_V1R1_Manual-xccdf.xml", opts).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..65 {
        z.write_all(&chunk).unwrap();
    }
    z.finish().unwrap();
    let out = dir.path().join("out.json");
    refused(&["profile", "from-xccdf", s(&bomb), "-o", s(&out)], &["bomb.zip", "U_Bomb_STIG_V1R1_Manual-xccdf.xml", "decompresses to 68157440 bytes", "64 MiB"]);

    // The same with both headers claiming 1,000 bytes: refused while inflating.
    let mut bytes = std::fs::read(&bomb).unwrap();
    let mut patch = |sig: &[u8], offset: usize| {
        let at = bytes.windows(4).position(|w| w == sig).unwrap() + offset;
        assert_eq!(&bytes[at..at + 4], &(65u32 << 20).to_le_bytes(), "the uncompressed size field");
        bytes[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
    };
    patch(b"PK\x03\x04", 22);
    patch(b"PK\x01\x02", 24);
    let liar = dir.path().join("liar.zip");
    std::fs::write(&liar, &bytes).unwrap();
    refused(&["profile", "from-xccdf", s(&liar), "-o", s(&out)], &["liar.zip", "U_Bomb_STIG_V1R1_Manual-xccdf.xml"]);
}

/// Errors quote input escaped (a terminal escape sequence is shown, not run) and bounded
/// (at most ~200 characters of it), name the file, and say each cause once.
#[test]
fn errors_quote_input_escaped_and_bounded_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out.json");
    let evil = format!("\u{1b}]0;pwned\u{7}\u{1b}[2J{}", "x".repeat(100_000));
    let no_raw = |line: &str| assert!(!line.contains(&"x".repeat(300)) && line.contains("\\u{1b}"), "{line}");

    // XCCDF: a root element of 100,000 characters; a severity holding escape sequences.
    let f = d.join("root.xml");
    std::fs::write(&f, format!("<{} />", "r".repeat(100_000))).unwrap();
    let line = refused(&["profile", "from-xccdf", s(&f), "-o", s(&out)], &["root.xml", "not a DISA XCCDF benchmark"]);
    assert!(!line.contains(&"r".repeat(300)), "{line}");
    let f = d.join("severity.xml");
    std::fs::write(&f, TINY_XCCDF.replace("severity=\"medium\"", &format!("severity=\"{evil}\""))).unwrap();
    no_raw(&refused(&["profile", "from-xccdf", s(&f), "-o", s(&out)], &["severity.xml", "unknown severity"]));
    // A mismatched closing tag quoting a 100,000-character name.
    let f = d.join("mismatch.xml");
    std::fs::write(&f, format!("<a><{}></b></a>", "n".repeat(100_000))).unwrap();
    let line = refused(&["stig", "info", s(&f)], &["mismatch.xml", "line 1"]);
    assert!(!line.contains(&"n".repeat(300)), "{line}");

    // CKL: a STATUS holding escape sequences.
    let f = d.join("evil.ckl");
    std::fs::write(
        &f,
        format!("<CHECKLIST><ASSET><ROLE>None</ROLE></ASSET><STIGS><iSTIG><STIG_INFO><SI_DATA><SID_NAME>stigid</SID_NAME><SID_DATA>X</SID_DATA></SI_DATA></STIG_INFO><VULN><STIG_DATA><VULN_ATTRIBUTE>Vuln_Num</VULN_ATTRIBUTE><ATTRIBUTE_DATA>V-1</ATTRIBUTE_DATA></STIG_DATA><STATUS>{evil}</STATUS></VULN></iSTIG></STIGS></CHECKLIST>"),
    )
    .unwrap();
    no_raw(&refused(&["checklist", "import", s(&f), "-o", s(&out)], &["evil.ckl", "STATUS"]));

    // A zip of 500 entries named with escape sequences, none an XCCDF.
    let f = d.join("names.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&f).unwrap());
    for i in 0..500 {
        z.start_file(format!("\u{1b}[31mentry-{i}-{}.txt", "y".repeat(200)), zip::write::SimpleFileOptions::default()).unwrap();
    }
    z.finish().unwrap();
    let line = refused(&["profile", "from-xccdf", s(&f), "-o", s(&out)], &["names.zip", "no XCCDF", "500 entries"]);
    assert!(line.contains("\\u{1b}") && !line.contains("entry-3-"), "{line}");

    // Policy and host evidence: an unknown key holding escape sequences (a key is at most 1,024
    // characters in YAML), and a value of 100,000.
    let f = d.join("evil.yaml");
    std::fs::write(&f, format!("\"\\e]0;pwned\\a\\e[2J{}\": 1\n", "x".repeat(1000))).unwrap();
    no_raw(&refused(&["policy", "check", s(&f)], &["evil.yaml", "unknown field"]));
    no_raw(&refused(&["assess", "mke", "--evidence", s(d), "--host-evidence", s(&f), "--out", s(&d.join("o"))], &["host evidence", "evil.yaml", "unknown field"]));
    std::fs::write(&f, format!("orchestrator: \"\\e]0;pwned\\a\\e[2J{}\"\n", "x".repeat(100_000))).unwrap();
    no_raw(&refused(&["policy", "check", s(&f)], &["evil.yaml", "orchestrator"]));
    std::fs::write(&f, format!("nodes:\n- name: a\n  docker_sock: b\n  \"\\e[2J{}\": 1\n", "x".repeat(1000))).unwrap();
    no_raw(&refused(&["assess", "mke", "--evidence", s(d), "--host-evidence", s(&f), "--out", s(&d.join("o"))], &["host evidence", "evil.yaml", "unknown field"]));

    // A missing file: the operating system's reason once.
    let missing = d.join("missing.xml");
    refused(&["profile", "from-xccdf", s(&missing), "-o", s(&out)], &["missing.xml", "No such file"]);
    let tiny = d.join("tiny-xccdf.xml");
    std::fs::write(&tiny, TINY_XCCDF).unwrap();
    refused(&["profile", "from-xccdf", s(&tiny), "--cci", s(&missing), "-o", s(&out)], &["missing.xml", "No such file"]);
    refused(&["policy", "check", s(&d.join("missing.yaml"))], &["missing.yaml", "No such file"]);
}

/// A UTF-8 byte order mark before OSCAL JSON (as Windows editors write it) is no content.
#[test]
fn oscal_json_with_a_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("ap.json");
    let o = common::run(&["plan", "--stig", "mke", "--target", "x", "-o", plan.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&plan).unwrap());
    std::fs::write(&plan, bytes).unwrap();
    let o = common::run(&["validate", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", common::stdout(&o), common::stderr(&o));
}

/// Outputs are written whole or not at all: a write cut short (here by a file-size limit, as a
/// full disk would) leaves the previous document intact; an output that is an input, or a
/// symlink, is refused.
#[test]
fn outputs_are_atomic_and_never_replace_inputs_or_follow_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let ar = common::example_results(dir.path());
    let out = dir.path().join("poam.json");
    std::fs::write(&out, "previous POA&M").unwrap();
    // `ulimit -f 8`: 8 KiB, far less than the POA&M; the kernel stops the write (SIGXFSZ/EFBIG).
    let script = format!("ulimit -f 8; exec \"$0\" poam --results '{}' -o '{}'", ar.display(), out.display());
    let o = std::process::Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_oscal-stig")).output().unwrap();
    assert!(!o.status.success(), "the write must have been cut short");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous POA&M", "the previous document is intact");

    let ckl = dir.path().join("c.ckl");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/checklist.ckl"), &ckl).unwrap();
    let before = std::fs::read(&ckl).unwrap();
    let o = common::run(&["checklist", "import", ckl.to_str().unwrap(), "-o", ckl.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("is also an input"), "{}", common::stderr(&o));
    assert_eq!(std::fs::read(&ckl).unwrap(), before, "the assessor's checklist is untouched");

    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("report.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = common::run(&["report", "--results", ar.to_str().unwrap(), "--format", "md", "-o", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("symbolic link"), "{}", common::stderr(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

/// HTML in a name from the evidence is shown in the Markdown report, not rendered.
#[test]
fn markdown_report_escapes_html_in_names() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    common::copy_dir(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/docker-snapshot")), &snap);
    for f in ["docker/containers.json", "docker/inspect.jsonl", "docker/top.jsonl"] {
        let p = snap.join(f);
        if let Ok(t) = std::fs::read_to_string(&p) {
            std::fs::write(&p, t.replace("stig-hostnet", "<img src=x onerror=alert(1)>")).unwrap();
        }
    }
    common::reseal(&snap);
    let out = dir.path().join("out");
    let o = common::run(&["assess", "docker", "--evidence", snap.to_str().unwrap(), "--out", out.to_str().unwrap(), "--emit", "report"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "the name is shown");
    assert!(!md.contains("<img"), "and never rendered");
}

/// The seal: an unmodified snapshot re-assesses byte-identically; one byte changed in any stored
/// file, a file added or one removed is refused (exit 2, naming the file); with
/// --allow-modified-evidence every result says it was decided on modified evidence.
#[test]
fn a_snapshot_that_does_not_match_its_seal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot");
    let assess = |snap: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec!["assess", "docker", "--evidence", s(snap), "--out", s(out)];
        args.extend(extra);
        common::run(&args)
    };
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert_eq!(assess(&example, &a, &[]).status.code(), Some(1));
    assert_eq!(assess(&example, &b, &[]).status.code(), Some(1));
    assert_eq!(std::fs::read(a.join("assessment-results.json")).unwrap(), std::fs::read(b.join("assessment-results.json")).unwrap());

    let files: Vec<String> = ["records.jsonl", "docker/info.json", "docker/inspect.jsonl", "docker/containers.json"].iter().map(|f| f.to_string()).collect();
    for f in &files {
        let snap = dir.path().join(format!("s-{}", f.replace('/', "_")));
        copy_dir(&example, &snap);
        let p = snap.join(f);
        let mut bytes = std::fs::read(&p).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x01; // one byte (one bit of it)
        std::fs::write(&p, bytes).unwrap();
        let o = assess(&snap, &dir.path().join("o"), &[]);
        assert_eq!(o.status.code(), Some(2), "{f}: {}", common::stderr(&o));
        let err = common::stderr(&o);
        assert!(err.contains(f.as_str()) && err.contains("modified after collection"), "{f}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // FIPS turned on by hand in the engine's /info: the CAT I rule would pass; it is refused,
    // and assessed anyway only with every result marked.
    let snap = dir.path().join("fips");
    copy_dir(&example, &snap);
    let info = snap.join("docker/info.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&info).unwrap()).unwrap();
    v["SecurityOptions"].as_array_mut().unwrap().push("name=fips".into());
    std::fs::write(&info, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    assert_eq!(assess(&snap, &dir.path().join("o"), &[]).status.code(), Some(2));
    let out = dir.path().join("anyway");
    let o = assess(&snap, &out, &["--allow-modified-evidence"]);
    assert!(common::stderr(&o).contains("docker/info.json was modified after collection"), "{}", common::stderr(&o));
    let ar: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("assessment-results.json")).unwrap()).unwrap();
    for f in ar["assessment-results"]["results"][0]["findings"].as_array().unwrap() {
        assert!(f["description"].as_str().unwrap().starts_with("Decided on modified evidence"), "{}", f["description"]);
        assert!(f["props"].as_array().unwrap().iter().any(|p| p["name"] == "evidence-integrity" && p["value"] == "modified"));
    }
    // A file added, one removed.
    let snap = dir.path().join("added");
    copy_dir(&example, &snap);
    std::fs::write(snap.join("docker/extra.json"), "{}").unwrap();
    let o = assess(&snap, &dir.path().join("o"), &[]);
    assert!(common::stderr(&o).contains("docker/extra.json was added after collection"), "{}", common::stderr(&o));
    std::fs::remove_file(snap.join("docker/extra.json")).unwrap();
    std::fs::remove_file(snap.join("docker/top.jsonl")).unwrap();
    let o = assess(&snap, &dir.path().join("o"), &[]);
    assert!(common::stderr(&o).contains("docker/top.jsonl is missing"), "{}", common::stderr(&o));
}
