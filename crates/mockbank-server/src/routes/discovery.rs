//! Discovery (RFC 8414 / OIDC Discovery) and the issuer's JWKS.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::unknown_profile;
use crate::http_error::{self, TraceInfo};
use crate::state::AppState;
use mockbank_core::Profile;

pub async fn document(State(st): State<Arc<AppState>>, Path(profile): Path<String>) -> Response {
    let Some(served) = st.profile(&profile) else {
        return unknown_profile(&st, &profile);
    };
    let profile: &Profile = &served;
    let doc = mockbank_core::discovery::document(profile, &st.base_url);
    http_error::ok(StatusCode::OK, &doc, TraceInfo::default())
}

/// The issuer's signing keys. The JSON profiles issue opaque tokens and sign nothing, so the
/// set is empty; profiles that sign add their keys here.
pub async fn jwks(State(st): State<Arc<AppState>>, Path(profile): Path<String>) -> Response {
    if st.profile(&profile).is_none() {
        return unknown_profile(&st, &profile);
    }
    http_error::ok(StatusCode::OK, &json!({"keys": []}), TraceInfo::default())
}
