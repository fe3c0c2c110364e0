//! The device's documents: loaded from IndexedDB, edited by the UI, saved by a single writer
//! task, synced by the [`crate::sync`] task.
//!
//! **Invariant:** an edit is reported saved only after IndexedDB committed it. The writer saves
//! "everything since the last successful write", so a failed write is retried by the next one
//! and nothing is dropped; the failure is shown until a write succeeds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use automerge::Automerge;
use automerge::transaction::Transaction;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use leptos::prelude::*;
use model::ModelError;
use sync_core::chunks::{self, PendingSave, SaveState};
use sync_core::client::{Client, ClientEvent, Documents};
use sync_core::wire;
use sync_core::{DocumentId, PeerId};

use crate::storage::{Storage, StorageError};
use crate::view_cache::{Card, HomeView};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Saving,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    Offline,
    Connecting,
    Syncing,
    Synced,
    Refused(String),
}

/// What this device holds that the relay has not confirmed having: counted in Automerge changes,
/// by kind of document. The relay confirms a change by naming heads that cover it, and it names
/// them only once the change is durable in its database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unsent {
    /// Changes to the school document (programmes, pairs, meetings, the roadmap…).
    pub school: usize,
    /// Changes to the people's documents.
    pub people: usize,
    /// Documents with such changes.
    pub documents: usize,
}

impl Unsent {
    pub fn total(&self) -> usize {
        self.school + self.people
    }
}

/// How much of the school a device that just joined has received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Documents with content on this device.
    pub have: usize,
    /// Documents the school's register names (and the school document itself).
    pub of: usize,
}

struct Entry {
    doc: Doc,
    save: SaveState,
    /// Set when stored chunks could not be read: the document is neither edited, saved nor
    /// synced, so what is in storage stays as it is for recovery.
    damaged: Option<String>,
}

/// [`Doc`] in a module of its own, so that its fields are private to it: the rest of the repo
/// can only read a document or change it through [`Doc::edit`].
mod doc {
    use automerge::Automerge;

    /// A document held by the repo. Reading goes through `Deref`; every way of changing it
    /// ([`Doc::edit`]), making it or dropping it counts in [`DOC_EDITS`], so a reader of many
    /// documents ([`super::Repo::people`]) can tell in one comparison that none of them changed, instead
    /// of asking each for its heads. There is no `DerefMut`: an edit that bypassed the count would
    /// not compile.
    pub(super) struct Doc {
        doc: Automerge,
        /// [`DOC_EDITS`] after this document's last edit (or its making): equal stamps, same
        /// document, same content, so a figure computed from it can be kept until the stamp moves.
        stamp: u64,
    }

    /// Every edit, creation and drop of a [`Doc`] in this page (all repos: one more count only
    /// costs a reader one more look at the heads).
    static DOC_EDITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

    pub(super) fn doc_edits() -> u64 {
        DOC_EDITS.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts an edit; the count after it.
    fn count_doc_edit() -> u64 {
        DOC_EDITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
    }

    impl Doc {
        pub(super) fn new(doc: Automerge) -> Self {
            Doc {
                doc,
                stamp: count_doc_edit(),
            }
        }

        pub(super) fn edit(&mut self) -> &mut Automerge {
            self.stamp = count_doc_edit();
            &mut self.doc
        }

        pub(super) fn stamp(&self) -> u64 {
            self.stamp
        }
    }

    impl std::ops::Deref for Doc {
        type Target = Automerge;

        fn deref(&self) -> &Automerge {
            &self.doc
        }
    }

    impl Drop for Doc {
        fn drop(&mut self) {
            count_doc_edit();
        }
    }
}

use doc::{Doc, doc_edits};

struct Inner {
    docs: BTreeMap<DocumentId, Entry>,
    /// Documents read from storage but not yet parsed (every one but the school's, at start):
    /// the first screen paints from the school document while these are parsed in the
    /// background ([`Repo::finish_loading`]). [`Repo::lock`] parses whatever is left first, so
    /// no reader or writer ever sees a document missing; only [`Repo::read`] and
    /// [`Repo::records`] of an already parsed document, and [`Repo::follow_school`], take the
    /// lock without that.
    unparsed: BTreeMap<DocumentId, Vec<chunks::Chunk>>,
    client: Client,
}

impl Inner {
    /// Parses `id` if it is still waiting; whether it was.
    fn parse(&mut self, id: &DocumentId) -> bool {
        match self.unparsed.remove(id) {
            Some(chunks) => {
                self.docs.insert(*id, entry_of(chunks));
                true
            }
            None => false,
        }
    }

    fn parse_all(&mut self) {
        for (id, chunks) in std::mem::take(&mut self.unparsed) {
            self.docs.insert(id, entry_of(chunks));
        }
    }
}

enum Job {
    Flush,
    Meta(&'static str, String),
    /// Delete a document's chunks (its personal data was erased).
    Delete(DocumentId),
}

/// This device's credential on the relay and what it says about the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub device_id: String,
    pub curator: bool,
}

/// People added to the school's register per commit in an import (see [`Repo::add_people`]).
const REGISTER_CHUNK: usize = 100;
/// The longest a long piece of work (an import) runs before letting the page handle input.
const YIELD_AFTER_MS: f64 = 30.0;

struct Shared {
    db_name: String,
    credentials: RwSignal<Option<Credentials>>,
    sync_started: std::sync::atomic::AtomicBool,
    /// A redraw for changes from the relay is scheduled.
    redraw_pending: std::sync::atomic::AtomicBool,
    /// A `Job::Flush` is queued and not yet started.
    flush_queued: std::sync::atomic::AtomicBool,
    inner: Mutex<Inner>,
    writer: UnboundedSender<Job>,
    sync_wake: UnboundedSender<Wake>,
    sync_wake_rx: Mutex<Option<UnboundedReceiver<Wake>>>,
    /// Bumped on any change (and on erasures): for the few readers that depend on everything.
    revision: RwSignal<u64>,
    /// Every stored document is parsed ([`Repo::finish_loading`]).
    loaded: RwSignal<bool>,
    /// Who waits in [`Repo::loaded`].
    on_loaded: Mutex<Vec<futures::channel::oneshot::Sender<()>>>,
    /// One trigger per document: [`Repo::read`] of a document re-runs only when that document
    /// changes, so typing on a person's page does not redraw every screen that reads the school.
    triggers: Mutex<BTreeMap<DocumentId, ArcTrigger>>,
    /// Any person's document changed (what [`Repo::people`] reads).
    people_changed: ArcTrigger,
    /// Documents changed by the relay, to be shown at the next redraw.
    pending_redraw: Mutex<BTreeSet<DocumentId>>,
    save_status: RwSignal<SaveStatus>,
    sync_status: RwSignal<SyncStatus>,
    last_synced: RwSignal<Option<i64>>,
    /// The heads the relay last confirmed of each document (kept across connections and, from
    /// the last sync, across restarts): what they do not cover has not reached the relay.
    relay_heads: Mutex<BTreeMap<DocumentId, Vec<automerge::ChangeHash>>>,
    unsent: RwSignal<Unsent>,
    received: RwSignal<Received>,
    /// The relay's record of which device wrote each actor's changes (actor hex → device name).
    authors: RwSignal<BTreeMap<String, String>>,
    /// When the authors were last asked for (ms), so unknown actors do not ask on every render.
    authors_asked: Mutex<i64>,
    school: RwSignal<Option<DocumentId>>,
    /// Each person document as last read, with the heads it was read at: the lists of a school
    /// with hundreds of people re-read only the documents that changed.
    people_cache: Mutex<PersonCache>,
    /// The map [`Repo::people`] last returned, with the heads of every person document it was
    /// built from: while none changed, every list shares it instead of copying each person.
    people_map: Mutex<Option<PeopleMap>>,
    /// Each collection of a document as last read ([`Repo::records`]), with the document's heads
    /// then: the screens that list meetings or pairs on every redraw hydrate them once per
    /// change, not once per reader.
    records_cache: Mutex<BTreeMap<(DocumentId, std::any::TypeId), CachedRecords>>,
    /// The school document's heads when [`Repo::follow_school`] last read its register: edits to
    /// other documents (every keystroke committed on a person's page) skip the register.
    followed: Mutex<Vec<automerge::ChangeHash>>,
    erasures: Mutex<Erasures>,
    /// What screens derive from the documents and keep for their next reader
    /// ([`Repo::derived`]), one value per type.
    derived: Mutex<BTreeMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
    /// What [`Repo::count_unsent`] last found of each document, and from what.
    unsent_counted: Mutex<BTreeMap<DocumentId, UnsentCount>>,
    /// The home screen as stored with the school's document, while that document waits to be
    /// parsed at start ([`Repo::home_view`]).
    home_view: Mutex<Option<Arc<HomeView>>>,
}

/// One document's part of [`Unsent`] and [`Received`], with the document's stamp
/// ([`Doc::stamp`]) and the heads the relay had confirmed when it was counted.
struct UnsentCount {
    stamp: u64,
    confirmed: Option<Vec<automerge::ChangeHash>>,
    empty: bool,
    unsent: usize,
}

/// What this device knows of erasures. A person's document is deleted only when the relay
/// lists it as erased (`confirmed`), never because of a mark in the school document, which any
/// device could write.
#[derive(Default)]
struct Erasures {
    /// Erased for good, by the relay's word.
    confirmed: BTreeSet<DocumentId>,
    /// Erased by this (curator's) device, not yet confirmed by the relay: retried at every start.
    pending: BTreeSet<DocumentId>,
    /// Register marks not confirmed when last asked: a new one makes the device ask again.
    asked_about: BTreeSet<DocumentId>,
}

type PersonCache = BTreeMap<DocumentId, (Vec<automerge::ChangeHash>, Option<model::Person>)>;
type PeopleHeads = Vec<(DocumentId, Vec<automerge::ChangeHash>)>;

/// The map [`Repo::people`] last built, and what it was built from.
struct PeopleMap {
    /// [`doc_edits`] when it was last found current: while no document is edited, made or
    /// dropped, it is returned without looking at any document.
    edits: u64,
    school: Option<DocumentId>,
    /// Every person document's heads: after an edit (of the school, say), the map is still
    /// current if none of them moved.
    heads: PeopleHeads,
    map: People,
}
type CachedRecords = (
    Vec<automerge::ChangeHash>,
    std::sync::Arc<dyn std::any::Any + Send + Sync>,
);

/// A collection of a document as [`Repo::shared_records`] reads it: shared with the cache.
pub type Records<T> = Arc<Vec<(model::RecordId, T)>>;

/// Every person's document this device holds, by id: shared, never copied per reader.
pub type People = std::sync::Arc<BTreeMap<String, model::Person>>;

/// What restoring a copy of the school did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Documents this device did not have.
    pub added: usize,
    /// Documents that took changes from the copy.
    pub merged: usize,
    /// Documents of people erased for good, left out.
    pub erased: usize,
    /// Documents that could not be read, in the file or on this device.
    pub damaged: usize,
}

