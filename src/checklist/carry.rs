//! Carrying an assessor's work to a new STIG release (`merge --carry-forward`).
//!
//! When DISA publishes a new release (MKE V1R1 -> V2R1), the tool re-assesses its automated
//! rules, but the assessor's manual verdicts sit in the old release's checklist. A manual verdict
//! still holds when the rule asks the same question: rules are matched by STIG id (`Rule_Ver`,
//! stable across releases, unlike the rule revision `SV-...rNNN_rule`, which DISA bumps for CCI
//! or fix-text edits) and the question is compared as a digest of the check text. Unchanged:
//! the verdict and comments are merged as [`super::results::merge`] merges any assessor
//! checklist, and the finding says where they came from. Changed: nothing is carried and the
//! finding asks for a re-review. The tool's own verdicts in the new results always stand.

use std::collections::HashSet;

use super::results::{finding_index, merge};
use super::{Checklist, StigChecklist, Vuln};
use crate::oscal::assessment_results::{AssessmentResult, AssessmentResults};
use crate::oscal::Property;
use crate::stig::{ns_prop, RuleIndex, NS};

const TOOL: &str = concat!("oscal-stig ", env!("CARGO_PKG_VERSION"));

/// A rule as the summary names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// e.g. `CNTR-MK-000030` (empty when the old checklist gave none).
    pub stig_id: String,
    /// e.g. `V-260909`: the new release's V- id, or the old one for a rule it no longer has.
    pub vuln_id: String,
}

/// Why an assessor's verdict was not carried to a rule the new release still has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReReview {
    /// The check text differs (beyond whitespace): the rule now asks something else.
    CheckTextChanged,
    /// One side has no check text to compare (a SCAP-only rule, or a checklist without
    /// Check_Content): nothing shows the question is the same.
    NoCheckText,
}

impl ReReview {
    pub fn as_str(self) -> &'static str {
        match self {
            ReReview::CheckTextChanged => "check text changed: re-review",
            ReReview::NoCheckText => "no check text to compare: re-review",
        }
    }
}

/// What carrying forward did, for the command's summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CarryReport {
    /// The old checklist's release, e.g. `V1R1`.
    pub from_release: String,
    /// The new results' release, e.g. `V2R1`.
    pub to_release: String,
    /// Assessor verdicts or comments carried into the new results.
    pub carried: Vec<RuleRef>,
    /// Assessor work not carried because the rule's check changed.
    pub re_review: Vec<(RuleRef, ReReview)>,
    /// Rules of the old checklist (assessed or not) that the new release does not have.
    pub not_in_new_release: Vec<RuleRef>,
    /// Old verdicts not carried because the new results decide the rule (the tool's automated
    /// verdict, or an assessor's for the new release). In a checklist the assessor started from
    /// the tool's, these include the tool's own old verdicts.
    pub decided_in_new: Vec<RuleRef>,
    /// STIGs of the old checklist that share no rule with the new release (left alone).
    pub other_stigs: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    #[error("the assessment-results document has no result")]
    NoResult,
    #[error("the results are for {results} but the STIG given is {stig}: give the STIG the results were assessed against")]
    ReleaseMismatch { results: String, stig: String },
    #[error("the checklist {file} shares no STIG id with {stig} {release}: is it a checklist of the same STIG?")]
    NoCommonRules { file: String, stig: String, release: String },
    #[error("{0}")]
    Merge(String),
}

/// The digest the check texts of two releases are compared by: SHA-256 of the text with every
/// run of whitespace made one space and the ends trimmed. DISA re-wraps and re-indents check
/// text between releases (and STIG Viewer may write CRLF); that must not send a rule back for
/// review, while any change of a word must.
pub fn check_digest(check_text: &str) -> String {
    let normalised = check_text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::stig::xccdf::hex_sha256(normalised.as_bytes())
}

