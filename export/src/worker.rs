//! What the app and the document worker say to each other.
//!
//! The app reads [`SchoolData`] on its own thread (this crate without its `docx` feature: no
//! docx-rs in the app's first download) and posts `[id, request JSON]`; the worker
//! (`export/worker`, a separate wasm module loaded the first time a document is asked for)
//! answers `[id, reply JSON, payload]`, the payload being the .docx bytes or the print page.
//! The worker posts [`READY`] once it can take requests.

use serde::{Deserialize, Serialize};

use crate::import::{ExistingPerson, Mapping, Sheet};
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

/// What the worker is asked to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// A document, as a .docx file or a print page.
    Document {
        data: SchoolData,
        document: Document,
        format: Format,
    },
    /// A spreadsheet (.xlsx) of the school's bases and registers.
    Table { data: SchoolData, table: Table },
    /// Read the spreadsheet that travels beside the request (people to import): the reply's
    /// `json` is a [`Sheets`].
    ReadSheets { file_name: String },
    /// Plan the import of a sheet: the reply's `json` is an [`ImportPlan`].
    PlanImport {
        sheet: Sheet,
        mapping: Mapping,
        existing: Vec<ExistingPerson>,
        /// ISO.
        today: String,
    },
}

/// The sheets of a file, each with the mapping its headers suggest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheets {
    pub sheets: Vec<(Sheet, Mapping)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub job: Job,
}

impl Request {
    pub fn document(data: SchoolData, document: Document, format: Format) -> Request {
        Request {
            job: Job::Document {
                data,
                document,
                format,
            },
        }
    }

    pub fn table(data: SchoolData, table: Table) -> Request {
        Request {
            job: Job::Table { data, table },
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
    /// What a job that makes no file answers ([`Sheets`], [`ImportPlan`]), as JSON.
    #[serde(default)]
    pub json: String,
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

/// Answers one request (the worker's whole job, testable without a browser); `bytes` is the
/// file that travels beside a [`Job::ReadSheets`].
#[cfg(feature = "docx")]
pub fn handle(request: &str, bytes: Option<&[u8]>) -> (Reply, Payload) {
    let request: Request = match serde_json::from_str(request) {
        Ok(r) => r,
        Err(e) => {
            return failed(format!(
                "Модуль документов не понял запрос (обновите страницу): {e}"
            ));
        }
    };
    let (data, document, format) = match request.job {
        Job::Document {
            data,
            document,
            format,
        } => (data, document, format),
        Job::Table { data, table } => return make_table(&data, table),
        Job::ReadSheets { file_name } => return read_sheets(&file_name, bytes.unwrap_or(&[])),
        Job::PlanImport {
            sheet,
            mapping,
            existing,
            today,
        } => {
            let Ok(today) = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d") else {
                return failed("Неверная дата в запросе.".into());
            };
            let plan: crate::import::ImportPlan =
                crate::import::plan(&sheet, &mapping, &existing, today);
            return answer(&plan);
        }
    };
    match crate::assemble(&data, &document) {
        Ok(made) => {
            let payload = match format {
                Format::Docx => Payload::File(made.docx()),
                Format::Html => Payload::Html(made.html()),
            };
            (
                Reply {
                    file_name: made.file_name,
                    missing: made.missing,
                    ..Reply::default()
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

#[cfg(feature = "docx")]
fn failed(error: String) -> (Reply, Payload) {
    (
        Reply {
            error: Some(error),
            ..Reply::default()
        },
        Payload::Nothing,
    )
}

#[cfg(feature = "docx")]
fn answer(value: &impl Serialize) -> (Reply, Payload) {
    (
        Reply {
            json: serde_json::to_string(value).unwrap_or_default(),
            ..Reply::default()
        },
        Payload::Nothing,
    )
}

#[cfg(all(feature = "docx", feature = "import"))]
fn read_sheets(file_name: &str, bytes: &[u8]) -> (Reply, Payload) {
    match crate::import::read_table(bytes, file_name) {
        Ok(sheets) => answer(&Sheets {
            sheets: sheets
                .into_iter()
                .map(|s| {
                    let mapping = crate::import::guess_mapping(&s);
                    (s, mapping)
                })
                .collect(),
        }),
        Err(e) => failed(e.to_string()),
    }
}

#[cfg(all(feature = "docx", not(feature = "import")))]
fn read_sheets(_: &str, _: &[u8]) -> (Reply, Payload) {
    failed("Этот модуль документов собран без чтения таблиц.".into())
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
