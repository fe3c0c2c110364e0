//! Spreadsheets out: the school's bases and registers as .xlsx workbooks a curator hands to the
//! director and the regional mentorship centre (issue 12).
//!
//! Each [`Table`] is one sheet: a bold header row that stays in view (frozen, repeated on every
//! printed page), an autofilter, column widths fitted to the contents, dates as real Excel dates
//! (дд.мм.гггг), landscape A4 one page wide. [`Table::All`] is the workbook «Реестры» with every
//! sheet.
//!
//! Who is in the tables: a participant is a person in the mentor base, in the mentee base or in
//! a pair; people removed from the register and people whose personal data was erased are left
//! out (an erased person a pair still names is «персональные данные удалены», nothing else).
//!
//! No clock: rust_xlsxwriter stamps a new workbook with the current time, which on
//! wasm32-unknown-unknown it reads from JavaScript (its `wasm` feature, turned on for that target
//! in `Cargo.toml`); the workbook's creation date is then set to [`SchoolData::today`], so the
//! same data makes the same bytes.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::view::{PairView, PersonView, SchoolData, SignedView};

pub use crate::tables::Table;

/// Why a workbook was not made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("Не удалось собрать таблицу «{table}»: {detail}")]
    Write {
        table: &'static str,
        /// The spreadsheet library's own words.
        detail: String,
    },
}

