//! V-242415: Secrets must not be stored as environment variables: no pod or workload template
//! takes a Secret through `env[].valueFrom.secretKeyRef` (the STIG's jsonpath) or `envFrom`.
//! A CAT I rule: the site policy may except single subjects, with a justification.

use super::KubeCluster;
use crate::assess::verdict::{judge_counted, Uncounted};
use crate::assess::{fact, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::{Policy, Target};

fn decide(k: &KubeCluster, policy: &Policy) -> Vec<Part> {
    let kube = &k.facts.kube;
    let (pods, workloads) = match (&kube.pods, &kube.workload_secret_env) {
        (Ok(p), Ok(w)) => (p, w),
        (Err(e), _) | (_, Err(e)) => return vec![Part::missing("", e)],
    };
    let empty = Default::default();
    let mut checks = Vec::new();
    for p in pods.iter().filter(|p| !p.secret_env.is_empty()) {
        let name = format!("{}/{}", p.namespace, p.name);
        let t = Target { name: &p.name, image: &p.image, node: &p.node, labels: &p.labels, system: false };
        let outcome = policy.exception(RULE.id.vuln, &t).map(|(by, e)| Outcome::Excepted { by, justification: e.justification.clone() }).unwrap_or(Outcome::Fail);
        checks.push(Subject { outcome, facts: p.secret_env.iter().map(|s| fact("env", s)).collect(), ..Subject::new(SubjectKind::Pod, &name, &name) });
    }
    for (key, refs) in workloads {
        let t = Target { name: key, image: "", node: "", labels: &empty, system: false };
        let outcome = policy.exception(RULE.id.vuln, &t).map(|(by, e)| Outcome::Excepted { by, justification: e.justification.clone() }).unwrap_or(Outcome::Fail);
        checks.push(Subject { outcome, facts: refs.iter().map(|s| fact("env", s)).collect(), ..Subject::new(SubjectKind::Setting, key, key) });
    }
    let others = kube.pod_total.saturating_sub(pods.iter().filter(|p| !p.secret_env.is_empty()).count());
    let p = Phrases { population: "pods and workload templates", violation: "take a Secret through an environment variable", none_concerned: "" };
    vec![judge_counted("", &p, checks, Uncounted { pass: others, not_applicable: 0 }, &[], Empty::Pass)]
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-001160", vuln: "V-242415" },
    needs: &[Key::KubePods, Key::KubeWorkloads],
    params: &[],
    decide,
    #[cfg(test)]
    cases: || {
        use super::testing::{case, case_with, pod, policy, WORKER};
        use crate::assess::Status;
        let with_secret = |f: &mut crate::facts::Facts| {
            let mut p = pod("team-a", "api-0", WORKER, "registry.example.mil/team-a/api:3");
            p.secret_env = vec!["api/DB_PASSWORD <- secret db/password".into()];
            f.kube.pods.as_mut().unwrap().push(p);
        };
        vec![
            case("no Secret in env", Status::Pass, |_| {}),
            case("pod with secretKeyRef", Status::Fail, with_secret).failing(&["team-a/api-0"]),
            case("workload template with envFrom", Status::Fail, |f| f.kube.workload_secret_env = Ok(vec![("Deployment/team-b/billing".into(), vec!["app <- envFrom secret billing".into()])])).failing(&["Deployment/team-b/billing"]),
            case_with("excepted by the site", Status::Pass, policy("exceptions:\n- rules: [V-242415]\n  match: {name: api-0}\n  justification: vendor chart, tracked in POA&M 12\n"), with_secret),
            case("workloads unread", Status::NotReviewed, |f| f.kube.workload_secret_env = Err("HTTP 403".into())).missing(),
        ]
    },
};
