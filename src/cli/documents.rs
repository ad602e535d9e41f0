//! `oscal-stig component-definition`, `poam` and `report`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use oscal_stig::content::Builtin;
use oscal_stig::emit::{component_definition, poam, report};
use oscal_stig::oscal::{AssessmentResults, OscalModel};
use oscal_stig::stig::RuleIndex;

use super::{guard, write_output};


fn load_results(path: &Path) -> anyhow::Result<AssessmentResults> {
    AssessmentResults::from_file(path).with_context(|| format!("--results {}", path.display()))
}

/// The STIG named with --stig, else the built-in one the results' findings belong to, else
/// (no results either) MKE's. Returns the name or path given, and the STIG's rules.
pub(super) fn stig_for(stig: Option<&str>, ar: Option<&AssessmentResults>) -> anyhow::Result<(String, RuleIndex)> {
    if let Some(stig) = stig {
        return Ok((stig.to_string(), RuleIndex::load(stig)?));
    }
    let Some(ar) = ar else { return Ok(("mke".into(), RuleIndex::load("mke")?)) };
    let targets = ar.results.iter().flat_map(|r| r.findings.iter()).map(|f| f.rule_id());
    let (name, index) = RuleIndex::builtin_for(targets)?;
    Ok((name.to_string(), index))
}

/// The STIG profile's last-modified: documents written from the STIG alone carry it, so the
/// same STIG gives the same bytes.
fn profile_date(stig: &str) -> String {
    Builtin::find(stig)
        .filter(|b| b.is_stig)
        .and_then(|b| oscal_stig::oscal::Profile::from_slice(b.bytes).ok())
        .or_else(|| oscal_stig::oscal::Profile::from_file(Path::new(stig)).ok())
        .map(|p| p.metadata.last_modified)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// "Kubernetes" from "Kubernetes Security Technical Implementation Guide": the component a STIG
/// is written for.
fn component_of(index: &RuleIndex) -> String {
    let t = index.stig.title.trim();
    t.strip_suffix("Security Technical Implementation Guide").or_else(|| t.strip_suffix("STIG")).map(str::trim).filter(|s| !s.is_empty()).unwrap_or(t).to_string()
}

pub fn component_definition(stig: Option<&str>, results: Option<&Path>, title: Option<&str>, out: Option<&Path>) -> u8 {
    guard(|| {
        if let (Some(out), Some(results)) = (out, results) {
            oscal_stig::output::refuse_input(out, &[results])?;
        }
        let ar = results.map(load_results).transpose()?;
        let (stig, index) = stig_for(stig, ar.as_ref())?;
        let stig = stig.as_str();
        let title = title.map(str::to_string).unwrap_or_else(|| component_of(&index));
        let title = title.as_str();
        // The source is the STIG profile: a built-in by its shipped file name, else the path.
        let source = Builtin::find(stig).filter(|b| b.is_stig).map(|b| b.file_name.to_string()).unwrap_or_else(|| stig.to_string());
        let profile_date = profile_date(stig);
        let cd = component_definition::build(&index, ar.as_ref(), &component_definition::Options { component_title: title, source: &source, timestamp: &profile_date });
        write_output(out, &cd.to_json_pretty())
    })
}

pub fn plan(stig: &str, target: &str, policy: Option<&Path>, ssp: Option<&str>, timestamp: Option<&str>, out: Option<&Path>) -> u8 {
    use oscal_stig::emit::assessment_plan;
    guard(|| {
        let index = RuleIndex::load(stig)?;
        let policy = policy.map(oscal_stig::policy::Policy::load).transpose()?.unwrap_or_default();
        policy.check_against(&[&index], &[]).map_err(|e| anyhow::anyhow!("policy: {e}"))?;
        let date = match timestamp {
            Some(t) => chrono::DateTime::parse_from_rfc3339(t).map(|_| t.to_string()).with_context(|| format!("--timestamp {t}: not an RFC 3339 date-time"))?,
            None => profile_date(stig),
        };
        let parameters = policy.parameters();
        let ap = assessment_plan::build(&index, &assessment_plan::PlanInput { target, parameters: &parameters, timestamp: &date, ssp });
        write_output(out, &ap.to_json_pretty())
    })
}

/// The documents every assessment can have, written beside its results as `--emit` asks:
/// OUT/poam.json, OUT/component-definition.json, OUT/report.html and OUT/report.md.
pub(super) fn write_deliverables(results: &Path, index: &RuleIndex, out: &Path, what: &[super::assess::Emit]) -> anyhow::Result<()> {
    use super::assess::Emit;
    let wants = |k| Emit::wants(what, k);
    if !(wants(Emit::Poam) || wants(Emit::Cd) || wants(Emit::Report)) {
        return Ok(());
    }
    let ar = load_results(results)?;
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        let f = out.join(name);
        Ok(oscal_stig::output::write_atomic(&f, text.as_bytes())?)
    };
    if wants(Emit::Poam) {
        write("poam.json", &poam::build(&ar, poam::Deadlines::default()).map_err(anyhow::Error::msg)?.to_json_pretty())?;
    }
    if wants(Emit::Cd) {
        // The built-in profile the results' STIG is (a --stig release of the user's: its file).
        let source = oscal_stig::content::BUILTINS
            .iter()
            .filter(|b| b.is_stig)
            .find(|b| oscal_stig::oscal::Profile::from_slice(b.bytes).is_ok_and(|p| p.uuid == index.stig.profile_uuid))
            .map(|b| b.file_name.to_string())
            .unwrap_or_else(|| index.stig.source_file.clone());
        let cd = component_definition::build(index, Some(&ar), &component_definition::Options { component_title: &component_of(index), source: &source, timestamp: &ar.metadata.last_modified });
        write("component-definition.json", &cd.to_json_pretty())?;
    }
    if wants(Emit::Report) {
        write("report.html", &report::render(&ar, Some(index), report::Format::Html))?;
        write("report.md", &report::render(&ar, Some(index), report::Format::Markdown))?;
    }
    eprintln!("wrote the deliverables in {}", out.display());
    Ok(())
}

