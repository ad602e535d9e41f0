//! V-260924 (CNTR-MK-000570): no container-to-host privileged port mapping (host port below
//! 1024), neither on containers nor declared in "the Mirantis config file". The title (traffic
//! bound to a specific host interface) is CIS 5.13, the check CIS 5.8; the check text decides.
//! Two halves, the worse wins:
//!
//! - Containers: as V-260929 (every container, `NetworkSettings.Ports` of running ones, the
//!   declared `HostConfig.PortBindings` of stopped ones). Bindings on all interfaces, the
//!   title's concern, are counted in the reason, not judged.
//! - MKE configuration: the STIG names no file or key; MKE's config-toml is the file, and the
//!   host ports it declares are `cluster_config.controller_port` (ucp-controller, default 443),
//!   `kube_apiserver_port` (6443), `swarm_port` (2376), `node_exporter_port` (9100), the lower
//!   bound of `nodeport_range` (32768-35535) and, with the ingress controller enabled, its
//!   `ingress_exposed_ports[].node_port`. Absent keys take MKE's documented defaults. A port
//!   below 1024 fails unless a site-policy exception for V-260924 matches the key (`match.name`
//!   on the key path, e.g. "^cluster_config.controller_port$"; these count as MKE's own, so
//!   `system: true` matches them too). Without config-toml this half is not assessed.
//!
//! Deviation from the old code: the configuration half was never judged. MKE's default
//! `controller_port = 443` fails literally; the audit (item 4) says a default cluster needs an
//! explicit, reported exception, and so does this rule.

use std::collections::BTreeMap;

