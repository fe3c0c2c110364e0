//! Small charts: plain SVG, readable on a tablet and in print, no script.

use leptos::prelude::*;

/// A labelled horizontal bar for «`value` из `of`», with the figure beside it.
pub fn share_bar(label: String, value: u64, of: u64) -> impl IntoView + use<> {
    let percent = (of > 0).then(|| (value * 100 / of).min(100));
    let shown = match percent {
        Some(p) => format!("{value} из {of} ({p} %)"),
        None => "нет данных".to_owned(),
    };
    let width = percent.unwrap_or(0) as f64 * 2.4;
    view! {
        <div class="bar-row" data-testid="share-bar">
            <span class="bar-label">{label}</span>
            <svg class="bar" viewBox="0 0 240 16" width="240" height="16" role="img" aria-label=shown.clone()>
                <rect x="0" y="0" width="240" height="16" fill="#eceff1" />
                <rect x="0" y="0" width=width height="16" fill="#28527a" />
            </svg>
            <span class="bar-value">{shown}</span>
        </div>
    }
}
