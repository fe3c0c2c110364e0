//! «Документы»: what the school can produce, each as a .docx download and a print view; and
//! the same buttons on a record's own page ([`DocumentsCard`]).

use std::collections::BTreeSet;

use export::worker::Format;
use export::{Document, SchoolData};
use leptos::prelude::*;
use leptos_router::components::A;
use model::ProfileField;

use crate::components::{Year, not_joined};
use crate::documents::{self, Content};
use crate::repo::Repo;

/// A short key of a document's kind (`data-kind` in the page, for tests).
fn kind(doc: &Document) -> &'static str {
    match doc {
        Document::Programme { .. } => "programme",
        Document::PersonalProgramme { .. } => "personal-programme",
        Document::IndividualPlan { .. } => "individual-plan",
        Document::OrderTargetModel { .. } => "order-target-model",
        Document::OrderApproval { .. } => "order-approval",
        Document::OrderPairs { .. } => "order-pairs",
        Document::Consent { .. } => "consent",
        Document::ConsentBlank { minor: false } => "consent-blank",
        Document::ConsentBlank { minor: true } => "consent-blank-parent",
        Document::PairConsents { .. } => "pair-consents",
        Document::ProgrammeConsents { .. } => "programme-consents",
        Document::Agreement { .. } => "agreement",
        Document::Roadmap => "roadmap",
        Document::MediaPlan => "media-plan",
        Document::PairsTable { .. } => "pairs-table",
        Document::MonitoringReport { .. } => "monitoring-report",
    }
}

/// «Иванов И. — Петров П., Сидоров С.» (mentors — mentees or their category).
fn pair_name(data: &SchoolData, pair: &export::PairView) -> String {
    let names = |ids: &[String]| {
        ids.iter()
            .map(|id| {
                data.person(id)
                    .map(|p| {
                        if p.short_name.is_empty() {
                            p.full_name.clone()
                        } else {
                            p.short_name.clone()
                        }
                    })
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "(данные не получены)".into())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mentees = if pair.mentees.is_empty() {
        pair.mentee_category.clone()
    } else {
        names(&pair.mentees)
    };
    format!("{} — {}", names(&pair.mentors), mentees)
}

/// Whether a label in `missing` is a field of the school's profile («Настройки»).
fn is_profile_field(label: &str) -> bool {
    label == "Название школы" || ProfileField::ALL.iter().any(|f| f.label() == label)
}

/// The «Документы» screen.
#[component]
pub fn Documents() -> impl IntoView {
    let repo = expect_context::<Repo>();
    if repo.school().is_none() {
        return not_joined();
    }
    // The chosen year's documents: last year's pairs are not in this year's orders.
    let data = Memo::new(move |_| documents::school_data(&repo, &Year::get()));
    // What the curator typed and ticked for the orders outlives a re-render when records change.
    let headings: [(RwSignal<String>, RwSignal<String>); 3] =
        std::array::from_fn(|_| (RwSignal::new(String::new()), RwSignal::new(String::new())));
    let toggled = RwSignal::new(BTreeSet::<String>::new());
    let view = move || {
        let data = match data.get() {
            Ok(d) => d,
            Err(e) => return view! { <p class="card error">{e}</p> }.into_any(),
        };
        let catalogue = Document::catalogue(&data);
        let orders: Vec<Document> = catalogue
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Document::OrderTargetModel { .. } | Document::OrderApproval { .. }
                )
            })
            .cloned()
            .collect();
        let school: Vec<Document> = catalogue
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Document::Roadmap | Document::MediaPlan | Document::ConsentBlank { .. }
                )
            })
            .cloned()
            .collect();
        let programmes = data.programmes.iter().map(|p| {
            let docs: Vec<Document> = catalogue
                .iter()
                .filter(|d| match d {
                    Document::Programme { programme }
                    | Document::PairsTable { programme }
                    | Document::ProgrammeConsents { programme } => *programme == p.id,
                    _ => false,
                })
                .cloned()
                .collect();
            let title = if p.title.is_empty() { "Программа без названия".to_owned() } else { p.title.clone() };
            view! {
                <section class="card" data-testid="programme-documents">
                    <h2>{title}</h2>
                    <p class="muted">{format!("{}, {} учебный год", p.form, p.academic_year)}</p>
                    {docs.into_iter().map(|d| view! { <DocumentRow document=d /> }).collect_view()}
                </section>
            }
        }).collect_view();
        let pairs = data.pairs.iter().map(|p| {
            let docs: Vec<Document> = catalogue
                .iter()
                .filter(|d| match d {
                    Document::PersonalProgramme { pair }
                    | Document::IndividualPlan { pair }
                    | Document::Agreement { pair }
                    | Document::PairConsents { pair } => *pair == p.id,
                    _ => false,
                })
                .cloned()
                .collect();
            let programme = data.programme(&p.programme).map(|g| g.title.clone()).unwrap_or_default();
            view! {
                <details class="pair-documents" data-testid="pair-documents">
                    <summary><strong>{pair_name(&data, p)}</strong><span class="meta">{format!(" · {programme}")}</span></summary>
                    {docs.into_iter().map(|d| view! { <DocumentRow document=d /> }).collect_view()}
                </details>
            }
        }).collect_view();
        let pair_choices: Vec<(String, String, bool)> = data
            .pairs
            .iter()
            .map(|p| (p.id.clone(), pair_name(&data, p), p.active))
            .collect();
        view! {
            <section class="card">
                <h2>"Приказы"</h2>
                {orders.into_iter().zip(headings).map(|(d, (number, date))| view! { <OrderRow document=d number date /> }).collect_view()}
                <OrderPairsRow pairs=pair_choices number=headings[2].0 date=headings[2].1 toggled />
            </section>
            <section class="card">
                <h2>"Документы школы"</h2>
                {school.into_iter().map(|d| view! { <DocumentRow document=d /> }).collect_view()}
            </section>
            <Tables />
            {programmes}
            <section class="card">
                <h2>"Пары и группы"</h2>
                <p class="muted">"Персонализированная программа, индивидуальный план, соглашение и согласия участников каждой пары."</p>
                {pairs}
            </section>
        }
        .into_any()
    };
    view! {
        <div class="page-head">
            <div>
                <h1>"Документы"</h1>
                <p class="muted">"Документы школы для подписи и печати: в формате Word (.docx) и в виде для печати. Делаются на планшете из записей, в том числе без связи. Незаполненные поля остаются в документе пустыми строками, чтобы вписать от руки."</p>
            </div>
        </div>
        {view}
    }
    .into_any()
}

