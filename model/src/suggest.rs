//! Who could mentor a mentee: the mentor base ranked for one mentee (or one request of their
//! request map), with the reasons in Russian that the pair form shows as they are.
//!
//! Plain functions over what the app has already read: the mentee, the candidates (the people of
//! the mentor base), and the pairs. Nothing here writes.
//!
//! # Who is suggested
//! A candidate is suggested when they are in the mentor base ([`MentorProfile::in_base`]), are
//! not the mentee, are not already in a current pair ([`Pair::is_current`]) with this mentee,
//! have a role the form takes ([`mentor_roles`]: students for «ученик – ученик», teachers for
//! «учитель – ученик» and «учитель – учитель», graduates for the «студент – …» forms, partners
//! and parents for «работодатель – ученик», anyone for a school's own form), and, for a student
//! mentor of a student, are older: by class when both classes are known, otherwise by birth
//! date; same class counts only in the variant «равный – равному». A candidate whose age cannot
//! be compared is still suggested, with a reason that says so.
//!
//! # The score
//! | what | points |
//! |---|---|
//! | each meaningful word of the request found in the mentor's subjects or competencies | +20 |
//! | an older student by 2–5 classes (or years) | +15 |
//! | older by 1 or by more than 5 | +5 |
//! | «равный – равному»: same class or one older | +15 |
//! | a teacher mentee and a mentor teaching the same subject | +15 |
//! | «наставник-предметник» and no common subject | −10 |
//! | the form is ticked in the mentor's profile | +5 |
//! | other forms are ticked, not this one | −5 |
//! | time for meetings given | +5 |
//! | each mentee (or category group) in the mentor's current pairs | −5 |
//!
//! Words are compared after [`normalise`]: words under three letters and common words of
//! requests («помощь», «проблемы», «для» …) are ignored, and two words are the same when they are
//! equal or, both having at least four letters, share all but the last two letters of the
//! shorter one (at least four): «математике» is «математика», «русскому» is «русский», but
//! «информатика» is not «информация». Three-letter words such as «ОГЭ» or «ОВЗ» must be equal.
//!
//! Best first; equal scores by name (ё as е, case ignored), then by id, so the order is the same
//! on every tablet.
//!
//! [`MentorProfile::in_base`]: crate::MentorProfile::in_base

use std::collections::{BTreeMap, BTreeSet};

use crate::search::normalise;
use crate::{Form, Pair, Person, Role, ru};

/// What a pair is being formed for.
#[derive(Clone, Copy, Debug)]
pub struct Need<'a> {
    pub mentee_id: &'a str,
    pub mentee: &'a Person,
    /// The id of one request of the mentee's request map, or `None` for all of their requests
    /// that are not removed. An id that is not there (or removed) matches no request.
    pub request: Option<&'a str>,
    /// The programme's form.
    pub form: &'a Form,
    /// The programme's (or pair's) role-model variant, "" if none.
    pub variant: &'a str,
}

/// One possible mentor, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The mentor's person id.
    pub mentor: String,
    pub score: i32,
    /// Russian phrases, shown as they are: «старше на 4 класса».
    pub reasons: Vec<String>,
}

const REQUEST_WORD: i32 = 20;
const AGE_BEST: i32 = 15;
const AGE_FAIR: i32 = 5;
const PEER: i32 = 15;
const SAME_SUBJECT: i32 = 15;
const NO_SUBJECT_FOR_SUBJECT_MENTOR: i32 = -10;
const FORM_TICKED: i32 = 5;
const OTHER_FORMS: i32 = -5;
const TIME_GIVEN: i32 = 5;
const PER_MENTEE: i32 = -5;

/// The roles that can mentor in `form`; `None` for a school's own form (anyone).
pub fn mentor_roles(form: &Form) -> Option<&'static [Role]> {
    match form {
        Form::StudentStudent => Some(&[Role::Student]),
        Form::TeacherStudent | Form::TeacherTeacher => Some(&[Role::Teacher]),
        Form::UniversityStudentStudent | Form::UniversityStudentUniversityStudent => {
            Some(&[Role::Graduate])
        }
        Form::EmployerStudent => Some(&[Role::Partner, Role::Parent]),
        Form::Other(_) => None,
    }
}

/// The grade of a class: «10А» → 10, «5» → 5; `None` when it does not start with 1–11.
pub fn grade(class: &str) -> Option<u32> {
    let digits: String = class
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|g| (1..=11).contains(g))
}

/// What a mentor already carries: the named mentees of their current pairs and the pairs that
/// name only a category of mentees («дети группы риска»).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Load {
    mentees: BTreeSet<String>,
    groups: usize,
}

