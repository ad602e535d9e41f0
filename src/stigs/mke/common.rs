//! What many MKE rules share: the populations the STIG names (containers, nodes, pods) read
//! completely or said missing, the orchestrator gates, site-policy exceptions, and the MKE
//! configuration. Each rule file uses these and keeps its own decision.

use serde_json::Value;

use super::Cluster;
use crate::assess::verdict::{judge_counted, Uncounted};
use crate::assess::{fact, judge, Check, Empty, Outcome, Part, Phrases, Status, Subject, SubjectKind, PASSING_KEPT};
use crate::evidence::keys::Key;
use crate::facts::docker::{Container, Info};
use crate::facts::kubernetes::Pod;
use crate::facts::mke::{Chain, Config};
use crate::facts::Got;
use crate::facts::system::Class;
use crate::policy::{Policy, Target};

pub type Facts = Vec<(String, String)>;

/// One subject judged by a rule.
pub enum Judged {
    Ok(Facts),
    Bad(Facts),
    /// The site policy approves what would fail (an `allowed_*` entry).
    Approved { by: String, justification: String, facts: Facts },
    NotConcerned(Facts),
    Unknown(String),
}

/// Which containers a rule judges.
#[derive(Clone, Copy, PartialEq)]
pub enum Population {
    Running,
    All,
    /// All but MKE's, MSR's and Kubernetes' own (the STIG text excludes them).
    User,
}

pub fn target<'a>(cl: &Cluster, i: usize, c: &'a Container) -> Target<'a> {
    Target { name: &c.name, image: &c.image, node: &c.node, labels: &c.labels, system: matches!(cl.classes.get(i), Some(Class::System | Class::Kubernetes)) }
}

fn pod_target(p: &Pod) -> Target<'_> {
    Target { name: &p.name, image: &p.image, node: &p.node, labels: &p.labels, system: false }
}

/// What MKE's access control may hide from the collecting account: a population read through
/// MKE is complete only when an MKE admin read it.
pub fn visibility(cl: &Cluster) -> Vec<String> {
    if !cl.facts.through_mke {
        return vec![];
    }
    match &cl.facts.mke.identity {
        Ok(i) if i.is_admin => vec![],
        Ok(i) => vec![format!("the account \"{}\" is not an MKE admin, and MKE shows a non-admin only what its grants allow", i.name)],
        Err(e) => vec![format!("whether the collecting account is an MKE admin is unknown ({e})")],
    }
}

/// The Swarm half of a rule, when the STIG makes it not applicable under Kubernetes only.
pub fn swarm_gate(cl: &Cluster, label: &str) -> Option<Part> {
    match &cl.orchestrators.swarm {
        Ok(true) => None,
        Ok(false) => Some(Part::not_applicable(label, format!("Swarm is not in use (orchestrator: {})", cl.orchestrators.source))),
        Err(why) => Some(Part::missing(label, format!("whether Swarm is in use is unknown: {why}"))),
    }
}

/// The Kubernetes half of a rule: not applicable when Kubernetes is not in use; not assessed
/// when that is unknown or the Kubernetes API was not read.
pub fn kube_gate(cl: &Cluster, label: &str) -> Option<Part> {
    match &cl.orchestrators.kubernetes {
        Ok(false) => Some(Part::not_applicable(label, format!("Kubernetes is not in use (orchestrator: {})", cl.orchestrators.source))),
        Err(why) => Some(Part::missing(label, format!("whether Kubernetes is in use is unknown: {why}"))),
        Ok(true) => cl.facts.kube.reached.as_ref().err().map(|e| Part::missing(label, format!("Kubernetes is in use, but {e} (give a client bundle with kube.yml, or --kubeconfig)"))),
    }
}

fn subject(kind: SubjectKind, name: &str, id: &str, outcome: Outcome, facts: Facts) -> Check {
    Subject { kind, name: name.into(), id: id.into(), outcome, facts }
}

fn outcome(j: Judged, exception: impl FnOnce() -> Option<(String, String)>) -> (Outcome, Facts) {
    match j {
        Judged::Ok(f) => (Outcome::Pass, f),
        Judged::NotConcerned(f) => (Outcome::NotApplicable, f),
        Judged::Unknown(why) => (Outcome::Unknown(why), vec![]),
        Judged::Approved { by, justification, facts } => (Outcome::Excepted { by, justification }, facts),
        Judged::Bad(f) => match exception() {
            Some((by, justification)) => (Outcome::Excepted { by, justification }, f),
            None => (Outcome::Fail, f),
        },
    }
}

