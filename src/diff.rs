//! What changed between two assessments of the same system: `oscal-stig diff OLD NEW`.
//!
//! Either side is OSCAL assessment-results (from `assess`, `checklist import` or `merge`) or a
//! STIG Viewer checklist (CKL, CKLB). A checklist is first converted to assessment-results the
//! way `checklist import` does it, so the comparison reads one shape: each side becomes a list
//! of [`RuleState`]s (verdict, who decided it, the failing subjects, the rule's revision), and
//! [`compare`] pairs them up.
//!
//! Rules are paired by STIG id (`CNTR-MK-000030`), else by V- id: across STIG releases DISA
//! keeps both while the rule's revision (`SV-...r<n>_rule`) changes, and a revised rule is
//! flagged for re-review. A rule one side does not hold counts as not reviewed there, which is
//! what a checklist written from that side would say.
//!
//! The change of a rule, from its old and new verdict:
//!
//! | change        | old verdict                       | new verdict                      |
//! |---------------|-----------------------------------|----------------------------------|
//! | `new-finding` | not reviewed (or absent)          | fail                             |
//! | `regressed`   | pass or not applicable            | fail                             |
//! | `resolved`    | fail                              | pass or not applicable           |
//! | `still-open`  | fail                              | fail                             |
//! | `changed`     | any other difference (e.g. not-reviewed -> pass, fail -> not-reviewed) |
//!
//! A finding that became not reviewed is not `resolved`: nobody has shown it fixed.
//!
//! Subjects (containers, nodes, settings, ...) are keyed by kind and name (`container web-1`),
//! not by uuid: inventory uuids derive from the target as the collector named it, which changes
//! with the way the system was reached.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::assess::Status;
use crate::checklist::{results, Checklist, ChecklistError};
use crate::oscal::assessment_common::{Finding, Observation};
use crate::oscal::{AssessmentResults, OscalError, OscalModel};
use crate::stig::{ns_prop, RuleIndex, Severity};

/// The value of [`Diff::format`]: bumped when a field of the JSON form changes meaning.
pub const FORMAT: &str = "oscal-stig-diff/1";

/// An input that cannot be compared, with the file it came from: one line.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl InputError {
    fn new(path: &str, message: impl AsRef<str>) -> InputError {
        InputError { path: path.to_string(), message: crate::emit::single_line(message.as_ref()) }
    }
}

/// What an input file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    AssessmentResults,
    Ckl,
    Cklb,
}

/// One side of a diff, reduced to what the comparison reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The file, as given.
    pub file: String,
    pub kind: InputKind,
    pub title: String,
    pub rules: Vec<RuleState>,
}

/// A rule as one assessment has it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleState {
    pub vuln_id: String,
    pub stig_id: Option<String>,
    /// `SV-260907r966078_rule`: the number after `r` is the rule's revision.
    pub rule_id: Option<String>,
    pub title: String,
    pub severity: Option<String>,
    pub verdict: Status,
    /// `tool` or `assessor` (the finding's `decided-by` prop), when recorded.
    pub decided_by: Option<String>,
    /// Failing subjects, `kind name`; empty unless the verdict is fail.
    pub failing: BTreeSet<String>,
    /// SHA-256 of the check text (white space collapsed), when the input carries it (a
    /// checklist) or the built-in STIG holds this exact revision of the rule.
    pub check_sha256: Option<String>,
}

/// Reads an assessment-results document or a checklist, detected by content.
pub fn read(path: &Path) -> Result<Assessment, InputError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::new(&shown, "is a directory, not an assessment"));
    }
    let bytes = std::fs::read(path).map_err(|e| InputError::new(&shown, format!("cannot read: {e}")))?;
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    parse(&shown, &bytes, yaml)
}

