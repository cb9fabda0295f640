//! A minimal HTTPS client for the command line, talking to a running mockbank (trusting
//! its CA, authenticating with the admin token).

use std::sync::Arc;

use anyhow::{anyhow, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub struct Client {
    base_url: String,
    authority: String,
    host: String,
    connector: TlsConnector,
    admin_token: String,
}

impl Client {
    pub fn new(base_url: &str, ca_pem: &str, admin_token: &str) -> anyhow::Result<Client> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.context("reading the CA certificate")?)?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let authority = base_url
            .strip_prefix("https://")
            .ok_or_else(|| anyhow!("{base_url} is not an https URL"))?
            .trim_end_matches('/')
            .to_owned();
        let host = match authority.rsplit_once(':') {
            Some((h, _)) => h.trim_start_matches('[').trim_end_matches(']').to_owned(),
            None => authority.clone(),
        };
        Ok(Client {
            base_url: base_url.trim_end_matches('/').to_owned(),
            authority,
            host,
            connector: TlsConnector::from(Arc::new(config)),
            admin_token: admin_token.to_owned(),
        })
    }

    /// Sends a request to `path` (or an absolute URL on the same server); returns status and JSON.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let path = path.strip_prefix(&self.base_url).unwrap_or(path);
        let addr = if self.authority.contains(':') {
            self.authority.clone()
        } else {
            format!("{}:443", self.authority)
        };
        let tcp = TcpStream::connect(addr.trim_start_matches('[').replace("]:", ":"))
            .await
            .with_context(|| {
                format!(
                    "cannot connect to {} (is `mockbank serve` running?)",
                    self.base_url
                )
            })?;
        let name = ServerName::try_from(self.host.clone())?;
        let tls = self
            .connector
            .connect(name, tcp)
            .await
            .context("TLS handshake with mockbank")?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
        tokio::spawn(conn);
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.authority.as_str())
            .header("authorization", format!("Bearer {}", self.admin_token))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(bytes)))?;
        let resp = sender.send_request(request).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        let json = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        Ok((status, json))
    }
}
