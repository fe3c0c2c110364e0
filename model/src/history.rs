//! Who changed a record and when, what its fields held before, and the values two devices set
//! at the same time.
//!
//! Automerge keeps all of it: every operation carries its author's actor id and belongs to a
//! change with a time, and a field set concurrently on two devices keeps both values (one is
//! shown, [`ReadDoc::get_all`] returns both). This module reads that for one record (the map an
//! id names in a collection, or a person document's `person` map) and everything inside it.
//! Mapping actors to the school's devices is the relay's word (`/api/actors`), not the
//! document's: a device could write anything into a document, but not into the relay's log of
//! which device brought which actor's changes.

use std::collections::HashMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::ModelError;
use crate::record::{Record, RecordId, damaged};

/// The map that holds a record's fields.
pub fn record_object<T: Record>(doc: &Automerge, id: &RecordId) -> Option<ObjId> {
    crate::record::collection_objs(doc, T::COLLECTION)
        .ok()?
        .into_iter()
        .find_map(|coll| match doc.get(&coll, id.as_str()) {
            Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
            _ => None,
        })
}

/// The map that holds a person document's fields.
pub fn person_object(doc: &Automerge) -> Option<ObjId> {
    match doc.get(automerge::ROOT, "person") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
        _ => None,
    }
}

/// One of the values a field was set to at the same time on different devices.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub value: ScalarValue,
    /// Whose value it is.
    pub actor: ActorId,
}

/// A field of a record (`path` from the record's map: `["order_date"]`, `["main", "period"]`)
/// that holds two or more values set concurrently. The first is the one the app shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub path: Vec<String>,
    pub candidates: Vec<Candidate>,
}

fn actor_of(id: &ObjId) -> Option<&ActorId> {
    match id {
        ObjId::Id(_, actor, _) => Some(actor),
        ObjId::Root => None,
    }
}

/// Fields of `obj` (and of the maps inside it) that hold concurrent values. Texts are not
/// among them: concurrent edits of a text merge character by character.
pub fn conflicts(doc: &Automerge, obj: &ObjId) -> Vec<Conflict> {
    let mut out = Vec::new();
    walk_conflicts(doc, obj, &mut Vec::new(), &mut out);
    out
}

fn walk_conflicts(doc: &Automerge, obj: &ObjId, path: &mut Vec<String>, out: &mut Vec<Conflict>) {
    let items: Vec<(String, bool, ObjId, bool)> = doc
        .map_range(obj, ..)
        .map(|i| {
            let is_map = matches!(i.value, automerge::ValueRef::Object(ObjType::Map));
            (i.key.to_string(), i.conflict, i.id(), is_map)
        })
        .collect();
    for (key, conflict, id, is_map) in items {
        if conflict {
            let all = doc.get_all(obj, key.as_str()).unwrap_or_default();
            let candidates: Vec<Candidate> = all
                .iter()
                .filter_map(|(value, id)| match value {
                    Value::Scalar(s) => Some(Candidate {
                        value: s.as_ref().clone(),
                        actor: actor_of(id)?.clone(),
                    }),
                    Value::Object(_) => None,
                })
                .collect();
            if candidates.len() > 1 && candidates.len() == all.len() {
                let mut p = path.clone();
                p.push(key);
                out.push(Conflict {
                    path: p,
                    candidates,
                });
            }
        } else if is_map {
            path.push(key);
            walk_conflicts(doc, &id, path, out);
            path.pop();
        }
    }
}

/// Sets a field of `obj` (by its path) to `value`: one write that supersedes every value the
/// field held, so a conflict ends with the value the user chose, on every device.
pub fn set_field(
    tx: &mut impl Transactable,
    obj: &ObjId,
    path: &[String],
    value: ScalarValue,
) -> Result<(), ModelError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(ModelError::Damaged("an empty field path".into()));
    };
    let mut at = obj.clone();
    for key in parents {
        at = match tx.get(&at, key.as_str()).map_err(damaged)? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Err(ModelError::Damaged(format!("no map at {key}"))),
        };
    }
    tx.put(&at, last.as_str(), value).map_err(damaged)
}

