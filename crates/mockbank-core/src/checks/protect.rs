//! Registration endpoint protection (generic.md §3; RFC 7591 §3): the initial access token
//! or `dcr_register` access token a registration presents as its bearer credential.

use serde_json::Value;

use super::{CheckCx, CheckDef, CredentialKind, Params, Phase, PresentedCredential};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[&BEARER_PRESENT, &BEARER_VALID];

// --- the bearer credential (RFC 7591 §3, RFC 6750 §3.1) ---

pub static BEARER_PRESENT: CheckDef = CheckDef {
    id: "protect.bearer.present",
    title: "Registration credential presented",
    spec: "RFC 7591 §3, RFC 6750 §3.1",
    description: "The profile protects registration: the request carries `Authorization: Bearer` with an initial access token (or a `dcr_register` access token).",
    phase: Phase::Protection,
    needs: &[],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: bearer_present,
};

fn bearer_present(cx: &CheckCx, _: &Params) -> Outcome {
    let mode = cx.profile.settings.protection.bearer;
    if mode == crate::profile::BearerProtection::None {
        return Outcome::skip("open registration: no credential needed");
    }
    match cx.request.bearer_token() {
        Some(_) => Outcome::pass("a bearer credential is present"),
        None => Outcome::fail(
            "registration requires an initial access token: send `Authorization: Bearer <token>`",
        )
        .effect(crate::trace::Effect::BareChallenge),
    }
}

pub static BEARER_VALID: CheckDef = CheckDef {
    id: "protect.bearer.valid",
    title: "Registration credential valid",
    spec: "RFC 7591 §3, RFC 6750 §3.1",
    description: "The bearer credential is the static initial access token, an issued one that has not expired or run out of uses, or an active access token with the `dcr_register` scope (single use).",
    phase: Phase::Protection,
    needs: &["protect.bearer.present"],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: bearer_valid,
};

fn bearer_valid(cx: &CheckCx, _: &Params) -> Outcome {
    let mode = cx.profile.settings.protection.bearer;
    if mode == crate::profile::BearerProtection::None {
        return Outcome::skip("open registration");
    }
    let mode_name = serde_json::to_value(mode).unwrap_or(Value::Null);
    let Some(presented) = cx.protection.and_then(|p| p.bearer.as_ref()) else {
        return Outcome::skip("no credential");
    };
    match credential_verdict(cx, presented) {
        Ok(what) => Outcome::pass(what).with("mode", mode_name),
        Err(why) => Outcome::fail(why).with("mode", mode_name),
    }
}

/// Whether `presented` may register under the profile's protection mode (RFC 7591 §3): the
/// static initial access token, an issued one that is in force, or a `dcr_register`-scoped
/// access token (single use; RFC 8705 §3: a bound one only over its own certificate).
fn credential_verdict(cx: &CheckCx, presented: &PresentedCredential) -> Result<String, String> {
    use crate::profile::BearerProtection;
    let p = &cx.profile.settings.protection;
    let now = cx.now;
    let stored = match (p.bearer, presented) {
        (BearerProtection::Static, PresentedCredential::Static { matches: true }) => {
            return Ok("the static initial access token".to_owned())
        }
        (BearerProtection::Static, _) => {
            return Err("the initial access token is not valid".to_owned())
        }
        (_, PresentedCredential::Stored(Some(t))) => t,
        (BearerProtection::AccessToken, _) => {
            return Err("the access token is not valid".to_owned())
        }
        _ => return Err("the initial access token is not valid".to_owned()),
    };
    match p.bearer {
        BearerProtection::Issued
            if stored.kind == CredentialKind::InitialAccessToken
                && stored.profile == cx.profile.id =>
        {
            if stored.revoked || stored.uses_left == Some(0) {
                Err("the initial access token is used up or revoked".to_owned())
            } else if stored.expires_at.is_some_and(|e| e <= now) {
                Err("the initial access token has expired".to_owned())
            } else {
                Ok(match stored.uses_left {
                    Some(n) => format!("an issued initial access token ({n} use(s) left)"),
                    None => "an issued initial access token".to_owned(),
                })
            }
        }
        // The registrar client may live under any profile of this mockbank.
        BearerProtection::AccessToken if stored.kind == CredentialKind::AccessToken => {
            let scoped = stored
                .scope
                .as_deref()
                .unwrap_or("")
                .split(' ')
                .any(|s| s == p.access_token_scope);
            let over = cx.peer.map(|peer| peer.thumbprint.as_str());
            if stored.revoked {
                Err("the access token was already used for a registration or revoked".to_owned())
            } else if stored.bound_thumbprint.is_some()
                && stored.bound_thumbprint.as_deref() != over
            {
                Err("the access token is bound to a client certificate this connection does not present (RFC 8705 §3)".to_owned())
            } else if stored.expires_at.is_some_and(|e| e <= now) {
                Err("the access token has expired".to_owned())
            } else if !scoped {
                Err(format!(
                    "the access token lacks the `{}` scope",
                    p.access_token_scope
                ))
            } else {
                Ok(format!(
                    "an access token with scope `{}` (single use)",
                    p.access_token_scope
                ))
            }
        }
        BearerProtection::AccessToken => Err("the access token is not valid".to_owned()),
        _ => Err("the initial access token is not valid".to_owned()),
    }
}

