//! The Наставник relay: serves the built app and relays automerge-repo sync over `/sync`,
//! keeping every document in an embedded SQLite database.
//!
//! [`app`] builds the router from [`AppState`] so that tests drive the same service `main` runs.

pub mod accounts;
mod api;
pub mod assets;
pub mod backup;
pub mod hub;
pub mod metrics;
pub mod pg;
pub mod store;
mod ws;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, Request, State, WebSocketUpgrade};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

pub use hub::Hub;
pub use store::{Store, StoreError};

#[derive(Clone, Debug)]
pub struct Config {
    /// The built app (Trunk's `dist`).
    pub app_dir: PathBuf,
    /// The largest WebSocket frame accepted.
    pub max_frame: usize,
    /// Sustained messages per second one connection may send (bursts of twice as many).
    pub max_messages_per_second: u32,
    /// Documents one school may keep on this relay.
    pub max_documents_per_school: u64,
}

impl Config {
    /// The defaults `main` uses, serving the app from `app_dir`.
    pub fn new(app_dir: PathBuf) -> Self {
        Self {
            app_dir,
            max_frame: 16 * 1024 * 1024,
            max_messages_per_second: 200,
            max_documents_per_school: 10_000,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            hub: Arc::new(Hub::new(store, config.max_documents_per_school)),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

pub fn app(state: AppState) -> Router {
    let index = state.config.app_dir.join("index.html");
    // Client-side routes (`/programmes/…`) get the app shell.
    let static_files = ServeDir::new(&state.config.app_dir).fallback(ServeFile::new(index));
    // Brotli or gzip, as the browser asks: the wasm shrinks to about a third, which matters on
    // a rural school's connection. The sync socket is not compressed.
    let static_files = tower::ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .service(static_files);
    Router::new()
        .route("/sync", get(sync))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .merge(api::routes())
        .fallback_service(static_files)
        .layer(middleware::from_fn(cache_headers))
        .with_state(state)
}

#[derive(serde::Deserialize)]
struct SyncQuery {
    token: Option<String>,
}

/// The credential travels in the URL (`/sync?token=…`): browsers cannot set headers on a
/// WebSocket. A bad one is refused inside the socket, with the protocol's `error` message.
async fn sync(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Query(query): Query<SyncQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let token = query
        .token
        .as_deref()
        .or_else(|| api::bearer(&headers))
        .unwrap_or_default();
    let device = state.hub.store().authenticate(token).await;
    let max = state.config.max_frame;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| ws::serve(socket, state, device))
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let stored = state.hub.store().document_count().await.ok();
    state
        .metrics
        .documents_loaded
        .set(state.hub.documents_loaded() as i64);
    let body = state.metrics.render(stored);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
        .into_response()
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path != "/sync" && path != "/metrics" {
        assets::cache_control(&path, &mut response);
    }
    response
}
