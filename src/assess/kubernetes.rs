//! The Kubernetes parts of the MKE STIG, from the Kubernetes evidence (pods, workloads,
//! namespaces and quotas, services, bindings, storage classes, kubelet configz). Pods are
//! streamed from the snapshot and reduced to what the rules need.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{not_assessed, result, RuleResult, Status, Subject, SubjectKind, PASSING_KEPT};
use crate::evidence::Snapshot;
use crate::policy::{Policy, Target};
use crate::probe::kubernetes::{CONFIGZ_FILE, SOURCE};

/// Namespaces MKE and Kubernetes run their own workloads in.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease", "node-feature-discovery"];

pub type Got<T> = Result<T, String>;

/// A pod reduced to what rules read.
#[derive(Debug, Clone)]
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

pub struct KubeFacts {
    pub pods: Got<Vec<Pod>>,
    pub pod_total: usize,
    /// Workloads (kind/ns/name) whose pod template takes a Secret through the environment.
    pub workload_secret_env: Got<Vec<(String, Vec<String>)>>,
    pub namespaces: Got<Vec<String>>,
    /// namespace -> (has limits.cpu, has limits.memory) over its ResourceQuotas.
    pub quotas: Got<BTreeMap<String, (bool, bool)>>,
    /// (namespace, name) of every Service.
    pub services: Got<Vec<(String, String)>>,
    /// (binding, role, subjects) of ClusterRoleBindings.
    pub cluster_bindings: Got<Vec<(String, String, Vec<String>)>>,
    pub storage_classes: Got<Vec<String>>,
    /// node -> kubelet protectKernelDefaults (None when the node's configz is missing).
    pub protect_kernel_defaults: BTreeMap<String, Result<bool, String>>,
}

