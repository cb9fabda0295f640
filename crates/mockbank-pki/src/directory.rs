//! The issuing mock directory: its SSA-signing authority, and minting of TPP organisations and
//! software — transport certificate (OBUK-style, or an eIDAS QWAC for STET), signing key and
//! certificate (a QSealC for STET), JWKS and the signed software statement (SSA) — including
//! deliberately broken variants for testing a bank's validations.

use std::path::Path;

use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use crate::eidas::{self, Psd2Attributes, PspRole, QcType};
use crate::jose::{self, KeyType, SigningKey};
use crate::{rfc4514, write_private, Ca, PkiError};
use mockbank_core::profile::{
    fill_placeholders, CertificateStyle, DirectorySettings, SubjectTemplate,
};

/// Default `iss` of minted SSAs (the OB directory's).
pub const DEFAULT_SSA_ISSUER: &str = "OpenBanking Ltd";

const KEY_FILE: &str = "directory-key.pem";

/// The directory's SSA-signing key (RSA-2048, PS256), persisted in the data dir.
pub struct DirectoryAuthority {
    key: SigningKey,
    /// The public JWKS, built once.
    jwks: Value,
    pub ssa_issuer: String,
}

impl DirectoryAuthority {
    /// Whether `dir` already holds the signing key (loading it is fast; creating it is an
    /// RSA key generation).
    pub fn exists_in(dir: &Path) -> bool {
        dir.join(KEY_FILE).exists()
    }

    /// Loads the signing key from `dir` or creates it; its certificate is issued by `ca`.
    pub fn load_or_create(dir: &Path, ca: &Ca) -> Result<Self, PkiError> {
        let path = dir.join(KEY_FILE);
        let key = match std::fs::read_to_string(&path) {
            Ok(pem) => SigningKey::from_pem(KeyType::Rsa, &pem).map_err(|e| PkiError::BadCa {
                path: path.display().to_string(),
                why: e.to_string(),
            })?,
            Err(_) => {
                let key = SigningKey::generate(KeyType::Rsa).map_err(jose_err)?;
                write_private(&path, key.private_pem.as_bytes())?;
                key
            }
        };
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "mockbank directory");
        dn.push(DnType::CommonName, "mockbank SSA signing");
        let cert = leaf_cert(
            ca.issuer(),
            &key.private_pem,
            dn,
            Usage::Signing,
            0,
            3650,
            None,
        )?;
        let jwks = json!({"keys": [key.jwk_for("sig", &[&cert.1])]});
        Ok(DirectoryAuthority {
            key,
            jwks,
            ssa_issuer: DEFAULT_SSA_ISSUER.to_owned(),
        })
    }

    pub fn kid(&self) -> &str {
        &self.key.kid
    }

    /// The public JWKS served at `/directory/jwks`.
    pub fn jwks(&self) -> Value {
        self.jwks.clone()
    }

    /// Signs SSA claims (PS256, this key's `kid`).
    pub fn sign_ssa(&self, claims: &Map<String, Value>) -> Result<String, PkiError> {
        self.key.sign(claims, "JWT").map_err(jose_err)
    }
}

fn jose_err(e: jose::JoseError) -> PkiError {
    PkiError::Rcgen(rcgen::Error::CouldNotParseKeyPair).with_context(e.to_string())
}

impl PkiError {
    fn with_context(self, why: String) -> PkiError {
        PkiError::BadCa {
            path: "key".into(),
            why: format!("{why} ({self})"),
        }
    }
}

/// A deliberately broken credential, for testing that a bank refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    ExpiredSsa,
    WrongIssuer,
    UnknownSigningKey,
    AlgNone,
    MissingClaim,
    HttpRedirect,
    LoopbackRedirect,
    MixedRedirectHosts,
    ForeignCaTransportCert,
    ExpiredTransportCert,
}

