//! `oscal-stig diff OLD NEW [--format text|md|json] [-o OUT]`: what changed between two
//! assessments (assessment-results or checklists, any mix). Exit 1 when a rule regressed or a
//! new finding appeared, so a pipeline can gate on it; 2 when an input is unusable.

use std::path::PathBuf;

use oscal_stig::diff;

use super::{exit, report, write_output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people, in a terminal.
    Text,
    /// Markdown, for a merge request or a ticket.
    Md,
    /// JSON (`format: oscal-stig-diff/1`; fields in the README).
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// The earlier assessment: assessment-results (JSON/YAML) or a checklist (.ckl, .cklb).
    pub old: PathBuf,
    /// The later assessment, in any of the same forms.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let go = || -> anyhow::Result<u8> {
        // Both inputs are read before anything is written: an unusable NEW must not leave a
        // half-answer behind.
        let old = diff::read(&args.old)?;
        let new = diff::read(&args.new)?;
        let d = diff::compare(&old, &new);
        let text = match args.format {
            Format::Text => diff::render_text(&d),
            Format::Md => diff::render_markdown(&d),
            Format::Json => d.to_json_pretty(),
        };
        write_output(args.out.as_deref(), &text)?;
        Ok(if d.gate_failed() { exit::FAILED } else { exit::OK })
    };
    go().unwrap_or_else(|e| {
        report(&e);
        exit::UNUSABLE
    })
}
