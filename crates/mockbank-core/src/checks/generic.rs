//! Client metadata checks (RFC 7591 §2, OIDC-Reg §2, RFC 8705 §2), run on registration and
//! on update. Redirect URI problems answer `invalid_redirect_uri`, everything else
//! `invalid_client_metadata` (RFC 7591 §3.2.2).

use serde_json::{Map, Value};
use url::Url;

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::client::{
    effective_list, effective_str, field_type, is_known, FieldType, SERVER_ASSIGNED,
};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &TYPES,
    &UNKNOWN,
    &REDIRECT_REQUIRED,
    &REDIRECT_ABSOLUTE,
    &REDIRECT_NO_FRAGMENT,
    &REDIRECT_SCHEME,
    &REDIRECT_IMPLICIT_HTTPS,
    &APPLICATION_TYPE,
    &GRANT_TYPES,
    &RESPONSE_TYPES,
    &GRANT_RESPONSE,
    &AUTH_METHOD,
    &AUTH_SIGNING_ALG,
    &ALGS_SUPPORTED,
    &JWKS_EXCLUSIVE,
    &JWKS_PUBLIC,
    &PRIVATE_KEY_JWT_KEYS,
    &TLS_SUBJECT,
    &URIS,
    &SCOPE,
    &ENCRYPTION,
    &SUBJECT_TYPE,
    &SOFTWARE_STATEMENT_IGNORED,
    &CONTACTS,
];

const NEEDS_BODY: &[&str] = &["request.json_object"];
const NEEDS_REDIRECTS: &[&str] = &["generic.redirect.required"];
const NEEDS_ABSOLUTE: &[&str] = &["generic.redirect.absolute"];

fn fmt_list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// Runs `f` on the metadata object, or skips when there is none.
fn with_md(cx: &CheckCx, f: impl FnOnce(&Map<String, Value>) -> Outcome) -> Outcome {
    match cx.metadata() {
        Some(md) => f(md),
        None => Outcome::skip("no metadata object to check"),
    }
}

fn redirect_uris(md: &Map<String, Value>) -> Vec<&str> {
    md.get("redirect_uris")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Grant types whose flows send the user agent to a redirect URI (RFC 7591 §2).
const REDIRECT_GRANTS: &[&str] = &["authorization_code", "implicit"];

/// URI schemes a redirect must never use: the browser would run or show the response itself.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "vbscript", "data", "blob", "file", "about"];

pub static TYPES: CheckDef = CheckDef {
    id: "generic.metadata.types",
    title: "Metadata members have their types",
    spec: "RFC 7591 §2",
    description: "Every known member has the JSON type its spec gives it (strings, arrays of strings, booleans, non-negative integers, a JWK Set object); URL members carry no raw control characters (RFC 3986 §2; a redirect URI that does answers `invalid_redirect_uri`); `tls_client_auth_subject_dn` parses as an RFC 4514 DN. Every profile runs it.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: types,
};

fn types(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let mut checked = 0;
        for (name, value) in md {
            if SERVER_ASSIGNED.contains(&name.as_str()) || value.is_null() {
                continue;
            }
            let Some(ft) = field_type(name) else { continue };
            checked += 1;
            if let Some(why) = ft.problem(value) {
                let o = Outcome::fail(format!("`{name}` {why}"))
                    .with("member", name.as_str())
                    .with("value", value.clone());
                // RFC 7591 §3.2.2: "the value of one or more redirection URIs is invalid" is
                // `invalid_redirect_uri`, whether the member is not an array of URIs or one of
                // them is not a URI (as the reference, oidc-provider, answers).
                return if name == "redirect_uris" {
                    o.answering(ErrorCode::InvalidRedirectUri)
                } else {
                    o
                };
            }
        }
        Outcome::pass(format!("{checked} known members have their types"))
    })
}

pub static UNKNOWN: CheckDef = CheckDef {
    id: "generic.metadata.unknown",
    title: "Unknown metadata",
    spec: "RFC 7591 §2",
    description: "Members the server does not understand are ignored and not stored (RFC 7591 §2), or refused in a strict profile (`reject = true`). Server-assigned members (`client_id`, `client_secret`, ...) sent by a client are ignored too.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "reject",
        doc: "Refuse unknown members instead of dropping them.",
        default: ParamValue::Bool(false),
    }],
    run: unknown,
};

fn unknown(cx: &CheckCx, params: &Params) -> Outcome {
    with_md(cx, |md| {
        let unknown: Vec<&str> = md
            .keys()
            .map(String::as_str)
            .filter(|k| !SERVER_ASSIGNED.contains(k) && !is_known(cx.profile, k))
            .collect();
        let ignored: Vec<&str> = md
            .keys()
            .map(String::as_str)
            .filter(|k| SERVER_ASSIGNED.contains(k) && *k != "client_id" && *k != "client_secret")
            .collect();
        if unknown.is_empty() {
            return Outcome::pass("every member is known").with("ignored_server_members", ignored);
        }
        let o = if params.bool("reject") {
            Outcome::fail(format!("unknown metadata member `{}`", unknown[0]))
        } else {
            Outcome::pass(format!(
                "unknown members are ignored: {}",
                unknown.join(", ")
            ))
        };
        o.with("unknown", unknown)
            .with("ignored_server_members", ignored)
    })
}

pub static REDIRECT_REQUIRED: CheckDef = CheckDef {
    id: "generic.redirect.required",
    title: "redirect_uris present when needed",
    spec: "RFC 7591 §2",
    description: "`redirect_uris` is present, and non-empty when a redirect-based grant (`authorization_code`, `implicit`) is registered — or always with `always = true` (OIDC-Reg §2).",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[ParamSpec {
        name: "always",
        doc: "Require redirect URIs for every client, as OpenID Connect does.",
        default: ParamValue::Bool(false),
    }],
    run: redirect_required,
};

fn redirect_required(cx: &CheckCx, params: &Params) -> Outcome {
    with_md(cx, |md| {
        let grants = effective_grant_types(cx.profile, md);
        let needs_redirect =
            params.bool("always") || grants.iter().any(|g| REDIRECT_GRANTS.contains(&g.as_str()));
        let o = match md.get("redirect_uris") {
            None | Some(Value::Null) if needs_redirect => {
                Outcome::fail("`redirect_uris` is required for redirect-based grant types")
            }
            None | Some(Value::Null) => {
                Outcome::pass("no redirect-based grant; `redirect_uris` not needed")
            }
            Some(Value::Array(a)) if a.is_empty() && needs_redirect => {
                Outcome::fail("`redirect_uris` must contain at least one URI")
            }
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                Outcome::pass(format!("{} redirect URI(s)", a.len()))
            }
            // The member's type is `generic.metadata.types`' to judge (every profile runs it).
            Some(_) => Outcome::skip(
                "`redirect_uris` is not an array of strings: see generic.metadata.types",
            ),
        };
        o.with("grant_types", grants)
    })
}

