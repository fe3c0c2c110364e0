//! What the documents are made from: a plain, serde-friendly view of the school's records,
//! built from the Automerge documents by [`crate::read`] (or sent to a worker as JSON).
//!
//! Values are already in display form (dates stay ISO, so each document chooses how to write
//! them); empty strings are fields nobody filled in.

use serde::{Deserialize, Serialize};

/// Someone who signs for the school: a name and a position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Official {
    /// «Берёзкина А. С.».
    pub name: String,
    /// «Директор», «Заместитель директора по УВР».
    pub position: String,
}

/// The school as its letterhead and signatures show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolProfile {
    /// «Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»».
    pub full_name: String,
    /// «МБОУ «СШ № 1»».
    pub short_name: String,
    /// «Управление образования Администрации …».
    pub founder: String,
    pub address: String,
    /// «с. Заречье»: where orders are signed and programmes made.
    pub locality: String,
    pub phone: String,
    pub email: String,
    /// Optional: shown on the letterhead when given.
    pub inn: String,
    pub ogrn: String,
    pub director: Official,
    pub deputy: Official,
    pub curator: Official,
    /// The school's own preamble of orders; empty means [`crate::texts::ORDER_PREAMBLE`].
    pub order_preamble: String,
    /// The school's own consent wording; empty means [`crate::texts::CONSENT_PURPOSES`].
    pub consent_text: String,
}

/// A person as documents name them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    /// The person document's id.
    pub id: String,
    /// «Берёзкина Алина Сергеевна».
    pub full_name: String,
    /// «Берёзкина А. С.».
    pub short_name: String,
    /// «ученик», «педагог».
    pub role: String,
    /// «ученик, 7Б», «педагог, математика».
    pub summary: String,
    /// ISO date or empty.
    pub birth_date: String,
    /// Under 18 on the day the documents are made.
    pub minor: bool,
    /// For a minor: the full name of the parent or legal representative who signs, or empty.
    pub representative: String,
    /// ISO date the consent to personal-data processing was signed, or empty.
    pub consent_signed: String,
    /// ISO date the mentor–mentee agreement was signed, or empty.
    pub agreement_signed: String,
    /// Their personal data was erased: only the mark remains.
    pub erased: bool,
    /// Removed from the register (archived): kept because pairs may still name them.
    #[serde(default)]
    pub removed: bool,
    /// A student's class: «7Б».
    #[serde(default)]
    pub class: String,
    /// A teacher's subjects.
    #[serde(default)]
    pub subjects: String,
    /// Where a partner, parent or graduate works.
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub position: String,
    /// A graduate's year: «2024».
    #[serde(default)]
    pub graduation_year: String,
    /// Their mentor profile (the mentor base).
    #[serde(default)]
    pub mentor: MentorView,
    /// Their mentee profile (the mentee base with its request map).
    #[serde(default)]
    pub mentee: MenteeView,
    /// The consent to personal-data processing as recorded, valid or withdrawn.
    #[serde(default)]
    pub consent: Option<SignedView>,
    /// The mentor–mentee agreement as recorded, valid or withdrawn.
    #[serde(default)]
    pub agreement: Option<SignedView>,
}

/// A person's entry in the mentor base.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorView {
    pub in_base: bool,
    pub competencies: String,
    /// The subjects they mentor in.
    pub subjects: String,
    /// The forms they can serve in: «ученик – ученик».
    pub forms: Vec<String>,
    /// «вторник, четверг после 14:00».
    pub time_available: String,
    /// The mentor's questionnaire is filled in.
    pub questionnaire: bool,
    /// The interview took place.
    pub interview: bool,
}

/// A person's entry in the mentee base.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenteeView {
    pub in_base: bool,
    /// The request map (карта запросов), removed requests left out.
    pub requests: Vec<RequestView>,
}

/// A request of the request map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// «Низкая учебная мотивация».
    pub problem: String,
    /// «анкетирование», «собеседование», «лист «Мне нужна помощь»».
    pub source: String,
    /// ISO date or empty.
    pub noted_on: String,
}

/// A signed consent or agreement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedView {
    /// ISO date or empty.
    pub signed_on: String,
    /// Who signed: the participant or their parent (legal representative).
    pub signed_by: String,
    /// The signer signed for a minor as their parent (legal representative).
    pub by_representative: bool,
    /// ISO date it was withdrawn, or empty.
    pub withdrawn_on: String,
}

impl SignedView {
    /// Signed and not withdrawn.
    pub fn is_valid(&self) -> bool {
        !self.signed_on.is_empty() && self.withdrawn_on.is_empty()
    }
}

/// A row of a plan: the activity, when, who, and how it stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    pub text: String,
    /// «15 сентября 2026 г.», «октябрь – май», «В течение года».
    pub period: String,
    pub responsible: String,
    /// «выполнено», «запланировано».
    pub status: String,
}

