//! A person's own document: everything that identifies them or was said by or about them.
//!
//! ```text
//! { schema: 1, kind: "person", person: Person }
//! ```
//!
//! The school document knows a person only by this document's id and their role (see
//! [`PersonEntry`]). Erasing the person's personal data deletes this document everywhere (the
//! relay keeps a tombstone that refuses it ever after), and no other document holds any of it:
//! their questionnaire answers, their feedback on meetings, their requests and their consents
//! all live here.

use std::collections::BTreeMap;

use automerge::{ROOT, ScalarValue, Value};
use autosurgeon::{Hydrate, Reconcile, Text, hydrate_prop, reconcile_prop};

use crate::record::{Read, Write};
use chrono::NaiveDate;

use crate::record::damaged;
use crate::{ModelError, SchemaStatus, ValidationError, validate};

/// The person document's schema.
pub const PERSON_SCHEMA: u64 = 1;

/// Who a person is to the school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Student,
    Teacher,
    Parent,
    Graduate,
    Partner,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Student,
        Role::Teacher,
        Role::Parent,
        Role::Graduate,
        Role::Partner,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
            Role::Parent => "parent",
            Role::Graduate => "graduate",
            Role::Partner => "partner",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Student => "ученик",
            Role::Teacher => "педагог",
            Role::Parent => "родитель (законный представитель)",
            Role::Graduate => "выпускник",
            Role::Partner => "представитель партнёра",
        }
    }

    /// «ученики», for filters and headings.
    pub fn plural_label(self) -> &'static str {
        match self {
            Role::Student => "Ученики",
            Role::Teacher => "Педагоги",
            Role::Parent => "Родители",
            Role::Graduate => "Выпускники",
            Role::Partner => "Партнёры",
        }
    }
}

/// A person in the school's register (the school document): no personal data, only the id of
/// their own document, their role and what happened to them.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct PersonEntry {
    pub role: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
    /// Set when their personal data was erased: their document is gone, pairs and meetings
    /// show «данные удалены».
    pub erased_at: Option<i64>,
}

crate::record::record!(PersonEntry, "people", "Участник");

impl PersonEntry {
    pub fn role(&self) -> Option<Role> {
        Role::from_code(&self.role)
    }
    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }
}

/// The mentor base: who can mentor, in what, when.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct MentorProfile {
    pub in_base: bool,
    pub competencies: Text,
    pub subjects: String,
    /// Form codes → when added.
    pub forms: BTreeMap<String, i64>,
    pub time_available: String,
    /// "" (not yet) or "done".
    pub questionnaire: String,
    pub interview: String,
}

/// A request of the mentee's request map (карта запросов).
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Request {
    #[key]
    pub id: String,
    pub problem: Text,
    /// A [`REQUEST_SOURCES`] code.
    pub source: String,
    /// ISO date.
    pub noted_on: String,
    pub removed_at: Option<i64>,
}

pub const REQUEST_SOURCES: [(&str, &str); 3] = [
    ("questionnaire", "анкетирование"),
    ("interview", "собеседование"),
    ("help-sheet", "лист «Мне нужна помощь»"),
];

/// The mentee base: whether they are in it and what they need.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct MenteeProfile {
    pub in_base: bool,
    pub requests: Vec<Request>,
}

/// A signed document: consent to personal-data processing or the mentor–mentee agreement.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Consent {
    /// ISO date.
    pub signed_on: String,
    /// Who signed: the participant, or for a minor their parent or legal representative.
    pub signed_by: String,
    /// «участник» or «законный представитель».
    pub signer_role: String,
    pub withdrawn_on: String,
}

impl Consent {
    pub fn is_valid(&self) -> bool {
        !self.signed_on.is_empty() && self.withdrawn_on.is_empty()
    }
}

