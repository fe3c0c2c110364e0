//! Merging what a user typed into a field with what arrived meanwhile from another tablet.
//!
//! A screen shows a text, the user edits it, and only when they leave the field is it written.
//! If another tablet changed the same text in between, writing the user's version as it is would
//! undo that change. [`merge_text`] rebases the user's edit onto the current text instead: each
//! side's edit is the span between the common prefix and suffix it shares with the text both
//! started from; when the spans do not overlap, both are kept.

/// One edit of `base`: replace `len` chars at `at` with `insert`.
struct Edit {
    at: usize,
    len: usize,
    insert: Vec<char>,
}

fn edit(base: &[char], new: &[char]) -> Edit {
    let prefix = base.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = base.len().min(new.len()) - prefix;
    let suffix = base
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    Edit {
        at: prefix,
        len: base.len() - prefix - suffix,
        insert: new[prefix..new.len() - suffix].to_vec(),
    }
}

/// The text to write when the user turned `base` into `mine` while the stored text became
/// `theirs`. Non-overlapping edits are both kept; overlapping ones keep the user's (a true
/// conflict on the same words: the user sees their text, which is what they just typed).
pub fn merge_text(base: &str, mine: &str, theirs: &str) -> String {
    if theirs == base || mine == theirs {
        return mine.to_owned();
    }
    if mine == base {
        return theirs.to_owned();
    }
    let (b, m, t): (Vec<char>, Vec<char>, Vec<char>) = (
        base.chars().collect(),
        mine.chars().collect(),
        theirs.chars().collect(),
    );
    let (my, their) = (edit(&b, &m), edit(&b, &t));
    // At the same place, what is already stored comes first.
    let (first, second) = if my.at < their.at {
        (&my, &their)
    } else {
        (&their, &my)
    };
    if first.at + first.len > second.at {
        return mine.to_owned();
    }
    let mut out: Vec<char> = b[..first.at].to_vec();
    out.extend(&first.insert);
    // Two texts added at the same boundary between words (an empty note, the end of one) are
    // two contributions: kept apart, not glued into one word.
    if first.at == second.at
        && first.len == 0
        && !first.insert.is_empty()
        && !second.insert.is_empty()
        && at_word_boundary(&b, first.at)
        && !first.insert.last().is_some_and(|c| c.is_whitespace())
        && !second.insert.first().is_some_and(|c| c.is_whitespace())
    {
        out.push(
            if first.insert.contains(&'\n') || second.insert.contains(&'\n') {
                '\n'
            } else {
                ' '
            },
        );
    }
    out.extend(&b[first.at + first.len..second.at]);
    out.extend(&second.insert);
    out.extend(&b[second.at + second.len..]);
    out.into_iter().collect()
}

/// What a form field does between the stored value and what the user types (the app's text
/// field runs this): while the user has a value of their own in the field, nothing stored
/// replaces it; leaving the field writes a free text rebased with [`merge_text`], or a structured
/// value (a date, a number, a class) exactly as typed; a refused value stays in the field and is
/// never the base of the next edit, which stays the stored value it was typed over.
#[derive(Clone, Debug, Default)]
pub struct FieldEditor {
    structured: bool,
    base: String,
    dirty: bool,
}

impl FieldEditor {
    pub fn new(structured: bool) -> Self {
        FieldEditor {
            structured,
            base: String::new(),
            dirty: false,
        }
    }

    /// The stored value is now `value`: what the field should show, if anything.
    pub fn stored(&mut self, value: &str) -> Option<String> {
        if self.dirty {
            return None;
        }
        self.base = value.to_owned();
        Some(value.to_owned())
    }

    /// The user typed in the field.
    pub fn typed(&mut self) {
        self.dirty = true;
    }

    /// What to write when the user leaves the field with `mine` in it.
    pub fn to_write(&self, mine: &str, stored: &str) -> String {
        if self.structured {
            mine.to_owned()
        } else {
            merge_text(&self.base, mine, stored)
        }
    }

    /// The write was `accepted` (the field follows `stored` again) or refused (it keeps
    /// what was typed, and its base).
    pub fn written(&mut self, accepted: bool, stored: &str) {
        if accepted {
            self.dirty = false;
            self.base = stored.to_owned();
        } else {
            self.dirty = true;
        }
    }
}

fn at_word_boundary(text: &[char], at: usize) -> bool {
    let before = at.checked_sub(1).and_then(|i| text.get(i));
    let after = text.get(at);
    before.is_none_or(|c| c.is_whitespace()) || after.is_none_or(|c| c.is_whitespace())
}

/// Writes a free note (a meeting's notes, feedback, a person's note) so that another device's
/// addition made at the same time stays a separate word: a non-empty note is stored ending with
/// one space, so whatever a device adds at its end goes in *before* that space together with a
/// space of its own, and two additions at the end of a note (or to an empty one) read
/// «…прошла хорошо. Принести анкеты. Позвонить родителям.», never «анкеты.Позвонить». Readers
/// show the note with trailing whitespace trimmed.
pub fn write_note(text: &mut autosurgeon::Text, value: &str) {
    let value = value.trim_end();
    if value.is_empty() {
        text.update("");
    } else {
        text.update(format!("{value} "));
    }
}

/// A note as written by [`write_note`], for a new record.
pub fn new_note(value: &str) -> autosurgeon::Text {
    let value = value.trim_end();
    autosurgeon::Text::with_value(if value.is_empty() {
        String::new()
    } else {
        format!("{value} ")
    })
}

#[cfg(test)]
mod tests {
    use super::merge_text;

    #[test]
    fn both_edits_are_kept_when_they_do_not_overlap() {
        let base = "Встречи по вторникам.";
        assert_eq!(
            merge_text(
                base,
                "Встречи по вторникам. Взять анкеты.",
                "Еженедельно: встречи по вторникам."
            ),
            "Еженедельно: встречи по вторникам. Взять анкеты."
        );
        // The same, the other way round.
        assert_eq!(
            merge_text(
                base,
                "Еженедельно: встречи по вторникам.",
                "Встречи по вторникам. Взять анкеты."
            ),
            "Еженедельно: встречи по вторникам. Взять анкеты."
        );
        // Insertions at the same place are both kept, theirs first.
        assert_eq!(merge_text("аб", "аXб", "аYб"), "аYXб");
        // At a boundary between words they stay two words.
        assert_eq!(
            merge_text("", "Принести анкеты.", "Позвонить."),
            "Позвонить. Принести анкеты."
        );
        assert_eq!(merge_text("Итог. ", "Итог. Б", "Итог. А"), "Итог. А Б");
        assert_eq!(merge_text("Итог.", "Итог.\nБ", "Итог.\nА"), "Итог.\nА\nБ");
    }

    #[test]
    fn trivial_cases_and_overlaps() {
        assert_eq!(merge_text("а", "б", "а"), "б", "nobody else changed it");
        assert_eq!(merge_text("а", "а", "в"), "в", "the user changed nothing");
        assert_eq!(merge_text("мама", "папа", "мама мыла"), "папа мыла");
        assert_eq!(
            merge_text("кот", "кит", "кут"),
            "кит",
            "overlapping: the user's version"
        );
    }
}
