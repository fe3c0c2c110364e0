//! The school-wide screens: questionnaires (edit, compare before/after), the roadmap with its
//! computed indicators, events and the media plan, and the documents still to be signed.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::{
    AUDIENCES, Deadline, EVENT_KINDS, Event, EventField, Indicator, Measure, Meeting, Pair,
    PersonEntry, QUESTION_KINDS, Questionnaire, QuestionnaireField, ROW_STATUSES, RecordId,
    Records, RoadmapField, RoadmapRow, SECTIONS, School, compare, compute, missing_documents, ru,
    validate,
};

use crate::components::{SelectField, TextField, Writes, Year, not_joined, options};
use crate::pages::DocumentsCard;
use crate::pages::people::name_of;
use crate::repo::now_ms;

#[component]
pub fn Questionnaires() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let list = {
        let w = w.clone();
        Memo::new(move |_| Year::only(w.active::<Questionnaire>()))
    };
    let title = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut q = Questionnaire::new(&title.get_untracked(), "mentee", &[], now_ms());
        q.academic_year = chosen_year();
        if w.school(|tx| School::insert(tx, &RecordId::random(), &q))
            .is_some()
        {
            title.set(String::new());
        }
    };
    view! {
        <section class="card">
            <h1>"Анкеты"</h1>
            <p class="muted">"Входное и итоговое анкетирование участников; вопросы школа редактирует сама. Заполнить анкету — на странице участника."</p>
            <ul data-testid="questionnaires">
                {move || list.get().into_iter().map(|(id, q)| {
                    let meta = format!(" — {}, {}", model::label(&AUDIENCES, &q.audience), ru::count(q.live_questions().count() as u64, ["вопрос", "вопроса", "вопросов"]));
                    view! {
                        <li data-testid="questionnaire"><A href=format!("/questionnaires/{id}")>{q.title.as_str().to_owned()}</A>
                        <span class="meta">{meta}</span></li>
                    }
                }).collect_view()}
            </ul>
            <form class="add-row" on:submit=add>
                <input type="text" name="questionnaire-title" placeholder="Название анкеты" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                <button type="submit">"Создать анкету"</button>
            </form>
            <TemplateButton what="questionnaires" label="Добавить типовые анкеты (наставляемого, наставника, удовлетворённости)" />
        </section>
    }
    .into_any()
}

