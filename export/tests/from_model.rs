//! The view of the demo year read from real Automerge documents: the profile, who is a minor
//! and who signs for them, periods with their years, and what a school without a profile is
//! missing.

mod common;

use export::{Document, assemble};
use model::{PersonDoc, School};

#[test]
fn the_profile_comes_from_the_school_document() {
    let data = common::shared().data();
    let p = &data.profile;
    assert_eq!(p.short_name, "МБОУ «Заречная СШ»");
    assert!(p.full_name.starts_with("Муниципальное бюджетное"));
    assert_eq!(p.locality, "с. Заречье");
    assert_eq!(p.director.name, "Луговая Н. В.");
    assert_eq!(p.deputy.position, "Заместитель директора по УВР");
    assert_eq!(p.curator.position, "заместитель директора по ВР");
    assert_eq!(p.inn, "0000000000");
    assert_eq!(p.ogrn, "");
    assert_eq!(data.academic_year, "2026/2027");
    assert_eq!(data.today, "2026-11-23");
}

#[test]
fn the_demo_year_reads_into_programmes_pairs_and_people() {
    let data = common::shared().data();
    assert_eq!(data.programmes.len(), 3);
    assert_eq!(data.pairs.len(), 25);
    assert_eq!(data.pairs.iter().filter(|p| p.active).count(), 24);
    assert_eq!(data.roadmap.len(), 12);
    assert!(
        data.roadmap
            .windows(2)
            .all(|w| w[0].section <= w[1].section)
    );
    assert_eq!(data.events.len(), 6);
    let pair = &data.pairs[0];
    assert_eq!(pair.form, "ученик – ученик");
    assert_eq!(pair.format, "индивидуальная траектория");
    assert_eq!(
        pair.phases
            .iter()
            .map(|p| p.period.as_str())
            .collect::<Vec<_>>(),
        ["сентябрь 2026", "октябрь 2026 – апрель 2027", "май 2027"]
    );
    assert_eq!(pair.term_period(), "сентябрь 2026 – май 2027");
    assert_eq!(pair.plan.len(), 5);
    assert_eq!(pair.plan[0].period, "15 сентября 2026 г.");
    // The demo leaves the first pair's first item in progress.
    assert_eq!(pair.plan[0].status, "выполняется");
    assert_eq!(pair.plan[1].status, "выполнено");
    assert_eq!(pair.plan[4].status, "запланировано");
    // A student mentee is a minor, and someone signs for them; a teacher mentor is not.
    let mentee = data.person(&pair.mentees[0]).unwrap();
    assert!(mentee.minor);
    assert!(!mentee.representative.is_empty(), "{mentee:?}");
    let teacher = data
        .person(
            &data
                .pairs
                .iter()
                .find(|p| p.form == "учитель – учитель")
                .unwrap()
                .mentors[0],
        )
        .unwrap();
    assert!(!teacher.minor);
    assert_eq!(teacher.representative, "");
}

#[test]
fn a_parent_linked_in_the_register_signs_for_their_child() {
    let school = common::shared();
    let data = school.data();
    let (parent_id, parent) = school
        .people
        .iter()
        .find(|(_, p)| !p.children.is_empty())
        .unwrap();
    let child = parent.children.keys().next().unwrap();
    let view = data.person(child).unwrap();
    assert!(view.minor);
    assert_eq!(
        view.representative,
        parent.full_name(),
        "parent {parent_id}"
    );
}

#[test]
fn a_person_document_the_device_does_not_hold_is_named_as_missing() {
    let school = common::shared();
    let data = export::read(&school.doc, &|_| None, common::today(), &common::year()).unwrap();
    let pair = data.pairs.iter().find(|p| p.active).unwrap();
    let made = assemble(
        &data,
        &Document::IndividualPlan {
            pair: pair.id.clone(),
        },
    )
    .unwrap();
    assert!(
        made.missing
            .contains(&"Наставник: данные участника не получены".to_owned()),
        "{:?}",
        made.missing
    );
}

#[test]
fn a_school_without_a_profile_gets_every_document_with_blanks_and_a_list_of_gaps() {
    let school = common::demo_school(false);
    let data = school.data();
    let made = assemble(
        &data,
        &Document::OrderTargetModel {
            number: String::new(),
            date: String::new(),
        },
    )
    .unwrap();
    assert_eq!(
        made.missing,
        [
            "Полное наименование школы",
            "Дата приказа",
            "Номер приказа",
            "Населённый пункт",
            "Куратор программы наставничества",
            "Должность куратора",
            "Директор",
        ]
    );
    for doc in Document::catalogue(&data) {
        let made = assemble(&data, &doc).unwrap();
        assert!(!made.missing.is_empty(), "{}", doc.label());
        assert!(!made.docx().is_empty());
    }
}

