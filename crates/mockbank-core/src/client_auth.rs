//! Client authentication at the token endpoint (RFC 6749 §2.3): which credentials a request
//! presents. Verifying them needs stored secrets and lives in the server; the checks judge
//! the result. Other profiles extend the list (`tls_client_auth`, `private_key_jwt`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

/// The stored confirmation claim of a certificate-bound token (RFC 8705 §3.1:
/// `{"x5t#S256": "<base64url SHA-256 of the DER certificate>"}`).
pub fn cnf_claim(thumbprint: &str) -> String {
    serde_json::json!({ "x5t#S256": thumbprint }).to_string()
}

/// The thumbprint in a stored confirmation claim, if it has one.
pub fn cnf_thumbprint(cnf: &str) -> Option<String> {
    serde_json::from_str::<Value>(cnf)
        .ok()?
        .get("x5t#S256")?
        .as_str()
        .map(str::to_owned)
}

/// One way a request tried to authenticate its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedAuth {
    /// `client_secret_basic`, `client_secret_post`, `client_secret_jwt`, `private_key_jwt`,
    /// `tls_client_auth`, `none`.
    pub method: &'static str,
    pub client_id: Option<String>,
    pub secret: Option<String>,
    pub assertion: Option<String>,
}

/// Finds every credential in the `Authorization` header and the form (RFC 6749 §2.3.1,
/// RFC 7523 §2.2). More than one is an error the checks report (RFC 6749 §2.3). A bare
/// `client_id` on a connection with a client certificate is `tls_client_auth` (RFC 8705 §2).
pub fn presented(
    authorization: Option<&str>,
    form: &Map<String, Value>,
    has_certificate: bool,
) -> Vec<PresentedAuth> {
    let mut out = Vec::new();
    let field = |k: &str| form.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(basic) = authorization.and_then(parse_basic) {
        out.push(basic);
    }
    if let Some(secret) = field("client_secret") {
        out.push(PresentedAuth {
            method: "client_secret_post",
            client_id: field("client_id"),
            secret: Some(secret),
            assertion: None,
        });
    }
    if let Some(assertion) = field("client_assertion") {
        // RFC 7521 §4.2: `client_id` is optional with an assertion, which names the client
        // in `sub` (RFC 7523 §3; the OBIE conformance tool sends none). The signature and
        // `iss` = `sub` = client are verified later, against that client's keys.
        let decoded = crate::jwt::decode_compact(&assertion);
        let named = || {
            decoded
                .as_ref()
                .and_then(|(_, claims)| claims.get("sub").and_then(Value::as_str))
                .map(str::to_owned)
        };
        // OIDC Core §9: an assertion MACed with the client secret (HS256/384/512) is
        // `client_secret_jwt`; one signed with the client's private key is `private_key_jwt`.
        let hmac = decoded
            .as_ref()
            .and_then(|(header, _)| header.get("alg").and_then(Value::as_str))
            .is_some_and(|alg| alg.starts_with("HS"));
        out.push(PresentedAuth {
            method: if hmac {
                "client_secret_jwt"
            } else {
                "private_key_jwt"
            },
            client_id: field("client_id").or_else(named),
            secret: None,
            assertion: Some(assertion),
        });
    }
    if out.is_empty() {
        if let Some(id) = field("client_id") {
            out.push(PresentedAuth {
                method: if has_certificate {
                    "tls_client_auth"
                } else {
                    "none"
                },
                client_id: Some(id),
                secret: None,
                assertion: None,
            });
        }
    }
    out
}

/// RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn parse_basic(header: &str) -> Option<PresentedAuth> {
    let (scheme, rest) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some(PresentedAuth {
        method: "client_secret_basic",
        client_id: Some(unescape(id)),
        secret: Some(unescape(secret)),
        assertion: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_assertion_without_client_id_names_its_client_in_sub() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let assertion = format!(
            "{}.{}.sig",
            part(json!({"alg": "PS256"})),
            part(json!({"iss": "c1", "sub": "c1"}))
        );
        let form = json!({"grant_type": "client_credentials", "client_assertion": assertion})
            .as_object()
            .cloned()
            .unwrap();
        let found = presented(None, &form, true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].method, "private_key_jwt");
        assert_eq!(found[0].client_id.as_deref(), Some("c1"));
        // A form client_id wins (and must then match the assertion, checked with the keys).
        let mut form = form;
        form.insert("client_id".into(), "c2".into());
        assert_eq!(
            presented(None, &form, true)[0].client_id.as_deref(),
            Some("c2")
        );
    }

    #[test]
    fn an_hmac_assertion_is_client_secret_jwt() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let assertion = format!(
            "{}.{}.mac",
            part(json!({"alg": "HS256"})),
            part(json!({"iss": "c1", "sub": "c1"}))
        );
        let form = json!({"client_assertion": assertion});
        let found = presented(None, form.as_object().unwrap(), false);
        assert_eq!(found[0].method, "client_secret_jwt");
        assert_eq!(found[0].client_id.as_deref(), Some("c1"));
    }

    #[test]
    fn finds_basic_and_post_credentials() {
        let header = format!("Basic {}", STANDARD.encode("my%20id:s%3Acret"));
        let form = json!({"grant_type": "client_credentials"});
        let p = presented(Some(&header), form.as_object().unwrap(), false);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].client_id.as_deref(), Some("my id"));
        assert_eq!(p[0].secret.as_deref(), Some("s:cret"));

        let form = json!({"client_id": "a", "client_secret": "b"});
        let p = presented(Some(&header), form.as_object().unwrap(), false);
        assert_eq!(
            p.iter().map(|a| a.method).collect::<Vec<_>>(),
            ["client_secret_basic", "client_secret_post"]
        );
        assert!(presented(None, json!({}).as_object().unwrap(), false).is_empty());
        let bare = json!({"client_id": "c1", "grant_type": "client_credentials"});
        assert_eq!(
            presented(None, bare.as_object().unwrap(), true)[0].method,
            "tls_client_auth"
        );
        assert_eq!(
            presented(None, bare.as_object().unwrap(), false)[0].method,
            "none"
        );
    }
}
