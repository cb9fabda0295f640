//! The mock directory's wire: organisations, software, the credentials bundle a mint answers,
//! the certificates it issued, and the deliberately broken variants it can mint.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Whether the directory still vouches for an organisation, a software or a certificate
/// (the OBIE directory's `Active`/`Revoked`, which SSAs carry as `org_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum DirectoryStatus {
    #[default]
    Active,
    Revoked,
}

impl DirectoryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryStatus::Active => "Active",
            DirectoryStatus::Revoked => "Revoked",
        }
    }

    pub fn parse(s: &str) -> Option<DirectoryStatus> {
        match s {
            "Active" => Some(DirectoryStatus::Active),
            "Revoked" => Some(DirectoryStatus::Revoked),
            _ => None,
        }
    }

    pub fn is_active(self) -> bool {
        self == DirectoryStatus::Active
    }
}

/// What a certificate the directory issued is for: OBIE's transport and signing, or eIDAS's
/// QWAC and QSealC (ETSI TS 119 495).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CertificateKind {
    Transport,
    Signing,
    Qwac,
    Qseal,
}

impl CertificateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Transport => "transport",
            CertificateKind::Signing => "signing",
            CertificateKind::Qwac => "qwac",
            CertificateKind::Qseal => "qseal",
        }
    }

    /// Whether it authenticates a TLS client (transport or QWAC) rather than signing.
    pub fn is_transport(self) -> bool {
        matches!(self, CertificateKind::Transport | CertificateKind::Qwac)
    }
}

/// The key a minted software signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum KeyType {
    /// RSA-2048, signs PS256.
    #[default]
    Rsa,
    /// EC P-256, signs ES256.
    Ec,
}

impl KeyType {
    pub fn alg(self) -> &'static str {
        match self {
            KeyType::Rsa => "PS256",
            KeyType::Ec => "ES256",
        }
    }
}

/// A deliberately broken credential, for testing that a bank refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
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

    /// What `GET /directory/variants` and a broken bundle say of it.
    pub fn info(self) -> VariantInfo {
        VariantInfo {
            id: self,
            defect: self.defect().to_owned(),
            expected: self.expected().to_owned(),
        }
    }
}

/// A broken variant explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct VariantInfo {
    pub id: Variant,
    pub defect: String,
    /// What a strict bank answers.
    pub expected: String,
}

/// A mint request (the contract's `POST /directory/software` body).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MintRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub org_name: Option<String>,
    /// Mint into an existing organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub org_id: Option<String>,
    pub software_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub key_type: Option<KeyType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub variant: Option<Variant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub software_mode: Option<String>,
    /// The SSA's `iss`; default `OpenBanking Ltd` (a bank may trust another directory name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub ssa_issuer: Option<String>,
}

/// A TPP organisation of the mock directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Organisation {
    pub org_id: String,
    pub org_name: String,
    pub status: DirectoryStatus,
    /// STET: `PSD<CC>-<NCA>-<n>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub organization_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub nca_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub nca_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A minted software's public record: what `GET /directory/software` lists and the
/// directory serves of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Software {
    pub software_id: String,
    pub org_id: String,
    pub software_name: String,
    pub roles: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub software_mode: String,
    pub profile: String,
    pub status: DirectoryStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// The software's JWK set: signing and transport keys.
    pub jwks: Jwks,
    pub signing_kid: String,
    pub transport_subject_dn: String,
    /// The broken variant it is, if it is one.
    pub variant: Option<Variant>,
    pub software_statement: String,
    /// The SSA's claims.
    pub ssa_claims: Map<String, Value>,
}

/// A software's credentials: what minting answers (private keys included). A bundle from
/// elsewhere (`mockbank tpp --bundle`) may leave out what it does not have.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Bundle {
    pub org_id: String,
    pub org_name: String,
    pub software_id: String,
    pub software_name: String,
    pub software_roles: Vec<String>,
    pub profile: String,
    pub software_statement: String,
    pub transport_cert_pem: String,
    pub transport_key_pem: String,
    pub transport_subject_dn: String,
    pub signing_key_pem: String,
    pub signing_kid: String,
    pub signing_alg: String,
    pub signing_cert_pem: String,
    pub software_jwks_endpoint: String,
    pub org_jwks_endpoint: String,
    pub redirect_uris: Vec<String>,
    pub ca_cert_pem: String,
    /// STET: the organisation's `PSD<CC>-<NCA>-<n>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub organization_identifier: Option<String>,
    /// A broken bundle's defect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub variant: Option<VariantInfo>,
}

/// A certificate the directory issued, with its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IssuedCertificate {
    /// `x5t#S256`: base64url SHA-256 of the DER.
    pub thumbprint: String,
    pub kind: CertificateKind,
    pub subject: String,
    pub not_after: String,
    /// Left out where the directory lists certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub pem: Option<String>,
    pub software_id: String,
    pub org_id: String,
    #[serde(default)]
    pub status: DirectoryStatus,
}

/// What the directory can revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum DirectoryKind {
    Organisation,
    Software,
    Certificate,
}

/// The answer to a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Revoked {
    pub id: String,
    pub kind: DirectoryKind,
    pub status: DirectoryStatus,
}

/// A software statement issued anew for a software (`POST /directory/software/{id}/ssa`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IssuedStatement {
    pub software_id: String,
    pub software_statement: String,
}

/// A JWK set (RFC 7517 §5): the keys stay JSON, as JOSE defines them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Jwks {
    pub keys: Vec<Value>,
}
