//! The trace layer: wraps every profile (and directory) request, reads the body once (with
//! the profile's size limit), and after the handler answers, records request, response and
//! check outcomes as a [`Trace`]: stored first, then published on the bus.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use mockbank_core::jwt::{find_jwts, jwts_of_body};
use mockbank_core::request::parse_form;
use mockbank_core::trace::{
    is_secret_name, redact_str, redact_text, redact_value, CheckSummary, HttpRecord,
};
use mockbank_core::Trace;
use serde_json::Value;

use crate::guards::BodyRead;
use crate::http_error::{self, TraceInfo};
use crate::secrets;
use crate::state::AppState;
use crate::tls::Peer;

/// The response header naming the request's trace.
pub const TRACE_ID_HEADER: &str = "mockbank-trace-id";

/// Body limit for requests outside any profile.
const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
/// Largest body text kept in a trace.
const MAX_TRACE_BODY: usize = 64 * 1024;

/// The request body as read by the layer.
#[derive(Clone, Debug, Default)]
pub struct ReadBody {
    pub bytes: Bytes,
    /// Set when the body exceeded `limit`; the bytes are then empty.
    pub over_limit: Option<usize>,
}

/// The profile id (or `directory`) a path belongs to.
pub fn area_of(path: &str) -> &str {
    let mut segs = path.trim_start_matches('/').split('/');
    match segs.next() {
        Some(".well-known") => segs.nth(1).unwrap_or(""),
        Some(first) => first,
        None => "",
    }
}

