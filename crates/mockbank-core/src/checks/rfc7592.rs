//! Client configuration endpoint checks (RFC 7592 §2): the registration access token, the
//! client it is bound to, and the rules of an update.

use serde_json::Value;

use super::{CheckCx, CheckDef, ManagementFacts, Params, Phase};
use crate::client::SERVER_ASSIGNED;
use crate::trace::Effect;
use crate::trace::Outcome;
use crate::ErrorCode;

pub(super) const CHECKS: &[&CheckDef] = &[
    &OPERATION_ALLOWED,
    &TOKEN_PRESENT,
    &TOKEN_ACTIVE,
    &TOKEN_BOUND,
    &UPDATE_CLIENT_ID,
    &UPDATE_NO_SERVER_FIELDS,
    &UPDATE_SECRET,
];

fn facts<'a>(cx: &CheckCx<'a>) -> Option<&'a ManagementFacts> {
    cx.management
}

pub static OPERATION_ALLOWED: CheckDef = CheckDef {
    id: "rfc7592.operation.allowed",
    title: "Operation is offered",
    spec: "RFC 7592 §2",
    description: "The HTTP method is one of the profile's `management.operations`.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidRequest,
    status: Some(405),
    params: &[],
    run: operation_allowed,
};

fn operation_allowed(cx: &CheckCx, _: &Params) -> Outcome {
    let ops = &cx.profile.settings.management.operations;
    let method = &cx.request.method;
    let o = if ops.iter().any(|m| m.eq_ignore_ascii_case(method)) {
        Outcome::pass(format!("{method} is offered"))
    } else {
        Outcome::fail(format!(
            "{method} is not offered on the client configuration endpoint"
        ))
    };
    o.with("method", method.as_str())
        .with("operations", ops.clone())
}

pub static TOKEN_PRESENT: CheckDef = CheckDef {
    id: "rfc7592.token.present",
    title: "Registration access token presented",
    spec: "RFC 7592 §2, RFC 6750 §2.1",
    description: "The request carries `Authorization: Bearer <registration_access_token>`.",
    phase: Phase::Management,
    needs: &[],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: token_present,
};

fn token_present(cx: &CheckCx, _: &Params) -> Outcome {
    match cx.request.bearer_token() {
        Some(_) => Outcome::pass("a bearer token is present"),
        None => Outcome::fail("no registration access token: send `Authorization: Bearer <registration_access_token>`").effect(Effect::BareChallenge),
    }
}

pub static TOKEN_ACTIVE: CheckDef = CheckDef {
    id: "rfc7592.token.active",
    title: "Registration access token is active",
    spec: "RFC 7592 §2, RFC 6750 §3.1",
    description: "The token is one mockbank issued as a registration access token, not revoked, rotated away or expired.",
    phase: Phase::Management,
    needs: &["rfc7592.token.present"],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: token_active,
};

fn token_active(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = facts(cx) else {
        return Outcome::skip("not a management request");
    };
    match &m.token {
        None => Outcome::fail("the registration access token is not valid"),
        Some(t) if t.revoked => {
            Outcome::fail("the registration access token has been revoked or replaced")
        }
        Some(t) if t.expired => Outcome::fail("the registration access token has expired"),
        Some(_) => Outcome::pass("the registration access token is active"),
    }
}

pub static TOKEN_BOUND: CheckDef = CheckDef {
    id: "rfc7592.token.bound_to_client",
    title: "Token belongs to the client in the URL",
    spec: "RFC 7592 §2.1",
    description: "The token was issued to the client named in the URL and that client still exists. Otherwise the answer is 401 (never 404, which would reveal which client ids exist) and the token is revoked.",
    phase: Phase::Management,
    needs: &["rfc7592.token.active"],
    error: ErrorCode::InvalidToken,
    status: None,
    params: &[],
    run: token_bound,
};

