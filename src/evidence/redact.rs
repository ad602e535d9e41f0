//! Redaction: secret values are removed from bodies before they are stored or used.
//!
//! Kept: names (an environment variable's name, a secret's name), because assessors need them.
//! Dropped: environment variable values, secret data, and the value of any command-line flag
//! whose name says it carries a credential.

use serde_json::Value;

pub const REDACTED: &str = "<redacted>";

const SECRET_WORDS: &[&str] = &["password", "passwd", "secret", "token", "apikey", "api-key", "api_key", "credential", "private-key", "passphrase"];

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// `NAME=value` -> `NAME=<redacted>` for every entry of an env array.
fn redact_env(v: &mut Value) -> usize {
    let mut n = 0;
    if let Value::Array(items) = v {
        for item in items {
            if let Value::String(s) = item {
                let name = s.split('=').next().unwrap_or("").to_string();
                if s.contains('=') {
                    *s = format!("{name}={REDACTED}");
                    n += 1;
                }
            }
        }
    }
    n
}

/// `--db-password=x` -> `--db-password=<redacted>`; `--token x` -> `--token <redacted>`.
fn redact_args(v: &mut Value) -> usize {
    let Value::Array(items) = v else { return 0 };
    let mut n = 0;
    let mut redact_next = false;
    for item in items {
        let Value::String(s) = item else { continue };
        if redact_next {
            *s = REDACTED.into();
            n += 1;
            redact_next = false;
            continue;
        }
        if s.starts_with('-') {
            if let Some((flag, _)) = s.split_once('=') {
                if looks_secret(flag) {
                    *s = format!("{flag}={REDACTED}");
                    n += 1;
                }
            } else if looks_secret(s) {
                redact_next = true;
            }
        }
    }
    n
}

fn at<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, k| cur.get_mut(*k))
}

/// A container inspect body (`GET /containers/{id}/json`).
pub fn container_inspect(v: &mut Value) -> usize {
    let mut n = 0;
    if let Some(env) = at(v, &["Config", "Env"]) {
        n += redact_env(env);
    }
    for path in [&["Args"][..], &["Config", "Cmd"], &["Config", "Entrypoint"]] {
        if let Some(a) = at(v, path) {
            n += redact_args(a);
        }
    }
    n
}

/// A container list entry carries the command line as one string; drop credential flags.
pub fn container_list(v: &mut Value) -> usize {
    let mut n = 0;
    if let Value::Array(items) = v {
        for c in items {
            if let Some(Value::String(cmd)) = c.get_mut("Command") {
                let mut parts: Value = Value::Array(cmd.split(' ').map(|p| Value::String(p.to_string())).collect());
                let k = redact_args(&mut parts);
                if k > 0 {
                    *cmd = parts.as_array().unwrap().iter().filter_map(|p| p.as_str()).collect::<Vec<_>>().join(" ");
                    n += k;
                }
            }
        }
    }
    n
}

/// `GET /services`: task template env and args.
pub fn services(v: &mut Value) -> usize {
    let mut n = 0;
    if let Value::Array(items) = v {
        for s in items {
            if let Some(spec) = at(s, &["Spec", "TaskTemplate", "ContainerSpec"]) {
                if let Some(env) = spec.get_mut("Env") {
                    n += redact_env(env);
                }
                for k in ["Args", "Command"] {
                    if let Some(a) = spec.get_mut(k) {
                        n += redact_args(a);
                    }
                }
            }
        }
    }
    n
}

/// `GET /secrets`: the API does not return data, but never store it if a proxy adds it.
pub fn secrets(v: &mut Value) -> usize {
    let mut n = 0;
    if let Value::Array(items) = v {
        for s in items {
            if let Some(spec) = s.get_mut("Spec").and_then(Value::as_object_mut) {
                if spec.remove("Data").is_some() {
                    n += 1;
                }
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_values_and_secret_flags_are_removed_names_kept() {
        let mut v = json!({"Config": {"Env": ["DB_PASSWORD=hunter2", "PATH=/bin"], "Cmd": ["app", "--token", "abc", "--db-password=x", "--port=80"]},
                           "Args": ["--api-key=k"]});
        assert_eq!(container_inspect(&mut v), 5);
        let s = v.to_string();
        assert!(!s.contains("hunter2") && !s.contains("abc") && !s.contains("=x\"") && !s.contains("=k\""), "{s}");
        assert!(s.contains("DB_PASSWORD=<redacted>") && s.contains("--port=80"), "{s}");
    }

    #[test]
    fn secret_data_never_stored() {
        let mut v = json!([{"Spec": {"Name": "db", "Data": "c2VjcmV0"}}]);
        assert_eq!(secrets(&mut v), 1);
        assert_eq!(v, json!([{"Spec": {"Name": "db"}}]));
    }
}

/// Secret-bearing MKE configuration keys (`reader_password`, `passphrase`, `samlProxy`
/// credentials, ...): their values are replaced, the keys kept so assessors see they are set.
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    looks_secret(&k) || k.contains("credentials") || k.ends_with("_key") || k == "key"
}

/// Redacts a parsed TOML document in place; returns how many values were replaced.
pub fn toml_table(t: &mut toml::Table) -> usize {
    let mut n = 0;
    for (k, v) in t.iter_mut() {
        n += toml_value(k, v);
    }
    n
}

fn toml_value(key: &str, v: &mut toml::Value) -> usize {
    match v {
        toml::Value::Table(t) => toml_table(t),
        toml::Value::Array(items) => items.iter_mut().map(|i| toml_value(key, i)).sum(),
        _ if secret_key(key) => {
            *v = toml::Value::String(REDACTED.into());
            1
        }
        _ => 0,
    }
}

/// JSON answers of the MKE API (e.g. the LDAP configuration): same key rule.
pub fn json_secret_keys(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => m
            .iter_mut()
            .map(|(k, x)| {
                if !x.is_object() && !x.is_array() && secret_key(k) && !x.is_null() {
                    *x = Value::String(REDACTED.into());
                    1
                } else {
                    json_secret_keys(x)
                }
            })
            .sum(),
        Value::Array(a) => a.iter_mut().map(json_secret_keys).sum(),
        _ => 0,
    }
}

/// A Kubernetes object: literal environment variable values in pod specs and templates are
/// removed (names and `valueFrom` references stay: rules read them).
pub fn kubernetes_object(v: &mut Value) -> usize {
    fn containers(spec: &mut Value) -> usize {
        let mut n = 0;
        for key in ["containers", "initContainers", "ephemeralContainers"] {
            for c in spec.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
                for e in c.get_mut("env").and_then(Value::as_array_mut).into_iter().flatten() {
                    if let Some(val) = e.get_mut("value") {
                        *val = Value::String(REDACTED.into());
                        n += 1;
                    }
                }
            }
        }
        n
    }
    let mut n = 0;
    for path in ["/spec", "/spec/template/spec", "/spec/jobTemplate/spec/template/spec"] {
        if let Some(spec) = v.pointer_mut(path) {
            n += containers(spec);
        }
    }
    n
}
