//! The MSR rules of the MKE STIG (V-260904, 916, 919, 928, 943) and the MKE certificate chain
//! rule (V-260927), from MSR's API answers and the TLS chain checks against P-TRUST.

use serde_json::Value;

use super::{not_assessed, result, RuleResult, Status, Subject, SubjectKind};
use crate::evidence::Snapshot;
use crate::probe::msr::SOURCE;

fn setting(rule: &str, ok: bool, facts: Vec<(String, String)>, pass: String, fail: String, ev: &[&str]) -> RuleResult {
    let mut r = if ok { result(rule, Status::Pass, pass, ev) } else { result(rule, Status::Fail, fail, ev) };
    r.subjects.push(Subject { kind: SubjectKind::Setting, name: "MSR settings".into(), id: ev[0].into(), ok, facts, note: None });
    r.passed_total = ok as usize;
    r
}

fn flag(v: &Value, k: &str) -> Option<bool> {
    v.get(k).and_then(Value::as_bool)
}

/// The TLS chain check recorded for `url` under `source`: validates, or why it was not run.
pub fn chain_rule(rule: &str, snap: &Snapshot, source: &str, what: &str) -> RuleResult {
    let ev = format!("TLS chain of {what}");
    let Some(r) = snap.records.iter().find(|r| r.source == source && r.endpoint.starts_with("TLS ")) else {
        return result(rule, Status::NotReviewed, "needs site parameter P-TRUST (policy key `trusted_ca_bundle`): the trusted DoD CA bundle to validate the certificate chain against".into(), &[&ev]);
    };
    if let Some(e) = &r.error {
        return not_assessed(rule, &format!("{}: {e}", r.endpoint), &[&ev]);
    }
    let body = snap.body(source, &r.endpoint).unwrap_or(Value::Null);
    let ok = flag(&body, "validates") == Some(true);
    let url = r.endpoint.trim_start_matches("TLS ");
    let mut res = if ok {
        result(rule, Status::Pass, format!("{what} at {url} presents a chain that validates to the trusted CA bundle"), &[&ev])
    } else {
        result(rule, Status::Fail, format!("{what} at {url} does not validate to the trusted CA bundle: {}", body.get("error").and_then(Value::as_str).unwrap_or("")), &[&ev])
    };
    res.subjects.push(Subject { kind: SubjectKind::Setting, name: format!("{what} certificate"), id: url.into(), ok, facts: vec![("validates".into(), ok.to_string())], note: None });
    res.passed_total = ok as usize;
    res
}

/// MSR rules when MSR was collected.
pub fn rules(snap: &Snapshot) -> Vec<RuleResult> {
    const SETTINGS: &str = "GET /api/v0/meta/settings";
    const STATUS: &str = "GET /api/v0/imagescan/status";
    const ACCOUNTS: &str = "GET /enzi/v0/accounts?limit=500";
    let settings = snap.body(SOURCE, SETTINGS);
    let mut out = Vec::new();
    out.push(match &snap.body(SOURCE, ACCOUNTS) {
        Err(e) => not_assessed("V-260904", e, &[ACCOUNTS]),
        Ok(a) => {
            let list = a.get("accounts").and_then(Value::as_array).cloned().unwrap_or_default();
            let orgs = list.iter().filter(|x| flag(x, "isOrg") == Some(true)).count();
            result("V-260904", Status::NotReviewed, format!("{orgs} organizations and {} users in MSR: compare organizations, membership and repository access with the SSP (evidence: msr/accounts.json)", list.len() - orgs), &[ACCOUNTS])
        }
    });
    out.push(chain_rule("V-260916", snap, SOURCE, "MSR"));
    match &settings {
        Err(e) => {
            for r in ["V-260919", "V-260928"] {
                out.push(not_assessed(r, e, &[SETTINGS]));
            }
        }
        Ok(s) => {
            let analytics = flag(s, "reportAnalytics").unwrap_or(true);
            out.push(setting("V-260919", !analytics, vec![("reportAnalytics".into(), analytics.to_string())], "MSR does not send analytics".into(), "MSR sends usage analytics (reportAnalytics)".into(), &[SETTINGS]));
            let on_push = flag(s, "createRepositoryOnPush").unwrap_or(true);
            out.push(setting("V-260928", !on_push, vec![("createRepositoryOnPush".into(), on_push.to_string())], "repositories are not created on push".into(), "MSR creates repositories on push (createRepositoryOnPush)".into(), &[SETTINGS]));
        }
    }
    out.push(match (&settings, &snap.body(SOURCE, STATUS)) {
        (Err(e), _) | (_, Err(e)) => not_assessed("V-260943", e, &[SETTINGS, STATUS]),
        (Ok(s), Ok(st)) => {
            let scanning = flag(s, "scanningEnabled").unwrap_or(false);
            let db_failed = flag(st, "lastDBUpdateFailed").unwrap_or(true);
            let ov_failed = flag(st, "lastVulnOverridesDBUpdateFailed").unwrap_or(true);
            let ok = scanning && !db_failed && !ov_failed;
            setting(
                "V-260943",
                ok,
                vec![("scanningEnabled".into(), scanning.to_string()), ("lastDBUpdateFailed".into(), db_failed.to_string()), ("lastVulnOverridesDBUpdateFailed".into(), ov_failed.to_string())],
                "image scanning is on and the vulnerability database is current".into(),
                "image scanning is off or the vulnerability database update failed".into(),
                &[SETTINGS, STATUS],
            )
        }
    });
    out
}

pub const MSR_RULES: [&str; 5] = ["V-260904", "V-260916", "V-260919", "V-260928", "V-260943"];
