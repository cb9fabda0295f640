//! Starting the embedded server: on the contract's default address when it is free, on a
//! port the system picks when it is not (the window shows which).

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

use mockbank_core::ProfileSet;
use mockbank_server::{RunningServer, ServerConfig};

/// `mockbank serve`'s default address.
pub const PREFERRED_LISTEN: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8443));

/// Starts mockbank on `preferred`, or on a free port of the same address when `preferred`
/// is taken (by a `mockbank serve`, or a second window).
pub async fn start(
    data_dir: PathBuf,
    profiles: ProfileSet,
    trace_retention: u64,
    preferred: SocketAddr,
) -> anyhow::Result<RunningServer> {
    let config = |listen| ServerConfig {
        data_dir: data_dir.clone(),
        listen,
        profiles: profiles.clone(),
        trace_retention,
        limits: Default::default(),
        cli_path: None,
        scenarios: None,
        public_url: None,
        hostnames: Vec::new(),
        admin_token: None,
    };
    match mockbank_server::start(config(preferred)).await {
        Err(e) if is_addr_in_use(&e) => {
            let fallback = SocketAddr::new(preferred.ip(), 0);
            tracing::info!(%preferred, "address in use; listening on a free port instead");
            mockbank_server::start(config(fallback)).await
        }
        other => other,
    }
}

/// Whether starting failed because the address is taken (and nothing else).
pub fn is_addr_in_use(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::AddrInUse)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> ProfileSet {
        ProfileSet::builtin().expect("built-in profiles load")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_taken_address_falls_back_to_a_free_port() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let busy = taken.local_addr().expect("addr");
        let dir = tempfile::tempdir().expect("temp dir");

        let running = start(dir.path().join("data"), profiles(), 1000, busy)
            .await
            .expect("starts on another port");
        assert_ne!(running.local_addr.port(), busy.port());
        assert_ne!(running.local_addr.port(), 0);
        assert_eq!(running.local_addr.ip(), busy.ip());
        assert_eq!(
            running.base_url,
            format!("https://127.0.0.1:{}", running.local_addr.port())
        );
        assert!(running.ca_cert_path.is_file());
        running.shutdown().await.expect("clean shutdown");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_free_address_is_used_as_asked() {
        // Find a free port, release it, and ask for exactly that one.
        let free = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port");
        let dir = tempfile::tempdir().expect("temp dir");
        let running = start(dir.path().join("data"), profiles(), 1000, free)
            .await
            .expect("starts");
        assert_eq!(running.local_addr, free);
        running.shutdown().await.expect("clean shutdown");
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A data dir below a regular file cannot be created.
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").expect("write");
        let any_port = SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0);
        let Err(err) = start(file.join("data"), profiles(), 1000, any_port).await else {
            panic!("a data dir below a file must not start");
        };
        assert!(!is_addr_in_use(&err), "{err:#}");
        assert!(format!("{err:#}").contains("data dir"), "{err:#}");
    }
}
