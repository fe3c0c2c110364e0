//! People: the register with search and filters, a new person, and a person's page (their
//! details, the mentor and mentee bases, consents, questionnaires, pairs, meetings, erasure).

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::search::{Haystack, Query};
use model::{
    CONSENT_KINDS, Form, Meeting, Pair, Person, PersonDraft, PersonEntry, PersonField,
    Questionnaire, REQUEST_SOURCES, RecordId, Role, SIGNER_REPRESENTATIVE, SIGNER_SELF, STAGES,
    School, label, ru, validate,
};
use sync_core::DocumentId;

use crate::components::{CheckField, SelectField, TextField, Writes, not_joined};
use crate::pages::documents::DocumentRow;
use crate::repo::{People, Repo, now_ms};

/// A person's name for lists, or why it cannot be shown.
pub fn name_of(
    people: &BTreeMap<String, Person>,
    entries: &[(RecordId, PersonEntry)],
    id: &str,
) -> String {
    if entries
        .iter()
        // The mark first: most are not erased, and a flag is cheaper to look at than an id.
        .any(|(e, p)| p.is_erased() && e.as_str() == id)
    {
        return "(персональные данные удалены)".into();
    }
    people
        .get(id)
        .map(Person::full_name)
        .unwrap_or_else(|| "(данные ещё не получены)".into())
}

fn today() -> String {
    ru::date_numeric(chrono::Local::now().date_naive())
}

/// How many lines of the people list are drawn at first, and added by «Показать ещё».
const PAGE: usize = 200;

/// One line of the people list.
#[derive(Clone, PartialEq, Eq, Hash)]
struct PersonLine {
    id: String,
    name: String,
    summary: String,
    mentor: bool,
    mentee: bool,
}

/// Every person of one [`People`] map as the list shows and searches them, in the list's order
/// (by full name, as the pickers): built once per map, that is once per change of anyone's
/// document, not for every key typed in the search.
struct Directory {
    /// The map it was built from, held so that the pointer compared is never another map's.
    people: People,
    /// Where each person's line is, by id.
    at: HashMap<String, usize>,
    lines: Vec<(std::sync::Arc<PersonLine>, Haystack)>,
}

/// The [`Directory`] of `people`, kept by the repo ([`Repo::derived`], which forgets it when
/// anyone is erased) until the people's map changes.
fn directory(repo: &Repo, people: &People) -> std::sync::Arc<Directory> {
    repo.derived(
        |d: &Directory| std::sync::Arc::ptr_eq(&d.people, people),
        || build_directory(people),
    )
}

fn build_directory(people: &People) -> Directory {
    let mut sorted: Vec<(&String, &Person)> = people.iter().collect();
    // As the pickers sort: surname, first name, patronymic, ё as е, any case.
    sorted.sort_by_cached_key(|(id, p)| (model::search::normalise(&p.full_name()), *id));
    let lines: Vec<(std::sync::Arc<PersonLine>, Haystack)> = sorted
        .into_iter()
        .map(|(id, p)| {
            let line = PersonLine {
                id: id.clone(),
                name: p.full_name(),
                summary: p.summary(),
                mentor: p.mentor.in_base,
                mentee: p.mentee.in_base,
            };
            (std::sync::Arc::new(line), p.haystack())
        })
        .collect();
    Directory {
        people: people.clone(),
        at: lines
            .iter()
            .enumerate()
            .map(|(i, (line, _))| (line.id.clone(), i))
            .collect(),
        lines,
    }
}

