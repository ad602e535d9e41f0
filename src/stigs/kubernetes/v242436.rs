//! V-242436: the API server must have the ValidatingAdmissionWebhook enabled. The STIG's check
//! is a "pre-version 1.25 check" (PodSecurityPolicy's removal moved policy enforcement to Pod
//! Security Admission, V-254800/V-254801): from 1.25 not applicable, by the server's version;
//! before, --enable-admission-plugins must name ValidatingAdmissionWebhook.

use super::checks::{decide_flags, FlagCheck, Want};
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

const CHECK: FlagCheck = FlagCheck { component: Component::ApiServer, flags: &["--enable-admission-plugins"], want: Want::Includes(&["ValidatingAdmissionWebhook"]) };

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002000", vuln: "V-242436" },
    needs: &[Key::KubeVersion, Key::KubePods, Key::KubeNodes, Key::DockerInspect],
    params: &[],
    decide: |k, _| match k.version_gate(|minor| minor < 25, "the STIG's check is for Kubernetes before 1.25") {
        Some(gate) => vec![gate],
        None => vec![decide_flags(k, &CHECK)],
    },
    #[cfg(test)]
    cases: || {
        use super::testing::{case, set_flag};
        use crate::assess::Status;
        use crate::facts::kubernetes::KubeVersion;
        fn old(f: &mut crate::facts::Facts) {
            f.kube.version = Ok(KubeVersion { git: "v1.24.17".into(), minor: 24 });
        }
        vec![
            case("1.29: not applicable", Status::NotApplicable, |_| {}).independent_of(&[Key::KubePods, Key::KubeNodes, Key::DockerInspect]),
            case("1.24 with the plugin", Status::Pass, |f| {
                old(f);
                set_flag(f, Component::ApiServer, "--enable-admission-plugins", Some("NodeRestriction,ValidatingAdmissionWebhook"));
            }),
            case("1.24 without it", Status::Fail, old).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("version unknown", Status::NotReviewed, |f| f.kube.version = Err("not collected".into())).missing(),
        ]
    },
};
