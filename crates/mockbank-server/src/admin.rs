//! The local admin API (`/admin/...`): traces, their live stream, profiles, checks and
//! clients. Closed to everything but mockbank's own origin: the `Host` must be the
//! listener's (DNS rebinding), a browser `Origin` must be mockbank's, and the admin token
//! (the content of `admin_token_file`) is required.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use mockbank_core::checks::catalogue;
use mockbank_core::{CheckOverride, Profile, Trace};
use mockbank_store::TraceFilter;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

use crate::http_error;
use crate::leftovers;
use crate::secrets;
use crate::state::AppState;
use crate::trace_layer::commit_admin;
use crate::walkthroughs;

/// Name of the cookie the browser UI may carry the admin token in.
pub const ADMIN_COOKIE: &str = "mockbank_admin";

pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/traces", get(traces))
        .route("/admin/traces/stream", get(stream_traces))
        .route("/admin/traces/{id}", get(trace))
        .route("/admin/profiles", get(profiles))
        .route(
            "/admin/profiles/{profile}/checks/{check}",
            put(override_check).delete(revert_check),
        )
        .route(
            "/admin/profiles/{profile}/overrides",
            delete(revert_profile),
        )
        .route("/admin/checks", get(checks))
        .route("/admin/compare", axum::routing::post(compare))
        .route("/admin/compare/cases", get(compare_cases))
        .route("/admin/report", get(report))
        .route("/admin/profiles/diff", get(profile_diff))
        .route("/admin/clients", get(clients))
        .route("/admin/clients/{client_id}", delete(delete_client))
        .route(
            "/admin/leftovers",
            get(leftovers::list)
                .post(leftovers::tag)
                .delete(leftovers::clear),
        )
        .route(
            "/admin/initial-access-tokens",
            axum::routing::post(issue_initial_access_token),
        )
        .route("/admin/scenarios", get(walkthroughs::list))
        .route("/admin/scenarios/{name}", get(walkthroughs::show))
        .route(
            "/admin/scenarios/{name}/runs",
            axum::routing::post(walkthroughs::start),
        )
        .route("/admin/scenario-runs/{id}", get(walkthroughs::run_state))
        .route(
            "/admin/scenario-runs/{id}/steps/{index}",
            axum::routing::post(walkthroughs::step),
        )
        .route(
            "/admin/scenario-runs/{id}/handout",
            get(walkthroughs::handout),
        )
        .layer(from_fn_with_state(state, guard))
}

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

/// Host, then Origin, then the admin token.
pub(crate) async fn guard(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let host = crate::guards::request_host(req.uri(), req.headers());
    if !st.allowed_hosts.contains(&host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!(
                "Host `{host}` is not this mockbank; the admin API answers only to {}",
                st.allowed_hosts.join(", ")
            ),
        );
    }
    if let Some(origin) = header_str(req.headers(), header::ORIGIN) {
        let own = st
            .allowed_hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("https://{h}")));
        if !own {
            return refuse(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!("requests from origin `{origin}` are not allowed"),
            );
        }
    }
    let presented = bearer(req.headers()).or_else(|| cookie(req.headers(), ADMIN_COOKIE));
    match presented {
        Some(t) if secrets::hash(&t) == st.admin_token_hash => next.run(req).await,
        Some(_) => refuse(StatusCode::UNAUTHORIZED, "invalid_token", "the admin token is wrong".into()),
        None => refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the admin API needs `Authorization: Bearer <admin token>` (the content of admin_token_file)".into(),
        ),
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = header_str(headers, header::AUTHORIZATION)?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `GET /admin/traces`' parameters (also the desktop app's `list_traces`). Empty values
/// filter nothing.
#[derive(Debug, Default, Deserialize)]
pub struct TraceQuery {
    limit: Option<u32>,
    before: Option<u64>,
    profile: Option<String>,
    client_id: Option<String>,
    outcome: Option<String>,
    q: Option<String>,
    /// `directory_reads`: leave out the directory's admin listings (the UI's own reads).
    hide: Option<String>,
}

impl From<TraceQuery> for TraceFilter {
    fn from(q: TraceQuery) -> Self {
        TraceFilter {
            limit: q.limit.unwrap_or(100),
            before: q.before,
            profile: q.profile.filter(|p| !p.is_empty()),
            client_id: q.client_id.filter(|c| !c.is_empty()),
            outcome: q.outcome.filter(|o| !o.is_empty()),
            text: q.q.filter(|t| !t.is_empty()),
            hide_directory_reads: q
                .hide
                .as_deref()
                .is_some_and(|h| h.split(',').any(|h| h == "directory_reads")),
        }
    }
}

