//! One WebSocket connection speaking the automerge-repo protocol, version "1".

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::{SinkExt, StreamExt};
use sync_core::PROTOCOL_VERSION;
use sync_core::wire::{self, Message, PeerMetadata};
use tokio::sync::mpsc;

use crate::AppState;
use crate::hub::{ConnId, Outgoing};

pub async fn serve(socket: WebSocket, state: AppState) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();

    // The writer owns the sink: frames go out in the order the hub queued them.
    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Outgoing::Frame(frame) => {
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
    while let Some(frame) = stream.next().await {
        let bytes = match frame {
            Ok(WsMessage::Binary(bytes)) => bytes,
            Ok(WsMessage::Close(_)) | Err(_) => break,
            Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => continue,
            Ok(WsMessage::Text(_)) => {
                let _ = tx.send(Outgoing::Close(
                    "text frames are not part of the protocol".into(),
                ));
                break;
            }
        };
        match handle_frame(&state, &tx, &mut conn, &bytes).await {
            Ok(true) => {}
            Ok(false) => break,
            Err(reason) => {
                tracing::info!(?conn, %reason, "closing connection");
                let _ = tx.send(Outgoing::Close(reason));
                break;
            }
        }
    }
    if let Some(conn) = conn {
        state.hub.disconnect(conn).await;
    }
    drop(tx);
    let _ = writer.await;
}

/// Returns `Ok(false)` when the peer left, `Err(reason)` when the connection must be closed.
async fn handle_frame(
    state: &AppState,
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
            let id = state.hub.connect(sender_id.clone(), tx.clone());
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
            state
                .hub
                .sync(id, sync, true)
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
        (Message::Sync(sync), Some(id)) => {
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
