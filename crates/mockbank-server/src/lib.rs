//! mockbank's HTTPS server: one rustls listener (client certificates requested, never
//! required at the handshake), the profile endpoints (discovery, registration, management,
//! token), the admin API with its trace stream, and the trace bus every view reads from.

mod admin;
mod admin_api;
mod client_auth;
mod data_dir;
mod events;
mod facts;
mod guards;
mod hooks;
mod http_error;
mod idle;
mod outbound;
mod public;
mod routes;
mod secrets;
pub mod shutdown;
mod state;
mod tls;
mod trace_layer;
mod walkthroughs;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mockbank_core::ProfileSet;
use mockbank_pki::directory::DirectoryAuthority;
use mockbank_pki::{Ca, ChainVerifier};
use mockbank_store::{Store, StoreConfig};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use admin::TraceQuery;
pub use events::TraceBus;
pub use public::{Exposure, PublicUrl};
use state::AppState;

/// File names inside the data dir.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";
/// Where a running server says where it listens (for `mockbank directory issue`); removed
/// at shutdown.
pub const SERVER_FILE: &str = "server.json";

/// How the server is started.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub profiles: ProfileSet,
    pub trace_retention: u64,
    pub limits: ConnectionLimits,
    /// The `mockbank` executable, named in the first-run commands (`None`: `mockbank`).
    pub cli_path: Option<PathBuf>,
    /// The walkthroughs to offer (`None`: the shipped ones).
    pub scenarios: Option<Vec<mockbank_core::scenario::Scenario>>,
    /// The address clients use when it is not the listening one (a container's published
    /// port, a DNS name): issuers, discovery and the server certificate use it.
    pub public_url: Option<PublicUrl>,
    /// Further names the server certificate holds (and the Host values the UI accepts).
    pub hostnames: Vec<String>,
    /// The admin token to use instead of the data dir's (`MOCKBANK_ADMIN_TOKEN`): a CI
    /// service container is given one rather than asked for its own.
    pub admin_token: Option<String>,
}

/// How long a client may take and how many connections are open at once: a connection that
/// stalls halfway through its headers or body is closed, and past the cap new connections
/// wait in the listen backlog (the accept loop backs off) instead of exhausting descriptors.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// TLS handshake.
    pub handshake: Duration,
    /// From the start of a request (or of an idle keep-alive connection) to its last header.
    pub header_read: Duration,
    /// Reading a request body.
    pub body_read: Duration,
    /// Connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            handshake: Duration::from_secs(10),
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// A started server. Dropping it does not stop it: call [`RunningServer::shutdown`].
pub struct RunningServer {
    pub base_url: String,
    pub local_addr: SocketAddr,
    pub ca_cert_path: PathBuf,
    pub admin_token_file: PathBuf,
    pub bus: TraceBus,
    state: Arc<AppState>,
    /// The routes, for in-process admin calls ([`RunningServer::admin_request`]).
    app: axum::Router,
    admin_token: String,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The contract's one-line ready event. Its `ui_url` is `{base_url}/ui/?login=CODE`:
    /// opening it signs that browser in to the UI once (each call mints a new code; the
    /// admin token itself stays out of the line).
    pub fn ready_event(&self) -> Value {
        let profiles: Vec<Value> = self
            .state
            .profiles
            .current()
            .iter()
            .map(|p| json!({"id": p.id, "issuer": p.issuer(&self.base_url)}))
            .collect();
        let ui_url = match std::fs::read_to_string(&self.admin_token_file) {
            Ok(token) => routes::ui::login_link(&self.base_url, token.trim()),
            Err(_) => format!("{}/ui/", self.base_url),
        };
        json!({
            "event": "ready",
            "base_url": self.base_url,
            "ui_url": ui_url,
            "ca_cert": self.ca_cert_path,
            "admin_token_file": self.admin_token_file,
            "profiles": profiles,
        })
    }

    // What an in-process host (the desktop app) reads without going through the admin API:
    // the same data, in the same JSON shapes.

    /// The store the server writes: traces (`traces`, `trace`) and clients.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The answer of `GET /admin/profiles`: every profile with its issuer, discovery
    /// document and checks.
    pub fn profiles(&self) -> Vec<mockbank_core::wire::admin::ProfileView> {
        admin::profile_list(&self.state)
    }

