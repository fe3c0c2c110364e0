//! Every kind of document, made from the demo year, is opened by a real office suite:
//! LibreOffice (headless) converts each .docx to PDF, and poppler reads the PDF back (page count
//! and text). Fails, never skips, when the tools are missing (`scripts/setup --test` installs
//! them).
//!
//! Set `EXPORT_PDF_DIR` to keep the files (to look at them: `pdftoppm -png -r 60`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use export::{Document, SchoolData, assemble};

const SOFFICE: &str = "/usr/bin/soffice";
/// LibreOffice's start-up is slow; converting 17 files in one run takes well under a minute.
const CONVERT_DEADLINE: Duration = Duration::from_secs(300);

struct Case {
    file: &'static str,
    doc: Document,
    /// Bounds on the page count.
    pages: (u32, u32),
    /// Texts the PDF must contain, in this order (those marked «~» anywhere).
    texts: Vec<String>,
}

fn cases(data: &SchoolData) -> Vec<Case> {
    let programme = &data.programmes[0];
    // A «ученик – ученик» pair with a minor mentee, and a group of the second programme.
    let pair = data
        .pairs
        .iter()
        .find(|p| p.programme == programme.id && p.active)
        .unwrap();
    let group = data
        .pairs
        .iter()
        .find(|p| p.mentees.len() > 1 && p.active)
        .unwrap();
    let mentee = data.person(&pair.mentees[0]).unwrap();
    assert!(mentee.minor, "the demo's student mentees are minors");
    let mentor = data.person(&group.mentors[0]).unwrap();
    assert!(!mentor.minor);
    let active: Vec<String> = data
        .pairs
        .iter()
        .filter(|p| p.active)
        .map(|p| p.id.clone())
        .collect();
    let first_active = data.pair(&active[0]).unwrap();
    let first_mentor = data.person(&first_active.mentors[0]).unwrap();
    // One page per participant of the programme's pairs.
    let mut participants: Vec<&String> = data
        .pairs_of(&programme.id)
        .flat_map(|p| p.mentors.iter().chain(p.mentees.iter()))
        .collect();
    participants.sort();
    participants.dedup();
    let participants = participants.len() as u32;
    let s = |t: &str| t.to_owned();
    vec![
        Case {
            file: "01-programme",
            doc: Document::Programme {
                programme: programme.id.clone(),
            },
            pages: (4, 12),
            texts: vec![
                s("Заречная средняя школа"),
                s("СОГЛАСОВАНО"),
                s("УТВЕРЖДАЮ"),
                s("ПРОГРАММА НАСТАВНИЧЕСТВА"),
                format!("«{}»", programme.title),
                s("2026/2027 учебный год"),
                s("с. Заречье, 2026"),
                s("1. Пояснительная записка"),
                s("2. Цель и задачи программы"),
                s("5. Сроки и этапы реализации программы"),
                s("Таблица 1. Этапы реализации программы"),
                s("~Подготовка условий для"),
                s("~Завершение программы"),
                s("9. План работы по программе"),
                s("~Входное анкетирование участников"),
                s("~Консультации для наставников"),
            ],
        },
        Case {
            file: "02-personal-programme",
            doc: Document::PersonalProgramme {
                pair: pair.id.clone(),
            },
            pages: (4, 12),
            texts: vec![
                s("ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА"),
                format!("Наставляемый – {}", mentee.full_name),
                s("10. Персонализированный план работы"),
                s("~Составить индивидуальный план"),
                s("~Подготовить проект"),
            ],
        },
        Case {
            file: "03-individual-plan",
            doc: Document::IndividualPlan {
                pair: group.id.clone(),
            },
            pages: (2, 4),
            texts: vec![
                s("ИНДИВИДУАЛЬНЫЙ ПЛАН РАБОТЫ"),
                s("НАСТАВНИЧЕСКОЙ ГРУППЫ"),
                mentor.full_name.clone(),
                s("~Подготовительный этап"),
                s("~Основной этап"),
                s("~Заключительный этап"),
                s("~Открытое занятие"),
                s("~Родитель (законный представитель)"),
                s("~Рябинина Е. А."),
            ],
        },
        Case {
            file: "04-order-target-model",
            doc: Document::OrderTargetModel {
                number: s("12-о"),
                date: s("2026-09-01"),
            },
            pages: (1, 3),
            texts: vec![
                s("ПРИКАЗ"),
                s("1 сентября 2026 г."),
                s("№ 12-о"),
                s("О внедрении целевой модели наставничества"),
                s("Р-145"),
                s("ПРИКАЗЫВАЮ:"),
                s("Рябинина Е. А."),
                s("Луговая Н. В."),
                s("С приказом ознакомлены:"),
            ],
        },
        Case {
            file: "05-order-approval",
            doc: Document::OrderApproval {
                programmes: vec![],
                number: s("13-о"),
                date: s("2026-09-02"),
            },
            pages: (1, 3),
            texts: vec![
                s("Об утверждении программ наставничества"),
                s("ПРИКАЗЫВАЮ:"),
                format!("«{}»", data.programmes[0].title),
                format!("«{}»", data.programmes[2].title),
                s("дорожную карту"),
            ],
        },
        Case {
            file: "06-order-pairs",
            doc: Document::OrderPairs {
                pairs: active.clone(),
                number: String::new(),
                date: String::new(),
            },
            pages: (3, 8),
            texts: vec![
                s("О закреплении наставнических пар"),
                s("ПРИКАЗЫВАЮ:"),
                s("С приказом ознакомлены:"),
                s("Список наставнических пар"),
                format!("~{}", first_mentor.short_name),
                s("~Наставляемый"),
                s("~Срок"),
                s("~сентябрь 2026 –"),
            ],
        },
        Case {
            file: "07-consent-minor",
            doc: Document::Consent {
                person: mentee.id.clone(),
            },
            pages: (1, 1),
            texts: vec![
                s("СОГЛАСИЕ"),
                s("родителя (законного представителя)"),
                s("являясь родителем (законным представителем)"),
                mentee.full_name.clone(),
                s("152-ФЗ"),
                s("~Родитель (законный представитель)"),
            ],
        },
        Case {
            file: "08-consent-adult",
            doc: Document::Consent {
                person: mentor.id.clone(),
            },
            pages: (1, 1),
            texts: vec![
                s("СОГЛАСИЕ"),
                s("на обработку персональных данных"),
                format!("Я, {}", mentor.full_name),
                s("~Участник программы"),
                format!("~{}", mentor.short_name),
            ],
        },
        Case {
            file: "09-consent-blank",
            doc: Document::ConsentBlank { minor: true },
            pages: (1, 1),
            texts: vec![s("СОГЛАСИЕ"), s("являясь родителем")],
        },
        Case {
            file: "10-consents-pair",
            doc: Document::PairConsents {
                pair: group.id.clone(),
            },
            pages: (3, 3),
            texts: vec![format!("Я, {}", mentor.full_name), s("являясь родителем")],
        },
        Case {
            file: "11-consents-programme",
            doc: Document::ProgrammeConsents {
                programme: programme.id.clone(),
            },
            pages: (participants, participants),
            texts: vec![s("СОГЛАСИЕ")],
        },
        Case {
            file: "12-agreement",
            doc: Document::Agreement {
                pair: pair.id.clone(),
            },
            pages: (1, 3),
            texts: vec![
                s("СОГЛАШЕНИЕ"),
                s("между наставником и наставляемым"),
                mentee.full_name.clone(),
                s("1. Предмет соглашения"),
                s("5. Подписи сторон"),
                s("~Родитель (законный представитель)"),
            ],
        },
        Case {
            file: "13-roadmap",
            doc: Document::Roadmap,
            pages: (1, 4),
            texts: vec![
                s("УТВЕРЖДАЮ"),
                s("ПЛАН МЕРОПРИЯТИЙ (ДОРОЖНАЯ КАРТА)"),
                s("~Ожидаемый результат"),
                s("1. Организационно-методическое сопровождение"),
                s("2. Программно-методическое сопровождение"),
                s("3. Аналитическое сопровождение, мониторинг"),
                s("4. Информационное сопровождение"),
                s("5. Управление реализацией"),
                s("~Издание приказа о внедрении"),
                s("~Итоги реализации дорожной"),
            ],
        },
        Case {
            file: "14-media-plan",
            doc: Document::MediaPlan,
            pages: (1, 3),
            texts: vec![
                s("МЕДИАПЛАН"),
                s("~Пресс-релиз"),
                s("~Нетворкинг наставников"),
                s("~Круглый стол по итогам"),
            ],
        },
        Case {
            file: "15-pairs-table",
            doc: Document::PairsTable {
                programme: data.programmes[1].id.clone(),
            },
            pages: (1, 6),
            texts: vec![
                s("Реализация программы наставничества"),
                s("~Подготовительный этап"),
                s("~Основной этап"),
                s("~Заключительный"),
                s("~Цель наставничества"),
                s("~Ролевая модель «учитель – пассивный ученик»"),
            ],
        },
        Case {
            file: "16-monitoring",
            doc: Document::MonitoringReport {
                period: data.monitorings[0].period.clone(),
            },
            pages: (1, 3),
            texts: vec![
                s("АНАЛИТИЧЕСКАЯ СПРАВКА"),
                s("~по итогам мониторинга реализации"),
                s("1. Качество реализации программы наставничества"),
                s("~Удовлетворённость участников"),
                s("2. Динамика развития участников"),
                s("~Промежуточные результаты"),
                s("3. Выводы и рекомендации"),
            ],
        },
    ]
}

