//! The merge rules of ARCHITECTURE.md for the whole domain: each on two replicas that edit
//! concurrently and then merge. Plus schema upgrades, erasure marks, indicators and demo data.

use std::collections::BTreeMap;

use automerge::Automerge;
use automerge::transaction::{Transactable, Transaction};
use chrono::NaiveDate;
use model::{
    CONSENT_AGREEMENT, CONSENT_PERSONAL_DATA, Form, Measure, Meeting, MeetingField, ModelError,
    Pair, PairDraft, PairField, Person, PersonDoc, PersonDraft, PersonEntry, PersonField,
    ProgrammeDraft, ProgrammeField, ProgrammeList, Questionnaire, QuestionnaireField, RecordId,
    Records, Role, Row, RowEdit, SCHEMA_VERSION, SchemaStatus, School, compute, missing_documents,
};

fn edit<T>(doc: &mut Automerge, f: impl FnOnce(&mut Transaction) -> Result<T, ModelError>) -> T {
    let mut tx = doc.transaction();
    let out = f(&mut tx).expect("edit failed");
    tx.commit();
    out
}

fn merged(mut a: Automerge, mut b: Automerge) -> Automerge {
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(a.get_heads(), b.get_heads());
    a
}

const NOW: i64 = 1_790_000_000_000;

fn person(last: &str, first: &str, role: Role) -> Automerge {
    let mut doc = sync_core::new_document();
    edit(&mut doc, |tx| {
        PersonDoc::init(
            tx,
            PersonDraft {
                role: Some(role),
                last_name: last.into(),
                first_name: first.into(),
                birth_date: if role == Role::Student {
                    "01.03.2013".into()
                } else {
                    String::new()
                },
                class: "7б".into(),
                ..PersonDraft::default()
            },
            NOW,
        )
    });
    doc
}

/// A school with a programme, a mentor, a mentee and a working pair.
struct Fixture {
    school: Automerge,
    programme: RecordId,
    pair: RecordId,
    mentor: String,
    mentee: String,
}

fn fixture() -> Fixture {
    let mut school = sync_core::new_document();
    edit(&mut school, |tx| School::init(tx, "МБОУ «Сосновская СОШ»"));
    let programme = RecordId::new("programme");
    edit(&mut school, |tx| {
        School::add_programme(
            tx,
            &programme,
            ProgrammeDraft {
                title: "Служба учебной помощи".into(),
                form: Form::StudentStudent,
                variant: "равный – равному".into(),
                academic_year: "2026/2027".into(),
                note: String::new(),
            },
            NOW,
        )
    });
    let (mentor, mentee) = ("mentor-doc".to_owned(), "mentee-doc".to_owned());
    edit(&mut school, |tx| {
        School::add_person(tx, &mentor, Role::Student, NOW)
    });
    edit(&mut school, |tx| {
        School::add_person(tx, &mentee, Role::Student, NOW + 1)
    });
    let pair = RecordId::new("pair");
    edit(&mut school, |tx| {
        let mut p = Pair::from_draft(
            PairDraft {
                programme: programme.to_string(),
                mentors: vec![mentor.clone()],
                mentees: vec![mentee.clone()],
                form: Form::StudentStudent.code().into(),
                goal: "Совершенствовать учебные компетенции".into(),
                ..PairDraft::default()
            },
            NOW,
        );
        p.status = "active".into();
        School::insert(tx, &pair, &p)
    });
    Fixture {
        school,
        programme,
        pair,
        mentor,
        mentee,
    }
}

#[test]
fn concurrent_text_edits_merge_in_every_kind_of_record() {
    let f = fixture();
    let (mut a, mut b) = (f.school.clone(), f.school.fork());
    edit(&mut a, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::Goal("Совершенствовать учебные компетенции по математике".into()),
        )
    });
    edit(&mut b, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::Goal("Уверенно совершенствовать учебные компетенции".into()),
        )
    });
    let goal = School::get::<Pair>(&merged(a, b), &f.pair)
        .unwrap()
        .goal
        .as_str()
        .to_owned();
    assert!(
        goal.contains("по математике") && goal.contains("Уверенно"),
        "{goal}"
    );

    let mut a = sync_core::new_document();
    edit(&mut a, |tx| {
        PersonDoc::init(
            tx,
            PersonDraft {
                role: Some(Role::Teacher),
                last_name: "Зорина".into(),
                first_name: "Вера".into(),
                ..Default::default()
            },
            NOW,
        )
    });
    edit(&mut a, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Feedback("m1".into(), "Встреча полезная.".into()),
            NOW,
        )
    });
    let mut b = a.fork();
    edit(&mut a, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Feedback(
                "m1".into(),
                "Встреча полезная. Нужно больше практики.".into(),
            ),
            NOW,
        )
    });
    edit(&mut b, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Feedback("m1".into(), "Очень! Встреча полезная.".into()),
            NOW,
        )
    });
    let p = PersonDoc::read(&merged(a, b)).unwrap();
    assert_eq!(
        p.feedback_on("m1"),
        "Очень! Встреча полезная. Нужно больше практики."
    );
}

