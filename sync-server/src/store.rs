//! Where the relay keeps documents: chunks in an embedded SQLite database.
//!
//! Every method is a single transaction, so a crash leaves either the whole write or none of
//! it; the scheme (snapshot plus increments, compaction) is decided by `sync_core::chunks`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use sync_core::DocumentId;
use sync_core::chunks::{Chunk, ChunkKind, PendingSave};

use crate::accounts::SchoolId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the database worker stopped: {0}")]
    Worker(String),
    #[error("stored chunk of {doc} has an unknown kind {kind:?}")]
    UnknownKind { doc: String, kind: String },
    #[error("the school already has {0} documents, the most this relay allows")]
    TooManyDocuments(u64),
    #[error(
        "the school's documents would exceed {0} bytes, the most this relay keeps for a school"
    )]
    SchoolFull(u64),
    #[error("this device has written its quota for today ({0})")]
    DeviceQuota(String),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("the document was erased; it is never stored again")]
    Erased,
}

/// Where documents and accounts live: the embedded SQLite database (one relay), or PostgreSQL
/// (several relay instances sharing the load). Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// Calls run on the blocking thread pool, one at a time.
    Sqlite(Arc<Mutex<Connection>>),
    Postgres(crate::pg::Pg),
}

/// Documents are keyed by the school that owns them *and* their id: the same id sent by a
/// device of another school names a different, empty document, so knowing an id reveals nothing.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS chunks (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id  TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    data       BLOB NOT NULL,
    UNIQUE (school_id, doc_id, kind, key)
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (school_id, doc_id);
CREATE TABLE IF NOT EXISTS erased (
    school_id  TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    erased_at  INTEGER NOT NULL,
    PRIMARY KEY (school_id, doc_id)
);
CREATE TABLE IF NOT EXISTS device_usage (
    device_id  TEXT NOT NULL,
    day        INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    docs       INTEGER NOT NULL,
    PRIMARY KEY (device_id, day)
);
CREATE TABLE IF NOT EXISTS actors (
    school_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    PRIMARY KEY (school_id, actor)
);
";

/// What one school and one device may write. The rule is written once, here ([`Quota::admit`]);
/// each database measures [`Usage`] inside the writing transaction and applies it there.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    /// Documents one school may keep.
    pub max_documents: u64,
    /// Bytes one school's documents may take.
    pub max_school_bytes: u64,
    /// Bytes of growth one device may cause in a day (UTC).
    pub max_device_bytes_per_day: u64,
    /// New documents one device may bring in a day.
    pub max_device_documents_per_day: u64,
}

impl Default for Quota {
    /// Generous for a school (a year of the demo school is about 3 MB in 191 documents), small
    /// next to a region's disk.
    fn default() -> Self {
        Self {
            max_documents: 10_000,
            max_school_bytes: 256 * 1024 * 1024,
            max_device_bytes_per_day: 64 * 1024 * 1024,
            max_device_documents_per_day: 2_000,
        }
    }
}

/// What a write finds, measured inside its transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// The document has no chunk yet.
    pub new_document: bool,
    /// Documents the school keeps (measured only for a new document).
    pub school_documents: u64,
    pub school_bytes: u64,
    /// Bytes of the chunks this write replaces (a compaction).
    pub replaced_bytes: u64,
    pub device_bytes_today: u64,
    pub device_documents_today: u64,
}

impl Quota {
    /// Whether a write of `bytes` is admitted; a compaction is charged only what it adds.
    pub fn admit(&self, usage: &Usage, bytes: u64) -> Result<(), StoreError> {
        if usage.new_document {
            if usage.school_documents >= self.max_documents {
                return Err(StoreError::TooManyDocuments(usage.school_documents));
            }
            if usage.device_documents_today >= self.max_device_documents_per_day {
                return Err(StoreError::DeviceQuota(format!(
                    "{} new documents",
                    self.max_device_documents_per_day
                )));
            }
        }
        let growth = bytes.saturating_sub(usage.replaced_bytes);
        if growth > 0 && usage.school_bytes + growth > self.max_school_bytes {
            return Err(StoreError::SchoolFull(self.max_school_bytes));
        }
        if growth > 0 && usage.device_bytes_today + growth > self.max_device_bytes_per_day {
            return Err(StoreError::DeviceQuota(format!(
                "{} bytes",
                self.max_device_bytes_per_day
            )));
        }
        Ok(())
    }

    /// What a device is charged for an admitted write.
    pub fn charge(usage: &Usage, bytes: u64) -> (i64, i64) {
        let growth = bytes.saturating_sub(usage.replaced_bytes);
        (
            i64::try_from(growth).unwrap_or(i64::MAX),
            i64::from(usage.new_document),
        )
    }
}

