//! Monitoring (20 December, 20 May) from a small invented school: a pair with a mentee who has
//! no final questionnaire yet, a person erased mid-year, a pair still being formed, last year's
//! pair, meetings outside the period; and a fixed monitoring that later edits do not change.

use std::collections::BTreeMap;

use autosurgeon::Text;
use chrono::NaiveDate;
use model::monitoring::{Monitoring, Period, Records, compute, monitorings};
use model::{
    CONSENT_AGREEMENT, CONSENT_PERSONAL_DATA, Consent, Event, Form, Meeting, Pair, PairDraft,
    Person, PersonEntry, Programme, Question, Questionnaire, RecordId, Role, Row, STAGE_ENTRY,
    STAGE_FINAL, School,
};

const NOW: i64 = 1_790_000_000_000;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn periods_follow_the_school_year() {
    let p = |y, m, d| Period::current(date(y, m, d)).code();
    assert_eq!(p(2026, 9, 1), "2026-12");
    assert_eq!(p(2026, 12, 20), "2026-12");
    assert_eq!(p(2026, 12, 21), "2027-05");
    assert_eq!(p(2027, 3, 1), "2027-05");
    assert_eq!(p(2027, 7, 1), "2027-05", "the last one until September");
    let dec = Period::parse("2026-12").unwrap();
    assert_eq!(dec.start(), date(2026, 9, 1));
    assert_eq!(dec.due(), date(2026, 12, 20));
    assert_eq!(dec.academic_year(), "2026/2027");
    let may = Period::parse("2027-05").unwrap();
    assert_eq!(
        may.start(),
        date(2026, 9, 1),
        "May's covers the year so far"
    );
    assert_eq!(may.academic_year(), "2026/2027");
    assert_eq!(
        dec.label(),
        "I полугодие 2026/2027 учебного года (до 20 декабря 2026 г.)"
    );
    assert!(Period::parse("2026-11").is_none());
    assert_eq!(
        Period::recent(date(2027, 3, 1), 3)
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>(),
        ["2027-05", "2026-12", "2026-05"]
    );
}

fn person(role: Role, signed: bool) -> Person {
    let mut p = Person {
        role: role.code().into(),
        last_name: "Тестова".into(),
        ..Person::default()
    };
    if signed {
        for k in [CONSENT_PERSONAL_DATA, CONSENT_AGREEMENT] {
            p.consents.insert(
                k.into(),
                Consent {
                    signed_on: "2026-09-10".into(),
                    signed_by: "Тестова".into(),
                    signer_role: "self".into(),
                    withdrawn_on: String::new(),
                },
            );
        }
    }
    p
}

fn answer(p: &mut Person, stage: &str, value: &str) {
    p.answers.insert(format!("q/{stage}/scale"), value.into());
    p.filled.insert(format!("q/{stage}"), "2026-10-01".into());
}

fn pair(programme: &str, mentor: &str, mentees: &[&str], status: &str) -> Pair {
    let mut p = Pair::from_draft(
        PairDraft {
            programme: programme.into(),
            mentors: vec![mentor.into()],
            mentees: mentees.iter().map(|m| m.to_string()).collect(),
            form: Form::TeacherStudent.code().into(),
            ..PairDraft::default()
        },
        NOW,
    );
    p.status = status.into();
    p
}

fn meeting(pair: &str, date: &str, held: bool) -> Meeting {
    let mut m = Meeting::new(&RecordId::new(pair), "working", date, NOW).unwrap();
    m.held = held;
    m
}

struct School_ {
    programmes: Vec<(RecordId, Programme)>,
    pairs: Vec<(RecordId, Pair)>,
    meetings: Vec<(RecordId, Meeting)>,
    questionnaires: Vec<(RecordId, Questionnaire)>,
    events: Vec<(RecordId, Event)>,
    register: Vec<(RecordId, PersonEntry)>,
    people: BTreeMap<String, Person>,
}

impl School_ {
    fn records(&self) -> Records<'_> {
        Records {
            programmes: &self.programmes,
            pairs: &self.pairs,
            meetings: &self.meetings,
            questionnaires: &self.questionnaires,
            events: &self.events,
            register: &self.register,
            people: &self.people,
        }
    }
}

