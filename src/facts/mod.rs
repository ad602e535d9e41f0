//! Facts: the evidence reduced to what rules read, one field per evidence key, each either the
//! value or exactly what is missing. Loaded once per run from a snapshot (live and offline runs
//! take the same path), or made by hand in rule tests.

pub mod docker;
pub mod host;
pub mod kubernetes;
pub mod mke;
pub mod node;
pub mod system;

use crate::evidence::keys::Key;
use crate::evidence::Snapshot;
use crate::policy::{Orchestrator, Policy};

/// What rules reading node files say when no node evidence was given.
pub const NO_NODE_FILES: &str = "no node evidence was given: run `oscal-stig collect node -o NODE.json` on each node (or the DaemonSet `oscal-stig manifests node-collector` prints) and pass the files with --node-evidence DIR";

/// Evidence a rule needs, or why it is missing.
pub type Got<T> = Result<T, String>;

/// Everything an assessment of an MKE cluster (or one Docker Engine) can read.
pub struct Facts {
    pub docker: docker::DockerFacts,
    pub mke: mke::MkeFacts,
    pub kube: kubernetes::KubeFacts,
    pub msr: mke::MsrFacts,
    /// [`Key::HostEvidence`].
    pub host: Got<host::HostEvidence>,
    /// [`Key::NodeFiles`]: `oscal-stig collect node` answers by node name.
    pub node_files: Got<std::collections::BTreeMap<String, node::NodeEvidence>>,
    /// Whether the run collected through MKE (its admin API and Docker proxy), so that MKE's
    /// access control decides what the account sees.
    pub through_mke: bool,
}

impl Facts {
    /// No evidence at all.
    pub fn none() -> Facts {
        Facts {
            docker: docker::DockerFacts::none(),
            mke: mke::MkeFacts::none(),
            kube: kubernetes::KubeFacts::none(),
            msr: mke::MsrFacts::none(),
            host: Err(Key::HostEvidence.not_collected()),
            node_files: Err(NO_NODE_FILES.into()),
            through_mke: false,
        }
    }

    pub fn load(snap: &Snapshot, host: Option<host::HostEvidence>) -> Facts {
        let docker = docker::DockerFacts::load(snap);
        let mke = mke::MkeFacts::load(snap);
        Facts {
            through_mke: mke.collected || docker.info_is_aggregate(),
            docker,
            mke,
            kube: kubernetes::KubeFacts::load(snap),
            msr: mke::MsrFacts::load(snap),
            node_files: Err(NO_NODE_FILES.into()),
            host: host.ok_or_else(|| format!("{}: run on every node `stat -c '%U:%G %a' /var/run/docker.sock` and `getent group docker`, and give the answers with --host-evidence (see examples/host-evidence.yaml)", Key::HostEvidence.not_collected())),
        }
    }

    /// Forgets one key's evidence, as if its call had failed.
    pub fn drop_key(&mut self, key: Key) {
        match key.source() {
            "docker" => self.docker.drop_key(key),
            "mke" => self.mke.drop_key(key),
            "kubernetes" => self.kube.drop_key(key),
            "msr" => self.msr.drop_key(key),
            "node" => self.node_files = Err(key.not_collected()),
            _ => self.host = Err(key.not_collected()),
        }
    }

    /// Which orchestrators are in use: the site policy (P-ORCH), else MKE's node labels. Each
    /// is `Err(why)` when the evidence cannot tell.
    pub fn orchestrators(&self, policy: &Policy) -> Orchestrators {
        if let Some(o) = policy.orchestrator {
            return Orchestrators { swarm: Ok(o.swarm()), kubernetes: Ok(o.kubernetes()), source: format!("{} (site policy)", o.as_str()) };
        }
        let unknown = |why: &str| Orchestrators { swarm: Err(why.to_string()), kubernetes: Err(why.to_string()), source: format!("unknown: {why}") };
        match &self.docker.nodes {
            Ok(Some(nodes)) => {
                let has = |k: &str| nodes.iter().any(|n| n.labels.get(k).map(String::as_str) == Some("true"));
                let (s, k) = (has("com.docker.ucp.orchestrator.swarm"), has("com.docker.ucp.orchestrator.kubernetes"));
                if s || k {
                    let o = match (s, k) {
                        (true, true) => Orchestrator::Both,
                        (false, true) => Orchestrator::Kubernetes,
                        _ => Orchestrator::Swarm,
                    };
                    return Orchestrators { swarm: Ok(s), kubernetes: Ok(k), source: format!("{} (MKE node labels)", o.as_str()) };
                }
                unknown("no node carries MKE's orchestrator labels; set `orchestrator` in the site policy (P-ORCH)")
            }
            Ok(None) => unknown("the engine is not in a Swarm and carries no MKE orchestrator labels; set `orchestrator` in the site policy (P-ORCH)"),
            Err(e) => unknown(&format!("the node list is unknown ({e}); set `orchestrator` in the site policy (P-ORCH)")),
        }
    }
}

/// Orchestrators in use, each known or not.
#[derive(Debug, Clone)]
pub struct Orchestrators {
    pub swarm: Got<bool>,
    pub kubernetes: Got<bool>,
    /// How it was determined, for the results.
    pub source: String,
}
