//! V-260911 (CNTR-MK-000130): Swarm Secrets or Kubernetes Secrets are used. Halves, the worse
//! wins; each is not applicable when its orchestrator is not in use:
//!
//! - Swarm: every item the SSP identifies for secure storage (P-SECRETS, `swarm_secrets`) exists
//!   as a Swarm secret (`GET /secrets`, `Spec.Name`). Without P-SECRETS: needs the parameter,
//!   with the secrets found. MKE shows a non-admin only the secrets its grants allow, so an item
//!   not listed to a non-admin is not assessed rather than failed.
//! - Kubernetes: no object takes a Secret through environment variables: pods, and the templates
//!   of deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs and replication
//!   controllers (the STIG's `kubectl get all`); the worse of the two decides the half.
//!   The STIG's jsonpath matches `secretKeyRef`; `envFrom[].secretRef` is flagged too, which is
//!   stricter than that jsonpath but not than the finding sentence ("If any of the values
//!   returned reference environment variables"): envFrom puts every key of the Secret into the
//!   environment, the exposure the rule is about (check map: envFrom fails too). The finding
//!   names which form each object uses. MKE's KMS setting (`cluster_config.kms_enabled`, the
//!   STIG's `.KMSEnabled` "or, using API" step, which its fix turns on) is recorded in the reason
//!   as evidence: the check's only finding sentence is about environment variables, so it
//!   decides nothing and config-toml is not among the evidence the rule needs.

