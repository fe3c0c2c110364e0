//! Writes the seed corpus of the frame-decoder fuzz target: one file per kind of valid frame,
//! plus truncations of each. `cargo run -p sync-core --example fuzz_seeds`
use std::path::Path;

use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;
use sync_core::wire::{Message, PeerMetadata, SyncData};
use sync_core::{DocumentId, PeerId};

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode_frame");
    std::fs::create_dir_all(&dir)?;
    let mut doc = sync_core::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "title", "Служба учебной помощи")
        .unwrap();
    tx.commit();
    let mut state = automerge::sync::State::new();
    let first = doc.generate_sync_message(&mut state).unwrap().encode();
    let sync = |data: Vec<u8>| SyncData {
        sender_id: PeerId::new("tablet"),
        target_id: PeerId::new("relay"),
        document_id: DocumentId::from_bytes([7; 16]),
        data,
    };
    let seeds = [
        (
            "join",
            Message::Join {
                sender_id: PeerId::new("tablet"),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: PeerMetadata::default(),
            },
        ),
        (
            "peer",
            Message::Peer {
                sender_id: PeerId::new("relay"),
                target_id: PeerId::new("tablet"),
                selected_protocol_version: "1".into(),
                peer_metadata: PeerMetadata::default(),
            },
        ),
        (
            "error",
            Message::Error {
                message: "нет доступа".into(),
            },
        ),
        (
            "leave",
            Message::Leave {
                sender_id: PeerId::new("tablet"),
            },
        ),
        ("request", Message::Request(sync(first.clone()))),
        ("sync", Message::Sync(sync(first))),
        (
            "unavailable",
            Message::DocUnavailable {
                sender_id: PeerId::new("relay"),
                target_id: PeerId::new("tablet"),
                document_id: DocumentId::from_bytes([7; 16]),
            },
        ),
    ];
    for (name, message) in seeds {
        let bytes = message.encode();
        std::fs::write(dir.join(name), &bytes)?;
        std::fs::write(
            dir.join(format!("{name}-truncated")),
            &bytes[..bytes.len() / 2],
        )?;
    }
    Ok(())
}
