//! `oscal-stig assess docker|mke`: build the collection plan from the options, collect (or read)
//! the evidence, assess the MKE STIG, write OSCAL. Collection and assessment are the library's
//! (`probe::cluster`, `stigs::mke`); this file only turns options into them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use oscal_stig::assess::{Assessment, Status};
use oscal_stig::emit::assessment_results;
use oscal_stig::evidence::Snapshot;
use oscal_stig::facts::host::HostEvidence;
use oscal_stig::oscal::OscalModel;
use oscal_stig::policy::Policy;
use oscal_stig::probe::cluster::{self, Plan};
use oscal_stig::probe::docker::{DockerClient, Endpoint};
use oscal_stig::probe::kubernetes;
use oscal_stig::probe::mke::{self, MkeClient};
use oscal_stig::probe::msr::MsrClient;
use oscal_stig::probe::tls::TlsFiles;
use oscal_stig::stig::{RuleIndex, Severity};
use oscal_stig::stigs;

use super::{exit, report};

#[derive(clap::Args)]
pub struct DockerArgs {
    /// Engine address: unix:///path, tcp://host:port (default: $DOCKER_HOST, else the local socket).
    #[arg(long, conflicts_with_all = ["bundle", "evidence"])]
    pub docker_host: Option<String>,
    /// MKE client bundle directory (env.sh, ca.pem, cert.pem, key.pem): mTLS to MKE's Docker API.
    #[arg(long, conflicts_with = "evidence")]
    pub bundle: Option<PathBuf>,
    /// Re-assess offline from an evidence snapshot instead of collecting.
    #[arg(long)]
    pub evidence: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// Options every assess command takes.
#[derive(clap::Args)]
pub struct Common {
    /// Site policy (YAML): the SSP parameters. See examples/policy.yaml.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Output directory: assessment-results.json, and evidence/ for a live run.
    #[arg(long, default_value = "oscal-stig-out")]
    pub out: PathBuf,
    /// Exit 1 only for failed rules of at least this severity.
    #[arg(long, value_enum, default_value = "low")]
    pub fail_on: FailOn,
    /// Seconds before one API call is abandoned.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Per-container calls in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Assess an evidence snapshot whose files no longer match its seal (edited after
    /// collection, or written by hand): every result then says it was decided on modified
    /// evidence, and which files changed.
    #[arg(long)]
    pub allow_modified_evidence: bool,
    /// Deliverables written beside the results (comma-separated): `ckl`, `cklb` (OUT/checklists/:
    /// for the Kubernetes STIG one per asset, the cluster and each node), `poam`
    /// (OUT/poam.json), `cd` (OUT/component-definition.json), `report` (OUT/report.html and
    /// report.md), or `all`.
    #[arg(long, value_delimiter = ',', value_enum)]
    pub emit: Vec<Emit>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    Ckl,
    Cklb,
    Poam,
    Cd,
    Report,
    All,
}

impl Emit {
    /// Whether `kind` is asked for (`all` asks for everything).
    pub(super) fn wants(what: &[Emit], kind: Emit) -> bool {
        what.contains(&kind) || what.contains(&Emit::All)
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
}

impl FailOn {
    pub(super) fn counts(self, s: Severity) -> bool {
        match self {
            FailOn::High => s == Severity::High,
            FailOn::Medium => s != Severity::Low,
            FailOn::Low => true,
        }
    }
}

pub fn docker(args: &DockerArgs) -> u8 {
    exit_code(run(args))
}

/// An assess command's own exit code, or 2 with one line when it could not run.
pub(super) fn exit_code(result: anyhow::Result<u8>) -> u8 {
    result.unwrap_or_else(|e| {
        report(&e);
        exit::UNUSABLE
    })
}

fn run(args: &DockerArgs) -> anyhow::Result<u8> {
    let index = RuleIndex::load("mke")?;
    let policy = load_policy(&args.common, &[&index], stigs::mke::APPROVALS)?;
    std::fs::create_dir_all(&args.common.out).with_context(|| format!("cannot create {}", args.common.out.display()))?;
    let evidence_dir = match &args.evidence {
        Some(dir) => dir.clone(),
        None => {
            let endpoint = match (&args.docker_host, &args.bundle) {
                (Some(h), _) => Endpoint::parse(h, std::env::var_os("DOCKER_CERT_PATH").map(PathBuf::from).as_deref())?,
                (None, Some(b)) => Endpoint::from_bundle(b)?,
                (None, None) => Endpoint::from_env()?,
            };
            let timeout = Duration::from_secs(args.common.timeout);
            let client = DockerClient::new(&endpoint, timeout)?;
            let plan = Plan {
                target: client.target().to_string(),
                docker: Some(client),
                node_proxy: None,
                mke: None,
                msr: None,
                trust: None,
                kubernetes: None,
                concurrency: args.common.concurrency,
                timeout,
            };
            let dir = args.common.out.join("evidence");
            fresh_snapshot_dir(&dir)?;
            eprintln!("collecting from {} ...", endpoint.describe());
            cluster::collect(&plan, &dir, &|_| {})?;
            dir
        }
    };
    let snap = open_snapshot(&evidence_dir, &args.common)?;
    let assessment = stigs::mke::assess(&snap, None, &policy, &index);
    warn_unused(&policy, &[&assessment]);
    let code = write_results(&assessment, &snap, &index, &args.common.out, args.common.fail_on)?;
    emit_mke(&args.common.out, &assessment, &index, &args.common.emit)?;
    Ok(code)
}

/// The MKE STIG's deliverables: one checklist for the cluster (its asset named from the
/// target), and the documents every STIG gets.
fn emit_mke(out: &Path, a: &Assessment, index: &RuleIndex, what: &[Emit]) -> anyhow::Result<()> {
    let ar = out.join("assessment-results.json");
    if Emit::wants(what, Emit::Ckl) || Emit::wants(what, Emit::Cklb) {
        let results = oscal_stig::oscal::AssessmentResults::from_file(&ar)?;
        let shown = assessment_results::shown_target(&a.target);
        let info = oscal_stig::checklist::results::AssetInfo::of_target(&shown, format!("Mirantis Kubernetes Engine cluster ({shown})"));
        let c = oscal_stig::checklist::results::from_assessment(&results, index, &info);
        super::kubernetes::write_checklists(&c, &out.join("checklists"), "cluster", &results.uuid, what)?;
    }
    super::documents::write_deliverables(&ar, index, out, what)
}

/// The site policy (empty when none is given), checked against the STIGs the run assesses.
pub(super) fn load_policy(common: &Common, indexes: &[&RuleIndex], approvals: &[(&str, &str)]) -> anyhow::Result<Policy> {
    let policy = common.policy.as_deref().map(Policy::load).transpose()?.unwrap_or_default();
    if let Err(e) = policy.check_against(indexes, approvals) {
        bail!("policy {}: {e}", common.policy.as_deref().map(|p| p.display().to_string()).unwrap_or_default());
    }
    Ok(policy)
}

/// Writes one assessment-results document.
pub(super) fn write_document(assessment: &Assessment, index: &RuleIndex, out_file: &Path) -> anyhow::Result<()> {
    let doc = assessment_results::build(assessment, index);
    if let Some(dir) = out_file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Streamed to disk (a big cluster's results are tens of MB), renamed into place when whole.
    oscal_stig::output::write_atomic_with(out_file, |w| doc.write_json_pretty(w))?;
    // The plan the results' import-ap links (and embeds), beside them.
    let plan = out_file.with_file_name(oscal_stig::emit::assessment_plan::FILE_NAME);
    oscal_stig::output::write_atomic(&plan, oscal_stig::emit::assessment_plan::of_assessment(assessment, index).as_bytes())?;
    Ok(())
}

/// Site-policy entries no assessment of the run used.
pub(super) fn warn_unused(policy: &Policy, assessments: &[&Assessment]) {
    let used: std::collections::BTreeSet<String> = assessments.iter().flat_map(|a| a.policy_entries_used()).collect();
    for entry in policy.entries().into_iter().filter(|e| !used.contains(e)) {
        eprintln!("warning: site policy {entry} matched no subject (still needed?)");
    }
}

/// Whether a failed rule counts for --fail-on.
pub(super) fn gating(assessment: &Assessment, index: &RuleIndex, fail_on: FailOn) -> bool {
    assessment.results.iter().any(|r| r.status == Status::Fail && index.get(&r.rule).is_some_and(|i| fail_on.counts(i.severity)))
}

/// Opens the snapshot to assess: sealed and matching, or (with --allow-modified-evidence) as it
/// is, keeping how it differs from its seal for the results to say.
pub(super) fn open_snapshot(dir: &Path, common: &Common) -> anyhow::Result<Snapshot> {
    if !common.allow_modified_evidence {
        return Ok(Snapshot::open(dir)?);
    }
    let snap = Snapshot::open_modified(dir)?;
    for c in snap.modified() {
        eprintln!("warning: evidence {}: {c}", dir.display());
    }
    Ok(snap)
}

/// Writes the document and the table; the exit code every assess command shares.
pub(super) fn write_results(assessment: &Assessment, snap: &Snapshot, index: &RuleIndex, out: &Path, fail_on: FailOn) -> anyhow::Result<u8> {
    let evidence_dir = &snap.dir;
    let out_file = out.join("assessment-results.json");
    write_document(assessment, index, &out_file)?;
    print_table(assessment, index);
    eprintln!("wrote {} (evidence: {})", out_file.display(), evidence_dir.display());

    // Not one rule passed or failed: every answer missing or unreadable (what the policy alone
    // makes not applicable is no assessment of the system). Exit 2, naming the cause.
    if !assessment.results.iter().any(|r| matches!(r.status, Status::Pass | Status::Fail)) {
        let why = match snap.records.iter().any(|r| r.error.is_none()) {
            true => "every rule lacks evidence (see each rule's reason)".to_string(),
            false => {
                let first = snap.records.iter().find_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.endpoint)));
                format!("every call failed (first: {})", first.unwrap_or_else(|| "nothing was collected".into()))
            }
        };
        eprintln!("error: no rule could be assessed: {why}");
        return Ok(exit::UNUSABLE);
    }
    Ok(if gating(assessment, index, fail_on) { exit::FAILED } else { exit::OK })
}

