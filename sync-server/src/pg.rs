//! The PostgreSQL backend, for several relay instances sharing one database.
//!
//! Same tables and the same semantics as the SQLite store. In addition, every document write
//! and every revocation is announced with `NOTIFY` in the writing transaction, so the other
//! instances learn of it at commit: see [`Pg::listen`] and `Hub::refresh`.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use sync_core::DocumentId;
use sync_core::chunks::{Chunk, ChunkKind, PendingSave};
use tokio_postgres::NoTls;

use crate::accounts::{
    self, AuthError, Device, DeviceId, Invitation, Joined, Role, School, SchoolId,
};
use crate::backup::{ActorRow, Backup, BackupError, ChunkRow, DeviceRow, ErasedRow, SchoolRow};
use crate::store::{
    Accounts, Backups, Change, ChangeFeed, ChunkWrite, Documents, QUEUED_WRITES, Quota, StoreError,
    Usage, WriteReply, charge_device_sql, day_of,
};
use async_trait::async_trait;

/// The channel announcing document writes; the payload is `<school id>/<document id>`.
pub const DOCS_CHANNEL: &str = "nastavnik_docs";
/// The channel announcing revoked devices; the payload is the device id.
pub const REVOKED_CHANNEL: &str = "nastavnik_revoked";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS schools (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, root_doc TEXT, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY, school_id TEXT NOT NULL REFERENCES schools (id), name TEXT NOT NULL,
    role TEXT NOT NULL, secret_hash BYTEA NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);
CREATE INDEX IF NOT EXISTS devices_by_school ON devices (school_id);
CREATE TABLE IF NOT EXISTS invitations (
    code_hash BYTEA PRIMARY KEY, school_id TEXT NOT NULL REFERENCES schools (id), role TEXT NOT NULL,
    created_by TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT);
ALTER TABLE invitations ADD COLUMN IF NOT EXISTS id TEXT;
UPDATE invitations SET id = md5(random()::text || clock_timestamp()::text) WHERE id IS NULL;
CREATE TABLE IF NOT EXISTS chunks (
    seq BIGSERIAL PRIMARY KEY, school_id TEXT NOT NULL, doc_id TEXT NOT NULL, kind TEXT NOT NULL,
    key TEXT NOT NULL, data BYTEA NOT NULL, UNIQUE (school_id, doc_id, kind, key));
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (school_id, doc_id);
CREATE TABLE IF NOT EXISTS erased (
    school_id TEXT NOT NULL, doc_id TEXT NOT NULL, erased_at BIGINT NOT NULL,
    PRIMARY KEY (school_id, doc_id));
CREATE TABLE IF NOT EXISTS device_usage (
    device_id TEXT NOT NULL, day BIGINT NOT NULL, bytes BIGINT NOT NULL, docs BIGINT NOT NULL,
    PRIMARY KEY (device_id, day));
CREATE TABLE IF NOT EXISTS actors (
    school_id TEXT NOT NULL, actor TEXT NOT NULL, device_id TEXT NOT NULL,
    first_seen BIGINT NOT NULL, PRIMARY KEY (school_id, actor));
";

/// Serialises every write of one document (a chunk write, an erasure) across instances, for
/// the rest of the transaction: an erasure can never be overtaken by a write that checked the
/// tombstone before it existed.
const LOCK_DOCUMENT: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))";

#[derive(Clone)]
pub struct Pg {
    pool: Pool,
    url: String,
    /// Set when the connection is encrypted (see [`Pg::connect`]).
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    /// Chunk writes for [`commit_loop`]; `None` writes each in a transaction of its own.
    saves: Option<tokio::sync::mpsc::Sender<(ChunkWrite, WriteReply)>>,
}

type Notifications = (
    tokio_postgres::Client,
    tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
    tokio::task::JoinHandle<()>,
);

/// A connection of its own for `LISTEN`, with its notifications pumped into a channel.
async fn notifications<T>(url: &str, tls: T) -> Result<Notifications, tokio_postgres::Error>
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    let (client, mut connection) = tokio_postgres::connect(url, tls).await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let pump = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = futures_util::StreamExt::next(&mut messages).await {
            if let tokio_postgres::AsyncMessage::Notification(n) = message {
                let _ = tx.send((n.channel().to_owned(), n.payload().to_owned()));
            }
        }
    });
    Ok((client, rx, pump))
}

