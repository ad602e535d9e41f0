//! OSCAL assessment-results from an [`Assessment`]: one result; one observation per rule and
//! subject group (failed / excepted / not-assessed / passed); one finding per rule, targeting the rule; a risk
//! per failed rule. UUIDs are v5 from content and dates come from the evidence, so the same
//! evidence gives the same bytes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::assess::{Assessment, Outcome, RuleResult, Status, Subject};
use crate::ids::uuid_v5;
use crate::oscal::assessment_common::{
    Finding, FindingTarget, ObjectiveStatus, Observation, Origin, OriginActor, RelatedObservation, RelatedRisk, RelevantEvidence, Risk,
    SubjectReference,
};
use crate::oscal::assessment_results::{AssessmentResult, AssessmentResults, ImportAp};
use crate::oscal::{BackMatter, Hash, Link, Metadata, Property, Resource, ResourceLink, OSCAL_VERSION};
use crate::stig::{RuleIndex, RuleInfo, NS};

/// Where the evidence snapshot sits relative to the document (`OUT/evidence` for a live run).
pub const EVIDENCE_PREFIX: &str = "evidence/";

const TOOL: &str = concat!("oscal-stig ", env!("CARGO_PKG_VERSION"));

fn p(name: &str, value: impl Into<String>) -> Property {
    Property::with_ns(name, NS, value.into())
}

/// Prop values must be non-empty without surrounding white space.
fn clean(s: &str) -> String {
    let t = shown_target(s);
    if t.is_empty() { "-".into() } else { t }
}

/// The assessment plan, linked (the file `assess` writes beside the results) and embedded, so
/// `import-ap` resolves wherever the results travel.
fn plan_resource(uuid: String, plan: &str) -> Resource {
    use base64::Engine;
    let name = super::assessment_plan::FILE_NAME;
    let media_type = "application/oscal.ap+json";
    let mut extra = crate::oscal::Extra::new();
    extra.insert("base64".into(), json!({ "filename": name, "media-type": media_type, "value": base64::engine::general_purpose::STANDARD.encode(plan) }));
    Resource {
        uuid,
        title: Some("Assessment plan".into()),
        description: Some("The plan these results carry out: the STIG's rules as activities, the target, the site parameters.".into()),
        rlinks: vec![ResourceLink {
            href: name.into(),
            media_type: Some(media_type.into()),
            hashes: vec![Hash { algorithm: "SHA-256".into(), value: crate::stig::xccdf::hex_sha256(plan.as_bytes()) }],
            ..Default::default()
        }],
        extra,
        ..Default::default()
    }
}

/// The target as documents show it: on one line, and without the local path of the CA file the
/// collector trusted (`tcp://host:443 (TLS, CA /home/me/bundle/ca.pem)` -> `... (TLS)`), which
/// says nothing about the system and names the assessor's machine. UUIDs still derive from the
/// target as recorded.
pub fn shown_target(target: &str) -> String {
    let mut t = crate::emit::single_line(target);
    if let Some(start) = t.find(" (TLS, CA ") {
        if let Some(len) = t[start..].find(')') {
            t.replace_range(start..start + len + 1, " (TLS)");
        }
    }
    t
}

fn subject_line(s: &Subject) -> String {
    let mut line = format!("{} `{}`", s.kind.as_str(), s.name);
    if !s.id.is_empty() && s.id != s.name {
        line.push_str(&format!(" ({})", crate::assess::prefix(&s.id, 12)));
    }
    let facts: Vec<String> = s.facts.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    if !facts.is_empty() {
        line.push_str(&format!(": {}", facts.join("; ")));
    }
    if let Some(n) = s.note() {
        line.push_str(&format!(" — {n}"));
    }
    line
}

struct Builder<'a> {
    a: &'a Assessment,
    result_uuid: String,
    tool_uuid: String,
    inventory: BTreeMap<String, Value>,
}

