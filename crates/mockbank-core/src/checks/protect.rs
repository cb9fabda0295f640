//! Registration endpoint protection and policies, as profile data (generic.md §3, §12;
//! Keycloak's client registration policies; WSO2's extension hooks): the initial access token
//! or `dcr_register` access token, policy rules, and the bank's extension service.

use serde_json::Value;
use url::Url;

use super::{CheckCx, CheckDef, HookOutcome, ParamSpec, ParamValue, Params, Phase};
use crate::client::effective_list;
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &BEARER_PRESENT,
    &BEARER_VALID,
    &TRUSTED_HOSTS,
    &ALLOWED_SCOPES,
    &ALLOWED_GRANTS,
    &ALLOWED_AUTH_METHODS,
    &MAX_PER_SOFTWARE,
    &MAX_PER_ORG,
    &REQUIRED_METADATA,
    &HOOK,
];

// --- the bearer credential (RFC 7591 §3, RFC 6750 §3.1) ---

check!(BEARER_PRESENT, "protect.bearer.present", "Registration credential presented", "RFC 7591 §3, RFC 6750 §3.1",
    "The profile protects registration: the request carries `Authorization: Bearer` with an initial access token (or a `dcr_register` access token).",
    Protection, [], InvalidToken, None, [], bearer_present);

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

check!(BEARER_VALID, "protect.bearer.valid", "Registration credential valid", "RFC 7591 §3, RFC 6750 §3.1",
    "The bearer credential is the static initial access token, an issued one that has not expired or run out of uses, or an active access token with the `dcr_register` scope (single use).",
    Protection, ["protect.bearer.present"], InvalidToken, None, [], bearer_valid);

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

// --- policies (Keycloak's client registration policies, as data) ---

fn md<'a>(cx: &CheckCx<'a>) -> Option<&'a serde_json::Map<String, Value>> {
    cx.metadata()
}

check!(TRUSTED_HOSTS, "policy.redirect.trusted_hosts", "Redirect URIs on trusted hosts", "Keycloak Trusted Hosts policy",
    "Every redirect URI (and client/logo/tos/policy URI) is on one of `hosts` (a leading `*.` matches subdomains). An empty list trusts every host.",
    Metadata, ["request.json_object"], InvalidRedirectUri, None,
    [ParamSpec { name: "hosts", doc: "Trusted hosts.", default: ParamValue::List(&[]) }], trusted_hosts);

fn host_trusted(host: &str, hosts: &[String]) -> bool {
    hosts.iter().any(|h| match h.strip_prefix("*.") {
        Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
        None => host.eq_ignore_ascii_case(h),
    })
}