impl Variant {
    pub const ALL: [Variant; 10] = [
        Variant::ExpiredSsa,
        Variant::WrongIssuer,
        Variant::UnknownSigningKey,
        Variant::AlgNone,
        Variant::MissingClaim,
        Variant::HttpRedirect,
        Variant::LoopbackRedirect,
        Variant::MixedRedirectHosts,
        Variant::ForeignCaTransportCert,
        Variant::ExpiredTransportCert,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Variant::ExpiredSsa => "expired_ssa",
            Variant::WrongIssuer => "wrong_issuer",
            Variant::UnknownSigningKey => "unknown_signing_key",
            Variant::AlgNone => "alg_none",
            Variant::MissingClaim => "missing_claim",
            Variant::HttpRedirect => "http_redirect",
            Variant::LoopbackRedirect => "loopback_redirect",
            Variant::MixedRedirectHosts => "mixed_redirect_hosts",
            Variant::ForeignCaTransportCert => "foreign_ca_transport_cert",
            Variant::ExpiredTransportCert => "expired_transport_cert",
        }
    }

    pub fn parse(id: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.id() == id)
    }

    /// The defect.
    pub fn defect(self) -> &'static str {
        match self {
            Variant::ExpiredSsa => "the SSA was issued two days ago and its `exp` passed yesterday",
            Variant::WrongIssuer => {
                "the SSA's `iss` is `Not OpenBanking`, not the directory's issuer"
            }
            Variant::UnknownSigningKey => {
                "the SSA is signed by a random key that is not in /directory/jwks (same `kid`)"
            }
            Variant::AlgNone => "the SSA is unsigned: `alg: none` and an empty signature",
            Variant::MissingClaim => "the SSA has no `software_id` claim",
            Variant::HttpRedirect => "the SSA's redirect URI uses http://",
            Variant::LoopbackRedirect => "the SSA's redirect URI points at 127.0.0.1",
            Variant::MixedRedirectHosts => "the SSA's redirect URIs are on two different hosts",
            Variant::ForeignCaTransportCert => {
                "the transport certificate is issued by another CA, not the mockbank CA"
            }
            Variant::ExpiredTransportCert => "the transport certificate expired yesterday",
        }
    }

    /// What a strict bank should answer.
    pub fn expected(self) -> &'static str {
        match self {
            Variant::ExpiredSsa | Variant::UnknownSigningKey | Variant::AlgNone | Variant::MissingClaim => {
                "400 invalid_software_statement"
            }
            Variant::WrongIssuer => "400 unapproved_software_statement",
            Variant::HttpRedirect | Variant::LoopbackRedirect => "400 invalid_redirect_uri",
            Variant::MixedRedirectHosts => "400 invalid_software_statement (hostnames differ)",
            Variant::ForeignCaTransportCert | Variant::ExpiredTransportCert => {
                "refused by the mTLS check: 401 invalid_client (400 invalid_client_metadata on OBUK POST/PUT)"
            }
        }
    }
}

/// A mint request (the contract's `POST /directory/software` body).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    #[serde(default)]
    pub org_name: Option<String>,
    /// Mint into an existing organisation.
    #[serde(default)]
    pub org_id: Option<String>,
    pub software_name: String,
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub key_type: Option<KeyType>,
    #[serde(default)]
    pub variant: Option<Variant>,
    #[serde(default)]
    pub software_mode: Option<String>,
    /// The SSA's `iss`; default `OpenBanking Ltd` (a bank may trust another directory name).
    #[serde(default)]
    pub ssa_issuer: Option<String>,
}

/// An organisation as the directory records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub org_id: String,
    pub org_name: String,
    /// `Active` or `Revoked`.
    pub status: String,
    /// STET: `PSD<CC>-<NCA>-<n>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nca_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nca_name: Option<String>,
    pub created_at: i64,
}

