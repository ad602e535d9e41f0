//! CKL: STIG Viewer 2.x checklist XML (schema: U_Checklist_Schema_V2.xsd). Written the way
//! STIG Viewer writes it: UTF-8, tab indentation, element order of the schema, only `&`, `<`,
//! `>` escaped in text.

use super::{Checklist, ChecklistError, StigChecklist, Vuln};
use crate::xml::{self, Element};

pub fn parse(shown: &str, text: &str) -> Result<Checklist, ChecklistError> {
    let invalid = |message: String| ChecklistError::Invalid { path: shown.to_string(), message };
    let root = xml::parse(text).map_err(|e| invalid(e.to_string()))?;
    if root.name != "CHECKLIST" {
        return Err(invalid(format!("not a STIG Viewer checklist: root element <{}>, expected <CHECKLIST>", crate::limits::quote(&root.name))));
    }
    let asset = root.child("ASSET").map(|a| a.elements().map(|e| (e.name.clone(), e.text())).collect()).unwrap_or_default();
    let stigs = root
        .child("STIGS")
        .into_iter()
        .flat_map(|s| s.children_named("iSTIG"))
        .map(|istig| StigChecklist {
            info: istig
                .child("STIG_INFO")
                .into_iter()
                .flat_map(|i| i.children_named("SI_DATA"))
                .map(|d| (d.child_text("SID_NAME").unwrap_or_default(), d.child_text("SID_DATA")))
                .collect(),
            vulns: istig.children_named("VULN").map(vuln).collect(),
        })
        .collect();
    Ok(Checklist { asset, stigs })
}

fn vuln(v: &Element) -> Vuln {
    let t = |name: &str| v.child_text(name).unwrap_or_default();
    Vuln {
        data: v
            .children_named("STIG_DATA")
            .map(|d| (d.child_text("VULN_ATTRIBUTE").unwrap_or_default(), d.child_text("ATTRIBUTE_DATA").unwrap_or_default()))
            .collect(),
        status: t("STATUS"),
        finding_details: t("FINDING_DETAILS"),
        comments: t("COMMENTS"),
        severity_override: t("SEVERITY_OVERRIDE"),
        severity_justification: t("SEVERITY_JUSTIFICATION"),
    }
}

/// A raw carriage return would be normalised away by the next XML reader: STIG Viewer writes
/// it as a character reference, and so do we.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\r', "&#xD;")
}

/// Writes a checklist as CKL; `producer` goes in the leading comment.
pub fn write(c: &Checklist, producer: &str) -> String {
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str(&format!("<!--{}-->\n", producer.replace("--", "-")));
    o.push_str("<CHECKLIST>\n\t<ASSET>\n");
    for (k, v) in &c.asset {
        o.push_str(&format!("\t\t<{k}>{}</{k}>\n", esc(v)));
    }
    o.push_str("\t</ASSET>\n\t<STIGS>\n");
    for s in &c.stigs {
        o.push_str("\t\t<iSTIG>\n\t\t\t<STIG_INFO>\n");
        for (k, v) in &s.info {
            o.push_str(&format!("\t\t\t\t<SI_DATA>\n\t\t\t\t\t<SID_NAME>{}</SID_NAME>\n", esc(k)));
            if let Some(v) = v {
                o.push_str(&format!("\t\t\t\t\t<SID_DATA>{}</SID_DATA>\n", esc(v)));
            }
            o.push_str("\t\t\t\t</SI_DATA>\n");
        }
        o.push_str("\t\t\t</STIG_INFO>\n");
        for v in &s.vulns {
            o.push_str("\t\t\t<VULN>\n");
            for (k, d) in &v.data {
                o.push_str(&format!(
                    "\t\t\t\t<STIG_DATA>\n\t\t\t\t\t<VULN_ATTRIBUTE>{}</VULN_ATTRIBUTE>\n\t\t\t\t\t<ATTRIBUTE_DATA>{}</ATTRIBUTE_DATA>\n\t\t\t\t</STIG_DATA>\n",
                    esc(k),
                    esc(d)
                ));
            }
            for (k, d) in [
                ("STATUS", &v.status),
                ("FINDING_DETAILS", &v.finding_details),
                ("COMMENTS", &v.comments),
                ("SEVERITY_OVERRIDE", &v.severity_override),
                ("SEVERITY_JUSTIFICATION", &v.severity_justification),
            ] {
                o.push_str(&format!("\t\t\t\t<{k}>{}</{k}>\n", esc(d)));
            }
            o.push_str("\t\t\t</VULN>\n");
        }
        o.push_str("\t\t</iSTIG>\n");
    }
    o.push_str("\t</STIGS>\n</CHECKLIST>");
    o
}
