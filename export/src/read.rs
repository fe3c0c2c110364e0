//! [`SchoolData`] from the model's Automerge documents: the school document and a lookup of
//! person documents (the app passes the ones the device holds).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use model::year::{InYear, pair_year};
use model::{
    CONSENT_AGREEMENT, CONSENT_PERSONAL_DATA, Deadline, EVENT_KINDS, Event, Form, ModelError,
    PAIR_FORMATS, PAIR_STATUSES, PAIR_TERMS, PHASES, PLAN_STATUSES, Pair, Person, PersonEntry,
    ProfileField, REQUEST_SOURCES, ROW_STATUSES, Read, RoadmapRow, Row, SIGNER_REPRESENTATIVE,
    School, label, ru,
};

use crate::view::{
    EventView, MenteeView, MentorView, Official, PairView, PersonView, PhaseView, ProgrammeView,
    RequestView, RoadmapRowView, RowView, SchoolData, SchoolProfile, SignedView,
};

/// Reads everything the documents of academic year `year` («2026/2027») need: the year's
/// programmes, pairs, roadmap and events (earlier years' stay out of this year's orders and
/// tables), and every person. `person` returns a person's document by id (`None` for one the
/// device does not hold: it is named as missing in the documents). `today` dates the documents
/// and decides who is a minor.
pub fn read(
    school: &impl Read,
    person: &dyn Fn(&str) -> Option<Person>,
    today: NaiveDate,
    year: &str,
) -> Result<SchoolData, ModelError> {
    let year = year.trim();
    let profile = profile(school);
    let entries = School::list::<PersonEntry>(school)?;
    let mut persons: BTreeMap<String, Person> = BTreeMap::new();
    for (id, entry) in &entries {
        if entry.is_erased() {
            continue;
        }
        if let Some(p) = person(id.as_str()) {
            persons.insert(id.to_string(), p);
        }
    }
    // A child's parent is whoever lists the child among their children.
    let mut parents: BTreeMap<&str, &Person> = BTreeMap::new();
    for p in persons.values() {
        for child in p.children.keys() {
            parents.entry(child.as_str()).or_insert(p);
        }
    }
    // Removed people stay: removal is archival, and pairs may still name them.
    let people = entries
        .iter()
        .map(|(id, entry)| match persons.get(id.as_str()) {
            Some(p) if !entry.is_erased() => PersonView {
                removed: entry.removed_at.is_some(),
                ..person_view(id.as_str(), p, parents.get(id.as_str()).copied(), today)
            },
            _ => PersonView {
                id: id.to_string(),
                full_name: if entry.is_erased() {
                    "персональные данные удалены".into()
                } else {
                    String::new()
                },
                erased: entry.is_erased(),
                removed: entry.removed_at.is_some(),
                minor: entry.role().is_none_or(|r| r == model::Role::Student),
                ..PersonView::default()
            },
        })
        .collect();

    let programmes: Vec<ProgrammeView> = School::programmes(school)?
        .into_iter()
        .filter(|(_, p)| !p.is_removed() && p.is_in(year))
        .map(|(id, p)| {
            let year = p.academic_year.clone();
            ProgrammeView {
                id: id.to_string(),
                title: p.title.as_str().trim().to_owned(),
                form: p.form().label().to_owned(),
                variant: p.variant.clone(),
                academic_year: p.academic_year.clone(),
                compiler: p.compiler.clone(),
                agreed_by: p.agreed_by.clone(),
                agreed_on: p.agreed_on.clone(),
                approved_by: p.approved_by.clone(),
                approved_on: p.approved_on.clone(),
                note: p.note.as_str().trim().to_owned(),
                goal: p.goal.as_str().trim().to_owned(),
                tasks: texts(&p.tasks),
                results: texts(&p.results),
                indicators: texts(&p.indicators),
                stages: rows(&p.stages, &year),
                rights_duties: p.rights_duties.as_str().trim().to_owned(),
                work_plan: rows(&p.work_plan, &year),
                personal_plan: rows(&p.personal_plan, &year),
            }
        })
        .collect();
    let academic_year = year.to_owned();

    let all_pairs = School::list::<Pair>(school)?;
    let all_programmes = School::programmes(school)?;
    let count = model::count::count(
        &academic_year,
        &all_programmes,
        &all_pairs,
        &entries,
        &persons,
    );
    let pairs = all_pairs
        .into_iter()
        .filter(|(_, p)| p.removed_at.is_none() && pair_year(p, &all_programmes) == year)
        .map(|(id, p)| {
            let year = programmes
                .iter()
                .find(|g| g.id == p.programme)
                .map(|g| g.academic_year.clone())
                .unwrap_or_else(|| academic_year.clone());
            pair_view(id.as_str(), &p, &year)
        })
        .collect();

    let mut roadmap: Vec<RoadmapRow> = School::active::<RoadmapRow>(school)?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.is_in(year))
        .collect();
    roadmap.sort_by_key(|r| (r.section, r.created_at));
    let roadmap = roadmap
        .into_iter()
        .map(|r| RoadmapRowView {
            section: r.section,
            content: r.content.as_str().trim().to_owned(),
            period: period(&r.period, &academic_year),
            result: r.result.as_str().trim().to_owned(),
            indicator: if r.indicator.as_str().trim().is_empty() {
                model::Measure::from_code(&r.measure)
                    .map(|m| m.label().to_owned())
                    .unwrap_or_default()
            } else {
                r.indicator.as_str().trim().to_owned()
            },
            responsible: r.responsible.clone(),
            status: label(&ROW_STATUSES, &r.status).to_owned(),
        })
        .collect();

    let mut events: Vec<Event> = School::active::<Event>(school)?
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e.is_in(year))
        .collect();
    events.sort_by(|a, b| a.date.cmp(&b.date));
    let events = events
        .into_iter()
        .map(|e| EventView {
            kind: label(&EVENT_KINDS, &e.kind).to_owned(),
            title: e.title.as_str().trim().to_owned(),
            date: e.date.clone(),
            place: e.place.clone(),
            published: e.published.as_str().trim().to_owned(),
        })
        .collect();

    Ok(SchoolData {
        profile,
        academic_year,
        today: today.format("%Y-%m-%d").to_string(),
        programmes,
        pairs,
        people,
        roadmap,
        events,
        count,
        // Computed only for the documents that show them: see [`read_monitorings`].
        monitorings: Vec::new(),
    })
}

