use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::{Form, ModelError, ProgrammeDraft, ProgrammeField, ProgrammeId, School, ru};
use sync_core::DocumentId;

use crate::repo::{Repo, now_ms};

fn current_academic_year() -> String {
    ru::academic_year(chrono::Local::now().date_naive())
}

/// The form list: the standard ones, plus the programme's own if a newer app added it.
fn form_options(current: Option<Form>) -> Vec<Form> {
    let mut forms = Form::STANDARD.to_vec();
    if let Some(Form::Other(code)) = current {
        forms.push(Form::Other(code));
    }
    forms
}

#[component]
pub fn NewProgramme() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let form = RwSignal::new(Form::StudentStudent.code().to_owned());
    let year = RwSignal::new(current_academic_year());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(school) = repo.school() else { return };
        let draft = ProgrammeDraft {
            title: title.get_untracked(),
            form: Form::from_code(&form.get_untracked()),
            academic_year: year.get_untracked(),
            note: note.get_untracked(),
        };
        let id = ProgrammeId::random();
        match repo.change(&school, |tx| {
            School::add_programme(tx, &id, draft, now_ms())
        }) {
            Ok(()) => navigate("/", Default::default()),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <form class="card" on:submit=submit data-testid="programme-form">
            <h1>"Новая программа наставничества"</h1>
            <label>"Название"
                <input type="text" name="title" required
                    placeholder="Персонализированная программа наставничества «Служба учебной помощи»"
                    prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            </label>
            <label>"Форма наставничества"
                <select name="form" on:change=move |ev| form.set(event_target_value(&ev))>
                    {form_options(None).into_iter().map(|f| {
                        let code = f.code().to_owned();
                        let selected = code == form.get_untracked();
                        view! { <option value=code selected=selected>{f.label().to_owned()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Учебный год"
                <input type="text" name="year" inputmode="numeric"
                    prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev)) />
            </label>
            <label>"Заметка"
                <textarea name="note" rows="4"
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })}
            <div class="actions">
                <button type="submit" class="primary">"Создать программу"</button>
                <A href="/">"Отмена"</A>
            </div>
        </form>
    }
}

/// Each field is written on its own when it changes, so a field another tablet edited
/// meanwhile keeps their edit.
#[component]
pub fn EditProgramme() -> impl IntoView {
    let repo = expect_context::<Repo>();
    let params = use_params_map();
    let Some(school) = repo.school() else {
        return view! { <p>"Планшет ещё не подключён к школе."</p> }.into_any();
    };
    let id = ProgrammeId::new(params.read_untracked().get("id").unwrap_or_default());
    let programme = {
        let (repo, id) = (repo.clone(), id.clone());
        Memo::new(move |_| {
            repo.read(&school, |d| School::programme(d, &id))
                .and_then(|r| r)
        })
    };
    let error = RwSignal::new(None::<String>);
    let write = StoredValue::new(Writer {
        repo: repo.clone(),
        school,
        id: id.clone(),
        error,
    });
    let text = move |f: fn(&model::Programme) -> String| {
        move || programme.get().map(|p| f(&p)).unwrap_or_default()
    };
    let navigate = use_navigate();
    let remove = move |_| {
        if write.with_value(|w| w.apply(|tx, id| School::remove_programme(tx, id, now_ms()))) {
            navigate("/", Default::default());
        }
    };
    let restore = move |_| {
        write.with_value(|w| w.apply(|tx, id| School::restore_programme(tx, id)));
    };
    view! {
        {move || match programme.get() {
            Err(ModelError::NoSuchProgramme) => Some(view! {
                <p class="card" data-testid="no-programme">"Программа не найдена (возможно, данные ещё не пришли с сервера)."</p>
            }.into_any()),
            Err(e) => Some(view! { <p class="card error">{e.to_string()}</p> }.into_any()),
            Ok(p) if p.is_removed() => Some(view! {
                <div class="banner warning" data-testid="removed-banner">
                    <p>"Программа удалена. Её данные сохранены, её можно восстановить."</p>
                    <button on:click=restore>"Восстановить"</button>
                </div>
            }.into_any()),
            Ok(_) => None,
        }}
        <form class="card" data-testid="programme-form" on:submit=|ev| ev.prevent_default()>
            <h1>"Программа наставничества"</h1>
            <label>"Название"
                <input type="text" name="title" prop:value=text(|p| p.title.as_str().to_owned())
                    on:change=move |ev| write.with_value(|w| w.field(ProgrammeField::Title(event_target_value(&ev)))) />
            </label>
            <label>"Форма наставничества"
                <select name="form"
                    on:change=move |ev| write.with_value(|w| w.field(ProgrammeField::Form(Form::from_code(&event_target_value(&ev)))))>
                    {move || {
                        let current = programme.get().ok().map(|p| p.form());
                        form_options(current.clone()).into_iter().map(|f| {
                            let selected = Some(&f) == current.as_ref();
                            view! { <option value=f.code().to_owned() selected=selected>{f.label().to_owned()}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <label>"Учебный год"
                <input type="text" name="year" prop:value=text(|p| p.academic_year.clone())
                    on:change=move |ev| write.with_value(|w| w.field(ProgrammeField::AcademicYear(event_target_value(&ev)))) />
            </label>
            <label>"Заметка"
                <textarea name="note" rows="6" prop:value=text(|p| p.note.as_str().to_owned())
                    on:change=move |ev| write.with_value(|w| w.field(ProgrammeField::Note(event_target_value(&ev)))) />
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="form-error">{e}</p> })}
            <div class="actions">
                <A href="/">"К списку программ"</A>
                <button type="button" class="danger" data-testid="remove-programme" on:click=remove>"Удалить программу"</button>
            </div>
        </form>
    }
    .into_any()
}

struct Writer {
    repo: Repo,
    school: DocumentId,
    id: ProgrammeId,
    error: RwSignal<Option<String>>,
}

impl Writer {
    fn field(&self, field: ProgrammeField) {
        self.apply(|tx, id| School::update_programme(tx, id, field));
    }

    /// Applies an edit; shows its error. Returns whether it succeeded.
    fn apply(
        &self,
        f: impl FnOnce(
            &mut automerge::transaction::Transaction<'_>,
            &ProgrammeId,
        ) -> Result<(), ModelError>,
    ) -> bool {
        let result = self.repo.change(&self.school, |tx| f(tx, &self.id));
        self.error
            .set(result.as_ref().err().map(ToString::to_string));
        result.is_ok()
    }
}
