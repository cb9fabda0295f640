//! Profile diff: what differs between two profiles (`GET /admin/profiles/diff?a=A&b=B`).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{query_error, refuse};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct DiffQuery {
    a: String,
    b: String,
}

/// `GET /admin/profiles/diff?a=A&b=B`: what differs between two profiles.
pub(super) async fn diff(
    State(st): State<Arc<AppState>>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return query_error(e),
    };
    let served = st.profiles.current();
    let (Some(a), Some(b)) = (served.get(&q.a), served.get(&q.b)) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no profile `{}`",
                if served.get(&q.a).is_none() {
                    &q.a
                } else {
                    &q.b
                }
            ),
        );
    };
    axum::Json(mockbank_core::profile::diff::diff(a, b, &st.base_url)).into_response()
}