/// «Таблицы Excel»: the bases and registers as .xlsx, made by the same worker as the documents.
#[component]
fn Tables() -> impl IntoView {
    view! {
        <section class="card" data-testid="tables">
            <h2>"Таблицы Excel"</h2>
            <p class="muted">"Базы наставников и наставляемых, персонифицированный учёт, пары, согласия и дорожная карта — для директора и регионального наставнического центра. «Реестры» — все таблицы в одной книге, по листу на таблицу."</p>
            <p><A href="/count" attr:data-testid="open-count">"Численность участников для РНЦ на экране, по учебным годам"</A></p>
            <p><A href="/monitoring" attr:data-testid="open-monitoring">"Мониторинг (до 20 декабря и до 20 мая) и аналитическая справка"</A></p>
            {export::tables::Table::ALL.into_iter().map(|table| view! {
                <div class="document-row" data-testid="table-row">
                    <span>{table.label()}</span>
                    <XlsxButton table=table testid="download-xlsx" />
                </div>
            }).collect_view()}
        </section>
    }
}

/// «Скачать .xlsx» of a table, made by the document worker from the school's data; `adjust`
/// puts in what the screen shows (its year, its period) first.
#[component]
pub fn XlsxButton(
    table: export::tables::Table,
    testid: &'static str,
    #[prop(optional)] adjust: Option<Callback<SchoolData, SchoolData>>,
) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let state = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let year = Year::handle();
    let run = move |_| {
        let data = match untrack(|| {
            let data = documents::school_data(&repo, &year.untracked())?;
            if matches!(table, export::tables::Table::Monitoring) {
                documents::with_monitorings(&repo, data)
            } else {
                Ok(data)
            }
        }) {
            Ok(d) => d,
            Err(e) => return state.set(Some(Err(e))),
        };
        let data = match adjust {
            Some(adjust) => adjust.run(data),
            None => data,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let made = documents::table(data, table).await;
            busy.try_set(false);
            state.try_set(Some(made.map(|m| m.file_name)));
        });
    };
    view! {
        <button type="button" data-testid=testid prop:disabled=move || busy.get() on:click=run>
            {move || if busy.get() { "Готовится…" } else { "Скачать .xlsx" }}
        </button>
        {move || state.get().map(|s| match s {
            Ok(name) => view! { <span class="muted" data-testid="table-made">{format!("Готово: {name}")}</span> }.into_any(),
            Err(e) => view! { <span class="error" role="alert">{e}</span> }.into_any(),
        })}
    }
}

