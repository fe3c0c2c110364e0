//! The spreadsheets, read back with calamine: each table's headers and one row per record of the
//! demo year (counted from the model's records, not from the view), dates as real dates, Russian
//! text intact, and the people who must not appear (erased, removed) absent. The package itself
//! is checked for a frozen header row, an autofilter, a bold header and a creation date taken
//! from the data, not the clock.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use export::xlsx::{ERASED, Table, workbook};
use export::{PairView, PersonView, RoadmapRowView, SchoolData};
use model::{Pair, Person, PersonEntry, RecordId, School};

type Rows = Vec<Vec<Data>>;

/// Every sheet of a workbook: its name and its cells.
fn open(bytes: &[u8]) -> Vec<(String, Rows)> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

/// The only sheet of a single-table workbook.
fn sheet(data: &SchoolData, table: Table) -> Rows {
    let mut sheets = open(&workbook(data, table).unwrap());
    assert_eq!(sheets.len(), 1, "{table:?}");
    let (name, rows) = sheets.remove(0);
    assert_eq!(name, table.sheet_name());
    rows
}

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn headers(rows: &Rows) -> Vec<String> {
    rows[0].iter().map(s).collect()
}

fn col(rows: &Rows, header: &str) -> usize {
    headers(rows)
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column «{header}» in {:?}", headers(rows)))
}

/// The rows (without the header) whose `header` cell is `value`.
fn rows_where<'a>(rows: &'a Rows, header: &str, value: &str) -> Vec<&'a Vec<Data>> {
    let c = col(rows, header);
    rows[1..].iter().filter(|r| s(&r[c]) == value).collect()
}

/// Excel's serial number of a date (days since 30 December 1899).
fn serial(iso: &str) -> f64 {
    let d = NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap();
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

fn assert_date(cell: &Data, iso: &str) {
    match cell {
        Data::DateTime(d) => {
            assert!(d.is_datetime(), "{d:?}");
            assert_eq!(d.as_f64(), serial(iso), "{iso}");
        }
        other => panic!("a date {iso}, found {other:?}"),
    }
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("a number, found {other:?}"),
    }
}

/// Every text cell of every sheet.
fn all_text(sheets: &[(String, Rows)]) -> Vec<String> {
    sheets
        .iter()
        .flat_map(|(_, rows)| rows.iter().flatten().map(s))
        .collect()
}

/// One file of the .xlsx package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"))
        .read_to_string(&mut out)
        .unwrap();
    out
}

// --- The demo year, counted from the model's own records ---------------------------------------

/// What the model says about the demo year's people, independently of the view.
struct Expected {
    people: BTreeMap<String, Person>,
    pairs: Vec<Pair>,
}

impl Expected {
    fn of(school: &common::DemoSchool) -> Expected {
        let entries = School::list::<PersonEntry>(&school.doc).unwrap();
        let people = school
            .people
            .iter()
            .filter(|(id, _)| {
                entries
                    .iter()
                    .any(|(e, entry)| e.as_str() == *id && entry.removed_at.is_none())
            })
            .map(|(id, p)| (id.clone(), p.clone()))
            .collect();
        // The year's pairs: last year's are last year's tables.
        let pairs = model::year::pairs_in_year(
            School::list::<Pair>(&school.doc).unwrap(),
            &School::programmes(&school.doc).unwrap(),
            &common::year(),
        )
        .into_iter()
        .filter(|(_, p)| p.removed_at.is_none())
        .map(|(_, p)| p)
        .collect();
        Expected { people, pairs }
    }

    fn mentors_in_pairs(&self, id: &str) -> usize {
        self.pairs
            .iter()
            .filter(|p| p.mentors.contains_key(id))
            .count()
    }

    fn mentees_in_pairs(&self, id: &str) -> usize {
        self.pairs
            .iter()
            .filter(|p| p.mentees.contains_key(id))
            .count()
    }

    fn is_mentor(&self, id: &str) -> bool {
        self.people[id].mentor.in_base || self.mentors_in_pairs(id) > 0
    }

    fn is_mentee(&self, id: &str) -> bool {
        self.people[id].mentee.in_base || self.mentees_in_pairs(id) > 0
    }

