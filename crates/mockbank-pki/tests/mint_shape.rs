//! What a mint produces, with its random parts (ids, keys, signatures, serials, dates)
//! taken out: the keys of the bundle, of the software record and of the SSA's claims in
//! their order, the claims' values, the JWKS members, and each certificate's subject,
//! issuer, validity length and extensions. Compared with `mint-shapes.json` beside this
//! file, so splitting or reworking `mint` cannot change what it hands out unnoticed.
//!
//! `MOCKBANK_BLESS=1 cargo test -p mockbank-pki --test mint_shape` rewrites the file.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mockbank_core::profile::{CertificateStyle, DirectorySettings, SubjectTemplate};
use mockbank_pki::directory::{mint, DirectoryAuthority, MintRequest, Minted, Variant};
use mockbank_pki::Ca;
use serde_json::{json, Map, Value};
use x509_parser::prelude::*;

const NOW: i64 = 1_700_000_000;
const BASE: &str = "https://bank.example:8443";
const GOLDEN: &str = "tests/mint-shapes.json";

/// Random identifiers in `s` replaced by their names.
fn scrub(s: &str, ids: &[(String, &str)]) -> String {
    ids.iter()
        .filter(|(v, _)| !v.is_empty())
        .fold(s.to_owned(), |s, (v, name)| s.replace(v.as_str(), name))
}

fn scrub_value(v: &Value, ids: &[(String, &str)]) -> Value {
    match v {
        Value::String(s) => scrub(s, ids).into(),
        Value::Array(a) => a.iter().map(|x| scrub_value(x, ids)).collect(),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| (k.clone(), scrub_value(x, ids)))
            .collect::<Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

fn keys(v: &Value) -> Value {
    v.as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
        .into()
}

fn jws_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        let part = parts.next().unwrap_or_default();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default())
            .unwrap_or(Value::Null)
    };
    let header = next();
    (header, next())
}

fn pem_der(pem: &str) -> Vec<u8> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("a PEM certificate");
    p.contents
}

fn cert_shape(pem: &str, ids: &[(String, &str)]) -> Value {
    let der = pem_der(pem);
    let (_, cert) = X509Certificate::from_der(&der).expect("a certificate");
    let validity = cert.validity();
    let days = (validity.not_after.timestamp() - validity.not_before.timestamp()) / 86_400;
    let starts_in = (validity.not_before.timestamp()
        - ::time::OffsetDateTime::now_utc().unix_timestamp()) as f64
        / 86_400.0;
    let extensions: Vec<Value> = cert
        .extensions()
        .iter()
        .map(|e| {
            let hex: String = e.value.iter().map(|b| format!("{b:02x}")).collect();
            // Key identifiers depend on the key; everything else is fixed by the request.
            let fixed = !matches!(e.oid.to_id_string().as_str(), "2.5.29.14" | "2.5.29.35");
            json!({"oid": e.oid.to_id_string(), "critical": e.critical, "value": if fixed { hex } else { "<key id>".into() }})
        })
        .collect();
    json!({
        "version": cert.version().0,
        "subject": scrub(&mockbank_pki::rfc4514(cert.subject()), ids),
        "issuer": mockbank_pki::rfc4514(cert.issuer()),
        "signature_algorithm": cert.signature_algorithm.algorithm.to_id_string(),
        "key_algorithm": cert.public_key().algorithm.algorithm.to_id_string(),
        // 16 random bytes (one more where DER needs a leading zero, fewer where they begin with zeros).
        "serial_is_random_128_bits": cert.serial.bits() <= 128 && cert.serial.bits() > 64,
        "days": days,
        "starts_in_days": starts_in.round() as i64,
        "extensions": extensions,
    })
}

