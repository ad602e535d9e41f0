//! Checklists per asset, as eMASS and STIG Manager take them: one for the cluster (the rules
//! decided from the API and the control plane) and one per node (kubelet settings, node files,
//! sshd), each with the host name, IP and FQDN from the evidence. A node's checklist carries
//! that node's own verdict of each node rule; rules decided for the cluster as a whole are not
//! reviewed there and point at the cluster's checklist.

use super::KubeCluster;
use crate::assess::{Assessment, Outcome, RuleResult, Status};
use crate::checklist::results::AssetInfo;
use crate::stig::RuleIndex;

pub struct Asset {
    /// File name stem (the node name, or `cluster`).
    pub file: String,
    pub info: AssetInfo,
    /// The node, for a node's checklist.
    pub node: Option<String>,
}

/// `https://10.0.0.10:6443/` -> `10.0.0.10`.
/// Keeps what can be in a file name (node names are DNS labels; a hostile one is not).
fn file_stem(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') {
        format!("node_{s}")
    } else {
        s
    }
}

pub fn assets(k: &KubeCluster, target: &str) -> Vec<Asset> {
    let cluster = AssetInfo::of_target(target, format!("Kubernetes cluster (API server {target})"));
    let mut out = vec![Asset { file: "cluster".into(), info: cluster, node: None }];
    for n in k.facts.kube.nodes.iter().flatten() {
        let ip = n.address("InternalIP").or_else(|| n.address("ExternalIP")).unwrap_or("").to_string();
        let fqdn = n.address("InternalDNS").or_else(|| n.address("ExternalDNS")).or_else(|| n.address("Hostname").filter(|h| h.contains('.'))).unwrap_or("").to_string();
        let info = AssetInfo {
            host_name: n.address("Hostname").unwrap_or(&n.name).to_string(),
            host_ip: ip,
            host_fqdn: fqdn,
            role: "Member Server".into(),
            tech_area: String::new(),
            host_mac: String::new(),
            comment: format!("Kubernetes {} node {}", if n.control_plane() { "control-plane" } else { "worker" }, n.name),
        };
        out.push(Asset { file: file_stem(&n.name), info, node: Some(n.name.clone()) });
    }
    out
}

fn about(s: &crate::assess::Subject, node: &str) -> bool {
    s.name == node || s.facts.iter().any(|(k, v)| k == "node" && v == node)
}

/// One node's view of a node-level rule: its own subjects decide; a node the rule kept no
/// subject for passed (failing and undecided subjects are always kept) unless the rule as a
/// whole was not decided.
fn node_result(r: &RuleResult, node: &str) -> RuleResult {
    let subjects: Vec<_> = r.subjects.iter().filter(|s| about(s, node)).cloned().collect();
    let (status, assessed, reason) = if subjects.iter().any(|s| s.outcome == Outcome::Fail) {
        (Status::Fail, true, format!("{node}: finding; the cluster: {}", r.reason))
    } else if let Some(why) = subjects.iter().find_map(|s| match &s.outcome {
        Outcome::Unknown(w) => Some(w.clone()),
        _ => None,
    }) {
        (Status::NotReviewed, false, format!("not assessed on {node}: {why}"))
    } else if subjects.iter().any(|s| matches!(s.outcome, Outcome::Pass | Outcome::Excepted { .. })) {
        (Status::Pass, true, format!("{node}: no finding; the cluster: {}", r.reason))
    } else if !subjects.is_empty() {
        (Status::NotApplicable, true, format!("{node}: nothing the rule concerns; the cluster: {}", r.reason))
    } else {
        match r.status {
            Status::Fail | Status::Pass => (Status::Pass, true, format!("{node}: no finding; the cluster: {}", r.reason)),
            other => (other, r.assessed, r.reason.clone()),
        }
    };
    RuleResult { rule: r.rule.clone(), status, assessed, reason, subjects, passed_total: 0, evidence: r.evidence.clone() }
}

/// The assessment as one asset's checklist shows it.
pub fn for_asset(a: &Assessment, asset: &Asset, index: &RuleIndex) -> Assessment {
    let results = a
        .results
        .iter()
        .map(|r| {
            let node_rule = index.get(&r.rule).is_some_and(|i| super::node_level(&i.stig_id));
            match (&asset.node, node_rule) {
                (None, _) => r.clone(),
                (Some(node), true) => node_result(r, node),
                (Some(_), false) => RuleResult {
                    rule: r.rule.clone(),
                    status: Status::NotReviewed,
                    assessed: false,
                    reason: "not assessed on this node: the rule is decided for the cluster as a whole (see the cluster's checklist)".into(),
                    subjects: vec![],
                    passed_total: 0,
                    evidence: vec![],
                },
            }
        })
        .collect();
    Assessment { target: match &asset.node { Some(n) => format!("{} node {n}", a.target), None => a.target.clone() }, results, ..a.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_file_names() {
        let ip = AssetInfo::of_target("https://10.0.0.10:6443/", String::new());
        assert_eq!((ip.host_name.as_str(), ip.host_ip.as_str(), ip.host_fqdn.as_str()), ("10.0.0.10", "10.0.0.10", ""));
        let name = AssetInfo::of_target("https://k8s.example.mil (Kubernetes API)", String::new());
        assert_eq!((name.host_name.as_str(), name.host_ip.as_str(), name.host_fqdn.as_str()), ("k8s", "", "k8s.example.mil"));
        let v6 = AssetInfo::of_target("https://[fd00::1]:6443", String::new());
        assert_eq!(v6.host_ip, "fd00::1");
        assert_eq!(file_stem("../etc/passwd"), "node_.._etc_passwd");
        assert_eq!(file_stem("worker-1.example.mil"), "worker-1.example.mil");
    }
}
