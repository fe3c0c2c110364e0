//! A hostile device inside a school, or an anonymous client, against the relay binary over real
//! sockets: each attack of the adversarial review, and what must hold afterwards.

use std::path::Path;
use std::time::Duration;

use automerge::transaction::Transactable;
use futures_util::{SinkExt, StreamExt};
use sync_core::client::Client;
use sync_core::wire::{self, Message, SyncData};
use sync_core::{DocumentId, PeerId};
use sync_server::Store;
use sync_server::accounts::{Role, SchoolId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message as Ws;

mod common;
use common::{PATIENCE, RelayProcess, Socket, spawn_relay_with};

struct Relay {
    process: RelayProcess,
    addr: String,
    store: Store,
}

struct Enrolled {
    school: SchoolId,
    device: sync_server::accounts::DeviceId,
    token: String,
}

async fn start(data: &Path, flags: &[&str]) -> Relay {
    let (process, addr) = spawn_relay_with(data, flags);
    Relay {
        process,
        addr,
        store: Store::open_dir(data).unwrap(),
    }
}

impl Relay {
    async fn school(&self) -> Enrolled {
        let (_, invitation) = self.store.create_school("Школа").await.unwrap();
        let joined = self
            .store
            .redeem(&invitation.code, "куратор")
            .await
            .unwrap();
        Enrolled {
            school: joined.school.id,
            device: joined.device.id,
            token: joined.token,
        }
    }

    async fn staff(&self, of: &Enrolled) -> Enrolled {
        let invitation = self
            .store
            .invite(&of.school, Role::Staff, Some(&of.device))
            .await
            .unwrap();
        let joined = self
            .store
            .redeem(&invitation.code, "наставник")
            .await
            .unwrap();
        Enrolled {
            school: joined.school.id,
            device: joined.device.id,
            token: joined.token,
        }
    }

    async fn socket(&self, token: &str) -> Socket {
        tokio_tungstenite::connect_async(format!("ws://{}/sync?token={token}", self.addr))
            .await
            .unwrap()
            .0
    }

    /// The relay process's peak resident memory, in bytes (`VmHWM`).
    fn peak_rss(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.process.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb * 1024
    }

    /// A device of `who`'s school can still sync a document: the relay serves others.
    async fn still_serves(&self, who: &Enrolled) {
        let mut client = Client::new(PeerId::new("check"));
        let mut docs = common::Docs::new();
        let mut ws = common::connect(&self.addr, &who.token, &mut client, &mut docs).await;
        let doc = DocumentId::random();
        docs.insert(doc, doc_with("k", "v"));
        common::exchange_until_synced(&mut ws, &mut client, &mut docs, doc).await;
    }
}

/// A new document holding one key.
fn doc_with(key: &str, value: &str) -> automerge::Automerge {
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, key, value).unwrap();
    tx.commit();
    doc
}

