//! The school document: the root every device of a school shares.
//!
//! ```text
//! { schema: 1, kind: "school", name: Text, programmes: { <id>: Programme } }
//! ```

use automerge::{ObjId, ObjType, ROOT, ScalarValue, Value};
use autosurgeon::{Doc, ReadDoc, Text, hydrate_prop, reconcile_prop};

use crate::{Programme, ProgrammeDraft, ProgrammeField, ProgrammeId, ValidationError};

/// The schema this build writes. Bump it with a migration in [`School::upgrade`].
pub const SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("Документ создан более новой версией приложения (схема {found}). Обновите приложение.")]
    NewerSchema { found: u64 },
    #[error("Документ школы ещё не получен с сервера.")]
    NotInitialised,
    #[error("Программа не найдена.")]
    NoSuchProgramme,
    #[error("Документ повреждён: {0}")]
    Damaged(String),
}

fn damaged(e: impl std::fmt::Display) -> ModelError {
    ModelError::Damaged(e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaStatus {
    /// Nothing has arrived yet (a device that just joined).
    Empty,
    Current,
    /// Written by an older app: [`School::upgrade`] brings it up to date.
    Older(u64),
    /// Written by a newer app: show it, do not change it.
    Newer(u64),
}

/// Operations on a school document.
pub struct School;

impl School {
    /// Creates the school document's skeleton. Only the device that creates the school calls
    /// this; the others receive it.
    pub fn init(tx: &mut impl Doc, name: &str) -> Result<(), ModelError> {
        tx.put(ROOT, "schema", SCHEMA_VERSION).map_err(damaged)?;
        tx.put(ROOT, "kind", "school").map_err(damaged)?;
        reconcile_prop(tx, ROOT, "name", Text::with_value(name.trim())).map_err(damaged)?;
        tx.put_object(ROOT, "programmes", ObjType::Map)
            .map_err(damaged)?;
        Ok(())
    }

    pub fn schema_status(doc: &impl ReadDoc) -> SchemaStatus {
        match doc.get(&ROOT, "schema") {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Uint(v) => Self::status_of(*v),
                ScalarValue::Int(v) => Self::status_of((*v).max(0) as u64),
                _ => SchemaStatus::Newer(u64::MAX),
            },
            _ => SchemaStatus::Empty,
        }
    }

    fn status_of(v: u64) -> SchemaStatus {
        match v.cmp(&SCHEMA_VERSION) {
            std::cmp::Ordering::Less => SchemaStatus::Older(v),
            std::cmp::Ordering::Equal => SchemaStatus::Current,
            std::cmp::Ordering::Greater => SchemaStatus::Newer(v),
        }
    }

    /// Refuses to touch a document this build does not understand.
    fn writable(tx: &impl ReadDoc) -> Result<(), ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Current | SchemaStatus::Older(_) => Ok(()),
            SchemaStatus::Newer(found) => Err(ModelError::NewerSchema { found }),
            SchemaStatus::Empty => Err(ModelError::NotInitialised),
        }
    }

    /// Brings an older document up to [`SCHEMA_VERSION`]. Version 1 is the first, so there is
    /// nothing to migrate yet; each later version adds its step here.
    pub fn upgrade(tx: &mut impl Doc) -> Result<bool, ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Older(_) => {
                tx.put(ROOT, "schema", SCHEMA_VERSION).map_err(damaged)?;
                Ok(true)
            }
            SchemaStatus::Newer(found) => Err(ModelError::NewerSchema { found }),
            SchemaStatus::Current | SchemaStatus::Empty => Ok(false),
        }
    }

    pub fn name(doc: &impl ReadDoc) -> String {
        hydrate_prop::<_, Text, _, _>(doc, ROOT, "name")
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default()
    }

    pub fn set_name(tx: &mut impl Doc, name: &str) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let mut text: Text = hydrate_prop(tx, ROOT, "name").unwrap_or_default();
        text.update(name.trim());
        reconcile_prop(tx, ROOT, "name", text).map_err(damaged)
    }

    fn programmes_obj(doc: &impl ReadDoc) -> Result<ObjId, ModelError> {
        match doc.get(&ROOT, "programmes").map_err(damaged)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            Some(_) => Err(ModelError::Damaged("programmes is not a map".into())),
            None => Err(ModelError::NotInitialised),
        }
    }

    /// Every programme, removed ones included, oldest first.
    pub fn programmes(doc: &impl ReadDoc) -> Result<Vec<(ProgrammeId, Programme)>, ModelError> {
        let obj = match Self::programmes_obj(doc) {
            Ok(obj) => obj,
            Err(ModelError::NotInitialised) => return Ok(vec![]),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        let keys: Vec<String> = doc
            .map_range(&obj, ..)
            .map(|item| item.key.to_string())
            .collect();
        for key in keys {
            let programme: Programme = hydrate_prop(doc, &obj, key.as_str()).map_err(damaged)?;
            out.push((ProgrammeId::new(key), programme));
        }
        out.sort_by(|a, b| (a.1.created_at, &a.0).cmp(&(b.1.created_at, &b.0)));
        Ok(out)
    }

    pub fn programme(doc: &impl ReadDoc, id: &ProgrammeId) -> Result<Programme, ModelError> {
        let obj = Self::programmes_obj(doc)?;
        match hydrate_prop::<_, Option<Programme>, _, _>(doc, &obj, id.as_str()) {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(ModelError::NoSuchProgramme),
            Err(e) => Err(damaged(e)),
        }
    }

    pub fn add_programme(
        tx: &mut impl Doc,
        id: &ProgrammeId,
        draft: ProgrammeDraft,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let draft = draft.validated()?;
        let obj = Self::programmes_obj(tx)?;
        let programme = Programme {
            title: Text::with_value(&draft.title),
            form: draft.form.code().to_owned(),
            academic_year: draft.academic_year,
            note: Text::with_value(&draft.note),
            created_at: now_ms,
            removed_at: None,
        };
        reconcile_prop(tx, &obj, id.as_str(), programme).map_err(damaged)
    }

    /// Writes one field as the smallest edit: text becomes splices (so concurrent edits of the
    /// same text merge), and other fields are not touched at all.
    pub fn update_programme(
        tx: &mut impl Doc,
        id: &ProgrammeId,
        field: ProgrammeField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let field = field.validated()?;
        let obj = Self::programmes_obj(tx)?;
        let mut programme = Self::programme(tx, id)?;
        match field {
            ProgrammeField::Title(t) => programme.title.update(t),
            ProgrammeField::Note(n) => programme.note.update(n),
            ProgrammeField::Form(f) => programme.form = f.code().to_owned(),
            ProgrammeField::AcademicYear(y) => programme.academic_year = y,
        }
        reconcile_prop(tx, &obj, id.as_str(), programme).map_err(damaged)
    }

    pub fn remove_programme(
        tx: &mut impl Doc,
        id: &ProgrammeId,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::set_removed(tx, id, Some(now_ms))
    }

    pub fn restore_programme(tx: &mut impl Doc, id: &ProgrammeId) -> Result<(), ModelError> {
        Self::set_removed(tx, id, None)
    }

    fn set_removed(tx: &mut impl Doc, id: &ProgrammeId, at: Option<i64>) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let obj = Self::programmes_obj(tx)?;
        let mut programme = Self::programme(tx, id)?;
        programme.removed_at = at;
        reconcile_prop(tx, &obj, id.as_str(), programme).map_err(damaged)
    }
}