/// Wraps a traced request: reads its body (into [`ReadBody`]), runs the handler, then commits
/// the handler's writes with the request's [`Trace`] and answers.
pub async fn trace_layer(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let (mut parts, body) = req.into_parts();
    let area = area_of(parts.uri.path()).to_owned();
    let limit = st.profile(&area).map_or(DEFAULT_BODY_LIMIT, |p| {
        p.settings.registration.max_body_bytes
    });
    let (read, close) = match read_request_body(&st, body, limit).await {
        Ok(read) => read,
        Err(timed_out) => return timed_out,
    };
    parts.extensions.insert(read.clone());
    let peer = parts.extensions.get::<Peer>().cloned();
    let method = parts.method.to_string();
    let path = traced_path(&parts.uri);
    let request_record = record(&parts.headers, &read.bytes, read.over_limit);

    let response = next.run(Request::from_parts(parts, Body::empty())).await;

    let (mut rparts, rbody) = response.into_parts();
    if close {
        // The rest of an over-limit body is still in the socket.
        rparts.headers.insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    let trace_id = secrets::time_ordered_id((now.unix_timestamp_nanos() / 1_000_000) as i64);
    // Tells the client (and mockbank's own reference TPP) which trace its request made.
    if let Ok(v) = axum::http::HeaderValue::from_str(&trace_id) {
        rparts.headers.insert(TRACE_ID_HEADER, v);
    }
    let rbytes = rbody
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let mut info = rparts.extensions.remove::<TraceInfo>().unwrap_or_default();
    let writes = std::mem::take(&mut info.writes);
    let trace = Trace {
        seq: 0,
        id: trace_id,
        time: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        time_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64,
        profile: area,
        method,
        path,
        status: rparts.status.as_u16(),
        client_id: info.client_id,
        client_cert: peer.and_then(|p| p.cert.map(|c| c.summary.clone())),
        request: request_record,
        response: record(&rparts.headers, &rbytes, None),
        summary: CheckSummary::of(&info.checks),
        checks: info.checks,
        failed_check: info.failed_check,
        duration_us: started.elapsed().as_micros() as u64,
    };
    commit_traced(&st, writes, trace, rparts, rbytes).await
}

/// Reads a request body of at most `limit` bytes within the body timeout. Answers the body
/// and whether the connection must close (the rest of an over-limit body is still in the
/// socket), or the answer to a body that timed out.
async fn read_request_body(
    st: &AppState,
    body: Body,
    limit: usize,
) -> Result<(ReadBody, bool), Response> {
    let read = match crate::guards::read_body(body, limit, st.body_timeout).await {
        BodyRead::Complete(bytes) => ReadBody {
            bytes,
            over_limit: None,
        },
        BodyRead::OverLimit { drained } => {
            let read = ReadBody {
                bytes: Bytes::new(),
                over_limit: Some(limit),
            };
            return Ok((read, !drained));
        }
        BodyRead::TimedOut => return Err(crate::guards::body_timeout(st.body_timeout)),
        BodyRead::Failed(e) => {
            tracing::debug!(error = %e, "reading the request body failed");
            ReadBody::default()
        }
    };
    Ok((read, false))
}

/// The path (and query) a trace shows: a secret sent in the query string (`?access_token=`)
/// is redacted like any other.
fn traced_path(uri: &axum::http::Uri) -> String {
    match uri.query() {
        Some(_) => redact_text(uri.path_and_query().map_or("", |pq| pq.as_str())),
        None => uri.path().to_owned(),
    }
}

/// Commits the request's effects and its trace together, then the store's hook publishes
/// the trace in sequence order, and answers the handler's response (`parts`, `bytes`).
/// Waiting here means a client that got its answer finds its registration and its trace
/// stored.
async fn commit_traced(
    st: &AppState,
    writes: Vec<mockbank_store::Write>,
    trace: Trace,
    parts: axum::http::response::Parts,
    bytes: Bytes,
) -> Response {
    let had_writes = !writes.is_empty();
    match st.store.commit(writes, trace).await {
        Ok(_) => Response::from_parts(parts, Body::from(bytes)),
        Err(mockbank_store::CommitFailed {
            error,
            trace: Some(mut trace),
        }) if had_writes => {
            // A write whose precondition no longer held (a concurrent request got there
            // first) answers with its own error; anything else is a failure of the store.
            let failed = match error {
                mockbank_store::StoreError::Conflict(e) => {
                    trace.failed_check = e.check_id.clone();
                    http_error::error(&e, TraceInfo::default())
                }
                other => http_error::internal("committing a request", other, TraceInfo::default()),
            };
            let (fparts, fbody) = failed.into_parts();
            let fbytes = fbody
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            trace.status = fparts.status.as_u16();
            trace.response = record(&fparts.headers, &fbytes, None);
            if let Err(e) = st.store.insert_trace(trace).await {
                tracing::error!(error = %e, "storing a trace failed");
            }
            Response::from_parts(fparts, Body::from(fbytes))
        }
        Err(failed) if had_writes => {
            // Nothing to trace the failure with: still, nothing is acknowledged.
            http_error::internal("committing a request", failed.error, TraceInfo::default())
        }
        Err(failed) => {
            tracing::error!(error = %failed.error, "storing a trace failed");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// Commits a change made through the local admin API together with a trace of it (area
/// `admin`), as the traced routes do: both or neither. `answer` is what the admin client gets
/// once the commit succeeded; a failed commit answers 500 and changes nothing.
pub(crate) async fn commit_admin(
    st: &AppState,
    method: &str,
    path: &str,
    request_body: &[u8],
    writes: Vec<mockbank_store::Write>,
    answer: Response,
) -> Response {
    let started = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let (parts, body) = answer.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let time_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let trace_id = secrets::time_ordered_id(time_ms);
    let mut parts = parts;
    // The admin client (a walkthrough step, the UI) can link the trace of its change.
    if let Ok(v) = axum::http::HeaderValue::from_str(&trace_id) {
        parts.headers.insert(TRACE_ID_HEADER, v);
    }
    let trace = Trace {
        seq: 0,
        id: trace_id,
        time: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        time_ms,
        profile: "admin".into(),
        method: method.to_owned(),
        path: path.to_owned(),
        status: parts.status.as_u16(),
        client_id: None,
        client_cert: None,
        request: record(&HeaderMap::new(), request_body, None),
        response: record(&parts.headers, &bytes, None),
        summary: CheckSummary::default(),
        checks: Vec::new(),
        failed_check: None,
        duration_us: started.elapsed().as_micros() as u64,
    };
    match st.store.commit(writes, trace).await {
        Ok(_) => Response::from_parts(parts, Body::from(bytes)),
        // A precondition that no longer held: the write's own answer, nothing changed.
        Err(mockbank_store::CommitFailed {
            error: mockbank_store::StoreError::Conflict(e),
            ..
        }) => http_error::error(&e, TraceInfo::default()),
        Err(failed) => http_error::internal(
            "committing an admin change",
            failed.error,
            TraceInfo::default(),
        ),
    }
}

/// Headers (credentials redacted) and body (JSON or form as JSON, secrets redacted, JWTs
/// decoded) of a request or response.
fn record(headers: &HeaderMap, body: &[u8], over_limit: Option<usize>) -> HttpRecord {
    let headers = headers
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let value = match k.as_str() {
                "authorization" | "proxy-authorization" => match value.split_once(' ') {
                    Some((scheme, cred)) => format!("{scheme} {}", redact_str(cred)),
                    None => redact_str(&value),
                },
                "cookie" | "set-cookie" => redact_str(&value),
                name if is_secret_name(name) => redact_str(&value),
                _ => redact_text(&value),
            };
            (k.as_str().to_owned(), value)
        })
        .collect::<Vec<_>>();
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    // The JWTs a trace shows are those of its recorded body, decoded when it is read
    // (`HttpRecord::kept_jwts`), unless the record shows less than the request had.
    let mut kept_jwts = None;
    let body = if let Some(limit) = over_limit {
        Value::String(format!("(body over the {limit}-byte limit; not read)"))
    } else if body.is_empty() {
        Value::Null
    } else if let Ok(mut v) = serde_json::from_slice::<Value>(body) {
        redact_value(&mut v);
        v
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        match parse_form(body) {
            Ok(map) => {
                // Decoded before redaction: a `client_assertion` is a secret member.
                let mut v = Value::Object(map);
                let mut jwts = Vec::new();
                find_jwts("body", &v, &mut jwts);
                kept_jwts = Some(jwts);
                redact_value(&mut v);
                v
            }
            Err(_) => Value::String(redact_text(&String::from_utf8_lossy(body))),
        }
    } else {
        match std::str::from_utf8(body) {
            Ok(text) => {
                let mut t = redact_text(text);
                if t.len() > MAX_TRACE_BODY {
                    kept_jwts = Some(jwts_of_body(&Value::String(t.clone())));
                    let mut cut = MAX_TRACE_BODY;
                    while !t.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    t.truncate(cut);
                    t.push_str("…(truncated)");
                }
                Value::String(t)
            }
            Err(_) => Value::String(format!("({} bytes, not UTF-8)", body.len())),
        }
    };
    HttpRecord {
        headers,
        body,
        kept_jwts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        assert_eq!(area_of("/generic/register"), "generic");
        assert_eq!(area_of("/.well-known/openid-configuration/stet"), "stet");
        assert_eq!(area_of("/directory/software"), "directory");
    }

    #[test]
    fn records_redact_credentials() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer abcdefgh".parse().unwrap());
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let r = record(
            &h,
            b"grant_type=client_credentials&client_secret=topsecret",
            None,
        );
        assert_eq!(r.headers[0].1, "Bearer abcd…(redacted)");
        assert_eq!(r.body["client_secret"], "tops…(redacted)");
        assert_eq!(r.body["grant_type"], "client_credentials");
        let r = record(&HeaderMap::new(), &[0xff, 0xfe], None);
        assert_eq!(r.body, "(2 bytes, not UTF-8)");
    }
}
