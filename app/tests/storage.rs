//! IndexedDB storage in a real (headless Chromium) browser.
#![cfg(target_arch = "wasm32")]

use app::storage::{Storage, StorageError};
use automerge::ReadDoc;
use automerge::transaction::Transactable;
use sync_core::DocumentId;
use sync_core::chunks::{self, COMPACT_AFTER_INCREMENTALS, ChunkKind, SaveState};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_name(test: &str) -> String {
    format!("test-{test}-{}", uuid::Uuid::new_v4())
}

fn edit(doc: &mut automerge::Automerge, key: &str, value: &str) {
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, key, value).unwrap();
    tx.commit();
}

/// Saves `doc`'s unsaved changes the way the app's writer does.
async fn save(
    storage: &Storage,
    id: &DocumentId,
    doc: &automerge::Automerge,
    state: &mut SaveState,
) -> Result<(), StorageError> {
    let pending = state.pending(doc).expect("something to save");
    storage.save(id, &pending).await?;
    state.committed(&pending);
    Ok(())
}

#[wasm_bindgen_test]
async fn a_document_is_read_back_after_the_store_is_reopened() {
    let name = fresh_name("reopen");
    let (id, other) = (DocumentId::random(), DocumentId::random());
    let storage = Storage::open(&name).await.unwrap();
    let mut doc = sync_core::new_document();
    let mut state = SaveState::default();
    for i in 0..(COMPACT_AFTER_INCREMENTALS + 5) {
        edit(&mut doc, &format!("k{i}"), "наставник");
        save(&storage, &id, &doc, &mut state).await.unwrap();
    }
    let mut unrelated = sync_core::new_document();
    edit(&mut unrelated, "other", "x");
    save(&storage, &other, &unrelated, &mut SaveState::default())
        .await
        .unwrap();
    storage.set_meta("school", &id.to_string()).await.unwrap();
    storage.close();

    let storage = Storage::open(&name).await.unwrap();
    let stored = storage.load(&id).await.unwrap();
    assert!(
        stored.len() <= COMPACT_AFTER_INCREMENTALS,
        "compaction replaced old chunks: {}",
        stored.len()
    );
    assert_eq!(
        stored
            .iter()
            .filter(|c| c.kind == ChunkKind::Snapshot)
            .count(),
        1
    );
    let (loaded, _) = chunks::load(stored).unwrap();
    assert_eq!(loaded.get_heads(), doc.get_heads());
    assert!(
        loaded.get(automerge::ROOT, "other").unwrap().is_none(),
        "documents are kept apart"
    );
    assert_eq!(
        storage.get_meta("school").await.unwrap(),
        Some(id.to_string())
    );
    // All of the meta store in one read (opening the app).
    storage.set_meta("role", "curator").await.unwrap();
    let meta = storage.meta_all().await.unwrap();
    assert_eq!(meta.get("school"), Some(&id.to_string()));
    assert_eq!(meta.get("role").map(String::as_str), Some("curator"));
    assert_eq!(meta.len(), 2);
    let mut ids = storage.documents().await.unwrap();
    ids.sort();
    let mut expected = vec![id, other];
    expected.sort();
    assert_eq!(ids, expected);
    // Read all at once (opening the app), each document has exactly its own chunks.
    let all = storage.load_all().await.unwrap();
    assert_eq!(all.keys().copied().collect::<Vec<_>>(), expected);
    assert_eq!(all[&id], storage.load(&id).await.unwrap());
    let (other_loaded, _) = chunks::load(all[&other].clone()).unwrap();
    assert_eq!(other_loaded.get_heads(), unrelated.get_heads());
}

