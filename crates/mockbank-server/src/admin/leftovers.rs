//! Leftovers: what comparisons, first-run runs and walkthroughs made, tagged and cleared.
//!
//! The clients and directory organisations that comparisons, first-run runs and walkthroughs
//! made for one run, tagged by the reference client (`POST`), counted (`GET`) and cleared in
//! one action (`DELETE /admin/leftovers`, `mockbank leftovers --clear`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mockbank_core::wire::admin::{Leftovers, LeftoversCleared};
use mockbank_store::{LeftoverKind, Write};
use serde::Deserialize;

use super::{admin_error, refuse};
use crate::state::AppState;
use crate::trace_layer::commit_admin;

/// The most entries one `POST` may tag (a comparison of every case on every profile makes a
/// few dozen).
const MAX_TAGGED: usize = 1_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Made {
    kind: String,
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagRequest {
    tool: String,
    made: Vec<Made>,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `GET /admin/leftovers`: `{"clients","software","client_ids","software_ids"}`, counting
/// what still exists.
pub(crate) async fn list(State(st): State<Arc<AppState>>) -> Response {
    match st.store.leftovers() {
        Ok(l) => axum::Json(Leftovers {
            clients: l.clients.len(),
            software: l.software.len(),
            client_ids: l.clients,
            software_ids: l.software,
        })
        .into_response(),
        Err(e) => admin_error("reading the leftovers", e),
    }
}

/// `POST /admin/leftovers` `{"tool","made":[{"kind":"client"|"org","id"}]}`: 204.
pub(crate) async fn tag(State(st): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let req: TagRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("the leftovers are not valid: {e}"),
            )
        }
    };
    if req.made.len() > MAX_TAGGED || req.tool.is_empty() || req.tool.len() > 64 {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("`tool` is 1 to 64 bytes and `made` at most {MAX_TAGGED} entries"),
        );
    }
    let now = now();
    let mut writes = Vec::with_capacity(req.made.len());
    for m in req.made {
        let Some(kind) = LeftoverKind::parse(&m.kind) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("`kind` is `client` or `org`, not `{}`", m.kind),
            );
        };
        writes.push(Write::Leftover {
            kind,
            id: m.id,
            tool: req.tool.clone(),
            now,
        });
    }
    commit_admin(
        &st,
        "POST",
        "/admin/leftovers",
        &body,
        writes,
        StatusCode::NO_CONTENT.into_response(),
    )
    .await
}

/// `DELETE /admin/leftovers`: removes them all, `{"clients_deleted","software_deleted"}`.
pub(crate) async fn clear(State(st): State<Arc<AppState>>) -> Response {
    let before = match st.store.leftovers() {
        Ok(l) => l,
        Err(e) => return admin_error("reading the leftovers", e),
    };
    let answer = axum::Json(LeftoversCleared {
        clients_deleted: before.clients.len(),
        software_deleted: before.software.len(),
    })
    .into_response();
    let answer = commit_admin(
        &st,
        "DELETE",
        "/admin/leftovers",
        &[],
        vec![Write::ClearLeftovers { now: now() }],
        answer,
    )
    .await;
    if answer.status().is_success() {
        tracing::info!(
            clients = before.clients.len(),
            software = before.software.len(),
            "leftovers cleared"
        );
    }
    answer
}
