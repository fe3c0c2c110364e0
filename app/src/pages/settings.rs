use leptos::prelude::*;
use model::School;

use crate::repo::Repo;

#[component]
pub fn Settings() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let Some(school) = repo.school() else {
        return view! { <section class="card"><p>"Планшет ещё не подключён к школе."</p></section> }.into_any();
    };
    let error = RwSignal::new(None::<String>);
    let name = {
        let repo = repo.clone();
        Memo::new(move |_| repo.read(&school, School::name).unwrap_or_default())
    };
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let link = format!("{origin}/join/{school}");
    let rename = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        match repo.change(&school, |tx| School::set_name(tx, &value)) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card">
            <h1>"Настройки"</h1>
            <label>"Название школы"
                <input type="text" prop:value=move || name.get() on:change=rename />
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
        <section class="card">
            <h2>"Подключить другой планшет"</h2>
            <p>"Откройте эту ссылку на другом планшете школы (в той же сети, где работает сервер) или введите код на его первом экране."</p>
            <p><a href=link.clone() data-testid="join-link">{link.clone()}</a></p>
            <p>"Код подключения: " <code data-testid="join-code">{school.to_string()}</code></p>
        </section>
    }
    .into_any()
}
