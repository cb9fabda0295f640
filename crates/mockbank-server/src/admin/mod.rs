//! The local admin API (`/admin/...`): its route table, guard and shared helpers.
//!
//! Traces, their live stream, profiles, checks and clients, each resource in a file of its
//! own. Closed to everything but mockbank's own origin: the `Host` must be the listener's
//! (DNS rebinding), a browser `Origin` must be mockbank's, and the admin token (the content
//! of `admin_token_file`) is required.

mod clients;
mod compare;
mod guard;
mod initial_access_tokens;
mod leftovers;
mod profile_diff;
mod profiles;
mod report;
mod traces;

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::state::AppState;
use crate::walkthroughs;

pub(crate) use self::clients::client_list;
pub(crate) use self::guard::guard;
pub(crate) use self::profiles::profile_list;
pub use self::traces::TraceQuery;
pub(crate) use crate::admin_api::{admin_error, query_error, reference_client, refuse};

/// Name of the cookie the browser UI may carry the admin token in.
pub const ADMIN_COOKIE: &str = "mockbank_admin";

/// Every admin route, the walkthroughs' included, behind [`guard`].
pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/traces", get(traces::list))
        .route("/admin/traces/stream", get(traces::stream))
        .route("/admin/traces/{id}", get(traces::show))
        .route("/admin/profiles", get(profiles::list))
        .route(
            "/admin/profiles/{profile}/checks/{check}",
            put(profiles::override_check).delete(profiles::revert_check),
        )
        .route(
            "/admin/profiles/{profile}/overrides",
            delete(profiles::revert_profile),
        )
        .route("/admin/checks", get(profiles::checks))
        .route("/admin/compare", post(compare::compare))
        .route("/admin/compare/cases", get(compare::cases))
        .route("/admin/report", get(report::report))
        .route("/admin/profiles/diff", get(profile_diff::diff))
        .route("/admin/clients", get(clients::list))
        .route("/admin/clients/{client_id}", delete(clients::delete))
        .route(
            "/admin/leftovers",
            get(leftovers::list)
                .post(leftovers::tag)
                .delete(leftovers::clear),
        )
        .route(
            "/admin/initial-access-tokens",
            post(initial_access_tokens::issue),
        )
        .merge(walkthroughs::routes())
        // Last, so that it wraps every route above, the merged ones included.
        .layer(from_fn_with_state(state, guard))
}

/// A header's value, when it is text.
fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