/// The TLS connector for `url`: TLS when the connection string asks for it
/// (`sslmode=require`) or a CA file is given (a server with its own certificate authority);
/// the server's certificate is always verified, against the CA file if given, else the public
/// roots. `None`: plain TCP, as `sslmode=prefer` (the default) and `disable` had it.
fn tls_for(
    config: &tokio_postgres::Config,
    ca_file: Option<&std::path::Path>,
) -> Result<Option<tokio_postgres_rustls::MakeRustlsConnect>, StoreError> {
    use tokio_postgres::config::SslMode;
    let wanted = match config.get_ssl_mode() {
        SslMode::Disable => false,
        SslMode::Require => true,
        _ => ca_file.is_some(),
    };
    if !wanted {
        return Ok(None);
    }
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
                .map_err(|e| pg_err(format!("CA file {}: {e}", path.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| pg_err(format!("CA file {}: {e}", path.display())))?;
                roots.add(cert).map_err(pg_err)?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(pg_err)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some(tokio_postgres_rustls::MakeRustlsConnect::new(tls)))
}

fn pg_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Postgres(e.to_string())
}

fn auth_err(e: impl std::fmt::Display) -> AuthError {
    AuthError::Store(pg_err(e))
}

fn backup_err(e: impl std::fmt::Display) -> BackupError {
    BackupError::Store(pg_err(e))
}

fn school_from_row(r: &tokio_postgres::Row) -> School {
    School {
        id: SchoolId(r.get(0)),
        name: r.get(1),
        root_doc: r.get(2),
    }
}

fn device_from_row(r: &tokio_postgres::Row) -> Device {
    Device {
        id: DeviceId(r.get(0)),
        school: SchoolId(r.get(1)),
        name: r.get(2),
        role: Role::parse(r.get::<_, &str>(3)),
        created_at: r.get(4),
        revoked_at: r.get(5),
    }
}

/// Group commit, as the SQLite store does it (`sqlite::commit_loop`): every write waiting when
/// a commit starts goes into that one transaction, each in its own savepoint (a refused write
/// is rolled back alone), and each writer hears of its write only after the commit. The rule
/// "no reply before the write is durable" is unchanged; the commits are fewer.
async fn commit_loop(
    pool: Pool,
    mut saves: tokio::sync::mpsc::Receiver<(ChunkWrite, WriteReply)>,
    max_group: usize,
) {
    while let Some(first) = saves.recv().await {
        let mut group = vec![first];
        while group.len() < max_group {
            match saves.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Locks are taken in one order by every instance (documents sorted, then the devices'
        // usage rows sorted, see `commit_group`), so two instances' groups cannot deadlock.
        group.sort_by(|(a, _), (b, _)| (&a.school, &a.doc).cmp(&(&b.school, &b.doc)));
        let (jobs, replies): (Vec<ChunkWrite>, Vec<WriteReply>) = group.into_iter().unzip();
        match commit_group(&pool, &jobs).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                // The transaction did not commit: nothing of the group is durable.
                tracing::warn!(error = %e, writes = jobs.len(), "a group commit failed");
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Worker(message.clone())));
                }
            }
        }
    }
}

/// Writes `jobs` in one transaction, each in a savepoint of its own, and charges the devices
/// after all of them, in the order of their ids. The outer error means nothing was committed.
async fn commit_group(
    pool: &Pool,
    jobs: &[ChunkWrite],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let mut client = pool.get().await.map_err(pg_err)?;
    let tx = client.transaction().await.map_err(pg_err)?;
    let statements = Statements::prepare(&tx).await.map_err(pg_err)?;
    let today = day_of(accounts::now_ms());
    // Growth and new documents per device within this group, not yet in `device_usage`.
    let mut charges: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let charged = charges
            .get(job.device.as_str())
            .copied()
            .unwrap_or_default();
        match write_chunk(&tx, &statements, job, today, charged).await {
            Ok((grown, new_docs)) => {
                tx.batch_execute("RELEASE SAVEPOINT chunk")
                    .await
                    .map_err(pg_err)?;
                let charge = charges.entry(job.device.as_str()).or_default();
                charge.0 += grown;
                charge.1 += new_docs;
                results.push(Ok(()));
            }
            Err(e) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT chunk; RELEASE SAVEPOINT chunk")
                    .await
                    .map_err(pg_err)?;
                results.push(Err(e));
            }
        }
    }
    for (device, (grown, new_docs)) in &charges {
        tx.execute(&statements.charge, &[device, &today, grown, new_docs])
            .await
            .map_err(pg_err)?;
    }
    tx.commit().await.map_err(pg_err)?;
    Ok(results)
}

