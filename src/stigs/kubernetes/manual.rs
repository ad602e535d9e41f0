//! Rules whose check the STIG leaves to a person: the kubectl client version on each machine
//! (V-242396) and the ports, protocols and services of the control plane against the DoD
//! PPSM CAL (V-242410..V-242413). They stay "not reviewed"; the reason gives the assessor the
//! steps and, where the evidence has them, the ports each component listens on.

use super::checks::instances;
use super::control_plane::Component;
use super::{KubeCluster, CONTROL_PLANE};
use crate::assess::{Part, Rule, RuleId};

/// The flags that say where a component listens, as the PPS review needs them.
fn listening(k: &KubeCluster, c: Component, flags: &[&str]) -> Part {
    let (found, _) = match instances(k, c) {
        Ok(x) => x,
        Err(p) => return p,
    };
    let ports: Vec<String> = found
        .iter()
        .map(|i| {
            let set: Vec<String> = flags.iter().filter_map(|f| i.flags.get(f).map(|v| format!("{f}={v}"))).collect();
            format!("{}: {}", i.name, if set.is_empty() { "default ports".to_string() } else { set.join(" ") })
        })
        .collect();
    Part::manual(
        "",
        format!(
            "review the {}'s ports, protocols and services against the DoD PPSM CAL and the system documentation (a person's judgement); observed: {}",
            c.title(),
            ports.join("; ")
        ),
    )
}

macro_rules! pps_rule {
    ($name:ident, $stig:literal, $vuln:literal, $comp:expr, [$($flag:literal),*]) => {
        pub const $name: Rule<KubeCluster> = Rule {
            id: RuleId { stig: $stig, vuln: $vuln },
            needs: CONTROL_PLANE,
            params: &[],
            decide: |k, _| vec![listening(k, $comp, &[$($flag),*])],
            #[cfg(test)]
            cases: || {
                use super::testing::case;
                use crate::assess::Status;
                vec![
                    case("observed ports listed for review", Status::NotReviewed, |_| {}),
                    case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("HTTP 403".into())).missing(),
                ]
            },
        };
    };
}

pps_rule!(V242410, "CNTR-K8-000920", "V-242410", Component::ApiServer, ["--secure-port", "--bind-address", "--etcd-servers"]);
pps_rule!(V242411, "CNTR-K8-000930", "V-242411", Component::Scheduler, ["--secure-port", "--bind-address"]);
pps_rule!(V242412, "CNTR-K8-000940", "V-242412", Component::ControllerManager, ["--secure-port", "--bind-address"]);
pps_rule!(V242413, "CNTR-K8-000950", "V-242413", Component::Etcd, ["--listen-client-urls", "--listen-peer-urls"]);

/// V-242396: kubectl 1.12.9 or newer on the control plane and every worker. The client
/// binaries on the machines are not evidence this tool collects.
pub const V242396: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000430", vuln: "V-242396" },
    needs: &[],
    params: &[],
    decide: |_, _| vec![Part::missing("", "the kubectl client on each control-plane and worker node is not evidence oscal-stig collects: run `kubectl version --client` on each and record a finding for any older than 1.12.9")],
    #[cfg(test)]
    cases: || vec![super::testing::case("steps for the assessor", crate::assess::Status::NotReviewed, |_| {}).missing()],
};
