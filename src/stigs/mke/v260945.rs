//! V-260945 (CNTR-MK-001630): MKE is at the latest version: the upgrade drop-down (`GET
//! /api/ucpversions`) offers nothing newer than the installed version (`ucp/<version>` in the
//! engine's `/info` through MKE). No orchestrator split, no N/A.
//!
//! - Any offered version newer than the installed one fails, as the STIG says, even when it is
//!   newer than the site's latest approved version (P-LATEST, policy key `latest_mke_version`):
//!   the STIG has no SSP clause here, so a release the site has not yet approved is an open
//!   finding to track (POA&M), not a pass; the reason says which versions are beyond P-LATEST.
//! - Installed older than P-LATEST fails.
//! - An answer that is not a list of version strings, or a version that does not parse, is not
//!   assessed. An EMPTY list (an air-gapped MKE sees no release) is not assessed unless P-LATEST
//!   is given; with it, installed at or beyond P-LATEST passes. (The old code passed an empty
//!   list.)

use super::Cluster;
use crate::assess::{fact, version_cmp, version_key, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001630", vuln: "V-260945" },
    needs: &[Key::DockerInfo, Key::MkeVersions],
    params: &["latest_mke_version"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let Some(installed) = cl.facts.docker.mke_version() else {
        let why = match &cl.facts.docker.info {
            Err(e) => e.clone(),
            Ok(i) => format!("the engine's /info says {:?}, not ucp/<version> (collect through MKE)", i.server_version),
        };
        return vec![Part::missing("", format!("the installed MKE version is unknown: {why}"))];
    };
    let have = version_key(installed);
    if have.is_empty() {
        return vec![Part::missing("", format!("the installed MKE version {installed:?} is not a version"))];
    }
    let latest = match policy.latest_mke_version.as_deref() {
        Some(l) if version_key(l).is_empty() => return vec![Part::missing("", format!("the site's latest approved MKE version (P-LATEST) {l:?} is not a version"))],
        l => l,
    };
    let offered: Result<&Vec<String>, String> = match &cl.facts.mke.versions {
        Err(e) => Err(e.clone()),
        Ok(list) => match list.iter().find(|v| version_key(v).is_empty()) {
            Some(odd) => Err(format!("{}: {odd:?} is not a version", Key::MkeVersions.endpoint())),
            None => Ok(list),
        },
    };
    let mut facts = vec![fact("installed", installed), fact("/api/ucpversions", offered.as_ref().map_or_else(|e| format!("unknown: {e}"), |l| format!("[{}]", l.join(", "))))];
    if let Some(l) = latest {
        facts.push(fact("latest_mke_version (site policy)", l));
    }
    let newer: Vec<&str> = offered.as_ref().map(|l| l.iter().filter(|v| version_cmp(v, installed).is_gt()).map(String::as_str).collect()).unwrap_or_default();
    let behind = latest.filter(|l| version_cmp(l, installed).is_gt());
    let subject = |ok: bool, facts| {
        let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
        Subject { kind: SubjectKind::Setting, name: "MKE version".into(), id: installed.into(), outcome, facts }
    };
    if !newer.is_empty() || behind.is_some() {
        let mut why = Vec::new();
        if !newer.is_empty() {
            let beyond: Vec<&str> = latest.map(|l| newer.iter().copied().filter(|v| version_cmp(v, l).is_gt()).collect()).unwrap_or_default();
            let note = if beyond.is_empty() { String::new() } else { format!(" ({} beyond the site's latest approved version)", beyond.join(", ")) };
            why.push(format!("MKE offers newer versions: {}{note}", newer.join(", ")));
        }
        if let Some(l) = behind {
            why.push(format!("the site's latest approved version is {l} (P-LATEST)"));
        }
        let part = Part::decided("", Status::Fail, format!("MKE {installed} is installed; {}", why.join("; ")), vec![subject(false, facts)]);
        return vec![match &offered {
            Err(e) => part.note(format!("also not assessed: {e}")),
            Ok(_) => part,
        }];
    }
    match (offered, latest) {
        (Err(e), _) => vec![Part::missing("", e)],
        (Ok(l), None) if l.is_empty() => vec![Part::missing(
            "",
            "MKE offers no version at all (an air-gapped MKE cannot see newer releases): give the site's latest approved version (P-LATEST, policy key `latest_mke_version`)",
        )],
        (Ok(l), Some(latest)) if l.is_empty() => {
            vec![Part::decided("", Status::Pass, format!("MKE {installed} is installed, at or beyond the site's latest approved version {latest} (P-LATEST); MKE offers no version"), vec![subject(true, facts)])]
        }
        (Ok(_), _) => vec![Part::decided("", Status::Pass, format!("MKE {installed} is the newest version offered"), vec![subject(true, facts)])],
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;

    fn offered(f: &mut Facts, v: &[&str]) {
        f.mke.versions = Ok(v.iter().map(|s| s.to_string()).collect());
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case("the installed version is the newest offered", Status::Pass, |_| {}),
            case("older versions offered", Status::Pass, |f| offered(f, &["3.7.10", "3.7.12"])),
            case("a newer version offered", Status::Fail, |f| offered(f, &["3.7.12", "3.7.15"])).failing(&["MKE version"]),
            case("a newer minor version offered", Status::Fail, |f| offered(f, &["3.8.0"])).failing(&["MKE version"]),
            case("an empty list", Status::NotReviewed, |f| offered(f, &[])).missing(),
            case_with("an empty list, installed is the site's latest", Status::Pass, policy("latest_mke_version: 3.7.12\n"), |f| offered(f, &[])),
            case_with("an empty list, installed older than the site's latest", Status::Fail, policy("latest_mke_version: 3.7.15\n"), |f| offered(f, &[])).failing(&["MKE version"]),
            // The STIG makes any newer offered version a finding, approved or not yet.
            case_with("newer offered beyond the site's latest", Status::Fail, policy("latest_mke_version: 3.7.12\n"), |f| offered(f, &["3.7.12", "3.7.15"])).failing(&["MKE version"]),
            case("a version that does not parse", Status::NotReviewed, |f| offered(f, &["3.7.12", "latest"])).missing(),
            case("versions unread", Status::NotReviewed, |f| f.mke.versions = Err(Key::MkeVersions.not_collected())).missing(),
            case_with("versions unread, installed older than the site's latest", Status::Fail, policy("latest_mke_version: 3.7.15\n"), |f| {
                f.mke.versions = Err(Key::MkeVersions.not_collected())
            })
            .failing(&["MKE version"]),
            case("engine not read through MKE", Status::NotReviewed, |f| f.docker.info.as_mut().unwrap().server_version = "23.0.15".into()).missing(),
            nothing(),
        ]
    }
}
