//! Spreadsheets in: people read from the files a school already has (class lists exported from
//! its electronic journal, staff lists, lists of parents), on the tablet, offline, in the
//! document worker: no file system, clock or threads, everything from bytes in memory.
//!
//! [`read_table`] reads .xlsx, .xls and .ods (calamine) and .csv (UTF-8 or Windows-1251, `;` or
//! `,`) into [`Sheet`]s of text cells, bounded. [`guess_mapping`] recognises the usual Russian
//! headers; the curator may change the [`Mapping`]. [`plan`] then says, before anything is
//! written, which rows are good, which are bad and why (in Russian), and which are likely the
//! same person as someone in the school or an earlier row: a name compared with ё = е, case and
//! spaces ignored, and the same birth date. Importing the same file twice adds nobody twice.
//! Writing the good rows, all at once or not at all, is the app's.
//!
//! Only reading files needs the `import` feature (calamine, csv, encoding_rs: the document
//! worker's); the types, the mapping and the plan compile everywhere.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// At most this many rows are read from a sheet.
pub const MAX_ROWS: usize = 10_000;
/// At most this many columns.
pub const MAX_COLUMNS: usize = 64;
/// A cell's text is cut at this many characters.
pub const MAX_CELL: usize = 1_000;
/// A file larger than this is refused before it is read.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("Файл пустой.")]
    Empty,
    #[error("Файл больше 20 МБ: для списка участников это слишком много.")]
    TooLarge,
    #[error(
        "Не удалось прочитать файл «{0}»: он повреждён или это не таблица. Подойдут .xlsx, .xls, .ods и .csv."
    )]
    Unreadable(String),
    #[error("В таблице больше {MAX_ROWS} строк: разделите её на несколько файлов.")]
    TooManyRows,
    #[error("В таблице нет ни одного листа с данными.")]
    NoSheets,
}

/// One sheet of a spreadsheet as text, row by row (a CSV file is one sheet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

#[cfg(feature = "import")]
fn cut(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_CELL) {
        Some((at, _)) => s[..at].to_owned(),
        None => s.to_owned(),
    }
}

/// A spreadsheet serial number (days since 30 December 1899) as a date.
fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(serial.floor() as i64))
}

#[cfg(feature = "import")]
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Reads every sheet of a spreadsheet file (by its name's extension, or its content).
#[cfg(feature = "import")]
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Vec<Sheet>, ImportError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    if bytes.len() > MAX_FILE {
        return Err(ImportError::TooLarge);
    }
    let lower = file_name.to_lowercase();
    let sheets = if lower.ends_with(".csv") || lower.ends_with(".txt") {
        vec![read_csv(bytes, file_name)?]
    } else {
        read_spreadsheet(bytes, file_name)?
    };
    let sheets: Vec<Sheet> = sheets
        .into_iter()
        .filter(|s| s.rows.iter().any(|r| r.iter().any(|c| !c.is_empty())))
        .collect();
    if sheets.is_empty() {
        return Err(ImportError::NoSheets);
    }
    Ok(sheets)
}

#[cfg(feature = "import")]
fn read_spreadsheet(bytes: &[u8], file_name: &str) -> Result<Vec<Sheet>, ImportError> {
    use calamine::{Data, Reader};
    let unreadable = || ImportError::Unreadable(file_name.to_owned());
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| unreadable())?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        if range.height() > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        let rows = range
            .rows()
            .map(|row| {
                row.iter()
                    .take(MAX_COLUMNS)
                    .map(|cell| match cell {
                        Data::Empty | Data::Error(_) => String::new(),
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => cut(s),
                        Data::Int(i) => i.to_string(),
                        Data::Float(f) => number_text(*f),
                        Data::Bool(b) => if *b { "да" } else { "нет" }.to_owned(),
                        // A date cell is written the way people type dates.
                        Data::DateTime(d) => serial_date(d.as_f64())
                            .map(|d| d.format("%d.%m.%Y").to_string())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .collect();
        out.push(Sheet { name, rows });
    }
    Ok(out)
}

#[cfg(feature = "import")]
fn read_csv(bytes: &[u8], file_name: &str) -> Result<Sheet, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // An electronic journal's export is UTF-8 or Windows-1251; what is not valid UTF-8 is read
    // as the latter.
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    };
    if text.contains('\0') {
        return Err(ImportError::Unreadable(file_name.to_owned()));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let separator = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|s| first.matches(*s as char).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| ImportError::Unreadable(file_name.to_owned()))?;
        if rows.len() == MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        rows.push(record.iter().take(MAX_COLUMNS).map(cut).collect());
    }
    Ok(Sheet {
        name: file_name.to_owned(),
        rows,
    })
}

