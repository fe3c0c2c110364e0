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

/// «15.09.2026», «2026-09-15».
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let input = input.trim();
    NaiveDate::parse_from_str(input, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(input, "%Y-%m-%d"))
        .ok()
        .filter(|d| (1900..2200).contains(&chrono::Datelike::year(d)))
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
        assert_eq!(
            Deadline::from_stored("months:13-2"),
            Deadline::Text("months:13-2".into())
        );
    }
}
