//! Profiles as data: one TOML file per profile (`profiles/NAME.toml`), loaded and validated
//! against the check registry. A profile is an issuer at `{base_url}/{id}`.

pub mod diff;
mod flavor;
pub(crate) mod load;
mod overlay;
mod schema;

pub use flavor::{Flavor, ProtectionSummary};
pub use load::{builtin_sources, ProfileError, ProfileSet};
pub use schema::*;

use crate::checks::{CheckDef, Params, Phase};
use crate::trace::Severity;
use crate::ErrorCode;

/// A loaded profile: its settings and the checks it runs, in order.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The file stem; also the issuer path segment.
    pub id: String,
    /// The file it came from (for messages).
    pub source: String,
    /// The profile this one's file extends (`extends = "ID"`), if any.
    pub extends: Option<String>,
    /// The effective profile as TOML: the file itself, or for an overlay the merge of the
    /// profile it extends and its own entries (`mockbank profiles show ID --resolved`).
    pub resolved: std::sync::Arc<str>,
    pub settings: ProfileSettings,
    pub checks: Vec<ProfileCheck>,
}

/// One `[[check]]` entry, resolved against the registry.
#[derive(Debug, Clone)]
pub struct ProfileCheck {
    pub def: &'static CheckDef,
    pub params: toml::Table,
    pub severity: Severity,
    pub error: ErrorCode,
    pub status: u16,
    /// Whether the profile file chose `error` or `status` itself (then a check's
    /// member-specific error does not replace it).
    pub error_set: bool,
    /// Whether the check can judge this profile's requests at all (JWS and software
    /// statement checks need a profile that takes them); a check that cannot is never run
    /// and never shown as enabled.
    pub applicable: bool,
    /// The check's spec reference, or the profile's own (`spec =` in its file).
    pub spec: std::borrow::Cow<'static, str>,
    /// Whether the check runs: the profile file's value unless a user override changed it.
    pub enabled: bool,
    /// The profile file's value of `enabled`.
    pub default_enabled: bool,
}

impl ProfileCheck {
    pub fn params(&self) -> Params<'_> {
        Params::new(self.def, &self.params)
    }

    /// Whether it runs: enabled, and applicable to the profile.
    pub fn runs(&self) -> bool {
        self.enabled && self.applicable
    }

    /// Switched on or off at run time, against the profile file.
    pub fn overridden(&self) -> bool {
        self.enabled != self.default_enabled
    }
}

/// A user's run-time switch of one check of one profile (kept apart from the file, which
/// stays the profile's definition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOverride {
    pub profile: String,
    pub check: String,
    pub enabled: bool,
}

impl Profile {
    /// The issuer identifier for this profile under `base_url`.
    pub fn issuer(&self, base_url: &str) -> String {
        format!("{}/{}", base_url.trim_end_matches('/'), self.id)
    }

    /// The enabled checks of the given phases, phase by phase, in profile order within each.
    pub fn checks_for<'a>(&'a self, phases: &'a [Phase]) -> impl Iterator<Item = &'a ProfileCheck> {
        phases.iter().flat_map(move |phase| {
            self.checks
                .iter()
                .filter(move |c| c.runs() && c.def.phase == *phase)
        })
    }

    /// Whether a check this profile runs needs `fact` (see [`crate::checks::Fact`]).
    pub fn needs(&self, fact: crate::checks::Fact) -> bool {
        self.checks
            .iter()
            .any(|c| c.runs() && crate::checks::needs_fact(c, fact))
    }

    /// How the reference TPP registers here: `obuk` for signed requests, `stet` where the
    /// certificate is the identity, `fapi` for JSON that carries a required software
    /// statement over mutual TLS (Open Finance Brasil), else `generic`.
    pub fn tpp_flavor(&self) -> Flavor {
        let settings = &self.settings;
        if settings.registration.format == RequestFormat::Jws {
            Flavor::Obuk
        } else if settings.registration.certificate_binding {
            Flavor::Stet
        } else if settings.protection.software_statement == StatementMode::Required
            && self.runs(crate::checks::MTLS_PRESENT.id)
        {
            Flavor::Fapi
        } else {
            Flavor::Generic
        }
    }

    /// How registration is protected, as the admin API and the reference TPP read it.
    pub fn protection_summary(&self) -> ProtectionSummary {
        let p = &self.settings.protection;
        ProtectionSummary {
            bearer: p.bearer,
            software_statement: p.software_statement,
            signed_request: p.signed_request,
        }
    }

    /// The profile's check `id`, enabled or not.
    pub fn check(&self, id: &str) -> Option<&ProfileCheck> {
        self.checks.iter().find(|c| c.def.id == id)
    }

    /// Whether the profile runs the check `id` (enabled).
    pub fn runs(&self, id: &str) -> bool {
        self.checks.iter().any(|c| c.runs() && c.def.id == id)
    }
}
