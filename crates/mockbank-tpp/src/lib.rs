//! mockbank's built-in reference client: it acts as a correct TPP against any profile —
//! reads discovery, mints or reuses directory credentials suited to the profile, builds the
//! request in the profile's format (RFC 7591 JSON, or an OBUK JWS carrying the SSA), talks
//! HTTPS with mutual TLS — and performs register, token, read, update and delete. It applies
//! named [`Deviation`]s, and [`compare`] replays the same intent against several profiles.
//! It works against any bank: a [`Target`] is a base URL, a CA and, for a mockbank, its
//! admin token (which mints credentials and reads traces).

mod client;
pub mod compare;
mod deviation;
pub mod handout;
pub mod state;
pub mod walkthrough;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use serde_json::Value;

pub use client::{Outcome, Session};
pub use deviation::Deviation;
pub use mockbank_core::profile::{Flavor, ProtectionSummary};
use mockbank_core::wire::admin::ProfileView;
use mockbank_core::wire::directory::Bundle;
use mockbank_core::Trace;
pub use mockbank_http as http;
pub use mockbank_http::{Client, Identity};

/// A best guess of a profile's flavor from its discovery document alone, for banks that
/// are not a mockbank (a mockbank's admin API says it).
pub fn guess_flavor(discovery: &Value) -> Flavor {
    let methods: Vec<&str> = discovery["token_endpoint_auth_methods_supported"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if discovery
        .get("registration_request_signing_alg_values_supported")
        .is_some()
    {
        Flavor::Obuk
    } else if methods == ["tls_client_auth"] {
        Flavor::Stet
    } else if methods.contains(&"private_key_jwt")
        && !methods.iter().any(|m| m.starts_with("client_secret"))
    {
        Flavor::Fapi
    } else {
        Flavor::Generic
    }
}

/// The bank the reference client talks to.
#[derive(Clone)]
pub struct Target {
    pub base_url: String,
    pub ca_pem: String,
    pub https: Client,
    /// A mockbank's admin token: mints directory credentials and reads traces.
    pub admin_token: Option<String>,
    /// Where the client keeps what it registered (credentials, tokens) between commands:
    /// owner-only files, never at a path taken from the bank's answers ([`state`]).
    pub state_dir: PathBuf,
    /// Credentials to use instead of minting (a bundle as `mockbank directory issue` writes it).
    pub bundle: Option<Bundle>,
    /// The flavor to assume, when the bank does not say.
    pub flavor: Option<Flavor>,
    /// What this client made at a mockbank that nobody keeps for later (a comparison's
    /// clients, organisations minted for one deviation), until [`Target::tag_made`] hands it
    /// to the bank as leftovers that one action clears.
    made: Arc<Mutex<Vec<Made>>>,
}

/// Something the reference client made at a mockbank: a registered client, or a directory
/// organisation (with its software and certificates) minted for one request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Made {
    pub kind: MadeKind,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MadeKind {
    Client,
    Org,
}

impl Target {
    pub fn new(
        base_url: &str,
        ca_pem: &str,
        admin_token: Option<String>,
        state_dir: PathBuf,
    ) -> anyhow::Result<Target> {
        Ok(Target {
            base_url: base_url.trim_end_matches('/').to_owned(),
            ca_pem: ca_pem.to_owned(),
            https: Client::new(ca_pem)?,
            admin_token,
            state_dir,
            bundle: None,
            flavor: None,
            made: Arc::default(),
        })
    }

    /// Notes something made for one run (see [`Target::tag_made`]).
    pub(crate) fn note_made(&self, kind: MadeKind, id: &str) {
        self.made
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Made {
                kind,
                id: id.to_owned(),
            });
    }

    /// Tells a mockbank that what this client made since the last call was made by `tool`
    /// (`compare`, `walkthrough`): `POST /admin/leftovers`, which `DELETE /admin/leftovers`
    /// (`mockbank leftovers --clear`, the UI's Clients view) clears. Nothing without an
    /// admin token (another bank).
    pub async fn tag_made(&self, tool: &str) -> anyhow::Result<()> {
        let made = std::mem::take(&mut *self.made.lock().unwrap_or_else(|p| p.into_inner()));
        if made.is_empty() || self.admin_token.is_none() {
            return Ok(());
        }
        let body = serde_json::json!({"tool": tool, "made": made});
        let r = self.admin("POST", "/admin/leftovers", Some(&body)).await?;
        anyhow::ensure!(
            r.status == 204,
            "tagging leftovers answered {}: {}",
            r.status,
            r.json()
        );
        Ok(())
    }

    /// A running mockbank, found through its data dir (`server.json`, `ca.pem`,
    /// `admin-token`); the client's state goes to `DIR/tpp`.
    pub fn from_data_dir(dir: &Path) -> anyhow::Result<Target> {
        let server: Value = std::fs::read_to_string(dir.join("server.json"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .with_context(|| {
                format!(
                    "no running mockbank found in {} (start `mockbank serve --data-dir {}` first)",
                    dir.display(),
                    dir.display()
                )
            })?;
        let base_url = server["base_url"]
            .as_str()
            .context("server.json has no base_url")?;
        let ca = std::fs::read_to_string(dir.join("ca.pem"))
            .with_context(|| format!("reading {}", dir.join("ca.pem").display()))?;
        let token = std::fs::read_to_string(dir.join("admin-token"))
            .with_context(|| format!("reading {}", dir.join("admin-token").display()))?;
        Target::new(
            base_url,
            &ca,
            Some(token.trim().to_owned()),
            dir.join("tpp"),
        )
    }

    /// `{base_url}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// An admin API call (needs the admin token).
    pub async fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<http::Response> {
        let token = self.admin_token.as_deref().with_context(|| {
            format!(
                "`{path}` needs a mockbank's admin token (use --data-dir, or --admin-token-file)"
            )
        })?;
        let mut req = http::Request::new(method, self.url(path)).bearer(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        self.https.send(req).await
    }

    /// The trace a mockbank recorded for a request (`None` without admin token or trace).
    pub async fn trace(&self, id: &str) -> Option<Trace> {
        self.admin_token.as_ref()?;
        let r = self
            .admin("GET", &format!("/admin/traces/{id}"), None)
            .await
            .ok()?;
        if r.status != 200 {
            return None;
        }
        r.parse()
            .inspect_err(|e| tracing::warn!("trace {id}: {e:#}"))
            .ok()
    }

    /// The profiles the bank serves: a mockbank's admin list, or the ids given.
    pub async fn profiles(&self) -> anyhow::Result<Vec<ProfileView>> {
        let r = self.admin("GET", "/admin/profiles", None).await?;
        anyhow::ensure!(r.status == 200, "GET /admin/profiles answered {}", r.status);
        r.parse()
    }
}

/// A random UUID v4 (RFC 9562 §5.4), for `jti` values.
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}
