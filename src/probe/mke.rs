//! MKE admin API client and collector: `/api/ucp/config-toml` and the other admin endpoints
//! the check map names, and MKE's `/oscal/*` endpoints (kept as evidence only).
//!
//! TLS is verified against the MKE CA (the client bundle's ca.pem, or `--ca`). Authentication is
//! the bundle's client certificate, or a bearer token from `POST /auth/login`; one token per run,
//! and one re-login when the server answers 401 (a compliant MKE expires tokens after 10 min).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use super::tls::{client_config, ensure_provider, TlsFiles};
use super::{error_chain, now, ProbeError, Response};
use crate::evidence::keys::Key;
use crate::evidence::{new_record, redact, EvidenceError, SnapshotWriter};
use crate::stig::xccdf::hex_sha256;

pub const SOURCE: &str = "mke";

/// A password never appears in arguments, output or evidence: callers read it from the
/// environment, a file or a prompt.
pub struct Password(String);

impl Password {
    pub fn new(p: String) -> Password {
        Password(p)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

pub enum Auth {
    /// mTLS with the client bundle's cert.pem / key.pem.
    ClientCert,
    Login { username: String, password: Password },
}

pub struct Target {
    /// `https://mke.example` (port optional).
    pub url: String,
    pub ca: PathBuf,
    /// Client certificate and key (a client bundle); required for `Auth::ClientCert`.
    pub client: Option<(PathBuf, PathBuf)>,
    pub auth: Auth,
}

pub struct MkeClient {
    http: reqwest::Client,
    base: String,
    described: String,
    auth: Auth,
    token: tokio::sync::Mutex<Option<String>>,
    timeout: Duration,
    /// How many times `/auth/login` was called (evidence of token reuse).
    pub logins: Mutex<u32>,
}

impl MkeClient {
    pub fn new(target: Target, timeout: Duration) -> Result<MkeClient, ProbeError> {
        ensure_provider();
        let base = target.url.trim_end_matches('/').to_string();
        if !base.starts_with("https://") {
            return Err(ProbeError::Config(format!("MKE URL \"{base}\" must be https:// (TLS is always verified)")));
        }
        let files = TlsFiles { ca: target.ca.clone(), client: target.client.clone() };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .tls_backend_preconfigured(client_config(&files)?)
            .build()
            .map_err(|e| ProbeError::Config(error_chain(&e)))?;
        let described = format!("{base} (CA {})", target.ca.display());
        Ok(MkeClient { http, base, described, auth: target.auth, token: tokio::sync::Mutex::new(None), timeout, logins: Mutex::new(0) })
    }

    pub fn describe(&self) -> &str {
        &self.described
    }

    fn classify(&self, endpoint: &str, e: reqwest::Error) -> ProbeError {
        if e.is_timeout() {
            ProbeError::Timeout { endpoint: endpoint.to_string(), after: self.timeout }
        } else if e.is_connect() {
            ProbeError::Connect { target: self.described.clone(), message: error_chain(&e) }
        } else {
            ProbeError::Request { endpoint: endpoint.to_string(), message: error_chain(&e) }
        }
    }

    async fn login(&self) -> Result<String, ProbeError> {
        let Auth::Login { username, password } = &self.auth else {
            return Err(ProbeError::Config("no credentials to log in with".into()));
        };
        *self.logins.lock().expect("login counter") += 1;
        let endpoint = "POST /auth/login";
        let body = serde_json::json!({ "username": username, "password": password.0 });
        let resp = self.http.post(format!("{}/auth/login", self.base)).header("Content-Type", "application/json").body(body.to_string()).send().await.map_err(|e| self.classify(endpoint, e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| self.classify(endpoint, e))?;
        if status != 200 {
            return Err(ProbeError::Request { endpoint: endpoint.into(), message: format!("HTTP {status}: login refused for user \"{username}\"") });
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| ProbeError::Request { endpoint: endpoint.into(), message: format!("malformed login answer: {e}") })?;
        v.get("auth_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ProbeError::Request { endpoint: endpoint.into(), message: "login answer has no auth_token".into() })
    }

    async fn send(&self, path: &str, accept: &str, token: Option<&str>) -> Result<Response, ProbeError> {
        let endpoint = format!("GET {path}");
        let mut req = self.http.get(format!("{}{path}", self.base)).header("Accept", accept);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| self.classify(&endpoint, e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| self.classify(&endpoint, e))?.to_vec();
        Ok(Response { status, body })
    }

    /// `GET path`, logging in first when needed and once more after a 401.
    pub async fn get(&self, path: &str, accept: &str) -> Result<Response, ProbeError> {
        if matches!(self.auth, Auth::ClientCert) {
            return self.send(path, accept, None).await;
        }
        let mut token = self.token.lock().await;
        if token.is_none() {
            *token = Some(self.login().await?);
        }
        let resp = self.send(path, accept, token.as_deref()).await?;
        if resp.status != 401 {
            return Ok(resp);
        }
        *token = Some(self.login().await?);
        self.send(path, accept, token.as_deref()).await
    }
}

/// The calls collected: path, stored file, kind.
enum Kind {
    Toml,
    Json,
    Text,
    /// `/oscal/*`: evidence only; a 404 means the feature is not offered.
    Oscal,
}

/// The admin API calls, by evidence key (paths and files from the key table).
const KEYED: &[(Key, Kind)] =
    &[(Key::MkeIdentity, Kind::Json), (Key::MkeConfig, Kind::Toml), (Key::MkeVersions, Kind::Json), (Key::MkeCa, Kind::Text), (Key::MkeGrants, Kind::Json), (Key::MkeLdap, Kind::Json)];

/// MKE's `/oscal/*` answers: evidence only, no rule reads them.
const OSCAL: &[(&str, &str)] = &[("/oscal/catalogs", "mke/oscal-catalogs.json"), ("/oscal/controls", "mke/oscal-controls.json")];

/// `GET /oscal`: MKE's index of its OSCAL endpoints, if it serves one (recorded either way).
async fn oscal_listing(client: &MkeClient, w: &SnapshotWriter) -> Result<Vec<String>, EvidenceError> {
    fn paths(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.starts_with("/oscal/") => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| paths(x, out)),
            Value::Object(m) => m.values().for_each(|x| paths(x, out)),
            _ => {}
        }
    }
    let mut rec = new_record(SOURCE, "GET /oscal", now());
    let resp = match client.get("/oscal", "application/json").await {
        Ok(r) => r,
        Err(e) => {
            rec.error = Some(e.to_string());
            w.record(rec);
            return Ok(vec![]);
        }
    };
    rec.status = Some(resp.status);
    rec.sha256 = Some(hex_sha256(&resp.body));
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) if resp.status == 200 => {
            let mut out = Vec::new();
            paths(&v, &mut out);
            w.put(rec, "mke/oscal-index.json", &v)?;
            Ok(out)
        }
        _ => {
            rec.error = Some(if resp.status == 404 { "not offered by this MKE (HTTP 404)".into() } else { format!("HTTP {}", resp.status) });
            w.record(rec);
            Ok(vec![])
        }
    }
}


