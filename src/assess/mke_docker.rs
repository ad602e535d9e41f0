//! The MKE STIG rules a Docker Engine API can decide (see shared/design/mke-check-map.md).
//! One function per rule; each returns a verdict, a one-line reason, and its subjects with the
//! field values that decided them.

use super::docker_facts::{Class, Container, DockerFacts, Info};
use super::{fact, not_assessed, result, version_key, RuleResult, Status, Subject, SubjectKind, PASSING_KEPT};
use crate::policy::{Orchestrator, Policy, Target};

const INSPECT: &str = "GET /containers/{id}/json";
const LIST: &str = "GET /containers/json?all=1";
const INFO: &str = "GET /info";

/// What every rule sees.
pub struct Ctx<'a> {
    pub facts: &'a DockerFacts,
    pub policy: Option<&'a Policy>,
    pub orchestrator: Orchestrator,
    /// How the orchestrator was determined, for reasons.
    pub orchestrator_source: String,
}

type RuleFn = fn(&Ctx) -> RuleResult;

/// Rules decided here, in DISA order.
pub const RULES: &[(&str, RuleFn)] = &[
    ("V-260907", v260907),
    ("V-260908", v260908),
    ("V-260910", v260910),
    ("V-260911", v260911),
    ("V-260913", v260913),
    ("V-260915", v260915),
    ("V-260920", v260920),
    ("V-260921", v260921),
    ("V-260922", v260922),
    ("V-260923", v260923),
    ("V-260924", v260924),
    ("V-260925", v260925),
    ("V-260926", v260926),
    ("V-260929", v260929),
    ("V-260930", v260930),
    ("V-260931", v260931),
    ("V-260934", v260934),
    ("V-260935", v260935),
    ("V-260936", v260936),
    ("V-260937", v260937),
    ("V-260939", v260939),
    ("V-260940", v260940),
    ("V-260941", v260941),
    ("V-260944", v260944),
];

/// Decides every rule from an evidence snapshot: the one path for live and offline runs, so
/// both give the same document.
pub fn assess_snapshot(snap: &crate::evidence::Snapshot, policy: Option<&Policy>) -> super::Assessment {
    assess_with(&DockerFacts::load(snap), snap, policy)
}

/// [`assess_snapshot`] with the facts already loaded (the cluster assessment reuses them).
pub fn assess_with(facts: &DockerFacts, snap: &crate::evidence::Snapshot, policy: Option<&Policy>) -> super::Assessment {
    let (orchestrator, orchestrator_source) = orchestrator(facts, policy);
    let ctx = Ctx { facts, policy, orchestrator, orchestrator_source };
    let results = RULES.iter().map(|(_, f)| f(&ctx)).collect();
    let files = [
        "docker/version.json", "docker/info.json", "docker/containers.json", crate::probe::docker::INSPECT_FILE,
        crate::probe::docker::TOP_FILE, "docker/images.json", "docker/networks.json", "docker/secrets.json",
        "docker/services.json", "docker/nodes.json",
    ];
    super::Assessment {
        target: snap.manifest.target.clone(),
        started: snap.manifest.started.clone(),
        finished: snap.manifest.finished.clone(),
        orchestrator: ctx.orchestrator_source.clone(),
        results,
        evidence_files: files.iter().filter_map(|f| snap.file_sha256(f).map(|h| (f.to_string(), h))).collect(),
        manifest_sha256: snap.file_sha256("manifest.json").unwrap_or_default(),
    }
}

/// Decides every rule in [`RULES`].
pub fn assess(facts: &DockerFacts, policy: Option<&Policy>) -> Vec<RuleResult> {
    let (orchestrator, orchestrator_source) = orchestrator(facts, policy);
    let ctx = Ctx { facts, policy, orchestrator, orchestrator_source };
    RULES.iter().map(|(_, f)| f(&ctx)).collect()
}

/// The site policy wins; otherwise MKE's node labels; otherwise Swarm (containers on an engine
/// are Swarm-side workloads in MKE terms).
pub fn orchestrator(facts: &DockerFacts, policy: Option<&Policy>) -> (Orchestrator, String) {
    if let Some(o) = policy.and_then(|p| p.orchestrator) {
        return (o, format!("{} (site policy)", o.as_str()));
    }
    if let Ok(nodes) = &facts.nodes {
        let has = |k: &str| nodes.iter().any(|n| n.labels.get(k).map(String::as_str) == Some("true"));
        let (s, k) = (has("com.docker.ucp.orchestrator.swarm"), has("com.docker.ucp.orchestrator.kubernetes"));
        let o = match (s, k) {
            (true, true) => Some(Orchestrator::Both),
            (false, true) => Some(Orchestrator::Kubernetes),
            (true, false) => Some(Orchestrator::Swarm),
            _ => None,
        };
        if let Some(o) = o {
            return (o, format!("{} (MKE node labels)", o.as_str()));
        }
    }
    (Orchestrator::Swarm, "swarm (no MKE orchestrator labels; engine containers count as Swarm workloads)".into())
}

