//! Deadlines as the documents write them: a date («15.09.2026»), a month range («сентябрь –
//! октябрь») or free text («В течение года», «По мере необходимости»).

use chrono::NaiveDate;

use crate::ru;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deadline {
    None,
    Date(NaiveDate),
    /// Months 1–12; `from == to` for a single month. The year is the academic year's.
    Months {
        from: u32,
        to: u32,
    },
    Text(String),
}

impl Deadline {
    /// Understands what a user types: a date as «15.09.2026» or «2026-09-15», a month or a
    /// month range by name («сентябрь», «октябрь – май», «с октября по май»), or else keeps the
    /// text as it is.
    pub fn parse(input: &str) -> Deadline {
        let input = input.trim();
        if input.is_empty() {
            return Deadline::None;
        }
        if let Some(date) = parse_date(input) {
            return Deadline::Date(date);
        }
        let cleaned = input.to_lowercase().replace(['–', '—', '-'], " ");
        let words: Vec<&str> = cleaned
            .split_whitespace()
            .filter(|w| !matches!(*w, "с" | "по" | "до"))
            .collect();
        let months: Vec<Option<u32>> = words.iter().map(|w| ru::month_from_word(w)).collect();
        match months.as_slice() {
            [Some(m)] => Deadline::Months { from: *m, to: *m },
            [Some(a), Some(b)] => Deadline::Months { from: *a, to: *b },
            _ => Deadline::Text(input.to_owned()),
        }
    }

    /// How it is stored in a document.
    pub fn store(&self) -> String {
        match self {
            Deadline::None => String::new(),
            Deadline::Date(d) => format!("date:{}", d.format("%Y-%m-%d")),
            Deadline::Months { from, to } => format!("months:{from}-{to}"),
            Deadline::Text(t) => format!("text:{t}"),
        }
    }

    /// Reads a stored value; an unknown shape is shown as the text it is.
    pub fn from_stored(stored: &str) -> Deadline {
        if stored.is_empty() {
            return Deadline::None;
        }
        if let Some(d) = stored.strip_prefix("date:") {
            if let Ok(d) = NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                return Deadline::Date(d);
            }
        } else if let Some(m) = stored.strip_prefix("months:") {
            if let Some((a, b)) = m.split_once('-')
                && let (Ok(from), Ok(to)) = (a.parse(), b.parse())
                && (1..=12).contains(&from)
                && (1..=12).contains(&to)
            {
                return Deadline::Months { from, to };
            }
        } else if let Some(t) = stored.strip_prefix("text:") {
            return Deadline::Text(t.to_owned());
        }
        Deadline::Text(stored.to_owned())
    }

    /// For tables and cards: «15 сентября 2026 г.», «сентябрь – октябрь», «В течение года».
    pub fn display(&self) -> String {
        match self {
            Deadline::None => String::new(),
            Deadline::Date(d) => ru::date(*d),
            Deadline::Months { from, to } if from == to => ru::month_name(*from).to_owned(),
            Deadline::Months { from, to } => {
                format!("{} – {}", ru::month_name(*from), ru::month_name(*to))
            }
            Deadline::Text(t) => t.clone(),
        }
    }

    /// What an input field shows, so that editing and saving again keeps the value.
    pub fn input(&self) -> String {
        match self {
            Deadline::Date(d) => ru::date_numeric(*d),
            other => other.display(),
        }
    }

    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Deadline::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A date as people type it: «15.09.2026», «5.10.26», «05/10/2026», «2026-09-15»,
/// «5 октября 2026», «5 окт. 2026 г.». A two-digit year is 2000–2049 or 1950–1999.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let input = input
        .trim()
        .trim_end_matches("г.")
        .trim_end_matches('г')
        .trim();
    let numeric = |sep: char| -> Option<NaiveDate> {
        let parts: Vec<&str> = input.split(sep).map(str::trim).collect();
        let [a, b, c] = parts[..] else { return None };
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(a) && digits(b) && digits(c)) {
            return None;
        }
        let (a, b, c): (u32, u32, i32) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
        if sep == '-' && a > 31 {
            // ISO: year first.
            return NaiveDate::from_ymd_opt(a as i32, b, c as u32);
        }
        NaiveDate::from_ymd_opt(full_year(c, parts[2].len())?, b, a)
    };
    let words = || -> Option<NaiveDate> {
        let mut parts = input.split_whitespace();
        let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let month = crate::ru::month_from_word(month)?;
        let year_digits = year.len();
        NaiveDate::from_ymd_opt(
            full_year(year.parse().ok()?, year_digits)?,
            month,
            day.parse().ok()?,
        )
    };
    numeric('.')
        .or_else(|| numeric('/'))
        .or_else(|| numeric('-'))
        .or_else(words)
        .filter(|d| (1900..2200).contains(&chrono::Datelike::year(d)))
}

/// A year typed with two digits is taken as the nearest century's; four digits as typed.
fn full_year(year: i32, digits: usize) -> Option<i32> {
    match digits {
        2 if year < 50 => Some(2000 + year),
        2 => Some(1900 + year),
        4 => Some(year),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_users_type_is_understood_and_round_trips() {
        let cases = [
            ("15.09.2026", "15 сентября 2026 г."),
            ("2026-09-15", "15 сентября 2026 г."),
            ("сентябрь", "сентябрь"),
            ("Октябрь – май", "октябрь – май"),
            ("с октября по май", "октябрь – май"),
            ("В течение года", "В течение года"),
            ("По мере необходимости", "По мере необходимости"),
            ("31.02.2026", "31.02.2026"),
        ];
        for (input, shown) in cases {
            let d = Deadline::parse(input);
            assert_eq!(d.display(), shown, "{input}");
            let stored = Deadline::from_stored(&d.store());
            assert_eq!(stored, d, "{input}");
            assert_eq!(
                Deadline::parse(&d.input()),
                d,
                "{input} edits back to itself"
            );
        }
        assert_eq!(Deadline::parse("  "), Deadline::None);
        let october = NaiveDate::from_ymd_opt(2026, 10, 5);
        for typed in [
            "5.10.26",
            "05.10.2026",
            "5.10.2026",
            "5 октября 2026",
            "5 октября 2026 г.",
            "5 окт. 2026",
            "05/10/2026",
            "2026-10-05",
            " 5.10.2026 г. ",
        ] {
            assert_eq!(parse_date(typed), october, "{typed}");
        }
        assert_eq!(parse_date("5.10.85"), NaiveDate::from_ymd_opt(1985, 10, 5));
        for refused in [
            "5.10.202026",
            "31.02.2026",
            "5.10",
            "5.10.2",
            "пятое октября",
            "5 октября",
            "1.1.1800",
        ] {
            assert_eq!(parse_date(refused), None, "{refused}");
        }
        assert_eq!(
            Deadline::from_stored("months:13-2"),
            Deadline::Text("months:13-2".into())
        );
    }
}