impl Organisation {
    /// A new active organisation. Where the profile's directory mints eIDAS certificates, it
    /// gets an identifier from the profile's competent authority: `PSD<CC>-<NCA>-<n>` (ETSI TS
    /// 119 495 §5.2.1, the NCA id being e.g. `FR-ACPR`).
    pub fn new(org_name: &str, directory: &DirectorySettings, now: i64) -> Organisation {
        let org_id = base62(18);
        let (organization_identifier, nca_id, nca_name) =
            if directory.certificates == CertificateStyle::Eidas {
                let n = u64::from_str_radix(&hex(4), 16).unwrap_or(0) % 90_000 + 10_000;
                (
                    Some(format!("PSD{}-{n}", directory.authority_id)),
                    Some(directory.authority_id.clone()),
                    Some(directory.authority_name.clone()),
                )
            } else {
                (None, None, None)
            };
        Organisation {
            org_id,
            org_name: org_name.to_owned(),
            status: "Active".into(),
            organization_identifier,
            nca_id,
            nca_name,
            created_at: now,
        }
    }
}

/// A certificate the directory issued, with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    /// `x5t#S256`: base64url SHA-256 of the DER.
    pub thumbprint: String,
    /// `transport`, `signing`, `qwac`, `qseal`.
    pub kind: String,
    pub subject: String,
    pub not_after: String,
    pub pem: String,
    pub software_id: String,
    pub org_id: String,
}

/// Everything one mint produces.
pub struct Minted {
    /// The credentials bundle of the contract (private keys included).
    pub bundle: Value,
    pub org: Organisation,
    /// Public record of the software (what the directory lists and serves).
    pub software: Value,
    pub certificates: Vec<IssuedCertificate>,
}

