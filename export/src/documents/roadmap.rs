//! «План мероприятий (дорожная карта)» with its five sections (seed 004), and the media plan.

use chrono::{Days, NaiveDate};
use model::{SECTIONS, ru};

use crate::documents::{BLANK, Ctx, year_label};
use crate::texts;
use crate::tree::{Block, Table, Tree};

pub fn roadmap(ctx: &mut Ctx<'_>) -> Tree {
    let data = ctx.data;
    let mut tree = Tree::new("Дорожная карта (план мероприятий)");
    tree.landscape = true;
    let approved = ctx.approved("", Some(("", "")));
    tree.push(Block::Approval {
        left: None,
        right: Some(approved),
    });
    let school = ctx.school_short();
    tree.push(Block::Title(vec![
        "ПЛАН МЕРОПРИЯТИЙ (ДОРОЖНАЯ КАРТА)".into(),
        format!("по реализации целевой модели наставничества в {school}"),
        format!("на {}", year_label(&data.academic_year)),
    ]));
    let mut table = Table::new(&[
        ("№", 4),
        ("Содержание", 28),
        ("Сроки", 11),
        ("Ожидаемый результат (вид документа)", 18),
        ("Показатели эффективности", 23),
        ("Ответственный", 16),
    ]);
    if data.roadmap.is_empty() {
        ctx.note("Пункты дорожной карты");
    }
    for (n, section) in SECTIONS.iter().enumerate() {
        let n = n as u64 + 1;
        table.group(format!("{n}. {section}"));
        let rows: Vec<_> = data.roadmap.iter().filter(|r| r.section == n).collect();
        if rows.is_empty() {
            table.row(vec![format!("{n}.1."), BLANK.into()]);
        }
        for (i, r) in rows.iter().enumerate() {
            table.row(vec![
                format!("{n}.{}.", i + 1),
                r.content.clone(),
                r.period.clone(),
                r.result.clone(),
                r.indicator.clone(),
                r.responsible.clone(),
            ]);
        }
    }
    tree.table(table);
    tree
}

pub fn media_plan(ctx: &mut Ctx<'_>) -> Tree {
    let data = ctx.data;
    let mut tree = Tree::new("Медиаплан");
    tree.landscape = true;
    let approved = ctx.approved("", None);
    tree.push(Block::Approval {
        left: None,
        right: Some(approved),
    });
    let school = ctx.school_short();
    tree.push(Block::Title(vec![
        "МЕДИАПЛАН".into(),
        format!("информационного сопровождения наставничества в {school}"),
        format!("на {}", year_label(&data.academic_year)),
    ]));
    tree.body(texts::MEDIA_PLAN_NOTE);
    let curator = {
        let c = data.profile.curator.name.clone();
        if c.is_empty() {
            "Куратор".to_owned()
        } else {
            c
        }
    };
    let mut table = Table::new(&[
        ("№", 4),
        ("Событие", 25),
        ("Дата", 11),
        ("Пресс-релиз (за 3–5 дней)", 14),
        ("Пост-релиз (в течение дня)", 14),
        ("Площадки размещения", 18),
        ("Ответственный", 14),
    ]);
    if data.events.is_empty() {
        ctx.note("Мероприятия");
        table.row(vec!["1".into(), BLANK.into()]);
    }
    for (i, e) in data.events.iter().enumerate() {
        let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").ok();
        let shift = |back: bool, days: u64| {
            date.and_then(|d| {
                if back {
                    d.checked_sub_days(Days::new(days))
                } else {
                    d.checked_add_days(Days::new(days))
                }
            })
            .map(ru::date_numeric)
            .unwrap_or_default()
        };
        let pre = match (shift(true, 5), shift(true, 3)) {
            (a, b) if !a.is_empty() => format!("{a} – {b}"),
            _ => String::new(),
        };
        let post = shift(false, 1);
        table.row(vec![
            (i + 1).to_string(),
            e.title.clone(),
            date.map(ru::date_numeric).unwrap_or_else(|| e.date.clone()),
            pre,
            if post.is_empty() {
                String::new()
            } else {
                format!("до {post}")
            },
            if e.published.is_empty() {
                "Официальный сайт; сообщество школы в социальной сети".into()
            } else {
                e.published.clone()
            },
            curator.clone(),
        ]);
    }
    tree.table(table);
    tree
}
