//! The device side of the protocol: one connection to a relay, any number of documents.
//!
//! The caller owns the documents (and their storage); [`Client`] owns only the protocol state:
//! whether the handshake is done and each document's sync session. It is driven by three calls:
//! [`Client::receive`] for each frame from the relay, [`Client::poll`] for what to send next,
//! and [`Client::disconnected`] when the socket drops.

use std::collections::{BTreeMap, BTreeSet};

use automerge::Automerge;

use crate::wire::{Message, PeerMetadata, SyncData};
use crate::{DocSync, DocumentId, PROTOCOL_VERSION, PeerId, SyncError};

/// Read and write access to the caller's documents.
pub trait Documents {
    fn ids(&self) -> Vec<DocumentId>;
    fn get(&self, id: &DocumentId) -> Option<&Automerge>;
    fn get_mut(&mut self, id: &DocumentId) -> Option<&mut Automerge>;
}

impl Documents for BTreeMap<DocumentId, Automerge> {
    fn ids(&self) -> Vec<DocumentId> {
        self.keys().copied().collect()
    }
    fn get(&self, id: &DocumentId) -> Option<&Automerge> {
        BTreeMap::get(self, id)
    }
    fn get_mut(&mut self, id: &DocumentId) -> Option<&mut Automerge> {
        BTreeMap::get_mut(self, id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The handshake completed.
    Connected { relay: PeerId },
    /// A document took changes from the relay: persist it.
    Changed(DocumentId),
    /// The relay has no such document (yet).
    Unavailable(DocumentId),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClientError {
    #[error("the relay refused the connection: {0}")]
    Refused(String),
    #[error("the relay sent `{0}` before the handshake")]
    NotJoined(String),
    #[error("the relay selected protocol version {0}, only \"1\" is supported")]
    Version(String),
    #[error("document {doc}: {source}")]
    Sync { doc: DocumentId, source: SyncError },
}

#[derive(Debug)]
pub struct Client {
    me: PeerId,
    relay: Option<PeerId>,
    sessions: BTreeMap<DocumentId, DocSync>,
    unavailable: BTreeSet<DocumentId>,
    /// Documents whose first message went out and the relay has not answered yet.
    opening: BTreeSet<DocumentId>,
    /// The last [`Client::poll_all`] left documents unopened for want of a free slot.
    waiting: bool,
}

/// Documents a client opens at once: a new tablet with a thousand documents asks for them in
/// waves as the relay answers, rather than all in one burst the relay would have to slow down.
pub const MAX_OPENING: usize = 64;

impl Client {
    pub fn new(me: PeerId) -> Self {
        Self {
            me,
            relay: None,
            sessions: BTreeMap::new(),
            unavailable: BTreeSet::new(),
            opening: BTreeSet::new(),
            waiting: false,
        }
    }

    pub fn peer_id(&self) -> &PeerId {
        &self.me
    }

    /// The first frame of every connection.
    pub fn join(&self) -> Message {
        Message::Join {
            sender_id: self.me.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: Some(false),
            },
        }
    }

    pub fn is_connected(&self) -> bool {
        self.relay.is_some()
    }

    /// The socket dropped: every session starts afresh on the next connection.
    pub fn disconnected(&mut self) {
        self.relay = None;
        self.sessions.clear();
        self.unavailable.clear();
        self.opening.clear();
    }

    /// Asks again for documents the relay did not have, on their next [`Client::poll`];
    /// returns them (to be polled with [`Client::poll_these`]).
    pub fn retry_unavailable(&mut self) -> Vec<DocumentId> {
        let ids: Vec<DocumentId> = std::mem::take(&mut self.unavailable).into_iter().collect();
        for id in &ids {
            self.sessions.remove(id);
        }
        ids
    }

    /// The next frames for these documents only, not for every one the device holds: those an
    /// edit changed, or those the relay did not have when the device asks again.
    pub fn poll_these(&mut self, ids: &[DocumentId], docs: &impl Documents) -> Vec<Message> {
        ids.iter()
            .filter_map(|id| docs.get(id).and_then(|doc| self.poll(id, doc)))
            .collect()
    }

    pub fn is_unavailable(&self, id: &DocumentId) -> bool {
        self.unavailable.contains(id)
    }

    pub fn receive(
        &mut self,
        message: Message,
        docs: &mut impl Documents,
    ) -> Result<Vec<ClientEvent>, ClientError> {
        match message {
            Message::Peer {
                sender_id,
                selected_protocol_version,
                ..
            } => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(ClientError::Version(selected_protocol_version));
                }
                self.relay = Some(sender_id.clone());
                Ok(vec![ClientEvent::Connected { relay: sender_id }])
            }
            Message::Error { message } => Err(ClientError::Refused(message)),
            other if self.relay.is_none() => Err(ClientError::NotJoined(other.kind().into())),
            Message::Sync(sync) | Message::Request(sync) => {
                let relay = self.relay.clone().unwrap_or_else(|| sync.sender_id.clone());
                let id = sync.document_id;
                // The relay only ever answers for documents we asked about; others are ignored.
                let Some(doc) = docs.get_mut(&id) else {
                    return Ok(vec![]);
                };
                self.unavailable.remove(&id);
                self.opening.remove(&id);
                let session = self.sessions.entry(id).or_default();
                let changed = session
                    .receive(doc, &relay, &sync.data)
                    .map_err(|source| ClientError::Sync { doc: id, source })?;
                Ok(if changed {
                    vec![ClientEvent::Changed(id)]
                } else {
                    vec![]
                })
            }
            Message::DocUnavailable { document_id, .. } => {
                self.opening.remove(&document_id);
                self.unavailable.insert(document_id);
                Ok(vec![ClientEvent::Unavailable(document_id)])
            }
            Message::Join { .. }
            | Message::Leave { .. }
            | Message::Heartbeat { .. }
            | Message::Ignored { .. } => Ok(vec![]),
        }
    }