pub const CONSENT_PERSONAL_DATA: &str = "personal-data";
pub const CONSENT_AGREEMENT: &str = "agreement";
pub const CONSENT_KINDS: [(&str, &str); 2] = [
    (
        CONSENT_PERSONAL_DATA,
        "Согласие на обработку персональных данных",
    ),
    (
        CONSENT_AGREEMENT,
        "Соглашение между наставником и наставляемым",
    ),
];
pub const SIGNER_SELF: &str = "self";
pub const SIGNER_REPRESENTATIVE: &str = "representative";

/// Everything about one person.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Person {
    pub role: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    /// ISO date or empty.
    pub birth_date: String,
    /// A student's class: «7Б».
    pub class: String,
    /// The academic year `class` is of («2026/2027»); empty for classes recorded before years
    /// were kept, which the next rollover treats as of the year it starts from.
    #[autosurgeon(missing = "Default::default")]
    pub class_year: String,
    /// A teacher's subjects, a partner's organisation and position, a graduate's year.
    pub subjects: String,
    pub organisation: String,
    pub position: String,
    pub graduation_year: String,
    pub contacts: Text,
    pub note: Text,
    /// A parent's children: person ids → when linked.
    pub children: BTreeMap<String, i64>,
    pub mentor: MentorProfile,
    pub mentee: MenteeProfile,
    /// Questionnaire answers: "<questionnaire>/<entry|final>/<question>" → value. Flat keys, so
    /// answers given on two tablets at once never create two competing maps.
    pub answers: BTreeMap<String, String>,
    /// The date each questionnaire was filled: "<questionnaire>/<entry|final>" → ISO date.
    pub filled: BTreeMap<String, String>,
    /// Their feedback on meetings: meeting id → text.
    pub feedback: BTreeMap<String, Text>,
    /// [`CONSENT_KINDS`] → the signed document.
    pub consents: BTreeMap<String, Consent>,
    /// The categories the count for the РНЦ asks about ([`crate::count::CATEGORIES`] codes →
    /// when noted): sensitive personal data, kept here so that it is erased with the person.
    #[autosurgeon(missing = "Default::default")]
    pub categories: BTreeMap<String, i64>,
}

/// What the «new person» form asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonDraft {
    pub role: Option<Role>,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: String,
    pub class: String,
    pub subjects: String,
    pub organisation: String,
}

/// One change to a person, as a screen writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum PersonField {
    LastName(String),
    FirstName(String),
    Patronymic(String),
    BirthDate(String),
    Class(String),
    /// The year rollover: the next class or the graduate's role ([`crate::year`]).
    Promotion {
        promotion: crate::year::Promotion,
        year: String,
    },
    Subjects(String),
    Organisation(String),
    Position(String),
    GraduationYear(String),
    Contacts(String),
    Note(String),
    AddChild(String, i64),
    RemoveChild(String),
    /// A category code of [`crate::count::CATEGORIES`], noted (`Some(when)`) or taken off.
    Category(String, Option<i64>),
    InMentorBase(bool),
    Competencies(String),
    MentorSubjects(String),
    MentorForm(String, Option<i64>),
    TimeAvailable(String),
    MentorQuestionnaire(bool),
    MentorInterview(bool),
    InMenteeBase(bool),
    AddRequest {
        problem: String,
        source: String,
        noted_on: String,
    },
    RequestProblem(String, String),
    RemoveRequest(String, i64),
    RestoreRequest(String),
    /// Questionnaire id, stage ("entry" / "final"), question id, value ("" clears).
    Answer(String, String, String, String),
    Filled(String, String, String),
    Feedback(String, String),
    /// Kind, date signed, signed by, signer role.
    Sign {
        kind: String,
        signed_on: String,
        signed_by: String,
        signer_role: String,
    },
    Withdraw {
        kind: String,
        on: String,
    },
}

impl Person {
    pub fn role(&self) -> Option<Role> {
        Role::from_code(&self.role)
    }

