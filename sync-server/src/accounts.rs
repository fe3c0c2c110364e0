//! Schools, their devices, and one-time invitations.
//!
//! The relay stores only SHA-256 hashes of secrets: a device credential is
//! `<device id>.<64 hex digits of randomness>` and an invitation code is ten characters from an
//! unambiguous alphabet; both are high-entropy, so a fast hash suffices. A leaked database
//! therefore lets nobody in.

use std::fmt;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// How long an invitation may wait to be used.
pub const INVITATION_TTL_MS: i64 = 72 * 3600 * 1000;

/// Letters and digits that cannot be confused when read aloud or typed from a printout.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SchoolId(pub String);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DeviceId(pub String);

impl fmt::Display for SchoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the programme: invites and revokes devices.
    Curator,
    Staff,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Curator => "curator",
            Role::Staff => "staff",
        }
    }

    pub(crate) fn parse(s: &str) -> Role {
        if s == "curator" {
            Role::Curator
        } else {
            Role::Staff
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct School {
    pub id: SchoolId,
    pub name: String,
    /// The school's root document (an `automerge:` id), once its first device created it.
    pub root_doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: DeviceId,
    pub school: SchoolId,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Код приглашения не найден, уже использован или устарел.")]
    BadInvitation,
    #[error("Устройство не подключено к школе: неверные учётные данные.")]
    BadCredential,
    #[error("Это устройство отключено куратором школы.")]
    Revoked,
    #[error("Это может сделать только куратор школы.")]
    NotCurator,
    #[error("Школа не найдена.")]
    NoSuchSchool,
    #[error("Устройство не найдено.")]
    NoSuchDevice,
    #[error("Приглашение не найдено.")]
    NoSuchInvitation,
    #[error("Слишком много попыток ввести код приглашения. Подождите минуту.")]
    TooManyAttempts,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AuthError {
    fn from(e: rusqlite::Error) -> Self {
        AuthError::Store(StoreError::Sqlite(e))
    }
}

pub(crate) fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// 32 bytes from the operating system's random source (every bit random, unlike a UUID's).
pub(crate) fn random_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    // The OS source failing is not something the relay can work around safely.
    getrandom::fill(&mut out).expect("the operating system's random source is unavailable");
    out
}

pub(crate) fn new_code() -> String {
    // 5 bits per character from fresh random bytes: 50 bits per code.
    random_bytes()
        .iter()
        .take(CODE_LEN)
        .map(|b| CODE_ALPHABET[(b & 31) as usize] as char)
        .collect()
}

pub(crate) fn new_invitation_id() -> String {
    hex::encode(&random_bytes()[..16])
}

/// «ABCDE-FGHJK», how a code is shown; [`normalize_code`] undoes it.
pub fn display_code(code: &str) -> String {
    format!("{}-{}", &code[..CODE_LEN / 2], &code[CODE_LEN / 2..])
}

/// Accepts what a person types: any case, with dashes and spaces.
pub fn normalize_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(crate) const SCHEMA: &str = "
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

/// An invitation not yet used, as the curator's list shows it (never its code).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OpenInvitation {
    pub id: String,
    pub role: Role,
    /// The device that made it (none for the operator's invitations).
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A device credential as issued: shown to the device once, stored only as a hash.
#[derive(Clone, Debug, Serialize)]
pub struct Joined {
    pub device: Device,
    pub school: School,
    pub token: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Invitation {
    /// What the curator's list and `DELETE /api/invitations/{id}` name it by.
    pub id: String,
    pub code: String,
    pub expires_at: i64,
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

impl Store {
    /// Creates a school and the invitation for its curator's first device.
    pub async fn create_school(&self, name: &str) -> Result<(School, Invitation), AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.create_school(name).await;
        }
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

    pub async fn schools(&self) -> Result<Vec<School>, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.schools().await;
        }
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

    pub async fn invite(
        &self,
        school: &SchoolId,
        role: Role,
        by: Option<&DeviceId>,
    ) -> Result<Invitation, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.invite(school, role, by).await;
        }
        let (school, by) = (school.clone(), by.cloned());
        self.run_auth(move |conn| {
            school_by_id(conn, &school)?;
            insert_invitation(conn, &school, role, by.as_ref())
        })
        .await
    }

    /// The school's open invitations: not used, not expired, made by a device not revoked.
    pub async fn invitations(&self, school: &SchoolId) -> Result<Vec<OpenInvitation>, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.invitations(school).await;
        }
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

    /// Cancels an open invitation of `school`; one of another school is "not found".
    pub async fn cancel_invitation(&self, school: &SchoolId, id: &str) -> Result<(), AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.cancel_invitation(school, id).await;
        }
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

    /// Spends a one-time invitation on a new device and issues its credential.
    pub async fn redeem(&self, code: &str, device_name: &str) -> Result<Joined, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.redeem(code, device_name).await;
        }
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

    /// The device a credential belongs to; a revoked device is refused.
    pub async fn authenticate(&self, token: &str) -> Result<Device, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.authenticate(token).await;
        }
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

    pub async fn school(&self, id: &SchoolId) -> Result<School, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.school(id).await;
        }
        let id = id.clone();
        self.run_auth(move |conn| school_by_id(conn, &id)).await
    }

    pub async fn devices(&self, school: &SchoolId) -> Result<Vec<Device>, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.devices(school).await;
        }
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

    /// Revokes one of the school's devices; a device of another school is "not found".
    pub async fn revoke(&self, school: &SchoolId, device: &DeviceId) -> Result<(), AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.revoke(school, device).await;
        }
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

    /// Records the school's root document the first time; later calls keep the first one.
    pub async fn set_root_doc(&self, school: &SchoolId, doc: &str) -> Result<School, AuthError> {
        if let Some(pg) = self.postgres() {
            return pg.set_root_doc(school, doc).await;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize_code(" abcde-fghjk "), "ABCDEFGHJK");
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalize_code(&display_code(&code)), code);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
    }
}
