//! Open Banking UK DCR v3.2 checks (obuk-v3.2.md §4): the signed registration request, its
//! software statement (SSA), the binding between them and the transport certificate, the
//! request's claims, and management with a client-credentials token.

use serde_json::{Map, Value};
use url::Url;

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &MTLS_MATCHES_SSA,
    &REQUEST_CLAIMS,
    &REQUEST_EXP,
    &REQUEST_IAT,
    &REQUEST_ISS,
    &REQUEST_AUD,
    &REQUEST_JTI,
    &REQUEST_SOFTWARE_ID,
    &REDIRECT_FORMAT,
    &REDIRECT_SUBSET,
    &SAME_HOST,
    &AUTH_SIGNING_ALG,
    &TLS_DN,
    &GRANT_TYPES,
    &RESPONSE_TYPES,
    &SCOPE,
    &APPLICATION_TYPE,
    &ALGS,
    &JWKS_BY_VALUE,
    &MGMT_MTLS,
    &MGMT_BEARER,
    &MGMT_CLIENT_KNOWN,
    &MGMT_TOKEN_BINDING,
    &PUT_SAME_SOFTWARE,
];

use super::signed::{signed, ssa, FAPI_ALGS};

pub static MTLS_MATCHES_SSA: CheckDef = CheckDef {
    id: "obuk.mtls.matches_ssa",
    title: "Transport certificate belongs to the SSA",
    spec: "OBIE Directory §Request Validation, RFC 8705 §2",
    description: "The presented certificate is one of the software's `use: tls` keys (`x5t#S256`), or its CN and OU equal the SSA's `software_id` and `org_id`.",
    phase: Phase::Statement,
    needs: &["mtls.trusted", "ssa.required_claims"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: mtls_matches_ssa,
};

fn mtls_matches_ssa(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(peer), Some(jws)) = (cx.peer, ssa(cx)) else {
        return Outcome::skip("no certificate or no SSA");
    };
    let in_jwks = signed(cx)
        .and_then(|s| s.software_jwks.as_ref())
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .is_some_and(|keys| {
            keys.iter().any(|k| {
                k.get("use").and_then(Value::as_str) == Some("tls")
                    && k.get("x5t#S256").and_then(Value::as_str) == Some(peer.thumbprint.as_str())
            })
        });
    let cn = crate::dn::attribute(&peer.subject, "CN").unwrap_or_default();
    let ou = crate::dn::attribute(&peer.subject, "OU").unwrap_or_default();
    let software_id = jws.claim_str("software_id").unwrap_or("").to_lowercase();
    let org_id = jws.claim_str("org_id").unwrap_or("").to_lowercase();
    let o = if in_jwks {
        Outcome::pass("the certificate is a transport key of the SSA's software")
    } else if !software_id.is_empty() && cn == software_id && ou == org_id {
        Outcome::pass("the certificate's CN and OU are the SSA's software_id and org_id")
    } else {
        Outcome::fail(
            "tls transport cert does not match any certs registered in jwks for software statement",
        )
    };
    o.with("subject", peer.subject.as_str())
        .with("software_id", jws.claim_str("software_id").unwrap_or(""))
        .with("org_id", jws.claim_str("org_id").unwrap_or(""))
}

// --- the request's claims (§4 #17-35) ---

/// The registration's metadata: the signed request's claims, or (for profiles that take
/// JSON and reuse these checks) the JSON body.
fn claims<'a>(cx: &CheckCx<'a>) -> Option<&'a Map<String, Value>> {
    cx.metadata()
}

pub static REQUEST_CLAIMS: CheckDef = CheckDef {
    id: "obuk.request.required_claims",
    title: "Required request claims",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "The request carries every claim in `claims`.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "claims",
        doc: "Mandatory request claims (the WSO2 seed's configurable set).",
        default: ParamValue::List(&[
            "iss",
            "iat",
            "exp",
            "aud",
            "jti",
            "token_endpoint_auth_method",
            "grant_types",
            "scope",
            "software_statement",
            "application_type",
            "id_token_signed_response_alg",
            "request_object_signing_alg",
        ]),
    }],
    run: request_claims,
};

fn request_claims(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let required = params.list("claims");
    match required
        .iter()
        .find(|r| c.get(r.as_str()).is_none_or(Value::is_null))
    {
        Some(missing) => Outcome::fail(format!("Required parameter {missing} not found"))
            .with("required", required.clone()),
        None => Outcome::pass("every required claim is present").with("required", required),
    }
}

fn int_claim(c: &Map<String, Value>, name: &str) -> Option<i64> {
    c.get(name).and_then(Value::as_i64)
}

pub static REQUEST_EXP: CheckDef = CheckDef {
    id: "obuk.request.exp",
    title: "Request not expired",
    spec: "OBIE DCR v3.2 §Data Model, RFC 7519 §4.1.4",
    description: "The request's `exp` has not passed (with `skew_secs`).",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "skew_secs",
        doc: "Tolerated clock skew.",
        default: ParamValue::Int(30),
    }],
    run: request_exp,
};

fn request_exp(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let Some(exp) = int_claim(c, "exp") else {
        return Outcome::fail("the request has no numeric `exp`");
    };
    let o = if exp.saturating_add(params.int("skew_secs")) < cx.now {
        Outcome::fail("Registration Request JWT is invalid: the request has expired (exp)")
    } else {
        Outcome::pass("the request has not expired")
    };
    o.with("exp", exp).with("now", cx.now)
}

pub static REQUEST_IAT: CheckDef = CheckDef {
    id: "obuk.request.iat",
    title: "Request not issued in the future",
    spec: "RFC 7519 §4.1.6",
    description: "The request's `iat` is not later than now plus `skew_secs`.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "skew_secs",
        doc: "Tolerated clock skew.",
        default: ParamValue::Int(60),
    }],
    run: request_iat,
};

fn request_iat(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let Some(iat) = int_claim(c, "iat") else {
        return Outcome::fail("the request has no numeric `iat`");
    };
    let o = if iat > cx.now.saturating_add(params.int("skew_secs")) {
        Outcome::fail("Registration Request JWT is invalid: its `iat` is in the future")
    } else {
        Outcome::pass("`iat` is not in the future")
    };
    o.with("iat", iat).with("now", cx.now)
}

fn is_base62(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub static REQUEST_ISS: CheckDef = CheckDef {
    id: "obuk.request.iss",
    title: "Request issuer is the software",
    spec: "OBIE DCR v3.2 §Data Model",
    description:
        "The request's `iss` matches `^[0-9a-zA-Z]{1,22}$` and equals the SSA's `software_id`.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_iss,
};

fn request_iss(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let iss = c.get("iss").and_then(Value::as_str).unwrap_or("");
    let software_id = ssa(cx).and_then(|s| s.claim_str("software_id"));
    let o = if !is_base62(iss, 22) {
        Outcome::fail(format!(
            "Invalid issuer, `{iss}` is not a software id (1 to 22 letters and digits)"
        ))
    } else if software_id.is_some_and(|s| s != iss) {
        Outcome::fail("Invalid issuer, issuer should be the same as the software id")
    } else {
        Outcome::pass("`iss` is the software id")
    };
    o.with("iss", iss)
        .with("software_id", software_id.map_or(Value::Null, Into::into))
}

pub static REQUEST_AUD: CheckDef = CheckDef {
    id: "obuk.request.aud",
    title: "Request audience is this bank",
    spec: "OBIE DCR v3.2 §Data Model",
    description:
        "The request's `aud` is the bank: its issuer URL, or one of `audiences` (its ASPSP org_id).",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "audiences",
        doc: "Accepted audiences besides the issuer URL (the bank's org_id).",
        default: ParamValue::List(&["0015800001041REAAY"]),
    }],
    run: request_aud,
};

fn request_aud(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let mut accepted = params.list("audiences");
    if let Some(s) = signed(cx) {
        accepted.push(s.issuer.clone());
    }
    let auds: Vec<&str> = match c.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let o = if auds.iter().any(|a| {
        accepted
            .iter()
            .any(|x| x.trim_end_matches('/') == a.trim_end_matches('/'))
    }) {
        Outcome::pass("the request is addressed to this bank")
    } else {
        Outcome::fail(format!(
            "Registration Request JWT is invalid: aud {auds:?} is not this bank (accepted: {})",
            accepted.join(", ")
        ))
    };
    o.with("aud", auds).with("accepted", accepted)
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|i| b[*i] == b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| [8, 13, 18, 23].contains(&i) || c.is_ascii_hexdigit())
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

