//! TLS client configuration from PEM files (an MKE client bundle's ca.pem / cert.pem / key.pem).
//! Verification is always on: the server must chain to the given CA and match the host name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::ProbeError;

#[derive(Debug, Clone, PartialEq)]
pub struct TlsFiles {
    /// CA bundle the server certificate must chain to.
    pub ca: PathBuf,
    /// Client certificate and key for mutual TLS (both or neither).
    pub client: Option<(PathBuf, PathBuf)>,
}

impl TlsFiles {
    /// The files of a client-bundle-shaped directory: ca.pem, cert.pem, key.pem.
    pub fn from_dir(dir: &Path) -> TlsFiles {
        TlsFiles { ca: dir.join("ca.pem"), client: Some((dir.join("cert.pem"), dir.join("key.pem"))) }
    }
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, ProbeError> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| ProbeError::Config(format!("cannot read {what} {}: {e}", path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ProbeError::Config(format!("{what} {} is not PEM: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ProbeError::Config(format!("{what} {} holds no certificate", path.display())));
    }
    Ok(certs)
}

/// A rustls client configuration (ring provider) for the given files.
pub fn client_config(files: &TlsFiles) -> Result<rustls::ClientConfig, ProbeError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in read_certs(&files.ca, "CA bundle")? {
        roots
            .add(cert)
            .map_err(|e| ProbeError::Config(format!("CA bundle {}: {e}", files.ca.display())))?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeError::Config(e.to_string()))?
        .with_root_certificates(roots);
    match &files.client {
        None => Ok(builder.with_no_client_auth()),
        Some((cert, key)) => {
            let chain = read_certs(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| ProbeError::Config(format!("client key {}: {e}", key.display())))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| ProbeError::Config(format!("client certificate/key pair: {e}")))
        }
    }
}

/// reqwest (built without its own provider so the project has one TLS stack) needs a process
/// default even for plain-HTTP clients: install ring's once.
pub fn ensure_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another provider is already installed, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
