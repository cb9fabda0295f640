//! `private_key_jwt` and `client_secret_jwt` on the generic profile (RFC 7523, OIDC Core §9):
//! clients register their keys (`jwks`, `jwks_uri`) or get a secret, then authenticate at the
//! token endpoint with assertions a standard JOSE library (josekit) signs.

use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::{JwsHeader, JwsSigner, HS256, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{json, Value};

use crate::common::{check_of, mint, register, Bank, Request, Resp};

const FORM: &str = "application/x-www-form-urlencoded";
const JWT_BEARER: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

fn now() -> i64 {
    ::time::OffsetDateTime::now_utc().unix_timestamp()
}

fn sign(signer: &dyn JwsSigner, kid: Option<&str>, claims: Value) -> String {
    let mut header = JwsHeader::new();
    if let Some(kid) = kid {
        header.set_key_id(kid);
    }
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, signer).unwrap()
}

fn claims(bank: &Bank, client_id: &str, jti: &str, exp: i64) -> Value {
    json!({"iss": client_id, "sub": client_id, "aud": format!("{}/generic/token", bank.base_url),
           "iat": now(), "exp": exp, "jti": jti})
}

async fn token(bank: &Bank, assertion: &str) -> Resp {
    bank.send(Request::new("POST", "/generic/token").raw(
        FORM,
        format!("grant_type=client_credentials&client_assertion_type={JWT_BEARER}&client_assertion={assertion}"),
    ))
    .await
}

fn description(r: &Resp) -> String {
    r.json()["error_description"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn discovery_offers_both_assertion_methods() {
    let bank = Bank::start();
    let d = bank
        .get("/generic/.well-known/openid-configuration")
        .await
        .json();
    let methods = d["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    for m in ["private_key_jwt", "client_secret_jwt"] {
        assert!(methods.iter().any(|x| x == m), "{m} in {methods:?}");
    }
    let algs = &d["token_endpoint_auth_signing_alg_values_supported"];
    assert_eq!(algs, &json!(["PS256", "ES256", "RS256", "HS256"]));
}

#[tokio::test]
async fn a_private_key_jwt_client_with_a_jwks_gets_tokens_and_bad_assertions_are_refused() {
    let bank = Bank::start();
    let key = RsaKeyPair::generate(2048).unwrap();
    let mut public = key.to_jwk_public_key();
    public.set_key_id("k1");
    let jwks = json!({"keys": [serde_json::to_value(public.as_ref()).unwrap()]});
    let reg = register(
        &bank,
        "generic",
        &json!({"grant_types": ["client_credentials"], "response_types": [],
                "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks,
                "token_endpoint_auth_signing_alg": "PS256"}),
    )
    .await;
    assert!(reg.get("client_secret").is_none(), "{reg}");
    let id = reg["client_id"].as_str().unwrap();
    let ps256 = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
    let exp = now() + 300;

    let first = sign(&ps256, Some("k1"), claims(&bank, id, "a-1", exp));
    let r = token(&bank, &first).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["token_type"], "Bearer");
    let trace = bank.last_trace("POST", "/generic/token").await;
    let method = check_of(&trace, "token.client_auth.method_registered");
    assert_eq!(method["outcome"], "pass", "{method}");

    // RFC 7523 §3: a jti is used once.
    let r = token(&bank, &first).await;
    r.assert_error(401, "invalid_client");
    assert!(
        description(&r).contains("already used"),
        "{}",
        description(&r)
    );

    let other = RsaKeyPair::generate(2048).unwrap();
    let forged = PS256.signer_from_jwk(&other.to_jwk_private_key()).unwrap();
    let refusals = [
        (
            sign(&forged, Some("k1"), claims(&bank, id, "a-2", exp)),
            "does not verify",
        ),
        (
            sign(&ps256, Some("k1"), claims(&bank, id, "a-3", now() - 10)),
            "expired",
        ),
        (
            sign(
                &ps256,
                Some("k1"),
                json!({"iss": id, "sub": id, "aud": "https://elsewhere.example/token", "exp": exp, "jti": "a-4"}),
            ),
            "aud",
        ),
        (
            sign(
                &RS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap(),
                Some("k1"),
                claims(&bank, id, "a-5", exp),
            ),
            "registered token_endpoint_auth_signing_alg `PS256`",
        ),
    ];
    for (assertion, why) in refusals {
        let r = token(&bank, &assertion).await;
        r.assert_error(401, "invalid_client");
        assert!(description(&r).contains(why), "{why}: {}", description(&r));
    }

    // The same keys under a client that registered RS256 (advertised by generic).
    let reg = register(
        &bank,
        "generic",
        &json!({"grant_types": ["client_credentials"], "response_types": [],
                "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks,
                "token_endpoint_auth_signing_alg": "RS256"}),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap();
    let rs256 = RS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
    let r = token(
        &bank,
        &sign(&rs256, Some("k1"), claims(&bank, id, "r-1", exp)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_private_key_jwt_client_with_a_jwks_uri_gets_tokens() {
    let bank = Bank::start();
    // The directory publishes the software's keys over https: a jwks_uri as a TPP hosts one.
    let bundle = mint(
        &bank,
        json!({"org_name": "Keys Ltd", "software_name": "keys"}),
    )
    .await;
    let software_id = bundle["software_id"].as_str().unwrap();
    let jwks_uri = format!("{}/directory/software/{software_id}/jwks", bank.base_url);
    let reg = register(
        &bank,
        "generic",
        &json!({"grant_types": ["client_credentials"], "response_types": [],
                "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": jwks_uri}),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap();
    let key = RsaKeyPair::from_pem(bundle["signing_key_pem"].as_str().unwrap()).unwrap();
    // The directory's keys say `"alg": "PS256"` (RFC 7517 §4.4), so that is what they sign.
    let ps256 = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
    let kid = bundle["signing_kid"].as_str();
    let r = token(
        &bank,
        &sign(&ps256, kid, claims(&bank, id, "u-1", now() + 60)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_client_secret_jwt_client_macs_with_its_secret_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::start_in(dir.path(), &[]);
    let reg = register(
        &bank,
        "generic",
        &json!({"grant_types": ["client_credentials"], "response_types": [],
                "token_endpoint_auth_method": "client_secret_jwt"}),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap().to_owned();
    let secret = reg["client_secret"].as_str().unwrap().to_owned();
    let hs256 = HS256.signer_from_bytes(secret.as_bytes()).unwrap();
    let r = token(
        &bank,
        &sign(&hs256, None, claims(&bank, &id, "s-1", now() + 60)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let wrong = HS256
        .signer_from_bytes(b"not the client secret, but long enough")
        .unwrap();
    let r = token(
        &bank,
        &sign(&wrong, None, claims(&bank, &id, "s-2", now() + 60)),
    )
    .await;
    r.assert_error(401, "invalid_client");
    // The method is the registered one: the secret itself is not accepted in its place.
    let r = bank
        .send(Request::new("POST", "/generic/token").raw(
            FORM,
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        ))
        .await;
    r.assert_error(401, "invalid_client");
    assert!(
        description(&r).contains("registered `client_secret_jwt`"),
        "{}",
        description(&r)
    );
    bank.stop();

    // The sealed secret survives a restart (the seal key derives from the data dir's CA key).
    let bank = Bank::start_in(dir.path(), &[]);
    let r = token(
        &bank,
        &sign(&hs256, None, claims(&bank, &id, "s-3", now() + 60)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = token(
        &bank,
        &sign(&hs256, None, claims(&bank, &id, "s-1", now() + 60)),
    )
    .await;
    r.assert_error(401, "invalid_client");
}
