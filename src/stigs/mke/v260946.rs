//! V-260946 (CNTR-MK-000170): the Standard Mandatory DoD Notice and Consent Banner is configured
//! before access to MKE: config-toml `cluster_config.pre_logon_message` equals DISA's banner or
//! the site's approved text (P-BANNER, policy key `banner`). "Displayed before granting access"
//! is visual; the configuration decides it.
//!
//! - DISA's text is the rule's own fix example (`pre_logon_message = "..."`), read once from the
//!   STIG content the tool ships; if it cannot be found there, only P-BANNER can pass the rule
//!   and any other text is not assessed.
//! - Texts are compared with whitespace collapsed and no space before `: ; , . ! ? )` or after
//!   `(`, typographic dashes and apostrophes made plain: DISA's example says "conditions :" and
//!   "use only. By using" while the canonical DoD text says "conditions:" with paragraph
//!   breaks; both pass (the old code compared whitespace only, so the canonical text failed).
//! - The short banner ("I've read & consent to terms in IS user agreem't.") is not accepted
//!   unless P-BANNER names it: DoD allows it only where a system cannot display more
//!   characters, and neither this STIG nor its SRG mentions it (the check map's acceptance of it
//!   is unsupported by the STIG text).
//! - Empty or absent (MKE's default `""`) fails; a value of the wrong type is not assessed.

use std::sync::OnceLock;