/// The UTC day of a time in milliseconds, as device usage is counted.
pub(crate) fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

/// Adds an admitted write to the device's usage of the day (same SQL in both databases).
const CHARGE_DEVICE: &str =
    "INSERT INTO device_usage (device_id, day, bytes, docs) VALUES ($1, $2, $3, $4)
     ON CONFLICT (device_id, day) DO UPDATE
     SET bytes = device_usage.bytes + excluded.bytes, docs = device_usage.docs + excluded.docs";

pub(crate) fn charge_device_sql(sqlite: bool) -> String {
    if sqlite {
        CHARGE_DEVICE.replace('$', "?")
    } else {
        CHARGE_DEVICE.to_owned()
    }
}

impl Store {
    /// Opens (creating if needed) `relay.sqlite3` in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        let data_dir = |source| StoreError::DataDir {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(data_dir)?;
        // Children's personal data: the directory and the database are the relay user's only.
        owner_only(dir, 0o700).map_err(data_dir)?;
        let path = dir.join("relay.sqlite3");
        if !path.exists() {
            // Created empty with owner-only permissions before SQLite opens it; its WAL and
            // shared-memory files inherit the database file's permissions.
            create_owner_only(&path).map_err(data_dir)?;
        }
        owner_only(&path, 0o600).map_err(data_dir)?;
        let conn = Connection::open(&path)?;
        // WAL with FULL sync: a reply is sent only after its write reached the disk.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Deleted rows are overwritten, so an erased person's data does not linger in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(crate::accounts::SCHEMA)?;
        crate::accounts::migrate(&conn)?;
        Ok(Self {
            backend: Backend::Sqlite(Arc::new(Mutex::new(conn))),
        })
    }

    /// Connects to PostgreSQL (creating the schema if needed).
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Postgres(crate::pg::Pg::connect(url).await?),
        })
    }

    pub(crate) fn postgres(&self) -> Option<&crate::pg::Pg> {
        match &self.backend {
            Backend::Postgres(pg) => Some(pg),
            Backend::Sqlite(_) => None,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_auth(f).await
    }

    /// Runs `f` on the connection, on the blocking pool, with the caller's error type.
    pub(crate) async fn run_auth<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let Backend::Sqlite(conn) = &self.backend else {
            return Err(E::from(StoreError::Worker("not an SQLite store".into())));
        };
        let conn = conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself is still sound
            // because every write is one transaction.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| E::from(StoreError::Worker(e.to_string())))?
    }

    pub async fn load(&self, school: &SchoolId, doc: DocumentId) -> Result<Vec<Chunk>, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.load(school, doc).await;
        }
        let (school, doc) = (school.0.clone(), doc.to_string());
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, key, data FROM chunks WHERE school_id = ?1 AND doc_id = ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map([&school, &doc], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })?;
            let mut chunks = Vec::new();
            for row in rows {
                let (kind, key, data) = row?;
                let kind = ChunkKind::parse(&kind).ok_or_else(|| StoreError::UnknownKind {
                    doc: doc.clone(),
                    kind,
                })?;
                chunks.push(Chunk { kind, key, data });
            }
            Ok(chunks)
        })
        .await
    }

    /// Writes one pending save that `device`'s sync brought, within `quota`.
    ///
    /// A compacting snapshot removes exactly the chunks named in `replaces`: the ones its writer
    /// had incorporated. Another relay instance may have added a chunk meanwhile; it survives.
    pub async fn save(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        doc: DocumentId,
        save: &PendingSave,
        replaces: &[String],
        quota: &Quota,
    ) -> Result<(), StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.save(school, device, doc, save, replaces, quota).await;
        }
        let (school, device, doc) = (school.0.clone(), device.0.clone(), doc.to_string());
        let chunk = save.chunk.clone();
        let replaces: Vec<String> = if save.replaces_all {
            replaces.to_vec()
        } else {
            vec![]
        };
        let quota = *quota;
        self.run(move |conn| {
            let tx = conn.transaction()?;
            if is_erased_sqlite(&tx, &school, &doc)? {
                return Err(StoreError::Erased);
            }
            let sizes: Vec<(String, u64)> = tx
                .prepare_cached(
                    "SELECT key, length(data) FROM chunks WHERE school_id = ?1 AND doc_id = ?2",
                )?
                .query_map([&school, &doc], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let today = day_of(crate::accounts::now_ms());
            let (device_bytes_today, device_documents_today): (u64, u64) = tx
                .query_row(
                    "SELECT bytes, docs FROM device_usage WHERE device_id = ?1 AND day = ?2",
                    params![device, today],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .unwrap_or_default();
            let mut usage = Usage {
                new_document: sizes.is_empty(),
                school_bytes: tx.query_row(
                    "SELECT COALESCE(SUM(length(data)), 0) FROM chunks WHERE school_id = ?1",
                    [&school],
                    |r| r.get(0),
                )?,
                replaced_bytes: sizes
                    .iter()
                    .filter(|(key, _)| replaces.contains(key) && *key != chunk.key)
                    .map(|(_, size)| size)
                    .sum(),
                device_bytes_today,
                device_documents_today,
                ..Usage::default()
            };
            if usage.new_document {
                usage.school_documents = tx.query_row(
                    "SELECT COUNT(DISTINCT doc_id) FROM chunks WHERE school_id = ?1",
                    [&school],
                    |r| r.get(0),
                )?;
            }
            let bytes = chunk.data.len() as u64;
            quota.admit(&usage, bytes)?;
            for key in replaces.iter().filter(|k| **k != chunk.key) {
                tx.execute(
                    "DELETE FROM chunks WHERE school_id = ?1 AND doc_id = ?2 AND key = ?3",
                    [&school, &doc, key],
                )?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO chunks (school_id, doc_id, kind, key, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![school, doc, chunk.kind.as_str(), chunk.key, chunk.data],
            )?;
            let (grown, new_docs) = Quota::charge(&usage, bytes);
            tx.execute(
                &charge_device_sql(true),
                params![device, today, grown, new_docs],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn exists(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.exists(school, doc).await;
        }
        let (school, doc) = (school.0.clone(), doc.to_string());
        self.run(move |conn| {
            let found = conn
                .query_row(
                    "SELECT 1 FROM chunks WHERE school_id = ?1 AND doc_id = ?2 LIMIT 1",
                    [&school, &doc],
                    |_| Ok(()),
                )
                .optional()?;
            Ok(found.is_some())
        })
        .await
    }

    /// Deletes a document for good and remembers that it was erased: a device that still holds
    /// a copy can never bring it back. Used for a person's personal data.
    pub async fn erase(
        &self,
        school: &SchoolId,
        doc: DocumentId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.erase(school, doc, now_ms).await;
        }
        let (school, doc) = (school.0.clone(), doc.to_string());
        self.run(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM chunks WHERE school_id = ?1 AND doc_id = ?2",
                [&school, &doc],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO erased (school_id, doc_id, erased_at) VALUES (?1, ?2, ?3)",
                params![school, doc, now_ms],
            )?;
            tx.commit()?;
            // Also out of the write-ahead log.
            conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
            Ok(())
        })
        .await
    }

    pub async fn is_erased(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.is_erased(school, doc).await;
        }
        let (school, doc) = (school.0.clone(), doc.to_string());
        self.run(move |conn| is_erased_sqlite(conn, &school, &doc))
            .await
    }

    /// The school's erased documents with the time of erasure: what every device deletes.
    pub async fn erasures(&self, school: &SchoolId) -> Result<Vec<(String, i64)>, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.erasures(school).await;
        }
        let school = school.0.clone();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT doc_id, erased_at FROM erased WHERE school_id = ?1 ORDER BY erased_at",
            )?;
            let rows = stmt.query_map([&school], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Records that `device` brought changes of these automerge actors (hex); an actor
    /// already recorded keeps its first device.
    pub async fn record_actors(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        actors: &[String],
    ) -> Result<(), StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.record_actors(school, device, actors).await;
        }
        let (school, device, actors) = (school.0.clone(), device.0.clone(), actors.to_vec());
        let now = crate::accounts::now_ms();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            for actor in &actors {
                tx.execute(
                    "INSERT OR IGNORE INTO actors (school_id, actor, device_id, first_seen) VALUES (?1, ?2, ?3, ?4)",
                    params![school, actor, device, now],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Every automerge actor of the school with the device that first brought its changes.
    pub async fn actors(&self, school: &SchoolId) -> Result<Vec<(String, String)>, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.actors(school).await;
        }
        let school = school.0.clone();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT actor, device_id FROM actors WHERE school_id = ?1 ORDER BY first_seen",
            )?;
            let rows = stmt.query_map([&school], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Documents stored for all schools (the same id in two schools is two documents).
    pub async fn document_count(&self) -> Result<u64, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg.document_count().await;
        }
        self.run(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM (SELECT DISTINCT school_id, doc_id FROM chunks)",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }
}

/// Sets a file's or directory's permissions (Unix); elsewhere nothing to do.
pub(crate) fn owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Creates a new file readable and writable by its owner only.
pub(crate) fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn is_erased_sqlite(conn: &Connection, school: &str, doc: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM erased WHERE school_id = ?1 AND doc_id = ?2",
            [school, doc],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
