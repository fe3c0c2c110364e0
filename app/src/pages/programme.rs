use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::{
    Form, IMPLEMENTATION_STAGES, Pair, Programme, ProgrammeDraft, ProgrammeField, ProgrammeId,
    ProgrammeList, STAGE_STATUSES, School, ru, validate,
};

use crate::components::{Columns, RowsEditor, SelectField, TextField, Writes, not_joined, options};
use crate::pages::DocumentsCard;
use export::Document;

use crate::repo::{Repo, now_ms};

/// The academic year chosen at the top: a new programme is of the year on the screen.
fn current_academic_year() -> String {
    untrack(crate::components::Year::get)
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
            variant: String::new(),
            academic_year: year.get_untracked(),
            note: note.get_untracked(),
        };
        let id = ProgrammeId::random();
        match repo.change(&school, |tx| {
            School::add_programme(tx, &id, draft, now_ms())
        }) {
            // The new programme opens, to be filled in.
            Ok(()) => navigate(&format!("/programmes/{id}"), Default::default()),
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

/// Every part of a programme; each field is written on its own when it changes.
#[component]
pub fn EditProgramme() -> impl IntoView {
    let params = use_params_map();
    let Some(w) = Writes::get() else {
        return not_joined();
    };
    let id = ProgrammeId::new(params.read_untracked().get("id").unwrap_or_default());
    let programme = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            w.repo
                .read(&w.school, |d| School::programme(d, &id))
                .and_then(|r| r)
                .map_err(|e| e.to_string())
        })
    };
    let pairs = {
        let (w, id) = (w.clone(), id.clone());
        Memo::new(move |_| {
            w.active::<Pair>()
                .into_iter()
                .filter(|(_, p)| p.programme == id.as_str())
                .count()
        })
    };
    let field = {
        let (w, id) = (w.clone(), id.clone());
        move |f: ProgrammeField| {
            w.school(|tx| School::update_programme(tx, &id, f));
        }
    };
    let text = move |f: fn(&Programme) -> String| {
        Signal::derive(move || programme.get().map(|p| f(&p)).unwrap_or_default())
    };
    let on = {
        let field = field.clone();
        move |make: fn(String) -> ProgrammeField| {
            let field = field.clone();
            Callback::new(move |v: String| field(make(v)))
        }
    };
    let navigate = use_navigate();
    let (w2, id2) = (w.clone(), id.clone());
    let remove = move |_| {
        let title = w2
            .repo
            .read(&w2.school, |d| School::programme(d, &id2))
            .ok()
            .and_then(|p| p.ok())
            .map(|p| p.title.as_str().to_owned())
            .unwrap_or_default();
        if w2
            .school(|tx| School::remove_programme(tx, &id2, now_ms()))
            .is_some()
        {
            let (w, id) = (w2.clone(), id2.clone());
            expect_context::<crate::components::Undo>().offer(
                format!("Программа «{title}» удалена и перенесена в архив."),
                move || {
                    w.school(|tx| School::restore_programme(tx, &id));
                },
            );
            navigate("/", Default::default());
        }
    };
    let (w3, id3) = (w.clone(), id.clone());
    let restore = move |_| {
        w3.school(|tx| School::restore_programme(tx, &id3));
    };
    let variants = {
        let w = w.clone();
        move || {
            let Ok(p) = programme.get() else {
                return vec![];
            };
            let form = p.form();
            let mut v: Vec<(String, String)> = vec![(String::new(), "— не выбран —".into())];
            v.extend(
                form.standard_variants()
                    .iter()
                    .map(|s| ((*s).to_owned(), (*s).to_owned())),
            );
            let own = w
                .repo
                .read(&w.school, |d| School::own_variants(d, form.code()))
                .unwrap_or_default();
            v.extend(own.into_iter().map(|s| (s.clone(), s)));
            if !p.variant.is_empty() && !v.iter().any(|(c, _)| *c == p.variant) {
                v.push((p.variant.clone(), p.variant.clone()));
            }
            v
        }
    };
    let new_variant = {
        let (w, field) = (w.clone(), field.clone());
        Callback::new(move |name: String| {
            let Ok(p) = programme.get_untracked() else {
                return;
            };
            if name.trim().is_empty() {
                return;
            }
            if w.school(|tx| School::add_variant(tx, &p.form, &name, now_ms()))
                .is_some()
            {
                field(ProgrammeField::Variant(name));
            }
        })
    };
    let lists = ProgrammeList::ALL.map(|list| {
        let rows = Signal::derive(move || programme.get().map(|p| p.list(list).clone()).unwrap_or_default());
        let (f1, f2) = (field.clone(), field.clone());
        view! {
            <RowsEditor title=list.title() rows
                columns=Columns { period: list.has_period(), responsible: list.has_responsible(), note: false, statuses: None }
                on_add=Callback::new(move |row| f1(ProgrammeField::AddRow(list, Box::new(row))))
                on_edit=Callback::new(move |(id, e)| f2(ProgrammeField::EditRow(list, id, e)))
                testid=format!("list-{list:?}").to_lowercase() />
        }
    });
    let stages = IMPLEMENTATION_STAGES.iter().enumerate().map(|(i, title)| {
        let n = i + 1;
        let f = field.clone();
        view! {
            <SelectField label=format!("{n}. {title}") options=options(&STAGE_STATUSES)
                value=Signal::derive(move || programme.get().map(|p| p.stage_status(n).to_owned()).unwrap_or_default())
                on_commit=Callback::new(move |v| f(ProgrammeField::StageStatus(n, v))) />
        }
    }).collect_view();
    let form_field = field.clone();
    view! {
        {move || match programme.get() {
            Err(e) => Some(view! { <p class="card" data-testid="no-programme">{e}" Возможно, данные ещё не пришли с сервера."</p> }.into_any()),
            Ok(p) if p.is_removed() => Some(view! {
                <div class="banner warning" data-testid="removed-banner">
                    <p>"Программа удалена. Её данные сохранены, её можно восстановить."</p>
                    <button on:click=restore.clone()>"Восстановить"</button>
                </div>
            }.into_any()),
            Ok(_) => None,
        }}
        <form class="card" data-testid="programme-form" on:submit=|ev| ev.prevent_default()>
            <p class="muted"><A href="/">"Программы"</A>" / "<A href=format!("/pairs?programme={id}")>{move || ru::count(pairs.get() as u64, ["пара", "пары", "пар"])}</A>
                " · "<A href=format!("/pairs/new?programme={id}") attr:data-testid="programme-new-pair">"Сформировать пару"</A></p>
            <h1>"Программа наставничества"</h1>
            <crate::components::RecordHistory doc=w.school id=id.to_string() locate={crate::components::history::record::<model::Programme>} />
            <TextField label="Название" name="title" value=text(|p| p.title.as_str().to_owned()) on_commit=on(ProgrammeField::Title) />
            <div class="grid2">
                <label>"Форма наставничества"
                    <select name="form" on:change=move |ev| form_field(ProgrammeField::Form(Form::from_code(&event_target_value(&ev))))>
                        {move || {
                            let current = programme.get().ok().map(|p| p.form());
                            form_options(current.clone()).into_iter().map(|f| {
                                let selected = Some(&f) == current.as_ref();
                                view! { <option value=f.code().to_owned() selected=selected>{f.label().to_owned()}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <label>"Ролевая модель (вариант)"
                    <select name="variant" on:change={let f = field.clone(); move |ev| f(ProgrammeField::Variant(event_target_value(&ev)))}>
                        {move || {
                            let current = programme.get().map(|p| p.variant).unwrap_or_default();
                            variants().into_iter().map(|(c, l)| {
                                let selected = c == current;
                                view! { <option value=c selected=selected>{l}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
            </div>
            <TextField label="Свой вариант ролевой модели (добавить)" name="new-variant" value=Signal::derive(String::new) on_commit=new_variant placeholder="например, «старшеклассник – пятиклассник»" />
            <div class="grid2">
                <TextField label="Учебный год" structured=true name="year" value=text(|p| p.academic_year.clone()) on_commit=on(ProgrammeField::AcademicYear) />
                <TextField label="Составитель" name="compiler" value=text(|p| p.compiler.clone()) on_commit=on(ProgrammeField::Compiler) />
                <TextField label="Согласовано (кем)" name="agreed-by" value=text(|p| p.agreed_by.clone()) on_commit=on(ProgrammeField::AgreedBy) />
                <TextField label="Дата согласования" date=true name="agreed-on" placeholder="15.09.2026" value=text(|p| validate::input_date(&p.agreed_on)) on_commit=on(ProgrammeField::AgreedOn) />
                <TextField label="Утверждено (кем)" name="approved-by" value=text(|p| p.approved_by.clone()) on_commit=on(ProgrammeField::ApprovedBy) />
                <TextField label="Дата утверждения" date=true name="approved-on" placeholder="15.09.2026" value=text(|p| validate::input_date(&p.approved_on)) on_commit=on(ProgrammeField::ApprovedOn) />
            </div>
            <TextField label="Пояснительная записка" name="note" multiline=true value=text(|p| p.note.as_str().to_owned()) on_commit=on(ProgrammeField::Note) />
            <TextField label="Цель" name="goal" multiline=true value=text(|p| p.goal.as_str().to_owned()) on_commit=on(ProgrammeField::Goal) />
            <TextField label="Права и обязанности наставника и наставляемого" name="rights" multiline=true value=text(|p| p.rights_duties.as_str().to_owned()) on_commit=on(ProgrammeField::RightsDuties) />
        </form>
        <section class="card">
            {lists}
            {let (w, id) = (w.clone(), id.clone()); let filled = RwSignal::new(None::<bool>); view! {
                <p class="add-row">
                    <button type="button" class="button" data-testid="template-programme" on:click=move |_| {
                        if let Some(done) = w.school(|tx| model::template::apply_to_programme(tx, &id)) {
                            filled.set(Some(done));
                        }
                    }>"Заполнить пустые разделы по типовой программе (этапы, план работы, права и обязанности)"</button>
                    {move || filled.get().map(|done| view! { <span class="muted" role="status">{if done { "Разделы заполнены: их можно править." } else { "Пустых разделов нет: заполненное не изменено." }}</span> })}
                </p>
            }}
        </section>
        <section class="card" data-testid="implementation">
            <h2>"Этапы реализации целевой модели"</h2>
            {stages}
        </section>
        <DocumentsCard documents=vec![
            Document::Programme { programme: id.to_string() },
            Document::PairsTable { programme: id.to_string() },
            Document::ProgrammeConsents { programme: id.to_string() },
            Document::OrderApproval { programmes: vec![id.to_string()], number: String::new(), date: String::new() },
        ] />
        <div class="actions card">
            <A href="/">"К списку программ"</A>
            <button type="button" class="danger" data-testid="remove-programme" on:click=remove>"Удалить программу"</button>
        </div>
    }
    .into_any()
}
