//! V-242394: worker nodes must not have the sshd service enabled (a systemd `*.wants` link
//! for sshd.service or ssh.service, from the node evidence). See V-242393 on unreachable
//! workers.

use super::KubeCluster;
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000410", vuln: "V-242394" },
    needs: &[Key::KubeNodes, Key::NodeFiles],
    params: &[],
    decide: |k, _| vec![super::v242393::sshd(k, false)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, WORKER};
        use crate::assess::Status;
        vec![
            case("sshd not enabled", Status::Pass, |_| {}),
            case("sshd enabled", Status::Fail, |f| f.node_files.as_mut().unwrap().get_mut(WORKER).unwrap().sshd.enabled = Some(true)).failing(&[WORKER]),
            case("worker without evidence", Status::NotReviewed, |f| {
                f.node_files.as_mut().unwrap().remove(WORKER);
            })
            .missing(),
        ]
    },
};
