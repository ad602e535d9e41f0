//! A small hand-made kubeadm cluster for the rule tests: one control-plane node `cp-1` with
//! its static pods hardened as the STIG asks, one worker `worker-1`, a user pod, and node
//! evidence for both. `case` changes what a test needs; the `*_cases` functions make the cases
//! of a table rule from its entry.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::checks::{FileCheck, FileWant, FlagCheck, KubeletCheck, Nodes};
use super::control_plane::Component;
use super::KubeCluster;
use crate::assess::rule::Case;
use crate::assess::Status;
use crate::evidence::keys::Key;
use crate::facts::docker::Container;
use crate::facts::kubernetes::{KubeFacts, KubeNode, KubeVersion, Pod, PodContainer};
use crate::facts::node::{Content, FileStat, NodeEvidence, Process, Sshd};
use crate::facts::Facts;
use crate::policy::Policy;

pub const CP: &str = "cp-1";
pub const WORKER: &str = "worker-1";

fn argv(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

pub const APISERVER: &str = "kube-apiserver --advertise-address=10.0.0.10 --allow-privileged=true --authorization-mode=Node,RBAC \
--client-ca-file=/etc/kubernetes/pki/ca.crt --enable-admission-plugins=NodeRestriction \
--admission-control-config-file=/etc/kubernetes/admission.yaml --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt \
--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key \
--etcd-servers=https://127.0.0.1:2379 --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt \
--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key --secure-port=6443 \
--tls-cert-file=/etc/kubernetes/pki/apiserver.crt --tls-private-key-file=/etc/kubernetes/pki/apiserver.key \
--tls-min-version=VersionTLS12 \
--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 \
--anonymous-auth=false --audit-policy-file=/etc/kubernetes/audit-policy.yaml --audit-log-path=/var/log/kubernetes/audit/audit.log \
--audit-log-maxage=30 --audit-log-maxbackup=10 --audit-log-maxsize=100 --request-timeout=60s --profiling=false";
pub const CONTROLLER_MANAGER: &str = "kube-controller-manager --bind-address=127.0.0.1 --kubeconfig=/etc/kubernetes/controller-manager.conf \
--profiling=false --root-ca-file=/etc/kubernetes/pki/ca.crt --use-service-account-credentials=true --tls-min-version=VersionTLS12";
pub const SCHEDULER: &str = "kube-scheduler --bind-address=127.0.0.1 --kubeconfig=/etc/kubernetes/scheduler.conf --profiling=false --tls-min-version=VersionTLS12";
pub const ETCD: &str = "etcd --auto-tls=false --peer-auto-tls=false --client-cert-auth=true --peer-client-cert-auth=true \
--cert-file=/etc/kubernetes/pki/etcd/server.crt --key-file=/etc/kubernetes/pki/etcd/server.key \
--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt --peer-key-file=/etc/kubernetes/pki/etcd/peer.key \
--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt --data-dir=/var/lib/etcd --listen-client-urls=https://127.0.0.1:2379";

fn command(c: Component) -> &'static str {
    match c {
        Component::ApiServer => APISERVER,
        Component::ControllerManager => CONTROLLER_MANAGER,
        Component::Scheduler => SCHEDULER,
        Component::Etcd => ETCD,
    }
}

pub fn pod(ns: &str, name: &str, node: &str, image: &str) -> Pod {
    Pod {
        namespace: ns.into(),
        name: name.into(),
        node: node.into(),
        image: image.into(),
        containers: vec![PodContainer { name: "main".into(), image: image.into(), ..Default::default() }],
        ..Default::default()
    }
}

fn static_pod(c: Component) -> Pod {
    let mut p = pod("kube-system", &format!("{}-{CP}", c.name()), CP, &format!("registry.k8s.io/{}:v1.29.3", c.name()));
    p.mirror = true;
    p.labels = BTreeMap::from([("component".to_string(), c.name().to_string()), ("tier".to_string(), "control-plane".to_string())]);
    p.containers[0].argv = argv(command(c));
    p
}

