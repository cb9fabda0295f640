//! What every HTTP answer is held to before any route runs or after it answers: request
//! line and header limits (414, 431), and the contract's JSON error shape for every error,
//! including those axum and hyper produce themselves (405 with `Allow`, 413, 415, rejected
//! query strings, and HTTP/1.1 requests hyper cannot parse).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::http_error;
use crate::state::AppState;

/// Longest request target answered normally (RFC 9112 §3 recommends at least 8000 octets).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most request header fields answered normally; at this many the answer is 431 (RFC 6585 §5).
pub const MAX_HEADERS: usize = 100;
/// Largest header section (names and values) answered normally.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// What hyper itself may read before our limits judge (hyper answers beyond these; the
/// [`ParseErrorsAsJson`] shim gives those answers the JSON shape too).
pub const HYPER_MAX_HEADERS: usize = 512;
pub const HYPER_MAX_HEADER_LIST: u32 = 256 * 1024;

/// The error body of the contract for `status`, with `Cache-Control: no-store`.
pub fn error_response(status: StatusCode, description: impl Into<String>) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "invalid_token",
        StatusCode::FORBIDDEN => "access_denied",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "server_error",
        _ => "invalid_request",
    };
    http_error::json(
        status,
        &json!({"error": code, "error_description": description.into()}),
    )
}

/// Refuses a request line or header section over the limits, before any route reads it.
pub async fn request_limits(req: Request, next: Next) -> Response {
    let uri_len = req.uri().to_string().len();
    if uri_len > MAX_URI_BYTES {
        return error_response(
            StatusCode::URI_TOO_LONG,
            format!("the request target is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"),
        );
    }
    let count = req.headers().len();
    if count >= MAX_HEADERS {
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request has {count} header fields; fewer than {MAX_HEADERS} are accepted"),
        );
    }
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the header section is {bytes} bytes; at most {MAX_HEADER_BYTES} are accepted"),
        );
    }
    if let Some(refusal) = authority_refusal(req.uri(), req.headers()) {
        return refusal;
    }
    next.run(req).await
}

/// One authority per request: more than one `Host` is refused (RFC 9112 §3.2), and so is a
/// `Host` that disagrees with the request target's authority (absolute-form, RFC 9112 §3.2.2)
/// or HTTP/2's `:authority` (RFC 9113 §8.3.1) — else the admin API's Host check would judge
/// one name while the request was routed by another.
fn authority_refusal(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Option<Response> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Some(error_response(
            StatusCode::BAD_REQUEST,
            "the request has more than one Host header field (RFC 9112 §3.2)",
        ));
    }
    let (Some(authority), Some(host)) = (uri.authority(), host) else {
        return None;
    };
    let host = String::from_utf8_lossy(host.as_bytes());
    (!authority.as_str().eq_ignore_ascii_case(host.trim())).then(|| {
        error_response(
            StatusCode::BAD_REQUEST,
            format!(
                "the request's authority `{authority}` and its Host `{host}` disagree (RFC 9113 §8.3.1, RFC 9112 §3.2.2)"
            ),
        )
    })
}

/// The `Host` (or HTTP/2 authority) of a request, lowercased; [`request_limits`] has made
/// sure the two agree.
pub fn request_host(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> String {
    uri.authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Gives every error answer the JSON shape: a 4xx/5xx without a JSON body (axum's 405, 413,
/// 415 and extractor rejections) is rewritten, keeping its status and headers (`Allow`).
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = match body.collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).trim().to_owned(),
        Err(_) => String::new(),
    };
    let description = match status {
        // The allowed methods are added by [`name_allowed_methods`].
        StatusCode::METHOD_NOT_ALLOWED => format!("{method} is not allowed on {path}"),
        _ if !text.is_empty() => text,
        s => format!("{} {}", s.as_u16(), s.canonical_reason().unwrap_or("error")),
    };
    let mut out = error_response(status, description);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.extensions_mut().extend(parts.extensions);
    out
}