#[test]
fn person_documents_in_automerge_read_the_same_as_the_demo_people() {
    // The app holds people as Automerge documents: read them back through the model.
    let school = common::shared();
    let docs: std::collections::BTreeMap<String, automerge::Automerge> = school
        .people
        .iter()
        .take(30)
        .map(|(id, p)| {
            let mut doc = sync_core::new_document();
            let mut tx = doc.transaction();
            PersonDoc::init_with(&mut tx, p).unwrap();
            tx.commit();
            (id.clone(), doc)
        })
        .collect();
    let from_docs = export::read(
        &school.doc,
        &|id| docs.get(id).and_then(|d| PersonDoc::read(d).ok()),
        common::today(),
        &common::year(),
    )
    .unwrap();
    let direct = export::read(
        &school.doc,
        &|id| docs.contains_key(id).then(|| school.people[id].clone()),
        common::today(),
        &common::year(),
    )
    .unwrap();
    assert_eq!(from_docs, direct);
    for id in docs.keys() {
        assert_eq!(from_docs.person(id), direct.person(id));
    }
    assert_eq!(School::name(&school.doc), from_docs.profile.short_name);
}

#[test]
fn the_monitoring_report_of_the_demo_year_has_both_parts_and_says_what_is_missing() {
    let demo = common::shared();
    let data = demo.data();
    // `read` leaves them out: every other document would compute them for nothing.
    let bare = export::read(
        &demo.doc,
        &|id| demo.people.get(id).cloned(),
        common::today(),
        &common::year(),
    );
    assert!(bare.unwrap().monitorings.is_empty());
    // The recent half-years, newest first: December's is the one in progress on 23 November.
    let periods: Vec<&str> = data.monitorings.iter().map(|m| m.period.as_str()).collect();
    assert_eq!(periods, ["2026-12", "2026-05", "2025-12", "2025-05"]);
    let dec = &data.monitorings[0];
    assert!(dec.fixed_on.is_empty());
    let all = &dec.figures.quality[0];
    assert_eq!(all.title, "Все программы");
    assert_eq!(all.pairs, 24, "the working pairs of the year");
    assert!(all.meetings.of > 0 && all.meetings.value <= all.meetings.of);
    assert_eq!(dec.figures.quality.len(), 1 + data.programmes.len());
    // The demo's final questionnaires are filled in May: not yet in December's.
    assert!(dec.figures.dynamics.iter().all(|d| d.respondents == 0));
    assert!(dec.figures.awaiting_final > 0);

    let made = assemble(
        &data,
        &Document::MonitoringReport {
            period: "2026-12".into(),
        },
    )
    .unwrap();
    let texts = made.tree.texts().join("\n");
    for expected in [
        "АНАЛИТИЧЕСКАЯ СПРАВКА",
        "за I полугодие 2026/2027 учебного года (до 20 декабря 2026 г.)",
        "Мониторинг ещё не зафиксирован",
        "1. Качество реализации программы наставничества",
        "Удовлетворённость участников",
        "2. Динамика развития участников",
        "Итоговое анкетирование ещё не проведено",
        "3. Выводы и рекомендации",
        "Рябинина Е. А.",
    ] {
        assert!(texts.contains(expected), "«{expected}» in:\n{texts}");
    }
    assert_eq!(made.missing, ["Выводы и рекомендации"]);
    let quality = made.tree.tables().next().unwrap();
    assert_eq!(quality.rows.len(), 1 + data.programmes.len());
    // All programmes' shares as a chart: shaded cells in the .docx, boxes in print.
    let bars = made
        .tree
        .blocks
        .iter()
        .find_map(|b| match b {
            export::tree::Block::Bars(bars) => Some(bars),
            _ => None,
        })
        .expect("a chart");
    assert_eq!(bars.len(), 3);
    assert_eq!(bars[0].done, all.meetings.value);
    assert_eq!(bars[0].text(), all.meetings.display());
    let xml = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(made.docx())).unwrap();
        let mut s = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    assert!(
        xml.contains(r#"w:fill="2F5597""#),
        "the bars are shaded cells"
    );
    let html = made.html();
    assert!(html.contains(r#"<table class="bars">"#));
    assert!(html.contains(&format!(r#"style="width:{}%""#, bars[0].percent())));
    assert!(
        assemble(
            &data,
            &Document::MonitoringReport {
                period: "2030-12".into()
            }
        )
        .is_err()
    );
}

#[test]
fn the_documents_of_a_year_are_made_from_that_year_s_records() {
    let demo = common::shared();
    let person = |id: &str| demo.people.get(id).cloned();
    let read = |year: &str| export::read(&demo.doc, &person, common::today(), year).unwrap();
    let (this, last) = (read("2026/2027"), read("2025/2026"));
    let sizes = |d: &export::SchoolData| {
        (
            d.programmes.len(),
            d.pairs.len(),
            d.roadmap.len(),
            d.events.len(),
        )
    };
    assert_eq!(sizes(&this), (3, 25, 12, 6));
    assert_eq!(sizes(&last), (2, 8, 5, 3));
    assert_eq!(
        (this.academic_year.as_str(), last.academic_year.as_str()),
        ("2026/2027", "2025/2026")
    );
    // This year's order fixing pairs lists none of last year's; every person is in both.
    let last_pairs: Vec<&str> = last.pairs.iter().map(|p| p.id.as_str()).collect();
    for document in Document::catalogue(&this) {
        if let Document::OrderPairs { pairs, .. } = document {
            assert!(!pairs.is_empty());
            assert!(pairs.iter().all(|p| !last_pairs.contains(&p.as_str())));
        }
    }
    assert_eq!(this.people.len(), last.people.len());
    assert_eq!(last.count.pairs, 8);
}
