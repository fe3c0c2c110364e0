use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::{Form, RecordId, Row};

pub type ProgrammeId = RecordId;

/// The seven stages of implementing the target model, in order.
pub const IMPLEMENTATION_STAGES: [&str; 7] = [
    "Подготовка условий для запуска программы",
    "Формирование базы наставляемых",
    "Формирование базы наставников",
    "Отбор и обучение наставников",
    "Формирование наставнических пар / групп",
    "Организация работы пар / групп",
    "Завершение программы",
];

/// A stage's status: code and label.
pub const STAGE_STATUSES: [(&str, &str); 3] = [
    ("", "не начат"),
    ("in-progress", "идёт"),
    ("done", "завершён"),
];

/// The lists a programme holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgrammeList {
    Tasks,
    Results,
    Indicators,
    Stages,
    WorkPlan,
    PersonalPlan,
}

impl ProgrammeList {
    pub const ALL: [ProgrammeList; 6] = [
        ProgrammeList::Tasks,
        ProgrammeList::Results,
        ProgrammeList::Indicators,
        ProgrammeList::Stages,
        ProgrammeList::WorkPlan,
        ProgrammeList::PersonalPlan,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ProgrammeList::Tasks => "Задачи",
            ProgrammeList::Results => "Планируемые результаты",
            ProgrammeList::Indicators => "Показатели эффективности",
            ProgrammeList::Stages => "Этапы реализации",
            ProgrammeList::WorkPlan => "План работы",
            ProgrammeList::PersonalPlan => "Персонализированный план",
        }
    }

    /// Whether its rows have a period (a deadline, months or dates).
    pub fn has_period(self) -> bool {
        matches!(
            self,
            ProgrammeList::Stages | ProgrammeList::WorkPlan | ProgrammeList::PersonalPlan
        )
    }

    pub fn has_responsible(self) -> bool {
        self == ProgrammeList::WorkPlan
    }
}

/// A (personalised) mentorship programme with every part the documents have. Text fields are
/// co-edited text: concurrent edits of the same field merge character by character.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Programme {
    pub title: Text,
    /// A [`Form`] code.
    pub form: String,
    /// A role-model variant: one of the form's standard ones or the school's own.
    #[autosurgeon(missing = "Default::default")]
    pub variant: String,
    /// «2026/2027».
    pub academic_year: String,
    #[autosurgeon(missing = "Default::default")]
    pub compiler: String,
    #[autosurgeon(missing = "Default::default")]
    pub agreed_by: String,
    /// ISO date or empty.
    #[autosurgeon(missing = "Default::default")]
    pub agreed_on: String,
    #[autosurgeon(missing = "Default::default")]
    pub approved_by: String,
    #[autosurgeon(missing = "Default::default")]
    pub approved_on: String,
    /// The explanatory note (пояснительная записка).
    pub note: Text,
    #[autosurgeon(missing = "Default::default")]
    pub goal: Text,
    #[autosurgeon(missing = "Default::default")]
    pub tasks: Vec<Row>,
    #[autosurgeon(missing = "Default::default")]
    pub results: Vec<Row>,
    #[autosurgeon(missing = "Default::default")]
    pub indicators: Vec<Row>,
    #[autosurgeon(missing = "Default::default")]
    pub stages: Vec<Row>,
    /// The seven implementation stages: "1".."7" → a status code of [`STAGE_STATUSES`].
    #[autosurgeon(missing = "Default::default")]
    pub implementation: BTreeMap<String, String>,
    #[autosurgeon(missing = "Default::default")]
    pub rights_duties: Text,
    #[autosurgeon(missing = "Default::default")]
    pub work_plan: Vec<Row>,
    #[autosurgeon(missing = "Default::default")]
    pub personal_plan: Vec<Row>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Set when someone removed the programme. It stays in the document, so an edit made
    /// concurrently on another tablet is kept and the programme can be restored.
    #[autosurgeon(missing = "Default::default")]
    pub removed_at: Option<i64>,
}

crate::record::record!(Programme, "programmes", "Программа", check);

impl Programme {
    fn check(&self) -> Result<(), ValidationError> {
        validate_title(self.title.as_str())?;
        validate_year(&self.academic_year)?;
        Ok(())
    }
}

impl Programme {
    pub fn form(&self) -> Form {
        Form::from_code(&self.form)
    }

    pub fn is_removed(&self) -> bool {
        self.removed_at.is_some()
    }

