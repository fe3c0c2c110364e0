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
    out.extend(&b[first.at + first.len..second.at]);
    out.extend(&second.insert);
    out.extend(&b[second.at + second.len..]);
    out.into_iter().collect()
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