/// The .xlsx file of `table`.
pub fn workbook(data: &SchoolData, table: Table) -> Result<Vec<u8>, XlsxError> {
    let fail = |e: rust_xlsxwriter::XlsxError| XlsxError::Write {
        table: table.label(),
        detail: e.to_string(),
    };
    let mut book = Workbook::new();
    book.set_properties(&properties(data, table));
    let formats = Formats::new();
    for &sheet in table.sheets() {
        let sheet = build(data, sheet);
        render(&mut book, data, &sheet, &formats).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// What stands for a person whose personal data was erased.
pub const ERASED: &str = "персональные данные удалены";
/// What stands for a person whose document this device does not hold.
pub const NOT_HELD: &str = "данные участника не получены";

const DATE_FORMAT: &str = "dd.mm.yyyy";
/// Excel's limit on the text of one cell (UTF-16 units).
const MAX_CELL: usize = 32_767;
/// Excel's limit on a printed page header (UTF-16 units).
const MAX_HEADER: usize = 255;

// --- The tables as plain rows -------------------------------------------------------------------

enum Cell {
    Text(String),
    /// An ISO date; written as text if it is not one.
    Date(String),
    Number(f64),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

fn yes(v: bool) -> Cell {
    text(if v { "да" } else { "нет" })
}

/// A column: its header and the widest it grows (in characters) before its text wraps.
type Column = (&'static str, f64);

struct Sheet {
    table: Table,
    columns: &'static [Column],
    /// Columns kept in view on the left besides the header row (№ and ФИО).
    frozen_cols: u16,
    rows: Vec<Vec<Cell>>,
}

fn build(data: &SchoolData, table: Table) -> Sheet {
    let people = Participants::new(data);
    match table {
        Table::MentorBase => mentor_base(&people),
        Table::MenteeBase => mentee_base(&people),
        Table::Register => register(&people),
        Table::Pairs => pairs(data),
        Table::Consents => consents(&people),
        Table::Roadmap => roadmap(data),
        Table::RncCount => rnc_count(data),
        Table::MonitoringQuality => monitoring_quality(data),
        Table::MonitoringSatisfaction => monitoring_satisfaction(data),
        Table::MonitoringDynamics => monitoring_dynamics(data),
        // Never asked for: these are their sheets.
        Table::All | Table::Monitoring => Sheet {
            table,
            columns: &[],
            frozen_cols: 0,
            rows: vec![],
        },
    }
}

/// The people the tables are about, and what the pairs say about them.
struct Participants<'a> {
    data: &'a SchoolData,
}

impl<'a> Participants<'a> {
    fn new(data: &'a SchoolData) -> Self {
        Participants { data }
    }

    /// Not removed, not erased: whose data a table may show.
    fn shown(&self) -> impl Iterator<Item = &'a PersonView> {
        self.data.people.iter().filter(|p| !p.erased && !p.removed)
    }

    /// `filter`'s people sorted by name (ё as е), those whose data is not held last.
    fn sorted(&self, filter: impl Fn(&'a PersonView) -> bool) -> Vec<&'a PersonView> {
        let mut out: Vec<&PersonView> = self.shown().filter(|p| filter(p)).collect();
        out.sort_by_cached_key(|p| {
            let name = p.full_name.trim();
            (name.is_empty(), name.to_lowercase().replace('ё', "е"))
        });
        out
    }

    fn mentor_pairs(&self, id: &'a str) -> impl Iterator<Item = &'a PairView> + 'a {
        self.data
            .pairs
            .iter()
            .filter(move |p| p.mentors.iter().any(|m| m == id))
    }

    fn mentee_pairs(&self, id: &'a str) -> impl Iterator<Item = &'a PairView> + 'a {
        self.data
            .pairs
            .iter()
            .filter(move |p| p.mentees.iter().any(|m| m == id))
    }

    fn is_mentor(&self, p: &'a PersonView) -> bool {
        p.mentor.in_base || self.mentor_pairs(&p.id).next().is_some()
    }

    fn is_mentee(&self, p: &'a PersonView) -> bool {
        p.mentee.in_base || self.mentee_pairs(&p.id).next().is_some()
    }

    fn is_participant(&self, p: &'a PersonView) -> bool {
        self.is_mentor(p) || self.is_mentee(p)
    }

    /// A person as a table names them: the full name, or what stands in for it.
    fn name(&self, id: &str) -> String {
        match self.data.person(id) {
            Some(p) if p.erased => ERASED.to_owned(),
            Some(p) if !p.full_name.trim().is_empty() => p.full_name.trim().to_owned(),
            _ => NOT_HELD.to_owned(),
        }
    }

    fn names(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|id| self.name(id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn full_name(p: &PersonView) -> Cell {
    let name = p.full_name.trim();
    text(if name.is_empty() { NOT_HELD } else { name })
}

/// «7Б»; «ООО «Агрохолдинг», специалист»; «учитель математики»; «выпуск 2024».
fn place(p: &PersonView) -> String {
    if !p.class.is_empty() {
        return p.class.clone();
    }
    let graduated =
        (!p.graduation_year.is_empty()).then(|| format!("выпуск {}", p.graduation_year));
    [
        Some(p.organisation.clone()),
        Some(p.position.clone()),
        graduated,
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

fn status(s: Option<&SignedView>) -> &'static str {
    match s {
        Some(s) if !s.withdrawn_on.is_empty() => "отозвано",
        Some(s) if !s.signed_on.is_empty() => "подписано",
        _ => "не подписано",
    }
}

fn signed_on(s: Option<&SignedView>) -> Cell {
    Cell::Date(s.map(|s| s.signed_on.clone()).unwrap_or_default())
}

fn mentor_base(people: &Participants<'_>) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("ФИО", 36.0),
        ("Категория", 20.0),
        ("Место работы / класс", 30.0),
        ("Предметы", 24.0),
        ("Компетенции", 40.0),
        ("Формы наставничества", 26.0),
        ("Время для встреч", 26.0),
        ("Анкета", 10.0),
        ("Собеседование", 10.0),
        ("Наставляемых сейчас", 12.0),
    ];
    let rows = people
        .sorted(|p| people.is_mentor(p))
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let mut mentees: Vec<&str> = people
                .mentor_pairs(&p.id)
                .filter(|pair| pair.active)
                .flat_map(|pair| pair.mentees.iter().map(String::as_str))
                .collect();
            mentees.sort_unstable();
            mentees.dedup();
            let subjects = if p.mentor.subjects.is_empty() {
                &p.subjects
            } else {
                &p.mentor.subjects
            };
            vec![
                count(n + 1),
                full_name(p),
                text(&p.role),
                text(place(p)),
                text(subjects),
                text(&p.mentor.competencies),
                text(p.mentor.forms.join(", ")),
                text(&p.mentor.time_available),
                text(if p.mentor.questionnaire {
                    "заполнена"
                } else {
                    ""
                }),
                text(if p.mentor.interview {
                    "пройдено"
                } else {
                    ""
                }),
                count(mentees.len()),
            ]
        })
        .collect();
    Sheet {
        table: Table::MentorBase,
        columns: COLUMNS,
        frozen_cols: 2,
        rows,
    }
}

fn mentee_base(people: &Participants<'_>) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("ФИО", 36.0),
        ("Категория", 14.0),
        ("Класс / должность", 20.0),
        ("Дата рождения", 12.0),
        ("Запрос (проблема)", 44.0),
        ("Источник запроса", 24.0),
        ("Дата запроса", 12.0),
        ("Наставник", 36.0),
    ];
    let mut rows = vec![];
    for (n, p) in people
        .sorted(|p| people.is_mentee(p))
        .into_iter()
        .enumerate()
    {
        let mut mentors: Vec<String> = vec![];
        for pair in people.mentee_pairs(&p.id).filter(|pair| pair.active) {
            for name in pair.mentors.iter().map(|id| people.name(id)) {
                if !mentors.contains(&name) {
                    mentors.push(name);
                }
            }
        }
        let mentors = mentors.join(", ");
        let row = |problem: &str, source: &str, noted_on: &str| {
            vec![
                count(n + 1),
                full_name(p),
                text(&p.role),
                text(place(p)),
                Cell::Date(p.birth_date.clone()),
                text(problem),
                text(source),
                Cell::Date(noted_on.to_owned()),
                text(&mentors),
            ]
        };
        if p.mentee.requests.is_empty() {
            rows.push(row("", "", ""));
        }
        for r in &p.mentee.requests {
            rows.push(row(&r.problem, &r.source, &r.noted_on));
        }
    }
    Sheet {
        table: Table::MenteeBase,
        columns: COLUMNS,
        frozen_cols: 2,
        rows,
    }
}

fn register(people: &Participants<'_>) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("ФИО", 36.0),
        ("Роль", 20.0),
        ("Класс / должность", 26.0),
        ("Дата рождения", 12.0),
        ("Несовершеннолетний", 8.0),
        ("Законный представитель", 32.0),
        ("В базе наставников", 10.0),
        ("В базе наставляемых", 12.0),
        ("Пар (групп) как наставник", 12.0),
        ("Пар (групп) как наставляемый", 14.0),
        ("Согласие на обработку персональных данных", 14.0),
        ("Дата согласия", 12.0),
        ("Соглашение с наставником (наставляемым)", 14.0),
        ("Дата соглашения", 12.0),
    ];
    let rows = people
        .sorted(|p| people.is_participant(p))
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            vec![
                count(n + 1),
                full_name(p),
                text(&p.role),
                text(place(p)),
                Cell::Date(p.birth_date.clone()),
                yes(p.minor),
                text(&p.representative),
                yes(p.mentor.in_base),
                yes(p.mentee.in_base),
                count(people.mentor_pairs(&p.id).count()),
                count(people.mentee_pairs(&p.id).count()),
                text(status(p.consent.as_ref())),
                signed_on(p.consent.as_ref()),
                text(status(p.agreement.as_ref())),
                signed_on(p.agreement.as_ref()),
            ]
        })
        .collect();
    Sheet {
        table: Table::Register,
        columns: COLUMNS,
        frozen_cols: 2,
        rows,
    }
}

fn pairs(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("Программа", 28.0),
        ("Форма наставничества", 18.0),
        ("Ролевая модель", 24.0),
        ("Пара / группа", 9.0),
        ("Наставник", 34.0),
        ("Наставляемые", 40.0),
        ("Цель", 40.0),
        ("Формат", 22.0),
        ("Срок", 14.0),
        ("Статус", 14.0),
        ("Приказ №", 10.0),
        ("Дата приказа", 12.0),
        ("Подготовительный этап", 20.0),
        ("Основной этап", 26.0),
        ("Заключительный этап", 20.0),
    ];
    let people = Participants::new(data);
    // Programme by programme, in the order they were made; pairs of an unknown programme last.
    let rank = |p: &PairView| {
        data.programmes
            .iter()
            .position(|g| g.id == p.programme)
            .unwrap_or(usize::MAX)
    };
    let mut list: Vec<&PairView> = data.pairs.iter().collect();
    list.sort_by_key(|p| rank(p));
    let rows = list
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let programme = data
                .programme(&p.programme)
                .map(|g| g.title.clone())
                .unwrap_or_default();
            let mut mentees = people.names(&p.mentees);
            if !p.mentee_category.is_empty() {
                if !mentees.is_empty() {
                    mentees.push_str("; ");
                }
                mentees.push_str(&p.mentee_category);
            }
            let phase = |code: &str| {
                let title = model::label(&model::PHASES, code);
                p.phases
                    .iter()
                    .find(|ph| ph.title == title)
                    .map(|ph| ph.period.clone())
                    .unwrap_or_default()
            };
            vec![
                count(n + 1),
                text(programme),
                text(&p.form),
                text(&p.variant),
                text(if p.is_group() {
                    "группа"
                } else {
                    "пара"
                }),
                text(people.names(&p.mentors)),
                text(mentees),
                text(&p.goal),
                text(&p.format),
                text(&p.term),
                text(&p.status),
                text(&p.order_number),
                Cell::Date(p.order_date.clone()),
                text(phase("preparatory")),
                text(phase("main")),
                text(phase("closing")),
            ]
        })
        .collect();
    Sheet {
        table: Table::Pairs,
        columns: COLUMNS,
        frozen_cols: 1,
        rows,
    }
}

