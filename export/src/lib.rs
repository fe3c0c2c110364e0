//! The documents a school signs, files and sends, assembled from its records: programmes,
//! individual plans, orders, consents, agreements, the roadmap, the media plan and the table of
//! pairs.
//!
//! One path for every document: [`read`] turns the Automerge documents into a plain
//! [`SchoolData`]; [`assemble`] builds a [`Document`] from it into a format-free [`Tree`] and
//! notes the fields it found empty; the tree is rendered to .docx ([`Assembled::docx`]) and to
//! print HTML ([`Assembled::html`]). No file system, clock, threads or browser: the same code
//! runs in tests and in a web worker.

pub mod documents;
#[cfg(feature = "docx")]
pub mod docx;
pub mod html;
pub mod import;
pub mod read;
pub mod tables;
pub mod texts;
pub mod tree;
pub mod view;
pub mod worker;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use serde::{Deserialize, Serialize};

pub use read::{read, read_monitorings};
pub use tree::Tree;
pub use view::MonitoringView;
pub use view::{
    EventView, Official, PairView, PersonView, PhaseView, ProgrammeView, RoadmapRowView, RowView,
    SchoolData, SchoolProfile,
};

use documents::Ctx;

/// A document the school can produce, with the records it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Document {
    /// A programme by form, with all its pairs.
    Programme {
        programme: String,
    },
    /// The personalised programme of one pair.
    PersonalProgramme {
        pair: String,
    },
    /// The individual plan of a pair or group.
    IndividualPlan {
        pair: String,
    },
    /// Order on introducing the target model and appointing the curator.
    OrderTargetModel {
        number: String,
        date: String,
    },
    /// Order approving programmes (all of them when the list is empty) and the roadmap.
    OrderApproval {
        programmes: Vec<String>,
        number: String,
        date: String,
    },
    /// Order fixing the pairs the curator selected. An empty number or date is taken from the
    /// pairs when they all share it.
    OrderPairs {
        pairs: Vec<String>,
        number: String,
        date: String,
    },
    /// A participant's consent to personal-data processing (a parent's for a minor).
    Consent {
        person: String,
    },
    /// A blank consent form: an adult's own, or a parent's.
    ConsentBlank {
        minor: bool,
    },
    /// The consents of every participant of a pair, in one file.
    PairConsents {
        pair: String,
    },
    /// The consents of every participant of a programme's pairs, in one file.
    ProgrammeConsents {
        programme: String,
    },
    /// The mentor–mentee agreement(s) of a pair: one per mentee.
    Agreement {
        pair: String,
    },
    Roadmap,
    MediaPlan,
    /// The table of a programme's pairs with their three phases.
    PairsTable {
        programme: String,
    },
    /// The аналитическая справка of a half-year's monitoring («2026-12»).
    MonitoringReport {
        period: String,
    },
}

impl Document {
    /// What the «Документы» screen calls it.
    pub fn label(&self) -> &'static str {
        match self {
            Document::Programme { .. } => "Программа наставничества",
            Document::PersonalProgramme { .. } => "Персонализированная программа",
            Document::IndividualPlan { .. } => "Индивидуальный план",
            Document::OrderTargetModel { .. } => {
                "Приказ о внедрении целевой модели и назначении куратора"
            }
            Document::OrderApproval { .. } => "Приказ об утверждении программ и дорожной карты",
            Document::OrderPairs { .. } => "Приказ о закреплении наставнических пар",
            Document::Consent { .. } => "Согласие на обработку персональных данных",
            Document::ConsentBlank { minor: false } => "Бланк согласия на обработку данных",
            Document::ConsentBlank { minor: true } => {
                "Бланк согласия родителя (законного представителя)"
            }
            Document::PairConsents { .. } => "Согласия участников пары",
            Document::ProgrammeConsents { .. } => "Согласия участников программы",
            Document::Agreement { .. } => "Соглашение между наставником и наставляемым",
            Document::Roadmap => "Дорожная карта",
            Document::MediaPlan => "Медиаплан",
            Document::PairsTable { .. } => "Таблица наставнических пар",
            Document::MonitoringReport { .. } => "Аналитическая справка по итогам мониторинга",
        }
    }

    /// Every document about the school as a whole and each of its programmes and pairs: what
    /// the «Документы» screen lists (personal consents are on each person's page).
    pub fn catalogue(data: &SchoolData) -> Vec<Document> {
        let mut out = vec![
            Document::OrderTargetModel {
                number: String::new(),
                date: String::new(),
            },
            Document::OrderApproval {
                programmes: vec![],
                number: String::new(),
                date: String::new(),
            },
            Document::OrderPairs {
                pairs: data
                    .pairs
                    .iter()
                    .filter(|p| p.active)
                    .map(|p| p.id.clone())
                    .collect(),
                number: String::new(),
                date: String::new(),
            },
            Document::Roadmap,
            Document::MediaPlan,
            Document::ConsentBlank { minor: false },
            Document::ConsentBlank { minor: true },
        ];
        for p in &data.programmes {
            out.push(Document::Programme {
                programme: p.id.clone(),
            });
            out.push(Document::PairsTable {
                programme: p.id.clone(),
            });
            out.push(Document::ProgrammeConsents {
                programme: p.id.clone(),
            });
        }
        for p in &data.pairs {
            out.push(Document::PersonalProgramme { pair: p.id.clone() });
            out.push(Document::IndividualPlan { pair: p.id.clone() });
            out.push(Document::Agreement { pair: p.id.clone() });
            out.push(Document::PairConsents { pair: p.id.clone() });
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("{0} не найдена.")]
    NotFound(&'static str),
}

/// An assembled document: its tree and the fields that were empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assembled {
    pub tree: Tree,
    /// The Russian labels of the fields found empty, in the order met: the document has blank
    /// lines in their place, and the screen says which they were.
    pub missing: Vec<String>,
    /// «Программа наставничества «Служба учебной помощи».docx».
    pub file_name: String,
}

