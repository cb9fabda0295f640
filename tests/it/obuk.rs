//! The `obuk-v3.2` profile as a TPP meets it: credentials minted by the directory, a request
//! signed with the bundle's key by a standard JOSE library (josekit), mTLS with the bundle's
//! transport certificate — and every refusal with its code and failing check.

use josekit::jws::{JwsHeader, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{json, Map, Value};

use crate::common::{check_of, identity, mint, Bank, Identity, Request, Resp};

const P: &str = "/obuk-v3.2";

pub struct Tpp {
    pub bundle: Value,
    pub id: Identity,
}

fn now() -> i64 {
    ::time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Tpp {
    pub async fn mint(bank: &Bank, extra: Value) -> Tpp {
        let mut body = json!({"org_name": "Example TPP Ltd", "software_name": "TPP app", "roles": ["AISP", "PISP"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let bundle = mint(bank, &body).await;
        let id = Identity {
            cert_pem: bundle["transport_cert_pem"].as_str().unwrap().into(),
            key_pem: bundle["transport_key_pem"].as_str().unwrap().into(),
        };
        Tpp { bundle, id }
    }

    pub fn s(&self, k: &str) -> String {
        self.bundle[k].as_str().unwrap().to_owned()
    }

    /// A valid registration request's claims (what the OBIE tool sends).
    pub fn claims(&self, bank: &Bank) -> Map<String, Value> {
        json!({
            "iss": self.s("software_id"), "iat": now(), "exp": now() + 3600,
            "aud": format!("{}{P}", bank.base_url), "jti": mockbank_pki::directory::uuid_v4(),
            "redirect_uris": self.bundle["redirect_uris"], "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": self.s("transport_subject_dn"),
            "grant_types": ["authorization_code", "client_credentials"], "response_types": ["code id_token"],
            "scope": "openid accounts payments", "software_statement": self.s("software_statement"),
            "application_type": "web", "id_token_signed_response_alg": "PS256", "request_object_signing_alg": "PS256",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    /// Signs claims with the bundle's key (PS256, its kid) using josekit.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(self.s("signing_key_pem")).unwrap();
        let signer = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
        let mut header = JwsHeader::new();
        header.set_key_id(self.s("signing_kid"));
        header.set_token_type("JWT");
        jwt::encode_with_signer(
            &JwtPayload::from_map(claims.clone()).unwrap(),
            &header,
            &signer,
        )
        .unwrap()
    }

    pub async fn post(&self, bank: &Bank, jws: &str) -> Resp {
        bank.send(
            Request::new("POST", &format!("{P}/register"))
                .raw("application/jose", jws)
                .identity(&self.id),
        )
        .await
    }

    /// Registers with valid claims; returns the 201 body.
    pub async fn register(&self, bank: &Bank, edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let mut c = self.claims(bank);
        edit(&mut c);
        let r = self.post(bank, &self.sign(&c)).await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        r.json()
    }

    /// client_credentials with tls_client_auth; returns the access token.
    pub async fn token(&self, bank: &Bank, client_id: &str) -> String {
        self.token_at(bank, P, client_id).await
    }

    /// A client-credentials access token from the token endpoint of the profile at `prefix`.
    pub async fn token_at(&self, bank: &Bank, prefix: &str, client_id: &str) -> String {
        let r = bank
            .send(
                Request::new("POST", &format!("{prefix}/token"))
                    .raw(
                        "application/x-www-form-urlencoded",
                        format!("client_id={client_id}&scope=&grant_type=client_credentials"),
                    )
                    .identity(&self.id),
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["access_token"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_tpp_registers_gets_a_token_and_manages_its_registration() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let doc = bank
        .get(&format!("{P}/.well-known/openid-configuration"))
        .await
        .json();
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["tls_client_auth", "private_key_jwt"])
    );
    assert_eq!(
        doc["request_object_signing_alg_values_supported"][0],
        "PS256"
    );
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);

    let reg = tpp.register(&bank, |_| {}).await;
    let client_id = reg["client_id"].as_str().unwrap().to_owned();
    assert_eq!(client_id.len(), 36, "a UUID");
    assert_eq!(reg["software_statement"], tpp.bundle["software_statement"]);
    assert_eq!(
        reg["software_id"], tpp.bundle["software_id"],
        "SSA claims are flattened"
    );
    assert_eq!(reg["org_id"], tpp.bundle["org_id"]);
    assert_eq!(
        reg["tls_client_auth_subject_dn"],
        tpp.bundle["transport_subject_dn"]
    );
    assert!(reg.get("client_secret").is_none() && reg.get("registration_access_token").is_none());
    assert!(
        reg.get("jti").is_none() && reg.get("aud").is_none(),
        "request-only claims are not echoed"
    );
    let trace = bank.last_trace("POST", &format!("{P}/register")).await;
    assert_eq!(trace["summary"]["fail"], 0, "{}", trace["checks"]);
    assert!(
        trace["request"]["jwts"].as_array().unwrap().len() >= 2,
        "request and SSA decoded"
    );

    let token = tpp.token(&bank, &client_id).await;
    let path = format!("{P}/register/{client_id}");
    let r = bank
        .send(Request::new("GET", &path).bearer(&token).identity(&tpp.id))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["software_statement"],
        tpp.bundle["software_statement"]
    );
    assert_eq!(r.json()["client_id"], client_id.as_str());

    // update with fresh claims: 200
    let mut c = tpp.claims(&bank);
    c.insert("scope".into(), "openid accounts".into());
    let r = bank
        .send(
            Request::new("PUT", &path)
                .bearer(&token)
                .raw("application/jose", tpp.sign(&c))
                .identity(&tpp.id),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["scope"], "openid accounts");

    // another software's SSA in an update: refused
    let other = Tpp::mint(&bank, json!({})).await;
    let mut c = other.claims(&bank);
    c.insert(
        "tls_client_auth_subject_dn".into(),
        tpp.s("transport_subject_dn").into(),
    );
    let r = bank
        .send(
            Request::new("PUT", &path)
                .bearer(&token)
                .raw("application/jose", other.sign(&c))
                .identity(&tpp.id),
        )
        .await;
    r.assert_error(400, "invalid_software_statement");

    // another client's token: 403
    let other_reg = other.register(&bank, |_| {}).await;
    let other_token = other
        .token(&bank, other_reg["client_id"].as_str().unwrap())
        .await;
    let r = bank
        .send(
            Request::new("GET", &path)
                .bearer(&other_token)
                .identity(&other.id),
        )
        .await;
    r.assert_error(403, "access_denied");

    // delete: 204, then 401 everywhere and the token endpoint refuses the client
    let r = bank
        .send(
            Request::new("DELETE", &path)
                .bearer(&token)
                .identity(&tpp.id),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = bank
        .send(Request::new("GET", &path).bearer(&token).identity(&tpp.id))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(
            Request::new("POST", &format!("{P}/token"))
                .raw(
                    "application/x-www-form-urlencoded",
                    format!("client_id={client_id}&grant_type=client_credentials"),
                )
                .identity(&tpp.id),
        )
        .await;
    r.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn private_key_jwt_clients_authenticate_with_an_assertion() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let reg = tpp
        .register(&bank, |c| {
            c.insert(
                "token_endpoint_auth_method".into(),
                "private_key_jwt".into(),
            );
            c.insert("token_endpoint_auth_signing_alg".into(), "PS256".into());
            c.remove("tls_client_auth_subject_dn");
        })
        .await;
    let client_id = reg["client_id"].as_str().unwrap();
    let assertion = |jti: &str| {
        let claims = json!({"iss": client_id, "sub": client_id, "aud": format!("{}{P}/token", bank.base_url),
                            "iat": now(), "exp": now() + 1800, "jti": jti});
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(tpp.s("signing_key_pem")).unwrap();
        let signer = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
        // like the OBIE tool: no kid in the assertion header
        jwt::encode_with_signer(
            &JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap(),
            &JwsHeader::new(),
            &signer,
        )
        .unwrap()
    };
    let form = |a: &str| {
        format!("client_id={client_id}&grant_type=client_credentials&scope=&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={a}")
    };
    let first = assertion("jti-1");
    let r = bank
        .send(
            Request::new("POST", &format!("{P}/token"))
                .raw("application/x-www-form-urlencoded", form(&first))
                .identity(&tpp.id),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = bank
        .send(
            Request::new("POST", &format!("{P}/token"))
                .raw("application/x-www-form-urlencoded", form(&first))
                .identity(&tpp.id),
        )
        .await;
    let body = r.assert_error(401, "invalid_client");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("already used"));
    // As the OBIE tool sends it: no client_id in the form, the assertion names the client
    // (RFC 7521 §4.2), and the fork asks for `scope=openid`.
    let r = bank
        .send(
            Request::new("POST", &format!("{P}/token"))
                .raw(
                    "application/x-www-form-urlencoded",
                    format!("grant_type=client_credentials&scope=openid&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={}", assertion("jti-2")),
                )
                .identity(&tpp.id),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let token = r.json();
    assert!(token["access_token"].is_string() && token["expires_in"].is_i64());
    assert_eq!(token["token_type"], "Bearer");
    let other = Tpp::mint(&bank, json!({}));
    let forged = {
        let other = other.await;
        let claims = json!({"iss": client_id, "sub": client_id, "aud": format!("{}{P}/token", bank.base_url), "exp": now() + 60, "jti": "x"});
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(other.s("signing_key_pem")).unwrap();
        let signer = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
        jwt::encode_with_signer(
            &JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap(),
            &JwsHeader::new(),
            &signer,
        )
        .unwrap()
    };
    let r = bank
        .send(
            Request::new("POST", &format!("{P}/token"))
                .raw("application/x-www-form-urlencoded", form(&forged))
                .identity(&tpp.id),
        )
        .await;
    r.assert_error(401, "invalid_client");
}

/// One bad registration: what to change, and the expected status, code and failing check.
struct Bad {
    name: &'static str,
    status: u16,
    error: &'static str,
    check: &'static str,
}

#[tokio::test]
async fn every_catalogue_rule_refuses_with_its_code_and_check() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let aisp_only = Tpp::mint(&bank, json!({"roles": ["AISP"]})).await;
    let foreign = identity("rogue", None, -1, 30);

    async fn expect(bank: &Bank, r: Resp, bad: Bad) -> Value {
        let body = r.json();
        assert_eq!(
            (r.status, body["error"].as_str().unwrap_or("")),
            (bad.status, bad.error),
            "{}: {body}",
            bad.name
        );
        let trace = bank.last_trace("POST", &format!("{P}/register")).await;
        assert_eq!(trace["failed_check"], bad.check, "{}: {}", bad.name, body);
        body
    }
    macro_rules! case {
        ($name:literal, $status:literal, $error:literal, $check:literal, $resp:expr) => {
            expect(
                &bank,
                $resp,
                Bad {
                    name: $name,
                    status: $status,
                    error: $error,
                    check: $check,
                },
            )
            .await
        };
    }
    let signed = |edit: &dyn Fn(&mut Map<String, Value>)| {
        let mut c = tpp.claims(&bank);
        edit(&mut c);
        tpp.sign(&c)
    };
    let post =
        |jws: String| Request::new("POST", "/obuk-v3.2/register").raw("application/jose", jws);

    case!(
        "no certificate",
        400,
        "invalid_client_metadata",
        "mtls.present",
        bank.send(post(signed(&|_| {}))).await
    );
    case!(
        "foreign certificate",
        400,
        "invalid_client_metadata",
        "mtls.trusted",
        bank.send(post(signed(&|_| {})).identity(&foreign)).await
    );
    case!(
        "json content type",
        400,
        "invalid_client_metadata",
        "request.content_type",
        bank.send(
            Request::new("POST", "/obuk-v3.2/register")
                .raw("application/json", signed(&|_| {}))
                .identity(&tpp.id)
        )
        .await
    );
    case!(
        "json object body",
        400,
        "invalid_client_metadata",
        "request.jws_parse",
        bank.send(
            Request::new("POST", "/obuk-v3.2/register")
                .raw("application/jose", "{\"redirect_uris\":[]}")
                .identity(&tpp.id)
        )
        .await
    );
    let rs256 = {
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(tpp.s("signing_key_pem")).unwrap();
        let mut h = JwsHeader::new();
        h.set_key_id(tpp.s("signing_kid"));
        jwt::encode_with_signer(
            &JwtPayload::from_map(tpp.claims(&bank)).unwrap(),
            &h,
            &RS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap(),
        )
        .unwrap()
    };
    case!(
        "RS256",
        400,
        "invalid_client_metadata",
        "request.jws_alg",
        tpp.post(&bank, &rs256).await
    );
    let embedded = {
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(tpp.s("signing_key_pem")).unwrap();
        let mut h = JwsHeader::new();
        h.set_key_id(tpp.s("signing_kid"));
        h.set_jwk(key.to_jwk_public_key());
        jwt::encode_with_signer(
            &JwtPayload::from_map(tpp.claims(&bank)).unwrap(),
            &h,
            &PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap(),
        )
        .unwrap()
    };
    case!(
        "embedded jwk",
        400,
        "invalid_client_metadata",
        "request.jws_no_embedded_key",
        tpp.post(&bank, &embedded).await
    );
    case!(
        "no SSA",
        400,
        "invalid_software_statement",
        "ssa.present",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.remove("software_statement");
            })
        )
        .await
    );
    let ssa = tpp.s("software_statement");
    let stripped = {
        let mut parts = ssa.split('.');
        let (h, p) = (parts.next().unwrap(), parts.next().unwrap());
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"alg":"none","typ":"JWT"}"#,
        );
        let _ = h;
        format!("{none_header}.{p}.")
    };
    let body = case!(
        "SSA alg none",
        400,
        "invalid_software_statement",
        "ssa.jws_parse",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("software_statement".into(), stripped.clone().into());
            })
        )
        .await
    );
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("software_statement claim is not an encoded JWT"));

    for (variant, error, check) in [
        (
            "wrong_issuer",
            "unapproved_software_statement",
            "ssa.issuer_trusted",
        ),
        (
            "unknown_signing_key",
            "invalid_software_statement",
            "ssa.signature",
        ),
        ("expired_ssa", "invalid_software_statement", "ssa.validity"),
        (
            "missing_claim",
            "invalid_software_statement",
            "ssa.required_claims",
        ),
        (
            "http_redirect",
            "invalid_redirect_uri",
            "obuk.redirect.format",
        ),
        (
            "loopback_redirect",
            "invalid_redirect_uri",
            "obuk.redirect.format",
        ),
        (
            "mixed_redirect_hosts",
            "invalid_software_statement",
            "obuk.uris.same_host",
        ),
        (
            "foreign_ca_transport_cert",
            "invalid_client_metadata",
            "mtls.trusted",
        ),
        (
            "expired_transport_cert",
            "invalid_client_metadata",
            "mtls.trusted",
        ),
    ] {
        let broken = Tpp::mint(&bank, json!({"variant": variant})).await;
        let mut c = broken.claims(&bank);
        if variant == "missing_claim" {
            c.insert("iss".into(), "abc".into());
        }
        let r = broken.post(&bank, &broken.sign(&c)).await;
        let body = expect(
            &bank,
            r,
            Bad {
                name: "variant",
                status: 400,
                error,
                check,
            },
        )
        .await;
        if variant == "unknown_signing_key" {
            assert!(body["error_description"].as_str().unwrap().starts_with("Registration Request contains an invalid software_statement, Expected JWT to have a valid signature"));
        }
    }
    // a certificate of another software does not match the SSA
    let other = Tpp::mint(&bank, json!({})).await;
    case!(
        "other software's certificate",
        400,
        "invalid_software_statement",
        "obuk.mtls.matches_ssa",
        bank.send(
            post(signed(&|c| {
                c.insert(
                    "tls_client_auth_subject_dn".into(),
                    other.s("transport_subject_dn").into(),
                );
            }))
            .identity(&other.id)
        )
        .await
    );
    // a request signed by a random key with the right kid (fork DCR-012)
    let rogue = Tpp::mint(&bank, json!({})).await;
    let forged = {
        let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(rogue.s("signing_key_pem")).unwrap();
        let mut h = JwsHeader::new();
        h.set_key_id(tpp.s("signing_kid"));
        jwt::encode_with_signer(
            &JwtPayload::from_map(tpp.claims(&bank)).unwrap(),
            &h,
            &PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap(),
        )
        .unwrap()
    };
    let body = case!(
        "request signed by another key",
        400,
        "invalid_client_metadata",
        "request.jws_signature",
        tpp.post(&bank, &forged).await
    );
    assert!(body["error_description"].as_str().unwrap().starts_with(
        "Registration Request JWT is invalid: Expected JWT to have a valid signature"
    ));

    case!(
        "no scope",
        400,
        "invalid_client_metadata",
        "obuk.request.required_claims",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.remove("scope");
            })
        )
        .await
    );
    case!(
        "expired request",
        400,
        "invalid_client_metadata",
        "obuk.request.exp",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("exp".into(), (now() - 3600).into());
            })
        )
        .await
    );
    case!(
        "iat in the future",
        400,
        "invalid_client_metadata",
        "obuk.request.iat",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("iat".into(), (now() + 3600).into());
            })
        )
        .await
    );
    for iss in [
        "foo.is/invalid",
        "",
        "123456789012345678901234567890",
        "Abc123",
    ] {
        case!(
            "bad iss",
            400,
            "invalid_client_metadata",
            "obuk.request.iss",
            tpp.post(
                &bank,
                &signed(&|c| {
                    c.insert("iss".into(), iss.into());
                })
            )
            .await
        );
    }
    case!(
        "wrong aud",
        400,
        "invalid_client_metadata",
        "obuk.request.aud",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("aud".into(), "another-bank".into());
            })
        )
        .await
    );
    case!(
        "jti not a UUID",
        400,
        "invalid_client_metadata",
        "obuk.request.jti",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("jti".into(), "1".into());
            })
        )
        .await
    );
    let mut replay = tpp.claims(&bank);
    replay.insert("jti".into(), "8f6f4e0a-4a7b-4c1d-9e2f-0a1b2c3d4e5f".into());
    let once = tpp.sign(&replay);
    assert_eq!(tpp.post(&bank, &once).await.status, 201);
    case!(
        "jti replay",
        400,
        "invalid_client_metadata",
        "obuk.request.jti",
        tpp.post(&bank, &once).await
    );
    case!(
        "software_id mismatch",
        400,
        "invalid_client_metadata",
        "obuk.request.software_id",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("software_id".into(), "someoneElse".into());
            })
        )
        .await
    );
    let body = case!(
        "redirect not in the SSA",
        400,
        "invalid_redirect_uri",
        "obuk.redirect.subset",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("redirect_uris".into(), json!(["https://abc.com"]));
            })
        )
        .await
    );
    assert!(body["error_description"].as_str().unwrap().starts_with("invalid registration request redirect_uris value, must match or be a subset of the software_redirect_uris"));
    case!(
        "http redirect",
        400,
        "invalid_redirect_uri",
        "obuk.redirect.format",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert(
                    "redirect_uris".into(),
                    json!(["http://tpp.example.com/callback"]),
                );
            })
        )
        .await
    );
    case!(
        "secret auth",
        400,
        "invalid_client_metadata",
        "generic.auth_method.supported",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert(
                    "token_endpoint_auth_method".into(),
                    "client_secret_basic".into(),
                );
            })
        )
        .await
    );
    case!(
        "pkjwt without alg",
        400,
        "invalid_client_metadata",
        "obuk.auth_method.signing_alg",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert(
                    "token_endpoint_auth_method".into(),
                    "private_key_jwt".into(),
                );
            })
        )
        .await
    );
    case!(
        "DN of another certificate",
        400,
        "invalid_client_metadata",
        "obuk.auth_method.tls_dn",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert(
                    "tls_client_auth_subject_dn".into(),
                    "CN=someone,O=Else,C=GB".into(),
                );
            })
        )
        .await
    );
    case!(
        "bad grant",
        400,
        "invalid_client_metadata",
        "obuk.grant_types",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("grant_types".into(), json!(["password"]));
            })
        )
        .await
    );
    case!(
        "DCR-011 response types",
        400,
        "invalid_client_metadata",
        "obuk.response_types",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("response_types".into(), json!(["id_token", "token"]));
            })
        )
        .await
    );
    case!(
        "payments without PISP",
        400,
        "invalid_client_metadata",
        "obuk.scope",
        aisp_only
            .post(&bank, &aisp_only.sign(&aisp_only.claims(&bank)))
            .await
    );
    case!(
        "application type",
        400,
        "invalid_client_metadata",
        "obuk.application_type",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("application_type".into(), "desktop".into());
            })
        )
        .await
    );
    case!(
        "RS256 id token",
        400,
        "invalid_client_metadata",
        "obuk.algs",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("id_token_signed_response_alg".into(), "RS256".into());
            })
        )
        .await
    );
    case!(
        "jwks by value",
        400,
        "invalid_client_metadata",
        "obuk.jwks_by_value",
        tpp.post(
            &bank,
            &signed(&|c| {
                c.insert("jwks".into(), json!({"keys": []}));
            })
        )
        .await
    );

    // the DN is compared as a name: another spelling of the same DN is accepted
    let dn = tpp
        .s("transport_subject_dn")
        .replace(',', ", ")
        .to_lowercase();
    tpp.register(&bank, |c| {
        c.insert("tls_client_auth_subject_dn".into(), dn.clone().into());
    })
    .await;
    // redirect_uris omitted: defaulted to the SSA's
    let reg = tpp
        .register(&bank, |c| {
            c.remove("redirect_uris");
        })
        .await;
    assert_eq!(reg["redirect_uris"], tpp.bundle["redirect_uris"]);
}

