//! Monitoring of the mentorship programme, twice a year (by 20 December and by 20 May), in the
//! two parts the target model names: the quality of the programme's implementation, and the
//! dynamics of the participants.
//!
//! [`compute`] is a plain function of the records. The curator adds conclusions and **fixes**
//! a period's monitoring: [`Monitoring`] then keeps the figures as they were that day (a JSON
//! snapshot written once), so later edits of pairs, meetings or answers never change a
//! monitoring already handed in. The figures are aggregates (counts, shares, means) by
//! programme: no personal data enters the school document.

use std::collections::{BTreeMap, BTreeSet};

use autosurgeon::{Hydrate, Reconcile, Text};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::record::{self, Record};
use crate::{
    Event, Meeting, ModelError, Pair, Person, PersonEntry, Programme, Questionnaire, RESULT_KINDS,
    RecordId, STAGE_ENTRY, STAGE_FINAL, ValidationError, Write, ru, validate,
};

/// A half-year of monitoring: the one that ends on 20 December of `year` or on 20 May.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// 12 (by 20 December) or 5 (by 20 May).
    pub month: u32,
}

impl Period {
    /// The period a curator works on today: December's from September to 20 December, May's
    /// from 21 December to the end of August (the last one, until the next year starts).
    pub fn current(today: NaiveDate) -> Period {
        let (y, m, d) = (today.year(), today.month(), today.day());
        if m >= 9 && (m < 12 || d <= 20) {
            Period { year: y, month: 12 }
        } else if m == 12 {
            Period {
                year: y + 1,
                month: 5,
            }
        } else {
            Period { year: y, month: 5 }
        }
    }

    /// «2026-12».
    pub fn code(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }

    pub fn parse(code: &str) -> Option<Period> {
        let (y, m) = code.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        matches!(month, 5 | 12).then_some(Period { year, month })
    }

    /// The day it is due: 20 December or 20 May.
    pub fn due(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 20).unwrap_or_default()
    }

    /// The first day counted: 1 September of the academic year (May's monitoring covers the
    /// year so far, as its comparison with the entry questionnaires needs).
    pub fn start(self) -> NaiveDate {
        let y = if self.month == 12 {
            self.year
        } else {
            self.year - 1
        };
        NaiveDate::from_ymd_opt(y, 9, 1).unwrap_or_default()
    }

    /// «2026/2027».
    pub fn academic_year(self) -> String {
        ru::academic_year(self.start())
    }

    /// «I полугодие 2026/2027 учебного года (до 20 декабря 2026 г.)».
    pub fn label(self) -> String {
        format!(
            "{} полугодие {} учебного года (до {})",
            if self.month == 12 { "I" } else { "II" },
            self.academic_year(),
            ru::date(self.due())
        )
    }

    /// This period and the earlier ones, newest first (`n` in all).
    pub fn recent(today: NaiveDate, n: usize) -> Vec<Period> {
        let mut out = vec![Period::current(today)];
        while out.len() < n {
            let last = out[out.len() - 1];
            out.push(if last.month == 12 {
                Period {
                    year: last.year,
                    month: 5,
                }
            } else {
                Period {
                    year: last.year - 1,
                    month: 12,
                }
            });
        }
        out
    }
}

/// A count against what it is counted of: «12 из 15».
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub value: u64,
    pub of: u64,
}

impl Share {
    /// Whole per cent, if there is anything to count.
    pub fn percent(&self) -> Option<u64> {
        (self.of > 0).then(|| self.value * 100 / self.of)
    }

    /// «12 из 15 (80 %)» or «нет данных».
    pub fn display(&self) -> String {
        match self.percent() {
            Some(p) => format!("{} из {} ({p} %)", self.value, self.of),
            None => "нет данных".into(),
        }
    }
}

/// Part 1 for one programme (or the whole school).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The programme's title, or «Все программы».
    pub title: String,
    /// Pairs and groups that worked in the period.
    pub pairs: u64,
    pub participants: u64,
    /// Meetings held of those dated within the period.
    pub meetings: Share,
    /// Individual-plan items done.
    pub plans: Share,
    /// Participants with both the consent and the agreement signed.
    pub documents: Share,
}

