use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use model::{Programme, ProgrammeId, SchemaStatus, School, ru};
use sync_core::DocumentId;

use crate::repo::Repo;

#[component]
pub fn Home() -> impl IntoView {
    let repo = expect_context::<Repo>();
    move || match repo.school() {
        None => view! { <Welcome /> }.into_any(),
        Some(school) => {
            let status = repo.read(&school, School::schema_status);
            match status {
                Ok(SchemaStatus::Empty) => view! {
                    <section class="card" data-testid="waiting-school">
                        <h1>"Ожидаем данные школы"</h1>
                        <p>"Планшет подключён к школе. Данные появятся, как только будет связь с сервером."</p>
                    </section>
                }
                .into_any(),
                Ok(SchemaStatus::Newer(v)) => view! {
                    <section class="card warning" data-testid="newer-schema">
                        <h1>"Обновите приложение"</h1>
                        <p>{format!("Данные школы записаны более новой версией приложения (схема {v}). Просмотр доступен, изменения — после обновления.")}</p>
                    </section>
                    <ProgrammeList school />
                }
                .into_any(),
                Ok(_) => view! { <ProgrammeList school /> }.into_any(),
                Err(e) => view! { <section class="card error"><p>{e.to_string()}</p></section> }.into_any(),
            }
        }
    }
}

/// The first screen of a new device: create a school or join one.
#[component]
fn Welcome() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = {
        let repo = repo.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let name = name.get_untracked();
            if name.trim().is_empty() {
                error.set(Some("Укажите название школы.".into()));
                return;
            }
            match repo.create_school(&name) {
                Ok(_) => error.set(None),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    };
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = code.get_untracked();
        let id = text
            .trim()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        match DocumentId::parse_url_or_id(&id) {
            Ok(id) => navigate(&format!("/join/{id}"), Default::default()),
            Err(_) => error.set(Some("Код подключения не распознан. Скопируйте его целиком из настроек другого планшета.".into())),
        }
    };
    view! {
        <section class="card">
            <h1>"Добро пожаловать в «Наставник»"</h1>
            <p>"Программа наставничества школы по целевой модели (распоряжение Минпросвещения № Р-145). Данные хранятся на этом устройстве и синхронизируются с другими планшетами школы, когда есть связь."</p>
        </section>
        <form class="card" on:submit=create data-testid="create-school">
            <h2>"Новая школа"</h2>
            <label>"Название школы"
                <input type="text" name="school-name" placeholder="МБОУ «Берёзовская СОШ»"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary">"Создать школу"</button>
        </form>
        <form class="card" on:submit=join data-testid="join-school">
            <h2>"Подключиться к школе"</h2>
            <label>"Код подключения с другого планшета"
                <input type="text" name="join-code" prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev)) />
            </label>
            <button type="submit">"Подключиться"</button>
        </form>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

#[component]
fn ProgrammeList(school: DocumentId) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let name = {
        let repo = repo.clone();
        Memo::new(move |_| repo.read(&school, School::name).unwrap_or_default())
    };
    let all = Memo::new(move |_| {
        repo.read(&school, School::programmes)
            .and_then(|r| r)
            .map_err(|e| e.to_string())
    });
    let active = move || -> Vec<(ProgrammeId, Programme)> {
        all.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, p)| !p.is_removed())
            .collect()
    };
    let removed = move || -> Vec<(ProgrammeId, Programme)> {
        all.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, p)| p.is_removed())
            .collect()
    };
    view! {
        <section class="page-head">
            <div>
                <p class="school-name" data-testid="school-name">{move || name.get()}</p>
                <h1>"Программы наставничества"</h1>
                <p class="muted" data-testid="programme-count">
                    {move || ru::count(active().len() as u64, ["программа", "программы", "программ"])}
                </p>
            </div>
            <A href="/programmes/new" attr:class="button primary" attr:data-testid="new-programme">
                "Новая программа"
            </A>
        </section>
        {move || all.get().err().map(|e| view! { <p class="error">{e}</p> })}
        <ul class="programmes" data-testid="programmes">
            <For each=active key=card_key let((id, p))>
                <ProgrammeCard id p />
            </For>
        </ul>
        <Show when=move || !removed().is_empty()>
            <details class="removed">
                <summary>{move || format!("Удалённые программы ({})", removed().len())}</summary>
                <ul class="programmes" data-testid="removed-programmes">
                    <For each=removed key=card_key let((id, p))>
                        <ProgrammeCard id p />
                    </For>
                </ul>
            </details>
        </Show>
    }
}

#[component]
fn ProgrammeCard(id: ProgrammeId, p: Programme) -> impl IntoView {
    let note: String = p.note.as_str().chars().take(160).collect();
    view! {
        <li class="programme" data-testid="programme">
            <A href=format!("/programmes/{id}")>
                <h3 data-testid="programme-title">{p.title.as_str().to_owned()}</h3>
                <p class="meta">
                    <span data-testid="programme-form">{p.form().label().to_owned()}</span>
                    " · "
                    <span>{format!("{} учебный год", p.academic_year)}</span>
                </p>
                <p class="note" data-testid="programme-note">{note}</p>
            </A>
        </li>
    }
}

/// A card is re-rendered when anything it shows changes.
fn card_key((id, p): &(ProgrammeId, Programme)) -> (ProgrammeId, String, String, String, String) {
    (
        id.clone(),
        p.title.as_str().to_owned(),
        p.note.as_str().to_owned(),
        p.form.clone(),
        p.academic_year.clone(),
    )
}
