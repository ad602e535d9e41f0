//! V-260932 (CNTR-MK-000980): data written to a PersistentVolumeClaim survives the pod that
//! wrote it. Kubernetes only (the STIG: not applicable under Swarm orchestration; here, when
//! Kubernetes is not in use). The STIG's test creates a namespace, a PVC and pods, deletes a pod
//! and reads the data back; the tool changes nothing on the cluster, so the rule is manual, with
//! the StorageClasses as evidence (none at all means a PVC is unlikely to bind: said so). A
//! StorageClass list that was not read is not assessed.

use super::common::kube_gate;
use super::Cluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000980", vuln: "V-260932" },
    needs: &[Key::DockerNodes, Key::KubeStorageClasses],
    params: &["orchestrator"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const TEST: &str = "run the STIG's PVC persistence test (write from a pod, delete it, read back from another pod)";

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    if let Some(gate) = kube_gate(cl, "") {
        return vec![gate];
    }
    vec![match &cl.facts.kube.storage_classes {
        Err(e) => Part::missing("", e),
        Ok(c) if c.is_empty() => Part::manual("", format!("no StorageClass exists, so a PersistentVolumeClaim is unlikely to bind (a likely finding); {TEST}")),
        Ok(c) => Part::manual("", format!("StorageClasses: {}; {TEST} (manual)", c.join(", "))),
    }]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: manual, with the StorageClasses as evidence.
            case("storage classes listed", Status::NotReviewed, |_| {}),
            case("no storage class", Status::NotReviewed, |f| f.kube.storage_classes = Ok(vec![])),
            case_with("swarm only", Status::NotApplicable, policy("orchestrator: swarm\n"), |_| {}).independent_of(super::RULE.needs),
            case("storage classes unread", Status::NotReviewed, |f| f.kube.storage_classes = Err(Key::KubeStorageClasses.not_collected())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            nothing(),
        ]
    }
}
