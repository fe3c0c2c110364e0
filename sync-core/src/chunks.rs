//! How a document is stored: one compacted snapshot plus incremental chunks written after it,
//! the scheme automerge-repo uses. Both the browser (IndexedDB) and the relay (SQLite) store
//! documents this way; this module decides *what* to write, the adapters decide *how*.
//!
//! An incremental chunk is the changes made since the last successful write, so a failed write
//! is simply retried by the next save: nothing is marked saved until the adapter says so.

use automerge::{Automerge, ChangeHash, LoadOptions, OnPartialLoad};
use sha2::{Digest, Sha256};

/// After this many incremental chunks the next save is a snapshot that replaces them.
pub const COMPACT_AFTER_INCREMENTALS: usize = 32;
/// Increments never outgrow the snapshot by more than this before they are compacted (a
/// small document's edits are not each a snapshot).
pub const COMPACT_MIN_BYTES: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChunkKind {
    Snapshot,
    Incremental,
}

impl ChunkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkKind::Snapshot => "snapshot",
            ChunkKind::Incremental => "incremental",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "snapshot" => Some(ChunkKind::Snapshot),
            "incremental" => Some(ChunkKind::Incremental),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub kind: ChunkKind,
    /// Content address: for a snapshot the hash of its heads, for an increment of its bytes.
    pub key: String,
    pub data: Vec<u8>,
}

/// A write the adapter must perform. When `replaces_all` is set the chunk is a snapshot and
/// every chunk stored before it for this document must be removed in the same transaction.
#[derive(Clone, Debug)]
pub struct PendingSave {
    pub chunk: Chunk,
    pub replaces_all: bool,
    heads: Vec<ChangeHash>,
    /// With `replaces_all`: the chunks this writer knows are stored, if it knows (see
    /// [`PendingSave::replaces`]).
    known: Option<Vec<String>>,
}

/// What has been durably written for one document.
#[derive(Clone, Debug, Default)]
pub struct SaveState {
    saved_heads: Vec<ChangeHash>,
    incrementals: usize,
    incremental_bytes: usize,
    snapshot_bytes: usize,
    /// Loaded from increments that outgrew their snapshot: the next save is a snapshot, even
    /// with nothing new (see [`load`]).
    compact_next: bool,
    /// The keys of the chunks this writer loaded or wrote; `None` when it does not know what
    /// is stored (a new state, or one reset after a failed write).
    known: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("stored chunk {key} ({kind}) is corrupt: {reason}")]
    Corrupt {
        kind: &'static str,
        key: String,
        reason: String,
    },
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn heads_key(heads: &[ChangeHash]) -> String {
    let mut sorted = heads.to_vec();
    sorted.sort();
    let mut hasher = Sha256::new();
    for h in &sorted {
        hasher.update(h.0);
    }
    hex::encode(hasher.finalize())
}

impl PendingSave {
    /// The document's heads this write stores.
    pub fn heads(&self) -> &[ChangeHash] {
        &self.heads
    }

    /// For a snapshot (`replaces_all`): the chunks it replaces, if the writer knows them;
    /// `None` means every chunk of the document. Deleting only these keeps what another
    /// writer (a second tab of the app) stored meanwhile: its changes load with the snapshot.
    pub fn replaces(&self) -> Option<&[String]> {
        self.known.as_deref()
    }
}

impl SaveState {
    /// Whether storage holds everything `doc` holds, as it should be kept (cheap: no
    /// serialising).
    pub fn is_saved(&self, doc: &Automerge) -> bool {
        doc.get_heads() == self.saved_heads && !self.compact_next
    }

