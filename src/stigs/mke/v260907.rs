//! V-260907 (CNTR-MK-000640, CAT I): the ports mapped on running containers are those the SSP
//! documents. The STIG reads `NetworkSettings.Ports` of running containers (`docker ps`), on all
//! nodes, with no orchestrator split and no N/A condition. Each live host binding must be
//! covered by an `allowed_ports` entry (P-PORTS: match, host port, optional container port,
//! protocol and host address); a container whose ports are all covered is listed as approved,
//! with the entries and their justifications. Without P-PORTS, a cluster that maps any port
//! needs the parameter (not reviewed); one that maps none passes. Declared bindings of stopped
//! containers are not what the STIG reads and are not judged.

use super::common::{approved, containers, needs_param, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::facts::docker::{Container, PortBinding};
use crate::policy::{AllowedPort, Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000640", vuln: "V-260907" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity],
    params: &["allowed_ports", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![ports(cl, policy, RULE.id.vuln)]
}

fn any_ip(ip: &str) -> &str {
    if ip.is_empty() { "0.0.0.0" } else { ip }
}

fn covers(a: &AllowedPort, p: &PortBinding, t: &Target) -> bool {
    a.host_port == p.host_port
        && a.container_port.is_none_or(|cp| cp == p.container_port)
        && a.protocol.as_deref().unwrap_or("tcp") == p.protocol
        && a.host_ip.as_deref().is_none_or(|ip| any_ip(ip) == any_ip(&p.host_ip))
        && a.matcher.matches(t)
}

fn live(c: &Container) -> Vec<&PortBinding> {
    c.ports.iter().filter(|p| p.live).collect()
}

fn shown(ports: &[&PortBinding]) -> String {
    ports.iter().map(|p| p.describe()).collect::<Vec<_>>().join(", ")
}

/// The ports rule: live bindings of running containers against P-PORTS (V-260907, and
/// V-260941 when no ingress controller is configured).
pub(super) fn ports(cl: &Cluster, policy: &Policy, rule: &str) -> Part {
    let Some(allowed) = &policy.allowed_ports else {
        // Without P-PORTS no mapped port can be judged; missing evidence still says so first.
        let p = Phrases { population: "running containers", violation: "map a port", none_concerned: "" };
        let read = containers(cl, policy, rule, Population::Running, &p, |_, _| Judged::Ok(vec![]));
        if !read.assessed {
            return read;
        }
        let part = containers(cl, policy, rule, Population::Running, &p, |c, _| {
            let ports = live(c);
            if ports.is_empty() { Judged::Ok(vec![fact("NetworkSettings.Ports", "none")]) } else { Judged::Bad(vec![fact("NetworkSettings.Ports", shown(&ports))]) }
        });
        let mapping: Vec<&str> = part.subjects.iter().filter(|s| !s.ok()).map(|s| s.name.as_str()).collect();
        if mapping.is_empty() {
            return part;
        }
        return needs_param("P-PORTS", "allowed_ports", format!("{} running container(s) map ports to compare with the SSP (first: {})", mapping.len(), mapping[0]));
    };
    let p = Phrases { population: "running containers", violation: "map ports the SSP does not approve", none_concerned: "" };
    containers(cl, policy, rule, Population::Running, &p, |c, t| {
        let ports = live(c);
        let (mut used, mut bad) = (Vec::new(), Vec::new());
        for port in &ports {
            match allowed.iter().position(|a| covers(a, port, t)) {
                Some(i) => used.push(i),
                None => bad.push(*port),
            }
        }
        if !bad.is_empty() {
            Judged::Bad(vec![fact("NetworkSettings.Ports (not approved)", shown(&bad))])
        } else if used.is_empty() {
            Judged::Ok(vec![fact("NetworkSettings.Ports", "none")])
        } else {
            approved("allowed_ports", used, |i| allowed[i].justification.clone(), vec![fact("NetworkSettings.Ports", shown(&ports))])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::Facts;

    const WEB_8443: &str = "allowed_ports:\n- match: {name: '^web$'}\n  justification: PPSM CAL 3\n  host_port: 8443\n";

    fn maps(f: &mut Facts, host: u16, container: u16) {
        web(f).ports = vec![port(host, container)];
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let stopped = |f: &mut Facts| {
            let mut c = container("old");
            c.running = false;
            c.ports = vec![crate::facts::docker::PortBinding { live: false, ..port(80, 80) }];
            f.docker.containers.as_mut().unwrap().push(c);
        };
        vec![
            case("no port mapped", Status::Pass, |_| {}),
            case_with("port approved for the container", Status::Pass, policy(WEB_8443), |f| maps(f, 8443, 8443)),
            case_with("port not approved", Status::Fail, policy(WEB_8443), |f| maps(f, 8080, 80)).failing(&["web"]),
            case_with(
                "port approved for another container only",
                Status::Fail,
                policy("allowed_ports:\n- match: {name: '^api$'}\n  justification: PPSM CAL 3\n  host_port: 8443\n"),
                |f| maps(f, 8443, 8443),
            )
            .failing(&["web"]),
            case_with("approved, other protocol", Status::Fail, policy(WEB_8443), |f| {
                web(f).ports = vec![crate::facts::docker::PortBinding { protocol: "udp".into(), ..port(8443, 8443) }]
            })
            .failing(&["web"]),
            case_with("stopped container's declared ports are not judged", Status::Pass, policy(WEB_8443), stopped),
            case("mapped ports without P-PORTS", Status::NotReviewed, |f| maps(f, 8443, 8443)),
            case("mapped ports without P-PORTS, one container not inspected", Status::NotReviewed, |f| {
                maps(f, 8443, 8443);
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false });
            })
            .missing(),
            case_with("one container not inspected", Status::NotReviewed, policy(WEB_8443), |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
