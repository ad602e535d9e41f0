//! V-260917 (CNTR-MK-000490): neither administrators nor users may schedule containers on all
//! nodes (Admin Settings >> Orchestration >> Container Scheduling). One cluster setting ("on
//! each node" in the check text changes nothing); no orchestrator split, no N/A. Two halves:
//!
//! - Administrators ("Allow administrators to deploy containers on MKE managers or nodes
//!   running MSR"): config-toml `scheduling_configuration.enable_admin_ucp_scheduling` must be
//!   false. An ABSENT key is not assessed, not MKE's "default": UCP's own default was true and
//!   MKE's config-toml export always writes the key, so its absence means the answer is not
//!   what MKE exports (the old code read absent as false and could pass).
//! - Users ("Allow users to schedule on all nodes, including MKE managers and MSR nodes"): since
//!   UCP 3 this toggle is a grant of the Scheduler role (`roleID` "scheduler") on the `/`
//!   collection (`objectID` "swarm") to the `docker-datacenter` organization (DISA's Docker EE
//!   STIG V-235795). Grants name subjects by account id, so docker-datacenter's id is taken from
//!   the answer's `subjects[]` (`account.name`); the literal name is accepted too, and a
//!   `collectionPath`/`objectPath` of "/" counts as the root collection. A Scheduler grant on `/`
//!   whose subject the answer does not resolve, while docker-datacenter's id is unknown, is not
//!   assessed. The legacy UCP 3.0 key `scheduling_configuration.enable_user_ucp_scheduling`,
//!   when present and true, fails too. The grants list read by a non-admin may be partial:
//!   not assessed. (The old code matched the org by name in `subjectID` and so never
//!   recognised a real grant.)

use super::common::{config, config_verdict, setting, visibility};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::mke::grants;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000490", vuln: "V-260917" },
    needs: &[Key::MkeConfig, Key::MkeGrants, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const ADMIN: &str = "scheduling_configuration.enable_admin_ucp_scheduling";
const LEGACY_USER: &str = "scheduling_configuration.enable_user_ucp_scheduling";
const ORG: &str = "docker-datacenter";

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    vec![admins(cl), users(cl)]
}

fn admins(cl: &Cluster) -> Part {
    let label = "Administrators";
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let mut part = match cfg.boolean(ADMIN, true) {
        Err(e) => Part::missing(label, e),
        Ok(s) if s.default => Part::missing(label, format!("{ADMIN} is absent from config-toml (MKE's export always writes it, and UCP defaulted it to true)")),
        Ok(s) => config_verdict(
            !s.value,
            "administrators may not deploy containers on MKE managers or MSR nodes",
            format!("administrators may deploy containers on MKE managers and MSR nodes ({ADMIN} = true)"),
            vec![fact(ADMIN, s.value)],
        ),
    };
    part.label = label.into();
    part
}

