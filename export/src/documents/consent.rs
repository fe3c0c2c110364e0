//! «Согласие на обработку персональных данных» (152-ФЗ, ст. 9): an adult's own, or a parent's
//! or legal representative's for a minor; filled with what the school knows and blank lines for
//! what is written by hand (passport, address).

use crate::documents::{BLANK, BLANK_DATE, Ctx};
use crate::texts;
use crate::tree::{Align, Block, Para, Signature, Tree};
use crate::view::PersonView;

const LONG_BLANK: &str = "________________________________________";

/// Appends one consent to `tree`. `person` is `None` for a blank form; `minor` chooses the
/// parent's form for a blank one (a known person's own age decides otherwise).
pub fn append(ctx: &mut Ctx<'_>, tree: &mut Tree, person: Option<&PersonView>, minor: bool) {
    let minor = person.map_or(minor, |p| p.minor);
    let operator = ctx.school_full();
    let short = ctx.school_short();
    let address = {
        let a = ctx.data.profile.address.clone();
        ctx.need(&a, "Адрес")
    };
    let director = ctx.director();
    tree.para(
        Para::new(Align::Right)
            .small()
            .text(format!("{} {short}", ctx.director_position())),
    );
    tree.para(Para::new(Align::Right).small().text(director));
    tree.push(Block::Spacer);
    tree.push(Block::Title(vec![
        "СОГЛАСИЕ".into(),
        if minor {
            "родителя (законного представителя) на обработку персональных данных несовершеннолетнего"
                .into()
        } else {
            "на обработку персональных данных".into()
        },
    ]));

    let name = person
        .map(|p| p.full_name.clone())
        .filter(|n| !n.is_empty());
    if let Some(p) = person.filter(|p| p.birth_date.is_empty() && !p.erased) {
        ctx.note(format!("Дата рождения: {}", p.short_name));
    }
    let birth = person
        .map(|p| p.birth_date.as_str())
        .filter(|d| !d.is_empty())
        .map(|d| format!("{} г. р.", dotted(d)));
    let passport = format!(
        "паспорт серия ______ № __________, выдан {LONG_BLANK}, проживающий(ая) по адресу: {LONG_BLANK}"
    );
    let whose = if minor {
        let parent = match person {
            Some(p) if !p.representative.is_empty() => p.representative.clone(),
            Some(p) => {
                ctx.note(format!(
                    "Родитель (законный представитель): {}",
                    p.short_name
                ));
                LONG_BLANK.to_owned()
            }
            None => LONG_BLANK.to_owned(),
        };
        let child = name.clone().unwrap_or_else(|| LONG_BLANK.to_owned());
        let birth = birth.unwrap_or_else(|| "__________ г. р.".into());
        tree.para(Para::body(format!(
            "Я, {parent}, {passport}, являясь родителем (законным представителем) несовершеннолетнего(ей) {child}, {birth}, в соответствии со статьёй 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие оператору персональных данных — {operator}, расположенному по адресу: {address}, на обработку персональных данных моего ребёнка {}",
            consent_purposes(ctx)
        )).small());
        "ребёнка"
    } else {
        let me = name.clone().unwrap_or_else(|| LONG_BLANK.to_owned());
        tree.para(Para::body(format!(
            "Я, {me}, {passport}, в соответствии со статьёй 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие оператору персональных данных — {operator}, расположенному по адресу: {address}, на обработку моих персональных данных {}",
            consent_purposes(ctx)
        )).small());
        ""
    };
    tree.para(
        Para::body("")
            .bold(format!(
                "Перечень персональных данных{}: ",
                if whose.is_empty() {
                    String::new()
                } else {
                    format!(" {whose}")
                }
            ))
            .text(texts::CONSENT_DATA)
            .small(),
    );
    tree.para(
        Para::body("")
            .bold("Перечень действий с персональными данными: ")
            .text(texts::CONSENT_ACTIONS)
            .small(),
    );
    tree.para(Para::body(texts::CONSENT_TERM).small());
    tree.push(Block::Spacer);
    let signer = match (person, minor) {
        (Some(p), true) if !p.representative.is_empty() => p.representative.clone(),
        (Some(p), false) => p.short_name.clone(),
        _ => BLANK.to_owned(),
    };
    let date = person
        .map(|p| p.consent_signed.as_str())
        .filter(|d| !d.is_empty())
        .map(model::ru::iso_date)
        .unwrap_or_else(|| BLANK_DATE.to_owned());
    tree.para(Para::new(Align::Left).text(date));
    tree.push(Block::Signatures(vec![Signature::new(
        if minor {
            "Родитель (законный представитель)"
        } else {
            "Участник программы"
        },
        signer,
    )]));
}

fn consent_purposes(ctx: &Ctx<'_>) -> String {
    if ctx.data.profile.consent_text.is_empty() {
        texts::CONSENT_PURPOSES.to_owned()
    } else {
        ctx.data.profile.consent_text.clone()
    }
}

/// «2014-03-05» → «05.03.2014».
fn dotted(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => model::ru::date_numeric(d),
        Err(_) => iso.to_owned(),
    }
}

/// One person's consent.
pub fn single(ctx: &mut Ctx<'_>, person: &PersonView) -> Tree {
    let mut tree = Tree::new(format!(
        "Согласие на обработку персональных данных — {}",
        person.short_name
    ));
    append(ctx, &mut tree, Some(person), person.minor);
    tree
}

/// A blank form.
pub fn blank(ctx: &mut Ctx<'_>, minor: bool) -> Tree {
    let mut tree = Tree::new(if minor {
        "Согласие родителя на обработку персональных данных (бланк)"
    } else {
        "Согласие на обработку персональных данных (бланк)"
    });
    append(ctx, &mut tree, None, minor);
    tree
}

/// Every participant's consent in one file, each on its own page.
pub fn set(ctx: &mut Ctx<'_>, title: String, people: &[&PersonView]) -> Tree {
    let mut tree = Tree::new(title);
    for (i, p) in people.iter().enumerate() {
        if i > 0 {
            tree.push(Block::PageBreak);
        }
        append(ctx, &mut tree, Some(p), p.minor);
    }
    if people.is_empty() {
        ctx.note("Участники");
        append(ctx, &mut tree, None, false);
    }
    tree
}