pub fn kubelet_config() -> Value {
    json!({
        "kind": "KubeletConfiguration",
        "authentication": {"anonymous": {"enabled": false}, "webhook": {"enabled": true}, "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
        "authorization": {"mode": "Webhook"},
        "readOnlyPort": 0,
        "protectKernelDefaults": true,
        "streamingConnectionIdleTimeout": "4h0m0s",
        "tlsCertFile": "/var/lib/kubelet/pki/kubelet.crt",
        "tlsPrivateKeyFile": "/var/lib/kubelet/pki/kubelet.key",
        "featureGates": {}
    })
}

pub fn file(path: &str, user: &str, mode: &str) -> FileStat {
    let id = if user == "root" { 0 } else { 998 };
    FileStat { path: path.into(), kind: "file".into(), why: "test".into(), uid: Some(id), gid: Some(id), user: Some(user.into()), group: Some(user.into()), mode: Some(mode.into()), error: None }
}

fn dir(path: &str, user: &str) -> FileStat {
    FileStat { kind: "dir".into(), ..file(path, user, "755") }
}

pub const AUDIT_POLICY: &str = "/etc/kubernetes/audit-policy.yaml";
pub const ADMISSION: &str = "/etc/kubernetes/admission.yaml";

pub fn node_evidence(node: &str, control_plane: bool) -> NodeEvidence {
    let mut files = vec![
        file("/var/lib/kubelet/config.yaml", "root", "644"),
        file("/etc/kubernetes/kubelet.conf", "root", "600"),
        dir("/etc/kubernetes/pki", "root"),
        file("/etc/kubernetes/pki/ca.crt", "root", "644"),
        file("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "root", "644"),
        file("/var/lib/kube-proxy/kubeconfig.conf", "root", "644"),
    ];
    let mut processes = vec![
        Process { name: "kubelet".into(), pid: 900, args: argv("/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf --container-runtime-endpoint=unix:///run/containerd/containerd.sock") },
        Process { name: "kube-proxy".into(), pid: 1200, args: argv("/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf") },
    ];
    let mut contents = BTreeMap::from([(
        "/var/lib/kube-proxy/config.conf".to_string(),
        Content { value: Some(json!({"kind": "KubeProxyConfiguration", "clientConnection": {"kubeconfig": "/var/lib/kube-proxy/kubeconfig.conf"}})), error: None },
    )]);
    if control_plane {
        files.extend([
            dir("/etc/kubernetes/manifests", "root"),
            file("/etc/kubernetes/manifests/kube-apiserver.yaml", "root", "600"),
            file("/etc/kubernetes/manifests/etcd.yaml", "root", "600"),
            file("/etc/kubernetes/admin.conf", "root", "600"),
            file("/etc/kubernetes/scheduler.conf", "root", "600"),
            file("/etc/kubernetes/controller-manager.conf", "root", "600"),
            file("/etc/kubernetes/pki/ca.key", "root", "600"),
            file("/etc/kubernetes/pki/apiserver.crt", "root", "644"),
            dir("/var/lib/etcd/member", "etcd"),
            file("/var/lib/etcd/member/snap/db", "etcd", "600"),
            file(AUDIT_POLICY, "root", "600"),
            file(ADMISSION, "root", "600"),
        ]);
        processes.push(Process { name: "kube-apiserver".into(), pid: 700, args: argv(APISERVER) });
        contents.insert(AUDIT_POLICY.into(), Content { value: Some(json!({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "RequestResponse"}]})), error: None });
        contents.insert(
            ADMISSION.into(),
            Content {
                value: Some(json!({"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration", "plugins": [{"name": "PodSecurity", "configuration": {
                    "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
                    "defaults": {"enforce": "restricted", "enforce-version": "latest", "audit": "restricted", "warn": "restricted"},
                    "exemptions": {"usernames": [], "runtimeClasses": [], "namespaces": ["kube-system"]}}}]})),
                error: None,
            },
        );
    }
    // The collector records every fixed path it looks at, present or not.
    for path in [
        "/etc/kubernetes/admin.conf", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/kubelet.conf",
        "/var/lib/kubelet/config.yaml", "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    ] {
        if !files.iter().any(|f| f.path == path) {
            files.push(FileStat { kind: "missing".into(), uid: None, gid: None, user: None, group: None, mode: None, ..file(path, "root", "644") });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    NodeEvidence {
        kind: crate::facts::node::KIND.into(),
        version: crate::facts::node::VERSION,
        node: node.into(),
        collected: "2026-11-23T10:00:00Z".into(),
        tool: "oscal-stig test".into(),
        files,
        processes,
        contents,
        sshd: Sshd { running: Some(false), enabled: Some(false), how: "test".into() },
        errors: vec![],
    }
}

fn node(name: &str, control_plane: bool) -> KubeNode {
    let mut labels = BTreeMap::from([("kubernetes.io/hostname".to_string(), name.to_string())]);
    if control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
    }
    KubeNode { name: name.into(), labels, addresses: vec![("InternalIP".into(), "10.0.0.10".into()), ("Hostname".into(), name.into())], kubelet_version: "v1.29.3".into() }
}

/// The hardened kubeadm cluster.
pub fn compliant_facts() -> Facts {
    let mut f = Facts::none();
    let mut pods: Vec<Pod> = Component::ALL.into_iter().map(static_pod).collect();
    let mut dns = pod("kube-system", "coredns-76f75df574-abcde", WORKER, "registry.k8s.io/coredns/coredns:v1.11.1");
    dns.owner = "ReplicaSet/coredns-76f75df574".into();
    pods.push(dns);
    let user = pod("team-a", "web-0", WORKER, "registry.example.mil/team-a/web:1.5");
    let mut images = BTreeMap::new();
    for p in pods.iter().chain([&user]) {
        images.entry(p.image.clone()).or_insert((0, format!("{}/{}", p.namespace, p.name))).0 += 1;
    }
    f.kube = KubeFacts {
        reached: Ok(()),
        pod_total: pods.len() + 1,
        pod_keys: Default::default(),
        pods: Ok(pods),
        workload_secret_env: Ok(vec![]),
        namespaces: Ok(["default", "kube-system", "kube-public", "kube-node-lease", "team-a"].map(String::from).to_vec()),
        quotas: Ok(BTreeMap::new()),
        services: Ok(vec![("default".into(), "kubernetes".into()), ("team-a".into(), "web".into())]),
        cluster_bindings: Ok(vec![]),
        storage_classes: Ok(vec![]),
        kubelets: Ok(BTreeMap::from([(CP.to_string(), Ok(kubelet_config())), (WORKER.to_string(), Ok(kubelet_config()))])),
        nodes: Ok(vec![node(CP, true), node(WORKER, false)]),
        version: Ok(KubeVersion { git: "v1.29.3".into(), minor: 29 }),
        anonymous: Ok(401),
        images,
        workloads_in_default: Ok(vec![]),
        ..KubeFacts::none()
    };
    f.node_files = Ok(BTreeMap::from([(CP.to_string(), node_evidence(CP, true)), (WORKER.to_string(), node_evidence(WORKER, false))]));
    f
}

pub fn case(name: &'static str, expect: Status, with: impl FnOnce(&mut Facts)) -> Case<KubeCluster> {
    case_with(name, expect, Policy::default(), with)
}

pub fn case_with(name: &'static str, expect: Status, policy: Policy, with: impl FnOnce(&mut Facts)) -> Case<KubeCluster> {
    let mut f = compliant_facts();
    with(&mut f);
    Case::new(name, KubeCluster::new(f), expect).policy(policy).independent_of(&[Key::DockerInspect])
}

pub fn policy(yaml: &str) -> Policy {
    Policy::parse("test policy", yaml).expect("test policy")
}

/// Sets (or, with `None`, removes) a flag of every instance of a component.
pub fn set_flag(f: &mut Facts, c: Component, flag: &str, value: Option<&str>) {
    let edit = |argv: &mut Vec<String>| {
        argv.retain(|a| a != flag && !a.starts_with(&format!("{flag}=")));
        if let Some(v) = value {
            argv.push(format!("{flag}={v}"));
        }
    };
    if let Ok(pods) = &mut f.kube.pods {
        for p in pods.iter_mut().filter(|p| p.mirror && p.labels.get("component").map(String::as_str) == Some(c.name())) {
            edit(&mut p.containers[0].argv);
        }
    }
    if let Ok(cs) = &mut f.docker.containers {
        for ct in cs.iter_mut().filter(|ct| ct.name == c.mke_container()) {
            edit(&mut ct.argv);
        }
    }
}

/// The same cluster run by MKE: no static pods; the components are `ucp-kube-*` containers.
pub fn as_mke(f: &mut Facts) {
    if let Ok(pods) = &mut f.kube.pods {
        pods.retain(|p| !p.mirror);
    }
    f.mke.collected = true;
    let mut cs: Vec<Container> = Component::ALL
        .into_iter()
        .map(|c| {
            let mut a = argv(command(c));
            a[0] = format!("/bin/{}", c.name());
            Container {
                id: format!("{:0>64}", c.mke_container().len()),
                name: c.mke_container().into(),
                node: CP.into(),
                image: "mirantis/ucp-hyperkube:3.7.12".into(),
                labels: BTreeMap::from([("com.docker.ucp.version".to_string(), "3.7.12".to_string())]),
                running: true,
                argv: a,
                ..Default::default()
            }
        })
        .collect();
    cs.push(Container { name: "ucp-kubelet".into(), node: CP.into(), running: true, labels: cs[0].labels.clone(), argv: argv("/bin/kubelet --config=/etc/kubernetes/kubelet-config.yaml"), ..Default::default() });
    cs.push(Container { name: "ucp-kubelet".into(), node: WORKER.into(), running: true, labels: cs[0].labels.clone(), argv: argv("/bin/kubelet --config=/etc/kubernetes/kubelet-config.yaml"), ..Default::default() });
    f.docker.containers = Ok(cs);
}

/// Removes the control plane from view, as a managed cluster shows it.
pub fn as_managed(f: &mut Facts) {
    if let Ok(pods) = &mut f.kube.pods {
        pods.retain(|p| !p.mirror);
    }
    if let Ok(nodes) = &mut f.kube.nodes {
        for n in nodes.iter_mut() {
            n.labels.remove("node-role.kubernetes.io/control-plane");
        }
    }
}

pub fn flag_cases(check: &FlagCheck) -> Vec<Case<KubeCluster>> {
    let (c, flags, want) = (check.component, check.flags, check.want);
    let instance: &'static str = Box::leak(format!("kube-system/{}-{CP}", c.name()).into_boxed_str());
    let set_all = move |f: &mut Facts, v: Option<&str>| {
        for flag in flags {
            set_flag(f, c, flag, v);
        }
    };
    let mut cases = vec![
        case("hardened", Status::Pass, move |f| set_all(f, want.passing())),
        case("the value the STIG calls a finding", Status::Fail, move |f| {
            set_all(f, want.passing());
            set_flag(f, c, flags[0], want.violating());
        })
        .failing(std::slice::from_ref(Box::leak(Box::new(instance)))),
        case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("GET /api/v1/pods: HTTP 403".into())).missing(),
        case("managed control plane", Status::NotReviewed, as_managed).missing(),
        case("MKE's ucp-kube-* containers", Status::Pass, move |f| {
            as_mke(f);
            set_all(f, want.passing());
        })
        .independent_of(&[Key::KubePods, Key::KubeNodes]),
    ];
    if c == Component::Etcd {
        cases.push(case("external etcd", Status::NotReviewed, |f| f.kube.pods.as_mut().unwrap().retain(|p| !p.name.starts_with("etcd-"))).missing());
    }
    cases
}

