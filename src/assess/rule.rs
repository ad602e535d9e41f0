//! A STIG rule as the unit of the engine: one table entry per rule, in one file with its
//! tests. Metadata (title, severity, CCIs, check text) is never here: it comes from the STIG
//! content the run uses, found by the rule's STIG id.

use super::verdict::{combine, Part};
use super::{RuleResult, Status};
use crate::evidence::keys::Key;
use crate::policy::Policy;
use crate::stig::RuleIndex;

/// DISA's identifiers of the rule this check implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleId {
    /// STIG id (`CNTR-MK-000150`): stable across releases, so checks bind to content by it.
    pub stig: &'static str,
    /// V- id in the release the check was written against (the id assessors know).
    pub vuln: &'static str,
}

/// One rule of a STIG, deciding from facts of type `F`.
pub struct Rule<F: 'static> {
    pub id: RuleId,
    /// The evidence the rule reads. Each must be able to make the rule "not assessed"; the
    /// drop-each-evidence test holds every rule to that.
    pub needs: &'static [Key],
    /// Site parameters (policy keys) it reads, for `policy` documentation and plans.
    pub params: &'static [&'static str],
    /// The decision: one [`Part`] per half of the rule (Swarm, Kubernetes, configuration); the
    /// worse half wins ([`combine`]).
    pub decide: fn(&F, &Policy) -> Vec<Part>,
    /// Hand-made facts with the verdict each must get: at least a pass (or the best verdict
    /// the rule can reach), a fail and an evidence-missing case.
    #[cfg(test)]
    pub cases: fn() -> Vec<Case<F>>,
}

impl<F> Rule<F> {
    /// Decides the rule; `vuln` is the V- id the STIG content gives it.
    pub fn assess(&self, facts: &F, policy: &Policy, vuln: &str) -> RuleResult {
        combine(vuln, (self.decide)(facts, policy), self.needs.to_vec())
    }
}

/// Decides every rule of the STIG content (`index`) with a STIG's registered checks, bound by
/// STIG id (which survives new releases); a rule with no check here is said plainly.
pub fn decide_all<F>(rules: &[&Rule<F>], facts: &F, policy: &Policy, index: &RuleIndex) -> Vec<RuleResult> {
    index
        .rules()
        .iter()
        .map(|info| match rules.iter().find(|r| r.id.stig == info.stig_id) {
            Some(rule) => rule.assess(facts, policy, &info.vuln_id),
            None => RuleResult {
                rule: info.vuln_id.clone(),
                status: Status::NotReviewed,
                assessed: false,
                reason: format!("not assessed: no automated check for this rule ({}) in oscal-stig {}; review it manually", info.stig_id, env!("CARGO_PKG_VERSION")),
                subjects: vec![],
                passed_total: 0,
                evidence: vec![],
            },
        })
        .collect()
}

/// The registry tests every STIG runs over its rules.
#[cfg(test)]
pub mod registry {
    use super::*;
    use crate::assess::Outcome;
    use crate::facts::Facts;

    /// Each rule's own cases: the verdict, the failing subjects, and that the rule has a fail
    /// case (unless listed in `no_fail`), an evidence-missing case, and a case on complete
    /// evidence that is not a failure (unless listed in `no_decided`). Returns what is wrong.
    pub fn cases_hold<F>(rules: &[&Rule<F>], no_fail: &[&str], no_decided: &[&str]) -> Vec<String> {
        let mut wrong = Vec::new();
        for rule in rules {
            let cases = (rule.cases)();
            let has = |f: &dyn Fn(&Case<F>) -> bool| cases.iter().any(f);
            if !has(&|c| c.expect == Status::Fail) && !no_fail.contains(&rule.id.vuln) {
                wrong.push(format!("{}: no fail case", rule.id.vuln));
            }
            if !has(&|c| !c.assessed) {
                wrong.push(format!("{}: no evidence-missing case", rule.id.vuln));
            }
            if !has(&|c| c.assessed && c.expect != Status::Fail) && !no_decided.contains(&rule.id.vuln) {
                wrong.push(format!("{}: no case on complete evidence that is not a failure", rule.id.vuln));
            }
            for case in &cases {
                let r = rule.assess(&case.facts, &case.policy, rule.id.vuln);
                if (r.status, r.assessed) != (case.expect, case.assessed) {
                    wrong.push(format!("{} {}: got {} (assessed {}), want {} (assessed {}): {}", rule.id.vuln, case.name, r.status, r.assessed, case.expect, case.assessed, r.reason));
                }
                let failing: Vec<&str> = r.subjects.iter().filter(|s| s.outcome == Outcome::Fail).map(|s| s.name.as_str()).collect();
                for want in case.failing {
                    if !failing.contains(want) {
                        wrong.push(format!("{} {}: {want} not among failing subjects {failing:?}", rule.id.vuln, case.name));
                    }
                }
            }
        }
        wrong
    }

    /// Drops each evidence item a rule needs, in turn, from every case that did not fail: the
    /// rule must never reach pass or not applicable without it. `facts` takes a case's facts
    /// apart and `rebuild` makes the STIG's facts again. Returns (drops tried, what is wrong).
    pub fn evidence_drops_hold<F>(rules: &[&Rule<F>], facts: impl Fn(F) -> Facts, rebuild: impl Fn(Facts, &Policy) -> F) -> (usize, Vec<String>) {
        let mut wrong = Vec::new();
        let mut tried = 0;
        for rule in rules {
            let n = (rule.cases)().len();
            for i in 0..n {
                for key in rule.needs {
                    // A fresh copy of the case's facts for each key (facts are not Clone).
                    let case = (rule.cases)().swap_remove(i);
                    if case.expect == Status::Fail || case.independent_of.contains(key) {
                        continue;
                    }
                    let mut f = facts(case.facts);
                    f.drop_key(*key);
                    let r = rule.assess(&rebuild(f, &case.policy), &case.policy, rule.id.vuln);
                    tried += 1;
                    if matches!(r.status, Status::Pass | Status::NotApplicable) {
                        wrong.push(format!("{} {} without {key:?}: {} ({})", rule.id.vuln, case.name, r.status, r.reason));
                    }
                }
            }
        }
        (tried, wrong)
    }
}

/// A per-rule test case: facts, policy, the verdict it must get and the failing subjects it
/// must name.
#[cfg(test)]
pub struct Case<F> {
    pub name: &'static str,
    pub facts: F,
    pub policy: Policy,
    pub expect: super::Status,
    /// False: the verdict must come from missing evidence ("not assessed").
    pub assessed: bool,
    pub failing: &'static [&'static str],
    /// Evidence this case's verdict does not depend on (e.g. containers when the STIG makes
    /// the rule not applicable from a setting), skipped by the drop-each-evidence test.
    pub independent_of: &'static [Key],
}

#[cfg(test)]
impl<F> Case<F> {
    pub fn new(name: &'static str, facts: F, expect: super::Status) -> Case<F> {
        Case { name, facts, policy: Policy::default(), expect, assessed: true, failing: &[], independent_of: &[] }
    }

    pub fn policy(mut self, p: Policy) -> Case<F> {
        self.policy = p;
        self
    }

    pub fn failing(mut self, names: &'static [&'static str]) -> Case<F> {
        self.failing = names;
        self
    }

    /// The verdict must be "not assessed" (missing evidence).
    pub fn missing(mut self) -> Case<F> {
        self.assessed = false;
        self
    }

    pub fn independent_of(mut self, keys: &'static [Key]) -> Case<F> {
        self.independent_of = keys;
        self
    }
}
