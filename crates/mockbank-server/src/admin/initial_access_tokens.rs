//! Initial access tokens (RFC 7591 §3): `POST /admin/initial-access-tokens` issues one.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use mockbank_core::wire::admin::IssuedInitialAccessToken;
use serde::Deserialize;

use super::refuse;
use crate::http_error;
use crate::secrets;
use crate::state::AppState;
use crate::trace_layer::commit_admin;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IatRequest {
    profile: String,
    /// Seconds until it expires; none: never.
    expires_in: Option<u64>,
    /// Registrations it allows; none: unlimited.
    max_uses: Option<u32>,
}

/// `POST /admin/initial-access-tokens`: issues an initial access token (RFC 7591 §3) for a
/// profile whose `[protection] bearer = "issued"`; only its hash is stored.
pub(super) async fn issue(State(st): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let req: IatRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("the request is not valid: {e}"),
            )
        }
    };
    let Some(profile) = st.profile(&req.profile) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no profile `{}`", req.profile),
        );
    };
    if req.max_uses == Some(0) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "max_uses must be at least 1".into(),
        );
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let token = secrets::random_token(32);
    let row = mockbank_store::TokenRow {
        hash: secrets::hash(&token),
        kind: mockbank_store::TokenKind::Initial,
        client_id: String::new(),
        profile: profile.id.clone(),
        scope: None,
        issued_at: now,
        expires_at: req.expires_in.map(|s| now + s as i64),
        revoked_at: None,
        cnf: None,
        uses_left: req.max_uses.map(i64::from),
    };
    let expires_at = row.expires_at;
    let mut resp = http_error::json(
        StatusCode::CREATED,
        &IssuedInitialAccessToken {
            initial_access_token: token.clone(),
            profile: profile.id.clone(),
            expires_at,
            max_uses: req.max_uses,
        },
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The trace redacts the token (`initial_access_token` is a secret by name).
    commit_admin(
        &st,
        "POST",
        "/admin/initial-access-tokens",
        &body,
        vec![mockbank_store::Write::Token(row)],
        resp,
    )
    .await
}
