//! The issuing mock directory: bundles, SSAs that verify with a standard JOSE library,
//! certificates that chain and parse back, broken variants, revocation, the CLI.

use std::process::Command;

use josekit::jwk::Jwk;
use josekit::jws::{ES256, PS256};
use serde_json::{json, Value};
use x509_parser::prelude::*;

use crate::common::{mint, Bank, Identity, Request, BIN};

fn pem_der(pem: &str) -> Vec<u8> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    p.contents
}

/// Verifies a compact JWS with josekit against the JWK of its `kid` in `jwks`.
fn verify(token: &str, jwks: &Value) -> Result<Value, String> {
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            token.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .ok_or("kid not found")?;
    let jwk = Jwk::from_map(key.as_object().unwrap().clone()).map_err(|e| e.to_string())?;
    let payload = match header["alg"].as_str() {
        Some("PS256") => {
            josekit::jwt::decode_with_verifier(token, &PS256.verifier_from_jwk(&jwk).unwrap())
        }
        Some("ES256") => {
            josekit::jwt::decode_with_verifier(token, &ES256.verifier_from_jwk(&jwk).unwrap())
        }
        other => return Err(format!("alg {other:?}")),
    }
    .map_err(|e| e.to_string())?
    .0;
    Ok(Value::Object(payload.claims_set().clone()))
}

/// RFC 4514 from x509-parser's attribute list, written independently of mockbank's code.
fn rfc4514_of(der: &[u8]) -> String {
    let (_, cert) = X509Certificate::from_der(der).unwrap();
    let mut parts: Vec<String> = cert
        .subject()
        .iter_attributes()
        .map(|a| {
            let short = match a.attr_type().to_id_string().as_str() {
                "2.5.4.3" => "CN".to_owned(),
                "2.5.4.11" => "OU".to_owned(),
                "2.5.4.10" => "O".to_owned(),
                "2.5.4.6" => "C".to_owned(),
                other => other.to_owned(),
            };
            format!("{short}={}", a.as_str().unwrap())
        })
        .collect();
    parts.reverse();
    parts.join(",")
}