/// The statements of a chunk write, prepared once per pooled connection (cached by deadpool).
struct Statements {
    lock: tokio_postgres::Statement,
    erased: tokio_postgres::Statement,
    sizes: tokio_postgres::Statement,
    device_usage: tokio_postgres::Statement,
    school_bytes: tokio_postgres::Statement,
    school_documents: tokio_postgres::Statement,
    delete: tokio_postgres::Statement,
    insert: tokio_postgres::Statement,
    announce: tokio_postgres::Statement,
    charge: tokio_postgres::Statement,
}

impl Statements {
    async fn prepare(
        tx: &deadpool_postgres::Transaction<'_>,
    ) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            lock: tx.prepare_cached(LOCK_DOCUMENT).await?,
            erased: tx
                .prepare_cached("SELECT 1 FROM erased WHERE school_id = $1 AND doc_id = $2")
                .await?,
            sizes: tx
                .prepare_cached(
                    "SELECT key, length(data) FROM chunks WHERE school_id = $1 AND doc_id = $2",
                )
                .await?,
            device_usage: tx
                .prepare_cached(
                    "SELECT bytes, docs FROM device_usage WHERE device_id = $1 AND day = $2",
                )
                .await?,
            school_bytes: tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(length(data)), 0)::BIGINT FROM chunks WHERE school_id = $1",
                )
                .await?,
            school_documents: tx
                .prepare_cached("SELECT COUNT(DISTINCT doc_id) FROM chunks WHERE school_id = $1")
                .await?,
            delete: tx
                .prepare_cached(
                    "DELETE FROM chunks WHERE school_id = $1 AND doc_id = $2 AND key = $3",
                )
                .await?,
            insert: tx
                .prepare_cached(
                    "INSERT INTO chunks (school_id, doc_id, kind, key, data)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .await?,
            announce: tx.prepare_cached("SELECT pg_notify($1, $2)").await?,
            charge: tx.prepare_cached(&charge_device_sql(false)).await?,
        })
    }
}

