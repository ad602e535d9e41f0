//! A stand-in Kubernetes API server: HTTPS on 127.0.0.1 with a generated CA, a server
//! certificate and an admin client certificate (ca.pem, cert.pem, key.pem and a kube.yml naming
//! them relatively, as in an MKE client bundle), answering what `src/probe/kubernetes.rs` reads:
//! every list, paged with `limit`/`continue`, `/version`, and each node's kubelet `configz`
//! through the node proxy. No API server can run where the tests run, so this one answers with
//! payloads shaped like a real cluster's, of three kinds ([`Shape`]): a STIG-hardened kubeadm
//! v1.29 cluster, a managed (EKS-like) cluster and an MKE 3.7 cluster.
//!
//! Objects are never all held in memory: hand-written ones (control plane, system pods, the
//! planted violations) come first in each list, generated ones after, and a page is built from
//! its offset. So the same server stands in for a 5,000-node, 150,000-pod cluster.
//!
//! With `violations: true` one violation per STIG check category is planted; [`planted`] says
//! which rule must fail and on which subject. With `violations: false` everything is compliant.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{json, Value};
use sha2::Digest;

// ------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------

/// Which kind of cluster the server pretends to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// kubeadm v1.29, STIG-hardened: control plane as static (mirror) pods on `cp-1`.
    Kubeadm,
    /// A managed control plane (EKS-like): only worker nodes and add-on pods are visible.
    Managed,
    /// MKE 3.7: the control plane runs as Docker containers ([`mke_ucp_containers`]), not pods.
    Mke,
}

/// What a request without a client certificate gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anonymous {
    /// `--anonymous-auth=false`: 401 Unauthorized for every path.
    Refused401,
    /// Anonymous auth on with the default `system:public-info-viewer` binding: `/version`,
    /// `/healthz`, `/readyz`, `/livez` answer 200, everything else 403 for `system:anonymous`.
    Allowed200,
    /// Anonymous auth on, nothing granted: 403 naming `system:anonymous` for every path.
    Forbidden403,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub shape: Shape,
    /// Plant the violations listed by [`planted`].
    pub violations: bool,
    /// Total nodes (control plane included), at least 3 so `worker-2` exists in every shape.
    pub nodes: usize,
    /// Generated user pods beyond the fixed ones (3 replicas per generated Deployment).
    pub pods: usize,
    pub anonymous: Anonymous,
    /// The server's `gitVersion`, e.g. "v1.29.3" ("v1.29.3-eks-adc7111", "v1.27.7-mirantis-1").
    pub version: String,
}

impl Options {
    /// Compliant, 3 nodes, no generated pods, anonymous refused, the shape's usual version.
    pub fn new(shape: Shape) -> Options {
        let version = match shape {
            Shape::Kubeadm => "v1.29.3",
            Shape::Managed => "v1.29.3-eks-adc7111",
            Shape::Mke => "v1.27.7-mirantis-1",
        };
        Options { shape, violations: false, nodes: 3, pods: 0, anonymous: Anonymous::Refused401, version: version.into() }
    }
}

pub struct KubeServer {
    pub url: String,
    /// Holds ca.pem, cert.pem, key.pem and kube.yml.
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    /// `"GET /path?query cert=true"` per request, in arrival order.
    pub log: Arc<Mutex<Vec<String>>>,
    /// List pages answered 200 (authorized list requests).
    pub pages_served: Arc<AtomicUsize>,
    /// TCP connections accepted (keep-alive: far fewer than requests).
    pub connections: Arc<AtomicUsize>,
    /// HTTP requests answered, over all connections.
    pub requests: Arc<AtomicUsize>,
    pub opts: Options,
    cluster: Arc<Cluster>,
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
}

/// Every list the server answers (the collector's lists, and the RBAC/storage/network ones).
pub const LIST_PATHS: &[&str] = &[
    "/api/v1/namespaces",
    "/api/v1/pods",
    "/api/v1/services",
    "/api/v1/resourcequotas",
    "/api/v1/nodes",
    "/api/v1/serviceaccounts",
    "/api/v1/persistentvolumes",
    "/api/v1/replicationcontrollers",
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "/apis/rbac.authorization.k8s.io/v1/rolebindings",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "/apis/rbac.authorization.k8s.io/v1/roles",
    "/apis/storage.k8s.io/v1/storageclasses",
    "/apis/networking.k8s.io/v1/networkpolicies",
    "/apis/apps/v1/deployments",
    "/apis/apps/v1/statefulsets",
    "/apis/apps/v1/daemonsets",
    "/apis/apps/v1/replicasets",
    "/apis/batch/v1/jobs",
    "/apis/batch/v1/cronjobs",
];

/// (V- id, subject the finding must name, what was planted): the kubeadm shape's violations.
/// Pods are named `namespace/name`, nodes by node name, static pods by pod name, and the
/// outdated-image rule by the image repository running at two tags.
pub const PLANTED: &[(&str, &str, &str)] = &[
    ("V-242378", "kube-apiserver-cp-1", "--tls-min-version=VersionTLS11"),
    ("V-242409", "kube-controller-manager-cp-1", "--profiling=true"),
    ("V-242379", "etcd-cp-1", "--auto-tls=true"),
    ("V-242397", "cp-1", "staticPodPath: /etc/kubernetes/manifests"),
    ("V-242387", "worker-2", "readOnlyPort: 10255"),
    ("V-242391", "worker-2", "authentication.anonymous.enabled: true"),
    ("V-242383", "default/debug-shell", "a user pod in the default namespace"),
    ("V-242414", "team-a/legacy-web", "hostPort: 80"),
    ("V-242415", "team-a/api-0", "env DB_PASSWORD from secretKeyRef api-db/password"),
    ("V-242395", "kubernetes-dashboard/kubernetes-dashboard-5c8f", "label k8s-app=kubernetes-dashboard"),
    ("V-242442", "registry.example.mil/team-a/web", "tags 1.4 and 1.5 both running"),
];

/// The pod-level violations every shape plants in the API.
const PLANTED_PODS: &[(&str, &str, &str)] = &[
    ("V-242383", "default/debug-shell", "a user pod in the default namespace"),
    ("V-242414", "team-a/legacy-web", "hostPort: 80"),
    ("V-242415", "team-a/api-0", "env DB_PASSWORD from secretKeyRef api-db/password"),
    ("V-242395", "kubernetes-dashboard/kubernetes-dashboard-5c8f", "label k8s-app=kubernetes-dashboard"),
    ("V-242442", "registry.example.mil/team-a/web", "tags 1.4 and 1.5 both running"),
];

/// The node whose kubelet carries the planted kubelet violations (the second worker).
pub const EKS_WORKER_2: &str = "ip-10-0-1-5.us-gov-west-1.compute.internal";

/// The violations a shape plants, as (V- id, subject the finding must name, what).
pub fn planted(shape: Shape) -> Vec<(&'static str, &'static str, &'static str)> {
    let kubelet = |node: &'static str| vec![("V-242387", node, "readOnlyPort: 10255"), ("V-242391", node, "authentication.anonymous.enabled: true")];
    let mut v = match shape {
        Shape::Kubeadm => return PLANTED.to_vec(),
        Shape::Managed => kubelet(EKS_WORKER_2),
        Shape::Mke => {
            let mut v = vec![
                ("V-242378", "ucp-kube-apiserver", "--tls-min-version=VersionTLS11"),
                ("V-242409", "ucp-kube-controller-manager", "--profiling=true"),
                ("V-242379", "ucp-kv", "--auto-tls=true"),
            ];
            v.extend(kubelet("mke-worker-2"));
            v
        }
    };
    v.extend_from_slice(PLANTED_PODS);
    v
}

/// Node `i` (0-based) of a shape: kubeadm `cp-1`, `worker-1`..; EKS `ip-10-0-S-H.<region>`;
/// MKE `mke-manager-1`, `mke-worker-1`..
pub fn node_name(shape: Shape, i: usize) -> String {
    match shape {
        Shape::Kubeadm if i == 0 => "cp-1".into(),
        Shape::Kubeadm => format!("worker-{i}"),
        Shape::Managed => format!("ip-10-0-{}-{}.us-gov-west-1.compute.internal", 1 + i / 250, 4 + i % 250),
        Shape::Mke if i == 0 => "mke-manager-1".into(),
        Shape::Mke => format!("mke-worker-{i}"),
    }
}

impl KubeServer {
    pub fn start(dir: &Path, opts: Options) -> KubeServer {
        assert!(opts.nodes >= 3, "at least 3 nodes (a control plane and worker-2)");
        // CA, server and client certificates, as a cluster's PKI and an admin kubeconfig have.
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "kubernetes");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>, eku: ExtendedKeyUsagePurpose, cn: &str, org: Option<&str>| {
            let key = KeyPair::generate().unwrap();
            let mut p = CertificateParams::new(names).unwrap();
            p.extended_key_usages = vec![eku];
            p.distinguished_name.push(DnType::CommonName, cn);
            if let Some(o) = org {
                p.distinguished_name.push(DnType::OrganizationName, o);
            }
            (p.signed_by(&key, &issuer).unwrap(), key)
        };
        let (srv_cert, srv_key) = leaf(
            vec!["localhost".into(), "127.0.0.1".into(), "kubernetes".into(), "kubernetes.default.svc".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
            "kube-apiserver",
            None,
        );
        // kubeadm's admin.conf identity (1.29: the kubeadm:cluster-admins group).
        let (cli_cert, cli_key) = leaf(vec![], ExtendedKeyUsagePurpose::ClientAuth, "kubernetes-admin", Some("kubeadm:cluster-admins"));

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
        std::fs::write(dir.join("cert.pem"), cli_cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), cli_key.serialize_pem()).unwrap();
        let (cluster_name, user) = match opts.shape {
            Shape::Kubeadm => ("kubernetes", "kubernetes-admin"),
            Shape::Managed => ("arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/stig-test", "stig-test-admin"),
            Shape::Mke => ("ucp_127.0.0.1:6443_admin", "ucp_127.0.0.1:6443_admin"),
        };
        let kubeconfig = dir.join("kube.yml");
        // Relative file names, as an MKE bundle's kube.yml has: the collector resolves them.
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: \"{cluster_name}\"\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority: ca.pem\nusers:\n- name: \"{user}\"\n  user:\n    client-certificate: cert.pem\n    client-key: key.pem\ncontexts:\n- name: \"{user}@{cluster_name}\"\n  context:\n    cluster: \"{cluster_name}\"\n    user: \"{user}\"\ncurrent-context: \"{user}@{cluster_name}\"\n",
                port = addr.port()
            ),
        )
        .unwrap();

        // Client certificates are optional at the TLS layer, as on a real API server: a request
        // without one is anonymous and answered according to `opts.anonymous`.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca_cert.der().clone()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).allow_unauthenticated().build().unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(srv_cert.pem().as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(srv_key.serialize_pem().as_bytes()).unwrap(),
            )
            .unwrap();
        let config = Arc::new(config);

        let cluster = Arc::new(Cluster::new(opts.clone()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let pages_served = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Shared { cluster: cluster.clone(), log: log.clone(), pages_served: pages_served.clone(), requests: requests.clone() };
        let (conns, stop2) = (connections.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                conns.fetch_add(1, Ordering::SeqCst);
                let (config, shared) = (config.clone(), shared.clone());
                // A thread per connection: the collector keeps one connection alive for
                // thousands of configz calls, and other clients may connect meanwhile.
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, config, &shared);
                });
            }
        });
        KubeServer { url: format!("https://127.0.0.1:{}", addr.port()), dir: dir.to_path_buf(), kubeconfig, log, pages_served, connections, requests, opts, cluster, stop, addr }
    }

    /// The node names, in the order the node list gives them.
    pub fn node_names(&self) -> Vec<String> {
        self.cluster.nodes.clone()
    }

    /// How many items a list holds (`None` for a path the server does not list).
    pub fn list_len(&self, path: &str) -> Option<usize> {
        self.cluster.list(path).map(List::len)
    }

    /// Pages a client reading `path` with `limit` must ask for (an empty list is one page).
    pub fn expected_pages(&self, path: &str, limit: usize) -> Option<usize> {
        self.list_len(path).map(|n| n.div_ceil(limit).max(1))
    }

    /// Authorized requests for `path` (a list, with any query) received so far.
    pub fn requests_for(&self, path: &str) -> usize {
        let (a, b) = (format!("GET {path}?"), format!("GET {path} "));
        self.log.lock().unwrap().iter().filter(|l| (l.starts_with(&a) || l.starts_with(&b)) && l.ends_with("cert=true")).count()
    }
}

impl Drop for KubeServer {
    /// Stops accepting (a last connection wakes the accept loop); open connections end when
    /// their clients close them.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

// ------------------------------------------------------------------------------------------
// HTTP/1.1 over rustls: keep-alive, Content-Length bodies
// ------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Shared {
    cluster: Arc<Cluster>,
    log: Arc<Mutex<Vec<String>>>,
    pages_served: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

struct Answer {
    status: u16,
    ctype: &'static str,
    body: Vec<u8>,
}

fn serve_connection(stream: TcpStream, config: Arc<rustls::ServerConfig>, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    // One buffered reader for the connection's life: bytes of a pipelined next request stay in
    // its buffer between iterations.
    let mut reader = BufReader::with_capacity(16 * 1024, rustls::StreamOwned::new(conn, stream));
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(()); // the client closed the connection
        }
        if line.trim().is_empty() {
            continue; // a stray CRLF between requests is allowed (RFC 9112 §2.2)
        }
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
                break;
            }
            if let Some((k, v)) = h.trim_end().split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        std::io::copy(&mut (&mut reader).take(len as u64), &mut std::io::sink())?;
        let mut parts = line.split_whitespace();
        let (method, target, version) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/").to_string(), parts.next().unwrap_or("HTTP/1.1"));
        let close = headers.get("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) || version == "HTTP/1.0";
        let cert = reader.get_ref().conn.peer_certificates().is_some_and(|c| !c.is_empty());
        shared.log.lock().unwrap().push(format!("{method} {target} cert={cert}"));
        shared.requests.fetch_add(1, Ordering::SeqCst);

        let answer = answer(shared, method, &target, cert);
        let reason = match answer.status {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "Unknown",
        };
        let audit_id = uuid::Uuid::new_v4();
        let head = format!(
            "HTTP/1.1 {} {reason}\r\nAudit-Id: {audit_id}\r\nCache-Control: no-cache, private\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\r\n",
            answer.status,
            answer.ctype,
            answer.body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        // Head and body in one write: one TLS record sequence, no small-packet stalls.
        let mut out = Vec::with_capacity(head.len() + answer.body.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&answer.body);
        let tls = reader.get_mut();
        tls.write_all(&out)?;
        tls.flush()?;
        if close {
            tls.conn.send_close_notify();
            return tls.flush();
        }
    }
}

fn status(code: u16, reason: &str, message: &str, details: Value) -> Answer {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "details": details, "code": code});
    Answer { status: code, ctype: "application/json", body: serde_json::to_vec(&body).unwrap() }
}

fn ok_json(body: Vec<u8>) -> Answer {
    Answer { status: 200, ctype: "application/json", body }
}

