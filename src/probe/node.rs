//! Node collector (`oscal-stig collect node`): reads, on one Kubernetes node, what the DISA
//! Kubernetes STIG checks by hand there (`stat` of the files it names, `ps -ef | grep kubelet`,
//! the kubelet configuration, the audit policy, sshd) and returns it as [`NodeEvidence`].
//!
//! Everything is read under a root directory: `/` on the node itself, `/host` in the collector
//! pod, where the node's directories are mounted read-only (see [`manifest`]). Symbolic links are
//! followed inside that root, as the node's kernel would follow them, so that a link to
//! `/etc/...` read through `/host` never lands in the pod's own files.
//!
//! Collection never fails as a whole: what cannot be read is said in `errors`, in a file's
//! `error`, or in a content's `error`. Secrets never enter the evidence: kubeconfig files, keys
//! and certificates are stat'ed, never opened, and secret-bearing flags are redacted.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::facts::node::{Content, FileStat, NodeEvidence, Process, Sshd, KIND, VERSION};

/// What to collect from, and what to call it.
#[derive(Debug, Clone)]
pub struct Options {
    /// The node's `/` as this process sees it: `/` on the node, `/host` in the collector pod.
    pub root: PathBuf,
    pub node_name: String,
    /// RFC 3339 time of collection.
    pub collected: String,
}

/// Executables whose command lines the STIG reads (`ps -ef | grep ...`).
const WATCHED: &[&str] = &["kubelet", "kube-proxy", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];
/// Old clusters run every component as `hyperkube <component> ...`.
const HYPERKUBE: &str = "hyperkube";
/// Configuration files larger than this are refused: real ones are a few KiB.
const MAX_CONTENT: u64 = 1 << 20;
/// /etc/passwd and /etc/group may be long on hosts with many local accounts.
const MAX_NAMES: u64 = 16 << 20;
/// argv is at most a few MiB (ARG_MAX); anything longer is not a real /proc.
const MAX_CMDLINE: u64 = 8 << 20;
/// Deeper configuration is refused, so that the evidence file (which nests it a few levels
/// further) stays readable by serde_json's 128-level limit.
const MAX_DEPTH: usize = 64;
/// Entries recorded per directory tree (`/etc/kubernetes/pki`, `/var/lib/etcd`).
const MAX_TREE: usize = 10_000;
/// Symbolic links followed for one path, as the kernel's ELOOP limit.
const MAX_HOPS: usize = 40;
const REDACTED: &str = "<redacted>";

const MANIFESTS: &str = "/etc/kubernetes/manifests";
const APISERVER_MANIFEST: &str = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const KUBELET_DEFAULT_CONFIG: &str = "/var/lib/kubelet/config.yaml";
const CONF_FILES: &[&str] = &["/etc/kubernetes/admin.conf", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/kubelet.conf"];
const KUBEADM_DROP_INS: &[&str] = &[
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
];
const SYSTEMD_UNITS: &str = "/etc/systemd/system";
const SSHD_UNITS: &[&str] = &["sshd.service", "ssh.service"];

/// Collects the node evidence under `opts.root`. Never panics and never fails as a whole.
pub fn collect(opts: &Options) -> NodeEvidence {
    let mut c = Collector::new(&opts.root);
    let scan = scan_proc(&opts.root);
    let processes = match &scan {
        Ok(seen) => watched_processes(seen),
        Err(e) => {
            c.errors.push(format!("/proc: cannot list processes: {e}"));
            Vec::new()
        }
    };
    c.stig_paths();
    c.kubelet(&processes);
    c.kube_proxy(&processes);
    c.apiserver(&processes);
    let sshd = c.sshd(&scan);
    NodeEvidence {
        kind: KIND.into(),
        version: VERSION,
        node: opts.node_name.clone(),
        collected: opts.collected.clone(),
        tool: concat!("oscal-stig ", env!("CARGO_PKG_VERSION")).into(),
        files: sorted_files(c.files),
        processes,
        contents: c.contents,
        sshd,
        errors: c.errors,
    }
}

/// What is gathered while walking the node.
struct Collector<'a> {
    root: &'a Path,
    users: BTreeMap<u32, String>,
    groups: BTreeMap<u32, String>,
    files: Vec<FileStat>,
    contents: BTreeMap<String, Content>,
    errors: Vec<String>,
}

