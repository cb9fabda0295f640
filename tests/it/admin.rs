//! The admin API's refusals (token, Origin, Host) and the live trace stream.

use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Bytes;

use crate::common::{generic_client, register, Bank, Request};

#[tokio::test]
async fn the_admin_api_is_closed_to_strangers() {
    let bank = Bank::start();
    let r = bank.get("/admin/traces").await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(Request::new("GET", "/admin/traces").bearer("wrong-token"))
        .await;
    r.assert_error(401, "invalid_token");
    let r = bank
        .send(
            Request::new("GET", "/admin/traces")
                .bearer(&bank.admin_token)
                .header("origin", "https://evil.example"),
        )
        .await;
    r.assert_error(403, "access_denied");
    let own_origin = format!("https://{}", bank.addr);
    let r = bank
        .send(
            Request::new("GET", "/admin/traces")
                .bearer(&bank.admin_token)
                .header("origin", own_origin),
        )
        .await;
    assert_eq!(r.status, 200);
    // DNS rebinding: a foreign Host is refused even with the token
    let mut sender = bank.connect(None).await;
    let req = hyper::Request::builder()
        .uri("/admin/traces")
        .header("host", "evil.example:8443")
        .header("authorization", format!("Bearer {}", bank.admin_token))
        .body(http_body_util::Full::new(Bytes::new()))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 403);
    // minting-style endpoints and everything under /admin share the guard
    for path in [
        "/admin/profiles",
        "/admin/checks",
        "/admin/clients",
        "/admin/traces/stream",
    ] {
        assert_eq!(bank.get(path).await.status, 401, "{path}");
    }
}

#[tokio::test]
async fn admin_lists_profiles_checks_clients_and_filters_traces() {
    let bank = Bank::start();
    register(&bank, "generic", &generic_client()).await;
    bank.send(Request::new("POST", "/generic-rotating/register").raw("text/plain", "x"))
        .await;
    let profiles = bank.admin_get("/admin/profiles").await.json();
    let generic = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "generic")
        .unwrap();
    assert_eq!(
        generic["discovery"]["issuer"],
        format!("{}/generic", bank.base_url)
    );
    let scheme = generic["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "generic.redirect.scheme")
        .unwrap();
    assert_eq!(scheme["params"]["allow_http_loopback"], true);
    assert!(
        bank.admin_get("/admin/checks")
            .await
            .json()
            .as_array()
            .unwrap()
            .len()
            > 30
    );
    assert_eq!(
        bank.admin_get("/admin/clients?profile=generic")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let failed = bank.admin_get("/admin/traces?outcome=fail").await.json();
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["profile"], "generic-rotating");
    let by_profile = bank.admin_get("/admin/traces?profile=generic").await.json();
    assert!(by_profile
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["profile"] == "generic"));
    let id = by_profile[0]["id"].as_str().unwrap();
    assert_eq!(
        bank.admin_get(&format!("/admin/traces/{id}")).await.json()["id"],
        id
    );
    assert_eq!(bank.admin_get("/admin/traces/nope").await.status, 404);
}

/// Reads SSE frames until one `trace` event for `path` arrives; returns (id, data).
async fn next_trace_event(
    body: &mut hyper::body::Incoming,
    buf: &mut String,
) -> (u64, serde_json::Value) {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            let field = |name: &str| {
                event
                    .lines()
                    .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_owned()))
            };
            if field("event:").as_deref() == Some("trace") {
                let id = field("id:").unwrap().parse().unwrap();
                let data = serde_json::from_str(&field("data:").unwrap()).unwrap();
                return (id, data);
            }
            continue;
        }
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("no SSE event within 10 s")
            .expect("stream ended")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&data));
        }
    }
}

async fn open_stream(bank: &Bank, last_event_id: Option<u64>) -> hyper::body::Incoming {
    let mut sender = bank.connect(None).await;
    let mut req = hyper::Request::builder()
        .uri("/admin/traces/stream")
        .header("host", bank.addr.as_str())
        .header("authorization", format!("Bearer {}", bank.admin_token));
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    let resp = sender
        .send_request(req.body(http_body_util::Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    // keep the connection task alive with the body
    std::mem::forget(sender);
    resp.into_body()
}

#[tokio::test]
async fn sse_delivers_new_traces_and_replays_after_last_event_id() {
    let bank = Bank::start();
    let mut stream = open_stream(&bank, None).await;
    let mut buf = String::new();
    let created = register(&bank, "generic", &generic_client()).await;
    let (id, trace) = next_trace_event(&mut stream, &mut buf).await;
    assert_eq!(trace["path"], "/generic/register");
    assert_eq!(trace["client_id"], created["client_id"]);
    assert_eq!(trace["seq"], id);
    assert!(!trace["checks"].as_array().unwrap().is_empty());

    // two more requests, then a reconnect that says it saw only the first
    bank.get("/generic/.well-known/openid-configuration").await;
    bank.get("/generic/jwks").await;
    let mut replay = open_stream(&bank, Some(id)).await;
    let mut buf = String::new();
    let (a, t1) = next_trace_event(&mut replay, &mut buf).await;
    let (b, t2) = next_trace_event(&mut replay, &mut buf).await;
    assert_eq!((a, b), (id + 1, id + 2));
    assert_eq!(t1["path"], "/generic/.well-known/openid-configuration");
    assert_eq!(t2["path"], "/generic/jwks");
    // and then it goes live
    bank.get("/generic/jwks").await;
    let (c, _) = next_trace_event(&mut replay, &mut buf).await;
    assert_eq!(c, id + 3);
}
