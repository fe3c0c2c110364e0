//! The count of participants a school sends the regional mentorship centre (РНЦ) every year by
//! 30 December (федеральное статистическое наблюдение): mentors and mentees by role, by form of
//! mentorship, and mentees by category (ОВЗ, группа риска and the other groups the roadmap's
//! accessibility measures name), with the coverage of the school's students.
//!
//! A plain function of the records, so the screen, the spreadsheet and the tests count alike.
//! Who counts: everyone named in a pair or group of the academic year that started work (working,
//! extended, completed or terminated; not one still being formed, not a removed one), each person
//! once per line however many pairs they are in. People whose data was erased or who were
//! removed from the register are not counted: their documents no longer say who they were.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Form, Pair, Person, PersonEntry, Programme, RecordId, Role};

/// The categories of mentees the count and the roadmap ask about, as stored codes and the
/// words of the documents. They are sensitive personal data, kept in the person's own document
/// (erased with it), never in the school's register.
pub const CATEGORIES: [(&str, &str); 7] = [
    ("ovz", "обучающиеся с ОВЗ и дети-инвалиды"),
    ("risk", "дети группы риска"),
    ("gifted", "обучающиеся, проявившие выдающиеся способности"),
    ("hard-situation", "обучающиеся в трудной жизненной ситуации"),
    ("low-income", "обучающиеся из малоимущих семей"),
    (
        "remote",
        "проживающие в сельской местности, на труднодоступных и отдалённых территориях",
    ),
    (
        "orphan",
        "дети-сироты и дети, оставшиеся без попечения родителей",
    ),
];

/// The label of a category code (the code itself if this app does not know it).
pub fn category_label(code: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| *l)
}

/// One line of the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// «1.2».
    pub number: String,
    pub label: String,
    /// `None` where the line does not apply (mentors by a mentee category).
    pub mentors: Option<usize>,
    pub mentees: Option<usize>,
    /// Distinct people on the line (a person both mentor and mentee counts once).
    pub total: usize,
}

/// The count for one academic year.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantCount {
    /// «2026/2027», or empty for every year.
    pub academic_year: String,
    pub lines: Vec<Line>,
    /// Pairs and groups counted.
    pub pairs: usize,
    /// Students taking part (as mentors or mentees) and students in the register.
    pub students_taking_part: usize,
    pub students: usize,
    /// Pairs whose mentee is a named category only («дети группы риска»), whose people cannot
    /// be counted by name: the count says so rather than miss them silently.
    pub unnamed_groups: usize,
}

impl ParticipantCount {
    /// Coverage of the school's students, in per cent (one decimal), if it has any.
    pub fn coverage(&self) -> Option<f64> {
        (self.students > 0).then(|| {
            (self.students_taking_part as f64 * 1000.0 / self.students as f64).round() / 10.0
        })
    }

    pub fn line(&self, number: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.number == number)
    }
}

/// Whether a pair's people count in the year: it started work and was not removed.
fn counts(pair: &Pair) -> bool {
    pair.removed_at.is_none() && pair.status != "forming"
}