/// Judges every container of a population; `check` gets each container and the target the
/// site policy is matched against. A violation the policy excepts for this rule is listed with
/// its justification.
pub fn containers(cl: &Cluster, policy: &Policy, rule: &str, pop: Population, p: &Phrases, check: impl Fn(&Container, &Target) -> Judged) -> Part {
    let all = match &cl.facts.docker.containers {
        Ok(c) => c,
        Err(e) => return Part::missing("", e),
    };
    let mut checks = Vec::new();
    // Passing subjects beyond those a result keeps are only counted (judge_counted).
    let (mut uncounted, mut kept_ok) = (Uncounted::default(), 0);
    for (i, c) in all.iter().enumerate() {
        let class = cl.classes.get(i).unwrap_or(&Class::User);
        let included = match pop {
            Population::Running => c.running,
            Population::All => true,
            Population::User => !matches!(class, Class::System | Class::Kubernetes),
        };
        if !included {
            continue;
        }
        let t = target(cl, i, c);
        let judged = check(c, &t);
        // A container that only claims to be a system container cannot be cleared by that claim.
        let judged = match (class, pop, judged) {
            (Class::Unverified(why), Population::User, Judged::Bad(_)) => Judged::Unknown(format!("may be a system container the STIG excludes, but {why}")),
            (_, _, j) => j,
        };
        let (o, mut f) = outcome(judged, || policy.exception(rule, &t).map(|(by, e)| (by, e.justification.clone())));
        if matches!(o, Outcome::Pass | Outcome::NotApplicable) {
            if kept_ok == PASSING_KEPT {
                match o {
                    Outcome::Pass => uncounted.pass += 1,
                    _ => uncounted.not_applicable += 1,
                }
                continue;
            }
            kept_ok += 1;
        }
        let mut facts = vec![fact("image", &c.image)];
        if !c.node.is_empty() {
            facts.push(fact("node", &c.node));
        }
        facts.append(&mut f);
        checks.push(subject(SubjectKind::Container, &c.name, &c.id, o, facts));
    }
    let mut incomplete = cl.facts.docker.containers_incomplete();
    incomplete.extend(visibility(cl));
    let mut part = judge_counted("", p, checks, uncounted, &incomplete, Empty::Pass);
    let gone = cl.facts.docker.uninspected.iter().filter(|u| u.gone).count();
    if gone > 0 {
        part = part.note(format!("{gone} removed during collection"));
    }
    part
}

/// One node's engine as node-level rules see it.
pub struct NodeView<'a> {
    pub name: String,
    pub role: String,
    pub info: Result<&'a Info, String>,
}

/// The nodes the STIG's node-level checks cover: every node `/nodes` lists, each with its own
/// engine's `/info` (through MKE's per-node proxy). MKE's aggregate `/info` describes no node.
pub fn node_views(cl: &Cluster) -> Result<Vec<NodeView<'_>>, String> {
    let d = &cl.facts.docker;
    // One node whose own engine answered /info (not through MKE): that engine is the node.
    let own = |name: &str, why: &str| -> Result<&Info, String> {
        match &d.info {
            Err(e) => Err(e.clone()),
            Ok(i) if !d.info_is_aggregate() && i.name == name => Ok(i),
            Ok(_) => Err(format!("its own engine was not read ({why}; MKE's per-node proxy, --node-port)")),
        }
    };
    match &d.nodes {
        Err(e) => Err(format!("the node list is unknown ({e})")),
        Ok(None) => {
            let info = d.info.as_ref().map_err(String::clone);
            let name = info.as_ref().ok().map(|i| i.name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| "engine".into());
            Ok(vec![NodeView { name, role: String::new(), info: info.and_then(|i| if d.info_is_aggregate() { Err("MKE's aggregate /info describes no node".into()) } else { Ok(i) }) }])
        }
        Ok(Some(nodes)) if nodes.is_empty() => Err("/nodes lists no node".into()),
        Ok(Some(nodes)) => Ok(nodes
            .iter()
            .map(|n| {
                let info = match &d.node_engines {
                    Ok(engines) => match engines.iter().find(|e| e.name == n.hostname) {
                        Some(e) => e.info.as_ref().map_err(String::clone),
                        None => Err(format!("no answer from its engine (node {} is listed by /nodes, but its per-node /info was not read)", n.hostname)),
                    },
                    // One node and its own engine answering: that engine is the node.
                    Err(e) => own(&n.hostname, e),
                };
                NodeView { name: n.hostname.clone(), role: n.role.clone(), info }
            })
            .collect()),
    }
}

/// Judges every node's engine (managers only when the STIG says so).
pub fn nodes(cl: &Cluster, p: &Phrases, managers_only: bool, check: impl Fn(&Info) -> Judged) -> Part {
    let views = match node_views(cl) {
        Ok(v) => v,
        Err(e) => return Part::missing("", e),
    };
    let checks = views
        .into_iter()
        .filter(|v| !managers_only || v.role.is_empty() || v.role == "manager")
        .map(|v| {
            let (o, f) = outcome(match v.info {
                Err(e) => Judged::Unknown(e),
                Ok(i) => check(i),
            }, || None);
            subject(SubjectKind::Node, &v.name, &v.name, o, f)
        })
        .collect();
    judge("", p, checks, &visibility(cl), Empty::Missing("no node to judge".into()))
}

