//! Reports and every read and write of their tables. (The course and review queues are the
//! catalog's and learning's records: `catalog::repo::courses_in_review`,
//! `learning::repo::pending_reviews`.)

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::ids::{ReportId, UserId};
use crate::schema::{REPORTS, REPORTS_BY_REPORTER, REPORTS_OPEN};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    Course,
    Review,
    Teacher,
    Lesson,
    Question,
    Answer,
}

impl TargetType {
    pub const ALL: [TargetType; 6] = [
        TargetType::Course,
        TargetType::Review,
        TargetType::Teacher,
        TargetType::Lesson,
        TargetType::Question,
        TargetType::Answer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Course => "course",
            TargetType::Review => "review",
            TargetType::Teacher => "teacher",
            TargetType::Lesson => "lesson",
            TargetType::Question => "question",
            TargetType::Answer => "answer",
        }
    }

    pub fn parse(s: &str) -> Option<TargetType> {
        TargetType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    fn as_u8(self) -> u8 {
        self as u8
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Abuse,
    Copyright,
    Misleading,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Spam,
        ReportReason::Abuse,
        ReportReason::Copyright,
        ReportReason::Misleading,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Abuse => "abuse",
            ReportReason::Copyright => "copyright",
            ReportReason::Misleading => "misleading",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What an admin does about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Nothing breaks the rules.
    Dismiss,
    /// Hide a review (for a course or lesson: take the course down, as `unpublish`).
    Hide,
    /// Take a course (the reported one, or the reported lesson's) out of the catalog; for a
    /// review, hide it.
    Unpublish,
    /// Lock the account of the person responsible.
    LockUser,
}

impl ReportAction {
    pub const ALL: [ReportAction; 4] =
        [ReportAction::Dismiss, ReportAction::Hide, ReportAction::Unpublish, ReportAction::LockUser];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Dismiss => "dismiss",
            ReportAction::Hide => "hide",
            ReportAction::Unpublish => "unpublish",
            ReportAction::LockUser => "lock_user",
        }
    }

    pub fn parse(s: &str) -> Option<ReportAction> {
        ReportAction::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resolution {
    pub action: ReportAction,
    pub note: String,
    pub by: UserId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportRecord {
    pub id: ReportId,
    pub reporter: UserId,
    pub target_type: TargetType,
    /// The target's id (a course, lesson, review or question id, or a teacher's user id).
    pub target_id: u128,
    pub reason: ReportReason,
    pub details: String,
    /// Whose content it is (the course's teacher, the review's author...): told the outcome.
    pub affected: Option<UserId>,
    /// A title for people: the course's title, "review of <course>", the teacher's name.
    pub target_label: String,
    /// Where the target is seen (`/courses/slug`, `/courses/slug#review-...`).
    pub target_link: String,
    pub created_at: Timestamp,
    #[serde(default)]
    pub resolution: Option<Resolution>,
}

pub fn report(r: &impl Readable, id: ReportId) -> StoreResult<Option<ReportRecord>> {
    r.get(REPORTS, &id.key())
}

pub fn get_report(r: &impl Readable, id: ReportId) -> Result<ReportRecord> {
    report(r, id)?.ok_or(Error::NotFound)
}

/// Files a new report; 409 `already_reported` if its reporter reported this target before.
pub fn insert_report(tx: &mut Tx<'_>, rep: &ReportRecord) -> Result<()> {
    let key = (rep.reporter.key(), rep.target_type.as_u8(), rep.target_id);
    if tx.contains(REPORTS_BY_REPORTER, &key)? {
        return Err(Error::Conflict {
            code: Code::AlreadyReported,
            detail: "You have already reported this.".into(),
        });
    }
    tx.put(REPORTS_BY_REPORTER, &key, &rep.id.key())?;
    tx.put(REPORTS, &rep.id.key(), rep)?;
    tx.put(REPORTS_OPEN, &rep.id.key(), &())?;
    Ok(())
}

pub fn save_resolved(tx: &mut Tx<'_>, rep: &ReportRecord) -> Result<()> {
    tx.put(REPORTS, &rep.id.key(), rep)?;
    tx.remove(REPORTS_OPEN, &rep.id.key())?;
    Ok(())
}

/// Open reports, oldest first, strictly after `after`.
pub fn open_reports(r: &impl Readable, after: Option<u128>, limit: usize) -> StoreResult<Vec<ReportRecord>> {
    let rows = match after {
        None => r.range(REPORTS_OPEN, .., limit)?,
        Some(a) => {
            r.range(REPORTS_OPEN, (std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded), limit)?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for (id, ()) in rows {
        if let Some(rep) = report(r, ReportId::from_key(id))? {
            out.push(rep);
        }
    }
    Ok(out)
}
