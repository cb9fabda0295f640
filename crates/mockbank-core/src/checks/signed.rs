//! Signed requests and software statements (RFC 7591 §2.3, §3.1.1; OBIE DCR v3.2 §4): a
//! JWS request body and the SSA it carries — parsed, algorithm, issuer, signature, lifetime,
//! claims, directory status and replay. Shared by OBUK and by profiles that protect their
//! registration endpoint with a software statement or a signed body.

use serde_json::Value;

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::profile::{ProfileSettings, RequestFormat, StatementMode};
use crate::signed::{Jws, SignedFacts};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &REQUEST_JWS,
    &REQUEST_ALG,
    &REQUEST_NO_EMBEDDED_KEY,
    &SSA_PRESENT,
    &SSA_JWS,
    &SSA_ALG,
    &SSA_ISSUER,
    &SSA_SIGNATURE,
    &SSA_VALIDITY,
    &SSA_CLAIMS,
    &SSA_STATUS,
    &SSA_JTI,
    &REQUEST_SIGNATURE,
];

/// The checks that judge a signed request body, and those that judge a software statement.
const REQUEST_CHECKS: &[&CheckDef] = &[
    &REQUEST_JWS,
    &REQUEST_ALG,
    &REQUEST_NO_EMBEDDED_KEY,
    &REQUEST_SIGNATURE,
];

