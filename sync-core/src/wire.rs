//! The automerge-repo network protocol, version "1": one CBOR map per binary WebSocket frame.
//!
//! Decoding is strict about what it needs and tolerant of what it does not (extra keys are
//! ignored, as automerge-repo itself does), and never panics: every malformed frame is a
//! [`DecodeError`].

use ciborium::value::Value;

use crate::{DocumentId, PeerId};

/// The largest frame [`decode`] accepts by default; the relay may choose a smaller one.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// The longest peer id, protocol version or storage id accepted. automerge-repo's own ids are
/// under 64 bytes; a peer-chosen id is echoed in every reply, so it must stay small.
pub const MAX_ID_LEN: usize = 256;
/// The longest `error` message accepted (peers' errors are only logged).
pub const MAX_ERROR_LEN: usize = 4096;
/// The most protocol versions a `join` may list.
pub const MAX_VERSIONS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    pub storage_id: Option<String>,
    pub is_ephemeral: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Client → server: the first message of a connection.
    Join {
        sender_id: PeerId,
        supported_protocol_versions: Vec<String>,
        peer_metadata: PeerMetadata,
    },
    /// Server → client: the handshake's answer.
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        selected_protocol_version: String,
        peer_metadata: PeerMetadata,
    },
    /// Either way: the sender is closing the connection because of `message`.
    Error {
        message: String,
    },
    Leave {
        sender_id: PeerId,
    },
    /// This implementation's extension (`nastavnik-heartbeat`): a device asks the relay whether
    /// the connection still carries anything, and the relay answers with the same message. A
    /// browser cannot see WebSocket pings, and a socket whose peer stopped answering stays
    /// "open" for minutes. automerge-repo peers never send it.
    Heartbeat {
        sender_id: PeerId,
    },
    /// A sync message for a document the sender does not have yet.
    Request(SyncData),
    /// A sync message for a document the sender has.
    Sync(SyncData),
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// Messages of the protocol that this implementation accepts and does not act on
    /// (`ephemeral`, `remote-subscription-change`, `remote-heads-changed`).
    Ignored {
        kind: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncData {
    pub sender_id: PeerId,
    pub target_id: PeerId,
    pub document_id: DocumentId,
    /// An encoded `automerge::sync::Message`.
    pub data: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("frame of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("frame is not valid CBOR: {0}")]
    Cbor(String),
    #[error("frame is not a CBOR map")]
    NotAMap,
    #[error("message has no `{0}` field of the right type")]
    MissingField(&'static str),
    #[error("unknown message type `{0}`")]
    UnknownType(String),
    #[error("field `{field}` is longer than {limit} bytes")]
    TooLong { field: &'static str, limit: usize },
    #[error(transparent)]
    DocumentId(#[from] crate::DocumentIdError),
}

/// The type of [`Message::Heartbeat`].
pub const HEARTBEAT: &str = "nastavnik-heartbeat";

impl Message {
    pub fn kind(&self) -> &str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Error { .. } => "error",
            Message::Leave { .. } => "leave",
            Message::Heartbeat { .. } => HEARTBEAT,
            Message::Request(_) => "request",
            Message::Sync(_) => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ignored { kind } => kind,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let text = |s: &str| Value::Text(s.to_owned());
        let mut map = vec![(text("type"), text(self.kind()))];
        let mut put = |k: &str, v: Value| map.push((text(k), v));
        match self {
            Message::Join {
                sender_id,
                supported_protocol_versions,
                peer_metadata,
            } => {
                put("senderId", text(sender_id.as_str()));
                put(
                    "supportedProtocolVersions",
                    Value::Array(
                        supported_protocol_versions
                            .iter()
                            .map(|v| text(v))
                            .collect(),
                    ),
                );
                put("peerMetadata", encode_metadata(peer_metadata));
            }
            Message::Peer {
                sender_id,
                target_id,
                selected_protocol_version,
                peer_metadata,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("selectedProtocolVersion", text(selected_protocol_version));
                put("peerMetadata", encode_metadata(peer_metadata));
            }
            Message::Error { message } => put("message", text(message)),
            Message::Leave { sender_id } | Message::Heartbeat { sender_id } => {
                put("senderId", text(sender_id.as_str()))
            }
            Message::Request(sync) | Message::Sync(sync) => {
                put("senderId", text(sync.sender_id.as_str()));
                put("targetId", text(sync.target_id.as_str()));
                put("documentId", text(&sync.document_id.to_string()));
                put("data", Value::Bytes(sync.data.clone()));
            }
            Message::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("documentId", text(&document_id.to_string()));
            }
            Message::Ignored { .. } => {}
        }
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = ciborium::ser::into_writer(&Value::Map(map), &mut out);
        out
    }
}

fn encode_metadata(meta: &PeerMetadata) -> Value {
    let mut map = Vec::new();
    if let Some(id) = &meta.storage_id {
        map.push((Value::Text("storageId".into()), Value::Text(id.clone())));
    }
    if let Some(eph) = meta.is_ephemeral {
        map.push((Value::Text("isEphemeral".into()), Value::Bool(eph)));
    }
    Value::Map(map)
}

/// Decodes one frame, refusing frames over `max_frame` bytes before parsing them.
pub fn decode(frame: &[u8], max_frame: usize) -> Result<Message, DecodeError> {
    if frame.len() > max_frame {
        return Err(DecodeError::TooLarge {
            size: frame.len(),
            limit: max_frame,
        });
    }
    let value: Value =
        ciborium::de::from_reader(frame).map_err(|e| DecodeError::Cbor(e.to_string()))?;
    let Value::Map(entries) = value else {
        return Err(DecodeError::NotAMap);
    };
    let fields = Fields(entries);
    let kind = fields.text("type", MAX_ID_LEN)?;
    let peer = |name| fields.text(name, MAX_ID_LEN).map(PeerId::new);
    let doc_id = || -> Result<DocumentId, DecodeError> {
        Ok(fields.text("documentId", MAX_ID_LEN)?.parse()?)
    };
    Ok(match kind.as_str() {
        "join" => Message::Join {
            sender_id: peer("senderId")?,
            supported_protocol_versions: fields.text_list("supportedProtocolVersions")?,
            peer_metadata: fields.metadata(),
        },
        "peer" => Message::Peer {
            sender_id: peer("senderId")?,
            target_id: peer("targetId")?,
            selected_protocol_version: fields.text("selectedProtocolVersion", MAX_ID_LEN)?,
            peer_metadata: fields.metadata(),
        },
        "error" => Message::Error {
            message: fields.text("message", MAX_ERROR_LEN)?,
        },
        "leave" => Message::Leave {
            sender_id: peer("senderId")?,
        },
        HEARTBEAT => Message::Heartbeat {
            sender_id: peer("senderId")?,
        },
        "request" | "sync" => {
            let sync = SyncData {
                sender_id: peer("senderId")?,
                target_id: peer("targetId")?,
                document_id: doc_id()?,
                data: fields.bytes("data")?,
            };
            if kind == "sync" {
                Message::Sync(sync)
            } else {
                Message::Request(sync)
            }
        }
        "doc-unavailable" => Message::DocUnavailable {
            sender_id: peer("senderId")?,
            target_id: peer("targetId")?,
            document_id: doc_id()?,
        },
        "ephemeral" | "remote-subscription-change" | "remote-heads-changed" => {
            Message::Ignored { kind }
        }
        _ => return Err(DecodeError::UnknownType(kind)),
    })
}

struct Fields(Vec<(Value, Value)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find_map(|(k, v)| (k.as_text() == Some(name)).then_some(v))
    }

    fn text(&self, name: &'static str, limit: usize) -> Result<String, DecodeError> {
        let text = self
            .get(name)
            .and_then(Value::as_text)
            .ok_or(DecodeError::MissingField(name))?;
        if text.len() > limit {
            return Err(DecodeError::TooLong { field: name, limit });
        }
        Ok(text.to_owned())
    }

    fn text_list(&self, name: &'static str) -> Result<Vec<String>, DecodeError> {
        let items = self
            .get(name)
            .and_then(Value::as_array)
            .ok_or(DecodeError::MissingField(name))?;
        if items.len() > MAX_VERSIONS {
            return Err(DecodeError::TooLong {
                field: name,
                limit: MAX_VERSIONS,
            });
        }
        items
            .iter()
            .map(|v| match v.as_text() {
                Some(t) if t.len() > MAX_ID_LEN => Err(DecodeError::TooLong {
                    field: name,
                    limit: MAX_ID_LEN,
                }),
                Some(t) => Ok(t.to_owned()),
                None => Err(DecodeError::MissingField(name)),
            })
            .collect()
    }

    /// Byte strings, also when a JavaScript encoder wrapped them in a typed-array tag (64).
    fn bytes(&self, name: &'static str) -> Result<Vec<u8>, DecodeError> {
        match self.get(name) {
            Some(Value::Bytes(b)) => Ok(b.clone()),
            Some(Value::Tag(64, inner)) => match inner.as_ref() {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(DecodeError::MissingField(name)),
            },
            _ => Err(DecodeError::MissingField(name)),
        }
    }

    fn metadata(&self) -> PeerMetadata {
        let Some(Value::Map(meta)) = self.get("peerMetadata") else {
            return PeerMetadata::default();
        };
        let meta = Fields(meta.clone());
        PeerMetadata {
            // An over-long storage id is dropped: it is metadata the relay does not use.
            storage_id: meta
                .get("storageId")
                .and_then(Value::as_text)
                .filter(|s| s.len() <= MAX_ID_LEN)
                .map(str::to_owned),
            is_ephemeral: meta.get("isEphemeral").and_then(Value::as_bool),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_sync() -> SyncData {
        SyncData {
            sender_id: PeerId::new("a"),
            target_id: PeerId::new("relay"),
            document_id: DocumentId::random(),
            data: vec![0x42, 0x00, 0xff],
        }
    }

    #[test]
    fn every_message_round_trips() {
        let messages = [
            Message::Join {
                sender_id: PeerId::new("tablet"),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: PeerMetadata {
                    storage_id: Some("s".into()),
                    is_ephemeral: Some(false),
                },
            },
            Message::Peer {
                sender_id: PeerId::new("relay"),
                target_id: PeerId::new("tablet"),
                selected_protocol_version: "1".into(),
                peer_metadata: PeerMetadata::default(),
            },
            Message::Error {
                message: "нет доступа".into(),
            },
            Message::Leave {
                sender_id: PeerId::new("tablet"),
            },
            Message::Heartbeat {
                sender_id: PeerId::new("tablet"),
            },
            Message::Request(sample_sync()),
            Message::Sync(sample_sync()),
            Message::DocUnavailable {
                sender_id: PeerId::new("relay"),
                target_id: PeerId::new("tablet"),
                document_id: DocumentId::random(),
            },
        ];
        for message in messages {
            assert_eq!(decode(&message.encode(), DEFAULT_MAX_FRAME), Ok(message));
        }
    }

    #[test]
    fn a_frame_over_the_limit_is_refused_before_parsing() {
        let frame = Message::Sync(sample_sync()).encode();
        assert_eq!(
            decode(&frame, 4),
            Err(DecodeError::TooLarge {
                size: frame.len(),
                limit: 4
            })
        );
    }

    #[test]
    fn typed_array_tagged_bytes_are_accepted() {
        let id = DocumentId::random();
        let map = Value::Map(vec![
            (Value::Text("type".into()), Value::Text("sync".into())),
            (Value::Text("senderId".into()), Value::Text("js".into())),
            (Value::Text("targetId".into()), Value::Text("relay".into())),
            (
                Value::Text("documentId".into()),
                Value::Text(id.to_string()),
            ),
            (
                Value::Text("data".into()),
                Value::Tag(64, Box::new(Value::Bytes(vec![1, 2]))),
            ),
            (Value::Text("extra".into()), Value::Null),
        ]);
        let mut frame = Vec::new();
        ciborium::ser::into_writer(&map, &mut frame).unwrap();
        let Ok(Message::Sync(sync)) = decode(&frame, DEFAULT_MAX_FRAME) else {
            panic!()
        };
        assert_eq!((sync.document_id, sync.data), (id, vec![1, 2]));
    }

    #[test]
    fn malformed_frames_are_errors() {
        type Expect = fn(&DecodeError) -> bool;
        let cases: Vec<(Vec<u8>, Expect)> = vec![
            (vec![], |e| matches!(e, DecodeError::Cbor(_))),
            (vec![0xff, 0x00], |e| matches!(e, DecodeError::Cbor(_))),
            (vec![0x01], |e| matches!(e, DecodeError::NotAMap)),
            (vec![0xa0], |e| {
                matches!(e, DecodeError::MissingField("type"))
            }),
        ];
        for (frame, expected) in cases {
            let err = decode(&frame, DEFAULT_MAX_FRAME).unwrap_err();
            assert!(expected(&err), "{frame:?} gave {err:?}");
        }
        let unknown = Value::Map(vec![(
            Value::Text("type".into()),
            Value::Text("boom".into()),
        )]);
        let mut frame = Vec::new();
        ciborium::ser::into_writer(&unknown, &mut frame).unwrap();
        assert_eq!(
            decode(&frame, DEFAULT_MAX_FRAME),
            Err(DecodeError::UnknownType("boom".into()))
        );
    }

    #[test]
    fn peer_chosen_strings_are_bounded() {
        let long = "x".repeat(MAX_ID_LEN + 1);
        let mut sync = sample_sync();
        sync.sender_id = PeerId::new(long.clone());
        assert_eq!(
            decode(&Message::Sync(sync).encode(), DEFAULT_MAX_FRAME),
            Err(DecodeError::TooLong {
                field: "senderId",
                limit: MAX_ID_LEN
            })
        );
        let join = Message::Join {
            sender_id: PeerId::new("tablet"),
            supported_protocol_versions: vec!["1".into(); MAX_VERSIONS + 1],
            peer_metadata: PeerMetadata::default(),
        };
        assert!(matches!(
            decode(&join.encode(), DEFAULT_MAX_FRAME),
            Err(DecodeError::TooLong { .. })
        ));
        let error = Message::Error {
            message: "ошибка".repeat(MAX_ERROR_LEN),
        };
        assert!(matches!(
            decode(&error.encode(), DEFAULT_MAX_FRAME),
            Err(DecodeError::TooLong { .. })
        ));
        // At the limit, an id is fine.
        let mut sync = sample_sync();
        sync.sender_id = PeerId::new("y".repeat(MAX_ID_LEN));
        let message = Message::Sync(sync);
        assert_eq!(decode(&message.encode(), DEFAULT_MAX_FRAME), Ok(message));
    }
}
