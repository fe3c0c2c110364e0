use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::home::Welcome;
use crate::repo::Repo;

/// `/join/<code>`: the link the curator's «Пригласить устройство» shows. Opens the first screen
/// with the code filled in; a device that is (or just got) enrolled goes to its school.
#[component]
pub fn Join() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let params = use_params_map();
    let code = params.read_untracked().get("code").unwrap_or_default();
    move || {
        if repo.credentials().is_some() && repo.school().is_some() {
            view! { <Redirect path="/" /> }.into_any()
        } else {
            view! { <Welcome code=code.clone() /> }.into_any()
        }
    }
}