#[tokio::test]
async fn a_minted_bundle_is_complete_and_everything_verifies() {
    let bank = Bank::start();
    let b = mint(&bank, json!({"org_name": "Example TPP Ltd", "software_name": "Demo App", "roles": ["AISP", "PISP"],
                               "redirect_uris": ["https://tpp.example.com/cb"], "profile": "obuk-v3.2"}))
    .await;
    for key in [
        "org_id",
        "software_id",
        "software_statement",
        "transport_cert_pem",
        "transport_key_pem",
        "transport_subject_dn",
        "signing_key_pem",
        "signing_kid",
        "software_jwks_endpoint",
        "ca_cert_pem",
    ] {
        assert!(
            b[key].as_str().is_some_and(|v| !v.is_empty()),
            "bundle lacks {key}"
        );
    }
    let (org_id, software_id) = (
        b["org_id"].as_str().unwrap(),
        b["software_id"].as_str().unwrap(),
    );
    assert_eq!(org_id.len(), 18);
    assert_eq!(software_id.len(), 22);
    assert!(org_id
        .chars()
        .chain(software_id.chars())
        .all(|c| c.is_ascii_alphanumeric()));
    assert!(b["signing_key_pem"]
        .as_str()
        .unwrap()
        .contains("BEGIN PRIVATE KEY"));
    assert_eq!(b["ca_cert_pem"].as_str().unwrap(), bank.ca_pem);

    // the SSA verifies against /directory/jwks with josekit
    let dir_jwks = bank.get("/directory/jwks").await.json();
    let claims = verify(b["software_statement"].as_str().unwrap(), &dir_jwks).unwrap();
    assert_eq!(claims["iss"], "OpenBanking Ltd");
    assert_eq!(claims["software_id"], software_id);
    assert_eq!(claims["org_id"], org_id);
    assert_eq!(claims["org_name"], "Example TPP Ltd");
    assert_eq!(claims["org_status"], "Active");
    assert_eq!(claims["software_roles"], json!(["AISP", "PISP"]));
    assert_eq!(
        claims["software_redirect_uris"],
        json!(["https://tpp.example.com/cb"])
    );
    assert_eq!(
        claims["software_jwks_endpoint"],
        b["software_jwks_endpoint"]
    );
    for claim in [
        "iat",
        "jti",
        "software_client_id",
        "software_client_name",
        "software_mode",
        "org_jwks_endpoint",
    ] {
        assert!(!claims[claim].is_null(), "SSA lacks {claim}");
    }

    // the software JWKS holds the signing key (sig) and the transport certificate (tls)
    let jwks = bank
        .get(b["software_jwks_endpoint"].as_str().unwrap())
        .await
        .json();
    let sig = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "sig")
        .unwrap();
    assert_eq!(sig["kid"], b["signing_kid"]);
    assert_eq!(sig["kty"], "RSA");
    let tls = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "tls")
        .unwrap();
    let x5c = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        tls["x5c"][0].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(x5c, pem_der(b["transport_cert_pem"].as_str().unwrap()));
    // a request signed with the bundle's key verifies with the published JWKS
    let key = josekit::jwk::alg::rsa::RsaKeyPair::from_pem(b["signing_key_pem"].as_str().unwrap())
        .unwrap();
    let signer = PS256.signer_from_jwk(&key.to_jwk_private_key()).unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_key_id(b["signing_kid"].as_str().unwrap());
    let mut payload = josekit::jwt::JwtPayload::new();
    payload.set_issuer(software_id);
    let signed = josekit::jwt::encode_with_signer(&payload, &header, &signer).unwrap();
    assert_eq!(verify(&signed, &jwks).unwrap()["iss"], software_id);

    // the transport certificate: OBUK subject, the DN string as printed by a parser, chains
    let der = pem_der(b["transport_cert_pem"].as_str().unwrap());
    assert_eq!(
        b["transport_subject_dn"].as_str().unwrap(),
        rfc4514_of(&der)
    );
    assert_eq!(
        b["transport_subject_dn"].as_str().unwrap(),
        format!("CN={software_id},OU={org_id},O=Example TPP Ltd,C=GB")
    );
    let id = Identity {
        cert_pem: b["transport_cert_pem"].as_str().unwrap().into(),
        key_pem: b["transport_key_pem"].as_str().unwrap().into(),
    };
    let r = bank
        .send(Request::new("GET", "/directory/jwks").identity(&id))
        .await;
    assert_eq!(r.status, 200);
    let trace = bank.last_trace("GET", "/directory/jwks").await;
    assert_eq!(trace["profile"], "directory");
    assert!(
        trace["client_cert"]["chain_error"].is_null(),
        "{}",
        trace["client_cert"]
    );
    assert_eq!(trace["client_cert"]["subject"], b["transport_subject_dn"]);

    // the mint itself was traced, with private keys redacted
    let traces = bank.traces(10).await;
    let mint_trace = traces
        .iter()
        .find(|t| t["path"] == "/directory/software")
        .unwrap();
    assert!(mint_trace["response"]["body"]["signing_key_pem"]
        .as_str()
        .unwrap()
        .ends_with("(redacted)"));
    assert!(mint_trace["response"]["body"]["transport_key_pem"]
        .as_str()
        .unwrap()
        .ends_with("(redacted)"));

    // a configurable issuer
    let other_iss = mint(
        &bank,
        json!({"software_name": "Other dir", "ssa_issuer": "Mock Directory Ltd"}),
    )
    .await;
    assert_eq!(
        verify(other_iss["software_statement"].as_str().unwrap(), &dir_jwks).unwrap()["iss"],
        "Mock Directory Ltd"
    );

    // EC signing keys on request
    let ec = mint(&bank, json!({"software_name": "EC App", "key_type": "EC"})).await;
    assert_eq!(ec["signing_alg"], "ES256");
    let jwks = bank
        .get(ec["software_jwks_endpoint"].as_str().unwrap())
        .await
        .json();
    assert_eq!(jwks["keys"][0]["kty"], "EC");
}