/// One chunk write inside a group's transaction, in the savepoint `chunk` it opens (the caller
/// releases it, or rolls back to it on an error): the document's lock, the erasure check, the
/// quota (measured in the same transaction, counting what `charged` says this group has already
/// added for the device), the chunk and its announcement. Returns what to charge the device.
/// The statements of each step are sent together (tokio-postgres pipelines them): two or three
/// round trips per write.
async fn write_chunk(
    tx: &deadpool_postgres::Transaction<'_>,
    statements: &Statements,
    job: &ChunkWrite,
    today: i64,
    charged: (i64, i64),
) -> Result<(i64, i64), StoreError> {
    type Params<'a> = [&'a (dyn tokio_postgres::types::ToSql + Sync)];
    let ChunkWrite {
        school,
        device,
        doc,
        chunk,
        replaces,
        quota,
    } = job;
    let document: &Params = &[school, doc];
    let usage_of_day: &Params = &[device, &today];
    let whole_school: &Params = &[school];
    let (_, _, erased, sizes, device_row, school_bytes) = tokio::try_join!(
        tx.batch_execute("SAVEPOINT chunk"),
        tx.execute(&statements.lock, document),
        tx.query_opt(&statements.erased, document),
        tx.query(&statements.sizes, document),
        tx.query_opt(&statements.device_usage, usage_of_day),
        tx.query_one(&statements.school_bytes, whole_school),
    )
    .map_err(pg_err)?;
    if erased.is_some() {
        return Err(StoreError::Erased);
    }
    let sizes: Vec<(String, i32)> = sizes.iter().map(|r| (r.get(0), r.get(1))).collect();
    let (device_bytes, device_documents) = device_row
        .map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1)))
        .unwrap_or_default();
    let mut usage = Usage {
        new_document: sizes.is_empty(),
        school_bytes: school_bytes.get::<_, i64>(0) as u64,
        replaced_bytes: sizes
            .iter()
            .filter(|(key, _)| replaces.contains(key) && *key != chunk.key)
            .map(|(_, size)| *size as u64)
            .sum(),
        device_bytes_today: (device_bytes + charged.0) as u64,
        device_documents_today: (device_documents + charged.1) as u64,
        ..Usage::default()
    };
    if usage.new_document {
        let count: i64 = tx
            .query_one(&statements.school_documents, whole_school)
            .await
            .map_err(pg_err)?
            .get(0);
        usage.school_documents = count as u64;
    }
    let bytes = chunk.data.len() as u64;
    quota.admit(&usage, bytes)?;
    let removed: Vec<[&(dyn tokio_postgres::types::ToSql + Sync); 3]> = replaces
        .iter()
        .filter(|k| **k != chunk.key)
        .map(|key| [school as _, doc as _, key as _])
        .collect();
    let payload = format!("{school}/{doc}");
    let kind = chunk.kind.as_str();
    let row: &Params = &[school, doc, &kind, &chunk.key, &chunk.data];
    let announcement: &Params = &[&DOCS_CHANNEL, &payload];
    let deletes = futures_util::future::try_join_all(
        removed
            .iter()
            .map(|params| tx.execute(&statements.delete, params)),
    );
    tokio::try_join!(
        deletes,
        tx.execute(&statements.insert, row),
        tx.execute(&statements.announce, announcement),
    )
    .map_err(pg_err)?;
    Ok(Quota::charge(&usage, bytes))
}

const DEVICE_COLUMNS: &str = "id, school_id, name, role, created_at, revoked_at";