pub static REDIRECT_ABSOLUTE: CheckDef = CheckDef {
    id: "generic.redirect.absolute",
    title: "Redirect URIs are absolute",
    spec: "RFC 6749 §3.1.2",
    description: "Each redirect URI is an absolute URI.",
    phase: Phase::Metadata,
    needs: NEEDS_REDIRECTS,
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[],
    run: redirect_absolute,
};

fn redirect_absolute(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        for uri in redirect_uris(md) {
            if Url::parse(uri).is_err() {
                return Outcome::fail(format!("redirect URI `{uri}` is not an absolute URI"))
                    .with("redirect_uri", uri);
            }
        }
        Outcome::pass("every redirect URI is absolute").with("redirect_uris", redirect_uris(md))
    })
}

pub static REDIRECT_NO_FRAGMENT: CheckDef = CheckDef {
    id: "generic.redirect.no_fragment",
    title: "Redirect URIs have no fragment",
    spec: "RFC 6749 §3.1.2",
    description: "No redirect URI contains a fragment component (`#...`).",
    phase: Phase::Metadata,
    needs: NEEDS_REDIRECTS,
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[],
    run: redirect_no_fragment,
};

fn redirect_no_fragment(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        match redirect_uris(md).into_iter().find(|u| u.contains('#')) {
            Some(uri) => Outcome::fail(format!("redirect URI `{uri}` must not contain a fragment"))
                .with("redirect_uri", uri),
            None => Outcome::pass("no redirect URI has a fragment"),
        }
    })
}

pub static REDIRECT_SCHEME: CheckDef = CheckDef {
    id: "generic.redirect.scheme",
    title: "Redirect URI schemes fit the application type",
    spec: "OIDC-Reg §2, RFC 8252 §7",
    description: "Web clients use https (http only on a loopback host when `allow_http_loopback`); native clients use a private-use scheme, loopback http, or https.",
    phase: Phase::Metadata,
    needs: NEEDS_ABSOLUTE,
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[
        ParamSpec {
            name: "allow_http_loopback",
            doc: "Web clients may use http on localhost / 127.0.0.1 / [::1].",
            default: ParamValue::Bool(true),
        },
        ParamSpec {
            name: "allow_http",
            doc: "Web clients that do not use the implicit grant may register http redirect URIs on any host. OIDC-Reg §2 forbids http only for implicit clients and RFC 6749 §3.1.2.1 says the redirection endpoint SHOULD require TLS; banks require https (strict default: false).",
            default: ParamValue::Bool(false),
        },
        ParamSpec {
            name: "allow_custom_schemes",
            doc: "Native clients may use private-use URI schemes (RFC 8252 §7.1).",
            default: ParamValue::Bool(true),
        },
    ],
    run: redirect_scheme,
};

fn redirect_scheme(cx: &CheckCx, params: &Params) -> Outcome {
    with_md(cx, |md| {
        let app_type = effective_str(cx.profile, md, "application_type").unwrap_or("web");
        for uri in redirect_uris(md) {
            let Ok(url) = Url::parse(uri) else { continue };
            let loopback = is_loopback_host(&url);
            let ok = match (app_type, url.scheme()) {
                // RFC 8252 §7.1 / RFC 6819 §4.4.1.5: schemes that run or embed content in the
                // browser are never redirect targets, whatever the application type.
                (_, s) if FORBIDDEN_SCHEMES.contains(&s) => false,
                (_, "https") => true,
                ("native", "http") => loopback,
                ("native", _) => params.bool("allow_custom_schemes"),
                (_, "http") => {
                    params.bool("allow_http") || (loopback && params.bool("allow_http_loopback"))
                }
                _ => false,
            };
            if !ok {
                let why = if FORBIDDEN_SCHEMES.contains(&url.scheme()) {
                    "this scheme runs or shows content in the browser and is never a redirect target"
                } else if app_type == "native" {
                    "native clients must use a private-use scheme, http on a loopback host, or https"
                } else if loopback {
                    "web clients must use https"
                } else {
                    "web clients must use https (http is only allowed on a loopback host)"
                };
                return Outcome::fail(format!("redirect URI `{uri}`: {why}"))
                    .with("redirect_uri", uri)
                    .with("application_type", app_type);
            }
        }
        Outcome::pass("every redirect URI scheme fits the application type")
            .with("application_type", app_type)
    })
}

pub static REDIRECT_IMPLICIT_HTTPS: CheckDef = CheckDef {
    id: "generic.redirect.implicit_https",
    title: "Implicit clients redirect to https, not localhost",
    spec: "OIDC-Reg §2",
    description: "Web clients using the implicit grant register only https redirect URIs, and not `localhost`.",
    phase: Phase::Metadata,
    needs: NEEDS_ABSOLUTE,
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[],
    run: redirect_implicit_https,
};

fn redirect_implicit_https(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let grants = effective_list(cx.profile, md, "grant_types");
        let app_type = effective_str(cx.profile, md, "application_type").unwrap_or("web");
        if !grants.iter().any(|g| g == "implicit") || app_type != "web" {
            return Outcome::skip("not a web client using the implicit grant");
        }
        for uri in redirect_uris(md) {
            let Ok(url) = Url::parse(uri) else { continue };
            let localhost = matches!(url.host(), Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost"));
            if url.scheme() != "https" || localhost {
                return Outcome::fail(format!(
                    "redirect URI `{uri}`: clients using the implicit flow must register https URIs that are not localhost"
                ))
                .with("redirect_uri", uri);
            }
        }
        Outcome::pass("implicit redirect URIs are https")
    })
}

fn string_enum(cx: &CheckCx, member: &str, allowed: &[String], what: &str) -> Outcome {
    with_md(cx, |md| {
        let Some(v) = md.get(member).and_then(Value::as_str) else {
            return Outcome::skip(format!("`{member}` not sent"));
        };
        let o = if allowed.iter().any(|a| a == v) {
            Outcome::pass(format!("`{member}` `{v}` is {what}"))
        } else {
            Outcome::fail(format!(
                "`{member}` must be one of {}; got `{v}`",
                allowed.join(", ")
            ))
        };
        o.with(member, v).with("supported", allowed.to_vec())
    })
}

fn list_subset(cx: &CheckCx, member: &str, supported: &[String]) -> Outcome {
    with_md(cx, |md| {
        let requested = effective_list(cx.profile, md, member);
        let o = match requested.iter().find(|g| !supported.contains(g)) {
            Some(bad) => Outcome::fail(format!(
                "`{member}` value `{bad}` is not supported (supported: {})",
                supported.join(", ")
            )),
            None => Outcome::pass(format!("every `{member}` value is supported")),
        };
        o.with(member, requested)
            .with("supported", supported.to_vec())
    })
}