pub static REQUEST_JTI: CheckDef = CheckDef {
    id: "obuk.request.jti",
    title: "Request jti is fresh",
    spec: "OBIE DCR v3.2 §Data Model, RFC 7519 §4.1.7",
    description: "The request's `jti` is a UUID v4 and was not used before within its lifetime.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_jti,
};

fn request_jti(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let jti = c.get("jti").and_then(Value::as_str).unwrap_or("");
    let o = if !is_uuid_v4(jti) {
        Outcome::fail(format!(
            "Registration Request JWT is invalid: jti `{jti}` is not a UUID v4"
        ))
    } else if signed(cx).and_then(|s| s.request_jti_replayed) == Some(true) {
        Outcome::fail("Registration Request JWT is invalid: jti was already used (replay)")
    } else {
        Outcome::pass("`jti` is a fresh UUID v4")
    };
    o.with("jti", jti)
}

pub static REQUEST_SOFTWARE_ID: CheckDef = CheckDef {
    id: "obuk.request.software_id",
    title: "Request software_id matches the SSA",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "A `software_id` in the request equals the SSA's.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: request_software_id,
};

fn request_software_id(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let Some(requested) = c.get("software_id").and_then(Value::as_str) else {
        return Outcome::skip("no `software_id` in the request");
    };
    let expected = ssa(cx)
        .and_then(|s| s.claim_str("software_id"))
        .unwrap_or("");
    let o = if requested == expected {
        Outcome::pass("`software_id` matches the SSA")
    } else {
        Outcome::fail("`software_id` does not match the software statement")
    };
    o.with("software_id", requested)
        .with("ssa_software_id", expected)
}

fn uri_problem(uri: &str) -> Option<String> {
    if uri.len() > 256 {
        return Some(format!(
            "redirect URI `{uri}` is longer than 256 characters"
        ));
    }
    let Ok(url) = Url::parse(uri) else {
        return Some(format!("redirect URI `{uri}` is not an absolute URI"));
    };
    if url.scheme() != "https" {
        return Some(format!("redirect URI `{uri}` must use https"));
    }
    if url.fragment().is_some() || uri.contains('#') {
        return Some(format!("redirect URI `{uri}` must not contain a fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => true,
    };
    loopback
        .then(|| format!("redirect URI `{uri}` must not point at localhost or a loopback address"))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub static REDIRECT_FORMAT: CheckDef = CheckDef {
    id: "obuk.redirect.format",
    title: "Redirect URIs are https and public",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "Each redirect URI of the request and of the SSA is absolute, https, not localhost/loopback, without fragment, at most 256 characters.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[],
    run: redirect_format,
};

fn redirect_format(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let mut all = strings(c.get("redirect_uris"));
    for uri in strings(ssa(cx).and_then(|s| s.claims.get("software_redirect_uris"))) {
        // A URI both sent and in the SSA is judged (and shown) once.
        if !all.contains(&uri) {
            all.push(uri);
        }
    }
    match all.iter().find_map(|u| uri_problem(u)) {
        Some(problem) => Outcome::fail(format!(
            "Invalid redirect_uris found in the Request: {problem}"
        )),
        None => Outcome::pass("every redirect URI is an https URL on a public host")
            .with("redirect_uris", all),
    }
}

pub static REDIRECT_SUBSET: CheckDef = CheckDef {
    id: "obuk.redirect.subset",
    title: "Redirect URIs are the SSA's",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "The request's `redirect_uris` are a subset of the SSA's `software_redirect_uris` (exact match); omitted, they default to the SSA's list.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[],
    run: redirect_subset,
};

fn redirect_subset(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(c), Some(s)) = (claims(cx), ssa(cx)) else {
        return Outcome::skip("no request or no SSA");
    };
    let allowed = strings(s.claims.get("software_redirect_uris"));
    let Some(requested) = c.get("redirect_uris").filter(|v| !v.is_null()) else {
        return Outcome::pass(
            "redirect_uris omitted: defaulted to the SSA's software_redirect_uris",
        )
        .with("defaulted", allowed);
    };
    if !requested.is_array() {
        return Outcome::fail(
            "redirect_uris must be an array of URIs, a subset of the software_redirect_uris",
        )
        .with("redirect_uris", requested.clone());
    }
    let requested = strings(Some(requested));
    let o = match requested.iter().find(|u| !allowed.contains(u)) {
        Some(_) => Outcome::fail("invalid registration request redirect_uris value, must match or be a subset of the software_redirect_uris"),
        None => Outcome::pass("the redirect URIs are among the SSA's"),
    };
    o.with("redirect_uris", requested)
        .with("software_redirect_uris", allowed)
}

pub static SAME_HOST: CheckDef = CheckDef {
    id: "obuk.uris.same_host",
    title: "One hostname for the software's URIs",
    spec: "WSO2 OB DCR validators",
    description: "The SSA's redirect, logo, terms, policy and client URIs share one hostname.",
    phase: Phase::Metadata,
    needs: &["ssa.jws_parse"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: same_host,
};

fn same_host(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(s) = ssa(cx) else {
        return Outcome::skip("no SSA");
    };
    let mut uris = strings(s.claims.get("software_redirect_uris"));
    for k in [
        "software_logo_uri",
        "software_tos_uri",
        "software_policy_uri",
        "software_client_uri",
    ] {
        if let Some(u) = s.claim_str(k) {
            uris.push(u.to_owned());
        }
    }
    let hosts: std::collections::BTreeSet<String> = uris
        .iter()
        .filter_map(|u| Url::parse(u).ok()?.host_str().map(str::to_ascii_lowercase))
        .collect();
    let o = if hosts.len() > 1 {
        Outcome::fail("Registration Request contains an invalid software_statement, its URIs are on different hostnames")
    } else {
        Outcome::pass("the software's URIs share one hostname")
    };
    o.with("hosts", hosts.into_iter().collect::<Vec<_>>())
}

pub static AUTH_SIGNING_ALG: CheckDef = CheckDef {
    id: "obuk.auth_method.signing_alg",
    title: "Signing alg for JWT client authentication",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "`private_key_jwt` / `client_secret_jwt` require `token_endpoint_auth_signing_alg` in PS256/ES256.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: auth_signing_alg,
};

fn auth_signing_alg(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let method = c
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(method, "private_key_jwt" | "client_secret_jwt") {
        return Outcome::skip(format!("`{method}` does not sign assertions"));
    }
    let alg = c
        .get("token_endpoint_auth_signing_alg")
        .and_then(Value::as_str);
    match alg {
        Some(a) if FAPI_ALGS.contains(&a) => {
            Outcome::pass(format!("assertions are signed with {a}"))
        }
        Some(a) => Outcome::fail(format!(
            "token_endpoint_auth_signing_alg `{a}` is not allowed (PS256, ES256)"
        )),
        None => Outcome::fail(format!(
            "Required parameter token_endpoint_auth_signing_alg not found (needed for {method})"
        )),
    }
}

pub static TLS_DN: CheckDef = CheckDef {
    id: "obuk.auth_method.tls_dn",
    title: "tls_client_auth subject is the presented certificate",
    spec: "OBIE DCR v3.2 §Data Model, RFC 8705 §2.1.2",
    description: "`tls_client_auth` requires `tls_client_auth_subject_dn` (at most `max_length` characters), equal as a distinguished name (RFC 4514 semantics, not string comparison) to the subject of the certificate presented.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "max_length", doc: "Longest accepted DN (OBIE data model: 128); 0: no limit.", default: ParamValue::Int(128) }],
    run: tls_dn,
};

fn tls_dn(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    if c.get("token_endpoint_auth_method").and_then(Value::as_str) != Some("tls_client_auth") {
        return Outcome::skip("not a tls_client_auth client");
    }
    let Some(dn) = c.get("tls_client_auth_subject_dn").and_then(Value::as_str) else {
        return Outcome::fail(
            "Required parameter tls_client_auth_subject_dn not found (needed for tls_client_auth)",
        );
    };
    let presented = cx.peer.map(|p| p.subject.as_str()).unwrap_or("");
    let max = params.int("max_length");
    let o = if max > 0 && dn.len() as i64 > max {
        Outcome::fail(format!(
            "tls_client_auth_subject_dn is longer than {max} characters"
        ))
    } else if !crate::dn::equivalent(dn, presented) {
        Outcome::fail(
            "tls_client_auth_subject_dn does not name the certificate presented on this connection",
        )
    } else {
        Outcome::pass("the DN names the presented certificate")
    };
    o.with("tls_client_auth_subject_dn", dn)
        .with("certificate_subject", presented)
}

pub static GRANT_TYPES: CheckDef = CheckDef {
    id: "obuk.grant_types",
    title: "Grant types allowed",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "`grant_types` is non-empty and each value is one of `allowed`.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Grant types a TPP may register.",
        default: ParamValue::List(&["authorization_code", "client_credentials", "refresh_token"]),
    }],
    run: grant_types,
};

fn grant_types(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let allowed = params.list("allowed");
    let grants = strings(c.get("grant_types"));
    let o = if grants.is_empty() {
        Outcome::fail("Invalid grantTypes provided: grant_types must not be empty")
    } else if let Some(bad) = grants.iter().find(|g| !allowed.contains(g)) {
        Outcome::fail(format!(
            "Invalid grantTypes provided: `{bad}` is not allowed"
        ))
    } else {
        Outcome::pass("every grant type is allowed")
    };
    o.with("grant_types", grants).with("allowed", allowed)
}

pub static RESPONSE_TYPES: CheckDef = CheckDef {
    id: "obuk.response_types",
    title: "Response types allowed",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "Each `response_types` value (default `code id_token`) is advertised in `response_types_supported`, and they need the `authorization_code` grant.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: response_types,
};

fn response_types(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let supported = &cx.profile.settings.discovery.response_types_supported;
    let requested = crate::client::effective_list(cx.profile, c, "response_types");
    let grants = strings(c.get("grant_types"));
    let o = if let Some(bad) = requested.iter().find(|r| !supported.contains(r)) {
        Outcome::fail(format!(
            "response type `{bad}` is not supported (supported: {})",
            supported.join(", ")
        ))
    } else if !requested.is_empty() && !grants.iter().any(|g| g == "authorization_code") {
        Outcome::fail("response_types need the authorization_code grant")
    } else {
        Outcome::pass("the response types are supported")
    };
    o.with("response_types", requested)
        .with("supported", supported.clone())
}

pub static SCOPE: CheckDef = CheckDef {
    id: "obuk.scope",
    title: "Scopes fit the software's roles",
    spec: "OBIE DCR v3.2 §Data Model, §Data Mapping",
    description: "`scope` is present; each value is supported; `accounts` needs the AISP role, `payments` PISP, `fundsconfirmations` CBPII (`openid` always allowed).",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: scope,
};

fn scope(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let Some(scope) = c.get("scope").and_then(Value::as_str) else {
        return Outcome::fail("Required parameter scope not found");
    };
    let roles = strings(ssa(cx).and_then(|s| s.claims.get("software_roles")));
    let supported = &cx.profile.settings.discovery.scopes_supported;
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !supported.iter().any(|x| x == s) {
            return Outcome::fail(format!("scope `{s}` is not supported")).with("scope", scope);
        }
        let role = match s {
            "accounts" => Some("AISP"),
            "payments" => Some("PISP"),
            "fundsconfirmations" => Some("CBPII"),
            _ => None,
        };
        if let Some(role) = role {
            if !roles.iter().any(|r| r == role) {
                return Outcome::fail(format!("scope `{s}` needs the {role} role, which the software statement does not grant"))
                    .with("scope", scope)
                    .with("software_roles", roles);
            }
        }
    }
    Outcome::pass("the scopes fit the software's roles")
        .with("scope", scope)
        .with("software_roles", roles)
}