fn answer(shared: &Shared, method: &str, target: &str, cert: bool) -> Answer {
    let c = &shared.cluster;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(k).and_then(|r| r.strip_prefix('='))).map(str::to_string);
    if !cert {
        // Anonymous: what the API server's authenticator and authorizer would answer.
        let public = matches!(path, "/version" | "/healthz" | "/readyz" | "/livez");
        match c.opts.anonymous {
            Anonymous::Refused401 => return status(401, "Unauthorized", "Unauthorized", json!(null)).without_details(),
            Anonymous::Allowed200 if public => {}
            Anonymous::Allowed200 | Anonymous::Forbidden403 => return forbidden_anonymous(c, method, path),
        }
    }
    if method != "GET" {
        return status(405, "MethodNotAllowed", &format!("the server does not allow this method on the requested resource ({method} {path})"), json!({}));
    }
    match path {
        "/version" => return ok_json(c.version_body.clone().into_bytes()),
        "/healthz" | "/readyz" | "/livez" => return Answer { status: 200, ctype: "text/plain; charset=utf-8", body: b"ok".to_vec() },
        _ => {}
    }
    if let Some(node) = path.strip_prefix("/api/v1/nodes/").and_then(|p| p.strip_suffix("/proxy/configz")) {
        return match c.node_index.get(node) {
            Some(&i) => ok_json(serde_json::to_vec(&configz(c, i)).unwrap()),
            None => status(404, "NotFound", &format!("nodes \"{node}\" not found"), json!({"name": node, "kind": "nodes"})),
        };
    }
    let Some(list) = c.list(path) else {
        return status(404, "NotFound", "the server could not find the requested resource", json!({}));
    };
    let limit = param("limit").and_then(|l| l.parse::<usize>().ok()).filter(|&l| l > 0);
    let offset = match param("continue").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match t.parse::<usize>() {
            Ok(o) if o <= list.len() => o,
            _ => return status(400, "BadRequest", &format!("continue key is not valid: {t}"), json!({})),
        },
    };
    shared.pages_served.fetch_add(1, Ordering::SeqCst);
    ok_json(list.page(c, offset, limit))
}

impl Answer {
    /// A 401 Status carries no `details`, as the API server's.
    fn without_details(self) -> Answer {
        let mut v: Value = serde_json::from_slice(&self.body).unwrap();
        v.as_object_mut().unwrap().remove("details");
        Answer { body: serde_json::to_vec(&v).unwrap(), ..self }
    }
}

/// The 403 the RBAC authorizer gives `system:anonymous`: a resource message for lists and the
/// node proxy, a non-resource one for other paths.
fn forbidden_anonymous(c: &Cluster, method: &str, path: &str) -> Answer {
    let verb = if method == "GET" { "get" } else { "create" };
    if let Some(node) = path.strip_prefix("/api/v1/nodes/").and_then(|p| p.strip_suffix("/proxy/configz")) {
        let msg = format!("nodes \"{node}\" is forbidden: User \"system:anonymous\" cannot {verb} resource \"nodes/proxy\" in API group \"\" at the cluster scope");
        return status(403, "Forbidden", &msg, json!({"name": node, "kind": "nodes"}));
    }
    if let Some(list) = c.list(path) {
        let msg = format!("{r} is forbidden: User \"system:anonymous\" cannot list resource \"{r}\" in API group \"{g}\" at the cluster scope", r = list.resource, g = list.group);
        return status(403, "Forbidden", &msg, json!({"kind": list.resource}));
    }
    status(403, "Forbidden", &format!("forbidden: User \"system:anonymous\" cannot {verb} path \"{path}\""), json!({}))
}

// ------------------------------------------------------------------------------------------
// The cluster: lists of fixed items followed by generated ones
// ------------------------------------------------------------------------------------------

/// A generated item: the list's `i`-th generated object.
type Gen = fn(&Cluster, usize) -> Value;

struct List {
    path: &'static str,
    /// Resource and API group, as RBAC messages name them.
    resource: &'static str,
    group: &'static str,
    kind: &'static str,
    api_version: &'static str,
    /// Hand-written items, serialized once.
    fixed: Vec<String>,
    generated: usize,
    gen: Option<Gen>,
}

impl List {
    fn len(&self) -> usize {
        self.fixed.len() + self.generated
    }

    /// Items `offset..offset+limit`: fixed ones from memory, generated ones built now. The
    /// continue token is the next offset; the last page has none (the API server omits an
    /// empty `continue`), and `remainingItemCount` is set on the others, as a real server does.
    fn page(&self, c: &Cluster, offset: usize, limit: Option<usize>) -> Vec<u8> {
        let end = limit.map_or(self.len(), |l| (offset + l).min(self.len()));
        let mut out = Vec::with_capacity((end - offset) * 1024 + 256);
        write!(out, r#"{{"kind":"{}","apiVersion":"{}","metadata":{{"resourceVersion":"{}""#, self.kind, self.api_version, c.resource_version).unwrap();
        if end < self.len() {
            write!(out, r#","continue":"{end}","remainingItemCount":{}"#, self.len() - end).unwrap();
        }
        out.extend_from_slice(br#"},"items":["#);
        for i in offset..end {
            if i > offset {
                out.push(b',');
            }
            match self.fixed.get(i) {
                Some(s) => out.extend_from_slice(s.as_bytes()),
                None => serde_json::to_writer(&mut out, &(self.gen.expect("generated items have a generator"))(c, i - self.fixed.len())).unwrap(),
            }
        }
        out.extend_from_slice(b"]}");
        out
    }
}

struct Cluster {
    opts: Options,
    nodes: Vec<String>,
    node_index: HashMap<String, usize>,
    lists: Vec<List>,
    version_body: String,
    /// One resourceVersion for every list: a paged list is a consistent snapshot.
    resource_version: u64,
}

impl Cluster {
    fn new(opts: Options) -> Cluster {
        let nodes: Vec<String> = (0..opts.nodes).map(|i| node_name(opts.shape, i)).collect();
        let node_index = nodes.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let version_body = version_body(&opts);
        let mut c = Cluster { opts, nodes, node_index, lists: Vec::new(), version_body, resource_version: 48_213_097 };
        c.lists = build_lists(&c);
        c
    }

    fn list(&self, path: &str) -> Option<&List> {
        self.lists.iter().find(|l| l.path == path)
    }

    fn v(&self) -> bool {
        self.opts.violations
    }

    fn shape(&self) -> Shape {
        self.opts.shape
    }

    /// The version without a distribution suffix: "v1.29.3-eks-adc7111" -> "v1.29.3".
    fn upstream_version(&self) -> String {
        self.opts.version.split('-').next().unwrap_or("v1.29.3").to_string()
    }

    fn kubelet_version(&self) -> String {
        match self.shape() {
            Shape::Kubeadm | Shape::Mke => self.opts.version.clone(),
            Shape::Managed => format!("{}-eks-5e0fdde", self.upstream_version()),
        }
    }

    /// Nodes that run user pods: every node but the control plane (all of them on EKS).
    fn workers(&self) -> std::ops::Range<usize> {
        match self.shape() {
            Shape::Managed => 0..self.nodes.len(),
            Shape::Kubeadm | Shape::Mke => 1..self.nodes.len(),
        }
    }

    /// The node of the planted kubelet violations: the second worker.
    fn worker_2(&self) -> usize {
        self.workers().start + 1
    }

    fn daemons(&self) -> &'static [Daemon] {
        match self.shape() {
            Shape::Kubeadm => &[Daemon::KubeProxy],
            Shape::Managed => &[Daemon::AwsNode, Daemon::KubeProxy],
            Shape::Mke => &[Daemon::CalicoNode],
        }
    }

    /// Generated Deployments: 3 replicas each, over the generated user pods.
    fn apps(&self) -> usize {
        self.opts.pods.div_ceil(3)
    }

    fn runtime(&self) -> &'static str {
        if self.shape() == Shape::Mke {
            "docker"
        } else {
            "containerd"
        }
    }
}

fn version_body(opts: &Options) -> String {
    let mut parts = opts.version.trim_start_matches('v').split(['.', '-']);
    let major = parts.next().unwrap_or("1").to_string();
    let mut minor = parts.next().unwrap_or("29").to_string();
    // EKS reports "29+" (its builds carry patches beyond the upstream minor).
    if opts.shape == Shape::Managed {
        minor.push('+');
    }
    let (commit, date, go) = match opts.shape {
        Shape::Kubeadm => ("6813625b7cd706db5bc7388921be03071e1a492d", "2024-03-14T23:58:36Z", "go1.21.8"),
        Shape::Managed => ("2f2a5e2d2c5bb4e1f5a0f8f3b58e1cb1e2cc0a01", "2024-04-30T23:53:58Z", "go1.21.9"),
        Shape::Mke => ("b1d8ea1b2b3c57f0a1e4b9d1e0c5f7a3d2c6e8f4", "2023-11-20T15:33:08Z", "go1.20.11"),
    };
    serde_json::to_string(&json!({
        "major": major, "minor": minor, "gitVersion": opts.version, "gitCommit": commit, "gitTreeState": "clean",
        "buildDate": date, "goVersion": go, "compiler": "gc", "platform": "linux/amd64"
    }))
    .unwrap()
}

fn build_lists(c: &Cluster) -> Vec<List> {
    fn list(path: &'static str, resource: &'static str, group: &'static str, kind: &'static str, api_version: &'static str, fixed: Vec<Value>) -> List {
        List { path, resource, group, kind, api_version, fixed: fixed.iter().map(|v| serde_json::to_string(v).unwrap()).collect(), generated: 0, gen: None }
    }
    fn generated(mut l: List, n: usize, gen: Gen) -> List {
        l.generated = n;
        l.gen = Some(gen);
        l
    }
    let rbac = "rbac.authorization.k8s.io/v1";
    let daemon_pods = c.nodes.len() * c.daemons().len();
    vec![
        list("/api/v1/namespaces", "namespaces", "", "NamespaceList", "v1", namespaces(c)),
        generated(list("/api/v1/pods", "pods", "", "PodList", "v1", fixed_pods(c)), daemon_pods + c.opts.pods, gen_pod),
        generated(list("/api/v1/services", "services", "", "ServiceList", "v1", services(c)), c.apps(), gen_service),
        list("/api/v1/resourcequotas", "resourcequotas", "", "ResourceQuotaList", "v1", quotas(c)),
        generated(list("/api/v1/nodes", "nodes", "", "NodeList", "v1", vec![]), c.nodes.len(), node),
        list("/api/v1/serviceaccounts", "serviceaccounts", "", "ServiceAccountList", "v1", service_accounts(c)),
        list("/api/v1/persistentvolumes", "persistentvolumes", "", "PersistentVolumeList", "v1", persistent_volumes(c)),
        list("/api/v1/replicationcontrollers", "replicationcontrollers", "", "ReplicationControllerList", "v1", vec![]),
        list("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "clusterrolebindings", "rbac.authorization.k8s.io", "ClusterRoleBindingList", rbac, cluster_role_bindings(c)),
        list("/apis/rbac.authorization.k8s.io/v1/rolebindings", "rolebindings", "rbac.authorization.k8s.io", "RoleBindingList", rbac, role_bindings(c)),
        list("/apis/rbac.authorization.k8s.io/v1/clusterroles", "clusterroles", "rbac.authorization.k8s.io", "ClusterRoleList", rbac, cluster_roles(c)),
        list("/apis/rbac.authorization.k8s.io/v1/roles", "roles", "rbac.authorization.k8s.io", "RoleList", rbac, roles(c)),
        list("/apis/storage.k8s.io/v1/storageclasses", "storageclasses", "storage.k8s.io", "StorageClassList", "storage.k8s.io/v1", storage_classes(c)),
        list("/apis/networking.k8s.io/v1/networkpolicies", "networkpolicies", "networking.k8s.io", "NetworkPolicyList", "networking.k8s.io/v1", network_policies()),
        generated(list("/apis/apps/v1/deployments", "deployments", "apps", "DeploymentList", "apps/v1", deployments(c)), c.apps(), gen_deployment),
        list("/apis/apps/v1/statefulsets", "statefulsets", "apps", "StatefulSetList", "apps/v1", vec![statefulset_api(c)]),
        list("/apis/apps/v1/daemonsets", "daemonsets", "apps", "DaemonSetList", "apps/v1", daemonsets(c)),
        generated(list("/apis/apps/v1/replicasets", "replicasets", "apps", "ReplicaSetList", "apps/v1", replicasets(c)), c.apps(), gen_replicaset),
        list("/apis/batch/v1/jobs", "jobs", "batch", "JobList", "batch/v1", vec![job()]),
        list("/apis/batch/v1/cronjobs", "cronjobs", "batch", "CronJobList", "batch/v1", vec![cronjob()]),
    ]
}

// ------------------------------------------------------------------------------------------
// Deterministic "random" parts: uids, name suffixes, hashes, times
// ------------------------------------------------------------------------------------------

/// FNV-1a: stable across runs, so the same options always give the same bytes.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Kubernetes' name-suffix alphabet (no vowels, no 0/1/3: apimachinery's rand.String).
fn suffix(seed: &str, n: usize) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv(seed);
    (0..n)
        .map(|_| {
            h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x632B_E59B_D9B4_E019);
            ALPHA[((h >> 33) % ALPHA.len() as u64) as usize] as char
        })
        .collect()
}

