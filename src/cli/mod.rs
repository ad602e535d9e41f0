//! The command line: argument parsing and rendering for people. Library errors are typed;
//! here they become one readable line and an exit code.

mod resolve;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes shared by every subcommand, so pipelines can gate on them.
pub mod exit {
    /// Everything checked is fine.
    pub const OK: u8 = 0;
    /// The input was usable and something in it failed (invalid document, failed rule).
    pub const FAILED: u8 = 1;
    /// The input could not be used at all (unreadable, not JSON, unknown model, ...).
    pub const UNUSABLE: u8 = 2;
}

#[derive(Parser)]
#[command(name = "oscal-stig", version, about = "DISA STIGs as OSCAL, and assessments of MKE / Kubernetes against them")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate OSCAL JSON/YAML documents against NIST's OSCAL 1.1.3 schemas (model detected from the root key).
    Validate {
        /// Files to validate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Resolve an OSCAL profile into a resolved catalog (NIST profile resolution).
    Resolve {
        /// Profile file, or a built-in name such as nist-800-53-rev5-high.
        profile: String,
        /// Output file (default: standard output).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Pin the resolved catalog's last-modified (RFC 3339) for byte-identical output.
        #[arg(long)]
        timestamp: Option<String>,
    },
    /// List the built-in catalogs and baseline profiles.
    Catalogs,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { files } => validate::run(&files),
        Command::Resolve { profile, out, timestamp } => resolve::run(&profile, out.as_deref(), timestamp),
        Command::Catalogs => {
            for b in oscal_stig::content::BUILTINS {
                println!("{:<28} {:<10} {}", b.name, b.model.root_key(), b.description);
            }
            exit::OK
        }
    };
    ExitCode::from(code)
}

/// Prints an error chain as one line on stderr.
pub(crate) fn report(err: &anyhow::Error) {
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    eprintln!("error: {}", chain.join(": "));
}

/// Writes a document to a file, or to stdout when no file is given.
pub(crate) fn write_output(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    match out {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(text.as_bytes()).context("cannot write to standard output")
        }
    }
}
