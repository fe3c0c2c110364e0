//! Questionnaires the school edits, filled at entry and at the end, compared before/after.

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::{Person, RecordId, ValidationError};

pub type QuestionnaireId = RecordId;

pub const STAGE_ENTRY: &str = "entry";
pub const STAGE_FINAL: &str = "final";
pub const STAGES: [(&str, &str); 2] = [(STAGE_ENTRY, "входное"), (STAGE_FINAL, "итоговое")];

pub const AUDIENCES: [(&str, &str); 3] = [
    ("mentee", "для наставляемых"),
    ("mentor", "для наставников"),
    ("any", "для всех участников"),
];

/// How a question is answered: a score (1–5 or 1–10), yes or no, one of the question's
/// options, or in words. Scores are compared before/after; the others are listed.
pub const QUESTION_KINDS: [(&str, &str); 5] = [
    ("scale", "оценка от 1 до 5"),
    ("scale10", "оценка от 1 до 10"),
    ("yesno", "да или нет"),
    ("choice", "один из вариантов"),
    ("text", "ответ словами"),
];

/// The answers of a yes/no question.
pub const YES_NO: [&str; 2] = ["да", "нет"];

#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Question {
    #[key]
    pub id: String,
    pub text: Text,
    pub kind: String,
    /// The options of a «один из вариантов» question, in order.
    #[autosurgeon(missing = "Default::default")]
    pub options: Vec<String>,
    pub removed_at: Option<i64>,
}

impl Question {
    pub fn new(text: &str, kind: &str) -> Question {
        Question {
            id: uuid::Uuid::new_v4().to_string(),
            text: Text::with_value(text.trim()),
            kind: kind.to_owned(),
            options: Vec::new(),
            removed_at: None,
        }
    }

    /// A «один из вариантов» question.
    pub fn with_options(text: &str, options: &[&str]) -> Question {
        Question {
            options: options.iter().map(|o| o.trim().to_owned()).collect(),
            ..Question::new(text, "choice")
        }
    }
    /// A score, compared before/after: 1–5 or 1–10.
    pub fn is_scale(&self) -> bool {
        self.top().is_some()
    }

    /// The highest score of a scale question.
    pub fn top(&self) -> Option<u32> {
        match self.kind.as_str() {
            "scale" => Some(5),
            "scale10" => Some(10),
            _ => None,
        }
    }

    /// An answer to a scale question on the five-point scale the monitoring reports
    /// satisfaction on (a 1–10 score is halved).
    pub fn five_point(&self, answer: &str) -> Option<f64> {
        let top = f64::from(self.top()?);
        let v = answer.trim().parse::<f64>().ok()?;
        (1.0..=top).contains(&v).then(|| v * 5.0 / top)
    }

