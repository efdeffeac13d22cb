//! Consistency check: every counter the store keeps must equal what its records imply, and the
//! ledger must balance.
//!
//! Used by `lectern check`, the crash harness and the backup tests. It reads one snapshot, so it
//! can run against a live store too.

use std::collections::HashMap;

use crate::catalog::repo as catalog;
use crate::ids::{CourseId, UserId};
use crate::schema::*;
use crate::store::StoreResult;

/// Problems found, in words; empty when everything adds up.
pub fn counters(rtx: &redb::ReadTransaction) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    let mut published_per_category: HashMap<u128, u64> = HashMap::new();
    for (key, c) in COURSES.range(rtx, .., false, usize::MAX)? {
        let id = CourseId::from_key(key);
        if c.is_published() {
            *published_per_category.entry(c.category_id.key()).or_default() += 1;
        }
        let students = ENROLLMENTS_BY_COURSE.range(rtx, (key, 0)..=(key, u128::MAX), false, usize::MAX)?;
        if students.len() as u64 != c.student_count {
            problems.push(format!(
                "course {id}: student_count {} but {} enrollments",
                c.student_count,
                students.len()
            ));
        }
        let mut sum = 0u64;
        let mut n = 0u64;
        for ((_, r), ()) in REVIEWS_BY_COURSE.range(rtx, (key, 0)..=(key, u128::MAX), false, usize::MAX)? {
            match REVIEWS.get(rtx, &r)? {
                // Only published reviews count in a course's rating.
                Some(rev) if rev.is_published() => {
                    sum += u64::from(rev.rating);
                    n += 1;
                }
                Some(_) => {}
                None => problems.push(format!("course {id}: review index points at missing review")),
            }
        }
        if n != c.review_count || sum != c.rating_sum {
            problems.push(format!(
                "course {id}: review_count/rating_sum {}/{} but records give {n}/{sum}",
                c.review_count, c.rating_sum
            ));
        }
        let cur = catalog::curriculum(rtx, id)?;
        let lessons: Vec<_> = cur.lessons().collect();
        let duration: u64 = lessons.iter().map(|l| u64::from(l.duration_s)).sum();
        if lessons.len() as u32 != c.total_lessons || duration != c.total_duration_s {
            problems.push(format!(
                "course {id}: total_lessons/duration {}/{} but curriculum gives {}/{duration}",
                c.total_lessons,
                c.total_duration_s,
                lessons.len()
            ));
        }
        for ((_, u), ()) in students {
            let user = UserId::from_key(u);
            let Some(e) = ENROLLMENTS.get(rtx, &(u, key))? else {
                problems
                    .push(format!("course {id}: enrollment index points at missing enrollment of {user}"));
                continue;
            };
            let done =
                COMPLETIONS.range(rtx, (u, key, 0)..=(u, key, u128::MAX), false, usize::MAX)?.len() as u32;
            if done != e.completed_lessons {
                problems.push(format!(
                    "enrollment {user}/{id}: completed_lessons {} but {done} completions",
                    e.completed_lessons
                ));
            }
        }
    }
    for c in catalog::categories(rtx)? {
        let expected = published_per_category.get(&c.id.key()).copied().unwrap_or(0);
        if c.course_count != expected {
            problems.push(format!(
                "category {}: course_count {} but {expected} published courses",
                c.slug, c.course_count
            ));
        }
    }
    let mut unread: HashMap<u128, u64> = HashMap::new();
    for ((u, _), n) in NOTIFICATIONS.range(rtx, .., false, usize::MAX)? {
        if !n.read {
            *unread.entry(u).or_default() += 1;
        }
    }
    for (u, count) in NOTIFICATIONS_UNREAD.range(rtx, .., false, usize::MAX)? {
        let expected = unread.remove(&u).unwrap_or(0);
        if count != expected {
            problems.push(format!(
                "user {}: unread count {count} but {expected} unread notifications",
                UserId::from_key(u)
            ));
        }
    }
    for (u, n) in unread {
        problems.push(format!("user {}: {n} unread notifications but no unread count", UserId::from_key(u)));
    }
    // The ledger: every transaction balances, every balance is the sum of its entries.
    problems.extend(crate::commerce::ledger::verify(rtx)?.problems);
    // The analytics counters equal their recount from the records.
    problems.extend(crate::analytics::counters::verify(rtx)?);
    // The moderation queue holds exactly the pending reviews.
    for (key, r) in REVIEWS.range(rtx, .., false, usize::MAX)? {
        let queued = REVIEWS_PENDING.get(rtx, &key)?.is_some();
        if queued != (r.status == crate::learning::repo::ReviewStatus::Pending) {
            problems.push(format!("review {}: status {} but queued {queued}", r.id, r.status.as_str()));
        }
    }
    for (key, ()) in REVIEWS_PENDING.range(rtx, .., false, usize::MAX)? {
        if REVIEWS.get(rtx, &key)?.is_none() {
            problems.push(format!(
                "review queue points at missing review {}",
                crate::ids::ReviewId::from_key(key)
            ));
        }
    }
    problems.extend(quizzes(rtx)?);
    problems.extend(questions(rtx)?);
    Ok(problems)
}

/// A quiz's attempt and pass counters equal its recorded attempts. (The per-question counters
/// are of the quiz's current version only, which attempts do not record: not recounted.)
fn quizzes(rtx: &redb::ReadTransaction) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    let mut counted: HashMap<u128, (u64, u64)> = HashMap::new();
    for ((lesson, _, _), a) in QUIZ_ATTEMPTS.range(rtx, .., false, usize::MAX)? {
        let c = counted.entry(lesson).or_default();
        c.0 += 1;
        c.1 += u64::from(a.passed);
    }
    for (lesson, stats) in QUIZ_STATS.range(rtx, .., false, usize::MAX)? {
        let (attempts, passed) = counted.remove(&lesson).unwrap_or_default();
        if (stats.attempts, stats.passed) != (attempts, passed) {
            problems.push(format!(
                "quiz {}: counters say {} attempts, {} passed; the records {attempts}, {passed}",
                crate::ids::LessonId::from_key(lesson),
                stats.attempts,
                stats.passed
            ));
        }
    }
    for (lesson, (attempts, _)) in counted {
        problems.push(format!(
            "quiz {}: {attempts} attempts recorded but no counters",
            crate::ids::LessonId::from_key(lesson)
        ));
    }
    Ok(problems)
}

/// A question's answer count is its published answers, and its accepted answer is one of them.
fn questions(rtx: &redb::ReadTransaction) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    for (key, q) in QUESTIONS.range(rtx, .., false, usize::MAX)? {
        let mut published = Vec::new();
        for ((_, a), ()) in ANSWERS_BY_QUESTION.range(rtx, (key, 0)..=(key, u128::MAX), false, usize::MAX)? {
            if ANSWERS.get(rtx, &a)?.is_some_and(|a| a.is_published()) {
                published.push(a);
            }
        }
        if u64::from(q.answer_count) != published.len() as u64 {
            problems.push(format!(
                "question {}: answer_count {} but {} published answers",
                q.id,
                q.answer_count,
                published.len()
            ));
        }
        if let Some(accepted) = q.accepted_answer
            && !published.contains(&accepted.key())
        {
            problems.push(format!(
                "question {}: the accepted answer {accepted} is not a published answer of it",
                q.id
            ));
        }
    }
    Ok(problems)
}
