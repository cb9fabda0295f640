//! The single writer thread: takes write operations from a queue and commits them in groups
//! (one transaction per group, a savepoint per operation so one failure spoils nothing else).

use std::sync::mpsc;
use std::thread;

use rusqlite::{params, Connection};
use tokio::sync::oneshot;

use std::sync::Arc;

use mockbank_core::Trace;

use crate::dict::TraceDict;
use crate::dir_cache::DirCache;
use crate::jti::JtiCache;
use crate::{ClientRow, StoreConfig, StoreError, TokenRow, Write};

/// Most operations committed in one transaction.
const MAX_GROUP: usize = 512;
/// The writer connection's page cache, in KiB.
const WRITER_CACHE_KIB: i64 = 8 * 1024;

pub struct TraceRow {
    pub trace: Trace,
    /// LZ4 of the trace's JSON, with the dictionary `dict`.
    pub body: Vec<u8>,
    pub dict: i64,
    pub search: String,
}

/// Longest body excerpt kept searchable (cut at a character boundary).
const SEARCH_BODY_BYTES: usize = 4096;

impl TraceRow {
    /// Serialises and compresses on the caller's thread, not the writer's.
    pub fn new(trace: Trace) -> Result<Self, StoreError> {
        let json = mockbank_core::trace::in_storage_form(|| serde_json::to_vec(&trace))?;
        let dict = TraceDict::current();
        let body = lz4_flex::block::compress_prepend_size_with_dict(&json, &dict.content);
        let excerpt = |v: &serde_json::Value| {
            // A signed request is base64url: nothing in it is searchable as text (its
            // claims are decoded when the trace is read).
            if v.as_str().is_some_and(mockbank_core::jwt::looks_compact) {
                return String::new();
            }
            // Serialise only as much of the body as the search text keeps: a writer that
            // stops at the limit (the error it returns only ends the serialisation).
            struct Capped(Vec<u8>);
            impl std::io::Write for Capped {
                fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                    let room = SEARCH_BODY_BYTES.saturating_sub(self.0.len());
                    if room == 0 {
                        return Err(std::io::ErrorKind::WriteZero.into());
                    }
                    let n = buf.len().min(room);
                    self.0.extend_from_slice(&buf[..n]);
                    Ok(n)
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let mut out = Capped(Vec::with_capacity(SEARCH_BODY_BYTES));
            let _ = serde_json::to_writer(&mut out, v);
            // Cut at a character boundary.
            match String::from_utf8(out.0) {
                Ok(text) => text,
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let mut bytes = e.into_bytes();
                    bytes.truncate(valid);
                    String::from_utf8(bytes).unwrap_or_default()
                }
            }
        };
        let search = format!(
            "{} {} {} {} {} {} {} {}",
            trace.id,
            trace.method,
            trace.path,
            trace.status,
            trace.client_id.as_deref().unwrap_or(""),
            trace.failed_check.as_deref().unwrap_or(""),
            excerpt(&trace.request.body),
            excerpt(&trace.response.body),
        );
        Ok(TraceRow {
            trace,
            body,
            dict: dict.id,
            search,
        })
    }
}

pub(crate) enum Op {
    /// Writes that must commit together with the trace of the request that caused them.
    Commit(
        Vec<Write>,
        Box<TraceRow>,
        /// The stored trace, or the trace back when the commit failed.
        Option<oneshot::Sender<Result<Arc<Trace>, Trace>>>,
    ),
}

impl Op {
    fn writes_directory(&self) -> bool {
        match self {
            Op::Commit(writes, ..) => writes.iter().any(|w| {
                matches!(
                    w,
                    Write::Directory(..)
                        | Write::DirectoryStatus(..)
                        | Write::ClearLeftovers { .. }
                )
            }),
        }
    }
}

enum Msg {
    Op(Box<Op>, oneshot::Sender<Result<i64, StoreError>>),
    Close(oneshot::Sender<()>),
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
}

