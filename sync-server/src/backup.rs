//! One school's backup: the school, its devices (credential hashes only) and every chunk of its
//! documents, in one CBOR file. Restoring it into a relay that does not have the school brings
//! the school back exactly, and its devices keep working with the credentials they hold.

use serde::{Deserialize, Serialize};

use crate::store::StoreError;

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
