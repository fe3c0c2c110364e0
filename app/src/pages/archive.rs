//! «Архив»: everything removed (programmes, pairs, people, meetings, questionnaires, roadmap rows,
//! events), newest first, each with «Восстановить». Removal only marks a record, so restoring
//! brings it back with everything it had, including edits another tablet made meanwhile.

use leptos::prelude::*;
use leptos_router::components::A;
use model::{
    Event, Meeting, Pair, PersonEntry, Programme, Questionnaire, Record, RecordId, RoadmapRow,
    School, ru,
};

use super::pairs::pair_title;
use super::people::name_of;
use crate::components::status::moment_of;
use crate::components::{Writes, not_joined};

/// One removed record as the archive lists it.
#[derive(Clone)]
struct Removed {
    kind: &'static str,
    title: String,
    /// Where the record is edited, if it has a page of its own.
    href: Option<String>,
    removed_at: i64,
    restore: fn(&Writes, &RecordId),
    id: RecordId,
}

impl PartialEq for Removed {
    fn eq(&self, other: &Self) -> bool {
        (
            self.kind,
            &self.id,
            self.removed_at,
            &self.title,
            &self.href,
        ) == (
            other.kind,
            &other.id,
            other.removed_at,
            &other.title,
            &other.href,
        )
    }
}

fn restore<T: Record>(w: &Writes, id: &RecordId) {
    w.school(|tx| School::restore::<T>(tx, id));
}

fn removed<T: Record + Send + Sync + 'static>(
    w: &Writes,
    kind: &'static str,
    title: impl Fn(&RecordId, &T) -> String,
    href: impl Fn(&RecordId) -> Option<String>,
) -> Vec<Removed> {
    w.list::<T>()
        .into_iter()
        .filter_map(|(id, r)| {
            r.removed_at().map(|at| Removed {
                kind,
                title: title(&id, &r),
                href: href(&id),
                removed_at: at,
                restore: restore::<T>,
                id,
            })
        })
        .collect()
}

#[component]
pub fn Archive() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let items = {
        let w = w.clone();
        Memo::new(move |_| {
            let people = w.repo.people();
            let register = w.list::<PersonEntry>();
            let pairs = w.list::<Pair>();
            let pair_of = |id: &str| {
                pairs
                    .iter()
                    .find(|(p, _)| p.as_str() == id)
                    .map(|(_, p)| pair_title(p, &people, &register))
                    .unwrap_or_default()
            };
            let mut all = Vec::new();
            all.extend(removed::<Programme>(
                &w,
                "Программа",
                |_, p| p.title.as_str().to_owned(),
                |id| Some(format!("/programmes/{id}")),
            ));
            all.extend(removed::<Pair>(
                &w,
                "Пара / группа",
                |_, p| pair_title(p, &people, &register),
                |id| Some(format!("/pairs/{id}")),
            ));
            all.extend(
                removed::<PersonEntry>(
                    &w,
                    "Участник",
                    |id, _| name_of(&people, &register, id.as_str()),
                    |id| Some(format!("/people/{id}")),
                )
                .into_iter()
                // Erased people are gone for good: nothing to restore.
                .filter(|r| !register.iter().any(|(id, e)| *id == r.id && e.is_erased())),
            );
            all.extend(removed::<Meeting>(
                &w,
                "Встреча",
                |_, m| {
                    format!(
                        "{} · {} · {}",
                        ru::iso_date(&m.date),
                        m.topic.as_str(),
                        pair_of(&m.pair)
                    )
                },
                |id| Some(format!("/meetings/{id}")),
            ));
            all.extend(removed::<Questionnaire>(
                &w,
                "Анкета",
                |_, q| q.title.as_str().to_owned(),
                |id| Some(format!("/questionnaires/{id}")),
            ));
            all.extend(removed::<RoadmapRow>(
                &w,
                "Пункт дорожной карты",
                |_, r| r.content.as_str().to_owned(),
                |_| None,
            ));
            all.extend(removed::<Event>(
                &w,
                "Мероприятие",
                |_, e| format!("{} · {}", e.title.as_str(), ru::iso_date(&e.date)),
                |_| None,
            ));
            all.sort_by_key(|r| std::cmp::Reverse(r.removed_at));
            all
        })
    };
    view! {
        <section class="card" data-testid="archive">
            <h1>"Архив"</h1>
            <p class="muted">"Удалённые записи хранятся здесь со всем, что в них было, и восстанавливаются одним нажатием. Удалённые персональные данные не хранятся и восстановлению не подлежат."</p>
            <Show when=move || items.get().is_empty()>
                <p>"Архив пуст."</p>
            </Show>
            <ul class="archive">
                <For each=move || items.get() key=|r| (r.kind, r.id.clone(), r.removed_at) let(r)>
                    {
                        let w = w.clone();
                        let (id, restore) = (r.id.clone(), r.restore);
                        let title = if r.title.trim().is_empty() { "(без названия)".to_owned() } else { r.title.clone() };
                        view! {
                            <li data-testid="archived">
                                <span class="muted">{r.kind}</span>" "
                                {match r.href.clone() {
                                    Some(href) => view! { <A href=href>{title}</A> }.into_any(),
                                    None => view! { <span>{title}</span> }.into_any(),
                                }}
                                <span class="muted">{format!(" · удалено {}", moment_of(r.removed_at))}</span>
                                <button type="button" data-testid="restore" on:click=move |_| restore(&w, &id)>"Восстановить"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
    .into_any()
}
