//! V-260935 (CNTR-MK-001020): the host IPC namespace is not shared unless the SSP allows it
//! (P-IPC, policy key `host_ipc`: approvals, each with its scope and justification). Two
//! halves, the worse wins:
//!
//! - Containers: no container, running or stopped ("for a running or stopped container"), has
//!   `HostConfig.IpcMode=host`, unless a `host_ipc` entry matches it (listed as approved).
//! - MKE configuration (the STIG's actual check, Admin Settings >> Privileges): neither
//!   `cluster_config.priv_attributes_allowed_for_user_accounts` nor
//!   `..._for_service_accounts` lists hostIPC (any case), unless a `host_ipc` entry matches the
//!   key (`match.name` on its path). Without config-toml this half is not assessed, so the rule
//!   cannot pass.
//!
//! No orchestrator split, no N/A.

use super::common::{approved, config, containers, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Phrases, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::{Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001020", vuln: "V-260935" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::MkeConfig],
    params: &["host_ipc", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let approvals = policy.host_ipc.as_deref().unwrap_or_default();
    let p = Phrases { population: "containers", violation: "share the host IPC namespace", none_concerned: "" };
    let mut ctr = containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, t| {
        let f = vec![fact("HostConfig.IpcMode", &c.ipc_mode)];
        if c.ipc_mode != "host" {
            return Judged::Ok(f);
        }
        match approvals.iter().position(|a| a.matcher.matches(t)) {
            Some(i) => approved("host_ipc", vec![i], |i| approvals[i].justification.clone(), f),
            None => Judged::Bad(f),
        }
    });
    ctr.label = "Containers".into();
    vec![ctr, settings(cl, policy)]
}

fn settings(cl: &Cluster, policy: &Policy) -> Part {
    let label = "MKE configuration";
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let approvals = policy.host_ipc.as_deref().unwrap_or_default();
    let labels = Default::default();
    let mut facts = Vec::new();
    let (mut granting, mut approved_by) = (Vec::new(), Vec::new());
    for who in ["user", "service"] {
        let key = format!("cluster_config.priv_attributes_allowed_for_{who}_accounts");
        let list = match cfg.strings(&key) {
            Ok(l) => l,
            Err(e) => return Part::missing(label, e),
        };
        if list.value.iter().any(|a| a.eq_ignore_ascii_case("hostipc")) {
            let t = Target { name: &key, image: "", node: "", labels: &labels, system: true };
            match approvals.iter().position(|a| a.matcher.matches(&t)) {
                Some(i) => approved_by.push(i),
                None => granting.push(format!("{who} accounts")),
            }
        }
        facts.push(fact(&key, list.shown_list()));
        // Which accounts hold the privileges: evidence.
        if let Ok(accounts) = cfg.strings(&format!("cluster_config.priv_attributes_{who}_accounts")) {
            if !accounts.default {
                facts.push(fact(&format!("cluster_config.priv_attributes_{who}_accounts"), accounts.shown_list()));
            }
        }
    }
    let (status, outcome, reason) = if !granting.is_empty() {
        (Status::Fail, Outcome::Fail, format!("MKE allows hostIPC to {}, and the SSP does not (P-IPC)", granting.join(" and ")))
    } else if approved_by.is_empty() {
        (Status::Pass, Outcome::Pass, "MKE allows hostIPC to no user or service account".to_string())
    } else {
        let by = approved_by.iter().map(|i| format!("host_ipc[{i}]")).collect::<Vec<_>>().join(", ");
        let justification = approved_by.iter().map(|&i| approvals[i].justification.clone()).collect::<Vec<_>>().join("; ");
        (Status::Pass, Outcome::Excepted { by, justification }, "MKE allows hostIPC to accounts, as the site policy allows (P-IPC)".to_string())
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
            case_with(
                "both, each approved by the site policy",
                Status::Pass,
                policy("host_ipc:\n- match: {name: '^web$'}\n  justification: SSP 6.1\n- match: {name: '^cluster_config.priv_attributes_allowed_for_user_accounts$'}\n  justification: SSP 6.2\n"),
                |f| {
                    ipc_host(f);
                    privs(f, "user", &["hostIPC"]);
                },
            ),
            // An approval covers what it names: the service accounts' setting is not the users'.
            case_with("user accounts approved, service accounts not", Status::Fail, policy("host_ipc:\n- match: {name: '^cluster_config.priv_attributes_allowed_for_user_accounts$'}\n  justification: SSP 6.2\n"), |f| {
                privs(f, "user", &["hostIPC"]);
                privs(f, "service", &["hostIPC"]);
            })
            .failing(&["config-toml"]),
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