/// Satisfaction: the mean of the scale answers (1–5) in the final questionnaires for an audience.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// «наставники», «наставляемые».
    pub who: String,
    pub mean: Option<f64>,
    pub respondents: u64,
}

/// Part 2: one scale question before and after, over the people who answered both times.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dynamics {
    pub questionnaire: String,
    pub question: String,
    pub respondents: u64,
    pub entry_mean: Option<f64>,
    pub final_mean: Option<f64>,
}

impl Dynamics {
    pub fn change(&self) -> Option<f64> {
        Some(self.final_mean? - self.entry_mean?)
    }
}

/// Everything a monitoring shows, computed on `computed_on`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub period: String,
    pub academic_year: String,
    /// ISO date.
    pub computed_on: String,
    /// The whole school first, then each programme of the year.
    pub quality: Vec<Quality>,
    pub satisfaction: Vec<Satisfaction>,
    pub dynamics: Vec<Dynamics>,
    /// Participants who filled an entry questionnaire and not yet its final one: the
    /// comparison is over the others, and says so.
    pub awaiting_final: u64,
    /// Intermediate results by kind ([`RESULT_KINDS`] labels), in the period.
    pub results: Vec<(String, u64)>,
    /// Events held in the period.
    pub events: u64,
}

/// Everything the figures are computed from.
pub struct Records<'a> {
    pub programmes: &'a [(RecordId, Programme)],
    pub pairs: &'a [(RecordId, Pair)],
    pub meetings: &'a [(RecordId, Meeting)],
    pub questionnaires: &'a [(RecordId, Questionnaire)],
    pub events: &'a [(RecordId, Event)],
    pub register: &'a [(RecordId, PersonEntry)],
    pub people: &'a BTreeMap<String, Person>,
}