fn token_bound(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = facts(cx) else {
        return Outcome::skip("not a management request");
    };
    let Some(token) = &m.token else {
        return Outcome::skip("no active token");
    };
    let o = if token.client_id != m.path_client_id {
        Outcome::fail(
            "the registration access token was not issued for this client; it is now revoked",
        )
        .effect(Effect::RevokePresentedToken)
    } else if m.client.is_none() {
        Outcome::fail("the client no longer exists").effect(Effect::RevokePresentedToken)
    } else {
        Outcome::pass("the token is bound to this client")
    };
    o.with("url_client_id", m.path_client_id.as_str())
}

pub static UPDATE_CLIENT_ID: CheckDef = CheckDef {
    id: "rfc7592.update.client_id_matches",
    title: "Update names the same client_id",
    spec: "RFC 7592 §2.2",
    description: "An update's body includes `client_id`, equal to the client's current identifier.",
    phase: Phase::Update,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: update_client_id,
};

fn update_client_id(cx: &CheckCx, _: &Params) -> Outcome {
    let (Some(m), Some(body)) = (facts(cx), cx.metadata()) else {
        return Outcome::skip("no update body");
    };
    match body.get("client_id") {
        None => Outcome::fail("the update must include `client_id`"),
        Some(Value::String(id)) if *id == m.path_client_id => {
            Outcome::pass("`client_id` matches").with("client_id", id.as_str())
        }
        Some(other) => {
            Outcome::fail("the provided `client_id` does not match the client being updated")
                .with("client_id", other.clone())
                .with("expected", m.path_client_id.as_str())
        }
    }
}

pub static UPDATE_NO_SERVER_FIELDS: CheckDef = CheckDef {
    id: "rfc7592.update.no_server_fields",
    title: "Update carries no server-assigned fields",
    spec: "RFC 7592 §2.2",
    description: "An update must not include `registration_access_token`, `registration_client_uri`, `client_secret_expires_at` or `client_id_issued_at`.",
    phase: Phase::Update,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: update_no_server_fields,
};

fn update_no_server_fields(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(body) = cx.metadata() else {
        return Outcome::skip("no update body");
    };
    let forbidden: Vec<&str> = SERVER_ASSIGNED
        .iter()
        .copied()
        .filter(|f| !matches!(*f, "client_id" | "client_secret"))
        .filter(|f| body.contains_key(*f))
        .collect();
    match forbidden.first() {
        None => Outcome::pass("no server-assigned fields"),
        Some(first) => Outcome::fail(format!("the update must not include `{first}`"))
            .with("fields", forbidden.clone()),
    }
}

pub static UPDATE_SECRET: CheckDef = CheckDef {
    id: "rfc7592.update.client_secret_matches",
    title: "Update does not choose a new secret",
    spec: "RFC 7592 §2.2",
    description: "If the update includes `client_secret`, it equals the current secret (a client cannot choose its secret).",
    phase: Phase::Update,
    needs: &["request.json_object"],
    error: ErrorCode::InvalidRequest,
    status: None,
    params: &[],
    run: update_secret,
};

fn update_secret(cx: &CheckCx, _: &Params) -> Outcome {
    let Some(m) = facts(cx) else {
        return Outcome::skip("not a management request");
    };
    match m.body_secret_matches {
        None => Outcome::pass("no `client_secret` in the update"),
        Some(true) => Outcome::pass("`client_secret` equals the current secret"),
        Some(false) => {
            Outcome::fail("the provided `client_secret` does not match the current secret; omit it")
        }
    }
}