/// [`read`] on bytes already in memory; `shown` names the file in errors.
pub fn parse(shown: &str, bytes: &[u8], yaml: bool) -> Result<Assessment, InputError> {
    let err = |m: String| InputError::new(shown, m);
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let file_name = Path::new(shown).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    // The import's date is never shown: a fixed one keeps the conversion deterministic.
    let checklist = |kind: InputKind| -> Result<Assessment, InputError> {
        let c = Checklist::parse(shown, bytes).map_err(|e| err(checklist_message(e)))?;
        let ar = results::import(&c, &file_name, bytes, "1970-01-01T00:00:00Z");
        from_results(shown, kind, &ar, Some(&c))
    };
    match first {
        None => Err(err("empty file: neither OSCAL assessment-results nor a STIG Viewer checklist".into())),
        Some(b'<') => checklist(InputKind::Ckl),
        Some(b'{') if !yaml => match AssessmentResults::from_slice(body) {
            Ok(ar) => from_results(shown, InputKind::AssessmentResults, &ar, None),
            // Not an OSCAL root key: a CKLB has `title`, `stigs`, ... at its root.
            Err(OscalError::UnknownModel(_)) => checklist(InputKind::Cklb)
                .map_err(|e| err(format!("neither OSCAL assessment-results nor a STIG Viewer checklist: {}", e.message))),
            Err(e) => Err(err(oscal_message(e))),
        },
        Some(_) if yaml => {
            let value = crate::oscal::parse_value(body, true).map_err(|e| err(oscal_message(e)))?;
            let ar = AssessmentResults::from_value(value).map_err(|e| err(oscal_message(e)))?;
            from_results(shown, InputKind::AssessmentResults, &ar, None)
        }
        Some(_) => Err(err("neither OSCAL assessment-results (JSON, YAML) nor a STIG Viewer checklist (.ckl, .cklb)".into())),
    }
}

fn oscal_message(e: OscalError) -> String {
    match e {
        OscalError::WrongModel { found, .. } => format!("an OSCAL {found}, not assessment-results or a STIG Viewer checklist"),
        e => e.to_string(),
    }
}

/// A checklist error without the path, which [`InputError`] adds.
fn checklist_message(e: ChecklistError) -> String {
    match e {
        ChecklistError::Io { message, .. } | ChecklistError::Invalid { message, .. } => message,
    }
}

/// Reduces assessment-results to rule states. `checklist` is the checklist the document was
/// imported from, when the caller has it parsed already (else the embedded one is read).
pub fn from_results(shown: &str, kind: InputKind, ar: &AssessmentResults, checklist: Option<&Checklist>) -> Result<Assessment, InputError> {
    if ar.results.is_empty() {
        return Err(InputError::new(shown, "the assessment-results hold no result"));
    }
    if ar.results.iter().all(|r| r.findings.is_empty()) {
        // An empty assessment passing a CI gate would hide a broken run.
        return Err(InputError::new(shown, "the assessment-results hold no finding: nothing to compare"));
    }
    let mut rules: Vec<RuleState> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for result in &ar.results {
        let observations: HashMap<&str, &Observation> = result.observations.iter().map(|o| (o.uuid.as_str(), o)).collect();
        for f in &result.findings {
            let state = rule_state(f, &observations);
            // Several results: a rule's last finding counts.
            match at.get(&state.vuln_id) {
                Some(&i) => rules[i] = state,
                None => {
                    at.insert(state.vuln_id.clone(), rules.len());
                    rules.push(state);
                }
            }
        }
    }
    add_check_digests(ar, checklist, &mut rules);
    Ok(Assessment { file: shown.to_string(), kind, title: crate::emit::single_line(&ar.metadata.title), rules })
}

fn rule_state(f: &Finding, observations: &HashMap<&str, &Observation>) -> RuleState {
    let prop = |name: &str| ns_prop(&f.props, name).map(str::to_string);
    let verdict = verdict_of(f);
    let mut failing = BTreeSet::new();
    if verdict == Status::Fail {
        for o in f.related_observations.iter().filter_map(|r| observations.get(r.observation_uuid.as_str())) {
            match ns_prop(&o.props, "subject-group") {
                Some("failed") if !o.subjects.is_empty() => {
                    // Titles are `kind name` (see emit::assessment_results); a reference without
                    // one falls back to its uuid rather than vanishing.
                    failing.extend(o.subjects.iter().map(|s| s.title.as_deref().map(crate::emit::single_line).unwrap_or_else(|| s.subject_uuid.clone())));
                }
                Some("failed") => failing.extend(subject_lines(&o.description).filter(|(_, f)| *f).map(|(s, _)| s)),
                // An imported checklist: FINDING_DETAILS lists failed, excepted and unjudged
                // subjects alike; the note after each tells them apart.
                Some("checklist") => failing.extend(subject_lines(&o.description).filter(|(_, f)| *f).map(|(s, _)| s)),
                _ => {}
            }
        }
    }
    RuleState {
        vuln_id: f.rule_id().to_string(),
        stig_id: prop("stig-id"),
        rule_id: prop("rule-id"),
        title: f.target.title.clone().or_else(|| f.title.split_once(": ").map(|(_, t)| t.to_string())).map(|t| crate::emit::single_line(&t)).unwrap_or_default(),
        severity: prop("severity"),
        verdict,
        decided_by: decided_by(f),
        failing,
        check_sha256: None,
    }
}

