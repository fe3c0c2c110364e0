//! «Загрузить из таблицы»: people from a spreadsheet the school already has. The file is read
//! and the import planned by the document worker (offline, without holding up the screen); the
//! curator sees the rows, maps the columns, sees every bad row with its reason and every likely
//! duplicate before anything is written, and then adds the good rows all at once.

use export::import::{Candidate, ExistingPerson, Field, ImportPlan, Mapping, Sheet};
use leptos::prelude::*;
use leptos_router::components::A;
use model::{PersonEntry, Role, ru};

use crate::components::{Writes, not_joined};
use crate::documents;

/// Rows of the sheet shown below the headers.
const PREVIEW: usize = 8;

fn existing(w: &Writes) -> Vec<ExistingPerson> {
    let people = w.repo.people();
    w.list::<PersonEntry>()
        .into_iter()
        .filter(|(_, e)| !e.is_removed_or_erased())
        .filter_map(|(id, _)| {
            let p = people.get(id.as_str())?;
            Some(ExistingPerson {
                id: id.to_string(),
                last_name: p.last_name.clone(),
                first_name: p.first_name.clone(),
                patronymic: p.patronymic.clone(),
                birth_date: p.birth_date.clone(),
            })
        })
        .collect()
}

fn contacts(c: &Candidate) -> String {
    match (c.parent_name.is_empty(), c.parent_phone.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!("Родитель: {}", c.parent_name),
        (true, false) => format!("Телефон родителя: {}", c.parent_phone),
        (false, false) => format!("Родитель: {}, {}", c.parent_name, c.parent_phone),
    }
}

