//! V-260909 (CNTR-MK-000030): MKE integrates with an enterprise identity provider, LDAP or
//! SAML, configured as the STIG lists and matching the SSP (P-IDP, policy key
//! `identity_provider`: the LDAP server URL or SAML IdP metadata URL MKE must use).
//!
//! - Neither LDAP (config-toml `auth.backend = "ldap"`) nor SAML (`auth.samlEnabled`) enabled
//!   fails; OIDC (`auth.external_identity_provider`) alone is not an IdP the STIG accepts.
//! - LDAP (settings from `GET /enzi/v0/config/auth/ldap`, not in config-toml): a server URL and a
//!   reader DN (check text), and TLS to the directory, following the fix ("URL must be https"):
//!   for LDAP that garbled phrase can only mean a TLS-protected connection, so `ldaps://`, or
//!   `ldap://` with `startTLS: true`, passes, and `tlsSkipVerify` must be false (an unverified
//!   server is not the SSP's). The Reader Password is write-only: when the answer does not show
//!   it, the rule cannot pass and says to confirm it in the UI.
//! - SAML: `auth.saml.idpMetadataURL` set, `auth.saml.tlsSkipVerify` false, `auth.saml.rootCerts`
//!   set, and `auth.saml.spHost` (the STIG's "MKE Host") set. Absent keys take MKE's defaults
//!   ("" and false), a value of the wrong type is not assessed. The old code did not check
//!   spHost.
//! - Both enabled: both are judged (the check text's conditions apply to each in use; the old
//!   code judged LDAP only), and each one's URL must be the SSP's.
//! - Without P-IDP the configured URLs are reported and the rule is not reviewed.

use serde_json::Value;

use super::common::{config, needs_param};
use super::Cluster;
use crate::assess::{fact, Outcome, Part, Rule, RuleId, Status, Subject, SubjectKind};
use crate::evidence::keys::Key;
use crate::facts::mke::Config;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000030", vuln: "V-260909" },
    needs: &[Key::MkeConfig, Key::MkeLdap],
    params: &["identity_provider"],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

/// One identity provider as configured: the subject's facts, what is wrong, what could not be
/// read, and its URL (for the SSP).
#[derive(Default)]
struct Idp {
    facts: Vec<(String, String)>,
    wrong: Vec<String>,
    unknown: Vec<String>,
    url: String,
    /// A step the tool cannot verify.
    manual: Option<String>,
}

fn ldap(cl: &Cluster) -> Idp {
    let mut idp = Idp::default();
    let l = match &cl.facts.mke.ldap {
        Ok(l) => l,
        Err(e) => {
            idp.unknown.push(format!("LDAP is the backend, but its settings are unknown: {e}"));
            return idp;
        }
    };
    let endpoint = Key::MkeLdap.endpoint();
    let text = |k: &str, idp: &mut Idp| -> Option<String> {
        match l.get(k) {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                idp.unknown.push(format!("{endpoint}: {k} = {other} is not a string"));
                None
            }
        }
    };
    let flag = |k: &str, idp: &mut Idp| -> Option<bool> {
        match l.get(k) {
            Some(Value::Bool(b)) => Some(*b),
            None => {
                idp.unknown.push(format!("{endpoint} does not say {k}"));
                None
            }
            Some(other) => {
                idp.unknown.push(format!("{endpoint}: {k} = {other} is not true or false"));
                None
            }
        }
    };
    // A serverURL of the wrong type is unknown (recorded above), not "no URL".
    let Some(url) = text("serverURL", &mut idp) else { return idp };
    let reader = text("readerDN", &mut idp);
    let password = text("readerPassword", &mut idp);
    let start_tls = match l.get("startTLS") {
        None => Some(false),
        Some(_) => flag("startTLS", &mut idp),
    };
    let skip = flag("tlsSkipVerify", &mut idp);
    idp.facts.push(fact("ldap.serverURL", if url.is_empty() { "(empty)" } else { &url }));
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    if url.is_empty() {
        idp.wrong.push("no LDAP server URL".into());
    } else if scheme == "ldap" {
        match start_tls {
            Some(true) => idp.facts.push(fact("ldap.startTLS", true)),
            Some(false) => {
                idp.facts.push(fact("ldap.startTLS", false));
                idp.wrong.push(format!("the LDAP server URL {url} is neither ldaps:// nor protected by StartTLS (the fix: \"URL must be https\")"));
            }
            None => {}
        }
    } else if scheme != "ldaps" {
        idp.wrong.push(format!("the LDAP server URL {url} is not an LDAP URL"));
    }
    if let Some(skip) = skip {
        idp.facts.push(fact("ldap.tlsSkipVerify", skip));
        if skip {
            idp.wrong.push("TLS verification of the LDAP server is skipped (tlsSkipVerify)".into());
        }
    }
    if let Some(r) = reader {
        idp.facts.push(fact("ldap.readerDN", if r.is_empty() { "(empty)" } else { &r }));
        if r.is_empty() {
            idp.wrong.push("no LDAP reader DN".into());
        }
    }
    match password.as_deref() {
        Some("") => idp.manual = Some("MKE's API does not return the LDAP Reader Password: confirm in the UI that it is set".into()),
        Some(_) => idp.facts.push(fact("ldap.readerPassword", "set")),
        None => {}
    }
    idp.url = url;
    idp
}