    fn participants(&self) -> impl Iterator<Item = (&String, &Person)> {
        self.people
            .iter()
            .filter(|(id, _)| self.is_mentor(id) || self.is_mentee(id))
    }

    /// Participants whose full name no one else in the school has (safe to find by name).
    fn unique(&self) -> impl Iterator<Item = (&String, &Person)> {
        self.participants().filter(|(_, p)| {
            self.people
                .values()
                .filter(|q| q.full_name() == p.full_name())
                .count()
                == 1
        })
    }
}

#[test]
fn each_table_has_its_headers_and_one_row_per_record_of_the_demo_year() {
    let school = common::shared();
    let data = school.data();
    let expected = Expected::of(school);

    let mentors = sheet(&data, Table::MentorBase);
    assert_eq!(
        headers(&mentors),
        [
            "№",
            "ФИО",
            "Категория",
            "Место работы / класс",
            "Предметы",
            "Компетенции",
            "Формы наставничества",
            "Время для встреч",
            "Анкета",
            "Собеседование",
            "Наставляемых сейчас",
        ]
    );
    let n_mentors = expected
        .people
        .keys()
        .filter(|id| expected.is_mentor(id))
        .count();
    // 12 teachers, 4 graduates and 3 partners are in the base, besides students.
    assert!(n_mentors > 19, "{n_mentors}");
    assert_eq!(mentors.len() - 1, n_mentors);

    let mentees = sheet(&data, Table::MenteeBase);
    assert_eq!(
        headers(&mentees),
        [
            "№",
            "ФИО",
            "Категория",
            "Класс / должность",
            "Дата рождения",
            "Запрос (проблема)",
            "Источник запроса",
            "Дата запроса",
            "Наставник",
        ]
    );
    // One row per request; a mentee without one has a row of their own.
    let request_rows: usize = expected
        .people
        .iter()
        .filter(|(id, _)| expected.is_mentee(id))
        .map(|(_, p)| {
            p.mentee
                .requests
                .iter()
                .filter(|r| r.removed_at.is_none())
                .count()
                .max(1)
        })
        .sum();
    assert_eq!(mentees.len() - 1, request_rows);
    let n_mentees = expected
        .people
        .keys()
        .filter(|id| expected.is_mentee(id))
        .count();
    assert_eq!(
        number(&mentees.last().unwrap()[0]),
        n_mentees as f64,
        "№ counts mentees"
    );

    let register = sheet(&data, Table::Register);
    assert_eq!(
        headers(&register),
        [
            "№",
            "ФИО",
            "Роль",
            "Класс / должность",
            "Дата рождения",
            "Несовершеннолетний",
            "Законный представитель",
            "В базе наставников",
            "В базе наставляемых",
            "Пар (групп) как наставник",
            "Пар (групп) как наставляемый",
            "Согласие на обработку персональных данных",
            "Дата согласия",
            "Соглашение с наставником (наставляемым)",
            "Дата соглашения",
        ]
    );
    let n_participants = expected.participants().count();
    assert_eq!(register.len() - 1, n_participants);
    // Parents who only sign for their children are not participants.
    assert!(n_participants < expected.people.len());

    let pairs = sheet(&data, Table::Pairs);
    assert_eq!(
        headers(&pairs),
        [
            "№",
            "Программа",
            "Форма наставничества",
            "Ролевая модель",
            "Пара / группа",
            "Наставник",
            "Наставляемые",
            "Цель",
            "Формат",
            "Срок",
            "Статус",
            "Приказ №",
            "Дата приказа",
            "Подготовительный этап",
            "Основной этап",
            "Заключительный этап",
        ]
    );
    assert_eq!(pairs.len() - 1, expected.pairs.len());
    assert_eq!(pairs.len() - 1, 25);

    let consents = sheet(&data, Table::Consents);
    assert_eq!(
        headers(&consents),
        [
            "№",
            "ФИО участника",
            "Роль",
            "Класс / должность",
            "Несовершеннолетний",
            "Документ",
            "Статус",
            "Дата подписания",
            "Кто подписал",
            "Подписант",
            "Дата отзыва",
        ]
    );
    assert_eq!(consents.len() - 1, 2 * n_participants);

    let roadmap = sheet(&data, Table::Roadmap);
    assert_eq!(
        headers(&roadmap),
        [
            "№",
            "Раздел",
            "Содержание",
            "Сроки",
            "Ожидаемый результат (вид документа)",
            "Показатель эффективности",
            "Ответственный",
            "Статус",
        ]
    );
    // This year's rows: last year's five are last year's roadmap.
    let all_rows = School::active::<model::RoadmapRow>(&school.doc).unwrap();
    let n_roadmap = model::year::in_year(all_rows.clone(), &common::year()).len();
    assert_eq!((n_roadmap, all_rows.len()), (12, 17));
    assert_eq!(roadmap.len() - 1, n_roadmap);
    assert_eq!(s(&roadmap[1][0]), "1.1.");
    assert_eq!(s(&roadmap[1][1]), model::SECTIONS[0]);
}

