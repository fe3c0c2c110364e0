//! Mentoring pairs and groups, their individual plans, and the meeting cycle.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::{ModelError, RecordId, Row, RowEdit, ValidationError, validate};

pub type PairId = RecordId;
pub type MeetingId = RecordId;

/// Status codes of a pair and their labels.
pub const PAIR_STATUSES: [(&str, &str); 5] = [
    ("forming", "формируется"),
    ("active", "работает"),
    ("extended", "продлена"),
    ("completed", "завершена"),
    ("terminated", "прекращена"),
];

pub const PAIR_FORMATS: [(&str, &str); 2] = [
    ("individual", "индивидуальная траектория"),
    ("group", "групповая работа"),
];

pub const PAIR_TERMS: [(&str, &str); 3] = [
    ("short", "краткосрочное"),
    ("long", "долгосрочное"),
    ("goal", "целеполагающее"),
];

/// The three phases of a pair's work.
pub const PHASES: [(&str, &str); 3] = [
    ("preparatory", "Подготовительный этап"),
    ("main", "Основной этап"),
    ("closing", "Заключительный этап"),
];

pub const PLAN_STATUSES: [(&str, &str); 4] = [
    ("", "запланировано"),
    ("in-progress", "выполняется"),
    ("done", "выполнено"),
    ("cancelled", "отменено"),
];

pub fn label(codes: &[(&'static str, &'static str)], code: &str) -> &'static str {
    codes
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("—")
}

#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Phase {
    pub period: String,
    pub content: Text,
}

/// A mentoring pair or group.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Pair {
    pub programme: String,
    /// Person ids → when added. A map, so adding the same person twice is one entry.
    pub mentors: BTreeMap<String, i64>,
    pub mentees: BTreeMap<String, i64>,
    /// A named category instead of (or besides) named mentees: «дети группы риска».
    pub mentee_category: String,
    pub form: String,
    pub variant: String,
    pub goal: Text,
    pub format: String,
    pub term: String,
    pub preparatory: Phase,
    pub main: Phase,
    pub closing: Phase,
    pub order_number: String,
    /// ISO date of the order (приказ) that fixed the pair.
    pub order_date: String,
    pub status: String,
    /// The pair's individual plan.
    pub plan: Vec<Row>,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(Pair, "pairs", "Пара", check);

impl Pair {
    fn check(&self) -> Result<(), ValidationError> {
        if self.programme.is_empty() {
            return Err(ValidationError::NoProgramme);
        }
        if self.mentors.is_empty() {
            return Err(ValidationError::NoMentor);
        }
        if self.mentees.is_empty() && self.mentee_category.trim().is_empty() {
            return Err(ValidationError::NoMentee);
        }
        if self.mentors.keys().any(|m| self.mentees.contains_key(m)) {
            return Err(ValidationError::SamePerson);
        }
        Ok(())
    }
}

impl Pair {
    /// Pairs whose work is under way (the ones whose participants need signed documents).
    pub fn is_active(&self) -> bool {
        self.removed_at.is_none() && matches!(self.status.as_str(), "active" | "extended")
    }

    /// Pairs that take their mentor's time: not removed, and being formed or working (not
    /// completed or terminated). A mentor's load and «without a mentor» count these.
    pub fn is_current(&self) -> bool {
        self.removed_at.is_none() && !matches!(self.status.as_str(), "completed" | "terminated")
    }

    pub fn is_group(&self) -> bool {
        self.mentees.len() > 1 || !self.mentee_category.is_empty() || self.format == "group"
    }

    pub fn participants(&self) -> impl Iterator<Item = &String> {
        self.mentors.keys().chain(self.mentees.keys())
    }

    pub fn involves(&self, person: &str) -> bool {
        self.mentors.contains_key(person) || self.mentees.contains_key(person)
    }

