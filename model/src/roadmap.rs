//! The roadmap (дорожная карта) with its indicators, and the events and media plan.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::{Pair, Person, PersonEntry, RecordId, Role, ValidationError, validate};

pub const SECTIONS: [&str; 5] = [
    "Организационно-методическое сопровождение",
    "Программно-методическое сопровождение",
    "Аналитическое сопровождение, мониторинг",
    "Информационное сопровождение",
    "Управление реализацией",
];

pub const ROW_STATUSES: [(&str, &str); 3] = [
    ("", "запланировано"),
    ("in-progress", "выполняется"),
    ("done", "выполнено"),
];

/// A roadmap row.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct RoadmapRow {
    /// 1–5: [`SECTIONS`].
    pub section: u64,
    pub content: Text,
    /// A [`crate::Deadline`] as stored.
    pub period: String,
    /// The document or outcome the row yields.
    pub result: Text,
    pub indicator: Text,
    /// A [`Measure`] code when the indicator is computed from the records.
    pub measure: String,
    pub responsible: String,
    pub status: String,
    /// «2027/2028»; empty for rows made before years were kept, which belong to the year they
    /// were made in ([`crate::year::InYear`]).
    #[autosurgeon(missing = "Default::default")]
    pub academic_year: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(RoadmapRow, "roadmap", "Пункт дорожной карты", check);

impl RoadmapRow {
    fn check(&self) -> Result<(), ValidationError> {
        if !(1..=5).contains(&self.section) {
            return Err(ValidationError::Section);
        }
        if self.content.as_str().trim().is_empty() {
            return Err(ValidationError::EmptyText);
        }
        Ok(())
    }
}

