//! Kubernetes API collector (kube crate): lists read page by page (`limit`/`continue`), each
//! page's items redacted and appended to the snapshot as it arrives, so 100,000 pods are never
//! held in memory at once; kubelet configuration per node through the node proxy (`configz`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{now, ProbeError};
use crate::evidence::{new_record, redact, EvidenceError, SnapshotWriter};
use crate::stig::xccdf::hex_sha256;

pub const SOURCE: &str = "kubernetes";
pub const PAGE: u32 = 500;

/// Lists collected: API path, evidence file (one object per line).
pub const LISTS: &[(&str, &str)] = &[
    ("/api/v1/namespaces", "k8s/namespaces.jsonl"),
    ("/api/v1/pods", "k8s/pods.jsonl"),
    ("/api/v1/services", "k8s/services.jsonl"),
    ("/api/v1/resourcequotas", "k8s/resourcequotas.jsonl"),
    ("/api/v1/nodes", "k8s/nodes.jsonl"),
    ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "k8s/clusterrolebindings.jsonl"),
    ("/apis/rbac.authorization.k8s.io/v1/rolebindings", "k8s/rolebindings.jsonl"),
    ("/apis/storage.k8s.io/v1/storageclasses", "k8s/storageclasses.jsonl"),
    ("/apis/apps/v1/deployments", "k8s/workloads.jsonl"),
    ("/apis/apps/v1/statefulsets", "k8s/workloads.jsonl"),
    ("/apis/apps/v1/daemonsets", "k8s/workloads.jsonl"),
    ("/apis/apps/v1/replicasets", "k8s/workloads.jsonl"),
    ("/apis/batch/v1/jobs", "k8s/workloads.jsonl"),
    ("/apis/batch/v1/cronjobs", "k8s/workloads.jsonl"),
    ("/api/v1/replicationcontrollers", "k8s/workloads.jsonl"),
    ("/api/v1/serviceaccounts", "k8s/serviceaccounts.jsonl"),
    ("/apis/networking.k8s.io/v1/networkpolicies", "k8s/networkpolicies.jsonl"),
    ("/apis/rbac.authorization.k8s.io/v1/clusterroles", "k8s/clusterroles.jsonl"),
    ("/apis/rbac.authorization.k8s.io/v1/roles", "k8s/roles.jsonl"),
    ("/api/v1/persistentvolumes", "k8s/persistentvolumes.jsonl"),
];
/// The server's version (`/version`), for rules that depend on it.
pub const VERSION_FILE: &str = "k8s/version.json";
/// What the API server answered a request without credentials.
pub const ANONYMOUS_FILE: &str = "k8s/anonymous.json";
pub const ANONYMOUS_ENDPOINT: &str = "GET /version (no credentials)";
pub const CONFIGZ_FILE: &str = "k8s/configz.jsonl";

/// Where the cluster is: a kubeconfig file (an MKE bundle's kube.yml), or in-cluster.
pub enum Source {
    /// A kubeconfig file and, optionally, the context to use (default: its current context).
    Kubeconfig(PathBuf, Option<String>),
    InCluster,
}

/// kube.yml in an MKE client bundle names ca.pem / cert.pem / key.pem relative to itself.
fn absolutize(k: &mut kube::config::Kubeconfig, dir: &Path) {
    let fix = |p: &mut Option<String>| {
        if let Some(s) = p {
            if Path::new(s.as_str()).is_relative() {
                *s = dir.join(&*s).display().to_string();
            }
        }
    };
    for c in k.clusters.iter_mut().filter_map(|c| c.cluster.as_mut()) {
        fix(&mut c.certificate_authority);
    }
    for a in k.auth_infos.iter_mut().filter_map(|a| a.auth_info.as_mut()) {
        fix(&mut a.client_certificate);
        fix(&mut a.client_key);
    }
}

/// The API with the user's credentials, and the same server without any (for the anonymous
/// probe; same CA, so TLS verification is unchanged).
pub struct Clients {
    pub client: kube::Client,
    pub anonymous: Option<kube::Client>,
    pub url: String,
}

pub async fn client(source: &Source, timeout: std::time::Duration) -> Result<Clients, ProbeError> {
    super::tls::ensure_provider();
    let mut config = match source {
        Source::Kubeconfig(path, context) => {
            let mut k = kube::config::Kubeconfig::read_from(path).map_err(|e| ProbeError::Config(format!("kubeconfig {}: {e}", path.display())))?;
            absolutize(&mut k, path.parent().unwrap_or(Path::new(".")));
            let opts = kube::config::KubeConfigOptions { context: context.clone(), ..Default::default() };
            kube::Config::from_custom_kubeconfig(k, &opts)
                .await
                .map_err(|e| ProbeError::Config(format!("kubeconfig {}: {e}", path.display())))?
        }
        Source::InCluster => kube::Config::incluster().map_err(|e| ProbeError::Config(format!("in-cluster configuration: {e}")))?,
    };
    config.read_timeout = Some(timeout);
    config.connect_timeout = Some(timeout);
    let url = config.cluster_url.to_string();
    let mut bare = config.clone();
    bare.auth_info = Default::default();
    let anonymous = kube::Client::try_from(bare).ok();
    let client = kube::Client::try_from(config).map_err(|e| ProbeError::Config(format!("Kubernetes client: {e}")))?;
    Ok(Clients { client, anonymous, url })
}

fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 410 => format!("HTTP 410: the list's continue token expired before the list was read ({})", s.message),
        kube::Error::Api(s) => format!("HTTP {}: {}", s.code, s.message),
        other => super::error_chain(other),
    }
}

async fn get(client: &kube::Client, path: &str) -> Result<String, kube::Error> {
    let req = http::Request::get(path).body(Vec::new()).expect("a GET request builds");
    client.request_text(req).await
}