#[tokio::test]
async fn stet_software_gets_an_eidas_qwac_and_qseal() {
    let bank = Bank::start();
    let b = mint(&bank, json!({"org_name": "Fintech SAS", "software_name": "Agregateur", "roles": ["AISP", "PISP"], "profile": "stet"})).await;
    let org_identifier = b["organization_identifier"].as_str().unwrap();
    assert!(
        org_identifier.starts_with("PSDFR-ACPR-"),
        "{org_identifier}"
    );
    let der = pem_der(b["transport_cert_pem"].as_str().unwrap());
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    let oi = cert
        .subject()
        .iter_attributes()
        .find(|a| a.attr_type().to_id_string() == "2.5.4.97")
        .unwrap();
    assert_eq!(oi.as_str().unwrap(), org_identifier);
    let qc = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.3")
        .expect("qcStatements");
    let info = mockbank_pki::eidas::read(&der).unwrap();
    assert!(info.qc_compliance);
    assert_eq!(info.qc_types, [mockbank_pki::eidas::QcType::Web]);
    let psd2 = info.psd2.unwrap();
    let roles: Vec<&str> = psd2.roles.iter().map(|r| r.name()).collect();
    assert_eq!(roles, ["PSP_AI", "PSP_PI"]);
    assert_eq!(psd2.nca_id, "FR-ACPR");
    // the raw extension carries the PSD2 statement OID 0.4.0.19495.2 and the role names
    assert!(qc
        .value
        .windows(6)
        .any(|w| w == [0x04, 0x00, 0x81, 0x98, 0x27, 0x02]));
    assert!(qc.value.windows(6).any(|w| w == b"PSP_AI"));
    assert!(
        cert.extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .client_auth
    );
    let qseal =
        mockbank_pki::eidas::read(&pem_der(b["signing_cert_pem"].as_str().unwrap())).unwrap();
    assert_eq!(qseal.qc_types, [mockbank_pki::eidas::QcType::Eseal]);
}

#[tokio::test]
async fn each_broken_variant_has_its_defect() {
    let bank = Bank::start();
    let dir_jwks = bank.get("/directory/jwks").await.json();
    let listed = bank.get("/directory/variants").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 10);
    let claims_of = |ssa: &str| -> Value {
        let payload = ssa.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .unwrap(),
        )
        .unwrap()
    };
    for v in listed.as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let b = mint(
            &bank,
            json!({"software_name": format!("v {id}"), "variant": id}),
        )
        .await;
        assert_eq!(b["variant"]["id"], id);
        assert!(
            b["variant"]["expected"].as_str().unwrap().starts_with('4')
                || b["variant"]["expected"].as_str().unwrap().contains("401")
        );
        let ssa = b["software_statement"].as_str().unwrap();
        let claims = claims_of(ssa);
        let verified = verify(ssa, &dir_jwks);
        let transport = pem_der(b["transport_cert_pem"].as_str().unwrap());
        let (_, cert) = X509Certificate::from_der(&transport).unwrap();
        let id_of = Identity {
            cert_pem: b["transport_cert_pem"].as_str().unwrap().into(),
            key_pem: b["transport_key_pem"].as_str().unwrap().into(),
        };
        match id {
            "expired_ssa" => {
                assert!(verified.is_ok());
                assert!(
                    claims["exp"].as_i64().unwrap() < claims["iat"].as_i64().unwrap() + 2 * 86_400
                );
                assert!(
                    claims["exp"].as_i64().unwrap()
                        < ::time::OffsetDateTime::now_utc().unix_timestamp()
                );
            }
            "wrong_issuer" => {
                assert!(verified.is_ok());
                assert_ne!(claims["iss"], "OpenBanking Ltd");
            }
            "unknown_signing_key" => {
                assert!(verified.is_err(), "must not verify with the directory key")
            }
            "alg_none" => {
                assert!(ssa.ends_with('.'));
                assert!(verified.is_err());
            }
            "missing_claim" => {
                assert!(verified.is_ok());
                assert!(claims.get("software_id").is_none());
            }
            "http_redirect" => assert!(claims["software_redirect_uris"][0]
                .as_str()
                .unwrap()
                .starts_with("http://")),
            "loopback_redirect" => assert!(claims["software_redirect_uris"][0]
                .as_str()
                .unwrap()
                .contains("127.0.0.1")),
            "mixed_redirect_hosts" => {
                let hosts: std::collections::HashSet<_> = claims["software_redirect_uris"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u.as_str().unwrap().split('/').nth(2).unwrap().to_owned())
                    .collect();
                assert!(hosts.len() > 1);
            }
            "foreign_ca_transport_cert" => {
                bank.send(Request::new("GET", "/directory/jwks").identity(&id_of))
                    .await;
                let trace = bank.last_trace("GET", "/directory/jwks").await;
                assert!(trace["client_cert"]["chain_error"]
                    .as_str()
                    .unwrap()
                    .contains("UnknownIssuer"));
            }
            "expired_transport_cert" => {
                assert!(
                    cert.validity().not_after.timestamp()
                        < ::time::OffsetDateTime::now_utc().unix_timestamp()
                );
                bank.send(Request::new("GET", "/directory/jwks").identity(&id_of))
                    .await;
                let trace = bank.last_trace("GET", "/directory/jwks").await;
                assert!(trace["client_cert"]["chain_error"]
                    .as_str()
                    .unwrap()
                    .contains("Expired"));
            }
            other => panic!("untested variant {other}"),
        }
    }
}

