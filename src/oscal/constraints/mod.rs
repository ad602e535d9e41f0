//! NIST's OSCAL Metaschema constraint layer: the rules the JSON schemas cannot express.
//!
//! The JSON schemas check shape and datatypes. NIST's Metaschema modules add constraints:
//! which values a prop name may take where (`allowed-values`), patterns and datatypes
//! (`matches`), how many of something (`has-cardinality`), uniqueness (`is-unique`), and that
//! every reference resolves to an object of the right kind (`index`, `index-has-key`), plus
//! free-form tests (`expect`). This module reads those rules from NIST's own files
//! (`oscal/metaschema/1.2.3/`, parsed at first use), not from a hand-made copy:
//!
//! - [`definitions`]: the modules, resolved into definitions and constraints;
//! - [`nodes`]: a JSON document mapped onto Metaschema nodes (JSON `props` -> nodes `prop`);
//! - [`metapath`]: the Metapath subset the constraints use, and its evaluation;
//! - [`datatypes`]: datatype checks from NIST's JSON schema definitions;
//! - `check`: the constraints evaluated over a document.
//!
//! A constraint outside the supported subset is counted as not evaluated and never passed.
//! NIST's 1.1.3 modules are not vendored, so the 1.2.3 layer applies to every document.

mod check;
pub mod datatypes;
pub mod definitions;
pub mod metapath;
pub mod nodes;

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::{Model, OscalError};
use datatypes::Datatypes;
use definitions::{DefinitionError, Kind, Schema};

pub use definitions::VERSION;

/// The namespace `has-oscal-namespace` assumes when a node has no `ns` flag.
pub const OSCAL_NAMESPACE: &str = "http://csrc.nist.gov/ns/oscal";

/// A constraint's severity (`@level`; ERROR when NIST gives none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Debug,
    Informational,
    Warning,
    Error,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Informational => "INFORMATIONAL",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// ERROR and CRITICAL make a document invalid; the lower levels are advice.
    pub fn is_error(self) -> bool {
        self >= Level::Error
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One constraint violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// RFC 6901 pointer into the document, e.g.
    /// `/component-definition/components/0/control-implementations/0/implemented-requirements/3/props/1/name`.
    pub pointer: String,
    /// NIST's `@id`; `kind@definition` when NIST gave the constraint none; `as-type:<type>`
    /// for a value that is not of its definition's datatype.
    pub constraint_id: String,
    pub level: Level,
    /// A sentence naming the value and what is allowed.
    pub message: String,
}

/// A constraint this engine did not evaluate, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotEvaluated {
    pub constraint_id: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct ConstraintReport {
    pub model: Model,
    /// The OSCAL release whose constraints were applied.
    pub version: &'static str,
    /// In document order.
    pub problems: Vec<Problem>,
    /// Constraints of this model that were evaluated (wherever their definitions occur).
    pub evaluated: usize,
    /// Constraints of this model that were not: outside the supported Metapath subset, or
    /// failing to evaluate somewhere in this document.
    pub not_evaluated: usize,
    pub not_evaluated_detail: Vec<NotEvaluated>,
}

impl ConstraintReport {
    /// Problems at ERROR level or above.
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.level.is_error()).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConstraintError {
    #[error(transparent)]
    Document(#[from] OscalError),
    #[error("NIST's OSCAL {VERSION} Metaschema modules could not be read: {0}")]
    Definitions(String),
}

/// The parsed modules, datatypes, and which constraints can be evaluated: built once.
struct Engine {
    schema: Schema,
    datatypes: Datatypes,
    /// Per constraint: why it cannot be evaluated, if it cannot.
    unsupported: Vec<Option<String>>,
    skip: Vec<bool>,
}

fn engine() -> Result<&'static Engine, ConstraintError> {
    static ENGINE: OnceLock<Result<Engine, DefinitionError>> = OnceLock::new();
    ENGINE.get_or_init(build_engine).as_ref().map_err(|e| ConstraintError::Definitions(e.to_string()))
}

/// The vendored definitions (for the node mapping's and Metapath's own tests).
#[cfg(test)]
pub(crate) fn schema() -> Result<&'static Schema, ConstraintError> {
    engine().map(|e| &e.schema)
}