#[component]
pub fn QuestionnairePage() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let id = RecordId::new(params.read_untracked().get("id").unwrap_or_default());
    let q = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            w.repo
                .read(&w.school, |d| School::get::<Questionnaire>(d, &id))
                .ok()
                .and_then(|r| r.ok())
        })
    };
    let set = {
        let (w, id) = (w.clone(), id.clone());
        move |f: QuestionnaireField| {
            w.school(|tx| School::update_questionnaire(tx, &id, f));
        }
    };
    let (s1, s2, s3) = (set.clone(), set.clone(), set.clone());
    let (text, kind) = (
        RwSignal::new(String::new()),
        RwSignal::new("scale".to_owned()),
    );
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        s3(QuestionnaireField::AddQuestion(
            text.get_untracked(),
            kind.get_untracked(),
        ));
        text.set(String::new());
    };
    // Whose answers are compared: everyone, or the people of one programme's pairs.
    let scope = RwSignal::new(String::new());
    let programmes = {
        let w = w.clone();
        Memo::new(move |_| Year::only(w.active::<model::Programme>()))
    };
    view! {
        <section class="card" data-testid="questionnaire-page">
            <p class="muted"><A href="/questionnaires">"Анкеты"</A></p>
            <TextField label="Название" name="title" value=Signal::derive(move || q.get().map(|q| q.title.as_str().to_owned()).unwrap_or_default())
                on_commit=Callback::new(move |v| s1(QuestionnaireField::Title(v))) />
            <SelectField label="Для кого" name="audience" options=options(&AUDIENCES) value=Signal::derive(move || q.get().map(|q| q.audience).unwrap_or_default())
                on_commit=Callback::new(move |v| s2(QuestionnaireField::Audience(v))) />
            <h2>"Вопросы"</h2>
            <ol data-testid="questions">
                {move || q.get().map(|q| q.questions.into_iter().filter(|x| x.removed_at.is_none()).map(|question| {
                    let (a, b) = (set.clone(), set.clone());
                    let (i1, i2) = (question.id.clone(), question.id.clone());
                    view! {
                        <li data-testid="question" class="row-line">
                            <input type="text" name="question-text" prop:value=question.text.as_str().to_owned() on:change=move |ev| a(QuestionnaireField::QuestionText(i1.clone(), event_target_value(&ev))) />
                            <span class="meta">{model::label(&QUESTION_KINDS, &question.kind)}</span>
                            {(question.kind == "choice").then(|| {
                                let (c, i3) = (set.clone(), question.id.clone());
                                view! {
                                    <textarea name="question-options" rows="3" placeholder="Варианты ответа, по одному в строке"
                                        prop:value=question.options.join("\n") on:change=move |ev| c(QuestionnaireField::QuestionOptions(i3.clone(), event_target_value(&ev))) />
                                }
                            })}
                            <button type="button" class="danger" aria-label="Удалить вопрос" on:click=move |_| {
                                b(QuestionnaireField::RemoveQuestion(i2.clone(), now_ms()));
                                let (again, id) = (b.clone(), i2.clone());
                                expect_context::<crate::components::Undo>().offer("Вопрос удалён.", move || again(QuestionnaireField::RestoreQuestion(id.clone())));
                            }>"×"</button>
                        </li>
                    }
                }).collect_view())}
            </ol>
            <form class="add-row" on:submit=add>
                <input type="text" name="question" placeholder="Новый вопрос" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                <select name="question-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {QUESTION_KINDS.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                </select>
                <button type="submit">"Добавить вопрос"</button>
            </form>
        </section>
        <section class="card" data-testid="comparison">
            <h2>"Сравнение: до и после"</h2>
            <p class="muted">"Средняя оценка по участникам, заполнившим и входную, и итоговую анкету (вопросы с оценкой)."</p>
            <label>"Участники"
                <select name="comparison-programme" on:change=move |ev| scope.set(event_target_value(&ev))>
                    <option value="">"все"</option>
                    {move || programmes.get().into_iter().map(|(pid, p)| view! { <option value=pid.to_string()>{format!("программа «{}»", p.title.as_str())}</option> }).collect_view()}
                </select>
            </label>
            {let (w, id) = (w.clone(), id.clone()); move || q.get().map(|q| {
                let people = match scope.get() {
                    s if s.is_empty() => None,
                    programme => Some(participants(&w, |p| p.programme == programme)),
                };
                view! { <Comparisons id=id.clone() q people /> }
            })}
        </section>
    }
    .into_any()
}

/// The people of the pairs `which` picks (mentors and mentees), by id.
pub fn participants(
    w: &Writes,
    which: impl Fn(&model::Pair) -> bool,
) -> std::collections::BTreeSet<String> {
    w.active::<model::Pair>()
        .into_iter()
        .filter(|(_, p)| which(p))
        .flat_map(|(_, p)| p.mentors.into_keys().chain(p.mentees.into_keys()))
        .collect()
}

