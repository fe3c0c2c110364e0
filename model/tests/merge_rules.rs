//! The merge rules of ARCHITECTURE.md, each on two replicas that edit concurrently and merge.

use automerge::Automerge;
use model::{
    Form, ModelError, ProgrammeDraft, ProgrammeField, ProgrammeId, SCHEMA_VERSION, SchemaStatus,
    School,
};

fn draft(title: &str, note: &str) -> ProgrammeDraft {
    ProgrammeDraft {
        title: title.into(),
        form: Form::StudentStudent,
        variant: String::new(),
        academic_year: "2026/2027".into(),
        note: note.into(),
    }
}

fn edit<T>(
    doc: &mut Automerge,
    f: impl FnOnce(&mut automerge::transaction::Transaction) -> Result<T, ModelError>,
) -> T {
    let mut tx = doc.transaction();
    let out = f(&mut tx).expect("edit failed");
    tx.commit();
    out
}

/// A school with one programme, and a second replica forked from it.
fn two_replicas() -> (Automerge, Automerge, ProgrammeId) {
    let mut a = sync_core::new_document();
    let id = ProgrammeId::new("p1");
    edit(&mut a, |tx| School::init(tx, "МБОУ «Берёзовская СОШ»"));
    edit(&mut a, |tx| {
        School::add_programme(tx, &id, draft("Служба учебной помощи", "Заметка"), 1)
    });
    let b = a.fork();
    (a, b, id)
}

fn merged(mut a: Automerge, mut b: Automerge) -> Automerge {
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(a.get_heads(), b.get_heads());
    a
}

#[test]
fn edits_to_different_fields_both_survive() {
    let (mut a, mut b, id) = two_replicas();
    edit(&mut a, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Title("Новое название".into()))
    });
    edit(&mut b, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Note("Новая заметка".into()))
    });
    let p = School::programme(&merged(a, b), &id).unwrap();
    assert_eq!(p.title.as_str(), "Новое название");
    assert_eq!(p.note.as_str(), "Новая заметка");
}

#[test]
fn concurrent_edits_of_one_text_merge_as_text() {
    let (mut a, mut b, id) = two_replicas();
    edit(&mut a, |tx| {
        School::update_programme(
            tx,
            &id,
            ProgrammeField::Note("Встреча в понедельник. Заметка".into()),
        )
    });
    edit(&mut b, |tx| {
        School::update_programme(
            tx,
            &id,
            ProgrammeField::Note("Заметка. Взять анкеты".into()),
        )
    });
    let note = School::programme(&merged(a, b), &id)
        .unwrap()
        .note
        .as_str()
        .to_owned();
    assert!(note.contains("Встреча в понедельник."), "{note}");
    assert!(note.contains("Взять анкеты"), "{note}");
}

#[test]
fn a_field_written_from_a_stale_form_does_not_revert_other_fields() {
    let (mut a, mut b, id) = two_replicas();
    edit(&mut a, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Title("Название А".into()))
    });
    let mut a2 = a.clone();
    b.merge(&mut a2).unwrap();
    // B's edit page was opened before A's title arrived; B changes only the year.
    edit(&mut b, |tx| {
        School::update_programme(tx, &id, ProgrammeField::AcademicYear("2027-2028".into()))
    });
    let p = School::programme(&merged(a, b), &id).unwrap();
    assert_eq!(p.title.as_str(), "Название А");
    assert_eq!(p.academic_year, "2027/2028");
}

#[test]
fn programmes_added_concurrently_both_stay() {
    let (mut a, mut b, _) = two_replicas();
    edit(&mut a, |tx| {
        School::add_programme(tx, &ProgrammeId::new("from-a"), draft("Программа А", ""), 2)
    });
    edit(&mut b, |tx| {
        School::add_programme(tx, &ProgrammeId::new("from-b"), draft("Программа Б", ""), 3)
    });
    let doc = merged(a, b);
    let titles: Vec<_> = School::programmes(&doc)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p.title.as_str().to_owned())
        .collect();
    assert_eq!(
        titles,
        ["Служба учебной помощи", "Программа А", "Программа Б"]
    );
}

