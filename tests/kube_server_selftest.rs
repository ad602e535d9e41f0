//! Self-test of the stand-in Kubernetes API server (tests/common/kube_server.rs), driven by the
//! crate's own collector (`probe::kubernetes`) and by a raw rustls client. Every test name
//! starts with `test_fake_kube_api_`: these run against a stand-in, not a real API server.
//!
//! What is checked: every list is read whole, page by page; every node answers configz; the
//! planted violations are exactly those `planted(shape)` documents (found by a small scanner
//! over the collected evidence, written from the STIG check texts) and the compliant variants
//! have none; anonymous requests get the configured answer; connections are kept alive.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::kube_server::{mke_ucp_containers, node_name, planted, Anonymous, KubeServer, Options, Shape, LIST_PATHS};
use oscal_stig::evidence::{Manifest, Snapshot, SnapshotWriter, FORMAT};
use oscal_stig::probe::kubernetes::{client, collect, Source, CONFIGZ_FILE, LISTS, PAGE, SOURCE};
use serde_json::Value;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// Collects the server with the tool's collector into `out` and opens the snapshot.
fn collect_snapshot(server: &KubeServer, out: &Path) -> Snapshot {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let w = SnapshotWriter::create(out).unwrap();
    let started = chrono::Utc::now().to_rfc3339();
    rt.block_on(async {
        let clients = client(&Source::Kubeconfig(server.kubeconfig.clone(), None), Duration::from_secs(60)).await.expect("kubeconfig gives a client");
        collect(&clients, &w).await.expect("collection writes its evidence");
    });
    // The runtime (and with it the client's pooled connections) goes before the checks.
    drop(rt);
    let manifest = Manifest { format: FORMAT, tool: "kube_server_selftest".into(), target: server.url.clone(), started, finished: chrono::Utc::now().to_rfc3339(), ..Default::default() };
    w.finish(&manifest).unwrap();
    Snapshot::open(out).unwrap()
}

/// (key, body) of every line of a collected `.jsonl` file.
fn lines(snap: &Snapshot, rel: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    snap.each_line(rel, |k, v| out.push((k.to_string(), v))).unwrap();
    out
}

fn rel_of(path: &str) -> &'static str {
    LISTS.iter().find(|(p, _)| *p == path).map(|(_, r)| *r).unwrap_or_else(|| panic!("{path} is not collected"))
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Every list read whole (pages as the server counts them, no page error), configz for every
/// node, and all of it with the client certificate.
fn assert_collected_whole(server: &KubeServer, snap: &Snapshot) {
    let mut pages_total = 0;
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for (path, rel) in LISTS {
        assert!(LIST_PATHS.contains(path), "the stand-in serves {path}");
        assert_eq!(snap.list_error(SOURCE, path), None, "{path} read whole");
        let expected = server.expected_pages(path, PAGE as usize).unwrap();
        let records = snap.records.iter().filter(|r| r.source == SOURCE && r.endpoint.starts_with(&format!("GET {path} (page "))).count();
        assert_eq!(records, expected, "{path}: {} items in pages of {PAGE}", server.list_len(path).unwrap());
        assert_eq!(server.requests_for(path), expected, "{path}: requests the server saw");
        pages_total += expected;
        *per_file.entry(rel).or_default() += server.list_len(path).unwrap();
    }
    assert_eq!(server.pages_served.load(Ordering::SeqCst), pages_total, "every page request answered, none twice");
    for (rel, n) in per_file {
        assert_eq!(lines(snap, rel).len(), n, "{rel}: every item stored");
    }
    let configz = lines(snap, CONFIGZ_FILE);
    let nodes: BTreeSet<String> = configz.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(nodes, server.node_names().into_iter().collect::<BTreeSet<_>>(), "configz from every node");
    assert!(configz.iter().all(|(_, v)| v["kubeletconfig"].is_object()));
    // The collector's own calls carry the client certificate; only its anonymous probe (if the
    // collector makes one) goes without.
    let log = server.log.lock().unwrap();
    let anonymous: Vec<&String> = log.iter().filter(|l| l.ends_with("cert=false")).collect();
    assert!(anonymous.iter().all(|l| l.starts_with("GET /version ")), "{anonymous:?}");
}

