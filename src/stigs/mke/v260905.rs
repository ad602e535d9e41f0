//! V-260905 (CNTR-MK-000580): user-managed resources live in dedicated namespaces. Kubernetes
//! only (not applicable when Kubernetes is not in use). Three steps:
//!
//! 1. The UI's "Set context for all namespaces" is enabled: a per-user UI preference no API
//!    shows, so the rule can fail but never pass (manual).
//! 2. `default` holds no Service but `kubernetes`: each other Service there fails.
//! 3. Every Service in `kube-system` is one the SSP lists (P-KSYS-SVC, policy key
//!    `kube_system_services`): others fail; without the list they are named and the rule needs
//!    the site parameter.
//!
//! The fix also moves user resources out of `kube-public` and `kube-node-lease`, but the check
//! makes no finding of them: Services there are reported, not failed.

use super::common::kube_gate;
use super::Cluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000580", vuln: "V-260905" },
    needs: &[Key::DockerNodes, Key::KubeServices],
    params: &["orchestrator", "kube_system_services"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const UI_STEP: &str = "the UI setting \"Set context for all namespaces\" (Kubernetes >> Namespaces) has no API: confirm it is enabled";

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = kube_gate(cl, "") {
        return vec![gate];
    }
    let services = match &cl.facts.kube.services {
        Ok(s) => s,
        Err(e) => return vec![Part::missing("", e)],
    };
    let approved = policy.kube_system_services.as_ref();
    let mut unlisted = Vec::new();
    let mut checks = Vec::new();
    for (ns, name) in services.iter().filter(|(ns, _)| ns == "default" || ns == "kube-system") {
        let (outcome, facts) = match (ns.as_str(), approved) {
            ("default", _) if name == "kubernetes" => (Outcome::Pass, vec![]),
            ("default", _) => (Outcome::Fail, vec![fact("namespace", "default (only `kubernetes` belongs there)")]),
            (_, None) => {
                unlisted.push(name.as_str());
                (Outcome::Pass, vec![])
            }
            (_, Some(ok)) if ok.contains(name) => (Outcome::Pass, vec![fact("kube_system_services (site policy)", "listed")]),
            (_, Some(_)) => (Outcome::Fail, vec![fact("namespace", "kube-system (not listed in the SSP, P-KSYS-SVC)")]),
        };
        let full = format!("{ns}/{name}");
        checks.push(Subject { kind: SubjectKind::Service, name: full.clone(), id: full, outcome, facts });
    }
    let p = Phrases { population: "Services in default and kube-system", violation: "are out of place (default holds only `kubernetes`, kube-system only the SSP's Services)", none_concerned: "" };
    let mut part = judge("", &p, checks, &[], Empty::Missing("the Service list holds no Service in default, not even `kubernetes`".into()));
    let reserved: Vec<String> = services.iter().filter(|(ns, _)| ns == "kube-public" || ns == "kube-node-lease").map(|(ns, n)| format!("{ns}/{n}")).collect();
    if !reserved.is_empty() {
        part = part.note(format!("Services in kube-public or kube-node-lease, which the fix also empties (not a finding of the check): {}", reserved.join(", ")));
    }
    let mut owed = Vec::new();
    if approved.is_none() {
        owed.push(format!("needs site parameter P-KSYS-SVC (policy key `kube_system_services`) for the kube-system Services [{}]", unlisted.join(", ")));
    }
    owed.push(UI_STEP.to_string());
    vec![part.unless_manual(owed.join("; "))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;

    const KSYS: &str = "kube_system_services: [kube-dns]\n";

    fn service(f: &mut Facts, ns: &str, name: &str) {
        f.kube.services.as_mut().unwrap().push((ns.into(), name.into()));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: the UI step stays manual.
            case_with("only kubernetes in default, kube-system as listed", Status::NotReviewed, policy(KSYS), |_| {}),
            case("no P-KSYS-SVC", Status::NotReviewed, |_| {}),
            case("a user Service in default", Status::Fail, |f| service(f, "default", "web")).failing(&["default/web"]),
            case_with("an unlisted kube-system Service", Status::Fail, policy(KSYS), |f| service(f, "kube-system", "metrics-server")).failing(&["kube-system/metrics-server"]),
            case_with("a Service in kube-public is reported, not failed", Status::NotReviewed, policy(KSYS), |f| service(f, "kube-public", "web")),
            case_with("swarm only", Status::NotApplicable, policy("orchestrator: swarm\n"), |f| service(f, "default", "web")).independent_of(super::RULE.needs),
            case("services unread", Status::NotReviewed, |f| f.kube.services = Err(Key::KubeServices.not_collected())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            nothing(),
        ]
    }
}
