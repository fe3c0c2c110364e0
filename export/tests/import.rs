//! People from spreadsheets (issue 12): messy real-world rows planned before anything is
//! written. Every name here is invented.

use std::time::Instant;

use chrono::NaiveDate;
use export::import::{
    ExistingPerson, Field, ImportError, ImportPlan, Mapping, guess_mapping, plan, read_table,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn read_one(bytes: &[u8], name: &str) -> export::import::Sheet {
    let mut sheets = read_table(bytes, name).expect("readable");
    assert_eq!(sheets.len(), 1);
    sheets.remove(0)
}

fn planned(bytes: &[u8], name: &str, existing: &[ExistingPerson]) -> ImportPlan {
    let sheet = read_one(bytes, name);
    let mapping = guess_mapping(&sheet);
    plan(&sheet, &mapping, existing, today())
}

fn names(p: &ImportPlan) -> Vec<String> {
    p.good.iter().map(|c| c.full_name()).collect()
}

/// What the school holds after importing a plan's good rows.
fn as_existing(p: &ImportPlan) -> Vec<ExistingPerson> {
    p.good
        .iter()
        .enumerate()
        .map(|(i, c)| ExistingPerson {
            id: format!("p{i}"),
            last_name: c.last_name.clone(),
            first_name: c.first_name.clone(),
            patronymic: c.patronymic.clone(),
            birth_date: c.birth_date.clone(),
        })
        .collect()
}

#[test]
fn a_windows_1251_class_list_with_a_merged_name_column() {
    let text = "Список 7 класса;;\r\nФИО;Класс;Дата рождения\r\nЁлкина Анна Сергеевна;7б;05.10.2013\r\nПетров  Иван Ильич;7 Б;5.10.13\r\n;;\r\nСидоров;7Б;01.01.2013\r\nКотов Пётр Андреевич;13А;01.02.2013\r\nЛисина Мария Олеговна;7Б;01.01.2099\r\nЗайцев Олег Петрович;7Б;39448\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let sheet = read_one(&bytes, "7Б.csv");
    let mapping = guess_mapping(&sheet);
    assert_eq!(
        mapping.header_row, 1,
        "the title row above the headers is skipped"
    );
    assert_eq!(
        mapping.columns,
        vec![Field::FullName, Field::Class, Field::BirthDate]
    );
    assert_eq!(
        mapping.role, "student",
        "a list with classes is a list of students"
    );

    // Someone already in the school, written with е and in other case.
    let existing = [ExistingPerson {
        id: "known".into(),
        last_name: "ЕЛКИНА".into(),
        first_name: "анна".into(),
        patronymic: "Сергеевна".into(),
        birth_date: "2013-10-05".into(),
    }];
    let p = plan(&sheet, &mapping, &existing, today());
    assert_eq!(names(&p), ["Петров Иван Ильич", "Зайцев Олег Петрович"]);
    let petrov = &p.good[0];
    assert_eq!(
        (petrov.class.as_str(), petrov.birth_date.as_str()),
        ("7Б", "2013-10-05")
    );
    assert_eq!(petrov.row, 4);
    assert_eq!(
        p.good[1].birth_date, "2008-01-01",
        "a date kept as a serial number"
    );
    assert_eq!(p.duplicates.len(), 1);
    assert_eq!(p.duplicates[0].existing.as_deref(), Some("known"));
    assert_eq!(p.duplicates[0].row, 3);
    let reasons: Vec<(usize, &str)> = p.bad.iter().map(|b| (b.row, b.reason.as_str())).collect();
    assert_eq!(
        reasons,
        [
            (6, "нет фамилии или имени"),
            (7, "класса «13А» не бывает: классы с 1-го по 11-й"),
            (8, "дата рождения 01.01.2099 — в будущем"),
        ]
    );
}

#[test]
fn a_utf8_csv_with_commas_quotes_three_name_columns_and_roles() {
    let text = "\u{feff}Фамилия,Имя,Отчество,Роль,Должность,Предметы\n\"Громова\",\"Вера\",\"Павловна\",учитель,\"Учитель математики, классный руководитель\",математика\nСоколов,Игорь,,родитель,,\nГромова,Вера,Павловна,педагог,,\nБелов,Антон,,космонавт,,\n";
    let p = planned(text.as_bytes(), "staff.csv", &[]);
    assert_eq!(names(&p), ["Громова Вера Павловна", "Соколов Игорь"]);
    assert_eq!(p.good[0].role, "teacher");
    assert_eq!(
        p.good[0].position,
        "Учитель математики, классный руководитель"
    );
    assert_eq!(p.good[0].subjects, "математика");
    assert_eq!(p.good[1].role, "parent");
    assert_eq!(p.duplicates.len(), 1, "the same teacher twice in one file");
    assert_eq!(p.duplicates[0].earlier_row, Some(2));
    assert_eq!(p.bad.len(), 1);
    assert!(
        p.bad[0]
            .reason
            .starts_with("роль «космонавт» не распознана"),
        "{:?}",
        p.bad
    );
}

#[test]
fn an_xlsx_with_date_cells_and_the_same_file_twice_adds_nobody_twice() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("6Б").unwrap();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    for (c, h) in ["Фамилия", "Имя", "Отчество", "Класс", "Дата рождения"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ("Орлова", "Ника", "Игоревна", "6б", (2014, 3, 2)),
        ("Фомин", "Глеб", "", "6Б", (2014, 7, 19)),
    ];
    for (r, (last, first, middle, class, (y, m, d))) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *last).unwrap();
        sheet.write_string(r, 1, *first).unwrap();
        sheet.write_string(r, 2, *middle).unwrap();
        sheet.write_string(r, 3, *class).unwrap();
        sheet
            .write_datetime_with_format(r, 4, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &date)
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let first = planned(&bytes, "6Б.xlsx", &[]);
    assert_eq!(names(&first), ["Орлова Ника Игоревна", "Фомин Глеб"]);
    assert_eq!(
        first.good[0].birth_date, "2014-03-02",
        "a date cell is a date"
    );
    assert_eq!(first.good[0].class, "6Б");
    assert!(first.bad.is_empty() && first.duplicates.is_empty());

    let again = planned(&bytes, "6Б.xlsx", &as_existing(&first));
    assert!(again.good.is_empty(), "nobody twice: {:?}", again.good);
    assert_eq!(again.duplicates.len(), 2);
}

