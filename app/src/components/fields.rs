//! Form fields that write one value when the user finishes editing it (`change`), so a field
//! another tablet edited meanwhile keeps their edit. Every write goes through [`Writes`], which
//! shows a refused edit's reason in the page's notice.

use automerge::transaction::Transaction;
use leptos::prelude::*;
use model::{Deadline, ModelError, PersonField, Row, RowEdit};
use sync_core::DocumentId;

use crate::repo::{Repo, now_ms};

/// The notice under the top bar (the last refused edit, in Russian), and the field that edit
/// came from, which shows the reason next to itself until it is corrected.
#[derive(Clone, Copy)]
pub struct Notice {
    pub message: RwSignal<Option<String>>,
    /// The field whose value is being written right now (set around its `on_commit`).
    committing: StoredValue<Option<u64>>,
    /// A field's refused value: the field and the reason.
    refused: RwSignal<Option<(u64, String)>>,
    next_field: StoredValue<u64>,
}

impl Notice {
    pub fn new() -> Self {
        Notice {
            message: RwSignal::new(None),
            committing: StoredValue::new(None),
            refused: RwSignal::new(None),
            next_field: StoredValue::new(0),
        }
    }

    fn field_id(&self) -> u64 {
        self.next_field.update_value(|n| *n += 1);
        self.next_field.get_value()
    }

    fn refused_for(&self, field: u64) -> Option<String> {
        self.refused
            .get()
            .filter(|(f, _)| *f == field)
            .map(|(_, reason)| reason)
    }

    /// Runs a field's write, attributing a refusal to the field; returns the refusal.
    fn commit(&self, field: u64, write: impl FnOnce()) -> Option<String> {
        self.committing.set_value(Some(field));
        if self
            .refused
            .get_untracked()
            .is_some_and(|(f, _)| f == field)
        {
            self.refused.set(None);
        }
        write();
        self.committing.set_value(None);
        self.refused
            .get_untracked()
            .filter(|(f, _)| *f == field)
            .map(|(_, reason)| reason)
    }

    fn report(&self, error: Option<String>) {
        if let (Some(field), Some(reason)) = (self.committing.get_value(), &error) {
            self.refused.set(Some((field, reason.clone())));
        }
        self.message.set(error);
    }
}

impl Default for Notice {
    fn default() -> Self {
        Self::new()
    }
}

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
    pub fn list<T: model::Record + Send + Sync + 'static>(&self) -> Vec<(model::RecordId, T)> {
        self.repo.records::<T>(&self.school).unwrap_or_default()
    }

    /// [`Writes::list`] without the copy (reactive; empty before the school arrives).
    pub fn shared<T: model::Record + Send + Sync + 'static>(&self) -> crate::repo::Records<T> {
        self.repo
            .shared_records::<T>(&self.school)
            .unwrap_or_default()
    }

    /// Records of a kind that are not removed (reactive).
    pub fn active<T: model::Record + Send + Sync + 'static>(&self) -> Vec<(model::RecordId, T)> {
        self.active_where(|_| true)
    }

    /// Records of a kind that are not removed and that `keep` keeps (reactive): only those are
    /// copied.
    pub fn active_where<T: model::Record + Send + Sync + 'static>(
        &self,
        keep: impl Fn(&T) -> bool,
    ) -> Vec<(model::RecordId, T)> {
        self.list_where(|r: &T| !r.is_removed() && keep(r))
    }

    /// Records of a kind, removed ones included, that `keep` keeps (reactive): only those are
    /// copied.
    pub fn list_where<T: model::Record + Send + Sync + 'static>(
        &self,
        keep: impl Fn(&T) -> bool,
    ) -> Vec<(model::RecordId, T)> {
        self.shared::<T>()
            .iter()
            .filter(|(_, r)| keep(r))
            .cloned()
            .collect()
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
                self.notice.report(None);
                Some(v)
            }
            Err(e) => {
                self.notice.report(Some(e.to_string()));
                None
            }
        }
    }

    pub fn fail(&self, message: impl Into<String>) {
        self.notice.report(Some(message.into()));
    }
}

/// What a school's screen shows on a device that has not joined a school yet.
pub fn not_joined() -> AnyView {
    view! { <p class="card">"Планшет ещё не подключён к школе."</p> }.into_any()
}