impl Assembled {
    /// The .docx file.
    #[cfg(feature = "docx")]
    pub fn docx(&self) -> Vec<u8> {
        docx::render(&self.tree)
    }

    /// The print view: a whole HTML page.
    pub fn html(&self) -> String {
        html::render(&self.tree)
    }
}

/// Builds `doc` from `data`.
pub fn assemble(data: &SchoolData, doc: &Document) -> Result<Assembled, ExportError> {
    let mut ctx = Ctx::new(data);
    let programme = |id: &str| data.programme(id).ok_or(ExportError::NotFound("Программа"));
    let pair = |id: &str| data.pair(id).ok_or(ExportError::NotFound("Пара"));
    let tree = match doc {
        Document::Programme { programme: id } => {
            documents::programme::build(&mut ctx, programme(id)?, None)
        }
        Document::PersonalProgramme { pair: id } => {
            let pair = pair(id)?;
            documents::programme::build(&mut ctx, programme(&pair.programme)?, Some(pair))
        }
        Document::IndividualPlan { pair: id } => {
            let pair = pair(id)?;
            documents::plan::individual(&mut ctx, pair, data.programme(&pair.programme))
        }
        Document::OrderTargetModel { number, date } => {
            documents::order::target_model(&mut ctx, number, date)
        }
        Document::OrderApproval {
            programmes,
            number,
            date,
        } => {
            let list: Vec<&ProgrammeView> = if programmes.is_empty() {
                data.programmes.iter().collect()
            } else {
                programmes
                    .iter()
                    .map(|id| programme(id))
                    .collect::<Result<_, _>>()?
            };
            documents::order::approve(&mut ctx, &list, number, date)
        }
        Document::OrderPairs {
            pairs,
            number,
            date,
        } => {
            let list: Vec<&PairView> = pairs.iter().map(|id| pair(id)).collect::<Result<_, _>>()?;
            documents::order::pairs(&mut ctx, &list, number, date)
        }
        Document::Consent { person } => {
            let p = data
                .person(person)
                .filter(|p| !p.erased)
                .ok_or(ExportError::NotFound("Участник"))?;
            documents::consent::single(&mut ctx, p)
        }
        Document::ConsentBlank { minor } => documents::consent::blank(&mut ctx, *minor),
        Document::PairConsents { pair: id } => {
            let pair = pair(id)?;
            let people = participants(data, std::iter::once(pair));
            documents::consent::set(
                &mut ctx,
                "Согласия на обработку персональных данных участников пары".into(),
                &people,
            )
        }
        Document::ProgrammeConsents { programme: id } => {
            let p = programme(id)?;
            let people = participants(data, data.pairs_of(&p.id));
            documents::consent::set(
                &mut ctx,
                format!(
                    "Согласия на обработку персональных данных участников программы «{}»",
                    p.title
                ),
                &people,
            )
        }
        Document::Agreement { pair: id } => documents::agreement::build(&mut ctx, pair(id)?),
        Document::Roadmap => documents::roadmap::roadmap(&mut ctx),
        Document::MediaPlan => documents::roadmap::media_plan(&mut ctx),
        Document::PairsTable { programme: id } => {
            documents::plan::pairs_table(&mut ctx, programme(id)?)
        }
        Document::MonitoringReport { period } => {
            let m = data
                .monitorings
                .iter()
                .find(|m| m.period == *period)
                .ok_or(ExportError::NotFound("Справка"))?;
            documents::monitoring::build(&mut ctx, m)
        }
    };
    let file_name = format!("{}.docx", file_stem(&tree.title));
    Ok(Assembled {
        tree,
        missing: ctx.missing,
        file_name,
    })
}

/// The people of some pairs (mentors first, each once, erased ones left out).
fn participants<'a>(
    data: &'a SchoolData,
    pairs: impl Iterator<Item = &'a PairView>,
) -> Vec<&'a PersonView> {
    let mut out: Vec<&PersonView> = vec![];
    for pair in pairs {
        for id in pair.mentors.iter().chain(pair.mentees.iter()) {
            if let Some(p) = data.person(id).filter(|p| !p.erased)
                && !out.iter().any(|o| o.id == p.id)
            {
                out.push(p);
            }
        }
    }
    out
}

/// A file name from a title: no characters that file systems refuse, at most 120 characters.
fn file_stem(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    cleaned.trim().chars().take(120).collect()
}