#[test]
fn records_added_concurrently_all_stay() {
    let f = fixture();
    let (mut a, mut b) = (f.school.clone(), f.school.fork());
    edit(&mut a, |tx| {
        School::add_person(tx, "from-a", Role::Teacher, NOW + 5)
    });
    edit(&mut b, |tx| {
        School::add_person(tx, "from-b", Role::Parent, NOW + 6)
    });
    let m = |d: &str| Meeting::new(&f.pair, "working", d, NOW).unwrap();
    edit(&mut a, |tx| {
        School::insert(tx, &RecordId::new("m-a"), &m("2026-10-01"))
    });
    edit(&mut b, |tx| {
        School::insert(tx, &RecordId::new("m-b"), &m("2026-10-02"))
    });
    let doc = merged(a, b);
    let people: Vec<String> = School::list::<PersonEntry>(&doc)
        .unwrap()
        .into_iter()
        .map(|(id, _)| id.to_string())
        .collect();
    assert_eq!(people, ["mentor-doc", "mentee-doc", "from-a", "from-b"]);
    assert_eq!(School::meetings_of(&doc, &f.pair).unwrap().len(), 2);
}

#[test]
fn rows_added_to_one_list_concurrently_both_stay() {
    let f = fixture();
    let (mut a, mut b) = (f.school.clone(), f.school.fork());
    edit(&mut a, |tx| {
        School::update_programme(
            tx,
            &f.programme,
            ProgrammeField::AddRow(
                ProgrammeList::WorkPlan,
                Box::new(
                    Row::new("Входное анкетирование")
                        .with_period(model::Deadline::parse("сентябрь").store()),
                ),
            ),
        )
    });
    edit(&mut b, |tx| {
        School::update_programme(
            tx,
            &f.programme,
            ProgrammeField::AddRow(
                ProgrammeList::WorkPlan,
                Box::new(
                    Row::new("Встречи пар")
                        .with_period(model::Deadline::parse("В течение года").store()),
                ),
            ),
        )
    });
    edit(&mut a, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::AddPlanItem(Box::new(Row::new("Подготовить проект"))),
        )
    });
    edit(&mut b, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::AddPlanItem(Box::new(Row::new("Открытый урок"))),
        )
    });
    let doc = merged(a, b);
    let p = School::programme(&doc, &f.programme).unwrap();
    let mut rows: Vec<(String, String)> = p
        .work_plan
        .iter()
        .map(|r| {
            (
                r.text.as_str().to_owned(),
                model::Deadline::from_stored(&r.period).display(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("Встречи пар".to_owned(), "В течение года".to_owned()),
            ("Входное анкетирование".to_owned(), "сентябрь".to_owned())
        ]
    );
    assert_eq!(School::get::<Pair>(&doc, &f.pair).unwrap().plan.len(), 2);
}

#[test]
fn participants_and_attendees_added_concurrently_both_stay() {
    let f = fixture();
    let (mut a, mut b) = (f.school.clone(), f.school.fork());
    edit(&mut a, |tx| {
        School::update_pair(tx, &f.pair, PairField::AddMentee("second".into(), NOW))
    });
    edit(&mut b, |tx| {
        School::update_pair(tx, &f.pair, PairField::AddMentee("third".into(), NOW))
    });
    let doc = merged(a, b);
    let pair = School::get::<Pair>(&doc, &f.pair).unwrap();
    assert_eq!(
        pair.mentees.keys().collect::<Vec<_>>(),
        ["mentee-doc", "second", "third"]
    );

    let mut doc = doc;
    let m = RecordId::new("meeting");
    edit(&mut doc, |tx| {
        School::insert(
            tx,
            &m,
            &Meeting::new(&f.pair, "introduction", "15.09.2026", NOW)?,
        )
    });
    let (mut a, mut b) = (doc.clone(), doc.fork());
    edit(&mut a, |tx| {
        School::update_meeting(tx, &m, MeetingField::Attended(f.mentor.clone(), Some(NOW)))
    });
    edit(&mut b, |tx| {
        School::update_meeting(tx, &m, MeetingField::Attended(f.mentee.clone(), Some(NOW)))
    });
    edit(&mut b, |tx| {
        School::update_meeting(tx, &m, MeetingField::Notes("Познакомились.".into()))
    });
    let meeting = School::get::<Meeting>(&merged(a, b), &m).unwrap();
    assert_eq!(meeting.attendees.len(), 2);
    assert_eq!(meeting.notes.as_str().trim_end(), "Познакомились.");
}

#[test]
fn removing_a_record_or_a_row_keeps_a_concurrent_edit() {
    let f = fixture();
    let mut doc = f.school.clone();
    edit(&mut doc, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::AddPlanItem(Box::new(Row::new("Подготовить проект"))),
        )
    });
    let row = School::get::<Pair>(&doc, &f.pair).unwrap().plan[0]
        .id
        .clone();
    let (mut a, mut b) = (doc.clone(), doc.fork());
    edit(&mut a, |tx| School::remove::<Pair>(tx, &f.pair, NOW));
    edit(&mut a, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::EditPlanItem(row.clone(), RowEdit::Remove(NOW)),
        )
    });
    edit(&mut b, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::EditPlanItem(row.clone(), RowEdit::Status("done".into())),
        )
    });
    edit(&mut b, |tx| {
        School::update_pair(tx, &f.pair, PairField::Goal("Правка Б".into()))
    });
    let mut doc = merged(a, b);
    let pair = School::get::<Pair>(&doc, &f.pair).unwrap();
    assert!(pair.removed_at.is_some());
    assert_eq!(
        pair.goal.as_str(),
        "Правка Б",
        "the concurrent edit of the removed pair is kept"
    );
    assert_eq!(
        (pair.plan[0].status.as_str(), pair.plan[0].is_removed()),
        ("done", true)
    );
    edit(&mut doc, |tx| School::restore::<Pair>(tx, &f.pair));
    edit(&mut doc, |tx| {
        School::update_pair(
            tx,
            &f.pair,
            PairField::EditPlanItem(row.clone(), RowEdit::Restore),
        )
    });
    let pair = School::get::<Pair>(&doc, &f.pair).unwrap();
    assert!(pair.removed_at.is_none() && !pair.plan[0].is_removed());
}

