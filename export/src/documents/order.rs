//! Orders (приказы): the school's name, «ПРИКАЗ», date and number, place, «О …», the preamble
//! citing Р-145, «ПРИКАЗЫВАЮ:», numbered points, the director's signature, and «С приказом
//! ознакомлены:» with names and signature lines.

use crate::documents::programme::mentees;
use crate::documents::{BLANK, BLANK_DATE, Ctx, SHORT_DATE, names, year_label};
use crate::texts;
use crate::tree::{Align, Block, Para, Signature, Table, Tree};
use crate::view::{PairView, ProgrammeView};

/// The order's number and date as given (empty: blank lines to fill in).
pub struct Heading<'a> {
    pub number: &'a str,
    /// ISO date.
    pub date: &'a str,
    /// «О внедрении …», without the «О» capitalised twice.
    pub about: String,
}

fn begin(ctx: &mut Ctx<'_>, title: &str, h: &Heading<'_>) -> Tree {
    let mut tree = Tree::new(format!("Приказ {}", h.about));
    let school = ctx.school_full();
    tree.para(Para::new(Align::Center).bold(school));
    tree.push(Block::Spacer);
    tree.push(Block::Title(vec!["ПРИКАЗ".into()]));
    let date = if h.date.is_empty() {
        ctx.note("Дата приказа");
        BLANK_DATE.to_owned()
    } else {
        model::ru::iso_date(h.date)
    };
    let number = if h.number.is_empty() {
        ctx.note("Номер приказа");
        BLANK.to_owned()
    } else {
        h.number.to_owned()
    };
    tree.push(Block::Split {
        left: date,
        right: format!("№ {number}"),
    });
    let place = ctx.locality();
    tree.para(Para::new(Align::Center).text(place));
    tree.push(Block::Spacer);
    tree.para(Para::new(Align::Left).bold(title));
    tree.push(Block::Spacer);
    let preamble = if ctx.data.profile.order_preamble.is_empty() {
        texts::ORDER_PREAMBLE.to_owned()
    } else {
        ctx.data.profile.order_preamble.clone()
    };
    tree.body(preamble.trim_end_matches(['.', ',']).to_owned() + ",");
    tree.push(Block::Spacer);
    tree.para(Para::new(Align::Left).bold("ПРИКАЗЫВАЮ:"));
    tree
}

fn finish(ctx: &mut Ctx<'_>, tree: &mut Tree, acquainted: Vec<String>) {
    tree.push(Block::Spacer);
    let director = ctx.director();
    tree.push(Block::Signatures(vec![Signature::new(
        ctx.director_position(),
        director,
    )]));
    tree.push(Block::Spacer);
    tree.para(Para::new(Align::Left).text("С приказом ознакомлены:"));
    let mut seen: Vec<String> = vec![];
    let mut lines = vec![];
    for name in acquainted {
        if !seen.contains(&name) {
            seen.push(name.clone());
            lines.push(Signature::new(name, SHORT_DATE));
        }
    }
    tree.push(Block::Signatures(lines));
}

fn points(tree: &mut Tree, items: Vec<String>) {
    tree.push(Block::List {
        numbered: true,
        items,
    });
}

/// «О внедрении целевой модели наставничества и назначении куратора».
pub fn target_model(ctx: &mut Ctx<'_>, number: &str, date: &str) -> Tree {
    let h = Heading {
        number,
        date,
        about: "о внедрении целевой модели наставничества".into(),
    };
    let mut tree = begin(
        ctx,
        "О внедрении целевой модели наставничества и назначении куратора",
        &h,
    );
    let school = ctx.school_short();
    let year = year_label(&ctx.data.academic_year);
    let curator = ctx.curator();
    let position = ctx.curator_position();
    let forms: Vec<String> = ctx
        .data
        .programmes
        .iter()
        .map(|p| format!("«{}»", p.form))
        .fold(vec![], |mut acc, f| {
            if !acc.contains(&f) {
                acc.push(f);
            }
            acc
        });
    let forms = if forms.is_empty() {
        BLANK.to_owned()
    } else {
        forms.join(", ")
    };
    points(
        &mut tree,
        vec![
            format!("Внедрить в {school} целевую модель наставничества обучающихся в {year}."),
            format!("Утвердить формы наставничества, реализуемые в {school}: {forms}."),
            format!(
                "Назначить куратором реализации программ наставничества: {curator}, {position}. На куратора возложить организационное, методическое, аналитическое и информационное сопровождение наставничества."
            ),
            format!(
                "Куратору ({curator}) разработать дорожную карту (план мероприятий) по реализации целевой модели наставничества и программы наставничества по формам; сформировать базы наставников и наставляемых."
            ),
            "Контроль за исполнением приказа оставляю за собой.".into(),
        ],
    );
    let mut acquainted = vec![curator];
    if !ctx.data.profile.deputy.name.is_empty() {
        acquainted.push(ctx.data.profile.deputy.name.clone());
    }
    finish(ctx, &mut tree, acquainted);
    tree
}