#[test]
fn the_registers_workbook_has_every_sheet_with_russian_names_excel_accepts() {
    let data = common::shared().data();
    let bytes = workbook(&data, Table::All).unwrap();
    let sheets = open(&bytes);
    assert_eq!(
        sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "База наставников",
            "База наставляемых",
            "Персонифицированный учёт",
            "Пары и группы",
            "Согласия и соглашения",
            "Дорожная карта",
        ]
    );
    for table in Table::ALL {
        let name = table.sheet_name();
        assert!(name.chars().count() <= 31, "{name}");
        assert!(
            !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
            "{name}"
        );
        assert!(table.file_name().ends_with(".xlsx"));
    }
    assert_eq!(Table::All.file_name(), "Реестры.xlsx");
    assert_eq!(Table::MentorBase.file_name(), "База наставников.xlsx");
    // Each sheet of «Реестры» is the single-table workbook's sheet.
    for (table, (_, rows)) in Table::SHEETS.iter().zip(&sheets) {
        assert_eq!(rows, &sheet(&data, *table), "{table:?}");
    }
}

#[test]
fn dates_are_excel_dates_and_each_row_says_what_the_model_records() {
    let school = common::shared();
    let data = school.data();
    let expected = Expected::of(school);

    // A student mentee of a pair: their birth date, consent and agreement in the register.
    let register = sheet(&data, Table::Register);
    let mut checked = 0;
    for (id, p) in expected.unique() {
        let rows = rows_where(&register, "ФИО", &p.full_name());
        assert_eq!(rows.len(), 1, "{}", p.full_name());
        let row = rows[0];
        let birth = &row[col(&register, "Дата рождения")];
        if p.birth_date.is_empty() {
            assert_eq!(birth, &Data::Empty);
        } else {
            assert_date(birth, &p.birth_date);
        }
        assert_eq!(
            number(&row[col(&register, "Пар (групп) как наставник")]),
            expected.mentors_in_pairs(id) as f64
        );
        assert_eq!(
            number(&row[col(&register, "Пар (групп) как наставляемый")]),
            expected.mentees_in_pairs(id) as f64
        );
        let consent = p.consent(model::CONSENT_PERSONAL_DATA);
        let status = s(&row[col(&register, "Согласие на обработку персональных данных")]);
        match consent {
            Some(c) if c.is_valid() => {
                assert_eq!(status, "подписано");
                assert_date(&row[col(&register, "Дата согласия")], &c.signed_on);
            }
            Some(c) if !c.withdrawn_on.is_empty() => assert_eq!(status, "отозвано"),
            _ => assert_eq!(status, "не подписано"),
        }
        checked += 1;
    }
    assert!(checked > 50, "{checked} participants checked");

    // The mentor base: category, and the mentees of their working pairs now.
    let mentors = sheet(&data, Table::MentorBase);
    let pairs = School::list::<Pair>(&school.doc).unwrap();
    let mut with_group = false;
    for (id, p) in expected.unique().filter(|(id, _)| expected.is_mentor(id)) {
        let rows = rows_where(&mentors, "ФИО", &p.full_name());
        assert_eq!(rows.len(), 1, "{}", p.full_name());
        let mut now: Vec<&String> = pairs
            .iter()
            .filter(|(_, pair)| pair.is_active() && pair.mentors.contains_key(id.as_str()))
            .flat_map(|(_, pair)| pair.mentees.keys())
            .collect();
        now.sort();
        now.dedup();
        with_group |= now.len() > 1;
        assert_eq!(
            number(&rows[0][col(&mentors, "Наставляемых сейчас")]),
            now.len() as f64,
            "{}",
            p.full_name()
        );
        assert_eq!(
            s(&rows[0][col(&mentors, "Категория")]),
            p.role().unwrap().label()
        );
    }
    assert!(with_group, "a group's mentor counts each mentee");
    // Russian text with quotes intact: a partner's organisation.
    assert!(
        mentors
            .iter()
            .any(|r| s(&r[col(&mentors, "Место работы / класс")])
                == "ООО «Агрохолдинг „Заречье“», специалист")
    );

    // The request map: each request with its source and date.
    let mentees = sheet(&data, Table::MenteeBase);
    let (_, mentee) = expected
        .unique()
        .find(|(_, p)| !p.mentee.requests.is_empty())
        .unwrap();
    let request = &mentee.mentee.requests[0];
    let rows = rows_where(&mentees, "ФИО", &mentee.full_name());
    assert_eq!(rows.len(), mentee.mentee.requests.len());
    let row = rows[0];
    assert_eq!(
        s(&row[col(&mentees, "Запрос (проблема)")]),
        request.problem.as_str()
    );
    assert_eq!(
        s(&row[col(&mentees, "Источник запроса")]),
        model::label(&model::REQUEST_SOURCES, &request.source)
    );
    assert_date(&row[col(&mentees, "Дата запроса")], &request.noted_on);
    assert_date(&row[col(&mentees, "Дата рождения")], &mentee.birth_date);
    assert_eq!(s(&row[col(&mentees, "Класс / должность")]), mentee.class);

    // Pairs: the order's number and date, the phases' periods.
    let pairs_sheet = sheet(&data, Table::Pairs);
    let first: &PairView = &data.pairs[0];
    let rows = rows_where(&pairs_sheet, "Приказ №", &first.order_number);
    assert_eq!(rows.len(), 1, "{}", first.order_number);
    let row = rows[0];
    assert_date(&row[col(&pairs_sheet, "Дата приказа")], &first.order_date);
    assert_eq!(
        s(&row[col(&pairs_sheet, "Подготовительный этап")]),
        "сентябрь 2026"
    );
    assert_eq!(
        s(&row[col(&pairs_sheet, "Основной этап")]),
        "октябрь 2026 – апрель 2027"
    );
    assert_eq!(
        s(&row[col(&pairs_sheet, "Заключительный этап")]),
        "май 2027"
    );
    assert_eq!(
        s(&row[col(&pairs_sheet, "Программа")]),
        data.programme(&first.programme).unwrap().title
    );
    assert_eq!(
        rows_where(&pairs_sheet, "Пара / группа", "группа").len(),
        data.pairs.iter().filter(|p| p.is_group()).count()
    );
    assert!(data.pairs.iter().any(|p| p.is_group()));
}