impl Pg {
    /// Connects, creating the schema if needed. Chunk writes are committed `max_group` at most
    /// per transaction (group commit); 1 writes each in a transaction of its own.
    pub async fn connect(
        url: &str,
        ca_file: Option<&std::path::Path>,
        max_group: usize,
    ) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(pg_err)?;
        let tls = tls_for(&config, ca_file)?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match &tls {
            Some(tls) => Manager::from_config(config, tls.clone(), manager_config),
            None => Manager::from_config(config, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(pg_err)?;
        let mut client = pool.get().await.map_err(pg_err)?;
        // Instances starting together must not race creating the schema.
        let tx = client.transaction().await.map_err(pg_err)?;
        tx.execute("SELECT pg_advisory_xact_lock(7461)", &[])
            .await
            .map_err(pg_err)?;
        tx.batch_execute(SCHEMA).await.map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        let saves = (max_group > 1).then(|| {
            let (saves, queue) = tokio::sync::mpsc::channel(QUEUED_WRITES);
            tokio::spawn(commit_loop(pool.clone(), queue, max_group));
            saves
        });
        Ok(Self {
            pool,
            url: url.to_owned(),
            tls,
            saves,
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pg_err)
    }

    /// Calls `on_notification(channel, payload)` for every announcement from any instance,
    /// reconnecting if the listening connection drops; `on_reconnect` runs after each reconnect,
    /// since announcements made meanwhile were missed.
    pub fn listen(
        &self,
        on_notification: impl Fn(String, String) + Send + Sync + 'static,
        on_reconnect: impl Fn() + Send + Sync + 'static,
    ) {
        let (url, tls) = (self.url.clone(), self.tls.clone());
        tokio::spawn(async move {
            let mut first = true;
            loop {
                let connected = match &tls {
                    Some(tls) => notifications(&url, tls.clone()).await,
                    None => notifications(&url, NoTls).await,
                };
                match connected {
                    Ok((client, mut rx, pump)) => {
                        let listening = client
                            .batch_execute(&format!(
                                "LISTEN {DOCS_CHANNEL}; LISTEN {REVOKED_CHANNEL};"
                            ))
                            .await;
                        if listening.is_ok() {
                            if !first {
                                on_reconnect();
                            }
                            first = false;
                            while let Some((channel, payload)) = rx.recv().await {
                                on_notification(channel, payload);
                            }
                        }
                        pump.abort();
                        tracing::warn!("lost the PostgreSQL notification connection; reconnecting");
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen on PostgreSQL; retrying"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }

    async fn insert_invitation(
        tx: &impl deadpool_postgres::GenericClient,
        school: &SchoolId,
        role: Role,
        created_by: Option<&DeviceId>,
    ) -> Result<Invitation, AuthError> {
        let code = accounts::new_code();
        let id = accounts::new_invitation_id();
        let now = accounts::now_ms();
        let expires_at = now + accounts::INVITATION_TTL_MS;
        tx.execute(
            "INSERT INTO invitations (code_hash, school_id, role, created_by, created_at, expires_at, id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&accounts::hash(&code), &school.0, &role.as_str(), &created_by.map(|d| d.0.clone()), &now, &expires_at, &id],
        )
        .await
        .map_err(auth_err)?;
        Ok(Invitation {
            id,
            code: accounts::display_code(&code),
            expires_at,
        })
    }
}

#[async_trait]
impl Documents for Pg {
    async fn load(&self, school: &SchoolId, doc: DocumentId) -> Result<Vec<Chunk>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT kind, key, data FROM chunks WHERE school_id = $1 AND doc_id = $2 ORDER BY seq",
                &[&school.0, &doc.to_string()],
            )
            .await
            .map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(0);
                let kind = ChunkKind::parse(&kind).ok_or_else(|| StoreError::UnknownKind {
                    doc: doc.to_string(),
                    kind: kind.clone(),
                })?;
                Ok(Chunk {
                    kind,
                    key: r.get(1),
                    data: r.get(2),
                })
            })
            .collect()
    }

    async fn save(
        &self,
        school: &SchoolId,
        device: &DeviceId,
        doc: DocumentId,
        save: &PendingSave,
        replaces: &[String],
        quota: &Quota,
    ) -> Result<(), StoreError> {
        let job = ChunkWrite::new(school, device, doc, save, replaces, quota);
        let Some(saves) = &self.saves else {
            // One transaction per write, concurrently through the pool: the baseline.
            return commit_group(&self.pool, std::slice::from_ref(&job))
                .await?
                .pop()
                .unwrap_or(Ok(()));
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        saves
            .send((job, reply))
            .await
            .map_err(|_| StoreError::Worker("the commit task has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Worker("the commit task has stopped".into()))?
    }

    async fn erase(
        &self,
        school: &SchoolId,
        doc: DocumentId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let doc = doc.to_string();
        tx.execute(LOCK_DOCUMENT, &[&school.0, &doc])
            .await
            .map_err(pg_err)?;
        tx.execute(
            "DELETE FROM chunks WHERE school_id = $1 AND doc_id = $2",
            &[&school.0, &doc],
        )
        .await
        .map_err(pg_err)?;
        tx.execute(
            "INSERT INTO erased (school_id, doc_id, erased_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&school.0, &doc, &now_ms],
        )
        .await
        .map_err(pg_err)?;
        let payload = format!("{}/{doc}", school.0);
        tx.execute("SELECT pg_notify($1, $2)", &[&DOCS_CHANNEL, &payload])
            .await
            .map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)
    }

    async fn is_erased(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT 1 FROM erased WHERE school_id = $1 AND doc_id = $2",
                &[&school.0, &doc.to_string()],
            )
            .await
            .map_err(pg_err)?;
        Ok(row.is_some())
    }

    async fn exists(&self, school: &SchoolId, doc: DocumentId) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT 1 FROM chunks WHERE school_id = $1 AND doc_id = $2 LIMIT 1",
                &[&school.0, &doc.to_string()],
            )
            .await
            .map_err(pg_err)?;
        Ok(row.is_some())
    }

    async fn erasures(&self, school: &SchoolId) -> Result<Vec<(String, i64)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT doc_id, erased_at FROM erased WHERE school_id = $1 ORDER BY erased_at",
                &[&school.0],
            )
            .await
            .map_err(pg_err)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn record_actors(
        &self,
        school: &SchoolId,
        device: &DeviceId,
        actors: &[String],
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO actors (school_id, actor, device_id, first_seen)
                 SELECT $1, a, $2, $3 FROM unnest($4::text[]) AS a ON CONFLICT DO NOTHING",
                &[&school.0, &device.0, &accounts::now_ms(), &actors],
            )
            .await
            .map_err(pg_err)?;
        Ok(())
    }

    async fn actors(&self, school: &SchoolId) -> Result<Vec<(String, String)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT actor, device_id FROM actors WHERE school_id = $1 ORDER BY first_seen",
                &[&school.0],
            )
            .await
            .map_err(pg_err)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn document_count(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM (SELECT DISTINCT school_id, doc_id FROM chunks) d",
                &[],
            )
            .await
            .map_err(pg_err)?;
        Ok(row.get::<_, i64>(0) as u64)
    }
}

