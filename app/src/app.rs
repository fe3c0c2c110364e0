use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::{Notice, ReceivingBanner, SaveBanner, StatusBar, Undo, UndoToast};
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
        // Meanwhile index.html's own shell shows the bar and the school's name.
        <Suspense fallback=|| ()>
            {move || {
                repo.get()
                    .inspect(|_| remove_boot_shell())
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
    let notice = Notice::new();
    provide_context(notice);
    provide_context(Undo::new());
    provide_context(crate::components::Year::new());
    view! {
        <Router>
            // The bar and the tabs stay on screen together, however many lines the bar takes.
            <div class="chrome">
                <header class="topbar">
                    <A href="/" attr:class="brand">
                        "Наставник"
                    </A>
                    <StatusBar />
                    <crate::components::YearPicker />
                    <A href="/settings" attr:class="settings-link">
                        "Настройки"
                    </A>
                </header>
                <nav class="tabs" aria-label="Разделы">
                    <A href="/" exact=true>"Программы"</A>
                    <A href="/people" attr:data-testid="nav-people">"Участники"</A>
                    <A href="/pairs" attr:data-testid="nav-pairs">"Пары"</A>
                    <A href="/questionnaires" attr:data-testid="nav-questionnaires">"Анкеты"</A>
                    <A href="/roadmap" attr:data-testid="nav-roadmap">"Дорожная карта"</A>
                    <A href="/events" attr:data-testid="nav-events">"Мероприятия"</A>
                    <A href="/documents" attr:data-testid="nav-documents">"Документы"</A>
                    <A href="/archive" attr:data-testid="nav-archive">"Архив"</A>
                </nav>
            </div>
            <SaveBanner />
            <ReceivingBanner />
            {move || notice.message.get().filter(|n| !n.is_empty()).map(|n| view! {
                <div class="banner error" role="alert" data-testid="form-error">
                    <p>{n}</p>
                    <button type="button" on:click=move |_| notice.message.set(None)>"Понятно"</button>
                </div>
            })}
            <PageTitle />
            <main>
                <Routes fallback=|| view! { <p>"Страница не найдена."</p> }>
                    <Route path=path!("/") view=pages::Home />
                    <Route path=path!("/programmes/new") view=pages::NewProgramme />
                    <Route path=path!("/programmes/:id") view=|| view! { <Remount><pages::EditProgramme /></Remount> } />
                    <Route path=path!("/join/:code") view=pages::Join />
                    <Route path=path!("/people") view=pages::PeopleList />
                    <Route path=path!("/people/new") view=pages::NewPerson />
                    <Route path=path!("/people/import") view=pages::ImportPeople />
                    <Route path=path!("/people/:id") view=|| view! { <Remount><pages::PersonPage /></Remount> } />
                    <Route path=path!("/people/:id/questionnaires/:qid/:stage") view=|| view! { <Remount><pages::FillQuestionnaire /></Remount> } />
                    <Route path=path!("/pairs") view=pages::PairsList />
                    <Route path=path!("/pairs/new") view=pages::NewPair />
                    <Route path=path!("/pairs/:id") view=|| view! { <Remount><pages::PairPage /></Remount> } />
                    <Route path=path!("/meetings/:id") view=|| view! { <Remount><pages::MeetingPage /></Remount> } />
                    <Route path=path!("/questionnaires") view=pages::Questionnaires />
                    <Route path=path!("/questionnaires/:id") view=|| view! { <Remount><pages::QuestionnairePage /></Remount> } />
                    <Route path=path!("/roadmap") view=pages::Roadmap />
                    <Route path=path!("/events") view=pages::Events />
                    <Route path=path!("/documents") view=pages::Documents />
                    <Route path=path!("/settings") view=pages::Settings />
                    <Route path=path!("/archive") view=pages::Archive />
                    <Route path=path!("/count") view=pages::Count />
                    <Route path=path!("/monitoring") view=pages::MonitoringPage />
                </Routes>
            </main>
            <UndoToast />
        </Router>
    }
}

/// The browser tab and the history name the screen: «Пары — Наставник».
#[component]
fn PageTitle() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let screen = match path.split('/').nth(1).unwrap_or("") {
            "" => "Программы",
            "programmes" if path.ends_with("/new") => "Новая программа",
            "programmes" => "Программа",
            "people" if path.ends_with("/new") => "Новый участник",
            "people" if path.ends_with("/import") => "Загрузка из таблицы",
            "people" if path.contains("/questionnaires/") => "Анкета участника",
            "people" if path.len() > "/people/".len() => "Участник",
            "people" => "Участники",
            "pairs" if path.ends_with("/new") => "Новая пара",
            "pairs" if path.len() > "/pairs/".len() => "Пара",
            "pairs" => "Пары и группы",
            "meetings" => "Встреча",
            "questionnaires" => "Анкеты",
            "roadmap" => "Дорожная карта",
            "events" => "Мероприятия",
            "documents" => "Документы",
            "settings" => "Настройки",
            "archive" => "Архив",
            "count" => "Численность для РНЦ",
            "monitoring" => "Мониторинг",
            "join" => "Подключение к школе",
            _ => "",
        };
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&if screen.is_empty() {
                "Наставник".to_owned()
            } else {
                format!("{screen} — Наставник")
            });
        }
    });
}

/// Renders its page afresh when the route's parameters change: following a link from one person (pair,
/// meeting…) to another keeps the route, and the pages read their id once.
#[component]
fn Remount(children: ChildrenFn) -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params.track();
        children()
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
        // Erasures decided while the relay could not be reached are completed now, and those
        // recorded while this device was away are applied.
        repo.check_erasures().await;
    });
}

/// Where index.html's shell finds the school's name before the app's code has arrived.
const SCHOOL_NAME_KEY: &str = "nastavnik.school-name";

/// Removes the shell index.html paints while the app loads.
fn remove_boot_shell() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// Keeps the school's name for the next start's first paint (index.html reads it).
pub fn remember_school_name(name: &str) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    if storage.get_item(SCHOOL_NAME_KEY).ok().flatten().as_deref() != Some(name) {
        let _ = storage.set_item(SCHOOL_NAME_KEY, name);
    }
}

/// After the first visit the service worker serves the app shell with no network at all.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let _ = container.register("/sw.js");
}
