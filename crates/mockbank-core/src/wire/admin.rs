//! The admin API's wire: profiles as the UI and the reference TPP see them, the check
//! catalogue, clients, the page's bootstrap, leftovers and issued initial access tokens.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::checks::Phase;
use crate::error::ErrorCode;
use crate::profile::DirectorySettings;
pub use crate::profile::{Flavor, ProtectionSummary};
use crate::trace::Severity;

/// A check parameter as the catalogue declares it: its strict default and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ParamSpecView {
    pub name: String,
    pub doc: String,
    pub default: Value,
    /// The accepted values of a parameter that takes one of a list of strings.
    pub options: Option<Vec<String>>,
}

/// A check of a profile; `enabled` is what runs now, `default_enabled` what the profile
/// file says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProfileCheckView {
    pub id: String,
    pub title: String,
    pub spec: String,
    pub phase: Phase,
    pub severity: Severity,
    pub enabled: bool,
    /// False for a check that cannot apply to the profile's request format (a JWS or SSA
    /// check on the JSON `generic` profile): it never runs, and `enabled` is false.
    pub applicable: bool,
    pub default_enabled: bool,
    /// A user override is in place (`enabled` then differs from `default_enabled`).
    pub overridden: bool,
    pub error: ErrorCode,
    pub status: u16,
    /// The effective parameters: the profile's values over the check's defaults.
    pub params: Map<String, Value>,
    /// What each parameter means.
    pub param_specs: Vec<ParamSpecView>,
}

/// `GET /admin/profiles`: one served profile. A list from another mockbank version reads
/// with what it has (what it leaves out takes its default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProfileView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub spec: String,
    pub source: String,
    /// The profile this one's file is an overlay on (`extends = "ID"`), if any.
    pub extends: Option<String>,
    pub issuer: String,
    pub tpp_flavor: Flavor,
    /// What the mock directory mints for this profile's TPPs (its `[directory]` section).
    pub directory: DirectorySettings,
    pub protection: ProtectionSummary,
    pub discovery: Map<String, Value>,
    pub checks: Vec<ProfileCheckView>,
    /// How many checks are overridden.
    pub overrides: usize,
}

/// `GET /admin/checks`: one check of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CatalogueCheck {
    pub id: String,
    pub title: String,
    pub spec: String,
    pub description: String,
    pub phase: Phase,
    pub error: ErrorCode,
    pub params: Vec<ParamSpecView>,
}

/// `GET /admin/clients`: a registered client (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ClientView {
    pub client_id: String,
    pub profile: String,
    pub metadata: Map<String, Value>,
    pub has_secret: bool,
    /// Unix seconds.
    pub client_id_issued_at: i64,
    pub updated_at: i64,
}

/// The command that gets a first 201 from a profile, as it pastes on the server's machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FirstRunHint {
    /// curl for an open JSON profile, else `mockbank tpp register --profile <id> …`.
    pub command: String,
    pub note: String,
}

/// A profile as the page knows it before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BootstrapProfile {
    pub id: String,
    pub title: String,
    pub description: String,
    pub issuer: String,
    pub registration_endpoint: String,
    pub first_run: FirstRunHint,
}

/// Public facts the server writes into the page: nothing that is not public anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Bootstrap {
    pub base_url: String,
    pub ca_url: String,
    /// Where this server keeps its admin token (an absolute path, under its data dir).
    pub admin_token_file: String,
    pub version: String,
    pub profiles: Vec<BootstrapProfile>,
    /// Why a one-time sign-in link was refused, if it was.
    pub login_error: Option<String>,
}

/// `GET /admin/leftovers`: what comparisons, walkthroughs and the first-run buttons left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Leftovers {
    pub clients: usize,
    pub software: usize,
    pub client_ids: Vec<String>,
    pub software_ids: Vec<String>,
}

/// `DELETE /admin/leftovers`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LeftoversCleared {
    pub clients_deleted: usize,
    pub software_deleted: usize,
}

/// `POST /admin/initial-access-tokens`: a token, shown once (RFC 7591 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IssuedInitialAccessToken {
    pub initial_access_token: String,
    pub profile: String,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Null: unlimited.
    pub max_uses: Option<u32>,
}