#[derive(clap::Args)]
pub struct MkeArgs {
    /// MKE URL, e.g. https://mke.example.mil
    #[arg(long, required_unless_present = "evidence")]
    pub url: Option<String>,
    /// MKE client bundle directory (ca.pem, cert.pem, key.pem, env.sh): mTLS to MKE and to its Docker API.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// MKE CA certificate (default: the bundle's ca.pem).
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Log in as this user (POST /auth/login) instead of using the bundle's certificate. The
    /// password comes from $MKE_PASSWORD or --password-file, never from the command line.
    #[arg(long)]
    pub username: Option<String>,
    /// File holding the password for --username.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// Kubernetes credentials (default: the bundle's kube.yml).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Use the pod's service account (when oscal-stig runs inside the cluster).
    #[arg(long, conflicts_with = "kubeconfig")]
    pub in_cluster: bool,
    /// MSR URL, when MSR is in use (its credentials: --username with $MSR_PASSWORD or $MKE_PASSWORD).
    #[arg(long)]
    pub msr_url: Option<String>,
    /// CA that signed MSR's certificate, for collection (default: the MKE CA).
    #[arg(long)]
    pub msr_ca: Option<PathBuf>,
    /// Host evidence the assessor gathered on each node (YAML), for V-260906. See
    /// examples/host-evidence.yaml.
    #[arg(long)]
    pub host_evidence: Option<PathBuf>,
    /// Node evidence for the Kubernetes STIG: a folder of `oscal-stig collect node` files.
    #[arg(long)]
    pub node_evidence: Option<PathBuf>,
    /// No progress display on stderr (it is off anyway when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
    /// Port of MKE's per-node engine proxy (each node's own /info, with the bundle's certificate).
    #[arg(long, default_value_t = 12376)]
    pub node_port: u16,
    /// Re-assess offline from an evidence snapshot instead of collecting.
    #[arg(long, conflicts_with_all = ["url", "bundle"])]
    pub evidence: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

pub fn mke(args: &MkeArgs) -> u8 {
    exit_code(run_mke(args))
}

fn mke_target(args: &MkeArgs, url: &str) -> anyhow::Result<mke::Target> {
    let ca = args.ca.clone().or_else(|| args.bundle.as_ref().map(|b| b.join("ca.pem"))).context("no MKE CA: give --bundle or --ca")?;
    let client = args.bundle.as_ref().map(|b| (b.join("cert.pem"), b.join("key.pem")));
    let auth = match &args.username {
        Some(user) => {
            let password = match &args.password_file {
                Some(f) => std::fs::read_to_string(f).with_context(|| format!("cannot read --password-file {}", f.display()))?.trim_end_matches(['\n', '\r']).to_string(),
                None => match std::env::var("MKE_PASSWORD") {
                    Ok(p) => p,
                    // Asked for on the terminal, without echo; never a command-line argument.
                    Err(_) if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
                        rpassword::prompt_password(format!("MKE password for {user}: ")).context("cannot read the password")?
                    }
                    Err(_) => bail!("no password for --username: set MKE_PASSWORD or --password-file (passwords are never command-line arguments)"),
                },
            };
            mke::Auth::Login { username: user.clone(), password: mke::Password::new(password) }
        }
        None if client.is_some() => mke::Auth::ClientCert,
        None => bail!("no credentials: give --bundle (client certificate) or --username"),
    };
    Ok(mke::Target { url: url.to_string(), ca, client, auth })
}