async fn traces(
    State(st): State<Arc<AppState>>,
    q: Result<Query<TraceQuery>, QueryRejection>,
) -> Response {
    let filter = match q {
        Ok(Query(q)) => TraceFilter::from(q),
        Err(e) => return query_error(e),
    };
    let store = st.store.clone();
    match tokio::task::spawn_blocking(move || store.traces(&filter)).await {
        Ok(Ok(traces)) => axum::Json(traces).into_response(),
        Ok(Err(e)) => admin_error("listing traces", e),
        Err(e) => admin_error("listing traces", e),
    }
}

/// A query string the admin API cannot read: 400 in the JSON error shape.
pub(crate) fn query_error(e: QueryRejection) -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        format!("the query string is not valid: {}", e.body_text()),
    )
}

async fn trace(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let (store, wanted) = (st.store.clone(), id.clone());
    match tokio::task::spawn_blocking(move || store.trace(&wanted)).await {
        Ok(Ok(Some(t))) => axum::Json(t).into_response(),
        Ok(Ok(None)) => refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no trace `{id}`"),
        ),
        Ok(Err(e)) => admin_error("reading a trace", e),
        Err(e) => admin_error("reading a trace", e),
    }
}

pub(crate) fn admin_error(context: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{context}");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "mockbank hit an internal error; its log has the details".into(),
    )
}

fn trace_event(t: &Trace) -> Event {
    Event::default()
        .id(t.seq.to_string())
        .event("trace")
        .data(serde_json::to_string(t).unwrap_or_default())
}

/// Traces replayed per page to a reconnecting SSE client: a page is read off the async
/// workers and sent before the next is read, so a replay of any length holds one page.
const REPLAY_PAGE: u32 = 64;

