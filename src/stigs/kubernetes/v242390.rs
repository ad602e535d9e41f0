//! V-242390: the API server must have anonymous authentication disabled. The STIG reads
//! `--anonymous-auth` in the manifest ("set to true" is a finding). Kubernetes defaults it to
//! true, so a manifest without the flag is only cleared by the server's own answer: a request
//! without credentials must be refused with 401 (200 or 403 means it was served as
//! `system:anonymous`). A managed control plane is decided from that answer alone.

use super::checks::{decide_flags, FlagCheck, Want};
use super::control_plane::{Component, Shape};
use super::KubeCluster;
use crate::assess::{fact, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;

fn probe(k: &KubeCluster) -> Part {
    let status = match &k.facts.kube.anonymous {
        Ok(s) => *s,
        Err(e) => return Part::missing("anonymous request", e),
    };
    let subject = |o: Outcome| Subject { outcome: o, facts: vec![fact("GET /version without credentials", format!("HTTP {status}"))], ..Subject::new(SubjectKind::Setting, "API server", "anonymous-request") };
    match status {
        401 => Part::decided("anonymous request", Status::Pass, "the API server refused a request without credentials (HTTP 401)", vec![subject(Outcome::Pass)]),
        200 | 403 => Part::decided("anonymous request", Status::Fail, format!("the API server served a request without credentials as system:anonymous (HTTP {status}): anonymous authentication is on"), vec![subject(Outcome::Fail)]),
        other => Part::missing("anonymous request", format!("the API server answered a request without credentials with HTTP {other}, which says neither")),
    }
}

fn decide(k: &KubeCluster) -> Vec<Part> {
    if matches!(&k.control_plane, Ok(cp) if cp.shape == Shape::Managed) {
        return vec![probe(k).note("the control plane is managed: decided from the server's answer")];
    }
    let mut flag = decide_flags(k, &FlagCheck { component: Component::ApiServer, flags: &["--anonymous-auth"], want: Want::Not("true") });
    flag.label = "manifest".into();
    vec![flag, probe(k)]
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000360", vuln: "V-242390" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeAnonymous],
    params: &[],
    decide: |k, _| decide(k),
    #[cfg(test)]
    cases: || {
        use super::testing::{as_managed, case, set_flag};
        vec![
            case("flag false, anonymous refused", Status::Pass, |_| {}),
            case("flag true", Status::Fail, |f| set_flag(f, Component::ApiServer, "--anonymous-auth", Some("true"))).failing(&["kube-system/kube-apiserver-cp-1"]),
            case("anonymous request served", Status::Fail, |f| f.kube.anonymous = Ok(403)).failing(&["API server"]),
            case("managed, anonymous refused", Status::Pass, as_managed).independent_of(&[Key::KubePods, Key::KubeNodes, Key::DockerInspect]),
            case("managed, no probe", Status::NotReviewed, |f| {
                as_managed(f);
                f.kube.anonymous = Err("not collected".into());
            })
            .missing(),
        ]
    },
};
