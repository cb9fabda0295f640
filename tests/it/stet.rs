//! The `stet` profile: registration authenticated by the eIDAS QWAC alone, certificate-bound
//! tokens, and every certificate and body rule refusing with its code and check.

use serde_json::{json, Value};

use crate::common::{self, identity, Bank, Identity, Request, Resp};

const P: &str = "/stet";

pub(crate) struct Tpp {
    bundle: Value,
    pub(crate) qwac: Identity,
    qseal: Identity,
}

pub(crate) async fn mint(bank: &Bank, extra: Value) -> Tpp {
    let mut body = json!({"org_name": "Fintech SAS", "software_name": "Agregateur", "roles": ["AISP", "PISP"], "profile": "stet"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let bundle = common::mint(bank, &body).await;
    let s = |k: &str| bundle[k].as_str().unwrap().to_owned();
    Tpp {
        qwac: Identity {
            cert_pem: s("transport_cert_pem"),
            key_pem: s("transport_key_pem"),
        },
        qseal: Identity {
            cert_pem: s("signing_cert_pem"),
            key_pem: s("signing_key_pem"),
        },
        bundle,
    }
}

pub(crate) fn registration() -> Value {
    json!({"redirect_uris": ["https://tpp.example.com/callback"], "token_endpoint_auth_method": "tls_client_auth",
           "grant_types": ["authorization_code", "client_credentials", "refresh_token"], "response_types": ["code"],
           "client_name": "Agregateur", "scope": "aisp pisp", "contacts": ["ops@tpp.example.com"]})
}

async fn register(bank: &Bank, id: Option<&Identity>, body: &Value) -> Resp {
    let mut r = Request::new("POST", "/stet/register").json(body);
    if let Some(id) = id {
        r = r.identity(id);
    }
    bank.send(r).await
}

async fn failed_check(bank: &Bank, path: &str) -> String {
    bank.last_trace("POST", path).await["failed_check"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_tpp_registers_with_its_qwac_alone_and_gets_a_bound_token() {
    let bank = Bank::start();
    let tpp = mint(&bank, json!({})).await;
    let oi = tpp.bundle["organization_identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = bank
        .get(&format!("{P}/.well-known/openid-configuration"))
        .await
        .json();
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["tls_client_auth"])
    );
    assert_eq!(
        doc["mtls_endpoint_aliases"]["token_endpoint"],
        doc["token_endpoint"]
    );

    let mut body = registration();
    body["software_statement"] = "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.".into();
    let r = register(&bank, Some(&tpp.qwac), &body).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let reg = r.json();
    assert_eq!(
        reg["provider_legal_id"],
        oi.as_str(),
        "filled from the certificate"
    );
    assert_eq!(
        reg["tls_client_auth_subject_dn"],
        tpp.bundle["transport_subject_dn"]
    );
    assert!(reg.get("client_secret").is_none(), "never a secret");
    assert!(reg["registration_access_token"].is_string());
    let trace = bank.last_trace("POST", &format!("{P}/register")).await;
    assert_eq!(trace["summary"]["fail"], 0, "{}", trace["checks"]);
    let ssa = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "generic.software_statement.ignored")
        .unwrap();
    assert_eq!(ssa["outcome"], "skip");
    assert_eq!(
        trace["client_cert"]["subject"],
        tpp.bundle["transport_subject_dn"]
    );

    let client_id = reg["client_id"].as_str().unwrap();
    fn token<'a>(client_id: &str, id: &'a Identity, scope: &str) -> Request<'a> {
        Request::new("POST", "/stet/token")
            .raw(
                "application/x-www-form-urlencoded",
                format!("grant_type=client_credentials&client_id={client_id}&scope={scope}"),
            )
            .identity(id)
    }
    let r = bank.send(token(client_id, &tpp.qwac, "aisp")).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    // the token is bound to the certificate's thumbprint (RFC 8705 §3), in the SQLite store
    let db = rusqlite::Connection::open(bank.data_dir.join("mockbank.sqlite3")).unwrap();
    let hash = ring_sha256(&access);
    let cnf: String = db
        .query_row("SELECT cnf FROM tokens WHERE hash = ?1", [hash], |r| {
            r.get(0)
        })
        .unwrap();
    let cnf: Value = serde_json::from_str(&cnf).unwrap();
    assert_eq!(cnf["x5t#S256"], trace["client_cert"]["sha256_thumbprint"]);

    // scopes beyond the certificate's roles, another organisation's QWAC, no certificate
    let aisp_only = mint(&bank, json!({"roles": ["AISP"], "org_name": "Other SAS"})).await;
    let r = bank.send(token(client_id, &tpp.qwac, "cbpii")).await;
    r.assert_error(400, "invalid_scope");
    let r = bank.send(token(client_id, &aisp_only.qwac, "aisp")).await;
    r.assert_error(401, "invalid_client");
    let r = bank
        .send(Request::new("POST", "/stet/token").raw(
            "application/x-www-form-urlencoded",
            format!("grant_type=client_credentials&client_id={client_id}"),
        ))
        .await;
    r.assert_error(401, "invalid_client");

    // management needs the RAT and the same organisation's certificate
    let path = format!("{P}/register/{client_id}");
    let rat = reg["registration_access_token"].as_str().unwrap();
    let r = bank
        .send(Request::new("GET", &path).bearer(rat).identity(&tpp.qwac))
        .await;
    assert_eq!(r.status, 200);
    let r = bank
        .send(
            Request::new("GET", &path)
                .bearer(rat)
                .identity(&aisp_only.qwac),
        )
        .await;
    r.assert_error(403, "access_denied");
    assert_eq!(
        bank.last_trace("GET", &path).await["failed_check"],
        "stet.mgmt.same_org"
    );
    let r = bank.send(Request::new("GET", &path).bearer(rat)).await;
    r.assert_error(401, "invalid_client");
    let r = bank
        .send(
            Request::new("DELETE", &path)
                .bearer(rat)
                .identity(&tpp.qwac),
        )
        .await;
    assert_eq!(r.status, 204);
}

