//! The LZ4 dictionary traces are compressed with: the text every stored trace repeats (each
//! check's id as the storage form spells it, common headers), so a stored trace keeps
//! little more than what is particular to its request.
//!
//! A dictionary is identified by a hash of its content and stored in `trace_dicts` next to
//! the traces that use it, so traces written by an older mockbank (another check catalogue)
//! still decompress.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use rusqlite::{params, Connection, OptionalExtension};

use crate::StoreError;

/// LZ4 looks back at most 64 KiB: a longer dictionary would only add dead weight.
const MAX_LEN: usize = 65_535;

#[derive(Debug, Clone)]
pub(crate) struct TraceDict {
    pub id: i64,
    pub content: Arc<Vec<u8>>,
}

impl TraceDict {
    /// The dictionary for this build's check catalogue.
    pub fn current() -> TraceDict {
        static CURRENT: OnceLock<TraceDict> = OnceLock::new();
        CURRENT
            .get_or_init(|| {
                let content = content();
                TraceDict {
                    id: fnv1a(&content),
                    content: Arc::new(content),
                }
            })
            .clone()
    }

    /// Makes sure traces compressed with it can be read back from this database.
    pub fn save(&self, c: &Connection) -> Result<(), StoreError> {
        c.execute(
            "INSERT OR IGNORE INTO trace_dicts (id, content) VALUES (?1, ?2)",
            params![self.id, self.content.as_slice()],
        )?;
        Ok(())
    }

    /// The dictionary `id`, from memory or from the database.
    pub fn load(c: &Connection, id: i64) -> Result<Arc<Vec<u8>>, StoreError> {
        static KNOWN: OnceLock<RwLock<HashMap<i64, Arc<Vec<u8>>>>> = OnceLock::new();
        let known = KNOWN.get_or_init(Default::default);
        if let Some(content) = known.read().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(content.clone());
        }
        let content: Vec<u8> = c
            .prepare_cached("SELECT content FROM trace_dicts WHERE id = ?1")?
            .query_row(params![id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("trace dictionary {id} is missing")))?;
        let content = Arc::new(content);
        known
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, content.clone());
        Ok(content)
    }
}

/// Fragments as a stored trace spells them: checks in their storage form
/// (`mockbank_core::trace::in_storage_form`: id, outcome, detail, values), common headers.
fn content() -> Vec<u8> {
    let mut out = String::new();
    let common = [
        r#""request":{"headers":[["content-type","application/json"],["host","127.0.0.1:"#,
        r#""response":{"headers":[["content-type","application/json"],["cache-control","no-store"],["pragma","no-cache"]],"body":{"#,
        r#"["content-type","application/jose"],["content-length",""#,
        r#""redirect_uris":["https://"#,
        r#""token_endpoint_auth_method":"client_secret_basic","client_id":""#,
        r#""registration_access_token":""#,
        r#""registration_client_uri":"https://127.0.0.1:"#,
        r#""outcome":"fail","detail":""#,
        r#""severity":"warn"},{"id":""#,
        r#""outcome":"skip","detail":"needs `"#,
        r#"`, which did not pass"},{"id":""#,
        r#"","values":{"#,
    ];
    for c in common {
        out.push_str(c);
    }
    for def in mockbank_core::checks::catalogue() {
        let id = serde_json::to_string(def.id).unwrap_or_default();
        out.push_str(&format!(r#"{{"id":{id},"outcome":"pass","detail":""#));
    }
    out.push_str(r#""},{"id":""#);
    let bytes = out.into_bytes();
    // The end is what LZ4 can reach: keep the tail.
    bytes[bytes.len().saturating_sub(MAX_LEN)..].to_vec()
}

/// FNV-1a, 64 bits: a stable id for a dictionary's content.
fn fnv1a(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}
