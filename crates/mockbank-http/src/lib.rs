//! mockbank's one HTTP(S) client, for every request mockbank makes: the server's outbound
//! calls (JWKS URLs, the bank's extension service), the reference TPP and the CLI, the
//! black-box tests and the bench. rustls trusting the given CA certificates, optionally
//! presenting a client certificate (mutual TLS); one connection per request so each request
//! can present its own certificate, or a kept [`Connection`] for a run of requests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub use hyper::HeaderMap;

/// The response header in which mockbank names the trace of a request.
pub const TRACE_ID_HEADER: &str = "mockbank-trace-id";

/// A client certificate and its key, in PEM.
#[derive(Debug, Clone)]
pub struct Identity {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// An absolute `https://` (or `http://`) URL.
    pub url: String,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
    pub identity: Option<&'a Identity>,
    /// The longest wait for the whole exchange, connection included.
    pub timeout: Option<Duration>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            identity: None,
            timeout: None,
        }
    }
    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }
    /// A JSON body (a `Value`, or any wire type).
    pub fn json(mut self, body: &impl serde::Serialize) -> Self {
        // Serialising data types into a Vec cannot fail (no maps with non-string keys here).
        self.body = serde_json::to_vec(body).unwrap_or_default();
        self.header("content-type", "application/json")
    }
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header("content-type", content_type.to_owned())
    }
    pub fn identity(mut self, id: Option<&'a Identity>) -> Self {
        self.identity = id;
        self
    }
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }
}

/// An answer: status, headers and body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// The body as JSON (`null` when empty, a string when not JSON).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }
    /// The body as the wire type `T`, or why it is not one.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "the answer ({}) is not the JSON expected: {}",
                self.status,
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The id of the trace mockbank recorded for this request, if the bank is a mockbank.
    pub fn trace_id(&self) -> Option<String> {
        self.header(TRACE_ID_HEADER).map(str::to_owned)
    }
}

/// A URL split for sending: scheme, authority, host, port, path with query.
struct Target<'u> {
    tls: bool,
    authority: &'u str,
    host: &'u str,
    port: u16,
    path: &'u str,
}

fn target(url: &str) -> anyhow::Result<Target<'_>> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        bail!("{url} is not an http(s) URL");
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = host_port(authority, if tls { 443 } else { 80 })?;
    Ok(Target {
        tls,
        authority,
        host,
        port,
        path,
    })
}

/// The host and port of an URL authority (`127.0.0.1:8443`, `[::1]:8443`, `bank.example`).
fn host_port(authority: &str, default: u16) -> anyhow::Result<(&str, u16)> {
    let port = |p: Option<&str>| -> anyhow::Result<u16> {
        Ok(match p {
            Some(p) => p
                .parse()
                .with_context(|| format!("bad port in {authority}"))?,
            None => default,
        })
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| anyhow!("bad address {authority}"))?;
        return Ok((host, port(after.strip_prefix(':'))?));
    }
    match authority.rsplit_once(':') {
        Some((host, p)) => Ok((host, port(Some(p))?)),
        None => Ok((authority, default)),
    }
}

/// HTTP(S) trusting a set of CAs.
#[derive(Clone)]
pub struct Client {
    roots: Arc<rustls::RootCertStore>,
}

/// One kept HTTP/1.1 connection (keep-alive), for a run of requests on one identity.
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    authority: String,
}

impl Client {
    /// Trusts the CA certificates in `ca_pem`.
    pub fn new(ca_pem: &str) -> anyhow::Result<Client> {
        let certs = CertificateDer::pem_slice_iter(ca_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .context("reading the CA certificate")?;
        Self::trusting(certs)
    }

    /// Trusts these CA certificates (DER).
    pub fn trusting(certs: Vec<CertificateDer<'static>>) -> anyhow::Result<Client> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            roots.add(cert)?;
        }
        anyhow::ensure!(!roots.is_empty(), "no CA certificate to trust");
        Ok(Client {
            roots: Arc::new(roots),
        })
    }

