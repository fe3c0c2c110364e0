//! The relay's storage contract ([`Storage`]) and the handle the relay holds ([`Store`]).
//!
//! Every write is a single transaction, so a crash leaves either the whole write or none of
//! it; the scheme (snapshot plus increments, compaction) is decided by `sync_core::chunks`.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use sync_core::DocumentId;
use sync_core::chunks::{Chunk, PendingSave};

use crate::accounts::{
    AuthError, Device, DeviceId, Invitation, Joined, OpenInvitation, Role, School, SchoolId,
};
use crate::backup::{Backup, BackupError};

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

/// The relay's storage contract: documents, accounts, backups and, for several instances on
/// one database, a feed of what the others changed. Implemented by [`crate::sqlite::Sqlite`]
/// (the embedded default) and [`crate::pg::Pg`]; the rules both must keep are checked by one
/// conformance suite run against each (`tests/conformance.rs`). Rules that need no SQL are
/// written once here ([`Quota`]) or in `accounts` (codes, hashing).
pub trait Storage: Documents + Accounts + Backups + ChangeFeed {}

impl<T: Documents + Accounts + Backups + ChangeFeed> Storage for T {}

/// What another relay instance changed, as announced to this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A document was written or erased.
    Document { school: SchoolId, doc: DocumentId },
    /// A device was revoked.
    Revoked(DeviceId),
}

/// Announcements of what other relay instances changed. A single relay on its embedded
/// database has no others: its feed is silent.
pub trait ChangeFeed: Send + Sync {
    /// Calls `on_change` for every announcement from another instance, and `on_reconnect`
    /// after announcements may have been missed.
    fn follow(
        &self,
        on_change: Box<dyn Fn(Change) + Send + Sync>,
        on_reconnect: Box<dyn Fn() + Send + Sync>,
    );
}

#[async_trait]
pub trait Documents: Send + Sync {
    async fn load(&self, school: &SchoolId, doc: DocumentId) -> Result<Vec<Chunk>, StoreError>;

    /// Writes one pending save that `device`'s sync brought, within `quota`.
    ///
    /// A compacting snapshot removes exactly the chunks named in `replaces`: the ones its writer
    /// had incorporated. Another relay instance may have added a chunk meanwhile; it survives.
    async fn save(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        doc: DocumentId,
        save: &PendingSave,
        replaces: &[String],
        quota: &Quota,
    ) -> Result<(), StoreError>;

