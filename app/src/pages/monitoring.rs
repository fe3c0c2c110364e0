//! «Мониторинг»: the half-year's monitoring (by 20 December, by 20 May) in its two parts, with
//! charts, the curator's conclusions, «Зафиксировать» (a dated snapshot later edits do not
//! change), and the аналитическая справка as .docx or print.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::monitoring::{Figures, Monitoring, Period, Records, Share, compute, mean, monitorings};
use model::{Event, Meeting, Pair, PersonEntry, Programme, Questionnaire, ru};

use super::documents::{DocumentRow, XlsxButton};
use crate::components::chart::share_bar;
use crate::components::{TextField, Writes, not_joined};
use crate::repo::now_ms;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The live figures of a period from the records this device holds.
fn live(w: &Writes, period: Period) -> Figures {
    let (programmes, pairs, meetings) =
        (w.list::<Programme>(), w.list::<Pair>(), w.list::<Meeting>());
    let (questionnaires, events, register) = (
        w.list::<Questionnaire>(),
        w.list::<Event>(),
        w.list::<PersonEntry>(),
    );
    let people = w.repo.people();
    compute(
        &Records {
            programmes: &programmes,
            pairs: &pairs,
            meetings: &meetings,
            questionnaires: &questionnaires,
            events: &events,
            register: &register,
            people: &people,
        },
        period,
        today(),
    )
}

fn bar(label: &str, s: &Share) -> impl IntoView + use<> {
    share_bar(label.to_owned(), s.value, s.of)
}

/// Entry and final means side by side, on the 1–5 scale.
fn pair_bars(entry: Option<f64>, after: Option<f64>) -> impl IntoView + use<> {
    let w = |v: Option<f64>| v.unwrap_or(0.0).clamp(0.0, 5.0) * 48.0;
    view! {
        <svg class="bar" viewBox="0 0 240 22" width="240" height="22" role="img"
            aria-label=format!("входное {}, итоговое {}", mean(entry), mean(after))>
            <rect x="0" y="0" width=w(entry) height="10" fill="#90a4ae" />
            <rect x="0" y="12" width=w(after) height="10" fill="#28527a" />
        </svg>
    }
}

fn figures_view(f: &Figures) -> impl IntoView + use<> {
    let quality = f
        .quality
        .iter()
        .map(|q| {
            view! {
                <section class="monitoring-programme" data-testid="quality">
                    <h3>{q.title.clone()}</h3>
                    <p class="muted">{format!(
                        "{}, {}",
                        ru::count(q.pairs, ru::PAIRS_OR_GROUPS),
                        ru::count(q.participants, ["участник", "участника", "участников"])
                    )}</p>
                    {bar("Встречи проведены", &q.meetings)}
                    {bar("Индивидуальные планы выполнены", &q.plans)}
                    {bar("Согласия и соглашения подписаны", &q.documents)}
                </section>
            }
        })
        .collect_view();
    let satisfaction = f
        .satisfaction
        .iter()
        .map(|s| {
            view! {
                <tr data-testid="satisfaction"><td>{s.who.clone()}</td><td class="num">{mean(s.mean)}</td>
                <td class="num">{s.respondents}</td></tr>
            }
        })
        .collect_view();
    let answered = f.dynamics.iter().any(|d| d.respondents > 0);
    let dynamics = f
        .dynamics
        .iter()
        .map(|d| {
            view! {
                <tr data-testid="dynamics">
                    <td>{d.questionnaire.clone()}</td><td>{d.question.clone()}</td>
                    <td class="num">{d.respondents}</td><td class="num">{mean(d.entry_mean)}</td>
                    <td class="num">{mean(d.final_mean)}</td>
                    <td>{pair_bars(d.entry_mean, d.final_mean)}</td>
                </tr>
            }
        })
        .collect_view();
    let results = f
        .results
        .iter()
        .map(|(k, n)| view! { <li>{format!("{k} — {n}")}</li> })
        .collect_view();
    view! {
        <h2>"1. Качество реализации программы"</h2>
        {quality}
        <h3>"Удовлетворённость (итоговые анкеты, 1–5)"</h3>
        <table class="count"><thead><tr><th>"Участники"</th><th>"Средняя оценка"</th><th>"Ответили"</th></tr></thead>
            <tbody>{satisfaction}</tbody></table>
        <h2>"2. Динамика развития участников"</h2>
        {(!answered).then(|| view! {
            <p class="muted" data-testid="no-final">"Итоговое анкетирование ещё не проведено: сравнение входных и итоговых ответов появится после него."</p>
        })}
        {answered.then(|| view! {
            <table class="count"><thead><tr><th>"Анкета"</th><th>"Вопрос"</th><th>"Ответили оба раза"</th>
                <th>"Входное"</th><th>"Итоговое"</th><th>"Входное / итоговое"</th></tr></thead>
                <tbody>{dynamics}</tbody></table>
        })}
        {(f.awaiting_final > 0).then(|| view! {
            <p data-testid="awaiting-final">{format!(
                "Итоговое анкетирование ещё не прошли: {}. Сравнение — по ответившим оба раза.",
                ru::count(f.awaiting_final, ["участник", "участника", "участников"])
            )}</p>
        })}
        <h3>"Промежуточные результаты"</h3>
        <ul>{results}<li>{format!("мероприятия программы — {}", f.events)}</li></ul>
    }
}