#[tokio::test]
async fn revoked_directory_entries_are_refused() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let sid = tpp.s("software_id");
    bank.send(
        Request::new("POST", &format!("/directory/software/{sid}/revoke"))
            .bearer(&bank.admin_token),
    )
    .await;
    let r = tpp.post(&bank, &tpp.sign(&tpp.claims(&bank))).await;
    r.assert_error(400, "unapproved_software_statement");
    assert_eq!(
        bank.last_trace("POST", &format!("{P}/register")).await["failed_check"],
        "ssa.status"
    );

    let tpp = Tpp::mint(&bank, json!({})).await;
    let tls = bank.get(&tpp.s("software_jwks_endpoint")).await.json()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "tls")
        .unwrap()
        .clone();
    bank.send(
        Request::new(
            "POST",
            &format!(
                "/directory/certificates/{}/revoke",
                tls["x5t#S256"].as_str().unwrap()
            ),
        )
        .bearer(&bank.admin_token),
    )
    .await;
    let r = tpp.post(&bank, &tpp.sign(&tpp.claims(&bank))).await;
    r.assert_error(400, "invalid_client_metadata");
    assert_eq!(
        bank.last_trace("POST", &format!("{P}/register")).await["failed_check"],
        "mtls.not_revoked"
    );
}

