//! Collection: clients for the systems an assessment reads (Docker Engine API today; MKE,
//! Kubernetes and MSR next). A probe only fetches and records; deciding is `assess`'s job.

pub mod cluster;
pub mod docker;
pub mod kubernetes;
pub mod mke;
pub mod node;
pub mod msr;
pub mod tls;

use std::time::Duration;

/// One HTTP answer, as received.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String },
    #[error("{endpoint} timed out after {} s", .after.as_secs())]
    Timeout { endpoint: String, after: Duration },
    #[error("{endpoint}: {message}")]
    Request { endpoint: String, message: String },
    #[error("{0}")]
    Config(String),
}

/// The time a call is recorded at (RFC 3339, milliseconds, UTC).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// reqwest wraps the interesting cause (refused, TLS alert, certificate problem) a few
/// levels down; people need that cause, not "error sending request".
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}