/// Next decoded message, or `None` once the relay closed the connection.
async fn next_message(ws: &mut Socket) -> Option<Message> {
    loop {
        match tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("the relay went silent")
        {
            Some(Ok(Ws::Binary(b))) => return Some(wire::decode(&b, usize::MAX).unwrap()),
            Some(Ok(Ws::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// Reads until the relay's `error`, then the close; returns the error's text.
async fn refusal(ws: &mut Socket) -> String {
    loop {
        match next_message(ws).await {
            Some(Message::Error { message }) => {
                assert_eq!(next_message(ws).await, None, "closed after the error");
                return message;
            }
            Some(_) => continue,
            None => panic!("closed without an error"),
        }
    }
}

fn join_frame(sender: &str) -> Ws {
    Ws::Binary(
        Message::Join {
            sender_id: PeerId::new(sender),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: Default::default(),
        }
        .encode()
        .into(),
    )
}

#[tokio::test]
async fn revocation_closes_a_socket_that_never_joined() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let stolen = relay.staff(&curator).await;
    // Opened before the revocation, and never `join`ed.
    let mut early = relay.socket(&stolen.token).await;
    let http = reqwest::Client::new();
    let revoked = http
        .post(format!(
            "http://{}/api/devices/{}/revoke",
            relay.addr, stolen.device
        ))
        .bearer_auth(&curator.token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert!(refusal(&mut early).await.contains("отключено"));
}

#[tokio::test]
async fn a_socket_must_join_in_time_and_a_silent_one_is_closed() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(
        data.path(),
        &[
            "--join-timeout-secs",
            "1",
            "--ping-interval-secs",
            "1",
            "--idle-timeout-secs",
            "2",
        ],
    )
    .await;
    let curator = relay.school().await;
    let mut lazy = relay.socket(&curator.token).await;
    assert!(refusal(&mut lazy).await.contains("join"));

    // A raw peer that joins and then never answers the relay's pings (tungstenite answers
    // them only while it is read; a TCP socket we never read from answers nothing).
    let mut tcp = raw_websocket(&relay.addr, &curator.token).await;
    let join = Message::Join {
        sender_id: PeerId::new("mute"),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: Default::default(),
    }
    .encode();
    tcp.write_all(&common::masked_frame_declaring(&join, join.len()))
        .await
        .unwrap();
    assert!(closed_within(&mut tcp, Duration::from_secs(10)).await);
    relay.still_serves(&curator).await;
}

#[tokio::test]
async fn a_frame_sent_but_for_its_last_byte_does_not_hold_memory_forever() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(
        data.path(),
        &["--idle-timeout-secs", "2", "--ping-interval-secs", "1"],
    )
    .await;
    let curator = relay.school().await;
    let mut tcp = raw_websocket(&relay.addr, &curator.token).await;
    let payload = vec![7u8; 1024 * 1024];
    let frame = common::masked_frame_declaring(&payload, payload.len());
    tcp.write_all(&frame[..frame.len() - 1]).await.unwrap();
    assert!(
        closed_within(&mut tcp, Duration::from_secs(10)).await,
        "the unfinished frame's connection is closed"
    );
    relay.still_serves(&curator).await;
}

#[tokio::test]
async fn peer_chosen_ids_are_bounded_and_a_peer_that_never_reads_cannot_grow_the_relay() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &["--max-messages-per-second", "100000"]).await;
    let curator = relay.school().await;
    let baseline = relay.peak_rss();

    // A `join` with a 1 MiB sender id is refused outright.
    let mut ws = relay.socket(&curator.token).await;
    ws.send(join_frame(&"x".repeat(1 << 20))).await.unwrap();
    assert!(refusal(&mut ws).await.contains("longer than"));

    // The longest allowed id, and tens of thousands of requests from a peer that never reads
    // a single reply: the queue towards it is bounded.
    let long = "y".repeat(wire::MAX_ID_LEN);
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/sync?token={}",
        relay.addr, curator.token
    ))
    .await
    .unwrap();
    ws.send(join_frame(&long)).await.unwrap();
    let empty = {
        use automerge::sync::SyncDoc;
        sync_core::new_document()
            .generate_sync_message(&mut automerge::sync::State::new())
            .unwrap()
            .encode()
    };
    let (mut write, _read) = ws.split();
    let flood = async {
        for _ in 0..9000 {
            let frame = Message::Request(SyncData {
                sender_id: PeerId::new(long.clone()),
                target_id: PeerId::new("relay"),
                document_id: DocumentId::random(),
                data: empty.clone(),
            });
            if write.send(Ws::Binary(frame.encode().into())).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(60), flood).await;
    let peak = relay.peak_rss();
    println!(
        "relay peak RSS: {} MiB before, {} MiB after the flood",
        baseline >> 20,
        peak >> 20
    );
    assert!(peak < 200 << 20, "peak RSS {} MiB", peak >> 20);
    relay.still_serves(&curator).await;
}

#[tokio::test]
async fn a_deflate_bomb_is_refused_before_it_is_inflated() {
    use std::io::Read;
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;

    // A compressed change chunk of 256 MiB of zeros: about 250 KB on the wire.
    let mut compressed = Vec::new();
    flate2::read::DeflateEncoder::new(
        std::io::repeat(0).take(256 << 20),
        flate2::Compression::best(),
    )
    .read_to_end(&mut compressed)
    .unwrap();
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut len = compressed.len() as u64;
    while len >= 0x80 {
        chunk.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    chunk.push(len as u8);
    chunk.extend(&compressed);
    let message = automerge::sync::Message {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: vec![chunk].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let mut ws = relay.socket(&curator.token).await;
    ws.send(join_frame("bomber")).await.unwrap();
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Peer { .. })
    ));
    let frame = Message::Sync(SyncData {
        sender_id: PeerId::new("bomber"),
        target_id: PeerId::new("relay"),
        document_id: DocumentId::random(),
        data: message.encode(),
    });
    ws.send(Ws::Binary(frame.encode().into())).await.unwrap();
    assert!(refusal(&mut ws).await.contains("inflates"));
    let peak = relay.peak_rss();
    println!("relay peak RSS after the bomb: {} MiB", peak >> 20);
    assert!(peak < 200 << 20, "peak RSS {} MiB", peak >> 20);
    relay.still_serves(&curator).await;
}