/// Everything of a mint but its randomness.
fn shape(m: &Minted) -> Value {
    // The shape is of the JSON the directory answers and stores.
    let bundle = serde_json::to_value(&m.bundle).unwrap();
    let software = serde_json::to_value(&m.software).unwrap();
    let b = &bundle;
    let s = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
    let ids = [
        (s("software_id"), "{software_id}"),
        (s("org_id"), "{org_id}"),
        (s("signing_kid"), "{signing_kid}"),
        (
            m.org.organization_identifier.clone().unwrap_or_default(),
            "{organization_identifier}",
        ),
    ];
    let (header, claims) = jws_parts(&s("software_statement"));
    let mut claims = claims;
    if let Some(jti) = claims.get_mut("jti") {
        assert_eq!(jti.as_str().map(uuid_shaped), Some(true), "jti {jti}");
        *jti = "<uuid v4>".into();
    }
    let mut header = header;
    if header.get("kid").is_some() {
        header["kid"] = "<directory kid>".into();
    }
    let record_claims = software["ssa_claims"].clone();
    let jwks: Vec<Value> = software["jwks"]["keys"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|k| json!({"members": keys(k), "use": k["use"], "kty": k["kty"], "crv": k["crv"], "x5c": k["x5c"].as_array().map(Vec::len)}))
                .collect()
        })
        .unwrap_or_default();
    let mut bundle_scalars = Map::new();
    for (k, v) in b.as_object().into_iter().flatten() {
        if !k.ends_with("_pem") && k != "software_statement" {
            bundle_scalars.insert(k.clone(), scrub_value(v, &ids));
        }
    }
    let mut software_scalars = Map::new();
    for (k, v) in software.as_object().into_iter().flatten() {
        if !matches!(k.as_str(), "jwks" | "software_statement" | "ssa_claims") {
            software_scalars.insert(k.clone(), scrub_value(v, &ids));
        }
    }
    let key_pems = ["transport_key_pem", "signing_key_pem"]
        .map(|k| s(k).lines().next().unwrap_or_default().to_owned());
    json!({
        "bundle_keys": keys(b),
        "bundle": bundle_scalars,
        "key_pems": key_pems,
        "ssa_header": header,
        "ssa_claim_keys": keys(&claims),
        "ssa_claims": scrub_value(&claims, &ids),
        "record_claims_equal_ssa": scrub_value(&record_claims, &ids).as_object().map(|o| {
            let mut o = o.clone();
            o.insert("jti".into(), "<uuid v4>".into());
            Value::Object(o) == scrub_value(&claims, &ids)
        }),
        "software_keys": keys(&software),
        "software": software_scalars,
        "jwks": jwks,
        "org": scrub_value(&serde_json::to_value(&m.org).unwrap_or_default(), &ids),
        "certificates": m.certificates.iter().map(|c| json!({
            "kind": c.kind, "subject": scrub(&c.subject, &ids), "software_id": scrub(&c.software_id, &ids),
            "org_id": scrub(&c.org_id, &ids), "thumbprint_len": c.thumbprint.len(),
            "not_after_is_rfc3339": ::time::OffsetDateTime::parse(&c.not_after, &::time::format_description::well_known::Rfc3339).is_ok(),
            "certificate": cert_shape(c.pem.as_deref().unwrap_or_default(), &ids),
        })).collect::<Vec<_>>(),
        "transport_cert": cert_shape(&s("transport_cert_pem"), &ids),
        "signing_cert": cert_shape(&s("signing_cert_pem"), &ids),
    })
}

fn uuid_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && s.chars()
            .filter(|&c| c != '-')
            .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

fn obuk() -> DirectorySettings {
    DirectorySettings::default()
}

fn stet() -> DirectorySettings {
    DirectorySettings {
        certificates: CertificateStyle::Eidas,
        country: "FR".into(),
        authority_id: "FR-ACPR".into(),
        authority_name: "Autorite de Controle Prudentiel et de Resolution".into(),
        ..DirectorySettings::default()
    }
}

/// OFB's `[directory]`: subject templates, extra SSA claims, its own issuer, an `exp`.
fn ofb() -> DirectorySettings {
    let template = |t: &[&str]| -> SubjectTemplate {
        serde_json::from_value(json!(t)).expect("a subject template")
    };
    let mut ssa_claims = Map::new();
    ssa_claims.insert(
        "software_jwks_uri".into(),
        "{software_jwks_endpoint}".into(),
    );
    ssa_claims.insert("software_environment".into(), "sandbox".into());
    ssa_claims.insert(
        "nested".into(),
        json!({"org": ["{org_id}", 7, "{base_url}/x"]}),
    );
    DirectorySettings {
        country: "BR".into(),
        authority_id: "BCB".into(),
        authority_name: "Banco Central do Brasil".into(),
        roles: ["DADOS", "PAGTO", "CONTA", "CCORR"]
            .map(String::from)
            .to_vec(),
        ssa_issuer: Some("Open Banking Open Banking Brasil sandbox SSA issuer".into()),
        ssa_lifetime: 600,
        ssa_claims,
        transport_subject: template(&[
            "UID={software_id}",
            "2.5.4.97=OFBBR-{org_id}",
            "1.3.6.1.4.1.311.60.2.1.3=BR",
            "2.5.4.15=Private Organization",
            "2.5.4.5=13353236000189",
            "CN={host}",
            "O={org_name}",
            "L=Sao Paulo",
            "ST=SP",
            "C=BR",
        ]),
        signing_subject: template(&[
            "UID={software_id}",
            "2.5.4.97=OFBBR-{org_id}",
            "CN={software_name} signing",
            "O={org_name}",
            "C=BR",
        ]),
        ..DirectorySettings::default()
    }
}

