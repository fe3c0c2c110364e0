//! Each document, assembled from a known (invented) record, has its parts in order: title
//! block, sections, table rows, the right signers; empty fields come out as blank lines and are
//! reported by their Russian labels.

use std::io::Read;

use export::tree::{Block, Row};
use export::{
    Document, Official, PairView, PersonView, PhaseView, ProgrammeView, RoadmapRowView, RowView,
    SchoolData, SchoolProfile, assemble,
};

fn person(id: &str, full: &str, short: &str, minor: bool, representative: &str) -> PersonView {
    PersonView {
        id: id.into(),
        full_name: full.into(),
        short_name: short.into(),
        role: if minor {
            "ученик"
        } else {
            "педагог"
        }
        .into(),
        summary: if minor {
            "ученик, 7Б"
        } else {
            "педагог, математика"
        }
        .into(),
        birth_date: if minor { "2013-04-02" } else { "1980-01-15" }.into(),
        minor,
        representative: representative.into(),
        consent_signed: "2026-09-15".into(),
        agreement_signed: "2026-09-16".into(),
        erased: false,
        ..PersonView::default()
    }
}

fn row(text: &str, period: &str, who: &str, status: &str) -> RowView {
    RowView {
        text: text.into(),
        period: period.into(),
        responsible: who.into(),
        status: status.into(),
    }
}

fn phase(title: &str, period: &str, content: &str) -> PhaseView {
    PhaseView {
        title: title.into(),
        period: period.into(),
        content: content.into(),
    }
}

fn pair(id: &str, mentor: &str, mentees: &[&str], goal: &str) -> PairView {
    PairView {
        id: id.into(),
        programme: "prog".into(),
        mentors: vec![mentor.into()],
        mentees: mentees.iter().map(|m| (*m).to_owned()).collect(),
        mentee_category: String::new(),
        form: "ученик – ученик".into(),
        variant: "равный – равному".into(),
        goal: goal.into(),
        format: "индивидуальная траектория".into(),
        term: "долгосрочное".into(),
        phases: vec![
            phase(
                "Подготовительный этап",
                "сентябрь 2026",
                "Входное анкетирование",
            ),
            phase(
                "Основной этап",
                "октябрь 2026 – апрель 2027",
                "Встречи и консультации",
            ),
            phase("Заключительный этап", "май 2027", "Итоговое анкетирование"),
        ],
        order_number: "7-о".into(),
        order_date: "2026-09-20".into(),
        status: "работает".into(),
        active: true,
        plan: vec![
            row(
                "Разобрать ошибки контрольной",
                "октябрь 2026",
                "",
                "выполнено",
            ),
            row(
                "Подготовить проект «Дроби»",
                "декабрь 2026",
                "",
                "запланировано",
            ),
            row("Открытое занятие", "март 2027", "", "запланировано"),
        ],
    }
}

