//! Facts from the Kubernetes evidence: pods, workloads, namespaces and quotas, services,
//! bindings, storage classes, kubelet configz. Pods are streamed from the snapshot and reduced
//! to what rules need; every field says exactly what is missing when it is.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::Got;
use crate::evidence::keys::Key;
use crate::evidence::Snapshot;
use crate::probe::kubernetes::{LISTS, SOURCE};

/// A pod reduced to what rules read.
#[derive(Debug, Clone, Default)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub node: String,
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub host_network: bool,
    pub host_pid: bool,
    /// `container/VAR <- secret/key` for every secretKeyRef, and `container <- secret` for envFrom.
    pub secret_env: Vec<String>,
    /// A static pod's mirror (annotation `kubernetes.io/config.mirror`): its spec is the
    /// manifest file on the node.
    pub mirror: bool,
    /// `Kind/name` of the controlling owner, or empty.
    pub owner: String,
    pub containers: Vec<PodContainer>,
}

/// A container of a pod, as far as rules read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodContainer {
    pub name: String,
    pub image: String,
    /// `command` followed by `args`: a control-plane component's flags.
    pub argv: Vec<String>,
    /// `(containerPort, hostPort)` of every port with a hostPort.
    pub host_ports: Vec<(u16, u16)>,
}

/// Namespaces the Kubernetes STIG calls system namespaces (V-242417), and those where user
/// resources must not be created (V-242383).
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];
pub const DEFAULT_NAMESPACES: &[&str] = &["default", "kube-public", "kube-node-lease"];

/// A node of the Kubernetes node list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeNode {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// `status.addresses` as (type, address): InternalIP, ExternalIP, Hostname, InternalDNS, ...
    pub addresses: Vec<(String, String)>,
    pub kubelet_version: String,
}

impl KubeNode {
    /// Control-plane node by the labels kubeadm, kops and MKE put on them.
    pub fn control_plane(&self) -> bool {
        ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"].iter().any(|l| self.labels.contains_key(*l))
    }

    pub fn address(&self, kind: &str) -> Option<&str> {
        self.addresses.iter().find(|(t, _)| t == kind).map(|(_, a)| a.as_str())
    }
}

/// The API server's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    pub git: String,
    pub minor: u32,
}

impl KubeVersion {
    /// `{"major":"1","minor":"29+","gitVersion":"v1.29.3-eks-..."}`: the minor from `minor`
    /// (providers append `+`), else from gitVersion.
    pub fn from_json(v: &Value) -> Result<KubeVersion, String> {
        let git = v.get("gitVersion").and_then(Value::as_str).unwrap_or("").to_string();
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u32>().ok();
        let major = v.get("major").and_then(Value::as_str).and_then(digits);
        let minor = v.get("minor").and_then(Value::as_str).and_then(digits).or_else(|| git.trim_start_matches('v').split('.').nth(1).and_then(digits));
        match (major.or_else(|| git.trim_start_matches('v').split('.').next().and_then(digits)), minor) {
            (Some(1), Some(minor)) => Ok(KubeVersion { git, minor }),
            _ => Err(format!("the server's /version answer has no Kubernetes 1.x version ({})", crate::assess::prefix(&v.to_string(), 120))),
        }
    }
}

/// What identifies a pod's containers: the pod's uid and the node it runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodId {
    pub uid: String,
    pub node: String,
}

/// A ClusterRoleBinding: name, role, subjects as `Kind:name`.
#[derive(Debug, Clone, Default)]
pub struct Binding {
    pub name: String,
    pub role: String,
    pub subjects: Vec<String>,
}

pub struct KubeFacts {
    /// Whether any Kubernetes evidence was collected (or why the API could not be read).
    pub reached: Got<()>,
    /// [`Key::KubePods`]: the pods a rule may name (host namespaces, Secrets in env).
    pub pods: Got<Vec<Pod>>,
    pub pod_total: usize,
    /// Every pod by (namespace, name), with its uid and node: a container claiming to be a
    /// pod's is verified against them.
    pub pod_keys: HashMap<(String, String), PodId>,
    /// [`Key::KubeWorkloads`]: workloads (kind/ns/name) whose template takes a Secret through
    /// the environment.
    pub workload_secret_env: Got<Vec<(String, Vec<String>)>>,
    /// [`Key::KubeWorkloads`]: workloads (`Kind/ns/name`) in the namespaces where the STIG
    /// allows no user resources ([`DEFAULT_NAMESPACES`]).
    pub workloads_in_default: Got<Vec<String>>,
    pub namespaces: Got<Vec<String>>,
    /// namespace -> (has limits.cpu, has limits.memory) over its ResourceQuotas.
    pub quotas: Got<BTreeMap<String, (bool, bool)>>,
    /// (namespace, name) of every Service.
    pub services: Got<Vec<(String, String)>>,
    pub cluster_bindings: Got<Vec<Binding>>,
    pub storage_classes: Got<Vec<String>>,
    /// [`Key::KubeletConfigz`]: node -> the kubelet's configuration (`kubeletconfig`), or why
    /// it is missing; the nodes are those of the Kubernetes node list.
    pub kubelets: Got<BTreeMap<String, Got<Value>>>,
    /// [`Key::KubeNodes`].
    pub nodes: Got<Vec<KubeNode>>,
    /// [`Key::KubeVersion`].
    pub version: Got<KubeVersion>,
    /// [`Key::KubeAnonymous`]: the HTTP status of a request without credentials.
    pub anonymous: Got<u16>,
    /// Every image the pods run, with how many pods run it and the first (namespace/name).
    pub images: BTreeMap<String, (usize, String)>,
}