/// What a column holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    #[default]
    Skip,
    /// «Иванова Анна Петровна» in one column.
    FullName,
    LastName,
    FirstName,
    Patronymic,
    Class,
    BirthDate,
    Role,
    Subjects,
    /// A staff member's position or a partner's organisation.
    Position,
    ParentName,
    ParentPhone,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Skip,
        Field::FullName,
        Field::LastName,
        Field::FirstName,
        Field::Patronymic,
        Field::Class,
        Field::BirthDate,
        Field::Role,
        Field::Subjects,
        Field::Position,
        Field::ParentName,
        Field::ParentPhone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Skip => "не загружать",
            Field::FullName => "ФИО полностью",
            Field::LastName => "Фамилия",
            Field::FirstName => "Имя",
            Field::Patronymic => "Отчество",
            Field::Class => "Класс",
            Field::BirthDate => "Дата рождения",
            Field::Role => "Роль",
            Field::Subjects => "Предметы",
            Field::Position => "Должность / организация",
            Field::ParentName => "ФИО родителя",
            Field::ParentPhone => "Телефон родителя",
        }
    }

    /// The field a header names, if it is one people use.
    fn from_header(header: &str) -> Field {
        let h = model::search::normalise(header);
        let has = |w: &str| h.contains(w);
        if h.is_empty() {
            Field::Skip
        } else if has("родител") || has("представител") || has("мать") || has("отец")
        {
            if has("тел") {
                Field::ParentPhone
            } else {
                Field::ParentName
            }
        } else if h == "фио" || has("ф.и.о") || has("фамилия, имя") || has("фамилия имя")
        {
            Field::FullName
        } else if has("фамил") {
            Field::LastName
        } else if has("отчеств") {
            Field::Patronymic
        } else if h == "имя" || h.starts_with("имя ") {
            Field::FirstName
        } else if has("класс") {
            Field::Class
        } else if has("рожд") {
            Field::BirthDate
        } else if has("роль") || has("категор") {
            Field::Role
        } else if has("предмет") || has("дисциплин") {
            Field::Subjects
        } else if has("должност") || has("организац") || has("место работы")
        {
            Field::Position
        } else {
            Field::Skip
        }
    }
}

/// How a sheet's columns are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The row with the headers (0-based); the data start below it.
    pub header_row: usize,
    /// One field per column.
    pub columns: Vec<Field>,
    /// The role of everyone in the file (a `model::Role` code) when no column says it.
    pub role: String,
}

/// The header row (the one among the first ten that names the most fields) and its fields.
pub fn guess_mapping(sheet: &Sheet) -> Mapping {
    let best = sheet
        .rows
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, row)| {
            let fields: Vec<Field> = row.iter().map(|h| Field::from_header(h)).collect();
            let named = fields.iter().filter(|f| **f != Field::Skip).count();
            (named, i, fields)
        })
        .max_by_key(|(named, i, _)| (*named, std::cmp::Reverse(*i)));
    match best {
        Some((named, i, columns)) if named > 0 => Mapping {
            header_row: i,
            role: if columns.contains(&Field::Class) {
                "student".into()
            } else {
                String::new()
            },
            columns,
        },
        _ => Mapping::default(),
    }
}