/// Whether `def` can judge the requests of a profile with these settings: a signed-request
/// check needs a profile that takes signed bodies, a statement check one that reads
/// software statements (RFC 7591 §2.3). `None` for checks of other kinds.
pub(super) fn applies(def: &CheckDef, settings: &ProfileSettings) -> Option<bool> {
    let jws = settings.registration.format == RequestFormat::Jws;
    if REQUEST_CHECKS.iter().any(|c| std::ptr::eq(*c, def)) {
        return Some(jws || settings.protection.signed_request);
    }
    if CHECKS.iter().any(|c| std::ptr::eq(*c, def)) {
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

// --- the request JWS (§4 #4-6) ---

check!(
    REQUEST_JWS,
    "request.jws_parse",
    "Request is a compact JWS",
    "OBIE DCR v3.2 §Registration Request",
    "The body is a compact JWS (three parts, JSON header and claims) — not a JSON object.",
    Request,
    ["request.body_size"],
    InvalidClientMetadata,
    None,
    [],
    request_jws
);

fn request_jws(cx: &CheckCx, _: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.request.as_ref()) {
        None => Outcome::skip("this profile takes JSON bodies, not signed requests"),
        Some(Ok(jws)) => Outcome::pass("the body is a compact JWS")
            .with("header", Value::Object(jws.header.clone())),
        Some(Err(why)) => Outcome::fail(format!(
            "registration request must be a signed JWT (application/jose): {why}"
        )),
    }
}

check!(
    REQUEST_ALG,
    "request.jws_alg",
    "Request signed with a FAPI algorithm",
    "OBIE DCR v3.2 §Registration Request, FAPI-RW §8.6",
    "The request's `alg` is one of `algs` (PS256, ES256); `none`, HS* and RS256 are refused.",
    Request,
    ["request.jws_parse"],
    InvalidClientMetadata,
    None,
    [ParamSpec {
        name: "algs",
        doc: "Accepted JWS algorithms.",
        default: ParamValue::List(FAPI_ALGS)
    }],
    request_alg
);

fn request_alg(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = request(cx) else {
        return Outcome::skip("no request JWS");
    };
    let algs = params.list("algs");
    let o = if algs.iter().any(|a| a == jws.alg()) {
        Outcome::pass(format!("signed with {}", jws.alg()))
    } else {
        Outcome::fail(format!(
            "Registration Request JWT is invalid: algorithm `{}` is not allowed (allowed: {})",
            jws.alg(),
            algs.join(", ")
        ))
    };
    o.with("alg", jws.alg()).with("allowed", algs)
}

check!(REQUEST_NO_EMBEDDED_KEY, "request.jws_no_embedded_key", "No embedded or referenced key", "OBIE DCR v3.2 §Of JWS & JWKS",
    "The request header does not carry or point at its key (`jwk`, `x5c`, `jku`, `x5u`): the key must come from the SSA's JWKS.",
    Request, ["request.jws_parse"], InvalidClientMetadata, None, [], request_no_embedded_key);

fn request_no_embedded_key(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(jws) = request(cx) else {
        return Outcome::skip("no request JWS");
    };
    match ["jwk", "x5c", "jku", "x5u"].iter().find(|h| jws.header.contains_key(**h)) {
        Some(h) => Outcome::fail(format!("the request JWS header must not contain `{h}`: keys come from the software statement's JWKS")),
        None => Outcome::pass("the key is identified by `kid` only").with("kid", jws.kid().unwrap_or("")),
    }
}

// --- the software statement (§4 #7-16) ---

check!(
    SSA_PRESENT,
    "ssa.present",
    "Software statement present",
    "OBIE DCR v3.2 §Data Model, RFC 7591 §2.3",
    "The request carries `software_statement` as a string.",
    Statement,
    [],
    InvalidSoftwareStatement,
    None,
    [],
    ssa_present
);

fn ssa_present(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(claims) = cx.metadata() else {
        return Outcome::skip("no registration metadata");
    };
    let settings = &cx.profile.settings;
    let mode = if settings.registration.format == crate::profile::RequestFormat::Jws {
        StatementMode::Required
    } else {
        settings.protection.software_statement
    };
    match (mode, claims.get("software_statement")) {
        (StatementMode::Ignored, _) => {
            return Outcome::skip("this profile does not process software statements")
        }
        (StatementMode::Optional, None) => {
            return Outcome::skip("no software statement (optional here)")
        }
        _ => {}
    }
    match claims.get("software_statement") {
        Some(Value::String(_)) => Outcome::pass("`software_statement` is present"),
        Some(_) => Outcome::fail("Registration Request contains an invalid software_statement, software_statement claim must be a string"),
        None => Outcome::fail("Required parameter software_statement not found"),
    }
}

check!(SSA_JWS, "ssa.jws_parse", "Software statement is a signed JWT", "OBIE Directory §SSA, RFC 7591 §2.3",
    "The SSA is a compact JWS with a signature (an unsigned `header.payload.` is not an encoded signed JWT).",
    Statement, ["ssa.present"], InvalidSoftwareStatement, None, [], ssa_jws);

fn ssa_jws(cx: &CheckCx, _: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.ssa.as_ref()) {
        None => Outcome::skip("no software statement"),
        Some(Ok(j)) if j.unsigned => Outcome::fail("Registration Request contains an invalid software_statement, software_statement claim is not an encoded JWT (its signature is empty)"),
        Some(Ok(j)) => Outcome::pass("the SSA is a compact JWS").with("header", Value::Object(j.header.clone())),
        Some(Err(why)) => Outcome::fail(format!("Registration Request contains an invalid software_statement, software_statement claim is not an encoded JWT ({why})")),
    }
}

check!(
    SSA_ALG,
    "ssa.alg",
    "Software statement algorithm",
    "OBIE Directory §SSA",
    "The SSA's `alg` is PS256 or ES256; `none` only where self-signed SSAs are allowed.",
    Statement,
    ["ssa.jws_parse"],
    InvalidSoftwareStatement,
    None,
    [ParamSpec {
        name: "algs",
        doc: "Accepted SSA algorithms.",
        default: ParamValue::List(FAPI_ALGS)
    }],
    ssa_alg
);

fn ssa_alg(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let algs = params.list("algs");
    let o = if algs.iter().any(|a| a == jws.alg()) {
        Outcome::pass(format!("the SSA is signed with {}", jws.alg()))
    } else {
        Outcome::fail(format!("Registration Request contains an invalid software_statement, algorithm `{}` is not allowed", jws.alg()))
    };
    o.with("alg", jws.alg()).with("allowed", algs)
}

