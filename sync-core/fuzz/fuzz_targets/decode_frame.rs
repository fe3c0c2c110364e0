//! Any bytes as a WebSocket frame: decoding, and applying a decoded sync message, must return
//! (an error or a value) and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sync_core::fuzzing::frame(data);
});