impl Builder<'_> {
    fn origin(&self) -> Vec<Origin> {
        vec![Origin { actors: vec![OriginActor { actor_type: "tool".into(), actor_uuid: self.tool_uuid.clone(), ..Default::default() }], ..Default::default() }]
    }

    fn inventory_uuid(&mut self, s: &Subject) -> String {
        let key = format!("{}:{}", s.kind.as_str(), if s.id.is_empty() { &s.name } else { &s.id });
        let uuid = uuid_v5(&["inventory-item", &self.a.target, &key]).to_string();
        self.inventory.entry(key).or_insert_with(|| {
            let mut props = vec![p("asset-kind", s.kind.as_str()), p("name", clean(&s.name))];
            if !s.id.is_empty() {
                props.push(p("id", clean(&s.id)));
            }
            json!({ "uuid": uuid, "description": format!("{} {}", s.kind.as_str(), s.name), "props": props })
        });
        uuid
    }

    /// The evidence a rule reads that this run has: stored answers with their digest, and
    /// the checks that keep no file (TLS chains, host evidence).
    fn evidence(&self, r: &RuleResult) -> Vec<RelevantEvidence> {
        r.evidence
            .iter()
            .filter_map(|key| {
                let endpoint = key.endpoint();
                let stored = match key.file() {
                    Some(file) => Some(self.a.evidence_files.iter().find(|(f, _)| f == file)?),
                    None => None,
                };
                let mut props = vec![p("endpoint", endpoint)];
                if let Some((_, sha)) = stored {
                    props.push(p("sha256", sha.clone()));
                }
                Some(RelevantEvidence {
                    href: stored.map(|(f, _)| format!("{EVIDENCE_PREFIX}{f}")),
                    description: format!("{endpoint} (collected from {})", clean(&self.a.target)),
                    props,
                    ..Default::default()
                })
            })
            .collect()
    }

    fn observation(&mut self, r: &RuleResult, group: &str, subjects: &[&Subject], info: Option<&RuleInfo>) -> Observation {
        let title = info.map(|i| i.title.as_str()).unwrap_or("");
        let mut description = format!("{}: {}\n\n{}", r.rule, title, r.reason);
        if !subjects.is_empty() {
            description.push_str("\n");
            for s in subjects {
                description.push_str(&format!("\n- {}", subject_line(s)));
            }
        }
        let hidden = r.passed_total.saturating_sub(r.subjects.iter().filter(|s| s.ok()).count());
        if group == "passed" && hidden > 0 {
            description.push_str(&format!("\n- ... and {hidden} more passing subject(s), not listed"));
        }
        let refs: Vec<SubjectReference> = subjects
            .iter()
            .map(|s| {
                let uuid = self.inventory_uuid(s);
                let mut props: Vec<Property> = s.facts.iter().map(|(k, v)| p("deciding-value", clean(&format!("{k}={v}")))).collect();
                props.push(p("subject-result", s.outcome.as_str()));
                if let Outcome::Excepted { by, justification } = &s.outcome {
                    props.push(p("excepted-by", clean(by)));
                    props.push(p("justification", clean(justification)));
                }
                SubjectReference { subject_uuid: uuid, subject_type: "inventory-item".into(), title: Some(format!("{} {}", s.kind.as_str(), s.name)), props, ..Default::default() }
            })
            .collect();
        Observation {
            uuid: uuid_v5(&["observation", &self.result_uuid, &r.rule, group]).to_string(),
            title: Some(format!("{} {group}", r.rule)),
            description,
            props: vec![p("vuln-id", r.rule.clone()), p("subject-group", group)],
            methods: vec!["TEST".into()],
            types: vec![if group == "failed" { "finding" } else { "control-objective" }.into()],
            origins: self.origin(),
            subjects: refs,
            relevant_evidence: self.evidence(r),
            collected: self.a.finished.clone(),
            ..Default::default()
        }
    }
}