    /// The answer of `GET /admin/clients[?profile=ID]`.
    pub fn clients(
        &self,
        profile: Option<&str>,
    ) -> anyhow::Result<Vec<mockbank_core::wire::admin::ClientView>> {
        Ok(admin::client_list(&self.state.store, profile)?)
    }

    /// The public facts `/ui/` writes into its page (base URL, CA URL, each profile's
    /// issuer and registration endpoint).
    pub fn ui_bootstrap(&self) -> Value {
        routes::ui::bootstrap(&self.state, None)
    }

    /// Calls the admin API (`/admin/...`) or the directory (`/directory/...`) in-process, as
    /// the local admin: the same routes, checks and traces as over HTTPS, without a socket.
    /// Answers the HTTP status and the JSON body (`null` when empty or not JSON).
    pub async fn admin_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        use http_body_util::BodyExt;
        use tower_service::Service;
        anyhow::ensure!(
            path.starts_with("/admin/") || path.starts_with("/directory/"),
            "`{path}` is not an admin or directory path"
        );
        let method = axum::http::Method::from_bytes(method.as_bytes())
            .with_context(|| format!("`{method}` is not an HTTP method"))?;
        let host = self
            .state
            .allowed_hosts
            .first()
            .cloned()
            .unwrap_or_default();
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header(axum::http::header::HOST, host)
            .header(
                axum::http::header::AUTHORIZATION,
                format!("Bearer {}", self.admin_token),
            );
        let body = match body {
            Some(v) => {
                req = req.header(axum::http::header::CONTENT_TYPE, "application/json");
                axum::body::Body::from(serde_json::to_vec(v)?)
            }
            None => axum::body::Body::empty(),
        };
        let resp = self.app.clone().call(req.body(body)?).await?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .context("reading the answer")?
            .to_bytes();
        // A JSON answer as JSON; a text one (a handout, a report) as a string.
        let body = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(_) if bytes.is_empty() => Value::Null,
            Err(_) => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        };
        Ok((status, body))
    }

    /// Stops accepting, lets in-flight requests finish (up to 10 s), closes the store.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        if let Some(dir) = self.admin_token_file.parent() {
            let _ = std::fs::remove_file(dir.join(SERVER_FILE));
        }
        let _ = self.task.await;
        self.state
            .store
            .close()
            .await
            .context("closing the store")?;
        Ok(())
    }
}

/// Binds the listener, prepares the data dir (store, CA, admin token) and starts serving.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let local_addr = listener.local_addr()?;
    let data_dir = data_dir::prepare(&config.data_dir)?;

    let ca = Arc::new(Ca::load_or_create(&data_dir)?);
    let directory = open_directory(&data_dir, &ca)?;
    let admin_token_file = data_dir.join(ADMIN_TOKEN_FILE);
    let admin_token = match &config.admin_token {
        Some(token) => use_admin_token(&admin_token_file, token)?,
        None => load_or_create_admin_token(&admin_token_file)?,
    };
    let bus = TraceBus::new(4096);
    let store = open_store(&data_dir, config.trace_retention, &bus)?;

    let host_ip = advertised_ip(local_addr.ip());
    let base_url = base_url(config.public_url.as_ref(), host_ip, local_addr.port());
    let names = server_names(host_ip, config.public_url.as_ref(), &config.hostnames);
    let exposure = Exposure::of(local_addr, &base_url, &names);
    if exposure.beyond_loopback {
        tracing::warn!("{exposure}");
    }
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let identity = ca.issue_server_identity(&name_refs)?;
    let chain_verifier = ChainVerifier::new(ca.cert_der().clone())?;
    let tls_config = tls::server_config(identity, ca.cert_der())?;

    let state = Arc::new(AppState::new(state::Setup {
        profiles: config.profiles,
        store,
        bus: bus.clone(),
        base_url: base_url.clone(),
        allowed_hosts: public::accepted_hosts(
            local_addr,
            config.public_url.as_ref(),
            &config.hostnames,
        ),
        admin_token: admin_token.clone(),
        ca: ca.clone(),
        directory,
        outbound: outbound::Outbound::new(ca.cert_der())?,
        body_timeout: config.limits.body_read,
        data_dir: data_dir.clone(),
        cli_path: config.cli_path.clone(),
        scenarios: match config.scenarios {
            Some(s) => s,
            None => mockbank_tpp::walkthrough::load(None, None)?,
        },
    }));
    // The user's check overrides from earlier runs (`PUT /admin/profiles/.../checks/...`).
    let overrides = state
        .store
        .check_overrides()
        .context("reading the check overrides")?;
    state.profiles.apply(&overrides);
    let app = routes::router(state.clone());
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(tls::serve(
        listener,
        tls_config,
        chain_verifier,
        app.clone(),
        stopped,
        tls::Limits::new(config.limits),
        Duration::from_secs(10),
    ));
    write_server_file(&data_dir, &base_url)?;
    data_dir::tighten_files(&data_dir);
    Ok(RunningServer {
        base_url,
        local_addr,
        ca_cert_path: ca.cert_path().to_owned(),
        admin_token_file,
        bus,
        state,
        app,
        admin_token,
        stop,
        task,
    })
}

