//! The home screen as the last visit stored it: what the programme list and the year picker
//! show, kept in IndexedDB beside the school's document so the next start paints them while
//! that document is still being parsed (at five times the demo year, parsing it is most of a
//! budget tablet's start).
//!
//! **Invariant:** a [`HomeView`] is used only if it names exactly the chunks the school's
//! document is stored as ([`HomeView::chunks`]). The writer stores it in the same IndexedDB
//! transaction as those chunks ([`crate::storage::Storage::save_many`]); anything else that
//! changes the stored document (another tab, a failed write, an older app) leaves a view
//! whose chunks no longer match, and the start then parses the document as it always did.
//! The view is replaced by the live screens as soon as the document is parsed.

use model::year::InYear;
use model::{Programme, ProgrammeId};
use serde::{Deserialize, Serialize};

/// The format written; any other is ignored (and rewritten at the next save).
const VERSION: u32 = 1;
/// A school with more programmes than this is not cached (the screen then waits for the
/// document): the stored view stays small.
pub const MAX_CARDS: usize = 200;
/// Characters of a programme's title kept (titles are validated shorter; a hostile device's
/// may not be).
pub const TITLE_CHARS: usize = 300;
/// Characters of a programme's note a card shows.
pub const NOTE_CHARS: usize = 160;
/// A stored view longer than this is not read.
pub const MAX_STORED: usize = 256 * 1024;

/// What a programme's card on the home screen shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Card {
    pub id: String,
    pub title: String,
    /// The first [`NOTE_CHARS`] characters of the explanatory note.
    pub note: String,
    /// The form's label («Ученик – ученик»).
    pub form: String,
    pub year: String,
    pub removed: bool,
}

impl Card {
    pub fn of(id: &ProgrammeId, p: &Programme) -> Card {
        Card {
            id: id.to_string(),
            title: p.title.as_str().chars().take(TITLE_CHARS).collect(),
            note: p.note.as_str().chars().take(NOTE_CHARS).collect(),
            form: p.form().label().to_owned(),
            year: p.academic_year(),
            removed: p.is_removed(),
        }
    }
}

/// The home screen of a school as stored with its document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    version: u32,
    /// The school's document id.
    pub school: String,
    /// The keys of the chunks the school's document was stored as when this was written,
    /// sorted.
    pub chunks: Vec<String>,
    pub name: String,
    /// People in the register (not removed).
    pub people: usize,
    /// The year picker's years, newest first.
    pub years: Vec<String>,
    pub programmes: Vec<Card>,
}

impl HomeView {
    /// The view of a school whose document is stored as `chunks`; `None` for a school too big
    /// to cache.
    pub fn new(
        school: String,
        mut chunks: Vec<String>,
        name: String,
        people: usize,
        years: Vec<String>,
        programmes: Vec<Card>,
    ) -> Option<HomeView> {
        if programmes.len() > MAX_CARDS {
            return None;
        }
        chunks.sort();
        chunks.dedup();
        Some(HomeView {
            version: VERSION,
            school,
            chunks,
            name,
            people,
            years,
            programmes,
        })
    }

    /// The view as stored; `None` if it would be longer than [`MAX_STORED`] (it would not be
    /// read back).
    pub fn encode(&self) -> Option<String> {
        serde_json::to_string(self)
            .ok()
            .filter(|text| text.len() <= MAX_STORED)
    }

    /// The stored view, if it is one this app writes.
    pub fn decode(text: &str) -> Option<HomeView> {
        if text.len() > MAX_STORED {
            return None;
        }
        serde_json::from_str::<HomeView>(text)
            .ok()
            .filter(|v| v.version == VERSION)
    }

    /// Whether this view describes `school` stored as exactly `chunks`.
    pub fn matches(&self, school: &str, chunks: &[String]) -> bool {
        let mut chunks = chunks.to_vec();
        chunks.sort();
        chunks.dedup();
        self.school == school && self.chunks == chunks
    }

    /// Whether the home screen in `year` is the programme list alone. A school still taking
    /// its first steps (no one in the register, no programme this year) shows them, and they
    /// read the school's document: it waits for it.
    pub fn shows_list_alone(&self, year: &str) -> bool {
        self.people > 0 && self.programmes.iter().any(|c| !c.removed && c.is_in(year))
    }
}

impl InYear for Card {
    fn academic_year(&self) -> String {
        self.year.clone()
    }
}
