//! «Численность участников для РНЦ»: the yearly count the school sends the regional mentorship
//! centre by 30 December, on screen for a chosen academic year, and as .xlsx made by the
//! document worker from exactly the figures shown.

use leptos::prelude::*;
use model::count::{ParticipantCount, count};
use model::{Pair, PersonEntry, Programme, ru};

use super::documents::XlsxButton;
use crate::components::{Writes, not_joined};

/// The academic years the school's programmes belong to, newest first, with the current one
/// (by today) always offered.
fn years(programmes: &[(model::RecordId, Programme)]) -> Vec<String> {
    let mut out: Vec<String> = programmes
        .iter()
        .filter(|(_, p)| !p.is_removed())
        .map(|(_, p)| p.academic_year.trim().to_owned())
        .filter(|y| !y.is_empty())
        .collect();
    out.push(ru::academic_year(chrono::Local::now().date_naive()));
    out.sort();
    out.dedup();
    out.reverse();
    out
}

fn figure(n: Option<usize>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

#[component]
pub fn Count() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let year = RwSignal::new(untrack(crate::components::Year::get));
    let offered = {
        let w = w.clone();
        Memo::new(move |_| years(&w.shared::<Programme>()))
    };
    let counted = {
        let w = w.clone();
        Memo::new(move |_| {
            count(
                &year.get(),
                &w.shared::<Programme>(),
                &w.shared::<Pair>(),
                &w.shared::<PersonEntry>(),
                &w.repo.people(),
            )
        })
    };
    let adjust = Callback::new(move |mut data: export::SchoolData| {
        // The workbook says exactly what the screen shows, for the year chosen here.
        data.count = counted.get_untracked();
        data.academic_year = year.get_untracked();
        data
    });
    view! {
        <section class="card" data-testid="count">
            <h1>"Численность участников для регионального наставнического центра"</h1>
            <p class="muted">"Сдаётся ежегодно до 30 декабря (федеральное статистическое наблюдение). Считаются участники пар и групп учебного года, которые начали работу: работающих, продлённых, завершённых и прекращённых; каждый человек — один раз в строке, сколько бы пар у него ни было. Категории отмечаются на странице наставляемого."</p>
            <label>"Учебный год "
                <select name="count-year" prop:value=move || year.get() on:change=move |ev| year.set(event_target_value(&ev))>
                    {move || offered.get().into_iter().map(|y| view! { <option value=y.clone()>{y.clone()}</option> }).collect_view()}
                </select>
            </label>
            {move || table(&counted.get())}
            <div class="add-row">
                <XlsxButton table=export::tables::Table::RncCount testid="download-count" adjust=adjust />
            </div>
        </section>
    }
    .into_any()
}

fn table(c: &ParticipantCount) -> impl IntoView + use<> {
    let rows = c
        .lines
        .iter()
        .map(|l| {
            let heading = !l.number.contains('.');
            view! {
                <tr data-testid="count-line" data-number=l.number.clone() class:strong=heading>
                    <td>{l.number.clone()}</td>
                    <td>{l.label.clone()}</td>
                    <td class="num">{figure(l.mentors)}</td>
                    <td class="num">{figure(l.mentees)}</td>
                    <td class="num">{l.total}</td>
                </tr>
            }
        })
        .collect_view();
    let coverage = c
        .coverage()
        .map(|p| format!("{p:.1} %").replace('.', ","))
        .unwrap_or_else(|| "—".into());
    view! {
        <table class="count">
            <thead><tr><th>"№"</th><th>"Показатель"</th><th>"Наставники"</th><th>"Наставляемые"</th><th>"Всего"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p data-testid="count-pairs">{format!(
            "Учтено: {}.",
            ru::count(c.pairs as u64, ru::PAIRS_OR_GROUPS)
        )}</p>
        <p data-testid="count-coverage">{format!(
            "Охват обучающихся: {coverage} ({} из {}).",
            c.students_taking_part, c.students
        )}</p>
        {(c.unnamed_groups > 0).then(|| view! {
            <p class="error" data-testid="count-unnamed">{format!(
                "{} — наставляемые указаны только категорией, без имён: их участники не вошли в подсчёт. Добавьте наставляемых в группу поимённо.",
                ru::count(c.unnamed_groups as u64, ["группа", "группы", "групп"])
            )}</p>
        })}
    }
}
