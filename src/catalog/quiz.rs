//! Quizzes: the definition a quiz lesson stores, its checks, grading, and the studio's text
//! format. Pure functions: the catalog stores a quiz, learning grades attempts with [`grade`]
//! inside the unit of work that records them.
//!
//! **Answers never leave for students.** A quiz's `correct` option indexes, `accepted` texts and
//! `feedback` are only serialised by [`QuizOut::full`] (the teacher's and admins' view); every
//! other view goes through [`QuizOut::public`], which has no field for them.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::fields::text;

pub const MAX_QUESTIONS: usize = 50;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_ACCEPTED: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// One option is right.
    Single,
    /// Every right option and no other must be chosen.
    Multiple,
    /// A typed answer, compared with the accepted texts ignoring case and whitespace.
    Short,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub kind: QuestionKind,
    pub prompt: String,
    #[serde(default)]
    pub options: Vec<String>,
    /// Indexes of the right options (choice kinds).
    #[serde(default)]
    pub correct: Vec<u32>,
    /// Accepted answers (short), as the teacher typed them.
    #[serde(default)]
    pub accepted: Vec<String>,
    /// Shown after an attempt.
    #[serde(default)]
    pub feedback: Option<String>,
}

/// A quiz lesson's questions and rules, stored on the lesson record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quiz {
    pub pass_percent: u32,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    pub questions: Vec<Question>,
    /// Goes up each time the questions are replaced, so per-question counters of an older
    /// version are not added to the new questions.
    #[serde(default)]
    pub version: u32,
}

/// A question as a client sends it (`answers`: option indexes or accepted texts).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct QuestionIn {
    /// `single`, `multiple` or `short`.
    #[schema(schema_with = question_kind)]
    pub kind: String,
    #[schema(schema_with = crate::http::openapi::inputs::text::<1, 1000>)]
    pub prompt: String,
    /// 2 to 10 options (choice kinds only).
    #[schema(max_items = 10)]
    pub options: Option<Vec<String>>,
    /// Choice kinds: indexes of the right options (0-based). Short: the accepted answers.
    #[schema(value_type = Vec<Object>, max_items = 20)]
    pub answers: Vec<serde_json::Value>,
    /// Shown to the student after an attempt.
    #[schema(schema_with = crate::http::openapi::inputs::text_or_null::<0, 2000>)]
    pub feedback: Option<String>,
}

fn question_kind() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::http::openapi::inputs::one_of(&["single", "multiple", "short"])
}

/// A quiz as a client sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct QuizIn {
    /// The score (percent of questions right) that passes: 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub pass_percent: u32,
    /// Attempts a student has (1 to 1000); none: unlimited.
    #[schema(minimum = 1, maximum = 1000)]
    pub max_attempts: Option<u32>,
    /// 1 to 50 questions.
    #[schema(min_items = 1, max_items = 50)]
    pub questions: Vec<QuestionIn>,
}

