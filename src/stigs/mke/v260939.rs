//! V-260939 (CNTR-MK-001200): under Swarm, no container shares the host user namespace
//! (`HostConfig.UsernsMode=host`; empty is the expected value). The STIG's command is
//! `docker ps --all`: all containers, running or not, MKE's own included. Its first sentence
//! ("ensure that the PIDs cgroup limit is used") is a copy slip of another rule: the command
//! and the finding are about UsernsMode. Not applicable under Kubernetes only.

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001200", vuln: "V-260939" },
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
    let p = Phrases { population: "containers", violation: "share the host user namespace", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        let f = vec![fact("HostConfig.UsernsMode", &c.userns_mode)];
        if c.userns_mode == "host" { Judged::Bad(f) } else { Judged::Ok(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::docker::Uninspected;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let host = |f: &mut crate::facts::Facts| web(f).userns_mode = "host".into();
        vec![
            case("no host user namespace", Status::Pass, |_| {}),
            case("host user namespace", Status::Fail, host).failing(&["web"]),
            case("a stopped container counts too", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.userns_mode = "host".into();
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case_with("host user namespace, excepted", Status::Pass, excepting("V-260939", "web"), host),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), host).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })).missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
