//! OSCAL 1.1.x document models, reading/writing, and schema validation.
//!
//! Naming follows the OSCAL model names (catalog, profile, component-definition, ...), one
//! module per model; `common` holds the assemblies they share.

pub mod assessment_common;
pub mod assessment_plan;
pub mod assessment_results;
pub mod catalog;
pub mod common;
pub mod component_definition;
pub mod constraints;
pub mod poam;
pub mod profile;
pub mod ssp;
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

pub use assessment_plan::AssessmentPlan;
pub use assessment_results::AssessmentResults;
pub use catalog::{Catalog, Control, Group};
pub use common::*;
pub use component_definition::ComponentDefinition;
pub use poam::PlanOfActionAndMilestones;
pub use profile::Profile;
pub use ssp::SystemSecurityPlan;

/// The OSCAL models, named by the root key of their JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    Catalog,
    Profile,
    ComponentDefinition,
    SystemSecurityPlan,
    AssessmentPlan,
    AssessmentResults,
    PlanOfActionAndMilestones,
}

impl Model {
    pub const ALL: [Model; 7] = [
        Model::Catalog,
        Model::Profile,
        Model::ComponentDefinition,
        Model::SystemSecurityPlan,
        Model::AssessmentPlan,
        Model::AssessmentResults,
        Model::PlanOfActionAndMilestones,
    ];

    pub fn root_key(self) -> &'static str {
        match self {
            Model::Catalog => "catalog",
            Model::Profile => "profile",
            Model::ComponentDefinition => "component-definition",
            Model::SystemSecurityPlan => "system-security-plan",
            Model::AssessmentPlan => "assessment-plan",
            Model::AssessmentResults => "assessment-results",
            Model::PlanOfActionAndMilestones => "plan-of-action-and-milestones",
        }
    }

    pub fn from_root_key(key: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.root_key() == key)
    }

    /// Detects the model of a parsed document from its single root key (`$schema` is allowed
    /// beside it, as NIST's schemas permit).
    pub fn detect(doc: &Value) -> Result<Model, OscalError> {
        let obj = doc.as_object().ok_or(OscalError::NotAnObject)?;
        let keys: Vec<&str> = obj.keys().map(String::as_str).filter(|k| *k != "$schema").collect();
        match keys.as_slice() {
            [one] => Model::from_root_key(one).ok_or_else(|| OscalError::UnknownModel(keys_list(&keys))),
            _ => Err(OscalError::UnknownModel(keys_list(&keys))),
        }
    }
}

fn keys_list(keys: &[&str]) -> String {
    if keys.is_empty() {
        "no root key".to_string()
    } else {
        keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root_key())
    }
}

/// A typed OSCAL document of any model.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Catalog(Catalog),
    Profile(Profile),
    ComponentDefinition(ComponentDefinition),
    SystemSecurityPlan(SystemSecurityPlan),
    AssessmentPlan(AssessmentPlan),
    AssessmentResults(AssessmentResults),
    PlanOfActionAndMilestones(PlanOfActionAndMilestones),
}

#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is a directory, not an OSCAL file")]
    IsDirectory { path: PathBuf },
    #[error("{path} is empty (0 bytes)")]
    Empty { path: PathBuf },
    #[error("not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not valid YAML: {0}")]
    Yaml(String),
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("not an OSCAL document: expected one root key naming an OSCAL model (catalog, profile, ...), found {0}")]
    UnknownModel(String),
    #[error("expected an OSCAL {expected}, found {found}")]
    WrongModel { expected: Model, found: Model },
    #[error("{model} does not have the OSCAL shape: {message}")]
    Shape { model: Model, message: String },
}

/// Reads a file's bytes, turning the ways a path can be unusable into clear errors.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, OscalError> {
    if path.is_dir() {
        return Err(OscalError::IsDirectory { path: path.to_path_buf() });
    }
    // Regular files only (a FIFO would block forever), bounded.
    let bytes = crate::limits::read_file(path, crate::limits::MAX_INPUT_BYTES).map_err(|source| OscalError::Io { path: path.to_path_buf(), source })?;
    if bytes.is_empty() {
        return Err(OscalError::Empty { path: path.to_path_buf() });
    }
    Ok(bytes)
}