/// Puts a text field (by its path) back to what it was just after `change`.
pub fn restore_text(
    tx: &mut automerge::transaction::Transaction<'_>,
    obj: &ObjId,
    path: &[String],
    change: ChangeHash,
) -> Result<(), ModelError> {
    let Some(text) = find_exid(tx, obj, path) else {
        return Err(ModelError::Damaged("no text there".into()));
    };
    let old = tx.text_at(&text, &[change]).map_err(damaged)?;
    tx.update_text(&text, &old).map_err(damaged)
}

/// What one change did to a record's field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEdit {
    /// The field, from the record's map (a map entry inside it: `["mentors", "<person>"]`).
    pub path: Vec<String>,
    pub kind: EditKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EditKind {
    /// The field was set to this value.
    Set(ScalarValue),
    /// The entry was deleted.
    Deleted,
    /// The text (or list) was edited.
    Text,
    /// A map, list or text was created there.
    Created,
}

/// One change that touched a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub hash: ChangeHash,
    pub actor: ActorId,
    /// Seconds since the epoch as the writing device's clock said (0 when it said nothing).
    pub time: i64,
    pub fields: Vec<FieldEdit>,
}

/// Every object inside `obj` (and itself), with its path from `obj`.
fn objects(doc: &Automerge, obj: &ObjId) -> HashMap<automerge::legacy::ObjectId, Vec<String>> {
    let mut out = HashMap::new();
    let mut stack = vec![(obj.clone(), Vec::<String>::new())];
    while let Some((at, path)) = stack.pop() {
        if let Some(legacy) = legacy_id(&at) {
            out.insert(legacy, path.clone());
        }
        let Ok(kind) = doc.object_type(&at) else {
            continue;
        };
        if kind == ObjType::Map || kind == ObjType::Table {
            for item in doc.map_range(&at, ..) {
                if let automerge::ValueRef::Object(_) = item.value {
                    let mut p = path.clone();
                    p.push(item.key.to_string());
                    stack.push((item.id(), p));
                }
            }
        } else if kind == ObjType::List {
            for item in doc.list_range(&at, ..) {
                if let automerge::ValueRef::Object(_) = item.value {
                    // Rows of a list are named by their position in it.
                    let mut p = path.clone();
                    p.push(item.index.to_string());
                    stack.push((item.id(), p));
                }
            }
        }
    }
    out
}

fn legacy_id(id: &ObjId) -> Option<automerge::legacy::ObjectId> {
    match id {
        ObjId::Id(counter, actor, _) => Some(automerge::legacy::ObjectId::Id(
            automerge::legacy::OpId(*counter, actor.clone()),
        )),
        ObjId::Root => None,
    }
}

/// What `change` did to the objects of a record (`None` when it did not touch them).
fn edit_of(
    change: &automerge::Change,
    objects: &HashMap<automerge::legacy::ObjectId, Vec<String>>,
) -> Option<Edit> {
    let expanded = change.decode();
    let mut fields: Vec<FieldEdit> = Vec::new();
    for op in &expanded.operations {
        let Some(path) = objects.get(&op.obj) else {
            continue;
        };
        let (path, kind) = match &op.key {
            automerge::legacy::Key::Map(key) => {
                let mut p = path.clone();
                p.push(key.to_string());
                let kind = match &op.action {
                    automerge::legacy::OpType::Put(v) => EditKind::Set(v.clone()),
                    automerge::legacy::OpType::Delete => EditKind::Deleted,
                    automerge::legacy::OpType::Make(_) => EditKind::Created,
                    _ => EditKind::Text,
                };
                (p, kind)
            }
            automerge::legacy::Key::Seq(_) => (path.clone(), EditKind::Text),
        };
        match fields.iter_mut().find(|f| f.path == path) {
            // A text edited many times in one change is one edit; a value set twice, the last.
            Some(f) if f.kind != EditKind::Text => f.kind = kind,
            Some(_) => {}
            None => fields.push(FieldEdit { path, kind }),
        }
    }
    (!fields.is_empty()).then(|| Edit {
        hash: change.hash(),
        actor: change.actor_id().clone(),
        time: change.timestamp(),
        fields,
    })
}