/// Server-Sent Events: `trace` events (id = the trace's `seq`). With `Last-Event-ID`, the
/// traces stored after that id are replayed first, page by page, all of them. A subscriber
/// that falls behind gets a `resync` event and should refetch `/admin/traces`.
async fn stream_traces(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the replay so nothing falls between the two.
    let live = BroadcastStream::new(st.bus.subscribe());
    let last: Option<u64> = header_str(&headers, header::HeaderName::from_static("last-event-id"))
        .and_then(|v| v.trim().parse().ok());
    // The highest seq sent by the replay; the live stream skips what it already sent.
    let high = Arc::new(std::sync::atomic::AtomicU64::new(last.unwrap_or(0)));
    let store = st.store.clone();
    let replay_high = high.clone();
    let replayed = stream::unfold(last, move |cursor| {
        let (store, high) = (store.clone(), replay_high.clone());
        async move {
            let after = cursor?;
            let page =
                tokio::task::spawn_blocking(move || store.traces_after(after, REPLAY_PAGE)).await;
            let page = match page {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "SSE replay failed");
                    return None;
                }
                Err(e) => {
                    tracing::error!(error = %e, "SSE replay failed");
                    return None;
                }
            };
            let next = page.last().map(|t| t.seq);
            if let Some(seq) = next {
                high.store(seq, std::sync::atomic::Ordering::Release);
            }
            let full = page.len() == REPLAY_PAGE as usize;
            let events: Vec<Result<Event, Infallible>> =
                page.iter().map(trace_event).map(Ok).collect();
            (!events.is_empty()).then(|| (stream::iter(events), next.filter(|_| full)))
        }
    })
    .flatten();
    let live = live.filter_map(move |item| {
        let high = high.load(std::sync::atomic::Ordering::Acquire);
        async move {
            match item {
                Ok(t) if t.seq > high => Some(Ok(trace_event(&t))),
                Ok(_) => None,
                Err(BroadcastStreamRecvError::Lagged(n)) => {
                    Some(Ok(Event::default().event("resync").data(n.to_string())))
                }
            }
        }
    });
    Sse::new(replayed.chain(live)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn profiles(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(profile_list(&st)).into_response()
}

/// Every profile with its issuer, discovery document and checks (with their effective
/// parameters): the answer of `GET /admin/profiles`, also read by the desktop app.
pub(crate) fn profile_list(st: &AppState) -> Vec<Value> {
    st.profiles
        .current()
        .iter()
        .map(|p| profile_json(st, p))
        .collect()
}

/// A check's parameters as the catalogue declares them: name, doc, default, and the accepted
/// values of a parameter that takes one of a list.
fn param_specs(def: &mockbank_core::checks::CheckDef) -> Vec<Value> {
    def.params
        .iter()
        .map(|p| json!({"name": p.name, "doc": p.doc, "default": p.default.to_json(), "options": p.default.options()}))
        .collect()
}

/// One profile as the admin API shows it; `enabled` is what runs now, `default_enabled`
/// what the profile file says.
fn profile_json(st: &AppState, p: &Profile) -> Value {
    let checks: Vec<Value> = p
        .checks
        .iter()
        .map(|c| {
            json!({
                "id": c.def.id, "title": c.def.title, "spec": c.spec,
                "phase": c.def.phase, "severity": c.severity, "enabled": c.runs(),
                "applicable": c.applicable,
                "default_enabled": c.default_enabled, "overridden": c.overridden(),
                "error": c.error, "status": c.status, "params": c.params().effective(),
                "param_specs": param_specs(c.def),
            })
        })
        .collect();
    json!({
        "id": p.id, "title": p.settings.title, "description": p.settings.description,
        "spec": p.settings.spec, "source": p.source, "extends": p.extends,
        "issuer": p.issuer(&st.base_url),
        "tpp_flavor": p.tpp_flavor(),
        "directory": p.settings.directory,
        "protection": p.protection_summary(),
        "discovery": mockbank_core::discovery::document(p, &st.base_url),
        "checks": checks,
        "overrides": p.checks.iter().filter(|c| c.overridden()).count(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSwitch {
    enabled: bool,
}

/// A change to the check overrides: `Some((check, Some(on)))` switches a check,
/// `Some((check, None))` reverts it, `None` reverts the whole profile.
type OverrideChange<'a> = Option<(&'a str, Option<bool>)>;

/// Stores an override change, then serves the profiles with every stored override applied;
/// answers the profile as it now runs.
async fn change_overrides(st: &AppState, profile: &str, change: OverrideChange<'_>) -> Response {
    let current = st.profiles.current();
    let Some(p) = current.get(profile) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no profile `{profile}`"),
        );
    };
    if let Some((check, enabled)) = change {
        if p.check(check).is_none() {
            return refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("profile `{profile}` has no check `{check}`"),
            );
        }
        let mandatory = mockbank_core::checks::every_profile()
            .iter()
            .any(|(c, _)| c.id == check);
        if mandatory && enabled == Some(false) {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("`{check}` runs in every profile and cannot be switched off"),
            );
        }
    }
    let _serial = st.profiles.updating.lock().await;
    let write = mockbank_store::Write::CheckOverride {
        profile: profile.to_owned(),
        check: change.map(|(check, _)| check.to_owned()),
        enabled: change.and_then(|(_, enabled)| enabled),
        now: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let (method, path, body) = match change {
        Some((check, Some(on))) => (
            "PUT",
            format!("/admin/profiles/{profile}/checks/{check}"),
            json!({"enabled": on}).to_string(),
        ),
        Some((check, None)) => (
            "DELETE",
            format!("/admin/profiles/{profile}/checks/{check}"),
            String::new(),
        ),
        None => (
            "DELETE",
            format!("/admin/profiles/{profile}/overrides"),
            String::new(),
        ),
    };
    // The answer shows the profile as it will run once the change is committed.
    let mut overrides: Vec<CheckOverride> = match st.store.check_overrides() {
        Ok(o) => o
            .into_iter()
            .filter(|o| o.profile != profile || change.is_some_and(|(c, _)| o.check != c))
            .collect(),
        Err(e) => return admin_error("reading the check overrides", e),
    };
    if let Some((check, Some(enabled))) = change {
        overrides.push(CheckOverride {
            profile: profile.to_owned(),
            check: check.to_owned(),
            enabled,
        });
    }
    let preview = st.profiles.preview(&overrides);
    let answer = match preview.get(profile) {
        Some(p) => axum::Json(profile_json(st, p)).into_response(),
        None => return admin_error("changing the check overrides", "the profile disappeared"),
    };
    let answer = commit_admin(st, method, &path, body.as_bytes(), vec![write], answer).await;
    if answer.status().is_success() {
        match st.store.check_overrides() {
            Ok(o) => st.profiles.apply(&o),
            Err(e) => return admin_error("reloading the check overrides", e),
        }
        tracing::info!(profile, ?change, "check overrides changed");
    }
    answer
}

/// `PUT /admin/profiles/{profile}/checks/{check}` `{"enabled": bool}`: switches a check on
/// or off from the next request on, over the profile file; kept across restarts.
async fn override_check(
    State(st): State<Arc<AppState>>,
    Path((profile, check)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let switch: CheckSwitch = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("expected {{\"enabled\": true|false}}: {e}"),
            )
        }
    };
    change_overrides(&st, &profile, Some((&check, Some(switch.enabled)))).await
}

