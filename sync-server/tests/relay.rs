//! The relay binary over real sockets: its SQLite store in a temporary directory, enrolled
//! devices (invitation → credential), and clients built from `sync_core::client::Client`
//! speaking real frames. (The cache-header test drives the router in-process.)

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use sync_core::client::{Client, ClientEvent};
use sync_core::wire::{self, Message, SyncData};
use sync_core::{DocumentId, PeerId};
use sync_server::accounts::{DeviceId, Role, SchoolId};
use sync_server::{AppState, Config, Store, app};

mod common;
use common::{RelayProcess, spawn_relay_at};
use tokio_tungstenite::tungstenite::Message as Ws;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Long enough for any real reply; a test that waits this long has failed.
const PATIENCE: Duration = Duration::from_secs(10);

/// The relay binary, listening on a real socket, with its SQLite database in a temporary
/// directory; the test opens the same database to enrol devices and inspect what is stored.
struct Relay {
    process: RelayProcess,
    addr: String,
    store: Store,
}

async fn start_relay(data: &Path, addr: &str) -> Relay {
    start_relay_with(data, addr, &[]).await
}

async fn start_relay_with(data: &Path, addr: &str, flags: &[&str]) -> Relay {
    let mut args = vec!["--max-frame", "1048576"];
    args.extend_from_slice(flags);
    let (process, bound) = spawn_relay_at(data, addr, &args);
    Relay {
        process,
        addr: bound,
        store: Store::open_dir(data).unwrap(),
    }
}

/// A school's device, enrolled the way a real one is: an invitation redeemed for a credential.
struct Enrolled {
    school: SchoolId,
    device: DeviceId,
    token: String,
}

impl Relay {
    fn store(&self) -> &Store {
        &self.store
    }

    /// A new school and its curator's device.
    async fn new_school(&self, name: &str) -> Enrolled {
        let (_, invitation) = self.store().create_school(name).await.unwrap();
        let joined = self
            .store()
            .redeem(&invitation.code, "планшет куратора")
            .await
            .unwrap();
        Enrolled {
            school: joined.school.id,
            device: joined.device.id,
            token: joined.token,
        }
    }

    /// Another (staff) device of the same school.
    async fn another_device(&self, of: &Enrolled) -> Enrolled {
        let invitation = self
            .store()
            .invite(&of.school, Role::Staff, Some(&of.device))
            .await
            .unwrap();
        let joined = self
            .store()
            .redeem(&invitation.code, "планшет наставника")
            .await
            .unwrap();
        Enrolled {
            school: joined.school.id,
            device: joined.device.id,
            token: joined.token,
        }
    }

    fn url(&self, token: &str) -> String {
        format!("ws://{}/sync?token={token}", self.addr)
    }

    fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn stop(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn raw_socket(relay: &Relay, token: &str) -> Socket {
    tokio_tungstenite::connect_async(relay.url(token))
        .await
        .unwrap()
        .0
}

/// Next binary frame, decoded; `None` once the relay closed the connection.
async fn next_message(ws: &mut Socket) -> Option<Message> {
    loop {
        match tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("the relay went silent")
        {
            Some(Ok(Ws::Binary(b))) => {
                return Some(wire::decode(&b, wire::DEFAULT_MAX_FRAME).unwrap());
            }
            Some(Ok(Ws::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

struct Device {
    client: Client,
    docs: BTreeMap<DocumentId, Automerge>,
    ws: Socket,
    events: Vec<ClientEvent>,
    /// Every frame the relay sent this device, as bytes.
    received: Vec<Vec<u8>>,
    /// Every frame this device sent.
    sent: Vec<Vec<u8>>,
}

impl Device {
    async fn connect(relay: &Relay, name: &str, who: &Enrolled) -> Device {
        let mut ws = raw_socket(relay, &who.token).await;
        let mut client = Client::new(PeerId::new(name));
        ws.send(Ws::Binary(client.join().encode().into()))
            .await
            .unwrap();
        let mut docs = BTreeMap::new();
        let peer = next_message(&mut ws).await.expect("no handshake");
        let events = client.receive(peer, &mut docs).unwrap();
        assert!(matches!(events[..], [ClientEvent::Connected { .. }]));
        Device {
            client,
            docs,
            ws,
            events: vec![],
            received: vec![],
            sent: vec![],
        }
    }

    async fn send_raw(&mut self, frame: Vec<u8>) {
        self.ws.send(Ws::Binary(frame.into())).await.unwrap();
    }

    /// Whether any frame from the relay contained `needle`.
    fn ever_received(&self, needle: &str) -> bool {
        self.received
            .iter()
            .any(|f| f.windows(needle.len()).any(|w| w == needle.as_bytes()))
    }

    fn put(&mut self, doc: DocumentId, key: &str, value: &str) {
        let d = self.docs.entry(doc).or_insert_with(sync_core::new_document);
        let mut tx = d.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
    }

    fn get(&self, doc: DocumentId, key: &str) -> Option<String> {
        let (v, _) = self.docs.get(&doc)?.get(ROOT, key).ok()??;
        v.into_string().ok()
    }

    async fn flush(&mut self) {
        for msg in self.client.poll_all(&self.docs) {
            let frame = msg.encode();
            self.sent.push(frame.clone());
            self.ws.send(Ws::Binary(frame.into())).await.unwrap();
        }
    }

    /// Opens the documents in `pending` as the client's pacing allows (a new tablet's first
    /// sync): polls only documents not yet opened, so a thousand documents cost a thousand polls.
    async fn open_paced(&mut self, pending: &mut std::collections::VecDeque<DocumentId>) {
        while let Some(id) = pending.front().copied() {
            let Some(msg) = self.client.poll(&id, &self.docs[&id]) else {
                break;
            };
            pending.pop_front();
            self.ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
        }
    }

    /// Receives until every document in `ids` has content, opening them as the pacing allows.
    async fn first_sync(&mut self, ids: &[DocumentId]) {
        let mut pending: std::collections::VecDeque<DocumentId> = ids.iter().copied().collect();
        let mut missing: std::collections::BTreeSet<DocumentId> = ids.iter().copied().collect();
        self.open_paced(&mut pending).await;
        while !missing.is_empty() {
            let msg = self
                .next()
                .await
                .expect("the relay keeps the connection open");
            if let Message::Error { message } = &msg {
                panic!("refused: {message}");
            }
            for event in self.client.receive(msg, &mut self.docs).unwrap() {
                if let ClientEvent::Changed(id) = event {
                    missing.remove(&id);
                }
            }
            self.open_paced(&mut pending).await;
        }
    }

    /// The next frame from the relay, decoded and recorded.
    async fn next(&mut self) -> Option<Message> {
        loop {
            match tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the relay went silent")
            {
                Some(Ok(Ws::Binary(b))) => {
                    self.received.push(b.to_vec());
                    return Some(wire::decode(&b, wire::DEFAULT_MAX_FRAME).unwrap());
                }
                Some(Ok(Ws::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Exchanges frames until `done` holds, answering every frame as a device would.
    async fn sync_until(&mut self, done: impl Fn(&Device) -> bool) {
        self.flush().await;
        while !done(self) {
            let msg = self.next().await.expect("the relay closed the connection");
            let events = self.client.receive(msg, &mut self.docs).unwrap();
            self.events.extend(events);
            self.flush().await;
        }
    }

    fn synced(&self, doc: DocumentId) -> bool {
        self.docs
            .get(&doc)
            .is_some_and(|d| self.client.is_synced(&doc, d))
    }
}

#[tokio::test]
async fn two_devices_converge_through_the_relay() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let doc = DocumentId::random();
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    a.put(doc, "title", "Служба учебной помощи");
    a.sync_until(|d| d.synced(doc)).await;

    let mut b = Device::connect(&relay, "b", &mentor).await;
    b.docs.insert(doc, sync_core::new_document());
    b.sync_until(|d| d.get(doc, "title").is_some()).await;
    assert_eq!(
        b.get(doc, "title").as_deref(),
        Some("Служба учебной помощи")
    );

    // Concurrent edits: each reaches the other through the relay.
    a.put(doc, "from_a", "1");
    b.put(doc, "from_b", "2");
    a.flush().await;
    b.sync_until(|d| d.get(doc, "from_a").is_some() && d.synced(doc))
        .await;
    a.sync_until(|d| d.get(doc, "from_b").is_some() && d.synced(doc))
        .await;
    assert_eq!(a.docs[&doc].get_heads(), b.docs[&doc].get_heads());
    relay.stop().await;
}

#[tokio::test]
async fn what_the_relay_confirmed_survives_its_restart() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let addr = relay.addr.to_string();
    let doc = DocumentId::random();
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    for i in 0..40 {
        a.put(doc, &format!("k{i}"), "значение");
    }
    a.sync_until(|d| d.synced(doc)).await;
    relay.stop().await;

    let relay = start_relay(data.path(), &addr).await;
    let mut b = Device::connect(&relay, "b", &mentor).await;
    b.docs.insert(doc, sync_core::new_document());
    b.sync_until(|d| d.synced(doc)).await;
    assert_eq!(b.docs[&doc].get_heads(), a.docs[&doc].get_heads());
    assert_eq!(b.get(doc, "k39").as_deref(), Some("значение"));
    relay.stop().await;
}

#[tokio::test]
async fn an_unknown_document_is_unavailable_and_nothing_is_announced() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let secret = DocumentId::random();
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    let mut b = Device::connect(&relay, "b", &mentor).await;
    a.put(secret, "pd", "персональные данные");
    a.sync_until(|d| d.synced(secret)).await;

    // B asks for something else; the very next frame it gets is the answer to that,
    // with no word of A's document before it.
    let other = DocumentId::random();
    b.docs.insert(other, sync_core::new_document());
    b.sync_until(|d| !d.events.is_empty()).await;
    assert_eq!(b.events, vec![ClientEvent::Unavailable(other)]);
    assert!(!b.docs.contains_key(&secret));
    relay.stop().await;
}

/// A connection with this credential gets the protocol's `error` and is closed.
async fn assert_refused(relay: &Relay, token: &str) {
    let mut ws = raw_socket(relay, token).await;
    assert!(
        matches!(next_message(&mut ws).await, Some(Message::Error { .. })),
        "{token:?} was not refused"
    );
    assert_eq!(
        next_message(&mut ws).await,
        None,
        "{token:?}: the connection is closed"
    );
}

/// Sends one raw frame on a fresh, joined connection and returns what the relay answers.
async fn answer_to(
    relay: &Relay,
    who: &Enrolled,
    frame: Ws,
    join_first: bool,
) -> (Option<Message>, Option<Message>) {
    let mut ws = raw_socket(relay, &who.token).await;
    if join_first {
        let join = Client::new(PeerId::new("x")).join().encode();
        ws.send(Ws::Binary(join.into())).await.unwrap();
        assert!(matches!(
            next_message(&mut ws).await,
            Some(Message::Peer { .. })
        ));
    }
    ws.send(frame).await.unwrap();
    let first = next_message(&mut ws).await;
    let second = next_message(&mut ws).await;
    (first, second)
}

fn sync_frame(doc: DocumentId, data: Vec<u8>) -> Ws {
    let msg = Message::Sync(SyncData {
        sender_id: PeerId::new("x"),
        target_id: PeerId::new("relay"),
        document_id: doc,
        data,
    });
    Ws::Binary(msg.encode().into())
}

#[tokio::test]
async fn bad_input_gets_an_error_message_and_a_closed_connection() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let unknown_type = {
        use ciborium::value::Value;
        let mut out = Vec::new();
        let v = Value::Map(vec![(
            Value::Text("type".into()),
            Value::Text("teleport".into()),
        )]);
        ciborium::ser::into_writer(&v, &mut out).unwrap();
        out
    };
    let cases: Vec<(&str, Ws, bool)> = vec![
        ("garbage", Ws::Binary(vec![0xff, 0x13, 0x37].into()), true),
        ("a text frame", Ws::Text("привет".into()), true),
        ("an unknown type", Ws::Binary(unknown_type.into()), true),
        (
            "sync before join",
            sync_frame(DocumentId::random(), vec![]),
            false,
        ),
        (
            "a second join",
            Ws::Binary(Client::new(PeerId::new("y")).join().encode().into()),
            true,
        ),
        (
            "an oversized frame",
            Ws::Binary(vec![0u8; (1 << 20) + 1].into()),
            true,
        ),
    ];
    let curator = relay.new_school("Школа №1").await;
    for (what, frame, join_first) in cases {
        let (first, second) = answer_to(&relay, &curator, frame, join_first).await;
        if what == "an oversized frame" {
            // The WebSocket layer refuses it before any decoding: the connection just closes.
            assert!(
                matches!(first, None | Some(Message::Error { .. })),
                "{what}: {first:?}"
            );
        } else {
            assert!(
                matches!(first, Some(Message::Error { .. })),
                "{what}: {first:?}"
            );
        }
        assert_eq!(second, None, "{what}: the connection is closed");
    }
    // The relay is still there for everyone else.
    let mut a = Device::connect(&relay, "a", &curator).await;
    let doc = DocumentId::random();
    a.put(doc, "k", "v");
    a.sync_until(|d| d.synced(doc)).await;
    relay.stop().await;
}

#[tokio::test]
async fn corrupt_sync_data_writes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let doc = DocumentId::random();
    let curator = relay.new_school("Школа №1").await;
    // A well-formed frame whose automerge payload is garbage.
    let (first, second) = answer_to(
        &relay,
        &curator,
        sync_frame(doc, vec![0x42, 0x01, 0x02, 0x03]),
        true,
    )
    .await;
    assert!(
        matches!(first, Some(Message::Error { ref message }) if message.contains(&doc.to_string())),
        "{first:?}"
    );
    assert_eq!(second, None);
    let store = Store::open_dir(data.path()).unwrap();
    assert!(
        !store.exists(&curator.school, doc).await.unwrap(),
        "nothing of the bad message was stored"
    );

    let mut b = Device::connect(&relay, "b", &curator).await;
    b.docs.insert(doc, sync_core::new_document());
    b.sync_until(|d| !d.events.is_empty()).await;
    assert_eq!(b.events, vec![ClientEvent::Unavailable(doc)]);
    relay.stop().await;
}

#[tokio::test]
async fn the_app_shell_is_revalidated_and_hashed_assets_are_immutable() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    let data = tempfile::tempdir().unwrap();
    let dist = data.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Наставник</title>",
    )
    .unwrap();
    std::fs::write(
        dist.join("app-0123456789abcdef_bg.wasm"),
        b"\0asm".repeat(1024),
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "// sw").unwrap();
    let state = AppState::new(
        Store::open_dir(data.path()).unwrap(),
        Config::new(dist.clone()),
    );
    let get = |path: &'static str| {
        let router = app(state.clone());
        async move {
            router
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap()
        }
    };
    let cache = |r: &axum::response::Response| {
        r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .to_owned()
    };

    let index = get("/").await;
    assert_eq!(
        (index.status(), cache(&index).as_str()),
        (StatusCode::OK, "no-cache")
    );
    let wasm = get("/app-0123456789abcdef_bg.wasm").await;
    assert_eq!(cache(&wasm), "public, max-age=31536000, immutable");
    // A revalidation answered "not modified" keeps it immutable.
    let modified = wasm.headers()[header::LAST_MODIFIED].clone();
    let again = app(state.clone())
        .oneshot(
            Request::get("/app-0123456789abcdef_bg.wasm")
                .header(header::IF_MODIFIED_SINCE, modified)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        (again.status(), cache(&again).as_str()),
        (
            StatusCode::NOT_MODIFIED,
            "public, max-age=31536000, immutable"
        )
    );
    assert_eq!(cache(&get("/sw.js").await), "no-cache");
    // A client-side route gets the shell.
    let route = get("/programmes/abc").await;
    assert_eq!(route.status(), StatusCode::OK);
    let body = http_body_util::BodyExt::collect(route.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("Наставник"));
    // A person's page (a record id ends in 12 hex digits) gets the shell, which is never
    // cached as immutable: a tablet would otherwise start that route from an old build's shell
    // long after a deploy.
    let person = get("/people/6f1c2b3a-1d2e-4f50-9a8b-0c1d2e3f4a5b").await;
    assert_eq!(
        (person.status(), cache(&person).as_str()),
        (StatusCode::OK, "no-cache")
    );
    // A file the build does not have (an older build's code after a deploy) is missing, not
    // the shell under its name, which a cache would keep as that file.
    let gone = get("/app-fedcba9876543210_bg.wasm").await;
    assert_eq!(
        (gone.status(), cache(&gone).as_str()),
        (StatusCode::NOT_FOUND, "no-cache")
    );
    assert_eq!(
        get("/icons/missing.png").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(get("/healthz").await.status(), StatusCode::OK);

    // Assets travel compressed when the browser accepts it.
    let request =
        Request::get("/app-0123456789abcdef_bg.wasm").header(header::ACCEPT_ENCODING, "br, gzip");
    let response = app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(cache(&response), "public, max-age=31536000, immutable");

    // An asset the build compressed at the best level is sent as that file, not recompressed.
    let precompressed = b"brotli-11 bytes of the worker".to_vec();
    std::fs::write(dist.join("export-worker_bg.wasm"), b"\0asm".repeat(1024)).unwrap();
    std::fs::write(dist.join("export-worker_bg.wasm.br"), &precompressed).unwrap();
    std::fs::write(dist.join("export-worker_bg.wasm.gz"), b"gzip-9 bytes").unwrap();
    for (accept, encoding, body) in [
        ("br, gzip", "br", precompressed.as_slice()),
        ("gzip", "gzip", b"gzip-9 bytes".as_slice()),
    ] {
        let request =
            Request::get("/export-worker_bg.wasm").header(header::ACCEPT_ENCODING, accept);
        let response = app(state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], encoding);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");
        let sent = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(&sent[..], body);
    }
    // A browser that accepts neither gets the file itself.
    let plain = get("/export-worker_bg.wasm").await;
    assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn a_request_that_came_too_early_is_answered_when_the_document_arrives() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let doc = DocumentId::random();
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let mut b = Device::connect(&relay, "b", &mentor).await;
    b.docs.insert(doc, sync_core::new_document());
    b.sync_until(|d| !d.events.is_empty()).await;
    assert_eq!(b.events, vec![ClientEvent::Unavailable(doc)]);

    // A brings the document; B never asks again, yet receives it.
    let mut a = Device::connect(&relay, "a", &curator).await;
    a.put(doc, "title", "Школа наставников");
    a.sync_until(|d| d.synced(doc)).await;
    b.sync_until(|d| d.get(doc, "title").is_some()).await;
    assert_eq!(b.get(doc, "title").as_deref(), Some("Школа наставников"));
    relay.stop().await;
}

#[tokio::test]
async fn a_missing_bad_or_revoked_credential_gets_an_error_and_a_closed_connection() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let curator = relay.new_school("Школа №1").await;
    let stolen = relay.another_device(&curator).await;
    let forged = format!("{}.{}", stolen.device, "0".repeat(64));
    relay
        .store()
        .revoke(&curator.school, &stolen.device)
        .await
        .unwrap();
    for token in ["", "nonsense", forged.as_str(), stolen.token.as_str()] {
        assert_refused(&relay, token).await;
    }
}

#[tokio::test]
async fn a_device_revoked_by_the_curator_is_cut_off_at_once() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let doc = DocumentId::random();
    let mut m = Device::connect(&relay, "m", &mentor).await;
    m.put(doc, "k", "v");
    m.sync_until(|d| d.synced(doc)).await;

    // Only the curator may revoke, through the API the app uses.
    let http = reqwest::Client::new();
    let revoke = |token: &str| {
        http.post(relay.http(&format!("/api/devices/{}/revoke", mentor.device)))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(revoke(&mentor.token).await.unwrap().status(), 403);
    assert_eq!(revoke(&curator.token).await.unwrap().status(), 204);

    assert!(matches!(m.next().await, Some(Message::Error { .. })));
    assert_eq!(
        m.next().await,
        None,
        "the revoked device's connection is closed"
    );
    assert_refused(&relay, &mentor.token).await;
}

/// A device of school A tries every way it has to read or touch school B's document.
#[tokio::test]
async fn a_device_of_another_school_learns_nothing_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let school_a = relay.new_school("Школа А").await;
    let school_b = relay.new_school("Школа Б").await;
    let b_doc = DocumentId::random();
    let mut b = Device::connect(&relay, "b", &school_b).await;
    b.put(b_doc, "child", "СЕКРЕТ-1 Иванова Мария, 7 класс");
    b.sync_until(|d| d.synced(b_doc)).await;

    let mut a = Device::connect(&relay, "a", &school_a).await;
    // 1. Ask for B's document by its id, and for guessed ids.
    a.docs.insert(b_doc, sync_core::new_document());
    for _ in 0..5 {
        a.docs
            .insert(DocumentId::random(), sync_core::new_document());
    }
    a.sync_until(|d| d.events.len() == 6).await;
    assert!(
        a.events
            .iter()
            .all(|e| matches!(e, ClientEvent::Unavailable(_))),
        "{:?}",
        a.events
    );
    // 2. Send `sync` for B's id, as if holding it: that is a different document, A's own.
    a.client.retry_unavailable();
    a.put(b_doc, "from_a", "подмена");
    a.sync_until(|d| d.synced(b_doc)).await;
    assert_eq!(a.get(b_doc, "child"), None);
    // 3. Replay every frame B sent, on A's connection.
    for frame in b.sent.clone() {
        a.send_raw(frame).await;
    }
    // B keeps working; A must see none of it, and B none of A's.
    b.put(b_doc, "child2", "СЕКРЕТ-2 Петров Иван, 8 класс");
    b.sync_until(|d| d.synced(b_doc)).await;
    a.put(b_doc, "probe", "ещё");
    a.sync_until(|d| d.synced(b_doc)).await;
    assert!(!a.ever_received("СЕКРЕТ-2"), "A received B's later data");
    assert!(
        !a.received
            .iter()
            .take(7)
            .any(|f| f.windows(12).any(|w| w == "СЕКРЕТ".as_bytes())),
        "A's answers before the replay held nothing of B's"
    );
    assert_eq!(b.get(b_doc, "from_a"), None);
    let stored_b = relay.store().load(&school_b.school, b_doc).await.unwrap();
    let (stored_b, _) = sync_core::chunks::load(stored_b).unwrap();
    assert!(
        stored_b.get(ROOT, "from_a").unwrap().is_none(),
        "A changed nothing of B's"
    );
    assert!(stored_b.get(ROOT, "probe").unwrap().is_none());
    // 4. B's credential is revoked; replaying it gets nothing either.
    relay
        .store()
        .revoke(&school_b.school, &school_b.device)
        .await
        .unwrap();
    assert_refused(&relay, &school_b.token).await;
}

#[tokio::test]
async fn a_school_cannot_exceed_its_document_cap_and_the_refusal_keeps_the_connection() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &["--max-documents-per-school", "2"],
    )
    .await;
    let curator = relay.new_school("Школа №1").await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    for _ in 0..2 {
        let doc = DocumentId::random();
        a.put(doc, "k", "v");
        a.sync_until(|d| d.synced(doc)).await;
    }
    let third = DocumentId::random();
    a.put(third, "k", "v");
    a.flush().await;
    // The one document over the cap is refused; the connection and the school's other
    // documents go on (the relay reads a connection's messages in order, so once the later
    // change is confirmed the refused one was handled).
    let first = *a.docs.keys().find(|d| **d != third).unwrap();
    a.put(first, "after", "the refusal");
    a.sync_until(|d| d.synced(first)).await;
    assert!(
        !a.ever_received("documents"),
        "no error closed the connection"
    );
    assert!(!relay.store().exists(&curator.school, third).await.unwrap());
}

