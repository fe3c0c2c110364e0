//! Pairs and groups: the list with search and filters, a new pair, a pair's page (participants,
//! phases, the order, the individual plan and its meetings) and a meeting's page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::{
    Deadline, MEETING_KINDS, Meeting, MeetingField, PAIR_FORMATS, PAIR_STATUSES, PAIR_TERMS,
    PHASES, PLAN_STATUSES, Pair, PairDraft, PairField, PersonEntry, Programme, RESULT_KINDS,
    Record, RecordId, School, label, ru, validate,
};

use crate::components::RecordHistory;
use crate::components::history;
use crate::components::picker::{Base, Choice, Choices, PersonPicker};
use crate::components::{
    CheckField, Columns, RowsEditor, SelectField, TextField, Undo, Writes, not_joined, options,
};
use crate::pages::DocumentsCard;
use crate::pages::people::name_of;
use crate::repo::now_ms;
use export::Document;

/// The chosen academic year's programmes.
fn programmes(w: &Writes) -> Vec<(RecordId, Programme)> {
    crate::components::Year::only(w.active::<Programme>())
}

/// People who can be chosen (not removed, not erased, their data on this device), by name,
/// with how many current pairs each is in (reactive). Shared: every picker and list of one
/// school state gets the same list, built once; a pair page or the pair form opened again, or
/// a redraw for a keystroke, copies nobody.
pub fn choices(w: &Writes) -> Choices {
    let people = w.repo.people();
    let school = w
        .repo
        .read(&w.school, |d| d.get_heads())
        .unwrap_or_default();
    let built = w.repo.derived(
        |b: &BuiltChoices| std::sync::Arc::ptr_eq(&b.people, &people) && b.school == school,
        || BuiltChoices {
            choices: build_choices(w, &people),
            people: people.clone(),
            school: school.clone(),
        },
    );
    built.choices.clone()
}

/// What [`choices`] last built, and from what: the people's map it holds (so the pointer
/// compared is never another map's at a reused address) and the school's heads. Kept by the
/// repo ([`crate::repo::Repo::derived`]), which forgets it when anyone is erased.
struct BuiltChoices {
    people: crate::repo::People,
    school: Vec<automerge::ChangeHash>,
    choices: Choices,
}

fn build_choices(w: &Writes, people: &crate::repo::People) -> Choices {
    // How many current pairs each person is in: one pass over the pairs, not one per person.
    let mut load: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (_, pair) in w.shared::<Pair>().iter() {
        if !pair.is_removed() && pair.is_current() {
            // Once per pair, even for someone merged in as both mentor and mentee.
            let members: std::collections::BTreeSet<&String> =
                pair.mentors.keys().chain(pair.mentees.keys()).collect();
            for id in members {
                *load.entry(id.clone()).or_default() += 1;
            }
        }
    }
    let mut out: Vec<(String, Choice)> = w
        .list::<PersonEntry>()
        .into_iter()
        .filter(|(_, e)| !e.is_removed_or_erased())
        .filter_map(|(id, _)| {
            people.get(id.as_str()).map(|p| {
                let load = load.get(id.as_str()).copied().unwrap_or(0);
                Choice::new(id.to_string(), p.clone(), load)
            })
        })
        .map(|c| (model::search::normalise(&c.person.full_name()), c))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, c)| c).collect()
}

