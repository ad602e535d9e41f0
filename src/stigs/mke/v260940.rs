//! V-260940 (CNTR-MK-001220): under Swarm, privileged containers are limited to system
//! containers. The STIG's command is `docker ps --all` with MKE's, Kubernetes' and DTR's own
//! filtered out by name (`grep -iv "MKE\|kube\|dtr"`), then any `Privileged=true` is a finding.
//! A name proves nothing (anyone can name a container `ucp-x`), so the system containers are
//! those `facts::system::classify` recognises from what their product sets: MKE's and MSR's
//! images, version labels and the installed versions, and the kubelet's pod labels confirmed
//! against the pod list. A container that only claims to be one (the installed version or the
//! pod list unknown) is not cleared: if privileged, it is not assessed. A user container the
//! SSP approves is excepted through the site policy. Not applicable under Kubernetes only.
//!
//! The classification reads the installed MKE version (`/info`), MSR's version and the pod
//! list, so those are evidence of this rule too.

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001220", vuln: "V-260940" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes, Key::DockerInfo, Key::MsrVersion, Key::KubePods],
    params: &["orchestrator", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = swarm_gate(cl, "") {
        return vec![gate];
    }
    let p = Phrases { population: "containers other than MKE's, MSR's and Kubernetes' own", violation: "are privileged without an SSP exception", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::User, &p, |c, _| {
        let f = vec![fact("HostConfig.Privileged", c.privileged)];
        if c.privileged { Judged::Bad(f) } else { Judged::Ok(f) }
    })]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::{Container, Uninspected};
    use crate::facts::Facts;

    /// What recognises each kind of system container; a case whose verdict does not rest on
    /// recognising one is independent of the others.
    const MKE_VERSION: Key = Key::DockerInfo;
    const NOT_SYSTEM: &[Key] = &[Key::DockerInfo, Key::MsrVersion, Key::KubePods];

    fn privileged(mut c: Container) -> Container {
        c.privileged = true;
        c
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let priv_web = |f: &mut Facts| web(f).privileged = true;
        vec![
            // No container claims to be a system one: the classification evidence decides nothing.
            case("no privileged container", Status::Pass, |_| {}).independent_of(NOT_SYSTEM),
            case("privileged user container", Status::Fail, priv_web).failing(&["web"]),
            case("privileged container named like MKE's, not Mirantis' image", Status::Fail, |f| {
                let mut c = container("ucp-fake");
                c.labels = BTreeMap::from([("com.docker.ucp.version".to_string(), MKE.to_string())]);
                add(f, privileged(c));
            })
            .failing(&["ucp-fake"]),
            case("a stopped privileged container counts too", Status::Fail, |f| {
                let mut c = privileged(container("old"));
                c.running = false;
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case("privileged MKE system container is excluded", Status::Pass, |f| add(f, privileged(system_container("ucp-agent"))))
                .independent_of(&[Key::MsrVersion, Key::KubePods]),
            case("privileged MSR system container is excluded", Status::Pass, |f| {
                let mut c = container("dtr-nginx-000000000001");
                c.image = "mirantis/dtr-nginx:2.9.16".into();
                c.labels = BTreeMap::from([("com.docker.dtr.version".to_string(), "2.9.16".to_string())]);
                add(f, privileged(c));
            })
            .independent_of(&[MKE_VERSION, Key::KubePods]),
            case("privileged Kubernetes pod container is excluded", Status::Pass, |f| {
                let mut c = container("k8s_calico-node_calico-node-x_kube-system_0_0");
                c.image = "mirantis/ucp-calico-node:3.7.12".into();
                c.labels = BTreeMap::from([
                    ("io.kubernetes.pod.namespace".to_string(), "kube-system".to_string()),
                    ("io.kubernetes.pod.name".to_string(), "calico-node-x".to_string()),
                    ("io.kubernetes.pod.uid".to_string(), "uid-calico".to_string()),
                ]);
                add(f, privileged(c));
                f.kube.pod_keys.insert(("kube-system".into(), "calico-node-x".into()), crate::facts::kubernetes::PodId { uid: "uid-calico".into(), node: "mke-1".into() });
            })
            .independent_of(&[MKE_VERSION, Key::MsrVersion]),
            case("privileged MKE container, installed MKE version unknown", Status::NotReviewed, |f| {
                add(f, privileged(system_container("ucp-agent")));
                f.docker.info = Err("GET /info: HTTP 500".into());
            })
            .missing(),
            case_with("privileged, excepted", Status::Pass, excepting("V-260940", "web"), priv_web).independent_of(NOT_SYSTEM),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), priv_web).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })).missing(),
            nothing(),
        ]
    }
}