#[tokio::test]
async fn a_connection_that_floods_the_relay_is_slowed_to_its_budget_and_others_are_served() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &["--max-messages-per-second", "20"],
    )
    .await;
    let curator = relay.new_school("Школа №1").await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    let started = std::time::Instant::now();
    let flood = 100;
    for _ in 0..flood {
        // An empty request for a random document: cheap, valid, and answered.
        let frame = Message::Request(SyncData {
            sender_id: PeerId::new("a"),
            target_id: PeerId::new("relay"),
            document_id: DocumentId::random(),
            data: automerge::sync::Message::decode(&empty_sync_message())
                .unwrap()
                .encode(),
        });
        a.ws.send(Ws::Binary(frame.encode().into())).await.unwrap();
    }
    // Meanwhile another device of the school is served as usual.
    let mut b = Device::connect(&relay, "b", &curator).await;
    let doc = DocumentId::random();
    b.put(doc, "k", "v");
    b.sync_until(|d| d.synced(doc)).await;
    // Every request is answered, none refused, the connection stays open...
    let mut answered = 0;
    while answered < flood {
        match a.next().await {
            Some(Message::DocUnavailable { .. }) => answered += 1,
            Some(Message::Error { message }) => panic!("closed: {message}"),
            None => panic!("closed"),
            Some(_) => {}
        }
    }
    // ...at the budget's pace: 40 at once (the burst), the other 60 at 20 a second. A token
    // bucket cannot be faster than this; it is a bound of the rule, not a performance figure.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(2_500),
        "{:?}",
        started.elapsed()
    );
}

