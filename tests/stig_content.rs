//! STIG content: XCCDF and CCI readers against DISA's real files, the profile builder, the
//! shipped profiles (valid, resolvable, regenerable byte for byte), the rule index, bad input.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use oscal_stig::oscal::{Catalog, OscalModel, Profile};
use oscal_stig::resolve::{resolve, Origin, ResolveOptions};
use oscal_stig::stig::cci::{self, CciList, Revision};
use oscal_stig::stig::profile::build_from_files;
use oscal_stig::stig::{read_benchmark, RuleIndex, Severity, StigError, NS};

fn stig(reference: &Path, rel: &str) -> PathBuf {
    reference.join("stig").join(rel)
}

const MKE_V2R1: &str = "mke/U_Mirantis_Kubernetes_Engine_STIG_V2R1_Manual-xccdf.xml";
const K8S_V1R11: &str = "kubernetes/U_Kubernetes_STIG_V1R11_Manual-xccdf.xml";
const K8S_V2R1_SCAP: &str = "kubernetes/U_Kubernetes_V2R1_STIG_SCAP_1-3_Benchmark.xml";
const SRG: &str = "srg/U_Container_Platform_SRG_V2R1_Manual-xccdf.xml";

/// Counts `<Rule ` / `<xccdf:Rule ` and severities straight from the raw text, independently
/// of the reader.
fn raw_counts(text: &str) -> (usize, usize, usize, usize) {
    let rules: Vec<&str> = text.split("Rule id=\"").skip(1).collect();
    let sev = |s: &str| rules.iter().filter(|r| r[..r.find('>').unwrap()].contains(&format!("severity=\"{s}\""))).count();
    (rules.len(), sev("high"), sev("medium"), sev("low"))
}

#[test]
fn every_reference_xccdf_is_read_completely() {
    let Some(reference) = common::reference_dir() else { return };
    let files = common::files_with_ext(&reference.join("stig"), &[".xml"]);
    assert_eq!(files.len(), 5);
    for f in files {
        let b = read_benchmark(&f).unwrap_or_else(|e| panic!("{e}"));
        let (n, high, medium, low) = raw_counts(&std::fs::read_to_string(&f).unwrap());
        let name = f.display();
        assert_eq!(b.rules.len(), n, "{name}");
        assert_eq!(
            (b.count_by_severity(Severity::High), b.count_by_severity(Severity::Medium), b.count_by_severity(Severity::Low)),
            (high, medium, low),
            "{name}"
        );
        assert!(!b.id.is_empty() && !b.title.is_empty() && !b.version.is_empty() && b.release_info.starts_with("Release: "), "{name}");
        assert!(b.benchmark_date().is_some() && b.status_date.is_some(), "{name}");
        let scap = b.xccdf_version == "1.2";
        for r in &b.rules {
            let id = format!("{name} {}", r.group_id);
            assert!(r.group_id.starts_with("V-") && r.rule_id.starts_with("SV-") && r.rule_id.ends_with("_rule"), "{id}");
            assert!(r.group_title.starts_with("SRG-"), "{id}");
            assert!(!r.stig_id.is_empty() && !r.title.is_empty() && !r.discussion().is_empty(), "{id}");
            assert!(r.fix_id.starts_with("F-") && !r.fix_text.is_empty(), "{id}");
            assert!(r.ccis().count() >= 1, "{id}");
            assert!(r.description_field("Documentable").is_some(), "{id}");
            if scap {
                assert!(r.check.content.is_none() && r.check.system.contains("oval"), "{id}");
            } else {
                assert!(r.check.system.starts_with("C-") && r.check.content.as_deref().is_some_and(|c| !c.is_empty()), "{id}");
            }
        }
    }
}

