//! V-260936 (CNTR-MK-001160): under Swarm, every container mounts its root filesystem read-only
//! (`HostConfig.ReadonlyRootfs=true`). The STIG's command is `docker ps --all`: all containers,
//! running or not, MKE's own included (they are expected to hit; the site policy excepts them
//! with a justification, check map P-SYS-EXCEPT). Not applicable under Kubernetes only.

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001160", vuln: "V-260936" },
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
    let p = Phrases { population: "containers", violation: "have a writable root filesystem without an SSP exception", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        let f = vec![fact("HostConfig.ReadonlyRootfs", c.readonly_rootfs)];
        if c.readonly_rootfs { Judged::Ok(f) } else { Judged::Bad(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::docker::Uninspected;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let writable = |f: &mut crate::facts::Facts| web(f).readonly_rootfs = false;
        vec![
            case("read-only root filesystems", Status::Pass, |_| {}),
            case("writable root filesystem", Status::Fail, writable).failing(&["web"]),
            case("a stopped container counts too", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.readonly_rootfs = false;
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case_with("writable, excepted", Status::Pass, excepting("V-260936", "web"), writable),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), writable).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })).missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            case("orchestrator unknown", Status::NotReviewed, |f| f.docker.nodes = Err("GET /nodes: HTTP 500".into())).missing(),
            nothing(),
        ]
    }
}