use super::common::config;
use super::v260929::low_ports;
use super::Cluster;
use crate::assess::{fact, judge, Check, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::mke::Config;
use crate::policy::{Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000570", vuln: "V-260924" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::MkeConfig],
    params: &["exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// A declared host port (value, as shown), or why it cannot be read.
type Declared = Result<(i64, String), String>;

/// Host ports config-toml declares, with MKE's defaults (configuration reference).
const PORT_KEYS: &[(&str, i64)] = &[
    ("cluster_config.controller_port", 443),
    ("cluster_config.kube_apiserver_port", 6443),
    ("cluster_config.swarm_port", 2376),
    ("cluster_config.node_exporter_port", 9100),
];

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let mut containers = low_ports(cl, policy, RULE.id.vuln);
    containers.label = "Containers".into();
    if let Ok(cs) = &cl.facts.docker.containers {
        let wide = cs.iter().flat_map(|c| c.ports.iter().filter(move |p| p.live || !c.running)).filter(|p| matches!(p.host_ip.as_str(), "" | "0.0.0.0" | "::")).count();
        if wide > 0 {
            let why = "the title asks for a specific host interface; the check text does not judge it";
            containers = containers.note(format!("{wide} binding(s) listen on all interfaces ({why})"));
        }
    }
    vec![containers, configuration(cl, policy)]
}

/// One declared host port: `value` (shown as `shown`), or why it cannot be read.
fn declared(policy: &Policy, key: &str, port: Declared) -> Check {
    let labels = BTreeMap::new();
    let (outcome, facts) = match port {
        Err(why) => (Outcome::Unknown(why), vec![]),
        Ok((v, shown)) if (1..1024).contains(&v) => {
            let t = Target { name: key, image: "", node: "", labels: &labels, system: true };
            let o = match policy.exception(RULE.id.vuln, &t) {
                Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
                None => Outcome::Fail,
            };
            (o, vec![fact(key, shown)])
        }
        Ok((_, shown)) => (Outcome::Pass, vec![fact(key, shown)]),
    };
    Subject { kind: SubjectKind::Setting, name: key.into(), id: Key::MkeConfig.endpoint().into(), outcome, facts }
}

/// The host ports config-toml declares, by key.
fn ports(cfg: &Config) -> Vec<(String, Declared)> {
    let mut out: Vec<(String, Declared)> = PORT_KEYS.iter().map(|(k, d)| (k.to_string(), cfg.int(k, *d).map(|s| (s.value, s.shown())))).collect();
    let range = "cluster_config.nodeport_range";
    out.push((
        range.into(),
        cfg.string(range, "32768-35535").and_then(|s| {
            let low = s.value.split('-').next().and_then(|l| l.trim().parse::<i64>().ok());
            low.map(|l| (l, s.shown())).ok_or_else(|| format!("config-toml {range} = \"{}\" is not a port range", s.value))
        }),
    ));
    if cfg.boolean("cluster_config.ingress_controller.enabled", false).is_ok_and(|s| s.value) {
        let key = "cluster_config.ingress_controller.ingress_exposed_ports";
        match cfg.get(key).map(|v| v.as_array()) {
            None => {}
            Some(None) => out.push((key.into(), Err(format!("config-toml {key} is not a list")))),
            Some(Some(list)) => {
                for (i, p) in list.iter().enumerate() {
                    let at = format!("{key}[{i}].node_port");
                    // 0 (or absent) lets Kubernetes pick a port from nodeport_range.
                    let port = match p.get("node_port") {
                        None => continue,
                        Some(v) => v.as_integer().map(|n| (n, n.to_string())).ok_or_else(|| format!("config-toml {at} = {v} is not a port")),
                    };
                    out.push((at, port));
                }
            }
        }
    }
    out
}

fn configuration(cl: &Cluster, policy: &Policy) -> Part {
    let label = "MKE configuration";
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let checks = ports(cfg).into_iter().map(|(key, port)| declared(policy, &key, port)).collect();
    let p = Phrases { population: "host ports declared in MKE's configuration", violation: "are below 1024 without an SSP exception", none_concerned: "" };
    judge(label, &p, checks, &[], Empty::Pass)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::PortBinding;
    use crate::facts::Facts;

    fn controller_excepted() -> crate::policy::Policy {
        excepting("V-260924", "cluster_config.controller_port")
    }

    fn cfg(f: &mut Facts, key: &str, v: toml::Value) {
        set(f.mke.config.as_mut().unwrap(), key, v);
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case_with("no privileged port; MKE's port 443 excepted", Status::Pass, controller_excepted(), |f| web(f).ports = vec![port(8080, 80)]),
            case("MKE's controller port 443 without an exception", Status::Fail, |_| {}).failing(&["cluster_config.controller_port"]),
            case("controller port moved above 1024", Status::Pass, |f| cfg(f, "cluster_config.controller_port", toml::Value::Integer(8443))),
            case("controller port absent: MKE's default 443", Status::Fail, |f| unset(f.mke.config.as_mut().unwrap(), "cluster_config.controller_port"))
                .failing(&["cluster_config.controller_port"]),
            case_with("host port 80 on a container", Status::Fail, controller_excepted(), |f| web(f).ports = vec![port(80, 8080)]).failing(&["web"]),
            case_with("a stopped container declaring host port 443", Status::Fail, controller_excepted(), |f| {
                let mut c = container("old");
                c.running = false;
                c.ports = vec![PortBinding { live: false, ..port(443, 8443) }];
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case_with("NodePorts allowed below 1024", Status::Fail, controller_excepted(), |f| cfg(f, "cluster_config.nodeport_range", toml::Value::String("80-32767".into())))
                .failing(&["cluster_config.nodeport_range"]),
            case_with("ingress node port 443", Status::Fail, controller_excepted(), |f| {
                cfg(f, "cluster_config.ingress_controller.enabled", toml::Value::Boolean(true));
                let p: toml::Table = toml::from_str("name = \"https\"\nport = 443\nnode_port = 443\n").unwrap();
                cfg(f, "cluster_config.ingress_controller.ingress_exposed_ports", toml::Value::Array(vec![toml::Value::Table(p)]));
            })
            .failing(&["cluster_config.ingress_controller.ingress_exposed_ports[0].node_port"]),
            case_with("a port key of the wrong type", Status::NotReviewed, controller_excepted(), |f| cfg(f, "cluster_config.swarm_port", toml::Value::String("x".into())))
                .missing(),
            case_with("config-toml missing", Status::NotReviewed, controller_excepted(), |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            case_with("one container not inspected", Status::NotReviewed, controller_excepted(), |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