#[test]
fn mke_v2r1_has_44_rules_3_high_40_medium_1_low() {
    let Some(reference) = common::reference_dir() else { return };
    let b = read_benchmark(&stig(&reference, MKE_V2R1)).unwrap();
    assert_eq!(b.rules.len(), 44);
    assert_eq!((b.count_by_severity(Severity::High), b.count_by_severity(Severity::Medium), b.count_by_severity(Severity::Low)), (3, 40, 1));
    assert_eq!(b.id, "Mirantis_Kubernetes_Engine_STIG");
    assert_eq!(b.title, "Mirantis Kubernetes Engine Security Technical Implementation Guide");
    assert_eq!(b.version, "2");
    assert_eq!(b.release_info, "Release: 1 Benchmark Date: 24 Jul 2024");
    assert_eq!(b.short_version(), "V2R1");
    assert_eq!(b.benchmark_date().as_deref(), Some("2024-07-24"));
    assert_eq!(b.status_date.as_deref(), Some("2024-06-17"));
    assert_eq!(b.status, "accepted");
    assert_eq!(b.source.sha256, "704d0055b669126c097c8adabf6987255adb3ce1b3aa8b9e8fb63ed2a551fe80");
}

/// Field by field against the XML text of three MKE rules (values copied from the file).
#[test]
fn mke_rules_match_the_xml_field_by_field() {
    let Some(reference) = common::reference_dir() else { return };
    let b = read_benchmark(&stig(&reference, MKE_V2R1)).unwrap();
    let by = |v: &str| b.rules.iter().find(|r| r.group_id == v).unwrap();

    let r = by("V-260903");
    assert_eq!(r.group_title, "SRG-APP-000190-CTR-000500");
    assert_eq!(r.rule_id, "SV-260903r986160_rule");
    assert_eq!(r.stig_id, "CNTR-MK-000940");
    assert_eq!(r.severity, Severity::Medium);
    assert_eq!(r.weight, "10.0");
    assert_eq!(r.title, "The Lifetime Minutes and Renewal Threshold Minutes Login Session Controls on MKE must be set.");
    assert!(r.discussion().starts_with("The \"Lifetime Minutes\" and \"Renewal Threshold Minutes\" login session controls"));
    assert!(r.discussion().ends_with("the session must be terminated after 10 minutes of inactivity."));
    assert_eq!(r.description_field("Documentable"), Some("false"));
    assert_eq!(r.description_field("FalsePositives"), Some(""));
    assert_eq!(r.description_fields.len(), 11);
    assert_eq!(r.ccis().collect::<Vec<_>>(), ["CCI-001133", "CCI-004895", "CCI-002007"]);
    assert_eq!(r.idents[0].system, "http://cyber.mil/cci");
    assert_eq!(r.fix_id, "F-64540r966065_fix");
    assert_eq!(
        r.fix_text,
        "Log in to the MKE web UI and navigate to admin >> Admin Settings >> Authentication & Authorization.\n\n- Below Lifetime Minutes, enter \"10\".\n- Below Renewal Threshold, enter \"0\".\n- Click \"Save\"."
    );
    assert_eq!(r.check.system, "C-64632r966064_chk");
    assert_eq!(r.check.content_ref_href.as_deref(), Some("Mirantis_Kubernetes_Engine_STIG.xml"));
    assert_eq!(r.check.content_ref_name.as_deref(), Some("M"));
    assert!(r.check.content.as_deref().unwrap().starts_with("Log in to the MKE web UI and navigate to admin >> Admin Settings"));
    assert!(r.check.content.as_deref().unwrap().ends_with("If these settings are not configured as specified, this is a finding."));

    let r = by("V-260906");
    assert_eq!((r.rule_id.as_str(), r.stig_id.as_str(), r.severity), ("SV-260906r986161_rule", "CNTR-MK-000110", Severity::High));
    assert_eq!(r.fix_id, "F-64543r966074_fix");
    assert_eq!(r.check.system, "C-64635r966073_chk");
    assert!(r.fix_text.ends_with("chmod 660 /var/run/docker.sock"));
    assert!(r.check.content.as_deref().unwrap().contains("stat -c %U:%G /var/run/docker.sock | grep -v root:docker"));

    let r = by("V-260935");
    assert_eq!(r.title, "Host IPC namespace must not be shared.");
    assert_eq!(r.ccis().collect::<Vec<_>>(), ["CCI-001090", "CCI-002530"]);
    assert!(r.fix_text.starts_with("Modify IpcMode for a container by logging in to the MKE WebUI and navigating to admin >> Admin Settings >> Privileges."));

    let low: Vec<_> = b.rules.iter().filter(|r| r.severity == Severity::Low).map(|r| (r.group_id.as_str(), r.stig_id.as_str())).collect();
    assert_eq!(low, [("V-260946", "CNTR-MK-000170")]);
}

