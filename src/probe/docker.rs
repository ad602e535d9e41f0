//! Docker Engine API client and collector. Reaches an engine over its unix socket, or over TCP
//! with mutual TLS from an MKE client bundle (MKE serves the Docker API for the whole cluster).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::tls::{client_config, TlsFiles};
use super::{error_chain, now, ProbeError, Response};
use crate::evidence::keys::Key;
use crate::evidence::{new_record, redact, EvidenceError, SnapshotWriter};
use crate::stig::xccdf::hex_sha256;

pub const SOURCE: &str = "docker";

/// Where the engine is.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// `host:port`, with TLS files unless the engine is plain TCP.
    Tcp { addr: String, tls: Option<TlsFiles> },
}

impl Endpoint {
    /// `unix:///path`, `tcp://host:port` or `https://host:port` (TLS files from `cert_dir`).
    pub fn parse(host: &str, cert_dir: Option<&Path>) -> Result<Endpoint, ProbeError> {
        if let Some(path) = host.strip_prefix("unix://") {
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        let addr = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("https://"))
            .ok_or_else(|| ProbeError::Config(format!("Docker host \"{host}\" is not unix://PATH, tcp://HOST:PORT or https://HOST:PORT")))?
            .trim_end_matches('/');
        if addr.is_empty() {
            return Err(ProbeError::Config(format!("Docker host \"{host}\" has no address")));
        }
        Ok(Endpoint::Tcp { addr: addr.to_string(), tls: cert_dir.map(TlsFiles::from_dir) })
    }

    /// As the docker CLI does: DOCKER_HOST (default the local socket), DOCKER_CERT_PATH.
    pub fn from_env() -> Result<Endpoint, ProbeError> {
        let host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        let certs = std::env::var_os("DOCKER_CERT_PATH").map(PathBuf::from);
        let tls_wanted = std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty()) || certs.is_some();
        Endpoint::parse(&host, if tls_wanted { certs.as_deref() } else { None })
    }

    /// An MKE client bundle directory: `env.sh` names DOCKER_HOST; ca.pem/cert.pem/key.pem sit
    /// beside it. Only the `export DOCKER_HOST=` line is read, never executed.
    pub fn from_bundle(dir: &Path) -> Result<Endpoint, ProbeError> {
        let env = dir.join("env.sh");
        let text = std::fs::read_to_string(&env).map_err(|e| ProbeError::Config(format!("client bundle {}: {e}", env.display())))?;
        let host = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("export DOCKER_HOST="))
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
            .next()
            .ok_or_else(|| ProbeError::Config(format!("client bundle {}: no `export DOCKER_HOST=` line", env.display())))?;
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            if !dir.join(f).is_file() {
                return Err(ProbeError::Config(format!("client bundle {}: {f} is missing", dir.display())));
            }
        }
        Endpoint::parse(&host, Some(dir))
    }

    /// For the evidence manifest and messages: never includes key material.
    pub fn describe(&self) -> String {
        match self {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp { addr, tls: Some(t) } => format!("tcp://{addr} (TLS, CA {})", t.ca.display()),
            Endpoint::Tcp { addr, tls: None } => format!("tcp://{addr} (no TLS)"),
        }
    }
}

pub struct DockerClient {
    http: reqwest::Client,
    base: String,
    target: String,
    timeout: Duration,
}

impl DockerClient {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> Result<DockerClient, ProbeError> {
        super::tls::ensure_provider();
        let builder = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).no_proxy();
        let (builder, base) = match endpoint {
            Endpoint::Unix(path) => (builder.unix_socket(path.clone()), "http://localhost".to_string()),
            Endpoint::Tcp { addr, tls: Some(files) } => {
                (builder.tls_backend_preconfigured(client_config(files)?), format!("https://{addr}"))
            }
            Endpoint::Tcp { addr, tls: None } => (builder, format!("http://{addr}")),
        };
        let http = builder.build().map_err(|e| ProbeError::Config(error_chain(&e)))?;
        Ok(DockerClient { http, base, target: endpoint.describe(), timeout })
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    /// `GET path`. Transport problems are errors; any HTTP status is a response.
    pub async fn get(&self, path: &str) -> Result<Response, ProbeError> {
        let endpoint = format!("GET {path}");
        let resp = self.http.get(format!("{}{path}", self.base)).send().await.map_err(|e| self.classify(&endpoint, e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| self.classify(&endpoint, e))?;
        Ok(Response { status, body: body.to_vec() })
    }

    fn classify(&self, endpoint: &str, e: reqwest::Error) -> ProbeError {
        if e.is_timeout() {
            ProbeError::Timeout { endpoint: endpoint.to_string(), after: self.timeout }
        } else if e.is_connect() {
            ProbeError::Connect { target: self.target.clone(), message: error_chain(&e) }
        } else {
            ProbeError::Request { endpoint: endpoint.to_string(), message: error_chain(&e) }
        }
    }
}

/// Options of one collection.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Per-container calls in flight at once.
    pub concurrency: usize,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions { concurrency: 16 }
    }
}

/// Where each single call's body is stored, and how it is redacted.
/// The single calls, by evidence key (paths and files from the key table), with the redaction
/// each body gets before it is stored.
const SINGLE_CALLS: &[(Key, fn(&mut Value) -> usize)] = &[
    (Key::DockerVersion, |_| 0),
    (Key::DockerInfo, |_| 0),
    (Key::DockerContainers, redact::container_list),
    (Key::DockerImages, |_| 0),
    (Key::DockerNetworks, |_| 0),
    (Key::DockerSecrets, redact::secrets),
    (Key::DockerServices, redact::services),
    (Key::DockerNodes, |_| 0),
];

