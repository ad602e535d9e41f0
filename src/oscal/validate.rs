//! Validation against NIST's official OSCAL 1.1.3 JSON schemas (vendored in `oscal/`).
//!
//! Every emitter's tests call [`validate_value`]; the `validate` subcommand is a thin shell
//! around it. Schema `pattern`s are compiled with fancy-regex (after jsonschema's ECMA-262 ->
//! Rust translation), so a pattern the plain `regex` crate could not take is still enforced
//! rather than skipped; a pattern neither engine accepts fails schema compilation loudly.

use std::sync::OnceLock;

use jsonschema::{PatternOptions, Validator};
use serde_json::Value;

use super::{Model, OscalError};

/// The OSCAL release whose schemas are vendored.
pub const SCHEMA_VERSION: &str = "1.1.3";

fn schema_text(model: Model) -> &'static str {
    match model {
        Model::Catalog => include_str!("../../oscal/oscal_catalog_schema.json"),
        Model::Profile => include_str!("../../oscal/oscal_profile_schema.json"),
        Model::ComponentDefinition => include_str!("../../oscal/oscal_component_schema.json"),
        Model::SystemSecurityPlan => include_str!("../../oscal/oscal_ssp_schema.json"),
        Model::AssessmentPlan => include_str!("../../oscal/oscal_assessment-plan_schema.json"),
        Model::AssessmentResults => include_str!("../../oscal/oscal_assessment-results_schema.json"),
        Model::PlanOfActionAndMilestones => include_str!("../../oscal/oscal_poam_schema.json"),
    }
}

/// One schema violation: where (RFC 6901 JSON pointer into the document) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "at {at}: {}", self.message)
    }
}

fn validator(model: Model) -> &'static Validator {
    static CACHE: [OnceLock<Validator>; 7] = [const { OnceLock::new() }; 7];
    let slot = Model::ALL.iter().position(|m| *m == model).expect("every model is in ALL");
    CACHE[slot].get_or_init(|| {
        let schema: Value = serde_json::from_str(schema_text(model)).expect("vendored schema is JSON");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .with_pattern_options(PatternOptions::fancy_regex())
            .build(&schema)
            .unwrap_or_else(|e| panic!("vendored OSCAL {model} schema does not compile: {e}"))
    })
}

/// Validates a whole document (`{"catalog": {...}}`) against the schema of the given model.
pub fn validate_as(model: Model, doc: &Value) -> Vec<SchemaError> {
    validator(model)
        .iter_errors(doc)
        .map(|e| SchemaError { pointer: e.instance_path().as_str().to_string(), message: plain_message(&e) })
        .collect()
}

/// Detects the model from the root key and validates. `Err` means the input is not an OSCAL
/// document at all; `Ok(errors)` lists the violations (empty when valid).
pub fn validate_value(doc: &Value) -> Result<(Model, Vec<SchemaError>), OscalError> {
    let model = Model::detect(doc)?;
    Ok((model, validate_as(model, doc)))
}

/// jsonschema's messages quote whole sub-documents for `type`/`additionalProperties` errors;
/// an assessor reading a terminal needs one line, so long instance dumps are cut.
fn plain_message(e: &jsonschema::ValidationError<'_>) -> String {
    let msg = e.to_string();
    let msg = msg.replace('\n', " ");
    const MAX: usize = 300;
    if msg.chars().count() > MAX {
        let cut: String = msg.chars().take(MAX).collect();
        format!("{cut}...")
    } else {
        msg
    }
}