impl<'a> Collector<'a> {
    fn new(root: &'a Path) -> Collector<'a> {
        let mut errors = Vec::new();
        let mut names = |path: &str| {
            read_regular(root, path, MAX_NAMES).map(|b| parse_names(&String::from_utf8_lossy(&b))).unwrap_or_else(|e| {
                errors.push(format!("{path}: cannot read ({e}); owners are given by number only"));
                BTreeMap::new()
            })
        };
        let users = names("/etc/passwd");
        let groups = names("/etc/group");
        Collector { root, users, groups, files: Vec::new(), contents: BTreeMap::new(), errors }
    }

    /// The paths the STIG names whatever runs on the node.
    fn stig_paths(&mut self) {
        self.walk(MANIFESTS, &format!("STIG: {MANIFESTS}"), 1);
        for path in CONF_FILES {
            self.stat(path, &format!("STIG: {path}"));
        }
        self.walk("/etc/kubernetes/pki", "STIG: /etc/kubernetes/pki", usize::MAX);
        self.walk("/var/lib/etcd", "STIG: /var/lib/etcd", usize::MAX);
        self.stat(KUBELET_DEFAULT_CONFIG, "STIG: kubelet config (kubeadm default)");
        for path in KUBEADM_DROP_INS {
            self.stat(path, "STIG: kubeadm.conf (kubelet drop-in)");
        }
    }

    /// The kubelet's `--config` and `--kubeconfig`, its configuration's content, and the
    /// certificate files that configuration names.
    fn kubelet(&mut self, processes: &[Process]) {
        let kubelets: Vec<&Process> = processes.iter().filter(|p| p.name == "kubelet").collect();
        let mut configs: Vec<String> = Vec::new();
        for p in &kubelets {
            for (flag, why) in [
                ("kubeconfig", "kubelet --kubeconfig"),
                ("client-ca-file", "kubelet --client-ca-file"),
                ("tls-cert-file", "kubelet --tls-cert-file"),
                ("tls-private-key-file", "kubelet --tls-private-key-file"),
            ] {
                if let Some(path) = self.process_path(p, flag) {
                    self.stat(&path, why);
                }
            }
            if let Some(path) = self.process_path(p, "config") {
                self.stat(&path, "kubelet --config");
                configs.push(path);
            }
        }
        // Without --config the kubelet runs on flags alone; kubeadm's default file is still
        // what an assessor would look at, when it is there.
        if configs.is_empty() && self.exists(KUBELET_DEFAULT_CONFIG) {
            configs.push(KUBELET_DEFAULT_CONFIG.into());
        }
        configs.dedup();
        for path in configs {
            if let Some(config) = self.content(&path, false) {
                self.kubelet_config_files(&path, &config);
            }
        }
    }

    /// `clientCAFile` (where the STIG greps for it: anywhere, usually under
    /// `authentication.x509`), `tlsCertFile`, `tlsPrivateKeyFile`. The kubelet takes relative
    /// paths relative to its configuration file.
    fn kubelet_config_files(&mut self, config_path: &str, config: &Value) {
        let named = [
            ("clientCAFile", config.pointer("/authentication/x509/clientCAFile").or_else(|| config.get("clientCAFile"))),
            ("tlsCertFile", config.get("tlsCertFile")),
            ("tlsPrivateKeyFile", config.get("tlsPrivateKeyFile")),
        ];
        for (key, value) in named {
            if let Some(file) = value.and_then(Value::as_str).filter(|s| !s.is_empty()) {
                self.stat(&relative_to(config_path, file), &format!("kubelet config {key}"));
            }
        }
    }

    /// kube-proxy's kubeconfig: `--kubeconfig`, or `clientConnection.kubeconfig` in the
    /// KubeProxyConfiguration that `--config` names.
    fn kube_proxy(&mut self, processes: &[Process]) {
        for p in processes.iter().filter(|p| p.name == "kube-proxy") {
            if let Some(path) = self.process_path(p, "kubeconfig") {
                self.stat(&path, "kube-proxy --kubeconfig");
            }
            let Some(config_path) = self.process_path(p, "config") else { continue };
            self.stat(&config_path, "kube-proxy --config");
            let Some(config) = self.content(&config_path, true) else { continue };
            // kube-proxy, unlike the kubelet, takes this path as given (relative to its cwd).
            let named = config.pointer("/clientConnection/kubeconfig").and_then(Value::as_str).filter(|s| !s.is_empty());
            if let Some(file) = named.and_then(|f| self.absolute(p, f, "clientConnection.kubeconfig")) {
                self.stat(&file, "kube-proxy config clientConnection.kubeconfig");
            }
        }
    }

    /// The audit policy and admission configuration files the API server names: from its
    /// running command line, else from its static pod manifest.
    fn apiserver(&mut self, processes: &[Process]) {
        let found: Vec<(String, String)> = match processes.iter().find(|p| p.name == "kube-apiserver") {
            Some(p) => ["audit-policy-file", "admission-control-config-file"]
                .into_iter()
                .filter_map(|flag| self.process_path(p, flag).map(|path| (path, format!("kube-apiserver --{flag}"))))
                .collect(),
            None => self.apiserver_manifest_files(),
        };
        for (path, why) in found {
            self.stat(&path, &why);
            self.content(&path, false);
        }
    }

    fn apiserver_manifest_files(&mut self) -> Vec<(String, String)> {
        if !self.exists(APISERVER_MANIFEST) {
            return Vec::new();
        }
        let args = match read_regular(self.root, APISERVER_MANIFEST, MAX_CONTENT).and_then(|b| parse_config(&b)) {
            Ok(pod) => manifest_command(&pod),
            Err(e) => {
                self.errors.push(format!("{APISERVER_MANIFEST}: cannot read the API server's flags ({e})"));
                return Vec::new();
            }
        };
        ["audit-policy-file", "admission-control-config-file"]
            .into_iter()
            .filter_map(|flag| {
                let path = flag_value(&args, flag)?;
                // The manifest gives no working directory: a relative path cannot be placed.
                if !path.starts_with('/') {
                    self.errors.push(format!("{APISERVER_MANIFEST}: --{flag}={path} is relative; not looked at"));
                    return None;
                }
                Some((clean(&path), format!("kube-apiserver manifest --{flag}")))
            })
            .collect()
    }

    /// sshd as `systemctl status sshd` and `systemctl is-enabled sshd.service` would say.
    fn sshd(&mut self, scan: &Result<Vec<Seen>, String>) -> Sshd {
        let (running, ran) = match scan {
            Ok(seen) => {
                let pids: Vec<String> = seen.iter().filter(|s| s.is("sshd")).map(|s| s.pid.to_string()).collect();
                let how = match pids.len() {
                    0 => "no sshd process in /proc".to_string(),
                    1 => format!("process sshd (pid {}) in /proc", pids[0]),
                    _ => format!("process sshd (pids {}) in /proc", pids.join(", ")),
                };
                (Some(!pids.is_empty()), how)
            }
            Err(e) => (None, format!("/proc not readable ({e})")),
        };
        let (enabled, how) = match self.sshd_links() {
            Ok(links) if links.is_empty() => (Some(false), format!("no {} link in {SYSTEMD_UNITS}/*.wants", SSHD_UNITS.join(" or "))),
            Ok(links) => (Some(true), links.join("; ")),
            Err(e) => {
                self.errors.push(format!("{SYSTEMD_UNITS}: cannot list ({e}); whether sshd is enabled is unknown"));
                (None, format!("{SYSTEMD_UNITS} not readable ({e})"))
            }
        };
        Sshd { running, enabled, how: format!("{ran}; {how}") }
    }

    /// `*.wants/sshd.service` and `*.wants/ssh.service` links under /etc/systemd/system: what
    /// `systemctl enable` creates.
    fn sshd_links(&self) -> Result<Vec<String>, String> {
        let dir = host(self.root, &resolve(self.root, SYSTEMD_UNITS, true)?);
        let mut wants: Vec<String> = fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".wants"))
            .collect();
        wants.sort();
        let mut links = Vec::new();
        for want in wants {
            for unit in SSHD_UNITS {
                if fs::symlink_metadata(dir.join(&want).join(unit)).is_ok() {
                    links.push(format!("{SYSTEMD_UNITS}/{want}/{unit}"));
                }
            }
        }
        Ok(links)
    }

    /// A path flag of a process (`--flag=X` or `--flag X`), absolute: a relative one is taken
    /// from the process's working directory, as the process itself would.
    fn process_path(&mut self, p: &Process, flag: &str) -> Option<String> {
        let value = flag_value(&p.args, flag)?;
        self.absolute(p, &value, &format!("--{flag}"))
    }

    /// A path a process uses, absolute: a relative one is relative to its working directory.
    fn absolute(&mut self, p: &Process, path: &str, what: &str) -> Option<String> {
        if path.starts_with('/') {
            return Some(clean(path));
        }
        match fs::read_link(host(self.root, &format!("/proc/{}/cwd", p.pid))) {
            Ok(cwd) => Some(clean(&format!("{}/{path}", cwd.to_string_lossy()))),
            Err(e) => {
                self.errors.push(format!("{} (pid {}) {what} {path} is relative and its working directory is not readable ({e}); not looked at", p.name, p.pid));
                None
            }
        }
    }

    fn exists(&self, path: &str) -> bool {
        resolve(self.root, path, true).is_ok_and(|real| fs::symlink_metadata(host(self.root, &real)).is_ok())
    }

    /// Records one path, as `stat` (not `stat -L`) shows it, and the target of a symlink.
    fn stat(&mut self, path: &str, why: &str) -> Option<fs::Metadata> {
        self.stat_hop(&clean(path), why, 0)
    }

    fn stat_hop(&mut self, path: &str, why: &str, hops: usize) -> Option<fs::Metadata> {
        let mut rec = FileStat { path: path.into(), kind: "missing".into(), why: why.into(), uid: None, gid: None, user: None, group: None, mode: None, error: None };
        let looked = resolve(self.root, path, false).and_then(|real| match fs::symlink_metadata(host(self.root, &real)) {
            Ok(meta) => Ok(Some((real, meta))),
            Err(e) if is_gone(&e) => Ok(None),
            Err(e) => Err(e.to_string()),
        });
        let found = match looked {
            Ok(found) => found,
            Err(e) => {
                // Exists or not, nobody can tell: "other" with the reason, never "missing".
                rec.kind = "other".into();
                rec.error = Some(e);
                None
            }
        };
        if let Some((_, meta)) = &found {
            self.describe(&mut rec, meta);
        }
        self.files.push(rec);
        let (real, meta) = found?;
        if meta.file_type().is_symlink() {
            self.link_target(path, &real, hops);
        }
        Some(meta)
    }

    fn describe(&self, rec: &mut FileStat, meta: &fs::Metadata) {
        rec.kind = kind_name(meta.file_type()).into();
        rec.uid = Some(meta.uid());
        rec.gid = Some(meta.gid());
        rec.user = self.users.get(&meta.uid()).cloned();
        rec.group = self.groups.get(&meta.gid()).cloned();
        // As `stat -c %a`: permission, setuid, setgid and sticky bits in octal.
        rec.mode = Some(format!("{:o}", meta.mode() & 0o7777));
    }

    /// Records what a symlink points to, under its resolved path, so that a rule about a file's
    /// mode sees the mode that applies (a link's own mode is always 777).
    fn link_target(&mut self, link: &str, real: &str, hops: usize) {
        if hops >= MAX_HOPS {
            self.errors.push(format!("{link}: too many levels of symbolic links"));
            return;
        }
        let target = match fs::read_link(host(self.root, real)) {
            Ok(t) => t.to_string_lossy().into_owned(),
            Err(e) => {
                self.errors.push(format!("{link}: cannot read the link ({e})"));
                return;
            }
        };
        let joined = if target.starts_with('/') { target } else { format!("{}/{target}", parent(real)) };
        match resolve(self.root, &joined, false) {
            Ok(resolved) => {
                self.stat_hop(&resolved, &format!("target of {link}"), hops + 1);
            }
            Err(e) => self.errors.push(format!("{link}: {e}")),
        }
    }

    /// Records a directory and what is under it, `max_depth` levels down (1: its entries).
    /// Symlinked directories inside are recorded, not entered.
    fn walk(&mut self, top: &str, why: &str, max_depth: usize) {
        let top = clean(top);
        self.stat(&top, why);
        let mut count = 0;
        let mut todo = vec![(top.clone(), 0usize)];
        while let Some((dir, depth)) = todo.pop() {
            for name in self.list(&dir) {
                if count == MAX_TREE {
                    self.errors.push(format!("{top}: more than {MAX_TREE} entries; only the first {MAX_TREE} are recorded"));
                    return;
                }
                count += 1;
                let child = format!("{dir}/{name}");
                let is_dir = self.stat(&child, why).is_some_and(|m| m.is_dir());
                if is_dir && depth + 1 < max_depth {
                    todo.push((child, depth + 1));
                }
            }
        }
    }

    /// A directory's entry names, sorted; none when it is missing or not a directory.
    fn list(&mut self, dir: &str) -> Vec<String> {
        let Ok(real) = resolve(self.root, dir, true) else { return Vec::new() };
        let path = host(self.root, &real);
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Vec::new();
        }
        let entries = match fs::read_dir(&path) {
            Ok(rd) => rd,
            Err(e) => {
                self.errors.push(format!("{dir}: cannot list ({e})"));
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => names.push(e.file_name().to_string_lossy().into_owned()),
                Err(e) => self.errors.push(format!("{dir}: cannot list ({e})")),
            }
        }
        names.sort();
        names
    }

    /// Reads and keeps a configuration file's content, parsed; returns it when kept. Kubeconfig
    /// files, keys and certificates are refused by name before anything is opened, and a
    /// kubeconfig under another name by its `kind` after parsing.
    fn content(&mut self, path: &str, kube_proxy: bool) -> Option<Value> {
        let read = match secret_reason(path, kube_proxy) {
            Some(reason) => Err(format!("not read: {reason}")),
            None => read_regular(self.root, path, MAX_CONTENT).and_then(|b| parse_config(&b)).and_then(|v| keep(&v, kube_proxy).map(|()| v)),
        };
        let (value, error) = match read {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        self.contents.insert(path.to_string(), Content { value: value.clone(), error });
        value
    }
}

