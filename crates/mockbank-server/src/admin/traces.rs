//! Traces: the list, one trace, and their live stream as Server-Sent Events.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use mockbank_core::Trace;
use mockbank_store::TraceFilter;
use serde::Deserialize;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

use super::{admin_error, header_str, query_error, refuse};
use crate::state::AppState;

/// `GET /admin/traces`' parameters (also the desktop app's `list_traces`). Empty values
/// filter nothing.
#[derive(Debug, Default, Deserialize)]
pub struct TraceQuery {
    limit: Option<u32>,
    before: Option<u64>,
    /// Also `GET /admin/clients`' one filter.
    pub(super) profile: Option<String>,
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

/// `GET /admin/traces`.
pub(super) async fn list(
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

/// `GET /admin/traces/{id}`.
pub(super) async fn show(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
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

fn trace_event(t: &Trace) -> Event {
    Event::default()
        .id(t.seq.to_string())
        .event("trace")
        .data(serde_json::to_string(t).unwrap_or_default())
}

/// Traces replayed per page to a reconnecting SSE client: a page is read off the async
/// workers and sent before the next is read, so a replay of any length holds one page.
const REPLAY_PAGE: u32 = 64;

/// `GET /admin/traces/stream`, Server-Sent Events: `trace` events (id = the trace's `seq`).
/// With `Last-Event-ID`, the traces stored after that id are replayed first, page by page,
/// all of them. A subscriber that falls behind gets a `resync` event and should refetch
/// `/admin/traces`.
pub(super) async fn stream(
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
