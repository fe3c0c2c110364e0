use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use sync_core::DocumentId;

use crate::repo::Repo;

/// `/join/<code>`: the link another tablet of the school shows in its settings.
#[component]
pub fn Join() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let params = use_params_map();
    let code = params.read_untracked().get("code").unwrap_or_default();
    match DocumentId::parse_url_or_id(&code) {
        Ok(id) => {
            repo.join_school(id);
            view! { <Redirect path="/" /> }.into_any()
        }
        Err(_) => view! {
            <section class="card error" data-testid="bad-join-code">
                <h1>"Код подключения не распознан"</h1>
                <p>"Откройте ссылку из настроек другого планшета школы целиком."</p>
            </section>
        }
        .into_any(),
    }
}
