//! V-260913 (CNTR-MK-000150): the host network namespace is not shared, unless the SSP
//! documents an exception. Two halves, each decided here; the worse wins:
//!
//! - Kubernetes (when Kubernetes is in use): no pod has `spec.hostNetwork: true`.
//! - Swarm (when Swarm is in use): no running container has `HostConfig.NetworkMode=host`.
//!   The STIG's command filters `label=com.docker.ucp.version` (MKE's own containers), while its
//!   fix removes "nonsystem containers": every running container is judged (check map 0.3), MKE's
//!   own excepted only through the site policy.
//!
//! Deviation from the old code: the container half was judged whatever the orchestrator; the
//! STIG asks for it "when using Swarm orchestration", so it is not applicable under Kubernetes
//! only.

use super::common::{containers, pods, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000150", vuln: "V-260913" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes, Key::KubePods],
    params: &["orchestrator", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "pods", violation: "use the host network without an SSP exception", none_concerned: "" };
    let kube = pods(cl, policy, RULE.id.vuln, "Kubernetes", &p, |pod| {
        if pod.host_network { Judged::Bad(vec![fact("spec.hostNetwork", true)]) } else { Judged::Ok(vec![]) }
    });
    let swarm = swarm_gate(cl, "Swarm").unwrap_or_else(|| {
        let p = Phrases { population: "running containers", violation: "use the host network without an SSP exception", none_concerned: "" };
        let mut part = containers(cl, policy, RULE.id.vuln, Population::Running, &p, |c, _| {
            let f = vec![fact("HostConfig.NetworkMode", &c.network_mode)];
            if c.network_mode == "host" { Judged::Bad(f) } else { Judged::Ok(f) }
        });
        part.label = "Swarm".into();
        part
    });
    vec![kube, swarm]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::kubernetes::Pod;
    use crate::facts::Facts;

    fn host_pod(f: &mut Facts) {
        f.kube.pods = Ok(vec![Pod { host_network: true, ..pod("app-a", "web-7") }]);
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let host_net = |f: &mut Facts| web(f).network_mode = "host".into();
        vec![
            case("no host network", Status::Pass, |_| {}),
            case("container on the host network", Status::Fail, host_net).failing(&["web"]),
            case("pod on the host network", Status::Fail, host_pod).failing(&["app-a/web-7"]),
            case_with("container excepted", Status::Pass, excepting("V-260913", "web"), host_net),
            case_with("pod excepted", Status::Pass, excepting("V-260913", "web-7"), host_pod),
            case("a stopped container is not judged", Status::Pass, |f| {
                let mut c = container("old");
                c.running = false;
                c.network_mode = "host".into();
                f.docker.containers.as_mut().unwrap().push(c);
            }),
            // One orchestrator (from the site policy, so /nodes is not read): the other half is not
            // applicable and its evidence not needed.
            case_with("kubernetes only, container on the host network", Status::Pass, policy("orchestrator: kubernetes\n"), host_net)
                .independent_of(&[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes]),
            case_with("swarm only, pod list unread", Status::Pass, policy("orchestrator: swarm\n"), |f| f.kube.pods = Err("not read".into()))
                .independent_of(&[Key::KubePods, Key::DockerNodes]),
            case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("GET /api/v1/pods: HTTP 403".into())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            case("pod list unread, container on the host network", Status::Fail, |f| {
                host_net(f);
                f.kube.pods = Err("GET /api/v1/pods: HTTP 403".into());
            })
            .failing(&["web"]),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