/// A card of a record's documents, for its own page.
#[component]
pub fn DocumentsCard(documents: Vec<Document>) -> impl IntoView {
    view! {
        <section class="card" data-testid="record-documents">
            <h2>"Документы"</h2>
            {documents.into_iter().map(|d| view! { <DocumentRow document=d /> }).collect_view()}
        </section>
    }
}

/// An order with its number and date (empty: blank lines in the order).
#[component]
fn OrderRow(document: Document, number: RwSignal<String>, date: RwSignal<String>) -> impl IntoView {
    let doc = Signal::derive(move || {
        let (n, d) = (number.get(), date.get());
        match document.clone() {
            Document::OrderTargetModel { .. } => Document::OrderTargetModel { number: n, date: d },
            Document::OrderApproval { programmes, .. } => Document::OrderApproval {
                programmes,
                number: n,
                date: d,
            },
            other => other,
        }
    });
    view! {
        <DocumentRow document=doc>
            <OrderHeading number date />
        </DocumentRow>
    }
}

#[component]
fn OrderHeading(number: RwSignal<String>, date: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="order-heading">
            <label>"№ приказа"
                <input type="text" name="order-number" placeholder="пусто — строка для записи"
                    prop:value=move || number.get() on:change=move |ev| number.set(event_target_value(&ev)) />
            </label>
            <label>"Дата приказа"
                <input type="date" name="order-date"
                    prop:value=move || date.get() on:change=move |ev| date.set(event_target_value(&ev)) />
            </label>
        </div>
    }
}

/// The order fixing the pairs: the curator ticks the pairs it fixes (working ones at first).
#[component]
fn OrderPairsRow(
    pairs: Vec<(String, String, bool)>,
    number: RwSignal<String>,
    date: RwSignal<String>,
    /// Pairs whose tick differs from the default (working pairs ticked).
    toggled: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let defaults: Vec<(String, bool)> = pairs.iter().map(|(id, _, a)| (id.clone(), *a)).collect();
    let working: BTreeSet<String> = pairs
        .iter()
        .filter(|(_, _, a)| *a)
        .map(|(id, _, _)| id.clone())
        .collect();
    let selected = move || -> Vec<String> {
        let t = toggled.get();
        defaults
            .iter()
            .filter(|(id, active)| *active != t.contains(id))
            .map(|(id, _)| id.clone())
            .collect()
    };
    let selected = Signal::derive(selected);
    let doc = Signal::derive(move || Document::OrderPairs {
        pairs: selected.get(),
        number: number.get(),
        date: date.get(),
    });
    let count = move || selected.get().len();
    let list = pairs
        .into_iter()
        .map(|(id, name, active)| {
            let (i1, i2) = (id.clone(), id.clone());
            view! {
                <label class="check">
                    <input type="checkbox" name="order-pair" value=id
                        prop:checked=move || active != toggled.get().contains(&i1)
                        on:change=move |_| toggled.update(|t| if !t.remove(&i2) { t.insert(i2.clone()); }) />
                    {name}
                    {(!active).then(|| view! { <span class="meta">" (не работает)"</span> })}
                </label>
            }
        })
        .collect_view();
    view! {
        <DocumentRow document=doc disabled=Signal::derive(move || count() == 0)>
            <OrderHeading number date />
            <details class="order-pairs" data-testid="order-pairs">
                <summary>{move || format!("Пары и группы в приказе: {} (выбрать)", count())}</summary>
                <div class="actions">
                    <button type="button" data-testid="order-pairs-working" on:click=move |_| toggled.set(BTreeSet::new())>"Только работающие"</button>
                    <button type="button" data-testid="order-pairs-none" on:click=move |_| toggled.set(working.clone())>"Снять все"</button>
                </div>
                {list}
            </details>
        </DocumentRow>
    }
}

