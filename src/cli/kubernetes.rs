//! `oscal-stig assess kubernetes`, `collect node`: the Kubernetes STIG from the command line.
//! Collection and assessment are the library's (`probe::kubernetes`, `probe::node`,
//! `stigs::kubernetes`); this file turns options into them and writes the deliverables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use oscal_stig::assess::Assessment;
use oscal_stig::checklist::ckl;
use oscal_stig::checklist::results;
use oscal_stig::evidence::Snapshot;
use oscal_stig::facts::node::NodeEvidence;
use oscal_stig::probe::cluster::{self, Plan};
use oscal_stig::probe::kubernetes::Source;
use oscal_stig::stig::RuleIndex;
use oscal_stig::stigs::kubernetes::{self as k8s, assets, KubeCluster};

use super::assess::{exit_code, fresh_snapshot_dir, load_policy, warn_unused, write_results, Common, Emit, Progress};

#[derive(clap::Args)]
pub struct Args {
    /// kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).
    #[arg(long, conflicts_with_all = ["in_cluster", "evidence"])]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its current context).
    #[arg(long, conflicts_with_all = ["in_cluster", "evidence"])]
    pub context: Option<String>,
    /// Use the pod's service account (when oscal-stig runs inside the cluster).
    #[arg(long, conflicts_with = "evidence")]
    pub in_cluster: bool,
    /// Re-assess offline from an evidence snapshot instead of collecting.
    #[arg(long)]
    pub evidence: Option<PathBuf>,
    /// Node evidence: a folder of `oscal-stig collect node` files, one per node. A live run
    /// keeps a copy in the snapshot (OUT/evidence/node-evidence/).
    #[arg(long)]
    pub node_evidence: Option<PathBuf>,
    /// A DISA Kubernetes STIG release to assess against instead of the shipped V1R11: its
    /// XCCDF (`*_Manual-xccdf.xml`), SCAP benchmark, or the STIG zip.
    #[arg(long)]
    pub stig: Option<PathBuf>,
    /// No progress display on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub common: Common,
}

pub fn assess(args: &Args) -> u8 {
    exit_code(run(args))
}

/// The STIG content: the shipped profile, or the user's newer release.
fn content(stig: Option<&Path>) -> anyhow::Result<RuleIndex> {
    let Some(path) = stig else {
        return Ok(RuleIndex::load("kubernetes")?);
    };
    let built = oscal_stig::stig::profile::build_from_files(path, None, "nist-800-53-rev5", None).with_context(|| format!("--stig {}", path.display()))?;
    let index = RuleIndex::from_profile(&built.profile).with_context(|| format!("--stig {}", path.display()))?;
    if !index.rules().iter().any(|r| r.stig_id.starts_with("CNTR-K8-")) {
        bail!("--stig {}: not the Kubernetes STIG (none of its {} rules has a CNTR-K8- STIG id: {})", path.display(), index.len(), index.stig.title);
    }
    // Checks written for rules this release lacks: said once, on stderr.
    let unmatched = k8s::unmatched_checks(&index);
    if !unmatched.is_empty() {
        eprintln!("note: {} {} has no rule for {} check(s) of oscal-stig: {}", index.stig.title, index.stig.version, unmatched.len(), unmatched.join(", "));
    }
    let unchecked = index.rules().iter().filter(|r| k8s::rule_for(&r.stig_id).is_none()).count();
    if unchecked > 0 {
        eprintln!("note: {unchecked} rule(s) of {} {} have no automated check in oscal-stig {} (reported not reviewed)", index.stig.title, index.stig.version, env!("CARGO_PKG_VERSION"));
    }
    Ok(index)
}

pub fn load_node_evidence(dir: &Path) -> anyhow::Result<BTreeMap<String, NodeEvidence>> {
    let m = NodeEvidence::load_dir(dir).with_context(|| format!("--node-evidence {}", dir.display()))?;
    if m.is_empty() {
        bail!("--node-evidence {}: no node evidence (*.json from `oscal-stig collect node`) in it", dir.display());
    }
    Ok(m)
}

