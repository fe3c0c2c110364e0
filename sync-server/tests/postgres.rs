//! Several relay instances on one PostgreSQL database: devices connected to different
//! instances converge, and a revocation made through one instance cuts the device off on
//! another. Needs a PostgreSQL server: `scripts/test` starts one and enables the
//! `postgres-tests` feature; `NASTAVNIK_TEST_POSTGRES` names it.
#![cfg(feature = "postgres-tests")]

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use futures_util::StreamExt;
use sync_core::client::Client;
use sync_core::wire::{self, Message};
use sync_core::{DocumentId, PeerId};
use sync_server::Store;
use tokio_tungstenite::tungstenite::Message as Ws;

mod common;
use common::*;

fn put(docs: &mut Docs, doc: DocumentId, key: &str, value: &str) {
    let d = docs.entry(doc).or_insert_with(sync_core::new_document);
    let mut tx = d.transaction();
    tx.put(automerge::ROOT, key, value).unwrap();
    tx.commit();
}

#[tokio::test]
async fn devices_on_two_relay_instances_converge_and_revocation_reaches_both() {
    let url = fresh_database().await;
    let store = Store::open_postgres(&url).await.unwrap();
    let (_, invitation) = store.create_school("Школа").await.unwrap();
    let curator = store
        .redeem(&invitation.code, "планшет куратора")
        .await
        .unwrap();
    let staff_invitation = store
        .invite(
            &curator.school.id,
            sync_server::accounts::Role::Staff,
            Some(&curator.device.id),
        )
        .await
        .unwrap();
    let mentor = store
        .redeem(&staff_invitation.code, "планшет наставника")
        .await
        .unwrap();

    let (dir_one, dir_two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut one, addr_one) = spawn_relay_with(dir_one.path(), &["--postgres", &url]);
    let (mut two, addr_two) = spawn_relay_with(dir_two.path(), &["--postgres", &url]);

    // B asks instance two for the document before A has written it through instance one.
    let doc = DocumentId::random();
    let mut b_docs = Docs::new();
    b_docs.insert(doc, sync_core::new_document());
    let mut b = Client::new(PeerId::new("b"));
    let mut b_ws = connect(&addr_two, &mentor.token, &mut b, &mut b_docs).await;
    for msg in b.poll_all(&b_docs) {
        futures_util::SinkExt::send(&mut b_ws, Ws::Binary(msg.encode().into()))
            .await
            .unwrap();
    }

    let mut a_docs = Docs::new();
    put(&mut a_docs, doc, "title", "Служба учебной помощи");
    let mut a = Client::new(PeerId::new("a"));
    let mut a_ws = connect(&addr_one, &curator.token, &mut a, &mut a_docs).await;
    exchange_until_synced(&mut a_ws, &mut a, &mut a_docs, doc).await;

    // Instance two hears of the write and passes it on to B.
    while b_docs[&doc]
        .get(automerge::ROOT, "title")
        .unwrap()
        .is_none()
    {
        answer_next_frame(&mut b_ws, &mut b, &mut b_docs).await;
    }

    // Concurrent edits through the two instances converge.
    put(&mut a_docs, doc, "from_a", "1");
    put(&mut b_docs, doc, "from_b", "2");
    exchange_until_synced(&mut b_ws, &mut b, &mut b_docs, doc).await;
    exchange_until_synced(&mut a_ws, &mut a, &mut a_docs, doc).await;
    while a_docs[&doc].get_heads() != b_docs[&doc].get_heads() {
        // Whichever side is behind hears of the other's write through its instance.
        let (ws, client, docs) = if a_docs[&doc]
            .get(automerge::ROOT, "from_b")
            .unwrap()
            .is_none()
        {
            (&mut a_ws, &mut a, &mut a_docs)
        } else {
            (&mut b_ws, &mut b, &mut b_docs)
        };
        answer_next_frame(ws, client, docs).await;
    }

    // Revoked through the database (as instance one's API does), cut off on instance two.
    store
        .revoke(&curator.school.id, &mentor.device.id)
        .await
        .unwrap();
    let refused = loop {
        match tokio::time::timeout(PATIENCE, b_ws.next()).await.unwrap() {
            Some(Ok(Ws::Binary(frame))) => {
                if let Ok(Message::Error { message }) =
                    wire::decode(&frame, wire::DEFAULT_MAX_FRAME)
                {
                    break Some(message);
                }
            }
            Some(Ok(_)) => continue,
            _ => break None,
        }
    };
    assert!(refused.is_some_and(|m| m.contains("отключено")));

    for relay in [&mut one, &mut two] {
        relay.kill().unwrap();
        relay.wait().unwrap();
    }
}

/// Erased through one instance: the other, which holds the document in memory, refuses the next
/// change to it and stores nothing.
#[tokio::test]
async fn an_erasure_through_one_instance_holds_on_the_other() {
    let url = fresh_database().await;
    let store = Store::open_postgres(&url).await.unwrap();
    let (_, invitation) = store.create_school("Школа").await.unwrap();
    let curator = store.redeem(&invitation.code, "планшет").await.unwrap();
    let (dir_one, dir_two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut one, addr_one) = spawn_relay_with(dir_one.path(), &["--postgres", &url]);
    let (mut two, addr_two) = spawn_relay_with(dir_two.path(), &["--postgres", &url]);

    let person = DocumentId::random();
    let mut docs = Docs::new();
    put(&mut docs, person, "last_name", "Стираемая");
    let mut a = Client::new(PeerId::new("a"));
    let mut ws = connect(&addr_one, &curator.token, &mut a, &mut docs).await;
    exchange_until_synced(&mut ws, &mut a, &mut docs, person).await;

    let status = reqwest::Client::new()
        .post(format!("http://{addr_two}/api/documents/{person}/erase"))
        .bearer_auth(&curator.token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    assert!(
        store
            .load(&curator.school.id, person)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.is_erased(&curator.school.id, person).await.unwrap());

    put(&mut docs, person, "note", "правка после удаления");
    for msg in a.poll_all(&docs) {
        futures_util::SinkExt::send(&mut ws, Ws::Binary(msg.encode().into()))
            .await
            .unwrap();
    }
    let answer = loop {
        match tokio::time::timeout(PATIENCE, ws.next()).await.unwrap() {
            Some(Ok(Ws::Binary(frame))) => {
                break wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
            }
            Some(Ok(_)) => continue,
            other => panic!("connection ended: {other:?}"),
        }
    };
    assert!(
        matches!(answer, Message::DocUnavailable { document_id, .. } if document_id == person),
        "{answer:?}"
    );
    assert!(
        store
            .load(&curator.school.id, person)
            .await
            .unwrap()
            .is_empty()
    );

    for relay in [&mut one, &mut two] {
        relay.kill().unwrap();
        relay.wait().unwrap();
    }
}