/// A pod that some rule may name: the rest are only counted.
fn kept(pod: &Pod) -> bool {
    pod.host_network
        || pod.host_pid
        || !pod.secret_env.is_empty()
        || pod.mirror
        || SYSTEM_NAMESPACES.contains(&pod.namespace.as_str())
        || DEFAULT_NAMESPACES.contains(&pod.namespace.as_str())
        || pod.labels.get("k8s-app").is_some_and(|a| a == "kubernetes-dashboard")
        || pod.containers.iter().any(|c| !c.host_ports.is_empty())
}

fn containers(spec: &Value, with_argv: bool) -> Vec<PodContainer> {
    let mut out = Vec::new();
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        for c in spec.get(key).and_then(Value::as_array).into_iter().flatten() {
            let strings = |k: &str| c.get(k).and_then(Value::as_array).into_iter().flatten().map(|a| a.as_str().map(str::to_string).unwrap_or_else(|| a.to_string())).collect::<Vec<_>>();
            let host_ports = c
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let host = p.get("hostPort").and_then(Value::as_u64).filter(|h| *h > 0)?;
                    Some((p.get("containerPort").and_then(Value::as_u64).unwrap_or(0) as u16, host.min(u16::MAX as u64) as u16))
                })
                .collect();
            let mut argv = Vec::new();
            if with_argv {
                argv = strings("command");
                argv.extend(strings("args"));
            }
            out.push(PodContainer { name: s(c, "/name"), image: s(c, "/image"), argv, host_ports });
        }
    }
    out
}

pub fn secret_env(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        for c in spec.get(key).and_then(Value::as_array).into_iter().flatten() {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
            for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                if let Some(r) = e.pointer("/valueFrom/secretKeyRef") {
                    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("?");
                    out.push(format!("{cname}/{} <- secret {}/{}", e.get("name").and_then(Value::as_str).unwrap_or("?"), s("name"), s("key")));
                }
            }
            for e in c.get("envFrom").and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = e.pointer("/secretRef/name").and_then(Value::as_str) {
                    out.push(format!("{cname} <- envFrom secret {name}"));
                }
            }
        }
    }
    out
}

/// Streams one key's list (every page read, or why not).
fn each(snap: &Snapshot, key: Key, mut f: impl FnMut(Value)) -> Got<()> {
    let file = key.file().expect("lists are stored");
    for (path, _) in LISTS.iter().filter(|(_, rel)| *rel == file) {
        if let Some(e) = snap.list_error(SOURCE, path) {
            return Err(e);
        }
    }
    snap.each_line(file, |_, v| f(v)).map_err(|e| e.to_string())
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string()
}

impl KubeFacts {
    pub fn none() -> KubeFacts {
        let why = "the Kubernetes API was not read".to_string();
        KubeFacts {
            reached: Err(why.clone()),
            pods: Err(Key::KubePods.not_collected()),
            pod_total: 0,
            pod_keys: HashMap::new(),
            workload_secret_env: Err(Key::KubeWorkloads.not_collected()),
            workloads_in_default: Err(Key::KubeWorkloads.not_collected()),
            namespaces: Err(Key::KubeNamespaces.not_collected()),
            quotas: Err(Key::KubeQuotas.not_collected()),
            services: Err(Key::KubeServices.not_collected()),
            cluster_bindings: Err(Key::KubeClusterRoleBindings.not_collected()),
            storage_classes: Err(Key::KubeStorageClasses.not_collected()),
            kubelets: Err(Key::KubeletConfigz.not_collected()),
            nodes: Err(Key::KubeNodes.not_collected()),
            version: Err(Key::KubeVersion.not_collected()),
            anonymous: Err(Key::KubeAnonymous.not_collected()),
            images: BTreeMap::new(),
        }
    }