impl Writer {
    pub fn start(
        conn: Connection,
        path: &std::path::Path,
        config: StoreConfig,
        directory: Arc<DirCache>,
        jtis: Arc<JtiCache>,
    ) -> Result<Writer, StoreError> {
        // Checkpoints (which copy the WAL back and fsync the database file) run on their own
        // thread (`checkpoint_loop`), never in the writer's way; after a restart the WAL file
        // is cut back to 64 MiB.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // Inserts land on random pages of the key indexes (client ids, token hashes, jtis);
        // a read that misses this cache is a copy from the OS page cache. Not larger: every
        // commit that split a b-tree page walks this cache's whole hash table (SQLite's
        // `balance_nonroot` renumbers pages through the pending-byte page, so
        // `pager_end_transaction` truncates the cache past it), which at 64 MiB cost the
        // writer more than a third of its time.
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        conn.set_prepared_statement_cache_capacity(64);
        let checkpoints = Connection::open(path)?;
        crate::migrations::configure(&checkpoints)?;
        let (stop_checkpoints, stopped) = mpsc::channel::<()>();
        thread::Builder::new()
            .name("mockbank-store-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoints, stopped))
            .map_err(|e| StoreError::Open("checkpoint thread".into(), e.to_string()))?;
        let (tx, rx) = mpsc::channel();
        thread::Builder::new()
            .name("mockbank-store-writer".into())
            .spawn(move || writer_loop(conn, rx, config, directory, jtis, stop_checkpoints))
            .map_err(|e| StoreError::Open("writer thread".into(), e.to_string()))?;
        Ok(Writer { tx })
    }

    /// Queues `op` and waits for its commit. Returns an op-specific number (row id, count).
    pub async fn run(&self, op: Op) -> Result<i64, StoreError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Msg::Op(Box::new(op), done))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)?
    }

    pub async fn close(&self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Msg::Close(done))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)
    }
}

/// How often the checkpoint thread copies WAL frames back, idle and while there is work.
const CHECKPOINT_IDLE: std::time::Duration = std::time::Duration::from_millis(200);
const CHECKPOINT_BUSY: std::time::Duration = std::time::Duration::from_millis(20);
/// WAL frames (pages) beyond which the checkpoint thread makes the WAL start over.
const WAL_RESTART_FRAMES: i64 = 8000;
/// Frames a RESTART may still have to copy while new writes wait.
const RESTART_BACKLOG: i64 = 1000;

/// Checkpoints happen here, never on the writer: PASSIVE ones copy frames back while the
/// writer goes on appending; once the WAL is long, a RESTART one (which holds new writes
/// only while it copies the last few frames) lets the next write start the WAL over, so it
/// does not grow without bound.
fn checkpoint_loop(conn: Connection, stop: mpsc::Receiver<()>) {
    let mut pause = CHECKPOINT_IDLE;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(pause) {
        let checkpoint = |mode: &str| {
            conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
                Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
        };
        pause = match checkpoint("PASSIVE") {
            // Restart when little is left to copy (writes wait only that long), or anyway
            // once the WAL is far too long.
            Ok((frames, copied))
                if frames >= WAL_RESTART_FRAMES
                    && (frames - copied <= RESTART_BACKLOG || frames >= 4 * WAL_RESTART_FRAMES) =>
            {
                if let Err(e) = checkpoint("RESTART") {
                    tracing::debug!(error = %e, "restart checkpoint failed");
                }
                CHECKPOINT_BUSY
            }
            Ok((frames, copied)) if frames > copied => CHECKPOINT_BUSY,
            Ok(_) => CHECKPOINT_IDLE,
            Err(e) => {
                tracing::debug!(error = %e, "passive checkpoint failed");
                CHECKPOINT_IDLE
            }
        };
    }
}

