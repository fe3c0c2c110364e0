//! The embedded SQLite database: one relay, nothing to configure. Calls run on the blocking
//! thread pool, one at a time, each a single transaction.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use sync_core::DocumentId;
use sync_core::chunks::{Chunk, ChunkKind, PendingSave};

use crate::accounts::*;
use crate::backup::*;
use crate::store::*;

pub struct Sqlite {
    conn: Arc<Mutex<Connection>>,
    /// Chunk writes, committed in groups by [`commit_loop`].
    saves: tokio::sync::mpsc::Sender<(ChunkWrite, WriteReply)>,
}

/// Group commit: every chunk write waiting when a commit starts goes into that one transaction
/// (each in its own savepoint, so a refused write is rolled back alone), and each writer hears
/// of its write only after the transaction's fsync. Under load, the writes arriving during one
/// fsync share the next: the rule "no reply before the write is durable" holds as with one
/// transaction per write, at a fraction of the fsyncs.
fn commit_loop(
    conn: Arc<Mutex<Connection>>,
    mut saves: tokio::sync::mpsc::Receiver<(ChunkWrite, WriteReply)>,
    max_group: usize,
) {
    while let Some(first) = saves.blocking_recv() {
        let mut group = vec![first];
        while group.len() < max_group.max(1) {
            match saves.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
        let outcome = (|| -> Result<Vec<Result<(), StoreError>>, StoreError> {
            let mut tx = guard.transaction()?;
            let mut results = Vec::with_capacity(group.len());
            for (job, _) in &group {
                let mut savepoint = tx.savepoint()?;
                let result = write_chunk(&savepoint, job);
                if result.is_ok() {
                    savepoint.commit()?;
                } else {
                    savepoint.rollback()?;
                }
                results.push(result);
            }
            tx.commit()?;
            Ok(results)
        })();
        drop(guard);
        match outcome {
            Ok(results) => {
                for ((_, reply), result) in group.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                // The transaction did not commit: nothing of the group is durable.
                let message = e.to_string();
                for (_, reply) in group {
                    let _ = reply.send(Err(StoreError::Worker(message.clone())));
                }
            }
        }
    }
}

/// One chunk write inside the group's transaction: the erasure check, the quota (measured in
/// the same transaction), the chunk, the device's usage.
fn write_chunk(tx: &Connection, job: &ChunkWrite) -> Result<(), StoreError> {
    let ChunkWrite {
        school,
        device,
        doc,
        chunk,
        replaces,
        quota,
    } = job;
    if is_erased_sqlite(tx, school, doc)? {
        return Err(StoreError::Erased);
    }
    let sizes: Vec<(String, u64)> = tx
        .prepare_cached(
            "SELECT key, length(data) FROM chunks WHERE school_id = ?1 AND doc_id = ?2",
        )?
        .query_map([school, doc], |r| Ok((r.get(0)?, r.get(1)?)))?
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
            [school],
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
            [school],
            |r| r.get(0),
        )?;
    }
    let bytes = chunk.data.len() as u64;
    quota.admit(&usage, bytes)?;
    for key in replaces.iter().filter(|k| **k != chunk.key) {
        tx.execute(
            "DELETE FROM chunks WHERE school_id = ?1 AND doc_id = ?2 AND key = ?3",
            [school, doc, key],
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
    Ok(())
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

const ACCOUNTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS schools (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    root_doc    TEXT,
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    id           TEXT PRIMARY KEY,
    school_id    TEXT NOT NULL REFERENCES schools (id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    secret_hash  BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX IF NOT EXISTS devices_by_school ON devices (school_id);
CREATE TABLE IF NOT EXISTS invitations (
    code_hash   BLOB PRIMARY KEY,
    school_id   TEXT NOT NULL REFERENCES schools (id),
    role        TEXT NOT NULL,
    created_by  TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    id          TEXT
);
";

/// Adds what later versions need to an older database (idempotent).
pub(crate) fn migrate(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let has_id = conn
        .prepare("SELECT 1 FROM pragma_table_info('invitations') WHERE name = 'id'")?
        .exists([])?;
    if !has_id {
        conn.execute_batch("ALTER TABLE invitations ADD COLUMN id TEXT")?;
    }
    // Invitations made before they had an id get one, so a curator can cancel them.
    conn.execute_batch("UPDATE invitations SET id = lower(hex(randomblob(16))) WHERE id IS NULL")
}

pub(crate) fn device_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: DeviceId(row.get(0)?),
        school: SchoolId(row.get(1)?),
        name: row.get(2)?,
        role: Role::parse(&row.get::<_, String>(3)?),
        created_at: row.get(4)?,
        revoked_at: row.get(5)?,
    })
}

const DEVICE_COLUMNS: &str = "id, school_id, name, role, created_at, revoked_at";

fn school_by_id(conn: &rusqlite::Connection, id: &SchoolId) -> Result<School, AuthError> {
    conn.query_row(
        "SELECT id, name, root_doc FROM schools WHERE id = ?1",
        [&id.0],
        |r| {
            Ok(School {
                id: SchoolId(r.get(0)?),
                name: r.get(1)?,
                root_doc: r.get(2)?,
            })
        },
    )
    .optional()?
    .ok_or(AuthError::NoSuchSchool)
}

fn insert_invitation(
    conn: &rusqlite::Connection,
    school: &SchoolId,
    role: Role,
    created_by: Option<&DeviceId>,
) -> Result<Invitation, AuthError> {
    let code = new_code();
    let id = new_invitation_id();
    let now = now_ms();
    let expires_at = now + INVITATION_TTL_MS;
    conn.execute(
        "INSERT INTO invitations (code_hash, school_id, role, created_by, created_at, expires_at, id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            hash(&code),
            school.0,
            role.as_str(),
            created_by.map(|d| d.0.clone()),
            now,
            expires_at,
            id
        ],
    )?;
    Ok(Invitation {
        id,
        code: display_code(&code),
        expires_at,
    })
}