#[tokio::test]
async fn healthz_answers_through_two_thousand_half_open_connections() {
    let _ = rlimit::Resource::NOFILE
        .get()
        .map(|(_, hard)| rlimit::Resource::NOFILE.set(hard, hard));
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &["--request-timeout-secs", "5"]).await;
    let mut held = Vec::new();
    for _ in 0..2000 {
        let mut tcp = tokio::net::TcpStream::connect(&relay.addr).await.unwrap();
        // Headers that never end.
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        held.push(tcp);
    }
    let health = tokio::time::timeout(
        PATIENCE,
        reqwest::get(format!("http://{}/healthz", relay.addr)),
    )
    .await
    .expect("healthz answers in time")
    .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    // The half-open ones are cut off after the header deadline.
    let mut first = held.swap_remove(0);
    assert!(closed_within(&mut first, Duration::from_secs(15)).await);
}

#[tokio::test]
async fn a_device_has_a_bounded_number_of_connections() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &["--max-connections-per-device", "2"]).await;
    let curator = relay.school().await;
    let mut open = vec![];
    for _ in 0..2 {
        let mut ws = relay.socket(&curator.token).await;
        ws.send(join_frame("t")).await.unwrap();
        assert!(matches!(
            next_message(&mut ws).await,
            Some(Message::Peer { .. })
        ));
        open.push(ws);
    }
    let mut third = relay.socket(&curator.token).await;
    assert!(refusal(&mut third).await.contains("open connections"));
    drop(open);
}

#[tokio::test]
async fn invitations_of_a_revoked_device_are_void() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let fired = relay
        .store
        .redeem(
            &relay
                .store
                .invite(&curator.school, Role::Curator, Some(&curator.device))
                .await
                .unwrap()
                .code,
            "второй куратор",
        )
        .await
        .unwrap();
    let invitation = relay
        .store
        .invite(&curator.school, Role::Staff, Some(&fired.device.id))
        .await
        .unwrap();
    relay
        .store
        .revoke(&curator.school, &fired.device.id)
        .await
        .unwrap();
    assert!(
        relay
            .store
            .redeem(&invitation.code, "планшет")
            .await
            .is_err()
    );
}

