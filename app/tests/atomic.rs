//! One action that changes many documents is stored in one IndexedDB transaction: another
//! reader of the database (a reload, a second tab) finds all of it or none of it, never a
//! school whose list names people whose own documents are missing.
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use app::storage::Storage;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_demo_year_is_stored_all_at_once_or_not_at_all() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-atomic-{}", uuid::Uuid::new_v4());
    let repo = Repo::open(&name).await.unwrap();
    repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    let people = repo.load_demo().unwrap();
    assert!(people >= 100, "the demo year has its people: {people}");
    let all = people + 1;

    // A second connection, as a reload or another tab would have, reads while the app writes.
    let reader = Storage::open(&name).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..5_000 {
        let stored = reader.documents().await.unwrap().len();
        if seen.last() != Some(&stored) {
            seen.push(stored);
        }
        if stored == all {
            break;
        }
    }
    assert_eq!(
        seen.last(),
        Some(&all),
        "everything is stored in the end: {seen:?}"
    );
    assert!(
        seen.iter().all(|&n| n <= 1 || n == all),
        "never a part of the demo year: the counts seen were {seen:?}"
    );
}