/// A cheap handle to the device's documents, shared through Leptos context.
#[derive(Clone)]
pub struct Repo(Arc<Shared>);

/// What the sync task is asked to look at after a change on this device: the documents that
/// changed (an edit), or every document (many changed at once).
pub(crate) enum Wake {
    All,
    Docs(Vec<DocumentId>),
}

struct Docs<'a>(&'a mut BTreeMap<DocumentId, Entry>);

impl Documents for Docs<'_> {
    fn ids(&self) -> Vec<DocumentId> {
        self.0
            .iter()
            .filter(|(_, e)| e.damaged.is_none())
            .map(|(id, _)| *id)
            .collect()
    }
    fn get(&self, id: &DocumentId) -> Option<&Automerge> {
        self.0
            .get(id)
            .filter(|e| e.damaged.is_none())
            .map(|e| &*e.doc)
    }
    fn get_mut(&mut self, id: &DocumentId) -> Option<&mut Automerge> {
        self.0
            .get_mut(id)
            .filter(|e| e.damaged.is_none())
            .map(|e| e.doc.edit())
    }
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

const META_PEER: &str = "peer_id";
const META_SCHOOL: &str = "school";
const META_LAST_SYNCED: &str = "last_synced";
const META_TOKEN: &str = "token";
const META_DEVICE: &str = "device_id";
const META_ROLE: &str = "role";
const META_ERASED: &str = "erased";
const META_PENDING_ERASURES: &str = "pending_erasures";
const META_RELAY_HEADS: &str = "relay_heads";
const META_HOME_VIEW: &str = "home_view";
/// How often an unknown actor makes the device ask the relay for the names of actors.
const AUTHORS_EVERY_MS: i64 = 5_000;
/// How often changes arriving from the relay redraw the screens.
const REDRAW_MS: u32 = 250;

