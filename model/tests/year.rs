//! Academic years and the rollover, from a small invented school: students in the seventh,
//! tenth and eleventh classes and one in a class the rollover cannot read, a working pair, a
//! pair being formed and a completed one, a programme with its roadmap and questionnaire; and
//! two tablets rolling over at once, or one receiving a moved-up student before the rollover.

use std::collections::BTreeMap;

use automerge::Automerge;
use autosurgeon::Text;
use model::year::{self, InYear, Promotion, Rollover};
use model::{
    Event, Pair, PairDraft, Person, PersonDoc, PersonEntry, Programme, Questionnaire, RecordId,
    RoadmapRow, Role, School,
};

/// 1 June 2027, in the year 2026/2027.
const NOW: i64 = 1_811_808_000_000;
/// 25 August 2027.
const LATER: i64 = 1_819_843_200_000;

fn student(last: &str, class: &str) -> Person {
    Person {
        role: Role::Student.code().into(),
        last_name: last.into(),
        first_name: "Тест".into(),
        class: class.into(),
        ..Person::default()
    }
}

fn entry(role: Role) -> PersonEntry {
    PersonEntry {
        role: role.code().into(),
        created_at: NOW,
        removed_at: None,
        erased_at: None,
    }
}

fn pair(programme: &str, mentor: &str, mentee: &str, status: &str) -> Pair {
    let mut p = Pair::from_draft(
        PairDraft {
            programme: programme.into(),
            mentors: vec![mentor.into()],
            mentees: vec![mentee.into()],
            form: "student-student".into(),
            ..PairDraft::default()
        },
        NOW,
    );
    p.status = status.into();
    p
}

/// A tablet: the school document and the people's documents.
struct Tablet {
    school: Automerge,
    people: BTreeMap<String, Automerge>,
}

impl Tablet {
    fn people(&self) -> BTreeMap<String, Person> {
        self.people
            .iter()
            .map(|(id, d)| (id.clone(), PersonDoc::read(d).unwrap()))
            .collect()
    }

    fn person(&self, id: &str) -> Person {
        PersonDoc::read(&self.people[id]).unwrap()
    }

    fn fork(&mut self) -> Tablet {
        Tablet {
            school: self.school.fork(),
            people: self
                .people
                .iter_mut()
                .map(|(id, d)| (id.clone(), d.fork()))
                .collect(),
        }
    }

    fn merge(&mut self, other: &mut Tablet) {
        self.school.merge(&mut other.school).unwrap();
        for (id, d) in &mut self.people {
            d.merge(other.people.get_mut(id).unwrap()).unwrap();
        }
    }

    /// The rollover as the app does it: the students' documents first, then the school's.
    fn roll_over(&mut self, from: &str, now: i64) -> (Rollover, bool) {
        let plan = year::plan(&self.school, &self.people(), from, now).unwrap();
        for (id, promotion) in &plan.students {
            let doc = self.people.get_mut(id).unwrap();
            let mut tx = doc.transaction();
            year::apply_to_person(&mut tx, promotion, &plan.from, &plan.to, now).unwrap();
            tx.commit();
        }
        let mut tx = self.school.transaction();
        let wrote = year::apply_to_school(&mut tx, &plan, now).unwrap();
        tx.commit();
        (plan, wrote)
    }

    fn list<T: model::Record>(&self) -> Vec<(RecordId, T)> {
        School::list::<T>(&self.school).unwrap()
    }
}