/// «Об утверждении программ наставничества и дорожной карты».
pub fn approve(ctx: &mut Ctx<'_>, programmes: &[&ProgrammeView], number: &str, date: &str) -> Tree {
    let h = Heading {
        number,
        date,
        about: "об утверждении программ наставничества и дорожной карты".into(),
    };
    let mut tree = begin(
        ctx,
        "Об утверждении программ наставничества и дорожной карты",
        &h,
    );
    let school = ctx.school_short();
    let year = year_label(&ctx.data.academic_year);
    let curator = ctx.curator();
    let mut items = vec![];
    if programmes.is_empty() {
        ctx.note("Программы наставничества");
        items.push(format!("Утвердить программу наставничества {BLANK}."));
    }
    for (i, p) in programmes.iter().enumerate() {
        items.push(format!(
            "Утвердить программу наставничества «{}» по форме «{}» на {} (приложение {}).",
            p.title,
            p.form,
            year_label(&p.academic_year),
            i + 1
        ));
    }
    items.push(format!(
        "Утвердить дорожную карту (план мероприятий) по реализации целевой модели наставничества в {school} на {year} (приложение {}).",
        programmes.len().max(1) + 1
    ));
    items.push(format!(
        "Куратору ({curator}) обеспечить реализацию программ наставничества и дорожной карты, мониторинг их реализации до 20 декабря и до 20 мая."
    ));
    items.push(
        "Разместить программы наставничества и дорожную карту на официальном сайте образовательной организации."
            .into(),
    );
    items.push("Контроль за исполнением приказа оставляю за собой.".into());
    points(&mut tree, items);
    finish(ctx, &mut tree, vec![curator]);
    tree
}

/// «О закреплении наставнических пар (групп)», with the table of the selected pairs.
pub fn pairs(ctx: &mut Ctx<'_>, pairs: &[&PairView], number: &str, date: &str) -> Tree {
    // The pairs' own order number and date when the caller gives none and the pairs agree.
    let shared = |f: fn(&PairView) -> &str| {
        let first = pairs.first().map(|p| f(p)).unwrap_or("");
        if pairs.iter().all(|p| f(p) == first) {
            first
        } else {
            ""
        }
    };
    let number = if number.is_empty() {
        shared(|p| &p.order_number)
    } else {
        number
    };
    let date = if date.is_empty() {
        shared(|p| &p.order_date)
    } else {
        date
    };
    let h = Heading {
        number,
        date,
        about: "о закреплении наставнических пар (групп)".into(),
    };
    let mut tree = begin(ctx, "О закреплении наставнических пар (групп)", &h);
    let curator = ctx.curator();
    let year = year_label(&ctx.data.academic_year);
    points(
        &mut tree,
        vec![
            format!(
                "Закрепить наставнические пары (группы) на {year} согласно приложению к настоящему приказу."
            ),
            "Наставникам совместно с наставляемыми составить индивидуальные планы работы и организовать работу пар (групп) в соответствии с ними.".into(),
            format!(
                "Куратору ({curator}) обеспечить оформление согласий на обработку персональных данных и соглашений между наставниками и наставляемыми, мониторинг работы пар (групп)."
            ),
            "Контроль за исполнением приказа оставляю за собой.".into(),
        ],
    );
    let mut acquainted = vec![curator];
    let data = ctx.data;
    for pair in pairs {
        for id in &pair.mentors {
            let name = ctx.short_name(data.person(id), "Наставник");
            acquainted.push(name);
        }
    }
    finish(ctx, &mut tree, acquainted);

    tree.push(Block::PageBreak);
    tree.para(Para::new(Align::Right).small().text(format!(
        "Приложение к приказу от {} № {}",
        tree_date(date),
        if number.is_empty() { BLANK } else { number }
    )));
    tree.push(Block::Title(vec![
        "Список наставнических пар (групп)".into(),
    ]));
    let mut table = Table::new(&[
        ("№", 5),
        ("Наставник", 25),
        ("Наставляемый", 28),
        ("Форма наставничества", 22),
        ("Срок", 20),
    ]);
    if pairs.is_empty() {
        ctx.note("Наставнические пары");
    }
    for (i, pair) in pairs.iter().enumerate() {
        let mentors = names(ctx, &pair.mentors, "Наставник", true);
        let mentees = mentees(ctx, pair, true);
        let term = pair.term_period();
        table.row(vec![
            (i + 1).to_string(),
            mentors,
            mentees,
            pair.form.clone(),
            if term.is_empty() { BLANK.into() } else { term },
        ]);
    }
    tree.table(table);
    tree
}

fn tree_date(iso: &str) -> String {
    if iso.is_empty() {
        BLANK_DATE.to_owned()
    } else {
        model::ru::iso_date(iso)
    }
}
