//! V-260906 (CNTR-MK-000110, CAT I): on every node, the Docker socket is owned `root:docker`
//! with mode 660 or stricter, and the `docker` group holds only users who need it. Only a shell
//! on the node shows this: the assessor's host evidence (`--host-evidence`, from
//! `stat -c '%U:%G %a' /var/run/docker.sock` and `getent group docker` on each node).
//!
//! - Population: every node MKE lists (`/nodes`); a node list that is unknown, a node missing
//!   from the host evidence, or a node whose `docker_sock` is not `owner:group mode` or whose
//!   `docker_group` is absent is not assessed, naming the node and the field. Nodes in the host
//!   evidence that MKE does not list are ignored.
//! - Mode: the check says both "660 or more restrictive" and "not set to 660 is a finding"; the
//!   first reading is taken (no permission bit beyond 0660: 640, 600 pass).
//! - Members: an empty group satisfies step 2 without a site parameter (the old code asked for
//!   P-DOCKER-GRP even then); other members must all be in P-DOCKER-GRP (policy key
//!   `docker_group_members`), and without it the rule is not reviewed.
//! - Notes for the assessor: `getent group docker` does not list users whose primary group is
//!   docker; and `chmod` on the socket does not survive a restart, the systemd `docker.socket`
//!   unit's SocketMode/SocketGroup decide it.
//!
//! No orchestrator split; no N/A (the STIG gives none).

