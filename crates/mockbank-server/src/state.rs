//! Shared server state.

use std::sync::{Arc, RwLock};

use mockbank_core::{CheckOverride, Profile, ProfileSet};
use mockbank_pki::directory::DirectoryAuthority;
use mockbank_pki::Ca;
use mockbank_store::Store;

use crate::events::TraceBus;
use crate::secrets;

pub struct AppState {
    /// The profiles as served: their files with the user's check overrides applied.
    pub profiles: LiveProfiles,
    pub store: Store,
    pub bus: TraceBus,
    pub base_url: String,
    /// `Host` values the admin API accepts (DNS-rebinding defence).
    pub allowed_hosts: Vec<String>,
    /// SHA-256 of the admin token.
    pub admin_token_hash: Vec<u8>,
    pub ca: Arc<Ca>,
    /// The mock directory's SSA-signing authority.
    pub directory: LazyDirectory,
    /// Calls out: JWKS URLs and extension services.
    pub outbound: crate::outbound::Outbound,
    /// How long reading a request body may take.
    pub body_timeout: std::time::Duration,
    /// The data dir (the reference client run by `POST /admin/compare` keeps its state there).
    pub data_dir: std::path::PathBuf,
    /// The admin token itself, for the reference client's own admin calls.
    pub admin_token: String,
    /// The `mockbank` command the first-run page tells users to paste (`None`: `mockbank`).
    pub cli_path: Option<std::path::PathBuf>,
    /// The walkthroughs offered (shipped and the user's own).
    pub scenarios: Vec<mockbank_core::scenario::Scenario>,
    /// Walkthrough runs in progress, by run id (kept in memory; a restart forgets them).
    pub walkthroughs: crate::walkthroughs::Runs,
    /// Seals the secrets of `client_secret_jwt` clients (derived from the CA key).
    pub seal: secrets::Seal,
}

/// What an [`AppState`] is made of, each part named; the state derives the rest (the admin
/// token's hash, the seal of client secrets, the empty set of walkthrough runs).
pub struct Setup {
    /// The profile files, before the user's check overrides.
    pub profiles: ProfileSet,
    pub store: Store,
    pub bus: TraceBus,
    pub base_url: String,
    /// `Host` values the admin API accepts.
    pub allowed_hosts: Vec<String>,
    pub admin_token: String,
    pub ca: Arc<Ca>,
    pub directory: LazyDirectory,
    pub outbound: crate::outbound::Outbound,
    /// How long reading a request body may take.
    pub body_timeout: std::time::Duration,
    pub data_dir: std::path::PathBuf,
    pub cli_path: Option<std::path::PathBuf>,
    pub scenarios: Vec<mockbank_core::scenario::Scenario>,
}

impl AppState {
    pub fn new(setup: Setup) -> Self {
        let Setup {
            profiles,
            store,
            bus,
            base_url,
            allowed_hosts,
            admin_token,
            ca,
            directory,
            outbound,
            body_timeout,
            data_dir,
            cli_path,
            scenarios,
        } = setup;
        AppState {
            profiles: LiveProfiles::new(profiles),
            store,
            bus,
            base_url,
            allowed_hosts,
            admin_token_hash: secrets::hash(&admin_token),
            seal: secrets::Seal::from_key_material(&ca.key_der()),
            outbound,
            ca,
            directory,
            body_timeout,
            data_dir,
            admin_token,
            scenarios,
            walkthroughs: Default::default(),
            cli_path,
        }
    }

    /// The profile `id` as it is now (a later override does not change this copy).
    pub fn profile(&self, id: &str) -> Option<Arc<Profile>> {
        self.profiles.current().get(id).cloned()
    }

    /// The client configuration endpoint of a client (RFC 7592 §2).
    pub fn registration_client_uri(&self, profile: &Profile, client_id: &str) -> String {
        format!(
            "{}/{}/{client_id}",
            profile.issuer(&self.base_url),
            mockbank_core::discovery::REGISTRATION_PATH
        )
    }
}

/// The profiles as loaded from their files, and as served: with the user's run-time check
/// overrides (kept in the store) applied. A request works on the set current when it
/// started; an override takes effect from the next request.
pub struct LiveProfiles {
    files: ProfileSet,
    current: RwLock<Arc<ProfileSet>>,
    /// Serialises override changes: store write and swap happen in the same order.
    pub(crate) updating: tokio::sync::Mutex<()>,
}

impl LiveProfiles {
    pub fn new(files: ProfileSet) -> Self {
        LiveProfiles {
            current: RwLock::new(Arc::new(files.clone())),
            files,
            updating: tokio::sync::Mutex::new(()),
        }
    }

    pub fn current(&self) -> Arc<ProfileSet> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Serves the profile files with `overrides` applied (replacing earlier overrides).
    pub fn apply(&self, overrides: &[CheckOverride]) {
        let set = Arc::new(self.files.with_overrides(overrides));
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = set;
    }

    /// The profiles as they would run with `overrides`, without serving them.
    pub fn preview(&self, overrides: &[CheckOverride]) -> ProfileSet {
        self.files.with_overrides(overrides)
    }
}

/// The directory's SSA-signing authority, once its key exists. At a first start the RSA key
/// is generated on a thread of its own, so the server is ready without waiting for it; only
/// what signs or publishes SSAs waits (a few hundred milliseconds at most, once).
#[derive(Clone)]
pub struct LazyDirectory {
    ready: tokio::sync::watch::Receiver<Option<Result<Arc<DirectoryAuthority>, String>>>,
}

impl LazyDirectory {
    /// An authority that is there already.
    pub fn ready(directory: Arc<DirectoryAuthority>) -> Self {
        let (_tx, ready) = tokio::sync::watch::channel(Some(Ok(directory)));
        LazyDirectory { ready }
    }

    /// Builds the authority on a background thread.
    pub fn spawn(
        build: impl FnOnce() -> Result<DirectoryAuthority, mockbank_pki::PkiError> + Send + 'static,
    ) -> Self {
        let (tx, ready) = tokio::sync::watch::channel(None);
        std::thread::spawn(move || {
            let built = build().map(Arc::new).map_err(|e| {
                tracing::error!(error = %e, "creating the directory's signing key failed");
                e.to_string()
            });
            let _ = tx.send(Some(built));
        });
        LazyDirectory { ready }
    }

    /// The authority, waiting for it while its key is being generated.
    pub async fn get(&self) -> Result<Arc<DirectoryAuthority>, String> {
        let mut rx = self.ready.clone();
        let value = rx
            .wait_for(Option::is_some)
            .await
            .map_err(|_| "the directory's key generation ended without a result".to_owned())?;
        value.clone().unwrap_or_else(|| Err("not ready".to_owned()))
    }
}
