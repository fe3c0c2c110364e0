use chrono::{Local, TimeZone};
use leptos::prelude::*;

use crate::repo::{Repo, SaveStatus, SyncStatus, now_ms};

fn local(ms: i64) -> Option<chrono::NaiveDateTime> {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.naive_local())
}

/// «сегодня в 10:42», «23 ноября, 10:42»: a moment given in milliseconds, in local time.
pub fn moment_of(ms: i64) -> String {
    match (local(ms), local(now_ms())) {
        (Some(at), Some(now)) => model::ru::moment(at, now),
        _ => String::new(),
    }
}

/// «сегодня в 10:42», for the last successful sync.
fn synced_at(ms: Option<i64>) -> String {
    match (ms.and_then(local), local(now_ms())) {
        (Some(at), Some(now)) => model::ru::moment(at, now),
        _ => "ещё не было".into(),
    }
}

/// «3 изменения ждут отправки»; nothing when there are none.
pub fn unsent_text(n: usize) -> Option<String> {
    (n > 0).then(|| {
        let n = n as u64;
        format!(
            "{} {} отправки",
            model::ru::count(n, ["изменение", "изменения", "изменений"]),
            model::ru::plural(n, ["ждёт", "ждут", "ждут"])
        )
    })
}

/// Sync state and save state, always visible in the top bar.
#[component]
pub fn StatusBar() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let repo_unsent = repo.clone();
    let sync = Memo::new({
        let repo = repo.clone();
        move |_| {
            if repo.credentials().is_none() {
                return ("unjoined", "Устройство не подключено к школе".to_owned());
            }
            let last = synced_at(repo.last_synced());
            let waiting = unsent_text(repo.unsent().total());
            match repo.sync_status() {
                SyncStatus::Synced => ("synced", format!("Синхронизировано · {last}")),
                SyncStatus::Syncing => match waiting {
                    Some(w) => ("syncing", format!("Синхронизация… · {w}")),
                    None => ("syncing", "Синхронизация…".to_owned()),
                },
                SyncStatus::Connecting => match waiting {
                    Some(w) => ("offline", format!("Подключение… · {w}")),
                    None => ("offline", format!("Подключение… · синхронизация: {last}")),
                },
                SyncStatus::Offline => match waiting {
                    Some(w) => ("offline", format!("Нет связи · {w}")),
                    None => ("offline", format!("Нет связи · синхронизация: {last}")),
                },
                SyncStatus::Refused(reason) => ("refused", format!("Сервер отказал: {reason}")),
            }
        }
    });
    let sync = move || sync.get();
    let sync_class = move || format!("badge sync-{}", sync().0);
    let save = Memo::new(move |_| match repo.save_status() {
        SaveStatus::Saved => ("saved", "Сохранено на устройстве"),
        SaveStatus::Saving => ("saving", "Сохранение…"),
        SaveStatus::Failed(_) => ("failed", "Не сохранено!"),
    });
    let save = move || save.get();
    view! {
        <div class="status">
            <span class=sync_class data-testid="sync-status" data-state=move || sync().0
                data-unsent=move || repo_unsent.unsent().total().to_string()>
                {move || sync().1}
            </span>
            <span class=move || format!("badge save-{}", save().0) data-testid="save-status" data-state=move || save().0>
                {move || save().1}
            </span>
        </div>
    }
}

/// A failed write stays on screen, with its reason, until a write succeeds.
#[component]
pub fn SaveBanner() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let failure = {
        let repo = repo.clone();
        move || match repo.save_status() {
            SaveStatus::Failed(reason) => Some(reason),
            _ => None,
        }
    };
    move || {
        let repo = repo.clone();
        failure().map(|reason| {
            view! {
                <div class="banner error" role="alert" data-testid="save-error">
                    <p>
                        <strong>"Изменения не сохранены на устройстве. "</strong>
                        {reason}
                        " Они остаются в памяти, пока открыта эта страница."
                    </p>
                    <button on:click=move |_| repo.retry_save()>"Повторить сохранение"</button>
                </div>
            }
        })
    }
}

/// A device still receiving its school says how far it has got; what has arrived can be
/// worked on meanwhile.
#[component]
pub fn ReceivingBanner() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let progress = Memo::new(move |_| {
        let received = repo.received();
        (repo.credentials().is_some() && received.of > 0 && received.have < received.of)
            .then_some((received, repo.sync_status()))
    });
    move || {
        progress.get().map(|(r, status)| {
            let later = matches!(status, SyncStatus::Offline | SyncStatus::Refused(_))
                .then_some(" Остальное придёт, когда появится связь.");
            view! {
                <div class="banner" role="status" data-testid="receiving">
                    <p>
                        {format!("Получаем данные школы: получено {} из {}.", r.have, r.of)}
                        {later}
                        " С тем, что уже пришло, можно работать."
                    </p>
                    <progress max=r.of.to_string() value=r.have.to_string()></progress>
                </div>
            }
        })
    }
}