/// The recent half-years' monitorings and every fixed one, newest first: what
/// `SchoolData::monitorings` holds for the аналитическая справка and the monitoring's tables.
/// Not part of [`read`], which every document and table calls: computing four half-years'
/// figures for a consent form would be wasted.
pub fn read_monitorings(
    school: &impl Read,
    person: &dyn Fn(&str) -> Option<Person>,
    today: NaiveDate,
) -> Result<Vec<crate::view::MonitoringView>, ModelError> {
    let entries = School::list::<PersonEntry>(school)?;
    let persons: BTreeMap<String, Person> = entries
        .iter()
        .filter(|(_, e)| !e.is_erased())
        .filter_map(|(id, _)| person(id.as_str()).map(|p| (id.to_string(), p)))
        .collect();
    let programmes = School::programmes(school)?;
    let pairs = School::list::<Pair>(school)?;
    monitorings(school, &programmes, &pairs, &entries, &persons, today)
}

fn monitorings(
    school: &impl Read,
    programmes: &[(model::RecordId, model::Programme)],
    pairs: &[(model::RecordId, Pair)],
    register: &[(model::RecordId, PersonEntry)],
    people: &BTreeMap<String, Person>,
    today: NaiveDate,
) -> Result<Vec<crate::view::MonitoringView>, ModelError> {
    use model::monitoring::{Period, Records, compute};
    let meetings = School::list::<model::Meeting>(school)?;
    let questionnaires = School::list::<model::Questionnaire>(school)?;
    let events = School::list::<Event>(school)?;
    let records = Records {
        programmes,
        pairs,
        meetings: &meetings,
        questionnaires: &questionnaires,
        events: &events,
        register,
        people,
    };
    let stored = model::monitoring::monitorings(school);
    let mut periods: Vec<Period> = Period::recent(today, 4);
    periods.extend(stored.keys().filter_map(|code| Period::parse(code)));
    periods.sort_unstable_by(|a, b| b.cmp(a));
    periods.dedup();
    Ok(periods
        .into_iter()
        .map(|period| {
            let m = stored.get(&period.code());
            crate::view::MonitoringView {
                period: period.code(),
                label: period.label(),
                fixed_on: m.map(|m| m.fixed_on.clone()).unwrap_or_default(),
                conclusions: m
                    .map(|m| m.conclusions.as_str().to_owned())
                    .unwrap_or_default(),
                figures: m
                    .and_then(|m| m.figures())
                    .unwrap_or_else(|| compute(&records, period, today)),
            }
        })
        .collect())
}

