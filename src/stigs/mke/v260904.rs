//! V-260904 (CNTR-MK-000430): MSR's organizations, user membership and repository assignments
//! are as the SSP sets them. The STIG leaves the comparison to a person (no policy key holds the
//! SSP's MSR model yet), so the rule is manual: MSR's accounts (`GET /enzi/v0/accounts`) are the
//! evidence, organizations and users named; teams, membership and repository access are not
//! read. Not applicable when MSR is not in use (`common::msr_gate`); accounts unread or of an
//! unexpected shape are not assessed.

use serde_json::Value;

use super::common::msr_gate;
use super::Cluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000430", vuln: "V-260904" },
    // MKE's configuration: its [[registries]] say whether an MSR is in use when none was collected.
    needs: &[Key::MsrAccounts, Key::MkeConfig],
    params: &["msr_in_use"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// Up to 20 names, then how many more.
fn some(names: &[&str]) -> String {
    let mut s = names.iter().take(20).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 20 {
        s.push_str(&format!(" and {} more", names.len() - 20));
    }
    if s.is_empty() { "none".into() } else { s }
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = msr_gate(cl, policy) {
        return vec![gate];
    }
    let accounts = match &cl.facts.msr.accounts {
        Ok(a) => a,
        Err(e) => return vec![Part::missing("", e)],
    };
    let (mut orgs, mut users) = (Vec::new(), Vec::new());
    for a in accounts {
        match (a.get("name").and_then(Value::as_str), a.get("isOrg").and_then(Value::as_bool)) {
            (Some(n), Some(true)) => orgs.push(n),
            (Some(n), Some(false)) => users.push(n),
            _ => return vec![Part::missing("", format!("{}: unexpected shape: an account without name or isOrg", Key::MsrAccounts.endpoint()))],
        }
    }
    vec![Part::manual(
        "",
        format!(
            "compare MSR's organizations, their users and the users' repositories with the SSP (manual): {} organizations ({}), {} users ({}); teams and repository access are not read",
            orgs.len(),
            some(&orgs),
            users.len(),
            some(&users)
        ),
    )]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: the accounts listed for the comparison. MSR collected:
            // MKE's [[registries]] are not read.
            case("accounts listed", Status::NotReviewed, |_| {}).independent_of(&[Key::MkeConfig]),
            case("an account of an unexpected shape", Status::NotReviewed, |f| f.msr.accounts.as_mut().unwrap().push(json!({"name": "x"}))).missing(),
            case("accounts unread", Status::NotReviewed, |f| f.msr.accounts = Err(Key::MsrAccounts.not_collected())).missing(),
            case_with("MSR not in use (site policy)", Status::NotApplicable, policy("msr_in_use: false\n"), |f| f.msr = crate::facts::mke::MsrFacts::none())
                .independent_of(super::RULE.needs),
            nothing(),
        ]
    }
}