/// A new tablet of a school with a thousand people asks for all their documents at once, at
/// the default limits: it gets every one (paced, not cut off).
#[tokio::test]
async fn a_connection_requesting_a_thousand_documents_gets_all_of_them() {
    let data = tempfile::tempdir().unwrap();
    let curator = {
        let store = Store::open_dir(data.path()).unwrap();
        let (_, invitation) = store.create_school("Школа №1").await.unwrap();
        store.redeem(&invitation.code, "куратор").await.unwrap()
    };
    // The school's thousand documents, written the way the relay writes them.
    let ids = write_documents(data.path(), &curator, 1000).await;
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let who = Enrolled {
        school: curator.school.id.clone(),
        device: curator.device.id.clone(),
        token: curator.token.clone(),
    };
    let mut tablet = Device::connect(&relay, "new-tablet", &who).await;
    for id in &ids {
        tablet.docs.insert(*id, sync_core::new_document());
    }
    tablet.first_sync(&ids).await;
}

fn empty_sync_message() -> Vec<u8> {
    use automerge::sync::SyncDoc;
    let doc = sync_core::new_document();
    doc.generate_sync_message(&mut automerge::sync::State::new())
        .unwrap()
        .encode()
}

#[tokio::test]
async fn metrics_count_connections_bytes_documents_and_sync_latency() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &["--metrics-listen", "127.0.0.1:0"],
    )
    .await;
    let curator = relay.new_school("Школа №1").await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    let doc = DocumentId::random();
    a.put(doc, "k", "v");
    a.sync_until(|d| d.synced(doc)).await;
    assert_refused(&relay, "bad").await;

    // Not on the public listener: there `/metrics` is only the app's shell route.
    let public = reqwest::get(relay.http("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !public.contains("nastavnik_"),
        "metrics leak publicly: {public}"
    );
    let text = reqwest::get(relay.process.metrics_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(value("nastavnik_connections"), 1.0);
    assert_eq!(value("nastavnik_documents_stored"), 1.0);
    assert_eq!(value("nastavnik_documents_loaded"), 1.0);
    assert!(value("nastavnik_bytes_received_total") > 0.0);
    assert!(value("nastavnik_bytes_sent_total") > 0.0);
    assert!(value("nastavnik_sync_seconds_count") >= 1.0);
    assert_eq!(value("nastavnik_refused_connections_total"), 1.0);
}

#[tokio::test]
async fn a_connection_cannot_follow_endless_unknown_documents() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &["--max-documents-per-school", "3"],
    )
    .await;
    let curator = relay.new_school("Школа №1").await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    for _ in 0..4 {
        a.docs
            .insert(DocumentId::random(), sync_core::new_document());
    }
    a.flush().await;
    // Three are followed (and unavailable); the fourth is ignored, the connection goes on.
    let mut unavailable = Vec::new();
    while unavailable.len() < 3 {
        match a.next().await {
            Some(Message::DocUnavailable { document_id, .. }) => unavailable.push(document_id),
            Some(Message::Error { message }) => panic!("closed: {message}"),
            None => panic!("closed"),
            Some(_) => {}
        }
    }
    let followed = unavailable[0];
    a.put(followed, "k", "v");
    a.sync_until(|d| d.synced(followed)).await;
    assert!(!a.ever_received("at most"), "no error");
    assert!(
        !a.received
            .iter()
            .filter_map(|f| wire::decode(f, usize::MAX).ok())
            .any(|m| matches!(&m, Message::DocUnavailable { document_id, .. }
                if !unavailable.contains(document_id))),
        "the fourth document got no answer"
    );
}

