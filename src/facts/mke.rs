//! Facts from MKE's admin API: the configuration (config-toml, with MKE's documented defaults
//! for absent keys), grants, LDAP settings, versions offered, the collecting account, and the
//! TLS chain check. MSR's facts are here too (same product family, same shapes of answer).

use std::collections::HashMap;

use serde_json::Value;

use super::Got;
use crate::evidence::keys::Key;
use crate::evidence::Snapshot;

/// MKE's configuration with the documented defaults of absent keys (check map table 0.4).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub toml: toml::Table,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        text.parse::<toml::Table>().map(|toml| Config { toml }).map_err(|e| format!("{}: stored TOML unreadable: {}", Key::MkeConfig.endpoint(), e.message()))
    }

    pub fn get(&self, path: &str) -> Option<&toml::Value> {
        let mut cur: Option<&toml::Value> = None;
        for (i, k) in path.split('.').enumerate() {
            cur = if i == 0 { self.toml.get(k) } else { cur?.get(k) };
        }
        cur
    }

    /// A setting and whether it was absent (then MKE's default applies). A value of the
    /// wrong type is an error: it is not what MKE would read either.
    fn typed<T>(&self, path: &str, default: T, read: impl Fn(&toml::Value) -> Option<T>) -> Got<Setting<T>> {
        match self.get(path) {
            None => Ok(Setting { value: default, default: true }),
            Some(v) => read(v).map(|value| Setting { value, default: false }).ok_or_else(|| format!("config-toml {path} = {v} is not of the expected type")),
        }
    }

    pub fn int(&self, path: &str, default: i64) -> Got<Setting<i64>> {
        self.typed(path, default, toml::Value::as_integer)
    }

    pub fn boolean(&self, path: &str, default: bool) -> Got<Setting<bool>> {
        self.typed(path, default, toml::Value::as_bool)
    }

    pub fn string(&self, path: &str, default: &str) -> Got<Setting<String>> {
        self.typed(path, default.to_string(), |v| v.as_str().map(str::to_string))
    }

    pub fn strings(&self, path: &str) -> Got<Setting<Vec<String>>> {
        self.typed(path, Vec::new(), |v| v.as_array().and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect()))
    }
}

/// A configuration value, and whether it is MKE's default for an absent key.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub default: bool,
}

impl<T: std::fmt::Display> Setting<T> {
    /// The value as a finding shows it.
    pub fn shown(&self) -> String {
        if self.default { format!("{} (absent: MKE default)", self.value) } else { self.value.to_string() }
    }
}

impl Setting<Vec<String>> {
    pub fn shown_list(&self) -> String {
        format!("[{}]", self.value.join(", "))
    }
}

/// One MKE grant: subject (account id), collection (object id, and path when given), role.
#[derive(Debug, Clone)]
pub struct Grant {
    pub subject: String,
    pub object: String,
    pub path: Option<String>,
    pub role: String,
}

/// (name, subject type) of each grant subject, by account id.
pub type SubjectNames = HashMap<String, (String, String)>;

/// MKE's grants answer (`{"grants": [...], "subjects": [...]}`): the grants, and the subjects'
/// names. Grants name subjects by account id (a UUID), not by name.
pub fn grants(v: &Value) -> Result<(Vec<Grant>, SubjectNames), String> {
    let shape = |what: &str| format!("{}: unexpected shape: {what}", Key::MkeGrants.endpoint());
    let list = v.get("grants").and_then(Value::as_array).ok_or_else(|| shape("no `grants` list"))?;
    let subjects = v.get("subjects").and_then(Value::as_array).ok_or_else(|| shape("no `subjects` list"))?;
    let mut out = Vec::new();
    for g in list {
        let s = |k: &str| g.get(k).and_then(Value::as_str).map(str::to_string).ok_or_else(|| shape(&format!("a grant without `{k}`")));
        let path = ["collectionPath", "objectPath"].iter().find_map(|k| g.get(*k).and_then(Value::as_str)).map(str::to_string);
        out.push(Grant { subject: s("subjectID")?, object: s("objectID")?, path, role: s("roleID")? });
    }
    let mut names = HashMap::new();
    for s in subjects {
        let Some(name) = s.pointer("/account/name").and_then(Value::as_str) else { continue };
        let kind = s.get("subject_type").and_then(Value::as_str).unwrap_or("");
        for id in [s.get("id"), s.pointer("/account/id")].into_iter().flatten().filter_map(Value::as_str) {
            names.insert(id.to_string(), (name.to_string(), kind.to_string()));
        }
    }
    Ok((out, names))
}

/// The account oscal-stig collected with.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub name: String,
    pub is_admin: bool,
}

/// A server's certificate chain checked against the site's trusted CA bundle (P-TRUST).
#[derive(Debug, Clone, Default)]
pub struct Chain {
    pub url: String,
    pub validates: bool,
    pub error: String,
    /// SHA-256 of the CA bundle the chain was checked against (empty in older snapshots).
    pub bundle_sha256: String,
}

pub struct MkeFacts {
    /// Whether MKE's admin API was collected at all.
    pub collected: bool,
    pub config: Got<Config>,
    pub versions: Got<Vec<String>>,
    /// The grants list as MKE answers it (`grants` and `subjects`), shape checked by the rules.
    pub grants: Got<Value>,
    pub ldap: Got<Value>,
    pub identity: Got<Identity>,
    pub chain: Got<Chain>,
}

