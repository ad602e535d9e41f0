//! V-260938 (CNTR-MK-001180): no `docker exec` with `--privileged` or `--user` was run from a
//! node's CLI (host auditd: `ausearch -k docker`). Only a shell on each node shows this, and the
//! host evidence does not carry audit records, so the rule is manual: it names the nodes MKE
//! lists, where the search must run. A node list that is unknown, or read by a non-admin, is not
//! assessed. Note for the assessor: the STIG's pipeline (`grep privileged | grep user`) keeps only
//! lines with both options, while its text asks for either; search for each.

use super::common::visibility;
use super::Cluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001180", vuln: "V-260938" },
    needs: &[Key::DockerNodes, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const SEARCH: &str = "`sudo ausearch -k docker | grep exec`, and look for --privileged or --user (the STIG's `grep privileged | grep user` misses either alone)";

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let nodes = match &cl.facts.docker.nodes {
        Err(e) => return vec![Part::missing("", format!("the node list is unknown ({e})"))],
        Ok(None) => return vec![Part::manual("", format!("needs host access: on the engine's host run {SEARCH}"))],
        Ok(Some(n)) if n.is_empty() => return vec![Part::missing("", "/nodes lists no node")],
        Ok(Some(n)) => n,
    };
    let hidden = visibility(cl);
    if !hidden.is_empty() {
        return vec![Part::missing("", format!("the node list may be partial: {}", hidden.join("; ")))];
    }
    let mut names: Vec<&str> = nodes.iter().take(20).map(|n| n.hostname.as_str()).collect();
    let more = if nodes.len() > 20 { format!(" and {} more", nodes.len() - 20) } else { String::new() };
    names.sort_unstable();
    vec![Part::manual("", format!("needs host access: on each of the {} nodes MKE lists ({}{more}) run {SEARCH}", nodes.len(), names.join(", ")))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: the nodes where the audit search must run.
            case("nodes listed", Status::NotReviewed, |_| {}),
            case("node list unknown", Status::NotReviewed, |f| f.docker.nodes = Err(Key::DockerNodes.not_collected())).missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