/// Mints a software (and its certificates, keys and SSA) into `org`.
pub fn mint(
    ca: &Ca,
    authority: &DirectoryAuthority,
    req: &MintRequest,
    org: Organisation,
    directory: &DirectorySettings,
    base_url: &str,
    now: i64,
) -> Result<Minted, String> {
    let profile = req
        .profile
        .clone()
        .unwrap_or_else(|| "obuk-v3.2".to_owned());
    let eidas = directory.certificates == CertificateStyle::Eidas;
    let country = directory.country.as_str();
    let roles = req.roles.clone().unwrap_or_else(|| {
        // Without roles asked for: the profile's first two (AISP and PISP by default).
        directory.roles.iter().take(2).cloned().collect()
    });
    if roles.is_empty() {
        return Err("`roles` must not be empty".into());
    }
    if let Some(bad) = roles.iter().find(|r| !directory.roles.contains(r)) {
        return Err(format!(
            "unknown role `{bad}` (roles of profile {profile}: {})",
            directory.roles.join(", ")
        ));
    }
    if req.software_name.trim().is_empty() || req.software_name.len() > 40 {
        return Err("`software_name` must have 1 to 40 characters".into());
    }
    let variant = req.variant;
    let mut redirect_uris = req
        .redirect_uris
        .clone()
        .unwrap_or_else(|| vec!["https://tpp.example.com/callback".to_owned()]);
    match variant {
        Some(Variant::HttpRedirect) => {
            redirect_uris = vec!["http://tpp.example.com/callback".into()]
        }
        Some(Variant::LoopbackRedirect) => {
            redirect_uris = vec!["https://127.0.0.1/callback".into()]
        }
        Some(Variant::MixedRedirectHosts) => {
            redirect_uris = vec![
                "https://tpp.example.com/callback".into(),
                "https://other.example.net/callback".into(),
            ]
        }
        _ => {
            for uri in &redirect_uris {
                let ok = url_is_https_public(uri);
                if !ok {
                    return Err(format!(
                        "redirect URI `{uri}` must be an https URL on a public host (use the variant `http_redirect` or `loopback_redirect` to mint a deliberately broken SSA)"
                    ));
                }
            }
        }
    }
    let key_type = req.key_type.unwrap_or(KeyType::Rsa);
    let software_id = base62(22);
    let org_id = org.org_id.clone();
    let software_jwks_endpoint = format!("{base_url}/directory/software/{software_id}/jwks");
    let org_jwks_endpoint = format!("{base_url}/directory/orgs/{org_id}/jwks");

    // Keys: the signing key (RSA or EC) and the transport key (EC P-256).
    let signing = SigningKey::generate(key_type).map_err(|e| e.to_string())?;
    let transport = SigningKey::generate(KeyType::Ec).map_err(|e| e.to_string())?;

    // Certificates.
    let foreign_ca;
    let transport_issuer = if variant == Some(Variant::ForeignCaTransportCert) {
        foreign_ca = throwaway_ca().map_err(|e| e.to_string())?;
        &foreign_ca
    } else {
        ca.issuer()
    };
    let (t_start, t_days) = if variant == Some(Variant::ExpiredTransportCert) {
        (-30, 29)
    } else {
        (-1, 366)
    };
    let psd2 = eidas.then(|| Psd2Attributes {
        roles: roles
            .iter()
            .filter_map(|r| PspRole::from_directory_role(r))
            .collect(),
        nca_name: org.nca_name.clone().unwrap_or_default(),
        nca_id: org.nca_id.clone().unwrap_or_default(),
    });
    let transport_dn = if eidas {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, country);
        dn.push(DnType::OrganizationName, org.org_name.as_str());
        dn.push(
            DnType::CustomDnType(eidas::ORGANIZATION_IDENTIFIER.to_vec()),
            org.organization_identifier.clone().unwrap_or_default(),
        );
        dn.push(
            DnType::CommonName,
            host_of(&redirect_uris[0]).unwrap_or("tpp.example.com"),
        );
        dn
    } else {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, country);
        dn.push(DnType::OrganizationName, org.org_name.as_str());
        dn.push(DnType::OrganizationalUnitName, org_id.as_str());
        dn.push(DnType::CommonName, software_id.as_str());
        dn
    };
    let host = host_of(&redirect_uris[0])
        .unwrap_or("tpp.example.com")
        .to_owned();
    let subject_vars = [
        ("software_id", software_id.as_str()),
        ("org_id", org_id.as_str()),
        ("org_name", org.org_name.as_str()),
        ("software_name", req.software_name.as_str()),
        ("country", country),
        ("host", host.as_str()),
        (
            "organization_identifier",
            org.organization_identifier.as_deref().unwrap_or(""),
        ),
    ];
    let transport_dn =
        templated_dn(&directory.transport_subject, &subject_vars).unwrap_or(transport_dn);
    let transport_usage = if eidas { Usage::Qwac } else { Usage::Transport };
    let (transport_pem, transport_der) = leaf_cert(
        transport_issuer,
        &transport.private_pem,
        transport_dn,
        transport_usage,
        t_start,
        t_days,
        psd2.as_ref()
            .map(|p| eidas::qc_statements_der(QcType::Web, p)),
    )
    .map_err(|e| e.to_string())?;
    let signing_dn = {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, country);
        dn.push(DnType::OrganizationName, org.org_name.as_str());
        if let Some(oi) = &org.organization_identifier {
            dn.push(
                DnType::CustomDnType(eidas::ORGANIZATION_IDENTIFIER.to_vec()),
                oi.as_str(),
            );
        } else {
            dn.push(DnType::OrganizationalUnitName, org_id.as_str());
        }
        dn.push(DnType::CommonName, format!("{} signing", req.software_name));
        dn
    };
    let signing_dn = templated_dn(&directory.signing_subject, &subject_vars).unwrap_or(signing_dn);
    let signing_usage = if eidas { Usage::Qseal } else { Usage::Signing };
    let (signing_cert_pem, signing_der) = leaf_cert(
        ca.issuer(),
        &signing.private_pem,
        signing_dn,
        signing_usage,
        -1,
        366,
        psd2.as_ref()
            .map(|p| eidas::qc_statements_der(QcType::Eseal, p)),
    )
    .map_err(|e| e.to_string())?;
    let transport_subject_dn =
        subject_of(&transport_der).ok_or("minted certificate does not parse")?;

    // The software's keys name no `alg` (RFC 7517 §4.4 makes it optional, and a key that names
    // one verifies only that one): which algorithms a TPP may sign with is the bank profile's
    // to say (`request.jws_alg`, `generic.auth_signing_alg.valid`), so one key serves them all.
    let unpinned = |mut jwk: Value| {
        if let Some(o) = jwk.as_object_mut() {
            o.remove("alg");
        }
        jwk
    };
    let jwks = json!({"keys": [
        unpinned(signing.jwk_for("sig", &[&signing_der])),
        unpinned(transport.jwk_for("tls", &[&transport_der])),
    ]});

    // The SSA.
    let mode = req
        .software_mode
        .clone()
        .unwrap_or_else(|| "Test".to_owned());
    let mut claims = Map::new();
    let mut put = |k: &str, v: Value| {
        claims.insert(k.to_owned(), v);
    };
    put(
        "iss",
        req.ssa_issuer
            .clone()
            .or_else(|| directory.ssa_issuer.clone())
            .unwrap_or_else(|| authority.ssa_issuer.clone())
            .into(),
    );
    put("iat", now.into());
    if directory.ssa_lifetime > 0 {
        put("exp", (now + directory.ssa_lifetime as i64).into());
    }
    put("jti", uuid_v4().into());
    put("software_id", software_id.clone().into());
    put("software_client_id", software_id.clone().into());
    put("software_client_name", req.software_name.clone().into());
    put(
        "software_client_description",
        format!("{} (minted by mockbank)", req.software_name).into(),
    );
    put("software_version", "1.0".into());
    put("software_environment", "sandbox".into());
    put("software_mode", mode.clone().into());
    put("software_roles", json!(roles));
    put("software_redirect_uris", json!(redirect_uris));
    put(
        "software_jwks_endpoint",
        software_jwks_endpoint.clone().into(),
    );
    put(
        "software_jwks_revoked_endpoint",
        format!("{base_url}/directory/software/{software_id}/revoked.jwks").into(),
    );
    let site = redirect_uris
        .first()
        .and_then(|u| origin_of(u))
        .unwrap_or_else(|| "https://tpp.example.com".to_owned());
    put("software_client_uri", site.clone().into());
    put("software_logo_uri", format!("{site}/logo.png").into());
    put("software_policy_uri", format!("{site}/policy").into());
    put("software_tos_uri", format!("{site}/tos").into());
    put("org_id", org_id.clone().into());
    put("org_name", org.org_name.clone().into());
    put("org_status", org.status.clone().into());
    put("org_jwks_endpoint", org_jwks_endpoint.clone().into());
    put(
        "org_jwks_revoked_endpoint",
        format!("{base_url}/directory/orgs/{org_id}/revoked.jwks").into(),
    );
    put(
        "org_contacts",
        json!([{"name": "TPP support", "email": "support@tpp.example.com", "type": "Technical"}]),
    );
    put(
        "organisation_competent_authority_claims",
        json!({"authority_id": directory.authority_id, "registration_id": org.organization_identifier.clone().unwrap_or_else(|| org_id.clone()),
               "status": "Active", "authorisations": roles.iter().map(|r| json!({"member_state": country, "roles": [r]})).collect::<Vec<_>>()}),
    );
    let ssa_vars = [
        ("software_id", software_id.as_str()),
        ("org_id", org_id.as_str()),
        ("software_jwks_endpoint", software_jwks_endpoint.as_str()),
        ("org_jwks_endpoint", org_jwks_endpoint.as_str()),
        ("base_url", base_url),
    ];
    for (k, v) in &directory.ssa_claims {
        put(k, filled(v, &ssa_vars));
    }
    let ssa = match variant {
        Some(Variant::ExpiredSsa) => {
            claims.insert("iat".into(), (now - 2 * 86_400).into());
            claims.insert("exp".into(), (now - 86_400).into());
            authority.sign_ssa(&claims).map_err(|e| e.to_string())?
        }
        Some(Variant::WrongIssuer) => {
            claims.insert("iss".into(), "Not OpenBanking".into());
            authority.sign_ssa(&claims).map_err(|e| e.to_string())?
        }
        Some(Variant::UnknownSigningKey) => {
            let rogue = SigningKey::generate(KeyType::Rsa).map_err(|e| e.to_string())?;
            rogue
                .sign_with_header(&claims, "JWT", authority.kid())
                .map_err(|e| e.to_string())?
        }
        Some(Variant::AlgNone) => jose::unsigned(&claims),
        Some(Variant::MissingClaim) => {
            claims.remove("software_id");
            authority.sign_ssa(&claims).map_err(|e| e.to_string())?
        }
        _ => authority.sign_ssa(&claims).map_err(|e| e.to_string())?,
    };

    let ssa_for_record = ssa.clone();
    let mut bundle = json!({
        "org_id": org_id,
        "org_name": org.org_name,
        "software_id": software_id,
        "software_name": req.software_name,
        "software_roles": roles,
        "profile": profile,
        "software_statement": ssa,
        "transport_cert_pem": transport_pem,
        "transport_key_pem": transport.private_pem,
        "transport_subject_dn": transport_subject_dn,
        "signing_key_pem": signing.private_pem,
        "signing_kid": signing.kid,
        "signing_alg": key_type.alg(),
        "signing_cert_pem": signing_cert_pem,
        "software_jwks_endpoint": software_jwks_endpoint,
        "org_jwks_endpoint": org_jwks_endpoint,
        "redirect_uris": redirect_uris,
        "ca_cert_pem": ca.cert_pem(),
    });
    if let Some(oi) = &org.organization_identifier {
        bundle["organization_identifier"] = oi.clone().into();
    }
    if let Some(v) = variant {
        bundle["variant"] = json!({"id": v.id(), "defect": v.defect(), "expected": v.expected()});
    }
    let software = json!({
        "software_id": software_id, "org_id": org_id, "software_name": req.software_name,
        "roles": roles, "redirect_uris": redirect_uris, "software_mode": mode, "profile": profile,
        "status": "Active", "created_at": now, "jwks": jwks, "signing_kid": signing.kid,
        "transport_subject_dn": transport_subject_dn, "variant": variant.map(Variant::id),
        "software_statement": ssa_for_record, "ssa_claims": claims,
    });
    let cert = |kind: &str, pem: &str, der: &[u8]| IssuedCertificate {
        thumbprint: jose::x5t_s256(der),
        kind: kind.to_owned(),
        subject: subject_of(der).unwrap_or_default(),
        not_after: not_after_of(der).unwrap_or_default(),
        pem: pem.to_owned(),
        software_id: software_id.clone(),
        org_id: org_id.clone(),
    };
    let certificates = vec![
        cert(
            if eidas { "qwac" } else { "transport" },
            &transport_pem,
            &transport_der,
        ),
        cert(
            if eidas { "qseal" } else { "signing" },
            &signing_cert_pem,
            &signing_der,
        ),
    ];
    Ok(Minted {
        bundle,
        org,
        software,
        certificates,
    })
}

