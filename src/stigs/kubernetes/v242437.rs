//! V-242437: Kubernetes must have a pod security policy set. A "pre-version 1.25 check":
//! PodSecurityPolicy was removed in 1.25, so from 1.25 the rule is not applicable (Pod
//! Security Admission is checked by V-254800 and V-254801). Before 1.25 the PodSecurityPolicy
//! objects are needed, which this version does not collect: not assessed, with the steps.

use super::KubeCluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002010", vuln: "V-242437" },
    needs: &[Key::KubeVersion],
    params: &[],
    decide: |k, _| match k.version_gate(|minor| minor < 25, "PodSecurityPolicy was removed in Kubernetes 1.25; the STIG's check is for earlier versions") {
        Some(gate) => vec![gate],
        None => vec![Part::missing(
            "",
            "the PodSecurityPolicy objects (policy/v1beta1) are not collected by this version of oscal-stig: run `kubectl get podsecuritypolicy` and review runAsUser (MustRunAsNonRoot), supplementalGroups and fsGroup (min above 0) as the check text says",
        )],
    },
    #[cfg(test)]
    cases: || {
        use super::testing::case;
        use crate::assess::Status;
        use crate::facts::kubernetes::KubeVersion;
        vec![
            case("1.29: not applicable", Status::NotApplicable, |_| {}),
            case("1.24: PSPs not collected", Status::NotReviewed, |f| f.kube.version = Ok(KubeVersion { git: "v1.24.0".into(), minor: 24 })).missing(),
            case("version unknown", Status::NotReviewed, |f| f.kube.version = Err("not collected".into())).missing(),
        ]
    },
};
