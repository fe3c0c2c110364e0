//! The relay's documents and connections.
//!
//! Each document is behind its own async lock, held while a message is applied, the resulting
//! changes are written to the store, and the replies are queued. So:
//!
//! * a reply that shows new heads is sent only after those changes are durable;
//! * a message that fails to apply leaves nothing in the store, and the in-memory copy is
//!   dropped so the next access reloads exactly what is durable;
//! * a document is sent only to connections that asked for it (`request` or `sync`); one that
//!   asked before the document existed is answered `doc-unavailable` and gets it once it does;
//! * every connection belongs to an authenticated device, and documents are keyed by the
//!   device's school and their id: a device never reaches another school's document, whatever
//!   id it sends, and a revoked device is refused from its next message on.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use automerge::Automerge;
use sync_core::chunks::{self, SaveState};
use sync_core::relay_doc::{Received, RelayDoc};
use sync_core::wire::{Message, SyncData};
use sync_core::{DocumentId, PeerId};

use crate::accounts::{Device, DeviceId, SchoolId};
use crate::outbox::Outbox;
use crate::store::{Change, Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnId(u64);

impl ConnId {
    /// The name this connection has in documents' sync sessions. Peers choose their own
    /// `senderId`, so it is never used as a key.
    fn session_peer(self) -> PeerId {
        PeerId::new(format!("conn-{}", self.0))
    }
}

struct Conn {
    /// The peer's own name, once it sent `join`; replies are addressed to it.
    remote: Option<PeerId>,
    device: DeviceId,
    school: SchoolId,
    revoked: bool,
    outbox: Outbox,
    docs: HashSet<DocumentId>,
    /// Automerge actors whose changes this connection brought and the store already knows.
    actors: HashSet<automerge::ActorId>,
}

/// A document as the relay knows it: which school's, and which id.
type DocKey = (SchoolId, DocumentId);

struct Loaded {
    /// The document and the relay's rules for it (sans-IO, in `sync_core::relay_doc`).
    relay: RelayDoc,
    save: SaveState,
    /// The stored chunks this copy incorporates: a compacting snapshot replaces exactly these,
    /// never a chunk another relay instance wrote meanwhile.
    known_keys: Vec<String>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Loaded>>>;

/// Documents held in memory at once by default. A document in memory costs tens to a few
/// hundred kilobytes; beyond this, the least recently used one is unloaded. A connection
/// following a document that is not in memory costs only the entry in its follow list: the
/// document is loaded again (and its followers subscribed again) when a message or another
/// instance's write concerns it.
pub const DEFAULT_MAX_LOADED: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("document {0} is damaged in storage")]
    Damaged(DocumentId, #[source] chunks::LoadError),
    #[error("document {doc}: {source}")]
    BadSync {
        doc: DocumentId,
        source: sync_core::SyncError,
    },
    #[error("Это устройство отключено куратором школы.")]
    Revoked,
    #[error("this device already has {0} open connections")]
    TooManyConnections(usize),
}

pub struct Hub {
    me: PeerId,
    store: Store,
    quota: crate::store::Quota,
    max_connections_per_device: usize,
    next_conn: AtomicU64,
    docs: Mutex<HashMap<DocKey, Slot>>,
    conns: Mutex<HashMap<ConnId, Conn>>,
    /// When each loaded document was last used, for unloading the least recently used one
    /// once more than `max_loaded` are in memory.
    uses: Mutex<HashMap<DocKey, u64>>,
    ticks: AtomicU64,
    max_loaded: usize,
    /// Devices revoked while this relay ran: a connection authenticated just before its
    /// device's revocation is refused when it registers.
    revoked: Mutex<HashSet<DeviceId>>,
}

impl Hub {
    pub fn new(
        store: Store,
        quota: crate::store::Quota,
        max_connections_per_device: usize,
    ) -> Self {
        Self {
            me: PeerId::random("relay"),
            store,
            quota,
            max_connections_per_device,
            next_conn: AtomicU64::new(1),
            docs: Mutex::new(HashMap::new()),
            conns: Mutex::new(HashMap::new()),
            uses: Mutex::new(HashMap::new()),
            ticks: AtomicU64::new(0),
            max_loaded: DEFAULT_MAX_LOADED,
            revoked: Mutex::new(HashSet::new()),
        }
    }

    /// Holds at most `max` documents in memory (at least one).
    pub fn with_max_loaded(mut self, max: usize) -> Self {
        self.max_loaded = max.max(1);
        self
    }

    pub fn peer_id(&self) -> &PeerId {
        &self.me
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers a connection of an authenticated device as soon as its socket opens, before
    /// its `join`: a revocation reaches every connection of the device, joined or not.
    ///
    /// A device may have a few connections open at once (tabs, reconnects racing the old
    /// socket's close); beyond that the new one is refused, so one stolen credential holds at
    /// most that many connections' buffers.
    pub fn connect(&self, device: &Device, outbox: Outbox) -> Result<ConnId, HubError> {
        // Lock order: connections, then revoked devices (as in `revoke`).
        let mut conns = lock(&self.conns);
        if lock(&self.revoked).contains(&device.id) {
            return Err(HubError::Revoked);
        }
        if conns.values().filter(|c| c.device == device.id).count()
            >= self.max_connections_per_device
        {
            return Err(HubError::TooManyConnections(
                self.max_connections_per_device,
            ));
        }
        let id = ConnId(self.next_conn.fetch_add(1, Ordering::Relaxed));
        let conn = Conn {
            remote: None,
            device: device.id.clone(),
            school: device.school.clone(),
            revoked: false,
            outbox,
            docs: HashSet::new(),
            actors: HashSet::new(),
        };
        conns.insert(id, conn);
        Ok(id)
    }

    /// The connection's `join`: from now on replies are addressed to `remote`.
    pub fn join(&self, conn: ConnId, remote: PeerId) -> Result<(), HubError> {
        match lock(&self.conns).get_mut(&conn) {
            Some(c) if !c.revoked => {
                c.remote = Some(remote);
                Ok(())
            }
            _ => Err(HubError::Revoked),
        }
    }

    /// Cuts a revoked device off: its open connections are closed now, and any message still
    /// in flight from it is refused.
    pub fn revoke(&self, device: &DeviceId) {
        let mut conns = lock(&self.conns);
        lock(&self.revoked).insert(device.clone());
        for conn in conns.values_mut().filter(|c| c.device == *device) {
            conn.revoked = true;
            conn.outbox.close(HubError::Revoked.to_string());
        }
    }

    fn school_of(&self, conn: ConnId) -> Result<(SchoolId, DeviceId), HubError> {
        match lock(&self.conns).get(&conn) {
            Some(c) if !c.revoked => Ok((c.school.clone(), c.device.clone())),
            _ => Err(HubError::Revoked),
        }
    }

    pub fn documents_loaded(&self) -> usize {
        lock(&self.docs).len()
    }

    pub fn connection_count(&self) -> usize {
        lock(&self.conns).len()
    }

    pub async fn disconnect(&self, conn: ConnId) {
        let Some(conn_state) = lock(&self.conns).remove(&conn) else {
            return;
        };
        for doc in conn_state.docs {
            let doc = (conn_state.school.clone(), doc);
            let slot = self.slot(doc.clone());
            let mut guard = slot.lock().await;
            if let Some(loaded) = guard.as_mut() {
                loaded.relay.sync.remove_peer(&conn.session_peer());
            }
            drop(guard);
            drop(slot);
            self.evict_if_idle(doc);
        }
    }

    fn slot(&self, doc: DocKey) -> Slot {
        lock(&self.docs).entry(doc).or_default().clone()
    }

    /// The connections of this instance following `key`.
    fn followers(&self, key: &DocKey) -> Vec<ConnId> {
        lock(&self.conns)
            .iter()
            .filter(|(_, c)| c.school == key.0 && c.docs.contains(&key.1))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Loads a document from storage, with every connection that follows it subscribed.
    async fn load(&self, key: &DocKey) -> Result<Loaded, HubError> {
        let stored = self.store.load(&key.0, key.1).await?;
        let known_keys = stored.iter().map(|c| c.key.clone()).collect();
        let (doc, save) = if stored.is_empty() {
            (sync_core::new_document(), SaveState::default())
        } else {
            chunks::load(stored).map_err(|e| HubError::Damaged(key.1, e))?
        };
        let mut relay = RelayDoc::new(doc);
        for conn in self.followers(key) {
            relay.sync.subscribe(&conn.session_peer());
        }
        Ok(Loaded {
            relay,
            save,
            known_keys,
        })
    }

    /// Records a use of `key`; past the budget, unloads the least recently used document that
    /// nobody is working on.
    fn used(&self, key: &DocKey) {
        let tick = self.ticks.fetch_add(1, Ordering::Relaxed);
        let mut uses = lock(&self.uses);
        uses.insert(key.clone(), tick);
        let mut attempts = 0;
        while uses.len() > self.max_loaded && attempts < 8 {
            attempts += 1;
            let Some(oldest) = uses.iter().min_by_key(|(_, t)| **t).map(|(k, _)| k.clone()) else {
                break;
            };
            if &oldest == key {
                break;
            }
            let slot = lock(&self.docs).get(&oldest).cloned();
            let unloaded = match &slot {
                None => true,
                Some(slot) => match slot.try_lock() {
                    Ok(mut guard) => {
                        *guard = None;
                        true
                    }
                    // In use right now: try it again later.
                    Err(_) => false,
                },
            };
            if unloaded {
                uses.remove(&oldest);
                drop(slot);
                let mut docs = lock(&self.docs);
                if docs.get(&oldest).is_some_and(|s| Arc::strong_count(s) == 1) {
                    docs.remove(&oldest);
                }
            } else {
                uses.insert(oldest, tick);
            }
        }
    }

    /// Drops a document from memory when no connection follows it and nobody waits on it.
    fn evict_if_idle(&self, doc: DocKey) {
        let mut docs = lock(&self.docs);
        let Some(slot) = docs.get(&doc) else { return };
        if Arc::strong_count(slot) > 1 {
            return;
        }
        let idle = match slot.try_lock() {
            Ok(guard) => guard.as_ref().is_none_or(|l| l.relay.sync.is_empty()),
            Err(_) => false,
        };
        if idle {
            docs.remove(&doc);
            drop(docs);
            lock(&self.uses).remove(&doc);
        }
    }

    /// Handles a `request` or `sync` from `conn`.
    pub async fn sync(
        &self,
        conn: ConnId,
        msg: SyncData,
        is_request: bool,
    ) -> Result<(), HubError> {
        let (school, device) = self.school_of(conn)?;
        let key = (school, msg.document_id);
        let slot = self.slot(key.clone());
        let result = self
            .sync_locked(&slot, &key.0, &device, conn, msg, is_request)
            .await;
        drop(slot);
        self.used(&key);
        self.evict_if_idle(key);
        result
    }

    async fn sync_locked(
        &self,
        slot: &Slot,
        school: &SchoolId,
        device: &DeviceId,
        conn: ConnId,
        msg: SyncData,
        is_request: bool,
    ) -> Result<(), HubError> {
        let doc_id = msg.document_id;
        let mut guard = slot.lock().await;
        // Checked again under the document's lock: a revocation that raced this message wins.
        self.school_of(conn)?;
        if guard.is_none() {
            if self.store.is_erased(school, doc_id).await? {
                // Erased personal data: never taken in again, whoever still holds a copy.
                self.unavailable(conn, doc_id);
                return Ok(());
            }
            *guard = Some(self.load(&(school.clone(), doc_id)).await?);
        }
        let Some(loaded) = guard.as_mut() else {
            return Ok(());
        };
        if let Some(c) = lock(&self.conns).get_mut(&conn) {
            // A connection never needs to follow more documents than its school may keep;
            // asking for endless random ids must not grow the relay's memory.
            // Beyond that a new document is ignored, not the connection closed: a device at
            // its school's cap goes on syncing the documents it has.
            if !c.docs.contains(&doc_id) && c.docs.len() as u64 >= self.quota.max_documents {
                tracing::warn!(?conn, doc = %doc_id, "follows too many documents; one more ignored");
                return Ok(());
            }
            c.docs.insert(doc_id);
        }
        // The requester's message is applied even when the document is unavailable: it stays
        // subscribed, and gets the document as soon as someone brings it (as automerge-repo's
        // own servers behave). It learns nothing it did not ask about.
        let peer = conn.session_peer();
        let before = loaded.relay.doc.get_heads();
        let changed = match loaded.relay.receive(&peer, &msg.data, is_request) {
            Ok(Received::Applied { changed }) => changed,
            Ok(Received::Unavailable) => {
                self.unavailable(conn, doc_id);
                return Ok(());
            }
            Err(source) => {
                // The document may hold part of the bad message: forget it, storage is the truth.
                *guard = None;
                return Err(HubError::BadSync {
                    doc: doc_id,
                    source,
                });
            }
        };
        if let Some(pending) = loaded.save.pending(&loaded.relay.doc) {
            if let Err(e) = self
                .store
                .save(
                    school,
                    device,
                    doc_id,
                    &pending,
                    &loaded.known_keys,
                    &self.quota,
                )
                .await
            {
                // What this message brought is forgotten; storage is the truth.
                *guard = None;
                match e {
                    StoreError::Erased => {
                        self.unavailable(conn, doc_id);
                        return Ok(());
                    }
                    // Over a quota: this one document is refused, the connection (and every
                    // other document on it) goes on. The device keeps its changes and offers
                    // them again on its next connection.
                    StoreError::TooManyDocuments(_)
                    | StoreError::SchoolFull(_)
                    | StoreError::DeviceQuota(_) => {
                        tracing::warn!(%school, %device, doc = %doc_id, reason = %e, "write refused");
                        // Not followed either: a device at its school's cap keeps its connection
                        // however many new documents it offers.
                        if let Some(c) = lock(&self.conns).get_mut(&conn) {
                            c.docs.remove(&doc_id);
                        }
                        return Ok(());
                    }
                    e => return Err(e.into()),
                }
            }
            loaded.save.committed(&pending);
            if pending.replaces_all {
                loaded.known_keys.clear();
            }
            loaded.known_keys.push(pending.chunk.key.clone());
        }
        if changed {
            self.record_authors(school, device, conn, &loaded.relay.doc, &before)
                .await;
        }
        self.send_updates(doc_id, loaded);
        Ok(())
    }

    /// Remembers which device first brought each automerge actor's changes, so that the app
    /// can say which device made a change («изменено: Планшет куратора»). Only the changes'
    /// actor ids are read, never their contents. A device cannot claim another device's actor:
    /// the first device to bring an actor keeps it.
    async fn record_authors(
        &self,
        school: &SchoolId,
        device: &DeviceId,
        conn: ConnId,
        doc: &Automerge,
        before: &[automerge::ChangeHash],
    ) {
        let mut actors: Vec<automerge::ActorId> = doc
            .get_changes(before)
            .iter()
            .map(|c| c.actor_id().clone())
            .collect();
        actors.sort();
        actors.dedup();
        {
            let conns = lock(&self.conns);
            let Some(c) = conns.get(&conn) else { return };
            actors.retain(|a| !c.actors.contains(a));
        }
        if actors.is_empty() {
            return;
        }
        let hex: Vec<String> = actors.iter().map(|a| a.to_hex_string()).collect();
        if let Err(e) = self.store.record_actors(school, device, &hex).await {
            tracing::warn!(error = %e, "cannot record which device wrote changes");
            return;
        }
        if let Some(c) = lock(&self.conns).get_mut(&conn) {
            // Bounded like everything per connection: a flood of fresh actors is recorded
            // each time rather than remembered.
            if c.actors.len() < 1024 {
                c.actors.extend(actors);
            }
        }
    }

    fn unavailable(&self, conn: ConnId, doc_id: DocumentId) {
        self.send(conn, |remote| Message::DocUnavailable {
            sender_id: self.me.clone(),
            target_id: remote,
            document_id: doc_id,
        });
    }

    /// Erases a document (a person's personal data): deleted from the store with a tombstone,
    /// dropped from memory, and no connection follows it any more.
    pub async fn erase(
        &self,
        school: &SchoolId,
        doc_id: DocumentId,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let key = (school.clone(), doc_id);
        let slot = self.slot(key.clone());
        let mut guard = slot.lock().await;
        self.store.erase(school, doc_id, now_ms).await?;
        *guard = None;
        let mut followers = vec![];
        for (id, c) in lock(&self.conns).iter_mut() {
            if c.school == *school && c.docs.remove(&doc_id) {
                followers.push(*id);
            }
        }
        // Those who followed it hear at once that it is gone; they ask the relay's list of
        // erasures (`GET /api/erasures`) before deleting their copy.
        for conn in followers {
            self.unavailable(conn, doc_id);
        }
        drop(guard);
        drop(slot);
        self.evict_if_idle(key);
        Ok(())
    }

    /// Queues the next sync message for every connection following the document.
    fn send_updates(&self, doc_id: DocumentId, loaded: &mut Loaded) {
        for (peer, data) in loaded.relay.updates() {
            let Some(conn) = parse_session_peer(&peer) else {
                continue;
            };
            self.send(conn, |remote| {
                Message::Sync(SyncData {
                    sender_id: self.me.clone(),
                    target_id: remote,
                    document_id: doc_id,
                    data,
                })
            });
        }
    }

    /// Another relay instance stored changes to a document: if this instance holds it, take
    /// them in and pass them on to the connections here that follow it.
    pub async fn refresh(&self, school: SchoolId, doc_id: DocumentId) {
        let key = (school, doc_id);
        let held = lock(&self.docs).get(&key).cloned();
        let slot = match held {
            Some(slot) => slot,
            // Not in memory: loaded only if a connection here follows it.
            None if !self.followers(&key).is_empty() => self.slot(key.clone()),
            None => return,
        };
        let mut guard = slot.lock().await;
        if guard.is_none() {
            if self.followers(&key).is_empty()
                || !matches!(self.store.is_erased(&key.0, doc_id).await, Ok(false))
            {
                drop(guard);
                drop(slot);
                self.evict_if_idle(key);
                return;
            }
            match self.load(&key).await {
                Ok(mut loaded) => {
                    self.send_updates(doc_id, &mut loaded);
                    *guard = Some(loaded);
                }
                Err(e) => tracing::warn!(error = %e, doc = %doc_id, "cannot refresh a document"),
            }
            drop(guard);
            drop(slot);
            self.used(&key);
            self.evict_if_idle(key);
            return;
        }
        if let Ok(true) = self.store.is_erased(&key.0, doc_id).await {
            // Erased on another instance.
            *guard = None;
            return;
        }
        let Some(loaded) = guard.as_mut() else { return };
        let stored = match self.store.load(&key.0, doc_id).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(error = %e, doc = %doc_id, "cannot refresh a document");
                return;
            }
        };
        let mut added = Vec::new();
        for chunk in stored {
            if loaded.known_keys.contains(&chunk.key) {
                continue;
            }
            if let Err(e) = loaded.relay.doc.load_incremental(&chunk.data) {
                tracing::warn!(error = %e, doc = %doc_id, "a stored chunk does not load; left as is");
                continue;
            }
            added.push((chunk.kind, chunk.data.len()));
            loaded.known_keys.push(chunk.key);
        }
        if !added.is_empty() {
            loaded.relay.took_changes();
            loaded.save.caught_up(&loaded.relay.doc, &added);
            self.send_updates(doc_id, loaded);
        }
        drop(guard);
        drop(slot);
        self.evict_if_idle(key);
    }

    /// With PostgreSQL, other relay instances write the same documents and revoke the same
    /// devices: follow their announcements. Nothing to do with the embedded store.
    pub fn follow_other_instances(self: &Arc<Self>) {
        let runtime = tokio::runtime::Handle::current();
        let (hub, hub_again) = (Arc::clone(self), Arc::clone(self));
        let (rt, rt_again) = (runtime.clone(), runtime);
        self.store.follow(
            Box::new(move |change| {
                let hub = Arc::clone(&hub);
                match change {
                    Change::Revoked(device) => hub.revoke(&device),
                    Change::Document { school, doc } => {
                        rt.spawn(async move { hub.refresh(school, doc).await });
                    }
                }
            }),
            Box::new(move || {
                let hub = Arc::clone(&hub_again);
                rt_again.spawn(async move { hub.refresh_all().await });
            }),
        );
    }

    /// Refreshes every document this instance holds (after missed announcements).
    pub async fn refresh_all(&self) {
        let mut keys: HashSet<DocKey> = lock(&self.docs).keys().cloned().collect();
        for c in lock(&self.conns).values() {
            keys.extend(c.docs.iter().map(|d| (c.school.clone(), *d)));
        }
        for (school, doc) in keys {
            self.refresh(school, doc).await;
        }
    }

    fn send(&self, conn: ConnId, make: impl FnOnce(PeerId) -> Message) {
        let conns = lock(&self.conns);
        if let Some(c) = conns.get(&conn)
            && let Some(remote) = &c.remote
        {
            // A full queue closes the connection; its disconnect cleans up.
            c.outbox.send(make(remote.clone()).encode());
        }
    }
}

fn parse_session_peer(peer: &PeerId) -> Option<ConnId> {
    peer.as_str()
        .strip_prefix("conn-")?
        .parse()
        .ok()
        .map(ConnId)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // No code path panics while holding these locks; recover the data if one ever does.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