/// Why a path must not be opened: its name says it holds credentials.
fn secret_reason(path: &str, kube_proxy: bool) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if path.split('/').any(|part| part == "pki") {
        return Some("under a pki directory (keys and certificates)");
    }
    if matches!(ext, "key" | "crt" | "cert" | "pem" | "der" | "csr" | "p12" | "pfx" | "jks") {
        return Some("a key or certificate file");
    }
    if name.contains("kubeconfig") {
        return Some("a kubeconfig file (credentials)");
    }
    // kubeadm names kubeconfig files *.conf, but also kube-proxy's own configuration
    // (config.conf): that one is read, and kept only if it is a KubeProxyConfiguration.
    if ext == "conf" && !kube_proxy {
        return Some("a *.conf file (kubeconfig files are named so)");
    }
    None
}

/// Whether a parsed file may be kept: never a kubeconfig (`kind: Config`), whatever its name.
fn keep(value: &Value, kube_proxy: bool) -> Result<(), String> {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kube_proxy && kind != "KubeProxyConfiguration" {
        return Err(format!("kind {kind:?} is not a KubeProxyConfiguration: not kept"));
    }
    if kind == "Config" {
        return Err("a kubeconfig (kind Config): not kept, it holds credentials".into());
    }
    Ok(())
}