fn school() -> School_ {
    let mut t1 = person(Role::Teacher, true);
    answer(&mut t1, STAGE_FINAL, "5");
    let mut s1 = person(Role::Student, true);
    answer(&mut s1, STAGE_ENTRY, "2");
    answer(&mut s1, STAGE_FINAL, "4");
    // No final questionnaire yet.
    let mut s2 = person(Role::Student, false);
    answer(&mut s2, STAGE_ENTRY, "3");
    let people: BTreeMap<String, Person> = [
        ("t1", t1),
        ("s1", s1),
        ("s2", s2),
        ("t2", person(Role::Teacher, true)),
        ("s4", person(Role::Student, true)),
    ]
    .into_iter()
    .map(|(id, p)| (id.to_owned(), p))
    .collect();
    let mut register: Vec<(RecordId, PersonEntry)> = ["t1", "s1", "s2", "s3", "t2", "s4"]
        .into_iter()
        .map(|id| {
            (
                RecordId::new(id),
                PersonEntry {
                    role: if id.starts_with('t') {
                        "teacher"
                    } else {
                        "student"
                    }
                    .into(),
                    created_at: NOW,
                    removed_at: None,
                    erased_at: None,
                },
            )
        })
        .collect();
    // s3 was erased mid-year: the register keeps only the mark.
    register[3].1.erased_at = Some(NOW);

    let programme = |title: &str, year: &str| Programme {
        title: Text::with_value(title),
        form: Form::TeacherStudent.code().into(),
        academic_year: year.into(),
        ..Programme::default()
    };
    let mut a = pair("ts", "t1", &["s1", "s2", "s3"], "active");
    let mut done = Row::new("Разобрать задачи");
    done.status = "done".into();
    a.plan = vec![done, Row::new("Подготовить проект")];
    let mut with_result = meeting("a", "2026-10-15", true);
    let mut publication = Row::new("Статья на сайте школы");
    publication.status = "publication".into();
    with_result.results = vec![publication];
    let mut q = Questionnaire::new("Анкета наставляемого", "any", &[], NOW);
    q.questions = vec![Question {
        id: "scale".into(),
        text: Text::with_value("Мне интересно учиться"),
        kind: "scale".into(),
        options: Vec::new(),
        removed_at: None,
    }];
    School_ {
        programmes: vec![
            (RecordId::new("ts"), programme("Шаг вперёд", "2026/2027")),
            (RecordId::new("old"), programme("Прошлый год", "2025/2026")),
        ],
        pairs: vec![
            (RecordId::new("a"), a),
            (RecordId::new("b"), pair("ts", "t2", &["s4"], "forming")),
            (RecordId::new("c"), pair("old", "t2", &["s4"], "completed")),
        ],
        meetings: vec![
            (RecordId::new("m1"), meeting("a", "2026-09-20", true)),
            (RecordId::new("m2"), with_result),
            (RecordId::new("m3"), meeting("a", "2026-11-30", false)),
            // After 20 December: the May monitoring's.
            (RecordId::new("m4"), meeting("a", "2027-02-01", true)),
            (RecordId::new("m5"), meeting("b", "2026-10-01", true)),
        ],
        questionnaires: vec![(RecordId::new("q"), q)],
        events: vec![
            (
                RecordId::new("e1"),
                Event::new("networking", "Встреча наставников", "01.10.2026", NOW).unwrap(),
            ),
            (
                RecordId::new("e2"),
                Event::new("networking", "Весенняя встреча", "01.04.2027", NOW).unwrap(),
            ),
        ],
        register,
        people,
    }
}

#[test]
fn the_december_monitoring_counts_the_first_half_year_of_the_year_s_working_pairs() {
    let s = school();
    let f = compute(
        &s.records(),
        Period::parse("2026-12").unwrap(),
        date(2026, 12, 25),
    );
    assert_eq!(f.academic_year, "2026/2027");
    let all = &f.quality[0];
    assert_eq!(all.title, "Все программы");
    assert_eq!(
        all.pairs, 1,
        "the forming pair and last year's do not count"
    );
    // t1, s1, s2; s3 erased.
    assert_eq!(all.participants, 3);
    assert_eq!(
        (all.meetings.value, all.meetings.of),
        (2, 3),
        "m1, m2 held of m1–m3"
    );
    assert_eq!((all.plans.value, all.plans.of), (1, 2));
    assert_eq!((all.documents.value, all.documents.of), (2, 3));
    assert_eq!(all.documents.display(), "2 из 3 (66 %)");
    // Each programme of the year, and only those.
    assert_eq!(f.quality.len(), 2);
    assert_eq!(f.quality[1].title, "Шаг вперёд");
    assert_eq!(f.quality[1].pairs, 1);
    // Satisfaction from the final questionnaires: the mentor 5, the mentees 4 (s1 only).
    assert_eq!(f.satisfaction[0].who, "наставники");
    assert_eq!(
        (f.satisfaction[0].mean, f.satisfaction[0].respondents),
        (Some(5.0), 1)
    );
    assert_eq!(
        (f.satisfaction[1].mean, f.satisfaction[1].respondents),
        (Some(4.0), 1)
    );
    // Dynamics over those who answered both times (s1: 2 → 4); s2 still owes the final one.
    assert_eq!(f.dynamics.len(), 1);
    let d = &f.dynamics[0];
    assert_eq!(
        (d.respondents, d.entry_mean, d.final_mean),
        (1, Some(2.0), Some(4.0))
    );
    assert_eq!(d.change(), Some(2.0));
    assert_eq!(f.awaiting_final, 1);
    assert!(f.results.contains(&("публикация".into(), 1)));
    assert_eq!(f.events, 1, "the April event is not in December's");
}

