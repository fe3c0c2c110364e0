//! The connection to the relay: connect whenever possible, reconnect with backoff, and pump
//! frames between the socket and the [`Repo`]. All protocol decisions are `sync_core`'s.

use futures::channel::mpsc::UnboundedReceiver;
use futures::{FutureExt, SinkExt, StreamExt, select};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use gloo_timers::future::{IntervalStream, TimeoutFuture};

use crate::repo::{Repo, SyncStatus, Wake};

const FIRST_RETRY_MS: u32 = 500;
const MAX_RETRY_MS: u32 = 8_000;
/// How often a document the relay did not have is asked for again.
const RETRY_UNAVAILABLE_MS: u32 = 3_000;
/// The longest the sync task works before letting the page handle input.
const YIELD_AFTER_MS: f64 = 30.0;
/// The sync status and the counts of what is unsent are redone at most this often while
/// frames keep coming (each redo looks at every document), and this long after the last one.
const STATUS_EVERY_MS: f64 = 250.0;
/// How often the connection's silence is checked.
const HEARTBEAT_CHECK_MS: u32 = 1_000;
/// After this much silence the device sends a heartbeat, which the relay answers.
const QUIET_MS: f64 = 2_500.0;
/// After this much silence the connection is taken for dead (the relay stopped answering
/// without closing it, or never finished opening it): the device says «Нет связи» and
/// reconnects. A heartbeat is sent at least twice in this time.
const DEAD_MS: f64 = 7_000.0;

/// The relay's sync endpoint on the host that served the app.
pub fn default_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/sync", location.host().ok()?))
}

/// Where and as whom to sync. The credential travels as a WebSocket subprotocol
/// (`nastavnik.token.<token>`), never in the URL, where proxies and access logs keep it:
/// browsers cannot set headers on a WebSocket, but they can offer protocols.
pub struct Endpoint {
    pub url: String,
    pub token: String,
}

impl Endpoint {
    fn protocols(&self) -> [String; 2] {
        [
            "nastavnik".into(),
            format!("nastavnik.token.{}", self.token),
        ]
    }
}

pub fn start(repo: Repo, endpoint: Endpoint) {
    let Some(wake) = repo.take_sync_wake() else {
        return;
    };
    leptos::task::spawn_local(run(repo, endpoint, wake));
}

async fn run(repo: Repo, endpoint: Endpoint, mut wake: UnboundedReceiver<Wake>) {
    let mut delay = FIRST_RETRY_MS;
    let mut ever_connected = false;
    loop {
        // After a loss the badge keeps saying «Нет связи» while the device tries again.
        if !ever_connected {
            repo.set_sync_status(SyncStatus::Connecting);
        }
        let outcome = session(&repo, &endpoint, &mut wake).await;
        repo.disconnected();
        match outcome {
            Ended::Refused(reason) => repo.set_sync_status(SyncStatus::Refused(reason)),
            Ended::Lost { was_connected } => {
                if was_connected {
                    ever_connected = true;
                    delay = FIRST_RETRY_MS;
                }
                repo.set_sync_status(SyncStatus::Offline);
            }
        }
        // Jitter spreads a school's tablets reconnecting after the relay restarts.
        let jitter = (js_sys::Math::random() * f64::from(delay) / 2.0) as u32;
        TimeoutFuture::new(delay + jitter).await;
        delay = (delay * 2).min(MAX_RETRY_MS);
    }
}

enum Ended {
    Lost { was_connected: bool },
    Refused(String),
}

async fn session(repo: &Repo, endpoint: &Endpoint, wake: &mut UnboundedReceiver<Wake>) -> Ended {
    // The handshake polls every document: what edits asked for while there was no
    // connection is covered by it, and the queue does not grow across a day offline.
    while wake.try_recv().is_ok() {}
    let protocols = endpoint.protocols();
    let protocols = [protocols[0].as_str(), protocols[1].as_str()];
    let Ok(ws) = WebSocket::open_with_protocols(&endpoint.url, &protocols) else {
        return Ended::Lost {
            was_connected: false,
        };
    };
    let (mut tx, rx) = ws.split();
    let mut rx = rx.fuse();
    let mut tick = IntervalStream::new(RETRY_UNAVAILABLE_MS).fuse();
    let mut beat = IntervalStream::new(HEARTBEAT_CHECK_MS).fuse();
    let mut connected = false;
    // The socket opens (and `join` is sent) in time, or the relay is not answering.
    let opened = select! {
        sent = tx.send(Message::Bytes(repo.join_frame())).fuse() => sent.is_ok(),
        () = TimeoutFuture::new(DEAD_MS as u32).fuse() => false,
    };
    if !opened {
        return Ended::Lost {
            was_connected: false,
        };
    }
    let mut heard = js_sys::Date::now();
    let mut yielded = heard;
    let mut status_done = heard;
    let mut status_owed = false;
    loop {
        // Frames that are already queued resolve at once, and a long run of them (a new
        // tablet's first sync) would keep the page from handling a tap: give way regularly.
        if js_sys::Date::now() - yielded > YIELD_AFTER_MS {
            TimeoutFuture::new(0).await;
            yielded = js_sys::Date::now();
        }
        let mut settle = if status_owed {
            TimeoutFuture::new(STATUS_EVERY_MS as u32).fuse()
        } else {
            futures::future::Fuse::terminated()
        };
        let frames = select! {
            frame = rx.next() => {
                heard = js_sys::Date::now();
                match frame {
                Some(Ok(Message::Bytes(bytes))) => match repo.on_frame(&bytes) {
                    Ok(frames) => {
                        if !connected {
                            // Erasures recorded while this device was away are applied now.
                            let repo = repo.clone();
                            leptos::task::spawn_local(async move { repo.check_erasures().await });
                        }
                        connected = true;
                        frames
                    }
                    Err(reason) => {
                        leptos::logging::warn!("sync: {reason}");
                        return Ended::Refused(reason);
                    }
                },
                Some(Ok(Message::Text(_))) => vec![],
                Some(Err(_)) | None => return Ended::Lost { was_connected: connected },
                }
            },
            woken = wake.next() => repo.poll_frames(woken.unwrap_or(Wake::All)),
            _ = tick.next() => repo.retry_unavailable(),
            _ = beat.next() => {
                let silent = js_sys::Date::now() - heard;
                if silent > DEAD_MS {
                    leptos::logging::warn!("sync: the relay has not answered for {silent:.0} ms");
                    return Ended::Lost { was_connected: connected };
                }
                if silent > QUIET_MS { vec![repo.heartbeat_frame()] } else { vec![] }
            },
            () = settle => vec![],
            complete => return Ended::Lost { was_connected: connected },
        };
        for frame in frames {
            if tx.send(Message::Bytes(frame)).await.is_err() {
                return Ended::Lost {
                    was_connected: connected,
                };
            }
        }
        if connected {
            let now = js_sys::Date::now();
            if now - status_done >= STATUS_EVERY_MS {
                repo.refresh_sync_status();
                status_done = now;
                status_owed = false;
            } else {
                status_owed = true;
            }
        }
    }
}
