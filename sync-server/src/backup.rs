//! One school's backup: the school, its devices (credential hashes only) and every chunk of its
//! documents, in one CBOR file. Restoring it into a relay that does not have the school brings
//! the school back exactly, and its devices keep working with the credentials they hold.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::accounts::SchoolId;
use crate::store::{Store, StoreError};

pub(crate) const FORMAT: &str = "nastavnik-school-backup";
/// Version 2 adds erasure tombstones and the actor → device map; version 1 files (without them)
/// are still read.
pub(crate) const VERSION: u32 = 2;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Backup {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) school: SchoolRow,
    pub(crate) devices: Vec<DeviceRow>,
    pub(crate) chunks: Vec<ChunkRow>,
    /// Documents erased for good: restored as tombstones, so no device can bring them back.
    #[serde(default)]
    pub(crate) erased: Vec<ErasedRow>,
    #[serde(default)]
    pub(crate) actors: Vec<ActorRow>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(crate) struct ErasedRow {
    pub(crate) doc_id: String,
    pub(crate) erased_at: i64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(crate) struct ActorRow {
    pub(crate) actor: String,
    pub(crate) device_id: String,
    pub(crate) first_seen: i64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(crate) struct SchoolRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) root_doc: Option<String>,
    pub(crate) created_at: i64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(crate) struct DeviceRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) role: String,
    #[serde(with = "serde_bytes_vec")]
    pub(crate) secret_hash: Vec<u8>,
    pub(crate) created_at: i64,
    pub(crate) revoked_at: Option<i64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub(crate) struct ChunkRow {
    pub(crate) doc_id: String,
    pub(crate) kind: String,
    pub(crate) key: String,
    #[serde(with = "serde_bytes_vec")]
    pub(crate) data: Vec<u8>,
}

/// Bytes as a CBOR byte string rather than an array of numbers.
mod serde_bytes_vec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let value = ciborium::value::Value::deserialize(d)?;
        match value {
            ciborium::value::Value::Bytes(b) => Ok(b),
            _ => Err(serde::de::Error::custom("expected bytes")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no school {0} on this relay")]
    NoSuchSchool(String),
    #[error("school {0} already exists on this relay; restore only into a relay without it")]
    SchoolExists(String),
    #[error("not a school backup: {0}")]
    Format(String),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(StoreError::Sqlite(e))
    }
}

impl Backup {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = ciborium::ser::into_writer(self, &mut out);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BackupError> {
        let backup: Backup =
            ciborium::de::from_reader(bytes).map_err(|e| BackupError::Format(e.to_string()))?;
        if backup.format != FORMAT || !(1..=VERSION).contains(&backup.version) {
            return Err(BackupError::Format(format!(
                "{} version {}",
                backup.format, backup.version
            )));
        }
        Ok(backup)
    }

    pub fn school_id(&self) -> &str {
        &self.school.id
    }

    pub(crate) fn is_erased(&self, doc_id: &str) -> bool {
        self.erased.iter().any(|e| e.doc_id == doc_id)
    }

    /// Writes the backup to `path` with owner-only permissions, durably: written beside it,
    /// flushed to disk, then renamed, so a crash never leaves half a backup under its name.
    pub fn write_to(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        let partial = path.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let mut file = crate::store::create_owner_only(&partial)?;
        file.write_all(&self.to_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&partial, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    pub fn document_count(&self) -> usize {
        let mut ids: Vec<&str> = self.chunks.iter().map(|c| c.doc_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

impl Store {
    /// A consistent snapshot of one school (one read transaction).
    pub async fn backup(&self, school: &SchoolId) -> Result<Backup, BackupError> {
        if let Some(pg) = self.postgres() {
            return pg.backup(school).await;
        }
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

    /// Restores a school that this relay does not have, all of it or nothing.
    pub async fn restore(&self, backup: Backup) -> Result<(), BackupError> {
        if let Some(pg) = self.postgres() {
            return pg.restore(backup).await;
        }
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