/// The subject a profile's `[directory]` template asks for, written in RFC 4514 order
/// (so pushed last attribute first); `None` without a template.
fn templated_dn(template: &SubjectTemplate, vars: &[(&str, &str)]) -> Option<DistinguishedName> {
    if template.is_empty() {
        return None;
    }
    let mut dn = DistinguishedName::new();
    for (oid, value) in template.attributes.iter().rev() {
        let value = fill_placeholders(value, vars);
        let printable = |v: String| match rcgen::string::PrintableString::try_from(v.clone()) {
            Ok(p) => DnValue::PrintableString(p),
            Err(_) => DnValue::Utf8String(v),
        };
        match oid.as_str() {
            "2.5.4.3" => dn.push(DnType::CommonName, value),
            "2.5.4.6" => dn.push(DnType::CountryName, printable(value)),
            "2.5.4.10" => dn.push(DnType::OrganizationName, value),
            "2.5.4.11" => dn.push(DnType::OrganizationalUnitName, value),
            "2.5.4.7" => dn.push(DnType::LocalityName, value),
            "2.5.4.8" => dn.push(DnType::StateOrProvinceName, value),
            other => {
                let arcs: Vec<u64> = other.split('.').filter_map(|n| n.parse().ok()).collect();
                // serialNumber and jurisdictionCountryName are PrintableStrings (X.520).
                let v = if matches!(other, "2.5.4.5" | "1.3.6.1.4.1.311.60.2.1.3") {
                    printable(value)
                } else {
                    DnValue::Utf8String(value)
                };
                dn.push(DnType::CustomDnType(arcs), v)
            }
        }
    }
    Some(dn)
}

