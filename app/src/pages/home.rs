use leptos::prelude::*;
use leptos_router::components::A;
use model::year::InYear;
use model::{Programme, SchemaStatus, School, ru};
use sync_core::DocumentId;

use crate::account;
use crate::components::Year;
use crate::repo::Repo;
use crate::view_cache::Card;

#[component]
pub fn Home() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let loaded = {
        let repo = repo.clone();
        Signal::derive(move || repo.is_loaded())
    };
    // What the page shows depends on these alone: a change to the school's data re-renders the
    // parts that show it, not the page (which would also reset what its parts hold).
    // While the school's document is parsed at start, the home view stored with it stands
    // for it (stored only for a school at the current schema).
    let state = Memo::new(move |_| match (repo.credentials(), repo.school()) {
        (Some(_), Some(school)) if repo.home_view().is_some() => {
            Some((school, Ok(SchemaStatus::Current)))
        }
        (Some(_), Some(school)) => Some((
            school,
            repo.read(&school, School::schema_status)
                .map_err(|e| e.to_string()),
        )),
        _ => None,
    });
    move || {
        match state.get() {
            None => view! { <Welcome code=String::new() /> }.into_any(),
            Some((school, status)) => {
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
                Ok(SchemaStatus::Suspect(version)) => view! {
                    <SuspectSchema school version />
                    <ProgrammeList school />
                }
                .into_any(),
                // The panels read every person's document: they follow once those are parsed,
                // and the programme list does not wait for them.
                Ok(_) => view! {
                    <Show when=move || loaded.get()>
                        <crate::pages::DuePanel /> <crate::pages::ProgressPanel /> <crate::pages::MissingDocumentsPanel />
                    </Show>
                    <ProgrammeList school />
                    <Show when=move || loaded.get()>
                        <crate::components::RolloverPanel />
                    </Show>
                }.into_any(),
                Err(e) => view! { <section class="card error"><p>{e}</p></section> }.into_any(),
            }
            }
        }
    }
}

/// The school document claims a schema no app has: shown read-only, with the device that
/// wrote the claim (from the relay's record of which device brought which changes); the
/// curator sets it back with one tap.
#[component]
fn SuspectSchema(school: DocumentId, version: u64) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let writer = untrack(|| repo.read(&school, model::schema_writer))
        .ok()
        .flatten()
        .map(|actor| actor.to_hex_string());
    let credentials = untrack(|| repo.credentials());
    let curator = credentials.as_ref().is_some_and(|c| c.curator);
    let token = credentials.map(|c| c.token);
    let device = LocalResource::new(move || {
        let (writer, token) = (writer.clone(), token.clone());
        async move {
            let (Some(writer), Some(token)) = (writer, token) else {
                return Err(());
            };
            let authors = account::authors(&token).await.map_err(|_| ())?;
            Ok(authors
                .into_iter()
                .find(|a| a.actor == writer)
                .map(|a| a.name))
        }
    });
    let error = RwSignal::new(None::<String>);
    let repair = {
        let repo = repo.clone();
        move |_| match repo.change(&school, |tx| School::repair_schema(tx)) {
            Ok(_) => {
                // Marks the same device may have written are checked against the relay again.
                let repo = repo.clone();
                leptos::task::spawn_local(async move { repo.check_erasures().await });
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card error" data-testid="suspect-schema">
            <h1>"Документ школы помечен неверной версией"</h1>
            <p>{format!("Версии схемы {version} нет ни у одного приложения. Изменения остановлены, данные школы не тронуты.")}</p>
            <p data-testid="schema-writer">{move || match device.get() {
                None => "Выясняем, какое устройство это записало…".to_owned(),
                Some(Ok(Some(name))) => format!("Это записало устройство «{name}». Если это не ваше устройство, отключите его в «Настройках»."),
                Some(Ok(None)) => "Устройство, которое это записало, сервер не знает.".to_owned(),
                Some(Err(())) => "Нет связи с сервером: устройство, которое это записало, станет известно позже.".to_owned(),
            }}</p>
            {curator.then(|| view! {
                <button type="button" data-testid="repair-schema" on:click=repair.clone()>"Исправить версию документа"</button>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// The first screen of a new device: join the school with an invitation code.
///
/// The relay's operator gives the curator the first code (`sync-server school create`); the
/// curator gives every other device its own, from «Настройки».
#[component]
pub fn Welcome(code: String) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let code = RwSignal::new(code);
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (code, name) = (code.get_untracked(), name.get_untracked());
        if code.trim().is_empty() {
            error.set(Some("Введите код приглашения.".into()));
            return;
        }
        if name.trim().is_empty() {
            error.set(Some(
                "Назовите это устройство, например «Планшет куратора».".into(),
            ));
            return;
        }
        busy.set(true);
        let repo = repo.clone();
        leptos::task::spawn_local(async move {
            let result = join_school(&repo, &code, &name).await;
            // On success this view is already gone (the school's screen replaced it).
            busy.try_set(false);
            error.try_set(result.err());
        });
    };
    view! {
        <section class="card">
            <h1>"Добро пожаловать в «Наставник»"</h1>
            <p>"Программа наставничества школы по целевой модели (распоряжение Минпросвещения № Р-145). Данные хранятся на этом устройстве и синхронизируются с другими планшетами школы, когда есть связь."</p>
        </section>
        <form class="card" on:submit=submit data-testid="join-school">
            <h2>"Подключение к школе"</h2>
            <p class="muted">"Код приглашения куратор получает у администратора сервера, остальные планшеты — у куратора: «Настройки» → «Пригласить устройство»."</p>
            <label>"Код приглашения"
                <input type="text" name="join-code" autocomplete="off" placeholder="ABCDE-FGHJK"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
            </label>
            <label>"Название этого устройства"
                <input type="text" name="device-name" placeholder="Планшет куратора"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || if busy.get() { "Подключение…" } else { "Подключиться" }}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="join-error">{e}</p> })}
        </form>
    }
}

