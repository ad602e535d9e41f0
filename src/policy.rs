//! The site policy: the SSP parameters the MKE STIG leaves to each site (approved ports,
//! documented exceptions for system containers, approved capabilities, ...), in YAML.
//!
//! Names in comments (`P-PORTS`, ...) are the check map's parameter names. A parameter that is
//! absent is never guessed: rules that need it say "needs site parameter ..." (not reviewed).
//! An exception or approval is never implied either: each names its scope (`match`: which
//! containers or nodes) and the SSP's `justification`, and findings list every subject it
//! covers with that justification. A CAT I rule is waived only per subject.

use std::path::Path;

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// P-ORCH: which orchestrators the cluster uses (default: detected from the cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orchestrator: Option<Orchestrator>,
    /// P-SYS-EXCEPT: containers the SSP documents as exceptions to specific rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
    /// P-PORTS: published ports approved by the SSP / PPSM CAL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ports: Option<Vec<AllowedPort>>,
    /// P-CAPS: kernel capabilities containers may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_capabilities: Option<Vec<AllowedCapabilities>>,
    /// P-CPU: containers approved to run with CPU shares 0 or 1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares_exempt: Option<Vec<Approval>>,
    /// P-LOGDRV: accepted engine log drivers. Default: syslog, journald, and logging plugins
    /// (names with '/' or ':').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_drivers: Option<Vec<String>>,
    /// P-SECRETS: names that must exist as Swarm secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm_secrets: Option<Vec<String>>,
    /// P-IPC: where the SSP allows sharing the host IPC namespace, each with its scope and
    /// justification: containers (matched like exceptions), or MKE's privilege settings
    /// (`match.name` on the config key, e.g. `^cluster_config.priv_attributes_allowed_for_user_accounts$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<Vec<Approval>>,
    /// P-IDP: the SSP's identity provider, the LDAP server URL or SAML IdP metadata URL MKE
    /// must use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    /// P-SIGNERS: organizations/teams whose signatures MKE must require.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_signers: Option<Vec<String>>,
    /// P-KSYS-SVC: Services the SSP approves in kube-system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_system_services: Option<Vec<String>>,
    /// P-TRUST: PEM bundle of the trusted (DoD) root and intermediate CAs that MKE's and MSR's
    /// certificates must chain to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_ca_bundle: Option<std::path::PathBuf>,
    /// P-DOCKER-GRP: users approved as members of the `docker` group on the nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_group_members: Option<Vec<String>>,
    /// P-BANNER: an approved banner text when it is not DISA's standard one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// P-MSR: whether an MSR is in use. MSR 2.x registers itself in MKE's configuration; MSR
    /// 3.x does not, so "none registered" alone cannot make the MSR rules not applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msr_in_use: Option<bool>,
    /// P-LATEST: the latest MKE version the site has approved. An air-gapped MKE offers no
    /// versions to compare with: the installed one must then be at least this. (Newer versions
    /// MKE does offer are still findings: the STIG makes any offered update one.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_mke_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Orchestrator {
    Swarm,
    Kubernetes,
    Both,
}

impl Orchestrator {
    pub fn swarm(self) -> bool {
        matches!(self, Orchestrator::Swarm | Orchestrator::Both)
    }
    pub fn kubernetes(self) -> bool {
        matches!(self, Orchestrator::Kubernetes | Orchestrator::Both)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Orchestrator::Swarm => "swarm",
            Orchestrator::Kubernetes => "kubernetes",
            Orchestrator::Both => "both",
        }
    }
}

/// Which containers (or pods, nodes) an entry applies to. Every field given must match;
/// regexes are searched (use ^...$ to anchor). At least one field is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Regex on the container name (without the leading '/' or node prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Regex on the image reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A label `key` (present) or `key=value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Regex on the node name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// `true`: only MKE's, MSR's and Kubernetes' own containers, as recognised from their
    /// images, versions and labels (never from a name); `false`: only the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// Rules (V- ids) the exception applies to.
    pub rules: Vec<String>,
    /// Which subjects it covers.
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Why, as documented in the SSP (reported with every excepted subject).
    #[serde(alias = "reason")]
    pub justification: String,
}