#[test]
fn removing_a_programme_keeps_a_concurrent_edit_and_it_can_be_restored() {
    let (mut a, mut b, id) = two_replicas();
    edit(&mut a, |tx| School::remove_programme(tx, &id, 10));
    edit(&mut b, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Note("Правка Б".into()))
    });
    let mut doc = merged(a, b);
    let p = School::programme(&doc, &id).unwrap();
    assert!(p.is_removed());
    assert_eq!(
        p.note.as_str(),
        "Правка Б",
        "the concurrent edit is not lost"
    );
    edit(&mut doc, |tx| School::restore_programme(tx, &id));
    assert!(!School::programme(&doc, &id).unwrap().is_removed());
}

#[test]
fn invalid_drafts_change_nothing() {
    let (mut a, _, id) = two_replicas();
    let heads = a.get_heads();
    let mut tx = a.transaction();
    let err =
        School::update_programme(&mut tx, &id, ProgrammeField::Title("  ".into())).unwrap_err();
    tx.rollback();
    assert_eq!(err, ModelError::Invalid(model::ValidationError::EmptyTitle));
    assert_eq!(a.get_heads(), heads);
}

#[test]
fn a_document_from_a_newer_app_is_read_but_never_written() {
    use automerge::transaction::Transactable;
    let (mut a, _, id) = two_replicas();
    edit(&mut a, |tx| {
        tx.put(automerge::ROOT, "schema", SCHEMA_VERSION + 1)
            .map_err(|e| ModelError::Damaged(e.to_string()))
    });
    assert_eq!(
        School::schema_status(&a),
        SchemaStatus::Newer(SCHEMA_VERSION + 1)
    );
    assert!(School::programme(&a, &id).is_ok(), "still readable");
    let mut tx = a.transaction();
    let err = School::update_programme(&mut tx, &id, ProgrammeField::Note("y".into())).unwrap_err();
    assert_eq!(
        err,
        ModelError::NewerSchema {
            found: SCHEMA_VERSION + 1
        }
    );
    assert!(err.to_string().contains("Обновите приложение"));
}

#[test]
fn an_empty_document_waits_for_the_school_to_arrive() {
    let doc = sync_core::new_document();
    assert_eq!(School::schema_status(&doc), SchemaStatus::Empty);
    assert_eq!(School::programmes(&doc).unwrap(), vec![]);
}

/// A schema far beyond any app's is suspect (not a newer app): still read-only, its writer is
/// known, and a curator's repair sets it back on both replicas; the data was never touched.
#[test]
fn a_suspect_schema_names_its_writer_and_can_be_repaired() {
    use automerge::transaction::Transactable;
    let (mut a, mut b, id) = two_replicas();
    edit(&mut b, |tx| {
        tx.put(automerge::ROOT, "schema", 99_u64)
            .map_err(|e| ModelError::Damaged(e.to_string()))
    });
    a.merge(&mut b).unwrap();
    assert_eq!(School::schema_status(&a), SchemaStatus::Suspect(99));
    assert_eq!(model::schema_writer(&a), Some(b.get_actor().clone()));
    let mut tx = a.transaction();
    let err = School::update_programme(&mut tx, &id, ProgrammeField::Note("y".into())).unwrap_err();
    assert_eq!(err, ModelError::SuspectSchema { found: 99 });
    tx.rollback();
    edit(&mut a, |tx| School::repair_schema(tx).map(|_| ()));
    assert_eq!(School::schema_status(&a), SchemaStatus::Current);
    b.merge(&mut a).unwrap();
    assert_eq!(School::schema_status(&b), SchemaStatus::Current);
    assert!(School::programme(&b, &id).is_ok());
    // A plausible newer version is not "repaired": that one needs an app update.
    edit(&mut a, |tx| {
        tx.put(automerge::ROOT, "schema", SCHEMA_VERSION + 1)
            .map_err(|e| ModelError::Damaged(e.to_string()))
    });
    let mut tx = a.transaction();
    assert_eq!(School::repair_schema(&mut tx), Ok(false));
}
