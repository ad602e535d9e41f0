//! CKLB: STIG Viewer 3 checklist JSON, mapped to and from the CKL model. Files read as CKLB are
//! kept as JSON by callers that need them whole (see `results`); this module maps fields.

use serde_json::{json, Map, Value};

use super::{Checklist, ChecklistError, StigChecklist, Vuln};

/// CKL STIG_DATA attribute <-> CKLB rule key, for the plain string fields.
const FIELDS: &[(&str, &str)] = &[
    ("Severity", "severity"),
    ("Rule_Ver", "rule_version"),
    ("Rule_Title", "rule_title"),
    ("Vuln_Discuss", "discussion"),
    ("IA_Controls", "ia_controls"),
    ("Check_Content", "check_content"),
    ("Fix_Text", "fix_text"),
    ("False_Positives", "false_positives"),
    ("False_Negatives", "false_negatives"),
    ("Documentable", "documentable"),
    ("Mitigations", "mitigations"),
    ("Potential_Impact", "potential_impacts"),
    ("Third_Party_Tools", "third_party_tools"),
    ("Mitigation_Control", "mitigation_control"),
    ("Responsibility", "responsibility"),
    ("Security_Override_Guidance", "security_override_guidance"),
    ("Weight", "weight"),
    ("STIGRef", "stig_ref"),
    ("TargetKey", "target_key"),
    ("STIG_UUID", "stig_uuid"),
];

/// ASSET element <-> target_data key.
const ASSET: &[(&str, &str)] = &[
    ("ROLE", "role"),
    ("ASSET_TYPE", "target_type"),
    ("HOST_NAME", "host_name"),
    ("HOST_IP", "ip_address"),
    ("HOST_MAC", "mac_address"),
    ("HOST_FQDN", "fqdn"),
    ("TARGET_COMMENT", "comments"),
    ("TECH_AREA", "technology_area"),
    ("WEB_OR_DATABASE", "is_web_database"),
    ("WEB_DB_SITE", "web_db_site"),
    ("WEB_DB_INSTANCE", "web_db_instance"),
];

pub fn status_to_cklb(ckl: &str) -> &'static str {
    match ckl {
        "NotAFinding" => "not_a_finding",
        "Open" => "open",
        "Not_Applicable" => "not_applicable",
        _ => "not_reviewed",
    }
}

pub fn status_from_cklb(cklb: &str) -> Option<&'static str> {
    Some(match cklb {
        "not_a_finding" => "NotAFinding",
        "open" => "Open",
        "not_applicable" => "Not_Applicable",
        "not_reviewed" => "Not_Reviewed",
        _ => return None,
    })
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub fn parse(shown: &str, text: &str) -> Result<Checklist, ChecklistError> {
    let invalid = |message: String| ChecklistError::Invalid { path: shown.to_string(), message };
    let v: Value = serde_json::from_str(text).map_err(|e| invalid(format!("not valid CKLB JSON: {e}")))?;
    from_value(&v).map_err(invalid)
}

