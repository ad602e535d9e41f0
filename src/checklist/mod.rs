//! STIG Viewer checklists: CKL (STIG Viewer 2.x XML) and CKLB (STIG Viewer 3 JSON), the way
//! assessment results reach eMASS and the authorizing official.
//!
//! [`Checklist`] is the CKL model, kept ordered and complete (every ASSET field, every
//! STIG_INFO entry, every STIG_DATA attribute in document order) so that reading and writing a
//! checklist loses nothing. CKLB files are kept as JSON (their unknown keys survive) and mapped
//! to and from this model.

pub mod carry;
pub mod ckl;
pub mod cklb;
pub mod results;

use std::path::Path;

/// A checklist: the target asset and one or more STIGs with their findings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checklist {
    /// ASSET children in order (ROLE, ASSET_TYPE, MARKING?, HOST_NAME, ...).
    pub asset: Vec<(String, String)>,
    pub stigs: Vec<StigChecklist>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StigChecklist {
    /// STIG_INFO entries in order; `None` where STIG Viewer wrote no SID_DATA.
    pub info: Vec<(String, Option<String>)>,
    pub vulns: Vec<Vuln>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Vuln {
    /// STIG_DATA (VULN_ATTRIBUTE, ATTRIBUTE_DATA) pairs in order; repeated for CCI_REF/LEGACY_ID.
    pub data: Vec<(String, String)>,
    /// NotAFinding | Open | Not_Applicable | Not_Reviewed
    pub status: String,
    pub finding_details: String,
    pub comments: String,
    pub severity_override: String,
    pub severity_justification: String,
}

pub const STATUSES: [&str; 4] = ["NotAFinding", "Open", "Not_Applicable", "Not_Reviewed"];

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Vuln {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.data.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn attrs<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.data.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn vuln_num(&self) -> &str {
        self.attr("Vuln_Num").unwrap_or("")
    }
}

impl StigChecklist {
    pub fn info(&self, name: &str) -> Option<&str> {
        self.info.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_deref())
    }

    /// The STIG's identity for error messages and findings.
    pub fn stig_id(&self) -> &str {
        self.info("stigid").unwrap_or("")
    }
}

impl Checklist {
    pub fn asset(&self, name: &str) -> Option<&str> {
        self.asset.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn set_asset(&mut self, name: &str, value: &str) {
        match self.asset.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.asset.push((name.to_string(), value.to_string())),
        }
    }

    /// Checks what STIG Viewer and eMASS would reject: no STIG, a STIG without id, a duplicate
    /// VULN, an unknown STATUS.
    pub fn check(&self, path: &str) -> Result<(), ChecklistError> {
        use crate::limits::quote;
        let invalid = |message: String| ChecklistError::Invalid { path: path.to_string(), message };
        if self.stigs.is_empty() {
            return Err(invalid("the checklist holds no STIG (no iSTIG)".into()));
        }
        for s in &self.stigs {
            if s.stig_id().is_empty() && s.info("title").unwrap_or("").is_empty() {
                return Err(invalid("an iSTIG has neither a stigid nor a title: unknown STIG".into()));
            }
            let mut seen = std::collections::HashSet::new();
            for v in &s.vulns {
                if v.vuln_num().is_empty() {
                    return Err(invalid(format!("a VULN of {} has no Vuln_Num", quote(s.stig_id()))));
                }
                if !seen.insert(v.vuln_num()) {
                    return Err(invalid(format!("duplicate VULN {} in {}", quote(v.vuln_num()), quote(s.stig_id()))));
                }
                if !STATUSES.contains(&v.status.as_str()) {
                    return Err(invalid(format!("VULN {}: STATUS \"{}\" is not one of {}", quote(v.vuln_num()), quote(&v.status), STATUSES.join(", "))));
                }
            }
        }
        Ok(())
    }

    /// Reads a CKL or CKLB file (by content: JSON is CKLB); only a regular file (or a symlink to
    /// one): a FIFO or a device is refused.
    pub fn read(path: &Path) -> Result<Checklist, ChecklistError> {
        let shown = crate::limits::path(path);
        let bytes = crate::limits::read_file(path, crate::limits::MAX_INPUT_BYTES).map_err(|e| ChecklistError::Io { path: shown.clone(), message: e.to_string() })?;
        Checklist::parse(&shown, &bytes)
    }

    pub fn parse(shown: &str, bytes: &[u8]) -> Result<Checklist, ChecklistError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ChecklistError::Invalid { path: shown.into(), message: "not UTF-8 text".into() })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let c = if text.trim_start().starts_with('{') { cklb::parse(shown, text)? } else { ckl::parse(shown, text)? };
        c.check(shown)?;
        Ok(c)
    }
}