/// An invented school with a complete profile, one programme, a pair with a minor mentee and a
/// teacher–teacher pair of adults.
fn school() -> SchoolData {
    SchoolData {
        profile: SchoolProfile {
            full_name: "Муниципальное общеобразовательное учреждение «Сосновская школа»".into(),
            short_name: "МОУ «Сосновская школа»".into(),
            founder: "Управление образования Сосновского округа".into(),
            address: "ул. Лесная, д. 5, пос. Сосновый".into(),
            locality: "пос. Сосновый".into(),
            phone: "+7 (000) 111-22-33".into(),
            email: "sosny@example.org".into(),
            inn: "1234567890".into(),
            ogrn: String::new(),
            director: Official {
                name: "Ельникова М. П.".into(),
                position: "Директор".into(),
            },
            deputy: Official {
                name: "Голубев А. А.".into(),
                position: "Заместитель директора по УВР".into(),
            },
            curator: Official {
                name: "Тихонова В. С.".into(),
                position: "учитель математики".into(),
            },
            order_preamble: String::new(),
            consent_text: String::new(),
        },
        academic_year: "2026/2027".into(),
        today: "2026-11-23".into(),
        programmes: vec![ProgrammeView {
            id: "prog".into(),
            title: "Шаг навстречу".into(),
            form: "ученик – ученик".into(),
            variant: "равный – равному".into(),
            academic_year: "2026/2027".into(),
            compiler: "Тихонова В. С., учитель математики".into(),
            agreed_by: "Педагогический совет".into(),
            agreed_on: "2026-08-30".into(),
            approved_by: "Директор".into(),
            approved_on: "2026-08-31".into(),
            note: "Программа помогает ученикам 5–7 классов.".into(),
            goal: "Повысить успеваемость по математике".into(),
            tasks: vec!["Сформировать пары".into(), "Провести встречи".into()],
            results: vec!["Рост успеваемости".into()],
            indicators: vec!["Средний балл".into()],
            stages: vec![row("I этап — запуск", "сентябрь 2026", "", "")],
            rights_duties: String::new(),
            work_plan: vec![
                row("Анкетирование", "сентябрь", "Куратор", ""),
                row("Встречи пар", "В течение года", "Наставники", ""),
                row("Итоговая встреча", "май", "Куратор", ""),
            ],
            personal_plan: vec![row("Осенний бал", "октябрь", "", "")],
        }],
        pairs: vec![
            pair(
                "p1",
                "mentor",
                &["child"],
                "Совершенствовать учебные компетенции по математике",
            ),
            PairView {
                form: "учитель – учитель".into(),
                ..pair("p2", "teacher", &["young"], "Освоить методику урока")
            },
        ],
        people: vec![
            person(
                "mentor",
                "Калинина Софья Андреевна",
                "Калинина С. А.",
                false,
                "",
            ),
            person(
                "child",
                "Никитин Лев Олегович",
                "Никитин Л. О.",
                true,
                "Никитина Ольга Павловна",
            ),
            person(
                "teacher",
                "Полянская Ирина Борисовна",
                "Полянская И. Б.",
                false,
                "",
            ),
            person(
                "young",
                "Яблоков Егор Викторович",
                "Яблоков Е. В.",
                false,
                "",
            ),
        ],
        roadmap: vec![
            RoadmapRowView {
                section: 1,
                content: "Издание приказа".into(),
                period: "сентябрь 2026".into(),
                result: "Приказ".into(),
                indicator: String::new(),
                responsible: "Куратор".into(),
                status: "выполнено".into(),
            },
            RoadmapRowView {
                section: 4,
                content: "Публикации на сайте".into(),
                period: "В течение года".into(),
                result: "Публикации".into(),
                indicator: "не менее 2".into(),
                responsible: "Куратор".into(),
                status: String::new(),
            },
            RoadmapRowView {
                section: 1,
                content: "Формирование баз".into(),
                period: "октябрь 2026".into(),
                result: "Базы".into(),
                indicator: "20%".into(),
                responsible: "Куратор".into(),
                status: String::new(),
            },
        ],
        events: vec![export::EventView {
            kind: "нетворкинг".into(),
            title: "Встреча наставников и наставляемых".into(),
            date: "2026-10-15".into(),
            place: "Актовый зал".into(),
            published: String::new(),
        }],
        count: Default::default(),
        monitorings: vec![],
    }
}

/// Checks that `expected` appear among the document's texts in this order (each a substring of
/// one text).
fn check_order(texts: &[String], expected: &[&str]) {
    let mut at = 0;
    for e in expected {
        match texts[at..].iter().position(|t| t.contains(e)) {
            Some(i) => at += i + 1,
            None => panic!(
                "«{e}» not found after position {at}; texts:\n{}",
                texts.join("\n")
            ),
        }
    }
}

fn cells(table: &export::tree::Table) -> Vec<Vec<String>> {
    table
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Cells(c) => Some(c.clone()),
            Row::Group(_) => None,
        })
        .collect()
}

