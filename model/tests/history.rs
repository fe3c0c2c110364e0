//! Who changed what (issue 9): concurrent values of one field are both listed and the curator's
//! choice ends the conflict on every replica; history attributes each change to the actor (and so
//! the device) that wrote it, with its time; an earlier value can be put back; two notes added at
//! once stay two readable notes; a refused value typed into a field never becomes the base of
//! the next edit.

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge, ScalarValue};
use model::history::{self, EditKind};
use model::{
    FieldEditor, Form, Meeting, MeetingField, ModelError, Programme, ProgrammeDraft,
    ProgrammeField, RecordId, School,
};

fn edit_at<T>(
    doc: &mut Automerge,
    time: i64,
    f: impl FnOnce(&mut automerge::transaction::Transaction) -> Result<T, ModelError>,
) -> T {
    let mut tx = doc.transaction();
    let out = f(&mut tx).expect("edit failed");
    tx.commit_with(CommitOptions::default().with_time(time));
    out
}

fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

/// A school with one programme, written by actor 1; a second replica as actor 2.
fn two_tablets() -> (Automerge, Automerge, RecordId) {
    let mut a = sync_core::new_document().with_actor(actor(1));
    let id = RecordId::new("p1");
    edit_at(&mut a, 1_000, |tx| {
        School::init(tx, "МБОУ «Берёзовская СОШ»")
    });
    edit_at(&mut a, 1_001, |tx| {
        School::add_programme(
            tx,
            &id,
            ProgrammeDraft {
                title: "Служба учебной помощи".into(),
                form: Form::StudentStudent,
                variant: String::new(),
                academic_year: "2026/2027".into(),
                note: String::new(),
            },
            1,
        )
    });
    let b = a.fork().with_actor(actor(2));
    (a, b, id)
}

fn sync(a: &mut Automerge, b: &mut Automerge) {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
    assert_eq!(a.get_heads(), b.get_heads());
}

#[test]
fn a_field_set_on_two_tablets_lists_both_values_and_the_choice_ends_it_everywhere() {
    let (mut a, mut b, id) = two_tablets();
    edit_at(&mut a, 2_000, |tx| {
        School::update_programme(tx, &id, ProgrammeField::AgreedOn("05.10.2026".into()))
    });
    edit_at(&mut b, 2_001, |tx| {
        School::update_programme(tx, &id, ProgrammeField::AgreedOn("06.10.2026".into()))
    });
    sync(&mut a, &mut b);

    let obj = history::record_object::<Programme>(&a, &id).unwrap();
    let conflicts = history::conflicts(&a, &obj);
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].path, vec!["agreed_on".to_owned()]);
    let mut values: Vec<(ActorId, ScalarValue)> = conflicts[0]
        .candidates
        .iter()
        .map(|c| (c.actor.clone(), c.value.clone()))
        .collect();
    values.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        values,
        vec![
            (actor(1), ScalarValue::Str("2026-10-05".into())),
            (actor(2), ScalarValue::Str("2026-10-06".into())),
        ]
    );

    // On B the curator keeps A's date; A learns the choice.
    let obj_b = history::record_object::<Programme>(&b, &id).unwrap();
    edit_at(&mut b, 3_000, |tx| {
        history::set_field(
            tx,
            &obj_b,
            &conflicts[0].path,
            ScalarValue::Str("2026-10-05".into()),
        )
    });
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        let obj = history::record_object::<Programme>(doc, &id).unwrap();
        assert!(history::conflicts(doc, &obj).is_empty());
        assert_eq!(School::programme(doc, &id).unwrap().agreed_on, "2026-10-05");
    }
}

#[test]
fn history_names_the_actor_and_time_of_each_change_and_an_earlier_value_comes_back() {
    let (mut a, mut b, id) = two_tablets();
    edit_at(&mut a, 2_000, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Compiler("Иванова А. А.".into()))
    });
    sync(&mut a, &mut b);
    edit_at(&mut b, 3_000, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Compiler("Петрова Б. Б.".into()))
    });
    edit_at(&mut b, 3_100, |tx| {
        School::update_programme(tx, &id, ProgrammeField::Note("План на год.".into()))
    });
    sync(&mut a, &mut b);

    let obj = history::record_object::<Programme>(&a, &id).unwrap();
    let edits = history::history(&a, &obj);
    let compiler: Vec<(ActorId, i64, EditKind)> = edits
        .iter()
        .flat_map(|e| {
            e.fields
                .iter()
                .filter(|f| f.path == ["compiler"])
                .map(|f| (e.actor.clone(), e.time, f.kind.clone()))
        })
        .collect();
    assert_eq!(
        compiler[compiler.len() - 2..],
        [
            (
                actor(1),
                2_000,
                EditKind::Set(ScalarValue::Str("Иванова А. А.".into()))
            ),
            (
                actor(2),
                3_000,
                EditKind::Set(ScalarValue::Str("Петрова Б. Б.".into()))
            ),
        ]
    );
    assert!(
        edits
            .first()
            .is_some_and(|e| e.actor == actor(1) && e.time == 1_001),
        "the record's creation comes first"
    );
    assert_eq!(history::last_edit(&a, &obj), Some((actor(2), 3_100)));

    // A deletion is a change too: removing the programme is its last edit.
    edit_at(&mut a, 4_000, |tx| {
        School::remove_programme(tx, &id, 4_000_000)
    });
    assert_eq!(history::last_edit(&a, &obj), Some((actor(1), 4_000)));

    // The curator puts the earlier compiler back.
    edit_at(&mut a, 5_000, |tx| {
        history::set_field(
            tx,
            &obj,
            &["compiler".into()],
            ScalarValue::Str("Иванова А. А.".into()),
        )
    });
    assert_eq!(
        School::programme(&a, &id).unwrap().compiler,
        "Иванова А. А."
    );
    // And the note as it was before B wrote it (empty).
    let before_note = edits
        .iter()
        .rev()
        .find(|e| e.fields.iter().all(|f| f.path != ["note"]))
        .unwrap()
        .hash;
    let mut tx = a.transaction();
    history::restore_text(&mut tx, &obj, &["note".into()], before_note).unwrap();
    tx.commit();
    assert_eq!(School::programme(&a, &id).unwrap().note.as_str(), "");
}

