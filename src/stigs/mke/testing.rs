//! Small hand-made clusters for the rule tests: `compliant()` is an MKE 3.7 cluster read by an
//! MKE admin through a client bundle, one manager node, one compliant user container, Swarm
//! and Kubernetes in use, MSR collected; each case changes what it needs with `with`.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::Cluster;
use crate::assess::rule::Case;
use crate::assess::Status;
use crate::evidence::keys::Key;
use crate::facts::docker::{Container, Image, Info, Network, Node, NodeEngine, PortBinding, Process, SwarmInfo};
use crate::facts::host::{HostEvidence, NodeEvidence};
use crate::facts::kubernetes::{Binding, Pod};
use crate::facts::mke::{Chain, Config, Identity};
use crate::facts::Facts;
use crate::policy::Policy;

pub const MKE: &str = "3.7.12";

/// A file standing in for the site's trusted CA bundle (P-TRUST): chain checks record the
/// digest of the bundle they used, and the compliant cluster's checks used this one.
pub const TRUST_BUNDLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mke/README.md");

/// `trusted_ca_bundle: <TRUST_BUNDLE>` as policy YAML.
pub fn trust_policy() -> String {
    format!("trusted_ca_bundle: {TRUST_BUNDLE}\n")
}

fn trust_sha256() -> String {
    crate::stig::xccdf::hex_sha256(&std::fs::read(TRUST_BUNDLE).expect("fixture"))
}

/// A node engine as a hardened Ubuntu MKE node reports it.
pub fn node_info(name: &str) -> Info {
    Info {
        name: name.into(),
        id: format!("{name}-id"),
        operating_system: "Ubuntu 22.04.4 LTS".into(),
        security_options: Some(vec!["name=apparmor".into(), "name=seccomp,profile=default".into(), "name=fips".into()]),
        driver: "overlay2".into(),
        logging_driver: "syslog".into(),
        server_version: "23.0.15".into(),
        swarm: Some(SwarmInfo { local_node_state: "active".into() }),
    }
}

/// A running user container that breaks no rule.
pub fn container(name: &str) -> Container {
    Container {
        id: format!("{:0>64}", name.bytes().map(|b| format!("{b:02x}")).collect::<String>()),
        name: name.into(),
        node: "mke-1".into(),
        image: "registry.example.mil/app:1.0".into(),
        running: true,
        network_mode: "bridge".into(),
        ipc_mode: "private".into(),
        readonly_rootfs: true,
        security_opt: vec!["no-new-privileges".into()],
        memory: 268_435_456,
        cpu_shares: 512,
        apparmor_profile: "docker-default".into(),
        ..Default::default()
    }
}

/// An MKE system container of the installed version.
pub fn system_container(name: &str) -> Container {
    let mut c = container(name);
    c.image = format!("mirantis/{name}:{MKE}");
    c.labels = BTreeMap::from([("com.docker.ucp.version".to_string(), MKE.to_string())]);
    c
}

pub fn port(host_port: u16, container_port: u16) -> PortBinding {
    PortBinding { container_port, protocol: "tcp".into(), host_ip: "10.0.0.5".into(), host_port, live: true }
}

pub fn pod(ns: &str, name: &str) -> Pod {
    Pod { namespace: ns.into(), name: name.into(), node: "mke-1".into(), image: "registry.example.mil/app:1.0".into(), ..Default::default() }
}

pub fn compliant_config() -> Config {
    Config::parse(include_str!("../../../tests/fixtures/mke/config-compliant.toml")).expect("fixture parses")
}

pub fn noncompliant_config() -> Config {
    Config::parse(include_str!("../../../tests/fixtures/mke/config-noncompliant.toml")).expect("fixture parses")
}

/// Sets a config-toml value (`cluster_config.secure_overlay`, ...).
pub fn set(config: &mut Config, path: &str, value: toml::Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("a key");
    let mut t = &mut config.toml;
    for p in parts {
        t = t.entry(p).or_insert_with(|| toml::Value::Table(Default::default())).as_table_mut().expect("a table");
    }
    t.insert(last.into(), value);
}

pub fn unset(config: &mut Config, path: &str) {
    let (table, last) = path.rsplit_once('.').unwrap_or(("", path));
    let t = if table.is_empty() { Some(&mut config.toml) } else { table.split('.').try_fold(&mut config.toml, |t, p| t.get_mut(p).and_then(toml::Value::as_table_mut)) };
    if let Some(t) = t {
        t.remove(last);
    }
}