/// Entry against final answers of questionnaire `q`, over `people` (everyone when `None`), or
/// a plain sentence when nobody among them has filled the final one yet.
#[component]
pub fn Comparisons(
    id: RecordId,
    q: Questionnaire,
    people: Option<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let w = Writes::get();
    // Reactive: a questionnaire filled on this or another tablet updates the table.
    move || {
        let all = w.as_ref().map(|w| w.repo.people()).unwrap_or_default();
        let among: Vec<&model::Person> = all
            .iter()
            .filter(|(pid, _)| people.as_ref().is_none_or(|set| set.contains(*pid)))
            .map(|(_, p)| p)
            .collect();
        let filled = |stage: &str| {
            among
                .iter()
                .filter(|p| p.filled.contains_key(&format!("{id}/{stage}")))
                .count()
        };
        let (entry, last) = (filled(model::STAGE_ENTRY), filled(model::STAGE_FINAL));
        if last == 0 {
            return view! {
                <p class="warning" data-testid="comparison-missing">{format!(
                    "Итоговую анкету ещё никто не заполнил (входную — {}): сравнение появится, когда участники заполнят обе.",
                    ru::count(entry as u64, ["участник", "участника", "участников"])
                )}</p>
            }
            .into_any();
        }
        let rows = compare(&id, &q, among.iter().copied());
        view! {
            <table>
                <thead><tr><th>"Вопрос"</th><th>"Участников"</th><th>"Входное"</th><th>"Итоговое"</th><th>"Изменение"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|c| {
                        let f = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into());
                        let change = c.change().map(|v| format!("{v:+.1}")).unwrap_or_else(|| "—".into());
                        view! { <tr data-testid="comparison-row"><td>{c.text.clone()}</td><td>{c.respondents}</td><td>{f(c.entry_mean)}</td><td>{f(c.final_mean)}</td><td>{change}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}

/// Applies a template for the chosen year with one tap: what is already there is not added again.
#[component]
fn TemplateButton(what: &'static str, label: &'static str) -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let done = RwSignal::new(None::<String>);
    let apply = move |_| {
        let year = chosen_year();
        let now = now_ms();
        let added = w.school(|tx| match what {
            "roadmap" => model::template::apply(tx, &model::template::roadmap(&year, now)),
            _ => model::template::apply(tx, &model::template::questionnaires(&year, now)),
        });
        if let Some(n) = added {
            done.set(Some(if n == 0 {
                format!("Типовые записи на {year} учебный год уже добавлены.")
            } else {
                format!("Добавлено: {n}. Их можно править.")
            }));
        }
    };
    view! {
        <p class="add-row">
            <button type="button" class="button" data-testid=format!("template-{what}") on:click=apply>{label}</button>
            {move || done.get().map(|d| view! { <span class="muted" role="status" data-testid="template-done">{d}</span> })}
        </p>
    }
    .into_any()
}

/// The academic year chosen at the top, for what is added on its screens.
fn chosen_year() -> String {
    untrack(Year::get)
}

/// Reads every record the indicators and the deadlines are computed from (reactive) and hands
/// them to `f` as [`Records`].
/// Only the chosen academic year's pairs (with their meetings), events and roadmap rows.
fn with_records<T>(w: &Writes, f: impl FnOnce(&Records<'_>) -> T) -> T {
    use model::year::InYear;
    // The school's lists as the cache holds them: only the year's records are copied.
    let people = w.shared::<PersonEntry>();
    let docs = w.repo.people();
    let year = Year::get();
    let programmes = w.shared::<model::Programme>();
    let pairs = w.list_where(|p: &Pair| model::year::pair_year(p, &programmes) == year.trim());
    let pair_ids: std::collections::BTreeSet<&str> =
        pairs.iter().map(|(id, _)| id.as_str()).collect();
    let meetings = w.list_where(|m: &Meeting| pair_ids.contains(m.pair.as_str()));
    let events = w.list_where(|e: &Event| e.is_in(&year));
    let roadmap = w.list_where(|r: &RoadmapRow| r.is_in(&year));
    let lookup = |id: &str| docs.get(id).cloned();
    f(&Records {
        people: &people,
        person: &lookup,
        pairs: &pairs,
        meetings: &meetings,
        events: &events,
        roadmap: &roadmap,
        today: chrono::Local::now().date_naive(),
    })
}

/// The computed indicators of the roadmap, from the records this device holds.
fn indicators(w: &Writes) -> Vec<Indicator> {
    with_records(w, |records| {
        Measure::ALL.iter().map(|m| compute(*m, records)).collect()
    })
}

/// How many lines of each roadmap section are drawn with the page: the indicators' card fills
/// a tablet's first screen (about 1,080 px tall at 800 px wide), so one line per section is
/// more than the first frame shows.
const ROADMAP_FIRST_LINES: usize = 1;
/// How many more lines of each section are drawn per painted frame after.
const ROADMAP_LINES_PER_FRAME: usize = 3;

#[component]
pub fn Roadmap() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let computed = {
        let w = w.clone();
        Memo::new(move |_| indicators(&w))
    };
    let rows = {
        let w = w.clone();
        Memo::new(move |_| Year::only(w.active::<RoadmapRow>()))
    };
    let measures: Vec<(String, String)> =
        std::iter::once((String::new(), "— вручную —".to_owned()))
            .chain(
                Measure::ALL
                    .iter()
                    .map(|m| (m.code().to_owned(), m.label().to_owned())),
            )
            .collect();
    // Each section's first lines at once, the rest a slice per frame (five times the demo's
    // roadmap is some seventy lines of seven fields each).
    let shown = crate::components::reveal(
        move || {
            rows.with(|rows| {
                (1..=SECTIONS.len() as u64)
                    .map(|s| rows.iter().filter(|(_, r)| r.section == s).count())
                    .max()
                    .unwrap_or(0)
            })
        },
        ROADMAP_FIRST_LINES,
        ROADMAP_LINES_PER_FRAME,
    );
    let sections = SECTIONS.iter().enumerate().map(|(i, title)| {
        let section = i as u64 + 1;
        let (w, w2) = (w.clone(), w.clone());
        let measures = measures.clone();
        let (content, period) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
        let add = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut row = RoadmapRow::new(section, &content.get_untracked(), &period.get_untracked(), now_ms());
            row.academic_year = chosen_year();
            if w2.school(|tx| School::insert(tx, &RecordId::random(), &row)).is_some() {
                content.set(String::new());
                period.set(String::new());
            }
        };
        let ids = move || -> Vec<RecordId> {
            rows.with(|rows| {
                rows.iter()
                    .filter(|(_, r)| r.section == section)
                    .take(shown.get())
                    .map(|(id, _)| id.clone())
                    .collect()
            })
        };
        view! {
            <section class="card" data-testid=format!("section-{section}")>
                <h2>{format!("{section}. {title}")}</h2>
                <ol>
                    <For each=ids key=|id| id.clone() let(id)>
                        <RoadmapLine id rows computed measures=measures.clone() w=w.clone() />
                    </For>
                </ol>
                <form class="add-row" on:submit=add>
                    <input type="text" name="new-content" placeholder="Мероприятие" prop:value=move || content.get() on:input=move |ev| content.set(event_target_value(&ev)) />
                    <input type="text" name="new-period" placeholder="Срок" prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev)) />
                    <button type="submit">"Добавить"</button>
                </form>
            </section>
        }
    }).collect_view();
    view! {
        <section class="card" data-testid="indicators">
            <h1>"Дорожная карта"</h1>
            <h2>"Показатели, вычисленные по записям"</h2>
            <table><tbody>
                {move || computed.get().into_iter().map(|i| view! {
                    <tr data-testid="indicator" data-met=i.met.to_string()><td>{i.measure.label()}<br /><small class="muted" data-testid="indicator-how">{format!("По записям: {}.", i.measure.how())}</small></td><td>{i.display()}</td><td>{if i.met { "✓" } else { "—" }}</td></tr>
                }).collect_view()}
            </tbody></table>
            <TemplateButton what="roadmap" label="Заполнить типовой дорожной картой" />
        </section>
        {sections}
        <DocumentsCard documents=vec![export::Document::Roadmap] />
    }
    .into_any()
}