fn saml(cfg: &Config) -> Idp {
    let mut idp = Idp::default();
    let text = |key: &str, what: &str, idp: &mut Idp| -> String {
        match cfg.string(key, "") {
            Err(e) => {
                idp.unknown.push(e);
                String::new()
            }
            Ok(s) => {
                idp.facts.push(fact(key, if s.value.is_empty() { format!("(empty){}", if s.default { " (absent: MKE default)" } else { "" }) } else { s.value.clone() }));
                if s.value.trim().is_empty() {
                    idp.wrong.push(format!("no SAML {what} ({key})"));
                }
                s.value
            }
        }
    };
    idp.url = text("auth.saml.idpMetadataURL", "IdP metadata URL", &mut idp);
    let certs = text("auth.saml.rootCerts", "root certificate bundle", &mut idp);
    if let Some(f) = idp.facts.last_mut().filter(|_| !certs.is_empty()) {
        f.1 = format!("set ({} characters)", certs.len());
    }
    text("auth.saml.spHost", "service provider host (the STIG's \"MKE Host\")", &mut idp);
    match cfg.boolean("auth.saml.tlsSkipVerify", false) {
        Err(e) => idp.unknown.push(e),
        Ok(s) => {
            idp.facts.push(fact("auth.saml.tlsSkipVerify", s.shown()));
            if s.value {
                idp.wrong.push("TLS verification of the SAML IdP is skipped (auth.saml.tlsSkipVerify)".into());
            }
        }
    }
    idp
}