    /// What can be answered: the scores, yes/no or the options; empty for words.
    pub fn choices(&self) -> Vec<String> {
        match self.kind.as_str() {
            "yesno" => YES_NO.iter().map(|s| s.to_string()).collect(),
            "choice" => self.options.clone(),
            _ => match self.top() {
                Some(top) => (1..=top).map(|v| v.to_string()).collect(),
                None => Vec::new(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Questionnaire {
    pub title: Text,
    pub audience: String,
    pub questions: Vec<Question>,
    /// «2027/2028»; empty for questionnaires made before years were kept, which belong to the
    /// year they were made in ([`crate::year::InYear`]).
    #[autosurgeon(missing = "Default::default")]
    pub academic_year: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

crate::record::record!(Questionnaire, "questionnaires", "Анкета", check);

impl Questionnaire {
    fn check(&self) -> Result<(), ValidationError> {
        if self.title.as_str().trim().is_empty() {
            return Err(ValidationError::EmptyText);
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionnaireField {
    Title(String),
    Audience(String),
    AddQuestion(String, String),
    QuestionText(String, String),
    QuestionKind(String, String),
    /// A «один из вариантов» question's options, one per line.
    QuestionOptions(String, String),
    RemoveQuestion(String, i64),
    RestoreQuestion(String),
}

impl QuestionnaireField {
    pub(crate) fn apply(self, q: &mut Questionnaire) -> Result<(), crate::ModelError> {
        let find = |q: &mut Questionnaire, id: &str| -> Result<(), crate::ModelError> {
            q.questions
                .iter()
                .any(|x| x.id == id)
                .then_some(())
                .ok_or(crate::ModelError::NotFound("Вопрос"))
        };
        match self {
            QuestionnaireField::Title(t) => q.title.update(t.trim()),
            QuestionnaireField::Audience(a) => q.audience = a,
            QuestionnaireField::AddQuestion(text, kind) => {
                if text.trim().is_empty() {
                    return Err(ValidationError::EmptyText.into());
                }
                q.questions.push(Question::new(&text, &kind));
            }
            QuestionnaireField::QuestionText(id, t) => {
                find(q, &id)?;
                if let Some(x) = q.questions.iter_mut().find(|x| x.id == id) {
                    x.text.update(t.trim());
                }
            }
            QuestionnaireField::QuestionKind(id, k) => {
                find(q, &id)?;
                if let Some(x) = q.questions.iter_mut().find(|x| x.id == id) {
                    x.kind = k;
                }
            }
            QuestionnaireField::QuestionOptions(id, lines) => {
                find(q, &id)?;
                if let Some(x) = q.questions.iter_mut().find(|x| x.id == id) {
                    x.options = lines
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
            }
            QuestionnaireField::RemoveQuestion(id, at) => {
                find(q, &id)?;
                if let Some(x) = q.questions.iter_mut().find(|x| x.id == id) {
                    x.removed_at = Some(at);
                }
            }
            QuestionnaireField::RestoreQuestion(id) => {
                find(q, &id)?;
                if let Some(x) = q.questions.iter_mut().find(|x| x.id == id) {
                    x.removed_at = None;
                }
            }
        }
        Ok(())
    }
}

impl Questionnaire {
    pub fn new(title: &str, audience: &str, questions: &[(&str, &str)], now_ms: i64) -> Self {
        Questionnaire {
            title: Text::with_value(title.trim()),
            audience: audience.to_owned(),
            questions: questions
                .iter()
                .map(|(text, kind)| Question::new(text, kind))
                .collect(),
            academic_year: String::new(),
            created_at: now_ms,
            removed_at: None,
        }
    }

    pub fn live_questions(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(|q| q.removed_at.is_none())
    }
}

/// One scale question, before and after, over the people who answered both times.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub question: String,
    pub text: String,
    /// People who answered both the entry and the final questionnaire.
    pub respondents: usize,
    pub entry_mean: Option<f64>,
    pub final_mean: Option<f64>,
}

impl Comparison {
    pub fn change(&self) -> Option<f64> {
        Some(self.final_mean? - self.entry_mean?)
    }
}

/// Compares entry and final answers to each scale question of `q`, over the people given.
pub fn compare<'a>(
    id: &QuestionnaireId,
    q: &Questionnaire,
    people: impl IntoIterator<Item = &'a Person> + Clone,
) -> Vec<Comparison> {
    q.live_questions()
        .filter(|question| question.is_scale())
        .map(|question| {
            let pairs: Vec<(f64, f64)> = people
                .clone()
                .into_iter()
                .filter_map(|p| {
                    let score = |stage| {
                        p.answer(id.as_str(), stage, &question.id)
                            .and_then(|v| v.parse::<f64>().ok())
                    };
                    Some((score(STAGE_ENTRY)?, score(STAGE_FINAL)?))
                })
                .collect();
            let n = pairs.len();
            let mean = |f: fn(&(f64, f64)) -> f64| {
                (n > 0).then(|| pairs.iter().map(f).sum::<f64>() / n as f64)
            };
            Comparison {
                question: question.id.clone(),
                text: question.text.as_str().to_owned(),
                respondents: n,
                entry_mean: mean(|p| p.0),
                final_mean: mean(|p| p.1),
            }
        })
        .collect()
}
