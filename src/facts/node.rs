//! Node evidence: what `oscal-stig collect node` found on one Kubernetes node (files the
//! Kubernetes STIG names with their owners and modes, the kubelet's and kube-proxy's command
//! lines, the kubelet configuration file, the audit and admission configuration files the API
//! server names, sshd). One JSON file per node; `assess --node-evidence DIR` reads them.
//!
//! Secrets never enter it: key and kubeconfig files are stat'ed, never read; only the kubelet
//! configuration, the audit policy and the admission configuration are kept as content.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Format marker, so another JSON file in the folder is refused by name.
pub const KIND: &str = "oscal-stig node evidence";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeEvidence {
    /// Always [`KIND`].
    pub kind: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The Kubernetes node name (`--node-name`, `$NODE_NAME`, else the host name).
    pub node: String,
    /// RFC 3339 time of collection.
    pub collected: String,
    /// oscal-stig version that collected it.
    pub tool: String,
    /// Every path the collector looked at, sorted by path: those that exist and those that do
    /// not (a missing file is evidence too).
    pub files: Vec<FileStat>,
    /// Processes of interest (kubelet, kube-proxy, kube-apiserver, ...), from /proc.
    pub processes: Vec<Process>,
    /// Contents of the configuration files the rules read, by path, parsed from YAML or JSON
    /// (kubelet config, audit policy, admission configuration), or why not.
    pub contents: BTreeMap<String, Content>,
    /// sshd, as systemd would report it.
    pub sshd: Sshd,
    /// What the collector could not read, one sentence each.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileStat {
    /// Absolute path on the node (without the collector's `--root`).
    pub path: String,
    /// `file`, `dir`, `symlink`, `other`, or `missing`.
    pub kind: String,
    /// Why this path was looked at (`kubelet --config`, `STIG: /etc/kubernetes/pki`, ...).
    pub why: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// User and group names from the node's /etc/passwd and /etc/group (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Permission bits in octal, e.g. `644` (as `stat -c %a`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Why the file could not be stat'ed (permission denied, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// `kubelet`, `kube-proxy`, `kube-apiserver`, `kube-controller-manager`, `kube-scheduler`, `etcd`.
    pub name: String,
    pub pid: u32,
    /// argv, with the values of secret-bearing flags (`--token`, `--password`, ...) redacted.
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sshd {
    /// An sshd process is running (from /proc), or None when /proc could not be read.
    pub running: Option<bool>,
    /// A systemd unit for sshd (`sshd.service` or `ssh.service`) is enabled (a `*.wants/`
    /// link under /etc/systemd/system), or None when that could not be read.
    pub enabled: Option<bool>,
    /// How it was determined, for the finding.
    pub how: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NodeEvidenceError {
    #[error("{0}: {1}")]
    Read(String, String),
    #[error("{0}: not node evidence from `oscal-stig collect node` ({1})")]
    Format(String, String),
    #[error("{0}: two node evidence files for node {1} ({2})")]
    Duplicate(String, String, String),
}

impl NodeEvidence {
    pub fn stat(&self, path: &str) -> Option<&FileStat> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The files under a directory (recursively), existing ones only.
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a FileStat> + 'a {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files.iter().filter(move |f| f.path.starts_with(&prefix) && f.kind != "missing")
    }

    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }

    pub fn parse(name: &str, bytes: &[u8]) -> Result<NodeEvidence, NodeEvidenceError> {
        // serde_json stops at 128 levels of nesting, so a hostile file cannot overflow the stack.
        let raw: Value = crate::oscal::parse_value(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes), false).map_err(|e| NodeEvidenceError::Format(name.into(), e.to_string()))?;
        if raw.get("kind").and_then(Value::as_str) != Some(KIND) {
            return Err(NodeEvidenceError::Format(name.into(), format!("no \"kind\": \"{KIND}\"")));
        }
        let ev: NodeEvidence = serde_json::from_value(raw).map_err(|e| NodeEvidenceError::Format(name.into(), e.to_string()))?;
        if ev.version != VERSION {
            return Err(NodeEvidenceError::Format(name.into(), format!("format version {} (this oscal-stig reads {VERSION})", ev.version)));
        }
        if ev.node.trim().is_empty() {
            return Err(NodeEvidenceError::Format(name.into(), "no node name".into()));
        }
        Ok(ev)
    }

    /// Every `*.json` file of a folder, by node name.
    pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, NodeEvidence>, NodeEvidenceError> {
        let shown = dir.display().to_string();
        let rd = std::fs::read_dir(dir).map_err(|e| NodeEvidenceError::Read(shown.clone(), e.to_string()))?;
        let mut files: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        files.sort();
        let mut out: BTreeMap<String, NodeEvidence> = BTreeMap::new();
        let mut from: BTreeMap<String, String> = BTreeMap::new();
        for path in files {
            let name = path.display().to_string();
            let meta = std::fs::metadata(&path).map_err(|e| NodeEvidenceError::Read(name.clone(), e.to_string()))?;
            if !meta.is_file() {
                return Err(NodeEvidenceError::Read(name, "not a regular file".into()));
            }
            if meta.len() > 64 << 20 {
                return Err(NodeEvidenceError::Read(name, format!("{} bytes: larger than node evidence can be (64 MiB)", meta.len())));
            }
            let bytes = std::fs::read(&path).map_err(|e| NodeEvidenceError::Read(name.clone(), e.to_string()))?;
            let ev = NodeEvidence::parse(&name, &bytes)?;
            if let Some(prev) = from.insert(ev.node.clone(), name.clone()) {
                return Err(NodeEvidenceError::Duplicate(name, ev.node, prev));
            }
            out.insert(ev.node.clone(), ev);
        }
        Ok(out)
    }
}