/// An approval of otherwise failing settings for some subjects (P-CPU, P-IPC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Why, as documented in the SSP.
    pub justification: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedPort {
    /// Containers this approval covers. Ports are a CAT I rule's subject: the match must name
    /// one container (`name: "^web$"`).
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Why, as documented in the SSP / PPSM CAL.
    pub justification: String,
    pub host_port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<u16>,
    /// tcp (default), udp or sctp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Host address the binding must use (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedCapabilities {
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Why, as documented in the SSP.
    pub justification: String,
    /// Capability names, e.g. NET_ADMIN (with or without the CAP_ prefix).
    pub capabilities: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    // The cause is in the message, not also a `source()` the command line would repeat.
    #[error("cannot read policy {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("policy {path}: {message}")]
    Invalid { path: String, message: String },
}

/// What a matcher is tested against.
pub struct Target<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub node: &'a str,
    pub labels: &'a std::collections::BTreeMap<String, String>,
    /// A recognised MKE/MSR/Kubernetes system container (see `facts::system`).
    pub system: bool,
}

impl Match {
    fn check(&self) -> Result<(), String> {
        if self.name.is_none() && self.image.is_none() && self.label.is_none() && self.node.is_none() {
            // `system: true` alone scopes to the recognised system containers; `system: false`
            // alone would be every other subject: a blanket waiver, not a scope.
            if self.system != Some(true) {
                return Err("a match needs at least one of name, image, label, node (or system: true)".into());
            }
        }
        for (what, re) in [("name", &self.name), ("image", &self.image), ("node", &self.node)] {
            if let Some(re) = re {
                Regex::new(re).map_err(|e| format!("match.{what} \"{re}\" is not a valid regex: {e}"))?;
            }
        }
        Ok(())
    }

    pub fn matches(&self, t: &Target) -> bool {
        let re = |pat: &Option<String>, text: &str| pat.as_deref().is_none_or(|p| cached_regex(p).is_some_and(|r| r.is_match(text)));
        let label = self.label.as_deref().is_none_or(|l| match l.split_once('=') {
            Some((k, v)) => t.labels.get(k).map(String::as_str) == Some(v),
            None => t.labels.contains_key(l),
        });
        re(&self.name, t.name) && re(&self.image, t.image) && re(&self.node, t.node) && label && self.system.is_none_or(|s| s == t.system)
    }

    /// Whether it names exactly one subject: an anchored literal name (`^web-1$`, `^web\.1$`;
    /// a bare `.` is accepted too, as in Swarm task names).
    pub fn is_single_subject(&self) -> bool {
        self.name.as_deref().is_some_and(|n| {
            n.strip_prefix('^').and_then(|n| n.strip_suffix('$')).is_some_and(|lit| {
                let lit = lit.replace("\\.", ".");
                !lit.is_empty() && !lit.chars().any(|c| "\\+*?()|[]{}^$".contains(c))
            })
        })
    }
}

/// Policies are matched against every container of a cluster: compile each pattern once.
fn cached_regex(pattern: &str) -> Option<Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().expect("regex cache lock");
    cache.entry(pattern.to_string()).or_insert_with(|| Regex::new(pattern).ok()).clone()
}

