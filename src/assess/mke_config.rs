//! The MKE STIG rules MKE's admin API decides (config-toml, grants, LDAP, versions), and the
//! whole-cluster assessment that joins them with the engine-decided rules into all 44 rules.
//! Rules needing the Kubernetes API, MSR or host access say exactly that.

use std::collections::HashMap;

use serde_json::Value;

use super::docker_facts::DockerFacts;
use super::kubernetes::{self as k8s, KubeFacts};
use super::{fact, mke_docker, not_assessed, result, version_key, Assessment, RuleResult, Status, Subject, SubjectKind};
use crate::evidence::Snapshot;
use crate::policy::Policy;
use crate::probe::mke::{CONFIG_TOML, SOURCE};
use crate::stig::RuleIndex;

const GRANTS: &str = "GET /collectionGrants?subjectType=all&expandUser=true&showPaths=true";
const LDAP: &str = "GET /enzi/v0/config/auth/ldap";
const VERSIONS: &str = "GET /api/ucpversions";

/// MKE's configuration with the documented defaults of absent keys (check map table 0.4).
struct Config {
    toml: toml::Table,
    url: String,
}

impl Config {
    fn get(&self, path: &str) -> Option<&toml::Value> {
        let mut cur: Option<&toml::Value> = None;
        for (i, k) in path.split('.').enumerate() {
            cur = if i == 0 { self.toml.get(k) } else { cur?.get(k) };
        }
        cur
    }

    fn int(&self, path: &str, default: i64) -> (i64, bool) {
        self.get(path).and_then(toml::Value::as_integer).map_or((default, true), |v| (v, false))
    }

    fn boolean(&self, path: &str, default: bool) -> (bool, bool) {
        self.get(path).and_then(toml::Value::as_bool).map_or((default, true), |v| (v, false))
    }

    fn string(&self, path: &str, default: &str) -> (String, bool) {
        self.get(path).and_then(toml::Value::as_str).map_or((default.to_string(), true), |v| (v.to_string(), false))
    }

