//! Outbound HTTP(S) for what a profile points mockbank at: JWKS URLs and the bank's extension
//! service. Plain http, or https trusting the mockbank CA; every call has a timeout. Fetched
//! key sets are cached so no request pays for a fetch twice within a few minutes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// How long a fetched JWKS is reused.
const JWKS_TTL: Duration = Duration::from_secs(300);

pub struct Outbound {
    tls: TlsConnector,
    jwks: Mutex<HashMap<String, (Instant, Value)>>,
    tokens: Mutex<HashMap<String, (Instant, String)>>,
}

/// An answer: status and body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Outbound {
    pub fn new(ca: &CertificateDer<'static>) -> anyhow::Result<Outbound> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone())?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Outbound {
            tls: TlsConnector::from(Arc::new(config)),
            jwks: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// One request on a fresh connection, bounded by `timeout`.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<Answer, String> {
        tokio::time::timeout(timeout, self.send_inner(method, url, headers, body))
            .await
            .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
    }

    async fn send_inner(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("`{url}` has no host"))?
            .to_owned();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let tcp = TcpStream::connect((host.trim_start_matches('[').trim_end_matches(']'), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", format!("{host}:{port}"));
        for (k, v) in headers {
            builder = builder.header(*k, v.as_str());
        }
        let request = builder
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = match parsed.scheme() {
            "http" => {
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                        .await
                        .map_err(|e| e.to_string())?;
                tokio::spawn(conn);
                sender
                    .send_request(request)
                    .await
                    .map_err(|e| e.to_string())?
            }
            "https" => {
                let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
                let tls = self
                    .tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS with {host}: {e}"))?;
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                        .await
                        .map_err(|e| e.to_string())?;
                tokio::spawn(conn);
                sender
                    .send_request(request)
                    .await
                    .map_err(|e| e.to_string())?
            }
            other => return Err(format!("scheme `{other}` is not supported (http, https)")),
        };
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Answer { status, body })
    }

    /// The JWKS at `url`, from the cache when fresh.
    pub async fn jwks(&self, url: &str) -> Result<Value, String> {
        if let Some((at, jwks)) = self.jwks.lock().unwrap_or_else(|p| p.into_inner()).get(url) {
            if at.elapsed() < JWKS_TTL {
                return Ok(jwks.clone());
            }
        }
        let answer = self
            .send(
                "GET",
                url,
                &[("accept", "application/json".into())],
                Vec::new(),
                Duration::from_secs(5),
            )
            .await?;
        if answer.status != 200 {
            return Err(format!("GET {url} answered {}", answer.status));
        }
        let jwks: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("{url} is not a JWKS: {e}"))?;
        if !jwks.get("keys").is_some_and(Value::is_array) {
            return Err(format!("{url} is not a JWKS (no `keys` array)"));
        }
        self.jwks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url.to_owned(), (Instant::now(), jwks.clone()));
        Ok(jwks)
    }

    /// An OAuth 2.0 client-credentials token from `token_url` (client_secret_basic), reused
    /// until shortly before it expires.
    pub async fn client_credentials(
        &self,
        token_url: &str,
        client_id: &str,
        secret: &str,
        scope: Option<&str>,
        timeout: Duration,
    ) -> Result<String, String> {
        let key = format!("{token_url} {client_id}");
        if let Some((until, token)) = self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        use base64::Engine;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        let mut form = String::from("grant_type=client_credentials");
        if let Some(s) = scope {
            form.push_str(&format!(
                "&scope={}",
                url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
            ));
        }
        let answer = self
            .send(
                "POST",
                token_url,
                &[
                    ("authorization", format!("Basic {basic}")),
                    ("content-type", "application/x-www-form-urlencoded".into()),
                ],
                form.into_bytes(),
                timeout,
            )
            .await?;
        let body: Value = serde_json::from_slice(&answer.body)
            .map_err(|_| format!("the token endpoint answered {} without JSON", answer.status))?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| format!("the token endpoint answered {} {body}", answer.status))?
            .to_owned();
        let ttl = body["expires_in"].as_u64().unwrap_or(60).saturating_sub(10);
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                key,
                (Instant::now() + Duration::from_secs(ttl), token.clone()),
            );
        Ok(token)
    }
}