/// One roadmap row, bound to its own values: another row's change does not reset this one.
#[component]
fn RoadmapLine(
    id: RecordId,
    rows: Memo<Vec<(RecordId, RoadmapRow)>>,
    computed: Memo<Vec<Indicator>>,
    measures: Vec<(String, String)>,
    w: Writes,
) -> impl IntoView {
    let row = {
        let id = id.clone();
        // Borrowed, not copied: every line looks its row up in the list.
        Memo::new(move |_| {
            rows.with(|rows| rows.iter().find(|(r, _)| *r == id).map(|(_, r)| r.clone()))
        })
    };
    let field = move |f: fn(&RoadmapRow) -> String| {
        Signal::derive(move || row.with(|r| r.as_ref().map(f)).unwrap_or_default())
    };
    let cb = move |make: fn(String) -> RoadmapField| {
        let (w, id) = (w.clone(), id.clone());
        Callback::new(move |v: String| {
            w.school(|tx| School::update_roadmap(tx, &id, make(v)));
        })
    };
    let value = move || {
        let measure = row.with(|r| Measure::from_code(&r.as_ref()?.measure))?;
        computed.with(|c| c.iter().find(|i| i.measure == measure).cloned())
    };
    view! {
        <li class="roadmap-row" data-testid="roadmap-row">
            <TextField label="Содержание" name="content" value=field(|r| r.content.as_str().to_owned()) on_commit=cb(RoadmapField::Content) />
            <div class="grid3">
                <TextField label="Срок" structured=true name="period" value=field(|r| Deadline::from_stored(&r.period).input()) on_commit=cb(RoadmapField::Period) />
                <TextField label="Результат (документ)" name="result" value=field(|r| r.result.as_str().to_owned()) on_commit=cb(RoadmapField::Result) />
                <TextField label="Ответственный" name="responsible" value=field(|r| r.responsible.clone()) on_commit=cb(RoadmapField::Responsible) />
                <TextField label="Показатель" name="indicator" value=field(|r| r.indicator.as_str().to_owned()) on_commit=cb(RoadmapField::Indicator) />
                <SelectField label="Вычисляемый показатель" name="measure" options=measures value=field(|r| r.measure.clone()) on_commit=cb(RoadmapField::Measure) />
                <SelectField label="Статус" name="status" options=options(&ROW_STATUSES) value=field(|r| r.status.clone()) on_commit=cb(RoadmapField::Status) />
            </div>
            {move || value().map(|v| view! { <p class=if v.met { "ok" } else { "error" } data-testid="row-indicator">{format!("{}: {}", if v.met { "Достигнуто" } else { "Не достигнуто" }, v.display())}</p> })}
        </li>
    }
}

