//! V-242403: the API server must generate audit records of every request: --audit-policy-file
//! set, and the policy "must look like" a single catch-all `level: RequestResponse` rule. The
//! policy file is read on the control-plane node (node evidence, `contents`); here its first
//! rule must be that catch-all (a rule before it could exclude requests).

use serde_json::Value;

use super::checks::instances;
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;

/// Judges the file an API server flag names, on the instance's node, with `check` (Ok: why it
/// is fine; Err: the finding).
pub fn config_file(k: &KubeCluster, flag: &str, what: &str, check: fn(&Value) -> Result<String, String>) -> Part {
    let (found, gaps) = match instances(k, Component::ApiServer) {
        Ok(x) => x,
        Err(p) => return p,
    };
    let mut checks = Vec::new();
    for inst in found {
        let mut facts = vec![fact("node", &inst.node)];
        let outcome = match inst.flags.get(flag).filter(|v| !v.is_empty()) {
            None => {
                facts.push(fact("flag", format!("{flag} is not set")));
                Outcome::Fail
            }
            Some(path) => {
                facts.push(fact("flag", format!("{flag}={path}")));
                let content = match &k.facts.node_files {
                    Err(e) => Err(e.clone()),
                    Ok(m) => match m.get(&inst.node) {
                        None => Err(format!("no node evidence for {}: {}", inst.node, super::COLLECT_NODE)),
                        Some(ev) => match ev.contents.get(path) {
                            None => Err(format!("the node evidence of {} holds no copy of {path}", inst.node)),
                            Some(c) => c.value.clone().ok_or_else(|| format!("{path} on {}: {}", inst.node, c.error.clone().unwrap_or_default())),
                        },
                    },
                };
                match content {
                    Err(e) => Outcome::Unknown(format!("{what} cannot be read: {e}")),
                    Ok(v) => match check(&v) {
                        Ok(s) => {
                            facts.push(fact("content", s));
                            Outcome::Pass
                        }
                        Err(s) => {
                            facts.push(fact("content", s));
                            Outcome::Fail
                        }
                    },
                }
            }
        };
        checks.push(Subject { outcome, facts, ..Subject::new(SubjectKind::Setting, &inst.name, &inst.name) });
    }
    let violation = format!("lack {flag} or have {what} the STIG rejects");
    let p = Phrases { population: "kube-apiserver instances", violation: &violation, none_concerned: "" };
    judge("", &p, checks, &gaps, Empty::Missing("no kube-apiserver instance".into()))
}

fn catch_all(v: &Value) -> Result<String, String> {
    if v.get("kind").and_then(Value::as_str) != Some("Policy") {
        return Err("the file is not an audit Policy".into());
    }
    let first = v.pointer("/rules/0").ok_or("the policy has no rules")?;
    let keys: Vec<&str> = first.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let level = first.get("level").and_then(Value::as_str).unwrap_or("");
    if level == "RequestResponse" && keys.iter().all(|k| matches!(*k, "level" | "omitStages")) {
        Ok("first rule: level RequestResponse for every request".into())
    } else {
        Err(format!("first rule is {first} (the STIG's policy logs all requests at the RequestResponse level)"))
    }
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000700", vuln: "V-242403" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::NodeFiles],
    params: &[],
    decide: |k, _| vec![config_file(k, "--audit-policy-file", "the audit policy", catch_all)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag, AUDIT_POLICY, CP};
        use crate::assess::Status;
        vec![
            case("catch-all RequestResponse", Status::Pass, |_| {}),
            case("flag missing", Status::Fail, |f| set_flag(f, Component::ApiServer, "--audit-policy-file", None)).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("metadata only", Status::Fail, |f| {
                f.node_files.as_mut().unwrap().get_mut(CP).unwrap().contents.get_mut(AUDIT_POLICY).unwrap().value = Some(serde_json::json!({"kind": "Policy", "rules": [{"level": "Metadata"}]}));
            })
            .failing(&["kube-system/kube-apiserver-cp-1"]),
            case("no node evidence", Status::NotReviewed, |f| f.node_files = Err("none".into())).missing(),
        ]
    },
};