fn uid(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

fn hex64(key: &str) -> String {
    sha2::Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Cluster creation (kubeadm init) plus `secs`.
fn ts(secs: u64) -> String {
    let base = 1_710_753_164; // 2024-03-18T09:12:44Z
    chrono::DateTime::from_timestamp(base + secs as i64, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn rv(key: &str) -> String {
    (1_000 + fnv(key) % 48_000_000).to_string()
}

/// Metadata as the API server returns it (empty labels/annotations omitted).
fn meta(ns: Option<&str>, name: &str, kind: &str, created: u64, labels: Value, annotations: Value) -> Value {
    let key = format!("{kind}/{}/{name}", ns.unwrap_or(""));
    let mut m = json!({"name": name});
    if let Some(ns) = ns {
        m["namespace"] = ns.into();
    }
    m["uid"] = uid(&key).into();
    m["resourceVersion"] = rv(&key).into();
    m["creationTimestamp"] = ts(created).into();
    if labels.as_object().is_some_and(|l| !l.is_empty()) {
        m["labels"] = labels;
    }
    if annotations.as_object().is_some_and(|a| !a.is_empty()) {
        m["annotations"] = annotations;
    }
    m
}

fn owner(api_version: &str, kind: &str, ns: &str, name: &str) -> Value {
    json!([{"apiVersion": api_version, "kind": kind, "name": name, "uid": uid(&format!("{kind}/{ns}/{name}")), "controller": true, "blockOwnerDeletion": true}])
}

// ------------------------------------------------------------------------------------------
// Nodes and kubelet configz
// ------------------------------------------------------------------------------------------

fn node_ip(shape: Shape, i: usize) -> String {
    match shape {
        Shape::Kubeadm => format!("10.0.{}.{}", i / 250, 10 + i % 250),
        Shape::Managed => format!("10.0.{}.{}", 1 + i / 250, 4 + i % 250),
        Shape::Mke => format!("10.10.{}.{}", 1 + i / 250, 11 + i % 250),
    }
}

fn node(c: &Cluster, i: usize) -> Value {
    let name = &c.nodes[i];
    let ip = node_ip(c.shape(), i);
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"
    });
    let mut annotations = json!({"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"});
    let mut spec = json!({"podCIDR": format!("10.244.{}.0/24", i % 256), "podCIDRs": [format!("10.244.{}.0/24", i % 256)]});
    let (os_image, kernel, runtime) = match c.shape() {
        Shape::Kubeadm => {
            annotations["kubeadm.alpha.kubernetes.io/cri-socket"] = "unix:///var/run/containerd/containerd.sock".into();
            if i == 0 {
                labels["node-role.kubernetes.io/control-plane"] = "".into();
                labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "".into();
                spec["taints"] = json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]);
            }
            ("Ubuntu 22.04.4 LTS", "5.15.0-101-generic", "containerd://1.7.13")
        }
        Shape::Managed => {
            let zone = format!("us-gov-west-1{}", ["a", "b", "c"][i % 3]);
            for (k, v) in [
                ("beta.kubernetes.io/instance-type", "m5.xlarge"),
                ("eks.amazonaws.com/capacityType", "ON_DEMAND"),
                ("eks.amazonaws.com/nodegroup", "general"),
                ("eks.amazonaws.com/nodegroup-image", "ami-0b5c2e6e1a0e3f9d7"),
                ("eks.amazonaws.com/sourceLaunchTemplateId", "lt-0a7f3c9e2b1d4f6a8"),
                ("eks.amazonaws.com/sourceLaunchTemplateVersion", "1"),
                ("failure-domain.beta.kubernetes.io/region", "us-gov-west-1"),
                ("failure-domain.beta.kubernetes.io/zone", zone.as_str()),
                ("k8s.io/cloud-provider-aws", "9a1d6f0c0f6e4b3a8c2e5d7b1f3a9c4e"),
                ("node.kubernetes.io/instance-type", "m5.xlarge"),
                ("topology.ebs.csi.aws.com/zone", zone.as_str()),
                ("topology.k8s.aws/zone-id", "usgw1-az1"),
                ("topology.kubernetes.io/region", "us-gov-west-1"),
                ("topology.kubernetes.io/zone", zone.as_str()),
            ] {
                labels[k] = v.into();
            }
            annotations["alpha.kubernetes.io/provided-node-ip"] = ip.clone().into();
            annotations["csi.volume.kubernetes.io/nodeid"] = format!("{{\"ebs.csi.aws.com\":\"i-0{}\"}}", &hex64(name)[..16]).into();
            spec = json!({"providerID": format!("aws:///{zone}/i-0{}", &hex64(name)[..16])});
            ("Amazon Linux 2", "5.10.214-202.855.amzn2.x86_64", "containerd://1.7.11")
        }
        Shape::Mke => {
            for k in ["com.docker.ucp.collection.root", "com.docker.ucp.collection.shared", "com.docker.ucp.collection.swarm", "com.docker.ucp.orchestrator.kubernetes", "com.docker.ucp.orchestrator.swarm"] {
                labels[k] = "true".into();
            }
            labels["com.docker.ucp.collection"] = "shared".into();
            labels["com.docker.ucp.access.label"] = "/".into();
            if i == 0 {
                labels["node-role.kubernetes.io/master"] = "".into();
                labels["com.docker.ucp.collection.system"] = "true".into();
                labels["com.docker.ucp.collection"] = "system".into();
            }
            annotations["projectcalico.org/IPv4Address"] = format!("{ip}/24").into();
            ("Ubuntu 22.04.4 LTS", "5.15.0-101-generic", "docker://23.0.9")
        }
    };
    let condition = |t: &str, s: &str, reason: &str, msg: &str| {
        json!({"type": t, "status": s, "lastHeartbeatTime": ts(8_640_000), "lastTransitionTime": ts(60), "reason": reason, "message": msg})
    };
    let kubelet_version = c.kubelet_version();
    json!({
        "metadata": meta(None, name, "Node", 30 + i as u64 * 60, labels, annotations),
        "spec": spec,
        "status": {
            "capacity": {"cpu": "4", "ephemeral-storage": "101430960Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "16370024Ki", "pods": "110"},
            "allocatable": {"cpu": "4", "ephemeral-storage": "93478772582", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "16267624Ki", "pods": "110"},
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status. AppArmor enabled"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": &hex64(&format!("machine/{name}"))[..32],
                "systemUUID": uid(&format!("system/{name}")),
                "bootID": uid(&format!("boot/{name}")),
                "kernelVersion": kernel, "osImage": os_image, "containerRuntimeVersion": runtime,
                "kubeletVersion": kubelet_version, "kubeProxyVersion": kubelet_version,
                "operatingSystem": "linux", "architecture": "amd64"
            }
        }
    })
}

/// kubelet's configz as kubeadm v1.29 writes it (defaults filled in, as the kubelet reports
/// them), STIG-hardened: no anonymous auth, webhook authn/authz, client CA, TLS 1.2 with the
/// STIG's cipher suites, protectKernelDefaults, a 5-minute streaming idle timeout, no static
/// pods. The EKS and MKE variants differ where those distributions differ (paths, DNS, socket).
const KUBELET_CONFIGZ: &str = r#"{
  "enableServer": true,
  "syncFrequency": "1m0s",
  "fileCheckFrequency": "20s",
  "httpCheckFrequency": "20s",
  "address": "0.0.0.0",
  "port": 10250,
  "readOnlyPort": 0,
  "tlsCertFile": "/var/lib/kubelet/pki/kubelet.crt",
  "tlsPrivateKeyFile": "/var/lib/kubelet/pki/kubelet.key",
  "tlsCipherSuites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"],
  "tlsMinVersion": "VersionTLS12",
  "rotateCertificates": true,
  "authentication": {
    "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
    "webhook": {"enabled": true, "cacheTTL": "2m0s"},
    "anonymous": {"enabled": false}
  },
  "authorization": {"mode": "Webhook", "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"}},
  "registryPullQPS": 5,
  "registryBurst": 10,
  "eventRecordQPS": 50,
  "eventBurst": 100,
  "enableDebuggingHandlers": true,
  "healthzPort": 10248,
  "healthzBindAddress": "127.0.0.1",
  "oomScoreAdj": -999,
  "clusterDomain": "cluster.local",
  "clusterDNS": ["10.96.0.10"],
  "streamingConnectionIdleTimeout": "5m0s",
  "nodeStatusUpdateFrequency": "10s",
  "nodeStatusReportFrequency": "5m0s",
  "nodeLeaseDurationSeconds": 40,
  "imageMinimumGCAge": "2m0s",
  "imageMaximumGCAge": "0s",
  "imageGCHighThresholdPercent": 85,
  "imageGCLowThresholdPercent": 80,
  "volumeStatsAggPeriod": "1m0s",
  "cgroupsPerQOS": true,
  "cgroupDriver": "systemd",
  "cpuManagerPolicy": "none",
  "cpuManagerReconcilePeriod": "10s",
  "memoryManagerPolicy": "None",
  "topologyManagerPolicy": "none",
  "topologyManagerScope": "container",
  "runtimeRequestTimeout": "2m0s",
  "hairpinMode": "promiscuous-bridge",
  "maxPods": 110,
  "podPidsLimit": -1,
  "resolvConf": "/run/systemd/resolve/resolv.conf",
  "cpuCFSQuota": true,
  "cpuCFSQuotaPeriod": "100ms",
  "nodeStatusMaxImages": 50,
  "maxOpenFiles": 1000000,
  "contentType": "application/vnd.kubernetes.protobuf",
  "kubeAPIQPS": 50,
  "kubeAPIBurst": 100,
  "serializeImagePulls": true,
  "evictionHard": {"imagefs.available": "15%", "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%"},
  "evictionPressureTransitionPeriod": "5m0s",
  "enableControllerAttachDetach": true,
  "protectKernelDefaults": true,
  "makeIPTablesUtilChains": true,
  "iptablesMasqueradeBit": 14,
  "iptablesDropBit": 15,
  "featureGates": {},
  "failSwapOn": true,
  "memorySwap": {},
  "containerLogMaxSize": "10Mi",
  "containerLogMaxFiles": 5,
  "configMapAndSecretChangeDetectionStrategy": "Watch",
  "enforceNodeAllocatable": ["pods"],
  "volumePluginDir": "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/",
  "logging": {"format": "text", "flushFrequency": "5s", "verbosity": 0, "options": {"json": {"infoBufferSize": "0"}}},
  "enableSystemLogHandler": true,
  "enableSystemLogQuery": false,
  "shutdownGracePeriod": "0s",
  "shutdownGracePeriodCriticalPods": "0s",
  "enableProfilingHandler": true,
  "enableDebugFlagsHandler": true,
  "seccompDefault": false,
  "memoryThrottlingFactor": 0.9,
  "registerNode": true,
  "localStorageCapacityIsolation": true,
  "containerRuntimeEndpoint": "unix:///var/run/containerd/containerd.sock"
}"#;

fn configz(c: &Cluster, i: usize) -> Value {
    let mut k: Value = serde_json::from_str(KUBELET_CONFIGZ).unwrap();
    match c.shape() {
        Shape::Kubeadm => {
            // kubeadm writes staticPodPath on every node; the STIG fails any. Compliant: removed
            // everywhere; violation: left on the control plane.
            if i == 0 && c.v() {
                k["staticPodPath"] = "/etc/kubernetes/manifests".into();
            }
        }
        Shape::Managed => {
            // EKS AMI kubelet-config.json, hardened: serving certificate from TLS bootstrap.
            // readOnlyPort is not set there, and configz omits a zero readOnlyPort (omitempty):
            // absent must read as disabled.
            let o = k.as_object_mut().unwrap();
            o.remove("readOnlyPort");
            o.insert("clusterDNS".into(), json!(["10.100.0.10"]));
            o.insert("featureGates".into(), json!({"RotateKubeletServerCertificate": true}));
            o.insert("serverTLSBootstrap".into(), true.into());
            o.insert("tlsCertFile".into(), "/var/lib/kubelet/pki/kubelet-server-current.pem".into());
            o.insert("tlsPrivateKeyFile".into(), "/var/lib/kubelet/pki/kubelet-server-current.pem".into());
            o.insert("maxPods".into(), 58.into());
            o.insert("kubeReserved".into(), json!({"cpu": "80m", "ephemeral-storage": "1Gi", "memory": "893Mi"}));
            o.insert("evictionHard".into(), json!({"memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%"}));
            o.insert("resolvConf".into(), "/etc/resolv.conf".into());
            o.insert("containerRuntimeEndpoint".into(), "unix:///run/containerd/containerd.sock".into());
            o.insert("providerID".into(), format!("aws:///us-gov-west-1{}/i-0{}", ["a", "b", "c"][i % 3], &hex64(&c.nodes[i])[..16]).into());
        }
        Shape::Mke => {
            // ucp-kubelet: MKE's node certificates, cri-dockerd, cgroupfs (MCR's default).
            let certs = "/var/lib/docker/ucp/ucp-node-certs";
            k["authentication"]["x509"]["clientCAFile"] = format!("{certs}/ca.pem").into();
            k["tlsCertFile"] = format!("{certs}/cert.pem").into();
            k["tlsPrivateKeyFile"] = format!("{certs}/key.pem").into();
            k["cgroupDriver"] = "cgroupfs".into();
            k["resolvConf"] = "/etc/resolv.conf".into();
            k["containerRuntimeEndpoint"] = "unix:///var/run/cri-dockerd.mirantis.sock".into();
        }
    }
    if c.v() && i == c.worker_2() {
        k["readOnlyPort"] = 10255.into();
        k["authentication"]["anonymous"]["enabled"] = true.into();
    }
    json!({"kubeletconfig": k})
}

// ------------------------------------------------------------------------------------------
// Pods
// ------------------------------------------------------------------------------------------

/// What a pod builder needs; everything else is filled in as the API server would.
struct PodArgs<'a> {
    ns: &'a str,
    name: String,
    node: usize,
    labels: Value,
    annotations: Value,
    /// (apiVersion, kind, name) of the controller.
    owner: Option<(&'a str, &'a str, String)>,
    containers: Vec<Value>,
    volumes: Vec<Value>,
    host_network: bool,
    priority_class: Option<&'a str>,
    /// None for static pods (no service account, no projected token volume).
    service_account: Option<&'a str>,
    tolerations: Value,
    created: u64,
    phase: &'a str,
}

