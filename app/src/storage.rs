//! Every read and write of IndexedDB goes through this module.
//!
//! Database `nastavnik` holds two object stores:
//! * `chunks`: document chunks under the key `"<document id>/<kind>/<content key>"`, the
//!   scheme of `sync_core::chunks` (a snapshot plus increments);
//! * `meta`: small device settings (this device's peer id, the school's document id, the last
//!   successful sync), as strings.
//!
//! A save is one IndexedDB transaction: a compacting snapshot and the deletion of the chunks it
//! replaces commit together or not at all.

use std::collections::BTreeMap;

use js_sys::{JsString, Uint8Array};
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode, TransactionResult};
use sync_core::DocumentId;
use sync_core::chunks::{Chunk, ChunkKind, PendingSave};
use wasm_bindgen::{JsCast, JsValue};

const CHUNKS: &str = "chunks";
const META: &str = "meta";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("На планшете закончилось место для данных ({0}). Освободите место и повторите.")]
    Quota(String),
    #[error("Хранилище браузера недоступно: {0}")]
    Unavailable(String),
    #[error("Ошибка записи в хранилище браузера: {0}")]
    Write(String),
    #[error("Ошибка чтения хранилища браузера: {0}")]
    Read(String),
}

fn describe(e: &rexie::Error) -> String {
    match e {
        rexie::Error::IdbError(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

fn write_error(e: rexie::Error) -> StorageError {
    let text = describe(&e);
    if text.contains("Quota") || text.contains("quota") {
        StorageError::Quota(text)
    } else {
        StorageError::Write(text)
    }
}

fn read_error(e: rexie::Error) -> StorageError {
    StorageError::Read(describe(&e))
}

fn chunk_key(doc: &DocumentId, kind: ChunkKind, key: &str) -> JsValue {
    JsValue::from_str(&format!("{doc}/{}/{key}", kind.as_str()))
}

/// All keys of one document: `"<id>/"` up to `"<id>0"` (`'0'` follows `'/'`).
fn doc_range(doc: &DocumentId) -> Result<KeyRange, StorageError> {
    let lower = JsValue::from_str(&format!("{doc}/"));
    let upper = JsValue::from_str(&format!("{doc}0"));
    KeyRange::bound(&lower, &upper, Some(false), Some(true))
        .map_err(|e| StorageError::Read(e.to_string()))
}

/// A stored chunk and the document id its key names.
fn chunk_of(key: &JsValue, value: &JsValue) -> Result<(String, Chunk), StorageError> {
    let key: String = key.as_string().unwrap_or_default();
    let mut parts = key.splitn(3, '/');
    let (doc, kind, content_key) = (parts.next(), parts.next(), parts.next());
    let (Some(doc), Some(kind), Some(content_key)) =
        (doc, kind.and_then(ChunkKind::parse), content_key)
    else {
        return Err(StorageError::Read(format!("unexpected key {key}")));
    };
    let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
        return Err(StorageError::Read(format!("chunk {key} is not bytes")));
    };
    Ok((
        doc.to_owned(),
        Chunk {
            kind,
            key: content_key.to_owned(),
            data: bytes.to_vec(),
        },
    ))
}

/// Waits for a read-write transaction to finish; an abort (quota, a closed database) is an error.
async fn committed(tx: rexie::Transaction) -> Result<(), StorageError> {
    match tx.done().await.map_err(write_error)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StorageError::Write("транзакция прервана".into())),
    }
}

/// Deletes every chunk of a document, inside the caller's transaction: one request for the
/// document's key range, however many chunks it has.
async fn delete_chunks(store: &rexie::Store, doc: &DocumentId) -> Result<(), StorageError> {
    store
        .delete(doc_range(doc)?.into())
        .await
        .map_err(write_error)
}

