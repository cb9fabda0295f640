//! When a connection is idle, and when it must go: the requests (HTTP/1.1) or streams
//! (HTTP/2) it has open, the moment its last one ended, and the accept loop's call to give
//! idle connections back when the connection cap is reached.
//!
//! HTTP/1.1 has the header-read timeout for an idle keep-alive connection; HTTP/2 has no such
//! thing in hyper, and a client answers the server's keep-alive pings, so without this an idle
//! HTTP/2 session would hold its slot of the cap forever (hardening, third round, finding 2).

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long a connection must have had nothing open before the cap may take it back: a
/// new connection gets this long to send its first request.
const RECLAIM_GRACE: Duration = Duration::from_millis(500);

/// Shared by every connection: notified when the cap is reached, so that connections with
/// nothing open close at once and a new client gets a slot.
#[derive(Default)]
pub struct Pressure {
    notify: Notify,
}

impl Pressure {
    /// The cap is reached: idle connections, close.
    pub fn reclaim(&self) {
        self.notify.notify_waiters();
    }
}

/// One connection's open requests and since when it has had none.
pub struct Activity {
    open: AtomicUsize,
    idle_since: Mutex<Instant>,
    ended: Notify,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Activity {
            open: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            ended: Notify::new(),
        })
    }

    /// A request starts; it stays open until the returned guard is dropped (with its
    /// response body, see [`Activity::track`]).
    pub fn begin(self: &Arc<Self>) -> Open {
        self.open.fetch_add(1, Ordering::AcqRel);
        Open(self.clone())
    }

    /// Keeps `open` alive until the response body has been sent (or dropped): a streamed
    /// answer (SSE) keeps its connection busy.
    pub fn track(open: Open, resp: axum::response::Response) -> axum::response::Response {
        resp.map(|inner| Body::new(Tracked { inner, _open: open }))
    }

    fn idle_for(&self) -> Option<Duration> {
        (self.open.load(Ordering::Acquire) == 0).then(|| {
            self.idle_since
                .lock()
                .map_or(Duration::ZERO, |since| since.elapsed())
        })
    }

    /// Resolves when the connection has had nothing open for `limit`, or for at least
    /// [`RECLAIM_GRACE`] when `pressure` asks idle connections to go.
    pub async fn idle(&self, limit: Duration, pressure: &Pressure) {
        loop {
            let ended = self.ended.notified();
            let reclaim = pressure.notify.notified();
            match self.idle_for() {
                Some(idle) if idle >= limit => return,
                Some(idle) => {
                    tokio::select! {
                        _ = tokio::time::sleep(limit - idle) => {}
                        _ = reclaim => if self.idle_for().is_some_and(|i| i >= RECLAIM_GRACE) { return },
                    }
                }
                None => {
                    tokio::select! {
                        _ = ended => {}
                        _ = reclaim => {}
                    }
                }
            }
        }
    }
}

/// An open request of a connection; dropping it ends it.
pub struct Open(Arc<Activity>);

impl Drop for Open {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Ok(mut since) = self.0.idle_since.lock() {
                *since = Instant::now();
            }
            self.0.ended.notify_waiters();
        }
    }
}

/// A response body that holds its request open until it is done.
struct Tracked {
    inner: Body,
    _open: Open,
}

impl HttpBody for Tracked {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_idle_only_with_nothing_open() {
        let a = Activity::new();
        let pressure = Pressure::default();
        let open = a.begin();
        let waited = tokio::time::timeout(
            Duration::from_secs(5),
            a.idle(Duration::from_secs(1), &pressure),
        )
        .await;
        assert!(waited.is_err(), "busy for 5 s is not idle");
        drop(open);
        let started = Instant::now();
        a.idle(Duration::from_secs(1), &pressure).await;
        assert!(started.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn pressure_closes_idle_connections_at_once_and_spares_busy_ones() {
        let idle = Activity::new();
        let busy = Activity::new();
        let _open = busy.begin();
        let pressure = Arc::new(Pressure::default());
        let limit = Duration::from_secs(3600);
        let (i, b, p) = (idle.clone(), busy.clone(), pressure.clone());
        let idle_done = tokio::spawn(async move { i.idle(limit, &p).await });
        let p = pressure.clone();
        let busy_done = tokio::spawn(async move { b.idle(limit, &p).await });
        tokio::time::sleep(RECLAIM_GRACE).await;
        pressure.reclaim();
        tokio::time::timeout(Duration::from_secs(1), idle_done)
            .await
            .expect("an idle connection goes when the cap is reached")
            .unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!busy_done.is_finished(), "a busy connection stays");
    }
}