#[test]
fn every_document_of_the_demo_year_opens_in_libreoffice_with_its_text() {
    assert!(
        Path::new(SOFFICE).exists(),
        "LibreOffice is missing ({SOFFICE}): run scripts/setup --test"
    );
    for tool in ["/usr/bin/pdftotext", "/usr/bin/pdfinfo"] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing (poppler-utils): run scripts/setup --test"
        );
    }
    let school = common::demo_school(true);
    let data = school.data();
    let cases = cases(&data);
    let (dir, keep) = match std::env::var("EXPORT_PDF_DIR") {
        Ok(d) => (PathBuf::from(d), true),
        Err(_) => (
            std::env::temp_dir().join(format!(
                "export-lo-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            )),
            false,
        ),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = vec![];
    for case in &cases {
        let made = assemble(&data, &case.doc).unwrap();
        let path = dir.join(format!("{}.docx", case.file));
        std::fs::write(&path, made.docx()).unwrap();
        std::fs::write(dir.join(format!("{}.html", case.file)), made.html()).unwrap();
        files.push(path);
    }

    convert(&dir, &files, "pdf", &[]);

    let mut failures = vec![];
    for case in &cases {
        let pdf = dir.join(format!("{}.pdf", case.file));
        if !pdf.exists() {
            failures.push(format!("{}: LibreOffice made no PDF", case.file));
            continue;
        }
        let pages = page_count(&pdf);
        if pages < case.pages.0 || pages > case.pages.1 {
            failures.push(format!(
                "{}: {pages} pages, expected {}–{}",
                case.file, case.pages.0, case.pages.1
            ));
        }
        let text = pdf_text(&pdf);
        let mut from = 0;
        for expected in &case.texts {
            // «~» marks text inside a table, which poppler may read in another order.
            if let Some(anywhere) = expected.strip_prefix('~') {
                if !text.contains(&squash(anywhere)) {
                    failures.push(format!("{}: «{anywhere}» is missing", case.file));
                }
                continue;
            }
            let needle = squash(expected);
            match text[from..].find(&needle) {
                Some(at) => from += at + needle.len(),
                None if text.contains(&needle) => {
                    failures.push(format!("{}: «{expected}» is out of order", case.file))
                }
                None => failures.push(format!("{}: «{expected}» is missing", case.file)),
            }
        }
    }
    if !keep && failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} (files in {})",
        failures.join("\n"),
        dir.display()
    );
}

