//! V-260941 (CNTR-MK-001360): the ports of running containers are limited to those the SSP
//! requires. Judged as V-260907 (live `NetworkSettings.Ports` of running containers against
//! P-PORTS `allowed_ports`, each covering entry listed with its justification; without P-PORTS a
//! cluster mapping any port needs the parameter). The STIG makes the rule not applicable when an
//! ingress controller is configured for the cluster: MKE's `cluster_config.ingress_controller
//! .enabled = true` in config-toml, which decides that alone, whatever the containers show.
//! Without MKE's configuration whether the rule applies is unknown: not assessed, even with an
//! unapproved port found (the ports judgement is said in the reason). The old code judged the
//! ports as if no ingress controller were configured when the configuration was not read.

use super::common::config;
use super::Cluster;
use crate::assess::{fact, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001360", vuln: "V-260941" },
    needs: &[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity, Key::MkeConfig],
    params: &["allowed_ports", "exceptions"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const INGRESS: &str = "cluster_config.ingress_controller.enabled";

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let ports = super::v260907::ports(cl, policy, RULE.id.vuln);
    let cfg = match config(cl, "") {
        Ok(c) => c,
        Err(missing) => return vec![missing.note(format!("whether an ingress controller makes the rule not applicable is unknown (ports alone: {})", ports.reason))],
    };
    match cfg.boolean(INGRESS, false) {
        Err(e) => vec![Part::missing("", e).note(format!("ports alone: {}", ports.reason))],
        Ok(s) if s.value => {
            let mut na = Part::not_applicable("", format!("an ingress controller is configured for the cluster ({INGRESS} = true)"));
            na.subjects = vec![super::common::setting(true, vec![fact(INGRESS, s.shown())])];
            na.passed_total = 1;
            vec![na]
        }
        Ok(s) => vec![ports.note(format!("no ingress controller is configured ({INGRESS} = {})", s.shown()))],
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Uninspected;
    use crate::facts::Facts;

    const WEB_8443: &str = "allowed_ports:\n- match: {name: '^web$'}\n  justification: PPSM CAL 3\n  host_port: 8443\n";

    fn maps(f: &mut Facts, host: u16, container: u16) {
        web(f).ports = vec![port(host, container)];
    }

    fn ingress(f: &mut Facts) {
        set(f.mke.config.as_mut().unwrap(), super::INGRESS, toml::Value::Boolean(true));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("no port mapped, no ingress controller", Status::Pass, |_| {}),
            case_with("port approved", Status::Pass, policy(WEB_8443), |f| maps(f, 8443, 8443)),
            case_with("port not approved", Status::Fail, policy(WEB_8443), |f| maps(f, 8080, 80)).failing(&["web"]),
            case("mapped ports without P-PORTS", Status::NotReviewed, |f| maps(f, 8443, 8443)),
            case_with("ingress key absent: MKE's default (off)", Status::Fail, policy(WEB_8443), |f| {
                maps(f, 8080, 80);
                unset(f.mke.config.as_mut().unwrap(), super::INGRESS);
            })
            .failing(&["web"]),
            // The STIG's N/A comes from the configuration alone: the containers do not matter.
            case_with("ingress controller configured", Status::NotApplicable, policy(WEB_8443), |f| {
                maps(f, 8080, 80);
                ingress(f);
            })
            .independent_of(&[Key::DockerContainers, Key::DockerInspect, Key::MkeIdentity]),
            case_with("configuration unread, a port not approved", Status::NotReviewed, policy(WEB_8443), |f| {
                maps(f, 8080, 80);
                f.mke.config = Err("GET /api/ucp/config-toml: HTTP 403".into());
            })
            .missing(),
            case_with("one container not inspected", Status::NotReviewed, policy(WEB_8443), |f| {
                f.docker.uninspected.push(Uninspected { name: "x".into(), why: "HTTP 403".into(), gone: false })
            })
            .missing(),
            nothing(),
        ]
    }
}