#[test]
fn xccdf_1_2_in_an_scap_data_stream_is_read_with_plain_ids() {
    let Some(reference) = common::reference_dir() else { return };
    let b = read_benchmark(&stig(&reference, K8S_V2R1_SCAP)).unwrap();
    assert_eq!(b.xccdf_version, "1.2");
    assert_eq!(b.id, "Kubernetes_STIG");
    assert_eq!(b.version, "002.001");
    assert_eq!(b.short_version(), "V2R1");
    assert_eq!(b.release_info, "Release: 2.1 Benchmark Date: 24 Jul 2024");
    let r = &b.rules[0];
    assert_eq!(r.group_id, "V-242376");
    assert_eq!(r.group_title, "SRG-APP-000014-CTR-000035");
    assert_eq!(r.rule_id, "SV-242376r960759_rule");
    assert_eq!(r.stig_id, "CNTR-K8-000150");
    assert_eq!(r.ccis().collect::<Vec<_>>(), ["CCI-000068"]);
    assert_eq!(r.fix_id, "F-45609r863732_fix");
    assert_eq!(r.check.content_ref_name.as_deref(), Some("oval:mil.disa.stig.kubernetes:def:242376"));
    assert!(r.check.content.is_none());
}

#[test]
fn kubernetes_v1r11_and_srg_counts() {
    let Some(reference) = common::reference_dir() else { return };
    let k = read_benchmark(&stig(&reference, K8S_V1R11)).unwrap();
    assert_eq!((k.rules.len(), k.short_version().as_str()), (91, "V1R11"));
    let s = read_benchmark(&stig(&reference, SRG)).unwrap();
    assert_eq!(s.rules.len(), 185);
}

#[test]
fn cci_list_is_read_and_normalised() {
    let Some(reference) = common::reference_dir() else { return };
    let list = CciList::read(&reference.join("cci/U_CCI_List.xml")).unwrap();
    assert_eq!(list.version, "2025-01-23");
    assert_eq!(list.len(), 5137);
    let rev5_refs: usize = ["CCI-001133"].iter().map(|c| list.refs(c, Revision::Rev5).count()).sum();
    assert_eq!(rev5_refs, 1);
    let sc10: Vec<_> = list.refs("CCI-001133", Revision::Rev5).map(|r| (r.index.as_str(), r.control.as_str(), r.part.clone())).collect();
    assert_eq!(sc10, [("SC-10", "sc-10", None)]);
    let ac1: Vec<_> = list.refs("CCI-000001", Revision::Rev4).map(|r| (r.control.as_str(), r.part.clone())).collect();
    assert_eq!(ac1, [("ac-1", Some("ac-1_smt.a.1".to_string()))]);
    assert_eq!(list.refs("CCI-000001", Revision::Rev5).count(), 0, "CCI-000001 has no Revision 5 reference");
    // The shipped copy is the same list.
    assert_eq!(cci::builtin().source.sha256, list.source.sha256);
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles").join(name)
}

const SHIPPED: &[(&str, &str, &str)] = &[
    ("mke_stig_v2r1_rev5_profile.json", MKE_V2R1, "nist-800-53-rev5"),
    ("mke_stig_v2r1_rev4_profile.json", MKE_V2R1, "nist-800-53-rev4"),
    ("kubernetes_stig_v1r11_rev5_profile.json", K8S_V1R11, "nist-800-53-rev5"),
    ("kubernetes_stig_v1r11_rev4_profile.json", K8S_V1R11, "nist-800-53-rev4"),
];

