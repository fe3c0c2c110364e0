//! «Соглашение между наставником и наставляемым»: one per mentee of a pair or group, signed by
//! the mentor, the mentee, a parent or legal representative for a minor, and the school.

use crate::documents::programme::mentees;
use crate::documents::{BLANK, BLANK_DATE, Ctx, names};
use crate::texts;
use crate::tree::{Align, Block, Para, Signature, Tree};
use crate::view::{PairView, PersonView};

pub fn build(ctx: &mut Ctx<'_>, pair: &PairView) -> Tree {
    let data = ctx.data;
    let mut tree = Tree::new("Соглашение между наставником и наставляемым");
    let ids: Vec<Option<&PersonView>> = if pair.mentees.is_empty() {
        vec![None]
    } else {
        pair.mentees.iter().map(|id| data.person(id)).collect()
    };
    for (i, mentee) in ids.into_iter().enumerate() {
        if i > 0 {
            tree.push(Block::PageBreak);
        }
        one(ctx, &mut tree, pair, mentee);
    }
    tree
}

fn one(ctx: &mut Ctx<'_>, tree: &mut Tree, pair: &PairView, mentee: Option<&PersonView>) {
    tree.push(Block::Title(vec![
        "СОГЛАШЕНИЕ".into(),
        "между наставником и наставляемым".into(),
    ]));
    let place = ctx.locality();
    let date = mentee
        .map(|m| m.agreement_signed.as_str())
        .filter(|d| !d.is_empty())
        .map(model::ru::iso_date)
        .unwrap_or_else(|| BLANK_DATE.to_owned());
    tree.push(Block::Split {
        left: place,
        right: date,
    });
    tree.push(Block::Spacer);
    let school = ctx.school_full();
    let director = ctx.director();
    let mentor = names(ctx, &pair.mentors, "Наставник", true);
    let mentee_name = match mentee {
        Some(m) => ctx.full_name(Some(m), "Наставляемый"),
        None => mentees(ctx, pair, true),
    };
    let minor = mentee.is_some_and(|m| m.minor && !m.erased);
    let representative = if minor {
        let m = mentee.map(|m| (m.representative.clone(), m.short_name.clone()));
        let (rep, short) = m.unwrap_or_default();
        Some(ctx.need(
            &rep,
            format!("Родитель (законный представитель) наставляемого {short}"),
        ))
    } else {
        None
    };
    let mentee_party = match &representative {
        Some(rep) => format!(
            "{mentee_name} (далее — Наставляемый), от имени которого действует родитель (законный представитель) {rep}"
        ),
        None => format!("{mentee_name} (далее — Наставляемый)"),
    };
    tree.body(format!(
        "{school} (далее — Организация), от имени которой на основании Устава действует директор {director}, {mentor} (далее — Наставник) и {mentee_party}, совместно именуемые Стороны, заключили настоящее соглашение о нижеследующем."
    ));

    tree.heading("1. Предмет соглашения");
    let goal = ctx.need(&pair.goal, "Цель наставничества");
    let period = pair.term_period();
    let period = if period.is_empty() {
        BLANK.to_owned()
    } else {
        period
    };
    tree.push(Block::List {
        numbered: false,
        items: vec![
            format!(
                "Наставник оказывает Наставляемому помощь и поддержку в рамках программы наставничества по форме «{}».",
                pair.form
            ),
            format!("Цель наставничества: {}.", goal.trim_end_matches('.')),
            format!("Срок наставничества: {period}."),
            "Работа ведётся по индивидуальному плану, который Стороны составляют совместно.".into(),
        ],
    });
    tree.heading("2. Обязанности и права наставника");
    tree.push(Block::List {
        numbered: false,
        items: texts::MENTOR_DUTIES
            .iter()
            .chain(texts::MENTOR_RIGHTS.iter())
            .map(|s| (*s).to_owned())
            .collect(),
    });
    tree.heading("3. Обязанности и права наставляемого");
    tree.push(Block::List {
        numbered: false,
        items: texts::MENTEE_DUTIES
            .iter()
            .chain(texts::MENTEE_RIGHTS.iter())
            .map(|s| (*s).to_owned())
            .collect(),
    });
    tree.heading("4. Срок действия и заключительные положения");
    tree.body(
        "Соглашение вступает в силу со дня подписания и действует до завершения работы наставнической пары (группы). Соглашение может быть расторгнуто по инициативе любой из Сторон с уведомлением куратора. Соглашение составлено в двух экземплярах: один хранится в Организации, другой — у Наставляемого.",
    );
    tree.push(Block::Spacer);
    tree.heading("5. Подписи сторон");
    let data = ctx.data;
    let mut signatures = vec![];
    for id in &pair.mentors {
        signatures.push(Signature::new(
            "Наставник",
            ctx.short_name(data.person(id), "Наставник"),
        ));
    }
    signatures.push(Signature::new(
        "Наставляемый",
        match mentee {
            Some(m) => ctx.short_name(Some(m), "Наставляемый"),
            None => BLANK.to_owned(),
        },
    ));
    if let Some(rep) = representative {
        signatures.push(Signature::new(
            "Родитель (законный представитель) наставляемого",
            rep,
        ));
    }
    let director = ctx.director();
    signatures.push(Signature::new(
        format!("{} (Организация)", ctx.director_position()),
        director,
    ));
    tree.push(Block::Signatures(signatures));
    tree.para(Para::new(Align::Left).small().text("М. П."));
}
