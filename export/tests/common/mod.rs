//! Shared fixtures: the model's demo year in a real Automerge school document, with an invented
//! school profile.

#![allow(dead_code)]

use std::collections::BTreeMap;

use automerge::Automerge;
use chrono::NaiveDate;
use export::SchoolData;
use model::{Person, ProfileField, School};

/// The day the documents are made: in the middle of the demo year.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The academic year of [`today`]: «2026/2027».
pub fn year() -> String {
    model::year::of_date(today())
}

/// An invented school's profile.
pub const PROFILE: [(ProfileField, &str); 13] = [
    (
        ProfileField::FullName,
        "Муниципальное бюджетное общеобразовательное учреждение «Заречная средняя школа»",
    ),
    (
        ProfileField::Founder,
        "Отдел образования администрации Заречного района",
    ),
    (
        ProfileField::Address,
        "ул. Школьная, д. 1, с. Заречье, 000000",
    ),
    (ProfileField::Locality, "с. Заречье"),
    (ProfileField::Phone, "+7 (000) 000-00-00"),
    (ProfileField::Email, "school@example.org"),
    (ProfileField::Inn, "0000000000"),
    (ProfileField::Director, "Луговая Н. В."),
    (ProfileField::DirectorPosition, "Директор"),
    (ProfileField::Deputy, "Озерова Т. И."),
    (ProfileField::DeputyPosition, "Заместитель директора по УВР"),
    (ProfileField::Curator, "Рябинина Е. А."),
    (ProfileField::CuratorPosition, "заместитель директора по ВР"),
];

pub struct DemoSchool {
    pub doc: Automerge,
    pub people: BTreeMap<String, Person>,
}

/// The demo year, with the profile filled in (`with_profile`) or left empty.
pub fn demo_school(with_profile: bool) -> DemoSchool {
    let mut doc = sync_core::new_document();
    let mut n = 0;
    let demo = {
        let mut tx = doc.transaction();
        School::init(&mut tx, "МБОУ «Заречная СШ»").unwrap();
        if with_profile {
            for (field, value) in PROFILE {
                School::set_profile(&mut tx, field, value).unwrap();
            }
        }
        let demo = model::demo::populate(
            &mut tx,
            &mut || {
                n += 1;
                format!("person-{n:03}")
            },
            today(),
            1_790_000_000_000,
        )
        .unwrap();
        tx.commit();
        demo
    };
    DemoSchool {
        doc,
        people: demo.people.into_iter().collect(),
    }
}

/// The demo year with the profile, made once per test binary (making it takes seconds in a debug
/// build).
pub fn shared() -> &'static DemoSchool {
    static DEMO: std::sync::OnceLock<DemoSchool> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| demo_school(true))
}

impl DemoSchool {
    /// What the app hands the document module for the аналитическая справка: everything,
    /// the monitorings included.
    pub fn data(&self) -> SchoolData {
        let person = |id: &str| self.people.get(id).cloned();
        let mut data = export::read(&self.doc, &person, today(), &year()).unwrap();
        data.monitorings = export::read_monitorings(&self.doc, &person, today()).unwrap();
        data
    }
}