fn loads<'p>(pairs: impl IntoIterator<Item = &'p Pair>) -> BTreeMap<String, Load> {
    let mut out: BTreeMap<String, Load> = BTreeMap::new();
    for pair in pairs.into_iter().filter(|p| p.is_current()) {
        for mentor in pair.mentors.keys() {
            let load = out.entry(mentor.clone()).or_default();
            load.mentees.extend(pair.mentees.keys().cloned());
            if pair.mentees.is_empty() && !pair.mentee_category.trim().is_empty() {
                load.groups += 1;
            }
        }
    }
    out
}

/// Mentors of the mentor base ranked for `need`, best first, each with its reasons. `mentors` are
/// the people the app has (those not in the mentor base are skipped; pass only people who are
/// not removed from the register); `pairs` are all pairs of the school (only current ones
/// count).
pub fn suggest_mentors<'m, 'p>(
    need: &Need<'_>,
    mentors: impl IntoIterator<Item = (&'m str, &'m Person)>,
    pairs: impl IntoIterator<Item = &'p Pair>,
) -> Vec<Suggestion> {
    let pairs: Vec<&Pair> = pairs.into_iter().collect();
    let loads = loads(pairs.iter().copied());
    let paired_with_mentee: BTreeSet<&str> = pairs
        .iter()
        .filter(|p| p.is_current() && p.mentees.contains_key(need.mentee_id))
        .flat_map(|p| p.mentors.keys().map(String::as_str))
        .collect();
    let requests = requests(need);
    let mut ranked: Vec<(Suggestion, String)> = mentors
        .into_iter()
        .filter(|(id, p)| {
            p.mentor.in_base && *id != need.mentee_id && !paired_with_mentee.contains(id)
        })
        .filter_map(|(id, p)| {
            let load = loads.get(id).cloned().unwrap_or_default();
            assess(need, &requests, p, &load).map(|(score, reasons)| {
                (
                    Suggestion {
                        mentor: id.to_owned(),
                        score,
                        reasons,
                    },
                    normalise(&p.full_name()),
                )
            })
        })
        .collect();
    ranked.sort_by(|(a, a_name), (b, b_name)| {
        b.score
            .cmp(&a.score)
            .then_with(|| a_name.cmp(b_name))
            .then_with(|| a.mentor.cmp(&b.mentor))
    });
    ranked.into_iter().map(|(s, _)| s).collect()
}

