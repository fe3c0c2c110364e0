//! The read caches (`Repo::records`, `Repo::people`) answer exactly what the documents hold:
//! after an edit of the school or of one person, the next read shows it, and a read with
//! nothing changed returns the same as before.
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use model::{PersonField, Programme, ProgrammeDraft, RecordId, School};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Five students, «{last}-0» to «{last}-4».
fn add_students(repo: &Repo, last: &str, first: &str) {
    for i in 0..5 {
        repo.add_person(model::PersonDraft {
            role: Some(model::Role::Student),
            last_name: format!("{last}-{i}"),
            first_name: first.into(),
            ..Default::default()
        })
        .unwrap();
    }
}

#[wasm_bindgen_test]
async fn cached_reads_follow_every_edit() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-caches-{}", uuid::Uuid::new_v4());
    let repo = Repo::open(&name).await.unwrap();
    let school = repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    // A few people and a programme, not the demo year: the demo is seconds of synchronous work
    // in a debug build, and the test runner's polls of the page time out behind it.
    add_students(&repo, "Кэшев", "Пётр");
    repo.change(&school, |tx| {
        School::add_programme(
            tx,
            &RecordId::new("cache-test-first"),
            ProgrammeDraft {
                title: "Первая программа".into(),
                form: model::Form::StudentStudent,
                variant: String::new(),
                academic_year: "2026/2027".into(),
                note: String::new(),
            },
            1,
        )
    })
    .unwrap();

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

/// A screen's derived copy of people (`Repo::derived`) is kept while it matches, and forgotten
/// the moment a person is erased on this device: no copy of them outlives their document.
#[wasm_bindgen_test]
async fn an_erasure_forgets_what_screens_derived() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-derived-{}", uuid::Uuid::new_v4());
    let repo = Repo::open(&name).await.unwrap();
    repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    add_students(&repo, "Стираемова", "Вера");

    struct Names(Vec<String>);
    let build = |repo: &Repo| Names(repo.people().values().map(|p| p.full_name()).collect());
    let first = repo.derived(|_: &Names| true, || build(&repo));
    let kept = repo.derived(|_: &Names| true, || Names(Vec::new()));
    assert!(
        std::sync::Arc::ptr_eq(&first, &kept),
        "kept while it matches"
    );
    let again = repo.derived(|_: &Names| false, || build(&repo));
    assert!(
        !std::sync::Arc::ptr_eq(&first, &again),
        "built again once it does not"
    );

    let (pid, person) = {
        let people = repo.people();
        let (id, p) = people.iter().next().unwrap();
        (id.parse().unwrap(), p.full_name())
    };
    assert!(again.0.contains(&person));
    // This test device has no relay: the erasure is done here and its relay part fails.
    assert!(repo.erase_person(pid).await.is_err());
    let after = repo.derived(|_: &Names| true, || build(&repo));
    assert!(
        !std::sync::Arc::ptr_eq(&again, &after),
        "forgotten at the erasure"
    );
    assert!(!after.0.contains(&person));
    assert!(!repo.people().contains_key(&pid.to_string()));
}