pub static APPLICATION_TYPE: CheckDef = CheckDef {
    id: "generic.application_type.valid",
    title: "application_type is web or native",
    spec: "OIDC-Reg §2",
    description: "`application_type`, when sent, is `web` or `native`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: application_type,
};

fn application_type(cx: &CheckCx, _: &Params) -> Outcome {
    string_enum(
        cx,
        "application_type",
        &["web".into(), "native".into()],
        "valid",
    )
}

pub static GRANT_TYPES: CheckDef = CheckDef {
    id: "generic.grant_types.supported",
    title: "Grant types are supported",
    spec: "RFC 7591 §2",
    description: "Every requested grant type is in the issuer's `grant_types_supported`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: grant_types,
};

fn grant_types(cx: &CheckCx, _: &Params) -> Outcome {
    list_subset(
        cx,
        "grant_types",
        &cx.profile.settings.discovery.grant_types_supported,
    )
}

pub static RESPONSE_TYPES: CheckDef = CheckDef {
    id: "generic.response_types.supported",
    title: "Response types are supported",
    spec: "RFC 7591 §2",
    description: "Every requested response type is in the issuer's `response_types_supported`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: response_types,
};

fn response_types(cx: &CheckCx, _: &Params) -> Outcome {
    // OAuth 2.0 Multiple Response Type Encoding §2 / RFC 6749 §3.1.1: a response type is a
    // space-separated set of values, in any order ("token id_token" = "id_token token").
    let supported: Vec<String> = cx
        .profile
        .settings
        .discovery
        .response_types_supported
        .iter()
        .map(|t| normalized_response_type(t))
        .collect();
    with_md(cx, |md| {
        let requested = effective_list(cx.profile, md, "response_types");
        let o = match requested
            .iter()
            .find(|t| !supported.contains(&normalized_response_type(t)))
        {
            Some(bad) => Outcome::fail(format!(
                "`response_types` value `{bad}` is not supported (supported: {})",
                cx.profile
                    .settings
                    .discovery
                    .response_types_supported
                    .join(", ")
            )),
            None => Outcome::pass("every `response_types` value is supported"),
        };
        o.with("response_types", requested).with(
            "supported",
            cx.profile
                .settings
                .discovery
                .response_types_supported
                .clone(),
        )
    })
}

/// A response type's values, sorted: the form in which two spellings compare equal.
fn normalized_response_type(t: &str) -> String {
    let mut parts: Vec<&str> = t.split(' ').filter(|p| !p.is_empty()).collect();
    parts.sort_unstable();
    parts.dedup();
    parts.join(" ")
}

pub static GRANT_RESPONSE: CheckDef = CheckDef {
    id: "generic.grant_response.consistent",
    title: "grant_types and response_types agree",
    spec: "RFC 7591 §2.1",
    description: "`authorization_code` needs response type `code`; `implicit` needs `token` (or `id_token`); a `code` response type needs the `authorization_code` grant, a `token`/`id_token` one needs `implicit` (the correspondence of OIDC-Reg §2). RFC 7591 §2.1 lets the server refuse an inconsistent pair or repair it; `inconsistent` chooses.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "inconsistent",
        doc: "`reject`: refuse an inconsistent pair (what a teaching bank should do); `repair`: register the grant types the response types need and drop those they do not use, as oidc-provider does.",
        default: ParamValue::OneOf("reject", &["reject", "repair"]),
    }],
    run: grant_response,
};

/// Whether `profile` repairs inconsistent grant and response types (RFC 7591 §2.1).
pub fn repairs_grants(profile: &crate::Profile) -> bool {
    profile
        .checks
        .iter()
        .find(|c| c.runs() && std::ptr::eq(c.def, &GRANT_RESPONSE))
        .is_some_and(|c| c.params().str("inconsistent") == "repair")
}

/// The grant types the client ends up with: as sent (or the profile default), repaired from
/// the response types where the profile repairs (`inconsistent = "repair"`): a `code`
/// response type adds `authorization_code`, `token`/`id_token` add `implicit`, and each of
/// those two is dropped when no response type uses it.
pub fn effective_grant_types(profile: &crate::Profile, md: &Map<String, Value>) -> Vec<String> {
    if repairs_grants(profile) {
        repaired_grant_types(profile, md)
    } else {
        effective_list(profile, md, "grant_types")
    }
}

/// The grant types the response types need (see [`effective_grant_types`]).
pub fn repaired_grant_types(profile: &crate::Profile, md: &Map<String, Value>) -> Vec<String> {
    let mut grants = effective_list(profile, md, "grant_types");
    let responses = effective_list(profile, md, "response_types");
    let has_part = |p: &str| responses.iter().any(|r| r.split(' ').any(|x| x == p));
    let (code, implicit) = (has_part("code"), has_part("token") || has_part("id_token"));
    for (grant, needed) in [("authorization_code", code), ("implicit", implicit)] {
        let present = grants.iter().any(|g| g == grant);
        if needed && !present {
            grants.push(grant.to_owned());
        } else if !needed && present {
            grants.retain(|g| g != grant);
        }
    }
    grants
}

fn grant_response(cx: &CheckCx, params: &Params) -> Outcome {
    with_md(cx, |md| {
        if params.str("inconsistent") == "repair" {
            let sent = effective_list(cx.profile, md, "grant_types");
            let repaired = repaired_grant_types(cx.profile, md);
            let o = if sent == repaired {
                Outcome::pass("grant types and response types are consistent")
            } else {
                Outcome::pass(format!(
                    "repaired: grant types {} registered as {} to match the response types",
                    fmt_list(&sent),
                    fmt_list(&repaired)
                ))
            };
            return o.with("grant_types", repaired).with(
                "response_types",
                effective_list(cx.profile, md, "response_types"),
            );
        }
        let grants = effective_list(cx.profile, md, "grant_types");
        let responses = effective_list(cx.profile, md, "response_types");
        let has_grant = |g: &str| grants.iter().any(|x| x == g);
        let parts = |r: &str| r.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let response_parts: Vec<String> = responses.iter().flat_map(|r| parts(r)).collect();
        let has_part = |p: &str| response_parts.iter().any(|x| x == p);
        let problem = if has_grant("authorization_code") && !has_part("code") {
            Some("grant type `authorization_code` requires response type `code`")
        } else if has_grant("implicit") && !has_part("token") && !has_part("id_token") {
            Some("grant type `implicit` requires response type `token` or `id_token`")
        } else if has_part("code") && !has_grant("authorization_code") {
            Some("response type `code` requires grant type `authorization_code`")
        } else if (has_part("token") || has_part("id_token")) && !has_grant("implicit") {
            Some("response types `token`/`id_token` require grant type `implicit`")
        } else {
            None
        };
        let o = match problem {
            Some(p) => Outcome::fail(p),
            None => Outcome::pass("grant types and response types are consistent"),
        };
        o.with("grant_types", grants)
            .with("response_types", responses)
    })
}