/// Erasing a person's personal data: gone from the relay's store (its database file included),
/// and a device that still holds a copy cannot bring it back.
#[tokio::test]
async fn an_erased_document_is_gone_and_never_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let curator = relay.new_school("Школа №1").await;
    let mentor = relay.another_device(&curator).await;
    let person = DocumentId::random();
    const MARKER: &str = "Erasable-Marker-7f3a";
    let mut a = Device::connect(&relay, "a", &curator).await;
    a.put(person, "last_name", MARKER);
    a.sync_until(|d| d.synced(person)).await;
    let mut b = Device::connect(&relay, "b", &mentor).await;
    b.docs.insert(person, sync_core::new_document());
    b.sync_until(|d| d.get(person, "last_name").is_some()).await;

    let http = reqwest::Client::new();
    let erase = |token: &str, id: String| {
        http.post(relay.http(&format!("/api/documents/{id}/erase")))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        erase(&mentor.token, person.to_string())
            .await
            .unwrap()
            .status(),
        403,
        "curator only"
    );
    assert_eq!(
        erase(&curator.token, "nonsense".into())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        erase(&curator.token, person.to_string())
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(
        relay
            .store()
            .load(&curator.school, person)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        relay
            .store()
            .is_erased(&curator.school, person)
            .await
            .unwrap()
    );
    for file in ["relay.sqlite3", "relay.sqlite3-wal"] {
        let bytes = std::fs::read(data.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()),
            "{file} still holds the erased data"
        );
    }

    // B was offline with its copy and edits it: the relay refuses to take it in again.
    b.put(person, "note", "правка после удаления");
    b.flush().await;
    let reply = b.next().await.expect("an answer");
    assert!(
        matches!(reply, Message::DocUnavailable { document_id, .. } if document_id == person),
        "{reply:?}"
    );
    assert!(
        relay
            .store()
            .load(&curator.school, person)
            .await
            .unwrap()
            .is_empty()
    );

    // A new device asking for it learns nothing.
    let mut c = Device::connect(&relay, "c", &relay.another_device(&curator).await).await;
    c.docs.insert(person, sync_core::new_document());
    c.sync_until(|d| !d.events.is_empty()).await;
    assert_eq!(c.events, vec![ClientEvent::Unavailable(person)]);
    assert!(!c.ever_received(MARKER));
    relay.stop().await;
}

