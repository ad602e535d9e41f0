//! Where profiles and catalogs come from: files, built-in content, and the hrefs that name them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::content::Builtin;
use crate::oscal::{read_value, Catalog, Model, OscalModel, Profile};

use super::ResolveError;

/// A place a catalog or profile is loaded from.
#[derive(Debug, Clone)]
pub enum Origin {
    File(PathBuf),
    Builtin(&'static Builtin),
}

pub enum Loaded {
    Catalog(Catalog),
    Profile(Profile),
}

impl Origin {
    /// A built-in name (`nist-800-53-rev5-high`) or a path.
    pub fn from_arg(arg: &str) -> Origin {
        match Builtin::find(arg) {
            Some(b) if !Path::new(arg).exists() => Origin::Builtin(b),
            _ => Origin::File(PathBuf::from(arg)),
        }
    }

    /// Identity for cycle detection: the canonical path, so `a/../b.json` and `b.json` match.
    pub(super) fn identity(&self) -> String {
        match self {
            Origin::File(p) => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string(),
            Origin::Builtin(b) => format!("builtin:{}", b.name),
        }
    }

    /// How the resolved catalog's `source-profile` link names this origin.
    pub(super) fn href(&self) -> String {
        match self {
            Origin::File(p) => p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            Origin::Builtin(b) => b.file_name.to_string(),
        }
    }

    pub fn load(&self) -> Result<Loaded, ResolveError> {
        let err = |message: String| ResolveError::Load { origin: self.to_string(), message };
        match self {
            // Built-ins have a known model, and their catalogs are parsed once per process.
            Origin::Builtin(b) => match b.model {
                Model::Catalog => Catalog::load_builtin(b.name).map(Loaded::Catalog),
                _ => Profile::load_builtin(b.name).map(Loaded::Profile),
            }
            .map_err(|e| err(e.to_string())),
            Origin::File(p) => {
                let value = read_value(p).map_err(|e| err(e.to_string()))?;
                match Model::detect(&value).map_err(|e| err(e.to_string()))? {
                    Model::Catalog => Catalog::from_value(value).map(Loaded::Catalog),
                    Model::Profile => Profile::from_value(value).map(Loaded::Profile),
                    other => return Err(err(format!("it is a {other}; imports must be catalogs or profiles"))),
                }
                .map_err(|e| err(e.to_string()))
            }
        }
    }

    fn dir(&self) -> Option<&Path> {
        match self {
            Origin::File(p) => p.parent(),
            Origin::Builtin(_) => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Builtin(b) => write!(f, "{} (built-in)", b.name),
        }
    }
}

/// Loads what an `import/@href` points at, relative to the importing profile.
pub(super) fn load_import(href: &str, profile: &Profile, from: &Origin) -> Result<(Loaded, Origin), ResolveError> {
    let origin = locate(href, profile, from)?;
    let loaded = origin.load()?;
    Ok((loaded, origin))
}

fn locate(href: &str, profile: &Profile, from: &Origin) -> Result<Origin, ResolveError> {
    let bad = |reason: &str| ResolveError::BadImport {
        profile: from.to_string(),
        href: href.to_string(),
        reason: reason.to_string(),
    };
    let target = if let Some(uuid) = href.strip_prefix('#') {
        let resource = profile
            .back_matter
            .as_ref()
            .and_then(|b| b.resource(uuid))
            .ok_or_else(|| ResolveError::MissingImport {
                profile: from.to_string(),
                href: href.to_string(),
                detail: "no back-matter resource has that uuid".into(),
            })?;
        // A resource may list the same document in XML, JSON and YAML: take the JSON one.
        let rlink = resource
            .rlinks
            .iter()
            .find(|l| l.media_type.as_deref().is_some_and(|m| m.contains("json")) || l.href.ends_with(".json"))
            .or_else(|| resource.rlinks.iter().find(|l| l.href.ends_with(".yaml") || l.href.ends_with(".yml")))
            .ok_or_else(|| bad("the back-matter resource has no JSON or YAML rlink"))?;
        rlink.href.clone()
    } else {
        href.to_string()
    };

    if target.starts_with("http://") || target.starts_with("https://") {
        if let Some(b) = Builtin::find_by_href(&target) {
            return Ok(Origin::Builtin(b));
        }
        return Err(bad("remote imports are never fetched (the tool works air-gapped); save the file and import it by path"));
    }
    if !target.contains(['/', '\\']) {
        if let Some(b) = Builtin::find(&target) {
            return Ok(Origin::Builtin(b));
        }
    }
    let rel = target.strip_prefix("file://").unwrap_or(&target);
    let path = match from.dir() {
        Some(dir) if Path::new(rel).is_relative() => dir.join(rel),
        _ => PathBuf::from(rel),
    };
    if path.is_file() {
        return Ok(Origin::File(path));
    }
    // NIST's profiles point into NIST's repository layout; the same files ship built in.
    if let Some(b) = Builtin::find_by_href(&target) {
        return Ok(Origin::Builtin(b));
    }
    Err(ResolveError::MissingImport {
        profile: from.to_string(),
        href: href.to_string(),
        detail: format!("looked for {}", path.display()),
    })
}
