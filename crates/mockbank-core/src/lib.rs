//! Protocol core of mockbank: profiles, validation checks, traces and protocol errors.
//!
//! Everything here is pure data and functions — no sockets, files, clocks or randomness
//! (the caller passes the time and any generated values in). The PKI, store and HTTP crates
//! depend on this one; it depends on none of them.

pub mod checks;
pub mod client;
pub mod client_auth;
pub mod discovery;
pub mod dn;
pub mod error;
pub mod jwt;
pub mod profile;
pub mod report;
pub mod request;
pub mod scenario;
pub mod signed;
pub mod spec;
pub mod trace;
pub mod wire;

pub use checks::{CheckCx, CheckDef, Phase};
pub use error::{ErrorCode, ProtocolError};
pub use profile::{CheckOverride, Profile, ProfileSet};
pub use trace::{CheckResult, Outcome, OutcomeKind, Trace};

#[cfg(test)]
mod ts_types;