// ---------------------------------------------------------------- building blocks

fn needs_param(rule: &str, param: &str, key: &str, found: String, evidence: &[&str]) -> RuleResult {
    result(rule, Status::NotReviewed, format!("needs site parameter {param} (policy key `{key}`): {found}"), evidence)
}

fn swarm_gate(ctx: &Ctx, rule: &str, evidence: &[&str]) -> Option<RuleResult> {
    (!ctx.orchestrator.swarm()).then(|| {
        result(rule, Status::NotApplicable, format!("Swarm is not in use (orchestrator: {}); the STIG makes this check N/A under Kubernetes", ctx.orchestrator_source), evidence)
    })
}

/// [`decide_containers`] for the rules the STIG makes not applicable under Kubernetes.
fn decide_swarm_containers(
    ctx: &Ctx,
    rule: &str,
    population: Population,
    what: &str,
    check: impl Fn(&Container) -> Option<Vec<(String, String)>>,
    ok_facts: impl Fn(&Container) -> Vec<(String, String)>,
) -> RuleResult {
    swarm_gate(ctx, rule, &[LIST, INSPECT]).unwrap_or_else(|| decide_containers(ctx, rule, population, what, check, ok_facts))
}

fn target(c: &Container) -> Target<'_> {
    Target { name: &c.name, image: &c.image, node: &c.node, labels: &c.labels }
}

fn container_subject(c: &Container, ok: bool, facts: Vec<(String, String)>, note: Option<String>) -> Subject {
    let mut f = vec![("image".to_string(), c.image.clone())];
    if !c.node.is_empty() {
        f.push(("node".into(), c.node.clone()));
    }
    f.extend(facts);
    Subject { kind: SubjectKind::Container, name: c.name.clone(), id: c.id.clone(), ok, facts: f, note }
}

#[derive(Clone, Copy, PartialEq)]
enum Population {
    Running,
    All,
    /// Class U only (the text excludes MKE, Kubernetes and MSR system containers).
    UserAll,
}

/// The common shape of container rules: each container in the population either violates
/// (`check` returns the deciding facts) or not; SSP exceptions turn violations into notes.
fn decide_containers(
    ctx: &Ctx,
    rule: &str,
    population: Population,
    what: &str,
    check: impl Fn(&Container) -> Option<Vec<(String, String)>>,
    ok_facts: impl Fn(&Container) -> Vec<(String, String)>,
) -> RuleResult {
    let evidence = [LIST, INSPECT];
    let all = match &ctx.facts.containers {
        Ok(c) => c,
        Err(e) => return not_assessed(rule, e, &evidence),
    };
    let pop: Vec<&Container> = all
        .iter()
        .filter(|c| match population {
            Population::Running => c.running,
            Population::All => true,
            Population::UserAll => c.class == Class::User,
        })
        .collect();
    let mut subjects = Vec::new();
    let (mut failed, mut excepted, mut passed) = (0usize, 0usize, 0usize);
    for c in &pop {
        match check(c) {
            Some(facts) => match ctx.policy.and_then(|p| p.exception(rule, &target(c))) {
                Some(ex) => {
                    excepted += 1;
                    subjects.push(container_subject(c, true, facts, Some(format!("SSP exception: {}", ex.reason))));
                }
                None => {
                    failed += 1;
                    subjects.push(container_subject(c, false, facts, None));
                }
            },
            None => {
                passed += 1;
                if passed <= PASSING_KEPT {
                    subjects.push(container_subject(c, true, ok_facts(c), None));
                }
            }
        }
    }
    let scope = match population {
        Population::Running => "running containers",
        Population::All => "containers",
        Population::UserAll => "user containers (MKE/Kubernetes/MSR system containers excluded by the STIG text)",
    };
    let incomplete: Vec<&(String, String, bool)> = ctx.facts.uninspected.iter().filter(|(_, _, gone)| !gone).collect();
    let gone = ctx.facts.uninspected.len() - incomplete.len();
    let mut tail = String::new();
    if excepted > 0 {
        tail.push_str(&format!("; {excepted} excepted by the SSP"));
    }
    if gone > 0 {
        tail.push_str(&format!("; {gone} removed during collection"));
    }
    let mut r = if failed > 0 {
        result(rule, Status::Fail, format!("{failed} of {} {scope} {what}{tail}", pop.len()), &evidence)
    } else if let Some((name, why, _)) = incomplete.first() {
        not_assessed(rule, &format!("{} container(s) could not be inspected (first: {name}: {why})", incomplete.len()), &evidence)
    } else {
        result(rule, Status::Pass, format!("none of {} {scope} {what}{tail}", pop.len()), &evidence)
    };
    if failed > 0 && !incomplete.is_empty() {
        r.reason.push_str(&format!("; {} container(s) could not be inspected", incomplete.len()));
    }
    r.subjects = subjects;
    r.passed_total = passed + excepted;
    r
}