/// Redeems the invitation, keeps the credential, and opens (or, for the school's very first
/// device, creates) the school document.
async fn join_school(repo: &Repo, code: &str, device_name: &str) -> Result<(), String> {
    let joined = account::join(code, device_name).await.map_err(|e| e.0)?;
    repo.enroll(&joined.token, &joined.device.id, joined.device.is_curator());
    let root = joined
        .school
        .root_doc
        .as_deref()
        .and_then(|d| DocumentId::parse_url_or_id(d).ok());
    match root {
        Some(root) => repo.join_school(root),
        None if !joined.device.is_curator() => {
            return Err(
                "Школа ещё не подключена на планшете куратора. Подключите сначала его, \
                        затем этот планшет."
                    .into(),
            );
        }
        None => {
            let id = repo
                .create_school(&joined.school.name)
                .map_err(|e| e.to_string())?;
            let school = account::set_root(&joined.token, &id.to_string())
                .await
                .map_err(|e| e.0)?;
            // Another device of the school registered first: use its document.
            if let Some(theirs) = school
                .root_doc
                .as_deref()
                .and_then(|d| DocumentId::parse_url_or_id(d).ok())
                && theirs != id
            {
                repo.join_school(theirs);
            }
        }
    }
    Ok(())
}

#[component]
fn ProgrammeList(school: DocumentId) -> impl IntoView {
    let repo = expect_context::<Repo>();
    // What the last visit stored, until the school's document is parsed (see `view_cache`).
    let stored = {
        let repo = repo.clone();
        Memo::new(move |_| repo.home_view())
    };
    let name = {
        let repo = repo.clone();
        Memo::new(move |_| match stored.get() {
            Some(view) => view.name.clone(),
            None => repo.read(&school, School::name).unwrap_or_default(),
        })
    };
    Effect::new(move |_| crate::app::remember_school_name(&name.get()));
    let all = Memo::new(move |_| match stored.get() {
        Some(view) => Ok(view.programmes.clone()),
        None => repo
            .records::<Programme>(&school)
            .map(|list| list.iter().map(|(id, p)| Card::of(id, p)).collect())
            .map_err(|e| e.to_string()),
    });
    // The chosen academic year's programmes.
    let of_year = move |removed: bool| -> Vec<Card> {
        let year = Year::get();
        all.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.removed == removed && c.is_in(&year))
            .collect()
    };
    let active = move || of_year(false);
    let removed = move || of_year(true);
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
        // A stored view is kept only for a school past its first steps.
        <Show when=move || stored.with(Option::is_none)>
            <FirstSteps school programmes=Signal::derive(move || active().len()) />
        </Show>
        <ul class="programmes" data-testid="programmes">
            <For each=active key=Card::clone let(card)>
                <ProgrammeCard card />
            </For>
        </ul>
        <Show when=move || !removed().is_empty()>
            <details class="removed">
                <summary>{move || format!("Удалённые программы ({})", removed().len())}</summary>
                <ul class="programmes" data-testid="removed-programmes">
                    <For each=removed key=Card::clone let(card)>
                        <ProgrammeCard card />
                    </For>
                </ul>
            </details>
        </Show>
    }
}

