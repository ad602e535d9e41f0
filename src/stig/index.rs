//! The rule index: one STIG's rules by any of their ids (V-, SV-, STIG id), with their text and
//! the 800-53 controls they sit under. Read from a STIG profile built by [`super::profile`];
//! built once, then a hash lookup per finding.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;

use super::{Severity, NS};
use crate::content::Builtin;
use crate::oscal::{Model, OscalError, OscalModel, Part, Profile};

#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    pub vuln_id: String,
    pub rule_id: String,
    pub stig_id: String,
    pub severity: Severity,
    pub weight: String,
    pub srg_id: String,
    /// DISA's product identifier for the STIG (STIG Viewer's TargetKey).
    pub target_key: Option<String>,
    pub title: String,
    /// The id of the rule's part in the STIG profile (`cm-6_stig_V-260907`, under the first
    /// control it maps to): what findings target, so a resolver can follow them. None for a
    /// rule no control holds (it travels in back-matter).
    pub part_id: Option<String>,
    pub discussion: String,
    /// Manual check text (absent for SCAP-only rules).
    pub check: Option<String>,
    pub check_system: String,
    pub check_content_ref_href: Option<String>,
    pub check_content_ref_name: Option<String>,
    pub fix: String,
    pub fix_id: String,
    pub ccis: Vec<String>,
    pub legacy_ids: Vec<String>,
    pub documentable: Option<String>,
    /// Other DISA description fields that are not empty, by part name (`mitigations`, ...).
    pub fields: Vec<(String, String)>,
    /// NIST SP 800-53 controls the rule sits under, in catalog order.
    pub controls: Vec<String>,
    /// Statement parts its CCIs name (e.g. `ac-2_smt.a`).
    pub statements: Vec<String>,
}

impl RuleInfo {
    pub fn field(&self, part_name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == part_name).map(|(_, v)| v.as_str())
    }

    /// The numeric part of the V- id, for DISA's rule order.
    pub(crate) fn number(&self) -> u64 {
        self.vuln_id.trim_start_matches("V-").parse().unwrap_or(u64::MAX)
    }
}

/// What identifies the STIG itself (for checklists' STIG_INFO and report headers).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StigMeta {
    pub title: String,
    pub benchmark_id: String,
    /// e.g. `V2R1`
    pub version: String,
    /// The XCCDF `version` element, e.g. `2`.
    pub benchmark_version: String,
    pub release_info: String,
    pub source_file: String,
    pub profile_uuid: String,
}

#[derive(Debug, Clone)]
pub struct RuleIndex {
    pub stig: StigMeta,
    rules: Vec<RuleInfo>,
    by_key: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{0}")]
    Oscal(#[from] OscalError),
    #[error("\"{0}\" is neither a built-in STIG ({1}) nor a readable file")]
    Unknown(String, String),
    #[error("rule part {0} is malformed: {1}")]
    Malformed(String, String),
    #[error("the profile holds no STIG rules (parts named stig-rule in namespace {NS})")]
    NoRules,
    #[error("the results name no rule of a built-in STIG ({0}): give the STIG with --stig")]
    NoBuiltinFor(String),
}

fn props<'a>(part: &'a Part, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    part.props.iter().filter(move |p| p.name == name && p.ns.as_deref() == Some(NS)).map(|p| p.value.as_str())
}

fn one(part: &Part, name: &str) -> Option<String> {
    props(part, name).next().map(str::to_string)
}

fn sub<'a>(part: &'a Part, name: &str) -> Option<&'a Part> {
    part.parts.iter().find(|p| p.name == name && p.ns.as_deref() == Some(NS))
}