#[async_trait]
impl Accounts for Pg {
    async fn create_school(&self, name: &str) -> Result<(School, Invitation), AuthError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(auth_err)?;
        let id = SchoolId(uuid::Uuid::new_v4().simple().to_string());
        let name = name.trim().to_owned();
        tx.execute(
            "INSERT INTO schools (id, name, created_at) VALUES ($1, $2, $3)",
            &[&id.0, &name, &accounts::now_ms()],
        )
        .await
        .map_err(auth_err)?;
        let invitation = Self::insert_invitation(&tx, &id, Role::Curator, None).await?;
        tx.commit().await.map_err(auth_err)?;
        Ok((
            School {
                id,
                name,
                root_doc: None,
            },
            invitation,
        ))
    }

    async fn schools(&self) -> Result<Vec<School>, AuthError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, name, root_doc FROM schools ORDER BY created_at",
                &[],
            )
            .await
            .map_err(auth_err)?;
        Ok(rows.iter().map(school_from_row).collect())
    }

    async fn school(&self, id: &SchoolId) -> Result<School, AuthError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, name, root_doc FROM schools WHERE id = $1",
                &[&id.0],
            )
            .await
            .map_err(auth_err)?;
        row.as_ref()
            .map(school_from_row)
            .ok_or(AuthError::NoSuchSchool)
    }

    async fn invite(
        &self,
        school: &SchoolId,
        role: Role,
        by: Option<&DeviceId>,
    ) -> Result<Invitation, AuthError> {
        self.school(school).await?;
        let client = self.client().await?;
        Self::insert_invitation(&client, school, role, by).await
    }

    async fn invitations(
        &self,
        school: &SchoolId,
    ) -> Result<Vec<accounts::OpenInvitation>, AuthError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT i.id, i.role, i.created_by, d.name, i.created_at, i.expires_at
                 FROM invitations i LEFT JOIN devices d ON d.id = i.created_by
                 WHERE i.school_id = $1 AND i.used_at IS NULL AND i.expires_at > $2
                   AND (i.created_by IS NULL OR d.revoked_at IS NULL)
                 ORDER BY i.created_at",
                &[&school.0, &accounts::now_ms()],
            )
            .await
            .map_err(auth_err)?;
        Ok(rows
            .iter()
            .map(|r| accounts::OpenInvitation {
                id: r.get(0),
                role: Role::parse(r.get::<_, &str>(1)),
                created_by: r.get(2),
                created_by_name: r.get(3),
                created_at: r.get(4),
                expires_at: r.get(5),
            })
            .collect())
    }

    async fn cancel_invitation(&self, school: &SchoolId, id: &str) -> Result<(), AuthError> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM invitations WHERE school_id = $1 AND id = $2 AND used_at IS NULL",
                &[&school.0, &id],
            )
            .await
            .map_err(auth_err)?;
        if deleted == 0 {
            return Err(AuthError::NoSuchInvitation);
        }
        Ok(())
    }

    async fn redeem(&self, code: &str, device_name: &str) -> Result<Joined, AuthError> {
        let code = accounts::normalize_code(code);
        let name = device_name.trim().chars().take(100).collect::<String>();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(auth_err)?;
        // One statement claims the invitation, so two devices cannot spend the same code.
        let claimed = tx
            .query_opt(
                "UPDATE invitations SET used_at = $1
                 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
                   AND (created_by IS NULL OR created_by NOT IN
                        (SELECT id FROM devices WHERE revoked_at IS NOT NULL))
                 RETURNING school_id, role",
                &[&accounts::now_ms(), &accounts::hash(&code)],
            )
            .await
            .map_err(auth_err)?
            .ok_or(AuthError::BadInvitation)?;
        let school_id = SchoolId(claimed.get(0));
        let role = Role::parse(claimed.get::<_, &str>(1));
        let school = tx
            .query_opt(
                "SELECT id, name, root_doc FROM schools WHERE id = $1",
                &[&school_id.0],
            )
            .await
            .map_err(auth_err)?
            .as_ref()
            .map(school_from_row)
            .ok_or(AuthError::NoSuchSchool)?;
        let id = DeviceId(uuid::Uuid::new_v4().simple().to_string());
        let secret = hex::encode(accounts::random_bytes());
        let device = Device {
            id: id.clone(),
            school: school.id.clone(),
            name: if name.is_empty() {
                "Устройство".into()
            } else {
                name
            },
            role,
            created_at: accounts::now_ms(),
            revoked_at: None,
        };
        tx.execute(
            "INSERT INTO devices (id, school_id, name, role, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&device.id.0, &device.school.0, &device.name, &device.role.as_str(), &accounts::hash(&secret), &device.created_at],
        )
        .await
        .map_err(auth_err)?;
        tx.commit().await.map_err(auth_err)?;
        Ok(Joined {
            token: format!("{}.{secret}", id.0),
            device,
            school,
        })
    }

    async fn authenticate(&self, token: &str) -> Result<Device, AuthError> {
        let Some((id, secret)) = token.split_once('.') else {
            return Err(AuthError::BadCredential);
        };
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {DEVICE_COLUMNS}, secret_hash FROM devices WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(auth_err)?;
        match row {
            Some(r) if r.get::<_, Vec<u8>>(6) == accounts::hash(secret) => {
                let device = device_from_row(&r);
                if device.revoked_at.is_some() {
                    Err(AuthError::Revoked)
                } else {
                    Ok(device)
                }
            }
            _ => Err(AuthError::BadCredential),
        }
    }

    async fn devices(&self, school: &SchoolId) -> Result<Vec<Device>, AuthError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE school_id = $1 ORDER BY created_at"
                ),
                &[&school.0],
            )
            .await
            .map_err(auth_err)?;
        Ok(rows.iter().map(device_from_row).collect())
    }

    async fn revoke(&self, school: &SchoolId, device: &DeviceId) -> Result<(), AuthError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(auth_err)?;
        let changed = tx
            .execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND school_id = $3",
                &[&accounts::now_ms(), &device.0, &school.0],
            )
            .await
            .map_err(auth_err)?;
        if changed == 0 {
            return Err(AuthError::NoSuchDevice);
        }
        tx.execute("SELECT pg_notify($1, $2)", &[&REVOKED_CHANNEL, &device.0])
            .await
            .map_err(auth_err)?;
        tx.commit().await.map_err(auth_err)
    }

    async fn set_root_doc(&self, school: &SchoolId, doc: &str) -> Result<School, AuthError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE schools SET root_doc = COALESCE(root_doc, $1) WHERE id = $2",
                &[&doc, &school.0],
            )
            .await
            .map_err(auth_err)?;
        self.school(school).await
    }
}