/// What the OBIE conformance tool sends (spec §5.1, v1.3.1), with the claims older
/// versions (`subject_type`, `token_endpoint_auth_signing_alg`) and the SecureApiGateway fork
/// (`refresh_token`, `authorization_signed_response_alg`) add: a bank must take them all.
fn tool_claims(tpp: &Tpp, bank: &Bank, discovery: &Value) -> Map<String, Value> {
    let mut c = tpp.claims(bank);
    c.insert("scope".into(), "accounts openid".into());
    // It sends those of `code id_token` and `code` that discovery lists.
    let listed = discovery["response_types_supported"].as_array().unwrap();
    let response_types: Vec<Value> = ["code id_token", "code"]
        .into_iter()
        .filter(|t| listed.iter().any(|l| l == t))
        .map(Value::from)
        .collect();
    c.insert("response_types".into(), response_types.into());
    c.insert(
        "request_object_signing_alg".into(),
        discovery["request_object_signing_alg_values_supported"][0].clone(),
    );
    c.insert("subject_type".into(), "public".into());
    c.insert("token_endpoint_auth_signing_alg".into(), "PS256".into());
    c.insert(
        "grant_types".into(),
        json!(["authorization_code", "client_credentials", "refresh_token"]),
    );
    c.insert("authorization_signed_response_alg".into(), "PS256".into());
    c
}