    fn strings(&self, path: &str) -> Vec<String> {
        self.get(path).and_then(toml::Value::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    /// The config as a subject, with the keys that decided the rule.
    fn subject(&self, ok: bool, facts: Vec<(String, String)>) -> Subject {
        Subject { kind: SubjectKind::Setting, name: "config-toml".into(), id: self.url.clone(), ok, facts, note: None }
    }
}

fn shown<T: std::fmt::Display>((v, default): (T, bool)) -> String {
    if default { format!("{v} (absent: MKE default)") } else { v.to_string() }
}

fn with_subject(mut r: RuleResult, s: Subject) -> RuleResult {
    r.passed_total = s.ok as usize;
    r.subjects.push(s);
    r
}

fn v260903(c: &Config) -> RuleResult {
    let life = c.int("auth.sessions.lifetime_minutes", 60);
    let renew = c.int("auth.sessions.renewal_threshold_minutes", 20);
    let ok = life.0 == 10 && renew.0 == 0;
    let facts = vec![fact("auth.sessions.lifetime_minutes", shown(life)), fact("auth.sessions.renewal_threshold_minutes", shown(renew))];
    let reason = format!("session lifetime {} min, renewal threshold {} min (required: 10 and 0)", life.0, renew.0);
    with_subject(result("V-260903", if ok { Status::Pass } else { Status::Fail }, reason, &[CONFIG_TOML]), c.subject(ok, facts))
}

fn v260914(c: &Config) -> RuleResult {
    let audit = c.string("audit_log_configuration.level", "");
    let log = c.string("log_configuration.level", "INFO");
    let audit_ok = audit.0.eq_ignore_ascii_case("request");
    let log_ok = !matches!(log.0.to_ascii_lowercase().as_str(), "error" | "err");
    let ok = audit_ok && log_ok;
    let reason = format!("audit log level \"{}\" (required: request), log level \"{}\" (must not be ERROR)", audit.0, log.0);
    let facts = vec![fact("audit_log_configuration.level", shown(audit)), fact("log_configuration.level", shown(log))];
    with_subject(result("V-260914", if ok { Status::Pass } else { Status::Fail }, reason, &[CONFIG_TOML]), c.subject(ok, facts))
}

fn v260918(c: &Config) -> RuleResult {
    let usage = c.boolean("tracking_configuration.disable_usageinfo", false);
    let tracking = c.boolean("tracking_configuration.disable_tracking", false);
    let ok = usage.0 && tracking.0;
    let reason = if ok { "usage reporting and API/UI tracking are disabled".to_string() } else { "usage reporting or API/UI tracking is enabled".to_string() };
    let facts = vec![fact("tracking_configuration.disable_usageinfo", shown(usage)), fact("tracking_configuration.disable_tracking", shown(tracking))];
    with_subject(result("V-260918", if ok { Status::Pass } else { Status::Fail }, reason, &[CONFIG_TOML]), c.subject(ok, facts))
}

/// Grants of the Scheduler role on `/` to docker-datacenter: how UCP 3.x stores "allow users
/// to schedule on all nodes".
fn scheduler_grants(grants: &Value) -> Vec<String> {
    let list = grants.get("grants").unwrap_or(grants);
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|g| {
            let s = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
            s("roleID").contains("scheduler") && (s("objectPath") == "/" || s("objectID") == "swarm") && (s("subjectID") + &s("subjectName")).contains("docker-datacenter")
        })
        .map(|g| g.to_string())
        .collect()
}

fn v260917(c: &Config, snap: &Snapshot) -> RuleResult {
    let rule = "V-260917";
    let admin = c.boolean("scheduling_configuration.enable_admin_ucp_scheduling", false);
    let user = c.boolean("scheduling_configuration.enable_user_ucp_scheduling", false);
    let mut facts = vec![fact("scheduling_configuration.enable_admin_ucp_scheduling", shown(admin)), fact("scheduling_configuration.enable_user_ucp_scheduling", shown(user))];
    let grants = snap.body(SOURCE, GRANTS);
    let hits = grants.as_ref().map(scheduler_grants).unwrap_or_default();
    if !hits.is_empty() {
        facts.push(fact("Scheduler grants on / to docker-datacenter", hits.len()));
    }
    let fail = admin.0 || user.0 || !hits.is_empty();
    if fail {
        return with_subject(result(rule, Status::Fail, "administrators or users may schedule containers on all nodes".into(), &[CONFIG_TOML, GRANTS]), c.subject(false, facts));
    }
    match grants {
        Err(e) => not_assessed(rule, &format!("scheduling settings are off, but the grants are unknown: {e}"), &[CONFIG_TOML, GRANTS]),
        Ok(_) => with_subject(result(rule, Status::Pass, "neither administrators nor users may schedule on all nodes".into(), &[CONFIG_TOML, GRANTS]), c.subject(true, facts)),
    }
}

/// DISA's banner text, from the rule's own fix text (`pre_logon_message = "..."`).
fn dod_banner(index: &RuleIndex) -> Option<String> {
    let fix = &index.get("V-260946")?.fix;
    let start = fix.find("pre_logon_message = \"")? + "pre_logon_message = \"".len();
    let end = start + fix[start..].find("\"\n").or_else(|| fix[start..].rfind('"'))?;
    Some(fix[start..end].replace("\\n", "\n"))
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn v260946(c: &Config, policy: Option<&Policy>, index: &RuleIndex) -> RuleResult {
    let rule = "V-260946";
    let msg = c.string("cluster_config.pre_logon_message", "");
    let facts = vec![fact("cluster_config.pre_logon_message", if msg.0.is_empty() { "(empty)".to_string() } else { format!("{} characters", msg.0.len()) })];
    if msg.0.trim().is_empty() {
        return with_subject(result(rule, Status::Fail, "no logon banner is configured (pre_logon_message is empty)".into(), &[CONFIG_TOML]), c.subject(false, facts));
    }
    let approved: Vec<String> = policy.and_then(|p| p.banner.clone()).into_iter().chain(dod_banner(index)).collect();
    let ok = approved.iter().any(|a| normalize(a) == normalize(&msg.0));
    let reason = if ok { "the DoD Notice and Consent Banner is configured".to_string() } else { "pre_logon_message differs from the DoD Notice and Consent Banner (and from any P-BANNER)".to_string() };
    with_subject(result(rule, if ok { Status::Pass } else { Status::Fail }, reason, &[CONFIG_TOML]), c.subject(ok, facts))
}

fn v260909(c: &Config, snap: &Snapshot, policy: Option<&Policy>) -> RuleResult {
    let rule = "V-260909";
    let backend = c.string("auth.backend", "managed");
    let saml = c.boolean("auth.samlEnabled", false);
    let mut facts = vec![fact("auth.backend", shown(backend.clone())), fact("auth.samlEnabled", shown(saml))];
    let (configured, problems, url) = if backend.0 == "ldap" {
        match snap.body(SOURCE, LDAP) {
            Err(e) => return not_assessed(rule, &format!("LDAP is the backend but its settings are unknown: {e}"), &[CONFIG_TOML, LDAP]),
            Ok(l) => {
                let s = |k: &str| l.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                facts.push(fact("ldap.serverURL", s("serverURL")));
                facts.push(fact("ldap.readerDN", s("readerDN")));
                let mut p = vec![];
                if s("serverURL").is_empty() { p.push("no LDAP server URL") }
                if s("readerDN").is_empty() { p.push("no reader DN") }
                (true, p, s("serverURL"))
            }
        }
    } else if saml.0 {
        let url = c.string("auth.saml.idpMetadataURL", "").0;
        let skip = c.boolean("auth.saml.tlsSkipVerify", false).0;
        let roots = c.string("auth.saml.rootCerts", "").0;
        facts.extend([fact("auth.saml.idpMetadataURL", &url), fact("auth.saml.tlsSkipVerify", skip), fact("auth.saml.rootCerts", if roots.is_empty() { "(empty)" } else { "set" })]);
        let mut p = vec![];
        if url.is_empty() { p.push("no IdP metadata URL") }
        if skip { p.push("TLS verification of the IdP is skipped") }
        if roots.is_empty() { p.push("no root CA bundle for the IdP") }
        (true, p, url)
    } else {
        (false, vec![], String::new())
    };
    let ev = [CONFIG_TOML, LDAP];
    if !configured {
        return with_subject(result(rule, Status::Fail, format!("no enterprise identity provider: backend \"{}\", SAML off", backend.0), &ev), c.subject(false, facts));
    }
    if !problems.is_empty() {
        return with_subject(result(rule, Status::Fail, format!("identity provider incomplete: {}", problems.join(", ")), &ev), c.subject(false, facts));
    }
    match policy.and_then(|p| p.identity_provider.as_deref()) {
        None => with_subject(result(rule, Status::NotReviewed, format!("identity provider {url} is configured; needs site parameter P-IDP (policy key `identity_provider`) to compare with the SSP"), &ev), c.subject(true, facts)),
        Some(want) if want == url => with_subject(result(rule, Status::Pass, format!("MKE uses the SSP's identity provider {url}"), &ev), c.subject(true, facts)),
        Some(want) => with_subject(result(rule, Status::Fail, format!("MKE uses {url}, the SSP names {want}"), &ev), c.subject(false, facts)),
    }
}

fn v260942(c: &Config, policy: Option<&Policy>) -> RuleResult {
    let rule = "V-260942";
    let trust = c.boolean("trust_configuration.require_content_trust", false);
    let mut signers = c.strings("trust_configuration.require_signature_from");
    signers.sort();
    let facts = vec![fact("trust_configuration.require_content_trust", shown(trust)), fact("trust_configuration.require_signature_from", format!("[{}]", signers.join(", ")))];
    if !trust.0 {
        return with_subject(result(rule, Status::Fail, "\"Run only signed images\" is off".into(), &[CONFIG_TOML]), c.subject(false, facts));
    }
    if let Some(want) = policy.and_then(|p| p.image_signers.clone()) {
        let mut want = want;
        want.sort();
        if want != signers {
            return with_subject(result(rule, Status::Fail, format!("signatures required from [{}], the SSP names [{}]", signers.join(", "), want.join(", ")), &[CONFIG_TOML]), c.subject(false, facts));
        }
    }
    with_subject(
        result(rule, Status::NotReviewed, "signed images are required; that every image on the cluster is signed needs a Notary client (manual review; the image list is in the evidence)".into(), &[CONFIG_TOML, "GET /images/json"]),
        c.subject(true, facts),
    )
}

fn v260945(snap: &Snapshot, facts: &DockerFacts) -> RuleResult {
    let rule = "V-260945";
    let ev = [VERSIONS, "GET /info"];
    let versions = match snap.body(SOURCE, VERSIONS) {
        Ok(v) => v,
        Err(e) => return not_assessed(rule, &e, &ev),
    };
    let list: Vec<String> = versions.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    let Some(current) = facts.info.as_ref().ok().and_then(|i| i.server_version.strip_prefix("ucp/")).map(str::to_string) else {
        return not_assessed(rule, "the installed MKE version is unknown (the engine's /info does not say ucp/<version>)", &ev);
    };
    let newer: Vec<&String> = list.iter().filter(|v| version_key(v) > version_key(&current)).collect();
    let subject = Subject {
        kind: SubjectKind::Setting,
        name: "MKE version".into(),
        id: current.clone(),
        ok: newer.is_empty(),
        facts: vec![fact("installed", &current), fact("/api/ucpversions", format!("[{}]", list.join(", ")))],
        note: None,
    };
    let r = if newer.is_empty() {
        result(rule, Status::Pass, format!("MKE {current} is the newest version offered"), &ev)
    } else {
        result(rule, Status::Fail, format!("MKE {current} is installed; newer versions are offered: {}", newer.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")), &ev)
    };
    with_subject(r, subject)
}

/// Two parts of one rule (Swarm and Kubernetes): a failure in either fails it; otherwise the
/// least conclusive part decides.
fn combine(a: RuleResult, b: RuleResult) -> RuleResult {
    let rank = |r: &RuleResult| match (r.status, r.assessed) {
        (Status::Fail, _) => 0,
        (Status::NotReviewed, false) => 1,
        (Status::NotReviewed, true) => 2,
        (Status::Pass, _) => 3,
        (Status::NotApplicable, _) => 4,
    };
    let (first, second) = if rank(&a) <= rank(&b) { (a, b) } else { (b, a) };
    let mut r = first;
    r.reason = format!("{}; {}", r.reason, second.reason);
    r.subjects.extend(second.subjects);
    r.passed_total += second.passed_total;
    r.evidence.extend(second.evidence);
    r
}

/// The Kubernetes halves of rules, when Kubernetes is in use and was collected.
fn kubernetes_parts(snap: &Snapshot, policy: Option<&Policy>, facts: &DockerFacts, config: Option<&toml::Table>, by_rule: &mut HashMap<String, RuleResult>) {
    let (orch, how) = mke_docker::orchestrator(facts, policy);
    const KUBE_ONLY: [&str; 3] = ["V-260905", "V-260912", "V-260932"];
    if !orch.kubernetes() {
        for rule in KUBE_ONLY {
            by_rule.insert(rule.into(), result(rule, Status::NotApplicable, format!("Kubernetes is not in use (orchestrator: {how})"), &[]));
        }
        return;
    }
    if !KubeFacts::collected(snap) {
        return;
    }
    let k = KubeFacts::load(snap);
    // V-260930 is decided on Swarm containers; pods sharing the host PID namespace are evidence.
    if let (Ok(pods), Some(r)) = (&k.pods, by_rule.get_mut("V-260930")) {
        let host_pid: Vec<String> = pods.iter().filter(|p| p.host_pid).map(|p| format!("{}/{}", p.namespace, p.name)).collect();
        if !host_pid.is_empty() {
            r.reason.push_str(&format!("; Kubernetes pods with hostPID (evidence): {}", host_pid.join(", ")));
        }
    }
    let mut put = |r: RuleResult, with_swarm: bool| {
        let rule = r.rule.clone();
        let merged = match by_rule.remove(&rule) {
            Some(swarm) if with_swarm && orch.swarm() => combine(swarm, r),
            _ => r,
        };
        by_rule.insert(rule, merged);
    };
    put(k8s::secrets_in_env(&k), true);
    put(k8s::host_network(&k, policy), true);
    put(k8s::quotas(&k), true);
    put(k8s::namespaces_in_use(&k, policy), false);
    put(k8s::bindings(&k), false);
    put(k8s::persistence(&k), false);
    let pkd = config.and_then(|t| t.get("cluster_config")).and_then(|c| c.get("kube_protect_kernel_defaults")).map(|v| v.as_bool().unwrap_or(false));
    put(k8s::protect_kernel_defaults(&k, pkd.or(config.map(|_| false))), false);
    if let Some(t) = config {
        let on = t.get("cluster_config").and_then(|c| c.get("secure_overlay")).and_then(toml::Value::as_bool).unwrap_or(false);
        let r = result(
            "V-260931",
            if on { Status::Pass } else { Status::Fail },
            format!("Kubernetes secure overlay (IPsec) is {}", if on { "on" } else { "off (cluster_config.secure_overlay)" }),
            &[CONFIG_TOML],
        );
        put(r, true);
    }
}

/// MSR rules when MSR was collected; otherwise not applicable, unless MKE has an MSR registered.
fn msr_parts(snap: &Snapshot, config: Option<&toml::Table>, by_rule: &mut HashMap<String, RuleResult>) {
    let ingress = config.and_then(|t| t.get("cluster_config")).and_then(|c| c.get("ingress_controller")).and_then(|i| i.get("enabled")).and_then(toml::Value::as_bool) == Some(true);
    let mke_chain = if ingress {
        result("V-260927", Status::NotApplicable, "a Kubernetes ingress controller is configured (cluster_config.ingress_controller.enabled): the STIG makes this N/A".into(), &[CONFIG_TOML])
    } else {
        super::msr::chain_rule("V-260927", snap, SOURCE, "MKE")
    };
    by_rule.insert("V-260927".into(), mke_chain);
    let collected = snap.records.iter().any(|r| r.source == crate::probe::msr::SOURCE);
    if collected {
        for r in super::msr::rules(snap) {
            by_rule.insert(r.rule.clone(), r);
        }
        return;
    }
    let registered: Vec<String> = config
        .and_then(|t| t.get("registries"))
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(|r| r.get("host_address").and_then(toml::Value::as_str).map(str::to_string)).collect())
        .unwrap_or_default();
    for rule in super::msr::MSR_RULES {
        let r = if config.is_none() {
            not_assessed(rule, "no --msr-url, and MKE's configuration (which lists registered MSRs) was not read", &[CONFIG_TOML])
        } else if registered.is_empty() {
            result(rule, Status::NotApplicable, "MSR is not in use (no --msr-url, and none is registered in MKE's [[registries]])".into(), &[CONFIG_TOML])
        } else {
            not_assessed(rule, &format!("MSR {} is registered in MKE but was not collected: give --msr-url", registered.join(", ")), &[CONFIG_TOML])
        };
        by_rule.insert(rule.into(), r);
    }
}

/// Rules that need a source this tool does not collect yet, or the hosts themselves.
fn undecided(rule: &str) -> RuleResult {
    let (why, assessed) = match rule {
        "V-260906" => ("needs host access: on every node run `stat -c '%U:%G %a' /var/run/docker.sock` (expect root:docker 660) and `getent group docker` (members as the SSP approves)", true),
        "V-260938" => ("needs host access: on every node run `ausearch -k docker` and look for `docker exec` with --privileged or --user", true),
        "V-260933" => ("needs the Kubernetes API (kubelet configz) or, for Swarm, the capabilities rule V-260923", false),
        _ => ("the Kubernetes API was not collected (give a client bundle with kube.yml, or --kubeconfig)", false),
    };
    if assessed {
        result(rule, Status::NotReviewed, why.into(), &[])
    } else {
        not_assessed(rule, why, &[])
    }
}

/// All rules of the STIG for a whole cluster: engine rules, MKE configuration rules, and the
/// rest said plainly. Rules decided by both sources combine (the stricter verdict wins).
pub fn assess_cluster(snap: &Snapshot, policy: Option<&Policy>, index: &RuleIndex) -> Assessment {
    let facts = DockerFacts::load(snap);
    let mut assessment = mke_docker::assess_with(&facts, snap, policy);
    let mut by_rule: HashMap<String, RuleResult> = std::mem::take(&mut assessment.results).into_iter().map(|r| (r.rule.clone(), r)).collect();
    let config = snap.text(SOURCE, CONFIG_TOML).and_then(|t| t.parse::<toml::Table>().map_err(|e| format!("{CONFIG_TOML}: stored TOML unreadable: {e}")));
    let url = snap.manifest.target.clone();
    let mut mke: Vec<RuleResult> = Vec::new();
    match &config {
        Ok(t) => {
            let c = Config { toml: t.clone(), url };
            mke.extend([v260903(&c), v260909(&c, snap, policy), v260914(&c), v260917(&c, snap), v260918(&c), v260942(&c, policy), v260946(&c, policy, index)]);
            // Refinements of engine rules with MKE settings.
            if let Some(r) = by_rule.get_mut("V-260941") {
                if c.boolean("cluster_config.ingress_controller.enabled", false).0 {
                    *r = result("V-260941", Status::NotApplicable, "a Kubernetes ingress controller is configured (cluster_config.ingress_controller.enabled)".into(), &[CONFIG_TOML]);
                } else {
                    r.reason = r.reason.replace(" (ingress controller state is in MKE's configuration, read by `assess mke`; judged here as if none is configured)", " (no ingress controller is configured)");
                }
            }
            if let Some(r) = by_rule.get_mut("V-260935") {
                let lists = [c.strings("cluster_config.priv_attributes_allowed_for_user_accounts"), c.strings("cluster_config.priv_attributes_allowed_for_service_accounts")];
                let allows = lists.iter().flatten().any(|a| a.eq_ignore_ascii_case("hostipc"));
                let permitted = policy.and_then(|p| p.host_ipc_allowed) == Some(true);
                r.subjects.push(c.subject(!allows || permitted, vec![fact("priv_attributes_allowed_for_user_accounts", format!("[{}]", lists[0].join(", "))), fact("priv_attributes_allowed_for_service_accounts", format!("[{}]", lists[1].join(", ")))]));
                r.evidence.push(CONFIG_TOML.into());
                if allows && !permitted {
                    r.status = Status::Fail;
                    r.reason = format!("MKE allows hostIPC for user or service accounts and the SSP does not (P-IPC); {}", r.reason);
                } else if r.status != Status::Fail {
                    r.status = Status::Pass;
                    r.reason = "MKE does not allow hostIPC beyond the SSP, and no container shares the host IPC namespace".into();
                }
            }
        }
        Err(e) => {
            for rule in ["V-260903", "V-260909", "V-260914", "V-260917", "V-260918", "V-260942", "V-260946"] {
                mke.push(not_assessed(rule, e, &[CONFIG_TOML]));
            }
        }
    }
    mke.push(v260945(snap, &facts));
    for r in mke {
        by_rule.insert(r.rule.clone(), r);
    }
    kubernetes_parts(snap, policy, &facts, config.as_ref().ok(), &mut by_rule);
    msr_parts(snap, config.as_ref().ok(), &mut by_rule);
    assessment.results = index.rules().iter().map(|info| by_rule.remove(&info.vuln_id).unwrap_or_else(|| undecided(&info.vuln_id))).collect();
    // The engine rules point at `assess mke` for what they cannot see; this is `assess mke`.
    for r in &mut assessment.results {
        while let Some(at) = r.reason.find("`assess mke`") {
            match (r.reason[..at].rfind(" ("), r.reason[at..].find(')')) {
                (Some(open), Some(close)) => r.reason.replace_range(open..at + close + 1, ""),
                _ => r.reason.replace_range(at..at + "`assess mke`".len(), "the MKE configuration"),
            }
        }
    }
    // Every stored MKE answer (including whatever /oscal listed) is cited with its digest.
    let mut mke_files: Vec<String> = snap.records.iter().filter(|r| r.source == SOURCE).filter_map(|r| r.stored.clone()).collect();
    mke_files.sort();
    mke_files.dedup();
    for f in mke_files {
        if let Some(h) = snap.file_sha256(&f) {
            assessment.evidence_files.push((f, h));
        }
    }
    assessment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dod_banner_comes_from_disas_fix_text() {
        let index = RuleIndex::load("mke").unwrap();
        let b = dod_banner(&index).unwrap();
        assert!(b.starts_with("You are accessing a U.S. Government (USG) Information System (IS)"), "{b}");
        assert!(b.ends_with("See User Agreement for details."), "{b}");
        assert!(b.contains("\n\n-At any time, the USG may inspect and seize data stored on this IS."));
    }
}