/// Writes `n` one-key documents of `who`'s school straight into the relay's database.
async fn write_documents(
    data: &Path,
    who: &sync_server::accounts::Joined,
    n: usize,
) -> Vec<DocumentId> {
    let store = Store::open_dir(data).unwrap();
    let ids: Vec<DocumentId> = (0..n).map(|_| DocumentId::random()).collect();
    let mut writes = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let (store, who) = (store.clone(), who.clone());
        writes.push(tokio::spawn(async move {
            let mut doc = sync_core::new_document();
            let mut tx = doc.transaction();
            tx.put(ROOT, "n", i as i64).unwrap();
            tx.commit();
            let pending = sync_core::chunks::SaveState::default()
                .pending(&doc)
                .unwrap();
            store
                .save(
                    &who.school.id,
                    &who.device.id,
                    id,
                    &pending,
                    &[],
                    &sync_server::store::Quota {
                        max_device_documents_per_day: u64::MAX,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        }));
    }
    for w in writes {
        w.await.unwrap();
    }
    ids
}

/// Documents unloaded to keep the relay within its memory budget are still followed: a change
/// to any of them reaches every device following it.
#[tokio::test]
async fn followers_of_unloaded_documents_still_get_every_change() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &["--max-documents-in-memory", "2"],
    )
    .await;
    let curator = relay.new_school("Школа №1").await;
    let mut a = Device::connect(&relay, "a", &curator).await;
    let mut b = Device::connect(&relay, "b", &curator).await;
    let ids: Vec<DocumentId> = (0..6).map(|_| DocumentId::random()).collect();
    for id in &ids {
        a.put(*id, "from", "a");
    }
    a.sync_until(|d| ids.iter().all(|id| d.synced(*id))).await;
    for id in &ids {
        b.docs.insert(*id, sync_core::new_document());
    }
    b.sync_until(|d| ids.iter().all(|id| d.get(*id, "from").is_some()))
        .await;
    // Six followed documents, two in memory: every change still reaches B.
    for round in 0..2 {
        for id in &ids {
            a.put(*id, "round", &round.to_string());
        }
        a.sync_until(|d| ids.iter().all(|id| d.synced(*id))).await;
        let expected = round.to_string();
        b.sync_until(|d| {
            ids.iter()
                .all(|id| d.get(*id, "round").as_deref() == Some(expected.as_str()))
        })
        .await;
    }
}