/// One document: its name, «Скачать .docx» and «Печать», and what came out (the empty fields,
/// with a link to «Настройки» for the school's own; or why nothing came out).
#[component]
pub fn DocumentRow(
    #[prop(into)] document: Signal<Document>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let repo = expect_context::<Repo>();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Vec<String>, String>>);
    let print = RwSignal::new(None::<(String, String)>);
    let chosen = Year::handle();
    let run = move |format: Format| {
        let repo = repo.clone();
        let doc = document.get_untracked();
        let year = documents::year_of(&repo, &doc, chosen.untracked());
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let data = documents::school_data(&repo, &year).and_then(|data| {
                if matches!(doc, Document::MonitoringReport { .. }) {
                    documents::with_monitorings(&repo, data)
                } else {
                    Ok(data)
                }
            });
            let result = match data {
                Err(e) => Err(e),
                Ok(data) => match format {
                    Format::Docx => documents::download(data, doc).await,
                    Format::Html => documents::make(data, doc, Format::Html).await,
                },
            };
            busy.try_set(false);
            match result {
                Ok(made) => {
                    if let Content::Html(html) = made.content {
                        let title = made.file_name.trim_end_matches(".docx").to_owned();
                        print.try_set(Some((title, html)));
                    }
                    outcome.try_set(Some(Ok(made.missing)));
                }
                Err(e) => {
                    outcome.try_set(Some(Err(e)));
                }
            }
        });
    };
    let run2 = run.clone();
    let label = move || document.with(|d| d.label());
    view! {
        <div class="document" data-testid="doc" data-kind=move || document.with(kind)>
            <div class="document-head">
                <span class="document-name">{label}</span>
                <span class="document-buttons">
                    <button type="button" class="primary" data-testid="doc-docx"
                        disabled=move || busy.get() || disabled.get()
                        on:click=move |_| run(Format::Docx)>"Скачать .docx"</button>
                    <button type="button" data-testid="doc-print"
                        disabled=move || busy.get() || disabled.get()
                        on:click=move |_| run2(Format::Html)>"Печать"</button>
                </span>
            </div>
            {children.map(|c| c())}
            {move || busy.get().then(|| view! { <p class="muted" data-testid="doc-busy">"Документ готовится…"</p> })}
            {move || outcome.get().map(|o| match o {
                Err(e) => view! { <p class="error" role="alert" data-testid="doc-error">{e}</p> }.into_any(),
                Ok(missing) if missing.is_empty() => view! {
                    <p class="ok" data-testid="doc-made">"Готово: все поля документа заполнены."</p>
                }.into_any(),
                Ok(missing) => {
                    let profile = missing.iter().any(|m| is_profile_field(m));
                    view! {
                        <div class="doc-missing" data-testid="doc-made">
                            <p>"Готово. Не заполнено (в документе оставлены пустые строки): "
                                <span data-testid="doc-missing">{missing.join(", ")}</span>"."</p>
                            {profile.then(|| view! {
                                <p>"Данные школы (наименование, руководители, адрес) заполняются в "<A href="/settings">"«Настройках»"</A>"."</p>
                            })}
                        </div>
                    }.into_any()
                }
            })}
            {move || print.get().map(|(title, html)| view! { <PrintView title html on_close=Callback::new(move |_| print.set(None)) /> })}
        </div>
    }
}

/// The print view: only the document (A4, no app chrome) in a frame over the app, printed as
/// soon as it is shown; the browser's «Сохранить как PDF» gives the PDF.
#[component]
fn PrintView(title: String, html: String, on_close: Callback<()>) -> impl IntoView {
    let frame = NodeRef::<leptos::html::Iframe>::new();
    let print = move || {
        if let Some(window) = frame.get_untracked().and_then(|f| f.content_window()) {
            let _ = window.print();
        }
    };
    let (label, heading) = (title.clone(), title.clone());
    view! {
        <div class="print-view" role="dialog" aria-modal="true" aria-label=label data-testid="print-view">
            <div class="print-bar">
                <strong>{heading}</strong>
                <span class="document-buttons">
                    <button type="button" class="primary" data-testid="print-again" on:click=move |_| print()>"Печать"</button>
                    <button type="button" data-testid="print-close" on:click=move |_| on_close.run(())>"Закрыть"</button>
                </span>
            </div>
            <iframe node_ref=frame title=title srcdoc=html data-testid="print-frame" on:load=move |_| print() />
        </div>
    }
}