/// Parses YAML or JSON (JSON is YAML) configuration, refusing nesting deeper than
/// [`MAX_DEPTH`]: first by a cheap look at flow brackets, so `[[[[...` a million deep costs a
/// scan and nothing more; then on the parsed value (block nesting).
fn parse_config(bytes: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if flow_depth(text) > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels: not parsed"));
    }
    // serde_yaml_ng limits its own recursion (128); catch_unwind is a last guard so that a bug
    // in the parser on a hostile file costs that file, not the whole collection.
    let parsed = std::panic::catch_unwind(|| serde_yaml_ng::from_str::<Value>(text)).map_err(|_| "the YAML parser failed on this file".to_string())?;
    let value = parsed.map_err(|e| format!("not YAML or JSON: {e}"))?;
    if depth(&value) > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels: not kept"));
    }
    Ok(value)
}

/// The deepest nesting of YAML flow collections (`[`, `{`) outside quotes and comments.
fn flow_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '[' | '{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                // A quote opens a scalar only where a scalar can start (not in `don't`).
                '"' | '\'' if prev.is_whitespace() || "[{,:-".contains(prev) => quote = Some(c),
                '#' if prev.is_whitespace() => {
                    chars.by_ref().find(|&c| c == '\n');
                    prev = '\n';
                    continue;
                }
                _ => {}
            },
        }
        prev = c;
    }
    max
}

/// Nesting depth of a parsed value (a scalar is 0). Bounded by the parser's own limit.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Reads a regular file under the root, at most `max` bytes. Anything else (FIFO, device,
/// socket, directory) is refused before it is opened: opening a FIFO would block forever.
fn read_regular(root: &Path, path: &str, max: u64) -> Result<Vec<u8>, String> {
    let file_path = host(root, &resolve(root, path, true)?);
    let meta = fs::symlink_metadata(&file_path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("not a regular file ({}): not opened", kind_detail(meta.file_type())));
    }
    if meta.len() > max {
        return Err(format!("{} bytes, more than the {max} read", meta.len()));
    }
    let file = fs::File::open(&file_path).map_err(|e| e.to_string())?;
    // Whatever was opened must be what was checked (the path may have changed in between).
    let opened = file.metadata().map_err(|e| e.to_string())?;
    if !opened.is_file() || opened.ino() != meta.ino() || opened.dev() != meta.dev() {
        return Err("changed while being read".into());
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("more than the {max} bytes read"));
    }
    Ok(bytes)
}

/// Resolves a node path the way the node's kernel would, but inside `root`: every symlink on
/// the way is followed relative to `root` (an absolute target starts again at `root`, `..`
/// stops at it). `follow_last`: `stat -L` rather than `stat`. A missing component is kept as
/// is: the caller's stat then says "missing".
fn resolve(root: &Path, path: &str, follow_last: bool) -> Result<String, String> {
    let mut todo: Vec<String> = parts(path).rev().map(String::from).collect();
    let mut done: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = todo.pop() {
        if part == ".." {
            done.pop();
            continue;
        }
        done.push(part);
        if todo.is_empty() && !follow_last {
            break;
        }
        let here = host(root, &join(&done));
        if !fs::symlink_metadata(&here).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        hops += 1;
        if hops > MAX_HOPS {
            return Err(format!("{path}: too many levels of symbolic links"));
        }
        let target = fs::read_link(&here).map_err(|e| format!("{}: {e}", join(&done)))?;
        let target = target.to_string_lossy();
        done.pop();
        if target.starts_with('/') {
            done.clear();
        }
        todo.extend(parts(&target).rev().map(String::from));
    }
    Ok(join(&done))
}

/// Path components, without empty ones and `.`.
fn parts(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|p| !p.is_empty() && *p != ".")
}

fn join(parts: &[String]) -> String {
    format!("/{}", parts.join("/"))
}

/// A node path as recorded: absolute, no `//`, no `.`, no trailing `/`.
fn clean(path: &str) -> String {
    let parts: Vec<String> = parts(path).map(String::from).collect();
    join(&parts)
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "",
        Some(i) => &path[..i],
    }
}

/// A path named inside a configuration file: relative ones are relative to that file.
fn relative_to(config_path: &str, file: &str) -> String {
    if file.starts_with('/') {
        clean(file)
    } else {
        clean(&format!("{}/{file}", parent(config_path)))
    }
}

/// Where a node path is for this process.
fn host(root: &Path, node_path: &str) -> PathBuf {
    root.join(node_path.trim_start_matches('/'))
}

/// Not there: missing, or a component on the way is not a directory.
fn is_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(20 /* ENOTDIR */)
}

fn kind_name(ft: fs::FileType) -> &'static str {
    if ft.is_symlink() {
        "symlink"
    } else if ft.is_dir() {
        "dir"
    } else if ft.is_file() {
        "file"
    } else {
        "other"
    }
}

fn kind_detail(ft: fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// `name:x:id:...` lines of /etc/passwd or /etc/group: the first name of each id, as
/// getpwuid would answer.
fn parse_names(text: &str) -> BTreeMap<u32, String> {
    let mut names = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split(':');
        let (Some(name), Some(_), Some(id)) = (fields.next(), fields.next(), fields.next()) else { continue };
        if let Ok(id) = id.trim().parse::<u32>() {
            names.entry(id).or_insert_with(|| name.to_string());
        }
    }
    names
}

