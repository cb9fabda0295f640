//! One authority per request (hardening, third round, finding 12): two `Host` headers, an
//! absolute-form target with our authority and a foreign `Host`, and HTTP/2 with our
//! `:authority` and a foreign `host` are all refused with 400 `invalid_request`, before any
//! route — the admin API's Host check never judges one name while the request names another.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::Bank;

/// Sends raw HTTP/1.1 bytes and returns the status and JSON body of the answer.
async fn raw(bank: &Bank, head: String) -> (u16, Value) {
    let mut s = bank
        .tls_stream(None, vec![b"http/1.1".to_vec()])
        .await
        .unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    // A chunked body: the JSON is between the size line and the end chunk.
    let json = body
        .find('{')
        .and_then(|i| body.rfind('}').map(|j| &body[i..=j]))
        .unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_host_headers_are_refused() {
    let bank = Bank::start();
    let (status, body) = raw(
        &bank,
        format!(
            "GET /admin/clients HTTP/1.1\r\nhost: {}\r\nhost: evil.example\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
            bank.addr, bank.admin_token
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request", "{body}");
}

#[tokio::test]
async fn an_absolute_target_and_a_foreign_host_are_refused() {
    let bank = Bank::start();
    let (status, body) = raw(
        &bank,
        format!(
            "GET {}/admin/clients HTTP/1.1\r\nhost: evil.example\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
            bank.base_url, bank.admin_token
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request", "{body}");
    // Our authority in both: served.
    let (status, _) = raw(
        &bank,
        format!(
            "GET {}/admin/clients HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
            bank.base_url, bank.addr, bank.admin_token
        ),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn http2_with_a_foreign_host_beside_our_authority_is_refused() {
    let bank = Bank::start();
    let tls = bank.tls_stream(None, vec![b"h2".to_vec()]).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(conn);
    let send = |host: Option<&str>| {
        let mut req = hyper::Request::get(format!("{}/admin/clients", bank.base_url))
            .header("authorization", format!("Bearer {}", bank.admin_token));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        req.body(Empty::<Bytes>::new()).unwrap()
    };
    let resp = sender
        .send_request(send(Some("evil.example")))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request", "{body}");
    let resp = sender.send_request(send(None)).await.unwrap();
    assert_eq!(resp.status(), 200);
}