/// `DELETE /admin/profiles/{profile}/checks/{check}`: back to the profile file's value.
async fn revert_check(
    State(st): State<Arc<AppState>>,
    Path((profile, check)): Path<(String, String)>,
) -> Response {
    change_overrides(&st, &profile, Some((&check, None))).await
}

/// `DELETE /admin/profiles/{profile}/overrides`: every check back to the profile file.
async fn revert_profile(State(st): State<Arc<AppState>>, Path(profile): Path<String>) -> Response {
    change_overrides(&st, &profile, None).await
}

async fn checks() -> Response {
    let list: Vec<Value> = catalogue()
        .map(|c| {
            json!({"id": c.id, "title": c.title, "spec": c.spec, "description": c.description,
                   "phase": c.phase, "error": c.error,
                   "params": param_specs(c)})
        })
        .collect();
    axum::Json(list).into_response()
}

async fn clients(State(st): State<Arc<AppState>>, Query(q): Query<TraceQuery>) -> Response {
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
) -> Result<Vec<Value>, mockbank_store::StoreError> {
    Ok(store
        .clients(profile)?
        .into_iter()
        .map(|c| {
            json!({"client_id": c.client_id, "profile": c.profile, "metadata": c.metadata,
                   "has_secret": c.secret_hash.is_some(), "client_id_issued_at": c.issued_at,
                   "updated_at": c.updated_at})
        })
        .collect())
}

/// `DELETE /admin/clients/{client_id}`: deletes a client of any profile and revokes its
/// tokens, as its own RFC 7592 DELETE would.
async fn delete_client(State(st): State<Arc<AppState>>, Path(client_id): Path<String>) -> Response {
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
async fn issue_initial_access_token(
    State(st): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
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
        &json!({"initial_access_token": token, "profile": profile.id, "expires_at": expires_at, "max_uses": req.max_uses}),
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

/// The reference TPP aimed at this server itself, as the local admin.
pub(crate) fn reference_client(st: &AppState) -> anyhow::Result<mockbank_tpp::Target> {
    mockbank_tpp::Target::new(
        &st.base_url,
        st.ca.cert_pem(),
        Some(st.admin_token.clone()),
        st.data_dir.join("tpp"),
    )
}

/// `GET /admin/compare/cases`: the named deviations and the profiles each applies to.
async fn compare_cases(State(st): State<Arc<AppState>>) -> Response {
    let flavors: Vec<(String, mockbank_tpp::Flavor, Value)> = st
        .profiles
        .current()
        .iter()
        .filter_map(|p| {
            let flavor = mockbank_tpp::Flavor::parse(p.tpp_flavor())?;
            Some((p.id.clone(), flavor, p.protection_summary()))
        })
        .collect();
    axum::Json(mockbank_tpp::compare::cases_json(&flavors)).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareRequest {
    #[serde(default)]
    profiles: Vec<String>,
    #[serde(default)]
    cases: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    format: Option<String>,
}

/// `POST /admin/compare`: each case through the reference TPP against each profile (the
/// contract's JSON); with `?format=markdown|csv|table`, `{"format","text"}` rendered by the
/// same code as `mockbank compare`.
async fn compare(
    State(st): State<Arc<AppState>>,
    q: Result<Query<CompareQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Response {
    let format = match q {
        Ok(Query(q)) => q.format,
        Err(e) => return query_error(e),
    };
    let format = match format.as_deref().map(mockbank_tpp::compare::Format::parse) {
        None => mockbank_tpp::compare::Format::Json,
        Some(Some(f)) => f,
        Some(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "format is json, table, markdown or csv".into(),
            )
        }
    };
    let req: CompareRequest = if body.is_empty() {
        CompareRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("the compare request is not valid: {e}"),
                )
            }
        }
    };
    let served = st.profiles.current();
    let profiles: Vec<String> = if req.profiles.is_empty() {
        served.iter().map(|p| p.id.clone()).collect()
    } else {
        req.profiles
    };
    if let Some(unknown) = profiles.iter().find(|p| served.get(p).is_none()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("no profile `{unknown}`"),
        );
    }
    let cases = match parse_cases(&req.cases) {
        Ok(c) => c,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e),
    };
    let target = match reference_client(&st) {
        Ok(t) => t,
        Err(e) => return admin_error("starting the reference client", e),
    };
    let matrix = mockbank_tpp::compare::compare(&target, &profiles, &cases).await;
    match format {
        mockbank_tpp::compare::Format::Json => axum::Json(matrix).into_response(),
        f => axum::Json(json!({
            "format": format_name(f),
            "text": mockbank_tpp::compare::render(&matrix, f),
        }))
        .into_response(),
    }
}