/// The verdict of a finding: oscal-stig's `verdict` prop, else the checklist status, else the
/// OSCAL objective status (other tools' results).
fn verdict_of(f: &Finding) -> Status {
    match ns_prop(&f.props, "verdict") {
        Some("pass") => return Status::Pass,
        Some("fail") => return Status::Fail,
        Some("not-applicable") => return Status::NotApplicable,
        Some("not-reviewed") => return Status::NotReviewed,
        _ => {}
    }
    match ns_prop(&f.props, "stig-status") {
        Some("NotAFinding") => return Status::Pass,
        Some("Open") => return Status::Fail,
        Some("Not_Applicable") => return Status::NotApplicable,
        Some("Not_Reviewed") => return Status::NotReviewed,
        _ => {}
    }
    match (f.target.status.state.as_str(), f.target.status.reason.as_deref()) {
        ("satisfied", _) => Status::Pass,
        ("not-satisfied", Some("other")) => Status::NotReviewed,
        _ => Status::Fail,
    }
}

/// Who decided a verdict: the `decided-by` prop (set by merge, and by `checklist import` to
/// `assessor` for every verdict: a checklist is the assessor's record, even one oscal-stig
/// wrote, since STIG Viewer lets anyone change a STATUS), else the finding's origin (a tool,
/// or a party: a person).
fn decided_by(f: &Finding) -> Option<String> {
    let origin = f.origins.iter().flat_map(|o| &o.actors).find_map(|a| match a.actor_type.as_str() {
        "tool" => Some("tool"),
        "party" => Some("assessor"),
        _ => None,
    });
    ns_prop(&f.props, "decided-by").or(origin).map(str::to_string)
}

/// Subject lines of a description, as emit::assessment_results writes them:
/// `- container `web-1` (0123456789ab): HostConfig.Privileged = true — <note>`.
/// Yields (`kind name`, failing); excepted and unjudged subjects carry a note saying so
/// (assess::Subject::note) and are not failing.
fn subject_lines(description: &str) -> impl Iterator<Item = (String, bool)> + '_ {
    description.lines().filter_map(|line| {
        let rest = line.trim_end().strip_prefix("- ")?;
        let (kind, rest) = rest.split_once(" `")?;
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return None;
        }
        // The name ends at the backtick followed by what subject_line writes after a name (a
        // name may hold a backtick itself).
        let end = rest.match_indices('`').map(|(i, _)| i).find(|&i| {
            let after = &rest[i + 1..];
            after.is_empty() || after.starts_with(" (") || after.starts_with(':') || after.starts_with(" \u{2014} ")
        })?;
        let after = &rest[end + 1..];
        let note = after.rsplit_once(" \u{2014} ").map(|(_, n)| n).unwrap_or("");
        let failing = !(note.starts_with("excepted by the site policy") || note.starts_with("not assessed:"));
        Some((format!("{kind} {}", &rest[..end]), failing))
    })
}

/// Check texts are compared by digest, white space collapsed (writers differ in line endings).
fn check_digest(text: &str) -> Option<String> {
    let t = crate::emit::single_line(text);
    (!t.is_empty()).then(|| crate::stig::xccdf::hex_sha256(t.as_bytes()))
}

