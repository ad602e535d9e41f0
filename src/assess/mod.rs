//! The rule engine, for any STIG: a rule is a table entry ([`Rule`]) that names the evidence it
//! needs and decides from facts; [`verdict`] turns its per-subject checks into the verdict, the
//! counts and the reason, the same way for every rule. STIGs live in `crate::stigs`.
//!
//! The verdict is a claim an assessor signs: missing, partial or unreadable evidence always
//! gives "not reviewed" with "not assessed: <what is missing>", never pass or not applicable.

pub mod rule;
pub mod verdict;

use std::fmt;

pub use rule::{Rule, RuleId};
pub use verdict::{combine, judge, Check, Empty, Part, Phrases};

use crate::evidence::keys::Key;

/// A rule's verdict, in STIG checklist terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
    NotReviewed,
}

impl Status {
    /// STIG Viewer CKL `STATUS` value.
    pub fn ckl(self) -> &'static str {
        match self {
            Status::Pass => "NotAFinding",
            Status::Fail => "Open",
            Status::NotApplicable => "Not_Applicable",
            Status::NotReviewed => "Not_Reviewed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
            Status::NotReviewed => "not-reviewed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    Node,
    Container,
    Image,
    Network,
    Secret,
    /// A configuration document (MKE's config-toml, an API answer).
    Setting,
    Pod,
    Namespace,
    Service,
    /// An account or binding (MKE grant, Kubernetes (Cluster)RoleBinding).
    Grant,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Node => "node",
            SubjectKind::Container => "container",
            SubjectKind::Image => "image",
            SubjectKind::Network => "network",
            SubjectKind::Secret => "secret",
            SubjectKind::Setting => "setting",
            SubjectKind::Pod => "pod",
            SubjectKind::Namespace => "namespace",
            SubjectKind::Service => "service",
            SubjectKind::Grant => "grant",
        }
    }
}

/// What one subject of a rule came to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Pass,
    Fail,
    /// Would fail; the site policy excepts or approves it. `by` names the policy entry
    /// (`exceptions[2]`), `justification` is the SSP's text, reported with the subject.
    Excepted { by: String, justification: String },
    /// The check does not concern this subject (e.g. a node that does not run RHEL).
    NotApplicable,
    /// The subject could not be judged, and why.
    Unknown(String),
}

impl Outcome {
    /// Passing, excepted or not concerned: nothing to report against the subject.
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Excepted { .. } | Outcome::NotApplicable)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Excepted { .. } => "excepted",
            Outcome::NotApplicable => "not-applicable",
            Outcome::Unknown(_) => "unknown",
        }
    }
}

/// Something a rule looked at, what it came to, and the values that decided it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subject {
    pub kind: SubjectKind,
    /// Display name (container name, node name, image reference, ...).
    pub name: String,
    /// Stable identifier (container id, node id, image id, ...).
    pub id: String,
    pub outcome: Outcome,
    /// Field -> value pairs that decided it, e.g. `HostConfig.NetworkMode` -> `host`.
    pub facts: Vec<(String, String)>,
}

impl Subject {
    pub fn new(kind: SubjectKind, name: impl Into<String>, id: impl Into<String>) -> Subject {
        Subject { kind, name: name.into(), id: id.into(), outcome: Outcome::Pass, facts: Vec::new() }
    }

    pub fn ok(&self) -> bool {
        self.outcome.ok()
    }