/// A device following ten thousand documents does not make the relay hold them all in memory,
/// and what the relay used for them is given back when the device leaves.
#[tokio::test]
async fn memory_stays_bounded_while_following_ten_thousand_documents_and_returns_after() {
    let data = tempfile::tempdir().unwrap();
    let joined = {
        let store = Store::open_dir(data.path()).unwrap();
        let (_, invitation) = store.create_school("Школа №1").await.unwrap();
        store.redeem(&invitation.code, "куратор").await.unwrap()
    };
    let ids = write_documents(data.path(), &joined, 10_000).await;
    let relay = start_relay_with(
        data.path(),
        "127.0.0.1:0",
        &[
            "--max-messages-per-second",
            "1000000",
            "--max-documents-in-memory",
            "500",
            "--metrics-listen",
            "127.0.0.1:0",
        ],
    )
    .await;
    // Resident memory as `/proc` counts it: `VmRSS` in all, `RssAnon` the heap and stacks (what
    // documents cost), the rest mapped files (the binary's code, paged in as it runs).
    let status = |relay: &Relay, field: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", relay.process.id()))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap()
            * 1024
    };
    let rss = |relay: &Relay| status(relay, "VmRSS:");
    let heap = |relay: &Relay| status(relay, "RssAnon:");
    let (idle, idle_heap) = (rss(&relay), heap(&relay));
    let who = Enrolled {
        school: joined.school.id.clone(),
        device: joined.device.id.clone(),
        token: joined.token.clone(),
    };
    let mut tablet = Device::connect(&relay, "tablet", &who).await;
    for id in &ids {
        tablet.docs.insert(*id, sync_core::new_document());
    }
    tablet.first_sync(&ids).await;
    let (following, following_heap) = (rss(&relay), heap(&relay));
    drop(tablet);
    // The relay notices the closed socket at once; wait for its connection count to drop.
    let metrics = relay.process.metrics_url().to_owned();
    loop {
        let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
        if text
            .lines()
            .any(|l| l == "nastavnik_documents_loaded 0" || l == "nastavnik_connections 0")
            && text.lines().any(|l| l == "nastavnik_connections 0")
        {
            break;
        }
        tokio::task::yield_now().await;
    }
    // The allocator may give freed pages back after a decay time: watch the heap fall, for at
    // most half a minute. (Memory has no event to await; this polls.)
    let released = std::time::Instant::now();
    let mut after_heap = heap(&relay);
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(250));
    while after_heap >= idle_heap + 8 * 1024 * 1024 && released.elapsed().as_secs() < 30 {
        ticks.tick().await;
        after_heap = heap(&relay);
    }
    let after = rss(&relay);
    println!(
        "relay RSS (heap): idle {} MB ({} MB), following 10,000 documents {} MB ({} MB), \
         {:.1} s after the device left {} MB ({} MB)",
        idle >> 20,
        idle_heap >> 20,
        following >> 20,
        following_heap >> 20,
        released.elapsed().as_secs_f64(),
        after >> 20,
        after_heap >> 20,
    );
    assert!(
        following < idle + 150 * 1024 * 1024,
        "following: {following} vs idle {idle}"
    );
    // What following cost is given back: the heap returns to within 8 MB of idle.
    assert!(
        after_heap < idle_heap + 8 * 1024 * 1024,
        "heap after: {after_heap} vs idle {idle_heap}"
    );
}