/// Writes the assessment-results document.
pub fn build(a: &Assessment, index: &RuleIndex) -> AssessmentResults {
    let doc_uuid = uuid_v5(&["assessment-results", &a.target, &a.started, &a.finished, &a.manifest_sha256, &index.stig.profile_uuid]).to_string();
    let result_uuid = uuid_v5(&["result", &doc_uuid]).to_string();
    let tool_uuid = uuid_v5(&["component", "oscal-stig"]).to_string();
    let target_uuid = uuid_v5(&["component", "target", &a.target]).to_string();
    let plan_uuid = uuid_v5(&["assessment-plan", &doc_uuid]).to_string();
    let evidence_uuid = uuid_v5(&["evidence", &a.manifest_sha256]).to_string();
    let mut b = Builder { a, result_uuid: result_uuid.clone(), tool_uuid: tool_uuid.clone(), inventory: BTreeMap::new() };

    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut risks = Vec::new();
    let mut controls: Vec<String> = Vec::new();
    for r in &a.results {
        let info = index.get(&r.rule);
        for c in info.map(|i| i.controls.clone()).unwrap_or_default() {
            if !controls.contains(&c) {
                controls.push(c);
            }
        }
        let group = |f: fn(&Outcome) -> bool| -> Vec<&Subject> { r.subjects.iter().filter(|s| f(&s.outcome)).collect() };
        let failed = group(|o| *o == Outcome::Fail);
        let excepted = group(|o| matches!(o, Outcome::Excepted { .. }));
        let unknown = group(|o| matches!(o, Outcome::Unknown(_)));
        let passed = group(|o| matches!(o, Outcome::Pass | Outcome::NotApplicable));
        let mut related = Vec::new();
        for (group, subjects) in [("failed", &failed), ("excepted", &excepted), ("not-assessed", &unknown), ("passed", &passed)] {
            if !subjects.is_empty() {
                let o = b.observation(r, group, subjects, info);
                related.push(RelatedObservation { observation_uuid: o.uuid.clone() });
                observations.push(o);
            }
        }
        if related.is_empty() {
            let o = b.observation(r, "no-subjects", &[], info);
            related.push(RelatedObservation { observation_uuid: o.uuid.clone() });
            observations.push(o);
        }

        let mut props = vec![p("vuln-id", r.rule.clone()), p("stig-status", r.status.ckl()), p("verdict", r.status.as_str()), p("assessed", r.assessed.to_string())];
        if let Some(i) = info {
            props.extend([p("rule-id", i.rule_id.clone()), p("stig-id", i.stig_id.clone()), p("severity", i.severity.as_str()), p("category", i.severity.category())]);
            props.extend(i.ccis.iter().map(|c| p("cci", c.clone())));
            props.extend(i.controls.iter().map(|c| p("control", c.clone())));
        }
        let related_risks = if r.status == Status::Fail {
            let risk_uuid = uuid_v5(&["risk", &result_uuid, &r.rule]).to_string();
            let (sev, fix) = info.map(|i| (i.severity.category(), i.fix.as_str())).unwrap_or(("", ""));
            risks.push(Risk {
                uuid: risk_uuid.clone(),
                title: format!("{} ({sev}): {}", r.rule, info.map(|i| i.title.as_str()).unwrap_or("")),
                description: info.map(|i| i.discussion.clone()).filter(|d| !d.is_empty()).unwrap_or_else(|| r.reason.clone()),
                statement: format!("{}\n\nFix (DISA): {fix}", r.reason),
                props: info.map(|i| vec![p("vuln-id", r.rule.clone()), p("severity", i.severity.as_str()), p("category", i.severity.category())]).unwrap_or_default(),
                status: "open".into(),
                origins: b.origin(),
                related_observations: related.clone(),
                ..Default::default()
            });
            vec![RelatedRisk { risk_uuid }]
        } else {
            vec![]
        };
        let (state, reason) = match r.status {
            Status::Pass => ("satisfied", "pass"),
            Status::Fail => ("not-satisfied", "fail"),
            Status::NotApplicable => ("satisfied", "other"),
            Status::NotReviewed => ("not-satisfied", "other"),
        };
        let mut description = r.reason.clone();
        if !a.modified_evidence.is_empty() {
            // Assessed with --allow-modified-evidence: no result may read as if it were not.
            props.push(p("evidence-integrity", "modified"));
            description = format!("Decided on modified evidence (it does not match its seal: {}). {description}", a.modified_evidence.join("; "));
        }
        findings.push(Finding {
            uuid: uuid_v5(&["finding", &result_uuid, &r.rule]).to_string(),
            title: format!("{}: {}", r.rule, info.map(|i| i.title.as_str()).unwrap_or("")),
            description,
            props,
            origins: b.origin(),
            // The rule's part in the STIG profile, which a resolver can follow (the V- id is
            // the vuln-id prop); a rule no control holds has no part, so its V- id stands.
            target: FindingTarget {
                target_type: "statement-id".into(),
                target_id: info.and_then(|i| i.part_id.clone()).unwrap_or_else(|| r.rule.clone()),
                title: info.map(|i| i.title.clone()),
                status: ObjectiveStatus { state: state.into(), reason: Some(reason.into()), remarks: Some(format!("{}: {}", r.status.ckl(), r.reason)), ..Default::default() },
                ..Default::default()
            },
            related_observations: related,
            related_risks,
            ..Default::default()
        });
    }

    let components = json!([
        { "uuid": tool_uuid, "type": "software", "title": "oscal-stig", "description": format!("{TOOL}: automated DISA STIG assessment"),
          "props": [p("version", env!("CARGO_PKG_VERSION"))], "status": { "state": "operational" } },
        { "uuid": target_uuid, "type": "software", "title": format!("Assessed system: {}", clean(&a.target)),
          "description": "The system the evidence was collected from (for MKE, through its API: the whole cluster's engines).", "status": { "state": "operational" } }
    ]);
    let mut local = serde_json::Map::new();
    local.insert("components".into(), components);
    if !b.inventory.is_empty() {
        local.insert("inventory-items".into(), Value::Array(b.inventory.values().cloned().collect()));
    }
    let count = |s: Status| a.results.iter().filter(|r| r.status == s).count();
    let result = AssessmentResult {
        uuid: result_uuid,
        title: format!("{} {}: automated assessment of {}", index.stig.title, index.stig.version, clean(&a.target)),
        description: format!(
            "{} rules decided from the collected evidence: {} pass, {} fail, {} not applicable, {} not reviewed. Orchestrator: {}.",
            a.results.len(),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::NotApplicable),
            count(Status::NotReviewed),
            a.orchestrator
        ),
        start: a.started.clone(),
        end: Some(a.finished.clone()),
        props: vec![p("target", clean(&a.target)), p("stig-version", index.stig.version.clone())],
        local_definitions: Some(Value::Object(local)),
        reviewed_controls: json!({
            "description": "NIST SP 800-53 Rev. 5 controls the assessed STIG rules map to through DISA's CCI list.",
            "control-selections": [{ "include-controls": controls.iter().map(|c| json!({"control-id": c})).collect::<Vec<_>>() }]
        }),
        observations,
        risks,
        findings,
        ..Default::default()
    };
    // MKE's own /oscal answers travel with the results as back-matter, for reference only:
    // they are pre-1.0 OSCAL about 800-53 rev4 / CIS, never used to decide a STIG rule.
    let oscal_answers: Vec<Resource> = a
        .evidence_files
        .iter()
        .filter(|(f, _)| f.starts_with("mke/oscal-"))
        .map(|(f, sha)| Resource {
            uuid: uuid_v5(&["mke-oscal", f, sha]).to_string(),
            title: Some(format!("MKE /oscal answer: {}", f.trim_start_matches("mke/oscal-").trim_end_matches(".json"))),
            description: Some("Served by MKE's built-in /oscal endpoint; kept as evidence, not used to decide any STIG rule.".into()),
            rlinks: vec![ResourceLink {
                href: format!("{EVIDENCE_PREFIX}{f}"),
                media_type: Some("application/json".into()),
                hashes: vec![Hash { algorithm: "SHA-256".into(), value: sha.clone() }],
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    AssessmentResults {
        uuid: doc_uuid,
        metadata: Metadata {
            title: format!("{} {} assessment results: {}", index.stig.title, index.stig.version, clean(&a.target)),
            last_modified: a.finished.clone(),
            version: "1".into(),
            oscal_version: OSCAL_VERSION.into(),
            props: vec![p("tool", TOOL)],
            links: vec![Link { href: format!("#{evidence_uuid}"), rel: Some("reference".into()), text: Some("evidence snapshot".into()), ..Default::default() }],
            ..Default::default()
        },
        import_ap: ImportAp { href: format!("#{plan_uuid}"), remarks: None },
        results: vec![result],
        back_matter: Some(BackMatter {
            resources: vec![
                plan_resource(plan_uuid, &super::assessment_plan::of_assessment(a, index)),
                Resource {
                    uuid: evidence_uuid,
                    title: Some("Evidence snapshot".into()),
                    description: Some(format!("Raw answers collected from {} between {} and {} (secret values redacted).", clean(&a.target), a.started, a.finished)),
                    rlinks: vec![ResourceLink {
                        href: format!("{EVIDENCE_PREFIX}manifest.json"),
                        media_type: Some("application/json".into()),
                        hashes: vec![Hash { algorithm: "SHA-256".into(), value: a.manifest_sha256.clone() }],
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            ]
            .into_iter()
            .chain(oscal_answers)
            .collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}
