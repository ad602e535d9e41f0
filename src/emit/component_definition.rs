//! An OSCAL component-definition for MKE: the STIG rules as implemented-requirements under the
//! 800-53 controls they map to, each described (from `templates/`) with how MKE meets it.
//! Given assessment-results, each requirement's implementation status follows the verdicts.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::uuid_v5;
use crate::oscal::assessment_results::AssessmentResults;
use crate::oscal::component_definition::{ComponentDefinition, ControlImplementationSet, DefinedComponent, ImplementedRequirement};
use crate::oscal::{Metadata, Property, OSCAL_VERSION};
use crate::stig::{RuleIndex, NS};

#[derive(Serialize)]
struct RuleCtx {
    vuln_id: String,
    category: &'static str,
    title: String,
    fix: String,
    status: String,
}

/// `ac-2.11` -> ("ac", 2, 11) so ac-2.11 sorts after ac-2.4.
fn control_key(id: &str) -> (String, u32, u32) {
    let (fam, rest) = id.split_once('-').unwrap_or((id, ""));
    let (base, enh) = rest.split_once('.').unwrap_or((rest, "0"));
    (fam.to_string(), base.parse().unwrap_or(0), enh.parse().unwrap_or(0))
}

/// NIST's way of writing a control id: `ac-2.1` -> `AC-2(1)`.
fn control_label(id: &str) -> String {
    match id.split_once('.') {
        Some((base, enh)) => format!("{}({enh})", base.to_ascii_uppercase()),
        None => id.to_ascii_uppercase(),
    }
}

fn first_paragraph(s: &str) -> String {
    let p = s.split("\n\n").next().unwrap_or(s).trim();
    p.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub struct Options<'a> {
    pub component_title: &'a str,
    /// The profile the implementations satisfy (href written as `source`).
    pub source: &'a str,
    /// last-modified when there are no results (then the results' date is used).
    pub timestamp: &'a str,
}

pub fn build(index: &RuleIndex, results: Option<&AssessmentResults>, opts: &Options) -> ComponentDefinition {
    let verdict_of = |vuln: &str| -> Option<String> {
        let f = results?.results.first()?.findings.iter().find(|f| f.rule_id() == vuln)?;
        f.props.iter().find(|p| p.name == "verdict" && p.ns.as_deref() == Some(NS)).map(|p| p.value.clone())
    };
    let mut by_control: BTreeMap<(String, u32, u32), (String, Vec<&crate::stig::RuleInfo>)> = BTreeMap::new();
    for r in index.rules() {
        for c in &r.controls {
            by_control.entry(control_key(c)).or_insert_with(|| (c.clone(), Vec::new())).1.push(r);
        }
    }
    let comp_uuid = uuid_v5(&["component", opts.component_title, &index.stig.profile_uuid]).to_string();
    let reqs: Vec<ImplementedRequirement> = by_control
        .into_values()
        .map(|(control, rules)| {
            let ctx_rules: Vec<RuleCtx> = rules
                .iter()
                .map(|r| RuleCtx {
                    vuln_id: r.vuln_id.clone(),
                    category: r.severity.category(),
                    title: r.title.clone(),
                    fix: first_paragraph(&r.fix),
                    status: verdict_of(&r.vuln_id).unwrap_or_else(|| "not assessed".into()),
                })
                .collect();
            let description = super::templates::render(
                "implemented_requirement.md.j2",
                serde_json::json!({ "component": opts.component_title, "control": control_label(&control), "stig": format!("{} {}", index.stig.title, index.stig.version), "rules": ctx_rules, "results": results.is_some() }),
            );
            let mut props: Vec<Property> = rules.iter().map(|r| Property::with_ns("vuln-id", NS, r.vuln_id.clone())).collect();
            let mut ccis: Vec<&String> = rules.iter().flat_map(|r| &r.ccis).collect();
            ccis.sort();
            ccis.dedup();
            props.extend(ccis.into_iter().map(|c| Property::with_ns("cci", NS, c.clone())));
            // Only assessed rules speak for the control; with none, no status is claimed.
            let verdicts: Vec<String> = rules.iter().filter_map(|r| verdict_of(&r.vuln_id)).filter(|v| v != "not-reviewed").collect();
            if results.is_some() {
                props.push(Property::with_ns("assessed-rules", NS, format!("{} of {}", verdicts.len(), rules.len())));
            }
            if !verdicts.is_empty() {
                let n = |v: &str| verdicts.iter().filter(|x| *x == v).count();
                let status = if n("not-applicable") == verdicts.len() {
                    "not-applicable"
                } else if n("fail") == 0 && n("pass") + n("not-applicable") == verdicts.len() {
                    "implemented"
                } else if n("pass") > 0 {
                    "partial"
                } else {
                    "planned"
                };
                // In our namespace: NIST's constraints allow only `marking` as an OSCAL-namespace
                // prop of an implemented-requirement (OSCAL's implementation-status is an SSP
                // by-component field, not a component-definition prop).
                props.push(Property::with_ns("implementation-status", NS, status));
            }
            ImplementedRequirement {
                uuid: uuid_v5(&["implemented-requirement", &comp_uuid, &control]).to_string(),
                control_id: control,
                description,
                props,
                ..Default::default()
            }
        })
        .collect();
    let last_modified = results.map(|r| r.metadata.last_modified.clone()).unwrap_or_else(|| opts.timestamp.to_string());
    ComponentDefinition {
        uuid: uuid_v5(&["component-definition", &comp_uuid, &last_modified, results.map(|r| r.uuid.as_str()).unwrap_or("")]).to_string(),
        metadata: Metadata {
            title: format!("{}: {} {} component definition", opts.component_title, index.stig.title, index.stig.version),
            last_modified,
            version: index.stig.version.clone(),
            oscal_version: OSCAL_VERSION.into(),
            props: vec![Property::with_ns("tool", NS, concat!("oscal-stig ", env!("CARGO_PKG_VERSION")))],
            ..Default::default()
        },
        components: vec![DefinedComponent {
            uuid: comp_uuid.clone(),
            component_type: "software".into(),
            title: opts.component_title.into(),
            description: format!("{} (container platform), configured per the {} {}.", opts.component_title, index.stig.title, index.stig.version),
            purpose: Some("Container orchestration platform hosting the system's workloads.".into()),
            props: vec![Property::with_ns("stig-release", NS, index.stig.release_info.clone())],
            control_implementations: vec![ControlImplementationSet {
                uuid: uuid_v5(&["control-implementation", &comp_uuid]).to_string(),
                source: opts.source.into(),
                description: format!("NIST SP 800-53 controls met by {} through the {} rules, mapped with DISA's CCI list.", opts.component_title, index.stig.title),
                implemented_requirements: reqs,
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    }
}