fn parse_rule(part: &Part, control: Option<&str>) -> Result<RuleInfo, IndexError> {
    let vuln_id = one(part, "vuln-id").ok_or_else(|| IndexError::Malformed(part.id.clone().unwrap_or_default(), "no vuln-id".into()))?;
    let sev = one(part, "severity").unwrap_or_default();
    let severity = Severity::parse(&sev).ok_or_else(|| IndexError::Malformed(vuln_id.clone(), format!("severity \"{sev}\"")))?;
    let check = sub(part, "check");
    let fix = sub(part, "fix");
    Ok(RuleInfo {
        rule_id: one(part, "rule-id").unwrap_or_default(),
        stig_id: one(part, "stig-id").unwrap_or_default(),
        severity,
        weight: one(part, "weight").unwrap_or_default(),
        srg_id: one(part, "srg-id").unwrap_or_default(),
        target_key: one(part, "target-key"),
        title: part.title.clone().unwrap_or_default(),
        discussion: sub(part, "discussion").and_then(|p| p.prose.clone()).unwrap_or_default(),
        check: check.and_then(|c| c.prose.clone()),
        check_system: check.and_then(|c| one(c, "check-system")).unwrap_or_default(),
        check_content_ref_href: check.and_then(|c| one(c, "check-content-ref-href")),
        check_content_ref_name: check.and_then(|c| one(c, "check-content-ref-name")),
        fix: fix.and_then(|f| f.prose.clone()).unwrap_or_default(),
        fix_id: fix.and_then(|f| one(f, "fix-id")).unwrap_or_default(),
        ccis: props(part, "cci").map(str::to_string).collect(),
        legacy_ids: props(part, "legacy-id").map(str::to_string).collect(),
        documentable: one(part, "documentable"),
        fields: part
            .parts
            .iter()
            .filter(|p| p.ns.as_deref() == Some(NS) && !matches!(p.name.as_str(), "discussion" | "check" | "fix"))
            .filter_map(|p| p.prose.clone().map(|t| (p.name.clone(), t)))
            .collect(),
        controls: control.map(|c| vec![c.to_string()]).unwrap_or_default(),
        part_id: control.and(part.id.clone()),
        statements: props(part, "control-statement").map(str::to_string).collect(),
        vuln_id,
    })
}

