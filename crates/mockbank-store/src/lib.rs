//! mockbank's SQLite store: one database file in the data dir (WAL, versioned migrations)
//! holding clients, hashed tokens, the jti replay cache and traces.
//!
//! Writes go through one writer thread that commits them in groups: every caller waits for
//! its own commit, so an acknowledged write is on disk (in the WAL) before the HTTP answer
//! leaves — it survives `kill -9`. Reads use a small pool of read-only connections.

mod dict;
mod dir_cache;
mod jti;
mod migrations;
mod reader;
mod writer;

/// What `benches/trace_row.rs` times: building a trace's stored form (not an API).
#[doc(hidden)]
pub mod bench_api {
    pub use crate::writer::TraceRow;
}

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use mockbank_core::wire::directory::DirectoryStatus;
use mockbank_core::CheckOverride;
use serde_json::{Map, Value};

pub use reader::{ReportScope, ReportSource, TraceFilter};
use writer::{Op, Writer};

/// What can go wrong in the store. Never shown to HTTP clients (they get `server_error`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}: {1}")]
    Open(PathBuf, String),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("the store is closed")]
    Closed,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("stored JSON is corrupt: {0}")]
    Json(#[from] serde_json::Error),
    /// A write's precondition no longer held when it committed (a concurrent request got
    /// there first); nothing of the request was stored, and this is its answer.
    #[error("conflict: {0}")]
    Conflict(Box<mockbank_core::ProtocolError>),
}

/// A commit that did not happen, and the trace it was to store (when it came back).
#[derive(Debug)]
pub struct CommitFailed {
    pub error: StoreError,
    pub trace: Option<mockbank_core::Trace>,
}

/// A registered client as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub client_id: String,
    pub profile: String,
    pub metadata: Map<String, Value>,
    /// SHA-256 of the client secret; the secret itself is never stored.
    pub secret_hash: Option<Vec<u8>>,
    /// The secret sealed by the server, kept only where it must be recovered to verify an
    /// HMAC (`client_secret_jwt`, OIDC Core §9).
    pub secret_sealed: Option<Vec<u8>>,
    pub secret_expires_at: i64,
    pub issued_at: i64,
    pub updated_at: i64,
}

/// What a leftover is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftoverKind {
    Client,
    Org,
}

impl LeftoverKind {
    pub fn parse(name: &str) -> Option<LeftoverKind> {
        match name {
            "client" => Some(LeftoverKind::Client),
            "org" => Some(LeftoverKind::Org),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LeftoverKind::Client => "client",
            LeftoverKind::Org => "org",
        }
    }
}

/// The leftovers that still exist: client ids, and the software of the organisations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leftovers {
    pub clients: Vec<String>,
    pub software: Vec<String>,
}

/// A write that commits together with a request's trace (see [`Store::commit`]).
#[derive(Debug, Clone)]
pub enum Write {
    /// A new client and its registration access token (RFC 7592 profiles).
    Client(ClientRow, Option<TokenRow>),
    /// A new token.
    Token(TokenRow),
    /// Creates or replaces a directory entry.
    Directory(DirKind, DirectoryRow),
    /// Changes a directory entry's status (e.g. `Revoked`).
    DirectoryStatus(DirKind, String, DirectoryStatus),
    /// Keeps a software's credentials bundle (by software id).
    Bundle(String, Value),
    /// Replaces the record of a client that still exists (RFC 7592 §2.2), rotating its
    /// registration access token to `rotation` when given. Applies only while `credential`
    /// (the hash of the token that authorised the update) is still active and the client
    /// still exists, else the request's answer is `conflict`: an update never brings back a
    /// client that a concurrent DELETE removed.
    ReplaceClient {
        client: ClientRow,
        credential: Vec<u8>,
        rotation: Option<TokenRow>,
        conflict: mockbank_core::ProtocolError,
    },
    /// Deletes a client and revokes every token issued to it. Applies only while the client
    /// exists and `credential` (the hash of the token that authorised it, if any) is still
    /// active, else the request's answer is `conflict`: exactly one DELETE wins.
    DeleteClient {
        client_id: String,
        credential: Option<Vec<u8>>,
        now: i64,
        conflict: mockbank_core::ProtocolError,
    },
    /// Revokes a token (no-op if unknown or already revoked).
    RevokeToken { hash: Vec<u8>, now: i64 },
    /// Replaces an active token by `new`; if it is no longer active, the answer is `conflict`.
    RotateToken {
        old: Vec<u8>,
        new: TokenRow,
        conflict: mockbank_core::ProtocolError,
    },
    /// Uses a registration credential once (an initial access token's count goes down, an
    /// access token is revoked); if it is used up already, the answer is `conflict`.
    ConsumeToken {
        hash: Vec<u8>,
        now: i64,
        conflict: mockbank_core::ProtocolError,
    },
    /// Marks a client (`kind` `client`) or a directory organisation (`org`) as made by a
    /// tool (`compare`, `walkthrough`) for one run: a leftover.
    Leftover {
        kind: LeftoverKind,
        id: String,
        tool: String,
        now: i64,
    },
    /// Removes every leftover: the clients (their tokens revoked), and the organisations
    /// with their software, bundles and certificates.
    ClearLeftovers { now: i64 },
    /// Sets (`Some`) or removes (`None`) a check override; `check: None` removes every
    /// override of the profile.
    CheckOverride {
        profile: String,
        check: Option<String>,
        enabled: Option<bool>,
        now: i64,
    },
}

