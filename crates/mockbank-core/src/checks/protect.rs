//! Registration endpoint protection (generic.md §3; RFC 7591 §3): the initial access token
//! or `dcr_register` access token a registration presents as its bearer credential.

use serde_json::Value;

use super::{CheckCx, CheckDef, Params, Phase};
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
    match cx.protection.and_then(|p| p.bearer.as_ref()) {
        None => Outcome::skip("no credential"),
        Some(Ok(what)) => Outcome::pass(what.clone()).with("mode", mode_name),
        Some(Err(why)) => Outcome::fail(why.clone()).with("mode", mode_name),
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