/// The node evidence of a run: on a live run the given files, copied into the snapshot so an
/// offline re-assessment reads the same; offline, the snapshot's copy unless others are given.
pub fn node_evidence_of(snap: &Snapshot, given: Option<BTreeMap<String, NodeEvidence>>, live: bool) -> anyhow::Result<Option<BTreeMap<String, NodeEvidence>>> {
    let kept = snap.dir.join("node-evidence");
    match given {
        Some(m) if live => {
            std::fs::create_dir_all(&kept).with_context(|| format!("cannot create {}", kept.display()))?;
            for (node, ev) in &m {
                let f = kept.join(format!("{}.json", oscal_stig::ids::uuid_v5(&["node-evidence", node])));
                std::fs::write(&f, serde_json::to_string_pretty(ev)? + "\n").with_context(|| format!("cannot write {}", f.display()))?;
            }
            // Part of the evidence now: under the seal, so the offline re-assessment checks it.
            oscal_stig::evidence::seal(&snap.dir)?;
            Ok(Some(m))
        }
        Some(m) => Ok(Some(m)),
        None if kept.is_dir() => Ok(Some(load_node_evidence(&kept)?)),
        None => Ok(None),
    }
}

fn run(args: &Args) -> anyhow::Result<u8> {
    let index = content(args.stig.as_deref())?;
    let policy = load_policy(&args.common, &[&index], k8s::APPROVALS)?;
    let node_files = args.node_evidence.as_deref().map(load_node_evidence).transpose()?;
    std::fs::create_dir_all(&args.common.out).with_context(|| format!("cannot create {}", args.common.out.display()))?;
    let evidence_dir = match &args.evidence {
        Some(dir) => dir.clone(),
        None => {
            let source = if args.in_cluster {
                Source::InCluster
            } else {
                let path = match &args.kubeconfig {
                    Some(p) => p.clone(),
                    None => std::env::var_os("KUBECONFIG")
                        .map(|k| PathBuf::from(std::env::split_paths(&k).next().unwrap_or_default()))
                        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config")))
                        .context("no kubeconfig: give --kubeconfig, set KUBECONFIG, or use --in-cluster")?,
                };
                Source::Kubeconfig(path, args.context.clone())
            };
            let target = match &source {
                Source::Kubeconfig(p, ctx) => format!("{} (Kubernetes API{})", server_of(p, ctx.as_deref()).unwrap_or_else(|| "unknown server".into()), ctx.as_deref().map(|c| format!(", context {c}")).unwrap_or_default()),
                Source::InCluster => "https://kubernetes.default.svc (Kubernetes API, in-cluster service account)".into(),
            };
            let timeout = Duration::from_secs(args.common.timeout);
            let plan = Plan { target, docker: None, node_proxy: None, mke: None, msr: None, trust: None, kubernetes: Some(source), concurrency: args.common.concurrency, timeout };
            let dir = args.common.out.join("evidence");
            fresh_snapshot_dir(&dir)?;
            let progress = Progress::new(args.quiet);
            progress.say(&format!("collecting from {}", plan.target));
            cluster::collect(&plan, &dir, &|what| progress.say(what))?;
            progress.done();
            dir
        }
    };
    let snap = super::assess::open_snapshot(&evidence_dir, &args.common)?;
    let node_files = node_evidence_of(&snap, node_files, args.evidence.is_none())?;
    let (assessment, cluster) = k8s::assess(&snap, node_files, &policy, &index);
    if let Ok(m) = &cluster.facts.node_files {
        let listed: Vec<&str> = cluster.facts.kube.nodes.iter().flatten().map(|n| n.name.as_str()).collect();
        for node in m.keys().filter(|n| !listed.is_empty() && !listed.contains(&n.as_str())) {
            eprintln!("warning: node evidence for {node}, which the cluster's node list does not have (ignored)");
        }
    }
    warn_unused(&policy, &[&assessment]);
    let code = write_results(&assessment, &snap, &index, &args.common.out, args.common.fail_on)?;
    emit(&assessment, &cluster, &index, &args.common.out, &args.common.emit)?;
    super::documents::write_deliverables(&args.common.out.join("assessment-results.json"), &index, &args.common.out, &args.common.emit)?;
    Ok(code)
}

