//! What a malicious bank cannot do to the reference TPP (hardening, third round, finding 4):
//! the real `mockbank tpp … --base-url` against a small hostile bank (plain HTTP, which
//! `--base-url` accepts) whose registration answers a `client_id` that is a path — `../..`,
//! absolute, with a NUL, slashes or backslashes — and whose profile list names a path. No
//! file outside the state dir is created or changed, no symlink is followed, and every
//! record is owner-only (0600) in a 0700 folder.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use serde_json::{json, Value};

use crate::common::BIN;

/// What the hostile bank answers.
struct Hostile {
    /// The `client_id` of the registration on profile `p{n}`.
    ids: Vec<String>,
    /// The profiles `/admin/profiles` lists (`[{"id","tpp_flavor"}]`).
    profiles: Value,
}

fn answer(base: &str, bank: &Hostile, method: &str, path: &str) -> (u16, Value) {
    if path == "/admin/profiles" {
        return (200, bank.profiles.clone());
    }
    if method == "POST" && path == "/directory/software" {
        // What an old client would have written to `bundles/{profile}.json`.
        return (
            201,
            json!({"software_id": "s1", "software_statement": "e30.e30.c2ln",
                   "signing_key_pem": "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"}),
        );
    }
    if let Some(profile) = path.strip_suffix("/.well-known/openid-configuration") {
        let issuer = format!("{base}{profile}");
        return (
            200,
            json!({
                "issuer": issuer,
                "registration_endpoint": format!("{issuer}/register"),
                "token_endpoint": format!("{issuer}/token"),
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "grant_types_supported": ["authorization_code", "client_credentials"],
                "response_types_supported": ["code"],
                "scopes_supported": ["accounts", "payments"],
            }),
        );
    }
    let n: Option<usize> = path
        .strip_prefix("/p")
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse().ok());
    let Some(id) = n.and_then(|n| bank.ids.get(n)) else {
        return (404, json!({"error": "not_found"}));
    };
    let profile = format!("/p{}", n.unwrap_or_default());
    match (method, path.strip_prefix(profile.as_str())) {
        ("POST", Some("/register")) => (
            201,
            json!({
                "client_id": id,
                "client_secret": "s3cret",
                "registration_access_token": "rat-1",
                "registration_client_uri": format!("{base}{profile}/register/c"),
            }),
        ),
        ("GET", Some("/register/c")) => (200, json!({"client_id": id})),
        // RFC 7592 §3: a rotated token, which the client writes back to its record.
        ("PUT", Some("/register/c")) => (
            200,
            json!({"client_id": id, "registration_access_token": "rat-2"}),
        ),
        _ => (404, json!({"error": "not_found"})),
    }
}

/// Starts the hostile bank on `127.0.0.1:0`; answers its base URL. It stops with the
/// test's runtime.
async fn hostile_bank(bank: Hostile) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (bank, b) = (Arc::new(bank), base.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (bank, base) = (bank.clone(), b.clone());
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let (status, body) =
                            answer(&base, &bank, req.method().as_str(), req.uri().path());
                        let resp = hyper::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from(body.to_string())))
                            .unwrap();
                        async move { Ok::<_, Infallible>(resp) }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    base
}

/// Runs `mockbank ARGS --base-url BASE --ca CA --state STATE`; answers success, stdout,
/// stderr.
async fn tpp(args: &[&str], base: &str, ca: &Path, state: &Path) -> (bool, String, String) {
    let out = tokio::process::Command::new(BIN)
        .args(args)
        .args(["--base-url", base, "--ca"])
        .arg(ca)
        .arg("--state")
        .arg(state)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every entry under `dir` but `skip`: its kind and, for a file, its contents.
fn snapshot(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p == skip {
                continue;
            }
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("symlink to {}", std::fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                todo.push(p.clone());
                "dir".to_owned()
            } else {
                std::fs::read_to_string(&p).unwrap_or_else(|_| "<binary>".into())
            };
            out.insert(p, what);
        }
    }
    out
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// A CA file for `--ca` (the hostile bank speaks plain HTTP: never used).
fn ca_file(dir: &Path) -> PathBuf {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, crate::common::identity("unused", None, 0, 1).cert_pem).unwrap();
    ca
}