/// The score and reasons of one candidate, or `None` when they are not to be suggested.
fn assess(
    need: &Need<'_>,
    requests: &[String],
    mentor: &Person,
    load: &Load,
) -> Option<(i32, Vec<String>)> {
    let role = mentor.role();
    if let Some(roles) = mentor_roles(need.form)
        && !role.is_some_and(|r| roles.contains(&r))
    {
        return None;
    }
    let variant = normalise(need.variant);
    let mut score = 0;
    let mut reasons = Vec::new();

    // The request against what the mentor offers.
    let subjects = join_nonempty(&[&mentor.mentor.subjects, &mentor.subjects]);
    let competencies = mentor.mentor.competencies.as_str();
    let mut matched_request_words: BTreeSet<String> = BTreeSet::new();
    for request in requests {
        let request_terms = terms(request);
        for (what, text) in [
            ("предметами", subjects.as_str()),
            ("компетенциями", competencies),
        ] {
            let offered = terms(text);
            let mut shown: Vec<&str> = Vec::new();
            for o in &offered {
                if let Some(r) = request_terms.iter().find(|r| same_word(&r.norm, &o.norm)) {
                    matched_request_words.insert(r.norm.clone());
                    if !shown.contains(&o.shown.as_str()) {
                        shown.push(&o.shown);
                    }
                }
            }
            if !shown.is_empty() {
                reasons.push(format!(
                    "запрос «{}» совпадает с {what} наставника: {}",
                    quote(request),
                    shown.join(", ")
                ));
            }
        }
    }
    score += REQUEST_WORD * matched_request_words.len() as i32;

    // Age: a student mentor of a student is older.
    if role == Some(Role::Student) && need.mentee.role() == Some(Role::Student) {
        let peers = variant.contains("равн");
        match age_distance(mentor, need.mentee) {
            Some(Distance { n, unit }) => {
                if n < 0 || (n == 0 && !peers) {
                    return None;
                }
                let older = || format!("старше на {}", ru::count(n as u64, unit.forms()));
                if peers && n <= 1 {
                    score += PEER;
                    reasons.push(if n == 0 {
                        match unit {
                            Unit::Class => {
                                "учится в той же параллели: вариант «равный – равному»".into()
                            }
                            Unit::Year => "ровесник: вариант «равный – равному»".into(),
                        }
                    } else {
                        format!("{}: вариант «равный – равному»", older())
                    });
                } else {
                    score += if (2..=5).contains(&n) {
                        AGE_BEST
                    } else {
                        AGE_FAIR
                    };
                    reasons.push(older());
                }
            }
            None => reasons
                .push("класс или дата рождения не указаны: разницу в возрасте не сравнить".into()),
        }
    }

    // A teacher mentee: the same subject.
    if need.mentee.role() == Some(Role::Teacher) && role == Some(Role::Teacher) {
        let common = common_words(&need.mentee.subjects, &subjects);
        if !common.is_empty() {
            score += SAME_SUBJECT;
            reasons.push(format!("преподаёт тот же предмет: {}", common.join(", ")));
        } else if variant.contains("предметник") {
            score += NO_SUBJECT_FOR_SUBJECT_MENTOR;
            reasons.push("вариант «наставник-предметник», но общих предметов нет".into());
        }
    }

    // The forms ticked in the mentor's profile.
    if mentor.mentor.forms.contains_key(need.form.code()) {
        score += FORM_TICKED;
        reasons.push(format!(
            "в профиле наставника отмечена форма «{}»",
            need.form.label()
        ));
    } else if !mentor.mentor.forms.is_empty() {
        score += OTHER_FORMS;
        let others: Vec<String> = mentor
            .mentor
            .forms
            .keys()
            .map(|code| format!("«{}»", Form::from_code(code).label()))
            .collect();
        reasons.push(format!(
            "в профиле наставника отмечены другие формы: {}",
            others.join(", ")
        ));
    }

    // Time for meetings.
    let time = normalise_spaces(&mentor.mentor.time_available);
    if time.is_empty() {
        reasons.push("время для встреч не указано".into());
    } else {
        score += TIME_GIVEN;
        reasons.push(format!("указано время для встреч: {time}"));
    }

    // Load.
    let mentees = load.mentees.len() as u64;
    let groups = load.groups as u64;
    score += PER_MENTEE * (mentees + groups) as i32;
    reasons.push(match (mentees, groups) {
        (0, 0) => "пока никого не наставляет".into(),
        (m, 0) => format!(
            "уже наставляет {}",
            ru::count(m, ["наставляемого", "наставляемых", "наставляемых"])
        ),
        (0, g) => format!("уже ведёт {}", ru::count(g, ["группу", "группы", "групп"])),
        (m, g) => format!(
            "уже наставляет {} и ведёт {}",
            ru::count(m, ["наставляемого", "наставляемых", "наставляемых"]),
            ru::count(g, ["группу", "группы", "групп"])
        ),
    });

    Some((score, reasons))
}

/// The texts of the requests `need` is about.
fn requests(need: &Need<'_>) -> Vec<String> {
    need.mentee
        .mentee
        .requests
        .iter()
        .filter(|r| r.removed_at.is_none())
        .filter(|r| need.request.is_none_or(|id| id == r.id))
        .map(|r| normalise_spaces(r.problem.as_str()))
        .filter(|t| !t.is_empty())
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Class,
    Year,
}

impl Unit {
    fn forms(self) -> [&'static str; 3] {
        match self {
            Unit::Class => ["класс", "класса", "классов"],
            Unit::Year => ["год", "года", "лет"],
        }
    }
}

/// How much older the mentor is: in classes when both classes are known, else in full years
/// between the birth dates. Negative when younger.
struct Distance {
    n: i64,
    unit: Unit,
}

fn age_distance(mentor: &Person, mentee: &Person) -> Option<Distance> {
    if let (Some(a), Some(b)) = (grade(&mentor.class), grade(&mentee.class)) {
        return Some(Distance {
            n: i64::from(a) - i64::from(b),
            unit: Unit::Class,
        });
    }
    let (a, b) = (mentor.birth_date()?, mentee.birth_date()?);
    let n = if a <= b {
        i64::from(ru::age(a, b))
    } else {
        -i64::from(ru::age(b, a)).max(1)
    };
    Some(Distance {
        n,
        unit: Unit::Year,
    })
}

/// A word of a text: normalised for comparing, lowercase as written for showing.
struct Term {
    norm: String,
    shown: String,
}

/// Words ignored in requests and profiles: too common to say anything about a match.
const COMMON: [&str; 52] = [
    "для",
    "при",
    "или",
    "что",
    "как",
    "так",
    "его",
    "все",
    "без",
    "над",
    "под",
    "мне",
    "нет",
    "она",
    "они",
    "оно",
    "это",
    "уже",
    "еще",
    "очень",
    "после",
    "перед",
    "через",
    "также",
    "есть",
    "быть",
    "нужна",
    "нужен",
    "нужно",
    "нужны",
    "помощь",
    "помочь",
    "помогите",
    "проблема",
    "проблемы",
    "проблем",
    "трудности",
    "трудность",
    "низкая",
    "низкий",
    "низкие",
    "плохая",
    "плохо",
    "слабая",
    "слабые",
    "урока",
    "уроки",
    "уроков",
    "ученик",
    "ученика",
    "ученику",
    "учеников",
];