// ------------------------------------------------------------------------------------------
// A scanner for the planted categories, from the STIG check texts
// ------------------------------------------------------------------------------------------

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().find_map(|a| a.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

/// (V- id, subject) of every violation of the planted categories in the evidence (and, for
/// MKE, in the control-plane containers).
fn scan(snap: &Snapshot, shape: Shape, violations: bool) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut add = |v: &str, subject: &str| {
        found.insert((v.to_string(), subject.to_string()));
    };
    // Control plane: (name, component, args).
    let mut control: Vec<(String, String, Vec<String>)> = Vec::new();
    let pods = lines(snap, rel_of("/api/v1/pods"));
    for (_, p) in &pods {
        if s(p, "/metadata/labels/tier") == "control-plane" {
            let args = p["spec"]["containers"][0]["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
            control.push((s(p, "/metadata/name").into(), s(p, "/metadata/labels/component").into(), args));
        }
    }
    if shape == Shape::Mke {
        for c in mke_ucp_containers(violations) {
            let name = s(&c, "/Name").trim_start_matches('/').to_string();
            let component = match name.as_str() {
                "ucp-kube-apiserver" => "kube-apiserver",
                "ucp-kube-controller-manager" => "kube-controller-manager",
                "ucp-kv" => "etcd",
                other => other,
            }
            .to_string();
            let args = c["Args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
            control.push((name, component, args));
        }
    }
    for (name, component, args) in &control {
        match component.as_str() {
            // V-242378: tls-min-version missing, TLS 1.0 or 1.1.
            "kube-apiserver" if matches!(flag(args, "--tls-min-version"), None | Some("VersionTLS10") | Some("VersionTLS11")) => add("V-242378", name),
            // V-242409: profiling not configured, or true.
            "kube-controller-manager" if flag(args, "--profiling") != Some("false") => add("V-242409", name),
            // V-242379: auto-tls not configured, or true.
            "etcd" if flag(args, "--auto-tls") != Some("false") => add("V-242379", name),
            _ => {}
        }
    }
    // Kubelets (V-242397 staticPodPath, V-242387 readOnlyPort, V-242391 anonymous auth).
    for (node, v) in lines(snap, CONFIGZ_FILE) {
        let k = &v["kubeletconfig"];
        if k.get("staticPodPath").and_then(Value::as_str).is_some_and(|p| !p.is_empty()) {
            add("V-242397", &node);
        }
        if k.get("readOnlyPort").is_some_and(|p| p.as_u64() != Some(0)) {
            add("V-242387", &node);
        }
        if k.pointer("/authentication/anonymous/enabled") != Some(&Value::Bool(false)) {
            add("V-242391", &node);
        }
    }
    // Pods.
    let mut tags: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, p) in &pods {
        let ns = s(p, "/metadata/namespace");
        let subject = format!("{ns}/{}", s(p, "/metadata/name"));
        if matches!(ns, "default" | "kube-public" | "kube-node-lease") {
            add("V-242383", &subject);
        }
        let containers = p["spec"]["containers"].as_array().unwrap();
        if ns != "kube-system" && containers.iter().flat_map(|c| c["ports"].as_array().into_iter().flatten()).any(|port| port["hostPort"].as_u64().is_some_and(|h| h < 1024)) {
            add("V-242414", &subject);
        }
        if containers.iter().flat_map(|c| c["env"].as_array().into_iter().flatten()).any(|e| e.pointer("/valueFrom/secretKeyRef").is_some()) {
            add("V-242415", &subject);
        }
        if s(p, "/metadata/labels/k8s-app") == "kubernetes-dashboard" {
            add("V-242395", &subject);
        }
        for c in containers {
            let (repo, tag) = c["image"].as_str().unwrap().rsplit_once(':').unwrap();
            tags.entry(repo.to_string()).or_default().insert(tag.to_string());
        }
    }
    for (repo, t) in tags {
        if t.len() > 1 {
            add("V-242442", &repo);
        }
    }
    // Other user resources in the default namespaces (only service/kubernetes belongs there).
    for (path, _) in LISTS.iter().filter(|(p, _)| p.starts_with("/apis/apps/") || p.starts_with("/apis/batch/") || *p == "/api/v1/services") {
        for (_, o) in lines(snap, rel_of(path)) {
            let (ns, name) = (s(&o, "/metadata/namespace"), s(&o, "/metadata/name"));
            if matches!(ns, "default" | "kube-public" | "kube-node-lease") && !(ns == "default" && name == "kubernetes") {
                add("V-242383", &format!("{ns}/{name}"));
            }
        }
    }
    found
}

fn planted_set(shape: Shape) -> BTreeSet<(String, String)> {
    planted(shape).into_iter().map(|(v, subject, _)| (v.to_string(), subject.to_string())).collect()
}

/// Settings never planted: hold on every node of every shape.
fn assert_kubelets_hardened(snap: &Snapshot) {
    for (node, v) in lines(snap, CONFIGZ_FILE) {
        let k = &v["kubeletconfig"];
        assert_eq!(k["authorization"]["mode"], "Webhook", "{node}");
        assert_eq!(k["authentication"]["webhook"]["enabled"], true, "{node}");
        assert_eq!(k["protectKernelDefaults"], true, "{node}");
        assert_eq!(k["streamingConnectionIdleTimeout"], "5m0s", "{node}");
        for f in ["tlsCertFile", "tlsPrivateKeyFile"] {
            assert!(!s(k, &format!("/{f}")).is_empty(), "{node}: {f}");
        }
        assert!(!s(k, "/authentication/x509/clientCAFile").is_empty(), "{node}");
        assert!(k["featureGates"].is_object(), "{node}");
    }
}

// ------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client over rustls (keep-alive and anonymous requests, exactly as sent)
// ------------------------------------------------------------------------------------------

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

fn connect(server: &KubeServer, with_cert: bool) -> Tls {
    let files = oscal_stig::probe::tls::TlsFiles { ca: server.dir.join("ca.pem"), client: with_cert.then(|| (server.dir.join("cert.pem"), server.dir.join("key.pem"))) };
    let config = oscal_stig::probe::tls::client_config(&files).unwrap();
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    rustls::StreamOwned::new(conn, TcpStream::connect(("127.0.0.1", port)).unwrap())
}

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request on an open connection; the answer is read by its Content-Length, so the
/// connection can carry the next request.
fn request(tls: &mut Tls, path: &str, close: bool) -> Reply {
    write!(tls, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n{}\r\n", if close { "Connection: close\r\n" } else { "" }).unwrap();
    tls.flush().unwrap();
    let mut r = BufReader::new(tls);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h == "\r\n" {
            break;
        }
        let (k, v) = h.trim_end().split_once(':').unwrap();
        headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
    }
    let mut body = vec![0; headers["content-length"].parse().unwrap()];
    r.read_exact(&mut body).unwrap();
    Reply { status, headers, body }
}

fn get_once(server: &KubeServer, with_cert: bool, path: &str) -> Reply {
    request(&mut connect(server, with_cert), path, true)
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[test]
fn test_fake_kube_api_kubeadm_with_violations_collected_whole() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options { violations: true, nodes: 4, pods: 1_200, ..Options::new(Shape::Kubeadm) };
    let server = KubeServer::start(&dir.path().join("cluster"), opts);
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    // 1,200 generated pods and 4 kube-proxy pods after the fixed ones: 3 pages of 500.
    let pods = server.list_len("/api/v1/pods").unwrap();
    assert!(pods > 1_200 && pods <= 1_500, "{pods}");
    assert_eq!(server.requests_for("/api/v1/pods"), 3);
    assert!(server.log.lock().unwrap().iter().any(|l| l == "GET /api/v1/pods?limit=500&continue=1000 cert=true"), "continue token = offset");

    // The planted violations, and nothing else, in the categories planted.
    assert_eq!(scan(&snap, Shape::Kubeadm, true), planted_set(Shape::Kubeadm));
    assert_kubelets_hardened(&snap);

    // The control plane as kubeadm's mirror pods on cp-1.
    let by_name: BTreeMap<String, Value> = lines(&snap, "k8s/pods.jsonl").into_iter().collect();
    for component in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"] {
        let p = &by_name[&format!("Pod/kube-system/{component}-cp-1")];
        assert_eq!(s(p, "/metadata/labels/component"), component);
        assert_eq!(s(p, "/metadata/labels/tier"), "control-plane");
        assert_eq!(s(p, "/metadata/annotations/kubernetes.io~1config.source"), "file");
        assert!(!s(p, "/metadata/annotations/kubernetes.io~1config.mirror").is_empty());
        assert_eq!(s(p, "/spec/nodeName"), "cp-1");
        assert_eq!(s(p, "/spec/containers/0/command/0"), component);
    }
    let apiserver: Vec<&str> = by_name["Pod/kube-system/kube-apiserver-cp-1"]["spec"]["containers"][0]["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    for f in [
        "--authorization-mode=Node,RBAC",
        "--anonymous-auth=false",
        "--enable-admission-plugins=NodeRestriction",
        "--admission-control-config-file=/etc/kubernetes/admission.yaml",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-log-maxage=30",
        "--profiling=false",
        "--etcd-servers=https://127.0.0.1:2379",
        "--tls-min-version=VersionTLS11",
    ] {
        assert!(apiserver.contains(&f), "{f} in {apiserver:?}");
    }
    // Owned system pods, and the cp-1 node's role label.
    for prefix in ["Pod/kube-system/kube-proxy-", "Pod/kube-system/coredns-76f75df574-"] {
        let p = by_name.iter().find(|(k, _)| k.starts_with(prefix)).unwrap().1;
        assert_eq!(p["metadata"]["ownerReferences"][0]["controller"], true, "{prefix}");
    }
    let nodes = lines(&snap, "k8s/nodes.jsonl");
    assert_eq!(nodes[0].1["metadata"]["labels"]["node-role.kubernetes.io/control-plane"], "");
    assert_eq!(nodes.iter().map(|(_, n)| s(n, "/metadata/name").to_string()).collect::<Vec<_>>(), ["cp-1", "worker-1", "worker-2", "worker-3"]);
    // One client, one kept-alive connection (the anonymous probe may add one).
    let (conns, reqs) = (server.connections.load(Ordering::SeqCst), server.requests.load(Ordering::SeqCst));
    assert!(conns <= 2 && reqs >= LISTS.len() + 2 + 4, "{conns} connections for {reqs} requests");
}

