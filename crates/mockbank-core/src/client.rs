//! Client metadata (RFC 7591 §2, OIDC-Reg §2, RFC 8705 §2): the table of known members and
//! their types, and how a registered record is built from a request.

use serde_json::{Map, Value};

use crate::profile::Profile;

/// The JSON type a metadata member must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    /// A string holding an absolute URL.
    Url,
    StringArray,
    UrlArray,
    Bool,
    /// A non-negative integer that fits in 64 bits.
    Integer,
    /// A JSON object (a JWK Set).
    Object,
    /// A string holding an RFC 4514 distinguished name.
    Dn,
}

impl FieldType {
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Url => "a URL string",
            FieldType::StringArray => "an array of strings",
            FieldType::UrlArray => "an array of URL strings",
            FieldType::Bool => "a boolean",
            FieldType::Integer => "a non-negative integer",
            FieldType::Object => "a JSON object",
            FieldType::Dn => "an RFC 4514 distinguished name string",
        }
    }

    /// Whether `v` has this type (JSON type only; see [`FieldType::problem`] for content).
    pub fn accepts(self, v: &Value) -> bool {
        match self {
            FieldType::String | FieldType::Url | FieldType::Dn => v.is_string(),
            FieldType::StringArray | FieldType::UrlArray => {
                v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            }
            FieldType::Bool => v.is_boolean(),
            FieldType::Integer => v.is_u64(),
            FieldType::Object => v.is_object(),
        }
    }

    /// Why `v` is not a value of this type: the wrong JSON type, a URL with characters
    /// RFC 3986 §2 does not allow, or a DN that does not parse (RFC 4514 §3).
    pub fn problem(self, v: &Value) -> Option<String> {
        if !self.accepts(v) {
            return Some(format!("must be {}", self.describe()));
        }
        match (self, v) {
            (FieldType::Url, Value::String(s)) => uri_char_problem(s),
            (FieldType::UrlArray, Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .find_map(uri_char_problem),
            (FieldType::Dn, Value::String(s)) => crate::dn::parse_strict(s)
                .err()
                .map(|why| format!("is not a distinguished name (RFC 4514): {why}")),
            _ => None,
        }
    }
}

/// A raw control character (C0, DEL, C1, or a Unicode line or paragraph separator), which
/// RFC 3986 §2 keeps out of a URI, named by its code point; `None` when there is none.
pub fn uri_char_problem(uri: &str) -> Option<String> {
    uri.chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        .map(|c| {
            format!(
                "holds the raw character U+{:04X}, which a URI cannot carry (RFC 3986 §2: percent-encode it)",
                c as u32
            )
        })
}

/// Every metadata member mockbank understands, with its type and whether it may carry a
/// BCP 47 language tag (`client_name#fr`, RFC 7591 §2.2).
pub const METADATA: &[(&str, FieldType, bool)] = &[
    // RFC 7591 §2
    ("redirect_uris", FieldType::UrlArray, false),
    ("token_endpoint_auth_method", FieldType::String, false),
    ("grant_types", FieldType::StringArray, false),
    ("response_types", FieldType::StringArray, false),
    ("client_name", FieldType::String, true),
    ("client_uri", FieldType::Url, true),
    ("logo_uri", FieldType::Url, true),
    ("scope", FieldType::String, false),
    ("contacts", FieldType::StringArray, false),
    ("tos_uri", FieldType::Url, true),
    ("policy_uri", FieldType::Url, true),
    ("jwks_uri", FieldType::Url, false),
    ("jwks", FieldType::Object, false),
    ("software_id", FieldType::String, false),
    ("software_version", FieldType::String, false),
    ("software_statement", FieldType::String, false),
    // OpenID Connect Dynamic Client Registration 1.0 §2
    ("application_type", FieldType::String, false),
    ("sector_identifier_uri", FieldType::Url, false),
    ("subject_type", FieldType::String, false),
    ("id_token_signed_response_alg", FieldType::String, false),
    ("id_token_encrypted_response_alg", FieldType::String, false),
    ("id_token_encrypted_response_enc", FieldType::String, false),
    ("userinfo_signed_response_alg", FieldType::String, false),
    ("userinfo_encrypted_response_alg", FieldType::String, false),
    ("userinfo_encrypted_response_enc", FieldType::String, false),
    ("request_object_signing_alg", FieldType::String, false),
    ("request_object_encryption_alg", FieldType::String, false),
    ("request_object_encryption_enc", FieldType::String, false),
    ("token_endpoint_auth_signing_alg", FieldType::String, false),
    ("default_max_age", FieldType::Integer, false),
    ("require_auth_time", FieldType::Bool, false),
    ("default_acr_values", FieldType::StringArray, false),
    ("initiate_login_uri", FieldType::Url, false),
    ("request_uris", FieldType::UrlArray, false),
    ("post_logout_redirect_uris", FieldType::UrlArray, false),
    // RFC 8705 §2.1.2, §3.4
    ("tls_client_auth_subject_dn", FieldType::Dn, false),
    ("tls_client_auth_san_dns", FieldType::String, false),
    ("tls_client_auth_san_uri", FieldType::String, false),
    ("tls_client_auth_san_ip", FieldType::String, false),
    ("tls_client_auth_san_email", FieldType::String, false),
    (
        "tls_client_certificate_bound_access_tokens",
        FieldType::Bool,
        false,
    ),
];