    async fn exists(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError>;

    /// Deletes a document for good and remembers that it was erased: a device that still holds
    /// a copy can never bring it back. Used for a person's personal data.
    async fn erase(
        &self,
        school: &SchoolId,
        doc: DocumentId,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    async fn is_erased(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError>;

    /// The school's erased documents with the time of erasure: what every device deletes.
    async fn erasures(&self, school: &SchoolId) -> Result<Vec<(String, i64)>, StoreError>;

    /// Records that `device` brought changes of these automerge actors (hex); an actor
    /// already recorded keeps its first device.
    async fn record_actors(
        &self,
        school: &SchoolId,
        device: &crate::accounts::DeviceId,
        actors: &[String],
    ) -> Result<(), StoreError>;

    /// Every automerge actor of the school with the device that first brought its changes.
    async fn actors(&self, school: &SchoolId) -> Result<Vec<(String, String)>, StoreError>;

    /// Documents stored for all schools (the same id in two schools is two documents).
    async fn document_count(&self) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates a school and the invitation for its curator's first device.
    async fn create_school(&self, name: &str) -> Result<(School, Invitation), AuthError>;

    async fn schools(&self) -> Result<Vec<School>, AuthError>;

    async fn invite(
        &self,
        school: &SchoolId,
        role: Role,
        by: Option<&DeviceId>,
    ) -> Result<Invitation, AuthError>;

    /// The school's open invitations: not used, not expired, made by a device not revoked.
    async fn invitations(&self, school: &SchoolId) -> Result<Vec<OpenInvitation>, AuthError>;

    /// Cancels an open invitation of `school`; one of another school is "not found".
    async fn cancel_invitation(&self, school: &SchoolId, id: &str) -> Result<(), AuthError>;

    /// Spends a one-time invitation on a new device and issues its credential.
    async fn redeem(&self, code: &str, device_name: &str) -> Result<Joined, AuthError>;

    /// The device a credential belongs to; a revoked device is refused.
    async fn authenticate(&self, token: &str) -> Result<Device, AuthError>;

    async fn school(&self, id: &SchoolId) -> Result<School, AuthError>;

    async fn devices(&self, school: &SchoolId) -> Result<Vec<Device>, AuthError>;

    /// Revokes one of the school's devices; a device of another school is "not found".
    async fn revoke(&self, school: &SchoolId, device: &DeviceId) -> Result<(), AuthError>;

    /// Records the school's root document the first time; later calls keep the first one.
    async fn set_root_doc(&self, school: &SchoolId, doc: &str) -> Result<School, AuthError>;
}

#[async_trait]
pub trait Backups: Send + Sync {
    /// A consistent snapshot of one school (one read transaction).
    async fn backup(&self, school: &SchoolId) -> Result<Backup, BackupError>;

    /// Restores a school that this relay does not have, all of it or nothing.
    async fn restore(&self, backup: Backup) -> Result<(), BackupError>;
}

/// A handle on the relay's storage, whichever database it is. Cheap to clone; derefs to the
/// contract, so `store.load(…)` needs the traits in scope (`use sync_server::store::*`).
#[derive(Clone)]
pub struct Store(Arc<dyn Storage>);

impl std::ops::Deref for Store {
    type Target = dyn Storage;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl Store {
    /// Opens (creating if needed) the embedded database `relay.sqlite3` in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        Self::open_dir_with(dir, DEFAULT_GROUP_COMMIT)
    }

    /// As [`Store::open_dir`], committing at most `max_group` chunk writes per transaction
    /// (1: a transaction and an fsync per write, the baseline the load benchmark compares with).
    pub fn open_dir_with(dir: &Path, max_group: usize) -> Result<Self, StoreError> {
        Ok(Self(Arc::new(crate::sqlite::Sqlite::open_dir(
            dir, max_group,
        )?)))
    }

    /// Connects to PostgreSQL (creating the schema if needed).
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        Self::open_postgres_with(url, None).await
    }

    /// As [`Store::open_postgres`], verifying the server's certificate against `ca_file` (PEM)
    /// and so always over TLS (see `pg::tls_for`).
    pub async fn open_postgres_with(url: &str, ca_file: Option<&Path>) -> Result<Self, StoreError> {
        Self::open_postgres_grouped(url, ca_file, DEFAULT_GROUP_COMMIT).await
    }

    /// As [`Store::open_postgres_with`], committing at most `max_group` chunk writes per
    /// transaction (1: each write in a transaction of its own, concurrently).
    pub async fn open_postgres_grouped(
        url: &str,
        ca_file: Option<&Path>,
        max_group: usize,
    ) -> Result<Self, StoreError> {
        Ok(Self(Arc::new(
            crate::pg::Pg::connect(url, ca_file, max_group).await?,
        )))
    }
}

/// One chunk write, as both databases' group commits take it: the erasure check, the quota
/// measured in the writing transaction, the chunk, the device's usage.
pub(crate) struct ChunkWrite {
    pub school: String,
    pub device: String,
    pub doc: String,
    pub chunk: sync_core::chunks::Chunk,
    /// Keys of the chunks this one replaces (empty unless it is a snapshot replacing all).
    pub replaces: Vec<String>,
    pub quota: Quota,
}

impl ChunkWrite {
    pub(crate) fn new(
        school: &SchoolId,
        device: &DeviceId,
        doc: DocumentId,
        save: &sync_core::chunks::PendingSave,
        replaces: &[String],
        quota: &Quota,
    ) -> Self {
        Self {
            school: school.0.clone(),
            device: device.0.clone(),
            doc: doc.to_string(),
            chunk: save.chunk.clone(),
            replaces: if save.replaces_all {
                replaces.to_vec()
            } else {
                Vec::new()
            },
            quota: *quota,
        }
    }
}

/// How a writer hears that its chunk write is durable (or why not).
pub(crate) type WriteReply = tokio::sync::oneshot::Sender<Result<(), StoreError>>;

/// Chunk writes waiting for a commit at most; beyond it writers wait (back-pressure).
pub(crate) const QUEUED_WRITES: usize = 1024;

/// Chunk writes one database transaction commits at most (group commit).
pub const DEFAULT_GROUP_COMMIT: usize = 512;

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
