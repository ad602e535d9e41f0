//! V-260930 (CNTR-MK-000680): under Swarm, no running container shares the host PID namespace
//! (`HostConfig.PidMode=host`) unless the SSP documents it ("system-level containers ... this
//! access must be documented": site-policy exceptions). The STIG makes the check not applicable
//! under Kubernetes, although its title speaks of pods: it has no Kubernetes half, so pods with
//! `spec.hostPID` are only reported in the reason, as evidence. The STIG's command filters
//! `label=com.docker.ucp.version` (MKE's own containers); every running container is judged
//! (check map 0.3).

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000680", vuln: "V-260930" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes],
    params: &["orchestrator", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = swarm_gate(cl, "") {
        return vec![gate];
    }
    let p = Phrases { population: "running containers", violation: "share the host PID namespace without an SSP exception", none_concerned: "" };
    let part = containers(cl, policy, RULE.id.vuln, Population::Running, &p, |c, _| {
        let f = vec![fact("HostConfig.PidMode", &c.pid_mode)];
        if c.pid_mode == "host" { Judged::Bad(f) } else { Judged::Ok(f) }
    });
    // Evidence only: the STIG has no Kubernetes half for this rule.
    let host_pid: Vec<String> = cl.facts.kube.pods.iter().flatten().filter(|p| p.host_pid).map(|p| format!("{}/{}", p.namespace, p.name)).collect();
    let note = match host_pid.len() {
        0 => String::new(),
        n if n <= 10 => format!("Kubernetes pods with hostPID (evidence; the STIG does not judge pods here): {}", host_pid.join(", ")),
        n => format!("{n} Kubernetes pods with hostPID (evidence; the STIG does not judge pods here), first: {}", host_pid[..10].join(", ")),
    };
    vec![part.note(note)]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::kubernetes::Pod;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let host_pid = |f: &mut crate::facts::Facts| web(f).pid_mode = "host".into();
        vec![
            case("no host PID namespace", Status::Pass, |_| {}),
            case("container shares the host PID namespace", Status::Fail, host_pid).failing(&["web"]),
            case_with("excepted", Status::Pass, excepting("V-260930", "web"), host_pid),
            case("a pod with hostPID is evidence only", Status::Pass, |f| f.kube.pods = Ok(vec![Pod { host_pid: true, ..pod("kube-system", "node-exporter") }])),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), host_pid).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            case("orchestrator unknown", Status::NotReviewed, |f| f.docker.nodes = Err("GET /nodes: HTTP 500".into())).missing(),
            nothing(),
        ]
    }
}
