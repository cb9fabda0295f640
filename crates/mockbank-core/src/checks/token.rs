//! Token endpoint checks (RFC 6749 §2.3, §3.2, §4.4, §5.2): request shape, client
//! authentication and the `client_credentials` grant.

use serde_json::Value;

use super::{CheckCx, CheckDef, Params, Phase, TokenFacts};
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &CONTENT_TYPE,
    &FORM,
    &GRANT_SUPPORTED,
    &SINGLE_METHOD,
    &METHOD_SUPPORTED,
    &CLIENT_KNOWN,
    &METHOD_REGISTERED,
    &CREDENTIALS,
    &GRANT_REGISTERED,
    &SCOPE_ALLOWED,
];

const FORM_TYPE: &str = "application/x-www-form-urlencoded";

fn facts<'a>(cx: &CheckCx<'a>) -> Option<&'a TokenFacts> {
    cx.token
}

fn form<'a>(cx: &CheckCx<'a>) -> Option<&'a serde_json::Map<String, Value>> {
    facts(cx)
        .and_then(|t| t.form.as_ref())
        .and_then(|f| f.as_ref().ok())
}

pub static CONTENT_TYPE: CheckDef = CheckDef {
    id: "token.content_type",
    title: "Token request is form-encoded",
    spec: "RFC 6749 §3.2",
    description: "The token request uses `application/x-www-form-urlencoded`.",
    phase: Phase::Token,
    needs: &[],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: content_type,
};

fn content_type(cx: &CheckCx, _: &Params) -> Outcome {
    let mt = cx.request.media_type();
    let o = if mt.as_deref() == Some(FORM_TYPE) {
        Outcome::pass("form-encoded")
    } else {
        Outcome::fail(format!(
            "the token request must use Content-Type {FORM_TYPE}"
        ))
    };
    o.with("content_type", mt.map_or(Value::Null, Into::into))
}

