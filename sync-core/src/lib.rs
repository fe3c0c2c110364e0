//! The local-first core shared by the app and the relay, free of I/O.
//!
//! * [`DocumentId`] and [`PeerId`]: identifiers as automerge-repo spells them.
//! * [`wire`]: the automerge-repo network protocol, version "1", as CBOR frames.
//! * [`client::Client`]: a device's side of a connection to the relay.
//! * [`DocSync`]: one document's sync sessions with any number of peers.
//! * [`relay_doc`]: the relay's rules for one document (what the hub and the convergence tests run).
//! * [`chunks`]: the storage scheme (a compacted snapshot plus incremental chunks).
//! * [`school_copy`]: the curator's file with every document of the school, and its restore.
//!
//! Nothing here touches a socket, a clock, a database or randomness that the caller did not
//! pass in, which is what lets `tests/` run several replicas and a relay in one process.

pub mod chunks;
pub mod client;
mod doc_sync;
mod document_id;
#[doc(hidden)]
pub mod fuzzing;
pub mod inflate;
mod peer_id;
pub mod relay_doc;
pub mod school_copy;
pub mod wire;

pub use doc_sync::{DocSync, SyncError};
pub use document_id::{DocumentId, DocumentIdError};
pub use peer_id::PeerId;

/// The only protocol version this implementation speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// How every document in this project counts text positions: UTF-8 bytes, which is what
/// `autosurgeon::Text` splices use. Automerge's default (code points) would misplace every edit
/// after the first Cyrillic letter. The encoding is local; peers using another one interoperate.
pub const TEXT_ENCODING: automerge::TextEncoding = automerge::TextEncoding::Utf8CodeUnit;

/// A new, empty document with the project's [`TEXT_ENCODING`].
pub fn new_document() -> automerge::Automerge {
    automerge::Automerge::new_with_encoding(TEXT_ENCODING)
}
