//! V-260929 (CNTR-MK-000650): no container maps a host port below 1024. The STIG inspects every
//! container (`docker ps --all`) on all nodes and reads `NetworkSettings.Ports`, which only
//! running containers fill; stopped containers are judged on their declared
//! `HostConfig.PortBindings` (stricter than the text: they map those ports when started). No
//! orchestrator split, no N/A. The text has no SSP exception; site-policy exceptions are
//! offered as explicit, reported overrides (check map: MKE's `ucp-controller` publishes 443).

use super::common::{containers, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000650", vuln: "V-260929" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity],
    params: &["exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![low_ports(cl, policy, RULE.id.vuln)]
}

/// Containers mapping a host port below 1024 (V-260929, and V-260924's container half).
pub(super) fn low_ports(cl: &Cluster, policy: &Policy, rule: &str) -> Part {
    let p = Phrases { population: "containers", violation: "map a host port below 1024 without an SSP exception", none_concerned: "" };
    containers(cl, policy, rule, Population::All, &p, |c, _| {
        // Running: what is bound now; stopped: what is declared.
        let judged: Vec<_> = c.ports.iter().filter(|p| p.live || !c.running).collect();
        let field = if c.running { "NetworkSettings.Ports" } else { "HostConfig.PortBindings" };
        let low: Vec<String> = judged.iter().filter(|p| (1..1024).contains(&p.host_port)).map(|p| p.describe()).collect();
        if low.is_empty() {
            Judged::Ok(vec![fact(field, judged.iter().map(|p| p.describe()).collect::<Vec<_>>().join(", "))])
        } else {
            Judged::Bad(vec![fact(field, low.join(", "))])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::docker::PortBinding;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("no privileged host port", Status::Pass, |f| web(f).ports = vec![port(8080, 80)]),
            case("host port 80", Status::Fail, |f| web(f).ports = vec![port(80, 8080)]).failing(&["web"]),
            case_with("host port 80, excepted", Status::Pass, excepting("V-260929", "web"), |f| web(f).ports = vec![port(80, 8080)]),
            case("a stopped container declaring host port 443", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.ports = vec![PortBinding { live: false, ..port(443, 8443) }];
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