fn decide(cl: &Cluster, policy: &Policy) -> Vec<Part> {
    let cfg = match config(cl, "") {
        Ok(c) => c,
        Err(missing) => return vec![missing],
    };
    let (backend, saml_on) = match (cfg.string("auth.backend", "managed"), cfg.boolean("auth.samlEnabled", false)) {
        (Ok(b), Ok(s)) => (b, s),
        (Err(e), _) | (_, Err(e)) => return vec![Part::missing("", e)],
    };
    let mut base = vec![fact("auth.backend", backend.shown()), fact("auth.samlEnabled", saml_on.shown())];
    let ldap_on = backend.value.eq_ignore_ascii_case("ldap");
    if !ldap_on && !saml_on.value {
        let oidc = cfg.get("auth.external_identity_provider").is_some();
        if oidc {
            base.push(fact("auth.external_identity_provider", "set (OIDC: not an identity provider the STIG accepts)"));
        }
        let also = if oidc { "; OIDC alone is not LDAP or SAML" } else { "" };
        let reason = format!("neither LDAP nor SAML is enabled (auth.backend {}, auth.samlEnabled {}){also}", backend.value, saml_on.value);
        return vec![Part::decided("", Status::Fail, reason, vec![subject("config-toml", Key::MkeConfig, false, base)])];
    }
    // (name, evidence, idp) of each provider in use.
    let mut idps: Vec<(&str, Key, Idp)> = Vec::new();
    if ldap_on {
        idps.push(("LDAP settings", Key::MkeLdap, ldap(cl)));
    }
    if saml_on.value {
        idps.push(("config-toml", Key::MkeConfig, saml(cfg)));
    }
    let want = policy.identity_provider.as_deref().map(|w| w.trim_end_matches('/'));
    for (_, _, idp) in idps.iter_mut() {
        if let Some(w) = want.filter(|w| !idp.url.is_empty() && idp.url.trim_end_matches('/') != *w) {
            idp.wrong.push(format!("MKE uses {}, the SSP names {w} (P-IDP)", idp.url));
        }
    }
    let wrong: Vec<String> = idps.iter().flat_map(|(_, _, i)| i.wrong.clone()).collect();
    let unknown: Vec<String> = idps.iter().flat_map(|(_, _, i)| i.unknown.clone()).collect();
    let manual: Vec<String> = idps.iter().filter_map(|(_, _, i)| i.manual.clone()).collect();
    let urls: Vec<String> = idps.iter().map(|(_, _, i)| i.url.clone()).filter(|u| !u.is_empty()).collect();
    let mut subjects = Vec::new();
    for (name, key, idp) in idps {
        let mut facts = if key == Key::MkeConfig { base.clone() } else { vec![] };
        facts.extend(idp.facts);
        subjects.push(subject(name, key, idp.wrong.is_empty(), facts));
    }
    // LDAP alone: the backend is still a deciding fact.
    if !saml_on.value {
        subjects.insert(0, subject("config-toml", Key::MkeConfig, true, base));
    }
    if !wrong.is_empty() {
        let part = Part::decided("", Status::Fail, format!("identity provider not as required: {}", wrong.join("; ")), subjects);
        return vec![if unknown.is_empty() { part } else { part.note(format!("also not assessed: {}", unknown.join("; "))) }];
    }
    if !unknown.is_empty() {
        return vec![Part::missing("", unknown.join("; "))];
    }
    let part = match want {
        None => {
            let mut p = needs_param("P-IDP", "identity_provider", format!("MKE uses {}", urls.join(" and ")));
            p.passed_total = subjects.iter().filter(|s| s.ok()).count();
            p.subjects = subjects;
            p
        }
        Some(_) => Part::decided("", Status::Pass, format!("MKE uses the SSP's identity provider {}", urls.join(" and ")), subjects),
    };
    vec![if manual.is_empty() { part } else { part.unless_manual(manual.join("; ")) }]
}

