//! Records and the collections that hold them.
//!
//! Every collection is a map at the document's root, keyed by a random id, so records added
//! concurrently on two tablets both stay. Nothing is deleted from a collection: removing a record
//! sets its `removed_at`, so an edit someone made concurrently is kept and the record can be
//! restored. (Only erasing a person's personal data deletes anything, and it deletes a whole
//! document: see [`crate::Person`].)
//!
//! Two devices that create the same collection concurrently (two tablets upgrading one school
//! offline) leave two conflicting maps under one key; Automerge keeps both and shows one. Reading
//! here takes the union of all of them and edits a record where it lives, so nothing added to the
//! hidden one is lost.

use std::fmt;

use automerge::{ObjId, ObjType, ROOT, Value};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{ModelError, ValidationError};

/// A record's key in its collection (a UUID; a person's is their document's id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
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

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document the model reads: an `Automerge`, a transaction or an `AutoCommit`.
pub trait Read: autosurgeon::ReadDoc {
    /// Every value under `key` at the root, conflicting ones included.
    fn all_at_root(&self, key: &str) -> Result<Vec<(Value<'_>, ObjId)>, automerge::AutomergeError>;
}

/// A document the model writes.
pub trait Write: Read + autosurgeon::Doc {}
impl<T: Read + autosurgeon::Doc> Write for T {}

impl Read for automerge::Automerge {
    fn all_at_root(&self, key: &str) -> Result<Vec<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        automerge::ReadDoc::get_all(self, ROOT, key)
    }
}
impl Read for automerge::transaction::Transaction<'_> {
    fn all_at_root(&self, key: &str) -> Result<Vec<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        automerge::ReadDoc::get_all(self, ROOT, key)
    }
}
impl Read for automerge::AutoCommit {
    fn all_at_root(&self, key: &str) -> Result<Vec<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        automerge::ReadDoc::get_all(self, ROOT, key)
    }
}

/// A record kept in a collection of the school document.
pub trait Record: Hydrate + Reconcile + Clone {
    /// The collection's key at the document's root.
    const COLLECTION: &'static str;
    /// What the user calls it, for «… не найдена».
    const NOT_FOUND: &'static str;
    fn created_at(&self) -> i64;
    fn removed_at(&self) -> Option<i64>;
    fn set_removed_at(&mut self, at: Option<i64>);
    /// Checks the record before it is written; the message is shown to the user.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
    fn is_removed(&self) -> bool {
        self.removed_at().is_some()
    }
}

/// Implements [`Record`] for a struct with `created_at: i64` and `removed_at: Option<i64>`,
/// optionally with a validation: `record!(Pair, "pairs", "Пара", check)` calls `Pair::check`.
macro_rules! record {
    ($ty:ty, $collection:literal, $not_found:literal $(, $check:ident)?) => {
        impl $crate::record::Record for $ty {
            const COLLECTION: &'static str = $collection;
            const NOT_FOUND: &'static str = $not_found;
            fn created_at(&self) -> i64 {
                self.created_at
            }
            fn removed_at(&self) -> Option<i64> {
                self.removed_at
            }
            fn set_removed_at(&mut self, at: Option<i64>) {
                self.removed_at = at;
            }
            $(fn validate(&self) -> Result<(), $crate::ValidationError> {
                self.$check()
            })?
        }
    };
}
pub(crate) use record;

pub(crate) fn damaged(e: impl fmt::Display) -> ModelError {
    ModelError::Damaged(e.to_string())
}

/// Creates the collection `key` if the document lacks it: collections added after a school was
/// made are created on first use (older apps ignore a collection they do not know).
pub(crate) fn ensure_collection(tx: &mut impl Write, key: &str) -> Result<(), ModelError> {
    if collection_objs(tx, key)?.is_empty() {
        tx.put_object(ROOT, key, ObjType::Map).map_err(damaged)?;
    }
    Ok(())
}

/// Every map stored under `key` at the root: normally one, more after a concurrent creation.
/// The first is the one Automerge shows (where new records go).
pub(crate) fn collection_objs(doc: &impl Read, key: &str) -> Result<Vec<ObjId>, ModelError> {
    let winner = match doc.get(&ROOT, key).map_err(damaged)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        Some(_) => return Err(ModelError::Damaged(format!("{key} is not a map"))),
        None => return Ok(vec![]),
    };
    let mut objs = vec![winner.clone()];
    for (value, id) in doc.all_at_root(key).map_err(damaged)? {
        if matches!(value, Value::Object(ObjType::Map)) && id != winner {
            objs.push(id);
        }
    }
    Ok(objs)
}

