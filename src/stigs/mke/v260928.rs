//! V-260928 (CNTR-MK-000620): MSR does not create repositories on push: "Create repository on
//! push" (System >> General >> Repositories) off, i.e. `createRepositoryOnPush` false in `GET
//! /api/v0/meta/settings`.
//!
//! Not applicable when MSR is not in use (`common::msr_gate`). The settings answer always carries
//! the flag, so an answer without it, or with a value that is not true or false, is not assessed
//! (the old code read an absent flag as on and failed).

use super::common::msr_switch_off;
use super::Cluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000620", vuln: "V-260928" },
    // MKE's configuration: its [[registries]] say whether an MSR is in use when none was collected.
    needs: &[Key::MsrSettings, Key::MkeConfig],
    params: &["msr_in_use"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    msr_switch_off(cl, policy, "createRepositoryOnPush", "MSR does not create repositories on push", "MSR creates repositories on push")
}

#[cfg(test)]
mod tests {
    use super::super::testing::msr_switch_cases;
    use crate::assess::rule::Case;

    pub fn cases() -> Vec<Case<super::Cluster>> {
        msr_switch_cases("createRepositoryOnPush", super::RULE.needs)
    }
}