/// The engines node-level rules judge: each node's own engine when MKE's per-node proxy was
/// read, otherwise the one engine answering /info (for MKE: the aggregate).
fn engines<'a>(ctx: &'a Ctx) -> Vec<(String, &'a str, Result<&'a Info, &'a String>)> {
    if ctx.facts.node_engines.is_empty() {
        let name = ctx.facts.info.as_ref().map(|i| if i.name.is_empty() { ctx_target_name(i) } else { i.name.clone() }).unwrap_or_else(|_| "engine".into());
        return vec![(name, "", ctx.facts.info.as_ref())];
    }
    ctx.facts.node_engines.iter().map(|n| (n.name.clone(), n.role.as_str(), n.info.as_ref())).collect()
}

/// What one engine says for a node-level rule.
enum NodeCheck {
    Ok(Vec<(String, String)>),
    Bad(Vec<(String, String)>),
    NotApplicable(Vec<(String, String)>),
    Unknown(String),
}

/// A rule judged engine by engine: fails if any engine fails; not assessed if any is unknown
/// and none fails; not applicable if no engine is concerned.
fn node_rule(ctx: &Ctx, rule: &str, managers_only: bool, judge: impl Fn(&Info) -> NodeCheck, pass: &str, fail: &str, na: &str) -> RuleResult {
    let ev = [INFO];
    let mut subjects = Vec::new();
    let (mut bad, mut unknown, mut applicable) = (0, Vec::new(), 0);
    for (name, role, info) in engines(ctx) {
        if managers_only && !role.is_empty() && role != "manager" {
            continue;
        }
        let check = match info {
            Err(e) => NodeCheck::Unknown(e.clone()),
            Ok(i) => judge(i),
        };
        let (ok, facts) = match check {
            NodeCheck::Ok(f) => {
                applicable += 1;
                (true, f)
            }
            NodeCheck::Bad(f) => {
                applicable += 1;
                bad += 1;
                (false, f)
            }
            NodeCheck::NotApplicable(f) => (true, f),
            NodeCheck::Unknown(why) if ctx.facts.node_engines.is_empty() => {
                unknown.push(why);
                continue;
            }
            NodeCheck::Unknown(why) => {
                unknown.push(format!("{name}: {why}"));
                continue;
            }
        };
        subjects.push(Subject { kind: SubjectKind::Node, name: name.clone(), id: name, ok, facts, note: None });
    }
    let total = subjects.len() + unknown.len();
    let mut r = if bad > 0 {
        result(rule, Status::Fail, format!("{bad} of {total} node(s): {fail}"), &ev)
    } else if !unknown.is_empty() {
        not_assessed(rule, &unknown.join("; "), &ev)
    } else if applicable == 0 {
        result(rule, Status::NotApplicable, format!("no node {na}"), &ev)
    } else {
        result(rule, Status::Pass, format!("all {applicable} node(s): {pass}"), &ev)
    };
    r.passed_total = subjects.iter().filter(|s| s.ok).count();
    r.subjects = subjects;
    r
}

fn ctx_target_name(info: &Info) -> String {
    if info.id.is_empty() { "engine".into() } else { info.id.clone() }
}

fn has_opt(c: &Container, pred: impl Fn(&str, &str) -> bool) -> bool {
    // `key=value` and the legacy `key:value` spellings.
    c.security_opt.iter().any(|o| {
        let (k, v) = o.split_once(['=', ':']).unwrap_or((o.as_str(), ""));
        pred(k, v)
    })
}

