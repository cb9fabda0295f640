//! What an installed mockbank promises beyond the server (the distribution issue): a
//! `--version` naming its commit and build date, shell completions and man pages from the
//! binary, `--public-url`/`--hostname` for a server reached under another name (a
//! container's published port, a DNS name), an operator-given admin token
//! (`MOCKBANK_ADMIN_TOKEN`) and data dir (`MOCKBANK_DATA_DIR`).

use std::process::{Command, Stdio};

use crate::common::{Bank, Request, BIN};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // mockbank 0.1.0 (0123456789ab 2026-12-05)
    let rest = text
        .trim()
        .strip_prefix(&format!("mockbank {} (", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{text}"));
    let (commit, date) = rest.trim_end_matches(')').split_once(' ').unwrap();
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
    let parts: Vec<&str> = date.split('-').collect();
    assert_eq!(parts.len(), 3, "{text}");
    assert!(parts[0].len() == 4 && parts[0].starts_with("20"), "{text}");
}

#[test]
fn completions_and_man_pages_come_from_the_binary() {
    for (shell, marker) in [
        ("bash", "complete -F _mockbank"),
        ("zsh", "#compdef mockbank"),
        ("fish", "complete -c mockbank"),
    ] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: no `{marker}`");
        // Every command is offered.
        for sub in ["serve", "run", "tpp", "directory", "report", "compare"] {
            assert!(text.contains(sub), "{shell}: no `{sub}`");
        }
    }
    let bash = run(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.bash"), bash).unwrap();
    let parsed = Command::new("bash")
        .arg("-n")
        .arg(dir.path().join("c.bash"))
        .status()
        .unwrap();
    assert!(parsed.success(), "the bash completion does not parse");

    let man = String::from_utf8(run(&["man"]).stdout).unwrap();
    assert!(man.contains(".TH mockbank 1"), "{man}");
    assert!(man.contains("Dynamic Client Registration"));
    let pages = dir.path().join("man");
    assert!(run(&["man", "--out-dir", pages.to_str().unwrap()])
        .status
        .success());
    for page in [
        "mockbank.1",
        "mockbank-serve.1",
        "mockbank-run.1",
        "mockbank-tpp-register.1",
    ] {
        let text = std::fs::read_to_string(pages.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
}

#[tokio::test]
async fn a_public_url_names_the_issuers_the_certificate_and_the_accepted_hosts() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("https://localhost:{port}");
    let bank = Bank::start_with(&[
        "--listen",
        &listen,
        "--public-url",
        &public,
        "--hostname",
        "mockbank.test",
    ]);
    assert_eq!(bank.ready["base_url"], public.as_str());
    let issuers: Vec<&str> = bank.ready["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["issuer"].as_str().unwrap())
        .collect();
    assert!(
        issuers.contains(&format!("{public}/generic").as_str()),
        "{issuers:?}"
    );
    let discovery = bank.get("/generic/.well-known/openid-configuration").await;
    assert_eq!(discovery.status, 200);
    assert_eq!(
        discovery.json()["registration_endpoint"],
        format!("{public}/generic/register")
    );
    // server.json (what `mockbank tpp` and `directory issue` read) holds the public URL.
    let server: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bank.data_dir.join("server.json")).unwrap())
            .unwrap();
    assert_eq!(server["base_url"], public.as_str());

    // The certificate answers to the extra name: curl resolves it to the listener and
    // verifies the chain and the name with the bank's CA.
    let ca = bank.data_dir.join("ca.pem");
    let curl = |host: &str, path: &str| {
        Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
            .arg(&ca)
            .args(["--resolve", &format!("{host}:{port}:127.0.0.1")])
            .args(["-H", &format!("Authorization: Bearer {}", bank.admin_token)])
            .arg(format!("https://{host}:{port}{path}"))
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let named = curl("mockbank.test", "/admin/clients");
    assert_eq!(
        String::from_utf8_lossy(&named.stdout),
        "200",
        "{}",
        String::from_utf8_lossy(&named.stderr)
    );
    // A name the certificate does not hold fails the TLS name check (curl exit 60).
    let other = curl("other.test", "/generic/.well-known/openid-configuration");
    assert_eq!(other.status.code(), Some(60), "{other:?}");

    // The admin API accepts the public authority and the extra name (above), no other Host.
    let foreign = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
        .arg(&ca)
        .args(["-H", &format!("Host: evil.test:{port}")])
        .args(["-H", &format!("Authorization: Bearer {}", bank.admin_token)])
        .arg(format!("{public}/admin/clients"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&foreign.stdout), "403");
    assert_eq!(
        bank.send(Request::new("GET", "/admin/clients").bearer(&bank.admin_token))
            .await
            .status,
        200
    );
}

#[test]
fn a_public_url_with_a_path_or_without_tls_is_refused_at_start() {
    for (url, says) in [
        ("http://localhost:8443", "must be https"),
        ("https://localhost:8443/obuk", "without a path"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--public-url",
                url,
                "--data-dir",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{url}: {err}");
    }
}

#[tokio::test]
async fn the_operator_gives_the_admin_token_and_the_data_dir() {
    let token = "ci-service-token-0123456789abcdef0123456789";
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MOCKBANK_ADMIN_TOKEN", token)
        .env("MOCKBANK_DATA_DIR", dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    // The data dir came from MOCKBANK_DATA_DIR, and the token file holds the given token
    // (so `mockbank tpp`/`directory` against this server find it as usual).
    let token_file = std::path::PathBuf::from(ready["admin_token_file"].as_str().unwrap());
    assert_eq!(token_file, dir.path().join("admin-token"));
    assert_eq!(std::fs::read_to_string(&token_file).unwrap(), token);

    // A restart on the same data without the variable keeps that token; a short one is
    // refused before anything listens.
    let bank = Bank::start_in(dir.path(), &[]);
    assert_eq!(bank.admin_token, token);
    assert_eq!(bank.admin_get("/admin/clients").await.status, 200);
    drop(bank);
    let short = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MOCKBANK_ADMIN_TOKEN", "short")
        .env("MOCKBANK_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("at least 32"),
        "{}",
        String::from_utf8_lossy(&short.stderr)
    );
}