#[test]
fn broken_files_get_a_clear_error_and_never_a_panic() {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "ФИО").unwrap();
    let whole = book.save_to_buffer().unwrap();
    let cases: [(&[u8], &str); 4] = [
        (&whole[..whole.len() / 2], "список.xlsx"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
            "список.xlsx",
        ),
        (b"\x00\x01\x02\x03binary\x00", "список.csv"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really a workbook",
            "старый.xls",
        ),
    ];
    for (bytes, name) in cases {
        match read_table(bytes, name) {
            Err(ImportError::Unreadable(n)) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(read_table(b"  \n", "пусто.csv"), Err(ImportError::Empty));
    let message = ImportError::Unreadable("список.xlsx".into()).to_string();
    assert!(
        message.contains("повреждён или это не таблица"),
        "{message}"
    );
}

#[test]
fn a_thousand_rows_are_planned_quickly() {
    let mut text = String::from("ФИО;Класс;Дата рождения\n");
    for i in 0..1_000 {
        text.push_str(&format!(
            "Ученикова{i} Ученица Тестовна;{}А;{:02}.0{}.2012\n",
            1 + i % 11,
            1 + i % 28,
            1 + i % 9
        ));
    }
    let started = Instant::now();
    let p = planned(text.as_bytes(), "school.csv", &[]);
    let first = started.elapsed();
    let again = planned(text.as_bytes(), "school.csv", &as_existing(&p));
    println!(
        "1,000 rows: read and planned in {:?}; against 1,000 people already in the school in {:?}",
        first,
        started.elapsed() - first
    );
    assert_eq!(p.good.len(), 1_000);
    assert_eq!(again.good.len(), 0);
    assert_eq!(again.duplicates.len(), 1_000);
}

#[test]
fn a_mapping_the_curator_changed_is_followed() {
    let text = "a;b;c\nИванова;Анна;7А\n";
    let sheet = read_one(text.as_bytes(), "x.csv");
    assert_eq!(
        guess_mapping(&sheet),
        Mapping::default(),
        "nothing recognised"
    );
    let mapping = Mapping {
        header_row: 0,
        columns: vec![Field::LastName, Field::FirstName, Field::Class],
        role: "student".into(),
    };
    let p = plan(&sheet, &mapping, &[], today());
    assert_eq!(names(&p), ["Иванова Анна"]);
    assert_eq!(p.good[0].class, "7А");
}