/// `v` with the placeholders of its strings filled in, at any depth.
fn filled(v: &Value, vars: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => fill_placeholders(s, vars).into(),
        Value::Array(a) => a.iter().map(|x| filled(x, vars)).collect(),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| (k.clone(), filled(x, vars)))
            .collect::<Map<String, Value>>()
            .into(),
        other => other.clone(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Usage {
    Transport,
    Qwac,
    Signing,
    Qseal,
}

/// Issues a leaf certificate for `key_pem` (PKCS#8) under `issuer`; returns (PEM, DER).
fn leaf_cert(
    issuer: &Issuer<'_, KeyPair>,
    key_pem: &str,
    dn: DistinguishedName,
    usage: Usage,
    start_days: i64,
    days: i64,
    qc_statements: Option<Vec<u8>>,
) -> Result<(String, Vec<u8>), PkiError> {
    let key = KeyPair::from_pem(key_pem)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = dn;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&random_bytes(16)));
    let start = OffsetDateTime::now_utc() + Duration::days(start_days);
    params.not_before = start;
    params.not_after = start + Duration::days(days);
    match usage {
        Usage::Transport => {
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
        Usage::Qwac => {
            params.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::ClientAuth,
                ExtendedKeyUsagePurpose::ServerAuth,
            ];
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
        Usage::Signing | Usage::Qseal => {
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
        }
    }
    if let Some(der) = qc_statements {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(eidas::QC_STATEMENTS, der));
    }
    let cert = params.signed_by(&key, issuer)?;
    Ok((cert.pem(), cert.der().to_vec()))
}

