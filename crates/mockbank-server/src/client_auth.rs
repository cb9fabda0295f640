//! Verifying presented client credentials against a registered client (RFC 6749 §2.3):
//! secrets against their stored hashes, `tls_client_auth` against the certificate of the
//! connection (RFC 8705 §2.1), `private_key_jwt` assertions against the client's registered
//! keys or its software's keys in the directory (RFC 7523 §3), `client_secret_jwt` assertions
//! against the sealed secret (OIDC Core §9). The core finds the credentials; the checks judge the result.

use mockbank_core::client_auth::PresentedAuth;
use mockbank_core::signed::PeerFacts;
use mockbank_core::wire::directory::DirectoryStatus;
use mockbank_core::Profile;
use mockbank_store::ClientRow;
use serde_json::{Map, Value};

use crate::facts;
use crate::secrets;
use crate::state::AppState;

pub async fn verify(
    st: &AppState,
    profile: &Profile,
    presented: &PresentedAuth,
    client: &ClientRow,
    peer: Option<&PeerFacts>,
    now: i64,
    jtis: &mut facts::JtiReservation,
) -> Result<(), String> {
    match presented.method {
        "client_secret_basic" | "client_secret_post" => {
            let Some(stored) = &client.secret_hash else {
                return Err("the client has no secret".into());
            };
            let Some(secret) = &presented.secret else {
                return Err("no client secret was sent".into());
            };
            if secrets::hash(secret) != *stored {
                return Err("the client secret is wrong".into());
            }
            if client.secret_expires_at != 0 && client.secret_expires_at <= now {
                return Err("the client secret has expired".into());
            }
            Ok(())
        }
        "tls_client_auth" => {
            let Some(peer) = peer else {
                return Err("no client certificate on the connection".into());
            };
            if let Some(why) = &peer.chain_error {
                return Err(format!("the client certificate is not trusted: {why}"));
            }
            if peer.directory_status == Some(DirectoryStatus::Revoked) {
                return Err("the client certificate has been revoked by the directory".into());
            }
            let registered = client
                .metadata
                .get("tls_client_auth_subject_dn")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !mockbank_core::dn::equivalent(registered, &peer.subject) {
                return Err(format!(
                    "the certificate subject `{}` is not the registered tls_client_auth_subject_dn `{registered}`",
                    peer.subject
                ));
            }
            Ok(())
        }
        "private_key_jwt" => {
            let assertion = presented.assertion.as_deref().unwrap_or_default();
            let jwks = client_keys(st, client).await?;
            let claims = mockbank_pki::jose::verify(assertion, &jwks)
                .map_err(|e| format!("the client assertion does not verify: {}", e.0))?;
            assertion_claims(st, profile, client, assertion, &claims, now, jtis)
        }
        "client_secret_jwt" => {
            let assertion = presented.assertion.as_deref().unwrap_or_default();
            let secret = client
                .secret_sealed
                .as_deref()
                .and_then(|sealed| st.seal.open(&client.client_id, sealed))
                .ok_or("the client has no secret to verify an HMAC assertion with")?;
            if client.secret_expires_at != 0 && client.secret_expires_at <= now {
                return Err("the client secret has expired".into());
            }
            let claims = mockbank_pki::jose::verify_hmac(assertion, secret.as_bytes())
                .map_err(|e| format!("the client assertion does not verify: {}", e.0))?;
            assertion_claims(st, profile, client, assertion, &claims, now, jtis)
        }
        other => Err(format!(
            "`{other}` credentials cannot be verified by this profile"
        )),
    }
}

/// The keys a `private_key_jwt` client signs with (RFC 7523 §3, OIDC Core §9): its registered
/// `jwks`, else the key set at its `jwks_uri`, else (directory-backed profiles) the keys the
/// directory holds for its software.
async fn client_keys(st: &AppState, client: &ClientRow) -> Result<Value, String> {
    if let Some(jwks) = client.metadata.get("jwks").filter(|j| j.is_object()) {
        return Ok(jwks.clone());
    }
    if let Some(url) = client.metadata.get("jwks_uri").and_then(Value::as_str) {
        return st
            .outbound
            .jwks(url)
            .await
            .map_err(|e| format!("fetching the client's jwks_uri {url} failed: {e}"));
    }
    let software_id = client
        .metadata
        .get("software_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    facts::software_jwks(st, software_id)
        .map_err(|e| format!("reading the software's keys failed: {e}"))?
        .ok_or_else(|| "the client registered no keys (jwks or jwks_uri)".into())
}

/// The claims of a verified client assertion (RFC 7523 §3): signed with the algorithm the
/// client registered and the issuer advertises (OIDC-Reg §2), `iss` = `sub` = the client,
/// `aud` the token endpoint (or the issuer, OIDC Core §9), not expired, and a `jti` never seen.
fn assertion_claims(
    st: &AppState,
    profile: &Profile,
    client: &ClientRow,
    assertion: &str,
    claims: &Map<String, Value>,
    now: i64,
    jtis: &mut facts::JtiReservation,
) -> Result<(), String> {
    let alg = mockbank_core::jwt::decode_compact(assertion)
        .and_then(|(h, _)| h.get("alg").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let registered = client
        .metadata
        .get("token_endpoint_auth_signing_alg")
        .and_then(Value::as_str);
    if registered.is_some_and(|r| r != alg) {
        return Err(format!(
            "the client registered token_endpoint_auth_signing_alg `{}`, the assertion is `{alg}`",
            registered.unwrap_or_default()
        ));
    }
    let advertised = &profile
        .settings
        .discovery
        .token_endpoint_auth_signing_alg_values_supported;
    if !advertised.is_empty() && !advertised.contains(&alg) {
        return Err(format!(
            "`{alg}` is not among token_endpoint_auth_signing_alg_values_supported ({})",
            advertised.join(", ")
        ));
    }
    let id = client.client_id.as_str();
    let claim = |k: &str| claims.get(k).and_then(Value::as_str);
    if claim("iss") != Some(id) || claim("sub") != Some(id) {
        return Err("the client assertion's iss and sub must be the client_id".into());
    }
    let issuer = profile.issuer(&st.base_url);
    let token_endpoint = format!("{issuer}/{}", mockbank_core::discovery::TOKEN_PATH);
    let auds: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !auds.iter().any(|a| *a == token_endpoint || *a == issuer) {
        return Err(format!(
            "the client assertion's aud must be the token endpoint {token_endpoint}"
        ));
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("the client assertion has no exp")?;
    if exp < now {
        return Err("the client assertion has expired".into());
    }
    let jti = claim("jti").ok_or("the client assertion has no jti")?;
    let fresh = jtis.remember(format!("{}:assertion", profile.id), jti, exp, now);
    if !fresh {
        return Err("the client assertion's jti was already used".into());
    }
    Ok(())
}
