//! V-260933 (CNTR-MK-000990): kernel protection. Two halves, the worse wins:
//!
//! - Kubernetes (when in use): the kubelet's protect-kernel-defaults is on. The STIG greps
//!   `/etc/sysconfig/kubelet` on the control plane; MKE runs the kubelet in `ucp-kubelet` and
//!   sets it from `cluster_config.kube_protect_kernel_defaults` (default false), which must be
//!   true, and every node's kubelet must report `protectKernelDefaults: true` in its configz
//!   (all nodes, not only the control plane: stricter than the text). A node whose kubelet
//!   configuration was not read makes the half not assessed.
//! - Swarm (when in use): the kernel capabilities containers add stay within the SSP, exactly
//!   V-260923's check (P-CAPS approvals), judged for this rule.
//!
//! Deviation from the old code: the Swarm half was never judged (the rule was Kubernetes only,
//! or not assessed without Kubernetes).

use super::common::{config, kube_gate};
use super::v260923::capabilities;
use super::Cluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000990", vuln: "V-260933" },
    needs: &[Key::MkeConfig, Key::KubeNodes, Key::KubeletConfigz, Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes],
    params: &["orchestrator", "allowed_capabilities", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![kubelets(cl), capabilities(cl, policy, RULE.id.vuln, "Swarm")]
}

fn kubelets(cl: &Cluster) -> Part {
    let label = "Kubernetes";
    if let Some(gate) = kube_gate(cl, label) {
        return gate;
    }
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let key = "cluster_config.kube_protect_kernel_defaults";
    let (outcome, facts) = match cfg.boolean(key, false) {
        Ok(s) => (if s.value { Outcome::Pass } else { Outcome::Fail }, vec![fact(key, s.shown())]),
        Err(e) => (Outcome::Unknown(e), vec![]),
    };
    let mut checks = vec![Subject { kind: SubjectKind::Setting, name: "config-toml".into(), id: Key::MkeConfig.endpoint().into(), outcome, facts }];
    let mut incomplete = Vec::new();
    match &cl.facts.kube.kubelets {
        Err(e) => incomplete.push(e.clone()),
        Ok(nodes) if nodes.is_empty() => incomplete.push("the Kubernetes node list names no node".into()),
        Ok(nodes) => {
            for (node, kubelet) in nodes {
                let field = "kubeletconfig.protectKernelDefaults";
                let (outcome, facts) = match kubelet.as_ref().map(|k| k.get("protectKernelDefaults")) {
                    Err(e) => (Outcome::Unknown(e.clone()), vec![]),
                    // The kubelet's own default is false.
                    Ok(None) => (Outcome::Fail, vec![fact(field, "false (absent: kubelet default)")]),
                    Ok(Some(v)) => match v.as_bool() {
                        Some(b) => (if b { Outcome::Pass } else { Outcome::Fail }, vec![fact(field, b)]),
                        None => (Outcome::Unknown(format!("{field} = {v} is not a boolean")), vec![]),
                    },
                };
                checks.push(Subject { kind: SubjectKind::Node, name: node.clone(), id: node.clone(), outcome, facts });
            }
        }
    }
    let p = Phrases { population: "kubelet settings (MKE's and each node's kubelet)", violation: "leave protect-kernel-defaults off", none_concerned: "" };
    judge(label, &p, checks, &incomplete, Empty::Pass)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use serde_json::json;

    const NET_ADMIN_FOR_WEB: &str = "allowed_capabilities:\n- match: {name: '^web$'}\n  justification: SSP 5.1\n  capabilities: [NET_ADMIN]\n";

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let kubelet = |v: serde_json::Value| move |f: &mut crate::facts::Facts| {
            f.kube.kubelets.as_mut().unwrap().insert("mke-1".into(), Ok(v));
        };
        vec![
            case("kernel defaults protected, no capability added", Status::Pass, |_| {}),
            case("MKE setting off", Status::Fail, |f| set(f.mke.config.as_mut().unwrap(), "cluster_config.kube_protect_kernel_defaults", toml::Value::Boolean(false)))
                .failing(&["config-toml"]),
            case("MKE setting absent (default false)", Status::Fail, |f| unset(f.mke.config.as_mut().unwrap(), "cluster_config.kube_protect_kernel_defaults"))
                .failing(&["config-toml"]),
            case("a kubelet without it", Status::Fail, kubelet(json!({"protectKernelDefaults": false}))).failing(&["mke-1"]),
            case("a kubelet not saying (default false)", Status::Fail, kubelet(json!({}))).failing(&["mke-1"]),
            case_with("a capability not approved", Status::Fail, policy(NET_ADMIN_FOR_WEB), |f| web(f).cap_add = vec!["SYS_ADMIN".into()]).failing(&["web"]),
            case_with("an approved capability", Status::Pass, policy(NET_ADMIN_FOR_WEB), |f| web(f).cap_add = vec!["NET_ADMIN".into()]),
            case("a capability added without P-CAPS", Status::NotReviewed, |f| web(f).cap_add = vec!["NET_ADMIN".into()]),
            case("a kubelet's configuration unread", Status::NotReviewed, |f| {
                f.kube.kubelets.as_mut().unwrap().insert("mke-2".into(), Err("GET /api/v1/nodes/mke-2/proxy/configz: HTTP 403".into()));
            })
            .missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            // One orchestrator (from the site policy, so /nodes is not read): the other half is not
            // applicable and its evidence not needed.
            case_with("swarm only, kubelets unread", Status::Pass, policy("orchestrator: swarm\n"), |f| f.kube.kubelets = Err("not read".into()))
                .independent_of(&[Key::MkeConfig, Key::KubeNodes, Key::KubeletConfigz, Key::DockerNodes]),
            case_with("kubernetes only, a capability not approved", Status::Pass, policy(&format!("orchestrator: kubernetes\n{NET_ADMIN_FOR_WEB}")), |f| {
                web(f).cap_add = vec!["SYS_ADMIN".into()]
            })
            .independent_of(&[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes]),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