#[test]
fn a_programme_has_its_title_block_then_the_numbered_sections_and_tables() {
    let made = assemble(
        &school(),
        &Document::Programme {
            programme: "prog".into(),
        },
    )
    .unwrap();
    assert!(made.missing.is_empty(), "{:?}", made.missing);
    check_order(
        &made.tree.texts(),
        &[
            "Управление образования Сосновского округа",
            "Муниципальное общеобразовательное учреждение «Сосновская школа»",
            "ИНН 1234567890",
            "СОГЛАСОВАНО",
            "Педагогический совет",
            "30 августа 2026 г.",
            "УТВЕРЖДАЮ",
            "Директор МОУ «Сосновская школа»",
            "Ельникова М. П.",
            "ПРОГРАММА НАСТАВНИЧЕСТВА",
            "ПО ФОРМЕ «УЧЕНИК – УЧЕНИК»",
            "«Шаг навстречу»",
            "2026/2027 учебный год",
            "Составитель: Тихонова В. С.",
            "пос. Сосновый, 2026",
        ],
    );
    assert_eq!(
        made.tree.headings(),
        [
            "1. Пояснительная записка",
            "2. Цель и задачи программы",
            "3. Планируемые результаты",
            "4. Показатели эффективности реализации программы",
            "5. Сроки и этапы реализации программы",
            "6. Участники программы",
            "7. Права и обязанности наставника и наставляемого",
            "8. Мониторинг программы",
            "9. План работы по программе",
            "10. Персонализированный план работы по форме «ученик – ученик» на 2026/2027 учебный год",
        ]
    );
    let tables: Vec<_> = made.tree.tables().collect();
    assert_eq!(
        tables[0].caption.as_deref(),
        Some("Таблица 1. Этапы реализации программы")
    );
    assert_eq!(cells(tables[0]).len(), 7, "the seven stages");
    assert_eq!(
        cells(tables[0])[6][1],
        "Завершение программы наставничества"
    );
    // The pairs of the programme, then the work plan in its order, then the personal plan.
    assert_eq!(
        cells(tables[1]),
        [
            vec!["1", "Калинина С. А.", "Никитин Л. О."],
            vec!["2", "Полянская И. Б.", "Яблоков Е. В."]
        ]
    );
    assert_eq!(
        cells(tables[2]),
        [
            vec!["1", "Анкетирование", "сентябрь", "Куратор"],
            vec!["2", "Встречи пар", "В течение года", "Наставники"],
            vec!["3", "Итоговая встреча", "май", "Куратор"],
        ]
    );
    assert_eq!(cells(tables[3]), [vec!["1", "Осенний бал", "октябрь"]]);
}

#[test]
fn a_personalised_programme_names_the_pair_and_uses_its_plan() {
    let made = assemble(
        &school(),
        &Document::PersonalProgramme { pair: "p1".into() },
    )
    .unwrap();
    check_order(
        &made.tree.texts(),
        &[
            "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА",
            "Наставник – Калинина Софья Андреевна",
            "Наставляемый – Никитин Лев Олегович",
            "Цель: Совершенствовать учебные компетенции по математике",
            "6.1. Наставник – Калинина Софья Андреевна, педагог, математика.",
            "6.2. Наставляемый – Никитин Лев Олегович, ученик, 7Б.",
        ],
    );
    let plan = made.tree.tables().last().unwrap();
    assert_eq!(
        cells(plan),
        [
            vec!["1", "Разобрать ошибки контрольной", "октябрь 2026"],
            vec!["2", "Подготовить проект «Дроби»", "декабрь 2026"],
            vec!["3", "Открытое занятие", "март 2027"],
        ]
    );
}