pub struct MsrFacts {
    pub collected: bool,
    pub settings: Got<Value>,
    pub scan_status: Got<Value>,
    pub version: Got<String>,
    pub accounts: Got<Vec<Value>>,
    pub chain: Got<Chain>,
}

fn object(v: Value, key: Key) -> Got<Value> {
    if v.is_object() { Ok(v) } else { Err(format!("{}: unexpected shape: not an object", key.endpoint())) }
}

/// The chain check recorded for `source` (`TLS <url>`), or why there is none.
fn chain(snap: &Snapshot, source: &str, key: Key) -> Got<Chain> {
    let r = snap.records.iter().find(|r| r.source == source && r.endpoint.starts_with("TLS ")).ok_or_else(|| key.not_collected())?;
    if let Some(e) = &r.error {
        return Err(format!("{}: {e}", r.endpoint));
    }
    let body = snap.body(source, &r.endpoint)?;
    let validates = body.get("validates").and_then(Value::as_bool).ok_or_else(|| format!("{}: unexpected shape: no `validates`", r.endpoint))?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Ok(Chain { url: r.endpoint.trim_start_matches("TLS ").to_string(), validates, error: text("error"), bundle_sha256: text("trusted_ca_bundle_sha256") })
}

impl MkeFacts {
    pub fn none() -> MkeFacts {
        MkeFacts {
            collected: false,
            config: Err(Key::MkeConfig.not_collected()),
            versions: Err(Key::MkeVersions.not_collected()),
            grants: Err(Key::MkeGrants.not_collected()),
            ldap: Err(Key::MkeLdap.not_collected()),
            identity: Err(Key::MkeIdentity.not_collected()),
            chain: Err(Key::MkeTlsChain.not_collected()),
        }
    }

    pub fn drop_key(&mut self, key: Key) {
        let why = key.not_collected();
        match key {
            Key::MkeConfig => self.config = Err(why),
            Key::MkeVersions => self.versions = Err(why),
            Key::MkeGrants => self.grants = Err(why),
            Key::MkeLdap => self.ldap = Err(why),
            Key::MkeIdentity => self.identity = Err(why),
            Key::MkeTlsChain => self.chain = Err(why),
            _ => {}
        }
    }

    pub fn load(snap: &Snapshot) -> MkeFacts {
        use crate::probe::mke::SOURCE;
        let body = |k: Key| snap.body(SOURCE, k.endpoint());
        MkeFacts {
            collected: snap.records.iter().any(|r| r.source == SOURCE),
            config: snap.text(SOURCE, Key::MkeConfig.endpoint()).and_then(|t| Config::parse(&t)),
            versions: body(Key::MkeVersions).and_then(|v| {
                v.as_array()
                    .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
                    .ok_or_else(|| format!("{}: unexpected shape: not a list of version strings", Key::MkeVersions.endpoint()))
            }),
            grants: body(Key::MkeGrants),
            ldap: body(Key::MkeLdap).and_then(|v| object(v, Key::MkeLdap)),
            identity: body(Key::MkeIdentity).and_then(|v| {
                let name = v.get("name").and_then(Value::as_str);
                let admin = v.get("isAdmin").and_then(Value::as_bool);
                match (name, admin) {
                    (Some(n), Some(a)) => Ok(Identity { name: n.to_string(), is_admin: a }),
                    _ => Err(format!("{}: unexpected shape: no name or isAdmin", Key::MkeIdentity.endpoint())),
                }
            }),
            chain: chain(snap, SOURCE, Key::MkeTlsChain),
        }
    }
}

impl MsrFacts {
    pub fn none() -> MsrFacts {
        MsrFacts {
            collected: false,
            settings: Err(Key::MsrSettings.not_collected()),
            scan_status: Err(Key::MsrScanStatus.not_collected()),
            version: Err(Key::MsrVersion.not_collected()),
            accounts: Err(Key::MsrAccounts.not_collected()),
            chain: Err(Key::MsrTlsChain.not_collected()),
        }
    }

    pub fn drop_key(&mut self, key: Key) {
        let why = key.not_collected();
        match key {
            Key::MsrSettings => self.settings = Err(why),
            Key::MsrScanStatus => self.scan_status = Err(why),
            Key::MsrVersion => self.version = Err(why),
            Key::MsrAccounts => self.accounts = Err(why),
            Key::MsrTlsChain => self.chain = Err(why),
            _ => {}
        }
    }

    pub fn load(snap: &Snapshot) -> MsrFacts {
        use crate::probe::msr::SOURCE;
        let body = |k: Key| snap.body(SOURCE, k.endpoint());
        MsrFacts {
            collected: snap.records.iter().any(|r| r.source == SOURCE),
            settings: body(Key::MsrSettings).and_then(|v| object(v, Key::MsrSettings)),
            scan_status: body(Key::MsrScanStatus).and_then(|v| object(v, Key::MsrScanStatus)),
            version: body(Key::MsrVersion).and_then(|v| {
                v.get("version").and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("{}: unexpected shape: no version", Key::MsrVersion.endpoint()))
            }),
            accounts: body(Key::MsrAccounts).and_then(|v| {
                v.get("accounts").and_then(Value::as_array).cloned().ok_or_else(|| format!("{}: unexpected shape: no accounts list", Key::MsrAccounts.endpoint()))
            }),
            chain: chain(snap, SOURCE, Key::MsrTlsChain),
        }
    }
}