#[component]
pub fn PeopleList() -> impl IntoView {
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let query = use_query_map();
    let search = RwSignal::new(String::new());
    let role = RwSignal::new(query.read_untracked().get("role").unwrap_or_default());
    let base = RwSignal::new(String::new());
    let rows = {
        let w = w.clone();
        Memo::new(move |_| {
            let dir = directory(&w.repo, &w.repo.people());
            let (role, base) = (role.get(), base.get());
            let q = Query::new(&search.get());
            let mut found: Vec<usize> = w
                .shared::<PersonEntry>()
                .iter()
                .filter(|(_, e)| !e.is_removed_or_erased())
                .filter(|(_, e)| role.is_empty() || e.role == role)
                .filter_map(|(id, _)| dir.at.get(id.as_str()).copied())
                .filter(|&i| {
                    let (line, haystack) = &dir.lines[i];
                    haystack.matches(&q)
                        && match base.as_str() {
                            "mentor" => line.mentor,
                            "mentee" => line.mentee,
                            _ => true,
                        }
                })
                .collect();
            found.sort_unstable();
            // What a line shows, and nothing else: cheap to compare and to key by.
            found
                .into_iter()
                .map(|i| dir.lines[i].0.clone())
                .collect::<Vec<_>>()
        })
    };
    // A school of a thousand shows its first lines at once; a search or a filter narrows it,
    // «Показать ещё» adds the next ones.
    let shown = RwSignal::new(PAGE);
    Effect::new(move |_| {
        search.track();
        role.track();
        base.track();
        shown.set(PAGE);
    });
    let roles: Vec<(String, String)> = std::iter::once((String::new(), "Все".to_owned()))
        .chain(
            Role::ALL
                .iter()
                .map(|r| (r.code().to_owned(), r.plural_label().to_owned())),
        )
        .collect();
    view! {
        <section class="page-head">
            <div>
                <h1>"Участники"</h1>
                <p class="muted" data-testid="people-count">{move || ru::count(rows.get().len() as u64, ["человек", "человека", "человек"])}</p>
            </div>
            <div class="actions">
                <A href="/people/import" attr:class="button" attr:data-testid="import-people">"Загрузить из таблицы"</A>
                <A href="/people/new" attr:class="button primary" attr:data-testid="new-person">"Добавить участника"</A>
            </div>
        </section>
        <div class="filters card">
            <label>"Поиск"
                <input type="search" name="search" placeholder="Фамилия, имя, класс, предмет"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            </label>
            <SelectField label="Кто" name="role" options=roles value=role on_commit=Callback::new(move |v| role.set(v)) />
            <SelectField label="База" name="base" options=vec![(String::new(), "все".into()), ("mentor".into(), "база наставников".into()), ("mentee".into(), "база наставляемых".into())]
                value=base on_commit=Callback::new(move |v| base.set(v)) />
        </div>
        <ul class="people" data-testid="people">
            <For each=move || rows.with(|r| r.iter().take(shown.get()).cloned().collect::<Vec<_>>()) key=|line| line.clone() let(line)>
                <li data-testid="person">
                    // A plain link (the router takes its click): a list of hundreds does not
                    // keep a router link's effects per line.
                    <a href=format!("/people/{}", line.id)>
                        <strong data-testid="person-name">{line.name.clone()}</strong>
                        <span class="meta">{line.summary.clone()}</span>
                        <span class="tags">
                            {line.mentor.then(|| view! { <span class="tag">"наставник"</span> })}
                            {line.mentee.then(|| view! { <span class="tag">"наставляемый"</span> })}
                        </span>
                    </a>
                </li>
            </For>
        </ul>
        {move || {
            let left = rows.with(Vec::len).saturating_sub(shown.get());
            (left > 0).then(|| view! {
                <button type="button" class="link" data-testid="show-more" on:click=move |_| shown.update(|n| *n += PAGE)>
                    {format!("Показать ещё ({})", ru::count(left.min(PAGE) as u64, ["человек", "человека", "человек"]))}
                </button>
            })
        }}
    }
    .into_any()
}