/// The compliant cluster's facts.
pub fn compliant_facts() -> Facts {
    let mut f = Facts::none();
    f.through_mke = true;
    f.docker.info = Ok(Info { name: "mke-1".into(), server_version: format!("ucp/{MKE}"), security_options: None, ..Default::default() });
    f.docker.nodes = Ok(Some(vec![Node {
        id: "n1".into(),
        hostname: "mke-1".into(),
        role: "manager".into(),
        labels: BTreeMap::from([("com.docker.ucp.orchestrator.swarm".to_string(), "true".to_string()), ("com.docker.ucp.orchestrator.kubernetes".to_string(), "true".to_string())]),
    }]));
    f.docker.node_engines = Ok(vec![NodeEngine { name: "mke-1".into(), role: "manager".into(), info: Ok(node_info("mke-1")) }]);
    let web = container("web");
    f.docker.processes = Ok(HashMap::from([(web.id.clone(), Ok(vec![Process { pid: "1".into(), command: "app".into() }]))]));
    f.docker.containers = Ok(vec![web]);
    f.docker.images = Ok(vec![Image { id: "sha256:a1".into(), repo_tags: Some(vec![format!("mirantis/ucp-agent:{MKE}")]), labels: Some(BTreeMap::from([("com.docker.ucp.version".to_string(), MKE.to_string())])) }]);
    f.docker.networks = Ok(vec![
        Network { id: "net1".into(), name: "ingress".into(), scope: "swarm".into(), driver: "overlay".into(), options: None },
        Network { id: "net2".into(), name: "bridge".into(), scope: "local".into(), driver: "bridge".into(), options: None },
        Network { id: "net3".into(), name: "app".into(), scope: "swarm".into(), driver: "overlay".into(), options: Some(BTreeMap::from([("encrypted".to_string(), "".to_string())])) },
    ]);
    f.docker.secrets = Ok(vec![crate::facts::docker::NamedItem { id: "s1".into(), name: "db_password".into() }]);
    f.mke.collected = true;
    f.mke.config = Ok(compliant_config());
    f.mke.versions = Ok(vec![MKE.into()]);
    f.mke.grants = Ok(json!({"grants": [{"subjectID": "a1b2", "objectID": "swarm", "roleID": "fullcontrol"}], "subjects": [{"id": "a1b2", "subject_type": "team", "account": {"name": "platform-admins", "id": "a1b2", "isOrg": false}}]}));
    f.mke.ldap = Ok(json!({"serverURL": "ldaps://ldap.example.mil:636", "readerDN": "cn=mke-reader,ou=svc,dc=example,dc=mil", "startTLS": false, "tlsSkipVerify": false}));
    f.mke.identity = Ok(Identity { name: "admin".into(), is_admin: true });
    f.mke.chain = Ok(Chain { url: "https://mke.example.mil".into(), validates: true, error: String::new(), bundle_sha256: trust_sha256() });
    f.kube.reached = Ok(());
    f.kube.pods = Ok(vec![]);
    f.kube.pod_total = 3;
    f.kube.workload_secret_env = Ok(vec![]);
    f.kube.namespaces = Ok(vec!["default".into(), "kube-system".into(), "app-a".into()]);
    f.kube.quotas = Ok(BTreeMap::from([("default".to_string(), (true, true)), ("app-a".to_string(), (true, true))]));
    f.kube.services = Ok(vec![("default".into(), "kubernetes".into()), ("kube-system".into(), "kube-dns".into())]);
    f.kube.cluster_bindings = Ok(vec![Binding { name: "cluster-admin".into(), role: "cluster-admin".into(), subjects: vec!["Group:system:masters".into()] }]);
    f.kube.storage_classes = Ok(vec!["standard".into()]);
    f.kube.kubelets = Ok(BTreeMap::from([("mke-1".to_string(), Ok(json!({"protectKernelDefaults": true})))]));
    f.msr.collected = true;
    f.msr.settings = Ok(json!({"reportAnalytics": false, "createRepositoryOnPush": false, "scanningEnabled": true}));
    f.msr.scan_status = Ok(json!({"lastDBUpdateFailed": false, "lastVulnOverridesDBUpdateFailed": false}));
    f.msr.version = Ok("2.9.16".into());
    f.msr.accounts = Ok(vec![json!({"name": "admin", "isOrg": false}), json!({"name": "platform", "isOrg": true})]);
    f.msr.chain = Ok(Chain { url: "https://msr.example.mil".into(), validates: true, error: String::new(), bundle_sha256: trust_sha256() });
    f.host = Ok(HostEvidence { nodes: vec![NodeEvidence { name: "mke-1".into(), docker_sock: "root:docker 660".into(), docker_group: Some(vec!["svc-mke".into()]) }] });
    f
}

