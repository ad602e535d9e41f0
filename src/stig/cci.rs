//! DISA's CCI list (U_CCI_List.xml): each Control Correlation Identifier and the NIST SP 800-53
//! requirement it traces to, per revision, normalised to OSCAL control ids.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::StigError;
use crate::xml;

/// The NIST SP 800-53 revisions the CCI list references and the product ships catalogs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Revision {
    Rev4,
    Rev5,
}

impl Revision {
    /// The `title` DISA gives the reference in the CCI list.
    fn cci_title(self) -> &'static str {
        match self {
            Revision::Rev4 => "NIST SP 800-53 Revision 4",
            Revision::Rev5 => "NIST SP 800-53 Revision 5",
        }
    }

    pub fn builtin_catalog(self) -> &'static str {
        match self {
            Revision::Rev4 => "nist-800-53-rev4",
            Revision::Rev5 => "nist-800-53-rev5",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Revision::Rev4 => "rev4",
            Revision::Rev5 => "rev5",
        }
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cci_title())
    }
}

/// One CCI -> 800-53 reference, e.g. `AC-2 a` -> control `ac-2`, statement part `ac-2_smt.a`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRef {
    pub revision: Revision,
    /// As DISA writes it, e.g. `AC-2 (4) (a)`.
    pub index: String,
    /// OSCAL control id, e.g. `ac-2.4`.
    pub control: String,
    /// OSCAL statement part id when the reference names one, e.g. `ac-2.4_smt.a`.
    pub part: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CciItem {
    pub id: String,
    pub status: String,
    pub definition: String,
    pub refs: Vec<ControlRef>,
}

#[derive(Debug, Clone)]
pub struct CciList {
    /// The list's `metadata/version` (a date, e.g. `2025-01-23`).
    pub version: String,
    pub source: super::xccdf::SourceFile,
    items: HashMap<String, CciItem>,
}

impl CciList {
    /// Reads a CCI list file; only a regular file (or a symlink to one): a FIFO or a device is
    /// refused.
    pub fn read(path: &Path) -> Result<CciList, StigError> {
        let shown = crate::limits::path(path);
        let bytes = crate::limits::read_file(path, crate::limits::MAX_INPUT_BYTES).map_err(|error| StigError::Io { path: shown.clone(), error })?;
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        CciList::parse(&shown, &name, &bytes)
    }

    pub fn parse(shown: &str, name: &str, bytes: &[u8]) -> Result<CciList, StigError> {
        let text = std::str::from_utf8(bytes).map_err(|_| StigError::NotUtf8 { path: shown.to_string() })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let root = xml::parse(text).map_err(|error| StigError::Xml { path: shown.to_string(), error })?;
        if root.name != "cci_list" {
            return Err(StigError::NotCciList { path: shown.to_string(), root: crate::limits::quote(&root.name) });
        }
        let version = root.child("metadata").and_then(|m| m.child_text("version")).unwrap_or_default();
        let mut items = HashMap::new();
        for item in root.child("cci_items").into_iter().flat_map(|i| i.children_named("cci_item")) {
            let Some(id) = item.attr("id") else { continue };
            let mut refs = Vec::new();
            for r in item.child("references").into_iter().flat_map(|r| r.children_named("reference")) {
                let revision = [Revision::Rev4, Revision::Rev5].into_iter().find(|rev| r.attr("title") == Some(rev.cci_title()));
                if let (Some(revision), Some(index)) = (revision, r.attr("index")) {
                    if let Some((control, part)) = normalize_index(index) {
                        refs.push(ControlRef { revision, index: index.to_string(), control, part });
                    }
                }
            }
            items.insert(
                id.to_string(),
                CciItem {
                    id: id.to_string(),
                    status: item.child_text("status").unwrap_or_default(),
                    definition: item.child_text("definition").unwrap_or_default(),
                    refs,
                },
            );
        }
        Ok(CciList {
            version,
            source: super::xccdf::SourceFile { name: name.to_string(), sha256: super::xccdf::hex_sha256(bytes) },
            items,
        })
    }

    pub fn get(&self, cci: &str) -> Option<&CciItem> {
        self.items.get(cci)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The references of a CCI for one revision (empty when the CCI is unknown or has none).
    pub fn refs(&self, cci: &str, revision: Revision) -> impl Iterator<Item = &ControlRef> {
        self.items.get(cci).into_iter().flat_map(move |i| i.refs.iter().filter(move |r| r.revision == revision))
    }
}

/// `AC-2` -> (`ac-2`, None); `AC-2 (4)` -> (`ac-2.4`, None); `AC-2 a 1` -> (`ac-2`,
/// `ac-2_smt.a.1`); `AC-2 (4) (a)` -> (`ac-2.4`, `ac-2.4_smt.a`). None when not of that shape.
pub fn normalize_index(index: &str) -> Option<(String, Option<String>)> {
    let index = index.trim();
    let (family, rest) = index.split_once('-')?;
    if family.len() != 2 || !family.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let mut control = format!("{}-{}", family.to_ascii_lowercase(), digits.trim_start_matches('0'));
    let mut tokens = tokenize(&rest[digits.len()..]).into_iter().peekable();
    if let Some((true, t)) = tokens.peek() {
        if t.chars().all(|c| c.is_ascii_digit()) {
            control = format!("{control}.{}", t.trim_start_matches('0'));
            tokens.next();
        }
    }
    let path: Vec<String> = tokens.map(|(_, t)| t.to_ascii_lowercase()).collect();
    let part = (!path.is_empty()).then(|| format!("{control}_smt.{}", path.join(".")));
    Some((control, part))
}

/// Splits `(4) (a) 1` into (parenthesised, token) pairs.
fn tokenize(s: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == '(' {
            chars.next();
            let t: String = chars.by_ref().take_while(|c| *c != ')').collect();
            out.push((true, t.trim().to_string()));
        } else if c.is_ascii_alphanumeric() {
            let mut t = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphanumeric()) {
                t.push(c);
                chars.next();
            }
            out.push((false, t));
        } else {
            chars.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_index as n;

    fn both(c: &str, p: Option<&str>) -> Option<(String, Option<String>)> {
        Some((c.to_string(), p.map(str::to_string)))
    }

    #[test]
    fn normalises_disa_indexes_to_oscal_ids() {
        assert_eq!(n("AC-2"), both("ac-2", None));
        assert_eq!(n("AC-2 (4)"), both("ac-2.4", None));
        assert_eq!(n("AC-2 a"), both("ac-2", Some("ac-2_smt.a")));
        assert_eq!(n("AC-2 a 1"), both("ac-2", Some("ac-2_smt.a.1")));
        assert_eq!(n("AC-2 (4) (a)"), both("ac-2.4", Some("ac-2.4_smt.a")));
        assert_eq!(n("AC-6 (1) (a) (2)"), both("ac-6.1", Some("ac-6.1_smt.a.2")));
        assert_eq!(n("SC-10"), both("sc-10", None));
        assert_eq!(n("nonsense"), None);
        assert_eq!(n("A-1"), None);
    }
}

/// The shipped CCI list (profiles/U_CCI_List.xml), parsed once per process.
pub fn builtin() -> &'static CciList {
    static LIST: std::sync::OnceLock<CciList> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        CciList::parse("built-in U_CCI_List.xml", "U_CCI_List.xml", include_bytes!("../../profiles/U_CCI_List.xml"))
            .expect("the shipped CCI list parses")
    })
}
