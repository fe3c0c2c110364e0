//! Suggestions of mentors when forming a pair, and who is still without a pair. Invented people
//! only.

use autosurgeon::Text;
use model::suggest::{
    Need, Suggestion, mentees_without_mentor, mentors_without_mentee, suggest_mentors,
};
use model::{Form, Pair, PairDraft, Person, Request, Role};

const NOW: i64 = 1_790_000_000_000;

fn person(role: Role, last: &str, first: &str) -> Person {
    Person {
        role: role.code().into(),
        last_name: last.into(),
        first_name: first.into(),
        ..Person::default()
    }
}

fn student(last: &str, first: &str, class: &str) -> Person {
    Person {
        class: class.into(),
        ..person(Role::Student, last, first)
    }
}

/// A student in the mentor base.
fn student_mentor(last: &str, first: &str, class: &str, subjects: &str) -> Person {
    let mut p = student(last, first, class);
    p.mentor.in_base = true;
    p.mentor.subjects = subjects.into();
    p
}

fn teacher_mentor(last: &str, first: &str, subjects: &str) -> Person {
    let mut p = person(Role::Teacher, last, first);
    p.subjects = subjects.into();
    p.mentor.in_base = true;
    p
}

fn request(id: &str, problem: &str) -> Request {
    Request {
        id: id.into(),
        problem: Text::with_value(problem),
        source: "questionnaire".into(),
        noted_on: "2026-09-15".into(),
        removed_at: None,
    }
}

fn mentee(class: &str, problems: &[&str]) -> Person {
    let mut p = student("Тучкова", "Мила", class);
    p.mentee.in_base = true;
    p.mentee.requests = problems
        .iter()
        .enumerate()
        .map(|(i, t)| request(&format!("r{i}"), t))
        .collect();
    p
}

fn pair(mentor: &str, mentees: &[&str], status: &str) -> Pair {
    let mut p = Pair::from_draft(
        PairDraft {
            programme: "prog".into(),
            mentors: vec![mentor.into()],
            mentees: mentees.iter().map(|m| m.to_string()).collect(),
            form: Form::StudentStudent.code().into(),
            ..PairDraft::default()
        },
        NOW,
    );
    p.status = status.into();
    p
}

fn suggest(
    mentee: &Person,
    form: &Form,
    variant: &str,
    request: Option<&str>,
    mentors: &[(&str, Person)],
    pairs: &[Pair],
) -> Vec<Suggestion> {
    suggest_mentors(
        &Need {
            mentee_id: "mentee",
            mentee,
            request,
            form,
            variant,
        },
        mentors.iter().map(|(id, p)| (*id, p)),
        pairs,
    )
}

fn ids(s: &[Suggestion]) -> Vec<&str> {
    s.iter().map(|s| s.mentor.as_str()).collect()
}

fn reasons_of<'a>(s: &'a [Suggestion], id: &str) -> &'a [String] {
    &s.iter()
        .find(|s| s.mentor == id)
        .unwrap_or_else(|| panic!("{id} is not suggested"))
        .reasons
}