#[test]
fn test_fake_kube_api_kubeadm_compliant_has_no_violation() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("cluster"), Options { nodes: 5, pods: 30, ..Options::new(Shape::Kubeadm) });
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    assert_eq!(scan(&snap, Shape::Kubeadm, false), BTreeSet::new());
    assert_kubelets_hardened(&snap);
    // The planted objects are absent or fixed.
    let pods: BTreeMap<String, Value> = lines(&snap, "k8s/pods.jsonl").into_iter().collect();
    assert!(!pods.contains_key("Pod/default/debug-shell"));
    assert!(!pods.keys().any(|k| k.starts_with("Pod/kubernetes-dashboard/")));
    assert!(pods.contains_key("Pod/team-a/legacy-web") && pods.contains_key("Pod/team-a/api-0"));
    let api_env = &pods["Pod/team-a/api-0"]["spec"]["containers"][0]["env"];
    assert!(api_env.as_array().unwrap().iter().any(|e| e["name"] == "DB_PASSWORD_FILE"));
    let web_images: BTreeSet<&str> = pods.iter().filter(|(k, _)| k.starts_with("Pod/team-a/web-")).map(|(_, p)| s(p, "/spec/containers/0/image")).collect();
    assert_eq!(web_images, BTreeSet::from(["registry.example.mil/team-a/web:1.5"]));
    assert!(pods.values().all(|p| p["status"]["phase"] == "Running" || p["status"]["phase"] == "Succeeded"));
    let version = get_once(&server, true, "/version").json();
    assert_eq!((version["major"].as_str(), version["minor"].as_str(), version["gitVersion"].as_str()), (Some("1"), Some("29"), Some("v1.29.3")));
}

