//! What a profile asks of its TPPs, in the terms a TPP acts on: how it registers
//! ([`Flavor`]) and what protects the registration endpoint ([`ProtectionSummary`]).

use serde::{Deserialize, Serialize};

use super::{BearerProtection, StatementMode};

/// How a profile's TPPs register: what they send and which credentials they hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Flavor {
    /// RFC 7591 JSON, no directory credentials, RFC 7592 registration access token.
    #[default]
    Generic,
    /// OBUK: a JWS signed with the software's key, carrying the SSA, over mTLS with the
    /// directory's transport certificate; management with a client-credentials token.
    Obuk,
    /// STET / PSD2: JSON over mTLS with an eIDAS QWAC, which is the client's identity.
    Stet,
    /// FAPI ecosystems such as Open Finance Brasil: JSON carrying the directory's SSA over
    /// mTLS with the software's transport certificate, keys by reference (`jwks_uri`), the
    /// client authentication method the bank's discovery lists first of those the client
    /// knows (`private_key_jwt`, `tls_client_auth`); RFC 7592 management.
    Fapi,
}

impl Flavor {
    pub const ALL: [Flavor; 4] = [Flavor::Generic, Flavor::Obuk, Flavor::Stet, Flavor::Fapi];

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Generic => "generic",
            Flavor::Obuk => "obuk",
            Flavor::Stet => "stet",
            Flavor::Fapi => "fapi",
        }
    }

    pub fn parse(name: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// How a profile protects its registration endpoint, as a TPP needs to know it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProtectionSummary {
    pub bearer: BearerProtection,
    pub software_statement: StatementMode,
    pub signed_request: bool,
}