fn build_engine() -> Result<Engine, DefinitionError> {
    let schema = definitions::load()?;
    let complete: Value = serde_json::from_str(super::validate::COMPLETE_SCHEMA_1_2).unwrap_or(Value::Null);
    let datatypes = Datatypes::from_schema(&complete);
    let mut unsupported: Vec<Option<String>> = schema.constraints.iter().map(|c| c.unsupported()).collect();
    for (i, c) in schema.constraints.iter().enumerate() {
        if let Kind::Matches { datatype: Some(dt), .. } = &c.kind {
            if unsupported[i].is_none() && datatypes.get(dt).is_none() {
                unsupported[i] = Some(format!("datatype {dt} is not defined in NIST's JSON schema, so it has no published pattern to check"));
            }
        }
    }
    // A reference check is only as good as its index: one whose index is built by no
    // evaluable constraint (the SSP's `doc(...)` index) is not evaluated either.
    let built: HashSet<&str> = schema
        .constraints
        .iter()
        .zip(&unsupported)
        .filter_map(|(c, u)| match (&c.kind, u) {
            (Kind::Index { name, .. }, None) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for (i, c) in schema.constraints.iter().enumerate() {
        if let Kind::IndexHasKey { name, .. } = &c.kind {
            if unsupported[i].is_none() && !built.contains(name.as_str()) {
                unsupported[i] = Some(format!("index {name} is built only by constraints that are not evaluated"));
            }
        }
    }
    let skip = unsupported.iter().map(Option::is_some).collect();
    Ok(Engine { schema, datatypes, unsupported, skip })
}

/// What the constraint layer covers for one model.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub model: Model,
    /// Constraints declared on the model's definitions, in declaration order.
    pub evaluated: Vec<String>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// `as-type`s of the model's flags and fields that NIST's JSON schema does not define, so
    /// their values are not datatype-checked.
    pub unchecked_datatypes: Vec<String>,
}

/// The constraints that apply to a model and which of them are evaluated.
pub fn coverage(model: Model) -> Result<Coverage, ConstraintError> {
    let e = engine()?;
    let Some(root) = e.schema.root(model.root_key()) else {
        return Err(ConstraintError::Definitions(format!("no module defines the root {}", model.root_key())));
    };
    let defs = e.schema.reachable(root);
    let mut evaluated = Vec::new();
    let mut not_evaluated = Vec::new();
    for d in &defs {
        for &ci in &e.schema.def(*d).constraints {
            let c = &e.schema.constraints[ci];
            match &e.unsupported[ci] {
                None => evaluated.push(c.id.clone()),
                Some(reason) => not_evaluated.push(NotEvaluated { constraint_id: c.id.clone(), reason: reason.clone() }),
            }
        }
    }
    let unchecked_datatypes = check::unchecked_datatypes(&e.schema, &e.datatypes, &defs);
    Ok(Coverage { model, evaluated, not_evaluated, unchecked_datatypes })
}

/// Checks a whole OSCAL document (`{"catalog": {...}}`) against NIST's OSCAL 1.2.3
/// constraints. `Err` only when the input is not an OSCAL document or NIST's modules cannot
/// be read; violations are in the report.
pub fn check(doc: &Value) -> Result<ConstraintReport, ConstraintError> {
    let model = Model::detect(doc)?;
    let e = engine()?;
    let cov = coverage(model)?;
    let tree = nodes::Tree::build(&e.schema, doc);
    let outcome = check::run(&e.schema, &e.datatypes, &e.skip, &tree);
    let mut detail = cov.not_evaluated;
    let mut evaluated = cov.evaluated.len();
    for (id, reason) in outcome.failed {
        if !detail.iter().any(|d| d.constraint_id == id) {
            detail.push(NotEvaluated { constraint_id: id, reason: format!("could not be evaluated in this document: {reason}") });
            evaluated = evaluated.saturating_sub(1);
        }
    }
    Ok(ConstraintReport { model, version: VERSION, problems: outcome.problems, evaluated, not_evaluated: detail.len(), not_evaluated_detail: detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nist_module_loads_and_resolves() {
        let s = schema().unwrap();
        assert_eq!(s.constraints.len(), 340, "constraints in NIST's 13 OSCAL 1.2.3 modules");
        for m in Model::ALL {
            assert!(s.root(m.root_key()).is_some(), "{m}");
        }
        // Component and SSP each see their own implemented-requirement.
        let names = |m: Model| -> Vec<&str> {
            s.reachable(s.root(m.root_key()).unwrap()).iter().map(|d| s.def(*d)).filter(|d| d.name == "implemented-requirement").map(|d| d.module).collect()
        };
        assert_eq!(names(Model::ComponentDefinition), ["oscal_component_metaschema_RESOLVED.xml"]);
        assert_eq!(names(Model::SystemSecurityPlan), ["oscal_ssp_metaschema_RESOLVED.xml"]);
    }

    #[test]
    fn only_the_doc_function_index_is_outside_the_subset() {
        let e = engine().unwrap();
        let mut reasons: Vec<(&str, &str)> =
            e.schema.constraints.iter().zip(&e.unsupported).filter_map(|(c, u)| u.as_deref().map(|u| (c.id.as_str(), u))).collect();
        reasons.sort();
        let ids: Vec<&str> = reasons.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            [
                "oscal-by-component-uuid-index",
                "oscal-component-prop-ipv4address-value-datatype",
                "oscal-component-prop-ipv6address-value-datatype",
                "oscal-component-prop-isa-date-value-datatype",
                "oscal-ssp-by-component-uuid-index",
            ],
            "{reasons:#?}"
        );
    }
}