#[tokio::test]
async fn minting_needs_the_admin_token_and_valid_input() {
    let bank = Bank::start();
    let r = bank
        .send(Request::new("POST", "/directory/software").json(&json!({"software_name": "x"})))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .header("origin", "https://evil.example")
                .json(&json!({"software_name": "x"})),
        )
        .await;
    r.assert_error(403, "access_denied");
    for bad in [
        json!({"software_name": "x", "roles": ["ROOT"]}),
        json!({"software_name": "x", "redirect_uris": ["http://tpp.example/cb"]}),
        json!({"software_name": "x", "variant": "nope"}),
        json!({"nope": 1}),
        json!({"software_name": ""}),
    ] {
        let r = bank
            .send(
                Request::new("POST", "/directory/software")
                    .bearer(&bank.admin_token)
                    .json(&bad),
            )
            .await;
        r.assert_error(400, "invalid_request");
    }
    assert_eq!(
        bank.traces(20)
            .await
            .iter()
            .filter(|t| t["path"] == "/directory/software")
            .count(),
        7,
        "refusals are traced too"
    );
}

#[tokio::test]
async fn revocation_is_honoured_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::start_in(dir.path(), &[]);
    let b = mint(&bank, json!({"software_name": "Revoke me"})).await;
    let other = mint(
        &bank,
        json!({"software_name": "Same org", "org_id": b["org_id"]}),
    )
    .await;
    assert_eq!(other["org_id"], b["org_id"]);
    let (sid, oid) = (
        b["software_id"].as_str().unwrap(),
        b["org_id"].as_str().unwrap(),
    );
    assert_eq!(
        bank.get(&format!("/directory/orgs/{oid}/jwks"))
            .await
            .json()["keys"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let r = bank
        .send(
            Request::new("POST", &format!("/directory/software/{sid}/revoke"))
                .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(r.status, 200);
    // revoke the other software's transport certificate only
    let tls = bank
        .get(other["software_jwks_endpoint"].as_str().unwrap())
        .await
        .json()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "tls")
        .unwrap()
        .clone();
    let thumb = tls["x5t#S256"].as_str().unwrap();
    let r = bank
        .send(
            Request::new("POST", &format!("/directory/certificates/{thumb}/revoke"))
                .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(bank.stop().success());

    let bank = Bank::start_in(dir.path(), &[]);
    let sw = bank
        .admin_get(&format!("/directory/software/{sid}"))
        .await
        .json();
    assert_eq!(sw["status"], "Revoked");
    assert_eq!(
        bank.get(b["software_jwks_endpoint"].as_str().unwrap())
            .await
            .json()["keys"],
        json!([])
    );
    assert_eq!(
        bank.get(&format!("/directory/software/{sid}/revoked.jwks"))
            .await
            .json()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let other_keys = bank
        .get(other["software_jwks_endpoint"].as_str().unwrap())
        .await
        .json();
    assert_eq!(
        other_keys["keys"].as_array().unwrap().len(),
        1,
        "only the signing key stays active"
    );
    assert_eq!(other_keys["keys"][0]["use"], "sig");
    // a revoked organisation can no longer mint
    let r = bank
        .send(
            Request::new("POST", &format!("/directory/orgs/{oid}/revoke"))
                .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(&json!({"software_name": "x", "org_id": oid})),
        )
        .await;
    r.assert_error(400, "invalid_request");
    let orgs = bank.admin_get("/directory/orgs").await.json();
    assert_eq!(orgs[0]["status"], "Revoked");
    // re-issue gives a fresh iat/jti for an active software
    let sid2 = other["software_id"].as_str().unwrap();
    let r = bank
        .send(
            Request::new("POST", &format!("/directory/software/{sid2}/ssa"))
                .bearer(&bank.admin_token),
        )
        .await;
    assert_eq!(r.status, 200);
    let ssa2 = r.json()["software_statement"].as_str().unwrap().to_owned();
    let dir_jwks = bank.get("/directory/jwks").await.json();
    let (c1, c2) = (
        verify(other["software_statement"].as_str().unwrap(), &dir_jwks).unwrap(),
        verify(&ssa2, &dir_jwks).unwrap(),
    );
    assert_ne!(c1["jti"], c2["jti"]);
    assert_eq!(c1["software_id"], c2["software_id"]);
}

#[tokio::test]
async fn the_cli_writes_a_ready_to_use_bundle() {
    let bank = Bank::start();
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .args([
            "directory",
            "issue",
            "--software-name",
            "CLI App",
            "--role",
            "AISP",
            "--format",
            "conformance-dcr",
            "--data-dir",
        ])
        .arg(&bank.data_dir)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // It says how long the profile accepts the SSA the tool will reuse.
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("accepts this SSA for 30 minutes"), "{said}");
    // The OBIE tool loads RSA keys only: an EC bundle for it is refused up front.
    let ec = Command::new(BIN)
        .args([
            "directory",
            "issue",
            "--software-name",
            "EC App",
            "--key-type",
            "ec",
        ])
        .args(["--format", "conformance-dcr", "--data-dir"])
        .arg(&bank.data_dir)
        .arg("--out")
        .arg(out.path().join("ec"))
        .output()
        .unwrap();
    assert!(!ec.status.success());
    assert!(String::from_utf8_lossy(&ec.stderr).contains("needs an RSA signing key"));
    for file in [
        "transport.pem",
        "transport.key",
        "signing.key",
        "signing.pem",
        "ca.pem",
        "ssa.jwt",
        "jwks.json",
        "bundle.json",
        "conformance-dcr.json",
    ] {
        assert!(out.path().join(file).exists(), "{file} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.path().join("signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("conformance-dcr.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        config["wellknown_endpoint"],
        format!(
            "{}/obuk-v3.2/.well-known/openid-configuration",
            bank.base_url
        )
    );
    assert_eq!(
        config["ssa"],
        std::fs::read_to_string(out.path().join("ssa.jwt")).unwrap()
    );
    assert!(config["private_key"]
        .as_str()
        .unwrap()
        .contains("PRIVATE KEY"));
    let jwks: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("jwks.json")).unwrap())
            .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], config["kid"]);
    let claims = verify(
        config["ssa"].as_str().unwrap(),
        &bank.get("/directory/jwks").await.json(),
    )
    .unwrap();
    assert_eq!(claims["software_roles"], json!(["AISP"]));

    let variants = Command::new(BIN)
        .args(["directory", "variants"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&variants.stdout);
    assert!(text.contains("alg_none") && text.contains("invalid_software_statement"));
    let bad = Command::new(BIN)
        .args([
            "directory",
            "issue",
            "--software-name",
            "x",
            "--variant",
            "nope",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

/// A profile's `[directory]` section says what its TPPs get: here a user's overlay mints
/// German eIDAS credentials with a short-lived SSA, and the directory follows it.
#[tokio::test]
async fn the_profiles_directory_section_decides_what_is_minted() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["generic.toml", "stet.toml", "obuk-v3.2.toml"] {
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("profiles")
                .join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("de-bank.toml"),
        r#"extends = "generic"
title = "A German bank"

[directory]
certificates = "eidas"
country = "DE"
authority_id = "DE-BAFIN"
authority_name = "Bundesanstalt fuer Finanzdienstleistungsaufsicht"
roles = ["PISP", "AISP"]
ssa_lifetime = 300
ssa_claims = { software_environment = "production" }
"#,
    )
    .unwrap();
    let bank = Bank::start_with(&["--profiles", dir.path().to_str().unwrap()]);
    let b = mint(
        &bank,
        json!({"software_name": "de app", "profile": "de-bank"}),
    )
    .await;
    let oi = b["organization_identifier"].as_str().unwrap();
    assert!(oi.starts_with("PSDDE-BAFIN-"), "{oi}");
    let subject = b["transport_subject_dn"].as_str().unwrap();
    assert!(subject.contains("C=DE"), "{subject}");
    let der = pem_der(b["transport_cert_pem"].as_str().unwrap());
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    // A QWAC: the QC statements extension (1.3.6.1.5.5.7.1.3) is there.
    assert!(cert
        .extensions()
        .iter()
        .any(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.3"));
    let claims = mockbank_core::jwt::decode_compact(b["software_statement"].as_str().unwrap())
        .unwrap()
        .1;
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(claims["software_environment"], "production");
    assert_eq!(claims["software_roles"], json!(["PISP", "AISP"]));
    assert_eq!(
        claims["organisation_competent_authority_claims"]["authority_id"],
        "DE-BAFIN"
    );
    // Roles outside the profile's list are refused; OBUK keeps its own.
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(&json!({"software_name": "x", "profile": "de-bank", "roles": ["CBPII"]})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let obuk = mint(
        &bank,
        json!({"software_name": "uk app", "profile": "obuk-v3.2"}),
    )
    .await;
    assert!(obuk.get("organization_identifier").is_none());
    assert!(obuk["transport_subject_dn"]
        .as_str()
        .unwrap()
        .contains("C=GB"));
}