fn secret_env(spec: &Value) -> Vec<String> {
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

fn each(snap: &Snapshot, path: &str, rel: &str, mut f: impl FnMut(Value)) -> Result<(), String> {
    if let Some(e) = snap.list_error(SOURCE, path) {
        return Err(e);
    }
    snap.each_line(rel, |_, v| f(v)).map_err(|e| e.to_string())
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string()
}

impl KubeFacts {
    pub fn load(snap: &Snapshot) -> KubeFacts {
        let mut pods = Vec::new();
        let mut pod_total = 0;
        let pods_res = each(snap, "/api/v1/pods", "k8s/pods.jsonl", |p| {
            pod_total += 1;
            let spec = p.get("spec").cloned().unwrap_or(Value::Null);
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
            // Only pods a rule may name are kept; the rest are counted.
            if pod.host_network || pod.host_pid || !pod.secret_env.is_empty() {
                pods.push(pod);
            }
        });
        let mut workloads = Vec::new();
        let mut wl_err = None;
        for (path, _) in crate::probe::kubernetes::LISTS.iter().filter(|(_, rel)| *rel == "k8s/workloads.jsonl") {
            if let Some(e) = snap.list_error(SOURCE, path) {
                wl_err.get_or_insert(e);
            }
        }
        let wl_res = snap
            .each_line("k8s/workloads.jsonl", |key, w| {
                let spec = w.pointer("/spec/template/spec").or_else(|| w.pointer("/spec/jobTemplate/spec/template/spec")).cloned().unwrap_or(Value::Null);
                let refs = secret_env(&spec);
                if !refs.is_empty() {
                    workloads.push((key.to_string(), refs));
                }
            })
            .map_err(|e| e.to_string());
        let mut namespaces = Vec::new();
        let ns_res = each(snap, "/api/v1/namespaces", "k8s/namespaces.jsonl", |n| namespaces.push(s(&n, "/metadata/name")));
        let mut quotas: BTreeMap<String, (bool, bool)> = BTreeMap::new();
        let q_res = each(snap, "/api/v1/resourcequotas", "k8s/resourcequotas.jsonl", |q| {
            let e = quotas.entry(s(&q, "/metadata/namespace")).or_default();
            let hard = q.pointer("/spec/hard");
            e.0 |= hard.and_then(|h| h.get("limits.cpu")).is_some();
            e.1 |= hard.and_then(|h| h.get("limits.memory")).is_some();
        });
        let mut services = Vec::new();
        let svc_res = each(snap, "/api/v1/services", "k8s/services.jsonl", |v| services.push((s(&v, "/metadata/namespace"), s(&v, "/metadata/name"))));
        let mut bindings = Vec::new();
        let b_res = each(snap, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "k8s/clusterrolebindings.jsonl", |b| {
            let subjects = b.get("subjects").and_then(Value::as_array).into_iter().flatten().map(|x| format!("{}:{}", s(x, "/kind"), s(x, "/name"))).collect();
            bindings.push((s(&b, "/metadata/name"), s(&b, "/roleRef/name"), subjects));
        });
        let mut classes = Vec::new();
        let sc_res = each(snap, "/apis/storage.k8s.io/v1/storageclasses", "k8s/storageclasses.jsonl", |c| classes.push(s(&c, "/metadata/name")));
        let mut pkd = BTreeMap::new();
        for r in snap.records.iter().filter(|r| r.source == SOURCE && r.endpoint.ends_with("/proxy/configz")) {
            let node = r.endpoint.trim_start_matches("GET /api/v1/nodes/").trim_end_matches("/proxy/configz").to_string();
            pkd.insert(node, Err(r.error.clone().unwrap_or_else(|| "not read".into())));
        }
        let _ = snap.each_line(CONFIGZ_FILE, |node, v| {
            let val = v.pointer("/kubeletconfig/protectKernelDefaults").and_then(Value::as_bool).unwrap_or(false);
            pkd.insert(node.to_string(), Ok(val));
        });
        KubeFacts {
            pods: pods_res.map(|_| pods),
            pod_total,
            workload_secret_env: match wl_err {
                Some(e) => Err(e),
                None => wl_res.map(|_| workloads),
            },
            namespaces: ns_res.map(|_| namespaces),
            quotas: q_res.map(|_| quotas),
            services: svc_res.map(|_| services),
            cluster_bindings: b_res.map(|_| bindings),
            storage_classes: sc_res.map(|_| classes),
            protect_kernel_defaults: pkd,
        }
    }

    /// Whether any Kubernetes evidence was collected at all.
    pub fn collected(snap: &Snapshot) -> bool {
        snap.records.iter().any(|r| r.source == SOURCE)
    }
}

fn pod_subject(p: &Pod, ok: bool, facts: Vec<(String, String)>, note: Option<String>) -> Subject {
    let mut f = vec![("image".to_string(), p.image.clone())];
    if !p.node.is_empty() {
        f.push(("node".into(), p.node.clone()));
    }
    f.extend(facts);
    Subject { kind: SubjectKind::Pod, name: format!("{}/{}", p.namespace, p.name), id: format!("{}/{}", p.namespace, p.name), ok, facts: f, note }
}

/// V-260911, Kubernetes part: no workload takes a Secret through its environment.
pub fn secrets_in_env(k: &KubeFacts) -> RuleResult {
    let rule = "V-260911";
    let ev = ["GET /api/v1/pods", "GET /apis/apps/v1/deployments"];
    let (pods, workloads) = match (&k.pods, &k.workload_secret_env) {
        (Err(e), _) | (_, Err(e)) => return not_assessed(rule, e, &ev),
        (Ok(p), Ok(w)) => (p, w),
    };
    let mut subjects: Vec<Subject> = pods.iter().filter(|p| !p.secret_env.is_empty()).map(|p| pod_subject(p, false, vec![("env".into(), p.secret_env.join("; "))], None)).collect();
    subjects.extend(workloads.iter().map(|(key, refs)| Subject { kind: SubjectKind::Pod, name: key.clone(), id: key.clone(), ok: false, facts: vec![("template env".into(), refs.join("; "))], note: None }));
    subjects.sort();
    let mut r = if subjects.is_empty() {
        result(rule, Status::Pass, format!("none of {} pods or their workloads take a Secret through environment variables", k.pod_total), &ev)
    } else {
        result(rule, Status::Fail, format!("{} pods or workloads take Secrets through environment variables (secretKeyRef / envFrom)", subjects.len()), &ev)
    };
    r.passed_total = k.pod_total.saturating_sub(pods.iter().filter(|p| !p.secret_env.is_empty()).count());
    r.subjects = subjects;
    r
}

/// V-260913, Kubernetes part: pods on the host network, unless the SSP documents them.
pub fn host_network(k: &KubeFacts, policy: Option<&Policy>) -> RuleResult {
    let rule = "V-260913";
    let ev = ["GET /api/v1/pods"];
    let pods = match &k.pods {
        Err(e) => return not_assessed(rule, e, &ev),
        Ok(p) => p,
    };
    let mut subjects = Vec::new();
    for p in pods.iter().filter(|p| p.host_network) {
        let t = Target { name: &p.name, image: &p.image, node: &p.node, labels: &p.labels };
        let facts = vec![("spec.hostNetwork".to_string(), "true".to_string())];
        match policy.and_then(|pol| pol.exception(rule, &t)) {
            Some(ex) => subjects.push(pod_subject(p, true, facts, Some(format!("SSP exception: {}", ex.reason)))),
            None => subjects.push(pod_subject(p, false, facts, None)),
        }
    }
    let failed = subjects.iter().filter(|s| !s.ok).count();
    let mut r = if failed > 0 {
        result(rule, Status::Fail, format!("{failed} of {} pods use the host network without an SSP exception", k.pod_total), &ev)
    } else {
        result(rule, Status::Pass, format!("none of {} pods use the host network without an SSP exception", k.pod_total), &ev)
    };
    r.passed_total = k.pod_total - failed;
    r.subjects = subjects;
    r
}

/// V-260925, Kubernetes part: every user namespace has a ResourceQuota with CPU and memory limits.
pub fn quotas(k: &KubeFacts) -> RuleResult {
    let rule = "V-260925";
    let ev = ["GET /api/v1/namespaces", "GET /api/v1/resourcequotas"];
    let (nss, q) = match (&k.namespaces, &k.quotas) {
        (Err(e), _) | (_, Err(e)) => return not_assessed(rule, e, &ev),
        (Ok(n), Ok(q)) => (n, q),
    };
    let mut subjects = Vec::new();
    let mut passed = 0;
    for ns in nss.iter().filter(|n| !SYSTEM_NAMESPACES.contains(&n.as_str())) {
        let (cpu, mem) = q.get(ns).copied().unwrap_or((false, false));
        let ok = cpu && mem;
        if ok {
            passed += 1;
        }
        if !ok || passed <= PASSING_KEPT {
            subjects.push(Subject {
                kind: SubjectKind::Namespace,
                name: ns.clone(),
                id: ns.clone(),
                ok,
                facts: vec![("ResourceQuota limits.cpu".into(), cpu.to_string()), ("ResourceQuota limits.memory".into(), mem.to_string())],
                note: None,
            });
        }
    }
    let failed = subjects.iter().filter(|s| !s.ok).count();
    let mut r = if failed > 0 {
        result(rule, Status::Fail, format!("{failed} namespaces lack a ResourceQuota with limits.cpu and limits.memory"), &ev)
    } else {
        result(rule, Status::Pass, "every user namespace has a ResourceQuota with limits.cpu and limits.memory".into(), &ev)
    };
    r.passed_total = passed;
    r.subjects = subjects;
    r
}

/// V-260905: only `kubernetes` in `default`; kube-system Services as the SSP approves. The UI
/// part ("set context for all namespaces") has no API: it can fail, not pass.
pub fn namespaces_in_use(k: &KubeFacts, policy: Option<&Policy>) -> RuleResult {
    let rule = "V-260905";
    let ev = ["GET /api/v1/services"];
    let svcs = match &k.services {
        Err(e) => return not_assessed(rule, e, &ev),
        Ok(s) => s,
    };
    let mut bad: Vec<String> = svcs.iter().filter(|(ns, n)| ns == "default" && n != "kubernetes").map(|(ns, n)| format!("{ns}/{n}")).collect();
    let approved = policy.and_then(|p| p.kube_system_services.as_ref());
    let kube_system: BTreeSet<&str> = svcs.iter().filter(|(ns, _)| ns == "kube-system").map(|(_, n)| n.as_str()).collect();
    if let Some(list) = approved {
        bad.extend(kube_system.iter().filter(|n| !list.iter().any(|a| a == *n)).map(|n| format!("kube-system/{n}")));
    }
    let subjects = bad.iter().map(|b| Subject { kind: SubjectKind::Service, name: b.clone(), id: b.clone(), ok: false, facts: vec![], note: None }).collect();
    let mut r = if !bad.is_empty() {
        result(rule, Status::Fail, format!("Services outside dedicated namespaces or not approved in kube-system: {}", bad.join(", ")), &ev)
    } else if approved.is_none() {
        result(rule, Status::NotReviewed, format!("default holds only `kubernetes`; needs site parameter P-KSYS-SVC (policy key `kube_system_services`) for kube-system: [{}]; the UI setting is manual", kube_system.into_iter().collect::<Vec<_>>().join(", ")), &ev)
    } else {
        result(rule, Status::NotReviewed, "default and kube-system Services are as approved; the UI setting \"set context for all namespaces\" needs manual review".into(), &ev)
    };
    r.subjects = subjects;
    r
}

/// V-260912: bindings are judged against the SSP (P-GRANTS); cluster-admin bound to anything
/// but system subjects is always reported.
pub fn bindings(k: &KubeFacts) -> RuleResult {
    let rule = "V-260912";
    let ev = ["GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings"];
    let b = match &k.cluster_bindings {
        Err(e) => return not_assessed(rule, e, &ev),
        Ok(b) => b,
    };
    let flagged: Vec<Subject> = b
        .iter()
        .filter(|(_, role, subjects)| role == "cluster-admin" && subjects.iter().any(|s| !s.contains(":system:")))
        .map(|(name, role, subjects)| Subject { kind: SubjectKind::Setting, name: name.clone(), id: name.clone(), ok: false, facts: vec![("roleRef".into(), role.clone()), ("subjects".into(), subjects.join(", "))], note: None })
        .collect();
    let mut r = if flagged.is_empty() {
        result(rule, Status::NotReviewed, format!("{} ClusterRoleBindings, none granting cluster-admin beyond system subjects; grants need review against the SSP (P-GRANTS)", b.len()), &ev)
    } else {
        result(rule, Status::Fail, format!("{} ClusterRoleBindings grant cluster-admin to non-system subjects", flagged.len()), &ev)
    };
    r.subjects = flagged;
    r
}

/// V-260932: the persistence test is manual unless opted in; storage classes are the evidence.
pub fn persistence(k: &KubeFacts) -> RuleResult {
    let rule = "V-260932";
    let ev = ["GET /apis/storage.k8s.io/v1/storageclasses"];
    match &k.storage_classes {
        Err(e) => not_assessed(rule, e, &ev),
        Ok(c) if c.is_empty() => result(rule, Status::NotReviewed, "no StorageClass exists (persistent volumes are unlikely to work); run the STIG's PVC persistence test".into(), &ev),
        Ok(c) => result(rule, Status::NotReviewed, format!("StorageClasses: {}; run the STIG's PVC persistence test (manual)", c.join(", ")), &ev),
    }
}

/// V-260933, Kubernetes part: kubelets protect kernel defaults (MKE setting and each node's
/// effective configuration).
pub fn protect_kernel_defaults(k: &KubeFacts, mke_setting: Option<bool>) -> RuleResult {
    let rule = "V-260933";
    let ev = ["GET /api/ucp/config-toml", "GET /api/v1/nodes/{node}/proxy/configz"];
    let mut subjects: Vec<Subject> = k
        .protect_kernel_defaults
        .iter()
        .map(|(node, v)| Subject {
            kind: SubjectKind::Node,
            name: node.clone(),
            id: node.clone(),
            ok: matches!(v, Ok(true)),
            facts: vec![("kubeletconfig.protectKernelDefaults".into(), match v { Ok(b) => b.to_string(), Err(e) => format!("unknown: {e}") })],
            note: None,
        })
        .collect();
    subjects.sort();
    let bad_nodes = subjects.iter().filter(|s| s.facts[0].1 == "false").count();
    let unknown = subjects.iter().filter(|s| s.facts[0].1.starts_with("unknown")).count();
    let mut r = if mke_setting == Some(false) || bad_nodes > 0 {
        result(rule, Status::Fail, format!("kubelets do not protect kernel defaults (MKE kube_protect_kernel_defaults: {}; {bad_nodes} node(s) with protectKernelDefaults=false)", mke_setting.map_or("unknown".into(), |b| b.to_string())), &ev)
    } else if mke_setting.is_none() || unknown > 0 || subjects.is_empty() {
        not_assessed(rule, &format!("MKE's setting or a node's kubelet configuration is unknown ({unknown} node(s) unread)"), &ev)
    } else {
        result(rule, Status::Pass, format!("kube_protect_kernel_defaults is on and all {} kubelets report protectKernelDefaults=true", subjects.len()), &ev)
    };
    r.passed_total = subjects.iter().filter(|s| s.ok).count();
    r.subjects = subjects;
    r
}