impl QuizIn {
    /// Checks every rule and names each bad field (`quiz.questions[2].answers`).
    pub fn check(self) -> Result<Quiz, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=100).contains(&self.pass_percent) {
            errors.push(FieldError::new("quiz.pass_percent", "must be between 1 and 100"));
        }
        if self.max_attempts.is_some_and(|n| !(1..=1000).contains(&n)) {
            errors.push(FieldError::new("quiz.max_attempts", "must be between 1 and 1000"));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            errors
                .push(FieldError::new("quiz.questions", format!("must have 1 to {MAX_QUESTIONS} questions")));
        }
        let mut questions = Vec::new();
        for (i, q) in self.questions.into_iter().take(MAX_QUESTIONS).enumerate() {
            let at = |f: &str| format!("quiz.questions[{i}].{f}");
            let kind = match q.kind.as_str() {
                "single" => QuestionKind::Single,
                "multiple" => QuestionKind::Multiple,
                "short" => QuestionKind::Short,
                _ => {
                    errors.push(FieldError::new(at("kind"), "must be single, multiple or short"));
                    continue;
                }
            };
            let prompt =
                text(&at("prompt"), &q.prompt, 1, 1000).map_err(|e| errors.push(e)).unwrap_or_default();
            let feedback = match q.feedback.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(f) => text(&at("feedback"), f, 1, 2000).map_err(|e| errors.push(e)).ok(),
            };
            let mut question = Question {
                kind,
                prompt,
                options: Vec::new(),
                correct: Vec::new(),
                accepted: Vec::new(),
                feedback,
            };
            match kind {
                QuestionKind::Single | QuestionKind::Multiple => {
                    let options = q.options.unwrap_or_default();
                    if !(2..=MAX_OPTIONS).contains(&options.len()) {
                        errors.push(FieldError::new(
                            at("options"),
                            format!("must have 2 to {MAX_OPTIONS} options"),
                        ));
                    }
                    for o in options.iter().take(MAX_OPTIONS) {
                        match text(&at("options"), o, 1, 500) {
                            Ok(o) => question.options.push(o),
                            Err(e) => errors.push(e),
                        }
                    }
                    let mut correct = Vec::new();
                    for a in &q.answers {
                        match a.as_u64() {
                            Some(n) if (n as usize) < options.len() && !correct.contains(&(n as u32)) => {
                                correct.push(n as u32)
                            }
                            _ => {
                                errors.push(FieldError::new(
                                    at("answers"),
                                    "must be distinct indexes of options (0-based)",
                                ));
                                break;
                            }
                        }
                    }
                    correct.sort_unstable();
                    match (kind, correct.len()) {
                        (_, 0) => {
                            errors.push(FieldError::new(at("answers"), "mark at least one right option"))
                        }
                        (QuestionKind::Single, n) if n > 1 => errors.push(FieldError::new(
                            at("answers"),
                            "a single-choice question has one right option",
                        )),
                        _ => {}
                    }
                    question.correct = correct;
                }
                QuestionKind::Short => {
                    if q.options.as_ref().is_some_and(|o| !o.is_empty()) {
                        errors.push(FieldError::new(at("options"), "a short-answer question has no options"));
                    }
                    if q.answers.is_empty() || q.answers.len() > MAX_ACCEPTED {
                        errors.push(FieldError::new(
                            at("answers"),
                            format!("give 1 to {MAX_ACCEPTED} accepted answers"),
                        ));
                    }
                    for a in q.answers.iter().take(MAX_ACCEPTED) {
                        match a.as_str().map(|s| text(&at("answers"), s, 1, 200)) {
                            Some(Ok(s)) if !normalize(&s).is_empty() => question.accepted.push(s),
                            Some(Err(e)) => errors.push(e),
                            _ => errors
                                .push(FieldError::new(at("answers"), "accepted answers are non-empty texts")),
                        }
                    }
                }
            }
            questions.push(question);
        }
        if errors.is_empty() {
            Ok(Quiz {
                pass_percent: self.pass_percent,
                max_attempts: self.max_attempts,
                questions,
                version: 0,
            })
        } else {
            Err(errors)
        }
    }
}

/// A question as the API shows it. `answers` and `feedback` are only filled for the teacher.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizQuestionOut {
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options of a choice question (empty for short answers).
    pub options: Vec<String>,
    /// Only in the teacher's and admins' view: right option indexes, or accepted texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub answers: Option<Vec<serde_json::Value>>,
    /// Only in the teacher's and admins' view (students see it in an attempt's result).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A quiz as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizOut {
    pub pass_percent: u32,
    pub max_attempts: Option<u32>,
    pub questions: Vec<QuizQuestionOut>,
}

impl QuizOut {
    /// What anyone who may open the lesson sees: no answers, no feedback.
    pub fn public(q: &Quiz) -> QuizOut {
        QuizOut {
            pass_percent: q.pass_percent,
            max_attempts: q.max_attempts,
            questions: q
                .questions
                .iter()
                .map(|x| QuizQuestionOut {
                    kind: x.kind,
                    prompt: x.prompt.clone(),
                    options: x.options.clone(),
                    answers: None,
                    feedback: None,
                })
                .collect(),
        }
    }

    /// The teacher's view, with the answers.
    pub fn full(q: &Quiz) -> QuizOut {
        let mut out = QuizOut::public(q);
        for (o, x) in out.questions.iter_mut().zip(&q.questions) {
            o.answers = Some(match x.kind {
                QuestionKind::Short => x.accepted.iter().map(|s| serde_json::json!(s)).collect(),
                _ => x.correct.iter().map(|n| serde_json::json!(n)).collect(),
            });
            o.feedback = x.feedback.clone();
        }
        out
    }
}

/// A student's answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Unanswered,
    Choices(Vec<u32>),
    Text(String),
}