pub static AUTH_METHOD: CheckDef = CheckDef {
    id: "generic.auth_method.supported",
    title: "Token endpoint auth method is supported",
    spec: "RFC 7591 §2",
    description: "`token_endpoint_auth_method` is one of the issuer's `token_endpoint_auth_methods_supported`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: auth_method,
};

fn auth_method(cx: &CheckCx, _: &Params) -> Outcome {
    let supported = &cx
        .profile
        .settings
        .discovery
        .token_endpoint_auth_methods_supported;
    with_md(cx, |md| {
        let method = effective_str(cx.profile, md, "token_endpoint_auth_method").unwrap_or("");
        let o = if supported.iter().any(|m| m == method) {
            Outcome::pass(format!("`{method}` is supported"))
        } else {
            Outcome::fail(format!(
                "`token_endpoint_auth_method` must be one of {}; got `{method}`",
                supported.join(", ")
            ))
        };
        o.with("token_endpoint_auth_method", method)
            .with("supported", supported.clone())
    })
}

pub static AUTH_SIGNING_ALG: CheckDef = CheckDef {
    id: "generic.auth_signing_alg.valid",
    title: "Token endpoint signing alg is acceptable",
    spec: "OIDC-Reg §2",
    description: "`token_endpoint_auth_signing_alg` is not `none`, fits the method (an HMAC for `client_secret_jwt`, an asymmetric signature for `private_key_jwt`, OIDC Core §9) and, when the issuer lists algorithms, is one of them.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: auth_signing_alg,
};

fn auth_signing_alg(cx: &CheckCx, _: &Params) -> Outcome {
    let supported = &cx
        .profile
        .settings
        .discovery
        .token_endpoint_auth_signing_alg_values_supported;
    with_md(cx, |md| {
        let Some(alg) = md
            .get("token_endpoint_auth_signing_alg")
            .and_then(Value::as_str)
        else {
            return Outcome::skip("`token_endpoint_auth_signing_alg` not sent");
        };
        let method = effective_str(cx.profile, md, "token_endpoint_auth_method").unwrap_or("");
        let hmac = alg.starts_with("HS");
        let o = if alg == "none" {
            Outcome::fail("`token_endpoint_auth_signing_alg` must not be `none`")
        } else if method == "private_key_jwt" && hmac {
            // RFC 7523 §3 / OIDC Core §9: private_key_jwt is signed with the client's private key.
            Outcome::fail(format!(
                "`private_key_jwt` assertions are signed with an asymmetric key; `{alg}` is an HMAC"
            ))
        } else if method == "client_secret_jwt" && !hmac {
            Outcome::fail(format!(
                "`client_secret_jwt` assertions are HMACs with the client secret (HS256/384/512); got `{alg}`"
            ))
        } else if !supported.is_empty() && !supported.iter().any(|a| a == alg) {
            Outcome::fail(format!(
                "`token_endpoint_auth_signing_alg` must be one of {}; got `{alg}`",
                supported.join(", ")
            ))
        } else {
            Outcome::pass(format!("`{alg}` is acceptable"))
        };
        o.with("token_endpoint_auth_signing_alg", alg)
            .with("supported", supported.clone())
    })
}

pub static ALGS_SUPPORTED: CheckDef = CheckDef {
    id: "generic.algs.supported",
    title: "Signing and encryption algorithms are advertised",
    spec: "OIDC-Reg §2",
    description: "Every `*_signed_response_alg`, `*_encrypted_response_alg`/`_enc`, `request_object_signing_alg` and `request_object_encryption_alg`/`_enc` the client asks for is one the issuer advertises (its `*_values_supported` list in discovery; a list the issuer does not publish is not judged). `none` must be advertised too, and is refused for an ID token when the client's response types return one from the authorization endpoint (OIDC-Reg §2).",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: algs_supported,
};

/// Client metadata members naming an algorithm, and the discovery list each must be in
/// (OIDC Discovery §3, RFC 8414 §2, JARM §4).
const ALG_MEMBERS: &[(&str, &str)] = &[
    (
        "id_token_signed_response_alg",
        "id_token_signing_alg_values_supported",
    ),
    (
        "id_token_encrypted_response_alg",
        "id_token_encryption_alg_values_supported",
    ),
    (
        "id_token_encrypted_response_enc",
        "id_token_encryption_enc_values_supported",
    ),
    (
        "userinfo_signed_response_alg",
        "userinfo_signing_alg_values_supported",
    ),
    (
        "userinfo_encrypted_response_alg",
        "userinfo_encryption_alg_values_supported",
    ),
    (
        "userinfo_encrypted_response_enc",
        "userinfo_encryption_enc_values_supported",
    ),
    (
        "request_object_signing_alg",
        "request_object_signing_alg_values_supported",
    ),
    (
        "request_object_encryption_alg",
        "request_object_encryption_alg_values_supported",
    ),
    (
        "request_object_encryption_enc",
        "request_object_encryption_enc_values_supported",
    ),
    (
        "authorization_signed_response_alg",
        "authorization_signing_alg_values_supported",
    ),
    (
        "authorization_encrypted_response_alg",
        "authorization_encryption_alg_values_supported",
    ),
    (
        "authorization_encrypted_response_enc",
        "authorization_encryption_enc_values_supported",
    ),
];

/// The algorithms the profile advertises under `list` (empty: not published).
fn advertised(cx: &CheckCx, list: &str) -> Vec<String> {
    let d = &cx.profile.settings.discovery;
    match list {
        "id_token_signing_alg_values_supported" => d.id_token_signing_alg_values_supported.clone(),
        "request_object_signing_alg_values_supported" => {
            d.request_object_signing_alg_values_supported.clone()
        }
        other => d
            .extra
            .get(other)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn algs_supported(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let mut judged = Vec::new();
        for (member, list) in ALG_MEMBERS {
            let Some(value) = md.get(*member) else {
                continue;
            };
            let Some(alg) = value.as_str() else {
                return Outcome::fail(format!("`{member}` must be a string"));
            };
            if *member == "id_token_signed_response_alg" && alg == "none" {
                // OIDC-Reg §2: `none` only when no ID token comes from the authorization endpoint.
                let front_channel_id_token = effective_list(cx.profile, md, "response_types")
                    .iter()
                    .any(|t| t.split(' ').any(|p| p == "id_token"));
                if front_channel_id_token {
                    return Outcome::fail("`id_token_signed_response_alg` `none` is not allowed with a response type that returns an ID token").with("id_token_signed_response_alg", alg);
                }
            }
            let supported = advertised(cx, list);
            if !supported.is_empty() && !supported.iter().any(|s| s == alg) {
                return Outcome::fail(format!(
                    "`{member}` must be one of {} (`{list}`); got `{alg}`",
                    supported.join(", ")
                ))
                .with(member, alg)
                .with("supported", supported);
            }
            judged.push(format!("{member}={alg}"));
        }
        if judged.is_empty() {
            Outcome::skip("no algorithm metadata sent")
        } else {
            Outcome::pass(format!("advertised: {}", judged.join(", ")))
        }
    })
}

