//! A realistic school year of invented people, loaded with one tap so a newcomer sees the app
//! at work: about 150 students, 20 teachers, parents, graduates and partners, three programmes,
//! 25 pairs and groups, the meetings of the year with feedback, questionnaires, consents, the
//! roadmap and the events, and the year before with its fixed monitorings.
//!
//! Every name is invented: surnames, first names and patronymics are combined by a fixed
//! pseudo-random sequence, so the same data comes out every time.

use chrono::{Datelike, Days, NaiveDate};

use crate::monitoring::{self, Monitoring, Period};
use crate::record::Write;
use crate::{
    CONSENT_AGREEMENT, CONSENT_PERSONAL_DATA, Consent, Event, Form, Meeting, ModelError, Pair,
    PairDraft, Person, Programme, ProgrammeDraft, ProgrammeList, Questionnaire, RecordId,
    RoadmapRow, Role, Row, SIGNER_REPRESENTATIVE, SIGNER_SELF, STAGE_ENTRY, STAGE_FINAL, School,
};

const SURNAMES: [(&str, &str); 24] = [
    ("Берёзкин", "Берёзкина"),
    ("Ветлугин", "Ветлугина"),
    ("Голубев", "Голубева"),
    ("Дроздов", "Дроздова"),
    ("Ельников", "Ельникова"),
    ("Журавлёв", "Журавлёва"),
    ("Зорин", "Зорина"),
    ("Калинин", "Калинина"),
    ("Луговой", "Луговая"),
    ("Медведев", "Медведева"),
    ("Никитин", "Никитина"),
    ("Озеров", "Озерова"),
    ("Полянский", "Полянская"),
    ("Рябинин", "Рябинина"),
    ("Соколов", "Соколова"),
    ("Тихонов", "Тихонова"),
    ("Ульянцев", "Ульянцева"),
    ("Фёдоров", "Фёдорова"),
    ("Холмогоров", "Холмогорова"),
    ("Черемшанов", "Черемшанова"),
    ("Шишкин", "Шишкина"),
    ("Щеглов", "Щеглова"),
    ("Яблоков", "Яблокова"),
    ("Лесной", "Лесная"),
];
const MALE: [&str; 16] = [
    "Александр",
    "Артём",
    "Богдан",
    "Владимир",
    "Глеб",
    "Даниил",
    "Егор",
    "Захар",
    "Иван",
    "Кирилл",
    "Лев",
    "Максим",
    "Никита",
    "Роман",
    "Степан",
    "Тимофей",
];
const FEMALE: [&str; 16] = [
    "Алина",
    "Варвара",
    "Вера",
    "Дарья",
    "Ева",
    "Злата",
    "Ксения",
    "Лилия",
    "Мария",
    "Надежда",
    "Олеся",
    "Полина",
    "Софья",
    "Таисия",
    "Ульяна",
    "Яна",
];
/// Fathers' names: (male patronymic, female patronymic).
const PATRONYMICS: [(&str, &str); 12] = [
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Борисович", "Борисовна"),
    ("Викторович", "Викторовна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Игоревич", "Игоревна"),
    ("Константинович", "Константиновна"),
    ("Михайлович", "Михайловна"),
    ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"),
];
const SUBJECTS: [&str; 10] = [
    "математика",
    "русский язык и литература",
    "английский язык",
    "физика",
    "химия",
    "биология",
    "история и обществознание",
    "информатика",
    "география",
    "начальные классы",
];
const PROBLEMS: [&str; 6] = [
    "Низкая учебная мотивация",
    "Трудности с математикой",
    "Трудности адаптации в новом классе",
    "Конфликты со сверстниками",
    "Подготовка к олимпиаде",
    "Неуверенность при ответах у доски",
];

/// A fixed pseudo-random sequence (xorshift), so the demo is the same on every device.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn person(seq: &mut Seq, role: Role) -> Person {
    let male = seq.below(2) == 0;
    let (m, f) = SURNAMES[seq.below(SURNAMES.len())];
    let (pm, pf) = PATRONYMICS[seq.below(PATRONYMICS.len())];
    Person {
        role: role.code().to_owned(),
        last_name: if male { m } else { f }.to_owned(),
        first_name: if male {
            MALE[seq.below(MALE.len())]
        } else {
            FEMALE[seq.below(FEMALE.len())]
        }
        .to_owned(),
        patronymic: if male { pm } else { pf }.to_owned(),
        ..Person::default()
    }
}

