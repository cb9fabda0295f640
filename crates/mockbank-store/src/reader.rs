//! Read-only queries over a small pool of connections.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use mockbank_core::{CheckOverride, Trace};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use serde_json::Value;

use crate::dict::TraceDict;
use crate::{ClientRow, DirKind, DirectoryRow, StoreError, TokenKind, TokenRow};

pub(crate) struct Readers {
    pool: Vec<Mutex<Connection>>,
}

impl Readers {
    pub fn open(path: &Path, n: usize) -> Result<Readers, StoreError> {
        let pool = (0..n.max(1))
            .map(|_| {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(Mutex::new(c))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Readers { pool })
    }

    /// Runs `f` on a free connection (or waits for the first one).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let guard: MutexGuard<Connection> = self
            .pool
            .iter()
            .find_map(|m| m.try_lock().ok())
            .unwrap_or_else(|| self.pool[0].lock().unwrap_or_else(|p| p.into_inner()));
        f(&guard)
    }
}

fn client_row(r: &Row) -> rusqlite::Result<(ClientRow, String)> {
    Ok((
        ClientRow {
            client_id: r.get(0)?,
            profile: r.get(1)?,
            metadata: Default::default(),
            secret_hash: r.get(3)?,
            secret_expires_at: r.get(4)?,
            issued_at: r.get(5)?,
            updated_at: r.get(6)?,
            secret_sealed: r.get(7)?,
        },
        r.get(2)?,
    ))
}

fn with_metadata((mut row, json): (ClientRow, String)) -> Result<ClientRow, StoreError> {
    row.metadata = serde_json::from_str(&json)?;
    Ok(row)
}

const CLIENT_COLUMNS: &str =
    "client_id, profile, metadata, secret_hash, secret_expires_at, issued_at, updated_at, secret_sealed";

pub(crate) fn client(c: &Connection, id: &str) -> Result<Option<ClientRow>, StoreError> {
    let row = c
        .prepare_cached(&format!(
            "SELECT {CLIENT_COLUMNS} FROM clients WHERE client_id = ?1"
        ))?
        .query_row(params![id], client_row)
        .optional()?;
    row.map(with_metadata).transpose()
}

pub(crate) fn clients(c: &Connection, profile: Option<&str>) -> Result<Vec<ClientRow>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM clients WHERE (?1 IS NULL OR profile = ?1) ORDER BY issued_at DESC"
    ))?;
    let rows = stmt.query_map(params![profile], client_row)?;
    rows.map(|r| with_metadata(r?)).collect()
}

pub(crate) fn count_clients_with(
    c: &Connection,
    profile: &str,
    member: &str,
    value: &str,
) -> Result<usize, StoreError> {
    let path = format!("$.\"{}\"", member.replace('"', ""));
    Ok(c.prepare_cached(
        "SELECT COUNT(*) FROM clients WHERE profile = ?1 AND json_extract(metadata, ?2) = ?3",
    )?
    .query_row(params![profile, path, value], |r| r.get::<_, i64>(0))? as usize)
}

pub(crate) fn token(c: &Connection, hash: &[u8]) -> Result<Option<TokenRow>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT hash, kind, client_id, profile, scope, issued_at, expires_at, revoked_at, cnf, uses_left
             FROM tokens WHERE hash = ?1",
    )?
    .query_row(params![hash], |r| {
        Ok(TokenRow {
            hash: r.get(0)?,
            kind: TokenKind::parse(&r.get::<_, String>(1)?),
            client_id: r.get(2)?,
            profile: r.get(3)?,
            scope: r.get(4)?,
            issued_at: r.get(5)?,
            expires_at: r.get(6)?,
            revoked_at: r.get(7)?,
            cnf: r.get(8)?,
            uses_left: r.get(9)?,
        })
    })
    .optional()?)
}

/// Which traces to list.
#[derive(Debug, Clone, Default)]
pub struct TraceFilter {
    /// At most this many (capped at 1000).
    pub limit: u32,
    /// Only traces older than this sequence number (paging).
    pub before: Option<u64>,
    pub profile: Option<String>,
    pub client_id: Option<String>,
    /// `fail`: traces with a failed check; `pass`: traces without.
    pub outcome: Option<String>,
    /// Text anywhere in the trace.
    pub text: Option<String>,
    /// Leave out the directory's admin listings (`GET /directory/orgs`, `/software[...]`,
    /// `/variants`): the reads the UI makes to draw itself. Key and CA downloads stay.
    pub hide_directory_reads: bool,
}