#[test]
fn test_fake_kube_api_managed_shape() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options { violations: true, nodes: 6, pods: 600, ..Options::new(Shape::Managed) };
    let server = KubeServer::start(&dir.path().join("cluster"), opts);
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    assert_eq!(scan(&snap, Shape::Managed, true), planted_set(Shape::Managed));
    assert_kubelets_hardened(&snap);
    assert_eq!(server.node_names()[1], common::kube_server::EKS_WORKER_2);
    let pods = lines(&snap, "k8s/pods.jsonl");
    assert!(!pods.iter().any(|(_, p)| s(p, "/metadata/labels/tier") == "control-plane"), "no control plane in a managed cluster's API");
    for app in ["aws-node", "kube-proxy", "kube-dns"] {
        let n = pods.iter().filter(|(_, p)| s(p, "/metadata/namespace") == "kube-system" && s(p, "/metadata/labels/k8s-app") == app).count();
        assert_eq!(n, if app == "kube-dns" { 2 } else { 6 }, "{app}");
    }
    for (_, n) in lines(&snap, "k8s/nodes.jsonl") {
        let labels = n["metadata"]["labels"].as_object().unwrap();
        assert_eq!(labels["eks.amazonaws.com/nodegroup"], "general");
        assert!(!labels.keys().any(|k| k.starts_with("node-role.kubernetes.io/")));
        assert!(s(&n, "/status/nodeInfo/kubeletVersion").contains("-eks-"));
    }
    assert_eq!(get_once(&server, true, "/version").json()["minor"], "29+");

    // Compliant: nothing.
    let dir2 = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir2.path().join("cluster"), Options::new(Shape::Managed));
    let snap = collect_snapshot(&server, &dir2.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    assert_eq!(scan(&snap, Shape::Managed, false), BTreeSet::new());
}

