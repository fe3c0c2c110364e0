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
/// that grows (a line added) is followed; one slice waits at a time, however often the list
/// changes meanwhile. A tab in the background paints no frames: its lines follow when it is
/// shown.
pub fn reveal(
    total: impl Fn() -> usize + Send + Sync + 'static,
    first: usize,
    step: usize,
) -> Signal<usize> {
    let step = step.max(1);
    let shown = RwSignal::new(first);
    let waiting = StoredValue::new(false);
    Effect::new(move |_| {
        if shown.get() < total() && !waiting.get_value() {
            waiting.set_value(true);
            request_animation_frame(move || {
                // After the frame is painted: a task queued from the frame's callback.
                set_timeout(
                    move || {
                        // Gone with its screen: nothing to draw.
                        if waiting.try_set_value(false).is_none() {
                            let _ = shown.try_update(|n| *n += step);
                        }
                    },
                    std::time::Duration::ZERO,
                );
            });
        }
    });
    shown.into()
}
