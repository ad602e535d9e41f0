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
        compile(&schema).unwrap_or_else(|e| panic!("vendored OSCAL {model} schema does not compile: {e}"))
    })
}

/// The one place schema options are set: draft-07 as NIST declares, formats checked, patterns
/// through fancy-regex (look-around and back-references included).
fn compile(schema: &Value) -> Result<Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::fancy_regex())
        .build(schema)
}

/// Validates a whole document (`{"catalog": {...}}`) against the schema of the given model.
pub fn validate_as(model: Model, doc: &Value) -> Vec<SchemaError> {
    let mut errors: Vec<(bool, SchemaError)> = validator(model)
        .iter_errors(doc)
        .map(|e| {
            let is_format = matches!(e.kind(), jsonschema::error::ValidationErrorKind::Format { .. });
            (is_format, SchemaError { pointer: e.instance_path().as_str().to_string(), message: plain_message(&e) })
        })
        .collect();
    // OSCAL date-times carry both a `format` and a `pattern`: one complaint per value is enough.
    let patterned: std::collections::HashSet<String> =
        errors.iter().filter(|(f, _)| !f).map(|(_, e)| e.pointer.clone()).collect();
    errors.retain(|(is_format, e)| !is_format || !patterned.contains(&e.pointer));
    errors.into_iter().map(|(_, e)| e).collect()
}

/// Detects the model from the root key and validates. `Err` means the input is not an OSCAL
/// document at all; `Ok(errors)` lists the violations (empty when valid).
pub fn validate_value(doc: &Value) -> Result<(Model, Vec<SchemaError>), OscalError> {
    let model = Model::detect(doc)?;
    Ok((model, validate_as(model, doc)))
}

/// OSCAL datatypes are regexes in the schema; an assessor needs the datatype's name, not the
/// regex. Keyed by a distinctive fragment of each NIST datatype pattern.
const DATATYPE_NAMES: &[(&str, &str)] = &[
    ("[45][0-9A-Fa-f]{3}-[89ABab]", "is not an OSCAL UUID (version 4 or 5, e.g. 3f2c0e6a-5d2b-4c8e-9a41-2f6d0e7bc35a)"),
    (")T(2[0-3]|[01][0-9])", "is not a date-time with a time zone (e.g. 2024-01-31T12:00:00Z)"),
    ("-02-29)", "is not a date (e.g. 2024-01-31, optionally with a time zone)"),
    ("^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$", "is not an OSCAL token (a letter or '_', then letters, digits, '.', '-' or '_')"),
    ("^\\S(.*\\S)?$", "is empty or begins or ends with white space"),
    ("^[a-zA-Z][a-zA-Z0-9+\\-.]+:.+$", "is not an absolute URI (scheme:rest)"),
    ("^[0-9A-Za-z+/]+={0,2}$", "is not base64"),
    ("^.+@.+$", "is not an email address"),
];

/// One line per error, in words: datatype names instead of regexes, long instance dumps cut.
fn plain_message(e: &jsonschema::ValidationError<'_>) -> String {
    if let jsonschema::error::ValidationErrorKind::Pattern { pattern } = e.kind() {
        if let Some((_, words)) = DATATYPE_NAMES.iter().find(|(frag, _)| pattern.contains(frag)) {
            return format!("{} {words}", short(&e.instance().to_string()));
        }
    }
    short(&e.to_string().replace('\n', " "))
}

fn short(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() > MAX {
        format!("{}...", s.chars().take(MAX).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_beyond_the_regex_crate_are_enforced_not_skipped() {
        // Look-ahead and a back-reference: the `regex` crate rejects both.
        let schema = serde_json::json!({"type": "string", "pattern": "^(?!tmp)([a-z])\\1"});
        let v = compile(&schema).expect("fancy-regex compiles look-around");
        assert!(v.is_valid(&serde_json::json!("aab")));
        assert!(!v.is_valid(&serde_json::json!("tmpp")));
        assert!(!v.is_valid(&serde_json::json!("abc")));
    }

    #[test]
    fn every_vendored_schema_compiles() {
        for m in Model::ALL {
            let _ = validator(m);
        }
    }
}