fn writer_loop(
    conn: Connection,
    rx: mpsc::Receiver<Msg>,
    config: StoreConfig,
    directory: Arc<DirCache>,
    jtis: Arc<JtiCache>,
    stop_checkpoints: mpsc::Sender<()>,
) {
    let mut since_prune: u64 = 0;
    let prune_every = (config.trace_retention / 100).max(1);
    let mut last_seq: i64 = 0;
    let mut closing: Option<oneshot::Sender<()>> = None;
    while closing.is_none() {
        let Ok(first) = rx.recv() else { break };
        let mut group = Vec::new();
        let push = |m: Msg, group: &mut Vec<_>, closing: &mut Option<_>| match m {
            Msg::Op(op, done) => group.push((*op, done)),
            Msg::Close(done) => *closing = Some(done),
        };
        push(first, &mut group, &mut closing);
        while group.len() < MAX_GROUP && closing.is_none() {
            match rx.try_recv() {
                Ok(m) => push(m, &mut group, &mut closing),
                Err(_) => break,
            }
        }
        let traces = group
            .iter()
            .filter(|(op, _)| matches!(op, Op::Commit(..)))
            .count() as u64;
        let results = commit_group(&conn, &jtis, group.iter().map(|(op, _)| op));
        // Before anyone hears of the commit: their next read must see it.
        if group.iter().any(|(op, _)| op.writes_directory()) {
            directory.invalidate();
        }
        since_prune += traces;
        if since_prune >= prune_every {
            since_prune = 0;
            if let Err(e) = prune_traces(&conn, last_seq, config.trace_retention) {
                tracing::warn!(error = %e, "trace retention prune failed");
            }
        }
        for ((op, done), result) in group.into_iter().zip(results) {
            match (op, &result) {
                (Op::Commit(_, row, sink), Ok(seq)) => {
                    last_seq = last_seq.max(*seq);
                    let mut trace = row.trace;
                    trace.seq = *seq as u64;
                    let trace = Arc::new(trace);
                    if let Some(hook) = &config.on_trace {
                        hook(trace.clone());
                    }
                    if let Some(sink) = sink {
                        let _ = sink.send(Ok(trace));
                    }
                }
                (Op::Commit(_, row, Some(sink)), Err(_)) => {
                    let _ = sink.send(Err(row.trace));
                }
                _ => {}
            }
            let _ = done.send(result);
        }
    }
    drop(stop_checkpoints);
    // Jtis remembered since the last group (their requests never reached the store).
    let saved = exec(&conn, "BEGIN IMMEDIATE", [])
        .and_then(|_| jtis.save(&conn))
        .and_then(|_| exec(&conn, "COMMIT", []));
    if let Err(e) = saved {
        tracing::warn!(error = %e, "saving the jti cache at close failed");
    }
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::debug!(error = %e, "checkpoint at close failed");
    }
    drop(conn);
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

/// Runs a statement, parsed once per connection (the writer runs the same few thousands of
/// times a second).
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

/// Runs a group in one transaction, each op in its own savepoint so one failure spoils
/// nothing else. If the commit itself fails, every op reports it.
fn commit_group<'a>(
    conn: &Connection,
    jtis: &JtiCache,
    ops: impl Iterator<Item = &'a Op>,
) -> Vec<Result<i64, StoreError>> {
    // The jtis remembered before these ops were queued go first: a request's jti is never
    // stored after its trace.
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE", []).and_then(|_| jtis.save(conn)) {
        let _ = exec(conn, "ROLLBACK", []);
        return ops
            .map(|_| Err(StoreError::Commit(e.to_string())))
            .collect();
    }
    let mut results = Vec::new();
    for op in ops {
        let result = exec(conn, "SAVEPOINT op", [])
            .map_err(StoreError::from)
            .and_then(|_| apply(conn, op));
        let closed = match &result {
            Ok(_) => exec(conn, "RELEASE op", []),
            Err(_) => exec(conn, "ROLLBACK TO op", []).and_then(|_| exec(conn, "RELEASE op", [])),
        };
        results.push(match closed {
            Ok(_) => result,
            Err(e) => Err(e.into()),
        });
    }
    if let Err(e) = exec(conn, "COMMIT", []) {
        tracing::error!(error = %e, "store commit failed");
        let _ = exec(conn, "ROLLBACK", []);
        return results
            .iter()
            .map(|_| Err(StoreError::Commit(e.to_string())))
            .collect();
    }
    results
}

fn insert_token(c: &Connection, t: &TokenRow) -> rusqlite::Result<usize> {
    exec(c,
        "INSERT INTO tokens (hash, kind, client_id, profile, scope, issued_at, expires_at, revoked_at, cnf, uses_left)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![t.hash, t.kind.as_str(), t.client_id, t.profile, t.scope, t.issued_at, t.expires_at, t.revoked_at, t.cnf, t.uses_left],
    )
}

/// Whether a token is stored and not revoked (expiry is the checks' business).
fn token_active(c: &Connection, hash: &[u8]) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")?
        .exists(params![hash])
}