    pub fn phase(&self, code: &str) -> Option<&Phase> {
        match code {
            "preparatory" => Some(&self.preparatory),
            "main" => Some(&self.main),
            "closing" => Some(&self.closing),
            _ => None,
        }
    }

    fn phase_mut(&mut self, code: &str) -> Result<&mut Phase, ModelError> {
        match code {
            "preparatory" => Ok(&mut self.preparatory),
            "main" => Ok(&mut self.main),
            "closing" => Ok(&mut self.closing),
            _ => Err(ModelError::NotFound("Этап")),
        }
    }

    /// Share of plan items done, of those not cancelled or removed: (done, total).
    pub fn plan_progress(&self) -> (usize, usize) {
        let counted: Vec<_> = self
            .plan
            .iter()
            .filter(|r| !r.is_removed() && r.status != "cancelled")
            .collect();
        (
            counted.iter().filter(|r| r.status == "done").count(),
            counted.len(),
        )
    }
}

/// What the «new pair» form asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairDraft {
    pub programme: String,
    pub mentors: Vec<String>,
    pub mentees: Vec<String>,
    pub mentee_category: String,
    pub form: String,
    pub goal: String,
    pub format: String,
}

impl Pair {
    pub fn from_draft(draft: PairDraft, now_ms: i64) -> Pair {
        let phase = |period: &str, content: &str| Phase {
            period: period.to_owned(),
            content: Text::with_value(content),
        };
        Pair {
            programme: draft.programme,
            mentors: draft.mentors.into_iter().map(|m| (m, now_ms)).collect(),
            mentees: draft.mentees.into_iter().map(|m| (m, now_ms)).collect(),
            mentee_category: draft.mentee_category.trim().to_owned(),
            form: draft.form,
            variant: String::new(),
            goal: Text::with_value(draft.goal.trim()),
            format: if draft.format.is_empty() {
                "individual".into()
            } else {
                draft.format
            },
            term: "long".into(),
            preparatory: phase(
                "months:9-9",
                "Входное анкетирование, составление персонализированной программы",
            ),
            main: phase("months:10-4", "Встречи, консультации, дорожная карта пары"),
            closing: phase(
                "months:5-5",
                "Итоговое анкетирование, анализ результатов, продление или завершение работы",
            ),
            order_number: String::new(),
            order_date: String::new(),
            status: "forming".into(),
            plan: vec![],
            created_at: now_ms,
            removed_at: None,
        }
    }
}

/// One change to a pair.
#[derive(Clone, Debug, PartialEq)]
pub enum PairField {
    Programme(String),
    AddMentor(String, i64),
    RemoveMentor(String),
    AddMentee(String, i64),
    RemoveMentee(String),
    MenteeCategory(String),
    Form(String),
    Variant(String),
    Goal(String),
    Format(String),
    Term(String),
    PhasePeriod(String, String),
    PhaseContent(String, String),
    OrderNumber(String),
    OrderDate(String),
    Status(String),
    AddPlanItem(Box<Row>),
    EditPlanItem(String, RowEdit),
}

impl PairField {
    pub(crate) fn apply(self, p: &mut Pair) -> Result<(), ModelError> {
        match self {
            PairField::Programme(v) => p.programme = v,
            PairField::AddMentor(id, at) => {
                p.mentors.entry(id).or_insert(at);
            }
            PairField::RemoveMentor(id) => {
                p.mentors.remove(&id);
            }
            PairField::AddMentee(id, at) => {
                p.mentees.entry(id).or_insert(at);
            }
            PairField::RemoveMentee(id) => {
                p.mentees.remove(&id);
            }
            PairField::MenteeCategory(v) => p.mentee_category = v.trim().to_owned(),
            PairField::Form(v) => p.form = v,
            PairField::Variant(v) => p.variant = v.trim().to_owned(),
            PairField::Goal(v) => p.goal.update(v),
            PairField::Format(v) => p.format = v,
            PairField::Term(v) => p.term = v,
            PairField::PhasePeriod(phase, v) => {
                p.phase_mut(&phase)?.period = crate::Deadline::parse(&v).store()
            }
            PairField::PhaseContent(phase, v) => p.phase_mut(&phase)?.content.update(v),
            PairField::OrderNumber(v) => p.order_number = v.trim().to_owned(),
            PairField::OrderDate(v) => p.order_date = validate::optional_date(&v)?,
            PairField::Status(v) => p.status = v,
            PairField::AddPlanItem(row) => {
                if row.text.as_str().trim().is_empty() {
                    return Err(ValidationError::EmptyText.into());
                }
                p.plan.push(*row)
            }
            PairField::EditPlanItem(id, edit) => crate::row::edit_row(&mut p.plan, &id, edit)?,
        }
        Ok(())
    }
}

