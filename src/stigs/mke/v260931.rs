//! V-260931 (CNTR-MK-000770): IPsec network encryption. Two halves, the worse wins:
//!
//! - Swarm (when Swarm is in use): the STIG's literal test on Swarm >> Networks, every network:
//!   "If the scope is not local and the driver is not overlay, this is a finding" (a swarm-scoped
//!   macvlan, say). The text is garbled (check map Q7): its intent, encrypted overlays, is not
//!   its finding condition, so overlay networks without `encrypted` are listed in the reason as
//!   evidence (the default `ingress` network left out), not failed.
//! - Kubernetes (when Kubernetes is in use): MKE's config-toml `cluster_config.secure_overlay` is
//!   `true` (absent: MKE's default, false, fails). A configuration setting: decided from
//!   config-toml even when the Kubernetes API was not read, so gated only on whether Kubernetes
//!   is in use.
//!
//! The network list is read through MKE: complete only when an MKE admin read it.

use super::common::{config, setting, swarm_gate, visibility};
use super::Cluster;
use crate::assess::{fact, judge, Check, Empty, Outcome, Part, Phrases, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000770", vuln: "V-260931" },
    needs: &[Key::DockerNetworks, Key::MkeIdentity, Key::DockerNodes, Key::MkeConfig],
    params: &["orchestrator"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const SECURE_OVERLAY: &str = "cluster_config.secure_overlay";

fn swarm(cl: &Cluster) -> Part {
    let nets = match &cl.facts.docker.networks {
        Ok(n) => n,
        Err(e) => return Part::missing("Swarm", e),
    };
    let checks: Vec<Check> = nets
        .iter()
        .map(|n| {
            let encrypted = n.options.as_ref().is_some_and(|o| o.contains_key("encrypted"));
            let mut facts = vec![fact("Scope", &n.scope), fact("Driver", &n.driver)];
            if n.driver == "overlay" {
                facts.push(fact("Options.encrypted", encrypted));
            }
            let bad = n.scope != "local" && n.driver != "overlay";
            Subject { outcome: if bad { Outcome::Fail } else { Outcome::Pass }, facts, ..Subject::new(SubjectKind::Network, &n.name, &n.id) }
        })
        .collect();
    let p = Phrases { population: "networks", violation: "have a non-local scope and a driver other than overlay", none_concerned: "" };
    let mut part = judge("Swarm", &p, checks, &visibility(cl), Empty::Pass);
    let plain: Vec<&str> = nets
        .iter()
        .filter(|n| n.driver == "overlay" && n.name != "ingress" && !n.options.as_ref().is_some_and(|o| o.contains_key("encrypted")))
        .map(|n| n.name.as_str())
        .collect();
    if !plain.is_empty() {
        part = part.note(format!("overlay networks without IPsec encryption (evidence): {}", plain.join(", ")));
    }
    part
}

fn kubernetes(cl: &Cluster) -> Part {
    const LABEL: &str = "Kubernetes";
    match &cl.orchestrators.kubernetes {
        Ok(false) => return Part::not_applicable(LABEL, format!("Kubernetes is not in use (orchestrator: {})", cl.orchestrators.source)),
        Err(why) => return Part::missing(LABEL, format!("whether Kubernetes is in use is unknown: {why}")),
        Ok(true) => {}
    }
    let cfg = match config(cl, LABEL) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    match cfg.boolean(SECURE_OVERLAY, false) {
        Err(e) => Part::missing(LABEL, e),
        Ok(s) => {
            let (status, reason) = if s.value { (Status::Pass, "secure overlay (IPsec) is on") } else { (Status::Fail, "secure overlay (IPsec) is off") };
            Part::decided(LABEL, status, format!("{reason} ({SECURE_OVERLAY} = {})", s.shown()), vec![setting(s.value, vec![fact(SECURE_OVERLAY, s.shown())])])
        }
    }
}

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    vec![swarm_gate(cl, "Swarm").unwrap_or_else(|| swarm(cl)), kubernetes(cl)]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Network;
    use crate::facts::Facts;

    fn macvlan(f: &mut Facts) {
        f.docker.networks.as_mut().unwrap().push(Network { id: "mv1".into(), name: "stig-macvlan".into(), scope: "swarm".into(), driver: "macvlan".into(), options: None });
    }

    fn overlay_off(f: &mut Facts) {
        set(f.mke.config.as_mut().unwrap(), super::SECURE_OVERLAY, toml::Value::Boolean(false));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("local and overlay networks, secure overlay on", Status::Pass, |_| {}),
            case("a swarm-scoped macvlan", Status::Fail, macvlan).failing(&["stig-macvlan"]),
            case("secure overlay off", Status::Fail, overlay_off).failing(&["config-toml"]),
            case("secure overlay absent: MKE's default (off)", Status::Fail, |f| unset(f.mke.config.as_mut().unwrap(), super::SECURE_OVERLAY)).failing(&["config-toml"]),
            // The literal test: an unencrypted overlay is evidence, not a finding.
            case("an unencrypted overlay", Status::Pass, |f| {
                let n = Network { id: "o2".into(), name: "plain".into(), scope: "swarm".into(), driver: "overlay".into(), options: None };
                f.docker.networks.as_mut().unwrap().push(n);
            }),
            // A setting: the Kubernetes API is not needed.
            case("Kubernetes API not read, secure overlay on", Status::Pass, |f| f.kube.reached = Err("connection refused".into())),
            // One orchestrator from the site policy: the other half's evidence is not read.
            case_with("swarm only, secure overlay off", Status::Pass, policy("orchestrator: swarm\n"), overlay_off).independent_of(&[Key::MkeConfig, Key::DockerNodes]),
            case_with("kubernetes only, a swarm-scoped macvlan", Status::Pass, policy("orchestrator: kubernetes\n"), macvlan)
                .independent_of(&[Key::DockerNetworks, Key::MkeIdentity, Key::DockerNodes]),
            case("configuration unread", Status::NotReviewed, |f| f.mke.config = Err("GET /api/ucp/config-toml: HTTP 403".into())).missing(),
            case("configuration unread, a swarm-scoped macvlan", Status::Fail, |f| {
                macvlan(f);
                f.mke.config = Err("GET /api/ucp/config-toml: HTTP 403".into());
            })
            .failing(&["stig-macvlan"]),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
