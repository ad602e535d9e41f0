//! V-242395: the Kubernetes dashboard must not be enabled: no pod labelled
//! `k8s-app=kubernetes-dashboard` in any namespace.

use super::KubeCluster;
use crate::assess::verdict::{judge_counted, Uncounted};
use crate::assess::{fact, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;

fn decide(k: &KubeCluster) -> Part {
    let pods = match &k.facts.kube.pods {
        Ok(p) => p,
        Err(e) => return Part::missing("", e),
    };
    let checks: Vec<Subject> = pods
        .iter()
        .filter(|p| p.labels.get("k8s-app").is_some_and(|a| a == "kubernetes-dashboard"))
        .map(|p| {
            let name = format!("{}/{}", p.namespace, p.name);
            Subject { outcome: Outcome::Fail, facts: vec![fact("label", "k8s-app=kubernetes-dashboard"), fact("image", &p.image)], ..Subject::new(SubjectKind::Pod, &name, &name) }
        })
        .collect();
    let others = k.facts.kube.pod_total.saturating_sub(checks.len());
    let p = Phrases { population: "pods", violation: "are the Kubernetes dashboard (k8s-app=kubernetes-dashboard)", none_concerned: "" };
    judge_counted("", &p, checks, Uncounted { pass: others, not_applicable: 0 }, &[], Empty::Pass)
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000420", vuln: "V-242395" },
    needs: &[Key::KubePods],
    params: &[],
    decide: |k, _| vec![decide(k)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, pod, WORKER};
        use crate::assess::Status;
        vec![
            case("no dashboard", Status::Pass, |_| {}),
            case("dashboard pod", Status::Fail, |f| {
                let mut p = pod("kubernetes-dashboard", "kubernetes-dashboard-5c8f", WORKER, "kubernetesui/dashboard:v2.7.0");
                p.labels.insert("k8s-app".into(), "kubernetes-dashboard".into());
                f.kube.pods.as_mut().unwrap().push(p);
            })
            .failing(&["kubernetes-dashboard/kubernetes-dashboard-5c8f"]),
            case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("HTTP 403".into())).missing(),
        ]
    },
};
