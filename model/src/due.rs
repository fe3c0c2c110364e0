//! What is due and overdue, for the curator's home screen: the half-yearly monitoring (by
//! 20 December and 20 May), the count of participants for the regional mentorship centre (by
//! 30 December), meetings and individual-plan items of the coming two weeks or left undone,
//! roadmap rows past their term, events the media plan has not covered yet, and participants of
//! working pairs without their consent or agreement. Each item says where it is done.

use chrono::{Datelike, Duration, NaiveDate};

use crate::roadmap::{Records, missing_documents};
use crate::{Deadline, Record, RecordId, ru, validate};

/// How far ahead the dashboard looks for meetings and plan items.
pub const HORIZON_DAYS: i64 = 14;
/// How long before a yearly deadline it is shown.
pub const YEARLY_NOTICE_DAYS: i64 = 45;

/// Where an item is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Pair(RecordId),
    Meeting(RecordId),
    Person(String),
    Roadmap,
    Events,
    People,
    /// The count of participants for the РНЦ.
    Count,
    /// The monitoring of a period ([`crate::monitoring::Period::code`]).
    Monitoring(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// What is to be done, in Russian.
    pub what: String,
    /// By when (none for what has no date, like missing consents).
    pub by: Option<NaiveDate>,
    pub overdue: bool,
    pub place: Place,
}

/// The next occurrence of a yearly date (month, day) on or after `today`.
fn next_yearly(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this >= today {
        Some(this)
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    }
}

/// The last day of a deadline in the academic year `today` falls in (September to August).
fn end_of(deadline: &Deadline, today: NaiveDate) -> Option<NaiveDate> {
    match deadline {
        Deadline::Date(d) => Some(*d),
        Deadline::Months { to, .. } => {
            let start_year = if today.month() >= 9 {
                today.year()
            } else {
                today.year() - 1
            };
            let year = if *to >= 9 { start_year } else { start_year + 1 };
            let first_of_next = if *to == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, to + 1, 1)
            }?;
            first_of_next.pred_opt()
        }
        Deadline::None | Deadline::Text(_) => None,
    }
}