/// Signs `claims` with `key_pem` (RSA) and `alg`, header `{alg, kid, typ: JWT}`.
fn sign_rsa(claims: &Map<String, Value>, key_pem: &str, alg: &str, kid: &str) -> String {
    let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(key_pem).unwrap();
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    header.set_token_type("JWT");
    let jwk = key.to_jwk_private_key();
    let payload = JwtPayload::from_map(claims.clone()).unwrap();
    match alg {
        "RS256" => {
            jwt::encode_with_signer(&payload, &header, &RS256.signer_from_jwk(&jwk).unwrap())
        }
        _ => jwt::encode_with_signer(&payload, &header, &PS256.signer_from_jwk(&jwk).unwrap()),
    }
    .unwrap()
}

/// The DCR-005 response schema (OBUK v3.2 `OBClientRegistrationResponse1`), as rules.
fn assert_registration_schema(got: &Value) {
    let text = |k: &str| {
        got[k]
            .as_str()
            .unwrap_or_else(|| panic!("DCR-005: {k} is not a string"))
    };
    let client_id = text("client_id");
    assert!(
        (1..=36).contains(&client_id.len()),
        "DCR-005: client_id length"
    );
    assert!(
        got["client_id_issued_at"].is_i64(),
        "DCR-005: client_id_issued_at"
    );
    assert!(
        [
            "private_key_jwt",
            "client_secret_jwt",
            "client_secret_basic",
            "client_secret_post",
            "tls_client_auth"
        ]
        .contains(&text("token_endpoint_auth_method")),
        "DCR-005: token_endpoint_auth_method"
    );
    for g in got["grant_types"].as_array().unwrap() {
        assert!(
            ["authorization_code", "client_credentials", "refresh_token"]
                .contains(&g.as_str().unwrap()),
            "DCR-005: grant type {g}"
        );
    }
    for t in got["response_types"].as_array().unwrap() {
        assert!(
            ["code", "code id_token"].contains(&t.as_str().unwrap()),
            "DCR-005: response type {t}"
        );
    }
    assert_eq!(text("application_type"), "web", "DCR-005: application_type");
    for alg in ["id_token_signed_response_alg", "request_object_signing_alg"] {
        assert!((1..=5).contains(&text(alg).len()), "DCR-005: {alg}");
    }
    assert!(text("scope").len() <= 256, "DCR-005: scope");
    assert!(
        text("tls_client_auth_subject_dn").len() <= 128,
        "DCR-005: subject DN"
    );
    assert_eq!(
        text("software_statement").split('.').count(),
        3,
        "DCR-005: software_statement"
    );
    for uri in got["redirect_uris"].as_array().unwrap() {
        let uri = uri.as_str().unwrap();
        assert!(
            uri.starts_with("https://") && !uri.contains("localhost"),
            "DCR-005: {uri}"
        );
    }
}