    pub fn list(&self, which: ProgrammeList) -> &Vec<Row> {
        match which {
            ProgrammeList::Tasks => &self.tasks,
            ProgrammeList::Results => &self.results,
            ProgrammeList::Indicators => &self.indicators,
            ProgrammeList::Stages => &self.stages,
            ProgrammeList::WorkPlan => &self.work_plan,
            ProgrammeList::PersonalPlan => &self.personal_plan,
        }
    }

    pub fn list_mut(&mut self, which: ProgrammeList) -> &mut Vec<Row> {
        match which {
            ProgrammeList::Tasks => &mut self.tasks,
            ProgrammeList::Results => &mut self.results,
            ProgrammeList::Indicators => &mut self.indicators,
            ProgrammeList::Stages => &mut self.stages,
            ProgrammeList::WorkPlan => &mut self.work_plan,
            ProgrammeList::PersonalPlan => &mut self.personal_plan,
        }
    }

    /// The status code of implementation stage `n` (1–7).
    pub fn stage_status(&self, n: usize) -> &str {
        self.implementation
            .get(&n.to_string())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub(crate) fn from_draft(draft: ProgrammeDraft, now_ms: i64) -> Programme {
        // The stages the documents use: launch in September, practice October–August, completion.
        let stages = vec![
            Row::new("I этап — запуск программы").with_period("months:9-9"),
            Row::new("II этап — реализация программы").with_period("months:10-5"),
            Row::new("III этап — завершение программы").with_period("months:5-5"),
        ];
        Programme {
            title: Text::with_value(&draft.title),
            form: draft.form.code().to_owned(),
            variant: draft.variant,
            academic_year: draft.academic_year,
            compiler: String::new(),
            agreed_by: String::new(),
            agreed_on: String::new(),
            approved_by: String::new(),
            approved_on: String::new(),
            note: Text::with_value(&draft.note),
            goal: Text::default(),
            tasks: vec![],
            results: vec![],
            indicators: vec![],
            stages,
            implementation: (1..=7).map(|n| (n.to_string(), String::new())).collect(),
            rights_duties: Text::default(),
            work_plan: vec![],
            personal_plan: vec![],
            created_at: now_ms,
            removed_at: None,
        }
    }
}

/// What the user typed in the programme form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeDraft {
    pub title: String,
    pub form: Form,
    pub variant: String,
    pub academic_year: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("Укажите название программы.")]
    EmptyTitle,
    #[error("Название программы длиннее {max} символов.", max = ProgrammeDraft::MAX_TITLE)]
    TitleTooLong,
    #[error("Учебный год записывается как «2026/2027»: два года подряд.")]
    AcademicYear,
    #[error("Укажите фамилию и имя.")]
    EmptyName,
    #[error("Дата записывается как «15.09.2026» или «15 сентября 2026».")]
    Date,
    #[error("Дата рождения не может быть в будущем.")]
    BirthInFuture,
    #[error("Выберите программу для пары.")]
    NoProgramme,
    #[error("В паре должен быть хотя бы один наставник.")]
    NoMentor,
    #[error("Укажите наставляемого или категорию наставляемых (например, «дети группы риска»).")]
    NoMentee,
    #[error("Один человек не может быть в паре и наставником, и наставляемым.")]
    SamePerson,
    #[error("Укажите текст.")]
    EmptyText,
    #[error("Укажите, кто подписал.")]
    NoSigner,
    #[error("Выберите раздел дорожной карты (1–5).")]
    Section,
    #[error("Для несовершеннолетнего согласие подписывает родитель или законный представитель.")]
    MinorSigns,
}

/// One field of a programme, as the edit page writes it: only what the user changed is written,
/// so a field someone else edited meanwhile keeps their edit.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgrammeField {
    Title(String),
    Form(Form),
    Variant(String),
    AcademicYear(String),
    Compiler(String),
    AgreedBy(String),
    AgreedOn(String),
    ApprovedBy(String),
    ApprovedOn(String),
    Note(String),
    Goal(String),
    RightsDuties(String),
    /// Implementation stage 1–7 and its status code.
    StageStatus(usize, String),
    /// Adds a row to a list.
    AddRow(ProgrammeList, Box<Row>),
    EditRow(ProgrammeList, String, crate::RowEdit),
}

