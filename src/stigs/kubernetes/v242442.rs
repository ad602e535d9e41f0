//! V-242442: old components must be removed after an update: "if there are multiple versions
//! of the same image, this is a finding", over the images of every pod.

use std::collections::BTreeMap;

use super::KubeCluster;
use crate::assess::{fact, judge, Empty, Outcome, Part, Phrases, Rule, RuleId, Subject, SubjectKind};
use crate::evidence::keys::Key;

/// `registry:5000/team/web:1.4` -> (`registry:5000/team/web`, `1.4`); digests count as versions.
fn split(image: &str) -> (&str, &str) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map_or(repo, |(r, _)| r), digest);
    }
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

fn decide(k: &KubeCluster) -> Part {
    if let Err(e) = &k.facts.kube.pods {
        return Part::missing("", e);
    }
    let mut repos: BTreeMap<&str, Vec<(&str, usize, &str)>> = BTreeMap::new();
    for (image, (n, first)) in &k.facts.kube.images {
        let (repo, version) = split(image);
        repos.entry(repo).or_default().push((version, *n, first));
    }
    let checks = repos
        .into_iter()
        .map(|(repo, versions)| {
            let outcome = if versions.len() > 1 { Outcome::Fail } else { Outcome::Pass };
            let facts = versions.iter().map(|(v, n, first)| fact("version", format!("{v}: {n} pod(s), e.g. {first}"))).collect();
            Subject { outcome, facts, ..Subject::new(SubjectKind::Image, repo, repo) }
        })
        .collect();
    let p = Phrases { population: "images the pods run", violation: "run in more than one version", none_concerned: "" };
    judge("", &p, checks, &[], Empty::Pass)
}

pub const RULE: Rule<KubeCluster> = Rule {
    id: RuleId { stig: "CNTR-K8-002700", vuln: "V-242442" },
    needs: &[Key::KubePods],
    params: &[],
    decide: |k, _| vec![decide(k)],
    #[cfg(test)]
    cases: || {
        use super::testing::case;
        use crate::assess::Status;
        vec![
            case("one version of each image", Status::Pass, |_| {}),
            case("web 1.4 beside 1.5", Status::Fail, |f| {
                f.kube.images.insert("registry.example.mil/team-a/web:1.4".into(), (2, "team-a/web-old-0".into()));
            })
            .failing(&["registry.example.mil/team-a/web"]),
            case("pod list unread", Status::NotReviewed, |f| f.kube.pods = Err("HTTP 403".into())).missing(),
        ]
    },
};

#[cfg(test)]
mod tests {
    #[test]
    fn repositories_and_versions() {
        assert_eq!(super::split("registry:5000/team/web:1.4"), ("registry:5000/team/web", "1.4"));
        assert_eq!(super::split("registry:5000/team/web"), ("registry:5000/team/web", "latest"));
        assert_eq!(super::split("web@sha256:ab"), ("web", "sha256:ab"));
    }
}
