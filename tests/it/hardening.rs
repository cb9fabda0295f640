//! Regression tests for the outside probe's findings (issue "Hardening"): each test replays
//! a finding as the probe sent it, against the real binary, and asserts the spec's answer.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{self, generic_client, Bank, Request};
use crate::obuk::Tpp;

const OBUK: &str = "/obuk-v3.2";

/// Finding 1: a certificate-bound access token is refused over another certificate (RFC
/// 8705 §3), on every management method, and the client survives.
#[tokio::test]
async fn obuk_management_refuses_a_token_over_another_certificate() {
    let bank = Bank::start();
    let a = Tpp::mint(&bank, json!({})).await;
    let b = Tpp::mint(&bank, json!({"org_name": "Other TPP Ltd"})).await;
    let reg = a.register(&bank, |_| {}).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let token = a.token(&bank, client_id).await;
    let path = format!("{OBUK}/register/{client_id}");
    for method in ["DELETE", "GET"] {
        let r = bank
            .send(Request::new(method, &path).bearer(&token).identity(&b.id))
            .await;
        r.assert_error(401, "invalid_token");
        assert!(r
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
        let trace = bank.last_trace(method, &path).await;
        assert_eq!(trace["failed_check"], "rfc8705.token.cert_bound", "{trace}");
    }
    // Without any certificate: refused too.
    let r = bank.send(Request::new("GET", &path).bearer(&token)).await;
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    // The owner, over its own certificate, still reads it.
    let r = bank
        .send(Request::new("GET", &path).bearer(&token).identity(&a.id))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let trace = bank.last_trace("GET", &path).await;
    let bound = trace["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "rfc8705.token.cert_bound")
        .unwrap();
    assert_eq!(bound["outcome"], "pass");
}

/// Finding 2 (and 14: `notalist`): members of the wrong JSON type are refused by the one
/// typing check every profile runs, OBUK included.
#[tokio::test]
async fn every_profile_refuses_members_of_the_wrong_type() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let cases = [
        ("redirect_uris", json!("")),
        ("redirect_uris", json!("https://evil.example/cb")),
        ("application_type", json!(1)),
        ("response_types", json!({"a": 1})),
        ("contacts", json!(false)),
        ("policy_uri", json!(1e308)),
        ("jwks_uri", json!(["https://a.example/jwks"])),
        ("subject_type", json!(true)),
    ];
    for (member, value) in &cases {
        let mut c = tpp.claims(&bank);
        c.insert((*member).into(), value.clone());
        let r = tpp.post(&bank, &tpp.sign(&c)).await;
        // RFC 7591 §3.2.2: whatever is wrong with `redirect_uris` is `invalid_redirect_uri`.
        let code = if *member == "redirect_uris" {
            "invalid_redirect_uri"
        } else {
            "invalid_client_metadata"
        };
        r.assert_error(400, code);
        let trace = bank.last_trace("POST", &format!("{OBUK}/register")).await;
        assert_eq!(
            trace["failed_check"], "generic.metadata.types",
            "{member}={value}: {}",
            trace["checks"]
        );
        if *member == "redirect_uris" {
            let subset = trace["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == "obuk.redirect.subset")
                .unwrap();
            assert_ne!(subset["outcome"], "pass", "{subset}");
        }
    }
    for profile in ["generic", "generic-rotating"] {
        let r = bank
            .send(
                Request::new("POST", &format!("/{profile}/register"))
                    .json(&json!({"redirect_uris": "notalist"})),
            )
            .await;
        r.assert_error(400, "invalid_redirect_uri");
        let t = bank
            .last_trace("POST", &format!("/{profile}/register"))
            .await;
        assert_eq!(
            t["failed_check"], "generic.metadata.types",
            "{}",
            t["checks"]
        );
    }
    // The check is in every profile's list, and cannot be switched off.
    let profiles = bank.admin_get("/admin/profiles").await.json();
    for p in profiles.as_array().unwrap() {
        let ids: Vec<&str> = p["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"generic.metadata.types"), "{}", p["id"]);
        assert!(ids.contains(&"rfc8705.token.cert_bound"), "{}", p["id"]);
    }
    let r = bank
        .send(
            Request::new(
                "PUT",
                "/admin/profiles/obuk-v3.2/checks/generic.metadata.types",
            )
            .bearer(&bank.admin_token)
            .json(&json!({"enabled": false})),
        )
        .await;
    r.assert_error(400, "invalid_request");
}

/// Finding 3: a non-string `provider_legal_id` does not skip its binding to the QWAC.
#[tokio::test]
async fn stet_refuses_a_provider_legal_id_that_is_not_a_string() {
    let bank = Bank::start();
    let qwac = crate::stet::mint(&bank, json!({})).await.qwac;
    for value in [json!(["PSDFR-ACPR-99999"]), json!(true), json!(12345)] {
        let mut body = crate::stet::registration();
        body["provider_legal_id"] = value.clone();
        let r = bank
            .send(
                Request::new("POST", "/stet/register")
                    .json(&body)
                    .identity(&qwac),
            )
            .await;
        r.assert_error(400, "invalid_client_metadata");
        let t = bank.last_trace("POST", "/stet/register").await;
        assert_eq!(
            t["failed_check"], "stet.reg.provider_legal_id_matches_cert",
            "{value}: {}",
            t["checks"]
        );
    }
}

/// Finding 4: a subject DN that RFC 4514 does not allow is refused, not loosely matched.
#[tokio::test]
async fn subject_dns_are_parsed_strictly() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    let dn = tpp.s("transport_subject_dn");
    for bad in [format!("{dn}\\"), format!("{dn}\u{2028}")] {
        let mut c = tpp.claims(&bank);
        c.insert("tls_client_auth_subject_dn".into(), bad.clone().into());
        let r = tpp.post(&bank, &tpp.sign(&c)).await;
        r.assert_error(400, "invalid_client_metadata");
        let t = bank.last_trace("POST", &format!("{OBUK}/register")).await;
        assert_eq!(t["failed_check"], "generic.metadata.types", "{bad:?}");
    }
    let qwac = crate::stet::mint(&bank, json!({})).await.qwac;
    let mut body = crate::stet::registration();
    body["tls_client_auth_subject_dn"] = "CN=x\u{2028},O=Fintech SAS".into();
    let r = bank
        .send(
            Request::new("POST", "/stet/register")
                .json(&body)
                .identity(&qwac),
        )
        .await;
    r.assert_error(400, "invalid_client_metadata");
}

/// Finding 5: URI members with raw control characters are refused with the spec's code.
#[tokio::test]
async fn uris_with_control_characters_are_refused() {
    let bank = Bank::start();
    let mut body = generic_client();
    body["redirect_uris"] = json!(["https://a.example/cb\u{0}"]);
    let r = bank
        .send(Request::new("POST", "/generic/register").json(&body))
        .await;
    r.assert_error(400, "invalid_redirect_uri");
    for member in [
        "jwks_uri",
        "logo_uri",
        "policy_uri",
        "tos_uri",
        "client_uri",
        "initiate_login_uri",
        "sector_identifier_uri",
    ] {
        let mut body = generic_client();
        body[member] = json!("https://a.example/x\u{1}");
        let r = bank
            .send(Request::new("POST", "/generic/register").json(&body))
            .await;
        r.assert_error(400, "invalid_client_metadata");
        let t = bank.last_trace("POST", "/generic/register").await;
        assert_eq!(t["failed_check"], "generic.metadata.types", "{member}");
    }
}

/// Reads SSE `trace` event ids until `want` arrived (or the time runs out).
async fn sse_ids(bank: &Bank, last_event_id: u64, want: usize) -> Vec<u64> {
    let mut sender = bank.connect(None).await;
    let req = hyper::Request::builder()
        .uri("/admin/traces/stream")
        .header("host", bank.addr.as_str())
        .header("authorization", format!("Bearer {}", bank.admin_token))
        .header("last-event-id", last_event_id.to_string())
        .body(http_body_util::Full::new(hyper::body::Bytes::new()))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let mut text = String::new();
    let mut ids = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while ids.len() < want {
        let frame = tokio::time::timeout_at(deadline, http_body_util::BodyExt::frame(&mut body))
            .await
            .expect("the replay did not arrive in time")
            .expect("the stream ended")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
            // Only whole lines; keep the rest for the next frame.
            let cut = text.rfind('\n').map_or(0, |i| i + 1);
            let whole: String = text.drain(..cut).collect();
            ids.extend(whole.lines().filter_map(|l| {
                l.strip_prefix("id: ")
                    .and_then(|v| v.trim().parse::<u64>().ok())
            }));
        }
    }
    ids
}

/// Finding 6: a reconnecting SSE client gets every missed trace, in order and once, paged
/// (the old replay stopped at 10,000 and held them all in memory).
#[tokio::test]
async fn sse_replay_is_complete_past_ten_thousand() {
    let bank = Bank::start_with(&["--trace-retention", "20000"]);
    let total = 10_050;
    let mut sender = bank.connect(None).await;
    for _ in 0..total {
        let req = hyper::Request::builder()
            .uri("/generic/.well-known/openid-configuration")
            .header("host", bank.addr.as_str())
            .body(http_body_util::Full::new(hyper::body::Bytes::new()))
            .unwrap();
        let r = sender.send_request(req).await.unwrap();
        assert_eq!(r.status(), 200);
        let _ = http_body_util::BodyExt::collect(r.into_body()).await;
    }
    let ids = sse_ids(&bank, 0, total).await;
    assert_eq!(ids.len(), total);
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, once each"
    );
    // Other requests are answered while replays run.
    let (a, b, r) = tokio::join!(
        sse_ids(&bank, 0, 3000),
        sse_ids(&bank, 5000, 3000),
        bank.get("/generic/.well-known/openid-configuration")
    );
    assert_eq!((a.len(), b.len(), r.status), (3000, 3000, 200));
}

