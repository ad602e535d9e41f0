//! A test MKE: an HTTPS server on 127.0.0.1 with a generated CA, a server certificate and an
//! admin client bundle (ca.pem, cert.pem, key.pem, env.sh), answering MKE's admin API from
//! tests/fixtures/mke and MKE's Docker API from examples/docker-snapshot (a real engine's
//! answers), as MKE serves both on one port. Faults are switched per route.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Clone)]
pub enum Reply {
    Ok(&'static str, Vec<u8>),
    Status(u16, &'static str),
    /// 401 the first time, then the inner reply.
    UnauthorizedOnce(Box<Reply>),
    Hang,
}

/// The Kubernetes API side: generated pods, paged; a continue token that expires on demand.
#[derive(Default)]
pub struct K8sState {
    pub pods: usize,
    /// Generate pods without host networking or Secrets in the environment.
    pub compliant_pods: bool,
    /// Answer 410 Gone when asked for this page (1-based) through a continue token.
    pub expire_at_page: Option<usize>,
    /// Pages served, for assertions on paging.
    pub pages_served: usize,
}

pub struct MkeServer {
    pub k8s: Arc<Mutex<K8sState>>,
    pub url: String,
    pub bundle: PathBuf,
    pub routes: Arc<Mutex<HashMap<String, Reply>>>,
    /// Every request line received, with whether it carried a bearer token or a client cert.
    pub log: Arc<Mutex<Vec<String>>>,
    pub logins: Arc<Mutex<u32>>,
}

pub const TOKEN: &str = "tok-canary-3f9a1c";
pub const USER: &str = "admin";
pub const PASSWORD: &str = "Hunter2-canary-pw";

fn docker_routes(routes: &mut HashMap<String, Reply>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot/docker");
    for (path, file) in [
        ("/version", "version.json"), ("/info", "info.json"), ("/containers/json?all=1", "containers.json"), ("/images/json", "images.json"),
        ("/networks", "networks.json"), ("/secrets", "secrets.json"), ("/services", "services.json"), ("/nodes", "nodes.json"),
    ] {
        let mut body = std::fs::read(dir.join(file)).unwrap();
        if path == "/info" {
            // Through MKE the engine reports MKE's version.
            let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            v["ServerVersion"] = "ucp/3.7.12".into();
            body = serde_json::to_vec(&v).unwrap();
        }
        routes.insert(path.into(), Reply::Ok("application/json", body));
    }
    for (file, suffix) in [("inspect.jsonl", "json"), ("top.jsonl", "top?ps_args=-eo%20pid,ppid,comm")] {
        for line in std::fs::read_to_string(dir.join(file)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            routes.insert(format!("/containers/{}/{suffix}", v["key"].as_str().unwrap()), Reply::Ok("application/json", serde_json::to_vec(&v["body"]).unwrap()));
        }
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mke").join(name)).unwrap()
}

impl MkeServer {
    pub fn start(dir: &Path, config_toml: &str) -> MkeServer {
        MkeServer::start_with_engine(dir, config_toml, None)
    }

    /// As [`start`](Self::start), but the Docker API is a real engine behind this server (as
    /// MKE proxies its nodes' engines): requests that are not MKE's are forwarded to `engine`.
    pub fn start_with_engine(dir: &Path, config_toml: &str, engine: Option<PathBuf>) -> MkeServer {
        // CA, server and client certificates, as an MKE install and its admin bundle have.
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "test MKE Root CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>, eku: ExtendedKeyUsagePurpose, cn: &str| {
            let key = KeyPair::generate().unwrap();
            let mut p = CertificateParams::new(names).unwrap();
            p.extended_key_usages = vec![eku];
            p.distinguished_name.push(DnType::CommonName, cn);
            (p.signed_by(&key, &issuer).unwrap(), key)
        };
        let (srv_cert, srv_key) = leaf(vec!["localhost".into(), "127.0.0.1".into()], ExtendedKeyUsagePurpose::ServerAuth, "mke.test");
        let (cli_cert, cli_key) = leaf(vec![], ExtendedKeyUsagePurpose::ClientAuth, "admin");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bundle = dir.join("bundle");
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(bundle.join("ca.pem"), ca_cert.pem()).unwrap();
        std::fs::write(bundle.join("cert.pem"), cli_cert.pem()).unwrap();
        std::fs::write(bundle.join("key.pem"), cli_key.serialize_pem()).unwrap();
        std::fs::write(
            bundle.join("kube.yml"),
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: ucp\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority: ca.pem\nusers:\n- name: ucp\n  user:\n    client-certificate: cert.pem\n    client-key: key.pem\ncontexts:\n- name: ucp\n  context:\n    cluster: ucp\n    user: ucp\ncurrent-context: ucp\n"
            ),
        )
        .unwrap();
        std::fs::write(bundle.join("env.sh"), format!("export DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=\"$PWD\"\nexport DOCKER_HOST=tcp://127.0.0.1:{port}\n")).unwrap();

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

        let mut routes = HashMap::new();
        if engine.is_none() {
            docker_routes(&mut routes);
        }
        routes.insert("/api/ucp/config-toml".into(), Reply::Ok("application/toml", fixture(config_toml)));
        // The client bundle's owner (MKE's `GET /id/`): an admin, as the STIG's checks require.
        routes.insert("/id/".into(), Reply::Ok("application/json", br#"{"name":"admin","id":"6c1b9e0a-3f5d-4a8e-9a51-2d7c6c3e9f10","fullName":"","isOrg":false,"isAdmin":true,"isActive":true}"#.to_vec()));
        routes.insert("/api/ucpversions".into(), Reply::Ok("application/json", br#"["3.7.12"]"#.to_vec()));
        routes.insert("/ca".into(), Reply::Ok("application/x-pem-file", ca_cert.pem().into_bytes()));
        routes.insert(
            "/collectionGrants?subjectType=all&expandUser=true&showPaths=true".into(),
            Reply::Ok("application/json", br#"{"grants":[{"subjectID":"admin-team","objectID":"swarm","objectPath":"/","roleID":"fullcontrol"}],"subjects":[]}"#.to_vec()),
        );
        routes.insert(
            "/enzi/v0/config/auth/ldap".into(),
            Reply::Ok("application/json", br#"{"serverURL":"ldaps://ldap.example.mil:636","readerDN":"cn=mke-reader,ou=svc,dc=example,dc=mil","readerPassword":"LdapReader-canary","tlsSkipVerify":false}"#.to_vec()),
        );
        routes.insert("/oscal/catalogs".into(), Reply::Ok("application/json", br#"[{"id":"NIST_800-53","modelVersion":"Revision 4","title":"NIST SP 800-53","declarations":{"href":"https://nvd.nist.gov/800-53"}}]"#.to_vec()));
        routes.insert("/oscal/controls".into(), Reply::Status(404, r#"{"message":"not found"}"#));
        routes.insert("/oscal".into(), Reply::Ok("application/json", br#"{"endpoints":["/oscal/catalogs","/oscal/controls","/oscal/components"]}"#.to_vec()));
        routes.insert("/oscal/components".into(), Reply::Ok("application/json", br#"[{"id":"ucp","title":"Docker Universal Control Plane"}]"#.to_vec()));
        // MSR 2.9 answers (DTR API family), served on the same port for the tests.
        routes.insert("/api/v0/meta/settings".into(), Reply::Ok("application/json", br#"{"dtrHost":"msr.example.mil","reportAnalytics":false,"anonymizeAnalytics":true,"createRepositoryOnPush":false,"scanningEnabled":true,"scanningSyncOnline":false}"#.to_vec()));
        routes.insert("/api/v0/imagescan/status".into(), Reply::Ok("application/json", br#"{"lastDBUpdateFailed":false,"lastVulnOverridesDBUpdateFailed":false,"lastDBUpdateTime":"2026-11-20T03:00:00Z"}"#.to_vec()));
        routes.insert("/api/v0/admin/version".into(), Reply::Ok("application/json", br#"{"version":"2.9.16"}"#.to_vec()));
        routes.insert("/enzi/v0/accounts?limit=500".into(), Reply::Ok("application/json", br#"{"accounts":[{"name":"admin","isOrg":false,"isAdmin":true},{"name":"platform","isOrg":true},{"name":"dev1","isOrg":false}]}"#.to_vec()));
        let lists: serde_json::Value = serde_json::from_slice(&std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k8s/lists.json")).unwrap()).unwrap();
        for (path, body) in lists.as_object().unwrap().iter().filter(|(k, _)| k.starts_with('/')) {
            routes.insert(path.clone(), Reply::Ok("application/json", serde_json::to_vec(body).unwrap()));
        }
        let routes = Arc::new(Mutex::new(routes));
        let log = Arc::new(Mutex::new(Vec::new()));
        let logins = Arc::new(Mutex::new(0));
        let k8s = Arc::new(Mutex::new(K8sState { pods: 25, ..Default::default() }));
        let (r2, l2, n2, k2) = (routes.clone(), log.clone(), logins.clone(), k8s.clone());
        let engine = Arc::new(engine);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (config, routes, log, logins, k8s, engine) = (config.clone(), r2.clone(), l2.clone(), n2.clone(), k2.clone(), engine.clone());
                std::thread::spawn(move || {
                    let conn = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(conn, stream);
                    let _ = serve(&mut tls, &routes, &log, &logins, &k8s, engine.as_ref().as_deref());
                });
            }
        });
        MkeServer { k8s, url: format!("https://127.0.0.1:{port}"), bundle, routes, log, logins }
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.into(), reply);
    }
}

fn serve(
    tls: &mut rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>,
    routes: &Mutex<HashMap<String, Reply>>,
    log: &Mutex<Vec<String>>,
    logins: &Mutex<u32>,
    k8s: &Mutex<K8sState>,
    engine: Option<&Path>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(&mut *tls);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    drop(reader);
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/").to_string());
    let client_cert = tls.conn.peer_certificates().is_some_and(|c| !c.is_empty());
    let basic = {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")))
    };
    let bearer = headers.get("authorization").is_some_and(|a| a == &format!("Bearer {TOKEN}") || (path.starts_with("/api/v0/") || path.starts_with("/enzi/v0/accounts")) && *a == basic);
    log.lock().unwrap().push(format!("{method} {path} cert={client_cert} bearer={bearer}"));

    let (route, query) = path.split_once('?').unwrap_or((path.as_str(), ""));
    let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{k}="))).map(str::to_string);
    let (status, ctype, payload): (u16, &str, Vec<u8>) = if route == "/api/v1/pods" && client_cert {
        pods_page(k8s, param("limit"), param("continue"))
    } else if route.starts_with("/api") && route != "/api/ucp/config-toml" && route != "/api/ucpversions" && param("limit").is_some() && client_cert {
        // Other Kubernetes lists: one page.
        let reply = routes.lock().unwrap().get(route).cloned();
        match reply {
            Some(Reply::Ok(t, b)) => (200, t, b),
            _ => (404, "application/json", br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"not found","reason":"NotFound","code":404}"#.to_vec()),
        }
    } else if method == "POST" && path == "/auth/login" {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if v["username"] == USER && v["password"] == PASSWORD {
            *logins.lock().unwrap() += 1;
            (200, "application/json", format!(r#"{{"auth_token":"{TOKEN}","token_id":"t1"}}"#).into_bytes())
        } else {
            (401, "application/json", br#"{"message":"invalid credentials"}"#.to_vec())
        }
    } else if !client_cert && !bearer {
        (401, "application/json", br#"{"message":"unauthorized"}"#.to_vec())
    } else {
        let reply = routes.lock().unwrap().get(&path).cloned();
        match reply {
            None if engine.is_some() => forward(engine.unwrap(), &path)?,
            None => (404, "application/json", br#"{"message":"not found"}"#.to_vec()),
            Some(Reply::Ok(t, b)) => (200, t, b),
            Some(Reply::Status(s, b)) => (s, "application/json", b.as_bytes().to_vec()),
            Some(Reply::UnauthorizedOnce(inner)) => {
                routes.lock().unwrap().insert(path.clone(), *inner);
                (401, "application/json", br#"{"message":"token expired"}"#.to_vec())
            }
            Some(Reply::Hang) => {
                std::thread::sleep(Duration::from_secs(30));
                return Ok(());
            }
        }
    };
    let head = format!("HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", payload.len());
    tls.write_all(head.as_bytes())?;
    tls.write_all(&payload)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    tls.flush()
}

/// `GET /api/v1/pods?limit=N&continue=OFFSET`: generated pods, one with hostNetwork, one taking
/// a Secret through its environment, one with a literal env value that must be redacted.
fn pods_page(k8s: &Mutex<K8sState>, limit: Option<String>, cont: Option<String>) -> (u16, &'static str, Vec<u8>) {
    let mut st = k8s.lock().unwrap();
    let limit: usize = limit.and_then(|l| l.parse().ok()).unwrap_or(500);
    let offset: usize = cont.as_deref().and_then(|c| c.strip_prefix("off-")).and_then(|c| c.parse().ok()).unwrap_or(0);
    let page = offset / limit + 1;
    if cont.is_some() && st.expire_at_page == Some(page) {
        return (410, "application/json", br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"The provided continue parameter is too old","reason":"Expired","code":410}"#.to_vec());
    }
    st.pages_served += 1;
    let end = (offset + limit).min(st.pods);
    let mut items = String::with_capacity((end - offset) * 400);
    for i in offset..end {
        if i > offset {
            items.push(',');
        }
        let host_net = if i == 7 && !st.compliant_pods { r#""hostNetwork":true,"# } else { "" };
        let env = match i {
            9 if !st.compliant_pods => r#","env":[{"name":"API_TOKEN","valueFrom":{"secretKeyRef":{"name":"api","key":"token"}}}]"#,
            3 => r#","env":[{"name":"LOG_LEVEL","value":"K8S-canary-literal"}]"#,
            _ => "",
        };
        items.push_str(&format!(
            r#"{{"metadata":{{"name":"web-{i}","namespace":"app-a","labels":{{"app":"web"}}}},"spec":{{{host_net}"nodeName":"node-1","containers":[{{"name":"web","image":"registry.example.mil/web:1.4"{env}}}]}},"status":{{"phase":"Running"}}}}"#
        ));
    }
    let next = if end < st.pods { format!("off-{end}") } else { String::new() };
    let body = format!(r#"{{"kind":"PodList","apiVersion":"v1","metadata":{{"resourceVersion":"1","continue":"{next}"}},"items":[{items}]}}"#);
    (200, "application/json", body.into_bytes())
}

/// Forwards a GET to the real engine's unix socket. HTTP/1.0 so the engine answers with a
/// plain body up to the end of the connection (no chunked encoding to undo).
fn forward(sock: &Path, path: &str) -> std::io::Result<(u16, &'static str, Vec<u8>)> {
    let mut s = std::os::unix::net::UnixStream::connect(sock)?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(502);
    Ok((status, "application/json", raw[(split + 4).min(raw.len())..].to_vec()))
}

fn json(v: serde_json::Value) -> Reply {
    Reply::Ok("application/json", serde_json::to_vec(&v).unwrap())
}

fn recorded(file: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/docker-snapshot/docker").join(file)).unwrap()).unwrap()
}

impl MkeServer {
    /// A whole cluster, compliant or not, for the per-rule matrix: the recorded engine answers
    /// reshaped (only the compliant container, or an extra stale MKE image and a macvlan
    /// network), the MKE configuration fixtures, Kubernetes lists and MSR settings to match.
    pub fn start_scenario(dir: &Path, compliant: bool) -> MkeServer {
        let server = MkeServer::start(dir, if compliant { "config-compliant.toml" } else { "config-noncompliant.toml" });
        let mut info = recorded("info.json");
        info["ServerVersion"] = "ucp/3.7.12".into();
        let list = recorded("containers.json");
        if compliant {
            info["OperatingSystem"] = "Ubuntu 22.04.4 LTS".into();
            info["SecurityOptions"] = serde_json::json!(["name=apparmor", "name=seccomp,profile=default", "name=fips"]);
            info["LoggingDriver"] = "syslog".into();
            let keep: Vec<serde_json::Value> = list.as_array().unwrap().iter().filter(|c| c["Names"][0] == "/stig-compliant").cloned().collect();
            let id = keep[0]["Id"].as_str().unwrap().to_string();
            let inspect_path = format!("/containers/{id}/json");
            let mut inspect: serde_json::Value = match server.routes.lock().unwrap().get(&inspect_path).cloned() {
                Some(Reply::Ok(_, b)) => serde_json::from_slice(&b).unwrap(),
                _ => panic!("recorded inspect missing"),
            };
            inspect["AppArmorProfile"] = "docker-default".into();
            server.set(&inspect_path, json(inspect));
            server.set("/containers/json?all=1", json(serde_json::Value::Array(keep)));
            server.set("/api/v1/services", json(serde_json::json!({"kind": "ServiceList", "apiVersion": "v1", "items": [
                {"metadata": {"name": "kubernetes", "namespace": "default"}}, {"metadata": {"name": "kube-dns", "namespace": "kube-system"}}]})));
            server.set("/api/v1/resourcequotas", json(serde_json::json!({"kind": "ResourceQuotaList", "apiVersion": "v1", "items": [
                {"metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": {"limits.cpu": "2", "limits.memory": "4Gi"}}},
                {"metadata": {"name": "q", "namespace": "app-a"}, "spec": {"hard": {"limits.cpu": "4", "limits.memory": "8Gi"}}},
                {"metadata": {"name": "q", "namespace": "app-b"}, "spec": {"hard": {"limits.cpu": "4", "limits.memory": "8Gi"}}}]})));
            server.set("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", json(serde_json::json!({"kind": "ClusterRoleBindingList", "apiVersion": "rbac.authorization.k8s.io/v1", "items": [
                {"metadata": {"name": "cluster-admin"}, "roleRef": {"name": "cluster-admin"}, "subjects": [{"kind": "Group", "name": "system:masters"}]}]})));
            server.set("/apis/apps/v1/deployments", json(serde_json::json!({"kind": "DeploymentList", "apiVersion": "apps/v1", "items": []})));
            server.k8s.lock().unwrap().compliant_pods = true;
        } else {
            info["OperatingSystem"] = "Red Hat Enterprise Linux 8.9 (Ootpa)".into();
            info["Driver"] = "btrfs".into();
            let mut images = recorded("images.json");
            images.as_array_mut().unwrap().push(serde_json::json!({"Id": "sha256:0ld", "RepoTags": ["mirantis/ucp-agent:3.7.10"], "Labels": {"com.docker.ucp.version": "3.7.10"}}));
            server.set("/images/json", json(images));
            let mut nets = recorded("networks.json");
            nets.as_array_mut().unwrap().push(serde_json::json!({"Id": "mv1", "Name": "stig-macvlan", "Scope": "swarm", "Driver": "macvlan"}));
            server.set("/networks", json(nets));
            server.set("/api/ucpversions", json(serde_json::json!(["3.7.12", "3.7.15"])));
            server.set("/api/v1/nodes/node-1/proxy/configz", json(serde_json::json!({"kubeletconfig": {"protectKernelDefaults": false}})));
            server.set("/api/v0/meta/settings", json(serde_json::json!({"reportAnalytics": true, "createRepositoryOnPush": true, "scanningEnabled": false})));
        }
        server.set("/info", json(info));
        server
    }
}