/// Erasure is the relay's word: only a curator's call puts a document on the school's list of
/// erasures, which every device reads before deleting anything; a backup carries the list, and
/// a restore never brings an erased person back.
#[tokio::test]
async fn erasures_are_listed_by_the_relay_and_survive_backup_and_restore() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let staff = relay.staff(&curator).await;
    let person = DocumentId::random();
    let mut client = Client::new(PeerId::new("a"));
    let mut docs = common::Docs::new();
    let mut ws = common::connect(&relay.addr, &curator.token, &mut client, &mut docs).await;
    let doc = doc_with("name", "Ученица");
    docs.insert(person, doc.clone());
    common::exchange_until_synced(&mut ws, &mut client, &mut docs, person).await;

    let http = reqwest::Client::new();
    let erase = |token: &str| {
        http.post(format!(
            "http://{}/api/documents/{person}/erase",
            relay.addr
        ))
        .bearer_auth(token.to_owned())
        .send()
    };
    assert_eq!(erase(&staff.token).await.unwrap().status(), 403);
    assert!(
        erasures(&relay.addr, &staff.token).await.is_empty(),
        "a staff device erased nothing"
    );
    assert_eq!(erase(&curator.token).await.unwrap().status(), 204);
    assert_eq!(
        erasures(&relay.addr, &staff.token).await,
        vec![person.to_string()]
    );

    // Backup and restore into another relay: the tombstone comes along.
    let file = data.path().join("school.backup");
    let backup = relay.store.backup(&curator.school).await.unwrap();
    backup.write_to(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the backup is readable by its owner only");
        let mode = std::fs::metadata(data.path().join("relay.sqlite3"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the database is readable by its owner only"
        );
    }
    drop(relay);
    let other = tempfile::tempdir().unwrap();
    let restored = sync_server::backup::Backup::from_bytes(&std::fs::read(&file).unwrap()).unwrap();
    Store::open_dir(other.path())
        .unwrap()
        .restore(restored)
        .await
        .unwrap();
    let relay = start(other.path(), &[]).await;
    assert_eq!(
        erasures(&relay.addr, &staff.token).await,
        vec![person.to_string()]
    );
    // An offline tablet still holding the person's document brings it back: refused.
    let mut client = Client::new(PeerId::new("offline"));
    let mut docs = common::Docs::new();
    docs.insert(person, doc);
    let mut ws = common::connect(&relay.addr, &staff.token, &mut client, &mut docs).await;
    for msg in client.poll_all(&docs) {
        ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
    }
    let reply = next_message(&mut ws).await;
    assert!(
        matches!(reply, Some(Message::DocUnavailable { document_id, .. }) if document_id == person),
        "{reply:?}"
    );
    assert!(
        relay
            .store
            .load(&curator.school, person)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The relay records which device brought each automerge actor's changes; a device cannot
/// take over an actor another device brought first.
#[tokio::test]
async fn changes_are_attributed_to_the_device_that_brought_them() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let staff = relay.staff(&curator).await;
    let doc_id = DocumentId::random();
    let doc = doc_with("k", "v");
    let actor = doc.get_actor().to_hex_string();
    let mut client = Client::new(PeerId::new("s"));
    let mut docs = common::Docs::new();
    docs.insert(doc_id, doc);
    let mut ws = common::connect(&relay.addr, &staff.token, &mut client, &mut docs).await;
    common::exchange_until_synced(&mut ws, &mut client, &mut docs, doc_id).await;
    let text = reqwest::Client::new()
        .get(format!("http://{}/api/actors", relay.addr))
        .bearer_auth(&curator.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    let authors = body["actors"].as_array().unwrap();
    assert!(
        authors.iter().any(|a| a["actor"] == actor.as_str()
            && a["device"] == staff.device.0.as_str()
            && a["name"] == "наставник"),
        "{body}"
    );
}

/// The relay's list of the school's erased documents, as a device reads it.
async fn erasures(addr: &str, token: &str) -> Vec<String> {
    let text = reqwest::Client::new()
        .get(format!("http://{addr}/api/erasures"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    body["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["doc"].as_str().unwrap().to_owned())
        .collect()
}

/// A WebSocket opened by hand on a TCP stream: the handshake, and nothing read after it.
async fn raw_websocket(addr: &str, token: &str) -> tokio::net::TcpStream {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /sync?token={token} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// Whether the peer closed the TCP connection within `limit` (whatever it sent before).
async fn closed_within(tcp: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    let mut buf = vec![0u8; 64 * 1024];
    tokio::time::timeout(limit, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

/// Curators see the school's open invitations (never their codes) and cancel one: its code
/// joins nobody. A staff device can do neither, and no curator reaches another school's.
#[tokio::test]
async fn curators_list_and_cancel_open_invitations() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let staff = relay.staff(&curator).await;
    let other = relay.school().await;
    let http = reqwest::Client::new();
    let api = |path: &str| format!("http://{}{path}", relay.addr);
    let made: serde_json::Value = serde_json::from_str(
        &http
            .post(api("/api/invitations"))
            .bearer_auth(&curator.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let code = made["code"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();

    let listed = http
        .get(api("/api/invitations"))
        .bearer_auth(&curator.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let open = body["invitations"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{listed}");
    assert_eq!(open[0]["id"], id.as_str());
    assert_eq!(open[0]["created_by_name"], "куратор");
    assert!(!listed.contains(&code.replace('-', "")) && !listed.contains(&code));

    let status = |r: reqwest::Response| r.status().as_u16();
    let listed_by_staff = http
        .get(api("/api/invitations"))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status(listed_by_staff), 403);
    let cancelled_by_other_school = http
        .delete(api(&format!("/api/invitations/{id}")))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status(cancelled_by_other_school), 404);
    let cancelled = http
        .delete(api(&format!("/api/invitations/{id}")))
        .bearer_auth(&curator.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status(cancelled), 204);
    assert!(relay.store.redeem(&code, "планшет").await.is_err());
    assert!(
        relay
            .store
            .invitations(&curator.school)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Guessing invitation codes is limited per client address, with a Russian answer.
#[tokio::test]
async fn join_attempts_are_limited_per_address() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &["--join-attempts-per-minute", "5"]).await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let response = http
            .post(format!("http://{}/api/join", relay.addr))
            .header("content-type", "application/json")
            .body(r#"{"code": "AAAAA-AAAAA", "device_name": "x"}"#)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 {
            let text = response.text().await.unwrap();
            assert!(text.contains("Слишком много попыток"), "{text}");
        }
    }
    assert_eq!(statuses, [400, 400, 400, 400, 400, 429, 429]);
}

/// Every response carries the security headers; the policy allows the app's own inline
/// start-up script by hash and WebAssembly, nothing from elsewhere, and no framing.
#[tokio::test]
async fn responses_carry_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let app = data.path().join("no-app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("index.html"),
        "<html><script type=\"module\">start()</script></html>",
    )
    .unwrap();
    let relay = start(data.path(), &[]).await;
    for path in ["/", "/healthz", "/api/me"] {
        let response = reqwest::get(format!("http://{}{path}", relay.addr))
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .unwrap_or_else(|| panic!("{path}: no {name}"))
                .to_str()
                .unwrap()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "no-referrer");
    }
}

/// A frame over the limit gets the protocol's `error` naming the reason, then the close.
#[tokio::test]
async fn an_oversized_frame_is_answered_with_an_error() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &["--max-frame", "65536"]).await;
    let curator = relay.school().await;
    let mut ws = relay.socket(&curator.token).await;
    ws.send(join_frame("big")).await.unwrap();
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Peer { .. })
    ));
    let _ = ws.send(Ws::Binary(vec![0u8; 200_000].into())).await;
    let reason = refusal(&mut ws).await;
    assert!(reason.contains("cannot read the frame"), "{reason}");
}

/// The app's credential travels as a WebSocket subprotocol, not in the URL; the relay selects
/// the plain protocol and never echoes the credential.
#[tokio::test]
async fn the_credential_can_travel_as_a_subprotocol() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let data = tempfile::tempdir().unwrap();
    let relay = start(data.path(), &[]).await;
    let curator = relay.school().await;
    let mut request = format!("ws://{}/sync", relay.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!("nastavnik, nastavnik.token.{}", curator.token)
            .parse()
            .unwrap(),
    );
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"]
            .to_str()
            .unwrap(),
        "nastavnik"
    );
    ws.send(join_frame("app")).await.unwrap();
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Peer { .. })
    ));
}

