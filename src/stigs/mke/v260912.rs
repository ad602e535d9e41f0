//! V-260912 (CNTR-MK-000140): MKE's grants control authorization "per the requirements set
//! forth by the SSP". Two halves, each not applicable only when its orchestrator is not in use
//! (the old code made the whole rule not applicable without Kubernetes, and never read the
//! Swarm grants):
//!
//! - Swarm: every MKE grant (Access Control >> Grants >> Swarm), from `GET /collectionGrants`:
//!   subject (resolved to its account name through the answer's `subjects[]`), role and
//!   collection, listed as evidence. The STIG judges them against the SSP only, and no policy key
//!   holds the SSP's grants yet (P-GRANTS), so this half is not reviewed ("compare with the
//!   SSP"); nothing here fails, since the STIG names no grant that is wrong whatever the SSP
//!   says. A list read by a non-admin may be partial: not assessed.
//! - Kubernetes: ClusterRoleBindings. `cluster-admin` bound to a subject that is not a
//!   Kubernetes system subject (`system:*`) fails unless the site policy excepts the binding (by
//!   name, `exceptions` for V-260912: the SSP documents it); otherwise not reviewed against the
//!   SSP. RoleBindings, implied by the fix, are not read.

use std::collections::BTreeMap;

use super::common::{kube_gate, swarm_gate, visibility};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::mke::{grants, Grant};
use crate::policy::{Policy, Target};

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000140", vuln: "V-260912" },
    needs: &[Key::DockerNodes, Key::MkeGrants, Key::MkeIdentity, Key::KubeClusterRoleBindings],
    params: &["orchestrator", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// A collection as the UI shows it: its path when given, else the built-in collections' paths.
fn collection(g: &Grant) -> String {
    if let Some(p) = &g.path {
        return p.clone();
    }
    match g.object.as_str() {
        "swarm" => "/".into(),
        "shared" => "/Shared".into(),
        "system" => "/System".into(),
        "private" => "/Shared/Private".into(),
        other => other.into(),
    }
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![swarm(cl), kubernetes(cl, policy)]
}

fn swarm(cl: &Cluster) -> Part {
    let label = "Swarm";
    if let Some(gate) = swarm_gate(cl, label) {
        return gate;
    }
    let (list, names) = match cl.facts.mke.grants.as_ref().map_err(String::clone).and_then(grants) {
        Ok(g) => g,
        Err(e) => return Part::missing(label, e),
    };
    let hidden = visibility(cl);
    if !hidden.is_empty() {
        return Part::missing(label, format!("MKE's grants may be partial: {}", hidden.join("; ")));
    }
    let subjects: Vec<Subject> = list
        .iter()
        .map(|g| {
            let (who, kind) = names.get(&g.subject).cloned().unwrap_or_else(|| (g.subject.clone(), "subject not named in the answer".into()));
            let coll = collection(g);
            let facts = vec![fact("subject", format!("{who} ({kind})")), fact("role", &g.role), fact("collection", &coll)];
            let outcome = Outcome::Unknown("compare the subject, role and collection with the SSP".into());
            Subject { kind: SubjectKind::Grant, name: format!("{who}: {} on {coll}", g.role), id: format!("{}/{}/{}", g.subject, g.object, g.role), outcome, facts }
        })
        .collect();
    let reason = format!("{} MKE grants (subject, role, collection) listed: compare them with the SSP (no site parameter holds the SSP's grants yet)", subjects.len());
    Part::decided(label, Status::NotReviewed, reason, subjects)
}

/// A Kubernetes system subject (`Group:system:masters`, `User:system:kube-scheduler`).
fn system_subject(s: &str) -> bool {
    s.split_once(':').is_some_and(|(_, name)| name.starts_with("system:"))
}

fn kubernetes(cl: &Cluster, policy: &Policy) -> Part {
    let label = "Kubernetes";
    if let Some(gate) = kube_gate(cl, label) {
        return gate;
    }
    let bindings = match &cl.facts.kube.cluster_bindings {
        Ok(b) => b,
        Err(e) => return Part::missing(label, e),
    };
    let no_labels = BTreeMap::new();
    let mut subjects = Vec::new();
    for b in bindings.iter().filter(|b| b.role == "cluster-admin" && b.subjects.iter().any(|s| !system_subject(s))) {
        let target = Target { name: &b.name, image: "", node: "", labels: &no_labels, system: false };
        let outcome = match policy.exception(RULE.id.vuln, &target) {
            Some((by, e)) => Outcome::Excepted { by, justification: e.justification.clone() },
            None => Outcome::Fail,
        };
        let facts = vec![fact("roleRef", &b.role), fact("subjects", b.subjects.join(", "))];
        subjects.push(Subject { kind: SubjectKind::Grant, name: b.name.clone(), id: b.name.clone(), outcome, facts });
    }
    let failed = subjects.iter().filter(|s| s.outcome == Outcome::Fail).count();
    let excepted = subjects.len() - failed;
    let tail = if excepted > 0 { format!("; {excepted} excepted by the site policy") } else { String::new() };
    let (status, reason) = if failed > 0 {
        (Status::Fail, format!("{failed} of {} ClusterRoleBindings bind cluster-admin to non-system subjects without an SSP exception{tail}", bindings.len()))
    } else {
        let n = bindings.len();
        (Status::NotReviewed, format!("none of {n} ClusterRoleBindings binds cluster-admin to a non-system subject without an SSP exception{tail}; compare the bindings with the SSP (RoleBindings are not read)"))
    };
    Part::decided(label, status, reason, subjects)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::kubernetes::Binding;
    use crate::facts::Facts;
    use crate::policy::Policy;

    fn alice(f: &mut Facts) {
        f.kube.cluster_bindings.as_mut().unwrap().push(Binding { name: "alice-admin".into(), role: "cluster-admin".into(), subjects: vec!["User:alice".into()] });
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: grants and bindings listed for comparison with the SSP.
            case("grants and bindings listed", Status::NotReviewed, |_| {}),
            case("cluster-admin bound to a user", Status::Fail, alice).failing(&["alice-admin"]),
            case_with("cluster-admin bound to a user, excepted", Status::NotReviewed, excepting("V-260912", "alice-admin"), alice),
            case("cluster-admin bound to system:masters and a view binding to a user", Status::NotReviewed, |f| {
                f.kube.cluster_bindings.as_mut().unwrap().push(Binding { name: "dev-view".into(), role: "view".into(), subjects: vec!["User:bob".into()] });
            }),
            // One orchestrator (from the site policy, so /nodes is not read): the other half is
            // not applicable and its evidence not needed.
            case_with("swarm only, bindings unread", Status::NotReviewed, policy("orchestrator: swarm\n"), |f| f.kube.cluster_bindings = Err(Key::KubeClusterRoleBindings.not_collected()))
                .independent_of(&[Key::KubeClusterRoleBindings, Key::DockerNodes]),
            case_with("kubernetes only, grants unread", Status::NotReviewed, policy("orchestrator: kubernetes\n"), |f| f.mke.grants = Err(Key::MkeGrants.not_collected()))
                .independent_of(&[Key::MkeGrants, Key::MkeIdentity, Key::DockerNodes]),
            case("grants of an unexpected shape", Status::NotReviewed, |f| f.mke.grants = Ok(json!({"grants": "none"}))).missing(),
            case("grants unread", Status::NotReviewed, |f| f.mke.grants = Err(Key::MkeGrants.not_collected())).missing(),
            case("grants unread, cluster-admin bound to a user", Status::Fail, |f| {
                f.mke.grants = Err(Key::MkeGrants.not_collected());
                alice(f);
            })
            .failing(&["alice-admin"]),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            case("bindings unread", Status::NotReviewed, |f| f.kube.cluster_bindings = Err(Key::KubeClusterRoleBindings.not_collected())).missing(),
            case("kubernetes API unreachable", Status::NotReviewed, |f| f.kube.reached = Err("connection refused".into())).missing(),
            nothing(),
        ]
    }

    #[test]
    fn grants_are_listed_with_subject_names_roles_and_collections() {
        let cl = with(|f| {
            let v = f.mke.grants.as_mut().unwrap();
            v["grants"].as_array_mut().unwrap().push(json!({"subjectID": "77aa", "objectID": "shared", "roleID": "viewonly"}));
        });
        let r = super::RULE.assess(&cl, &Policy::default(), "V-260912");
        let names: Vec<&str> = r.subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["platform-admins: fullcontrol on /", "77aa: viewonly on /Shared"], "{}", r.reason);
        assert!(r.reason.starts_with("Swarm: 2 MKE grants"), "{}", r.reason);
    }
}
