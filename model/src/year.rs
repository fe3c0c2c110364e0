//! Academic years: which year a record belongs to, and the rollover from one year to the next.
//!
//! A programme names its year («2026/2027»); its pairs, their meetings and plans belong to it.
//! A roadmap row and a questionnaire name their year too, or, made before years were kept,
//! belong to the year they were made for (made in July or August, the coming one). An event
//! belongs to the year of its date.
//!
//! **The rollover** to the next year is one confirmed action in two parts, both safe to repeat
//! and to run on two tablets at once:
//! - in the school document ([`apply_to_school`]): the year's record, copies of the year's
//!   programmes (approvals and implementation statuses cleared), roadmap rows (dates a year on,
//!   statuses cleared) and questionnaires, and a continuation of every pair still working, in
//!   the new year's copy of its programme. Copies have ids made from the original's id and the
//!   new year, so two tablets rolling over concurrently write the same records, not two sets;
//!   a copy already there is never written again (it may have been edited since), and a record
//!   of the year that some device wrote first does not stop the copies.
//! - in each student's document ([`apply_to_person`]): the next class, or, after the eleventh,
//!   the graduate's role with the year of graduation. The person's `class_year` says which
//!   year their class is of, so a student already moved up is never moved twice, whichever
//!   document reaches a tablet first.
//!
//! Nothing of the old year is changed: its programmes, pairs, roadmap and questionnaires stay
//! as they were, and stay browsable by choosing the year.

use std::collections::{BTreeMap, BTreeSet};

use autosurgeon::{Hydrate, Reconcile, Text};
use chrono::{Datelike, NaiveDate};

use crate::record::{self, Read, Record, Write};
use crate::{
    Deadline, Event, ModelError, Pair, Person, PersonEntry, Programme, Questionnaire, RecordId,
    RoadmapRow, Role, Row, ru, validate,
};

/// The academic year of a day: from 1 September to 31 August.
pub fn of_date(date: NaiveDate) -> String {
    ru::academic_year(date)
}

/// The academic year of a moment in Unix milliseconds (UTC).
pub fn of_ms(ms: i64) -> String {
    let date = chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    of_date(date)
}

/// The year a plan made at `ms` is for: made in July or August, it prepares the coming year.
fn planned_for(ms: i64) -> String {
    let date = chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    if matches!(date.month(), 7 | 8) {
        next(&of_date(date)).unwrap_or_else(|| of_date(date))
    } else {
        of_date(date)
    }
}

/// The first calendar year of «2026/2027», if it is a well-formed academic year.
pub fn start_of(year: &str) -> Option<i32> {
    let (a, b) = year.trim().split_once('/')?;
    let (a, b) = (a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?);
    (b == a + 1 && (2000..2100).contains(&a)).then_some(a)
}

/// The year after `year`: «2026/2027» → «2027/2028».
pub fn next(year: &str) -> Option<String> {
    start_of(year).map(|a| format!("{}/{}", a + 1, a + 2))
}

/// The year a record belongs to.
pub trait InYear {
    fn academic_year(&self) -> String;

    fn is_in(&self, year: &str) -> bool {
        self.academic_year() == year.trim()
    }
}

impl InYear for Programme {
    fn academic_year(&self) -> String {
        match self.academic_year.trim() {
            "" => planned_for(self.created_at),
            year => year.to_owned(),
        }
    }
}

impl InYear for RoadmapRow {
    fn academic_year(&self) -> String {
        match self.academic_year.trim() {
            "" => planned_for(self.created_at),
            year => year.to_owned(),
        }
    }
}

impl InYear for Questionnaire {
    fn academic_year(&self) -> String {
        match self.academic_year.trim() {
            "" => planned_for(self.created_at),
            year => year.to_owned(),
        }
    }
}

impl InYear for Event {
    fn academic_year(&self) -> String {
        validate::iso(&self.date)
            .map(of_date)
            .unwrap_or_else(|| of_ms(self.created_at))
    }
}

/// Keeps the records of `year`.
pub fn in_year<T: InYear>(records: Vec<(RecordId, T)>, year: &str) -> Vec<(RecordId, T)> {
    records.into_iter().filter(|(_, r)| r.is_in(year)).collect()
}

/// Keeps the pairs of `year` ([`pair_year`]).
pub fn pairs_in_year(
    pairs: Vec<(RecordId, Pair)>,
    programmes: &[(RecordId, Programme)],
    year: &str,
) -> Vec<(RecordId, Pair)> {
    let year = year.trim();
    pairs
        .into_iter()
        .filter(|(_, p)| pair_year(p, programmes) == year)
        .collect()
}

