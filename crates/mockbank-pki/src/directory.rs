//! The issuing mock directory: its SSA-signing authority, and minting of TPP organisations and
//! software — transport certificate (OBUK-style, or an eIDAS QWAC for STET), signing key and
//! certificate (a QSealC for STET), JWKS and the signed software statement (SSA) — including
//! deliberately broken variants for testing a bank's validations.

mod mint;
mod urls;

use std::path::Path;

use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, Issuer,
    KeyPair, KeyUsagePurpose,
};
use ring::rand::{SecureRandom, SystemRandom};

use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use crate::eidas;
use crate::jose::{self, KeyType, SigningKey};
use crate::{rfc4514, write_private, Ca, PkiError};
use mockbank_core::profile::{CertificateStyle, DirectorySettings};

pub use mint::mint;
pub use mockbank_core::wire::directory::{
    Bundle, CertificateKind, DirectoryStatus, IssuedCertificate, Jwks, MintRequest, Organisation,
    Software, Variant, VariantInfo,
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

/// A new active organisation. Where the profile's directory mints eIDAS certificates, it
/// gets an identifier from the profile's competent authority: `PSD<CC>-<NCA>-<n>` (ETSI TS
/// 119 495 §5.2.1, the NCA id being e.g. `FR-ACPR`).
pub fn new_organisation(org_name: &str, directory: &DirectorySettings, now: i64) -> Organisation {
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
        status: DirectoryStatus::Active,
        organization_identifier,
        nca_id,
        nca_name,
        created_at: now,
    }
}

/// Everything one mint produces.
pub struct Minted {
    /// The credentials bundle of the contract (private keys included).
    pub bundle: Bundle,
    pub org: Organisation,
    /// Public record of the software (what the directory lists and serves).
    pub software: Software,
    pub certificates: Vec<IssuedCertificate>,
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

/// A random UUID v4 (RFC 9562 §5.4), hyphenated in lower case.
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}