#[test]
fn shipped_profiles_regenerate_byte_for_byte() {
    let Some(reference) = common::reference_dir() else { return };
    for (file, xccdf, catalog) in SHIPPED {
        let built = build_from_files(&stig(&reference, xccdf), Some(&reference.join("cci/U_CCI_List.xml")), catalog, None).unwrap();
        let fresh = built.profile.to_json_pretty();
        let on_disk = std::fs::read_to_string(shipped(file)).unwrap();
        assert!(fresh == on_disk, "profiles/{file} differs from what {xccdf} generates: run scripts/regenerate-profiles.sh");
    }
}

/// Every rule sits exactly once under each control its CCIs map to (computed here from the CCI
/// list and the catalog), in the resolved catalog; rules no control holds are listed.
#[test]
fn shipped_profiles_validate_resolve_and_place_every_rule() {
    let Some(reference) = common::reference_dir() else { return };
    let ccis = CciList::read(&reference.join("cci/U_CCI_List.xml")).unwrap();
    for (file, xccdf, catalog_name) in SHIPPED {
        let path = shipped(file);
        let profile = Profile::from_file(&path).unwrap();
        let (_, errors) = common::validate_with_constraints(&profile.to_value()).unwrap();
        assert!(errors.is_empty(), "{file}: {errors:?}");

        let resolved = resolve(&Origin::File(path.clone()), &ResolveOptions { timestamp: Some("2024-01-01T00:00:00Z".into()) }).unwrap();
        // Schema only: the resolved catalog carries NIST's 800-53 text as NIST publishes it, and
        // NIST's 1.1.x catalogs break 1.2.3 constraints (deprecated depends-on, rev4's priority
        // props); the STIG's own parts are checked with constraints in the profile above.
        let (_, errors) = oscal_stig::oscal::validate::validate_value(&resolved.to_value()).unwrap();
        assert!(errors.is_empty(), "{file} resolved: {errors:?}");

        // (control, V-id) -> how many rule parts.
        let mut placed: HashMap<(String, String), usize> = HashMap::new();
        for c in resolved.controls_depth_first() {
            for p in c.parts.iter().filter(|p| p.name == "stig-rule" && p.ns.as_deref() == Some(NS)) {
                let v = p.props.iter().find(|x| x.name == "vuln-id").unwrap().value.clone();
                *placed.entry((c.id.clone(), v)).or_default() += 1;
            }
        }
        assert!(placed.values().all(|n| *n == 1), "{file}: a rule appears twice under one control");

        let revision = if catalog_name.ends_with("rev4") { Revision::Rev4 } else { Revision::Rev5 };
        let catalog = Catalog::load_builtin(catalog_name).unwrap();
        let known: BTreeSet<&str> = catalog.control_ids().into_iter().collect();
        let bench = read_benchmark(&stig(&reference, xccdf)).unwrap();
        let mut expected = BTreeSet::new();
        let mut unplaced = BTreeSet::new();
        for r in &bench.rules {
            let controls: BTreeSet<String> = r
                .ccis()
                .flat_map(|c| ccis.refs(c, revision).map(|x| x.control.clone()).collect::<Vec<_>>())
                .filter(|c| known.contains(c.as_str()))
                .collect();
            if controls.is_empty() {
                unplaced.insert(r.group_id.clone());
            }
            expected.extend(controls.into_iter().map(|c| (c, r.group_id.clone())));
        }
        let got: BTreeSet<(String, String)> = placed.into_keys().collect();
        assert_eq!(got, expected, "{file}");
        let listed: BTreeSet<String> = profile.metadata.props.iter().filter(|p| p.name == "unmapped-rule").map(|p| p.value.clone()).collect();
        assert_eq!(listed, unplaced, "{file}");
        // And the index still has every rule of the benchmark.
        let index = RuleIndex::from_profile(&profile).unwrap();
        assert_eq!(index.len(), bench.rules.len(), "{file}");
    }
}