#[test]
fn a_mentor_whose_subjects_answer_the_request_comes_first() {
    let m = mentee("5А", &["математика"]);
    let mentors = [
        (
            "reader",
            student_mentor("Борова", "Ника", "9А", "литература"),
        ),
        (
            "maths",
            student_mentor("Ширяев", "Глеб", "9Б", "Математика, физика"),
        ),
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(ids(&s), ["maths", "reader"]);
    assert!(s[0].score > s[1].score);
    assert!(
        reasons_of(&s, "maths")
            .contains(&"запрос «математика» совпадает с предметами наставника: математика".into()),
        "{:?}",
        s[0].reasons
    );
    assert!(
        !reasons_of(&s, "reader")
            .iter()
            .any(|r| r.starts_with("запрос")),
    );
}

#[test]
fn inflected_request_words_match_and_common_words_do_not() {
    let m = mentee("6Б", &["Нужна помощь по математике, подготовка к ОГЭ"]);
    let mut coach = student_mentor("Дронов", "Лев", "10А", "");
    coach
        .mentor
        .competencies
        .update("Помощь с домашними заданиями, подготовка к ОГЭ");
    let helper = {
        let mut p = student_mentor("Алеева", "Рита", "10Б", "");
        p.mentor
            .competencies
            .update("Помощь новичкам, нужна поддержка");
        p
    };
    let maths = student_mentor("Юрченко", "Ася", "10Б", "алгебра, математика");
    let s = suggest(
        &m,
        &Form::StudentStudent,
        "",
        None,
        &[("coach", coach), ("helper", helper), ("maths", maths)],
        &[],
    );
    assert!(
        reasons_of(&s, "coach").contains(
            &"запрос «Нужна помощь по математике, подготовка к ОГЭ» совпадает с компетенциями наставника: подготовка, огэ"
                .into()
        ),
        "{:?}",
        reasons_of(&s, "coach")
    );
    assert!(
        reasons_of(&s, "maths")
            .iter()
            .any(|r| r.ends_with("совпадает с предметами наставника: математика")),
    );
    assert!(
        !reasons_of(&s, "helper")
            .iter()
            .any(|r| r.starts_with("запрос")),
        "«помощь» and «нужна» say nothing: {:?}",
        reasons_of(&s, "helper")
    );
    // Two request words (подготовка, огэ) outweigh one (математике); nothing beats nothing.
    assert_eq!(ids(&s), ["coach", "maths", "helper"]);
}

#[test]
fn a_younger_or_same_class_student_is_not_suggested() {
    let m = mentee("7Б", &[]);
    let mentors = [
        ("younger", student_mentor("Ракитина", "Оля", "6А", "")),
        ("same", student_mentor("Снегирёв", "Тимур", "7А", "")),
        ("older", student_mentor("Галкин", "Марк", "9А", "")),
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(ids(&s), ["older"]);
    assert!(reasons_of(&s, "older").contains(&"старше на 2 класса".into()));
}

#[test]
fn two_to_five_classes_older_is_best() {
    let m = mentee("5А", &[]);
    let mentors = [
        ("one", student_mentor("Абрамова", "Ия", "6А", "")),
        ("four", student_mentor("Яшина", "Зоя", "9Б", "")),
        ("six", student_mentor("Баев", "Ян", "11А", "")),
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(ids(&s)[0], "four", "{s:?}");
    assert!(reasons_of(&s, "four").contains(&"старше на 4 класса".into()));
    assert!(reasons_of(&s, "one").contains(&"старше на 1 класс".into()));
    assert!(reasons_of(&s, "six").contains(&"старше на 6 классов".into()));
}

#[test]
fn without_classes_birth_dates_decide() {
    let mut m = mentee("", &[]);
    m.birth_date = "2015-03-01".into();
    let mut older = student_mentor("Ковалёва", "Дина", "", "");
    older.birth_date = "2012-01-10".into();
    let mut younger = student_mentor("Кузин", "Петя", "", "");
    younger.birth_date = "2016-01-10".into();
    let unknown = student_mentor("Лисина", "Ада", "", "");
    let s = suggest(
        &m,
        &Form::StudentStudent,
        "",
        None,
        &[("older", older), ("younger", younger), ("unknown", unknown)],
        &[],
    );
    assert_eq!(ids(&s), ["older", "unknown"]);
    assert!(reasons_of(&s, "older").contains(&"старше на 3 года".into()));
    assert!(
        reasons_of(&s, "unknown")
            .contains(&"класс или дата рождения не указаны: разницу в возрасте не сравнить".into())
    );
}

#[test]
fn the_equal_to_equal_variant_takes_classmates_but_not_younger() {
    let m = mentee("7Б", &[]);
    let mentors = [
        ("classmate", student_mentor("Жарова", "Ева", "7А", "")),
        ("younger", student_mentor("Ракитина", "Оля", "6А", "")),
    ];
    let s = suggest(
        &m,
        &Form::StudentStudent,
        "равный – равному",
        None,
        &mentors,
        &[],
    );
    assert_eq!(ids(&s), ["classmate"]);
    assert!(
        reasons_of(&s, "classmate")
            .contains(&"учится в той же параллели: вариант «равный – равному»".into())
    );
}

#[test]
fn the_form_decides_who_can_mentor() {
    let m = mentee("5А", &[]);
    let mentors = [
        ("teacher", teacher_mentor("Осокина", "Вера", "математика")),
        ("student", student_mentor("Ширяев", "Глеб", "9Б", "")),
        ("partner", {
            let mut p = person(Role::Partner, "Шмелёв", "Игорь");
            p.mentor.in_base = true;
            p
        }),
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(
        ids(&s),
        ["student"],
        "no teacher in a student–student programme"
    );
    let s = suggest(&m, &Form::TeacherStudent, "", None, &mentors, &[]);
    assert_eq!(ids(&s), ["teacher"]);
    let s = suggest(&m, &Form::EmployerStudent, "", None, &mentors, &[]);
    assert_eq!(ids(&s), ["partner"]);
    let own = Form::from_code("school-own");
    assert_eq!(suggest(&m, &own, "", None, &mentors, &[]).len(), 3);
}

#[test]
fn teacher_teacher_prefers_the_same_subject() {
    let mut young = person(Role::Teacher, "Новикова", "Лада");
    young.subjects = "История".into();
    young.mentee.in_base = true;
    let mentors = [
        ("chem", teacher_mentor("Аксёнов", "Роман", "химия")),
        (
            "hist",
            teacher_mentor("Ясенева", "Нина", "история, обществознание"),
        ),
        (
            "student",
            student_mentor("Ширяев", "Глеб", "11Б", "история"),
        ),
    ];
    let s = suggest(
        &young,
        &Form::TeacherTeacher,
        "наставник-предметник",
        None,
        &mentors,
        &[],
    );
    assert_eq!(ids(&s), ["hist", "chem"], "no student mentors a teacher");
    assert!(reasons_of(&s, "hist").contains(&"преподаёт тот же предмет: история".into()));
    assert!(
        reasons_of(&s, "chem")
            .contains(&"вариант «наставник-предметник», но общих предметов нет".into())
    );
}

#[test]
fn load_is_counted_only_from_current_pairs() {
    let m = mentee("5А", &[]);
    let mentors = [
        ("busy", student_mentor("Абрамова", "Ия", "9А", "")),
        ("free", student_mentor("Яшина", "Зоя", "9Б", "")),
    ];
    let mut removed = pair("free", &["x1"], "active");
    removed.removed_at = Some(NOW);
    let pairs = [
        pair("busy", &["a", "b"], "active"),
        pair("busy", &["b"], "forming"),
        pair("free", &["x2", "x3"], "completed"),
        pair("free", &["x4"], "terminated"),
        removed,
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &pairs);
    // Alphabetically «Абрамова» comes first; her two mentees put her second.
    assert_eq!(ids(&s), ["free", "busy"]);
    assert!(reasons_of(&s, "busy").contains(&"уже наставляет 2 наставляемых".into()));
    assert!(reasons_of(&s, "free").contains(&"пока никого не наставляет".into()));
    assert_eq!(s[0].score - s[1].score, 10);
}

#[test]
fn reasons_use_russian_plural_forms() {
    let m = mentee("5А", &[]);
    let mentors = [("m", student_mentor("Абрамова", "Ия", "6А", ""))];
    let one = [pair("m", &["a"], "active")];
    let five = [pair("m", &["a", "b", "c", "d", "e"], "extended")];
    let twenty_one: Vec<String> = (0..21).map(|i| format!("p{i}")).collect();
    let twenty_one = [pair(
        "m",
        &twenty_one.iter().map(String::as_str).collect::<Vec<_>>(),
        "active",
    )];
    let reason = |pairs: &[Pair]| {
        suggest(&m, &Form::StudentStudent, "", None, &mentors, pairs)[0]
            .reasons
            .last()
            .cloned()
            .unwrap()
    };
    assert_eq!(reason(&one), "уже наставляет 1 наставляемого");
    assert_eq!(reason(&five), "уже наставляет 5 наставляемых");
    assert_eq!(reason(&twenty_one), "уже наставляет 21 наставляемого");
    let mut group = pair("m", &[], "active");
    group.mentee_category = "дети группы риска".into();
    assert_eq!(reason(&[group]), "уже ведёт 1 группу");
}

#[test]
fn time_and_ticked_forms_are_reasons_and_raise_the_score() {
    let m = mentee("5А", &[]);
    let mut timed = student_mentor("Яшина", "Зоя", "9Б", "");
    timed.mentor.time_available = "  вторник   после уроков ".into();
    timed
        .mentor
        .forms
        .insert(Form::StudentStudent.code().into(), NOW);
    let mut other = student_mentor("Абрамова", "Ия", "9А", "");
    other
        .mentor
        .forms
        .insert(Form::UniversityStudentStudent.code().into(), NOW);
    let plain = student_mentor("Бобров", "Ян", "9А", "");
    let s = suggest(
        &m,
        &Form::StudentStudent,
        "",
        None,
        &[("other", other), ("plain", plain), ("timed", timed)],
        &[],
    );
    assert_eq!(ids(&s), ["timed", "plain", "other"]);
    let timed = reasons_of(&s, "timed");
    assert!(timed.contains(&"указано время для встреч: вторник после уроков".into()));
    assert!(timed.contains(&"в профиле наставника отмечена форма «ученик – ученик»".into()));
    assert!(reasons_of(&s, "plain").contains(&"время для встреч не указано".into()));
    assert!(
        reasons_of(&s, "other")
            .contains(&"в профиле наставника отмечены другие формы: «студент – ученик»".into())
    );
}

#[test]
fn ties_are_ordered_by_name_with_yo_as_ye() {
    let m = mentee("5А", &[]);
    let mentors = [
        ("z", student_mentor("Жукова", "Ия", "9А", "")),
        ("yo", student_mentor("Ёлкина", "Ия", "9А", "")),
        ("ye", student_mentor("Егорова", "Ия", "9А", "")),
        ("a", student_mentor("Агеева", "Ия", "9А", "")),
    ];
    let s = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert!(s.iter().all(|x| x.score == s[0].score));
    assert_eq!(ids(&s), ["a", "ye", "yo", "z"]);
    let again = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(s, again);
}

#[test]
fn one_request_of_the_map_is_matched_alone_and_removed_requests_are_not() {
    let mut m = mentee("5А", &["английский язык", "химия"]);
    m.mentee.requests.push(Request {
        removed_at: Some(NOW),
        ..request("gone", "физика")
    });
    let mentors = [
        (
            "eng",
            student_mentor("Яшина", "Зоя", "9Б", "английский язык"),
        ),
        ("chem", student_mentor("Абрамова", "Ия", "9А", "химия")),
        ("phys", student_mentor("Баев", "Ян", "9А", "физика")),
    ];
    let all = suggest(&m, &Form::StudentStudent, "", None, &mentors, &[]);
    assert_eq!(
        ids(&all),
        ["eng", "chem", "phys"],
        "two words beat one, the removed request counts for nothing"
    );
    let chem = suggest(&m, &Form::StudentStudent, "", Some("r1"), &mentors, &[]);
    assert_eq!(ids(&chem)[0], "chem");
    assert!(
        !reasons_of(&chem, "eng")
            .iter()
            .any(|r| r.starts_with("запрос")),
        "only the chosen request is matched"
    );
    let gone = suggest(&m, &Form::StudentStudent, "", Some("gone"), &mentors, &[]);
    assert!(
        gone.iter()
            .all(|s| !s.reasons.iter().any(|r| r.starts_with("запрос")))
    );
}

#[test]
fn outside_the_base_the_mentee_and_their_mentor_are_not_suggested() {
    let m = mentee("5А", &[]);
    let mut outside = student_mentor("Абрамова", "Ия", "9А", "");
    outside.mentor.in_base = false;
    let mut itself = m.clone();
    itself.mentor.in_base = true;
    let mentors = [
        ("outside", outside),
        ("mentee", itself),
        ("theirs", student_mentor("Баев", "Ян", "9А", "")),
        ("other", student_mentor("Яшина", "Зоя", "9Б", "")),
    ];
    let s = suggest(
        &m,
        &Form::StudentStudent,
        "",
        None,
        &mentors,
        &[pair("theirs", &["mentee"], "forming")],
    );
    assert_eq!(ids(&s), ["other"]);
    let after = suggest(
        &m,
        &Form::StudentStudent,
        "",
        None,
        &mentors,
        &[pair("theirs", &["mentee"], "completed")],
    );
    assert_eq!(
        ids(&after),
        ["theirs", "other"],
        "a completed pair does not stop a new one"
    );
}

#[test]
fn people_without_a_pair_are_listed_by_name_from_current_pairs() {
    let with_mentee = |mut p: Person| {
        p.mentee.in_base = true;
        p
    };
    let people = [
        ("m1", student_mentor("Яшина", "Зоя", "9Б", "")),
        ("m2", student_mentor("Ёжиков", "Ян", "9А", "")),
        ("m3", student_mentor("Баев", "Ян", "9А", "")),
        ("e1", with_mentee(student("Жаров", "Ян", "5А"))),
        ("e2", with_mentee(student("Ершова", "Ия", "5Б"))),
        ("e3", with_mentee(student("Агапов", "Ян", "5Б"))),
        ("nobody", student("Вьюгин", "Ян", "5Б")),
    ];
    let mut removed = pair("m3", &["e3"], "active");
    removed.removed_at = Some(NOW);
    let pairs = [
        pair("m1", &["e1"], "active"),
        pair("m2", &["e2"], "completed"),
        removed,
    ];
    let people = people.iter().map(|(id, p)| (*id, p));
    assert_eq!(
        mentees_without_mentor(people.clone(), &pairs),
        ["e3", "e2"],
        "«Агапов», then «Ершова»"
    );
    assert_eq!(
        mentors_without_mentee(people, &pairs),
        ["m3", "m2"],
        "«Баев», then «Ёжиков» (as «Ежиков»)"
    );
}