pub static CONTACTS: CheckDef = CheckDef {
    id: "generic.contacts.email",
    title: "Contacts are e-mail addresses",
    spec: "OIDC-Reg §2",
    description: "`contacts` lists e-mail addresses (OIDC-Reg §2: \"Array of e-mail addresses of people responsible for this Client\"; RFC 7591 §2 says \"typically\").",
    phase: Phase::Metadata,
    needs: &["generic.metadata.types"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: contacts,
};

fn contacts(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let Some(list) = md.get("contacts").and_then(Value::as_array) else {
            return Outcome::skip("no `contacts` sent");
        };
        match list.iter().filter_map(Value::as_str).find(|c| !is_email(c)) {
            Some(bad) => {
                Outcome::fail(format!("`contacts` entry `{bad}` is not an e-mail address"))
                    .with("contact", bad)
            }
            None => Outcome::pass(format!("{} e-mail address(es)", list.len())),
        }
    })
}

/// An e-mail address as HTML's `type=email` accepts it (the W3C's valid e-mail address):
/// `local@domain`, with a dot-separated domain of letter-digit-hyphen labels.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

pub static JWKS_EXCLUSIVE: CheckDef = CheckDef {
    id: "generic.jwks.exclusive",
    title: "jwks and jwks_uri are not both present",
    spec: "RFC 7591 §2",
    description:
        "The `jwks_uri` and `jwks` parameters MUST NOT both be present in the same request.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: jwks_exclusive,
};

fn jwks_exclusive(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let present = |k| md.get(k).is_some_and(|v| !v.is_null());
        if present("jwks") && present("jwks_uri") {
            Outcome::fail("`jwks` and `jwks_uri` must not be used at the same time")
        } else {
            Outcome::pass("at most one of `jwks` and `jwks_uri`")
        }
    })
}

/// Members of a JWK that only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

pub static JWKS_PUBLIC: CheckDef = CheckDef {
    id: "generic.jwks.public_keys",
    title: "jwks is a set of public keys",
    spec: "RFC 7591 §2, RFC 7517 §5",
    description: "`jwks` is a JWK Set: an object with a `keys` array of objects that each have a `kty`, and no private or symmetric key material.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: jwks_public,
};

fn jwks_public(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        let Some(jwks) = md.get("jwks").filter(|v| !v.is_null()) else {
            return Outcome::skip("`jwks` not sent");
        };
        let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
            return Outcome::fail("`jwks` must be a JWK Set object with a `keys` array");
        };
        for (i, key) in keys.iter().enumerate() {
            let Some(obj) = key.as_object() else {
                return Outcome::fail(format!("`jwks.keys[{i}]` must be a JSON object"));
            };
            if !obj.get("kty").is_some_and(Value::is_string) {
                return Outcome::fail(format!("`jwks.keys[{i}]` has no `kty`"));
            }
            if let Some(m) = PRIVATE_JWK_MEMBERS.iter().find(|m| obj.contains_key(**m)) {
                return Outcome::fail(format!(
                    "`jwks.keys[{i}]` contains private key material (`{m}`); register public keys only"
                ));
            }
        }
        Outcome::pass(format!("{} public key(s)", keys.len()))
    })
}

pub static PRIVATE_KEY_JWT_KEYS: CheckDef = CheckDef {
    id: "generic.private_key_jwt.keys",
    title: "private_key_jwt clients register keys",
    spec: "OIDC Core §9, RFC 7523 §2.2",
    description: "A client using `private_key_jwt` provides `jwks` or `jwks_uri` so its assertions can be verified.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: private_key_jwt_keys,
};

fn private_key_jwt_keys(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        if effective_str(cx.profile, md, "token_endpoint_auth_method") != Some("private_key_jwt") {
            return Outcome::skip("not a private_key_jwt client");
        }
        if md.contains_key("jwks") || md.contains_key("jwks_uri") {
            Outcome::pass("keys are registered")
        } else {
            Outcome::fail("`private_key_jwt` requires `jwks` or `jwks_uri`")
        }
    })
}

const TLS_SUBJECT_MEMBERS: &[&str] = &[
    "tls_client_auth_subject_dn",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_uri",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_email",
];

pub static TLS_SUBJECT: CheckDef = CheckDef {
    id: "generic.tls_client_auth.one_subject",
    title: "tls_client_auth names exactly one subject",
    spec: "RFC 8705 §2.1.2",
    description: "A `tls_client_auth` client registers exactly one of `tls_client_auth_subject_dn`, `_san_dns`, `_san_uri`, `_san_ip`, `_san_email`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: tls_subject,
};

fn tls_subject(cx: &CheckCx, _: &Params) -> Outcome {
    with_md(cx, |md| {
        if effective_str(cx.profile, md, "token_endpoint_auth_method") != Some("tls_client_auth") {
            return Outcome::skip("not a tls_client_auth client");
        }
        let present: Vec<&str> = TLS_SUBJECT_MEMBERS
            .iter()
            .copied()
            .filter(|m| md.contains_key(*m))
            .collect();
        let o = if present.len() == 1 {
            Outcome::pass(format!("subject given by `{}`", present[0]))
        } else {
            Outcome::fail("`tls_client_auth` requires exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email")
        };
        o.with("present", present)
    })
}

pub static URIS: CheckDef = CheckDef {
    id: "generic.uris.valid",
    title: "URL members are absolute web URLs",
    spec: "RFC 7591 §2",
    description: "`client_uri`, `logo_uri`, `tos_uri`, `policy_uri` (and their language-tagged forms), `jwks_uri`, `sector_identifier_uri`, `initiate_login_uri`, `request_uris`, `post_logout_redirect_uris` are absolute http(s) URLs; the members in `https_only` must use https.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "https_only",
        doc: "Members that must use https. OIDC-Reg §2 requires it of `sector_identifier_uri` and `initiate_login_uri`; mockbank also lists `jwks_uri` by default, because keys fetched over plain http can be swapped in transit (RFC 7591 §2 only says the URL SHOULD be reachable; the reference accepts http).",
        default: ParamValue::List(&["jwks_uri", "sector_identifier_uri", "initiate_login_uri"]),
    }],
    run: uris,
};

