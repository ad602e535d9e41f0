//! V-260908 (CNTR-MK-000870, CAT I): FIPS mode is enabled "on the MKE controller": every manager
//! node's own engine reports `name=fips` in `/info` `SecurityOptions` (check map: per manager
//! node). MKE's aggregate `/info` (ServerVersion `ucp/...`) describes no node and has no
//! SecurityOptions, so it never decides: without each manager's own engine answer (MKE's
//! per-node proxy) the rule is not assessed, as it is for a manager `/nodes` lists whose engine
//! did not answer. No orchestrator split, no N/A.

use super::common::{nodes, Judged};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000870", vuln: "V-260908" },
    needs: &[Key::DockerNodes, Key::NodeEngines, Key::DockerInfo, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "manager nodes", violation: "run without FIPS mode (no name=fips in SecurityOptions)", none_concerned: "" };
    vec![nodes(cl, &p, true, |i| match &i.security_options {
        None => Judged::Unknown("its /info has no SecurityOptions".into()),
        Some(opts) => {
            let f = vec![fact("SecurityOptions", format!("[{}]", opts.join(", ")))];
            if i.security_option_names().iter().any(|n| n == "fips") { Judged::Ok(f) } else { Judged::Bad(f) }
        }
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

    fn add_node(f: &mut Facts, name: &str, role: &str, info: Option<crate::facts::docker::Info>) {
        f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(Node { id: format!("{name}-id"), hostname: name.into(), role: role.into(), labels: Default::default() });
        if let Some(i) = info {
            f.docker.node_engines.as_mut().unwrap().push(NodeEngine { name: name.into(), role: role.into(), info: Ok(i) });
        }
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let no_fips = |f: &mut Facts| node(f).security_options = Some(vec!["name=seccomp,profile=default".into()]);
        vec![
            // The nodes' own engines answered: MKE's aggregate /info is not read.
            case("FIPS on the manager", Status::Pass, |_| {}).independent_of(&[Key::DockerInfo]),
            case("FIPS off on the manager", Status::Fail, no_fips).failing(&["mke-1"]),
            case("a worker without FIPS is not judged", Status::Pass, |f| {
                let mut w = node_info("wkr-1");
                w.security_options = Some(vec![]);
                add_node(f, "wkr-1", "worker", Some(w));
            })
            .independent_of(&[Key::DockerInfo]),
            case("a second manager without FIPS", Status::Fail, |f| {
                let mut m = node_info("mke-2");
                m.security_options = Some(vec!["name=seccomp,profile=default".into()]);
                add_node(f, "mke-2", "manager", Some(m));
            })
            .failing(&["mke-2"]),
            case("a second manager's engine unread", Status::NotReviewed, |f| add_node(f, "mke-2", "manager", None)).missing(),
            case("a second manager's engine unread, FIPS off on the first", Status::Fail, |f| {
                no_fips(f);
                add_node(f, "mke-2", "manager", None);
            })
            .failing(&["mke-1"]),
            case("only MKE's aggregate /info", Status::NotReviewed, |f| f.docker.node_engines = Err("per-node proxy refused".into())).missing(),
            case("a node answer without SecurityOptions", Status::NotReviewed, |f| node(f).security_options = None).missing(),
            case("standalone engine with FIPS", Status::Pass, standalone).independent_of(STANDALONE_SKIPS),
            case("standalone engine read through MKE's aggregate /info only", Status::NotReviewed, |f| {
                standalone(f);
                f.docker.info = Ok(crate::facts::docker::Info { server_version: format!("ucp/{MKE}"), ..Default::default() });
            })
            .missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