/// Files sorted by path, one entry per path (the reasons it was looked at joined).
fn sorted_files(mut files: Vec<FileStat>) -> Vec<FileStat> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<FileStat> = Vec::with_capacity(files.len());
    for f in files {
        match out.last_mut() {
            Some(last) if last.path == f.path => {
                if !last.why.split("; ").any(|w| w == f.why) {
                    last.why = format!("{}; {}", last.why, f.why);
                }
            }
            _ => out.push(f),
        }
    }
    out
}

/// One process as /proc shows it.
struct Seen {
    pid: u32,
    /// `/proc/N/comm`: the executable's name, cut at 15 bytes by the kernel.
    comm: String,
    argv: Vec<String>,
}

impl Seen {
    /// Whether this is the executable `name`: by argv[0]'s base name (also in the `sshd: ...`
    /// form a process may rewrite its argv to), else by comm.
    fn is(&self, name: &str) -> bool {
        let argv0 = self.argv.first().map(String::as_str).unwrap_or("");
        let first_word = argv0.split_whitespace().next().unwrap_or("").trim_end_matches(':');
        if base(argv0) == name || base(first_word) == name {
            return true;
        }
        self.comm == name || (self.comm.len() == 15 && name.starts_with(&self.comm))
    }

    /// The component this process runs, if it is one the STIG reads.
    fn component(&self) -> Option<&'static str> {
        if self.is(HYPERKUBE) {
            let sub = base(self.argv.get(1)?);
            return WATCHED.iter().copied().find(|w| *w == sub);
        }
        WATCHED.iter().copied().find(|w| self.is(w))
    }
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Every process in `<root>/proc`. Processes that end while being read are skipped.
fn scan_proc(root: &Path) -> Result<Vec<Seen>, String> {
    let proc_dir = host(root, "/proc");
    let entries = fs::read_dir(&proc_dir).map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = read_regular(root, &format!("/proc/{pid}/cmdline"), MAX_CMDLINE) else { continue };
        let comm = read_regular(root, &format!("/proc/{pid}/comm"), 4096).map(|b| String::from_utf8_lossy(&b).trim_end().to_string()).unwrap_or_default();
        let argv: Vec<String> = cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let argv = match argv.iter().rposition(|a| !a.is_empty()) {
            Some(last) => argv[..=last].to_vec(),
            None => Vec::new(), // a kernel thread
        };
        seen.push(Seen { pid, comm, argv });
    }
    Ok(seen)
}

/// The STIG's components among the processes, argv redacted, sorted by (name, pid).
fn watched_processes(seen: &[Seen]) -> Vec<Process> {
    let mut out: Vec<Process> = seen.iter().filter_map(|s| Some(Process { name: s.component()?.to_string(), pid: s.pid, args: redact(&s.argv) })).collect();
    out.sort_by(|a, b| (&a.name, a.pid).cmp(&(&b.name, b.pid)));
    out
}

/// A flag's name and inline value: `--name=value`, `-name=value`, `--name`.
fn split_flag(arg: &str) -> Option<(&str, Option<&str>)> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    Some(match body.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    })
}

fn is_secret_flag(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "password", "secret"].iter().any(|w| name.contains(w))
}

/// argv with the values of secret-bearing flags replaced: `--token=x` and `--token x` (then
/// the next argument, unless it is itself a `--flag`: a secret never starts so).
fn redact(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for (i, arg) in argv.iter().enumerate() {
        if std::mem::take(&mut hide_next) && !arg.starts_with("--") {
            out.push(REDACTED.to_string());
            continue;
        }
        match split_flag(arg).filter(|_| i > 0) {
            Some((name, Some(_))) if is_secret_flag(name) => {
                let (flag, _) = arg.split_once('=').unwrap_or((arg, ""));
                out.push(format!("{flag}={REDACTED}"));
            }
            Some((name, None)) if is_secret_flag(name) => {
                hide_next = true;
                out.push(arg.clone());
            }
            _ => out.push(arg.clone()),
        }
    }
    out
}

/// A flag's value in argv (`--flag=X` or `--flag X`, the last one wins as in Go's flag
/// packages); None when absent or empty.
fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let mut found = None;
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        match split_flag(arg) {
            Some((name, Some(value))) if name == flag => found = Some(value.to_string()),
            Some((name, None)) if name == flag => found = rest.next().cloned(),
            _ => {}
        }
    }
    found.filter(|v| !v.is_empty())
}

/// A static pod manifest's command line: the kube-apiserver container's `command` + `args`
/// (the first container when none is recognisably the API server).
fn manifest_command(pod: &Value) -> Vec<String> {
    let containers = pod.pointer("/spec/containers").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let strings = |c: &Value, key: &str| -> Vec<String> { c.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default() };
    let is_apiserver = |c: &&Value| strings(c, "command").first().is_some_and(|a0| base(a0) == "kube-apiserver");
    let Some(container) = containers.iter().find(is_apiserver).or_else(|| containers.first()) else { return Vec::new() };
    let mut argv = strings(container, "command");
    argv.extend(strings(container, "args"));
    argv
}

/// Host paths the collector pod mounts read-only under /host: volume name, node path.
const HOST_MOUNTS: &[(&str, &str)] = &[
    ("etc-kubernetes", "/etc/kubernetes"),
    ("var-lib-kubelet", "/var/lib/kubelet"),
    ("var-lib-etcd", "/var/lib/etcd"),
    ("etc-systemd", "/etc/systemd"),
    ("usr-lib-systemd", "/usr/lib/systemd"),
    ("lib-systemd", "/lib/systemd"),
    ("etc-passwd", "/etc/passwd"),
    ("etc-group", "/etc/group"),
    ("proc", "/proc"),
];

/// The YAML of a DaemonSet that runs the collector on every node, read-only. `kubectl apply`
/// it into an existing namespace; the comment at its top says how to fetch the evidence.
pub fn manifest(namespace: &str, image: &str) -> String {
    // JSON strings are YAML double-quoted scalars: whatever the names hold, they stay values.
    let ns = serde_json::to_string(namespace).unwrap_or_default();
    let image = serde_json::to_string(image).unwrap_or_default();
    let volumes: String = HOST_MOUNTS.iter().map(|(name, path)| format!("        - name: {name}\n          hostPath:\n            path: {path}\n")).collect();
    let mounts: String = HOST_MOUNTS.iter().map(|(name, path)| format!("            - name: {name}\n              mountPath: /host{path}\n              readOnly: true\n")).collect();
    MANIFEST_TEMPLATE.replace("@NS@", &ns).replace("@IMAGE@", &image).replace("@VOLUMES@\n", &volumes).replace("@MOUNTS@\n", &mounts)
}