check!(
    SSA_ISSUER,
    "ssa.issuer_trusted",
    "Software statement from a trusted directory",
    "OBIE Directory §SSA, RFC 7591 §3.2.2",
    "The SSA's `iss` is a directory the bank trusts.",
    Statement,
    ["ssa.jws_parse"],
    UnapprovedSoftwareStatement,
    None,
    [ParamSpec {
        name: "issuers",
        doc: "Trusted SSA issuers.",
        default: ParamValue::List(&["OpenBanking Ltd"])
    }],
    ssa_issuer
);

fn ssa_issuer(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let trusted = params.list("issuers");
    let iss = jws.claim_str("iss").unwrap_or("");
    let o = if trusted.iter().any(|t| t == iss) {
        Outcome::pass(format!("issued by `{iss}`"))
    } else {
        Outcome::fail(format!(
            "the software statement's issuer `{iss}` is not a trusted directory"
        ))
    };
    o.with("iss", iss).with("trusted", trusted)
}

check!(
    SSA_SIGNATURE,
    "ssa.signature",
    "Software statement signature",
    "OBIE Directory §Request Validation",
    "The SSA verifies with the directory's key named by its `kid` (`GET /directory/jwks`).",
    Statement,
    ["ssa.alg"],
    InvalidSoftwareStatement,
    None,
    [],
    ssa_signature
);

fn ssa_signature(cx: &CheckCx, _: &Params) -> Outcome {
    let kid = ssa(cx).and_then(Jws::kid).unwrap_or("").to_owned();
    match signed(cx).and_then(|s| s.ssa_signature.as_ref()) {
        None => Outcome::skip("the SSA signature was not checked"),
        Some(Ok(())) => Outcome::pass("the SSA signature verifies with the directory key").with("kid", kid),
        Some(Err(why)) => Outcome::fail(format!("Registration Request contains an invalid software_statement, Expected JWT to have a valid signature ({why})")).with("kid", kid),
    }
}

check!(SSA_VALIDITY, "ssa.validity", "Software statement is fresh", "OBIE Directory §SSA Lifetime",
    "`iat` is not in the future (beyond `future_skew_secs`) nor older than `max_age_secs` (0 = no limit); an `exp` has not passed.",
    Statement, ["ssa.jws_parse"], InvalidSoftwareStatement, None,
    [ParamSpec { name: "max_age_secs", doc: "Oldest acceptable SSA (0: any age).", default: ParamValue::Int(1800) },
     ParamSpec { name: "future_skew_secs", doc: "Tolerated clock skew for `iat`.", default: ParamValue::Int(60) }], ssa_validity);

fn ssa_validity(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let Some(iat) = jws.claims.get("iat").and_then(Value::as_i64) else {
        return Outcome::fail(
            "Registration Request contains an invalid software_statement, it has no numeric `iat`",
        );
    };
    let (max_age, skew) = (params.int("max_age_secs"), params.int("future_skew_secs"));
    let age = cx.now - iat;
    let exp = jws.claims.get("exp").and_then(Value::as_i64);
    let o = if iat > cx.now + skew {
        Outcome::fail("Registration Request contains an invalid software_statement, its `iat` is in the future")
    } else if max_age > 0 && age > max_age {
        Outcome::fail(format!("Registration Request contains an invalid software_statement, it was issued {age} s ago (at most {max_age} s accepted)"))
    } else if exp.is_some_and(|e| e < cx.now) {
        Outcome::fail("Registration Request contains an invalid software_statement, it has expired")
    } else {
        Outcome::pass(format!("issued {age} s ago"))
    };
    o.with("iat", iat)
        .with("now", cx.now)
        .with("max_age_secs", max_age)
        .with("exp", exp.map_or(Value::Null, Into::into))
}

