//! Search as people type it on a tablet: ё and е are one letter, case and extra spaces do not
//! matter, and a class is found however it is written («6б», «6 Б», «6-Б»).
//!
//! The rule of [`matches()`]: the query is normalised and split into words at anything that is not
//! a letter or a digit; it matches when **every** query word is *contained in* (not only a prefix
//! of) some word of some haystack field, or in a whole field written without spaces and
//! punctuation. Containment rather than prefix, because Russian names and subjects come
//! hyphenated and inflected («Соколова-Белая», «физика и математика»), and because the people
//! list filtered this way before; with a few hundred people a short query that also matches
//! inside a word costs nothing. The whole-field form lets «6б» find «6 Б».

/// Lowercase, ё → е, runs of whitespace as one space, no leading or trailing space.
///
/// A «ё» written as «е» plus a combining diaeresis (some imported files) is «е» too, and «й»
/// written as «и» plus a combining breve is «й».
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            match c {
                'ё' => out.push('е'),
                // Combining diaeresis: «е\u{308}» is «ё», which is «е».
                '\u{308}' => {}
                // Combining breve: «и\u{306}» is «й».
                '\u{306}' if out.ends_with('и') => {
                    out.pop();
                    out.push('й');
                }
                c => out.push(c),
            }
        }
    }
    out
}

/// The words of `s`, normalised: split at anything that is not a letter or a digit.
pub fn words(s: &str) -> Vec<String> {
    normalise(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether every word of `query` is contained in a word of one of the `haystack` fields (or in a
/// whole field without spaces and punctuation). An empty query matches everything. See the
/// module's documentation for why containment.
pub fn matches(query: &str, haystack: &[&str]) -> bool {
    Haystack::new(haystack).matches(&Query::new(query))
}

/// A query, split and normalised once for every record it is matched against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<String>);

impl Query {
    pub fn new(query: &str) -> Self {
        Query(words(query))
    }

    /// No words: matches everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The searchable words of a record's fields, prepared once: a list searched as the user types
/// does not normalise a thousand people's names again for every key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Haystack(Vec<String>);

impl Haystack {
    pub fn new(fields: &[&str]) -> Self {
        let mut candidates: Vec<String> = Vec::new();
        for field in fields {
            let field_words = words(field);
            if field_words.len() > 1 {
                candidates.push(field_words.concat());
            }
            candidates.extend(field_words);
        }
        Haystack(candidates)
    }

    /// [`matches()`] against these fields.
    pub fn matches(&self, query: &Query) -> bool {
        query
            .0
            .iter()
            .all(|q| self.0.iter().any(|c| c.contains(q.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Person, Role};

    #[test]
    fn normalise_lowercases_treats_yo_as_ye_and_collapses_spaces() {
        assert_eq!(normalise("  Ёлкина   ЁЖИК\tАнна \n"), "елкина ежик анна");
        assert_eq!(normalise("Семён"), "семен");
        assert_eq!(normalise("Се\u{308}мен"), "семен");
        assert_eq!(normalise("Андреи\u{306}"), "андрей");
        assert_eq!(normalise("6\u{a0}Б"), "6 б");
        assert_eq!(normalise("   "), "");
    }

    #[test]
    fn yo_and_ye_find_each_other_both_ways() {
        assert!(matches("елкина", &["Ёлкина"]));
        assert!(matches("ЁЛКИНА", &["Елкина"]));
        assert!(matches("Фёдор", &["Федор"]));
        assert!(!matches("елкина", &["Ёжикова"]));
    }

    #[test]
    fn case_and_extra_spaces_do_not_matter() {
        let hay = ["Иванова", "Анна", "Петровна"];
        assert!(matches("  иванова   анна ", &hay));
        assert!(matches("ИВАНОВА", &hay));
        assert!(matches("анна иванова", &hay), "order of words is free");
        assert!(!matches("иванова мария", &hay), "every word must match");
        assert!(matches("иванова анна", &["Иванова Анна Петровна"]));
    }

    #[test]
    fn words_are_found_as_prefixes_and_inside_words() {
        assert!(matches("иван", &["Иванова"]));
        assert!(matches("петр", &["Соколова-Петрова"]));
        assert!(matches("матем", &["физика и математика"]));
        assert!(!matches("матан", &["физика и математика"]));
    }

    #[test]
    fn a_class_is_found_however_it_is_written() {
        assert!(matches("6б", &["6Б"]));
        assert!(matches("6Б", &["6б"]));
        assert!(matches("6 б", &["6Б"]));
        assert!(matches("6б", &["6 Б"]));
        assert!(matches("6-б", &["6Б"]));
        assert!(matches("6", &["6Б"]));
        assert!(!matches("6б", &["6А"]));
        assert!(!matches("7б", &["6Б"]));
    }

    #[test]
    fn punctuation_in_the_query_is_ignored_and_an_empty_query_matches_all() {
        assert!(matches("математика,", &["математика"]));
        assert!(matches("«Заречье»", &["ООО «Агрохолдинг „Заречье“»"]));
        assert!(matches("", &["кто угодно"]));
        assert!(matches("  — ", &["кто угодно"]));
        assert!(!matches("x", &[]));
    }

    fn student() -> Person {
        Person {
            role: Role::Student.code().into(),
            last_name: "Ёлкина".into(),
            first_name: "Варвара".into(),
            patronymic: "Семёновна".into(),
            class: "6Б".into(),
            ..Person::default()
        }
    }

    #[test]
    fn a_person_is_found_by_name_class_and_subject() {
        let p = student();
        assert!(p.matches("елкина"));
        assert!(p.matches("  ЕЛКИНА   варвара "));
        assert!(p.matches("семеновна"));
        assert!(p.matches("6б"));
        assert!(p.matches("елкина 6б"));
        assert!(!p.matches("елкина 7б"));
        assert!(!p.matches("математика"));
        let mut mentor = p.clone();
        mentor.mentor.subjects = "Математика, физика".into();
        assert!(mentor.matches("математика"), "a student mentor's subjects");
        let teacher = Person {
            role: Role::Teacher.code().into(),
            last_name: "Берёзкин".into(),
            first_name: "Олег".into(),
            subjects: "русский язык и литература".into(),
            ..Person::default()
        };
        assert!(teacher.matches("березкин литература"));
        assert!(teacher.matches("Русский"));
        let partner = Person {
            organisation: "Сельская библиотека".into(),
            ..teacher
        };
        assert!(partner.matches("библиотека"));
    }
}