/// The figures of `period` from the records, as of `today`.
pub fn compute(r: &Records<'_>, period: Period, today: NaiveDate) -> Figures {
    let year = period.academic_year();
    let (start, end) = (period.start(), period.due().min(today.max(period.start())));
    let in_period = |iso: &str| validate::iso(iso).is_some_and(|d| d >= start && d <= end);
    let listed: BTreeSet<&str> = r
        .register
        .iter()
        .filter(|(_, e)| !e.is_removed_or_erased())
        .map(|(id, _)| id.as_str())
        .collect();
    let person = |id: &str| listed.contains(id).then(|| r.people.get(id)).flatten();
    let programmes: Vec<&(RecordId, Programme)> = r
        .programmes
        .iter()
        .filter(|(_, p)| !p.is_removed())
        .filter(|(_, p)| p.academic_year.trim().is_empty() || p.academic_year.trim() == year)
        .collect();
    // Pairs of the year's programmes that worked (not still being formed, not removed).
    let worked = |p: &Pair| p.removed_at.is_none() && p.status != "forming";
    let pairs_of = |programme: Option<&str>| -> Vec<(&RecordId, &Pair)> {
        r.pairs
            .iter()
            .filter(|(_, p)| worked(p))
            .filter(|(_, p)| match programme {
                Some(id) => p.programme == id,
                None => programmes.iter().any(|(g, _)| g.as_str() == p.programme),
            })
            .map(|(id, p)| (id, p))
            .collect()
    };
    let quality = |title: String, pairs: &[(&RecordId, &Pair)]| {
        let ids: BTreeSet<&str> = pairs.iter().map(|(id, _)| id.as_str()).collect();
        let meetings: Vec<&Meeting> = r
            .meetings
            .iter()
            .map(|(_, m)| m)
            .filter(|m| m.removed_at.is_none() && ids.contains(m.pair.as_str()))
            .filter(|m| in_period(&m.date))
            .collect();
        let participants: BTreeSet<&str> = pairs
            .iter()
            .flat_map(|(_, p)| p.participants())
            .map(String::as_str)
            .filter(|id| listed.contains(id))
            .collect();
        let signed = participants
            .iter()
            .filter(|id| {
                person(id).is_some_and(|p| {
                    [crate::CONSENT_PERSONAL_DATA, crate::CONSENT_AGREEMENT]
                        .iter()
                        .all(|k| p.consent(k).is_some_and(|c| c.is_valid()))
                })
            })
            .count();
        let (done, total) = pairs
            .iter()
            .map(|(_, p)| p.plan_progress())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Quality {
            title,
            pairs: pairs.len() as u64,
            participants: participants.len() as u64,
            meetings: Share {
                value: meetings.iter().filter(|m| m.held).count() as u64,
                of: meetings.len() as u64,
            },
            plans: Share {
                value: done as u64,
                of: total as u64,
            },
            documents: Share {
                value: signed as u64,
                of: participants.len() as u64,
            },
        }
    };
    let all_pairs = pairs_of(None);
    let mut out_quality = vec![quality("Все программы".into(), &all_pairs)];
    for (id, p) in &programmes {
        out_quality.push(quality(
            p.title.as_str().trim().to_owned(),
            &pairs_of(Some(id.as_str())),
        ));
    }

    // The participants of the year's pairs, by role in them.
    let mut mentors = BTreeSet::new();
    let mut mentees = BTreeSet::new();
    for (_, p) in &all_pairs {
        mentors.extend(
            p.mentors
                .keys()
                .map(String::as_str)
                .filter(|id| listed.contains(id)),
        );
        mentees.extend(
            p.mentees
                .keys()
                .map(String::as_str)
                .filter(|id| listed.contains(id)),
        );
    }
    // A questionnaire counts in the period it was filled in (one without a date, always).
    let filled_by = |p: &Person, q: &str, stage: &str| match p.filled_on(q, stage) {
        Some(d) => validate::iso(d).is_none_or(|d| d <= end),
        None => true,
    };
    // The year's questionnaires: last year's answers are last year's monitoring.
    let questionnaires: Vec<&(RecordId, Questionnaire)> = r
        .questionnaires
        .iter()
        .filter(|(_, q)| q.removed_at.is_none() && crate::year::InYear::is_in(q, &year))
        .collect();
    let satisfaction = |who: &str, group: &BTreeSet<&str>| {
        let mut scores = vec![];
        let mut respondents = 0;
        for id in group {
            let Some(p) = person(id) else { continue };
            let mut answered = false;
            for (qid, q) in &questionnaires {
                if !filled_by(p, qid.as_str(), STAGE_FINAL) {
                    continue;
                }
                for question in q.live_questions().filter(|x| x.is_scale()) {
                    if let Some(v) = p
                        .answer(qid.as_str(), STAGE_FINAL, &question.id)
                        .and_then(|v| question.five_point(v))
                    {
                        scores.push(v);
                        answered = true;
                    }
                }
            }
            respondents += u64::from(answered);
        }
        Satisfaction {
            who: who.to_owned(),
            mean: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            respondents,
        }
    };
    let satisfaction = vec![
        satisfaction("наставники", &mentors),
        satisfaction("наставляемые", &mentees),
    ];

    let everyone: Vec<&Person> = mentors
        .union(&mentees)
        .filter_map(|id| person(id))
        .collect();
    let mut dynamics = vec![];
    let mut awaiting: BTreeSet<usize> = BTreeSet::new();
    for (qid, q) in &questionnaires {
        let finished = everyone
            .iter()
            .copied()
            .filter(|p| filled_by(p, qid.as_str(), STAGE_FINAL))
            .filter(|p| filled_by(p, qid.as_str(), STAGE_ENTRY));
        for c in crate::compare(qid, q, finished) {
            dynamics.push(Dynamics {
                questionnaire: q.title.as_str().trim().to_owned(),
                question: c.text.trim().to_owned(),
                respondents: c.respondents as u64,
                entry_mean: c.entry_mean,
                final_mean: c.final_mean,
            });
        }
        for (i, p) in everyone.iter().enumerate() {
            let filled = |stage: &str| {
                p.filled_on(qid.as_str(), stage).is_some() && filled_by(p, qid.as_str(), stage)
            };
            if filled(STAGE_ENTRY) && !filled(STAGE_FINAL) {
                awaiting.insert(i);
            }
        }
    }

    let pair_ids: BTreeSet<&str> = all_pairs.iter().map(|(id, _)| id.as_str()).collect();
    let results = RESULT_KINDS
        .iter()
        .map(|(code, label)| {
            let n = r
                .meetings
                .iter()
                .map(|(_, m)| m)
                .filter(|m| m.removed_at.is_none() && pair_ids.contains(m.pair.as_str()))
                .filter(|m| in_period(&m.date))
                .flat_map(|m| m.results.iter())
                .filter(|row| !row.is_removed() && row.status == *code)
                .count();
            ((*label).to_owned(), n as u64)
        })
        .collect();
    let events = r
        .events
        .iter()
        .filter(|(_, e)| e.removed_at.is_none() && in_period(&e.date))
        .count() as u64;

    Figures {
        period: period.code(),
        academic_year: year,
        computed_on: today.format("%Y-%m-%d").to_string(),
        quality: out_quality,
        satisfaction,
        dynamics,
        awaiting_final: awaiting.len() as u64,
        results,
        events,
    }
}