#[test]
fn the_individual_plan_of_a_minor_is_signed_by_the_parent_too() {
    let made = assemble(&school(), &Document::IndividualPlan { pair: "p1".into() }).unwrap();
    check_order(
        &made.tree.texts(),
        &[
            "УТВЕРЖДАЮ",
            "Приказ № 7-о от 20 сентября 2026 г.",
            "ИНДИВИДУАЛЬНЫЙ ПЛАН РАБОТЫ",
            "НАСТАВНИЧЕСКОЙ ПАРЫ",
            "1. Участники",
            "2. Цель",
            "3. Этапы работы",
            "Подготовительный этап",
            "Основной этап",
            "Заключительный этап",
            "4. План мероприятий",
            "Разобрать ошибки контрольной",
            "выполнено",
            "Открытое занятие",
        ],
    );
    let signers: Vec<(String, String)> = made
        .tree
        .signatures()
        .iter()
        .map(|s| (s.role.clone(), s.name.clone()))
        .collect();
    assert_eq!(
        signers,
        [
            ("Наставник".into(), "Калинина С. А.".into()),
            ("Наставляемый".into(), "Никитин Л. О.".into()),
            (
                "Родитель (законный представитель) наставляемого".into(),
                "Никитина Ольга Павловна".into()
            ),
            ("Куратор".into(), "Тихонова В. С.".into()),
        ]
    );
    let adults = assemble(&school(), &Document::IndividualPlan { pair: "p2".into() }).unwrap();
    assert!(
        adults
            .tree
            .signatures()
            .iter()
            .all(|s| !s.role.contains("Родитель")),
        "no parent signs for an adult"
    );
}

#[test]
fn the_order_fixing_pairs_lists_them_in_a_numbered_table_in_the_order_chosen() {
    let made = assemble(
        &school(),
        &Document::OrderPairs {
            pairs: vec!["p2".into(), "p1".into()],
            number: String::new(),
            date: String::new(),
        },
    )
    .unwrap();
    assert!(made.missing.is_empty(), "{:?}", made.missing);
    check_order(
        &made.tree.texts(),
        &[
            "Муниципальное общеобразовательное учреждение «Сосновская школа»",
            "ПРИКАЗ",
            "20 сентября 2026 г.",
            "№ 7-о",
            "пос. Сосновый",
            "О закреплении наставнических пар (групп)",
            "Р-145",
            "ПРИКАЗЫВАЮ:",
            "Закрепить наставнические пары (группы) на 2026/2027 учебный год",
            "Контроль за исполнением приказа оставляю за собой.",
            "Директор",
            "Ельникова М. П.",
            "С приказом ознакомлены:",
            "Тихонова В. С.",
            "Полянская И. Б.",
            "Калинина С. А.",
            "Приложение к приказу от 20 сентября 2026 г. № 7-о",
        ],
    );
    let table = made.tree.tables().next().unwrap();
    let titles: Vec<&str> = table.columns.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "№",
            "Наставник",
            "Наставляемый",
            "Форма наставничества",
            "Срок"
        ]
    );
    assert_eq!(
        cells(table),
        [
            vec![
                "1",
                "Полянская Ирина Борисовна",
                "Яблоков Егор Викторович",
                "учитель – учитель",
                "сентябрь 2026 – май 2027"
            ],
            vec![
                "2",
                "Калинина Софья Андреевна",
                "Никитин Лев Олегович",
                "ученик – ученик",
                "сентябрь 2026 – май 2027"
            ],
        ]
    );
}

#[test]
fn the_other_orders_cite_r145_and_name_the_curator_and_programmes() {
    let data = school();
    let model = assemble(
        &data,
        &Document::OrderTargetModel {
            number: "3-о".into(),
            date: "2026-09-01".into(),
        },
    )
    .unwrap();
    check_order(
        &model.tree.texts(),
        &[
            "ПРИКАЗ",
            "1 сентября 2026 г.",
            "№ 3-о",
            "О внедрении целевой модели наставничества и назначении куратора",
            "от 25.12.2019 № Р-145",
            "ПРИКАЗЫВАЮ:",
            "Назначить куратором реализации программ наставничества: Тихонова В. С., учитель математики.",
            "С приказом ознакомлены:",
            "Тихонова В. С.",
            "Голубев А. А.",
        ],
    );
    let approval = assemble(
        &data,
        &Document::OrderApproval {
            programmes: vec![],
            number: String::new(),
            date: String::new(),
        },
    )
    .unwrap();
    check_order(
        &approval.tree.texts(),
        &[
            "Об утверждении программ наставничества и дорожной карты",
            "Утвердить программу наставничества «Шаг навстречу» по форме «ученик – ученик»",
            "Утвердить дорожную карту",
        ],
    );
    assert_eq!(approval.missing, ["Дата приказа", "Номер приказа"]);
}

