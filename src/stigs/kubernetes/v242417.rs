//! V-242417: Kubernetes must separate user functionality: no user pods in the system
//! namespaces (kube-system, kube-public, kube-node-lease). The control plane's static pods are
//! system pods; whether any other pod there is a "user pod" is the assessor's judgement (the
//! STIG gives no test), so each is not reviewed until the site policy records it as a system
//! workload: an exception for this rule with a justification (e.g. the CNI, CoreDNS).

use super::control_plane::Shape;
use super::KubeCluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::kubernetes::SYSTEM_NAMESPACES;
use crate::policy::{Policy, Target};

fn decide(k: &KubeCluster, policy: &Policy) -> Vec<Part> {
    let pods = match &k.facts.kube.pods {
        Ok(p) => p,
        Err(e) => return vec![Part::missing("", e)],
    };
    let static_pods: Vec<&str> = match &k.control_plane {
        Ok(cp) if cp.shape == Shape::StaticPods => cp.instances.iter().map(|i| i.name.as_str()).collect(),
        _ => vec![],
    };
    let mut checks = Vec::new();
    for p in pods.iter().filter(|p| SYSTEM_NAMESPACES.contains(&p.namespace.as_str())) {
        let name = format!("{}/{}", p.namespace, p.name);
        let facts = vec![fact("image", &p.image), fact("owner", if p.owner.is_empty() { "none" } else { &p.owner })];
        let outcome = if static_pods.contains(&name.as_str()) {
            Outcome::Pass
        } else {
            let t = Target { name: &p.name, image: &p.image, node: &p.node, labels: &p.labels, system: false };
            match policy.exception(RULE.id.vuln, &t) {
                Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
                None => Outcome::Unknown("is it a user pod? The STIG leaves that to the assessor: record system workloads as exceptions to V-242417 in the site policy".into()),
            }
        };
        checks.push(Subject { outcome, facts, ..Subject::new(SubjectKind::Pod, &name, &name) });
    }
    let p = Phrases { population: "pods in the system namespaces", violation: "are user pods", none_concerned: "" };
    vec![judge("", &p, checks, &[], Empty::Pass)]
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-001360", vuln: "V-242417" },
    needs: &[Key::KubePods],
    params: &[],
    decide,
    #[cfg(test)]
    cases: || {
        use super::testing::{case, case_with, policy};
        use crate::assess::Status;
        const SYSTEM: &str = "exceptions:\n- rules: [V-242417]\n  match: {image: registry.k8s.io/*}\n  justification: Kubernetes system components from the upstream registry\n";
        vec![
            case_with("system pods recorded by the site", Status::Pass, policy(SYSTEM), |_| {}),
            case("coredns not yet recorded", Status::NotReviewed, |_| {}).missing(),
            case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("HTTP 403".into())).missing(),
        ]
    },
};