/// A device learns that the relay is still there by a heartbeat the relay answers, in turn with
/// whatever it queued before: the browser sees no WebSocket pings. Before `join` it is refused
/// like any other message.
#[tokio::test]
async fn a_heartbeat_is_answered_by_the_relay() {
    let data = tempfile::tempdir().unwrap();
    let relay = start_relay(data.path(), "127.0.0.1:0").await;
    let curator = relay.new_school("Школа №1").await;
    let tablet = PeerId::new("tablet");
    let heartbeat = Message::Heartbeat {
        sender_id: tablet.clone(),
    };

    let mut early = raw_socket(&relay, &curator.token).await;
    early
        .send(Ws::Binary(heartbeat.encode().into()))
        .await
        .unwrap();
    assert!(
        matches!(next_message(&mut early).await, Some(Message::Error { .. })),
        "a heartbeat before `join` is refused"
    );

    let mut ws = raw_socket(&relay, &curator.token).await;
    let client = Client::new(tablet);
    ws.send(Ws::Binary(client.join().encode().into()))
        .await
        .unwrap();
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Peer { .. })
    ));
    for _ in 0..3 {
        ws.send(Ws::Binary(heartbeat.encode().into()))
            .await
            .unwrap();
        match next_message(&mut ws).await {
            Some(Message::Heartbeat { sender_id }) => assert_ne!(sender_id.as_str(), "tablet"),
            other => panic!("expected the relay's heartbeat, got {other:?}"),
        }
    }
    relay.stop().await;
}
