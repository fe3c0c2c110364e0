use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::{SaveBanner, StatusBar};
use crate::pages;
use crate::repo::Repo;
use crate::storage::StorageError;

/// The IndexedDB database this app keeps its data in.
pub const DATABASE: &str = "nastavnik";

#[component]
pub fn App() -> impl IntoView {
    register_service_worker();
    let repo = LocalResource::new(|| async {
        let repo = Repo::open(DATABASE).await?;
        repo.start_sync();
        register_root(repo.clone());
        Ok::<_, StorageError>(repo)
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Загрузка…"</p> }>
            {move || {
                repo.get()
                    .map(|opened| match opened {
                        Ok(repo) => view! { <Shell repo /> }.into_any(),
                        Err(e) => {
                            view! {
                                <div class="fatal" data-testid="storage-error">
                                    <h1>"Не удалось открыть данные на этом устройстве"</h1>
                                    <p>{e.to_string()}</p>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Shell(repo: Repo) -> impl IntoView {
    provide_context(repo);
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">
                    "Наставник"
                </A>
                <StatusBar />
                <A href="/settings" attr:class="settings-link">
                    "Настройки"
                </A>
            </header>
            <SaveBanner />
            <main>
                <Routes fallback=|| view! { <p>"Страница не найдена."</p> }>
                    <Route path=path!("/") view=pages::Home />
                    <Route path=path!("/programmes/new") view=pages::NewProgramme />
                    <Route path=path!("/programmes/:id") view=pages::EditProgramme />
                    <Route path=path!("/join/:code") view=pages::Join />
                    <Route path=path!("/settings") view=pages::Settings />
                </Routes>
            </main>
        </Router>
    }
}

/// The curator's first device creates the school document; if telling the relay its id failed
/// then, it is retried at every start until the relay knows it (other devices need it to join).
fn register_root(repo: Repo) {
    // Untracked: this runs inside the resource that opened the repo, which must never re-run
    // (it owns the repo's signals).
    let (credentials, school) = untrack(|| (repo.credentials(), repo.school()));
    let (Some(credentials), Some(school)) = (credentials, school) else {
        return;
    };
    if !credentials.curator {
        return;
    }
    leptos::task::spawn_local(async move {
        if let Ok(me) = crate::account::me(&credentials.token).await
            && me.school.root_doc.is_none()
        {
            let _ = crate::account::set_root(&credentials.token, &school.to_string()).await;
        }
    });
}

/// After the first visit the service worker serves the app shell with no network at all.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let _ = container.register("/sw.js");
}