pub async fn collect(client: &MkeClient, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    let mut calls: Vec<(String, String, &Kind)> = KEYED.iter().map(|(k, kind)| (k.path().to_string(), k.file().expect("stored").to_string(), kind)).collect();
    calls.extend(OSCAL.iter().map(|(p, r)| (p.to_string(), r.to_string(), &Kind::Oscal)));
    // `/oscal` may list further endpoints: fetch every `/oscal/...` path it names.
    for extra in oscal_listing(client, w).await? {
        if !calls.iter().any(|(p, _, _)| *p == extra) {
            let rel = format!("mke/oscal-{}.json", extra.trim_start_matches("/oscal/").replace(['/', '?', '&', '='], "-"));
            calls.push((extra, rel, &Kind::Oscal));
        }
    }
    for (path, rel, kind) in &calls {
        let (path, rel) = (path.as_str(), rel.as_str());
        let accept = if matches!(kind, Kind::Toml) { "application/toml" } else { "application/json" };
        let mut rec = new_record(SOURCE, &format!("GET {path}"), now());
        let resp = match client.get(path, accept).await {
            Ok(r) => r,
            Err(e) => {
                rec.error = Some(e.to_string());
                w.record(rec);
                continue;
            }
        };
        rec.status = Some(resp.status);
        rec.sha256 = Some(hex_sha256(&resp.body));
        if resp.status == 404 && matches!(kind, Kind::Oscal) {
            rec.error = Some("not offered by this MKE (HTTP 404)".into());
            w.record(rec);
            continue;
        }
        if !(200..300).contains(&resp.status) {
            rec.error = Some(format!("HTTP {}", resp.status));
            w.record(rec);
            continue;
        }
        let text = String::from_utf8_lossy(&resp.body).into_owned();
        match kind {
            Kind::Toml => match text.parse::<toml::Table>() {
                Ok(mut t) => {
                    rec.redacted = redact::toml_table(&mut t);
                    w.put_text(rec, rel, &toml::to_string(&t).unwrap_or_default())?;
                }
                Err(e) => {
                    rec.error = Some(format!("HTTP {}: malformed TOML ({})", resp.status, e.message()));
                    w.record(rec);
                }
            },
            Kind::Json | Kind::Oscal => match serde_json::from_slice::<Value>(&resp.body) {
                Ok(mut v) => {
                    rec.redacted = redact::json_secret_keys(&mut v);
                    w.put(rec, rel, &v)?;
                }
                Err(e) => {
                    rec.error = Some(format!("HTTP {}: malformed JSON body ({e})", resp.status));
                    w.record(rec);
                }
            },
            Kind::Text => w.put_text(rec, rel, &text)?,
        }
    }
    Ok(())
}