impl ProgrammeField {
    pub fn validated(self) -> Result<Self, ValidationError> {
        Ok(match self {
            ProgrammeField::Title(t) => ProgrammeField::Title(validate_title(&t)?),
            ProgrammeField::AcademicYear(y) => ProgrammeField::AcademicYear(validate_year(&y)?),
            ProgrammeField::AgreedOn(d) => {
                ProgrammeField::AgreedOn(crate::validate::optional_date(&d)?)
            }
            ProgrammeField::ApprovedOn(d) => {
                ProgrammeField::ApprovedOn(crate::validate::optional_date(&d)?)
            }
            ProgrammeField::AddRow(list, row) if row.text.as_str().trim().is_empty() => {
                let _ = (list, row);
                return Err(ValidationError::EmptyText);
            }
            other => other,
        })
    }
}

impl ProgrammeField {
    /// Writes this field into `p` (already validated).
    pub(crate) fn apply(self, p: &mut Programme) -> Result<(), crate::ModelError> {
        match self {
            ProgrammeField::Title(t) => p.title.update(t),
            ProgrammeField::Note(n) => p.note.update(n),
            ProgrammeField::Goal(n) => p.goal.update(n),
            ProgrammeField::RightsDuties(n) => p.rights_duties.update(n),
            ProgrammeField::Form(f) => p.form = f.code().to_owned(),
            ProgrammeField::Variant(v) => p.variant = v.trim().to_owned(),
            ProgrammeField::AcademicYear(y) => p.academic_year = y,
            ProgrammeField::Compiler(v) => p.compiler = v.trim().to_owned(),
            ProgrammeField::AgreedBy(v) => p.agreed_by = v.trim().to_owned(),
            ProgrammeField::AgreedOn(v) => p.agreed_on = v,
            ProgrammeField::ApprovedBy(v) => p.approved_by = v.trim().to_owned(),
            ProgrammeField::ApprovedOn(v) => p.approved_on = v,
            ProgrammeField::StageStatus(n, status) => {
                if !(1..=7).contains(&n) {
                    return Err(crate::ModelError::NotFound("Этап"));
                }
                p.implementation.insert(n.to_string(), status);
            }
            ProgrammeField::AddRow(list, row) => p.list_mut(list).push(*row),
            ProgrammeField::EditRow(list, id, edit) => {
                crate::row::edit_row(p.list_mut(list), &id, edit)?
            }
        }
        Ok(())
    }
}

fn validate_title(title: &str) -> Result<String, ValidationError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ValidationError::EmptyTitle);
    }
    if title.chars().count() > ProgrammeDraft::MAX_TITLE {
        return Err(ValidationError::TitleTooLong);
    }
    Ok(title.to_owned())
}

fn validate_year(year: &str) -> Result<String, ValidationError> {
    let year = year.trim().replace(['-', '–', '—'], "/");
    let parts: Vec<_> = year.split('/').map(|y| y.trim().parse::<u32>()).collect();
    match parts.as_slice() {
        [Ok(a), Ok(b)] if *b == a + 1 && (2000..2100).contains(a) => Ok(format!("{a}/{b}")),
        _ => Err(ValidationError::AcademicYear),
    }
}

impl ProgrammeDraft {
    pub const MAX_TITLE: usize = 300;

    /// Trims the text fields and checks them; the messages are shown to the user as they are.
    pub fn validated(mut self) -> Result<Self, ValidationError> {
        self.title = validate_title(&self.title)?;
        self.academic_year = validate_year(&self.academic_year)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(title: &str, year: &str) -> ProgrammeDraft {
        ProgrammeDraft {
            title: title.into(),
            form: Form::StudentStudent,
            variant: String::new(),
            academic_year: year.into(),
            note: String::new(),
        }
    }

    #[test]
    fn drafts_are_trimmed_and_checked() {
        let ok = draft("  Служба учебной помощи ", "2026-2027")
            .validated()
            .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.academic_year.as_str()),
            ("Служба учебной помощи", "2026/2027")
        );
        assert_eq!(
            draft("   ", "2026/2027").validated(),
            Err(ValidationError::EmptyTitle)
        );
        assert_eq!(
            draft("x", "2026/2028").validated(),
            Err(ValidationError::AcademicYear)
        );
        assert_eq!(
            draft("x", "двадцать шестой").validated(),
            Err(ValidationError::AcademicYear)
        );
        assert_eq!(
            draft(&"я".repeat(301), "2026/2027").validated(),
            Err(ValidationError::TitleTooLong)
        );
    }

    #[test]
    fn validation_messages_are_russian_sentences() {
        assert_eq!(
            ValidationError::EmptyTitle.to_string(),
            "Укажите название программы."
        );
        assert_eq!(
            ValidationError::TitleTooLong.to_string(),
            "Название программы длиннее 300 символов."
        );
    }
}
