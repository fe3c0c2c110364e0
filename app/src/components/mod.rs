//! Presentational pieces shared by pages.

mod status;

pub use status::{SaveBanner, StatusBar};