#[test]
fn a_minors_consent_is_the_parents_and_an_adults_is_their_own() {
    let data = school();
    let minor = assemble(
        &data,
        &Document::Consent {
            person: "child".into(),
        },
    )
    .unwrap();
    check_order(
        &minor.tree.texts(),
        &[
            "Директор МОУ «Сосновская школа»",
            "СОГЛАСИЕ",
            "родителя (законного представителя)",
            "являясь родителем (законным представителем) несовершеннолетнего(ей) Никитин Лев Олегович, 02.04.2013 г. р.",
            "Перечень персональных данных ребёнка",
            "Перечень действий",
            "частью 2 статьи 9",
            "15 сентября 2026 г.",
        ],
    );
    let statement = minor
        .tree
        .texts()
        .into_iter()
        .find(|t| t.starts_with("Я, "))
        .unwrap();
    assert!(
        statement.starts_with("Я, Никитина Ольга Павловна, паспорт")
            && statement.contains("152-ФЗ")
            && statement.contains(
                "даю согласие оператору персональных данных — Муниципальное общеобразовательное учреждение «Сосновская школа», расположенному по адресу: ул. Лесная"
            ),
        "{statement}"
    );
    assert_eq!(
        minor.tree.signatures()[0].role,
        "Родитель (законный представитель)"
    );
    assert_eq!(minor.tree.signatures()[0].name, "Никитина Ольга Павловна");

    let adult = assemble(
        &data,
        &Document::Consent {
            person: "mentor".into(),
        },
    )
    .unwrap();
    check_order(
        &adult.tree.texts(),
        &[
            "СОГЛАСИЕ",
            "на обработку персональных данных",
            "Я, Калинина Софья Андреевна",
        ],
    );
    assert!(!adult.tree.texts().iter().any(|t| t.contains("родител")));
    assert_eq!(adult.tree.signatures()[0].role, "Участник программы");
    assert_eq!(adult.tree.signatures()[0].name, "Калинина С. А.");
}

#[test]
fn the_consents_of_a_pair_are_one_per_participant_each_on_its_own_page() {
    let made = assemble(&school(), &Document::PairConsents { pair: "p1".into() }).unwrap();
    let breaks = made
        .tree
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::PageBreak))
        .count();
    assert_eq!(breaks, 1);
    check_order(
        &made.tree.texts(),
        &["Я, Калинина Софья Андреевна", "Я, Никитина Ольга Павловна"],
    );
    let programme = assemble(
        &school(),
        &Document::ProgrammeConsents {
            programme: "prog".into(),
        },
    )
    .unwrap();
    assert_eq!(programme.tree.signatures().len(), 4, "four participants");
}

#[test]
fn the_agreement_of_a_minor_is_signed_by_the_parent() {
    let made = assemble(&school(), &Document::Agreement { pair: "p1".into() }).unwrap();
    check_order(
        &made.tree.texts(),
        &[
            "СОГЛАШЕНИЕ",
            "между наставником и наставляемым",
            "пос. Сосновый",
            "16 сентября 2026 г.",
            "Никитин Лев Олегович (далее — Наставляемый), от имени которого действует родитель (законный представитель) Никитина Ольга Павловна",
            "1. Предмет соглашения",
            "2. Обязанности и права наставника",
            "3. Обязанности и права наставляемого",
            "4. Срок действия и заключительные положения",
            "5. Подписи сторон",
        ],
    );
    let roles: Vec<&str> = made
        .tree
        .signatures()
        .iter()
        .map(|s| s.role.as_str())
        .collect();
    assert_eq!(
        roles,
        [
            "Наставник",
            "Наставляемый",
            "Родитель (законный представитель) наставляемого",
            "Директор (Организация)"
        ]
    );
    let adults = assemble(&school(), &Document::Agreement { pair: "p2".into() }).unwrap();
    assert_eq!(adults.tree.signatures().len(), 3);
}