fn consents(people: &Participants<'_>) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("ФИО участника", 36.0),
        ("Роль", 20.0),
        ("Класс / должность", 20.0),
        ("Несовершеннолетний", 8.0),
        ("Документ", 30.0),
        ("Статус", 13.0),
        ("Дата подписания", 12.0),
        ("Кто подписал", 36.0),
        ("Подписант", 16.0),
        ("Дата отзыва", 12.0),
    ];
    let mut rows = vec![];
    for p in people.sorted(|p| people.is_participant(p)) {
        for (document, signed) in [
            (
                "Согласие на обработку персональных данных",
                p.consent.as_ref(),
            ),
            (
                "Соглашение между наставником и наставляемым",
                p.agreement.as_ref(),
            ),
        ] {
            rows.push(vec![
                count(rows.len() + 1),
                full_name(p),
                text(&p.role),
                text(place(p)),
                yes(p.minor),
                text(document),
                text(status(signed)),
                signed_on(signed),
                text(signed.map(|s| s.signed_by.clone()).unwrap_or_default()),
                text(match signed {
                    Some(s) if s.by_representative => "законный представитель",
                    Some(_) => "участник",
                    None => "",
                }),
                Cell::Date(signed.map(|s| s.withdrawn_on.clone()).unwrap_or_default()),
            ]);
        }
    }
    Sheet {
        table: Table::Consents,
        columns: COLUMNS,
        frozen_cols: 2,
        rows,
    }
}