fn sign(p: &mut Person, kind: &str, on: NaiveDate, signer: String, role: &str) {
    p.consents.insert(
        kind.to_owned(),
        Consent {
            signed_on: iso(on),
            signed_by: signer,
            signer_role: role.to_owned(),
            withdrawn_on: String::new(),
        },
    );
}

/// What [`populate`] made.
pub struct Demo {
    /// The people's documents to create: (document id, person).
    pub people: Vec<(String, Person)>,
    pub programmes: usize,
    pub pairs: usize,
    pub meetings: usize,
}

/// Fills an initialised school document with a year of invented records, as of `today`.
/// `new_id` names each person's document; the caller creates those documents from
/// [`Demo::people`].
pub fn populate(
    tx: &mut impl Write,
    new_id: &mut dyn FnMut() -> String,
    today: NaiveDate,
    now_ms: i64,
) -> Result<Demo, ModelError> {
    let mut seq = Seq(0x9e37_79b9_7f4a_7c15);
    let year_start = {
        let y = if today.month() >= 9 {
            today.year()
        } else {
            today.year() - 1
        };
        NaiveDate::from_ymd_opt(y, 9, 1).unwrap_or(today)
    };
    let day = |n: u64| {
        year_start
            .checked_add_days(Days::new(n))
            .unwrap_or(year_start)
    };
    let academic = crate::ru::academic_year(year_start);
    let mut people: Vec<(String, Person)> = Vec::new();
    let mut at = now_ms;
    let mut tick = || {
        at += 1;
        at
    };

    // Teachers (20), students (150: grades 5–11, two classes each), parents, graduates, partners.
    let mut teachers = vec![];
    for i in 0..20 {
        let mut p = person(&mut seq, Role::Teacher);
        p.subjects = SUBJECTS[i % SUBJECTS.len()].to_owned();
        if i < 12 {
            p.mentor.in_base = true;
            p.mentor.subjects = p.subjects.clone();
            p.mentor
                .competencies
                .update("Подготовка к ОГЭ и ЕГЭ, проектная деятельность");
            p.mentor.time_available = "вторник, четверг после 14:00".into();
            p.mentor.questionnaire = "done".into();
            p.mentor.interview = "done".into();
            p.mentor
                .forms
                .insert(Form::TeacherStudent.code().into(), now_ms);
        }
        p.birth_date =
            iso(
                NaiveDate::from_ymd_opt(1965 + (i as i32 * 2) % 35, 1 + (i as u32 % 12), 10)
                    .unwrap_or(today),
            );
        let id = new_id();
        teachers.push(id.clone());
        people.push((id, p));
    }
    let mut students: Vec<(String, u32)> = vec![];
    for i in 0..150 {
        let grade = 5 + (i / 22) as u32 % 7;
        let letter = if i % 2 == 0 { "А" } else { "Б" };
        let mut p = person(&mut seq, Role::Student);
        p.class = format!("{grade}{letter}");
        let born = year_start.year() - 6 - grade as i32;
        p.birth_date = iso(
            NaiveDate::from_ymd_opt(born, 1 + (i as u32 % 12), 1 + (i as u32 % 28))
                .unwrap_or(today),
        );
        if grade >= 9 && i % 3 == 0 {
            p.mentor.in_base = true;
            p.mentor.subjects = SUBJECTS[i % 8].to_owned();
            p.mentor
                .forms
                .insert(Form::StudentStudent.code().into(), now_ms);
            p.mentor.time_available = "после уроков, 2 раза в неделю".into();
            p.mentor.questionnaire = "done".into();
        }
        // The categories the count for the РНЦ asks about, noted as a class teacher would.
        for (every, code) in [
            (9, "risk"),
            (13, "ovz"),
            (11, "gifted"),
            (23, "hard-situation"),
        ] {
            if i % every == every / 2 {
                p.categories.insert(code.to_owned(), now_ms);
            }
        }
        if grade <= 8 && i % 4 == 1 {
            p.mentee.in_base = true;
            p.mentee.requests.push(crate::Request {
                id: format!("demo-request-{i}"),
                problem: autosurgeon::Text::with_value(PROBLEMS[i % PROBLEMS.len()]),
                source: ["questionnaire", "interview", "help-sheet"][i % 3].into(),
                noted_on: iso(day(10 + (i as u64 % 10))),
                removed_at: None,
            });
        }
        let id = new_id();
        students.push((id.clone(), grade));
        people.push((id, p));
    }
    for (n, (child, _)) in students.iter().step_by(12).enumerate() {
        let mut p = person(&mut seq, Role::Parent);
        p.children.insert(child.clone(), now_ms);
        p.contacts
            .update(format!("+7 900 000-{:02}-{:02}", n, 10 + n));
        let id = new_id();
        people.push((id, p));
    }
    let mut graduates = vec![];
    for n in 0..4 {
        let mut p = person(&mut seq, Role::Graduate);
        p.graduation_year = (year_start.year() - n).to_string();
        p.mentor.in_base = true;
        p.mentor
            .competencies
            .update("Профориентация, студенческая жизнь");
        let id = new_id();
        graduates.push(id.clone());
        people.push((id, p));
    }
    for org in [
        "ООО «Агрохолдинг „Заречье“»",
        "Районный дом культуры",
        "Сельская библиотека",
    ] {
        let mut p = person(&mut seq, Role::Partner);
        p.organisation = org.into();
        p.position = "специалист".into();
        p.mentor.in_base = true;
        let id = new_id();
        people.push((id, p));
    }
    for (id, p) in &people {
        let role = p.role().unwrap_or(Role::Student);
        School::add_person(tx, id, role, tick())?;
    }

    // Programmes.
    let specs = [
        (
            Form::StudentStudent,
            "Служба учебной помощи",
            "равный – равному",
            "Повысить учебную мотивацию и успеваемость учеников 5–8 классов с помощью старшеклассников.",
        ),
        (
            Form::TeacherStudent,
            "Успех каждого ребёнка",
            "учитель – пассивный ученик",
            "Раскрыть потенциал учеников, которым нужна поддержка педагога.",
        ),
        (
            Form::TeacherTeacher,
            "Молодой специалист",
            "опытный педагог – молодой специалист",
            "Помочь молодым педагогам войти в профессию и закрепиться в школе.",
        ),
    ];
    let mut programmes = vec![];
    for (form, title, variant, goal) in specs {
        let id = RecordId::random();
        let mut p = Programme::from_draft(
            ProgrammeDraft {
                title: title.into(),
                form: form.clone(),
                variant: variant.into(),
                academic_year: academic.clone(),
                note: format!(
                    "Программа «{title}» разработана в соответствии с целевой моделью наставничества (распоряжение Минпросвещения России № Р-145)."
                ),
            },
            tick(),
        );
        p.goal.update(goal);
        p.compiler = "Куратор программы наставничества".into();
        p.approved_by = "Директор школы".into();
        p.approved_on = iso(day(0));
        p.agreed_by = "Педагогический совет".into();
        p.agreed_on = iso(day(0));
        for t in [
            "Сформировать базы наставников и наставляемых",
            "Провести обучение наставников",
            "Организовать работу пар по индивидуальным планам",
        ] {
            p.list_mut(ProgrammeList::Tasks).push(Row::new(t));
        }
        for t in [
            "Рост успеваемости наставляемых",
            "Рост удовлетворённости участников",
        ] {
            p.list_mut(ProgrammeList::Results).push(Row::new(t));
        }
        for t in [
            "Успеваемость по предмету",
            "Уровень тревожности",
            "Самооценка",
            "Активность на уроках",
        ] {
            p.list_mut(ProgrammeList::Indicators).push(Row::new(t));
        }
        for (t, period, who) in [
            ("Входное анкетирование участников", "months:9-9", "Куратор"),
            (
                "Встречи наставнических пар",
                "text:В течение года",
                "Наставники",
            ),
            (
                "Консультации для наставников",
                "text:По мере необходимости",
                "Куратор",
            ),
            ("Итоговое анкетирование", "months:5-5", "Куратор"),
        ] {
            p.list_mut(ProgrammeList::WorkPlan)
                .push(Row::new(t).with_period(period).with_responsible(who));
        }
        for (n, status) in [
            (1, "done"),
            (2, "done"),
            (3, "done"),
            (4, "done"),
            (5, "done"),
            (6, "in-progress"),
        ] {
            p.implementation.insert(n.to_string(), status.to_owned());
        }
        School::insert(tx, &id, &p)?;
        programmes.push((id, form));
    }

    // Questionnaires.
    let (mentee_q, mentor_q) = questionnaires(tx, &academic, tick())?;

    // Pairs: 12 «ученик – ученик», 9 «учитель – ученик», 4 «учитель – учитель».
    let senior: Vec<&String> = students
        .iter()
        .filter(|(_, g)| *g >= 9)
        .map(|(id, _)| id)
        .collect();
    let junior: Vec<&String> = students
        .iter()
        .filter(|(_, g)| *g <= 8)
        .map(|(id, _)| id)
        .collect();
    let mut pair_ids = vec![];
    let mut spec = vec![];
    for n in 0..12 {
        spec.push((
            0usize,
            senior[n * 2].clone(),
            vec![junior[n * 3].clone()],
            String::new(),
        ));
    }
    for n in 0..9 {
        let mentees = if n == 8 {
            vec![]
        } else {
            vec![junior[n * 3 + 1].clone(), junior[n * 3 + 2].clone()]
        };
        let category = if n == 8 {
            "дети группы риска".to_owned()
        } else {
            String::new()
        };
        spec.push((1, teachers[n].clone(), mentees, category));
    }
    for n in 0..4 {
        spec.push((
            2,
            teachers[12 + n].clone(),
            vec![teachers[16 + n].clone()],
            String::new(),
        ));
    }
    let mut meetings = 0;
    let find = |people: &[(String, Person)], id: &str| people.iter().position(|(p, _)| p == id);
    for (n, (prog, mentor, mentees, category)) in spec.into_iter().enumerate() {
        let (programme, form) = &programmes[prog];
        let id = RecordId::random();
        let mut pair = Pair::from_draft(
            PairDraft {
                programme: programme.to_string(),
                mentors: vec![mentor.clone()],
                mentees: mentees.clone(),
                mentee_category: category,
                form: form.code().to_owned(),
                goal: [
                    "Совершенствовать учебные компетенции по предмету «математика»",
                    "Повысить мотивацию к учёбе",
                    "Освоить методику проведения современного урока",
                ][prog]
                    .to_owned(),
                format: if mentees.len() > 1 {
                    "group".into()
                } else {
                    "individual".into()
                },
            },
            tick(),
        );
        pair.status = if n == 24 {
            "forming".into()
        } else {
            "active".into()
        };
        pair.order_number = format!("{}-о", 101 + n);
        pair.order_date = iso(day(20));
        for (i, (text, offset)) in [
            ("Входное анкетирование", 14u64),
            ("Составить индивидуальный план", 25),
            ("Подготовить проект", 120),
            ("Открытое занятие", 200),
            ("Итоговое анкетирование", 260),
        ]
        .iter()
        .enumerate()
        {
            let due = day(*offset);
            let status = if due <= today {
                if (n + i) % 7 == 0 {
                    "in-progress"
                } else {
                    "done"
                }
            } else {
                ""
            };
            pair.plan.push(
                Row::new(text)
                    .with_period(format!("date:{}", iso(due)))
                    .with_status(status),
            );
        }
        School::insert(tx, &id, &pair)?;
        pair_ids.push(id.clone());
        if pair.status != "active" {
            continue;
        }
        // The year's meeting cycle: held up to today (with attendance, notes and feedback),
        // planned after it.
        let kinds = ["introduction", "trial", "planning"];
        let mut date = day(21 + (n as u64 % 5));
        let mut k = 0usize;
        let final_day = day(252 + n as u64 % 5);
        while date <= final_day {
            let kind = if k < 3 {
                kinds[k]
            } else if date == final_day {
                "final"
            } else {
                "working"
            };
            let held = date <= today;
            let mid = RecordId::random();
            let mut m = Meeting::new(&id, kind, &iso(date), tick())?;
            m.held = held;
            if held {
                m.attendees.insert(mentor.clone(), now_ms);
                for (i, mentee) in mentees.iter().enumerate() {
                    if !(k + i + n).is_multiple_of(9) {
                        m.attendees.insert(mentee.clone(), now_ms);
                    }
                }
                let attended: Vec<&String> = m.attendees.keys().collect();
                m.notes.update(
                    [
                        "Обсудили трудности с домашними заданиями.",
                        "Разобрали ошибки контрольной работы.",
                        "Составили план подготовки к конкурсу.",
                    ][k % 3],
                );
                if k == 6 && n % 4 == 0 {
                    m.results.push(
                        Row::new("Статья на сайте школы о работе пары").with_status("publication"),
                    );
                } else if k == 8 && n % 3 == 0 {
                    m.results.push(
                        Row::new("Мини-проект «Математика вокруг нас»").with_status("project"),
                    );
                }
                if let Some(i) = find(&people, &mentor) {
                    people[i].1.feedback.insert(
                        mid.to_string(),
                        autosurgeon::Text::with_value("Встреча прошла продуктивно."),
                    );
                }
                for mentee in mentees.iter().filter(|m| attended.contains(m)) {
                    if let Some(i) = find(&people, mentee) {
                        people[i].1.feedback.insert(
                            mid.to_string(),
                            autosurgeon::Text::with_value(
                                [
                                    "Было понятно и интересно.",
                                    "Хочу больше задач.",
                                    "Понравилось работать вместе.",
                                ][(k + n) % 3],
                            ),
                        );
                    }
                }
            }
            School::insert(tx, &mid, &m)?;
            meetings += 1;
            k += 1;
            let next = date
                .checked_add_days(Days::new(if k < 3 { 7 } else { 21 }))
                .unwrap_or(final_day);
            // The last working meeting gives way to the final one in May.
            date = if next > final_day && date < final_day {
                final_day
            } else {
                next
            };
        }
        // Consents, agreements and questionnaires of the participants (a few left missing, so
        // the curator sees what the app flags).
        let signed_on = day(15);
        let final_done = today >= day(262);
        for (i, who) in std::iter::once(&mentor).chain(mentees.iter()).enumerate() {
            let Some(idx) = find(&people, who) else {
                continue;
            };
            let p = &mut people[idx].1;
            let (signer, role) = if p.is_minor(signed_on) {
                (
                    format!(
                        "{} (законный представитель)",
                        ["Соколова Н. П.", "Зорин А. В.", "Медведева О. И."][i % 3]
                    ),
                    SIGNER_REPRESENTATIVE,
                )
            } else {
                (p.short_name(), SIGNER_SELF)
            };
            if !(n == 3 && i == 1) {
                sign(p, CONSENT_PERSONAL_DATA, signed_on, signer.clone(), role);
            }
            if !(n % 10 == 5 && i > 0) {
                sign(p, CONSENT_AGREEMENT, signed_on, signer, role);
            }
            let q = if i == 0 { &mentor_q } else { &mentee_q };
            p.filled.insert(format!("{q}/{STAGE_ENTRY}"), iso(day(14)));
            if final_done {
                p.filled.insert(format!("{q}/{STAGE_FINAL}"), iso(day(262)));
            }
        }
    }
    fill_answers(tx, &mut people, &mut seq, &[&mentee_q, &mentor_q])?;

    // Roadmap and events.
    let rows: [(u64, &str, &str, &str, &str); 12] = [
        (
            1,
            "Издание приказа о внедрении целевой модели наставничества",
            "сентябрь",
            "Приказ",
            "",
        ),
        (
            1,
            "Разработка и утверждение положения о наставничестве",
            "сентябрь",
            "Положение",
            "",
        ),
        (
            1,
            "Формирование базы наставников и наставляемых",
            "сентябрь – октябрь",
            "Базы наставников и наставляемых",
            "student-coverage",
        ),
        (
            2,
            "Разработка персонализированных программ наставничества",
            "октябрь",
            "Программы наставничества",
            "",
        ),
        (
            2,
            "Обучение наставников («Школа наставников»)",
            "октябрь – ноябрь",
            "Сертификаты",
            "",
        ),
        (
            2,
            "Подписание согласий и соглашений участников",
            "октябрь",
            "Согласия, соглашения",
            "signed-documents",
        ),
        (
            3,
            "Мониторинг реализации программы",
            "до 20 декабря",
            "Аналитическая справка",
            "",
        ),
        (
            3,
            "Мониторинг динамики развития участников",
            "до 20 мая",
            "Аналитическая справка",
            "plans-done",
        ),
        (
            4,
            "Публикации о наставничестве на сайте школы и в сообществе",
            "В течение года",
            "Публикации",
            "publications",
        ),
        (
            4,
            "Конкурс «Наставник года»",
            "апрель",
            "Приказ о награждении",
            "",
        ),
        (
            5,
            "Вовлечение педагогов в наставничество",
            "В течение года",
            "Приказ о закреплении пар",
            "teacher-coverage",
        ),
        (
            5,
            "Итоги реализации дорожной карты",
            "май",
            "Отчёт",
            "roadmap-done",
        ),
    ];
    for (i, (section, content, period, result, measure)) in rows.into_iter().enumerate() {
        let mut row = RoadmapRow::new(section, content, period, tick());
        row.result.update(result);
        row.measure = measure.into();
        row.responsible = "Куратор".into();
        row.academic_year = academic.clone();
        row.status = if i < 6 {
            "done".into()
        } else if i < 9 {
            "in-progress".into()
        } else {
            String::new()
        };
        School::insert(tx, &RecordId::random(), &row)?;
    }
    for (kind, title, offset, published) in [
        (
            "launch",
            "Старт программы «Научился сам — помоги другому!»",
            10u64,
            "Сайт школы; сообщество школы в социальной сети",
        ),
        (
            "training",
            "«Школа наставников»: первое занятие",
            30,
            "Сообщество школы в социальной сети",
        ),
        (
            "networking",
            "Нетворкинг наставников и наставляемых",
            45,
            "",
        ),
        (
            "case-session",
            "Кейс-сессия «Успех каждого ребёнка»",
            150,
            "",
        ),
        ("mentor-of-year", "Конкурс «Наставник года»", 220, ""),
        ("round-table", "Круглый стол по итогам года", 265, ""),
    ] {
        let mut e = Event::new(kind, title, &iso(day(offset)), tick())?;
        e.place = "Актовый зал".into();
        if day(offset) <= today {
            e.published.update(published);
            e.participants = 40 + offset % 30;
        }
        School::insert(tx, &RecordId::random(), &e)?;
    }

    let history = History {
        start: NaiveDate::from_ymd_opt(year_start.year() - 1, 9, 1).unwrap_or(year_start),
        students: &students,
        teachers: &teachers,
        graduates: &graduates,
    };
    history.write(tx, &mut people, &mut tick, now_ms)?;
    Ok(Demo {
        people,
        programmes: programmes.len(),
        pairs: pair_ids.len(),
        meetings,
    })
}

