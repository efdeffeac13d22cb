//! What a course still needs before it can be published, rule by rule: the wizard's last step
//! and the editor show it with a link to where each one is fixed.
//!
//! `required` rules are the ones `Catalog::publish` refuses without (409); the others send the
//! course to an admin's review queue (`crate::screen`) or only make it look unfinished.

use super::repo::{CourseRecord, Curriculum};
use crate::screen::{MIN_DESCRIPTION_WORDS, MIN_LESSONS};

/// Where in the wizard (and the editor) a rule is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Basics,
    Description,
    Curriculum,
    Cover,
    Price,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Basics => "basics",
            Step::Description => "description",
            Step::Curriculum => "curriculum",
            Step::Cover => "cover",
            Step::Price => "price",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable id of the rule (`description`, `lessons`, ...), also the message key's suffix.
    pub rule: &'static str,
    pub ok: bool,
    pub required: bool,
    pub step: Step,
}

/// Lessons that have something to read or watch.
pub fn lessons_with_content(cur: &Curriculum) -> u32 {
    cur.lessons()
        .filter(|l| {
            !l.body_md.trim().is_empty()
                || l.video_url.is_some()
                || l.video_upload.is_some()
                || l.quiz.is_some()
        })
        .count() as u32
}

pub fn checklist(c: &CourseRecord, cur: &Curriculum, has_cover: bool) -> Vec<Check> {
    let description = crate::richtext::plain_text(&c.description_html);
    let words = description.split_whitespace().count();
    let check = |rule, ok, required, step| Check { rule, ok, required, step };
    vec![
        check("subtitle", !c.subtitle.trim().is_empty(), false, Step::Basics),
        check("description", !description.is_empty(), true, Step::Description),
        check("description_words", words >= MIN_DESCRIPTION_WORDS, false, Step::Description),
        check("lessons", c.total_lessons > 0, true, Step::Curriculum),
        check("lessons_with_content", lessons_with_content(cur) >= MIN_LESSONS, false, Step::Curriculum),
        check("cover", has_cover, false, Step::Cover),
    ]
}

/// The first step of the wizard that still has something to do (`None`: ready to publish).
pub fn first_open_step(checks: &[Check]) -> Option<Step> {
    checks.iter().find(|c| !c.ok).map(|c| c.step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_draft_needs_a_description_and_lessons() {
        let c: CourseRecord = serde_json::from_value(serde_json::json!({
            "id": crate::ids::CourseId::generate(), "seq": 1, "slug": "s", "title": "Title",
            "description_md": "", "description_html": "", "level": "beginner", "language": "en",
            "category_id": crate::ids::CategoryId::generate(), "price_minor": 0, "currency": "USD",
            "status": "draft", "teacher_id": crate::ids::UserId::generate(),
            "created_at": 0, "updated_at": 0
        }))
        .unwrap();
        let checks = checklist(&c, &Curriculum { modules: vec![] }, false);
        let blocking: Vec<_> = checks.iter().filter(|c| c.required && !c.ok).map(|c| c.rule).collect();
        assert_eq!(blocking, ["description", "lessons"]);
        assert_eq!(first_open_step(&checks), Some(Step::Basics));
    }
}