#[test]
fn answers_and_consents_given_on_two_tablets_both_stay() {
    let mut a = person("Голубева", "Ева", Role::Student);
    let mut b = a.fork();
    edit(&mut a, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Answer("q".into(), "entry".into(), "1".into(), "4".into()),
            NOW,
        )
    });
    edit(&mut b, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Answer("q".into(), "entry".into(), "2".into(), "2".into()),
            NOW,
        )
    });
    edit(&mut a, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Sign {
                kind: CONSENT_PERSONAL_DATA.into(),
                signed_on: "10.09.2026".into(),
                signed_by: "Голубев А. П.".into(),
                signer_role: model::SIGNER_REPRESENTATIVE.into(),
            },
            NOW,
        )
    });
    edit(&mut b, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Sign {
                kind: CONSENT_AGREEMENT.into(),
                signed_on: "11.09.2026".into(),
                signed_by: "Голубев А. П.".into(),
                signer_role: model::SIGNER_REPRESENTATIVE.into(),
            },
            NOW,
        )
    });
    edit(&mut b, |tx| {
        PersonDoc::update(
            tx,
            PersonField::AddRequest {
                problem: "Трудности с математикой".into(),
                source: "help-sheet".into(),
                noted_on: "12.09.2026".into(),
            },
            NOW,
        )
    });
    let p = PersonDoc::read(&merged(a, b)).unwrap();
    assert_eq!(
        (p.answer("q", "entry", "1"), p.answer("q", "entry", "2")),
        (Some("4"), Some("2"))
    );
    assert!(p.has_valid(CONSENT_PERSONAL_DATA) && p.has_valid(CONSENT_AGREEMENT));
    assert!(p.mentee.in_base);
    assert_eq!(
        p.mentee.requests[0].problem.as_str(),
        "Трудности с математикой"
    );
}