#[test]
fn a_person_erased_or_removed_is_in_no_table() {
    let school = common::shared();
    let expected = Expected::of(school);
    // A mentor of a working pair, and a mentee with a request.
    let pairs = School::list::<Pair>(&school.doc).unwrap();
    let (mentor_id, mentor) = expected
        .unique()
        .find(|(id, p)| {
            p.mentor.in_base
                && pairs
                    .iter()
                    .any(|(_, pair)| pair.is_active() && pair.mentors.contains_key(id.as_str()))
        })
        .unwrap();
    let (mentee_id, mentee) = expected
        .unique()
        .find(|(_, p)| p.mentee.in_base && !p.mentee.requests.is_empty())
        .unwrap();
    let before = open(&workbook(&school.data(), Table::All).unwrap());
    let text = all_text(&before);
    assert!(text.contains(&mentor.full_name()));
    assert!(text.contains(&mentee.full_name()));
    assert!(!text.iter().any(|t| t.contains(ERASED)));

    let mut doc = school.doc.fork();
    let mut tx = doc.transaction();
    School::erase_person(&mut tx, &RecordId::new(mentor_id), 1_790_000_100_000).unwrap();
    School::remove::<PersonEntry>(&mut tx, &RecordId::new(mentee_id), 1_790_000_100_000).unwrap();
    tx.commit();
    // The device still holds both documents (the relay has not yet confirmed the erasure).
    let data = export::read(
        &doc,
        &|id| school.people.get(id).cloned(),
        common::today(),
        &common::year(),
    )
    .unwrap();
    let after = open(&workbook(&data, Table::All).unwrap());
    let text = all_text(&after);
    assert!(
        !text.iter().any(|t| t.contains(&mentor.full_name())),
        "the erased mentor"
    );
    // The pair still shows that it had a mentor.
    assert!(text.iter().any(|t| t.contains(ERASED)));
    let rows_of = |sheets: &[(String, Rows)], name: &str| {
        sheets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.len())
            .unwrap()
    };
    assert_eq!(
        rows_of(&after, "База наставников"),
        rows_of(&before, "База наставников") - 1
    );
    // The removed mentee is in neither the base nor the register (their pair still names them).
    let mentee_rows = mentee
        .mentee
        .requests
        .iter()
        .filter(|r| r.removed_at.is_none())
        .count();
    assert_eq!(
        rows_of(&after, "База наставляемых"),
        rows_of(&before, "База наставляемых") - mentee_rows
    );
    for sheet in [
        "База наставляемых",
        "Персонифицированный учёт",
        "Согласия и соглашения",
    ] {
        let (_, rows) = after.iter().find(|(n, _)| n == sheet).unwrap();
        assert!(
            rows_where(rows, &headers(rows)[1], &mentee.full_name()).is_empty(),
            "{sheet}"
        );
    }
}

