//! The issuer's discovery document (RFC 8414 §2, OIDC Discovery §3), built from the profile
//! so that what is advertised is exactly what the checks enforce.

use serde_json::{json, Map, Value};

use crate::profile::{Profile, RequestFormat};

/// Paths below the issuer; clients find them through discovery.
pub const REGISTRATION_PATH: &str = "register";
pub const TOKEN_PATH: &str = "token";
pub const JWKS_PATH: &str = "jwks";

/// The discovery document of `profile` served under `base_url`.
pub fn document(profile: &Profile, base_url: &str) -> Value {
    let issuer = profile.issuer(base_url);
    let d = &profile.settings.discovery;
    let mut doc = json!({
        "issuer": issuer,
        "registration_endpoint": format!("{issuer}/{REGISTRATION_PATH}"),
        "token_endpoint": format!("{issuer}/{TOKEN_PATH}"),
        "jwks_uri": format!("{issuer}/{JWKS_PATH}"),
        "token_endpoint_auth_methods_supported": d.token_endpoint_auth_methods_supported,
        "grant_types_supported": d.grant_types_supported,
        "response_types_supported": d.response_types_supported,
        "scopes_supported": d.scopes_supported,
    });
    let Value::Object(obj) = &mut doc else {
        return doc;
    };
    let mut put_list = |key: &str, list: &[String]| {
        if !list.is_empty() {
            obj.insert(key.to_owned(), json!(list));
        }
    };
    put_list(
        "token_endpoint_auth_signing_alg_values_supported",
        &d.token_endpoint_auth_signing_alg_values_supported,
    );
    put_list(
        "request_object_signing_alg_values_supported",
        &d.request_object_signing_alg_values_supported,
    );
    put_list(
        "id_token_signing_alg_values_supported",
        &d.id_token_signing_alg_values_supported,
    );
    put_list("subject_types_supported", &d.subject_types_supported);
    if profile.settings.registration.format == RequestFormat::Jws {
        obj.insert(
            "registration_request_formats_supported".into(),
            json!(["application/jose", "application/jwt"]),
        );
    }
    if d.token_endpoint_auth_methods_supported
        .iter()
        .any(|m| m == "tls_client_auth")
    {
        // RFC 8705 §5: one listener serves mutual TLS everywhere, so the aliases are the
        // endpoints themselves.
        obj.insert(
            "mtls_endpoint_aliases".into(),
            json!({
                "token_endpoint": format!("{issuer}/{TOKEN_PATH}"),
                "registration_endpoint": format!("{issuer}/{REGISTRATION_PATH}"),
            }),
        );
    }
    let extra: &Map<String, Value> = &d.extra;
    for (k, v) in extra {
        obj.insert(k.clone(), v.clone());
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::generic;

    #[test]
    fn generic_discovery_names_every_endpoint() {
        let doc = document(&generic(), "https://127.0.0.1:8443/");
        assert_eq!(doc["issuer"], "https://127.0.0.1:8443/generic");
        assert_eq!(
            doc["registration_endpoint"],
            "https://127.0.0.1:8443/generic/register"
        );
        assert_eq!(
            doc["token_endpoint"],
            "https://127.0.0.1:8443/generic/token"
        );
        assert_eq!(doc["jwks_uri"], "https://127.0.0.1:8443/generic/jwks");
        for key in [
            "token_endpoint_auth_methods_supported",
            "grant_types_supported",
            "scopes_supported",
            "response_types_supported",
        ] {
            assert!(doc[key].as_array().is_some_and(|a| !a.is_empty()), "{key}");
        }
    }
}
