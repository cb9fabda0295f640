//! Protocol errors and JSON answers as HTTP responses: RFC 7591 §3.2.2 / RFC 6749 §5.2
//! bodies, `Cache-Control: no-store` (they may carry credentials), and the
//! `WWW-Authenticate` challenge RFC 6750 §3 and RFC 6749 §5.2 require on 401.
//! Building a response has no side effects: what the trace needs rides in its extensions.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mockbank_core::{CheckResult, ErrorCode, ProtocolError};

/// The realm named in authentication challenges.
const REALM: &str = "mockbank";

/// What the trace layer records about a handled request, beyond the request and response.
#[derive(Clone, Debug, Default)]
pub struct TraceInfo {
    pub checks: Vec<CheckResult>,
    pub client_id: Option<String>,
    pub failed_check: Option<String>,
    /// Effects of the request, committed together with its trace before the response is
    /// sent; if that commit fails the client gets a 500 instead (nothing acknowledged).
    pub writes: Vec<mockbank_store::Write>,
}

impl TraceInfo {
    /// The outcomes of the checks that ran, and nothing else yet.
    pub fn with_checks(checks: Vec<CheckResult>) -> TraceInfo {
        TraceInfo {
            checks,
            ..TraceInfo::default()
        }
    }
}

/// A JSON response with the no-store headers of RFC 6749 §5.1 / RFC 7591 §3.2.
pub fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    no_store(&mut resp);
    resp
}

fn no_store(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The error response for `err`, carrying `info` for the trace.
pub fn error(err: &ProtocolError, mut info: TraceInfo) -> Response {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = if err.code == ErrorCode::ServerError {
        // Never leak internals: the detail is in the log, not the body.
        serde_json::json!({"error": "server_error", "error_description": "mockbank hit an internal error; its log has the details"})
    } else {
        err.body()
    };
    let mut resp = json(status, &body);
    if let Some(challenge) = challenge(err) {
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    if info.failed_check.is_none() {
        info.failed_check = err.check_id.clone();
    }
    resp.extensions_mut().insert(info);
    resp
}

/// A success response carrying `info` for the trace.
pub fn ok(status: StatusCode, body: &impl serde::Serialize, info: TraceInfo) -> Response {
    let mut resp = json(status, body);
    resp.extensions_mut().insert(info);
    resp
}

/// An internal failure: logged in full, answered with a fixed `server_error`.
pub fn internal(context: &str, e: impl std::fmt::Display, info: TraceInfo) -> Response {
    tracing::error!(error = %e, "{context}");
    error(
        &ProtocolError::new(ErrorCode::ServerError, "internal error"),
        info,
    )
}

/// A request that ends before its normal answer, with the response already decided: a
/// protocol error carrying what its trace records, or an internal failure (logged in full,
/// answered with a fixed `server_error`). Handlers return `Result<Response, Failure>` and
/// stop early with `?`.
pub struct Failure(Box<Response>);

impl Failure {
    /// The client is refused with `err` (RFC 6749 §5.2 / RFC 7591 §3.2.2).
    pub fn protocol(err: &ProtocolError, info: TraceInfo) -> Failure {
        Failure(Box::new(error(err, info)))
    }

    /// mockbank failed; what the trace records so far goes with it.
    pub fn internal(context: &str, e: impl std::fmt::Display, info: TraceInfo) -> Failure {
        Failure(Box::new(internal(context, e, info)))
    }

    /// An answer decided elsewhere (e.g. the 404 for an unknown profile).
    pub fn response(resp: Response) -> Failure {
        Failure(Box::new(resp))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// `?` for a fallible internal step: its error becomes a logged `server_error`.
pub trait OrInternal<T> {
    fn or_internal(self, context: &str) -> Result<T, Failure>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &str) -> Result<T, Failure> {
        self.map_err(|e| Failure::internal(context, e, TraceInfo::default()))
    }
}

/// RFC 6750 §3 / RFC 6749 §5.2 challenges. No `error` attribute when no token was sent.
fn challenge(err: &ProtocolError) -> Option<String> {
    if err.status != 401 {
        return None;
    }
    let description = header_safe(&err.description);
    match err.code {
        ErrorCode::InvalidToken if err.bare_challenge => Some(format!("Bearer realm=\"{REALM}\"")),
        ErrorCode::InvalidToken => Some(format!(
            "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""
        )),
        ErrorCode::InvalidClient => Some(format!("Basic realm=\"{REALM}\"")),
        _ => None,
    }
}

/// A quoted-string safe subset (RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E).
fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if (' '..='~').contains(&c) => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_token_challenges_follow_rfc6750() {
        let mut e = ProtocolError::new(ErrorCode::InvalidToken, "the \"token\" is bad");
        assert_eq!(
            challenge(&e).unwrap(),
            "Bearer realm=\"mockbank\", error=\"invalid_token\", error_description=\"the 'token' is bad\""
        );
        e.bare_challenge = true;
        assert_eq!(challenge(&e).unwrap(), "Bearer realm=\"mockbank\"");
        let client = ProtocolError::new(ErrorCode::InvalidClient, "x");
        assert_eq!(challenge(&client).unwrap(), "Basic realm=\"mockbank\"");
        assert!(challenge(&ProtocolError::new(ErrorCode::InvalidRequest, "x")).is_none());
    }

    #[test]
    fn server_errors_hide_details() {
        let e = ProtocolError::new(
            ErrorCode::ServerError,
            "sqlite: disk I/O error at /secret/path",
        );
        let resp = error(&e, TraceInfo::default());
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
