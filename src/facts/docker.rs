//! Facts from a Docker evidence snapshot: the engine, each node's engine, the containers
//! (inspected), their processes, images, networks, secrets and nodes, each with exactly what
//! is missing when it is.
//!
//! Containers are typed down to the fields rules read, streaming the snapshot, so 50,000
//! containers cost their facts, not their JSON.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use super::Got;
use crate::evidence::keys::Key;
use crate::evidence::Snapshot;
use crate::probe::docker::{SOURCE, TOP_ARGS};

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
    path: String,
    #[serde(default)]
    args: Option<Vec<String>>,
    // Required: an answer without them is of unexpected shape, never a container with
    // every setting at its default (which would pass most rules).
    state: StateRaw,
    config: ConfigRaw,
    host_config: HostConfigRaw,
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

#[derive(Debug, Clone, Default)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub node: String,
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub running: bool,
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
    /// The process the container runs: `Path` then `Args` (a Kubernetes component's flags on
    /// MKE, where the control plane runs as `ucp-kube-*` containers).
    pub argv: Vec<String>,
}

impl Container {
    fn from_raw(raw: InspectRaw, node_hint: &str) -> Container {
        let (cfg, hc) = (raw.config, raw.host_config);
        let labels = cfg.labels.unwrap_or_default();
        // Through the MKE proxy names are "/<node>/<name>".
        let trimmed = raw.name.trim_start_matches('/');
        let (node, name) = match (raw.node, trimmed.split_once('/')) {
            (Some(n), _) if !n.name.is_empty() => (n.name, trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()),
            (_, Some((n, rest))) => (n.to_string(), rest.to_string()),
            _ => (node_hint.to_string(), trimmed.to_string()),
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
            name: name.clone(),
            node,
            image: cfg.image,
            labels,
            running: raw.state.running,
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
            // Kept only for MKE's own containers (its Kubernetes components): 50,000 user
            // containers' command lines would be memory no rule reads.
            argv: match name.starts_with("ucp-") {
                true => std::iter::once(raw.path).filter(|p| !p.is_empty()).chain(raw.args.unwrap_or_default()).collect(),
                false => Vec::new(),
            },
        }
    }

    pub fn short_id(&self) -> &str {
        crate::assess::prefix(&self.id, 12)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
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

/// A Swarm node, from `/nodes`.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: String,
    pub labels: BTreeMap<String, String>,
}

/// One node's engine, read through MKE's per-node proxy.
pub struct NodeEngine {
    pub name: String,
    pub role: String,
    pub info: Got<Info>,
}

/// A listed container that could not be inspected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uninspected {
    pub name: String,
    pub why: String,
    /// 404: removed between list and inspect, so not part of the population any more.
    pub gone: bool,
}

/// The engine side of the evidence, one field per evidence key.
pub struct DockerFacts {
    /// [`Key::DockerInfo`]: the engine answering (through MKE: the cluster aggregate).
    pub info: Got<Info>,
    /// [`Key::NodeEngines`]: per-node engine answers, sorted by node name.
    pub node_engines: Got<Vec<NodeEngine>>,
    /// [`Key::DockerContainers`] and [`Key::DockerInspect`]: inspected containers, sorted by
    /// (node, name, id).
    pub containers: Got<Vec<Container>>,
    /// Listed containers whose inspect answer is missing.
    pub uninspected: Vec<Uninspected>,
    /// [`Key::DockerTop`]: process lists of running containers by id, or why there is none.
    pub processes: Got<HashMap<String, Got<Vec<Process>>>>,
    pub images: Got<Vec<Image>>,
    pub networks: Got<Vec<Network>>,
    pub secrets: Got<Vec<NamedItem>>,
    /// [`Key::DockerNodes`]: `Ok(None)` when the engine is not in a Swarm (so the engine itself
    /// is the only node).
    pub nodes: Got<Option<Vec<Node>>>,
}

fn typed<T: for<'de> Deserialize<'de>>(snap: &Snapshot, key: Key) -> Got<T> {
    let v = snap.body(SOURCE, key.endpoint())?;
    serde_json::from_value(v).map_err(|e| format!("{}: unexpected shape: {e}", key.endpoint()))
}

/// A `top` answer's processes; an answer without a command column or a process table is of
/// unexpected shape (an empty list would clear the container).
fn top_processes(body: &Value) -> Got<Vec<Process>> {
    let titles: Vec<&str> = body.get("Titles").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let col = |names: &[&str]| titles.iter().position(|t| names.contains(t));
    let cmd_col = col(&["COMMAND", "CMD", "COMM"]).ok_or_else(|| format!("its process list has no command column (Titles: {titles:?})"))?;
    let pid_col = col(&["PID"]).unwrap_or(0);
    let rows = body.get("Processes").and_then(Value::as_array).ok_or("its process list has no Processes table")?;
    Ok(rows
        .iter()
        .filter_map(Value::as_array)
        .map(|row| {
            let cell = |i: usize| row.get(i).and_then(Value::as_str).unwrap_or("").to_string();
            Process { pid: cell(pid_col), command: cell(cmd_col) }
        })
        .collect())
}

