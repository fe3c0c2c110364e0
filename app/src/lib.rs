//! Наставник, the progressive web app: Leptos (CSR) views over Automerge documents kept in
//! IndexedDB and synced through the relay.
//!
//! * [`repo`]: the device's documents; the only way views read or change data.
//! * [`storage`]: the only module that touches IndexedDB.
//! * [`sync`]: the only module that touches the WebSocket.
//! * [`account`]: the relay's HTTP API (joining a school, inviting and revoking devices).
//! * [`pages`] and [`components`]: views; they talk to [`repo::Repo`] only.

pub mod account;
pub mod app;
pub mod components;
pub mod documents;
pub mod download;
pub mod pages;
pub mod repo;
pub mod storage;
pub mod sync;
pub mod view_cache;

/// The entry point `main.rs` calls.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