/// The bases' people without a current pair: mentees waiting for a mentor, mentors free to take
/// one.
#[component]
fn Unpaired() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let lists = Memo::new(move |_| {
        // The register's people whose documents are here, read where they are: nobody is
        // copied for two lists of names.
        let docs = w.repo.people();
        let register = w.shared::<PersonEntry>();
        let shared = w.shared::<Pair>();
        let pairs = || shared.iter().map(|(_, p)| p).filter(|p| !p.is_removed());
        let people = || {
            register
                .iter()
                .filter(|(_, e)| !e.is_removed_or_erased())
                .filter_map(|(id, _)| docs.get_key_value(id.as_str()))
                .map(|(id, p)| (id.as_str(), p))
        };
        let named = |ids: Vec<String>| -> Vec<(String, String)> {
            ids.into_iter()
                .filter_map(|id| {
                    let p = docs.get(id.as_str())?;
                    Some((id, format!("{} — {}", p.full_name(), p.summary())))
                })
                .collect()
        };
        (
            named(model::suggest::mentees_without_mentor(people(), pairs())),
            named(model::suggest::mentors_without_mentee(people(), pairs())),
        )
    });
    let list = |title: &'static str, testid: &'static str, people: Vec<(String, String)>| {
        view! {
            <details class="card" data-testid=testid>
                <summary>{format!("{title} ({})", people.len())}</summary>
                <ul>{people.into_iter().map(|(id, line)| view! { <li><A href=format!("/people/{id}")>{line}</A></li> }).collect_view()}</ul>
            </details>
        }
    };
    view! {
        {move || {
            let (mentees, mentors) = lists.get();
            view! {
                {list("Наставляемые из базы без наставника", "mentees-without-mentor", mentees)}
                {list("Наставники из базы без наставляемых", "mentors-without-mentee", mentors)}
            }
        }}
    }
    .into_any()
}

/// Who mentees are in a programme of this form.
fn mentee_role(form: &model::Form) -> Option<model::Role> {
    match form {
        model::Form::TeacherTeacher => Some(model::Role::Teacher),
        model::Form::UniversityStudentUniversityStudent | model::Form::Other(_) => None,
        _ => Some(model::Role::Student),
    }
}

