//! `oscal-stig validate FILE...`

use std::path::{Path, PathBuf};

use oscal_stig::oscal::{read_value, validate::{validate_value, SCHEMA_VERSION}};

use super::exit;

pub fn run(files: &[PathBuf]) -> u8 {
    files.iter().map(|f| validate_one(f)).max().unwrap_or(exit::OK)
}

fn validate_one(path: &Path) -> u8 {
    let shown = path.display();
    let outcome = read_value(path).and_then(|doc| validate_value(&doc));
    match outcome {
        Err(e) => {
            eprintln!("{shown}: error: {e}");
            exit::UNUSABLE
        }
        Ok((model, errors)) if errors.is_empty() => {
            outln!("{shown}: valid {model} (OSCAL {SCHEMA_VERSION} schema)");
            exit::OK
        }
        Ok((model, errors)) => {
            outln!("{shown}: invalid {model}: {} schema error{}", errors.len(), if errors.len() == 1 { "" } else { "s" });
            for e in &errors {
                outln!("  {e}");
            }
            exit::FAILED
        }
    }
}
