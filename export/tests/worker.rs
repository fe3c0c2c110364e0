//! The document worker's protocol without a browser: the app's request, as JSON, answered with
//! the reply and the file; a bad request or an unknown record answered with a Russian error.

mod common;

use export::Document;
use export::tables::Table;
use export::worker::{Format, Payload, Reply, Request, handle};

#[test]
fn a_request_from_the_app_is_answered_with_the_file_and_the_missing_fields() {
    let data = common::shared().data();
    let pair = data.pairs[0].id.clone();
    let request = Request::document(
        data.clone(),
        Document::IndividualPlan { pair },
        Format::Docx,
    );
    // The app posts JSON; the worker answers with the reply as JSON and the payload.
    let (reply, payload) = handle(&request.to_json(), None);
    let reply = Reply::from_json(&reply.to_json());
    assert_eq!(reply.error, None);
    assert!(reply.file_name.ends_with(".docx"), "{}", reply.file_name);
    let Payload::File(bytes) = payload else {
        panic!("a .docx: {payload:?}")
    };
    assert_eq!(&bytes[..2], b"PK", "a zip file");

    let (reply, payload) = handle(
        &Request::document(data.clone(), Document::Roadmap, Format::Html).to_json(),
        None,
    );
    assert_eq!(reply.error, None);
    let Payload::Html(html) = payload else {
        panic!("a print page: {payload:?}")
    };
    assert!(html.starts_with("<!DOCTYPE html>"));

    // A spreadsheet of the registers.
    let (reply, payload) = handle(&Request::table(data, Table::All).to_json(), None);
    assert_eq!(reply.error, None);
    assert_eq!(reply.file_name, "Реестры.xlsx");
    let Payload::File(bytes) = payload else {
        panic!("an .xlsx: {payload:?}")
    };
    assert_eq!(&bytes[..2], b"PK", "a zip file");
}

#[test]
fn a_missing_record_or_a_garbled_request_is_an_error_in_russian() {
    let data = common::shared().data();
    let (reply, payload) = handle(
        &Request::document(
            data,
            Document::IndividualPlan {
                pair: "no-such-pair".into(),
            },
            Format::Docx,
        )
        .to_json(),
        None,
    );
    assert_eq!(reply.error.as_deref(), Some("Пара не найдена."));
    assert_eq!(payload, Payload::Nothing);

    let (reply, payload) = handle("{\"data\":", None);
    assert!(
        reply
            .error
            .unwrap()
            .starts_with("Модуль документов не понял запрос")
    );
    assert_eq!(payload, Payload::Nothing);
    assert!(Reply::from_json("garbage").error.is_some());
}

#[test]
fn a_spreadsheet_travels_beside_the_request_and_its_import_is_planned() {
    use export::import::Field;
    use export::worker::{Job, Sheets};
    let csv = "ФИО;Класс\nОрлова Ника Игоревна;6б\nФомин;6Б\n";
    let read = Request {
        job: Job::ReadSheets {
            file_name: "6Б.csv".into(),
        },
    };
    let (reply, payload) = handle(&read.to_json(), Some(csv.as_bytes()));
    assert_eq!(reply.error, None);
    assert_eq!(payload, Payload::Nothing);
    let sheets: Sheets = serde_json::from_str(&reply.json).unwrap();
    let (sheet, mapping) = sheets.sheets.into_iter().next().unwrap();
    assert_eq!(mapping.columns, vec![Field::FullName, Field::Class]);
    let plan = Request {
        job: Job::PlanImport {
            sheet,
            mapping,
            existing: vec![],
            today: "2026-11-23".into(),
        },
    };
    let (reply, _) = handle(&plan.to_json(), None);
    let plan: export::import::ImportPlan = serde_json::from_str(&reply.json).unwrap();
    assert_eq!(plan.good.len(), 1);
    assert_eq!(plan.bad[0].reason, "нет фамилии или имени");

    let pdf = Request {
        job: Job::ReadSheets {
            file_name: "список.xlsx".into(),
        },
    };
    let (reply, _) = handle(&pdf.to_json(), Some(b"%PDF-1.7 not a table"));
    assert!(
        reply
            .error
            .unwrap()
            .contains("повреждён или это не таблица")
    );
}
