//! The README's examples, run as a reader would paste them: each shell block after a
//! `<!-- tested: NAME -->` line runs in bash against a real server, with `D` pointing at its
//! data dir and `mockbank` on the PATH.

use std::process::Command;

use crate::common::{Bank, BIN};

/// The shell block following `<!-- tested: NAME -->`.
fn block(readme: &str, name: &str) -> String {
    fenced(readme, name, "sh")
}

/// The `lang` block following `<!-- tested: NAME -->`.
fn fenced(readme: &str, name: &str, lang: &str) -> String {
    let marker = format!("<!-- tested: {name} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[at..];
    let fence = format!("```{lang}\n");
    let start = rest.find(&fence).unwrap() + fence.len();
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

/// The README's overlay example is a profile that loads, resolves and serves as it says.
#[tokio::test]
async fn the_readme_overlay_example_is_a_working_profile() {
    let readme = include_str!("../../README.md");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("my-bank.toml"),
        fenced(readme, "overlay", "toml"),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let d = dir.path().to_str().unwrap();
    assert!(cli(&["profiles", "check", d]).starts_with("my-bank\t"));
    let resolved = cli(&["profiles", "show", "my-bank", "--resolved", "--profiles", d]);
    assert!(resolved.contains("extends, `generic`"), "{resolved}");
    assert!(resolved.contains("reject = true") && resolved.contains("rat_rotation = \"never\""));
    let bank = Bank::start_with(&["--profiles", d]);
    let post = |body: serde_json::Value| {
        bank.send(crate::common::Request::new("POST", "/my-bank/register").json(&body))
    };
    post(serde_json::json!({"redirect_uris": ["https://tpp.example/cb"], "colour": "green"}))
        .await
        .assert_error(400, "invalid_client_metadata");
    let r = post(
        serde_json::json!({"redirect_uris": ["https://tpp.example/cb"], "contacts": ["call me"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    // RFC 7592 tokens do not rotate in this bank.
    let c = r.json();
    let uri = c["registration_client_uri"].as_str().unwrap();
    let path = &uri[bank.base_url.len()..];
    let rat = c["registration_access_token"].as_str().unwrap();
    let mut update = c.clone();
    for k in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ] {
        update.as_object_mut().unwrap().remove(k);
    }
    let r = bank
        .send(
            crate::common::Request::new("PUT", path)
                .bearer(rat)
                .json(&update),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["registration_access_token"], rat);
}
