//! Opening the app parses the school's document at once and the people's documents after the
//! first screen: the school is readable straight away, anyone who reads a person before the
//! background parse has finished still gets every one of them, and once it has finished the
//! device holds exactly what it stored (no person replaced by an empty document).
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use app::storage::Storage;
use model::School;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// People in the stored school (small enough for the debug build these tests run in).
const PEOPLE: usize = 40;

/// A stored school with [`PEOPLE`] people in database `name`; its people, by id and surname.
async fn stored_school(name: &str) -> Vec<(String, String)> {
    let repo = Repo::open(name).await.unwrap();
    repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    for i in 0..PEOPLE {
        repo.add_person(model::PersonDraft {
            role: Some(model::Role::Student),
            last_name: format!("Ученикова-{i}"),
            first_name: "Вера".into(),
            class: "7А".into(),
            ..Default::default()
        })
        .unwrap();
    }
    // Until everything is in the database (each read of it lets the app's writer run).
    let reader = Storage::open(name).await.unwrap();
    while reader.documents().await.unwrap().len() < PEOPLE + 1 {}
    reader.close();
    repo.people()
        .iter()
        .map(|(id, p)| (id.clone(), p.last_name.clone()))
        .collect()
}

#[wasm_bindgen_test]
async fn the_school_is_read_first_and_the_people_follow() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-start-{}", uuid::Uuid::new_v4());
    let people = stored_school(&name).await;
    assert_eq!(people.len(), PEOPLE);

    let repo = Repo::open(&name).await.unwrap();
    assert!(
        !repo.is_loaded(),
        "the people are parsed after the first screen"
    );
    let school = leptos::prelude::untrack(|| repo.school()).unwrap();
    assert_eq!(
        repo.read(&school, School::name).unwrap(),
        "МБОУ «Тестовая СОШ»"
    );
    assert!(!repo.is_loaded(), "reading the school parses no person");
    // One person read before the rest are parsed.
    let (first, surname) = &people[0];
    assert_eq!(&repo.person(first).unwrap().last_name, surname);

    repo.loaded().await;
    assert!(repo.is_loaded());
    let after: Vec<(String, String)> = repo
        .people()
        .iter()
        .map(|(id, p)| (id.clone(), p.last_name.clone()))
        .collect();
    assert_eq!(after, people, "every person as stored, none empty");
}

#[wasm_bindgen_test]
async fn a_reader_before_the_background_parse_gets_every_person() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-start-early-{}", uuid::Uuid::new_v4());
    let people = stored_school(&name).await;

    let repo = Repo::open(&name).await.unwrap();
    assert!(!repo.is_loaded());
    let early: Vec<(String, String)> = repo
        .people()
        .iter()
        .map(|(id, p)| (id.clone(), p.last_name.clone()))
        .collect();
    assert_eq!(early, people);
    repo.loaded().await;
    assert_eq!(repo.people().len(), people.len());
}
