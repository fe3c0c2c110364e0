//! The mentorship domain (the Ministry's target model, Р-145) as Automerge documents.
//!
//! Everything here runs natively and in the browser alike: the app calls these functions inside
//! its document transactions, and the tests call them on plain `Automerge` values, two replicas
//! at a time, to check the merge rules in `ARCHITECTURE.md`.

mod form;
mod programme;
pub mod ru;
mod school;

pub use form::Form;
pub use programme::{Programme, ProgrammeDraft, ProgrammeField, ProgrammeId, ValidationError};
pub use school::{ModelError, SCHEMA_VERSION, SchemaStatus, School};