/// A pair as people name it: its mentors and mentees (or its category of mentees).
pub fn pair_title(
    p: &Pair,
    people: &std::collections::BTreeMap<String, model::Person>,
    register: &[(RecordId, PersonEntry)],
) -> String {
    let names = |ids: &std::collections::BTreeMap<String, i64>| {
        ids.keys()
            .map(|i| name_of(people, register, i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mentees = match (p.mentees.is_empty(), p.mentee_category.is_empty()) {
        (false, true) => names(&p.mentees),
        (true, _) => p.mentee_category.clone(),
        (false, false) => format!("{}; {}", names(&p.mentees), p.mentee_category),
    };
    match (p.mentors.is_empty(), mentees.is_empty()) {
        (true, true) => "Пара без участников".to_owned(),
        (false, true) => names(&p.mentors),
        (true, false) => mentees,
        (false, false) => format!("{} — {}", names(&p.mentors), mentees),
    }
}

#[component]
pub fn PairsList() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let query = use_query_map();
    let programme = RwSignal::new(query.read_untracked().get("programme").unwrap_or_default());
    let status = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let rows = {
        let w = w.clone();
        Memo::new(move |_| {
            let people = w.repo.people();
            let reg = w.shared::<PersonEntry>();
            let (prog, st, q) = (programme.get(), status.get(), search.get());
            // The chosen year's pairs: last year's stay in last year.
            let year = crate::components::Year::get();
            let all_programmes = w.list::<Programme>();
            w.active::<Pair>()
                .into_iter()
                .filter(|(_, p)| model::year::pair_year(p, &all_programmes) == year)
                .filter(|(_, p)| prog.is_empty() || p.programme == prog)
                .filter(|(_, p)| st.is_empty() || p.status == st)
                .map(|(id, p)| {
                    let names = |ids: &std::collections::BTreeMap<String, i64>| {
                        ids.keys()
                            .map(|i| name_of(&people, &reg, i))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mentees = if p.mentee_category.is_empty() {
                        names(&p.mentees)
                    } else if p.mentees.is_empty() {
                        p.mentee_category.clone()
                    } else {
                        format!("{}; {}", names(&p.mentees), p.mentee_category)
                    };
                    (id.to_string(), names(&p.mentors), mentees, p)
                })
                // By a participant's name or the pair's goal: ё = е, any case, extra spaces.
                .filter(|(_, a, b, p)| model::search::matches(&q, &[a, b, p.goal.as_str()]))
                // What a line shows, and nothing else: cheap to compare and to key by.
                .map(|(id, a, b, p)| {
                    let meta =
                        format!("{} · {}", p.goal.as_str(), label(&PAIR_STATUSES, &p.status));
                    (id, a, b, meta)
                })
                .collect::<Vec<_>>()
        })
    };
    let programme_options = {
        let w = w.clone();
        std::iter::once((String::new(), "все программы".to_owned()))
            .chain(
                programmes(&w)
                    .into_iter()
                    .map(|(id, p)| (id.to_string(), p.title.as_str().to_owned())),
            )
            .collect::<Vec<_>>()
    };
    let statuses: Vec<(String, String)> = std::iter::once((String::new(), "любой".to_owned()))
        .chain(options(&PAIR_STATUSES))
        .collect();
    view! {
        <section class="page-head">
            <div>
                <h1>"Наставнические пары и группы"</h1>
                <p class="muted" data-testid="pair-count">{move || ru::count(rows.get().len() as u64, ["пара", "пары", "пар"])}</p>
            </div>
            <A href=move || if programme.get().is_empty() { "/pairs/new".to_owned() } else { format!("/pairs/new?programme={}", programme.get()) } attr:class="button primary" attr:data-testid="new-pair">"Сформировать пару"</A>
        </section>
        <div class="filters card">
            <label>"Поиск" <input type="search" name="search" placeholder="Фамилия наставника или наставляемого"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) /></label>
            <SelectField label="Программа" name="programme" options=programme_options value=programme on_commit=Callback::new(move |v| programme.set(v)) />
            <SelectField label="Статус" name="status" options=statuses value=status on_commit=Callback::new(move |v| status.set(v)) />
        </div>
        <ul class="people" data-testid="pairs">
            <For each=move || rows.get() key=|line| line.clone() let((id, mentors, mentees, meta))>
                <li data-testid="pair">
                    // A plain link, as in the people list.
                    <a href=format!("/pairs/{id}")>
                        <strong>{mentors}" → "{mentees}</strong>
                        <span class="meta">{meta}</span>
                    </a>
                </li>
            </For>
        </ul>
        <Unpaired />
    }
    .into_any()
}

#[component]
pub fn NewPair() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let navigate = use_navigate();
    let progs = programmes(&w);
    let people = choices(&w);
    // Started from a programme («Сформировать пару» on its page or its pairs): that one.
    let from = use_query_map()
        .read_untracked()
        .get("programme")
        .filter(|p| progs.iter().any(|(id, _)| id.as_str() == p));
    let programme = RwSignal::new(from.unwrap_or_else(|| {
        progs
            .first()
            .map(|(id, _)| id.to_string())
            .unwrap_or_default()
    }));
    let people = StoredValue::new(people);
    let (mentor, mentee, category, goal) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let form_of = {
        let progs = progs.clone();
        move |id: &str| {
            progs
                .iter()
                .find(|(p, _)| p.as_str() == id)
                .map(|(_, p)| p.form.clone())
                .unwrap_or_default()
        }
    };
    let w_submit = w.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let w = &w_submit;
        let prog = programme.get_untracked();
        let draft = PairDraft {
            form: form_of(&prog),
            programme: prog,
            mentors: Some(mentor.get_untracked())
                .filter(|m| !m.is_empty())
                .into_iter()
                .collect(),
            mentees: Some(mentee.get_untracked())
                .filter(|m| !m.is_empty())
                .into_iter()
                .collect(),
            mentee_category: category.get_untracked(),
            goal: goal.get_untracked(),
            format: String::new(),
        };
        let id = RecordId::random();
        let pair = Pair::from_draft(draft, now_ms());
        if w.school(|tx| School::insert(tx, &id, &pair)).is_some() {
            navigate(&format!("/pairs/{id}"), Default::default());
        }
    };
    let programme_of = {
        let progs = progs.clone();
        move |id: &str| {
            progs
                .iter()
                .find(|(p, _)| p.as_str() == id)
                .map(|(_, p)| p.clone())
        }
    };
    let form = {
        let programme_of = programme_of.clone();
        Memo::new(move |_| {
            programme_of(&programme.get())
                .map(|p| p.form())
                .unwrap_or(model::Form::StudentStudent)
        })
    };
    let all = Signal::derive(move || people.get_value());
    let mentor_role = Signal::derive(move || {
        model::suggest::mentor_roles(&form.get()).and_then(|r| r.first().copied())
    });
    let mentee_role = Signal::derive(move || mentee_role(&form.get()));
    // Mentors the mentee's requests, the form, classes and loads suggest, with the reasons.
    let suggestions = {
        let (w, programme_of) = (w.clone(), programme_of.clone());
        Memo::new(move |_| {
            let who = mentee.get();
            let prog = programme_of(&programme.get());
            let (Some(prog), false) = (prog, who.is_empty()) else {
                return Vec::new();
            };
            people.with_value(|all| {
                let Some(me) = all.iter().find(|c| c.id == who) else {
                    return Vec::new();
                };
                let pairs: Vec<Pair> = w.active::<Pair>().into_iter().map(|(_, p)| p).collect();
                let form = prog.form();
                let need = model::suggest::Need {
                    mentee_id: &me.id,
                    mentee: &me.person,
                    request: None,
                    form: &form,
                    variant: &prog.variant,
                };
                let mentors = all.iter().map(|c| (c.id.as_str(), &c.person));
                model::suggest::suggest_mentors(&need, mentors, &pairs)
                    .into_iter()
                    .take(5)
                    .filter_map(|s| {
                        let name = all.iter().find(|c| c.id == s.mentor)?.person.full_name();
                        Some((s.mentor, name, s.reasons))
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <form class="card" on:submit=submit data-testid="pair-form">
            <h1>"Новая наставническая пара или группа"</h1>
            <label>"Программа"
                <select name="programme" on:change=move |ev| programme.set(event_target_value(&ev))>
                    {progs.into_iter().map(|(id, p)| view! { <option value=id.to_string()>{p.title.as_str().to_owned()}</option> }).collect_view()}
                </select>
            </label>
            <PersonPicker label="Наставляемый" name="mentee" choices=all value=mentee role=mentee_role base=Base::Mentees />
            {move || {
                let list = suggestions.get();
                (!list.is_empty() && mentor.get().is_empty()).then(|| view! {
                    <section class="suggestions" data-testid="suggestions">
                        <h2>"Подходящие наставники"</h2>
                        <p class="muted">"Подобраны по запросам наставляемого, форме наставничества, возрасту и загрузке наставников. Решение за куратором."</p>
                        <ol>
                            {list.into_iter().map(|(id, name, reasons)| view! {
                                <li data-testid="suggestion">
                                    <strong>{name}</strong>
                                    <ul class="reasons">{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                                    <button type="button" on:click=move |_| mentor.set(id.clone())>"Выбрать наставником"</button>
                                </li>
                            }).collect_view()}
                        </ol>
                    </section>
                })
            }}
            <PersonPicker label="Наставник" name="mentor" choices=all value=mentor role=mentor_role base=Base::Mentors />
            <label>"или категория наставляемых"
                <input type="text" name="category" placeholder="дети группы риска" prop:value=move || category.get() on:input=move |ev| category.set(event_target_value(&ev)) />
            </label>
            <label>"Цель"
                <input type="text" name="goal" placeholder="Совершенствовать учебные компетенции по предмету" prop:value=move || goal.get() on:input=move |ev| goal.set(event_target_value(&ev)) />
            </label>
            <div class="actions">
                <button type="submit" class="primary">"Сформировать"</button>
                <A href="/pairs">"Отмена"</A>
            </div>
        </form>
    }
    .into_any()
}

#[component]
pub fn PairPage() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let id = RecordId::new(params.read_untracked().get("id").unwrap_or_default());
    let pair = {
        let (w, id) = (w.clone(), id.clone());
        // From the cached list, which the page's picker reads anyway: no second hydration.
        // A list that cannot be read (one damaged pair) does not hide every other pair: this
        // one is then read on its own.
        Memo::new(move |_| {
            w.shared::<Pair>()
                .iter()
                .find(|(pid, _)| *pid == id)
                .map(|(_, p)| p.clone())
                .or_else(|| {
                    w.repo
                        .read(&w.school, |d| School::get::<Pair>(d, &id))
                        .ok()
                        .and_then(|r| r.ok())
                })
        })
    };
    let set = {
        let (w, id) = (w.clone(), id.clone());
        move |f: PairField| {
            w.school(|tx| School::update_pair(tx, &id, f));
        }
    };
    let on = {
        let set = set.clone();
        move |make: fn(String) -> PairField| {
            let set = set.clone();
            Callback::new(move |v: String| set(make(v)))
        }
    };
    let text = move |f: fn(&Pair) -> String| {
        Signal::derive(move || pair.with(|p| p.as_ref().map(f)).unwrap_or_default())
    };
    let people_view = {
        let w = w.clone();
        let set = set.clone();
        move || {
            let Some(p) = pair.get() else {
                return ().into_any();
            };
            let people = w.repo.people();
            let reg = w.shared::<PersonEntry>();
            let row = |pid: String, mentor: bool| {
                let set = set.clone();
                let name = name_of(&people, &reg, &pid);
                let summary = people.get(&pid).map(|p| p.summary()).unwrap_or_default();
                let p2 = pid.clone();
                let since = if mentor {
                    p.mentors.get(&pid)
                } else {
                    p.mentees.get(&pid)
                }
                .copied()
                .unwrap_or_else(now_ms);
                let undo = expect_context::<Undo>();
                let who = name.clone();
                let take_out = move |_| {
                    set(if mentor {
                        PairField::RemoveMentor(p2.clone())
                    } else {
                        PairField::RemoveMentee(p2.clone())
                    });
                    let (set, p3) = (set.clone(), p2.clone());
                    undo.offer(format!("{who} убран(а) из пары."), move || {
                        set(if mentor {
                            PairField::AddMentor(p3.clone(), since)
                        } else {
                            PairField::AddMentee(p3.clone(), since)
                        })
                    });
                };
                view! {
                    <li data-testid=if mentor { "mentor" } else { "mentee" }>
                        <A href=format!("/people/{pid}")>{name}</A>
                        <span class="meta">{format!(" — {summary}")}</span>
                        <button type="button" class="danger" aria-label="Убрать из пары"
                            on:click=take_out>"×"</button>
                    </li>
                }
            };
            view! {
                <h2>"Наставники"</h2>
                <ul>{p.mentors.keys().cloned().map(|m| row(m, true)).collect_view()}</ul>
                <h2>"Наставляемые"</h2>
                <ul>{p.mentees.keys().cloned().map(|m| row(m, false)).collect_view()}</ul>
            }
            .into_any()
        }
    };
    let add_who = RwSignal::new(String::new());
    let all = choices(&w);
    let (s1, s2) = (set.clone(), set.clone());
    let phases = PHASES.iter().map(|(code, title)| {
        let (c1, c2, c3, c4) = ((*code).to_owned(), (*code).to_owned(), (*code).to_owned(), (*code).to_owned());
        let (f1, f2) = (set.clone(), set.clone());
        view! {
            <fieldset data-testid=format!("phase-{code}")><legend>{*title}</legend>
                <TextField label="Сроки" structured=true name=format!("phase-period-{code}") value=Signal::derive(move || pair.with(|p| p.as_ref().and_then(|p| p.phase(&c1).map(|ph| Deadline::from_stored(&ph.period).input()))).unwrap_or_default())
                    on_commit=Callback::new(move |v| f1(PairField::PhasePeriod(c2.clone(), v))) />
                <TextField label="Содержание" name=format!("phase-content-{code}") multiline=true value=Signal::derive(move || pair.with(|p| p.as_ref().and_then(|p| p.phase(&c3).map(|ph| ph.content.as_str().to_owned()))).unwrap_or_default())
                    on_commit=Callback::new(move |v| f2(PairField::PhaseContent(c4.clone(), v))) />
            </fieldset>
        }
    }).collect_view();
    let (p1, p2) = (set.clone(), set.clone());
    let plan = view! {
        <RowsEditor title="Индивидуальный план" testid="plan"
            rows=Signal::derive(move || pair.with(|p| p.as_ref().map(|p| p.plan.clone())).unwrap_or_default())
            columns=Columns { period: true, responsible: false, note: true, statuses: Some(&PLAN_STATUSES) }
            on_add=Callback::new(move |row| p1(PairField::AddPlanItem(Box::new(row))))
            on_edit=Callback::new(move |(rid, e)| p2(PairField::EditPlanItem(rid, e))) />
    };
    let meetings = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            // From the cached collection: a school of two thousand meetings is not hydrated
            // again for one pair's dozen.
            let mut out: Vec<(RecordId, Meeting)> =
                w.active_where(|m: &Meeting| m.pair == id.as_str());
            out.sort_by(|a, b| (&a.1.date, a.1.created_at).cmp(&(&b.1.date, b.1.created_at)));
            out
        })
    };
    let (kind, date) = (
        RwSignal::new("introduction".to_owned()),
        RwSignal::new(ru::date_numeric(chrono::Local::now().date_naive())),
    );
    let navigate = use_navigate();
    let add_meeting = {
        let (w, id) = (w.clone(), id.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mid = RecordId::random();
            let made = w
                .report(Meeting::new(
                    &id,
                    &kind.get_untracked(),
                    &date.get_untracked(),
                    now_ms(),
                ))
                .and_then(|m| w.school(|tx| School::insert(tx, &mid, &m)));
            if made.is_some() {
                navigate(&format!("/meetings/{mid}"), Default::default());
            }
        }
    };
    let (w_remove, id_remove) = (w.clone(), id.clone());
    view! {
        <section class="card" data-testid="pair-page">
            <p class="muted"><A href="/pairs">"Пары и группы"</A></p>
            <h1 data-testid="pair-title">{let w = w.clone(); move || pair.get().map(|p| pair_title(&p, &w.repo.people(), &w.shared::<PersonEntry>())).unwrap_or_else(|| "Наставническая пара / группа".to_owned())}</h1>
            {move || pair.with(|p| p.as_ref().is_some_and(Pair::is_removed)).then(|| view! {
                <div class="banner warning" data-testid="removed-banner"><p>"Пара удалена и хранится в архиве."</p> <A href="/archive">"Открыть архив"</A></div>
            })}
            <RecordHistory doc=w.school id=id.to_string() locate={history::record::<Pair>} name_of={let w = w.clone(); Callback::new(move |pid: String| name_of(&w.repo.people(), &w.shared::<PersonEntry>(), &pid))} />
            {people_view}
            <PersonPicker label="Добавить участника" name="add-person" choices=Signal::stored(all) value=add_who />
            <Show when=move || !add_who.get().is_empty()>
                <div class="add-row">
                    <button type="button" on:click={let s1 = s1.clone(); move |_| { s1(PairField::AddMentor(add_who.get_untracked(), now_ms())); add_who.set(String::new()); }}>"+ наставником"</button>
                    <button type="button" on:click={let s2 = s2.clone(); move |_| { s2(PairField::AddMentee(add_who.get_untracked(), now_ms())); add_who.set(String::new()); }}>"+ наставляемым"</button>
                </div>
            </Show>
            <TextField label="Категория наставляемых" name="category" value=text(|p| p.mentee_category.clone()) on_commit=on(PairField::MenteeCategory) />
            <TextField label="Цель" name="goal" multiline=true value=text(|p| p.goal.as_str().to_owned()) on_commit=on(PairField::Goal) />
            <div class="grid3">
                <SelectField label="Формат" name="format" options=options(&PAIR_FORMATS) value=text(|p| p.format.clone()) on_commit=on(PairField::Format) />
                <SelectField label="Срок" name="term" options=options(&PAIR_TERMS) value=text(|p| p.term.clone()) on_commit=on(PairField::Term) />
                <SelectField label="Статус" name="status" options=options(&PAIR_STATUSES) value=text(|p| p.status.clone()) on_commit=on(PairField::Status) />
                <TextField label="Ролевая модель" name="variant" value=text(|p| p.variant.clone()) on_commit=on(PairField::Variant) />
                <TextField label="Приказ №" structured=true name="order-number" value=text(|p| p.order_number.clone()) on_commit=on(PairField::OrderNumber) />
                <TextField label="от (дата)" date=true name="order-date" placeholder="20.09.2026" value=text(|p| validate::input_date(&p.order_date)) on_commit=on(PairField::OrderDate) />
            </div>
        </section>
        <section class="card">{phases}</section>
        <section class="card">{plan}</section>
        <section class="card" data-testid="pair-comparison">
            <h2>"Анкеты пары: до и после"</h2>
            {let w = w.clone(); move || {
                let people: std::collections::BTreeSet<String> = pair.get()
                    .map(|p| p.mentors.into_keys().chain(p.mentees.into_keys()).collect())
                    .unwrap_or_default();
                crate::components::Year::only(w.active::<model::Questionnaire>()).into_iter().map(|(qid, q)| {
                    let title = q.title.as_str().to_owned();
                    view! {
                        <h3>{title}</h3>
                        <crate::pages::school::Comparisons id=qid q people=Some(people.clone()) />
                    }
                }).collect_view()
            }}
        </section>
        <DocumentsCard documents=vec![
            Document::IndividualPlan { pair: id.to_string() },
            Document::PersonalProgramme { pair: id.to_string() },
            Document::Agreement { pair: id.to_string() },
            Document::PairConsents { pair: id.to_string() },
        ] />
        <section class="card" data-testid="meetings">
            <h2>{move || format!("Встречи ({})", meetings.get().len())}</h2>
            <ol class="meetings">
                {move || meetings.get().into_iter().map(|(mid, m)| view! {
                    <li data-testid="meeting"><A href=format!("/meetings/{mid}")>
                        {format!("{} — {}{}", ru::iso_date(&m.date), m.kind_label(), if m.held { "" } else { " (запланирована)" })}
                    </A></li>
                }).collect_view()}
            </ol>
            <form class="add-row" on:submit=add_meeting data-testid="new-meeting">
                <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {MEETING_KINDS.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                </select>
                <input type="text" name="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                <button type="submit">"Запланировать встречу"</button>
            </form>
        </section>
        <div class="actions card">
            <span class="muted">"Удалённая пара сохраняется в архиве со всеми встречами."</span>
            <button type="button" class="danger" data-testid="remove-pair" on:click=move |_| {
                let title = pair.get_untracked().map(|p| pair_title(&p, &w_remove.repo.people(), &w_remove.shared::<PersonEntry>())).unwrap_or_default();
                if w_remove.school(|tx| School::remove::<Pair>(tx, &id_remove, now_ms())).is_some() {
                    let (w, id) = (w_remove.clone(), id_remove.clone());
                    expect_context::<Undo>().offer(format!("Пара «{title}» удалена и перенесена в архив."), move || {
                        w.school(|tx| School::restore::<Pair>(tx, &id));
                    });
                }
            }>"Удалить пару"</button>
        </div>
    }
    .into_any()
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let id = RecordId::new(params.read_untracked().get("id").unwrap_or_default());
    let meeting = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            w.repo
                .read(&w.school, |d| School::get::<Meeting>(d, &id))
                .ok()
                .and_then(|r| r.ok())
        })
    };
    let pair = {
        let w = w.clone();
        Memo::new(move |_| {
            meeting.get().and_then(|m| {
                w.repo
                    .read(&w.school, |d| {
                        School::get::<Pair>(d, &RecordId::new(m.pair.clone()))
                    })
                    .ok()
                    .and_then(|r| r.ok())
            })
        })
    };
    let set = {
        let (w, id) = (w.clone(), id.clone());
        move |f: MeetingField| {
            w.school(|tx| School::update_meeting(tx, &id, f));
        }
    };
    let on = {
        let set = set.clone();
        move |make: fn(String) -> MeetingField| {
            let set = set.clone();
            Callback::new(move |v: String| set(make(v)))
        }
    };
    let text = move |f: fn(&Meeting) -> String| {
        Signal::derive(move || meeting.get().map(|m| f(&m)).unwrap_or_default())
    };
    let participants = {
        let (w, set, mid) = (w.clone(), set.clone(), id.clone());
        move || {
            let (Some(p), Some(m)) = (pair.get(), meeting.get()) else {
                return ().into_any();
            };
            let people = w.repo.people();
            let reg = w.shared::<PersonEntry>();
            p.mentors.keys().map(|k| (k.clone(), "наставник")).chain(p.mentees.keys().map(|k| (k.clone(), "наставляемый"))).map(|(pid, role)| {
                let name = name_of(&people, &reg, &pid);
                let present = m.attendees.contains_key(&pid);
                let feedback = people.get(&pid).map(|p| p.feedback_on(mid.as_str()).to_owned());
                let (set, w, p1, p2, mid) = (set.clone(), w.clone(), pid.clone(), pid.clone(), mid.to_string());
                view! {
                    <fieldset data-testid="participant"><legend><A href=format!("/people/{pid}")>{name}</A>{format!(" — {role}")}</legend>
                        <CheckField label="Присутствовал(а)" name="attended" checked=Signal::derive(move || present)
                            on_commit=Callback::new(move |on: bool| set(MeetingField::Attended(p1.clone(), on.then(now_ms)))) />
                        {feedback.map(|f| view! {
                            <TextField label="Обратная связь" name="feedback" multiline=true value=Signal::derive(move || f.clone())
                                on_commit=Callback::new(move |v: String| { w.person(&p2, model::PersonField::Feedback(mid.clone(), v)); }) />
                        })}
                    </fieldset>
                }
            }).collect_view().into_any()
        }
    };
    let (r1, r2) = (set.clone(), set.clone());
    let held = set.clone();
    view! {
        <section class="card" data-testid="meeting-page">
            <p class="muted">{move || meeting.get().map(|m| view! { <A href=format!("/pairs/{}", m.pair)>"← Пара"</A> })}</p>
            <h1>{move || meeting.get().map(|m| format!("{} — {}", m.kind_label(), ru::iso_date(&m.date))).unwrap_or_else(|| "Встреча не найдена".into())}</h1>
            <RecordHistory doc=w.school id=id.to_string() locate={history::record::<Meeting>} name_of={let w = w.clone(); Callback::new(move |pid: String| name_of(&w.repo.people(), &w.shared::<PersonEntry>(), &pid))} />
            <div class="grid2">
                <SelectField label="Вид встречи" name="kind" options=options(&MEETING_KINDS) value=text(|m| m.kind.clone()) on_commit=on(MeetingField::Kind) />
                <TextField label="Дата" date=true name="date" value=text(|m| validate::input_date(&m.date)) on_commit=on(MeetingField::Date) />
            </div>
            <CheckField label="Встреча состоялась" name="held" checked=Signal::derive(move || meeting.get().is_some_and(|m| m.held)) on_commit=Callback::new(move |v| held(MeetingField::Held(v))) />
            <TextField label="Тема" name="topic" value=text(|m| m.topic.as_str().to_owned()) on_commit=on(MeetingField::Topic) />
            <TextField label="Заметки о встрече (без персональных данных: они хранятся в документах участников)" name="notes" multiline=true value=text(|m| m.notes.as_str().trim_end().to_owned()) on_commit=on(MeetingField::Notes) />
        </section>
        <section class="card" data-testid="participants">
            <h2>"Участники и обратная связь"</h2>
            <p class="muted">"Обратная связь — персональные данные участника: она хранится в его документе."</p>
            {participants}
        </section>
        <section class="card">
            <RowsEditor title="Промежуточные результаты (проект, методика, открытый урок, публикация)" testid="results"
                rows=Signal::derive(move || meeting.get().map(|m| m.results).unwrap_or_default())
                columns=Columns { period: false, responsible: false, note: false, statuses: Some(&RESULT_KINDS) }
                on_add=Callback::new(move |row: model::Row| r1(MeetingField::AddResult(Box::new(row.with_status("project")))))
                on_edit=Callback::new(move |(rid, e)| r2(MeetingField::EditResult(rid, e))) />
        </section>
    }
    .into_any()
}