    /// The write that would make storage hold everything `doc` holds, if any.
    ///
    /// Increments are compacted into a snapshot once there are many of them or once they
    /// would outgrow the snapshot: a document loads from a snapshot several times faster than
    /// by applying the same changes (a school's year arriving as one big change would
    /// otherwise be re-applied at every start).
    pub fn pending(&self, doc: &Automerge) -> Option<PendingSave> {
        let heads = doc.get_heads();
        if heads == self.saved_heads && !self.compact_next {
            return None;
        }
        if !self.compact_next
            && !self.saved_heads.is_empty()
            && self.incrementals < COMPACT_AFTER_INCREMENTALS
        {
            let data = doc.save_after(&self.saved_heads);
            if data.is_empty() {
                return None;
            }
            if !self.outgrown(data.len()) {
                let key = sha256_hex(&data);
                return Some(PendingSave {
                    chunk: Chunk {
                        kind: ChunkKind::Incremental,
                        key,
                        data,
                    },
                    replaces_all: false,
                    heads,
                    known: None,
                });
            }
        }
        let data = doc.save();
        let key = heads_key(&heads);
        Some(PendingSave {
            chunk: Chunk {
                kind: ChunkKind::Snapshot,
                key,
                data,
            },
            replaces_all: true,
            heads,
            known: self.known.clone(),
        })
    }

    /// The keys of the chunks this writer loaded or wrote, if it knows them.
    pub fn known_keys(&self) -> Option<&[String]> {
        self.known.as_deref()
    }

    /// [`SaveState::known_keys`] once `save` is committed.
    pub fn known_after(&self, save: &PendingSave) -> Option<Vec<String>> {
        if save.replaces_all {
            return Some(vec![save.chunk.key.clone()]);
        }
        let mut keys = self.known.clone()?;
        keys.push(save.chunk.key.clone());
        Some(keys)
    }

    /// Whether increments of `more` bytes on top of those stored would outgrow the snapshot.
    fn outgrown(&self, more: usize) -> bool {
        self.incremental_bytes + more > self.snapshot_bytes.max(COMPACT_MIN_BYTES)
    }

    /// Records that the adapter wrote `save` durably.
    pub fn committed(&mut self, save: &PendingSave) {
        self.saved_heads = save.heads.clone();
        match save.chunk.kind {
            ChunkKind::Snapshot => {
                self.incrementals = 0;
                self.incremental_bytes = 0;
                self.snapshot_bytes = save.chunk.data.len();
                self.compact_next = false;
                self.known = Some(vec![save.chunk.key.clone()]);
            }
            ChunkKind::Incremental => {
                self.incrementals += 1;
                self.incremental_bytes += save.chunk.data.len();
                if let Some(known) = &mut self.known {
                    known.push(save.chunk.key.clone());
                }
            }
        }
    }

    /// Records that storage now holds everything `doc` holds (it took chunks that another
    /// writer stored), so the next save does not write them again.
    ///
    /// `added` are the kinds and sizes of the chunks taken: a snapshot another writer stored
    /// replaced everything stored before it, so it counts as this document's snapshot, not as
    /// an increment (which would make the next save a needless snapshot).
    pub fn caught_up(&mut self, doc: &Automerge, added: &[(ChunkKind, usize)]) {
        self.saved_heads = doc.get_heads();
        // The caller keeps the keys it took (the relay's `known_keys`).
        self.known = None;
        if let Some(snapshot) = added
            .iter()
            .filter(|(kind, _)| *kind == ChunkKind::Snapshot)
            .map(|(_, bytes)| *bytes)
            .max()
        {
            self.snapshot_bytes = snapshot;
            self.incrementals = 0;
            self.incremental_bytes = 0;
        }
        for (_, bytes) in added.iter().filter(|(k, _)| *k == ChunkKind::Incremental) {
            self.incrementals += 1;
            self.incremental_bytes += bytes;
        }
    }

    pub fn saved_heads(&self) -> &[ChangeHash] {
        &self.saved_heads
    }
}

