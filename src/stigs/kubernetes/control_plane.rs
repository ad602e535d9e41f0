//! Where the control plane runs and with which flags. The STIG reads the component manifests
//! in `/etc/kubernetes/manifests` on the control plane; the same command lines are visible as
//! the static pods' mirror pods in `kube-system` (kubeadm, kops), or, on MKE, as the
//! `ucp-kube-*` containers' arguments through the Docker Engine API. A managed control plane
//! (EKS, AKS, GKE) shows neither, and its rules cannot be decided from the cluster.

use std::collections::BTreeMap;
use std::fmt;

use crate::facts::docker::Container;
use crate::facts::kubernetes::{KubeNode, Pod};
use crate::facts::{Facts, Got};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
}

impl Component {
    pub const ALL: [Component; 4] = [Component::ApiServer, Component::ControllerManager, Component::Scheduler, Component::Etcd];

    /// The name kubeadm gives its static pod (label `component`) and the binary.
    pub fn name(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
        }
    }

    /// MKE's container for it (MKE's etcd is `ucp-kv`).
    pub fn mke_container(self) -> &'static str {
        match self {
            Component::ApiServer => "ucp-kube-apiserver",
            Component::ControllerManager => "ucp-kube-controller-manager",
            Component::Scheduler => "ucp-kube-scheduler",
            Component::Etcd => "ucp-kv",
        }
    }

    /// As the STIG names it.
    pub fn title(self) -> &'static str {
        match self {
            Component::ApiServer => "Kubernetes API Server",
            Component::ControllerManager => "Kubernetes Controller Manager",
            Component::Scheduler => "Kubernetes Scheduler",
            Component::Etcd => "Kubernetes etcd",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Static pods (kubeadm, kops): the manifests' command lines from their mirror pods.
    StaticPods,
    /// MKE: the `ucp-kube-*` containers.
    Mke,
    /// No control plane visible to the cluster: a provider runs it.
    Managed,
}

/// A component's flags as the process gets them: `--name` -> value (the last occurrence wins,
/// as with Kubernetes' flag parser; a boolean flag given bare reads `true`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags(pub BTreeMap<String, String>);

/// Flags that take no value when given bare (pflag booleans the STIG reads).
const BOOLEAN: &[&str] = &[
    "--anonymous-auth", "--profiling", "--use-service-account-credentials", "--auto-tls", "--peer-auto-tls", "--client-cert-auth",
    "--peer-client-cert-auth", "--allow-privileged", "--enable-bootstrap-token-auth",
];

impl Flags {
    pub fn parse(argv: &[String]) -> Flags {
        let mut out = BTreeMap::new();
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            i += 1;
            if !a.starts_with('-') {
                continue;
            }
            // `-v=2` and `--v=2` are the same flag to pflag.
            let a = format!("--{}", a.trim_start_matches('-'));
            match a.split_once('=') {
                Some((k, v)) => {
                    out.insert(k.to_string(), v.to_string());
                }
                None if BOOLEAN.contains(&a.as_str()) => {
                    out.insert(a, "true".into());
                }
                None => {
                    let v = match argv.get(i) {
                        Some(next) if !next.starts_with('-') => {
                            i += 1;
                            next.clone()
                        }
                        _ => "true".into(),
                    };
                    out.insert(a, v);
                }
            }
        }
        Flags(out)
    }

    pub fn get(&self, flag: &str) -> Option<&str> {
        self.0.get(flag).map(String::as_str)
    }

    /// `--feature-gates=A=true,B=false`: the gate's value, when the flag names it.
    pub fn gate(&self, gate: &str) -> Option<&str> {
        gates(self.get("--feature-gates")?).find(|(k, _)| *k == gate).map(|(_, v)| v)
    }
}

pub fn gates(list: &str) -> impl Iterator<Item = (&str, &str)> {
    list.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.trim(), v.trim()))
}

/// One running instance of a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub component: Component,
    /// The pod (`kube-system/kube-apiserver-cp-1`) or container (`mke-1/ucp-kube-apiserver`).
    pub name: String,
    pub node: String,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ControlPlane {
    pub shape: Shape,
    pub instances: Vec<Instance>,
    /// Control-plane nodes without an instance of a component they should run, as sentences:
    /// the population is then incomplete.
    pub gaps: Vec<(Component, String)>,
}

impl ControlPlane {
    pub fn of(&self, c: Component) -> impl Iterator<Item = &Instance> {
        self.instances.iter().filter(move |i| i.component == c)
    }

    /// Where the shape moves the STIG's "on the Control Plane, in /etc/kubernetes/manifests".
    pub fn source(&self) -> &'static str {
        match self.shape {
            Shape::StaticPods => "the static pods' command lines (mirror pods in kube-system)",
            Shape::Mke => "MKE's ucp-kube-* containers' arguments (Docker Engine API): MKE has no /etc/kubernetes/manifests",
            Shape::Managed => "no control plane is visible",
        }
    }
}

