//! The relay's small JSON API, for what a WebSocket cannot do: joining a school with an
//! invitation, inviting and revoking devices, and recording the school's root document.
//!
//! Every call but `join` carries the device credential as `Authorization: Bearer <token>`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::accounts::{AuthError, Device, DeviceId, Invitation, Joined, Role, School};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/join", post(join))
        .route("/api/me", get(me))
        .route("/api/invitations", post(invite).get(invitations))
        .route(
            "/api/invitations/{id}",
            axum::routing::delete(cancel_invitation),
        )
        .route("/api/devices/{id}/revoke", post(revoke))
        .route("/api/school/root", put(set_root))
        .route("/api/documents/{id}/erase", post(erase))
        .route("/api/erasures", get(erasures))
        .route("/api/actors", get(actors))
}

/// Errors as the app shows them: a Russian sentence; internals go to the log only.
pub struct ApiError(AuthError);

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            AuthError::BadInvitation => StatusCode::BAD_REQUEST,
            AuthError::BadCredential => StatusCode::UNAUTHORIZED,
            AuthError::Revoked | AuthError::NotCurator => StatusCode::FORBIDDEN,
            AuthError::NoSuchSchool | AuthError::NoSuchDevice | AuthError::NoSuchInvitation => {
                StatusCode::NOT_FOUND
            }
            AuthError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AuthError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.0, "api call failed");
            "Внутренняя ошибка сервера. Попробуйте позже.".to_owned()
        } else {
            self.0.to_string()
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

async fn device(state: &AppState, headers: &HeaderMap) -> Result<Device, ApiError> {
    let token = bearer(headers).ok_or(AuthError::BadCredential)?;
    Ok(state.hub.store().authenticate(token).await?)
}

async fn curator(state: &AppState, headers: &HeaderMap) -> Result<Device, ApiError> {
    let device = device(state, headers).await?;
    if device.role != Role::Curator {
        return Err(AuthError::NotCurator.into());
    }
    Ok(device)
}

#[derive(Deserialize)]
struct JoinRequest {
    code: String,
    device_name: String,
}

async fn join(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Json(req): Json<JoinRequest>,
) -> Result<Json<Joined>, ApiError> {
    if !state
        .join_attempts
        .allow(peer.map(|axum::Extension(info)| info))
    {
        return Err(AuthError::TooManyAttempts.into());
    }
    let joined = state
        .hub
        .store()
        .redeem(&req.code, &req.device_name)
        .await?;
    tracing::info!(school = %joined.school.id, device = %joined.device.id, "device joined");
    Ok(Json(joined))
}

#[derive(Serialize)]
struct Me {
    device: Device,
    school: School,
    devices: Vec<Device>,
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, ApiError> {
    let device = device(&state, &headers).await?;
    let store = state.hub.store();
    let school = store.school(&device.school).await?;
    let devices = store.devices(&device.school).await?;
    Ok(Json(Me {
        device,
        school,
        devices,
    }))
}

async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Invitation>, ApiError> {
    let curator = curator(&state, &headers).await?;
    let invitation = state
        .hub
        .store()
        .invite(&curator.school, Role::Staff, Some(&curator.id))
        .await?;
    Ok(Json(invitation))
}

/// The school's open invitations (not used, not expired), for the curator to review.
async fn invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let curator = curator(&state, &headers).await?;
    let open = state.hub.store().invitations(&curator.school).await?;
    Ok(Json(serde_json::json!({ "invitations": open })))
}

/// Cancels an open invitation of the curator's school: its code no longer joins anyone.
async fn cancel_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let curator = curator(&state, &headers).await?;
    state
        .hub
        .store()
        .cancel_invitation(&curator.school, &id)
        .await?;
    tracing::info!(school = %curator.school, "invitation cancelled");
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let curator = curator(&state, &headers).await?;
    let id = DeviceId(id);
    state.hub.store().revoke(&curator.school, &id).await?;
    state.hub.revoke(&id);
    tracing::info!(school = %curator.school, device = %id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct RootRequest {
    doc: String,
}

async fn set_root(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<RootRequest>,
) -> Result<Json<School>, ApiError> {
    // Only a curator names the school's document: a staff device joining a new school before
    // its curator's device has registered it must not be able to choose it.
    let device = curator(&state, &headers).await?;
    let doc =
        sync_core::DocumentId::parse_url_or_id(&req.doc).map_err(|_| AuthError::NoSuchSchool)?;
    Ok(Json(
        state
            .hub
            .store()
            .set_root_doc(&device.school, &doc.to_string())
            .await?,
    ))
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "api call failed");
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Внутренняя ошибка сервера. Попробуйте позже.",
    )
}

#[derive(Serialize)]
struct Erasure {
    doc: String,
    at: i64,
}

/// The school's erased documents. A device deletes a person's data only when it is listed
/// here: the relay's word, recorded by a curator's call, never a field of a document that any
/// device could write.
async fn erasures(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let device = device(&state, &headers).await?;
    Ok(match state.hub.store().erasures(&device.school).await {
        Ok(list) => Json(serde_json::json!({
            "erased": list
                .into_iter()
                .map(|(doc, at)| Erasure { doc, at })
                .collect::<Vec<_>>()
        }))
        .into_response(),
        Err(e) => internal(e),
    })
}

#[derive(Serialize)]
struct Author {
    actor: String,
    device: String,
    name: String,
}

/// Which device of the school wrote the changes of each automerge actor (as the relay saw
/// them arrive), with the device's name: the app names who changed what.
async fn actors(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let device = device(&state, &headers).await?;
    let store = state.hub.store();
    let devices = store.devices(&device.school).await?;
    Ok(match store.actors(&device.school).await {
        Ok(list) => {
            let authors: Vec<Author> = list
                .into_iter()
                .map(|(actor, id)| Author {
                    name: devices
                        .iter()
                        .find(|d| d.id.0 == id)
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    actor,
                    device: id,
                })
                .collect();
            Json(serde_json::json!({ "actors": authors })).into_response()
        }
        Err(e) => internal(e),
    })
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// Erases one of the school's documents (a person's personal data, when consent is withdrawn):
/// deleted from the store, and refused if any device brings a copy back. Curator only; the
/// school's root document cannot be erased this way.
async fn erase(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let curator = curator(&state, &headers).await?;
    let Ok(doc) = sync_core::DocumentId::parse_url_or_id(&id) else {
        return Ok(refusal(
            StatusCode::BAD_REQUEST,
            "Неверный идентификатор документа.",
        ));
    };
    let school = state.hub.store().school(&curator.school).await?;
    if school
        .root_doc
        .as_deref()
        .and_then(|d| sync_core::DocumentId::parse_url_or_id(d).ok())
        == Some(doc)
    {
        return Ok(refusal(
            StatusCode::BAD_REQUEST,
            "Документ школы удалить нельзя.",
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    if let Err(e) = state.hub.erase(&curator.school, doc, now).await {
        tracing::error!(error = %e, "erasure failed");
        return Ok(refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Не удалось удалить данные на сервере. Попробуйте позже.",
        ));
    }
    tracing::info!(school = %curator.school, doc = %doc, "document erased");
    Ok(StatusCode::NO_CONTENT.into_response())
}
