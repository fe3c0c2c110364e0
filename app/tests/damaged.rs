//! A document whose stored chunks are damaged is reported, refused for editing, and never
//! overwritten: what is in IndexedDB stays as it was, for recovery.
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use app::storage::Storage;
use model::{ModelError, School};
use sync_core::DocumentId;
use sync_core::chunks::SaveState;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_damaged_document_is_reported_and_left_untouched() {
    // The app's tasks run on Leptos's executor, which `mount_to_body` starts in the real app.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-damaged-{}", uuid::Uuid::new_v4());
    let school = DocumentId::random();
    {
        let storage = Storage::open(&name).await.unwrap();
        let mut doc = sync_core::new_document();
        let mut tx = doc.transaction();
        School::init(&mut tx, "Школа").unwrap();
        tx.commit();
        let save = SaveState::default().pending(&doc).unwrap();
        storage.save(&school, &save).await.unwrap();
        storage
            .set_meta("school", &school.to_string())
            .await
            .unwrap();
        storage.close();
        // Garbage where an increment should be, written behind the app's back.
        let db = rexie::Rexie::builder(&name)
            .version(1)
            .build()
            .await
            .unwrap();
        let tx = db
            .transaction(&["chunks"], rexie::TransactionMode::ReadWrite)
            .unwrap();
        let store = tx.store("chunks").unwrap();
        let garbage = js_sys::Uint8Array::from(&[0x85u8, 0x6f, 0x4a, 0x83, 1, 2, 3][..]);
        store
            .put(
                &garbage.into(),
                Some(&JsValue::from_str(&format!("{school}/incremental/bad"))),
            )
            .await
            .unwrap();
        tx.done().await.unwrap();
        db.close();
    }
    let before = {
        let storage = Storage::open(&name).await.unwrap();
        let chunks = storage.load(&school).await.unwrap();
        storage.close();
        chunks
    };

    let repo = Repo::open(&name).await.unwrap();
    let read = repo.read(&school, School::name);
    assert!(matches!(read, Err(ModelError::Damaged(_))), "{read:?}");
    assert!(read.unwrap_err().to_string().contains("повреждён"));
    let edit = repo.change(&school, |tx| School::set_name(tx, "Другое название"));
    assert!(matches!(edit, Err(ModelError::Damaged(_))), "{edit:?}");

    let storage = Storage::open(&name).await.unwrap();
    assert_eq!(
        storage.load(&school).await.unwrap(),
        before,
        "storage is exactly as it was"
    );
}