#[component]
pub fn NewPerson() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let navigate = use_navigate();
    let role = RwSignal::new(Role::Student.code().to_owned());
    let (last, first, middle) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (birth, class, subjects, organisation) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = PersonDraft {
            role: Role::from_code(&role.get_untracked()),
            last_name: last.get_untracked(),
            first_name: first.get_untracked(),
            patronymic: middle.get_untracked(),
            birth_date: birth.get_untracked(),
            class: class.get_untracked(),
            subjects: subjects.get_untracked(),
            organisation: organisation.get_untracked(),
        };
        match repo.add_person(draft) {
            Ok(id) => navigate(&format!("/people/{id}"), Default::default()),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let input = |label: &'static str,
                 name: &'static str,
                 s: RwSignal<String>,
                 placeholder: &'static str| {
        view! {
            <label>{label}
                <input type="text" name=name placeholder=placeholder prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <form class="card" on:submit=submit data-testid="person-form">
            <h1>"Новый участник"</h1>
            <label>"Кто это"
                <select name="role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {Role::ALL.iter().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
            </label>
            <div class="grid3">
                {input("Фамилия", "last-name", last, "")}
                {input("Имя", "first-name", first, "")}
                {input("Отчество", "patronymic", middle, "")}
            </div>
            <div class="grid2">
                {input("Дата рождения", "birth-date", birth, "15.09.2012")}
                <Show when=move || role.get() == "student">{input("Класс", "class", class, "7Б")}</Show>
                <Show when=move || role.get() == "teacher">{input("Предметы", "subjects", subjects, "математика")}</Show>
                <Show when=move || role.get() == "partner">{input("Организация", "organisation", organisation, "")}</Show>
            </div>
            <p class="muted">"Персональные данные хранятся в отдельном документе участника: при отзыве согласия их можно удалить со всех устройств и с сервера."</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })}
            <div class="actions">
                <button type="submit" class="primary">"Добавить"</button>
                <A href="/people">"Отмена"</A>
            </div>
        </form>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let id = params.read_untracked().get("id").unwrap_or_default();
    let person = {
        let (repo, id) = (w.repo.clone(), id.clone());
        Memo::new(move |_| repo.person(&id))
    };
    let entry = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            w.shared::<PersonEntry>()
                .iter()
                .find(|(e, _)| e.as_str() == id)
                .map(|(_, e)| e.clone())
        })
    };
    let set = {
        let (w, id) = (w.clone(), id.clone());
        move |f: PersonField| {
            w.person(&id, f);
        }
    };
    let on = {
        let set = set.clone();
        move |make: fn(String) -> PersonField| {
            let set = set.clone();
            Callback::new(move |v: String| set(make(v)))
        }
    };
    let check = {
        let set = set.clone();
        move |make: fn(bool) -> PersonField| {
            let set = set.clone();
            Callback::new(move |v: bool| set(make(v)))
        }
    };
    let text = move |f: fn(&Person) -> String| {
        Signal::derive(move || person.get().map(|p| f(&p)).unwrap_or_default())
    };
    let flag =
        move |f: fn(&Person) -> bool| Signal::derive(move || person.get().is_some_and(|p| f(&p)));
    let role = move || person.get().and_then(|p| p.role());

    let main = view! {
        <section class="card" data-testid="person-details">
            <p class="muted"><A href="/people">"Участники"</A></p>
            <h1 data-testid="person-title">{move || person.get().map(|p| p.full_name()).unwrap_or_default()}</h1>
            {id.parse::<sync_core::DocumentId>().ok().map(|doc| view! { <crate::components::RecordHistory doc id=id.clone() locate={crate::components::history::person} /> })}
            <p class="muted">{move || person.get().map(|p| p.summary()).unwrap_or_default()}</p>
            <div class="grid3">
                <TextField label="Фамилия" name="last-name" value=text(|p| p.last_name.clone()) on_commit=on(PersonField::LastName) />
                <TextField label="Имя" name="first-name" value=text(|p| p.first_name.clone()) on_commit=on(PersonField::FirstName) />
                <TextField label="Отчество" name="patronymic" value=text(|p| p.patronymic.clone()) on_commit=on(PersonField::Patronymic) />
            </div>
            <div class="grid2">
                <TextField label="Дата рождения" date=true name="birth-date" placeholder="15.09.2012" value=text(|p| validate::input_date(&p.birth_date)) on_commit=on(PersonField::BirthDate) />
                <div class="field-group" class:hidden=move || role() != Some(Role::Student)>
                    <TextField label="Класс" structured=true name="class" value=text(|p| p.class.clone()) on_commit=on(PersonField::Class) />
                </div>
                <div class="field-group" class:hidden=move || role() != Some(Role::Teacher)>
                    <TextField label="Предметы" name="subjects" value=text(|p| p.subjects.clone()) on_commit=on(PersonField::Subjects) />
                </div>
                <div class="field-group" class:hidden=move || role() != Some(Role::Partner)>
                    <TextField label="Организация" name="organisation" value=text(|p| p.organisation.clone()) on_commit=on(PersonField::Organisation) />
                    <TextField label="Должность" name="position" value=text(|p| p.position.clone()) on_commit=on(PersonField::Position) />
                </div>
                <div class="field-group" class:hidden=move || role() != Some(Role::Graduate)>
                    <TextField label="Год выпуска" structured=true name="graduation-year" value=text(|p| p.graduation_year.clone()) on_commit=on(PersonField::GraduationYear) />
                </div>
            </div>
            <TextField label="Контакты" name="contacts" multiline=true value=text(|p| p.contacts.as_str().to_owned()) on_commit=on(PersonField::Contacts) />
            <TextField label="Заметка" name="person-note" multiline=true value=text(|p| p.note.as_str().trim_end().to_owned()) on_commit=on(PersonField::Note) />
        </section>
    };

    // Parents and their children, linked both ways on screen (the link lives in the parent's
    // document: it is the parent's personal data).
    let family = {
        let (w, id, set) = (w.clone(), id.clone(), set.clone());
        let child = RwSignal::new(String::new());
        move || {
            let p = person.get()?;
            let people = w.repo.people();
            let reg = w.shared::<PersonEntry>();
            let link = |pid: &str| {
                let (href, name) = (format!("/people/{pid}"), name_of(&people, &reg, pid));
                view! { <li data-testid="relative"><A href=href>{name}</A></li> }
            };
            match p.role() {
                Some(Role::Parent) => {
                    let w = Writes::get();
                    let students: crate::components::picker::Choices = w
                        .map(|w| crate::pages::pairs::choices(&w))
                        .unwrap_or_default()
                        .iter()
                        .filter(|c| c.person.role() == Some(Role::Student))
                        .cloned()
                        .collect();
                    let (add, remove) = (set.clone(), set.clone());
                    let children: Vec<String> = p.children.keys().cloned().collect();
                    Some(view! {
                        <section class="card" data-testid="family">
                            <h2>"Дети"</h2>
                            <ul>{children.iter().map(|c| {
                                let (c2, remove) = (c.clone(), remove.clone());
                                let (href, name) = (format!("/people/{c}"), name_of(&people, &reg, c));
                                let since = p.children.get(c).copied().unwrap_or_else(now_ms);
                                let who = name.clone();
                                let unlink = move |_| {
                                    remove(PersonField::RemoveChild(c2.clone()));
                                    let (again, c3) = (remove.clone(), c2.clone());
                                    expect_context::<crate::components::Undo>().offer(
                                        format!("Связь с «{who}» убрана."),
                                        move || again(PersonField::AddChild(c3.clone(), since)),
                                    );
                                };
                                view! { <li data-testid="relative"><A href=href>{name}</A>
                                    <button type="button" class="danger" aria-label="Убрать связь" on:click=unlink>"×"</button></li> }
                            }).collect_view()}</ul>
                            <crate::components::picker::PersonPicker label="Ребёнок" name="child" choices=Signal::stored(students) value=child />
                            <div class="add-row">
                                <button type="button" data-testid="link-child" on:click=move |_| {
                                    let c = child.get_untracked();
                                    if !c.is_empty() { add(PersonField::AddChild(c, now_ms())); child.set(String::new()); }
                                }>"Связать с ребёнком"</button>
                            </div>
                        </section>
                    }.into_any())
                }
                Some(Role::Student) => {
                    let parents: Vec<String> = people
                        .iter()
                        .filter(|(_, q)| q.children.contains_key(&id))
                        .map(|(pid, _)| pid.clone())
                        .collect();
                    Some(view! {
                        <section class="card" data-testid="family">
                            <h2>"Родители (законные представители)"</h2>
                            <ul>{parents.iter().map(|pid| link(pid)).collect_view()}</ul>
                            {parents.is_empty().then(|| view! { <p class="muted">"Не указаны. Родителя можно связать с ребёнком на странице родителя."</p> })}
                        </section>
                    }.into_any())
                }
                _ => None,
            }
        }
    };

    let forms: Vec<_> = Form::STANDARD.iter().map(|f| {
        let (code, set) = (f.code().to_owned(), set.clone());
        let c2 = code.clone();
        view! {
            <CheckField label=f.label().to_owned() checked=Signal::derive(move || person.get().is_some_and(|p| p.mentor.forms.contains_key(&c2)))
                on_commit=Callback::new(move |on: bool| set(PersonField::MentorForm(code.clone(), on.then(now_ms)))) />
        }
    }).collect();
    // The categories the count for the РНЦ asks about: for students, who are the mentees they
    // describe. Sensitive data: in the person's own document, erased with it.
    let categories: Vec<_> = model::count::CATEGORIES.iter().map(|(code, label)| {
        let (code, set) = ((*code).to_owned(), set.clone());
        let c2 = code.clone();
        view! {
            <CheckField label=(*label).to_owned() checked=Signal::derive(move || person.get().is_some_and(|p| p.categories.contains_key(&c2)))
                on_commit=Callback::new(move |on: bool| set(PersonField::Category(code.clone(), on.then(now_ms)))) />
        }
    }).collect();
    let categories = view! {
        <section class="card" data-testid="categories"
            class:hidden=move || person.get().is_none_or(|p| p.role() != Some(Role::Student))>
            <h2>"Категории"</h2>
            <p class="muted">"Для численности участников, которую школа сдаёт в региональный наставнический центр. Это сведения о здоровье и положении ребёнка: отмечайте только то, что подтверждено документами. Они хранятся в документе участника и удаляются вместе с его данными."</p>
            {categories}
        </section>
    };
    let mentor = view! {
        <section class="card" data-testid="mentor-base">
            <h2>"База наставников"</h2>
            <CheckField label="Включён в базу наставников" name="in-mentor-base" checked=flag(|p| p.mentor.in_base) on_commit=check(PersonField::InMentorBase) />
            <div class:hidden=move || !flag(|p| p.mentor.in_base).get()>
                <TextField label="Компетенции" name="competencies" multiline=true value=text(|p| p.mentor.competencies.as_str().to_owned()) on_commit=on(PersonField::Competencies) />
                <div class="grid2">
                    <TextField label="Предметы" name="mentor-subjects" value=text(|p| p.mentor.subjects.clone()) on_commit=on(PersonField::MentorSubjects) />
                    <TextField label="Время для встреч" name="time-available" value=text(|p| p.mentor.time_available.clone()) on_commit=on(PersonField::TimeAvailable) />
                </div>
                <fieldset><legend>"Формы наставничества"</legend>{forms}</fieldset>
                <CheckField label="Анкета наставника заполнена" checked=flag(|p| !p.mentor.questionnaire.is_empty()) on_commit=check(PersonField::MentorQuestionnaire) />
                <CheckField label="Собеседование проведено" checked=flag(|p| !p.mentor.interview.is_empty()) on_commit=check(PersonField::MentorInterview) />
            </div>
        </section>
    };

    let (problem, source, noted) = (
        RwSignal::new(String::new()),
        RwSignal::new("questionnaire".to_owned()),
        RwSignal::new(today()),
    );
    let add_request = {
        let set = set.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            set(PersonField::AddRequest {
                problem: problem.get_untracked(),
                source: source.get_untracked(),
                noted_on: noted.get_untracked(),
            });
            problem.set(String::new());
        }
    };
    let remove_request = set.clone();
    let mentee = view! {
        <section class="card" data-testid="mentee-base">
            <h2>"База наставляемых и карта запросов"</h2>
            <CheckField label="Включён в базу наставляемых" name="in-mentee-base" checked=flag(|p| p.mentee.in_base) on_commit=check(PersonField::InMenteeBase) />
            <ul class="requests">
                {move || person.get().map(|p| p.mentee.requests.into_iter().filter(|r| r.removed_at.is_none()).map(|r| {
                    let (rid, remove) = (r.id.clone(), remove_request.clone());
                    view! {
                        <li data-testid="request">
                            <span>{r.problem.as_str().to_owned()}</span>
                            <span class="meta">{format!(" — {}, {}", label(&REQUEST_SOURCES, &r.source), ru::iso_date(&r.noted_on))}</span>
                            <button type="button" class="danger" aria-label="Удалить запрос" on:click=move |_| {
                                remove(PersonField::RemoveRequest(rid.clone(), now_ms()));
                                let (again, rid) = (remove.clone(), rid.clone());
                                expect_context::<crate::components::Undo>().offer("Запрос удалён.", move || again(PersonField::RestoreRequest(rid.clone())));
                            }>"×"</button>
                        </li>
                    }
                }).collect_view())}
            </ul>
            <form class="add-row" on:submit=add_request>
                <input type="text" name="problem" placeholder="Запрос: например, «трудности с математикой»" prop:value=move || problem.get() on:input=move |ev| problem.set(event_target_value(&ev)) />
                <select name="source" on:change=move |ev| source.set(event_target_value(&ev))>
                    {REQUEST_SOURCES.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                </select>
                <input type="text" name="noted-on" prop:value=move || noted.get() on:input=move |ev| noted.set(event_target_value(&ev)) />
                <button type="submit">"Добавить запрос"</button>
            </form>
        </section>
    };

    // Who may sign for this person, offered with one tap: the person (of age) and the parents
    // linked to them. Anyone else (a guardian not in the base) is typed.
    let signers = {
        let (repo, id) = (w.repo.clone(), id.clone());
        Memo::new(move |_| {
            let Some(p) = person.get() else { return vec![] };
            let people = repo.people();
            let mut out: Vec<(String, &'static str)> = people
                .values()
                .filter(|q| q.children.contains_key(&id))
                .map(|q| (q.full_name(), SIGNER_REPRESENTATIVE))
                .collect();
            out.sort();
            if !p.is_minor(chrono::Local::now().date_naive()) {
                out.insert(0, (p.full_name(), SIGNER_SELF));
            }
            out
        })
    };
    // An adult signs for themselves, a minor's parent for them: what the signer's select
    // shows until the curator chooses (also once the person's document or birth date arrives).
    let adult_signer = move || {
        if person.with(|p| {
            p.as_ref()
                .is_some_and(|p| !p.is_minor(chrono::Local::now().date_naive()))
        }) {
            SIGNER_SELF
        } else {
            SIGNER_REPRESENTATIVE
        }
    };
    let signer = untrack(adult_signer);
    let consents = CONSENT_KINDS.iter().map(|(kind, title)| {
        let kind = (*kind).to_owned();
        let (on, by, who) = (RwSignal::new(today()), RwSignal::new(String::new()), RwSignal::new(signer.to_owned()));
        let chosen = StoredValue::new(false);
        Effect::new(move |_| {
            let default = adult_signer();
            if !chosen.get_value() {
                who.set(default.to_owned());
            }
        });
        let (k1, k2, k3, k4) = (kind.clone(), kind.clone(), kind.clone(), kind.clone());
        let (s1, s2) = (set.clone(), set.clone());
        let sign = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            s1(PersonField::Sign { kind: k1.clone(), signed_on: on.get_untracked(), signed_by: by.get_untracked(), signer_role: who.get_untracked() });
        };
        let what = *title;
        let withdraw = move |_| {
            if crate::components::confirm(&format!("Отметить согласие «{what}» отозванным с сегодняшнего дня? Отзыв не отменяется: после него согласие подписывают заново.")) {
                s2(PersonField::Withdraw { kind: k2.clone(), on: today() });
            }
        };
        view! {
            <div class="consent" data-testid=format!("consent-{kind}")>
                <h3>{*title}</h3>
                {move || {
                    let c = person.get().and_then(|p| p.consent(&k3).cloned());
                    match c {
                        Some(c) if c.is_valid() => view! {
                            <p class="ok" data-testid="consent-status">{format!("Подписано {} — {}", ru::iso_date(&c.signed_on), c.signed_by)}</p>
                            <button type="button" class="danger" on:click=withdraw.clone()>"Отозвать"</button>
                        }.into_any(),
                        Some(c) => view! { <p class="error" data-testid="consent-status">{format!("Отозвано {}", ru::iso_date(&c.withdrawn_on))}</p> }.into_any(),
                        None => view! { <p class="error" data-testid="consent-status">"Не подписано"</p> }.into_any(),
                    }
                }}
                <form class="add-row" on:submit=sign
                    class:hidden=move || person.get().and_then(|p| p.consent(&k4).cloned()).is_some_and(|c| c.is_valid())>
                    <input type="text" name="signed-on" prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev)) />
                    {move || {
                        let choices = signers.get();
                        (!choices.is_empty()).then(|| view! {
                            <span class="signers">{choices.into_iter().map(|(name, role)| {
                                let label = if role == SIGNER_SELF { format!("{name} (сам участник)") } else { name.clone() };
                                view! { <button type="button" class="chip" data-testid="signer"
                                    aria-pressed={ let name = name.clone(); move || (by.get() == name).to_string() }
                                    on:click={ let name = name.clone(); move |_| { by.set(name.clone()); chosen.set_value(true); who.set(role.to_owned()); } }>{label}</button> }
                            }).collect_view()}</span>
                        })
                    }}
                    <input type="text" name="signed-by" placeholder="Кто подписал (ФИО)" prop:value=move || by.get() on:input=move |ev| by.set(event_target_value(&ev)) />
                    <select name="signer-role" prop:value=move || who.get() on:change=move |ev| { chosen.set_value(true); who.set(event_target_value(&ev)); }>
                        <option value=SIGNER_REPRESENTATIVE selected=signer == SIGNER_REPRESENTATIVE>"родитель / законный представитель"</option>
                        <option value=SIGNER_SELF selected=signer == SIGNER_SELF>"сам участник"</option>
                    </select>
                    <button type="submit">"Отметить подписание"</button>
                </form>
            </div>
        }
    }).collect_view();

    let links = {
        let (w, id) = (w.clone(), id.clone());
        move || {
            let pairs: Vec<(RecordId, Pair)> = w.active_where(|p: &Pair| p.involves(&id));
            let mut meetings: Vec<(RecordId, Meeting)> =
                w.active_where(|m: &Meeting| m.attendees.contains_key(&id));
            // The latest first, across all of the person's pairs.
            meetings.sort_by(|a, b| (&b.1.date, b.1.created_at).cmp(&(&a.1.date, a.1.created_at)));
            // The questionnaires for the roles this person has in pairs (all, if none yet).
            let (as_mentor, as_mentee) = (
                pairs.iter().any(|(_, p)| p.mentors.contains_key(&id)),
                pairs.iter().any(|(_, p)| p.mentees.contains_key(&id)),
            );
            let questionnaires: Vec<(RecordId, Questionnaire)> =
                crate::components::Year::only(w.active::<Questionnaire>())
                    .into_iter()
                    .filter(|(_, q)| match q.audience.as_str() {
                        "mentor" => as_mentor || !as_mentee,
                        "mentee" => as_mentee || !as_mentor,
                        _ => true,
                    })
                    .collect();
            let p = person.get();
            let id = id.clone();
            // Before and after, per questionnaire this person has begun.
            let comparisons = {
                let person_id = id.clone();
                let begun: Vec<(RecordId, Questionnaire, bool)> = questionnaires
                    .iter()
                    .filter_map(|(qid, q)| {
                        let p = p.as_ref()?;
                        p.filled_on(qid.as_str(), model::STAGE_ENTRY)?;
                        let done = p.filled_on(qid.as_str(), model::STAGE_FINAL).is_some();
                        Some((qid.clone(), q.clone(), done))
                    })
                    .collect();
                (!begun.is_empty()).then(|| view! {
                    <h2>"До и после"</h2>
                    {begun.into_iter().map(|(qid, q, done)| {
                        let title = q.title.as_str().to_owned();
                        let people: Option<std::collections::BTreeSet<String>> =
                            Some(std::iter::once(person_id.clone()).collect());
                        view! {
                            <h3>{title}</h3>
                            {if done {
                                view! { <crate::pages::school::Comparisons id=qid q people /> }.into_any()
                            } else {
                                view! { <p class="muted" data-testid="comparison-missing">"Итоговая анкета ещё не заполнена: сравнение появится, когда она будет заполнена."</p> }.into_any()
                            }}
                        }
                    }).collect_view()}
                })
            };
            view! {
                <section class="card" data-testid="person-pairs">
                    <h2>"Пары и группы"</h2>
                    <ul>{pairs.into_iter().map(|(pid, pair)| {
                        let role = if pair.mentors.contains_key(&id) { "наставник" } else { "наставляемый" };
                        view! { <li><A href=format!("/pairs/{pid}")>{format!("{} — {role}", pair.goal.as_str())}</A></li> }
                    }).collect_view()}</ul>
                    <h2>{format!("Встречи ({})", meetings.len())}</h2>
                    <ul>{meetings.into_iter().take(10).map(|(mid, m)| view! {
                        <li><A href=format!("/meetings/{mid}")>{format!("{} — {}", ru::iso_date(&m.date), m.kind_label())}</A></li>
                    }).collect_view()}</ul>
                </section>
                <section class="card" data-testid="person-questionnaires">
                    <h2>"Анкеты"</h2>
                    <ul>{questionnaires.into_iter().flat_map(|(qid, q)| STAGES.iter().map(move |(stage, stage_label)| (qid.clone(), q.title.as_str().to_owned(), *stage, *stage_label)).collect::<Vec<_>>()).map(|(qid, title, stage, stage_label)| {
                        let filled = p.as_ref().and_then(|p| p.filled_on(qid.as_str(), stage).map(ru::iso_date));
                        view! {
                            <li>
                                <A href=format!("/people/{id}/questionnaires/{qid}/{stage}")>{format!("{title}: {stage_label} анкетирование")}</A>
                                <span class="meta" data-testid="filled">{filled.map(|d| format!(" — заполнено {d}")).unwrap_or_else(|| " — не заполнено".into())}</span>
                            </li>
                        }
                    }).collect_view()}</ul>
                    <div data-testid="person-comparison">{comparisons}</div>
                </section>
            }
        }
    };

    let navigate = use_navigate();
    let erase = {
        let (repo, id) = (w.repo.clone(), id.clone());
        let w = w.clone();
        move |_| {
            let confirmed = web_sys::window()
                .and_then(|win| win.confirm_with_message("Удалить персональные данные участника со всех устройств и с сервера без возможности восстановления?").ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let Ok(doc) = id.parse::<DocumentId>() else {
                return;
            };
            let (repo, w, navigate) = (repo.clone(), w.clone(), navigate.clone());
            leptos::task::spawn_local(async move {
                match repo.erase_person(doc).await {
                    Ok(()) => navigate("/people", Default::default()),
                    Err(e) => {
                        // Marked erased and deleted here; the relay is asked again at the next start.
                        w.fail(format!("Данные удалены на этом планшете; сервер будет очищен при следующем подключении ({e})."));
                        navigate("/people", Default::default());
                    }
                }
            });
        }
    };
    let curator = w.repo.credentials().is_some_and(|c| c.curator);
    view! {
        {move || entry.get().filter(|e| e.is_erased()).map(|_| view! {
            <section class="card warning" data-testid="erased"><h1>"Персональные данные удалены"</h1>
            <p>"По отзыву согласия данные участника удалены со всех устройств и с сервера."</p></section>
        })}
        {move || (person.get().is_none() && !entry.get().is_some_and(|e| e.is_erased())).then(|| view! {
            <p class="card muted" data-testid="person-waiting">"Данные участника ещё не получены с сервера."</p>
        })}
        <div class:hidden=move || person.get().is_none()>
            {main}
            {family}
            {links}
            {mentor}
            {mentee}
            {categories}
            <section class="card" data-testid="consents"><h2>"Согласия и соглашения"</h2>{consents}</section>
            <section class="card" data-testid="record-documents">
                <h2>"Документы"</h2>
                <p class="muted">{move || if person.get().is_some_and(|p| p.is_minor(chrono::Local::now().date_naive())) {
                    "Участник несовершеннолетний: согласие подписывает родитель (законный представитель)."
                } else {
                    "Согласие участник подписывает сам."
                }}</p>
                <DocumentRow document=export::Document::Consent { person: id.clone() } />
            </section>
            {curator.then(|| view! {
                <section class="card">
                    <h2>"Удаление персональных данных"</h2>
                    <p class="muted">"При отзыве согласия на обработку персональных данных. В парах и встречах участник останется как «персональные данные удалены»."</p>
                    <button type="button" class="danger" data-testid="erase-person" on:click=erase>"Удалить персональные данные"</button>
                </section>
            })}
        </div>
    }
    .into_any()
}

