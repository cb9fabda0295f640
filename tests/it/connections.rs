//! HTTP/2 sessions do not hold the connection cap (hardening, third round, finding 2): a
//! session with no open stream is closed after the idle limit, a stream whose body never
//! arrives gets 408 and its session then goes idle, and at the cap idle sessions give their
//! slots to new clients at once — while a normal client answers the server's pings.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, StreamBody};
use hyper::body::{Bytes, Frame};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::task::JoinHandle;

use crate::common::Bank;

const DISCOVERY: &str = "/generic/.well-known/openid-configuration";

/// An HTTP/2 session as a browser or HTTP client keeps one: the connection task answers
/// pings. Returns the sender and the task, which ends when the server closes the session.
async fn session<B>(bank: &Bank) -> (SendRequest<B>, JoinHandle<()>)
where
    B: hyper::body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let tls = bank.tls_stream(None, vec![b"h2".to_vec()]).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(1))
        .keep_alive_while_idle(true)
        .handshake(TokioIo::new(tls))
        .await
        .unwrap();
    let task = tokio::spawn(async move {
        let _ = conn.await;
    });
    (sender, task)
}

async fn get(sender: &mut SendRequest<Empty<Bytes>>, bank: &Bank) -> u16 {
    let req = hyper::Request::get(format!("{}{DISCOVERY}", bank.base_url))
        .body(Empty::new())
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    resp.into_body().collect().await.unwrap();
    status
}

#[tokio::test]
async fn an_idle_http2_session_is_closed_after_the_idle_limit() {
    let bank = Bank::start_with(&["--header-timeout-ms", "800"]);
    let (mut sender, task) = session(&bank).await;
    assert_eq!(get(&mut sender, &bank).await, 200);
    // The client pings every second and the server answers; still, with no open stream the
    // server ends the session.
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("an idle HTTP/2 session stayed open")
        .unwrap();
}

#[tokio::test]
async fn a_stream_whose_body_never_arrives_gets_408_and_its_session_closes() {
    let bank = Bank::start_with(&["--header-timeout-ms", "800", "--body-timeout-ms", "800"]);
    type Chunks =
        StreamBody<futures_util::stream::Pending<Result<Frame<Bytes>, std::convert::Infallible>>>;
    let (mut sender, task) = session::<Chunks>(&bank).await;
    let req = hyper::Request::post(format!("{}/generic/register", bank.base_url))
        .header("content-type", "application/json")
        .body(StreamBody::new(futures_util::stream::pending()))
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), sender.send_request(req))
        .await
        .expect("no answer to a stalled body")
        .unwrap();
    assert_eq!(resp.status(), 408);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["error"], "invalid_request", "{err}");
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the session of a timed-out stream stayed open")
        .unwrap();
}

#[tokio::test]
async fn idle_http2_sessions_at_the_cap_do_not_starve_a_new_client() {
    // A long idle limit: only the cap's reclaim can free a slot in time.
    let bank = Bank::start_with(&["--max-connections", "8", "--header-timeout-ms", "120000"]);
    // Twelve sessions at once: eight take the slots while the cap is first reached (busy,
    // so not reclaimable yet), four wait in the backlog.
    let held = futures_util::future::join_all((0..12).map(|_| async {
        let (mut sender, task) = session(&bank).await;
        assert_eq!(get(&mut sender, &bank).await, 200);
        (sender, task)
    }));
    let held = tokio::time::timeout(Duration::from_secs(20), held)
        .await
        .expect("sessions beyond the cap never got a slot");
    let r = tokio::time::timeout(Duration::from_secs(10), bank.get(DISCOVERY))
        .await
        .expect("a new client was starved by idle HTTP/2 sessions at the cap");
    assert_eq!(r.status, 200);
    drop(held);
}

/// Hardening, third round, finding 13: a 10 MiB registration body gets its 413, read by a
/// client that writes the whole body before it reads (RFC 9112 §9.6) — not a reset.
#[tokio::test]
async fn an_oversized_body_written_whole_still_gets_its_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let bank = Bank::start();
    let body = vec![b'x'; 10 * 1024 * 1024];
    for profile in ["obuk-v3.2", "stet", "obuk-v3.2", "stet"] {
        let mut s = bank
            .tls_stream(None, vec![b"http/1.1".to_vec()])
            .await
            .unwrap();
        let head = format!(
            "POST /{profile}/register HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            bank.addr,
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(&body)
            .await
            .unwrap_or_else(|e| panic!("{profile}: the server stopped reading: {e}"));
        s.flush().await.unwrap();
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(20), s.read(&mut answer))
            .await
            .expect("no answer")
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        let text = String::from_utf8_lossy(&answer[..n]);
        // The profile's checks decide the status (413, the 400 OBUK configures for its
        // body-size check, STET's 401 for a request without a certificate); what matters
        // is that the client reads the answer instead of a reset.
        assert!(text.starts_with("HTTP/1.1 4"), "{profile}: {text}");
        assert!(text.contains("application/json"), "{profile}: {text}");
    }
}
