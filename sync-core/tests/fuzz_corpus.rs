//! Replays the fuzz corpus (`sync-core/fuzz/corpus/decode_frame`): every input, including the
//! ones the fuzzer found interesting, must be handled without a panic.

#[test]
fn every_corpus_input_is_handled_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode_frame");
    let mut accepted = 0;
    let mut refused = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus is in the repository") {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if sync_core::fuzzing::frame(&data) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // The corpus exercises both paths: frames that are applied and frames that are refused.
    assert!(accepted >= 7, "accepted {accepted}");
    assert!(refused >= 7, "refused {refused}");
}
