//! V-260914 (CNTR-MK-000180): MKE's audit log level is "Request" and its global log ("DEBUG
//! LEVEL") is not "ERROR" (Admin Settings >> Logs & Audit Logs), read from config-toml
//! `audit_log_configuration.level` and `log_configuration.level`, both compared without case.
//! Absent keys take MKE's documented defaults (audit `""`, i.e. off; log `INFO`: check map
//! 0.4); a value of the wrong type is not assessed. Only ERROR fails the log level, as the STIG
//! says (the fix recommends INFO or DEBUG). One cluster setting: no orchestrator split, no N/A.

use super::common::{config, settings};
use super::Cluster;
use crate::assess::{fact, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::facts::mke::Setting;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000220", vuln: "V-260914" },
    needs: &[Key::MkeConfig],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// A string setting quoted, so an empty value shows.
fn quoted(s: &Setting<String>) -> String {
    format!("{:?}{}", s.value, if s.default { " (absent: MKE default)" } else { "" })
}

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let cfg = match config(cl, "") {
        Ok(c) => c,
        Err(missing) => return vec![missing],
    };
    const AUDIT: &str = "audit_log_configuration.level";
    const LOG: &str = "log_configuration.level";
    let audit = cfg.string(AUDIT, "").map(|s| {
        let bad = (!s.value.eq_ignore_ascii_case("request")).then(|| format!("{AUDIT} is {}, not request", quoted(&s)));
        (fact(AUDIT, quoted(&s)), bad)
    });
    let log = cfg.string(LOG, "INFO").map(|s| {
        let bad = s.value.eq_ignore_ascii_case("error").then(|| format!("{LOG} is {} (the STIG forbids ERROR)", quoted(&s)));
        (fact(LOG, quoted(&s)), bad)
    });
    vec![settings(vec![audit, log], "the audit log level is request and the log level is not ERROR")]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;


    fn s(v: &str) -> toml::Value {
        toml::Value::String(v.into())
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("audit request, log INFO", Status::Pass, |_| {}),
            case("audit REQUEST, log debug (case does not matter)", Status::Pass, |f| {
                set(cfg(f), "audit_log_configuration.level", s("REQUEST"));
                set(cfg(f), "log_configuration.level", s("debug"));
            }),
            case("audit metadata", Status::Fail, |f| set(cfg(f), "audit_log_configuration.level", s("metadata"))).failing(&["config-toml"]),
            case("log level ERROR", Status::Fail, |f| set(cfg(f), "log_configuration.level", s("ERROR"))).failing(&["config-toml"]),
            // MKE's default audit level is "" (off).
            case("audit level absent", Status::Fail, |f| unset(cfg(f), "audit_log_configuration.level")).failing(&["config-toml"]),
            // MKE's default log level is INFO.
            case("log level absent", Status::Pass, |f| unset(cfg(f), "log_configuration.level")),
            case("audit level of the wrong type", Status::NotReviewed, |f| set(cfg(f), "audit_log_configuration.level", toml::Value::Integer(2))).missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
