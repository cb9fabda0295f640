//! The rustls listener. Client certificates are requested but optional, and any well-formed
//! chain is accepted at the handshake (the client must still prove it holds the key): a
//! certificate from another CA or an expired one must reach a traced request, where the
//! profile's checks judge it against the mockbank CA and say why it is refused.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use mockbank_pki::{ChainVerifier, PeerCertificate, ServerIdentity};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

/// What every request of a connection knows about its peer.
#[derive(Clone, Debug)]
pub struct Peer {
    pub cert: Option<Arc<PeerCertificate>>,
}

/// Accepts any client certificate chain at the handshake; see the module docs.
#[derive(Debug)]
struct RecordingVerifier {
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for RecordingVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The rustls configuration: our server chain, h2 + http/1.1, the recording verifier.
pub fn server_config(
    identity: ServerIdentity,
    ca: &CertificateDer<'static>,
) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let hints = x509_subject(ca).into_iter().collect();
    let verifier = Arc::new(RecordingVerifier {
        hints,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(identity.chain, identity.key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The CA's subject, sent as a hint so clients pick a certificate it issued.
fn x509_subject(ca: &CertificateDer<'static>) -> Option<DistinguishedName> {
    mockbank_pki::subject_der(ca).map(DistinguishedName::from)
}

/// The connection limits as the accept loop applies them.
pub struct Limits {
    config: crate::ConnectionLimits,
    slots: Arc<tokio::sync::Semaphore>,
}

impl Limits {
    pub fn new(config: crate::ConnectionLimits) -> Self {
        Limits {
            config,
            slots: Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1))),
        }
    }
}

/// Reports a recurring condition (the connection cap reached, accept failing) once, then
/// at most once a minute with how often it happened since, instead of a line per occurrence.
#[derive(Default)]
struct Episode {
    since_report: u64,
    reported: Option<std::time::Instant>,
}

impl Episode {
    const EVERY: Duration = Duration::from_secs(60);

