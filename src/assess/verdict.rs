//! The one aggregation every rule shares: per-subject checks -> a part's verdict, counts,
//! reason and kept subjects; parts (the halves of a two-part rule) -> the rule's result.
//!
//! Order of precedence, for a part and between parts: a failure found is a failure (even with
//! other evidence missing: the failing subject is real); then missing evidence ("not
//! assessed"); then a manual step or site parameter still owed ("not reviewed"); then pass;
//! not applicable only when every part is.

use super::{Outcome, RuleResult, Status, Subject, PASSING_KEPT};
use crate::evidence::keys::Key;

/// One subject's check.
pub type Check = Subject;

/// How a part describes its population and what it looks for.
pub struct Phrases<'a> {
    /// Plural noun phrase: "running containers", "nodes", "user namespaces".
    pub population: &'a str,
    /// What a failing subject does, after "N of M <population>": "use the host network".
    pub violation: &'a str,
    /// When no subject is concerned: "no node runs RHEL or CentOS" (else "no <population>").
    pub none_concerned: &'a str,
}

/// What an empty population means for a part.
pub enum Empty {
    /// Nothing to check, and the evidence says so (e.g. an engine with no containers).
    Pass,
    NotApplicable(String),
    /// An empty population is itself suspicious (no nodes): not assessed, why.
    Missing(String),
}

/// A decided half of a rule (or the whole of a one-part rule).
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// "Swarm", "Kubernetes", "MKE configuration"; empty for a one-part rule.
    pub label: String,
    pub status: Status,
    pub assessed: bool,
    pub reason: String,
    pub subjects: Vec<Subject>,
    pub passed_total: usize,
}

impl Part {
    pub fn decided(label: &str, status: Status, reason: impl Into<String>, subjects: Vec<Subject>) -> Part {
        let passed_total = subjects.iter().filter(|s| s.ok()).count();
        Part { label: label.into(), status, assessed: true, reason: reason.into(), subjects, passed_total }
    }

    /// Evidence missing: not reviewed, "not assessed: <why>".
    pub fn missing(label: &str, why: impl AsRef<str>) -> Part {
        Part { label: label.into(), status: Status::NotReviewed, assessed: false, reason: format!("not assessed: {}", why.as_ref()), subjects: vec![], passed_total: 0 }
    }

    pub fn not_applicable(label: &str, why: impl Into<String>) -> Part {
        Part::decided(label, Status::NotApplicable, why, vec![])
    }

    /// A part the tool cannot finish: evidence is attached, a person decides.
    pub fn manual(label: &str, why: impl Into<String>) -> Part {
        Part::decided(label, Status::NotReviewed, why, vec![])
    }

    /// A pass that still owes a manual step or a site parameter becomes not reviewed, with
    /// the step said; any other verdict is kept.
    pub fn unless_manual(mut self, step: impl AsRef<str>) -> Part {
        if self.status == Status::Pass {
            self.status = Status::NotReviewed;
            self.reason = format!("{}; {}", self.reason, step.as_ref());
        }
        self
    }

    /// Appends a clause to the reason.
    pub fn note(mut self, clause: impl AsRef<str>) -> Part {
        if !clause.as_ref().is_empty() {
            self.reason = format!("{}; {}", self.reason, clause.as_ref());
        }
        self
    }

    fn rank(&self) -> u8 {
        match (self.status, self.assessed) {
            (Status::Fail, _) => 0,
            (Status::NotReviewed, false) => 1,
            (Status::NotReviewed, true) => 2,
            (Status::Pass, _) => 3,
            (Status::NotApplicable, _) => 4,
        }
    }
}

/// Judges a population: `checks` (one per subject), `incomplete` (what of the population could
/// not be read: each makes the part not assessed unless a failure is found anyway).
pub fn judge(label: &str, p: &Phrases, checks: Vec<Check>, incomplete: &[String], empty: Empty) -> Part {
    judge_counted(label, p, checks, Uncounted::default(), incomplete, empty)
}

/// Subjects judged but not kept as checks, counted only: passing and not-concerned subjects
/// beyond what a result keeps ([`PASSING_KEPT`]), so 50,000 containers are not built into
/// subjects under every rule only to be dropped.
#[derive(Debug, Default, Clone, Copy)]
pub struct Uncounted {
    pub pass: usize,
    pub not_applicable: usize,
}

