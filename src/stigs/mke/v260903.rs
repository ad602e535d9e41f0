//! V-260903 (CNTR-MK-000940): MKE's login session controls: "Lifetime Minutes" is 10 and
//! "Renewal Threshold Minutes" is 0 (Admin Settings >> Authentication & Authorization), read
//! from config-toml `auth.sessions.lifetime_minutes` and `.renewal_threshold_minutes`. Absent
//! keys take MKE's documented defaults (60 and 20: check map 0.4), so an untouched install
//! fails; a value of the wrong type is not what MKE reads either: not assessed. One cluster
//! setting: no orchestrator split, no N/A.

use super::common::{config, config_verdict};
use super::Cluster;
use crate::assess::{fact, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000940", vuln: "V-260903" },
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
    const LIFETIME: &str = "auth.sessions.lifetime_minutes";
    const RENEWAL: &str = "auth.sessions.renewal_threshold_minutes";
    // (key, what, MKE's default, required)
    let keys = [(LIFETIME, "session lifetime", 60, 10), (RENEWAL, "renewal threshold", 20, 0)];
    let (mut facts, mut shown, mut unknown, mut ok) = (Vec::new(), Vec::new(), Vec::new(), true);
    for (key, what, default, want) in keys {
        match cfg.int(key, default) {
            Ok(s) => {
                ok &= s.value == want;
                facts.push(fact(key, s.shown()));
                shown.push(format!("{what} {} min", s.value));
            }
            Err(e) => {
                shown.push(format!("{what} unknown"));
                unknown.push(e);
            }
        }
    }
    let reason = format!("{} (required: 10 and 0)", shown.join(", "));
    if !ok {
        let part = config_verdict(false, "", reason, facts);
        return vec![if unknown.is_empty() { part } else { part.note(format!("also not assessed: {}", unknown.join("; "))) }];
    }
    if !unknown.is_empty() {
        return vec![Part::missing("", unknown.join("; "))];
    }
    vec![config_verdict(true, reason, "", facts)]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;


    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("lifetime 10, renewal 0", Status::Pass, |_| {}),
            case("lifetime 60", Status::Fail, |f| set(cfg(f), "auth.sessions.lifetime_minutes", toml::Value::Integer(60))).failing(&["config-toml"]),
            case("renewal threshold 5", Status::Fail, |f| set(cfg(f), "auth.sessions.renewal_threshold_minutes", toml::Value::Integer(5))).failing(&["config-toml"]),
            // MKE's defaults (60 and 20) apply to absent keys.
            case("both keys absent", Status::Fail, |f| {
                unset(cfg(f), "auth.sessions.lifetime_minutes");
                unset(cfg(f), "auth.sessions.renewal_threshold_minutes");
            })
            .failing(&["config-toml"]),
            case("lifetime of the wrong type", Status::NotReviewed, |f| set(cfg(f), "auth.sessions.lifetime_minutes", toml::Value::String("10".into()))).missing(),
            case("lifetime of the wrong type, renewal wrong", Status::Fail, |f| {
                set(cfg(f), "auth.sessions.lifetime_minutes", toml::Value::String("10".into()));
                set(cfg(f), "auth.sessions.renewal_threshold_minutes", toml::Value::Integer(20));
            })
            .failing(&["config-toml"]),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