impl RoadmapRow {
    pub fn new(section: u64, content: &str, period: &str, now_ms: i64) -> RoadmapRow {
        RoadmapRow {
            section,
            content: Text::with_value(content.trim()),
            period: crate::Deadline::parse(period).store(),
            result: Text::default(),
            indicator: Text::default(),
            measure: String::new(),
            responsible: String::new(),
            status: String::new(),
            academic_year: String::new(),
            created_at: now_ms,
            removed_at: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoadmapField {
    Section(u64),
    Content(String),
    Period(String),
    Result(String),
    Indicator(String),
    Measure(String),
    Responsible(String),
    Status(String),
}

impl RoadmapField {
    pub(crate) fn apply(self, r: &mut RoadmapRow) {
        match self {
            RoadmapField::Section(s) => r.section = s,
            RoadmapField::Content(v) => r.content.update(v),
            RoadmapField::Period(v) => r.period = crate::Deadline::parse(&v).store(),
            RoadmapField::Result(v) => r.result.update(v),
            RoadmapField::Indicator(v) => r.indicator.update(v),
            RoadmapField::Measure(v) => r.measure = v,
            RoadmapField::Responsible(v) => r.responsible = v.trim().to_owned(),
            RoadmapField::Status(v) => r.status = v,
        }
    }
}

pub const EVENT_KINDS: [(&str, &str); 9] = [
    ("launch", "старт программы"),
    ("training", "обучение наставников («Школа наставников»)"),
    ("networking", "нетворкинг"),
    ("case-session", "кейс-сессия"),
    ("business-game", "деловая игра"),
    ("mentor-of-year", "конкурс «Наставник года»"),
    ("round-table", "круглый стол"),
    ("parents-meeting", "встреча с родителями"),
    ("other", "другое"),
];

/// An event, and where it was announced and covered (the media plan).
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Event {
    pub kind: String,
    pub title: Text,
    /// ISO date.
    pub date: String,
    pub place: String,
    /// Where it was published (site, social-network group) — one line each.
    pub published: Text,
    pub participants: u64,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(Event, "events", "Мероприятие", check);

impl Event {
    fn check(&self) -> Result<(), ValidationError> {
        if self.title.as_str().trim().is_empty() {
            return Err(ValidationError::EmptyText);
        }
        if validate::iso(&self.date).is_none() {
            return Err(ValidationError::Date);
        }
        Ok(())
    }
}

impl Event {
    pub fn new(kind: &str, title: &str, date: &str, now_ms: i64) -> Result<Event, ValidationError> {
        Ok(Event {
            kind: kind.to_owned(),
            title: Text::with_value(title.trim()),
            date: validate::date(date)?,
            place: String::new(),
            published: Text::default(),
            participants: 0,
            created_at: now_ms,
            removed_at: None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventField {
    Kind(String),
    Title(String),
    Date(String),
    Place(String),
    Published(String),
    Participants(u64),
}

impl EventField {
    pub(crate) fn apply(self, e: &mut Event) -> Result<(), ValidationError> {
        match self {
            EventField::Kind(v) => e.kind = v,
            EventField::Title(v) => e.title.update(v.trim()),
            EventField::Date(v) => e.date = validate::date(&v)?,
            EventField::Place(v) => e.place = v.trim().to_owned(),
            EventField::Published(v) => e.published.update(v),
            EventField::Participants(v) => e.participants = v,
        }
        Ok(())
    }
}

/// Indicators computed from the records, with the targets the roadmaps set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Share of students who take part in working pairs (target ≥ 20%).
    StudentCoverage,
    /// Share of teachers who take part in working pairs (target ≥ 20%).
    TeacherCoverage,
    /// Share of participants of working pairs with both documents signed (target 100%).
    SignedDocuments,
    /// Share of individual-plan items done (target ≥ 90%).
    PlansDone,
    /// Publications: meeting results and published events (target ≥ 2).
    Publications,
    /// Share of roadmap rows done (target 100%).
    RoadmapDone,
    /// Trainings of mentors held (target ≥ 3).
    Trainings,
    /// Partner organisations whose people mentor in working pairs (target ≥ 1).
    PartnerOrganisations,
    /// Participants of working pairs at the closing business game (target ≥ 90%).
    ClosingAttendance,
    /// Meetings with parents held (target ≥ 2).
    ParentMeetings,
}

impl Measure {
    pub const ALL: [Measure; 10] = [
        Measure::StudentCoverage,
        Measure::TeacherCoverage,
        Measure::SignedDocuments,
        Measure::PlansDone,
        Measure::Publications,
        Measure::RoadmapDone,
        Measure::Trainings,
        Measure::PartnerOrganisations,
        Measure::ClosingAttendance,
        Measure::ParentMeetings,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::StudentCoverage => "student-coverage",
            Measure::TeacherCoverage => "teacher-coverage",
            Measure::SignedDocuments => "signed-documents",
            Measure::PlansDone => "plans-done",
            Measure::Publications => "publications",
            Measure::RoadmapDone => "roadmap-done",
            Measure::Trainings => "trainings",
            Measure::PartnerOrganisations => "partner-organisations",
            Measure::ClosingAttendance => "closing-attendance",
            Measure::ParentMeetings => "parent-meetings",
        }
    }

    pub fn from_code(code: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::StudentCoverage => {
                "Доля учеников, вовлечённых в наставничество (не менее 20%)"
            }
            Measure::TeacherCoverage => {
                "Доля педагогов, вовлечённых в наставничество (не менее 20%)"
            }
            Measure::SignedDocuments => "Подписанные согласия и соглашения участников (100%)",
            Measure::PlansDone => "Выполнение индивидуальных планов (не менее 90%)",
            Measure::Publications => "Публикации о наставничестве (не менее 2)",
            Measure::RoadmapDone => "Выполнение дорожной карты (100%)",
            Measure::Trainings => "Обучение наставников: проведено занятий (не менее 3)",
            Measure::PartnerOrganisations => {
                "Организации-партнёры, предоставившие наставников (не менее 1)"
            }
            Measure::ClosingAttendance => {
                "Участие в заключительной деловой игре (не менее 90% участников)"
            }
            Measure::ParentMeetings => "Встречи с родителями (не менее 2)",
        }
    }

    /// How it is counted, in the words of the records («по записям: …»).
    pub fn how(self) -> &'static str {
        match self {
            Measure::StudentCoverage => {
                "ученики реестра, которые состоят в работающих парах, из всех учеников реестра"
            }
            Measure::TeacherCoverage => {
                "педагоги реестра, которые состоят в работающих парах, из всех педагогов реестра"
            }
            Measure::SignedDocuments => {
                "участники работающих пар с подписанными согласием и соглашением, из всех участников"
            }
            Measure::PlansDone => {
                "выполненные пункты индивидуальных планов работающих пар, из всех (кроме отменённых)"
            }
            Measure::Publications => {
                "результаты встреч вида «публикация» и мероприятия, где указано, где опубликовано"
            }
            Measure::RoadmapDone => "пункты дорожной карты со статусом «выполнено», из всех",
            Measure::Trainings => "мероприятия вида «обучение наставников», которые уже состоялись",
            Measure::PartnerOrganisations => {
                "разные организации, указанные у представителей партнёров — наставников работающих пар"
            }
            Measure::ClosingAttendance => {
                "наибольшее число участников деловой игры из числа участников работающих пар"
            }
            Measure::ParentMeetings => {
                "мероприятия вида «встреча с родителями», которые уже состоялись"
            }
        }
    }
}

/// A computed value against its target.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    pub measure: Measure,
    pub value: u64,
    pub of: Option<u64>,
    pub met: bool,
}

impl Indicator {
    /// «42 из 150 (28%)» or «3».
    pub fn display(&self) -> String {
        match self.of {
            Some(0) => "нет данных".into(),
            Some(of) => format!("{} из {} ({} %)", self.value, of, self.value * 100 / of),
            None => self.value.to_string(),
        }
    }
}

/// Everything the indicators are computed from.
pub struct Records<'a> {
    pub people: &'a [(RecordId, PersonEntry)],
    /// The people whose documents this device holds.
    pub person: &'a dyn Fn(&str) -> Option<Person>,
    pub pairs: &'a [(RecordId, Pair)],
    pub meetings: &'a [(RecordId, crate::Meeting)],
    pub events: &'a [(RecordId, Event)],
    pub roadmap: &'a [(RecordId, RoadmapRow)],
    /// The day the indicators are computed on (events after it have not happened yet).
    pub today: chrono::NaiveDate,
}

pub fn compute(measure: Measure, r: &Records<'_>) -> Indicator {
    let working: Vec<&Pair> = r
        .pairs
        .iter()
        .map(|(_, p)| p)
        .filter(|p| p.is_active())
        .collect();
    let live = |role: Role| {
        r.people
            .iter()
            .filter(move |(_, e)| !e.is_removed_or_erased() && e.role() == Some(role))
    };
    let coverage = |role: Role, target_percent: u64| {
        let all: Vec<&RecordId> = live(role).map(|(id, _)| id).collect();
        let covered = all
            .iter()
            .filter(|id| working.iter().any(|p| p.involves(id.as_str())))
            .count() as u64;
        let of = all.len() as u64;
        (covered, of, of > 0 && covered * 100 >= target_percent * of)
    };
    let (value, of, met) = match measure {
        Measure::StudentCoverage => {
            let (v, of, met) = coverage(Role::Student, 20);
            (v, Some(of), met)
        }
        Measure::TeacherCoverage => {
            let (v, of, met) = coverage(Role::Teacher, 20);
            (v, Some(of), met)
        }
        Measure::SignedDocuments => {
            let missing = missing_documents(r);
            let mut everyone: Vec<&String> =
                working.iter().flat_map(|p| p.participants()).collect();
            everyone.sort();
            everyone.dedup();
            let of = everyone.len() as u64;
            let signed = of - missing.len() as u64;
            (signed, Some(of), of > 0 && signed == of)
        }
        Measure::PlansDone => {
            let (done, total) = working
                .iter()
                .map(|p| p.plan_progress())
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            let (done, total) = (done as u64, total as u64);
            (done, Some(total), total > 0 && done * 100 >= 90 * total)
        }
        Measure::Publications => {
            let from_meetings = r
                .meetings
                .iter()
                .filter(|(_, m)| m.removed_at.is_none())
                .flat_map(|(_, m)| m.results.iter())
                .filter(|row| !row.is_removed() && row.status == "publication")
                .count();
            let from_events = r
                .events
                .iter()
                .filter(|(_, e)| e.removed_at.is_none() && !e.published.as_str().trim().is_empty())
                .count();
            let n = (from_meetings + from_events) as u64;
            (n, None, n >= 2)
        }
        Measure::Trainings | Measure::ParentMeetings => {
            let (kind, target) = if measure == Measure::Trainings {
                ("training", 3)
            } else {
                ("parents-meeting", 2)
            };
            let n = r
                .events
                .iter()
                .filter(|(_, e)| e.removed_at.is_none() && e.kind == kind)
                .filter(|(_, e)| validate::iso(&e.date).is_some_and(|d| d <= r.today))
                .count() as u64;
            (n, None, n >= target)
        }
        Measure::PartnerOrganisations => {
            let mut organisations: Vec<String> = working
                .iter()
                .flat_map(|p| p.mentors.keys())
                .filter_map(|id| (r.person)(id))
                .filter(|p| p.role() == Some(Role::Partner))
                .map(|p| crate::search::normalise(&p.organisation))
                .filter(|o| !o.is_empty())
                .collect();
            organisations.sort();
            organisations.dedup();
            let n = organisations.len() as u64;
            (n, None, n >= 1)
        }
        Measure::ClosingAttendance => {
            let mut everyone: Vec<&String> =
                working.iter().flat_map(|p| p.participants()).collect();
            everyone.sort();
            everyone.dedup();
            let of = everyone.len() as u64;
            let came = r
                .events
                .iter()
                .filter(|(_, e)| e.removed_at.is_none() && e.kind == "business-game")
                .map(|(_, e)| e.participants)
                .max()
                .unwrap_or(0)
                .min(of);
            (came, Some(of), of > 0 && came * 100 >= 90 * of)
        }
        Measure::RoadmapDone => {
            let rows: Vec<_> = r
                .roadmap
                .iter()
                .filter(|(_, row)| row.removed_at.is_none())
                .collect();
            let done = rows.iter().filter(|(_, row)| row.status == "done").count() as u64;
            let of = rows.len() as u64;
            (done, Some(of), of > 0 && done == of)
        }
    };
    Indicator {
        measure,
        value,
        of,
        met,
    }
}

/// A participant of a working pair whose documents are not all signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingDocuments {
    pub person: String,
    pub personal_data: bool,
    pub agreement: bool,
}

/// Participants of working pairs without a valid consent to personal-data processing or without
/// the mentor–mentee agreement. A person whose document has not arrived yet counts as missing
/// both (better a false alarm than a silent gap).
pub fn missing_documents(r: &Records<'_>) -> Vec<MissingDocuments> {
    let mut ids: Vec<&String> = r
        .pairs
        .iter()
        .map(|(_, p)| p)
        .filter(|p| p.is_active())
        .flat_map(|p| p.participants())
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter(|id| {
            !r.people
                .iter()
                .any(|(pid, e)| pid.as_str() == id.as_str() && e.is_erased())
        })
        .filter_map(|id| {
            let person = (r.person)(id);
            let has = |kind| person.as_ref().is_some_and(|p| p.has_valid(kind));
            let missing = MissingDocuments {
                person: id.clone(),
                personal_data: !has(crate::CONSENT_PERSONAL_DATA),
                agreement: !has(crate::CONSENT_AGREEMENT),
            };
            (missing.personal_data || missing.agreement).then_some(missing)
        })
        .collect()
}

impl PersonEntry {
    pub fn is_removed_or_erased(&self) -> bool {
        self.removed_at.is_some() || self.erased_at.is_some()
    }
}