/// Rules that fail a container whose namespace mode is `host` (network, PID, user),
/// optionally only where Swarm is in use.
fn host_namespace_rule(
    ctx: &Ctx,
    rule: &str,
    swarm_only: bool,
    population: Population,
    what: &str,
    field: &str,
    mode: fn(&Container) -> &String,
) -> RuleResult {
    let check = |c: &Container| (mode(c) == "host").then(|| vec![fact(field, mode(c))]);
    let ok_facts = |c: &Container| vec![fact(field, mode(c))];
    if swarm_only {
        decide_swarm_containers(ctx, rule, population, what, check, ok_facts)
    } else {
        decide_containers(ctx, rule, population, what, check, ok_facts)
    }
}

// ---------------------------------------------------------------- the rules

fn v260908(ctx: &Ctx) -> RuleResult {
    node_rule(
        ctx,
        "V-260908",
        true,
        |i| match &i.security_options {
            None => NodeCheck::Unknown("/info has no SecurityOptions (MKE's aggregated /info); per-node engine access is needed".into()),
            Some(opts) => {
                let facts = vec![fact("SecurityOptions", opts.join(", "))];
                if i.security_option_names().iter().any(|n| n == "fips") { NodeCheck::Ok(facts) } else { NodeCheck::Bad(facts) }
            }
        },
        "FIPS mode is on (SecurityOptions include name=fips)",
        "FIPS mode is off (SecurityOptions without name=fips)",
        "",
    )
}

fn v260915(ctx: &Ctx) -> RuleResult {
    let accepted_list = ctx.policy.and_then(|p| p.log_drivers.as_ref());
    let list = accepted_list.map(|l| l.join(", ")).unwrap_or_else(|| "syslog, journald, logging plugins".into());
    let mut r = node_rule(
        ctx,
        "V-260915",
        false,
        |i| {
            let d = i.logging_driver.as_str();
            let ok = match accepted_list {
                Some(l) => l.iter().any(|x| x == d),
                // Check map default: syslog, journald, or a logging plugin (name:tag or repo/name).
                None => matches!(d, "syslog" | "journald") || d.contains('/') || d.contains(':'),
            };
            let facts = vec![fact("LoggingDriver", d)];
            if d.is_empty() { NodeCheck::Unknown("/info has no LoggingDriver".into()) } else if ok { NodeCheck::Ok(facts) } else { NodeCheck::Bad(facts) }
        },
        "the engine log driver sends logs to a central collector",
        &format!("the engine log driver does not send logs to a central collector (accepted: {list})"),
        "",
    );
    if r.status == Status::Pass {
        r.status = Status::NotReviewed;
        r.reason = format!("{}; part 2 (SIEM alert when audit processing fails) needs manual review", r.reason);
    }
    r
}

fn v260921(ctx: &Ctx) -> RuleResult {
    node_rule(
        ctx,
        "V-260921",
        false,
        |i| {
            let os = &i.operating_system;
            let facts = vec![fact("OperatingSystem", os), fact("SecurityOptions", i.security_options.clone().unwrap_or_default().join(", "))];
            if !(os.contains("Red Hat") || os.contains("CentOS") || os.contains("RHEL")) {
                NodeCheck::NotApplicable(facts)
            } else if i.security_option_names().iter().any(|n| n == "selinux") {
                NodeCheck::Ok(facts)
            } else {
                NodeCheck::Bad(facts)
            }
        },
        "SELinux support is on",
        "RHEL/CentOS without name=selinux in SecurityOptions",
        "runs RHEL or CentOS",
    )
}

fn v260926(ctx: &Ctx) -> RuleResult {
    node_rule(
        ctx,
        "V-260926",
        false,
        |i| {
            let facts = vec![fact("Driver", &i.driver)];
            if i.driver.contains("aufs") || i.driver.contains("btrfs") { NodeCheck::Bad(facts) } else { NodeCheck::Ok(facts) }
        },
        "the storage driver is neither aufs nor btrfs",
        "the storage driver is aufs or btrfs",
        "",
    )
}

/// Nodes are judged on their OS and AppArmor; their unprivileged containers on their profile.
fn v260920(ctx: &Ctx) -> RuleResult {
    let rule = "V-260920";
    let applicable: Vec<String> = engines(ctx)
        .into_iter()
        .filter_map(|(name, _, info)| info.ok().filter(|i| i.operating_system.contains("Ubuntu") && i.security_option_names().iter().any(|n| n == "apparmor")).map(|_| name))
        .collect();
    if applicable.is_empty() {
        return node_rule(ctx, rule, false, |i| NodeCheck::NotApplicable(vec![fact("OperatingSystem", &i.operating_system)]), "", "", "runs Ubuntu with AppArmor enabled");
    }
    let single = ctx.facts.node_engines.is_empty();
    decide_containers(
        ctx,
        rule,
        Population::All,
        "run unprivileged with AppArmorProfile=unconfined",
        |c| {
            let on_applicable = single || applicable.contains(&c.node);
            (on_applicable && c.apparmor_profile == "unconfined" && !c.privileged).then(|| vec![fact("AppArmorProfile", &c.apparmor_profile), fact("HostConfig.Privileged", c.privileged)])
        },
        |c| vec![fact("AppArmorProfile", &c.apparmor_profile)],
    )
}

