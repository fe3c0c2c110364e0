//! The home screen stored with the school's document ([`app::view_cache`]): the next start
//! shows it while that document is parsed, only if it was stored with exactly the chunks the
//! document is stored as; otherwise the start parses the document first, as before, and stores
//! a view for the next one.
#![cfg(target_arch = "wasm32")]

use app::repo::Repo;
use app::storage::Storage;
use app::view_cache::{Card, HomeView, MAX_CARDS, MAX_STORED};
use leptos::prelude::untrack;
use model::{Programme, ProgrammeDraft, RecordId, School};
use sync_core::DocumentId;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PEOPLE: usize = 5;
const HOME_VIEW: &str = "home_view";

fn this_year() -> String {
    model::year::of_date(chrono::Local::now().date_naive())
}

/// Reads the stored view until `done` holds (each read lets the app's writer run).
async fn stored_view(name: &str, done: impl Fn(&HomeView) -> bool) -> HomeView {
    let reader = Storage::open(name).await.unwrap();
    loop {
        if let Some(view) = reader
            .get_meta(HOME_VIEW)
            .await
            .unwrap()
            .as_deref()
            .and_then(HomeView::decode)
            && done(&view)
        {
            reader.close();
            return view;
        }
    }
}

/// A stored school with a programme this year and [`PEOPLE`] people; its id.
async fn stored_school(name: &str) -> DocumentId {
    let repo = Repo::open(name).await.unwrap();
    let school = repo.create_school("МБОУ «Тестовая СОШ»").unwrap();
    repo.change(&school, |tx| {
        School::add_programme(
            tx,
            &RecordId::new("programme-1"),
            ProgrammeDraft {
                title: "Ученик – ученику".into(),
                form: model::Form::StudentStudent,
                variant: String::new(),
                academic_year: this_year(),
                note: "Пояснительная записка".into(),
            },
            1,
        )
    })
    .unwrap();
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
    stored_view(name, |v| v.people == PEOPLE && v.programmes.len() == 1).await;
    school
}

#[wasm_bindgen_test]
async fn the_next_start_shows_the_stored_home_until_the_school_is_parsed() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-view-{}", uuid::Uuid::new_v4());
    let school = stored_school(&name).await;

    let repo = Repo::open(&name).await.unwrap();
    let view = untrack(|| repo.home_view()).expect("the stored home screen");
    assert_eq!(view.name, "МБОУ «Тестовая СОШ»");
    assert_eq!(view.people, PEOPLE);
    assert_eq!(view.years.first(), Some(&this_year()));
    let titles: Vec<&str> = view.programmes.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Ученик – ученику"]);

    repo.loaded().await;
    assert!(
        untrack(|| repo.home_view()).is_none(),
        "the document stands for itself once parsed"
    );
    // The stored cards are what the document shows.
    let live: Vec<Card> = repo
        .records::<Programme>(&school)
        .unwrap()
        .iter()
        .map(|(id, p)| Card::of(id, p))
        .collect();
    assert_eq!(live, view.programmes);
}

#[wasm_bindgen_test]
async fn a_reader_of_the_school_before_it_is_parsed_gets_the_document() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-view-read-{}", uuid::Uuid::new_v4());
    let school = stored_school(&name).await;

    let repo = Repo::open(&name).await.unwrap();
    assert!(untrack(|| repo.home_view()).is_some());
    // A screen other than the home one (a programme's page) reads the document itself.
    let programmes = repo.records::<Programme>(&school).unwrap();
    assert_eq!(programmes.len(), 1);
    assert!(untrack(|| repo.home_view()).is_none());
    repo.loaded().await;
    assert_eq!(repo.people().len(), PEOPLE);
}

