//! V-254800: a Pod Security Admission control file must be configured: the API server's
//! --admission-control-config-file set, and "PodSecurity properly configured; if least
//! privilege is not represented, this is a finding". The file is read on the control-plane node
//! (node evidence): its PodSecurity plugin's default `enforce` level `restricted` passes,
//! `privileged` or no PodSecurity configuration fails, `baseline` is left to the assessor.

use serde_json::Value;

use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

fn pod_security(v: &Value) -> Result<String, String> {
    let plugin = v
        .get("plugins")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("PodSecurity"))
        .ok_or("the admission configuration has no PodSecurity plugin")?;
    let level = plugin.pointer("/configuration/defaults/enforce").and_then(Value::as_str).unwrap_or("privileged");
    match level {
        "restricted" => Ok("PodSecurity defaults: enforce restricted".into()),
        "baseline" => Err("PodSecurity defaults: enforce baseline (is that least privilege here? the assessor decides; restricted passes)".into()),
        other => Err(format!("PodSecurity defaults: enforce {other}")),
    }
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002011", vuln: "V-254800" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::NodeFiles],
    params: &[],
    decide: |k, _| vec![super::v242403::config_file(k, "--admission-control-config-file", "the admission configuration", pod_security)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag, ADMISSION, CP};
        use super::control_plane::Component;
        use crate::assess::Status;
        vec![
            case("restricted by default", Status::Pass, |_| {}),
            case("no admission configuration", Status::Fail, |f| set_flag(f, Component::ApiServer, "--admission-control-config-file", None)).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("privileged by default", Status::Fail, |f| {
                let c = f.node_files.as_mut().unwrap().get_mut(CP).unwrap().contents.get_mut(ADMISSION).unwrap();
                c.value.as_mut().unwrap()["plugins"][0]["configuration"]["defaults"]["enforce"] = "privileged".into();
            })
            .failing(&["kube-system/kube-apiserver-cp-1"]),
            case("no node evidence", Status::NotReviewed, |f| f.node_files = Err("none".into())).missing(),
        ]
    },
};