#[test]
fn questions_edited_while_answers_are_given_keep_both() {
    let f = fixture();
    let mut doc = f.school.clone();
    let q = RecordId::new("q");
    edit(&mut doc, |tx| {
        School::insert(
            tx,
            &q,
            &Questionnaire::new(
                "Анкета наставляемого",
                "mentee",
                &[("Мне интересно учиться", "scale")],
                NOW,
            ),
        )
    });
    let (mut a, mut b) = (doc.clone(), doc.fork());
    edit(&mut a, |tx| {
        School::update_questionnaire(
            tx,
            &q,
            QuestionnaireField::AddQuestion("Я уверенно отвечаю".into(), "scale".into()),
        )
    });
    edit(&mut b, |tx| {
        School::update_questionnaire(
            tx,
            &q,
            QuestionnaireField::AddQuestion("Что хотите узнать?".into(), "text".into()),
        )
    });
    let doc = merged(a, b);
    assert_eq!(
        School::get::<Questionnaire>(&doc, &q)
            .unwrap()
            .questions
            .len(),
        3
    );
}

#[test]
fn validation_refuses_with_russian_sentences_and_changes_nothing() {
    let f = fixture();
    let mut doc = f.school.clone();
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    let err = School::update_pair(
        &mut tx,
        &f.pair,
        PairField::AddMentee(f.mentor.clone(), NOW),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Один человек не может быть в паре и наставником, и наставляемым."
    );
    let err = School::update_pair(&mut tx, &f.pair, PairField::RemoveMentor(f.mentor.clone()))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "В паре должен быть хотя бы один наставник."
    );
    let err = Meeting::new(&f.pair, "working", "32.13.2026", NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Дата записывается как «15.09.2026» или «15 сентября 2026»."
    );
    let err = School::update_meeting(&mut tx, &RecordId::new("nope"), MeetingField::Held(true))
        .unwrap_err();
    assert_eq!(err.to_string(), "Встреча не найдена.");
    tx.rollback();
    assert_eq!(doc.get_heads(), heads);
}

#[test]
fn a_minor_cannot_sign_for_themself_and_a_birth_date_cannot_be_in_the_future() {
    let mut doc = person("Дроздов", "Глеб", Role::Student);
    let mut tx = doc.transaction();
    let err = PersonDoc::update(
        &mut tx,
        PersonField::Sign {
            kind: CONSENT_PERSONAL_DATA.into(),
            signed_on: "10.09.2026".into(),
            signed_by: "Дроздов Г.".into(),
            signer_role: model::SIGNER_SELF.into(),
        },
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Для несовершеннолетнего согласие подписывает родитель или законный представитель."
    );
    let err =
        PersonDoc::update(&mut tx, PersonField::BirthDate("01.01.2099".into()), NOW).unwrap_err();
    assert_eq!(err.to_string(), "Дата рождения не может быть в будущем.");
    let err = PersonDoc::update(&mut tx, PersonField::LastName("  ".into()), NOW).unwrap_err();
    assert_eq!(err.to_string(), "Укажите фамилию и имя.");
    tx.rollback();
    let mut fresh = sync_core::new_document();
    let mut tx = fresh.transaction();
    let draft = PersonDraft {
        role: Some(Role::Student),
        last_name: "Дроздов".into(),
        first_name: "Глеб".into(),
        birth_date: "01.01.2099".into(),
        ..PersonDraft::default()
    };
    let err = PersonDoc::init(&mut tx, draft, NOW).unwrap_err();
    assert_eq!(err.to_string(), "Дата рождения не может быть в будущем.");
    tx.rollback();
}

/// What an app of schema 1 wrote: a name and programmes with four fields.
fn schema_one_school() -> Automerge {
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "schema", 1u64).unwrap();
    tx.put(automerge::ROOT, "kind", "school").unwrap();
    let name = tx
        .put_object(automerge::ROOT, "name", automerge::ObjType::Text)
        .unwrap();
    tx.splice_text(&name, 0, 0, "Школа").unwrap();
    let programmes = tx
        .put_object(automerge::ROOT, "programmes", automerge::ObjType::Map)
        .unwrap();
    let p = tx
        .put_object(&programmes, "old", automerge::ObjType::Map)
        .unwrap();
    let title = tx
        .put_object(&p, "title", automerge::ObjType::Text)
        .unwrap();
    tx.splice_text(&title, 0, 0, "Старая программа").unwrap();
    tx.put(&p, "form", "student-student").unwrap();
    tx.put(&p, "academic_year", "2025/2026").unwrap();
    let note = tx.put_object(&p, "note", automerge::ObjType::Text).unwrap();
    tx.splice_text(&note, 0, 0, "Заметка").unwrap();
    tx.put(&p, "created_at", 1i64).unwrap();
    tx.commit();
    doc
}