/// Sets a kubelet setting on one node (`None` removes it). Values read as JSON where they are
/// (true, 0, 10255), feature gates from `A=true,B=false`.
pub fn set_setting(f: &mut Facts, node: &str, ptr: &str, value: Option<&str>) {
    let Ok(kubelets) = &mut f.kube.kubelets else { return };
    let Some(Ok(cfg)) = kubelets.get_mut(node) else { return };
    let (parent, key) = ptr.rsplit_once('/').expect("a pointer");
    let mut at = cfg;
    for seg in parent.split('/').filter(|s| !s.is_empty()) {
        at = at.as_object_mut().expect("object").entry(seg).or_insert(json!({}));
    }
    let obj = at.as_object_mut().expect("object");
    match value {
        None => {
            obj.remove(key);
        }
        Some(v) => {
            let parsed = if v.contains('=') && ptr == "/featureGates" {
                Value::Object(super::control_plane::gates(v).map(|(k, x)| (k.to_string(), Value::Bool(x == "true"))).collect())
            } else {
                serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.into()))
            };
            obj.insert(key.into(), parsed);
        }
    }
}

pub fn kubelet_cases(check: &KubeletCheck) -> Vec<Case<KubeCluster>> {
    let check = *check;
    let set_all = move |f: &mut Facts, v: Option<&str>| {
        if let Some(ptr) = check.setting {
            for n in [CP, WORKER] {
                set_setting(f, n, ptr, v);
            }
        }
    };
    let hardened = case("hardened", Status::Pass, move |f| set_all(f, check.want.passing()));
    let mut cases = vec![
        match check.flag {
            Some(_) => hardened,
            None => hardened.independent_of(&[Key::DockerInspect, Key::NodeFiles]),
        },
        case("configz unread", Status::NotReviewed, |f| f.kube.kubelets = Err("configz: HTTP 403".into())).missing(),
    ];
    if let Some(ptr) = check.setting {
        cases.push(
            case("the setting the STIG calls a finding", Status::Fail, move |f| {
                set_all(f, check.want.passing());
                set_setting(f, WORKER, ptr, check.want.violating());
            })
            .failing(&[WORKER]),
        );
    }
    if let Some(flag) = check.flag {
        cases.push(
            case("the option on the kubelet's command line", Status::Fail, move |f| {
                set_all(f, check.want.passing());
                let ev = f.node_files.as_mut().unwrap().get_mut(WORKER).unwrap();
                ev.processes[0].args.push(format!("{flag}=x"));
            })
            .failing(&[WORKER]),
        );
        cases.push(case("no node evidence", Status::NotReviewed, move |f| {
            set_all(f, check.want.passing());
            f.node_files = Err(crate::facts::NO_NODE_FILES.into());
        }).missing());
        cases.push(
            case("MKE's ucp-kubelet command line", Status::Pass, move |f| {
                set_all(f, check.want.passing());
                as_mke(f);
                f.node_files = Err(crate::facts::NO_NODE_FILES.into());
            })
            .independent_of(&[Key::NodeFiles, Key::KubePods]),
        );
    }
    cases
}

