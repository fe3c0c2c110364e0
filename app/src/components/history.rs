//! Under a record: who changed it last and when, fields two tablets set at the same time (both
//! values, and the curator picks one), and on request the record's history with «Вернуть» for
//! earlier values. The reading is `model::history`'s; actors are named by the relay's word.

use automerge::{ActorId, Automerge, ObjId, ScalarValue};
use leptos::prelude::*;
use model::history::{self, EditKind};
use sync_core::DocumentId;

use crate::components::status::moment_of;
use crate::components::{Writes, confirm};
use crate::repo::Repo;

/// Finds the record's map in its document.
pub type Locate = fn(&Automerge, &str) -> Option<ObjId>;

/// `history::record_object` for a record kind, as a [`Locate`].
pub fn record<T: model::Record>(doc: &Automerge, id: &str) -> Option<ObjId> {
    history::record_object::<T>(doc, &model::RecordId::new(id))
}

/// A person's document holds one person.
pub fn person(doc: &Automerge, _: &str) -> Option<ObjId> {
    history::person_object(doc)
}

/// The Russian name of a field, by its key in the record.
fn label(path: &[String]) -> String {
    let key = path
        .iter()
        .rev()
        .find(|k| k.parse::<usize>().is_err())
        .map(String::as_str)
        .unwrap_or("");
    // A person id inside a map of participants: the map names the field.
    let key = match path.first().map(String::as_str) {
        Some(k @ ("mentors" | "mentees" | "attendees" | "children" | "feedback")) => k,
        _ => key,
    };
    let text = match key {
        "order_date" => "Дата приказа",
        "order_number" => "Номер приказа",
        "status" => "Статус",
        "goal" => "Цель",
        "date" => "Дата",
        "topic" => "Тема",
        "notes" => "Заметки",
        "held" => "Встреча состоялась",
        "attendees" => "Присутствовали",
        "mentors" => "Наставники",
        "mentees" => "Наставляемые",
        "mentee_category" => "Категория наставляемых",
        "programme" => "Программа",
        "form" => "Форма наставничества",
        "variant" => "Ролевая модель",
        "format" => "Формат",
        "term" => "Срок",
        "preparatory" => "Подготовительный этап",
        "main" => "Основной этап",
        "closing" => "Завершающий этап",
        "period" => "Сроки",
        "content" => "Содержание",
        "plan" => "Индивидуальный план",
        "results" => "Результаты",
        "text" => "Текст строки",
        "removed_at" => "Удаление",
        "title" => "Название",
        "note" => "Заметка",
        "academic_year" => "Учебный год",
        "compiler" => "Составитель",
        "agreed_by" => "Согласовано",
        "agreed_on" => "Дата согласования",
        "approved_by" => "Утверждено",
        "approved_on" => "Дата утверждения",
        "rights_duties" => "Права и обязанности",
        "last_name" => "Фамилия",
        "first_name" => "Имя",
        "patronymic" => "Отчество",
        "birth_date" => "Дата рождения",
        "class" => "Класс",
        "role" => "Роль",
        "subjects" => "Предметы",
        "organisation" => "Организация",
        "position" => "Должность",
        "graduation_year" => "Год выпуска",
        "contacts" => "Контакты",
        "consents" => "Согласия",
        "feedback" => "Обратная связь",
        "answers" => "Ответы на анкеты",
        "children" => "Дети",
        "competencies" => "Компетенции",
        "time_available" => "Время для встреч",
        "requests" => "Запросы",
        "created_at" => "Создание",
        other => other,
    };
    text.to_owned()
}

/// A value as the field shows it.
fn shown(path: &[String], value: &ScalarValue) -> String {
    let last = path.last().map(String::as_str).unwrap_or("");
    match value {
        ScalarValue::Str(s) if s.is_empty() => "(пусто)".to_owned(),
        ScalarValue::Str(s) => model::validate::iso(s)
            .map(model::ru::date_numeric)
            .unwrap_or_else(|| s.to_string()),
        ScalarValue::Null if last == "removed_at" => "восстановлено".to_owned(),
        ScalarValue::Null => "(пусто)".to_owned(),
        ScalarValue::Int(_) | ScalarValue::Uint(_) if last == "removed_at" => "удалено".to_owned(),
        ScalarValue::Boolean(true) => "да".to_owned(),
        ScalarValue::Boolean(false) => "нет".to_owned(),
        other => other.to_string(),
    }
}

/// «добавлен(а): Иванова Анна» for an entry of a map of people; the value otherwise.
fn described(path: &[String], kind: &EditKind, name_of: &dyn Fn(&str) -> String) -> String {
    let person = match path {
        [map, id]
            if matches!(
                map.as_str(),
                "mentors" | "mentees" | "attendees" | "children"
            ) =>
        {
            Some(name_of(id))
        }
        _ => None,
    };
    match (kind, person) {
        (EditKind::Set(_), Some(name)) => format!("добавлен(а) {name}"),
        (EditKind::Deleted, Some(name)) => format!("убран(а) {name}"),
        (EditKind::Set(v), None) => shown(path, v),
        (EditKind::Deleted, None) => "удалено".to_owned(),
        (EditKind::Text, _) => "изменён текст".to_owned(),
        (EditKind::Created, _) => "создано".to_owned(),
    }
}

fn who(repo: &Repo, actor: &ActorId) -> String {
    repo.author(actor)
        .unwrap_or_else(|| "устройство, которое сервер ещё не назвал".to_owned())
}

