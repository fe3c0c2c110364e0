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
            <p class="muted">"Эти данные попадают в шапки, подписи и тексты документов (раздел «Документы»)."</p>
            {ProfileField::ALL.into_iter().map(|f| {
                let (r1, r2) = (repo2.clone(), repo2.clone());
                let value = move || r1.read(&school, |d| School::profile(d, f)).unwrap_or_default();
                let commit = move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    if let Err(e) = r2.change(&school, |tx| School::set_profile(tx, f, &v)) { error.set(Some(e.to_string())) }
                };
                if f.is_long() {
                    // Empty means the standard text, which the placeholder shows.
                    view! {
                        <label>{f.label()}
                            <textarea name=format!("profile-{}", f.key()) rows="6" placeholder=standard_text(f)
                                prop:value=value on:change=commit />
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label>{f.label()}
                            <input type="text" name=format!("profile-{}", f.key()) prop:value=value on:change=commit />
                        </label>
                    }.into_any()
                }
            }).collect_view()}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
        <SyncDetails />
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
        <Show when=move || credentials.curator>
            <SchoolCopy />
        </Show>
    }
    .into_any()
}

/// The text a document uses when the school left a long profile field empty.
fn standard_text(field: ProfileField) -> &'static str {
    match field {
        ProfileField::OrderPreamble => export::texts::ORDER_PREAMBLE,
        ProfileField::ConsentText => export::texts::CONSENT_PURPOSES,
        _ => "",
    }
}

/// «Сохранить копию данных школы»: a file with every document of the school this tablet holds,
/// to keep off the tablet, and its restore (a merge: nothing held here is lost).
#[component]
fn SchoolCopy() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let message = RwSignal::new(None::<Result<String, String>>);
    let save = {
        let repo = repo.clone();
        move |_| {
            let Some((name, bytes)) = repo.school_copy() else {
                return;
            };
            let date = chrono::Local::now().format("%Y-%m-%d");
            let file = format!("{} {date}.nastavnik", file_name_part(&name));
            match crate::download::offer(&file, "application/octet-stream", &bytes) {
                Ok(()) => message.set(Some(Ok(format!(
                    "Копия сохранена: «{file}», {}.",
                    ru::size(bytes.len() as u64)
                )))),
                Err(e) => message.set(Some(Err(e))),
            }
        }
    };
    let restore = move |ev: leptos::ev::Event| {
        let repo = repo.clone();
        let Some(file) = crate::download::chosen_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let outcome = match crate::download::read_file(&file).await {
                Ok(bytes) => repo.restore_copy(&bytes).map(|r| {
                    let mut parts = vec![
                        format!("новых: {}", r.added),
                        format!("дополнено: {}", r.merged),
                    ];
                    if r.erased > 0 {
                        parts.push(format!("удалённых навсегда пропущено: {}", r.erased));
                    }
                    if r.damaged > 0 {
                        parts.push(format!("не прочитано: {}", r.damaged));
                    }
                    format!("Копия восстановлена ({}).", parts.join(", "))
                }),
                Err(e) => Err(e),
            };
            message.try_set(Some(outcome));
        });
    };
    view! {
        <section class="card" data-testid="school-copy">
            <h2>"Копия данных школы"</h2>
            <p class="muted">"Файл со всеми данными школы на этом планшете, включая персональные данные участников. Храните его как документы с персональными данными. Восстановление добавляет к данным планшета то, чего в них нет, и ничего не удаляет."</p>
            <button type="button" class="primary" data-testid="save-school-copy" on:click=save>"Сохранить копию данных школы"</button>
            <label class="file-button">"Восстановить из копии"
                <input type="file" accept=".nastavnik" data-testid="restore-school-copy" on:change=restore />
            </label>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p data-testid="school-copy-result">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert" data-testid="school-copy-result">{text}</p> }.into_any(),
            })}
        </section>
    }
}

/// A school's name as part of a file name: what file systems and mail clients accept.
fn file_name_part(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        "Копия данных школы".into()
    } else {
        cleaned.chars().take(60).collect()
    }
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
    let open_invitations = {
        let token = token.clone();
        LocalResource::new(move || {
            refresh.track();
            invitation.track();
            let token = token.clone();
            async move {
                if curator {
                    account::invitations(&token).await.unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
        })
    };
    let token = StoredValue::new(token);
    let cancel = move |id: String| {
        let token = token.get_value();
        leptos::task::spawn_local(async move {
            if let Err(e) = account::cancel_invitation(&token, &id).await {
                invitation.try_set(Some(Err(e.0)));
            }
            refresh.try_update(|n| *n += 1);
        });
    };
    let revoke = move |device: Device| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Отключить устройство «{}»? Оно больше не сможет получать и отправлять данные школы.",
                    device.name
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
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
                <Suspense fallback=|| ()>
                    {move || open_invitations.get().filter(|list| !list.is_empty()).map(|list| view! {
                        <h3>"Действующие приглашения"</h3>
                        <ul class="devices" data-testid="open-invitations">
                            {list.into_iter().map(|inv| {
                                let id = inv.id.clone();
                                let made = crate::components::status::moment_of(inv.created_at);
                                let by = inv.created_by_name.clone().unwrap_or_else(|| "администратор сервера".into());
                                let until = crate::components::status::moment_of(inv.expires_at);
                                view! {
                                    <li data-testid="open-invitation">
                                        <span>{format!("создано {made} ({by})")}</span>
                                        <span class="muted">{format!("действует до {until}")}</span>
                                        <button class="danger" data-testid="cancel-invitation"
                                            on:click=move |_| cancel(id.clone())>"Отменить"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                </Suspense>
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

/// What the badge says, by kind of document: how many changes of each have not reached the
/// relay, and how much of the school this device holds.
#[component]
fn SyncDetails() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let (r1, r2, r3) = (repo.clone(), repo.clone(), repo.clone());
    let line =
        |n: usize| crate::components::unsent_text(n).unwrap_or_else(|| "всё на сервере".to_owned());
    view! {
        <section class="card" data-testid="sync-details">
            <h2>"Синхронизация"</h2>
            <table class="plain">
                <tr><th>"Документ школы (программы, пары, встречи, дорожная карта)"</th>
                    <td data-testid="unsent-school">{move || line(r1.unsent().school)}</td></tr>
                <tr><th>"Документы участников"</th>
                    <td data-testid="unsent-people">{move || line(r2.unsent().people)}</td></tr>
                <tr><th>"Получено документов"</th>
                    <td data-testid="received">{move || { let r = r3.received(); format!("{} из {}", r.have, r.of) }}</td></tr>
            </table>
            <p class="muted">"«Синхронизировано» означает, что сервер подтвердил каждое изменение этого планшета."</p>
        </section>
    }
}