#[async_trait]
impl Backups for Pg {
    async fn backup(&self, school: &SchoolId) -> Result<Backup, BackupError> {
        let mut client = self.client().await?;
        // One snapshot of the database for the whole backup.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(backup_err)?;
        let row = tx
            .query_opt(
                "SELECT id, name, root_doc, created_at FROM schools WHERE id = $1",
                &[&school.0],
            )
            .await
            .map_err(backup_err)?
            .ok_or_else(|| BackupError::NoSuchSchool(school.0.clone()))?;
        let school_row = SchoolRow {
            id: row.get(0),
            name: row.get(1),
            root_doc: row.get(2),
            created_at: row.get(3),
        };
        let devices = tx
            .query("SELECT id, name, role, secret_hash, created_at, revoked_at FROM devices WHERE school_id = $1", &[&school.0])
            .await
            .map_err(backup_err)?
            .iter()
            .map(|r| DeviceRow {
                id: r.get(0),
                name: r.get(1),
                role: r.get(2),
                secret_hash: r.get(3),
                created_at: r.get(4),
                revoked_at: r.get(5),
            })
            .collect();
        let chunks = tx
            .query(
                "SELECT doc_id, kind, key, data FROM chunks WHERE school_id = $1 ORDER BY seq",
                &[&school.0],
            )
            .await
            .map_err(backup_err)?
            .iter()
            .map(|r| ChunkRow {
                doc_id: r.get(0),
                kind: r.get(1),
                key: r.get(2),
                data: r.get(3),
            })
            .collect();
        let erased = tx
            .query(
                "SELECT doc_id, erased_at FROM erased WHERE school_id = $1",
                &[&school.0],
            )
            .await
            .map_err(backup_err)?
            .iter()
            .map(|r| ErasedRow {
                doc_id: r.get(0),
                erased_at: r.get(1),
            })
            .collect();
        let actors = tx
            .query(
                "SELECT actor, device_id, first_seen FROM actors WHERE school_id = $1",
                &[&school.0],
            )
            .await
            .map_err(backup_err)?
            .iter()
            .map(|r| ActorRow {
                actor: r.get(0),
                device_id: r.get(1),
                first_seen: r.get(2),
            })
            .collect();
        tx.commit().await.map_err(backup_err)?;
        Ok(Backup {
            format: crate::backup::FORMAT.into(),
            version: crate::backup::VERSION,
            school: school_row,
            devices,
            chunks,
            erased,
            actors,
        })
    }

