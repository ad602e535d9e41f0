//! `oscal-stig checklist ckl|cklb|import` and `oscal-stig merge`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use oscal_stig::checklist::carry::{self, CarryReport, RuleRef};
use oscal_stig::checklist::results::{self, AssetInfo};
use oscal_stig::checklist::{ckl, Checklist};
use oscal_stig::oscal::{AssessmentResults, OscalModel};

use super::{guard, write_output};

#[derive(clap::Args)]
pub struct WriteArgs {
    /// OSCAL assessment-results (from `assess`, `checklist import` or `merge`).
    #[arg(long)]
    pub results: PathBuf,
    /// STIG of the assessment: a built-in name or a STIG profile [default: the built-in STIG
    /// whose rules the results name].
    #[arg(long)]
    pub stig: Option<String>,
    #[arg(long, default_value = "")]
    pub host_name: String,
    #[arg(long, default_value = "")]
    pub host_ip: String,
    #[arg(long, default_value = "")]
    pub host_mac: String,
    #[arg(long, default_value = "")]
    pub host_fqdn: String,
    /// None, Workstation, Member Server or Domain Controller, as STIG Viewer offers.
    #[arg(long, default_value = "None")]
    pub role: String,
    #[arg(long, default_value = "")]
    pub tech_area: String,
    #[arg(long, default_value = "")]
    pub target_comment: String,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}


/// The checklist for an assessment, and the original bytes when it was imported from one.
fn checklist_for(args: &WriteArgs) -> anyhow::Result<(Checklist, Option<Vec<u8>>, AssessmentResults)> {
    if let Some(out) = &args.out {
        oscal_stig::output::refuse_input(out, &[&args.results])?;
    }
    let ar = AssessmentResults::from_file(&args.results).with_context(|| format!("--results {}", args.results.display()))?;
    if let Some((mut c, _, bytes)) = results::checklist_of_import(&ar) {
        // The checklist comes back as it was, but for the asset fields given on the command
        // line (STIG Manager rejects a checklist without a host name).
        let given = [
            ("HOST_NAME", &args.host_name),
            ("HOST_IP", &args.host_ip),
            ("HOST_MAC", &args.host_mac),
            ("HOST_FQDN", &args.host_fqdn),
            ("TECH_AREA", &args.tech_area),
            ("TARGET_COMMENT", &args.target_comment),
        ];
        let role = (args.role != "None").then_some(("ROLE", &args.role));
        for (key, value) in given.into_iter().chain(role).filter(|(_, v)| !v.is_empty()) {
            match c.asset.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value.clone(),
                // STIG Viewer's order, which DISA's schema fixes.
                None => {
                    const ORDER: [&str; 9] = ["ROLE", "ASSET_TYPE", "MARKING", "HOST_NAME", "HOST_IP", "HOST_MAC", "HOST_FQDN", "TARGET_COMMENT", "TECH_AREA"];
                    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
                    let at = c.asset.iter().position(|(k, _)| rank(k) > rank(key)).unwrap_or(c.asset.len());
                    c.asset.insert(at, (key.to_string(), value.clone()));
                }
            }
        }
        return Ok((c, Some(bytes), ar));
    }
    let (_, index) = super::documents::stig_for(args.stig.as_deref(), Some(&ar))?;
    let asset = AssetInfo {
        host_name: args.host_name.clone(),
        host_ip: args.host_ip.clone(),
        host_mac: args.host_mac.clone(),
        host_fqdn: args.host_fqdn.clone(),
        role: args.role.clone(),
        tech_area: args.tech_area.clone(),
        comment: args.target_comment.clone(),
    };
    Ok((results::from_assessment(&ar, &index, &asset), None, ar))
}

pub fn write_ckl(args: &WriteArgs) -> u8 {
    guard(|| {
        let (c, _, _) = checklist_for(args)?;
        write_output(args.out.as_deref(), &ckl::write(&c, concat!("oscal-stig ", env!("CARGO_PKG_VERSION"), " (STIG Viewer 2 CKL)")))
    })
}

