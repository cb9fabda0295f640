//! Versioned schema migrations, tracked with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    r#"
-- Few secondary indexes on purpose: every index on a random key (client ids, token hashes)
-- costs a random B-tree page per write, and writes are the hot path. Listing clients, revoking
-- a client's tokens and filtering traces by client scan instead (cheap at mockbank's sizes).
CREATE TABLE clients (
    client_id         TEXT PRIMARY KEY,
    profile           TEXT NOT NULL,
    metadata          TEXT NOT NULL,
    secret_hash       BLOB,
    secret_expires_at INTEGER NOT NULL DEFAULT 0,
    issued_at         INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    kind       TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    profile    TEXT NOT NULL,
    scope      TEXT,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    cnf        TEXT
) WITHOUT ROWID;

CREATE TABLE jti_seen (
    issuer     TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, jti)
) WITHOUT ROWID;

CREATE TABLE traces (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT NOT NULL UNIQUE,
    time_ms   INTEGER NOT NULL,
    profile   TEXT NOT NULL,
    method    TEXT NOT NULL,
    path      TEXT NOT NULL,
    status    INTEGER NOT NULL,
    client_id TEXT,
    failed    INTEGER NOT NULL,
    -- what the free-text filter searches: method, path, status, ids, failed check, bodies
    search    TEXT NOT NULL,
    -- the whole trace as JSON, LZ4-compressed (traces are large and repetitive)
    body      BLOB NOT NULL
);
CREATE INDEX traces_profile ON traces(profile, seq);
"#,
    r#"
-- The mock directory: organisations, software and the certificates it issued, each with a
-- status (`Active` / `Revoked`) and its public record as JSON.
CREATE TABLE dir_orgs (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    status     TEXT NOT NULL,
    record     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE dir_software (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    status     TEXT NOT NULL,
    record     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX dir_software_org ON dir_software(org_id);
CREATE TABLE dir_certificates (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    status     TEXT NOT NULL,
    record     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX dir_certificates_org ON dir_certificates(org_id);
"#,
    r#"
-- Initial access tokens (RFC 7591 §3) may be limited to a number of registrations.
ALTER TABLE tokens ADD COLUMN uses_left INTEGER;
"#,
    r#"
-- A user's run-time switches of profile checks, applied over the profile files.
CREATE TABLE check_overrides (
    profile    TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (profile, check_id)
) WITHOUT ROWID;
"#,
    r#"
-- A software's credentials bundle (private keys included), apart from its record: the
-- record is read on every request of a directory-backed profile, the bundle only when
-- downloaded.
CREATE TABLE dir_bundles (
    software_id TEXT PRIMARY KEY,
    bundle      TEXT NOT NULL
) WITHOUT ROWID;
-- Traces are LZ4-compressed with a dictionary (`dict`, see dict.rs); NULL: without one.
CREATE TABLE trace_dicts (
    id      INTEGER PRIMARY KEY,
    content BLOB NOT NULL
);
ALTER TABLE traces ADD COLUMN dict INTEGER;
"#,
    r#"
-- client_secret_jwt (OIDC Core §9) needs the secret itself to check an HMAC: for those
-- clients only, the secret sealed (AES-256-GCM) under a key derived from the CA key.
ALTER TABLE clients ADD COLUMN secret_sealed BLOB;
"#,
    r#"
-- What a comparison or a walkthrough made for one run (clients, and organisations minted for
-- one deviation, with their software and certificates): leftovers one action clears.
CREATE TABLE leftovers (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    tool       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
"#,
];

/// Connection settings shared by the writer and the readers.
pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL + NORMAL: a commit is in the WAL file before the call returns, so it survives the
    // process being killed; only an OS crash could lose the last transactions.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Opens the database and applies every pending migration.
pub(crate) fn open_migrated(path: &Path) -> Result<Connection, StoreError> {
    let conn =
        Connection::open(path).map_err(|e| StoreError::Open(path.to_owned(), e.to_string()))?;
    configure(&conn)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version as usize > MIGRATIONS.len() {
        return Err(StoreError::Open(
            path.to_owned(),
            format!(
                "database schema version {version} is newer than this mockbank ({})",
                MIGRATIONS.len()
            ),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(conn)
}