#[test]
fn test_fake_kube_api_mke_shape_and_ucp_containers() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options { violations: true, nodes: 4, pods: 90, ..Options::new(Shape::Mke) };
    let server = KubeServer::start(&dir.path().join("cluster"), opts);
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    assert_eq!(scan(&snap, Shape::Mke, true), planted_set(Shape::Mke));
    assert_kubelets_hardened(&snap);
    let nodes = lines(&snap, "k8s/nodes.jsonl");
    for (_, n) in &nodes {
        assert_eq!(n["metadata"]["labels"]["com.docker.ucp.orchestrator.kubernetes"], "true");
        assert_eq!(s(n, "/status/nodeInfo/kubeletVersion"), "v1.27.7-mirantis-1");
    }
    assert_eq!(s(&nodes[0].1, "/metadata/name"), "mke-manager-1");
    assert_eq!(nodes[0].1["metadata"]["labels"]["node-role.kubernetes.io/master"], "");
    assert_eq!(s(&nodes[2].1, "/metadata/name"), node_name(Shape::Mke, 2));
    let pods = lines(&snap, "k8s/pods.jsonl");
    assert!(!pods.iter().any(|(_, p)| s(p, "/metadata/labels/tier") == "control-plane"), "MKE's control plane is Docker containers");
    for prefix in ["calico-node-", "compose-", "coredns-", "ucp-metrics-"] {
        assert!(pods.iter().any(|(k, _)| k.starts_with(&format!("Pod/kube-system/{prefix}"))), "{prefix}");
    }
    assert_eq!(get_once(&server, true, "/version").json()["gitVersion"], "v1.27.7-mirantis-1");

    // The control-plane containers as Docker's inspect answers them.
    for violations in [false, true] {
        let cs = mke_ucp_containers(violations);
        let names: Vec<&str> = cs.iter().map(|c| s(c, "/Name")).collect();
        assert_eq!(names, ["/ucp-kube-apiserver", "/ucp-kube-controller-manager", "/ucp-kube-scheduler", "/ucp-kv", "/ucp-kubelet", "/ucp-kube-proxy"]);
        for c in &cs {
            let id = s(c, "/Id");
            assert!(id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
            assert_eq!(c["State"]["Running"], true);
            assert_eq!(c["Config"]["Labels"]["com.docker.ucp.version"], "3.7.12");
            assert!(s(c, "/Config/Image").starts_with("mirantis/ucp-") && s(c, "/Config/Image").ends_with(":3.7.12"));
            assert!(c["HostConfig"]["NetworkMode"].is_string() && c["HostConfig"]["Privileged"].is_boolean());
            // Path + Args is Config.Cmd, as Docker reports a container without an entrypoint.
            let mut cmd = vec![c["Path"].clone()];
            cmd.extend(c["Args"].as_array().unwrap().iter().cloned());
            assert_eq!(Value::Array(cmd), c["Config"]["Cmd"]);
        }
        let args: Vec<&str> = cs[0]["Args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let want = if violations { "--tls-min-version=VersionTLS11" } else { "--tls-min-version=VersionTLS12" };
        assert!(args.contains(&want) && args.contains(&"--client-ca-file=/var/lib/docker/ucp/ucp-node-certs/ca.pem"), "{args:?}");
    }
    assert_eq!(common::kube_server::container_summary(&mke_ucp_containers(false)[0])["Names"][0], "/ucp-kube-apiserver");

    let dir2 = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir2.path().join("cluster"), Options::new(Shape::Mke));
    let snap = collect_snapshot(&server, &dir2.path().join("evidence"));
    assert_eq!(scan(&snap, Shape::Mke, false), BTreeSet::new());
}

