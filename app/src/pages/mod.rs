//! One module per screen.

pub(crate) mod home;
mod join;
mod programme;
mod settings;

pub use home::Home;
pub use join::Join;
pub use programme::{EditProgramme, NewProgramme};
pub use settings::Settings;
