//! «Аналитическая справка по итогам мониторинга»: the monitoring of one half-year (20 December
//! or 20 May) in its two parts, the quality of the programme's implementation and the dynamics
//! of the participants, with the curator's conclusions. Made from the fixed figures when the
//! monitoring is fixed, from the records of the day otherwise (and it says so).

use model::monitoring::{Figures, Share, mean};
use model::ru;

use crate::documents::{BLANK, Ctx};
use crate::tree::{Bar, Block, Signature, Table, Tree};
use crate::view::MonitoringView;

pub fn build(ctx: &mut Ctx<'_>, m: &MonitoringView) -> Tree {
    let f: &Figures = &m.figures;
    let mut tree = Tree::new(format!("Аналитическая справка — мониторинг {}", m.period));
    let school = ctx.school_short();
    tree.push(Block::Title(vec![
        "АНАЛИТИЧЕСКАЯ СПРАВКА".into(),
        "по итогам мониторинга реализации программы наставничества".into(),
        format!("в {school}"),
        format!("за {}", m.label),
    ]));
    if m.fixed_on.is_empty() {
        tree.body(format!(
            "Показатели на {}. Мониторинг ещё не зафиксирован: после фиксации они не меняются.",
            ru::iso_date(&f.computed_on)
        ));
    } else {
        tree.body(format!(
            "Показатели зафиксированы {} и не меняются при дальнейших изменениях записей.",
            ru::iso_date(&m.fixed_on)
        ));
    }

    tree.heading("1. Качество реализации программы наставничества");
    let mut quality = Table::new(&[
        ("Программа", 26),
        ("Пар и групп", 10),
        ("Участников", 10),
        ("Встречи проведены", 18),
        ("Индивидуальные планы выполнены", 18),
        ("Согласия и соглашения подписаны", 18),
    ]);
    for q in &f.quality {
        quality.row(vec![
            q.title.clone(),
            q.pairs.to_string(),
            q.participants.to_string(),
            q.meetings.display(),
            q.plans.display(),
            q.documents.display(),
        ]);
    }
    tree.table(quality);
    // The first line (all programmes together) as a chart.
    if let Some(all) = f.quality.first() {
        let bar = |label: &str, s: &Share| Bar {
            label: label.to_owned(),
            done: s.value,
            of: s.of,
        };
        tree.push(Block::Bars(vec![
            bar("Встречи проведены", &all.meetings),
            bar("Индивидуальные планы выполнены", &all.plans),
            bar("Согласия и соглашения подписаны", &all.documents),
        ]));
    }
    tree.push(Block::Subheading("Удовлетворённость участников".into()));
    let mut satisfaction = Table::new(&[
        ("Участники", 30),
        ("Средняя оценка (1–5)", 20),
        ("Ответили", 15),
    ]);
    for s in &f.satisfaction {
        satisfaction.row(vec![s.who.clone(), mean(s.mean), s.respondents.to_string()]);
    }
    tree.table(satisfaction);
    if f.satisfaction.iter().all(|s| s.respondents == 0) {
        tree.body(
            "Итоговых анкет пока нет: удовлетворённость будет оценена по итоговому анкетированию.",
        );
    }

    tree.heading("2. Динамика развития участников");
    if f.dynamics.iter().all(|d| d.respondents == 0) {
        tree.body(
            "Итоговое анкетирование ещё не проведено: сравнение входных и итоговых ответов будет \
             возможно после него.",
        );
    } else {
        let mut dynamics = Table::new(&[
            ("Анкета", 20),
            ("Вопрос", 30),
            ("Ответили оба раза", 12),
            ("Входное", 10),
            ("Итоговое", 10),
            ("Изменение", 10),
        ]);
        for d in &f.dynamics {
            dynamics.row(vec![
                d.questionnaire.clone(),
                d.question.clone(),
                d.respondents.to_string(),
                mean(d.entry_mean),
                mean(d.final_mean),
                d.change()
                    .map(|c| format!("{c:+.1}").replace('.', ","))
                    .unwrap_or_else(|| "—".into()),
            ]);
        }
        tree.table(dynamics);
    }
    if f.awaiting_final > 0 {
        tree.body(format!(
            "Итоговое анкетирование ещё не прошли: {}. Сравнение приведено по ответившим оба раза.",
            ru::count(f.awaiting_final, ["участник", "участника", "участников"])
        ));
    }
    tree.push(Block::Subheading("Промежуточные результаты".into()));
    let results: Vec<String> = f
        .results
        .iter()
        .map(|(kind, n)| format!("{kind} — {n}"))
        .chain(std::iter::once(format!(
            "мероприятия программы — {}",
            f.events
        )))
        .collect();
    tree.push(Block::List {
        numbered: false,
        items: results,
    });

    tree.heading("3. Выводы и рекомендации");
    let conclusions = m.conclusions.trim();
    if conclusions.is_empty() {
        ctx.note("Выводы и рекомендации");
        tree.body(BLANK);
    } else {
        for p in conclusions.split('\n').filter(|p| !p.trim().is_empty()) {
            tree.body(p.trim());
        }
    }
    let curator = ctx.curator();
    tree.push(Block::Spacer);
    tree.push(Block::Signatures(vec![Signature::new(
        "Куратор программы наставничества",
        curator,
    )]));
    tree
}