/// Ports mapped on running containers are those the SSP approves (P-PORTS).
fn ports_rule(ctx: &Ctx, rule: &str, note: &str) -> RuleResult {
    let evidence = [LIST, INSPECT];
    let Ok(all) = &ctx.facts.containers else { return decide_containers(ctx, rule, Population::Running, "", |_| None, |_| vec![]) };
    let mapped: usize = all.iter().filter(|c| c.running).map(|c| c.ports.iter().filter(|p| p.live).count()).sum();
    let Some(allowed) = ctx.policy.and_then(|p| p.allowed_ports.as_ref()) else {
        if mapped == 0 {
            let mut r = decide_containers(ctx, rule, Population::Running, "map a port", |_| None, |_| vec![]);
            r.reason.push_str(note);
            return r;
        }
        return needs_param(rule, "P-PORTS", "allowed_ports", format!("{mapped} mapped port(s) on running containers to judge{note}"), &evidence);
    };
    let mut r = decide_containers(
        ctx,
        rule,
        Population::Running,
        "map ports the SSP does not approve",
        |c| {
            let bad: Vec<String> = c
                .ports
                .iter()
                .filter(|p| p.live)
                .filter(|p| {
                    !allowed.iter().any(|a| {
                        a.host_port == p.host_port
                            && a.container_port.is_none_or(|cp| cp == p.container_port)
                            && a.protocol.as_deref().unwrap_or("tcp") == p.protocol
                            && a.host_ip.as_deref().is_none_or(|ip| ip == p.host_ip)
                            && a.matcher.as_ref().is_none_or(|m| m.matches(&target(c)))
                    })
                })
                .map(|p| p.describe())
                .collect();
            (!bad.is_empty()).then(|| vec![fact("NetworkSettings.Ports (not approved)", bad.join(", "))])
        },
        |c| vec![fact("NetworkSettings.Ports", c.ports.iter().filter(|p| p.live).map(|p| p.describe()).collect::<Vec<_>>().join(", "))],
    );
    r.reason.push_str(note);
    r
}

fn v260907(ctx: &Ctx) -> RuleResult {
    ports_rule(ctx, "V-260907", "")
}

fn v260941(ctx: &Ctx) -> RuleResult {
    ports_rule(ctx, "V-260941", " (ingress controller state is in MKE's configuration, read by `assess mke`; judged here as if none is configured)")
}

fn v260910(ctx: &Ctx) -> RuleResult {
    let rule = "V-260910";
    let mut r = decide_containers(
        ctx,
        rule,
        Population::Running,
        "run an sshd process",
        |c| match ctx.facts.processes.get(&c.id) {
            Some(Ok(procs)) => {
                let ssh: Vec<String> = procs
                    .iter()
                    .filter(|p| {
                        let base = p.command.split_whitespace().next().unwrap_or("").rsplit('/').next().unwrap_or("");
                        base == "sshd" || base.starts_with("sshd:")
                    })
                    .map(|p| format!("pid {} {}", p.pid, p.command))
                    .collect();
                (!ssh.is_empty()).then(|| vec![fact("processes (top)", ssh.join("; "))])
            }
            _ => None,
        },
        |c| match ctx.facts.processes.get(&c.id) {
            Some(Ok(p)) => vec![fact("processes (top)", p.iter().map(|p| p.command.as_str()).collect::<Vec<_>>().join(", "))],
            _ => vec![],
        },
    );
    r.evidence.push("GET /containers/{id}/top".into());
    // A running container whose process list is missing cannot be cleared.
    let missing: Vec<(&String, &String)> = ctx.facts.processes.iter().filter_map(|(id, p)| p.as_ref().err().map(|e| (id, e))).collect();
    if r.status == Status::Pass && !missing.is_empty() {
        let (id, why) = missing.iter().min().expect("non-empty");
        return RuleResult { subjects: r.subjects, passed_total: r.passed_total, ..not_assessed(rule, &format!("{} running container(s) without a process list (first: {}: {why})", missing.len(), &id[..id.len().min(12)]), &[LIST, "GET /containers/{id}/top"]) };
    }
    r
}