fn uris(cx: &CheckCx, params: &Params) -> Outcome {
    let https_only = params.list("https_only");
    with_md(cx, |md| {
        let mut count = 0;
        for (name, value) in md {
            let base = name.split('#').next().unwrap_or(name);
            let values: Vec<&str> = match field_type(name) {
                Some(FieldType::Url) => value.as_str().into_iter().collect(),
                Some(FieldType::UrlArray) if name != "redirect_uris" => value
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
                _ => continue,
            };
            for v in values {
                count += 1;
                let Ok(url) = Url::parse(v) else {
                    return Outcome::fail(format!("`{name}` must be an absolute URL; got `{v}`"));
                };
                let https_required = https_only.iter().any(|m| m == base);
                let scheme_ok = match url.scheme() {
                    "https" => true,
                    "http" => !https_required,
                    _ => false,
                };
                if !scheme_ok {
                    let want = if https_required {
                        "https"
                    } else {
                        "http or https"
                    };
                    return Outcome::fail(format!("`{name}` must use {want}; got `{v}`"))
                        .with("member", name.as_str());
                }
            }
        }
        Outcome::pass(format!("{count} URL(s) are valid")).with("https_only", https_only)
    })
}

pub static SCOPE: CheckDef = CheckDef {
    id: "generic.scope.supported",
    title: "Requested scopes are supported",
    spec: "RFC 7591 §2",
    description: "Every space-separated value of `scope` is in the issuer's `scopes_supported`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: scope,
};

fn scope(cx: &CheckCx, _: &Params) -> Outcome {
    let supported = &cx.profile.settings.discovery.scopes_supported;
    with_md(cx, |md| {
        let Some(scope) = md.get("scope").and_then(Value::as_str) else {
            return Outcome::skip("`scope` not sent");
        };
        let o = match scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .find(|s| !supported.iter().any(|x| x == s))
        {
            Some(bad) => Outcome::fail(format!(
                "scope `{bad}` is not supported (supported: {})",
                supported.join(" ")
            )),
            None => Outcome::pass("every scope is supported"),
        };
        o.with("scope", scope).with("supported", supported.clone())
    })
}

pub static ENCRYPTION: CheckDef = CheckDef {
    id: "generic.encryption.alg_for_enc",
    title: "Encryption enc comes with its alg",
    spec: "OIDC-Reg §2",
    description: "`*_encrypted_response_enc` / `request_object_encryption_enc` is only sent together with the matching `_alg`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: encryption,
};

fn encryption(cx: &CheckCx, _: &Params) -> Outcome {
    const PAIRS: &[(&str, &str)] = &[
        (
            "id_token_encrypted_response_enc",
            "id_token_encrypted_response_alg",
        ),
        (
            "userinfo_encrypted_response_enc",
            "userinfo_encrypted_response_alg",
        ),
        (
            "request_object_encryption_enc",
            "request_object_encryption_alg",
        ),
    ];
    with_md(cx, |md| {
        for (enc, alg) in PAIRS {
            if md.contains_key(*enc) && !md.contains_key(*alg) {
                return Outcome::fail(format!("`{enc}` requires `{alg}`"));
            }
        }
        Outcome::pass("no `_enc` without its `_alg`")
    })
}

pub static SUBJECT_TYPE: CheckDef = CheckDef {
    id: "generic.subject_type.supported",
    title: "subject_type is supported",
    spec: "OIDC-Reg §2",
    description: "`subject_type`, when sent, is in the issuer's `subject_types_supported`.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[],
    run: subject_type,
};

fn subject_type(cx: &CheckCx, _: &Params) -> Outcome {
    string_enum(
        cx,
        "subject_type",
        &cx.profile.settings.discovery.subject_types_supported,
        "supported",
    )
}

pub static SOFTWARE_STATEMENT_IGNORED: CheckDef = CheckDef {
    id: "generic.software_statement.ignored",
    title: "Software statement not processed",
    spec: "RFC 7591 §2.3, §3.1.1",
    description: "This profile does not process software statements: a `software_statement` member is dropped like unknown metadata (as oidc-provider does), and the trace says so.",
    phase: Phase::Metadata,
    needs: NEEDS_BODY,
    error: ErrorCode::InvalidSoftwareStatement,
    status: None,
    params: &[],
    run: software_statement_ignored,
};

