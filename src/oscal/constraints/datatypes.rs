//! Metaschema datatypes (`as-type` of flags and fields, `matches/@datatype`), checked with the
//! definitions NIST publishes for them in its OSCAL 1.2.3 complete JSON schema
//! (`MarkupLineDatatype`, `TokenDatatype`, ...): JSON type, patterns and minimum, followed
//! through `$ref` and `allOf`. A datatype the schema does not define (`ip-v4-address`,
//! `date-time` without time zone, `string-or-decimal`) cannot be checked and is reported so.
//!
//! This matters for 1.1.x documents, whose 1.1.3 schemas are looser: there a `markup-line`
//! title may contain a line break, in 1.2.3 it may not.

use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

use super::nodes::Atom;

#[derive(Debug)]
pub struct Datatype {
    /// The schema's definition name, e.g. `MarkupLineDatatype`.
    pub schema_name: String,
    pub description: String,
    json_type: Option<String>,
    patterns: Vec<Regex>,
    minimum: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Datatypes {
    /// Keyed by the Metaschema name folded the way NIST names definitions:
    /// `uri-reference` -> `urireference` (definition `URIReferenceDatatype`).
    by_key: HashMap<String, Datatype>,
    /// Datatype definitions whose pattern the `regex` crate cannot compile.
    pub broken: Vec<String>,
}

fn fold(name: &str) -> String {
    name.chars().filter(|c| *c != '-').flat_map(char::to_lowercase).collect()
}

impl Datatypes {
    /// Reads every `*Datatype` definition of a JSON schema.
    pub fn from_schema(schema: &Value) -> Datatypes {
        let mut out = Datatypes::default();
        let Some(defs) = schema.get("definitions").and_then(Value::as_object) else { return out };
        for (name, def) in defs {
            let Some(stem) = name.strip_suffix("Datatype") else { continue };
            let mut dt = Datatype {
                schema_name: name.clone(),
                description: def.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
                json_type: None,
                patterns: Vec::new(),
                minimum: None,
            };
            if let Err(e) = gather(defs, def, &mut dt, 0) {
                out.broken.push(format!("{name}: {e}"));
                continue;
            }
            out.by_key.insert(fold(stem), dt);
        }
        out
    }

    /// The checker for a Metaschema datatype name (`markup-line`), if the schema defines it.
    pub fn get(&self, as_type: &str) -> Option<&Datatype> {
        self.by_key.get(&fold(as_type))
    }
}

/// Collects type, patterns and minimum through `$ref` and `allOf` (depth-bounded).
fn gather(defs: &serde_json::Map<String, Value>, def: &Value, dt: &mut Datatype, depth: usize) -> Result<(), String> {
    if depth > 8 {
        return Err("$ref chain too deep".into());
    }
    if let Some(r) = def.get("$ref").and_then(Value::as_str) {
        let target = r.strip_prefix("#/definitions/").and_then(|n| defs.get(n)).ok_or_else(|| format!("unresolved $ref {r}"))?;
        gather(defs, target, dt, depth + 1)?;
    }
    for part in def.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        gather(defs, part, dt, depth + 1)?;
    }
    if let Some(t) = def.get("type").and_then(Value::as_str) {
        // allOf [integer, {type: number, minimum}]: the narrower integer stays.
        if !(t == "number" && dt.json_type.as_deref() == Some("integer")) {
            dt.json_type = Some(t.to_string());
        }
    }
    if let Some(p) = def.get("pattern").and_then(Value::as_str) {
        dt.patterns.push(Regex::new(p).map_err(|e| format!("pattern {p}: {e}"))?);
    }
    if let Some(m) = def.get("minimum").and_then(Value::as_f64) {
        dt.minimum = Some(m);
    }
    Ok(())
}

/// Why a value is not of its datatype.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wrong JSON type (the schema's `type`).
    JsonType(String),
    /// Does not match the datatype's pattern.
    Pattern,
    Minimum(f64),
}

impl Datatype {
    /// `None` when the value conforms.
    pub fn check(&self, value: Atom<'_>) -> Option<Fault> {
        let (text, number) = match value {
            Atom::Key(s) => (Some(s), None),
            Atom::Json(Value::String(s)) => (Some(s.as_str()), None),
            Atom::Json(Value::Number(n)) => (None, Some(n)),
            Atom::Json(Value::Bool(_)) => (None, None),
            Atom::Json(_) => return Some(Fault::JsonType(self.json_type.clone().unwrap_or_else(|| "single value".into()))),
        };
        let json_ok = match self.json_type.as_deref() {
            Some("string") => text.is_some(),
            Some("integer") => number.is_some_and(|n| n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)),
            Some("number") => number.is_some(),
            Some("boolean") => matches!(value, Atom::Json(Value::Bool(_))),
            _ => true,
        };
        if !json_ok {
            return Some(Fault::JsonType(self.json_type.clone().unwrap_or_default()));
        }
        if let Some(s) = text {
            if self.patterns.iter().any(|p| !p.is_match(s)) {
                return Some(Fault::Pattern);
            }
        }
        match (self.minimum, number.and_then(serde_json::Number::as_f64)) {
            (Some(min), Some(n)) if n < min => Some(Fault::Minimum(min)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn datatypes() -> Datatypes {
        let schema: Value = serde_json::from_str(crate::oscal::validate::COMPLETE_SCHEMA_1_2).unwrap();
        Datatypes::from_schema(&schema)
    }

    #[test]
    fn nist_datatypes_are_read_from_the_schema() {
        let d = datatypes();
        assert!(d.broken.is_empty(), "{:?}", d.broken);
        let check = |t: &str, v: Value| d.get(t).unwrap_or_else(|| panic!("{t}")).check(Atom::Json(Box::leak(Box::new(v))));
        assert_eq!(check("markup-line", json!("one line")), None);
        assert_eq!(check("markup-line", json!("two\nlines")), Some(Fault::Pattern));
        assert_eq!(check("markup-multiline", json!("two\nlines")), None);
        assert!(check("uuid", json!("not-a-uuid")).is_some());
        assert_eq!(check("uuid", json!("3f2c0e6a-5d2b-4c8e-9a41-2f6d0e7bc35a")), None);
        assert!(check("token", json!("has space")).is_some());
        assert_eq!(check("token", json!("é_ok-1.2")), None);
        assert!(check("non-negative-integer", json!(-1)).is_some());
        assert!(check("non-negative-integer", json!(1.5)).is_some());
        assert_eq!(check("non-negative-integer", json!(0)), None);
        assert!(check("date-time-with-timezone", json!("2024-01-01T00:00:00")).is_some());
        assert!(check("string", json!(" padded")).is_some());
        assert_eq!(check("boolean", json!("true")), Some(Fault::JsonType("boolean".into())));
        assert!(d.get("ip-v4-address").is_none(), "not defined by NIST's JSON schema");
    }
}
