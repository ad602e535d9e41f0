//! V-260927 (CNTR-MK-000610): MKE's certificates are DoD-trusted, not self-signed: the chain MKE
//! serves must validate to the trusted CA bundle the SSP names (P-TRUST, policy key
//! `trusted_ca_bundle`; the TLS check runs at collection against that bundle). The STIG compares
//! the downloaded "MKE Server CA" with the trusted CA; validating the served chain against
//! P-TRUST decides the same question and also covers the server certificate.
//!
//! - Not applicable when a Kubernetes ingress is used (config-toml
//!   `cluster_config.ingress_controller.enabled`, MKE default false); a configuration that is
//!   missing or of the wrong type is not assessed, even if the chain fails (the failure would not
//!   be a finding under ingress).
//! - Without P-TRUST: not reviewed, needs the site parameter. With it: the chain check decides;
//!   a check that was not run is not assessed.

use super::common::{chain_part, config};
use super::Cluster;
use crate::assess::{Part, Rule, RuleId, Status};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000610", vuln: "V-260927" },
    needs: &[Key::MkeConfig, Key::MkeTlsChain],
    params: &["trusted_ca_bundle"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const INGRESS: &str = "cluster_config.ingress_controller.enabled";

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let ingress = config(cl, "").and_then(|cfg| cfg.boolean(INGRESS, false).map_err(|e| Part::missing("", e)));
    match ingress {
        Ok(s) if s.value => vec![Part::not_applicable("", format!("a Kubernetes ingress is used ({INGRESS} = true): the STIG makes this rule not applicable"))],
        Ok(s) => {
            let default = if s.default { format!("no ingress controller ({INGRESS} absent: MKE default false)") } else { String::new() };
            vec![chain_part(cl, &cl.facts.mke.chain, "MKE").note(default)]
        }
        Err(missing) => {
            let chain = chain_part(cl, &cl.facts.mke.chain, "MKE");
            let also = if chain.status == Status::Fail { format!("; {} (a finding unless a Kubernetes ingress is used)", chain.reason) } else { String::new() };
            let why = missing.reason.trim_start_matches("not assessed: ");
            vec![Part::missing("", format!("whether a Kubernetes ingress is used (which makes this rule not applicable) is unknown: {why}{also}"))]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;


    fn untrusted(f: &mut Facts) {
        let c = f.mke.chain.as_mut().unwrap();
        c.validates = false;
        c.error = "self-signed certificate in certificate chain".into();
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case_with("chain validates to P-TRUST", Status::Pass, policy(&trust_policy()), |_| {}),
            case_with("self-signed chain", Status::Fail, policy(&trust_policy()), untrusted).failing(&["MKE certificate"]),
            case("no P-TRUST", Status::NotReviewed, |_| {}),
            // Ingress makes the rule not applicable: the chain is not looked at.
            case_with("a Kubernetes ingress is used", Status::NotApplicable, policy(&trust_policy()), |f| {
                set(f.mke.config.as_mut().unwrap(), "cluster_config.ingress_controller.enabled", toml::Value::Boolean(true));
                untrusted(f);
            })
            .independent_of(&[Key::MkeTlsChain]),
            case_with("chain check not run", Status::NotReviewed, policy(&trust_policy()), |f| f.mke.chain = Err(Key::MkeTlsChain.not_collected())).missing(),
            case_with("ingress setting of the wrong type", Status::NotReviewed, policy(&trust_policy()), |f| {
                set(f.mke.config.as_mut().unwrap(), "cluster_config.ingress_controller.enabled", toml::Value::String("no".into()))
            })
            .missing(),
            case_with("config-toml missing, chain self-signed", Status::NotReviewed, policy(&trust_policy()), |f| {
                f.mke.config = Err(Key::MkeConfig.not_collected());
                untrusted(f);
            })
            .missing(),
            nothing(),
        ]
    }
}
