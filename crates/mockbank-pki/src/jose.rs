//! JOSE with josekit: signing keys (RSA-2048 for PS256, EC P-256 for ES256), their public
//! JWKs with RFC 7638 thumbprint `kid`s, and compact JWS signing and verification.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use josekit::jws::{
    JwsHeader, JwsVerifier, ES256, ES384, ES512, HS256, HS384, HS512, PS256, PS384, PS512, RS256,
    RS384, RS512,
};
use josekit::jwt::{self, JwtPayload};
use ring::digest;
use serde_json::{json, Map, Value};

/// Why a JOSE operation failed.
#[derive(Debug, thiserror::Error)]
#[error("JOSE: {0}")]
pub struct JoseError(pub String);

fn jose_err(e: impl std::fmt::Display) -> JoseError {
    JoseError(e.to_string())
}

pub use mockbank_core::wire::directory::KeyType;

/// A private key with its public JWK.
#[derive(Clone)]
pub struct SigningKey {
    pub key_type: KeyType,
    /// PKCS#8 PEM.
    pub private_pem: String,
    /// The public JWK with `kid` (RFC 7638 thumbprint) and `alg`.
    pub public_jwk: Map<String, Value>,
    pub kid: String,
}

impl SigningKey {
    pub fn generate(key_type: KeyType) -> Result<SigningKey, JoseError> {
        let (pem, jwk) = match key_type {
            KeyType::Rsa => {
                let kp = RsaKeyPair::generate(2048).map_err(jose_err)?;
                (kp.to_pem_private_key(), kp.to_jwk_public_key())
            }
            KeyType::Ec => {
                let kp = EcKeyPair::generate(EcCurve::P256).map_err(jose_err)?;
                (kp.to_pem_private_key(), kp.to_jwk_public_key())
            }
        };
        let private_pem = String::from_utf8(pem).map_err(jose_err)?;
        Self::from_parts(key_type, private_pem, jwk)
    }

    /// Loads a PKCS#8 PEM key.
    pub fn from_pem(key_type: KeyType, private_pem: &str) -> Result<SigningKey, JoseError> {
        let jwk = match key_type {
            KeyType::Rsa => RsaKeyPair::from_pem(private_pem)
                .map_err(jose_err)?
                .to_jwk_public_key(),
            KeyType::Ec => EcKeyPair::from_pem(private_pem, Some(EcCurve::P256))
                .map_err(jose_err)?
                .to_jwk_public_key(),
        };
        Self::from_parts(key_type, private_pem.to_owned(), jwk)
    }

    fn from_parts(
        key_type: KeyType,
        private_pem: String,
        jwk: Jwk,
    ) -> Result<SigningKey, JoseError> {
        let mut public_jwk: Map<String, Value> = jwk.as_ref().clone();
        let kid = thumbprint(&public_jwk)?;
        public_jwk.insert("kid".into(), kid.clone().into());
        public_jwk.insert("alg".into(), key_type.alg().into());
        Ok(SigningKey {
            key_type,
            private_pem,
            public_jwk,
            kid,
        })
    }

    /// The public JWK for a JWKS, with `use` and an optional certificate chain (`x5c`, and
    /// the `x5t#S256` of its first certificate).
    pub fn jwk_for(&self, usage: &str, chain_der: &[&[u8]]) -> Value {
        let mut jwk = self.public_jwk.clone();
        jwk.insert("use".into(), usage.into());
        if let Some(first) = chain_der.first() {
            jwk.insert(
                "x5c".into(),
                chain_der
                    .iter()
                    .map(|c| STANDARD.encode(c))
                    .collect::<Vec<_>>()
                    .into(),
            );
            jwk.insert("x5t#S256".into(), x5t_s256(first).into());
        }
        Value::Object(jwk)
    }

    /// Signs `claims` as a compact JWS with this key (`alg` of its type, `kid`, `typ`).
    pub fn sign(&self, claims: &Map<String, Value>, typ: &str) -> Result<String, JoseError> {
        self.sign_with_header(claims, typ, &self.kid)
    }

