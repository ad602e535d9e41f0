//! V-242461: API server audit logs must be enabled: --audit-policy-file set and the file of
//! "valid content": an audit Policy with at least one rule that records something (a level
//! other than None).

use serde_json::Value;

use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

fn records_something(v: &Value) -> Result<String, String> {
    if v.get("kind").and_then(Value::as_str) != Some("Policy") {
        return Err("the file is not an audit Policy".into());
    }
    let levels: Vec<&str> = v.get("rules").and_then(Value::as_array).into_iter().flatten().filter_map(|r| r.get("level").and_then(Value::as_str)).collect();
    if levels.iter().any(|l| *l != "None") {
        Ok(format!("audit Policy with levels {}", levels.join(",")))
    } else {
        Err("the audit policy records nothing (no rule, or only level None)".into())
    }
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-003280", vuln: "V-242461" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::NodeFiles],
    params: &[],
    decide: |k, _| vec![super::v242403::config_file(k, "--audit-policy-file", "the audit policy", records_something)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, AUDIT_POLICY, CP};
        use crate::assess::Status;
        vec![
            case("a policy that records", Status::Pass, |_| {}),
            case("level None only", Status::Fail, |f| {
                f.node_files.as_mut().unwrap().get_mut(CP).unwrap().contents.get_mut(AUDIT_POLICY).unwrap().value = Some(serde_json::json!({"kind": "Policy", "rules": [{"level": "None"}]}));
            })
            .failing(&["kube-system/kube-apiserver-cp-1"]),
            case("policy file unreadable", Status::NotReviewed, |f| {
                let c = f.node_files.as_mut().unwrap().get_mut(CP).unwrap().contents.get_mut(AUDIT_POLICY).unwrap();
                c.value = None;
                c.error = Some("permission denied".into());
            })
            .missing(),
        ]
    },
};
