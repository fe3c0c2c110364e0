//! The school's documents (.docx and print pages), made by the document worker.
//!
//! The code that builds and renders documents (the `export` crate with docx-rs) is a separate
//! wasm module, `export-worker`, which is **not in the app's first download**: it is started
//! the first time someone asks for a document, and the service worker keeps it for offline use.
//! On this thread the app only reads the school's records into [`SchoolData`] (`export` without
//! its `docx` feature) and posts them to the worker with the [`Document`] wanted.

use std::cell::RefCell;
use std::collections::HashMap;

use export::worker::{Format, READY, Reply, Request, SCRIPT};
use export::{Document, SchoolData};
use futures::channel::oneshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::repo::Repo;

/// A document made by the worker.
#[derive(Clone, Debug)]
pub struct Made {
    pub file_name: String,
    /// The Russian labels of the fields that were empty (blank lines in the document).
    pub missing: Vec<String>,
    pub content: Content,
}

#[derive(Clone, Debug)]
pub enum Content {
    /// A .docx or .xlsx file.
    File(Vec<u8>),
    /// What a job that makes no file answered (sheets read, an import planned).
    Json(String),
    Html(String),
}

/// Everything the documents of academic year `year` need, read from the documents this device
/// holds (reactive, like [`Repo::read`]).
pub fn school_data(repo: &Repo, year: &str) -> Result<SchoolData, String> {
    let school = repo.school().ok_or("Планшет ещё не подключён к школе.")?;
    let people = repo.people();
    let today = chrono::Local::now().date_naive();
    repo.read(&school, |d| {
        export::read(d, &|id| people.get(id).cloned(), today, year)
    })
    .and_then(|r| r)
    .map_err(|e| e.to_string())
}

/// The year whose records `document` is made from: a programme's or a pair's own year (the
/// document of last year's pair is made from last year, whichever year is chosen), else `chosen`.
pub fn year_of(repo: &Repo, document: &Document, chosen: String) -> String {
    use model::year::InYear;
    let (programme, pair) = match document {
        Document::Programme { programme }
        | Document::PairsTable { programme }
        | Document::ProgrammeConsents { programme } => (Some(programme), None),
        Document::PersonalProgramme { pair }
        | Document::IndividualPlan { pair }
        | Document::Agreement { pair }
        | Document::PairConsents { pair } => (None, Some(pair)),
        Document::MonitoringReport { period } => {
            return model::monitoring::Period::parse(period)
                .map(|p| p.academic_year())
                .unwrap_or(chosen);
        }
        _ => (None, None),
    };
    let Some(school) = repo.school() else {
        return chosen;
    };
    repo.read(&school, |d| {
        let programmes = model::School::list::<model::Programme>(d).unwrap_or_default();
        if let Some(id) = programme {
            return programmes
                .iter()
                .find(|(p, _)| p.as_str() == id)
                .map(|(_, p)| p.academic_year());
        }
        let id = pair?;
        model::School::get::<model::Pair>(d, &model::RecordId::new(id.clone()))
            .ok()
            .map(|p| model::year::pair_year(&p, &programmes))
    })
    .ok()
    .flatten()
    .unwrap_or(chosen)
}

/// `data` with the half-years' monitorings computed, for what shows them (the аналитическая
/// справка, the monitoring's tables); [`school_data`] leaves them out, since every other
/// document and table would compute them for nothing.
pub fn with_monitorings(repo: &Repo, mut data: SchoolData) -> Result<SchoolData, String> {
    let school = repo.school().ok_or("Планшет ещё не подключён к школе.")?;
    let people = repo.people();
    let today = chrono::Local::now().date_naive();
    data.monitorings = repo
        .read(&school, |d| {
            export::read_monitorings(d, &|id| people.get(id).cloned(), today)
        })
        .and_then(|r| r)
        .map_err(|e| e.to_string())?;
    Ok(data)
}

/// Makes `document` in `format`, starting the worker if it is not running.
pub async fn make(data: SchoolData, document: Document, format: Format) -> Result<Made, String> {
    ask(Request::document(data, document, format)).await
}

fn json<T: serde::de::DeserializeOwned>(made: Made) -> Result<T, String> {
    match made.content {
        Content::Json(json) => serde_json::from_str(&json)
            .map_err(|e| format!("Ответ модуля документов не читается (обновите страницу): {e}")),
        _ => Err(WORKER_FAILED.to_owned()),
    }
}