/// The year a pair works in: its programme's; for a pair whose programme this device does not
/// know (or one without a year), the year it was formed for.
pub fn pair_year(pair: &Pair, programmes: &[(RecordId, Programme)]) -> String {
    programmes
        .iter()
        .find(|(id, _)| id.as_str() == pair.programme)
        .map(|(_, p)| p.academic_year())
        .filter(|y| !y.is_empty())
        .unwrap_or_else(|| planned_for(pair.created_at))
}

/// A year the school has moved on to, kept in the collection `years` of the school document
/// under the id `year-2027-2028`: two tablets starting it concurrently write one record.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct YearStart {
    /// «2027/2028».
    pub year: String,
    /// The year it was rolled over from.
    pub from: String,
    /// ISO date of the rollover.
    pub started_on: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

record::record!(YearStart, "years", "Учебный год");

fn year_id(year: &str) -> RecordId {
    RecordId::new(format!("year-{}", year.trim().replace('/', "-")))
}

/// Whether the school has already moved on to `year`.
pub fn is_started(doc: &impl Read, year: &str) -> Result<bool, ModelError> {
    Ok(record::locate(doc, YearStart::COLLECTION, &year_id(year))?.is_some())
}

/// The years the school works in, newest first: its programmes' years, the years it moved on
/// to, and the current one.
pub fn years(doc: &impl Read, today: NaiveDate) -> Vec<String> {
    years_of(
        &record::list::<Programme>(doc).unwrap_or_default(),
        &record::list::<YearStart>(doc).unwrap_or_default(),
        today,
    )
}

/// [`years`] from lists already read (the app's cached collections).
pub fn years_of(
    programmes: &[(RecordId, Programme)],
    starts: &[(RecordId, YearStart)],
    today: NaiveDate,
) -> Vec<String> {
    let mut all: BTreeSet<String> = BTreeSet::new();
    for (_, p) in programmes {
        if start_of(&p.academic_year).is_some() {
            all.insert(p.academic_year.trim().to_owned());
        }
    }
    for (_, y) in starts {
        if start_of(&y.year).is_some() {
            all.insert(y.year.clone());
        }
    }
    all.insert(of_date(today));
    all.into_iter().rev().collect()
}

/// What the rollover does to one student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Promotion {
    /// «7Б» → «8Б».
    Class { from: String, to: String },
    /// After the eleventh class: a graduate of the year the old academic year ends in.
    Graduate { class: String, year: String },
    /// A class the rollover cannot read («коррекционный»): left for the curator.
    Unrecognised(String),
}

/// The last class of a Russian school.
const LAST_CLASS: u32 = 11;

/// What the rollover does to a student of `class`: «7Б» → «8Б», «10-А» → «11-А», the eleventh
/// class → a graduate of `graduation_year`; a class not starting with its number is left alone.
pub fn promote(class: &str, graduation_year: &str) -> Promotion {
    let class = class.trim();
    let digits: String = class.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(number) = digits.parse::<u32>() else {
        return Promotion::Unrecognised(class.to_owned());
    };
    if !(1..=LAST_CLASS).contains(&number) {
        return Promotion::Unrecognised(class.to_owned());
    }
    if number == LAST_CLASS {
        return Promotion::Graduate {
            class: class.to_owned(),
            year: graduation_year.to_owned(),
        };
    }
    Promotion::Class {
        from: class.to_owned(),
        to: format!("{}{}", number + 1, &class[digits.len()..]),
    }
}

/// Everything the rollover from `from` to `to` will do, shown to the curator before they
/// confirm, then applied.
#[derive(Clone, Debug, Default)]
pub struct Rollover {
    pub from: String,
    pub to: String,
    /// New id → the copy, for every programme of `from` (removed ones are left behind).
    pub programmes: Vec<(RecordId, Programme)>,
    pub roadmap: Vec<(RecordId, RoadmapRow)>,
    pub questionnaires: Vec<(RecordId, Questionnaire)>,
    /// Continuations of the pairs still working (being formed, working or extended).
    pub pairs: Vec<(RecordId, Pair)>,
    /// Pairs of `from` that finished (completed or terminated): they stay in `from`.
    pub finished_pairs: usize,
    /// Students (person id → what happens to them) whose class is of `from`.
    pub students: Vec<(String, Promotion)>,
    /// Students of the register whose documents this device does not hold: their classes are
    /// not changed (the next rollover moves them once).
    pub students_without_data: usize,
}

