//! What the app and the document worker say to each other.
//!
//! The app reads [`SchoolData`] on its own thread (this crate without its `docx` feature: no
//! docx-rs in the app's first download) and posts `[id, request JSON]`; the worker
//! (`export/worker`, a separate wasm module loaded the first time a document is asked for)
//! answers `[id, reply JSON, payload]`, the payload being the .docx bytes or the print page.
//! The worker posts [`READY`] once it can take requests.

use serde::{Deserialize, Serialize};

use crate::tables::Table;
use crate::{Document, SchoolData};

/// The worker's first message: its wasm is instantiated and it listens.
pub const READY: &str = "ready";

/// The file the app starts the worker from (Trunk's loader shim of the worker crate).
pub const SCRIPT: &str = "/export-worker_loader.js";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// The .docx file.
    Docx,
    /// The print page.
    Html,
}

/// What the worker is asked to make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// A document, as a .docx file or a print page.
    Document { document: Document, format: Format },
    /// A spreadsheet (.xlsx) of the school's bases and registers.
    Table { table: Table },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub data: SchoolData,
    pub job: Job,
}

impl Request {
    pub fn document(data: SchoolData, document: Document, format: Format) -> Request {
        Request {
            data,
            job: Job::Document { document, format },
        }
    }

    pub fn table(data: SchoolData, table: Table) -> Request {
        Request {
            data,
            job: Job::Table { table },
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub file_name: String,
    /// The Russian labels of the fields that were empty ([`crate::Assembled::missing`]).
    pub missing: Vec<String>,
    /// Why nothing was made (in Russian); the payload is then empty.
    pub error: Option<String>,
}

impl Request {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Reply {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Reply {
        serde_json::from_str(json).unwrap_or_else(|e| Reply {
            error: Some(format!(
                "Ответ модуля документов не читается (обновите страницу): {e}"
            )),
            ..Reply::default()
        })
    }
}

/// What goes with a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A file: the .docx or the .xlsx.
    File(Vec<u8>),
    Html(String),
    Nothing,
}

/// Answers one request (the worker's whole job, testable without a browser).
#[cfg(feature = "docx")]
pub fn handle(request: &str) -> (Reply, Payload) {
    let request: Request = match serde_json::from_str(request) {
        Ok(r) => r,
        Err(e) => {
            return (
                Reply {
                    error: Some(format!(
                        "Модуль документов не понял запрос (обновите страницу): {e}"
                    )),
                    ..Reply::default()
                },
                Payload::Nothing,
            );
        }
    };
    let (document, format) = match request.job {
        Job::Document { document, format } => (document, format),
        Job::Table { table } => return make_table(&request.data, table),
    };
    match crate::assemble(&request.data, &document) {
        Ok(made) => {
            let payload = match format {
                Format::Docx => Payload::File(made.docx()),
                Format::Html => Payload::Html(made.html()),
            };
            (
                Reply {
                    file_name: made.file_name,
                    missing: made.missing,
                    error: None,
                },
                payload,
            )
        }
        Err(e) => (
            Reply {
                error: Some(e.to_string()),
                ..Reply::default()
            },
            Payload::Nothing,
        ),
    }
}

#[cfg(all(feature = "docx", feature = "xlsx"))]
fn make_table(data: &SchoolData, table: Table) -> (Reply, Payload) {
    match crate::xlsx::workbook(data, table) {
        Ok(bytes) => (
            Reply {
                file_name: table.file_name(),
                ..Reply::default()
            },
            Payload::File(bytes),
        ),
        Err(e) => (
            Reply {
                error: Some(e.to_string()),
                ..Reply::default()
            },
            Payload::Nothing,
        ),
    }
}

#[cfg(all(feature = "docx", not(feature = "xlsx")))]
fn make_table(_: &SchoolData, _: Table) -> (Reply, Payload) {
    (
        Reply {
            error: Some("Этот модуль документов собран без таблиц Excel.".into()),
            ..Reply::default()
        },
        Payload::Nothing,
    )
}
