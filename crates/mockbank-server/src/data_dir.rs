//! The data dir's permissions: it holds every minted TPP private key, the CA key, the admin
//! token and every trace, so it is the owner's alone — the folder `0700`, every file `0600`,
//! whatever the umask, and an existing looser folder is tightened at start (or a warning
//! says why it could not be).

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Mode of the data dir.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in it.
pub const FILE_MODE: u32 = 0o600;

/// Creates the data dir owner-only, or tightens an existing one; answers its canonical path.
pub fn prepare(dir: &Path) -> anyhow::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
            .with_context(|| format!("cannot create data dir {}", dir.display()))?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data dir {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("data dir {}", dir.display()))?;
    // An empty folder someone made for mockbank (a test's temporary dir, `mkdir`) exposed
    // nothing yet: tightening it is routine, not news. A folder with content is.
    let empty = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_none());
    tighten(&dir, DIR_MODE, !empty);
    // SQLite gives its -wal and -shm files the mode of the database file: create that one
    // owner-only before SQLite does.
    let db = dir.join(mockbank_store::DB_FILE);
    if !db.exists() {
        mockbank_pki::write_private(&db, b"")?;
    }
    Ok(dir)
}

/// Tightens every file of the data dir that is readable by others (files from an older
/// mockbank, or copied in); run once everything is opened.
pub fn tighten_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            tighten(&entry.path(), FILE_MODE, true);
        }
    }
}

/// Takes away what others may do with `path`; `loud`: say so as a warning (else at debug).
#[cfg(unix)]
fn tighten(path: &Path, mode: u32, loud: bool) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let current = meta.permissions().mode() & 0o777;
    if current & !mode == 0 {
        return;
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Ok(()) if loud => tracing::warn!(
            path = %path.display(),
            "was readable by other users ({current:o}); tightened to {mode:o}"
        ),
        Ok(()) => tracing::debug!(
            path = %path.display(),
            "an empty folder: tightened from {current:o} to {mode:o}"
        ),
        Err(e) => tracing::warn!(
            path = %path.display(),
            error = %e,
            "is readable by other users ({current:o}) and could not be tightened to {mode:o}: it holds private keys and tokens"
        ),
    }
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32, _loud: bool) {}
