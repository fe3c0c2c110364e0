//! The count of participants for the regional mentorship centre (РНЦ), from a small invented
//! school: two academic years, a pair still being formed, a removed pair, a group named only by
//! its category, a person erased mid-year, and people in two pairs at once.

use std::collections::BTreeMap;

use model::count::count;
use model::{Form, Pair, PairDraft, Person, PersonEntry, Programme, RecordId, Role};

const NOW: i64 = 1_790_000_000_000;

fn person(role: Role, last: &str, categories: &[&str]) -> Person {
    Person {
        role: role.code().into(),
        last_name: last.into(),
        first_name: "Тест".into(),
        categories: categories.iter().map(|c| (c.to_string(), NOW)).collect(),
        ..Person::default()
    }
}

fn programme(year: &str, form: &Form) -> Programme {
    Programme {
        form: form.code().into(),
        academic_year: year.into(),
        ..Programme::default()
    }
}

fn pair(programme: &str, form: &Form, mentors: &[&str], mentees: &[&str], status: &str) -> Pair {
    let mut p = Pair::from_draft(
        PairDraft {
            programme: programme.into(),
            mentors: mentors.iter().map(|m| m.to_string()).collect(),
            mentees: mentees.iter().map(|m| m.to_string()).collect(),
            form: form.code().into(),
            ..PairDraft::default()
        },
        NOW,
    );
    p.status = status.into();
    p
}

fn entry(role: Role) -> PersonEntry {
    PersonEntry {
        role: role.code().into(),
        created_at: NOW,
        removed_at: None,
        erased_at: None,
    }
}

struct School {
    programmes: Vec<(RecordId, Programme)>,
    pairs: Vec<(RecordId, Pair)>,
    register: Vec<(RecordId, PersonEntry)>,
    people: BTreeMap<String, Person>,
}

fn school() -> School {
    let people: Vec<(&str, Person)> = vec![
        ("t1", person(Role::Teacher, "Учительница", &[])),
        ("t2", person(Role::Teacher, "Учитель", &[])),
        ("s1", person(Role::Student, "Ученик-наставник", &["gifted"])),
        (
            "s2",
            person(Role::Student, "Наставляемая", &["ovz", "risk"]),
        ),
        ("s3", person(Role::Student, "Наставляемый", &["risk"])),
        ("s4", person(Role::Student, "Не участвует", &["orphan"])),
        ("s5", person(Role::Student, "Стёрт", &["ovz"])),
        ("s6", person(Role::Student, "Прошлый год", &[])),
        ("s7", person(Role::Student, "В формируемой паре", &[])),
        ("p1", person(Role::Partner, "Партнёр", &[])),
    ];
    let mut register: Vec<(RecordId, PersonEntry)> = people
        .iter()
        .map(|(id, p)| (RecordId::new(*id), entry(p.role().unwrap())))
        .collect();
    // s5's data was erased mid-year: the register keeps the mark, the document is gone.
    register
        .iter_mut()
        .find(|(id, _)| id.as_str() == "s5")
        .unwrap()
        .1
        .erased_at = Some(NOW);
    let people: BTreeMap<String, Person> = people
        .into_iter()
        .filter(|(id, _)| *id != "s5")
        .map(|(id, p)| (id.to_owned(), p))
        .collect();
    let programmes = vec![
        (
            RecordId::new("ts"),
            programme("2026/2027", &Form::TeacherStudent),
        ),
        (
            RecordId::new("ss"),
            programme("2026/2027", &Form::StudentStudent),
        ),
        (
            RecordId::new("es"),
            programme("2026/2027", &Form::EmployerStudent),
        ),
        (
            RecordId::new("old"),
            programme("2025/2026", &Form::TeacherStudent),
        ),
    ];
    let mut removed = pair("ts", &Form::TeacherStudent, &["t2"], &["s4"], "active");
    removed.removed_at = Some(NOW);
    let mut category_group = pair("es", &Form::EmployerStudent, &["p1"], &[], "active");
    category_group.mentee_category = "дети группы риска 7-х классов".into();
    let pairs = vec![
        (
            "a",
            pair(
                "ts",
                &Form::TeacherStudent,
                &["t1"],
                &["s2", "s5"],
                "active",
            ),
        ),
        // s2 is also mentored by a student: counted once among the mentees.
        (
            "b",
            pair(
                "ss",
                &Form::StudentStudent,
                &["s1"],
                &["s2", "s3"],
                "completed",
            ),
        ),
        (
            "c",
            pair("ts", &Form::TeacherStudent, &["t2"], &["s7"], "forming"),
        ),
        ("d", removed),
        ("e", category_group),
        (
            "f",
            pair("old", &Form::TeacherStudent, &["t2"], &["s6"], "completed"),
        ),
    ]
    .into_iter()
    .map(|(id, p)| (RecordId::new(id), p))
    .collect();
    School {
        programmes,
        pairs,
        register,
        people,
    }
}