/// Finding 7: a connection that stalls halfway through its headers (or body) is closed by
/// the server, and the connection cap keeps new handshakes possible.
#[tokio::test]
async fn stalled_connections_are_closed_and_capped() {
    let bank = Bank::start_with(&[
        "--header-timeout-ms",
        "700",
        "--body-timeout-ms",
        "700",
        "--max-connections",
        "20",
    ]);
    // Headers never finish.
    let mut half = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    half.write_all(b"GET /generic/.well-known/openid-configuration HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        // Whatever comes (nothing, or an error), the server must end the connection.
        while let Ok(n) = half.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept a half-sent request open");
    // A body that never finishes: 408 in the JSON shape.
    let mut body = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    let head = format!(
        "POST /generic/register HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"redirect",
        bank.addr
    );
    body.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), body.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"invalid_request\""), "{answer}");
    // Sixty stalled connections against a cap of twenty: a normal request still gets through
    // once the timeouts free their slots.
    let mut stalled = Vec::new();
    for _ in 0..60 {
        if let Ok(Ok(s)) = tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(&bank.addr),
        )
        .await
        {
            stalled.push(s);
        }
    }
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        bank.get("/generic/.well-known/openid-configuration"),
    )
    .await
    .expect("a new client was starved by stalled connections");
    assert_eq!(r.status, 200);
    drop(stalled);
}