impl Sqlite {
    /// Opens (creating if needed) `relay.sqlite3` in `dir`.
    pub(crate) fn open_dir(dir: &Path, max_group: usize) -> Result<Self, StoreError> {
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
        conn.execute_batch(ACCOUNTS_SCHEMA)?;
        migrate(&conn)?;
        let conn = Arc::new(Mutex::new(conn));
        let (saves, queue) = tokio::sync::mpsc::channel(QUEUED_WRITES);
        let committer = conn.clone();
        std::thread::Builder::new()
            .name("sqlite-commit".into())
            .spawn(move || commit_loop(committer, queue, max_group))
            .map_err(|e| StoreError::Worker(e.to_string()))?;
        Ok(Self { conn, saves })
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
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself is still sound
            // because every write is one transaction.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| E::from(StoreError::Worker(e.to_string())))?
    }
}

/// One relay on its own database has no other instances to hear from.
impl ChangeFeed for Sqlite {
    fn follow(
        &self,
        _on_change: Box<dyn Fn(Change) + Send + Sync>,
        _on_reconnect: Box<dyn Fn() + Send + Sync>,
    ) {
    }
}

#[async_trait]
impl Documents for Sqlite {
    async fn load(&self, school: &SchoolId, doc: DocumentId) -> Result<Vec<Chunk>, StoreError> {
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

    async fn save(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        doc: DocumentId,
        save: &PendingSave,
        replaces: &[String],
        quota: &Quota,
    ) -> Result<(), StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = ChunkWrite::new(school, device, doc, save, replaces, quota);
        self.saves
            .send((job, reply))
            .await
            .map_err(|_| StoreError::Worker("the commit thread stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Worker("the commit thread stopped".into()))?
    }

    async fn exists(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
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

    async fn erase(
        &self,
        school: &SchoolId,
        doc: DocumentId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
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

    async fn is_erased(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
        let (school, doc) = (school.0.clone(), doc.to_string());
        self.run(move |conn| is_erased_sqlite(conn, &school, &doc))
            .await
    }

    async fn erasures(&self, school: &SchoolId) -> Result<Vec<(String, i64)>, StoreError> {
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

    async fn record_actors(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        actors: &[String],
    ) -> Result<(), StoreError> {
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

    async fn actors(&self, school: &SchoolId) -> Result<Vec<(String, String)>, StoreError> {
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

    async fn document_count(&self) -> Result<u64, StoreError> {
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

#[async_trait]
impl Accounts for Sqlite {
    async fn create_school(&self, name: &str) -> Result<(School, Invitation), AuthError> {
        let name = name.trim().to_owned();
        self.run_auth(move |conn| {
            let tx = conn.transaction()?;
            let id = SchoolId(uuid::Uuid::new_v4().simple().to_string());
            tx.execute(
                "INSERT INTO schools (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![id.0, name, now_ms()],
            )?;
            let invitation = insert_invitation(&tx, &id, Role::Curator, None)?;
            tx.commit()?;
            Ok((
                School {
                    id,
                    name,
                    root_doc: None,
                },
                invitation,
            ))
        })
        .await
    }

    async fn schools(&self) -> Result<Vec<School>, AuthError> {
        self.run_auth(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, name, root_doc FROM schools ORDER BY created_at")?;
            let rows = stmt.query_map([], |r| {
                Ok(School {
                    id: SchoolId(r.get(0)?),
                    name: r.get(1)?,
                    root_doc: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn invite(
        &self,
        school: &SchoolId,
        role: Role,
        by: Option<&DeviceId>,
    ) -> Result<Invitation, AuthError> {
        let (school, by) = (school.clone(), by.cloned());
        self.run_auth(move |conn| {
            school_by_id(conn, &school)?;
            insert_invitation(conn, &school, role, by.as_ref())
        })
        .await
    }

    async fn invitations(&self, school: &SchoolId) -> Result<Vec<OpenInvitation>, AuthError> {
        let school = school.0.clone();
        self.run_auth(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT i.id, i.role, i.created_by, d.name, i.created_at, i.expires_at
                 FROM invitations i LEFT JOIN devices d ON d.id = i.created_by
                 WHERE i.school_id = ?1 AND i.used_at IS NULL AND i.expires_at > ?2
                   AND (i.created_by IS NULL OR d.revoked_at IS NULL)
                 ORDER BY i.created_at",
            )?;
            let rows = stmt.query_map(params![school, now_ms()], |r| {
                Ok(OpenInvitation {
                    id: r.get(0)?,
                    role: Role::parse(&r.get::<_, String>(1)?),
                    created_by: r.get(2)?,
                    created_by_name: r.get(3)?,
                    created_at: r.get(4)?,
                    expires_at: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn cancel_invitation(&self, school: &SchoolId, id: &str) -> Result<(), AuthError> {
        let (school, id) = (school.0.clone(), id.to_owned());
        self.run_auth(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM invitations WHERE school_id = ?1 AND id = ?2 AND used_at IS NULL",
                params![school, id],
            )?;
            if deleted == 0 {
                return Err(AuthError::NoSuchInvitation);
            }
            Ok(())
        })
        .await
    }

    async fn redeem(&self, code: &str, device_name: &str) -> Result<Joined, AuthError> {
        let code = normalize_code(code);
        let name = device_name.trim().chars().take(100).collect::<String>();
        self.run_auth(move |conn| {
            let tx = conn.transaction()?;
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT school_id, role FROM invitations
                     WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2
                       AND (created_by IS NULL OR created_by NOT IN
                            (SELECT id FROM devices WHERE revoked_at IS NOT NULL))",
                    params![hash(&code), now_ms()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((school_id, role)) = found else { return Err(AuthError::BadInvitation) };
            tx.execute("UPDATE invitations SET used_at = ?1 WHERE code_hash = ?2", params![now_ms(), hash(&code)])?;
            let school = school_by_id(&tx, &SchoolId(school_id))?;
            let id = DeviceId(uuid::Uuid::new_v4().simple().to_string());
            let secret = hex::encode(random_bytes());
            let device = Device {
                id: id.clone(),
                school: school.id.clone(),
                name: if name.is_empty() { "Устройство".into() } else { name },
                role: Role::parse(&role),
                created_at: now_ms(),
                revoked_at: None,
            };
            tx.execute(
                "INSERT INTO devices (id, school_id, name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device.id.0, device.school.0, device.name, device.role.as_str(), hash(&secret), device.created_at],
            )?;
            tx.commit()?;
            Ok(Joined { token: format!("{}.{secret}", id.0), device, school })
        })
        .await
    }

    async fn authenticate(&self, token: &str) -> Result<Device, AuthError> {
        let Some((id, secret)) = token.split_once('.') else {
            return Err(AuthError::BadCredential);
        };
        let (id, secret_hash) = (id.to_owned(), hash(secret));
        self.run_auth(move |conn| {
            let row = conn
                .query_row(
                    &format!("SELECT {DEVICE_COLUMNS}, secret_hash FROM devices WHERE id = ?1"),
                    [&id],
                    |r| Ok((device_from_row(r)?, r.get::<_, Vec<u8>>(6)?)),
                )
                .optional()?;
            match row {
                // Compare hashes of equal length; timing reveals nothing about the secret.
                Some((device, stored)) if stored == secret_hash => {
                    if device.revoked_at.is_some() {
                        Err(AuthError::Revoked)
                    } else {
                        Ok(device)
                    }
                }
                _ => Err(AuthError::BadCredential),
            }
        })
        .await
    }

    async fn school(&self, id: &SchoolId) -> Result<School, AuthError> {
        let id = id.clone();
        self.run_auth(move |conn| school_by_id(conn, &id)).await
    }

    async fn devices(&self, school: &SchoolId) -> Result<Vec<Device>, AuthError> {
        let school = school.clone();
        self.run_auth(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE school_id = ?1 ORDER BY created_at"
            ))?;
            let rows = stmt.query_map([&school.0], device_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn revoke(&self, school: &SchoolId, device: &DeviceId) -> Result<(), AuthError> {
        let (school, device) = (school.clone(), device.clone());
        self.run_auth(move |conn| {
            let changed = conn.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 AND school_id = ?3",
                params![now_ms(), device.0, school.0],
            )?;
            if changed == 0 { Err(AuthError::NoSuchDevice) } else { Ok(()) }
        })
        .await
    }

    async fn set_root_doc(&self, school: &SchoolId, doc: &str) -> Result<School, AuthError> {
        let (school, doc) = (school.clone(), doc.to_owned());
        self.run_auth(move |conn| {
            conn.execute(
                "UPDATE schools SET root_doc = COALESCE(root_doc, ?1) WHERE id = ?2",
                params![doc, school.0],
            )?;
            school_by_id(conn, &school)
        })
        .await
    }
}

#[async_trait]
impl Backups for Sqlite {
    async fn backup(&self, school: &SchoolId) -> Result<Backup, BackupError> {
        let school = school.0.clone();
        self.run_auth(move |conn| {
            let tx = conn.transaction()?;
            let school_row = tx
                .query_row(
                    "SELECT id, name, root_doc, created_at FROM schools WHERE id = ?1",
                    [&school],
                    |r| Ok(SchoolRow { id: r.get(0)?, name: r.get(1)?, root_doc: r.get(2)?, created_at: r.get(3)? }),
                )
                .map_err(|_| BackupError::NoSuchSchool(school.clone()))?;
            let devices = {
                let mut stmt = tx.prepare(
                    "SELECT id, name, role, secret_hash, created_at, revoked_at FROM devices WHERE school_id = ?1",
                )?;
                let rows = stmt.query_map([&school], |r| {
                    Ok(DeviceRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        role: r.get(2)?,
                        secret_hash: r.get(3)?,
                        created_at: r.get(4)?,
                        revoked_at: r.get(5)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let chunks = {
                let mut stmt =
                    tx.prepare("SELECT doc_id, kind, key, data FROM chunks WHERE school_id = ?1 ORDER BY seq")?;
                let rows = stmt.query_map([&school], |r| {
                    Ok(ChunkRow { doc_id: r.get(0)?, kind: r.get(1)?, key: r.get(2)?, data: r.get(3)? })
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let erased = {
                let mut stmt = tx.prepare("SELECT doc_id, erased_at FROM erased WHERE school_id = ?1")?;
                let rows = stmt.query_map([&school], |r| Ok(ErasedRow { doc_id: r.get(0)?, erased_at: r.get(1)? }))?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let actors = {
                let mut stmt = tx.prepare("SELECT actor, device_id, first_seen FROM actors WHERE school_id = ?1")?;
                let rows = stmt.query_map([&school], |r| {
                    Ok(ActorRow { actor: r.get(0)?, device_id: r.get(1)?, first_seen: r.get(2)? })
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            Ok(Backup { format: FORMAT.into(), version: VERSION, school: school_row, devices, chunks, erased, actors })
        })
        .await
    }

    async fn restore(&self, backup: Backup) -> Result<(), BackupError> {
        self.run_auth(move |conn| {
            let tx = conn.transaction()?;
            let exists: bool =
                tx.query_row("SELECT COUNT(*) FROM schools WHERE id = ?1", [&backup.school.id], |r| r.get::<_, i64>(0))? > 0;
            if exists {
                return Err(BackupError::SchoolExists(backup.school.id.clone()));
            }
            let s = &backup.school;
            tx.execute(
                "INSERT INTO schools (id, name, root_doc, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![s.id, s.name, s.root_doc, s.created_at],
            )?;
            for d in &backup.devices {
                tx.execute(
                    "INSERT INTO devices (id, school_id, name, role, secret_hash, created_at, revoked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![d.id, s.id, d.name, d.role, d.secret_hash, d.created_at, d.revoked_at],
                )?;
            }
            for e in &backup.erased {
                tx.execute(
                    "INSERT OR IGNORE INTO erased (school_id, doc_id, erased_at) VALUES (?1, ?2, ?3)",
                    params![s.id, e.doc_id, e.erased_at],
                )?;
            }
            for a in &backup.actors {
                tx.execute(
                    "INSERT OR IGNORE INTO actors (school_id, actor, device_id, first_seen) VALUES (?1, ?2, ?3, ?4)",
                    params![s.id, a.actor, a.device_id, a.first_seen],
                )?;
            }
            // An erased document is never restored, whatever the file holds.
            for c in backup.chunks.iter().filter(|c| !backup.is_erased(&c.doc_id)) {
                tx.execute(
                    "INSERT OR IGNORE INTO chunks (school_id, doc_id, kind, key, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![s.id, c.doc_id, c.kind, c.key, c.data],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
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