/// The conformance tool against one bank, with the discovery document it read.
struct Tool<'a> {
    bank: &'a Bank,
    tpp: &'a Tpp,
    doc: &'a Value,
    /// The issuer the tool's request objects are addressed to (`aud`).
    aud: String,
}

impl Tool<'_> {
    /// A management call as the tool makes it: over mTLS, with `token` as a bearer or a
    /// raw `Authorization` value; a PUT carries freshly signed claims.
    async fn manage(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        auth: Option<&str>,
    ) -> Resp {
        let mut r = Request::new(method, path).identity(&self.tpp.id);
        if let Some(t) = token {
            r = r.bearer(t);
        }
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        if method == "PUT" {
            let mut claims = tool_claims(self.tpp, self.bank, self.doc);
            claims.insert("aud".into(), self.aud.clone().into());
            let jws = sign_rsa(
                &claims,
                &self.tpp.s("signing_key_pem"),
                "PS256",
                &self.tpp.s("signing_kid"),
            );
            r = r.raw("application/jose", jws);
        }
        self.bank.send(r).await
    }

    /// The status of a management call with the client's access token.
    async fn status(&self, method: &str, path: &str, token: &str) -> u16 {
        self.manage(method, path, Some(token), None).await.status
    }
}

/// The management scenarios of the OBIE DCR conformance tool and its SecureApiGateway fork
/// (DCR-002, 003/010, 005, 007, 008, 009), each on a fresh client from `register`, which
/// returns its configuration path and the token the tool manages it with.
async fn management_scenarios(tool: &Tool<'_>, register: impl AsyncFn() -> (String, String)) {
    // DCR-002: create, token, delete
    let (path, token) = register().await;
    assert_eq!(tool.status("DELETE", &path, &token).await, 204, "DCR-002");
    // DCR-003 / DCR-010: deleted, then GET with the old token
    let (path, token) = register().await;
    assert_eq!(tool.status("DELETE", &path, &token).await, 204);
    assert_eq!(tool.status("GET", &path, &token).await, 401, "DCR-003/010");
    // DCR-005: retrieve, and the answer passes the schema
    let (path, token) = register().await;
    let r = tool.manage("GET", &path, Some(&token), None).await;
    assert_eq!(r.status, 200, "DCR-005");
    assert_registration_schema(&r.json());
    assert_eq!(tool.status("DELETE", &path, &token).await, 204);
    // DCR-007: no usable credentials (empty, bare scheme, unknown token), then clean up
    let (path, token) = register().await;
    for auth in ["Bearer ", "Bearer", "Bearer foobar"] {
        let r = tool.manage("GET", &path, None, Some(auth)).await;
        assert_eq!(r.status, 401, "DCR-007 with {auth:?}");
    }
    assert_eq!(tool.status("DELETE", &path, &token).await, 204);
    // DCR-008: update with fresh claims (the fork also sends client_id)
    let (path, token) = register().await;
    let r = tool.manage("PUT", &path, Some(&token), None).await;
    assert_eq!(
        r.status,
        200,
        "DCR-008: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.json()["client_id"].is_string());
    assert_eq!(tool.status("DELETE", &path, &token).await, 204);
    // DCR-009: update a deleted client
    let (path, token) = register().await;
    assert_eq!(tool.status("DELETE", &path, &token).await, 204);
    assert_eq!(tool.status("PUT", &path, &token).await, 401, "DCR-009");
}

#[tokio::test]
async fn conformance_scenarios_dcr_001_to_013() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let kid = tpp.s("signing_kid");
    let key = tpp.s("signing_key_pem");
    // DCR-001: discovery has an absolute registration_endpoint (fetched without mTLS)
    let doc = bank
        .get(&format!("{P}/.well-known/openid-configuration"))
        .await
        .json();
    let reg_endpoint = doc["registration_endpoint"].as_str().unwrap().to_owned();
    assert!(reg_endpoint.starts_with("https://"), "DCR-001");
    let tool = Tool {
        bank: &bank,
        tpp: &tpp,
        doc: &doc,
        aud: format!("{}{P}", bank.base_url),
    };
    // The tool's choices from discovery (§1.5).
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"][0],
        "tls_client_auth"
    );
    assert_eq!(
        doc["request_object_signing_alg_values_supported"][0],
        "PS256"
    );
    assert!(doc["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("PS256")));
    // Every POST reuses the same SSA, as the tool does (13 in a full run).
    let post = |claims: Map<String, Value>| {
        let jws = sign_rsa(&claims, &key, "PS256", &kid);
        bank.send(
            Request::new("POST", &reg_endpoint)
                .raw("application/jose", jws)
                .header("accept", "application/json")
                .identity(&tpp.id),
        )
    };
    // Register, then client credentials: a fresh client per scenario, like the tool.
    let register = || async {
        let r = post(tool_claims(&tpp, &bank, &doc)).await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json()["client_id"].as_str().unwrap().to_owned();
        let token = tpp.token(&bank, &id).await;
        (format!("{reg_endpoint}/{id}"), token)
    };

    management_scenarios(&tool, register).await;

    // DCR-004: five invalid requests, each 400 with a JSON body
    let mut bad = Vec::new();
    let mut c = tool_claims(&tpp, &bank, &doc);
    c.insert("exp".into(), (now() - 3600).into());
    bad.push(("expired", sign_rsa(&c, &key, "PS256", &kid)));
    for iss in ["foo.is/invalid", "", "123456789012345678901234567890"] {
        let mut c = tool_claims(&tpp, &bank, &doc);
        c.insert("iss".into(), iss.into());
        bad.push(("iss", sign_rsa(&c, &key, "PS256", &kid)));
    }
    let mut c = tool_claims(&tpp, &bank, &doc);
    c.insert("id_token_signed_response_alg".into(), "RS256".into());
    c.insert("token_endpoint_auth_signing_alg".into(), "RS256".into());
    bad.push(("RS256", sign_rsa(&c, &key, "RS256", &kid)));
    for (name, jws) in bad {
        let r = bank
            .send(
                Request::new("POST", &reg_endpoint)
                    .raw("application/jose", jws)
                    .identity(&tpp.id),
            )
            .await;
        assert_eq!(r.status, 400, "DCR-004 {name}");
        assert!(r.json()["error"].is_string(), "DCR-004 {name}: JSON error");
    }
    // The fork's extra DCR-004 case: a redirect URI outside the SSA's
    let mut c = tool_claims(&tpp, &bank, &doc);
    c.insert("redirect_uris".into(), json!(["https://abc.com"]));
    let body = post(c).await.assert_error(400, "invalid_redirect_uri");
    assert!(body["error_description"].as_str().unwrap().contains(
        "invalid registration request redirect_uris value, must match or be a subset of the software_redirect_uris"
    ));
    // DCR-011: invalid response types
    let mut c = tool_claims(&tpp, &bank, &doc);
    c.insert("response_types".into(), json!(["id_token", "token"]));
    let r = post(c).await;
    assert_eq!(r.status, 400, "DCR-011");
    assert!(r.json().is_object(), "DCR-011 body is JSON");
    // DCR-012 (fork): signed by a random RSA key under the registered kid
    let rogue = Tpp::mint(&bank, json!({})).await;
    let forged = sign_rsa(
        &tool_claims(&tpp, &bank, &doc),
        &rogue.s("signing_key_pem"),
        "PS256",
        &kid,
    );
    let r = bank
        .send(
            Request::new("POST", &reg_endpoint)
                .raw("application/jose", forged)
                .identity(&tpp.id),
        )
        .await;
    let body = r.assert_error(400, "invalid_client_metadata");
    assert!(
        body["error_description"].as_str().unwrap().contains(
            "Registration Request JWT is invalid: Expected JWT to have a valid signature"
        ),
        "DCR-012"
    );
    // DCR-013 (fork): an SSA signed by a key the directory does not publish…
    let resigned = Tpp::mint(&bank, json!({"variant": "unknown_signing_key"})).await;
    let body = resigned
        .post(&bank, &resigned.sign(&tool_claims(&resigned, &bank, &doc)))
        .await
        .assert_error(400, "invalid_software_statement");
    assert!(body["error_description"].as_str().unwrap().contains(
        "Registration Request contains an invalid software_statement, Expected JWT to have a valid signature"
    ), "DCR-013 re-signed");
    // …and one with `alg: none` and its signature stripped
    let ssa = tpp.s("software_statement");
    let payload = ssa.split('.').nth(1).unwrap();
    let none = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        r#"{"alg":"none","typ":"JWT"}"#,
    );
    let mut c = tool_claims(&tpp, &bank, &doc);
    c.insert(
        "software_statement".into(),
        format!("{none}.{payload}.").into(),
    );
    let body = post(c)
        .await
        .assert_error(400, "invalid_software_statement");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("software_statement claim is not an encoded JWT"),
        "DCR-013 alg none"
    );
}