#[wasm_bindgen_test]
async fn a_write_to_a_closed_database_is_an_error_and_the_change_stays_pending() {
    let name = fresh_name("closed");
    let id = DocumentId::random();
    let storage = Storage::open(&name).await.unwrap();
    let mut doc = sync_core::new_document();
    let mut state = SaveState::default();
    edit(&mut doc, "a", "1");
    save(&storage, &id, &doc, &mut state).await.unwrap();
    storage.close();

    edit(&mut doc, "b", "2");
    let err = save(&storage, &id, &doc, &mut state).await.unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("Хранилище браузера недоступно"),
        "{err}"
    );
    assert!(
        state.pending(&doc).is_some(),
        "the failed change is still waiting to be saved"
    );

    // A new connection takes the pending change: nothing was lost.
    let storage = Storage::open(&name).await.unwrap();
    save(&storage, &id, &doc, &mut state).await.unwrap();
    let (loaded, _) = chunks::load(storage.load(&id).await.unwrap()).unwrap();
    assert!(loaded.get(automerge::ROOT, "b").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn deleting_a_document_removes_all_its_chunks_and_only_its() {
    let name = fresh_name("delete");
    let (person, other) = (DocumentId::random(), DocumentId::random());
    let storage = Storage::open(&name).await.unwrap();
    let (mut doc, mut state) = (sync_core::new_document(), SaveState::default());
    for i in 0..3 {
        edit(&mut doc, &format!("k{i}"), "персональные данные");
        save(&storage, &person, &doc, &mut state).await.unwrap();
    }
    let mut kept = sync_core::new_document();
    edit(&mut kept, "school", "x");
    save(&storage, &other, &kept, &mut SaveState::default())
        .await
        .unwrap();
    assert_eq!(storage.load(&person).await.unwrap().len(), 3);

    storage.delete(&person).await.unwrap();
    storage.close();
    let storage = Storage::open(&name).await.unwrap();
    assert!(storage.load(&person).await.unwrap().is_empty());
    assert_eq!(storage.documents().await.unwrap(), vec![other]);
    assert_eq!(storage.load(&other).await.unwrap().len(), 1);
}

/// Two tabs of the app on one database: a snapshot one of them writes replaces only the
/// chunks it loaded or wrote, never an increment the other stored meanwhile.
#[wasm_bindgen_test]
async fn a_snapshot_keeps_what_another_tab_stored_meanwhile() {
    let name = fresh_name("two-tabs");
    let id = DocumentId::random();
    let storage = Storage::open(&name).await.unwrap();
    let mut doc = sync_core::new_document();
    edit(&mut doc, "first", "наставник");
    save(&storage, &id, &doc, &mut SaveState::default())
        .await
        .unwrap();

    // Both tabs load the document.
    let (mut a, mut a_state) = chunks::load(storage.load(&id).await.unwrap()).unwrap();
    let (mut b, mut b_state) = chunks::load(storage.load(&id).await.unwrap()).unwrap();
    // Tab A stores an edit; tab B, not knowing it, stores a big one, written as a snapshot.
    edit(&mut a, "from-a", "наставляемый");
    save(&storage, &id, &a, &mut a_state).await.unwrap();
    let mut tx = b.transaction();
    for i in 0..2_000 {
        tx.put(automerge::ROOT, format!("b-{i}"), "куратор")
            .unwrap();
    }
    tx.commit();
    let pending = b_state.pending(&b).unwrap();
    assert!(pending.replaces_all, "B's write is a snapshot");
    storage.save(&id, &pending).await.unwrap();
    b_state.committed(&pending);

    let (loaded, _) = chunks::load(storage.load(&id).await.unwrap()).unwrap();
    assert!(
        loaded.get(automerge::ROOT, "from-a").unwrap().is_some(),
        "tab A's edit survives tab B's snapshot"
    );
    assert!(loaded.get(automerge::ROOT, "b-1999").unwrap().is_some());
    assert!(loaded.get(automerge::ROOT, "first").unwrap().is_some());
    // The chunk B replaced is gone: the first snapshot, not A's increment.
    let stored = storage.load(&id).await.unwrap();
    assert_eq!(stored.len(), 2, "B's snapshot and A's increment");
}