fn subject(name: &str, key: Key, ok: bool, facts: Vec<(String, String)>) -> Subject {
    Subject { kind: SubjectKind::Setting, name: name.into(), id: key.endpoint().into(), outcome: if ok { Outcome::Pass } else { Outcome::Fail }, facts }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::Facts;

    const IDP: &str = "identity_provider: ldaps://ldap.example.mil:636\n";


    fn ldap(f: &mut Facts, k: &str, v: serde_json::Value) {
        f.mke.ldap.as_mut().unwrap()[k] = v;
    }

    /// The reader password shown by the answer (real MKE does not return it).
    fn with_password(f: &mut Facts) {
        ldap(f, "readerPassword", json!("s3cret"));
    }

    /// SAML on, LDAP off, with every SAML field set.
    fn saml(f: &mut Facts) {
        let c = cfg(f);
        set(c, "auth.backend", toml::Value::String("managed".into()));
        set(c, "auth.samlEnabled", toml::Value::Boolean(true));
        set(c, "auth.saml.idpMetadataURL", toml::Value::String("https://idp.example.mil/metadata".into()));
        set(c, "auth.saml.rootCerts", toml::Value::String("-----BEGIN CERTIFICATE-----...".into()));
        set(c, "auth.saml.spHost", toml::Value::String("10.0.0.5".into()));
        set(c, "auth.saml.tlsSkipVerify", toml::Value::Boolean(false));
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            case_with("LDAP as the SSP says", Status::Pass, policy(IDP), with_password),
            // Real MKE does not return the reader password: the rule owes that step.
            case_with("LDAP as the SSP says, reader password not shown", Status::NotReviewed, policy(IDP), |_| {}),
            case("LDAP, no P-IDP", Status::NotReviewed, with_password),
            case_with("LDAP server not the SSP's", Status::Fail, policy("identity_provider: ldaps://other.example.mil\n"), with_password).failing(&["LDAP settings"]),
            case_with("ldap:// with StartTLS", Status::Pass, policy("identity_provider: ldap://ldap.example.mil:389\n"), |f| {
                with_password(f);
                ldap(f, "serverURL", json!("ldap://ldap.example.mil:389"));
                ldap(f, "startTLS", json!(true));
            }),
            case_with("ldap:// without StartTLS", Status::Fail, policy("identity_provider: ldap://ldap.example.mil:389\n"), |f| {
                with_password(f);
                ldap(f, "serverURL", json!("ldap://ldap.example.mil:389"));
            })
            .failing(&["LDAP settings"]),
            case_with("LDAP TLS verification skipped", Status::Fail, policy(IDP), |f| ldap(f, "tlsSkipVerify", json!(true))).failing(&["LDAP settings"]),
            case_with("no reader DN", Status::Fail, policy(IDP), |f| ldap(f, "readerDN", json!(""))).failing(&["LDAP settings"]),
            case_with("tlsSkipVerify not in the answer", Status::NotReviewed, policy(IDP), |f| {
                f.mke.ldap.as_mut().unwrap().as_object_mut().unwrap().remove("tlsSkipVerify");
            })
            .missing(),
            case_with("LDAP settings unread", Status::NotReviewed, policy(IDP), |f| f.mke.ldap = Err(Key::MkeLdap.not_collected())).missing(),
            case("neither LDAP nor SAML", Status::Fail, |f| set(cfg(f), "auth.backend", toml::Value::String("managed".into()))).failing(&["config-toml"]),
            case("OIDC only", Status::Fail, |f| {
                set(cfg(f), "auth.backend", toml::Value::String("managed".into()));
                set(cfg(f), "auth.external_identity_provider.issuer", toml::Value::String("https://oidc.example.mil".into()));
            })
            .failing(&["config-toml"]),
            // SAML alone: the LDAP settings are not read.
            case_with("SAML as the SSP says", Status::Pass, policy("identity_provider: https://idp.example.mil/metadata\n"), saml).independent_of(&[Key::MkeLdap]),
            case("SAML without spHost", Status::Fail, |f| {
                saml(f);
                set(cfg(f), "auth.saml.spHost", toml::Value::String("".into()));
            })
            .failing(&["config-toml"]),
            case("SAML without root certificates (absent)", Status::Fail, |f| {
                saml(f);
                unset(cfg(f), "auth.saml.rootCerts");
            })
            .failing(&["config-toml"]),
            case("SAML TLS verification skipped", Status::Fail, |f| {
                saml(f);
                set(cfg(f), "auth.saml.tlsSkipVerify", toml::Value::Boolean(true));
            })
            .failing(&["config-toml"]),
            case("SAML tlsSkipVerify of the wrong type", Status::NotReviewed, |f| {
                saml(f);
                set(cfg(f), "auth.saml.tlsSkipVerify", toml::Value::String("no".into()));
            })
            .missing(),
            case_with("LDAP and SAML both enabled, SAML not the SSP's", Status::Fail, policy(IDP), |f| {
                saml(f);
                with_password(f);
                set(cfg(f), "auth.backend", toml::Value::String("ldap".into()));
            })
            .failing(&["config-toml"]),
            case("auth.backend of the wrong type", Status::NotReviewed, |f| set(cfg(f), "auth.backend", toml::Value::Integer(1))).missing(),
            case("config-toml missing", Status::NotReviewed, |f| f.mke.config = Err(Key::MkeConfig.not_collected())).missing(),
            nothing(),
        ]
    }
}
