//! Schools, their devices, and one-time invitations.
//!
//! The relay stores only SHA-256 hashes of secrets: a device credential is
//! `<device id>.<64 hex digits of randomness>` and an invitation code is ten characters from an
//! unambiguous alphabet; both are high-entropy, so a fast hash suffices. A leaked database
//! therefore lets nobody in.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::StoreError;

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
