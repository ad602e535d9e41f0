//! Rules that are a node file's owner or mode, as the STIG's check text reads it (`stat -c
//! %U:%G`, `stat -c %a`, "644 or more restrictive"). The files come from each node's evidence
//! (`oscal-stig collect node`); a node where none of the files exists is not concerned, a node
//! without evidence is not assessed. [`checks::decide_files`] judges; the tests are made from
//! the entry.

use super::checks::{self, select, FileCheck, FileWant, Nodes};
use super::{KubeCluster, NODE_FILES};
use crate::assess::{Rule, RuleId};

macro_rules! file_rule {
    ($(#[$doc:meta])* $name:ident, $stig:literal, $vuln:literal, $nodes:expr, $select:path, $want:expr, $what:literal) => {
        $(#[$doc])*
        pub const $name: Rule<KubeCluster> = Rule {
            id: RuleId { stig: $stig, vuln: $vuln },
            needs: NODE_FILES,
            params: &[],
            decide: |k, _| vec![checks::decide_files(k, &FileCheck { nodes: $nodes, select: $select, want: $want, what: $what })],
            #[cfg(test)]
            cases: || super::testing::file_cases(&FileCheck { nodes: $nodes, select: $select, want: $want, what: $what }),
        };
    };
}

const ROOT: FileWant = FileWant::Owner("root", "root");
const M644: FileWant = FileWant::ModeAtMost(0o644);

// "On the Control Plane ... each manifest file must be owned by root:root."
file_rule!(V242405, "CNTR-K8-000860", "V-242405", Nodes::ControlPlane, select::manifests, ROOT, "manifest files");
file_rule!(V242406, "CNTR-K8-000880", "V-242406", Nodes::All, select::kubelet_config, ROOT, "a kubelet config file (--config)");
file_rule!(V242407, "CNTR-K8-000890", "V-242407", Nodes::All, select::kubelet_config, M644, "a kubelet config file (--config)");
// "On both Control Plane and Worker Nodes".
file_rule!(V242408, "CNTR-K8-000900", "V-242408", Nodes::All, select::manifests, M644, "manifest files");
file_rule!(V242444, "CNTR-K8-003110", "V-242444", Nodes::All, select::manifests, ROOT, "manifest files");
file_rule!(V242445, "CNTR-K8-003120", "V-242445", Nodes::All, select::etcd_data, FileWant::Owner("etcd", "etcd"), "etcd data files (/var/lib/etcd)");
file_rule!(V242446, "CNTR-K8-003130", "V-242446", Nodes::All, select::admin_confs, ROOT, "admin, scheduler or controller-manager kubeconfigs");
// "If kube-proxy exists": nodes without a kube-proxy process are not concerned.
file_rule!(V242447, "CNTR-K8-003140", "V-242447", Nodes::All, select::kube_proxy_kubeconfig, M644, "a kube-proxy kubeconfig");
file_rule!(V242448, "CNTR-K8-003150", "V-242448", Nodes::All, select::kube_proxy_kubeconfig, ROOT, "a kube-proxy kubeconfig");
file_rule!(V242449, "CNTR-K8-003160", "V-242449", Nodes::All, select::kubelet_client_ca, M644, "a kubelet client CA file");
file_rule!(V242450, "CNTR-K8-003170", "V-242450", Nodes::All, select::kubelet_client_ca, ROOT, "a kubelet client CA file");
file_rule!(V242451, "CNTR-K8-003180", "V-242451", Nodes::All, select::pki, ROOT, "PKI files (/etc/kubernetes/pki)");
file_rule!(V242452, "CNTR-K8-003190", "V-242452", Nodes::All, select::kubelet_conf, M644, "/etc/kubernetes/kubelet.conf");
file_rule!(V242453, "CNTR-K8-003200", "V-242453", Nodes::All, select::kubelet_conf, ROOT, "/etc/kubernetes/kubelet.conf");
file_rule!(V242454, "CNTR-K8-003210", "V-242454", Nodes::All, select::kubeadm_conf, ROOT, "a kubeadm drop-in (10-kubeadm.conf)");
file_rule!(V242455, "CNTR-K8-003220", "V-242455", Nodes::All, select::kubeadm_conf, M644, "a kubeadm drop-in (10-kubeadm.conf)");
file_rule!(V242456, "CNTR-K8-003230", "V-242456", Nodes::All, select::var_lib_kubelet_config, M644, "/var/lib/kubelet/config.yaml");
file_rule!(V242457, "CNTR-K8-003240", "V-242457", Nodes::All, select::var_lib_kubelet_config, ROOT, "/var/lib/kubelet/config.yaml");
// "If any of the files have permissions more permissive than 644": files, not directories.
file_rule!(V242459, "CNTR-K8-003260", "V-242459", Nodes::All, select::etcd_data, M644, "etcd data files (/var/lib/etcd)");
file_rule!(V242460, "CNTR-K8-003270", "V-242460", Nodes::All, select::admin_confs, M644, "admin, scheduler or controller-manager kubeconfigs");
file_rule!(V242466, "CNTR-K8-003330", "V-242466", Nodes::All, select::pki_crt, M644, "PKI certificates (*.crt)");
file_rule!(V242467, "CNTR-K8-003340", "V-242467", Nodes::All, select::pki_key, FileWant::ModeAtMost(0o600), "PKI keys (*.key)");
