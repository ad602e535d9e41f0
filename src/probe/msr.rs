//! MSR (Mirantis Secure Registry 2.x/3.x) API collector, and the TLS chain probe that checks a
//! server's certificate against the site's trusted CA bundle (P-TRUST) for MSR and MKE.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::tls::{client_config, ensure_provider, TlsFiles};
use super::{error_chain, now, ProbeError};
use crate::evidence::{new_record, redact, EvidenceError, SnapshotWriter};
use crate::stig::xccdf::hex_sha256;

pub const SOURCE: &str = "msr";

pub struct MsrClient {
    http: reqwest::Client,
    base: String,
    basic: Option<(String, String)>,
    timeout: Duration,
}

/// The calls collected, and their evidence files.
pub const CALLS: &[(&str, &str)] = &[
    ("/api/v0/meta/settings", "msr/settings.json"),
    ("/api/v0/imagescan/status", "msr/imagescan-status.json"),
    ("/api/v0/admin/version", "msr/version.json"),
    ("/enzi/v0/accounts?limit=500", "msr/accounts.json"),
];

impl MsrClient {
    /// `ca` verifies MSR's certificate for collection (the MSR CA); the STIG's chain check
    /// against P-TRUST is [`chain_check`].
    pub fn new(url: &str, ca: &Path, basic: Option<(String, String)>, timeout: Duration) -> Result<MsrClient, ProbeError> {
        ensure_provider();
        let base = url.trim_end_matches('/').to_string();
        if !base.starts_with("https://") {
            return Err(ProbeError::Config(format!("MSR URL \"{base}\" must be https://")));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .tls_backend_preconfigured(client_config(&TlsFiles { ca: ca.to_path_buf(), client: None })?)
            .build()
            .map_err(|e| ProbeError::Config(error_chain(&e)))?;
        Ok(MsrClient { http, base, basic, timeout })
    }
}

pub async fn collect(c: &MsrClient, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    for (path, rel) in CALLS {
        let mut rec = new_record(SOURCE, &format!("GET {path}"), now());
        let mut req = c.http.get(format!("{}{path}", c.base)).header("Accept", "application/json");
        if let Some((u, p)) = &c.basic {
            req = req.basic_auth(u, Some(p));
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                rec.error = Some(if e.is_timeout() { format!("timed out after {} s", c.timeout.as_secs()) } else { format!("cannot connect to {}: {}", c.base, error_chain(&e)) });
                w.record(rec);
                continue;
            }
        };
        let status = resp.status().as_u16();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                rec.error = Some(error_chain(&e));
                w.record(rec);
                continue;
            }
        };
        rec.status = Some(status);
        rec.sha256 = Some(hex_sha256(&body));
        if !(200..300).contains(&status) {
            rec.error = Some(format!("HTTP {status}"));
            w.record(rec);
            continue;
        }
        match serde_json::from_slice::<Value>(&body) {
            Ok(mut v) => {
                rec.redacted = redact::json_secret_keys(&mut v);
                w.put(rec, rel, &v)?;
            }
            Err(e) => {
                rec.error = Some(format!("HTTP {status}: malformed JSON body ({e})"));
                w.record(rec);
            }
        }
    }
    Ok(())
}

/// Whether `url` presents a certificate chain that validates (host name included) to the CAs
/// in `trust`. Recorded as evidence under `source` with endpoint `TLS <url>`.
pub async fn chain_check(source: &str, url: &str, trust: &PathBuf, timeout: Duration, w: &SnapshotWriter) -> Result<(), EvidenceError> {
    let mut rec = new_record(source, &format!("TLS {url}"), now());
    // Which bundle the chain was checked against, by content: an offline re-assessment under a
    // policy naming another bundle must not reuse this answer.
    let bundle_sha256 = std::fs::read(trust).map(|b| hex_sha256(&b)).unwrap_or_default();
    let outcome = async {
        let cfg = client_config(&TlsFiles { ca: trust.clone(), client: None })?;
        let http = reqwest::Client::builder().timeout(timeout).no_proxy().tls_backend_preconfigured(cfg).build().map_err(|e| ProbeError::Config(error_chain(&e)))?;
        http.get(url).send().await.map_err(|e| ProbeError::Connect { target: url.to_string(), message: error_chain(&e) })
    }
    .await;
    match outcome {
        Ok(r) => {
            rec.status = Some(r.status().as_u16());
            w.put(rec, &format!("{source}/tls-chain.json"), &serde_json::json!({ "url": url, "trusted_ca_bundle": trust, "trusted_ca_bundle_sha256": bundle_sha256, "validates": true }))
        }
        Err(e) => {
            // A chain that does not validate is the finding itself, not missing evidence.
            let message = e.to_string();
            let cert_problem = ["certificate", "UnknownIssuer", "NotValidForName", "Expired", "BadSignature"].iter().any(|k| message.contains(k));
            if cert_problem {
                w.put(rec, &format!("{source}/tls-chain.json"), &serde_json::json!({ "url": url, "trusted_ca_bundle": trust, "trusted_ca_bundle_sha256": bundle_sha256, "validates": false, "error": message }))
            } else {
                rec.error = Some(message);
                w.record(rec);
                Ok(())
            }
        }
    }
}