/// Fills [`RuleState::check_sha256`] from the checklist the document came from, else from the
/// built-in STIG when it holds the very revision the finding names.
fn add_check_digests(ar: &AssessmentResults, checklist: Option<&Checklist>, rules: &mut [RuleState]) {
    let embedded;
    let checklist = match checklist {
        Some(c) => Some(c),
        None => {
            embedded = results::embedded_checklist(ar).and_then(|(name, bytes)| Checklist::parse(&name, &bytes).ok());
            embedded.as_ref()
        }
    };
    if let Some(c) = checklist {
        let texts: HashMap<&str, &str> = c.stigs.iter().flat_map(|s| &s.vulns).filter_map(|v| Some((v.vuln_num(), v.attr("Check_Content")?))).collect();
        for r in rules.iter_mut() {
            r.check_sha256 = texts.get(r.vuln_id.as_str()).and_then(|t| check_digest(t));
        }
        return;
    }
    let Ok((_, index)) = RuleIndex::builtin_for(rules.iter().map(|r| r.vuln_id.as_str()).collect::<Vec<_>>()) else { return };
    for r in rules.iter_mut() {
        let Some(rule_id) = r.rule_id.as_deref() else { continue };
        if let Some(info) = index.get(&r.vuln_id).filter(|i| i.rule_id == rule_id) {
            r.check_sha256 = info.check.as_deref().and_then(check_digest);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The comparison.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    NewFinding,
    Regressed,
    Resolved,
    StillOpen,
    Changed,
    /// Same verdict; listed only when the rule was revised.
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NewFinding => "new-finding",
            Change::Regressed => "regressed",
            Change::Resolved => "resolved",
            Change::StillOpen => "still-open",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }

    fn of(old: Status, new: Status) -> Change {
        use Status::*;
        match (old, new) {
            (Fail, Fail) => Change::StillOpen,
            (Pass | NotApplicable, Fail) => Change::Regressed,
            (NotReviewed, Fail) => Change::NewFinding,
            (Fail, Pass | NotApplicable) => Change::Resolved,
            (a, b) if a == b => Change::Unchanged,
            _ => Change::Changed,
        }
    }
}

/// The whole comparison; its JSON form is the `--format json` output (README, `### diff`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Diff {
    pub format: &'static str,
    pub old: InputSummary,
    pub new: InputSummary,
    /// `fail` when a rule regressed or a new finding appeared (exit 1), else `pass`.
    pub gate: &'static str,
    pub summary: Summary,
    /// Every rule that changed, is still open, or was revised, by V- number.
    pub rules: Vec<RuleDiff>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct InputSummary {
    pub file: String,
    pub kind: InputKind,
    pub title: String,
    pub rules: usize,
    pub failing: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Summary {
    pub new_finding: usize,
    pub regressed: usize,
    pub resolved: usize,
    pub still_open: usize,
    pub changed: usize,
    /// Rules whose revision or check text differs: re-review them.
    pub revised: usize,
    /// Rules whose verdict changed and was decided by the assessor on either side.
    pub decided_by_assessor: usize,
    pub subjects_newly_failing: usize,
    pub subjects_no_longer_failing: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RuleDiff {
    /// The V- id (the new side's when the sides differ).
    pub vuln_id: String,
    pub stig_id: Option<String>,
    pub title: String,
    /// DISA severity: high | medium | low.
    pub severity: Option<String>,
    pub change: Change,
    /// The rule on each side; null when that side does not hold it (counted as not reviewed).
    pub old: Option<SideState>,
    pub new: Option<SideState>,
    pub decided_by_assessor: bool,
    /// Why the rule needs re-review (`rule revised: SV-1r1_rule -> SV-1r2_rule`, `check text
    /// changed`), or null.
    pub revised: Option<String>,
    pub subjects: SubjectChanges,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SideState {
    pub vuln_id: String,
    pub rule_id: Option<String>,
    /// pass | fail | not-applicable | not-reviewed
    pub verdict: &'static str,
    /// tool | assessor, when recorded.
    pub decided_by: Option<String>,
    pub check_sha256: Option<String>,
}

/// Failing subjects (`kind name`), each sorted. A side whose verdict is not fail has none.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SubjectChanges {
    pub newly_failing: Vec<String>,
    pub no_longer_failing: Vec<String>,
    pub still_failing: Vec<String>,
}

impl Diff {
    /// A CI gate: did anything regress or newly fail?
    pub fn gate_failed(&self) -> bool {
        self.summary.new_finding + self.summary.regressed > 0
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).map(|s| s + "\n").unwrap_or_default()
    }
}

fn summarize(a: &Assessment) -> InputSummary {
    InputSummary { file: a.file.clone(), kind: a.kind, title: a.title.clone(), rules: a.rules.len(), failing: a.rules.iter().filter(|r| r.verdict == Status::Fail).count() }
}

/// DISA's order: by V- number; ids of another shape after, by text.
fn order_key(vuln_id: &str) -> (u64, String) {
    (vuln_id.strip_prefix("V-").and_then(|n| n.parse().ok()).unwrap_or(u64::MAX), vuln_id.to_string())
}

/// Pairs each new rule with an old one: same STIG id first, else same V- id.
fn pair<'a>(old: &'a Assessment, new: &'a Assessment) -> Vec<(Option<&'a RuleState>, Option<&'a RuleState>)> {
    let mut by_stig: HashMap<&str, usize> = HashMap::new();
    let mut by_vuln: HashMap<&str, usize> = HashMap::new();
    for (i, r) in old.rules.iter().enumerate() {
        if let Some(s) = r.stig_id.as_deref() {
            by_stig.entry(s).or_insert(i);
        }
        by_vuln.entry(r.vuln_id.as_str()).or_insert(i);
    }
    let mut used = vec![false; old.rules.len()];
    let mut pairs = Vec::new();
    for n in &new.rules {
        let free = |i: &&usize| !used[**i];
        let found = n.stig_id.as_deref().and_then(|s| by_stig.get(s)).filter(free).or_else(|| by_vuln.get(n.vuln_id.as_str()).filter(free)).copied();
        if let Some(i) = found {
            used[i] = true;
        }
        pairs.push((found.map(|i| &old.rules[i]), Some(n)));
    }
    pairs.extend(old.rules.iter().zip(&used).filter(|(_, u)| !**u).map(|(o, _)| (Some(o), None)));
    pairs
}

fn side(r: &RuleState) -> SideState {
    SideState { vuln_id: r.vuln_id.clone(), rule_id: r.rule_id.clone(), verdict: r.verdict.as_str(), decided_by: r.decided_by.clone(), check_sha256: r.check_sha256.clone() }
}

fn revision(old: &RuleState, new: &RuleState) -> Option<String> {
    match (&old.rule_id, &new.rule_id) {
        (Some(a), Some(b)) if a != b => return Some(format!("rule revised: {a} -> {b}")),
        _ => {}
    }
    match (&old.check_sha256, &new.check_sha256) {
        (Some(a), Some(b)) if a != b => Some("check text changed".into()),
        _ => None,
    }
}

/// Compares two assessments.
pub fn compare(old: &Assessment, new: &Assessment) -> Diff {
    let mut rules = Vec::new();
    let mut summary = Summary::default();
    let none = BTreeSet::new();
    for (o, n) in pair(old, new) {
        let Some(shown) = n.or(o) else { continue };
        let ov = o.map(|r| r.verdict).unwrap_or(Status::NotReviewed);
        let nv = n.map(|r| r.verdict).unwrap_or(Status::NotReviewed);
        let change = Change::of(ov, nv);
        let revised = o.zip(n).and_then(|(o, n)| revision(o, n));
        if change == Change::Unchanged && revised.is_none() {
            continue;
        }
        let (before, after) = (o.map_or(&none, |r| &r.failing), n.map_or(&none, |r| &r.failing));
        let subjects = SubjectChanges {
            newly_failing: after.difference(before).cloned().collect(),
            no_longer_failing: before.difference(after).cloned().collect(),
            still_failing: after.intersection(before).cloned().collect(),
        };
        let assessor = |r: Option<&RuleState>| r.and_then(|r| r.decided_by.as_deref()) == Some("assessor");
        let decided_by_assessor = ov != nv && (assessor(o) || assessor(n));
        match change {
            Change::NewFinding => summary.new_finding += 1,
            Change::Regressed => summary.regressed += 1,
            Change::Resolved => summary.resolved += 1,
            Change::StillOpen => summary.still_open += 1,
            Change::Changed => summary.changed += 1,
            Change::Unchanged => {}
        }
        summary.revised += usize::from(revised.is_some());
        summary.decided_by_assessor += usize::from(decided_by_assessor);
        summary.subjects_newly_failing += subjects.newly_failing.len();
        summary.subjects_no_longer_failing += subjects.no_longer_failing.len();
        rules.push(RuleDiff {
            vuln_id: shown.vuln_id.clone(),
            stig_id: shown.stig_id.clone().or_else(|| o.and_then(|o| o.stig_id.clone())),
            title: if shown.title.is_empty() { o.map(|o| o.title.clone()).unwrap_or_default() } else { shown.title.clone() },
            severity: shown.severity.clone().or_else(|| o.and_then(|o| o.severity.clone())),
            change,
            old: o.map(side),
            new: n.map(side),
            decided_by_assessor,
            revised,
            subjects,
        });
    }
    rules.sort_by_key(|r| order_key(&r.vuln_id));
    let gate = if summary.new_finding + summary.regressed > 0 { "fail" } else { "pass" };
    Diff { format: FORMAT, old: summarize(old), new: summarize(new), gate, summary, rules }
}

// ---------------------------------------------------------------------------------------
// Rendering for people.

/// The sections of a report, in the order people act on them: (change, heading, meaning).
const SECTIONS: [(Change, &str, &str); 5] = [
    (Change::NewFinding, "New findings", "not reviewed or absent before, failing now"),
    (Change::Regressed, "Regressed", "passing or not applicable before, failing now"),
    (Change::Resolved, "Resolved", "failing before, passing or not applicable now"),
    (Change::StillOpen, "Still open", "failing in both"),
    (Change::Changed, "Other verdict changes", "e.g. not reviewed before, decided now; or failing before, not reviewed now"),
];
const REVISED: (&str, &str) = ("Re-review: the rule was revised", "its revision or check text differs between the two");

fn category(severity: Option<&str>) -> &'static str {
    severity.and_then(Severity::parse).map(Severity::category).unwrap_or("CAT ?")
}

