//! Which containers are MKE's, MSR's or Kubernetes' own, from what those products set and
//! cannot be copied by a name alone:
//!
//! - MKE: the image is one of MKE's (`docker/ucp-*`, `mirantis/ucp-*`, or the same under
//!   `registry.mirantis.com/`), its tag is the installed MKE version (`ucp/<version>` in the
//!   engine's `/info` through MKE), and MKE's label `com.docker.ucp.version` says that version.
//! - MSR: the same with `dtr-*`/`msr-*` images, `com.docker.dtr.version` and MSR's own version
//!   (`/api/v0/admin/version`).
//! - Kubernetes: the kubelet's labels `io.kubernetes.pod.namespace`/`.name`/`.uid` on a `k8s_`
//!   container, naming a pod of the Kubernetes API with that uid, on the container's node.
//!
//! When the installed version or the pod list is unknown, such a container is "unverified":
//! rules that exclude system containers cannot clear it and say why.

use super::docker::Container;
use super::Facts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// MKE's or MSR's own container.
    System,
    /// A Kubernetes pod's container.
    Kubernetes,
    /// Everything else (Swarm tasks, standalone containers).
    User,
    /// It claims to be a system container, but the evidence to confirm it is missing: why.
    Unverified(String),
}

/// Repository and tag of an image reference (`registry/ns/repo:tag`, digest ignored).
pub fn repo_tag(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, ""),
    }
}

/// Whether `repo` is one of the vendor's repositories named `<prefix>-*` (or exactly `<prefix>`).
fn vendor_repo(repo: &str, prefixes: &[&str]) -> bool {
    let repo = repo.strip_prefix("docker.io/").or_else(|| repo.strip_prefix("registry.mirantis.com/")).unwrap_or(repo);
    let Some((org, name)) = repo.split_once('/') else { return false };
    matches!(org, "docker" | "mirantis" | "msr") && prefixes.iter().any(|p| name == *p || name.strip_prefix(p).is_some_and(|r| r.starts_with('-')))
}

fn product(c: &Container, label: &str, prefixes: &[&str], installed: Option<&str>, what: &str) -> Option<Class> {
    let claimed = c.labels.get(label)?;
    let (repo, tag) = repo_tag(&c.image);
    if !vendor_repo(repo, prefixes) {
        return Some(Class::User);
    }
    Some(match installed {
        None => Class::Unverified(format!("labelled {label}={claimed}, but the installed {what} version is unknown")),
        Some(v) if claimed == v && tag == v => Class::System,
        // A stale or foreign copy of a system image is judged like any other container.
        Some(_) => Class::User,
    })
}

pub fn classify(c: &Container, facts: &Facts) -> Class {
    if let Some(class) = product(c, "com.docker.ucp.version", &["ucp"], facts.docker.mke_version(), "MKE") {
        return class;
    }
    if let Some(class) = product(c, "com.docker.dtr.version", &["dtr", "msr"], facts.msr.version.as_ref().ok().map(String::as_str), "MSR") {
        return class;
    }
    let (ns, pod) = (c.labels.get("io.kubernetes.pod.namespace"), c.labels.get("io.kubernetes.pod.name"));
    if let (Some(ns), Some(pod)) = (ns, pod) {
        if !c.name.starts_with("k8s_") {
            return Class::User;
        }
        // The kubelet also labels the pod's uid: it and the node must be those of the pod.
        let uid = c.labels.get("io.kubernetes.pod.uid").map(String::as_str).unwrap_or("");
        return match &facts.kube.pods {
            Ok(_) => match facts.kube.pod_keys.get(&(ns.clone(), pod.clone())) {
                Some(id) if !uid.is_empty() && id.uid == uid && (c.node.is_empty() || id.node.is_empty() || id.node == c.node) => Class::Kubernetes,
                _ => Class::User,
            },
            Err(e) => Class::Unverified(format!("labelled as pod {ns}/{pod}, but the pod list is unknown ({e})")),
        };
    }
    Class::User
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn container(name: &str, image: &str, labels: &[(&str, &str)]) -> Container {
        Container { name: name.into(), image: image.into(), labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), ..Default::default() }
    }

    fn through_mke(version: &str) -> Facts {
        let mut f = Facts::none();
        f.docker.info = Ok(super::super::docker::Info { server_version: format!("ucp/{version}"), ..Default::default() });
        f
    }

    #[test]
    fn mke_containers_need_mkes_image_version_and_label_not_a_name() {
        let f = through_mke("3.7.12");
        assert_eq!(classify(&container("ucp-proxy", "mirantis/ucp-proxy:3.7.12", &[("com.docker.ucp.version", "3.7.12")]), &f), Class::System);
        assert_eq!(classify(&container("x", "registry.mirantis.com/mirantis/ucp-agent:3.7.12", &[("com.docker.ucp.version", "3.7.12")]), &f), Class::System);
        // A name prefix alone, a copied label on another image, a stale version: user containers.
        assert_eq!(classify(&container("ucp-proxy", "alpine:3", &[]), &f), Class::User);
        assert_eq!(classify(&container("ucp-evil", "evil/ucp-proxy:3.7.12", &[("com.docker.ucp.version", "3.7.12")]), &f), Class::User);
        assert_eq!(classify(&container("ucp-old", "mirantis/ucp-proxy:3.7.10", &[("com.docker.ucp.version", "3.7.10")]), &f), Class::User);
        // Without the installed version it cannot be confirmed.
        assert!(matches!(classify(&container("ucp-proxy", "mirantis/ucp-proxy:3.7.12", &[("com.docker.ucp.version", "3.7.12")]), &Facts::none()), Class::Unverified(_)));
    }

    #[test]
    fn kubernetes_containers_are_confirmed_against_the_pod_list() {
        let mut f = Facts::none();
        let labels = [("io.kubernetes.pod.namespace", "kube-system"), ("io.kubernetes.pod.name", "calico-node-x"), ("io.kubernetes.pod.uid", "u-1")];
        assert!(matches!(classify(&container("k8s_calico", "calico/node:3", &labels), &f), Class::Unverified(_)));
        f.kube.pods = Ok(vec![]);
        f.kube.pod_keys.insert(("kube-system".into(), "calico-node-x".into()), crate::facts::kubernetes::PodId { uid: "u-1".into(), node: String::new() });
        assert_eq!(classify(&container("k8s_calico", "calico/node:3", &labels), &f), Class::Kubernetes);
        assert_eq!(classify(&container("sneaky", "calico/node:3", &labels), &f), Class::User, "kubelet names its containers k8s_...");
        let other = [("io.kubernetes.pod.namespace", "kube-system"), ("io.kubernetes.pod.name", "no-such-pod"), ("io.kubernetes.pod.uid", "u-1")];
        assert_eq!(classify(&container("k8s_x", "x", &other), &f), Class::User);
        // Copying the namespace and name of a real pod is not enough: the uid must be the pod's.
        let copied = [("io.kubernetes.pod.namespace", "kube-system"), ("io.kubernetes.pod.name", "calico-node-x"), ("io.kubernetes.pod.uid", "forged")];
        assert_eq!(classify(&container("k8s_calico", "calico/node:3", &copied), &f), Class::User);
    }
}