fn school() -> Tablet {
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    School::init(&mut tx, "МБОУ «Тестовая СОШ»").unwrap();
    let programme = Programme {
        title: Text::with_value("Ученик — ученик"),
        form: "student-student".into(),
        academic_year: "2026/2027".into(),
        approved_by: "Директор".into(),
        approved_on: "2026-09-01".into(),
        ..Programme::default()
    };
    School::insert(&mut tx, &RecordId::new("prog"), &programme).unwrap();
    let older = Programme {
        title: Text::with_value("Прошлогодняя"),
        form: "student-student".into(),
        academic_year: "2025/2026".into(),
        ..Programme::default()
    };
    School::insert(&mut tx, &RecordId::new("old-prog"), &older).unwrap();
    School::insert(
        &mut tx,
        &RecordId::new("p-working"),
        &pair("prog", "s10", "s7", "active"),
    )
    .unwrap();
    School::insert(
        &mut tx,
        &RecordId::new("p-forming"),
        &pair("prog", "s11", "s7b", "forming"),
    )
    .unwrap();
    School::insert(
        &mut tx,
        &RecordId::new("p-done"),
        &pair("prog", "s11", "sx", "completed"),
    )
    .unwrap();
    School::insert(
        &mut tx,
        &RecordId::new("p-last-year"),
        &pair("old-prog", "s10", "s7", "active"),
    )
    .unwrap();
    let mut row = RoadmapRow::new(2, "Мониторинг программы наставничества", "20.12.2026", NOW);
    row.status = "done".into();
    School::insert(&mut tx, &RecordId::new("row"), &row).unwrap();
    School::insert(
        &mut tx,
        &RecordId::new("q"),
        &Questionnaire::new(
            "Входная анкета наставляемого",
            "mentee",
            &[("Цель", "text")],
            NOW,
        ),
    )
    .unwrap();
    let students = [
        ("s7", "7Б"),
        ("s7b", "7А"),
        ("s10", "10-А"),
        ("s11", "11А"),
        ("sx", "коррекционный"),
    ];
    for (id, _) in &students {
        School::insert(&mut tx, &RecordId::new(*id), &entry(Role::Student)).unwrap();
    }
    tx.commit();
    let people = students
        .iter()
        .map(|(id, class)| {
            let mut d = sync_core::new_document();
            let mut tx = d.transaction();
            PersonDoc::init_with(&mut tx, &student(id, class)).unwrap();
            tx.commit();
            (id.to_string(), d)
        })
        .collect();
    Tablet {
        school: doc,
        people,
    }
}

#[test]
fn years_are_read_from_records_and_dates() {
    assert_eq!(year::next("2026/2027").as_deref(), Some("2027/2028"));
    assert_eq!(year::next("2026/2028"), None);
    assert_eq!(year::of_ms(NOW), "2026/2027");
    assert_eq!(
        year::of_ms(1_820_000_000_000),
        "2027/2028",
        "after 1 September"
    );
    assert_eq!(
        year::promote("7Б", "2027"),
        Promotion::Class {
            from: "7Б".into(),
            to: "8Б".into()
        }
    );
    assert_eq!(
        year::promote("10-А", "2027"),
        Promotion::Class {
            from: "10-А".into(),
            to: "11-А".into()
        }
    );
    assert_eq!(
        year::promote("11А", "2027"),
        Promotion::Graduate {
            class: "11А".into(),
            year: "2027".into()
        }
    );
    assert!(matches!(
        year::promote("коррекционный", "2027"),
        Promotion::Unrecognised(_)
    ));
    assert!(matches!(
        year::promote("12", "2027"),
        Promotion::Unrecognised(_)
    ));

    // A row made before years were kept belongs to the year it was made in; one that names
    // its year, to that year; an event to the year of its date.
    let mut row = RoadmapRow::new(1, "Приказ", "", NOW);
    assert!(row.is_in("2026/2027"));
    let summer = RoadmapRow::new(1, "Приказ", "", LATER);
    assert!(
        summer.is_in("2027/2028"),
        "made in August for the coming year"
    );
    row.academic_year = "2027/2028".into();
    assert!(row.is_in("2027/2028") && !row.is_in("2026/2027"));
    let event = Event {
        kind: "game".into(),
        title: Text::with_value("Игра"),
        date: "2027-09-15".into(),
        place: String::new(),
        published: Text::default(),
        participants: 0,
        created_at: NOW,
        removed_at: None,
    };
    assert_eq!(event.academic_year(), "2027/2028");

    let t = school();
    let today = chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    assert_eq!(year::years(&t.school, today), ["2026/2027", "2025/2026"]);
}