/// [`judge`], with subjects that were judged but not kept as checks.
pub fn judge_counted(label: &str, p: &Phrases, checks: Vec<Check>, others: Uncounted, incomplete: &[String], empty: Empty) -> Part {
    let total = checks.len() + others.pass + others.not_applicable;
    let (mut fail, mut excepted, mut pass, mut na) = (0usize, 0usize, others.pass, others.not_applicable);
    let mut unknown: Vec<(String, String)> = Vec::new();
    let mut subjects = Vec::new();
    let mut kept_ok = 0usize;
    for c in checks {
        let keep = match &c.outcome {
            Outcome::Fail => {
                fail += 1;
                true
            }
            Outcome::Excepted { .. } => {
                excepted += 1;
                true
            }
            Outcome::Unknown(why) => {
                unknown.push((c.name.clone(), why.clone()));
                true
            }
            Outcome::Pass | Outcome::NotApplicable => {
                if c.outcome == Outcome::Pass {
                    pass += 1
                } else {
                    na += 1
                }
                kept_ok += 1;
                kept_ok <= PASSING_KEPT
            }
        };
        if keep {
            subjects.push(c);
        }
    }
    let mut tail = String::new();
    if excepted > 0 {
        tail.push_str(&format!("; {excepted} excepted by the site policy"));
    }
    let first_unknown = || unknown.first().map(|(n, w)| format!("{} of {total} {} could not be judged (first: {n}: {w})", unknown.len(), p.population)).unwrap_or_default();
    let (status, assessed, reason) = if fail > 0 {
        let mut r = format!("{fail} of {total} {} {}{tail}", p.population, p.violation);
        if !unknown.is_empty() {
            r.push_str(&format!("; {}", first_unknown()));
        }
        if !incomplete.is_empty() {
            r.push_str(&format!("; also not assessed: {}", incomplete.join("; ")));
        }
        (Status::Fail, true, r)
    } else if !incomplete.is_empty() {
        let unjudged = if unknown.is_empty() { String::new() } else { format!("; {}", first_unknown()) };
        (Status::NotReviewed, false, format!("not assessed: {}{unjudged}; of the {total} {} read, none {}", incomplete.join("; "), p.population, p.violation))
    } else if !unknown.is_empty() {
        (Status::NotReviewed, false, format!("not assessed: {}", first_unknown()))
    } else if total == 0 {
        match empty {
            Empty::Pass => (Status::Pass, true, format!("no {}", p.population)),
            Empty::NotApplicable(why) => (Status::NotApplicable, true, why),
            Empty::Missing(why) => (Status::NotReviewed, false, format!("not assessed: {why}")),
        }
    } else if pass + excepted == 0 {
        let none = if p.none_concerned.is_empty() { format!("no {} concerned", p.population) } else { p.none_concerned.to_string() };
        (Status::NotApplicable, true, format!("{none} ({na} checked)"))
    } else {
        (Status::Pass, true, format!("none of {total} {} {}{tail}", p.population, p.violation))
    };
    Part { label: label.into(), status, assessed, reason, subjects, passed_total: pass + na + excepted }
}