    /// «Петрова Анна Сергеевна».
    pub fn full_name(&self) -> String {
        [&self.last_name, &self.first_name, &self.patronymic]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// «Петрова А. С.», for tables.
    pub fn short_name(&self) -> String {
        let initial = |s: &str| {
            s.chars()
                .next()
                .map(|c| format!(" {c}."))
                .unwrap_or_default()
        };
        format!(
            "{}{}{}",
            self.last_name,
            initial(&self.first_name),
            initial(&self.patronymic)
        )
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        validate::iso(&self.birth_date)
    }

    /// Under 18 on `on` (a person without a birth date who is a student counts as a minor).
    pub fn is_minor(&self, on: NaiveDate) -> bool {
        match self.birth_date() {
            Some(b) => crate::ru::age(b, on) < 18,
            None => self.role() == Some(Role::Student),
        }
    }

    pub fn consent(&self, kind: &str) -> Option<&Consent> {
        self.consents.get(kind)
    }

    pub fn has_valid(&self, kind: &str) -> bool {
        self.consent(kind).is_some_and(Consent::is_valid)
    }

    /// The line under a name: «ученик, 7Б», «педагог, математика».
    pub fn summary(&self) -> String {
        let role = self.role().map(Role::label).unwrap_or("участник");
        let detail = match self.role() {
            Some(Role::Student) => self.class.clone(),
            Some(Role::Teacher) => self.subjects.clone(),
            Some(Role::Partner) => self.organisation.clone(),
            Some(Role::Graduate) if !self.graduation_year.is_empty() => {
                format!("выпуск {}", self.graduation_year)
            }
            _ => String::new(),
        };
        if detail.is_empty() {
            role.to_owned()
        } else {
            format!("{role}, {detail}")
        }
    }

    /// Whether the person matches a search (see [`crate::search::matches`]): every word of
    /// `query` in their surname, first name, patronymic, class, subjects (a teacher's or those
    /// they mentor in) or organisation; ё and е are one letter, case and extra spaces do not
    /// matter.
    pub fn matches(&self, query: &str) -> bool {
        self.haystack().matches(&crate::search::Query::new(query))
    }

    /// The fields [`Person::matches`] searches, prepared for many queries.
    pub fn haystack(&self) -> crate::search::Haystack {
        crate::search::Haystack::new(&[
            &self.last_name,
            &self.first_name,
            &self.patronymic,
            &self.class,
            &self.subjects,
            &self.mentor.subjects,
            &self.organisation,
        ])
    }

    pub fn answer(&self, questionnaire: &str, stage: &str, question: &str) -> Option<&str> {
        self.answers
            .get(&format!("{questionnaire}/{stage}/{question}"))
            .map(String::as_str)
    }

    pub fn filled_on(&self, questionnaire: &str, stage: &str) -> Option<&str> {
        self.filled
            .get(&format!("{questionnaire}/{stage}"))
            .map(String::as_str)
    }

    pub fn feedback_on(&self, meeting: &str) -> &str {
        self.feedback
            .get(meeting)
            .map(|t| t.as_str().trim_end())
            .unwrap_or("")
    }

    fn from_draft(draft: PersonDraft, now_ms: i64) -> Result<Person, ValidationError> {
        let role = draft.role.unwrap_or(Role::Student);
        let mut p = Person {
            role: role.code().to_owned(),
            ..Person::default()
        };
        for field in [
            PersonField::LastName(draft.last_name),
            PersonField::FirstName(draft.first_name),
            PersonField::Patronymic(draft.patronymic),
            PersonField::BirthDate(draft.birth_date),
            PersonField::Class(draft.class),
            PersonField::Subjects(draft.subjects),
            PersonField::Organisation(draft.organisation),
        ] {
            field.apply(&mut p, now_ms)?;
        }
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), ValidationError> {
        if self.last_name.trim().is_empty() || self.first_name.trim().is_empty() {
            return Err(ValidationError::EmptyName);
        }
        Ok(())
    }
}

impl PersonField {
    /// `today_ms` bounds the birth date (a birth date in the future is a typo).
    fn apply(self, p: &mut Person, today_ms: i64) -> Result<(), ValidationError> {
        let trim = |s: String| s.trim().to_owned();
        match self {
            PersonField::LastName(v) => p.last_name = trim(v),
            PersonField::FirstName(v) => p.first_name = trim(v),
            PersonField::Patronymic(v) => p.patronymic = trim(v),
            PersonField::BirthDate(v) => {
                let date = validate::optional_date(&v)?;
                if let (Some(d), Some(today)) = (
                    validate::iso(&date),
                    chrono::DateTime::from_timestamp_millis(today_ms),
                ) && d > today.date_naive()
                {
                    return Err(ValidationError::BirthInFuture);
                }
                p.birth_date = date;
            }
            PersonField::Class(v) => {
                p.class = trim(v).to_uppercase();
                p.class_year = crate::year::of_ms(today_ms);
            }
            PersonField::Promotion { promotion, year } => match promotion {
                crate::year::Promotion::Class { to, .. } => {
                    p.class = to;
                    p.class_year = year;
                }
                crate::year::Promotion::Graduate {
                    year: graduated, ..
                } => {
                    p.role = Role::Graduate.code().to_owned();
                    p.graduation_year = graduated;
                    p.class = String::new();
                    p.class_year = year;
                }
                crate::year::Promotion::Unrecognised(_) => {}
            },
            PersonField::Subjects(v) => p.subjects = trim(v),
            PersonField::Organisation(v) => p.organisation = trim(v),
            PersonField::Position(v) => p.position = trim(v),
            PersonField::GraduationYear(v) => p.graduation_year = trim(v),
            PersonField::Contacts(v) => p.contacts.update(v),
            PersonField::Note(v) => crate::text::write_note(&mut p.note, &v),
            PersonField::AddChild(id, at) => {
                p.children.insert(id, at);
            }
            PersonField::RemoveChild(id) => {
                p.children.remove(&id);
            }
            PersonField::Category(code, Some(at)) => {
                p.categories.entry(code).or_insert(at);
            }
            PersonField::Category(code, None) => {
                p.categories.remove(&code);
            }
            PersonField::InMentorBase(v) => p.mentor.in_base = v,
            PersonField::Competencies(v) => p.mentor.competencies.update(v),
            PersonField::MentorSubjects(v) => p.mentor.subjects = trim(v),
            PersonField::MentorForm(code, Some(at)) => {
                p.mentor.forms.insert(code, at);
            }
            PersonField::MentorForm(code, None) => {
                p.mentor.forms.remove(&code);
            }
            PersonField::TimeAvailable(v) => p.mentor.time_available = trim(v),
            PersonField::MentorQuestionnaire(v) => {
                p.mentor.questionnaire = if v { "done".into() } else { String::new() }
            }
            PersonField::MentorInterview(v) => {
                p.mentor.interview = if v { "done".into() } else { String::new() }
            }
            PersonField::InMenteeBase(v) => p.mentee.in_base = v,
            PersonField::AddRequest {
                problem,
                source,
                noted_on,
            } => {
                if problem.trim().is_empty() {
                    return Err(ValidationError::EmptyText);
                }
                p.mentee.in_base = true;
                p.mentee.requests.push(Request {
                    id: uuid::Uuid::new_v4().to_string(),
                    problem: Text::with_value(problem.trim()),
                    source,
                    noted_on: validate::optional_date(&noted_on)?,
                    removed_at: None,
                });
            }
            PersonField::RequestProblem(id, v) => {
                if let Some(r) = p.mentee.requests.iter_mut().find(|r| r.id == id) {
                    r.problem.update(v);
                }
            }
            PersonField::RemoveRequest(id, at) => {
                if let Some(r) = p.mentee.requests.iter_mut().find(|r| r.id == id) {
                    r.removed_at = Some(at);
                }
            }
            PersonField::RestoreRequest(id) => {
                if let Some(r) = p.mentee.requests.iter_mut().find(|r| r.id == id) {
                    r.removed_at = None;
                }
            }
            PersonField::Answer(q, stage, question, value) => {
                let key = format!("{q}/{stage}/{question}");
                if value.trim().is_empty() {
                    p.answers.remove(&key);
                } else {
                    p.answers.insert(key, value.trim().to_owned());
                }
            }
            PersonField::Filled(q, stage, on) => {
                p.filled
                    .insert(format!("{q}/{stage}"), validate::date(&on)?);
            }
            PersonField::Feedback(meeting, text) => match p.feedback.get_mut(&meeting) {
                Some(t) => crate::text::write_note(t, &text),
                None => {
                    p.feedback.insert(meeting, crate::text::new_note(&text));
                }
            },
            PersonField::Sign {
                kind,
                signed_on,
                signed_by,
                signer_role,
            } => {
                if signed_by.trim().is_empty() {
                    return Err(ValidationError::NoSigner);
                }
                let signed_on = validate::date(&signed_on)?;
                if signer_role == SIGNER_SELF
                    && validate::iso(&signed_on).is_some_and(|d| p.is_minor(d))
                {
                    return Err(ValidationError::MinorSigns);
                }
                p.consents.insert(
                    kind,
                    Consent {
                        signed_on,
                        signed_by: signed_by.trim().to_owned(),
                        signer_role,
                        withdrawn_on: String::new(),
                    },
                );
            }
            PersonField::Withdraw { kind, on } => {
                let on = validate::date(&on)?;
                if let Some(c) = p.consents.get_mut(&kind) {
                    c.withdrawn_on = on;
                }
            }
        }
        Ok(())
    }
}

/// Operations on a person's document.
pub struct PersonDoc;

impl PersonDoc {
    /// Fills a new, empty document with the person.
    pub fn init(tx: &mut impl Write, draft: PersonDraft, now_ms: i64) -> Result<(), ModelError> {
        let person = Person::from_draft(draft, now_ms)?;
        Self::init_with(tx, &person)
    }