impl Rollover {
    pub fn moved_up(&self) -> usize {
        self.count(|p| matches!(p, Promotion::Class { .. }))
    }
    pub fn graduating(&self) -> usize {
        self.count(|p| matches!(p, Promotion::Graduate { .. }))
    }
    pub fn unrecognised(&self) -> Vec<&str> {
        self.students
            .iter()
            .filter_map(|(_, p)| match p {
                Promotion::Unrecognised(c) => Some(c.as_str()),
                _ => None,
            })
            .collect()
    }
    fn count(&self, f: impl Fn(&Promotion) -> bool) -> usize {
        self.students.iter().filter(|(_, p)| f(p)).count()
    }
}

/// The id of the copy of `id` in the year starting `start`.
fn copy_id(id: &RecordId, to: &str) -> RecordId {
    let start = start_of(to).unwrap_or_default();
    RecordId::new(format!("{id}@{start}"))
}

fn fresh(text: &Text) -> Text {
    Text::with_value(text.as_str())
}

/// A row carried into the new year: its text and period, a date a year later, no status.
fn carried_row(row: &Row) -> Row {
    Row {
        id: row.id.clone(),
        text: fresh(&row.text),
        period: year_later(&row.period),
        responsible: row.responsible.clone(),
        status: String::new(),
        note: Text::default(),
        removed_at: None,
    }
}

fn carried_rows(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .filter(|r| r.removed_at.is_none())
        .map(carried_row)
        .collect()
}

/// A stored deadline a year later (a date moves; months and text stay).
fn year_later(stored: &str) -> String {
    match Deadline::from_stored(stored) {
        Deadline::Date(d) => {
            let later = d
                .with_year(d.year() + 1)
                .or_else(|| NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 28))
                .unwrap_or(d);
            Deadline::Date(later).store()
        }
        _ => stored.to_owned(),
    }
}

