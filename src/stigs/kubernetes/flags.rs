//! Rules that are one control-plane flag (or a pair) checked in one component's manifest, as
//! the STIG's check text reads it ("grep -i <flag> *" in /etc/kubernetes/manifests). Each entry
//! says the component, the flags and what the check text accepts; [`checks::decide_flags`]
//! judges every instance of the component, and the tests are made from the same entry: the
//! hardened cluster passes, the value the check text calls a finding fails, and without the
//! control plane the rule is not assessed.
//!
//! Where the STIG text and the Kubernetes version disagree (a flag removed upstream), the rule
//! has its own file instead (V-242386 stays here with its version gate in [`V242386`]).

use super::checks::{self, FlagCheck, Want};
use super::control_plane::Component::{ApiServer, ControllerManager, Etcd, Scheduler};
use super::{KubeCluster, CONTROL_PLANE};
use crate::assess::{Rule, RuleId};
use crate::evidence::keys::Key;

macro_rules! flag_rule {
    ($(#[$doc:meta])* $name:ident, $stig:literal, $vuln:literal, $comp:expr, [$($flag:literal),+], $want:expr) => {
        $(#[$doc])*
        pub const $name: Rule<KubeCluster> = Rule {
            id: RuleId { stig: $stig, vuln: $vuln },
            needs: CONTROL_PLANE,
            params: &[],
            decide: |k, _| vec![checks::decide_flags(k, &FlagCheck { component: $comp, flags: &[$($flag),+], want: $want })],
            #[cfg(test)]
            cases: || super::testing::flag_cases(&FlagCheck { component: $comp, flags: &[$($flag),+], want: $want }),
        };
    };
}

const SUITES: &[&str] = &["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"];

flag_rule!(V242376, "CNTR-K8-000150", "V-242376", ControllerManager, ["--tls-min-version"], Want::Tls12);
flag_rule!(V242377, "CNTR-K8-000160", "V-242377", Scheduler, ["--tls-min-version"], Want::Tls12);
flag_rule!(V242378, "CNTR-K8-000170", "V-242378", ApiServer, ["--tls-min-version"], Want::Tls12);
// "If --auto-tls is not configured ... or it is set to true, this is a finding."
flag_rule!(V242379, "CNTR-K8-000180", "V-242379", Etcd, ["--auto-tls"], Want::Is("false"));
flag_rule!(V242380, "CNTR-K8-000190", "V-242380", Etcd, ["--peer-auto-tls"], Want::Is("false"));
flag_rule!(V242381, "CNTR-K8-000220", "V-242381", ControllerManager, ["--use-service-account-credentials"], Want::Is("true"));
// The check text makes only `AlwaysAllow` or no setting a finding (the title asks for
// Node,RBAC; the check text is what is followed).
flag_rule!(V242382, "CNTR-K8-000270", "V-242382", ApiServer, ["--authorization-mode"], Want::SetExcluding("AlwaysAllow"));
flag_rule!(V242384, "CNTR-K8-000300", "V-242384", Scheduler, ["--bind-address"], Want::Is("127.0.0.1"));
flag_rule!(V242385, "CNTR-K8-000310", "V-242385", ControllerManager, ["--bind-address"], Want::Is("127.0.0.1"));
// The check text names `localhost`; any insecure bind address serves the unauthenticated
// port, so any value set is a finding (the flag was removed in 1.24, where it cannot be set).
flag_rule!(V242388, "CNTR-K8-000340", "V-242388", ApiServer, ["--insecure-bind-address"], Want::Unset);
flag_rule!(V242389, "CNTR-K8-000350", "V-242389", ApiServer, ["--secure-port"], Want::SetNot("0"));
flag_rule!(V242400, "CNTR-K8-000470", "V-242400", ApiServer, ["--feature-gates"], Want::GateNot("AllAlpha", true));
flag_rule!(V242402, "CNTR-K8-000610", "V-242402", ApiServer, ["--audit-log-path"], Want::Set);
flag_rule!(V242409, "CNTR-K8-000910", "V-242409", ControllerManager, ["--profiling"], Want::Is("false"));
flag_rule!(V242418, "CNTR-K8-001400", "V-242418", ApiServer, ["--tls-cipher-suites"], Want::Includes(SUITES));
flag_rule!(V242419, "CNTR-K8-001410", "V-242419", ApiServer, ["--client-ca-file"], Want::Set);
flag_rule!(V242421, "CNTR-K8-001430", "V-242421", ControllerManager, ["--root-ca-file"], Want::Set);
flag_rule!(V242422, "CNTR-K8-001440", "V-242422", ApiServer, ["--tls-cert-file", "--tls-private-key-file"], Want::Set);
flag_rule!(V242423, "CNTR-K8-001450", "V-242423", Etcd, ["--client-cert-auth"], Want::Is("true"));
flag_rule!(V242426, "CNTR-K8-001480", "V-242426", Etcd, ["--peer-client-cert-auth"], Want::Is("true"));
flag_rule!(V242427, "CNTR-K8-001490", "V-242427", Etcd, ["--key-file"], Want::Set);
flag_rule!(V242428, "CNTR-K8-001500", "V-242428", Etcd, ["--cert-file"], Want::Set);
flag_rule!(V242429, "CNTR-K8-001510", "V-242429", ApiServer, ["--etcd-cafile"], Want::Set);
flag_rule!(V242430, "CNTR-K8-001520", "V-242430", ApiServer, ["--etcd-certfile"], Want::Set);
flag_rule!(V242431, "CNTR-K8-001530", "V-242431", ApiServer, ["--etcd-keyfile"], Want::Set);
flag_rule!(V242432, "CNTR-K8-001540", "V-242432", Etcd, ["--peer-cert-file"], Want::Set);
flag_rule!(V242433, "CNTR-K8-001550", "V-242433", Etcd, ["--peer-key-file"], Want::Set);
flag_rule!(V242438, "CNTR-K8-002600", "V-242438", ApiServer, ["--request-timeout"], Want::NonZeroDuration);
flag_rule!(V242462, "CNTR-K8-003290", "V-242462", ApiServer, ["--audit-log-maxsize"], Want::AtLeast(100));
flag_rule!(V242463, "CNTR-K8-003300", "V-242463", ApiServer, ["--audit-log-maxbackup"], Want::AtLeast(10));
flag_rule!(V242464, "CNTR-K8-003310", "V-242464", ApiServer, ["--audit-log-maxage"], Want::AtLeast(30));
flag_rule!(V242465, "CNTR-K8-003320", "V-242465", ApiServer, ["--audit-log-path"], Want::Set);
flag_rule!(V245542, "CNTR-K8-002620", "V-245542", ApiServer, ["--basic-auth-file"], Want::Unset);
flag_rule!(V245543, "CNTR-K8-002630", "V-245543", ApiServer, ["--token-auth-file"], Want::Unset);
flag_rule!(V245544, "CNTR-K8-002640", "V-245544", ApiServer, ["--kubelet-client-certificate", "--kubelet-client-key"], Want::Set);

/// V-242386: `--insecure-port` must be `0`. The STIG's note says the flag is removed in
/// v1.24; from 1.24 the API server has no insecure port and refuses the flag, so the rule is
/// not applicable there (decided from the server's version), and checked as written before.
pub const V242386: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-000320", vuln: "V-242386" },
    needs: &[Key::KubePods, Key::KubeNodes, Key::DockerInspect, Key::KubeVersion],
    params: &[],
    decide: |k, _| {
        let check = FlagCheck { component: ApiServer, flags: &["--insecure-port"], want: Want::Is("0") };
        match k.version_gate(|minor| minor < 24, "the API server has had no insecure port since Kubernetes 1.24, which removed --insecure-port (the STIG's own note)") {
            Some(gate) => vec![gate],
            None => vec![checks::decide_flags(k, &check)],
        }
    },
    #[cfg(test)]
    cases: || {
        use super::testing::{case, flag_cases};
        use crate::assess::Status;
        let mut cases: Vec<_> = flag_cases(&FlagCheck { component: ApiServer, flags: &["--insecure-port"], want: Want::Is("0") })
            .into_iter()
            .map(|mut c| {
                c.facts.facts.kube.version = Ok(crate::facts::kubernetes::KubeVersion { git: "v1.23.17".into(), minor: 23 });
                c
            })
            .collect();
        cases.push(case("1.29: no insecure port exists", Status::NotApplicable, |_| {}).independent_of(&[Key::KubePods, Key::KubeNodes, Key::DockerInspect]));
        cases
    },
};
