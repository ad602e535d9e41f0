//! V-260943 (CNTR-MK-001490): MSR scans images for vulnerabilities: "Enable Scanning" on
//! (`scanningEnabled` in `GET /api/v0/meta/settings`) and the vulnerability database synced or
//! uploaded (`GET /api/v0/imagescan/status`: `lastDBUpdateFailed` and
//! `lastVulnOverridesDBUpdateFailed` false; a `lastDBUpdateTime` that is present but empty or
//! zero means the database was never updated, which fails too).
//!
//! Not applicable when MSR is not in use (`common::msr_gate`). A flag absent from an answer, or
//! not true or false, is not assessed (the old code read absent flags as failing); a failure
//! found in one answer stays a failure when the other is missing.

use super::common::{flag, msr_gate};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001490", vuln: "V-260943" },
    // MKE's configuration: its [[registries]] say whether an MSR is in use when none was collected.
    needs: &[Key::MsrSettings, Key::MsrScanStatus, Key::MkeConfig],
    params: &["msr_in_use"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = msr_gate(cl, policy) {
        return vec![gate];
    }
    let (mut facts, mut wrong, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    match cl.facts.msr.settings.as_ref().map_err(String::clone).and_then(|s| flag(s, Key::MsrSettings, "scanningEnabled")) {
        Err(e) => unknown.push(e),
        Ok(on) => {
            facts.push(fact("scanningEnabled", on));
            if !on {
                wrong.push("image scanning is off (scanningEnabled = false)".to_string());
            }
        }
    }
    match &cl.facts.msr.scan_status {
        Err(e) => unknown.push(e.clone()),
        Ok(st) => {
            for k in ["lastDBUpdateFailed", "lastVulnOverridesDBUpdateFailed"] {
                match flag(st, Key::MsrScanStatus, k) {
                    Err(e) => unknown.push(e),
                    Ok(failed) => {
                        facts.push(fact(k, failed));
                        if failed {
                            wrong.push(format!("the last vulnerability database update failed ({k} = true)"));
                        }
                    }
                }
            }
            if let Some(t) = st.get("lastDBUpdateTime") {
                let t = t.as_str().unwrap_or("");
                facts.push(fact("lastDBUpdateTime", t));
                if t.is_empty() || t.starts_with("0001-01-01") {
                    wrong.push("the vulnerability database was never synced or uploaded".into());
                }
            }
        }
    }
    let subject = |ok: bool, facts| {
        let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
        Subject { kind: SubjectKind::Setting, name: "MSR settings".into(), id: Key::MsrSettings.endpoint().into(), outcome, facts }
    };
    if !wrong.is_empty() {
        let part = Part::decided("", Status::Fail, wrong.join("; "), vec![subject(false, facts)]);
        return vec![if unknown.is_empty() { part } else { part.note(format!("also not assessed: {}", unknown.join("; "))) }];
    }
    if !unknown.is_empty() {
        return vec![Part::missing("", unknown.join("; "))];
    }
    vec![Part::decided("", Status::Pass, "image scanning is on and the vulnerability database is up to date", vec![subject(true, facts)])]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        // MSR collected: MKE's [[registries]] are not read.
        let msr = &[Key::MkeConfig];
        vec![
            case("scanning on, database current", Status::Pass, |_| {}).independent_of(msr),
            case("scanning on, database updated", Status::Pass, |f| f.msr.scan_status.as_mut().unwrap()["lastDBUpdateTime"] = json!("2026-11-20T03:00:00Z")).independent_of(msr),
            case("scanning off", Status::Fail, |f| f.msr.settings.as_mut().unwrap()["scanningEnabled"] = json!(false)).failing(&["MSR settings"]),
            case("database update failed", Status::Fail, |f| f.msr.scan_status.as_mut().unwrap()["lastDBUpdateFailed"] = json!(true)).failing(&["MSR settings"]),
            case("database never updated", Status::Fail, |f| f.msr.scan_status.as_mut().unwrap()["lastDBUpdateTime"] = json!("0001-01-01T00:00:00Z")).failing(&["MSR settings"]),
            case("scanning off, status unread", Status::Fail, |f| {
                f.msr.settings.as_mut().unwrap()["scanningEnabled"] = json!(false);
                f.msr.scan_status = Err(Key::MsrScanStatus.not_collected());
            })
            .failing(&["MSR settings"]),
            case("status unread", Status::NotReviewed, |f| f.msr.scan_status = Err(Key::MsrScanStatus.not_collected())).missing(),
            case("a status flag absent", Status::NotReviewed, |f| {
                f.msr.scan_status.as_mut().unwrap().as_object_mut().unwrap().remove("lastVulnOverridesDBUpdateFailed");
            })
            .missing(),
            case("settings unread", Status::NotReviewed, |f| f.msr.settings = Err(Key::MsrSettings.not_collected())).missing(),
            case_with("MSR not in use (site policy)", Status::NotApplicable, policy("msr_in_use: false\n"), |f| f.msr = crate::facts::mke::MsrFacts::none())
                .independent_of(super::RULE.needs),
            nothing(),
        ]
    }
}
