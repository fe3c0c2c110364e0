//! One module per screen (or group of screens).

mod archive;
mod count;
pub(crate) mod documents;
pub(crate) mod home;
mod import;
mod join;
mod monitoring;
pub(crate) mod pairs;
pub(crate) mod people;
mod programme;
pub mod school;
mod settings;

pub use archive::Archive;
pub use count::Count;
pub use documents::{Documents, DocumentsCard};
pub use home::Home;
pub use import::ImportPeople;
pub use join::Join;
pub use monitoring::MonitoringPage;
pub use pairs::{MeetingPage, NewPair, PairPage, PairsList};
pub use people::{FillQuestionnaire, NewPerson, PeopleList, PersonPage};
pub use programme::{EditProgramme, NewProgramme};
pub use school::{
    DuePanel, Events, MissingDocumentsPanel, ProgressPanel, QuestionnairePage, Questionnaires,
    Roadmap,
};
pub use settings::Settings;