#[test]
fn the_roadmap_has_five_sections_with_their_rows_numbered_in_order() {
    let made = assemble(&school(), &Document::Roadmap).unwrap();
    assert!(made.tree.landscape);
    let table = made.tree.tables().next().unwrap();
    let titles: Vec<&str> = table.columns.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "№",
            "Содержание",
            "Сроки",
            "Ожидаемый результат (вид документа)",
            "Показатели эффективности",
            "Ответственный"
        ]
    );
    let rows: Vec<String> = table
        .rows
        .iter()
        .map(|r| match r {
            Row::Group(g) => g.clone(),
            Row::Cells(c) => format!("{} {}", c[0], c[1]),
        })
        .collect();
    assert_eq!(
        rows,
        [
            "1. Организационно-методическое сопровождение",
            "1.1. Издание приказа",
            "1.2. Формирование баз",
            "2. Программно-методическое сопровождение",
            "2.1. ____________",
            "3. Аналитическое сопровождение, мониторинг",
            "3.1. ____________",
            "4. Информационное сопровождение",
            "4.1. Публикации на сайте",
            "5. Управление реализацией",
            "5.1. ____________",
        ]
    );
    check_order(
        &made.tree.texts(),
        &[
            "УТВЕРЖДАЮ",
            "ПЛАН МЕРОПРИЯТИЙ (ДОРОЖНАЯ КАРТА)",
            "на 2026/2027 учебный год",
        ],
    );
}

#[test]
fn the_media_plan_times_releases_around_each_event() {
    let made = assemble(&school(), &Document::MediaPlan).unwrap();
    let table = made.tree.tables().next().unwrap();
    assert_eq!(
        cells(table),
        [vec![
            "1",
            "Встреча наставников и наставляемых",
            "15.10.2026",
            "10.10.2026 – 12.10.2026",
            "до 16.10.2026",
            "Официальный сайт; сообщество школы в социальной сети",
            "Тихонова В. С."
        ]]
    );
}

#[test]
fn the_table_of_pairs_has_the_three_phases_with_their_periods() {
    let made = assemble(
        &school(),
        &Document::PairsTable {
            programme: "prog".into(),
        },
    )
    .unwrap();
    let table = made.tree.tables().next().unwrap();
    assert_eq!(
        table.rows[0],
        Row::Group("Ролевая модель «равный – равному»".into())
    );
    let first = &cells(table)[0];
    assert_eq!(first[1], "Калинина С. А.");
    assert!(first[3].starts_with(
        "Цель наставничества: Совершенствовать учебные компетенции по математике.\nФорма: индивидуальная траектория, долгосрочное наставничество."
    ));
    assert_eq!(
        &first[4..],
        [
            "сентябрь 2026",
            "Встречи и консультации",
            "октябрь 2026 – апрель 2027",
            "Итоговое анкетирование",
            "май 2027"
        ]
    );
}