#[test]
fn rule_index_answers_by_any_id() {
    let index = RuleIndex::load("mke").unwrap();
    assert_eq!(index.len(), 44);
    assert_eq!(index.stig.version, "V2R1");
    assert_eq!(index.stig.title, "Mirantis Kubernetes Engine Security Technical Implementation Guide");
    assert_eq!(index.stig.release_info, "Release: 1 Benchmark Date: 24 Jul 2024");
    let r = index.get("V-260906").unwrap();
    assert_eq!(r.title, "Least privilege access and need to know must be required to access MKE runtime and instantiate container images.");
    assert_eq!(r.severity, Severity::High);
    assert!(r.check.as_deref().unwrap().contains("stat -c %U:%G /var/run/docker.sock"));
    assert!(r.fix.ends_with("chmod 660 /var/run/docker.sock"));
    assert_eq!(r.fix_id, "F-64543r966074_fix");
    assert_eq!(r.ccis, ["CCI-000213", "CCI-001499", "CCI-001094", "CCI-003980", "CCI-001813", "CCI-001764", "CCI-002385"]);
    assert_eq!(r.controls, ["ac-3", "cm-5.1", "cm-5.6", "cm-7.2", "cm-11.2", "sc-5", "sc-5.1"]);
    assert_eq!(index.get("SV-260906r986161_rule").unwrap().vuln_id, "V-260906");
    assert_eq!(index.get("CNTR-MK-000110").unwrap().vuln_id, "V-260906");
    assert!(index.get("V-1").is_none());
    // DISA order.
    assert_eq!(index.rules().first().unwrap().vuln_id, "V-260903");
    assert_eq!(index.rules().last().unwrap().vuln_id, "V-260946");
    // Kubernetes: the two rules no rev5 control holds are still there, without controls.
    let k = RuleIndex::load("kubernetes").unwrap();
    assert_eq!(k.len(), 91);
    assert!(k.get("V-242415").unwrap().controls.is_empty());
    assert!(k.get("V-242415").unwrap().check.is_some());
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_stig_zip_is_read_like_its_xccdf() {
    let Some(reference) = common::reference_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let xml = std::fs::read(stig(&reference, MKE_V2R1)).unwrap();
    let zip_path = dir.path().join("U_MKE_V2R1_STIG.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("U_MKE_V2R1_STIG/U_MKE_V2R1_Readme.txt", opts).unwrap();
    z.write_all(b"readme").unwrap();
    z.start_file("U_MKE_V2R1_STIG/U_Mirantis_Kubernetes_Engine_STIG_V2R1_Manual-xccdf.xml", opts).unwrap();
    z.write_all(&xml).unwrap();
    z.finish().unwrap();
    let from_zip = read_benchmark(&zip_path).unwrap();
    let from_xml = read_benchmark(&stig(&reference, MKE_V2R1)).unwrap();
    assert_eq!(from_zip, from_xml);

    let empty_zip = dir.path().join("no-xccdf.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&empty_zip).unwrap());
    z.start_file("readme.txt", opts).unwrap();
    z.write_all(b"x").unwrap();
    z.finish().unwrap();
    let err = read_benchmark(&empty_zip).unwrap_err();
    assert!(matches!(err, StigError::NoXccdfInZip { .. }), "{err}");
    assert!(err.to_string().contains("readme.txt"));
}

/// Unusable STIG input: one clear line, exit 2, never a panic, nothing fetched.
#[test]
fn bad_stig_input_gives_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let xxe = write(
        d,
        "xxe-xccdf.xml",
        br#"<?xml version="1.0"?><!DOCTYPE Benchmark [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><Benchmark id="b"><title>&x;</title></Benchmark>"#,
    );
    let entity = write(d, "entity-xccdf.xml", br#"<Benchmark id="b"><title>&custom;</title></Benchmark>"#);
    let not_xccdf = write(d, "checklist.xml", b"<CHECKLIST><ASSET/></CHECKLIST>");
    let truncated = write(d, "trunc-xccdf.xml", br#"<Benchmark id="b"><Group id="V-1"><Rule id="SV-1r1_rule" severity="medium"><title>t"#);
    let empty = write(d, "empty.xml", b"");
    let bogus_zip = write(d, "bogus.zip", b"PK\x03\x04garbage");
    let cases: &[(&Path, &str)] = &[
        (&xxe, "DTD"),
        (&entity, "undefined entity &custom;"),
        (&not_xccdf, "not a DISA XCCDF benchmark (root element <CHECKLIST>"),
        (&truncated, "ends inside <title>"),
        (&empty, "no root element"),
        (&bogus_zip, "unreadable zip"),
        (d, "directory"),
    ];
    for (path, expect) in cases {
        let p = path.to_str().unwrap();
        for args in [vec!["profile", "from-xccdf", p], vec!["stig", "info", p]] {
            let out = common::run(&args);
            let err = common::stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(err.contains(expect), "{args:?}: expected {expect:?} in {err}");
        }
    }
}

#[test]
fn unknown_and_unmapped_ccis_are_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let x = write(
        dir.path(),
        "tiny-xccdf.xml",
        br#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="Tiny_STIG"><status date="2024-01-01">accepted</status>
<title>Tiny STIG</title><plain-text id="release-info">Release: 3 Benchmark Date: 02 Feb 2024</plain-text><version>1</version>
<Group id="V-1"><title>SRG-APP-000001</title><Rule id="SV-1r1_rule" severity="low" weight="10.0"><version>TINY-1</version>
<title>Mapped and unknown</title><description>&lt;VulnDiscussion&gt;d1&lt;/VulnDiscussion&gt;</description>
<ident system="http://cyber.mil/cci">CCI-001133</ident><ident system="http://cyber.mil/cci">CCI-999999</ident>
<fixtext fixref="F-1r1_fix">fix</fixtext><check system="C-1r1_chk"><check-content>check</check-content></check></Rule></Group>
<Group id="V-2"><title>SRG-APP-000002</title><Rule id="SV-2r1_rule" severity="high" weight="10.0"><version>TINY-2</version>
<title>Unmapped</title><description>&lt;VulnDiscussion&gt;d2&lt;/VulnDiscussion&gt;</description>
<ident system="http://cyber.mil/cci">CCI-000196</ident><fixtext fixref="F-2r1_fix">fix2</fixtext>
<check system="C-2r1_chk"><check-content>check2</check-content></check></Rule></Group></Benchmark>"#,
    );
    let out_file = dir.path().join("tiny.json");
    let out = common::run(&["profile", "from-xccdf", x.to_str().unwrap(), "-o", out_file.to_str().unwrap()]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("warning: V-1 (SV-1r1_rule): CCI-999999 is not in the CCI list"), "{err}");
    assert!(err.contains("warning: V-2 (SV-2r1_rule) is not placed under any control"), "{err}");
    let profile = Profile::from_file(&out_file).unwrap();
    assert_eq!(profile.metadata.version, "V1R3");
    assert_eq!(profile.metadata.last_modified, "2024-02-02T00:00:00Z");
    assert!(profile.metadata.props.iter().any(|p| p.name == "unmapped-rule" && p.value == "V-2"));
    let index = RuleIndex::from_profile(&profile).unwrap();
    assert_eq!(index.get("V-1").unwrap().controls, ["sc-10"]);
    let v2 = index.get("TINY-2").unwrap();
    assert_eq!((v2.check.as_deref(), v2.fix.as_str(), v2.severity), (Some("check2"), "fix2", Severity::High));
    assert!(common::run(&["validate", out_file.to_str().unwrap()]).status.success());
}

#[test]
fn stig_info_lists_every_rule() {
    let out = common::run(&["stig", "info", "mke"]);
    assert!(out.status.success());
    let text = common::stdout(&out);
    assert_eq!(text.lines().filter(|l| l.starts_with("V-2609")).count(), 44);
    assert!(text.contains("V-260906   high (CAT I)"), "{text}");
    let out = common::run(&["stig", "info", "kubernetes", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 91);
    assert_eq!(v["version"], "V1R11");
    let out = common::run(&["stig", "info", "no-such-stig"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("neither a built-in STIG"));
}