#[wasm_bindgen_test]
async fn a_view_stored_with_other_chunks_is_not_shown_and_is_stored_again() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-view-stale-{}", uuid::Uuid::new_v4());
    let school = stored_school(&name).await;

    // Another writer (an older app, another tab) renames the school, leaving the view as it was.
    let storage = Storage::open(&name).await.unwrap();
    let (mut doc, state) = sync_core::chunks::load(storage.load(&school).await.unwrap()).unwrap();
    let mut tx = doc.transaction();
    School::set_name(&mut tx, "МБОУ «Переименованная СОШ»").unwrap();
    tx.commit();
    let pending = state.pending(&doc).unwrap();
    storage.save(&school, &pending).await.unwrap();
    storage.close();

    let repo = Repo::open(&name).await.unwrap();
    assert!(
        untrack(|| repo.home_view()).is_none(),
        "a view of chunks no longer stored is not shown"
    );
    assert_eq!(
        repo.read(&school, School::name).unwrap(),
        "МБОУ «Переименованная СОШ»"
    );
    // The start stores the view of what it parsed, for the next one.
    let view = stored_view(&name, |v| v.name == "МБОУ «Переименованная СОШ»").await;
    assert_eq!(view.programmes.len(), 1);
    drop(repo);
    let next = Repo::open(&name).await.unwrap();
    assert_eq!(
        untrack(|| next.home_view()).map(|v| v.name.clone()),
        Some("МБОУ «Переименованная СОШ»".to_owned())
    );
}

#[wasm_bindgen_test]
async fn an_edit_of_the_school_stores_its_view_with_it() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let name = format!("test-view-edit-{}", uuid::Uuid::new_v4());
    let school = stored_school(&name).await;

    let repo = Repo::open(&name).await.unwrap();
    repo.loaded().await;
    repo.change(&school, |tx| {
        School::update_programme(
            tx,
            &RecordId::new("programme-1"),
            model::ProgrammeField::Title("Ученик – ученику: 2-й поток".into()),
        )
    })
    .unwrap();
    stored_view(&name, |v| {
        v.programmes.first().map(|c| c.title.as_str()) == Some("Ученик – ученику: 2-й поток")
    })
    .await;
    let next = Repo::open(&name).await.unwrap();
    let view = untrack(|| next.home_view()).expect("the view stored with the edit");
    assert_eq!(view.programmes[0].title, "Ученик – ученику: 2-й поток");
}

#[wasm_bindgen_test]
fn a_view_round_trips_and_matches_only_its_chunks() {
    let card = |year: &str, removed: bool| Card {
        id: "p".into(),
        title: "Программа".into(),
        note: String::new(),
        form: "Ученик – ученик".into(),
        year: year.into(),
        removed,
    };
    let view = |people: usize, programmes: Vec<Card>| {
        HomeView::new(
            "school".into(),
            vec!["b".into(), "a".into()],
            "МБОУ «Тестовая СОШ»".into(),
            people,
            vec!["2026/2027".into()],
            programmes,
        )
        .unwrap()
    };
    let v = view(3, vec![card("2026/2027", false)]);
    let back = HomeView::decode(&v.encode().unwrap()).unwrap();
    assert_eq!(back, v);
    assert!(back.matches("school", &["a".into(), "b".into()]));
    assert!(back.matches("school", &["b".into(), "a".into()]));
    assert!(!back.matches("school", &["a".into()]));
    assert!(!back.matches("school", &["a".into(), "b".into(), "c".into()]));
    assert!(!back.matches("other", &["a".into(), "b".into()]));

    // Other formats and oversized views are not read; a school too big is not cached.
    let other = v
        .encode()
        .unwrap()
        .replace("\"version\":1", "\"version\":2");
    assert!(HomeView::decode(&other).is_none());
    assert!(HomeView::decode("").is_none());
    assert!(HomeView::decode(&" ".repeat(MAX_STORED + 1)).is_none());
    // A view too long to be read back is not written either.
    let mut long = card("2026/2027", false);
    long.note = "я".repeat(MAX_STORED);
    assert!(view(3, vec![long]).encode().is_none());
    let many = vec![card("2026/2027", false); MAX_CARDS + 1];
    assert!(HomeView::new("s".into(), vec![], String::new(), 1, vec![], many).is_none());

    // A school still taking its first steps waits for its document (they read it).
    assert!(v.shows_list_alone("2026/2027"));
    assert!(!view(0, vec![card("2026/2027", false)]).shows_list_alone("2026/2027"));
    assert!(!view(3, vec![card("2025/2026", false)]).shows_list_alone("2026/2027"));
    assert!(!view(3, vec![card("2026/2027", true)]).shows_list_alone("2026/2027"));
}
