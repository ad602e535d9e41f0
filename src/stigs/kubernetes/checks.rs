//! The three uniform kinds of Kubernetes STIG check, as data (the way kube-bench writes its
//! checks): a control-plane flag, a kubelet setting, a node file's owner or mode. Each rule of
//! that kind is one table entry in its own file naming what the STIG's check text reads; the
//! decision over the whole population (every instance, every node) is made here, once.

use serde_json::Value;

use super::control_plane::{Component, Shape};
use super::KubeCluster;
use crate::assess::verdict::{judge_counted, Uncounted};
use crate::assess::{fact, judge, Check, Empty, Outcome, Part, Phrases, Subject, SubjectKind};
use crate::facts::node::{FileStat, NodeEvidence};

/// What the STIG's check text accepts for a flag's or setting's value (`None`: not configured).
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// Configured with a value ("if ... is not set or contains no value, this is a finding").
    Set,
    /// Not configured at all ("if ... is set, this is a finding").
    Unset,
    /// Configured, and equal to this (case-insensitive).
    Is(&'static str),
    /// Configured, and not this value.
    SetNot(&'static str),
    /// If configured, not this value (absent is fine).
    Not(&'static str),
    /// Configured to TLS 1.2 or newer (`VersionTLS12`, `VersionTLS13`).
    Tls12,
    /// Configured to a number at least this.
    AtLeast(u64),
    /// Configured to a non-zero duration (`60s`, `1m0s`; `0` and `0s` are zero).
    NonZeroDuration,
    /// Configured to a duration of at least this many seconds.
    DurationAtLeast(u64),
    /// A comma list that includes each of these.
    Includes(&'static [&'static str]),
    /// A comma list that is configured and does not include this.
    SetExcluding(&'static str),
    /// A feature gate in a `A=true,B=false` list: if named, not set to this value.
    GateNot(&'static str, bool),
    /// A feature gate that must be named and set to this value.
    GateIs(&'static str, bool),
    /// A boolean setting that must be present and false / true.
    False,
    True,
    /// If present, empty (a path setting that must not enable anything).
    Empty,
    /// If present, this value ("if readOnlyPort exists and is not 0").
    AbsentOr(&'static str),
    /// If present, a comma list that does not include this.
    Lacks(&'static str),
}

fn duration_secs(s: &str) -> Option<u64> {
    // Go durations: 5m0s, 1h, 300s, 0 (bare zero).
    if s == "0" {
        return Some(0);
    }
    let re = regex::Regex::new(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$").expect("duration pattern");
    let c = re.captures(s)?;
    if c.get(1).is_none() && c.get(2).is_none() && c.get(3).is_none() {
        return None;
    }
    let n = |i: usize| c.get(i).map_or(Some(0), |m| m.as_str().parse::<u64>().ok());
    Some(n(1)? * 3600 + n(2)? * 60 + n(3)?)
}

fn list(v: &str) -> Vec<&str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

impl Want {
    /// A value the check text accepts (`None`: not configured), for tests and examples.
    pub fn passing(self) -> Option<&'static str> {
        match self {
            Want::Set => Some("/etc/kubernetes/pki/x"),
            Want::Unset | Want::Not(_) | Want::GateNot(..) | Want::Empty | Want::AbsentOr(_) | Want::Lacks(_) => None,
            Want::Is(v) => Some(v),
            Want::SetNot(_) => Some("6443"),
            Want::Tls12 => Some("VersionTLS12"),
            Want::AtLeast(100) => Some("100"),
            Want::AtLeast(10) => Some("10"),
            Want::AtLeast(_) => Some("30"),
            Want::NonZeroDuration => Some("60s"),
            Want::DurationAtLeast(_) => Some("4h0m0s"),
            Want::Includes(_) => Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            Want::SetExcluding(_) => Some("Node,RBAC"),
            Want::GateIs(g, true) if g == "PodSecurity" => Some("PodSecurity=true"),
            Want::GateIs(_, true) => Some("DynamicKubeletConfig=true"),
            Want::GateIs(_, false) => Some("DynamicKubeletConfig=false"),
            Want::False => Some("false"),
            Want::True => Some("true"),
        }
    }

    /// A value the check text calls a finding (`None`: not configured).
    pub fn violating(self) -> Option<&'static str> {
        match self {
            Want::Set => None,
            Want::Unset => Some("/etc/kubernetes/x.csv"),
            Want::Is(_) => Some("bogus"),
            Want::SetNot(v) | Want::Not(v) | Want::SetExcluding(v) => Some(v),
            Want::Tls12 => Some("VersionTLS11"),
            Want::AtLeast(_) => Some("5"),
            Want::NonZeroDuration => Some("0"),
            Want::DurationAtLeast(_) => Some("1m0s"),
            Want::Includes(_) => Some("TLS_RSA_WITH_RC4_128_SHA"),
            Want::GateNot("AllAlpha", _) => Some("AllAlpha=true"),
            Want::GateNot(..) => Some("DynamicAuditing=true"),
            Want::GateIs(_, true) => Some("PodSecurity=false,DynamicKubeletConfig=false"),
            Want::GateIs(_, false) => Some("DynamicKubeletConfig=true"),
            Want::False => Some("true"),
            Want::True => Some("false"),
            Want::Empty => Some("/etc/kubernetes/manifests"),
            Want::AbsentOr(_) => Some("10255"),
            Want::Lacks(v) => Some(v),
        }
    }

    /// Whether `value` (a flag's, or a setting's rendered as text) meets the STIG; the text
    /// says what was found either way.
    pub fn judge(self, name: &str, value: Option<&str>) -> Result<String, String> {
        let shown = |v: &str| format!("{name}={v}");
        let unset = || format!("{name} is not set");
        match (self, value) {
            (Want::Unset, None) => Ok(unset()),
            (Want::Unset, Some(v)) => Err(shown(v)),
            (Want::Not(_) | Want::GateNot(..) | Want::Empty | Want::AbsentOr(_) | Want::Lacks(_), None) => Ok(unset()),
            (Want::Lacks(bad), Some(v)) => if list(v).contains(&bad) { Err(shown(v)) } else { Ok(shown(v)) },
            (Want::AbsentOr(want), Some(v)) => if v == want { Ok(shown(v)) } else { Err(shown(v)) },
            (_, None) => Err(unset()),
            (Want::Set, Some(v)) => if v.trim().is_empty() { Err(format!("{name} is empty")) } else { Ok(shown(v)) },
            (Want::Is(want), Some(v)) => if v.eq_ignore_ascii_case(want) { Ok(shown(v)) } else { Err(shown(v)) },
            (Want::SetNot(bad) | Want::Not(bad), Some(v)) => if v.eq_ignore_ascii_case(bad) || v.trim().is_empty() { Err(shown(v)) } else { Ok(shown(v)) },
            (Want::Tls12, Some(v)) => if matches!(v, "VersionTLS12" | "VersionTLS13") { Ok(shown(v)) } else { Err(shown(v)) },
            (Want::AtLeast(n), Some(v)) => match v.trim().parse::<u64>() {
                Ok(x) if x >= n => Ok(shown(v)),
                Ok(_) => Err(format!("{} (less than {n})", shown(v))),
                Err(_) => Err(format!("{} (not a number)", shown(v))),
            },
            (Want::NonZeroDuration, Some(v)) => match duration_secs(v.trim()) {
                Some(0) => Err(format!("{} (zero: no timeout)", shown(v))),
                Some(_) => Ok(shown(v)),
                None => Err(format!("{} (not a duration)", shown(v))),
            },
            (Want::DurationAtLeast(n), Some(v)) => match duration_secs(v.trim()) {
                Some(x) if x >= n => Ok(shown(v)),
                Some(_) => Err(format!("{} (less than {}m)", shown(v), n / 60)),
                None => Err(format!("{} (not a duration)", shown(v))),
            },
            (Want::Includes(all), Some(v)) => {
                let have = list(v);
                let lacking: Vec<&str> = all.iter().copied().filter(|w| !have.contains(w)).collect();
                if lacking.is_empty() { Ok(shown(v)) } else { Err(format!("{} (lacks {})", shown(v), lacking.join(","))) }
            }
            (Want::SetExcluding(bad), Some(v)) => if list(v).is_empty() || list(v).contains(&bad) { Err(shown(v)) } else { Ok(shown(v)) },
            (Want::GateNot(gate, bad), Some(v)) => match super::control_plane::gates(v).find(|(k, _)| *k == gate) {
                Some((_, x)) if x.eq_ignore_ascii_case(&bad.to_string()) => Err(format!("{name}: {gate}={x}")),
                _ => Ok(format!("{name} does not set {gate}={bad}")),
            },
            (Want::GateIs(gate, good), Some(v)) => match super::control_plane::gates(v).find(|(k, _)| *k == gate) {
                Some((_, x)) if x.eq_ignore_ascii_case(&good.to_string()) => Ok(format!("{name}: {gate}={x}")),
                Some((_, x)) => Err(format!("{name}: {gate}={x}")),
                None => Err(format!("{name} does not name {gate}")),
            },
            (Want::False, Some(v)) => if v == "false" { Ok(shown(v)) } else { Err(shown(v)) },
            (Want::True, Some(v)) => if v == "true" { Ok(shown(v)) } else { Err(shown(v)) },
            (Want::Empty, Some(v)) => if v.trim().is_empty() { Ok(format!("{name} is empty")) } else { Err(shown(v)) },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Control-plane flags

/// "In the <component> manifest, <flags> must be ...": every instance of the component.
#[derive(Debug, Clone, Copy)]
pub struct FlagCheck {
    pub component: Component,
    pub flags: &'static [&'static str],
    pub want: Want,
}

/// The population of a component's instances, or the part that says why it cannot be judged.
pub fn instances<'a>(k: &'a KubeCluster, c: Component) -> Result<(Vec<&'a super::control_plane::Instance>, Vec<String>), Part> {
    let cp = k.control_plane.as_ref().map_err(|e| Part::missing("", e))?;
    if cp.shape == Shape::Managed {
        return Err(Part::missing(
            "",
            format!(
                "the control plane is not visible to the cluster (no control-plane node, no {c} pod in kube-system: a managed control plane); the provider sets the {}'s flags: review them in its documentation or console",
                c.title()
            ),
        ));
    }
    let found: Vec<_> = cp.of(c).collect();
    if found.is_empty() {
        let why = match (c, cp.shape) {
            (Component::Etcd, Shape::StaticPods) => {
                let servers = cp.of(Component::ApiServer).find_map(|i| i.flags.get("--etcd-servers").map(str::to_string)).unwrap_or_else(|| "not named".into());
                format!("etcd does not run as a static pod of this cluster (external etcd, --etcd-servers={servers}): run the STIG's etcd checks on the etcd hosts")
            }
            _ => format!("no {c} instance was found ({})", cp.source()),
        };
        return Err(Part::missing("", why));
    }
    let gaps = cp.gaps.iter().filter(|(g, _)| *g == c).map(|(_, s)| s.clone()).collect();
    Ok((found, gaps))
}

pub fn decide_flags(k: &KubeCluster, check: &FlagCheck) -> Part {
    let (found, gaps) = match instances(k, check.component) {
        Ok(x) => x,
        Err(p) => return p,
    };
    let mut checks = Vec::new();
    for inst in found {
        let mut facts = vec![fact("node", &inst.node)];
        let mut bad = Vec::new();
        for flag in check.flags {
            match check.want.judge(flag, inst.flags.get(flag)) {
                Ok(s) => facts.push(fact("flag", s)),
                Err(s) => {
                    facts.push(fact("flag", &s));
                    bad.push(s);
                }
            }
        }
        let outcome = if bad.is_empty() { Outcome::Pass } else { Outcome::Fail };
        checks.push(Subject { kind: SubjectKind::Setting, name: inst.name.clone(), id: inst.name.clone(), outcome, facts });
    }
    let shape = k.control_plane.as_ref().map(|cp| cp.source()).unwrap_or("");
    let population = format!("{} instances", check.component);
    let violation = format!("violate the STIG's {} setting", check.flags.join(" / "));
    let p = Phrases { population: &population, violation: &violation, none_concerned: "" };
    judge("", &p, checks, &gaps, Empty::Missing(format!("no {} instance", check.component))).note(format!("read from {shape}"))
}

// ---------------------------------------------------------------------------------------------
// Kubelet settings

/// "On each node: if the kubelet runs with `flag`, this is a finding; in its config file,
/// `setting` must be ...". The configuration is the kubelet's own answer (`configz`: the file
/// and its flags as the kubelet applied them); the command line comes from the node evidence,
/// or, on MKE, from the `ucp-kubelet` container.
#[derive(Debug, Clone, Copy)]
pub struct KubeletCheck {
    /// The command-line option whose presence is itself a finding.
    pub flag: Option<&'static str>,
    /// JSON pointer into the KubeletConfiguration (`/authentication/anonymous/enabled`).
    pub setting: Option<&'static str>,
    pub want: Want,
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.iter().map(|(k, v)| format!("{k}={}", render(v))).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The kubelet's command line on a node, or why it is unknown.
pub fn kubelet_argv<'a>(k: &'a KubeCluster, node: &str) -> Result<&'a [String], String> {
    if let Ok(Some(c)) = k.mke_kubelet(node) {
        return Ok(&c.argv);
    }
    match &k.facts.node_files {
        Ok(map) => match map.get(node) {
            Some(ev) => ev.process("kubelet").map(|p| p.args.as_slice()).ok_or_else(|| format!("the node evidence of {node} shows no running kubelet")),
            None => Err(format!("no node evidence for {node}: {}", super::COLLECT_NODE)),
        },
        Err(e) => Err(e.clone()),
    }
}

pub fn decide_kubelet(k: &KubeCluster, check: &KubeletCheck) -> Part {
    let configs = match &k.facts.kube.kubelets {
        Ok(c) => c,
        Err(e) => return Part::missing("", e),
    };
    let mut checks = Vec::new();
    for (node, cfg) in configs {
        let mut facts = vec![fact("node", node)];
        let mut bad = Vec::new();
        let mut unknown = None;
        if let Some(ptr) = check.setting {
            let name = ptr.trim_start_matches('/').replace('/', ".");
            match cfg {
                Ok(cfg) => {
                    let v = cfg.pointer(ptr).map(render);
                    match check.want.judge(&name, v.as_deref()) {
                        Ok(s) => facts.push(fact("setting", s)),
                        Err(s) => {
                            facts.push(fact("setting", &s));
                            bad.push(s);
                        }
                    }
                }
                Err(e) => unknown = Some(e.clone()),
            }
        }
        if let Some(flag) = check.flag {
            match kubelet_argv(k, node) {
                Ok(argv) => {
                    let given = argv.iter().find(|a| *a == flag || a.starts_with(&format!("{flag}=")));
                    match given {
                        Some(a) => {
                            facts.push(fact("flag", a));
                            bad.push(format!("the kubelet runs with {a} (the STIG allows the setting only in the config file)"));
                        }
                        None => facts.push(fact("flag", format!("{flag} not given"))),
                    }
                }
                Err(e) => {
                    if unknown.is_none() {
                        unknown = Some(format!("the kubelet's command line is unknown ({e})"))
                    }
                }
            }
        }
        let outcome = match (bad.is_empty(), unknown) {
            (false, _) => Outcome::Fail,
            (true, Some(why)) => Outcome::Unknown(why),
            (true, None) => Outcome::Pass,
        };
        checks.push(Subject { kind: SubjectKind::Node, name: node.clone(), id: node.clone(), outcome, facts });
    }
    let what = [check.flag.map(str::to_string), check.setting.map(|s| s.trim_start_matches('/').replace('/', "."))].into_iter().flatten().collect::<Vec<_>>().join(" / ");
    let violation = format!("violate the STIG's kubelet {what} setting");
    let p = Phrases { population: "nodes' kubelets", violation: &violation, none_concerned: "" };
    judge("", &p, checks, &[], Empty::Missing("the node list is empty".into()))
}

// ---------------------------------------------------------------------------------------------
// Node files

/// Which nodes a file rule covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nodes {
    All,
    ControlPlane,
    Workers,
}

#[derive(Debug, Clone, Copy)]
pub enum FileWant {
    /// Owned by this user and group (`stat -c %U:%G`).
    Owner(&'static str, &'static str),
    /// Permissions at most these bits (`644 or more restrictive`); regular files only.
    ModeAtMost(u32),
}

/// "`stat` these files on each node": the files are chosen from the node's evidence.
#[derive(Clone, Copy)]
pub struct FileCheck {
    pub nodes: Nodes,
    /// The files the STIG names, on one node (missing ones included, so that a node without
    /// them is "not concerned" rather than silently passing).
    pub select: fn(&KubeCluster, &str, &NodeEvidence) -> Vec<FileStat>,
    pub want: FileWant,
    /// For sentences: "Kubernetes manifest files".
    pub what: &'static str,
}

/// A file's owner or mode against the STIG: `None` when the file is absent (or, for modes, not
/// a regular file); else whether it complies, and what was seen.
fn judge_file(f: &FileStat, want: FileWant) -> Result<Option<(bool, String)>, String> {
    if f.kind == "missing" {
        return Ok(None);
    }
    if let Some(e) = &f.error {
        return Err(format!("{}: could not be read ({e})", f.path));
    }
    match want {
        FileWant::Owner(u, g) => {
            let who = match (&f.user, &f.group, f.uid, f.gid) {
                (Some(user), Some(group), _, _) => format!("{user}:{group}"),
                (_, _, Some(uid), Some(gid)) => format!("{uid}:{gid}"),
                _ => return Err(format!("{}: owner unknown", f.path)),
            };
            let ok = who == format!("{u}:{g}") || (u == "root" && g == "root" && f.uid == Some(0) && f.gid == Some(0));
            Ok(Some((ok, format!("{} {who}", f.path))))
        }
        FileWant::ModeAtMost(max) => {
            if f.kind != "file" {
                return Ok(None);
            }
            let mode = f.mode.as_deref().and_then(|m| u32::from_str_radix(m, 8).ok()).ok_or_else(|| format!("{}: mode unknown", f.path))?;
            let ok = mode & 0o7777 & !max == 0;
            Ok(Some((ok, format!("{} {:o}", f.path, mode))))
        }
    }
}

pub fn decide_files(k: &KubeCluster, check: &FileCheck) -> Part {
    let nodes = match &k.facts.kube.nodes {
        Ok(n) => n,
        Err(e) => return Part::missing("", e),
    };
    let evidence = match &k.facts.node_files {
        Ok(m) => m,
        Err(e) => return Part::missing("", e),
    };
    let mut checks: Vec<Check> = Vec::new();
    for n in nodes.iter().filter(|n| match check.nodes {
        Nodes::All => true,
        Nodes::ControlPlane => n.control_plane(),
        Nodes::Workers => !n.control_plane(),
    }) {
        let Some(ev) = evidence.get(&n.name) else {
            checks.push(Subject { outcome: Outcome::Unknown(format!("no node evidence: {}", super::COLLECT_NODE)), ..Subject::new(SubjectKind::Node, &n.name, &n.name) });
            continue;
        };
        let files = (check.select)(k, &n.name, ev);
        let mut facts = vec![fact("node", &n.name)];
        let (mut bad, mut unknown, mut seen) = (Vec::new(), None, 0);
        for f in &files {
            match judge_file(f, check.want) {
                Ok(None) => {}
                Ok(Some((ok, seen_as))) => {
                    seen += 1;
                    if !ok {
                        facts.push(fact("file", &seen_as));
                        bad.push(seen_as);
                    } else if facts.len() < 6 {
                        facts.push(fact("file", seen_as));
                    }
                }
                Err(e) => unknown = Some(e),
            }
        }
        let outcome = match (bad.is_empty(), unknown, seen) {
            (false, _, _) => Outcome::Fail,
            (true, Some(e), _) => Outcome::Unknown(e),
            (true, None, 0) => Outcome::NotApplicable,
            (true, None, _) => Outcome::Pass,
        };
        if outcome == Outcome::NotApplicable {
            let looked: Vec<&str> = files.iter().map(|f| f.path.as_str()).take(3).collect();
            facts.push(fact("absent", if looked.is_empty() { "none of the files exists".to_string() } else { looked.join(", ") }));
        }
        checks.push(Subject { kind: SubjectKind::Node, name: n.name.clone(), id: n.name.clone(), outcome, facts });
    }
    let violation = match check.want {
        FileWant::Owner(u, g) => format!("have {} not owned by {u}:{g}", check.what),
        FileWant::ModeAtMost(m) => format!("have {} more permissive than {m:o}", check.what),
    };
    let none = format!("none of the nodes has {}", check.what);
    let p = Phrases { population: "nodes", violation: &violation, none_concerned: &none };
    judge_counted("", &p, checks, Uncounted::default(), &[], Empty::Missing("no node in scope".into()))
}

/// The selectors the file rules share.
pub mod select {
    use super::*;

    /// A path the collector did not look at is unknown, never "absent": the node is then not
    /// assessed rather than not concerned.
    fn stat_or_missing(ev: &NodeEvidence, path: &str) -> FileStat {
        ev.stat(path).cloned().unwrap_or(FileStat {
            path: path.into(),
            kind: "file".into(),
            why: "not looked at by the collector".into(),
            uid: None,
            gid: None,
            user: None,
            group: None,
            mode: None,
            error: Some("the node evidence does not cover this path (collected by another version of `collect node`?)".into()),
        })
    }

    pub fn paths(ev: &NodeEvidence, paths: &[&str]) -> Vec<FileStat> {
        paths.iter().map(|p| stat_or_missing(ev, p)).collect()
    }

    pub fn manifests(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        ev.under("/etc/kubernetes/manifests").filter(|f| f.kind == "file").cloned().collect()
    }

    pub fn pki(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        ev.under("/etc/kubernetes/pki").cloned().collect()
    }

    pub fn pki_crt(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        ev.under("/etc/kubernetes/pki").filter(|f| f.path.ends_with(".crt")).cloned().collect()
    }

    pub fn pki_key(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        ev.under("/etc/kubernetes/pki").filter(|f| f.path.ends_with(".key")).cloned().collect()
    }

    pub fn etcd_data(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        ev.under("/var/lib/etcd").cloned().collect()
    }

    /// A flag's value on the command line of a process of the node.
    fn process_flag(ev: &NodeEvidence, process: &str, flag: &str) -> Option<String> {
        let args = &ev.process(process)?.args;
        let flags = super::super::control_plane::Flags::parse(args);
        flags.get(flag).map(str::to_string)
    }

    /// The kubelet's config file: `--config` on its command line, else kubeadm's default.
    pub fn kubelet_config_path(ev: &NodeEvidence) -> String {
        process_flag(ev, "kubelet", "--config").unwrap_or_else(|| "/var/lib/kubelet/config.yaml".into())
    }

    pub fn kubelet_config(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        paths(ev, &[&kubelet_config_path(ev)])
    }

    /// kube-proxy's kubeconfig: `--kubeconfig`, else its KubeProxyConfiguration's
    /// `clientConnection.kubeconfig`. No kube-proxy process: nothing to judge on the node.
    pub fn kube_proxy_kubeconfig(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        if ev.process("kube-proxy").is_none() {
            return vec![];
        }
        let from_config = || {
            let cfg = process_flag(ev, "kube-proxy", "--config")?;
            ev.contents.get(&cfg)?.value.as_ref()?.pointer("/clientConnection/kubeconfig")?.as_str().map(str::to_string)
        };
        match process_flag(ev, "kube-proxy", "--kubeconfig").or_else(from_config) {
            Some(p) => paths(ev, &[&p]),
            None => vec![FileStat { path: "kube-proxy --kubeconfig".into(), kind: "file".into(), why: "kube-proxy runs without a kubeconfig the collector could find".into(), uid: None, gid: None, user: None, group: None, mode: None, error: Some("kube-proxy's kubeconfig path is unknown".into()) }],
        }
    }

    /// The kubelet's client CA file: from its configuration as the kubelet reports it.
    pub fn kubelet_client_ca(k: &KubeCluster, node: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        let from_configz = k.facts.kube.kubelets.as_ref().ok().and_then(|m| m.get(node)).and_then(|c| c.as_ref().ok()).and_then(|c| c.pointer("/authentication/x509/clientCAFile")).and_then(Value::as_str).map(str::to_string);
        let from_file = || ev.contents.get(&kubelet_config_path(ev))?.value.as_ref()?.pointer("/authentication/x509/clientCAFile")?.as_str().map(str::to_string);
        match from_configz.or_else(from_file) {
            Some(p) if !p.is_empty() => paths(ev, &[&p]),
            _ => vec![],
        }
    }

    pub fn kubeadm_conf(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        paths(ev, &["/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"])
    }

    pub fn admin_confs(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        paths(ev, &["/etc/kubernetes/admin.conf", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/controller-manager.conf"])
    }

    pub fn kubelet_conf(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        paths(ev, &["/etc/kubernetes/kubelet.conf"])
    }

    pub fn var_lib_kubelet_config(_: &KubeCluster, _: &str, ev: &NodeEvidence) -> Vec<FileStat> {
        paths(ev, &["/var/lib/kubelet/config.yaml"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path the node evidence does not cover is not "absent": the node is not assessed.
    #[test]
    fn a_path_the_collector_did_not_cover_is_unknown_not_absent() {
        use super::super::testing::{compliant_facts, CP};
        let mut f = compliant_facts();
        f.node_files.as_mut().unwrap().get_mut(CP).unwrap().files.retain(|s| s.path != "/etc/kubernetes/kubelet.conf");
        let k = KubeCluster::new(f);
        let p = decide_files(&k, &FileCheck { nodes: Nodes::All, select: select::kubelet_conf, want: FileWant::ModeAtMost(0o644), what: "kubelet.conf" });
        assert_eq!((p.status, p.assessed), (crate::assess::Status::NotReviewed, false), "{}", p.reason);
        assert!(p.reason.contains("does not cover"), "{}", p.reason);
    }

    #[test]
    fn wants_read_values_as_the_stig_text_does() {
        assert!(Want::Tls12.judge("--tls-min-version", Some("VersionTLS11")).is_err());
        assert!(Want::Tls12.judge("--tls-min-version", None).is_err());
        assert!(Want::Tls12.judge("--tls-min-version", Some("VersionTLS13")).is_ok());
        assert!(Want::AtLeast(100).judge("x", Some("99")).is_err());
        assert!(Want::AtLeast(100).judge("x", Some("100")).is_ok());
        assert!(Want::NonZeroDuration.judge("x", Some("0s")).is_err());
        assert!(Want::NonZeroDuration.judge("x", Some("1m0s")).is_ok());
        assert!(Want::DurationAtLeast(300).judge("x", Some("4m59s")).is_err());
        assert!(Want::DurationAtLeast(300).judge("x", Some("4h0m0s")).is_ok());
        assert!(Want::Unset.judge("x", Some("")).is_err());
        assert!(Want::Not("true").judge("x", None).is_ok());
        assert!(Want::SetExcluding("AlwaysAllow").judge("x", Some("Node,RBAC")).is_ok());
        assert!(Want::SetExcluding("AlwaysAllow").judge("x", Some("AlwaysAllow")).is_err());
        assert!(Want::GateNot("AllAlpha", true).judge("x", Some("AllAlpha=true")).is_err());
        assert!(Want::GateIs("PodSecurity", true).judge("x", Some("A=false")).is_err());
        assert!(Want::Includes(&["a", "b"]).judge("x", Some("b,a,c")).is_ok());
        assert!(Want::Includes(&["a", "b"]).judge("x", Some("a")).unwrap_err().contains("lacks b"));
    }
}