pub static APPLICATION_TYPE: CheckDef = CheckDef {
    id: "obuk.application_type",
    title: "Application type",
    spec: "OBIE DCR v3.2 §Data Model",
    description: "`application_type` is `web` or `mobile`.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Accepted application types.",
        default: ParamValue::List(&["web", "mobile"]),
    }],
    run: application_type,
};

fn application_type(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let allowed = params.list("allowed");
    match c.get("application_type").and_then(Value::as_str) {
        Some(t) if allowed.iter().any(|a| a == t) => Outcome::pass(format!("`{t}`")),
        Some(t) => Outcome::fail(format!("Invalid applicationType provided: `{t}`")),
        None => Outcome::skip("no application_type"),
    }
}

pub static ALGS: CheckDef = CheckDef {
    id: "obuk.algs",
    title: "ID token and request object algorithms",
    spec: "OBIE DCR v3.2 §Data Model, FAPI-RW §8.6",
    description: "`id_token_signed_response_alg` and `request_object_signing_alg`, when present, are strings in PS256/ES256.",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: algs,
};

fn algs(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    for name in ["id_token_signed_response_alg", "request_object_signing_alg"] {
        match c.get(name) {
            None => {}
            Some(Value::String(a)) if FAPI_ALGS.contains(&a.as_str()) => {}
            Some(v) => return Outcome::fail(format!("{name} {v} is not allowed (PS256, ES256)")),
        }
    }
    Outcome::pass("algorithms are FAPI algorithms")
}

pub static JWKS_BY_VALUE: CheckDef = CheckDef {
    id: "obuk.jwks_by_value",
    title: "No keys by value",
    spec: "OBIE DCR v3.2 §Of JWS & JWKS",
    description: "The request does not register keys itself: `jwks` is refused, and a `jwks_uri` must be the SSA's `endpoint_claim` (`software_jwks_endpoint`; Open Finance Brasil: `software_jwks_uri`).",
    phase: Phase::Metadata,
    needs: &["request.jws_parse"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec { name: "endpoint_claim", doc: "The SSA claim that names the software's JWKS URL.", default: ParamValue::Str("software_jwks_endpoint") }],
    run: jwks_by_value,
};

fn jwks_by_value(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(c) = claims(cx) else {
        return Outcome::skip("no request claims");
    };
    let claim = params.str("endpoint_claim");
    let endpoint = ssa(cx).and_then(|s| s.claim_str(&claim)).unwrap_or("");
    if c.contains_key("jwks") {
        return Outcome::fail(format!("the request must not carry `jwks`: keys are published at the software statement's {claim}"));
    }
    match c.get("jwks_uri").and_then(Value::as_str) {
        Some(u) if u != endpoint => Outcome::fail(format!(
            "`jwks_uri` must be the software statement's {claim}"
        ))
        .with("jwks_uri", u)
        .with(&claim, endpoint),
        _ => Outcome::pass("keys come from the directory"),
    }
}

// --- management with a client-credentials token (§1.4, §4 #36-39) ---

pub static MGMT_MTLS: CheckDef = CheckDef {
    id: "obuk.mgmt.mtls",
    title: "Management over mutual TLS",
    spec: "OBIE DCR v3.2 §1.4",
    description: "GET/PUT/DELETE present a certificate that chains to the mockbank CA.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: mgmt_mtls,
};

fn mgmt_mtls(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.peer {
        None => Outcome::fail(
            "no client certificate: management requests need the transport certificate",
        ),
        Some(p) => match &p.chain_error {
            Some(e) => Outcome::fail(format!("the client certificate is not trusted: {e}")),
            None => {
                Outcome::pass("a trusted client certificate").with("subject", p.subject.as_str())
            }
        },
    }
}

pub static MGMT_BEARER: CheckDef = CheckDef {
    id: "obuk.mgmt.bearer",
    title: "Client-credentials token presented",
    spec: "OBIE DCR v3.2 §1.4, RFC 6750 §3.1",
    description: "The request carries a Bearer access token issued by this bank's token endpoint, active and not revoked.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: mgmt_bearer,
};

fn mgmt_bearer(cx: &CheckCx, _: &Params) -> Outcome {
    if cx.request.bearer_token().is_none() {
        return Outcome::fail("no access token: get one with client_credentials at the token endpoint and send it as a Bearer token").effect(crate::trace::Effect::BareChallenge);
    }
    match cx.management.and_then(|m| m.token.as_ref()) {
        None => Outcome::fail("the access token is not valid"),
        Some(t) if t.revoked => Outcome::fail(format!("the {} has been revoked", t.kind)),
        Some(t) if t.expired => Outcome::fail(format!("the {} has expired", t.kind)),
        Some(t) => Outcome::pass(format!("an active {}", t.kind)),
    }
}

