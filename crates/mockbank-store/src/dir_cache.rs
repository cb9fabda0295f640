//! Directory entries kept in memory: a directory-backed profile reads the same few entries
//! (the presenting organisation, its software, their certificates) on every request. Every
//! directory write goes through the writer, which empties the cache once it has committed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockWriteGuard};

use crate::{DirKind, DirectoryRow};

/// More entries of one kind than this and they start over (a bound, not a policy).
const MAX_ENTRIES: usize = 10_000;

/// By kind, then id (so a lookup borrows the id instead of copying it).
type Map = HashMap<DirKind, HashMap<String, Option<Arc<DirectoryRow>>>>;

#[derive(Default)]
pub(crate) struct DirCache {
    /// The entries, and a generation that each invalidation bumps: a read that started
    /// before a write committed must not put its (old) answer back after the write.
    inner: RwLock<(u64, Map)>,
}

impl DirCache {
    fn write(&self) -> RwLockWriteGuard<'_, (u64, Map)> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached answer (`Some(None)`: known to be absent), and the generation to hand
    /// to [`DirCache::put`] after a miss.
    pub fn get(&self, kind: DirKind, id: &str) -> Result<Option<Arc<DirectoryRow>>, u64> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        match inner.1.get(&kind).and_then(|by_id| by_id.get(id)) {
            Some(hit) => Ok(hit.clone()),
            None => Err(inner.0),
        }
    }

    /// Remembers what the database answered, unless a write committed since `generation`.
    pub fn put(&self, generation: u64, kind: DirKind, id: &str, row: Option<Arc<DirectoryRow>>) {
        let mut inner = self.write();
        if inner.0 != generation {
            return;
        }
        let by_id = inner.1.entry(kind).or_default();
        if by_id.len() >= MAX_ENTRIES {
            by_id.clear();
        }
        by_id.insert(id.to_owned(), row);
    }

    /// After a directory write committed.
    pub fn invalidate(&self) {
        let mut inner = self.write();
        inner.0 += 1;
        inner.1.clear();
    }
}
