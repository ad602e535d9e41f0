//! Builds the OSCAL profile of a STIG: an import of NIST SP 800-53 that includes the controls
//! the rules' CCIs map to, and adds each rule as a part under each of those controls.
//!
//! Output is a function of its inputs only (dates come from the benchmark, UUIDs are v5 from
//! content), so shipped profiles can be regenerated and compared byte for byte.

use std::collections::{BTreeSet, HashMap};

use base64::Engine;

use super::cci::{CciList, Revision};
use super::xccdf::{Benchmark, Rule, SourceFile};
use super::NS;
use crate::ids::uuid_v5;
use crate::oscal::profile::{Add, Alter, Import, Merge, Modify, SelectControlById};
use crate::oscal::{BackMatter, Catalog, Hash, Metadata, Part, Profile, Property, Resource, ResourceLink, OSCAL_VERSION};

/// Where the profile's import points: a built-in catalog (by NIST file name) or a path.
#[derive(Debug, Clone)]
pub struct CatalogRef {
    pub href: String,
    pub title: String,
}

pub struct BuiltProfile {
    pub profile: Profile,
    /// Rules or CCIs that could not be placed, one sentence each (also recorded as props).
    pub warnings: Vec<String>,
}

/// XCCDF description field names -> part names in the project namespace.
const FIELD_PARTS: &[(&str, &str)] = &[
    ("FalsePositives", "false-positives"),
    ("FalseNegatives", "false-negatives"),
    ("Mitigations", "mitigations"),
    ("SeverityOverrideGuidance", "severity-override-guidance"),
    ("PotentialImpacts", "potential-impacts"),
    ("ThirdPartyTools", "third-party-tools"),
    ("MitigationControl", "mitigation-control"),
    ("Responsibility", "responsibility"),
    ("IAControls", "ia-controls"),
];

fn prop(name: &str, value: &str) -> Option<Property> {
    let v = value.trim();
    (!v.is_empty()).then(|| Property::with_ns(name, NS, v))
}

fn text_part(name: &str, prose: &str, props: Vec<Property>) -> Part {
    Part {
        name: name.into(),
        ns: Some(NS.into()),
        prose: (!prose.trim().is_empty()).then(|| prose.to_string()),
        props,
        ..Default::default()
    }
}