pub static MGMT_CLIENT_KNOWN: CheckDef = CheckDef {
    id: "obuk.mgmt.client_known",
    title: "Client exists",
    spec: "OBIE DCR v3.2 §GET/PUT/DELETE",
    description: "The ClientId in the path is registered (not deleted); otherwise 401 and the token is revoked.",
    phase: Phase::Management,
    needs: &["obuk.mgmt.bearer"],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: mgmt_client_known,
};

fn mgmt_client_known(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = cx.management else {
        return Outcome::skip("not a management request");
    };
    match &m.client {
        Some(_) => Outcome::pass("the client exists").with("client_id", m.path_client_id.as_str()),
        None => Outcome::fail("the client is unknown or deleted; the access token is now revoked")
            .with("client_id", m.path_client_id.as_str())
            .effect(crate::trace::Effect::RevokePresentedToken),
    }
}

pub static MGMT_TOKEN_BINDING: CheckDef = CheckDef {
    id: "obuk.mgmt.token_binding",
    title: "Token belongs to the client",
    spec: "OBIE DCR v3.2 §GET, WSO2 token-client binding",
    description:
        "The access token was issued to the ClientId in the path; another client's token gets 403.",
    phase: Phase::Management,
    needs: &["obuk.mgmt.client_known"],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[],
    run: mgmt_token_binding,
};

fn mgmt_token_binding(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = cx.management else {
        return Outcome::skip("not a management request");
    };
    let Some(t) = &m.token else {
        return Outcome::skip("no token");
    };
    let o = if t.client_id == m.path_client_id {
        Outcome::pass("the token was issued to this client")
    } else {
        Outcome::fail("the access token was issued to another client, which may not read, update or delete this one")
    };
    o.with("token_client_id", t.client_id.as_str())
        .with("client_id", m.path_client_id.as_str())
}

pub static PUT_SAME_SOFTWARE: CheckDef = CheckDef {
    id: "obuk.mgmt.put_same_software",
    title: "Update keeps the software",
    spec: "OBIE DCR v3.2 §PUT",
    description: "An update's SSA names the software the client was registered with.",
    phase: Phase::Update,
    needs: &["ssa.signature"],
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: put_same_software,
};

