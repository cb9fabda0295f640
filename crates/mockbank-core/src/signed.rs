//! Facts about signed requests (OBUK: a JWS registration carrying a software statement) and
//! the client certificate, gathered by the server (parsing, signature verification with
//! cached keys, directory look-ups, replay caches) and judged by the checks.

use serde_json::{Map, Value};

use crate::jwt::decode_compact;
use crate::wire::directory::DirectoryStatus;

/// A parsed compact JWS (not necessarily verified).
#[derive(Debug, Clone)]
pub struct Jws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// The third segment is empty (`alg: none` style).
    pub unsigned: bool,
}

impl Jws {
    /// Parses a compact JWS whose header and payload are JSON objects.
    pub fn parse(token: &str) -> Result<Jws, String> {
        let token = token.trim();
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(format!(
                "a compact JWS has 3 dot-separated parts, this has {}",
                parts.len()
            ));
        }
        let (header, claims) = decode_compact(token)
            .ok_or("the JWS header or payload is not base64url-encoded JSON")?;
        let (Value::Object(header), Value::Object(claims)) = (header, claims) else {
            return Err("the JWS payload is not a JSON object".into());
        };
        Ok(Jws {
            header,
            claims,
            unsigned: parts[2].is_empty(),
        })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

/// The client certificate of the connection, as checks see it.
#[derive(Debug, Clone, Default)]
pub struct PeerFacts {
    /// RFC 4514 subject.
    pub subject: String,
    /// `None` when the chain verified against the mockbank CA (validity included).
    pub chain_error: Option<String>,
    /// `x5t#S256`.
    pub thumbprint: String,
    /// The directory's status for this certificate, if it issued it.
    pub directory_status: Option<DirectoryStatus>,
    /// PSD2 attributes, if the certificate carries them.
    pub eidas: Option<EidasFacts>,
    /// Extended key usages present: client authentication.
    pub client_auth_eku: bool,
    /// The directory's status of the organisation the certificate was issued to (its
    /// licence, for PSD2 profiles).
    pub org_status: Option<DirectoryStatus>,
    /// Clients of this profile already registered for the certificate's organisation
    /// identifier (for one-client-per-organisation policies).
    pub clients_of_org: usize,
}

/// eIDAS content of a certificate (ETSI TS 119 495).
#[derive(Debug, Clone, Default)]
pub struct EidasFacts {
    pub organization_identifier: Option<String>,
    pub qc_compliance: bool,
    /// `web` (QWAC) / `eseal` (QSealC).
    pub qc_types: Vec<String>,
    /// `PSP_AI`, `PSP_PI`, `PSP_IC`, `PSP_AS`.
    pub roles: Vec<String>,
    pub nca_id: Option<String>,
    pub nca_name: Option<String>,
    pub has_psd2_statement: bool,
    pub anomalies: Vec<String>,
}

/// The directory's view of a software statement's organisation and software.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFacts {
    pub org_status: Option<DirectoryStatus>,
    pub software_status: Option<DirectoryStatus>,
}

/// Everything gathered about a signed registration request.
#[derive(Debug, Clone)]
pub struct SignedFacts {
    /// The request body as a JWS, or why it is not one (`None`: the profile takes JSON).
    pub request: Option<Result<Jws, String>>,
    /// The software statement in the request, if the request has one.
    pub ssa: Option<Result<Jws, String>>,
    /// The SSA's signature checked against the directory's keys (`None`: not attempted).
    pub ssa_signature: Option<Result<(), String>>,
    /// The request's signature checked against the software's JWKS (`None`: not attempted).
    pub request_signature: Option<Result<(), String>>,
    /// The software's published JWKS, from the directory (never fetched per request).
    pub software_jwks: Option<Value>,
    pub directory: Option<DirectoryFacts>,
    /// `Some(true)` when the request's `jti` was seen before.
    pub request_jti_replayed: Option<bool>,
    pub ssa_jti_replayed: Option<bool>,
    /// The profile's issuer URL (a valid `aud`).
    pub issuer: String,
    /// For an update: the software id the client was registered with.
    pub registered_software_id: Option<String>,
}

impl SignedFacts {
    pub fn request_jws(&self) -> Option<&Jws> {
        self.request.as_ref().and_then(|r| r.as_ref().ok())
    }
    pub fn ssa_jws(&self) -> Option<&Jws> {
        self.ssa.as_ref().and_then(|s| s.as_ref().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    #[test]
    fn parses_and_refuses() {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256","kid":"k"}"#);
        let p = URL_SAFE_NO_PAD.encode(r#"{"iss":"x"}"#);
        let jws = Jws::parse(&format!("{h}.{p}.sig")).unwrap();
        assert_eq!(
            (jws.alg(), jws.kid(), jws.unsigned),
            ("PS256", Some("k"), false)
        );
        assert!(Jws::parse(&format!("{h}.{p}.")).unwrap().unsigned);
        assert!(Jws::parse(&format!("{h}.{p}"))
            .unwrap_err()
            .contains("3 dot-separated parts"));
        assert!(Jws::parse("a.b.c").is_err());
    }
}