fn v260911(ctx: &Ctx) -> RuleResult {
    let rule = "V-260911";
    let ev = ["GET /secrets"];
    if let Some(r) = swarm_gate(ctx, rule, &ev) {
        return r;
    }
    let secrets = match &ctx.facts.secrets {
        Ok(s) => s,
        Err(e) => return not_assessed(rule, e, &ev),
    };
    let mut present: Vec<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
    present.sort();
    let Some(required) = ctx.policy.and_then(|p| p.swarm_secrets.as_ref()) else {
        return needs_param(rule, "P-SECRETS", "swarm_secrets", format!("Swarm secrets present: [{}]", present.join(", ")), &ev);
    };
    let mut subjects: Vec<Subject> = required
        .iter()
        .map(|name| {
            let found = secrets.iter().find(|s| &s.name == name);
            Subject {
                kind: SubjectKind::Secret,
                name: name.clone(),
                id: found.map(|s| s.id.clone()).unwrap_or_default(),
                ok: found.is_some(),
                facts: vec![fact("Spec.Name", if found.is_some() { "present" } else { "missing" })],
                note: None,
            }
        })
        .collect();
    subjects.sort();
    let missing: Vec<&str> = subjects.iter().filter(|s| !s.ok).map(|s| s.name.as_str()).collect();
    let mut r = if missing.is_empty() {
        result(rule, Status::Pass, format!("all {} SSP-identified items exist as Swarm secrets (Kubernetes part: `assess mke`)", required.len()), &ev)
    } else {
        result(rule, Status::Fail, format!("{} of {} SSP-identified items are not Swarm secrets: {}", missing.len(), required.len(), missing.join(", ")), &ev)
    };
    r.passed_total = subjects.iter().filter(|s| s.ok).count();
    r.subjects = subjects;
    r
}

fn v260913(ctx: &Ctx) -> RuleResult {
    host_namespace_rule(ctx, "V-260913", false, Population::Running, "use the host network without an SSP exception", "HostConfig.NetworkMode", |c| &c.network_mode)
}

fn v260922(ctx: &Ctx) -> RuleResult {
    decide_swarm_containers(
        ctx,
        "V-260922",
        Population::All,
        "mount the Docker socket without an SSP exception",
        |c| {
            let hits: Vec<&str> = c.mounts.iter().filter(|m| m.contains("docker.sock") || m.contains("docker_engine")).map(String::as_str).collect();
            (!hits.is_empty()).then(|| vec![fact("Mounts", hits.join(", "))])
        },
        |c| vec![fact("Mounts", c.mounts.join(", "))],
    )
}

fn cap_name(c: &str) -> &str {
    c.strip_prefix("CAP_").unwrap_or(c)
}

fn v260923(ctx: &Ctx) -> RuleResult {
    caps_rule(ctx, "V-260923")
}

fn caps_rule(ctx: &Ctx, rule: &str) -> RuleResult {
    let evidence = [LIST, INSPECT];
    if let Some(r) = swarm_gate(ctx, rule, &evidence) {
        return r;
    }
    let adding = ctx.facts.containers.as_ref().map(|cs| cs.iter().filter(|c| !c.cap_add.is_empty()).count()).unwrap_or(0);
    let allowed = ctx.policy.and_then(|p| p.allowed_capabilities.as_ref());
    if allowed.is_none() && adding > 0 {
        return needs_param(rule, "P-CAPS", "allowed_capabilities", format!("{adding} container(s) add capabilities"), &evidence);
    }
    decide_containers(
        ctx,
        rule,
        Population::All,
        "add capabilities the SSP does not approve",
        |c| {
            let bad: Vec<&str> = c
                .cap_add
                .iter()
                .filter(|cap| {
                    !allowed.into_iter().flatten().any(|a| {
                        a.matcher.as_ref().is_none_or(|m| m.matches(&target(c))) && a.capabilities.iter().any(|x| cap_name(x) == cap_name(cap))
                    })
                })
                .map(String::as_str)
                .collect();
            (!bad.is_empty()).then(|| vec![fact("HostConfig.CapAdd (not approved)", bad.join(", "))])
        },
        |c| vec![fact("HostConfig.CapAdd", c.cap_add.join(", "))],
    )
}

fn low_ports_rule(ctx: &Ctx, rule: &str) -> RuleResult {
    decide_containers(
        ctx,
        rule,
        Population::All,
        "map a host port below 1024 without an SSP exception",
        |c| {
            let low: Vec<String> = c.ports.iter().filter(|p| (1..1024).contains(&p.host_port) && (p.live || !c.running)).map(|p| p.describe()).collect();
            (!low.is_empty()).then(|| vec![fact(if c.running { "NetworkSettings.Ports" } else { "HostConfig.PortBindings" }, low.join(", "))])
        },
        |c| vec![fact("ports", c.ports.iter().map(|p| p.describe()).collect::<Vec<_>>().join(", "))],
    )
}