#[test]
fn notes_added_at_once_on_two_tablets_stay_two_readable_notes() {
    let (mut a, mut b, _) = two_tablets();
    let pair = RecordId::new("pair");
    let meeting = RecordId::new("m1");
    edit_at(&mut a, 2_000, |tx| {
        let m = Meeting::new(&pair, "working", "06.10.2026", 1)?;
        School::insert(tx, &meeting, &m)
    });
    sync(&mut a, &mut b);
    edit_at(&mut a, 3_000, |tx| {
        School::update_meeting(
            tx,
            &meeting,
            MeetingField::Notes("Разобрали проценты.".into()),
        )
    });
    edit_at(&mut b, 3_001, |tx| {
        School::update_meeting(tx, &meeting, MeetingField::Notes("Принести анкеты.".into()))
    });
    sync(&mut a, &mut b);
    let notes = School::get::<Meeting>(&a, &meeting)
        .unwrap()
        .notes
        .as_str()
        .trim_end()
        .to_owned();
    assert!(
        notes == "Разобрали проценты. Принести анкеты."
            || notes == "Принести анкеты. Разобрали проценты.",
        "{notes:?}"
    );

    // Both add to the end of the joint note.
    for (doc, time, add) in [
        (&mut a, 4_000, "Итог: хорошо."),
        (&mut b, 4_001, "Позвонить родителям."),
    ] {
        edit_at(doc, time, |tx| {
            School::update_meeting(tx, &meeting, MeetingField::Notes(format!("{notes} {add}")))
        });
    }
    sync(&mut a, &mut b);
    let both = School::get::<Meeting>(&a, &meeting)
        .unwrap()
        .notes
        .as_str()
        .trim_end()
        .to_owned();
    assert!(both.starts_with(&format!("{notes} ")), "{both:?}");
    assert!(
        both.contains(" Итог: хорошо.") && both.contains(" Позвонить родителям."),
        "{both:?}"
    );
}

#[test]
fn a_refused_structured_value_never_merges_with_the_stored_one() {
    // The order date reads 25.09.2026; the user types «5.10.2», which is refused, then «5.10.2026».
    let mut field = FieldEditor::new(true);
    assert_eq!(field.stored("25.09.2026"), Some("25.09.2026".to_owned()));
    field.typed();
    assert_eq!(field.to_write("5.10.2", "25.09.2026"), "5.10.2");
    field.written(false, "25.09.2026");
    // What arrives meanwhile does not replace what the user is correcting.
    assert_eq!(field.stored("26.09.2026"), None);
    field.typed();
    assert_eq!(field.to_write("5.10.2026", "26.09.2026"), "5.10.2026");
    field.written(true, "05.10.2026");
    assert_eq!(field.stored("05.10.2026"), Some("05.10.2026".to_owned()));

    // A free text refused once is rebased on the stored text, not on the refused one.
    let mut text = FieldEditor::new(false);
    text.stored("Встречи по вторникам.");
    text.typed();
    assert_eq!(
        text.to_write("", "Встречи по вторникам."),
        "",
        "the user emptied it"
    );
    text.written(false, "Встречи по вторникам.");
    text.typed();
    assert_eq!(
        text.to_write("Встречи по средам.", "Еженедельно: встречи по вторникам."),
        "Еженедельно: встречи по средам."
    );
}

#[test]
fn the_last_edit_is_found_after_a_deletion_and_past_a_bulk_load() {
    use automerge::transaction::Transactable;
    let (mut a, _, id) = two_tablets();
    let obj = history::record_object::<Programme>(&a, &id).unwrap();
    edit_at(&mut a, 2_000, |tx| {
        history::set_field(
            tx,
            &obj,
            &["compiler".into()],
            ScalarValue::Str("Иванова А. А.".into()),
        )
    });
    // A later change only deletes a field: nothing it wrote shows in the record.
    edit_at(&mut a, 3_000, |tx| {
        tx.delete(&obj, "compiler")
            .map_err(|e| ModelError::Damaged(e.to_string()))
    });
    assert_eq!(history::last_edit(&a, &obj), Some((actor(1), 3_000)));
    // A class list of a thousand people loaded after it in one change is not this record.
    edit_at(&mut a, 4_000, |tx| {
        (0..1_000).try_for_each(|n| {
            School::add_person(tx, &format!("person-{n}"), model::Role::Student, 1)
        })
    });
    let metas = a.get_changes_meta(&[]);
    let bulk = metas.last().unwrap();
    assert!(bulk.max_op - bulk.start_op >= history::BULK_OPS);
    assert_eq!(history::last_edit(&a, &obj), Some((actor(1), 3_000)));
}