/// `pass -> fail` (`arrow` between), or one verdict when it held (a still-open or revised rule).
fn verdicts(r: &RuleDiff, arrow: &str) -> String {
    let (old, new) = (verdict_shown(r.old.as_ref()), verdict_shown(r.new.as_ref()));
    if old == new { new } else { format!("{old} {arrow} {new}") }
}

fn verdict_shown(s: Option<&SideState>) -> String {
    match s {
        None => "absent".into(),
        Some(s) if s.decided_by.as_deref() == Some("assessor") => format!("{} (assessor)", s.verdict),
        Some(s) => s.verdict.to_string(),
    }
}

fn summary_line(d: &Diff) -> String {
    let s = &d.summary;
    format!(
        "{} new finding(s), {} regressed, {} resolved, {} still open, {} other change(s), {} revised; subjects: {} newly failing, {} no longer failing",
        s.new_finding, s.regressed, s.resolved, s.still_open, s.changed, s.revised, s.subjects_newly_failing, s.subjects_no_longer_failing
    )
}

fn gate_line(d: &Diff) -> String {
    if d.gate_failed() {
        format!("Gate: FAIL ({} new finding(s), {} regressed)", d.summary.new_finding, d.summary.regressed)
    } else {
        "Gate: pass (nothing regressed, no new finding)".into()
    }
}

