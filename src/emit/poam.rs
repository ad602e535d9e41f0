//! An OSCAL plan of action and milestones from assessment-results: one poam-item per open
//! finding, with its observations and risk, and a scheduled completion date by severity.

use crate::ids::uuid_v5;
use crate::oscal::assessment_common::RelatedRisk;
use crate::oscal::assessment_results::AssessmentResults;
use crate::oscal::poam::{PlanOfActionAndMilestones, PoamItem};
use crate::oscal::{Metadata, Property, OSCAL_VERSION};
use crate::stig::{ns_prop, NS};

/// Days from the assessment to scheduled completion, per category.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    pub cat1: i64,
    pub cat2: i64,
    pub cat3: i64,
}

impl Default for Deadlines {
    /// 30 / 90 / 180 days, a common DoD practice for CAT I / II / III; sites set their own.
    fn default() -> Self {
        Deadlines { cat1: 30, cat2: 90, cat3: 180 }
    }
}

pub fn build(ar: &AssessmentResults, d: Deadlines) -> Result<PlanOfActionAndMilestones, String> {
    let result = ar.results.first().ok_or("the assessment-results document has no result")?;
    let base = result.end.as_deref().unwrap_or(&result.start);
    let base = chrono::DateTime::parse_from_rfc3339(base).map_err(|e| format!("result end \"{base}\" is not a date-time: {e}"))?;
    let open: Vec<_> = result.findings.iter().filter(|f| ns_prop(&f.props, "stig-status") == Some("Open")).collect();
    let mut items = Vec::new();
    let mut risks = Vec::new();
    let mut observations = Vec::new();
    for f in &open {
        let days = match ns_prop(&f.props, "category") {
            Some("CAT I") => d.cat1,
            Some("CAT III") => d.cat3,
            _ => d.cat2,
        };
        // Days are bounded by the CLI (0-36,500); a library caller's out-of-range value is an error, not a panic.
        let due = chrono::Duration::try_days(days)
            .and_then(|d| base.checked_add_signed(d))
            .ok_or_else(|| format!("{days} days after {base} is not a representable date"))?
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        for r in &f.related_risks {
            if let Some(risk) = result.risks.iter().find(|x| x.uuid == r.risk_uuid && !risks.iter().any(|y: &crate::oscal::assessment_common::Risk| y.uuid == x.uuid)) {
                let mut risk = risk.clone();
                risk.deadline = Some(due.clone());
                risks.push(risk);
            }
        }
        for o in &f.related_observations {
            if let Some(obs) = result.observations.iter().find(|x| x.uuid == o.observation_uuid) {
                observations.push(obs.clone());
            }
        }
        let mut props = vec![Property::with_ns("vuln-id", NS, f.rule_id().to_string()), Property::with_ns("scheduled-completion-date", NS, due.clone())];
        if let Some(c) = ns_prop(&f.props, "category") {
            props.push(Property::with_ns("category", NS, c));
        }
        items.push(PoamItem {
            uuid: Some(uuid_v5(&["poam-item", &ar.uuid, &f.uuid]).to_string()),
            title: f.title.clone(),
            description: format!("{}\n\nScheduled completion: {due} ({days} days after the assessment).", f.description),
            props,
            related_findings: vec![serde_json::json!({ "finding-uuid": f.uuid })],
            related_observations: f.related_observations.clone(),
            related_risks: f.related_risks.iter().map(|r| RelatedRisk { risk_uuid: r.risk_uuid.clone() }).collect(),
            ..Default::default()
        });
    }
    let local_definitions = local_definitions(result.local_definitions.as_ref(), &observations);
    Ok(PlanOfActionAndMilestones {
        uuid: uuid_v5(&["poam", &ar.uuid, &format!("{}-{}-{}", d.cat1, d.cat2, d.cat3)]).to_string(),
        metadata: Metadata {
            title: format!("POA&M: {}", ar.metadata.title),
            last_modified: ar.metadata.last_modified.clone(),
            version: "1".into(),
            oscal_version: OSCAL_VERSION.into(),
            parties: ar.metadata.parties.clone(),
            ..Default::default()
        },
        local_definitions,
        observations,
        risks,
        findings: open.into_iter().cloned().collect(),
        poam_items: items,
        ..Default::default()
    })
}

/// What the copied observations and origins reference, defined here so the POA&M stands alone
/// (NIST's constraints want every uuid reference to resolve in the document): the result's
/// components (the tool, the assessed system) and the inventory items its open observations
/// name as subjects.
fn local_definitions(ar_local: Option<&serde_json::Value>, observations: &[crate::oscal::assessment_common::Observation]) -> Option<serde_json::Value> {
    let ar_local = ar_local?;
    let named: std::collections::HashSet<&str> =
        observations.iter().flat_map(|o| &o.subjects).map(|s| s.subject_uuid.as_str()).collect();
    let mut local = serde_json::Map::new();
    if let Some(c) = ar_local.get("components").filter(|c| c.as_array().is_some_and(|a| !a.is_empty())) {
        local.insert("components".into(), c.clone());
    }
    let items: Vec<serde_json::Value> = ar_local
        .get("inventory-items")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("uuid").and_then(serde_json::Value::as_str).is_some_and(|u| named.contains(u)))
        .cloned()
        .collect();
    if !items.is_empty() {
        local.insert("inventory-items".into(), serde_json::Value::Array(items));
    }
    (!local.is_empty()).then_some(serde_json::Value::Object(local))
}