/// The kinds of mock-directory entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirKind {
    Org,
    Software,
    Certificate,
}

impl DirKind {
    pub(crate) fn table(self) -> &'static str {
        match self {
            DirKind::Org => "dir_orgs",
            DirKind::Software => "dir_software",
            DirKind::Certificate => "dir_certificates",
        }
    }
}

/// A mock-directory entry: an organisation (id = org_id), a software (id = software_id) or
/// a certificate (id = its `x5t#S256` thumbprint).
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryRow {
    pub id: String,
    pub org_id: String,
    pub status: DirectoryStatus,
    pub record: Value,
    pub created_at: i64,
}

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// RFC 7592 registration access token.
    Registration,
    /// RFC 6749 access token.
    Access,
    /// RFC 7591 §3 initial access token.
    Initial,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Registration => "registration",
            TokenKind::Access => "access",
            TokenKind::Initial => "initial",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "access" => TokenKind::Access,
            "initial" => TokenKind::Initial,
            _ => TokenKind::Registration,
        }
    }
}

/// A token as stored: only its SHA-256 hash, never the token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub hash: Vec<u8>,
    pub kind: TokenKind,
    pub client_id: String,
    pub profile: String,
    pub scope: Option<String>,
    pub issued_at: i64,
    /// `None` = never expires.
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Confirmation claim (RFC 8705 `cnf`), if the token is bound.
    pub cnf: Option<String>,
    /// Registrations an initial access token still allows (`None`: unlimited).
    pub uses_left: Option<i64>,
}

/// Called with every trace right after its commit, in sequence order.
pub type TraceHook = Arc<dyn Fn(Arc<mockbank_core::Trace>) + Send + Sync>;

/// Store settings.
#[derive(Clone)]
pub struct StoreConfig {
    /// Traces kept; the oldest are dropped past this.
    pub trace_retention: u64,
    /// Receives each committed trace (with its `seq`), in commit order — the trace bus. It
    /// runs on the writer thread, so it must not block.
    pub on_trace: Option<TraceHook>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            trace_retention: 100_000,
            on_trace: None,
        }
    }
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: Writer,
    readers: Arc<reader::Readers>,
    directory: Arc<dir_cache::DirCache>,
    jtis: Arc<jti::JtiCache>,
    path: PathBuf,
}

/// Seconds since the Unix epoch (what `expires_at` columns hold).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// File name of the database inside the data dir.
pub const DB_FILE: &str = "mockbank.sqlite3";

