//! Evidence keys: the one table that says, for each piece of evidence, which call a probe makes,
//! where the snapshot stores the answer, and how rules and emitted documents cite it. Probes,
//! fact loaders, rules (`Rule::needs`) and emitters all name evidence by [`Key`].

/// One piece of evidence a rule can need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    DockerVersion,
    /// `/info` of the engine the client talks to (through MKE: the cluster aggregate).
    DockerInfo,
    /// Each node's own engine `/info`, through MKE's per-node proxy.
    NodeEngines,
    DockerContainers,
    DockerInspect,
    DockerTop,
    DockerImages,
    DockerNetworks,
    DockerSecrets,
    DockerServices,
    DockerNodes,
    MkeConfig,
    MkeVersions,
    MkeCa,
    MkeGrants,
    MkeLdap,
    /// Who the collecting account is, and whether it is an MKE admin.
    MkeIdentity,
    MkeTlsChain,
    KubePods,
    KubeWorkloads,
    KubeNamespaces,
    KubeQuotas,
    KubeServices,
    KubeNodes,
    KubeClusterRoleBindings,
    KubeRoleBindings,
    KubeStorageClasses,
    KubeletConfigz,
    /// The API server's `/version`.
    KubeVersion,
    /// A request without credentials: refused (401) or served as `system:anonymous`.
    KubeAnonymous,
    KubeServiceAccounts,
    KubeNetworkPolicies,
    /// What `oscal-stig collect node` found on each node (`--node-evidence`).
    NodeFiles,
    MsrSettings,
    MsrScanStatus,
    MsrVersion,
    MsrAccounts,
    MsrTlsChain,
    /// What the assessor gathered on each node (`--host-evidence`).
    HostEvidence,
}

/// Where a key's evidence comes from and where it is kept.
#[derive(Debug)]
pub struct Spec {
    pub key: Key,
    /// Record source (`docker`, `mke`, `kubernetes`, `msr`, `host`).
    pub source: &'static str,
    /// The call as records name it; `{id}`/`{node}` stand for one call per object.
    pub endpoint: &'static str,
    /// Stored file in the snapshot, when the answer is kept.
    pub file: Option<&'static str>,
    /// What it is, for "not assessed: ..." sentences.
    pub what: &'static str,
}

const fn spec(key: Key, source: &'static str, endpoint: &'static str, file: Option<&'static str>, what: &'static str) -> Spec {
    Spec { key, source, endpoint, file, what }
}