const MANIFEST_TEMPLATE: &str = r#"# oscal-stig node collector: on every node, reads (read-only) the files and processes the DISA
# Kubernetes STIG names and writes one evidence file, /out/<node>.json, in the pod.
#
# The namespace must allow hostPath volumes and root (Pod Security level "privileged"). The
# collector runs as root with only CAP_DAC_READ_SEARCH (to read root-only files), a read-only
# root filesystem, no service account token, and mounts the node's paths read-only. A container
# runtime creates a hostPath directory that is missing on a node (e.g. /var/lib/etcd on a
# worker) as an empty directory.
#
#   kubectl apply -f node-collector.yaml
#   kubectl -n @NS@ rollout status daemonset/oscal-stig-node-collector
#   mkdir -p node-evidence
#   kubectl -n @NS@ get pods -l app.kubernetes.io/name=oscal-stig-node-collector \
#     -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}' |
#   while read pod node; do
#     kubectl -n @NS@ cp -c hold "$pod:/out/$node.json" "node-evidence/$node.json"
#   done
#   oscal-stig assess ... --node-evidence node-evidence
#   kubectl delete -f node-collector.yaml
#
# kubectl cp runs tar in the "hold" container: the image needs tar and sleep.
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: oscal-stig-node-collector
  namespace: @NS@
  labels:
    app.kubernetes.io/name: oscal-stig-node-collector
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: oscal-stig-node-collector
  template:
    metadata:
      labels:
        app.kubernetes.io/name: oscal-stig-node-collector
    spec:
      # The node's /proc is mounted under /host/proc instead: no need to share its PID namespace.
      hostPID: false
      hostNetwork: false
      hostIPC: false
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: 5
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          operator: Exists
          effect: NoSchedule
        - key: node-role.kubernetes.io/master
          operator: Exists
          effect: NoSchedule
      securityContext:
        seccompProfile:
          type: RuntimeDefault
      initContainers:
        - name: collect
          image: @IMAGE@
          command: ["oscal-stig", "collect", "node", "--root", "/host", "--out", "/out/$(NODE_NAME).json"]
          env:
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          securityContext:
            runAsUser: 0
            runAsGroup: 0
            privileged: false
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
              add: ["DAC_READ_SEARCH"]
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
            limits:
              memory: 256Mi
          volumeMounts:
            - name: out
              mountPath: /out
@MOUNTS@
      containers:
        # Keeps the pod, and /out, there until the evidence is copied out.
        - name: hold
          image: @IMAGE@
          command: ["sleep", "infinity"]
          securityContext:
            runAsUser: 0
            runAsGroup: 0
            privileged: false
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests:
              cpu: 1m
              memory: 8Mi
            limits:
              memory: 32Mi
          volumeMounts:
            - name: out
              mountPath: /out
              readOnly: true
      volumes:
        - name: out
          emptyDir:
            sizeLimit: 64Mi