fn users(cl: &Cluster) -> Part {
    let label = "Users";
    let mut subjects = Vec::new();
    let mut unknown = Vec::new();
    // UCP 3.0's key; MKE 3 has no such key, so its absence (or an unread config) says nothing.
    if let Ok(cfg) = config(cl, label) {
        match cfg.boolean(LEGACY_USER, false) {
            Ok(s) if s.value => subjects.push(setting(false, vec![fact(LEGACY_USER, true)])),
            Ok(_) => {}
            Err(e) => unknown.push(e),
        }
    }
    match cl.facts.mke.grants.as_ref().map_err(String::clone).and_then(grants) {
        Err(e) => unknown.push(format!("MKE's grants, where MKE keeps \"allow users to schedule on all nodes\", are unknown: {e}")),
        Ok((list, names)) => {
            unknown.extend(visibility(cl));
            let org_ids: Vec<&String> = names.iter().filter(|(_, (n, _))| n.as_str() == ORG).map(|(id, _)| id).collect();
            for g in list.iter().filter(|g| g.role.eq_ignore_ascii_case("scheduler") && (g.object == "swarm" || g.path.as_deref() == Some("/"))) {
                let name = names.get(&g.subject).map(|(n, _)| n);
                if g.subject == ORG || org_ids.contains(&&g.subject) || name.map(String::as_str) == Some(ORG) {
                    let facts = vec![fact("subjectID", &g.subject), fact("objectID", &g.object), fact("roleID", &g.role)];
                    subjects.push(Subject { kind: SubjectKind::Grant, name: ORG.into(), id: format!("{}/{}/{}", g.subject, g.object, g.role), outcome: Outcome::Fail, facts });
                } else if name.is_none() && org_ids.is_empty() {
                    unknown.push(format!("a Scheduler grant on / to subject {}, which the answer does not name (it may be {ORG})", g.subject));
                }
            }
        }
    }
    if !subjects.is_empty() {
        let mut why: Vec<String> =
            subjects.iter().map(|s| if s.kind == SubjectKind::Grant { format!("a Scheduler grant on / to {ORG}") } else { format!("{LEGACY_USER} = true") }).collect();
        why.dedup();
        let part = Part::decided(label, Status::Fail, format!("users may schedule on all nodes ({})", why.join("; ")), subjects);
        return if unknown.is_empty() { part } else { part.note(format!("also not assessed: {}", unknown.join("; "))) };
    }
    if !unknown.is_empty() {
        return Part::missing(label, unknown.join("; "));
    }
    Part::decided(label, Status::Pass, format!("no Scheduler grant on / to {ORG}: users may not schedule on all nodes"), vec![])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;


    /// The compliant grants plus one more grant and its subject.
    fn grant(f: &mut Facts, g: serde_json::Value, subject: Option<serde_json::Value>) {
        let v = f.mke.grants.as_mut().unwrap();
        v["grants"].as_array_mut().unwrap().push(g);
        if let Some(s) = subject {
            v["subjects"].as_array_mut().unwrap().push(s);
        }
    }

    fn dd() -> serde_json::Value {
        json!({"id": "9f1c-dd", "subject_type": "org", "account": {"name": "docker-datacenter", "id": "9f1c-dd", "isOrg": true}})
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("admin scheduling off, no Scheduler grant on /", Status::Pass, |_| {}),
            case("admin scheduling on", Status::Fail, |f| set(cfg(f), super::ADMIN, toml::Value::Boolean(true))).failing(&["config-toml"]),
            case("admin scheduling key absent", Status::NotReviewed, |f| unset(cfg(f), super::ADMIN)).missing(),
            case("admin scheduling key of the wrong type", Status::NotReviewed, |f| set(cfg(f), super::ADMIN, toml::Value::String("false".into()))).missing(),
            case("legacy user scheduling key on", Status::Fail, |f| set(cfg(f), super::LEGACY_USER, toml::Value::Boolean(true))).failing(&["config-toml"]),
            case("Scheduler on / to docker-datacenter, named by id", Status::Fail, |f| {
                grant(f, json!({"subjectID": "9f1c-dd", "objectID": "swarm", "roleID": "scheduler"}), Some(dd()))
            })
            .failing(&["docker-datacenter"]),
            case("Scheduler on / to docker-datacenter, named literally", Status::Fail, |f| {
                grant(f, json!({"subjectID": "docker-datacenter", "objectID": "swarm", "roleID": "scheduler"}), None)
            })
            .failing(&["docker-datacenter"]),
            case("Scheduler on /Shared to docker-datacenter", Status::Pass, |f| {
                grant(f, json!({"subjectID": "9f1c-dd", "objectID": "shared", "roleID": "scheduler"}), Some(dd()))
            }),
            case("Scheduler on / to another team", Status::Pass, |f| {
                grant(f, json!({"subjectID": "a1b2", "objectID": "swarm", "roleID": "scheduler"}), None)
            }),
            case("Scheduler on / to an unnamed subject", Status::NotReviewed, |f| {
                grant(f, json!({"subjectID": "77aa-unknown", "objectID": "swarm", "roleID": "scheduler"}), None)
            })
            .missing(),
            // docker-datacenter's id is known, so an unnamed subject is not it.
            case("Scheduler on / to an unnamed subject, docker-datacenter known", Status::Pass, |f| {
                grant(f, json!({"subjectID": "77aa-unknown", "objectID": "swarm", "roleID": "scheduler"}), None);
                f.mke.grants.as_mut().unwrap()["subjects"].as_array_mut().unwrap().push(dd());
            }),
            case("grants of an unexpected shape", Status::NotReviewed, |f| f.mke.grants = Ok(json!([{"subjectID": "x"}]))).missing(),
            case("a grant without roleID", Status::NotReviewed, |f| grant(f, json!({"subjectID": "x", "objectID": "swarm"}), None)).missing(),
            case("grants unread", Status::NotReviewed, |f| f.mke.grants = Err(Key::MkeGrants.not_collected())).missing(),
            case("grants unread, admin scheduling on", Status::Fail, |f| {
                f.mke.grants = Err(Key::MkeGrants.not_collected());
                set(cfg(f), super::ADMIN, toml::Value::Boolean(true));
            })
            .failing(&["config-toml"]),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
