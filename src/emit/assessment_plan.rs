//! The OSCAL assessment plan of an automated STIG assessment: what will be assessed (the STIG's
//! rules, each an activity with DISA's check text, and the 800-53 controls they map to), on what
//! (the target), with which site parameters (the policy), by which tool. `oscal-stig plan` writes
//! it before an assessment; `assess` writes it beside the results and embeds it in their
//! back-matter, so the results' `import-ap` resolves even when the file travels alone.

use serde_json::{json, Value};

use crate::ids::uuid_v5;
use crate::oscal::assessment_plan::AssessmentPlan;
use crate::oscal::OscalModel;
use crate::stig::{RuleIndex, NS};

const TOOL: &str = concat!("oscal-stig ", env!("CARGO_PKG_VERSION"));

/// What a plan is for besides the STIG.
pub struct PlanInput<'a> {
    /// The system to assess, as the results will name it.
    pub target: &'a str,
    /// Site parameters (name, compact JSON): [`crate::policy::Policy::parameters`].
    pub parameters: &'a [(String, String)],
    /// The plan's last-modified date (the assessment's start, or the STIG profile's date), so
    /// the same inputs give the same bytes.
    pub timestamp: &'a str,
    /// Where the system security plan is (`--ssp`); none: the plan says it was not supplied.
    pub ssp: Option<&'a str>,
}

fn p(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "ns": NS, "value": value.into() })
}