pub const INSPECT_FILE: &str = "docker/inspect.jsonl";
pub const TOP_FILE: &str = "docker/top.jsonl";
/// Only pid, ppid and command name: full command lines can carry credentials.
pub const TOP_ARGS: &str = "ps_args=-eo%20pid,ppid,comm";

/// Makes one call and stores its (redacted) JSON body, or records why there is none.
async fn call(client: &DockerClient, w: &SnapshotWriter, path: &str, store: Store<'_>, redactor: fn(&mut Value) -> usize) -> Result<Option<Value>, EvidenceError> {
    let mut rec = new_record(SOURCE, &format!("GET {path}"), now());
    let resp = match client.get(path).await {
        Ok(r) => r,
        Err(e) => {
            rec.error = Some(e.to_string());
            w.record(rec);
            return Ok(None);
        }
    };
    rec.status = Some(resp.status);
    rec.sha256 = Some(hex_sha256(&resp.body));
    let parsed: Result<Value, _> = serde_json::from_slice(&resp.body);
    let mut body = match parsed {
        Ok(v) => v,
        Err(e) => {
            // A malformed body is never stored: it cannot be redacted safely.
            rec.error = Some(format!("HTTP {}: malformed JSON body ({e})", resp.status));
            w.record(rec);
            return Ok(None);
        }
    };
    if !(200..300).contains(&resp.status) {
        let msg = body.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        rec.error = Some(format!("HTTP {}{}", resp.status, if msg.is_empty() { String::new() } else { format!(": {msg}") }));
        w.record(rec);
        return Ok(None);
    }
    rec.redacted = redactor(&mut body);
    match store {
        Store::File(rel) => w.put(rec, rel, &body)?,
        Store::Line(rel, key) => w.put_line(rec, rel, key, &body)?,
    }
    Ok(Some(body))
}

enum Store<'a> {
    File(&'a str),
    Line(&'a str, &'a str),
}

/// Collects into a snapshot that other probes (MKE, Kubernetes) also write to. Returns the
/// `/nodes` answer (Swarm nodes), which per-node collection needs.
pub async fn collect_into(client: &DockerClient, w: &Arc<SnapshotWriter>, opts: &CollectOptions) -> Result<Option<Value>, EvidenceError> {
    let mut containers = None;
    let mut nodes = None;
    for (key, redactor) in SINGLE_CALLS {
        let body = call(client, w, key.path(), Store::File(key.file().expect("stored")), *redactor).await?;
        match key {
            Key::DockerContainers => containers = body,
            Key::DockerNodes => nodes = body,
            _ => {}
        }
    }
    // Per container: inspect every one, `top` the running ones.
    let list: Vec<(String, bool)> = containers
        .as_ref()
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| Some((c.get("Id")?.as_str()?.to_string(), c.get("State").and_then(Value::as_str) == Some("running"))))
                .collect()
        })
        .unwrap_or_default();
    let results: Vec<Result<(), EvidenceError>> = stream::iter(list.iter())
        .map(|(id, running)| {
            let w = Arc::clone(w);
            async move {
                call(client, &w, &format!("/containers/{id}/json"), Store::Line(INSPECT_FILE, id), redact::container_inspect).await?;
                if *running {
                    call(client, &w, &format!("/containers/{id}/top?{TOP_ARGS}"), Store::Line(TOP_FILE, id), |_| 0).await?;
                }
                Ok(())
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(nodes)
}

/// Where each node's engine `/info` is kept (one line per node).
pub const NODE_INFO_FILE: &str = "docker/node-info.jsonl";

/// Each node's own engine `/info` through MKE's per-node engine proxy (`https://<addr>:12376`,
/// the same client bundle): MKE's aggregated `/info` has no SecurityOptions, storage or log
/// driver of the nodes, which FIPS, SELinux, AppArmor and driver rules need.
pub async fn collect_node_engines(nodes: &Value, tls: &TlsFiles, port: u16, timeout: Duration, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    for n in nodes.as_array().into_iter().flatten() {
        let host = n.pointer("/Description/Hostname").and_then(Value::as_str).unwrap_or("?").to_string();
        let role = n.pointer("/Spec/Role").and_then(Value::as_str).unwrap_or("").to_string();
        let Some(addr) = n.pointer("/Status/Addr").and_then(Value::as_str) else { continue };
        let endpoint = format!("GET /info (node {host} at {addr}:{port})");
        let mut rec = new_record(SOURCE, &endpoint, now());
        let client = match DockerClient::new(&Endpoint::Tcp { addr: format!("{addr}:{port}"), tls: Some(tls.clone()) }, timeout) {
            Ok(c) => c,
            Err(e) => {
                rec.error = Some(e.to_string());
                w.record(rec);
                continue;
            }
        };
        match client.get("/info").await {
            Err(e) => rec.error = Some(e.to_string()),
            Ok(r) => {
                rec.status = Some(r.status);
                rec.sha256 = Some(hex_sha256(&r.body));
                match serde_json::from_slice::<Value>(&r.body) {
                    Ok(v) if (200..300).contains(&r.status) => {
                        w.put_line(rec, NODE_INFO_FILE, &host, &serde_json::json!({ "role": role, "info": v }))?;
                        continue;
                    }
                    Ok(_) => rec.error = Some(format!("HTTP {}", r.status)),
                    Err(e) => rec.error = Some(format!("HTTP {}: malformed JSON body ({e})", r.status)),
                }
            }
        }
        w.record(rec);
    }
    Ok(())
}
