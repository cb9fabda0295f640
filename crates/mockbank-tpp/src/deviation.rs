//! Named deviations: the mistakes a TPP makes, each defined once, independent of any
//! profile, and translated by the reference client into each profile's request format (or
//! "not applicable" where the format has nothing it could change).

use serde::Serialize;

use crate::{Flavor, ProtectionSummary};
use mockbank_core::profile::{BearerProtection, StatementMode};

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
    RedirectNotInSsa,
    MissingSsa,
    QsealAsQwac,
    MissingPsd2Role,
    NoInitialAccessToken,
    ReusedInitialAccessToken,
}

impl Deviation {
    pub const ALL: [Deviation; 21] = [
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
        Deviation::RedirectNotInSsa,
        Deviation::MissingSsa,
        Deviation::QsealAsQwac,
        Deviation::MissingPsd2Role,
        Deviation::NoInitialAccessToken,
        Deviation::ReusedInitialAccessToken,
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
            Deviation::RedirectNotInSsa => "redirect_not_in_ssa",
            Deviation::MissingSsa => "missing_ssa",
            Deviation::QsealAsQwac => "qseal_as_qwac",
            Deviation::MissingPsd2Role => "missing_psd2_role",
            Deviation::NoInitialAccessToken => "no_initial_access_token",
            Deviation::ReusedInitialAccessToken => "reused_initial_access_token",
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
            Deviation::RedirectNotInSsa => "A redirect URI is registered that the software statement does not list.",
            Deviation::MissingSsa => "The registration carries no software statement although the bank requires one.",
            Deviation::QsealAsQwac => "The TLS client certificate is the organisation's QSealC (a seal for signing) instead of its QWAC.",
            Deviation::MissingPsd2Role => "The QWAC grants the TPP the AISP role only, yet it asks for the PISP scope too.",
            Deviation::NoInitialAccessToken => "The registration is sent without the initial access token the bank requires.",
            Deviation::ReusedInitialAccessToken => "A single-use initial access token is presented a second time; the second answer counts.",
        }
    }

    /// Whether the deviation means anything in a profile of this flavor and protection (as
    /// a mockbank's admin API shows it: `bearer`, `software_statement`): a certificate
    /// deviation needs a profile that authenticates with certificates, a JWS deviation one
    /// that takes signed requests and software statements, a protection deviation a profile
    /// that asks for what it leaves out.
    pub fn applies_to(self, flavor: Flavor, protection: &ProtectionSummary) -> bool {
        use Deviation as D;
        match self {
            D::NoInitialAccessToken | D::ReusedInitialAccessToken => {
                protection.bearer == BearerProtection::Issued
            }
            D::MissingSsa => {
                matches!(flavor, Flavor::Obuk | Flavor::Fapi)
                    || protection.software_statement == StatementMode::Required
            }
            D::RedirectNotInSsa => matches!(flavor, Flavor::Obuk | Flavor::Fapi),
            D::QsealAsQwac | D::MissingPsd2Role => flavor == Flavor::Stet,
            d => d.applies(flavor),
        }
    }

    /// Like [`applies_to`](Self::applies_to) for a profile that does not protect its
    /// registration endpoint.
    pub fn applies(self, flavor: Flavor) -> bool {
        use Deviation as D;
        match self {
            D::RedirectNotInSsa
            | D::MissingSsa
            | D::QsealAsQwac
            | D::MissingPsd2Role
            | D::NoInitialAccessToken
            | D::ReusedInitialAccessToken => self.applies_to(flavor, &ProtectionSummary::default()),
            D::None
            | D::RedirectFragment
            | D::MissingRedirectUris
            | D::UnknownGrantType
            | D::WrongAuthMethod => true,
            D::NoClientCert | D::ForeignCaCert | D::ExpiredCert | D::RevokedSoftware => {
                flavor != Flavor::Generic
            }
            D::TamperedSsa | D::AlgNoneSsa => matches!(flavor, Flavor::Obuk | Flavor::Fapi),
            D::WrongSigningKey | D::Rs256 | D::ExpiredRequest | D::ReplayedJti => {
                flavor == Flavor::Obuk
            }
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
