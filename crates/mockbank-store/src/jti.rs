//! The jti replay cache (RFC 7519 §4.1.7), answered from memory: a registration or a client
//! assertion learns at once whether its `jti` was seen, without a round trip through the
//! writer. The database keeps the cache across restarts: the writer saves what was added at
//! the start of its next transaction, so a jti is stored no later than the trace (and the
//! registration) of the request that presented it, and an acknowledged request's jti
//! survives a crash.

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::{params, Connection};

use crate::StoreError;

/// Expired entries are swept from memory once this many were added since the last sweep.
const SWEEP_EVERY: usize = 10_000;

#[derive(Default)]
pub(crate) struct JtiCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// `(issuer, jti)` → expiry (Unix seconds).
    seen: HashMap<(String, String), i64>,
    /// Added since the writer last saved them.
    unsaved: Vec<(String, String, i64)>,
    /// Given back after the writer may have saved them (see [`JtiCache::forget`]).
    forgotten: Vec<(String, String)>,
    added_since_sweep: usize,
}

impl JtiCache {
    /// The entries still in force in the database.
    pub fn load(c: &Connection, now: i64) -> Result<JtiCache, StoreError> {
        let mut stmt =
            c.prepare("SELECT issuer, jti, expires_at FROM jti_seen WHERE expires_at >= ?1")?;
        let seen = stmt
            .query_map(params![now], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(JtiCache {
            inner: Mutex::new(Inner {
                seen,
                ..Default::default()
            }),
        })
    }

    /// Records `jti` for `issuer` until `expires_at`; `false` when it is already in force (a
    /// replay). Atomic: of two concurrent requests with one jti, exactly one gets `true`.
    pub fn remember(&self, issuer: &str, jti: &str, expires_at: i64, now: i64) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = (issuer.to_owned(), jti.to_owned());
        if inner.seen.get(&key).is_some_and(|exp| *exp >= now) {
            return false;
        }
        inner.seen.insert(key, expires_at);
        inner
            .unsaved
            .push((issuer.to_owned(), jti.to_owned(), expires_at));
        inner.added_since_sweep += 1;
        if inner.added_since_sweep >= SWEEP_EVERY {
            inner.added_since_sweep = 0;
            inner.seen.retain(|_, exp| *exp >= now);
        }
        true
    }

    /// Gives back a jti [`JtiCache::remember`] recorded for a request that was then refused:
    /// only a request that succeeds consumes its jti.
    pub fn forget(&self, issuer: &str, jti: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = (issuer.to_owned(), jti.to_owned());
        inner.seen.remove(&key);
        let before = inner.unsaved.len();
        inner.unsaved.retain(|(i, j, _)| !(i == issuer && j == jti));
        if inner.unsaved.len() == before {
            inner.forgotten.push(key);
        }
    }

    /// Saves what was added since the last call (inside the writer's transaction).
    pub fn save(&self, c: &Connection) -> rusqlite::Result<()> {
        let (unsaved, forgotten) = {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            (
                std::mem::take(&mut inner.unsaved),
                std::mem::take(&mut inner.forgotten),
            )
        };
        for (issuer, jti) in forgotten {
            c.prepare_cached("DELETE FROM jti_seen WHERE issuer = ?1 AND jti = ?2")?
                .execute(params![issuer, jti])?;
        }
        for (issuer, jti, expires_at) in unsaved {
            c.prepare_cached(
                "INSERT OR REPLACE INTO jti_seen (issuer, jti, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![issuer, jti, expires_at])?;
        }
        Ok(())
    }
}