/// Reads a spreadsheet (people to import) in the worker: its sheets, each with the mapping its
/// headers suggest.
pub async fn read_sheets(
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<export::worker::Sheets, String> {
    let request = Request {
        job: export::worker::Job::ReadSheets {
            file_name: file_name.to_owned(),
        },
    };
    json(ask_with(request, Some(bytes)).await?)
}

/// Plans the import of a sheet in the worker (a thousand rows do not hold up the screen).
pub async fn plan_import(
    sheet: export::import::Sheet,
    mapping: export::import::Mapping,
    existing: Vec<export::import::ExistingPerson>,
) -> Result<export::import::ImportPlan, String> {
    let request = Request {
        job: export::worker::Job::PlanImport {
            sheet,
            mapping,
            existing,
            today: chrono::Local::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string(),
        },
    };
    json(ask(request).await?)
}

/// Makes a spreadsheet of the school's bases and registers and offers it as a download.
pub async fn table(data: SchoolData, table: export::tables::Table) -> Result<Made, String> {
    let made = ask(Request::table(data, table)).await?;
    if let Content::File(bytes) = &made.content {
        crate::download::offer(&made.file_name, XLSX_MIME, bytes)?;
    }
    Ok(made)
}

async fn ask(request: Request) -> Result<Made, String> {
    ask_with(request, None).await
}

async fn ask_with(request: Request, bytes: Option<Vec<u8>>) -> Result<Made, String> {
    let request = request.to_json();
    let (send, receive) = oneshot::channel();
    CLIENT.with(|c| c.borrow_mut().send(request, bytes, send))?;
    receive
        .await
        .unwrap_or_else(|_| Err(WORKER_FAILED.to_owned()))
}

/// Makes the .docx and offers it as a download.
pub async fn download(data: SchoolData, document: Document) -> Result<Made, String> {
    let made = make(data, document, Format::Docx).await?;
    if let Content::File(bytes) = &made.content {
        crate::download::offer(&made.file_name, DOCX_MIME, bytes)?;
    }
    Ok(made)
}

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub const DOCX_MIME: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const WORKER_FAILED: &str = "Модуль документов не загрузился. Он загружается при первом обращении к документам, когда есть связь с сервером; после этого документы делаются и без связи.";

type Pending = oneshot::Sender<Result<Made, String>>;

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client::default());
}

/// The worker, started on first use. Requests wait until it said [`READY`]; if it fails (its
/// files could not be loaded, or it crashed), every waiting request fails with a message and
/// the next request starts a new worker.
#[derive(Default)]
struct Client {
    worker: Option<Running>,
    next: u32,
}

struct Running {
    worker: web_sys::Worker,
    ready: bool,
    queue: Vec<(u32, String, Option<Vec<u8>>)>,
    pending: HashMap<u32, Pending>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl Client {
    fn send(
        &mut self,
        request: String,
        bytes: Option<Vec<u8>>,
        reply: Pending,
    ) -> Result<(), String> {
        if self.worker.is_none() {
            self.worker = Some(start()?);
        }
        self.next = self.next.wrapping_add(1);
        let id = self.next;
        let Some(running) = self.worker.as_mut() else {
            return Err(WORKER_FAILED.to_owned());
        };
        running.pending.insert(id, reply);
        if running.ready {
            if !post(&running.worker, id, &request, bytes.as_deref()) {
                running.pending.remove(&id);
                return Err(WORKER_FAILED.to_owned());
            }
        } else {
            running.queue.push((id, request, bytes));
        }
        Ok(())
    }
}

/// Whether the request was posted.
fn post(worker: &web_sys::Worker, id: u32, request: &str, bytes: Option<&[u8]>) -> bool {
    let message = js_sys::Array::of2(&id.into(), &request.into());
    match bytes {
        // The file goes beside the request, its buffer transferred rather than copied.
        Some(bytes) => {
            let array = js_sys::Uint8Array::from(bytes);
            message.push(&array);
            let transfer = js_sys::Array::of1(&array.buffer());
            worker
                .post_message_with_transfer(&message, &transfer)
                .is_ok()
        }
        None => worker.post_message(&message).is_ok(),
    }
}

fn start() -> Result<Running, String> {
    let worker = web_sys::Worker::new(SCRIPT).map_err(|_| WORKER_FAILED.to_owned())?;
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
        received(ev.data());
    });
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        ev.prevent_default();
        fail_all();
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        ready: false,
        queue: vec![],
        pending: HashMap::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn received(data: JsValue) {
    if data.as_string().as_deref() == Some(READY) {
        let posted = CLIENT.with(|c| {
            let mut client = c.borrow_mut();
            let Some(running) = client.worker.as_mut() else {
                return true;
            };
            running.ready = true;
            std::mem::take(&mut running.queue)
                .into_iter()
                .all(|(id, request, bytes)| post(&running.worker, id, &request, bytes.as_deref()))
        });
        if !posted {
            fail_all();
        }
        return;
    }
    let message = js_sys::Array::from(&data);
    let Some(id) = message.get(0).as_f64().map(|n| n as u32) else {
        return;
    };
    let reply = Reply::from_json(&message.get(1).as_string().unwrap_or_default());
    let payload = message.get(2);
    let result = match reply.error {
        Some(e) => Err(e),
        None => {
            let content = if let Some(html) = payload.as_string() {
                Some(Content::Html(html))
            } else if let Some(a) = payload.dyn_ref::<js_sys::Uint8Array>() {
                Some(Content::File(a.to_vec()))
            } else {
                Some(Content::Json(reply.json))
            };
            content
                .map(|content| Made {
                    file_name: reply.file_name,
                    missing: reply.missing,
                    content,
                })
                .ok_or_else(|| WORKER_FAILED.to_owned())
        }
    };
    let waiting = CLIENT.with(|c| {
        c.borrow_mut()
            .worker
            .as_mut()
            .and_then(|r| r.pending.remove(&id))
    });
    if let Some(waiting) = waiting {
        let _ = waiting.send(result);
    }
}

/// The worker failed: every waiting request fails, and the next one starts a new worker.
fn fail_all() {
    let stopped = CLIENT.with(|c| c.borrow_mut().worker.take());
    if let Some(mut running) = stopped {
        running.worker.terminate();
        for (_, waiting) in running.pending.drain() {
            let _ = waiting.send(Err(WORKER_FAILED.to_owned()));
        }
        // This may run inside one of the worker's handlers: they are dropped after it returns.
        leptos::task::spawn_local(async move { drop(running) });
    }
}