fn roadmap(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 7.0),
        ("Раздел", 28.0),
        ("Содержание", 44.0),
        ("Сроки", 18.0),
        ("Ожидаемый результат (вид документа)", 30.0),
        ("Показатель эффективности", 30.0),
        ("Ответственный", 24.0),
        ("Статус", 14.0),
    ];
    let mut rows = vec![];
    let mut sections: Vec<u64> = data.roadmap.iter().map(|r| r.section).collect();
    sections.sort_unstable();
    sections.dedup();
    for section in sections {
        let name = usize::try_from(section)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| model::SECTIONS.get(i))
            .copied()
            .unwrap_or("");
        for (i, r) in data
            .roadmap
            .iter()
            .filter(|r| r.section == section)
            .enumerate()
        {
            rows.push(vec![
                text(format!("{section}.{}.", i + 1)),
                text(name),
                text(&r.content),
                text(&r.period),
                text(&r.result),
                text(&r.indicator),
                text(&r.responsible),
                text(&r.status),
            ]);
        }
    }
    Sheet {
        table: Table::Roadmap,
        columns: COLUMNS,
        frozen_cols: 0,
        rows,
    }
}

/// The count for the РНЦ: one row per line of [`model::count`], then the pairs counted and the
/// coverage of students. A line that does not apply (mentors by a mentee category) is empty.
fn rnc_count(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("№", 6.0),
        ("Показатель", 70.0),
        ("Наставники", 13.0),
        ("Наставляемые", 14.0),
        ("Всего", 10.0),
    ];
    let c = &data.count;
    let opt = |n: Option<usize>| n.map_or_else(|| text(""), count);
    let mut rows: Vec<Vec<Cell>> = c
        .lines
        .iter()
        .map(|l| {
            vec![
                text(&l.number),
                text(&l.label),
                opt(l.mentors),
                opt(l.mentees),
                count(l.total),
            ]
        })
        .collect();
    // Not counted (data made without the records): the headers only.
    if !rows.is_empty() {
        rows.push(vec![
            text("4"),
            text("Наставнических пар и групп"),
            text(""),
            text(""),
            count(c.pairs),
        ]);
        rows.push(vec![
            text("5"),
            text(format!(
                "Охват обучающихся, % ({} из {})",
                c.students_taking_part, c.students
            )),
            text(""),
            text(""),
            c.coverage().map_or_else(|| text(""), Cell::Number),
        ]);
        if c.unnamed_groups > 0 {
            rows.push(vec![
                text(""),
                text(format!(
                    "Групп, где наставляемые указаны только категорией (не вошли в подсчёт по именам): {}",
                    c.unnamed_groups
                )),
                text(""),
                text(""),
                text(""),
            ]);
        }
    }
    Sheet {
        table: Table::RncCount,
        columns: COLUMNS,
        frozen_cols: 0,
        rows,
    }
}

