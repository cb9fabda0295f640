//! One HTTPS client for the reference TPP and the CLI: rustls trusting the bank's CA,
//! optionally presenting a client certificate (mutual TLS), one connection per request so
//! each request can present its own certificate.

use std::sync::Arc;

use anyhow::{anyhow, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

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
    /// An absolute `https://` URL.
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub identity: Option<&'a Identity>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            identity: None,
        }
    }
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }
    pub fn json(mut self, body: &Value) -> Self {
        self.body = body.to_string().into_bytes();
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
}

/// An answer: status, headers and body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
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
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The id of the trace mockbank recorded for this request, if the bank is a mockbank.
    pub fn trace_id(&self) -> Option<String> {
        self.header(TRACE_ID_HEADER).map(str::to_owned)
    }
}

/// HTTPS to one bank.
#[derive(Clone)]
pub struct Https {
    roots: Arc<rustls::RootCertStore>,
}

impl Https {
    /// Trusts the CA certificates in `ca_pem`.
    pub fn new(ca_pem: &str) -> anyhow::Result<Https> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.context("reading the CA certificate")?)?;
        }
        anyhow::ensure!(!roots.is_empty(), "the CA file holds no certificate");
        Ok(Https {
            roots: Arc::new(roots),
        })
    }

    fn connector(&self, identity: Option<&Identity>) -> anyhow::Result<TlsConnector> {
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(self.roots.clone());
        let config = match identity {
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
        Ok(TlsConnector::from(Arc::new(config)))
    }

    /// Sends `req` on a fresh connection.
    pub async fn send(&self, req: Request<'_>) -> anyhow::Result<Response> {
        let url = req
            .url
            .strip_prefix("https://")
            .ok_or_else(|| anyhow!("{} is not an https URL", req.url))?;
        let (authority, path) = match url.find('/') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, "/"),
        };
        let (host, port) = host_port(authority)?;
        let tcp = TcpStream::connect((host, port))
            .await
            .with_context(|| format!("cannot connect to {authority}"))?;
        let name = ServerName::try_from(host.to_owned())?;
        let tls = self
            .connector(req.identity)?
            .connect(name, tcp)
            .await
            .with_context(|| format!("TLS handshake with {authority}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
        tokio::spawn(conn);
        let mut builder = hyper::Request::builder()
            .method(req.method)
            .uri(path)
            .header("host", authority);
        for (k, v) in &req.headers {
            builder = builder.header(*k, v.as_str());
        }
        let resp = sender
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

/// The host and port of an URL authority (`127.0.0.1:8443`, `[::1]:8443`, `bank.example`).
fn host_port(authority: &str) -> anyhow::Result<(&str, u16)> {
    let port = |p: Option<&str>| -> anyhow::Result<u16> {
        Ok(match p {
            Some(p) => p
                .parse()
                .with_context(|| format!("bad port in {authority}"))?,
            None => 443,
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
        None => Ok((authority, 443)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn authorities() {
        assert_eq!(
            super::host_port("127.0.0.1:8443").unwrap(),
            ("127.0.0.1", 8443)
        );
        assert_eq!(super::host_port("[::1]:9").unwrap(), ("::1", 9));
        assert_eq!(
            super::host_port("bank.example").unwrap(),
            ("bank.example", 443)
        );
    }
}