/// « (Берёзкин С. — Озерова Я.)»: whose a meeting or plan item is, so that the pairs' many
/// items of the same name can be told apart; empty when this device holds none of their names.
fn whose(r: &Records<'_>, pair: &crate::Pair) -> String {
    let names = |ids: &mut dyn Iterator<Item = &String>| {
        ids.filter_map(|id| (r.person)(id))
            .map(|p| p.short_name())
            .filter(|n| !n.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mentors = names(&mut pair.mentors.keys());
    let mut mentees = names(&mut pair.mentees.keys());
    if mentees.is_empty() {
        mentees = pair.mentee_category.trim().to_owned();
    }
    match (mentors.is_empty(), mentees.is_empty()) {
        (true, true) => String::new(),
        (false, false) => format!(" ({mentors} — {mentees})"),
        (false, true) => format!(" ({mentors})"),
        (true, false) => format!(" ({mentees})"),
    }
}

/// Everything due within the horizon or overdue, overdue first, then by date.
pub fn due(r: &Records<'_>, today: NaiveDate) -> Vec<Due> {
    let horizon = today + Duration::days(HORIZON_DAYS);
    let notice = today + Duration::days(YEARLY_NOTICE_DAYS);
    let mut out = Vec::new();

    for (month, day, what) in [
        (12, 20, "Мониторинг программы наставничества за полугодие"),
        (5, 20, "Мониторинг программы наставничества за полугодие"),
        (
            12,
            30,
            "Численность участников для регионального наставнического центра",
        ),
    ] {
        if let Some(by) = next_yearly(today, month, day).filter(|d| *d <= notice) {
            out.push(Due {
                what: format!("{what} — до {}", ru::date(by)),
                by: Some(by),
                overdue: false,
                place: if day == 30 {
                    Place::Count
                } else {
                    Place::Monitoring(format!("{}-{month:02}", by.year()))
                },
            });
        }
    }

    for (id, m) in r
        .meetings
        .iter()
        .filter(|(_, m)| !m.is_removed() && !m.held)
    {
        let pair = r.pairs.iter().find(|(p, _)| p.as_str() == m.pair);
        let pair_gone = pair.is_none_or(|(_, p)| !p.is_current());
        let who = pair.map(|(_, p)| whose(r, p)).unwrap_or_default();
        let Some(date) = validate::iso(&m.date) else {
            continue;
        };
        if pair_gone || date > horizon {
            continue;
        }
        let overdue = date < today;
        out.push(Due {
            what: if overdue {
                format!(
                    "Отметить встречу «{}»{who} от {}: состоялась ли",
                    m.kind_label(),
                    ru::date(date)
                )
            } else {
                format!("Встреча «{}»{who} — {}", m.kind_label(), ru::date(date))
            },
            by: Some(date),
            overdue,
            place: Place::Meeting(id.clone()),
        });
    }

    for (id, p) in r.pairs.iter().filter(|(_, p)| p.is_active()) {
        for row in p
            .plan
            .iter()
            .filter(|row| !row.is_removed() && !matches!(row.status.as_str(), "done" | "cancelled"))
        {
            let Some(end) = end_of(&Deadline::from_stored(&row.period), today) else {
                continue;
            };
            if end > horizon {
                continue;
            }
            let overdue = end < today;
            out.push(Due {
                what: format!(
                    "Индивидуальный план{}: «{}» — {}",
                    whose(r, p),
                    row.text.as_str().trim(),
                    if overdue {
                        format!("срок прошёл {}", ru::date(end))
                    } else {
                        format!("до {}", ru::date(end))
                    }
                ),
                by: Some(end),
                overdue,
                place: Place::Pair(id.clone()),
            });
        }
    }

    for (_, row) in r
        .roadmap
        .iter()
        .filter(|(_, row)| !row.is_removed() && row.status != "done")
    {
        // Months are of the row's own academic year (a row copied into next year is not late).
        let anchor = crate::year::start_of(&crate::year::InYear::academic_year(row))
            .and_then(|y| NaiveDate::from_ymd_opt(y, 9, 1))
            .unwrap_or(today);
        let Some(end) = end_of(&Deadline::from_stored(&row.period), anchor) else {
            continue;
        };
        if end < today {
            out.push(Due {
                what: format!(
                    "Дорожная карта: «{}» — срок прошёл {}",
                    row.content.as_str().trim(),
                    ru::date(end)
                ),
                by: Some(end),
                overdue: true,
                place: Place::Roadmap,
            });
        }
    }

    for (_, e) in r
        .events
        .iter()
        .filter(|(_, e)| !e.is_removed() && e.published.as_str().trim().is_empty())
    {
        if let Some(date) = validate::iso(&e.date).filter(|d| *d <= today) {
            out.push(Due {
                what: format!(
                    "Медиаплан: опубликовать материалы о мероприятии «{}» ({})",
                    e.title.as_str().trim(),
                    ru::date(date)
                ),
                by: Some(date),
                overdue: true,
                place: Place::Events,
            });
        }
    }

    let missing = missing_documents(r);
    if !missing.is_empty() {
        let n = missing.len() as u64;
        out.push(Due {
            what: format!(
                "{} работающих пар без подписанного согласия или соглашения",
                ru::count(n, ["участник", "участника", "участников"])
            ),
            by: None,
            overdue: true,
            place: Place::People,
        });
    }

    out.sort_by(|a, b| {
        (!a.overdue, a.by.is_none(), a.by, &a.what).cmp(&(
            !b.overdue,
            b.by.is_none(),
            b.by,
            &b.what,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_in_the_academic_year_of_today() {
        let nov = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            end_of(&Deadline::Months { from: 9, to: 10 }, nov),
            d(2026, 10, 31)
        );
        assert_eq!(
            end_of(&Deadline::Months { from: 10, to: 5 }, nov),
            d(2027, 5, 31)
        );
        assert_eq!(
            end_of(&Deadline::Months { from: 12, to: 12 }, nov),
            d(2026, 12, 31)
        );
        assert_eq!(
            end_of(&Deadline::Months { from: 2, to: 2 }, nov),
            d(2027, 2, 28)
        );
        let march = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(
            end_of(&Deadline::Months { from: 9, to: 12 }, march),
            d(2026, 12, 31)
        );
        assert_eq!(end_of(&Deadline::Text("В течение года".into()), nov), None);
    }

    #[test]
    fn yearly_dates_come_round() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(next_yearly(d(2026, 11, 23), 12, 20), Some(d(2026, 12, 20)));
        assert_eq!(next_yearly(d(2026, 12, 21), 12, 20), Some(d(2027, 12, 20)));
        assert_eq!(next_yearly(d(2026, 12, 21), 5, 20), Some(d(2027, 5, 20)));
    }
}