fn of(s: &School, year: &str) -> model::count::ParticipantCount {
    count(year, &s.programmes, &s.pairs, &s.register, &s.people)
}

fn line(c: &model::count::ParticipantCount, n: &str) -> (Option<usize>, Option<usize>, usize) {
    let l = c.line(n).unwrap_or_else(|| panic!("no line {n}"));
    (l.mentors, l.mentees, l.total)
}

#[test]
fn the_count_of_a_year_names_each_participant_once() {
    let s = school();
    let c = of(&s, "2026/2027");
    // Mentors t1, s1, p1; mentees s2, s3 (s5 erased, s7's pair still forming, s4's removed).
    assert_eq!(line(&c, "1"), (Some(3), Some(2), 5));
    // Students: s1 mentors, s2 and s3 are mentored.
    assert_eq!(line(&c, "1.1"), (Some(1), Some(2), 3));
    assert_eq!(
        line(&c, "1.2"),
        (Some(1), Some(0), 1),
        "t2's pairs do not count this year"
    );
    assert_eq!(
        line(&c, "1.5"),
        (Some(1), Some(0), 1),
        "the partner of the category group"
    );
    assert_eq!(c.pairs, 3);
    assert_eq!(c.unnamed_groups, 1);
}

#[test]
fn forms_are_counted_from_the_pairs_and_categories_from_the_mentees() {
    let s = school();
    let c = of(&s, "2026/2027");
    let labels: Vec<&str> = c.lines.iter().map(|l| l.label.as_str()).collect();
    assert!(labels.contains(&"форма «учитель – ученик»"), "{labels:?}");
    // Form lines follow Form::STANDARD: 2.1 ученик – ученик, 2.2 учитель – ученик, 2.6 работодатель – ученик.
    assert_eq!(line(&c, "2.1"), (Some(1), Some(2), 3));
    assert_eq!(line(&c, "2.2"), (Some(1), Some(1), 2));
    assert_eq!(line(&c, "2.3"), (Some(0), Some(0), 0));
    assert_eq!(line(&c, "2.6"), (Some(1), Some(0), 1));
    // Categories: ОВЗ s2 (s5 erased); группа риска s2, s3; a mentor's category is not counted;
    // a student outside every pair (s4, сирота) is not counted.
    assert_eq!(line(&c, "3.1"), (None, Some(1), 1));
    assert_eq!(line(&c, "3.2"), (None, Some(2), 2));
    assert_eq!(line(&c, "3.3"), (None, Some(0), 0));
    assert_eq!(line(&c, "3.7"), (None, Some(0), 0));
}

#[test]
fn coverage_counts_students_of_the_register_that_take_part() {
    let s = school();
    let c = of(&s, "2026/2027");
    // Students in the register (not erased): s1, s2, s3, s4, s6, s7 = 6; taking part: s1, s2, s3.
    assert_eq!((c.students_taking_part, c.students), (3, 6));
    assert_eq!(c.coverage(), Some(50.0));
}

#[test]
fn another_year_and_every_year() {
    let s = school();
    let old = of(&s, "2025/2026");
    assert_eq!(line(&old, "1"), (Some(1), Some(1), 2));
    assert_eq!(old.pairs, 1);
    let all = of(&s, "");
    // Every year: t1, s1, p1, t2 mentor; s2, s3, s6 mentees.
    assert_eq!(line(&all, "1"), (Some(4), Some(3), 7));
    let none = of(&s, "2030/2031");
    assert_eq!(line(&none, "1"), (Some(0), Some(0), 0));
    assert_eq!(none.coverage(), Some(0.0));
}