#[test]
fn empty_fields_become_blank_lines_and_are_reported_by_their_labels() {
    let mut data = school();
    data.profile = SchoolProfile {
        short_name: "МОУ «Сосновская школа»".into(),
        ..SchoolProfile::default()
    };
    data.people[1].representative.clear();
    let made = assemble(&data, &Document::IndividualPlan { pair: "p1".into() }).unwrap();
    assert_eq!(
        made.missing,
        [
            "Учредитель",
            "Полное наименование школы",
            "Адрес",
            "Телефон",
            "Электронная почта",
            "Директор",
            "Родитель (законный представитель) наставляемого Никитин Л. О.",
            "Куратор программы наставничества",
        ]
    );
    let texts = made.tree.texts();
    assert!(texts.contains(&"____________".to_owned()), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t == "____________, тел. ____________, e-mail: ____________")
    );
    let parent = made
        .tree
        .signatures()
        .into_iter()
        .find(|s| s.role.starts_with("Родитель"))
        .unwrap();
    assert_eq!(parent.name, "____________");
    // A consent names the empty birth date and the parent nobody linked.
    data.people[1].birth_date.clear();
    let consent = assemble(
        &data,
        &Document::Consent {
            person: "child".into(),
        },
    )
    .unwrap();
    assert!(
        consent.missing.ends_with(&[
            "Дата рождения: Никитин Л. О.".to_owned(),
            "Родитель (законный представитель): Никитин Л. О.".to_owned()
        ]),
        "{:?}",
        consent.missing
    );
    assert!(
        consent
            .tree
            .texts()
            .iter()
            .any(|t| t.contains("несовершеннолетнего(ей) Никитин Лев Олегович, __________ г. р."))
    );
    // The print view and the file still come out.
    assert!(made.html().contains("____________"));
    assert!(!made.docx().is_empty());
}

#[test]
fn an_unknown_record_is_an_error_in_russian() {
    let err = assemble(
        &school(),
        &Document::Agreement {
            pair: "nope".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Пара не найдена.");
}

/// The parts of the .docx that Word and LibreOffice rely on: A4 and the margins, Times New
/// Roman, heading styles, real tables and a page number field in the footer.
#[test]
fn the_docx_is_a4_with_russian_margins_headings_tables_and_page_numbers() {
    let made = assemble(
        &school(),
        &Document::Programme {
            programme: "prog".into(),
        },
    )
    .unwrap();
    let bytes = made.docx();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the package"))
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let document = read("word/document.xml");
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "A4"
    );
    for margin in [
        r#"w:left="1701""#,
        r#"w:right="850""#,
        r#"w:top="1134""#,
        r#"w:bottom="1134""#,
    ] {
        assert!(document.contains(margin), "{margin}");
    }
    assert!(document.contains(r#"<w:pStyle w:val="Heading1" />"#));
    assert!(document.contains(r#"<w:pStyle w:val="Heading2" />"#));
    assert_eq!(
        document.matches("<w:tbl>").count(),
        5,
        "approval + 4 tables"
    );
    assert!(document.contains("Шаг навстречу"));
    let styles = read("word/styles.xml");
    assert!(styles.contains(r#"w:name w:val="heading 1""#));
    assert!(styles.contains("Times New Roman"));
    let footer = read("word/footer1.xml");
    assert!(footer.contains("PAGE"), "page number field: {footer}");
}

#[test]
fn the_print_view_is_a4_times_new_roman_without_app_chrome() {
    let made = assemble(&school(), &Document::Roadmap).unwrap();
    let html = made.html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("size: A4"));
    assert!(
        html.contains("A4 landscape"),
        "the roadmap prints landscape"
    );
    assert!(html.contains("Times New Roman"));
    assert!(html.contains("margin: 20mm 15mm 20mm 30mm"));
    for chrome in ["<input", "<button", "<script", "<nav"] {
        assert!(!html.contains(chrome), "{chrome}");
    }
    assert!(html.contains("<th>Ожидаемый результат (вид документа)</th>"));
    assert!(html.contains("«Сосновская школа»"));
}

#[test]
fn the_view_travels_as_json_to_a_worker_and_back() {
    let data = school();
    let json = serde_json::to_string(&data).unwrap();
    let back: SchoolData = serde_json::from_str(&json).unwrap();
    assert_eq!(back, data);
    let doc: Document =
        serde_json::from_str(&serde_json::to_string(&Document::Roadmap).unwrap()).unwrap();
    assert_eq!(doc, Document::Roadmap);
}

#[test]
fn the_catalogue_lists_every_kind_and_each_assembles() {
    let data = school();
    let all = Document::catalogue(&data);
    assert!(all.len() >= 14);
    for doc in &all {
        let made = assemble(&data, doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        assert!(!made.tree.blocks.is_empty(), "{}", doc.label());
        assert!(made.file_name.ends_with(".docx"));
    }
}
