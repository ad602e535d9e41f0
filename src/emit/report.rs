//! A readable report of assessment-results (HTML, single self-contained file, or Markdown):
//! summary by severity and verdict, every rule, and each failure with its subjects, evidence
//! and DISA's fix.

use serde::Serialize;

use crate::oscal::assessment_results::AssessmentResults;
use crate::stig::{ns_prop, RuleIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

#[derive(Serialize)]
struct Row {
    severity: &'static str,
    pass: usize,
    fail: usize,
    na: usize,
    nr: usize,
    total: usize,
}

#[derive(Serialize)]
struct Rule {
    vuln_id: String,
    category: String,
    verdict: String,
    title: String,
    reason: String,
}

#[derive(Serialize)]
struct Evidence {
    endpoint: String,
    href: Option<String>,
    sha256: Option<String>,
}

#[derive(Serialize)]
struct Failure {
    vuln_id: String,
    category: String,
    title: String,
    reason: String,
    subjects: Vec<String>,
    evidence: Vec<Evidence>,
    fix: String,
}

pub fn render(ar: &AssessmentResults, index: Option<&RuleIndex>, format: Format) -> String {
    render_with(ar, index, format, None)
}

/// [`render`], with what changed since a previous assessment (`report --previous`): new
/// findings, regressions, resolutions and other changed verdicts, per rule and per subject.
/// Rules still open with the same subjects are left out: the rules table shows them.
pub fn render_with(ar: &AssessmentResults, index: Option<&RuleIndex>, format: Format, previous: Option<&crate::diff::Diff>) -> String {
    let result = ar.results.first();
    let findings = result.map(|r| r.findings.as_slice()).unwrap_or(&[]);
    let mut rules = Vec::new();
    let mut failures = Vec::new();
    let cats = ["CAT I", "CAT II", "CAT III"];
    let mut rows: Vec<Row> = cats.iter().map(|c| Row { severity: c, pass: 0, fail: 0, na: 0, nr: 0, total: 0 }).collect();
    for f in findings {
        let vuln = f.rule_id().to_string();
        let info = index.and_then(|i| i.get(&vuln));
        let category = ns_prop(&f.props, "category").map(str::to_string).or_else(|| info.map(|i| i.severity.category().to_string())).unwrap_or_else(|| "-".into());
        let verdict = ns_prop(&f.props, "verdict").unwrap_or("not-reviewed").to_string();
        let title = f.target.title.clone().or_else(|| info.map(|i| i.title.clone())).unwrap_or_default();
        if let Some(row) = rows.iter_mut().find(|r| r.severity == category) {
            row.total += 1;
            match verdict.as_str() {
                "pass" => row.pass += 1,
                "fail" => row.fail += 1,
                "not-applicable" => row.na += 1,
                _ => row.nr += 1,
            }
        }
        if verdict == "fail" {
            let obs: Vec<_> = f
                .related_observations
                .iter()
                .filter_map(|r| result.and_then(|res| res.observations.iter().find(|o| o.uuid == r.observation_uuid)))
                .collect();
            let subjects = obs
                .iter()
                .filter(|o| matches!(ns_prop(&o.props, "subject-group"), Some("failed") | Some("checklist") | Some("assessor")))
                .flat_map(|o| {
                    let lines: Vec<String> = o.description.lines().filter_map(|l| l.strip_prefix("- ")).map(str::to_string).collect();
                    if lines.is_empty() { vec![o.description.clone()] } else { lines }
                })
                .collect();
            let mut evidence: Vec<Evidence> = Vec::new();
            for e in obs.iter().flat_map(|o| &o.relevant_evidence) {
                let endpoint = ns_prop(&e.props, "endpoint").unwrap_or(&e.description).to_string();
                if !evidence.iter().any(|x| x.endpoint == endpoint) {
                    evidence.push(Evidence { endpoint, href: e.href.clone(), sha256: ns_prop(&e.props, "sha256").map(str::to_string) });
                }
            }
            failures.push(Failure {
                vuln_id: vuln.clone(),
                category: category.clone(),
                title: title.clone(),
                reason: f.description.clone(),
                subjects,
                evidence,
                fix: info.map(|i| i.fix.clone()).unwrap_or_default(),
            });
        }
        rules.push(Rule { vuln_id: vuln, category, verdict, title, reason: f.description.clone() });
    }
    // Every rule of the STIG is listed, as in the checklist: one the results hold no finding for
    // is not reviewed (a report that leaves rules out reads as if they were fine).
    if let Some(index) = index {
        let listed: std::collections::HashSet<String> = rules.iter().map(|r| r.vuln_id.clone()).collect();
        for info in index.rules().iter().filter(|i| !listed.contains(&i.vuln_id)) {
            let category = info.severity.category().to_string();
            if let Some(row) = rows.iter_mut().find(|r| r.severity == category) {
                row.total += 1;
                row.nr += 1;
            }
            let reason = "Not assessed: these results hold no finding for this rule. Review it manually with the STIG's check text.".to_string();
            rules.push(Rule { vuln_id: info.vuln_id.clone(), category, verdict: "not-reviewed".into(), title: info.title.clone(), reason });
        }
        rules.sort_by_key(|r| index.get(&r.vuln_id).map(|i| i.number()).unwrap_or(u64::MAX));
    }
    let total = Row {
        severity: "All",
        pass: rows.iter().map(|r| r.pass).sum(),
        fail: rows.iter().map(|r| r.fail).sum(),
        na: rows.iter().map(|r| r.na).sum(),
        nr: rows.iter().map(|r| r.nr).sum(),
        total: rows.iter().map(|r| r.total).sum(),
    };
    let chart = chart(&rows);
    rows.push(total);
    let changes: Option<Vec<serde_json::Value>> = previous.map(|d| {
        d.rules
            .iter()
            .filter(|r| {
                r.change != crate::diff::Change::StillOpen || !r.subjects.newly_failing.is_empty() || !r.subjects.no_longer_failing.is_empty() || r.revised.is_some()
            })
            .filter(|r| r.change != crate::diff::Change::Unchanged || r.revised.is_some())
            .map(|r| {
                serde_json::json!({
                    "vuln_id": r.vuln_id, "title": r.title, "change": r.change.as_str(),
                    "was": r.old.as_ref().map(|s| s.verdict).unwrap_or("absent"),
                    "now": r.new.as_ref().map(|s| s.verdict).unwrap_or("absent"),
                    "newly_failing": r.subjects.newly_failing, "no_longer_failing": r.subjects.no_longer_failing,
                    "revised": r.revised,
                })
            })
            .collect()
    });
    let ctx = serde_json::json!({
        "chart": chart,
        "previous": previous.map(|d| serde_json::json!({ "file": d.old.file, "title": d.old.title, "summary": d.summary })),
        "changes": changes,
        "title": ar.metadata.title,
        "target": result.and_then(|r| r.props.iter().find(|p| p.name == "target")).map(|p| p.value.clone()).unwrap_or_else(|| result.map(|r| r.title.clone()).unwrap_or_default()),
        "start": result.map(|r| r.start.clone()).unwrap_or_default(),
        "end": result.and_then(|r| r.end.clone()).unwrap_or_default(),
        "tool": ar.metadata.props.iter().find(|p| p.name == "tool").map(|p| p.value.clone()).unwrap_or_default(),
        "stig": index.map(|i| format!("{} {} ({})", i.stig.title, i.stig.version, i.stig.release_info)).unwrap_or_default(),
        "summary": rows,
        "rules": rules,
        "failures": failures,
    });

    match format {
        Format::Html => super::templates::render("report.html.j2", ctx),
        Format::Markdown => super::templates::render("report.md.j2", ctx),
    }
}

/// Verdicts by severity, drawn inline (SVG, no external assets): one stacked bar per CAT, the
/// failures first. Only numbers and fixed labels go into it, so it is safe to embed unescaped.
fn chart(rows: &[Row]) -> String {
    const SEGMENTS: [(&str, &str, &str); 4] =
        [("fail", "Fail", "#cf222e"), ("nr", "Not reviewed", "#d4a72c"), ("pass", "Pass", "#1a7f37"), ("na", "Not applicable", "#8c959f")];
    let (label_w, bar_w, bar_h, gap, top) = (70.0, 560.0, 22.0, 10.0, 28.0);
    let max = rows.iter().map(|r| r.total).max().unwrap_or(0).max(1) as f64;
    let height = top + rows.len() as f64 * (bar_h + gap) + 4.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"chart-title\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n<title id=\"chart-title\">Verdicts by severity</title>\n",
        w = label_w + bar_w + 60.0
    );
    // The legend along the top.
    let mut x = label_w;
    for (_, label, color) in SEGMENTS {
        svg.push_str(&format!("<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{}\" y=\"14\">{label}</text>\n", x + 16.0));
        x += 16.0 + 8.0 * label.len() as f64 + 16.0;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        svg.push_str(&format!("<text x=\"0\" y=\"{}\">{}</text>\n", y + bar_h * 0.7, r.severity));
        let mut x = label_w;
        for (key, label, color) in SEGMENTS {
            let n = match key {
                "fail" => r.fail,
                "nr" => r.nr,
                "pass" => r.pass,
                _ => r.na,
            };
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{color}\"><title>{} {label}: {n}</title></rect>\n",
                r.severity
            ));
            if w >= 18.0 {
                svg.push_str(&format!("<text x=\"{:.1}\" y=\"{}\" fill=\"#fff\" text-anchor=\"middle\">{n}</text>\n", x + w / 2.0, y + bar_h * 0.7));
            }
            x += w;
        }
        svg.push_str(&format!("<text x=\"{:.1}\" y=\"{}\">{}</text>\n", x + 6.0, y + bar_h * 0.7, r.total));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_draws_one_bar_per_severity_scaled_to_the_largest() {
        let rows = vec![
            Row { severity: "CAT I", pass: 1, fail: 2, na: 0, nr: 1, total: 4 },
            Row { severity: "CAT II", pass: 0, fail: 8, na: 0, nr: 0, total: 8 },
        ];
        let svg = chart(&rows);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>CAT I Fail: 2</title>") && svg.contains("<title>CAT II Fail: 8</title>"));
        // CAT II's 8 failures span the whole bar; CAT I's 2 a quarter of it.
        assert!(svg.contains("width=\"560.0\" height=\"22\" fill=\"#cf222e\""), "{svg}");
        assert!(svg.contains("width=\"140.0\" height=\"22\" fill=\"#cf222e\""), "{svg}");
        assert!(!svg.contains("Not applicable: 0"), "empty segments are not drawn");
    }
}
