//! V-242383: user-managed resources must be created in dedicated namespaces. "kubectl get all"
//! in default, kube-public and kube-node-lease may return only service/kubernetes: every pod,
//! Service and workload there is named.

use super::KubeCluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::kubernetes::DEFAULT_NAMESPACES;

fn decide(k: &KubeCluster) -> Part {
    let kube = &k.facts.kube;
    let (pods, services, workloads) = match (&kube.pods, &kube.services, &kube.workloads_in_default) {
        (Ok(p), Ok(s), Ok(w)) => (p, s, w),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return Part::missing("", e),
    };
    let mut checks = Vec::new();
    let bad = |kind: SubjectKind, name: String, what: &str| Subject { outcome: Outcome::Fail, facts: vec![fact("resource", what)], ..Subject::new(kind, &name, &name) };
    for p in pods.iter().filter(|p| DEFAULT_NAMESPACES.contains(&p.namespace.as_str())) {
        checks.push(bad(SubjectKind::Pod, format!("{}/{}", p.namespace, p.name), &format!("pod/{}", p.name)));
    }
    for (ns, name) in services.iter().filter(|(ns, _)| DEFAULT_NAMESPACES.contains(&ns.as_str())) {
        if ns == "default" && name == "kubernetes" {
            continue;
        }
        checks.push(bad(SubjectKind::Service, format!("{ns}/{name}"), &format!("service/{name}")));
    }
    for w in workloads {
        checks.push(bad(SubjectKind::Setting, w.clone(), w));
    }
    let p = Phrases { population: "resources in default, kube-public and kube-node-lease other than service/kubernetes", violation: "exist", none_concerned: "" };
    judge("", &p, checks, &[], Empty::Pass)
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000290", vuln: "V-242383" },
    needs: &[Key::KubePods, Key::KubeServices, Key::KubeWorkloads],
    params: &[],
    decide: |k, _| vec![decide(k)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, pod, WORKER};
        use crate::assess::Status;
        vec![
            case("only service/kubernetes in default", Status::Pass, |_| {}),
            case("a pod in default", Status::Fail, |f| f.kube.pods.as_mut().unwrap().push(pod("default", "debug-shell", WORKER, "busybox:1.36"))).failing(&["default/debug-shell"]),
            case("a Service in kube-public", Status::Fail, |f| f.kube.services.as_mut().unwrap().push(("kube-public".into(), "web".into()))).failing(&["kube-public/web"]),
            case("a Deployment in default", Status::Fail, |f| f.kube.workloads_in_default = Ok(vec!["Deployment/default/web".into()])).failing(&["Deployment/default/web"]),
            case("Service list unread", Status::NotReviewed, |f| f.kube.services = Err("HTTP 403".into())).missing(),
        ]
    },
};
