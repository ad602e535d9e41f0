//! The DISA Kubernetes STIG. Most of its rules are uniform: a control-plane flag
//! ([`flags`]), a kubelet setting ([`kubelet`]) or a node file's owner or mode ([`files`]),
//! each one table entry naming what the STIG's check reads, decided by [`checks`]. The rest
//! have a file each (`v242383.rs` decides V-242383, with its tests). Rules are bound to the
//! STIG content by STIG id (`CNTR-K8-...`), so a newer DISA release given with `--stig` is
//! assessed by the same checks.
//!
//! Where the cluster's shape moves what the STIG reads, the reason says so: the control plane
//! of kubeadm clusters is read from its static pods, MKE's from its `ucp-kube-*` containers,
//! and a managed control plane is not visible at all.

pub mod assets;
pub mod checks;
pub mod control_plane;
#[cfg(test)]
pub mod testing;

mod files;
mod flags;
mod kubelet;
mod manual;
mod v242383;
mod v242390;
mod v242393;
mod v242394;
mod v242395;
mod v242398;
mod v242399;
mod v242403;
mod v242414;
mod v242415;
mod v242417;
mod v242436;
mod v242437;
mod v242442;
mod v242443;
mod v242461;
mod v254800;
mod v254801;

use std::collections::BTreeMap;

use crate::assess::{Assessment, Part, Rule, RuleResult};
use crate::evidence::keys::Key;
use crate::evidence::Snapshot;
use crate::facts::docker::Container;
use crate::facts::node::NodeEvidence;
use crate::facts::{Facts, Got};
use crate::policy::Policy;
use crate::stig::RuleIndex;
use control_plane::ControlPlane;

/// How to get node evidence, for "not assessed" sentences.
pub const COLLECT_NODE: &str = "run `oscal-stig collect node -o NODE.json` on it (or the DaemonSet `oscal-stig manifests node-collector` prints) and pass the files with --node-evidence DIR";

/// Evidence the control-plane flag rules read: the pod list (static pods), the node list
/// (which nodes are control plane), the container inspections (MKE).
pub const CONTROL_PLANE: &[Key] = &[Key::KubePods, Key::KubeNodes, Key::DockerInspect];
/// Evidence the kubelet rules read.
pub const KUBELET: &[Key] = &[Key::KubeNodes, Key::KubeletConfigz, Key::NodeFiles];
/// Evidence the node file rules read.
pub const NODE_FILES: &[Key] = &[Key::KubeNodes, Key::NodeFiles];

/// Facts of one Kubernetes cluster, with the control plane found once.
pub struct KubeCluster {
    pub facts: Facts,
    pub control_plane: Got<ControlPlane>,
}

impl KubeCluster {
    pub fn new(facts: Facts) -> KubeCluster {
        let control_plane = control_plane::find(&facts);
        KubeCluster { facts, control_plane }
    }

    /// MKE's kubelet container on a node (`ucp-kubelet`), when this is MKE.
    pub fn mke_kubelet(&self, node: &str) -> Result<Option<&Container>, String> {
        match &self.control_plane {
            Ok(cp) if cp.shape == control_plane::Shape::Mke => {
                let cs = self.facts.docker.containers.as_ref().map_err(String::clone)?;
                Ok(cs.iter().find(|c| c.node == node && c.name == "ucp-kubelet" && c.labels.contains_key("com.docker.ucp.version")))
            }
            _ => Ok(None),
        }
    }

    /// Whether the server is at least 1.`minor`, or why that is unknown.
    pub fn at_least(&self, minor: u32) -> Got<bool> {
        self.facts.kube.version.as_ref().map(|v| v.minor >= minor).map_err(String::clone)
    }

    pub fn version(&self) -> &str {
        self.facts.kube.version.as_ref().map(|v| v.git.as_str()).unwrap_or("unknown")
    }

    /// The part a rule gives when the STIG limits its check to older (or newer) versions.
    pub fn version_gate(&self, applies: impl Fn(u32) -> bool, why: &str) -> Option<Part> {
        match &self.facts.kube.version {
            Ok(v) if applies(v.minor) => None,
            Ok(v) => Some(Part::not_applicable("", format!("{why} (the API server is {})", v.git))),
            Err(e) => Some(Part::missing("", format!("the rule depends on the Kubernetes version, and {e}"))),
        }
    }
}

