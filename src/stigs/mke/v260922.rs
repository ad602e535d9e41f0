//! V-260922 (CNTR-MK-000550): under Swarm, no container mounts the Docker socket
//! (`docker.sock`, or `docker_engine` on Windows) unless the SSP excepts it. The STIG makes the
//! check not applicable under Kubernetes orchestration. Its command filters MKE's own
//! containers (`label=com.docker.ucp.version`); every container is judged here (check map
//! 0.3), MKE's own excepted only through the site policy.

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000550", vuln: "V-260922" },
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
    let p = Phrases { population: "containers", violation: "mount the Docker socket without an SSP exception", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        let hits: Vec<&str> = c.mounts.iter().filter(|m| m.contains("docker.sock") || m.contains("docker_engine")).map(String::as_str).collect();
        if hits.is_empty() { Judged::Ok(vec![fact("Mounts", c.mounts.join(", "))]) } else { Judged::Bad(vec![fact("Mounts", hits.join(", "))]) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let sock = |f: &mut crate::facts::Facts| web(f).mounts = vec!["/var/run/docker.sock".into()];
        vec![
            case("no socket mounted", Status::Pass, |_| {}),
            case("socket mounted", Status::Fail, sock).failing(&["web"]),
            case_with("socket mounted, excepted", Status::Pass, excepting("V-260922", "web"), sock),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), sock).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })).missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