fn v260924(ctx: &Ctx) -> RuleResult {
    let mut r = low_ports_rule(ctx, "V-260924");
    // The title's intent: traffic bound to a specific interface.
    if let Ok(cs) = &ctx.facts.containers {
        let wide = cs.iter().flat_map(|c| c.ports.iter()).filter(|p| matches!(p.host_ip.as_str(), "" | "0.0.0.0" | "::")).count();
        if wide > 0 {
            r.reason.push_str(&format!("; {wide} binding(s) listen on all interfaces"));
        }
    }
    r.reason.push_str(" (MKE configuration host ports: `assess mke`)");
    r
}

fn v260929(ctx: &Ctx) -> RuleResult {
    low_ports_rule(ctx, "V-260929")
}

fn v260925(ctx: &Ctx) -> RuleResult {
    let rule = "V-260925";
    if let Some(r) = swarm_gate(ctx, rule, &[LIST, INSPECT]) {
        return r;
    }
    let exempt = ctx.policy.and_then(|p| p.cpu_shares_exempt.as_ref());
    let mut r = decide_containers(
        ctx,
        rule,
        Population::Running,
        "run without a memory limit or with default CPU shares (0/1024) not documented in the SSP",
        |c| {
            let mut bad = Vec::new();
            if c.memory == 0 {
                bad.push(fact("HostConfig.Memory", 0));
            }
            let default_shares = c.cpu_shares == 0 || c.cpu_shares == 1024;
            if default_shares && !exempt.into_iter().flatten().any(|m| m.matches(&target(c))) {
                bad.push(fact("HostConfig.CpuShares", c.cpu_shares));
            }
            (!bad.is_empty()).then_some(bad)
        },
        |c| vec![fact("HostConfig.Memory", c.memory), fact("HostConfig.CpuShares", c.cpu_shares)],
    );
    r.reason.push_str(" (Kubernetes resource quotas: `assess mke`)");
    r
}

fn v260930(ctx: &Ctx) -> RuleResult {
    host_namespace_rule(ctx, "V-260930", true, Population::Running, "share the host PID namespace without an SSP exception", "HostConfig.PidMode", |c| &c.pid_mode)
}

fn v260931(ctx: &Ctx) -> RuleResult {
    let rule = "V-260931";
    let ev = ["GET /networks"];
    if let Some(r) = swarm_gate(ctx, rule, &ev) {
        return r;
    }
    let nets = match &ctx.facts.networks {
        Ok(n) => n,
        Err(e) => return not_assessed(rule, e, &ev),
    };
    let mut subjects: Vec<Subject> = nets
        .iter()
        .map(|n| {
            let bad = n.scope != "local" && n.driver != "overlay";
            let encrypted = n.options.as_ref().is_some_and(|o| o.contains_key("encrypted"));
            let mut facts = vec![fact("Scope", &n.scope), fact("Driver", &n.driver)];
            if n.driver == "overlay" {
                facts.push(fact("Options.encrypted", encrypted));
            }
            Subject { kind: SubjectKind::Network, name: n.name.clone(), id: n.id.clone(), ok: !bad, facts, note: None }
        })
        .collect();
    subjects.sort();
    let failed = subjects.iter().filter(|s| !s.ok).count();
    let unencrypted: Vec<&str> = nets
        .iter()
        .filter(|n| n.driver == "overlay" && n.name != "ingress" && !n.options.as_ref().is_some_and(|o| o.contains_key("encrypted")))
        .map(|n| n.name.as_str())
        .collect();
    let note = if unencrypted.is_empty() { String::new() } else { format!("; overlay networks without IPsec encryption: {}", unencrypted.join(", ")) };
    let mut r = if failed > 0 {
        result(rule, Status::Fail, format!("{failed} of {} networks are neither local-scoped nor overlay{note}", nets.len()), &ev)
    } else {
        result(rule, Status::Pass, format!("all {} networks are local-scoped or overlay{note} (Kubernetes secure_overlay: `assess mke`)", nets.len()), &ev)
    };
    r.passed_total = subjects.len() - failed;
    r.subjects = subjects;
    r
}

fn v260934(ctx: &Ctx) -> RuleResult {
    decide_containers(
        ctx,
        "V-260934",
        Population::All,
        "run without no-new-privileges",
        |c| {
            let nnp = has_opt(c, |k, v| k == "no-new-privileges" && v != "false");
            (!nnp).then(|| vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))])
        },
        |c| vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))],
    )
}