    fn happened(&mut self, what: &str, detail: &dyn std::fmt::Display) {
        self.since_report += 1;
        if self.reported.is_none_or(|t| t.elapsed() >= Self::EVERY) {
            tracing::warn!(%detail, times = self.since_report, "{what}; backing off (reported at most once a minute)");
            self.since_report = 0;
            self.reported = Some(std::time::Instant::now());
        }
    }
}

/// How often a full cap asks idle connections again to give their slots back.
const RECLAIM_EVERY: Duration = Duration::from_millis(200);

/// Accepts connections until `stop` turns true, then waits up to `grace` for open ones.
pub async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    verifier: ChainVerifier,
    app: Router,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
    grace: Duration,
) {
    let connections = Connections {
        acceptor: TlsAcceptor::from(config),
        app,
        verifier: Arc::new(verifier),
        http: Arc::new(http_builder(&limits.config)),
        pressure: Arc::new(crate::idle::Pressure::default()),
        handshake: limits.config.handshake,
        idle_limit: limits.config.header_read,
    };
    let mut full = Episode::default();
    let mut failing = Episode::default();
    let mut backoff = Duration::from_millis(5);
    loop {
        // A slot first: at the cap, connections wait in the backlog, not in our descriptors.
        let Some(slot) = take_slot(&limits, &connections.pressure, &mut full, &mut stop).await
        else {
            break;
        };
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => {
                    backoff = Duration::from_millis(5);
                    conn
                }
                Err(e) => {
                    // EMFILE and friends: wait for descriptors to free up, longer each time.
                    failing.happened("accept failing", &e);
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => break,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = tcp.set_nodelay(true);
        // Handshakes run in their own task so a slow client never blocks the accept loop.
        tokio::spawn(
            connections
                .clone()
                .serve_one(tcp, remote, slot, stop.clone()),
        );
    }
    drop(listener);
    // Every connection holds a slot until it ends: all slots back means all ended.
    let all = u32::try_from(limits.config.max_connections.max(1)).unwrap_or(u32::MAX);
    tokio::select! {
        _ = limits.slots.acquire_many(all) => {}
        _ = tokio::time::sleep(grace) => tracing::warn!("in-flight requests did not finish in time"),
    }
}

/// HTTP/1.1 and HTTP/2 as every connection speaks them: header limits, header read timeout
/// and HTTP/2 keep-alive pings.
fn http_builder(limits: &crate::ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .max_headers(crate::guards::HYPER_MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(crate::guards::HYPER_MAX_HEADER_LIST)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(10));
    builder
}

/// A connection slot. While the cap is full, waits for one, asking idle connections to give
/// theirs back; `None` once `stop` turns true.
async fn take_slot(
    limits: &Limits,
    pressure: &crate::idle::Pressure,
    full: &mut Episode,
    stop: &mut watch::Receiver<bool>,
) -> Option<OwnedSemaphorePermit> {
    if let Ok(slot) = limits.slots.clone().try_acquire_owned() {
        return Some(slot);
    }
    full.happened("connection limit reached", &limits.config.max_connections);
    // Connections with nothing open give their slots back (finding 2: idle HTTP/2 sessions
    // must not starve new clients); asked again while the cap stays full, for those that
    // were busy when last asked.
    loop {
        pressure.reclaim();
        tokio::select! {
            slot = limits.slots.clone().acquire_owned() => return slot.ok(),
            _ = tokio::time::sleep(RECLAIM_EVERY) => {}
            _ = stop.changed() => return None,
        }
    }
}

/// What every connection's task needs, shared by all of them.
#[derive(Clone)]
struct Connections {
    acceptor: TlsAcceptor,
    app: Router,
    verifier: Arc<ChainVerifier>,
    http: Arc<auto::Builder<TokioExecutor>>,
    pressure: Arc<crate::idle::Pressure>,
    handshake: Duration,
    /// How long a connection may stay without an open request or stream.
    idle_limit: Duration,
}

impl Connections {
    /// Serves one accepted connection, holding its slot until it ends: the TLS handshake,
    /// then HTTP until the client, shutdown or the idle limit closes it.
    async fn serve_one(
        self,
        tcp: TcpStream,
        remote: SocketAddr,
        _slot: OwnedSemaphorePermit,
        mut stop: watch::Receiver<bool>,
    ) {
        let Some(tls) = self.handshake(tcp, remote).await else {
            return;
        };
        let peer = Peer {
            cert: peer_certificate(&tls, &self.verifier),
        };
        let activity = crate::idle::Activity::new();
        let tracked = activity.clone();
        let app = self.app.clone();
        let svc =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                let open = tracked.begin();
                req.extensions_mut().insert(peer.clone());
                let mut app = app.clone();
                async move {
                    let resp = app.call(req).await?;
                    Ok::<_, std::convert::Infallible>(crate::idle::Activity::track(open, resp))
                }
            });
        let io = TokioIo::new(crate::guards::ParseErrorsAsJson::new(tls));
        let mut conn = std::pin::pin!(self.http.serve_connection_with_upgrades(io, svc));
        // Until the connection ends: at shutdown, or once it has had no open request or
        // stream for the idle limit (or has none when the cap is reached), it finishes what
        // it has and closes (HTTP/2: GOAWAY).
        let mut closing = false;
        loop {
            tokio::select! {
                ended = conn.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(%remote, error = %e, "connection ended with an error");
                    }
                    break;
                }
                _ = stop.changed(), if !closing => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ = activity.idle(self.idle_limit, &self.pressure), if !closing => {
                    tracing::debug!(%remote, "closing an idle connection");
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }

    /// The TLS handshake, within its time limit; `None` (logged) if it fails.
    async fn handshake(&self, tcp: TcpStream, remote: SocketAddr) -> Option<TlsStream<TcpStream>> {
        match tokio::time::timeout(self.handshake, self.acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => Some(tls),
            Ok(Err(e)) => {
                tracing::debug!(%remote, error = %e, "TLS handshake failed");
                None
            }
            Err(_) => {
                tracing::debug!(%remote, "TLS handshake timed out");
                None
            }
        }
    }
}

/// The client's certificate chain, if it sent one whose leaf parses, with the verifier's
/// verdict on it.
fn peer_certificate(
    tls: &TlsStream<TcpStream>,
    verifier: &ChainVerifier,
) -> Option<Arc<PeerCertificate>> {
    tls.get_ref()
        .1
        .peer_certificates()
        .map(|chain| {
            chain
                .iter()
                .map(|c| c.clone().into_owned())
                .collect::<Vec<_>>()
        })
        .and_then(|chain| PeerCertificate::new(chain, verifier))
        .map(Arc::new)
}
