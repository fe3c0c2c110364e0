//! Rows of the lists inside a record: a programme's tasks, stages and work plan, a pair's
//! individual plan, a meeting's results.
//!
//! A row is never deleted (it is marked removed), so a concurrent edit of it is never lost; rows
//! added concurrently both stay, because each is inserted into the Automerge list under its own
//! key.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::ModelError;

#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Row {
    #[key]
    pub id: String,
    /// The activity, task or result.
    pub text: Text,
    /// A [`crate::Deadline`] as stored (a date, a month range or free text), or a period.
    #[autosurgeon(missing = "Default::default")]
    pub period: String,
    #[autosurgeon(missing = "Default::default")]
    pub responsible: String,
    /// A row's own status code (a plan item's «выполнено», a result's kind).
    #[autosurgeon(missing = "Default::default")]
    pub status: String,
    #[autosurgeon(missing = "Default::default")]
    pub note: Text,
    pub removed_at: Option<i64>,
}

impl Row {
    pub fn new(text: &str) -> Row {
        Row {
            id: uuid::Uuid::new_v4().to_string(),
            text: Text::with_value(text.trim()),
            ..Row::default()
        }
    }

    pub fn with_period(mut self, period: impl Into<String>) -> Row {
        self.period = period.into();
        self
    }

    pub fn with_responsible(mut self, responsible: impl Into<String>) -> Row {
        self.responsible = responsible.into();
        self
    }

    pub fn with_status(mut self, status: impl Into<String>) -> Row {
        self.status = status.into();
        self
    }

    pub fn is_removed(&self) -> bool {
        self.removed_at.is_some()
    }
}

/// One change to a row, as a screen writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowEdit {
    Text(String),
    Period(String),
    Responsible(String),
    Status(String),
    Note(String),
    Remove(i64),
    Restore,
}

/// Applies `edit` to the row `id` of `rows`.
pub fn edit_row(rows: &mut [Row], id: &str, edit: RowEdit) -> Result<(), ModelError> {
    let row = rows
        .iter_mut()
        .find(|r| r.id == id)
        .ok_or(ModelError::NotFound("Строка"))?;
    match edit {
        RowEdit::Text(t) => row.text.update(t.trim()),
        RowEdit::Period(p) => row.period = crate::Deadline::parse(&p).store(),
        RowEdit::Responsible(r) => row.responsible = r.trim().to_owned(),
        RowEdit::Status(s) => row.status = s,
        RowEdit::Note(n) => row.note.update(n),
        RowEdit::Remove(at) => row.removed_at = Some(at),
        RowEdit::Restore => row.removed_at = None,
    }
    Ok(())
}