/// Replaces an existing client's mutable members; 0 when the client is gone.
fn update_client(c: &Connection, client: &ClientRow) -> Result<usize, StoreError> {
    Ok(exec(
        c,
        "UPDATE clients SET metadata = ?2, secret_hash = ?3, secret_expires_at = ?4,
            updated_at = ?5, secret_sealed = ?6
         WHERE client_id = ?1",
        params![
            client.client_id,
            serde_json::to_string(&client.metadata)?,
            client.secret_hash,
            client.secret_expires_at,
            client.updated_at,
            client.secret_sealed
        ],
    )?)
}

/// A new client; never replaces one (an id is issued once).
fn insert_client(c: &Connection, client: &ClientRow) -> Result<usize, StoreError> {
    Ok(exec(c,
        "INSERT INTO clients (client_id, profile, metadata, secret_hash, secret_expires_at, issued_at, updated_at, secret_sealed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            client.client_id,
            client.profile,
            serde_json::to_string(&client.metadata)?,
            client.secret_hash,
            client.secret_expires_at,
            client.issued_at,
            client.updated_at,
            client.secret_sealed
        ],
    )?)
}

fn apply(c: &Connection, op: &Op) -> Result<i64, StoreError> {
    Ok(match op {
        Op::Commit(writes, row, _) => {
            for w in writes {
                apply_write(c, w)?;
            }
            let t = &row.trace;
            c.prepare_cached(
                "INSERT INTO traces (id, time_ms, profile, method, path, status, client_id, failed, search, body, dict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                t.id,
                t.time_ms,
                t.profile,
                t.method,
                t.path,
                t.status,
                t.client_id,
                t.summary.fail,
                row.search,
                row.body,
                row.dict
            ])?;
            c.last_insert_rowid()
        }
    })
}

/// Revokes `old` if still active and inserts `new`; 0 when `old` was already gone.
/// One write of a commit. A write whose precondition fails answers `Conflict`, which rolls
/// back the request's savepoint: its other writes and its trace.
fn apply_write(c: &Connection, w: &Write) -> Result<(), StoreError> {
    let conflict = |e: &mockbank_core::ProtocolError| StoreError::Conflict(Box::new(e.clone()));
    match w {
        Write::Client(client, rat) => {
            insert_client(c, client)?;
            if let Some(rat) = rat {
                insert_token(c, rat)?;
            }
        }
        Write::Token(t) => {
            insert_token(c, t)?;
        }
        Write::Directory(kind, row) => {
            exec(c,
                &format!(
                    "INSERT OR REPLACE INTO {} (id, org_id, status, record, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    kind.table()
                ),
                params![row.id, row.org_id, row.status.as_str(), serde_json::to_string(&row.record)?, row.created_at],
            )?;
        }
        Write::Bundle(id, bundle) => {
            exec(
                c,
                "INSERT OR REPLACE INTO dir_bundles (software_id, bundle) VALUES (?1, ?2)",
                params![id, serde_json::to_string(bundle)?],
            )?;
        }
        Write::DirectoryStatus(kind, id, status) => {
            exec(
                c,
                &format!("UPDATE {} SET status = ?2 WHERE id = ?1", kind.table()),
                params![id, status.as_str()],
            )?;
        }
        Write::ReplaceClient {
            client,
            credential,
            rotation,
            conflict: e,
        } => {
            // The token that authorised the update must still be active (a DELETE revokes
            // every token of its client), and the client must still be there.
            let authorised = match rotation {
                Some(new) => rotate(c, credential, new)? == 1,
                None => token_active(c, credential)?,
            };
            if !authorised || update_client(c, client)? == 0 {
                return Err(conflict(e));
            }
        }
        Write::DeleteClient {
            client_id,
            credential,
            now,
            conflict: e,
        } => {
            if let Some(credential) = credential {
                if !token_active(c, credential)? {
                    return Err(conflict(e));
                }
            }
            let deleted = exec(
                c,
                "DELETE FROM clients WHERE client_id = ?1",
                params![client_id],
            )?;
            if deleted == 0 {
                return Err(conflict(e));
            }
            exec(
                c,
                "UPDATE tokens SET revoked_at = ?2 WHERE client_id = ?1 AND revoked_at IS NULL",
                params![client_id, now],
            )?;
        }
        Write::RevokeToken { hash, now } => {
            exec(
                c,
                "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash, now],
            )?;
        }
        Write::RotateToken {
            old,
            new,
            conflict: e,
        } => {
            if rotate(c, old, new)? == 0 {
                return Err(conflict(e));
            }
        }
        Write::ConsumeToken {
            hash,
            now,
            conflict: e,
        } => {
            if !consume(c, hash, *now)? {
                return Err(conflict(e));
            }
        }
        Write::Leftover {
            kind,
            id,
            tool,
            now,
        } => {
            exec(
                c,
                "INSERT OR IGNORE INTO leftovers (kind, id, tool, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind.as_str(), id, tool, now],
            )?;
        }
        Write::ClearLeftovers { now } => {
            const CLIENTS: &str = "SELECT id FROM leftovers WHERE kind = 'client'";
            const ORGS: &str = "SELECT id FROM leftovers WHERE kind = 'org'";
            exec(
                c,
                &format!("UPDATE tokens SET revoked_at = ?1 WHERE client_id IN ({CLIENTS}) AND revoked_at IS NULL"),
                params![now],
            )?;
            for sql in [
                format!("DELETE FROM clients WHERE client_id IN ({CLIENTS})"),
                format!("DELETE FROM dir_bundles WHERE software_id IN (SELECT id FROM dir_software WHERE org_id IN ({ORGS}))"),
                format!("DELETE FROM dir_software WHERE org_id IN ({ORGS})"),
                format!("DELETE FROM dir_certificates WHERE org_id IN ({ORGS})"),
                format!("DELETE FROM dir_orgs WHERE org_id IN ({ORGS})"),
                "DELETE FROM leftovers".to_owned(),
            ] {
                exec(c, &sql, [])?;
            }
        }
        Write::CheckOverride {
            profile,
            check,
            enabled,
            now,
        } => match (check, enabled) {
            (Some(check), Some(enabled)) => {
                exec(
                    c,
                    "INSERT INTO check_overrides (profile, check_id, enabled, updated_at) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (profile, check_id) \
                     DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                    params![profile, check, enabled, now],
                )?;
            }
            (Some(check), None) => {
                exec(
                    c,
                    "DELETE FROM check_overrides WHERE profile = ?1 AND check_id = ?2",
                    params![profile, check],
                )?;
            }
            (None, _) => {
                exec(
                    c,
                    "DELETE FROM check_overrides WHERE profile = ?1",
                    params![profile],
                )?;
            }
        },
    }
    Ok(())
}