impl Store {
    /// Opens (creating and migrating if needed) the database in `dir`.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        let conn = migrations::open_migrated(&path)?;
        dict::TraceDict::current().save(&conn)?;
        let directory = Arc::new(dir_cache::DirCache::default());
        let jtis = Arc::new(jti::JtiCache::load(&conn, unix_now())?);
        let writer = Writer::start(conn, &path, config, directory.clone(), jtis.clone())?;
        let readers = Arc::new(reader::Readers::open(&path, 2)?);
        Ok(Store {
            writer,
            readers,
            directory,
            jtis,
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a `jti` until `expires_at`; `false` if it is still in force (a replay). Answered
    /// from memory; stored with the writer's next transaction, no later than the trace of
    /// the request that presented it.
    pub fn remember_jti(&self, issuer: &str, jti: &str, expires_at: i64, now: i64) -> bool {
        self.jtis.remember(issuer, jti, expires_at, now)
    }

    /// Gives back a jti remembered for a request that was refused (only success consumes it).
    pub fn forget_jti(&self, issuer: &str, jti: &str) {
        self.jtis.forget(issuer, jti)
    }

    /// Every check override, by profile and check.
    pub fn check_overrides(&self) -> Result<Vec<CheckOverride>, StoreError> {
        self.readers.with(reader::check_overrides)
    }

    /// Appends a trace; returns it with its sequence number once committed. The
    /// `on_trace` hook sees it too, in sequence order, even if this future is dropped.
    pub async fn insert_trace(
        &self,
        trace: mockbank_core::Trace,
    ) -> Result<Arc<mockbank_core::Trace>, StoreError> {
        self.commit(Vec::new(), trace).await.map_err(|f| f.error)
    }

    /// Commits `writes` and the trace of the request that caused them in one transaction:
    /// both or neither. This is how a request's effects are acknowledged — one commit. When
    /// it fails, the trace comes back (to be stored with the failure the client then gets).
    pub async fn commit(
        &self,
        writes: Vec<Write>,
        trace: mockbank_core::Trace,
    ) -> Result<Arc<mockbank_core::Trace>, CommitFailed> {
        let failed = |error| CommitFailed { error, trace: None };
        let (done, wait) = tokio::sync::oneshot::channel();
        let row = writer::TraceRow::new(trace).map_err(failed)?;
        let committed = self
            .writer
            .run(Op::Commit(writes, Box::new(row), Some(done)))
            .await;
        match (committed, wait.await) {
            (Ok(_), Ok(Ok(stored))) => Ok(stored),
            (Err(error), Ok(Err(trace))) => Err(CommitFailed {
                error,
                trace: Some(trace),
            }),
            (Err(error), _) => Err(failed(error)),
            (Ok(_), _) => Err(failed(StoreError::Closed)),
        }
    }

    /// What comparisons and walkthroughs made that still exists.
    pub fn leftovers(&self) -> Result<Leftovers, StoreError> {
        self.readers.with(reader::leftovers)
    }

    pub fn client(&self, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
        self.readers.with(|c| reader::client(c, client_id))
    }

    pub fn clients(&self, profile: Option<&str>) -> Result<Vec<ClientRow>, StoreError> {
        self.readers.with(|c| reader::clients(c, profile))
    }

    /// How many clients of `profile` have `member` = `value` in their metadata.
    pub fn count_clients_with(
        &self,
        profile: &str,
        member: &str,
        value: &str,
    ) -> Result<usize, StoreError> {
        self.readers
            .with(|c| reader::count_clients_with(c, profile, member, value))
    }

    pub fn token(&self, hash: &[u8]) -> Result<Option<TokenRow>, StoreError> {
        self.readers.with(|c| reader::token(c, hash))
    }

    /// Newest first.
    pub fn traces(&self, filter: &TraceFilter) -> Result<Vec<mockbank_core::Trace>, StoreError> {
        self.readers.with(|c| reader::traces(c, filter))
    }

    pub fn trace(&self, id: &str) -> Result<Option<mockbank_core::Trace>, StoreError> {
        self.readers.with(|c| reader::trace(c, id))
    }

    /// The traces of `scope` as a report reads them, a page at a time (see
    /// [`ReportSource`]): pinned to those stored now.
    pub fn report_source(&self, scope: ReportScope) -> Result<ReportSource, StoreError> {
        Ok(ReportSource {
            readers: self.readers.clone(),
            last_seq: self.readers.with(reader::last_seq)?,
            scope,
        })
    }

    /// Traces with `seq > after`, oldest first (SSE replay).
    pub fn traces_after(
        &self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<mockbank_core::Trace>, StoreError> {
        self.readers.with(|c| reader::traces_after(c, after, limit))
    }

    pub fn directory_entry(
        &self,
        kind: DirKind,
        id: &str,
    ) -> Result<Option<Arc<DirectoryRow>>, StoreError> {
        let generation = match self.directory.get(kind, id) {
            Ok(hit) => return Ok(hit),
            Err(generation) => generation,
        };
        let row = self
            .readers
            .with(|c| reader::directory_entry(c, kind, id))?
            .map(Arc::new);
        self.directory.put(generation, kind, id, row.clone());
        Ok(row)
    }

    /// The credentials bundle kept for a software.
    pub fn directory_bundle(&self, software_id: &str) -> Result<Option<Value>, StoreError> {
        self.readers
            .with(|c| reader::directory_bundle(c, software_id))
    }

    /// Entries of `kind`, newest first, optionally only those of one organisation.
    pub fn directory_entries(
        &self,
        kind: DirKind,
        org_id: Option<&str>,
    ) -> Result<Vec<DirectoryRow>, StoreError> {
        self.readers
            .with(|c| reader::directory_entries(c, kind, org_id))
    }

    pub fn trace_count(&self) -> Result<u64, StoreError> {
        self.readers.with(reader::trace_count)
    }

    /// Waits until every write queued so far is committed, then stops the writer.
    pub async fn close(&self) -> Result<(), StoreError> {
        self.writer.close().await
    }
}

#[cfg(test)]
mod tests;

/// The store's own tests set state up with single writes, each committed with a trace of its
/// own — the same path a request takes.
#[cfg(test)]
impl Store {
    async fn write(&self, w: Write) -> Result<(), StoreError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let trace = mockbank_core::Trace {
            seq: 0,
            id: format!("write-{}", N.fetch_add(1, Ordering::Relaxed)),
            time: "2026-11-23T00:00:00Z".into(),
            time_ms: 1,
            profile: "generic".into(),
            method: "POST".into(),
            path: "/generic/register".into(),
            status: 200,
            client_id: None,
            client_cert: None,
            request: Default::default(),
            response: Default::default(),
            checks: vec![],
            summary: Default::default(),
            failed_check: None,
            duration_us: 0,
        };
        self.commit(vec![w], trace)
            .await
            .map(drop)
            .map_err(|f| f.error)
    }

    /// `false` when the write's precondition failed.
    async fn write_if(&self, w: Write) -> Result<bool, StoreError> {
        match self.write(w).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn insert_client(
        &self,
        client: ClientRow,
        rat: TokenRow,
    ) -> Result<(), StoreError> {
        self.write(Write::Client(client, Some(rat))).await
    }

    pub(crate) async fn replace_client(
        &self,
        client: ClientRow,
        credential: &[u8],
        rotation: Option<TokenRow>,
    ) -> Result<bool, StoreError> {
        self.write_if(Write::ReplaceClient {
            client,
            credential: credential.to_vec(),
            rotation,
            conflict: test_conflict(),
        })
        .await
    }

    pub(crate) async fn delete_client(
        &self,
        client_id: &str,
        credential: Option<&[u8]>,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write_if(Write::DeleteClient {
            client_id: client_id.to_owned(),
            credential: credential.map(<[u8]>::to_vec),
            now,
            conflict: test_conflict(),
        })
        .await
    }

    pub(crate) async fn insert_token(&self, token: TokenRow) -> Result<(), StoreError> {
        self.write(Write::Token(token)).await
    }

    pub(crate) async fn rotate_token(
        &self,
        old_hash: &[u8],
        new: TokenRow,
    ) -> Result<bool, StoreError> {
        self.write_if(Write::RotateToken {
            old: old_hash.to_vec(),
            new,
            conflict: test_conflict(),
        })
        .await
    }

    pub(crate) async fn consume_token(&self, hash: &[u8], now: i64) -> Result<bool, StoreError> {
        self.write_if(Write::ConsumeToken {
            hash: hash.to_vec(),
            now,
            conflict: test_conflict(),
        })
        .await
    }

    pub(crate) async fn set_check_override(
        &self,
        profile: &str,
        check: &str,
        enabled: Option<bool>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(Write::CheckOverride {
            profile: profile.to_owned(),
            check: Some(check.to_owned()),
            enabled,
            now,
        })
        .await
    }

    pub(crate) async fn clear_check_overrides(&self, profile: &str) -> Result<(), StoreError> {
        self.write(Write::CheckOverride {
            profile: profile.to_owned(),
            check: None,
            enabled: None,
            now: 0,
        })
        .await
    }
}

#[cfg(test)]
fn test_conflict() -> mockbank_core::ProtocolError {
    mockbank_core::ProtocolError::new(mockbank_core::ErrorCode::InvalidToken, "conflict")
}