/// The year's questionnaires for mentees and for mentors: (mentees', mentors').
fn questionnaires(
    tx: &mut impl Write,
    year: &str,
    now_ms: i64,
) -> Result<(RecordId, RecordId), ModelError> {
    let mut mentee = Questionnaire::new(
        "Анкета наставляемого",
        "mentee",
        &[
            ("Мне интересно учиться", "scale"),
            ("Я уверенно отвечаю на уроках", "scale"),
            ("Мне легко общаться с одноклассниками", "scale"),
            ("Я знаю, к кому обратиться за помощью", "scale"),
            ("Чему бы вы хотели научиться?", "text"),
        ],
        now_ms,
    );
    mentee.academic_year = year.to_owned();
    let mut mentor = Questionnaire::new(
        "Анкета наставника",
        "mentor",
        &[
            ("Я понимаю цели программы", "scale"),
            ("Мне хватает времени на встречи", "scale"),
            ("Что помогло бы вам в работе наставника?", "text"),
        ],
        now_ms,
    );
    mentor.academic_year = year.to_owned();
    let ids = (RecordId::random(), RecordId::random());
    School::insert(tx, &ids.0, &mentee)?;
    School::insert(tx, &ids.1, &mentor)?;
    Ok(ids)
}

/// The year before the demo's: what a school in its second year of the target model has behind
/// it, kept as it was. Two programmes closed in May, their pairs completed (the mentors then in
/// the 9th–11th classes, two of them graduates since), a meeting cycle of six meetings each,
/// entry and final questionnaires, the roadmap done, and both monitorings fixed with the
/// curator's conclusions.
struct History<'a> {
    /// 1 September of that year.
    start: NaiveDate,
    /// (id, this year's grade).
    students: &'a [(String, u32)],
    teachers: &'a [String],
    graduates: &'a [String],
}