/// Uses a registration credential once; `false` when it is used up or revoked.
fn consume(c: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<bool> {
    let counted = exec(
        c,
        "UPDATE tokens SET uses_left = uses_left - 1,
                revoked_at = CASE WHEN uses_left = 1 THEN ?2 ELSE revoked_at END
         WHERE hash = ?1 AND revoked_at IS NULL AND uses_left > 0",
        params![hash, now],
    )?;
    if counted == 1 {
        return Ok(true);
    }
    // No count: an unlimited initial token stays, an access token is spent.
    let kind: Option<String> = c
        .query_row(
            "SELECT kind FROM tokens WHERE hash = ?1 AND revoked_at IS NULL AND uses_left IS NULL",
            params![hash],
            |r| r.get(0),
        )
        .ok();
    Ok(match kind.as_deref() {
        Some("initial") => true,
        Some(_) => {
            exec(
                c,
                "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash, now],
            )? == 1
        }
        None => false,
    })
}

fn rotate(c: &Connection, old: &[u8], new: &TokenRow) -> rusqlite::Result<usize> {
    let revoked = exec(
        c,
        "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
        params![old, new.issued_at],
    )?;
    if revoked == 1 {
        insert_token(c, new)?;
    }
    Ok(revoked)
}

/// Drops the oldest traces beyond `keep`, and expired jtis. Sequence numbers are dense (AUTOINCREMENT, one
/// writer), so the cut is a cheap range delete on the primary key.
fn prune_traces(c: &Connection, last_seq: i64, keep: u64) -> rusqlite::Result<usize> {
    // Expired jtis no longer block anything (the cache forgets them too).
    exec(
        c,
        "DELETE FROM jti_seen WHERE expires_at < ?1",
        params![crate::unix_now()],
    )?;
    let cut = last_seq - keep as i64;
    if cut <= 0 {
        return Ok(0);
    }
    exec(c, "DELETE FROM traces WHERE seq <= ?1", params![cut])
}
