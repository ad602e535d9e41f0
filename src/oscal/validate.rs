//! Validation against NIST's official OSCAL JSON schemas (vendored in `oscal/`): the 1.1.3
//! per-model schemas for 1.1.x documents, the 1.2.3 complete schema for 1.2.x documents (as
//! `metadata/oscal-version` says).
//!
//! Every emitter's tests call [`validate_value`]; the `validate` subcommand is a thin shell
//! around it and [`super::constraints`]. Schema `pattern`s are compiled with fancy-regex (after jsonschema's ECMA-262 ->
//! Rust translation), so a pattern the plain `regex` crate could not take is still enforced
//! rather than skipped; a pattern neither engine accepts fails schema compilation loudly.

use std::sync::OnceLock;

use jsonschema::{PatternOptions, Validator};
use serde_json::Value;

use super::{Model, OscalError};

/// The OSCAL 1.1 release whose per-model schemas are vendored.
pub const SCHEMA_VERSION: &str = "1.1.3";

/// NIST's OSCAL 1.2.3 complete schema (every model), for 1.2.x documents.
pub const COMPLETE_SCHEMA_1_2: &str = include_str!("../../oscal/oscal_complete_schema-1.2.3.json");

/// Which NIST schema release a document is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaRelease {
    /// OSCAL 1.1.3 (documents declaring 1.1.x, 1.0.x, or nothing usable).
    V1_1_3,
    /// OSCAL 1.2.3 (documents declaring 1.2.x).
    V1_2_3,
}

impl SchemaRelease {
    /// From `metadata/oscal-version`: 1.2.x gets the 1.2.3 schema, anything else 1.1.3 (the
    /// release this tool writes).
    pub fn for_document(doc: &Value, model: Model) -> SchemaRelease {
        let declared = doc.get(model.root_key()).and_then(|b| b.get("metadata")).and_then(|m| m.get("oscal-version")).and_then(Value::as_str);
        match declared {
            Some(v) if v == "1.2" || v.starts_with("1.2.") => SchemaRelease::V1_2_3,
            _ => SchemaRelease::V1_1_3,
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            SchemaRelease::V1_1_3 => SCHEMA_VERSION,
            SchemaRelease::V1_2_3 => "1.2.3",
        }
    }
}

impl std::fmt::Display for SchemaRelease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.version())
    }
}

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

fn validator(model: Model, release: SchemaRelease) -> &'static Validator {
    static CACHE: [OnceLock<Validator>; 14] = [const { OnceLock::new() }; 14];
    let slot = Model::ALL.iter().position(|m| *m == model).expect("every model is in ALL") * 2 + usize::from(release == SchemaRelease::V1_2_3);
    CACHE[slot].get_or_init(|| {
        let schema = match release {
            SchemaRelease::V1_1_3 => serde_json::from_str(schema_text(model)).expect("vendored schema is JSON"),
            SchemaRelease::V1_2_3 => complete_schema_for(model),
        };
        compile(&schema).unwrap_or_else(|e| panic!("vendored OSCAL {release} {model} schema does not compile: {e}"))
    })
}

/// NIST's complete schema accepts any model (`oneOf` one branch per root key); narrowed to
/// the branch of the detected model, errors name the model's own properties instead of
/// "not valid under any of the schemas".
fn complete_schema_for(model: Model) -> Value {
    let mut schema: Value = serde_json::from_str(COMPLETE_SCHEMA_1_2).expect("vendored schema is JSON");
    let branch = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .and_then(|branches| {
            branches.iter().find(|b| b.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|k| k == model.root_key())))
        })
        .cloned();
    if let (Some(branch), Some(obj)) = (branch, schema.as_object_mut()) {
        obj.remove("oneOf");
        if let Value::Object(b) = branch {
            obj.extend(b);
        }
    }
    schema
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

/// Validates a whole document (`{"catalog": {...}}`) against the OSCAL 1.1.3 schema of the
/// given model.
pub fn validate_as(model: Model, doc: &Value) -> Vec<SchemaError> {
    validate_with(model, SchemaRelease::V1_1_3, doc)
}

/// Validates a whole document against the given release's schema of the given model.
pub fn validate_with(model: Model, release: SchemaRelease, doc: &Value) -> Vec<SchemaError> {
    let mut errors: Vec<(bool, SchemaError)> = validator(model, release)
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

/// Detects the model from the root key and validates against the OSCAL 1.1.3 schema (what
/// this tool writes). `Err` means the input is not an OSCAL document at all; `Ok(errors)`
/// lists the violations (empty when valid).
pub fn validate_value(doc: &Value) -> Result<(Model, Vec<SchemaError>), OscalError> {
    let model = Model::detect(doc)?;
    Ok((model, validate_as(model, doc)))
}

/// Like [`validate_value`], with the schema release the document's `oscal-version` calls for.
pub fn validate_versioned(doc: &Value) -> Result<(Model, SchemaRelease, Vec<SchemaError>), OscalError> {
    let model = Model::detect(doc)?;
    let release = SchemaRelease::for_document(doc, model);
    Ok((model, release, validate_with(model, release, doc)))
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
            let _ = validator(m, SchemaRelease::V1_1_3);
            let _ = validator(m, SchemaRelease::V1_2_3);
        }
    }

    #[test]
    fn the_declared_version_picks_the_schema() {
        let doc = |v: &str| serde_json::json!({"catalog": {"uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
            "metadata": {"title": "Two\nlines", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": v}}});
        let (_, release, errors) = validate_versioned(&doc("1.2.0")).unwrap();
        assert_eq!(release, SchemaRelease::V1_2_3);
        // 1.2.3 makes markup-line single-line; 1.1.3 did not.
        assert!(errors.iter().any(|e| e.pointer == "/catalog/metadata/title"), "{errors:?}");
        let (_, release, errors) = validate_versioned(&doc("1.1.2")).unwrap();
        assert_eq!(release, SchemaRelease::V1_1_3);
        assert!(errors.is_empty(), "{errors:?}");
    }
}