/// Judges pods (the Kubernetes half of a rule); `check` sees only the pods facts keep (those
/// using host namespaces or taking Secrets through the environment), the rest pass uncounted
/// one by one.
pub fn pods(cl: &Cluster, policy: &Policy, rule: &str, label: &str, p: &Phrases, check: impl Fn(&Pod) -> Judged) -> Part {
    if let Some(gate) = kube_gate(cl, label) {
        return gate;
    }
    let kept = match &cl.facts.kube.pods {
        Ok(p) => p,
        Err(e) => return Part::missing(label, e),
    };
    let mut checks = Vec::new();
    let mut others = cl.facts.kube.pod_total;
    for pod in kept {
        others = others.saturating_sub(1);
        let (o, f) = outcome(check(pod), || policy.exception(rule, &pod_target(pod)).map(|(by, e)| (by, e.justification.clone())));
        if o == Outcome::Pass {
            others += 1;
            continue;
        }
        let mut facts = vec![fact("image", &pod.image), fact("node", &pod.node)];
        facts.extend(f);
        let name = format!("{}/{}", pod.namespace, pod.name);
        checks.push(subject(SubjectKind::Pod, &name, &name, o, facts));
    }
    let mut part = judge_counted(label, p, checks, Uncounted { pass: others, not_applicable: 0 }, &[], Empty::Pass);
    part.label = label.into();
    part
}

/// MKE's configuration, or the part saying why it is missing.
pub fn config<'a>(cl: &'a Cluster, label: &str) -> Result<&'a Config, Part> {
    cl.facts.mke.config.as_ref().map_err(|e| Part::missing(label, e))
}

/// A configuration subject with the keys that decided it.
pub fn setting(ok: bool, facts: Facts) -> Subject {
    Subject { kind: SubjectKind::Setting, name: "config-toml".into(), id: Key::MkeConfig.endpoint().into(), outcome: if ok { Outcome::Pass } else { Outcome::Fail }, facts }
}

/// A whole-configuration verdict: pass or fail with its reason and the deciding keys.
pub fn config_verdict(ok: bool, pass: impl Into<String>, fail: impl Into<String>, facts: Facts) -> Part {
    let status = if ok { Status::Pass } else { Status::Fail };
    Part::decided("", status, if ok { pass.into() } else { fail.into() }, vec![setting(ok, facts)])
}

/// The MSR rules' gate: MSR collected, or why its rules are not applicable or not assessed.
pub fn msr_gate(cl: &Cluster, policy: &Policy) -> Option<Part> {
    if cl.facts.msr.collected {
        return None;
    }
    let registered: Result<Vec<String>, String> = cl.facts.mke.config.as_ref().map_err(String::clone).map(|c| {
        c.get("registries").and_then(toml::Value::as_array).map(|a| a.iter().filter_map(|r| r.get("host_address").and_then(toml::Value::as_str).map(str::to_string)).collect()).unwrap_or_default()
    });
    if policy.msr_in_use == Some(false) {
        // The site's word, unless MKE's own configuration contradicts it.
        return Some(match &registered {
            Ok(r) if !r.is_empty() => Part::missing("", format!("the site policy says no MSR is in use (msr_in_use: false), but MKE has {} registered: give --msr-url, or correct the policy", r.join(", "))),
            _ => Part::not_applicable("", "MSR is not in use (site policy: msr_in_use: false)"),
        });
    }
    let registered = match registered {
        Ok(r) => r,
        Err(e) => return Some(Part::missing("", format!("MSR was not collected (no --msr-url), and MKE's configuration, which lists registered MSRs, is unknown: {e}"))),
    };
    Some(if registered.is_empty() {
        Part::manual("", "needs site parameter P-MSR (policy key `msr_in_use`): no MSR is registered in MKE's [[registries]], but MSR 3.x does not register itself; give --msr-url, or set msr_in_use: false")
    } else {
        Part::missing("", format!("MSR {} is registered in MKE but was not collected: give --msr-url", registered.join(", ")))
    })
}

/// A violation the site policy approves, by the entries of `key` (`allowed_ports`) that cover
/// it, each with its justification.
pub fn approved(key: &str, mut used: Vec<usize>, justification: impl Fn(usize) -> String, facts: Facts) -> Judged {
    used.sort_unstable();
    used.dedup();
    Judged::Approved {
        by: used.iter().map(|i| format!("{key}[{i}]")).collect::<Vec<_>>().join(", "),
        justification: used.iter().map(|&i| justification(i)).collect::<Vec<_>>().join("; "),
        facts,
    }
}