pub fn from_value(v: &Value) -> Result<Checklist, String> {
    let stigs = v.get("stigs").and_then(Value::as_array).ok_or("not a STIG Viewer 3 checklist: no \"stigs\" array")?;
    let target = v.get("target_data").cloned().unwrap_or(Value::Null);
    let mut asset: Vec<(String, String)> = ASSET.iter().map(|(ckl, key)| (ckl.to_string(), s(&target, key))).collect();
    if let Some(m) = target.get("classification").and_then(Value::as_str) {
        asset.insert(2, ("MARKING".into(), m.to_string()));
    }
    // CKL keeps the target key with the asset; CKLB with each STIG.
    let key = stigs.first().map(|st| s(st, "reference_identifier")).unwrap_or_default();
    let at = asset.iter().position(|(k, _)| k == "WEB_OR_DATABASE").unwrap_or(asset.len());
    asset.insert(at, ("TARGET_KEY".into(), key));
    let mut out = Vec::new();
    for st in stigs {
        let mut info: Vec<(String, Option<String>)> = vec![
            ("version".into(), Some(s(st, "version"))),
            ("classification".into(), Some("UNCLASSIFIED".into())),
            ("customname".into(), None),
            ("stigid".into(), Some(s(st, "stig_id"))),
            ("description".into(), Some(String::new())),
            ("filename".into(), None),
            ("releaseinfo".into(), Some(s(st, "release_info"))),
            ("title".into(), Some(s(st, "stig_name"))),
            ("uuid".into(), Some(s(st, "uuid"))),
            ("notice".into(), Some("terms-of-use".into())),
            ("source".into(), Some("STIG.DOD.MIL".into())),
        ];
        info.retain(|(k, v)| k != "filename" || v.is_some());
        let mut vulns = Vec::new();
        for r in st.get("rules").and_then(Value::as_array).ok_or("a STIG has no \"rules\" array")? {
            let status_raw = s(r, "status");
            let status = status_from_cklb(&status_raw).ok_or_else(|| format!("rule {}: status \"{status_raw}\" is not a CKLB status", s(r, "group_id")))?;
            let mut data = vec![("Vuln_Num".to_string(), s(r, "group_id"))];
            let srg = r.get("group_tree").and_then(|t| t.get(0)).map(|g| s(g, "title")).filter(|t| !t.is_empty()).unwrap_or_else(|| s(r, "srg_id"));
            let rule_id = { let src = s(r, "rule_id_src"); if src.is_empty() { s(r, "rule_id") } else { src } };
            for (k, key) in FIELDS {
                match *k {
                    "Rule_Ver" => {
                        data.push(("Group_Title".into(), srg.clone()));
                        data.push(("Rule_ID".into(), rule_id.clone()));
                        data.push((k.to_string(), s(r, key)));
                    }
                    "Weight" => {
                        data.push(("Check_Content_Ref".into(), r.get("check_content_ref").map(|c| s(c, "name")).unwrap_or_default()));
                        data.push((k.to_string(), s(r, key)));
                        data.push(("Class".into(), if s(r, "classification").starts_with("Unclass") || s(r, "classification").is_empty() { "Unclass".into() } else { s(r, "classification") }));
                    }
                    "TargetKey" => {
                        let tk = s(r, key);
                        data.push((k.to_string(), if tk.is_empty() { s(r, "reference_identifier") } else { tk }));
                    }
                    "STIGRef" if s(r, key).is_empty() => {
                        // STIG Viewer 3 does not store it; STIG Viewer 2 writes "<title> :: Version V, <release>".
                        data.push((k.to_string(), format!("{} :: Version {}, {}", s(st, "stig_name"), s(st, "version"), s(st, "release_info"))));
                    }
                    _ => data.push((k.to_string(), s(r, key))),
                }
            }
            for l in r.get("legacy_ids").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                data.push(("LEGACY_ID".into(), l.to_string()));
            }
            for c in r.get("ccis").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                data.push(("CCI_REF".into(), c.to_string()));
            }
            let ov = r.get("overrides").and_then(|o| o.get("severity"));
            vulns.push(Vuln {
                data,
                status: status.to_string(),
                finding_details: s(r, "finding_details"),
                comments: s(r, "comments"),
                severity_override: ov.map(|o| s(o, "severity")).unwrap_or_default(),
                severity_justification: ov.map(|o| s(o, "reason")).unwrap_or_default(),
            });
        }
        out.push(StigChecklist { info, vulns });
    }
    Ok(Checklist { asset, stigs: out })
}

/// Writes the checklist in STIG Viewer 3's key order. `title` and `id` name the checklist.
pub fn to_value(c: &Checklist, title: &str, id: &str) -> Value {
    let mut target = Map::new();
    target.insert("target_type".into(), json!(c.asset("ASSET_TYPE").unwrap_or("Computing")));
    for (ckl, key) in ASSET.iter().filter(|(k, _)| *k != "ASSET_TYPE") {
        let v = c.asset(ckl).unwrap_or("");
        target.insert(key.to_string(), if *key == "is_web_database" { json!(v == "true") } else { json!(v) });
    }
    target.insert("classification".into(), c.asset("MARKING").map_or(Value::Null, |m| json!(m)));
    let stigs: Vec<Value> = c
        .stigs
        .iter()
        .map(|st| {
            let info = |k: &str| st.info(k).unwrap_or("").to_string();
            let rules: Vec<Value> = st.vulns.iter().map(|v| rule_value(v, &info("uuid"))).collect();
            json!({
                "stig_name": info("title"),
                "display_name": info("title").replace(" Security Technical Implementation Guide", ""),
                "stig_id": info("stigid"),
                "release_info": info("releaseinfo"),
                "version": info("version"),
                "uuid": info("uuid"),
                "reference_identifier": c.asset("TARGET_KEY").unwrap_or(""),
                "size": rules.len(),
                "rules": rules,
            })
        })
        .collect();
    json!({
        "title": title,
        "id": id,
        "stigs": stigs,
        "active": true,
        "mode": 1,
        "has_path": false,
        "target_data": target,
        "cklb_version": "1.0",
    })
}

