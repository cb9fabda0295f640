//! Registration policies as profile data (generic.md §12; Keycloak's client registration
//! policies): trusted redirect hosts, allowed scopes, grants and authentication methods,
//! client counts per software and organisation, required metadata.

use serde_json::Value;
use url::Url;

use super::{CheckCx, CheckDef, ParamSpec, ParamValue, Params, Phase};
use crate::client::effective_list;
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &TRUSTED_HOSTS,
    &ALLOWED_SCOPES,
    &ALLOWED_GRANTS,
    &ALLOWED_AUTH_METHODS,
    &MAX_PER_SOFTWARE,
    &MAX_PER_ORG,
    &REQUIRED_METADATA,
];

// --- policies (Keycloak's client registration policies, as data) ---

fn md<'a>(cx: &CheckCx<'a>) -> Option<&'a serde_json::Map<String, Value>> {
    cx.metadata()
}

pub static TRUSTED_HOSTS: CheckDef = CheckDef {
    id: "policy.redirect.trusted_hosts",
    title: "Redirect URIs on trusted hosts",
    spec: "Keycloak Trusted Hosts policy",
    description: "Every redirect URI (and client/logo/tos/policy URI) is on one of `hosts` (a leading `*.` matches subdomains). An empty list trusts every host.",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidRedirectUri,
    status: None,
    params: &[ParamSpec { name: "hosts", doc: "Trusted hosts.", default: ParamValue::List(&[]) }],
    run: trusted_hosts,
};

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

pub static ALLOWED_SCOPES: CheckDef = CheckDef {
    id: "policy.scope.allowed",
    title: "Scopes allowed by policy",
    spec: "Keycloak Allowed Client Scopes policy",
    description: "Every requested scope is in `allowed` (empty: no restriction).",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Scopes a registration may request.",
        default: ParamValue::List(&[]),
    }],
    run: allowed_scopes,
};

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

pub static ALLOWED_GRANTS: CheckDef = CheckDef {
    id: "policy.grant_types.allowed",
    title: "Grant types allowed by policy",
    spec: "generic.md §12",
    description: "Every grant type is in `allowed` (empty: no restriction).",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Grant types a registration may use.",
        default: ParamValue::List(&[]),
    }],
    run: allowed_grants,
};

fn allowed_grants(cx: &CheckCx, params: &Params) -> Outcome {
    let Some(m) = md(cx) else {
        return Outcome::skip("no metadata");
    };
    let grants = effective_list(cx.profile, m, "grant_types");
    allowed_subset(cx, params, "grant_types", grants, "Allowed Grant Types")
}

pub static ALLOWED_AUTH_METHODS: CheckDef = CheckDef {
    id: "policy.auth_methods.allowed",
    title: "Auth methods allowed by policy",
    spec: "generic.md §12",
    description: "`token_endpoint_auth_method` is in `allowed` (empty: no restriction).",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "allowed",
        doc: "Client authentication methods a registration may use.",
        default: ParamValue::List(&[]),
    }],
    run: allowed_auth_methods,
};

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

pub static MAX_PER_SOFTWARE: CheckDef = CheckDef {
    id: "policy.clients.max_per_software",
    title: "Clients per software",
    spec: "Keycloak Max Clients Limit policy",
    description: "At most `max` clients per `software_id` (0: unlimited); beyond it the registration is forbidden (403).",
    phase: Phase::Metadata,
    needs: &[],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[ParamSpec { name: "max", doc: "Most clients per software (0: unlimited).", default: ParamValue::Int(0) }],
    run: max_per_software,
};

fn max_per_software(cx: &CheckCx, params: &Params) -> Outcome {
    let r = cx.registry;
    max_clients(
        cx,
        params,
        r.and_then(|r| r.software_id.as_ref().map(|_| r.clients_of_software)),
        "software",
    )
}

pub static MAX_PER_ORG: CheckDef = CheckDef {
    id: "policy.clients.max_per_org",
    title: "Clients per organisation",
    spec: "Keycloak Max Clients Limit policy",
    description: "At most `max` clients per organisation (the statement's `org_id`; 0: unlimited); beyond it 403.",
    phase: Phase::Metadata,
    needs: &[],
    error: ErrorCode::AccessDenied,
    status: None,
    params: &[ParamSpec { name: "max", doc: "Most clients per organisation (0: unlimited).", default: ParamValue::Int(0) }],
    run: max_per_org,
};

fn max_per_org(cx: &CheckCx, params: &Params) -> Outcome {
    let r = cx.registry;
    max_clients(
        cx,
        params,
        r.and_then(|r| r.org_id.as_ref().map(|_| r.clients_of_org)),
        "organisation",
    )
}

pub static REQUIRED_METADATA: CheckDef = CheckDef {
    id: "policy.metadata.required",
    title: "Required metadata",
    spec: "WSO2 mandatory attributes, generic.md §12",
    description: "Every member in `members` is present (for example `client_name`, `contacts`).",
    phase: Phase::Metadata,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidClientMetadata,
    status: None,
    params: &[ParamSpec {
        name: "members",
        doc: "Members a registration must carry.",
        default: ParamValue::List(&[]),
    }],
    run: required_metadata,
};

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
