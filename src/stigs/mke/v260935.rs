//! V-260935 (CNTR-MK-001020): the host IPC namespace is not shared unless the SSP allows it
//! (P-IPC, policy key `host_ipc_allowed`). Two halves, the worse wins:
//!
//! - Containers: no container, running or stopped ("for a running or stopped container"), has
//!   `HostConfig.IpcMode=host`; with `host_ipc_allowed: true` such containers are listed as
//!   approved by the site policy.
//! - MKE configuration (the STIG's actual check, Admin Settings >> Privileges): neither
//!   `cluster_config.priv_attributes_allowed_for_user_accounts` nor
//!   `..._for_service_accounts` lists hostIPC (any case), unless `host_ipc_allowed: true`.
//!   Without config-toml this half is not assessed, so the rule cannot pass.
//!
//! No orchestrator split, no N/A.

use super::common::{config, containers, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Phrases, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001020", vuln: "V-260935" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::MkeConfig],
    params: &["host_ipc_allowed", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const ALLOWED: &str = "the site policy allows sharing the host IPC namespace (P-IPC)";

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let allowed = policy.host_ipc_allowed == Some(true);
    let p = Phrases { population: "containers", violation: "share the host IPC namespace", none_concerned: "" };
    let mut ctr = containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        let f = vec![fact("HostConfig.IpcMode", &c.ipc_mode)];
        match (c.ipc_mode == "host", allowed) {
            (false, _) => Judged::Ok(f),
            (true, false) => Judged::Bad(f),
            (true, true) => Judged::Approved { by: "host_ipc_allowed".into(), justification: ALLOWED.into(), facts: f },
        }
    });
    ctr.label = "Containers".into();
    vec![ctr, settings(cl, allowed)]
}

fn settings(cl: &Cluster, allowed: bool) -> Part {
    let label = "MKE configuration";
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let mut facts = Vec::new();
    let mut granting = Vec::new();
    for who in ["user", "service"] {
        let key = format!("cluster_config.priv_attributes_allowed_for_{who}_accounts");
        let list = match cfg.strings(&key) {
            Ok(l) => l,
            Err(e) => return Part::missing(label, e),
        };
        if list.value.iter().any(|a| a.eq_ignore_ascii_case("hostipc")) {
            granting.push(format!("{who} accounts"));
        }
        facts.push(fact(&key, list.shown_list()));
        // Which accounts hold the privileges: evidence.
        if let Ok(accounts) = cfg.strings(&format!("cluster_config.priv_attributes_{who}_accounts")) {
            if !accounts.default {
                facts.push(fact(&format!("cluster_config.priv_attributes_{who}_accounts"), accounts.shown_list()));
            }
        }
    }
    let (status, outcome, reason) = match (granting.is_empty(), allowed) {
        (true, _) => (Status::Pass, Outcome::Pass, "MKE allows hostIPC to no user or service account".to_string()),
        (false, true) => (
            Status::Pass,
            Outcome::Excepted { by: "host_ipc_allowed".into(), justification: ALLOWED.into() },
            format!("MKE allows hostIPC to {}, as the site policy allows", granting.join(" and ")),
        ),
        (false, false) => (Status::Fail, Outcome::Fail, format!("MKE allows hostIPC to {}, and the SSP does not (P-IPC)", granting.join(" and "))),
    };
    let subject = Subject { kind: SubjectKind::Setting, name: "config-toml".into(), id: Key::MkeConfig.endpoint().into(), outcome, facts };
    Part::decided(label, status, reason, vec![subject])
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;

    fn privs(f: &mut Facts, who: &str, list: &[&str]) {
        let v = toml::Value::Array(list.iter().map(|s| toml::Value::String(s.to_string())).collect());
        set(f.mke.config.as_mut().unwrap(), &format!("cluster_config.priv_attributes_allowed_for_{who}_accounts"), v);
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let ipc_host = |f: &mut Facts| web(f).ipc_mode = "host".into();
        vec![
            case("no hostIPC anywhere", Status::Pass, |_| {}),
            case("container shares the host IPC namespace", Status::Fail, ipc_host).failing(&["web"]),
            case("a stopped container counts too", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.ipc_mode = "host".into();
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case("hostIPC allowed for user accounts", Status::Fail, |f| privs(f, "user", &["hostIPC", "hostBindMounts"])).failing(&["config-toml"]),
            case("hostipc allowed for service accounts", Status::Fail, |f| privs(f, "service", &["hostipc"])).failing(&["config-toml"]),
            case_with("both, allowed by the site policy", Status::Pass, policy("host_ipc_allowed: true\n"), |f| {
                ipc_host(f);
                privs(f, "user", &["hostIPC"]);
            }),
            case_with("container excepted", Status::Pass, excepting("V-260935", "web"), ipc_host),
            case("a privilege list of the wrong type", Status::NotReviewed, |f| {
                set(f.mke.config.as_mut().unwrap(), "cluster_config.priv_attributes_allowed_for_user_accounts", toml::Value::String("hostIPC".into()))
            })
            .missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            case("config-toml missing, container shares the host IPC", Status::Fail, |f| {
                ipc_host(f);
                f.mke.config = Err(Key::MkeConfig.not_collected());
            })
            .failing(&["web"]),
            case("one container not inspected", Status::NotReviewed, |f| {
                f.docker.uninspected.push(crate::facts::docker::Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