fn rule_value(v: &Vuln, stig_uuid: &str) -> Value {
    let a = |k: &str| v.attr(k).unwrap_or("").to_string();
    let rule_src = a("Rule_ID");
    let mut overrides = Map::new();
    if !v.severity_override.is_empty() {
        overrides.insert("severity".into(), json!({ "severity": v.severity_override, "reason": v.severity_justification }));
    }
    json!({
        "group_id_src": a("Vuln_Num"),
        "group_tree": [{ "id": a("Vuln_Num"), "title": a("Group_Title"), "description": "<GroupDescription></GroupDescription>" }],
        "group_id": a("Vuln_Num"),
        "severity": a("Severity"),
        "group_title": a("Rule_Title"),
        "rule_id_src": rule_src,
        "rule_id": rule_src.trim_end_matches("_rule"),
        "rule_version": a("Rule_Ver"),
        "rule_title": a("Rule_Title"),
        "fix_text": a("Fix_Text"),
        "weight": a("Weight"),
        "check_content": a("Check_Content"),
        "check_content_ref": { "href": "", "name": a("Check_Content_Ref") },
        "classification": if a("Class") == "Unclass" { "Unclassified".to_string() } else { a("Class") },
        "discussion": a("Vuln_Discuss"),
        "false_positives": a("False_Positives"),
        "false_negatives": a("False_Negatives"),
        "documentable": a("Documentable"),
        "security_override_guidance": a("Security_Override_Guidance"),
        "potential_impacts": a("Potential_Impact"),
        "third_party_tools": a("Third_Party_Tools"),
        "ia_controls": a("IA_Controls"),
        "responsibility": a("Responsibility"),
        "mitigations": a("Mitigations"),
        "mitigation_control": a("Mitigation_Control"),
        "legacy_ids": v.attrs("LEGACY_ID").filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        "ccis": v.attrs("CCI_REF").collect::<Vec<_>>(),
        "reference_identifier": a("TargetKey"),
        "uuid": crate::ids::uuid_v5(&["cklb-rule", stig_uuid, &a("Vuln_Num")]).to_string(),
        "stig_uuid": stig_uuid,
        "status": super::cklb::status_to_cklb(&v.status),
        "overrides": overrides,
        "comments": v.comments,
        "finding_details": v.finding_details,
        "srg_id": a("Group_Title"),
    })
}

/// Puts statuses, details, comments and overrides of `c` onto a CKLB document read from disk,
/// leaving every other key as it was.
pub fn overlay(base: &mut Value, c: &Checklist) {
    // The asset as the checklist now has it (the user may have named the host since).
    if let Some(target) = base.get_mut("target_data").and_then(Value::as_object_mut) {
        for (ckl, key) in ASSET.iter().filter(|(ckl, _)| *ckl != "ASSET_TYPE" && *ckl != "WEB_OR_DATABASE") {
            if let Some((_, v)) = c.asset.iter().find(|(k, _)| k == ckl) {
                target.insert((*key).to_string(), json!(v));
            }
        }
    }
    let Some(stigs) = base.get_mut("stigs").and_then(Value::as_array_mut) else { return };
    for (st_json, st) in stigs.iter_mut().zip(&c.stigs) {
        let Some(rules) = st_json.get_mut("rules").and_then(Value::as_array_mut) else { continue };
        for r in rules {
            let gid = s(r, "group_id");
            if let Some(v) = st.vulns.iter().find(|v| v.vuln_num() == gid) {
                r["status"] = json!(status_to_cklb(&v.status));
                r["finding_details"] = json!(v.finding_details);
                r["comments"] = json!(v.comments);
                if !v.severity_override.is_empty() {
                    r["overrides"]["severity"] = json!({ "severity": v.severity_override, "reason": v.severity_justification });
                }
            }
        }
    }
}
