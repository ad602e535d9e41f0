//! The site policy: the SSP parameters the MKE STIG leaves to each site (approved ports,
//! documented exceptions for system containers, approved capabilities, ...), in YAML.
//!
//! Names in comments (`P-PORTS`, ...) are the check map's parameter names. A parameter that is
//! absent is never guessed: rules that need it say "needs site parameter ..." (not reviewed).
//! An exception is never implied either: a documented `reason` is required for each.

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
    /// P-PORTS: published ports approved by the SSP / PPSM CAL (V-260907, V-260941).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ports: Option<Vec<AllowedPort>>,
    /// P-CAPS: kernel capabilities containers may add (V-260923, V-260933).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_capabilities: Option<Vec<AllowedCapabilities>>,
    /// P-CPU: containers approved to run with CPU shares 0 or 1024 (V-260925).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares_exempt: Option<Vec<Match>>,
    /// P-LOGDRV: accepted engine log drivers (V-260915). Default: syslog, journald, and
    /// logging plugins (names with '/' or ':').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_drivers: Option<Vec<String>>,
    /// P-SECRETS: names that must exist as Swarm secrets (V-260911).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm_secrets: Option<Vec<String>>,
    /// P-IPC: whether the SSP allows sharing the host IPC namespace (V-260935).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ipc_allowed: Option<bool>,
    /// P-IDP: the SSP's identity provider, the LDAP server URL or SAML IdP metadata URL MKE
    /// must use (V-260909).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    /// P-SIGNERS: organizations/teams whose signatures MKE must require (V-260942).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_signers: Option<Vec<String>>,
    /// P-KSYS-SVC: Services the SSP approves in kube-system (V-260905).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_system_services: Option<Vec<String>>,
    /// P-TRUST: PEM bundle of the trusted (DoD) root and intermediate CAs that MKE's and MSR's
    /// certificates must chain to (V-260916, V-260927).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_ca_bundle: Option<std::path::PathBuf>,
    /// P-DOCKER-GRP: users approved as members of the `docker` group on the nodes (V-260906).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_group_members: Option<Vec<String>>,
    /// P-BANNER: an approved banner text when it is not DISA's standard one (V-260946).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
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

/// Which containers an entry applies to. Every field given must match; regexes are searched
/// (use ^...$ to anchor). At least one field is required.
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// Rules (V- ids) the exception applies to.
    pub rules: Vec<String>,
    #[serde(rename = "match")]
    pub matcher: Match,
    /// Why, as documented in the SSP (reported with every excepted subject).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedPort {
    /// Containers this approval covers (default: any).
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Match>,
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
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Match>,
    /// Capability names, e.g. NET_ADMIN (with or without the CAP_ prefix).
    pub capabilities: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("policy {path}: {message}")]
    Invalid { path: String, message: String },
}

/// What a matcher is tested against.
pub struct Target<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub node: &'a str,
    pub labels: &'a std::collections::BTreeMap<String, String>,
}

impl Match {
    fn check(&self) -> Result<(), String> {
        if self.name.is_none() && self.image.is_none() && self.label.is_none() && self.node.is_none() {
            return Err("a match needs at least one of name, image, label, node".into());
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
        re(&self.name, t.name) && re(&self.image, t.image) && re(&self.node, t.node) && label
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
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io { path: shown.clone(), source })?;
        Policy::parse(&shown, &text)
    }

    pub fn parse(shown: &str, text: &str) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid { path: shown.to_string(), message };
        let policy: Policy = serde_yaml_ng::from_str(text).map_err(|e| invalid(e.to_string()))?;
        policy.check().map_err(invalid)?;
        Ok(policy)
    }

    /// Checks values serde cannot: rule ids, regexes, ports, protocols, capability names.
    fn check(&self) -> Result<(), String> {
        for (i, e) in self.exceptions.iter().enumerate() {
            let at = format!("exceptions[{i}]");
            if e.rules.is_empty() {
                return Err(format!("{at}: rules must list at least one V- id"));
            }
            for r in &e.rules {
                let ok = r.strip_prefix("V-").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("{at}: \"{r}\" is not a rule id like V-260913"));
                }
            }
            if e.reason.trim().is_empty() {
                return Err(format!("{at}: reason is required (the SSP's justification)"));
            }
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
            if let Some(m) = &p.matcher {
                m.check().map_err(|m| format!("{at}: {m}"))?;
            }
        }
        for (i, c) in self.allowed_capabilities.iter().flatten().enumerate() {
            let at = format!("allowed_capabilities[{i}]");
            for cap in &c.capabilities {
                if cap.is_empty() || !cap.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_' || ch.is_ascii_digit()) {
                    return Err(format!("{at}: \"{cap}\" is not a capability name like NET_ADMIN"));
                }
            }
            if let Some(m) = &c.matcher {
                m.check().map_err(|m| format!("{at}: {m}"))?;
            }
        }
        for (i, m) in self.cpu_shares_exempt.iter().flatten().enumerate() {
            m.check().map_err(|m| format!("cpu_shares_exempt[{i}]: {m}"))?;
        }
        Ok(())
    }

    /// The exception covering `rule` for this target, if the SSP documents one.
    pub fn exception(&self, rule: &str, t: &Target) -> Option<&Exception> {
        self.exceptions.iter().find(|e| e.rules.iter().any(|r| r == rule) && e.matcher.matches(t))
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
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [V-1]\n  match: {name: '('}\n  reason: r\n").unwrap_err().to_string();
        assert!(e.contains("not a valid regex"), "{e}");
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [260913]\n  match: {name: x}\n  reason: r\n").unwrap_err().to_string();
        assert!(e.contains("not a rule id"), "{e}");
        let e = Policy::parse("p.yaml", "allowed_ports:\n- host_port: 70000\n").unwrap_err().to_string();
        assert!(e.contains("70000"), "{e}");
        let e = Policy::parse("p.yaml", "exceptions:\n- rules: [V-1]\n  match: {}\n  reason: r\n").unwrap_err().to_string();
        assert!(e.contains("at least one"), "{e}");
    }

    #[test]
    fn the_shipped_example_parses() {
        let p = Policy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy.yaml")).unwrap();
        assert!(p.allowed_ports.is_some() && !p.exceptions.is_empty());
    }
}