/// Converts every file in one LibreOffice run (its start-up dominates), with a private profile
/// so parallel runs do not collide, in its own process group, killed at the deadline.
fn convert(dir: &Path, files: &[PathBuf], to: &str, options: &[&str]) {
    use std::os::unix::process::CommandExt;
    let profile = dir.join("lo-profile");
    let mut child = Command::new(SOFFICE)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            to,
        ])
        .args(options)
        .arg("--outdir")
        .arg(dir)
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start soffice");
    let started = Instant::now();
    loop {
        match child.try_wait().unwrap() {
            Some(status) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                assert!(status.success(), "soffice failed ({status}): {err}");
                break;
            }
            None if started.elapsed() > CONVERT_DEADLINE => {
                // Our own process group only.
                let _ = Command::new("kill")
                    .args(["-s", "KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                panic!("soffice did not finish within {CONVERT_DEADLINE:?}");
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let _ = std::fs::remove_dir_all(profile);
}

fn page_count(pdf: &Path) -> u32 {
    let out = Command::new("/usr/bin/pdfinfo").arg(pdf).output().unwrap();
    assert!(out.status.success(), "pdfinfo {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("/usr/bin/pdftotext")
        .args([pdf.as_os_str(), "-".as_ref()])
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    squash(&String::from_utf8_lossy(&out.stdout))
}

/// Whitespace (line ends, table cell breaks) as single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A class list saved by LibreOffice itself, as .ods and as .xls, is read back by the import
/// (calamine) and planned like any other: the same people, the same bad row.
#[test]
fn class_lists_saved_by_libreoffice_are_imported() {
    let dir = std::env::temp_dir().join(format!("export-lo-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("5Б.csv");
    std::fs::write(
        &csv,
        "ФИО,Класс,Дата рождения\nКлюева Ольга Денисовна,5б,03.04.2015\nСобакин,5Б,01.01.2015\nЗуев Марк Иванович,5Б,12.12.2014\n",
    )
    .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    for to in ["ods", "xls"] {
        // Comma-separated, quoted with ", UTF-8 (76), from the first line.
        convert(
            &dir,
            std::slice::from_ref(&csv),
            to,
            &["--infilter=CSV:44,34,76,1"],
        );
        let made = dir.join(format!("5Б.{to}"));
        let bytes = std::fs::read(&made).unwrap();
        let sheets = export::import::read_table(&bytes, &format!("5Б.{to}")).unwrap();
        let mapping = export::import::guess_mapping(&sheets[0]);
        let plan = export::import::plan(&sheets[0], &mapping, &[], today);
        let names: Vec<String> = plan.good.iter().map(|c| c.full_name()).collect();
        assert_eq!(
            names,
            ["Клюева Ольга Денисовна", "Зуев Марк Иванович"],
            "{to}"
        );
        assert_eq!(plan.good[0].class, "5Б", "{to}");
        assert_eq!(
            plan.good[1].birth_date, "2014-12-12",
            "{to}: a date LibreOffice typed as a date"
        );
        assert_eq!(plan.bad.len(), 1, "{to}: {:?}", plan.bad);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