/// `V1R1` from a checklist's STIG_INFO (`version` 1, `releaseinfo` "Release: 1 Benchmark
/// Date: ..."), as DISA names releases; whatever the checklist says when it does not parse.
pub fn release_of(stig: &StigChecklist) -> String {
    let version = stig.info("version").unwrap_or("").trim();
    let info = stig.info("releaseinfo").unwrap_or("").trim();
    let release = info.strip_prefix("Release:").and_then(|r| r.split_whitespace().next()).filter(|r| r.chars().all(|c| c.is_ascii_digit()));
    match release {
        Some(r) if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit()) => format!("V{version}R{r}"),
        _ if !info.is_empty() => info.to_string(),
        _ if !version.is_empty() => format!("version {version}"),
        _ => "an earlier release".into(),
    }
}

fn p(name: &str, value: impl Into<String>) -> Property {
    let v: String = value.into();
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    Property::with_ns(name, NS, if v.is_empty() { "-".to_string() } else { v })
}

fn append(text: &mut Option<String>, line: &str) {
    *text = Some(match text.take().filter(|t| !t.trim().is_empty()) {
        Some(t) => format!("{t}\n{line}"),
        None => line.to_string(),
    });
}

/// The finding of rule `stig_id` / `vuln_id` in the new results: by its `stig-id` prop, else by
/// V- id (findings of imported checklists may lack the STIG id).
fn find(result: &AssessmentResult, stig_id: &str, vuln_id: &str) -> Option<usize> {
    result.findings.iter().position(|f| ns_prop(&f.props, "stig-id") == Some(stig_id)).or_else(|| result.findings.iter().position(|f| f.rule_id() == vuln_id))
}

