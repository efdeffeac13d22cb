//! Moderation rules, free of HTTP: the queues, admins' decisions on courses, reviews and
//! reports, and users' reports. Each decision changes the content, tells the people it
//! affects and is written to the audit log in one unit of work.

use std::sync::Arc;

use super::notices::Notices;
use super::repo::{self, ReportAction, ReportReason, ReportRecord, Resolution, TargetType};
use super::verification::{self, VerificationRecord, VerificationStatus};
use crate::audit::{self, Action};
use crate::catalog::Catalog;
use crate::catalog::repo::{self as catalog, CourseRecord, CourseReviewRecord};
use crate::catalog::service::can_view;
use crate::catalog::types::CourseStatus;
use crate::clock::{Clock, Timestamp};
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::{self as identity, UserRecord};
use crate::ids::{AnswerId, CourseId, LessonId, QuestionId, ReportId, ReviewId, UploadId, UserId};
use crate::learning::Learning;
use crate::learning::events::Hooks;
use crate::learning::repo::{self as learning, ReviewRecord, ReviewStatus};
use crate::learning::service::set_review_status;
use crate::mail::templates::{Decision, DecisionFacts};
use crate::media::{self, Purpose};
use crate::qa::repo::{self as qa, PostKind, PostStatus};
use crate::qa::service::{question_link, set_answer_status, set_question_status};
use crate::store::page::{Page, page_by};
use crate::store::{Store, Tx};

/// What a reporter sends.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub target_type: TargetType,
    pub target_id: String,
    pub reason: ReportReason,
    pub details: String,
}

impl NewReport {
    /// Parses a report body into what the service takes (422 with every bad field).
    pub fn parse(target_type: &str, target_id: &str, reason: &str, details: &str) -> Result<NewReport> {
        let mut errors = Vec::new();
        let t = TargetType::parse(target_type);
        if t.is_none() {
            errors.push(crate::error::FieldError::new(
                "target_type",
                "must be course, review, teacher, lesson, question or answer",
            ));
        }
        let r = ReportReason::parse(reason);
        if r.is_none() {
            errors.push(crate::error::FieldError::new(
                "reason",
                "must be spam, abuse, copyright, misleading or other",
            ));
        }
        let details = match crate::fields::text("details", details, 0, 2000) {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        match (t, r) {
            (Some(target_type), Some(reason)) if errors.is_empty() => {
                Ok(NewReport { target_type, target_id: target_id.trim().to_owned(), reason, details })
            }
            _ => Err(Error::Validation(errors)),
        }
    }
}

/// A course waiting for an admin, with the checks' reasons and its teacher's name.
#[derive(Debug, Clone)]
pub struct QueuedCourse {
    pub course: CourseRecord,
    pub review: CourseReviewRecord,
    pub teacher: String,
}

/// A review held by the screen, with its author's name and its course.
#[derive(Debug, Clone)]
pub struct QueuedReview {
    pub review: ReviewRecord,
    pub author: String,
    pub course_title: String,
    pub course_slug: String,
}

/// A verification request as the admin's queue shows it.
#[derive(Debug, Clone)]
pub struct QueuedVerification {
    pub request: VerificationRecord,
    pub teacher_name: String,
    pub teacher_email: String,
}

/// Documents must be the teacher's own uploads made for verification, so a request cannot
/// point an admin at someone else's files.
fn check_documents(tx: &Tx<'_>, teacher: UserId, documents: &[String]) -> Result<()> {
    for d in documents {
        let refuse = || {
            Error::validation("document_upload_ids", format!("{d:?} is not one of your verification uploads"))
        };
        let id = d.parse::<UploadId>().map_err(|_| refuse())?;
        match media::repo::upload(tx, id)? {
            Some(u) if u.owner == teacher && u.purpose == Purpose::VerificationDocument => {}
            _ => return Err(refuse()),
        }
    }
    Ok(())
}

pub struct Moderation {
    store: Store,
    clock: Arc<Clock>,
    catalog: Arc<Catalog>,
    hooks: Hooks,
    notices: Notices,
}

fn not_pending(detail: &str) -> Error {
    Error::Conflict { code: Code::NotPending, detail: detail.into() }
}

fn not_supported(detail: &str) -> Error {
    Error::Conflict { code: Code::NotSupported, detail: detail.into() }
}

fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::NotFound)
}

