use std::collections::BTreeMap;

use automerge::Automerge;
use automerge::sync::{self, SyncDoc};

use crate::PeerId;

/// One document's sync sessions: an automerge sync state per peer that has asked for it.
///
/// A peer is in the map only after it sent a `request` or `sync` for this document (or, on a
/// client, after the client chose to sync it with that peer), so generating messages for "all
/// peers" never announces the document to anyone who did not ask.
#[derive(Default, Debug)]
pub struct DocSync {
    peers: BTreeMap<PeerId, sync::State>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    #[error("sync message is malformed: {0}")]
    Decode(String),
    #[error("sync message could not be applied: {0}")]
    Apply(String),
}

impl DocSync {
    pub fn subscribe(&mut self, peer: &PeerId) {
        self.peers.entry(peer.clone()).or_default();
    }

    pub fn is_subscribed(&self, peer: &PeerId) -> bool {
        self.peers.contains_key(peer)
    }

    /// Forgets a peer's session, e.g. when its connection drops; a later `subscribe` starts a
    /// fresh one, which the automerge sync protocol recovers from.
    pub fn remove_peer(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
    }

    pub fn peers(&self) -> impl Iterator<Item = &PeerId> {
        self.peers.keys()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Applies a peer's sync message; returns whether the document's heads changed.
    ///
    /// On error the peer's session is reset. The document may have taken part of the message,
    /// so a caller that must not keep partial input (the relay) reloads it from storage.
    pub fn receive(
        &mut self,
        doc: &mut Automerge,
        from: &PeerId,
        data: &[u8],
    ) -> Result<bool, SyncError> {
        let message = sync::Message::decode(data).map_err(|e| SyncError::Decode(e.to_string()))?;
        // Bounded before automerge inflates anything: a small message must not take gigabytes.
        crate::inflate::check(message.changes.iter(), crate::inflate::MAX_INFLATED_BYTES)
            .map_err(|e| SyncError::Decode(e.to_string()))?;
        let before = doc.get_heads();
        let state = self.peers.entry(from.clone()).or_default();
        if let Err(e) = doc.receive_sync_message(state, message) {
            *state = sync::State::new();
            return Err(SyncError::Apply(e.to_string()));
        }
        Ok(doc.get_heads() != before)
    }

    /// The next sync message for `peer`, if the protocol has anything to say to it.
    pub fn generate(&mut self, doc: &Automerge, peer: &PeerId) -> Option<Vec<u8>> {
        let state = self.peers.get_mut(peer)?;
        doc.generate_sync_message(state).map(|m| m.encode())
    }

    /// The next sync message for every subscribed peer that needs one.
    pub fn generate_all(&mut self, doc: &Automerge) -> Vec<(PeerId, Vec<u8>)> {
        self.peers
            .iter_mut()
            .filter_map(|(peer, state)| {
                doc.generate_sync_message(state)
                    .map(|m| (peer.clone(), m.encode()))
            })
            .collect()
    }

    /// Whether `peer` has told us it holds exactly our heads.
    pub fn is_synced_with(&self, doc: &Automerge, peer: &PeerId) -> bool {
        let Some(state) = self.peers.get(peer) else {
            return false;
        };
        let mut ours = doc.get_heads();
        ours.sort();
        match &state.their_heads {
            Some(theirs) => {
                let mut theirs = theirs.clone();
                theirs.sort();
                theirs == ours
            }
            None => false,
        }
    }

    /// The heads `peer` last said it has: every change they cover is on that peer.
    pub fn their_heads(&self, peer: &PeerId) -> Option<&[automerge::ChangeHash]> {
        self.peers.get(peer)?.their_heads.as_deref()
    }

    /// Whether `peer` has said anything about this document in the current session.
    pub fn has_heard_from(&self, peer: &PeerId) -> bool {
        self.peers
            .get(peer)
            .is_some_and(|s| s.their_heads.is_some())
    }
}