fn trace_of(c: &Connection, (seq, body, dict): TraceCols) -> Result<Trace, StoreError> {
    let json = match dict {
        Some(id) => {
            let dict = TraceDict::load(c, id)?;
            lz4_flex::block::decompress_size_prepended_with_dict(&body, &dict)
        }
        None => lz4_flex::decompress_size_prepended(&body),
    }
    .map_err(|e| StoreError::Corrupt(format!("trace {seq} does not decompress: {e}")))?;
    let mut t: Trace = serde_json::from_slice(&json)?;
    t.restore_stored_form();
    t.seq = seq as u64;
    Ok(t)
}

/// `seq, body, dict` of a trace row.
type TraceCols = (i64, Vec<u8>, Option<i64>);

fn trace_cols(r: &Row) -> rusqlite::Result<TraceCols> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

pub(crate) fn traces(c: &Connection, f: &TraceFilter) -> Result<Vec<Trace>, StoreError> {
    let failed = match f.outcome.as_deref() {
        Some("fail") => Some(1),
        Some("pass") => Some(0),
        _ => None,
    };
    let text = f.text.as_ref().map(|t| {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let mut stmt = c.prepare_cached(
        "SELECT seq, body, dict FROM traces
         WHERE (?1 IS NULL OR seq < ?1)
           AND (?2 IS NULL OR profile = ?2)
           AND (?3 IS NULL OR client_id = ?3)
           AND (?4 IS NULL OR (failed > 0) = (?4 = 1))
           AND (?5 IS NULL OR search LIKE ?5 ESCAPE '\\')
           AND NOT (?7 AND profile = 'directory' AND method = 'GET'
                    AND path NOT LIKE '%jwks%' AND path NOT LIKE '/directory/ca.pem%')
         ORDER BY seq DESC LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            f.before.map(|b| b as i64),
            f.profile,
            f.client_id,
            failed,
            text,
            f.limit.clamp(1, 1000),
            f.hide_directory_reads
        ],
        trace_cols,
    )?;
    rows.map(|r| trace_of(c, r?)).collect()
}

pub(crate) fn trace(c: &Connection, id: &str) -> Result<Option<Trace>, StoreError> {
    let row = c
        .prepare_cached("SELECT seq, body, dict FROM traces WHERE id = ?1")?
        .query_row(params![id], trace_cols)
        .optional()?;
    row.map(|cols| trace_of(c, cols)).transpose()
}

pub(crate) fn traces_after(
    c: &Connection,
    after: u64,
    limit: u32,
) -> Result<Vec<Trace>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, body, dict FROM traces WHERE seq > ?1 ORDER BY seq ASC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after as i64, limit], trace_cols)?;
    rows.map(|r| trace_of(c, r?)).collect()
}

pub(crate) fn trace_count(c: &Connection) -> Result<u64, StoreError> {
    Ok(c.query_row("SELECT COUNT(*) FROM traces", [], |r| r.get::<_, i64>(0))? as u64)
}

fn directory_row(r: &Row) -> rusqlite::Result<(DirectoryRow, String)> {
    Ok((
        DirectoryRow {
            id: r.get(0)?,
            org_id: r.get(1)?,
            status: r.get(2)?,
            record: serde_json::Value::Null,
            created_at: r.get(4)?,
        },
        r.get(3)?,
    ))
}

fn with_record((mut row, json): (DirectoryRow, String)) -> Result<DirectoryRow, StoreError> {
    row.record = serde_json::from_str(&json)?;
    Ok(row)
}

pub(crate) fn directory_entry(
    c: &Connection,
    kind: DirKind,
    id: &str,
) -> Result<Option<DirectoryRow>, StoreError> {
    let row = c
        .prepare_cached(&format!(
            "SELECT id, org_id, status, record, created_at FROM {} WHERE id = ?1",
            kind.table()
        ))?
        .query_row(params![id], directory_row)
        .optional()?;
    row.map(with_record).transpose()
}

pub(crate) fn directory_bundle(c: &Connection, id: &str) -> Result<Option<Value>, StoreError> {
    let json: Option<String> = c
        .prepare_cached("SELECT bundle FROM dir_bundles WHERE software_id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

pub(crate) fn directory_entries(
    c: &Connection,
    kind: DirKind,
    org_id: Option<&str>,
) -> Result<Vec<DirectoryRow>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT id, org_id, status, record, created_at FROM {} WHERE (?1 IS NULL OR org_id = ?1) ORDER BY created_at DESC, id",
        kind.table()
    ))?;
    let rows = stmt.query_map(params![org_id], directory_row)?;
    rows.map(|r| with_record(r?)).collect()
}

pub(crate) fn check_overrides(c: &Connection) -> Result<Vec<CheckOverride>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT profile, check_id, enabled FROM check_overrides ORDER BY profile, check_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(CheckOverride {
            profile: r.get(0)?,
            check: r.get(1)?,
            enabled: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