fn run_mke(args: &MkeArgs) -> anyhow::Result<u8> {
    let index = RuleIndex::load("mke")?;
    let kube_index = RuleIndex::load("kubernetes")?;
    let policy = load_policy(&args.common, &[&index, &kube_index], stigs::mke::APPROVALS)?;
    let node_files = args.node_evidence.as_deref().map(super::kubernetes::load_node_evidence).transpose()?;
    std::fs::create_dir_all(&args.common.out).with_context(|| format!("cannot create {}", args.common.out.display()))?;
    // Read before collecting: a broken file is reported before minutes of collection.
    let host = args.host_evidence.as_deref().map(HostEvidence::load).transpose()?;
    let evidence_dir = match (&args.evidence, &args.url) {
        (Some(dir), _) => dir.clone(),
        (None, Some(url)) => {
            let target = mke_target(args, url)?;
            // MSR's certificate is checked against the MKE CA unless --msr-ca says otherwise.
            let target_ca = target.ca.clone();
            let timeout = Duration::from_secs(args.common.timeout);
            let mke_client = MkeClient::new(target, timeout)?;
            let docker = args.bundle.as_deref().map(Endpoint::from_bundle).transpose()?.map(|e| DockerClient::new(&e, timeout)).transpose()?;
            let msr = match &args.msr_url {
                Some(u) => {
                    let ca = args.msr_ca.clone().unwrap_or_else(|| target_ca.clone());
                    let password = std::env::var("MSR_PASSWORD").or_else(|_| std::env::var("MKE_PASSWORD")).ok();
                    let basic = args.username.clone().zip(password);
                    Some((MsrClient::new(u, &ca, basic, timeout)?, u.clone()))
                }
                None => None,
            };
            let kubeconfig = args.kubeconfig.clone().or_else(|| args.bundle.as_ref().map(|b| b.join("kube.yml")).filter(|p| p.is_file()));
            let plan = Plan {
                target: mke_client.describe().to_string(),
                docker,
                node_proxy: args.bundle.as_ref().map(|b| (TlsFiles::from_dir(b), args.node_port)),
                mke: Some((mke_client, url.clone())),
                msr,
                trust: policy.trusted_ca_bundle.clone(),
                kubernetes: if args.in_cluster { Some(kubernetes::Source::InCluster) } else { kubeconfig.map(|k| kubernetes::Source::Kubeconfig(k, None)) },
                concurrency: args.common.concurrency,
                timeout,
            };
            let dir = args.common.out.join("evidence");
            fresh_snapshot_dir(&dir)?;
            let progress = Progress::new(args.quiet);
            progress.say(&format!("collecting from {}", plan.target));
            cluster::collect(&plan, &dir, &|what| progress.say(what))?;
            progress.done();
            dir
        }
        (None, None) => bail!("give --url (and --bundle or --username) or --evidence"),
    };
    let snap = open_snapshot(&evidence_dir, &args.common)?;
    let node_files = super::kubernetes::node_evidence_of(&snap, node_files, args.evidence.is_none())?;
    let assessment = stigs::mke::assess(&snap, host, &policy, &index);
    let code = write_results(&assessment, &snap, &index, &args.common.out, args.common.fail_on)?;
    emit_mke(&args.common.out, &assessment, &index, &args.common.emit)?;
    // The cluster's Kubernetes against the Kubernetes STIG, when its API was read.
    let (kube, cluster) = stigs::kubernetes::assess(&snap, node_files, &policy, &kube_index);
    if cluster.facts.kube.reached.is_err() {
        warn_unused(&policy, &[&assessment]);
        return Ok(code);
    }
    let dir = args.common.out.join("kubernetes");
    write_document(&kube, &kube_index, &dir.join("assessment-results.json"))?;
    super::kubernetes::emit(&kube, &cluster, &kube_index, &dir, &args.common.emit)?;
    super::documents::write_deliverables(&dir.join("assessment-results.json"), &kube_index, &dir, &args.common.emit)?;
    let count = |s: Status| kube.results.iter().filter(|r| r.status == s).count();
    eprintln!(
        "wrote {} (Kubernetes STIG: {} rules: {} pass, {} fail, {} not applicable, {} not reviewed)",
        dir.join("assessment-results.json").display(),
        kube.results.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::NotApplicable),
        count(Status::NotReviewed)
    );
    warn_unused(&policy, &[&assessment, &kube]);
    Ok(if code == exit::OK && gating(&kube, &kube_index, args.common.fail_on) { exit::FAILED } else { code })
}

