//! Checklists <-> OSCAL assessment-results.
//!
//! - [`from_assessment`]: an oscal-stig assessment -> a checklist of every rule of the STIG.
//! - [`import`]: a checklist (also one an assessor filled in by hand in STIG Viewer) ->
//!   assessment-results, carrying the checklist itself in back-matter so that converting back
//!   loses nothing.
//! - [`merge`]: an assessor's checklist completes or overrides the tool's verdicts; each
//!   finding records who decided it, and both sides stay as observations.

use base64::Engine;
use serde_json::{json, Value};

use super::{cklb, Checklist, StigChecklist, Vuln};
use crate::emit::single_line;
use crate::ids::uuid_v5;
use crate::oscal::assessment_common::{Finding, FindingTarget, ObjectiveStatus, Observation, Origin, OriginActor, RelatedObservation, Risk};
use crate::oscal::assessment_results::{AssessmentResult, AssessmentResults, ImportAp};
use crate::oscal::{BackMatter, Hash, Metadata, Property, Resource, ResourceLink, OSCAL_VERSION};
use crate::stig::{ns_prop, RuleIndex, RuleInfo, NS};

const TOOL: &str = concat!("oscal-stig ", env!("CARGO_PKG_VERSION"));

fn p(name: &str, value: impl Into<String>) -> Property {
    let v: String = value.into();
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    Property::with_ns(name, NS, if v.is_empty() { "-".to_string() } else { v })
}

/// Asset fields the user gives on the command line (empty ones are left empty).
#[derive(Debug, Clone, Default)]
pub struct AssetInfo {
    pub host_name: String,
    pub host_ip: String,
    pub host_mac: String,
    pub host_fqdn: String,
    pub role: String,
    pub tech_area: String,
    pub comment: String,
}

impl AssetInfo {
    /// The asset a whole system is, named from the address it was assessed at (an API server's
    /// URL, `tcp://host:port (TLS)`): host name, IP or FQDN as the address allows. An address
    /// keeps its whole self as the host name (cut at its first dot, 127.0.0.1 would be "127",
    /// which STIG Manager takes for the asset's name).
    pub fn of_target(target: &str, comment: String) -> AssetInfo {
        let t = target.split("://").nth(1).unwrap_or(target);
        let hostport = t.split(['/', ' ']).next().unwrap_or(t);
        let host = match hostport.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.trim_matches(['[', ']']).to_string(),
            _ => hostport.to_string(),
        };
        let is_ip = host.parse::<std::net::IpAddr>().is_ok();
        AssetInfo {
            host_name: if is_ip { host.clone() } else { host.split('.').next().unwrap_or(&host).to_string() },
            host_ip: if is_ip { host.clone() } else { String::new() },
            host_fqdn: if is_ip || !host.contains('.') { String::new() } else { host.clone() },
            role: "None".into(),
            comment,
            ..Default::default()
        }
    }
}