#[test]
fn an_older_school_is_upgraded_and_keeps_its_programmes() {
    let mut doc = schema_one_school();
    assert_eq!(School::schema_status(&doc), SchemaStatus::Older(1));
    assert!(
        School::programme(&doc, &RecordId::new("old")).is_ok(),
        "an older document reads before the upgrade"
    );
    let mut tx = doc.transaction();
    assert!(
        School::add_person(&mut tx, "x", Role::Student, NOW).is_err(),
        "and is not written before it"
    );
    tx.rollback();
    assert!(edit(&mut doc, |tx| School::upgrade(tx)));
    assert_eq!(School::schema_status(&doc), SchemaStatus::Current);
    let p = School::programme(&doc, &RecordId::new("old")).unwrap();
    assert_eq!(
        (p.title.as_str(), p.note.as_str(), p.implementation.len()),
        ("Старая программа", "Заметка", 7)
    );
    edit(&mut doc, |tx| {
        School::add_person(tx, "x", Role::Student, NOW)
    });
    assert!(
        !edit(&mut doc, |tx| School::upgrade(tx)),
        "upgrading twice changes nothing"
    );
}

#[test]
fn two_tablets_upgrading_concurrently_lose_nothing_added_after() {
    let old = schema_one_school();
    let (mut a, mut b) = (old.clone(), old.fork());
    edit(&mut a, |tx| School::upgrade(tx));
    edit(&mut b, |tx| School::upgrade(tx));
    edit(&mut a, |tx| {
        School::add_person(tx, "from-a", Role::Student, NOW)
    });
    edit(&mut b, |tx| {
        School::add_person(tx, "from-b", Role::Teacher, NOW + 1)
    });
    let mut doc = merged(a, b);
    let ids = |doc: &Automerge| -> Vec<String> {
        School::list::<PersonEntry>(doc)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id.to_string())
            .collect()
    };
    assert_eq!(
        ids(&doc),
        ["from-a", "from-b"],
        "both tablets' people, whichever map won"
    );
    // Each record is still edited where it lives.
    edit(&mut doc, |tx| {
        School::remove::<PersonEntry>(tx, &RecordId::new("from-a"), NOW)
    });
    edit(&mut doc, |tx| {
        School::remove::<PersonEntry>(tx, &RecordId::new("from-b"), NOW)
    });
    assert!(
        School::list::<PersonEntry>(&doc)
            .unwrap()
            .iter()
            .all(|(_, e)| e.removed_at.is_some())
    );
}

#[test]
fn a_person_document_from_a_newer_app_is_read_but_never_written() {
    let mut doc = person("Зорин", "Лев", Role::Teacher);
    edit(&mut doc, |tx| {
        tx.put(automerge::ROOT, "schema", model::PERSON_SCHEMA + 1)
            .map_err(|e| ModelError::Damaged(e.to_string()))
    });
    assert_eq!(PersonDoc::read(&doc).unwrap().last_name, "Зорин");
    let mut tx = doc.transaction();
    let err = PersonDoc::update(&mut tx, PersonField::Note("x".into()), NOW).unwrap_err();
    assert!(matches!(err, ModelError::NewerSchema { .. }));
    let _ = SCHEMA_VERSION;
}

#[test]
fn an_erasure_mark_survives_a_concurrent_edit_of_the_register_entry() {
    let f = fixture();
    let (mut a, mut b) = (f.school.clone(), f.school.fork());
    edit(&mut a, |tx| {
        School::erase_person(tx, &RecordId::new(&f.mentee), NOW)
    });
    edit(&mut b, |tx| {
        School::remove::<PersonEntry>(tx, &RecordId::new(&f.mentee), NOW)
    });
    edit(&mut b, |tx| {
        School::restore::<PersonEntry>(tx, &RecordId::new(&f.mentee))
    });
    let doc = merged(a, b);
    assert_eq!(School::erased(&doc), [RecordId::new(&f.mentee)]);
}

