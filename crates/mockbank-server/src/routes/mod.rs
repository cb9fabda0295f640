//! The HTTP surface: which handler serves which path, and which layers wrap them.

mod dcr;
mod directory;
mod discovery;
mod management;
mod registration;
mod token;
pub(crate) mod ui;

use std::sync::Arc;

use axum::http::{header, HeaderMap, Method, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use mockbank_core::request::RequestFacts;
use mockbank_core::{ErrorCode, ProtocolError};

use crate::admin;
use crate::guards;
use crate::http_error::{self, TraceInfo};
use crate::state::AppState;
use crate::trace_layer::{trace_layer, ReadBody};

pub fn router(state: Arc<AppState>) -> Router {
    let traced = Router::new()
        .route(
            "/{profile}/.well-known/openid-configuration",
            get(discovery::document),
        )
        .route(
            "/{profile}/.well-known/oauth-authorization-server",
            get(discovery::document),
        )
        .route(
            "/.well-known/openid-configuration/{profile}",
            get(discovery::document),
        )
        .route(
            "/.well-known/oauth-authorization-server/{profile}",
            get(discovery::document),
        )
        .route("/{profile}/jwks", get(discovery::jwks))
        .route("/{profile}/register", post(registration::register))
        .route("/{profile}/register/{client_id}", any(management::manage))
        .route("/{profile}/token", post(token::token))
        .merge(directory::router(state.clone()))
        .fallback(not_found)
        .layer(from_fn(guards::json_errors))
        .layer(from_fn_with_state(state.clone(), trace_layer));
    let local = Router::new()
        .merge(admin::router(state.clone()))
        .route(
            "/",
            get(|| async { axum::response::Redirect::temporary("/ui/") }),
        )
        .route(
            "/ui",
            get(|| async { axum::response::Redirect::permanent("/ui/") }),
        )
        .route("/ui/", get(ui::index))
        .route("/ui/login", post(ui::login))
        .route("/ui/logout", post(ui::logout))
        .route("/ui/{*path}", get(ui::asset))
        .layer(from_fn_with_state(state.clone(), guards::consume_body))
        .layer(from_fn(guards::json_errors));
    let app = local
        .merge(traced)
        .layer(from_fn(guards::request_limits))
        .with_state(state);
    // axum sets a 405's `Allow` outside every layer of the router that routed it: the
    // allowed methods are named one router further out, where the header is there.
    Router::new()
        .fallback_service(app)
        .layer(from_fn(guards::name_allowed_methods))
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The facts checks read about a request.
pub(crate) fn request_facts(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &ReadBody,
) -> RequestFacts {
    let header_str = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    RequestFacts {
        method: method.to_string(),
        path: uri.path().to_owned(),
        content_type: header_str(header::CONTENT_TYPE),
        authorization: header_str(header::AUTHORIZATION),
        body: body.bytes.to_vec(),
        body_over_limit: body.over_limit,
    }
}

/// The 404 for a profile id that does not exist.
pub(crate) fn unknown_profile(st: &AppState, id: &str) -> Response {
    let served = st.profiles.current();
    let known: Vec<&str> = served.iter().map(|p| p.id.as_str()).collect();
    http_error::error(
        &ProtocolError::new(
            ErrorCode::NotFound,
            format!("no profile `{id}` (profiles: {})", known.join(", ")),
        ),
        TraceInfo::default(),
    )
}

async fn not_found(uri: Uri) -> Response {
    http_error::error(
        &ProtocolError::new(ErrorCode::NotFound, format!("nothing at {}", uri.path())),
        TraceInfo::default(),
    )
}
