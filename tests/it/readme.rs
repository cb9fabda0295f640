//! The README's examples, run as a reader would paste them: each shell block after a
//! `<!-- tested: NAME -->` line runs in bash against a real server, with `D` pointing at its
//! data dir and `mockbank` on the PATH.

use std::process::Command;

use crate::common::{Bank, BIN};

/// The shell block following `<!-- tested: NAME -->`.
fn block(readme: &str, name: &str) -> String {
    let marker = format!("<!-- tested: {name} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[at..];
    let start = rest.find("```sh\n").unwrap() + "```sh\n".len();
    let end = start + rest[start..].find("\n```").unwrap();
    rest[start..end].to_owned()
}

fn run(bank: &Bank, script: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    // The reader's `D=./mb-data` is this server's data dir.
    let script: String = script
        .lines()
        .map(|l| {
            if l.starts_with("D=") {
                format!("D='{}'", bank.data_dir.display())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(work.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the README block failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_readme_examples_work_when_pasted() {
    let readme = include_str!("../../README.md");
    let bank = Bank::start();
    let out = run(&bank, &block(readme, "generic"));
    assert!(out.contains("\"demo\"") && out.contains("204"), "{out}");
    assert!(
        out.contains("DELETE /generic/register/"),
        "the traces list: {out}"
    );
    let out = run(&bank, &block(readme, "obuk"));
    assert!(
        out.contains("\"openid accounts\"") && out.trim_end().ends_with("204"),
        "{out}"
    );
}
