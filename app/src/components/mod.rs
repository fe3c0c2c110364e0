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

use leptos::prelude::*;

/// How many lines of a long list to draw: `first` at once, then `step` more after each frame
/// the browser paints, until `total()`. A roadmap of a hundred editable lines shows its top at
/// once and answers a tap between slices instead of building every field in one task. A list
/// that grows (a line added) is followed.
pub fn reveal(
    total: impl Fn() -> usize + Send + Sync + 'static,
    first: usize,
    step: usize,
) -> Signal<usize> {
    let shown = RwSignal::new(first);
    Effect::new(move |_| {
        if shown.get() < total() {
            request_animation_frame(move || {
                // After the frame is painted: a task queued from the frame's callback.
                set_timeout(
                    move || {
                        // Gone with its screen: nothing to draw.
                        let _ = shown.try_update(|n| *n += step);
                    },
                    std::time::Duration::ZERO,
                );
            });
        }
    });
    shown.into()
}