/// A required reason: trimmed, 3 to 2000 characters.
pub fn reason(field: &str, raw: &str) -> Result<String> {
    crate::fields::text(field, raw, 3, 2000).map_err(|e| Error::Validation(vec![e]))
}

/// Moves a course from one of `from` to `to` in the caller's unit of work.
fn move_course(
    tx: &mut Tx<'_>,
    id: CourseId,
    from: &[CourseStatus],
    to: CourseStatus,
    now: Timestamp,
) -> Result<CourseRecord> {
    let before = catalog::get_course(tx, id)?;
    if !from.contains(&before.status) {
        return Err(not_pending("The course is not waiting for this decision."));
    }
    let mut c = before.clone();
    c.status = to;
    c.updated_at = now;
    if to == CourseStatus::Published {
        c.published_at.get_or_insert(now);
    }
    catalog::update_course(tx, &before, &c)?;
    Ok(c)
}

fn user(tx: &Tx<'_>, id: UserId) -> Result<UserRecord> {
    identity::user(tx, id)?.ok_or(Error::NotFound)
}

impl Moderation {
    pub fn new(
        store: Store,
        clock: Arc<Clock>,
        catalog: Arc<Catalog>,
        learning: &Learning,
        notices: Notices,
    ) -> Moderation {
        Moderation { store, clock, catalog, hooks: learning.hooks().clone(), notices }
    }

    // ---- courses ----

    /// Publishes a course in review. `note` (optional) is passed on to the teacher.
    pub async fn approve_course(
        &self,
        admin: &UserRecord,
        id: CourseId,
        note: Option<String>,
    ) -> Result<CourseRecord> {
        self.decide_course(admin, id, CourseDecision::Approve, note.unwrap_or_default()).await
    }

    /// Sends a course in review back to its teacher, with what to fix.
    pub async fn reject_course(&self, admin: &UserRecord, id: CourseId, why: String) -> Result<CourseRecord> {
        self.decide_course(admin, id, CourseDecision::Reject, why).await
    }

    /// Takes a published (or queued) course out of the catalog, with the reason.
    pub async fn unpublish_course(
        &self,
        admin: &UserRecord,
        id: CourseId,
        why: String,
    ) -> Result<CourseRecord> {
        self.decide_course(admin, id, CourseDecision::Unpublish, why).await
    }

