//! Russian wording: plural forms and dates as the school's documents write them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// Chooses the form for `n`: `plural(1, ["программа", "программы", "программ"])`.
pub fn plural(n: u64, forms: [&str; 3]) -> &str {
    let (n10, n100) = (n % 10, n % 100);
    if n10 == 1 && n100 != 11 {
        forms[0]
    } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
        forms[1]
    } else {
        forms[2]
    }
}

/// «1 пара или группа», «24 пары или группы», «12 пар или групп»: one «или» in every form.
pub const PAIRS_OR_GROUPS: [&str; 3] = ["пара или группа", "пары или группы", "пар или групп"];

/// «3 программы», «11 программ».
pub fn count(n: u64, forms: [&str; 3]) -> String {
    format!("{n} {}", plural(n, forms))
}

const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// «сентябрь» for 9.
pub fn month_name(m: u32) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

/// The month a word names in any case: «сентябрь», «сентября», «сентябре», «сент.» → 9.
pub fn month_from_word(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_lowercase();
    if word.chars().count() < 3 {
        return None;
    }
    // The stems differ in their first three letters except «март»/«май» (and «июнь»/«июль»).
    const STEMS: [&str; 12] = [
        "янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
    ];
    if word.starts_with("мая") || word == "май" || word.starts_with("мае") {
        return Some(5);
    }
    STEMS
        .iter()
        .position(|stem| *stem != "ма" && word.starts_with(stem))
        .map(|i| i as u32 + 1)
}

/// «20 декабря 2026 г.» for a stored ISO date («2026-12-20»); the text as it is otherwise.
pub fn iso_date(iso: &str) -> String {
    match NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => date(d),
        Err(_) => iso.to_owned(),
    }
}

/// Full years between `birth` and `on`.
pub fn age(birth: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

/// «20 декабря 2026 г.»
pub fn date(d: NaiveDate) -> String {
    format!(
        "{} {} {} г.",
        d.day(),
        MONTHS_GENITIVE[d.month0() as usize],
        d.year()
    )
}

/// «20.12.2026», the form used in title blocks and tables.
pub fn date_numeric(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// «23 ноября, 10:42» relative to `now`: «сегодня в 10:42» on the same day.
pub fn moment(at: NaiveDateTime, now: NaiveDateTime) -> String {
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    if at.date() == now.date() {
        format!("сегодня в {time}")
    } else if at.date().succ_opt() == Some(now.date()) {
        format!("вчера в {time}")
    } else if at.year() == now.year() {
        format!(
            "{} {}, {time}",
            at.day(),
            MONTHS_GENITIVE[at.month0() as usize]
        )
    } else {
        format!("{}, {time}", date(at.date()))
    }
}

/// The academic year a date falls in: September starts a new one. «2026/2027».
pub fn academic_year(d: NaiveDate) -> String {
    let start = if d.month() >= 9 {
        d.year()
    } else {
        d.year() - 1
    };
    format!("{start}/{}", start + 1)
}

/// A file size as Russian office software writes it: «840 байт», «12 КБ», «1,4 МБ».
pub fn size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        count(bytes, ["байт", "байта", "байт"])
    } else if bytes < MB {
        format!("{} КБ", bytes.div_ceil(KB))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        if tenths.is_multiple_of(10) {
            format!("{} МБ", tenths / 10)
        } else {
            format!("{},{} МБ", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_with_russian_units_and_a_decimal_comma() {
        assert_eq!(size(1), "1 байт");
        assert_eq!(size(3), "3 байта");
        assert_eq!(size(840), "840 байт");
        assert_eq!(size(12 * 1024), "12 КБ");
        assert_eq!(size(1024 * 1024), "1 МБ");
        assert_eq!(size(1_468_006), "1,4 МБ");
    }

    fn check_plural(n: u64, expected: &str) {
        assert_eq!(count(n, ["программа", "программы", "программ"]), expected);
    }

    #[test]
    fn plural_forms_follow_russian_rules() {
        check_plural(0, "0 программ");
        check_plural(1, "1 программа");
        check_plural(2, "2 программы");
        check_plural(4, "4 программы");
        check_plural(5, "5 программ");
        check_plural(11, "11 программ");
        check_plural(12, "12 программ");
        check_plural(14, "14 программ");
        check_plural(21, "21 программа");
        check_plural(22, "22 программы");
        check_plural(111, "111 программ");
        check_plural(101, "101 программа");
    }

    #[test]
    fn pairs_or_groups_keep_one_conjunction() {
        assert_eq!(count(21, PAIRS_OR_GROUPS), "21 пара или группа");
        assert_eq!(count(24, PAIRS_OR_GROUPS), "24 пары или группы");
        assert_eq!(count(12, PAIRS_OR_GROUPS), "12 пар или групп");
    }

    #[test]
    fn dates_use_the_genitive_month() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        assert_eq!(date(d), "20 декабря 2026 г.");
        assert_eq!(date_numeric(d), "20.12.2026");
        let may = NaiveDate::from_ymd_opt(2027, 5, 20).unwrap();
        assert_eq!(date(may), "20 мая 2027 г.");
    }

    #[test]
    fn moments_are_relative_to_now() {
        let now = NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let at = |d: u32, h: u32| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(h, 5, 0)
                .unwrap()
        };
        assert_eq!(moment(at(23, 9), now), "сегодня в 09:05");
        assert_eq!(moment(at(22, 18), now), "вчера в 18:05");
        assert_eq!(moment(at(2, 7), now), "2 ноября, 07:05");
        let last_year = NaiveDate::from_ymd_opt(2025, 5, 20)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        assert_eq!(moment(last_year, now), "20 мая 2025 г., 08:00");
    }

    #[test]
    fn academic_years_start_in_september() {
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        assert_eq!(academic_year(d(8)), "2025/2026");
        assert_eq!(academic_year(d(9)), "2026/2027");
    }
}
