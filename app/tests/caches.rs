//! The read caches (`Repo::records`, `Repo::people`) answer exactly what the documents hold:
//! after an edit of the school or of one person, the next read shows it, and a read with
//! nothing changed returns the same as before.
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use model::{PersonField, Programme, ProgrammeDraft, RecordId, School};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn cached_reads_follow_every_edit() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-caches-{}", uuid::Uuid::new_v4());
    let repo = Repo::open(&name).await.unwrap();
    let school = repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    repo.load_demo().unwrap();

    let uncached = |repo: &Repo| repo.read(&school, School::programmes).unwrap().unwrap();
    let before = repo.records::<Programme>(&school).unwrap();
    assert_eq!(before, uncached(&repo));
    assert_eq!(repo.records::<Programme>(&school).unwrap(), before);

    // A new programme is in the next read.
    let id = RecordId::new("cache-test-programme");
    repo.change(&school, |tx| {
        School::add_programme(
            tx,
            &id,
            ProgrammeDraft {
                title: "Новая программа".into(),
                form: model::Form::StudentStudent,
                variant: String::new(),
                academic_year: "2026/2027".into(),
                note: String::new(),
            },
            1,
        )
    })
    .unwrap();
    let after = repo.records::<Programme>(&school).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after, uncached(&repo));
    // The shared list is the cache's own while nothing changed, and a new one after an edit.
    let shared = repo.shared_records::<Programme>(&school).unwrap();
    assert_eq!(*shared, after);
    assert!(std::sync::Arc::ptr_eq(
        &shared,
        &repo.shared_records::<Programme>(&school).unwrap()
    ));

    // People: a shared map while nothing changed; an edit of one person is in the next one.
    let first = repo.people();
    assert!(std::sync::Arc::ptr_eq(&first, &repo.people()));
    // An edit of the school alone leaves every person as they were: the same map.
    repo.change(&school, |tx| {
        School::update_programme(tx, &id, model::ProgrammeField::Note("Заметка".into()))
    })
    .unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &repo.people()));
    assert!(!std::sync::Arc::ptr_eq(
        &shared,
        &repo.shared_records::<Programme>(&school).unwrap()
    ));
    let (pid, person) = first.iter().next().unwrap();
    assert_eq!(repo.person(pid).as_ref(), Some(person));
    let doc = pid.parse().unwrap();
    repo.change(&doc, |tx| {
        model::PersonDoc::update(tx, PersonField::LastName("Кэшева".into()), 2)
    })
    .unwrap();
    // Read alone, before the people's map is rebuilt: the edit is in it.
    assert_eq!(repo.person(pid).unwrap().last_name, "Кэшева");
    let second = repo.people();
    assert!(!std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(second[pid.as_str()].last_name, "Кэшева");
    assert_eq!(second.len(), first.len());
}