/// The map that holds `id`, if any.
pub(crate) fn locate(
    doc: &impl Read,
    key: &str,
    id: &RecordId,
) -> Result<Option<ObjId>, ModelError> {
    for obj in collection_objs(doc, key)? {
        if doc.get(&obj, id.as_str()).map_err(damaged)?.is_some() {
            return Ok(Some(obj));
        }
    }
    Ok(None)
}

/// Every record of a collection, removed ones included, oldest first.
pub fn list<T: Record>(doc: &impl Read) -> Result<Vec<(RecordId, T)>, ModelError> {
    let mut out = Vec::new();
    // A record in two concurrently made collection maps is taken from the first (the winner).
    let mut seen = std::collections::HashSet::new();
    for obj in collection_objs(doc, T::COLLECTION)? {
        // Each record straight from the map's own entry: looking every key up again in a map of
        // hundreds costs a seek per record.
        let entries: Vec<(String, Option<ObjId>)> = doc
            .map_range(&obj, ..)
            .map(|i| {
                let map = matches!(i.value, automerge::ValueRef::Object(ObjType::Map));
                (i.key.to_string(), map.then(|| i.id()))
            })
            .collect();
        let reader = MapReader::new(doc);
        for (key, map) in entries {
            if !seen.insert(key.clone()) {
                continue;
            }
            let record: T = match map {
                Some(id) => T::hydrate_map(&reader, &id),
                // Not a map: hydrated as before, for the same error.
                None => hydrate_prop(doc, &obj, key.as_str()),
            }
            .map_err(damaged)?;
            out.push((RecordId::new(key), record));
        }
    }
    out.sort_by(|a, b| (a.1.created_at(), &a.0).cmp(&(b.1.created_at(), &b.0)));
    Ok(out)
}

/// Reads a document for hydration with one pass over each map instead of a seek per field:
/// the first read of a map takes all its entries (`map_range`, about ten times cheaper in
/// Automerge than looking its keys up one by one); the map's fields are then answered from
/// them. Everything else goes to the document. Lives for one read ([`list`], a person's
/// document), so nothing it holds outlives a change.
pub(crate) struct MapReader<'a, D> {
    doc: &'a D,
    /// The maps read most recently, newest last, each with its entries in the map's order: a
    /// record's fields are asked for while it (and the maps nested in it) are hydrated, so a
    /// few are enough, and a record of a dozen fields is searched faster by comparing keys than
    /// by hashing them.
    maps: std::cell::RefCell<Vec<(ObjId, MapEntries)>>,
}