/// A fixed monitoring: a period's figures as they were the day the curator fixed them, and the
/// curator's conclusions. Kept in the school document (`monitorings`), keyed by the period.
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Monitoring {
    /// [`Period::code`].
    pub period: String,
    /// The curator's conclusions and recommendations (co-edited text).
    pub conclusions: Text,
    /// [`Figures`] as JSON, written once when fixed; empty while the monitoring is open.
    pub snapshot: String,
    /// ISO date it was fixed.
    pub fixed_on: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(Monitoring, "monitorings", "Мониторинг", check);

impl Monitoring {
    fn check(&self) -> Result<(), ValidationError> {
        if Period::parse(&self.period).is_none() {
            return Err(ValidationError::EmptyText);
        }
        Ok(())
    }

    /// The record id of a period's monitoring: one per period, so two tablets opening the same
    /// period write to the same record.
    pub fn id_of(period: Period) -> RecordId {
        RecordId::new(format!("monitoring-{}", period.code()))
    }

    pub fn is_fixed(&self) -> bool {
        !self.snapshot.is_empty()
    }

    /// The fixed figures, if fixed (and readable).
    pub fn figures(&self) -> Option<Figures> {
        serde_json::from_str(&self.snapshot).ok()
    }

    /// Writes the curator's conclusions, creating the period's record if needed. A fixed
    /// monitoring's conclusions stay editable: they are the curator's words, not figures.
    pub fn set_conclusions(
        tx: &mut impl Write,
        period: Period,
        text: &str,
        now_ms: i64,
    ) -> Result<(), ModelError> {
        Self::ensure(tx, period, now_ms)?;
        record::update::<Monitoring, _>(tx, &Self::id_of(period), |m| {
            m.conclusions.update(text);
            Ok(())
        })
    }

    /// Fixes the period's figures. Fixing again does nothing: the first snapshot stands (two
    /// tablets fixing at once keep whichever Automerge picks, both computed from the records).
    pub fn fix(tx: &mut impl Write, figures: &Figures, now_ms: i64) -> Result<bool, ModelError> {
        let period = Period::parse(&figures.period).ok_or(ModelError::NotFound("Мониторинг"))?;
        Self::ensure(tx, period, now_ms)?;
        let json = serde_json::to_string(figures).map_err(record::damaged)?;
        record::update::<Monitoring, _>(tx, &Self::id_of(period), |m| {
            if m.is_fixed() {
                return Ok(false);
            }
            m.snapshot = json;
            m.fixed_on = figures.computed_on.clone();
            Ok(true)
        })
    }

    /// Creates the period's record (and the collection, which schools made before it lack;
    /// older apps ignore a collection they do not know).
    fn ensure(tx: &mut impl Write, period: Period, now_ms: i64) -> Result<(), ModelError> {
        crate::School::writable(tx)?;
        record::ensure_collection(tx, Monitoring::COLLECTION)?;
        let id = Self::id_of(period);
        if record::locate(tx, Monitoring::COLLECTION, &id)?.is_none() {
            record::insert(
                tx,
                &id,
                &Monitoring {
                    period: period.code(),
                    created_at: now_ms,
                    ..Monitoring::default()
                },
            )?;
        }
        Ok(())
    }
}

/// Every monitoring of the school, by period code (none while the collection does not exist).
pub fn monitorings(doc: &impl crate::Read) -> BTreeMap<String, Monitoring> {
    record::list::<Monitoring>(doc)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, m)| m.removed_at.is_none())
        .map(|(_, m)| (m.period.clone(), m))
        .collect()
}

/// «3,4», a mean as the documents write it.
pub fn mean(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}").replace('.', ","))
        .unwrap_or_else(|| "—".into())
}
