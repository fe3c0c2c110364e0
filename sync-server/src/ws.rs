//! One WebSocket connection speaking the automerge-repo protocol, version "1".

use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::{SinkExt, StreamExt};
use sync_core::PROTOCOL_VERSION;
use sync_core::wire::{self, Message, PeerMetadata};

use crate::AppState;
use crate::accounts::{AuthError, Device};
use crate::hub::ConnId;
use crate::outbox::{self, Outbox};

/// How long a refused peer has to acknowledge the close before the socket is dropped.
const CLOSING_GRACE: Duration = Duration::from_secs(2);

/// A budget of work per connection: `rate` units a second on average, bursts of up to twice
/// that. A message costs one unit, plus one per 64 KiB it carries, plus one per 5 ms the relay
/// spent on it. Over budget, the relay stops reading the connection until the budget has
/// refilled: a flood is slowed to the budget (TCP pushes back on the sender), and a new tablet
/// asking for a thousand documents at once is served at that pace, not cut off.
struct Budget {
    rate: f64,
    tokens: f64,
    last: tokio::time::Instant,
}

impl Budget {
    fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        Self {
            rate,
            tokens: rate * 2.0,
            last: tokio::time::Instant::now(),
        }
    }

    /// Charges `cost` units; returns how long to wait before reading on.
    fn charge(&mut self, cost: f64) -> Duration {
        let now = tokio::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.rate * 2.0) - cost;
        self.last = now;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }

    fn cost(bytes: usize, spent: Duration) -> f64 {
        1.0 + bytes as f64 / 65_536.0 + spent.as_secs_f64() / 0.005
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

/// Deadlines of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// A connection must send `join` within this time.
    pub join: Duration,
    /// The relay pings this often; a peer that sends nothing at all (not even the pong) for
    /// [`Timeouts::idle`] is closed, and so is one stuck in the middle of a frame.
    pub ping: Duration,
    pub idle: Duration,
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
    let (outbox, mut inbox, closed) = outbox::channel(state.config.outbox);
    // Registered before `join`: a revocation closes this connection whatever it has sent.
    let conn = match state.hub.connect(&device, outbox.clone()) {
        Ok(conn) => conn,
        Err(e) => {
            state.metrics.refused_connections.inc();
            return refuse(socket, e.to_string()).await;
        }
    };
    let (mut sink, mut stream) = socket.split();
    state.metrics.connections.inc();
    let sent = state.metrics.bytes_sent.clone();
    let timeouts = state.config.timeouts;

    // The writer owns the sink: frames go out in the order the hub queued them, pings between
    // them; on a close it sends the reason as the protocol's `error` and closes the socket.
    let mut writer_closed = closed.clone();
    let writer = tokio::spawn(async move {
        let mut ping = tokio::time::interval(timeouts.ping);
        ping.tick().await;
        loop {
            tokio::select! {
                biased;
                reason = writer_closed.wait() => {
                    let Some(reason) = reason else { break };
                    // What was queued before the close goes out first, in order; a peer that
                    // does not read gets no more than the grace period for it.
                    let _ = tokio::time::timeout(CLOSING_GRACE, async {
                        while let Some(frame) = inbox.try_recv() {
                            if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                                break;
                            }
                        }
                    })
                    .await;
                    let frame = Message::Error { message: reason }.encode();
                    let _ = sink.send(WsMessage::Binary(frame.into())).await;
                    let _ = sink.close().await;
                    break;
                }
                frame = inbox.recv() => {
                    let Some(frame) = frame else { break };
                    sent.inc_by(frame.len() as u64);
                    if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                        break;
                    }
                }
                _ = ping.tick() => {
                    if sink.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
    });

    let mut joined = false;
    let mut budget = Budget::new(state.config.max_messages_per_second);
    let join_deadline = tokio::time::Instant::now() + timeouts.join;
    let mut reader_closed = closed.clone();
    loop {
        let deadline = if joined {
            tokio::time::Instant::now() + timeouts.idle
        } else {
            join_deadline.min(tokio::time::Instant::now() + timeouts.idle)
        };
        let frame = tokio::select! {
            biased;
            _ = reader_closed.wait() => break,
            frame = stream.next() => frame,
            () = tokio::time::sleep_until(deadline) => {
                outbox.close(if joined {
                    "the connection was silent for too long".into()
                } else {
                    "no `join` in time".into()
                });
                break;
            }
        };
        let bytes = match frame {
            Some(Ok(WsMessage::Binary(bytes))) => bytes,
            Some(Ok(WsMessage::Close(_))) | None => break,
            Some(Err(e)) => {
                // A frame over the limit, or a broken one: say why before closing (a peer
                // that is gone never reads it).
                outbox.close(format!(
                    "cannot read the frame: {}",
                    log_text(&e.to_string())
                ));
                break;
            }
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
            Some(Ok(WsMessage::Text(_))) => {
                outbox.close("text frames are not part of the protocol".into());
                break;
            }
        };
        state.metrics.bytes_received.inc_by(bytes.len() as u64);
        let started = tokio::time::Instant::now();
        match handle_frame(&state, conn, &mut joined, &outbox, &bytes).await {
            Ok(true) => {}
            Ok(false) => break,
            Err(reason) => {
                outbox.close(reason);
                break;
            }
        }
        let wait = budget.charge(Budget::cost(bytes.len(), started.elapsed()));
        if !wait.is_zero() {
            state.metrics.throttled.inc();
            tokio::select! {
                biased;
                _ = reader_closed.wait() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
    if let Some(reason) = closed.reason() {
        tracing::info!(?conn, reason = %log_text(&reason), "closing connection");
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
    state.hub.disconnect(conn).await;
    // The writer stops once the close is sent, or when the last handle on the queue is gone.
    drop(outbox);
    let _ = writer.await;
    state.metrics.connections.dec();
}

/// Peer-chosen text as it may appear in a log line: bounded, with control characters escaped.
pub(crate) fn log_text(text: &str) -> String {
    const MAX: usize = 200;
    let mut out: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Returns `Ok(false)` when the peer left, `Err(reason)` when the connection must be closed.
async fn handle_frame(
    state: &AppState,
    conn: ConnId,
    joined: &mut bool,
    outbox: &Outbox,
    bytes: &[u8],
) -> Result<bool, String> {
    let message = wire::decode(bytes, state.config.max_frame).map_err(|e| e.to_string())?;
    match (message, *joined) {
        (
            Message::Join {
                sender_id,
                supported_protocol_versions,
                ..
            },
            false,
        ) => {
            if !supported_protocol_versions
                .iter()
                .any(|v| v == PROTOCOL_VERSION)
            {
                return Err(format!(
                    "unsupported protocol versions {supported_protocol_versions:?}"
                ));
            }
            state
                .hub
                .join(conn, sender_id.clone())
                .map_err(|e| e.to_string())?;
            *joined = true;
            let peer = Message::Peer {
                sender_id: state.hub.peer_id().clone(),
                target_id: sender_id,
                selected_protocol_version: PROTOCOL_VERSION.into(),
                peer_metadata: PeerMetadata {
                    storage_id: None,
                    is_ephemeral: Some(false),
                },
            };
            outbox.send(peer.encode());
            Ok(true)
        }
        (Message::Join { .. }, true) => Err("join sent twice".into()),
        (other, false) => Err(format!("`{}` before `join`", other.kind())),
        (Message::Request(sync), true) => {
            let _timer = state.metrics.sync_seconds.start_timer();
            state
                .hub
                .sync(conn, sync, true)
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
        (Message::Sync(sync), true) => {
            let _timer = state.metrics.sync_seconds.start_timer();
            state
                .hub
                .sync(conn, sync, false)
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
        (Message::Leave { .. }, true) => Ok(false),
        // Answered in turn with the sync replies queued before it: a heartbeat answered means
        // the relay is reading and writing this connection, not only that the socket is open.
        (Message::Heartbeat { .. }, true) => {
            outbox.send(
                Message::Heartbeat {
                    sender_id: state.hub.peer_id().clone(),
                }
                .encode(),
            );
            Ok(true)
        }
        (Message::Error { message }, true) => {
            tracing::info!(message = %log_text(&message), "peer reported an error");
            Ok(false)
        }
        (Message::Ignored { .. } | Message::DocUnavailable { .. }, true) => Ok(true),
        (Message::Peer { .. }, true) => Err("`peer` is the relay's message".into()),
    }
}
