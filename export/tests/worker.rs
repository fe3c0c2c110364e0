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
    let (reply, payload) = handle(&request.to_json());
    let reply = Reply::from_json(&reply.to_json());
    assert_eq!(reply.error, None);
    assert!(reply.file_name.ends_with(".docx"), "{}", reply.file_name);
    let Payload::File(bytes) = payload else {
        panic!("a .docx: {payload:?}")
    };
    assert_eq!(&bytes[..2], b"PK", "a zip file");

    let (reply, payload) =
        handle(&Request::document(data.clone(), Document::Roadmap, Format::Html).to_json());
    assert_eq!(reply.error, None);
    let Payload::Html(html) = payload else {
        panic!("a print page: {payload:?}")
    };
    assert!(html.starts_with("<!DOCTYPE html>"));

    // A spreadsheet of the registers.
    let (reply, payload) = handle(&Request::table(data, Table::All).to_json());
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
    );
    assert_eq!(reply.error.as_deref(), Some("Пара не найдена."));
    assert_eq!(payload, Payload::Nothing);

    let (reply, payload) = handle("{\"data\":");
    assert!(
        reply
            .error
            .unwrap()
            .starts_with("Модуль документов не понял запрос")
    );
    assert_eq!(payload, Payload::Nothing);
    assert!(Reply::from_json("garbage").error.is_some());
}