#[tokio::test]
async fn the_lenient_profile_relaxes_what_it_says() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let mut c = tpp.claims(&bank);
    c.insert("aud".into(), "anyone".into());
    let r = bank
        .send(
            Request::new("POST", "/obuk-v3.2-lenient/register")
                .raw("application/jose", tpp.sign(&c))
                .identity(&tpp.id),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let trace = bank.last_trace("POST", "/obuk-v3.2-lenient/register").await;
    let aud = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "obuk.request.aud")
        .unwrap();
    assert_eq!(
        (aud["outcome"].as_str(), aud["severity"].as_str()),
        (Some("fail"), Some("warn")),
        "reported, not enforced"
    );
    assert!(
        trace["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "obuk.uris.same_host"),
        "switched off"
    );
}

/// What a profile says is what it enforces: the lenient profile lists RS256 in
/// `request.jws_alg`, so an RS256-signed request verifies and registers; the strict one refuses
/// it at that check, before any signature is looked at.
#[tokio::test]
async fn an_rs256_request_registers_where_the_profile_accepts_rs256() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    for (profile, accepted) in [("obuk-v3.2-lenient", true), ("obuk-v3.2", false)] {
        let mut c = tpp.claims(&bank);
        c.insert("aud".into(), format!("{}/{profile}", bank.base_url).into());
        let jws = sign_rsa(
            &c,
            &tpp.s("signing_key_pem"),
            "RS256",
            &tpp.s("signing_kid"),
        );
        let path = format!("/{profile}/register");
        let r = bank
            .send(
                Request::new("POST", &path)
                    .raw("application/jose", jws)
                    .identity(&tpp.id),
            )
            .await;
        let trace = bank.last_trace("POST", &path).await;
        if accepted {
            assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
            assert_eq!(check_of(&trace, "request.jws_alg")["outcome"], "pass");
            assert_eq!(check_of(&trace, "request.jws_signature")["outcome"], "pass");
        } else {
            r.assert_error(400, "invalid_client_metadata");
            assert_eq!(
                trace["failed_check"], "request.jws_alg",
                "{}",
                trace["checks"]
            );
        }
    }
}