impl Policy {
    /// Reads a policy file: a regular file (or a symlink to one; a FIFO or a device is refused)
    /// of at most [`crate::limits::MAX_YAML_BYTES`].
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let shown = crate::limits::path(path);
        let text = crate::limits::read_to_string(path, crate::limits::MAX_YAML_BYTES).map_err(|error| PolicyError::Io { path: shown.clone(), error })?;
        Policy::parse(&shown, &text)
    }

    pub fn parse(shown: &str, text: &str) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid { path: shown.to_string(), message };
        crate::limits::check_yaml_depth(text, crate::limits::MAX_YAML_DEPTH).map_err(invalid)?;
        let policy: Policy = serde_yaml_ng::from_str(text).map_err(|e| invalid(crate::limits::message(&e.to_string())))?;
        policy.check().map_err(invalid)?;
        Ok(policy)
    }

    /// Checks values serde cannot: rule ids, regexes, ports, protocols, capability names, and
    /// that every exception and approval has a scope and a justification.
    fn check(&self) -> Result<(), String> {
        let justified = |at: &str, j: &str| if j.trim().is_empty() { Err(format!("{at}: justification is required (the SSP's text)")) } else { Ok(()) };
        for (i, e) in self.exceptions.iter().enumerate() {
            let at = format!("exceptions[{i}]");
            if e.rules.is_empty() {
                return Err(format!("{at}: rules must list at least one V- id"));
            }
            for r in &e.rules {
                let ok = r.strip_prefix("V-").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("{at}: \"{r}\" is not a rule id like V-260900"));
                }
            }
            justified(&at, &e.justification)?;
            e.matcher.check().map_err(|m| format!("{at}: {m}"))?;
        }
        for (i, p) in self.allowed_ports.iter().flatten().enumerate() {
            let at = format!("allowed_ports[{i}]");
            if p.host_port == 0 || p.container_port == Some(0) {
                return Err(format!("{at}: ports are 1-65535"));
            }
            if let Some(proto) = &p.protocol {
                if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
                    return Err(format!("{at}: protocol \"{proto}\" is not tcp, udp or sctp"));
                }
            }
            justified(&at, &p.justification)?;
            p.matcher.check().map_err(|m| format!("{at}: {m}"))?;
        }
        for (i, c) in self.allowed_capabilities.iter().flatten().enumerate() {
            let at = format!("allowed_capabilities[{i}]");
            for cap in &c.capabilities {
                if cap.is_empty() || !cap.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_' || ch.is_ascii_digit()) {
                    return Err(format!("{at}: \"{cap}\" is not a capability name like NET_ADMIN"));
                }
            }
            justified(&at, &c.justification)?;
            c.matcher.check().map_err(|m| format!("{at}: {m}"))?;
        }
        for (key, list) in [("cpu_shares_exempt", &self.cpu_shares_exempt), ("host_ipc", &self.host_ipc)] {
            for (i, a) in list.iter().flatten().enumerate() {
                let at = format!("{key}[{i}]");
                justified(&at, &a.justification)?;
                a.matcher.check().map_err(|m| format!("{at}: {m}"))?;
            }
        }
        Ok(())
    }

    /// Checks the policy against a STIG's rules: exceptions name rules of that STIG, and a
    /// CAT I rule (high severity) is waived only per subject. `approvals` lists the policy
    /// keys that waive a rule (e.g. `allowed_ports` for the ports rule), by V- id.
    /// Checks the policy against the STIGs a run assesses (`assess mke` assesses the MKE STIG
    /// and the Kubernetes STIG, so its exceptions may name rules of either).
    pub fn check_against(&self, indexes: &[&crate::stig::RuleIndex], approvals: &[(&str, &str)]) -> Result<(), String> {
        let find = |rule: &str| indexes.iter().find_map(|i| i.get(rule));
        let high = |rule: &str| find(rule).is_some_and(|r| r.severity == crate::stig::Severity::High);
        for (i, e) in self.exceptions.iter().enumerate() {
            for r in &e.rules {
                if find(r).is_none() {
                    let stigs: Vec<String> = indexes.iter().map(|x| format!("the {} {}", x.stig.title, x.stig.version)).collect();
                    return Err(format!("exceptions[{i}]: {r} is not a rule of {}", stigs.join(" or ")));
                }
                if high(r) && !e.matcher.is_single_subject() {
                    return Err(format!("exceptions[{i}]: {r} is CAT I: waive it per subject, with match.name an exact name such as \"^web-1$\""));
                }
            }
        }
        for (key, rule) in approvals {
            if !high(rule) {
                continue;
            }
            let matchers: Vec<&Match> = match *key {
                "allowed_ports" => self.allowed_ports.iter().flatten().map(|p| &p.matcher).collect(),
                "allowed_capabilities" => self.allowed_capabilities.iter().flatten().map(|c| &c.matcher).collect(),
                "cpu_shares_exempt" => self.cpu_shares_exempt.iter().flatten().map(|c| &c.matcher).collect(),
                "host_ipc" => self.host_ipc.iter().flatten().map(|c| &c.matcher).collect(),
                _ => vec![],
            };
            if let Some(i) = matchers.iter().position(|m| !m.is_single_subject()) {
                return Err(format!("{key}[{i}]: approves a CAT I rule ({rule}): it must name one container, with match.name an exact name such as \"^web-1$\""));
            }
        }
        Ok(())
    }

    /// The exception covering `rule` for this target, with its policy entry name.
    pub fn exception(&self, rule: &str, t: &Target) -> Option<(String, &Exception)> {
        self.exceptions.iter().enumerate().find(|(_, e)| e.rules.iter().any(|r| r == rule) && e.matcher.matches(t)).map(|(i, e)| (format!("exceptions[{i}]"), e))
    }

    /// Every entry that can except or approve a subject, by name (`exceptions[0]`, ...).
    /// The parameters set, each by its policy file name with its value as compact JSON, for
    /// the assessment plan (what the rules were decided against).
    pub fn parameters(&self) -> Vec<(String, String)> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => {
                let mut v: Vec<(String, String)> = m.into_iter().map(|(k, v)| (k, v.to_string())).collect();
                v.sort();
                v
            }
            _ => Vec::new(),
        }
    }

    pub fn entries(&self) -> Vec<String> {
        let mut out: Vec<String> = (0..self.exceptions.len()).map(|i| format!("exceptions[{i}]")).collect();
        out.extend((0..self.allowed_ports.as_ref().map_or(0, Vec::len)).map(|i| format!("allowed_ports[{i}]")));
        out.extend((0..self.allowed_capabilities.as_ref().map_or(0, Vec::len)).map(|i| format!("allowed_capabilities[{i}]")));
        out.extend((0..self.cpu_shares_exempt.as_ref().map_or(0, Vec::len)).map(|i| format!("cpu_shares_exempt[{i}]")));
        out.extend((0..self.host_ipc.as_ref().map_or(0, Vec::len)).map(|i| format!("host_ipc[{i}]")));
        out
    }

    /// JSON Schema of the policy file, for editors and reviewers.
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(&schemars::schema_for!(Policy)).expect("schema serializes") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_are_clear_errors() {
        let e = Policy::parse("p.yaml", "alowed_ports: []\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `alowed_ports`"), "{e}");
        let e = Policy::parse("p.yaml", "orchestrator: nomad\n").unwrap_err().to_string();
        assert!(e.contains("nomad"), "{e}");
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [V-1]\n  match: {name: '('}\n  justification: r\n").unwrap_err().to_string();
        assert!(e.contains("not a valid regex"), "{e}");
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [260900]\n  match: {name: x}\n  justification: r\n").unwrap_err().to_string();
        assert!(e.contains("not a rule id"), "{e}");
        let e = Policy::parse("p.yaml", "allowed_ports:\n- host_port: 70000\n").unwrap_err().to_string();
        assert!(e.contains("70000"), "{e}");
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [V-1]\n  match: {}\n  justification: r\n").unwrap_err().to_string();
        assert!(e.contains("at least one"), "{e}");
    }

    #[test]
    fn every_exception_and_approval_needs_a_scope_and_a_justification() {
        for (yaml, what) in [
            ("exceptions:\n- rules: [V-1]\n  match: {name: x}\n", "justification"),
            ("exceptions:\n- rules: [V-1]\n  match: {name: x}\n  justification: '  '\n", "justification is required"),
            ("exceptions:\n- rules: [V-1]\n  justification: j\n", "match"),
            ("allowed_ports:\n- host_port: 443\n  justification: j\n", "match"),
            ("allowed_ports:\n- host_port: 443\n  match: {name: '^web$'}\n", "justification"),
            ("allowed_capabilities:\n- capabilities: [NET_ADMIN]\n  justification: j\n", "match"),
            ("allowed_capabilities:\n- capabilities: [NET_ADMIN]\n  match: {name: x}\n", "justification"),
            ("cpu_shares_exempt:\n- {label: x}\n", "match"),
            ("cpu_shares_exempt:\n- match: {label: x}\n", "justification"),
        ] {
            let e = Policy::parse("p.yaml", yaml).unwrap_err().to_string();
            assert!(e.contains(what), "{yaml}: {e}");
        }
        // `reason` is still read as the justification (policies written before the rename).
        let p = Policy::parse("p.yaml", "exceptions:\n- rules: [V-1]\n  match: {name: x}\n  reason: SSP 4.2\n").unwrap();
        assert_eq!(p.exceptions[0].justification, "SSP 4.2");
    }

    #[test]
    fn single_subject_matches_are_anchored_literals() {
        let m = |n: &str| Match { name: Some(n.into()), ..Default::default() };
        assert!(m("^web-1$").is_single_subject());
        assert!(m("^stig-allifaces$").is_single_subject());
        assert!(m("^web\\.1$").is_single_subject());
        assert!(!m("^web|db$").is_single_subject());
        assert!(!m("^web-.*$").is_single_subject());
        assert!(!m("web-1").is_single_subject());
        assert!(!Match { label: Some("a".into()), ..Default::default() }.is_single_subject());
    }

    #[test]
    fn the_shipped_example_parses() {
        let p = Policy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml")).unwrap();
        assert!(p.allowed_ports.is_some() && !p.exceptions.is_empty());
    }
}
