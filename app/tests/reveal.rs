//! A long list drawn a slice per painted frame (`components::reveal`): it starts with the first
//! slice, grows one slice per frame until the whole list is drawn, then stops, and follows a list
//! that grows.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Resolves after the next frame and the tasks queued from it.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().unwrap();
        window.request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// What `shown` says over `frames` frames, each value once.
async fn watch(shown: Signal<usize>, frames: usize) -> Vec<usize> {
    let mut seen = vec![shown.get_untracked()];
    for _ in 0..frames {
        next_frame().await;
        let n = shown.get_untracked();
        if seen.last() != Some(&n) {
            seen.push(n);
        }
    }
    seen
}

#[wasm_bindgen_test]
async fn a_long_list_is_drawn_a_slice_per_frame_to_its_end() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    let total = RwSignal::new(20usize);
    let shown = app::components::reveal(move || total.get(), 6, 6);

    let seen = watch(shown, 30).await;
    assert_eq!(seen.first(), Some(&6), "the first slice at once: {seen:?}");
    assert_eq!(
        seen.last(),
        Some(&24),
        "the whole list, then no more: {seen:?}"
    );
    assert!(seen.len() > 2, "in slices, not at once: {seen:?}");
    assert!(
        seen.windows(2)
            .all(|w| w[0] < w[1] && (w[1] - w[0]) % 6 == 0),
        "{seen:?}"
    );

    // A line added past what is drawn is drawn too.
    total.set(25);
    let seen = watch(shown, 10).await;
    assert_eq!(seen.last(), Some(&30), "{seen:?}");

    // A list that changes often while it is drawn is still drawn a slice per frame: one slice
    // waits at a time (a slice started per change would draw several per frame).
    total.set(90);
    for n in 91..96 {
        // Each change seen by the list's effect on its own, before the next frame.
        gloo_timers::future::TimeoutFuture::new(0).await;
        total.set(n);
    }
    let seen = watch(shown, 40).await;
    assert_eq!(seen.last(), Some(&96), "{seen:?}");
    assert!(seen.len() >= 8, "eleven slices, one per frame: {seen:?}");
}
