//! The window's live trace feed: the server's trace bus — the same broadcast source that
//! feeds `/admin/traces/stream` — forwarded as Tauri events.
//!
//! - [`TRACE_EVENT`] (`"trace"`): an array of traces, oldest first. Traces that are already
//!   waiting when one is taken go out together, so a burst is one event, not hundreds.
//! - [`RESYNC_EVENT`] (`"trace-resync"`): the number of traces the feed fell behind by; the
//!   UI refetches its list (every published trace is stored first, so nothing is lost).

use std::sync::Arc;

use mockbank_core::Trace;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;

pub const TRACE_EVENT: &str = "trace";
pub const RESYNC_EVENT: &str = "trace-resync";

/// Traces sent in one event at most.
pub const MAX_BATCH: usize = 256;

/// What the feed sends next.
#[derive(Debug)]
pub enum Feed {
    Traces(Vec<Arc<Trace>>),
    Resync(u64),
}

/// Waits for the next trace and takes those queued behind it (up to `max`); `None` once
/// the bus is gone.
pub async fn next(rx: &mut Receiver<Arc<Trace>>, max: usize) -> Option<Feed> {
    let first = match rx.recv().await {
        Ok(trace) => trace,
        Err(RecvError::Lagged(missed)) => return Some(Feed::Resync(missed)),
        Err(RecvError::Closed) => return None,
    };
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(trace) => batch.push(trace),
            // The batch is stored too: the refetch the resync causes brings it.
            Err(TryRecvError::Lagged(missed)) => return Some(Feed::Resync(missed)),
            Err(TryRecvError::Empty | TryRecvError::Closed) => break,
        }
    }
    Some(Feed::Traces(batch))
}

/// Hands every [`Feed`] to `emit` until the bus is gone.
pub async fn forward(mut rx: Receiver<Arc<Trace>>, mut emit: impl FnMut(Feed)) {
    while let Some(feed) = next(&mut rx, MAX_BATCH).await {
        emit(feed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mockbank_core::trace::{CheckSummary, HttpRecord};
    use tokio::sync::broadcast;

    fn trace(seq: u64) -> Arc<Trace> {
        Arc::new(Trace {
            seq,
            id: format!("t{seq}"),
            time: "2026-01-01T00:00:00Z".into(),
            time_ms: 0,
            profile: "generic".into(),
            method: "POST".into(),
            path: "/generic/register".into(),
            status: 201,
            client_id: None,
            client_cert: None,
            request: HttpRecord::default(),
            response: HttpRecord::default(),
            checks: Vec::new(),
            summary: CheckSummary::of(&[]),
            failed_check: None,
            duration_us: 1,
        })
    }

    fn seqs(feed: Option<Feed>) -> Vec<u64> {
        match feed {
            Some(Feed::Traces(batch)) => batch.iter().map(|t| t.seq).collect(),
            other => panic!("expected traces, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_burst_is_one_batch_in_order() {
        let (tx, mut rx) = broadcast::channel(64);
        for seq in 1..=5 {
            tx.send(trace(seq)).unwrap();
        }
        assert_eq!(seqs(next(&mut rx, MAX_BATCH).await), [1, 2, 3, 4, 5]);
        tx.send(trace(6)).unwrap();
        assert_eq!(seqs(next(&mut rx, MAX_BATCH).await), [6]);
    }

    #[tokio::test]
    async fn batches_are_capped() {
        let (tx, mut rx) = broadcast::channel(64);
        for seq in 1..=5 {
            tx.send(trace(seq)).unwrap();
        }
        assert_eq!(seqs(next(&mut rx, 2).await), [1, 2]);
        assert_eq!(seqs(next(&mut rx, 2).await), [3, 4]);
        assert_eq!(seqs(next(&mut rx, 2).await), [5]);
    }

    #[tokio::test]
    async fn falling_behind_asks_for_a_resync_then_goes_on() {
        let (tx, mut rx) = broadcast::channel(4);
        for seq in 1..=10 {
            tx.send(trace(seq)).unwrap();
        }
        match next(&mut rx, MAX_BATCH).await {
            Some(Feed::Resync(missed)) => assert_eq!(missed, 6),
            other => panic!("expected a resync, got {other:?}"),
        }
        assert_eq!(seqs(next(&mut rx, MAX_BATCH).await), [7, 8, 9, 10]);
    }

    #[tokio::test]
    async fn the_feed_ends_with_the_bus() {
        let (tx, rx) = broadcast::channel(4);
        tx.send(trace(1)).unwrap();
        drop(tx);
        let mut seen = Vec::new();
        forward(rx, |feed| seen.push(feed)).await;
        assert_eq!(seen.len(), 1);
    }
}