/// A pod is a static control-plane pod when it is a mirror pod in kube-system labelled as a
/// component (kubeadm: `component`, kops: `k8s-app`).
fn static_component(p: &Pod) -> Option<Component> {
    if p.namespace != "kube-system" || !p.mirror {
        return None;
    }
    let label = p.labels.get("component").or_else(|| p.labels.get("k8s-app"))?;
    Component::ALL.into_iter().find(|c| c.name() == label)
}

fn mke_component(c: &Container) -> Option<Component> {
    // MKE's own containers carry its version label; a user container named alike does not.
    if !c.labels.contains_key("com.docker.ucp.version") {
        return None;
    }
    Component::ALL.into_iter().find(|comp| comp.mke_container() == c.name)
}

/// The container's argv as flags: MKE runs some components through hyperkube
/// (`/bin/hyperkube kube-apiserver --...`), whose first argument is the component.
fn container_flags(c: &Container) -> Flags {
    Flags::parse(&c.argv)
}

/// Whether this is an MKE cluster, from what was collected (MKE's API, or MKE's engine proxy).
fn is_mke(f: &Facts) -> bool {
    f.mke.collected || f.docker.info_is_aggregate() || f.docker.mke_version().is_some()
}

pub fn find(f: &Facts) -> Got<ControlPlane> {
    if is_mke(f) {
        let containers = f.docker.containers.as_ref().map_err(|e| format!("MKE runs the control plane as ucp-kube-* containers, and {e}"))?;
        let instances: Vec<Instance> = containers
            .iter()
            .filter(|c| c.running)
            .filter_map(|c| mke_component(c).map(|comp| Instance { component: comp, name: format!("{}/{}", c.node, c.name), node: c.node.clone(), flags: container_flags(c) }))
            .collect();
        if instances.is_empty() {
            return Err("this is an MKE cluster, but no running ucp-kube-apiserver container carrying MKE's version label was listed".into());
        }
        let managers: Vec<String> = match &f.docker.nodes {
            Ok(Some(nodes)) => nodes.iter().filter(|n| n.role == "manager").map(|n| n.hostname.clone()).collect(),
            _ => Vec::new(),
        };
        let gaps = gaps_of(&instances, &managers, &[Component::ApiServer, Component::ControllerManager, Component::Scheduler, Component::Etcd]);
        return Ok(ControlPlane { shape: Shape::Mke, instances, gaps });
    }
    let pods = f.kube.pods.as_ref().map_err(|e| format!("the control plane's static pods are read from the pod list, and {e}"))?;
    let nodes: &[KubeNode] = f.kube.nodes.as_deref().map_err(|e| format!("the control-plane nodes are read from the node list, and {e}"))?;
    let instances: Vec<Instance> = pods
        .iter()
        .filter_map(|p| {
            let comp = static_component(p)?;
            let c = p.containers.iter().find(|c| c.argv.iter().any(|a| a.contains(comp.name()))).or(p.containers.first())?;
            Some(Instance { component: comp, name: format!("{}/{}", p.namespace, p.name), node: p.node.clone(), flags: Flags::parse(&c.argv) })
        })
        .collect();
    let cp_nodes: Vec<String> = nodes.iter().filter(|n| n.control_plane()).map(|n| n.name.clone()).collect();
    if instances.is_empty() {
        if let Some(first) = cp_nodes.first() {
            return Err(format!(
                "{} control-plane node(s) are listed (first: {first}) but no control-plane static pod is visible in kube-system: the components may run as system services; run the STIG's checks on the control plane",
                cp_nodes.len()
            ));
        }
        return Ok(ControlPlane { shape: Shape::Managed, instances, gaps: vec![] });
    }
    // etcd may run outside the cluster (kubeadm's external etcd): no gap for it.
    let gaps = gaps_of(&instances, &cp_nodes, &[Component::ApiServer, Component::ControllerManager, Component::Scheduler]);
    Ok(ControlPlane { shape: Shape::StaticPods, instances, gaps })
}

fn gaps_of(instances: &[Instance], nodes: &[String], expected: &[Component]) -> Vec<(Component, String)> {
    let mut gaps = Vec::new();
    for node in nodes {
        for &c in expected {
            if !instances.iter().any(|i| i.component == c && &i.node == node) {
                gaps.push((c, format!("no {c} instance found on control-plane node {node}")));
            }
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_parse_as_kubernetes_does() {
        let f = Flags::parse(&argv("kube-apiserver --secure-port=6443 --profiling --tls-min-version VersionTLS12 -v=2 --anonymous-auth --authorization-mode=Node,RBAC --secure-port=0"));
        assert_eq!(f.get("--secure-port"), Some("0"), "the last occurrence wins");
        assert_eq!(f.get("--profiling"), Some("true"));
        assert_eq!(f.get("--tls-min-version"), Some("VersionTLS12"));
        assert_eq!(f.get("--v"), Some("2"));
        assert_eq!(f.get("--anonymous-auth"), Some("true"));
        assert_eq!(f.get("--authorization-mode"), Some("Node,RBAC"));
        let g = Flags::parse(&argv("x --feature-gates=AllAlpha=true,PodSecurity=false"));
        assert_eq!((g.gate("AllAlpha"), g.gate("PodSecurity"), g.gate("Other")), (Some("true"), Some("false"), None));
    }
}
