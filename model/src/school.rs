//! The school document: the root every device of a school shares.
//!
//! ```text
//! { schema: 2, kind: "school", name: Text, profile: { full_name, address, director, … },
//!   programmes: { <id>: Programme }, people: { <person doc id>: PersonEntry },
//!   pairs: { <id>: Pair }, meetings: { <id>: Meeting }, questionnaires: { <id>: Questionnaire },
//!   roadmap: { <id>: RoadmapRow }, events: { <id>: Event }, variants: { "<form>/<name>": ms } }
//! ```
//!
//! No personal data lives here: people are known by the id of their own document.

use automerge::{ObjType, ROOT, ScalarValue, Value};
use autosurgeon::{Text, hydrate_prop, reconcile_prop};

use crate::record::{Read, Write};

use crate::record::{self, Record, collection_objs, damaged};
use crate::{
    Event, EventField, Meeting, MeetingField, Pair, PairField, PersonEntry, Programme,
    ProgrammeDraft, ProgrammeField, ProgrammeId, Questionnaire, QuestionnaireField, RecordId,
    RoadmapField, RoadmapRow, Role, ValidationError,
};

/// The schema this build writes. Bump it with a migration in [`School::upgrade`].
///
/// 1: name and programmes (title, form, year, note). 2: the whole target model.
pub const SCHEMA_VERSION: u64 = 2;

/// The collections of schema 2, created empty by [`School::init`] and by the upgrade.
const COLLECTIONS: [&str; 9] = [
    "profile",
    "programmes",
    "people",
    "pairs",
    "meetings",
    "questionnaires",
    "roadmap",
    "events",
    "variants",
];

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("Документ создан более новой версией приложения (схема {found}). Обновите приложение.")]
    NewerSchema { found: u64 },
    #[error(
        "Документ помечен версией схемы {found}, которой нет ни у одного приложения. Куратор может исправить это на главном экране."
    )]
    SuspectSchema { found: u64 },
    #[error("Документ школы ещё не получен с сервера.")]
    NotInitialised,
    #[error("{0} не найдена.")]
    NotFound(&'static str),
    #[error("Документ повреждён: {0}")]
    Damaged(String),
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
    /// Claims a version no app could have written yet (more than [`MAX_SCHEMA_STEP`] beyond
    /// this one, or not a number): a device wrote it on purpose or by a fault. Shown read-only
    /// with the device that wrote it; a curator can set it back ([`School::repair_schema`]).
    Suspect(u64),
}

/// How far beyond this build a schema version may plausibly be (a tablet not updated for a
/// release or two); anything further is [`SchemaStatus::Suspect`].
pub const MAX_SCHEMA_STEP: u64 = 2;

/// The schema status of any document against the version this build writes for it.
pub(crate) fn schema_of(doc: &impl Read, current: u64) -> SchemaStatus {
    let found = match doc.get(&ROOT, "schema") {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Uint(v) => *v,
            ScalarValue::Int(v) => (*v).max(0) as u64,
            _ => u64::MAX,
        },
        _ => return SchemaStatus::Empty,
    };
    match found.cmp(&current) {
        std::cmp::Ordering::Less => SchemaStatus::Older(found),
        std::cmp::Ordering::Equal => SchemaStatus::Current,
        std::cmp::Ordering::Greater if found - current <= MAX_SCHEMA_STEP => {
            SchemaStatus::Newer(found)
        }
        std::cmp::Ordering::Greater => SchemaStatus::Suspect(found),
    }
}

/// The automerge actor whose write of `schema` is the one read (the device that wrote it is
/// found through the relay's record of actors).
pub fn schema_writer(doc: &impl Read) -> Option<automerge::ActorId> {
    match doc.get(&ROOT, "schema") {
        Ok(Some((_, automerge::ObjId::Id(_, actor, _)))) => Some(actor),
        _ => None,
    }
}

/// The school's profile fields: what its documents need on the letterhead, in the approval
/// blocks and under orders, entered once in «Настройки». The short name is the school's name
/// ([`School::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileField {
    FullName,
    Founder,
    Address,
    Locality,
    Phone,
    Email,
    Inn,
    Ogrn,
    Director,
    DirectorPosition,
    Deputy,
    DeputyPosition,
    Curator,
    CuratorPosition,
    /// The preamble of orders; empty means the standard one (citing Р-145).
    OrderPreamble,
    /// The legal wording of the consent to personal-data processing; empty means the standard one.
    ConsentText,
}