/// Names the allowed methods in a 405's description (RFC 9110 §15.5.6), from its `Allow`.
pub async fn name_allowed_methods(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status() != StatusCode::METHOD_NOT_ALLOWED {
        return resp;
    }
    let Some(allow) = resp
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(|a| a.replace(',', ", "))
        .filter(|a| !a.is_empty())
    else {
        return resp;
    };
    let (mut parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    let said = error["error_description"]
        .as_str()
        .unwrap_or("method not allowed");
    if said.contains("allowed:") {
        return Response::from_parts(parts, Body::from(bytes));
    }
    error["error_description"] = format!("{said}; allowed: {allow}").into();
    error
        .as_object_mut()
        .map(|o| o.entry("error").or_insert_with(|| "invalid_request".into()));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(error.to_string()))
}

/// The answer hyper writes by itself for an HTTP/1.1 request it cannot parse (a control
/// character in a header, a request line or header section past its limits): exactly
/// `HTTP/1.1 <status> <reason>\r\ncontent-length: 0\r\ndate: <date>\r\n\r\n`, then it
/// closes (hyper `proto/h1/role.rs`, `Server::on_error`). Nothing of ours answers an error
/// without a content type (see [`json_errors`]), so this head is hyper's.
fn hyper_parse_error(head: &[u8]) -> Option<StatusCode> {
    if head.len() > 160 || !head.ends_with(b"\r\n\r\n") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    let lower = text.to_ascii_lowercase();
    let empty = lower.contains("\r\ncontent-length: 0\r\n") && !lower.contains("content-type");
    matches!(status, 400 | 414 | 431)
        .then(|| StatusCode::from_u16(status).ok())
        .flatten()
        .filter(|_| empty)
}

fn parse_error_bytes(status: StatusCode) -> Vec<u8> {
    let description = match status {
        StatusCode::URI_TOO_LONG => "the request target is too long".to_owned(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the header section is too large".to_owned()
        }
        _ => "the request could not be parsed as HTTP/1.1 (RFC 9112): a request line or header field holds a character it may not (a control character, say)".to_owned(),
    };
    let body = json!({"error": "invalid_request", "error_description": description}).to_string();
    let reason = status.canonical_reason().unwrap_or("Bad Request");
    format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncache-control: no-store\r\npragma: no-cache\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        status.as_u16(),
        body.len()
    )
    .into_bytes()
}

/// An HTTP/1.1 connection whose automatic parse-error answers (see [`hyper_parse_error`])
/// are sent in the contract's JSON error shape instead of with an empty body.
pub struct ParseErrorsAsJson<T> {
    inner: T,
    /// Our answer still to be written in place of hyper's.
    pending: Vec<u8>,
    sent: usize,
}

