//! The rustls listener. Client certificates are requested but optional, and any well-formed
//! chain is accepted at the handshake (the client must still prove it holds the key): a
//! certificate from another CA or an expired one must reach a traced request, where the
//! profile's checks judge it against the mockbank CA and say why it is refused.

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
use tokio::net::TcpListener;
use tokio::sync::watch;
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
    let acceptor = TlsAcceptor::from(config);
    let pressure = Arc::new(crate::idle::Pressure::default());
    let verifier = Arc::new(verifier);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.config.header_read)
        .max_headers(crate::guards::HYPER_MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(crate::guards::HYPER_MAX_HEADER_LIST)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(10));
    let builder = Arc::new(builder);
    let mut full = Episode::default();
    let mut failing = Episode::default();
    let mut backoff = Duration::from_millis(5);
    loop {
        // A slot first: at the cap, connections wait in the backlog, not in our descriptors.
        let slot = match limits.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                full.happened("connection limit reached", &limits.config.max_connections);
                // Connections with nothing open give their slots back (finding 2: idle
                // HTTP/2 sessions must not starve new clients); asked again while the cap
                // stays full, for those that were busy when last asked.
                let waited = loop {
                    pressure.reclaim();
                    tokio::select! {
                        slot = limits.slots.clone().acquire_owned() => break slot.ok(),
                        _ = tokio::time::sleep(RECLAIM_EVERY) => {}
                        _ = stop.changed() => break None,
                    }
                };
                match waited {
                    Some(slot) => slot,
                    None => break,
                }
            }
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
        let (acceptor, app, verifier) = (acceptor.clone(), app.clone(), verifier.clone());
        let builder = builder.clone();
        let handshake = limits.config.handshake;
        let idle_limit = limits.config.header_read;
        let (mut stop, pressure) = (stop.clone(), pressure.clone());
        // Handshakes run in their own task so a slow client never blocks the accept loop.
        tokio::spawn(async move {
            let _slot = slot;
            let tls = match tokio::time::timeout(handshake, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%remote, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            let cert = tls
                .get_ref()
                .1
                .peer_certificates()
                .map(|chain| {
                    chain
                        .iter()
                        .map(|c| c.clone().into_owned())
                        .collect::<Vec<_>>()
                })
                .and_then(|chain| PeerCertificate::new(chain, &verifier))
                .map(Arc::new);
            let peer = Peer { cert };
            let activity = crate::idle::Activity::new();
            let tracked = activity.clone();
            let svc = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    let open = tracked.begin();
                    req.extensions_mut().insert(peer.clone());
                    let mut app = app.clone();
                    async move {
                        let resp = app.call(req).await?;
                        Ok::<_, std::convert::Infallible>(crate::idle::Activity::track(open, resp))
                    }
                },
            );
            let io = TokioIo::new(crate::guards::ParseErrorsAsJson::new(tls));
            let mut conn = std::pin::pin!(builder.serve_connection_with_upgrades(io, svc));
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
                    _ = activity.idle(idle_limit, &pressure), if !closing => {
                        tracing::debug!(%remote, "closing an idle connection");
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
        });
    }
    drop(listener);
    // Every connection holds a slot until it ends: all slots back means all ended.
    let all = u32::try_from(limits.config.max_connections.max(1)).unwrap_or(u32::MAX);
    tokio::select! {
        _ = limits.slots.acquire_many(all) => {}
        _ = tokio::time::sleep(grace) => tracing::warn!("in-flight requests did not finish in time"),
    }
}
