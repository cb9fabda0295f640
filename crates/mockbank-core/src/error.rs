//! Protocol errors: the `error` codes of RFC 6749 §5.2, RFC 6750 §3.1 and RFC 7591 §3.2.2,
//! with their default HTTP status. HTTP-agnostic: the server crate turns them into responses.

use serde::{Deserialize, Serialize};

/// A machine-readable `error` value a client can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum ErrorCode {
    /// RFC 6749 §5.2: malformed request (content type, body, parameters).
    InvalidRequest,
    /// RFC 7591 §3.2.2: a redirect URI is invalid.
    InvalidRedirectUri,
    /// RFC 7591 §3.2.2: a metadata field is invalid.
    InvalidClientMetadata,
    /// RFC 7591 §3.2.2: the software statement is invalid.
    InvalidSoftwareStatement,
    /// RFC 7591 §3.2.2: the software statement is not approved by this server.
    UnapprovedSoftwareStatement,
    /// RFC 6750 §3.1: the bearer token is missing, unknown, expired or revoked.
    InvalidToken,
    /// RFC 6750 §3.1: the token does not allow this operation.
    InsufficientScope,
    /// RFC 6749 §5.2: client authentication failed.
    InvalidClient,
    /// RFC 6749 §5.2: the client may not use this grant type.
    UnauthorizedClient,
    /// RFC 6749 §5.2: the grant type is not supported.
    UnsupportedGrantType,
    /// RFC 6749 §5.2: the grant is invalid.
    InvalidGrant,
    /// RFC 6749 §5.2: the requested scope is invalid.
    InvalidScope,
    /// The authenticated party is not permitted (e.g. RFC 7592 §2: operation not allowed).
    AccessDenied,
    /// No such resource.
    NotFound,
    /// Something failed inside mockbank; never carries internal details.
    ServerError,
    /// RFC 6749 §4.1.2.1: a service mockbank depends on (an extension) did not answer.
    TemporarilyUnavailable,
}

impl ErrorCode {
    /// The wire value of the `error` member.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorCode::InvalidClientMetadata => "invalid_client_metadata",
            ErrorCode::InvalidSoftwareStatement => "invalid_software_statement",
            ErrorCode::UnapprovedSoftwareStatement => "unapproved_software_statement",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    /// The status a spec names for this code when a profile does not override it.
    pub fn default_status(self) -> u16 {
        match self {
            // RFC 6750 §3.1 and RFC 6749 §5.2 (invalid_client is 401).
            ErrorCode::InvalidToken | ErrorCode::InvalidClient => 401,
            ErrorCode::InsufficientScope | ErrorCode::AccessDenied => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer: code, human description and the HTTP status the profile assigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub status: u16,
    pub description: String,
    /// Id of the check that produced this error, if one did.
    pub check_id: Option<String>,
    /// A 401 challenge without an `error` attribute (no credential was sent, RFC 6750 §3.1).
    pub bare_challenge: bool,
}

impl ProtocolError {
    /// An error with the code's default status.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        ProtocolError {
            code,
            status: code.default_status(),
            description: description.into(),
            check_id: None,
            bare_challenge: false,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The JSON body of RFC 7591 §3.2.2 / RFC 6749 §5.2.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code.as_str(), "error_description": self.description })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_value() {
        for code in [
            ErrorCode::InvalidRedirectUri,
            ErrorCode::UnapprovedSoftwareStatement,
            ErrorCode::InvalidClient,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }

    #[test]
    fn token_errors_default_to_401() {
        assert_eq!(ErrorCode::InvalidToken.default_status(), 401);
        assert_eq!(ErrorCode::InvalidClient.default_status(), 401);
        assert_eq!(ErrorCode::InvalidClientMetadata.default_status(), 400);
        let e = ProtocolError::new(ErrorCode::InvalidRequest, "too big").with_status(413);
        assert_eq!(e.status, 413);
        assert_eq!(e.body()["error"], "invalid_request");
    }
}