/// Every key, in [`Key`] order.
pub const TABLE: &[Spec] = &[
    spec(Key::DockerVersion, "docker", "GET /version", Some("docker/version.json"), "the engine version"),
    spec(Key::DockerInfo, "docker", "GET /info", Some("docker/info.json"), "the engine's /info"),
    spec(Key::NodeEngines, "docker", "GET /info (each node, through MKE's per-node engine proxy)", Some("docker/node-info.jsonl"), "each node's own engine /info"),
    spec(Key::DockerContainers, "docker", "GET /containers/json?all=1", Some("docker/containers.json"), "the container list"),
    spec(Key::DockerInspect, "docker", "GET /containers/{id}/json", Some("docker/inspect.jsonl"), "each container's inspect answer"),
    spec(Key::DockerTop, "docker", "GET /containers/{id}/top", Some("docker/top.jsonl"), "each running container's process list"),
    spec(Key::DockerImages, "docker", "GET /images/json", Some("docker/images.json"), "the image list"),
    spec(Key::DockerNetworks, "docker", "GET /networks", Some("docker/networks.json"), "the network list"),
    spec(Key::DockerSecrets, "docker", "GET /secrets", Some("docker/secrets.json"), "the Swarm secret list"),
    spec(Key::DockerServices, "docker", "GET /services", Some("docker/services.json"), "the Swarm service list"),
    spec(Key::DockerNodes, "docker", "GET /nodes", Some("docker/nodes.json"), "the Swarm node list"),
    spec(Key::MkeConfig, "mke", "GET /api/ucp/config-toml", Some("mke/config.toml"), "MKE's configuration (config-toml)"),
    spec(Key::MkeVersions, "mke", "GET /api/ucpversions", Some("mke/ucpversions.json"), "the MKE versions offered"),
    spec(Key::MkeCa, "mke", "GET /ca", Some("mke/ca.pem"), "MKE's CA"),
    spec(Key::MkeGrants, "mke", "GET /collectionGrants?subjectType=all&expandUser=true&showPaths=true", Some("mke/collection-grants.json"), "MKE's grants"),
    spec(Key::MkeLdap, "mke", "GET /enzi/v0/config/auth/ldap", Some("mke/ldap.json"), "MKE's LDAP settings"),
    spec(Key::MkeIdentity, "mke", "GET /id/", Some("mke/id.json"), "the collecting account's identity"),
    spec(Key::MkeTlsChain, "mke", "TLS chain of MKE", None, "MKE's certificate chain checked against P-TRUST"),
    spec(Key::KubePods, "kubernetes", "GET /api/v1/pods", Some("k8s/pods.jsonl"), "the pod list"),
    spec(Key::KubeWorkloads, "kubernetes", "GET /apis/apps/v1/{deployments,...}", Some("k8s/workloads.jsonl"), "the workload lists"),
    spec(Key::KubeNamespaces, "kubernetes", "GET /api/v1/namespaces", Some("k8s/namespaces.jsonl"), "the namespace list"),
    spec(Key::KubeQuotas, "kubernetes", "GET /api/v1/resourcequotas", Some("k8s/resourcequotas.jsonl"), "the ResourceQuota list"),
    spec(Key::KubeServices, "kubernetes", "GET /api/v1/services", Some("k8s/services.jsonl"), "the Service list"),
    spec(Key::KubeNodes, "kubernetes", "GET /api/v1/nodes", Some("k8s/nodes.jsonl"), "the Kubernetes node list"),
    spec(Key::KubeClusterRoleBindings, "kubernetes", "GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings", Some("k8s/clusterrolebindings.jsonl"), "the ClusterRoleBinding list"),
    spec(Key::KubeRoleBindings, "kubernetes", "GET /apis/rbac.authorization.k8s.io/v1/rolebindings", Some("k8s/rolebindings.jsonl"), "the RoleBinding list"),
    spec(Key::KubeStorageClasses, "kubernetes", "GET /apis/storage.k8s.io/v1/storageclasses", Some("k8s/storageclasses.jsonl"), "the StorageClass list"),
    spec(Key::KubeletConfigz, "kubernetes", "GET /api/v1/nodes/{node}/proxy/configz", Some("k8s/configz.jsonl"), "each node's kubelet configuration"),
    spec(Key::KubeVersion, "kubernetes", "GET /version", Some("k8s/version.json"), "the Kubernetes version"),
    spec(Key::KubeAnonymous, "kubernetes", "GET /version (no credentials)", Some("k8s/anonymous.json"), "the answer to a request without credentials"),
    spec(Key::KubeServiceAccounts, "kubernetes", "GET /api/v1/serviceaccounts", Some("k8s/serviceaccounts.jsonl"), "the ServiceAccount list"),
    spec(Key::KubeNetworkPolicies, "kubernetes", "GET /apis/networking.k8s.io/v1/networkpolicies", Some("k8s/networkpolicies.jsonl"), "the NetworkPolicy list"),
    spec(Key::NodeFiles, "node", "oscal-stig collect node (on each node)", Some("node-evidence/{node}.json"), "the node evidence (`oscal-stig collect node`)"),
    spec(Key::MsrSettings, "msr", "GET /api/v0/meta/settings", Some("msr/settings.json"), "MSR's settings"),
    spec(Key::MsrScanStatus, "msr", "GET /api/v0/imagescan/status", Some("msr/imagescan-status.json"), "MSR's image scanning status"),
    spec(Key::MsrVersion, "msr", "GET /api/v0/admin/version", Some("msr/version.json"), "MSR's version"),
    spec(Key::MsrAccounts, "msr", "GET /enzi/v0/accounts?limit=500", Some("msr/accounts.json"), "MSR's organizations and users"),
    spec(Key::MsrTlsChain, "msr", "TLS chain of MSR", None, "MSR's certificate chain checked against P-TRUST"),
    spec(Key::HostEvidence, "host", "host evidence (stat, getent on each node)", None, "the assessor's host evidence (--host-evidence)"),
];

impl Key {
    pub fn spec(self) -> &'static Spec {
        let s = &TABLE[self as usize];
        debug_assert_eq!(s.key, self, "TABLE is in Key order");
        s
    }

    pub fn endpoint(self) -> &'static str {
        self.spec().endpoint
    }

    /// The call's path without the method (`/info`), for probes.
    pub fn path(self) -> &'static str {
        self.endpoint().strip_prefix("GET ").unwrap_or(self.endpoint())
    }

    pub fn file(self) -> Option<&'static str> {
        self.spec().file
    }

    pub fn source(self) -> &'static str {
        self.spec().source
    }

    pub fn what(self) -> &'static str {
        self.spec().what
    }

    /// "X was not collected", the default sentence for absent evidence.
    pub fn not_collected(self) -> String {
        format!("{} ({}) was not collected", self.what(), self.endpoint())
    }

    pub fn all() -> impl Iterator<Item = Key> {
        TABLE.iter().map(|s| s.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_key_order_and_files_are_unique() {
        for (i, s) in TABLE.iter().enumerate() {
            assert_eq!(s.key as usize, i, "{:?}", s.key);
        }
        let mut files: Vec<&str> = TABLE.iter().filter_map(|s| s.file).collect();
        let n = files.len();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), n, "one file per key");
    }
}
