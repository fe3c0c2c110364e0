//! The mentorship domain (the Ministry's target model, Р-145) as Automerge documents.
//!
//! Everything here runs natively and in the browser alike: the app calls these functions inside
//! its document transactions, and the tests call them on plain `Automerge` values, two replicas
//! at a time, to check the merge rules in `ARCHITECTURE.md`.
//!
//! Two kinds of document: the school's ([`School`]), with everything that is not personal data,
//! and one per person ([`PersonDoc`]), with everything that is.

pub mod count;
mod deadline;
pub mod demo;
pub mod due;
mod form;
pub mod history;
pub mod monitoring;
mod pair;
mod person;
mod programme;
mod questionnaire;
mod record;
mod roadmap;
mod row;
pub mod ru;
mod school;
pub mod search;
pub mod suggest;
pub mod template;
mod text;
pub mod validate;
pub mod year;

pub use deadline::{Deadline, parse_date};
pub use form::Form;
pub use pair::{
    MEETING_KINDS, Meeting, MeetingField, MeetingId, PAIR_FORMATS, PAIR_STATUSES, PAIR_TERMS,
    PHASES, PLAN_STATUSES, Pair, PairDraft, PairField, PairId, Phase, RESULT_KINDS, label,
};
pub use person::{
    CONSENT_AGREEMENT, CONSENT_KINDS, CONSENT_PERSONAL_DATA, Consent, MenteeProfile, MentorProfile,
    PERSON_SCHEMA, Person, PersonDoc, PersonDraft, PersonEntry, PersonField, REQUEST_SOURCES,
    Request, Role, SIGNER_REPRESENTATIVE, SIGNER_SELF,
};
pub use programme::{
    IMPLEMENTATION_STAGES, Programme, ProgrammeDraft, ProgrammeField, ProgrammeId, ProgrammeList,
    STAGE_STATUSES, ValidationError,
};
pub use questionnaire::{
    AUDIENCES, Comparison, QUESTION_KINDS, Question, Questionnaire, QuestionnaireField,
    QuestionnaireId, STAGE_ENTRY, STAGE_FINAL, STAGES, YES_NO, compare,
};
pub use record::{Read, Record, RecordId, Write};
pub use roadmap::{
    EVENT_KINDS, Event, EventField, Indicator, Measure, MissingDocuments, ROW_STATUSES, Records,
    RoadmapField, RoadmapRow, SECTIONS, compute, missing_documents,
};
pub use row::{Row, RowEdit};
pub use school::{
    MAX_SCHEMA_STEP, ModelError, ProfileField, SCHEMA_VERSION, SchemaStatus, School, schema_writer,
};
pub use text::{FieldEditor, merge_text, new_note, write_note};
