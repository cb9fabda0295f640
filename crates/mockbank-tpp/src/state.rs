//! The reference client's state dir: what it registered (client secrets, tokens) and the
//! directory credentials it holds (private keys), between commands.
//!
//! A bank's answer never becomes a path: a client's record is kept under the SHA-256 of
//! its `client_id` (the id itself is inside the record), and the other names (profiles,
//! fixed file names) must be plain file names ([`is_safe_name`]). Every file is written
//! owner-only (0600) through a new temporary file in the same folder and a rename, so no
//! symlink is followed and nothing outside the state dir is replaced; the folders the
//! client makes are 0700, and a folder that is a symlink is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::Value;

/// Longest name [`is_safe_name`] accepts, in bytes.
pub const MAX_NAME_LEN: usize = 128;

/// A plain file name: 1 to 128 bytes of `[A-Za-z0-9._-]`, not starting with a dot (so
/// neither `.`, `..` nor a hidden file).
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn ensure_safe(name: &str, what: &str) -> anyhow::Result<()> {
    if is_safe_name(name) {
        Ok(())
    } else {
        bail!(
            "{what} `{}` is not a plain file name ([A-Za-z0-9._-], not starting with `.`, \
             at most {MAX_NAME_LEN} bytes): refusing to use it in the state dir",
            name.escape_debug()
        )
    }
}

/// The file a client's record is kept in: the hex SHA-256 of its `client_id`, whatever
/// the bank chose as id (`../x`, `/etc/passwd`, a NUL: never part of a path).
pub fn client_file_name(client_id: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, client_id.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.json")
}

/// Makes `dir` (and its parents) if missing, 0700 for those it makes.
fn create_root(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// `state_dir/names[0]/names[1]/…`, each level made 0700 if missing and refused if it is a
/// symlink or not a folder. Every name must be a plain file name. The state dir itself is
/// the user's choice and may be a symlink.
pub fn dir(state_dir: &Path, names: &[&str]) -> anyhow::Result<PathBuf> {
    create_root(state_dir)?;
    let mut dir = state_dir.to_path_buf();
    for name in names {
        ensure_safe(name, "folder")?;
        dir.push(name);
        #[cfg(unix)]
        let builder = {
            use std::os::unix::fs::DirBuilderExt;
            let mut builder = std::fs::DirBuilder::new();
            builder.mode(0o700);
            builder
        };
        #[cfg(not(unix))]
        let builder = std::fs::DirBuilder::new();
        match builder.create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
        }
        let meta = std::fs::symlink_metadata(&dir)
            .with_context(|| format!("reading {}", dir.display()))?;
        if meta.file_type().is_symlink() {
            bail!(
                "{} is a symlink: the reference client keeps its state in a real folder",
                dir.display()
            );
        }
        if !meta.is_dir() {
            bail!("{} is not a folder", dir.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("making {} owner-only", dir.display()))?;
            }
        }
    }
    Ok(dir)
}

/// Writes `dir/name` owner-only (0600): a new file (`O_CREAT|O_EXCL`, so never through a
/// symlink) beside it, then renamed over it (a symlink there is replaced, not followed).
pub fn write_private(dir: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    ensure_safe(name, "file")?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}.tmp", crate::uuid_v4()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let written = (|| -> std::io::Result<()> {
        let mut f = opts.open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

/// [`write_private`] of `v` as pretty JSON.
pub fn write_json(dir: &Path, name: &str, v: &Value) -> anyhow::Result<()> {
    write_private(dir, name, serde_json::to_string_pretty(v)?.as_bytes())
}

/// `dir/name` as JSON, if it is a regular file (not a symlink) holding JSON.
pub fn read_json(dir: &Path, name: &str) -> Option<Value> {
    if !is_safe_name(name) {
        return None;
    }
    let path = dir.join(name);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        for ok in ["generic", "obuk-v3.2", "a_b.json", &"x".repeat(128)] {
            assert!(is_safe_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../x",
            "a/b",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "a b",
            "é",
            &"x".repeat(129),
        ] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_client_file_is_a_hash_whatever_the_id() {
        for id in ["../../victim/settings", "/etc/passwd", "a\0b", "x/y", ""] {
            let name = client_file_name(id);
            assert!(is_safe_name(&name), "{name}");
            assert_eq!(name.len(), 64 + 5);
        }
        assert_ne!(client_file_name("a"), client_file_name("b"));
    }

    #[cfg(unix)]
    #[test]
    fn writes_are_owner_only_and_never_follow_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = std::env::temp_dir().join(format!("mockbank-tpp-state-{}", crate::uuid_v4()));
        let state = tmp.join("state");
        let victim = tmp.join("victim");
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(&victim, "keep").unwrap();
        let clients = dir(&state, &["clients"]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&clients), 0o700);
        std::os::unix::fs::symlink(&victim, clients.join("a.json")).unwrap();
        write_private(&clients, "a.json", b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(clients.join("a.json"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(mode(&clients.join("a.json")), 0o600);
        assert!(write_private(&clients, "../b.json", b"{}").is_err());
        // A `bundles` folder that is a symlink is refused.
        std::os::unix::fs::symlink(&tmp, state.join("bundles")).unwrap();
        assert!(dir(&state, &["bundles"]).is_err());
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