/// Someone already in the school, to find duplicates among.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingPerson {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    /// ISO, or empty.
    pub birth_date: String,
}

/// A row that will become a person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The row's number as the spreadsheet shows it (1-based).
    pub row: usize,
    pub role: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    /// «7Б», normalised.
    pub class: String,
    /// ISO, or empty.
    pub birth_date: String,
    pub subjects: String,
    pub position: String,
    pub parent_name: String,
    pub parent_phone: String,
}

impl Candidate {
    pub fn full_name(&self) -> String {
        [&self.last_name, &self.first_name, &self.patronymic]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The person to create, as the model writes one.
    pub fn draft(&self) -> model::PersonDraft {
        model::PersonDraft {
            role: model::Role::from_code(&self.role),
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            patronymic: self.patronymic.clone(),
            birth_date: self.birth_date.clone(),
            class: self.class.clone(),
            subjects: self.subjects.clone(),
            organisation: self.position.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub row: usize,
    /// What the row says, for the curator to recognise it.
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub row: usize,
    pub name: String,
    /// The person already in the school (their id), or the earlier row of the file.
    pub existing: Option<String>,
    pub earlier_row: Option<usize>,
}

/// What importing a sheet with a mapping would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    pub good: Vec<Candidate>,
    pub bad: Vec<BadRow>,
    pub duplicates: Vec<Duplicate>,
}

/// A name as compared for duplicates: ё = е, case and spaces ignored.
fn key(last: &str, first: &str, patronymic: &str) -> String {
    model::search::normalise(&format!("{last} {first} {patronymic}"))
}

/// «7 б», «7-Б», «7б» → «7Б»; a class that does not exist is refused.
fn class_of(text: &str) -> Result<String, String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '«' && *c != '»' && *c != '"')
        .collect();
    let digits: String = compact.chars().take_while(char::is_ascii_digit).collect();
    let letter: String = compact.chars().skip(digits.len()).collect();
    let grade: u32 = digits
        .parse()
        .map_err(|_| format!("класс «{text}» не читается: пишите как «7Б»"))?;
    if !(1..=11).contains(&grade) {
        return Err(format!("класса «{text}» не бывает: классы с 1-го по 11-й"));
    }
    if letter.chars().count() > 1 {
        return Err(format!("класс «{text}» не читается: пишите как «7Б»"));
    }
    Ok(format!("{grade}{}", letter.to_uppercase()))
}

fn role_of(text: &str) -> Option<&'static str> {
    let t = model::search::normalise(text);
    let has = |w: &str| t.contains(w);
    if has("учени") || has("обучающ") || has("школьн") {
        Some("student")
    } else if has("учител") || has("педагог") || has("преподав") || has("воспит")
    {
        Some("teacher")
    } else if has("родител") || has("мать") || has("отец") || has("представ")
    {
        Some("parent")
    } else if has("выпускн") || has("студент") {
        Some("graduate")
    } else if has("партн") || has("работодат") || has("организац") {
        Some("partner")
    } else {
        None
    }
}

fn birth_date_of(text: &str, today: NaiveDate) -> Result<String, String> {
    let date = model::parse_date(text).or_else(|| {
        // A date the spreadsheet kept as its serial number.
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| (3_000.0..80_000.0).contains(n))
            .and_then(serial_date)
    });
    let Some(date) = date else {
        return Err(format!(
            "дата рождения «{text}» не читается: пишите как «05.10.2012»"
        ));
    };
    if date > today {
        return Err(format!(
            "дата рождения {} — в будущем",
            date.format("%d.%m.%Y")
        ));
    }
    if today.year() - date.year() > 110 {
        return Err(format!(
            "дата рождения {} — слишком давно",
            date.format("%d.%m.%Y")
        ));
    }
    Ok(date.format("%Y-%m-%d").to_string())
}