pub static FORM: CheckDef = CheckDef {
    id: "token.form.valid",
    title: "Token request parameters are well-formed",
    spec: "RFC 6749 §3.2",
    description: "The form parses and no parameter is repeated.",
    phase: Phase::Token,
    needs: &["token.content_type"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: form_valid,
};

fn form_valid(cx: &CheckCx, _: &Params) -> Outcome {
    match facts(cx).and_then(|t| t.form.as_ref()) {
        None => Outcome::skip("no form"),
        Some(Ok(f)) => Outcome::pass("parameters are well-formed")
            .with("parameters", f.keys().cloned().collect::<Vec<_>>()),
        Some(Err(why)) => Outcome::fail(why.clone()),
    }
}

pub static GRANT_SUPPORTED: CheckDef = CheckDef {
    id: "token.grant_type.supported",
    title: "Grant type is supported",
    spec: "RFC 6749 §5.2",
    description: "`grant_type` is present and one the profile's token endpoint serves.",
    phase: Phase::Token,
    needs: &["token.form.valid"],
    error: ErrorCode::UnsupportedGrantType,
    status: None,
    params: &[],
    run: grant_supported,
};

fn grant_supported(cx: &CheckCx, _: &Params) -> Outcome {
    let supported = &cx.profile.settings.token.grant_types;
    let grant = form(cx)
        .and_then(|f| f.get("grant_type"))
        .and_then(Value::as_str);
    let o = match grant {
        None => Outcome::fail("the `grant_type` parameter is missing"),
        Some(g) if supported.iter().any(|s| s == g) => Outcome::pass(format!("`{g}` is supported")),
        Some(g) => Outcome::fail(format!(
            "grant type `{g}` is not supported here (supported: {})",
            supported.join(", ")
        )),
    };
    o.with("grant_type", grant.map_or(Value::Null, Into::into))
        .with("supported", supported.clone())
}

pub static SINGLE_METHOD: CheckDef = CheckDef {
    id: "token.client_auth.single_method",
    title: "One client authentication method",
    spec: "RFC 6749 §2.3",
    description:
        "The client uses exactly one authentication method (it MUST NOT use more than one).",
    phase: Phase::Token,
    needs: &["token.form.valid"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: single_method,
};

fn single_method(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(t) = facts(cx) else {
        return Outcome::skip("no token request");
    };
    let methods: Vec<&str> = t.presented.iter().map(|p| p.method).collect();
    let o = match methods.len() {
        1 => Outcome::pass(format!("client authenticates with `{}`", methods[0])),
        0 => Outcome::fail("no client authentication found: send HTTP Basic credentials or client_id and client_secret"),
        _ => Outcome::fail(format!("the client must use only one authentication method; found {}", methods.join(", "))),
    };
    o.with("methods", methods)
}

pub static METHOD_SUPPORTED: CheckDef = CheckDef {
    id: "token.client_auth.method_supported",
    title: "Authentication method is accepted here",
    spec: "RFC 8414 §2",
    description: "The method used is one of the issuer's `token_endpoint_auth_methods_supported`, and not `none` (a public client cannot authenticate).",
    phase: Phase::Token,
    needs: &["token.client_auth.single_method"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: method_supported,
};

fn method_supported(cx: &CheckCx, _: &Params) -> Outcome {
    let supported = &cx
        .profile
        .settings
        .discovery
        .token_endpoint_auth_methods_supported;
    let Some(p) = facts(cx).and_then(|t| t.presented.first()) else {
        return Outcome::skip("no credentials");
    };
    let o = if p.method == "none" {
        Outcome::fail("the client did not authenticate: send HTTP Basic credentials, client_id and client_secret, a client_assertion, or a client certificate")
    } else if supported.iter().any(|m| m == p.method) {
        Outcome::pass(format!("`{}` is accepted", p.method))
    } else {
        Outcome::fail(format!(
            "client authentication `{}` is not accepted here (accepted: {})",
            p.method,
            supported.join(", ")
        ))
    };
    o.with("method", p.method)
        .with("supported", supported.clone())
}

pub static CLIENT_KNOWN: CheckDef = CheckDef {
    id: "token.client_auth.client_known",
    title: "Client is registered",
    spec: "RFC 6749 §5.2",
    description: "The client id names a client registered with this profile.",
    phase: Phase::Token,
    needs: &["token.client_auth.single_method"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: client_known,
};

fn client_known(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(t) = facts(cx) else {
        return Outcome::skip("no token request");
    };
    let id = t.presented.first().and_then(|p| p.client_id.clone());
    let o = match (&id, &t.client) {
        (None, _) => Outcome::fail("no client_id in the credentials"),
        (Some(_), None) => Outcome::fail("client authentication failed: unknown client"),
        (Some(_), Some(_)) => Outcome::pass("the client is registered"),
    };
    o.with("client_id", id.map_or(Value::Null, Into::into))
}

pub static METHOD_REGISTERED: CheckDef = CheckDef {
    id: "token.client_auth.method_registered",
    title: "Method is the registered one",
    spec: "RFC 7591 §2",
    description: "The authentication method used equals the client's registered `token_endpoint_auth_method`.",
    phase: Phase::Token,
    needs: &["token.client_auth.client_known"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: method_registered,
};

fn method_registered(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(t) = facts(cx) else {
        return Outcome::skip("no token request");
    };
    let (Some(p), Some(client)) = (t.presented.first(), &t.client) else {
        return Outcome::skip("no known client");
    };
    let registered = client.auth_method();
    let o = if registered == p.method {
        Outcome::pass(format!("`{registered}` is the registered method"))
    } else {
        Outcome::fail(format!(
            "the client registered `{registered}` but authenticated with `{}`",
            p.method
        ))
    };
    o.with("used", p.method).with("registered", registered)
}

pub static CREDENTIALS: CheckDef = CheckDef {
    id: "token.client_auth.credentials_valid",
    title: "Client credentials are valid",
    spec: "RFC 6749 §2.3",
    description: "The secret (or other credential) verifies for that client.",
    phase: Phase::Token,
    needs: &["token.client_auth.method_registered"],
    error: ErrorCode::InvalidClient,
    status: None,
    params: &[],
    run: credentials,
};

fn credentials(cx: &CheckCx, _: &Params) -> Outcome {
    match facts(cx).and_then(|t| t.credential.as_ref()) {
        None => Outcome::skip("no credential to verify"),
        Some(Ok(())) => Outcome::pass("the credentials are valid"),
        Some(Err(why)) => Outcome::fail(format!("client authentication failed: {why}")),
    }
}

pub static GRANT_REGISTERED: CheckDef = CheckDef {
    id: "token.grant_type.registered",
    title: "Client registered this grant type",
    spec: "RFC 6749 §5.2, RFC 7591 §2",
    description: "The client's registered `grant_types` include the requested grant.",
    phase: Phase::Token,
    needs: &[
        "token.client_auth.credentials_valid",
        "token.grant_type.supported",
    ],
    error: ErrorCode::UnauthorizedClient,
    status: None,
    params: &[],
    run: grant_registered,
};

fn grant_registered(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(t), Some(f)) = (facts(cx), form(cx)) else {
        return Outcome::skip("no token request");
    };
    let Some(client) = &t.client else {
        return Outcome::skip("no known client");
    };
    let grant = f.get("grant_type").and_then(Value::as_str).unwrap_or("");
    let registered = client.list("grant_types");
    let o = if registered.iter().any(|g| g == grant) {
        Outcome::pass(format!("the client registered `{grant}`"))
    } else {
        Outcome::fail(format!(
            "the client is not registered for the `{grant}` grant"
        ))
    };
    o.with("grant_type", grant).with("registered", registered)
}

pub static SCOPE_ALLOWED: CheckDef = CheckDef {
    id: "token.scope.allowed",
    title: "Requested scope is allowed",
    spec: "RFC 6749 §3.3",
    description: "Every requested scope is in the client's registered `scope` (or, if it registered none, in the issuer's `scopes_supported`).",
    phase: Phase::Token,
    needs: &["token.client_auth.credentials_valid"],
    error: ErrorCode::InvalidScope,
    status: None,
    params: &[],
    run: scope_allowed,
};

fn scope_allowed(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(t), Some(f)) = (facts(cx), form(cx)) else {
        return Outcome::skip("no token request");
    };
    let Some(client) = &t.client else {
        return Outcome::skip("no known client");
    };
    let allowed: Vec<String> = match client.metadata.get("scope").and_then(Value::as_str) {
        Some(s) => s
            .split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        None => cx.profile.settings.discovery.scopes_supported.clone(),
    };
    let requested = f.get("scope").and_then(Value::as_str).unwrap_or("");
    let o = match requested
        .split(' ')
        .filter(|s| !s.is_empty())
        .find(|s| !allowed.iter().any(|a| a == s))
    {
        Some(bad) => Outcome::fail(format!("scope `{bad}` is not allowed for this client")),
        None => Outcome::pass("the requested scope is allowed"),
    };
    o.with("requested", requested).with("allowed", allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{generic, run_one};
    use crate::client::ClientFacts;
    use crate::client_auth::presented;
    use crate::request::{parse_form, RequestFacts};
    use crate::trace::OutcomeKind::{self, *};
    use serde_json::json;

    fn run(
        id: &str,
        body: &str,
        auth: Option<&str>,
        client_md: Option<Value>,
        cred: Option<Result<(), String>>,
    ) -> Outcome {
        let p = generic();
        let req = RequestFacts {
            method: "POST".into(),
            content_type: Some(FORM_TYPE.into()),
            authorization: auth.map(str::to_owned),
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        let form = parse_form(body.as_bytes());
        let facts = TokenFacts {
            presented: form
                .as_ref()
                .map(|f| presented(auth, f, false))
                .unwrap_or_default(),
            form: Some(form),
            client: client_md.map(|md| ClientFacts {
                client_id: "c1".into(),
                profile: "generic".into(),
                metadata: md.as_object().cloned().unwrap_or_default(),
            }),
            credential: cred,
        };
        let mut cx = CheckCx::new(0, &p, &req);
        cx.token = Some(&facts);
        run_one(&cx, id)
    }

    fn k(o: Outcome) -> OutcomeKind {
        o.kind
    }

    #[test]
    fn grant_and_method_rules() {
        let cc = "grant_type=client_credentials&client_id=c1&client_secret=s";
        assert_eq!(
            k(run("token.grant_type.supported", cc, None, None, None)),
            Pass
        );
        assert_eq!(
            k(run(
                "token.grant_type.supported",
                "grant_type=password",
                None,
                None,
                None
            )),
            Fail
        );
        assert_eq!(
            run("token.grant_type.supported", "a=b", None, None, None).message,
            "the `grant_type` parameter is missing"
        );
        assert_eq!(
            k(run("token.client_auth.single_method", cc, None, None, None)),
            Pass
        );
        assert_eq!(
            k(run(
                "token.client_auth.single_method",
                cc,
                Some("Basic YzE6cw=="),
                None,
                None
            )),
            Fail
        );
        assert_eq!(
            k(run(
                "token.client_auth.single_method",
                "grant_type=client_credentials",
                None,
                None,
                None
            )),
            Fail
        );
        assert_eq!(
            k(run("token.client_auth.client_known", cc, None, None, None)),
            Fail
        );
        let md = json!({"token_endpoint_auth_method": "client_secret_basic", "grant_types": ["client_credentials"]});
        assert_eq!(
            run("token.client_auth.method_registered", cc, None, Some(md.clone()), None).message,
            "the client registered `client_secret_basic` but authenticated with `client_secret_post`"
        );
        assert_eq!(
            k(run(
                "token.client_auth.credentials_valid",
                cc,
                None,
                Some(md.clone()),
                Some(Err("wrong secret".into()))
            )),
            Fail
        );
        assert_eq!(
            k(run(
                "token.grant_type.registered",
                cc,
                None,
                Some(md.clone()),
                Some(Ok(()))
            )),
            Pass
        );
        let no_cc = json!({"grant_types": ["authorization_code"]});
        assert_eq!(
            k(run(
                "token.grant_type.registered",
                cc,
                None,
                Some(no_cc),
                Some(Ok(()))
            )),
            Fail
        );
        let scoped = json!({"scope": "accounts"});
        assert_eq!(
            k(run(
                "token.scope.allowed",
                &format!("{cc}&scope=accounts"),
                None,
                Some(scoped.clone()),
                Some(Ok(()))
            )),
            Pass
        );
        assert_eq!(
            k(run(
                "token.scope.allowed",
                &format!("{cc}&scope=payments"),
                None,
                Some(scoped),
                Some(Ok(()))
            )),
            Fail
        );
    }
}
