//! The signed-request facts the `request.jws_*` and `ssa.*` checks share (RFC 7591 §2.3,
//! §3.1.1; OBIE DCR v3.2 §4), and which profiles those checks can judge.

use super::{request, ssa, CheckCx, CheckDef};
use crate::profile::{ProfileSettings, RequestFormat, StatementMode};
use crate::signed::{Jws, SignedFacts};

/// Whether `def` can judge the requests of a profile with these settings: a signed-request
/// check needs a profile that takes signed bodies, a statement check one that reads
/// software statements (RFC 7591 §2.3). `None` for checks of other kinds.
pub(super) fn applies(def: &CheckDef, settings: &ProfileSettings) -> Option<bool> {
    let jws = settings.registration.format == RequestFormat::Jws;
    if request::JWS_CHECKS.iter().any(|c| std::ptr::eq(*c, def)) {
        return Some(jws || settings.protection.signed_request);
    }
    if ssa::CHECKS.iter().any(|c| std::ptr::eq(*c, def)) {
        return Some(jws || settings.protection.software_statement != StatementMode::Ignored);
    }
    None
}

/// The algorithms FAPI-RW §8.6 allows.
pub(super) const FAPI_ALGS: &[&str] = &["PS256", "ES256"];

pub(super) fn signed<'a>(cx: &CheckCx<'a>) -> Option<&'a SignedFacts> {
    cx.signed
}

/// The signed request, when it parsed.
pub(super) fn request<'a>(cx: &CheckCx<'a>) -> Option<&'a Jws> {
    signed(cx).and_then(SignedFacts::request_jws)
}

/// The software statement, when it parsed.
pub(super) fn ssa<'a>(cx: &CheckCx<'a>) -> Option<&'a Jws> {
    signed(cx).and_then(SignedFacts::ssa_jws)
}