fn cases() -> Vec<(&'static str, DirectorySettings, MintRequest)> {
    let req = |v: Value| -> MintRequest { serde_json::from_value(v).expect("a mint request") };
    let mut cases = vec![
        (
            "obuk_defaults",
            obuk(),
            req(json!({"software_name": "Demo App"})),
        ),
        (
            "obuk_ec_two_uris",
            obuk(),
            req(
                json!({"software_name": "Demo App", "roles": ["CBPII"], "key_type": "EC", "software_mode": "Live",
                       "redirect_uris": ["https://tpp.example.com:8443/cb?x=1", "https://tpp.example.com/other"],
                       "ssa_issuer": "Another Directory", "profile": "obuk-v3.2-sag"}),
            ),
        ),
        (
            "stet",
            stet(),
            req(
                json!({"software_name": "Stet App", "roles": ["AISP", "PISP", "CBPII"], "profile": "stet",
                       "redirect_uris": ["https://app.tpp.example.fr/callback"]}),
            ),
        ),
        (
            "ofb",
            ofb(),
            req(
                json!({"software_name": "Brasil App", "roles": ["DADOS"], "profile": "ofb",
                       "redirect_uris": ["https://app.tpp.example.br/cb"]}),
            ),
        ),
    ];
    for v in Variant::ALL {
        cases.push((
            v.id(),
            obuk(),
            req(json!({"software_name": "Broken", "variant": v.id()})),
        ));
    }
    cases.push((
        "stet_foreign_ca",
        stet(),
        req(json!({"software_name": "Stet", "variant": "foreign_ca_transport_cert"})),
    ));
    cases
}

#[test]
fn what_a_mint_hands_out_keeps_its_shape() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::load_or_create(dir.path()).unwrap();
    let authority = DirectoryAuthority::load_or_create(dir.path(), &ca).unwrap();
    let mut shapes = Map::new();
    for (name, settings, req) in cases() {
        let org = mockbank_pki::directory::new_organisation("Example TPP Ltd", &settings, NOW);
        let minted = mint(&ca, &authority, &req, org, &settings, BASE, NOW)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        shapes.insert(name.to_owned(), shape(&minted));
    }
    let got = serde_json::to_string_pretty(&Value::Object(shapes)).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("MOCKBANK_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let out = std::env::temp_dir().join("mint-shapes.got.json");
        std::fs::write(&out, &got).unwrap();
        panic!(
            "a mint's shape changed: compare {} with {} (MOCKBANK_BLESS=1 to accept)",
            path.display(),
            out.display()
        );
    }
}

#[test]
fn refused_mint_requests_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::load_or_create(dir.path()).unwrap();
    let authority = DirectoryAuthority::load_or_create(dir.path(), &ca).unwrap();
    let settings = obuk();
    let refuse = |v: Value| -> String {
        let req: MintRequest = serde_json::from_value(v).unwrap();
        let org = mockbank_pki::directory::new_organisation("Example TPP Ltd", &settings, NOW);
        match mint(&ca, &authority, &req, org, &settings, BASE, NOW) {
            Ok(_) => panic!("{req:?} was minted"),
            Err(why) => why,
        }
    };
    assert_eq!(
        refuse(json!({"software_name": "x", "roles": []})),
        "`roles` must not be empty"
    );
    assert_eq!(
        refuse(json!({"software_name": "x", "roles": ["ROOT"]})),
        "unknown role `ROOT` (roles of profile obuk-v3.2: AISP, PISP, CBPII)"
    );
    for name in ["", "  ", &"x".repeat(41)] {
        assert_eq!(
            refuse(json!({"software_name": name})),
            "`software_name` must have 1 to 40 characters"
        );
    }
    // Changed: an empty list used to panic (the first URI was indexed) and answer 500.
    assert_eq!(
        refuse(json!({"software_name": "x", "redirect_uris": []})),
        "`redirect_uris` must not be empty"
    );
    // Changed: `[::1]` without a port was taken for a public host by the hand-written split.
    let why = refuse(json!({"software_name": "x", "redirect_uris": ["https://[::1]/cb"]}));
    assert!(
        why.starts_with("redirect URI `https://[::1]/cb` must be an https URL"),
        "{why}"
    );
    let why = refuse(
        json!({"software_name": "x", "redirect_uris": ["https://ok.example/cb", "http://tpp.example/cb"]}),
    );
    assert!(
        why.starts_with(
            "redirect URI `http://tpp.example/cb` must be an https URL on a public host"
        ),
        "{why}"
    );
}
