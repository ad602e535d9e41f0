//! V-260934 (CNTR-MK-001010): every container is restricted from acquiring new privileges: its
//! `HostConfig.SecurityOpt` has `no-new-privileges` (also spelled `no-new-privileges:true` or
//! `=true`; `:false` does not count). All containers (`docker ps --all`), every node, no
//! orchestrator split, no N/A. A daemon-wide `no-new-privileges` (daemon.json) does not show in
//! a container's SecurityOpt: the literal check fails such containers, as the STIG's command
//! would.

use super::common::{containers, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001010", vuln: "V-260934" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity],
    params: &["exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "containers", violation: "run without no-new-privileges", none_concerned: "" };
    vec![containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        // `key=value` and the legacy `key:value` spellings.
        let nnp = c.security_opt.iter().any(|o| {
            let (k, v) = o.split_once(['=', ':']).unwrap_or((o.as_str(), ""));
            k == "no-new-privileges" && v != "false"
        });
        let f = vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))];
        if nnp { Judged::Ok(f) } else { Judged::Bad(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let opts = |o: &'static [&'static str]| move |f: &mut crate::facts::Facts| web(f).security_opt = o.iter().map(|s| s.to_string()).collect();
        vec![
            case("no-new-privileges set", Status::Pass, |_| {}),
            case("no-new-privileges=true", Status::Pass, opts(&["seccomp=default", "no-new-privileges=true"])),
            case("no-new-privileges:true", Status::Pass, opts(&["no-new-privileges:true"])),
            case("no security options", Status::Fail, opts(&[])).failing(&["web"]),
            case("no-new-privileges:false", Status::Fail, opts(&["no-new-privileges:false"])).failing(&["web"]),
            case("a stopped container counts too", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.security_opt = vec![];
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case_with("excepted", Status::Pass, excepting("V-260934", "web"), opts(&[])),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
