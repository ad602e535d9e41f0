//! `oscal-stig profile from-xccdf` and `oscal-stig stig info`.

use std::path::{Path, PathBuf};

use anyhow::bail;
use oscal_stig::oscal::OscalModel;
use oscal_stig::stig::cci::Revision;
use oscal_stig::stig::profile::build_from_files;
use oscal_stig::stig::RuleIndex;

use super::{guard, write_output};

pub fn from_xccdf(xccdf: &Path, cci_path: Option<&Path>, catalog: &str, revision: Option<Revision>, out: Option<&Path>) -> u8 {
    guard(|| {
        let built = build_from_files(xccdf, cci_path, catalog, revision)?;
        for w in &built.warnings {
            eprintln!("warning: {w}");
        }
        write_output(out, &built.profile.to_json_pretty())?;
        let controls = built.profile.imports[0].include_controls.first().map_or(0, |s| s.with_ids.len());
        eprintln!("{}: {} controls, {} warnings", built.profile.metadata.title, controls, built.warnings.len());
        Ok(())
    })
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn info(what: &str, format: Format) -> u8 {
    guard(|| {
        let index = load_index(what)?;
        match format {
            Format::Json => {
                let rules: Vec<serde_json::Value> = index
                    .rules()
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "vuln_id": r.vuln_id, "rule_id": r.rule_id, "stig_id": r.stig_id,
                            "severity": r.severity.as_str(), "category": r.severity.category(),
                            "title": r.title, "ccis": r.ccis, "controls": r.controls,
                        })
                    })
                    .collect();
                let doc = serde_json::json!({
                    "title": index.stig.title, "version": index.stig.version, "release_info": index.stig.release_info,
                    "rules": rules,
                });
                outln!("{}", serde_json::to_string_pretty(&doc)?);
            }
            Format::Table => {
                outln!("{} {} ({}), {} rules", index.stig.title, index.stig.version, index.stig.release_info, index.len());
                outln!("{:<10} {:<14} {:<16} {:<60} CONTROLS", "RULE", "SEVERITY", "STIG ID", "TITLE");
                for r in index.rules() {
                    let title: String = if r.title.chars().count() > 58 { r.title.chars().take(57).collect::<String>() + "…" } else { r.title.clone() };
                    let sev = format!("{} ({})", r.severity, r.severity.category());
                    let controls = if r.controls.is_empty() { "-".to_string() } else { r.controls.join(" ") };
                    outln!("{:<10} {:<14} {:<16} {:<60} {}", r.vuln_id, sev, r.stig_id, title, controls);
                }
            }
        }
        Ok(())
    })
}

/// A built-in STIG name, an OSCAL STIG profile, or an XCCDF file / STIG zip.
fn load_index(what: &str) -> anyhow::Result<RuleIndex> {
    let path = PathBuf::from(what);
    let lower = what.to_ascii_lowercase();
    if path.is_file() && (lower.ends_with(".xml") || lower.ends_with(".zip")) {
        let built = build_from_files(&path, None, "nist-800-53-rev5", None)?;
        return Ok(RuleIndex::from_profile(&built.profile)?);
    }
    if path.is_dir() {
        bail!("{what} is a directory, not a STIG");
    }
    Ok(RuleIndex::load(what)?)
}
