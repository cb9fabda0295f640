//! Reports: the grade `mockbank report` writes, streamed from the store.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{admin_error, query_error, refuse};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct ReportQuery {
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
pub(super) async fn report(
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