fn software_statement_ignored(cx: &CheckCx, _: &Params) -> Outcome {
    if cx.profile.settings.protection.software_statement != crate::profile::StatementMode::Ignored {
        return Outcome::skip("software statements are processed by the `ssa.*` checks");
    }
    with_md(cx, |md| match md.get("software_statement") {
        Some(_) => {
            Outcome::skip("`software_statement` is not processed by this profile and is not stored")
        }
        None => Outcome::skip("no `software_statement`"),
    })
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{generic_with, run_on_body, run_on_body_with};
    use crate::trace::OutcomeKind::{self, *};
    use serde_json::json;

    fn kind(id: &str, body: serde_json::Value) -> OutcomeKind {
        run_on_body(id, body).kind
    }
    fn message(id: &str, body: serde_json::Value) -> String {
        run_on_body(id, body).message
    }

    #[test]
    fn types() {
        assert_eq!(
            kind(
                "generic.metadata.types",
                json!({"client_name": "x", "default_max_age": 30})
            ),
            Pass
        );
        assert_eq!(
            message("generic.metadata.types", json!({"client_name": 3})),
            "`client_name` must be a string"
        );
        assert_eq!(
            message("generic.metadata.types", json!({"contacts": "a@b"})),
            "`contacts` must be an array of strings"
        );
        assert_eq!(
            message("generic.metadata.types", json!({"default_max_age": -1})),
            "`default_max_age` must be a non-negative integer"
        );
        assert_eq!(
            message("generic.metadata.types", json!({"default_max_age": 1e300})),
            "`default_max_age` must be a non-negative integer"
        );
        assert_eq!(
            message(
                "generic.metadata.types",
                json!({"require_auth_time": "yes"})
            ),
            "`require_auth_time` must be a boolean"
        );
        assert_eq!(
            message(
                "generic.metadata.types",
                json!({"redirect_uris": "notalist"})
            ),
            "`redirect_uris` must be an array of URL strings"
        );
        assert!(message(
            "generic.metadata.types",
            json!({"redirect_uris": ["https://a.example/cb\u{0}"]})
        )
        .contains("U+0000"));
        assert!(message(
            "generic.metadata.types",
            json!({"tls_client_auth_subject_dn": "CN=a\\"})
        )
        .contains("RFC 4514"));
        assert_eq!(
            kind(
                "generic.metadata.types",
                json!({"redirect_uris": ["https://a.example/cb"], "tls_client_auth_subject_dn": "CN=a,O=b"})
            ),
            Pass
        );
    }

    #[test]
    fn unknown_members_are_dropped_by_default() {
        let o = run_on_body("generic.metadata.unknown", json!({"redirect_url": "x"}));
        assert_eq!(o.kind, Pass);
        assert_eq!(o.values["unknown"], json!(["redirect_url"]));
    }

    #[test]
    fn redirect_required() {
        let id = "generic.redirect.required";
        assert_eq!(
            message(id, json!({})),
            "`redirect_uris` is required for redirect-based grant types"
        );
        assert_eq!(
            kind(id, json!({"grant_types": ["client_credentials"]})),
            Pass
        );
        // The member's type is the typing check's to judge.
        assert_eq!(kind(id, json!({"redirect_uris": "https://a/cb"})), Skip);
        assert_eq!(kind(id, json!({"redirect_uris": [1]})), Skip);
        assert_eq!(
            message(id, json!({"redirect_uris": []})),
            "`redirect_uris` must contain at least one URI"
        );
        assert_eq!(kind(id, json!({"redirect_uris": ["https://a/cb"]})), Pass);
    }

    #[test]
    fn redirect_shape() {
        assert_eq!(
            message(
                "generic.redirect.absolute",
                json!({"redirect_uris": ["/cb"]})
            ),
            "redirect URI `/cb` is not an absolute URI"
        );
        assert_eq!(
            message(
                "generic.redirect.no_fragment",
                json!({"redirect_uris": ["https://a.example/cb#x"]})
            ),
            "redirect URI `https://a.example/cb#x` must not contain a fragment"
        );
        assert_eq!(
            kind(
                "generic.redirect.no_fragment",
                json!({"redirect_uris": ["https://a.example/cb"]})
            ),
            Pass
        );
    }

    #[test]
    fn redirect_scheme_by_application_type() {
        let id = "generic.redirect.scheme";
        assert_eq!(
            kind(id, json!({"redirect_uris": ["https://tpp.example/cb"]})),
            Pass
        );
        assert_eq!(
            kind(id, json!({"redirect_uris": ["http://127.0.0.1:8080/cb"]})),
            Pass
        );
        assert_eq!(
            message(id, json!({"redirect_uris": ["http://tpp.example/cb"]})),
            "redirect URI `http://tpp.example/cb`: web clients must use https (http is only allowed on a loopback host)"
        );
        assert_eq!(
            kind(id, json!({"redirect_uris": ["com.example.app:/cb"]})),
            Fail
        );
        assert_eq!(
            kind(
                id,
                json!({"application_type": "native", "redirect_uris": ["com.example.app:/cb"]})
            ),
            Pass
        );
        assert_eq!(
            kind(
                id,
                json!({"application_type": "native", "redirect_uris": ["http://tpp.example/cb"]})
            ),
            Fail
        );
    }

    #[test]
    fn implicit_needs_https_not_localhost() {
        let id = "generic.redirect.implicit_https";
        let body = |u: &str| json!({"grant_types": ["implicit"], "response_types": ["token"], "redirect_uris": [u]});
        assert_eq!(kind(id, body("https://tpp.example/cb")), Pass);
        assert_eq!(kind(id, body("https://localhost/cb")), Fail);
        assert_eq!(kind(id, body("http://127.0.0.1/cb")), Fail);
        assert_eq!(
            kind(id, json!({"redirect_uris": ["http://127.0.0.1/cb"]})),
            Skip
        );
    }

    #[test]
    fn grant_and_response_types() {
        assert_eq!(
            kind(
                "generic.grant_types.supported",
                json!({"grant_types": ["client_credentials"]})
            ),
            Pass
        );
        assert_eq!(
            message("generic.grant_types.supported", json!({"grant_types": ["password"]})),
            "`grant_types` value `password` is not supported (supported: authorization_code, implicit, refresh_token, client_credentials)"
        );
        assert_eq!(
            kind(
                "generic.response_types.supported",
                json!({"response_types": ["code id_token"]})
            ),
            Fail
        );
        let id = "generic.grant_response.consistent";
        assert_eq!(kind(id, json!({})), Pass);
        assert_eq!(
            message(
                id,
                json!({"grant_types": ["authorization_code"], "response_types": ["token"]})
            ),
            "grant type `authorization_code` requires response type `code`"
        );
        assert_eq!(
            kind(
                id,
                json!({"grant_types": ["client_credentials"], "response_types": []})
            ),
            Pass
        );
        assert_eq!(
            kind(id, json!({"grant_types": ["client_credentials"]})),
            Fail
        );
        assert_eq!(
            kind(
                id,
                json!({"grant_types": ["implicit"], "response_types": ["token"]})
            ),
            Pass
        );
    }

    #[test]
    fn auth_methods_and_keys() {
        assert_eq!(kind("generic.auth_method.supported", json!({})), Pass);
        assert_eq!(
            message("generic.auth_method.supported", json!({"token_endpoint_auth_method": "magic"})),
            "`token_endpoint_auth_method` must be one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none; got `magic`"
        );
        let alg = "generic.auth_signing_alg.valid";
        let pkj = |a: &str| json!({"token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": a});
        let csj = |a: &str| json!({"token_endpoint_auth_method": "client_secret_jwt", "token_endpoint_auth_signing_alg": a});
        assert_eq!(kind(alg, pkj("RS256")), Pass);
        assert_eq!(
            message(alg, pkj("HS256")),
            "`private_key_jwt` assertions are signed with an asymmetric key; `HS256` is an HMAC"
        );
        assert_eq!(kind(alg, csj("HS256")), Pass);
        assert_eq!(kind(alg, csj("PS256")), Fail);
        assert_eq!(
            message(
                "generic.auth_signing_alg.valid",
                json!({"token_endpoint_auth_signing_alg": "none"})
            ),
            "`token_endpoint_auth_signing_alg` must not be `none`"
        );
        assert_eq!(
            message(
                "generic.jwks.exclusive",
                json!({"jwks": {"keys": []}, "jwks_uri": "https://a/j"})
            ),
            "`jwks` and `jwks_uri` must not be used at the same time"
        );
        assert_eq!(
            kind(
                "generic.jwks.public_keys",
                json!({"jwks": {"keys": [{"kty": "EC", "x": "1"}]}})
            ),
            Pass
        );
        assert_eq!(
            message(
                "generic.jwks.public_keys",
                json!({"jwks": {"keys": [{"kty": "EC", "d": "secret"}]}})
            ),
            "`jwks.keys[0]` contains private key material (`d`); register public keys only"
        );
        assert_eq!(kind("generic.jwks.public_keys", json!({"jwks": []})), Fail);
        assert_eq!(
            kind(
                "generic.private_key_jwt.keys",
                json!({"token_endpoint_auth_method": "private_key_jwt"})
            ),
            Fail
        );
        assert_eq!(
            kind(
                "generic.private_key_jwt.keys",
                json!({"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://a/j"})
            ),
            Pass
        );
        let tls = "generic.tls_client_auth.one_subject";
        assert_eq!(
            kind(
                tls,
                json!({"token_endpoint_auth_method": "tls_client_auth"})
            ),
            Fail
        );
        assert_eq!(
            kind(
                tls,
                json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a"})
            ),
            Pass
        );
        assert_eq!(
            kind(
                tls,
                json!({"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a", "tls_client_auth_san_dns": "a"})
            ),
            Fail
        );
    }

    #[test]
    fn uris_scopes_and_the_rest() {
        let id = "generic.uris.valid";
        assert_eq!(
            kind(
                id,
                json!({"logo_uri": "https://a/l.png", "tos_uri#fr": "http://a/tos"})
            ),
            Pass
        );
        assert_eq!(
            message(id, json!({"client_uri": "not a url"})),
            "`client_uri` must be an absolute URL; got `not a url`"
        );
        assert_eq!(
            message(id, json!({"jwks_uri": "http://a/jwks"})),
            "`jwks_uri` must use https; got `http://a/jwks`"
        );
        assert_eq!(kind(id, json!({"policy_uri": "ftp://a/p"})), Fail);
        assert_eq!(
            kind(
                "generic.scope.supported",
                json!({"scope": "openid accounts"})
            ),
            Pass
        );
        assert_eq!(
            message("generic.scope.supported", json!({"scope": "openid admin"}))
                .split(" (")
                .next()
                .unwrap(),
            "scope `admin` is not supported"
        );
        assert_eq!(
            message(
                "generic.encryption.alg_for_enc",
                json!({"id_token_encrypted_response_enc": "A128GCM"})
            ),
            "`id_token_encrypted_response_enc` requires `id_token_encrypted_response_alg`"
        );
        assert_eq!(
            kind(
                "generic.application_type.valid",
                json!({"application_type": "desktop"})
            ),
            Fail
        );
        assert_eq!(kind("generic.application_type.valid", json!({})), Skip);
        // OIDC-Reg §2: algorithms must be advertised; `none` only without a front-channel ID token.
        assert_eq!(
            kind(
                "generic.algs.supported",
                json!({"id_token_signed_response_alg": "XX256"})
            ),
            Fail
        );
        assert_eq!(
            kind(
                "generic.algs.supported",
                json!({"id_token_signed_response_alg": "PS256", "request_object_signing_alg": "ES256"})
            ),
            Pass
        );
        assert_eq!(
            kind(
                "generic.algs.supported",
                json!({"id_token_signed_response_alg": "none", "response_types": ["code"]})
            ),
            // `none` is judged like any alg: generic does not advertise it.
            Fail
        );
        assert_eq!(
            kind(
                "generic.algs.supported",
                json!({"id_token_signed_response_alg": "none", "response_types": ["code id_token"]})
            ),
            Fail
        );
        assert_eq!(
            kind(
                "generic.algs.supported",
                json!({"request_object_signing_alg": 7})
            ),
            Fail
        );
        assert_eq!(kind("generic.algs.supported", json!({})), Skip);
        assert_eq!(
            kind(
                "generic.subject_type.supported",
                json!({"subject_type": "pairwise"})
            ),
            Fail
        );
        assert_eq!(
            kind(
                "generic.software_statement.ignored",
                json!({"software_statement": "a.b.c"})
            ),
            Skip
        );
    }

    #[test]
    fn inconsistent_grants_are_rejected_or_repaired() {
        let id = "generic.grant_response.consistent";
        let body = json!({"grant_types": ["authorization_code"], "response_types": ["id_token"]});
        assert_eq!(
            message(id, body.clone()),
            "grant type `authorization_code` requires response type `code`"
        );
        let repairing = generic_with(id, r#"{ inconsistent = "repair" }"#);
        let o = run_on_body_with(&repairing, id, body.clone());
        assert_eq!(o.kind, Pass);
        assert_eq!(
            o.message,
            "repaired: grant types [authorization_code] registered as [implicit] to match the response types"
        );
        let md = body.as_object().unwrap();
        let registered = crate::client::registered_metadata(&repairing, md);
        assert_eq!(registered["grant_types"], json!(["implicit"]));
        // The default response type (`code`) needs a redirect once its grant is repaired in.
        let cc = json!({"grant_types": ["client_credentials"]});
        assert_eq!(kind("generic.redirect.required", cc.clone()), Pass);
        assert_eq!(
            run_on_body_with(&repairing, "generic.redirect.required", cc).kind,
            Fail
        );
    }

    #[test]
    fn response_types_compare_as_sets() {
        let id = "generic.response_types.supported";
        assert_eq!(
            kind(id, json!({"response_types": ["token id_token"]})),
            Pass
        );
        assert_eq!(
            kind(id, json!({"response_types": ["id_token  token"]})),
            Pass
        );
        assert_eq!(kind(id, json!({"response_types": ["code nonsense"]})), Fail);
    }

    #[test]
    fn browser_schemes_are_never_redirects() {
        let id = "generic.redirect.scheme";
        let native = |u: &str| json!({"application_type": "native", "redirect_uris": [u]});
        assert_eq!(kind(id, native("com.example.app:/cb")), Pass);
        assert_eq!(
            message(id, native("javascript:alert(1)")),
            "redirect URI `javascript:alert(1)`: this scheme runs or shows content in the browser and is never a redirect target"
        );
        assert_eq!(kind(id, native("data:text/html,hi")), Fail);
        let http = json!({"redirect_uris": ["http://tpp.example/cb"]});
        assert_eq!(kind(id, http.clone()), Fail);
        let lenient = generic_with(
            id,
            "{ allow_http_loopback = true, allow_http = true, allow_custom_schemes = true }",
        );
        assert_eq!(run_on_body_with(&lenient, id, http).kind, Pass);
    }

    #[test]
    fn contacts_are_email_addresses() {
        let id = "generic.contacts.email";
        assert_eq!(kind(id, json!({})), Skip);
        assert_eq!(
            kind(id, json!({"contacts": ["ops@tpp.example", "a.b+c@x.io"]})),
            Pass
        );
        assert_eq!(
            message(id, json!({"contacts": ["ops@tpp.example", "call me"]})),
            "`contacts` entry `call me` is not an e-mail address"
        );
        for bad in ["@x.io", "a@", "a@-x.io", "a@x..io", "a b@x.io"] {
            assert_eq!(kind(id, json!({"contacts": [bad]})), Fail, "{bad}");
        }
    }

    #[test]
    fn jwks_uri_https_is_a_parameter() {
        let id = "generic.uris.valid";
        let body = json!({"jwks_uri": "http://tpp.example/jwks.json"});
        assert_eq!(kind(id, body.clone()), Fail);
        let lenient = generic_with(
            id,
            r#"{ https_only = ["sector_identifier_uri", "initiate_login_uri"] }"#,
        );
        assert_eq!(run_on_body_with(&lenient, id, body).kind, Pass);
    }
}
