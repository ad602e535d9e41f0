//! Reader for DISA STIG XCCDF benchmarks: XCCDF 1.1 (the `*_Manual-xccdf.xml` in a STIG zip)
//! and XCCDF 1.2 (also inside an SCAP 1.3 data stream), from the XML file or the zip itself.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Severity, StigError};
use crate::limits::{self, quote};
use crate::xml::{self, Element};

/// The source file a benchmark was read from, kept so profiles can cite it with its digest.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// File name (the XCCDF's, also when read from inside a zip).
    pub name: String,
    /// SHA-256 of the XCCDF bytes, lowercase hex.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// e.g. `Mirantis_Kubernetes_Engine_STIG`
    pub id: String,
    pub title: String,
    /// The `version` element: `2`, or `002.001` in SCAP benchmarks.
    pub version: String,
    /// e.g. `Release: 1 Benchmark Date: 24 Jul 2024`
    pub release_info: String,
    pub status: String,
    pub status_date: Option<String>,
    /// `1.1` or `1.2`
    pub xccdf_version: String,
    pub source: SourceFile,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Vulnerability (group) id, e.g. `V-260903`.
    pub group_id: String,
    /// The group title: the SRG requirement id, e.g. `SRG-APP-000190-CTR-000500`.
    pub group_title: String,
    /// e.g. `SV-260903r986160_rule`
    pub rule_id: String,
    /// The rule's `version` element, e.g. `CNTR-MK-000940`.
    pub stig_id: String,
    pub severity: Severity,
    pub weight: String,
    pub title: String,
    /// The fields DISA embeds, escaped, in the rule description (`VulnDiscussion`,
    /// `FalsePositives`, `Documentable`, ...), in document order.
    pub description_fields: Vec<(String, String)>,
    pub check: Check,
    pub fix_text: String,
    pub fix_id: String,
    /// Every `ident`: CCIs and legacy V-/SV- ids, in document order.
    pub idents: Vec<Ident>,
    /// The rule reference's `dc:identifier` (DISA's product id; STIG Viewer's TargetKey).
    pub reference_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Check {
    /// The check's `system` attribute (DISA's check id, e.g. `C-64632r966064_chk`, or OVAL's URI).
    pub system: String,
    pub content_ref_href: Option<String>,
    pub content_ref_name: Option<String>,
    /// Manual check text; absent in SCAP benchmarks, whose checks are OVAL.
    pub content: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub system: String,
    pub value: String,
}

impl Rule {
    pub fn description_field(&self, name: &str) -> Option<&str> {
        self.description_fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn discussion(&self) -> &str {
        self.description_field("VulnDiscussion").unwrap_or("")
    }

    pub fn ccis(&self) -> impl Iterator<Item = &str> {
        self.idents.iter().filter(|i| i.value.starts_with("CCI-")).map(|i| i.value.as_str())
    }

    /// Legacy identifiers (pre-2022 V-/SV- ids) that DISA keeps as idents.
    pub fn legacy_ids(&self) -> impl Iterator<Item = &str> {
        self.idents.iter().filter(|i| !i.value.starts_with("CCI-")).map(|i| i.value.as_str())
    }
}

impl Benchmark {
    /// The release number from the release info (`Release: 1 ...` -> `1`).
    pub fn release(&self) -> Option<&str> {
        let rest = self.release_info.split("Release:").nth(1)?;
        rest.split_whitespace().next()
    }