@VOLUMES@
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};
    use std::time::{Duration, Instant};

    fn write(root: &Path, path: &str, text: &str, mode: u32) {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn opts(root: &Path) -> Options {
        Options { root: root.to_path_buf(), node_name: "node-1".into(), collected: "2025-01-01T00:00:00Z".into() }
    }

    fn file<'a>(ev: &'a NodeEvidence, path: &str) -> &'a FileStat {
        ev.stat(path).unwrap_or_else(|| panic!("{path} not recorded: {:#?}", ev.files))
    }

    /// A node: control plane files, a kubelet and an sshd in /proc, ssh enabled. The current
    /// user is "root" in the fake /etc/passwd, so that name resolution is exercised whoever
    /// runs the tests.
    fn fake_node() -> (tempfile::TempDir, u32, u32) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "probe", "", 0o644);
        let me = fs::metadata(root.join("probe")).unwrap();
        let (uid, gid) = (me.uid(), me.gid());
        write(root, "etc/passwd", &format!("root:x:{uid}:{gid}:root:/root:/bin/bash\netcd:x:998:998::/var/lib/etcd:/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n"), 0o644);
        write(root, "etc/group", &format!("root:x:{gid}:\netcd:x:998:\nalice:x:1000:\n"), 0o644);
        let apiserver = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n    - --token-auth-file=/etc/kubernetes/tokens.csv\n";
        write(root, "etc/kubernetes/manifests/kube-apiserver.yaml", apiserver, 0o600);
        write(root, "etc/kubernetes/manifests/etcd.yaml", "apiVersion: v1\nkind: Pod\n", 0o644);
        write(root, "etc/kubernetes/admin.conf", "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: s3cret\n", 0o600);
        write(root, "etc/kubernetes/pki/ca.crt", "CERT", 0o644);
        write(root, "etc/kubernetes/pki/ca.key", "KEY s3cret", 0o600);
        write(root, "etc/kubernetes/pki/apiserver.key", "KEY s3cret", 0o640);
        symlink("ca.crt", root.join("etc/kubernetes/pki/current.pem")).unwrap();
        write(root, "etc/kubernetes/audit-policy.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n", 0o644);
        write(root, "var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\nclientCAFile: /etc/kubernetes/pki/ca.crt\n", 0o644);
        write(root, "var/lib/etcd/member/snap/db", "", 0o600);
        write(root, "proc/1234/cmdline", "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--kubeconfig=/etc/kubernetes/kubelet.conf\0--token=s3cret\0", 0o444);
        write(root, "proc/1234/comm", "kubelet\n", 0o444);
        write(root, "proc/99/cmdline", "/usr/sbin/sshd\0-D\0", 0o444);
        write(root, "proc/99/comm", "sshd\n", 0o444);
        write(root, "proc/7/cmdline", "", 0o444); // a kernel thread
        fs::create_dir_all(root.join("etc/systemd/system/multi-user.target.wants")).unwrap();
        symlink("/lib/systemd/system/ssh.service", root.join("etc/systemd/system/multi-user.target.wants/ssh.service")).unwrap();
        (dir, uid, gid)
    }

    #[test]
    fn collects_a_node() {
        let (dir, uid, gid) = fake_node();
        let ev = collect(&opts(dir.path()));
        assert_eq!(ev.kind, KIND);
        assert_eq!(ev.version, VERSION);
        assert_eq!(ev.node, "node-1");
        assert!(ev.tool.starts_with("oscal-stig "));

        assert_eq!(file(&ev, "/etc/kubernetes/manifests/kube-apiserver.yaml").mode.as_deref(), Some("600"));
        assert_eq!(file(&ev, "/etc/kubernetes/manifests/etcd.yaml").mode.as_deref(), Some("644"));
        assert_eq!(file(&ev, "/etc/kubernetes/manifests").kind, "dir");
        assert_eq!(file(&ev, "/etc/kubernetes/admin.conf").mode.as_deref(), Some("600"));
        assert_eq!(file(&ev, "/etc/kubernetes/pki/ca.crt").mode.as_deref(), Some("644"));
        assert_eq!(file(&ev, "/etc/kubernetes/pki/ca.key").mode.as_deref(), Some("600"));
        assert_eq!(file(&ev, "/etc/kubernetes/pki/apiserver.key").mode.as_deref(), Some("640"));
        assert_eq!(file(&ev, "/etc/kubernetes/kubelet.conf").kind, "missing");
        assert_eq!(file(&ev, "/etc/kubernetes/scheduler.conf").kind, "missing");
        assert_eq!(file(&ev, "/var/lib/etcd/member/snap/db").kind, "file");
        assert_eq!(file(&ev, "/etc/kubernetes/audit-policy.yaml").why, "kube-apiserver manifest --audit-policy-file");
        assert!(file(&ev, "/etc/kubernetes/pki/ca.crt").why.contains("kubelet config clientCAFile"));
        assert_eq!(file(&ev, "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf").kind, "missing");

        // A symlink, and what it points to.
        assert_eq!(file(&ev, "/etc/kubernetes/pki/current.pem").kind, "symlink");
        assert!(file(&ev, "/etc/kubernetes/pki/ca.crt").why.contains("target of /etc/kubernetes/pki/current.pem"));

        // Owners: the files are the current user's, "root" in the fake passwd.
        let admin = file(&ev, "/etc/kubernetes/admin.conf");
        assert_eq!((admin.uid, admin.gid), (Some(uid), Some(gid)));
        assert_eq!(admin.user.as_deref(), Some("root"));
        assert_eq!(admin.group.as_deref(), Some("root"));

        let paths: Vec<&str> = ev.files.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths, sorted, "files sorted by path, once each");
        assert!(paths.iter().all(|p| !p.starts_with(&dir.path().display().to_string())));

        let kubelet = ev.process("kubelet").expect("kubelet process");
        assert_eq!(kubelet.pid, 1234);
        assert!(kubelet.args.contains(&"--token=<redacted>".to_string()));
        assert_eq!(ev.processes.len(), 1, "{:?}", ev.processes);

        let kubelet_config = ev.contents["/var/lib/kubelet/config.yaml"].value.as_ref().expect("kubelet config parsed");
        assert_eq!(kubelet_config["readOnlyPort"], 0);
        let policy = ev.contents["/etc/kubernetes/audit-policy.yaml"].value.as_ref().expect("audit policy parsed");
        assert_eq!(policy["rules"][0]["level"], "RequestResponse");
        assert_eq!(ev.contents.len(), 2, "{:?}", ev.contents.keys());

        assert_eq!(ev.sshd.running, Some(true));
        assert_eq!(ev.sshd.enabled, Some(true));
        assert!(ev.sshd.how.contains("pid 99") && ev.sshd.how.contains("multi-user.target.wants/ssh.service"), "{}", ev.sshd.how);

        let json = serde_json::to_string(&ev).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
        assert!(ev.errors.is_empty(), "{:?}", ev.errors);
        // What the collector writes, `assess --node-evidence` reads.
        assert_eq!(NodeEvidence::parse("node-1.json", json.as_bytes()).unwrap(), ev);
    }

    #[test]
    fn a_fifo_is_refused_not_opened() {
        let (dir, _, _) = fake_node();
        let config = dir.path().join("var/lib/kubelet/config.yaml");
        fs::remove_file(&config).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&config).status().unwrap();
        assert!(made.success());
        let ev = collect(&opts(dir.path()));
        let content = &ev.contents["/var/lib/kubelet/config.yaml"];
        assert!(content.value.is_none());
        assert!(content.error.as_deref().unwrap().contains("FIFO"), "{content:?}");
        assert_eq!(file(&ev, "/var/lib/kubelet/config.yaml").kind, "other");
    }

    #[test]
    fn deep_yaml_is_refused_quickly() {
        let start = Instant::now();
        let deep = "[".repeat(10_000);
        assert!(parse_config(deep.as_bytes()).unwrap_err().contains("deeper than 64"));
        let block: String = (0..100).map(|i| format!("{}a{i}:\n", "  ".repeat(i))).collect();
        assert!(parse_config(format!("{block}{}x: 1\n", "  ".repeat(100)).as_bytes()).is_err());

        let (dir, _, _) = fake_node();
        write(dir.path(), "var/lib/kubelet/config.yaml", &deep, 0o644);
        let ev = collect(&opts(dir.path()));
        let error = ev.contents["/var/lib/kubelet/config.yaml"].error.as_deref().unwrap();
        assert!(error.contains("deeper than 64"), "{error}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_root_gives_errors_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let ev = collect(&opts(&dir.path().join("nowhere")));
        assert!(!ev.errors.is_empty());
        assert!(ev.files.iter().all(|f| f.kind == "missing"), "{:?}", ev.files);
        assert!(ev.stat("/etc/kubernetes/admin.conf").is_some());
        assert!(ev.processes.is_empty() && ev.contents.is_empty());
        assert_eq!((ev.sshd.running, ev.sshd.enabled), (None, None));
    }

    #[test]
    fn kube_proxy_kubeconfig_from_its_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "proc/50/cmdline", "/usr/local/bin/kube-proxy\0--config\0/var/lib/kube-proxy/config.conf\0--hostname-override=n1\0", 0o444);
        write(root, "var/lib/kube-proxy/config.conf", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n", 0o644);
        write(root, "var/lib/kube-proxy/kubeconfig.conf", "kind: Config\n", 0o644);
        let ev = collect(&opts(root));
        assert_eq!(file(&ev, "/var/lib/kube-proxy/kubeconfig.conf").why, "kube-proxy config clientConnection.kubeconfig");
        assert!(ev.contents["/var/lib/kube-proxy/config.conf"].value.is_some());
        assert!(!ev.contents.contains_key("/var/lib/kube-proxy/kubeconfig.conf"));

        // A --config that is not a KubeProxyConfiguration is read to look, never kept.
        write(root, "var/lib/kube-proxy/config.conf", "apiVersion: v1\nkind: Config\nusers: []\n", 0o644);
        let ev = collect(&opts(root));
        assert!(ev.contents["/var/lib/kube-proxy/config.conf"].value.is_none());
    }

    #[test]
    fn secret_paths_are_never_opened() {
        assert!(secret_reason("/etc/kubernetes/pki/ca.crt", false).is_some());
        assert!(secret_reason("/etc/kubernetes/admin.conf", false).is_some());
        assert!(secret_reason("/var/lib/kube-proxy/kubeconfig.conf", true).is_some());
        assert!(secret_reason("/srv/tls.key", false).is_some());
        assert!(secret_reason("/var/lib/kube-proxy/config.conf", true).is_none());
        assert!(secret_reason("/var/lib/kubelet/config.yaml", false).is_none());
    }

    #[test]
    fn redacts_secret_flags() {
        let argv: Vec<String> = ["kube-apiserver", "--token-auth-file=/x", "--password", "pw", "--client-secret", "--v=2", "--secure-port=6443", "-etcd-password=p"].map(String::from).to_vec();
        let out = redact(&argv);
        assert_eq!(out, ["kube-apiserver", "--token-auth-file=<redacted>", "--password", "<redacted>", "--client-secret", "--v=2", "--secure-port=6443", "-etcd-password=<redacted>"]);
        assert_eq!(flag_value(&argv, "secure-port").as_deref(), Some("6443"));
        assert_eq!(flag_value(&argv, "password").as_deref(), Some("pw"));
        assert_eq!(flag_value(&argv, "config"), None);
    }

    #[test]
    fn recognises_components() {
        let seen = |argv: &[&str], comm: &str| Seen { pid: 1, comm: comm.into(), argv: argv.iter().map(|s| s.to_string()).collect() };
        assert_eq!(seen(&["/hyperkube", "kube-apiserver", "--v=2"], "hyperkube").component(), Some("kube-apiserver"));
        assert_eq!(seen(&["kube-controller-manager"], "kube-controller").component(), Some("kube-controller-manager"));
        assert_eq!(seen(&["/proc/self/exe"], "kube-controller").component(), Some("kube-controller-manager"));
        assert_eq!(seen(&["/usr/bin/etcdctl", "get"], "etcdctl").component(), None);
        assert!(seen(&["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"], "sshd").is("sshd"));
        assert!(seen(&["sshd: alice [priv]"], "").is("sshd"));
    }

    #[test]
    fn symlinks_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "real/kubernetes/admin.conf", "", 0o600);
        fs::create_dir_all(root.join("etc")).unwrap();
        // An absolute link: on the node it means <root>/real/kubernetes, never the collector's own /real.
        symlink("/real/kubernetes", root.join("etc/kubernetes")).unwrap();
        symlink("../../../../../../../etc/passwd", root.join("escape")).unwrap();
        assert_eq!(resolve(root, "/etc/kubernetes/admin.conf", false).unwrap(), "/real/kubernetes/admin.conf");
        assert_eq!(resolve(root, "/escape", true).unwrap(), "/etc/passwd");
        symlink("loop", root.join("loop")).unwrap();
        assert!(resolve(root, "/loop", true).is_err());
        let ev = collect(&opts(root));
        assert_eq!(file(&ev, "/etc/kubernetes/admin.conf").mode.as_deref(), Some("600"));
        assert!(ev.stat("/real/kubernetes/admin.conf").is_none(), "recorded under the node's name for it");
    }

    #[test]
    fn names_from_passwd() {
        let names = parse_names("# comment\nroot:x:0:0:root:/root:/bin/bash\netcd:x:998:998::/:/sbin/nologin\ntoor:x:0:0::/:/bin/sh\nbroken\n");
        assert_eq!(names.get(&0).map(String::as_str), Some("root"));
        assert_eq!(names.get(&998).map(String::as_str), Some("etcd"));
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn manifest_is_a_read_only_daemonset() {
        let text = manifest("oscal-stig", "oscal-stig:0.1.0");
        let ds: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(ds["kind"], "DaemonSet");
        assert_eq!(ds["metadata"]["namespace"], "oscal-stig");
        let spec = &ds["spec"]["template"]["spec"];
        assert_eq!(spec["hostPID"], false);
        let host_volumes: Vec<&str> = spec["volumes"].as_array().unwrap().iter().filter(|v| v.get("hostPath").is_some()).map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(host_volumes.len(), HOST_MOUNTS.len());
        let containers: Vec<&Value> = ["initContainers", "containers"].iter().flat_map(|k| spec[*k].as_array().unwrap()).collect();
        for name in &host_volumes {
            let mounts: Vec<&Value> = containers.iter().flat_map(|c| c["volumeMounts"].as_array().unwrap()).filter(|m| m["name"] == *name).collect();
            assert!(!mounts.is_empty(), "{name} not mounted");
            assert!(mounts.iter().all(|m| m["readOnly"] == true), "{name} mounted writable");
        }
        for c in &containers {
            let sc = &c["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"], true);
            assert_eq!(sc["allowPrivilegeEscalation"], false);
            assert_eq!(sc["privileged"], false);
            assert_eq!(sc["capabilities"]["drop"][0], "ALL");
        }
        let collector = &spec["initContainers"][0];
        assert_eq!(collector["image"], "oscal-stig:0.1.0");
        assert_eq!(collector["securityContext"]["capabilities"]["add"], serde_json::json!(["DAC_READ_SEARCH"]));
        assert!(text.contains("kubectl -n \"oscal-stig\" cp"));
        // A hostile name stays a value.
        let odd: Value = serde_yaml_ng::from_str(&manifest("x\nkind: Pod", "i")).unwrap();
        assert_eq!(odd["kind"], "DaemonSet");
    }
}