fn throwaway_ca() -> Result<Issuer<'static, KeyPair>, PkiError> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "Some Other CA");
    params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    Ok(Issuer::new(params, key))
}

fn subject_of(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(rfc4514(cert.subject()))
}

fn not_after_of(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    cert.validity()
        .not_after
        .to_datetime()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn url_is_https_public(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("https://") else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit_once(':')
        .map_or(rest.split(['/', '?', '#']).next().unwrap_or(""), |(h, _)| h);
    !host.is_empty()
        && host != "localhost"
        && !host.ends_with(".localhost")
        && !host.starts_with("127.")
        && host != "[::1]"
        && !uri.contains('#')
}

fn host_of(uri: &str) -> Option<&str> {
    uri.split_once("://")?
        .1
        .split(['/', ':', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())
}

fn origin_of(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // The OS RNG failing is not recoverable and never caused by a request.
    SystemRandom::new()
        .fill(&mut buf)
        .unwrap_or_else(|_| panic!("the operating system's random source failed"));
    buf
}

fn hex(n: usize) -> String {
    random_bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

/// A random Base62 string (OB identifiers: org_id 18, software_id 22).
pub fn base62(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes(len * 2) {
            // Rejection sampling keeps the distribution uniform.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    out
}

/// A random UUID v4 (RFC 9562 §5.4).
pub fn uuid_v4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