pub fn build(index: &RuleIndex, input: &PlanInput) -> AssessmentPlan {
    let target = super::assessment_results::shown_target(input.target);
    let params = serde_json::to_string(input.parameters).unwrap_or_default();
    let uuid = uuid_v5(&["assessment-plan", &index.stig.profile_uuid, input.target, &params, input.ssp.unwrap_or("")]).to_string();
    let tool_uuid = uuid_v5(&["component", "oscal-stig"]).to_string();
    let target_uuid = uuid_v5(&["component", "target", input.target]).to_string();
    let ssp_uuid = uuid_v5(&["ssp", &uuid]).to_string();
    let xccdf_uuid = uuid_v5(&["stig-xccdf", &index.stig.profile_uuid]).to_string();

    let mut controls: Vec<&str> = Vec::new();
    let activities: Vec<Value> = index
        .rules()
        .iter()
        .map(|r| {
            for c in &r.controls {
                if !controls.contains(&c.as_str()) {
                    controls.push(c);
                }
            }
            // NIST requires an activity's method: the tool tests the system's configuration.
            let mut props = vec![json!({ "name": "method", "value": "TEST" }), p("vuln-id", &r.vuln_id), p("stig-id", &r.stig_id), p("severity", r.severity.as_str())];
            props.extend(r.ccis.iter().map(|c| p("cci", c)));
            let check = r.check.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("DISA's automated (SCAP) check; no manual check text.");
            let mut activity = json!({
                "uuid": uuid_v5(&["activity", &uuid, &r.vuln_id]).to_string(),
                "title": crate::emit::single_line(&format!("{}: {}", r.vuln_id, r.title)),
                "description": check,
                "props": props,
                "related-controls": { "control-selections": [{ "include-controls": r.controls.iter().map(|c| json!({ "control-id": c })).collect::<Vec<_>>() }] },
            });
            if r.controls.is_empty() {
                activity.as_object_mut().map(|a| a.remove("related-controls"));
            }
            activity
        })
        .collect();
    let task = json!({
        "uuid": uuid_v5(&["task", &uuid]).to_string(),
        "type": "action",
        "title": format!("Automated assessment of the {} {}", index.stig.title, index.stig.version),
        "description": format!("{TOOL} collects the evidence each rule of the {} {} ({}) needs from {target}. A rule passes only on complete evidence for the whole population it names; missing or partial evidence leaves it not reviewed, with what is missing, for the assessor.", index.stig.title, index.stig.version, index.stig.release_info),
        // The site policy's values for the STIG's organization-defined parameters. (Not
        // terms-and-conditions parts: NIST 1.2.3's has-cardinality on assessment parts wants a
        // method prop on every part, objective or not.)
        "props": input.parameters.iter().map(|(name, value)| p("site-parameter", format!("{name}={value}"))).collect::<Vec<_>>(),
        "associated-activities": activities.iter().map(|a| json!({
            "activity-uuid": a["uuid"],
            "subjects": [{ "type": "component", "include-subjects": [{ "subject-uuid": target_uuid, "type": "component" }] }],
        })).collect::<Vec<_>>(),
        "responsible-roles": [{ "role-id": "assessor" }],
    });
    let ssp_resource = match input.ssp {
        Some(href) => json!({ "uuid": ssp_uuid, "title": "System security plan", "rlinks": [{ "href": href }] }),
        None => json!({
            "uuid": ssp_uuid, "title": "System security plan (not supplied)",
            "description": "oscal-stig was not given the system's SSP: place it beside this plan as ssp.json, or give its location with --ssp.",
            "rlinks": [{ "href": "ssp.json", "media-type": "application/oscal.ssp+json" }],
        }),
    };
    let mut task = task;
    if input.parameters.is_empty() {
        task.as_object_mut().map(|t| t.remove("props"));
    }
    let mut resources = vec![ssp_resource];
    if !index.stig.source_file.is_empty() {
        resources.push(json!({ "uuid": xccdf_uuid, "title": format!("{} {} (DISA XCCDF)", index.stig.title, index.stig.version),
            "rlinks": [{ "href": index.stig.source_file, "media-type": "application/xml" }] }));
    }
    let doc = json!({ "assessment-plan": {
        "uuid": uuid,
        "metadata": {
            "title": crate::emit::single_line(&format!("{} {} assessment plan: {target}", index.stig.title, index.stig.version)),
            "last-modified": input.timestamp,
            "version": "1",
            "oscal-version": crate::oscal::OSCAL_VERSION,
            "roles": [{ "id": "assessor", "title": "Assessor" }],
            "props": [p("tool", TOOL)],
        },
        "import-ssp": { "href": format!("#{ssp_uuid}") },
        "local-definitions": {
            "components": [
                { "uuid": tool_uuid, "type": "software", "title": "oscal-stig", "description": format!("{TOOL}: automated DISA STIG assessment"), "status": { "state": "operational" } },
                { "uuid": target_uuid, "type": "software", "title": format!("Assessed system: {target}"), "description": "The system to assess.", "status": { "state": "operational" } },
            ],
            "activities": activities,
        },
        "reviewed-controls": {
            "description": "NIST SP 800-53 controls the STIG's rules map to through DISA's CCI list.",
            "control-selections": [{ "include-controls": controls.iter().map(|c| json!({ "control-id": c })).collect::<Vec<_>>() }],
        },
        "assessment-subjects": [{ "type": "component", "include-subjects": [{ "subject-uuid": target_uuid, "type": "component" }] }],
        "assessment-assets": { "assessment-platforms": [{
            "uuid": uuid_v5(&["assessment-platform", &uuid]).to_string(), "title": TOOL,
            "uses-components": [{ "component-uuid": tool_uuid }],
        }] },
        "tasks": [task],
        "back-matter": { "resources": resources },
    }});
    // The structure is fixed above; a failure here is a bug caught by the tests.
    AssessmentPlan::from_value(doc).expect("the assessment plan's own structure")
}

/// The file name `assess` writes the plan under, beside the results (their back-matter links it).
pub const FILE_NAME: &str = "assessment-plan.json";

/// The plan of an assessment as written (the bytes the results' back-matter embeds and hashes).
pub fn of_assessment(a: &crate::assess::Assessment, index: &RuleIndex) -> String {
    build(index, &PlanInput { target: &a.target, parameters: &a.parameters, timestamp: &a.started, ssp: None }).to_json_pretty()
}