#[tokio::test]
async fn a_hostile_client_id_never_becomes_a_path() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let state = root.join("state");
    // Files an old client overwrote or planted: `state/clients/{id}.json`.
    std::fs::create_dir_all(root.join("victim")).unwrap();
    std::fs::write(root.join("victim/settings.json"), "{\"keep\": true}").unwrap();
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    let ids = vec![
        "../../victim/settings".to_owned(),
        root.join("elsewhere/planted").display().to_string(),
        "a\0b/../../../victim/settings".to_owned(),
        "..\\..\\victim\\settings".to_owned(),
        "../settings".to_owned(),
        "..".to_owned(),
    ];
    // A symlink where the first record goes: replaced, never followed.
    let clients = state.join("clients");
    std::fs::create_dir_all(&clients).unwrap();
    std::os::unix::fs::symlink(
        root.join("victim/settings.json"),
        clients.join(mockbank_tpp::state::client_file_name(&ids[0])),
    )
    .unwrap();
    let ca = ca_file(root);
    let before = snapshot(root, &state);
    let base = hostile_bank(Hostile {
        ids: ids.clone(),
        profiles: json!([]),
    })
    .await;

    for (n, id) in ids.iter().enumerate() {
        let profile = format!("p{n}");
        let (ok, out, err) = tpp(
            &["tpp", "register", "--profile", &profile, "--format", "json"],
            &base,
            &ca,
            &state,
        )
        .await;
        assert!(ok, "{id:?}: {err}");
        let reg: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (reg["status"].as_u64(), reg["client_id"].as_str()),
            (Some(201), Some(id.as_str()))
        );
    }
    // Lookups by id still work, and a rotated token is written back the same safe way.
    for step in ["read", "update"] {
        let (ok, out, err) = tpp(
            &[
                "tpp",
                step,
                "--profile",
                "p0",
                "--client-id",
                &ids[0],
                "--format",
                "json",
            ],
            &base,
            &ca,
            &state,
        )
        .await;
        assert!(ok, "{step}: {err}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["status"], 200);
    }

    // Nothing outside the state dir was created or changed.
    assert_eq!(snapshot(root, &state), before);
    assert_eq!(
        std::fs::read_to_string(root.join("victim/settings.json")).unwrap(),
        "{\"keep\": true}"
    );
    assert!(!root.join("elsewhere/planted.json").exists());
    assert!(!state.join("settings.json").exists());

    // Inside it: one owner-only record per client, named by a hash, in a 0700 folder.
    assert_eq!(mode(&clients), 0o700);
    let mut found = Vec::new();
    for e in std::fs::read_dir(&clients).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        assert!(meta.is_file(), "{name} is not a regular file");
        assert_eq!(mode(&p), 0o600, "{name}");
        let record: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let id = record["client_id"].as_str().unwrap().to_owned();
        assert_eq!(name, mockbank_tpp::state::client_file_name(&id));
        assert_eq!(record["client_secret"], "s3cret");
        found.push(id);
    }
    found.sort();
    let mut wanted = ids.clone();
    wanted.sort();
    assert_eq!(found, wanted);
    let first = clients.join(mockbank_tpp::state::client_file_name(&ids[0]));
    let record: Value = serde_json::from_str(&std::fs::read_to_string(first).unwrap()).unwrap();
    assert_eq!(record["registration_access_token"], "rat-2", "{record}");
    // Every other file the client made in the state dir is owner-only too.
    for (p, what) in snapshot(&state, Path::new("")) {
        if what == "dir" {
            assert_eq!(mode(&p), 0o700, "{}", p.display());
        } else {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

#[tokio::test]
async fn a_clients_folder_that_is_a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let state = root.join("state");
    let victim = root.join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    std::os::unix::fs::symlink(&victim, state.join("clients")).unwrap();
    let ca = ca_file(root);
    let base = hostile_bank(Hostile {
        ids: vec!["plain-id".into()],
        profiles: json!([]),
    })
    .await;
    let (ok, _, err) = tpp(
        &["tpp", "register", "--profile", "p0", "--format", "json"],
        &base,
        &ca,
        &state,
    )
    .await;
    assert!(!ok, "registered through a symlinked clients folder");
    assert!(err.contains("symlink"), "{err}");
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 0);
}

#[tokio::test]
async fn a_hostile_profile_list_writes_no_credentials_outside_the_state_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let state = root.join("state");
    std::fs::create_dir_all(root.join("victim")).unwrap();
    std::fs::write(root.join("victim/evil.json"), "kept").unwrap();
    let ca = ca_file(root);
    let token = root.join("admin-token");
    std::fs::write(&token, "t").unwrap();
    let before = snapshot(root, &state);
    // `compare` without --profiles takes the bank's list: a profile id that is a path.
    let base = hostile_bank(Hostile {
        ids: vec![],
        profiles: json!([{"id": "../../victim/evil", "tpp_flavor": "obuk"}]),
    })
    .await;
    let out = tokio::process::Command::new(BIN)
        .args(["compare", "--format", "json", "--case", "none"])
        .args(["--base-url", &base, "--ca"])
        .arg(&ca)
        .arg("--admin-token-file")
        .arg(&token)
        .arg("--state")
        .arg(&state)
        .output()
        .await
        .unwrap();
    let matrix: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let cell = &matrix["cases"][0]["results"]["../../victim/evil"];
    assert!(
        cell["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not a plain file name"),
        "{matrix}"
    );
    assert_eq!(snapshot(root, &state), before);
}
