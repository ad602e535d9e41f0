//! V-260944 (CNTR-MK-001600): no MKE or DTR/MSR image older than the installed version is left
//! on the cluster's nodes. This follows the STIG's command, which judges images by reference and
//! TAG (`docker images --filter reference='mirantis/[ucp]*'` and
//! `reference='registry.mirantis.com/msr/[msr]*'` through a client bundle, so over all nodes:
//! "If any of the tags listed are older than the currently installed versions of MKE and DTR,
//! then this is a finding. If no tags are listed, this is not a finding"), not the check map's
//! and the old code's image labels, which may carry an upstream version (audit item 4). Two
//! parts, the worse wins:
//!
//! - MKE images: repositories `mirantis/ucp*`, legacy `docker/ucp*` and
//!   `registry.mirantis.com/.../ucp*`; a tag older than the installed MKE version (`/info`
//!   through MKE, `ServerVersion ucp/<version>`) fails.
//! - MSR images: `dtr*`/`msr*` in the same places (the STIG's globs, where `[ucp]` and `[msr]`
//!   are character classes, miss MSR 2's `dtr` images); a tag older than MSR's version
//!   (`/api/v0/admin/version`) fails.
//!
//! The labels `com.docker.ucp.version`/`com.docker.dtr.version` are a second signal: shown with
//! each image, a label that disagrees with the tag is noted, and labelled images outside
//! Mirantis' repositories (mirrors, which the STIG's filter does not list either) are counted,
//! not judged. An image tag that is not a version, or an installed version that is unknown while
//! such images exist, is not assessed; with no MKE or MSR image at all the rule passes. The image
//! list is read through MKE: complete only when an MKE admin read it.

use std::cmp::Ordering;

use super::common::visibility;
use super::Cluster;
use crate::assess::{fact, judge, version_parts_cmp, Check, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::docker::Image;
use crate::facts::system::repo_tag;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001600", vuln: "V-260944" },
    needs: &[Key::DockerImages, Key::DockerInfo, Key::MsrVersion, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

#[derive(Clone, Copy, PartialEq)]
enum Product {
    Mke,
    Msr,
}

impl Product {
    fn name(self) -> &'static str {
        match self {
            Product::Mke => "MKE",
            Product::Msr => "MSR",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Product::Mke => "com.docker.ucp.version",
            Product::Msr => "com.docker.dtr.version",
        }
    }
}

/// Whose image a repository is: Mirantis' (and Docker's legacy) MKE and MSR repositories only.
fn product_of(repo: &str) -> Option<Product> {
    let repo = repo.strip_prefix("docker.io/").unwrap_or(repo);
    let name = match repo.strip_prefix("registry.mirantis.com/") {
        Some(rest) => rest.rsplit('/').next()?,
        None => match repo.split_once('/') {
            Some((org, name)) if matches!(org, "mirantis" | "docker") && !name.contains('/') => name,
            _ => return None,
        },
    };
    if name.starts_with("ucp") {
        Some(Product::Mke)
    } else if name.starts_with("dtr") || name.starts_with("msr") {
        Some(Product::Msr)
    } else {
        None
    }
}

/// The leading dotted number of a tag or version (`v3.7.12`, `3.7.12-rc1` -> 3.7.12), or none.
fn version(v: &str) -> Option<Vec<u64>> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let end = v.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(v.len());
    let parts: Vec<u64> = v[..end].split('.').map_while(|p| p.parse().ok()).collect();
    (!parts.is_empty()).then_some(parts)
}