/// The SecureApiGateway fork of the OBIE DCR conformance tool against the Secure API Gateway
/// overlay (`obuk-v3.2-sag`): it reads `registration_access_token` from the 201 and manages
/// the client with it in DCR-002..010; the client-credentials access token still works too.
#[tokio::test]
async fn the_sag_fork_manages_clients_with_the_registration_access_token() {
    const SAG: &str = "/obuk-v3.2-sag";
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let doc = bank
        .get(&format!("{SAG}/.well-known/openid-configuration"))
        .await
        .json();
    let reg_endpoint = doc["registration_endpoint"].as_str().unwrap().to_owned();
    assert_eq!(
        reg_endpoint,
        format!("{}{SAG}/register", bank.base_url),
        "DCR-001"
    );
    let tool = Tool {
        bank: &bank,
        tpp: &tpp,
        doc: &doc,
        aud: format!("{}{SAG}", bank.base_url),
    };
    let register = || async {
        let mut claims = tool_claims(&tpp, &bank, &doc);
        claims.insert("aud".into(), tool.aud.clone().into());
        let jws = sign_rsa(
            &claims,
            &tpp.s("signing_key_pem"),
            "PS256",
            &tpp.s("signing_kid"),
        );
        let r = bank
            .send(
                Request::new("POST", &reg_endpoint)
                    .raw("application/jose", jws)
                    .header("accept", "application/json")
                    .identity(&tpp.id),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json();
        let rat = body["registration_access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("the 201 carries a registration access token: {body}"))
            .to_owned();
        let uri = body["registration_client_uri"].as_str().unwrap().to_owned();
        assert_eq!(
            uri,
            format!("{reg_endpoint}/{}", body["client_id"].as_str().unwrap())
        );
        (uri[bank.base_url.len()..].to_owned(), rat, body)
    };

    management_scenarios(&tool, async || {
        let (path, rat, _) = register().await;
        (path, rat)
    })
    .await;
    // The answer names the credential it accepted.
    let (path, rat, _) = register().await;
    assert_eq!(tool.status("GET", &path, &rat).await, 200);
    let trace = bank.last_trace("GET", &path).await;
    let bearer = check_of(&trace, "obuk.mgmt.bearer");
    assert_eq!(
        bearer["detail"], "an active registration access token",
        "{bearer}"
    );
    // Another client's registration access token: 403, as for an access token.
    let (other_path, other_rat, _) = register().await;
    assert_eq!(tool.status("GET", &path, &other_rat).await, 403);
    assert_eq!(tool.status("DELETE", &other_path, &other_rat).await, 204);
    // The client-credentials access token is accepted as well.
    let id = path.rsplit('/').next().unwrap().to_owned();
    let token = tpp.token_at(&bank, SAG, &id).await;
    assert_eq!(tool.status("GET", &path, &token).await, 200);
    assert_eq!(tool.status("DELETE", &path, &rat).await, 204);
}

/// A jti is used up by the request that succeeds with it, not by one refused for another
/// reason (the replay cache records it up front, so that of two concurrent requests only one
/// passes, and gives it back when the verdict is a refusal).
#[tokio::test]
async fn a_refused_request_does_not_use_up_its_jti() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let mut claims = tpp.claims(&bank);
    claims.insert("jti".into(), mockbank_pki::directory::uuid_v4().into());
    let mut wrong = claims.clone();
    wrong.insert(
        "redirect_uris".into(),
        json!(["https://elsewhere.example/cb"]),
    );
    tpp.post(&bank, &tpp.sign(&wrong))
        .await
        .assert_error(400, "invalid_redirect_uri");
    let r = tpp.post(&bank, &tpp.sign(&claims)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = tpp.post(&bank, &tpp.sign(&claims)).await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let trace = bank.last_trace("POST", &format!("{P}/register")).await;
    assert_eq!(
        trace["failed_check"], "obuk.request.jti",
        "{}",
        trace["checks"]
    );
}

/// Hardening, third round, finding 7: on `obuk-v3.2-sag` the registration access token of a
/// `tls_client_auth` client is bound to the certificate it registered over
/// (`rfc8705.rat.cert_bound`): another organisation's certificate cannot read or delete it.
#[tokio::test]
async fn the_sag_registration_access_token_is_bound_to_the_registering_certificate() {
    const SAG: &str = "/obuk-v3.2-sag";
    let bank = Bank::start();
    let a = Tpp::mint(&bank, json!({})).await;
    let b = Tpp::mint(&bank, json!({"org_name": "Other TPP Ltd"})).await;
    let mut claims = a.claims(&bank);
    claims.insert("aud".into(), format!("{}{SAG}", bank.base_url).into());
    let r = bank
        .send(
            Request::new("POST", &format!("{SAG}/register"))
                .raw("application/jose", a.sign(&claims))
                .identity(&a.id),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let reg = r.json();
    let rat = reg["registration_access_token"].as_str().unwrap();
    let path = format!("{SAG}/register/{}", reg["client_id"].as_str().unwrap());
    for method in ["GET", "DELETE"] {
        let r = bank
            .send(Request::new(method, &path).bearer(rat).identity(&b.id))
            .await;
        r.assert_error(401, "invalid_token");
        let trace = bank.last_trace(method, &path).await;
        assert_eq!(trace["failed_check"], "rfc8705.rat.cert_bound", "{trace}");
    }
    let r = bank
        .send(Request::new("GET", &path).bearer(rat).identity(&a.id))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let trace = bank.last_trace("GET", &path).await;
    assert_eq!(
        check_of(&trace, "rfc8705.rat.cert_bound")["outcome"],
        "pass"
    );
    let r = bank
        .send(Request::new("DELETE", &path).bearer(rat).identity(&a.id))
        .await;
    assert_eq!(r.status, 204);
}