/// The kinds of meeting in the cycle, in order.
pub const MEETING_KINDS: [(&str, &str); 5] = [
    ("introduction", "встреча-знакомство"),
    ("trial", "пробная рабочая встреча"),
    ("planning", "встреча-планирование"),
    ("working", "рабочая встреча"),
    ("final", "итоговая встреча"),
];

/// Kinds of intermediate result.
pub const RESULT_KINDS: [(&str, &str); 4] = [
    ("project", "проект"),
    ("method", "методическая разработка"),
    ("open-lesson", "открытый урок"),
    ("publication", "публикация"),
];

/// A meeting of a pair or group. What each participant said about it is their personal data and
/// lives in their own document ([`crate::Person::feedback`]).
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Meeting {
    pub pair: String,
    pub kind: String,
    /// ISO date.
    pub date: String,
    pub topic: Text,
    /// Person ids → when marked present.
    pub attendees: BTreeMap<String, i64>,
    pub notes: Text,
    /// Intermediate results: text = title, status = a [`RESULT_KINDS`] code.
    pub results: Vec<Row>,
    pub held: bool,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(Meeting, "meetings", "Встреча", check);

impl Meeting {
    fn check(&self) -> Result<(), ValidationError> {
        if validate::iso(&self.date).is_none() {
            return Err(ValidationError::Date);
        }
        Ok(())
    }
}

impl Meeting {
    pub fn new(pair: &PairId, kind: &str, date: &str, now_ms: i64) -> Result<Meeting, ModelError> {
        Ok(Meeting {
            pair: pair.as_str().to_owned(),
            kind: kind.to_owned(),
            date: validate::date(date)?,
            topic: Text::default(),
            attendees: BTreeMap::new(),
            notes: Text::default(),
            results: vec![],
            held: false,
            created_at: now_ms,
            removed_at: None,
        })
    }

    pub fn kind_label(&self) -> &'static str {
        label(&MEETING_KINDS, &self.kind)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum MeetingField {
    Kind(String),
    Date(String),
    Topic(String),
    Attended(String, Option<i64>),
    Notes(String),
    Held(bool),
    AddResult(Box<Row>),
    EditResult(String, RowEdit),
}

impl MeetingField {
    pub(crate) fn apply(self, m: &mut Meeting) -> Result<(), ModelError> {
        match self {
            MeetingField::Kind(v) => m.kind = v,
            MeetingField::Date(v) => m.date = validate::date(&v)?,
            MeetingField::Topic(v) => m.topic.update(v),
            MeetingField::Attended(id, Some(at)) => {
                m.attendees.entry(id).or_insert(at);
            }
            MeetingField::Attended(id, None) => {
                m.attendees.remove(&id);
            }
            MeetingField::Notes(v) => crate::text::write_note(&mut m.notes, &v),
            MeetingField::Held(v) => m.held = v,
            MeetingField::AddResult(row) => {
                if row.text.as_str().trim().is_empty() {
                    return Err(ValidationError::EmptyText.into());
                }
                m.results.push(*row)
            }
            MeetingField::EditResult(id, edit) => crate::row::edit_row(&mut m.results, &id, edit)?,
        }
        Ok(())
    }
}