/// The rule as an OSCAL part: its identifiers and classification as props, its texts as parts.
pub fn rule_part(rule: &Rule, id: Option<String>, statements: &[String]) -> Part {
    let mut props: Vec<Property> = [
        prop("vuln-id", &rule.group_id),
        prop("rule-id", &rule.rule_id),
        prop("stig-id", &rule.stig_id),
        prop("severity", rule.severity.as_str()),
        prop("category", rule.severity.category()),
        prop("weight", &rule.weight),
        prop("srg-id", &rule.group_title),
        rule.reference_id.as_deref().and_then(|t| prop("target-key", t)),
    ]
    .into_iter()
    .flatten()
    .collect();
    props.extend(rule.ccis().filter_map(|c| prop("cci", c)));
    props.extend(rule.legacy_ids().filter_map(|l| prop("legacy-id", l)));
    if let Some(d) = rule.description_field("Documentable").and_then(|d| prop("documentable", d)) {
        props.push(d);
    }
    props.extend(statements.iter().filter_map(|s| prop("control-statement", s)));

    let check_props = [
        prop("check-system", &rule.check.system),
        rule.check.content_ref_href.as_deref().and_then(|h| prop("check-content-ref-href", h)),
        rule.check.content_ref_name.as_deref().and_then(|n| prop("check-content-ref-name", n)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut parts = vec![
        text_part("discussion", rule.discussion(), vec![]),
        text_part("check", rule.check.content.as_deref().unwrap_or(""), check_props),
        text_part("fix", &rule.fix_text, prop("fix-id", &rule.fix_id).into_iter().collect()),
    ];
    for (field, part_name) in FIELD_PARTS {
        if let Some(v) = rule.description_field(field).filter(|v| !v.trim().is_empty()) {
            parts.push(text_part(part_name, v, vec![]));
        }
    }
    Part {
        id,
        name: "stig-rule".into(),
        ns: Some(NS.into()),
        title: Some(crate::emit::single_line(&rule.title)),
        props,
        parts,
        ..Default::default()
    }
}

fn resource(kind: &str, src: &SourceFile, title: String, media_type: &str) -> Resource {
    Resource {
        uuid: uuid_v5(&[kind, &src.sha256]).to_string(),
        title: Some(title),
        rlinks: vec![ResourceLink {
            href: src.name.clone(),
            media_type: Some(media_type.into()),
            hashes: vec![Hash { algorithm: "SHA-256".into(), value: src.sha256.clone() }],
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Builds the profile. `catalog` is the catalog the import points at (used to check that every
/// mapped control exists in it).
pub fn build_profile(bench: &Benchmark, ccis: &CciList, revision: Revision, catalog: &Catalog, catalog_ref: &CatalogRef) -> BuiltProfile {
    let order: HashMap<&str, usize> = catalog.control_ids().into_iter().enumerate().map(|(i, id)| (id, i)).collect();
    let mut warnings = Vec::new();
    let mut unmapped_props = Vec::new();
    let mut unmapped_resources = Vec::new();
    // control id -> rules placed under it (benchmark order), with the statement parts named.
    let mut by_control: HashMap<String, Vec<(&Rule, Vec<String>)>> = HashMap::new();

    for rule in &bench.rules {
        let mut controls: Vec<String> = Vec::new();
        let mut statements: HashMap<String, BTreeSet<String>> = HashMap::new();
        for cci in rule.ccis() {
            if ccis.get(cci).is_none() {
                warnings.push(format!("{} ({}): {cci} is not in the CCI list (version {})", rule.group_id, rule.rule_id, ccis.version));
                continue;
            }
            let refs: Vec<_> = ccis.refs(cci, revision).collect();
            if refs.is_empty() {
                warnings.push(format!("{} ({}): {cci} has no {revision} reference in the CCI list", rule.group_id, rule.rule_id));
            }
            for r in refs {
                if !order.contains_key(r.control.as_str()) {
                    warnings.push(format!(
                        "{} ({}): {cci} maps to {} ({}), which is not in the catalog {}",
                        rule.group_id, rule.rule_id, r.control, r.index, catalog_ref.title
                    ));
                    continue;
                }
                if !controls.contains(&r.control) {
                    controls.push(r.control.clone());
                }
                if let Some(p) = &r.part {
                    statements.entry(r.control.clone()).or_default().insert(p.clone());
                }
            }
        }
        if controls.is_empty() {
            let reason = format!("none of its CCIs ({}) maps to a control of {revision} in {}", rule.ccis().collect::<Vec<_>>().join(", "), catalog_ref.title);
            warnings.push(format!("{} ({}) is not placed under any control: {reason}", rule.group_id, rule.rule_id));
            unmapped_props.push(Property { remarks: Some(reason.clone()), ..Property::with_ns("unmapped-rule", NS, &rule.group_id) });
            unmapped_resources.push(unmapped_rule_resource(rule, reason));
        }
        for c in controls {
            let st: Vec<String> = statements.remove(&c).map(|s| s.into_iter().collect()).unwrap_or_default();
            by_control.entry(c).or_default().push((rule, st));
        }
    }

    let mut control_ids: Vec<&String> = by_control.keys().collect();
    control_ids.sort_by_key(|id| order[id.as_str()]);
    let alters: Vec<Alter> = control_ids
        .iter()
        .map(|c| Alter {
            control_id: (*c).clone(),
            adds: vec![Add {
                position: Some("ending".into()),
                parts: by_control[*c]
                    .iter()
                    .map(|(rule, st)| rule_part(rule, Some(format!("{c}_stig_{}", rule.group_id)), st))
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();

    let catalog_resource = Resource {
        uuid: uuid_v5(&["catalog", &catalog_ref.href]).to_string(),
        title: Some(catalog_ref.title.clone()),
        rlinks: vec![ResourceLink { href: catalog_ref.href.clone(), media_type: Some("application/oscal.catalog+json".into()), ..Default::default() }],
        ..Default::default()
    };
    let short = bench.short_version();
    let date = bench.benchmark_date().or_else(|| bench.status_date.clone()).unwrap_or_else(|| "1970-01-01".into());
    let stamp = format!("{date}T00:00:00Z");

    let mut meta_props: Vec<Property> = [
        prop("benchmark-id", &bench.id),
        prop("benchmark-version", &bench.version),
        prop("release-info", &bench.release_info),
        prop("status", &bench.status),
        bench.status_date.as_deref().and_then(|d| prop("status-date", d)),
        prop("xccdf-version", &bench.xccdf_version),
        prop("cci-list-version", &ccis.version),
        prop("nist-800-53-revision", revision.short()),
        prop("rule-count", &bench.rules.len().to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    meta_props.extend(unmapped_props);

    let mut resources = vec![
        catalog_resource.clone(),
        resource("xccdf", &bench.source, crate::emit::single_line(&format!("{} {short} (DISA XCCDF)", bench.title)), "application/xml"),
        resource("cci-list", &ccis.source, format!("DISA CCI list {}", ccis.version), "application/xml"),
    ];
    resources.extend(unmapped_resources);

    let profile = Profile {
        uuid: uuid_v5(&["stig-profile", &bench.id, &short, revision.short(), &bench.source.sha256, &ccis.source.sha256]).to_string(),
        metadata: Metadata {
            title: crate::emit::single_line(&format!("{} {short} ({revision})", bench.title)),
            published: Some(stamp.clone()),
            last_modified: stamp,
            version: short.clone(),
            oscal_version: OSCAL_VERSION.into(),
            props: meta_props,
            remarks: Some(format!(
                "Generated by oscal-stig from DISA's {} ({}) and the DISA CCI list {}. Each STIG rule is a part named stig-rule (namespace {NS}) added to every control its CCIs map to.",
                bench.source.name, bench.release_info, ccis.version
            )),
            ..Default::default()
        },
        imports: vec![Import {
            href: format!("#{}", catalog_resource.uuid),
            include_controls: vec![SelectControlById { with_ids: control_ids.iter().map(|c| (*c).clone()).collect(), ..Default::default() }],
            ..Default::default()
        }],
        merge: Some(Merge { as_is: Some(true), ..Default::default() }),
        modify: Some(Modify { alters, ..Default::default() }),
        back_matter: Some(BackMatter { resources, ..Default::default() }),
        extra: Default::default(),
    };
    BuiltProfile { profile, warnings }
}

/// A rule no control can hold still travels in the profile: as a back-matter resource whose
/// base64 payload is the rule part (JSON), so the rule index and checklists keep every rule.
fn unmapped_rule_resource(rule: &Rule, reason: String) -> Resource {
    let part = rule_part(rule, None, &[]);
    let json = serde_json::to_vec(&part).expect("parts serialize");
    Resource {
        uuid: uuid_v5(&["unmapped-rule", &rule.rule_id]).to_string(),
        title: Some(rule.title.clone()),
        description: Some(rule.discussion().to_string()).filter(|d| !d.trim().is_empty()),
        props: part.props.clone(),
        remarks: Some(format!("STIG rule {} is not placed under any control: {reason}", rule.group_id)),
        extra: {
            let mut m = serde_json::Map::new();
            m.insert(
                "base64".into(),
                serde_json::json!({
                    "filename": format!("{}.json", rule.group_id),
                    "media-type": "application/json",
                    "value": base64::engine::general_purpose::STANDARD.encode(json),
                }),
            );
            m
        },
        ..Default::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Stig(#[from] super::StigError),
    #[error("catalog {name}: {message}")]
    Catalog { name: String, message: String },
}

/// Builds a STIG profile from files: an XCCDF (or STIG zip), a CCI list (default: the shipped
/// one) and a catalog (a built-in name such as `nist-800-53-rev5`, or a catalog file). The
/// revision defaults to the built-in catalog's, else rev5.
pub fn build_from_files(
    xccdf: &std::path::Path,
    cci_list: Option<&std::path::Path>,
    catalog: &str,
    revision: Option<Revision>,
) -> Result<BuiltProfile, BuildError> {
    use crate::content::Builtin;
    use crate::oscal::{Model, OscalModel};
    let bench = super::read_benchmark(xccdf)?;
    let owned;
    let ccis = match cci_list {
        Some(p) => {
            owned = CciList::read(p)?;
            &owned
        }
        None => super::cci::builtin(),
    };
    let cat_err = |message: String| BuildError::Catalog { name: catalog.to_string(), message };
    let (cat, cref, rev) = match Builtin::find(catalog).filter(|b| b.model == Model::Catalog) {
        Some(b) if !std::path::Path::new(catalog).exists() => {
            let rev = if b.name.ends_with("rev4") { Revision::Rev4 } else { Revision::Rev5 };
            let c = Catalog::load_builtin(b.name).map_err(|e| cat_err(e.to_string()))?;
            (c, CatalogRef { href: b.file_name.into(), title: b.description.into() }, rev)
        }
        _ => {
            let c = Catalog::from_file(std::path::Path::new(catalog)).map_err(|e| cat_err(e.to_string()))?;
            let title = c.metadata.title.clone();
            (c, CatalogRef { href: catalog.to_string(), title }, Revision::Rev5)
        }
    };
    Ok(build_profile(&bench, ccis, revision.unwrap_or(rev), &cat, &cref))
}