/// A programme and every part its document has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeView {
    pub id: String,
    pub title: String,
    /// «ученик – ученик».
    pub form: String,
    pub variant: String,
    /// «2026/2027».
    pub academic_year: String,
    pub compiler: String,
    pub agreed_by: String,
    /// ISO date or empty.
    pub agreed_on: String,
    pub approved_by: String,
    pub approved_on: String,
    pub note: String,
    pub goal: String,
    pub tasks: Vec<String>,
    pub results: Vec<String>,
    pub indicators: Vec<String>,
    pub stages: Vec<RowView>,
    /// The school's own text of rights and duties; empty means the standard one.
    pub rights_duties: String,
    pub work_plan: Vec<RowView>,
    pub personal_plan: Vec<RowView>,
}

/// One of a pair's three phases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseView {
    /// «Подготовительный этап».
    pub title: String,
    /// «сентябрь 2026», «октябрь 2026 – апрель 2027».
    pub period: String,
    pub content: String,
}

/// A pair or group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairView {
    pub id: String,
    /// The programme's id.
    pub programme: String,
    /// Person ids.
    pub mentors: Vec<String>,
    pub mentees: Vec<String>,
    /// «дети группы риска».
    pub mentee_category: String,
    /// «ученик – ученик».
    pub form: String,
    pub variant: String,
    pub goal: String,
    /// «индивидуальная траектория».
    pub format: String,
    /// «долгосрочное».
    pub term: String,
    /// Подготовительный, основной, заключительный.
    pub phases: Vec<PhaseView>,
    pub order_number: String,
    /// ISO date or empty.
    pub order_date: String,
    /// «работает».
    pub status: String,
    /// Working or extended (not forming, completed or removed).
    pub active: bool,
    pub plan: Vec<RowView>,
}

impl PairView {
    /// A group (several mentees or a category) rather than a pair.
    pub fn is_group(&self) -> bool {
        self.mentees.len() > 1 || !self.mentee_category.is_empty()
    }

    /// «сентябрь 2026 – май 2027»: from the first phase's start to the last one's end.
    pub fn term_period(&self) -> String {
        let first = self.phases.first().map(|p| p.period.as_str()).unwrap_or("");
        let last = self.phases.last().map(|p| p.period.as_str()).unwrap_or("");
        let start = first.split(" – ").next().unwrap_or("").trim();
        let end = last.rsplit(" – ").next().unwrap_or("").trim();
        match (start.is_empty(), end.is_empty()) {
            (false, false) if start == end => start.to_owned(),
            (false, false) => format!("{start} – {end}"),
            (false, true) => start.to_owned(),
            (true, false) => end.to_owned(),
            (true, true) => String::new(),
        }
    }
}

/// A roadmap row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapRowView {
    /// 1–5.
    pub section: u64,
    pub content: String,
    pub period: String,
    pub result: String,
    pub indicator: String,
    pub responsible: String,
    pub status: String,
}

/// An event of the media plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// «нетворкинг».
    pub kind: String,
    pub title: String,
    /// ISO date.
    pub date: String,
    pub place: String,
    /// Where it was (or is to be) published.
    pub published: String,
}

/// Everything the documents of one school are made from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchoolData {
    pub profile: SchoolProfile,
    /// The academic year of the documents: «2026/2027».
    pub academic_year: String,
    /// ISO date the documents are made on (the default date of orders and the year on title
    /// pages).
    pub today: String,
    pub programmes: Vec<ProgrammeView>,
    pub pairs: Vec<PairView>,
    pub people: Vec<PersonView>,
    pub roadmap: Vec<RoadmapRowView>,
    pub events: Vec<EventView>,
    /// The count of participants for the РНЦ, for [`SchoolData::academic_year`].
    #[serde(default)]
    pub count: model::count::ParticipantCount,
    /// The monitorings of the recent half-years (newest first) and every fixed one: fixed
    /// figures where fixed, the figures of the day otherwise.
    #[serde(default)]
    pub monitorings: Vec<MonitoringView>,
}

/// One half-year's monitoring, for the аналитическая справка.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitoringView {
    /// «2026-12».
    pub period: String,
    /// «I полугодие 2026/2027 учебного года (до 20 декабря 2026 г.)».
    pub label: String,
    /// ISO date it was fixed, or empty.
    pub fixed_on: String,
    pub conclusions: String,
    pub figures: model::monitoring::Figures,
}

impl SchoolData {
    pub fn person(&self, id: &str) -> Option<&PersonView> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn programme(&self, id: &str) -> Option<&ProgrammeView> {
        self.programmes.iter().find(|p| p.id == id)
    }

    pub fn pair(&self, id: &str) -> Option<&PairView> {
        self.pairs.iter().find(|p| p.id == id)
    }

    /// The pairs of a programme, in the order they were made.
    pub fn pairs_of<'a>(&'a self, programme: &'a str) -> impl Iterator<Item = &'a PairView> {
        self.pairs.iter().filter(move |p| p.programme == programme)
    }
}
