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
pub mod outbox;
pub mod pg;
pub mod security;
pub mod sqlite;
pub mod store;
mod ws;

pub use ws::Timeouts;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
    /// What one school and one device may write.
    pub quota: store::Quota,
    /// What may wait to be sent to one connection before it is closed as not reading.
    pub outbox: outbox::Limits,
    /// Deadlines of a sync connection: `join`, pings, silence.
    pub timeouts: ws::Timeouts,
    /// Open sync connections one device may have at once.
    pub max_connections_per_device: usize,
    /// Open TCP connections the relay accepts at once (beyond them a new one is closed at once).
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and an API call to complete.
    pub request_timeout: Duration,
    /// Invitation redemptions (`/api/join`) one client address may attempt per minute.
    pub join_attempts_per_minute: u32,
    /// Documents held in memory at once (the least recently used is unloaded beyond it).
    pub max_documents_in_memory: usize,
}

/// The largest sync frame by default. A school's largest document (the school document of a
/// year, with every pair and meeting) is a few hundred kilobytes compressed; its first sync is
/// one frame. Four megabytes leaves a wide margin.
pub const DEFAULT_MAX_FRAME: usize = 4 * 1024 * 1024;

impl Config {
    /// The defaults `main` uses, serving the app from `app_dir`.
    pub fn new(app_dir: PathBuf) -> Self {
        Self {
            app_dir,
            max_frame: DEFAULT_MAX_FRAME,
            max_messages_per_second: 200,
            quota: store::Quota::default(),
            outbox: outbox::Limits {
                frames: 1024,
                bytes: 2 * DEFAULT_MAX_FRAME,
            },
            timeouts: ws::Timeouts {
                join: Duration::from_secs(10),
                ping: Duration::from_secs(20),
                idle: Duration::from_secs(60),
            },
            max_connections_per_device: 8,
            max_connections: 8192,
            request_timeout: Duration::from_secs(10),
            join_attempts_per_minute: 30,
            max_documents_in_memory: hub::DEFAULT_MAX_LOADED,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    /// Attempts to redeem an invitation, per client address.
    pub join_attempts: Arc<security::JoinLimiter>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            hub: Arc::new(
                Hub::new(store, config.quota, config.max_connections_per_device)
                    .with_max_loaded(config.max_documents_in_memory),
            ),
            join_attempts: Arc::new(security::JoinLimiter::new(config.join_attempts_per_minute)),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

pub fn app(state: AppState) -> Router {
    let index = ServeFile::new(state.config.app_dir.join("index.html"));
    // Client-side routes (`/programmes/…`) get the app shell; a file the build does not have
    // (a name with an extension: an older build's code after a deploy) is a 404, never the
    // shell under the file's name, which a cache would keep as that file.
    let shell_or_missing = tower::service_fn(move |request: Request| {
        let index = index.clone();
        async move {
            let name = request.uri().path().rsplit('/').next().unwrap_or_default();
            if name.contains('.') {
                return Ok::<_, std::convert::Infallible>(
                    axum::http::StatusCode::NOT_FOUND.into_response(),
                );
            }
            let Ok(shell) = tower::ServiceExt::oneshot(index, request).await;
            Ok(shell.into_response())
        }
    });
    // The build writes each asset compressed at the best level beside it (`scripts/build`):
    // those files are sent as they are to a browser that accepts them.
    let static_files = ServeDir::new(&state.config.app_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell_or_missing);
    // Anything without such a file: brotli or gzip on the fly, as the browser asks (a response
    // already encoded is left alone). The wasm shrinks to about a third, which matters on a
    // rural school's connection. The sync socket is not compressed.
    let static_files = tower::ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .service(static_files);
    let api = api::routes().layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        state.config.request_timeout,
    ));
    Router::new()
        .route("/sync", get(sync))
        .route("/healthz", get(|| async { "ok" }))
        .merge(api)
        .fallback_service(static_files)
        .layer(middleware::from_fn(cache_headers))
        .layer(middleware::from_fn_with_state(
            Arc::new(security::Headers::for_app(&state.config.app_dir)),
            security::headers,
        ))
        .with_state(state)
}

/// The operator's router: `/metrics` (Prometheus text). Served on its own listener
/// (`--metrics-listen`), never on the public one: the figures are for the operator only.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish.
///
/// Every connection must send its request headers within `config.request_timeout` (a
/// slowloris holding half-open connections is cut off), and at most `config.max_connections`
/// are open at once: beyond that a new connection is closed at once, so the relay keeps its
/// file descriptors and `/healthz` keeps answering. Sync sockets have their own deadlines
/// ([`Timeouts`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    config: &Config,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.request_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!("connection cap reached; a new connection is closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // The peer's address, for the per-address limit of `/api/join`.
        let service = TowerToHyperService::new(
            tower::ServiceBuilder::new()
                .map_request(
                    move |mut request: axum::http::Request<hyper::body::Incoming>| {
                        request
                            .extensions_mut()
                            .insert(axum::extract::ConnectInfo(peer));
                        request
                    },
                )
                .service(router.clone()),
        );
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let stopped = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopped => {
                    // Finish the request in progress, then close.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    // Open requests finish (sync sockets are already upgraded and end with the process).
    let all = u32::try_from(config.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
}

/// Raises this process's soft limit on open files to its hard limit.
pub fn raise_open_files_limit() {
    #[cfg(unix)]
    if let Ok((soft, hard)) = rlimit::Resource::NOFILE.get()
        && soft < hard
    {
        let _ = rlimit::Resource::NOFILE.set(hard, hard);
    }
}

#[derive(serde::Deserialize)]
struct SyncQuery {
    token: Option<String>,
}

/// The WebSocket subprotocol the app speaks; it carries the credential as a second offered
/// protocol, `nastavnik.token.<token>`, so the credential is not in the URL, where proxies
/// and access logs keep it. The relay selects `nastavnik`, never echoing the credential.
pub const SYNC_PROTOCOL: &str = "nastavnik";
const TOKEN_PROTOCOL_PREFIX: &str = "nastavnik.token.";

/// Where the credential of a sync connection travels: the app offers it as a subprotocol;
/// automerge-repo clients, which can set neither headers nor protocols, keep `?token=…`;
/// other clients may send `Authorization: Bearer …`. A bad one is refused inside the socket,
/// with the protocol's `error` message.
async fn sync(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Query(query): Query<SyncQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let from_protocol = headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
        .map(str::to_owned);
    let token = from_protocol
        .as_deref()
        .or(query.token.as_deref())
        .or_else(|| api::bearer(&headers))
        .unwrap_or_default();
    let device = state.hub.store().authenticate(token).await;
    let max = state.config.max_frame;
    ws.protocols([SYNC_PROTOCOL])
        .max_message_size(max)
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
    if path != "/sync" {
        assets::cache_control(&path, &mut response);
    }
    response
}
