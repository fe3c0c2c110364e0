//! «Отменить»: a destructive action that can be taken back says what it did, with a button
//! that undoes it, for [`UNDO_MS`]. What cannot be taken back asks first ([`confirm`]).

use leptos::prelude::*;

/// How long the offer to undo stays on screen.
pub const UNDO_MS: u32 = 10_000;

#[derive(Clone)]
struct Offer {
    id: u64,
    text: String,
    undo: Callback<()>,
}

/// The page's one offer to undo (a newer action replaces it).
#[derive(Clone, Copy)]
pub struct Undo {
    offer: RwSignal<Option<Offer>>,
    next: StoredValue<u64>,
}

impl Undo {
    pub fn new() -> Self {
        Undo {
            offer: RwSignal::new(None),
            next: StoredValue::new(0),
        }
    }

    /// Shows «`text`» with «Отменить», which runs `undo`.
    pub fn offer(&self, text: impl Into<String>, undo: impl Fn() + Send + Sync + 'static) {
        self.next.update_value(|n| *n += 1);
        let id = self.next.get_value();
        self.offer.set(Some(Offer {
            id,
            text: text.into(),
            undo: Callback::new(move |()| undo()),
        }));
        let offer = self.offer;
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(UNDO_MS).await;
            if offer.get_untracked().is_some_and(|o| o.id == id) {
                offer.set(None);
            }
        });
    }
}

impl Default for Undo {
    fn default() -> Self {
        Self::new()
    }
}

/// Asks once, in Russian, naming what will go; `true` if the user agreed.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

#[component]
pub fn UndoToast() -> impl IntoView {
    let undo = expect_context::<Undo>();
    move || {
        undo.offer.get().map(|o| {
            let run = move |_| {
                undo.offer.set(None);
                o.undo.run(());
            };
            view! {
                <div class="toast" role="status" data-testid="undo">
                    <span>{o.text}</span>
                    <button type="button" data-testid="undo-button" on:click=run>"Отменить"</button>
                    <button type="button" class="link" aria-label="Закрыть" on:click=move |_| undo.offer.set(None)>"×"</button>
                </div>
            }
        })
    }
}
