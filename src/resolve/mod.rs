//! OSCAL profile resolution (NIST's three phases): select controls from each import, merge them
//! into one structure, modify them (set-parameters, alters). The result is a resolved catalog.
//!
//! Choices where the specification leaves room, made strict so profile bugs surface:
//! - an id in `with-ids` that the imported catalog lacks, a `set-parameters` target or an
//!   `alter` target that is not in the result, is an error naming the profile and the id;
//! - a selected control whose parent is not selected keeps its parent around it (NIST's own
//!   resolved PRIVACY baseline does this: ac-3.14 is selected, ac-3 appears);
//! - without a structuring directive, the result is flat;
//! - `combine` defaults to `keep`, which tolerates identical duplicates and rejects differing
//!   ones (a catalog with two different controls of one id would be invalid).

mod merge;
mod modify;
mod select;
mod source;

use std::collections::HashSet;

use crate::ids::uuid_v5;
use crate::oscal::{BackMatter, Catalog, Link, Metadata, Profile, Property, OSCAL_VERSION};

pub use source::{Loaded, Origin};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("cannot load {origin}: {message}")]
    Load { origin: String, message: String },
    #[error("profile {profile}: import \"{href}\" not found ({detail})")]
    MissingImport { profile: String, href: String, detail: String },
    #[error("profile {profile}: import \"{href}\" cannot be used: {reason}")]
    BadImport { profile: String, href: String, reason: String },
    #[error("profile {profile}: control \"{id}\" (selected from {import}) is not in that catalog")]
    ControlNotFound { profile: String, id: String, import: String },
    #[error("circular import: {}", chain.join(" -> "))]
    Circular { chain: Vec<String> },
    #[error("profile {profile}: set-parameters names \"{id}\", which no selected control defines")]
    ParamNotFound { profile: String, id: String },
    #[error("profile {profile}: alter of control \"{control_id}\": {reason}")]
    Alter { profile: String, control_id: String, reason: String },
    #[error("profile {profile}: control \"{id}\" is imported more than once with different content; set merge/combine/method to use-first or merge")]
    Clash { profile: String, id: String },
    #[error("profile {profile}: {feature} is not supported")]
    Unsupported { profile: String, feature: String },
}

/// Options that do not change what is resolved, only how it is stamped.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// `last-modified` of the resolved catalog; defaults to now. Pin it for byte-stable output.
    pub timestamp: Option<String>,
}

/// Resolves the profile at `origin` into a catalog.
pub fn resolve(origin: &Origin, options: &ResolveOptions) -> Result<Catalog, ResolveError> {
    let profile = match origin.load()? {
        Loaded::Profile(p) => p,
        Loaded::Catalog(_) => {
            return Err(ResolveError::BadImport {
                profile: origin.to_string(),
                href: origin.to_string(),
                reason: "this is a catalog, not a profile; only profiles are resolved".into(),
            })
        }
    };
    let mut resolver = Resolver { stack: Vec::new(), options };
    resolver.resolve_profile(&profile, origin)
}

struct Resolver<'a> {
    /// Profiles being resolved, outermost first: a repeat is a circular import.
    stack: Vec<String>,
    options: &'a ResolveOptions,
}

impl Resolver<'_> {
    fn resolve_profile(&mut self, profile: &Profile, origin: &Origin) -> Result<Catalog, ResolveError> {
        let key = origin.identity();
        if let Some(pos) = self.stack.iter().position(|k| *k == key) {
            let mut chain = self.stack[pos..].to_vec();
            chain.push(key);
            return Err(ResolveError::Circular { chain });
        }
        self.stack.push(key);
        let name = origin.to_string();

        let mut selections = Vec::with_capacity(profile.imports.len());
        for import in &profile.imports {
            let (loaded, import_origin) = source::load_import(&import.href, profile, origin)?;
            let catalog = match loaded {
                Loaded::Catalog(c) => c,
                Loaded::Profile(p) => self.resolve_profile(&p, &import_origin)?,
            };
            selections.push(select::select(catalog, import, &name, &import_origin.to_string())?);
        }

        let mut catalog = merge::merge(selections, profile.merge.as_ref(), &name)?;
        if let Some(modify) = &profile.modify {
            modify::apply(&mut catalog, modify, &name)?;
        }
        self.finish(&mut catalog, profile, origin);
        self.stack.pop();
        Ok(catalog)
    }

    /// Metadata and back-matter of the resolved catalog: the profile's own, stamped with the
    /// resolver and a `source-profile` link, as NIST's reference resolver does.
    fn finish(&self, catalog: &mut Catalog, profile: &Profile, origin: &Origin) {
        let pm = &profile.metadata;
        let mut props = pm.props.clone();
        props.push(Property::new("resolution-tool", concat!("oscal-stig ", env!("CARGO_PKG_VERSION"))));
        let mut links = pm.links.clone();
        links.push(Link { href: origin.href(), rel: Some("source-profile".into()), ..Default::default() });
        catalog.metadata = Metadata {
            title: pm.title.clone(),
            published: pm.published.clone(),
            last_modified: self.options.timestamp.clone().unwrap_or_else(now_rfc3339),
            version: pm.version.clone(),
            oscal_version: OSCAL_VERSION.into(),
            props,
            links,
            roles: pm.roles.clone(),
            parties: pm.parties.clone(),
            responsible_parties: pm.responsible_parties.clone(),
            remarks: pm.remarks.clone(),
            extra: pm.extra.clone(),
        };
        catalog.uuid = uuid_v5(&["resolved-catalog", &profile.uuid, &pm.last_modified, &pm.version]).to_string();

        // Resources of the profile come after those of the imports; first occurrence wins.
        let mut seen = HashSet::new();
        let mut resources = Vec::new();
        let imported = catalog.back_matter.take().map(|b| b.resources).unwrap_or_default();
        let own = profile.back_matter.iter().flat_map(|b| b.resources.iter().cloned());
        for r in imported.into_iter().chain(own) {
            if seen.insert(r.uuid.clone()) {
                resources.push(r);
            }
        }
        catalog.back_matter = (!resources.is_empty()).then(|| BackMatter { resources, ..Default::default() });
    }
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