/// A live run replaces the previous snapshot in OUT/evidence, and nothing else.
pub(super) fn fresh_snapshot_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.join("manifest.json").is_file() && std::fs::read_dir(dir)?.next().is_some() {
            bail!("{} exists and is not an evidence snapshot; refusing to overwrite it", dir.display());
        }
        // The previous snapshot goes, but only if every file in it is one a snapshot writes: an
        // assessor's own notes put beside the evidence are never deleted.
        if let Some(stranger) = foreign_file(dir)? {
            bail!("{} holds {}, which no evidence snapshot writes; refusing to clear it (move it, or choose another --out)", dir.display(), stranger.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    Ok(())
}

/// A file under an existing snapshot that the snapshot's own records do not account for.
fn foreign_file(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let ours: std::collections::HashSet<PathBuf> = match Snapshot::open_unverified(dir) {
        Ok(snap) => snap.records.iter().filter_map(|r| r.stored.as_deref()).map(|s| PathBuf::from(s.split('#').next().unwrap_or(s))).chain(snap.manifest.files.keys().map(PathBuf::from)).collect(),
        Err(_) => Default::default(),
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
            let path = entry?.path();
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.is_dir() {
                stack.push(path);
            } else if !(ours.contains(&rel) || rel == Path::new("manifest.json") || rel == Path::new("records.jsonl") || rel.starts_with("node-evidence")) {
                return Ok(Some(rel));
            }
        }
    }
    Ok(None)
}

pub(super) fn print_table(a: &Assessment, index: &RuleIndex) {
    outln!("{:<10} {:<8} {:<15} {:>7}  REASON", "RULE", "SEVERITY", "VERDICT", "FAILING");
    for r in &a.results {
        let sev = index.get(&r.rule).map(|i| i.severity.category()).unwrap_or("?");
        let reason: String = r.reason.chars().take(110).collect();
        outln!("{:<10} {:<8} {:<15} {:>7}  {}", r.rule, sev, r.status.as_str(), r.failing().count(), reason);
    }
    let count = |s: Status| a.results.iter().filter(|r| r.status == s).count();
    outln!(
        "{} rules: {} pass, {} fail, {} not applicable, {} not reviewed",
        a.results.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::NotApplicable),
        count(Status::NotReviewed)
    );
}

/// A spinner on stderr while collecting; silent when stderr is not a terminal or with --quiet.
pub(super) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(super) fn new(quiet: bool) -> Progress {
        if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub(super) fn say(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_string());
        }
    }

    pub(super) fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
