//! The academic year the screens show (chosen at the top, the current one by default) and the
//! rollover to the next year (`model::year`), offered to the curator on the home screen.

use leptos::prelude::*;
use model::year::{self, InYear, Rollover};

use crate::components::{Writes, confirm};
use crate::repo::{Repo, now_ms};

/// The academic year every screen shows.
#[derive(Clone, Copy)]
pub struct Year(pub RwSignal<String>);

impl Year {
    pub fn new() -> Self {
        Self(RwSignal::new(year::of_date(
            chrono::Local::now().date_naive(),
        )))
    }

    /// The year chosen at the top (reactive).
    pub fn get() -> String {
        use_context::<Year>()
            .map(|y| y.0.get())
            .unwrap_or_else(|| year::of_date(chrono::Local::now().date_naive()))
    }

    /// The chosen year's signal, taken while a component is made, for event handlers to read.
    pub fn handle() -> YearHandle {
        YearHandle(use_context::<Year>())
    }

    /// Keeps the records of the chosen year (reactive).
    pub fn only<T: InYear>(records: Vec<(model::RecordId, T)>) -> Vec<(model::RecordId, T)> {
        year::in_year(records, &Self::get())
    }
}

/// [`Year::handle`]: the chosen year, read where no component is being made.
#[derive(Clone, Copy)]
pub struct YearHandle(Option<Year>);

impl YearHandle {
    pub fn untracked(self) -> String {
        self.0
            .map(|y| y.0.get_untracked())
            .unwrap_or_else(|| year::of_date(chrono::Local::now().date_naive()))
    }
}

impl Default for Year {
    fn default() -> Self {
        Self::new()
    }
}

/// «Учебный год» at the top: the school's years, newest first.
#[component]
pub fn YearPicker() -> impl IntoView {
    let Some(year) = use_context::<Year>() else {
        return ().into_any();
    };
    let repo = expect_context::<Repo>();
    let years = Memo::new(move |_| {
        let today = chrono::Local::now().date_naive();
        if let Some(view) = repo.home_view() {
            return view.years.clone();
        }
        match repo.school() {
            Some(school) => match (
                repo.records::<model::Programme>(&school),
                repo.records::<year::YearStart>(&school),
            ) {
                (Ok(programmes), Ok(starts)) => year::years_of(&programmes, &starts, today),
                _ => vec![year::of_date(today)],
            },
            None => vec![year::of_date(today)],
        }
    });
    view! {
        <label class="year-picker">
            <span class="muted">"Учебный год"</span>
            <select data-testid="year" prop:value=move || year.0.get() on:change=move |ev| year.0.set(event_target_value(&ev))>
                {move || years.get().into_iter().map(|y| view! { <option value=y.clone()>{y.clone()}</option> }).collect_view()}
            </select>
        </label>
    }
    .into_any()
}

/// The year the school can roll over from: its latest year with programmes.
fn rollover_from(w: &Writes) -> Option<String> {
    let today = chrono::Local::now().date_naive();
    let all = w.list::<model::Programme>();
    let programmes: Vec<String> = all
        .iter()
        .filter(|(_, p)| !model::Record::is_removed(p))
        .map(|(_, p)| p.academic_year())
        .collect();
    // Only programmes count: a year's record alone (any device can write one) must not hide
    // the rollover of the year the school is in.
    year::years_of(&all, &w.shared::<year::YearStart>(), today)
        .into_iter()
        .find(|y| programmes.contains(y))
}

