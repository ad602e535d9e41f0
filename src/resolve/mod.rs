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

/// How deep imports may nest: a profile importing a profile importing ... NIST's baselines
/// import the catalog directly, and a site's tailoring adds a level or two; a chain of 64 is far
/// beyond any real use. Resolution recurses once per level (in debug builds the main thread's
/// stack overflows between 500 and 1,000 levels), so a chain of generated files is refused here
/// with an error rather than a crash.
pub const MAX_IMPORT_DEPTH: usize = 64;

// Everything shown is escaped and bounded: ids, hrefs and messages come from the documents.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("cannot load {}: {}", p(.origin), m(.message))]
    Load { origin: String, message: String },
    #[error("profile {}: import \"{}\" not found ({})", p(.profile), q(.href), m(.detail))]
    MissingImport { profile: String, href: String, detail: String },
    #[error("profile {}: import \"{}\" cannot be used: {}", p(.profile), q(.href), m(.reason))]
    BadImport { profile: String, href: String, reason: String },
    #[error("profile {}: control \"{}\" (selected from {}) is not in that catalog", p(.profile), q(.id), p(.import))]
    ControlNotFound { profile: String, id: String, import: String },
    #[error("circular import: {}", chain_text(.chain))]
    Circular { chain: Vec<String> },
    #[error("profile {}: imports nest deeper than {MAX_IMPORT_DEPTH} profiles ({}); refused", p(.profile), chain_text(.chain))]
    TooDeep { profile: String, chain: Vec<String> },
    #[error("profile {}: set-parameters names \"{}\", which no selected control defines", p(.profile), q(.id))]
    ParamNotFound { profile: String, id: String },
    #[error("profile {}: alter of control \"{}\": {}", p(.profile), q(.control_id), m(.reason))]
    Alter { profile: String, control_id: String, reason: String },
    #[error("profile {}: control \"{}\" is imported more than once with different content; set merge/combine/method to use-first or merge", p(.profile), q(.id))]
    Clash { profile: String, id: String },
    #[error("profile {}: {} is not supported", p(.profile), m(.feature))]
    Unsupported { profile: String, feature: String },
}

fn p(s: &str) -> String {
    crate::limits::path(std::path::Path::new(s))
}

fn q(s: &str) -> String {
    crate::limits::quote(s)
}

fn m(s: &str) -> String {
    crate::limits::message(s)
}

/// `a -> b -> c`, the middle of a long chain left out.
fn chain_text(chain: &[String]) -> String {
    let shown: Vec<String> = if chain.len() <= 6 {
        chain.iter().map(|c| p(c)).collect()
    } else {
        let mut v: Vec<String> = chain[..3].iter().map(|c| p(c)).collect();
        v.push(format!("… {} more …", chain.len() - 6));
        v.extend(chain[chain.len() - 3..].iter().map(|c| p(c)));
        v
    };
    shown.join(" -> ")
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
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            let mut chain = self.stack.clone();
            chain.push(key);
            return Err(ResolveError::TooDeep { profile: origin.to_string(), chain });
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