fn profile(school: &impl Read) -> SchoolProfile {
    let f = |field| School::profile(school, field).trim().to_owned();
    SchoolProfile {
        full_name: f(ProfileField::FullName),
        short_name: School::name(school).trim().to_owned(),
        founder: f(ProfileField::Founder),
        address: f(ProfileField::Address),
        locality: f(ProfileField::Locality),
        phone: f(ProfileField::Phone),
        email: f(ProfileField::Email),
        inn: f(ProfileField::Inn),
        ogrn: f(ProfileField::Ogrn),
        director: Official {
            name: f(ProfileField::Director),
            position: f(ProfileField::DirectorPosition),
        },
        deputy: Official {
            name: f(ProfileField::Deputy),
            position: f(ProfileField::DeputyPosition),
        },
        curator: Official {
            name: f(ProfileField::Curator),
            position: f(ProfileField::CuratorPosition),
        },
        order_preamble: f(ProfileField::OrderPreamble),
        consent_text: f(ProfileField::ConsentText),
    }
}

fn person_view(id: &str, p: &Person, parent: Option<&Person>, today: NaiveDate) -> PersonView {
    let minor = p.is_minor(today);
    let signed = |kind: &str| {
        p.consent(kind)
            .filter(|c| c.is_valid())
            .map(|c| c.signed_on.clone())
            .unwrap_or_default()
    };
    // The parent linked in the register; else whoever signed for the minor.
    let representative = if !minor {
        String::new()
    } else if let Some(parent) = parent {
        parent.full_name()
    } else {
        [CONSENT_PERSONAL_DATA, CONSENT_AGREEMENT]
            .iter()
            .filter_map(|k| p.consent(k))
            .find(|c| c.signer_role == SIGNER_REPRESENTATIVE && !c.signed_by.trim().is_empty())
            .map(|c| {
                c.signed_by
                    .trim()
                    .trim_end_matches("(законный представитель)")
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default()
    };
    PersonView {
        id: id.to_owned(),
        full_name: p.full_name(),
        short_name: p.short_name(),
        role: p.role().map(|r| r.label()).unwrap_or("участник").to_owned(),
        summary: p.summary(),
        birth_date: p.birth_date.clone(),
        minor,
        representative,
        consent_signed: signed(CONSENT_PERSONAL_DATA),
        agreement_signed: signed(CONSENT_AGREEMENT),
        erased: false,
        removed: false,
        class: p.class.trim().to_owned(),
        subjects: p.subjects.trim().to_owned(),
        organisation: p.organisation.trim().to_owned(),
        position: p.position.trim().to_owned(),
        graduation_year: p.graduation_year.trim().to_owned(),
        mentor: MentorView {
            in_base: p.mentor.in_base,
            competencies: p.mentor.competencies.as_str().trim().to_owned(),
            subjects: p.mentor.subjects.trim().to_owned(),
            forms: p
                .mentor
                .forms
                .keys()
                .map(|code| Form::from_code(code).label().to_owned())
                .collect(),
            time_available: p.mentor.time_available.trim().to_owned(),
            questionnaire: !p.mentor.questionnaire.is_empty(),
            interview: !p.mentor.interview.is_empty(),
        },
        mentee: MenteeView {
            in_base: p.mentee.in_base,
            requests: p
                .mentee
                .requests
                .iter()
                .filter(|r| r.removed_at.is_none())
                .map(|r| RequestView {
                    problem: r.problem.as_str().trim().to_owned(),
                    source: code_label(&REQUEST_SOURCES, &r.source),
                    noted_on: r.noted_on.clone(),
                })
                .collect(),
        },
        consent: signed_view(p, CONSENT_PERSONAL_DATA),
        agreement: signed_view(p, CONSENT_AGREEMENT),
    }
}

fn signed_view(p: &Person, kind: &str) -> Option<SignedView> {
    p.consent(kind).map(|c| SignedView {
        signed_on: c.signed_on.clone(),
        signed_by: c.signed_by.trim().to_owned(),
        by_representative: c.signer_role == SIGNER_REPRESENTATIVE,
        withdrawn_on: c.withdrawn_on.clone(),
    })
}

fn pair_view(id: &str, p: &Pair, year: &str) -> PairView {
    PairView {
        id: id.to_owned(),
        programme: p.programme.clone(),
        mentors: p.mentors.keys().cloned().collect(),
        mentees: p.mentees.keys().cloned().collect(),
        mentee_category: p.mentee_category.clone(),
        form: Form::from_code(&p.form).label().to_owned(),
        variant: p.variant.clone(),
        goal: p.goal.as_str().trim().to_owned(),
        format: code_label(&PAIR_FORMATS, &p.format),
        term: code_label(&PAIR_TERMS, &p.term),
        phases: PHASES
            .iter()
            .filter_map(|(code, title)| {
                p.phase(code).map(|ph| PhaseView {
                    title: (*title).to_owned(),
                    period: period(&ph.period, year),
                    content: ph.content.as_str().trim().to_owned(),
                })
            })
            .collect(),
        order_number: p.order_number.clone(),
        order_date: p.order_date.clone(),
        status: code_label(&PAIR_STATUSES, &p.status),
        active: p.is_active(),
        plan: p
            .plan
            .iter()
            .filter(|r| !r.is_removed())
            .map(|r| RowView {
                text: r.text.as_str().trim().to_owned(),
                period: period(&r.period, year),
                responsible: r.responsible.clone(),
                status: label(&PLAN_STATUSES, &r.status).to_owned(),
            })
            .collect(),
    }
}

/// A code's label, or empty for an unknown or empty code.
fn code_label(codes: &[(&'static str, &'static str)], code: &str) -> String {
    codes
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| (*l).to_owned())
        .unwrap_or_default()
}

fn texts(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|r| !r.is_removed())
        .map(|r| r.text.as_str().trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

fn rows(rows: &[Row], year: &str) -> Vec<RowView> {
    rows.iter()
        .filter(|r| !r.is_removed())
        .map(|r| RowView {
            text: r.text.as_str().trim().to_owned(),
            period: period(&r.period, year),
            responsible: r.responsible.clone(),
            status: String::new(),
        })
        .collect()
}

/// A stored deadline as documents write it; month ranges get the academic year's years
/// («октябрь 2026 – апрель 2027»), since a table of pairs spans the whole year.
pub fn period(stored: &str, academic_year: &str) -> String {
    let first: Option<i32> = academic_year
        .split('/')
        .next()
        .and_then(|y| y.trim().parse().ok());
    match (Deadline::from_stored(stored), first) {
        (Deadline::Months { from, to }, Some(y)) => {
            let year = |m: u32| if m >= 9 { y } else { y + 1 };
            if from == to {
                format!("{} {}", ru::month_name(from), year(from))
            } else {
                format!(
                    "{} {} – {} {}",
                    ru::month_name(from),
                    year(from),
                    ru::month_name(to),
                    year(to)
                )
            }
        }
        (d, _) => d.display(),
    }
}

/// The year a date in the academic year falls in (for «с. Заречье, 2026»).
pub fn year_of(iso: &str) -> Option<i32> {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .map(|d| d.year())
}