/// Rebuilds a document from its stored chunks (snapshots first, then increments). Increments
/// that outgrew their snapshot (written by an older app, or by another writer) mark the state
/// so the next save compacts them, whether or not the document changes meanwhile.
///
/// Loading is strict: a chunk that does not parse completely is an error naming it. Nothing is
/// repaired or dropped silently, so the caller can refuse to overwrite storage it could not read.
pub fn load(mut chunks: Vec<Chunk>) -> Result<(Automerge, SaveState), LoadError> {
    chunks.sort_by_key(|c| c.kind);
    let mut state = SaveState::default();
    let mut all = Vec::with_capacity(chunks.iter().map(|c| c.data.len()).sum());
    for chunk in &chunks {
        all.extend_from_slice(&chunk.data);
        match chunk.kind {
            ChunkKind::Snapshot => state.snapshot_bytes += chunk.data.len(),
            ChunkKind::Incremental => {
                state.incrementals += 1;
                state.incremental_bytes += chunk.data.len();
            }
        }
    }
    if all.is_empty() {
        return Ok((crate::new_document(), state));
    }
    let doc = strict_load(&all).map_err(|reason| {
        // Name the chunk at fault: the first one that does not parse on its own.
        let culprit = chunks.iter().find(|c| strict_load(&c.data).is_err());
        LoadError::Corrupt {
            kind: culprit.map_or("chunks", |c| c.kind.as_str()),
            key: culprit.map_or_else(String::new, |c| c.key.clone()),
            reason,
        }
    })?;
    state.saved_heads = doc.get_heads();
    state.compact_next = state.incrementals > 0 && state.outgrown(0);
    state.known = Some(chunks.iter().map(|c| c.key.clone()).collect());
    Ok((doc, state))
}

