//! Form fields that write one value when the user finishes editing it (`change`), so a field
//! another tablet edited meanwhile keeps their edit. Every write goes through [`Writes`], which
//! shows a refused edit's reason in the page's notice.

use automerge::transaction::Transaction;
use leptos::prelude::*;
use model::{Deadline, ModelError, PersonField, Row, RowEdit};
use sync_core::DocumentId;

use crate::repo::{Repo, now_ms};

/// The notice under the top bar: the last refused edit, in Russian.
#[derive(Clone, Copy)]
pub struct Notice(pub RwSignal<Option<String>>);

/// Writes to the school's and people's documents, reporting errors in the [`Notice`].
#[derive(Clone)]
pub struct Writes {
    pub repo: Repo,
    pub school: DocumentId,
    notice: Notice,
}

impl Writes {
    pub fn get() -> Option<Writes> {
        let repo = expect_context::<Repo>();
        let school = repo.school()?;
        Some(Writes {
            repo,
            school,
            notice: expect_context::<Notice>(),
        })
    }

    /// Applies an edit to the school document; shows its error. Returns whether it succeeded.
    pub fn school<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, ModelError>,
    ) -> Option<T> {
        self.report(self.repo.change(&self.school, f))
    }

    /// Every record of a kind, removed ones included (reactive; empty before the school arrives).
    pub fn list<T: model::Record>(&self) -> Vec<(model::RecordId, T)> {
        self.repo
            .read(&self.school, model::School::list::<T>)
            .and_then(|r| r)
            .unwrap_or_default()
    }

    /// Records of a kind that are not removed (reactive).
    pub fn active<T: model::Record>(&self) -> Vec<(model::RecordId, T)> {
        self.repo
            .read(&self.school, model::School::active::<T>)
            .and_then(|r| r)
            .unwrap_or_default()
    }

    pub fn person(&self, id: &str, field: PersonField) -> bool {
        let Ok(doc) = id.parse::<DocumentId>() else {
            return false;
        };
        self.report(
            self.repo
                .change(&doc, |tx| model::PersonDoc::update(tx, field, now_ms())),
        )
        .is_some()
    }

    pub fn report<T>(&self, result: Result<T, ModelError>) -> Option<T> {
        match result {
            Ok(v) => {
                self.notice.0.set(None);
                Some(v)
            }
            Err(e) => {
                self.notice.0.set(Some(e.to_string()));
                None
            }
        }
    }

    pub fn fail(&self, message: impl Into<String>) {
        self.notice.0.set(Some(message.into()));
    }
}

/// What a school's screen shows on a device that has not joined a school yet.
pub fn not_joined() -> AnyView {
    view! { <p class="card">"Планшет ещё не подключён к школе."</p> }.into_any()
}

/// A text field bound to a stored value.
///
/// While the user types, nothing that arrives from another tablet overwrites the field (a change
/// to another field, or to this one). When they leave it, their edit is rebased onto the current
/// value with [`model::merge_text`], so an edit another tablet made to the same text meanwhile is
/// kept rather than undone.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_commit: Callback<String>,
    #[prop(optional, into)] name: String,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let stored = Memo::new(move |_| value.get());
    // What the field showed when the user started typing, and whether they have.
    let base = StoredValue::new(String::new());
    let dirty = StoredValue::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let area = NodeRef::<leptos::html::Textarea>::new();
    let show = move |v: &str| {
        if let Some(el) = input.get_untracked() {
            el.set_value(v);
        }
        if let Some(el) = area.get_untracked() {
            el.set_value(v);
        }
    };
    Effect::new(move |_| {
        let v = stored.get();
        if !dirty.get_value() {
            show(&v);
            base.set_value(v);
        }
    });
    let typed = move |_| dirty.set_value(true);
    let commit = move |ev: leptos::ev::Event| {
        let mine = event_target_value(&ev);
        let merged = model::merge_text(&base.get_value(), &mine, &stored.get_untracked());
        dirty.set_value(false);
        base.set_value(merged.clone());
        if merged != mine {
            show(&merged);
        }
        on_commit.run(merged);
    };
    let field = if multiline {
        view! { <textarea node_ref=area name=name rows="4" placeholder=placeholder prop:value=stored.get_untracked() on:input=typed on:change=commit /> }
            .into_any()
    } else {
        view! { <input node_ref=input type="text" name=name placeholder=placeholder prop:value=stored.get_untracked() on:input=typed on:change=commit /> }
            .into_any()
    };
    view! { <label>{label} {field}</label> }
}

