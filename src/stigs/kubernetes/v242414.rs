//! V-242414: user pods must not use privileged host ports (below 1024). User pods are those
//! outside the system namespaces the STIG names (kube-system, kube-node-lease, kube-public).

use super::KubeCluster;
use crate::assess::verdict::{judge_counted, Uncounted};
use crate::assess::{fact, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::kubernetes::SYSTEM_NAMESPACES;
use crate::policy::{Policy, Target};

fn decide(k: &KubeCluster, policy: &Policy) -> Part {
    let pods = match &k.facts.kube.pods {
        Ok(p) => p,
        Err(e) => return Part::missing("", e),
    };
    let mut checks = Vec::new();
    for p in pods.iter().filter(|p| !SYSTEM_NAMESPACES.contains(&p.namespace.as_str())) {
        let low: Vec<String> = p.containers.iter().flat_map(|c| c.host_ports.iter().filter(|(_, h)| *h < 1024).map(move |(cp, h)| format!("{}: hostPort {h} -> {cp}", c.name))).collect();
        if low.is_empty() {
            continue;
        }
        let name = format!("{}/{}", p.namespace, p.name);
        let t = Target { name: &p.name, image: &p.image, node: &p.node, labels: &p.labels, system: false };
        let outcome = match policy.exception(RULE.id.vuln, &t) {
            Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
            None => Outcome::Fail,
        };
        checks.push(Subject { outcome, facts: low.into_iter().map(|l| fact("port", l)).collect(), ..Subject::new(SubjectKind::Pod, &name, &name) });
    }
    // Every pod in a system namespace is kept by the facts; the user pods not judged above
    // use no host port below 1024.
    let system = pods.iter().filter(|p| SYSTEM_NAMESPACES.contains(&p.namespace.as_str())).count();
    let others = k.facts.kube.pod_total.saturating_sub(system).saturating_sub(checks.len());
    let p = Phrases { population: "user pods", violation: "use a privileged host port (below 1024)", none_concerned: "" };
    judge_counted("", &p, checks, Uncounted { pass: others, not_applicable: 0 }, &[], Empty::Pass)
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000960", vuln: "V-242414" },
    needs: &[Key::KubePods],
    params: &[],
    decide: decide_rule,
    #[cfg(test)]
    cases: || {
        use super::testing::{case, pod, WORKER};
        use crate::assess::Status;
        use crate::facts::kubernetes::PodContainer;
        vec![
            case("no host ports", Status::Pass, |_| {}),
            case("hostPort 80", Status::Fail, |f| {
                let mut p = pod("team-a", "legacy-web", WORKER, "registry.example.mil/legacy:2");
                p.containers = vec![PodContainer { name: "web".into(), image: p.image.clone(), argv: vec![], host_ports: vec![(8080, 80)] }];
                f.kube.pods.as_mut().unwrap().push(p);
            })
            .failing(&["team-a/legacy-web"]),
            case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("HTTP 403".into())).missing(),
        ]
    },
};

fn decide_rule(k: &KubeCluster, policy: &Policy) -> Vec<Part> {
    vec![decide(k, policy)]
}