/// STIG Viewer's ASSET block for a target.
fn asset(a: &AssetInfo, target_key: &str) -> Vec<(String, String)> {
    let role = if a.role.is_empty() { "None" } else { &a.role };
    [
        ("ROLE", role),
        ("ASSET_TYPE", "Computing"),
        ("HOST_NAME", &a.host_name),
        ("HOST_IP", &a.host_ip),
        ("HOST_MAC", &a.host_mac),
        ("HOST_FQDN", &a.host_fqdn),
        ("TARGET_COMMENT", &a.comment),
        ("TECH_AREA", &a.tech_area),
        ("TARGET_KEY", target_key),
        ("WEB_OR_DATABASE", "false"),
        ("WEB_DB_SITE", ""),
        ("WEB_DB_INSTANCE", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The STIG_DATA of a rule, in the order STIG Viewer writes it.
fn stig_data(r: &RuleInfo, stig_ref: &str, stig_uuid: &str) -> Vec<(String, String)> {
    let f = |name: &str| r.field(name).unwrap_or("").to_string();
    let mut d: Vec<(String, String)> = [
        ("Vuln_Num", r.vuln_id.clone()),
        ("Severity", r.severity.as_str().to_string()),
        ("Group_Title", r.srg_id.clone()),
        ("Rule_ID", r.rule_id.clone()),
        ("Rule_Ver", r.stig_id.clone()),
        ("Rule_Title", r.title.clone()),
        ("Vuln_Discuss", r.discussion.clone()),
        ("IA_Controls", f("ia-controls")),
        ("Check_Content", r.check.clone().unwrap_or_default()),
        ("Fix_Text", r.fix.clone()),
        ("False_Positives", f("false-positives")),
        ("False_Negatives", f("false-negatives")),
        ("Documentable", r.documentable.clone().unwrap_or_else(|| "false".into())),
        ("Mitigations", f("mitigations")),
        ("Potential_Impact", f("potential-impacts")),
        ("Third_Party_Tools", f("third-party-tools")),
        ("Mitigation_Control", f("mitigation-control")),
        ("Responsibility", f("responsibility")),
        ("Security_Override_Guidance", f("severity-override-guidance")),
        ("Check_Content_Ref", r.check_content_ref_name.clone().unwrap_or_else(|| "M".into())),
        ("Weight", r.weight.clone()),
        ("Class", "Unclass".into()),
        ("STIGRef", stig_ref.to_string()),
        ("TargetKey", r.target_key.clone().unwrap_or_default()),
        ("STIG_UUID", stig_uuid.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // STIG Viewer always writes two LEGACY_ID entries, empty when there are none.
    let mut legacy: Vec<String> = r.legacy_ids.clone();
    legacy.resize(legacy.len().max(2), String::new());
    d.extend(legacy.into_iter().map(|l| ("LEGACY_ID".to_string(), l)));
    d.extend(r.ccis.iter().map(|c| ("CCI_REF".to_string(), c.clone())));
    d
}

/// Observations of a finding, by uuid.
fn observations_of<'a>(result: &'a AssessmentResult, f: &Finding) -> Vec<&'a Observation> {
    f.related_observations.iter().filter_map(|r| result.observations.iter().find(|o| o.uuid == r.observation_uuid)).collect()
}

/// A checklist of every rule of the STIG, with the assessment's verdicts. Rules the assessment
/// does not cover are Not_Reviewed, saying so.
pub fn from_assessment(ar: &AssessmentResults, index: &RuleIndex, asset_info: &AssetInfo) -> Checklist {
    let result = ar.results.first();
    let stig_uuid = uuid_v5(&["stig", &index.stig.profile_uuid]).to_string();
    let stig_ref = format!("{} :: Version {}, {}", index.stig.title, index.stig.benchmark_version, index.stig.release_info);
    let target_key = index.rules().iter().find_map(|r| r.target_key.clone()).unwrap_or_default();
    let evidence = ar
        .back_matter
        .iter()
        .flat_map(|b| &b.resources)
        .flat_map(|r| &r.rlinks)
        .find(|l| l.href.ends_with("manifest.json"))
        .map(|l| format!("{} (sha256 {})", l.href, l.hashes.first().map(|h| h.value.as_str()).unwrap_or("?")))
        .unwrap_or_else(|| "none".into());
    let vulns = index
        .rules()
        .iter()
        .map(|rule| {
            let finding = result.and_then(|res| res.findings.iter().find(|f| f.rule_id() == rule.vuln_id));
            let mut v = Vuln { data: stig_data(rule, &stig_ref, &stig_uuid), ..Default::default() };
            match (result, finding) {
                (Some(res), Some(f)) => {
                    v.status = ns_prop(&f.props, "stig-status").unwrap_or("Not_Reviewed").to_string();
                    let decided_by = ns_prop(&f.props, "decided-by").unwrap_or("tool");
                    let mut details = vec![f.description.clone()];
                    let mut assessor_comments = Vec::new();
                    for o in observations_of(res, f) {
                        match ns_prop(&o.props, "subject-group") {
                            Some("failed") | Some("excepted") | Some("not-assessed") => details.push(o.description.lines().filter(|l| l.starts_with("- ")).collect::<Vec<_>>().join("\n")),
                            Some("assessor") => {
                                details.push(format!("Assessor: {}", o.description));
                                if let Some(r) = &o.remarks {
                                    assessor_comments.push(r.clone());
                                }
                            }
                            _ => {}
                        }
                    }
                    details.retain(|d| !d.trim().is_empty());
                    v.finding_details = details.join("\n\n");
                    let mut comments = assessor_comments;
                    // Not reviewed by the tool: say what it lacked and what the assessor must do.
                    if v.status == "Not_Reviewed" && decided_by == "tool" {
                        let missing = ns_prop(&f.props, "assessed") == Some("false");
                        comments.push(if missing {
                            format!("Not assessed by {TOOL}: the evidence it needs is missing (see the finding details). Supply it and re-run, or review the rule manually.")
                        } else {
                            format!("Not decided by {TOOL}: a manual step or a site parameter remains (see the finding details). Complete it, or review the rule manually.")
                        });
                    }
                    comments.push(format!(
                        "Decided by: {decided_by}. Automated check by {TOOL}, {} to {}; OSCAL finding {}; evidence {evidence}.",
                        res.start,
                        res.end.as_deref().unwrap_or("?"),
                        f.uuid
                    ));
                    v.comments = comments.join("\n");
                }
                _ => {
                    v.status = "Not_Reviewed".into();
                    v.comments = format!("Not assessed: the results {TOOL} wrote this checklist from hold no finding for this rule. Review it manually with the check text, or assess it and write the checklist again.");
                }
            }
            v
        })
        .collect();
    let info = vec![
        ("version".into(), Some(index.stig.benchmark_version.clone())),
        ("classification".into(), Some("UNCLASSIFIED".into())),
        ("customname".into(), None),
        ("stigid".into(), Some(index.stig.benchmark_id.clone())),
        ("description".into(), Some(String::new())),
        ("filename".into(), Some(index.stig.source_file.clone())),
        ("releaseinfo".into(), Some(index.stig.release_info.clone())),
        ("title".into(), Some(index.stig.title.clone())),
        ("uuid".into(), Some(stig_uuid)),
        ("notice".into(), Some("terms-of-use".into())),
        ("source".into(), Some("STIG.DOD.MIL".into())),
    ];
    Checklist { asset: asset(asset_info, &target_key), stigs: vec![StigChecklist { info, vulns }] }
}

/// The checklist an imported assessment carries, if any: (file name, bytes).
pub fn embedded_checklist(ar: &AssessmentResults) -> Option<(String, Vec<u8>)> {
    let res = ar.back_matter.as_ref()?.resources.iter().find(|r| r.props.iter().any(|x| x.name == "source-checklist" && x.ns.as_deref() == Some(NS)))?;
    let b64 = res.extra.get("base64")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.get("value")?.as_str()?).ok()?;
    Some((b64.get("filename").and_then(Value::as_str).unwrap_or("checklist").to_string(), bytes))
}

/// The checklist of an imported assessment, with the findings' (possibly merged) statuses.
pub fn checklist_of_import(ar: &AssessmentResults) -> Option<(Checklist, String, Vec<u8>)> {
    let (name, bytes) = embedded_checklist(ar)?;
    let mut c = Checklist::parse(&name, &bytes).ok()?;
    if let Some(res) = ar.results.first() {
        for st in &mut c.stigs {
            let sid = st.stig_id().to_string();
            for v in &mut st.vulns {
                let f = res.findings.iter().find(|f| f.rule_id() == v.vuln_num() && ns_prop(&f.props, "checklist-stig") == Some(sid.as_str()));
                if let Some(s) = f.and_then(|f| ns_prop(&f.props, "stig-status")) {
                    v.status = s.to_string();
                }
            }
        }
    }
    Some((c, name, bytes))
}

fn status_state(ckl: &str) -> (&'static str, &'static str, &'static str) {
    // (objective state, reason, verdict)
    match ckl {
        "NotAFinding" => ("satisfied", "pass", "pass"),
        "Open" => ("not-satisfied", "fail", "fail"),
        "Not_Applicable" => ("satisfied", "other", "not-applicable"),
        _ => ("not-satisfied", "other", "not-reviewed"),
    }
}

/// `role` is `source-checklist` (the checklist an import came from, and converts back to) or
/// `merged-checklist` (an assessor's checklist kept as evidence of a merge).
fn embedded_resource(uuid: String, file_name: &str, bytes: &[u8], title: &str, role: &str) -> Resource {
    let media = if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') { "application/json" } else { "application/xml" };
    let mut extra = serde_json::Map::new();
    extra.insert(
        "base64".into(),
        json!({ "filename": file_name, "media-type": media, "value": base64::engine::general_purpose::STANDARD.encode(bytes) }),
    );
    Resource {
        uuid,
        title: Some(title.to_string()),
        props: vec![p(role, file_name)],
        rlinks: vec![ResourceLink {
            href: file_name.to_string(),
            media_type: Some(media.into()),
            hashes: vec![Hash { algorithm: "SHA-256".into(), value: crate::stig::xccdf::hex_sha256(bytes) }],
            ..Default::default()
        }],
        extra,
        ..Default::default()
    }
}

/// A checklist -> assessment-results: one finding and one observation per VULN (its STATUS,
/// FINDING_DETAILS and COMMENTS), the checklist itself embedded in back-matter.
pub fn import(c: &Checklist, file_name: &str, bytes: &[u8], timestamp: &str) -> AssessmentResults {
    let sha = crate::stig::xccdf::hex_sha256(bytes);
    let doc_uuid = uuid_v5(&["imported-checklist", &sha]).to_string();
    let result_uuid = uuid_v5(&["result", &doc_uuid]).to_string();
    let party_uuid = uuid_v5(&["party", "checklist", &sha]).to_string();
    let resource_uuid = uuid_v5(&["source-checklist", &sha]).to_string();
    let origin = vec![Origin { actors: vec![OriginActor { actor_type: "party".into(), actor_uuid: party_uuid.clone(), ..Default::default() }], ..Default::default() }];
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut risks = Vec::new();
    for st in &c.stigs {
        let sid = st.stig_id().to_string();
        for v in &st.vulns {
            let vn = v.vuln_num().to_string();
            let (state, reason, verdict) = status_state(&v.status);
            let obs_uuid = uuid_v5(&["observation", &result_uuid, &sid, &vn]).to_string();
            observations.push(Observation {
                uuid: obs_uuid.clone(),
                title: Some(format!("{vn} (checklist)")),
                description: if v.finding_details.trim().is_empty() { "No finding details recorded in the checklist.".into() } else { v.finding_details.clone() },
                props: vec![p("vuln-id", vn.clone()), p("subject-group", "checklist"), p("stig-status", v.status.clone())],
                methods: vec!["EXAMINE".into()],
                origins: origin.clone(),
                collected: timestamp.to_string(),
                remarks: (!v.comments.trim().is_empty()).then(|| v.comments.clone()),
                ..Default::default()
            });
            let mut props = vec![
                p("vuln-id", vn.clone()),
                p("checklist-stig", sid.clone()),
                p("stig-status", v.status.clone()),
                p("verdict", verdict),
                p("decided-by", "assessor"),
            ];
            for (k, name) in [("Rule_ID", "rule-id"), ("Rule_Ver", "stig-id"), ("Severity", "severity")] {
                if let Some(x) = v.attr(k).filter(|x| !x.trim().is_empty()) {
                    props.push(p(name, x));
                }
            }
            props.extend(v.attrs("CCI_REF").filter(|c| !c.is_empty()).map(|c| p("cci", c)));
            if !v.severity_override.is_empty() {
                props.push(p("severity-override", v.severity_override.clone()));
            }
            let related_risks = if v.status == "Open" {
                let risk_uuid = uuid_v5(&["risk", &result_uuid, &sid, &vn]).to_string();
                risks.push(Risk {
                    uuid: risk_uuid.clone(),
                    title: format!("{vn}: {}", single_line(v.attr("Rule_Title").unwrap_or(""))),
                    description: v.attr("Vuln_Discuss").filter(|d| !d.trim().is_empty()).unwrap_or("Open finding from a STIG checklist.").to_string(),
                    statement: if v.finding_details.trim().is_empty() { "Open in the checklist.".into() } else { v.finding_details.clone() },
                    props: v.attr("Severity").map(|s| vec![p("severity", s)]).unwrap_or_default(),
                    status: "open".into(),
                    origins: origin.clone(),
                    related_observations: vec![RelatedObservation { observation_uuid: obs_uuid.clone() }],
                    ..Default::default()
                });
                vec![crate::oscal::assessment_common::RelatedRisk { risk_uuid }]
            } else {
                vec![]
            };
            findings.push(Finding {
                uuid: uuid_v5(&["finding", &result_uuid, &sid, &vn]).to_string(),
                title: format!("{vn}: {}", single_line(v.attr("Rule_Title").unwrap_or(""))),
                description: format!("{}: {}", v.status, single_line(v.attr("Rule_Title").unwrap_or(""))),
                props,
                origins: origin.clone(),
                target: FindingTarget {
                    target_type: "objective-id".into(),
                    target_id: vn.clone(),
                    title: v.attr("Rule_Title").map(single_line),
                    status: ObjectiveStatus { state: state.into(), reason: Some(reason.into()), ..Default::default() },
                    ..Default::default()
                },
                related_observations: vec![RelatedObservation { observation_uuid: obs_uuid }],
                related_risks,
                remarks: (!v.comments.trim().is_empty()).then(|| v.comments.clone()),
                ..Default::default()
            });
        }
    }
    let titles: Vec<String> = c.stigs.iter().map(|s| s.info("title").unwrap_or(s.stig_id()).to_string()).collect();
    let host = c.asset("HOST_NAME").filter(|h| !h.is_empty()).unwrap_or("(no host name)");
    AssessmentResults {
        uuid: doc_uuid.clone(),
        metadata: Metadata {
            title: single_line(&format!("Checklist {file_name}: {}", titles.join("; "))),
            last_modified: timestamp.to_string(),
            version: "1".into(),
            oscal_version: OSCAL_VERSION.into(),
            props: vec![p("tool", TOOL)],
            parties: vec![json!({ "uuid": party_uuid, "type": "person", "name": format!("Assessor (checklist {file_name})") })],
            ..Default::default()
        },
        import_ap: ImportAp { href: format!("#{resource_uuid}"), remarks: Some("Imported from a STIG Viewer checklist; the checklist is the plan and the record.".into()) },
        results: vec![AssessmentResult {
            uuid: result_uuid,
            title: single_line(&format!("STIG checklist {file_name} for {host}")),
            description: format!("{} rules from {}.", findings.len(), titles.join("; ")),
            start: timestamp.to_string(),
            end: Some(timestamp.to_string()),
            reviewed_controls: json!({ "control-selections": [{ "include-all": {} }] }),
            observations,
            risks,
            findings,
            ..Default::default()
        }],
        back_matter: Some(BackMatter { resources: vec![embedded_resource(resource_uuid, file_name, bytes, "Source checklist", "source-checklist")], ..Default::default() }),
        ..Default::default()
    }
}

/// The index of rule `vn`'s finding (by V- id); a rule the results hold no finding for (the
/// automated checks do not cover it) gets one, not reviewed by the tool, for the assessor's word.
pub(crate) fn finding_index(result: &mut AssessmentResult, vn: &str, rule_title: Option<&str>) -> usize {
    if let Some(i) = result.findings.iter().position(|f| f.rule_id() == vn) {
        return i;
    }
    result.findings.push(Finding {
        uuid: uuid_v5(&["finding", &result.uuid, vn]).to_string(),
        title: format!("{vn}: {}", single_line(rule_title.unwrap_or(""))),
        description: "Not covered by the automated checks; decided by the assessor.".into(),
        props: vec![p("vuln-id", vn), p("stig-status", "Not_Reviewed"), p("verdict", "not-reviewed"), p("decided-by", "tool")],
        target: FindingTarget {
            target_type: "objective-id".into(),
            target_id: vn.to_string(),
            title: rule_title.map(single_line),
            status: ObjectiveStatus { state: "not-satisfied".into(), reason: Some("other".into()), ..Default::default() },
            ..Default::default()
        },
        ..Default::default()
    });
    result.findings.len() - 1
}

/// Merges an assessor's checklist into an oscal-stig assessment. A VULN the assessor decided
/// (any status but Not_Reviewed) overrides or completes the tool's verdict; one they left
/// Not_Reviewed but commented on adds the comment. Each finding gets `decided-by`
/// (tool | assessor) and, when overridden, `tool-stig-status`; the assessor's work is a new
/// observation beside the tool's, and the checklist is embedded as evidence.
pub fn merge(ar: &mut AssessmentResults, manual: &Checklist, file_name: &str, bytes: &[u8]) -> Result<usize, String> {
    let sha = crate::stig::xccdf::hex_sha256(bytes);
    let party_uuid = uuid_v5(&["party", "assessor", &sha]).to_string();
    let origin = vec![Origin { actors: vec![OriginActor { actor_type: "party".into(), actor_uuid: party_uuid.clone(), ..Default::default() }], ..Default::default() }];
    let when = ar.metadata.last_modified.clone();
    let result = ar.results.first_mut().ok_or("the assessment-results document has no result")?;
    for f in &mut result.findings {
        if ns_prop(&f.props, "decided-by").is_none() {
            f.props.push(p("decided-by", "tool"));
        }
    }
    let mut changed = 0;
    for v in manual.stigs.iter().flat_map(|s| &s.vulns) {
        let decided = v.status != "Not_Reviewed";
        if !decided && v.finding_details.trim().is_empty() && v.comments.trim().is_empty() {
            continue;
        }
        let vn = v.vuln_num().to_string();
        let obs_uuid = uuid_v5(&["observation", &result.uuid, &vn, "assessor", &sha]).to_string();
        result.observations.push(Observation {
            uuid: obs_uuid.clone(),
            title: Some(format!("{vn} assessor")),
            description: if v.finding_details.trim().is_empty() { format!("Assessor marked {}.", v.status) } else { v.finding_details.clone() },
            props: vec![p("vuln-id", vn.clone()), p("subject-group", "assessor"), p("stig-status", v.status.clone())],
            methods: vec!["EXAMINE".into()],
            origins: origin.clone(),
            collected: when.clone(),
            remarks: (!v.comments.trim().is_empty()).then(|| v.comments.clone()),
            ..Default::default()
        });
        let idx = finding_index(result, &vn, v.attr("Rule_Title"));
        let f = &mut result.findings[idx];
        f.related_observations.push(RelatedObservation { observation_uuid: obs_uuid });
        if decided {
            let tool_status = ns_prop(&f.props, "stig-status").unwrap_or("Not_Reviewed").to_string();
            f.props.retain(|x| !(x.ns.as_deref() == Some(NS) && matches!(x.name.as_str(), "stig-status" | "verdict" | "decided-by")));
            let (state, reason, verdict) = status_state(&v.status);
            f.props.extend([p("stig-status", v.status.clone()), p("verdict", verdict), p("decided-by", "assessor"), p("tool-stig-status", tool_status.clone())]);
            f.target.status = ObjectiveStatus {
                state: state.into(),
                reason: Some(reason.into()),
                remarks: Some(format!("{} by the assessor (tool: {tool_status})", v.status)),
                ..Default::default()
            };
            // A risk the assessor closed stays on record, closed.
            for r in &mut result.risks {
                if f.related_risks.iter().any(|rr| rr.risk_uuid == r.uuid) && v.status != "Open" {
                    r.status = "closed".into();
                    r.props.retain(|x| x.name != "closed-by");
                    r.props.push(p("closed-by", format!("assessor marked {} in {file_name}", v.status)));
                }
            }
        }
        changed += 1;
    }
    ar.metadata.parties.push(json!({ "uuid": party_uuid, "type": "person", "name": format!("Assessor (checklist {file_name})") }));
    let res_uuid = uuid_v5(&["merged-checklist", &sha]).to_string();
    let bm = ar.back_matter.get_or_insert_with(Default::default);
    if !bm.resources.iter().any(|r| r.uuid == res_uuid) {
        bm.resources.push(embedded_resource(res_uuid, file_name, bytes, "Assessor checklist (merged)", "merged-checklist"));
    }
    Ok(changed)
}

/// CKLB for a checklist: the embedded CKLB of an import keeps every key it had.
pub fn to_cklb(c: &Checklist, base: Option<&[u8]>, title: &str, id: &str) -> Value {
    if let Some(mut v) = base.and_then(|b| serde_json::from_slice::<Value>(b).ok()).filter(|v| v.get("stigs").is_some()) {
        cklb::overlay(&mut v, c);
        return v;
    }
    cklb::to_value(c, title, id)
}
