//! `oscal-stig assess docker`: collect (or read) evidence, decide the rules, write OSCAL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use oscal_stig::assess::{mke_config, mke_docker, Assessment, Status};
use oscal_stig::emit::assessment_results;
use oscal_stig::evidence::Snapshot;
use oscal_stig::oscal::OscalModel;
use oscal_stig::policy::Policy;
use oscal_stig::evidence::{Manifest, SnapshotWriter, FORMAT};
use oscal_stig::probe::docker::{collect, collect_into, collect_node_engines, CollectOptions, DockerClient, Endpoint};
use oscal_stig::probe::kubernetes;
use oscal_stig::probe::mke::{self, MkeClient};
use oscal_stig::probe::msr::{self, MsrClient};
use oscal_stig::stig::{RuleIndex, Severity};

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
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
}

impl FailOn {
    fn counts(self, s: Severity) -> bool {
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
fn exit_code(result: anyhow::Result<u8>) -> u8 {
    result.unwrap_or_else(|e| {
        report(&e);
        exit::UNUSABLE
    })
}

fn run(args: &DockerArgs) -> anyhow::Result<u8> {
    let policy = args.common.policy.as_deref().map(Policy::load).transpose()?;
    let index = RuleIndex::load("mke")?;
    std::fs::create_dir_all(&args.common.out).with_context(|| format!("cannot create {}", args.common.out.display()))?;
    let evidence_dir = match &args.evidence {
        Some(dir) => dir.clone(),
        None => {
            let endpoint = match (&args.docker_host, &args.bundle) {
                (Some(h), _) => Endpoint::parse(h, std::env::var_os("DOCKER_CERT_PATH").map(PathBuf::from).as_deref())?,
                (None, Some(b)) => Endpoint::from_bundle(b)?,
                (None, None) => Endpoint::from_env()?,
            };
            let dir = args.common.out.join("evidence");
            fresh_snapshot_dir(&dir)?;
            let client = DockerClient::new(&endpoint, Duration::from_secs(args.common.timeout))?;
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            eprintln!("collecting from {} ...", endpoint.describe());
            rt.block_on(collect(&client, &dir, &CollectOptions { concurrency: args.common.concurrency }))?;
            dir
        }
    };
    let snap = Snapshot::open(&evidence_dir)?;
    let assessment = mke_docker::assess_snapshot(&snap, policy.as_ref());
    write_results(&assessment, &snap, &index, &args.common.out, args.common.fail_on)
}

/// Writes the document and the table; the exit code every assess command shares.
fn write_results(assessment: &Assessment, snap: &Snapshot, index: &RuleIndex, out: &Path, fail_on: FailOn) -> anyhow::Result<u8> {
    let evidence_dir = &snap.dir;
    let doc = assessment_results::build(assessment, index);
    let out_file = out.join("assessment-results.json");
    let file = std::fs::File::create(&out_file).with_context(|| format!("cannot write {}", out_file.display()))?;
    let mut w = std::io::BufWriter::new(file);
    doc.write_json_pretty(&mut w).and_then(|_| std::io::Write::flush(&mut w)).with_context(|| format!("cannot write {}", out_file.display()))?;
    print_table(assessment, index);
    eprintln!("wrote {} (evidence: {})", out_file.display(), evidence_dir.display());

    // Nothing collected (every call failed): the run could not assess, whatever the rules say.
    if !snap.records.iter().any(|r| r.error.is_none()) {
        let why = assessment.results.iter().find(|r| !r.assessed).map(|r| r.reason.as_str()).unwrap_or("nothing was collected");
        eprintln!("error: no rule could be assessed: {why}");
        return Ok(exit::UNUSABLE);
    }
    let gating = assessment.results.iter().any(|r| r.status == Status::Fail && index.get(&r.rule).is_some_and(|i| fail_on.counts(i.severity)));
    Ok(if gating { exit::FAILED } else { exit::OK })
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
    let policy = args.common.policy.as_deref().map(Policy::load).transpose()?;
    let index = RuleIndex::load("mke")?;
    std::fs::create_dir_all(&args.common.out).with_context(|| format!("cannot create {}", args.common.out.display()))?;
    let evidence_dir = match (&args.evidence, &args.url) {
        (Some(dir), _) => dir.clone(),
        (None, Some(url)) => {
            let target = mke_target(args, url)?;
            // MSR's certificate is checked against the MKE CA unless --msr-ca says otherwise.
            let target_ca = target.ca.clone();
            let timeout = Duration::from_secs(args.common.timeout);
            let mke_client = MkeClient::new(target, timeout)?;
            let docker = args.bundle.as_deref().map(Endpoint::from_bundle).transpose()?.map(|e| DockerClient::new(&e, timeout)).transpose()?;
            let dir = args.common.out.join("evidence");
            fresh_snapshot_dir(&dir)?;
            let w = std::sync::Arc::new(SnapshotWriter::create(&dir)?);
            let started = oscal_stig::probe::now();
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            let progress = Progress::new(args.quiet);
            progress.say(&format!("collecting from {}", mke_client.describe()));
            let msr_client = match &args.msr_url {
                Some(u) => {
                    let ca = args.msr_ca.clone().unwrap_or_else(|| target_ca.clone());
                    let password = std::env::var("MSR_PASSWORD").or_else(|_| std::env::var("MKE_PASSWORD")).ok();
                    let basic = args.username.clone().zip(password);
                    Some(MsrClient::new(u, &ca, basic, timeout)?)
                }
                None => None,
            };
            let trust = policy.as_ref().and_then(|p| p.trusted_ca_bundle.clone());
            let kubeconfig = args.kubeconfig.clone().or_else(|| args.bundle.as_ref().map(|b| b.join("kube.yml")).filter(|p| p.is_file()));
            rt.block_on(async {
                if let Some(d) = &docker {
                    progress.say("Docker Engine API: containers, images, networks, secrets, nodes");
                    let nodes = collect_into(d, &w, &CollectOptions { concurrency: args.common.concurrency }).await?;
                    if let (Some(nodes), Some(bundle)) = (nodes, &args.bundle) {
                        progress.say("each node's engine (/info through the per-node proxy)");
                        collect_node_engines(&nodes, &oscal_stig::probe::tls::TlsFiles::from_dir(bundle), args.node_port, timeout, &w).await?;
                    }
                }
                progress.say("MKE admin API: config-toml, versions, grants, LDAP, /oscal");
                mke::collect(&mke_client, &w).await?;
                if let Some(t) = &trust {
                    msr::chain_check(mke::SOURCE, url, t, timeout, &w).await?;
                }
                if let Some(m) = &msr_client {
                    progress.say("MSR API: settings, image scanning, accounts");
                    msr::collect(m, &w).await?;
                    if let (Some(t), Some(u)) = (&trust, &args.msr_url) {
                        msr::chain_check(msr::SOURCE, u, t, timeout, &w).await?;
                    }
                }
                let source = if args.in_cluster { Some(kubernetes::Source::InCluster) } else { kubeconfig.map(kubernetes::Source::Kubeconfig) };
                if let Some(source) = source {
                    progress.say("Kubernetes API: pods, workloads, namespaces, quotas, bindings, kubelet configz");
                    match kubernetes::client(&source, timeout).await {
                        Ok((client, _)) => kubernetes::collect(&client, &w).await?,
                        // The Kubernetes rules then say why they were not assessed.
                        Err(e) => {
                            eprintln!("warning: Kubernetes API not collected: {e}");
                            kubernetes::record_unreachable(&w, &e.to_string());
                        }
                    }
                }
                Ok::<(), oscal_stig::evidence::EvidenceError>(())
            })?;
            let manifest = Manifest {
                format: FORMAT,
                tool: concat!("oscal-stig ", env!("CARGO_PKG_VERSION")).into(),
                target: mke_client.describe().to_string(),
                started,
                finished: oscal_stig::probe::now(),
            };
            std::sync::Arc::into_inner(w).expect("collection finished").finish(&manifest)?;
            progress.done();
            dir
        }
        (None, None) => bail!("give --url (and --bundle or --username) or --evidence"),
    };
    let snap = Snapshot::open(&evidence_dir)?;
    let host = args.host_evidence.as_deref().map(oscal_stig::assess::host::HostEvidence::load).transpose()?;
    let mut assessment = mke_config::assess_cluster(&snap, policy.as_ref(), &index);
    if let Some(h) = &host {
        if let Some(r) = assessment.results.iter_mut().find(|r| r.rule == "V-260906") {
            *r = oscal_stig::assess::host::docker_socket(h, policy.as_ref());
        }
    }
    write_results(&assessment, &snap, &index, &args.common.out, args.common.fail_on)
}

/// A live run replaces the previous snapshot in OUT/evidence, and nothing else.
fn fresh_snapshot_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.join("manifest.json").is_file() && std::fs::read_dir(dir)?.next().is_some() {
            bail!("{} exists and is not an evidence snapshot; refusing to overwrite it", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    Ok(())
}

fn print_table(a: &Assessment, index: &RuleIndex) {
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
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(quiet: bool) -> Progress {
        if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    fn say(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_string());
        }
    }

    fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
