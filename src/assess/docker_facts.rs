//! Facts from a Docker evidence snapshot: the engine, its containers (inspected), their
//! processes, images, networks, secrets and nodes, with a reason for whatever is missing.
//!
//! Containers are typed down to the fields rules read, streaming the snapshot, so 50,000
//! containers cost their facts, not their JSON.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use crate::evidence::Snapshot;
use crate::probe::docker::{INSPECT_FILE, SOURCE, TOP_FILE};

/// Evidence a rule needs, or why it is missing.
pub type Got<T> = Result<T, String>;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Info {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "ID")]
    pub id: String,
    #[serde(default)]
    pub operating_system: String,
    /// Absent in MKE's aggregated /info (per-node data lives in SystemStatus there).
    #[serde(default)]
    pub security_options: Option<Vec<String>>,
    #[serde(default)]
    pub driver: String,
    #[serde(default)]
    pub logging_driver: String,
    #[serde(default)]
    pub server_version: String,
    #[serde(default)]
    pub swarm: Option<SwarmInfo>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwarmInfo {
    #[serde(default)]
    pub local_node_state: String,
}

impl Info {
    /// `name=fips` style entries; `name=seccomp,profile=default` -> `seccomp`.
    pub fn security_option_names(&self) -> Vec<String> {
        self.security_options
            .iter()
            .flatten()
            .filter_map(|o| o.split(',').find_map(|kv| kv.strip_prefix("name=")).or(Some(o.as_str())).map(str::to_string))
            .collect()
    }
}

