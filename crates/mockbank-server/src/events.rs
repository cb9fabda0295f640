//! The trace bus: one broadcast source that the SSE stream, the desktop app and tests all
//! subscribe to. Traces are published after they are stored, so anything a subscriber sees
//! can be read back from the store.

use std::sync::Arc;

use mockbank_core::Trace;
use tokio::sync::broadcast;

#[derive(Clone)]
pub struct TraceBus {
    tx: broadcast::Sender<Arc<Trace>>,
}

impl TraceBus {
    pub fn new(capacity: usize) -> Self {
        TraceBus {
            tx: broadcast::channel(capacity).0,
        }
    }

    pub fn publish(&self, trace: Arc<Trace>) {
        // No subscriber is fine: the trace is already stored.
        let _ = self.tx.send(trace);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Trace>> {
        self.tx.subscribe()
    }
}
