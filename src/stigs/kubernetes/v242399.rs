//! V-242399: DynamicKubeletConfig must not be enabled. "Only applicable for Kubernetes
//! versions 1.25 and older" (the gate was removed in 1.26): not applicable from 1.26, by the
//! server's version. Up to 1.25, as written: every control-plane manifest's --feature-gates
//! must name `DynamicKubeletConfig=false`, no kubelet may take --feature-gates on its command
//! line, and each kubelet's featureGates must set `DynamicKubeletConfig: false`.

use super::checks::{decide_flags, decide_kubelet, FlagCheck, KubeletCheck, Want};
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

const GATE: Want = Want::GateIs("DynamicKubeletConfig", false);

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000460", vuln: "V-242399" },
    needs: &[Key::KubeVersion, Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeletConfigz, Key::NodeFiles],
    params: &[],
    decide: |k, _| {
        if let Some(gate) = k.version_gate(|minor| minor <= 25, "the STIG limits this check to Kubernetes 1.25 and older (DynamicKubeletConfig was removed in 1.26)") {
            return vec![gate];
        }
        let mut parts: Vec<_> = [Component::ApiServer, Component::ControllerManager, Component::Scheduler]
            .into_iter()
            .map(|c| {
                let mut p = decide_flags(k, &FlagCheck { component: c, flags: &["--feature-gates"], want: GATE });
                p.label = c.name().into();
                p
            })
            .collect();
        let mut kubelet = decide_kubelet(k, &KubeletCheck { flag: Some("--feature-gates"), setting: Some("/featureGates/DynamicKubeletConfig"), want: Want::False });
        kubelet.label = "kubelets".into();
        parts.push(kubelet);
        parts
    },
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag, set_setting, CP, WORKER};
        use crate::assess::Status;
        use crate::facts::kubernetes::KubeVersion;
        fn old(f: &mut crate::facts::Facts) {
            f.kube.version = Ok(KubeVersion { git: "v1.25.16".into(), minor: 25 });
            for c in [Component::ApiServer, Component::ControllerManager, Component::Scheduler] {
                set_flag(f, c, "--feature-gates", Some("DynamicKubeletConfig=false"));
            }
            for n in [CP, WORKER] {
                set_setting(f, n, "/featureGates/DynamicKubeletConfig", Some("false"));
            }
        }
        vec![
            case("1.29: not applicable", Status::NotApplicable, |_| {}).independent_of(&[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeletConfigz, Key::NodeFiles]),
            case("1.25, gate off everywhere", Status::Pass, old),
            case("1.25, scheduler without the gate", Status::Fail, |f| {
                old(f);
                set_flag(f, Component::Scheduler, "--feature-gates", None);
            })
            .failing(&["kube-system/kube-scheduler-cp-1"]),
            case("version unknown", Status::NotReviewed, |f| f.kube.version = Err("not collected".into())).missing(),
        ]
    },
};
