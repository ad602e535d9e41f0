//! Assessment: decides STIG rules from collected evidence and the site policy, and says why.

pub mod docker_facts;
pub mod host;
pub mod kubernetes;
pub mod mke_config;
pub mod mke_docker;
pub mod msr;

use std::fmt;

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
        }
    }
}

/// Something a rule looked at, whether it passed, and the values that decided it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subject {
    pub kind: SubjectKind,
    /// Display name (container name, node name, image reference, ...).
    pub name: String,
    /// Stable identifier (container id, node id, image id, ...).
    pub id: String,
    pub ok: bool,
    /// Field -> value pairs that decided it, e.g. `HostConfig.NetworkMode` -> `host`.
    pub facts: Vec<(String, String)>,
    /// Why an otherwise failing subject passes (a documented SSP exception), or other notes.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// V- id of the rule.
    pub rule: String,
    pub status: Status,
    /// False when the evidence needed was missing: the status is then NotReviewed and the
    /// reason starts with "not assessed: ".
    pub assessed: bool,
    /// One line, for people.
    pub reason: String,
    /// Failing and excepted subjects, all of them; passing ones up to [`PASSING_KEPT`] (a
    /// 50,000-container cluster would otherwise repeat every container under every rule).
    pub subjects: Vec<Subject>,
    /// How many subjects passed in all (including those not kept in `subjects`).
    pub passed_total: usize,
    /// Endpoints whose answers decided it (e.g. `GET /containers/{id}/json`).
    pub evidence: Vec<String>,
}

/// Passing subjects kept per rule; the rest are counted in `passed_total`.
pub const PASSING_KEPT: usize = 100;

/// A decided rule, without subjects yet.
pub(crate) fn result(rule: &str, status: Status, reason: String, evidence: &[&str]) -> RuleResult {
    RuleResult {
        rule: rule.into(),
        status,
        assessed: true,
        reason,
        subjects: Vec::new(),
        passed_total: 0,
        evidence: evidence.iter().map(|e| e.to_string()).collect(),
    }
}

/// A rule whose evidence is missing: not reviewed, and the reason says why.
pub(crate) fn not_assessed(rule: &str, why: &str, evidence: &[&str]) -> RuleResult {
    RuleResult { assessed: false, ..result(rule, Status::NotReviewed, format!("not assessed: {why}"), evidence) }
}

/// A deciding field and its value.
pub(crate) fn fact(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Dotted numeric version, for comparisons (`3.7.12` < `3.7.15`).
pub(crate) fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v').split(['.', '-', '+']).map_while(|p| p.parse().ok()).collect()
}

impl RuleResult {
    pub fn failing(&self) -> impl Iterator<Item = &Subject> {
        self.subjects.iter().filter(|s| !s.ok)
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
}
