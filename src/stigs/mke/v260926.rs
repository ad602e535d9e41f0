//! V-260926 (CNTR-MK-000600): no node's engine uses the aufs or btrfs storage driver: each
//! node's own `/info` `Driver` must not contain `aufs` or `btrfs`. The STIG passes an empty
//! `docker info` line, but an empty `Driver` here is what MKE's aggregate `/info` (or an odd
//! answer) gives, which describes no node: it is not assessed, never a pass (audit item 4).
//! Per-node answers are required. No orchestrator split, no N/A.

use super::common::{nodes, Judged};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000600", vuln: "V-260926" },
    needs: &[Key::DockerNodes, Key::NodeEngines, Key::DockerInfo, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "nodes", violation: "use the aufs or btrfs storage driver", none_concerned: "" };
    vec![nodes(cl, &p, false, |i| {
        if i.driver.is_empty() {
            return Judged::Unknown("its /info has no storage Driver".into());
        }
        let f = vec![fact("Driver", &i.driver)];
        if i.driver.contains("aufs") || i.driver.contains("btrfs") { Judged::Bad(f) } else { Judged::Ok(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::{Node, NodeEngine};
    use crate::facts::Facts;

    fn worker(f: &mut Facts, driver: Option<&str>) {
        f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(Node { id: "n2".into(), hostname: "wkr-1".into(), role: "worker".into(), labels: Default::default() });
        if let Some(d) = driver {
            let mut i = node_info("wkr-1");
            i.driver = d.into();
            f.docker.node_engines.as_mut().unwrap().push(NodeEngine { name: "wkr-1".into(), role: "worker".into(), info: Ok(i) });
        }
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The nodes' own engines answered: MKE's aggregate /info is not read.
            case("overlay2", Status::Pass, |_| {}).independent_of(&[Key::DockerInfo]),
            case("btrfs", Status::Fail, |f| node(f).driver = "btrfs".into()).failing(&["mke-1"]),
            case("aufs on a worker", Status::Fail, |f| worker(f, Some("aufs"))).failing(&["wkr-1"]),
            case("overlay2 on two nodes", Status::Pass, |f| worker(f, Some("overlay2"))).independent_of(&[Key::DockerInfo]),
            case("a worker's engine unread", Status::NotReviewed, |f| worker(f, None)).missing(),
            case("a worker's engine unread, btrfs on the manager", Status::Fail, |f| {
                node(f).driver = "btrfs".into();
                worker(f, None);
            })
            .failing(&["mke-1"]),
            case("an empty Driver", Status::NotReviewed, |f| node(f).driver = String::new()).missing(),
            case("only MKE's aggregate /info", Status::NotReviewed, |f| f.docker.node_engines = Err("per-node proxy refused".into())).missing(),
            case("standalone engine with overlay2", Status::Pass, standalone).independent_of(STANDALONE_SKIPS),
            nothing(),
        ]
    }
}