/// What an empty school does first, in order, each step one tap from where it is done; and the
/// demo year for a look at a school in full swing.
#[component]
fn FirstSteps(school: DocumentId, programmes: Signal<usize>) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let (r1, r2, r3) = (repo.clone(), repo.clone(), repo.clone());
    let profiled = Memo::new(move |_| {
        r1.read(&school, |d| {
            !School::profile(d, model::ProfileField::Director)
                .trim()
                .is_empty()
        })
        .unwrap_or(false)
    });
    let people = Memo::new(move |_| {
        r2.records::<model::PersonEntry>(&school)
            .map(|p| {
                p.iter()
                    .filter(|(_, e)| !model::Record::is_removed(e))
                    .count()
            })
            .unwrap_or(0)
    });
    let curator = untrack(|| repo.credentials()).is_some_and(|c| c.curator);
    let demo = RwSignal::new(None::<String>);
    let load_demo = move |_| {
        if !crate::components::confirm(
            "Добавить к данным школы демонстрационный учебный год? Его участники вымышлены; удалить их можно по одному.",
        ) {
            return;
        }
        match r3.load_demo() {
            Ok(n) => demo.set(Some(format!(
                "Добавлено: {}.",
                ru::count(n as u64, ["участник", "участника", "участников"])
            ))),
            Err(e) => demo.set(Some(e.to_string())),
        }
    };
    let step = |done: bool| if done { "step done" } else { "step" };
    // Until the school has both people and a programme.
    let needed = move || people.get() == 0 || programmes.get() == 0;
    view! {
        <Show when=needed>
        <section class="card first-steps" data-testid="first-steps">
            <h2>"С чего начать"</h2>
            <ol>
                <li class=move || step(profiled.get())>
                    <A href="/settings">"Заполните профиль школы"</A>
                    <span class="muted">" — полное название, директор, куратор: они попадут в приказы и согласия."</span>
                </li>
                <li class=move || step(people.get() > 0)>
                    <A href="/people/new" attr:data-testid="first-person">"Внесите участников"</A>
                    <span class="muted">{move || match people.get() {
                        0 => " — наставников и наставляемых: учеников, педагогов, родителей, партнёров.".to_owned(),
                        n => format!(" — внесено: {}.", ru::count(n as u64, ["участник", "участника", "участников"])),
                    }}</span>
                </li>
                <li class=move || step(programmes.get() > 0)>
                    <A href="/programmes/new" attr:data-testid="first-programme">"Создайте программу наставничества"</A>
                    <span class="muted">" — по форме наставничества (ученик – ученик, учитель – учитель…), затем сформируйте в ней пары."</span>
                </li>
            </ol>
            {curator.then(|| view! {
                <p>"Хотите сначала посмотреть, как выглядит школа в середине года? "
                    <button type="button" data-testid="first-demo" on:click=load_demo.clone()>"Загрузить демонстрационный учебный год"</button>
                </p>
            })}
        </section>
        </Show>
        {move || demo.get().map(|d| view! { <p class="card" data-testid="demo-loaded">{d}</p> })}
    }
}

/// A programme's card; re-rendered when anything it shows changes (it is its own key).
#[component]
fn ProgrammeCard(card: Card) -> impl IntoView {
    use leptos::html::ElementChild;
    use leptos::tachys::html::attribute::custom::CustomAttribute;
    // Element Timing: the benchmark reads when the first card was painted.
    let title = leptos::html::h3()
        .attr("data-testid", "programme-title")
        .attr("elementtiming", "programme")
        .child(card.title);
    view! {
        <li class="programme" data-testid="programme">
            <A href=format!("/programmes/{}", card.id)>
                {title}
                <p class="meta">
                    <span data-testid="programme-form">{card.form}</span>
                    " · "
                    <span>{format!("{} учебный год", card.year)}</span>
                </p>
                <p class="note" data-testid="programme-note">{card.note}</p>
            </A>
        </li>
    }
}