/// Every key and value in `range` (the whole store if `None`), in key order, in two requests
/// (`getAllKeys` and `getAll`) however many entries there are. A cursor takes a round trip to
/// IndexedDB per entry: thousands of them before the first screen of a school of a thousand
/// people.
async fn entries(
    store: &rexie::Store,
    range: Option<KeyRange>,
) -> Result<Vec<(JsValue, JsValue)>, StorageError> {
    let (keys, values) = futures::join!(
        store.get_all_keys(range.clone(), None),
        store.get_all(range, None)
    );
    let (keys, values) = (keys.map_err(read_error)?, values.map_err(read_error)?);
    // Both requests ran in one transaction, over the same range, in key order.
    if keys.len() != values.len() {
        return Err(StorageError::Read(format!(
            "{} keys but {} values",
            keys.len(),
            values.len()
        )));
    }
    Ok(keys.into_iter().zip(values).collect())
}

pub struct Storage {
    /// `None` once closed: every later call is an error, as with a database the browser closed.
    db: std::cell::RefCell<Option<Rexie>>,
}

impl Storage {
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        let db = Rexie::builder(name)
            .version(1)
            .add_object_store(ObjectStore::new(CHUNKS))
            .add_object_store(ObjectStore::new(META))
            .build()
            .await
            .map_err(|e| StorageError::Unavailable(describe(&e)))?;
        Ok(Self {
            db: std::cell::RefCell::new(Some(db)),
        })
    }

    /// Closes the database; every later call fails with [`StorageError::Unavailable`].
    pub fn close(&self) {
        if let Some(db) = self.db.borrow_mut().take() {
            db.close();
        }
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<rexie::Transaction, StorageError> {
        let db = self.db.borrow();
        let db = db
            .as_ref()
            .ok_or_else(|| StorageError::Unavailable("база данных закрыта".into()))?;
        db.transaction(stores, mode).map_err(|e| match mode {
            TransactionMode::ReadOnly => read_error(e),
            _ => write_error(e),
        })
    }

    pub async fn load(&self, doc: &DocumentId) -> Result<Vec<Chunk>, StorageError> {
        let tx = self.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let store = tx.store(CHUNKS).map_err(read_error)?;
        let entries = entries(&store, Some(doc_range(doc)?)).await?;
        let mut chunks = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            chunks.push(chunk_of(&key, &value)?.1);
        }
        Ok(chunks)
    }

    /// Every document's chunks, read in one transaction with two requests to IndexedDB
    /// (see [`entries`]), however many documents and chunks the device holds.
    pub async fn load_all(&self) -> Result<BTreeMap<DocumentId, Vec<Chunk>>, StorageError> {
        let tx = self.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let store = tx.store(CHUNKS).map_err(read_error)?;
        let entries = entries(&store, None).await?;
        let mut out: BTreeMap<DocumentId, Vec<Chunk>> = BTreeMap::new();
        for (key, value) in entries {
            let (doc, chunk) = chunk_of(&key, &value)?;
            // A key of no document this app writes (another version's) is not a document.
            if let Ok(doc) = doc.parse::<DocumentId>() {
                out.entry(doc).or_default().push(chunk);
            }
        }
        Ok(out)
    }

    pub async fn save(&self, doc: &DocumentId, save: &PendingSave) -> Result<(), StorageError> {
        self.save_many(&[(*doc, save.clone())], None).await
    }

    /// Writes several documents' pending changes in **one** transaction: all of them are
    /// stored or none is. A change that spans documents (the demo year: the school's list of
    /// people and each person's own document; an import) is never found half-written after a
    /// reload or a closed tab.
    ///
    /// `meta` is a setting written in the same transaction: a record derived from the
    /// documents (the home screen's view, [`crate::view_cache`]) is stored with exactly the
    /// chunks it was derived from, or not at all.
    pub async fn save_many(
        &self,
        saves: &[(DocumentId, PendingSave)],
        meta: Option<(&str, &str)>,
    ) -> Result<(), StorageError> {
        let tx = self.transaction(&[CHUNKS, META], TransactionMode::ReadWrite)?;
        if let Some((key, value)) = meta {
            tx.store(META)
                .map_err(write_error)?
                .put(&JsString::from(value).into(), Some(&JsValue::from_str(key)))
                .await
                .map_err(write_error)?;
        }
        let store = tx.store(CHUNKS).map_err(write_error)?;
        for (doc, save) in saves {
            if save.replaces_all {
                match save.replaces() {
                    // Only what this tab loaded or wrote: another tab's later increments stay
                    // (they load together with this snapshot).
                    Some(keys) => {
                        for key in keys.iter().filter(|k| **k != save.chunk.key) {
                            // Known by content key: either kind (deleting no record is no error).
                            for kind in [ChunkKind::Snapshot, ChunkKind::Incremental] {
                                store
                                    .delete(chunk_key(doc, kind, key))
                                    .await
                                    .map_err(write_error)?;
                            }
                        }
                    }
                    None => delete_chunks(&store, doc).await?,
                }
            }
            let value = Uint8Array::from(save.chunk.data.as_slice());
            let key = chunk_key(doc, save.chunk.kind, &save.chunk.key);
            store.put(&value, Some(&key)).await.map_err(write_error)?;
        }
        committed(tx).await
    }

    /// Deletes every chunk of a document (erasure of personal data), in one transaction.
    pub async fn delete(&self, doc: &DocumentId) -> Result<(), StorageError> {
        let tx = self.transaction(&[CHUNKS], TransactionMode::ReadWrite)?;
        let store = tx.store(CHUNKS).map_err(write_error)?;
        delete_chunks(&store, doc).await?;
        committed(tx).await
    }

    pub async fn get_meta(&self, key: &str) -> Result<Option<String>, StorageError> {
        let tx = self.transaction(&[META], TransactionMode::ReadOnly)?;
        let store = tx.store(META).map_err(read_error)?;
        let value = store
            .get(JsValue::from_str(key))
            .await
            .map_err(read_error)?;
        Ok(value.and_then(|v| v.as_string()))
    }

    /// Every value of the meta store, read in one transaction (what opening the app needs).
    pub async fn meta_all(&self) -> Result<BTreeMap<String, String>, StorageError> {
        let tx = self.transaction(&[META], TransactionMode::ReadOnly)?;
        let store = tx.store(META).map_err(read_error)?;
        Ok(entries(&store, None)
            .await?
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
            .collect())
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let tx = self.transaction(&[META], TransactionMode::ReadWrite)?;
        let store = tx.store(META).map_err(write_error)?;
        store
            .put(&JsString::from(value).into(), Some(&JsValue::from_str(key)))
            .await
            .map_err(write_error)?;
        committed(tx).await
    }

    /// Every document id that has chunks stored.
    pub async fn documents(&self) -> Result<Vec<DocumentId>, StorageError> {
        let tx = self.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let store = tx.store(CHUNKS).map_err(read_error)?;
        let keys = store.get_all_keys(None, None).await.map_err(read_error)?;
        let mut ids: Vec<DocumentId> = keys
            .iter()
            .filter_map(|k| k.as_string())
            .filter_map(|k| k.split('/').next().and_then(|id| id.parse().ok()))
            .collect();
        ids.dedup();
        Ok(ids)
    }
}

/// Asks the browser to keep this origin's storage under storage pressure (it may otherwise
/// evict IndexedDB of a site the user has not "installed"). Returns whether storage is now
/// persistent; `None` where the browser has no Storage API.
pub async fn request_persistence() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    if let Ok(promise) = storage.persisted()
        && let Ok(already) = wasm_bindgen_futures::JsFuture::from(promise).await
        && already.as_bool() == Some(true)
    {
        return Some(true);
    }
    let granted = wasm_bindgen_futures::JsFuture::from(storage.persist().ok()?)
        .await
        .ok()?;
    granted.as_bool()
}