impl ProfileField {
    pub const ALL: [ProfileField; 16] = [
        ProfileField::FullName,
        ProfileField::Founder,
        ProfileField::Address,
        ProfileField::Locality,
        ProfileField::Phone,
        ProfileField::Email,
        ProfileField::Inn,
        ProfileField::Ogrn,
        ProfileField::Director,
        ProfileField::DirectorPosition,
        ProfileField::Deputy,
        ProfileField::DeputyPosition,
        ProfileField::Curator,
        ProfileField::CuratorPosition,
        ProfileField::OrderPreamble,
        ProfileField::ConsentText,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ProfileField::FullName => "full_name",
            ProfileField::Founder => "founder",
            ProfileField::Address => "address",
            ProfileField::Locality => "locality",
            ProfileField::Phone => "phone",
            ProfileField::Email => "email",
            ProfileField::Inn => "inn",
            ProfileField::Ogrn => "ogrn",
            ProfileField::Director => "director",
            ProfileField::DirectorPosition => "director_position",
            ProfileField::Deputy => "deputy",
            ProfileField::DeputyPosition => "deputy_position",
            ProfileField::Curator => "curator",
            ProfileField::CuratorPosition => "curator_position",
            ProfileField::OrderPreamble => "order_preamble",
            ProfileField::ConsentText => "consent_text",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProfileField::FullName => "Полное наименование школы",
            ProfileField::Founder => "Учредитель",
            ProfileField::Address => "Адрес",
            ProfileField::Locality => "Населённый пункт",
            ProfileField::Phone => "Телефон",
            ProfileField::Email => "Электронная почта",
            ProfileField::Inn => "ИНН",
            ProfileField::Ogrn => "ОГРН",
            ProfileField::Director => "Директор",
            ProfileField::DirectorPosition => "Должность директора",
            ProfileField::Deputy => "Заместитель директора",
            ProfileField::DeputyPosition => "Должность заместителя директора",
            ProfileField::Curator => "Куратор программы наставничества",
            ProfileField::CuratorPosition => "Должность куратора",
            ProfileField::OrderPreamble => "Преамбула приказов (пусто — стандартная)",
            ProfileField::ConsentText => "Текст согласия на обработку данных (пусто — стандартный)",
        }
    }
    /// Whether the field holds a paragraph of text rather than one line.
    pub fn is_long(self) -> bool {
        matches!(
            self,
            ProfileField::OrderPreamble | ProfileField::ConsentText
        )
    }
}

/// Operations on a school document.
pub struct School;

impl School {
    /// Creates the school document's skeleton. Only the device that creates the school calls
    /// this; the others receive it.
    pub fn init(tx: &mut impl Write, name: &str) -> Result<(), ModelError> {
        tx.put(ROOT, "schema", SCHEMA_VERSION).map_err(damaged)?;
        tx.put(ROOT, "kind", "school").map_err(damaged)?;
        reconcile_prop(tx, ROOT, "name", Text::with_value(name.trim())).map_err(damaged)?;
        for key in COLLECTIONS {
            tx.put_object(ROOT, key, ObjType::Map).map_err(damaged)?;
        }
        Ok(())
    }

    pub fn schema_status(doc: &impl Read) -> SchemaStatus {
        schema_of(doc, SCHEMA_VERSION)
    }