#[component]
pub fn Events() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let list = {
        let w = w.clone();
        Memo::new(move |_| {
            let mut v = Year::only(w.active::<Event>());
            v.sort_by(|a, b| a.1.date.cmp(&b.1.date));
            v
        })
    };
    let (kind, title, date) = (
        RwSignal::new("launch".to_owned()),
        RwSignal::new(String::new()),
        RwSignal::new(ru::date_numeric(chrono::Local::now().date_naive())),
    );
    let w2 = w.clone();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let made = w2
            .report(
                Event::new(
                    &kind.get_untracked(),
                    &title.get_untracked(),
                    &date.get_untracked(),
                    now_ms(),
                )
                .map_err(Into::into),
            )
            .and_then(|e| w2.school(|tx| School::insert(tx, &RecordId::random(), &e)));
        if made.is_some() {
            title.set(String::new());
        }
    };
    view! {
        <section class="card">
            <h1>"Мероприятия и медиаплан"</h1>
            <p class="muted">"Публикации на сайте школы и в сообществе — не реже раза в неделю; пресс-релиз за 3–5 дней до мероприятия, пост-релиз — в течение дня после."</p>
            <ul class="events" data-testid="events">
                {move || list.get().into_iter().map(|(id, e)| {
                    let w = w.clone();
                    let set = move |f: EventField| { w.school(|tx| School::update_event(tx, &id, f)); };
                    let cb = |make: fn(String) -> EventField| { let set = set.clone(); Callback::new(move |v: String| set(make(v))) };
                    view! {
                        <li data-testid="event" class="card">
                            <h3>{format!("{} — {}", ru::iso_date(&e.date), e.title.as_str())}</h3>
                            <div class="grid3">
                                <SelectField label="Вид" name="kind" options=options(&EVENT_KINDS) value=Signal::stored(e.kind.clone()) on_commit=cb(EventField::Kind) />
                                <TextField label="Дата" date=true name="date" value=Signal::stored(validate::input_date(&e.date)) on_commit=cb(EventField::Date) />
                                <TextField label="Место" name="place" value=Signal::stored(e.place.clone()) on_commit=cb(EventField::Place) />
                            </div>
                            <TextField label="Где опубликовано" name="published" multiline=true value=Signal::stored(e.published.as_str().to_owned()) on_commit=cb(EventField::Published) />
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="add-row" on:submit=add>
                <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {EVENT_KINDS.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                </select>
                <input type="text" name="title" placeholder="Название" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                <input type="text" name="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                <button type="submit">"Добавить мероприятие"</button>
            </form>
        </section>
        <DocumentsCard documents=vec![export::Document::MediaPlan] />
    }
    .into_any()
}

/// «Сроки»: what is due in the next two weeks and what is overdue (`model::due`), each a link
/// to where it is done. On the home screen.
#[component]
pub fn DuePanel() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let items = Memo::new(move |_| {
        with_records(&w, |records| {
            model::due::due(records, chrono::Local::now().date_naive())
        })
    });
    let href = |place: &model::due::Place| match place {
        model::due::Place::Pair(id) => format!("/pairs/{id}"),
        model::due::Place::Meeting(id) => format!("/meetings/{id}"),
        model::due::Place::Person(id) => format!("/people/{id}"),
        model::due::Place::Roadmap => "/roadmap".to_owned(),
        model::due::Place::Events => "/events".to_owned(),
        model::due::Place::People => "/people".to_owned(),
        model::due::Place::Count => "/count".to_owned(),
        model::due::Place::Monitoring(period) => format!("/monitoring?period={period}"),
    };
    view! {
        <Show when=move || !items.with(Vec::is_empty)>
            <section class="card due" data-testid="due">
                <h2>"Сроки"</h2>
                <ul>
                    {move || items.get().into_iter().map(|d| view! {
                        <li class:overdue=d.overdue data-testid=if d.overdue { "overdue" } else { "due-soon" }>
                            <A href=href(&d.place)>{d.what.clone()}</A>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
    .into_any()
}

/// «Ход программы» on the home screen: coverage and progress as small charts, each a tap from
/// the roadmap where it is counted.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let shown = [
        (Measure::StudentCoverage, "Ученики в наставничестве"),
        (Measure::TeacherCoverage, "Педагоги в наставничестве"),
        (Measure::PlansDone, "Индивидуальные планы выполнены"),
        (Measure::SignedDocuments, "Согласия и соглашения подписаны"),
        (Measure::RoadmapDone, "Дорожная карта выполнена"),
    ];
    let figures = Memo::new(move |_| {
        with_records(&w, |records| {
            shown
                .iter()
                .map(|(m, label)| (*label, compute(*m, records)))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || figures.with(|f| f.iter().any(|(_, i)| i.of.is_some_and(|of| of > 0)))>
            <section class="card" data-testid="progress">
                <h2><A href="/roadmap">"Ход программы"</A></h2>
                {move || figures.get().into_iter().map(|(label, i)| {
                    crate::components::chart::share_bar(label.to_owned(), i.value, i.of.unwrap_or(0))
                }).collect_view()}
            </section>
        </Show>
    }
    .into_any()
}

/// Participants of working pairs whose consent or agreement is missing: shown on the home
/// screen until they are signed.
#[component]
pub fn MissingDocumentsPanel() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let missing = Memo::new(move |_| {
        let people = w.shared::<PersonEntry>();
        let docs = w.repo.people();
        let pairs = w.shared::<Pair>();
        let lookup = |id: &str| docs.get(id).cloned();
        let records = Records {
            people: &people,
            person: &lookup,
            pairs: &pairs,
            meetings: &[],
            events: &[],
            roadmap: &[],
            today: chrono::Local::now().date_naive(),
        };
        missing_documents(&records)
            .into_iter()
            .map(|m| {
                let what = match (m.personal_data, m.agreement) {
                    (true, true) => "нет согласия на обработку персональных данных и соглашения",
                    (true, false) => "нет согласия на обработку персональных данных",
                    _ => "нет соглашения между наставником и наставляемым",
                };
                (m.person.clone(), name_of(&docs, &people, &m.person), what)
            })
            .collect::<Vec<_>>()
    });
    view! {
        <Show when=move || !missing.get().is_empty()>
            <section class="card warning" data-testid="missing-documents">
                <h2>{move || format!("Не подписаны документы: {}", ru::count(missing.get().len() as u64, ["участник", "участника", "участников"]))}</h2>
                <ul>
                    {move || missing.get().into_iter().map(|(id, name, what)| view! {
                        <li data-testid="missing"><A href=format!("/people/{id}")>{name}</A>{format!(" — {what}")}</li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
    .into_any()
}