impl History<'_> {
    fn write(
        &self,
        tx: &mut impl Write,
        people: &mut [(String, Person)],
        tick: &mut impl FnMut() -> i64,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        let year = crate::ru::academic_year(self.start);
        let day = |n: u64| {
            self.start
                .checked_add_days(Days::new(n))
                .unwrap_or(self.start)
        };
        let mut programmes = vec![];
        for (form, title, variant) in [
            (
                Form::StudentStudent,
                "Служба учебной помощи",
                "равный – равному",
            ),
            (
                Form::TeacherTeacher,
                "Молодой специалист",
                "опытный педагог – молодой специалист",
            ),
        ] {
            let mut p = Programme::from_draft(
                ProgrammeDraft {
                    title: title.into(),
                    form: form.clone(),
                    variant: variant.into(),
                    academic_year: year.clone(),
                    note: String::new(),
                },
                tick(),
            );
            p.approved_by = "Директор школы".into();
            p.approved_on = iso(day(0));
            for n in 1..=7 {
                p.implementation.insert(n.to_string(), "done".to_owned());
            }
            let id = RecordId::random();
            School::insert(tx, &id, &p)?;
            programmes.push((id, form));
        }
        let (mentee_q, mentor_q) = questionnaires(tx, &year, tick())?;

        // Six pairs of students (last year's 9th–11th graders with 5th–8th graders), two of
        // teachers.
        let seniors: Vec<&String> = self
            .graduates
            .iter()
            .take(2)
            .chain(
                self.students
                    .iter()
                    .filter(|(_, g)| *g >= 10)
                    .step_by(7)
                    .map(|(id, _)| id)
                    .take(4),
            )
            .collect();
        let juniors: Vec<&String> = self
            .students
            .iter()
            .filter(|(_, g)| (6..=9).contains(g))
            .step_by(5)
            .map(|(id, _)| id)
            .collect();
        let mut spec: Vec<(usize, &String, &String)> = seniors
            .iter()
            .zip(juniors.iter())
            .map(|(m, e)| (0, *m, *e))
            .collect();
        for n in 0..2 {
            if let (Some(m), Some(e)) = (self.teachers.get(12 + n), self.teachers.get(16 + n)) {
                spec.push((1, m, e));
            }
        }
        let find = |people: &[(String, Person)], id: &str| people.iter().position(|(p, _)| p == id);
        for (n, (prog, mentor, mentee)) in spec.into_iter().enumerate() {
            let (programme, form) = &programmes[prog];
            let pair_id = RecordId::random();
            let mut pair = Pair::from_draft(
                PairDraft {
                    programme: programme.to_string(),
                    mentors: vec![mentor.clone()],
                    mentees: vec![mentee.clone()],
                    mentee_category: String::new(),
                    form: form.code().to_owned(),
                    goal: [
                        "Подтянуть математику к итоговой контрольной",
                        "Освоить работу с электронным журналом и планирование уроков",
                    ][prog]
                        .to_owned(),
                    format: "individual".into(),
                },
                tick(),
            );
            pair.status = "completed".into();
            pair.order_number = format!("{}-о", 61 + n);
            pair.order_date = iso(day(20));
            for (text, offset) in [
                ("Входное анкетирование", 14u64),
                ("Составить индивидуальный план", 25),
                ("Подготовить проект", 120),
                ("Итоговое анкетирование", 255),
            ] {
                pair.plan.push(
                    Row::new(text)
                        .with_period(format!("date:{}", iso(day(offset))))
                        .with_status("done"),
                );
            }
            School::insert(tx, &pair_id, &pair)?;
            for (k, (kind, offset)) in [
                ("introduction", 22u64),
                ("trial", 29),
                ("planning", 36),
                ("working", 80),
                ("working", 170),
                ("final", 250),
            ]
            .into_iter()
            .enumerate()
            {
                let mut m = Meeting::new(&pair_id, kind, &iso(day(offset + n as u64)), tick())?;
                m.held = true;
                m.attendees.insert(mentor.clone(), now_ms);
                if (k + n) % 5 != 4 {
                    m.attendees.insert(mentee.clone(), now_ms);
                }
                m.notes.update("Работали по индивидуальному плану.");
                if k == 4 && n % 2 == 0 {
                    m.results.push(
                        Row::new(["Проект «Задачи нашего села»", "Открытый урок"][prog])
                            .with_status(["project", "open-lesson"][prog]),
                    );
                }
                School::insert(tx, &RecordId::random(), &m)?;
            }
            for (who, q) in [(mentor, &mentor_q), (mentee, &mentee_q)] {
                if let Some(i) = find(people, who) {
                    let p = &mut people[i].1;
                    p.filled.insert(format!("{q}/{STAGE_ENTRY}"), iso(day(14)));
                    p.filled.insert(format!("{q}/{STAGE_FINAL}"), iso(day(255)));
                    // Signed that September; this year's participants signed anew (some
                    // of this year's papers are missing on purpose: not filled in here).
                    let on = day(15);
                    let (signer, role) = if p.is_minor(on) {
                        (
                            "Ветлугина О. С. (законный представитель)".to_owned(),
                            SIGNER_REPRESENTATIVE,
                        )
                    } else {
                        (p.short_name(), SIGNER_SELF)
                    };
                    if p.consents.is_empty() {
                        sign(p, CONSENT_PERSONAL_DATA, on, signer.clone(), role);
                        sign(p, CONSENT_AGREEMENT, on, signer, role);
                    }
                }
            }
        }
        fill_answers(
            tx,
            people,
            &mut Seq(0x2545_f491_4f6c_dd1d),
            &[&mentee_q, &mentor_q],
        )?;

        for (section, content, period) in [
            (
                1,
                "Издание приказа о внедрении целевой модели наставничества",
                "сентябрь",
            ),
            (
                1,
                "Формирование базы наставников и наставляемых",
                "сентябрь – октябрь",
            ),
            (3, "Мониторинг реализации программы", "до 20 декабря"),
            (3, "Мониторинг динамики развития участников", "до 20 мая"),
            (5, "Итоги реализации дорожной карты", "май"),
        ] {
            let mut row = RoadmapRow::new(section, content, period, tick());
            row.responsible = "Куратор".into();
            row.status = "done".into();
            row.academic_year = year.clone();
            School::insert(tx, &RecordId::random(), &row)?;
        }
        for (kind, title, offset, participants) in [
            ("launch", "Старт программы наставничества", 10u64, 35),
            ("training", "«Школа наставников»", 40, 12),
            ("round-table", "Круглый стол по итогам года", 262, 28),
        ] {
            let mut e = Event::new(kind, title, &iso(day(offset)), tick())?;
            e.place = "Актовый зал".into();
            e.participants = participants;
            e.published.update("Сайт школы");
            School::insert(tx, &RecordId::random(), &e)?;
        }

        // Both monitorings, as the curator fixed them that year.
        let docs: std::collections::BTreeMap<String, Person> = people.iter().cloned().collect();
        let (programmes, pairs, meetings, questionnaires, events, register) = (
            School::list::<Programme>(tx)?,
            School::list::<Pair>(tx)?,
            School::list::<Meeting>(tx)?,
            School::list::<Questionnaire>(tx)?,
            School::list::<Event>(tx)?,
            School::list::<crate::PersonEntry>(tx)?,
        );
        let records = monitoring::Records {
            programmes: &programmes,
            pairs: &pairs,
            meetings: &meetings,
            questionnaires: &questionnaires,
            events: &events,
            register: &register,
            people: &docs,
        };
        for (period, conclusions) in [
            (
                Period {
                    year: self.start.year(),
                    month: 12,
                },
                "Пары сформированы и работают по индивидуальным планам. Рекомендовано провести открытые занятия во втором полугодии.",
            ),
            (
                Period {
                    year: self.start.year() + 1,
                    month: 5,
                },
                "Программа выполнена. Наставляемые отмечают рост уверенности; в следующем году расширить программу «ученик – ученик».",
            ),
        ] {
            let figures = monitoring::compute(&records, period, period.due());
            Monitoring::fix(tx, &figures, tick())?;
            Monitoring::set_conclusions(tx, period, conclusions, tick())?;
        }
        Ok(())
    }
}

