//! The relay binary itself: killed with SIGKILL in the middle of a sync, and a school backed up
//! and restored into another relay with its operator subcommands.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use sync_core::client::Client;
use sync_core::wire::{self, Message};
use sync_core::{DocumentId, PeerId};
use sync_server::Store;

mod common;
use common::*;
use tokio_tungstenite::tungstenite::Message as Ws;

#[tokio::test]
async fn what_the_relay_confirmed_survives_a_sigkill_mid_sync() {
    let data = tempfile::tempdir().unwrap();
    let token = enroll(data.path()).await;
    let (mut relay, addr) = spawn_relay(data.path());
    let doc_id = DocumentId::random();
    let mut docs = std::collections::BTreeMap::new();
    docs.insert(doc_id, sync_core::new_document());
    let mut client = Client::new(PeerId::new("tablet"));
    let mut ws = connect(&addr, &token, &mut client, &mut docs).await;

    // Stream edits without waiting, recording every head the relay confirms, and kill the relay
    // while frames are still in flight both ways.
    let mut confirmed: BTreeSet<ChangeHash> = BTreeSet::new();
    let mut replies = 0;
    for i in 0..400 {
        {
            let doc = docs.get_mut(&doc_id).unwrap();
            let mut tx = doc.transaction();
            tx.put(automerge::ROOT, format!("k{i}"), i as i64).unwrap();
            tx.commit();
        }
        for msg in client.poll_all(&docs) {
            if ws.send(Ws::Binary(msg.encode().into())).await.is_err() {
                break;
            }
        }
        while let Ok(Some(Ok(Ws::Binary(frame)))) =
            tokio::time::timeout(Duration::from_millis(1), ws.next()).await
        {
            let msg = wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
            if let Message::Sync(sync) = &msg {
                let sync_msg = automerge::sync::Message::decode(&sync.data).unwrap();
                confirmed.extend(sync_msg.heads.iter().copied());
                replies += 1;
            }
            client.receive(msg, &mut docs).unwrap();
        }
        if replies >= 20 {
            relay.kill().unwrap(); // SIGKILL, to our own child only.
            relay.wait().unwrap();
            break;
        }
    }
    assert!(
        replies >= 20,
        "the relay confirmed something before it was killed"
    );
    drop(ws);

    let (mut relay, addr) = spawn_relay(data.path());
    // A fresh device of the school asks for the document and gets at least what was confirmed.
    let mut fresh_docs = std::collections::BTreeMap::new();
    fresh_docs.insert(doc_id, sync_core::new_document());
    let mut fresh = Client::new(PeerId::new("fresh"));
    let mut ws2 = connect(&addr, &token, &mut fresh, &mut fresh_docs).await;
    exchange_until_synced(&mut ws2, &mut fresh, &mut fresh_docs, doc_id).await;
    let recovered = &fresh_docs[&doc_id];
    for head in &confirmed {
        assert!(
            recovered.get_change_by_hash(head).is_some(),
            "confirmed change {head} was lost"
        );
    }

    // The original tablet reconnects and the two converge on everything it wrote.
    let mut ws = connect(&addr, &token, &mut client, &mut docs).await;
    exchange_until_synced(&mut ws, &mut client, &mut docs, doc_id).await;
    relay.kill().unwrap();
    relay.wait().unwrap();
}

fn run(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

/// Syncs one document of `doc_id` with the relay at `addr` until both hold the same heads.
async fn sync_doc(
    addr: &str,
    token: &str,
    name: &str,
    doc: automerge::Automerge,
    doc_id: DocumentId,
) -> automerge::Automerge {
    let mut docs = std::collections::BTreeMap::new();
    docs.insert(doc_id, doc);
    let mut client = Client::new(PeerId::new(name));
    let mut ws = connect(addr, token, &mut client, &mut docs).await;
    exchange_until_synced(&mut ws, &mut client, &mut docs, doc_id).await;
    docs.remove(&doc_id).unwrap()
}

#[tokio::test]
async fn a_school_backed_up_and_restored_elsewhere_keeps_its_documents_and_devices() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (school, token) = {
        let store = Store::open_dir(first.path()).unwrap();
        let (school, invitation) = store.create_school("Школа").await.unwrap();
        (
            school.id.0,
            store
                .redeem(&invitation.code, "планшет")
                .await
                .unwrap()
                .token,
        )
    };
    let other_school = Store::open_dir(first.path())
        .unwrap()
        .create_school("Соседняя школа")
        .await
        .unwrap()
        .0;
    let doc_id = DocumentId::random();
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "title", "Служба учебной помощи")
        .unwrap();
    tx.commit();
    let (mut relay, addr) = spawn_relay(first.path());
    sync_doc(&addr, &token, "tablet", doc, doc_id).await;

    // Backed up while the relay runs: the backup is one consistent read.
    let file = first.path().join("school.backup");
    let out = run(
        first.path(),
        &[
            "school",
            "backup",
            "--school",
            &school,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    relay.kill().unwrap();
    relay.wait().unwrap();

    // A damaged file is refused, and the target relay is left as it was.
    let damaged = second.path().join("damaged.backup");
    std::fs::write(&damaged, &std::fs::read(&file).unwrap()[..100]).unwrap();
    let out = run(
        second.path(),
        &["school", "restore", "--file", damaged.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a school backup"));

    let out = run(
        second.path(),
        &["school", "restore", "--file", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = run(
        second.path(),
        &["school", "restore", "--file", file.to_str().unwrap()],
    );
    assert!(
        !again.status.success(),
        "a school is never restored over itself"
    );

    let listed = String::from_utf8(run(second.path(), &["school", "list"]).stdout).unwrap();
    assert!(
        listed.contains(&school) && !listed.contains(&other_school.id.0),
        "only that school moved: {listed}"
    );

    // The same tablet, with the credential it already holds, finds its document there.
    let (mut relay, addr) = spawn_relay(second.path());
    let restored = sync_doc(&addr, &token, "tablet", sync_core::new_document(), doc_id).await;
    let (title, _) = restored.get(automerge::ROOT, "title").unwrap().unwrap();
    assert_eq!(title.into_string().unwrap(), "Служба учебной помощи");
    relay.kill().unwrap();
    relay.wait().unwrap();
}

#[tokio::test]
async fn sigterm_stops_the_relay_cleanly_with_a_device_connected() {
    let data = tempfile::tempdir().unwrap();
    let token = enroll(data.path()).await;
    let (mut relay, addr) = spawn_relay(data.path());
    let doc_id = DocumentId::random();
    let mut docs = Docs::new();
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "title", "Школа наставников")
        .unwrap();
    tx.commit();
    docs.insert(doc_id, doc);
    let mut client = Client::new(PeerId::new("tablet"));
    let mut ws = connect(&addr, &token, &mut client, &mut docs).await;
    exchange_until_synced(&mut ws, &mut client, &mut docs, doc_id).await;

    // SIGTERM to our own child, by its pid, while the device stays connected.
    let status = Command::new("kill")
        .args(["-s", "TERM", &relay.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = tokio::time::timeout(PATIENCE, tokio::task::spawn_blocking(move || relay.wait()))
        .await
        .expect("the relay stops promptly on SIGTERM")
        .unwrap()
        .unwrap();
    assert!(exited.success(), "{exited:?}");
    drop(ws);

    let (mut relay, addr) = spawn_relay(data.path());
    let restored = sync_doc(&addr, &token, "fresh", sync_core::new_document(), doc_id).await;
    assert_eq!(restored.get_heads(), docs[&doc_id].get_heads());
    relay.kill().unwrap();
    relay.wait().unwrap();
}
