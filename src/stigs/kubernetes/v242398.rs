//! V-242398: DynamicAuditing must not be enabled: not `DynamicAuditing=true` in the API
//! server's --feature-gates; on every node, no `--feature-gates` option on the kubelet's
//! command line ("if the --feature-gates option exists, this is a finding") and not
//! `DynamicAuditing: true` in its featureGates.

use super::checks::{decide_flags, decide_kubelet, FlagCheck, KubeletCheck, Want};
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000450", vuln: "V-242398" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeletConfigz, Key::NodeFiles],
    params: &[],
    decide: |k, _| {
        let mut manifest = decide_flags(k, &FlagCheck { component: Component::ApiServer, flags: &["--feature-gates"], want: Want::GateNot("DynamicAuditing", true) });
        manifest.label = "API server".into();
        let mut kubelet = decide_kubelet(k, &KubeletCheck { flag: Some("--feature-gates"), setting: Some("/featureGates/DynamicAuditing"), want: Want::Not("true") });
        kubelet.label = "kubelets".into();
        vec![manifest, kubelet]
    },
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag, set_setting, WORKER};
        use crate::assess::Status;
        vec![
            case("no gate set", Status::Pass, |_| {}),
            case("API server gate on", Status::Fail, |f| set_flag(f, Component::ApiServer, "--feature-gates", Some("DynamicAuditing=true"))).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("kubelet gate on", Status::Fail, |f| set_setting(f, WORKER, "/featureGates/DynamicAuditing", Some("true"))).failing(&[WORKER]),
            case("kubelet --feature-gates option", Status::Fail, |f| f.node_files.as_mut().unwrap().get_mut(WORKER).unwrap().processes[0].args.push("--feature-gates=RotateKubeletServerCertificate=true".into())).failing(&[WORKER]),
            case("no node evidence", Status::NotReviewed, |f| f.node_files = Err("none".into())).missing(),
        ]
    },
};