/// The compliant cluster, changed by `change`.
pub fn with(change: impl FnOnce(&mut Facts)) -> Cluster {
    let mut f = compliant_facts();
    change(&mut f);
    Cluster::new(f, &Policy::default())
}

pub fn compliant() -> Cluster {
    with(|_| {})
}

/// A case on the compliant cluster changed by `change`.
pub fn case(name: &'static str, expect: Status, change: impl FnOnce(&mut Facts)) -> Case<Cluster> {
    Case::new(name, with(change), expect)
}

/// Everything missing: the evidence-missing case every rule has.
pub fn nothing() -> Case<Cluster> {
    Case::new("no evidence", Cluster::new(Facts::none(), &Policy::default()), Status::NotReviewed).missing()
}

/// The first container of the compliant cluster, for changes.
pub fn web(f: &mut Facts) -> &mut Container {
    f.docker.containers.as_mut().expect("containers").first_mut().expect("web")
}

/// Adds a running container.
pub fn add(f: &mut Facts, c: Container) {
    if let Ok(p) = &mut f.docker.processes {
        p.insert(c.id.clone(), Ok(vec![Process { pid: "1".into(), command: "app".into() }]));
    }
    f.docker.containers.as_mut().expect("containers").push(c);
}

pub fn node(f: &mut Facts) -> &mut Info {
    f.docker.node_engines.as_mut().expect("engines")[0].info.as_mut().expect("info")
}

/// A case whose cluster is built under `policy` (orchestrators follow P-ORCH).
pub fn case_with(name: &'static str, expect: Status, policy: Policy, change: impl FnOnce(&mut Facts)) -> Case<Cluster> {
    let mut f = compliant_facts();
    change(&mut f);
    Case::new(name, Cluster::new(f, &policy), expect).policy(policy)
}

/// Policy with one exception for `rule` on the container named exactly `name`.
pub fn excepting(rule: &str, name: &str) -> Policy {
    Policy::parse("test", &format!("exceptions:\n- rules: [{rule}]\n  match: {{name: '^{name}$'}}\n  justification: SSP 4.2\n")).expect("valid policy")
}

pub fn policy(yaml: &str) -> Policy {
    Policy::parse("test", yaml).expect("valid policy")
}

/// Evidence keys of the container population read through MKE.
pub const CONTAINERS: &[Key] = &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity];

/// MKE's configuration of the compliant cluster, for changes.
pub fn cfg(f: &mut Facts) -> &mut Config {
    f.mke.config.as_mut().expect("config")
}

fn msr_settings(f: &mut Facts) -> &mut serde_json::Map<String, serde_json::Value> {
    f.msr.settings.as_mut().expect("settings").as_object_mut().expect("object")
}

/// The cases of an MSR setting that must be off (`common::msr_switch_off`).
pub fn msr_switch_cases(flag: &'static str, needs: &'static [Key]) -> Vec<Case<Cluster>> {
    vec![
        // MSR collected: MKE's [[registries]] are not read.
        case("off", Status::Pass, |_| {}).independent_of(&[Key::MkeConfig]),
        case("on", Status::Fail, move |f| {
            msr_settings(f).insert(flag.into(), json!(true));
        })
        .failing(&["MSR settings"]),
        case("flag absent", Status::NotReviewed, move |f| {
            msr_settings(f).remove(flag);
        })
        .missing(),
        case("flag of the wrong type", Status::NotReviewed, move |f| {
            msr_settings(f).insert(flag.into(), json!("no"));
        })
        .missing(),
        case("settings unread", Status::NotReviewed, |f| f.msr.settings = Err(Key::MsrSettings.not_collected())).missing(),
        case_with("MSR not in use (site policy)", Status::NotApplicable, policy("msr_in_use: false\n"), |f| f.msr = crate::facts::mke::MsrFacts::none()).independent_of(needs),
        nothing(),
    ]
}

/// A standalone engine (not in a Swarm, not through MKE): its own `/info` is the one node, so
/// the node rules read `/info` there and neither the per-node proxy nor MKE's identity.
pub fn standalone(f: &mut Facts) {
    f.through_mke = false;
    f.docker.info = Ok(node_info("mke-1"));
    f.docker.nodes = Ok(None);
    f.docker.node_engines = Err(Key::NodeEngines.not_collected());
}

/// Evidence a node rule on a standalone engine does not read (see [`standalone`]).
pub const STANDALONE_SKIPS: &[Key] = &[Key::NodeEngines, Key::MkeIdentity];
