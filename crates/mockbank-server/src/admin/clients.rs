//! Registered clients: the list, and deleting one of any profile.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mockbank_core::wire::admin::ClientView;

use super::{admin_error, TraceQuery};
use crate::state::AppState;
use crate::trace_layer::commit_admin;

/// `GET /admin/clients[?profile=ID]` (read with the traces' parameters).
pub(super) async fn list(State(st): State<Arc<AppState>>, Query(q): Query<TraceQuery>) -> Response {
    match client_list(&st.store, q.profile.as_deref()) {
        Ok(out) => axum::Json(out).into_response(),
        Err(e) => admin_error("listing clients", e),
    }
}

/// The registered clients (of one profile, or all) with their metadata: the answer of
/// `GET /admin/clients`, also read by the desktop app.
pub(crate) fn client_list(
    store: &mockbank_store::Store,
    profile: Option<&str>,
) -> Result<Vec<ClientView>, mockbank_store::StoreError> {
    Ok(store
        .clients(profile)?
        .into_iter()
        .map(|c| ClientView {
            client_id: c.client_id,
            profile: c.profile,
            metadata: c.metadata,
            has_secret: c.secret_hash.is_some(),
            client_id_issued_at: c.issued_at,
            updated_at: c.updated_at,
        })
        .collect())
}

/// `DELETE /admin/clients/{client_id}`: deletes a client of any profile and revokes its
/// tokens, as its own RFC 7592 DELETE would.
pub(super) async fn delete(
    State(st): State<Arc<AppState>>,
    Path(client_id): Path<String>,
) -> Response {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // The write itself decides whether the client is there: unknown, or deleted by a
    // concurrent DELETE (here or RFC 7592) that committed first, it is a 404.
    let write = mockbank_store::Write::DeleteClient {
        client_id: client_id.clone(),
        credential: None,
        now,
        conflict: mockbank_core::ProtocolError::new(
            mockbank_core::ErrorCode::NotFound,
            format!("no client `{client_id}`"),
        ),
    };
    let path = format!("/admin/clients/{client_id}");
    let answer = commit_admin(
        &st,
        "DELETE",
        &path,
        &[],
        vec![write],
        StatusCode::NO_CONTENT.into_response(),
    )
    .await;
    if answer.status().is_success() {
        tracing::info!(client_id, "client deleted from the admin API");
    }
    answer
}
