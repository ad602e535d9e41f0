//! Host evidence: what only a shell on each node shows (V-260906: the Docker socket's owner,
//! group and mode, and who is in the `docker` group), gathered by the assessor with the
//! commands the STIG gives and handed to the tool as a file. Without it the rule stays
//! not-reviewed and names those commands.

use std::path::Path;

use serde::Deserialize;

use super::{RuleResult, Status, Subject, SubjectKind};
use crate::policy::Policy;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostEvidence {
    pub nodes: Vec<NodeEvidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEvidence {
    pub name: String,
    /// Output of `stat -c '%U:%G %a' /var/run/docker.sock`, e.g. `root:docker 660`.
    pub docker_sock: String,
    /// Members of the docker group (`getent group docker`, fourth field).
    #[serde(default)]
    pub docker_group: Vec<String>,
}

impl HostEvidence {
    pub fn load(path: &Path) -> anyhow::Result<HostEvidence> {
        use anyhow::Context;
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read host evidence {}", path.display()))?;
        serde_yaml_ng::from_str(&text).with_context(|| format!("host evidence {}", path.display()))
    }
}

/// `660` or more restrictive: no bit beyond rw for owner and group.
fn mode_ok(mode: &str) -> bool {
    u32::from_str_radix(mode, 8).is_ok_and(|m| m & !0o660 == 0)
}

pub fn docker_socket(h: &HostEvidence, policy: Option<&Policy>) -> RuleResult {
    let approved = policy.and_then(|p| p.docker_group_members.as_ref());
    let mut subjects = Vec::new();
    for n in &h.nodes {
        let (owner, mode) = n.docker_sock.trim().split_once(' ').unwrap_or((n.docker_sock.trim(), ""));
        let mut problems = Vec::new();
        if owner != "root:docker" {
            problems.push(format!("owner {owner}"));
        }
        if !mode_ok(mode) {
            problems.push(format!("mode {mode}"));
        }
        let extra: Vec<&String> = approved.map(|a| n.docker_group.iter().filter(|m| !a.contains(m)).collect()).unwrap_or_default();
        if !extra.is_empty() {
            problems.push(format!("unapproved docker group members {}", extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")));
        }
        subjects.push(Subject {
            kind: SubjectKind::Node,
            name: n.name.clone(),
            id: n.name.clone(),
            ok: problems.is_empty(),
            facts: vec![("/var/run/docker.sock".into(), n.docker_sock.clone()), ("docker group".into(), n.docker_group.join(", "))],
            note: (!problems.is_empty()).then(|| problems.join("; ")),
        });
    }
    let failed = subjects.iter().filter(|s| !s.ok).count();
    let (status, reason) = if failed > 0 {
        (Status::Fail, format!("{failed} of {} nodes: Docker socket not root:docker 660 (or stricter), or unapproved docker group members", subjects.len()))
    } else if approved.is_none() {
        (Status::NotReviewed, format!("socket is root:docker 660 or stricter on all {} nodes; docker group members need site parameter P-DOCKER-GRP (policy key `docker_group_members`)", subjects.len()))
    } else {
        (Status::Pass, format!("socket is root:docker 660 or stricter and the docker group holds only approved users on all {} nodes", subjects.len()))
    };
    RuleResult { rule: "V-260906".into(), status, assessed: true, reason, passed_total: subjects.len() - failed, subjects, evidence: vec!["host evidence (stat, getent)".into()] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(sock: &str, members: &[&str]) -> HostEvidence {
        HostEvidence { nodes: vec![NodeEvidence { name: "n1".into(), docker_sock: sock.into(), docker_group: members.iter().map(|m| m.to_string()).collect() }] }
    }

    #[test]
    fn socket_owner_mode_and_members_decide() {
        let policy = Policy { docker_group_members: Some(vec!["svc-mke".into()]), ..Default::default() };
        assert_eq!(docker_socket(&evidence("root:docker 660", &["svc-mke"]), Some(&policy)).status, Status::Pass);
        assert_eq!(docker_socket(&evidence("root:docker 640", &["svc-mke"]), Some(&policy)).status, Status::Pass, "more restrictive is fine");
        assert_eq!(docker_socket(&evidence("root:docker 666", &["svc-mke"]), Some(&policy)).status, Status::Fail);
        assert_eq!(docker_socket(&evidence("root:root 660", &["svc-mke"]), Some(&policy)).status, Status::Fail);
        let r = docker_socket(&evidence("root:docker 660", &["svc-mke", "bob"]), Some(&policy));
        assert_eq!(r.status, Status::Fail);
        assert!(r.subjects[0].note.as_deref().unwrap().contains("bob"));
        assert_eq!(docker_socket(&evidence("root:docker 660", &["bob"]), None).status, Status::NotReviewed, "members need P-DOCKER-GRP");
    }

    #[test]
    fn the_shipped_example_parses() {
        let h = HostEvidence::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/host-evidence.yaml")).unwrap();
        assert_eq!(h.nodes.len(), 2);
    }
}
