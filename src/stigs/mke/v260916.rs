//! V-260916 (CNTR-MK-000480): MSR's certificates are DoD-trusted, not self-signed: the chain MSR
//! serves must validate to the trusted CA bundle the SSP names (P-TRUST, policy key
//! `trusted_ca_bundle`; the TLS check runs at collection against that bundle, on the MSR
//! address given, where the STIG port-forwards `service/msr`).
//!
//! Not applicable when MSR is not in use (`common::msr_gate`: MSR collected, else the site
//! policy's `msr_in_use: false`, else not reviewed or not assessed). Without P-TRUST: not
//! reviewed, needs the site parameter; a chain check that was not run is not assessed.

use super::common::{chain_part, msr_gate};
use super::Cluster;
use crate::assess::{Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000480", vuln: "V-260916" },
    // MKE's configuration: its [[registries]] say whether an MSR is in use when none was collected.
    needs: &[Key::MsrTlsChain, Key::MkeConfig],
    params: &["trusted_ca_bundle", "msr_in_use"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    if let Some(gate) = msr_gate(cl, policy) {
        return vec![gate];
    }
    vec![chain_part(cl, &cl.facts.msr.chain, "MSR")]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;


    fn untrusted(f: &mut Facts) {
        let c = f.msr.chain.as_mut().unwrap();
        c.validates = false;
        c.error = "self-signed certificate".into();
    }

    fn no_msr(f: &mut Facts) {
        f.msr = crate::facts::mke::MsrFacts::none();
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        // MSR collected: MKE's [[registries]] are not read.
        let msr = &[Key::MkeConfig];
        vec![
            case_with("chain validates to P-TRUST", Status::Pass, policy(&trust_policy()), |_| {}).independent_of(msr),
            case_with("self-signed chain", Status::Fail, policy(&trust_policy()), untrusted).failing(&["MSR certificate"]),
            case("no P-TRUST", Status::NotReviewed, |_| {}).independent_of(msr),
            case_with("chain check not run", Status::NotReviewed, policy(&trust_policy()), |f| f.msr.chain = Err(Key::MsrTlsChain.not_collected())).missing(),
            // Offline under a policy naming another bundle: the recorded check does not answer.
            case_with("chain checked against another CA bundle", Status::NotReviewed, policy(&trust_policy()), |f| f.msr.chain.as_mut().unwrap().bundle_sha256 = "0".repeat(64)).missing(),
            case_with("MSR not in use (site policy)", Status::NotApplicable, policy(&format!("{}msr_in_use: false\n", trust_policy())), no_msr).independent_of(super::RULE.needs),
            case_with("MSR registered in MKE but not collected", Status::NotReviewed, policy(&trust_policy()), |f| {
                no_msr(f);
                let mut entry = toml::Table::new();
                entry.insert("host_address".into(), toml::Value::String("msr.example.mil".into()));
                let reg = toml::Value::Array(vec![toml::Value::Table(entry)]);
                set(f.mke.config.as_mut().unwrap(), "registries", reg);
            })
            .missing(),
            nothing(),
        ]
    }
}