/// Parses JSON (or YAML, when `yaml` is set) bytes into a generic value.
pub fn parse_value(bytes: &[u8], yaml: bool) -> Result<Value, OscalError> {
    let text = std::str::from_utf8(bytes).map_err(|e| OscalError::NotUtf8 { offset: e.valid_up_to() })?;
    // A UTF-8 byte order mark (Windows editors write one) is no content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if yaml {
        // Deep nesting is refused before the parser sees it (it is quadratic there).
        crate::limits::check_yaml_depth(text, crate::limits::MAX_YAML_DEPTH).map_err(OscalError::Yaml)?;
        serde_yaml_ng::from_str(text).map_err(|e| OscalError::Yaml(crate::limits::message(&e.to_string())))
    } else {
        Ok(serde_json::from_str(text)?)
    }
}

fn is_yaml_path(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Reads any OSCAL file (JSON, or YAML by extension) as a generic value.
pub fn read_value(path: &Path) -> Result<Value, OscalError> {
    parse_value(&read_bytes(path)?, is_yaml_path(path))
}

fn typed<T: DeserializeOwned>(model: Model, body: Value) -> Result<T, OscalError> {
    serde_json::from_value(body).map_err(|e| OscalError::Shape { model, message: e.to_string() })
}

impl Document {
    pub fn model(&self) -> Model {
        match self {
            Document::Catalog(_) => Model::Catalog,
            Document::Profile(_) => Model::Profile,
            Document::ComponentDefinition(_) => Model::ComponentDefinition,
            Document::SystemSecurityPlan(_) => Model::SystemSecurityPlan,
            Document::AssessmentPlan(_) => Model::AssessmentPlan,
            Document::AssessmentResults(_) => Model::AssessmentResults,
            Document::PlanOfActionAndMilestones(_) => Model::PlanOfActionAndMilestones,
        }
    }

    /// Types a parsed document (`{"catalog": {...}}` and so on).
    pub fn from_value(mut doc: Value) -> Result<Document, OscalError> {
        let model = Model::detect(&doc)?;
        let body = doc.as_object_mut().and_then(|o| o.remove(model.root_key())).unwrap_or(Value::Null);
        Ok(match model {
            Model::Catalog => Document::Catalog(typed(model, body)?),
            Model::Profile => Document::Profile(typed(model, body)?),
            Model::ComponentDefinition => Document::ComponentDefinition(typed(model, body)?),
            Model::SystemSecurityPlan => Document::SystemSecurityPlan(typed(model, body)?),
            Model::AssessmentPlan => Document::AssessmentPlan(typed(model, body)?),
            Model::AssessmentResults => Document::AssessmentResults(typed(model, body)?),
            Model::PlanOfActionAndMilestones => Document::PlanOfActionAndMilestones(typed(model, body)?),
        })
    }

    pub fn read(path: &Path) -> Result<Document, OscalError> {
        Document::from_value(read_value(path)?)
    }

    /// The document as JSON, wrapped in its root key.
    pub fn to_value(&self) -> Value {
        let body = match self {
            Document::Catalog(d) => serde_json::to_value(d),
            Document::Profile(d) => serde_json::to_value(d),
            Document::ComponentDefinition(d) => serde_json::to_value(d),
            Document::SystemSecurityPlan(d) => serde_json::to_value(d),
            Document::AssessmentPlan(d) => serde_json::to_value(d),
            Document::AssessmentResults(d) => serde_json::to_value(d),
            Document::PlanOfActionAndMilestones(d) => serde_json::to_value(d),
        }
        .expect("OSCAL model types always serialize");
        wrap(self.model(), body)
    }
}

fn wrap(model: Model, body: Value) -> Value {
    let mut root = serde_json::Map::new();
    root.insert(model.root_key().to_string(), body);
    Value::Object(root)
}

/// Models that can be read and written on their own, e.g. `Catalog::from_file`.
pub trait OscalModel: Serialize + DeserializeOwned {
    const MODEL: Model;

    fn from_value(doc: Value) -> Result<Self, OscalError> {
        let found = Model::detect(&doc)?;
        if found != Self::MODEL {
            return Err(OscalError::WrongModel { expected: Self::MODEL, found });
        }
        let mut doc = doc;
        let body = doc.as_object_mut().and_then(|o| o.remove(found.root_key())).unwrap_or(Value::Null);
        typed(found, body)
    }

    fn from_slice(bytes: &[u8]) -> Result<Self, OscalError> {
        let text = std::str::from_utf8(bytes).map_err(|e| OscalError::NotUtf8 { offset: e.valid_up_to() })?;
        // Straight into the typed model without a `Value` tree first: this is the hot path for
        // the 3 MB NIST catalogs.
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = serde::Deserializer::deserialize_map(&mut de, RootVisitor::<Self>(std::marker::PhantomData))
            .map_err(|e| match e.classify() {
                serde_json::error::Category::Data => OscalError::Shape { model: Self::MODEL, message: e.to_string() },
                _ => OscalError::Json(e),
            })?;
        de.end()?;
        match parsed {
            Root::Model(m) => Ok(m),
            Root::Other(key) => match Model::from_root_key(&key) {
                Some(found) => Err(OscalError::WrongModel { expected: Self::MODEL, found }),
                None => Err(OscalError::UnknownModel(format!("\"{key}\""))),
            },
        }
    }

    fn from_file(path: &Path) -> Result<Self, OscalError> {
        Self::from_value(read_value(path)?)
    }

    fn to_value(&self) -> Value {
        wrap(Self::MODEL, serde_json::to_value(self).expect("OSCAL model types always serialize"))
    }

    /// Pretty JSON with a trailing newline: the one serialization every emitter uses, so
    /// output is byte-stable.
    fn to_json_pretty(&self) -> String {
        let mut buf = Vec::new();
        self.write_json_pretty(&mut buf).expect("writing to memory does not fail");
        String::from_utf8(buf).expect("serde_json writes UTF-8")
    }

    /// [`to_json_pretty`](Self::to_json_pretty) straight to a writer, without building a JSON
    /// tree first (an assessment of 50,000 containers is over 100 MB of JSON).
    fn write_json_pretty<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        struct Wrapped<'a, T>(&'a str, &'a T);
        impl<T: Serialize> Serialize for Wrapped<'_, T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(self.0, self.1)?;
                m.end()
            }
        }
        serde_json::to_writer_pretty(&mut w, &Wrapped(Self::MODEL.root_key(), self)).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    }
}

