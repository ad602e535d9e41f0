//! Built-in OSCAL content, compiled into the binary so an air-gapped site needs nothing else.
//!
//! Files live in `catalogs/` under NIST's own file names (see `catalogs/SOURCES`), so that
//! NIST profiles whose imports point at e.g. `.../NIST_SP-800-53_rev5_catalog.json` resolve to
//! the shipped copy by file name.

use std::sync::OnceLock;

use crate::oscal::{Catalog, Model, OscalError, OscalModel, Profile};

/// One shipped document, addressable by a short name.
pub struct Builtin {
    /// Short name used on the command line and in `import/@href` (e.g. `nist-800-53-rev5`).
    pub name: &'static str,
    /// NIST's file name, as it appears in `catalogs/` and in NIST's own hrefs.
    pub file_name: &'static str,
    pub model: Model,
    pub description: &'static str,
    pub bytes: &'static [u8],
    /// A STIG profile (rules as parts), as opposed to a NIST catalog or baseline.
    pub is_stig: bool,
}

macro_rules! builtin {
    ($name:literal, $file:literal, $model:expr, $desc:literal) => {
        Builtin {
            name: $name,
            file_name: $file,
            model: $model,
            description: $desc,
            bytes: include_bytes!(concat!("../../catalogs/", $file)),
            is_stig: false,
        }
    };
}

macro_rules! stig {
    ($name:literal, $file:literal, $desc:literal) => {
        Builtin {
            name: $name,
            file_name: $file,
            model: Model::Profile,
            description: $desc,
            bytes: include_bytes!(concat!("../../profiles/", $file)),
            is_stig: true,
        }
    };
}

pub static BUILTINS: &[Builtin] = &[
    builtin!("nist-800-53-rev5", "NIST_SP-800-53_rev5_catalog.json", Model::Catalog,
        "NIST SP 800-53 Rev. 5 catalog (5.0.1)"),
    builtin!("nist-800-53-rev4", "NIST_SP-800-53_rev4_catalog.json", Model::Catalog,
        "NIST SP 800-53 Rev. 4 catalog"),
    builtin!("nist-800-53-rev5-low", "NIST_SP-800-53_rev5_LOW-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 5 LOW baseline (5.1.1)"),
    builtin!("nist-800-53-rev5-moderate", "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 5 MODERATE baseline (5.1.1)"),
    builtin!("nist-800-53-rev5-high", "NIST_SP-800-53_rev5_HIGH-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 5 HIGH baseline (5.1.1)"),
    builtin!("nist-800-53-rev5-privacy", "NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 5 PRIVACY baseline (5.1.1)"),
    builtin!("nist-800-53-rev4-low", "NIST_SP-800-53_rev4_LOW-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 4 LOW baseline"),
    builtin!("nist-800-53-rev4-moderate", "NIST_SP-800-53_rev4_MODERATE-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 4 MODERATE baseline"),
    builtin!("nist-800-53-rev4-high", "NIST_SP-800-53_rev4_HIGH-baseline_profile.json", Model::Profile,
        "NIST SP 800-53 Rev. 4 HIGH baseline"),
    stig!("mke", "mke_stig_v2r1_rev5_profile.json",
        "Mirantis Kubernetes Engine STIG V2R1 over NIST SP 800-53 Rev. 5"),
    stig!("mke-rev4", "mke_stig_v2r1_rev4_profile.json",
        "Mirantis Kubernetes Engine STIG V2R1 over NIST SP 800-53 Rev. 4"),
    stig!("kubernetes", "kubernetes_stig_v1r11_rev5_profile.json",
        "Kubernetes STIG V1R11 over NIST SP 800-53 Rev. 5"),
    stig!("kubernetes-rev4", "kubernetes_stig_v1r11_rev4_profile.json",
        "Kubernetes STIG V1R11 over NIST SP 800-53 Rev. 4"),
];

impl Builtin {
    /// Finds a shipped document by short name or by NIST file name.
    pub fn find(name_or_file: &str) -> Option<&'static Builtin> {
        BUILTINS.iter().find(|b| b.name == name_or_file || b.file_name == name_or_file)
    }

    /// Finds a shipped document by the last path segment of an href (NIST's hrefs point into
    /// their repository layout, which a user's disk does not have).
    pub fn find_by_href(href: &str) -> Option<&'static Builtin> {
        let file = href.rsplit(['/', '\\']).next().unwrap_or(href);
        BUILTINS.iter().find(|b| b.file_name == file)
    }

}

#[derive(Debug, thiserror::Error)]
pub enum BuiltinError {
    #[error("no built-in {kind} named \"{name}\" (built-ins: {known})")]
    Unknown { kind: Model, name: String, known: String },
    #[error("built-in \"{name}\" is a {found}, not a {expected}")]
    WrongModel { name: String, expected: Model, found: Model },
    #[error("built-in \"{name}\" is corrupt: {source}")]
    Corrupt { name: String, source: OscalError },
}

fn lookup(name: &str, model: Model) -> Result<&'static Builtin, BuiltinError> {
    let b = Builtin::find(name).ok_or_else(|| BuiltinError::Unknown {
        kind: model,
        name: name.to_string(),
        known: BUILTINS.iter().filter(|b| b.model == model).map(|b| b.name).collect::<Vec<_>>().join(", "),
    })?;
    if b.model != model {
        return Err(BuiltinError::WrongModel { name: name.to_string(), expected: model, found: b.model });
    }
    Ok(b)
}

impl Catalog {
    /// Loads a shipped catalog by name (`nist-800-53-rev5`, `nist-800-53-rev4`). Parsed once per
    /// process; callers get their own copy to tailor.
    pub fn load_builtin(name: &str) -> Result<Catalog, BuiltinError> {
        static CACHE: [OnceLock<Catalog>; 2] = [OnceLock::new(), OnceLock::new()];
        let b = lookup(name, Model::Catalog)?;
        let slot = BUILTINS.iter().filter(|x| x.model == Model::Catalog).position(|x| x.name == b.name);
        let parse = || Catalog::from_slice(b.bytes).map_err(|source| BuiltinError::Corrupt { name: b.name.into(), source });
        match slot.and_then(|i| CACHE.get(i)) {
            Some(cell) => {
                if let Some(c) = cell.get() {
                    return Ok(c.clone());
                }
                let c = parse()?;
                Ok(cell.get_or_init(|| c).clone())
            }
            None => parse(),
        }
    }
}

impl Profile {
    /// Loads a shipped profile (a NIST baseline) by name, e.g. `nist-800-53-rev5-high`.
    pub fn load_builtin(name: &str) -> Result<Profile, BuiltinError> {
        let b = lookup(name, Model::Profile)?;
        Profile::from_slice(b.bytes).map_err(|source| BuiltinError::Corrupt { name: b.name.into(), source })
    }
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never dump the embedded megabytes.
        f.debug_struct("Builtin").field("name", &self.name).field("model", &self.model).finish()
    }
}
