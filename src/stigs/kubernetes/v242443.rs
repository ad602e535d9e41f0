//! V-242443: Kubernetes must carry the latest updates: "if kubectl version has a setting not
//! supporting Kubernetes skew policy, this is a finding". Decided from the server's version and
//! each node's kubelet version against the version-skew policy (a kubelet may not be newer
//! than the API server, nor more than three minor versions older from 1.28, two before). The
//! assessor's kubectl is not evidence here; whether the release is still supported is said in
//! the reason for the assessor to confirm.

use super::KubeCluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;

fn minor(v: &str) -> Option<u32> {
    v.trim_start_matches('v').split('.').nth(1)?.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

fn decide(k: &KubeCluster) -> Part {
    let (server, nodes) = match (&k.facts.kube.version, &k.facts.kube.nodes) {
        (Ok(s), Ok(n)) => (s, n),
        (Err(e), _) | (_, Err(e)) => return Part::missing("", e),
    };
    let skew = if server.minor >= 28 { 3 } else { 2 };
    let checks = nodes
        .iter()
        .map(|n| {
            let outcome = match minor(&n.kubelet_version) {
                None => Outcome::Unknown(format!("kubelet version \"{}\" is not readable", n.kubelet_version)),
                Some(m) if m > server.minor || m + skew < server.minor => Outcome::Fail,
                Some(_) => Outcome::Pass,
            };
            Subject { outcome, facts: vec![fact("kubelet", &n.kubelet_version), fact("API server", &server.git)], ..Subject::new(SubjectKind::Node, &n.name, &n.name) }
        })
        .collect();
    let violation = format!("run a kubelet outside the version-skew policy for API server {} (at most {skew} minor versions older, never newer)", server.git);
    let p = Phrases { population: "nodes", violation: &violation, none_concerned: "" };
    judge("", &p, checks, &[], Empty::Missing("the node list is empty".into())).note("that the release is still supported and carries the IAVM/CTO updates is for the assessor to confirm against the Kubernetes release page")
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002720", vuln: "V-242443" },
    needs: &[Key::KubeVersion, Key::KubeNodes],
    params: &[],
    decide: |k, _| vec![decide(k)],
    #[cfg(test)]
    cases: || {
        use super::testing::{case, WORKER};
        use crate::assess::Status;
        vec![
            case("kubelets at the server's version", Status::Pass, |_| {}),
            case("a kubelet four minors behind", Status::Fail, |f| f.kube.nodes.as_mut().unwrap().iter_mut().find(|n| n.name == WORKER).unwrap().kubelet_version = "v1.25.3".into()).failing(&[WORKER]),
            case("version unknown", Status::NotReviewed, |f| f.kube.version = Err("not collected".into())).missing(),
        ]
    },
};