fn when(time: i64) -> Option<String> {
    (time > 0).then(|| moment_of(time * 1000))
}

/// Who changed the record last, its conflicts, and its history on request.
#[component]
pub fn RecordHistory(
    /// The document the record is in.
    doc: DocumentId,
    /// The record's id in it (ignored for a person's document).
    #[prop(into)]
    id: String,
    locate: Locate,
    /// Names a person by id, for the maps of participants.
    #[prop(optional)]
    name_of: Option<Callback<String, String>>,
) -> impl IntoView {
    let Some(w) = Writes::get() else {
        return ().into_any();
    };
    let repo = w.repo.clone();
    let name_of = move |id: &str| match name_of {
        Some(f) => f.run(id.to_owned()),
        None => id.to_owned(),
    };
    let (r1, r2, r3) = (repo.clone(), repo.clone(), repo.clone());
    let (id2, id3) = (id.clone(), id.clone());
    let last = Memo::new(move |_| {
        r1.read(&doc, |d| {
            locate(d, &id).and_then(|obj| history::last_edit(d, &obj))
        })
        .ok()
        .flatten()
    });
    let conflicts = Memo::new(move |_| {
        r2.read(&doc, |d| {
            locate(d, &id2).map(|obj| (obj.clone(), history::conflicts(d, &obj)))
        })
        .ok()
        .flatten()
    });
    let open = RwSignal::new(false);
    let last_line = {
        let repo = repo.clone();
        move || {
            last.get().map(|(actor, time)| {
                let at = when(time).map(|t| format!(", {t}")).unwrap_or_default();
                view! { <p class="muted changed-by" data-testid="changed-by">{format!("Изменено: {}{at}", who(&repo, &actor))}</p> }
            })
        }
    };
    let conflicts_view = {
        let (repo, w) = (repo.clone(), w.clone());
        move || {
            let Some((obj, list)) = conflicts.get() else {
                return ().into_any();
            };
            list.into_iter()
                .map(|c| {
                    let field = label(&c.path);
                    let choices = c
                        .candidates
                        .iter()
                        .map(|cand| {
                            let (w, obj, path, value) =
                                (w.clone(), obj.clone(), c.path.clone(), cand.value.clone());
                            let text = format!("{} — {}", shown(&c.path, &cand.value), who(&repo, &cand.actor));
                            let choose = move |_| {
                                w.report(w.repo.change(&doc, |tx| {
                                    history::set_field(tx, &obj, &path, value.clone())
                                }));
                            };
                            view! { <li><button type="button" data-testid="choose-value" on:click=choose>{format!("Оставить: {text}")}</button></li> }
                        })
                        .collect_view();
                    view! {
                        <div class="banner warning conflict" data-testid="conflict">
                            <p><strong>{format!("{field}: ")}</strong>"изменено одновременно на двух устройствах. Какое значение оставить?"</p>
                            <ul>{choices}</ul>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    let list = move || {
        if !open.get() {
            return ().into_any();
        }
        let Ok(Some((obj, edits))) = r3.read(&doc, |d| {
            locate(d, &id3).map(|obj| (obj.clone(), history::history(d, &obj)))
        }) else {
            return view! { <p class="muted">"История недоступна."</p> }.into_any();
        };
        let total = edits.len();
        edits
            .into_iter()
            .enumerate()
            .rev()
            .map(|(i, e)| {
                let by = who(&r3, &e.actor);
                let at = when(e.time).unwrap_or_else(|| "время не записано".to_owned());
                let fields = e
                    .fields
                    .iter()
                    .map(|f| {
                        let restore = (i + 1 < total).then(|| {
                            let (w, obj, path, hash) = (w.clone(), obj.clone(), f.path.clone(), e.hash);
                            match &f.kind {
                                EditKind::Set(v) if !f.path.first().is_some_and(|k| matches!(k.as_str(), "mentors" | "mentees" | "attendees" | "children" | "removed_at")) => {
                                    let v = v.clone();
                                    Some(view! { <button type="button" class="link" data-testid="restore-value" on:click=move |_| {
                                        if confirm("Вернуть это значение?") {
                                            w.report(w.repo.change(&doc, |tx| history::set_field(tx, &obj, &path, v.clone())));
                                        }
                                    }>"Вернуть"</button> }.into_any())
                                }
                                EditKind::Text => Some(view! { <button type="button" class="link" data-testid="restore-text" on:click=move |_| {
                                    if confirm("Вернуть текст, каким он был после этого изменения?") {
                                        w.report(w.repo.change(&doc, |tx| history::restore_text(tx, &obj, &path, hash)));
                                    }
                                }>"Вернуть этот текст"</button> }.into_any()),
                                _ => None,
                            }
                        }).flatten();
                        view! { <li>{format!("{}: {}", label(&f.path), described(&f.path, &f.kind, &name_of))} " " {restore}</li> }
                    })
                    .collect_view();
                view! {
                    <li data-testid="history-entry">
                        <span class="muted">{format!("{at} · {by}")}</span>
                        <ul>{fields}</ul>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="record-history" data-testid="record-history">
            {last_line}
            {conflicts_view}
            <details>
                <summary data-testid="history-toggle" on:click=move |_| open.update(|o| *o = !*o)>"История изменений"</summary>
                <ol class="history" data-testid="history">{list}</ol>
            </details>
        </section>
    }
    .into_any()
}
