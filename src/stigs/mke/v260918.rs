//! V-260918 (CNTR-MK-000500): MKE telemetry is off: "Enable hourly usage reporting" and "Enable
//! API and UI tracking" unchecked (Admin Settings >> Usage), i.e. config-toml
//! `tracking_configuration.disable_usageinfo` and `.disable_tracking` both true. Absent keys
//! take MKE's documented defaults (false, false: check map 0.4), so an untouched install fails;
//! a value of the wrong type is not assessed. One cluster setting: no orchestrator split, no N/A.

use super::common::{config, settings, KeyCheck};
use super::Cluster;
use crate::assess::{fact, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000500", vuln: "V-260918" },
    needs: &[Key::MkeConfig],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let cfg = match config(cl, "") {
        Ok(c) => c,
        Err(missing) => return vec![missing],
    };
    let disabled = |path: &str, what: &str| -> KeyCheck {
        let s = cfg.boolean(path, false)?;
        Ok((fact(path, s.shown()), (!s.value).then(|| format!("{what} is on ({path} is {})", s.shown()))))
    };
    vec![settings(
        vec![disabled("tracking_configuration.disable_usageinfo", "hourly usage reporting"), disabled("tracking_configuration.disable_tracking", "API and UI tracking")],
        "hourly usage reporting and API and UI tracking are off",
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;


    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("both disabled", Status::Pass, |_| {}),
            case("usage reporting on", Status::Fail, |f| set(cfg(f), "tracking_configuration.disable_usageinfo", toml::Value::Boolean(false))).failing(&["config-toml"]),
            case("tracking on", Status::Fail, |f| set(cfg(f), "tracking_configuration.disable_tracking", toml::Value::Boolean(false))).failing(&["config-toml"]),
            // MKE's defaults (false) apply to absent keys: telemetry on.
            case("keys absent", Status::Fail, |f| unset(cfg(f), "tracking_configuration.disable_tracking")).failing(&["config-toml"]),
            case("a value of the wrong type", Status::NotReviewed, |f| set(cfg(f), "tracking_configuration.disable_usageinfo", toml::Value::String("true".into()))).missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