/// The answer when the credential passed `protect.bearer.valid` but a concurrent
/// registration used it up before this one committed (its last use, or a single-use token).
pub fn credential_used_up() -> crate::ProtocolError {
    super::failure_of(
        &BEARER_VALID,
        "the registration credential was used up by a concurrent registration",
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_outcome, peer, run_one, shipped_once};
    use super::super::{CheckCx, ProtectionFacts, StoredCredential};
    use super::*;
    use crate::profile::BearerProtection;
    use crate::request::RequestFacts;
    use crate::trace::OutcomeKind::{Fail, Pass, Skip};
    use crate::Profile;

    const NOW: i64 = 1_700_000_000;

    fn protected(mode: BearerProtection) -> Profile {
        let mut p = shipped_once("generic-protected").clone();
        p.settings.protection.bearer = mode;
        p.settings.protection.static_token = Some("s3cret".into());
        p
    }

    fn stored(kind: CredentialKind) -> StoredCredential {
        StoredCredential {
            kind,
            profile: "generic-protected".into(),
            revoked: false,
            uses_left: None,
            expires_at: None,
            scope: Some("dcr_register".into()),
            bound_thumbprint: None,
        }
    }

    fn valid(profile: &Profile, presented: PresentedCredential, over: Option<&str>) -> Outcome {
        let request = RequestFacts::default();
        let facts = ProtectionFacts {
            bearer: Some(presented),
        };
        let peer = over.map(|_| peer("CN=tpp"));
        let mut cx = CheckCx::new(NOW, profile, &request);
        cx.protection = Some(&facts);
        cx.peer = peer.as_ref();
        run_one(&cx, "protect.bearer.valid")
    }

    #[test]
    fn the_static_token_passes_only_when_it_matches() {
        let p = protected(BearerProtection::Static);
        let ok = valid(&p, PresentedCredential::Static { matches: true }, None);
        assert_outcome(&ok, Pass, "the static initial access token");
        let bad = valid(&p, PresentedCredential::Static { matches: false }, None);
        assert_outcome(&bad, Fail, "is not valid");
    }

    #[test]
    fn an_issued_token_must_be_this_profiles_in_force_and_not_used_up() {
        let p = protected(BearerProtection::Issued);
        let iat = || stored(CredentialKind::InitialAccessToken);
        let with = |c: StoredCredential| valid(&p, PresentedCredential::Stored(Some(c)), None);
        assert_outcome(
            &with(StoredCredential {
                uses_left: Some(2),
                ..iat()
            }),
            Pass,
            "(2 use(s) left)",
        );
        assert_outcome(
            &with(StoredCredential {
                uses_left: Some(0),
                ..iat()
            }),
            Fail,
            "used up or revoked",
        );
        assert_outcome(
            &with(StoredCredential {
                expires_at: Some(NOW),
                ..iat()
            }),
            Fail,
            "has expired",
        );
        assert_outcome(
            &with(StoredCredential {
                profile: "stet".into(),
                ..iat()
            }),
            Fail,
            "is not valid",
        );
        assert_outcome(
            &with(stored(CredentialKind::RegistrationAccessToken)),
            Fail,
            "is not valid",
        );
        let unknown = valid(&p, PresentedCredential::Stored(None), None);
        assert_outcome(&unknown, Fail, "the initial access token is not valid");
    }

    #[test]
    fn an_access_token_needs_the_scope_its_certificate_and_one_use() {
        let p = protected(BearerProtection::AccessToken);
        let at = || stored(CredentialKind::AccessToken);
        let with =
            |c: StoredCredential, over| valid(&p, PresentedCredential::Stored(Some(c)), over);
        assert_outcome(&with(at(), None), Pass, "scope `dcr_register` (single use)");
        let bound = || StoredCredential {
            bound_thumbprint: Some("dGh1bWJwcmludA".into()),
            ..at()
        };
        assert_outcome(&with(bound(), Some("tpp")), Pass, "single use");
        assert_outcome(&with(bound(), None), Fail, "RFC 8705 §3");
        let revoked = StoredCredential {
            revoked: true,
            ..at()
        };
        assert_outcome(&with(revoked, None), Fail, "already used");
        let unscoped = StoredCredential {
            scope: Some("accounts".into()),
            ..at()
        };
        assert_outcome(
            &with(unscoped, None),
            Fail,
            "lacks the `dcr_register` scope",
        );
        let unknown = valid(&p, PresentedCredential::Stored(None), None);
        assert_outcome(&unknown, Fail, "the access token is not valid");
    }

    #[test]
    fn open_endpoints_and_missing_credentials_skip() {
        let open = protected(BearerProtection::None);
        let o = valid(&open, PresentedCredential::Static { matches: true }, None);
        assert_outcome(&o, Skip, "open registration");
        let p = protected(BearerProtection::Issued);
        let request = RequestFacts::default();
        let cx = CheckCx::new(NOW, &p, &request);
        assert_outcome(&run_one(&cx, "protect.bearer.valid"), Skip, "no credential");
    }
}