    /// A note for people: the justification of an exception, or why it could not be judged.
    pub fn note(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Excepted { by, justification } => Some(format!("excepted by the site policy ({by}): {justification}")),
            Outcome::Unknown(why) => Some(format!("not assessed: {why}")),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// V- id of the rule (from the STIG content the run used).
    pub rule: String,
    pub status: Status,
    /// False when the evidence needed was missing: the status is then NotReviewed and the
    /// reason starts with "not assessed: ".
    pub assessed: bool,
    /// One line, for people.
    pub reason: String,
    /// Failing, excepted and unjudged subjects, all of them; passing ones up to
    /// [`PASSING_KEPT`] (a 50,000-container cluster would otherwise repeat every container
    /// under every rule).
    pub subjects: Vec<Subject>,
    /// How many subjects passed (or were excepted or not concerned) in all, kept or not.
    pub passed_total: usize,
    /// The evidence the rule reads.
    pub evidence: Vec<Key>,
}

/// Passing subjects kept per rule; the rest are counted in `passed_total`.
pub const PASSING_KEPT: usize = 100;

/// A deciding field and its value.
pub fn fact(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Dotted numeric version (`3.7.12` -> [3, 7, 12]); compare with [`version_cmp`].
pub fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v').split(['.', '-', '+']).map_while(|p| p.parse().ok()).collect()
}

/// Compares dotted versions, missing parts as 0 (`3.7` == `3.7.0` < `3.7.12`).
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    version_parts_cmp(&version_key(a), &version_key(b))
}

/// [`version_cmp`] on parsed parts.
pub fn version_parts_cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    (0..a.len().max(b.len())).map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

/// The first `n` characters (not bytes: ids in evidence are not always ASCII).
pub fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

impl RuleResult {
    pub fn failing(&self) -> impl Iterator<Item = &Subject> {
        self.subjects.iter().filter(|s| s.outcome == Outcome::Fail)
    }
}

/// An assessment run: what was assessed, when (from the evidence), and every rule's result.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// What was probed (from the evidence manifest; no credentials).
    pub target: String,
    /// Collection start and end (RFC 3339), from the evidence: they pin the documents' dates.
    pub started: String,
    pub finished: String,
    /// How the orchestrator was determined (reported in the results).
    pub orchestrator: String,
    pub results: Vec<RuleResult>,
    /// Evidence files the results cite, with their SHA-256 (paths relative to the snapshot).
    pub evidence_files: Vec<(String, String)>,
    /// The snapshot's manifest digest, so the results name exactly what they were decided on.
    pub manifest_sha256: String,
    /// The site policy's parameters the rules were decided with (name, compact JSON), for the
    /// assessment plan.
    pub parameters: Vec<(String, String)>,
    /// How the evidence differs from its seal, when assessed anyway (--allow-modified-evidence):
    /// every result then says so. Empty for sealed, matching evidence.
    pub modified_evidence: Vec<String>,
}

impl Assessment {
    /// The assessment of a snapshot from its decided results: what, when, on which evidence
    /// (cited files, the manifest's digest, how it differs from its seal if it does).
    pub fn of_snapshot(snap: &crate::evidence::Snapshot, orchestrator: String, results: Vec<RuleResult>, parameters: Vec<(String, String)>) -> Assessment {
        Assessment {
            target: snap.manifest.target.clone(),
            started: snap.manifest.started.clone(),
            finished: snap.manifest.finished.clone(),
            orchestrator,
            results,
            evidence_files: snap.cited_files(),
            manifest_sha256: snap.file_sha256("manifest.json").unwrap_or_default(),
            parameters,
            modified_evidence: snap.modified().to_vec(),
        }
    }

    /// Site-policy entries (`exceptions[0]`, `allowed_ports[1]`, ...) that excepted a subject.
    pub fn policy_entries_used(&self) -> std::collections::BTreeSet<String> {
        self.results
            .iter()
            .flat_map(|r| r.subjects.iter())
            .filter_map(|s| match &s.outcome {
                Outcome::Excepted { by, .. } => Some(by),
                _ => None,
            })
            // Several entries can cover one subject together ("allowed_ports[0], allowed_ports[2]").
            .flat_map(|by| by.split(", ").map(str::to_string))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_with_missing_parts_as_zero() {
        use std::cmp::Ordering::*;
        assert_eq!(version_cmp("3.7", "3.7.0"), Equal);
        assert_eq!(version_cmp("3.7.12", "3.7.15"), Less);
        assert_eq!(version_cmp("3.8", "3.7.99"), Greater);
    }

    #[test]
    fn prefix_counts_characters_not_bytes() {
        assert_eq!(prefix("5b50adb214cé0", 12), "5b50adb214cé");
        assert_eq!(prefix("abc", 12), "abc");
        assert_eq!(prefix("", 12), "");
    }
}
