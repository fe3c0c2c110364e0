use std::fmt;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::Form;

/// A programme's key in the school document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProgrammeId(String);

impl ProgrammeId {
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProgrammeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mentorship programme as stored. Title and note are co-edited text: concurrent edits of
/// the same field merge character by character instead of one replacing the other.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Programme {
    pub title: Text,
    /// A [`Form`] code.
    pub form: String,
    /// «2026/2027».
    pub academic_year: String,
    pub note: Text,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Set when someone removed the programme. It stays in the document, so an edit made
    /// concurrently on another tablet is kept and the programme can be restored.
    pub removed_at: Option<i64>,
}

impl Programme {
    pub fn form(&self) -> Form {
        Form::from_code(&self.form)
    }

    pub fn is_removed(&self) -> bool {
        self.removed_at.is_some()
    }
}

/// What the user typed in the programme form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeDraft {
    pub title: String,
    pub form: Form,
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
}

/// One field of a programme, as the edit page writes it: only what the user changed is written,
/// so a field someone else edited meanwhile keeps their edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgrammeField {
    Title(String),
    Form(Form),
    AcademicYear(String),
    Note(String),
}

impl ProgrammeField {
    pub fn validated(self) -> Result<Self, ValidationError> {
        Ok(match self {
            ProgrammeField::Title(t) => ProgrammeField::Title(validate_title(&t)?),
            ProgrammeField::AcademicYear(y) => ProgrammeField::AcademicYear(validate_year(&y)?),
            other => other,
        })
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
