//! What every admin handler shares: the admin API's JSON error answers and the reference
//! client aimed at this server. Kept outside `admin` and importing neither `admin` nor
//! `walkthroughs`, so that both use it and `admin` → `walkthroughs` stays one-way.

use axum::extract::rejection::QueryRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::http_error;
use crate::state::AppState;

/// An admin refusal: `{"error","error_description"}` with `status` (a 401 also names the
/// admin realm in `WWW-Authenticate`).
pub(crate) fn refuse(status: StatusCode, code: &str, description: String) -> Response {
    let mut resp = http_error::json(
        status,
        &json!({"error": code, "error_description": description}),
    );
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"mockbank-admin\""),
        );
    }
    resp
}

/// A query string the admin API cannot read: 400 in the JSON error shape.
pub(crate) fn query_error(e: QueryRejection) -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        format!("the query string is not valid: {}", e.body_text()),
    )
}

/// An internal failure: logged with `context`, answered as a 500 without the details.
pub(crate) fn admin_error(context: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{context}");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "mockbank hit an internal error; its log has the details".into(),
    )
}

/// The reference TPP aimed at this server itself, as the local admin.
pub(crate) fn reference_client(st: &AppState) -> anyhow::Result<mockbank_tpp::Target> {
    mockbank_tpp::Target::new(
        &st.base_url,
        st.ca.cert_pem(),
        Some(st.admin_token.clone()),
        st.data_dir.join("tpp"),
    )
}