/// Says what importing `sheet` read with `mapping` would do; writes nothing.
pub fn plan(
    sheet: &Sheet,
    mapping: &Mapping,
    existing: &[ExistingPerson],
    today: NaiveDate,
) -> ImportPlan {
    let mut out = ImportPlan::default();
    let existing: Vec<(String, &str, &ExistingPerson)> = existing
        .iter()
        .map(|p| {
            (
                key(&p.last_name, &p.first_name, &p.patronymic),
                p.birth_date.as_str(),
                p,
            )
        })
        .collect();
    let mut seen: Vec<(String, String, usize)> = Vec::new();
    for (i, row) in sheet.rows.iter().enumerate().skip(mapping.header_row + 1) {
        let number = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |field: Field| -> String {
            mapping
                .columns
                .iter()
                .enumerate()
                .filter(|(_, f)| **f == field)
                .filter_map(|(c, _)| row.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = row
            .iter()
            .filter(|c| !c.trim().is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ");
        let bad = |reason: String| BadRow {
            row: number,
            text: text.clone(),
            reason,
        };
        let mut c = Candidate {
            row: number,
            last_name: cell(Field::LastName),
            first_name: cell(Field::FirstName),
            patronymic: cell(Field::Patronymic),
            subjects: cell(Field::Subjects),
            position: cell(Field::Position),
            parent_name: cell(Field::ParentName),
            parent_phone: cell(Field::ParentPhone),
            ..Candidate::default()
        };
        let full = cell(Field::FullName);
        if !full.is_empty() {
            let mut words = full.split_whitespace();
            c.last_name = words.next().unwrap_or("").to_owned();
            c.first_name = words.next().unwrap_or("").to_owned();
            c.patronymic = words.collect::<Vec<_>>().join(" ");
        }
        if c.last_name.is_empty() || c.first_name.is_empty() {
            out.bad.push(bad("нет фамилии или имени".into()));
            continue;
        }
        let role_text = cell(Field::Role);
        c.role = if role_text.is_empty() {
            mapping.role.clone()
        } else {
            match role_of(&role_text) {
                Some(r) => r.to_owned(),
                None => {
                    out.bad.push(bad(format!(
                        "роль «{role_text}» не распознана: ученик, педагог, родитель, выпускник или партнёр"
                    )));
                    continue;
                }
            }
        };
        if c.role.is_empty() {
            out.bad.push(bad(
                "не указано, кто это: выберите роль для всего файла или столбец с ролью".into(),
            ));
            continue;
        }
        let class = cell(Field::Class);
        if !class.is_empty() {
            match class_of(&class) {
                Ok(k) => c.class = k,
                Err(reason) => {
                    out.bad.push(bad(reason));
                    continue;
                }
            }
        }
        let birth = cell(Field::BirthDate);
        if !birth.is_empty() {
            match birth_date_of(&birth, today) {
                Ok(d) => c.birth_date = d,
                Err(reason) => {
                    out.bad.push(bad(reason));
                    continue;
                }
            }
        }
        let k = key(&c.last_name, &c.first_name, &c.patronymic);
        let same_date = |d: &str| d.is_empty() || c.birth_date.is_empty() || d == c.birth_date;
        if let Some((_, _, p)) = existing.iter().find(|(ek, d, _)| *ek == k && same_date(d)) {
            out.duplicates.push(Duplicate {
                row: number,
                name: c.full_name(),
                existing: Some(p.id.clone()),
                earlier_row: None,
            });
            continue;
        }
        if let Some((_, _, earlier)) = seen.iter().find(|(sk, d, _)| *sk == k && same_date(d)) {
            out.duplicates.push(Duplicate {
                row: number,
                name: c.full_name(),
                existing: None,
                earlier_row: Some(*earlier),
            });
            continue;
        }
        seen.push((k, c.birth_date.clone(), number));
        out.good.push(c);
    }
    out
}