/// The monitoring the sheets are about: the first of `SchoolData::monitorings` (the screen puts
/// the one chosen first).
fn monitoring(data: &SchoolData) -> Option<&model::monitoring::Figures> {
    data.monitorings.first().map(|m| &m.figures)
}

fn mean_cell(v: Option<f64>) -> Cell {
    v.map_or_else(|| text(""), |v| Cell::Number((v * 100.0).round() / 100.0))
}

fn monitoring_quality(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("Программа", 40.0),
        ("Пар и групп", 10.0),
        ("Участников", 11.0),
        ("Встреч проведено", 11.0),
        ("Встреч по плану", 11.0),
        ("Пунктов планов выполнено", 12.0),
        ("Пунктов планов всего", 12.0),
        ("Подписали согласие и соглашение", 14.0),
    ];
    let rows = monitoring(data)
        .map(|f| {
            f.quality
                .iter()
                .map(|q| {
                    vec![
                        text(&q.title),
                        Cell::Number(q.pairs as f64),
                        Cell::Number(q.participants as f64),
                        Cell::Number(q.meetings.value as f64),
                        Cell::Number(q.meetings.of as f64),
                        Cell::Number(q.plans.value as f64),
                        Cell::Number(q.plans.of as f64),
                        Cell::Number(q.documents.value as f64),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    Sheet {
        table: Table::MonitoringQuality,
        columns: COLUMNS,
        frozen_cols: 1,
        rows,
    }
}

fn monitoring_satisfaction(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("Участники", 20.0),
        ("Средняя оценка (1–5)", 14.0),
        ("Ответили", 10.0),
    ];
    let rows = monitoring(data)
        .map(|f| {
            f.satisfaction
                .iter()
                .map(|s| {
                    vec![
                        text(&s.who),
                        mean_cell(s.mean),
                        Cell::Number(s.respondents as f64),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    Sheet {
        table: Table::MonitoringSatisfaction,
        columns: COLUMNS,
        frozen_cols: 0,
        rows,
    }
}

fn monitoring_dynamics(data: &SchoolData) -> Sheet {
    const COLUMNS: &[Column] = &[
        ("Анкета", 28.0),
        ("Вопрос", 44.0),
        ("Ответили оба раза", 11.0),
        ("Входное", 10.0),
        ("Итоговое", 10.0),
        ("Изменение", 10.0),
    ];
    let rows = monitoring(data)
        .map(|f| {
            f.dynamics
                .iter()
                .map(|d| {
                    vec![
                        text(&d.questionnaire),
                        text(&d.question),
                        Cell::Number(d.respondents as f64),
                        mean_cell(d.entry_mean),
                        mean_cell(d.final_mean),
                        mean_cell(d.change()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    Sheet {
        table: Table::MonitoringDynamics,
        columns: COLUMNS,
        frozen_cols: 0,
        rows,
    }
}

// --- Rendering ----------------------------------------------------------------------------------

struct Formats {
    header: Format,
    text: Format,
    date: Format,
    number: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xE7E6E6),
            text: cell.clone().set_text_wrap(),
            date: cell.clone().set_num_format(DATE_FORMAT),
            number: cell.set_align(FormatAlign::Center),
        }
    }
}

fn iso_date(s: &str) -> Option<ExcelDateTime> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

/// The first `max` UTF-16 units of `s`, on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// How wide a cell's contents are, in characters (its longest line).
fn width_of(cell: &Cell) -> f64 {
    match cell {
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0) as f64,
        Cell::Date(s) if iso_date(s).is_some() => 10.0,
        Cell::Date(s) => s.chars().count() as f64,
        Cell::Number(n) => format!("{n}").len() as f64,
    }
}

fn properties(data: &SchoolData, table: Table) -> DocProperties {
    let school = if data.profile.short_name.is_empty() {
        &data.profile.full_name
    } else {
        &data.profile.short_name
    };
    let mut props = DocProperties::new()
        .set_title(table.label())
        .set_company(school.as_str());
    if !data.academic_year.is_empty() {
        props = props.set_subject(format!("{} учебный год", data.academic_year));
    }
    if let Some(today) = iso_date(&data.today) {
        props = props.set_creation_datetime(&today);
    }
    props
}

/// The printed page header: the school on the left, the table in the middle, the year on the
/// right (`&` doubled, as Excel's header codes require).
fn page_header(data: &SchoolData, table: Table) -> String {
    let esc = |s: &str| s.replace('&', "&&");
    let school = if data.profile.short_name.is_empty() {
        &data.profile.full_name
    } else {
        &data.profile.short_name
    };
    let right = format!("&R{}", esc(&data.academic_year));
    let centre = format!("&C{}", esc(table.label()));
    let room =
        MAX_HEADER.saturating_sub(right.encode_utf16().count() + centre.encode_utf16().count() + 2);
    let mut left = esc(clip(school, room));
    // A clipped escape would leave a lone `&`, which Excel reads as a code.
    if left.ends_with('&') && !left.ends_with("&&") {
        left.pop();
    }
    format!("&L{left}{centre}{right}")
}

fn render(
    book: &mut Workbook,
    data: &SchoolData,
    sheet: &Sheet,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(sheet.table.sheet_name())?;
    let last_col = (sheet.columns.len() as u16).saturating_sub(1);
    for (c, (header, max)) in sheet.columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *header, &f.header)?;
        // Wide enough for the header's longest word and the contents, up to `max`.
        let word = header
            .split_whitespace()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let content = sheet
            .rows
            .iter()
            .filter_map(|row| row.get(usize::from(c)))
            .map(width_of)
            .fold(0.0, f64::max);
        let width = (word + 1.0).max((content + 2.0).min(*max)).max(5.0);
        ws.set_column_width(c, width)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) if s.trim().is_empty() => {
                    ws.write_blank(r, c, &f.text)?;
                }
                Cell::Text(s) => {
                    ws.write_string_with_format(r, c, clip(s.trim(), MAX_CELL), &f.text)?;
                }
                Cell::Date(s) => match iso_date(s) {
                    Some(d) => {
                        ws.write_datetime_with_format(r, c, &d, &f.date)?;
                    }
                    None if s.trim().is_empty() => {
                        ws.write_blank(r, c, &f.date)?;
                    }
                    None => {
                        ws.write_string_with_format(r, c, clip(s.trim(), MAX_CELL), &f.text)?;
                    }
                },
                Cell::Number(n) => {
                    ws.write_number_with_format(r, c, *n, &f.number)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, sheet.frozen_cols)?;
    ws.autofilter(0, 0, sheet.rows.len() as u32, last_col)?;
    ws.set_repeat_rows(0, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_header(page_header(data, sheet.table));
    ws.set_footer("&CСтраница &P из &N");
    Ok(())
}
