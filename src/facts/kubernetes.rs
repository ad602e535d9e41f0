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
            namespaces: Err(Key::KubeNamespaces.not_collected()),
            quotas: Err(Key::KubeQuotas.not_collected()),
            services: Err(Key::KubeServices.not_collected()),
            cluster_bindings: Err(Key::KubeClusterRoleBindings.not_collected()),
            storage_classes: Err(Key::KubeStorageClasses.not_collected()),
            kubelets: Err(Key::KubeletConfigz.not_collected()),
        }
    }

    pub fn drop_key(&mut self, key: Key) {
        let why = key.not_collected();
        match key {
            Key::KubePods => {
                self.pods = Err(why);
                self.pod_keys.clear();
            }
            Key::KubeWorkloads => self.workload_secret_env = Err(why),
            Key::KubeNamespaces => self.namespaces = Err(why),
            Key::KubeQuotas => self.quotas = Err(why),
            Key::KubeServices => self.services = Err(why),
            Key::KubeClusterRoleBindings => self.cluster_bindings = Err(why),
            Key::KubeStorageClasses => self.storage_classes = Err(why),
            Key::KubeletConfigz | Key::KubeNodes => self.kubelets = Err(why),
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
        let pods_res = each(snap, Key::KubePods, |p| {
            pod_total += 1;
            let spec = p.get("spec").cloned().unwrap_or(Value::Null);
            // A pod without a spec, or with host-namespace fields that are not booleans, is of
            // unexpected shape: it cannot be cleared as "not on the host network".
            let flag = |k: &str| spec.get(k).map_or(Some(false), Value::as_bool);
            if !spec.is_object() || flag("hostNetwork").is_none() || flag("hostPID").is_none() {
                odd.push(format!("{}/{}", s(&p, "/metadata/namespace"), s(&p, "/metadata/name")));
            }
            let pod = Pod {
                namespace: s(&p, "/metadata/namespace"),
                name: s(&p, "/metadata/name"),
                node: s(&p, "/spec/nodeName"),
                image: s(&p, "/spec/containers/0/image"),
                labels: p.pointer("/metadata/labels").and_then(|l| serde_json::from_value(l.clone()).ok()).unwrap_or_default(),
                host_network: spec.get("hostNetwork").and_then(Value::as_bool).unwrap_or(false),
                host_pid: spec.get("hostPID").and_then(Value::as_bool).unwrap_or(false),
                secret_env: secret_env(&spec),
            };
            pod_keys.insert((pod.namespace.clone(), pod.name.clone()), PodId { uid: s(&p, "/metadata/uid"), node: pod.node.clone() });
            // Only pods a rule may name are kept; the rest are counted.
            if pod.host_network || pod.host_pid || !pod.secret_env.is_empty() {
                pods.push(pod);
            }
        });
        let mut workloads = Vec::new();
        let wl_res = {
            let file = Key::KubeWorkloads.file().expect("stored");
            let errors: Vec<String> = LISTS.iter().filter(|(_, rel)| *rel == file).filter_map(|(path, _)| snap.list_error(SOURCE, path)).collect();
            match errors.into_iter().next() {
                Some(e) => Err(e),
                None => snap
                    .each_line(file, |key, w| {
                        let spec = w.pointer("/spec/template/spec").or_else(|| w.pointer("/spec/jobTemplate/spec/template/spec")).cloned().unwrap_or(Value::Null);
                        let refs = secret_env(&spec);
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
        let nodes_res = each(snap, Key::KubeNodes, |n| node_names.push(s(&n, "/metadata/name")));
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
            workload_secret_env: wl_res.map(|_| workloads),
            namespaces: ns_res.map(|_| namespaces),
            quotas: q_res.map(|_| quotas),
            services: svc_res.map(|_| services),
            cluster_bindings: b_res.map(|_| bindings),
            storage_classes: sc_res.map(|_| classes),
            kubelets,
        }
    }
}
