//! Several replicas and a relay in one process, exchanging real protocol frames through an
//! in-memory network: no sockets, no clocks, so every interleaving here is reproducible.

use std::collections::{BTreeMap, VecDeque};

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT, ReadDoc};
use sync_core::client::{Client, ClientEvent, Documents};
use sync_core::relay_doc::{Received, RelayDoc};
use sync_core::wire::{self, Message, PeerMetadata, SyncData};
use sync_core::{DocumentId, PeerId};

/// The relay's protocol logic with its storage and sockets taken away: the documents in
/// memory, each run by the same `RelayDoc` the relay's hub runs.
#[derive(Default)]
struct Relay {
    docs: BTreeMap<DocumentId, RelayDoc>,
}

const RELAY: &str = "relay";

impl Relay {
    fn receive(&mut self, from: &PeerId, frame: &[u8]) -> Vec<(PeerId, Vec<u8>)> {
        let relay = PeerId::new(RELAY);
        match wire::decode(frame, wire::DEFAULT_MAX_FRAME).unwrap() {
            Message::Join { sender_id, .. } => vec![(
                sender_id.clone(),
                Message::Peer {
                    sender_id: relay,
                    target_id: sender_id,
                    selected_protocol_version: "1".into(),
                    peer_metadata: PeerMetadata::default(),
                }
                .encode(),
            )],
            Message::Request(sync) | Message::Sync(sync) => {
                let id = sync.document_id;
                let doc = self
                    .docs
                    .entry(id)
                    .or_insert_with(|| RelayDoc::new(Automerge::new()));
                match doc
                    .receive(from, &sync.data, sync_is_request(frame))
                    .unwrap()
                {
                    Received::Unavailable => {
                        let msg = Message::DocUnavailable {
                            sender_id: relay,
                            target_id: from.clone(),
                            document_id: id,
                        };
                        vec![(from.clone(), msg.encode())]
                    }
                    Received::Applied { .. } => doc
                        .updates()
                        .into_iter()
                        .map(|(peer, data)| {
                            let msg = Message::Sync(SyncData {
                                sender_id: relay.clone(),
                                target_id: peer.clone(),
                                document_id: id,
                                data,
                            });
                            (peer, msg.encode())
                        })
                        .collect(),
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn disconnect(&mut self, peer: &PeerId) {
        for doc in self.docs.values_mut() {
            doc.sync.remove_peer(peer);
        }
    }
}

fn sync_is_request(frame: &[u8]) -> bool {
    matches!(
        wire::decode(frame, wire::DEFAULT_MAX_FRAME),
        Ok(Message::Request(_))
    )
}

struct Replica {
    client: Client,
    docs: BTreeMap<DocumentId, Automerge>,
    online: bool,
}

impl Replica {
    fn new(name: &str) -> Self {
        Self {
            client: Client::new(PeerId::new(name)),
            docs: BTreeMap::new(),
            online: false,
        }
    }

    fn id(&self) -> PeerId {
        self.client.peer_id().clone()
    }

    fn put(&mut self, doc: DocumentId, key: &str, value: &str) {
        let d = self.docs.entry(doc).or_default();
        let mut tx = d.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
    }

    fn get(&self, doc: DocumentId, key: &str) -> Option<String> {
        let (value, _) = self.docs.get(&doc)?.get(ROOT, key).ok()??;
        value.into_string().ok()
    }
}

/// Frames in flight, in order, addressed by peer id.
struct Network {
    relay: Relay,
    replicas: Vec<Replica>,
    to_relay: VecDeque<(PeerId, Vec<u8>)>,
    to_peers: VecDeque<(PeerId, Vec<u8>)>,
    events: Vec<(PeerId, ClientEvent)>,
}

impl Network {
    fn new(names: &[&str]) -> Self {
        Self {
            relay: Relay::default(),
            replicas: names.iter().map(|n| Replica::new(n)).collect(),
            to_relay: VecDeque::new(),
            to_peers: VecDeque::new(),
            events: Vec::new(),
        }
    }

    fn replica(&mut self, i: usize) -> &mut Replica {
        &mut self.replicas[i]
    }

    fn connect(&mut self, i: usize) {
        let r = &mut self.replicas[i];
        r.online = true;
        self.to_relay.push_back((r.id(), r.client.join().encode()));
    }

    /// The socket drops: frames in flight either way are lost.
    fn drop_connection(&mut self, i: usize) {
        let id = self.replicas[i].id();
        self.to_relay.retain(|(from, _)| *from != id);
        self.to_peers.retain(|(to, _)| *to != id);
        self.relay.disconnect(&id);
        let r = &mut self.replicas[i];
        r.client.disconnected();
        r.online = false;
    }

    fn poll_replicas(&mut self) {
        for r in self.replicas.iter_mut().filter(|r| r.online) {
            let id = r.id();
            for msg in r.client.poll_all(&r.docs) {
                self.to_relay.push_back((id.clone(), msg.encode()));
            }
        }
    }

    /// Delivers one frame; returns false when nothing was in flight.
    fn step(&mut self) -> bool {
        self.poll_replicas();
        if let Some((from, frame)) = self.to_relay.pop_front() {
            let out = self.relay.receive(&from, &frame);
            self.to_peers.extend(out);
            return true;
        }
        if let Some((to, frame)) = self.to_peers.pop_front() {
            let r = self.replicas.iter_mut().find(|r| r.id() == to).unwrap();
            let msg = wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
            let unavailable = matches!(msg, Message::DocUnavailable { .. });
            for e in r.client.receive(msg, &mut r.docs).unwrap() {
                self.events.push((to.clone(), e));
            }
            if unavailable {
                // A real client asks again later (on a timer); here, at once.
                r.client.retry_unavailable();
            }
            return true;
        }
        false
    }

    fn run_until_quiescent(&mut self) {
        for _ in 0..10_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the network did not settle");
    }

    fn run_steps(&mut self, n: usize) {
        for _ in 0..n {
            self.step();
        }
    }
}

#[test]
fn three_replicas_converge_on_concurrent_edits() {
    let doc = DocumentId::random();
    let mut net = Network::new(&["a", "b", "c"]);
    net.replica(0).put(doc, "title", "План");
    for i in 0..3 {
        net.connect(i);
    }
    // B and C know the document's id (it reaches them in an invitation) but hold nothing yet.
    net.replica(1).docs.insert(doc, Automerge::new());
    net.replica(2).docs.insert(doc, Automerge::new());
    net.run_until_quiescent();
    assert_eq!(net.replica(2).get(doc, "title").as_deref(), Some("План"));

    net.replica(0).put(doc, "a", "1");
    net.replica(1).put(doc, "b", "2");
    net.replica(2).put(doc, "c", "3");
    net.run_until_quiescent();
    let heads: Vec<_> = net
        .replicas
        .iter()
        .map(|r| r.docs[&doc].get_heads())
        .collect();
    assert!(
        heads.windows(2).all(|w| w[0] == w[1]),
        "replicas diverged: {heads:?}"
    );
    for key in ["a", "b", "c", "title"] {
        assert!(net.replica(1).get(doc, key).is_some(), "{key} missing");
    }
    for r in &net.replicas {
        assert!(
            r.client.is_synced(&doc, &r.docs[&doc]),
            "{} not synced",
            r.id()
        );
    }
}

#[test]
fn a_connection_dropped_mid_sync_recovers_on_reconnect() {
    let doc = DocumentId::random();
    let mut net = Network::new(&["a", "b"]);
    net.replica(0).put(doc, "x", "0");
    net.connect(0);
    net.connect(1);
    net.replica(1).docs.insert(doc, Automerge::new());
    net.run_until_quiescent();

    // Both edit, and A's socket drops after only a few frames have crossed.
    for i in 0..20 {
        net.replica(0).put(doc, &format!("a{i}"), "A");
        net.replica(1).put(doc, &format!("b{i}"), "B");
    }
    net.run_steps(3);
    net.drop_connection(0);
    net.run_until_quiescent();
    // A edits while offline, then comes back.
    net.replica(0).put(doc, "offline", "да");
    net.connect(0);
    net.run_until_quiescent();

    let (a, b) = (&net.replicas[0].docs[&doc], &net.replicas[1].docs[&doc]);
    assert_eq!(a.get_heads(), b.get_heads());
    assert_eq!(net.replica(1).get(doc, "offline").as_deref(), Some("да"));
    assert_eq!(net.replica(0).get(doc, "b19").as_deref(), Some("B"));
    assert_eq!(net.replica(1).get(doc, "a19").as_deref(), Some("A"));
}

#[test]
fn a_document_nobody_has_is_unavailable_until_someone_brings_it() {
    let doc = DocumentId::random();
    let mut net = Network::new(&["a", "b"]);
    net.connect(1);
    net.replica(1).docs.insert(doc, Automerge::new());
    net.run_steps(4);
    assert!(
        net.events
            .contains(&(PeerId::new("b"), ClientEvent::Unavailable(doc)))
    );

    net.replica(0).put(doc, "k", "v");
    net.connect(0);
    net.run_until_quiescent();
    // B asked again after `doc-unavailable` and now holds A's data.
    assert_eq!(net.replica(1).get(doc, "k").as_deref(), Some("v"));
}

#[test]
fn the_relay_never_announces_a_document_to_a_peer_that_did_not_ask() {
    let secret = DocumentId::random();
    let mut net = Network::new(&["a", "b"]);
    net.replica(0).put(secret, "pd", "персональные данные");
    net.connect(0);
    net.connect(1);
    net.run_until_quiescent();
    assert!(net.replica(1).docs.is_empty());
    assert!(
        net.events
            .iter()
            .all(|(to, e)| *to == PeerId::new("a") || matches!(e, ClientEvent::Connected { .. }))
    );
}

#[test]
fn lists_created_concurrently_keep_both_items() {
    let doc = DocumentId::random();
    let mut net = Network::new(&["a", "b"]);
    {
        let d = net.replica(0).docs.entry(doc).or_default();
        let mut tx = d.transaction();
        tx.put_object(ROOT, "items", ObjType::List).unwrap();
        tx.commit();
    }
    net.connect(0);
    net.connect(1);
    net.replica(1).docs.insert(doc, Automerge::new());
    net.run_until_quiescent();
    for i in 0..2 {
        let d = net.replica(i).docs.get_mut(&doc).unwrap();
        let (_, list) = d.get(ROOT, "items").unwrap().unwrap();
        let mut tx = d.transaction();
        tx.insert(&list, 0, format!("item {i}")).unwrap();
        tx.commit();
    }
    net.run_until_quiescent();
    let d = &net.replicas[1].docs[&doc];
    let (_, list) = d.get(ROOT, "items").unwrap().unwrap();
    assert_eq!(d.length(&list), 2);
}

#[test]
fn a_new_replica_opens_hundreds_of_documents_in_waves_and_gets_them_all() {
    let (mut net, ids) = relay_holding(200);
    net.connect(1);
    for id in &ids {
        net.replica(1).docs.insert(*id, Automerge::new());
    }
    // In rounds: the new tablet sends what it has to send, the relay answers everything, the
    // tablet takes every answer. It never has more than MAX_OPENING documents unanswered.
    let tablet = net.replicas[1].id();
    for _ in 0..1_000 {
        net.poll_replicas();
        // Its documents are empty, so each one it opens is a `request`.
        let opened = net
            .to_relay
            .iter()
            .filter(|(from, frame)| *from == tablet && sync_is_request(frame))
            .count();
        assert!(
            opened <= sync_core::client::MAX_OPENING,
            "{opened} documents opened at once"
        );
        if net.to_relay.is_empty() && net.to_peers.is_empty() {
            break;
        }
        while let Some((from, frame)) = net.to_relay.pop_front() {
            let out = net.relay.receive(&from, &frame);
            net.to_peers.extend(out);
        }
        while let Some((to, frame)) = net.to_peers.pop_front() {
            let r = net.replicas.iter_mut().find(|r| r.id() == to).unwrap();
            let msg = wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
            r.client.receive(msg, &mut r.docs).unwrap();
        }
    }
    for id in &ids {
        assert_eq!(net.replica(1).get(*id, "n").as_deref(), Some("v"), "{id}");
    }
}

#[test]
fn a_replica_answering_each_message_alone_still_opens_every_document() {
    // The app polls only the document a message was about (and refills free opening slots),
    // not every document after every message.
    let (mut net, ids) = relay_holding(300);
    for id in &ids {
        net.replica(1).docs.insert(*id, Automerge::new());
    }
    net.connect(1);
    let (most_opening, gets) = answer_each_message_alone(&mut net, 1);
    assert!(
        most_opening <= sync_core::client::MAX_OPENING,
        "{most_opening}"
    );
    // Each answer looks at its own document and, when slots free up, at the documents not
    // opened yet: a few looks per document, not every document on every wave.
    assert!(
        gets <= 5 * ids.len(),
        "{gets} looks for {} documents",
        ids.len()
    );
    for id in &ids {
        assert_eq!(net.replica(1).get(*id, "n").as_deref(), Some("v"), "{id}");
    }
}

/// A device's documents that count how often the client looks at one.
struct Counting<'a> {
    docs: &'a BTreeMap<DocumentId, Automerge>,
    gets: std::cell::Cell<usize>,
}

impl Documents for Counting<'_> {
    fn ids(&self) -> Vec<DocumentId> {
        self.docs.keys().copied().collect()
    }
    fn get(&self, id: &DocumentId) -> Option<&Automerge> {
        self.gets.set(self.gets.get() + 1);
        self.docs.get(id)
    }
    fn get_mut(&mut self, _: &DocumentId) -> Option<&mut Automerge> {
        None
    }
}

#[test]
fn asking_again_for_what_the_relay_lacked_looks_only_at_those_documents() {
    let (mut net, held) = relay_holding(50);
    // The tablet holds the school's fifty documents and one the relay has never had.
    let missing = DocumentId::random();
    for id in held.iter().chain([&missing]) {
        net.replica(1).docs.insert(*id, Automerge::new());
    }
    net.connect(1);
    // Pumped by hand (the network's own step asks again at once).
    answer_each_message_alone(&mut net, 1);
    for id in &held {
        assert_eq!(net.replica(1).get(*id, "n").as_deref(), Some("v"));
    }
    let r = &mut net.replicas[1];
    assert!(r.client.is_unavailable(&missing));

    // The timer: only the missing document is looked at and asked for again.
    let ids = r.client.retry_unavailable();
    assert_eq!(ids, vec![missing]);
    let looked_at = Counting {
        docs: &r.docs,
        gets: std::cell::Cell::new(0),
    };
    let frames = r.client.poll_these(&ids, &looked_at);
    assert_eq!(looked_at.gets.get(), 1);
    assert!(
        matches!(frames.as_slice(), [Message::Request(m)] if m.document_id == missing),
        "{frames:?}"
    );
    // With nothing missing, the timer looks at nothing.
    let looked_at = Counting {
        docs: &r.docs,
        gets: std::cell::Cell::new(0),
    };
    let ids = r.client.retry_unavailable();
    assert!(ids.is_empty());
    assert!(r.client.poll_these(&ids, &looked_at).is_empty());
    assert_eq!(looked_at.gets.get(), 0);
}

/// Delivers every frame until none is in flight, with replica `i` answering each message it
/// gets alone, the way the app does (`poll_after`). Returns the most `request`s in flight at
/// once and how often the replica looked at one of its documents to answer.
fn answer_each_message_alone(net: &mut Network, i: usize) -> (usize, usize) {
    let tablet = net.replicas[i].id();
    let mut most_opening = 0;
    let mut gets = 0;
    for _ in 0..100_000 {
        if let Some((from, frame)) = net.to_relay.pop_front() {
            let out = net.relay.receive(&from, &frame);
            net.to_peers.extend(out);
            continue;
        }
        let Some((to, frame)) = net.to_peers.pop_front() else {
            break;
        };
        assert_eq!(to, tablet, "only the one replica is talking");
        let r = &mut net.replicas[i];
        let msg = wire::decode(&frame, wire::DEFAULT_MAX_FRAME).unwrap();
        let about = match &msg {
            Message::Sync(m) | Message::Request(m) => Some(m.document_id),
            Message::DocUnavailable { document_id, .. } => Some(*document_id),
            _ => None,
        };
        r.client.receive(msg, &mut r.docs).unwrap();
        let looked_at = Counting {
            docs: &r.docs,
            gets: std::cell::Cell::new(0),
        };
        for out in r.client.poll_after(about.as_ref(), &looked_at) {
            net.to_relay.push_back((tablet.clone(), out.encode()));
        }
        gets += looked_at.gets.get();
        let unanswered = net
            .to_relay
            .iter()
            .filter(|(_, f)| sync_is_request(f))
            .count();
        most_opening = most_opening.max(unanswered);
    }
    (most_opening, gets)
}

/// A network whose curator has put `n` documents on the relay; a second replica, not yet
/// connected, holds nothing.
fn relay_holding(n: usize) -> (Network, Vec<DocumentId>) {
    let mut net = Network::new(&["curator", "tablet"]);
    let ids: Vec<DocumentId> = (0..n).map(|_| DocumentId::random()).collect();
    for id in &ids {
        net.replica(0).put(*id, "n", "v");
    }
    net.connect(0);
    net.run_until_quiescent();
    (net, ids)
}