    async fn decide_course(
        &self,
        admin: &UserRecord,
        id: CourseId,
        d: CourseDecision,
        why: String,
    ) -> Result<CourseRecord> {
        let (actor, now, notices) = (admin.id, self.clock.now(), self.notices.clone());
        let (pos, c) = self
            .store
            .write(move |tx| {
                let (from, to, action, decision): (&[CourseStatus], _, _, _) = match d {
                    CourseDecision::Approve => (
                        &[CourseStatus::InReview],
                        CourseStatus::Published,
                        "course.approve",
                        Decision::CourseApproved,
                    ),
                    CourseDecision::Reject => (
                        &[CourseStatus::InReview],
                        CourseStatus::Draft,
                        "course.reject",
                        Decision::CourseRejected,
                    ),
                    CourseDecision::Unpublish => (
                        &[CourseStatus::Published, CourseStatus::InReview],
                        CourseStatus::Draft,
                        "course.unpublish",
                        Decision::CourseUnpublished,
                    ),
                };
                let c = move_course(tx, id, from, to, now)?;
                let teacher = user(tx, c.teacher_id)?;
                let facts = DecisionFacts { target: &c.title, reason: &why, ..Default::default() };
                notices.tell(tx, &teacher, decision, &format!("/courses/{}", c.slug), &facts, now)?;
                let reason = (!why.is_empty()).then_some(why.as_str());
                let a = Action {
                    actor: Some(actor),
                    action,
                    target_type: "course",
                    target_id: id.to_string(),
                    reason,
                };
                audit::record(tx, a, now)?;
                Ok((tx.position(), c))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        if !c.is_published() {
            self.catalog.withdrawals().record();
        }
        Ok(c)
    }

    // ---- reviews ----

    /// Publishes a held review (or a hidden one again): it counts in the rating from now on.
    pub async fn approve_review(
        &self,
        admin: &UserRecord,
        id: ReviewId,
        note: Option<String>,
    ) -> Result<ReviewRecord> {
        self.decide_review(admin, id, ReviewStatus::Published, note.unwrap_or_default()).await
    }

    /// Hides a review (held or published); its author is told why.
    pub async fn hide_review(&self, admin: &UserRecord, id: ReviewId, why: String) -> Result<ReviewRecord> {
        self.decide_review(admin, id, ReviewStatus::Hidden, why).await
    }

    async fn decide_review(
        &self,
        admin: &UserRecord,
        id: ReviewId,
        to: ReviewStatus,
        why: String,
    ) -> Result<ReviewRecord> {
        let (actor, now, notices, hooks) =
            (admin.id, self.clock.now(), self.notices.clone(), self.hooks.clone());
        let (pos, c, r) = self
            .store
            .write(move |tx| {
                let current = learning::get_review(tx, id)?;
                if current.status == to {
                    return Err(not_pending("The review already has this status."));
                }
                let (_, r, c) = set_review_status(tx, &hooks, id, to, now)?;
                let author = user(tx, r.author_id)?;
                let (decision, action) = match to {
                    ReviewStatus::Published => (Decision::ReviewApproved, "review.approve"),
                    _ => (Decision::ReviewHidden, "review.hide"),
                };
                let facts = DecisionFacts { target: &c.title, reason: &why, ..Default::default() };
                notices.tell(tx, &author, decision, &format!("/courses/{}#reviews", c.slug), &facts, now)?;
                let reason = (!why.is_empty()).then_some(why.as_str());
                let a = Action {
                    actor: Some(actor),
                    action,
                    target_type: "review",
                    target_id: id.to_string(),
                    reason,
                };
                audit::record(tx, a, now)?;
                Ok((tx.position(), c, r))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        if !r.is_published() {
            self.catalog.withdrawals().record();
        }
        Ok(r)
    }

    // ---- lesson Q&A ----

    /// Publishes a held (or hidden) question or answer, or hides one (`why` is then required
    /// by the route); its author is told and the decision is audited.
    pub async fn decide_post(
        &self,
        admin: &UserRecord,
        id: u128,
        to: PostStatus,
        why: String,
    ) -> Result<(PostKind, PostStatus)> {
        let (actor, now, notices, hooks) =
            (admin.id, self.clock.now(), self.notices.clone(), self.hooks.clone());
        self.store
            .write(move |tx| {
                let kind = post_kind(tx, id)?;
                if post_status(tx, kind, id)? == to {
                    return Err(not_pending("The post already has this status."));
                }
                let (author, c, link) = set_post_status(tx, &hooks, kind, id, to, now)?;
                let decision =
                    if to == PostStatus::Published { Decision::PostApproved } else { Decision::PostHidden };
                if let Some(author) = identity::user(tx, author)? {
                    let facts = DecisionFacts { target: &c.title, reason: &why, ..Default::default() };
                    notices.tell(tx, &author, decision, &link, &facts, now)?;
                }
                let a = Action {
                    actor: Some(actor),
                    action: kind_action(kind, to),
                    target_type: kind_name(kind),
                    target_id: ulid::Ulid(id).to_string(),
                    reason: (!why.is_empty()).then_some(why.as_str()),
                };
                audit::record(tx, a, now)?;
                Ok((kind, to))
            })
            .await
    }

    // ---- reports ----

    /// Files `who`'s report. The target must exist and be visible to them (404 otherwise);
    /// reporting the same target twice is 409 `already_reported`.
    pub async fn report(&self, who: &UserRecord, input: NewReport) -> Result<ReportRecord> {
        let (who, now) = (who.clone(), self.clock.now());
        self.store
            .write(move |tx| {
                let (target_id, affected, label, link) =
                    resolve_target(tx, &who, input.target_type, &input.target_id)?;
                let rep = ReportRecord {
                    id: ReportId::generate(),
                    reporter: who.id,
                    target_type: input.target_type,
                    target_id,
                    reason: input.reason,
                    details: input.details.clone(),
                    affected,
                    target_label: label,
                    target_link: link,
                    created_at: now,
                    resolution: None,
                };
                repo::insert_report(tx, &rep)?;
                Ok(rep)
            })
            .await
    }

    /// Resolves an open report with `action`: the content changes as the action says, the
    /// reporter is told the outcome, the person whose content was restricted gets the statement
    /// of reasons, and both the resolution and the content change are audited.
    pub async fn resolve(
        &self,
        admin: &UserRecord,
        id: ReportId,
        action: ReportAction,
        note: String,
    ) -> Result<ReportRecord> {
        let (actor, now, notices, hooks) =
            (admin.id, self.clock.now(), self.notices.clone(), self.hooks.clone());
        let (pos, course, rep) = self
            .store
            .write(move |tx| {
                let mut rep = repo::get_report(tx, id)?;
                if rep.resolution.is_some() {
                    return Err(not_pending("This report is resolved already."));
                }
                let mut course = None;
                let restricts = action != ReportAction::Dismiss;
                match (action, rep.target_type) {
                    (ReportAction::Dismiss, _) => {}
                    (ReportAction::LockUser, _) => {
                        // The person behind the reported thing: the review's author, the
                        // course's or lesson's teacher, the teacher reported.
                        let person = rep.affected.ok_or_else(|| not_supported("Nobody to lock here."))?;
                        crate::identity::admin::lock_in(tx, actor, person, Some(&note), now)?;
                    }
                    (ReportAction::Hide | ReportAction::Unpublish, TargetType::Review) => {
                        let rid = ReviewId::from_key(rep.target_id);
                        if learning::get_review(tx, rid)?.status != ReviewStatus::Hidden {
                            let (_, _, c) = set_review_status(tx, &hooks, rid, ReviewStatus::Hidden, now)?;
                            course = Some(c);
                        }
                        let a = Action {
                            actor: Some(actor),
                            action: "review.hide",
                            target_type: "review",
                            target_id: rid.to_string(),
                            reason: Some(&note),
                        };
                        audit::record(tx, a, now)?;
                    }
                    (
                        ReportAction::Hide | ReportAction::Unpublish,
                        TargetType::Course | TargetType::Lesson,
                    ) => {
                        let cid = match rep.target_type {
                            TargetType::Course => CourseId::from_key(rep.target_id),
                            _ => catalog::get_lesson(tx, LessonId::from_key(rep.target_id))?.course_id,
                        };
                        let current = catalog::get_course(tx, cid)?;
                        if matches!(current.status, CourseStatus::Published | CourseStatus::InReview) {
                            let from = [CourseStatus::Published, CourseStatus::InReview];
                            course = Some(move_course(tx, cid, &from, CourseStatus::Draft, now)?);
                        }
                        let a = Action {
                            actor: Some(actor),
                            action: "course.unpublish",
                            target_type: "course",
                            target_id: cid.to_string(),
                            reason: Some(&note),
                        };
                        audit::record(tx, a, now)?;
                    }
                    (
                        ReportAction::Hide | ReportAction::Unpublish,
                        TargetType::Question | TargetType::Answer,
                    ) => {
                        let kind = if rep.target_type == TargetType::Question {
                            PostKind::Question
                        } else {
                            PostKind::Answer
                        };
                        if post_status(tx, kind, rep.target_id)? != PostStatus::Hidden {
                            set_post_status(tx, &hooks, kind, rep.target_id, PostStatus::Hidden, now)?;
                        }
                        let a = Action {
                            actor: Some(actor),
                            action: kind_action(kind, PostStatus::Hidden),
                            target_type: kind_name(kind),
                            target_id: ulid::Ulid(rep.target_id).to_string(),
                            reason: Some(&note),
                        };
                        audit::record(tx, a, now)?;
                    }
                    (ReportAction::Hide | ReportAction::Unpublish, TargetType::Teacher) => {
                        return Err(not_supported("Hide or unpublish the teacher's courses, or dismiss."));
                    }
                }
                rep.resolution = Some(Resolution { action, note: note.clone(), by: actor, at: now });
                repo::save_resolved(tx, &rep)?;
                let facts = DecisionFacts {
                    target: &rep.target_label,
                    reason: &note,
                    action: action.as_str(),
                    report_reason: rep.reason.as_str(),
                };
                let reporter = user(tx, rep.reporter)?;
                notices.tell(tx, &reporter, Decision::ReportResolved, &rep.target_link, &facts, now)?;
                if restricts
                    && let Some(affected) = rep.affected
                    && let Some(affected) = identity::user(tx, affected)?
                {
                    notices.tell(tx, &affected, Decision::ReportAction, &rep.target_link, &facts, now)?;
                }
                let a = Action {
                    actor: Some(actor),
                    action: match action {
                        ReportAction::Dismiss => "report.dismiss",
                        ReportAction::Hide => "report.hide",
                        ReportAction::Unpublish => "report.unpublish",
                        ReportAction::LockUser => "report.lock_user",
                    },
                    target_type: "report",
                    target_id: id.to_string(),
                    reason: Some(&note),
                };
                audit::record(tx, a, now)?;
                Ok((tx.position(), course, rep))
            })
            .await?;
        if let Some(c) = course {
            self.catalog.cache_course(pos, &c);
            self.catalog.withdrawals().record();
        }
        Ok(rep)
    }

    // ---- teacher verification ----

    /// A teacher asks to be verified with documents (their own uploads) and a note; a request
    /// after a rejection replaces the old one.
    pub async fn request_verification(
        &self,
        who: &UserRecord,
        documents: Vec<String>,
        note: String,
    ) -> Result<VerificationRecord> {
        if who.role != Role::Teacher {
            return Err(Error::Forbidden {
                code: Code::TeachersOnly,
                detail: "Only teachers are verified.".into(),
            });
        }
        if documents.is_empty() || documents.len() > 5 {
            return Err(Error::validation("document_upload_ids", "send between 1 and 5 documents"));
        }
        let (teacher, now) = (who.id, self.clock.now());
        self.store
            .write(move |tx| {
                let user = user(tx, teacher)?;
                if user.verified_at.is_some() {
                    return Err(Error::Conflict {
                        code: Code::AlreadyVerified,
                        detail: "You are already verified.".into(),
                    });
                }
                check_documents(tx, teacher, &documents)?;
                let v = VerificationRecord {
                    teacher,
                    documents: documents.clone(),
                    note: note.clone(),
                    status: VerificationStatus::Pending,
                    submitted_at: now,
                    decided_at: None,
                    decided_by: None,
                    reason: None,
                };
                verification::save(tx, &v)?;
                Ok(v)
            })
            .await
    }

    /// The caller's latest request, if any.
    pub async fn verification(&self, who: &UserRecord) -> Result<Option<VerificationRecord>> {
        let id = who.id;
        self.store.read(move |rtx| Ok(verification::get(rtx, id)?)).await
    }

    /// Approves (the teacher is verified from now on) or rejects a pending request; the teacher
    /// is told, with the reason, and the decision is audited.
    pub async fn decide_verification(
        &self,
        admin: &UserRecord,
        teacher: UserId,
        approve: bool,
        why: Option<String>,
    ) -> Result<VerificationRecord> {
        let (actor, now, notices) = (admin.id, self.clock.now(), self.notices.clone());
        self.store
            .write(move |tx| {
                let mut v = verification::get(tx, teacher)?.ok_or(Error::NotFound)?;
                if v.status != VerificationStatus::Pending {
                    return Err(not_pending("This request was decided already."));
                }
                v.status = if approve { VerificationStatus::Approved } else { VerificationStatus::Rejected };
                v.decided_at = Some(now);
                v.decided_by = Some(actor);
                v.reason = why.clone();
                verification::save(tx, &v)?;
                let mut u = user(tx, teacher)?;
                if approve {
                    u.verified_at = Some(now);
                    u.updated_at = now;
                    identity::update_user(tx, &u)?;
                }
                let (decision, action) = if approve {
                    (Decision::VerificationApproved, "verification.approve")
                } else {
                    (Decision::VerificationRejected, "verification.reject")
                };
                let reason = why.as_deref().unwrap_or("");
                let facts = DecisionFacts { target: &u.name, reason, ..Default::default() };
                notices.tell(tx, &u, decision, "/studio/verification", &facts, now)?;
                let a = Action {
                    actor: Some(actor),
                    action,
                    target_type: "user",
                    target_id: teacher.to_string(),
                    reason: why.as_deref(),
                };
                audit::record(tx, a, now)?;
                Ok(v)
            })
            .await
    }

    /// Requests waiting for an admin, with the teacher's name and email.
    pub async fn verification_queue(
        &self,
        after: Option<u128>,
        limit: usize,
    ) -> Result<Page<QueuedVerification>> {
        self.store
            .read(move |rtx| {
                let mut items = Vec::new();
                for request in verification::pending(rtx, after, limit + 1)? {
                    let Some(teacher) = identity::user(rtx, request.teacher)? else { continue };
                    items.push(QueuedVerification {
                        request,
                        teacher_name: teacher.name,
                        teacher_email: teacher.email,
                    });
                }
                Ok(page_by(items, limit, |q| q.request.teacher.key()))
            })
            .await
    }

    // ---- queues ----

    /// Courses in review, oldest first (by course id), a page strictly after `after`.
    pub async fn course_queue(&self, after: Option<u128>, limit: usize) -> Result<Page<QueuedCourse>> {
        self.store
            .read(move |rtx| {
                let mut items = Vec::new();
                for (id, review) in catalog::courses_in_review(rtx, after, limit + 1)? {
                    let Some(course) = catalog::course(rtx, id)? else { continue };
                    let teacher = identity::user(rtx, course.teacher_id)?.map(|u| u.name).unwrap_or_default();
                    items.push(QueuedCourse { course, review, teacher });
                }
                Ok(page_by(items, limit, |q| q.course.id.key()))
            })
            .await
    }

    /// Reviews held by the screen, oldest first.
    pub async fn review_queue(&self, after: Option<u128>, limit: usize) -> Result<Page<QueuedReview>> {
        self.store
            .read(move |rtx| {
                let mut items = Vec::new();
                for review in learning::pending_reviews(rtx, after, limit + 1)? {
                    let author = identity::user(rtx, review.author_id)?.map(|u| u.name).unwrap_or_default();
                    let (course_title, course_slug) = catalog::course(rtx, review.course_id)?
                        .map(|c| (c.title, c.slug))
                        .unwrap_or_default();
                    items.push(QueuedReview { review, author, course_title, course_slug });
                }
                Ok(page_by(items, limit, |q| q.review.id.key()))
            })
            .await
    }

    /// Open reports, oldest first.
    pub async fn report_queue(&self, after: Option<u128>, limit: usize) -> Result<Page<ReportRecord>> {
        self.store
            .read(move |rtx| Ok(page_by(repo::open_reports(rtx, after, limit + 1)?, limit, |r| r.id.key())))
            .await
    }
}

#[derive(Debug, Clone, Copy)]
enum CourseDecision {
    Approve,
    Reject,
    Unpublish,
}

/// The reported thing: (its key, whose it is, a label, its page). 404 for anything the
/// reporter cannot see.
fn resolve_target(
    tx: &Tx<'_>,
    who: &UserRecord,
    t: TargetType,
    raw: &str,
) -> Result<(u128, Option<UserId>, String, String)> {
    let visible = |c: &CourseRecord| if can_view(Some(who), c) { Ok(()) } else { Err(Error::NotFound) };
    match t {
        TargetType::Course => {
            let id: CourseId = parse_id(raw)?;
            let c = catalog::get_course(tx, id)?;
            visible(&c)?;
            Ok((id.key(), Some(c.teacher_id), c.title.clone(), format!("/courses/{}", c.slug)))
        }
        TargetType::Lesson => {
            let id: LessonId = parse_id(raw)?;
            let l = catalog::get_lesson(tx, id)?;
            let c = catalog::get_course(tx, l.course_id)?;
            visible(&c)?;
            Ok((
                id.key(),
                Some(c.teacher_id),
                format!("{} — {}", c.title, l.title),
                format!("/courses/{}", c.slug),
            ))
        }
        TargetType::Review => {
            let id: ReviewId = parse_id(raw)?;
            let r = learning::get_review(tx, id)?;
            if !r.is_published() && r.author_id != who.id {
                return Err(Error::NotFound);
            }
            let c = catalog::get_course(tx, r.course_id)?;
            visible(&c)?;
            Ok((id.key(), Some(r.author_id), c.title.clone(), format!("/courses/{}#review-{}", c.slug, r.id)))
        }
        TargetType::Teacher => {
            let id: UserId = parse_id(raw)?;
            let u = identity::user(tx, id)?.ok_or(Error::NotFound)?;
            if u.role != Role::Teacher {
                return Err(Error::NotFound);
            }
            Ok((id.key(), Some(u.id), u.name.clone(), format!("/teachers/{}", u.id)))
        }
        // A question or answer: reported by someone who takes part in the course and sees it.
        TargetType::Question => {
            let id: QuestionId = parse_id(raw)?;
            let q = qa::get_question(tx, id)?;
            let c = catalog::get_course(tx, q.course_id)?;
            crate::qa::service::participant(tx, who, &c).map_err(|_| Error::NotFound)?;
            if !q.is_published() && q.author_id != who.id {
                return Err(Error::NotFound);
            }
            Ok((id.key(), Some(q.author_id), format!("{} — {}", c.title, q.title), question_link(&c, &q)))
        }
        TargetType::Answer => {
            let id: AnswerId = parse_id(raw)?;
            let a = qa::get_answer(tx, id)?;
            let q = qa::get_question(tx, a.question_id)?;
            let c = catalog::get_course(tx, a.course_id)?;
            crate::qa::service::participant(tx, who, &c).map_err(|_| Error::NotFound)?;
            if !a.is_published() && a.author_id != who.id {
                return Err(Error::NotFound);
            }
            Ok((id.key(), Some(a.author_id), format!("{} — {}", c.title, q.title), question_link(&c, &q)))
        }
    }
}

fn kind_name(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Question => "question",
        PostKind::Answer => "answer",
    }
}

fn kind_action(kind: PostKind, to: PostStatus) -> &'static str {
    match (kind, to) {
        (PostKind::Question, PostStatus::Published) => "question.approve",
        (PostKind::Question, _) => "question.hide",
        (PostKind::Answer, PostStatus::Published) => "answer.approve",
        (PostKind::Answer, _) => "answer.hide",
    }
}

/// Which kind of post `id` is (a question or an answer): 404 if neither.
fn post_kind(tx: &Tx<'_>, id: u128) -> Result<PostKind> {
    if qa::question(tx, QuestionId::from_key(id))?.is_some() {
        Ok(PostKind::Question)
    } else if qa::answer(tx, AnswerId::from_key(id))?.is_some() {
        Ok(PostKind::Answer)
    } else {
        Err(Error::NotFound)
    }
}

fn post_status(tx: &Tx<'_>, kind: PostKind, id: u128) -> Result<PostStatus> {
    Ok(match kind {
        PostKind::Question => qa::get_question(tx, QuestionId::from_key(id))?.status,
        PostKind::Answer => qa::get_answer(tx, AnswerId::from_key(id))?.status,
    })
}

/// Changes a post's status through qa's rules; answers (its author, its course, the link).
fn set_post_status(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    kind: PostKind,
    id: u128,
    to: PostStatus,
    now: Timestamp,
) -> Result<(UserId, CourseRecord, String)> {
    let (author, question) = match kind {
        PostKind::Question => {
            let (_, q) = set_question_status(tx, hooks, QuestionId::from_key(id), to)?;
            (q.author_id, q)
        }
        PostKind::Answer => {
            let (_, a) = set_answer_status(tx, AnswerId::from_key(id), to, now)?;
            (a.author_id, qa::get_question(tx, a.question_id)?)
        }
    };
    let c = catalog::get_course(tx, question.course_id)?;
    let link = question_link(&c, &question);
    Ok((author, c, link))
}