/// "needs site parameter ..." (not reviewed, with the evidence found).
pub fn needs_param(param: &str, key: &str, found: impl AsRef<str>) -> Part {
    Part::manual("", format!("needs site parameter {param} (policy key `{key}`): {}", found.as_ref()))
}

/// One configuration key: its deciding fact and, when it does not comply, why; or why it
/// could not be read.
pub type KeyCheck = Result<((String, String), Option<String>), String>;

/// A setting rule over several keys: pass only when every key was read and complies; a key
/// found wrong fails even when another could not be read.
pub fn settings(checks: Vec<KeyCheck>, pass: &str) -> Part {
    let (mut facts, mut wrong, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for c in checks {
        match c {
            Ok((f, bad)) => {
                facts.push(f);
                wrong.extend(bad);
            }
            Err(e) => unknown.push(e),
        }
    }
    if !wrong.is_empty() {
        let part = config_verdict(false, "", wrong.join("; "), facts);
        return if unknown.is_empty() { part } else { part.note(format!("also not assessed: {}", unknown.join("; "))) };
    }
    if !unknown.is_empty() {
        return Part::missing("", unknown.join("; "));
    }
    config_verdict(true, pass, "", facts)
}

/// A server's certificate chain against P-TRUST: pass, fail, or why it cannot be judged.
pub fn chain_part(cl: &Cluster, chain: &Got<Chain>, what: &str) -> Part {
    let want = match &cl.trust_sha256 {
        None => return needs_param("P-TRUST", "trusted_ca_bundle", format!("the trusted (DoD) CA bundle {what}'s certificate chain must validate to")),
        Some(Err(e)) => return Part::missing("", e),
        Some(Ok(sha)) => sha,
    };
    let c = match chain {
        Ok(c) => c,
        Err(e) => return Part::missing("", e),
    };
    // The check ran at collection: it speaks for the policy's bundle only if it used that one.
    if &c.bundle_sha256 != want {
        let used = if c.bundle_sha256.is_empty() { "an unrecorded CA bundle".to_string() } else { format!("a CA bundle with SHA-256 {}", crate::assess::prefix(&c.bundle_sha256, 12)) };
        return Part::missing("", format!("{what}'s chain was checked against {used}, not the policy's trusted_ca_bundle ({}): collect again with this policy", crate::assess::prefix(want, 12)));
    }
    let facts = vec![fact("url", &c.url), fact("validates", c.validates)];
    let (status, outcome, reason) = if c.validates {
        (Status::Pass, Outcome::Pass, format!("{what} at {} presents a chain that validates to the trusted CA bundle (P-TRUST)", c.url))
    } else {
        (Status::Fail, Outcome::Fail, format!("{what} at {} presents a chain that does not validate to the trusted CA bundle (P-TRUST): {}", c.url, c.error))
    };
    Part::decided("", status, reason, vec![Subject { kind: SubjectKind::Setting, name: format!("{what} certificate"), id: c.url.clone(), outcome, facts }])
}

/// A boolean of an API answer (MSR's settings and status), or why it cannot be read: MSR always
/// answers with these flags, so an absent or mistyped one is not a default.
pub fn flag(v: &Value, key: Key, k: &str) -> Result<bool, String> {
    match v.get(k) {
        Some(Value::Bool(b)) => Ok(*b),
        None => Err(format!("{} does not say {k}", key.endpoint())),
        Some(other) => Err(format!("{}: {k} = {other} is not true or false", key.endpoint())),
    }
}

/// An MSR setting that must be off (`GET /api/v0/meta/settings`): not applicable when MSR is
/// not in use, not assessed when the flag cannot be read.
pub fn msr_switch_off(cl: &Cluster, policy: &Policy, name: &str, pass: &str, fail: &str) -> Vec<Part> {
    if let Some(gate) = msr_gate(cl, policy) {
        return vec![gate];
    }
    let on = match cl.facts.msr.settings.as_ref().map_err(String::clone).and_then(|s| flag(s, Key::MsrSettings, name)) {
        Ok(b) => b,
        Err(e) => return vec![Part::missing("", e)],
    };
    let (status, outcome, reason) = if on { (Status::Fail, Outcome::Fail, format!("{fail} ({name} = true)")) } else { (Status::Pass, Outcome::Pass, pass.to_string()) };
    let subject = Subject { kind: SubjectKind::Setting, name: "MSR settings".into(), id: Key::MsrSettings.endpoint().into(), outcome, facts: vec![fact(name, on)] };
    vec![Part::decided("", status, reason, vec![subject])]
}
