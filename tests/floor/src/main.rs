//! The floor under the app's first download: the least an app of this design does with the
//! crates it is built on — Leptos (a router, a signal, an input), Automerge (a document loaded,
//! edited, saved and spoken of in the sync protocol) and IndexedDB through rexie, and a
//! WebSocket — and nothing of the school's domain. `scripts/size-floor` builds it as the app is
//! built (same profile, wasm-bindgen, wasm-opt -Oz) and prints its brotli-11 size beside the
//! app's: what no change to our own code can take the first load below.

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::JsValue;

fn main() {
    leptos::mount::mount_to_body(App);
}

/// The document stored under one key, loaded (or made), edited, saved back, and its first sync
/// message sent to the relay.
async fn round_trip(title: String) -> Result<String, JsValue> {
    let db = rexie::Rexie::builder("floor")
        .version(1)
        .add_object_store(rexie::ObjectStore::new("chunks"))
        .build()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let tx = db
        .transaction(&["chunks"], rexie::TransactionMode::ReadWrite)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let store = tx
        .store("chunks")
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let key = JsValue::from_str("school");
    let stored = store
        .get(key.clone())
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut doc = match stored {
        Some(bytes) => AutoCommit::load(&js_sys::Uint8Array::new(&bytes).to_vec())
            .map_err(|e| JsValue::from_str(&e.to_string()))?,
        None => AutoCommit::new(),
    };
    doc.put(ROOT, "title", title.as_str())
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let bytes = js_sys::Uint8Array::from(doc.save().as_slice());
    store
        .put(&bytes.into(), Some(&key))
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    tx.done()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut state = sync::State::new();
    if let Some(message) = doc.sync().generate_sync_message(&mut state) {
        let socket = web_sys::WebSocket::new("/sync")?;
        socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
        socket.send_with_u8_array(&message.encode())?;
    }
    Ok(doc
        .get(ROOT, "title")
        .ok()
        .flatten()
        .map(|(v, _)| v.to_string())
        .unwrap_or_default())
}

#[component]
fn App() -> impl IntoView {
    let title = RwSignal::new(String::new());
    let saved = RwSignal::new(String::new());
    let save = move |_| {
        leptos::task::spawn_local(async move {
            let shown = round_trip(title.get_untracked())
                .await
                .unwrap_or_else(|e| e.as_string().unwrap_or_default());
            saved.set(shown);
        });
    };
    view! {
        <Router>
            <nav><A href="/">"Программы"</A></nav>
            <main>
                <Routes fallback=|| "Страница не найдена.">
                    <Route path=path!("/") view=move || view! {
                        <input type="text" prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev)) />
                        <button type="button" on:click=save>"Сохранить"</button>
                        <p>{move || saved.get()}</p>
                    } />
                </Routes>
            </main>
        </Router>
    }
}
