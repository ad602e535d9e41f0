//! V-260915 (CNTR-MK-000310): MKE sends audit data to a centralized log server. Part 1: every
//! node's daemon `log-driver` is syslog, journald or a third-party logging plugin; each node's
//! own engine `/info` `LoggingDriver` is the daemon default `log-driver` sets. The accepted
//! drivers are the site's P-LOGDRV (`log_drivers`) when given, else syslog, journald and plugin
//! names (`name:tag`, `repo/name`); `json-file`, `local`, `none` and the other built-in drivers
//! fail. Part 2 (the SIEM alerts when audit data stops arriving) is for a person: the rule never
//! passes, it fails on part 1 or is not reviewed with the step said. MKE's aggregate `/info`
//! describes no node: per-node answers are required. No orchestrator split, no N/A.

use super::common::{nodes, Judged};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000310", vuln: "V-260915" },
    needs: &[Key::DockerNodes, Key::NodeEngines, Key::DockerInfo, Key::MkeIdentity],
    params: &["log_drivers"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// Whether a log driver is accepted: the site's list, else the STIG's syslog, journald or a
/// third-party plugin (Docker names plugins `repo/name[:tag]`; built-in drivers have neither).
fn accepted(driver: &str, site: Option<&Vec<String>>) -> bool {
    match site {
        Some(list) => list.iter().any(|x| x == driver),
        None => matches!(driver, "syslog" | "journald") || driver.contains('/') || driver.contains(':'),
    }
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let site = policy.log_drivers.as_ref();
    let list = site.map(|l| format!("{} (P-LOGDRV)", l.join(", "))).unwrap_or_else(|| "syslog, journald or a logging plugin".into());
    let violation = format!("use a log driver other than {list}");
    let p = Phrases { population: "nodes", violation: &violation, none_concerned: "" };
    let part = nodes(cl, &p, false, |i| {
        let d = i.logging_driver.as_str();
        if d.is_empty() {
            return Judged::Unknown("its /info has no LoggingDriver".into());
        }
        let f = vec![fact("LoggingDriver", d)];
        if accepted(d, site) { Judged::Ok(f) } else { Judged::Bad(f) }
    });
    vec![part.unless_manual("part 2 (an alert in the SIEM when audit data is no longer received) needs manual review")]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Node;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let json_file = |f: &mut crate::facts::Facts| node(f).logging_driver = "json-file".into();
        vec![
            // Part 1 holds; part 2 is manual. The nodes' own engines answered: /info is not read.
            case("syslog on every node", Status::NotReviewed, |_| {}).independent_of(&[Key::DockerInfo]),
            case("json-file", Status::Fail, json_file).failing(&["mke-1"]),
            case("a logging plugin", Status::NotReviewed, |f| node(f).logging_driver = "grafana/loki-docker-driver:2.9".into()).independent_of(&[Key::DockerInfo]),
            case_with("a driver the site does not list", Status::Fail, policy("log_drivers: [journald]\n"), |_| {}).failing(&["mke-1"]),
            case_with("a driver the site lists", Status::NotReviewed, policy("log_drivers: [fluentd]\n"), |f| node(f).logging_driver = "fluentd".into())
                .independent_of(&[Key::DockerInfo]),
            case("standalone engine with syslog", Status::NotReviewed, standalone).independent_of(STANDALONE_SKIPS),
            case("a second node's engine unread", Status::NotReviewed, |f| {
                f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(Node { id: "n2".into(), hostname: "wkr-1".into(), role: "worker".into(), labels: Default::default() });
            })
            .missing(),
            case("only MKE's aggregate /info", Status::NotReviewed, |f| f.docker.node_engines = Err("per-node proxy refused".into())).missing(),
            case("a node answer without LoggingDriver", Status::NotReviewed, |f| node(f).logging_driver = String::new()).missing(),
            nothing(),
        ]
    }
}