#[test]
fn indicators_and_missing_documents_are_computed_from_the_records() {
    let f = fixture();
    let mut school = f.school.clone();
    for n in 0..3 {
        edit(&mut school, |tx| {
            School::add_person(tx, &format!("s{n}"), Role::Student, NOW + 10 + n)
        });
    }
    let mut docs: BTreeMap<String, Person> = BTreeMap::new();
    let mut mentor = person("Соколов", "Иван", Role::Student);
    edit(&mut mentor, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Sign {
                kind: CONSENT_PERSONAL_DATA.into(),
                signed_on: "10.09.2026".into(),
                signed_by: "Соколова Н.".into(),
                signer_role: model::SIGNER_REPRESENTATIVE.into(),
            },
            NOW,
        )
    });
    edit(&mut mentor, |tx| {
        PersonDoc::update(
            tx,
            PersonField::Sign {
                kind: CONSENT_AGREEMENT.into(),
                signed_on: "10.09.2026".into(),
                signed_by: "Соколова Н.".into(),
                signer_role: model::SIGNER_REPRESENTATIVE.into(),
            },
            NOW,
        )
    });
    docs.insert(f.mentor.clone(), PersonDoc::read(&mentor).unwrap());
    docs.insert(
        f.mentee.clone(),
        PersonDoc::read(&person("Озерова", "Яна", Role::Student)).unwrap(),
    );
    let people = School::list::<PersonEntry>(&school).unwrap();
    let pairs = School::list::<Pair>(&school).unwrap();
    let lookup = |id: &str| docs.get(id).cloned();
    let records = Records {
        people: &people,
        person: &lookup,
        pairs: &pairs,
        meetings: &[],
        events: &[],
        roadmap: &[],
        today: chrono::NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(),
    };
    let coverage = compute(Measure::StudentCoverage, &records);
    assert_eq!(
        (coverage.value, coverage.of, coverage.met),
        (2, Some(5), true)
    );
    assert_eq!(coverage.display(), "2 из 5 (40 %)");
    let missing = missing_documents(&records);
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (
            missing[0].person.as_str(),
            missing[0].personal_data,
            missing[0].agreement
        ),
        ("mentee-doc", true, true)
    );
    let signed = compute(Measure::SignedDocuments, &records);
    assert_eq!((signed.value, signed.of, signed.met), (1, Some(2), false));
}

/// A school document with the demo year of 15 March 2027 (people named `person-1`…).
fn demo_school() -> (Automerge, model::demo::Demo) {
    let mut school = sync_core::new_document();
    edit(&mut school, |tx| School::init(tx, "Демонстрационная школа"));
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("person-{n}")
    };
    let today = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    let demo = edit(&mut school, |tx| {
        model::demo::populate(tx, &mut next, today, NOW)
    });
    (school, demo)
}