fn ring_sha256(s: &str) -> Vec<u8> {
    use std::process::Command;
    // Independent of mockbank's code: sha256 via the system's openssl if present, else python.
    let out = Command::new("python3")
        .args(["-c", "import hashlib,sys; sys.stdout.write(hashlib.sha256(sys.argv[1].encode()).hexdigest())", s])
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn certificate_rules_are_client_authentication() {
    let bank = Bank::start();
    let tpp = mint(&bank, json!({})).await;
    let path = format!("{P}/register");
    let body = registration();

    let r = register(&bank, None, &body).await;
    r.assert_error(401, "invalid_client");
    assert_eq!(failed_check(&bank, &path).await, "mtls.present");

    let foreign = identity("rogue", None, -1, 30);
    register(&bank, Some(&foreign), &body)
        .await
        .assert_error(401, "invalid_client");
    assert_eq!(failed_check(&bank, &path).await, "mtls.trusted");

    let r = register(&bank, Some(&tpp.qseal), &body).await;
    let err = r.assert_error(401, "invalid_client");
    assert!(
        err["error_description"]
            .as_str()
            .unwrap()
            .contains("QSealC"),
        "{err}"
    );
    assert_eq!(failed_check(&bank, &path).await, "stet.cert.qc_type_web");

    let obuk = common::mint(&bank, &json!({"software_name": "UK app"})).await;
    let uk = Identity {
        cert_pem: obuk["transport_cert_pem"].as_str().unwrap().into(),
        key_pem: obuk["transport_key_pem"].as_str().unwrap().into(),
    };
    register(&bank, Some(&uk), &body)
        .await
        .assert_error(401, "invalid_client");
    assert_eq!(failed_check(&bank, &path).await, "stet.cert.qc_compliance");

    for (variant, check) in [
        ("expired_transport_cert", "mtls.trusted"),
        ("foreign_ca_transport_cert", "mtls.trusted"),
    ] {
        let broken = mint(&bank, json!({"variant": variant})).await;
        register(&bank, Some(&broken.qwac), &body)
            .await
            .assert_error(401, "invalid_client");
        assert_eq!(failed_check(&bank, &path).await, check);
    }

    // a revoked licence: authenticated, not permitted
    let revoked = mint(&bank, json!({"org_name": "Revoked SAS"})).await;
    let org = revoked.bundle["org_id"].as_str().unwrap();
    bank.send(
        Request::new("POST", &format!("/directory/orgs/{org}/revoke")).bearer(&bank.admin_token),
    )
    .await;
    register(&bank, Some(&revoked.qwac), &body)
        .await
        .assert_error(403, "access_denied");
    assert_eq!(
        failed_check(&bank, &path).await,
        "stet.directory.licence_active"
    );
}

#[tokio::test]
async fn body_rules_refuse_with_their_codes() {
    let bank = Bank::start();
    let tpp = mint(&bank, json!({"roles": ["AISP"]})).await;
    let path = format!("{P}/register");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = registration();
        b["scope"] = "aisp".into();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            with(&|b| b["token_endpoint_auth_method"] = "client_secret_basic".into()),
            400,
            "invalid_client_metadata",
            "stet.reg.auth_method",
        ),
        (
            with(&|b| {
                b.as_object_mut()
                    .unwrap()
                    .remove("token_endpoint_auth_method");
            }),
            400,
            "invalid_client_metadata",
            "stet.reg.auth_method",
        ),
        (
            with(&|b| b["grant_types"] = json!(["password"])),
            400,
            "invalid_client_metadata",
            "stet.reg.grant_types_allowed",
        ),
        (
            with(&|b| b["scope"] = "aisp pisp".into()),
            400,
            "invalid_client_metadata",
            "stet.reg.scope_matches_roles",
        ),
        (
            with(&|b| b["redirect_uris"] = json!(["http://tpp.example.com/cb"])),
            400,
            "invalid_redirect_uri",
            "generic.redirect.scheme",
        ),
        (
            with(&|b| b["redirect_uris"] = json!(["https://tpp.example.com/cb#f"])),
            400,
            "invalid_redirect_uri",
            "generic.redirect.no_fragment",
        ),
        (
            with(&|b| b["provider_legal_id"] = "PSDFR-ACPR-00000".into()),
            400,
            "invalid_client_metadata",
            "stet.reg.provider_legal_id_matches_cert",
        ),
        (
            with(&|b| b["tls_client_auth_subject_dn"] = "CN=other,O=Other,C=FR".into()),
            400,
            "invalid_client_metadata",
            "stet.reg.subject_dn_matches_cert",
        ),
        (
            with(&|b| b["response_types"] = json!(["token"])),
            400,
            "invalid_client_metadata",
            "generic.response_types.supported",
        ),
    ];
    for (body, status, code, check) in cases {
        register(&bank, Some(&tpp.qwac), &body)
            .await
            .assert_error(status, code);
        assert_eq!(failed_check(&bank, &path).await, check, "{body}");
    }
    // a supplied secret is ignored, never echoed
    let r = register(
        &bank,
        Some(&tpp.qwac),
        &with(&|b| b["client_secret"] = "mine".into()),
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.json().get("client_secret").is_none());
    // the DN is compared as a name
    let dn = tpp.bundle["transport_subject_dn"]
        .as_str()
        .unwrap()
        .replace(',', ", ");
    let r = register(
        &bank,
        Some(&tpp.qwac),
        &with(&|b| b["tls_client_auth_subject_dn"] = dn.clone().into()),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn profile_options_org_id_client_ids_technical_id_and_registration_less_access() {
    let dir = tempfile::tempdir().unwrap();
    let stet = include_str!("../../profiles/stet.toml")
        .replace(
            "client_id_format = \"random\"",
            "client_id_format = \"organization_identifier\"",
        )
        .replace("technical_client_id = false", "technical_client_id = true")
        .replace("registration_less = false", "registration_less = true")
        .replace(
            "params = { allow_several = true }",
            "params = { allow_several = false }",
        );
    std::fs::write(dir.path().join("stet.toml"), stet).unwrap();
    let bank = Bank::start_with(&["--profiles", dir.path().to_str().unwrap()]);
    let tpp = mint(&bank, json!({})).await;
    let oi = tpp.bundle["organization_identifier"].as_str().unwrap();
    let r = register(&bank, Some(&tpp.qwac), &registration()).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let reg = r.json();
    assert_eq!(
        reg["client_id"], oi,
        "the client id is the authorisation number"
    );
    assert!(reg["technical_client_id"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    register(&bank, Some(&tpp.qwac), &registration())
        .await
        .assert_error(400, "invalid_client_metadata");
    assert_eq!(
        failed_check(&bank, "/stet/register").await,
        "stet.reg.duplicate_org"
    );

    // another TPP gets a token without registering: its client id is its authorisation number
    let other = mint(&bank, json!({"org_name": "Unregistered SAS"})).await;
    let other_oi = other.bundle["organization_identifier"].as_str().unwrap();
    let r = bank
        .send(
            Request::new("POST", "/stet/token")
                .raw(
                    "application/x-www-form-urlencoded",
                    format!("grant_type=client_credentials&client_id={other_oi}&scope=aisp"),
                )
                .identity(&other.qwac),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = bank
        .send(
            Request::new("POST", "/stet/token")
                .raw(
                    "application/x-www-form-urlencoded",
                    format!("grant_type=client_credentials&client_id={other_oi}"),
                )
                .identity(&tpp.qwac),
        )
        .await;
    r.assert_error(401, "invalid_client");
}
