//! V-260942 (CNTR-MK-001380): MKE runs only signed images. Two halves, the worse wins:
//!
//! - MKE configuration: "Run only signed images" on (config-toml
//!   `trust_configuration.require_content_trust`, MKE default false) fails when off; the orgs and
//!   teams whose signatures are required (`.require_signature_from`) must be the SSP's
//!   (P-SIGNERS, policy key `image_signers`, compared as sets): a difference fails, and without
//!   P-SIGNERS the half needs the site parameter. A value of the wrong type is not assessed.
//! - Images: that every image on the cluster is signed needs a Notary client (`docker trust
//!   inspect`, the STIG's step 3), which the tool does not run: manual, with the image list as
//!   evidence; an image list that is unread, or read by a non-admin, is not assessed.
//!
//! So the rule never passes; it fails on the configuration.

use super::common::{config, config_verdict, needs_param, visibility};
use super::Cluster;
use crate::assess::{fact, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-001380", vuln: "V-260942" },
    needs: &[Key::MkeConfig, Key::DockerImages, Key::MkeIdentity],
    params: &["image_signers"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const TRUST: &str = "trust_configuration.require_content_trust";
const SIGNERS: &str = "trust_configuration.require_signature_from";

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    vec![settings(cl, policy), images(cl)]
}

fn settings(cl: &Cluster, policy: &Policy) -> Part {
    let label = "MKE configuration";
    let cfg = match config(cl, label) {
        Ok(c) => c,
        Err(missing) => return missing,
    };
    let (trust, signers) = match (cfg.boolean(TRUST, false), cfg.strings(SIGNERS)) {
        (Ok(t), Ok(s)) => (t, s),
        // Content trust off is a failure whatever the signers are.
        (Ok(t), Err(e)) if !t.value => {
            let off = config_verdict(false, "", format!("\"Run only signed images\" is off ({TRUST} = {})", t.shown()), vec![fact(TRUST, t.shown())]);
            return labelled(label, off.note(format!("also not assessed: {e}")));
        }
        (Err(e), _) | (_, Err(e)) => return Part::missing(label, e),
    };
    let facts = vec![fact(TRUST, trust.shown()), fact(SIGNERS, signers.shown_list())];
    if !trust.value {
        return labelled(label, config_verdict(false, "", format!("\"Run only signed images\" is off ({TRUST} = {})", trust.shown()), facts));
    }
    let Some(want) = &policy.image_signers else {
        let mut p = needs_param("P-SIGNERS", "image_signers", format!("signed images are required, signed by {}", signers.shown_list()));
        p.subjects = vec![super::common::setting(true, facts)];
        p.passed_total = 1;
        return labelled(label, p);
    };
    let (mut have, mut want) = (signers.value.clone(), want.clone());
    have.sort();
    have.dedup();
    want.sort();
    want.dedup();
    let part = config_verdict(
        have == want,
        format!("signed images are required, signed by the SSP's orgs and teams [{}]", want.join(", ")),
        format!("signatures are required from [{}], the SSP names [{}] (P-SIGNERS)", have.join(", "), want.join(", ")),
        facts,
    );
    labelled(label, part)
}

fn labelled(label: &str, mut p: Part) -> Part {
    p.label = label.into();
    p
}

fn images(cl: &Cluster) -> Part {
    let label = "Images";
    let list = match &cl.facts.docker.images {
        Ok(l) => l,
        Err(e) => return Part::missing(label, e),
    };
    let hidden = visibility(cl);
    if !hidden.is_empty() {
        return Part::missing(label, format!("the image list may be partial: {}", hidden.join("; ")));
    }
    Part::manual(
        label,
        format!("whether each of the {} images is signed needs a Notary client (`docker trust inspect`, the STIG's step 3): review manually; the image list is in the evidence ({})", list.len(), Key::DockerImages.file().unwrap_or("")),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;

    const SIGNERS: &str = "image_signers: [platform/security]\n";


    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The best this rule reaches: the configuration as required, the images manual.
            case_with("signed images required by the SSP's signers", Status::NotReviewed, policy(SIGNERS), |_| {}),
            case("no P-SIGNERS", Status::NotReviewed, |_| {}),
            case_with("content trust off", Status::Fail, policy(SIGNERS), |f| set(cfg(f), super::TRUST, toml::Value::Boolean(false))).failing(&["config-toml"]),
            case_with("content trust absent (MKE default off)", Status::Fail, policy(SIGNERS), |f| unset(cfg(f), super::TRUST)).failing(&["config-toml"]),
            case_with("other signers than the SSP's", Status::Fail, policy("image_signers: [platform/security, devs]\n"), |_| {}).failing(&["config-toml"]),
            case_with("signers of the wrong type", Status::NotReviewed, policy(SIGNERS), |f| set(cfg(f), super::SIGNERS, toml::Value::String("platform/security".into()))).missing(),
            case_with("image list unread", Status::NotReviewed, policy(SIGNERS), |f| f.docker.images = Err(Key::DockerImages.not_collected())).missing(),
            case_with("not an MKE admin", Status::NotReviewed, policy(SIGNERS), |f| f.mke.identity.as_mut().unwrap().is_admin = false).missing(),
            case_with("config-toml missing", Status::NotReviewed, policy(SIGNERS), |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