// --- Invented records, written by hand ---------------------------------------------------------

fn person(id: &str, full: &str, role: &str) -> PersonView {
    PersonView {
        id: id.into(),
        full_name: full.into(),
        role: role.into(),
        ..PersonView::default()
    }
}

/// A small invented school: a teacher mentoring a student who has two requests and withdrew
/// their consent, and a view that still carries the name of an erased mentor (as a stale copy
/// might): the tables must go by the mark, not the name.
fn small_school() -> SchoolData {
    let mut teacher = person("t", "Берёзкин Всеволод Ильич", "педагог");
    teacher.position = "учитель физики".into();
    teacher.mentor.in_base = true;
    teacher.mentor.subjects = "физика".into();
    teacher.mentor.competencies = "Олимпиадная физика; проекты".into();
    teacher.mentor.forms = vec!["учитель – ученик".into()];
    teacher.mentor.time_available = "среда после 15:00".into();
    teacher.mentor.questionnaire = true;
    teacher.consent = Some(export::view::SignedView {
        signed_on: "2026-09-10".into(),
        signed_by: "Берёзкин В. И.".into(),
        by_representative: false,
        withdrawn_on: String::new(),
    });

    let mut student = person("s", "Ёлкина Дарья Петровна", "ученик");
    student.class = "6А".into();
    student.birth_date = "2014-03-08".into();
    student.minor = true;
    student.representative = "Ёлкина Марина Олеговна".into();
    student.mentee.in_base = true;
    student.mentee.requests = vec![
        export::view::RequestView {
            problem: "Трудности с дробями".into(),
            source: "анкетирование".into(),
            noted_on: "2026-09-14".into(),
        },
        export::view::RequestView {
            problem: "Не решается выступать на уроке".into(),
            source: "лист «Мне нужна помощь»".into(),
            noted_on: String::new(),
        },
    ];
    student.consent = Some(export::view::SignedView {
        signed_on: "2026-09-12".into(),
        signed_by: "Ёлкина Марина Олеговна".into(),
        by_representative: true,
        withdrawn_on: "2026-10-01".into(),
    });

    // In the mentee base, without a request yet; sorts after «Ёлкина» (ё as е).
    let mut waiting = person("w", "Жаров Антон Юрьевич", "ученик");
    waiting.class = "6Б".into();
    waiting.minor = true;
    waiting.mentee.in_base = true;

    let mut erased = person("e", "Стёпкина Ульяна Игоревна", "педагог");
    erased.erased = true;
    erased.birth_date = "1979-05-05".into();
    erased.mentor.in_base = true;
    erased.mentor.competencies = "Секретная компетенция".into();

    let pair = |id: &str, mentor: &str| PairView {
        id: id.into(),
        programme: "g".into(),
        mentors: vec![mentor.into()],
        mentees: vec!["s".into()],
        form: "учитель – ученик".into(),
        status: "работает".into(),
        active: true,
        order_number: "12-о".into(),
        order_date: "2026-09-20".into(),
        ..PairView::default()
    };
    SchoolData {
        academic_year: "2026/2027".into(),
        today: "2026-11-23".into(),
        profile: export::SchoolProfile {
            short_name: "МОУ «Берёзовская школа» & филиал".into(),
            ..Default::default()
        },
        programmes: vec![export::ProgrammeView {
            id: "g".into(),
            title: "Шаг за шагом".into(),
            ..Default::default()
        }],
        pairs: vec![pair("p1", "t"), pair("p2", "e")],
        people: vec![waiting, teacher, student, erased],
        roadmap: vec![
            RoadmapRowView {
                section: 4,
                content: "Публикации о наставничестве на сайте школы".into(),
                period: "в течение года".into(),
                indicator: "не менее 2".into(),
                ..Default::default()
            },
            RoadmapRowView {
                section: 1,
                content: "Приказ о внедрении целевой модели".into(),
                period: "сентябрь 2026".into(),
                result: "Приказ".into(),
                responsible: "Директор".into(),
                status: "выполнено".into(),
                ..Default::default()
            },
        ],
        ..SchoolData::default()
    }
}