fn put_same_software(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(registered) = signed(cx).and_then(|s| s.registered_software_id.clone()) else {
        return Outcome::skip("not an update");
    };
    let presented = ssa(cx)
        .and_then(|s| s.claim_str("software_id"))
        .unwrap_or("");
    let o = if presented == registered {
        Outcome::pass("the same software")
    } else {
        Outcome::fail("Registration Request contains an invalid software_statement, it is for another software than the one registered")
    };
    o.with("software_id", presented)
        .with("registered_software_id", registered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{
        assert_outcome, compact, management, peer, run_on, run_signed, shipped_once, signed_facts,
        token_state, Facts,
    };
    use crate::checks::TokenState;
    use crate::profile::Profile;
    use crate::request::RequestFacts;
    use crate::signed::SignedFacts;
    use crate::trace::Effect;
    use crate::trace::OutcomeKind::{Fail, Pass, Skip};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;
    const SOFTWARE: &str = "5rZPGKi3Hb3AbNDHdXpZwS";
    const TPP_ORG: &str = "0015800001HQQrZAAX";
    /// The bank's org_id, the obuk-v3.2 profile's accepted audience.
    const BANK: &str = "0015800001041REAAY";
    const JTI: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    /// The subject of the software's transport certificate (CN = software_id, OU = org_id).
    const TRANSPORT: &str =
        "CN=5rZPGKi3Hb3AbNDHdXpZwS,OU=0015800001HQQrZAAX,O=Example TPP Ltd,C=GB";

    fn obuk() -> &'static Profile {
        shipped_once("obuk-v3.2")
    }

    /// The claims of a registration request every obuk check passes.
    fn request() -> Value {
        json!({
            "iss": SOFTWARE,
            "iat": NOW,
            "exp": NOW + 300,
            "aud": BANK,
            "jti": JTI,
            "software_id": SOFTWARE,
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "PS256",
            "grant_types": ["authorization_code", "client_credentials", "refresh_token"],
            "response_types": ["code id_token"],
            "scope": "openid accounts payments",
            "software_statement": "eyJhbGciOiJQUzI1NiJ9.e30.c2ln",
            "application_type": "web",
            "id_token_signed_response_alg": "PS256",
            "request_object_signing_alg": "PS256",
            "redirect_uris": ["https://tpp.example.com/cb"],
        })
    }

    /// The claims of a software statement every obuk check passes.
    fn statement() -> Value {
        json!({
            "iss": "OpenBanking Ltd",
            "iat": NOW - 60,
            "jti": "6f5a3e1c-8d2b-4a7e-9c1d-2b3e4f5a6b7c",
            "software_id": SOFTWARE,
            "org_id": TPP_ORG,
            "org_status": "Active",
            "software_roles": ["AISP", "PISP"],
            "software_redirect_uris": ["https://tpp.example.com/cb", "https://tpp.example.com/cb2"],
            "software_jwks_endpoint": "https://keystore.example.org/0015800001HQQrZAAX/5rZPGKi3Hb3AbNDHdXpZwS.jwks",
            "software_logo_uri": "https://tpp.example.com/logo.png",
            "software_tos_uri": "https://tpp.example.com/tos",
        })
    }

    /// `base` with `changes` merged in; a `null` change removes the member.
    fn with(mut base: Value, changes: Value) -> Value {
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    }

    /// A signed registration with these request and statement claims, both parsed and
    /// verified.
    fn registration(request: Value, statement: Value) -> SignedFacts {
        let ssa = compact(json!({"alg": "PS256", "kid": "directory"}), statement);
        signed_facts(
            &compact(json!({"alg": "PS256", "kid": "k1"}), request),
            Some(&ssa),
        )
    }

    /// A signed registration whose body did not parse as a JWS.
    fn unparsed() -> SignedFacts {
        let mut facts = registration(request(), statement());
        facts.request = Some(Err(
            "a compact JWS has 3 dot-separated parts, this has 1".into()
        ));
        facts
    }

    /// Runs `id` of obuk-v3.2 on a request with these claims (and the valid statement).
    fn on_request(id: &str, request: Value) -> Outcome {
        run_signed(obuk(), id, &registration(request, statement()))
    }

    /// Runs `id` of obuk-v3.2 on the valid request with a statement with these claims.
    fn on_statement(id: &str, statement: Value) -> Outcome {
        run_signed(obuk(), id, &registration(request(), statement))
    }

    #[test]
    fn uuid_v4_and_uri_rules() {
        assert!(is_uuid_v4("3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
        assert!(!is_uuid_v4("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), "v1");
        assert!(!is_uuid_v4("not-a-uuid"));
        assert!(uri_problem("https://tpp.example.com/cb").is_none());
        assert!(uri_problem("http://tpp.example.com/cb")
            .unwrap()
            .contains("https"));
        assert!(uri_problem("https://app.localhost/cb")
            .unwrap()
            .contains("localhost"));
        assert!(uri_problem("https://127.0.0.1/cb")
            .unwrap()
            .contains("loopback"));
        assert!(uri_problem("https://tpp.example.com/cb#x")
            .unwrap()
            .contains("fragment"));
        assert!(is_base62("abc123", 22) && !is_base62("foo.is/invalid", 22) && !is_base62("", 22));
        assert!(!is_base62("123456789012345678901234567890", 22));
    }

    // --- obuk.mtls.matches_ssa ---

    fn transport(facts: SignedFacts, subject: &str) -> Outcome {
        let facts = Facts {
            signed: Some(facts),
            peer: Some(peer(subject)),
            ..Default::default()
        };
        run_on(obuk(), "obuk.mtls.matches_ssa", &facts)
    }

    #[test]
    fn obuk_mtls_matches_ssa_passes_for_a_transport_key_of_the_software() {
        let mut facts = registration(request(), statement());
        let thumbprint = peer("CN=x").thumbprint;
        facts.software_jwks = Some(json!({"keys": [{"use": "tls", "x5t#S256": thumbprint}]}));
        let o = transport(facts, "CN=some other name,O=Example TPP Ltd,C=GB");
        assert_outcome(&o, Pass, "a transport key of the SSA's software");
    }

    #[test]
    fn obuk_mtls_matches_ssa_passes_when_cn_and_ou_are_the_ssas_ids() {
        let o = transport(registration(request(), statement()), TRANSPORT);
        assert_outcome(&o, Pass, "CN and OU are the SSA's software_id and org_id");
        assert_eq!(o.values["software_id"], SOFTWARE);
        assert_eq!(o.values["org_id"], TPP_ORG);
    }

    #[test]
    fn obuk_mtls_matches_ssa_fails_for_another_softwares_certificate() {
        let other = "CN=9kQWnGnQ9e5bT7TEqcVxyh,OU=0015800001HQQrZAAX,O=Example TPP Ltd,C=GB";
        let o = transport(registration(request(), statement()), other);
        assert_outcome(&o, Fail, "tls transport cert does not match");
        assert_eq!(o.values["subject"], other);
        // The right software but another organisation fails too.
        let other_org = "CN=5rZPGKi3Hb3AbNDHdXpZwS,OU=0015800001ZZZZZAAA,O=Example TPP Ltd,C=GB";
        let o = transport(registration(request(), statement()), other_org);
        assert_outcome(&o, Fail, "tls transport cert does not match");
    }

    #[test]
    fn obuk_mtls_matches_ssa_fails_when_the_matching_key_is_not_a_transport_key() {
        let mut facts = registration(request(), statement());
        let thumbprint = peer("CN=x").thumbprint;
        facts.software_jwks = Some(json!({"keys": [{"use": "sig", "x5t#S256": thumbprint}]}));
        let o = transport(facts, "CN=some other name,O=Example TPP Ltd,C=GB");
        assert_outcome(&o, Fail, "tls transport cert does not match");
    }

    #[test]
    fn obuk_mtls_matches_ssa_skips_without_a_certificate() {
        let o = run_signed(
            obuk(),
            "obuk.mtls.matches_ssa",
            &registration(request(), statement()),
        );
        assert_outcome(&o, Skip, "no certificate");
    }

    // --- obuk.request.required_claims ---

    #[test]
    fn obuk_request_required_claims_pass_when_every_claim_is_present() {
        let o = on_request("obuk.request.required_claims", request());
        assert_outcome(&o, Pass, "every required claim is present");
        assert!(o.values["required"]
            .as_array()
            .unwrap()
            .contains(&json!("software_statement")));
    }

    #[test]
    fn obuk_request_required_claims_fail_naming_the_missing_claim() {
        let o = on_request(
            "obuk.request.required_claims",
            with(request(), json!({"scope": null})),
        );
        assert_outcome(&o, Fail, "Required parameter scope not found");
        let mut null_jti = request();
        null_jti["jti"] = Value::Null;
        let o = on_request("obuk.request.required_claims", null_jti);
        assert_outcome(&o, Fail, "Required parameter jti not found");
    }

    #[test]
    fn obuk_request_required_claims_are_the_profiles_set() {
        let lenient = shipped_once("obuk-v3.2-lenient");
        let no_aud = with(request(), json!({"aud": null}));
        let o = run_signed(
            lenient,
            "obuk.request.required_claims",
            &registration(no_aud.clone(), statement()),
        );
        assert_outcome(&o, Pass, "every required claim is present");
        let o = on_request("obuk.request.required_claims", no_aud);
        assert_outcome(&o, Fail, "Required parameter aud not found");
    }

    #[test]
    fn obuk_request_checks_skip_without_request_claims() {
        for id in [
            "obuk.request.required_claims",
            "obuk.request.exp",
            "obuk.request.iat",
            "obuk.request.iss",
            "obuk.request.aud",
            "obuk.request.jti",
            "obuk.request.software_id",
            "obuk.redirect.format",
            "obuk.auth_method.signing_alg",
            "obuk.auth_method.tls_dn",
            "obuk.grant_types",
            "obuk.response_types",
            "obuk.scope",
            "obuk.application_type",
            "obuk.algs",
            "obuk.jwks_by_value",
        ] {
            let o = run_signed(obuk(), id, &unparsed());
            assert_eq!(o.kind, Skip, "{id}: {o:?}");
            assert_eq!(o.message, "no request claims", "{id}");
        }
        let o = run_signed(obuk(), "obuk.redirect.subset", &unparsed());
        assert_outcome(&o, Skip, "no request or no SSA");
    }

    // --- obuk.request.exp / iat ---

    #[test]
    fn obuk_request_exp_passes_until_expiry_plus_skew() {
        let o = on_request("obuk.request.exp", request());
        assert_outcome(&o, Pass, "has not expired");
        assert_eq!(o.values["exp"], NOW + 300);
        let o = on_request(
            "obuk.request.exp",
            with(request(), json!({"exp": NOW - 30})),
        );
        assert_outcome(&o, Pass, "has not expired");
    }

    #[test]
    fn obuk_request_exp_fails_once_expired_beyond_the_skew() {
        let o = on_request(
            "obuk.request.exp",
            with(request(), json!({"exp": NOW - 31})),
        );
        assert_outcome(&o, Fail, "the request has expired (exp)");
        assert_eq!(o.values["now"], NOW);
    }

    #[test]
    fn obuk_request_exp_passes_for_the_farthest_future_exp() {
        let o = on_request(
            "obuk.request.exp",
            with(request(), json!({"exp": i64::MAX})),
        );
        assert_outcome(&o, Pass, "has not expired");
    }

    #[test]
    fn obuk_request_exp_fails_without_a_numeric_exp() {
        let o = on_request("obuk.request.exp", with(request(), json!({"exp": null})));
        assert_outcome(&o, Fail, "no numeric `exp`");
        let o = on_request(
            "obuk.request.exp",
            with(request(), json!({"exp": "1700000300"})),
        );
        assert_outcome(&o, Fail, "no numeric `exp`");
    }

    #[test]
    fn obuk_request_iat_passes_up_to_the_skew_in_the_future() {
        let o = on_request("obuk.request.iat", request());
        assert_outcome(&o, Pass, "`iat` is not in the future");
        let o = on_request(
            "obuk.request.iat",
            with(request(), json!({"iat": NOW + 60})),
        );
        assert_outcome(&o, Pass, "`iat` is not in the future");
    }

    #[test]
    fn obuk_request_iat_fails_in_the_future_or_missing() {
        let o = on_request(
            "obuk.request.iat",
            with(request(), json!({"iat": NOW + 61})),
        );
        assert_outcome(&o, Fail, "its `iat` is in the future");
        assert_eq!(o.values["iat"], NOW + 61);
        let o = on_request("obuk.request.iat", with(request(), json!({"iat": null})));
        assert_outcome(&o, Fail, "no numeric `iat`");
    }

    // --- obuk.request.iss ---

    #[test]
    fn obuk_request_iss_passes_for_the_ssas_software_id() {
        let o = on_request("obuk.request.iss", request());
        assert_outcome(&o, Pass, "`iss` is the software id");
        assert_eq!(o.values["software_id"], SOFTWARE);
    }

    #[test]
    fn obuk_request_iss_fails_when_not_a_software_id() {
        let o = on_request(
            "obuk.request.iss",
            with(request(), json!({"iss": "foo.is/invalid"})),
        );
        assert_outcome(&o, Fail, "`foo.is/invalid` is not a software id");
        let o = on_request("obuk.request.iss", with(request(), json!({"iss": null})));
        assert_outcome(&o, Fail, "is not a software id");
    }

    #[test]
    fn obuk_request_iss_fails_for_another_software() {
        let o = on_request(
            "obuk.request.iss",
            with(request(), json!({"iss": "9kQWnGnQ9e5bT7TEqcVxyh"})),
        );
        assert_outcome(&o, Fail, "issuer should be the same as the software id");
        assert_eq!(o.values["iss"], "9kQWnGnQ9e5bT7TEqcVxyh");
    }

    // --- obuk.request.aud ---

    #[test]
    fn obuk_request_aud_passes_for_the_banks_org_id_or_issuer() {
        let o = on_request("obuk.request.aud", request());
        assert_outcome(&o, Pass, "addressed to this bank");
        let issuer = "https://127.0.0.1:8443/obuk-v3.2/";
        let o = on_request("obuk.request.aud", with(request(), json!({"aud": issuer})));
        assert_outcome(&o, Pass, "addressed to this bank");
        let o = on_request(
            "obuk.request.aud",
            with(
                request(),
                json!({"aud": ["https://other.example", "https://127.0.0.1:8443/obuk-v3.2"]}),
            ),
        );
        assert_outcome(&o, Pass, "addressed to this bank");
    }

    #[test]
    fn obuk_request_aud_fails_for_another_audience() {
        let o = on_request(
            "obuk.request.aud",
            with(request(), json!({"aud": "https://other-bank.example"})),
        );
        assert_outcome(&o, Fail, "is not this bank");
        assert!(o.message.contains(BANK), "{}", o.message);
        assert_eq!(o.values["aud"], json!(["https://other-bank.example"]));
        let o = on_request("obuk.request.aud", with(request(), json!({"aud": null})));
        assert_outcome(&o, Fail, "aud [] is not this bank");
    }

    // --- obuk.request.jti ---

    #[test]
    fn obuk_request_jti_passes_for_a_fresh_uuid_v4() {
        let o = on_request("obuk.request.jti", request());
        assert_outcome(&o, Pass, "fresh UUID v4");
        assert_eq!(o.values["jti"], JTI);
    }

    #[test]
    fn obuk_request_jti_fails_when_not_a_uuid_v4() {
        let v1 = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        let o = on_request("obuk.request.jti", with(request(), json!({"jti": v1})));
        assert_outcome(&o, Fail, &format!("jti `{v1}` is not a UUID v4"));
    }

    #[test]
    fn obuk_request_jti_fails_when_replayed() {
        let mut facts = registration(request(), statement());
        facts.request_jti_replayed = Some(true);
        let o = run_signed(obuk(), "obuk.request.jti", &facts);
        assert_outcome(&o, Fail, "jti was already used (replay)");
    }

    // --- obuk.request.software_id ---

    #[test]
    fn obuk_request_software_id_passes_when_it_is_the_ssas() {
        let o = on_request("obuk.request.software_id", request());
        assert_outcome(&o, Pass, "matches the SSA");
    }

    #[test]
    fn obuk_request_software_id_fails_when_it_is_not_the_ssas() {
        let o = on_request(
            "obuk.request.software_id",
            with(request(), json!({"software_id": "9kQWnGnQ9e5bT7TEqcVxyh"})),
        );
        assert_outcome(&o, Fail, "does not match the software statement");
        assert_eq!(o.values["ssa_software_id"], SOFTWARE);
    }

    #[test]
    fn obuk_request_software_id_skips_when_not_sent() {
        let o = on_request(
            "obuk.request.software_id",
            with(request(), json!({"software_id": null})),
        );
        assert_outcome(&o, Skip, "no `software_id` in the request");
    }

    // --- obuk.redirect.format ---

    #[test]
    fn obuk_redirect_format_passes_for_public_https_uris() {
        let o = on_request("obuk.redirect.format", request());
        assert_outcome(&o, Pass, "https URL on a public host");
        // The request's URI and the SSA's, each judged once.
        assert_eq!(
            o.values["redirect_uris"],
            json!(["https://tpp.example.com/cb", "https://tpp.example.com/cb2"])
        );
    }

    #[test]
    fn obuk_redirect_format_fails_for_an_http_uri_in_the_request() {
        let o = on_request(
            "obuk.redirect.format",
            with(
                request(),
                json!({"redirect_uris": ["http://tpp.example.com/cb"]}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "Invalid redirect_uris found in the Request: redirect URI `http://tpp.example.com/cb` must use https",
        );
    }

    #[test]
    fn obuk_redirect_format_fails_for_a_loopback_uri_in_the_ssa() {
        let o = on_statement(
            "obuk.redirect.format",
            with(
                statement(),
                json!({"software_redirect_uris": ["https://localhost/cb"]}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "`https://localhost/cb` must not point at localhost",
        );
        let long = format!("https://tpp.example.com/{}", "a".repeat(240));
        let o = on_request(
            "obuk.redirect.format",
            with(request(), json!({"redirect_uris": [long]})),
        );
        assert_outcome(&o, Fail, "longer than 256 characters");
    }

    // --- obuk.redirect.subset ---

    #[test]
    fn obuk_redirect_subset_passes_for_uris_of_the_ssa() {
        let o = on_request("obuk.redirect.subset", request());
        assert_outcome(&o, Pass, "among the SSA's");
        assert_eq!(
            o.values["redirect_uris"],
            json!(["https://tpp.example.com/cb"])
        );
    }

    #[test]
    fn obuk_redirect_subset_defaults_omitted_uris_to_the_ssas() {
        let o = on_request(
            "obuk.redirect.subset",
            with(request(), json!({"redirect_uris": null})),
        );
        assert_outcome(&o, Pass, "defaulted to the SSA's software_redirect_uris");
        assert_eq!(
            o.values["defaulted"],
            json!(["https://tpp.example.com/cb", "https://tpp.example.com/cb2"])
        );
    }

    #[test]
    fn obuk_redirect_subset_fails_for_a_uri_outside_the_ssa() {
        let o = on_request(
            "obuk.redirect.subset",
            with(
                request(),
                json!({"redirect_uris": ["https://tpp.example.com/cb", "https://tpp.example.com/other"]}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "must match or be a subset of the software_redirect_uris",
        );
        // Exact match: a trailing slash is another URI.
        let o = on_request(
            "obuk.redirect.subset",
            with(
                request(),
                json!({"redirect_uris": ["https://tpp.example.com/cb/"]}),
            ),
        );
        assert_eq!(o.kind, Fail, "{o:?}");
    }

    #[test]
    fn obuk_redirect_subset_fails_when_not_an_array() {
        let o = on_request(
            "obuk.redirect.subset",
            with(
                request(),
                json!({"redirect_uris": "https://tpp.example.com/cb"}),
            ),
        );
        assert_outcome(&o, Fail, "redirect_uris must be an array of URIs");
    }

    #[test]
    fn obuk_redirect_subset_skips_without_an_ssa() {
        let facts = signed_facts(&compact(json!({"alg": "PS256"}), request()), None);
        let o = run_signed(obuk(), "obuk.redirect.subset", &facts);
        assert_outcome(&o, Skip, "no request or no SSA");
    }

    // --- obuk.uris.same_host ---

    #[test]
    fn obuk_uris_same_host_passes_when_the_ssas_uris_share_a_host() {
        let o = on_statement("obuk.uris.same_host", statement());
        assert_outcome(&o, Pass, "share one hostname");
        assert_eq!(o.values["hosts"], json!(["tpp.example.com"]));
    }

    #[test]
    fn obuk_uris_same_host_fails_for_a_uri_on_another_host() {
        let o = on_statement(
            "obuk.uris.same_host",
            with(
                statement(),
                json!({"software_logo_uri": "https://cdn.example.net/logo.png"}),
            ),
        );
        assert_outcome(&o, Fail, "its URIs are on different hostnames");
        assert_eq!(
            o.values["hosts"],
            json!(["cdn.example.net", "tpp.example.com"])
        );
    }

    #[test]
    fn obuk_uris_same_host_skips_without_an_ssa() {
        let facts = signed_facts(&compact(json!({"alg": "PS256"}), request()), None);
        let o = run_signed(obuk(), "obuk.uris.same_host", &facts);
        assert_outcome(&o, Skip, "no SSA");
    }

    // --- obuk.auth_method.signing_alg ---

    #[test]
    fn obuk_auth_method_signing_alg_passes_for_a_fapi_alg() {
        let o = on_request("obuk.auth_method.signing_alg", request());
        assert_outcome(&o, Pass, "assertions are signed with PS256");
    }

    #[test]
    fn obuk_auth_method_signing_alg_fails_for_another_alg_or_none() {
        let o = on_request(
            "obuk.auth_method.signing_alg",
            with(
                request(),
                json!({"token_endpoint_auth_signing_alg": "RS256"}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "token_endpoint_auth_signing_alg `RS256` is not allowed",
        );
        let o = on_request(
            "obuk.auth_method.signing_alg",
            with(
                request(),
                json!({"token_endpoint_auth_method": "client_secret_jwt", "token_endpoint_auth_signing_alg": null}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "Required parameter token_endpoint_auth_signing_alg not found (needed for client_secret_jwt)",
        );
    }

    #[test]
    fn obuk_auth_method_signing_alg_skips_for_tls_client_auth() {
        let o = on_request(
            "obuk.auth_method.signing_alg",
            with(
                request(),
                json!({"token_endpoint_auth_method": "tls_client_auth"}),
            ),
        );
        assert_outcome(&o, Skip, "`tls_client_auth` does not sign assertions");
    }

    // --- obuk.auth_method.tls_dn ---

    fn tls_dn(profile: &Profile, dn: Option<&str>, subject: &str) -> Outcome {
        let mut claims = with(
            request(),
            json!({"token_endpoint_auth_method": "tls_client_auth"}),
        );
        if let Some(dn) = dn {
            claims["tls_client_auth_subject_dn"] = dn.into();
        }
        let facts = Facts {
            signed: Some(registration(claims, statement())),
            peer: Some(peer(subject)),
            ..Default::default()
        };
        run_on(profile, "obuk.auth_method.tls_dn", &facts)
    }

    #[test]
    fn obuk_auth_method_tls_dn_passes_for_the_presented_certificates_dn() {
        // The same name in another spelling: compared as a DN, not as a string.
        let dn = "cn=5rzpgki3hb3abndhdxpzws, ou=0015800001HQQrZAAX, o=Example  TPP Ltd, c=GB";
        let o = tls_dn(obuk(), Some(dn), TRANSPORT);
        assert_outcome(&o, Pass, "names the presented certificate");
        assert_eq!(o.values["certificate_subject"], TRANSPORT);
    }

    #[test]
    fn obuk_auth_method_tls_dn_fails_for_another_certificates_dn() {
        let other = "CN=9kQWnGnQ9e5bT7TEqcVxyh,OU=0015800001HQQrZAAX,O=Example TPP Ltd,C=GB";
        let o = tls_dn(obuk(), Some(other), TRANSPORT);
        assert_outcome(&o, Fail, "does not name the certificate presented");
        assert_eq!(o.values["tls_client_auth_subject_dn"], other);
    }

    #[test]
    fn obuk_auth_method_tls_dn_fails_without_the_dn() {
        let o = tls_dn(obuk(), None, TRANSPORT);
        assert_outcome(
            &o,
            Fail,
            "Required parameter tls_client_auth_subject_dn not found",
        );
    }

    #[test]
    fn obuk_auth_method_tls_dn_fails_over_the_max_length() {
        let long = format!("{TRANSPORT},L={}", "x".repeat(100));
        let o = tls_dn(obuk(), Some(&long), &long);
        assert_outcome(&o, Fail, "longer than 128 characters");
        // Open Finance Brasil sets no limit.
        let o = tls_dn(shipped_once("ofb"), Some(&long), &long);
        assert_outcome(&o, Pass, "names the presented certificate");
    }

    #[test]
    fn obuk_auth_method_tls_dn_skips_for_other_methods() {
        let o = on_request("obuk.auth_method.tls_dn", request());
        assert_outcome(&o, Skip, "not a tls_client_auth client");
    }

    // --- obuk.grant_types ---

    #[test]
    fn obuk_grant_types_pass_when_each_is_allowed() {
        let o = on_request("obuk.grant_types", request());
        assert_outcome(&o, Pass, "every grant type is allowed");
    }

    #[test]
    fn obuk_grant_types_fail_for_a_grant_not_allowed() {
        let o = on_request(
            "obuk.grant_types",
            with(
                request(),
                json!({"grant_types": ["client_credentials", "password"]}),
            ),
        );
        assert_outcome(&o, Fail, "`password` is not allowed");
        assert_eq!(
            o.values["grant_types"],
            json!(["client_credentials", "password"])
        );
    }

    #[test]
    fn obuk_grant_types_fail_when_empty_or_missing() {
        let o = on_request(
            "obuk.grant_types",
            with(request(), json!({"grant_types": []})),
        );
        assert_outcome(&o, Fail, "grant_types must not be empty");
        let o = on_request(
            "obuk.grant_types",
            with(request(), json!({"grant_types": null})),
        );
        assert_outcome(&o, Fail, "grant_types must not be empty");
    }

    // --- obuk.response_types ---

    #[test]
    fn obuk_response_types_pass_when_supported_with_the_code_grant() {
        let o = on_request("obuk.response_types", request());
        assert_outcome(&o, Pass, "the response types are supported");
        // Omitted: the profile's default `code id_token`.
        let o = on_request(
            "obuk.response_types",
            with(request(), json!({"response_types": null})),
        );
        assert_outcome(&o, Pass, "the response types are supported");
        assert_eq!(o.values["response_types"], json!(["code id_token"]));
    }

    #[test]
    fn obuk_response_types_fail_for_an_unsupported_type() {
        let o = on_request(
            "obuk.response_types",
            with(request(), json!({"response_types": ["token"]})),
        );
        assert_outcome(&o, Fail, "response type `token` is not supported");
    }

    #[test]
    fn obuk_response_types_fail_without_the_authorization_code_grant() {
        let o = on_request(
            "obuk.response_types",
            with(
                request(),
                json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
            ),
        );
        assert_outcome(&o, Fail, "need the authorization_code grant");
        // An explicit empty list asks for none.
        let o = on_request(
            "obuk.response_types",
            with(
                request(),
                json!({"grant_types": ["client_credentials"], "response_types": []}),
            ),
        );
        assert_outcome(&o, Pass, "the response types are supported");
    }

    // --- obuk.scope ---

    #[test]
    fn obuk_scope_passes_when_the_roles_allow_every_scope() {
        let o = on_request("obuk.scope", request());
        assert_outcome(&o, Pass, "the scopes fit the software's roles");
        assert_eq!(o.values["software_roles"], json!(["AISP", "PISP"]));
    }

    #[test]
    fn obuk_scope_fails_without_the_role_the_scope_needs() {
        let o = on_statement(
            "obuk.scope",
            with(statement(), json!({"software_roles": ["AISP"]})),
        );
        assert_outcome(&o, Fail, "scope `payments` needs the PISP role");
        let o = on_request(
            "obuk.scope",
            with(request(), json!({"scope": "openid fundsconfirmations"})),
        );
        assert_outcome(&o, Fail, "scope `fundsconfirmations` needs the CBPII role");
    }

    #[test]
    fn obuk_scope_fails_for_an_unsupported_or_missing_scope() {
        let o = on_request(
            "obuk.scope",
            with(request(), json!({"scope": "openid email"})),
        );
        assert_outcome(&o, Fail, "scope `email` is not supported");
        let o = on_request("obuk.scope", with(request(), json!({"scope": null})));
        assert_outcome(&o, Fail, "Required parameter scope not found");
    }

    // --- obuk.application_type ---

    #[test]
    fn obuk_application_type_passes_for_web_or_mobile() {
        let o = on_request("obuk.application_type", request());
        assert_outcome(&o, Pass, "`web`");
        let o = on_request(
            "obuk.application_type",
            with(request(), json!({"application_type": "mobile"})),
        );
        assert_outcome(&o, Pass, "`mobile`");
    }

    #[test]
    fn obuk_application_type_fails_for_another_type() {
        let o = on_request(
            "obuk.application_type",
            with(request(), json!({"application_type": "native"})),
        );
        assert_outcome(&o, Fail, "Invalid applicationType provided: `native`");
    }

    #[test]
    fn obuk_application_type_skips_when_not_sent() {
        let o = on_request(
            "obuk.application_type",
            with(request(), json!({"application_type": null})),
        );
        assert_outcome(&o, Skip, "no application_type");
    }

    // --- obuk.algs ---

    #[test]
    fn obuk_algs_pass_for_fapi_algs_or_none_sent() {
        let o = on_request("obuk.algs", request());
        assert_outcome(&o, Pass, "FAPI algorithms");
        let o = on_request(
            "obuk.algs",
            with(
                request(),
                json!({"id_token_signed_response_alg": null, "request_object_signing_alg": null}),
            ),
        );
        assert_outcome(&o, Pass, "FAPI algorithms");
    }

    #[test]
    fn obuk_algs_fail_naming_the_claim_with_another_alg() {
        let o = on_request(
            "obuk.algs",
            with(request(), json!({"id_token_signed_response_alg": "RS256"})),
        );
        assert_outcome(
            &o,
            Fail,
            "id_token_signed_response_alg \"RS256\" is not allowed",
        );
        let o = on_request(
            "obuk.algs",
            with(request(), json!({"request_object_signing_alg": 256})),
        );
        assert_outcome(&o, Fail, "request_object_signing_alg 256 is not allowed");
    }

    // --- obuk.jwks_by_value ---

    #[test]
    fn obuk_jwks_by_value_passes_for_the_ssas_jwks_endpoint_or_none() {
        let o = on_request("obuk.jwks_by_value", request());
        assert_outcome(&o, Pass, "keys come from the directory");
        let endpoint = statement()["software_jwks_endpoint"].clone();
        let o = on_request(
            "obuk.jwks_by_value",
            with(request(), json!({"jwks_uri": endpoint})),
        );
        assert_outcome(&o, Pass, "keys come from the directory");
    }

    #[test]
    fn obuk_jwks_by_value_fails_for_keys_in_the_request() {
        let o = on_request(
            "obuk.jwks_by_value",
            with(request(), json!({"jwks": {"keys": []}})),
        );
        assert_outcome(&o, Fail, "must not carry `jwks`");
    }

    #[test]
    fn obuk_jwks_by_value_fails_for_another_jwks_uri() {
        let o = on_request(
            "obuk.jwks_by_value",
            with(
                request(),
                json!({"jwks_uri": "https://tpp.example.com/jwks"}),
            ),
        );
        assert_outcome(
            &o,
            Fail,
            "must be the software statement's software_jwks_endpoint",
        );
        assert_eq!(o.values["jwks_uri"], "https://tpp.example.com/jwks");
        assert_eq!(
            o.values["software_jwks_endpoint"],
            statement()["software_jwks_endpoint"]
        );
    }

    // --- management: obuk.mgmt.* ---

    fn managed(id: &str, facts: Facts) -> Outcome {
        run_on(obuk(), id, &facts)
    }

    fn bearer() -> RequestFacts {
        RequestFacts {
            method: "GET".into(),
            authorization: Some("Bearer at-1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn obuk_mgmt_mtls_passes_for_a_trusted_certificate() {
        let o = managed(
            "obuk.mgmt.mtls",
            Facts {
                peer: Some(peer(TRANSPORT)),
                ..Default::default()
            },
        );
        assert_outcome(&o, Pass, "a trusted client certificate");
        assert_eq!(o.values["subject"], TRANSPORT);
    }

    #[test]
    fn obuk_mgmt_mtls_fails_without_a_trusted_certificate() {
        let o = managed("obuk.mgmt.mtls", Facts::default());
        assert_outcome(&o, Fail, "no client certificate");
        let mut untrusted = peer(TRANSPORT);
        untrusted.chain_error = Some("unknown issuer".into());
        let o = managed(
            "obuk.mgmt.mtls",
            Facts {
                peer: Some(untrusted),
                ..Default::default()
            },
        );
        assert_outcome(&o, Fail, "not trusted: unknown issuer");
    }

    #[test]
    fn obuk_mgmt_bearer_passes_for_an_active_access_token() {
        let o = managed(
            "obuk.mgmt.bearer",
            Facts {
                request: bearer(),
                management: Some(management(
                    "c1",
                    Some(token_state("access token", "c1")),
                    None,
                )),
                ..Default::default()
            },
        );
        assert_outcome(&o, Pass, "an active access token");
    }

    #[test]
    fn obuk_mgmt_bearer_fails_with_a_bare_challenge_without_a_token() {
        let o = managed("obuk.mgmt.bearer", Facts::default());
        assert_outcome(&o, Fail, "no access token");
        assert_eq!(o.effects, vec![Effect::BareChallenge]);
        let basic = RequestFacts {
            authorization: Some("Basic YzE6cw==".into()),
            ..Default::default()
        };
        let o = managed(
            "obuk.mgmt.bearer",
            Facts {
                request: basic,
                ..Default::default()
            },
        );
        assert_outcome(&o, Fail, "no access token");
    }

    #[test]
    fn obuk_mgmt_bearer_fails_for_an_unknown_revoked_or_expired_token() {
        let run = |token: Option<TokenState>| {
            managed(
                "obuk.mgmt.bearer",
                Facts {
                    request: bearer(),
                    management: Some(management("c1", token, None)),
                    ..Default::default()
                },
            )
        };
        let o = run(None);
        assert_outcome(&o, Fail, "the access token is not valid");
        assert!(o.effects.is_empty(), "a token was presented: {o:?}");
        let mut revoked = token_state("access token", "c1");
        revoked.revoked = true;
        assert_outcome(
            &run(Some(revoked)),
            Fail,
            "the access token has been revoked",
        );
        let mut expired = token_state("access token", "c1");
        expired.expired = true;
        assert_outcome(&run(Some(expired)), Fail, "the access token has expired");
    }

    #[test]
    fn obuk_mgmt_client_known_passes_for_a_registered_client() {
        let m = management(
            "c1",
            Some(token_state("access token", "c1")),
            Some(json!({})),
        );
        let o = managed(
            "obuk.mgmt.client_known",
            Facts {
                management: Some(m),
                ..Default::default()
            },
        );
        assert_outcome(&o, Pass, "the client exists");
        assert_eq!(o.values["client_id"], "c1");
    }

    #[test]
    fn obuk_mgmt_client_known_fails_and_revokes_for_an_unknown_client() {
        let m = management("gone", Some(token_state("access token", "gone")), None);
        let o = managed(
            "obuk.mgmt.client_known",
            Facts {
                management: Some(m),
                ..Default::default()
            },
        );
        assert_outcome(&o, Fail, "the client is unknown or deleted");
        assert_eq!(o.values["client_id"], "gone");
        assert_eq!(o.effects, vec![Effect::RevokePresentedToken]);
    }

    #[test]
    fn obuk_mgmt_client_known_skips_outside_management() {
        let o = managed("obuk.mgmt.client_known", Facts::default());
        assert_outcome(&o, Skip, "not a management request");
    }

    #[test]
    fn obuk_mgmt_token_binding_passes_for_the_clients_own_token() {
        let m = management(
            "c1",
            Some(token_state("access token", "c1")),
            Some(json!({})),
        );
        let o = managed(
            "obuk.mgmt.token_binding",
            Facts {
                management: Some(m),
                ..Default::default()
            },
        );
        assert_outcome(&o, Pass, "issued to this client");
    }

    #[test]
    fn obuk_mgmt_token_binding_fails_for_another_clients_token() {
        let m = management(
            "c1",
            Some(token_state("access token", "c2")),
            Some(json!({})),
        );
        let o = managed(
            "obuk.mgmt.token_binding",
            Facts {
                management: Some(m),
                ..Default::default()
            },
        );
        assert_outcome(&o, Fail, "issued to another client");
        assert_eq!(o.values["token_client_id"], "c2");
        assert_eq!(o.values["client_id"], "c1");
    }

    #[test]
    fn obuk_mgmt_token_binding_skips_without_a_token() {
        let o = managed(
            "obuk.mgmt.token_binding",
            Facts {
                management: Some(management("c1", None, Some(json!({})))),
                ..Default::default()
            },
        );
        assert_outcome(&o, Skip, "no token");
    }

    // --- obuk.mgmt.put_same_software ---

    fn update(registered: Option<&str>, statement: Value) -> Outcome {
        let mut facts = registration(request(), statement);
        facts.registered_software_id = registered.map(str::to_owned);
        run_signed(obuk(), "obuk.mgmt.put_same_software", &facts)
    }

    #[test]
    fn obuk_mgmt_put_same_software_passes_for_the_registered_software() {
        let o = update(Some(SOFTWARE), statement());
        assert_outcome(&o, Pass, "the same software");
    }

    #[test]
    fn obuk_mgmt_put_same_software_fails_for_another_software() {
        let o = update(
            Some(SOFTWARE),
            with(
                statement(),
                json!({"software_id": "9kQWnGnQ9e5bT7TEqcVxyh"}),
            ),
        );
        assert_outcome(&o, Fail, "for another software than the one registered");
        assert_eq!(o.values["registered_software_id"], SOFTWARE);
        assert_eq!(o.values["software_id"], "9kQWnGnQ9e5bT7TEqcVxyh");
    }

    #[test]
    fn obuk_mgmt_put_same_software_skips_at_registration() {
        let o = update(None, statement());
        assert_outcome(&o, Skip, "not an update");
    }
}
