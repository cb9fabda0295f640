//! Read-only queries over a small pool of connections.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use mockbank_core::report::{self, Case, Counts};
use mockbank_core::{CheckOverride, Trace};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use serde_json::Value;

use crate::dict::TraceDict;
use crate::{ClientRow, DirKind, DirectoryRow, DirectoryStatus, StoreError, TokenKind, TokenRow};

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

/// A stored trace's JSON.
fn trace_json(c: &Connection, (seq, body, dict): &TraceCols) -> Result<Vec<u8>, StoreError> {
    match dict {
        Some(id) => {
            let dict = TraceDict::load(c, *id)?;
            lz4_flex::block::decompress_size_prepended_with_dict(body, &dict)
        }
        None => lz4_flex::decompress_size_prepended(body),
    }
    .map_err(|e| StoreError::Corrupt(format!("trace {seq} does not decompress: {e}")))
}

fn trace_of(c: &Connection, cols: TraceCols) -> Result<Trace, StoreError> {
    let json = trace_json(c, &cols)?;
    let seq = cols.0;
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

/// Which traces a report covers (see [`crate::Store::report_source`]).
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    pub profile: Option<String>,
    pub client_id: Option<String>,
    /// Only traces of requests at or after this time (milliseconds since the epoch).
    pub since_ms: Option<i64>,
    /// Leave out the bank operator's own admin changes (traced under `admin`).
    pub skip_admin: bool,
}

/// A report's traces, read a page at a time: at most [`REPORT_PAGE`] requests, and no more
/// once a page holds about [`REPORT_PAGE_BYTES`] of them (a request's line and failed checks;
/// its bodies are never kept). Pinned to the traces stored when it was made, so every pass
/// of a report sees the same ones (traces that retention drops meanwhile are left out).
pub struct ReportSource {
    pub(crate) readers: std::sync::Arc<Readers>,
    pub(crate) scope: ReportScope,
    /// The newest trace the report covers.
    pub(crate) last_seq: u64,
}

/// Requests per page of a report.
pub const REPORT_PAGE: usize = 256;
/// What a page of a report holds at most, give or take one request.
pub const REPORT_PAGE_BYTES: usize = 1 << 20;
/// Profiles per page of a report.
const REPORT_PROFILES_PAGE: u32 = 100;