    /// Like [`sign`](Self::sign) with a chosen `kid` (e.g. to impersonate another key).
    pub fn sign_with_header(
        &self,
        claims: &Map<String, Value>,
        typ: &str,
        kid: &str,
    ) -> Result<String, JoseError> {
        let mut header = JwsHeader::new();
        header.set_token_type(typ);
        header.set_key_id(kid);
        let payload = JwtPayload::from_map(claims.clone()).map_err(jose_err)?;
        match self.key_type {
            KeyType::Rsa => {
                // josekit's PS256 PEM reader wants RSASSA-PSS keys; a plain RSA key (what
                // TPP tools load) goes through its JWK form instead.
                let jwk = RsaKeyPair::from_pem(&self.private_pem)
                    .map_err(jose_err)?
                    .to_jwk_private_key();
                let signer = PS256.signer_from_jwk(&jwk).map_err(jose_err)?;
                jwt::encode_with_signer(&payload, &header, &signer).map_err(jose_err)
            }
            KeyType::Ec => {
                let signer = ES256.signer_from_pem(&self.private_pem).map_err(jose_err)?;
                jwt::encode_with_signer(&payload, &header, &signer).map_err(jose_err)
            }
        }
    }
}

/// An unsigned JWT (`alg: none`, empty signature) — for testing that banks refuse it.
pub fn unsigned(claims: &Map<String, Value>) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
    format!("{header}.{payload}.")
}

type Verifier = Arc<dyn JwsVerifier>;