#[test]
fn test_fake_kube_api_anonymous_answers() {
    let dir = tempfile::tempdir().unwrap();
    let start = |a: Anonymous, sub: &str| KubeServer::start(&dir.path().join(sub), Options { anonymous: a, ..Options::new(Shape::Kubeadm) });

    let refused = start(Anonymous::Refused401, "refused");
    for path in ["/version", "/api/v1/pods?limit=500", "/healthz"] {
        let r = get_once(&refused, false, path);
        assert_eq!(r.status, 401, "{path}");
        let v = r.json();
        assert_eq!((v["kind"].as_str(), v["reason"].as_str(), v["code"].as_u64()), (Some("Status"), Some("Unauthorized"), Some(401)));
    }
    assert_eq!(get_once(&refused, true, "/version").status, 200, "the client certificate is what authenticates");

    let allowed = start(Anonymous::Allowed200, "allowed");
    let v = get_once(&allowed, false, "/version");
    assert_eq!(v.status, 200);
    assert_eq!(v.json()["gitVersion"], "v1.29.3");
    assert_eq!(get_once(&allowed, false, "/healthz").body, b"ok");
    assert_eq!(get_once(&allowed, false, "/readyz").status, 200);
    let r = get_once(&allowed, false, "/api/v1/pods?limit=500");
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["message"], "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" at the cluster scope");
    assert_eq!(get_once(&allowed, false, "/api/v1/nodes/worker-1/proxy/configz").status, 403);

    let forbidden = start(Anonymous::Forbidden403, "forbidden");
    let r = get_once(&forbidden, false, "/version");
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["message"], "forbidden: User \"system:anonymous\" cannot get path \"/version\"");
    assert_eq!(r.json()["reason"], "Forbidden");
    // No anonymous request was ever counted as a list page.
    for s in [&refused, &allowed, &forbidden] {
        assert_eq!(s.pages_served.load(Ordering::SeqCst), 0);
    }

    // The collector's own anonymous probe, where it has one, records what the server said
    // (fresh servers: their logs hold the collector's requests only).
    for (a, status) in [(Anonymous::Refused401, 401), (Anonymous::Allowed200, 200), (Anonymous::Forbidden403, 403)] {
        let server = start(a, &format!("collected-{status}"));
        let out = dir.path().join(format!("evidence-{status}"));
        let snap = collect_snapshot(&server, &out);
        assert_collected_whole(&server, &snap);
        if let Ok(text) = std::fs::read_to_string(out.join("k8s/anonymous.json")) {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["status"], status, "{text}");
        }
    }
}

