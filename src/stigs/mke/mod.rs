//! The DISA Mirantis Kubernetes Engine STIG: one file per rule (`v260922.rs` decides
//! V-260922, from the evidence it names, with its tests), shared populations and gates in
//! [`common`], and the registry below. See shared/design/mke-check-map.md for the research
//! behind each rule; where the check map and the STIG text disagree, the rule's doc comment
//! says so and follows the STIG.

pub mod common;
#[cfg(test)]
pub mod testing;

mod v260903;
mod v260904;
mod v260905;
mod v260906;
mod v260907;
mod v260908;
mod v260909;
mod v260910;
mod v260911;
mod v260912;
mod v260913;
mod v260914;
mod v260915;
mod v260916;
mod v260917;
mod v260918;
mod v260919;
mod v260920;
mod v260921;
mod v260922;
mod v260923;
mod v260924;
mod v260925;
mod v260926;
mod v260927;
mod v260928;
mod v260929;
mod v260930;
mod v260931;
mod v260932;
mod v260933;
mod v260934;
mod v260935;
mod v260936;
mod v260937;
mod v260938;
mod v260939;
mod v260940;
mod v260941;
mod v260942;
mod v260943;
mod v260944;
mod v260945;
mod v260946;

use crate::assess::{Assessment, Rule, RuleResult};
use crate::evidence::Snapshot;
use crate::facts::system::{classify, Class};
use crate::facts::{Facts, Orchestrators};
use crate::policy::Policy;
use crate::stig::RuleIndex;

/// Facts of one MKE cluster, with what many rules derive from them computed once.
pub struct Cluster {
    pub facts: Facts,
    pub orchestrators: Orchestrators,
    /// Class of each container, in the order of `facts.docker.containers`.
    pub classes: Vec<Class>,
    /// SHA-256 of the policy's trusted CA bundle (P-TRUST), or why it cannot be read.
    pub trust_sha256: Option<Result<String, String>>,
}

impl Cluster {
    pub fn new(facts: Facts, policy: &Policy) -> Cluster {
        let orchestrators = facts.orchestrators(policy);
        let classes = facts.docker.containers.as_ref().map(|cs| cs.iter().map(|c| classify(c, &facts)).collect()).unwrap_or_default();
        let trust_sha256 = policy.trusted_ca_bundle.as_ref().map(|p| {
            std::fs::read(p).map(|b| crate::stig::xccdf::hex_sha256(&b)).map_err(|e| format!("the trusted CA bundle {} cannot be read: {e}", p.display()))
        });
        Cluster { facts, orchestrators, classes, trust_sha256 }
    }
}

/// Every rule this tool decides, in DISA's order.
pub const RULES: &[&Rule<Cluster>] = &[
    &v260903::RULE, &v260904::RULE, &v260905::RULE, &v260906::RULE, &v260907::RULE, &v260908::RULE, &v260909::RULE,
    &v260910::RULE, &v260911::RULE, &v260912::RULE, &v260913::RULE, &v260914::RULE, &v260915::RULE, &v260916::RULE,
    &v260917::RULE, &v260918::RULE, &v260919::RULE, &v260920::RULE, &v260921::RULE, &v260922::RULE, &v260923::RULE,
    &v260924::RULE, &v260925::RULE, &v260926::RULE, &v260927::RULE, &v260928::RULE, &v260929::RULE, &v260930::RULE,
    &v260931::RULE, &v260932::RULE, &v260933::RULE, &v260934::RULE, &v260935::RULE, &v260936::RULE, &v260937::RULE,
    &v260938::RULE, &v260939::RULE, &v260940::RULE, &v260941::RULE, &v260942::RULE, &v260943::RULE, &v260944::RULE,
    &v260945::RULE, &v260946::RULE,
];

/// Policy keys that approve what a rule would fail, by the V- id they waive (CAT I rules may
/// only be waived per subject: [`Policy::check_against`]).
pub const APPROVALS: &[(&str, &str)] = &[
    ("allowed_ports", v260907::RULE.id.vuln),
    ("allowed_ports", v260941::RULE.id.vuln),
    ("allowed_capabilities", v260923::RULE.id.vuln),
    ("allowed_capabilities", v260933::RULE.id.vuln),
    ("cpu_shares_exempt", v260925::RULE.id.vuln),
    ("host_ipc", v260935::RULE.id.vuln),
];

/// The registered rule for a STIG content rule: by STIG id, which survives new releases.
pub fn rule_for(stig_id: &str) -> Option<&'static Rule<Cluster>> {
    RULES.iter().copied().find(|r| r.id.stig == stig_id)
}

/// Decides every rule of the STIG content (`index`): those with a check here, and the rest
/// said plainly.
pub fn decide(cluster: &Cluster, policy: &Policy, index: &RuleIndex) -> Vec<RuleResult> {
    crate::assess::rule::decide_all(RULES, cluster, policy, index)
}

/// Assesses a snapshot (live and offline runs take this one path, so both give the same
/// document).
pub fn assess(snap: &Snapshot, host: Option<crate::facts::host::HostEvidence>, policy: &Policy, index: &RuleIndex) -> Assessment {
    let cluster = Cluster::new(Facts::load(snap, host), policy);
    let results = decide(&cluster, policy, index);
    Assessment::of_snapshot(snap, cluster.orchestrators.source.clone(), results, policy.parameters())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> RuleIndex {
        RuleIndex::load("mke").unwrap()
    }

    #[test]
    fn every_rule_of_the_stig_is_registered_once_in_order() {
        let index = index();
        let ids: Vec<&str> = RULES.iter().map(|r| r.id.stig).collect();
        let content: Vec<&str> = index.rules().iter().map(|r| r.stig_id.as_str()).collect();
        assert_eq!(ids, content);
        for r in RULES {
            assert_eq!(index.get(r.id.stig).map(|i| i.vuln_id.as_str()), Some(r.id.vuln), "{} is bound to its STIG id", r.id.vuln);
        }
    }

    /// Each rule's own cases: the verdict, the failing subjects, and that the rule has a pass
    /// (or its best verdict), a fail and an evidence-missing case.
    #[test]
    fn every_rule_decides_its_cases() {
        let wrong = crate::assess::rule::registry::cases_hold(RULES, MANUAL, &[]);
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    /// Rules with no automatable failure (the STIG leaves the judgement to a person).
    const MANUAL: &[&str] = &[v260904::RULE.id.vuln, v260932::RULE.id.vuln, v260938::RULE.id.vuln];

    /// Drops each evidence item a rule needs, in turn, from every case that did not fail: the
    /// rule must never reach pass or not applicable without it.
    #[test]
    fn no_rule_passes_or_goes_not_applicable_without_its_evidence() {
        for r in RULES {
            assert!(!r.needs.is_empty() || MANUAL.contains(&r.id.vuln), "{} names the evidence it needs", r.id.vuln);
        }
        let (tried, wrong) = crate::assess::rule::registry::evidence_drops_hold(RULES, |c: Cluster| c.facts, Cluster::new);
        assert!(tried > 100, "{tried}");
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }
}