/// Works out the rollover from `from` to the next year. `people` are the people's documents
/// read so far (an erased or unread person is left alone).
pub fn plan(
    school: &impl Read,
    people: &BTreeMap<String, Person>,
    from: &str,
    now_ms: i64,
) -> Result<Rollover, ModelError> {
    let from = from.trim().to_owned();
    let to = next(&from).ok_or(crate::ValidationError::AcademicYear)?;
    let programmes: Vec<(RecordId, Programme)> = record::active::<Programme>(school)?
        .into_iter()
        .filter(|(_, p)| p.is_in(&from))
        .collect();
    let copies: BTreeMap<String, RecordId> = programmes
        .iter()
        .map(|(id, _)| (id.to_string(), copy_id(id, &to)))
        .collect();
    let mut out = Rollover {
        from: from.clone(),
        to: to.clone(),
        ..Rollover::default()
    };
    for (id, p) in &programmes {
        let copy = Programme {
            title: fresh(&p.title),
            academic_year: to.clone(),
            agreed_on: String::new(),
            approved_on: String::new(),
            note: fresh(&p.note),
            goal: fresh(&p.goal),
            tasks: carried_rows(&p.tasks),
            results: carried_rows(&p.results),
            indicators: carried_rows(&p.indicators),
            stages: carried_rows(&p.stages),
            implementation: p
                .implementation
                .keys()
                .map(|k| (k.clone(), String::new()))
                .collect(),
            rights_duties: fresh(&p.rights_duties),
            work_plan: carried_rows(&p.work_plan),
            personal_plan: carried_rows(&p.personal_plan),
            created_at: now_ms,
            removed_at: None,
            ..p.clone()
        };
        out.programmes.push((copy_id(id, &to), copy));
    }
    for (id, row) in record::active::<RoadmapRow>(school)? {
        if !row.is_in(&from) {
            continue;
        }
        let copy = RoadmapRow {
            content: fresh(&row.content),
            period: year_later(&row.period),
            result: fresh(&row.result),
            indicator: fresh(&row.indicator),
            status: String::new(),
            academic_year: to.clone(),
            created_at: now_ms,
            removed_at: None,
            ..row.clone()
        };
        out.roadmap.push((copy_id(&id, &to), copy));
    }
    for (id, q) in record::active::<Questionnaire>(school)? {
        if !q.is_in(&from) {
            continue;
        }
        let copy = Questionnaire {
            title: fresh(&q.title),
            questions: q
                .questions
                .iter()
                .map(|question| crate::Question {
                    text: fresh(&question.text),
                    ..question.clone()
                })
                .collect(),
            academic_year: to.clone(),
            created_at: now_ms,
            removed_at: None,
            ..q.clone()
        };
        out.questionnaires.push((copy_id(&id, &to), copy));
    }
    for (id, pair) in record::active::<Pair>(school)? {
        let Some(programme) = copies.get(&pair.programme) else {
            continue;
        };
        if !pair.is_current() {
            out.finished_pairs += 1;
            continue;
        }
        let copy = Pair {
            programme: programme.to_string(),
            mentors: pair.mentors.keys().map(|k| (k.clone(), now_ms)).collect(),
            mentees: pair.mentees.keys().map(|k| (k.clone(), now_ms)).collect(),
            goal: fresh(&pair.goal),
            preparatory: Default::default(),
            main: Default::default(),
            closing: Default::default(),
            order_number: String::new(),
            order_date: String::new(),
            status: if pair.status == "forming" {
                "forming".to_owned()
            } else {
                "active".to_owned()
            },
            plan: carried_rows(
                &pair
                    .plan
                    .iter()
                    .filter(|r| !matches!(r.status.as_str(), "done" | "cancelled"))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            created_at: now_ms,
            removed_at: None,
            ..pair.clone()
        };
        out.pairs.push((copy_id(&id, &to), copy));
    }
    let graduation_year = (start_of(&to).unwrap_or_default()).to_string();
    let register = record::list::<PersonEntry>(school)?;
    for (id, entry) in register {
        if entry.removed_at.is_some() || entry.is_erased() || entry.role() != Some(Role::Student) {
            continue;
        }
        let Some(person) = people.get(id.as_str()) else {
            out.students_without_data += 1;
            continue;
        };
        if person.class.trim().is_empty() || class_year(person, &from) != from {
            continue;
        }
        out.students
            .push((id.to_string(), promote(&person.class, &graduation_year)));
    }
    Ok(out)
}

/// The year a student's class is of: as recorded, or, recorded before years were kept, the
/// year the rollover starts from.
fn class_year(person: &Person, from: &str) -> String {
    match person.class_year.trim() {
        "" => from.trim().to_owned(),
        year => year.to_owned(),
    }
}

/// Writes the school's part of the rollover: what of it is not there yet. Returns whether it
/// wrote anything (`false` when the school had already moved on, here or, synced, elsewhere).
/// A record of the year written by someone else does not stop it: the copies and the year's
/// record are each added if missing.
pub fn apply_to_school(
    tx: &mut impl Write,
    rollover: &Rollover,
    now_ms: i64,
) -> Result<bool, ModelError> {
    crate::School::writable(tx)?;
    record::ensure_collection(tx, YearStart::COLLECTION)?;
    let mut added = record::insert_missing(tx, &rollover.programmes)?
        + record::insert_missing(tx, &rollover.roadmap)?
        + record::insert_missing(tx, &rollover.questionnaires)?
        + record::insert_missing(tx, &rollover.pairs)?;
    for (id, promotion) in &rollover.students {
        if matches!(promotion, Promotion::Graduate { .. }) {
            let id = RecordId::new(id.clone());
            if record::locate(tx, PersonEntry::COLLECTION, &id)?.is_some() {
                added += record::update::<PersonEntry, _>(tx, &id, |e| {
                    let changed = e.role != Role::Graduate.code();
                    e.role = Role::Graduate.code().to_owned();
                    Ok(usize::from(changed))
                })?;
            }
        }
    }
    let started_on = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|d| d.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    added += record::insert_missing(
        tx,
        &[(
            year_id(&rollover.to),
            YearStart {
                year: rollover.to.clone(),
                from: rollover.from.clone(),
                started_on,
                created_at: now_ms,
                removed_at: None,
            },
        )],
    )?;
    Ok(added > 0)
}

/// Moves one student up in their own document, unless their class is already of `to`.
/// Returns whether it changed anything.
pub fn apply_to_person(
    tx: &mut impl Write,
    promotion: &Promotion,
    from: &str,
    to: &str,
    now_ms: i64,
) -> Result<bool, ModelError> {
    let person = crate::PersonDoc::read(tx)?;
    if matches!(promotion, Promotion::Unrecognised(_)) || class_year(&person, from) != from.trim() {
        return Ok(false);
    }
    let change = crate::PersonField::Promotion {
        promotion: promotion.clone(),
        year: to.trim().to_owned(),
    };
    crate::PersonDoc::update(tx, change, now_ms)?;
    Ok(true)
}