#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_commit: Callback<String>,
    #[prop(optional, into)] name: String,
) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name on:change=move |ev| on_commit.run(event_target_value(&ev))>
                {options.into_iter().map(|(code, text)| {
                    let c = code.clone();
                    view! { <option value=code selected=move || value.get() == c>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn CheckField(
    #[prop(into)] label: String,
    #[prop(into)] checked: Signal<bool>,
    #[prop(into)] on_commit: Callback<bool>,
    #[prop(optional, into)] name: String,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" name=name prop:checked=move || checked.get()
                on:change=move |ev| on_commit.run(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// Options from a code table (`[(code, label)]`).
pub fn options(table: &[(&str, &str)]) -> Vec<(String, String)> {
    table
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

/// What a list of rows shows besides the text.
#[derive(Clone, Copy, Default)]
pub struct Columns {
    pub period: bool,
    pub responsible: bool,
    pub note: bool,
    pub statuses: Option<&'static [(&'static str, &'static str)]>,
}

/// An editable list of rows (tasks, plan items, results): numbered like the documents' tables;
/// a removed row is struck through and can be restored.
#[component]
pub fn RowsEditor(
    #[prop(into)] title: String,
    #[prop(into)] rows: Signal<Vec<Row>>,
    columns: Columns,
    #[prop(into)] on_add: Callback<Row>,
    #[prop(into)] on_edit: Callback<(String, RowEdit)>,
    #[prop(optional, into)] testid: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let period = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let row = Row::new(&text.get_untracked())
            .with_period(Deadline::parse(&period.get_untracked()).store());
        on_add.run(row);
        text.set(String::new());
        period.set(String::new());
    };
    view! {
        <section class="rows" data-testid=testid>
            <h3>{title}</h3>
            <ol>
                <For each=move || rows.get() key=|r| r.id.clone() let(row)>
                    <RowLine id=row.id rows columns on_edit />
                </For>
            </ol>
            <form class="add-row" on:submit=add>
                <input type="text" name="row-text" placeholder="Новая строка"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                {columns.period.then(|| view! {
                    <input type="text" name="row-period" placeholder="Срок: 15.09.2026, сентябрь – октябрь, «В течение года»"
                        prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev)) />
                })}
                <button type="submit">"Добавить"</button>
            </form>
        </section>
    }
}

/// One row, bound to its own values in the list: a change to another row (or another field of
/// this one) does not reset what the user is typing.
#[component]
fn RowLine(
    id: String,
    rows: Signal<Vec<Row>>,
    columns: Columns,
    on_edit: Callback<(String, RowEdit)>,
) -> impl IntoView {
    let row = {
        let id = id.clone();
        Memo::new(move |_| rows.get().into_iter().find(|r| r.id == id))
    };
    let field = move |f: fn(&Row) -> String| {
        Signal::derive(move || row.get().map(|r| f(&r)).unwrap_or_default())
    };
    let removed = move || row.get().is_some_and(|r| r.is_removed());
    let commit = move |make: fn(String) -> RowEdit| {
        let id = id.clone();
        Callback::new(move |v: String| on_edit.run((id.clone(), make(v))))
    };
    let (restore, remove) = (
        commit(|_| RowEdit::Restore),
        commit(|_| RowEdit::Remove(now_ms())),
    );
    view! {
        <li class:removed=removed data-testid="row">
            <TextField label="" name="row-text" value=field(|r| r.text.as_str().to_owned()) on_commit=commit(RowEdit::Text) />
            {columns.period.then(|| view! {
                <TextField label="" name="row-period" placeholder="Срок" value=field(|r| Deadline::from_stored(&r.period).input()) on_commit=commit(RowEdit::Period) />
            })}
            {columns.responsible.then(|| view! {
                <TextField label="" name="row-responsible" placeholder="Ответственный" value=field(|r| r.responsible.clone()) on_commit=commit(RowEdit::Responsible) />
            })}
            {columns.statuses.map(|table| view! {
                <SelectField label="" name="row-status" options=options(table) value=field(|r| r.status.clone()) on_commit=commit(RowEdit::Status) />
            })}
            {columns.note.then(|| view! {
                <TextField label="" name="row-note" placeholder="Примечание" value=field(|r| r.note.as_str().to_owned()) on_commit=commit(RowEdit::Note) />
            })}
            {move || if removed() {
                view! { <button type="button" on:click=move |_| restore.run(String::new())>"Вернуть"</button> }.into_any()
            } else {
                view! { <button type="button" class="danger" aria-label="Удалить строку" on:click=move |_| remove.run(String::new())>"×"</button> }.into_any()
            }}
        </li>
    }
}
