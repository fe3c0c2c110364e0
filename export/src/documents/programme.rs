//! «Программа наставничества» by form, and the «персонализированная программа» of one pair
//! (the shape of seed 000): letterhead, approval blocks, title page, nine numbered sections and
//! the numbered tables.

use crate::documents::{BLANK, Ctx, names, year_label};
use crate::read::year_of;
use crate::texts;
use crate::tree::{Align, Block, Para, Table, Tree};
use crate::view::{PairView, ProgrammeView, RowView};

/// The programme of a form (all its pairs), or with `pair` the personalised programme of one.
pub fn build(ctx: &mut Ctx<'_>, p: &ProgrammeView, pair: Option<&PairView>) -> Tree {
    let data = ctx.data;
    let personal = pair.is_some();
    let kind = if personal {
        "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА"
    } else {
        "ПРОГРАММА НАСТАВНИЧЕСТВА"
    };
    let mut tree = Tree::new(format!(
        "{} «{}»",
        if personal {
            "Персонализированная программа наставничества"
        } else {
            "Программа наставничества"
        },
        p.title
    ));

    // Title page.
    tree.push(ctx.letterhead());
    let agreed = ctx.agreed(&p.agreed_by, &p.agreed_on);
    let approved = ctx.approved(&p.approved_on, Some(("", "")));
    tree.push(Block::Approval {
        left: Some(agreed),
        right: Some(approved),
    });
    tree.push(Block::Spacer);
    tree.push(Block::Title(vec![
        kind.to_owned(),
        format!("ПО ФОРМЕ «{}»", p.form.to_uppercase()),
        format!("«{}»", p.title),
        year_label(&p.academic_year),
    ]));
    if !p.variant.is_empty() {
        tree.para(
            Para::new(Align::Center)
                .text("Ролевая модель: ")
                .text(format!("«{}»", p.variant)),
        );
    }
    tree.push(Block::Spacer);
    let compiler = ctx.need(&p.compiler, "Составитель программы");
    tree.para(Para::new(Align::Right).bold("Составитель: ").text(compiler));
    if let Some(pair) = pair {
        tree.push(Block::Spacer);
        let mentors = names(ctx, &pair.mentors, "Наставник", true);
        let mentees = mentees(ctx, pair, true);
        tree.para(Para::new(Align::Left).text(format!("Форма наставничества «{}»", pair.form)));
        tree.para(Para::new(Align::Left).text(format!("Наставник – {mentors}")));
        tree.para(Para::new(Align::Left).text(format!("Наставляемый – {mentees}")));
    }
    for _ in 0..if personal { 4 } else { 8 } {
        tree.push(Block::Spacer);
    }
    let place = ctx.locality();
    let year = year_of(&p.approved_on)
        .or_else(|| year_of(&data.today))
        .map(|y| y.to_string())
        .unwrap_or_else(|| BLANK.to_owned());
    tree.para(Para::new(Align::Center).text(format!("{place}, {year}")));
    tree.push(Block::PageBreak);

    // 1. Explanatory note.
    tree.heading("1. Пояснительная записка");
    let note = ctx.need(&p.note, "Пояснительная записка");
    for line in note.split('\n').filter(|l| !l.trim().is_empty()) {
        tree.body(line.trim());
    }
    if !p.variant.is_empty() {
        tree.body(format!(
            "Программа по форме «{}» реализуется по ролевой модели «{}».",
            p.form, p.variant
        ));
    }

    // 2. Goal and tasks.
    tree.heading("2. Цель и задачи программы");
    let goal = match pair {
        Some(pair) if !pair.goal.is_empty() => pair.goal.clone(),
        _ => ctx.need(&p.goal, "Цель программы"),
    };
    tree.para(Para::body("").bold("Цель: ").text(goal));
    tree.para(Para::body("").bold("Задачи:"));
    list(ctx, &mut tree, &p.tasks, "Задачи программы");

    // 3. Results.
    tree.heading("3. Планируемые результаты");
    list(ctx, &mut tree, &p.results, "Планируемые результаты");

    // 4. Indicators.
    tree.heading("4. Показатели эффективности реализации программы");
    tree.body("Эффективность программы оценивается по следующим показателям:");
    list(ctx, &mut tree, &p.indicators, "Показатели эффективности");

    // 5. Stages.
    tree.heading("5. Сроки и этапы реализации программы");
    if p.stages.is_empty() {
        ctx.note("Этапы реализации");
    }
    tree.push(Block::List {
        numbered: false,
        items: p
            .stages
            .iter()
            .map(|s| {
                if s.period.is_empty() {
                    s.text.clone()
                } else {
                    format!("{}: {}", s.text, s.period)
                }
            })
            .collect(),
    });
    tree.body(format!(
        "Программа реализуется через работу в наставнических парах или группах по форме «{}». Работа каждой пары (группы) строится исходя из запросов наставляемого и ресурсов наставника.",
        p.form
    ));
    let mut stages = Table::new(&[
        ("№", 5),
        ("Этап", 25),
        ("Мероприятия", 45),
        ("Результат", 25),
    ])
    .caption("Таблица 1. Этапы реализации программы");
    for (i, (stage, activities, result)) in texts::STAGES.iter().enumerate() {
        stages.row(vec![
            (i + 1).to_string(),
            (*stage).to_owned(),
            (*activities).to_owned(),
            (*result).to_owned(),
        ]);
    }
    tree.table(stages);

    // 6. Participants.
    tree.heading("6. Участники программы");
    match pair {
        Some(pair) => {
            for (n, (role, ids)) in [
                ("Наставник", &pair.mentors),
                ("Наставляемый", &pair.mentees),
            ]
            .into_iter()
            .enumerate()
            {
                for id in ids.iter() {
                    let person = data.person(id);
                    let name = ctx.full_name(person, role);
                    let summary = person.map(|p| p.summary.as_str()).unwrap_or("");
                    let line = if summary.is_empty() {
                        format!("6.{}. {role} – {name}.", n + 1)
                    } else {
                        format!("6.{}. {role} – {name}, {summary}.", n + 1)
                    };
                    tree.para(Para::body(line));
                }
            }
            if !pair.mentee_category.is_empty() {
                tree.para(Para::body(format!(
                    "Категория наставляемых: {}.",
                    pair.mentee_category
                )));
            }
        }
        None => {
            let pairs: Vec<&PairView> = data.pairs_of(&p.id).collect();
            if pairs.is_empty() {
                tree.body("Наставнические пары и группы формируются приказом по образовательной организации.");
            } else {
                tree.body(format!(
                    "В программе участвуют {}:",
                    model::ru::count(
                        pairs.len() as u64,
                        [
                            "наставническая пара (группа)",
                            "наставнические пары (группы)",
                            "наставнических пар (групп)"
                        ]
                    )
                ));
                let mut table = Table::new(&[("№", 5), ("Наставник", 35), ("Наставляемый", 60)])
                    .caption("Таблица 2. Наставнические пары и группы");
                for (i, pair) in pairs.iter().enumerate() {
                    let mentors = names(ctx, &pair.mentors, "Наставник", false);
                    let mentees = mentees(ctx, pair, false);
                    table.row(vec![(i + 1).to_string(), mentors, mentees]);
                }
                tree.table(table);
            }
        }
    }

    // 7. Rights and duties.
    tree.heading("7. Права и обязанности наставника и наставляемого");
    if p.rights_duties.is_empty() {
        for (title, items) in [
            ("Наставник обязан:", &texts::MENTOR_DUTIES[..]),
            ("Наставник имеет право:", &texts::MENTOR_RIGHTS[..]),
            ("Наставляемый обязан:", &texts::MENTEE_DUTIES[..]),
            ("Наставляемый имеет право:", &texts::MENTEE_RIGHTS[..]),
        ] {
            tree.para(Para::body("").bold(title));
            tree.push(Block::List {
                numbered: false,
                items: items.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
    } else {
        for line in p.rights_duties.split('\n').filter(|l| !l.trim().is_empty()) {
            tree.body(line.trim());
        }
    }

    // 8. Monitoring.
    tree.heading("8. Мониторинг программы");
    tree.body(texts::MONITORING);

    // 9. Work plan; 10. the personalised plan.
    tree.heading("9. План работы по программе");
    let mut work = Table::new(&[
        ("№", 5),
        ("Наименование мероприятия", 50),
        ("Сроки", 22),
        ("Ответственные", 23),
    ])
    .caption("Таблица 3. План работы по программе");
    if p.work_plan.is_empty() {
        ctx.note("План работы по программе");
        work.row(vec!["1".into(), BLANK.into(), BLANK.into(), BLANK.into()]);
    }
    for (i, row) in p.work_plan.iter().enumerate() {
        work.row(vec![
            (i + 1).to_string(),
            row.text.clone(),
            row.period.clone(),
            row.responsible.clone(),
        ]);
    }
    tree.table(work);

    let personal_rows: &[RowView] = match pair {
        Some(pair) => &pair.plan,
        None => &p.personal_plan,
    };
    tree.heading(format!(
        "10. Персонализированный план работы по форме «{}» на {}",
        p.form,
        year_label(&p.academic_year)
    ));
    let mut plan = Table::new(&[("№ п/п", 7), ("Мероприятие", 63), ("Сроки", 30)])
        .caption("Таблица 4. Персонализированный план");
    if personal_rows.is_empty() {
        ctx.note("Персонализированный план");
        plan.row(vec!["1".into(), BLANK.into(), BLANK.into()]);
    }
    for (i, row) in personal_rows.iter().enumerate() {
        plan.row(vec![
            (i + 1).to_string(),
            row.text.clone(),
            row.period.clone(),
        ]);
    }
    tree.table(plan);
    tree
}

/// Mentees of a pair: the named ones, and the category if there is one.
pub fn mentees(ctx: &mut Ctx<'_>, pair: &PairView, full: bool) -> String {
    let mut out = names(ctx, &pair.mentees, "Наставляемый", full);
    if !pair.mentee_category.is_empty() {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&pair.mentee_category);
    }
    if out.is_empty() {
        ctx.note("Наставляемый");
        out = BLANK.to_owned();
    }
    out
}

fn list(ctx: &mut Ctx<'_>, tree: &mut Tree, items: &[String], label: &str) {
    if items.is_empty() {
        ctx.note(label);
        tree.push(Block::List {
            numbered: true,
            items: vec![BLANK.to_owned()],
        });
    } else {
        tree.push(Block::List {
            numbered: true,
            items: items.to_vec(),
        });
    }
}