#[test]
fn the_demo_is_a_realistic_year_of_invented_people() {
    let (school, demo) = demo_school();
    let today = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    let count = |role: Role| {
        demo.people
            .iter()
            .filter(|(_, p)| p.role() == Some(role))
            .count()
    };
    assert_eq!((count(Role::Student), count(Role::Teacher)), (150, 20));
    assert_eq!((demo.programmes, demo.pairs), (3, 25));
    assert!(demo.meetings > 250, "{} meetings", demo.meetings);
    assert!(
        School::list::<Meeting>(&school)
            .unwrap()
            .iter()
            .any(|(_, m)| m.kind == "final"),
        "the year ends with final meetings"
    );
    let meetings = School::list::<Meeting>(&school).unwrap();
    assert!(
        meetings
            .iter()
            .any(|(_, m)| m.kind == "introduction" && m.held)
    );
    assert!(
        meetings.iter().any(|(_, m)| !m.held),
        "the next meetings are planned"
    );
    // Every person document can be created and read back.
    for (_, p) in &demo.people {
        let mut doc = sync_core::new_document();
        edit(&mut doc, |tx| PersonDoc::init_with(tx, p));
        assert_eq!(&PersonDoc::read(&doc).unwrap(), p);
    }
    let docs: BTreeMap<String, Person> = demo.people.iter().cloned().collect();
    let people = School::list::<PersonEntry>(&school).unwrap();
    let pairs = School::list::<Pair>(&school).unwrap();
    let lookup = |id: &str| docs.get(id).cloned();
    let records = Records {
        people: &people,
        person: &lookup,
        pairs: &pairs,
        meetings: &meetings,
        events: &[],
        roadmap: &[],
        today: chrono::NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(),
    };
    assert!(compute(Measure::StudentCoverage, &records).met);
    assert!(
        !missing_documents(&records).is_empty(),
        "a few documents are missing on purpose"
    );

    // The year before is there, as the curator left it: two programmes, eight completed pairs,
    // both monitorings fixed with conclusions; this year's pairs are this year's 25.
    let programmes = School::list::<model::Programme>(&school).unwrap();
    let of_year = |year: &str| model::year::pairs_in_year(pairs.clone(), &programmes, year);
    let (last, this) = (of_year("2025/2026"), of_year("2026/2027"));
    assert_eq!((last.len(), this.len()), (8, 25));
    assert!(last.iter().all(|(_, p)| p.status == "completed"));
    assert_eq!(
        model::year::years(&school, today),
        ["2026/2027", "2025/2026"]
    );
    let fixed = model::monitoring::monitorings(&school);
    assert_eq!(fixed.keys().collect::<Vec<_>>(), ["2025-12", "2026-05"]);
    assert!(
        fixed
            .values()
            .all(|m| m.is_fixed() && !m.conclusions.as_str().is_empty())
    );
    let may = fixed["2026-05"].figures().unwrap();
    assert_eq!(may.quality[0].pairs, 8);
    assert_eq!(may.quality[0].meetings.of, 48);
    assert_eq!(may.awaiting_final, 0);
    assert!(may.quality[0].documents.value * 10 >= may.quality[0].documents.of * 8);
    assert!(
        may.satisfaction
            .iter()
            .all(|s| s.mean.is_some() && s.respondents > 0)
    );
    assert!(
        may.dynamics
            .iter()
            .any(|d| d.change().is_some_and(|c| c > 0.0))
    );
    let december = fixed["2025-12"].figures().unwrap();
    assert!(december.satisfaction.iter().all(|s| s.mean.is_none()));
    // This December's figures count this year's questionnaires only: its participants (some of
    // them in last year's pairs too) have filled no final questionnaire yet.
    let (questionnaires, events) = (
        School::list::<Questionnaire>(&school).unwrap(),
        School::list::<model::Event>(&school).unwrap(),
    );
    let now = model::monitoring::compute(
        &model::monitoring::Records {
            programmes: &programmes,
            pairs: &pairs,
            meetings: &meetings,
            questionnaires: &questionnaires,
            events: &events,
            register: &people,
            people: &docs,
        },
        model::monitoring::Period {
            year: 2026,
            month: 12,
        },
        NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
    );
    assert_eq!(
        now.quality[0].pairs, 24,
        "the pair still forming has not worked"
    );
    assert!(
        now.dynamics.iter().all(|d| d.respondents == 0),
        "{:?}",
        now.dynamics
    );
    assert!(now.satisfaction.iter().all(|s| s.mean.is_none()));
    assert!(now.awaiting_final > 0);

    // No name of the real documents in ../shared/seeds (checked by the test below).
    let names: Vec<String> = demo.people.iter().map(|(_, p)| p.full_name()).collect();
    assert!(names.iter().all(|n| n.split(' ').count() == 3));
}

