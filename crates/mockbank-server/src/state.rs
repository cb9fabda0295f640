//! Shared server state.

use std::net::SocketAddr;
use std::sync::Arc;

use mockbank_core::{Profile, ProfileSet};
use mockbank_pki::directory::DirectoryAuthority;
use mockbank_pki::Ca;
use mockbank_store::Store;

use crate::events::TraceBus;
use crate::secrets;

pub struct AppState {
    pub profiles: ProfileSet,
    pub store: Store,
    pub bus: TraceBus,
    pub base_url: String,
    /// `Host` values the admin API accepts (DNS-rebinding defence).
    pub allowed_hosts: Vec<String>,
    /// SHA-256 of the admin token.
    pub admin_token_hash: Vec<u8>,
    pub ca: Arc<Ca>,
    /// The mock directory's SSA-signing authority.
    pub directory: Arc<DirectoryAuthority>,
    /// Calls out: JWKS URLs and extension services.
    pub outbound: crate::outbound::Outbound,
}

impl AppState {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        profiles: ProfileSet,
        store: Store,
        bus: TraceBus,
        base_url: String,
        local: SocketAddr,
        admin_token: &str,
        ca: Arc<Ca>,
        directory: Arc<DirectoryAuthority>,
        outbound: crate::outbound::Outbound,
    ) -> Self {
        let port = local.port();
        let mut allowed_hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        let own = match local.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]:{port}"),
            std::net::IpAddr::V4(ip) => format!("{ip}:{port}"),
        };
        if !allowed_hosts.contains(&own) && !local.ip().is_unspecified() {
            allowed_hosts.push(own);
        }
        AppState {
            profiles,
            store,
            bus,
            base_url,
            allowed_hosts,
            admin_token_hash: secrets::hash(admin_token),
            outbound,
            ca,
            directory,
        }
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.get(id)
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