#[test]
fn the_may_monitoring_covers_the_year_so_far() {
    let s = school();
    let f = compute(
        &s.records(),
        Period::parse("2027-05").unwrap(),
        date(2027, 5, 20),
    );
    assert_eq!(
        (f.quality[0].meetings.value, f.quality[0].meetings.of),
        (3, 4)
    );
    assert_eq!(f.events, 2);
    // Computed before the period ends: what is dated after today is not counted yet.
    let early = compute(
        &s.records(),
        Period::parse("2027-05").unwrap(),
        date(2027, 1, 10),
    );
    assert_eq!(early.quality[0].meetings.of, 3);
}

#[test]
fn a_fixed_monitoring_does_not_change_when_the_records_do() {
    let mut s = school();
    let period = Period::parse("2026-12").unwrap();
    let figures = compute(&s.records(), period, date(2026, 12, 19));
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    School::init(&mut tx, "МБОУ «Тестовая СОШ»").unwrap();
    Monitoring::set_conclusions(&mut tx, period, "Пары работают по плану.", NOW).unwrap();
    assert!(Monitoring::fix(&mut tx, &figures, NOW).unwrap());
    tx.commit();
    let fixed = monitorings(&doc)["2026-12"].clone();
    assert!(fixed.is_fixed());
    assert_eq!(fixed.fixed_on, "2026-12-19");
    assert_eq!(fixed.conclusions.as_str(), "Пары работают по плану.");
    assert_eq!(fixed.figures(), Some(figures.clone()));

    // Later: a meeting is marked held, a final questionnaire arrives. The live figures change,
    // the fixed ones do not, and fixing again keeps the first snapshot.
    s.meetings[2].1.held = true;
    answer(s.people.get_mut("s2").unwrap(), STAGE_FINAL, "5");
    let later = compute(&s.records(), period, date(2026, 12, 20));
    assert_ne!(later, figures);
    assert_eq!(later.quality[0].meetings.value, 3);
    let mut tx = doc.transaction();
    assert!(!Monitoring::fix(&mut tx, &later, NOW + 1).unwrap());
    Monitoring::set_conclusions(
        &mut tx,
        period,
        "Пары работают по плану. Все встречи проведены.",
        NOW,
    )
    .unwrap();
    tx.commit();
    let again = &monitorings(&doc)["2026-12"];
    assert_eq!(again.figures(), Some(figures));
    assert_eq!(
        again.conclusions.as_str(),
        "Пары работают по плану. Все встречи проведены."
    );
}

#[test]
fn two_tablets_fixing_the_same_period_at_once_keep_one_monitoring() {
    let s = school();
    let period = Period::parse("2026-12").unwrap();
    let mut a = sync_core::new_document();
    let mut tx = a.transaction();
    School::init(&mut tx, "МБОУ «Тестовая СОШ»").unwrap();
    tx.commit();
    let mut b = a.fork();
    for (doc, day) in [(&mut a, 18), (&mut b, 19)] {
        let figures = compute(&s.records(), period, date(2026, 12, day));
        let mut tx = doc.transaction();
        assert!(Monitoring::fix(&mut tx, &figures, NOW).unwrap());
        tx.commit();
    }
    a.merge(&mut b).unwrap();
    let all = monitorings(&a);
    assert_eq!(all.len(), 1);
    let m = &all["2026-12"];
    assert!(m.figures().is_some(), "one of the two snapshots, whole");
    assert!(["2026-12-18", "2026-12-19"].contains(&m.fixed_on.as_str()));
}

#[test]
fn a_final_questionnaire_filled_after_the_period_is_not_in_it() {
    let mut s = school();
    // s1's final questionnaire was filled in May: December's monitoring does not see it.
    s.people
        .get_mut("s1")
        .unwrap()
        .filled
        .insert("q/final".into(), "2027-05-10".into());
    let dec = compute(
        &s.records(),
        Period::parse("2026-12").unwrap(),
        date(2027, 6, 1),
    );
    assert_eq!(dec.dynamics[0].respondents, 0);
    assert_eq!(
        dec.awaiting_final, 2,
        "s1 and s2 owe their final answers in December"
    );
    assert_eq!(dec.satisfaction[1].respondents, 0);
    let may = compute(
        &s.records(),
        Period::parse("2027-05").unwrap(),
        date(2027, 6, 1),
    );
    assert_eq!(may.dynamics[0].respondents, 1);
    assert_eq!(may.awaiting_final, 1);
}