check!(SSA_CLAIMS, "ssa.required_claims", "Software statement claims present", "OBIE Directory §SSA claims",
    "The SSA names the software and organisation: `software_id`, `org_id`, non-empty `software_roles`, `software_redirect_uris`, `software_jwks_endpoint` (the list is a parameter).",
    Statement, ["ssa.jws_parse"], InvalidSoftwareStatement, None,
    [ParamSpec { name: "claims", doc: "Claims an SSA must carry.", default: ParamValue::List(&["software_id", "org_id", "software_roles", "software_redirect_uris", "software_jwks_endpoint"]) }], ssa_claims);

fn ssa_claims(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let required = params.list("claims");
    let missing: Vec<&String> = required
        .iter()
        .filter(|c| match jws.claims.get(c.as_str()) {
            None | Some(Value::Null) => true,
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        })
        .collect();
    match missing.first() {
        None => Outcome::pass("every required SSA claim is present").with("claims", required),
        Some(first) => Outcome::fail(format!("Registration Request contains an invalid software_statement, required claim `{first}` is missing"))
            .with("missing", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
    }
}

check!(SSA_STATUS, "ssa.status", "Software and organisation are active", "RFC 7591 §3.2.2",
    "The SSA's `org_status` is Active and the directory has not revoked the organisation or the software.",
    Statement, ["ssa.signature"], UnapprovedSoftwareStatement, None, [], ssa_status);

fn ssa_status(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(jws) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let claimed = jws.claim_str("org_status").unwrap_or("Active");
    let dir = signed(cx)
        .and_then(|s| s.directory.clone())
        .unwrap_or_default();
    let revoked = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("active"))
    };
    let o = if !claimed.eq_ignore_ascii_case("active") {
        Outcome::fail(format!("the software statement's org_status is {claimed}"))
    } else if revoked(&dir.org_status) {
        Outcome::fail(
            "the software statement is not approved: the directory has revoked its organisation",
        )
    } else if revoked(&dir.software_status) {
        Outcome::fail(
            "the software statement is not approved: the directory has revoked this software",
        )
    } else {
        Outcome::pass("organisation and software are active")
    };
    o.with("org_status", claimed)
        .with(
            "directory_org_status",
            dir.org_status.map_or(Value::Null, Into::into),
        )
        .with(
            "directory_software_status",
            dir.software_status.map_or(Value::Null, Into::into),
        )
}

check!(SSA_JTI, "ssa.jti_replay", "Software statement used once", "WSO2 OB DCR validators",
    "The SSA's `jti` was not seen before (off in the strict profile: the OBIE tool reuses one SSA for a whole run).",
    Statement, ["ssa.signature"], InvalidSoftwareStatement, None, [], ssa_jti);

fn ssa_jti(cx: &CheckCx, _: &Params) -> Outcome {
    match signed(cx).and_then(|s| s.ssa_jti_replayed) {
        None => Outcome::skip("the SSA has no jti"),
        Some(false) => Outcome::pass("first use of this SSA"),
        Some(true) => Outcome::fail("Registration Request contains an invalid software_statement, it was already used (jti replay)"),
    }
}

check!(REQUEST_SIGNATURE, "request.jws_signature", "Request signed by the software's key", "OBIE Directory §Request Validation",
    "The request verifies with the key of its `kid` among the `use: sig` keys at the SSA's `software_jwks_endpoint` (served from the directory, never fetched per request).",
    Statement, ["request.jws_alg", "ssa.signature"], InvalidClientMetadata, None, [], request_signature);

fn request_signature(cx: &CheckCx, _: &Params) -> Outcome {
    let kid = request(cx).and_then(Jws::kid).unwrap_or("").to_owned();
    match signed(cx).and_then(|s| s.request_signature.as_ref()) {
        None => Outcome::skip("the request signature was not checked"),
        Some(Ok(())) => {
            Outcome::pass("the request verifies with the software's signing key").with("kid", kid)
        }
        Some(Err(why)) => Outcome::fail(format!(
            "Registration Request JWT is invalid: Expected JWT to have a valid signature ({why})"
        ))
        .with("kid", kid),
    }
}