#[component]
pub fn MonitoringPage() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let query = use_query_map();
    let period = RwSignal::new(
        query
            .read_untracked()
            .get("period")
            .and_then(|p| Period::parse(&p))
            .unwrap_or_else(|| Period::current(today())),
    );
    let stored = {
        let w = w.clone();
        Memo::new(move |_| {
            w.repo
                .read(&w.school, monitorings)
                .unwrap_or_default()
                .remove(&period.get().code())
        })
    };
    let figures = {
        let w = w.clone();
        Memo::new(move |_| {
            stored
                .get()
                .and_then(|m| m.figures())
                .unwrap_or_else(|| live(&w, period.get()))
        })
    };
    let fixed = move || stored.get().filter(Monitoring::is_fixed);
    let fix = {
        let w = w.clone();
        move |_| {
            let p = period.get_untracked();
            if crate::components::confirm(&format!(
                "Зафиксировать мониторинг за {}? Показатели сохранятся такими, как сегодня, и дальше не изменятся.",
                p.label()
            )) {
                let f = live(&w, p);
                w.school(|tx| Monitoring::fix(tx, &f, now_ms()));
            }
        }
    };
    let conclusions = Signal::derive(move || {
        stored
            .get()
            .map(|m| m.conclusions.as_str().to_owned())
            .unwrap_or_default()
    });
    let write_conclusions = {
        let w = w.clone();
        Callback::new(move |text: String| {
            let p = period.get_untracked();
            w.school(|tx| Monitoring::set_conclusions(tx, p, &text, now_ms()));
        })
    };
    // The recent half-years, and every fixed one however old: last years stay browsable.
    let offered = {
        let w = w.clone();
        Memo::new(move |_| {
            let mut all: std::collections::BTreeSet<Period> =
                Period::recent(today(), 4).into_iter().collect();
            all.extend(
                w.repo
                    .read(&w.school, monitorings)
                    .unwrap_or_default()
                    .values()
                    .filter(|m| m.is_fixed())
                    .filter_map(|m| Period::parse(&m.period)),
            );
            all.into_iter().rev().collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" data-testid="monitoring">
            <h1>"Мониторинг программы наставничества"</h1>
            <p class="muted">"Дважды в год — до 20 декабря и до 20 мая. Показатели считаются по записям пар, встреч, планов, согласий и анкет; после фиксации они сохраняются на дату фиксации и больше не меняются."</p>
            <label>"Период "
                <select name="period" prop:value=move || period.get().code()
                    on:change=move |ev| if let Some(p) = Period::parse(&event_target_value(&ev)) { period.set(p) }>
                    {move || offered.get().into_iter().map(|p| view! { <option value=p.code()>{p.label()}</option> }).collect_view()}
                </select>
            </label>
            {move || match fixed() {
                Some(m) => view! {
                    <p class="ok" data-testid="fixed">{format!("Зафиксирован {}: показатели ниже — на эту дату.", ru::iso_date(&m.fixed_on))}</p>
                }.into_any(),
                None => view! {
                    <div class="add-row">
                        <p class="muted" data-testid="live">{format!("Показатели на {}, по записям этого планшета.", ru::date(today()))}</p>
                        <button type="button" class="primary" data-testid="fix-monitoring" on:click=fix.clone()>"Зафиксировать"</button>
                    </div>
                }.into_any(),
            }}
            {move || figures_view(&figures.get())}
            <h2>"3. Выводы и рекомендации"</h2>
            <TextField label="Выводы куратора" name="conclusions" multiline=true value=conclusions on_commit=write_conclusions />
        </section>
        <section class="card" data-testid="record-documents">
            <h2>"Аналитическая справка"</h2>
            <DocumentRow document=Signal::derive(move || export::Document::MonitoringReport { period: period.get().code() }) />
            <div class="document-row">
                <span>"Показатели мониторинга: таблицы"</span>
                <XlsxButton table=export::tables::Table::Monitoring testid="download-monitoring" adjust=Callback::new(move |mut data: export::SchoolData| {
                    // The period on the screen first: the workbook is about it.
                    let code = period.get_untracked().code();
                    data.monitorings.sort_by_key(|m| m.period != code);
                    data
                }) />
            </div>
        </section>
    }
    .into_any()
}