fn trusted_hosts(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let hosts = params.list("hosts");
    if hosts.is_empty() {
        return Outcome::skip("no trusted hosts configured: every host is trusted");
    }
    let mut uris: Vec<String> = effective_list(cx.profile, m, "redirect_uris");
    for k in ["client_uri", "logo_uri", "tos_uri", "policy_uri"] {
        if let Some(u) = m.get(k).and_then(Value::as_str) {
            uris.push(u.to_owned());
        }
    }
    for uri in &uris {
        let host = Url::parse(uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if !host_trusted(&host, &hosts) {
            return Outcome::fail(format!(
                "Policy 'Trusted Hosts' rejected `{uri}`: host `{host}` is not trusted"
            ))
            .with("trusted", hosts);
        }
    }
    Outcome::pass("every URI is on a trusted host").with("trusted", hosts)
}

fn allowed_subset(
    cx: &CheckCx,
    params: &Params,
    member: &str,
    values: Vec<String>,
    policy: &str,
) -> Outcome {
    let allowed = params.list("allowed");
    if allowed.is_empty() {
        return Outcome::skip(format!("no `{policy}` policy configured"));
    }
    let _ = cx;
    let o = match values.iter().find(|v| !allowed.contains(v)) {
        Some(bad) => Outcome::fail(format!(
            "Policy '{policy}' rejected `{member}` value `{bad}`"
        )),
        None => Outcome::pass(format!("every `{member}` value is allowed")),
    };
    o.with(member, values).with("allowed", allowed)
}

check!(
    ALLOWED_SCOPES,
    "policy.scope.allowed",
    "Scopes allowed by policy",
    "Keycloak Allowed Client Scopes policy",
    "Every requested scope is in `allowed` (empty: no restriction).",
    Metadata,
    ["request.json_object"],
    InvalidClientMetadata,
    None,
    [ParamSpec {
        name: "allowed",
        doc: "Scopes a registration may request.",
        default: ParamValue::List(&[])
    }],
    allowed_scopes
);

fn allowed_scopes(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let scopes = m
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    allowed_subset(cx, params, "scope", scopes, "Allowed Client Scopes")
}

check!(
    ALLOWED_GRANTS,
    "policy.grant_types.allowed",
    "Grant types allowed by policy",
    "generic.md §12",
    "Every grant type is in `allowed` (empty: no restriction).",
    Metadata,
    ["request.json_object"],
    InvalidClientMetadata,
    None,
    [ParamSpec {
        name: "allowed",
        doc: "Grant types a registration may use.",
        default: ParamValue::List(&[])
    }],
    allowed_grants
);

fn allowed_grants(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let grants = effective_list(cx.profile, m, "grant_types");
    allowed_subset(cx, params, "grant_types", grants, "Allowed Grant Types")
}

check!(
    ALLOWED_AUTH_METHODS,
    "policy.auth_methods.allowed",
    "Auth methods allowed by policy",
    "generic.md §12",
    "`token_endpoint_auth_method` is in `allowed` (empty: no restriction).",
    Metadata,
    ["request.json_object"],
    InvalidClientMetadata,
    None,
    [ParamSpec {
        name: "allowed",
        doc: "Client authentication methods a registration may use.",
        default: ParamValue::List(&[])
    }],
    allowed_auth_methods
);

fn allowed_auth_methods(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let method = crate::client::effective_str(cx.profile, m, "token_endpoint_auth_method")
        .unwrap_or("")
        .to_owned();
    allowed_subset(
        cx,
        params,
        "token_endpoint_auth_method",
        vec![method],
        "Allowed Auth Methods",
    )
}

fn max_clients(cx: &CheckCx, params: &Params, count: Option<usize>, of: &str) -> Outcome {
    let max = params.int("max");
    if cx.management.is_some() {
        return Outcome::skip("an update does not add a client");
    }
    let Some(count) = count else {
        return Outcome::skip(format!("the request names no {of}"));
    };
    let o = if max > 0 && count as i64 >= max {
        Outcome::fail(format!("Policy 'Max Clients Limit' rejected the registration: the {of} already has {count} client(s) (maximum {max})"))
    } else {
        Outcome::pass(format!("{count} existing client(s) for this {of}"))
    };
    o.with("existing", count).with("max", max)
}

check!(MAX_PER_SOFTWARE, "policy.clients.max_per_software", "Clients per software", "Keycloak Max Clients Limit policy",
    "At most `max` clients per `software_id` (0: unlimited); beyond it the registration is forbidden (403).",
    Metadata, [], AccessDenied, None,
    [ParamSpec { name: "max", doc: "Most clients per software (0: unlimited).", default: ParamValue::Int(0) }], max_per_software);

fn max_per_software(cx: &CheckCx, params: &Params) -> Outcome {
    let r = cx.registry;
    max_clients(
        cx,
        params,
        r.and_then(|r| r.software_id.as_ref().map(|_| r.clients_of_software)),
        "software",
    )
}

check!(MAX_PER_ORG, "policy.clients.max_per_org", "Clients per organisation", "Keycloak Max Clients Limit policy",
    "At most `max` clients per organisation (the statement's `org_id`; 0: unlimited); beyond it 403.",
    Metadata, [], AccessDenied, None,
    [ParamSpec { name: "max", doc: "Most clients per organisation (0: unlimited).", default: ParamValue::Int(0) }], max_per_org);

fn max_per_org(cx: &CheckCx, params: &Params) -> Outcome {
    let r = cx.registry;
    max_clients(
        cx,
        params,
        r.and_then(|r| r.org_id.as_ref().map(|_| r.clients_of_org)),
        "organisation",
    )
}

check!(
    REQUIRED_METADATA,
    "policy.metadata.required",
    "Required metadata",
    "WSO2 mandatory attributes, generic.md §12",
    "Every member in `members` is present (for example `client_name`, `contacts`).",
    Metadata,
    ["request.json_object"],
    InvalidClientMetadata,
    None,
    [ParamSpec {
        name: "members",
        doc: "Members a registration must carry.",
        default: ParamValue::List(&[])
    }],
    required_metadata
);

fn required_metadata(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let members = params.list("members");
    match members
        .iter()
        .find(|k| m.get(k.as_str()).is_none_or(Value::is_null))
    {
        Some(missing) => Outcome::fail(format!("Required parameter {missing} not found"))
            .with("members", members.clone()),
        None => Outcome::pass("every required member is present").with("members", members),
    }
}

// --- the extension service (WSO2 pre-process extensions) ---

check!(HOOK, "hook.pre_process", "Extension service accepts", "WSO2 OB accelerator OpenAPI extensions",
    "The bank's extension (`[hooks]`) is called once every other check passed; it may reject (its error code and description reach the client) or add custom metadata. A timeout or an unusable answer fails with 503 temporarily_unavailable.",
    Extension, [], TemporarilyUnavailable, None, [], hook);

fn hook(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(h) = cx.hook else {
        return Outcome::skip("no extension configured for this operation");
    };
    let o = match &h.outcome {
        HookOutcome::Accepted(data) => Outcome::pass(format!("{} accepted", h.extension))
            .with("custom_metadata", Value::Object(data.clone())),
        HookOutcome::Rejected { error, description } => {
            Outcome::fail(description.clone()).with("error", error.as_str())
        }
        HookOutcome::Failed(why) => Outcome::fail(format!(
            "the registration extension {} failed: {why}",
            h.extension
        )),
    };
    o.with("extension", h.extension.as_str())
        .with("latency_ms", h.latency_ms)
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
    use super::*;

    #[test]
    fn trusted_host_patterns() {
        let hosts = vec!["tpp.example.com".to_owned(), "*.bank.example".to_owned()];
        assert!(host_trusted("tpp.example.com", &hosts));
        assert!(host_trusted("a.b.bank.example", &hosts));
        assert!(host_trusted("bank.example", &hosts));
        assert!(!host_trusted("evilbank.example", &hosts));
        assert!(!host_trusted("other.example.com", &hosts));
    }
}
