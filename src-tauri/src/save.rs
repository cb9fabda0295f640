//! The UI's downloads (trace exports, credential bundles): WebKitGTK ignores `<a download>`
//! on a blob, so the desktop host hands the file here and it lands in the Downloads folder.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Longest file name kept (before a ` (n)` suffix).
const MAX_NAME: usize = 120;

/// A file name the UI proposed, made safe: no directories, no hidden files, only
/// `[A-Za-z0-9._-]` (others become `_`), never empty.
pub fn safe_name(proposed: &str) -> String {
    let base = proposed.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME)
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "download".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Writes `contents` as a new file in `dir` (never over an existing one: `name (2).ext`…),
/// readable by its owner only, since bundles carry private keys. Answers the path.
pub fn save_into(dir: &Path, proposed: &str, contents: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = safe_name(proposed);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (name.clone(), String::new()),
    };
    for n in 1..1000 {
        let path = if n == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut file) => {
                file.write_all(contents)?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        format!("{name} and 999 numbered copies already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_leave_the_folder_or_hide() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("..\\win.ini"), "win.ini");
        assert_eq!(safe_name(".bashrc"), "bashrc");
        assert_eq!(safe_name("a b:c.json"), "a_b_c.json");
        assert_eq!(safe_name(".."), "download");
        assert_eq!(safe_name(""), "download");
        assert_eq!(safe_name(&"x".repeat(500)).len(), MAX_NAME);
    }

    #[test]
    fn saving_never_overwrites_and_keeps_files_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = save_into(dir.path(), "bundle.json", b"one").unwrap();
        let second = save_into(dir.path(), "bundle.json", b"two").unwrap();
        assert_eq!(first, dir.path().join("bundle.json"));
        assert_eq!(second, dir.path().join("bundle (2).json"));
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&second).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let nested = save_into(&dir.path().join("new"), "ssa.jwt", b"x").unwrap();
        assert!(nested.ends_with("new/ssa.jwt"));
    }
}
