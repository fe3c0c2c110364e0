//! The relay's side of one document, free of I/O: the rules the relay applies to each `request`
//! and `sync` it receives. The relay (`sync-server`'s hub) wraps it with storage and sockets;
//! the convergence tests drive this same code with an in-memory network.

use automerge::Automerge;

use crate::{DocSync, PeerId, SyncError};

/// One document as the relay holds it: the document, a sync session per peer that asked for
/// it, and whether anyone has claimed to hold it.
#[derive(Debug)]
pub struct RelayDoc {
    pub doc: Automerge,
    pub sync: DocSync,
    /// Some peer sent `sync` (not `request`) for it, or it has content: it exists, even if the
    /// claimant's changes have not arrived yet, so a request waits for them instead of being
    /// refused.
    claimed: bool,
}

/// What a message did to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A `request` for a document nobody holds: answer `doc-unavailable`. The requester stays
    /// subscribed and gets the document when someone brings it.
    Unavailable,
    /// Applied; `changed` when the document took new changes (store them, then send
    /// [`RelayDoc::updates`]).
    Applied { changed: bool },
}

impl RelayDoc {
    /// A document loaded from storage (empty if nothing was stored).
    pub fn new(doc: Automerge) -> Self {
        let claimed = !doc.get_heads().is_empty();
        Self {
            doc,
            sync: DocSync::default(),
            claimed,
        }
    }

    /// Applies a `request` (`is_request`) or `sync` from `peer`. On error the document may hold
    /// part of the message: the relay drops it and reloads from storage.
    pub fn receive(
        &mut self,
        peer: &PeerId,
        data: &[u8],
        is_request: bool,
    ) -> Result<Received, SyncError> {
        self.claimed |= !is_request;
        let changed = self.sync.receive(&mut self.doc, peer, data)?;
        if is_request && !self.claimed && self.doc.get_heads().is_empty() {
            return Ok(Received::Unavailable);
        }
        Ok(Received::Applied { changed })
    }

    /// Changes that arrived another way (another relay instance wrote them): the document
    /// exists.
    pub fn took_changes(&mut self) {
        self.claimed = true;
    }

    /// The messages to send now, one per subscribed peer that has something to hear.
    pub fn updates(&mut self) -> Vec<(PeerId, Vec<u8>)> {
        self.sync.generate_all(&self.doc)
    }
}
