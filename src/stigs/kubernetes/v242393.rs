//! V-242393: worker nodes must not have sshd running. Decided per worker from its node
//! evidence (an sshd process in /proc). The STIG's note makes unreachable workers "not a
//! finding"; here a worker without evidence is not assessed, since nothing was seen of it.

use super::KubeCluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;

pub fn sshd(k: &KubeCluster, running: bool) -> Part {
    use crate::assess::{fact, judge, Empty, Outcome, Phrases, Subject, SubjectKind};
    let nodes = match &k.facts.kube.nodes {
        Ok(n) => n,
        Err(e) => return Part::missing("", e),
    };
    let evidence = match &k.facts.node_files {
        Ok(m) => m,
        Err(e) => return Part::missing("", e),
    };
    let mut checks = Vec::new();
    for n in nodes.iter().filter(|n| !n.control_plane()) {
        let state = evidence.get(&n.name).map(|ev| (if running { ev.sshd.running } else { ev.sshd.enabled }, ev.sshd.how.clone()));
        let (outcome, facts) = match state {
            None => (Outcome::Unknown(format!("no node evidence: {}", super::COLLECT_NODE)), vec![]),
            Some((None, how)) => (Outcome::Unknown(format!("the collector could not tell ({how})")), vec![]),
            Some((Some(on), how)) => (if on { Outcome::Fail } else { Outcome::Pass }, vec![fact("sshd", if running { if on { "running" } else { "not running" } } else if on { "enabled" } else { "not enabled" }), fact("how", how)]),
        };
        checks.push(Subject { outcome, facts, ..Subject::new(SubjectKind::Node, &n.name, &n.name) });
    }
    let violation = if running { "run sshd" } else { "have the sshd service enabled" };
    let p = Phrases { population: "worker nodes", violation, none_concerned: "" };
    judge("", &p, checks, &[], Empty::NotApplicable("the cluster lists no worker node".into()))
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000400", vuln: "V-242393" },
    needs: &[Key::KubeNodes, Key::NodeFiles],
    params: &[],
    decide: |k, _| vec![sshd(k, true)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, WORKER};
        use crate::assess::Status;
        vec![
            case("no sshd on the worker", Status::Pass, |_| {}),
            case("sshd running", Status::Fail, |f| f.node_files.as_mut().unwrap().get_mut(WORKER).unwrap().sshd.running = Some(true)).failing(&[WORKER]),
            case("collector could not read /proc", Status::NotReviewed, |f| f.node_files.as_mut().unwrap().get_mut(WORKER).unwrap().sshd.running = None).missing(),
            case("no node evidence", Status::NotReviewed, |f| f.node_files = Err("none".into())).missing(),
        ]
    },
};