    pub fn drop_key(&mut self, key: Key) {
        let why = key.not_collected();
        match key {
            Key::KubePods => {
                self.pods = Err(why);
                self.pod_keys.clear();
            }
            Key::KubeWorkloads => {
                self.workload_secret_env = Err(why.clone());
                self.workloads_in_default = Err(why);
            }
            Key::KubeNamespaces => self.namespaces = Err(why),
            Key::KubeQuotas => self.quotas = Err(why),
            Key::KubeServices => self.services = Err(why),
            Key::KubeClusterRoleBindings => self.cluster_bindings = Err(why),
            Key::KubeStorageClasses => self.storage_classes = Err(why),
            Key::KubeletConfigz => self.kubelets = Err(why),
            Key::KubeNodes => {
                self.kubelets = Err(why.clone());
                self.nodes = Err(why);
            }
            Key::KubeVersion => self.version = Err(why),
            Key::KubeAnonymous => self.anonymous = Err(why),
            _ => {}
        }
    }

    pub fn load(snap: &Snapshot) -> KubeFacts {
        if !snap.records.iter().any(|r| r.source == SOURCE) {
            return KubeFacts::none();
        }
        // Every list failing means the API itself could not be read (bad kubeconfig, refused).
        let errors: Vec<String> = LISTS.iter().filter_map(|(path, _)| snap.list_error(SOURCE, path)).collect();
        let reached = match errors.first() {
            Some(e) if errors.len() == LISTS.len() => Err(format!("the Kubernetes API could not be read: {e}")),
            _ => Ok(()),
        };
        let mut pods = Vec::new();
        let mut pod_total = 0;
        let mut pod_keys = HashMap::new();
        let mut odd = Vec::new();
        let mut images: BTreeMap<String, (usize, String)> = BTreeMap::new();
        let pods_res = each(snap, Key::KubePods, |p| {
            pod_total += 1;
            let spec = p.get("spec").cloned().unwrap_or(Value::Null);
            // A pod without a spec, or with host-namespace fields that are not booleans, is of
            // unexpected shape: it cannot be cleared as "not on the host network".
            let flag = |k: &str| spec.get(k).map_or(Some(false), Value::as_bool);
            if !spec.is_object() || flag("hostNetwork").is_none() || flag("hostPID").is_none() {
                odd.push(format!("{}/{}", s(&p, "/metadata/namespace"), s(&p, "/metadata/name")));
            }
            let namespace = s(&p, "/metadata/namespace");
            let mirror = p.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some();
            let owner = p
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .and_then(|o| o.iter().find(|r| r.get("controller").and_then(Value::as_bool) == Some(true)).or(o.first()))
                .map(|r| format!("{}/{}", s(r, "/kind"), s(r, "/name")))
                .unwrap_or_default();
            // Command lines are kept only where control-plane components run.
            let with_argv = mirror || namespace == "kube-system";
            let pod = Pod {
                name: s(&p, "/metadata/name"),
                node: s(&p, "/spec/nodeName"),
                image: s(&p, "/spec/containers/0/image"),
                labels: p.pointer("/metadata/labels").and_then(|l| serde_json::from_value(l.clone()).ok()).unwrap_or_default(),
                host_network: spec.get("hostNetwork").and_then(Value::as_bool).unwrap_or(false),
                host_pid: spec.get("hostPID").and_then(Value::as_bool).unwrap_or(false),
                secret_env: secret_env(&spec),
                mirror,
                owner,
                containers: containers(&spec, with_argv),
                namespace,
            };
            pod_keys.insert((pod.namespace.clone(), pod.name.clone()), PodId { uid: s(&p, "/metadata/uid"), node: pod.node.clone() });
            for c in &pod.containers {
                match images.get_mut(&c.image) {
                    Some((n, _)) => *n += 1,
                    None => {
                        images.insert(c.image.clone(), (1, format!("{}/{}", pod.namespace, pod.name)));
                    }
                }
            }
            // Only pods a rule may name are kept; the rest are counted.
            if kept(&pod) {
                pods.push(pod);
            }
        });
        let mut workloads = Vec::new();
        let mut in_default = Vec::new();
        let wl_res = {
            let file = Key::KubeWorkloads.file().expect("stored");
            let errors: Vec<String> = LISTS.iter().filter(|(_, rel)| *rel == file).filter_map(|(path, _)| snap.list_error(SOURCE, path)).collect();
            match errors.into_iter().next() {
                Some(e) => Err(e),
                None => snap
                    .each_line(file, |key, w| {
                        let spec = w.pointer("/spec/template/spec").or_else(|| w.pointer("/spec/jobTemplate/spec/template/spec")).cloned().unwrap_or(Value::Null);
                        let refs = secret_env(&spec);
                        if DEFAULT_NAMESPACES.contains(&s(&w, "/metadata/namespace").as_str()) {
                            in_default.push(key.to_string());
                        }
                        if !refs.is_empty() {
                            workloads.push((key.to_string(), refs));
                        }
                    })
                    .map_err(|e| e.to_string()),
            }
        };
        let mut namespaces = Vec::new();
        let ns_res = each(snap, Key::KubeNamespaces, |n| namespaces.push(s(&n, "/metadata/name")));
        let mut quotas: BTreeMap<String, (bool, bool)> = BTreeMap::new();
        let q_res = each(snap, Key::KubeQuotas, |q| {
            let e = quotas.entry(s(&q, "/metadata/namespace")).or_default();
            let hard = q.pointer("/spec/hard");
            e.0 |= hard.and_then(|h| h.get("limits.cpu")).is_some();
            e.1 |= hard.and_then(|h| h.get("limits.memory")).is_some();
        });
        let mut services = Vec::new();
        let svc_res = each(snap, Key::KubeServices, |v| services.push((s(&v, "/metadata/namespace"), s(&v, "/metadata/name"))));
        let mut bindings = Vec::new();
        let b_res = each(snap, Key::KubeClusterRoleBindings, |b| {
            let subjects = b.get("subjects").and_then(Value::as_array).into_iter().flatten().map(|x| format!("{}:{}", s(x, "/kind"), s(x, "/name"))).collect();
            bindings.push(Binding { name: s(&b, "/metadata/name"), role: s(&b, "/roleRef/name"), subjects });
        });
        let mut classes = Vec::new();
        let sc_res = each(snap, Key::KubeStorageClasses, |c| classes.push(s(&c, "/metadata/name")));
        // Kubelets: every node of the node list must have answered configz.
        let mut node_names = Vec::new();
        let mut nodes = Vec::new();
        let nodes_res = each(snap, Key::KubeNodes, |n| {
            node_names.push(s(&n, "/metadata/name"));
            nodes.push(KubeNode {
                name: s(&n, "/metadata/name"),
                labels: n.pointer("/metadata/labels").and_then(|l| serde_json::from_value(l.clone()).ok()).unwrap_or_default(),
                addresses: n.pointer("/status/addresses").and_then(Value::as_array).into_iter().flatten().map(|a| (s(a, "/type"), s(a, "/address"))).collect(),
                kubelet_version: s(&n, "/status/nodeInfo/kubeletVersion"),
            });
        });
        let nodes_got = nodes_res.clone().map(|_| nodes);
        let kubelets = nodes_res.map(|_| {
            let mut k: BTreeMap<String, Got<Value>> = node_names.iter().map(|n| (n.clone(), Err(format!("no configz answer for node {n}")))).collect();
            for r in snap.records.iter().filter(|r| r.source == SOURCE && r.endpoint.ends_with("/proxy/configz")) {
                let node = r.endpoint.trim_start_matches("GET /api/v1/nodes/").trim_end_matches("/proxy/configz").to_string();
                k.insert(node, Err(r.error.clone().map(|e| format!("{}: {e}", r.endpoint)).unwrap_or_else(|| "not read".into())));
            }
            let _ = snap.each_line(Key::KubeletConfigz.file().expect("stored"), |node, v| {
                let cfg = v.get("kubeletconfig").cloned().ok_or_else(|| format!("node {node}: configz answer has no kubeletconfig"));
                k.insert(node.to_string(), cfg);
            });
            k
        });
        KubeFacts {
            reached,
            pods: pods_res.and_then(|_| match odd.first() {
                Some(first) => Err(format!("{} pod(s) of unexpected shape in {} (first: {first})", odd.len(), Key::KubePods.endpoint())),
                None => Ok(pods),
            }),
            pod_total,
            pod_keys,
            workloads_in_default: wl_res.clone().map(|_| in_default),
            workload_secret_env: wl_res.map(|_| workloads),
            namespaces: ns_res.map(|_| namespaces),
            quotas: q_res.map(|_| quotas),
            services: svc_res.map(|_| services),
            cluster_bindings: b_res.map(|_| bindings),
            storage_classes: sc_res.map(|_| classes),
            kubelets,
            nodes: nodes_got,
            version: snap.body(SOURCE, "GET /version").and_then(|v| KubeVersion::from_json(&v)),
            anonymous: snap.body(SOURCE, crate::probe::kubernetes::ANONYMOUS_ENDPOINT).and_then(|v| {
                v.get("status").and_then(Value::as_u64).map(|s| s as u16).ok_or_else(|| "the anonymous probe's stored answer has no status".to_string())
            }),
            images,
        }
    }
}
