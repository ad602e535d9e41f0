//! V-260910 (CNTR-MK-000120): no running container runs an SSH server. The STIG lists the
//! children of each running container's main process (`ps --ppid`) and greps for `sshd`; here
//! each running container's whole process list (`GET /containers/{id}/top`) is read, a
//! superset that covers PID 1 too. A process is sshd when its command's basename is `sshd` or
//! starts with `sshd:` (sshd's per-session children). No orchestrator split, no N/A. A running
//! container whose process list is missing cannot be cleared: not assessed, unless a failure
//! is found elsewhere.

use super::common::{containers, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::facts::docker::Process;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000120", vuln: "V-260910" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerTop],
    params: &["exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn is_sshd(p: &Process) -> bool {
    let base = p.command.split_whitespace().next().unwrap_or("").rsplit('/').next().unwrap_or("");
    base == "sshd" || base.starts_with("sshd:")
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "running containers", violation: "run an SSH server (sshd)", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::Running, &p, |c, _| {
        let procs = match &cl.facts.docker.processes {
            Err(e) => return Judged::Unknown(format!("no process list ({e})")),
            Ok(m) => match m.get(&c.id) {
                Some(Ok(procs)) => procs,
                Some(Err(e)) => return Judged::Unknown(format!("no process list ({e})")),
                None => return Judged::Unknown("no process list was collected".into()),
            },
        };
        let ssh: Vec<String> = procs.iter().filter(|p| is_sshd(p)).map(|p| format!("pid {} {}", p.pid, p.command)).collect();
        if ssh.is_empty() {
            Judged::Ok(vec![fact("processes (top)", procs.iter().map(|p| p.command.as_str()).collect::<Vec<_>>().join(", "))])
        } else {
            Judged::Bad(vec![fact("processes (top)", ssh.join("; "))])
        }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::facts::docker::Process;
    use crate::facts::Facts;

    fn runs(f: &mut Facts, name: &str, command: &str) {
        let id = f.docker.containers.as_ref().unwrap().iter().find(|c| c.name == name).unwrap().id.clone();
        let procs = vec![Process { pid: "1".into(), command: "app".into() }, Process { pid: "7".into(), command: command.into() }];
        f.docker.processes.as_mut().unwrap().insert(id, Ok(procs));
    }

    fn unread(f: &mut Facts, name: &str) {
        let id = f.docker.containers.as_ref().unwrap().iter().find(|c| c.name == name).unwrap().id.clone();
        f.docker.processes.as_mut().unwrap().insert(id, Err("GET /containers/x/top: HTTP 500".into()));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("no sshd", Status::Pass, |_| {}),
            case("sshd running", Status::Fail, |f| runs(f, "web", "/usr/sbin/sshd -D")).failing(&["web"]),
            case("sshd session child", Status::Fail, |f| runs(f, "web", "sshd: root@pts/0")).failing(&["web"]),
            case("a client named ssh is not a server", Status::Pass, |f| runs(f, "web", "/usr/bin/ssh backup@host")),
            case_with("sshd running, excepted", Status::Pass, excepting("V-260910", "web"), |f| runs(f, "web", "/usr/sbin/sshd -D")),
            case("one process list unreadable", Status::NotReviewed, |f| unread(f, "web")).missing(),
            case("no process list at all", Status::NotReviewed, |f| f.docker.processes = Err("top was not collected".into())).missing(),
            case("sshd found while another list is unreadable", Status::Fail, |f| {
                add(f, container("ssh"));
                runs(f, "ssh", "/usr/sbin/sshd -D");
                unread(f, "web");
            })
            .failing(&["ssh"]),
            case("a stopped container needs no process list", Status::Pass, |f| {
                let mut c = container("old");
                c.running = false;
                f.docker.containers.as_mut().unwrap().push(c);
            }),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