/// `id:hash,hash;id:hash`.
fn encode_heads(heads: &BTreeMap<DocumentId, Vec<automerge::ChangeHash>>) -> String {
    heads
        .iter()
        .map(|(id, hs)| {
            let hs: Vec<String> = hs.iter().map(ToString::to_string).collect();
            format!("{id}:{}", hs.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn decode_heads(text: Option<String>) -> BTreeMap<DocumentId, Vec<automerge::ChangeHash>> {
    text.unwrap_or_default()
        .split(';')
        .filter_map(|entry| {
            let (id, hs) = entry.split_once(':')?;
            let heads = hs
                .split(',')
                .filter(|h| !h.is_empty())
                .map(str::parse)
                .collect::<Result<Vec<automerge::ChangeHash>, _>>()
                .ok()?;
            Some((id.parse().ok()?, heads))
        })
        .collect()
}

/// Changes of `doc` that `confirmed` does not cover (heads the document does not know yet are
/// left out: until they arrive, what they cover is counted as unsent).
fn unsent_changes(doc: &Automerge, confirmed: Option<&Vec<automerge::ChangeHash>>) -> usize {
    let heads = doc.get_heads();
    let known: Vec<automerge::ChangeHash> = confirmed
        .into_iter()
        .flatten()
        .filter(|h| doc.get_change_meta_by_hash(h).is_some())
        .copied()
        .collect();
    let mut sorted = heads.clone();
    sorted.sort();
    let mut k = known.clone();
    k.sort();
    if sorted == k {
        return 0;
    }
    doc.get_changes_meta(&known).len()
}

fn id_list(ids: &BTreeSet<DocumentId>) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_id_list(list: Option<String>) -> BTreeSet<DocumentId> {
    list.unwrap_or_default()
        .split(',')
        .filter_map(|id| id.parse().ok())
        .collect()
}

impl Repo {
    /// Opens the device's database and loads its school, then starts the writer task.
    pub async fn open(db_name: &str) -> Result<Repo, StorageError> {
        let storage = Storage::open(db_name).await?;
        let mut meta = storage.meta_all().await?;
        let peer = match meta.remove(META_PEER) {
            Some(peer) => PeerId::new(peer),
            None => {
                let peer = PeerId::random("tablet");
                storage.set_meta(META_PEER, peer.as_str()).await?;
                peer
            }
        };
        let school: Option<DocumentId> = meta.remove(META_SCHOOL).and_then(|s| s.parse().ok());
        let last_synced = meta.remove(META_LAST_SYNCED).and_then(|s| s.parse().ok());
        let credentials = match (meta.remove(META_TOKEN), meta.remove(META_DEVICE)) {
            (Some(token), Some(device_id)) => Some(Credentials {
                token,
                device_id,
                curator: meta.remove(META_ROLE).as_deref() == Some("curator"),
            }),
            _ => None,
        };
        let relay_heads = decode_heads(meta.remove(META_RELAY_HEADS));
        let erasures = Erasures {
            confirmed: parse_id_list(meta.remove(META_ERASED)),
            pending: parse_id_list(meta.remove(META_PENDING_ERASURES)),
            asked_about: BTreeSet::new(),
        };
        let stored_view = meta.remove(META_HOME_VIEW);
        let mut home_view = None;
        let mut docs = BTreeMap::new();
        let mut unparsed = BTreeMap::new();
        // The school's document and the people's (and any other this device holds), in one
        // read of the database; only the school's is parsed before the first screen, and not
        // even that one when the home screen stored with it can be painted meanwhile.
        for (id, chunks) in storage.load_all().await? {
            if Some(id) == school {
                let school_chunks: Vec<String> = chunks.iter().map(|c| c.key.clone()).collect();
                let year = model::year::of_date(chrono::Local::now().date_naive());
                home_view = stored_view
                    .as_deref()
                    .and_then(HomeView::decode)
                    .filter(|v| v.matches(&id.to_string(), &school_chunks))
                    .filter(|v| v.shows_list_alone(&year) && v.years.contains(&year))
                    .map(Arc::new);
                if home_view.is_some() {
                    unparsed.insert(id, chunks);
                } else {
                    docs.insert(id, entry_of(chunks));
                }
            } else if erasures.confirmed.contains(&id) || erasures.pending.contains(&id) {
                // An earlier deletion did not finish.
                storage.delete(&id).await?;
            } else {
                unparsed.insert(id, chunks);
            }
        }
        if let Some(id) = school {
            // A school whose document is not stored yet (joined, not yet received) starts empty.
            docs.entry(id).or_insert_with(|| entry_of(Vec::new()));
        }
        let (writer, writer_rx) = unbounded();
        let (sync_wake, sync_wake_rx) = unbounded();
        let repo = Repo(Arc::new(Shared {
            db_name: db_name.to_owned(),
            credentials: RwSignal::new(credentials),
            sync_started: std::sync::atomic::AtomicBool::new(false),
            redraw_pending: std::sync::atomic::AtomicBool::new(false),
            flush_queued: std::sync::atomic::AtomicBool::new(false),
            inner: Mutex::new(Inner {
                docs,
                unparsed,
                client: Client::new(peer),
            }),
            writer,
            sync_wake,
            sync_wake_rx: Mutex::new(Some(sync_wake_rx)),
            revision: RwSignal::new(0),
            loaded: RwSignal::new(false),
            on_loaded: Mutex::new(Vec::new()),
            triggers: Mutex::new(BTreeMap::new()),
            people_changed: ArcTrigger::new(),
            pending_redraw: Mutex::new(BTreeSet::new()),
            save_status: RwSignal::new(SaveStatus::Saved),
            sync_status: RwSignal::new(SyncStatus::Offline),
            last_synced: RwSignal::new(last_synced),
            relay_heads: Mutex::new(relay_heads),
            unsent: RwSignal::new(Unsent::default()),
            received: RwSignal::new(Received::default()),
            authors: RwSignal::new(BTreeMap::new()),
            authors_asked: Mutex::new(0),
            school: RwSignal::new(school),
            people_cache: Mutex::new(BTreeMap::new()),
            people_map: Mutex::new(None),
            records_cache: Mutex::new(BTreeMap::new()),
            followed: Mutex::new(Vec::new()),
            erasures: Mutex::new(erasures),
            unsent_counted: Mutex::new(BTreeMap::new()),
            derived: Mutex::new(BTreeMap::new()),
            home_view: Mutex::new(home_view.clone()),
        }));
        leptos::task::spawn_local(repo.clone().write_loop(storage, writer_rx));
        repo.follow_school();
        // The people's documents are parsed after the first screen is painted.
        leptos::task::spawn_local(repo.clone().finish_loading(home_view.is_none()));
        Ok(repo)
    }

    /// The device's documents, every one parsed (what is still waiting from the start is
    /// parsed now, at once).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        let mut inner = self.lock_parsed();
        if !inner.unparsed.is_empty() {
            inner.parse_all();
        }
        inner
    }

    /// The device's documents as parsed so far (see [`Inner::unparsed`]).
    fn lock_parsed(&self) -> MutexGuard<'_, Inner> {
        // The app is single-threaded; a poisoned lock only means an earlier panic.
        self.0.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Parses the documents the start left waiting, a slice at a time between frames so the
    /// first screen stays responsive, then counts what is unsent, starts syncing (if asked
    /// to) and wakes [`Repo::loaded`]. Spawned once, by [`Repo::open`]; `store_view` when no
    /// home view matching the stored school was found (it is stored now, for the next start).
    ///
    /// The school's document comes first, in a task of its own (it cannot be sliced): the
    /// screens painted from the [`HomeView`] are then redrawn from it.
    async fn finish_loading(self, store_view: bool) {
        after_next_paint().await;
        if let Some(school) = self.0.school.get_untracked() {
            // Whether the start left the school's document for now (a reader may have parsed
            // it since): its register is followed and its screens redrawn once it is parsed.
            let had_view = self
                .0
                .home_view
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .is_some();
            self.lock_parsed().parse(&school);
            if had_view {
                // Parsing, redrawing and reading the register are each a task of their own: a
                // tap waits for one of them, not for all three.
                // The register is read (and a school written by an older app upgraded) before
                // the screens are redrawn, so they show the document as it then is.
                gloo_timers::future::TimeoutFuture::new(0).await;
                self.follow_school();
                gloo_timers::future::TimeoutFuture::new(0).await;
                self.trigger(&school).notify();
            }
            if store_view {
                self.store_home_view();
            }
            after_next_paint().await;
        }
        let school = self.0.school.get_untracked();
        loop {
            let start = js_sys::Date::now();
            {
                let mut inner = self.lock_parsed();
                let mut read = self
                    .0
                    .people_cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                while js_sys::Date::now() - start < YIELD_AFTER_MS {
                    let Some(id) = inner.unparsed.keys().next().copied() else {
                        break;
                    };
                    inner.parse(&id);
                    // Each person is read as their document is parsed, in the same slice, so
                    // the first `Repo::people` after the start reads none of them again.
                    if Some(id) != school
                        && let Some(entry) = inner.docs.get(&id)
                        && entry.damaged.is_none()
                    {
                        let person = model::PersonDoc::read(&*entry.doc).ok();
                        read.insert(id, (entry.doc.get_heads(), person));
                    }
                }
                if inner.unparsed.is_empty() {
                    break;
                }
            }
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        // The home screen's panels read the school's collections and every person: each is
        // read in a task of its own before they are drawn, not all of them in the one task
        // that draws them.
        if let Some(school) = school {
            self.read_ahead::<model::PersonEntry>(&school).await;
            self.read_ahead::<model::Pair>(&school).await;
            self.read_ahead::<model::Meeting>(&school).await;
            self.read_ahead::<model::Event>(&school).await;
            self.read_ahead::<model::RoadmapRow>(&school).await;
            untrack(|| self.people());
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        self.0.people_changed.notify();
        self.count_unsent();
        // Documents stored as increments that outgrew their snapshot load slowly: compacted
        // now, in the background, so the next start loads them from one snapshot.
        if self
            .lock()
            .docs
            .values()
            .any(|e| e.damaged.is_none() && !e.save.is_saved(&e.doc))
        {
            self.request_flush();
        }
        self.0.loaded.set(true);
        let waiting =
            std::mem::take(&mut *self.0.on_loaded.lock().unwrap_or_else(|p| p.into_inner()));
        for waiter in waiting {
            let _ = waiter.send(());
        }
    }

    /// Whether every stored document has been parsed (reactive): screens that read the whole
    /// school at once (the home screen's panels) wait for it instead of holding the first paint.
    pub fn is_loaded(&self) -> bool {
        self.0.loaded.get()
    }

    /// Resolves once every stored document has been parsed ([`Repo::finish_loading`]).
    pub async fn loaded(&self) {
        let rx = {
            if self.0.loaded.get_untracked() {
                return;
            }
            let (tx, rx) = futures::channel::oneshot::channel();
            self.0
                .on_loaded
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(tx);
            rx
        };
        let _ = rx.await;
    }

    pub fn credentials(&self) -> Option<Credentials> {
        self.0.credentials.get()
    }

    /// Keeps the credential the relay issued to this device, and starts syncing with it.
    pub fn enroll(&self, token: &str, device_id: &str, curator: bool) {
        let credentials = Credentials {
            token: token.into(),
            device_id: device_id.into(),
            curator,
        };
        let _ = self
            .0
            .writer
            .unbounded_send(Job::Meta(META_TOKEN, token.into()));
        let _ = self
            .0
            .writer
            .unbounded_send(Job::Meta(META_DEVICE, device_id.into()));
        let role = if curator { "curator" } else { "staff" };
        let _ = self
            .0
            .writer
            .unbounded_send(Job::Meta(META_ROLE, role.into()));
        self.0.credentials.set(Some(credentials));
        self.start_sync();
    }

    /// Starts the sync task once this device has a credential (at most once per page).
    pub fn start_sync(&self) {
        let Some(credentials) = self.0.credentials.get_untracked() else {
            return;
        };
        if self
            .0
            .sync_started
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        // A device of a school keeps the school's only unsynced copy at times: ask the browser
        // not to evict it.
        leptos::task::spawn_local(async {
            let persistent = crate::storage::request_persistence().await;
            leptos::logging::log!("persistent storage: {persistent:?}");
        });
        if let Some(url) = crate::sync::default_url() {
            let token = credentials.token.clone();
            // Syncing reads every document: not before they are parsed.
            let repo = self.clone();
            leptos::task::spawn_local(async move {
                repo.loaded().await;
                // After the screens waiting for the people have been painted: the first
                // exchange with the relay passes over every document.
                after_next_paint().await;
                crate::sync::start(repo, crate::sync::Endpoint { url, token });
            });
        }
    }

    pub fn school(&self) -> Option<DocumentId> {
        self.0.school.get()
    }

    pub fn save_status(&self) -> SaveStatus {
        self.0.save_status.get()
    }

    pub fn sync_status(&self) -> SyncStatus {
        self.0.sync_status.get()
    }

    pub fn last_synced(&self) -> Option<i64> {
        self.0.last_synced.get()
    }

    /// Changes not yet confirmed by the relay (reactive).
    pub fn unsent(&self) -> Unsent {
        self.0.unsent.get()
    }

    /// How much of the school has arrived on this device (reactive).
    pub fn received(&self) -> Received {
        self.0.received.get()
    }

    /// Recounts [`Repo::unsent`] and [`Repo::received`].
    fn count_unsent(&self) {
        let school = self.0.school.get_untracked();
        let (unsent, received) = {
            let inner = self.lock();
            let confirmed = self.0.relay_heads.lock().unwrap_or_else(|p| p.into_inner());
            let mut unsent = Unsent::default();
            let mut received = Received::default();
            let mut counted = self
                .0
                .unsent_counted
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            counted.retain(|id, _| inner.docs.contains_key(id));
            for (id, entry) in &inner.docs {
                if entry.damaged.is_some() {
                    continue;
                }
                // Each document's figures are kept until it is edited or the relay confirms
                // other heads of it: a refresh while a school of a thousand syncs asks
                // Automerge only about the documents that moved.
                let relay = confirmed.get(id);
                let (empty, n) = match counted.get(id) {
                    Some(c) if c.stamp == entry.doc.stamp() && c.confirmed.as_ref() == relay => {
                        (c.empty, c.unsent)
                    }
                    _ => {
                        let c = UnsentCount {
                            stamp: entry.doc.stamp(),
                            confirmed: relay.cloned(),
                            empty: entry.doc.get_heads().is_empty(),
                            unsent: unsent_changes(&entry.doc, relay),
                        };
                        let figures = (c.empty, c.unsent);
                        counted.insert(*id, c);
                        figures
                    }
                };
                // A document the relay said it does not have (its author never sent it, or it
                // was erased) is not waited for.
                if !(empty && inner.client.is_unavailable(id)) {
                    received.of += 1;
                    if !empty {
                        received.have += 1;
                    }
                }
                if n > 0 {
                    unsent.documents += 1;
                    if Some(*id) == school {
                        unsent.school += n;
                    } else {
                        unsent.people += n;
                    }
                }
            }
            (unsent, received)
        };
        if self.0.unsent.get_untracked() != unsent {
            self.0.unsent.set(unsent);
        }
        if self.0.received.get_untracked() != received {
            self.0.received.set(received);
        }
    }

    /// Keeps what the relay says it has of each document, and writes it down for the next
    /// start once the relay has everything.
    fn note_relay_heads(&self, persist: bool) {
        let mut confirmed = self.0.relay_heads.lock().unwrap_or_else(|p| p.into_inner());
        {
            let inner = self.lock();
            for id in inner.docs.keys() {
                if let Some(heads) = inner.client.relay_heads(id)
                    && confirmed.get(id).map(Vec::as_slice) != Some(heads)
                {
                    confirmed.insert(*id, heads.to_vec());
                }
            }
            confirmed.retain(|id, _| inner.docs.contains_key(id));
        }
        if persist {
            let _ = self
                .0
                .writer
                .unbounded_send(Job::Meta(META_RELAY_HEADS, encode_heads(&confirmed)));
        }
    }

    /// Which device wrote an actor's changes: «этот планшет» for this device's own, the device's
    /// name by the relay's word, or `None` (not yet synced, or the relay cannot be asked). An
    /// unknown actor makes the device ask the relay again ([`Repo::ask_authors`]).
    pub fn author(&self, actor: &automerge::ActorId) -> Option<String> {
        let mine = self
            .lock()
            .docs
            .values()
            .any(|e| e.doc.get_actor() == actor);
        if mine {
            return Some("этот планшет".to_owned());
        }
        let hex = actor.to_hex_string();
        if let Some(name) = self.0.authors.with(|a| a.get(&hex).cloned()) {
            return Some(name);
        }
        self.ask_authors();
        None
    }

    /// Asks the relay for its list of actors: at once if it was last asked more than
    /// [`AUTHORS_EVERY_MS`] ago, otherwise once that time is up (one request waits at a time),
    /// so a name the relay learnt a moment ago still reaches the screen.
    fn ask_authors(&self) {
        let Some(credentials) = self.0.credentials.get_untracked() else {
            return;
        };
        let wait = {
            let mut asked = self
                .0
                .authors_asked
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let now = now_ms();
            if *asked > now {
                // A request is already scheduled.
                return;
            }
            let wait = (*asked + AUTHORS_EVERY_MS - now).max(0);
            *asked = now + wait;
            wait
        };
        let authors = self.0.authors;
        leptos::task::spawn_local(async move {
            if wait > 0 {
                gloo_timers::future::TimeoutFuture::new(wait as u32).await;
            }
            if let Ok(list) = crate::account::authors(&credentials.token).await {
                authors.set(list.into_iter().map(|a| (a.actor, a.name)).collect());
            }
        });
    }

    pub(crate) fn heartbeat_frame(&self) -> Vec<u8> {
        wire::Message::Heartbeat {
            sender_id: self.lock().client.peer_id().clone(),
        }
        .encode()
    }

    /// Reads a document; reactive: a view or memo calling this re-runs when that document changes.
    pub fn read<T>(
        &self,
        id: &DocumentId,
        f: impl FnOnce(&Automerge) -> T,
    ) -> Result<T, ModelError> {
        self.trigger(id).track();
        let mut inner = self.lock_parsed();
        inner.parse(id);
        let entry = inner.docs.get(id).ok_or(ModelError::NotInitialised)?;
        if let Some(reason) = &entry.damaged {
            return Err(ModelError::Damaged(reason.clone()));
        }
        Ok(f(&entry.doc))
    }

    /// Every record of a kind in a document, removed ones included, oldest first (reactive, like
    /// [`Repo::read`]). Hydrated once per change of the document and then copied from a cache.
    pub fn records<T: model::Record + Send + Sync + 'static>(
        &self,
        id: &DocumentId,
    ) -> Result<Vec<(model::RecordId, T)>, ModelError> {
        self.shared_records(id).map(Arc::unwrap_or_clone)
    }

    /// [`Repo::records`] without the copy: the cached list itself, for a reader that only
    /// looks (a screen finding one pair's dozen meetings among two thousand).
    pub fn shared_records<T: model::Record + Send + Sync + 'static>(
        &self,
        id: &DocumentId,
    ) -> Result<Records<T>, ModelError> {
        self.read(id, |doc| self.cached_list::<T>(id, doc))?
    }

    /// [`Repo::records`] of a document already in hand (not reactive).
    fn cached_list<T: model::Record + Send + Sync + 'static>(
        &self,
        id: &DocumentId,
        doc: &Automerge,
    ) -> Result<Records<T>, ModelError> {
        let heads = doc.get_heads();
        let key = (*id, std::any::TypeId::of::<T>());
        let mut cache = self
            .0
            .records_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((at, cached)) = cache.get(&key)
            && *at == heads
            && let Ok(list) = cached.clone().downcast::<Vec<(model::RecordId, T)>>()
        {
            return Ok(list);
        }
        let list = Arc::new(model::School::list::<T>(doc)?);
        cache.insert(key, (heads, list.clone()));
        Ok(list)
    }

    /// Reads a collection of `id` into the records cache, then gives way to the page.
    async fn read_ahead<T: model::Record + Send + Sync + 'static>(&self, id: &DocumentId) {
        {
            let inner = self.lock_parsed();
            if let Some(entry) = inner.docs.get(id).filter(|e| e.damaged.is_none()) {
                let _ = self.cached_list::<T>(id, &entry.doc);
            }
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }

    /// The home screen as the last visit stored it, while the school's document is still
    /// being parsed at start; `None` once it is (reactive: the screens painted from it are
    /// redrawn from the document then).
    pub fn home_view(&self) -> Option<Arc<HomeView>> {
        let school = self.0.school.get()?;
        self.trigger(&school).track();
        if !self.lock_parsed().unparsed.contains_key(&school) {
            return None;
        }
        self.0
            .home_view
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The home screen of the school as `doc` holds it, stamped with `chunks` (the keys it is
    /// stored as); `None` for a school whose home screen is not the list alone (see
    /// [`HomeView::shows_list_alone`]) or whose schema this app does not write.
    fn home_view_of(
        &self,
        school: &DocumentId,
        doc: &Automerge,
        chunks: Vec<String>,
    ) -> Option<HomeView> {
        if !matches!(
            model::School::schema_status(doc),
            model::SchemaStatus::Current
        ) {
            return None;
        }
        let programmes = self.cached_list::<model::Programme>(school, doc).ok()?;
        let starts = self
            .cached_list::<model::year::YearStart>(school, doc)
            .ok()?;
        let people = self
            .cached_list::<model::PersonEntry>(school, doc)
            .ok()?
            .iter()
            .filter(|(_, e)| !model::Record::is_removed(e))
            .count();
        let today = chrono::Local::now().date_naive();
        HomeView::new(
            school.to_string(),
            chunks,
            model::School::name(doc),
            people,
            model::year::years_of(&programmes, &starts, today),
            programmes.iter().map(|(id, p)| Card::of(id, p)).collect(),
        )
    }

    /// Stores the home screen for the next start, if the school's document is stored as it
    /// is now (otherwise the next write of it stores the view with it).
    fn store_home_view(&self) {
        let Some(school) = self.0.school.get_untracked() else {
            return;
        };
        let view = {
            let inner = self.lock_parsed();
            let Some(entry) = inner.docs.get(&school) else {
                return;
            };
            if entry.damaged.is_some() || !entry.save.is_saved(&entry.doc) {
                return;
            }
            let Some(chunks) = entry.save.known_keys() else {
                return;
            };
            self.home_view_of(&school, &entry.doc, chunks.to_vec())
        };
        if let Some(view) = view.and_then(|v| v.encode()) {
            let _ = self
                .0
                .writer
                .unbounded_send(Job::Meta(META_HOME_VIEW, view));
        }
    }

    /// Applies an edit as one Automerge change, or nothing if `f` fails; then saves and syncs.
    pub fn change<T>(
        &self,
        id: &DocumentId,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, ModelError>,
    ) -> Result<T, ModelError> {
        let result = self.change_quietly(id, f);
        if result.is_ok() {
            self.changed(&[*id]);
        }
        result
    }

    fn trigger(&self, id: &DocumentId) -> ArcTrigger {
        self.0
            .triggers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(*id)
            .or_default()
            .clone()
    }

    /// Redraws what reads these documents (and the lists of people, if any is a person's).
    fn notify(&self, ids: &BTreeSet<DocumentId>) {
        let school = self.0.school.get_untracked();
        for id in ids {
            self.trigger(id).notify();
        }
        if ids.iter().any(|id| Some(*id) != school) {
            self.0.people_changed.notify();
        }
        self.0.revision.update(|r| *r += 1);
    }

    /// Redraws everything (many documents came or went at once).
    fn notify_all(&self) {
        let triggers: Vec<ArcTrigger> = self
            .0
            .triggers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for t in triggers {
            t.notify();
        }
        self.0.people_changed.notify();
        self.0.revision.update(|r| *r += 1);
    }

    /// Many documents changed at once (the demo year, a restored copy, a new school).
    fn changed_all(&self) {
        self.follow_school();
        self.notify_all();
        self.request_flush();
        let _ = self.0.sync_wake.unbounded_send(Wake::All);
        // Counting what is unsent looks at every document: after the screens have redrawn,
        // as a task of its own, not in the one that shows the change.
        let repo = self.clone();
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            repo.count_unsent();
        });
    }

    fn changed(&self, ids: &[DocumentId]) {
        let mut poll = self.follow_school();
        poll.extend_from_slice(ids);
        self.count_unsent();
        self.notify(&ids.iter().copied().collect());
        self.request_flush();
        let _ = self.0.sync_wake.unbounded_send(Wake::Docs(poll));
    }

    /// Asks the writer to store what is unsaved; one request waits at a time, since a flush
    /// stores everything unsaved when it starts (hundreds of documents arriving from the relay
    /// make one flush, not hundreds of scans).
    fn request_flush(&self) {
        self.0.save_status.set(SaveStatus::Saving);
        if !self
            .0
            .flush_queued
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let _ = self.0.writer.unbounded_send(Job::Flush);
        }
    }

    /// Like [`Repo::changed`] for changes that came from the relay: saved and counted at once,
    /// but shown at most every [`REDRAW_MS`], so a new tablet receiving a school's hundreds of
    /// documents redraws its screens a few times a second rather than once per document.
    fn changed_remotely(&self, ids: impl IntoIterator<Item = DocumentId>) {
        self.0
            .pending_redraw
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(ids);
        // Only a change to the school's register can name documents to ask for; the counts of
        // what is unsent are redone with the sync status, a few times a second at most.
        let poll = self.follow_school();
        if !poll.is_empty() {
            let _ = self.0.sync_wake.unbounded_send(Wake::Docs(poll));
        }
        self.request_flush();
        if self
            .0
            .redraw_pending
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let repo = self.clone();
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(REDRAW_MS).await;
            repo.0
                .redraw_pending
                .store(false, std::sync::atomic::Ordering::SeqCst);
            let ids = std::mem::take(
                &mut *repo
                    .0
                    .pending_redraw
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()),
            );
            repo.notify(&ids);
        });
    }

    /// Keeps this device's set of documents in step with the school's register: upgrades a
    /// school document written by an older app, and asks the relay for every person's document
    /// it does not hold yet. A person marked erased is not deleted here: the mark only makes
    /// the device ask the relay ([`Repo::check_erasures`]), whose word alone deletes.
    /// Returns the documents the sync task should look at: those the register newly names,
    /// and the school's own when an upgrade changed it.
    fn follow_school(&self) -> Vec<DocumentId> {
        let Some(school) = self.0.school.get_untracked() else {
            return Vec::new();
        };
        let mut ask = false;
        let mut poll = Vec::new();
        {
            // Not parsing the people's documents: only whether they are here matters.
            let mut inner = self.lock_parsed();
            let Some(entry) = inner.docs.get_mut(&school) else {
                return poll;
            };
            if entry.damaged.is_some() {
                return poll;
            }
            let mut followed = self.0.followed.lock().unwrap_or_else(|p| p.into_inner());
            let heads = entry.doc.get_heads();
            if *followed == heads && !heads.is_empty() {
                return poll;
            }
            if matches!(
                model::School::schema_status(&*entry.doc),
                model::SchemaStatus::Older(_)
            ) {
                let mut tx = entry.doc.edit().transaction();
                match model::School::upgrade(&mut tx) {
                    Ok(_) => {
                        tx.commit();
                        poll.push(school);
                    }
                    Err(_) => {
                        tx.rollback();
                    }
                }
            }
            *followed = entry.doc.get_heads();
            drop(followed);
            let people = model::School::list::<model::PersonEntry>(&*entry.doc).unwrap_or_default();
            let mut erasures = self.0.erasures.lock().unwrap_or_else(|p| p.into_inner());
            for (id, person) in people {
                let Ok(doc_id) = id.as_str().parse::<DocumentId>() else {
                    continue;
                };
                if erasures.confirmed.contains(&doc_id) || erasures.pending.contains(&doc_id) {
                    continue;
                }
                if person.is_erased() && erasures.asked_about.insert(doc_id) {
                    ask = true;
                }
                if inner.unparsed.contains_key(&doc_id) {
                    continue;
                }
                if let std::collections::btree_map::Entry::Vacant(new) = inner.docs.entry(doc_id) {
                    new.insert(Entry {
                        doc: Doc::new(sync_core::new_document()),
                        save: SaveState::default(),
                        damaged: None,
                    });
                    poll.push(doc_id);
                }
            }
        }
        if ask {
            let repo = self.clone();
            leptos::task::spawn_local(async move { repo.check_erasures().await });
        }
        poll
    }

    /// Asks the relay which of the school's documents are erased, deletes this device's copies
    /// of them, and (on a curator's device) takes back erased marks that the relay never
    /// confirmed and this device is not waiting on: a device without the right to erase wrote
    /// them. Called when the connection to the relay opens and when a new mark appears.
    pub async fn check_erasures(&self) {
        self.loaded().await;
        let Some(credentials) = self.credentials() else {
            return;
        };
        if credentials.curator {
            // Erasures this device decided while the relay could not be reached.
            for id in self.pending_erasures() {
                let _ = crate::account::erase(&credentials.token, &id.to_string()).await;
            }
        }
        let Ok(list) = crate::account::erasures(&credentials.token).await else {
            return;
        };
        let listed: BTreeSet<DocumentId> = list.iter().filter_map(|e| e.doc.parse().ok()).collect();
        self.apply_erasures(&listed);
        if credentials.curator {
            self.align_erased_marks(&listed);
        }
    }

    /// Deletes every listed document this device still holds; remembers the list.
    fn apply_erasures(&self, listed: &BTreeSet<DocumentId>) {
        let new: Vec<DocumentId> = {
            let mut erasures = self.0.erasures.lock().unwrap_or_else(|p| p.into_inner());
            let new: Vec<_> = listed.difference(&erasures.confirmed).copied().collect();
            erasures.confirmed.extend(new.iter().copied());
            for id in listed {
                erasures.pending.remove(id);
            }
            if !new.is_empty() {
                let _ = self
                    .0
                    .writer
                    .unbounded_send(Job::Meta(META_ERASED, id_list(&erasures.confirmed)));
                let _ = self
                    .0
                    .writer
                    .unbounded_send(Job::Meta(META_PENDING_ERASURES, id_list(&erasures.pending)));
            }
            new
        };
        if new.is_empty() {
            return;
        }
        {
            let mut inner = self.lock();
            for id in &new {
                inner.docs.remove(id);
            }
        }
        self.forget_derived();
        for id in new {
            let _ = self.0.writer.unbounded_send(Job::Delete(id));
        }
        self.notify_all();
    }

    /// Makes the register's display marks agree with the relay: a mark the relay never
    /// confirmed (and this device is not waiting on) is taken back; a confirmed erasure whose
    /// mark another curator's device took back too early gets it again.
    fn align_erased_marks(&self, listed: &BTreeSet<DocumentId>) {
        let Some(school) = self.0.school.get_untracked() else {
            return;
        };
        let pending = self
            .0
            .erasures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pending
            .clone();
        let marked = self
            .read(&school, model::School::erased)
            .unwrap_or_default();
        let forged: Vec<model::RecordId> = marked
            .iter()
            .filter(|id| {
                id.as_str()
                    .parse::<DocumentId>()
                    .is_ok_and(|d| !listed.contains(&d) && !pending.contains(&d))
            })
            .cloned()
            .collect();
        let registered = self
            .records::<model::PersonEntry>(&school)
            .unwrap_or_default();
        let unmarked: Vec<model::RecordId> = registered
            .into_iter()
            .filter(|(id, e)| {
                !e.is_erased()
                    && id
                        .as_str()
                        .parse::<DocumentId>()
                        .is_ok_and(|d| listed.contains(&d))
            })
            .map(|(id, _)| id)
            .collect();
        if !unmarked.is_empty() {
            let _ = self.change(&school, |tx| {
                unmarked
                    .iter()
                    .try_for_each(|id| model::School::erase_person(tx, id, now_ms()))
            });
        }
        if forged.is_empty() {
            return;
        }
        leptos::logging::warn!(
            "{} erased marks the relay never confirmed are taken back",
            forged.len()
        );
        // One change for all of them; refused (and left for later) while the document is
        // read-only, e.g. under a suspect schema.
        let _ = self.change(&school, |tx| {
            forged
                .iter()
                .try_for_each(|id| model::School::clear_erased_mark(tx, id))
        });
    }

    /// A value a screen derives from the documents (the pickers' list of people, the people
    /// list's lines), kept for the next reader while `current` says it still matches what it
    /// was built from, else built again. Kept by the repo, not the page, so that an erasure or
    /// a change of school forgets every such copy ([`Repo::forget_derived`]): no erased
    /// person's data outlives their document in one. `build` runs without any of the repo's
    /// locks held, so it may read the repo.
    pub fn derived<T: Send + Sync + 'static>(
        &self,
        current: impl FnOnce(&T) -> bool,
        build: impl FnOnce() -> T,
    ) -> Arc<T> {
        let key = std::any::TypeId::of::<T>();
        let kept = self
            .0
            .derived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
            .and_then(|v| v.downcast::<T>().ok());
        if let Some(value) = kept
            && current(&value)
        {
            return value;
        }
        let value = Arc::new(build());
        self.0
            .derived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, value.clone());
        value
    }

    /// Forgets what screens derived ([`Repo::derived`]) and the people read for readers whose
    /// documents are gone: called when people's documents are dropped (an erasure) or the
    /// school changes, so no copy of a person outlives their document until its next reader.
    fn forget_derived(&self) {
        self.0
            .derived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.0.people_map.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let inner = self.lock_parsed();
        self.0
            .people_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|id, _| inner.docs.contains_key(id) || inner.unparsed.contains_key(id));
    }

    /// Reads a person's document (reactive, like [`Repo::read`]).
    /// Answered from the people cache when the document is as it was read there.
    pub fn person(&self, id: &str) -> Option<model::Person> {
        let id = id.parse::<DocumentId>().ok()?;
        self.read(&id, |d| {
            let heads = d.get_heads();
            let mut cache = self
                .0
                .people_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match cache.get(&id) {
                Some((at, person)) if *at == heads => person.clone(),
                _ => {
                    let person = model::PersonDoc::read(d).ok();
                    cache.insert(id, (heads, person.clone()));
                    person
                }
            }
        })
        .ok()
        .flatten()
    }

    /// Every person's document this device holds, by id (reactive). The map is shared: while
    /// no person's document changed, every caller gets the same one, so a list of a thousand
    /// people redrawn for a keystroke in its search copies nobody.
    pub fn people(&self) -> People {
        self.0.people_changed.track();
        let school = self.0.school.get_untracked();
        let inner = self.lock();
        // Taken under the lock, after any parse the lock did: no document changes while the
        // map is built, so a map stamped with this count is current while the count stays.
        let edits = doc_edits();
        {
            let shared = self.0.people_map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(built) = shared.as_ref()
                && built.edits == edits
                && built.school == school
            {
                return built.map.clone();
            }
        }
        let heads: PeopleHeads = inner
            .docs
            .iter()
            .filter(|(id, e)| e.damaged.is_none() && Some(**id) != school)
            .map(|(id, e)| (*id, e.doc.get_heads()))
            .collect();
        let mut shared = self.0.people_map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(built) = shared.as_mut()
            && built.heads == heads
        {
            built.edits = edits;
            built.school = school;
            return built.map.clone();
        }
        let mut cache = self
            .0
            .people_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache.retain(|id, _| inner.docs.contains_key(id));
        let mut out = BTreeMap::new();
        for (id, at) in &heads {
            let person = match cache.get(id) {
                Some((read_at, person)) if read_at == at => person.clone(),
                _ => {
                    let person = inner
                        .docs
                        .get(id)
                        .and_then(|e| model::PersonDoc::read(&*e.doc).ok());
                    cache.insert(*id, (at.clone(), person.clone()));
                    person
                }
            };
            if let Some(person) = person {
                out.insert(id.to_string(), person);
            }
        }
        let map = std::sync::Arc::new(out);
        *shared = Some(PeopleMap {
            edits,
            school,
            heads,
            map: map.clone(),
        });
        map
    }

    /// Creates a person: their own document, and their entry in the school's register.
    pub fn add_person(&self, draft: model::PersonDraft) -> Result<DocumentId, ModelError> {
        let school = self.school().ok_or(ModelError::NotInitialised)?;
        let role = draft.role.unwrap_or(model::Role::Student);
        let id = DocumentId::random();
        let mut doc = sync_core::new_document();
        let mut tx = doc.transaction();
        model::PersonDoc::init(&mut tx, draft, now_ms())?;
        tx.commit();
        self.lock().docs.insert(
            id,
            Entry {
                doc: Doc::new(doc),
                save: SaveState::default(),
                damaged: None,
            },
        );
        if let Err(e) = self.change(&school, |tx| {
            model::School::add_person(tx, &id.to_string(), role, now_ms())
        }) {
            self.lock().docs.remove(&id);
            return Err(e);
        }
        Ok(id)
    }

    /// Creates many people at once (an import), all or none: every person's document is made
    /// first, giving way to the page every [`YIELD_AFTER_MS`] (`progress` hears how many are
    /// done); then the register takes them all. If a person's document cannot be made, nothing
    /// is added.
    pub async fn add_people(
        &self,
        people: Vec<(model::PersonDraft, String)>,
        progress: impl Fn(usize),
    ) -> Result<usize, String> {
        let school = self.school().ok_or("Планшет не подключён к школе.")?;
        let mut made = Vec::with_capacity(people.len());
        let mut worked_since = js_sys::Date::now();
        for (i, (draft, contacts)) in people.into_iter().enumerate() {
            // Gives way to the page every few dozen milliseconds of work, however slow the
            // tablet.
            if js_sys::Date::now() - worked_since > YIELD_AFTER_MS {
                progress(i);
                gloo_timers::future::TimeoutFuture::new(0).await;
                worked_since = js_sys::Date::now();
            }
            let role = draft.role.unwrap_or(model::Role::Student);
            let name = format!("{} {}", draft.last_name, draft.first_name);
            let mut doc = sync_core::new_document();
            let mut tx = doc.transaction();
            let result = model::PersonDoc::init(&mut tx, draft, now_ms()).and_then(|()| {
                if contacts.is_empty() {
                    Ok(())
                } else {
                    model::PersonDoc::update(
                        &mut tx,
                        model::PersonField::Contacts(contacts),
                        now_ms(),
                    )
                }
            });
            if let Err(e) = result {
                return Err(format!("{name}: {e} Никто не добавлен."));
            }
            tx.commit();
            let id = DocumentId::random();
            // Read now, between the pauses, rather than all at once when the lists redraw.
            let person = model::PersonDoc::read(&doc).ok();
            self.0
                .people_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, (doc.get_heads(), person));
            made.push((id, role, doc));
        }
        progress(made.len());
        let entries: Vec<(String, model::Role)> = made
            .iter()
            .map(|(id, role, _)| (id.to_string(), *role))
            .collect();
        let count = made.len();
        {
            let mut inner = self.lock();
            for (id, _, doc) in made {
                inner.docs.insert(
                    id,
                    Entry {
                        doc: Doc::new(doc),
                        save: SaveState::default(),
                        damaged: None,
                    },
                );
            }
        }
        // The register takes them in commits of a few hundred, giving way to the page
        // between them: one commit of a thousand entries holds the page for most of a second
        // on a tablet. Nothing is stored or sent before the last one, unless another change
        // asks for a write meanwhile; even then every listed person's document is written
        // with the register (one transaction), so the school is never left naming people it
        // does not have.
        let mut added = 0;
        for chunk in entries.chunks(REGISTER_CHUNK) {
            if added > 0 {
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            let result = self.change_quietly(&school, |tx| {
                chunk
                    .iter()
                    .try_for_each(|(id, role)| model::School::add_person(tx, id, *role, now_ms()))
            });
            if let Err(e) = result {
                let mut inner = self.lock();
                for (id, _) in &entries[added..] {
                    if let Ok(id) = id.parse::<DocumentId>() {
                        inner.docs.remove(&id);
                    }
                }
                drop(inner);
                if added == 0 {
                    return Err(format!("{e} Никто не добавлен."));
                }
                self.changed_all();
                return Err(format!(
                    "{e} Добавлено {added} из {count}; остальные не добавлены."
                ));
            }
            added += chunk.len();
        }
        self.changed_all();
        Ok(count)
    }

    /// [`Repo::change`] without telling anyone: for a change made in several commits, which
    /// calls [`Repo::changed_all`] once at the end.
    fn change_quietly<T>(
        &self,
        id: &DocumentId,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, ModelError>,
    ) -> Result<T, ModelError> {
        let mut inner = self.lock();
        let entry = inner.docs.get_mut(id).ok_or(ModelError::NotInitialised)?;
        if let Some(reason) = &entry.damaged {
            return Err(ModelError::Damaged(reason.clone()));
        }
        let mut tx = entry.doc.edit().transaction();
        match f(&mut tx) {
            Ok(value) => {
                // The time is what the history of a record shows («12 ноября, 14:05»).
                tx.commit_with(
                    automerge::transaction::CommitOptions::default().with_time(now_ms() / 1000),
                );
                Ok(value)
            }
            Err(e) => {
                tx.rollback();
                Err(e)
            }
        }
    }

    /// Loads the demonstration school year into this school: people's documents and records.
    pub fn load_demo(&self) -> Result<usize, ModelError> {
        let school = self.school().ok_or(ModelError::NotInitialised)?;
        let today = chrono::Local::now().date_naive();
        let demo = self.change(&school, |tx| {
            let mut next = || DocumentId::random().to_string();
            model::demo::populate(tx, &mut next, today, now_ms())
        })?;
        let mut inner = self.lock();
        for (id, person) in &demo.people {
            let Ok(id) = id.parse::<DocumentId>() else {
                continue;
            };
            let mut doc = sync_core::new_document();
            let mut tx = doc.transaction();
            if model::PersonDoc::init_with(&mut tx, person).is_ok() {
                tx.commit();
            } else {
                tx.rollback();
            }
            inner.docs.insert(
                id,
                Entry {
                    doc: Doc::new(doc),
                    save: SaveState::default(),
                    damaged: None,
                },
            );
        }
        drop(inner);
        self.changed_all();
        Ok(demo.people.len())
    }

    /// «Сохранить копию данных школы»: every document this device holds of its school (damaged
    /// ones left as they are in storage), as one file. `None` before the device has a school.
    pub fn school_copy(&self) -> Option<(String, Vec<u8>)> {
        let school = self.school()?;
        let inner = self.lock();
        let name = inner
            .docs
            .get(&school)
            .map(|e| model::School::name(&*e.doc))
            .unwrap_or_default();
        let documents: Vec<(DocumentId, Vec<u8>)> = inner
            .docs
            .iter()
            .filter(|(_, e)| e.damaged.is_none())
            .map(|(id, e)| (*id, e.doc.save()))
            .collect();
        drop(inner);
        Some((
            name.clone(),
            sync_core::school_copy::encode(school, &name, now_ms(), documents),
        ))
    }

    /// Restores a copy of this device's school: each document in it is *merged* into what the
    /// device holds (nothing on either side is lost; an old copy over newer data changes
    /// nothing), then saved and synced as usual. Documents the relay erased are never brought
    /// back, and a copy of another school is refused.
    pub fn restore_copy(&self, bytes: &[u8]) -> Result<Restored, String> {
        let copy = sync_core::school_copy::decode(bytes).map_err(|e| e.to_string())?;
        let school = self
            .school()
            .ok_or("Сначала подключите планшет к школе, затем восстановите копию.")?;
        if copy.school != school {
            return Err(format!(
                "Это копия другой школы («{}»); восстановить её здесь нельзя.",
                copy.name
            ));
        }
        let erased: BTreeSet<DocumentId> = {
            let erasures = self.0.erasures.lock().unwrap_or_else(|p| p.into_inner());
            erasures
                .confirmed
                .union(&erasures.pending)
                .copied()
                .collect()
        };
        let mut restored = Restored {
            damaged: copy.damaged.len(),
            ..Restored::default()
        };
        let mut inner = self.lock();
        for (id, mut doc) in copy.documents {
            if erased.contains(&id) {
                restored.erased += 1;
                continue;
            }
            match inner.docs.get_mut(&id) {
                Some(entry) if entry.damaged.is_some() => restored.damaged += 1,
                Some(entry) => {
                    let before = entry.doc.get_heads();
                    if entry.doc.edit().merge(&mut doc).is_err() {
                        restored.damaged += 1;
                    } else if entry.doc.get_heads() != before {
                        restored.merged += 1;
                    }
                }
                None => {
                    inner.docs.insert(
                        id,
                        Entry {
                            doc: Doc::new(doc),
                            save: SaveState::default(),
                            damaged: None,
                        },
                    );
                    restored.added += 1;
                }
            }
        }
        drop(inner);
        self.changed_all();
        Ok(restored)
    }

    /// Erases a person's personal data: marks them erased in the school's register, deletes
    /// their document on this device, and asks the relay to delete its copy for good. Other
    /// devices delete theirs when the mark reaches them.
    pub async fn erase_person(&self, id: DocumentId) -> Result<(), String> {
        let school = self.school().ok_or("Планшет не подключён к школе.")?;
        self.change(&school, |tx| {
            model::School::erase_person(tx, &model::RecordId::new(id.to_string()), now_ms())
        })
        .map_err(|e| e.to_string())?;
        // The curator's own decision: deleted here at once, and the relay is asked until it
        // has done it too (this device's pending list, not the register, says what to retry).
        {
            let mut erasures = self.0.erasures.lock().unwrap_or_else(|p| p.into_inner());
            erasures.pending.insert(id);
            let _ = self
                .0
                .writer
                .unbounded_send(Job::Meta(META_PENDING_ERASURES, id_list(&erasures.pending)));
        }
        self.lock().docs.remove(&id);
        self.forget_derived();
        let _ = self.0.writer.unbounded_send(Job::Delete(id));
        self.notify_all();
        self.erase_on_relay(id).await
    }

    /// Tells the relay to delete a document for good (retried by the curator's device until it
    /// succeeds: [`Repo::pending_erasures`]).
    pub async fn erase_on_relay(&self, id: DocumentId) -> Result<(), String> {
        let credentials = self.credentials().ok_or("Нет учётных данных устройства.")?;
        crate::account::erase(&credentials.token, &id.to_string())
            .await
            .map_err(|e| e.0)?;
        self.apply_erasures(&BTreeSet::from([id]));
        Ok(())
    }

    /// Erasures this device decided that the relay has not confirmed yet (asked again at every
    /// start: the call is idempotent).
    pub fn pending_erasures(&self) -> Vec<DocumentId> {
        self.0
            .erasures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pending
            .iter()
            .copied()
            .collect()
    }

    /// Whether the relay confirmed that this person's data is erased.
    pub fn is_erased(&self, id: &DocumentId) -> bool {
        self.0.revision.track();
        self.0
            .erasures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .confirmed
            .contains(id)
    }

    /// Creates a new school on this device.
    pub fn create_school(&self, name: &str) -> Result<DocumentId, ModelError> {
        let id = DocumentId::random();
        let mut doc = sync_core::new_document();
        let mut tx = doc.transaction();
        model::School::init(&mut tx, name)?;
        tx.commit();
        self.adopt_school(id, doc);
        Ok(id)
    }

    /// Joins an existing school: its document arrives from the relay.
    pub fn join_school(&self, id: DocumentId) {
        if self.school() != Some(id) {
            self.adopt_school(id, sync_core::new_document());
        }
    }

    fn adopt_school(&self, id: DocumentId, doc: Automerge) {
        self.lock().docs.insert(
            id,
            Entry {
                doc: Doc::new(doc),
                save: SaveState::default(),
                damaged: None,
            },
        );
        let _ = self
            .0
            .writer
            .unbounded_send(Job::Meta(META_SCHOOL, id.to_string()));
        self.0.school.set(Some(id));
        self.forget_derived();
        self.changed_all();
    }

    /// Asks the writer to try again after a failure.
    pub fn retry_save(&self) {
        self.0
            .flush_queued
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.request_flush();
    }

    /// The single writer: every IndexedDB write of documents and settings happens here, in order.
    ///
    /// After a failed write the connection is dropped and reopened on the next attempt, and each
    /// document's next write is a full snapshot: the browser may have closed or wiped the
    /// database, and increments on top of missing chunks could not be loaded again.
    async fn write_loop(self, storage: Storage, mut jobs: UnboundedReceiver<Job>) {
        let mut storage = Some(storage);
        while let Some(job) = jobs.next().await {
            if matches!(job, Job::Flush) {
                self.0
                    .flush_queued
                    .store(false, std::sync::atomic::Ordering::SeqCst);
            }
            if storage.is_none() {
                match self.reopen().await {
                    Ok(reopened) => storage = Some(reopened),
                    Err(e) => {
                        self.0.save_status.set(SaveStatus::Failed(e.to_string()));
                        continue;
                    }
                }
            }
            let Some(db) = storage.as_ref() else { continue };
            let result = match job {
                Job::Flush => self.flush(db).await,
                Job::Meta(key, value) => db.set_meta(key, &value).await,
                Job::Delete(id) => db.delete(&id).await,
            };
            if let Err(e) = result {
                self.0.save_status.set(SaveStatus::Failed(e.to_string()));
                if let Some(db) = storage.take() {
                    db.close();
                }
                self.rewrite_everything_next_time();
            }
        }
    }

    /// Opens the database again and rewrites this device's settings, which may be gone too.
    async fn reopen(&self) -> Result<Storage, StorageError> {
        let storage = Storage::open(&self.0.db_name).await?;
        let peer = self.lock().client.peer_id().clone();
        storage.set_meta(META_PEER, peer.as_str()).await?;
        if let Some(c) = self.0.credentials.get_untracked() {
            storage.set_meta(META_TOKEN, &c.token).await?;
            storage.set_meta(META_DEVICE, &c.device_id).await?;
            storage
                .set_meta(META_ROLE, if c.curator { "curator" } else { "staff" })
                .await?;
        }
        if let Some(school) = self.0.school.get_untracked() {
            storage.set_meta(META_SCHOOL, &school.to_string()).await?;
        }
        if let Some(at) = self.0.last_synced.get_untracked() {
            storage.set_meta(META_LAST_SYNCED, &at.to_string()).await?;
        }
        Ok(storage)
    }

    fn rewrite_everything_next_time(&self) {
        for entry in self.lock().docs.values_mut() {
            entry.save = SaveState::default();
        }
    }

    /// Writes every document's unsaved changes, all of them in one transaction: what one
    /// action changed across documents (a school's list of people and the people's own
    /// documents) is stored together or not at all. Changes made while a write is under way go
    /// into the next one.
    ///
    /// Serialising a thousand new documents takes a while, so the writes are prepared with
    /// pauses for the page; the batch itself is then taken at one instant (a document that
    /// changed meanwhile is prepared again then), so it holds every document as it was at that
    /// instant, never one action half-applied.
    async fn flush(&self, storage: &Storage) -> Result<(), StorageError> {
        loop {
            let dirty: Vec<DocumentId> = self
                .lock()
                .docs
                .iter()
                .filter(|(_, e)| e.damaged.is_none() && !e.save.is_saved(&e.doc))
                .map(|(id, _)| *id)
                .collect();
            if dirty.is_empty() {
                self.0.save_status.set(SaveStatus::Saved);
                return Ok(());
            }
            self.0.save_status.set(SaveStatus::Saving);
            let mut prepared: BTreeMap<DocumentId, PendingSave> = BTreeMap::new();
            let mut worked_since = js_sys::Date::now();
            for id in dirty {
                if js_sys::Date::now() - worked_since > YIELD_AFTER_MS {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    worked_since = js_sys::Date::now();
                }
                let pending = self
                    .lock()
                    .docs
                    .get(&id)
                    .filter(|e| e.damaged.is_none())
                    .and_then(|e| e.save.pending(&e.doc));
                if let Some(pending) = pending {
                    prepared.insert(id, pending);
                }
            }
            let school = self.0.school.get_untracked();
            let (batch, view) = {
                let inner = self.lock();
                let batch: Vec<(DocumentId, PendingSave)> = inner
                    .docs
                    .iter()
                    .filter(|(_, e)| e.damaged.is_none())
                    .filter_map(|(id, e)| match prepared.remove(id) {
                        Some(p) if p.heads() == e.doc.get_heads().as_slice() => Some((*id, p)),
                        _ => e.save.pending(&e.doc).map(|p| (*id, p)),
                    })
                    .collect();
                // The home screen is stored with the school's chunks it is derived from. A
                // school whose home screen cannot be cached (or whose stored chunks this tab
                // does not know) stores an empty view: the one stored before no longer
                // describes it.
                let view = batch
                    .iter()
                    .find(|(id, _)| Some(*id) == school)
                    .map(|(id, pending)| {
                        inner
                            .docs
                            .get(id)
                            .and_then(|e| Some((e, e.save.known_after(pending)?)))
                            .and_then(|(e, chunks)| self.home_view_of(id, &e.doc, chunks))
                            .and_then(|v| v.encode())
                            .unwrap_or_default()
                    });
                (batch, view)
            };
            if batch.is_empty() {
                // Changed and yet nothing to write (an empty increment): nothing is unsaved.
                self.0.save_status.set(SaveStatus::Saved);
                return Ok(());
            }
            storage
                .save_many(&batch, view.as_deref().map(|v| (META_HOME_VIEW, v)))
                .await?;
            let mut inner = self.lock();
            for (id, pending) in &batch {
                if let Some(entry) = inner.docs.get_mut(id) {
                    entry.save.committed(pending);
                }
            }
        }
    }

    // --- The sync task's side -------------------------------------------------------------

    pub(crate) fn take_sync_wake(&self) -> Option<UnboundedReceiver<Wake>> {
        self.0
            .sync_wake_rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    pub(crate) fn join_frame(&self) -> Vec<u8> {
        self.lock().client.join().encode()
    }

    pub(crate) fn set_sync_status(&self, status: SyncStatus) {
        if self.0.sync_status.get_untracked() != status {
            self.0.sync_status.set(status);
        }
    }

    pub(crate) fn disconnected(&self) {
        self.note_relay_heads(true);
        self.lock().client.disconnected();
        self.count_unsent();
    }

    /// Handles one frame from the relay; returns the frames to send back.
    pub(crate) fn on_frame(&self, frame: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        let message = wire::decode(frame, wire::DEFAULT_MAX_FRAME).map_err(|e| e.to_string())?;
        let about = match &message {
            wire::Message::Sync(m) | wire::Message::Request(m) => Some(m.document_id),
            wire::Message::DocUnavailable { document_id, .. } => Some(*document_id),
            _ => None,
        };
        let events = {
            let mut inner = self.lock();
            let Inner { docs, client, .. } = &mut *inner;
            client
                .receive(message, &mut Docs(docs))
                .map_err(|e| e.to_string())?
        };
        let changed: Vec<DocumentId> = events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Changed(id) => Some(*id),
                _ => None,
            })
            .collect();
        if !changed.is_empty() {
            self.changed_remotely(changed);
        }
        // The relay no longer has a document this device holds with content: it may have
        // been erased just now (the relay tells every follower). Ask for the list.
        let gone = {
            let inner = self.lock();
            events.iter().any(|e| {
                matches!(e, ClientEvent::Unavailable(id)
                    if inner.docs.get(id).is_some_and(|d| !d.doc.get_heads().is_empty()))
            })
        };
        if gone {
            let repo = self.clone();
            leptos::task::spawn_local(async move { repo.check_erasures().await });
        }
        let mut inner = self.lock();
        let Inner { docs, client, .. } = &mut *inner;
        Ok(client
            .poll_after(about.as_ref(), &Docs(docs))
            .iter()
            .map(wire::Message::encode)
            .collect())
    }

    /// The frames to send after a change on this device: for the documents that changed
    /// only (an edit on a school of a thousand people polled all thousand).
    pub(crate) fn poll_frames(&self, wake: Wake) -> Vec<Vec<u8>> {
        let mut inner = self.lock();
        let Inner { docs, client, .. } = &mut *inner;
        let frames = match wake {
            Wake::All => client.poll_all(&Docs(docs)),
            Wake::Docs(ids) => client.poll_these(&ids, &Docs(docs)),
        };
        frames.iter().map(wire::Message::encode).collect()
    }

    /// Asks the relay again for the documents it did not have: their frames only, and no
    /// look at the other documents (a school of a thousand was polled whole every few seconds).
    pub(crate) fn retry_unavailable(&self) -> Vec<Vec<u8>> {
        let mut inner = self.lock();
        let Inner { docs, client, .. } = &mut *inner;
        let ids = client.retry_unavailable();
        client
            .poll_these(&ids, &Docs(docs))
            .iter()
            .map(wire::Message::encode)
            .collect()
    }

    /// Recomputes the sync status after traffic; records the time of a completed sync.
    pub(crate) fn refresh_sync_status(&self) {
        let synced = {
            let inner = self.lock();
            inner.client.is_connected()
                && inner
                    .docs
                    .iter()
                    .filter(|(_, e)| e.damaged.is_none())
                    // A document the relay does not have (not yet uploaded by its author, or
                    // erased) does not hold up «синхронизировано» for the rest.
                    .filter(|(id, e)| {
                        !(inner.client.is_unavailable(id) && e.doc.get_heads().is_empty())
                    })
                    .all(|(id, e)| inner.client.is_synced(id, &e.doc))
        };
        let was_synced = self.0.sync_status.get_untracked() == SyncStatus::Synced;
        self.note_relay_heads(synced && !was_synced);
        self.count_unsent();
        if synced {
            let now = now_ms();
            self.0.last_synced.set(Some(now));
            if self.0.sync_status.get_untracked() != SyncStatus::Synced {
                let _ = self
                    .0
                    .writer
                    .unbounded_send(Job::Meta(META_LAST_SYNCED, now.to_string()));
            }
            self.set_sync_status(SyncStatus::Synced);
        } else {
            self.set_sync_status(SyncStatus::Syncing);
        }
    }
}

/// A document from its stored chunks; one that does not load is kept aside as damaged.
/// Resolves after the browser has painted the next frame (or after 50 ms, in a hidden tab
/// that paints none).
async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
        } else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    // The frame is painted after the animation-frame callbacks: a task queued now runs after it.
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn entry_of(stored: Vec<chunks::Chunk>) -> Entry {
    match chunks::load(stored) {
        Ok((doc, save)) => Entry {
            doc: Doc::new(doc),
            save,
            damaged: None,
        },
        Err(e) => Entry {
            doc: Doc::new(sync_core::new_document()),
            save: SaveState::default(),
            damaged: Some(e.to_string()),
        },
    }
}