/// Filling an entry or final questionnaire for a person.
#[component]
pub fn FillQuestionnaire() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let get = |k: &str| params.read_untracked().get(k).unwrap_or_default();
    let (id, qid, stage) = (get("id"), get("qid"), get("stage"));
    let person = {
        let (repo, id) = (w.repo.clone(), id.clone());
        Memo::new(move |_| repo.person(&id))
    };
    let q = {
        let (w, qid) = (w.clone(), qid.clone());
        Memo::new(move |_| {
            w.repo
                .read(&w.school, |d| {
                    School::get::<Questionnaire>(d, &RecordId::new(qid.clone()))
                })
                .ok()
                .and_then(|r| r.ok())
        })
    };
    let stage_label = label(&STAGES, &stage);
    let filled_on = RwSignal::new(today());
    let (w2, id2, qid2, stage2) = (w.clone(), id.clone(), qid.clone(), stage.clone());
    let finish = move |_| {
        if w2.person(
            &id2,
            PersonField::Filled(qid2.clone(), stage2.clone(), filled_on.get_untracked()),
        ) {
            w2.fail(String::new());
        }
    };
    view! {
        <section class="card" data-testid="fill-questionnaire">
            <p class="muted"><A href=format!("/people/{id}")>{move || person.get().map(|p| p.full_name()).unwrap_or_default()}</A></p>
            <h1>{move || q.get().map(|q| format!("{} — {stage_label} анкетирование", q.title.as_str())).unwrap_or_default()}</h1>
            {move || q.get().map(|q| q.live_questions().cloned().collect::<Vec<_>>()).unwrap_or_default().into_iter().enumerate().map(|(n, question)| {
                let (w, id, qid, stage) = (w.clone(), id.clone(), qid.clone(), stage.clone());
                let qn = question.id.clone();
                let current = person.get_untracked().and_then(|p| p.answer(&qid, &stage, &qn).map(str::to_owned)).unwrap_or_default();
                let commit = move |v: String| { w.person(&id, PersonField::Answer(qid.clone(), stage.clone(), qn.clone(), v)); };
                let title = format!("{}. {}", n + 1, question.text.as_str());
                let choices = question.choices();
                if !choices.is_empty() {
                    view! {
                        <label data-testid="question">{title}
                            <select name=format!("answer-{n}") on:change=move |ev| commit(event_target_value(&ev))>
                                <option value="" selected=current.is_empty()>"—"</option>
                                {choices.into_iter().map(|v| view! { <option value=v.clone() selected=current == v>{v.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label data-testid="question">{title}
                            <textarea name=format!("answer-{n}") rows="3" prop:value=current on:change=move |ev| commit(event_target_value(&ev)) />
                        </label>
                    }.into_any()
                }
            }).collect_view()}
            <div class="add-row">
                <input type="text" name="filled-on" prop:value=move || filled_on.get() on:input=move |ev| filled_on.set(event_target_value(&ev)) />
                <button type="button" class="primary" data-testid="finish-questionnaire" on:click=finish>"Анкета заполнена"</button>
            </div>
        </section>
    }
    .into_any()
}