impl RuleIndex {
    pub fn from_profile(profile: &Profile) -> Result<RuleIndex, IndexError> {
        let mut rules: Vec<RuleInfo> = Vec::new();
        let mut by_vuln: HashMap<String, usize> = HashMap::new();
        let mut add = |info: RuleInfo| match by_vuln.get(&info.vuln_id) {
            Some(&i) => {
                let r: &mut RuleInfo = &mut rules[i];
                for c in info.controls {
                    if !r.controls.contains(&c) {
                        r.controls.push(c);
                    }
                }
                for s in info.statements {
                    if !r.statements.contains(&s) {
                        r.statements.push(s);
                    }
                }
            }
            None => {
                by_vuln.insert(info.vuln_id.clone(), rules.len());
                rules.push(info);
            }
        };
        for alter in profile.modify.iter().flat_map(|m| &m.alters) {
            for part in alter.adds.iter().flat_map(|a| &a.parts) {
                if part.name == "stig-rule" && part.ns.as_deref() == Some(NS) {
                    add(parse_rule(part, Some(&alter.control_id))?);
                }
            }
        }
        // Rules no control could hold travel as base64 rule parts in back-matter.
        for res in profile.back_matter.iter().flat_map(|b| &b.resources) {
            let Some(b64) = res.extra.get("base64").and_then(|b| b.get("value")).and_then(|v| v.as_str()) else { continue };
            if !res.props.iter().any(|p| p.name == "vuln-id" && p.ns.as_deref() == Some(NS)) {
                continue;
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| IndexError::Malformed(res.uuid.clone(), e.to_string()))?;
            let part: Part = serde_json::from_slice(&bytes).map_err(|e| IndexError::Malformed(res.uuid.clone(), e.to_string()))?;
            add(parse_rule(&part, None)?);
        }
        if rules.is_empty() {
            return Err(IndexError::NoRules);
        }
        rules.sort_by_key(RuleInfo::number);
        let mut by_key = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for k in [&r.vuln_id, &r.rule_id, &r.stig_id] {
                if !k.is_empty() {
                    by_key.insert(k.clone(), i);
                }
            }
        }
        let meta = &profile.metadata;
        let mp = |name: &str| meta.props.iter().find(|p| p.name == name && p.ns.as_deref() == Some(NS)).map(|p| p.value.clone()).unwrap_or_default();
        let source_file = profile
            .back_matter
            .iter()
            .flat_map(|b| &b.resources)
            .flat_map(|r| &r.rlinks)
            .find(|l| l.href.to_ascii_lowercase().ends_with(".xml") && !l.href.contains("CCI"))
            .map(|l| l.href.clone())
            .unwrap_or_default();
        let title = meta.title.rsplit_once(&format!(" {} (", meta.version)).map(|(t, _)| t.to_string()).unwrap_or_else(|| meta.title.clone());
        Ok(RuleIndex {
            stig: StigMeta {
                title,
                benchmark_id: mp("benchmark-id"),
                version: meta.version.clone(),
                benchmark_version: mp("benchmark-version"),
                release_info: mp("release-info"),
                source_file,
                profile_uuid: profile.uuid.clone(),
            },
            rules,
            by_key,
        })
    }

    /// Loads a built-in STIG profile by name (`mke`, `kubernetes`, ...) or a profile file.
    pub fn load(name_or_path: &str) -> Result<RuleIndex, IndexError> {
        let profile = match Builtin::find(name_or_path).filter(|b| b.model == Model::Profile && b.is_stig) {
            Some(b) if !Path::new(name_or_path).exists() => Profile::from_slice(b.bytes)?,
            _ if Path::new(name_or_path).is_file() => Profile::from_file(Path::new(name_or_path))?,
            _ => {
                let names: Vec<&str> = crate::content::BUILTINS.iter().filter(|b| b.is_stig).map(|b| b.name).collect();
                return Err(IndexError::Unknown(name_or_path.to_string(), names.join(", ")));
            }
        };
        RuleIndex::from_profile(&profile)
    }

    /// The built-in STIG whose rules the given rule ids (V-, SV- or STIG ids: finding targets)
    /// name most: results carry their rules, so documents written from them need not be told
    /// which STIG they are for. Built-in STIGs share no rule ids, so this is never a close call.
    pub fn builtin_for<'a>(rule_ids: impl IntoIterator<Item = &'a str> + Clone) -> Result<(&'static str, RuleIndex), IndexError> {
        let stigs = || crate::content::BUILTINS.iter().filter(|b| b.model == Model::Profile && b.is_stig);
        let mut best: Option<(usize, &'static str, RuleIndex)> = None;
        for b in stigs() {
            let index = RuleIndex::from_profile(&Profile::from_slice(b.bytes)?)?;
            let named = rule_ids.clone().into_iter().filter(|id| index.get(id).is_some()).count();
            if named > 0 && best.as_ref().is_none_or(|(n, _, _)| named > *n) {
                best = Some((named, b.name, index));
            }
        }
        best.map(|(_, name, index)| (name, index)).ok_or_else(|| IndexError::NoBuiltinFor(stigs().map(|b| b.name).collect::<Vec<_>>().join(", ")))
    }

    /// A rule by V- id, SV- rule id or STIG id.
    pub fn get(&self, key: &str) -> Option<&RuleInfo> {
        self.by_key.get(key).map(|&i| &self.rules[i])
    }

    /// All rules in DISA's order (by V- number).
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_builtin_for_finds_the_stig_the_rule_ids_belong_to() {
        let (name, index) = RuleIndex::builtin_for(["V-242376", "V-242390", "V-999999"]).unwrap();
        assert_eq!(name, "kubernetes");
        assert!(index.get("V-242390").is_some());
        let mke = RuleIndex::load("mke").unwrap();
        let first = mke.rules()[0].vuln_id.clone();
        assert_eq!(RuleIndex::builtin_for([first.as_str()]).unwrap().0, "mke");
        let err = RuleIndex::builtin_for(["V-1", "not-a-rule"]).unwrap_err().to_string();
        assert!(err.contains("--stig") && err.contains("kubernetes"), "{err}");
    }
}
