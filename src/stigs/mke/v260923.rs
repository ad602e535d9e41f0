//! V-260923 (CNTR-MK-000560): under Swarm, the kernel capabilities containers add stay within
//! what the SSP defines; not applicable under Kubernetes only (the STIG says so). All
//! containers (`docker ps --all`), every class: the fix's "nonsystem containers" are left to
//! site-policy exceptions. Each capability in `HostConfig.CapAdd` must be approved for the
//! container by an `allowed_capabilities` entry (P-CAPS: match, capabilities, justification);
//! a container whose added capabilities are all approved is listed as approved. Without
//! P-CAPS, a cluster where some container adds a capability (and no exception covers it) needs
//! the parameter (not reviewed); one where none does passes. Privileged containers are
//! V-260940's. V-260933's Swarm half is this same check.

use super::common::{approved, containers, needs_param, swarm_gate, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId, Status};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000560", vuln: "V-260923" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes],
    params: &["orchestrator", "allowed_capabilities", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![capabilities(cl, policy, RULE.id.vuln, "")]
}

fn cap_name(c: &str) -> String {
    let c = c.to_ascii_uppercase();
    c.strip_prefix("CAP_").map(str::to_string).unwrap_or(c)
}

/// The Swarm capabilities check (V-260923, and V-260933's Swarm half), labelled `label`.
pub(super) fn capabilities(cl: &Cluster, policy: &Policy, rule: &str, label: &str) -> Part {
    if let Some(gate) = swarm_gate(cl, label) {
        return gate;
    }
    let mut part = match &policy.allowed_capabilities {
        None => {
            let p = Phrases { population: "containers", violation: "add capabilities", none_concerned: "" };
            let read = containers(cl, policy, rule, Population::All, &p, |_, _| Judged::Ok(vec![]));
            if !read.assessed {
                read
            } else {
                let part = containers(cl, policy, rule, Population::All, &p, |c, _| {
                    let f = vec![fact("HostConfig.CapAdd", format!("[{}]", c.cap_add.join(", ")))];
                    if c.cap_add.is_empty() { Judged::Ok(f) } else { Judged::Bad(f) }
                });
                let adding: Vec<&str> = part.subjects.iter().filter(|s| !s.ok()).map(|s| s.name.as_str()).collect();
                if part.status == Status::Fail {
                    let found = format!("{} container(s) add capabilities to compare with the SSP (first: {})", adding.len(), adding[0]);
                    needs_param("P-CAPS", "allowed_capabilities", found)
                } else {
                    part
                }
            }
        }
        Some(allowed) => {
            let p = Phrases { population: "containers", violation: "add capabilities the SSP does not approve", none_concerned: "" };
            containers(cl, policy, rule, Population::All, &p, |c, t| {
                let (mut used, mut bad) = (Vec::new(), Vec::new());
                for cap in &c.cap_add {
                    match allowed.iter().position(|a| a.capabilities.iter().any(|x| cap_name(x) == cap_name(cap)) && a.matcher.matches(t)) {
                        Some(i) => used.push(i),
                        None => bad.push(cap.as_str()),
                    }
                }
                let all = fact("HostConfig.CapAdd", format!("[{}]", c.cap_add.join(", ")));
                if !bad.is_empty() {
                    Judged::Bad(vec![fact("HostConfig.CapAdd (not approved)", bad.join(", "))])
                } else if used.is_empty() {
                    Judged::Ok(vec![all])
                } else {
                    approved("allowed_capabilities", used, |i| allowed[i].justification.clone(), vec![all])
                }
            })
        }
    };
    part.label = label.into();
    part
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;

    const NET_ADMIN_FOR_WEB: &str = "allowed_capabilities:\n- match: {name: '^web$'}\n  justification: SSP 5.1\n  capabilities: [NET_ADMIN]\n";

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let adds = |caps: &'static [&'static str]| move |f: &mut crate::facts::Facts| web(f).cap_add = caps.iter().map(|c| c.to_string()).collect();
        vec![
            case("no capability added", Status::Pass, |_| {}),
            case_with("approved capability", Status::Pass, policy(NET_ADMIN_FOR_WEB), adds(&["CAP_NET_ADMIN"])),
            case_with("capability not approved", Status::Fail, policy(NET_ADMIN_FOR_WEB), adds(&["NET_ADMIN", "SYS_ADMIN"])).failing(&["web"]),
            case_with(
                "approved for another container only",
                Status::Fail,
                policy("allowed_capabilities:\n- match: {name: '^api$'}\n  justification: SSP 5.1\n  capabilities: [NET_ADMIN]\n"),
                adds(&["NET_ADMIN"]),
            )
            .failing(&["web"]),
            case("capabilities added without P-CAPS", Status::NotReviewed, adds(&["NET_ADMIN"])),
            case_with("capabilities added without P-CAPS, excepted", Status::Pass, excepting("V-260923", "web"), adds(&["NET_ADMIN"])),
            case_with("kubernetes only", Status::NotApplicable, policy("orchestrator: kubernetes\n"), adds(&["SYS_ADMIN"])).independent_of(super::RULE.needs),
            case("a stopped container counts too", Status::NotReviewed, |f| {
                let mut c = container("old");
                c.running = false;
                c.cap_add = vec!["SYS_ADMIN".into()];
                f.docker.containers.as_mut().unwrap().push(c);
            }),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            case("orchestrator unknown", Status::NotReviewed, |f| f.docker.nodes = Err("GET /nodes: HTTP 500".into())).missing(),
            nothing(),
        ]
    }
}