/// The directory's SSA-signing authority. Its key is RSA: at a first start it is generated
/// while the server starts answering (the ready line does not wait for it; minting and SSA
/// checks do).
fn open_directory(data_dir: &Path, ca: &Arc<Ca>) -> anyhow::Result<state::LazyDirectory> {
    if DirectoryAuthority::exists_in(data_dir) {
        return Ok(state::LazyDirectory::ready(Arc::new(
            DirectoryAuthority::load_or_create(data_dir, ca)?,
        )));
    }
    let (dir, ca) = (data_dir.to_owned(), ca.clone());
    Ok(state::LazyDirectory::spawn(move || {
        DirectoryAuthority::load_or_create(&dir, &ca)
    }))
}

/// The store in the data dir; every trace it stores is then published on `bus`.
fn open_store(data_dir: &Path, trace_retention: u64, bus: &TraceBus) -> anyhow::Result<Store> {
    let publisher = bus.clone();
    Store::open(
        data_dir,
        StoreConfig {
            trace_retention,
            on_trace: Some(Arc::new(move |trace| publisher.publish(trace))),
        },
    )
    .with_context(|| format!("opening the store in {}", data_dir.display()))
}

/// The base URL issuers and the UI are under: the public URL's, or the advertised address'.
fn base_url(public_url: Option<&PublicUrl>, host_ip: IpAddr, port: u16) -> String {
    match public_url {
        Some(public) => public.base_url(),
        None => match host_ip {
            IpAddr::V6(ip) => format!("https://[{ip}]:{port}"),
            IpAddr::V4(ip) => format!("https://{ip}:{port}"),
        },
    }
}

/// The names the server certificate holds: loopback, the advertised address, the public
/// URL's host and the configured hostnames, each once.
fn server_names(
    host_ip: IpAddr,
    public_url: Option<&PublicUrl>,
    hostnames: &[String],
) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let extra = std::iter::once(host_ip.to_string())
        .chain(public_url.map(PublicUrl::host))
        .chain(hostnames.iter().cloned());
    for name in extra {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Says where this server listens ([`SERVER_FILE`], owner-only), for the CLI's commands.
fn write_server_file(data_dir: &Path, base_url: &str) -> anyhow::Result<()> {
    let path = data_dir.join(SERVER_FILE);
    let server_file = json!({"base_url": base_url, "pid": std::process::id()});
    mockbank_pki::write_private(&path, server_file.to_string().as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The address clients should use: the listener's, or loopback for a wildcard bind.
fn advertised_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// The operator's admin token: checked for length, then written to the data dir (owner-only)
/// so that the CLI's commands against this server find it as usual.
fn use_admin_token(path: &Path, token: &str) -> anyhow::Result<String> {
    let token = token.trim();
    anyhow::ensure!(
        token.len() >= 32 && token.chars().all(|c| c.is_ascii_graphic()),
        "MOCKBANK_ADMIN_TOKEN must be at least 32 printable characters without spaces"
    );
    mockbank_pki::write_private(path, token.as_bytes())?;
    Ok(token.to_owned())
}

/// Reads the admin token, creating a random one (owner-only file) at first start.
fn load_or_create_admin_token(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let token = existing.trim().to_owned();
        if token.len() >= 32 {
            return Ok(token);
        }
    }
    let token = secrets::random_token(32);
    mockbank_pki::write_private(path, token.as_bytes())?;
    Ok(token)
}