/// Members only the server sets (RFC 7591 §3.2.1); a client's values are never kept.
pub const SERVER_ASSIGNED: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
    "registration_access_token_expires_in",
];

/// Auth methods for which the server issues a `client_secret` (RFC 7591 §3.2.1).
pub const SECRET_AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
];

/// The type of a member, resolving language-tagged names (`client_name#fr`).
pub fn field_type(name: &str) -> Option<FieldType> {
    let (base, tagged) = match name.split_once('#') {
        Some((base, tag)) if !tag.is_empty() => (base, true),
        _ => (name, false),
    };
    METADATA
        .iter()
        .find(|(n, _, localizable)| *n == base && (!tagged || *localizable))
        .map(|(_, t, _)| *t)
}

/// Whether the profile keeps this member with the client.
pub fn is_known(profile: &Profile, name: &str) -> bool {
    field_type(name).is_some()
        || profile
            .settings
            .registration
            .extra_metadata
            .iter()
            .any(|m| m == name)
}

/// The metadata as registered: unknown and server-assigned members dropped, profile
/// defaults filled in (RFC 7591 §3.2.1: the response carries all registered metadata).
pub fn registered_metadata(profile: &Profile, request: &Map<String, Value>) -> Map<String, Value> {
    let mut out: Map<String, Value> = request
        .iter()
        .filter(|(k, v)| {
            // A software statement is kept only by profiles that verify it (RFC 7591 §3.1.1);
            // the JSON profiles drop it (`generic.software_statement.ignored`).
            !SERVER_ASSIGNED.contains(&k.as_str())
                && *k != "software_statement"
                && is_known(profile, k)
                && !v.is_null()
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in &profile.settings.registration.defaults {
        out.entry(k.clone()).or_insert_with(|| v.clone());
    }
    if crate::checks::generic::repairs_grants(profile) {
        let grants = crate::checks::generic::repaired_grant_types(profile, &out);
        out.insert("grant_types".into(), grants.into());
    }
    out
}

/// Request claims that describe the request itself, not the client (RFC 7519 §4.1).
const REQUEST_ONLY_CLAIMS: &[&str] = &["iss", "iat", "exp", "aud", "jti", "nbf", "sub"];

/// The metadata of a signed registration (OBUK): the request's claims (request-only claims
/// removed), `redirect_uris` defaulted to the SSA's, every SSA claim flattened to the top
/// level (the statement takes precedence, RFC 7591 §2.3), and the statement itself.
pub fn signed_registered_metadata(
    profile: &Profile,
    request: &Map<String, Value>,
    ssa_claims: &Map<String, Value>,
    ssa: &str,
) -> Map<String, Value> {
    let claims: Map<String, Value> = request
        .iter()
        .filter(|(k, _)| !REQUEST_ONLY_CLAIMS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut out = registered_metadata(profile, &claims);
    if !out.contains_key("redirect_uris") {
        if let Some(uris) = ssa_claims.get("software_redirect_uris") {
            out.insert("redirect_uris".into(), uris.clone());
        }
    }
    for (k, v) in ssa_claims {
        if !REQUEST_ONLY_CLAIMS.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("software_statement".into(), ssa.into());
    out
}

/// The effective value of a string member (request value, else the profile default).
pub fn effective_str<'a>(
    profile: &'a Profile,
    md: &'a Map<String, Value>,
    name: &str,
) -> Option<&'a str> {
    md.get(name)
        .or_else(|| profile.settings.registration.defaults.get(name))
        .and_then(Value::as_str)
}

/// The effective value of a string-array member (request value, else the profile default).
pub fn effective_list(profile: &Profile, md: &Map<String, Value>, name: &str) -> Vec<String> {
    md.get(name)
        .or_else(|| profile.settings.registration.defaults.get(name))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A registered client as checks see it.
#[derive(Debug, Clone)]
pub struct ClientFacts {
    pub client_id: String,
    pub profile: String,
    pub metadata: Map<String, Value>,
}

impl ClientFacts {
    pub fn auth_method(&self) -> &str {
        self.metadata
            .get("token_endpoint_auth_method")
            .and_then(Value::as_str)
            .unwrap_or("client_secret_basic")
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        self.metadata
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::generic;
    use serde_json::json;

    #[test]
    fn language_tags_only_on_human_readable_fields() {
        assert_eq!(field_type("client_name#fr"), Some(FieldType::String));
        assert_eq!(field_type("tos_uri#ja-Jpan-JP"), Some(FieldType::Url));
        assert_eq!(field_type("redirect_uris#fr"), None);
        assert_eq!(field_type("nonsense"), None);
    }

    #[test]
    fn registered_metadata_drops_unknown_and_server_members_and_fills_defaults() {
        let p = generic();
        let req = json!({"redirect_uris": ["https://a.example/cb"], "client_id": "mine",
                         "client_secret": "x", "redirect_url": "typo", "client_name#fr": "Nom"});
        let md = registered_metadata(&p, req.as_object().unwrap());
        assert!(md.get("client_id").is_none() && md.get("client_secret").is_none());
        assert!(md.get("redirect_url").is_none());
        assert_eq!(md["client_name#fr"], "Nom");
        assert_eq!(md["token_endpoint_auth_method"], "client_secret_basic");
        assert_eq!(md["grant_types"], json!(["authorization_code"]));
    }
}
