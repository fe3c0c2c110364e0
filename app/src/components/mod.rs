//! Presentational pieces shared by pages.

mod fields;
pub mod status;

pub use fields::{
    CheckField, Columns, Notice, RowsEditor, SelectField, TextField, Writes, not_joined, options,
};
pub use status::{ReceivingBanner, SaveBanner, StatusBar, unsent_text};