/// Every change that touched the record at `obj`, oldest first. Reads the whole history of the
/// document: for a history screen, not for every render (see [`last_edit`]).
pub fn history(doc: &Automerge, obj: &ObjId) -> Vec<Edit> {
    let objects = objects(doc, obj);
    doc.get_changes(&[])
        .iter()
        .filter_map(|c| edit_of(c, &objects))
        .collect()
}

/// Who last changed the record at `obj`, and when (seconds, as that device's clock said).
///
/// From the change metadata alone, without decoding the change that wrote the newest value the
/// record shows: that is the last change unless a later one deleted something in the record,
/// so only the later changes are decoded, and of those only the ones smaller than
/// [`BULK_OPS`]. A bulk change (the demo year, an import of a class list, a rollover) writes
/// new records; one that touched this record would have left a value in it. A school of a
/// thousand people, loaded in one change, therefore shows a pair's page without decoding it.
pub fn last_edit(doc: &Automerge, obj: &ObjId) -> Option<(ActorId, i64)> {
    let objects = objects(doc, obj);
    // The newest operation still visible in the record.
    let mut newest: Option<(u64, ActorId)> = None;
    let mut consider = |id: ObjId| {
        if let ObjId::Id(counter, actor, _) = id
            && newest
                .as_ref()
                .is_none_or(|(c, a)| (counter, &actor) > (*c, a))
        {
            newest = Some((counter, actor));
        }
    };
    for (at, path) in &objects {
        let automerge::legacy::ObjectId::Id(automerge::legacy::OpId(counter, actor)) = at else {
            continue;
        };
        let Some(exid) = find_exid(doc, obj, path) else {
            continue;
        };
        consider(ObjId::Id(*counter, actor.clone(), 0));
        match doc.object_type(&exid) {
            Ok(ObjType::Map | ObjType::Table) => {
                for item in doc.map_range(&exid, ..) {
                    consider(item.id());
                }
            }
            Ok(ObjType::List | ObjType::Text) => {
                for item in doc.list_range(&exid, ..) {
                    consider(item.id());
                }
            }
            Err(_) => {}
        }
    }
    let metas = doc.get_changes_meta(&[]);
    let floor = newest.and_then(|(counter, actor)| {
        metas
            .iter()
            .rposition(|m| *m.actor == actor && m.start_op <= counter && counter <= m.max_op)
    });
    for (i, meta) in metas.iter().enumerate().rev() {
        if floor == Some(i) {
            return Some((meta.actor.clone().into_owned(), meta.timestamp));
        }
        if floor.is_some_and(|f| i < f) {
            break;
        }
        if meta.max_op.saturating_sub(meta.start_op) >= BULK_OPS {
            continue;
        }
        if let Some(change) = doc.get_change_by_hash(&meta.hash)
            && edit_of(&change, &objects).is_some()
        {
            return Some((change.actor_id().clone(), change.timestamp()));
        }
    }
    None
}

/// A change of at least this many operations is a bulk load, not an edit ([`last_edit`]).
pub const BULK_OPS: u64 = 1_000;

fn find_exid(doc: &impl ReadDoc, obj: &ObjId, path: &[String]) -> Option<ObjId> {
    let mut at = obj.clone();
    for key in path {
        let next = match doc.object_type(&at).ok()? {
            ObjType::List => doc.get(&at, key.parse::<usize>().ok()?).ok()??,
            _ => doc.get(&at, key.as_str()).ok()??,
        };
        at = match next {
            (Value::Object(_), id) => id,
            _ => return None,
        };
    }
    Some(at)
}
