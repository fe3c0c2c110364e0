//! The templates a new school starts from: the standard roadmap, the questionnaires with their
//! answer kinds, a programme's work plan and rights and duties; applied once however often (or
//! on however many tablets) they are applied.

use model::template;
use model::{Measure, Programme, Question, Questionnaire, RoadmapRow, School};

const NOW: i64 = 1_790_000_000_000;

fn school() -> automerge::Automerge {
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    School::init(&mut tx, "МБОУ «Тестовая СОШ»").unwrap();
    tx.commit();
    doc
}

fn apply_all(doc: &mut automerge::Automerge, year: &str) -> (usize, usize) {
    let mut tx = doc.transaction();
    let rows = template::apply(&mut tx, &template::roadmap(year, NOW)).unwrap();
    let qs = template::apply(&mut tx, &template::questionnaires(year, NOW)).unwrap();
    tx.commit();
    (rows, qs)
}

#[test]
fn the_standard_roadmap_covers_the_five_sections_with_computed_indicators() {
    let rows = template::roadmap("2026/2027", NOW);
    assert_eq!(rows.len(), 20);
    for section in 1..=5 {
        assert!(
            rows.iter().any(|(_, r)| r.section == section),
            "section {section}"
        );
    }
    let measured: Vec<&str> = rows
        .iter()
        .map(|(_, r)| r.measure.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    assert!(measured.len() >= 10);
    for m in &measured {
        assert!(
            Measure::from_code(m).is_some(),
            "{m} is a measure the records answer"
        );
    }
    assert!(rows.iter().all(|(_, r)| r.academic_year == "2026/2027"));
}

#[test]
fn templates_are_applied_once_on_one_tablet_or_two() {
    let mut a = school();
    assert_eq!(apply_all(&mut a, "2026/2027"), (20, 3));
    assert_eq!(apply_all(&mut a, "2026/2027"), (0, 0), "nothing twice");
    let mut b = school();
    b.merge(&mut a.fork()).unwrap();
    let mut c = a.fork();
    // Two tablets apply the next year's at once.
    apply_all(&mut b, "2027/2028");
    apply_all(&mut c, "2027/2028");
    b.merge(&mut c).unwrap();
    assert_eq!(School::list::<RoadmapRow>(&b).unwrap().len(), 40);
    assert_eq!(School::list::<Questionnaire>(&b).unwrap().len(), 6);
}

#[test]
fn questionnaires_use_every_answer_kind() {
    let qs = template::questionnaires("2026/2027", NOW);
    let kinds: std::collections::BTreeSet<&str> = qs
        .iter()
        .flat_map(|(_, q)| q.questions.iter().map(|x| x.kind.as_str()))
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["choice", "scale10", "text", "yesno"]
    );
    let audiences: Vec<&str> = qs.iter().map(|(_, q)| q.audience.as_str()).collect();
    assert_eq!(audiences, ["mentee", "mentor", "any"]);

    let ten = Question::new("Насколько интересно?", "scale10");
    assert_eq!(ten.choices().len(), 10);
    assert_eq!(ten.five_point("10"), Some(5.0));
    assert_eq!(ten.five_point("4"), Some(2.0));
    assert_eq!(ten.five_point("11"), None);
    assert_eq!(Question::new("Оценка", "scale").five_point("4"), Some(4.0));
    let yes_no = Question::new("Знаете ли?", "yesno");
    assert!(!yes_no.is_scale());
    assert_eq!(yes_no.choices(), ["да", "нет"]);
    let choice = Question::with_options("Чего ждёте?", &["помощи", " совета "]);
    assert_eq!(choice.choices(), ["помощи", "совета"]);
    assert!(
        Question::new("Чему научиться?", "text")
            .choices()
            .is_empty()
    );
}

#[test]
fn a_programme_gets_the_standard_parts_it_lacks_and_keeps_its_own() {
    let mut p = Programme::default();
    assert!(template::fill_programme(&mut p));
    assert_eq!(p.work_plan.len(), template::WORK_PLAN.len());
    assert_eq!(p.stages.len(), 7);
    assert!(p.rights_duties.as_str().contains("Наставник обязан"));
    assert!(!template::fill_programme(&mut p), "filled once");
    let mut own = Programme {
        rights_duties: autosurgeon::Text::with_value("Свои права и обязанности"),
        ..Programme::default()
    };
    template::fill_programme(&mut own);
    assert_eq!(own.rights_duties.as_str(), "Свои права и обязанности");
    assert_eq!(own.work_plan.len(), template::WORK_PLAN.len());
}