fn array<'a>(v: &'a Value, endpoint: &str) -> Got<&'a Vec<Value>> {
    v.as_array().ok_or_else(|| format!("{endpoint}: unexpected shape: not a list"))
}

impl DockerFacts {
    /// Nothing collected: every field says so.
    pub fn none() -> DockerFacts {
        DockerFacts {
            info: Err(Key::DockerInfo.not_collected()),
            node_engines: Err(Key::NodeEngines.not_collected()),
            containers: Err(Key::DockerContainers.not_collected()),
            uninspected: vec![],
            processes: Err(Key::DockerTop.not_collected()),
            images: Err(Key::DockerImages.not_collected()),
            networks: Err(Key::DockerNetworks.not_collected()),
            secrets: Err(Key::DockerSecrets.not_collected()),
            nodes: Err(Key::DockerNodes.not_collected()),
        }
    }

    /// Forgets one key's evidence (the drop-each-evidence test).
    pub fn drop_key(&mut self, key: Key) {
        let why = key.not_collected();
        match key {
            Key::DockerInfo => self.info = Err(why),
            Key::NodeEngines => self.node_engines = Err(why),
            Key::DockerContainers | Key::DockerInspect => self.containers = Err(why),
            Key::DockerTop => self.processes = Err(why),
            Key::DockerImages => self.images = Err(why),
            Key::DockerNetworks => self.networks = Err(why),
            Key::DockerSecrets => self.secrets = Err(why),
            Key::DockerNodes => self.nodes = Err(why),
            _ => {}
        }
    }

