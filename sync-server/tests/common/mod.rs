//! Helpers for the tests that drive the relay binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use sync_core::DocumentId;
use sync_core::client::Client;
use sync_core::wire::{self, Message};
use sync_server::Store;
use tokio_tungstenite::tungstenite::Message as Ws;

pub const PATIENCE: Duration = Duration::from_secs(10);

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
pub type Docs = std::collections::BTreeMap<DocumentId, automerge::Automerge>;

/// A school in the relay's database and the credential of its first device.
pub async fn enroll(data: &Path) -> String {
    let store = Store::open_dir(data).unwrap();
    let (_, invitation) = store.create_school("Школа").await.unwrap();
    store
        .redeem(&invitation.code, "планшет")
        .await
        .unwrap()
        .token
}

/// The relay binary in a child process; returns it and its address.
pub fn spawn_relay(data: &Path) -> (RelayProcess, String) {
    spawn_relay_with(data, &[])
}

/// A relay process that is killed when dropped, so a failing test never leaves one running
/// (an orphan would hold the test runner's output open).
pub struct RelayProcess(Child, Option<String>);

impl RelayProcess {
    /// The operator's metrics URL, when started with `--metrics-listen`.
    pub fn metrics_url(&self) -> &str {
        self.1.as_deref().expect("started with --metrics-listen")
    }
}

impl std::ops::Deref for RelayProcess {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for RelayProcess {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The relay binary with extra arguments (e.g. `--postgres <url>`).
pub fn spawn_relay_with(data: &Path, extra: &[&str]) -> (RelayProcess, String) {
    spawn_relay_at(data, "127.0.0.1:0", extra)
}

/// The relay binary listening on `listen` (port 0 picks a free one) with extra arguments.
pub fn spawn_relay_at(data: &Path, listen: &str, extra: &[&str]) -> (RelayProcess, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["--listen", listen, "--data"])
        .arg(data)
        .arg("--app")
        .arg(data.join("no-app"))
        .args(extra)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the relay binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut metrics = None;
    let addr = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the relay exited");
        if let Some(url) = line.trim().strip_prefix("metrics on ") {
            metrics = Some(url.to_owned());
        } else if let Some(addr) = line.trim().strip_prefix("listening on http://") {
            break addr.to_owned();
        }
    };
    (RelayProcess(child, metrics), addr)
}

pub async fn connect(
    addr: &str,
    token: &str,
    client: &mut Client,
    docs: &mut std::collections::BTreeMap<DocumentId, automerge::Automerge>,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sync?token={token}"))
        .await
        .unwrap();
    client.disconnected();
    ws.send(Ws::Binary(client.join().encode().into()))
        .await
        .unwrap();
    loop {
        let Some(Ok(Ws::Binary(frame))) = tokio::time::timeout(PATIENCE, ws.next()).await.unwrap()
        else {
            panic!("no handshake")
        };
        let msg = wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
        if matches!(msg, Message::Peer { .. }) {
            client.receive(msg, docs).unwrap();
            return ws;
        }
    }
}

/// Answers the relay as a device would until it confirms holding exactly `doc_id`'s heads.
pub async fn exchange_until_synced(
    ws: &mut Socket,
    client: &mut Client,
    docs: &mut Docs,
    doc_id: DocumentId,
) {
    for msg in client.poll_all(docs) {
        ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
    }
    while !client.is_synced(&doc_id, &docs[&doc_id]) {
        answer_next_frame(ws, client, docs).await;
    }
}

/// Takes the relay's next frame and sends whatever the protocol answers to it.
pub async fn answer_next_frame(ws: &mut Socket, client: &mut Client, docs: &mut Docs) {
    let Some(Ok(Ws::Binary(frame))) = tokio::time::timeout(PATIENCE, ws.next()).await.unwrap()
    else {
        panic!("the relay closed the connection")
    };
    client
        .receive(wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap(), docs)
        .unwrap();
    for msg in client.poll_all(docs) {
        ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
    }
}

/// A fresh, empty database on the test PostgreSQL server (`NASTAVNIK_TEST_POSTGRES`, which
/// `scripts/test` starts).
#[cfg(feature = "postgres-tests")]
pub async fn fresh_database() -> String {
    let admin = std::env::var("NASTAVNIK_TEST_POSTGRES")
        .expect("NASTAVNIK_TEST_POSTGRES must name a PostgreSQL server (scripts/test starts one)");
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let name = format!("nastavnik_test_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A client's binary frame (masked, as clients must) announcing `declared` payload bytes
/// (more than `payload` holds, for a frame cut short).
pub fn masked_frame_declaring(payload: &[u8], declared: usize) -> Vec<u8> {
    let mut out = vec![0x82];
    if declared < 126 {
        out.push(0x80 | declared as u8);
    } else if declared <= u16::MAX as usize {
        out.push(0x80 | 126);
        out.extend((declared as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend((declared as u64).to_be_bytes());
    }
    let mask = [1u8, 2, 3, 4];
    out.extend(mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}
