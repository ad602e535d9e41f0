//! A STIG rule as the unit of the engine: one table entry per rule, in one file with its
//! tests. Metadata (title, severity, CCIs, check text) is never here: it comes from the STIG
//! content the run uses, found by the rule's STIG id.

use super::verdict::{combine, Part};
use super::RuleResult;
use crate::evidence::keys::Key;
use crate::policy::Policy;

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
