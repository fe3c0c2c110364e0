//! Choosing a person: a search (ё = е, any case, extra spaces ignored; by surname, first name,
//! class or subject) over a list filtered by role and base, each entry with its class and how
//! many current pairs it is in, big enough for a finger. Used wherever a person is chosen.

use leptos::prelude::*;
use model::{Person, Role};

/// How many matches are listed at once (the search narrows the rest).
const SHOWN: usize = 30;

/// The people a picker offers, shared (a school's thousand are not copied per picker or per
/// redraw).
pub type Choices = std::sync::Arc<[Choice]>;

/// A person the picker offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub id: String,
    pub person: Person,
    /// Current pairs and groups they are in.
    pub load: usize,
    /// What the search looks in ([`Person::haystack`]), prepared at the first search: a form
    /// opened and filled without searching prepares none of a school's thousand.
    haystack: std::sync::OnceLock<model::search::Haystack>,
}

impl Choice {
    pub fn new(id: String, person: Person, load: usize) -> Self {
        Choice {
            id,
            person,
            load,
            haystack: std::sync::OnceLock::new(),
        }
    }

    fn matches(&self, query: &model::search::Query) -> bool {
        query.is_empty()
            || self
                .haystack
                .get_or_init(|| self.person.haystack())
                .matches(query)
    }

    fn line(&self) -> String {
        let load = match self.load {
            0 => "без пары".to_owned(),
            n => model::ru::count(n as u64, ["пара", "пары", "пар"]),
        };
        format!("{} · {load}", self.person.summary())
    }
}

/// Which people a picker offers besides the search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Base {
    /// Everyone.
    #[default]
    All,
    /// People in the mentor base.
    Mentors,
    /// People in the mentee base.
    Mentees,
}

impl Base {
    fn holds(self, p: &Person) -> bool {
        match self {
            Base::All => true,
            Base::Mentors => p.mentor.in_base,
            Base::Mentees => p.mentee.in_base,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Base::All => "",
            Base::Mentors => "только из базы наставников",
            Base::Mentees => "только из базы наставляемых",
        }
    }
}

#[component]
pub fn PersonPicker(
    #[prop(into)] label: String,
    /// Names the search field (`{name}-search`) and the list, for tests and autofill.
    name: &'static str,
    #[prop(into)] choices: Signal<Choices>,
    /// The chosen person's id ("" for nobody).
    value: RwSignal<String>,
    /// The role offered first (the programme's form decides it); the user may change it.
    #[prop(optional, into)]
    role: Signal<Option<Role>>,
    #[prop(optional)] base: Base,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let role_filter = RwSignal::new(String::new());
    Effect::new(move |_| {
        role_filter.set(role.get().map(|r| r.code().to_owned()).unwrap_or_default())
    });
    let only_base = RwSignal::new(false);
    let chosen = Memo::new(move |_| {
        let id = value.get();
        choices.with(|c| c.iter().find(|c| c.id == id).cloned())
    });
    // How many match, and the first `SHOWN` of them: a school of a thousand is not copied for
    // the dozen lines shown.
    let matches = Memo::new(move |_| {
        let (r, b) = (role_filter.get(), only_base.get());
        let q = model::search::Query::new(&query.get());
        choices.with(|all| {
            let mut found = all
                .iter()
                .filter(|c| r.is_empty() || c.person.role().is_some_and(|x| x.code() == r))
                .filter(|c| !b || base.holds(&c.person))
                .filter(|c| c.matches(&q));
            let shown: Vec<Choice> = found.by_ref().take(SHOWN).cloned().collect();
            (shown.len() + found.count(), shown)
        })
    });
    let roles: Vec<(String, String)> = std::iter::once((String::new(), "все".to_owned()))
        .chain(
            Role::ALL
                .iter()
                .map(|r| (r.code().to_owned(), r.plural_label().to_owned())),
        )
        .collect();
    view! {
        <fieldset class="picker" data-testid=format!("picker-{name}")>
            <legend>{label}</legend>
            {move || chosen.get().map(|c| view! {
                <p class="picked" data-testid="picked">
                    <strong>{c.person.full_name()}</strong>
                    <span class="muted">{format!(" — {}", c.line())}</span>
                    " "
                    <button type="button" class="link" on:click=move |_| value.set(String::new())>"изменить"</button>
                </p>
            })}
            <Show when=move || chosen.get().is_none()>
                <div class="picker-filters">
                    <input type="search" name=format!("{name}-search") placeholder="Фамилия, имя, класс или предмет"
                        autocomplete="off" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                    // The role offered first is set once the form knows it: the select follows
                    // with one property, not an effect per option.
                    <select name=format!("{name}-role") aria-label="Кто" prop:value=move || role_filter.get()
                        on:change=move |ev| role_filter.set(event_target_value(&ev))>
                        {
                            let initial = role_filter.get_untracked();
                            roles.iter().map(|(code, text)| {
                                let selected = *code == initial;
                                view! { <option value=code.clone() selected=selected>{text.clone()}</option> }
                            }).collect_view()
                        }
                    </select>
                    {(base != Base::All).then(|| view! {
                        <label class="check"><input type="checkbox" prop:checked=move || only_base.get()
                            on:change=move |ev| only_base.set(event_target_checked(&ev)) />{base.label()}</label>
                    })}
                </div>
                <ul class="picker-list" data-testid=format!("{name}-choices")>
                    {move || {
                        let (total, shown) = matches.get();
                        let more = total.saturating_sub(shown.len());
                        let items = shown.into_iter().map(|c| {
                            let id = c.id.clone();
                            view! {
                                <li>
                                    <button type="button" data-testid="pick" data-name=c.person.full_name()
                                        on:click=move |_| { value.set(id.clone()); query.set(String::new()); }>
                                        <strong>{c.person.full_name()}</strong>
                                        <span class="muted">{format!(" — {}", c.line())}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view();
                        view! {
                            {items}
                            {(more > 0).then(|| view! { <li class="muted">{format!("и ещё {more}: уточните поиск")}</li> })}
                        }
                    }}
                    {move || matches.with(|(total, _)| *total == 0).then(|| view! { <li class="muted">"Никого не нашлось."</li> })}
                </ul>
            </Show>
        </fieldset>
    }
}