#[test]
fn the_rollover_moves_classes_carries_working_pairs_and_leaves_last_year_intact() {
    let mut t = school();
    let before_programmes = t.list::<Programme>();
    let before_pairs = t.list::<Pair>();
    let before_rows = t.list::<RoadmapRow>();
    let before_questionnaires = t.list::<Questionnaire>();

    let (plan, wrote) = t.roll_over("2026/2027", LATER);
    assert!(wrote);
    assert_eq!(plan.to, "2027/2028");
    assert_eq!((plan.moved_up(), plan.graduating()), (3, 1));
    assert_eq!(plan.unrecognised(), ["коррекционный"]);
    assert_eq!(plan.finished_pairs, 1);
    assert_eq!(plan.students_without_data, 0);

    // The students.
    assert_eq!(t.person("s7").class, "8Б");
    assert_eq!(t.person("s7").class_year, "2027/2028");
    assert_eq!(t.person("s10").class, "11-А");
    let graduate = t.person("s11");
    assert_eq!(graduate.role, "graduate");
    assert_eq!(graduate.graduation_year, "2027");
    assert_eq!(graduate.class, "");
    let register: BTreeMap<String, PersonEntry> = t
        .list::<PersonEntry>()
        .into_iter()
        .map(|(id, e)| (id.to_string(), e))
        .collect();
    assert_eq!(register["s11"].role, "graduate");
    assert_eq!(
        t.person("sx").class,
        "коррекционный",
        "left for the curator"
    );

    // Last year is exactly as it was.
    let old = |v: Vec<(RecordId, Programme)>| -> Vec<(RecordId, Programme)> {
        v.into_iter()
            .filter(|(_, p)| p.academic_year != "2027/2028")
            .collect()
    };
    assert_eq!(old(t.list::<Programme>()), before_programmes);
    let after_pairs = t.list::<Pair>();
    for (id, p) in &before_pairs {
        assert!(
            after_pairs.contains(&(id.clone(), p.clone())),
            "pair {id} changed"
        );
    }
    for (id, r) in &before_rows {
        assert!(t.list::<RoadmapRow>().contains(&(id.clone(), r.clone())));
    }
    for (id, q) in &before_questionnaires {
        assert!(t.list::<Questionnaire>().contains(&(id.clone(), q.clone())));
    }

    // The new year: the programme copied for editing, approvals cleared.
    let new_programmes = year::in_year(t.list::<Programme>(), "2027/2028");
    assert_eq!(new_programmes.len(), 1);
    let (new_id, copy) = &new_programmes[0];
    assert_eq!(copy.title.as_str(), "Ученик — ученик");
    assert_eq!(
        (copy.approved_by.as_str(), copy.approved_on.as_str()),
        ("Директор", "")
    );
    // The working and forming pairs continue in it; the completed one does not.
    let new_pairs = year::pairs_in_year(t.list::<Pair>(), &t.list::<Programme>(), "2027/2028");
    assert_eq!(new_pairs.len(), 2);
    assert!(
        new_pairs
            .iter()
            .all(|(_, p)| p.programme == new_id.as_str())
    );
    let statuses: Vec<&str> = new_pairs.iter().map(|(_, p)| p.status.as_str()).collect();
    assert!(statuses.contains(&"active") && statuses.contains(&"forming"));
    // The roadmap row a year on, its status cleared; the questionnaire copied.
    let rows = year::in_year(t.list::<RoadmapRow>(), "2027/2028");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1.period, "date:2027-12-20");
    assert_eq!(rows[0].1.status, "");
    assert_eq!(
        year::in_year(t.list::<Questionnaire>(), "2027/2028").len(),
        1
    );
    assert_eq!(year::in_year(t.list::<RoadmapRow>(), "2026/2027").len(), 1);
    assert!(year::is_started(&t.school, "2027/2028").unwrap());

    // Rolling over again does nothing: the year is there, nobody moves twice.
    let (_, again) = t.roll_over("2026/2027", LATER + 1000);
    assert!(!again);
    assert_eq!(t.person("s7").class, "8Б");
    assert_eq!(year::in_year(t.list::<Programme>(), "2027/2028").len(), 1);
}