    pub fn load(snap: &Snapshot) -> DockerFacts {
        let info: Got<Info> = typed(snap, Key::DockerInfo);
        let node_hint = info.as_ref().map(|i| i.name.clone()).unwrap_or_default();

        let mut uninspected = Vec::new();
        let mut processes = HashMap::new();
        let containers: Got<Vec<Container>> = snap.body(SOURCE, Key::DockerContainers.endpoint()).and_then(|list| {
            let list = array(&list, Key::DockerContainers.endpoint())?;
            let mut inspected: HashMap<String, Container> = HashMap::new();
            let mut odd: HashMap<String, String> = HashMap::new();
            snap.each_typed(Key::DockerInspect.file().expect("stored"), |key, body: Result<InspectRaw, String>| match body {
                Ok(raw) => {
                    inspected.insert(key.to_string(), Container::from_raw(raw, &node_hint));
                }
                Err(e) => {
                    odd.insert(key.to_string(), format!("its inspect answer is of unexpected shape: {e}"));
                }
            })
            .map_err(|e| e.to_string())?;
            let tops = snap.each_line(Key::DockerTop.file().expect("stored"), |key, body| {
                processes.insert(key.to_string(), top_processes(&body));
            });
            if let Err(e) = tops {
                processes.clear();
                processes.insert(String::new(), Err(e.to_string()));
            }
            let mut containers = Vec::new();
            for entry in list {
                let Some(id) = entry.get("Id").and_then(Value::as_str) else {
                    return Err(format!("{}: an entry without Id", Key::DockerContainers.endpoint()));
                };
                let name = entry.get("Names").and_then(Value::as_array).and_then(|n| n.first()).and_then(Value::as_str).unwrap_or(id).trim_start_matches('/').to_string();
                let running = entry.get("State").and_then(Value::as_str) == Some("running");
                match inspected.remove(id) {
                    Some(mut c) => {
                        // Running by either answer: a running container is judged as one.
                        c.running |= running;
                        if running && !processes.contains_key(id) {
                            let why = snap.record(SOURCE, &format!("GET /containers/{id}/top?{TOP_ARGS}")).and_then(|r| r.error.clone()).unwrap_or_else(|| "not collected".into());
                            processes.insert(id.to_string(), Err(why));
                        }
                        containers.push(c);
                    }
                    None => {
                        let rec = snap.record(SOURCE, &format!("GET /containers/{id}/json"));
                        let why = rec.and_then(|r| r.error.clone()).or_else(|| odd.remove(id)).unwrap_or_else(|| "not collected".into());
                        let gone = rec.and_then(|r| r.status) == Some(404);
                        uninspected.push(Uninspected { name, why, gone });
                    }
                }
            }
            containers.sort_by(|a, b| (&a.node, &a.name, &a.id).cmp(&(&b.node, &b.name, &b.id)));
            Ok(containers)
        });
        uninspected.sort();
        let processes = match processes.remove("") {
            Some(Err(e)) => Err(e),
            _ => Ok(processes),
        };

        let secrets = snap.body(SOURCE, Key::DockerSecrets.endpoint()).and_then(|v| {
            Ok(array(&v, Key::DockerSecrets.endpoint())?
                .iter()
                .map(|s| NamedItem {
                    id: s.get("ID").and_then(Value::as_str).unwrap_or_default().to_string(),
                    name: s.pointer("/Spec/Name").and_then(Value::as_str).unwrap_or_default().to_string(),
                })
                .collect())
        });
        let nodes = match snap.body(SOURCE, Key::DockerNodes.endpoint()) {
            Ok(v) => array(&v, Key::DockerNodes.endpoint()).and_then(|a| {
                let node = |n: &Value| -> Got<Node> {
                    let labels = n.pointer("/Spec/Labels").cloned().map(serde_json::from_value).transpose();
                    Ok(Node {
                        id: n.get("ID").and_then(Value::as_str).unwrap_or_default().to_string(),
                        hostname: n.pointer("/Description/Hostname").and_then(Value::as_str).unwrap_or_default().to_string(),
                        role: n.pointer("/Spec/Role").and_then(Value::as_str).unwrap_or_default().to_string(),
                        // Labels carry the orchestrators: unreadable ones are not "no labels".
                        labels: labels.map_err(|e| format!("{}: node labels of unexpected shape: {e}", Key::DockerNodes.endpoint()))?.unwrap_or_default(),
                    })
                };
                let mut nodes = a.iter().map(node).collect::<Got<Vec<Node>>>()?;
                nodes.sort_by(|a, b| a.hostname.cmp(&b.hostname));
                Ok(Some(nodes))
            }),
            // An engine outside any Swarm answers /nodes with 503; its /info says so too.
            Err(e) if info.as_ref().is_ok_and(|i| i.swarm.as_ref().is_some_and(|s| s.local_node_state == "inactive")) && e.contains("503") => Ok(None),
            Err(e) => Err(e),
        };
        let node_engines = if snap.records.iter().any(|r| r.source == SOURCE && r.endpoint.starts_with("GET /info (node ")) {
            let mut engines = Vec::new();
            let streamed = snap.each_line(Key::NodeEngines.file().expect("stored"), |name, v| {
                engines.push(NodeEngine {
                    name: name.to_string(),
                    role: v.get("role").and_then(Value::as_str).unwrap_or("").to_string(),
                    info: serde_json::from_value(v.get("info").cloned().unwrap_or(Value::Null)).map_err(|e| format!("node {name} /info: unexpected shape: {e}")),
                });
            });
            for r in snap.records.iter().filter(|r| r.source == SOURCE && r.endpoint.starts_with("GET /info (node ")) {
                if let Some(e) = &r.error {
                    let name = r.endpoint.trim_start_matches("GET /info (node ").split(' ').next().unwrap_or("?").to_string();
                    engines.push(NodeEngine { name, role: String::new(), info: Err(format!("{}: {e}", r.endpoint)) });
                }
            }
            engines.sort_by(|a, b| a.name.cmp(&b.name));
            streamed.map(|_| engines).map_err(|e| e.to_string())
        } else {
            Err(Key::NodeEngines.not_collected())
        };
        DockerFacts {
            info,
            node_engines,
            containers,
            uninspected,
            processes,
            images: typed(snap, Key::DockerImages),
            networks: typed(snap, Key::DockerNetworks),
            secrets,
            nodes,
        }
    }

    /// What of the container population is missing: listed containers not inspected (those
    /// removed meanwhile are not part of it any more).
    pub fn containers_incomplete(&self) -> Vec<String> {
        let missing: Vec<&Uninspected> = self.uninspected.iter().filter(|u| !u.gone).collect();
        match missing.first() {
            None => vec![],
            Some(first) => vec![format!("{} listed container(s) could not be inspected (first: {}: {})", missing.len(), first.name, first.why)],
        }
    }

    /// Whether `/info` is MKE's cluster aggregate rather than one engine's own answer.
    pub fn info_is_aggregate(&self) -> bool {
        self.info.as_ref().is_ok_and(|i| i.server_version.starts_with("ucp/"))
    }

    /// The installed MKE version, when the engine answered through MKE (`ucp/<version>`).
    pub fn mke_version(&self) -> Option<&str> {
        self.info.as_ref().ok().and_then(|i| i.server_version.strip_prefix("ucp/"))
    }
}