    /// The TLS client configuration: these roots, `identity` as the client certificate,
    /// `alpn` offered (for tests that speak TLS themselves).
    pub fn tls_config(
        &self,
        identity: Option<&Identity>,
        alpn: Vec<Vec<u8>>,
    ) -> anyhow::Result<rustls::ClientConfig> {
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(self.roots.clone());
        let mut config = match identity {
            Some(id) => {
                let chain = CertificateDer::pem_slice_iter(id.cert_pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .context("reading the client certificate")?;
                let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes())
                    .context("reading the client key")?;
                builder.with_client_auth_cert(chain, key)?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = alpn;
        Ok(config)
    }

    /// A TLS stream to `authority` (`host:port`) presenting `identity`.
    pub async fn tls_stream(
        &self,
        authority: &str,
        identity: Option<&Identity>,
        alpn: Vec<Vec<u8>>,
    ) -> anyhow::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let (host, port) = host_port(authority, 443)?;
        let tcp = TcpStream::connect((host, port))
            .await
            .with_context(|| format!("cannot connect to {authority}"))?;
        let name = ServerName::try_from(host.to_owned())?;
        TlsConnector::from(Arc::new(self.tls_config(identity, alpn)?))
            .connect(name, tcp)
            .await
            .with_context(|| format!("TLS handshake with {authority}"))
    }

    /// A kept HTTP/1.1 connection to the authority of `url`.
    pub async fn connect(
        &self,
        url: &str,
        identity: Option<&Identity>,
    ) -> anyhow::Result<Connection> {
        let t = target(url)?;
        let tcp = TcpStream::connect((t.host, t.port))
            .await
            .with_context(|| format!("cannot connect to {}", t.authority))?;
        // Requests and answers are small and awaited: do not wait to fill a segment.
        tcp.set_nodelay(true)?;
        let sender = if t.tls {
            let name = ServerName::try_from(t.host.to_owned())?;
            let tls = TlsConnector::from(Arc::new(self.tls_config(identity, Vec::new())?))
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS handshake with {}", t.authority))?;
            handshake(tls).await?
        } else {
            handshake(tcp).await?
        };
        Ok(Connection {
            sender,
            authority: t.authority.to_owned(),
        })
    }

    /// Sends `req` on a fresh connection, within its timeout.
    pub async fn send(&self, req: Request<'_>) -> anyhow::Result<Response> {
        match req.timeout {
            Some(limit) => tokio::time::timeout(limit, self.send_now(req))
                .await
                .map_err(|_| anyhow!("no answer within {} ms", limit.as_millis()))?,
            None => self.send_now(req).await,
        }
    }

    async fn send_now(&self, req: Request<'_>) -> anyhow::Result<Response> {
        let mut conn = self.connect(&req.url, req.identity).await?;
        conn.send(req).await
    }
}

async fn handshake<S>(io: S) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

impl Connection {
    /// Sends `req` (its URL's path; the connection's authority) and reads the whole answer.
    pub async fn send(&mut self, req: Request<'_>) -> anyhow::Result<Response> {
        let path = match target(&req.url) {
            Ok(t) => t.path.to_owned(),
            Err(_) => req.url.clone(),
        };
        let mut builder = hyper::Request::builder()
            .method(req.method)
            .uri(path)
            .header("host", self.authority.as_str());
        for (k, v) in &req.headers {
            builder = builder.header(*k, v.as_str());
        }
        self.sender.ready().await?;
        let resp = self
            .sender
            .send_request(builder.body(Full::new(Bytes::from(req.body)))?)
            .await
            .with_context(|| format!("{} {}", req.method, req.url))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_and_targets() {
        assert_eq!(
            host_port("127.0.0.1:8443", 443).unwrap(),
            ("127.0.0.1", 8443)
        );
        assert_eq!(host_port("[::1]:9", 443).unwrap(), ("::1", 9));
        assert_eq!(
            host_port("bank.example", 443).unwrap(),
            ("bank.example", 443)
        );
        let t = target("http://127.0.0.1:9000/pre-process?x=1").unwrap();
        assert!(!t.tls);
        assert_eq!(
            (t.host, t.port, t.path),
            ("127.0.0.1", 9000, "/pre-process?x=1")
        );
        let t = target("https://bank.example?q").unwrap();
        assert_eq!((t.port, t.path), (443, "?q"));
        assert!(target("ftp://x").is_err());
    }

    /// A plain-http exchange with a one-shot local server, and the timeout.
    #[tokio::test]
    async fn plain_http_and_timeouts() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await.unwrap();
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: application/json\r\n\r\n{\"ok\":true}")
                .await
                .unwrap();
            // The second connection never answers.
            let (_s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let key = rcgen::KeyPair::generate().unwrap();
        let ca = rcgen::CertificateParams::new(vec!["ca".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let client = Client::new(&ca.pem()).unwrap();
        let r = client
            .send(Request::new("GET", format!("http://{addr}/x")))
            .await
            .unwrap();
        assert_eq!((r.status, r.json()["ok"].as_bool()), (200, Some(true)));
        let err = client
            .send(
                Request::new("GET", format!("http://{addr}/y")).timeout(Duration::from_millis(200)),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no answer within 200 ms"), "{err}");
    }
}