use super::common::{kube_gate, needs_param, pods, swarm_gate, visibility, Judged};
use super::Cluster;
use crate::assess::{combine, fact, judge, Check, Empty, Outcome, Part, Phrases, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::{Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000130", vuln: "V-260911" },
    needs: &[Key::DockerSecrets, Key::DockerNodes, Key::MkeIdentity, Key::KubePods, Key::KubeWorkloads],
    params: &["orchestrator", "swarm_secrets", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn swarm(cl: &Cluster, policy: &Policy) -> Part {
    const LABEL: &str = "Swarm";
    if let Some(gate) = swarm_gate(cl, LABEL) {
        return gate;
    }
    let secrets = match &cl.facts.docker.secrets {
        Ok(s) => s,
        Err(e) => return Part::missing(LABEL, e),
    };
    let Some(required) = &policy.swarm_secrets else {
        let mut present: Vec<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
        present.sort_unstable();
        let mut part = needs_param("P-SECRETS", "swarm_secrets", format!("Swarm secrets present: [{}]", present.join(", ")));
        part.label = LABEL.into();
        return part;
    };
    let hidden = visibility(cl);
    let checks: Vec<Check> = required
        .iter()
        .map(|name| match secrets.iter().find(|s| &s.name == name) {
            Some(s) => Subject { facts: vec![fact("Spec.Name", &s.name)], ..Subject::new(SubjectKind::Secret, name, &s.id) },
            None => {
                let outcome = match hidden.first() {
                    Some(why) => Outcome::Unknown(format!("not listed, but {why}")),
                    None => Outcome::Fail,
                };
                Subject { outcome, facts: vec![fact("Spec.Name", "no such Swarm secret")], ..Subject::new(SubjectKind::Secret, name, "") }
            }
        })
        .collect();
    let p = Phrases { population: "items the SSP identifies for secure storage (P-SECRETS)", violation: "are missing from the Swarm secrets", none_concerned: "" };
    judge(LABEL, &p, checks, &[], Empty::Pass)
}

/// The deciding facts of a list of Secret references (`secret_env` of facts::kubernetes): the
/// STIG's `secretKeyRef`s, and `envFrom` apart, since the STIG's jsonpath does not match it.
fn env_facts(refs: &[String]) -> Vec<(String, String)> {
    let (from, keyed): (Vec<&String>, Vec<&String>) = refs.iter().partition(|r| r.contains(" <- envFrom secret "));
    let join = |v: Vec<&String>| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ");
    let mut f = Vec::new();
    if !keyed.is_empty() {
        f.push(fact("env[].valueFrom.secretKeyRef", join(keyed)));
    }
    if !from.is_empty() {
        f.push(fact("envFrom[].secretRef (beyond the STIG's jsonpath)", join(from)));
    }
    f
}

fn workloads(cl: &Cluster, policy: &Policy) -> Part {
    const LABEL: &str = "workloads";
    let found = match &cl.facts.kube.workload_secret_env {
        Ok(w) => w,
        Err(e) => return Part::missing(LABEL, e),
    };
    let none = std::collections::BTreeMap::new();
    let subjects: Vec<Subject> = found
        .iter()
        .map(|(key, refs)| {
            // Exceptions match the workload's own name, as they match a pod's.
            let t = Target { name: key.rsplit('/').next().unwrap_or(key), image: "", node: "", labels: &none, system: false };
            let outcome = match policy.exception(RULE.id.vuln, &t) {
                Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
                None => Outcome::Fail,
            };
            Subject { outcome, facts: env_facts(refs), ..Subject::new(SubjectKind::Pod, key, key) }
        })
        .collect();
    let (bad, excepted) = (subjects.iter().filter(|s| s.outcome == Outcome::Fail).count(), subjects.iter().filter(|s| s.ok()).count());
    let tail = if excepted > 0 { format!("; {excepted} excepted by the site policy") } else { String::new() };
    if bad > 0 {
        Part::decided(LABEL, Status::Fail, format!("{bad} workload template(s) take a Secret through environment variables{tail}"), subjects)
    } else {
        Part::decided(LABEL, Status::Pass, format!("no workload template takes a Secret through environment variables{tail}"), subjects)
    }
}

/// MKE's KMS setting, as evidence.
fn kms(cl: &Cluster) -> String {
    const KEY: &str = "cluster_config.kms_enabled";
    match cl.facts.mke.config.as_ref().map(|c| c.boolean(KEY, false)) {
        Ok(Ok(s)) => format!("KMS (evidence, not judged): {KEY} = {}", s.shown()),
        Ok(Err(e)) => format!("KMS (evidence, not judged): {e}"),
        Err(e) => format!("KMS (evidence, not judged): unknown ({e})"),
    }
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let swarm = swarm(cl, policy);
    if let Some(gate) = kube_gate(cl, "Kubernetes") {
        return vec![swarm, gate];
    }
    let p = Phrases { population: "pods", violation: "take a Secret through environment variables", none_concerned: "" };
    let pods = pods(cl, policy, RULE.id.vuln, "pods", &p, |pod| {
        if pod.secret_env.is_empty() { Judged::Ok(vec![]) } else { Judged::Bad(env_facts(&pod.secret_env)) }
    });
    // One Kubernetes half: the worse of pods and workloads, each saying why.
    let both = combine("", vec![pods, workloads(cl, policy)], vec![]);
    let kube = Part { label: "Kubernetes".into(), status: both.status, assessed: both.assessed, reason: both.reason, subjects: both.subjects, passed_total: both.passed_total };
    vec![swarm, kube.note(kms(cl))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::kubernetes::Pod;
    use crate::facts::Facts;

    const SECRETS: &str = "swarm_secrets: [db_password]\n";

    fn pod_env(f: &mut Facts, refs: &[&str]) {
        f.kube.pods = Ok(vec![Pod { secret_env: refs.iter().map(|s| s.to_string()).collect(), ..pod("app-a", "web-9") }]);
    }

    fn workload_env(f: &mut Facts) {
        f.kube.workload_secret_env = Ok(vec![("Deployment/app-b/billing".into(), vec!["app/DB_PASSWORD <- secret billing-db/password".into()])]);
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // Every item the SSP names is listed: what a non-admin could not see does not matter.
            case_with("SSP items are Swarm secrets, no Secret in env", Status::Pass, policy(SECRETS), |_| {}).independent_of(&[Key::MkeIdentity]),
            case("without P-SECRETS", Status::NotReviewed, |_| {}),
            case_with("an SSP item is not a Swarm secret", Status::Fail, policy("swarm_secrets: [db_password, tls_key]\n"), |_| {}).failing(&["tls_key"]),
            case_with("an SSP item not listed to a non-admin", Status::NotReviewed, policy("swarm_secrets: [db_password, tls_key]\n"), |f| {
                f.mke.identity.as_mut().unwrap().is_admin = false
            })
            .missing(),
            case_with("a pod takes a Secret through env", Status::Fail, policy(SECRETS), |f| pod_env(f, &["app/API_TOKEN <- secret api/token"])).failing(&["app-a/web-9"]),
            case_with("a workload template takes a Secret through env", Status::Fail, policy(SECRETS), workload_env).failing(&["Deployment/app-b/billing"]),
            // Stricter than the STIG's jsonpath, as its finding sentence reads: see the doc comment.
            case_with("a pod takes a whole Secret through envFrom", Status::Fail, policy(SECRETS), |f| pod_env(f, &["app <- envFrom secret api"])).failing(&["app-a/web-9"]),
            case_with("a pod taking a Secret through env, excepted", Status::Pass, policy(&format!("{SECRETS}{}", EXCEPT_WEB9)), |f| {
                pod_env(f, &["app/API_TOKEN <- secret api/token"])
            })
            .independent_of(&[Key::MkeIdentity]),
            case_with("KMS off is evidence only", Status::Pass, policy(SECRETS), |f| {
                set(f.mke.config.as_mut().unwrap(), "cluster_config.kms_enabled", toml::Value::Boolean(false))
            })
            .independent_of(&[Key::MkeIdentity]),
            case_with("Kubernetes API not read", Status::NotReviewed, policy(SECRETS), |f| f.kube.reached = Err("connection refused".into())).missing(),
            case_with("workload lists unread", Status::NotReviewed, policy(SECRETS), |f| f.kube.workload_secret_env = Err("GET /apis/apps/v1/deployments: HTTP 403".into())).missing(),
            case_with("workload lists unread, a pod takes a Secret through env", Status::Fail, policy(SECRETS), |f| {
                pod_env(f, &["app/API_TOKEN <- secret api/token"]);
                f.kube.workload_secret_env = Err("GET /apis/apps/v1/deployments: HTTP 403".into());
            })
            .failing(&["app-a/web-9"]),
            case_with("secret list unread", Status::NotReviewed, policy(SECRETS), |f| f.docker.secrets = Err("GET /secrets: HTTP 401".into())).missing(),
            // One orchestrator from the site policy: the other half's evidence is not read.
            case_with("kubernetes only, without P-SECRETS", Status::Pass, policy("orchestrator: kubernetes\n"), |_| {})
                .independent_of(&[Key::DockerSecrets, Key::DockerNodes, Key::MkeIdentity]),
            case_with("swarm only, pod list unread", Status::Pass, policy(&format!("orchestrator: swarm\n{SECRETS}")), |f| f.kube.pods = Err("not read".into()))
                .independent_of(&[Key::KubePods, Key::KubeWorkloads, Key::DockerNodes, Key::MkeIdentity]),
            nothing(),
        ]
    }

    const EXCEPT_WEB9: &str = "exceptions:\n- rules: [V-260911]\n  match: {name: '^web-9$'}\n  justification: SSP 4.2\n";
}