type MapEntries = Vec<(String, (Value<'static>, ObjId))>;

/// How many maps a [`MapReader`] keeps, the least recently used dropped first: more than any
/// record's nesting (a pair's phase is three maps down), so a record's map stays while the
/// maps inside it are read; a map read again after falling out is only read again.
const MAPS_KEPT: usize = 8;

impl<'a, D: autosurgeon::ReadDoc> MapReader<'a, D> {
    pub(crate) fn new(doc: &'a D) -> Self {
        Self {
            doc,
            maps: Default::default(),
        }
    }
}

impl<D: autosurgeon::ReadDoc> autosurgeon::ReadDoc for MapReader<'_, D> {
    type Parents<'b>
        = D::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<automerge::ChangeHash> {
        self.doc.get_heads()
    }

    fn get<P: Into<automerge::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        let key = match prop.into() {
            automerge::Prop::Map(key) => key,
            seq => return self.doc.get(obj, seq),
        };
        let mut maps = self.maps.borrow_mut();
        let at = match maps.iter().rposition(|(o, _)| o == obj) {
            // The most recently used last: a record's own map stays while the maps inside it
            // come and go.
            Some(at) => {
                maps[at..].rotate_left(1);
                maps.len() - 1
            }
            None => {
                if maps.len() == MAPS_KEPT {
                    maps.remove(0);
                }
                let entries = self
                    .doc
                    .map_range(obj, ..)
                    .map(|i| (i.key.to_string(), (i.value.clone().into_value(), i.id())))
                    .collect();
                maps.push((obj.clone(), entries));
                maps.len() - 1
            }
        };
        Ok(maps[at]
            .1
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone()))
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        self.doc.object_type(obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> automerge::iter::MapRange<'b>
    where
        R: std::ops::RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        self.doc.map_range(obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        self.doc.list_range(obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        self.doc.length(obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        self.doc.text(obj)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        self.doc.parents(obj)
    }

    fn is_empty(&self) -> bool {
        self.doc.is_empty()
    }
}

/// Records not removed, oldest first.
pub fn active<T: Record>(doc: &impl Read) -> Result<Vec<(RecordId, T)>, ModelError> {
    Ok(list::<T>(doc)?
        .into_iter()
        .filter(|(_, r)| !r.is_removed())
        .collect())
}

pub fn get<T: Record>(doc: &impl Read, id: &RecordId) -> Result<T, ModelError> {
    let Some(obj) = locate(doc, T::COLLECTION, id)? else {
        return Err(ModelError::NotFound(T::NOT_FOUND));
    };
    hydrate_prop(doc, &obj, id.as_str()).map_err(damaged)
}

pub(crate) fn insert<T: Record>(
    tx: &mut impl Write,
    id: &RecordId,
    record: &T,
) -> Result<(), ModelError> {
    record.validate()?;
    let obj = match collection_objs(tx, T::COLLECTION)?.into_iter().next() {
        Some(obj) => obj,
        None => return Err(ModelError::NotInitialised),
    };
    reconcile_prop(tx, &obj, id.as_str(), record).map_err(damaged)
}

/// Inserts the records whose ids are not there yet; returns how many. Records with ids derived
/// from what they are (a template's row, a copy into a year) are so added once however often,
/// and on however many tablets, this runs; one already there is never overwritten.
pub(crate) fn insert_missing<T: Record>(
    tx: &mut impl Write,
    records: &[(RecordId, T)],
) -> Result<usize, ModelError> {
    let mut added = 0;
    for (id, r) in records {
        if locate(tx, T::COLLECTION, id)?.is_none() {
            insert(tx, id, r)?;
            added += 1;
        }
    }
    Ok(added)
}

/// Reads the record as it is now, lets `f` change it, and writes back only what changed: text
/// as splices, other fields only if their value differs. An edit made from a stale screen
/// therefore never reverts what another tablet wrote meanwhile to other fields.
pub(crate) fn update<T: Record, R>(
    tx: &mut impl Write,
    id: &RecordId,
    f: impl FnOnce(&mut T) -> Result<R, ModelError>,
) -> Result<R, ModelError> {
    let Some(obj) = locate(tx, T::COLLECTION, id)? else {
        return Err(ModelError::NotFound(T::NOT_FOUND));
    };
    let mut record: T = hydrate_prop(tx, &obj, id.as_str()).map_err(damaged)?;
    let out = f(&mut record)?;
    record.validate()?;
    reconcile_prop(tx, &obj, id.as_str(), record).map_err(damaged)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use autosurgeon::ReadDoc;

    use super::*;

    /// A reader asked about more maps than it keeps answers each from its own entries, also
    /// after the map fell out and is read again.
    #[test]
    fn map_reader_answers_past_what_it_keeps() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let maps: Vec<ObjId> = (0..MAPS_KEPT as i64 + 3)
            .map(|i| {
                let map = tx.put_object(ROOT, format!("m{i}"), ObjType::Map).unwrap();
                tx.put(&map, "n", i).unwrap();
                tx.put(&map, "name", format!("map {i}")).unwrap();
                map
            })
            .collect();
        tx.commit();
        let reader = MapReader::new(&doc);
        for _ in 0..2 {
            for (i, map) in maps.iter().enumerate() {
                let (n, _) = reader.get(map, "n").unwrap().unwrap();
                assert_eq!(n.as_i64(), Some(i as i64));
                let (name, _) = reader.get(map, "name").unwrap().unwrap();
                assert_eq!(name.as_str(), Some(format!("map {i}").as_str()));
                assert!(reader.get(map, "missing").unwrap().is_none());
            }
        }
        assert!(reader.maps.borrow().len() <= MAPS_KEPT);
    }

    /// A record's own map, asked about between the maps inside it, stays while they come and
    /// go (the least recently used is dropped), so it is not read again for every field.
    #[test]
    fn map_reader_keeps_the_map_in_use() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let record = tx.put_object(ROOT, "record", ObjType::Map).unwrap();
        let children: Vec<ObjId> = (0..MAPS_KEPT as i64 * 2)
            .map(|i| {
                tx.put(&record, format!("f{i}"), i).unwrap();
                let child = tx
                    .put_object(&record, format!("c{i}"), ObjType::Map)
                    .unwrap();
                tx.put(&child, "n", i).unwrap();
                child
            })
            .collect();
        tx.commit();
        let reader = MapReader::new(&doc);
        for (i, child) in children.iter().enumerate() {
            let (f, _) = reader.get(&record, format!("f{i}")).unwrap().unwrap();
            assert_eq!(f.as_i64(), Some(i as i64));
            let (n, _) = reader.get(child, "n").unwrap().unwrap();
            assert_eq!(n.as_i64(), Some(i as i64));
            assert!(reader.maps.borrow().iter().any(|(o, _)| *o == record));
        }
    }
}
