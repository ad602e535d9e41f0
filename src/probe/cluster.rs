//! Collection of a whole cluster into one snapshot: the Docker Engine API (through MKE, or one
//! engine), each node's engine, MKE's admin API, the TLS chains, MSR and Kubernetes. What the
//! CLI asks for is said in [`Plan`]; a failing source is recorded and the rest still collected,
//! so each rule can say what it is missing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::docker::{collect_into, collect_node_engines, CollectOptions, DockerClient};
use super::kubernetes;
use super::mke::{self, MkeClient};
use super::msr::{self, MsrClient};
use super::tls::TlsFiles;
use crate::evidence::{EvidenceError, Manifest, SnapshotWriter, FORMAT};

/// What to collect, with the clients already built from the user's credentials.
pub struct Plan {
    /// Describes the target in the manifest (no credentials).
    pub target: String,
    pub docker: Option<DockerClient>,
    /// Per-node engine access through MKE's proxy: the bundle's TLS files and the port.
    pub node_proxy: Option<(TlsFiles, u16)>,
    pub mke: Option<(MkeClient, String)>,
    pub msr: Option<(MsrClient, String)>,
    /// P-TRUST: the bundle MKE's and MSR's certificate chains are checked against.
    pub trust: Option<PathBuf>,
    pub kubernetes: Option<kubernetes::Source>,
    pub concurrency: usize,
    pub timeout: Duration,
}

/// Collects everything in `plan` into a new snapshot at `dir`; `say` reports progress.
pub fn collect(plan: &Plan, dir: &Path, say: &dyn Fn(&str)) -> Result<Manifest, EvidenceError> {
    let w = Arc::new(SnapshotWriter::create(dir)?);
    let started = super::now();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| EvidenceError::Io { path: dir.to_path_buf(), source: e })?;
    rt.block_on(async {
        if let Some(d) = &plan.docker {
            say("Docker Engine API: containers, images, networks, secrets, nodes");
            let nodes = collect_into(d, &w, &CollectOptions { concurrency: plan.concurrency }).await?;
            if let (Some(nodes), Some((tls, port))) = (nodes, &plan.node_proxy) {
                say("each node's engine (/info through the per-node proxy)");
                collect_node_engines(&nodes, tls, *port, plan.timeout, &w).await?;
            }
        }
        if let Some((client, url)) = &plan.mke {
            say("MKE admin API: identity, config-toml, versions, grants, LDAP, /oscal");
            mke::collect(client, &w).await?;
            if let Some(t) = &plan.trust {
                msr::chain_check(mke::SOURCE, url, t, plan.timeout, &w).await?;
            }
        }
        if let Some((client, url)) = &plan.msr {
            say("MSR API: settings, image scanning, accounts");
            msr::collect(client, &w).await?;
            if let Some(t) = &plan.trust {
                msr::chain_check(msr::SOURCE, url, t, plan.timeout, &w).await?;
            }
        }
        if let Some(source) = &plan.kubernetes {
            say("Kubernetes API: pods, workloads, namespaces, quotas, bindings, kubelet configz");
            match kubernetes::client(source, plan.timeout).await {
                Ok(clients) => kubernetes::collect(&clients, &w).await?,
                // The Kubernetes rules then say why they were not assessed.
                Err(e) => {
                    eprintln!("warning: Kubernetes API not collected: {e}");
                    kubernetes::record_unreachable(&w, &e.to_string());
                }
            }
        }
        Ok::<(), EvidenceError>(())
    })?;
    let manifest = Manifest { format: FORMAT, tool: concat!("oscal-stig ", env!("CARGO_PKG_VERSION")).into(), target: plan.target.clone(), started, finished: super::now(), ..Default::default() };
    Arc::into_inner(w).expect("collection finished").finish(&manifest)?;
    Ok(manifest)
}
