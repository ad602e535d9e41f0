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

pub fn component_definition(stig: &str, results: Option<&Path>, title: &str, out: Option<&Path>) -> u8 {
    guard(|| {
        let index = RuleIndex::load(stig)?;
        let ar = results.map(load_results).transpose()?;
        // The source is the STIG profile: a built-in by its shipped file name, else the path.
        let source = Builtin::find(stig).filter(|b| b.is_stig).map(|b| b.file_name.to_string()).unwrap_or_else(|| stig.to_string());
        let profile_date = Builtin::find(stig)
            .filter(|b| b.is_stig)
            .and_then(|b| oscal_stig::oscal::Profile::from_slice(b.bytes).ok())
            .or_else(|| oscal_stig::oscal::Profile::from_file(Path::new(stig)).ok())
            .map(|p| p.metadata.last_modified)
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        let cd = component_definition::build(&index, ar.as_ref(), &component_definition::Options { component_title: title, source: &source, timestamp: &profile_date });
        write_output(out, &cd.to_json_pretty())
    })
}

pub fn poam(results: &Path, deadlines: poam::Deadlines, out: Option<&Path>) -> u8 {
    guard(|| {
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

pub fn report(results: &Path, format: ReportFormat, stig: &str, out: Option<&PathBuf>) -> u8 {
    guard(|| {
        let ar = load_results(results)?;
        // Rule texts (fix) come from the STIG when it is known; other checklists still report.
        let index = RuleIndex::load(stig).ok();
        let f = match format {
            ReportFormat::Html => report::Format::Html,
            ReportFormat::Md => report::Format::Markdown,
        };
        write_output(out.map(PathBuf::as_path), &report::render(&ar, index.as_ref(), f))
    })
}