#[test]
fn an_erased_person_is_only_the_mark_even_if_the_view_still_has_their_name() {
    let data = small_school();
    let sheets = open(&workbook(&data, Table::All).unwrap());
    let text = all_text(&sheets).join("\n");
    for secret in ["Стёпкина", "Секретная компетенция"] {
        assert!(!text.contains(secret), "{secret}");
    }
    let (_, pairs) = &sheets[3];
    let rows = rows_where(pairs, "Наставник", ERASED);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        s(&rows[0][col(pairs, "Наставляемые")]),
        "Ёлкина Дарья Петровна"
    );
    // Nor a birth date of theirs.
    let erased_birth = serial("1979-05-05");
    assert!(
        !sheets
            .iter()
            .flat_map(|(_, r)| r.iter().flatten())
            .any(|c| matches!(c, Data::DateTime(d) if d.as_f64() == erased_birth))
    );
    // The mentor base has the teacher only.
    let (_, mentors) = &sheets[0];
    assert_eq!(mentors.len(), 2);
}

#[test]
fn hand_made_records_come_out_whole() {
    let data = small_school();

    let mentors = sheet(&data, Table::MentorBase);
    assert_eq!(
        mentors[1].iter().map(s).collect::<Vec<_>>()[1..10],
        [
            "Берёзкин Всеволод Ильич",
            "педагог",
            "учитель физики",
            "физика",
            "Олимпиадная физика; проекты",
            "учитель – ученик",
            "среда после 15:00",
            "заполнена",
            "",
        ]
    );
    assert_eq!(number(&mentors[1][10]), 1.0, "one mentee now");

    let mentees = sheet(&data, Table::MenteeBase);
    assert_eq!(
        mentees.len(),
        4,
        "a row per request, one for a mentee without"
    );
    assert_eq!(s(&mentees[3][1]), "Жаров Антон Юрьевич");
    assert_eq!(number(&mentees[3][0]), 2.0);
    assert_eq!(mentees[3][5], Data::Empty);
    assert_eq!(s(&mentees[3][8]), "", "no mentor yet");
    assert_eq!(s(&mentees[1][5]), "Трудности с дробями");
    assert_eq!(s(&mentees[2][6]), "лист «Мне нужна помощь»");
    assert_date(&mentees[1][7], "2026-09-14");
    assert_eq!(mentees[2][7], Data::Empty, "a request without a date");
    assert_date(&mentees[2][4], "2014-03-08");
    assert_eq!(number(&mentees[2][0]), 1.0, "both rows are mentee 1");
    assert_eq!(
        s(&mentees[1][8]),
        format!("Берёзкин Всеволод Ильич, {ERASED}")
    );

    let consents = sheet(&data, Table::Consents);
    assert_eq!(
        consents.len(),
        7,
        "two documents for each of three participants"
    );
    let withdrawn = rows_where(&consents, "Статус", "отозвано");
    assert_eq!(withdrawn.len(), 1);
    let row = withdrawn[0];
    assert_eq!(s(&row[1]), "Ёлкина Дарья Петровна");
    assert_eq!(
        s(&row[col(&consents, "Кто подписал")]),
        "Ёлкина Марина Олеговна"
    );
    assert_eq!(
        s(&row[col(&consents, "Подписант")]),
        "законный представитель"
    );
    assert_eq!(s(&row[col(&consents, "Несовершеннолетний")]), "да");
    assert_date(&row[col(&consents, "Дата подписания")], "2026-09-12");
    assert_date(&row[col(&consents, "Дата отзыва")], "2026-10-01");
    assert_eq!(rows_where(&consents, "Статус", "подписано").len(), 1);
    assert_eq!(rows_where(&consents, "Статус", "не подписано").len(), 4);

    let register = sheet(&data, Table::Register);
    assert_eq!(
        register[1..].iter().map(|r| s(&r[1])).collect::<Vec<_>>(),
        [
            "Берёзкин Всеволод Ильич",
            "Ёлкина Дарья Петровна",
            "Жаров Антон Юрьевич"
        ],
        "by name, ё as е"
    );
    assert_eq!(
        s(&register[2][col(&register, "Законный представитель")]),
        "Ёлкина Марина Олеговна"
    );
    assert_eq!(
        number(&register[2][col(&register, "Пар (групп) как наставляемый")]),
        2.0
    );

    // The roadmap by section, numbered within each.
    let roadmap = sheet(&data, Table::Roadmap);
    assert_eq!(
        roadmap[1..]
            .iter()
            .map(|r| (s(&r[0]), s(&r[1]), s(&r[2])))
            .collect::<Vec<_>>(),
        [
            (
                "1.1.".to_owned(),
                model::SECTIONS[0].to_owned(),
                "Приказ о внедрении целевой модели".to_owned()
            ),
            (
                "4.1.".to_owned(),
                "Информационное сопровождение".to_owned(),
                "Публикации о наставничестве на сайте школы".to_owned()
            ),
        ]
    );
}