/// Every rule this tool decides, in DISA's order.
pub const RULES: &[&Rule<KubeCluster>] = &[
    &flags::V242376, &flags::V242377, &flags::V242378, &flags::V242379, &flags::V242380, &flags::V242381, &flags::V242382,
    &v242383::RULE, &flags::V242384, &flags::V242385, &flags::V242386, &kubelet::V242387, &flags::V242388, &flags::V242389,
    &v242390::RULE, &kubelet::V242391, &kubelet::V242392, &v242393::RULE, &v242394::RULE, &v242395::RULE, &manual::V242396,
    &kubelet::V242397, &v242398::RULE, &v242399::RULE, &flags::V242400, &flags::V242402, &v242403::RULE, &kubelet::V242404,
    &files::V242405, &files::V242406, &files::V242407, &files::V242408, &flags::V242409, &manual::V242410, &manual::V242411,
    &manual::V242412, &manual::V242413, &v242414::RULE, &v242415::RULE, &v242417::RULE, &flags::V242418, &flags::V242419,
    &kubelet::V242420, &flags::V242421, &flags::V242422, &flags::V242423, &kubelet::V242424, &kubelet::V242425, &flags::V242426,
    &flags::V242427, &flags::V242428, &flags::V242429, &flags::V242430, &flags::V242431, &flags::V242432, &flags::V242433,
    &kubelet::V242434, &v242436::RULE, &v242437::RULE, &flags::V242438, &v242442::RULE, &v242443::RULE, &files::V242444,
    &files::V242445, &files::V242446, &files::V242447, &files::V242448, &files::V242449, &files::V242450, &files::V242451,
    &files::V242452, &files::V242453, &files::V242454, &files::V242455, &files::V242456, &files::V242457, &files::V242459,
    &files::V242460, &v242461::RULE, &flags::V242462, &flags::V242463, &flags::V242464, &flags::V242465, &files::V242466,
    &files::V242467, &kubelet::V245541, &flags::V245542, &flags::V245543, &flags::V245544, &v254800::RULE, &v254801::RULE,
];

/// Rules decided per node (kubelet settings, node files, sshd): each node's checklist carries
/// them; the cluster's checklist carries the rest.
pub fn node_level(stig_id: &str) -> bool {
    rule_for(stig_id).is_some_and(|r| r.needs.contains(&Key::NodeFiles) && !r.needs.contains(&Key::KubePods))
}

/// Policy keys that approve what a rule would fail, by the V- id they waive.
pub const APPROVALS: &[(&str, &str)] = &[];

pub fn rule_for(stig_id: &str) -> Option<&'static Rule<KubeCluster>> {
    RULES.iter().copied().find(|r| r.id.stig == stig_id)
}

/// Decides every rule of the STIG content (`index`): those with a check here, and the rest
/// said plainly.
pub fn decide(cluster: &KubeCluster, policy: &Policy, index: &RuleIndex) -> Vec<RuleResult> {
    crate::assess::rule::decide_all(RULES, cluster, policy, index)
}

/// STIG ids of checks here that the content lacks (a newer release dropped or renamed them).
pub fn unmatched_checks(index: &RuleIndex) -> Vec<&'static str> {
    RULES.iter().map(|r| r.id.stig).filter(|id| index.get(id).is_none()).collect()
}

/// Assesses a snapshot with the node evidence given (live and offline runs take this path).
pub fn assess(snap: &Snapshot, node_files: Option<BTreeMap<String, NodeEvidence>>, policy: &Policy, index: &RuleIndex) -> (Assessment, KubeCluster) {
    let mut facts = Facts::load(snap, None);
    if let Some(n) = node_files {
        facts.node_files = Ok(n);
    }
    let cluster = KubeCluster::new(facts);
    let results = decide(&cluster, policy, index);
    let orchestrator = match &cluster.control_plane {
        Ok(cp) => format!("kubernetes ({})", cp.source()),
        Err(e) => format!("kubernetes (control plane: {e})"),
    };
    (Assessment::of_snapshot(snap, orchestrator, results, policy.parameters()), cluster)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> RuleIndex {
        RuleIndex::load("kubernetes").unwrap()
    }

    #[test]
    fn every_rule_of_the_stig_is_registered_once_in_order() {
        let index = index();
        let ids: Vec<&str> = RULES.iter().map(|r| r.id.stig).collect();
        let content: Vec<&str> = index.rules().iter().map(|r| r.stig_id.as_str()).collect();
        assert_eq!(ids, content);
        for r in RULES {
            assert_eq!(index.get(r.id.stig).map(|i| i.vuln_id.as_str()), Some(r.id.vuln), "{} is bound to its STIG id", r.id.vuln);
        }
    }

    /// Rules whose check the STIG leaves to a person: no automatable failure.
    const MANUAL: &[&str] = &[manual::V242396.id.vuln, manual::V242410.id.vuln, manual::V242411.id.vuln, manual::V242412.id.vuln, manual::V242413.id.vuln];

    /// Rules that can pass but whose failure is a person's call (V-242417: which pods in the
    /// system namespaces are user pods) or needs objects this version does not collect
    /// (V-242437: PodSecurityPolicies, before 1.25).
    const NO_AUTOMATED_FAIL: &[&str] = &[v242417::RULE.id.vuln, v242437::RULE.id.vuln];

    #[test]
    fn every_rule_decides_its_cases() {
        let no_fail: Vec<&str> = MANUAL.iter().chain(NO_AUTOMATED_FAIL).copied().collect();
        let wrong = crate::assess::rule::registry::cases_hold(RULES, &no_fail, MANUAL);
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    /// Drops each evidence item a rule needs, in turn, from every case that did not fail: the
    /// rule must never reach pass or not applicable without it.
    #[test]
    fn no_rule_passes_or_goes_not_applicable_without_its_evidence() {
        for r in RULES {
            assert!(!r.needs.is_empty() || MANUAL.contains(&r.id.vuln), "{} names the evidence it needs", r.id.vuln);
        }
        let (tried, wrong) = crate::assess::rule::registry::evidence_drops_hold(RULES, |k: KubeCluster| k.facts, |f, _| KubeCluster::new(f));
        assert!(tried > 200, "{tried}");
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }
}