/// Plain text for a terminal.
pub fn render_text(d: &Diff) -> String {
    let mut out = String::new();
    for (label, i) in [("old", &d.old), ("new", &d.new)] {
        out.push_str(&format!("{label}: {} ({}, {} rules, {} failing)\n", i.file, kind_str(i.kind), i.rules, i.failing));
    }
    out.push_str(&format!("\n{}\n", summary_line(d)));
    let mut section = |(heading, meaning): (&str, &str), rules: Vec<&RuleDiff>| {
        if rules.is_empty() {
            return;
        }
        out.push_str(&format!("\n{heading} ({meaning}): {}\n", rules.len()));
        for r in rules {
            out.push_str(&format!(
                "  {:<10} {:<16} {:<7} {}  {}\n",
                r.vuln_id,
                r.stig_id.as_deref().unwrap_or("-"),
                category(r.severity.as_deref()),
                verdicts(r, "->"),
                r.title
            ));
            if let Some(why) = &r.revised {
                out.push_str(&format!("      re-review: {why}\n"));
            }
            for s in &r.subjects.newly_failing {
                out.push_str(&format!("      + {s} (newly failing)\n"));
            }
            for s in &r.subjects.no_longer_failing {
                out.push_str(&format!("      - {s} (no longer failing)\n"));
            }
            let moved = r.subjects.newly_failing.len() + r.subjects.no_longer_failing.len();
            if moved > 0 && !r.subjects.still_failing.is_empty() {
                out.push_str(&format!("      ({} subject(s) still failing)\n", r.subjects.still_failing.len()));
            }
        }
    };
    for (change, heading, meaning) in SECTIONS {
        section((heading, meaning), d.rules.iter().filter(|r| r.change == change).collect());
    }
    // Revised rules whose verdict held are listed only here; the others also above.
    section(REVISED, d.rules.iter().filter(|r| r.revised.is_some()).collect());
    out.push_str(&format!("\n{}\n", gate_line(d)));
    out
}