fn format_name(f: mockbank_tpp::compare::Format) -> &'static str {
    match f {
        mockbank_tpp::compare::Format::Json => "json",
        mockbank_tpp::compare::Format::Table => "table",
        mockbank_tpp::compare::Format::Markdown => "markdown",
        mockbank_tpp::compare::Format::Csv => "csv",
    }
}

/// Case names to deviations (every one when none is named).
pub(crate) fn parse_cases(names: &[String]) -> Result<Vec<mockbank_tpp::Deviation>, String> {
    if names.is_empty() {
        return Ok(mockbank_tpp::Deviation::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| {
            mockbank_tpp::Deviation::parse(n).ok_or_else(|| {
                let known: Vec<&str> = mockbank_tpp::Deviation::ALL
                    .iter()
                    .map(|d| d.name())
                    .collect();
                format!("no case `{n}` (cases: {})", known.join(", "))
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct DiffQuery {
    a: String,
    b: String,
}

/// `GET /admin/profiles/diff?a=A&b=B`: what differs between two profiles.
async fn profile_diff(
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

#[derive(Debug, Deserialize)]
struct ReportQuery {
    client_id: Option<String>,
    profile: Option<String>,
    /// RFC 3339.
    since: Option<String>,
    /// `json` (default), `markdown` or `junit`: the latter two as `{"format","text"}`.
    format: Option<String>,
}

/// `GET /admin/report?client_id=&profile=&since=&format=`: the grade `mockbank report` writes.
/// Streamed: the store is read a page at a time as the client reads the answer, so memory
/// stays the same whatever the number of traces.
async fn report(
    State(st): State<Arc<AppState>>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    use mockbank_core::report::Format;
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return query_error(e),
    };
    let since_ms = match q
        .since
        .as_deref()
        .map(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
    {
        None => None,
        Some(Ok(t)) => Some((t.unix_timestamp_nanos() / 1_000_000) as i64),
        Some(Err(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "since is an RFC 3339 time".into(),
            )
        }
    };
    let format = match q.format.as_deref().unwrap_or("json") {
        "json" => Format::Json,
        "markdown" => Format::Markdown,
        "junit" => Format::Junit,
        other => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("format `{other}`: json, markdown or junit"),
            )
        }
    };
    let scope = mockbank_store::ReportScope {
        profile: q.profile.filter(|p| !p.is_empty()),
        client_id: q.client_id.filter(|c| !c.is_empty()),
        since_ms,
        skip_admin: false,
    };
    let store = st.store.clone();
    let mut source = match tokio::task::spawn_blocking(move || store.report_source(scope)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return admin_error("reading traces for a report", e),
        Err(e) => return admin_error("reading traces for a report", e),
    };
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let mut out = BodyWriter {
            tx,
            buf: Vec::with_capacity(REPORT_CHUNK),
        };
        let written = mockbank_core::report::write_api(&mut source, format, &mut out)
            .and_then(|()| std::io::Write::flush(&mut out));
        match written {
            Ok(()) => {}
            // The client went away.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            // Too late for an error answer: the body ends in error, so the client sees it cut.
            Err(e) => {
                tracing::error!(error = %e, "writing a report");
                let _ = out.tx.blocking_send(Err(e));
            }
        }
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    )
        .into_response()
}

/// Bytes of a report sent at a time.
const REPORT_CHUNK: usize = 64 * 1024;

/// Hands what a report writes to its response body in chunks of [`REPORT_CHUNK`], at most
/// two chunks ahead of the client: the writer waits for it (on a blocking thread).
struct BodyWriter {
    tx: tokio::sync::mpsc::Sender<std::io::Result<axum::body::Bytes>>,
    buf: Vec<u8>,
}

impl std::io::Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= REPORT_CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(REPORT_CHUNK));
        self.tx
            .blocking_send(Ok(chunk.into()))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}