/// A document with `bytes` of incompressible text under one key.
fn big_doc(bytes: usize) -> automerge::Automerge {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let text: String = (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    doc_with("blob", &text)
}

/// One device writing without end is stopped by its daily quota, one document at a time:
/// its connection stays, and the curator's tablet of the same school keeps syncing.
#[tokio::test]
async fn a_device_flooding_the_relay_is_stopped_by_its_quota_and_the_school_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let relay = start(
        data.path(),
        &[
            "--max-device-bytes-per-day",
            "300000",
            "--max-school-bytes",
            "2000000",
        ],
    )
    .await;
    let curator = relay.school().await;
    let staff = relay.staff(&curator).await;
    let mut client = Client::new(PeerId::new("flood"));
    let mut docs = common::Docs::new();
    let mut ws = common::connect(&relay.addr, &staff.token, &mut client, &mut docs).await;
    // Within the quota: stored.
    let small = DocumentId::random();
    docs.insert(small, big_doc(100_000));
    common::exchange_until_synced(&mut ws, &mut client, &mut docs, small).await;
    // Over it: refused, nothing stored, and the connection goes on.
    let flood = DocumentId::random();
    docs.insert(flood, big_doc(400_000));
    for msg in client.poll_all(&docs) {
        ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
    }
    let probe = DocumentId::random();
    docs.insert(probe, doc_with("k", "v"));
    common::exchange_until_synced(&mut ws, &mut client, &mut docs, probe).await;
    assert!(!relay.store.exists(&staff.school, flood).await.unwrap());
    assert!(relay.store.exists(&staff.school, small).await.unwrap());
    // The curator's device has its own quota.
    relay.still_serves(&curator).await;
}

/// A school's documents together stay within the school's byte quota.
#[tokio::test]
async fn a_school_cannot_exceed_its_byte_quota() {
    let data = tempfile::tempdir().unwrap();
    // 100,000 random letters take about 60 kB compressed.
    let relay = start(data.path(), &["--max-school-bytes", "150000"]).await;
    let curator = relay.school().await;
    let staff = relay.staff(&curator).await;
    let mut stored = 0;
    for who in [&curator, &staff, &curator] {
        let mut client = Client::new(PeerId::new("writer"));
        let mut docs = common::Docs::new();
        let mut ws = common::connect(&relay.addr, &who.token, &mut client, &mut docs).await;
        let big = DocumentId::random();
        docs.insert(big, big_doc(100_000));
        for msg in client.poll_all(&docs) {
            ws.send(Ws::Binary(msg.encode().into())).await.unwrap();
        }
        let probe = DocumentId::random();
        docs.insert(probe, doc_with("k", "v"));
        common::exchange_until_synced(&mut ws, &mut client, &mut docs, probe).await;
        if relay.store.exists(&who.school, big).await.unwrap() {
            stored += 1;
        }
    }
    assert_eq!(stored, 2, "the third document is over the quota");
}