fn v260935(ctx: &Ctx) -> RuleResult {
    let rule = "V-260935";
    let allowed = ctx.policy.and_then(|p| p.host_ipc_allowed);
    let mut r = decide_containers(
        ctx,
        rule,
        Population::All,
        "share the host IPC namespace",
        |c| (c.ipc_mode == "host" && allowed != Some(true)).then(|| vec![fact("HostConfig.IpcMode", &c.ipc_mode)]),
        |c| vec![fact("HostConfig.IpcMode", &c.ipc_mode)],
    );
    if r.status == Status::Pass {
        r.status = Status::NotReviewed;
        r.reason = format!("{}; the rule is decided on MKE's hostIPC privilege settings, read by `assess mke`", r.reason);
    }
    r
}

fn v260936(ctx: &Ctx) -> RuleResult {
    decide_swarm_containers(
        ctx,
        "V-260936",
        Population::All,
        "have a writable root filesystem without an SSP exception",
        |c| (!c.readonly_rootfs).then(|| vec![fact("HostConfig.ReadonlyRootfs", false)]),
        |_| vec![fact("HostConfig.ReadonlyRootfs", true)],
    )
}

fn v260937(ctx: &Ctx) -> RuleResult {
    decide_swarm_containers(
        ctx,
        "V-260937",
        Population::Running,
        "run with seccomp unconfined",
        |c| has_opt(c, |k, v| k == "seccomp" && v == "unconfined").then(|| vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))]),
        |c| vec![fact("HostConfig.SecurityOpt", format!("[{}]", c.security_opt.join(", ")))],
    )
}

fn v260939(ctx: &Ctx) -> RuleResult {
    host_namespace_rule(ctx, "V-260939", true, Population::All, "share the host user namespace", "HostConfig.UsernsMode", |c| &c.userns_mode)
}

fn v260940(ctx: &Ctx) -> RuleResult {
    decide_swarm_containers(
        ctx,
        "V-260940",
        Population::UserAll,
        "are privileged without an SSP exception",
        |c| c.privileged.then(|| vec![fact("HostConfig.Privileged", true)]),
        |_| vec![fact("HostConfig.Privileged", false)],
    )
}

fn v260944(ctx: &Ctx) -> RuleResult {
    let rule = "V-260944";
    let ev = ["GET /images/json", INFO];
    let images = match &ctx.facts.images {
        Ok(i) => i,
        Err(e) => return not_assessed(rule, e, &ev),
    };
    let mut subjects = Vec::new();
    let mut summary = Vec::new();
    for (label, product, current_from_info) in [("com.docker.ucp.version", "MKE", true), ("com.docker.dtr.version", "MSR", false)] {
        let labelled: Vec<(&super::docker_facts::Image, &str)> =
            images.iter().filter_map(|i| i.labels.as_ref().and_then(|l| l.get(label)).map(|v| (i, v.as_str()))).collect();
        if labelled.is_empty() {
            continue;
        }
        let from_info = ctx.facts.info.as_ref().ok().and_then(|i| i.server_version.strip_prefix("ucp/")).filter(|_| current_from_info);
        let current = from_info
            .map(str::to_string)
            .unwrap_or_else(|| labelled.iter().map(|(_, v)| *v).max_by_key(|v| version_key(v)).unwrap_or_default().to_string());
        for (img, v) in labelled {
            let old = version_key(v) < version_key(&current);
            let name = img.repo_tags.as_ref().and_then(|t| t.first().cloned()).unwrap_or_else(|| img.id.clone());
            subjects.push(Subject { kind: SubjectKind::Image, name, id: img.id.clone(), ok: !old, facts: vec![fact(label, v), fact(&format!("installed {product}"), &current)], note: None });
        }
        summary.push(format!("{product} {current}"));
    }
    subjects.sort();
    let failed = subjects.iter().filter(|s| !s.ok).count();
    let mut r = if subjects.is_empty() {
        result(rule, Status::Pass, format!("no MKE or MSR images on this engine ({} images)", images.len()), &ev)
    } else if failed > 0 {
        result(rule, Status::Fail, format!("{failed} MKE/MSR image(s) older than the installed version ({})", summary.join(", ")), &ev)
    } else {
        result(rule, Status::Pass, format!("all {} MKE/MSR images match the installed version ({})", subjects.len(), summary.join(", ")), &ev)
    };
    r.passed_total = subjects.len() - failed;
    r.subjects = subjects;
    r
}
