//! V-254801: the PodSecurity admission controller must be enabled on static pods and kubelets.
//! As written (up to Kubernetes 1.27): every control-plane manifest's --feature-gates names
//! `PodSecurity=true`, no kubelet takes --feature-gates on its command line, and each
//! kubelet's featureGates sets `PodSecurity: true`. The gate was removed in 1.28 (PodSecurity
//! is always on), where setting it stops the component from starting: from 1.28 the rule is
//! decided by what can still turn the controller off, `--disable-admission-plugins`.

use super::checks::{decide_flags, decide_kubelet, FlagCheck, KubeletCheck, Want};
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;

fn decide(k: &KubeCluster) -> Vec<Part> {
    match k.at_least(28) {
        Err(e) => vec![Part::missing("", format!("the rule depends on the Kubernetes version, and {e}"))],
        Ok(true) => {
            let check = FlagCheck { component: Component::ApiServer, flags: &["--disable-admission-plugins"], want: Want::Lacks("PodSecurity") };
            let p = decide_flags(k, &check);
            vec![p.note(format!("Kubernetes {} has no PodSecurity feature gate (removed in 1.28; the controller is always on unless disabled)", k.version()))]
        }
        Ok(false) => {
            let mut parts: Vec<Part> = [Component::ApiServer, Component::ControllerManager, Component::Scheduler]
                .into_iter()
                .map(|c| {
                    let mut p = decide_flags(k, &FlagCheck { component: c, flags: &["--feature-gates"], want: Want::GateIs("PodSecurity", true) });
                    p.label = c.name().into();
                    p
                })
                .collect();
            let mut kubelet = decide_kubelet(k, &KubeletCheck { flag: Some("--feature-gates"), setting: Some("/featureGates/PodSecurity"), want: Want::True });
            kubelet.label = "kubelets".into();
            parts.push(kubelet);
            parts
        }
    }
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002001", vuln: "V-254801" },
    needs: &[Key::KubeVersion, Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeletConfigz, Key::NodeFiles],
    params: &[],
    decide: |k, _| decide(k),
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag, set_setting, CP, WORKER};
        use crate::assess::Status;
        use crate::facts::kubernetes::KubeVersion;
        fn old(f: &mut crate::facts::Facts) {
            f.kube.version = Ok(KubeVersion { git: "v1.26.15".into(), minor: 26 });
            for c in [Component::ApiServer, Component::ControllerManager, Component::Scheduler] {
                set_flag(f, c, "--feature-gates", Some("PodSecurity=true"));
            }
            for n in [CP, WORKER] {
                set_setting(f, n, "/featureGates/PodSecurity", Some("true"));
            }
        }
        vec![
            case("1.29, not disabled", Status::Pass, |_| {}).independent_of(&[Key::DockerInspect, Key::KubeletConfigz, Key::NodeFiles]),
            case("1.29, disabled", Status::Fail, |f| set_flag(f, Component::ApiServer, "--disable-admission-plugins", Some("PodSecurity,AlwaysPullImages"))).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("1.26, gate on everywhere", Status::Pass, old),
            case("1.26, a kubelet without the gate", Status::Fail, |f| {
                old(f);
                set_setting(f, WORKER, "/featureGates/PodSecurity", None);
            })
            .failing(&[WORKER]),
            case("version unknown", Status::NotReviewed, |f| f.kube.version = Err("not collected".into())).missing(),
        ]
    },
};