/// «Переход на следующий учебный год» for the curator: what will happen, then one confirmed
/// action. Students' documents are written first, then the school's: an interrupted rollover
/// is completed by running it again, and nothing is done twice.
#[component]
pub fn RolloverPanel() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let curator = untrack(|| w.repo.credentials()).is_none_or(|c| c.curator);
    if !curator {
        return ().into_any();
    }
    let from = {
        let w = w.clone();
        Memo::new(move |_| rollover_from(&w))
    };
    let chosen = use_context::<Year>();
    let plan: RwSignal<Option<Rollover>> = RwSignal::new(None);
    let done: RwSignal<Option<String>> = RwSignal::new(None);
    let prepare = {
        let w = w.clone();
        move |_| {
            let Some(from) = from.get_untracked() else {
                return;
            };
            let people = w.repo.people();
            let made = w
                .repo
                .read(&w.school, |d| year::plan(d, &people, &from, now_ms()))
                .and_then(|r| r);
            if let Some(p) = w.report(made) {
                plan.set(Some(p));
            }
        }
    };
    let apply = {
        let w = w.clone();
        move |_| {
            let Some(rollover) = plan.get_untracked() else {
                return;
            };
            if !confirm(&format!(
                "Перейти на {} учебный год? Классы учеников изменятся, программы и дорожная карта будут скопированы.",
                rollover.to
            )) {
                return;
            }
            let now = now_ms();
            for (id, promotion) in &rollover.students {
                let Ok(doc) = id.parse::<sync_core::DocumentId>() else {
                    continue;
                };
                let result = w.repo.change(&doc, |tx| {
                    year::apply_to_person(tx, promotion, &rollover.from, &rollover.to, now)
                });
                if w.report(result).is_none() {
                    return;
                }
            }
            if w.school(|tx| year::apply_to_school(tx, &rollover, now))
                .is_some()
            {
                if let Some(y) = chosen {
                    y.0.set(rollover.to.clone());
                }
                done.set(Some(rollover.to.clone()));
                plan.set(None);
            }
        }
    };
    let summary = move || {
        plan.get().map(|p| {
            let unrecognised = p.unrecognised().join(", ");
            view! {
                <ul data-testid="rollover-plan">
                    <li>{format!("Ученики перейдут в следующий класс: {}", p.moved_up())}</li>
                    <li>{format!("Выпускники (11 класс): {}", p.graduating())}</li>
                    <li>{format!("Программы будут скопированы для правки: {}", p.programmes.len())}</li>
                    <li>{format!("Пункты дорожной карты: {}; анкеты: {}", p.roadmap.len(), p.questionnaires.len())}</li>
                    <li>{format!("Пары и группы продолжат работу: {}; завершённые останутся в {}: {}", p.pairs.len(), p.from, p.finished_pairs)}</li>
                    {(!unrecognised.is_empty()).then(|| view! { <li class="warning">{format!("Класс не распознан, проверьте вручную: {unrecognised}")}</li> })}
                    {(p.students_without_data > 0).then(|| view! { <li class="warning" data-testid="rollover-without-data">{format!(
                        "Данных ещё нет на этом планшете: {} — их классы не изменятся. Дождитесь синхронизации, если это возможно.",
                        model::ru::count(p.students_without_data as u64, ["ученик", "ученика", "учеников"])
                    )}</li> })}
                </ul>
                <p class="muted">{format!("Записи {} учебного года не изменятся и останутся доступны при выборе года вверху.", p.from)}</p>
                <button type="button" class="button primary" data-testid="rollover-confirm" on:click=apply.clone()>
                    {format!("Перейти на {} учебный год", p.to)}
                </button>
            }
        })
    };
    view! {
        <Show when=move || from.get().is_some_and(|f| chosen.is_none_or(|y| y.0.get() == f))>
            <details class="card" data-testid="rollover">
                <summary>{move || format!("Переход на {} учебный год", from.get().and_then(|f| year::next(&f)).unwrap_or_default())}</summary>
                <p>{move || format!("Когда {} учебный год закончится: программы, дорожная карта и анкеты будут скопированы для правки, работающие пары продолжат работу, ученики перейдут в следующий класс.", from.get().unwrap_or_default())}</p>
                <button type="button" class="button" data-testid="rollover-prepare" on:click=prepare.clone()>
                    "Подготовить переход…"
                </button>
                {summary.clone()}
            </details>
        </Show>
        {move || done.get().map(|y| view! { <p class="card" role="status" data-testid="rollover-done">{format!("Школа перешла на {y} учебный год.")}</p> })}
    }
    .into_any()
}
