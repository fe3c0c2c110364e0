//! What a new school starts from, applied with one tap and then edited: the standard roadmap
//! (the five sections, the rows and indicators of the target model's roadmap), the
//! questionnaires (for mentees and for mentors, filled at entry and at the end, and a
//! satisfaction questionnaire), and a programme's standard parts (the work plan, the rights and
//! duties of mentors and mentees).
//!
//! Templated records get ids made from the template's row and the academic year, so applying a
//! template twice, or on two tablets at once, adds each record once.

use autosurgeon::Text;

use crate::record::{self, Record, Write};
use crate::{ModelError, Programme, Question, Questionnaire, RecordId, RoadmapRow, Row};

/// One roadmap row of the template: section, content, term, result, indicator, measure.
type RoadmapLine = (
    u64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The standard roadmap, after the target model's (Р-145) plan of measures.
pub const ROADMAP: [RoadmapLine; 20] = [
    (
        1,
        "Издание приказа о внедрении целевой модели наставничества",
        "сентябрь",
        "Приказ",
        "",
        "",
    ),
    (
        1,
        "Разработка и утверждение положения о программе наставничества",
        "сентябрь",
        "Положение о наставничестве",
        "",
        "",
    ),
    (
        1,
        "Назначение куратора внедрения целевой модели наставничества",
        "сентябрь",
        "Приказ о назначении куратора",
        "",
        "",
    ),
    (
        1,
        "Формирование базы наставляемых из числа обучающихся, педагогов, родителей, выпускников",
        "сентябрь – октябрь",
        "База наставляемых",
        "Охват обучающихся наставничеством не менее 20 % каждой целевой группы",
        "student-coverage",
    ),
    (
        1,
        "Формирование базы наставников из числа педагогов, обучающихся, выпускников, родителей, партнёров",
        "сентябрь – октябрь",
        "База наставников",
        "Доля педагогов, вовлечённых в наставничество",
        "teacher-coverage",
    ),
    (
        1,
        "Формирование перечня организаций-партнёров и заключение соглашений с ними",
        "октябрь",
        "Соглашения с организациями-партнёрами",
        "Организации-партнёры, предоставившие наставников",
        "partner-organisations",
    ),
    (
        2,
        "Разработка персонализированных программ наставничества по формам",
        "октябрь",
        "Программы наставничества",
        "",
        "",
    ),
    (
        2,
        "Обучение наставников, в том числе с применением дистанционных технологий",
        "октябрь – ноябрь",
        "Проведены обучающие занятия, консультации",
        "Проведённые обучения наставников",
        "trainings",
    ),
    (
        2,
        "Оформление согласий на обработку персональных данных и соглашений участников",
        "октябрь",
        "Согласия и соглашения у 100 % участников",
        "Доля участников с подписанными документами",
        "signed-documents",
    ),
    (
        2,
        "Встреча наставников и наставляемых в формате «нетворкинг»",
        "октябрь",
        "Проведена встреча, анкетирование о предпочтениях",
        "",
        "",
    ),
    (
        2,
        "Формирование наставнических пар и групп, утверждение индивидуальных планов",
        "октябрь – ноябрь",
        "Приказ о закреплении пар, индивидуальные планы",
        "",
        "",
    ),
    (
        2,
        "Реализация индивидуальных планов: встреча-знакомство, пробная встреча, встреча-планирование, совместная работа, итоговая встреча",
        "ноябрь – май",
        "Выполненные индивидуальные планы",
        "Доля выполненных пунктов индивидуальных планов",
        "plans-done",
    ),
    (
        3,
        "Входное анкетирование наставников и наставляемых",
        "октябрь",
        "Анкеты",
        "",
        "",
    ),
    (
        3,
        "Мониторинг реализации программы наставничества",
        "до 20 декабря",
        "Аналитическая справка",
        "",
        "",
    ),
    (
        3,
        "Итоговое анкетирование и мониторинг динамики развития участников",
        "до 20 мая",
        "Аналитическая справка",
        "",
        "",
    ),
    (
        4,
        "Публикации о наставничестве на сайте школы и в сообществе в социальной сети",
        "В течение года",
        "Публикации",
        "Публикации о событиях программы",
        "publications",
    ),
    (
        4,
        "Встречи с родителями о программе наставничества",
        "В течение года",
        "Протоколы встреч",
        "Проведённые встречи с родителями",
        "parent-meetings",
    ),
    (
        4,
        "Итоговое мероприятие (деловая игра) и конкурс «Наставник года»",
        "апрель – май",
        "Приказ о награждении",
        "Участники итогового мероприятия",
        "closing-attendance",
    ),
    (
        5,
        "Подведение итогов работы пар и групп, отчёт куратора",
        "май",
        "Отчёт",
        "",
        "",
    ),
    (
        5,
        "Анализ реализации дорожной карты и её корректировка на следующий год",
        "май – июнь",
        "Дорожная карта на следующий год",
        "Доля выполненных пунктов дорожной карты",
        "roadmap-done",
    ),
];

/// The standard roadmap for `year`, as records to add (ids fixed by row and year).
pub fn roadmap(year: &str, now_ms: i64) -> Vec<(RecordId, RoadmapRow)> {
    ROADMAP
        .iter()
        .enumerate()
        .map(
            |(n, (section, content, term, result, indicator, measure))| {
                let mut row = RoadmapRow::new(*section, content, term, now_ms);
                row.result = Text::with_value(*result);
                row.indicator = Text::with_value(*indicator);
                row.measure = (*measure).to_owned();
                row.responsible = "Куратор".to_owned();
                row.academic_year = year.trim().to_owned();
                (template_id("roadmap", year, n), row)
            },
        )
        .collect()
}

/// The standard questionnaires for `year`: for mentees and for mentors (each filled at entry
/// and at the end, so that the answers can be compared) and on satisfaction (at the end).
pub fn questionnaires(year: &str, now_ms: i64) -> Vec<(RecordId, Questionnaire)> {
    let q = |title: &str, audience: &str, questions: Vec<Question>| {
        let mut q = Questionnaire::new(title, audience, &[], now_ms);
        q.questions = questions;
        q.academic_year = year.trim().to_owned();
        q
    };
    let list = vec![
        q(
            "Анкета наставляемого",
            "mentee",
            vec![
                Question::new("Насколько вам интересно учиться?", "scale10"),
                Question::new("Насколько уверенно вы отвечаете на уроках?", "scale10"),
                Question::new(
                    "Насколько легко вам общаться с одноклассниками и учителями?",
                    "scale10",
                ),
                Question::new("Знаете ли вы, к кому обратиться за помощью?", "yesno"),
                Question::with_options(
                    "Чего вы больше всего ждёте от наставника?",
                    &[
                        "помощи в учёбе",
                        "совета в выборе профессии",
                        "поддержки в трудной ситуации",
                        "участия в проектах и конкурсах",
                    ],
                ),
                Question::new("Чему бы вы хотели научиться?", "text"),
            ],
        ),
        q(
            "Анкета наставника",
            "mentor",
            vec![
                Question::new(
                    "Насколько вы понимаете цели программы наставничества?",
                    "scale10",
                ),
                Question::new(
                    "Насколько вы уверены в своих силах как наставник?",
                    "scale10",
                ),
                Question::new("Хватает ли вам времени на встречи с наставляемым?", "yesno"),
                Question::with_options(
                    "Какой формат встреч вам удобнее?",
                    &[
                        "очные встречи",
                        "встречи онлайн",
                        "совместные мероприятия",
                        "по-разному",
                    ],
                ),
                Question::new("Что помогло бы вам в работе наставника?", "text"),
            ],
        ),
        q(
            "Анкета удовлетворённости участием в программе наставничества",
            "any",
            vec![
                Question::new(
                    "Насколько вы удовлетворены участием в программе?",
                    "scale10",
                ),
                Question::new("Насколько полезными были встречи?", "scale10"),
                Question::new(
                    "Насколько комфортной была работа в паре (группе)?",
                    "scale10",
                ),
                Question::new("Хотели бы вы продолжить участие в программе?", "yesno"),
                Question::new("Что стоит изменить в программе?", "text"),
            ],
        ),
    ];
    list.into_iter()
        .enumerate()
        .map(|(n, q)| (template_id("questionnaire", year, n), q))
        .collect()
}

/// The seven stages of implementing the target model with their activities and results.
pub const STAGES: [(&str, &str, &str); 7] = [
    (
        "Подготовка условий для запуска программы: информирование педагогов, обучающихся, родителей; выбор форм наставничества; приказ и положение",
        "Сентябрь",
        "Утверждённая программа, приказ",
    ),
    (
        "Формирование базы наставляемых: сбор запросов обучающихся, педагогов, родителей",
        "Сентябрь – октябрь",
        "База наставляемых с их запросами",
    ),
    (
        "Формирование базы наставников из числа педагогов, обучающихся, выпускников, родителей, партнёров",
        "Сентябрь – октябрь",
        "База наставников",
    ),
    (
        "Отбор и обучение наставников: анкетирование, собеседование, «Школа наставников»",
        "Октябрь – ноябрь",
        "Обученные наставники",
    ),
    (
        "Формирование наставнических пар и групп: встреча-знакомство, анкетирование о предпочтениях",
        "Октябрь – ноябрь",
        "Приказ о закреплении пар, согласия и соглашения",
    ),
    (
        "Организация работы пар и групп: индивидуальные планы, регулярные встречи, обратная связь",
        "Ноябрь – апрель",
        "Выполненные индивидуальные планы, мониторинг",
    ),
    (
        "Завершение программы: итоговые встречи, анкетирование, итоговое мероприятие, популяризация практик",
        "Май",
        "Аналитическая справка, лучшие практики",
    ),
];

/// The work plan of a programme (corrected every year).
pub const WORK_PLAN: [(&str, &str, &str); 10] = [
    (
        "Анализ потребностей в развитии наставников и наставляемых (анкетирование, обработка результатов)",
        "До октября",
        "Куратор",
    ),
    ("Вводное совещание с наставниками", "Сентябрь", "Куратор"),
    (
        "Обучение наставников",
        "По мере набора наставников",
        "Куратор",
    ),
    (
        "Формирование наставнических пар и групп",
        "По мере поступления запросов",
        "Куратор",
    ),
    (
        "Входное и итоговое анкетирование, анализ анкет",
        "Октябрь, май",
        "Куратор",
    ),
    (
        "Встречи пар и групп: встреча-знакомство, пробная встреча, встреча-планирование, совместная работа, итоговая встреча",
        "В течение года",
        "Наставники",
    ),
    (
        "Реализация индивидуальных планов",
        "В течение года",
        "Наставники",
    ),
    (
        "Привлечение наставляемых к конкурсам, проектам, волонтёрской деятельности",
        "В течение года",
        "Наставники",
    ),
    (
        "Мониторинг реализации программы",
        "До 20 декабря, до 20 мая",
        "Куратор",
    ),
    (
        "Подведение итогов работы пар и групп за учебный год",
        "Май",
        "Куратор, наставники",
    ),
];

/// The rights and duties of mentors and mentees.
pub const RIGHTS_DUTIES: &str = "Наставник обязан:
- разрабатывать индивидуальный план работы наставнической пары (группы);
- участвовать в реализации дорожной карты в рамках своей компетенции;
- посещать обучение наставников;
- оказывать наставляемому помощь и поддержку;
- предоставлять результаты работы по запросу куратора;
- внимательно и уважительно относиться к наставляемому.
Наставник имеет право:
- совместно с куратором определять формы работы с наставляемым;
- участвовать в обсуждениях и мероприятиях по развитию наставничества в школе;
- вносить предложения по изменению дорожной карты;
- привлекать других специалистов для развития наставляемого.
Наставляемый обязан:
- посещать встречи и мероприятия в соответствии с индивидуальным планом;
- своевременно выполнять задачи, поставленные наставником;
- внимательно и уважительно относиться к наставнику и другим участникам группы.
Наставляемый имеет право:
- вносить предложения в индивидуальный план;
- участвовать в обсуждениях и мероприятиях по развитию наставничества в школе;
- обращаться к наставнику за советом и помощью;
- при невозможности установить контакт с наставником просить куратора о его замене.";

/// Fills the programme's empty standard parts (the seven stages, the work plan, the rights and
/// duties); what the school has written is left as it is. Returns whether it filled anything.
pub fn fill_programme(p: &mut Programme) -> bool {
    let mut filled = false;
    if p.stages.iter().all(|r| r.removed_at.is_some()) {
        p.stages = STAGES
            .iter()
            .enumerate()
            .map(|(n, (text, term, result))| {
                let mut row = Row::new(text).with_period(crate::Deadline::parse(term).store());
                row.id = format!("template-stage-{n}");
                row.note = Text::with_value(*result);
                row
            })
            .collect();
        filled = true;
    }
    if p.work_plan.iter().all(|r| r.removed_at.is_some()) {
        p.work_plan = WORK_PLAN
            .iter()
            .enumerate()
            .map(|(n, (text, term, responsible))| {
                let mut row = Row::new(text).with_period(crate::Deadline::parse(term).store());
                row.id = format!("template-work-plan-{n}");
                row.responsible = (*responsible).to_owned();
                row
            })
            .collect();
        filled = true;
    }
    if p.rights_duties.as_str().trim().is_empty() {
        p.rights_duties = Text::with_value(RIGHTS_DUTIES);
        filled = true;
    }
    filled
}

/// Fills the empty standard parts of programme `id` (see [`fill_programme`]).
pub fn apply_to_programme(tx: &mut impl Write, id: &RecordId) -> Result<bool, ModelError> {
    crate::School::writable(tx)?;
    record::update::<Programme, _>(tx, id, |p| Ok(fill_programme(p)))
}

fn template_id(kind: &str, year: &str, n: usize) -> RecordId {
    RecordId::new(format!(
        "template-{kind}-{}-{n}",
        year.trim().replace('/', "-")
    ))
}

/// Adds the records that are not there yet; returns how many it added.
pub fn apply<T: Record>(
    tx: &mut impl Write,
    records: &[(RecordId, T)],
) -> Result<usize, ModelError> {
    crate::School::writable(tx)?;
    record::insert_missing(tx, records)
}