    /// The benchmark date from the release info, as ISO 8601 (`24 Jul 2024` -> `2024-07-24`).
    pub fn benchmark_date(&self) -> Option<String> {
        let rest = self.release_info.split("Benchmark Date:").nth(1)?.trim();
        chrono::NaiveDate::parse_from_str(rest, "%d %b %Y").ok().map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// DISA's short version, e.g. `V2R1`. SCAP benchmarks write version `002.001`.
    pub fn short_version(&self) -> String {
        if let Some((v, r)) = self.version.split_once('.') {
            if let (Ok(v), Ok(r)) = (v.parse::<u32>(), r.parse::<u32>()) {
                return format!("V{v}R{r}");
            }
        }
        let release = self.release().map(|r| r.split('.').next().unwrap_or(r)).unwrap_or("?");
        format!("V{}R{}", self.version, release)
    }

    pub fn count_by_severity(&self, s: Severity) -> usize {
        self.rules.iter().filter(|r| r.severity == s).count()
    }
}

/// Reads a benchmark from an XCCDF file, an SCAP data stream, or a STIG zip holding either.
/// Only a regular file (or a symlink to one) is read: a FIFO or a device is refused.
pub fn read_benchmark(path: &Path) -> Result<Benchmark, StigError> {
    let shown = limits::path(path);
    let bytes = limits::read_file(path, limits::MAX_INPUT_BYTES).map_err(|error| StigError::Io { path: shown.clone(), error })?;
    let (name, xml_bytes) = if bytes.starts_with(b"PK\x03\x04") {
        from_zip(&shown, &bytes)?
    } else {
        (path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(), bytes)
    };
    parse_benchmark(&shown, &name, &xml_bytes)
}

fn from_zip(shown: &str, bytes: &[u8]) -> Result<(String, Vec<u8>), StigError> {
    let zip_err = |e: zip::result::ZipError| StigError::Zip { path: shown.to_string(), message: limits::message(&e.to_string()) };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(zip_err)?;
    let names: Vec<String> = archive.file_names().map(|n| n.map(|n| n.into_owned())).collect::<Result<_, _>>().map_err(zip_err)?;
    let is_xccdf = |n: &str| n.to_ascii_lowercase().ends_with("xccdf.xml");
    // DISA zips hold one manual XCCDF; prefer it over any SCAP benchmark alongside.
    let pick = names
        .iter()
        .filter(|n| is_xccdf(n))
        .min_by_key(|n| (!n.to_ascii_lowercase().contains("manual"), n.len()))
        .cloned()
        .ok_or_else(|| StigError::NoXccdfInZip { path: shown.to_string(), entries: format!("{} ({} entries)", quote(&names.join(", ")), names.len()) })?;
    let mut budget = limits::MAX_ZIP_TOTAL_BYTES;
    let out = read_entry(&mut archive, &pick, &mut budget).map_err(|message| StigError::Zip { path: shown.to_string(), message })?;
    let name = pick.rsplit('/').next().unwrap_or(&pick).to_string();
    Ok((name, out))
}

/// Decompresses one zip entry, at most [`limits::MAX_ZIP_ENTRY_BYTES`] and what is left of
/// `budget` (all the entries read from one zip): a zip bomb is refused, not inflated. The size
/// the entry declares is checked first and what it really inflates to while reading.
fn read_entry<R: std::io::Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>, name: &str, budget: &mut u64) -> Result<Vec<u8>, String> {
    let entry_name = quote(name);
    let mut entry = archive.by_name(name).map_err(|e| format!("{entry_name}: {}", limits::message(&e.to_string())))?;
    let max = limits::MAX_ZIP_ENTRY_BYTES.min(*budget);
    let too_big = |n: u64| {
        format!(
            "{entry_name}: decompresses to {} bytes, more than the {} MiB a zip entry may be here ({} MiB for all entries of a zip); refused",
            n,
            limits::MAX_ZIP_ENTRY_BYTES >> 20,
            limits::MAX_ZIP_TOTAL_BYTES >> 20
        )
    };
    if entry.size() > max {
        return Err(too_big(entry.size()));
    }
    let mut out = Vec::with_capacity(entry.size() as usize);
    (&mut entry).take(max + 1).read_to_end(&mut out).map_err(|e| format!("{entry_name}: {}", limits::message(&e.to_string())))?;
    if out.len() as u64 > max {
        return Err(too_big(out.len() as u64));
    }
    *budget -= out.len() as u64;
    Ok(out)
}

/// Parses XCCDF bytes; `shown` names the input in errors, `name` is recorded as the source.
pub fn parse_benchmark(shown: &str, name: &str, bytes: &[u8]) -> Result<Benchmark, StigError> {
    let text = std::str::from_utf8(bytes).map_err(|_| StigError::NotUtf8 { path: shown.to_string() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = xml::parse(text).map_err(|error| StigError::Xml { path: shown.to_string(), error })?;
    let bench = if root.name == "Benchmark" { Some(&root) } else { root.find("Benchmark") };
    let bench = bench.ok_or_else(|| StigError::NotXccdf { path: shown.to_string(), root: quote(&root.name) })?;

    let xccdf_version = if text.contains("http://checklists.nist.gov/xccdf/1.2") { "1.2" } else { "1.1" };
    let status = bench.child("status");
    let release_info = bench
        .children_named("plain-text")
        .find(|p| p.attr("id") == Some("release-info"))
        .map(Element::text)
        .unwrap_or_default();

    let mut rules = Vec::new();
    collect_rules(bench, shown, &mut rules)?;
    Ok(Benchmark {
        id: strip_xccdf_prefix(bench.attr("id").unwrap_or_default(), "_benchmark_").to_string(),
        title: bench.child_text("title").unwrap_or_default(),
        version: bench.child_text("version").unwrap_or_default().trim().to_string(),
        release_info: release_info.trim().to_string(),
        status: status.map(Element::text).unwrap_or_default(),
        status_date: status.and_then(|s| s.attr("date")).map(str::to_string),
        xccdf_version: xccdf_version.to_string(),
        source: SourceFile { name: name.to_string(), sha256: hex_sha256(bytes) },
        rules,
    })
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// XCCDF 1.2 ids carry a reverse-DNS prefix: `xccdf_mil.disa.stig_group_V-242376` -> `V-242376`.
fn strip_xccdf_prefix<'a>(id: &'a str, marker: &str) -> &'a str {
    if id.starts_with("xccdf_") {
        if let Some((_, rest)) = id.split_once(marker) {
            return rest;
        }
    }
    id
}

/// Groups can nest in XCCDF; DISA STIGs use one Rule per Group, but any depth is read.
fn collect_rules(parent: &Element, shown: &str, out: &mut Vec<Rule>) -> Result<(), StigError> {
    for group in parent.children_named("Group") {
        let group_id = strip_xccdf_prefix(group.attr("id").unwrap_or_default(), "_group_").to_string();
        let group_title = group.child_text("title").unwrap_or_default();
        for rule in group.children_named("Rule") {
            out.push(read_rule(rule, &group_id, &group_title, shown)?);
        }
        collect_rules(group, shown, out)?;
    }
    Ok(())
}

fn read_rule(rule: &Element, group_id: &str, group_title: &str, shown: &str) -> Result<Rule, StigError> {
    let rule_id = strip_xccdf_prefix(rule.attr("id").unwrap_or_default(), "_rule_").to_string();
    let bad = |problem: String| StigError::BadRule { path: shown.to_string(), rule: quote(group_id), problem };
    if rule_id.is_empty() || group_id.is_empty() {
        return Err(bad("a Group or Rule has no id".into()));
    }
    let severity_attr = rule.attr("severity").unwrap_or("medium");
    let severity = Severity::parse(severity_attr).ok_or_else(|| bad(format!("unknown severity \"{}\"", quote(severity_attr))))?;
    let check_el = rule.child("check");
    let content_ref = check_el.and_then(|c| c.child("check-content-ref"));
    let fixtext = rule.child("fixtext");
    Ok(Rule {
        group_id: group_id.to_string(),
        group_title: group_title.to_string(),
        rule_id,
        stig_id: rule.child_text("version").unwrap_or_default(),
        severity,
        weight: rule.attr("weight").unwrap_or("10.0").to_string(),
        title: rule.child_text("title").ok_or_else(|| bad("no title".into()))?,
        description_fields: embedded_fields(&rule.child_text("description").unwrap_or_default()),
        check: Check {
            system: check_el.and_then(|c| c.attr("system")).unwrap_or_default().to_string(),
            content_ref_href: content_ref.and_then(|c| c.attr("href")).map(str::to_string),
            content_ref_name: content_ref.and_then(|c| c.attr("name")).map(str::to_string),
            content: check_el.and_then(|c| c.child_text("check-content")),
        },
        fix_text: fixtext.map(Element::text).unwrap_or_default(),
        fix_id: fixtext
            .and_then(|f| f.attr("fixref"))
            .or_else(|| rule.child("fix").and_then(|f| f.attr("id")))
            .unwrap_or_default()
            .to_string(),
        reference_id: rule.child("reference").and_then(|r| r.child_text("identifier")).filter(|i| !i.trim().is_empty()),
        idents: rule
            .children_named("ident")
            .map(|i| Ident { system: i.attr("system").unwrap_or_default().to_string(), value: i.text().trim().to_string() })
            .collect(),
    })
}

/// DISA escapes a little document into each rule description:
/// `<VulnDiscussion>...</VulnDiscussion><FalsePositives></FalsePositives>...`. Values may
/// themselves contain `<` (shell snippets), so fields are cut at their own closing tag rather
/// than parsed as XML.
pub fn embedded_fields(description: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = description;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let name = &after[..end];
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            rest = after;
            continue;
        }
        let body = &after[end + 1..];
        let close = format!("</{name}>");
        match body.find(&close) {
            Some(stop) => {
                out.push((name.to_string(), body[..stop].to_string()));
                rest = &body[stop + close.len()..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fields_keep_angle_brackets_inside_values() {
        let f = embedded_fields("<VulnDiscussion>use a < b and <x></VulnDiscussion><Documentable>false</Documentable><IAControls></IAControls>");
        assert_eq!(f[0], ("VulnDiscussion".into(), "use a < b and <x>".into()));
        assert_eq!(f[1], ("Documentable".into(), "false".into()));
        assert_eq!(f[2], ("IAControls".into(), "".into()));
    }

    #[test]
    fn xccdf_1_2_prefixes_are_stripped() {
        assert_eq!(strip_xccdf_prefix("xccdf_mil.disa.stig_group_V-242376", "_group_"), "V-242376");
        assert_eq!(strip_xccdf_prefix("V-1", "_group_"), "V-1");
    }
}