pub(crate) fn last_seq(c: &Connection) -> Result<u64, StoreError> {
    Ok(
        c.query_row("SELECT COALESCE(MAX(seq), 0) FROM traces", [], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

/// The scope's conditions, on `?1`..`?4` (its profile, `?5`, apart).
const REPORT_WHERE: &str = "seq <= ?1 AND (?2 IS NULL OR client_id = ?2)
    AND (?3 IS NULL OR time_ms >= ?3) AND NOT (?4 AND profile = 'admin')";

fn counts(r: &Row, first: usize) -> rusqlite::Result<Counts> {
    Ok(Counts {
        requests: r.get::<_, i64>(first)? as u64,
        failed_requests: r.get::<_, Option<i64>>(first + 1)?.unwrap_or(0) as u64,
        failed_checks: r.get::<_, Option<i64>>(first + 2)?.unwrap_or(0) as u64,
    })
}

impl ReportSource {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> std::io::Result<T> {
        self.readers.with(f).map_err(std::io::Error::other)
    }
}

/// Counts come from the indexed columns (`failed`: the trace's failed checks, set when it
/// was stored); the requests themselves from the stored traces.
impl report::Source for ReportSource {
    fn totals(&mut self) -> std::io::Result<Counts> {
        let s = &self.scope;
        self.with(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT COUNT(*), SUM(failed > 0), SUM(failed) FROM traces
                 WHERE {REPORT_WHERE} AND (?5 IS NULL OR profile = ?5)"
            ))?
            .query_row(
                params![
                    self.last_seq as i64,
                    s.client_id,
                    s.since_ms,
                    s.skip_admin,
                    s.profile
                ],
                |r| counts(r, 0),
            )?)
        })
    }

    fn profiles(&mut self, after: Option<&str>) -> std::io::Result<Vec<(String, Counts)>> {
        let s = &self.scope;
        // By the `traces_profile` index, in its (binary) order: the first page from '' on.
        let from = if after.is_some() { ">" } else { ">=" };
        self.with(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT profile, COUNT(*), SUM(failed > 0), SUM(failed) FROM traces
                 WHERE {REPORT_WHERE} AND (?5 IS NULL OR profile = ?5) AND profile {from} ?6
                 GROUP BY profile ORDER BY profile LIMIT ?7"
            ))?;
            let rows = stmt.query_map(
                params![
                    self.last_seq as i64,
                    s.client_id,
                    s.since_ms,
                    s.skip_admin,
                    s.profile,
                    after.unwrap_or(""),
                    REPORT_PROFILES_PAGE
                ],
                |r| Ok((r.get::<_, String>(0)?, counts(r, 1)?)),
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn cases(
        &mut self,
        profile: Option<&str>,
        failed_only: bool,
        after: u64,
    ) -> std::io::Result<Vec<Case>> {
        let s = &self.scope;
        let profile = match (profile, s.profile.as_deref()) {
            (Some(p), Some(q)) if p != q => return Ok(Vec::new()),
            (p, q) => p.or(q),
        };
        // One profile's traces by the `traces_profile` index, all of them by `seq`.
        let (by, of_profile) = match profile {
            Some(_) => ("INDEXED BY traces_profile", "profile = ?5"),
            None => ("", "?5 IS NULL"),
        };
        self.with(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT seq, body, dict FROM traces {by}
                 WHERE {REPORT_WHERE} AND {of_profile} AND seq > ?6 AND (NOT ?7 OR failed > 0)
                 ORDER BY seq LIMIT ?8"
            ))?;
            let mut rows = stmt.query(params![
                self.last_seq as i64,
                s.client_id,
                s.since_ms,
                s.skip_admin,
                profile,
                after as i64,
                failed_only,
                REPORT_PAGE as i64
            ])?;
            let (mut page, mut bytes) = (Vec::new(), 0);
            while let Some(row) = rows.next()? {
                let cols = trace_cols(row)?;
                let case = Case::from_stored_json(&trace_json(c, &cols)?, cols.0 as u64)?;
                bytes += case.size();
                page.push(case);
                if bytes >= REPORT_PAGE_BYTES {
                    break;
                }
            }
            Ok(page)
        })
    }
}

pub(crate) fn trace_count(c: &Connection) -> Result<u64, StoreError> {
    Ok(c.query_row("SELECT COUNT(*) FROM traces", [], |r| r.get::<_, i64>(0))? as u64)
}