    /// The next frame to send for one document, if any.
    pub fn poll(&mut self, id: &DocumentId, doc: &Automerge) -> Option<Message> {
        let relay = self.relay.clone()?;
        if self.unavailable.contains(id) {
            return None;
        }
        let opening = !self
            .sessions
            .get(id)
            .is_some_and(|s| s.has_heard_from(&relay));
        if opening && !self.opening.contains(id) && self.opening.len() >= MAX_OPENING {
            // Paced: opened when an earlier one is answered.
            self.waiting = true;
            return None;
        }
        let session = self.sessions.entry(*id).or_default();
        session.subscribe(&relay);
        let data = session.generate(doc, &relay)?;
        if opening {
            self.opening.insert(*id);
        }
        let sync = SyncData {
            sender_id: self.me.clone(),
            target_id: relay.clone(),
            document_id: *id,
            data,
        };
        // A document we hold nothing of is a request: the relay answers `doc-unavailable`
        // instead of creating an empty document.
        let asking = doc.get_heads().is_empty() && !session.has_heard_from(&relay);
        Some(if asking {
            Message::Request(sync)
        } else {
            Message::Sync(sync)
        })
    }

    /// The next frames to send for every document.
    pub fn poll_all(&mut self, docs: &impl Documents) -> Vec<Message> {
        self.waiting = false;
        docs.ids()
            .iter()
            .filter_map(|id| docs.get(id).and_then(|doc| self.poll(id, doc)))
            .collect()
    }

    /// The frames to send after a message from the relay about `doc` (`None`: not about one
    /// document, such as the handshake): that document's reply, and, once half the opening
    /// slots are free again, the documents still waiting for one. Cheap per message however
    /// many documents the device holds: a thousand documents' first sync is not a thousand
    /// passes over a thousand documents.
    pub fn poll_after(&mut self, doc: Option<&DocumentId>, docs: &impl Documents) -> Vec<Message> {
        let Some(id) = doc else {
            return self.poll_all(docs);
        };
        let mut out: Vec<Message> = docs
            .get(id)
            .and_then(|d| self.poll(id, d))
            .into_iter()
            .collect();
        if self.waiting && self.opening.len() <= MAX_OPENING / 2 {
            out.extend(self.open_waiting(docs));
        }
        out
    }

    /// Opens documents not yet opened in this session while opening slots are free. Only those
    /// are looked at: the documents already answered say what they have to say after their own
    /// messages ([`Client::poll_after`]), and asking each of them again on every wave made a
    /// thousand documents' first sync a thousand sync-message computations per wave.
    fn open_waiting(&mut self, docs: &impl Documents) -> Vec<Message> {
        self.waiting = false;
        let Some(relay) = self.relay.clone() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for id in docs.ids() {
            let opened = self.opening.contains(&id)
                || self.unavailable.contains(&id)
                || self
                    .sessions
                    .get(&id)
                    .is_some_and(|s| s.has_heard_from(&relay));
            if opened {
                continue;
            }
            if self.opening.len() >= MAX_OPENING {
                self.waiting = true;
                break;
            }
            if let Some(message) = docs.get(&id).and_then(|d| self.poll(&id, d)) {
                out.push(message);
            }
        }
        out
    }

    /// Whether the relay has confirmed holding exactly this document's heads.
    /// The heads the relay last said it has of a document, in this session.
    pub fn relay_heads(&self, id: &DocumentId) -> Option<&[automerge::ChangeHash]> {
        self.sessions.get(id)?.their_heads(self.relay.as_ref()?)
    }

    pub fn is_synced(&self, id: &DocumentId, doc: &Automerge) -> bool {
        match (&self.relay, self.sessions.get(id)) {
            (Some(relay), Some(session)) => session.is_synced_with(doc, relay),
            _ => false,
        }
    }
}
