//! This device's membership of a school on the relay: joining with an invitation, inviting
//! other devices, listing and revoking them. Plain HTTP calls to the relay's `/api`; the
//! credential they return is kept by the [`crate::repo::Repo`].

use gloo_net::http::{Request, Response};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
    pub root_doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Device {
    pub fn is_curator(&self) -> bool {
        self.role == "curator"
    }
}

/// What the relay answers to a redeemed invitation.
#[derive(Clone, Debug, Deserialize)]
pub struct Joined {
    pub device: Device,
    pub school: School,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Me {
    pub device: Device,
    pub school: School,
    pub devices: Vec<Device>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Invitation {
    pub code: String,
    pub expires_at: i64,
}

/// Errors are Russian sentences, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AccountError(pub String);

const OFFLINE: &str = "Нет связи с сервером. Подключитесь к сети школы и повторите.";

async fn answer<T: for<'de> Deserialize<'de>>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, AccountError> {
    let response = response.map_err(|_| AccountError(OFFLINE.into()))?;
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| AccountError(format!("Непонятный ответ сервера: {e}")));
    }
    #[derive(Deserialize)]
    struct Failure {
        error: String,
    }
    match response.json::<Failure>().await {
        Ok(f) => Err(AccountError(f.error)),
        Err(_) => Err(AccountError(format!(
            "Сервер ответил ошибкой {}.",
            response.status()
        ))),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub async fn join(code: &str, device_name: &str) -> Result<Joined, AccountError> {
    let body = serde_json::json!({ "code": code, "device_name": device_name });
    let request = Request::post("/api/join")
        .json(&body)
        .map_err(|e| AccountError(e.to_string()))?;
    answer(request.send().await).await
}

async fn get<T: for<'de> Deserialize<'de>>(token: &str, path: &str) -> Result<T, AccountError> {
    answer(
        Request::get(path)
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

pub async fn me(token: &str) -> Result<Me, AccountError> {
    get(token, "/api/me").await
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Erasure {
    pub doc: String,
    pub at: i64,
}

/// The school's documents erased for good, as the relay recorded them: the only word on
/// which this device deletes a person's data.
pub async fn erasures(token: &str) -> Result<Vec<Erasure>, AccountError> {
    #[derive(Deserialize)]
    struct List {
        erased: Vec<Erasure>,
    }
    Ok(get::<List>(token, "/api/erasures").await?.erased)
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Author {
    /// An automerge actor id, in hex.
    pub actor: String,
    pub device: String,
    pub name: String,
}

/// Which device of the school wrote each automerge actor's changes (as the relay saw them).
pub async fn authors(token: &str) -> Result<Vec<Author>, AccountError> {
    #[derive(Deserialize)]
    struct List {
        actors: Vec<Author>,
    }
    Ok(get::<List>(token, "/api/actors").await?.actors)
}

pub async fn invite(token: &str) -> Result<Invitation, AccountError> {
    answer(
        Request::post("/api/invitations")
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

/// An open invitation as the curator's list shows it (never its code).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OpenInvitation {
    pub id: String,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Deserialize)]
struct OpenInvitations {
    invitations: Vec<OpenInvitation>,
}

/// The school's open invitations (curator only).
pub async fn invitations(token: &str) -> Result<Vec<OpenInvitation>, AccountError> {
    Ok(get::<OpenInvitations>(token, "/api/invitations")
        .await?
        .invitations)
}

/// Cancels an open invitation: its code no longer joins anyone.
pub async fn cancel_invitation(token: &str, id: &str) -> Result<(), AccountError> {
    command(Request::delete(&format!("/api/invitations/{id}")), token).await
}

/// A curator's command with no answer but success (`204`) or an error.
async fn command(request: gloo_net::http::RequestBuilder, token: &str) -> Result<(), AccountError> {
    let response = request.header("Authorization", &bearer(token)).send().await;
    match response {
        Ok(r) if r.ok() => Ok(()),
        other => answer::<serde_json::Value>(other).await.map(|_| ()),
    }
}

pub async fn revoke(token: &str, device: &str) -> Result<(), AccountError> {
    command(
        Request::post(&format!("/api/devices/{device}/revoke")),
        token,
    )
    .await
}

pub async fn set_root(token: &str, doc: &str) -> Result<School, AccountError> {
    let body = serde_json::json!({ "doc": doc });
    let request = Request::put("/api/school/root")
        .header("Authorization", &bearer(token))
        .json(&body)
        .map_err(|e| AccountError(e.to_string()))?;
    answer(request.send().await).await
}

/// Asks the relay to delete a document for good (a person's personal data). Idempotent.
pub async fn erase(token: &str, doc: &str) -> Result<(), AccountError> {
    command(Request::post(&format!("/api/documents/{doc}/erase")), token).await
}