impl<T> ParseErrorsAsJson<T> {
    pub fn new(inner: T) -> Self {
        ParseErrorsAsJson {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> ParseErrorsAsJson<T> {
    /// Writes what is pending; `Ready(Ok)` once nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.sent += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ParseErrorsAsJson<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ParseErrorsAsJson<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if !this.pending.is_empty() {
            // Our answer replaced hyper's; anything after it is dropped (hyper closes next).
            return match this.drain(cx) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.len())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            };
        }
        if let Some(status) = hyper_parse_error(buf) {
            this.pending = parse_error_bytes(status);
            return match this.drain(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                // The rest is written by the flush that follows.
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty());
        let only_one = bufs.iter().filter(|b| !b.is_empty()).count() == 1;
        if !self.pending.is_empty()
            || (only_one && first.is_some_and(|b| hyper_parse_error(b).is_some()))
        {
            let total = bufs.iter().map(|b| b.len()).sum::<usize>();
            let one: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
            return match self.as_mut().poll_write(cx, &one) {
                Poll::Ready(Ok(_)) => Poll::Ready(Ok(total)),
                other => other,
            };
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

/// Largest body the admin API and the UI routes read (they take small JSON or forms).
pub const LOCAL_BODY_LIMIT: usize = 256 * 1024;

/// 408 (RFC 9110 §15.5.9) for a body that did not arrive in time; the connection closes.
pub fn body_timeout(limit: std::time::Duration) -> Response {
    let mut resp = error_response(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        ),
    );
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// How far past its limit a body is still read and discarded before the answer goes, so
/// that a client that writes its whole body before it reads gets the 413 instead of a reset
/// (RFC 9112 §9.6: a server closing early should read and discard for a while first).
const DRAIN_BYTES: usize = 16 * 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// A request body as [`read_body`] read it.
#[derive(Debug)]
pub enum BodyRead {
    Complete(axum::body::Bytes),
    /// Past the limit: nothing kept; `drained` when the rest was read to its end (the
    /// connection can stay), else it must close after the answer.
    OverLimit {
        drained: bool,
    },
    /// The body did not arrive within the body timeout.
    TimedOut,
    Failed(String),
}

/// Reads a request body up to `limit` bytes within `timeout`. A body over the limit is read
/// on and discarded, up to a bound of time and size, so that its 413 reaches the client.
pub async fn read_body(body: Body, limit: usize, timeout: std::time::Duration) -> BodyRead {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut body = body;
    let mut chunks: Vec<axum::body::Bytes> = Vec::new();
    let mut total = 0usize;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return BodyRead::TimedOut,
            Ok(None) => break,
            Ok(Some(Err(e))) => return BodyRead::Failed(e.to_string()),
            Ok(Some(Ok(frame))) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                total += data.len();
                if total > limit {
                    return BodyRead::OverLimit {
                        drained: drain(body, deadline).await,
                    };
                }
                chunks.push(data);
            }
        }
    }
    BodyRead::Complete(match chunks.len() {
        0 => axum::body::Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => chunks.concat().into(),
    })
}

/// Reads and discards the rest of a body, within [`DRAIN_BYTES`], [`DRAIN_TIME`] and the
/// body deadline; `true` when it reached the end.
async fn drain(mut body: Body, deadline: tokio::time::Instant) -> bool {
    let deadline = deadline.min(tokio::time::Instant::now() + DRAIN_TIME);
    let mut discarded = 0usize;
    while discarded <= DRAIN_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None) => return true,
            Ok(Some(Ok(frame))) => {
                discarded += frame.data_ref().map_or(0, |d| d.len());
            }
            Ok(Some(Err(_))) | Err(_) => return false,
        }
    }
    false
}

/// `Connection: close` on an answer whose request body was not read to its end.
pub fn close_after(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// Reads (and so consumes) a request body the route does not read itself, up to `limit`:
/// a body left unread in the socket turns the close after the answer into a TCP reset,
/// which cuts a long answer short at the client. Over the limit: 413.
pub async fn consume_body(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let limit = LOCAL_BODY_LIMIT;
    let (parts, body) = req.into_parts();
    match read_body(body, limit, st.body_timeout).await {
        BodyRead::Complete(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        BodyRead::OverLimit { drained } => {
            let resp = error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body exceeds {limit} bytes"),
            );
            if drained {
                resp
            } else {
                close_after(resp)
            }
        }
        BodyRead::TimedOut => body_timeout(st.body_timeout),
        BodyRead::Failed(e) => error_response(
            StatusCode::BAD_REQUEST,
            format!("the request body could not be read: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyper_automatic_heads_are_rewritten() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 05:00:00 GMT\r\n\r\n";
        assert_eq!(hyper_parse_error(hyper), Some(StatusCode::BAD_REQUEST));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n";
        assert_eq!(hyper_parse_error(ours), None);
        let body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n";
        assert_eq!(hyper_parse_error(body), None, "not a whole head");
        assert_eq!(
            hyper_parse_error(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        let json = parse_error_bytes(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let text = String::from_utf8(json).unwrap();
        assert!(text.starts_with("HTTP/1.1 431 "));
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"], "invalid_request");
    }
}
