//! V-260925 (CNTR-MK-000590): resource quotas and CPU priority. Two halves, the worse wins:
//!
//! - Kubernetes (when in use): every user namespace has a ResourceQuota with `limits.cpu` and
//!   `limits.memory`. The namespaces MKE and Kubernetes run their own workloads in (kube-system,
//!   kube-public, kube-node-lease, node-feature-discovery) are not judged. Deviation: the STIG
//!   also compares the limits' values with the SSP; the site policy has no parameter for them,
//!   so their presence is judged and the values are left to the assessor.
//! - Swarm (when in use): every running container has a memory limit (`HostConfig.Memory` not
//!   0), and CPU shares other than 0 or 1024 (the default) unless the SSP documents it
//!   (`cpu_shares_exempt`, P-CPU: match and justification; such a container is listed as
//!   approved). The STIG's commands filter `label=com.docker.ucp.version` (MKE's own
//!   containers); every running container is judged (check map 0.3), MKE's own excepted only
//!   through the site policy.

use super::common::{approved, containers, kube_gate, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::{Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000590", vuln: "V-260925" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes, Key::KubeNamespaces, Key::KubeQuotas],
    params: &["orchestrator", "cpu_shares_exempt", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// Namespaces MKE and Kubernetes run their own workloads in.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease", "node-feature-discovery"];

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![quotas(cl, policy), swarm(cl, policy)]
}

fn quotas(cl: &Cluster, policy: &Policy) -> Part {
    let label = "Kubernetes";
    if let Some(gate) = kube_gate(cl, label) {
        return gate;
    }
    let (namespaces, quotas) = match (&cl.facts.kube.namespaces, &cl.facts.kube.quotas) {
        (Err(e), _) | (_, Err(e)) => return Part::missing(label, e),
        (Ok(n), Ok(q)) => (n, q),
    };
    let labels = Default::default();
    let checks = namespaces
        .iter()
        .filter(|n| !SYSTEM_NAMESPACES.contains(&n.as_str()))
        .map(|ns| {
            let (cpu, mem) = quotas.get(ns).copied().unwrap_or((false, false));
            let outcome = if cpu && mem {
                Outcome::Pass
            } else {
                let t = Target { name: ns, image: "", node: "", labels: &labels, system: false };
                match policy.exception(RULE.id.vuln, &t) {
                    Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
                    None => Outcome::Fail,
                }
            };
            let facts = vec![fact("ResourceQuota limits.cpu", cpu), fact("ResourceQuota limits.memory", mem)];
            Subject { kind: SubjectKind::Namespace, name: ns.clone(), id: ns.clone(), outcome, facts }
        })
        .collect();
    let p = Phrases { population: "user namespaces", violation: "lack a ResourceQuota with limits.cpu and limits.memory", none_concerned: "" };
    judge(label, &p, checks, &[], Empty::Missing("the namespace list names no user namespace (not even default)".into()))
}

fn swarm(cl: &Cluster, policy: &Policy) -> Part {
    let label = "Swarm";
    if let Some(gate) = swarm_gate(cl, label) {
        return gate;
    }
    let exempt = policy.cpu_shares_exempt.as_deref().unwrap_or_default();
    let p = Phrases {
        population: "running containers",
        violation: "run without a memory limit or with default CPU shares (0/1024) the SSP does not document",
        none_concerned: "",
    };
    let mut part = containers(cl, policy, RULE.id.vuln, Population::Running, &p, |c, t| {
        let facts = vec![fact("HostConfig.Memory", c.memory), fact("HostConfig.CpuShares", c.cpu_shares)];
        let default_shares = c.cpu_shares == 0 || c.cpu_shares == 1024;
        let approval = if default_shares { exempt.iter().position(|a| a.matcher.matches(t)) } else { None };
        if c.memory == 0 || (default_shares && approval.is_none()) {
            Judged::Bad(facts)
        } else if let Some(i) = approval {
            approved("cpu_shares_exempt", vec![i], |i| exempt[i].justification.clone(), facts)
        } else {
            Judged::Ok(facts)
        }
    });
    part.label = label.into();
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use std::collections::BTreeMap;

    const WEB_EXEMPT: &str = "cpu_shares_exempt:\n- match: {name: '^web$'}\n  justification: SSP 6.3\n";

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("limits and quotas set", Status::Pass, |_| {}),
            case("no memory limit", Status::Fail, |f| web(f).memory = 0).failing(&["web"]),
            case("default CPU shares", Status::Fail, |f| web(f).cpu_shares = 1024).failing(&["web"]),
            case("CPU shares unset (0)", Status::Fail, |f| web(f).cpu_shares = 0).failing(&["web"]),
            case_with("default CPU shares documented", Status::Pass, policy(WEB_EXEMPT), |f| web(f).cpu_shares = 0),
            case_with("documented shares do not excuse a missing memory limit", Status::Fail, policy(WEB_EXEMPT), |f| {
                web(f).cpu_shares = 0;
                web(f).memory = 0;
            })
            .failing(&["web"]),
            case("a namespace without quota", Status::Fail, |f| f.kube.quotas = Ok(BTreeMap::from([("default".to_string(), (true, true))]))).failing(&["app-a"]),
            case("a quota without limits.memory", Status::Fail, |f| {
                f.kube.quotas.as_mut().unwrap().insert("app-a".into(), (true, false));
            }).failing(&["app-a"]),
            case("system namespaces are not judged", Status::Pass, |f| f.kube.namespaces.as_mut().unwrap().push("kube-node-lease".into())),
            case_with("namespace excepted", Status::Pass, excepting("V-260925", "app-a"), |f| {
                f.kube.quotas.as_mut().unwrap().remove("app-a");
            }),
            case("quotas unread", Status::NotReviewed, |f| f.kube.quotas = Err("GET /api/v1/resourcequotas: HTTP 403".into())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            // One orchestrator (from the site policy, so /nodes is not read): the other half is not
            // applicable and its evidence not needed.
            case_with("swarm only, quotas unread", Status::Pass, policy("orchestrator: swarm\n"), |f| f.kube.quotas = Err("not read".into()))
                .independent_of(&[Key::KubeNamespaces, Key::KubeQuotas, Key::DockerNodes]),
            case_with("kubernetes only, no memory limit", Status::Pass, policy("orchestrator: kubernetes\n"), |f| web(f).memory = 0)
                .independent_of(&[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes]),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
