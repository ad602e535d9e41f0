//! V-260920 (CNTR-MK-000520): on Ubuntu nodes with AppArmor in use, no unprivileged container
//! runs `AppArmorProfile=unconfined`. The STIG runs `docker ps -a` on every node: all
//! containers, running or not, MKE's own included; no orchestrator split. A node is concerned
//! when its own engine's `/info` says `OperatingSystem` contains "Ubuntu" and `SecurityOptions`
//! has `name=apparmor`; containers on other nodes are not concerned, and the rule is not
//! applicable when no node is. Per-node data is required: a node whose own engine was not read
//! (only MKE's aggregate `/info`, which describes no node) might be an Ubuntu node with AppArmor,
//! so the rule is then not assessed, never not applicable (audit item 4; the old code fell back
//! to the aggregate and went not applicable).

use std::collections::BTreeMap;

use super::common::{containers, node_views, visibility, Judged, Population};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId, Status};
use crate::evidence::keys::Key;
use crate::facts::docker::Info;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000520", vuln: "V-260920" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::DockerNodes, Key::NodeEngines],
    params: &["exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// Whether the STIG concerns a node: Ubuntu with AppArmor in use, or why that is unknown.
fn concerned(i: &Info) -> Result<bool, String> {
    if i.operating_system.is_empty() {
        return Err("its /info has no OperatingSystem".into());
    }
    if i.security_options.is_none() {
        return Err("its /info has no SecurityOptions".into());
    }
    Ok(i.operating_system.contains("Ubuntu") && i.security_option_names().iter().any(|n| n == "apparmor"))
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let views = match node_views(cl) {
        Ok(v) => v,
        Err(e) => return vec![Part::missing("", e)],
    };
    let nodes: BTreeMap<&str, (Result<bool, String>, String)> = views
        .iter()
        .map(|v| {
            let os = v.info.as_ref().map(|i| i.operating_system.clone()).unwrap_or_default();
            (v.name.as_str(), (v.info.as_ref().map_err(|e| e.clone()).and_then(|i| concerned(i)), os))
        })
        .collect();
    let unknown: Vec<String> = nodes.iter().filter_map(|(n, (c, _))| c.as_ref().err().map(|e| format!("{n}: {e}"))).collect();
    if unknown.is_empty() && visibility(cl).is_empty() && !nodes.values().any(|(c, _)| c == &Ok(true)) {
        let oses: Vec<String> = nodes.iter().map(|(n, (_, os))| format!("{n}: {os}")).collect();
        return vec![Part::not_applicable("", format!("no node runs Ubuntu with AppArmor in use ({})", oses.join("; ")))];
    }
    // A standalone engine is the one node, whatever its containers call it.
    let standalone = matches!(cl.facts.docker.nodes, Ok(None));
    let p = Phrases { population: "containers", violation: "run unprivileged with AppArmorProfile=unconfined", none_concerned: "" };
    let mut part = containers(cl, policy, RULE.id.vuln, Population::All, &p, |c, _| {
        let node = nodes.get(c.node.as_str()).or_else(|| if standalone { nodes.values().next() } else { None });
        match node {
            None => Judged::Unknown(format!("its node \"{}\" is not in the node list", c.node)),
            Some((Err(e), _)) => Judged::Unknown(format!("whether its node runs Ubuntu with AppArmor is unknown: {e}")),
            Some((Ok(false), os)) => Judged::NotConcerned(vec![fact("node OperatingSystem", os)]),
            Some((Ok(true), _)) => {
                let f = vec![fact("AppArmorProfile", &c.apparmor_profile), fact("HostConfig.Privileged", c.privileged)];
                if c.apparmor_profile == "unconfined" && !c.privileged { Judged::Bad(f) } else { Judged::Ok(f) }
            }
        }
    });
    // A concerned node without containers: the rule applies and nothing violates it.
    if part.status == Status::NotApplicable {
        part.status = Status::Pass;
        part.reason = format!("no container runs on an Ubuntu node with AppArmor in use ({} on other nodes, not concerned)", part.passed_total);
    }
    // A node whose engine is unknown may be a concerned one even with no container listed on it.
    if let Some(first) = unknown.first() {
        let why = format!("{} node engine(s) unknown, so whether they run Ubuntu with AppArmor is unknown (first: {first})", unknown.len());
        if part.status == Status::Fail {
            part = part.note(format!("also not assessed: {why}"));
        } else if part.assessed {
            part = Part { subjects: part.subjects, passed_total: part.passed_total, ..Part::missing("", why) };
        }
    }
    vec![part]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Node;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        let unconfined = |f: &mut crate::facts::Facts| web(f).apparmor_profile = "unconfined".into();
        vec![
            case("confined containers on Ubuntu", Status::Pass, |_| {}),
            case("unconfined unprivileged container", Status::Fail, unconfined).failing(&["web"]),
            case("a stopped container counts too", Status::Fail, |f| {
                let mut c = container("old");
                c.running = false;
                c.apparmor_profile = "unconfined".into();
                f.docker.containers.as_mut().unwrap().push(c);
            })
            .failing(&["old"]),
            case("unconfined but privileged", Status::Pass, |f| {
                web(f).apparmor_profile = "unconfined".into();
                web(f).privileged = true;
            }),
            case_with("unconfined, excepted", Status::Pass, excepting("V-260920", "web"), unconfined),
            // Not applicable from the nodes alone: the containers do not matter.
            case("not Ubuntu", Status::NotApplicable, |f| {
                unconfined(f);
                node(f).operating_system = "Red Hat Enterprise Linux 9.4 (Plow)".into();
            })
            .independent_of(&[Key::DockerContainers, Key::DockerInspect]),
            case("the Ubuntu node runs no container; another node is not Ubuntu", Status::Pass, |f| {
                let rhel_node = Node { id: "n2".into(), hostname: "rhel-1".into(), role: "worker".into(), labels: Default::default() };
                f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(rhel_node);
                let mut rhel = node_info("rhel-1");
                rhel.operating_system = "Red Hat Enterprise Linux 9.4 (Plow)".into();
                let engine = crate::facts::docker::NodeEngine { name: "rhel-1".into(), role: "worker".into(), info: Ok(rhel) };
                f.docker.node_engines.as_mut().unwrap().push(engine);
                web(f).node = "rhel-1".into();
                web(f).apparmor_profile = "unconfined".into();
            }),
            case("Ubuntu without AppArmor", Status::NotApplicable, |f| node(f).security_options = Some(vec!["name=seccomp,profile=default".into()]))
                .independent_of(&[Key::DockerContainers, Key::DockerInspect]),
            case("only MKE's aggregate /info", Status::NotReviewed, |f| f.docker.node_engines = Err("per-node proxy refused".into())).missing(),
            case("a second node's engine unread", Status::NotReviewed, |f| {
                let n = f.docker.nodes.as_mut().unwrap().as_mut().unwrap();
                n.push(Node { id: "n2".into(), hostname: "mke-2".into(), role: "worker".into(), labels: Default::default() });
            })
            .missing(),
            case("a node's engine unread, a failure elsewhere", Status::Fail, |f| {
                unconfined(f);
                let n = f.docker.nodes.as_mut().unwrap().as_mut().unwrap();
                n.push(Node { id: "n2".into(), hostname: "mke-2".into(), role: "worker".into(), labels: Default::default() });
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
