//! The command line: argument parsing and rendering for people. Library errors are typed;
//! here they become one readable line and an exit code.

/// `println!` through [`print`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::print(&format!("{}\n", format_args!($($arg)*))) };
}

mod assess;
mod checklist;
mod diff;
mod kubernetes;
mod documents;
mod resolve;
mod stig;
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
    /// Validate OSCAL JSON/YAML documents: NIST's JSON schema for their oscal-version (1.1.3 or
    /// 1.2.3) and NIST's OSCAL 1.2.3 Metaschema constraints (model detected from the root key).
    /// Exit 0 valid, 1 a schema error or ERROR constraint problem, 2 unusable input.
    Validate {
        /// Files to validate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: validate::Format,
        /// Check the JSON schema only, not NIST's Metaschema constraints.
        #[arg(long)]
        no_constraints: bool,
        /// WARNING-level constraint problems fail the file too (exit 1).
        #[arg(long)]
        strict: bool,
    },
    /// Resolve an OSCAL profile into a resolved catalog (NIST profile resolution).
    Resolve {
        /// Profile file, or a built-in name such as nist-800-53-rev5-high.
        profile: String,
        /// Output file (default: standard output).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Pin the resolved catalog's last-modified (RFC 3339) for byte-identical output.
        #[arg(long, value_parser = rfc3339)]
        timestamp: Option<String>,
    },
    /// List the built-in catalogs, baselines and STIG profiles.
    Catalogs,
    /// Build OSCAL profiles from DISA STIG content.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Inspect STIGs.
    #[command(subcommand)]
    Stig(StigCommand),
    /// Assess a system against the MKE or Kubernetes STIG and write OSCAL assessment-results.
    #[command(subcommand)]
    Assess(AssessCommand),
    /// The site policy file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Collect evidence on a machine (a Kubernetes node).
    #[command(subcommand)]
    Collect(CollectCommand),
    /// Print Kubernetes manifests for running oscal-stig in a cluster.
    #[command(subcommand)]
    Manifests(ManifestsCommand),
    /// STIG Viewer checklists (CKL, CKLB): write them from assessment-results, import them.
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// Write an OSCAL component-definition (the STIG rules as implemented requirements).
    ComponentDefinition {
        /// A built-in STIG (mke, kubernetes, ...) or a STIG profile [default: the STIG of
        /// --results, else mke].
        #[arg(long)]
        stig: Option<String>,
        /// Assessment-results: implementation status then follows the verdicts.
        #[arg(long)]
        results: Option<PathBuf>,
        /// The component's title [default: from the STIG's title, e.g. "Mirantis Kubernetes Engine"].
        #[arg(long)]
        title: Option<String>,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Write an OSCAL assessment-plan: the STIG's rules as activities, the target, the site
    /// policy's parameters (`assess` writes the same plan beside its results).
    Plan {
        /// A built-in STIG (mke, kubernetes, ...) or a STIG profile.
        #[arg(long, default_value = "mke")]
        stig: String,
        /// The system to assess, as the results will name it (e.g. https://mke.example.mil).
        #[arg(long)]
        target: String,
        /// The site policy file (its parameters go into the plan).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Where the system security plan is (import-ssp) [default: ssp.json beside the plan].
        #[arg(long)]
        ssp: Option<String>,
        /// last-modified of the plan [default: the STIG profile's date, so the same inputs give the same bytes].
        #[arg(long)]
        timestamp: Option<String>,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Write an OSCAL POA&M: one item per open finding, scheduled by severity.
    Poam {
        #[arg(long)]
        results: PathBuf,
        /// Days to remediate a CAT I finding.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=36_500))]
        cat1_days: i64,
        /// Days to remediate a CAT II finding.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(0..=36_500))]
        cat2_days: i64,
        /// Days to remediate a CAT III finding.
        #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(i64).range(0..=36_500))]
        cat3_days: i64,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Write a readable report (HTML, one self-contained file, or Markdown).
    Report {
        #[arg(long)]
        results: PathBuf,
        #[arg(long, value_enum, default_value = "html")]
        format: documents::ReportFormat,
        /// The STIG the results are for (for fix texts) [default: the built-in STIG whose rules
        /// the results name].
        #[arg(long)]
        stig: Option<String>,
        /// The previous assessment (assessment-results, CKL or CKLB): the report then says what
        /// changed since, per rule and per subject.
        #[arg(long)]
        previous: Option<PathBuf>,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// What changed between two assessments (assessment-results or CKL/CKLB, any mix): new
    /// findings, regressions, resolved and still-open rules, per subject. Exit 1 when a rule
    /// regressed or a new finding appeared, 0 otherwise, 2 unusable input.
    Diff(diff::Args),
    /// Merge an assessor's checklist (manual verdicts) into assessment-results.
    Merge {
        /// The assessment-results to complete.
        results: PathBuf,
        /// The assessor's checklist (CKL or CKLB).
        checklist: PathBuf,
        /// The checklist is for an earlier release of the STIG: carry its manual verdicts to
        /// rules whose check text is unchanged, list the others for re-review.
        #[arg(long)]
        carry_forward: bool,
        /// With --carry-forward: the STIG the results are for [default: the built-in STIG whose
        /// rules the results name].
        #[arg(long, requires = "carry_forward")]
        stig: Option<String>,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ChecklistCommand {
    /// Write a STIG Viewer 2 checklist (.ckl).
    Ckl(checklist::WriteArgs),
    /// Write a STIG Viewer 3 checklist (.cklb).
    Cklb(checklist::WriteArgs),
    /// Read a checklist (.ckl or .cklb) into OSCAL assessment-results.
    Import {
        file: PathBuf,
        /// Pin the document's date (RFC 3339) for byte-identical output.
        #[arg(long, value_parser = rfc3339)]
        timestamp: Option<String>,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AssessCommand {
    /// The MKE STIG rules the Docker Engine API decides (MKE exposes it through a client bundle).
    Docker(assess::DockerArgs),
    /// A whole MKE cluster: Docker API, per-node engines, admin API, Kubernetes and MSR; all 44
    /// MKE STIG rules, and the Kubernetes STIG for its Kubernetes (OUT/kubernetes/).
    Mke(assess::MkeArgs),
    /// Any conformant Kubernetes cluster against the DISA Kubernetes STIG (or a newer release
    /// given with --stig): API objects, control plane, kubelets, and node files.
    Kubernetes(kubernetes::Args),
}

#[derive(Subcommand)]
enum CollectCommand {
    /// Run on a Kubernetes node (or in the node-collector pod): the files, processes and
    /// services the Kubernetes STIG reads on nodes, as one JSON file for --node-evidence.
    Node(kubernetes::CollectNodeArgs),
}

#[derive(Subcommand)]
enum ManifestsCommand {
    /// A read-only DaemonSet that runs `collect node` on every node (hostPath mounts read-only).
    NodeCollector {
        #[arg(long, default_value = "oscal-stig")]
        namespace: String,
        #[arg(long, default_value = concat!("oscal-stig:", env!("CARGO_PKG_VERSION")))]
        image: String,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the JSON Schema of the policy file.
    Schema,
    /// Check a policy file against the MKE STIG and report the first problem; with --evidence,
    /// also warn about exceptions and approvals that match no subject of that snapshot.
    Check {
        file: PathBuf,
        /// An evidence snapshot (OUT/evidence of a run) to try the policy on.
        #[arg(long)]
        evidence: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ProfileCommand {
    /// Turn a DISA XCCDF benchmark (or STIG zip) into an OSCAL profile over NIST SP 800-53.
    FromXccdf {
        /// The *_Manual-xccdf.xml, an SCAP data stream, or the STIG zip.
        xccdf: PathBuf,
        /// DISA CCI list (default: the shipped U_CCI_List.xml).
        #[arg(long)]
        cci: Option<PathBuf>,
        /// Catalog to import: nist-800-53-rev5, nist-800-53-rev4, or a catalog file.
        #[arg(long, default_value = "nist-800-53-rev5")]
        catalog: String,
        /// Which CCI references to follow (default: from the built-in catalog's revision, else rev5).
        #[arg(long, value_parser = parse_revision)]
        revision: Option<oscal_stig::stig::cci::Revision>,
        /// Output file (default: standard output).
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum StigCommand {
    /// List a STIG's rules: id, severity, STIG id, title, 800-53 controls.
    Info {
        /// A built-in STIG (mke, kubernetes, ...), a STIG profile, an XCCDF file or a STIG zip.
        stig: String,
        #[arg(long, value_enum, default_value = "table")]
        format: stig::Format,
    },
}

fn parse_revision(s: &str) -> Result<oscal_stig::stig::cci::Revision, String> {
    use oscal_stig::stig::cci::Revision;
    match s {
        "rev4" | "4" => Ok(Revision::Rev4),
        "rev5" | "5" => Ok(Revision::Rev5),
        _ => Err(format!("\"{s}\" is not rev4 or rev5")),
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { files, format, no_constraints, strict } => validate::run(&files, &validate::Options { format, no_constraints, strict }),
        Command::Resolve { profile, out, timestamp } => resolve::run(&profile, out.as_deref(), timestamp),
        Command::Profile(ProfileCommand::FromXccdf { xccdf, cci, catalog, revision, out }) => {
            stig::from_xccdf(&xccdf, cci.as_deref(), &catalog, revision, out.as_deref())
        }
        Command::Stig(StigCommand::Info { stig: what, format }) => stig::info(&what, format),
        Command::Assess(AssessCommand::Docker(args)) => assess::docker(&args),
        Command::Assess(AssessCommand::Mke(args)) => assess::mke(&args),
        Command::Assess(AssessCommand::Kubernetes(args)) => kubernetes::assess(&args),
        Command::Collect(CollectCommand::Node(args)) => kubernetes::collect_node(&args),
        Command::Manifests(ManifestsCommand::NodeCollector { namespace, image }) => {
            print(&oscal_stig::probe::node::manifest(&namespace, &image));
            exit::OK
        }
        Command::Checklist(ChecklistCommand::Ckl(args)) => checklist::write_ckl(&args),
        Command::Checklist(ChecklistCommand::Cklb(args)) => checklist::write_cklb(&args),
        Command::Checklist(ChecklistCommand::Import { file, timestamp, out }) => checklist::import(&file, timestamp, out.as_deref()),
        Command::ComponentDefinition { stig, results, title, out } => documents::component_definition(stig.as_deref(), results.as_deref(), title.as_deref(), out.as_deref()),
        Command::Plan { stig, target, policy, ssp, timestamp, out } => documents::plan(&stig, &target, policy.as_deref(), ssp.as_deref(), timestamp.as_deref(), out.as_deref()),
        Command::Poam { results, cat1_days, cat2_days, cat3_days, out } => {
            documents::poam(&results, oscal_stig::emit::poam::Deadlines { cat1: cat1_days, cat2: cat2_days, cat3: cat3_days }, out.as_deref())
        }
        Command::Report { results, format, stig, previous, out } => documents::report(&results, format, stig.as_deref(), previous.as_deref(), out.as_ref()),
        Command::Diff(args) => diff::run(&args),
        Command::Merge { results, checklist: manual, carry_forward, stig, out } => checklist::merge(&results, &manual, carry_forward, stig.as_deref(), out.as_deref()),
        Command::Policy(PolicyCommand::Schema) => {
            print(&oscal_stig::policy::Policy::json_schema());
            exit::OK
        }
        Command::Policy(PolicyCommand::Check { file, evidence }) => policy_check(&file, evidence.as_deref()),
        Command::Catalogs => {
            for b in oscal_stig::content::BUILTINS {
                outln!("{:<28} {:<10} {}", b.name, b.model.root_key(), b.description);
            }
            exit::OK
        }
    };
    ExitCode::from(code)
}

/// Runs a command body: errors become one line on stderr and exit code 2 (unusable input).
pub(crate) fn guard(f: impl FnOnce() -> anyhow::Result<()>) -> u8 {
    match f() {
        Ok(()) => exit::OK,
        Err(e) => {
            report(&e);
            exit::UNUSABLE
        }
    }
}

/// Prints an error chain as one line on stderr.
pub(crate) fn report(err: &anyhow::Error) {
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    eprintln!("error: {}", chain.join(": "));
}

/// Writes to stdout. A closed pipe (`oscal-stig stig info mke | head`) ends output quietly
/// instead of panicking the way `println!` does.
pub(crate) fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(exit::UNUSABLE as i32);
    }
}


/// Writes a document to a file, or to stdout when no file is given.
pub(crate) fn write_output(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(path) => Ok(oscal_stig::output::write_atomic(path, text.as_bytes())?),
        None => {
            print(text);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

/// `policy check`: the policy is readable, every exception and approval has a scope and a
/// justification, CAT I waivers are per subject; with a snapshot, entries that match nothing.
fn policy_check(file: &std::path::Path, evidence: Option<&std::path::Path>) -> u8 {
    let run = || -> anyhow::Result<u8> {
        let policy = oscal_stig::policy::Policy::load(file)?;
        let index = oscal_stig::stig::RuleIndex::load("mke")?;
        let kube = oscal_stig::stig::RuleIndex::load("kubernetes")?;
        policy.check_against(&[&index, &kube], oscal_stig::stigs::mke::APPROVALS).map_err(|e| anyhow::anyhow!("policy {}: {e}", file.display()))?;
        if let Some(dir) = evidence {
            let snap = oscal_stig::evidence::Snapshot::open(dir)?;
            let used = oscal_stig::stigs::mke::assess(&snap, None, &policy, &index).policy_entries_used();
            for entry in policy.entries().into_iter().filter(|e| !used.contains(e)) {
                eprintln!("warning: {}: {entry} matched no subject in {}", file.display(), dir.display());
            }
        }
        outln!("{}: valid policy", file.display());
        Ok(exit::OK)
    };
    run().unwrap_or_else(|e| {
        report(&e);
        exit::UNUSABLE
    })
}

/// `--timestamp`: an RFC 3339 date-time with its time zone, as OSCAL's dates are.
fn rfc3339(s: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(s).map(|_| s.to_string()).map_err(|e| format!("not an RFC 3339 date-time with a time zone, e.g. 2024-01-31T12:00:00Z ({e})"))
}