#[test]
fn the_package_has_a_frozen_bold_header_an_autofilter_and_no_clock() {
    let data = small_school();
    let bytes = workbook(&data, Table::Register).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"ySplit="1""#), "{sheet}");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A1:O4"/>"#), "{sheet}");
    assert!(sheet.contains("<cols>"), "column widths: {sheet}");
    assert!(sheet.contains(r#"orientation="landscape""#), "{sheet}");
    // The school's «&» is doubled in the printed page header, as Excel requires.
    assert!(
        sheet.contains("&amp;LМОУ «Берёзовская школа» &amp;&amp; филиал&amp;CПерсонифицированный учёт участников&amp;R2026/2027"),
        "{sheet}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"), "a bold font: {styles}");
    assert!(styles.contains(r#"formatCode="dd.mm.yyyy""#), "{styles}");
    // The header repeats on every printed page.
    let book = part(&bytes, "xl/workbook.xml");
    assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    // Made «today» as the data says, not when the test runs: the same data, the same bytes.
    let core = part(&bytes, "docProps/core.xml");
    assert!(core.contains("2026-11-23T00:00:00Z"), "{core}");
    assert!(
        core.contains("Персонифицированный учёт участников"),
        "{core}"
    );
    assert_eq!(bytes, workbook(&data, Table::Register).unwrap());
}

#[test]
fn an_empty_school_still_gets_every_table_with_its_headers() {
    let data = SchoolData::default();
    for table in Table::ALL {
        let sheets = open(&workbook(&data, table).unwrap());
        assert_eq!(sheets.len(), table.sheets().len(), "{table:?}");
        for (_, rows) in sheets {
            assert_eq!(rows.len(), 1, "{table:?}: the header only");
            assert_eq!(s(&rows[0][0]), "№");
        }
    }
}

#[test]
fn the_count_for_the_rnc_is_the_models_count_and_says_what_the_records_say() {
    let school = common::shared();
    let data = school.data();
    let rows = sheet(&data, Table::RncCount);
    assert_eq!(
        headers(&rows),
        ["№", "Показатель", "Наставники", "Наставляемые", "Всего"]
    );
    let c = &data.count;
    assert_eq!(c.academic_year, data.academic_year);
    // One row per line of the count, with its figures; then pairs and coverage.
    for (line, row) in c.lines.iter().zip(&rows[1..]) {
        assert_eq!(s(&row[0]), line.number);
        assert_eq!(s(&row[1]), line.label);
        let figure = |n: Option<usize>, cell: &Data| match n {
            Some(n) => assert_eq!(number(cell), n as f64, "{}", line.label),
            None => assert_eq!(cell, &Data::Empty, "{}", line.label),
        };
        figure(line.mentors, &row[2]);
        figure(line.mentees, &row[3]);
        assert_eq!(number(&row[4]), line.total as f64);
    }
    let after = &rows[1 + c.lines.len()..];
    assert_eq!(s(&after[0][1]), "Наставнических пар и групп");
    assert_eq!(number(&after[0][4]), c.pairs as f64);
    assert!(s(&after[1][1]).starts_with("Охват обучающихся, %"));
    assert_eq!(number(&after[1][4]), c.coverage().unwrap());

    // The figures, from the records: the mentees of the year's working pairs.
    let entries = School::list::<PersonEntry>(&school.doc).unwrap();
    let listed = |id: &str| {
        entries
            .iter()
            .any(|(e, x)| e.as_str() == id && x.removed_at.is_none() && !x.is_erased())
    };
    let mut mentees = std::collections::BTreeSet::new();
    let mut pairs = 0;
    let year_pairs = model::year::pairs_in_year(
        School::list::<Pair>(&school.doc).unwrap(),
        &School::programmes(&school.doc).unwrap(),
        &common::year(),
    );
    for (_, p) in year_pairs {
        if p.removed_at.is_some() || p.status == "forming" {
            continue;
        }
        pairs += 1;
        mentees.extend(p.mentees.keys().filter(|m| listed(m)).cloned());
    }
    assert!(pairs > 10, "the demo year has working pairs: {pairs}");
    assert_eq!(c.pairs, pairs);
    assert_eq!(c.line("1").unwrap().mentees, Some(mentees.len()));
    let at_risk = mentees
        .iter()
        .filter(|m| school.people[*m].categories.contains_key("risk"))
        .count();
    assert!(at_risk > 0, "the demo year has mentees of группа риска");
    assert_eq!(c.line("3.2").unwrap().mentees, Some(at_risk));
    assert!(c.line("3.2").unwrap().label.contains("группы риска"));
}

#[test]
fn the_monitoring_workbook_has_its_three_sheets_with_the_figures_of_the_first_monitoring() {
    let data = common::shared().data();
    let f = &data.monitorings[0].figures;
    let sheets = open(&workbook(&data, Table::Monitoring).unwrap());
    assert_eq!(
        sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "Качество реализации",
            "Удовлетворённость",
            "Динамика участников"
        ]
    );
    assert_eq!(Table::Monitoring.file_name(), "Показатели мониторинга.xlsx");
    let quality = &sheets[0].1;
    assert_eq!(quality.len(), 1 + f.quality.len());
    for (q, row) in f.quality.iter().zip(&quality[1..]) {
        assert_eq!(s(&row[0]), q.title);
        let numbers: Vec<f64> = row[1..].iter().map(number).collect();
        assert_eq!(
            numbers,
            [
                q.pairs,
                q.participants,
                q.meetings.value,
                q.meetings.of,
                q.plans.value,
                q.plans.of,
                q.documents.value
            ]
            .map(|n| n as f64)
        );
    }
    let satisfaction = &sheets[1].1;
    assert_eq!(s(&satisfaction[1][0]), "наставники");
    assert_eq!(s(&satisfaction[2][0]), "наставляемые");
    // December's dynamics: the questions, answered by nobody yet both times.
    let dynamics = &sheets[2].1;
    assert_eq!(dynamics.len(), 1 + f.dynamics.len());
    assert!(dynamics[1..].iter().all(|r| number(&r[2]) == 0.0));
}