/// MKE's own containers (S), Kubernetes pod containers (K), everything else (U).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    System,
    Kubernetes,
    User,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct InspectRaw {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    app_armor_profile: String,
    #[serde(default)]
    state: Option<StateRaw>,
    #[serde(default)]
    config: Option<ConfigRaw>,
    #[serde(default)]
    host_config: Option<HostConfigRaw>,
    #[serde(default)]
    network_settings: Option<NetworkSettingsRaw>,
    #[serde(default)]
    mounts: Option<Vec<MountRaw>>,
    #[serde(default)]
    node: Option<NodeRaw>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct StateRaw {
    #[serde(default)]
    running: bool,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ConfigRaw {
    #[serde(default)]
    image: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct HostConfigRaw {
    #[serde(default)]
    network_mode: String,
    #[serde(default)]
    pid_mode: String,
    #[serde(default)]
    ipc_mode: String,
    #[serde(default)]
    userns_mode: String,
    #[serde(default)]
    privileged: bool,
    #[serde(default)]
    readonly_rootfs: bool,
    #[serde(default)]
    cap_add: Option<Vec<String>>,
    #[serde(default)]
    security_opt: Option<Vec<String>>,
    #[serde(default)]
    memory: i64,
    #[serde(default)]
    cpu_shares: i64,
    #[serde(default)]
    binds: Option<Vec<String>>,
    #[serde(default)]
    port_bindings: Option<BTreeMap<String, Option<Vec<BindingRaw>>>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct NetworkSettingsRaw {
    #[serde(default)]
    ports: Option<BTreeMap<String, Option<Vec<BindingRaw>>>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct BindingRaw {
    #[serde(default)]
    host_ip: String,
    #[serde(default)]
    host_port: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct MountRaw {
    #[serde(default)]
    source: String,
    #[serde(default)]
    destination: String,
}

/// Swarm classic / MKE proxy adds the node to inspect answers.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct NodeRaw {
    #[serde(default)]
    name: String,
}

/// A published port: container port/protocol bound to a host address and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortBinding {
    pub container_port: u16,
    pub protocol: String,
    pub host_ip: String,
    pub host_port: u16,
    /// From `NetworkSettings.Ports` (live) or only `HostConfig.PortBindings` (declared).
    pub live: bool,
}

impl PortBinding {
    pub fn describe(&self) -> String {
        let ip = if self.host_ip.is_empty() { "0.0.0.0" } else { &self.host_ip };
        format!("{ip}:{}->{}/{}", self.host_port, self.container_port, self.protocol)
    }
}

#[derive(Debug, Clone)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub node: String,
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub running: bool,
    pub class: Class,
    pub network_mode: String,
    pub pid_mode: String,
    pub ipc_mode: String,
    pub userns_mode: String,
    pub privileged: bool,
    pub readonly_rootfs: bool,
    pub cap_add: Vec<String>,
    pub security_opt: Vec<String>,
    pub memory: i64,
    pub cpu_shares: i64,
    pub apparmor_profile: String,
    /// Mount sources and destinations, and bind specs.
    pub mounts: Vec<String>,
    pub ports: Vec<PortBinding>,
}

impl Container {
    fn from_raw(raw: InspectRaw, node_hint: &str) -> Container {
        let cfg = raw.config.unwrap_or_default();
        let hc = raw.host_config.unwrap_or_default();
        let labels = cfg.labels.unwrap_or_default();
        // Through the MKE proxy names are "/<node>/<name>".
        let trimmed = raw.name.trim_start_matches('/');
        let (node, name) = match (raw.node, trimmed.split_once('/')) {
            (Some(n), _) if !n.name.is_empty() => (n.name, trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()),
            (_, Some((n, rest))) => (n.to_string(), rest.to_string()),
            _ => (node_hint.to_string(), trimmed.to_string()),
        };
        let class = if labels.contains_key("com.docker.ucp.version")
            || labels.contains_key("com.docker.dtr.version")
            || ["ucp-", "dtr-", "msr-"].iter().any(|p| name.starts_with(p))
        {
            Class::System
        } else if labels.contains_key("io.kubernetes.pod.namespace") {
            Class::Kubernetes
        } else {
            Class::User
        };
        let mut ports = Vec::new();
        let mut add = |map: Option<BTreeMap<String, Option<Vec<BindingRaw>>>>, live: bool| {
            for (key, bindings) in map.unwrap_or_default() {
                let (port, proto) = key.split_once('/').unwrap_or((&key, "tcp"));
                let Ok(container_port) = port.parse::<u16>() else { continue };
                for b in bindings.unwrap_or_default() {
                    let Ok(host_port) = b.host_port.parse::<u16>() else { continue };
                    let pb = PortBinding { container_port, protocol: proto.to_string(), host_ip: b.host_ip, host_port, live };
                    if !ports.iter().any(|p: &PortBinding| p.container_port == pb.container_port && p.protocol == pb.protocol && p.host_ip == pb.host_ip && p.host_port == pb.host_port) {
                        ports.push(pb);
                    }
                }
            }
        };
        add(raw.network_settings.and_then(|n| n.ports), true);
        add(hc.port_bindings, false);
        ports.sort();
        let mut mounts: Vec<String> = raw.mounts.unwrap_or_default().into_iter().flat_map(|m| [m.source, m.destination]).filter(|s| !s.is_empty()).collect();
        mounts.extend(hc.binds.unwrap_or_default());
        Container {
            id: raw.id,
            name,
            node,
            image: cfg.image,
            labels,
            running: raw.state.is_some_and(|s| s.running),
            class,
            network_mode: hc.network_mode,
            pid_mode: hc.pid_mode,
            ipc_mode: hc.ipc_mode,
            userns_mode: hc.userns_mode,
            privileged: hc.privileged,
            readonly_rootfs: hc.readonly_rootfs,
            cap_add: hc.cap_add.unwrap_or_default(),
            security_opt: hc.security_opt.unwrap_or_default(),
            memory: hc.memory,
            cpu_shares: hc.cpu_shares,
            apparmor_profile: raw.app_armor_profile,
            mounts,
            ports,
        }
    }

    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    pub pid: String,
    pub command: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Image {
    #[serde(default, rename = "Id")]
    pub id: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Network {
    #[serde(default, rename = "Id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub driver: String,
    #[serde(default)]
    pub options: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct NamedItem {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: String,
    pub labels: BTreeMap<String, String>,
}

/// Everything the engine-decidable rules read.
/// One node's engine, read through MKE's per-node proxy.
pub struct NodeEngine {
    pub name: String,
    pub role: String,
    pub info: Got<Info>,
}

pub struct DockerFacts {
    pub target: String,
    pub info: Got<Info>,
    /// Per-node engine answers (empty when only one engine, or the aggregate, was read).
    pub node_engines: Vec<NodeEngine>,
    /// Inspected containers, sorted by (node, name, id).
    pub containers: Got<Vec<Container>>,
    /// Containers listed but not inspectable, with the reason (404 = removed meanwhile).
    pub uninspected: Vec<(String, String, bool)>,
    /// `top` answers of running containers by id, or why there is none.
    pub processes: HashMap<String, Got<Vec<Process>>>,
    pub images: Got<Vec<Image>>,
    pub networks: Got<Vec<Network>>,
    pub secrets: Got<Vec<NamedItem>>,
    pub nodes: Got<Vec<Node>>,
}

fn typed<T: for<'de> Deserialize<'de>>(snap: &Snapshot, endpoint: &str) -> Got<T> {
    let v = snap.body(SOURCE, endpoint)?;
    serde_json::from_value(v).map_err(|e| format!("{endpoint}: unexpected shape: {e}"))
}

fn top_processes(body: &Value) -> Vec<Process> {
    let titles: Vec<&str> = body.get("Titles").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let col = |names: &[&str]| titles.iter().position(|t| names.contains(t));
    let (pid_col, cmd_col) = (col(&["PID"]).unwrap_or(0), col(&["COMMAND", "CMD", "COMM"]).unwrap_or(titles.len().saturating_sub(1)));
    body.get("Processes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .map(|row| {
            let cell = |i: usize| row.get(i).and_then(Value::as_str).unwrap_or("").to_string();
            Process { pid: cell(pid_col), command: cell(cmd_col) }
        })
        .collect()
}

impl DockerFacts {
    pub fn load(snap: &Snapshot) -> DockerFacts {
        let info: Got<Info> = typed(snap, "GET /info");
        let node_hint = info.as_ref().map(|i| i.name.clone()).unwrap_or_default();

        let list = snap.body(SOURCE, "GET /containers/json?all=1");
        let mut containers = Vec::new();
        let mut uninspected = Vec::new();
        let mut processes = HashMap::new();
        let containers: Got<Vec<Container>> = match list {
            Err(e) => Err(e),
            Ok(list) => {
                let mut inspected: HashMap<String, Container> = HashMap::new();
                let streamed = snap.each_line(INSPECT_FILE, |key, body| {
                    if let Ok(raw) = serde_json::from_value::<InspectRaw>(body) {
                        inspected.insert(key.to_string(), Container::from_raw(raw, &node_hint));
                    }
                });
                let tops = snap.each_line(TOP_FILE, |key, body| {
                    processes.insert(key.to_string(), Ok(top_processes(&body)));
                });
                match streamed.and(tops) {
                    Err(e) => Err(e.to_string()),
                    Ok(()) => {
                        for entry in list.as_array().into_iter().flatten() {
                            let id = entry.get("Id").and_then(Value::as_str).unwrap_or_default().to_string();
                            let name = entry.get("Names").and_then(Value::as_array).and_then(|n| n.first()).and_then(Value::as_str).unwrap_or(&id).trim_start_matches('/').to_string();
                            let running = entry.get("State").and_then(Value::as_str) == Some("running");
                            match inspected.remove(&id) {
                                Some(c) => {
                                    if running && !processes.contains_key(&id) {
                                        let why = snap.record(SOURCE, &format!("GET /containers/{id}/top?{}", crate::probe::docker::TOP_ARGS))
                                            .and_then(|r| r.error.clone())
                                            .unwrap_or_else(|| "not collected".into());
                                        processes.insert(id.clone(), Err(why));
                                    }
                                    containers.push(c);
                                }
                                None => {
                                    let rec = snap.record(SOURCE, &format!("GET /containers/{id}/json"));
                                    let why = rec.and_then(|r| r.error.clone()).unwrap_or_else(|| "not collected".into());
                                    let gone = rec.and_then(|r| r.status) == Some(404);
                                    uninspected.push((name, why, gone));
                                }
                            }
                        }
                        containers.sort_by(|a, b| (&a.node, &a.name, &a.id).cmp(&(&b.node, &b.name, &b.id)));
                        Ok(containers)
                    }
                }
            }
        };
        uninspected.sort();

        let secrets = snap.body(SOURCE, "GET /secrets").map(|v| {
            v.as_array()
                .into_iter()
                .flatten()
                .map(|s| NamedItem {
                    id: s.get("ID").and_then(Value::as_str).unwrap_or_default().to_string(),
                    name: s.pointer("/Spec/Name").and_then(Value::as_str).unwrap_or_default().to_string(),
                })
                .collect()
        });
        let nodes = snap.body(SOURCE, "GET /nodes").map(|v| {
            v.as_array()
                .into_iter()
                .flatten()
                .map(|n| Node {
                    id: n.get("ID").and_then(Value::as_str).unwrap_or_default().to_string(),
                    hostname: n.pointer("/Description/Hostname").and_then(Value::as_str).unwrap_or_default().to_string(),
                    role: n.pointer("/Spec/Role").and_then(Value::as_str).unwrap_or_default().to_string(),
                    labels: n.pointer("/Spec/Labels").and_then(|l| serde_json::from_value(l.clone()).ok()).unwrap_or_default(),
                })
                .collect()
        });
        let mut node_engines = Vec::new();
        let _ = snap.each_line(crate::probe::docker::NODE_INFO_FILE, |name, v| {
            node_engines.push(NodeEngine {
                name: name.to_string(),
                role: v.get("role").and_then(Value::as_str).unwrap_or("").to_string(),
                info: serde_json::from_value(v.get("info").cloned().unwrap_or(Value::Null)).map_err(|e| format!("node {name} /info: unexpected shape: {e}")),
            });
        });
        for r in snap.records.iter().filter(|r| r.source == SOURCE && r.endpoint.starts_with("GET /info (node ")) {
            if let Some(e) = &r.error {
                let name = r.endpoint.trim_start_matches("GET /info (node ").split(' ').next().unwrap_or("?").to_string();
                node_engines.push(NodeEngine { name, role: String::new(), info: Err(format!("{}: {e}", r.endpoint)) });
            }
        }
        node_engines.sort_by(|a, b| a.name.cmp(&b.name));
        DockerFacts {
            target: snap.manifest.target.clone(),
            node_engines,
            info,
            containers,
            uninspected,
            processes,
            images: typed(snap, "GET /images/json"),
            networks: typed(snap, "GET /networks"),
            secrets,
            nodes,
        }
    }
}