pub fn write_cklb(args: &WriteArgs) -> u8 {
    guard(|| {
        let (c, base, ar) = checklist_for(args)?;
        let title = args.out.as_deref().and_then(Path::file_stem).map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "oscal-stig".into());
        let v = results::to_cklb(&c, base.as_deref(), &title, &oscal_stig::ids::uuid_v5(&["cklb", &ar.uuid]).to_string());
        write_output(args.out.as_deref(), &(serde_json::to_string_pretty(&v)? + "\n"))
    })
}

pub fn import(file: &Path, timestamp: Option<String>, out: Option<&Path>) -> u8 {
    guard(|| {
        if let Some(out) = out {
            oscal_stig::output::refuse_input(out, &[file])?;
        }
        let bytes = oscal_stig::limits::read_file(file, oscal_stig::limits::MAX_INPUT_BYTES).with_context(|| format!("cannot read {}", file.display()))?;
        let shown = file.display().to_string();
        let c = Checklist::parse(&shown, &bytes)?;
        let ts = timestamp.unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let ar = results::import(&c, &name, &bytes, &ts);
        write_output(out, &ar.to_json_pretty())?;
        let n: usize = c.stigs.iter().map(|s| s.vulns.len()).sum();
        eprintln!("imported {n} rules from {} STIG(s)", c.stigs.len());
        Ok(())
    })
}

/// `merge`; with `carry_forward`, `manual` is a checklist of an earlier release of the STIG and
/// `stig` the STIG the results are for (default: the built-in one their rules belong to).
pub fn merge(results_file: &Path, manual: &Path, carry_forward: bool, stig: Option<&str>, out: Option<&Path>) -> u8 {
    guard(|| {
        if let Some(out) = out {
            oscal_stig::output::refuse_input(out, &[results_file, manual])?;
        }
        let mut ar = AssessmentResults::from_file(results_file).with_context(|| format!("{}", results_file.display()))?;
        let bytes = oscal_stig::limits::read_file(manual, oscal_stig::limits::MAX_INPUT_BYTES).with_context(|| format!("cannot read {}", manual.display()))?;
        let c = Checklist::parse(&manual.display().to_string(), &bytes)?;
        let name = manual.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if !carry_forward {
            let n = results::merge(&mut ar, &c, &name, &bytes).map_err(anyhow::Error::msg)?;
            write_output(out, &ar.to_json_pretty())?;
            eprintln!("merged {n} assessor verdicts or comments from {}", manual.display());
            return Ok(());
        }
        let (_, index) = super::documents::stig_for(stig, Some(&ar))?;
        let report = carry::carry_forward(&mut ar, &c, &index, &name, &bytes)?;
        write_output(out, &ar.to_json_pretty())?;
        print_carry(&report);
        Ok(())
    })
}

/// The carry-forward summary on stderr: a line per rule the assessor must look at again, then
/// the counts.
fn print_carry(r: &CarryReport) {
    use oscal_stig::limits::quote;
    // Ids come from the assessor's file: escaped before they reach a terminal.
    let rule = |x: &RuleRef| format!("{} {}", if x.stig_id.is_empty() { "(no STIG id)".into() } else { quote(&x.stig_id) }, quote(&x.vuln_id));
    for (x, why) in &r.re_review {
        eprintln!("{}: {}", rule(x), why.as_str());
    }
    for x in &r.not_in_new_release {
        eprintln!("{}: not in the new release ({})", rule(x), r.to_release);
    }
    for s in &r.other_stigs {
        eprintln!("left alone: {} shares no rule with {}", quote(s), r.to_release);
    }
    let decided = match r.decided_in_new.len() {
        0 => String::new(),
        n => format!("; {n} not carried: the new results decide those rules"),
    };
    eprintln!(
        "carry-forward {} -> {}: {} carried forward, {} to re-review, {} not in the new release{decided}",
        quote(&r.from_release),
        r.to_release,
        r.carried.len(),
        r.re_review.len(),
        r.not_in_new_release.len()
    );
}
