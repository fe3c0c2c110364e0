//! Presentational pieces shared by pages.

pub mod chart;
mod fields;
pub mod history;
pub mod picker;
pub mod status;
mod undo;
pub mod year;

pub use fields::{
    CheckField, Columns, Notice, RowsEditor, SelectField, TextField, Writes, not_joined, options,
};
pub use history::RecordHistory;
pub use status::{ReceivingBanner, SaveBanner, StatusBar, unsent_text};
pub use undo::{Undo, UndoToast, confirm};
pub use year::{RolloverPanel, Year, YearPicker};
