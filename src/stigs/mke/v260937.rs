//! V-260937 (CNTR-MK-001170): under Swarm, no running container disables the default seccomp
//! profile (`HostConfig.SecurityOpt` has `seccomp=unconfined`, or the legacy `seccomp:unconfined`).
//! The STIG's command lists running containers filtered by `label=com.docker.ucp.version`
//! (MKE's own); every running container is judged here (check map 0.3: MKE's own and users'),
//! so a user container running unconfined is a finding too. Not applicable under Kubernetes
//! only.

use super::common::{containers, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::facts::docker::Container;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001170", vuln: "V-260937" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes],
    params: &["orchestrator", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// `seccomp=unconfined` or `seccomp:unconfined`.
fn unconfined(c: &Container) -> bool {
    c.security_opt.iter().any(|o| o.split_once(['=', ':']).is_some_and(|(k, v)| k == "seccomp" && v == "unconfined"))
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = swarm_gate(cl, "") {
        return vec![gate];
    }
    let p = Phrases { population: "running containers", violation: "run with seccomp unconfined", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::Running, &p, |c, _| {
        let f = vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))];
        if unconfined(c) { Judged::Bad(f) } else { Judged::Ok(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::docker::Uninspected;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let unconfined = |f: &mut crate::facts::Facts| web(f).security_opt.push("seccomp=unconfined".into());
        vec![
            case("default seccomp profile", Status::Pass, |_| {}),
            case("seccomp unconfined", Status::Fail, unconfined).failing(&["web"]),
            case("legacy seccomp:unconfined spelling", Status::Fail, |f| web(f).security_opt.push("seccomp:unconfined".into())).failing(&["web"]),
            case("a custom seccomp profile", Status::Pass, |f| web(f).security_opt.push("seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}".into())),
            case("a stopped container is not judged", Status::Pass, |f| {
                let mut c = container("old");
                c.running = false;
                c.security_opt.push("seccomp=unconfined".into());
                f.docker.containers.as_mut().unwrap().push(c);
            }),
            case("an MKE system container unconfined", Status::Fail, |f| {
                let mut c = system_container("ucp-agent");
                c.security_opt.push("seccomp=unconfined".into());
                add(f, c);
            })
            .failing(&["ucp-agent"]),
            case_with("unconfined, excepted", Status::Pass, excepting("V-260937", "web"), unconfined),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), unconfined).independent_of(super::RULE.needs),
            case("one container not inspected", Status::NotReviewed, |f| f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })).missing(),
            case("one container not inspected, a failure elsewhere", Status::Fail, |f| {
                unconfined(f);
                f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false });
            })
            .failing(&["web"]),
            nothing(),
        ]
    }
}
