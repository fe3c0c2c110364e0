//! The individual plan of a pair or group, and the table of a programme's pairs with their
//! three phases (seed 001).

use crate::documents::programme::mentees;
use crate::documents::{BLANK, Ctx, names, year_label};
use crate::tree::{Align, Block, Para, Signature, Table, Tree};
use crate::view::{PairView, ProgrammeView};

/// «Индивидуальный план работы наставнической пары (группы)».
pub fn individual(ctx: &mut Ctx<'_>, pair: &PairView, programme: Option<&ProgrammeView>) -> Tree {
    let data = ctx.data;
    let group = pair.is_group();
    let what = if group {
        "НАСТАВНИЧЕСКОЙ ГРУППЫ"
    } else {
        "НАСТАВНИЧЕСКОЙ ПАРЫ"
    };
    let mut tree = Tree::new(format!(
        "Индивидуальный план работы {}",
        if group {
            "наставнической группы"
        } else {
            "наставнической пары"
        }
    ));
    tree.push(ctx.letterhead());
    let approved = ctx.approved("", Some((&pair.order_number, &pair.order_date)));
    tree.push(Block::Approval {
        left: None,
        right: Some(approved),
    });
    let year = programme
        .map(|p| p.academic_year.as_str())
        .unwrap_or(&data.academic_year);
    tree.push(Block::Title(vec![
        "ИНДИВИДУАЛЬНЫЙ ПЛАН РАБОТЫ".into(),
        what.into(),
        year_label(year),
    ]));

    tree.heading("1. Участники");
    let mut people = Table::new(&[
        ("Роль", 25),
        ("Фамилия, имя, отчество", 45),
        ("Класс, должность", 30),
    ]);
    for (role, ids) in [
        ("Наставник", &pair.mentors),
        ("Наставляемый", &pair.mentees),
    ] {
        for id in ids {
            let p = data.person(id);
            let name = ctx.full_name(p, role);
            people.row(vec![
                role.into(),
                name,
                p.map(|p| p.summary.clone()).unwrap_or_default(),
            ]);
        }
    }
    if !pair.mentee_category.is_empty() {
        people.row(vec![
            "Наставляемые".into(),
            pair.mentee_category.clone(),
            String::new(),
        ]);
    }
    tree.table(people);
    let form = ctx.need(&pair.form, "Форма наставничества");
    tree.para(
        Para::new(Align::Left)
            .bold("Форма наставничества: ")
            .text(format!("«{form}»")),
    );
    if !pair.variant.is_empty() {
        tree.para(
            Para::new(Align::Left)
                .bold("Ролевая модель: ")
                .text(pair.variant.clone()),
        );
    }
    let format: Vec<&str> = [pair.format.as_str(), pair.term.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !format.is_empty() {
        tree.para(
            Para::new(Align::Left)
                .bold("Формат работы: ")
                .text(format!("{} наставничество", format.join(", "))),
        );
    }
    if let Some(p) = programme {
        tree.para(
            Para::new(Align::Left)
                .bold("Программа: ")
                .text(format!("«{}»", p.title)),
        );
    }

    tree.heading("2. Цель");
    let goal = ctx.need(&pair.goal, "Цель наставничества");
    tree.body(goal);

    tree.heading("3. Этапы работы");
    let mut phases = Table::new(&[("№", 5), ("Этап", 25), ("Сроки", 22), ("Содержание", 48)])
        .caption("Таблица 1. Этапы работы");
    for (i, phase) in pair.phases.iter().enumerate() {
        phases.row(vec![
            (i + 1).to_string(),
            phase.title.clone(),
            if phase.period.is_empty() {
                BLANK.into()
            } else {
                phase.period.clone()
            },
            phase.content.clone(),
        ]);
    }
    tree.table(phases);

    tree.heading("4. План мероприятий");
    let mut plan = Table::new(&[
        ("№", 5),
        ("Мероприятие", 47),
        ("Срок", 25),
        ("Отметка о выполнении", 23),
    ])
    .caption("Таблица 2. План мероприятий");
    if pair.plan.is_empty() {
        ctx.note("План мероприятий пары");
        plan.row(vec!["1".into(), BLANK.into(), BLANK.into(), String::new()]);
    }
    for (i, row) in pair.plan.iter().enumerate() {
        plan.row(vec![
            (i + 1).to_string(),
            row.text.clone(),
            row.period.clone(),
            row.status.clone(),
        ]);
    }
    tree.table(plan);

    tree.push(Block::Spacer);
    tree.push(Block::Signatures(signatures(ctx, pair)));
    tree
}

/// Mentors, mentees, the parent of each minor mentee, and the curator.
pub fn signatures(ctx: &mut Ctx<'_>, pair: &PairView) -> Vec<Signature> {
    let data = ctx.data;
    let mut out = vec![];
    for id in &pair.mentors {
        let p = data.person(id);
        out.push(Signature::new("Наставник", ctx.short_name(p, "Наставник")));
    }
    for id in &pair.mentees {
        let p = data.person(id);
        out.push(Signature::new(
            "Наставляемый",
            ctx.short_name(p, "Наставляемый"),
        ));
        if let Some(p) = p.filter(|p| p.minor && !p.erased) {
            let parent = ctx.need(
                &p.representative,
                format!(
                    "Родитель (законный представитель) наставляемого {}",
                    p.short_name
                ),
            );
            out.push(Signature::new(
                "Родитель (законный представитель) наставляемого",
                parent,
            ));
        }
    }
    let curator = ctx.curator();
    out.push(Signature::new("Куратор", curator));
    out
}

/// «Реализация программы наставничества по форме …»: every pair of a programme with its three
/// phases and their periods, grouped by role-model variant.
pub fn pairs_table(ctx: &mut Ctx<'_>, programme: &ProgrammeView) -> Tree {
    let data = ctx.data;
    let mut tree = Tree::new(format!(
        "Таблица наставнических пар по форме «{}»",
        programme.form
    ));
    tree.landscape = true;
    let approved = ctx.approved(&programme.approved_on, None);
    tree.push(Block::Approval {
        left: None,
        right: Some(approved),
    });
    tree.push(Block::Title(vec![
        format!(
            "Реализация программы наставничества по форме «{}»",
            programme.form
        ),
        format!(
            "«{}», {}",
            programme.title,
            year_label(&programme.academic_year)
        ),
    ]));
    let mut table = Table::new(&[
        ("№", 3),
        ("Наставник", 11),
        ("Наставляемый", 14),
        ("Подготовительный этап. Общие цели и формы", 19),
        ("Сроки", 10),
        ("Основной этап", 15),
        ("Сроки", 10),
        ("Заключительный этап", 18),
        ("Сроки", 10),
    ]);
    let mut pairs: Vec<&PairView> = data.pairs_of(&programme.id).collect();
    if pairs.is_empty() {
        ctx.note("Наставнические пары программы");
    }
    // Grouped by variant, in the order the variants first appear.
    let mut variants: Vec<String> = vec![];
    for p in &pairs {
        let v = variant_of(p, programme);
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    pairs.sort_by_key(|p| {
        let v = variant_of(p, programme);
        variants.iter().position(|x| *x == v)
    });
    let mut current = None;
    for (i, pair) in pairs.iter().enumerate() {
        let v = variant_of(pair, programme);
        if current.as_ref() != Some(&v) && !v.is_empty() {
            table.group(format!("Ролевая модель «{v}»"));
        }
        current = Some(v);
        let mentors = names(ctx, &pair.mentors, "Наставник", false);
        let mentees = mentees(ctx, pair, false);
        let phase = |n: usize| pair.phases.get(n).cloned().unwrap_or_default();
        let (first, main, last) = (phase(0), phase(1), phase(2));
        let mut opening = vec![];
        if !pair.goal.is_empty() {
            opening.push(format!(
                "Цель наставничества: {}.",
                pair.goal.trim_end_matches('.')
            ));
        }
        let format: Vec<&str> = [pair.format.as_str(), pair.term.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !format.is_empty() {
            opening.push(format!("Форма: {} наставничество.", format.join(", ")));
        }
        if !first.content.is_empty() {
            opening.push(first.content.clone());
        }
        table.row(vec![
            (i + 1).to_string(),
            mentors,
            mentees,
            opening.join("\n"),
            first.period,
            main.content,
            main.period,
            last.content,
            last.period,
        ]);
    }
    tree.table(table);
    tree
}

fn variant_of(pair: &PairView, programme: &ProgrammeView) -> String {
    if pair.variant.is_empty() {
        programme.variant.clone()
    } else {
        pair.variant.clone()
    }
}
