//! Outbound HTTP(S) for what a profile points mockbank at: JWKS URLs and the bank's extension
//! service. Plain http, or https trusting the mockbank CA; every call has a timeout. Fetched
//! key sets are cached so no request pays for a fetch twice within a few minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use mockbank_http::{Client, Request};
use rustls::pki_types::CertificateDer;
use serde_json::Value;

/// How long a fetched JWKS is reused.
const JWKS_TTL: Duration = Duration::from_secs(300);

pub struct Outbound {
    http: Client,
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
        Ok(Outbound {
            http: Client::trusting(vec![ca.clone()])?,
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
        let mut req = Request::new(method, url).timeout(timeout);
        for (k, v) in headers {
            req = req.header(k, v.clone());
        }
        req.body = body;
        let r = self.http.send(req).await.map_err(|e| format!("{e:#}"))?;
        Ok(Answer {
            status: r.status,
            body: r.body,
        })
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