use super::common::visibility;
use super::Cluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::host::NodeEvidence;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000110", vuln: "V-260906" },
    needs: &[Key::HostEvidence, Key::DockerNodes, Key::MkeIdentity],
    params: &["docker_group_members"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const COMMANDS: &str = "run on every node `stat -c '%U:%G %a' /var/run/docker.sock` and `getent group docker`, and give the answers with --host-evidence (see examples/host-evidence.yaml)";

/// `root:docker 660` -> ("root:docker", 0o660).
fn socket(s: &str) -> Option<(&str, u32)> {
    let mut it = s.split_whitespace();
    let (owner, mode) = (it.next()?, it.next()?);
    let (user, group) = owner.split_once(':')?;
    let octal = (3..=4).contains(&mode.len()) && mode.chars().all(|c| ('0'..='7').contains(&c));
    (it.next().is_none() && !user.is_empty() && !group.is_empty() && octal).then(|| (owner, u32::from_str_radix(mode, 8).unwrap_or(u32::MAX)))
}

/// One node's evidence: the outcome, its facts, and whether its group members still need P-DOCKER-GRP.
fn node(ev: &NodeEvidence, approved: Option<&Vec<String>>) -> (Outcome, Vec<(String, String)>, bool) {
    let mut facts = vec![fact("/var/run/docker.sock", &ev.docker_sock)];
    let (mut bad, mut unknown, mut owed) = (Vec::new(), Vec::new(), false);
    match socket(&ev.docker_sock) {
        None => unknown.push(format!("docker_sock {:?} is not `owner:group mode` (the output of stat -c '%U:%G %a')", ev.docker_sock)),
        Some((owner, mode)) => {
            if owner != "root:docker" {
                bad.push(format!("owner {owner}"));
            }
            if mode & !0o660 != 0 {
                bad.push(format!("mode {mode:o}"));
            }
        }
    }
    match &ev.docker_group {
        None => unknown.push("docker_group is missing (give [] for a group without members)".into()),
        Some(members) => {
            facts.push(fact("docker group", if members.is_empty() { "(no members)".into() } else { members.join(", ") }));
            match approved {
                _ if members.is_empty() => {}
                None => owed = true,
                Some(ok) => {
                    let extra: Vec<&str> = members.iter().filter(|m| !ok.contains(m)).map(String::as_str).collect();
                    if !extra.is_empty() {
                        facts.push(fact("unapproved docker group members", extra.join(", ")));
                        bad.push("unapproved docker group members".into());
                    }
                }
            }
        }
    }
    let outcome = if !bad.is_empty() {
        Outcome::Fail
    } else if !unknown.is_empty() {
        Outcome::Unknown(unknown.join("; "))
    } else {
        Outcome::Pass
    };
    (outcome, facts, owed)
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let names: Vec<&str> = match &cl.facts.docker.nodes {
        Err(e) => return vec![Part::missing("", format!("the node list is unknown ({e})"))],
        Ok(None) => return vec![Part::missing("", "the engine is not in a Swarm, so MKE lists no node whose socket the STIG checks")],
        Ok(Some(n)) if n.is_empty() => return vec![Part::missing("", "/nodes lists no node")],
        Ok(Some(n)) => n.iter().map(|n| n.hostname.as_str()).collect(),
    };
    let host = match &cl.facts.host {
        Ok(h) => h,
        Err(e) if e.contains("stat -c") => return vec![Part::missing("", e)],
        Err(e) => return vec![Part::missing("", format!("{e}: {COMMANDS}"))],
    };
    let approved = policy.docker_group_members.as_ref();
    let mut owed = Vec::new();
    let mut checks = Vec::new();
    for name in names {
        let (outcome, facts) = match host.nodes.iter().find(|n| n.name.eq_ignore_ascii_case(name)) {
            None => (Outcome::Unknown(format!("the host evidence has no entry for node {name} ({COMMANDS})")), vec![]),
            Some(ev) => {
                let (o, f, need) = node(ev, approved);
                if need {
                    owed.push(name.to_string());
                }
                (o, f)
            }
        };
        checks.push(Subject { kind: SubjectKind::Node, name: name.into(), id: name.into(), outcome, facts });
    }
    let p = Phrases { population: "nodes", violation: "have a Docker socket not root:docker with mode 660 or stricter, or unapproved docker group members", none_concerned: "" };
    let part = judge("", &p, checks, &visibility(cl), Empty::Missing("no node to judge".into()));
    if owed.is_empty() {
        return vec![part];
    }
    vec![part.unless_manual(format!(
        "needs site parameter P-DOCKER-GRP (policy key `docker_group_members`): the docker group has members on {}",
        owed.join(", ")
    ))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Node;
    use crate::facts::host::NodeEvidence;
    use crate::facts::Facts;

    const APPROVED: &str = "docker_group_members: [svc-mke]\n";

    fn ev(f: &mut Facts) -> &mut NodeEvidence {
        &mut f.host.as_mut().unwrap().nodes[0]
    }

    fn second_node(f: &mut Facts) {
        f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(Node { id: "n2".into(), hostname: "mke-2".into(), role: "worker".into(), labels: Default::default() });
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case_with("root:docker 660, members approved", Status::Pass, policy(APPROVED), |_| {}),
            case_with("root:docker 640 (stricter)", Status::Pass, policy(APPROVED), |f| ev(f).docker_sock = "root:docker 640".into()),
            case("an empty docker group needs no site parameter", Status::Pass, |f| ev(f).docker_group = Some(vec![])),
            case("members but no P-DOCKER-GRP", Status::NotReviewed, |_| {}),
            case_with("mode 666", Status::Fail, policy(APPROVED), |f| ev(f).docker_sock = "root:docker 666".into()).failing(&["mke-1"]),
            case_with("owner root:root", Status::Fail, policy(APPROVED), |f| ev(f).docker_sock = "root:root 660".into()).failing(&["mke-1"]),
            case_with("an unapproved member", Status::Fail, policy(APPROVED), |f| ev(f).docker_group = Some(vec!["svc-mke".into(), "bob".into()])).failing(&["mke-1"]),
            case("mode 666 without P-DOCKER-GRP", Status::Fail, |f| ev(f).docker_sock = "root:docker 666".into()).failing(&["mke-1"]),
            case_with("a node missing from the host evidence", Status::NotReviewed, policy(APPROVED), second_node).missing(),
            case_with("docker_group missing", Status::NotReviewed, policy(APPROVED), |f| ev(f).docker_group = None).missing(),
            case_with("docker_sock unparseable", Status::NotReviewed, policy(APPROVED), |f| ev(f).docker_sock = "root:docker".into()).missing(),
            case_with("docker_group missing, mode 666", Status::Fail, policy(APPROVED), |f| {
                ev(f).docker_group = None;
                ev(f).docker_sock = "root:docker 666".into();
            })
            .failing(&["mke-1"]),
            case_with("node list unknown", Status::NotReviewed, policy(APPROVED), |f| f.docker.nodes = Err(Key::DockerNodes.not_collected())).missing(),
            case_with("no host evidence", Status::NotReviewed, policy(APPROVED), |f| f.host = Err(Key::HostEvidence.not_collected())).missing(),
            case_with("not an MKE admin", Status::NotReviewed, policy(APPROVED), |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }

    #[test]
    fn without_host_evidence_the_commands_are_given() {
        let cl = with(|f| f.host = Err(Key::HostEvidence.not_collected()));
        let r = super::RULE.assess(&cl, &crate::policy::Policy::default(), "V-260906");
        assert!(r.reason.contains("stat -c '%U:%G %a' /var/run/docker.sock") && r.reason.contains("getent group docker"), "{}", r.reason);
    }
}