/// The rule's result from its parts: the worst part decides; each part's reason is kept,
/// labelled, in the rule's own order.
pub fn combine(rule: &str, parts: Vec<Part>, evidence: Vec<Key>) -> RuleResult {
    let Some(worst) = parts.iter().min_by_key(|p| p.rank()).cloned() else {
        return RuleResult { rule: rule.into(), status: Status::NotReviewed, assessed: false, reason: "not assessed: the rule decided nothing".into(), subjects: vec![], passed_total: 0, evidence };
    };
    let reason = if parts.len() == 1 {
        worst.reason.clone()
    } else {
        parts.iter().map(|p| if p.label.is_empty() { p.reason.clone() } else { format!("{}: {}", p.label, p.reason) }).collect::<Vec<_>>().join("; ")
    };
    let passed_total = parts.iter().map(|p| p.passed_total).sum();
    let subjects = parts.into_iter().flat_map(|p| p.subjects).collect();
    RuleResult { rule: rule.into(), status: worst.status, assessed: worst.assessed, reason, subjects, passed_total, evidence }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::SubjectKind;

    fn check(name: &str, outcome: Outcome) -> Check {
        Subject { outcome, ..Subject::new(SubjectKind::Container, name, name) }
    }

    const P: Phrases = Phrases { population: "containers", violation: "use the host network", none_concerned: "" };

    #[test]
    fn a_failure_wins_over_missing_evidence_and_missing_evidence_over_pass() {
        let p = judge("", &P, vec![check("a", Outcome::Fail), check("b", Outcome::Pass)], &["1 container could not be inspected".into()], Empty::Pass);
        assert_eq!((p.status, p.assessed), (Status::Fail, true));
        assert!(p.reason.contains("also not assessed"), "{}", p.reason);
        let p = judge("", &P, vec![check("b", Outcome::Pass)], &["1 container could not be inspected".into()], Empty::Pass);
        assert_eq!((p.status, p.assessed), (Status::NotReviewed, false));
        let p = judge("", &P, vec![check("b", Outcome::Pass), check("c", Outcome::Unknown("no answer".into()))], &[], Empty::Pass);
        assert_eq!((p.status, p.assessed), (Status::NotReviewed, false));
        assert!(p.reason.contains("c: no answer"), "{}", p.reason);
    }

    #[test]
    fn not_applicable_only_when_no_subject_is_concerned() {
        let p = judge("", &P, vec![check("a", Outcome::NotApplicable)], &[], Empty::Pass);
        assert_eq!(p.status, Status::NotApplicable);
        let p = judge("", &P, vec![check("a", Outcome::NotApplicable), check("b", Outcome::Pass)], &[], Empty::Pass);
        assert_eq!(p.status, Status::Pass);
        let p = judge("", &P, vec![], &[], Empty::Missing("no node listed".into()));
        assert_eq!((p.status, p.assessed), (Status::NotReviewed, false));
    }

    #[test]
    fn the_worse_half_wins_and_each_half_says_why() {
        let swarm = Part::decided("Swarm", Status::Pass, "none of 3 containers use the host network", vec![]);
        let kube = Part::missing("Kubernetes", "the pod list was not collected");
        let r = combine("V-1", vec![swarm.clone(), kube], vec![]);
        assert_eq!((r.status, r.assessed), (Status::NotReviewed, false));
        assert_eq!(r.reason, "Swarm: none of 3 containers use the host network; Kubernetes: not assessed: the pod list was not collected");
        let na = Part::not_applicable("Kubernetes", "Kubernetes is not in use");
        assert_eq!(combine("V-1", vec![swarm, na.clone()], vec![]).status, Status::Pass);
        assert_eq!(combine("V-1", vec![na.clone(), na], vec![]).status, Status::NotApplicable);
    }

    #[test]
    fn uncounted_subjects_count_without_being_kept() {
        let p = judge_counted("", &P, vec![check("a", Outcome::Pass)], Uncounted { pass: 500, not_applicable: 0 }, &[], Empty::Pass);
        assert_eq!((p.status, p.passed_total, p.subjects.len()), (Status::Pass, 501, 1));
        assert!(p.reason.starts_with("none of 501 "), "{}", p.reason);
        let p = judge_counted("", &P, vec![], Uncounted { pass: 0, not_applicable: 300 }, &[], Empty::Pass);
        assert_eq!(p.status, Status::NotApplicable, "only not-concerned subjects: N/A, however many");
        let p = judge_counted("", &P, vec![check("f", Outcome::Fail)], Uncounted { pass: 300, not_applicable: 0 }, &[], Empty::Pass);
        assert_eq!(p.reason, "1 of 301 containers use the host network");
    }

    #[test]
    fn passing_subjects_are_capped_failing_ones_never() {
        let mut checks: Vec<Check> = (0..150).map(|i| check(&format!("p{i}"), Outcome::Pass)).collect();
        checks.extend((0..150).map(|i| check(&format!("f{i}"), Outcome::Fail)));
        let p = judge("", &P, checks, &[], Empty::Pass);
        assert_eq!(p.subjects.iter().filter(|s| s.ok()).count(), PASSING_KEPT);
        assert_eq!(p.subjects.iter().filter(|s| !s.ok()).count(), 150);
        assert_eq!(p.passed_total, 150);
    }
}
