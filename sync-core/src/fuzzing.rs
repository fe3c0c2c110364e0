//! The code path the fuzz target and the corpus test drive: a frame as the relay handles it.

use crate::wire::{self, Message};
use crate::{DocSync, PeerId};

/// Decodes a frame and, if it carries a sync message, applies it to a fresh document.
/// Returns whether the frame was accepted; it must never panic, whatever the input.
pub fn frame(data: &[u8]) -> bool {
    match wire::decode(data, wire::DEFAULT_MAX_FRAME) {
        Ok(Message::Sync(sync) | Message::Request(sync)) => {
            let mut doc = crate::new_document();
            let mut session = DocSync::default();
            let peer = PeerId::new("fuzz");
            let applied = session.receive(&mut doc, &peer, &sync.data).is_ok();
            let _ = session.generate(&doc, &peer);
            applied
        }
        Ok(message) => {
            let _ = message.encode();
            true
        }
        Err(_) => false,
    }
}