impl<'a> PodArgs<'a> {
    fn new(ns: &'a str, name: String, node: usize) -> PodArgs<'a> {
        PodArgs {
            ns,
            name,
            node,
            labels: json!({}),
            annotations: json!({}),
            owner: None,
            containers: vec![],
            volumes: vec![],
            host_network: false,
            priority_class: None,
            service_account: Some("default"),
            tolerations: json!([
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
            ]),
            created: 3_600,
            phase: "Running",
        }
    }
}

/// A container as the API server returns it (defaults filled in).
fn container(name: &str, image: &str, extra: Value) -> Value {
    let mut c = json!({
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent", "resources": {},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        c[k] = v.clone();
    }
    c
}

/// A hardened user container: non-root, no privilege escalation, limits, one plain env value.
fn user_container(name: &str, image: &str, port: u16) -> Value {
    container(
        name,
        image,
        json!({
            "ports": [{"containerPort": port, "name": "http", "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "info"}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "runAsUser": 10001},
            "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
        }),
    )
}

fn pod(c: &Cluster, mut a: PodArgs) -> Value {
    let node = &c.nodes[a.node];
    let host_ip = node_ip(c.shape(), a.node);
    let pod_ip = if a.host_network { host_ip.clone() } else { format!("10.244.{}.{}", a.node % 256, 2 + fnv(&a.name) % 250) };
    let key = format!("Pod/{}/{}", a.ns, a.name);
    let mut metadata = meta(Some(a.ns), &a.name, "Pod", a.created, a.labels.take(), a.annotations.take());
    let mut volumes = std::mem::take(&mut a.volumes);
    if let Some((api, kind, name)) = &a.owner {
        metadata["ownerReferences"] = owner(api, kind, a.ns, name);
        if *kind != "StatefulSet" && *kind != "Node" {
            metadata["generateName"] = format!("{}-", a.name.rsplit_once('-').map_or(a.name.as_str(), |(p, _)| p)).into();
        }
    }
    if a.service_account.is_some() {
        // The projected service-account token volume every non-static pod gets.
        volumes.push(json!({"name": format!("kube-api-access-{}", suffix(&key, 5)), "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
        ]}}));
    }
    let api_access = volumes.iter().rev().find_map(|v| v["name"].as_str().filter(|n| n.starts_with("kube-api-access-")).map(str::to_string));
    let mut containers = std::mem::take(&mut a.containers);
    for ct in &mut containers {
        // The placeholder mount names the pod's actual token volume.
        for m in ct.get_mut("volumeMounts").and_then(Value::as_array_mut).into_iter().flatten() {
            if m["name"] == "kube-api-access" {
                m["name"] = api_access.clone().map_or(Value::Null, Value::String);
            }
        }
    }
    let (priority, preemption) = match a.priority_class {
        Some("system-node-critical") => (2_000_001_000, "PreemptLowerPriority"),
        Some("system-cluster-critical") => (2_000_000_000, "PreemptLowerPriority"),
        _ => (0, "PreemptLowerPriority"),
    };
    let mut spec = json!({
        "containers": containers,
        "dnsPolicy": if a.host_network { "ClusterFirstWithHostNet" } else { "ClusterFirst" },
        "enableServiceLinks": true,
        "nodeName": node,
        "preemptionPolicy": preemption,
        "priority": priority,
        "restartPolicy": if a.phase == "Succeeded" { "Never" } else { "Always" },
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
        "tolerations": a.tolerations,
        "volumes": volumes
    });
    if a.host_network {
        spec["hostNetwork"] = true.into();
    }
    if let Some(pc) = a.priority_class {
        spec["priorityClassName"] = pc.into();
    }
    if let Some(sa) = a.service_account {
        spec["serviceAccount"] = sa.into();
        spec["serviceAccountName"] = sa.into();
    } else {
        spec["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    }
    let running = a.phase == "Running";
    let statuses: Vec<Value> = spec["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ct| {
            let image = ct["image"].as_str().unwrap_or("");
            let state = if running {
                json!({"running": {"startedAt": ts(a.created + 20)}})
            } else {
                json!({"terminated": {"containerID": "", "exitCode": 0, "finishedAt": ts(a.created + 80), "reason": "Completed", "startedAt": ts(a.created + 20)}})
            };
            let container_id = format!("{}://{}", c.runtime(), hex64(&format!("{key}/{}", ct["name"])));
            let mut s = json!({
                "containerID": container_id,
                "image": image,
                "imageID": format!("{}@sha256:{}", image.split(':').next().unwrap_or(image), hex64(image)),
                "lastState": {}, "name": ct["name"], "ready": running, "restartCount": 0, "started": running, "state": state
            });
            if let Some(t) = s.pointer_mut("/state/terminated/containerID") {
                *t = container_id.clone().into();
            }
            s
        })
        .collect();
    let ready = if running { "True" } else { "False" };
    let cond = |t: &str, st: &str| json!({"lastProbeTime": null, "lastTransitionTime": ts(a.created + 21), "status": st, "type": t});
    json!({
        "metadata": metadata,
        "spec": spec,
        "status": {
            "conditions": [cond("PodReadyToStartContainers", ready), cond("Initialized", "True"), cond("Ready", ready), cond("ContainersReady", ready), cond("PodScheduled", "True")],
            "containerStatuses": statuses,
            "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "phase": a.phase,
            "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
            "qosClass": qos_class(&spec["containers"]),
            "startTime": ts(a.created + 1)
        }
    })
}

/// The QoS class the API server derives from the containers' requests and limits.
fn qos_class(containers: &Value) -> &'static str {
    let cs = containers.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let set = |c: &Value, k: &str| c["resources"][k].as_object().is_some_and(|o| !o.is_empty());
    let guaranteed = cs.iter().all(|c| {
        let (l, r) = (&c["resources"]["limits"], &c["resources"]["requests"]);
        l.get("cpu").is_some() && l.get("memory").is_some() && (r.is_null() || r == l)
    });
    if !cs.is_empty() && guaranteed {
        "Guaranteed"
    } else if cs.iter().any(|c| set(c, "limits") || set(c, "requests")) {
        "Burstable"
    } else {
        "BestEffort"
    }
}

/// A kubeadm control-plane mirror pod: `<component>-cp-1`, from /etc/kubernetes/manifests.
fn static_pod(c: &Cluster, component: &str, image: &str, command: Vec<String>, probe: (&str, u16, &str), mounts: &[(&str, &str, &str, bool)], cpu: &str) -> Value {
    let cp = &c.nodes[0];
    let name = format!("{component}-{cp}");
    let hash = &hex64(&format!("manifest/{component}/{}", c.v()))[..32];
    let mut annotations = json!({
        "kubernetes.io/config.hash": hash, "kubernetes.io/config.mirror": hash,
        "kubernetes.io/config.seen": ts(25), "kubernetes.io/config.source": "file"
    });
    match component {
        "kube-apiserver" => annotations["kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"] = format!("{}:6443", node_ip(c.shape(), 0)).into(),
        "etcd" => annotations["kubeadm.kubernetes.io/etcd.advertise-client-urls"] = format!("https://{}:2379", node_ip(c.shape(), 0)).into(),
        _ => {}
    }
    let (host, port, path) = probe;
    let scheme = if component == "etcd" { "HTTP" } else { "HTTPS" };
    let probe = |p: &str, failures: u32| {
        json!({"failureThreshold": failures, "httpGet": {"host": host, "path": p, "port": port, "scheme": scheme}, "initialDelaySeconds": 10, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 15})
    };
    let mut ct = container(
        component,
        image,
        json!({
            "command": command,
            "livenessProbe": probe(path, 8),
            "startupProbe": probe(path, 24),
            "resources": {"requests": {"cpu": cpu}},
            "volumeMounts": mounts.iter().map(|(n, p, _, ro)| if *ro { json!({"mountPath": p, "name": n, "readOnly": true}) } else { json!({"mountPath": p, "name": n}) }).collect::<Vec<_>>()
        }),
    );
    if component == "kube-apiserver" {
        ct["readinessProbe"] = json!({"failureThreshold": 3, "httpGet": {"host": host, "path": "/readyz", "port": port, "scheme": "HTTPS"}, "periodSeconds": 1, "successThreshold": 1, "timeoutSeconds": 15});
    }
    if component == "etcd" {
        ct["resources"] = json!({"requests": {"cpu": "100m", "memory": "100Mi"}});
    }
    let mut a = PodArgs::new("kube-system", name, 0);
    a.labels = json!({"component": component, "tier": "control-plane"});
    a.annotations = annotations;
    a.owner = Some(("v1", "Node", cp.clone()));
    a.containers = vec![ct];
    a.volumes = mounts.iter().map(|(n, _, p, _)| json!({"hostPath": {"path": p, "type": if p.ends_with(".yaml") || p.ends_with(".conf") { "FileOrCreate" } else { "DirectoryOrCreate" }}, "name": n})).collect();
    a.host_network = true;
    a.priority_class = Some("system-node-critical");
    a.service_account = None;
    a.tolerations = json!([{"effect": "NoExecute", "operator": "Exists"}]);
    a.created = 40;
    pod(c, a)
}

/// Flags as kubeadm writes them: the binary, then every flag sorted by name.
fn command(binary: &str, mut flags: Vec<String>) -> Vec<String> {
    flags.sort();
    std::iter::once(binary.to_string()).chain(flags).collect()
}

const STIG_CIPHERS: &str = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

fn kubeadm_control_plane(c: &Cluster) -> Vec<Value> {
    let ip = node_ip(c.shape(), 0);
    let cp = c.nodes[0].clone();
    let ver = c.upstream_version();
    let s = |v: &[&str]| v.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    let tls_min = if c.v() { "--tls-min-version=VersionTLS11" } else { "--tls-min-version=VersionTLS12" };
    let mut apiserver = s(&[
        "--admission-control-config-file=/etc/kubernetes/admission.yaml",
        "--allow-privileged=true",
        "--anonymous-auth=false",
        "--audit-log-maxage=30",
        "--audit-log-maxbackup=10",
        "--audit-log-maxsize=100",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--profiling=false",
        "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
        "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
        "--request-timeout=60s",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-lookup=true",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        tls_min,
    ]);
    apiserver.push(format!("--advertise-address={ip}"));
    apiserver.push(format!("--tls-cipher-suites={STIG_CIPHERS}"));
    let controller_manager = s(&[
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        if c.v() { "--profiling=true" } else { "--profiling=false" },
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-min-version=VersionTLS12",
        "--use-service-account-credentials=true",
    ]);
    let scheduler = s(&[
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
        "--profiling=false",
        "--tls-min-version=VersionTLS12",
    ]);
    let mut etcd = s(&[
        if c.v() { "--auto-tls=true" } else { "--auto-tls=false" },
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s",
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        "--listen-metrics-urls=http://127.0.0.1:2381",
        "--peer-auto-tls=false",
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-client-cert-auth=true",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--snapshot-count=10000",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ]);
    etcd.extend([
        format!("--advertise-client-urls=https://{ip}:2379"),
        format!("--initial-advertise-peer-urls=https://{ip}:2380"),
        format!("--initial-cluster={cp}=https://{ip}:2380"),
        format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
        format!("--listen-peer-urls=https://{ip}:2380"),
        format!("--name={cp}"),
    ]);
    let ca_mounts: &[(&str, &str, &str, bool)] = &[
        ("ca-certs", "/etc/ssl/certs", "/etc/ssl/certs", true),
        ("etc-ca-certificates", "/etc/ca-certificates", "/etc/ca-certificates", true),
        ("k8s-certs", "/etc/kubernetes/pki", "/etc/kubernetes/pki", true),
        ("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", "/usr/local/share/ca-certificates", true),
        ("usr-share-ca-certificates", "/usr/share/ca-certificates", "/usr/share/ca-certificates", true),
    ];
    let mut api_mounts = ca_mounts.to_vec();
    api_mounts.extend_from_slice(&[
        ("admission", "/etc/kubernetes/admission.yaml", "/etc/kubernetes/admission.yaml", true),
        ("audit-policy", "/etc/kubernetes/audit-policy.yaml", "/etc/kubernetes/audit-policy.yaml", true),
        ("audit-log", "/var/log/kubernetes/audit", "/var/log/kubernetes/audit", false),
    ]);
    let mut cm_mounts = ca_mounts.to_vec();
    cm_mounts.extend_from_slice(&[
        ("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", false),
        ("kubeconfig", "/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/controller-manager.conf", true),
    ]);
    vec![
        static_pod(c, "etcd", "registry.k8s.io/etcd:3.5.12-0", command("etcd", etcd), ("127.0.0.1", 2381, "/health?exclude=NOSPACE&serializable=true"), &[("etcd-certs", "/etc/kubernetes/pki/etcd", "/etc/kubernetes/pki/etcd", false), ("etcd-data", "/var/lib/etcd", "/var/lib/etcd", false)], "100m"),
        static_pod(c, "kube-apiserver", &format!("registry.k8s.io/kube-apiserver:{ver}"), command("kube-apiserver", apiserver), (&ip, 6443, "/livez"), &api_mounts, "250m"),
        static_pod(c, "kube-controller-manager", &format!("registry.k8s.io/kube-controller-manager:{ver}"), command("kube-controller-manager", controller_manager), ("127.0.0.1", 10257, "/healthz"), &cm_mounts, "200m"),
        static_pod(c, "kube-scheduler", &format!("registry.k8s.io/kube-scheduler:{ver}"), command("kube-scheduler", scheduler), ("127.0.0.1", 10259, "/healthz"), &[("kubeconfig", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/scheduler.conf", true)], "100m"),
    ]
}

/// Per-node DaemonSet pods of the shape's kube-system.
#[derive(Clone, Copy)]
enum Daemon {
    KubeProxy,
    AwsNode,
    CalicoNode,
}

const EKS_ECR: &str = "013241004608.dkr.ecr.us-gov-west-1.amazonaws.com";

impl Daemon {
    fn name(self) -> &'static str {
        match self {
            Daemon::KubeProxy => "kube-proxy",
            Daemon::AwsNode => "aws-node",
            Daemon::CalicoNode => "calico-node",
        }
    }

    fn image(self, c: &Cluster) -> String {
        match (self, c.shape()) {
            (Daemon::KubeProxy, Shape::Managed) => format!("{EKS_ECR}/eks/kube-proxy:{}-minimal-eksbuild.2", c.upstream_version()),
            (Daemon::KubeProxy, _) => format!("registry.k8s.io/kube-proxy:{}", c.upstream_version()),
            (Daemon::AwsNode, _) => format!("{EKS_ECR}/amazon-k8s-cni:v1.18.1-eksbuild.3"),
            (Daemon::CalicoNode, _) => "mirantis/ucp-calico-node:3.7.12".into(),
        }
    }

    /// The controller-revision-hash label value (stable per DaemonSet).
    fn revision(self) -> String {
        suffix(self.name(), 10)
    }
}

fn daemon_pod(c: &Cluster, d: Daemon, node: usize) -> Value {
    let name = format!("{}-{}", d.name(), suffix(&format!("{}/{}", d.name(), c.nodes[node]), 5));
    let mut a = PodArgs::new("kube-system", name, node);
    a.labels = json!({"k8s-app": d.name(), "controller-revision-hash": d.revision(), "pod-template-generation": "1"});
    a.owner = Some(("apps/v1", "DaemonSet", d.name().to_string()));
    a.host_network = true;
    a.priority_class = Some("system-node-critical");
    a.service_account = Some(d.name());
    a.tolerations = json!([{"operator": "Exists"}]);
    a.created = 120 + node as u64 * 60;
    let privileged = json!({"privileged": true});
    a.containers = vec![match d {
        Daemon::KubeProxy => container(
            "kube-proxy",
            &d.image(c),
            json!({
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "securityContext": privileged,
                "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"}, {"mountPath": "/run/xtables.lock", "name": "xtables-lock"}, {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true}, {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
            }),
        ),
        Daemon::AwsNode => container(
            "aws-node",
            &d.image(c),
            json!({
                // hostNetwork pods report hostPort = containerPort (61678: unprivileged).
                "ports": [{"containerPort": 61678, "hostPort": 61678, "name": "metrics", "protocol": "TCP"}],
                "env": [{"name": "AWS_VPC_K8S_CNI_LOGLEVEL", "value": "DEBUG"}, {"name": "AWS_VPC_ENI_MTU", "value": "9001"}, {"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "resources": {"requests": {"cpu": "25m"}},
                "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                "volumeMounts": [{"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"}, {"mountPath": "/host/etc/cni/net.d", "name": "cni-net-dir"}, {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
            }),
        ),
        Daemon::CalicoNode => container(
            "calico-node",
            &d.image(c),
            json!({
                "env": [{"name": "DATASTORE_TYPE", "value": "etcdv3"}, {"name": "ETCD_ENDPOINTS", "value": "https://10.10.1.11:12378"}, {"name": "CALICO_NETWORKING_BACKEND", "value": "bird"}, {"name": "NODENAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "resources": {"requests": {"cpu": "250m"}},
                "securityContext": privileged,
                "volumeMounts": [{"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true}, {"mountPath": "/var/run/calico", "name": "var-run-calico"}, {"mountPath": "/calico-secrets", "name": "etcd-certs"}, {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
            }),
        ),
    }];
    a.volumes = match d {
        Daemon::KubeProxy => vec![
            json!({"configMap": {"defaultMode": 420, "name": "kube-proxy"}, "name": "kube-proxy"}),
            json!({"hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}, "name": "xtables-lock"}),
            json!({"hostPath": {"path": "/lib/modules", "type": ""}, "name": "lib-modules"}),
        ],
        Daemon::AwsNode => vec![json!({"hostPath": {"path": "/opt/cni/bin", "type": ""}, "name": "cni-bin-dir"}), json!({"hostPath": {"path": "/etc/cni/net.d", "type": ""}, "name": "cni-net-dir"})],
        Daemon::CalicoNode => vec![
            json!({"hostPath": {"path": "/lib/modules", "type": ""}, "name": "lib-modules"}),
            json!({"hostPath": {"path": "/var/run/calico", "type": ""}, "name": "var-run-calico"}),
            json!({"name": "etcd-certs", "secret": {"defaultMode": 256, "secretName": "calico-etcd-secrets"}}),
        ],
    };
    pod(c, a)
}

/// A pod of a Deployment (through its ReplicaSet `<deploy>-<hash>`).
fn rs_pod(ns: &'static str, deploy: &str, hash: &str, replica: usize, node: usize, ct: Value, labels: Value) -> PodArgs<'static> {
    let rs = format!("{deploy}-{hash}");
    let name = format!("{rs}-{}", suffix(&format!("{ns}/{rs}/{replica}"), 5));
    let mut a = PodArgs::new(ns, name, node);
    let mut l = labels;
    l["pod-template-hash"] = hash.into();
    a.labels = l;
    a.owner = Some(("apps/v1", "ReplicaSet", rs));
    a.containers = vec![ct];
    a.created = 600 + replica as u64 * 7 + fnv(deploy) % 3_600;
    a
}

const COREDNS_HASH: &str = "76f75df574";

fn coredns_pods(c: &Cluster) -> Vec<Value> {
    let image = match c.shape() {
        Shape::Kubeadm => "registry.k8s.io/coredns/coredns:v1.11.1".to_string(),
        Shape::Managed => format!("{EKS_ECR}/eks/coredns:v1.11.1-eksbuild.9"),
        Shape::Mke => "mirantis/ucp-coredns:3.7.12".to_string(),
    };
    (0..2)
        .map(|r| {
            let ct = container(
                "coredns",
                &image,
                json!({
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}, {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                    "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": true},
                    "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": true}, {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]
                }),
            );
            // Nodes 0 and 1: the control plane and the first worker where there is a control
            // plane (coredns tolerates its taint), the first two workers on EKS.
            let node = r;
            let mut a = rs_pod("kube-system", "coredns", COREDNS_HASH, r, node, ct, json!({"k8s-app": "kube-dns"}));
            a.priority_class = Some("system-cluster-critical");
            a.service_account = Some("coredns");
            a.volumes = vec![json!({"configMap": {"defaultMode": 420, "items": [{"key": "Corefile", "path": "Corefile"}], "name": "coredns"}, "name": "config-volume"})];
            a.created = 90 + r as u64;
            pod(c, a)
        })
        .collect()
}

/// MKE's own kube-system pods besides calico-node and coredns.
fn mke_system_pods(c: &Cluster) -> Vec<Value> {
    let compose = container(
        "compose",
        "mirantis/ucp-compose:3.7.12",
        json!({"args": ["--kubeconfig", "", "--reconciliation-interval", "1m", "--healthz-check-port", "8080"], "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}, "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]}),
    );
    let mut compose = rs_pod("kube-system", "compose", "5d9f7b8c6f", 0, 0, compose, json!({"app": "compose"}));
    compose.service_account = Some("compose");
    compose.created = 150;
    let kc = container("calico-kube-controllers", "mirantis/ucp-calico-kube-controllers:3.7.12", json!({"env": [{"name": "ENABLED_CONTROLLERS", "value": "policy,namespace,serviceaccount,workloadendpoint,node"}], "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]}));
    let mut kc = rs_pod("kube-system", "calico-kube-controllers", "7c9b8d6f4b", 0, 0, kc, json!({"k8s-app": "calico-kube-controllers"}));
    kc.service_account = Some("calico-kube-controllers");
    kc.priority_class = Some("system-cluster-critical");
    kc.created = 140;
    // ucp-metrics: MKE's Prometheus, one per manager (a DaemonSet selecting managers).
    let metrics_name = format!("ucp-metrics-{}", suffix("ucp-metrics/mke-manager-1", 5));
    let mut m = PodArgs::new("kube-system", metrics_name, 0);
    m.labels = json!({"k8s-app": "ucp-metrics", "controller-revision-hash": suffix("ucp-metrics", 10), "pod-template-generation": "1"});
    m.owner = Some(("apps/v1", "DaemonSet", "ucp-metrics".into()));
    m.service_account = Some("ucp-metrics");
    m.created = 160;
    m.containers = vec![container(
        "ucp-metrics",
        "mirantis/ucp-metrics:3.7.12",
        json!({"args": ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/data", "--storage.tsdb.retention.time=24h"], "ports": [{"containerPort": 9090, "name": "http", "protocol": "TCP"}], "volumeMounts": [{"mountPath": "/data", "name": "metrics-data"}, {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]}),
    )];
    m.volumes = vec![json!({"hostPath": {"path": "/var/lib/docker/volumes/ucp-metrics-data/_data", "type": ""}, "name": "metrics-data"})];
    vec![pod(c, compose), pod(c, kc), pod(c, m)]
}

const WEB_HASH: &str = "6d8f7b9c4d";
const WEB_OLD_HASH: &str = "5b7c9d8e6f";

/// The hand-written user pods (team-a, team-b), planted or fixed, and the violation-only ones.
fn user_pods(c: &Cluster) -> Vec<Value> {
    let w = c.workers();
    let node = |k: usize| w.start + k % w.len();
    let web_labels = json!({"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "team-a"});
    let mut out = Vec::new();
    // web: two replicas on 1.5, or (violation) one left on 1.4 from an older ReplicaSet.
    let web1 = rs_pod("team-a", "web", WEB_HASH, 0, node(0), user_container("web", "registry.example.mil/team-a/web:1.5", 8080), web_labels.clone());
    out.push(pod(c, web1));
    let web2 = if c.v() {
        rs_pod("team-a", "web", WEB_OLD_HASH, 1, node(1), user_container("web", "registry.example.mil/team-a/web:1.4", 8080), web_labels)
    } else {
        rs_pod("team-a", "web", WEB_HASH, 1, node(1), user_container("web", "registry.example.mil/team-a/web:1.5", 8080), web_labels)
    };
    out.push(pod(c, web2));
    // legacy-web: a bare pod; the violation publishes a privileged host port.
    let mut legacy = PodArgs::new("team-a", "legacy-web".into(), node(2));
    legacy.labels = json!({"app": "legacy-web"});
    let mut ct = user_container("legacy-web", "registry.example.mil/team-a/legacy-web:2.3.0", 8080);
    if c.v() {
        ct["ports"] = json!([{"containerPort": 80, "hostPort": 80, "name": "http", "protocol": "TCP"}]);
    }
    legacy.containers = vec![ct];
    legacy.created = 2_000;
    out.push(pod(c, legacy));
    // api-0: the StatefulSet's pod; its database password from a Secret through env (violation)
    // or as a mounted file (compliant).
    let mut api = PodArgs::new("team-a", "api-0".into(), node(0));
    api.labels = json!({"app": "api", "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": format!("api-{}", suffix("api", 10)), "statefulset.kubernetes.io/pod-name": "api-0"});
    api.owner = Some(("apps/v1", "StatefulSet", "api".into()));
    api.service_account = Some("api");
    api.containers = vec![api_container(c)];
    api.volumes = vec![json!({"name": "data", "persistentVolumeClaim": {"claimName": "data-api-0"}})];
    if !c.v() {
        api.volumes.push(json!({"name": "db-credentials", "secret": {"defaultMode": 256, "secretName": "api-db"}}));
    }
    api.created = 2_400;
    out.push(pod(c, api));
    // billing (team-b) and the completed nightly report Job's pod.
    let billing = rs_pod("team-b", "billing", "84c6d9b7f5", 0, node(3), user_container("billing", "registry.example.mil/team-b/billing:2.1.0", 8080), json!({"app": "billing"}));
    out.push(pod(c, billing));
    let job = "nightly-report-28519200";
    let mut report = PodArgs::new("team-b", format!("{job}-{}", suffix(job, 5)), node(4));
    report.labels = json!({"batch.kubernetes.io/controller-uid": uid(&format!("Job/team-b/{job}")), "batch.kubernetes.io/job-name": job, "controller-uid": uid(&format!("Job/team-b/{job}")), "job-name": job});
    report.owner = Some(("batch/v1", "Job", job.into()));
    report.containers = vec![user_container("report", "registry.example.mil/team-b/report:1.0.3", 8080)];
    report.phase = "Succeeded";
    report.created = 86_400 * 5;
    out.push(pod(c, report));
    if c.v() {
        // A debugging shell left in the default namespace.
        let mut dbg = PodArgs::new("default", "debug-shell".into(), node(1));
        dbg.labels = json!({"run": "debug-shell"});
        dbg.containers = vec![container("debug-shell", "docker.io/library/busybox:1.36", json!({"command": ["sleep", "infinity"], "stdin": true, "tty": true, "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]}))];
        dbg.created = 86_400 * 6;
        out.push(pod(c, dbg));
        // The Kubernetes dashboard, started by hand.
        let mut dash = PodArgs::new("kubernetes-dashboard", "kubernetes-dashboard-5c8f".into(), node(2));
        dash.labels = json!({"k8s-app": "kubernetes-dashboard"});
        dash.service_account = Some("kubernetes-dashboard");
        dash.containers = vec![container(
            "kubernetes-dashboard",
            "docker.io/kubernetesui/dashboard:v2.7.0",
            json!({"args": ["--auto-generate-certificates", "--namespace=kubernetes-dashboard"], "ports": [{"containerPort": 8443, "protocol": "TCP"}], "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}]}),
        )];
        dash.created = 86_400 * 6 + 300;
        out.push(pod(c, dash));
    }
    out
}

fn api_container(c: &Cluster) -> Value {
    let mut ct = user_container("api", "registry.example.mil/team-a/api:3.2.1", 8443);
    if c.v() {
        ct["env"] = json!([{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "password", "name": "api-db"}}}]);
    } else {
        ct["env"] = json!([{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD_FILE", "value": "/var/run/secrets/db/password"}]);
        ct["volumeMounts"].as_array_mut().unwrap().push(json!({"mountPath": "/var/run/secrets/db", "name": "db-credentials", "readOnly": true}));
    }
    ct["volumeMounts"].as_array_mut().unwrap().push(json!({"mountPath": "/data", "name": "data"}));
    ct
}

fn fixed_pods(c: &Cluster) -> Vec<Value> {
    let mut out = Vec::new();
    if c.shape() == Shape::Kubeadm {
        out.extend(kubeadm_control_plane(c));
    }
    out.extend(coredns_pods(c));
    if c.shape() == Shape::Mke {
        out.extend(mke_system_pods(c));
    }
    out.extend(user_pods(c));
    out
}

/// Generated pods: first each node's DaemonSet pods, then the user pods of generated apps.
fn gen_pod(c: &Cluster, i: usize) -> Value {
    let d = c.daemons();
    let daemon_pods = c.nodes.len() * d.len();
    if i < daemon_pods {
        return daemon_pod(c, d[i % d.len()], i / d.len());
    }
    let i = i - daemon_pods;
    let k = i / 3;
    let app = App::of(k);
    let w = c.workers();
    let node = w.start + (i * 7 + k) % w.len();
    let mut a = rs_pod(app.ns, &app.name, &app.hash, i % 3, node, user_container(&app.name, &app.image, 8080), app.labels());
    a.created = 7_200 + i as u64 * 3;
    pod(c, a)
}

/// A generated user application: Deployment + ReplicaSet + Service, 3 pods.
struct App {
    ns: &'static str,
    name: String,
    hash: String,
    image: String,
}

impl App {
    fn of(k: usize) -> App {
        let ns = if k % 2 == 0 { "team-a" } else { "team-b" };
        let name = format!("svc-{k:05}");
        // One tag per image: generated apps never add an outdated-image finding.
        let image = format!("registry.example.mil/{ns}/{name}:1.{}.0", k % 9);
        App { ns, hash: suffix(&format!("{ns}/{name}"), 10), name, image }
    }

    fn labels(&self) -> Value {
        json!({"app.kubernetes.io/name": self.name, "app.kubernetes.io/part-of": self.ns})
    }
}

// ------------------------------------------------------------------------------------------
// Workloads
// ------------------------------------------------------------------------------------------

fn template(labels: &Value, containers: Vec<Value>, extra: Value) -> Value {
    let mut spec = json!({"containers": containers, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30});
    for (k, v) in extra.as_object().into_iter().flatten() {
        spec[k] = v.clone();
    }
    // Templates carry no service-account token mount: the admission plugin adds it to pods.
    for ct in spec["containers"].as_array_mut().unwrap() {
        if let Some(m) = ct.get_mut("volumeMounts").and_then(Value::as_array_mut) {
            m.retain(|m| m["name"] != "kube-api-access");
            if m.is_empty() {
                ct.as_object_mut().unwrap().remove("volumeMounts");
            }
        }
    }
    json!({"metadata": {"creationTimestamp": null, "labels": labels}, "spec": spec})
}

fn deployment(ns: &str, name: &str, replicas: u32, labels: Value, tmpl: Value, created: u64, generation: u64) -> Value {
    json!({
        "metadata": meta(Some(ns), name, "Deployment", created, labels.clone(), json!({"deployment.kubernetes.io/revision": generation.to_string()})),
        "spec": {
            "progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": labels},
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
            "template": tmpl
        },
        "status": {"availableReplicas": replicas, "observedGeneration": generation, "readyReplicas": replicas, "replicas": replicas, "updatedReplicas": replicas,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastTransitionTime": ts(created + 30), "lastUpdateTime": ts(created + 30)},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": format!("ReplicaSet \"{name}\" has successfully progressed."), "lastTransitionTime": ts(created), "lastUpdateTime": ts(created + 30)}
            ]}
    })
}

#[allow(clippy::too_many_arguments)]
fn replicaset(ns: &str, deploy: &str, hash: &str, replicas: u32, labels: &Value, tmpl: &Value, created: u64, revision: u64) -> Value {
    let name = format!("{deploy}-{hash}");
    let mut l = labels.clone();
    l["pod-template-hash"] = hash.into();
    let mut t = tmpl.clone();
    t["metadata"]["labels"]["pod-template-hash"] = hash.into();
    let mut m = meta(Some(ns), &name, "ReplicaSet", created, l.clone(), json!({"deployment.kubernetes.io/desired-replicas": replicas.to_string(), "deployment.kubernetes.io/max-replicas": (replicas + 1).to_string(), "deployment.kubernetes.io/revision": revision.to_string()}));
    m["ownerReferences"] = owner("apps/v1", "Deployment", ns, deploy);
    json!({
        "metadata": m,
        "spec": {"replicas": replicas, "selector": {"matchLabels": l}, "template": t},
        "status": {"availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1, "readyReplicas": replicas, "replicas": replicas}
    })
}

/// A fixed Deployment: (namespace, name, its ReplicaSets as (hash, replicas), labels, pod
/// template, created); the ReplicaSet list has an entry per hash.
type FixedDeployment = (&'static str, &'static str, Vec<(&'static str, u32)>, Value, Value, u64);

fn fixed_deployments(c: &Cluster) -> Vec<FixedDeployment> {
    let coredns_image = match c.shape() {
        Shape::Kubeadm => "registry.k8s.io/coredns/coredns:v1.11.1".to_string(),
        Shape::Managed => format!("{EKS_ECR}/eks/coredns:v1.11.1-eksbuild.9"),
        Shape::Mke => "mirantis/ucp-coredns:3.7.12".to_string(),
    };
    let coredns_labels = json!({"k8s-app": "kube-dns"});
    let coredns_ct = container("coredns", &coredns_image, json!({"args": ["-conf", "/etc/coredns/Corefile"], "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}, {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}]}));
    let mut out = vec![(
        "kube-system",
        "coredns",
        vec![(COREDNS_HASH, 2)],
        coredns_labels.clone(),
        template(&coredns_labels, vec![coredns_ct], json!({"priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns"})),
        60,
    )];
    if c.shape() == Shape::Mke {
        let l = json!({"app": "compose"});
        out.push(("kube-system", "compose", vec![("5d9f7b8c6f", 1)], l.clone(), template(&l, vec![container("compose", "mirantis/ucp-compose:3.7.12", json!({}))], json!({"serviceAccountName": "compose"})), 150));
        let l = json!({"k8s-app": "calico-kube-controllers"});
        out.push(("kube-system", "calico-kube-controllers", vec![("7c9b8d6f4b", 1)], l.clone(), template(&l, vec![container("calico-kube-controllers", "mirantis/ucp-calico-kube-controllers:3.7.12", json!({}))], json!({"serviceAccountName": "calico-kube-controllers"})), 140));
    }
    let web_labels = json!({"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "team-a"});
    // Mid-rollout in the violation: the old ReplicaSet still runs one 1.4 pod.
    let web_sets = if c.v() { vec![(WEB_HASH, 1), (WEB_OLD_HASH, 1)] } else { vec![(WEB_HASH, 2)] };
    out.push(("team-a", "web", web_sets, web_labels.clone(), template(&web_labels, vec![user_container("web", "registry.example.mil/team-a/web:1.5", 8080)], json!({})), 1_800));
    let l = json!({"app": "billing"});
    out.push(("team-b", "billing", vec![("84c6d9b7f5", 1)], l.clone(), template(&l, vec![user_container("billing", "registry.example.mil/team-b/billing:2.1.0", 8080)], json!({})), 2_200));
    out
}

fn deployments(c: &Cluster) -> Vec<Value> {
    fixed_deployments(c)
        .into_iter()
        .map(|(ns, name, sets, labels, tmpl, created)| {
            let replicas = sets.iter().map(|s| s.1).sum();
            deployment(ns, name, replicas, labels, tmpl, created, sets.len() as u64)
        })
        .collect()
}

fn replicasets(c: &Cluster) -> Vec<Value> {
    let mut out = Vec::new();
    for (ns, name, sets, labels, tmpl, created) in fixed_deployments(c) {
        let n = sets.len() as u64;
        for (i, (hash, replicas)) in sets.into_iter().enumerate() {
            let mut t = tmpl.clone();
            if hash == WEB_OLD_HASH {
                t["spec"]["containers"][0]["image"] = "registry.example.mil/team-a/web:1.4".into();
            }
            // Revisions: the newest ReplicaSet has the highest.
            out.push(replicaset(ns, name, hash, replicas, &labels, &t, created + i as u64, n - i as u64));
        }
    }
    out
}

fn app_template(app: &App) -> Value {
    template(&app.labels(), vec![user_container(&app.name, &app.image, 8080)], json!({}))
}

fn gen_deployment(_: &Cluster, k: usize) -> Value {
    let app = App::of(k);
    deployment(app.ns, &app.name, 3, app.labels(), app_template(&app), 7_000 + k as u64 * 9, 1)
}

fn gen_replicaset(_: &Cluster, k: usize) -> Value {
    let app = App::of(k);
    replicaset(app.ns, &app.name, &app.hash, 3, &app.labels(), &app_template(&app), 7_000 + k as u64 * 9, 1)
}

fn statefulset_api(c: &Cluster) -> Value {
    let labels = json!({"app": "api"});
    let mut volumes = vec![];
    if !c.v() {
        volumes.push(json!({"name": "db-credentials", "secret": {"defaultMode": 256, "secretName": "api-db"}}));
    }
    let tmpl = template(&labels, vec![api_container(c)], json!({"serviceAccountName": "api", "volumes": volumes}));
    let rev = format!("api-{}", suffix("api", 10));
    json!({
        "metadata": meta(Some("team-a"), "api", "StatefulSet", 2_390, labels.clone(), json!({})),
        "spec": {
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "podManagementPolicy": "OrderedReady", "replicas": 1, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": labels}, "serviceName": "api", "template": tmpl,
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
            "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"creationTimestamp": null, "name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "storageClassName": storage_class_name(c), "volumeMode": "Filesystem"}, "status": {"phase": "Pending"}}]
        },
        "status": {"availableReplicas": 1, "collisionCount": 0, "currentReplicas": 1, "currentRevision": rev, "observedGeneration": 1, "readyReplicas": 1, "replicas": 1, "updateRevision": rev, "updatedReplicas": 1}
    })
}

fn daemonsets(c: &Cluster) -> Vec<Value> {
    let n = c.nodes.len();
    let ds = |name: &str, image: String, selector: Value, desired: usize, extra: Value| {
        let labels = json!({"k8s-app": name});
        let mut tmpl = template(&labels, vec![container(name, &image, json!({"securityContext": {"privileged": name != "aws-node" && name != "ucp-metrics"}}))], json!({"hostNetwork": name != "ucp-metrics", "priorityClassName": "system-node-critical", "serviceAccountName": name, "tolerations": [{"operator": "Exists"}]}));
        if !selector.is_null() {
            tmpl["spec"]["nodeSelector"] = selector;
        }
        for (k, v) in extra.as_object().into_iter().flatten() {
            tmpl["spec"][k] = v.clone();
        }
        json!({
            "metadata": meta(Some("kube-system"), name, "DaemonSet", 100, labels.clone(), json!({"deprecated.daemonset.template.generation": "1"})),
            "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": labels}, "template": tmpl, "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"}},
            "status": {"currentNumberScheduled": desired, "desiredNumberScheduled": desired, "numberAvailable": desired, "numberMisscheduled": 0, "numberReady": desired, "observedGeneration": 1, "updatedNumberScheduled": desired}
        })
    };
    let mut out: Vec<Value> = c.daemons().iter().map(|d| ds(d.name(), d.image(c), json!({"kubernetes.io/os": "linux"}), n, json!({}))).collect();
    if c.shape() == Shape::Mke {
        out.push(ds("ucp-metrics", "mirantis/ucp-metrics:3.7.12".into(), json!({"node-role.kubernetes.io/master": ""}), 1, json!({})));
    }
    out
}

fn job() -> Value {
    let name = "nightly-report-28519200";
    let labels = json!({"batch.kubernetes.io/job-name": name, "job-name": name});
    let mut m = meta(Some("team-b"), name, "Job", 86_400 * 5, labels.clone(), json!({"batch.kubernetes.io/cronjob-scheduled-timestamp": ts(86_400 * 5)}));
    m["ownerReferences"] = owner("batch/v1", "CronJob", "team-b", "nightly-report");
    let mut tmpl = template(&labels, vec![user_container("report", "registry.example.mil/team-b/report:1.0.3", 8080)], json!({}));
    tmpl["spec"]["restartPolicy"] = "Never".into();
    json!({
        "metadata": m,
        "spec": {"backoffLimit": 6, "completionMode": "NonIndexed", "completions": 1, "manualSelector": false, "parallelism": 1, "podReplacementPolicy": "TerminatingOrFailed", "suspend": false, "template": tmpl},
        "status": {"completionTime": ts(86_400 * 5 + 90), "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": ts(86_400 * 5 + 90), "lastTransitionTime": ts(86_400 * 5 + 90)}], "ready": 0, "startTime": ts(86_400 * 5), "succeeded": 1, "terminating": 0, "uncountedTerminatedPods": {}}
    })
}

fn cronjob() -> Value {
    let mut tmpl = template(&json!({}), vec![user_container("report", "registry.example.mil/team-b/report:1.0.3", 8080)], json!({}));
    tmpl["spec"]["restartPolicy"] = "Never".into();
    tmpl["metadata"].as_object_mut().unwrap().remove("labels");
    json!({
        "metadata": meta(Some("team-b"), "nightly-report", "CronJob", 3_000, json!({}), json!({})),
        "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 1, "schedule": "0 2 * * *", "successfulJobsHistoryLimit": 3, "suspend": false,
            "jobTemplate": {"metadata": {"creationTimestamp": null}, "spec": {"template": tmpl}}},
        "status": {"lastScheduleTime": ts(86_400 * 5), "lastSuccessfulTime": ts(86_400 * 5 + 90)}
    })
}

// ------------------------------------------------------------------------------------------
// Namespaces, services, quotas, accounts, RBAC, storage, network policies
// ------------------------------------------------------------------------------------------

fn user_namespaces(c: &Cluster) -> Vec<&'static str> {
    let mut v = vec!["team-a", "team-b"];
    if c.v() {
        v.push("kubernetes-dashboard");
    }
    v
}

fn namespaces(c: &Cluster) -> Vec<Value> {
    let mut out = Vec::new();
    let mut ns = |name: &str, created: u64, extra: Value| {
        let mut labels = json!({"kubernetes.io/metadata.name": name});
        for (k, v) in extra.as_object().into_iter().flatten() {
            labels[k] = v.clone();
        }
        out.push(json!({"metadata": meta(None, name, "Namespace", created, labels, json!({})), "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}));
    };
    for (name, created) in [("default", 5), ("kube-node-lease", 5), ("kube-public", 5), ("kube-system", 5)] {
        ns(name, created, json!({}));
    }
    let restricted = json!({"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"});
    for name in user_namespaces(c) {
        ns(name, if name == "kubernetes-dashboard" { 86_400 * 6 } else { 1_200 }, if name.starts_with("team-") { restricted.clone() } else { json!({}) });
    }
    out
}

fn service(ns: &str, name: &str, cluster_ip: &str, ports: Value, selector: Value, labels: Value, created: u64) -> Value {
    let mut spec = json!({"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports, "sessionAffinity": "None", "type": "ClusterIP"});
    if !selector.is_null() {
        spec["selector"] = selector;
    }
    json!({"metadata": meta(Some(ns), name, "Service", created, labels, json!({})), "spec": spec, "status": {"loadBalancer": {}}})
}

fn services(c: &Cluster) -> Vec<Value> {
    let (svc_net, dns_ip) = match c.shape() {
        Shape::Managed => ("10.100", "10.100.0.10"),
        Shape::Kubeadm | Shape::Mke => ("10.96", "10.96.0.10"),
    };
    let apiserver_port = if c.shape() == Shape::Mke { 12388 } else { 6443 };
    let mut out = vec![
        service("default", "kubernetes", &format!("{svc_net}.0.1"), json!([{"name": "https", "port": 443, "protocol": "TCP", "targetPort": apiserver_port}]), Value::Null, json!({"component": "apiserver", "provider": "kubernetes"}), 10),
        service(
            "kube-system",
            "kube-dns",
            dns_ip,
            json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}, {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}, {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]),
            json!({"k8s-app": "kube-dns"}),
            json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}),
            60,
        ),
    ];
    if c.shape() == Shape::Mke {
        out.push(service("kube-system", "ucp-metrics", &format!("{svc_net}.14.201"), json!([{"name": "http", "port": 9090, "protocol": "TCP", "targetPort": 9090}]), json!({"k8s-app": "ucp-metrics"}), json!({"k8s-app": "ucp-metrics"}), 160));
    }
    let http = json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]);
    out.push(service("team-a", "web", &format!("{svc_net}.31.17"), http.clone(), json!({"app.kubernetes.io/name": "web"}), json!({}), 1_800));
    out.push(service("team-a", "api", "None", json!([{"name": "https", "port": 8443, "protocol": "TCP", "targetPort": 8443}]), json!({"app": "api"}), json!({}), 2_390));
    out.push(service("team-b", "billing", &format!("{svc_net}.52.200"), http, json!({"app": "billing"}), json!({}), 2_200));
    if c.v() {
        out.push(service("kubernetes-dashboard", "kubernetes-dashboard", &format!("{svc_net}.88.4"), json!([{"port": 443, "protocol": "TCP", "targetPort": 8443}]), json!({"k8s-app": "kubernetes-dashboard"}), json!({"k8s-app": "kubernetes-dashboard"}), 86_400 * 6));
    }
    out
}

fn gen_service(c: &Cluster, k: usize) -> Value {
    let app = App::of(k);
    let net = if c.shape() == Shape::Managed { "10.100" } else { "10.96" };
    let ip = format!("{net}.{}.{}", 100 + (k / 250) % 150, 1 + k % 250);
    service(app.ns, &app.name, &ip, json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]), app.labels(), json!({}), 7_000 + k as u64 * 9)
}

fn quotas(_: &Cluster) -> Vec<Value> {
    ["team-a", "team-b"]
        .iter()
        .map(|ns| {
            let hard = json!({"limits.cpu": "64", "limits.memory": "256Gi", "pods": "200000", "requests.cpu": "32", "requests.memory": "128Gi"});
            json!({"metadata": meta(Some(ns), "compute", "ResourceQuota", 1_250, json!({}), json!({})), "spec": {"hard": hard}, "status": {"hard": hard, "used": {"limits.cpu": "1500m", "limits.memory": "768Mi", "pods": "3", "requests.cpu": "300m", "requests.memory": "384Mi"}}})
        })
        .collect()
}

fn service_accounts(c: &Cluster) -> Vec<Value> {
    let sa = |ns: &str, name: &str, created: u64| json!({"metadata": meta(Some(ns), name, "ServiceAccount", created, json!({}), json!({}))});
    let mut out = Vec::new();
    let mut namespaces = vec!["default", "kube-node-lease", "kube-public", "kube-system"];
    namespaces.extend(user_namespaces(c));
    for ns in &namespaces {
        out.push(sa(ns, "default", 6));
    }
    // The controller manager's per-controller accounts (--use-service-account-credentials).
    for name in [
        "attachdetach-controller", "bootstrap-signer", "certificate-controller", "clusterrole-aggregation-controller", "coredns", "cronjob-controller", "daemon-set-controller",
        "deployment-controller", "disruption-controller", "endpoint-controller", "endpointslice-controller", "ephemeral-volume-controller", "generic-garbage-collector",
        "horizontal-pod-autoscaler", "job-controller", "namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector", "pv-protection-controller",
        "pvc-protection-controller", "replicaset-controller", "replication-controller", "resourcequota-controller", "root-ca-cert-publisher", "service-account-controller",
        "statefulset-controller", "token-cleaner", "ttl-after-finished-controller", "ttl-controller",
    ] {
        out.push(sa("kube-system", name, 8));
    }
    for d in c.daemons() {
        out.push(sa("kube-system", d.name(), 100));
    }
    if c.shape() == Shape::Mke {
        for name in ["calico-kube-controllers", "compose", "ucp-metrics"] {
            out.push(sa("kube-system", name, 100));
        }
    }
    out.push(sa("team-a", "api", 2_390));
    if c.v() {
        out.push(sa("kubernetes-dashboard", "kubernetes-dashboard", 86_400 * 6));
    }
    out
}

fn storage_class_name(c: &Cluster) -> &'static str {
    match c.shape() {
        Shape::Kubeadm => "local-storage",
        Shape::Managed => "gp3",
        Shape::Mke => "",
    }
}

fn storage_classes(c: &Cluster) -> Vec<Value> {
    let sc = |name: &str, provisioner: &str, default: bool, binding: &str, params: Value| {
        let ann = if default { json!({"storageclass.kubernetes.io/is-default-class": "true"}) } else { json!({}) };
        let mut v = json!({"metadata": meta(None, name, "StorageClass", 900, json!({}), ann), "provisioner": provisioner, "reclaimPolicy": "Delete", "volumeBindingMode": binding});
        if !params.is_null() {
            v["parameters"] = params;
        }
        v
    };
    match c.shape() {
        Shape::Kubeadm => vec![sc("local-storage", "kubernetes.io/no-provisioner", true, "WaitForFirstConsumer", Value::Null)],
        Shape::Managed => vec![
            sc("gp2", "kubernetes.io/aws-ebs", false, "WaitForFirstConsumer", json!({"fsType": "ext4", "type": "gp2"})),
            sc("gp3", "ebs.csi.aws.com", true, "WaitForFirstConsumer", json!({"encrypted": "true", "type": "gp3"})),
        ],
        Shape::Mke => vec![],
    }
}

fn persistent_volumes(c: &Cluster) -> Vec<Value> {
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": "data-api-0", "namespace": "team-a", "uid": uid("PersistentVolumeClaim/team-a/data-api-0")});
    match c.shape() {
        Shape::Kubeadm => vec![json!({
            "metadata": meta(None, "local-pv-api-0", "PersistentVolume", 2_300, json!({}), json!({"pv.kubernetes.io/bound-by-controller": "yes"})),
            "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}, "claimRef": claim, "local": {"path": "/mnt/disks/api-0"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [c.nodes[1]]}]}]}},
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "local-storage", "volumeMode": "Filesystem"},
            "status": {"phase": "Bound"}
        })],
        Shape::Managed => {
            let name = format!("pvc-{}", uid("PersistentVolumeClaim/team-a/data-api-0"));
            vec![json!({
                "metadata": meta(None, &name, "PersistentVolume", 2_400, json!({}), json!({"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com", "volume.kubernetes.io/provisioner-deletion-secret-name": "", "volume.kubernetes.io/provisioner-deletion-secret-namespace": ""})),
                "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}, "claimRef": claim,
                    "csi": {"driver": "ebs.csi.aws.com", "fsType": "ext4", "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "1710753200000-8081-ebs.csi.aws.com"}, "volumeHandle": "vol-0c1f6e9a4b2d7e3f5"},
                    "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-gov-west-1a"]}]}]}},
                    "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp3", "volumeMode": "Filesystem"},
                "status": {"phase": "Bound"}
            })]
        }
        Shape::Mke => vec![],
    }
}

fn rbac_meta(name: &str, kind: &str, ns: Option<&str>, bootstrap: bool) -> Value {
    let (labels, ann) = if bootstrap {
        (json!({"kubernetes.io/bootstrapping": "rbac-defaults"}), json!({"rbac.authorization.kubernetes.io/autoupdate": "true"}))
    } else {
        (json!({}), json!({}))
    };
    meta(ns, name, kind, 7, labels, ann)
}

fn subject(kind: &str, name: &str, ns: Option<&str>) -> Value {
    match (kind, ns) {
        ("ServiceAccount", Some(ns)) => json!({"kind": "ServiceAccount", "name": name, "namespace": ns}),
        _ => json!({"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": name}),
    }
}

fn binding(kind: &str, ns: Option<&str>, name: &str, role_kind: &str, role: &str, subjects: Vec<Value>, bootstrap: bool) -> Value {
    json!({"metadata": rbac_meta(name, kind, ns, bootstrap), "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects})
}

fn cluster_role_bindings(c: &Cluster) -> Vec<Value> {
    let crb = |name: &str, role: &str, subjects: Vec<Value>, bootstrap: bool| binding("ClusterRoleBinding", None, name, "ClusterRole", role, subjects, bootstrap);
    let group = |g: &str| subject("Group", g, None);
    let user = |u: &str| subject("User", u, None);
    let sa = |n: &str| subject("ServiceAccount", n, Some("kube-system"));
    let mut out = vec![
        crb("cluster-admin", "cluster-admin", vec![group("system:masters")], true),
        crb("system:basic-user", "system:basic-user", vec![group("system:authenticated")], true),
        crb("system:discovery", "system:discovery", vec![group("system:authenticated")], true),
        crb("system:kube-controller-manager", "system:kube-controller-manager", vec![user("system:kube-controller-manager")], true),
        crb("system:kube-dns", "system:kube-dns", vec![sa("kube-dns")], true),
        crb("system:kube-scheduler", "system:kube-scheduler", vec![user("system:kube-scheduler")], true),
        crb("system:monitoring", "system:monitoring", vec![group("system:monitoring")], true),
        crb("system:node-proxier", "system:node-proxier", vec![user("system:kube-proxy")], true),
        crb("system:public-info-viewer", "system:public-info-viewer", vec![group("system:authenticated"), group("system:unauthenticated")], true),
        crb("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", vec![group("system:serviceaccounts")], true),
        crb("system:volume-scheduler", "system:volume-scheduler", vec![user("system:kube-scheduler")], true),
        crb("system:coredns", "system:coredns", vec![sa("coredns")], false),
    ];
    match c.shape() {
        Shape::Kubeadm => {
            out.push(crb("kubeadm:cluster-admins", "cluster-admin", vec![group("kubeadm:cluster-admins")], false));
            out.push(crb("kubeadm:get-nodes", "kubeadm:get-nodes", vec![group("system:bootstrappers:kubeadm:default-node-token")], false));
            out.push(crb("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", vec![group("system:bootstrappers:kubeadm:default-node-token")], false));
            out.push(crb("kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", vec![group("system:bootstrappers:kubeadm:default-node-token")], false));
            out.push(crb("kubeadm:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", vec![group("system:nodes")], false));
            out.push(crb("kubeadm:node-proxier", "system:node-proxier", vec![sa("kube-proxy")], false));
        }
        Shape::Managed => {
            out.push(crb("aws-node", "aws-node", vec![sa("aws-node")], false));
            out.push(crb("eks:kube-proxy", "system:node-proxier", vec![sa("kube-proxy")], false));
            out.push(crb("eks:node-bootstrapper", "eks:node-bootstrapper", vec![group("system:bootstrappers"), group("system:nodes")], false));
            out.push(crb("eks:podsecuritypolicy:authenticated", "eks:podsecuritypolicy:privileged", vec![group("system:authenticated")], false));
        }
        Shape::Mke => {
            out.push(crb("calico-kube-controllers", "calico-kube-controllers", vec![sa("calico-kube-controllers")], false));
            out.push(crb("calico-node", "calico-node", vec![sa("calico-node")], false));
            out.push(crb("compose", "compose", vec![sa("compose")], false));
            out.push(crb("ucp-metrics", "ucp-metrics", vec![sa("ucp-metrics")], false));
        }
    }
    out
}

fn cluster_roles(c: &Cluster) -> Vec<Value> {
    let cr = |name: &str, rules: Value, bootstrap: bool| json!({"metadata": rbac_meta(name, "ClusterRole", None, bootstrap), "rules": rules});
    let read = |groups: &[&str], resources: &[&str]| json!({"apiGroups": groups, "resources": resources, "verbs": ["get", "list", "watch"]});
    let mut out = vec![
        cr("admin", json!([read(&[""], &["pods", "services", "configmaps", "secrets", "persistentvolumeclaims"]), {"apiGroups": ["", "apps", "batch"], "resources": ["pods", "deployments", "statefulsets", "jobs", "cronjobs", "services", "configmaps", "secrets"], "verbs": ["create", "delete", "deletecollection", "patch", "update"]}]), true),
        cr("cluster-admin", json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]), true),
        cr("edit", json!([read(&["", "apps", "batch"], &["pods", "deployments", "statefulsets", "jobs", "services", "configmaps"]), {"apiGroups": ["", "apps", "batch"], "resources": ["pods", "deployments", "statefulsets", "jobs", "services", "configmaps", "secrets"], "verbs": ["create", "delete", "patch", "update"]}]), true),
        cr("view", json!([read(&["", "apps", "batch"], &["pods", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "services", "configmaps", "endpoints"])]), true),
        cr("system:basic-user", json!([{"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], "verbs": ["create"]}]), true),
        cr("system:discovery", json!([{"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], "verbs": ["get"]}]), true),
        cr("system:public-info-viewer", json!([{"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]}]), true),
        cr("system:node", json!([read(&[""], &["nodes", "pods", "services", "configmaps", "secrets"])]), true),
        cr("system:node-proxier", json!([read(&[""], &["endpoints", "services", "nodes"])]), true),
        cr("system:kube-controller-manager", json!([{"apiGroups": ["", "coordination.k8s.io"], "resources": ["leases", "secrets", "serviceaccounts", "endpoints"], "verbs": ["create", "get", "update"]}]), true),
        cr("system:kube-scheduler", json!([read(&["", "apps", "storage.k8s.io"], &["nodes", "pods", "persistentvolumes", "storageclasses"]), {"apiGroups": [""], "resources": ["pods/binding", "bindings"], "verbs": ["create"]}]), true),
        cr("system:coredns", json!([read(&["", "discovery.k8s.io"], &["endpoints", "services", "pods", "namespaces", "endpointslices"])]), false),
    ];
    match c.shape() {
        Shape::Kubeadm => out.push(cr("kubeadm:get-nodes", json!([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]), false)),
        Shape::Managed => out.push(cr("aws-node", json!([read(&["", "crd.k8s.amazonaws.com"], &["pods", "nodes", "namespaces", "eniconfigs"])]), false)),
        Shape::Mke => {
            out.push(cr("calico-node", json!([read(&[""], &["pods", "nodes", "namespaces"])]), false));
            out.push(cr("compose", json!([{"apiGroups": ["compose.docker.com"], "resources": ["stacks", "stacks/owner"], "verbs": ["*"]}]), false));
        }
    }
    out
}

fn roles(c: &Cluster) -> Vec<Value> {
    let role = |ns: &str, name: &str, rules: Value, bootstrap: bool| json!({"metadata": rbac_meta(name, "Role", Some(ns), bootstrap), "rules": rules});
    let mut out = vec![
        role("kube-public", "system:controller:bootstrap-signer", json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]), true),
        role("kube-system", "extension-apiserver-authentication-reader", json!([{"apiGroups": [""], "resourceNames": ["extension-apiserver-authentication"], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]), true),
        role("kube-system", "system::leader-locking-kube-controller-manager", json!([{"apiGroups": ["coordination.k8s.io"], "resourceNames": ["kube-controller-manager"], "resources": ["leases"], "verbs": ["get", "update"]}]), true),
        role("kube-system", "system::leader-locking-kube-scheduler", json!([{"apiGroups": ["coordination.k8s.io"], "resourceNames": ["kube-scheduler"], "resources": ["leases"], "verbs": ["get", "update"]}]), true),
    ];
    if c.shape() == Shape::Kubeadm {
        out.push(role("kube-public", "kubeadm:bootstrap-signer-clusterinfo", json!([{"apiGroups": [""], "resourceNames": ["cluster-info"], "resources": ["configmaps"], "verbs": ["get"]}]), false));
        out.push(role("kube-system", "kube-proxy", json!([{"apiGroups": [""], "resourceNames": ["kube-proxy"], "resources": ["configmaps"], "verbs": ["get"]}]), false));
        out.push(role("kube-system", "kubeadm:kubelet-config", json!([{"apiGroups": [""], "resourceNames": ["kubelet-config"], "resources": ["configmaps"], "verbs": ["get"]}]), false));
        out.push(role("kube-system", "kubeadm:nodes-kubeadm-config", json!([{"apiGroups": [""], "resourceNames": ["kubeadm-config"], "resources": ["configmaps"], "verbs": ["get"]}]), false));
    }
    out
}

fn role_bindings(c: &Cluster) -> Vec<Value> {
    let rb = |ns: &str, name: &str, role_kind: &str, role: &str, subjects: Vec<Value>, bootstrap: bool| binding("RoleBinding", Some(ns), name, role_kind, role, subjects, bootstrap);
    let mut out = vec![
        rb("kube-public", "system:controller:bootstrap-signer", "Role", "system:controller:bootstrap-signer", vec![subject("ServiceAccount", "bootstrap-signer", Some("kube-system"))], true),
        rb("kube-system", "system::extension-apiserver-authentication-reader", "Role", "extension-apiserver-authentication-reader", vec![subject("User", "system:kube-controller-manager", None), subject("User", "system:kube-scheduler", None)], true),
        rb("kube-system", "system::leader-locking-kube-controller-manager", "Role", "system::leader-locking-kube-controller-manager", vec![subject("User", "system:kube-controller-manager", None), subject("ServiceAccount", "kube-controller-manager", Some("kube-system"))], true),
        rb("kube-system", "system::leader-locking-kube-scheduler", "Role", "system::leader-locking-kube-scheduler", vec![subject("User", "system:kube-scheduler", None), subject("ServiceAccount", "kube-scheduler", Some("kube-system"))], true),
        rb("team-a", "team-a-developers", "ClusterRole", "edit", vec![subject("Group", "team-a-developers", None)], false),
        rb("team-b", "team-b-developers", "ClusterRole", "edit", vec![subject("Group", "team-b-developers", None)], false),
    ];
    if c.shape() == Shape::Kubeadm {
        let bootstrappers = subject("Group", "system:bootstrappers:kubeadm:default-node-token", None);
        out.push(rb("kube-public", "kubeadm:bootstrap-signer-clusterinfo", "Role", "kubeadm:bootstrap-signer-clusterinfo", vec![subject("User", "system:anonymous", None)], false));
        out.push(rb("kube-system", "kube-proxy", "Role", "kube-proxy", vec![bootstrappers.clone()], false));
        out.push(rb("kube-system", "kubeadm:kubelet-config", "Role", "kubeadm:kubelet-config", vec![subject("Group", "system:nodes", None), bootstrappers.clone()], false));
        out.push(rb("kube-system", "kubeadm:nodes-kubeadm-config", "Role", "kubeadm:nodes-kubeadm-config", vec![bootstrappers, subject("Group", "system:nodes", None)], false));
    }
    out
}

fn network_policies() -> Vec<Value> {
    let np = |ns: &str, name: &str, spec: Value| json!({"metadata": meta(Some(ns), name, "NetworkPolicy", 1_300, json!({}), json!({})), "spec": spec});
    vec![
        np("team-a", "allow-web-ingress", json!({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}, "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}]})),
        np("team-a", "default-deny-all", json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})),
        np("team-b", "default-deny-all", json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})),
    ]
}

// ------------------------------------------------------------------------------------------
// MKE 3.7's Kubernetes control plane: Docker containers on mke-manager-1
// ------------------------------------------------------------------------------------------

/// Docker Engine `GET /containers/{id}/json` answers for MKE 3.7.12's Kubernetes components on
/// `mke-manager-1` (10.10.1.11). Sources: the ucp-kube-apiserver command line follows a
/// published `docker inspect ... | jq .[0].Config.Cmd` of UCP 3.0 (`/bin/apiserver_entrypoint.sh`,
/// certificates under /var/lib/docker/ucp/ucp-node-certs, secure port 12388, etcd on 12379),
/// brought to Kubernetes 1.27 (no --insecure-port, --encryption-provider-config, service-account
/// issuer and signing key) and STIG-hardened the way MKE allows (custom_kube_api_server_flags
/// etc.); entrypoints, images and published ports follow a UCP 3.2 `docker ps`. The remaining
/// flags of the controller manager, scheduler, ucp-kv (MKE's etcd) and kubelet are the kubeadm
/// equivalents with MKE's paths: reconstructed, not copied from a running MKE 3.7.
pub fn mke_ucp_containers(violations: bool) -> Vec<Value> {
    let certs = "/var/lib/docker/ucp/ucp-node-certs";
    let ip = "10.10.1.11";
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let apiserver = {
        let mut a = owned(&[
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,ResourceQuota,PodNodeSelector,PodSecurity,UCPAuthorization,CheckImageSigning,UCPNodeSelector",
            "--admission-control-config-file=/etc/kubernetes/admission.yaml",
            "--allow-privileged=true",
            "--anonymous-auth=false",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--authorization-mode=Node,RBAC,Webhook",
            "--authorization-webhook-cache-authorized-ttl=0s",
            "--authorization-webhook-cache-unauthorized-ttl=0s",
            "--authorization-webhook-config-file=/etc/authorization_config.cfg",
            "--audit-policy-file=/etc/audit_policy.yaml",
            "--audit-webhook-config-file=/etc/audit_webhook.cfg",
            "--audit-log-path=/var/log/kube-apiserver/audit.log",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--secure-port=12388",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-lookup=true",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--service-node-port-range=32768-35535",
            "--bind-address=0.0.0.0",
            "--profiling=false",
            "--request-timeout=60s",
        ]);
        a.insert(3, format!("--advertise-address={ip}"));
        a.insert(8, format!("--requestheader-client-ca-file={certs}/ca.pem"));
        for f in [
            format!("--client-ca-file={certs}/ca.pem"),
            format!("--etcd-servers=https://{ip}:12379"),
            format!("--etcd-cafile={certs}/ca.pem"),
            format!("--etcd-certfile={certs}/cert.pem"),
            format!("--etcd-keyfile={certs}/key.pem"),
            format!("--encryption-provider-config={certs}/encryption.cfg"),
            format!("--kubelet-certificate-authority={certs}/ca.pem"),
            format!("--kubelet-client-certificate={certs}/cert.pem"),
            format!("--kubelet-client-key={certs}/key.pem"),
            format!("--service-account-key-file={certs}/service_account_key.pem"),
            format!("--service-account-signing-key-file={certs}/service_account_key.pem"),
            format!("--tls-cert-file={certs}/cert.pem"),
            format!("--tls-private-key-file={certs}/key.pem"),
            format!("--proxy-client-cert-file={certs}/cert.pem"),
            format!("--proxy-client-key-file={certs}/key.pem"),
            format!("--tls-cipher-suites={STIG_CIPHERS}"),
            (if violations { "--tls-min-version=VersionTLS11" } else { "--tls-min-version=VersionTLS12" }).to_string(),
        ] {
            a.push(f);
        }
        a
    };
    let controller_manager = vec![
        "--kubeconfig=/etc/kubernetes/controller-manager.conf".to_string(),
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
        "--bind-address=127.0.0.1".into(),
        "--leader-elect=true".into(),
        "--allocate-node-cidrs=false".into(),
        "--cluster-name=ucp".into(),
        "--service-cluster-ip-range=10.96.0.0/16".into(),
        format!("--root-ca-file={certs}/ca.pem"),
        format!("--service-account-private-key-file={certs}/service_account_key.pem"),
        format!("--client-ca-file={certs}/ca.pem"),
        format!("--requestheader-client-ca-file={certs}/ca.pem"),
        "--use-service-account-credentials=true".into(),
        (if violations { "--profiling=true" } else { "--profiling=false" }).into(),
        "--tls-min-version=VersionTLS12".into(),
        format!("--tls-cipher-suites={STIG_CIPHERS}"),
    ];
    let scheduler = owned(&[
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
        "--bind-address=127.0.0.1",
        "--profiling=false",
        "--tls-min-version=VersionTLS12",
    ]);
    let kv_certs = "/etc/docker/ssl";
    let kv = vec![
        "--data-dir=/data/datav3".to_string(),
        format!("--name=orca-kv-{ip}"),
        "--listen-client-urls=https://0.0.0.0:2379".into(),
        format!("--advertise-client-urls=https://{ip}:12379"),
        "--listen-peer-urls=https://0.0.0.0:2380".into(),
        format!("--initial-advertise-peer-urls=https://{ip}:12380"),
        format!("--initial-cluster=orca-kv-{ip}=https://{ip}:12380"),
        "--initial-cluster-state=new".into(),
        format!("--cert-file={kv_certs}/cert.pem"),
        format!("--key-file={kv_certs}/key.pem"),
        format!("--trusted-ca-file={kv_certs}/ca.pem"),
        "--client-cert-auth=true".into(),
        format!("--peer-cert-file={kv_certs}/cert.pem"),
        format!("--peer-key-file={kv_certs}/key.pem"),
        format!("--peer-trusted-ca-file={kv_certs}/ca.pem"),
        "--peer-client-cert-auth=true".into(),
        (if violations { "--auto-tls=true" } else { "--auto-tls=false" }).into(),
        "--peer-auto-tls=false".into(),
        format!("--cipher-suites={STIG_CIPHERS}"),
        "--tls-min-version=TLS1.2".into(),
    ];
    let kubelet = vec![
        "--config=/etc/kubernetes/kubelet-config.yaml".to_string(),
        "--kubeconfig=/etc/kubernetes/kubelet.conf".into(),
        "--container-runtime-endpoint=unix:///var/run/cri-dockerd.mirantis.sock".into(),
        "--hostname-override=mke-manager-1".into(),
        format!("--node-ip={ip}"),
        "--pod-infra-container-image=mirantis/ucp-pause:3.7.12".into(),
        "--node-labels=com.docker.ucp.orchestrator.kubernetes=true,node-role.kubernetes.io/master=".into(),
    ];
    let proxy = owned(&["--cluster-cidr=192.168.0.0/16", "--kubeconfig=/etc/kubernetes/kube-proxy.conf", "--hostname-override=mke-manager-1", "--proxy-mode=iptables", "--metrics-bind-address=127.0.0.1:10249"]);
    let node_certs = ("ucp-node-certs", certs, false);
    vec![
        ucp_container("ucp-kube-apiserver", "ucp-hyperkube", "/bin/apiserver_entrypoint.sh", apiserver, "default", false, &[("12388/tcp", "12388")], &[node_certs, ("ucp-kube-apiserver-audit", "/var/log/kube-apiserver", true)]),
        ucp_container("ucp-kube-controller-manager", "ucp-hyperkube", "/bin/controller_manager_entrypoint.sh", controller_manager, "host", false, &[], &[node_certs]),
        ucp_container("ucp-kube-scheduler", "ucp-hyperkube", "kube-scheduler", scheduler, "host", false, &[], &[node_certs]),
        ucp_container("ucp-kv", "ucp-etcd", "/bin/entrypoint.sh", kv, "default", false, &[("2379/tcp", "12379"), ("2380/tcp", "12380")], &[("ucp-kv-certs", kv_certs, false), ("ucp-kv", "/data", true)]),
        ucp_container("ucp-kubelet", "ucp-hyperkube", "/bin/kubelet_entrypoint.sh", kubelet, "host", true, &[], &[node_certs, ("ucp-kubelet-root", "/var/lib/kubelet", true)]),
        ucp_container("ucp-kube-proxy", "ucp-hyperkube", "kube-proxy", proxy, "host", true, &[], &[node_certs]),
    ]
}

/// A Docker inspect body of an MKE system container, with the fields Docker 23 returns.
#[allow(clippy::too_many_arguments)]
fn ucp_container(name: &str, image: &str, path: &str, args: Vec<String>, network: &str, privileged: bool, ports: &[(&str, &str)], volumes: &[(&str, &str, bool)]) -> Value {
    let id = hex64(&format!("container/mke-manager-1/{name}"));
    let image_ref = format!("mirantis/{image}:3.7.12");
    let mut cmd = vec![path.to_string()];
    cmd.extend(args.iter().cloned());
    let binds: Vec<String> = volumes.iter().map(|(v, d, rw)| format!("{v}:{d}{}", if *rw { "" } else { ":ro" })).collect();
    let mounts: Vec<Value> = volumes
        .iter()
        .map(|(v, d, rw)| json!({"Type": "volume", "Name": v, "Source": format!("/var/lib/docker/volumes/{v}/_data"), "Destination": d, "Driver": "local", "Mode": if *rw { "z" } else { "ro" }, "RW": rw, "Propagation": ""}))
        .collect();
    let mut port_bindings = serde_json::Map::new();
    let mut exposed = serde_json::Map::new();
    let mut net_ports = serde_json::Map::new();
    for (p, host) in ports {
        port_bindings.insert(p.to_string(), json!([{"HostIp": "", "HostPort": host}]));
        exposed.insert(p.to_string(), json!({}));
        net_ports.insert(p.to_string(), json!([{"HostIp": "0.0.0.0", "HostPort": host}]));
    }
    let host_config: Value = serde_json::from_str(&format!(
        r#"{{"Binds": {binds}, "ContainerIDFile": "", "LogConfig": {{"Type": "json-file", "Config": {{"max-file": "3", "max-size": "10m"}}}},
        "NetworkMode": "{network}", "PortBindings": {pb}, "RestartPolicy": {{"Name": "unless-stopped", "MaximumRetryCount": 0}}, "AutoRemove": false,
        "VolumeDriver": "", "VolumesFrom": null, "ConsoleSize": [0, 0], "CapAdd": null, "CapDrop": null, "CgroupnsMode": "private", "Dns": [], "DnsOptions": [],
        "DnsSearch": [], "ExtraHosts": null, "GroupAdd": null, "IpcMode": "private", "Cgroup": "", "Links": null, "OomScoreAdj": 0, "PidMode": "{pid}",
        "Privileged": {privileged}, "PublishAllPorts": false, "ReadonlyRootfs": false, "SecurityOpt": {secopt}, "UTSMode": "", "UsernsMode": "host",
        "ShmSize": 67108864, "Runtime": "runc", "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "", "BlkioWeight": 0,
        "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [],
        "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "", "Devices": [],
        "DeviceCgroupRules": null, "DeviceRequests": null, "MemoryReservation": 0, "MemorySwap": 0, "MemorySwappiness": null, "OomKillDisable": false,
        "PidsLimit": null, "Ulimits": null, "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
        "MaskedPaths": {masked}, "ReadonlyPaths": {ro_paths}}}"#,
        binds = serde_json::to_string(&binds).unwrap(),
        pb = Value::Object(port_bindings),
        pid = if name == "ucp-kubelet" { "host" } else { "" },
        secopt = if privileged { "[\"label=disable\"]" } else { "[\"no-new-privileges\"]" },
        masked = if privileged { "null" } else { r#"["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]"# },
        ro_paths = if privileged { "null" } else { r#"["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]"# },
    ))
    .unwrap();
    let networks = if network == "host" {
        json!({"host": {"IPAMConfig": null, "Links": null, "Aliases": null, "NetworkID": hex64("network/host"), "EndpointID": hex64(&format!("endpoint/{name}")), "Gateway": "", "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": "", "DriverOpts": null}})
    } else {
        let n = 2 + fnv(name) % 200;
        json!({"bridge": {"IPAMConfig": null, "Links": null, "Aliases": null, "NetworkID": hex64("network/bridge"), "EndpointID": hex64(&format!("endpoint/{name}")), "Gateway": "172.17.0.1", "IPAddress": format!("172.17.0.{n}"), "IPPrefixLen": 16, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": format!("02:42:ac:11:00:{n:02x}"), "DriverOpts": null}})
    };
    let created = "2024-03-18T09:14:02.511932004Z";
    json!({
        "Id": id,
        "Created": created,
        "Path": path,
        "Args": args,
        "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false, "OOMKilled": false, "Dead": false, "Pid": 2000 + fnv(name) % 30000, "ExitCode": 0, "Error": "", "StartedAt": "2024-03-18T09:14:03.094417829Z", "FinishedAt": "0001-01-01T00:00:00Z",
            "Health": {"Status": "healthy", "FailingStreak": 0, "Log": []}},
        "Image": format!("sha256:{}", hex64(&image_ref)),
        "ResolvConfPath": format!("/var/lib/docker/containers/{id}/resolv.conf"),
        "HostnamePath": format!("/var/lib/docker/containers/{id}/hostname"),
        "HostsPath": format!("/var/lib/docker/containers/{id}/hosts"),
        "LogPath": format!("/var/lib/docker/containers/{id}/{id}-json.log"),
        "Name": format!("/{name}"),
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": if privileged { "unconfined" } else { "docker-default" },
        "ExecIDs": null,
        "HostConfig": host_config,
        "GraphDriver": {"Data": {"MergedDir": format!("/var/lib/docker/overlay2/{}/merged", &hex64(&format!("layer/{name}"))), "UpperDir": format!("/var/lib/docker/overlay2/{}/diff", &hex64(&format!("layer/{name}"))), "WorkDir": format!("/var/lib/docker/overlay2/{}/work", &hex64(&format!("layer/{name}")))}, "Name": "overlay2"},
        "Mounts": mounts,
        "Config": {
            "Hostname": if network == "host" { "mke-manager-1".to_string() } else { id[..12].to_string() },
            "Domainname": "", "User": "", "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
            "ExposedPorts": if exposed.is_empty() { Value::Null } else { Value::Object(exposed) },
            "Tty": false, "OpenStdin": false, "StdinOnce": false,
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": cmd,
            "Image": image_ref,
            "Volumes": null, "WorkingDir": "", "Entrypoint": null, "OnBuild": null,
            "Labels": {"com.docker.ucp.version": "3.7.12"}
        },
        "NetworkSettings": {
            "Bridge": "", "SandboxID": hex64(&format!("sandbox/{name}")), "HairpinMode": false, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
            "Ports": Value::Object(net_ports), "SandboxKey": if network == "host" { "/var/run/docker/netns/default".to_string() } else { format!("/var/run/docker/netns/{}", &hex64(&format!("sandbox/{name}"))[..12]) },
            "SecondaryIPAddresses": null, "SecondaryIPv6Addresses": null, "EndpointID": "", "Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": "",
            "Networks": networks
        }
    })
}

/// The `GET /containers/json?all=1` entry of an inspect body (to list the containers too).
pub fn container_summary(inspect: &Value) -> Value {
    let cmd: Vec<String> = inspect["Config"]["Cmd"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
    let ports: Vec<Value> = inspect["HostConfig"]["PortBindings"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(p, b)| {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            json!({"IP": "0.0.0.0", "PrivatePort": port.parse::<u16>().unwrap_or(0), "PublicPort": b[0]["HostPort"].as_str().unwrap_or("0").parse::<u16>().unwrap_or(0), "Type": proto})
        })
        .collect();
    json!({
        "Id": inspect["Id"], "Names": [inspect["Name"]], "Image": inspect["Config"]["Image"], "ImageID": inspect["Image"],
        "Command": cmd.join(" "), "Created": 1_710_753_242, "Ports": ports, "Labels": inspect["Config"]["Labels"],
        "State": inspect["State"]["Status"], "Status": "Up 8 weeks (healthy)",
        "HostConfig": {"NetworkMode": inspect["HostConfig"]["NetworkMode"]},
        "NetworkSettings": {"Networks": inspect["NetworkSettings"]["Networks"]},
        "Mounts": inspect["Mounts"]
    })
}