pub fn poam(results: &Path, deadlines: poam::Deadlines, out: Option<&Path>) -> u8 {
    guard(|| {
        if let Some(out) = out {
            oscal_stig::output::refuse_input(out, &[results])?;
        }
        let ar = load_results(results)?;
        let doc = poam::build(&ar, deadlines).map_err(anyhow::Error::msg)?;
        write_output(out, &doc.to_json_pretty())?;
        eprintln!("{} open finding(s) -> {} POA&M item(s)", doc.poam_items.len(), doc.poam_items.len());
        Ok(())
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
}

pub fn report(results: &Path, format: ReportFormat, stig: Option<&str>, previous: Option<&Path>, out: Option<&PathBuf>) -> u8 {
    guard(|| {
        if let Some(out) = out {
            let inputs: Vec<&Path> = [Some(results), previous].into_iter().flatten().collect();
            oscal_stig::output::refuse_input(out, &inputs)?;
        }
        let ar = load_results(results)?;
        let diff = match previous {
            Some(p) => {
                use oscal_stig::diff;
                let old = diff::read(p).map_err(|e| anyhow::anyhow!("--previous {e}"))?;
                let new = diff::from_results(&results.display().to_string(), diff::InputKind::AssessmentResults, &ar, None).map_err(|e| anyhow::anyhow!("--results {e}"))?;
                Some(diff::compare(&old, &new))
            }
            None => None,
        };
        // Rule texts (fix) come from the STIG when it is known; other checklists still report.
        let index = match stig {
            Some(_) => Some(stig_for(stig, Some(&ar))?.1),
            None => stig_for(None, Some(&ar)).ok().map(|(_, index)| index),
        };
        let f = match format {
            ReportFormat::Html => report::Format::Html,
            ReportFormat::Md => report::Format::Markdown,
        };
        write_output(out.map(PathBuf::as_path), &report::render_with(&ar, index.as_ref(), f, diff.as_ref()))
    })
}