#[test]
fn the_roadmap_s_other_indicators_count_trainings_partners_the_closing_game_and_parents() {
    let today = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    let event = |kind: &str, date: &str, participants: u64| {
        let mut e = model::Event::new(kind, "Мероприятие", date, NOW).unwrap();
        e.participants = participants;
        (RecordId::new(format!("{kind}-{date}")), e)
    };
    let events = vec![
        event("training", "01.10.2026", 12),
        event("training", "01.12.2026", 10),
        // Not yet held: not counted.
        event("training", "01.04.2027", 0),
        event("parents-meeting", "20.11.2026", 30),
        event("business-game", "10.03.2027", 5),
    ];
    let pair = |mentor: &str, mentee: &str, status: &str| {
        let mut p = Pair::from_draft(
            PairDraft {
                programme: "g".into(),
                mentors: vec![mentor.into()],
                mentees: vec![mentee.into()],
                form: Form::EmployerStudent.code().into(),
                ..PairDraft::default()
            },
            NOW,
        );
        p.status = status.into();
        (RecordId::new(format!("{mentor}-{mentee}")), p)
    };
    let pairs = vec![
        pair("partner-1", "s1", "active"),
        pair("partner-2", "s2", "active"),
        pair("partner-3", "s3", "forming"),
    ];
    let partner = |organisation: &str| Person {
        role: Role::Partner.code().into(),
        organisation: organisation.into(),
        ..Person::default()
    };
    let people: std::collections::BTreeMap<String, Person> = [
        ("partner-1", partner("ООО «Ромашка»")),
        // The same organisation, typed differently.
        ("partner-2", partner("  ооо «ромашка» ")),
        ("partner-3", partner("АО «Лютик»")),
    ]
    .into_iter()
    .map(|(id, p)| (id.to_owned(), p))
    .collect();
    let lookup = |id: &str| people.get(id).cloned();
    let records = Records {
        people: &[],
        person: &lookup,
        pairs: &pairs,
        meetings: &[],
        events: &events,
        roadmap: &[],
        today,
    };
    let trainings = compute(Measure::Trainings, &records);
    assert_eq!((trainings.value, trainings.met), (2, false));
    let parents = compute(Measure::ParentMeetings, &records);
    assert_eq!((parents.value, parents.met), (1, false));
    let partners = compute(Measure::PartnerOrganisations, &records);
    assert_eq!(
        (partners.value, partners.met),
        (1, true),
        "«Лютик»'s pair is still forming"
    );
    let closing = compute(Measure::ClosingAttendance, &records);
    // Four people in working pairs; five came to the game: capped at all of them.
    assert_eq!((closing.value, closing.of, closing.met), (4, Some(4), true));
    for m in Measure::ALL {
        assert_eq!(Measure::from_code(m.code()), Some(m));
        assert!(!m.how().is_empty());
    }
}

/// A collection read in one pass per record (`School::list`) holds exactly what reading each
/// record's fields one by one from the document holds, concurrent edits of one field included.
#[test]
fn lists_read_exactly_what_each_record_holds() {
    let (school, demo) = demo_school();
    // Two tablets change the same meeting's topic and notes at once; the merge keeps one topic.
    let (meeting, _) = School::list::<Meeting>(&school).unwrap().remove(0);
    let mut a = school.fork();
    let mut b = school.fork();
    edit(&mut a, |tx| {
        School::update_meeting(
            tx,
            &meeting,
            MeetingField::Topic("Тема с планшета А".into()),
        )
    });
    edit(&mut b, |tx| {
        School::update_meeting(
            tx,
            &meeting,
            MeetingField::Topic("Тема с планшета Б".into()),
        )
    });
    edit(&mut b, |tx| {
        School::update_meeting(tx, &meeting, MeetingField::Notes("Заметки Б".into()))
    });
    let school = merged(a, b);

    fn one_by_one<T: model::Record>(doc: &Automerge) -> Vec<(String, T)> {
        use automerge::ReadDoc;
        let (_, obj) = doc.get(automerge::ROOT, T::COLLECTION).unwrap().unwrap();
        doc.keys(&obj)
            .map(|k| {
                let record: T = autosurgeon::hydrate_prop(doc, &obj, k.as_str()).unwrap();
                (k, record)
            })
            .collect()
    }
    fn listed<T: model::Record>(doc: &Automerge) -> Vec<(String, T)> {
        let mut out: Vec<(String, T)> = School::list::<T>(doc)
            .unwrap()
            .into_iter()
            .map(|(id, r)| (id.to_string(), r))
            .collect();
        out.sort_by(|x, y| x.0.cmp(&y.0));
        out
    }
    let meetings = listed::<Meeting>(&school);
    assert!(meetings.len() > 250);
    assert_eq!(meetings, one_by_one::<Meeting>(&school));
    let topic = &meetings
        .iter()
        .find(|(id, _)| id == meeting.as_str())
        .unwrap()
        .1;
    assert!(topic.topic.as_str().starts_with("Тема с планшета"));
    assert_eq!(topic.notes.as_str().trim_end(), "Заметки Б");
    assert_eq!(listed::<Pair>(&school), one_by_one::<Pair>(&school));
    assert_eq!(
        listed::<PersonEntry>(&school),
        one_by_one::<PersonEntry>(&school)
    );
    assert_eq!(
        listed::<model::Programme>(&school),
        one_by_one::<model::Programme>(&school)
    );

    // A person's document likewise.
    let (_, person) = demo.people.first().unwrap();
    let mut doc = sync_core::new_document();
    edit(&mut doc, |tx| PersonDoc::init_with(tx, person));
    let read = PersonDoc::read(&doc).unwrap();
    let direct: Person = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "person").unwrap();
    assert_eq!(read, direct);
    assert_eq!(&read.last_name, &person.last_name);
}
