//! The document worker. Trunk builds it as a separate wasm module (`data-type="worker"`, see
//! `app/index.html`) that is not in the app's first download: the app starts it from
//! [`export::worker::SCRIPT`] the first time a document is asked for, and the service worker
//! keeps it for offline use. It answers requests with [`export::worker::handle`].

#[cfg(target_arch = "wasm32")]
mod web {
    use export::worker::{Payload, READY, handle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let reply_to = scope.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            let message = js_sys::Array::from(&ev.data());
            let id = message.get(0);
            let request = message.get(1).as_string().unwrap_or_default();
            // A file to read travels beside the request.
            let bytes = message
                .get(2)
                .dyn_into::<js_sys::Uint8Array>()
                .ok()
                .map(|a| a.to_vec());
            let (reply, payload) = handle(&request, bytes.as_deref());
            let reply = reply.to_json();
            let out = js_sys::Array::of3(&id, &reply.into(), &JsValue::NULL);
            let transfer = js_sys::Array::new();
            match payload {
                Payload::File(bytes) => {
                    let array = js_sys::Uint8Array::from(bytes.as_slice());
                    transfer.push(&array.buffer());
                    out.set(2, array.into());
                }
                Payload::Html(html) => out.set(2, html.into()),
                Payload::Nothing => {}
            }
            // Nothing to do if posting fails: the app's request then fails by the worker's error.
            let _ = reply_to.post_message_with_transfer(&out, &transfer);
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let _ = scope.post_message(&READY.into());
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::start();
}