fn kind_str(k: InputKind) -> &'static str {
    match k {
        InputKind::AssessmentResults => "assessment-results",
        InputKind::Ckl => "ckl",
        InputKind::Cklb => "cklb",
    }
}

/// Escapes the characters Markdown would read as markup in DISA titles and subject names.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Markdown, for a merge request or a ticket.
pub fn render_markdown(d: &Diff) -> String {
    let mut out = String::from("# Assessment diff\n\n| | File | Kind | Rules | Failing |\n|---|---|---|---|---|\n");
    for (label, i) in [("Old", &d.old), ("New", &d.new)] {
        out.push_str(&format!("| {label} | {} | {} | {} | {} |\n", md(&i.file), kind_str(i.kind), i.rules, i.failing));
    }
    out.push_str(&format!("\n{}\n\n**{}**\n", md(&summary_line(d)), gate_line(d)));
    let mut section = |(heading, meaning): (&str, &str), rules: Vec<&RuleDiff>| {
        if rules.is_empty() {
            return;
        }
        out.push_str(&format!("\n## {heading} ({})\n\n_{meaning}_\n\n", rules.len()));
        for r in rules {
            out.push_str(&format!(
                "- **{}** {} ({}) {}: {}\n",
                r.vuln_id,
                md(r.stig_id.as_deref().unwrap_or("")),
                category(r.severity.as_deref()),
                md(&verdicts(r, "\u{2192}")),
                md(&r.title)
            ));
            if let Some(why) = &r.revised {
                out.push_str(&format!("  - re-review: {}\n", md(why)));
            }
            let list = |v: &[String]| v.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ");
            if !r.subjects.newly_failing.is_empty() {
                out.push_str(&format!("  - newly failing: {}\n", list(&r.subjects.newly_failing)));
            }
            if !r.subjects.no_longer_failing.is_empty() {
                out.push_str(&format!("  - no longer failing: {}\n", list(&r.subjects.no_longer_failing)));
            }
            let moved = r.subjects.newly_failing.len() + r.subjects.no_longer_failing.len();
            if moved > 0 && !r.subjects.still_failing.is_empty() {
                out.push_str(&format!("  - still failing: {}\n", r.subjects.still_failing.len()));
            }
        }
    };
    for (change, heading, meaning) in SECTIONS {
        section((heading, meaning), d.rules.iter().filter(|r| r.change == change).collect());
    }
    section(REVISED, d.rules.iter().filter(|r| r.revised.is_some()).collect());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(vuln: &str, stig: &str, rule_id: &str, verdict: Status, failing: &[&str]) -> RuleState {
        RuleState {
            vuln_id: vuln.into(),
            stig_id: (!stig.is_empty()).then(|| stig.to_string()),
            rule_id: (!rule_id.is_empty()).then(|| rule_id.to_string()),
            title: format!("title of {vuln}"),
            severity: Some("medium".into()),
            verdict,
            decided_by: Some("tool".into()),
            failing: failing.iter().map(|s| s.to_string()).collect(),
            check_sha256: None,
        }
    }

    fn assessment(rules: Vec<RuleState>) -> Assessment {
        Assessment { file: "x".into(), kind: InputKind::AssessmentResults, title: "t".into(), rules }
    }

    #[test]
    fn verdict_pairs_map_to_the_documented_changes() {
        use Status::*;
        assert_eq!(Change::of(NotReviewed, Fail), Change::NewFinding);
        assert_eq!(Change::of(Pass, Fail), Change::Regressed);
        assert_eq!(Change::of(NotApplicable, Fail), Change::Regressed);
        assert_eq!(Change::of(Fail, Pass), Change::Resolved);
        assert_eq!(Change::of(Fail, NotReviewed), Change::Changed, "unknown now is not fixed");
        assert_eq!(Change::of(NotReviewed, Pass), Change::Changed);
        assert_eq!(Change::of(Fail, Fail), Change::StillOpen);
        assert_eq!(Change::of(Pass, Pass), Change::Unchanged);
    }

    #[test]
    fn rules_pair_by_stig_id_across_releases_and_absent_counts_as_not_reviewed() {
        let old = assessment(vec![
            rule("V-2", "X-2", "SV-2r1_rule", Status::Fail, &["container a", "container b"]),
            rule("V-1", "X-1", "SV-1r1_rule", Status::Pass, &[]),
            rule("V-9", "X-9", "", Status::Fail, &["node n"]),
        ]);
        // V-2 renumbered to V-20 keeps its STIG id; V-1 revised; V-3 appears failing; V-9 gone.
        let new = assessment(vec![
            rule("V-20", "X-2", "SV-20r1_rule", Status::Fail, &["container b", "container c"]),
            rule("V-1", "X-1", "SV-1r2_rule", Status::Pass, &[]),
            rule("V-3", "", "", Status::Fail, &["setting s"]),
        ]);
        let d = compare(&old, &new);
        let ids: Vec<(&str, Change)> = d.rules.iter().map(|r| (r.vuln_id.as_str(), r.change)).collect();
        assert_eq!(ids, [("V-1", Change::Unchanged), ("V-3", Change::NewFinding), ("V-9", Change::Changed), ("V-20", Change::StillOpen)]);
        let v20 = &d.rules[3];
        assert_eq!(v20.subjects.newly_failing, ["container c"]);
        assert_eq!(v20.subjects.no_longer_failing, ["container a"]);
        assert_eq!(v20.subjects.still_failing, ["container b"]);
        assert_eq!(d.rules[0].revised.as_deref(), Some("rule revised: SV-1r1_rule -> SV-1r2_rule"));
        assert!(d.rules[2].new.is_none());
        assert!(d.rules[3].revised.is_some(), "a renumbered rule has a new rule id");
        assert!(d.gate_failed());
        assert_eq!(d.summary.revised, 2);
    }

    #[test]
    fn identical_assessments_have_no_changes_but_still_open_rules() {
        let a = assessment(vec![rule("V-1", "X-1", "SV-1r1_rule", Status::Fail, &["node n"]), rule("V-2", "X-2", "", Status::Pass, &[])]);
        let d = compare(&a, &a);
        assert!(!d.gate_failed());
        assert_eq!(d.rules.len(), 1);
        assert_eq!(d.rules[0].change, Change::StillOpen);
        assert_eq!(d.summary.subjects_newly_failing + d.summary.subjects_no_longer_failing, 0);
    }

    #[test]
    fn subject_lines_tell_failing_from_excepted_and_unjudged() {
        let text = "reason\n\n- container `web-1` (0123456789ab): HostConfig.Privileged = true\n- container `a`b`: X = 1 \u{2014} excepted by the site policy (exceptions[0]): ok\n- node `n1` \u{2014} not assessed: no answer\n- setting `config-toml`\n- not a subject line\n- Kind `x`";
        let got: Vec<(String, bool)> = subject_lines(text).collect();
        assert_eq!(
            got,
            [("container web-1".to_string(), true), ("container a`b".to_string(), false), ("node n1".to_string(), false), ("setting config-toml".to_string(), true)]
        );
    }

    #[test]
    fn unusable_inputs_are_one_line_naming_the_file() {
        for (bytes, yaml) in [(&b""[..], false), (b"{not json", false), (b"<CHECKLIST><ASSET>", false), (b"{\"catalog\": {}}", false), (b"{\"title\": 1}", false), (b"hello", false), (b"- [", true)] {
            let e = parse("in/put.json", bytes, yaml).unwrap_err().to_string();
            assert!(e.starts_with("in/put.json: ") && !e.contains('\n'), "{e}");
        }
    }
}
