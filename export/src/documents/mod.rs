//! The school documents, each assembled from [`SchoolData`] into a [`Tree`], and the parts
//! they share: the letterhead, approval blocks, dates and blanks.

pub mod agreement;
pub mod consent;
pub mod monitoring;
pub mod order;
pub mod plan;
pub mod programme;
pub mod roadmap;

use chrono::NaiveDate;
use model::ru;

use crate::tree::{Approval, Block, Para};
use crate::view::{PersonView, SchoolData};

/// What stands in the document for an empty field, to be filled in by hand.
pub const BLANK: &str = "____________";
/// A date to be filled in by hand.
pub const BLANK_DATE: &str = "«____» ______________ 20____ г.";
/// A date to be filled in by hand where space is short (beside a signature).
pub const SHORT_DATE: &str = "«__» _______ 20__ г.";

/// Assembly of one document: the data, and the fields found empty (their Russian labels, in
/// the order met, each once).
pub struct Ctx<'a> {
    pub data: &'a SchoolData,
    pub missing: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(data: &'a SchoolData) -> Ctx<'a> {
        Ctx {
            data,
            missing: vec![],
        }
    }

    /// The value, or a blank line (and `label` noted as missing) when it is empty.
    pub fn need(&mut self, value: &str, label: impl Into<String>) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.note(label);
            BLANK.to_owned()
        } else {
            value.to_owned()
        }
    }

    pub fn note(&mut self, label: impl Into<String>) {
        let label = label.into();
        if !self.missing.contains(&label) {
            self.missing.push(label);
        }
    }

    /// A date as documents write it («20 декабря 2026 г.»), or a blank date.
    pub fn date(&mut self, iso: &str, label: Option<&str>) -> String {
        if iso.trim().is_empty() {
            if let Some(label) = label {
                self.note(label);
            }
            BLANK_DATE.to_owned()
        } else {
            ru::iso_date(iso)
        }
    }

    pub fn today(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.data.today, "%Y-%m-%d").ok()
    }

    /// The short name of the school («МБОУ «СШ № 1»»).
    pub fn school_short(&mut self) -> String {
        let p = &self.data.profile;
        let v = if p.short_name.is_empty() {
            p.full_name.clone()
        } else {
            p.short_name.clone()
        };
        self.need(&v, "Название школы")
    }

    pub fn school_full(&mut self) -> String {
        let v = self.data.profile.full_name.clone();
        self.need(&v, "Полное наименование школы")
    }

    pub fn director(&mut self) -> String {
        let v = self.data.profile.director.name.clone();
        self.need(&v, "Директор")
    }

    pub fn director_position(&self) -> String {
        let p = &self.data.profile.director.position;
        if p.is_empty() {
            "Директор".into()
        } else {
            p.clone()
        }
    }

    pub fn curator(&mut self) -> String {
        let v = self.data.profile.curator.name.clone();
        self.need(&v, "Куратор программы наставничества")
    }

    pub fn curator_position(&mut self) -> String {
        let v = self.data.profile.curator.position.clone();
        self.need(&v, "Должность куратора")
    }

    /// «с. Заречье», for orders and title pages.
    pub fn locality(&mut self) -> String {
        let v = self.data.profile.locality.clone();
        self.need(&v, "Населённый пункт")
    }

    /// A person's full name, or a blank with «<role>: ФИО» noted.
    pub fn full_name(&mut self, person: Option<&PersonView>, role: &str) -> String {
        match person {
            Some(p) if p.erased => p.full_name.clone(),
            Some(p) if !p.full_name.is_empty() => p.full_name.clone(),
            _ => {
                self.note(format!("{role}: данные участника не получены"));
                BLANK.to_owned()
            }
        }
    }

    pub fn short_name(&mut self, person: Option<&PersonView>, role: &str) -> String {
        match person {
            Some(p) if p.erased => p.full_name.clone(),
            Some(p) if !p.short_name.is_empty() => p.short_name.clone(),
            _ => {
                self.note(format!("{role}: данные участника не получены"));
                BLANK.to_owned()
            }
        }
    }

    /// The letterhead: founder, full name, short name, address and contacts, requisites.
    pub fn letterhead(&mut self) -> Block {
        let p = self.data.profile.clone();
        let mut lines = vec![];
        lines.push(
            Para::new(crate::tree::Align::Center)
                .small()
                .text(self.need(&p.founder, "Учредитель")),
        );
        lines.push(Para::new(crate::tree::Align::Center).bold(self.school_full()));
        if !p.short_name.is_empty() && p.short_name != p.full_name {
            lines.push(Para::new(crate::tree::Align::Center).bold(format!("({})", p.short_name)));
        }
        let address = self.need(&p.address, "Адрес");
        let phone = self.need(&p.phone, "Телефон");
        let email = self.need(&p.email, "Электронная почта");
        lines.push(
            Para::new(crate::tree::Align::Center)
                .small()
                .text(format!("{address}, тел. {phone}, e-mail: {email}")),
        );
        let requisites: Vec<String> = [("ИНН", &p.inn), ("ОГРН", &p.ogrn)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if !requisites.is_empty() {
            lines.push(
                Para::new(crate::tree::Align::Center)
                    .small()
                    .text(requisites.join("; ")),
            );
        }
        Block::Letterhead(lines)
    }

    /// «УТВЕРЖДАЮ»: the director, a signature line, the date and the order.
    pub fn approved(&mut self, on: &str, order: Option<(&str, &str)>) -> Approval {
        let school = self.school_short();
        let director = self.director();
        let date = self.date(on, None);
        let mut lines = vec![
            format!("{} {}", self.director_position(), school),
            format!("__________________ {director}"),
            date,
        ];
        if let Some((number, date)) = order {
            let number = if number.is_empty() { BLANK } else { number };
            let date = if date.is_empty() {
                BLANK_DATE.to_owned()
            } else {
                ru::iso_date(date)
            };
            lines.push(format!("Приказ № {number} от {date}"));
        }
        Approval {
            heading: "УТВЕРЖДАЮ".into(),
            lines,
        }
    }

    /// «СОГЛАСОВАНО»: whoever agreed (a council with its protocol, or the deputy director).
    pub fn agreed(&mut self, by: &str, on: &str) -> Approval {
        let date = self.date(on, None);
        let mut lines = vec![];
        let deputy = self.data.profile.deputy.clone();
        if !by.trim().is_empty() && by.to_lowercase().contains("совет") {
            lines.push(by.trim().to_owned());
            lines.push(format!("Протокол № ____ от {date}"));
        } else if !by.trim().is_empty() {
            lines.push(by.trim().to_owned());
            lines.push(format!(
                "__________________ {}",
                if deputy.name.is_empty() {
                    BLANK
                } else {
                    &deputy.name
                }
            ));
            lines.push(date);
        } else {
            let position = if deputy.position.is_empty() {
                "Заместитель директора".to_owned()
            } else {
                deputy.position.clone()
            };
            let name = self.need(&deputy.name, "Заместитель директора");
            lines.push(position);
            lines.push(format!("__________________ {name}"));
            lines.push(date);
        }
        Approval {
            heading: "СОГЛАСОВАНО".into(),
            lines,
        }
    }
}

/// «2026/2027 учебный год».
pub fn year_label(academic_year: &str) -> String {
    if academic_year.is_empty() {
        format!("{BLANK} учебный год")
    } else {
        format!("{academic_year} учебный год")
    }
}

/// Mentors or mentees of a pair, joined: «Берёзкина А. С., Голубев И. П.».
pub fn names(ctx: &mut Ctx<'_>, ids: &[String], role: &str, full: bool) -> String {
    let data = ctx.data;
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            let p = data.person(id);
            if full {
                ctx.full_name(p, role)
            } else {
                ctx.short_name(p, role)
            }
        })
        .collect();
    names.join(", ")
}
