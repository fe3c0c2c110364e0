//! Checks shared by the records: each failure is a Russian sentence shown as it is.

use chrono::NaiveDate;

use crate::ValidationError;
use crate::deadline::parse_date;

/// An optional date typed as «15.09.2026» (or ISO), stored as ISO; empty stays empty.
pub fn optional_date(input: &str) -> Result<String, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(String::new());
    }
    parse_date(input)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or(ValidationError::Date)
}

/// A required date.
pub fn date(input: &str) -> Result<String, ValidationError> {
    match optional_date(input)? {
        d if d.is_empty() => Err(ValidationError::Date),
        d => Ok(d),
    }
}

/// A stored ISO date, if it is one.
pub fn iso(stored: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(stored, "%Y-%m-%d").ok()
}

/// An ISO date as an input field shows it: «15.09.2026».
pub fn input_date(stored: &str) -> String {
    iso(stored)
        .map(crate::ru::date_numeric)
        .unwrap_or_else(|| stored.to_owned())
}