macro_rules! oscal_model {
    ($ty:ty, $model:expr) => {
        impl OscalModel for $ty {
            const MODEL: Model = $model;
        }
    };
}
oscal_model!(Catalog, Model::Catalog);
oscal_model!(Profile, Model::Profile);
oscal_model!(ComponentDefinition, Model::ComponentDefinition);
oscal_model!(SystemSecurityPlan, Model::SystemSecurityPlan);
oscal_model!(AssessmentPlan, Model::AssessmentPlan);
oscal_model!(AssessmentResults, Model::AssessmentResults);
oscal_model!(PlanOfActionAndMilestones, Model::PlanOfActionAndMilestones);

enum Root<T> {
    Model(T),
    Other(String),
}

/// Reads `{"<root-key>": {...}}`, typing the body when the key is the expected model's.
struct RootVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: OscalModel> serde::de::Visitor<'de> for RootVisitor<T> {
    type Value = Root<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an OSCAL document with root key \"{}\"", T::MODEL.root_key())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Root<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == T::MODEL.root_key() && found.is_none() {
                found = Some(Root::Model(map.next_value::<T>()?));
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
                if key != "$schema" && found.is_none() {
                    found = Some(Root::Other(key));
                }
            }
        }
        found.ok_or_else(|| serde::de::Error::custom("no root key naming an OSCAL model"))
    }
}
