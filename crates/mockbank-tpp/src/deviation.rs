//! Named deviations: the mistakes a TPP makes, each defined once, independent of any
//! profile, and translated by the reference client into each profile's request format (or
//! "not applicable" where the format has nothing it could change).

use serde::Serialize;

use crate::Flavor;

/// One way to get a registration wrong on purpose (or `None`, the correct request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deviation {
    None,
    NoClientCert,
    ForeignCaCert,
    ExpiredCert,
    RedirectFragment,
    MissingRedirectUris,
    UnknownGrantType,
    WrongAuthMethod,
    WrongSigningKey,
    Rs256,
    ExpiredRequest,
    ReplayedJti,
    TamperedSsa,
    AlgNoneSsa,
    RevokedSoftware,
}

impl Deviation {
    pub const ALL: [Deviation; 15] = [
        Deviation::None,
        Deviation::NoClientCert,
        Deviation::ForeignCaCert,
        Deviation::ExpiredCert,
        Deviation::RedirectFragment,
        Deviation::MissingRedirectUris,
        Deviation::UnknownGrantType,
        Deviation::WrongAuthMethod,
        Deviation::WrongSigningKey,
        Deviation::Rs256,
        Deviation::ExpiredRequest,
        Deviation::ReplayedJti,
        Deviation::TamperedSsa,
        Deviation::AlgNoneSsa,
        Deviation::RevokedSoftware,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Deviation::None => "none",
            Deviation::NoClientCert => "no_client_cert",
            Deviation::ForeignCaCert => "foreign_ca_cert",
            Deviation::ExpiredCert => "expired_cert",
            Deviation::RedirectFragment => "redirect_fragment",
            Deviation::MissingRedirectUris => "missing_redirect_uris",
            Deviation::UnknownGrantType => "unknown_grant_type",
            Deviation::WrongAuthMethod => "wrong_auth_method",
            Deviation::WrongSigningKey => "wrong_signing_key",
            Deviation::Rs256 => "rs256",
            Deviation::ExpiredRequest => "expired_request",
            Deviation::ReplayedJti => "replayed_jti",
            Deviation::TamperedSsa => "tampered_ssa",
            Deviation::AlgNoneSsa => "alg_none_ssa",
            Deviation::RevokedSoftware => "revoked_software",
        }
    }

    pub fn parse(name: &str) -> Option<Deviation> {
        Deviation::ALL.into_iter().find(|d| d.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Deviation::None => "A correct registration: what a well-behaved TPP sends.",
            Deviation::NoClientCert => "The request is sent without a client certificate (no mutual TLS).",
            Deviation::ForeignCaCert => "The transport certificate is issued by a CA the bank does not trust.",
            Deviation::ExpiredCert => "The transport certificate has expired.",
            Deviation::RedirectFragment => "A redirect URI carries a fragment (`#...`), which RFC 6749 §3.1.2 forbids.",
            Deviation::MissingRedirectUris => "`redirect_uris` is left out although the client asks for the authorization code grant.",
            Deviation::UnknownGrantType => "`grant_types` names a grant type the bank does not offer.",
            Deviation::WrongAuthMethod => "`token_endpoint_auth_method` is one the bank's discovery does not list.",
            Deviation::WrongSigningKey => "The request object is signed with a key that is not the software's (same `kid`).",
            Deviation::Rs256 => "The request object is signed with RS256, which FAPI does not allow.",
            Deviation::ExpiredRequest => "The request object's `exp` has passed.",
            Deviation::ReplayedJti => "The same signed request (same `jti`) is sent twice; the second answer counts.",
            Deviation::TamperedSsa => "The software statement's claims were changed after the directory signed it.",
            Deviation::AlgNoneSsa => "The software statement is unsigned (`alg: none`).",
            Deviation::RevokedSoftware => "The software (for STET, the organisation's licence) was revoked in the directory before it registers.",
        }
    }

    /// Whether the deviation means anything in a profile of this flavor: a certificate
    /// deviation needs a profile that authenticates with certificates, a JWS deviation one
    /// that takes signed requests and software statements.
    pub fn applies(self, flavor: Flavor) -> bool {
        use Deviation as D;
        match self {
            D::None
            | D::RedirectFragment
            | D::MissingRedirectUris
            | D::UnknownGrantType
            | D::WrongAuthMethod => true,
            D::NoClientCert | D::ForeignCaCert | D::ExpiredCert | D::RevokedSoftware => {
                flavor != Flavor::Generic
            }
            D::WrongSigningKey
            | D::Rs256
            | D::ExpiredRequest
            | D::ReplayedJti
            | D::TamperedSsa
            | D::AlgNoneSsa => flavor == Flavor::Obuk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for d in Deviation::ALL {
            assert_eq!(Deviation::parse(d.name()), Some(d));
            assert!(seen.insert(d.name()));
            assert!(!d.description().is_empty());
        }
        assert!(Deviation::None.applies(Flavor::Generic));
        assert!(!Deviation::TamperedSsa.applies(Flavor::Stet));
        assert!(Deviation::NoClientCert.applies(Flavor::Stet));
    }
}