/// Verifiers built from JWKs, by algorithm and key: building one costs far more than a
/// verification, so keys seen before are not parsed again. Revoked keys never reach this
/// cache's users: callers pass only the keys that are still active.
fn cached_verifier(alg: &str, key: &Map<String, Value>) -> Result<Verifier, JoseError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Verifier>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // What makes the key (RFC 7638's members) and the algorithm it is pinned to (RFC 7517
    // §4.4, which the verifier enforces); not its certificates or other metadata.
    let member = |m: &str| key.get(m).and_then(Value::as_str).unwrap_or("");
    let id = format!(
        "{alg} {} {} {} {} {} {} {}",
        member("alg"),
        member("kty"),
        member("crv"),
        member("x"),
        member("y"),
        member("e"),
        member("n")
    );
    if let Some(v) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(v.clone());
    }
    let mut key = key.clone();
    // The verifier checks the signature only; which key to use is decided by the caller.
    key.remove("kid");
    let jwk = Jwk::from_map(key).map_err(jose_err)?;
    let verifier: Verifier = match alg {
        "PS256" => Arc::new(PS256.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "PS384" => Arc::new(PS384.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "PS512" => Arc::new(PS512.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "RS256" => Arc::new(RS256.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "RS384" => Arc::new(RS384.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "RS512" => Arc::new(RS512.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "ES256" => Arc::new(ES256.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "ES384" => Arc::new(ES384.verifier_from_jwk(&jwk).map_err(jose_err)?),
        "ES512" => Arc::new(ES512.verifier_from_jwk(&jwk).map_err(jose_err)?),
        other => return Err(JoseError(format!("algorithm `{other}` is not accepted"))),
    };
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= 10_000 {
        map.clear();
    }
    map.insert(id, verifier.clone());
    Ok(verifier)
}

/// RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK.
pub fn thumbprint(jwk: &Map<String, Value>) -> Result<String, JoseError> {
    let members: &[&str] = match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => &["e", "kty", "n"],
        Some("EC") => &["crv", "kty", "x", "y"],
        Some("OKP") => &["crv", "kty", "x"],
        other => return Err(JoseError(format!("no thumbprint for kty {other:?}"))),
    };
    // Lexicographic member order, no whitespace (RFC 7638 §3).
    let mut canonical = String::from("{");
    for (i, m) in members.iter().enumerate() {
        let v = jwk
            .get(*m)
            .and_then(Value::as_str)
            .ok_or_else(|| JoseError(format!("JWK has no `{m}`")))?;
        if i > 0 {
            canonical.push(',');
        }
        canonical.push_str(&format!("\"{m}\":{}", Value::from(v)));
    }
    canonical.push('}');
    Ok(URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes())))
}

/// `x5t#S256` of a DER certificate (RFC 7517 §4.9).
pub fn x5t_s256(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, der))
}

/// The asymmetric JWS algorithms mockbank can verify (RFC 7518 §3.3–3.5) and the key type
/// each needs. Which of them a request may use is a profile's decision, made by its checks
/// (`request.jws_alg`, `ssa.alg`, `generic.auth_signing_alg.valid`); this is only what the
/// verifier is able to do.
pub const VERIFIABLE_ALGS: &[(&str, &str)] = &[
    ("PS256", "RSA"),
    ("PS384", "RSA"),
    ("PS512", "RSA"),
    ("RS256", "RSA"),
    ("RS384", "RSA"),
    ("RS512", "RSA"),
    ("ES256", "EC"),
    ("ES384", "EC"),
    ("ES512", "EC"),
];

/// Verifies a compact JWS against `jwks` — the key named by its `kid`, or, without a `kid`,
/// any signing key of the set — and returns the claims (any of [`VERIFIABLE_ALGS`]).
pub fn verify(token: &str, jwks: &Value) -> Result<Map<String, Value>, JoseError> {
    verify_signature(token, jwks)?;
    mockbank_core::jwt::decode_compact(token)
        .and_then(|(_, claims)| claims.as_object().cloned())
        .ok_or_else(|| JoseError("the JWS payload is not a JSON object".into()))
}

/// Checks a compact JWS's signature ([`VERIFIABLE_ALGS`]) with the key of `jwks` its `kid` names
/// (or, without a `kid`, any signing key of its type), without decoding its payload.
pub fn verify_signature(token: &str, jwks: &Value) -> Result<(), JoseError> {
    let not_compact = || JoseError("not a compact JWS".into());
    let (signing_input, signature) = token.rsplit_once('.').ok_or_else(not_compact)?;
    let (header_b64, _) = signing_input.split_once('.').ok_or_else(not_compact)?;
    let header: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or_else(not_compact)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JoseError("the signature is not base64url".into()))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let Some(&(_, kty)) = VERIFIABLE_ALGS.iter().find(|(a, _)| *a == alg) else {
        return Err(JoseError(format!("algorithm `{alg}` is not accepted")));
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let keys: Vec<&Map<String, Value>> = jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let candidates: Vec<&Map<String, Value>> = keys
        .into_iter()
        .filter(|k| match kid {
            Some(kid) => k.get("kid").and_then(Value::as_str) == Some(kid),
            None => {
                k.get("use").and_then(Value::as_str) != Some("tls")
                    && k.get("kty").and_then(Value::as_str) == Some(kty)
            }
        })
        .collect();
    if candidates.is_empty() {
        return Err(JoseError(match kid {
            Some(kid) => format!("no key `{kid}` in the JWKS"),
            None => "the JWS has no kid and the JWKS has no signing key for its algorithm".into(),
        }));
    }
    let mut last = JoseError("no key verified the signature".into());
    for key in candidates {
        if key.get("kty").and_then(Value::as_str) != Some(kty) {
            last = JoseError(format!(
                "key `{}` is not an {kty} key, which {alg} needs",
                kid.unwrap_or("")
            ));
            continue;
        }
        // RFC 7515 §5.2: the signature is over the ASCII of `header.payload` as sent.
        match cached_verifier(alg, key)?.verify(signing_input.as_bytes(), &signature) {
            Ok(()) => return Ok(()),
            Err(e) => last = jose_err(e),
        }
    }
    Err(last)
}

/// Verifies a compact JWS MACed with `secret` (HS256/384/512, RFC 7518 §3.2), as a
/// `client_secret_jwt` assertion is (OIDC Core §9), and returns the claims.
pub fn verify_hmac(token: &str, secret: &[u8]) -> Result<Map<String, Value>, JoseError> {
    let (header, claims) = mockbank_core::jwt::decode_compact(token)
        .ok_or_else(|| JoseError("not a compact JWS".into()))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let verifier: Box<dyn JwsVerifier> = match alg {
        "HS256" => Box::new(HS256.verifier_from_bytes(secret).map_err(jose_err)?),
        "HS384" => Box::new(HS384.verifier_from_bytes(secret).map_err(jose_err)?),
        "HS512" => Box::new(HS512.verifier_from_bytes(secret).map_err(jose_err)?),
        other => return Err(JoseError(format!("algorithm `{other}` is not an HMAC"))),
    };
    let (signing_input, signature) = token
        .trim()
        .rsplit_once('.')
        .ok_or_else(|| JoseError("not a compact JWS".into()))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JoseError("the signature is not base64url".into()))?;
    verifier
        .verify(signing_input.as_bytes(), &signature)
        .map_err(jose_err)?;
    claims
        .as_object()
        .cloned()
        .ok_or_else(|| JoseError("the JWS payload is not a JSON object".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sign_and_verify_and_reload() {
        for kt in [KeyType::Rsa, KeyType::Ec] {
            let key = SigningKey::generate(kt).unwrap();
            assert_eq!(key.kid.len(), 43);
            let jwks = json!({"keys": [key.jwk_for("sig", &[])]});
            let mut claims = Map::new();
            claims.insert("iss".into(), "x".into());
            let token = key.sign(&claims, "JWT").unwrap();
            assert_eq!(verify(&token, &jwks).unwrap()["iss"], "x");
            let again = SigningKey::from_pem(kt, &key.private_pem).unwrap();
            assert_eq!(again.kid, key.kid);
            // a different key under the same kid does not verify
            let other = SigningKey::generate(kt).unwrap();
            let forged = other.sign_with_header(&claims, "JWT", &key.kid).unwrap();
            assert!(verify(&forged, &jwks).is_err());
            assert!(verify(&unsigned(&claims), &jwks).is_err());
        }
    }

    #[test]
    fn only_the_signed_bytes_under_the_named_key_of_the_right_type_verify() {
        let rsa = SigningKey::generate(KeyType::Rsa).unwrap();
        let ec = SigningKey::generate(KeyType::Ec).unwrap();
        let jwks = json!({"keys": [rsa.jwk_for("sig", &[]), ec.jwk_for("sig", &[])]});
        let mut claims = Map::new();
        claims.insert("iss".into(), "x".into());
        let token = rsa.sign(&claims, "JWT").unwrap();
        verify_signature(&token, &jwks).unwrap();
        // Another payload under the same signature.
        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD.encode(r#"{"iss":"y"}"#);
        assert!(verify_signature(&format!("{head}.{other}.{sig}"), &jwks).is_err());
        // PS256 under the kid of the EC key.
        let wrong = rsa.sign_with_header(&claims, "JWT", &ec.kid).unwrap();
        let err = verify_signature(&wrong, &jwks).unwrap_err();
        assert!(err.0.contains("is not an RSA key"), "{}", err.0);
        // Not a JWS at all.
        assert!(verify_signature("abc", &jwks).is_err());
        assert!(verify_signature("a.b", &jwks).is_err());
    }

    /// Signs `claims` with josekit's own signer for `alg`, as a TPP's library would.
    fn signed_by(alg: &dyn josekit::jws::JwsSigner, claims: &Map<String, Value>) -> String {
        let mut header = JwsHeader::new();
        header.set_algorithm(alg.algorithm().name());
        let payload = JwtPayload::from_map(claims.clone()).unwrap();
        jwt::encode_with_signer(&payload, &header, alg).unwrap()
    }

    #[test]
    fn rs256_and_hmac_signatures_verify() {
        let key = SigningKey::generate(KeyType::Rsa).unwrap();
        let pinned = json!({"keys": [key.jwk_for("sig", &[])]});
        let mut jwk = key.jwk_for("sig", &[]);
        jwk.as_object_mut().unwrap().remove("alg");
        let jwks = json!({"keys": [jwk]});
        let mut claims = Map::new();
        claims.insert("iss".into(), "x".into());
        let signer = RS256.signer_from_pem(key.private_pem.as_bytes()).unwrap();
        let token = signed_by(&signer, &claims);
        assert_eq!(verify(&token, &jwks).unwrap()["iss"], "x");
        // A key that names its algorithm (RFC 7517 §4.4, here PS256) verifies only that one.
        assert!(verify(&token, &pinned).is_err());

        let secret = b"a client secret of at least 32 bytes!";
        let token = signed_by(&HS256.signer_from_bytes(secret).unwrap(), &claims);
        assert_eq!(verify_hmac(&token, secret).unwrap()["iss"], "x");
        assert!(verify_hmac(&token, b"another secret of 32 bytes or more").is_err());
        // An HMAC is not an asymmetric signature, and the other way round.
        assert!(verify_signature(&token, &jwks).is_err());
        let rsa = signed_by(&signer, &claims);
        assert!(verify_hmac(&rsa, secret).is_err());
    }

    #[test]
    fn rfc7638_thumbprint_vector() {
        // RFC 7638 §3.1 example key.
        let jwk = json!({"kty": "RSA", "e": "AQAB", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
        assert_eq!(
            thumbprint(jwk.as_object().unwrap()).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