fn directory_row(r: &Row) -> rusqlite::Result<(DirectoryRow, String)> {
    Ok((
        DirectoryRow {
            id: r.get(0)?,
            org_id: r.get(1)?,
            // A status this version does not know vouches for nothing.
            status: DirectoryStatus::parse(&r.get::<_, String>(2)?)
                .unwrap_or(DirectoryStatus::Revoked),
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

pub(crate) fn leftovers(c: &Connection) -> Result<crate::Leftovers, StoreError> {
    let ids = |sql: &str| -> Result<Vec<String>, StoreError> {
        let mut stmt = c.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    Ok(crate::Leftovers {
        clients: ids(
            "SELECT l.id FROM leftovers l JOIN clients ON clients.client_id = l.id \
             WHERE l.kind = 'client' ORDER BY l.created_at, l.id",
        )?,
        software: ids(
            "SELECT s.id FROM dir_software s JOIN leftovers l ON l.kind = 'org' AND l.id = s.org_id \
             ORDER BY s.created_at, s.id",
        )?,
    })
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

#[cfg(test)]
mod report_tests {
    use mockbank_core::report::{self, Case, Cases, Format, Source};
    use mockbank_core::trace::{CheckResult, CheckSummary, HttpRecord, OutcomeKind, Severity};
    use mockbank_core::Trace;

    use crate::{ReportScope, Store, StoreConfig};

    fn trace(n: u64) -> Trace {
        let profile = ["generic", "stet", "obuk", "admin"][(n % 7 % 4) as usize];
        let checks: Vec<CheckResult> = (0..n % 3)
            .map(|i| CheckResult {
                id: [
                    "generic.redirect.no_fragment",
                    "generic.grant_types.supported",
                ][i as usize]
                    .into(),
                title: "".into(),
                spec: if n.is_multiple_of(5) {
                    "My bank §1".into()
                } else {
                    "".into()
                },
                outcome: if n.is_multiple_of(4) {
                    OutcomeKind::Pass
                } else {
                    OutcomeKind::Fail
                },
                detail: format!("detail {n} `{i}`"),
                values: Default::default(),
                severity: Severity::Error,
                duration_us: 0,
            })
            .collect();
        Trace {
            seq: 0,
            id: format!("t{n}"),
            time: format!("2026-11-23T00:{:02}:00Z", n % 60),
            time_ms: n as i64 * 1000,
            profile: profile.into(),
            method: "POST".into(),
            path: format!("/{profile}/register"),
            status: 400,
            client_id: Some(format!("c{}", n % 2)),
            client_cert: None,
            request: HttpRecord {
                body: serde_json::json!({"padding": "x".repeat(2000)}),
                ..Default::default()
            },
            response: HttpRecord::default(),
            summary: CheckSummary::of(&checks),
            checks,
            failed_check: None,
            duration_us: 1000 + n,
        }
    }

    fn render(src: &mut dyn Source, format: Format) -> String {
        let mut out = Vec::new();
        report::write(src, format, true, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// More traces than a page: a report read page by page from the store says what one
    /// over all of them in memory says, for each scope.
    #[tokio::test]
    async fn reports_read_the_store_a_page_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path(),
            StoreConfig {
                trace_retention: u64::MAX,
                on_trace: None,
            },
        )
        .unwrap();
        let n = 2 * super::REPORT_PAGE as u64 + 37;
        let mut stored = Vec::new();
        for i in 1..=n {
            let t = store.insert_trace(trace(i)).await.unwrap();
            let mut t = (*t).clone();
            t.restore_stored_form();
            stored.push(t);
        }
        let scopes = [
            ReportScope::default(),
            ReportScope {
                skip_admin: true,
                ..Default::default()
            },
            ReportScope {
                profile: Some("stet".into()),
                ..Default::default()
            },
            ReportScope {
                client_id: Some("c1".into()),
                since_ms: Some(300_000),
                ..Default::default()
            },
        ];
        for scope in scopes {
            let expected: Vec<Case> = stored
                .iter()
                .filter(|t| scope.profile.as_ref().is_none_or(|p| &t.profile == p))
                .filter(|t| {
                    scope
                        .client_id
                        .as_ref()
                        .is_none_or(|c| t.client_id.as_ref() == Some(c))
                })
                .filter(|t| scope.since_ms.is_none_or(|s| t.time_ms >= s))
                .filter(|t| !(scope.skip_admin && t.profile == "admin"))
                .map(Case::of)
                .collect();
            assert!(!expected.is_empty());
            let mut from_store = store.report_source(scope.clone()).unwrap();
            let mut in_memory = Cases::new(expected.clone(), usize::MAX);
            assert_eq!(from_store.totals().unwrap(), in_memory.totals().unwrap());
            for format in [Format::Junit, Format::Json, Format::Markdown] {
                assert_eq!(
                    render(&mut from_store, format),
                    render(&mut in_memory, format),
                    "{scope:?} {format:?}"
                );
            }
            // Pages are pages.
            let page = from_store.cases(None, false, 0).unwrap();
            assert_eq!(page.len(), expected.len().min(super::REPORT_PAGE));
            assert_eq!(page, expected[..page.len()]);
        }
        // Pinned: what is stored later is not in a report made before.
        let mut before = store.report_source(ReportScope::default()).unwrap();
        store.insert_trace(trace(n + 1)).await.unwrap();
        assert_eq!(before.totals().unwrap().requests, n);
    }

    /// One profile's cases come by the `traces_profile` index, not a scan of every trace.
    #[test]
    fn one_profile_is_read_by_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        let plan: String = store
            .readers
            .with(|c| {
                let mut stmt = c.prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT seq, body, dict FROM traces INDEXED BY traces_profile
                     WHERE {} AND profile = ?5 AND seq > ?6 AND (NOT ?7 OR failed > 0)
                     ORDER BY seq LIMIT ?8",
                    super::REPORT_WHERE
                ))?;
                let rows = stmt.query_map(
                    rusqlite::params![
                        1,
                        None::<String>,
                        None::<i64>,
                        false,
                        "generic",
                        0,
                        false,
                        10
                    ],
                    |r| r.get::<_, String>(3),
                )?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?.join("; "))
            })
            .unwrap();
        assert!(
            plan.contains("traces_profile (profile=? AND seq>? AND seq<?)"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
