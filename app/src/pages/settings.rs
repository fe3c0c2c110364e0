use leptos::prelude::*;
use model::{ProfileField, School, ru};

use crate::account::{self, Device, Invitation};
use crate::repo::Repo;

#[component]
pub fn Settings() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let (Some(school), Some(credentials)) = (repo.school(), repo.credentials()) else {
        return view! { <section class="card"><p>"Устройство ещё не подключено к школе."</p></section> }.into_any();
    };
    let error = RwSignal::new(None::<String>);
    let demo = RwSignal::new(None::<String>);
    let (repo2, repo3) = (repo.clone(), repo.clone());
    let name = {
        let repo = repo.clone();
        Memo::new(move |_| repo.read(&school, School::name).unwrap_or_default())
    };
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
            {ProfileField::ALL.into_iter().map(|f| {
                let (r1, r2) = (repo2.clone(), repo2.clone());
                view! {
                    <label>{f.label()}
                        <input type="text" name=format!("profile-{}", f.key()) prop:value=move || r1.read(&school, |d| School::profile(d, f)).unwrap_or_default()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if let Err(e) = r2.change(&school, |tx| School::set_profile(tx, f, &v)) { error.set(Some(e.to_string())) }
                            } />
                    </label>
                }
            }).collect_view()}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
        <section class="card">
            <h2>"Демонстрационные данные"</h2>
            <p class="muted">"Учебный год вымышленной школы: 150 учеников, 20 педагогов, 3 программы, 25 пар и групп, встречи, анкеты, дорожная карта. Все имена выдуманы. Данные добавляются к данным школы и синхронизируются с другими планшетами."</p>
            <button type="button" data-testid="load-demo" on:click=move |_| {
                let confirmed = web_sys::window().and_then(|w| w.confirm_with_message("Добавить демонстрационные данные к данным школы?").ok()).unwrap_or(false);
                if !confirmed { return; }
                match repo3.load_demo() {
                    Ok(n) => demo.set(Some(format!("Добавлено: {}.", ru::count(n as u64, ["участник", "участника", "участников"])))),
                    Err(e) => demo.set(Some(e.to_string())),
                }
            }>"Загрузить демонстрационный учебный год"</button>
            {move || demo.get().map(|d| view! { <p data-testid="demo-loaded">{d}</p> })}
        </section>
        <Devices token=credentials.token.clone() me=credentials.device_id.clone() curator=credentials.curator />
    }
    .into_any()
}

/// The school's devices; the curator invites new ones and revokes lost ones.
#[component]
fn Devices(token: String, me: String, curator: bool) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let listing = {
        let token = token.clone();
        LocalResource::new(move || {
            refresh.track();
            let token = token.clone();
            async move { account::me(&token).await }
        })
    };
    let invitation = RwSignal::new(None::<Result<Invitation, String>>);
    let invite = {
        let token = token.clone();
        move |_| {
            let token = token.clone();
            leptos::task::spawn_local(async move {
                invitation.try_set(Some(account::invite(&token).await.map_err(|e| e.0)));
            });
        }
    };
    let token = StoredValue::new(token);
    let revoke = move |device: Device| {
        let token = token.get_value();
        leptos::task::spawn_local(async move {
            match account::revoke(&token, &device.id).await {
                Ok(()) => {
                    refresh.try_update(|n| *n += 1);
                }
                Err(e) => {
                    invitation.try_set(Some(Err(e.0)));
                }
            }
        });
    };
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    view! {
        <section class="card" data-testid="devices">
            <h2>"Устройства школы"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Загрузка списка…"</p> }>
                {move || listing.get().map(|answer| match answer {
                    Err(e) => view! { <p class="muted">{e.0}</p> }.into_any(),
                    Ok(me_and_all) => view! {
                        <ul class="devices">
                            {me_and_all.devices.into_iter().map(|d| {
                                let revoked = d.revoked_at.is_some();
                                let is_me = d.id == me;
                                let label = format!("{}{}", d.name, if d.is_curator() { " · куратор" } else { "" });
                                let status = if revoked { "отключено" } else if is_me { "это устройство" } else { "" };
                                let target = d.clone();
                                view! {
                                    <li data-testid="device" data-revoked=revoked.to_string()>
                                        <span>{label}</span>
                                        <span class="muted">{status}</span>
                                        <Show when=move || curator && !revoked && !is_me>
                                            <button class="danger" data-testid="revoke-device"
                                                on:click={ let t = target.clone(); move |_| revoke(t.clone()) }>
                                                "Отключить"
                                            </button>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=move || curator>
            <section class="card">
                <h2>"Пригласить устройство"</h2>
                <p>"Код действует 72 часа и подходит для одного устройства. Откройте ссылку на новом планшете или введите код на его первом экране."</p>
                <button class="primary" data-testid="invite" on:click=invite.clone()>"Создать код приглашения"</button>
                {
                    let origin = origin.clone();
                    move || invitation.get().map(|answer| match answer {
                        Ok(inv) => {
                            let link = format!("{origin}/join/{}", inv.code);
                            view! {
                                <p>"Код: " <strong class="code" data-testid="invitation-code">{inv.code.clone()}</strong></p>
                                <div class="qr" data-testid="invitation-qr" inner_html=qr_svg(&link)></div>
                                <p><a href=link.clone() data-testid="invitation-link">{link.clone()}</a></p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                    })
                }
            </section>
        </Show>
    }
}

/// The invitation link as a QR code (SVG), for the new tablet's camera.
fn qr_svg(link: &str) -> String {
    match qrcode::QrCode::new(link.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}