    /// Refuses to touch a document this build does not understand, or one not yet upgraded.
    pub(crate) fn writable(tx: &impl Read) -> Result<(), ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Current => Ok(()),
            SchemaStatus::Older(_) => Err(ModelError::Damaged(
                "документ ещё не обновлён до текущей схемы".into(),
            )),
            SchemaStatus::Newer(found) => Err(ModelError::NewerSchema { found }),
            SchemaStatus::Suspect(found) => Err(ModelError::SuspectSchema { found }),
            SchemaStatus::Empty => Err(ModelError::NotInitialised),
        }
    }

    /// Sets a [`SchemaStatus::Suspect`] version back to this build's; returns whether it did.
    /// Only for the curator, after seeing which device wrote it. A plausible newer version is
    /// left alone: the fix for that is updating the app.
    pub fn repair_schema(tx: &mut impl Write) -> Result<bool, ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Suspect(_) => {
                tx.put(ROOT, "schema", SCHEMA_VERSION).map_err(damaged)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Brings an older document up to [`SCHEMA_VERSION`]; returns whether it changed anything.
    ///
    /// 1 → 2: creates the new collections and gives every programme its new parts (empty lists,
    /// the seven implementation stages). Two devices upgrading the same school concurrently
    /// create the collections twice; reads take the union of both (see [`crate::record`]).
    pub fn upgrade(tx: &mut impl Write) -> Result<bool, ModelError> {
        match Self::schema_status(tx) {
            SchemaStatus::Older(_) => {
                for key in COLLECTIONS {
                    if tx.get(&ROOT, key).map_err(damaged)?.is_none() {
                        tx.put_object(ROOT, key, ObjType::Map).map_err(damaged)?;
                    }
                }
                for (id, mut p) in record::list::<Programme>(tx)? {
                    if p.implementation.is_empty() {
                        p.implementation =
                            (1..=7).map(|n| (n.to_string(), String::new())).collect();
                    }
                    let Some(obj) = collection_objs(tx, Programme::COLLECTION)?
                        .into_iter()
                        .find(|o| matches!(tx.get(o, id.as_str()), Ok(Some(_))))
                    else {
                        continue;
                    };
                    reconcile_prop(tx, &obj, id.as_str(), p).map_err(damaged)?;
                }
                tx.put(ROOT, "schema", SCHEMA_VERSION).map_err(damaged)?;
                Ok(true)
            }
            SchemaStatus::Newer(found) => Err(ModelError::NewerSchema { found }),
            SchemaStatus::Suspect(found) => Err(ModelError::SuspectSchema { found }),
            SchemaStatus::Current | SchemaStatus::Empty => Ok(false),
        }
    }

    pub fn name(doc: &impl Read) -> String {
        hydrate_prop::<_, Text, _, _>(doc, ROOT, "name")
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default()
    }

    pub fn set_name(tx: &mut impl Write, name: &str) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let mut text: Text = hydrate_prop(tx, ROOT, "name").unwrap_or_default();
        text.update(name.trim());
        reconcile_prop(tx, ROOT, "name", text).map_err(damaged)
    }

    pub fn profile(doc: &impl Read, field: ProfileField) -> String {
        collection_objs(doc, "profile")
            .ok()
            .and_then(|objs| objs.into_iter().next())
            .and_then(|obj| hydrate_prop::<_, Option<String>, _, _>(doc, &obj, field.key()).ok())
            .flatten()
            .unwrap_or_default()
    }

    pub fn set_profile(
        tx: &mut impl Write,
        field: ProfileField,
        value: &str,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let obj = collection_objs(tx, "profile")?
            .into_iter()
            .next()
            .ok_or(ModelError::NotInitialised)?;
        reconcile_prop(tx, &obj, field.key(), value.trim()).map_err(damaged)
    }

    // --- Generic record operations ----------------------------------------------------------

    pub fn list<T: Record>(doc: &impl Read) -> Result<Vec<(RecordId, T)>, ModelError> {
        record::list(doc)
    }

    pub fn active<T: Record>(doc: &impl Read) -> Result<Vec<(RecordId, T)>, ModelError> {
        record::active(doc)
    }

    pub fn get<T: Record>(doc: &impl Read, id: &RecordId) -> Result<T, ModelError> {
        record::get(doc, id)
    }

    pub fn insert<T: Record>(
        tx: &mut impl Write,
        id: &RecordId,
        value: &T,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::insert(tx, id, value)
    }

    /// Archives a record: it stays (with whatever anyone writes to it) and can be restored.
    pub fn remove<T: Record>(
        tx: &mut impl Write,
        id: &RecordId,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<T, _>(tx, id, |r| {
            r.set_removed_at(Some(now_ms));
            Ok(())
        })
    }

    pub fn restore<T: Record>(tx: &mut impl Write, id: &RecordId) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<T, _>(tx, id, |r| {
            r.set_removed_at(None);
            Ok(())
        })
    }

    // --- Programmes ---------------------------------------------------------------------------

    /// Every programme, removed ones included, oldest first.
    pub fn programmes(doc: &impl Read) -> Result<Vec<(ProgrammeId, Programme)>, ModelError> {
        record::list(doc)
    }

    pub fn programme(doc: &impl Read, id: &ProgrammeId) -> Result<Programme, ModelError> {
        record::get(doc, id)
    }

    pub fn add_programme(
        tx: &mut impl Write,
        id: &ProgrammeId,
        draft: ProgrammeDraft,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let draft = draft.validated()?;
        record::insert(tx, id, &Programme::from_draft(draft, now_ms))
    }

    /// Writes one field as the smallest edit: text becomes splices (so concurrent edits of the
    /// same text merge), and other fields are not touched at all.
    pub fn update_programme(
        tx: &mut impl Write,
        id: &ProgrammeId,
        field: ProgrammeField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        let field = field.validated()?;
        record::update::<Programme, _>(tx, id, |p| field.apply(p))
    }

    pub fn remove_programme(
        tx: &mut impl Write,
        id: &ProgrammeId,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::remove::<Programme>(tx, id, now_ms)
    }

    pub fn restore_programme(tx: &mut impl Write, id: &ProgrammeId) -> Result<(), ModelError> {
        Self::restore::<Programme>(tx, id)
    }

    /// The role-model variants the school added, per form code.
    pub fn own_variants(doc: &impl Read, form: &str) -> Vec<String> {
        let mut out: Vec<String> = collection_objs(doc, "variants")
            .unwrap_or_default()
            .iter()
            .flat_map(|obj| {
                doc.map_range(obj, ..)
                    .map(|i| i.key.to_string())
                    .collect::<Vec<_>>()
            })
            .filter_map(|k| k.strip_prefix(&format!("{form}/")).map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    pub fn add_variant(
        tx: &mut impl Write,
        form: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        if name.trim().is_empty() {
            return Err(ValidationError::EmptyText.into());
        }
        let obj = collection_objs(tx, "variants")?
            .into_iter()
            .next()
            .ok_or(ModelError::NotInitialised)?;
        tx.put(&obj, format!("{form}/{}", name.trim()), now_ms)
            .map_err(damaged)
    }

    // --- People -------------------------------------------------------------------------------

    /// Registers a person whose own document is `person_doc`.
    pub fn add_person(
        tx: &mut impl Write,
        person_doc: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::insert(
            tx,
            &RecordId::new(person_doc),
            &PersonEntry {
                role: role.code().to_owned(),
                created_at: now_ms,
                removed_at: None,
                erased_at: None,
            },
        )
    }

    /// Marks a person's personal data as erased, for display. The mark itself deletes nothing:
    /// any device can write it. Devices delete a person's document only when the relay lists
    /// it as erased (a curator's decision the relay records).
    pub fn erase_person(tx: &mut impl Write, id: &RecordId, now_ms: i64) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<PersonEntry, _>(tx, id, |e| {
            e.erased_at.get_or_insert(now_ms);
            Ok(())
        })
    }

    /// Takes back an erased mark the relay never confirmed (written by a device that had no
    /// right to erase): the person's data is intact and they are shown again.
    pub fn clear_erased_mark(tx: &mut impl Write, id: &RecordId) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<PersonEntry, _>(tx, id, |e| {
            e.erased_at = None;
            Ok(())
        })
    }

    /// The ids of people marked erased in the register (a display mark; see
    /// [`School::erase_person`]).
    pub fn erased(doc: &impl Read) -> Vec<RecordId> {
        record::list::<PersonEntry>(doc)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, e)| e.is_erased())
            .map(|(id, _)| id)
            .collect()
    }

    // --- Pairs, meetings, questionnaires, roadmap, events ---------------------------------------

    pub fn update_pair(
        tx: &mut impl Write,
        id: &RecordId,
        field: PairField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<Pair, _>(tx, id, |p| field.apply(p))
    }

    pub fn update_meeting(
        tx: &mut impl Write,
        id: &RecordId,
        field: MeetingField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<Meeting, _>(tx, id, |m| field.apply(m))
    }

    pub fn update_questionnaire(
        tx: &mut impl Write,
        id: &RecordId,
        field: QuestionnaireField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<Questionnaire, _>(tx, id, |q| field.apply(q))
    }

    pub fn update_roadmap(
        tx: &mut impl Write,
        id: &RecordId,
        field: RoadmapField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<RoadmapRow, _>(tx, id, |r| {
            field.apply(r);
            Ok(())
        })
    }

    pub fn update_event(
        tx: &mut impl Write,
        id: &RecordId,
        field: EventField,
    ) -> Result<(), ModelError> {
        Self::writable(tx)?;
        record::update::<Event, _>(tx, id, |e| field.apply(e).map_err(Into::into))
    }

    /// Meetings of one pair, by date.
    pub fn meetings_of(
        doc: &impl Read,
        pair: &RecordId,
    ) -> Result<Vec<(RecordId, Meeting)>, ModelError> {
        let mut out: Vec<_> = record::active::<Meeting>(doc)?
            .into_iter()
            .filter(|(_, m)| m.pair == pair.as_str())
            .collect();
        out.sort_by(|a, b| (&a.1.date, a.1.created_at).cmp(&(&b.1.date, b.1.created_at)));
        Ok(out)
    }
}