fn terms(text: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for shown in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let norm = normalise(shown);
        if norm.chars().count() < 3 || COMMON.contains(&norm.as_str()) {
            continue;
        }
        if out.iter().any(|t| t.norm == norm) {
            continue;
        }
        out.push(Term {
            norm,
            shown: shown.to_lowercase(),
        });
    }
    out
}

/// Equal, or sharing all but the last two letters of the shorter word (at least four letters).
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let shorter = a.chars().count().min(b.chars().count());
    if shorter < 4 {
        return false;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    common >= shorter.saturating_sub(2).max(4)
}

/// The words of `b` (as written there) that are the same as a word of `a`.
fn common_words(a: &str, b: &str) -> Vec<String> {
    let a = terms(a);
    terms(b)
        .into_iter()
        .filter(|t| a.iter().any(|x| same_word(&x.norm, &t.norm)))
        .map(|t| t.shown)
        .collect()
}

fn join_nonempty(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn normalise_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A request as quoted in a reason: at most 60 letters, cut at a word.
fn quote(request: &str) -> String {
    const MAX: usize = 60;
    if request.chars().count() <= MAX {
        return request.to_owned();
    }
    let mut out = String::new();
    for word in request.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > MAX {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = request.chars().take(MAX).collect();
    }
    format!("{}…", out.trim_end_matches([',', '.', ';', ':']))
}

/// People of the mentee base who are not a mentee of any current pair, by name.
pub fn mentees_without_mentor<'m, 'p>(
    people: impl IntoIterator<Item = (&'m str, &'m Person)>,
    pairs: impl IntoIterator<Item = &'p Pair>,
) -> Vec<String> {
    let paired: BTreeSet<String> = pairs
        .into_iter()
        .filter(|p| p.is_current())
        .flat_map(|p| p.mentees.keys().cloned())
        .collect();
    by_name(
        people
            .into_iter()
            .filter(|(id, p)| p.mentee.in_base && !paired.contains(*id)),
    )
}

/// People of the mentor base who are not a mentor of any current pair, by name.
pub fn mentors_without_mentee<'m, 'p>(
    people: impl IntoIterator<Item = (&'m str, &'m Person)>,
    pairs: impl IntoIterator<Item = &'p Pair>,
) -> Vec<String> {
    let paired: BTreeSet<String> = pairs
        .into_iter()
        .filter(|p| p.is_current())
        .flat_map(|p| p.mentors.keys().cloned())
        .collect();
    by_name(
        people
            .into_iter()
            .filter(|(id, p)| p.mentor.in_base && !paired.contains(*id)),
    )
}

fn by_name<'m>(people: impl Iterator<Item = (&'m str, &'m Person)>) -> Vec<String> {
    let mut out: Vec<(String, &str)> = people
        .map(|(id, p)| (normalise(&p.full_name()), id))
        .collect();
    out.sort();
    out.into_iter().map(|(_, id)| id.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_same_despite_endings_but_not_different_words() {
        assert!(same_word("математика", "математике"));
        assert!(same_word("русский", "русскому"));
        assert!(same_word("химия", "химии"));
        assert!(same_word("язык", "языку"));
        assert!(same_word("огэ", "огэ"));
        assert!(!same_word("информатика", "информация"));
        assert!(!same_word("общение", "общество"));
        assert!(!same_word("огэ", "огэх"));
    }

    #[test]
    fn short_and_common_words_are_ignored() {
        let t: Vec<String> = terms("Нужна помощь по математике, ОГЭ")
            .into_iter()
            .map(|t| t.norm)
            .collect();
        assert_eq!(t, ["математике", "огэ"]);
    }

    #[test]
    fn grades_are_read_from_classes() {
        assert_eq!(grade("10А"), Some(10));
        assert_eq!(grade(" 5 б"), Some(5));
        assert_eq!(grade("Б"), None);
        assert_eq!(grade("12"), None);
        assert_eq!(grade(""), None);
    }

    #[test]
    fn long_requests_are_cut_at_a_word() {
        let long = "очень низкая мотивация к учёбе, пропуски уроков, конфликты с одноклассниками и учителями";
        let q = quote(long);
        assert!(q.ends_with('…'));
        assert!(q.chars().count() <= 61);
        assert!(long.starts_with(q.trim_end_matches('…')));
    }
}