/// Finding 8: the data dir is the owner's alone, whatever the umask, and an existing loose
/// one is tightened at start.
#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("notes.txt"), "left by hand").unwrap();
    std::fs::set_permissions(
        dir.join("notes.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let bank = Bank::start_in(&dir, &[]);
    common::register(&bank, "generic", &generic_client()).await;
    let _ = common::mint(&bank, json!({"software_name": "x"})).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 6, "database, WAL, CA, keys, token, server.json");
    drop(bank);
}

/// Finding 9: secrets in the query string and in a body of another content type are
/// redacted in the trace and kept out of its search text.
#[tokio::test]
async fn secrets_in_odd_places_are_redacted() {
    let bank = Bank::start();
    let reg = common::register(&bank, "generic", &generic_client()).await;
    let rat = reg["registration_access_token"].as_str().unwrap();
    let id = reg["client_id"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();
    bank.get(&format!("/generic/register/{id}?access_token={rat}"))
        .await;
    bank.send(Request::new("POST", "/generic/token").raw(
        "text/plain",
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
    ))
    .await;
    let traces = bank.admin_get("/admin/traces?limit=5").await;
    let text = String::from_utf8_lossy(&traces.body).into_owned();
    assert!(!text.contains(rat), "the RAT reached a trace");
    assert!(!text.contains(secret), "the secret reached a trace");
    assert!(text.contains("(redacted)"));
    for needle in [rat, secret] {
        let q = bank
            .admin_get(&format!("/admin/traces?q={}", &needle[8..20]))
            .await
            .json();
        assert_eq!(q.as_array().unwrap().len(), 0, "searchable by its secret");
    }
}

/// Finding 10: every error is JSON with `Cache-Control: no-store`, over HTTP/1.1 and h2.
#[tokio::test]
async fn every_error_is_json() {
    let bank = Bank::start();
    // 405 with Allow.
    for (method, path) in [
        ("GET", "/generic/register"),
        ("PUT", "/generic/token"),
        ("POST", "/admin/traces"),
        ("DELETE", "/directory/jwks"),
    ] {
        let r = bank
            .send(Request::new(method, path).bearer(&bank.admin_token))
            .await;
        let err = r.assert_error(405, "invalid_request");
        let allow = r.header("allow").expect("405 without Allow");
        // Hardening, third round, finding 13: the description names what Allow names.
        let first = allow.split(',').next().unwrap().trim();
        let description = err["error_description"].as_str().unwrap();
        assert!(
            description.contains("allowed: ") && description.contains(first),
            "{method} {path}: {description} (Allow: {allow})"
        );
    }
    // 414 and 431.
    let long = format!(
        "/generic/.well-known/openid-configuration?x={}",
        "a".repeat(9000)
    );
    bank.get(&long).await.assert_error(414, "invalid_request");
    let mut req = Request::new("GET", "/generic/.well-known/openid-configuration");
    for i in 0..110 {
        req = req.header("x-filler", format!("{i}"));
    }
    bank.send(req).await.assert_error(431, "invalid_request");
    // The same over HTTP/2.
    let tls = bank.tls_stream(None, vec![b"h2".to_vec()]).await.unwrap();
    let (mut h2, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tls),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let mut builder = hyper::Request::builder().uri(format!(
        "{}/generic/.well-known/openid-configuration",
        bank.base_url
    ));
    for i in 0..110 {
        builder = builder.header(format!("x-filler-{i}"), "1");
    }
    let r = h2
        .send_request(
            builder
                .body(http_body_util::Full::new(hyper::body::Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 431);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = http_body_util::BodyExt::collect(r.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "invalid_request");
    // A control character in a header: hyper refuses it; the answer is still JSON.
    let mut raw = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    raw.write_all(
        format!("GET /generic/.well-known/openid-configuration HTTP/1.1\r\nhost: {}\r\nx-bad: a\u{1}b\r\n\r\n", bank.addr).as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), raw.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("cache-control: no-store"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(v["error"], "invalid_request");
    // Admin query errors, admin 413, /ui/login 415.
    for q in ["limit=abc", "before=-5"] {
        bank.admin_get(&format!("/admin/traces?{q}"))
            .await
            .assert_error(400, "invalid_request");
    }
    let r = bank
        .send(
            Request::new("POST", "/admin/initial-access-tokens")
                .bearer(&bank.admin_token)
                .json(&json!({"profile": "generic", "pad": "x".repeat(300 * 1024)})),
        )
        .await;
    r.assert_error(413, "invalid_request");
    let r = bank
        .send(Request::new("POST", "/ui/login").raw("text/plain", "token=x"))
        .await;
    r.assert_error(415, "invalid_request");
}

/// Finding 11: the directory mint refuses what it cannot mint, with the right status.
#[tokio::test]
async fn the_directory_mint_refuses_bad_input() {
    let bank = Bank::start();
    let big = json!({"software_name": "x", "org_name": "y".repeat(70 * 1024)});
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(&big),
        )
        .await;
    r.assert_error(413, "invalid_request");
    let r = bank
        .send(
            Request::new("POST", "/directory/software")
                .bearer(&bank.admin_token)
                .json(&json!({"software_name": "x", "profile": "zzz"})),
        )
        .await;
    let body = r.assert_error(400, "invalid_request");
    let text = body["error_description"].as_str().unwrap();
    assert!(
        text.contains("zzz") && text.contains("obuk-v3.2") && text.contains("stet"),
        "{text}"
    );
}

/// Finding 12: a large admin answer is complete even when the request carried a body sent
/// as a separate TLS record (it was cut short by a reset).
#[tokio::test]
async fn large_answers_are_complete_after_an_unread_body() {
    let bank = Bank::start();
    for _ in 0..40 {
        common::register(&bank, "generic", &generic_client()).await;
    }
    let expected = bank.admin_get("/admin/traces?limit=1000").await.body.len();
    for _ in 0..3 {
        let mut tls = bank
            .tls_stream(None, vec![b"http/1.1".to_vec()])
            .await
            .unwrap();
        let head = format!(
            "GET /admin/traces?limit=1000 HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
            bank.addr, bank.admin_token
        );
        tls.write_all(head.as_bytes()).await.unwrap();
        tls.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        tls.write_all(b"{}").await.unwrap();
        tls.flush().await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), tls.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer);
        let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let body = if text
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        assert_eq!(body.len(), expected, "the answer was cut short");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v.as_array().unwrap().len() >= 40);
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// Finding 13: CLI output into a closed pipe stops quietly.
#[test]
fn cli_output_into_a_closed_pipe_is_quiet() {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' checks list | head -n 1", common::BIN))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

/// Finding 14: the redirect URI is judged (and shown) once, and checks that cannot apply
/// to a profile's format are not shown as enabled.
#[tokio::test]
async fn newcomer_findings() {
    let bank = Bank::start();
    let tpp = Tpp::mint(&bank, json!({})).await;
    tpp.register(&bank, |_| {}).await;
    let t = bank.last_trace("POST", &format!("{OBUK}/register")).await;
    let format = t["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "obuk.redirect.format")
        .unwrap();
    let shown = format["values"]["redirect_uris"].as_array().unwrap();
    let mut unique = shown.clone();
    unique.dedup();
    assert_eq!(shown.len(), unique.len(), "{format}");

    let profiles = bank.admin_get("/admin/profiles").await.json();
    let generic = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "generic")
        .unwrap();
    let check = |id: &str| {
        generic["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    for id in ["request.jws_signature", "ssa.signature"] {
        let c = check(id);
        assert_eq!(
            (c["enabled"].clone(), c["applicable"].clone()),
            (json!(false), json!(false)),
            "{c}"
        );
    }
    assert_eq!(check("generic.redirect.no_fragment")["applicable"], true);
    // The UI's directory listings can be left out of the trace list.
    let _ = bank.admin_get("/directory/orgs").await;
    let _ = bank.admin_get("/directory/software").await;
    let hidden = bank
        .admin_get("/admin/traces?limit=50&hide=directory_reads")
        .await
        .json();
    let seen: Vec<String> = hidden
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t["method"].as_str().unwrap(),
                t["path"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        !seen
            .iter()
            .any(|p| p == "GET /directory/orgs" || p == "GET /directory/software"),
        "{seen:?}"
    );
    // Real actions stay: the mint and the registration.
    assert!(
        seen.iter().any(|p| p == "POST /directory/software"),
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .any(|p| p.starts_with("POST /obuk-v3.2/register")));
    let all = bank.admin_get("/admin/traces?limit=50").await.json();
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["path"] == "/directory/orgs"));
}