pub fn file_cases(check: &FileCheck) -> Vec<Case<KubeCluster>> {
    let check = *check;
    let target = if check.nodes == Nodes::Workers { WORKER } else { CP };
    let spoil = move |f: &mut Facts| {
        let cl = KubeCluster::new(compliant_facts());
        let ev = f.node_files.as_mut().unwrap().get_mut(target).unwrap();
        let chosen = (check.select)(&cl, target, ev);
        let path = chosen.iter().find(|s| s.kind == "file" || matches!(check.want, FileWant::Owner(..))).expect("the fixture has the file").path.clone();
        let st = ev.files.iter_mut().find(|s| s.path == path).expect("stat");
        match check.want {
            FileWant::Owner(..) => {
                st.user = Some("nobody".into());
                st.uid = Some(65534);
            }
            FileWant::ModeAtMost(_) => st.mode = Some("666".into()),
        }
    };
    let strip = move |f: &mut Facts| {
        let cl = KubeCluster::new(compliant_facts());
        for (n, ev) in f.node_files.as_mut().unwrap().iter_mut() {
            // As the collector reports a file that is not there: looked at, missing.
            let chosen: Vec<String> = (check.select)(&cl, n, ev).into_iter().map(|s| s.path).collect();
            for st in ev.files.iter_mut().filter(|s| chosen.contains(&s.path)) {
                st.kind = "missing".into();
            }
            ev.processes.retain(|p| p.name != "kube-proxy");
        }
    };
    vec![
        case("hardened", Status::Pass, |_| {}),
        case("a file the STIG calls a finding", Status::Fail, spoil).failing(std::slice::from_ref(Box::leak(Box::new(target)))),
        case("no node evidence", Status::NotReviewed, |f| f.node_files = Err(crate::facts::NO_NODE_FILES.into())).missing(),
        case("one node without evidence", Status::NotReviewed, move |f| {
            f.node_files.as_mut().unwrap().remove(target);
        })
        .missing(),
        case("the files exist on no node", Status::NotApplicable, strip),
    ]
}
