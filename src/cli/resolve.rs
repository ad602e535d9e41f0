//! `oscal-stig resolve PROFILE [-o OUT]`

use std::path::Path;

use anyhow::Context;
use oscal_stig::oscal::OscalModel;
use oscal_stig::resolve::{resolve, Origin, ResolveOptions};

use super::{guard, write_output};

pub fn run(profile: &str, out: Option<&Path>, timestamp: Option<String>) -> u8 {
    guard(|| {
        if let Some(ts) = &timestamp {
            chrono::DateTime::parse_from_rfc3339(ts).with_context(|| format!("--timestamp \"{ts}\" is not an RFC 3339 date-time"))?;
        }
        let origin = Origin::from_arg(profile);
        let catalog = resolve(&origin, &ResolveOptions { timestamp })?;
        write_output(out, &catalog.to_json_pretty())?;
        if let Some(path) = out {
            eprintln!("resolved {origin}: {} controls -> {}", catalog.control_ids().len(), path.display());
        }
        Ok(())
    })
}