/// Reads one list page by page into `rel`; returns the items' names when `names` is set
/// (nodes, for configz).
async fn list(client: &kube::Client, w: &SnapshotWriter, path: &str, rel: &str, names: bool) -> Result<Vec<String>, EvidenceError> {
    let mut cont: Option<String> = None;
    let mut page = 0;
    let mut out = Vec::new();
    loop {
        page += 1;
        let query = match &cont {
            Some(c) => format!("{path}?limit={PAGE}&continue={c}"),
            None => format!("{path}?limit={PAGE}"),
        };
        let mut rec = new_record(SOURCE, &format!("GET {path} (page {page})"), now());
        let text = match get(client, &query).await {
            Ok(t) => t,
            Err(e) => {
                rec.error = Some(describe(&e));
                w.record(rec);
                return Ok(out);
            }
        };
        rec.status = Some(200);
        rec.sha256 = Some(hex_sha256(text.as_bytes()));
        let mut v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                rec.error = Some(format!("HTTP 200: malformed JSON body ({e})"));
                w.record(rec);
                return Ok(out);
            }
        };
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("").trim_end_matches("List").to_string();
        let items = v.get_mut("items").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
        let mut redacted = 0;
        for mut item in items {
            redacted += redact::kubernetes_object(&mut item);
            let ns = item.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string();
            let name = item.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            if names {
                out.push(name.clone());
            }
            if item.get("kind").is_none() {
                item["kind"] = Value::String(kind.clone());
            }
            w.append_line(rel, &format!("{kind}/{ns}/{name}"), &item)?;
        }
        rec.redacted = redacted;
        rec.stored = Some(rel.to_string());
        w.record(rec);
        cont = v.pointer("/metadata/continue").and_then(Value::as_str).filter(|c| !c.is_empty()).map(str::to_string);
        if cont.is_none() {
            return Ok(out);
        }
    }
}

/// One JSON answer stored whole (`/version`).
async fn single(client: &kube::Client, w: &SnapshotWriter, path: &str, rel: &str) -> Result<(), EvidenceError> {
    let mut rec = new_record(SOURCE, &format!("GET {path}"), now());
    match get(client, path).await {
        Ok(text) => {
            rec.status = Some(200);
            rec.sha256 = Some(hex_sha256(text.as_bytes()));
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => return w.put(rec, rel, &v),
                Err(e) => rec.error = Some(format!("HTTP 200: malformed JSON body ({e})")),
            }
        }
        Err(e) => rec.error = Some(describe(&e)),
    }
    w.record(rec);
    Ok(())
}

/// Asks `/version` with no credentials: 401 means anonymous requests are refused; 200 or 403
/// means the server authenticated the request as `system:anonymous` (anonymous auth on). The
/// answer's status is what is stored; transport errors are recorded as such.
async fn anonymous_probe(anon: &kube::Client, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    let mut rec = new_record(SOURCE, ANONYMOUS_ENDPOINT, now());
    let answer = match get(anon, "/version").await {
        Ok(_) => serde_json::json!({"status": 200}),
        Err(kube::Error::Api(s)) => serde_json::json!({"status": s.code, "message": s.message.chars().take(200).collect::<String>()}),
        Err(e) => {
            rec.error = Some(describe(&e));
            w.record(rec);
            return Ok(());
        }
    };
    rec.status = answer["status"].as_u64().map(|s| s as u16);
    w.put(rec, ANONYMOUS_FILE, &answer)
}

/// Collects every list the Kubernetes rules read, the version, the anonymous probe, and each
/// node's kubelet configz.
pub async fn collect(clients: &Clients, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    let client = &clients.client;
    single(client, w, "/version", VERSION_FILE).await?;
    match &clients.anonymous {
        Some(anon) => anonymous_probe(anon, w).await?,
        None => {
            let mut rec = new_record(SOURCE, ANONYMOUS_ENDPOINT, now());
            rec.error = Some("no client without credentials could be built for this server".into());
            w.record(rec);
        }
    }
    let mut nodes = Vec::new();
    for (path, rel) in LISTS {
        let names = list(client, w, path, rel, *path == "/api/v1/nodes").await?;
        if *path == "/api/v1/nodes" {
            nodes = names;
        }
    }
    for node in nodes {
        let path = format!("/api/v1/nodes/{node}/proxy/configz");
        let mut rec = new_record(SOURCE, &format!("GET {path}"), now());
        match get(client, &path).await {
            Ok(text) => {
                rec.status = Some(200);
                rec.sha256 = Some(hex_sha256(text.as_bytes()));
                match serde_json::from_str::<Value>(&text) {
                    Ok(v) => w.put_line(rec, CONFIGZ_FILE, &node, &v)?,
                    Err(e) => {
                        rec.error = Some(format!("HTTP 200: malformed JSON body ({e})"));
                        w.record(rec);
                    }
                }
            }
            Err(e) => {
                rec.error = Some(describe(&e));
                w.record(rec);
            }
        }
    }
    Ok(())
}

/// When no client could be built (bad kubeconfig, unreachable API), every list records why, so
/// each Kubernetes rule says "not assessed: <reason>" instead of "not collected".
pub fn record_unreachable(w: &SnapshotWriter, reason: &str) {
    for endpoint in ["GET /version", ANONYMOUS_ENDPOINT] {
        let mut rec = new_record(SOURCE, endpoint, now());
        rec.error = Some(reason.to_string());
        w.record(rec);
    }
    for (path, _) in LISTS {
        let mut rec = new_record(SOURCE, &format!("GET {path} (page 1)"), now());
        rec.error = Some(reason.to_string());
        w.record(rec);
    }
}