#[component]
pub fn ImportPeople() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let sheets = RwSignal::new(Vec::<(Sheet, Mapping)>::new());
    let chosen = RwSignal::new(0usize);
    let mapping = RwSignal::new(Mapping::default());
    let plan = RwSignal::new(None::<ImportPlan>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let file_name = RwSignal::new(String::new());

    let pick_sheet = move |i: usize| {
        chosen.set(i);
        mapping
            .set(sheets.with_untracked(|s| s.get(i).map(|(_, m)| m.clone()).unwrap_or_default()));
        plan.set(None);
    };
    let choose = move |ev: leptos::ev::Event| {
        let Some(file) = crate::download::chosen_file(&ev) else {
            return;
        };
        error.set(None);
        done.set(None);
        plan.set(None);
        busy.set(Some("Читаем файл…".into()));
        leptos::task::spawn_local(async move {
            let name = file.name();
            let read = match crate::download::read_file(&file).await {
                Ok(bytes) => documents::read_sheets(&name, bytes).await,
                Err(e) => Err(e),
            };
            busy.set(None);
            match read {
                Ok(read) => {
                    file_name.set(name);
                    sheets.set(read.sheets);
                    pick_sheet(0);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let check = {
        let w = w.clone();
        move |_| {
            let Some(sheet) =
                sheets.with_untracked(|s| s.get(chosen.get_untracked()).map(|(s, _)| s.clone()))
            else {
                return;
            };
            let existing = existing(&w);
            busy.set(Some("Проверяем строки…".into()));
            leptos::task::spawn_local(async move {
                let planned =
                    documents::plan_import(sheet, mapping.get_untracked(), existing).await;
                busy.set(None);
                match planned {
                    Ok(p) => plan.set(Some(p)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let import = {
        let repo = w.repo.clone();
        move |_| {
            let Some(p) = plan.get_untracked() else {
                return;
            };
            let people: Vec<(model::PersonDraft, String)> =
                p.good.iter().map(|c| (c.draft(), contacts(c))).collect();
            let total = people.len();
            let repo = repo.clone();
            busy.set(Some(format!("Добавляем: 0 из {total}")));
            leptos::task::spawn_local(async move {
                let added = repo
                    .add_people(people, move |n| {
                        busy.set(Some(format!("Добавляем: {n} из {total}")))
                    })
                    .await;
                busy.set(None);
                match added {
                    Ok(n) => {
                        plan.set(None);
                        done.set(Some(format!(
                            "Добавлено: {}.",
                            ru::count(n as u64, ["участник", "участника", "участников"])
                        )));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };

    let roles: Vec<(String, String)> =
        std::iter::once((String::new(), "из столбца «Роль»".to_owned()))
            .chain(
                Role::ALL
                    .iter()
                    .map(|r| (r.code().to_owned(), r.plural_label().to_owned())),
            )
            .collect();
    let preview = move || {
        let m = mapping.get();
        sheets.with(|all| {
            let Some((sheet, _)) = all.get(chosen.get()) else {
                return ().into_any();
            };
            let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
            let rows: Vec<Vec<String>> = sheet.rows.iter().skip(m.header_row + 1).take(PREVIEW).cloned().collect();
            let headers: Vec<String> = sheet.rows.get(m.header_row).cloned().unwrap_or_default();
            let more = sheet.rows.len().saturating_sub(m.header_row + 1);
            view! {
                <p class="muted">{format!("Строк с данными под заголовками: {more}. Ниже — первые из них; для каждого столбца выберите, что в нём.")}</p>
                <div class="table-scroll">
                <table class="plain import-preview" data-testid="import-preview">
                    <tr>{(0..width).map(|c| {
                        let current = m.columns.get(c).copied().unwrap_or_default();
                        view! {
                            <th>
                                <div class="muted">{headers.get(c).cloned().unwrap_or_default()}</div>
                                <select name=format!("column-{c}") on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    let f = Field::ALL.iter().copied().find(|f| format!("{f:?}") == v).unwrap_or_default();
                                    mapping.update(|m| {
                                        if m.columns.len() <= c { m.columns.resize(c + 1, Field::Skip); }
                                        m.columns[c] = f;
                                    });
                                    plan.set(None);
                                }>
                                    {Field::ALL.iter().map(|f| view! { <option value=format!("{f:?}") selected=*f == current>{f.label()}</option> }).collect_view()}
                                </select>
                            </th>
                        }
                    }).collect_view()}</tr>
                    {rows.into_iter().map(|r| view! { <tr>{(0..width).map(|c| view! { <td>{r.get(c).cloned().unwrap_or_default()}</td> }).collect_view()}</tr> }).collect_view()}
                </table>
                </div>
            }
            .into_any()
        })
    };
    let outcome = move || {
        plan.get().map(|p| {
            let good = p.good.len();
            view! {
                <section class="card" data-testid="import-plan">
                    <h2>"Что будет сделано"</h2>
                    <p data-testid="import-good">{format!("Будут добавлены: {}.", ru::count(good as u64, ["участник", "участника", "участников"]))}</p>
                    <ul class="muted">{p.good.iter().take(10).map(|c| view! { <li>{format!("{} — {}{}", c.full_name(), if c.class.is_empty() { c.role.clone() } else { c.class.clone() }, if c.birth_date.is_empty() { String::new() } else { format!(", {}", model::validate::input_date(&c.birth_date)) })}</li> }).collect_view()}
                        {(good > 10).then(|| view! { <li>{format!("и ещё {}", good - 10)}</li> })}</ul>
                    {(!p.bad.is_empty()).then(|| view! {
                        <h3 class="error">{format!("Строки с ошибками ({}) — не будут добавлены:", p.bad.len())}</h3>
                        <table class="plain" data-testid="import-bad">
                            {p.bad.iter().map(|b| view! { <tr><td>{format!("строка {}", b.row)}</td><td>{b.text.clone()}</td><td class="error">{b.reason.clone()}</td></tr> }).collect_view()}
                        </table>
                    })}
                    {(!p.duplicates.is_empty()).then(|| view! {
                        <h3>{format!("Уже есть в школе или повторяются ({}) — не будут добавлены:", p.duplicates.len())}</h3>
                        <ul data-testid="import-duplicates">{p.duplicates.iter().map(|d| view! { <li>{match d.earlier_row {
                            Some(r) => format!("строка {}: {} — повтор строки {r}", d.row, d.name),
                            None => format!("строка {}: {} — уже в школе", d.row, d.name),
                        }}</li> }).collect_view()}</ul>
                    })}
                    {(good > 0).then(|| view! {
                        <button type="button" class="primary" data-testid="import-run" on:click=import.clone()>
                            {format!("Добавить {}", ru::count(good as u64, ["участника", "участников", "участников"]))}
                        </button>
                    })}
                </section>
            }
        })
    };
    view! {
        <section class="card" data-testid="import">
            <p class="muted"><A href="/people">"Участники"</A></p>
            <h1>"Загрузить участников из таблицы"</h1>
            <p class="muted">"Списки классов из электронного журнала, списки педагогов или родителей: .xlsx, .xls, .ods или .csv (UTF-8 или Windows-1251). Файл читается на планшете, без связи; ничего не записывается, пока вы не проверите строки."</p>
            <label>"Файл"<input type="file" name="import-file" accept=".xlsx,.xls,.ods,.csv" on:change=choose /></label>
            {move || busy.get().map(|b| view! { <p role="status" data-testid="import-busy">{b}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="import-error">{e}</p> })}
            {move || done.get().map(|d| view! { <p data-testid="import-done">{d}" "<A href="/people">"К списку участников"</A></p> })}
            <Show when=move || !sheets.with(Vec::is_empty)>
                <p>{move || format!("Файл: {}", file_name.get())}</p>
                <Show when=move || sheets.with(|s| s.len() > 1)>
                    <label>"Лист"
                        <select name="import-sheet" on:change=move |ev| pick_sheet(event_target_value(&ev).parse().unwrap_or(0))>
                            {move || sheets.with(|s| s.iter().enumerate().map(|(i, (sheet, _))| view! { <option value=i.to_string() selected=move || chosen.get() == i>{sheet.name.clone()}</option> }).collect_view())}
                        </select>
                    </label>
                </Show>
                <div class="grid2">
                    <label>"Строка с заголовками"
                        <input type="number" name="header-row" min="1" prop:value=move || (mapping.get().header_row + 1).to_string()
                            on:change=move |ev| { let n: usize = event_target_value(&ev).parse().unwrap_or(1); mapping.update(|m| m.header_row = n.max(1) - 1); plan.set(None); } />
                    </label>
                    <label>"Кто в файле"
                        <select name="import-role" on:change=move |ev| { let v = event_target_value(&ev); mapping.update(|m| m.role = v); plan.set(None); }>
                            {roles.iter().map(|(code, label)| { let c = code.clone(); view! { <option value=code.clone() selected=move || mapping.get().role == c>{label.clone()}</option> } }).collect_view()}
                        </select>
                    </label>
                </div>
                {preview}
                <button type="button" data-testid="import-check" on:click=check.clone()>"Проверить строки"</button>
            </Show>
        </section>
        {outcome}
    }
    .into_any()
}
