//! Stamps the `mockbank` binary with what `mockbank --version` prints beside the version: the
//! git commit it was built from and the build date.
//!
//! The commit comes from `MOCKBANK_COMMIT` (a release pipeline), else `git` in the source
//! tree, else the `.cargo_vcs_info.json` that `cargo package` writes (a `cargo install`),
//! else `unknown`. The date is `SOURCE_DATE_EPOCH` when set (reproducible builds), else today.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=MOCKBANK_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let root = Path::new(&root);
    // A new commit or a switched branch reruns this script (an edit does not: `.git/index`
    // is rewritten by every `git status`, and watching it would relink on every build).
    let mut watched = vec![".git/HEAD".to_owned(), ".git/packed-refs".to_owned()];
    if let Ok(head) = std::fs::read_to_string(root.join(".git/HEAD")) {
        if let Some(reference) = head.trim().strip_prefix("ref: ") {
            watched.push(format!(".git/{reference}"));
        }
    }
    for path in watched.iter().filter(|p| root.join(p).is_file()) {
        println!("cargo:rerun-if-changed={path}");
    }
    let commit = std::env::var("MOCKBANK_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git_commit(root))
        .or_else(|| packaged_commit(root))
        .unwrap_or_else(|| "unknown".to_owned());
    let date = build_date();
    println!("cargo:rustc-env=MOCKBANK_COMMIT={commit}");
    println!("cargo:rustc-env=MOCKBANK_BUILD_DATE={date}");
    println!(
        "cargo:rustc-env=MOCKBANK_LONG_VERSION={} ({commit} {date})",
        std::env::var("CARGO_PKG_VERSION").expect("set by cargo")
    );
}

fn git_commit(root: &Path) -> Option<String> {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    run(&["rev-parse", "--short=12", "HEAD"]).filter(|c| !c.is_empty())
}

/// `{"git": {"sha1": "..."}}`, written into a packaged crate by `cargo package`.
fn packaged_commit(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join(".cargo_vcs_info.json")).ok()?;
    let start = text.find("\"sha1\"")? + "\"sha1\"".len();
    let rest = &text[start..];
    let open = rest.find('"')? + 1;
    let len = rest[open..].find('"')?;
    Some(rest[open..open + len.min(12)].to_owned())
}

fn build_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    civil_date(secs.div_euclid(86_400))
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