    async fn restore(&self, backup: Backup) -> Result<(), BackupError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backup_err)?;
        let s = &backup.school;
        if tx
            .query_opt("SELECT 1 FROM schools WHERE id = $1", &[&s.id])
            .await
            .map_err(backup_err)?
            .is_some()
        {
            return Err(BackupError::SchoolExists(s.id.clone()));
        }
        tx.execute(
            "INSERT INTO schools (id, name, root_doc, created_at) VALUES ($1, $2, $3, $4)",
            &[&s.id, &s.name, &s.root_doc, &s.created_at],
        )
        .await
        .map_err(backup_err)?;
        for d in &backup.devices {
            tx.execute(
                "INSERT INTO devices (id, school_id, name, role, secret_hash, created_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&d.id, &s.id, &d.name, &d.role, &d.secret_hash, &d.created_at, &d.revoked_at],
            )
            .await
            .map_err(backup_err)?;
        }
        for e in &backup.erased {
            tx.execute(
                "INSERT INTO erased (school_id, doc_id, erased_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&s.id, &e.doc_id, &e.erased_at],
            )
            .await
            .map_err(backup_err)?;
        }
        for a in &backup.actors {
            tx.execute(
                "INSERT INTO actors (school_id, actor, device_id, first_seen) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&s.id, &a.actor, &a.device_id, &a.first_seen],
            )
            .await
            .map_err(backup_err)?;
        }
        // An erased document is never restored, whatever the file holds.
        for c in backup
            .chunks
            .iter()
            .filter(|c| !backup.is_erased(&c.doc_id))
        {
            tx.execute(
                "INSERT INTO chunks (school_id, doc_id, kind, key, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&s.id, &c.doc_id, &c.kind, &c.key, &c.data],
            )
            .await
            .map_err(backup_err)?;
        }
        tx.commit().await.map_err(backup_err)
    }
}

/// Other instances announce with `NOTIFY` in their writing transactions; this one `LISTEN`s.
impl ChangeFeed for Pg {
    fn follow(
        &self,
        on_change: Box<dyn Fn(Change) + Send + Sync>,
        on_reconnect: Box<dyn Fn() + Send + Sync>,
    ) {
        self.listen(
            move |channel, payload| {
                if channel == REVOKED_CHANNEL {
                    on_change(Change::Revoked(DeviceId(payload)));
                } else if let Some((school, doc)) = payload.split_once('/')
                    && let Ok(doc) = doc.parse::<DocumentId>()
                {
                    on_change(Change::Document {
                        school: SchoolId(school.to_owned()),
                        doc,
                    });
                }
            },
            on_reconnect,
        );
    }
}