use super::common::{config, config_verdict};
use super::Cluster;
use crate::assess::{fact, prefix, Part, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000170", vuln: "V-260946" },
    needs: &[Key::MkeConfig],
    params: &["banner"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

const KEY: &str = "cluster_config.pre_logon_message";

/// DISA's banner, from this rule's fix text in the shipped STIG content (read once).
fn dod_banner() -> Option<&'static str> {
    static BANNER: OnceLock<Option<String>> = OnceLock::new();
    BANNER
        .get_or_init(|| {
            let index = crate::stig::RuleIndex::load("mke").ok()?;
            banner_in(&index.get(RULE.id.stig)?.fix)
        })
        .as_deref()
}

/// The `pre_logon_message = "..."` example of a fix text, its `\n` escapes made newlines.
fn banner_in(fix: &str) -> Option<String> {
    const START: &str = "pre_logon_message = \"";
    let start = fix.find(START)? + START.len();
    let end = start + fix[start..].find("\"\n").or_else(|| fix[start..].rfind('"'))?;
    Some(fix[start..end].replace("\\n", "\n")).filter(|b| !b.trim().is_empty())
}

/// Whitespace collapsed, no space before closing punctuation or after an opening parenthesis,
/// typographic dashes and apostrophes made ASCII.
fn normalize(s: &str) -> String {
    let plain = s.replace(['\u{2014}', '\u{2013}'], "--").replace(['\u{2019}', '\u{2018}'], "'");
    let mut out = String::new();
    for word in plain.split_whitespace() {
        let glued = word.starts_with([':', ';', ',', '.', '!', '?', ')']) || out.ends_with('(');
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Where two normalized texts first differ, for the finding.
fn first_difference(got: &str, want: &str) -> String {
    let at = got.chars().zip(want.chars()).take_while(|(a, b)| a == b).count();
    let rest: String = got.chars().skip(at).take(40).collect();
    if rest.is_empty() { format!("ends after {at} characters, before the required text does") } else { format!("from character {at}: \"{rest}\"") }
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let cfg = match config(cl, "") {
        Ok(c) => c,
        Err(missing) => return vec![missing],
    };
    let msg = match cfg.string(KEY, "") {
        Ok(m) => m,
        Err(e) => return vec![Part::missing("", e)],
    };
    if msg.value.trim().is_empty() {
        let shown = if msg.default { "absent (MKE default: empty)" } else { "empty" };
        return vec![config_verdict(false, "", format!("no logon banner is configured (pre_logon_message is {shown})"), vec![fact(KEY, shown)])];
    }
    let got = normalize(&msg.value);
    let mut facts = vec![fact(KEY, format!("\"{}...\" ({} characters)", prefix(&got, 60), msg.value.chars().count()))];
    let dod = dod_banner().map(normalize);
    let site = policy.banner.as_deref().map(normalize);
    if dod.as_deref() == Some(got.as_str()) {
        return vec![config_verdict(true, "the Standard Mandatory DoD Notice and Consent Banner is configured", "", facts)];
    }
    if site.as_deref() == Some(got.as_str()) {
        return vec![config_verdict(true, "the site's approved banner (P-BANNER) is configured", "", facts)];
    }
    let Some(want) = dod else {
        return vec![Part::missing("", format!("DISA's banner text could not be read from this rule's fix text in the STIG content, and {KEY} is not the site's approved banner (P-BANNER, policy key `banner`)"))];
    };
    facts.push(fact("differs from DISA's banner", first_difference(&got, &want)));
    let also = if site.is_some() { " and from the site's approved banner (P-BANNER)" } else { "" };
    vec![config_verdict(false, "", format!("{KEY} differs from the Standard Mandatory DoD Notice and Consent Banner{also}"), facts)]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;

    /// The canonical DoD text (as the ASD STIG gives it): "conditions:", paragraph breaks.
    pub const CANONICAL: &str = "You are accessing a U.S. Government (USG) Information System (IS) that is provided for USG-authorized use only.\n\n\
By using this IS (which includes any device attached to this IS), you consent to the following conditions:\n\n\
-The USG routinely intercepts and monitors communications on this IS for purposes including, but not limited to, penetration testing, COMSEC monitoring, network operations and defense, personnel misconduct (PM), law enforcement (LE), and counterintelligence (CI) investigations.\n\n\
-At any time, the USG may inspect and seize data stored on this IS.\n\n\
-Communications using, or data stored on, this IS are not private, are subject to routine monitoring, interception, and search, and may be disclosed or used for any USG-authorized purpose.\n\n\
-This IS includes security measures (e.g., authentication and access controls) to protect USG interests--not for your personal benefit or privacy.\n\n\
-Notwithstanding the above, using this IS does not constitute consent to PM, LE or CI investigative searching or monitoring of the content of privileged communications, or work product, related to personal representation or services by attorneys, psychotherapists, or clergy, and their assistants. Such communications and work product are private and confidential. See User Agreement for details.";

    const SHORT: &str = "I've read & consent to terms in IS user agreem't.";

    fn banner(f: &mut Facts, text: &str) {
        set(f.mke.config.as_mut().unwrap(), "cluster_config.pre_logon_message", toml::Value::String(text.into()));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The compliant fixture holds DISA's fix example verbatim ("conditions :").
            case("DISA's example text", Status::Pass, |_| {}),
            case("the canonical DoD text", Status::Pass, |f| banner(f, CANONICAL)),
            case("the canonical text with typographic dash and reflowed lines", Status::Pass, |f| banner(f, &CANONICAL.replace("--", "\u{2014}").replace(". ", ".\n  "))),
            case("a different text", Status::Fail, |f| banner(f, &CANONICAL.replace("inspect and seize", "inspect"))).failing(&["config-toml"]),
            case("empty", Status::Fail, |f| banner(f, "")).failing(&["config-toml"]),
            case("absent (MKE default: empty)", Status::Fail, |f| unset(f.mke.config.as_mut().unwrap(), "cluster_config.pre_logon_message")).failing(&["config-toml"]),
            case("the short banner", Status::Fail, |f| banner(f, SHORT)).failing(&["config-toml"]),
            case_with("the short banner approved by the site (P-BANNER)", Status::Pass, policy(&format!("banner: \"{SHORT}\"\n")), |f| banner(f, SHORT)),
            case_with("another text than the site's", Status::Fail, policy("banner: Site banner.\n"), |f| banner(f, "Other banner.")).failing(&["config-toml"]),
            case("a value of the wrong type", Status::NotReviewed, |f| set(f.mke.config.as_mut().unwrap(), "cluster_config.pre_logon_message", toml::Value::Boolean(true))).missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }

    #[test]
    fn the_dod_banner_comes_from_disas_fix_text() {
        let b = super::dod_banner().expect("the fix text holds the banner");
        assert!(b.starts_with("You are accessing a U.S. Government (USG) Information System (IS)"), "{b}");
        assert!(b.ends_with("See User Agreement for details."), "{b}");
        assert!(b.contains("\n\n-At any time, the USG may inspect and seize data stored on this IS."));
        assert_eq!(super::normalize(b), super::normalize(CANONICAL), "DISA's example and the canonical text are the same banner");
    }
}