fn strict_load(data: &[u8]) -> Result<Automerge, String> {
    let options = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .text_encoding(crate::TEXT_ENCODING);
    Automerge::load_with_options(data, options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};

    use super::*;

    fn edit(doc: &mut Automerge, key: &str, value: i64) {
        let mut tx = doc.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
    }

    /// A store that applies pending saves the way the adapters must.
    fn apply(store: &mut Vec<Chunk>, save: &PendingSave) {
        if save.replaces_all {
            store.clear();
        }
        store.push(save.chunk.clone());
    }

    #[test]
    fn saves_are_a_snapshot_then_increments_then_a_compacting_snapshot() {
        let mut doc = Automerge::new();
        let mut state = SaveState::default();
        let mut store = Vec::new();
        assert!(
            state.pending(&doc).is_none(),
            "an empty document needs no write"
        );
        let mut kinds = Vec::new();
        for i in 0..(COMPACT_AFTER_INCREMENTALS as i64 + 3) {
            edit(&mut doc, "n", i);
            let save = state.pending(&doc).expect("an edit needs a write");
            kinds.push(save.chunk.kind);
            apply(&mut store, &save);
            state.committed(&save);
            assert!(state.pending(&doc).is_none());
        }
        assert_eq!(kinds[0], ChunkKind::Snapshot);
        assert!(kinds[1..5].iter().all(|k| *k == ChunkKind::Incremental));
        assert!(
            kinds[1..].contains(&ChunkKind::Snapshot),
            "increments get compacted"
        );
        assert!(store.len() <= COMPACT_AFTER_INCREMENTALS + 1);
        let (loaded, _) = load(store).unwrap();
        assert_eq!(loaded.get_heads(), doc.get_heads());
    }

    /// A big change (a school's year imported or arriving at once) on a small snapshot.
    fn big_change(doc: &mut Automerge) {
        let mut tx = doc.transaction();
        for i in 0..2_000 {
            tx.put(ROOT, format!("key-{i}"), format!("value {i}"))
                .unwrap();
        }
        tx.commit();
    }

    #[test]
    fn an_increment_that_would_outgrow_the_snapshot_is_written_as_one() {
        let mut doc = Automerge::new();
        let mut state = SaveState::default();
        edit(&mut doc, "a", 1);
        let first = state.pending(&doc).unwrap();
        state.committed(&first);
        edit(&mut doc, "b", 2);
        let small = state.pending(&doc).unwrap();
        assert_eq!(
            small.chunk.kind,
            ChunkKind::Incremental,
            "an edit is an increment"
        );
        state.committed(&small);
        big_change(&mut doc);
        let big = state.pending(&doc).unwrap();
        assert_eq!(big.chunk.kind, ChunkKind::Snapshot);
        assert!(big.replaces_all);
    }

    #[test]
    fn increments_stored_bigger_than_their_snapshot_are_compacted_after_loading() {
        // As an older app stored them: a small snapshot, then one big increment.
        let mut doc = Automerge::new();
        edit(&mut doc, "a", 1);
        let snapshot = SaveState::default().pending(&doc).unwrap();
        let before = doc.get_heads();
        big_change(&mut doc);
        let data = doc.save_after(&before);
        let increment = Chunk {
            kind: ChunkKind::Incremental,
            key: sha256_hex(&data),
            data,
        };
        let mut store = vec![snapshot.chunk.clone(), increment];

        let (loaded, mut state) = load(store.clone()).unwrap();
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert!(
            !state.is_saved(&loaded),
            "the increments are to be compacted"
        );
        let compact = state.pending(&loaded).expect("a compacting write");
        assert_eq!(compact.chunk.kind, ChunkKind::Snapshot);
        assert_eq!(compact.heads(), loaded.get_heads().as_slice());
        apply(&mut store, &compact);
        state.committed(&compact);
        assert!(state.is_saved(&loaded));
        assert!(state.pending(&loaded).is_none());
        assert_eq!(store.len(), 1);

        // Stored as one snapshot, nothing is left to compact.
        let (again, state) = load(store).unwrap();
        assert_eq!(again.get_heads(), doc.get_heads());
        assert!(state.is_saved(&again));
    }

    #[test]
    fn a_snapshot_another_writer_stored_is_taken_as_the_snapshot() {
        let mut doc = Automerge::new();
        big_change(&mut doc);
        let mut state = SaveState::default();
        let first = state.pending(&doc).unwrap();
        state.committed(&first);
        // Another writer stored a snapshot of the same size (and nothing else).
        state.caught_up(&doc, &[(ChunkKind::Snapshot, first.chunk.data.len())]);
        edit(&mut doc, "a", 1);
        let next = state.pending(&doc).unwrap();
        assert_eq!(
            next.chunk.kind,
            ChunkKind::Incremental,
            "an edit after taking a snapshot is an increment"
        );
        // Increments taken count as increments.
        state.committed(&next);
        state.caught_up(&doc, &[(ChunkKind::Incremental, first.chunk.data.len())]);
        edit(&mut doc, "b", 2);
        assert_eq!(state.pending(&doc).unwrap().chunk.kind, ChunkKind::Snapshot);
    }

    #[test]
    fn a_failed_write_is_retried_by_the_next_save() {
        let mut doc = Automerge::new();
        let mut state = SaveState::default();
        let mut store = Vec::new();
        edit(&mut doc, "a", 1);
        let first = state.pending(&doc).unwrap();
        apply(&mut store, &first);
        state.committed(&first);
        edit(&mut doc, "b", 2);
        let _lost = state.pending(&doc).unwrap(); // The adapter failed: not committed.
        edit(&mut doc, "c", 3);
        let retry = state.pending(&doc).unwrap();
        apply(&mut store, &retry);
        state.committed(&retry);
        let (loaded, _) = load(store).unwrap();
        for key in ["a", "b", "c"] {
            assert!(
                loaded.get(ROOT, key).unwrap().is_some(),
                "{key} survived the failed write"
            );
        }
    }

    #[test]
    fn a_corrupt_chunk_is_named_in_the_error() {
        let mut doc = Automerge::new();
        edit(&mut doc, "a", 1);
        let good = SaveState::default().pending(&doc).unwrap().chunk;
        let bad = Chunk {
            kind: ChunkKind::Incremental,
            key: "bad".into(),
            data: vec![1, 2, 3],
        };
        let err = load(vec![good, bad]).unwrap_err();
        assert!(
            matches!(err, LoadError::Corrupt { ref key, .. } if key == "bad"),
            "{err}"
        );
    }
}