/// Counts the participants of `academic_year` (empty: of every year). A pair belongs to the
/// year of its programme.
pub fn count(
    academic_year: &str,
    programmes: &[(RecordId, Programme)],
    pairs: &[(RecordId, Pair)],
    register: &[(RecordId, PersonEntry)],
    people: &BTreeMap<String, Person>,
) -> ParticipantCount {
    let year_of: BTreeMap<&str, &str> = programmes
        .iter()
        .map(|(id, p)| (id.as_str(), p.academic_year.trim()))
        .collect();
    let listed: BTreeSet<&str> = register
        .iter()
        .filter(|(_, e)| e.removed_at.is_none() && !e.is_erased())
        .map(|(id, _)| id.as_str())
        .collect();
    let known = |id: &str| listed.contains(id) && people.contains_key(id);
    let in_year: Vec<&Pair> = pairs
        .iter()
        .map(|(_, p)| p)
        .filter(|p| counts(p))
        .filter(|p| {
            academic_year.is_empty()
                || year_of.get(p.programme.as_str()).copied() == Some(academic_year.trim())
        })
        .collect();

    // Form code → (mentors, mentees).
    let mut by_form: BTreeMap<String, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    let (mut mentors, mut mentees) = (BTreeSet::new(), BTreeSet::new());
    let mut unnamed_groups = 0;
    for p in &in_year {
        let entry = by_form.entry(p.form.clone()).or_default();
        for m in p.mentors.keys().filter(|m| known(m)) {
            mentors.insert(m.as_str());
            entry.0.insert(m.as_str());
        }
        for m in p.mentees.keys().filter(|m| known(m)) {
            mentees.insert(m.as_str());
            entry.1.insert(m.as_str());
        }
        if p.mentees.is_empty() && !p.mentee_category.trim().is_empty() {
            unnamed_groups += 1;
        }
    }
    let role_of = |id: &str| people.get(id).and_then(Person::role);
    let distinct = |a: &BTreeSet<&str>, b: &BTreeSet<&str>| a.union(b).count();

    let mut lines = vec![Line {
        number: "1".into(),
        label: "Участники программ наставничества, всего".into(),
        mentors: Some(mentors.len()),
        mentees: Some(mentees.len()),
        total: distinct(&mentors, &mentees),
    }];
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let of_role = |set: &BTreeSet<&'_ str>| -> BTreeSet<String> {
            set.iter()
                .filter(|id| role_of(id) == Some(role))
                .map(|id| (*id).to_owned())
                .collect()
        };
        let (a, b) = (of_role(&mentors), of_role(&mentees));
        lines.push(Line {
            number: format!("1.{}", i + 1),
            label: format!("в том числе {}", role_words(role)),
            mentors: Some(a.len()),
            mentees: Some(b.len()),
            total: a.union(&b).count(),
        });
    }
    let mut forms: Vec<Form> = Form::STANDARD.to_vec();
    for code in by_form.keys() {
        let f = Form::from_code(code);
        if !forms.contains(&f) && !code.is_empty() {
            forms.push(f);
        }
    }
    for (i, form) in forms.iter().enumerate() {
        let (a, b) = by_form
            .get(form.code())
            .map(|(a, b)| (a.clone(), b.clone()))
            .unwrap_or_default();
        lines.push(Line {
            number: format!("2.{}", i + 1),
            label: format!("форма «{}»", form.label()),
            mentors: Some(a.len()),
            mentees: Some(b.len()),
            total: distinct(&a, &b),
        });
    }
    for (i, (code, label)) in CATEGORIES.iter().enumerate() {
        let n = mentees
            .iter()
            .filter(|id| {
                people
                    .get(**id)
                    .is_some_and(|p| p.categories.contains_key(*code))
            })
            .count();
        lines.push(Line {
            number: format!("3.{}", i + 1),
            label: format!("наставляемые: {label}"),
            mentors: None,
            mentees: Some(n),
            total: n,
        });
    }

    let students: BTreeSet<&str> = listed
        .iter()
        .copied()
        .filter(|id| role_of(id) == Some(Role::Student))
        .collect();
    let taking_part = students
        .iter()
        .filter(|id| mentors.contains(*id) || mentees.contains(*id))
        .count();
    ParticipantCount {
        academic_year: academic_year.trim().to_owned(),
        lines,
        pairs: in_year.len(),
        students_taking_part: taking_part,
        students: students.len(),
        unnamed_groups,
    }
}

/// «обучающиеся», as the count's lines name each role.
fn role_words(role: Role) -> &'static str {
    match role {
        Role::Student => "обучающиеся",
        Role::Teacher => "педагоги",
        Role::Parent => "родители (законные представители)",
        Role::Graduate => "выпускники",
        Role::Partner => "представители организаций-партнёров",
    }
}
