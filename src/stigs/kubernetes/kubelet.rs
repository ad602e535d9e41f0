//! Rules that are one kubelet setting on every node, as the STIG's check text reads it: "if
//! the kubelet runs with `--flag`, this is a finding" (the setting belongs in the config
//! file), and the config file's setting must be as stated. [`checks::decide_kubelet`] judges
//! every node of the node list from the kubelet's own configuration (configz) and its command
//! line (node evidence, or MKE's `ucp-kubelet` container); the tests are made from the entry.

use super::checks::{self, KubeletCheck, Want};
use super::{KubeCluster, KUBELET};
use crate::assess::{Rule, RuleId};

macro_rules! kubelet_rule {
    ($(#[$doc:meta])* $name:ident, $stig:literal, $vuln:literal, $flag:expr, $setting:expr, $want:expr) => {
        $(#[$doc])*
        pub const $name: Rule<KubeCluster> = Rule {
            id: RuleId { stig: $stig, vuln: $vuln },
            needs: KUBELET,
            params: &[],
            decide: |k, _| vec![checks::decide_kubelet(k, &KubeletCheck { flag: $flag, setting: $setting, want: $want })],
            #[cfg(test)]
            cases: || super::testing::kubelet_cases(&KubeletCheck { flag: $flag, setting: $setting, want: $want }),
        };
    };
}

kubelet_rule!(V242387, "CNTR-K8-000330", "V-242387", Some("--read-only-port"), Some("/readOnlyPort"), Want::AbsentOr("0"));
// "Locate the anonymous section under authentication: if enabled does not exist or is set to
// true, this is a finding."
kubelet_rule!(V242391, "CNTR-K8-000370", "V-242391", Some("--anonymous-auth"), Some("/authentication/anonymous/enabled"), Want::False);
kubelet_rule!(V242392, "CNTR-K8-000380", "V-242392", Some("--authorization-mode"), Some("/authorization/mode"), Want::Is("Webhook"));
// Any value of staticPodPath is a finding. kubeadm sets it on every node (its control plane
// runs as static pods), so kubeadm clusters fail this rule as written.
kubelet_rule!(V242397, "CNTR-K8-000440", "V-242397", None, Some("/staticPodPath"), Want::Empty);
// A command-line option only: "if --hostname-override is present, this is a finding".
kubelet_rule!(V242404, "CNTR-K8-000850", "V-242404", Some("--hostname-override"), None, Want::Unset);
kubelet_rule!(V242420, "CNTR-K8-001420", "V-242420", Some("--client-ca-file"), Some("/authentication/x509/clientCAFile"), Want::Set);
kubelet_rule!(V242424, "CNTR-K8-001460", "V-242424", Some("--tls-private-key-file"), Some("/tlsPrivateKeyFile"), Want::Set);
kubelet_rule!(V242425, "CNTR-K8-001470", "V-242425", Some("--tls-cert-file"), Some("/tlsCertFile"), Want::Set);
kubelet_rule!(V242434, "CNTR-K8-001620", "V-242434", Some("--protect-kernel-defaults"), Some("/protectKernelDefaults"), Want::True);
kubelet_rule!(V245541, "CNTR-K8-001300", "V-245541", Some("--streaming-connection-idle-timeout"), Some("/streamingConnectionIdleTimeout"), Want::DurationAtLeast(300));