/// The API server URL of a kubeconfig's context (the current one by default), for the target
/// the documents name: no file path, no credentials.
fn server_of(path: &Path, context: Option<&str>) -> Option<String> {
    let k = kube::config::Kubeconfig::read_from(path).ok()?;
    let ctx = context.map(str::to_string).or(k.current_context.clone())?;
    let cluster = k.contexts.iter().find(|c| c.name == ctx)?.context.as_ref()?.cluster.clone();
    k.clusters.iter().find(|c| c.name == cluster)?.cluster.as_ref()?.server.clone()
}

/// Writes a CKL and/or CKLB per asset (the cluster and each node) into OUT/checklists.
pub fn emit(a: &Assessment, cluster: &KubeCluster, index: &RuleIndex, out: &Path, what: &[Emit]) -> anyhow::Result<()> {
    if !Emit::wants(what, Emit::Ckl) && !Emit::wants(what, Emit::Cklb) {
        return Ok(());
    }
    let dir = out.join("checklists");
    let all = assets::assets(cluster, &a.target);
    for asset in &all {
        let view = assets::for_asset(a, asset, index);
        let ar = oscal_stig::emit::assessment_results::build(&view, index);
        let c = results::from_assessment(&ar, index, &asset.info);
        write_checklists(&c, &dir, &asset.file, &ar.uuid, what)?;
    }
    eprintln!("wrote the checklists of {} assets in {}", all.len(), dir.display());
    Ok(())
}

/// DIR/STEM.ckl and/or DIR/STEM.cklb of one asset's checklist, as `what` asks.
pub(super) fn write_checklists(c: &oscal_stig::checklist::Checklist, dir: &Path, stem: &str, ar_uuid: &str, what: &[Emit]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if Emit::wants(what, Emit::Ckl) {
        let f = dir.join(format!("{stem}.ckl"));
        oscal_stig::output::write_atomic(&f, ckl::write(c, concat!("oscal-stig ", env!("CARGO_PKG_VERSION"), " (STIG Viewer 2 CKL)")).as_bytes())?;
    }
    if Emit::wants(what, Emit::Cklb) {
        let f = dir.join(format!("{stem}.cklb"));
        let v = results::to_cklb(c, None, stem, &oscal_stig::ids::uuid_v5(&["cklb", ar_uuid]).to_string());
        oscal_stig::output::write_atomic(&f, (serde_json::to_string_pretty(&v)? + "\n").as_bytes())?;
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct CollectNodeArgs {
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Where the node's filesystem is mounted (`/host` in the node-collector pod).
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// The Kubernetes node name (default: $NODE_NAME, else the host name).
    #[arg(long)]
    pub node_name: Option<String>,
}

pub fn collect_node(args: &CollectNodeArgs) -> u8 {
    super::guard(|| {
        if !args.root.is_dir() {
            bail!("--root {}: not a directory", args.root.display());
        }
        let node_name = match args.node_name.clone().or_else(|| std::env::var("NODE_NAME").ok()).filter(|n| !n.trim().is_empty()) {
            Some(n) => n,
            None => std::fs::read_to_string(args.root.join("etc/hostname")).ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).context("no node name: give --node-name (or set NODE_NAME)")?,
        };
        let opts = oscal_stig::probe::node::Options { root: args.root.clone(), node_name, collected: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true) };
        let ev = oscal_stig::probe::node::collect(&opts);
        for e in &ev.errors {
            eprintln!("warning: {e}");
        }
        super::write_output(args.out.as_deref(), &(serde_json::to_string_pretty(&ev)? + "\n"))?;
        eprintln!("node {}: {} paths, {} processes", ev.node, ev.files.len(), ev.processes.len());
        Ok(())
    })
}