/// A text field bound to a stored value.
///
/// While the user types, nothing that arrives from another tablet overwrites the field (a change
/// to another field, or to this one). When they leave it, a free text is rebased onto the current
/// value with [`model::merge_text`], so an edit another tablet made to the same text meanwhile is
/// kept rather than undone; a `structured` value (a date, a number, a class, a period) is written
/// as typed, since merging two dates character by character makes a third that nobody typed.
///
/// A refused value stays in the field, marked, with the reason next to it, until it is corrected;
/// the stored value is untouched and stays the base of the next edit.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_commit: Callback<String>,
    #[prop(optional, into)] name: String,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] structured: bool,
    /// A date: structured, with the device's date picker next to the text.
    #[prop(optional)]
    date: bool,
) -> impl IntoView {
    let structured = structured || date;
    let notice = use_context::<Notice>();
    let field = notice.map(|n| n.field_id()).unwrap_or_default();
    let refused = move || notice.and_then(|n| n.refused_for(field));
    let stored = Memo::new(move |_| value.get());
    let editor = StoredValue::new(model::FieldEditor::new(structured));
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
        if let Some(shown) = editor.try_update_value(|e| e.stored(&v)).flatten() {
            show(&shown);
        }
    });
    let typed = move |_| editor.update_value(|e| e.typed());
    let write = move |mine: String| {
        let value = editor.with_value(|e| e.to_write(&mine, &stored.get_untracked()));
        let refusal = match notice {
            Some(n) => n.commit(field, || on_commit.run(value.clone())),
            None => {
                on_commit.run(value.clone());
                None
            }
        };
        let now = stored.get_untracked();
        editor.update_value(|e| e.written(refusal.is_none(), &now));
        let shown = if refusal.is_some() { value } else { now };
        if shown != mine {
            show(&shown);
        }
    };
    let commit = move |ev: leptos::ev::Event| write(event_target_value(&ev));
    let invalid = move || refused().is_some();
    let field_view = if multiline {
        view! { <textarea node_ref=area name=name.clone() rows="4" placeholder=placeholder prop:value=stored.get_untracked()
            class:invalid=invalid aria-invalid=move || invalid().to_string() on:input=typed on:change=commit /> }
            .into_any()
    } else {
        view! { <input node_ref=input type="text" name=name.clone() placeholder=placeholder prop:value=stored.get_untracked()
            class:invalid=invalid aria-invalid=move || invalid().to_string() on:input=typed on:change=commit /> }
            .into_any()
    };
    // The picker writes the date it was given in the form the field shows.
    let picker = date.then(|| {
        let pick = move |ev: leptos::ev::Event| {
            let iso = event_target_value(&ev);
            if let Some(d) = model::validate::iso(&iso) {
                let typed = model::ru::date_numeric(d);
                show(&typed);
                write(typed);
            }
        };
        view! {
            <input type="date" class="date-picker" name=format!("{name}-picker") aria-label="Выбрать дату в календаре"
                prop:value=move || model::validate::date(&stored.get()).unwrap_or_default() on:change=pick />
        }
    });
    view! {
        <label class:field-refused=invalid>{label}
            <span class="field-line">{field_view}{picker}</span>
            {move || refused().map(|reason| view! { <span class="field-error" role="alert" data-testid="field-error">{reason}</span> })}
        </label>
    }
}

#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_commit: Callback<String>,
    #[prop(optional, into)] name: String,
) -> impl IntoView {
    // The stored choice is marked once as the options are made, and later changes are set on
    // the select by one effect: a roadmap of a hundred lines with a dozen options each does not
    // keep an effect per option.
    let select = NodeRef::<leptos::html::Select>::new();
    let initial = value.get_untracked();
    Effect::new(move |_| {
        let v = value.get();
        if let Some(el) = select.get()
            && el.value() != v
        {
            el.set_value(&v);
            // A code no option has (written by a newer app): the first option, as the browser
            // shows a select with nothing chosen.
            if el.selected_index() < 0 {
                el.set_selected_index(0);
            }
        }
    });
    view! {
        <label>{label}
            <select node_ref=select name=name on:change=move |ev| {
                on_commit.run(event_target_value(&ev));
                // A choice the model refused (a read-only document) is not left showing as if
                // it were stored: the select goes back to what is.
                let stored = value.get_untracked();
                if let Some(el) = select.get_untracked()
                    && el.value() != stored
                {
                    el.set_value(&stored);
                }
            }>
                {options.into_iter().map(|(code, text)| {
                    let selected = code == initial;
                    view! { <option value=code selected=selected>{text}</option> }
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
                <TextField label="" structured=true name="row-period" placeholder="Срок" value=field(|r| Deadline::from_stored(&r.period).input()) on_commit=commit(RowEdit::Period) />
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
