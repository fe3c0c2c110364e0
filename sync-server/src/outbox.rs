//! A connection's bounded queue of outgoing frames, and the signal that closes it.
//!
//! The hub queues replies while holding a document's lock, so queuing never waits: a frame
//! that does not fit (more than [`Limits::frames`] frames or [`Limits::bytes`] bytes waiting,
//! because the peer does not read) closes the connection instead. A peer that never reads can
//! therefore hold at most one queue's worth of the relay's memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{mpsc, watch};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub frames: usize,
    pub bytes: usize,
}

/// The sending side, held by the hub (cheap to clone).
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    max_bytes: usize,
    close: Arc<watch::Sender<Option<String>>>,
}

/// The receiving side, held by the connection's writer.
pub struct Inbox {
    rx: mpsc::Receiver<Vec<u8>>,
    queued: Arc<AtomicUsize>,
}

pub fn channel(limits: Limits) -> (Outbox, Inbox, Closed) {
    let (tx, rx) = mpsc::channel(limits.frames.max(1));
    let queued = Arc::new(AtomicUsize::new(0));
    let (close, closed) = watch::channel(None);
    (
        Outbox {
            tx,
            queued: queued.clone(),
            max_bytes: limits.bytes,
            close: Arc::new(close),
        },
        Inbox { rx, queued },
        Closed(closed),
    )
}

impl Outbox {
    /// Queues a frame; if the queue is full, closes the connection instead.
    pub fn send(&self, frame: Vec<u8>) {
        let len = frame.len();
        if self.queued.load(Ordering::Relaxed) + len > self.max_bytes {
            self.close("the connection does not read what the relay sends; closed".into());
            return;
        }
        match self.tx.try_send(frame) {
            Ok(()) => {
                self.queued.fetch_add(len, Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close("the connection does not read what the relay sends; closed".into());
            }
            // The writer is gone: the connection is closing anyway.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Closes the connection with this reason (sent to the peer as `error`); the first reason
    /// given is the one sent.
    pub fn close(&self, reason: String) {
        self.close.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    pub fn closed(&self) -> Closed {
        Closed(self.close.subscribe())
    }
}

impl Inbox {
    pub async fn recv(&mut self) -> Option<Vec<u8>> {
        let frame = self.rx.recv().await?;
        self.queued.fetch_sub(frame.len(), Ordering::Relaxed);
        Some(frame)
    }

    /// A frame already queued, without waiting.
    pub fn try_recv(&mut self) -> Option<Vec<u8>> {
        let frame = self.rx.try_recv().ok()?;
        self.queued.fetch_sub(frame.len(), Ordering::Relaxed);
        Some(frame)
    }
}

/// Resolves, with the reason, once the connection is to be closed.
#[derive(Clone)]
pub struct Closed(watch::Receiver<Option<String>>);

impl Closed {
    /// The reason, or `None` when every [`Outbox`] is gone (the connection ended quietly).
    pub async fn wait(&mut self) -> Option<String> {
        match self.0.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone(),
            Err(_) => None,
        }
    }

    pub fn reason(&self) -> Option<String> {
        self.0.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_closes_instead_of_growing() {
        let (out, mut inbox, mut closed) = channel(Limits {
            frames: 2,
            bytes: 1000,
        });
        out.send(vec![0; 10]);
        out.send(vec![0; 10]);
        assert_eq!(closed.reason(), None);
        out.send(vec![0; 10]);
        assert!(closed.wait().await.unwrap().contains("does not read"));
        assert_eq!(inbox.recv().await.map(|f| f.len()), Some(10));

        let (out, _inbox, closed) = channel(Limits {
            frames: 100,
            bytes: 100,
        });
        out.send(vec![0; 60]);
        out.send(vec![0; 60]);
        assert!(closed.reason().is_some(), "over the byte bound");
        // The first reason stays.
        out.close("other".into());
        assert!(closed.reason().unwrap().contains("does not read"));
    }
}