    /// Fills a new document with a complete person (demo data, imports).
    pub fn init_with(tx: &mut impl Write, person: &Person) -> Result<(), ModelError> {
        person.validate()?;
        tx.put(ROOT, "schema", PERSON_SCHEMA).map_err(damaged)?;
        tx.put(ROOT, "kind", "person").map_err(damaged)?;
        reconcile_prop(tx, ROOT, "person", person).map_err(damaged)
    }

    pub fn schema_status(doc: &impl Read) -> SchemaStatus {
        crate::school::schema_of(doc, PERSON_SCHEMA)
    }

    pub fn read(doc: &impl Read) -> Result<Person, ModelError> {
        if Self::schema_status(doc) == SchemaStatus::Empty {
            return Err(ModelError::NotInitialised);
        }
        hydrate_prop(&crate::record::MapReader::new(doc), ROOT, "person").map_err(damaged)
    }

    /// Writes one field (only what changed, text as splices).
    pub fn update(tx: &mut impl Write, field: PersonField, now_ms: i64) -> Result<(), ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Current | SchemaStatus::Older(_) => {}
            SchemaStatus::Newer(found) => return Err(ModelError::NewerSchema { found }),
            SchemaStatus::Suspect(found) => return Err(ModelError::SuspectSchema { found }),
            SchemaStatus::Empty => return Err(ModelError::NotInitialised),
        }
        let mut person = Self::read(tx)?;
        field.apply(&mut person, now_ms)?;
        person.validate()?;
        reconcile_prop(tx, ROOT, "person", person).map_err(damaged)
    }

    /// A document that is not a person's (or is damaged) reads as `None`.
    pub fn is_person(doc: &impl Read) -> bool {
        matches!(
            doc.get(&ROOT, "kind"),
            Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Str(k) if k == "person")
        )
    }
}
