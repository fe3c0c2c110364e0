//! One WebSocket connection speaking the automerge-repo protocol, version "1".

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::{SinkExt, StreamExt};
use sync_core::PROTOCOL_VERSION;
use sync_core::wire::{self, Message, PeerMetadata};
use tokio::sync::mpsc;

use crate::AppState;
use crate::accounts::{AuthError, Device};
use crate::hub::{ConnId, Outgoing};

/// How long a refused peer has to acknowledge the close before the socket is dropped.
const CLOSING_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A token bucket: `rate` messages a second on average, bursts of up to twice that.
struct RateLimit {
    rate: f64,
    tokens: f64,
    last: tokio::time::Instant,
}

impl RateLimit {
    fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        Self {
            rate,
            tokens: rate * 2.0,
            last: tokio::time::Instant::now(),
        }
    }

    fn allow(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.rate * 2.0);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn refuse(mut socket: WebSocket, reason: String) {
    let frame = Message::Error { message: reason }.encode();
    let _ = socket.send(WsMessage::Binary(frame.into())).await;
    let _ = socket.send(WsMessage::Close(None)).await;
    // As in `serve`: wait for the peer's Close so the `error` is not lost to a reset.
    let _ = tokio::time::timeout(CLOSING_GRACE, async {
        while let Some(Ok(frame)) = socket.recv().await {
            if matches!(frame, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
}

pub async fn serve(socket: WebSocket, state: AppState, device: Result<Device, AuthError>) {
    let device = match device {
        Ok(device) => device,
        Err(e) => {
            state.metrics.refused_connections.inc();
            tracing::info!(reason = %e, "refused a connection");
            return refuse(socket, e.to_string()).await;
        }
    };
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
    state.metrics.connections.inc();
    let sent = state.metrics.bytes_sent.clone();

    // The writer owns the sink: frames go out in the order the hub queued them.
    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Outgoing::Frame(frame) => {
                    sent.inc_by(frame.len() as u64);
                    if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                        break;
                    }
                }
                Outgoing::Close(reason) => {
                    let frame = Message::Error { message: reason }.encode();
                    let _ = sink.send(WsMessage::Binary(frame.into())).await;
                    let _ = sink.close().await;
                    break;
                }
            }
        }
    });

    let mut conn: Option<ConnId> = None;
    let mut limit = RateLimit::new(state.config.max_messages_per_second);
    let mut refusal: Option<String> = None;
    while let Some(frame) = stream.next().await {
        let bytes = match frame {
            Ok(WsMessage::Binary(bytes)) => bytes,
            Ok(WsMessage::Close(_)) | Err(_) => break,
            Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => continue,
            Ok(WsMessage::Text(_)) => {
                refusal = Some("text frames are not part of the protocol".into());
                break;
            }
        };
        state.metrics.bytes_received.inc_by(bytes.len() as u64);
        if !limit.allow() {
            refusal = Some("too many messages: slow down".into());
            break;
        }
        match handle_frame(&state, &device, &tx, &mut conn, &bytes).await {
            Ok(true) => {}
            Ok(false) => break,
            Err(reason) => {
                refusal = Some(reason);
                break;
            }
        }
    }
    if let Some(reason) = refusal {
        tracing::info!(?conn, %reason, "closing connection");
        let _ = tx.send(Outgoing::Close(reason));
        // Complete the closing handshake: discard what the peer still sends until its Close,
        // so the `error` message is not lost to a connection reset. Bounded, for peers that
        // never answer.
        let _ = tokio::time::timeout(CLOSING_GRACE, async {
            while let Some(Ok(frame)) = stream.next().await {
                if matches!(frame, WsMessage::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
    if let Some(conn) = conn {
        state.hub.disconnect(conn).await;
    }
    drop(tx);
    let _ = writer.await;
    state.metrics.connections.dec();
}

/// Returns `Ok(false)` when the peer left, `Err(reason)` when the connection must be closed.
async fn handle_frame(
    state: &AppState,
    device: &Device,
    tx: &mpsc::UnboundedSender<Outgoing>,
    conn: &mut Option<ConnId>,
    bytes: &[u8],
) -> Result<bool, String> {
    let message = wire::decode(bytes, state.config.max_frame).map_err(|e| e.to_string())?;
    match (message, *conn) {
        (
            Message::Join {
                sender_id,
                supported_protocol_versions,
                ..
            },
            None,
        ) => {
            if !supported_protocol_versions
                .iter()
                .any(|v| v == PROTOCOL_VERSION)
            {
                return Err(format!(
                    "unsupported protocol versions {supported_protocol_versions:?}"
                ));
            }
            let id = state.hub.connect(device, sender_id.clone(), tx.clone());
            *conn = Some(id);
            let peer = Message::Peer {
                sender_id: state.hub.peer_id().clone(),
                target_id: sender_id,
                selected_protocol_version: PROTOCOL_VERSION.into(),
                peer_metadata: PeerMetadata {
                    storage_id: None,
                    is_ephemeral: Some(false),
                },
            };
            let _ = tx.send(Outgoing::Frame(peer.encode()));
            Ok(true)
        }
        (Message::Join { .. }, Some(_)) => Err("join sent twice".into()),
        (other, None) => Err(format!("`{}` before `join`", other.kind())),
        (Message::Request(sync), Some(id)) => {
            let _timer = state.metrics.sync_seconds.start_timer();
            state
                .hub
                .sync(id, sync, true)
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
        (Message::Sync(sync), Some(id)) => {
            let _timer = state.metrics.sync_seconds.start_timer();
            state
                .hub
                .sync(id, sync, false)
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
        (Message::Leave { .. }, Some(_)) => Ok(false),
        (Message::Error { message }, Some(_)) => {
            tracing::info!(%message, "peer reported an error");
            Ok(false)
        }
        (Message::Ignored { .. } | Message::DocUnavailable { .. }, Some(_)) => Ok(true),
        (Message::Peer { .. }, Some(_)) => Err("`peer` is the relay's message".into()),
    }
}