#[test]
fn test_fake_kube_api_paging_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("cluster"), Options { pods: 1_000, ..Options::new(Shape::Kubeadm) });
    let total = server.list_len("/api/v1/pods").unwrap();
    let mut tls = connect(&server, true);
    let mut seen = BTreeSet::new();
    let mut next = String::new();
    let mut pages = 0;
    loop {
        let path = if next.is_empty() { "/api/v1/pods?limit=400".to_string() } else { format!("/api/v1/pods?limit=400&continue={next}") };
        let v = request(&mut tls, &path, false).json();
        pages += 1;
        assert_eq!((v["kind"].as_str(), v["apiVersion"].as_str()), (Some("PodList"), Some("v1")));
        assert_eq!(v["metadata"]["resourceVersion"], "48213097", "one snapshot for the whole list");
        for p in v["items"].as_array().unwrap() {
            for f in ["name", "namespace", "uid", "creationTimestamp", "resourceVersion"] {
                assert!(p["metadata"][f].is_string(), "{f}");
            }
            assert!(seen.insert(format!("{}/{}", s(p, "/metadata/namespace"), s(p, "/metadata/name"))), "no pod twice");
        }
        match v["metadata"]["continue"].as_str() {
            Some(c) => {
                assert_eq!(c, (pages * 400).to_string(), "continue token = offset");
                assert_eq!(v["metadata"]["remainingItemCount"].as_u64(), Some((total - pages * 400) as u64));
                next = c.to_string();
            }
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (total, total.div_ceil(400)));
    // Without a limit: everything in one answer.
    assert_eq!(request(&mut tls, "/api/v1/pods", false).json()["items"].as_array().unwrap().len(), total);
    // Errors as the API server words them.
    let r = request(&mut tls, "/api/v1/pods?limit=10&continue=not-a-token", false);
    assert_eq!((r.status, r.json()["reason"].as_str()), (400, Some("BadRequest")));
    let r = request(&mut tls, "/apis/example.com/v1/widgets", false);
    assert_eq!((r.status, r.json()["reason"].as_str()), (404, Some("NotFound")));
    let r = request(&mut tls, "/api/v1/nodes/no-such-node/proxy/configz", false);
    assert_eq!((r.status, r.json()["message"].as_str()), (404, Some("nodes \"no-such-node\" not found")));
    let r = request(&mut tls, "/api/v1/nodes/worker-2/proxy/configz", false);
    assert_eq!(r.json()["kubeletconfig"]["authentication"]["anonymous"]["enabled"], false);
    // Every list the server serves answers on this one connection.
    for path in LIST_PATHS {
        let r = request(&mut tls, &format!("{path}?limit=500"), false);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.json()["kind"].as_str().unwrap().ends_with("List"), "{path}");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn test_fake_kube_api_keep_alive_and_connection_close() {
    let dir = tempfile::tempdir().unwrap();
    let server = KubeServer::start(&dir.path().join("cluster"), Options { nodes: 50, ..Options::new(Shape::Kubeadm) });
    let mut tls = connect(&server, true);
    for node in server.node_names() {
        let r = request(&mut tls, &format!("/api/v1/nodes/{node}/proxy/configz"), false);
        assert_eq!(r.status, 200);
        assert!(!r.headers.contains_key("connection"), "kept alive");
    }
    assert_eq!((server.connections.load(Ordering::SeqCst), server.requests.load(Ordering::SeqCst)), (1, 50), "50 requests on one connection");
    // Connection: close is honoured: answered, then the server closes (close_notify: EOF).
    let r = request(&mut tls, "/version", true);
    assert_eq!((r.status, r.headers.get("connection").map(String::as_str)), (200, Some("close")));
    let mut rest = Vec::new();
    let n = tls.read_to_end(&mut rest).unwrap_or(0);
    assert_eq!(n, 0, "nothing after the last answer");
    // The collector: thousands of calls (pages and configz) over a handful of connections.
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    assert_collected_whole(&server, &snap);
    let (conns, reqs) = (server.connections.load(Ordering::SeqCst), server.requests.load(Ordering::SeqCst));
    // A handful: the client's pool may open a second connection when a request starts before
    // the previous one's connection is back in the pool (seen on a loaded 2-core machine: 6).
    assert!(conns <= 8 && reqs >= 51 + 50 + LISTS.len(), "{conns} connections for {reqs} requests");
}

/// A 5,000-node, 150,000-pod cluster, for the benchmark: run with
/// `cargo test --release --test kube_server_selftest -- --ignored`.
#[test]
#[ignore = "benchmark size: 5,000 configz calls and 150,000 pods (release build)"]
fn test_fake_kube_api_5000_nodes_150000_pods() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options { violations: true, nodes: 5_000, pods: 150_000, ..Options::new(Shape::Kubeadm) };
    let t = Instant::now();
    let server = KubeServer::start(&dir.path().join("cluster"), opts);
    let started_in = t.elapsed();
    let t = Instant::now();
    let snap = collect_snapshot(&server, &dir.path().join("evidence"));
    let collected_in = t.elapsed();
    assert_collected_whole(&server, &snap);
    let pods = server.list_len("/api/v1/pods").unwrap();
    assert!(pods > 155_000, "150,000 user pods and a kube-proxy per node: {pods}");
    assert_eq!(scan(&snap, Shape::Kubeadm, true), planted_set(Shape::Kubeadm));
    let (conns, reqs) = (server.connections.load(Ordering::SeqCst), server.requests.load(Ordering::SeqCst));
    let size: u64 = std::fs::read_dir(dir.path().join("evidence/k8s")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    eprintln!(
        "5,000 nodes / {pods} pods: server up in {:.2} s; collected in {:.1} s ({reqs} requests over {conns} connections, {} pod pages, {:.0} MB of evidence)",
        started_in.as_secs_f64(),
        collected_in.as_secs_f64(),
        server.requests_for("/api/v1/pods"),
        size as f64 / 1e6
    );
    assert!(conns < 10, "{conns} connections");
}