#[test]
fn two_tablets_rolling_over_at_once_make_one_year() {
    let mut a = school();
    let mut b = a.fork();
    a.roll_over("2026/2027", LATER);
    b.roll_over("2026/2027", LATER + 5_000);
    a.merge(&mut b);
    assert_eq!(year::in_year(a.list::<Programme>(), "2027/2028").len(), 1);
    assert_eq!(
        year::pairs_in_year(a.list::<Pair>(), &a.list::<Programme>(), "2027/2028").len(),
        2
    );
    assert_eq!(year::in_year(a.list::<RoadmapRow>(), "2027/2028").len(), 1);
    assert_eq!(
        year::in_year(a.list::<Questionnaire>(), "2027/2028").len(),
        1
    );
    assert_eq!(a.list::<year::YearStart>().len(), 1);
    assert_eq!(a.person("s7").class, "8Б", "moved up once, not twice");
    assert_eq!(a.person("s11").role, "graduate");
}

#[test]
fn a_student_already_moved_up_on_another_tablet_is_not_moved_again() {
    let mut a = school();
    let mut b = a.fork();
    a.roll_over("2026/2027", LATER);
    // B receives s7's document before the school's.
    b.people
        .get_mut("s7")
        .unwrap()
        .merge(a.people.get_mut("s7").unwrap())
        .unwrap();
    assert_eq!(b.person("s7").class, "8Б");
    let (plan, _) = b.roll_over("2026/2027", LATER + 5_000);
    assert!(plan.students.iter().all(|(id, _)| id != "s7"));
    a.merge(&mut b);
    assert_eq!(a.person("s7").class, "8Б");
    assert_eq!(a.person("s10").class, "11-А");
}

#[test]
fn a_student_whose_document_the_tablet_lacks_is_counted_and_left_alone() {
    let mut t = school();
    let absent = t.people.remove("s10").unwrap();
    let (plan, _) = t.roll_over("2026/2027", LATER);
    assert_eq!(plan.students_without_data, 1);
    assert!(plan.students.iter().all(|(id, _)| id != "s10"));
    // Arriving later, still of no year: the next rollover moves the student once.
    t.people.insert("s10".into(), absent);
    assert_eq!(t.person("s10").class, "10-А");
    let (next, _) = t.roll_over("2027/2028", LATER + 365 * 86_400_000);
    assert!(next.students.iter().any(|(id, _)| id == "s10"));
    assert_eq!(t.person("s10").class, "11-А");
    assert_eq!(t.person("s7").class, "9Б");
}

#[test]
fn a_record_of_the_year_written_first_by_another_device_does_not_stop_the_rollover() {
    let mut t = school();
    // A device writes the next year's record and nothing else.
    let plan = year::plan(&t.school, &t.people(), "2026/2027", LATER).unwrap();
    let empty = Rollover {
        from: plan.from.clone(),
        to: plan.to.clone(),
        ..Rollover::default()
    };
    let mut tx = t.school.transaction();
    assert!(year::apply_to_school(&mut tx, &empty, LATER).unwrap());
    tx.commit();
    assert!(year::is_started(&t.school, "2027/2028").unwrap());
    let (_, wrote) = t.roll_over("2026/2027", LATER + 1000);
    assert!(wrote);
    assert_eq!(year::in_year(t.list::<Programme>(), "2027/2028").len(), 1);
    assert_eq!(t.person("s7").class, "8Б");
}