/// One product's images: each of its tags against the installed version.
fn part(cl: &Cluster, images: &[Image], product: Product, installed: Result<&str, String>) -> Part {
    let label = format!("{} images", product.name());
    let mut checks: Vec<Check> = Vec::new();
    let mut disagree = Vec::new();
    for img in images {
        for reference in img.repo_tags.iter().flatten() {
            let (repo, tag) = repo_tag(reference);
            if product_of(repo) != Some(product) {
                continue;
            }
            let labelled = img.labels.as_ref().and_then(|l| l.get(product.label()));
            let mut facts = vec![fact("RepoTags", reference)];
            if let Some(l) = labelled {
                facts.push(fact(product.label(), l));
                if version(l) != version(tag) {
                    disagree.push(format!("{reference} ({}={l})", product.label()));
                }
            }
            let outcome = match (&installed, version(tag)) {
                (Err(why), _) => Outcome::Unknown(format!("the installed {} version is unknown: {why}", product.name())),
                (Ok(_), None) => Outcome::Unknown(format!("its tag \"{tag}\" is not a version")),
                (Ok(v), Some(t)) => {
                    facts.push(fact(&format!("installed {}", product.name()), v));
                    match version(v) {
                        None => Outcome::Unknown(format!("the installed {} version \"{v}\" is not a version", product.name())),
                        Some(i) if version_parts_cmp(&t, &i) == Ordering::Less => Outcome::Fail,
                        Some(_) => Outcome::Pass,
                    }
                }
            };
            checks.push(Subject { outcome, facts, ..Subject::new(SubjectKind::Image, reference, &img.id) });
        }
    }
    let installed_shown = installed.as_ref().map(|v| v.to_string()).unwrap_or_else(|_| "unknown".into());
    let violation = format!("are older than the installed {} ({installed_shown})", product.name());
    let p = Phrases { population: &format!("{} image tags", product.name()), violation: &violation, none_concerned: "" };
    let mut part = judge(&label, &p, checks, &visibility(cl), Empty::Pass);
    if !disagree.is_empty() {
        part = part.note(format!("label and tag disagree (the tag decides, as in the STIG's command): {}", disagree.join(", ")));
    }
    part
}

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let images = match &cl.facts.docker.images {
        Ok(i) => i,
        Err(e) => return vec![Part::missing("", e)],
    };
    let mke = match &cl.facts.docker.info {
        Err(e) => Err(e.clone()),
        Ok(i) => cl.facts.docker.mke_version().ok_or_else(|| format!("the engine's /info is not MKE's (ServerVersion \"{}\"): connect through MKE", i.server_version)),
    };
    let msr = cl.facts.msr.version.as_deref().map_err(String::clone);
    let mut parts = vec![part(cl, images, Product::Mke, mke), part(cl, images, Product::Msr, msr)];
    // Labelled copies in other repositories: outside the STIG's reference filter.
    let mirrors = images
        .iter()
        .filter(|i| i.labels.as_ref().is_some_and(|l| l.contains_key(Product::Mke.label()) || l.contains_key(Product::Msr.label())))
        .filter(|i| !i.repo_tags.iter().flatten().any(|r| product_of(repo_tag(r).0).is_some()))
        .count();
    if mirrors > 0 {
        let last = parts.pop().expect("two parts");
        parts.push(last.note(format!("{mirrors} image(s) outside Mirantis' repositories carry an MKE/MSR version label (not listed by the STIG's filter; not judged)")));
    }
    parts
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::Image;
    use crate::facts::Facts;

    fn image(f: &mut Facts, reference: &str, label: Option<(&str, &str)>) {
        let id = format!("sha256:{}", reference.len());
        let labels = label.map(|(k, v)| BTreeMap::from([(k.to_string(), v.to_string())]));
        f.docker.images.as_mut().unwrap().push(Image { id, repo_tags: Some(vec![reference.into()]), labels });
    }

    const UCP: &str = "com.docker.ucp.version";
    const DTR: &str = "com.docker.dtr.version";

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // MKE images only: MSR's version is not read.
            case("MKE images at the installed version", Status::Pass, |_| {}).independent_of(&[Key::MsrVersion]),
            case("MKE and MSR images at the installed versions", Status::Pass, |f| image(f, "mirantis/dtr-api:2.9.16", Some((DTR, "2.9.16")))),
            case("an older MKE tag", Status::Fail, |f| image(f, "mirantis/ucp-agent:3.7.10", Some((UCP, "3.7.10")))).failing(&["mirantis/ucp-agent:3.7.10"]),
            case("an older legacy docker/ucp tag", Status::Fail, |f| image(f, "docker/ucp-agent:3.6.0", None)).failing(&["docker/ucp-agent:3.6.0"]),
            case("an older MKE tag from registry.mirantis.com", Status::Fail, |f| image(f, "registry.mirantis.com/mirantis/ucp-proxy:3.7.1", None))
                .failing(&["registry.mirantis.com/mirantis/ucp-proxy:3.7.1"]),
            case("an older MSR tag", Status::Fail, |f| image(f, "mirantis/dtr-nginx:2.9.10", Some((DTR, "2.9.10")))).failing(&["mirantis/dtr-nginx:2.9.10"]),
            case("a newer MKE tag (upgrade staged)", Status::Pass, |f| image(f, "mirantis/ucp-agent:3.7.15", None)).independent_of(&[Key::MsrVersion]),
            // The tag decides; an upstream version in the label is noted, not failed.
            case("label older than the tag", Status::Pass, |f| image(f, "mirantis/ucp-coredns:3.7.12", Some((UCP, "1.11.1")))).independent_of(&[Key::MsrVersion]),
            case("tag older than the label", Status::Fail, |f| image(f, "mirantis/ucp-agent:3.7.1", Some((UCP, MKE)))).failing(&["mirantis/ucp-agent:3.7.1"]),
            case("an old labelled mirror is outside the STIG's filter", Status::Pass, |f| image(f, "registry.example.mil/mirantis/ucp-agent:3.7.1", Some((UCP, "3.7.1"))))
                .independent_of(&[Key::MsrVersion]),
            // No MKE or MSR image: neither installed version is read.
            case("no MKE or MSR image", Status::Pass, |f| {
                f.docker.images = Ok(vec![Image { id: "sha256:b2".into(), repo_tags: Some(vec!["registry.example.mil/app:1.0".into()]), labels: None }]);
            })
            .independent_of(&[Key::DockerInfo, Key::MsrVersion]),
            case("installed MKE version unknown", Status::NotReviewed, |f| f.docker.info = Err("GET /info: HTTP 500".into())).missing(),
            case("not through MKE: /info has no MKE version", Status::NotReviewed, |f| f.docker.info = Ok(node_info("mke-1"))).missing(),
            case("MSR images, MSR version unknown", Status::NotReviewed, |f| {
                image(f, "registry.mirantis.com/msr/msr-api:3.1.0", None);
                f.msr.version = Err("GET /api/v0/admin/version: HTTP 401".into());
            })
            .missing(),
            case("MSR version unknown, an older MKE tag", Status::Fail, |f| {
                image(f, "registry.mirantis.com/msr/msr-api:3.1.0", None);
                f.msr.version = Err("GET /api/v0/admin/version: HTTP 401".into());
                image(f, "mirantis/ucp-agent:3.7.10", None);
            })
            .failing(&["mirantis/ucp-agent:3.7.10"]),
            case("a tag that is not a version", Status::NotReviewed, |f| image(f, "mirantis/ucp-agent:latest", None)).missing(),
            case("not an MKE admin", Status::NotReviewed, |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            nothing(),
        ]
    }
}