/// Reads the `answers` of an attempt: one per question, option indexes (a number or a list) for
/// choice questions, a text for short ones, `null` for none.
pub fn responses(quiz: &Quiz, raw: &[serde_json::Value]) -> Result<Vec<Response>, Vec<FieldError>> {
    if raw.len() != quiz.questions.len() {
        return Err(vec![FieldError::new(
            "answers",
            format!("must have one answer per question ({})", quiz.questions.len()),
        )]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, (q, a)) in quiz.questions.iter().zip(raw).enumerate() {
        let field = format!("answers[{i}]");
        let r = match (q.kind, a) {
            (_, serde_json::Value::Null) => Response::Unanswered,
            (QuestionKind::Short, serde_json::Value::String(s)) if s.chars().count() <= 1000 => {
                Response::Text(s.clone())
            }
            (QuestionKind::Single | QuestionKind::Multiple, v) => {
                let items: Vec<&serde_json::Value> = match v {
                    serde_json::Value::Array(xs) => xs.iter().collect(),
                    other => vec![other],
                };
                let picked: Option<Vec<u32>> = items
                    .iter()
                    .map(|x| x.as_u64().filter(|n| (*n as usize) < q.options.len()).map(|n| n as u32))
                    .collect();
                match picked {
                    Some(mut p) if p.len() <= q.options.len() => {
                        p.sort_unstable();
                        p.dedup();
                        Response::Choices(p)
                    }
                    _ => {
                        errors.push(FieldError::new(field, "must be option indexes of the question"));
                        continue;
                    }
                }
            }
            _ => {
                errors.push(FieldError::new(field, "must be a text of at most 1000 characters"));
                continue;
            }
        };
        out.push(r);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Lowercase, with runs of whitespace as one space and none at the ends.
pub fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether one response is right: exactly the right options (a partly right multiple choice is
/// wrong), or a text equal to an accepted one ignoring case and whitespace.
pub fn is_correct(q: &Question, r: &Response) -> bool {
    match (q.kind, r) {
        (QuestionKind::Single | QuestionKind::Multiple, Response::Choices(c)) => {
            let mut want = q.correct.clone();
            want.sort_unstable();
            *c == want
        }
        (QuestionKind::Short, Response::Text(t)) => {
            let t = normalize(t);
            !t.is_empty() && q.accepted.iter().any(|a| normalize(a) == t)
        }
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub correct: Vec<bool>,
    pub score_percent: u32,
    pub passed: bool,
}

/// Grades responses (one per question, as [`responses`] reads them).
pub fn grade(quiz: &Quiz, rs: &[Response]) -> Graded {
    let correct: Vec<bool> = quiz.questions.iter().zip(rs).map(|(q, r)| is_correct(q, r)).collect();
    let n = quiz.questions.len().max(1) as u32;
    let right = correct.iter().filter(|c| **c).count() as u32;
    Graded {
        correct,
        score_percent: right * 100 / n,
        // Exact: 2 of 3 right passes a 66% mark, though 2/3 is 66.67%.
        passed: right * 100 >= quiz.pass_percent * n,
    }
}

/// A one-question quiz for a new quiz lesson, for its teacher to rewrite.
pub fn starter() -> Quiz {
    Quiz {
        pass_percent: 100,
        max_attempts: None,
        questions: vec![Question {
            kind: QuestionKind::Single,
            prompt: "Write your first question here".into(),
            options: vec!["A right answer".into(), "A wrong answer".into()],
            correct: vec![0],
            accepted: Vec::new(),
            feedback: None,
        }],
        version: 0,
    }
}

// ---- the studio's text format ----

/// The studio's plain-text form of a quiz's questions: blocks separated by a blank line; the
/// first line is the prompt; `* option` is a right option, `- option` a wrong one (two or more
/// right options make a multiple-choice question, or `[multiple]` after the prompt); `= text`
/// lines are accepted short answers; `> text` is the feedback.
pub fn to_text(q: &Quiz) -> String {
    let mut out = Vec::new();
    for x in &q.questions {
        let mut block = Vec::new();
        let multi = x.kind == QuestionKind::Multiple && x.correct.len() < 2;
        block.push(if multi { format!("{} [multiple]", x.prompt) } else { x.prompt.clone() });
        for (i, o) in x.options.iter().enumerate() {
            let mark = if x.correct.contains(&(i as u32)) { '*' } else { '-' };
            block.push(format!("{mark} {o}"));
        }
        for a in &x.accepted {
            block.push(format!("= {a}"));
        }
        if let Some(f) = &x.feedback {
            block.push(format!("> {f}"));
        }
        out.push(block.join("\n"));
    }
    out.join("\n\n")
}

/// Parses [`to_text`]'s format into questions as a client would send them; errors name the
/// question by its number.
pub fn parse_text(s: &str) -> Result<Vec<QuestionIn>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let normalized = s.replace("\r\n", "\n");
    let blocks: Vec<&str> = normalized.split("\n\n").map(str::trim).filter(|b| !b.is_empty()).collect();
    for (i, block) in blocks.iter().enumerate() {
        let n = i + 1;
        let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
        let Some(first) = lines.next() else { continue };
        let (prompt, multi) = match first.strip_suffix("[multiple]") {
            Some(p) => (p.trim().to_owned(), true),
            None => (first.to_owned(), false),
        };
        let (mut options, mut correct, mut accepted, mut feedback) =
            (Vec::new(), Vec::new(), Vec::new(), None);
        for line in lines {
            if let Some(o) = line.strip_prefix('*') {
                correct.push(serde_json::json!(options.len()));
                options.push(o.trim().to_owned());
            } else if let Some(o) = line.strip_prefix('-') {
                options.push(o.trim().to_owned());
            } else if let Some(a) = line.strip_prefix('=') {
                accepted.push(serde_json::json!(a.trim()));
            } else if let Some(f) = line.strip_prefix('>') {
                feedback = Some(f.trim().to_owned());
            } else {
                errors.push(FieldError::new(
                    "quiz",
                    format!("question {n}: start the line “{line}” with *, -, = or >"),
                ));
            }
        }
        let kind = match (options.is_empty(), accepted.is_empty()) {
            (false, true) if multi || correct.len() > 1 => "multiple",
            (false, true) => "single",
            (true, false) => "short",
            (true, true) => {
                errors.push(FieldError::new(
                    "quiz",
                    format!("question {n}: add options (* right, - wrong) or = accepted answers"),
                ));
                continue;
            }
            (false, false) => {
                errors.push(FieldError::new(
                    "quiz",
                    format!("question {n}: use either options or = answers, not both"),
                ));
                continue;
            }
        };
        let answers = if kind == "short" { accepted } else { correct };
        out.push(QuestionIn {
            kind: kind.into(),
            prompt,
            options: (kind != "short").then_some(options),
            answers,
            feedback,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("quiz", "write at least one question"));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn quiz() -> Quiz {
        let q: QuizIn = serde_json::from_value(json!({
            "pass_percent": 66,
            "questions": [
                {"kind": "single", "prompt": "2+2?", "options": ["3", "4"], "answers": [1]},
                {"kind": "multiple", "prompt": "Primes?", "options": ["2", "3", "4"], "answers": [0, 1]},
                {"kind": "short", "prompt": "Capital of France?", "answers": ["Paris", "  the city of light"]},
            ]
        }))
        .unwrap();
        q.check().unwrap()
    }

    #[test]
    fn grading_every_kind() {
        let q = quiz();
        let rs = responses(&q, &[json!([1]), json!([1, 0]), json!("  PARIS ")]).unwrap();
        assert_eq!(
            grade(&q, &rs),
            Graded { correct: vec![true, true, true], score_percent: 100, passed: true }
        );
        let rs = responses(&q, &[json!(1), json!([0]), json!("The   City of LIGHT")]).unwrap();
        let g = grade(&q, &rs);
        assert_eq!(g.correct, vec![true, false, true], "a partly right multiple choice is wrong");
        assert_eq!((g.score_percent, g.passed), (66, true), "2 of 3 passes 66%");
        let rs = responses(&q, &[json!([0, 1]), json!(null), json!("Pariss")]).unwrap();
        assert_eq!(grade(&q, &rs).correct, vec![false, false, false]);
        assert!(responses(&q, &[json!([5]), json!([]), json!(1)]).unwrap_err().len() == 2);
        assert!(responses(&q, &[json!(1)]).is_err());
    }

    #[test]
    fn checks_name_the_bad_fields() {
        let bad: QuizIn = serde_json::from_value(json!({
            "pass_percent": 0,
            "questions": [
                {"kind": "single", "prompt": "x", "options": ["a"], "answers": [0, 0]},
                {"kind": "single", "prompt": "x", "options": ["a", "b"], "answers": [0, 1]},
                {"kind": "short", "prompt": "x", "answers": []},
                {"kind": "essay", "prompt": "x", "answers": []},
            ]
        }))
        .unwrap();
        let fields: Vec<String> = bad.check().unwrap_err().into_iter().map(|e| e.field).collect();
        for f in [
            "quiz.pass_percent",
            "quiz.questions[0].options",
            "quiz.questions[1].answers",
            "quiz.questions[2].answers",
            "quiz.questions[3].kind",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn the_text_format_round_trips() {
        let q = quiz();
        let text = to_text(&q);
        let back = QuizIn { pass_percent: 66, max_attempts: None, questions: parse_text(&text).unwrap() }
            .check()
            .unwrap();
        assert_eq!(back, q);
        let errs = parse_text("What?\nno marker").unwrap_err();
        assert!(errs[0].message.contains("question 1"), "{errs:?}");
        assert!(parse_text("  ").is_err());
    }
}