/// A VULN's comments without the lines oscal-stig itself writes into a checklist
/// ([`super::results::from_assessment`]: why it did not decide, and which run decided). An
/// assessor starts from the tool's checklist; those lines name the old run's finding and
/// evidence and would be stale in the new results.
pub fn assessor_comments(comments: &str) -> String {
    let tool_line = |l: &str| {
        ["Not assessed by oscal-stig ", "Not decided by oscal-stig ", "Not assessed: the results oscal-stig "].iter().any(|s| l.starts_with(s))
            || (l.starts_with("Decided by: ") && l.contains(". Automated check by oscal-stig "))
    };
    comments.lines().filter(|l| !tool_line(l.trim_start())).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// Whether the assessor did anything with a rule: a verdict, or a comment of their own.
/// Finding details alone do not count: for a rule it could not decide, they are what the tool
/// wrote.
fn has_work(v: &Vuln) -> bool {
    v.status != "Not_Reviewed" || !assessor_comments(&v.comments).is_empty()
}

/// A rule whose finding gets a note once the carried verdicts are merged.
struct Mark {
    /// The finding's V- id.
    vuln_id: String,
    /// The old checklist's release.
    from: String,
    old_status: String,
    /// Why the assessor's work was not carried; None: it was.
    why: Option<ReReview>,
    title: Option<String>,
}

/// Carries the assessor's work in `old` (a checklist of an earlier release) into `ar`, the
/// results of the release `index` holds. `file_name` and `bytes` are the old checklist's, kept
/// as evidence as [`merge`] keeps any assessor checklist.
pub fn carry_forward(ar: &mut AssessmentResults, old: &Checklist, index: &RuleIndex, file_name: &str, bytes: &[u8]) -> Result<CarryReport, CarryError> {
    let result = ar.results.first().ok_or(CarryError::NoResult)?;
    // Comparing against another release's check text than the one assessed would carry
    // verdicts on the wrong evidence.
    if let Some(assessed) = ns_prop(&result.props, "stig-version").filter(|v| !index.stig.version.is_empty() && *v != index.stig.version) {
        return Err(CarryError::ReleaseMismatch { results: assessed.to_string(), stig: index.stig.version.clone() });
    }
    let to = index.stig.version.clone();
    let mut report = CarryReport { to_release: to.clone(), ..Default::default() };
    // Only the old checklist's STIGs that the new release continues: a checklist may hold
    // other STIGs (the host OS, ...), which are not "gone from the new release".
    let continues = |s: &StigChecklist| s.vulns.iter().any(|v| v.attr("Rule_Ver").is_some_and(|id| index.get(id.trim()).is_some_and(|r| r.stig_id == id.trim())));
    let (ours, others): (Vec<&StigChecklist>, Vec<&StigChecklist>) = old.stigs.iter().partition(|s| continues(s));
    report.other_stigs = others.iter().map(|s| s.info("title").or(s.info("stigid")).unwrap_or("(untitled STIG)").to_string()).collect();
    if ours.is_empty() {
        return Err(CarryError::NoCommonRules { file: crate::limits::quote(file_name), stig: index.stig.title.clone(), release: to });
    }
    report.from_release = release_of(ours[0]);

    let mut carried_vulns = Vec::new();
    let mut to_mark = Vec::new();
    let mut seen = HashSet::new();
    for stig in ours {
        let from = release_of(stig);
        for v in &stig.vulns {
            let stig_id = v.attr("Rule_Ver").unwrap_or("").trim();
            let rule = index.get(stig_id).filter(|r| !stig_id.is_empty() && r.stig_id == stig_id);
            let Some(rule) = rule else {
                report.not_in_new_release.push(RuleRef { stig_id: stig_id.to_string(), vuln_id: v.vuln_num().to_string() });
                continue;
            };
            // A STIG id twice in the old checklist: the first one speaks for the rule.
            if !has_work(v) || !seen.insert(rule.stig_id.clone()) {
                continue;
            }
            let result = &ar.results[0];
            let at = find(result, &rule.stig_id, &rule.vuln_id);
            // Merge matches findings by V- id: the results' own, else the new release's.
            let vuln_id = at.map(|i| result.findings[i].rule_id().to_string()).unwrap_or_else(|| rule.vuln_id.clone());
            let r = RuleRef { stig_id: rule.stig_id.clone(), vuln_id: vuln_id.clone() };
            if at.is_some_and(|i| ns_prop(&result.findings[i].props, "verdict") != Some("not-reviewed")) {
                report.decided_in_new.push(r);
                continue;
            }
            let old_text = v.attr("Check_Content").filter(|t| !t.trim().is_empty());
            let new_text = rule.check.as_deref().filter(|t| !t.trim().is_empty());
            let why = match (old_text, new_text) {
                (Some(o), Some(n)) if check_digest(o) == check_digest(n) => None,
                (Some(_), Some(_)) => Some(ReReview::CheckTextChanged),
                _ => Some(ReReview::NoCheckText),
            };
            match why {
                None => {
                    let mut carried = v.clone();
                    carried.data.retain(|(k, _)| k != "Vuln_Num");
                    carried.data.insert(0, ("Vuln_Num".into(), vuln_id.clone()));
                    // In the comments, so the checklist written from the results says it too.
                    let note = format!("[Carried forward by {TOOL} from the {from} checklist: the check text is unchanged in {to}.]");
                    let comments = assessor_comments(&v.comments);
                    carried.comments = if comments.is_empty() { note } else { format!("{comments}\n{note}") };
                    carried_vulns.push(carried);
                    report.carried.push(r);
                }
                Some(why) => report.re_review.push((r, why)),
            }
            to_mark.push(Mark { vuln_id, from: from.clone(), old_status: v.status.clone(), why, title: v.attr("Rule_Title").map(str::to_string) });
        }
    }

    let carried = Checklist { asset: old.asset.clone(), stigs: vec![StigChecklist { info: Vec::new(), vulns: carried_vulns }] };
    merge(ar, &carried, file_name, bytes).map_err(CarryError::Merge)?;

    let result = &mut ar.results[0];
    for Mark { vuln_id, from, old_status, why, title } in to_mark {
        let i = finding_index(result, &vuln_id, title.as_deref());
        let f = &mut result.findings[i];
        f.props.retain(|x| !(x.ns.as_deref() == Some(NS) && matches!(x.name.as_str(), "carry-forward" | "previous-release" | "previous-stig-status")));
        f.props.push(p("previous-release", from.clone()));
        let what = if old_status == "Not_Reviewed" { "comments".to_string() } else { format!("verdict ({old_status}) and comments") };
        match why {
            None => {
                f.props.push(p("carry-forward", "carried"));
                let note = format!("The assessor's {what} were carried forward from the {from} checklist {file_name}: the check text is unchanged in {to} (compared ignoring whitespace).");
                append(&mut f.remarks, &note);
                if old_status != "Not_Reviewed" {
                    append(&mut f.target.status.remarks, &format!("carried forward from {from}"));
                }
            }
            Some(why) => {
                f.props.extend([p("carry-forward", "re-review"), p("previous-stig-status", old_status.clone())]);
                let reason = match why {
                    ReReview::CheckTextChanged => format!("the check text changed between {from} and {to}"),
                    ReReview::NoCheckText => format!("the {from} checklist or {to} has no check text for this rule to compare"),
                };
                let note = format!("Re-review: {reason}, so the assessor's {from} {what} were not carried forward.");
                // The description opens the checklist's FINDING_DETAILS, where the assessor looks.
                f.description = format!("{}\n\n{note}", f.description.trim_end());
                append(&mut f.remarks, &note);
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_digest_ignores_rewrapping_but_not_words() {
        let v1 = "Verify the setting:\n  Log in to the MKE web UI\r\nand navigate to admin.";
        let rewrapped = "Verify the setting: Log in to the\nMKE web UI and navigate to admin. ";
        assert_eq!(check_digest(v1), check_digest(rewrapped));
        assert_ne!(check_digest(v1), check_digest("Verify the setting: Log in to the MKE web UI and navigate to settings."));
    }

    #[test]
    fn test_the_tools_own_checklist_comments_are_not_assessor_work() {
        // Every rule of a checklist written from results without findings, and one written for
        // a rule the tool could not decide: nothing of it is the assessor's.
        let index = RuleIndex::load("mke").unwrap();
        let mut ar = AssessmentResults::default();
        let empty = super::super::results::from_assessment(&ar, &index, &Default::default());
        assert!(empty.stigs[0].vulns.iter().all(|v| !has_work(v)));
        ar.results.push(AssessmentResult { uuid: "r".into(), ..Default::default() });
        let rule = &index.rules()[0];
        ar.results[0].findings.push(crate::oscal::assessment_common::Finding {
            props: vec![p("vuln-id", rule.vuln_id.clone()), p("stig-status", "Not_Reviewed"), p("verdict", "not-reviewed"), p("assessed", "false")],
            ..Default::default()
        });
        let c = super::super::results::from_assessment(&ar, &index, &Default::default());
        let v = c.stigs[0].vulns.iter().find(|v| v.vuln_num() == rule.vuln_id).unwrap();
        assert!(v.comments.contains("Decided by: tool") && !has_work(v), "{}", v.comments);
        assert_eq!(assessor_comments(&format!("Checked by J. Assessor\n{}", v.comments)), "Checked by J. Assessor");
    }

    #[test]
    fn test_release_of_names_releases_as_disa_does() {
        let stig = |version: &str, info: &str| StigChecklist { info: vec![("version".into(), Some(version.into())), ("releaseinfo".into(), Some(info.into()))], vulns: vec![] };
        assert_eq!(release_of(&stig("1", "Release: 1 Benchmark Date: 08 May 2024")), "V1R1");
        assert_eq!(release_of(&stig("2", "Release: 11 Benchmark Date: 24 Jul 2024")), "V2R11");
        assert_eq!(release_of(&stig("x", "Release: 1")), "Release: 1");
        assert_eq!(release_of(&StigChecklist::default()), "an earlier release");
    }
}
