//! Open Finance Brasil DCR/DCM (`profiles/ofb.toml`) as a Brazilian TPP meets it: directory
//! credentials with the OFB certificate subject, a JSON registration carrying the directory's
//! SSA over mutual TLS, private_key_jwt and tls_client_auth at the token endpoint, RFC 7592
//! management with the registration access token over the same software's certificate, and
//! the negative cases of the OpenID Foundation's Brazil DCR test modules.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::{JwsHeader, PS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{json, Value};

use crate::common::{check_of, mint, Bank, Identity, Request, Resp};

const P: &str = "/ofb";

fn now() -> i64 {
    ::time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims_of(jws: &str) -> Value {
    let payload = jws.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn transport(bundle: &Value) -> Identity {
    Identity {
        cert_pem: bundle["transport_cert_pem"].as_str().unwrap().to_owned(),
        key_pem: bundle["transport_key_pem"].as_str().unwrap().to_owned(),
    }
}

pub async fn mint_ofb(bank: &Bank, extra: Value) -> Value {
    let mut body =
        json!({"org_name": "Fintech Ltda", "software_name": "Agregador", "profile": "ofb"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    mint(bank, body).await
}

/// What a correct OFB TPP registers: the SSA, its software_jwks_uri, its redirect URIs,
/// private_key_jwt with PS256.
pub fn registration(bundle: &Value) -> Value {
    let ssa = bundle["software_statement"].as_str().unwrap();
    let c = claims_of(ssa);
    json!({
        "software_statement": ssa,
        "jwks_uri": c["software_jwks_uri"],
        "redirect_uris": c["software_redirect_uris"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "PS256",
        // OIDC-Reg §2: the hybrid `code id_token` needs `implicit` beside `authorization_code`.
        "grant_types": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
        "response_types": ["code id_token"],
        "scope": "openid accounts payments",
        "id_token_signed_response_alg": "PS256",
        "request_object_signing_alg": "PS256",
        "application_type": "web",
    })
}

async fn register(bank: &Bank, id: &Identity, body: &Value) -> Resp {
    bank.send(
        Request::new("POST", "/ofb/register")
            .identity(id)
            .json(body),
    )
    .await
}

/// The check that decided the last registration.
async fn deciding_check(bank: &Bank) -> String {
    bank.last_trace("POST", &format!("{P}/register")).await["failed_check"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn assertion(bundle: &Value, client_id: &str, aud: &str) -> String {
    let key = RsaKeyPair::from_pem(bundle["signing_key_pem"].as_str().unwrap()).unwrap();
    let signer = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
    let mut header = JwsHeader::new();
    header.set_key_id(bundle["signing_kid"].as_str().unwrap());
    let claims = json!({"iss": client_id, "sub": client_id, "aud": aud, "iat": now(),
                        "exp": now() + 60, "jti": format!("j-{}", now())});
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, &signer).unwrap()
}

#[tokio::test]
async fn discovery_and_directory_credentials_follow_the_ofb_specifications() {
    let bank = Bank::start();
    let d = bank
        .get("/ofb/.well-known/openid-configuration")
        .await
        .json();
    assert_eq!(d["issuer"], format!("{}/ofb", bank.base_url));
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["private_key_jwt", "tls_client_auth"])
    );
    // OFB DCR §6.1 #5: mtls_endpoint_aliases names the token and registration endpoints.
    assert!(d["mtls_endpoint_aliases"]["registration_endpoint"].is_string());
    assert_eq!(
        d["token_endpoint_auth_signing_alg_values_supported"],
        json!(["PS256"])
    );

    let b = mint_ofb(&bank, json!({})).await;
    assert_eq!(
        b["software_roles"],
        json!(["DADOS", "PAGTO"]),
        "the profile's default roles"
    );
    let software_id = b["software_id"].as_str().unwrap();
    let org_id = b["org_id"].as_str().unwrap();
    // The certificate standards' subject: UID = software, organizationIdentifier = OFBBR-org.
    let dn = b["transport_subject_dn"].as_str().unwrap();
    assert!(dn.starts_with(&format!("UID={software_id},")), "{dn}");
    assert_eq!(
        mockbank_core::dn::attribute(dn, "organizationIdentifier"),
        Some(format!("ofbbr-{org_id}").to_lowercase())
    );
    assert_eq!(
        mockbank_core::dn::attribute(dn, "businessCategory").as_deref(),
        Some("private organization")
    );
    assert!(dn.ends_with(",C=BR"), "{dn}");
    let c = claims_of(b["software_statement"].as_str().unwrap());
    assert_eq!(
        c["iss"],
        "Open Banking Open Banking Brasil sandbox SSA issuer"
    );
    assert_eq!(
        c["software_jwks_uri"],
        format!("{}/directory/software/{software_id}/jwks", bank.base_url)
    );
    assert_eq!(c["org_number"], "13353236000189");
    // A role Open Finance Brasil does not know is refused by the directory.
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(&json!({"software_name": "x", "profile": "ofb", "roles": ["AISP"]})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_correct_ofb_tpp_registers_gets_tokens_and_manages_its_client() {
    let bank = Bank::start();
    let b = mint_ofb(&bank, json!({})).await;
    let id = transport(&b);
    let r = register(&bank, &id, &registration(&b)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let reg = r.json();
    let client_id = reg["client_id"].as_str().unwrap().to_owned();
    let rat = reg["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        reg["software_id"], b["software_id"],
        "the SSA's software_id is registered"
    );
    assert!(
        reg.get("client_secret").is_none(),
        "no secret for private_key_jwt"
    );
    let trace = bank.last_trace("POST", "/ofb/register").await;
    for check in [
        "ofb.cert.matches_ssa",
        "ofb.scope.roles",
        "obuk.jwks_by_value",
        "obuk.redirect.subset",
    ] {
        assert_eq!(check_of(&trace, check)["outcome"], "pass", "{check}");
    }

    // private_key_jwt with the keys at the registered jwks_uri (RFC 7523 §2.2).
    let token_endpoint = format!("{}/ofb/token", bank.base_url);
    let form = format!(
        "grant_type=client_credentials&scope=accounts&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={}",
        assertion(&b, &client_id, &token_endpoint)
    );
    let t = bank
        .send(
            Request::new("POST", "/ofb/token")
                .identity(&id)
                .raw("application/x-www-form-urlencoded", form),
        )
        .await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));

    // RFC 7592 with the registration access token, over the software's own certificate.
    let path = format!("/ofb/register/{client_id}");
    let r = bank
        .send(Request::new("GET", &path).bearer(&rat).identity(&id))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let other = mint_ofb(&bank, json!({"software_name": "Outro"})).await;
    let r = bank
        .send(
            Request::new("GET", &path)
                .bearer(&rat)
                .identity(&transport(&other)),
        )
        .await;
    r.assert_error(403, "access_denied");
    let traced = bank.last_trace("GET", &path).await;
    assert_eq!(traced["failed_check"], "ofb.mgmt.same_software");
    let r = bank.send(Request::new("GET", &path).bearer(&rat)).await;
    assert_eq!(r.status, 401, "management without a certificate");

    // An update sends the registration again, with a fresh software statement.
    let ssa = bank
        .send(
            Request::new(
                "POST",
                &format!(
                    "/directory/software/{}/ssa",
                    b["software_id"].as_str().unwrap()
                ),
            )
            .bearer(&bank.admin_token),
        )
        .await
        .json()["software_statement"]
        .clone();
    let mut update = registration(&b);
    update["software_statement"] = ssa;
    update["client_id"] = client_id.clone().into();
    update["scope"] = "openid accounts".into();
    let r = bank
        .send(
            Request::new("PUT", &path)
                .bearer(&rat)
                .identity(&id)
                .json(&update),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["scope"], "openid accounts");
    let r = bank
        .send(Request::new("DELETE", &path).bearer(&rat).identity(&id))
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn tls_client_auth_names_the_certificate_in_the_ofb_dn_format() {
    let bank = Bank::start();
    let b = mint_ofb(&bank, json!({})).await;
    let id = transport(&b);
    let printed = b["transport_subject_dn"].as_str().unwrap();
    let mut body = registration(&b);
    body["token_endpoint_auth_method"] = "tls_client_auth".into();
    body.as_object_mut()
        .unwrap()
        .remove("token_endpoint_auth_signing_alg");
    // organizationIdentifier written as text, not as `2.5.4.97=#<BER hex>` (§7.1.2).
    body["tls_client_auth_subject_dn"] = printed.into();
    register(&bank, &id, &body)
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(deciding_check(&bank).await, "ofb.tls_dn.format");

    let ber = mockbank_core::dn::with_ber_values_for_oids(printed);
    assert!(ber.contains("2.5.4.97=#0C"), "{ber}");
    body["tls_client_auth_subject_dn"] = ber.clone().into();
    let r = register(&bank, &id, &body).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let client_id = r.json()["client_id"].as_str().unwrap().to_owned();
    let t = bank
        .send(Request::new("POST", "/ofb/token").identity(&id).raw(
            "application/x-www-form-urlencoded",
            format!("grant_type=client_credentials&client_id={client_id}&scope=accounts"),
        ))
        .await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));

    // The DN of another certificate is refused even in the right format (with a statement
    // of its own: the first one registered a client).
    body["software_statement"] = fresh_ssa(&bank, b["software_id"].as_str().unwrap()).await;
    let other = mint_ofb(&bank, json!({"software_name": "Outro"})).await;
    body["tls_client_auth_subject_dn"] = mockbank_core::dn::with_ber_values_for_oids(
        other["transport_subject_dn"].as_str().unwrap(),
    )
    .into();
    register(&bank, &id, &body)
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(deciding_check(&bank).await, "obuk.auth_method.tls_dn");
}

#[tokio::test]
async fn the_negative_cases_of_the_brazil_dcr_test_modules_are_refused() {
    let bank = Bank::start();
    let b = mint_ofb(&bank, json!({})).await;
    let id = transport(&b);
    let good = registration(&b);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    let jwks = bank
        .get(
            claims_of(b["software_statement"].as_str().unwrap())["software_jwks_uri"]
                .as_str()
                .unwrap(),
        )
        .await
        .json();
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "jwks by value",
            with(&|v| {
                v.as_object_mut().unwrap().remove("jwks_uri");
                v["jwks"] = jwks.clone();
            }),
            400,
            "invalid_client_metadata",
            "obuk.jwks_by_value",
        ),
        (
            "jwks_uri not the directory's",
            with(&|v| v["jwks_uri"] = "https://tpp.example.com/jwks".into()),
            400,
            "invalid_client_metadata",
            "obuk.jwks_by_value",
        ),
        (
            "redirect URI not in the SSA",
            with(&|v| v["redirect_uris"] = json!(["https://tpp.example.com/other"])),
            400,
            "invalid_redirect_uri",
            "obuk.redirect.subset",
        ),
        (
            "no redirect URIs",
            with(&|v| {
                v.as_object_mut().unwrap().remove("redirect_uris");
            }),
            400,
            "invalid_redirect_uri",
            "generic.redirect.required",
        ),
        (
            "no software statement",
            with(&|v| {
                v.as_object_mut().unwrap().remove("software_statement");
            }),
            400,
            "invalid_software_statement",
            "ssa.present",
        ),
        (
            "a scope the roles do not allow",
            with(&|v| v["scope"] = "openid accounts loans payments customers-business".into()),
            400,
            "invalid_client_metadata",
            "generic.scope.supported",
        ),
        (
            "client_secret_basic",
            with(&|v| v["token_endpoint_auth_method"] = "client_secret_basic".into()),
            400,
            "invalid_client_metadata",
            "generic.auth_method.supported",
        ),
        (
            "ES256 assertions",
            with(&|v| v["token_endpoint_auth_signing_alg"] = "ES256".into()),
            400,
            "invalid_client_metadata",
            "generic.auth_signing_alg.valid",
        ),
        (
            "RS256 ID tokens",
            with(&|v| v["id_token_signed_response_alg"] = "RS256".into()),
            400,
            "invalid_client_metadata",
            "generic.algs.supported",
        ),
    ];
    for (name, body, status, error, check) in cases {
        let r = register(&bank, &id, &body).await;
        assert_eq!(
            (r.status, r.json()["error"].as_str().unwrap_or("")),
            (status, error),
            "{name}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(deciding_check(&bank).await, check, "{name}");
    }

    // Roles: a software with DADOS only may not ask for payments (§7.2).
    let dados = mint_ofb(&bank, json!({"software_name": "Dados", "roles": ["DADOS"]})).await;
    register(&bank, &transport(&dados), &registration(&dados))
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(deciding_check(&bank).await, "ofb.scope.roles");

    // The certificate of another software with this software's statement (§7.1 #13).
    let other = mint_ofb(&bank, json!({"software_name": "Outro"})).await;
    register(&bank, &transport(&other), &good)
        .await
        .assert_error(400, "invalid_software_statement");
    assert_eq!(deciding_check(&bank).await, "ofb.cert.matches_ssa");

    // No client certificate at all (§7.1 #1).
    let r = bank
        .send(Request::new("POST", "/ofb/register").json(&good))
        .await;
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(deciding_check(&bank).await, "mtls.present");

    // A statement older than five minutes (§7.1 #3), and one the directory did not sign (#2).
    for (variant, check) in [
        ("expired_ssa", "ssa.validity"),
        ("unknown_signing_key", "ssa.signature"),
    ] {
        let broken = mint_ofb(
            &bank,
            json!({"software_name": "Quebrado", "variant": variant}),
        )
        .await;
        register(&bank, &transport(&broken), &registration(&broken))
            .await
            .assert_error(400, "invalid_software_statement");
        assert_eq!(deciding_check(&bank).await, check, "{variant}");
    }
}

/// Hardening, third round, finding 14: a registration that asks for no `scope` is granted
/// the scopes of its software's roles and told so (OFB DCR §7.1.1 #3, RFC 7591 §3.2.1), in
/// the 201 and in later reads; and a software statement registers one client only
/// (`ssa.jti_replay`), while an update may present the client's statement again.
#[tokio::test]
async fn no_scope_gets_the_roles_scopes_and_a_replayed_ssa_is_refused() {
    let bank = Bank::start();
    let b = mint_ofb(&bank, json!({})).await;
    let id = transport(&b);
    let mut body = registration(&b);
    body.as_object_mut().unwrap().remove("scope");
    let r = register(&bank, &id, &body).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let reg = r.json();
    let scope = reg["scope"]
        .as_str()
        .expect("the 201 names the granted scope");
    for s in ["openid", "accounts", "payments"] {
        assert!(scope.split(' ').any(|x| x == s), "{s} missing from {scope}");
    }
    let path = format!("/ofb/register/{}", reg["client_id"].as_str().unwrap());
    let rat = reg["registration_access_token"].as_str().unwrap();
    let read = bank
        .send(Request::new("GET", &path).bearer(rat).identity(&id))
        .await;
    assert_eq!(read.json()["scope"], scope);
    // The same statement again: a replay.
    let again = register(&bank, &id, &body).await;
    again.assert_error(400, "invalid_software_statement");
    assert_eq!(deciding_check(&bank).await, "ssa.jti_replay");
    // The client's own update with its statement: fine.
    let mut update = body.clone();
    update["client_id"] = reg["client_id"].clone();
    update["scope"] = "openid accounts".into();
    let r = bank
        .send(
            Request::new("PUT", &path)
                .bearer(rat)
                .identity(&id)
                .json(&update),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// A fresh software statement for an OFB software: a statement registers one client.
pub async fn fresh_ssa(bank: &Bank, software_id: &str) -> Value {
    bank.send(
        Request::new("POST", &format!("/directory/software/{software_id}/ssa"))
            .bearer(&bank.admin_token),
    )
    .await
    .json()["software_statement"]
        .clone()
}