/// The answer when the token passed `rfc7592.token.active` but a concurrent request rotated
/// it, or deleted its client, before this one committed (RFC 7592 §2.2: the old token is
/// dead; §2.3: a deleted client's token is revoked).
pub fn token_replaced_concurrently() -> crate::ProtocolError {
    super::failure_of(
        &TOKEN_ACTIVE,
        "the token was rotated or revoked (its client deleted) by a concurrent request",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{generic, run_one};
    use crate::checks::TokenState;
    use crate::client::ClientFacts;
    use crate::request::RequestFacts;
    use crate::trace::OutcomeKind;
    use serde_json::{json, Map};

    fn facts(token_client: Option<&str>, revoked: bool, client_exists: bool) -> ManagementFacts {
        ManagementFacts {
            path_client_id: "c1".into(),
            token: token_client.map(|c| TokenState {
                kind: "registration access token",
                client_id: c.into(),
                bound_thumbprint: None,
                registered_over: None,
                expired: false,
                revoked,
            }),
            client: client_exists.then(|| ClientFacts {
                client_id: "c1".into(),
                profile: "generic".into(),
                metadata: Map::new(),
            }),
            body_secret_matches: None,
        }
    }

    fn check(
        id: &str,
        auth: Option<&str>,
        m: &ManagementFacts,
        body: serde_json::Value,
    ) -> Outcome {
        let p = generic();
        let req = RequestFacts {
            method: "PUT".into(),
            authorization: auth.map(str::to_owned),
            ..Default::default()
        };
        let parsed = Ok(body.as_object().cloned().unwrap_or_default());
        let mut cx = CheckCx::new(0, &p, &req);
        cx.management = Some(m);
        cx.body = Some(&parsed);
        run_one(&cx, id)
    }

    #[test]
    fn token_rules() {
        let m = facts(Some("c1"), false, true);
        assert_eq!(
            check("rfc7592.token.present", None, &m, json!({})).kind,
            OutcomeKind::Fail
        );
        assert_eq!(
            check("rfc7592.token.present", Some("Bearer x"), &m, json!({})).kind,
            OutcomeKind::Pass
        );
        assert_eq!(
            check(
                "rfc7592.token.active",
                Some("Bearer x"),
                &facts(None, false, true),
                json!({})
            )
            .kind,
            OutcomeKind::Fail
        );
        let revoked = check(
            "rfc7592.token.active",
            Some("Bearer x"),
            &facts(Some("c1"), true, true),
            json!({}),
        );
        assert_eq!(
            revoked.message,
            "the registration access token has been revoked or replaced"
        );
        let foreign = check(
            "rfc7592.token.bound_to_client",
            Some("Bearer x"),
            &facts(Some("c2"), false, true),
            json!({}),
        );
        assert_eq!(foreign.kind, OutcomeKind::Fail);
        let gone = check(
            "rfc7592.token.bound_to_client",
            Some("Bearer x"),
            &facts(Some("c1"), false, false),
            json!({}),
        );
        assert_eq!(gone.message, "the client no longer exists");
        assert_eq!(
            check(
                "rfc7592.token.bound_to_client",
                Some("Bearer x"),
                &m,
                json!({})
            )
            .kind,
            OutcomeKind::Pass
        );
    }

    #[test]
    fn update_rules() {
        let m = facts(Some("c1"), false, true);
        assert_eq!(
            check("rfc7592.update.client_id_matches", None, &m, json!({})).message,
            "the update must include `client_id`"
        );
        assert_eq!(
            check(
                "rfc7592.update.client_id_matches",
                None,
                &m,
                json!({"client_id": "c2"})
            )
            .kind,
            OutcomeKind::Fail
        );
        assert_eq!(
            check(
                "rfc7592.update.client_id_matches",
                None,
                &m,
                json!({"client_id": "c1"})
            )
            .kind,
            OutcomeKind::Pass
        );
        let o = check(
            "rfc7592.update.no_server_fields",
            None,
            &m,
            json!({"client_id_issued_at": 1}),
        );
        assert_eq!(
            o.message,
            "the update must not include `client_id_issued_at`"
        );
        let mut wrong_secret = m.clone();
        wrong_secret.body_secret_matches = Some(false);
        assert_eq!(
            check(
                "rfc7592.update.client_secret_matches",
                None,
                &wrong_secret,
                json!({})
            )
            .kind,
            OutcomeKind::Fail
        );
        assert_eq!(
            check("rfc7592.operation.allowed", None, &m, json!({})).kind,
            OutcomeKind::Pass
        );
    }
}