/// Fills the questionnaires `only` each participant filled, with answers that improve a little.
fn fill_answers(
    tx: &mut impl Write,
    people: &mut [(String, Person)],
    seq: &mut Seq,
    only: &[&RecordId],
) -> Result<(), ModelError> {
    let questionnaires = School::list::<Questionnaire>(tx)?;
    for (_, p) in people.iter_mut() {
        let filled: Vec<String> = p.filled.keys().cloned().collect();
        for key in filled {
            let Some((qid, stage)) = key.split_once('/') else {
                continue;
            };
            if !only.iter().any(|id| id.as_str() == qid) {
                continue;
            }
            let Some((_, q)) = questionnaires.iter().find(|(id, _)| id.as_str() == qid) else {
                continue;
            };
            for question in q.live_questions() {
                let value = if question.is_scale() {
                    let base = 2 + seq.below(2) as u64;
                    (if stage == STAGE_FINAL {
                        (base + 1 + seq.below(2) as u64).min(5)
                    } else {
                        base
                    })
                    .to_string()
                } else if stage == STAGE_ENTRY {
                    "Решать задачи быстрее".to_owned()
                } else {
                    "Стало легче учиться".to_owned()
                };
                p.answers
                    .insert(format!("{qid}/{stage}/{}", question.id), value);
            }
        }
    }
    Ok(())
}
