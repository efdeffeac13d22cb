//! The store's schema: every table of every domain and the migrations between versions.
//!
//! It sits above both the store (which knows tables and transactions, not what is in them) and
//! the domains (which own their record types): a new domain adds its tables and a migration
//! here, in one place, and the store stays free of domain code.
//!
//! Naming: `<entity>` holds records by id; `<entity>_by_<field>` is a secondary index kept in the
//! same write transaction as the record it points to. Keys are ULIDs as `u128`, so an index
//! keyed by `(parent, child)` lists a parent's children in creation order.

use std::path::Path;

use crate::audit::AuditRecord;
use crate::catalog::repo::{CategoryRecord, CourseRecord, CourseReviewRecord, LessonRecord, ModuleRecord};
use crate::clock::Timestamp;
use crate::commerce::coupons::CouponRecord;
use crate::commerce::ledger::{Hold, LedgerTx};
use crate::commerce::payouts::PayoutRecord;
use crate::commerce::repo::{MoneyDay, OrderRecord, Outcome};
use crate::engagement::certificates::CertificateRecord;
use crate::engagement::repo::{DigestItem, EmailPrefs, ReminderState};
use crate::identity::repo::{EmailTokenRecord, FamilyRecord, RefreshTokenRecord, UserRecord};
use crate::learning::repo::{
    AttemptRecord, DayCounts, EnrollmentRecord, NotificationRecord, QuizStats, ReviewRecord,
};
use crate::mail::OutboxRecord;
use crate::media::repo::UploadRecord;
use crate::moderation::repo::ReportRecord;
use crate::moderation::verification::VerificationRecord;
use crate::qa::repo::{AnswerRecord, QuestionRecord};
use crate::store::migrate::{Migration, Schema};
use crate::store::table::{RawTable, Table};
pub use crate::store::tables::{CHANGES, Change, META};
use crate::store::{Store, StoreResult, Tx};

/// Lectern's schema, as [`Store::open`] takes it.
pub static SCHEMA: Schema = Schema { migrations: MIGRATIONS, tables: ALL };

/// The version this build writes.
pub const SCHEMA_VERSION: u64 = 15;

/// Opens (or creates) the store in `data_dir` with Lectern's schema, upgrading it if older.
pub fn open(data_dir: &Path) -> StoreResult<Store> {
    Store::open(data_dir, &SCHEMA)
}

pub const USERS: Table<u128, UserRecord> = Table::new("users");
/// Normalised email → user id.
pub const USERS_BY_EMAIL: Table<String, u128> = Table::new("users_by_email");
/// (role, user id) → (); added by migration 2.
pub const USERS_BY_ROLE: Table<(u8, u128), ()> = Table::new("users_by_role");

/// SHA-256 of a refresh token → its record. The token itself is never stored.
pub const REFRESH_TOKENS: Table<[u8; 32], RefreshTokenRecord> = Table::new("refresh_tokens");
pub const FAMILIES: Table<u128, FamilyRecord> = Table::new("refresh_families");
/// (user id, family id) → (): every sign-in of a user, to revoke them all.
pub const FAMILIES_BY_USER: Table<(u128, u128), ()> = Table::new("refresh_families_by_user");
/// (family id, token hash) → (): to delete a family's tokens when it is purged.
pub const TOKENS_BY_FAMILY: Table<(u128, [u8; 32]), ()> = Table::new("refresh_tokens_by_family");

/// SHA-256 of an email-verification or password-reset token → its record.
pub const EMAIL_TOKENS: Table<[u8; 32], EmailTokenRecord> = Table::new("email_tokens");

pub const OUTBOX: Table<u128, OutboxRecord> = Table::new("outbox");
/// (next attempt at, message id) → (): messages still to send, soonest first.
pub const OUTBOX_DUE: Table<(i64, u128), ()> = Table::new("outbox_due");

// ---- commerce (migration 4) ----

pub const ORDERS: Table<u128, OrderRecord> = Table::new("orders");
/// (buyer, order) → (): a person's orders, newest last.
pub const ORDERS_BY_BUYER: Table<(u128, u128), ()> = Table::new("orders_by_buyer");
/// (buyer, course) → the pending order: one checkout at a time per course.
pub const ORDERS_PENDING: Table<(u128, u128), u128> = Table::new("orders_pending");
/// "provider:reference" (a Stripe Checkout Session id) → order.
pub const ORDERS_BY_REF: Table<String, u128> = Table::new("orders_by_ref");
/// "provider:event id" → when it was applied: each provider event takes effect once.
pub const PAYMENT_EVENTS: Table<String, Timestamp> = Table::new("payment_events");
pub const COUPONS: Table<u128, CouponRecord> = Table::new("coupons");
/// "course id:CODE" (or "*:CODE" school-wide) → coupon.
pub const COUPONS_BY_CODE: Table<String, u128> = Table::new("coupons_by_code");
/// (course key, or 0 for school-wide; coupon) → ().
pub const COUPONS_BY_COURSE: Table<(u128, u128), ()> = Table::new("coupons_by_course");
/// (coupon, buyer) → the order holding or having redeemed it: one use per buyer.
pub const COUPON_USES: Table<(u128, u128), u128> = Table::new("coupon_uses");

// ---- the audit log (migration 8) ----

/// Audit entry id → the entry: every admin action, in the order it was taken.
pub const AUDIT: Table<u128, AuditRecord> = Table::new("audit");

// ---- money owed (migration 5) ----

/// Ledger transaction id → the transaction with its entries.
pub const LEDGER: Table<u128, LedgerTx> = Table::new("ledger");
/// "account|CURRENCY" → its balance: the sum of its entries, kept in the same unit of work.
pub const LEDGER_BALANCES: Table<String, i64> = Table::new("ledger_balances");
/// (hold ends at, order) → a sale's teacher share still pending.
pub const LEDGER_HOLDS: Table<(i64, u128), Hold> = Table::new("ledger_holds");
pub const PAYOUTS: Table<u128, PayoutRecord> = Table::new("payouts");
/// (teacher, payout) → ().
pub const PAYOUTS_BY_TEACHER: Table<(u128, u128), ()> = Table::new("payouts_by_teacher");
/// (order, "provider:event id") → an event that came before the payment it is about (a refund
/// or a dispute), applied when the order is paid.
pub const PARKED_EVENTS: Table<(u128, String), Outcome> = Table::new("parked_events");
/// Order → (): buyers' refund requests an admin has not acted on.
pub const REFUND_REQUESTS: Table<u128, ()> = Table::new("refund_requests");

// ---- certificates (migration 6) ----

/// Certificate code (22 URL-safe characters, 128 random bits) → the certificate.
pub const CERTIFICATES: Table<String, CertificateRecord> = Table::new("certificates");
/// (student, course) → code: at most one certificate per student and course.
pub const CERTIFICATES_BY_STUDENT: Table<(u128, u128), String> = Table::new("certificates_by_student");

// ---- catalog (migration 3) ----

pub const CATEGORIES: Table<u128, CategoryRecord> = Table::new("categories");
pub const CATEGORIES_BY_SLUG: Table<String, u128> = Table::new("categories_by_slug");
pub const COURSES: Table<u128, CourseRecord> = Table::new("courses");
pub const COURSES_BY_SLUG: Table<String, u128> = Table::new("courses_by_slug");
/// (teacher, course) → ().
pub const COURSES_BY_TEACHER: Table<(u128, u128), ()> = Table::new("courses_by_teacher");
pub const MODULES: Table<u128, ModuleRecord> = Table::new("modules");
/// (course, module) → ().
pub const MODULES_BY_COURSE: Table<(u128, u128), ()> = Table::new("modules_by_course");
pub const LESSONS: Table<u128, LessonRecord> = Table::new("lessons");
/// (module, lesson) → ().
pub const LESSONS_BY_MODULE: Table<(u128, u128), ()> = Table::new("lessons_by_module");

// ---- learning (migration 3) ----

/// (student, course) → enrollment.
pub const ENROLLMENTS: Table<(u128, u128), EnrollmentRecord> = Table::new("enrollments");
/// (course, student) → ().
pub const ENROLLMENTS_BY_COURSE: Table<(u128, u128), ()> = Table::new("enrollments_by_course");
/// (student, course, lesson) → when it was completed.
pub const COMPLETIONS: Table<(u128, u128, u128), Timestamp> = Table::new("completions");
/// (lesson, student) → ().
pub const COMPLETIONS_BY_LESSON: Table<(u128, u128), ()> = Table::new("completions_by_lesson");
pub const REVIEWS: Table<u128, ReviewRecord> = Table::new("reviews");
/// (course, review) → ().
pub const REVIEWS_BY_COURSE: Table<(u128, u128), ()> = Table::new("reviews_by_course");
/// (author, course) → review: one review per student and course.
pub const REVIEWS_BY_AUTHOR: Table<(u128, u128), u128> = Table::new("reviews_by_author");
/// (user, course) → the key it has in `WISHLIST_BY_TIME`.
pub const WISHLIST: Table<(u128, u128), u128> = Table::new("wishlist");
/// (user, added) → course: the wishlist, most recent last.
pub const WISHLIST_BY_TIME: Table<(u128, u128), u128> = Table::new("wishlist_by_time");
/// (user, notification) → notification.
pub const NOTIFICATIONS: Table<(u128, u128), NotificationRecord> = Table::new("notifications");
/// user → number of unread notifications.
pub const NOTIFICATIONS_UNREAD: Table<u128, u64> = Table::new("notifications_unread");

// ---- engagement (migration 6: "engagement mail") ----

/// user → the optional mail they want (absent: everything).
pub const EMAIL_PREFS: Table<u128, EmailPrefs> = Table::new("email_prefs");
/// (user, course) → reminder bookkeeping of that enrollment.
pub const REMINDERS: Table<(u128, u128), ReminderState> = Table::new("reminders");
/// (due at, user, course) → (): enrollments the scheduler looks at next, soonest first.
pub const REMINDERS_DUE: Table<(i64, u128, u128), ()> = Table::new("reminders_due");
/// (teacher, item id) → news waiting for the teacher's next digest.
pub const DIGEST_ITEMS: Table<(u128, u128), DigestItem> = Table::new("digest_items");
/// (due at, teacher) → (): digests to send, soonest first.
pub const DIGESTS_DUE: Table<(i64, u128), ()> = Table::new("digests_due");

// ---- moderation (migration 10) ----

/// Reviews held for an admin (status `pending`), by review id: the review queue.
pub const REVIEWS_PENDING: Table<u128, ()> = Table::new("reviews_pending");
/// (fingerprint of a review's text, review) → its course: the same text on several courses.
pub const REVIEW_FINGERPRINTS: Table<(u64, u128), u128> = Table::new("review_fingerprints");
/// Courses waiting for an admin (status `in_review`) → why the checks sent them there.
pub const COURSES_IN_REVIEW: Table<u128, CourseReviewRecord> = Table::new("courses_in_review");
/// (fingerprint of a course description, course) → (): copies of another course's text.
pub const COURSE_FINGERPRINTS: Table<(u64, u128), ()> = Table::new("course_fingerprints");
pub const REPORTS: Table<u128, ReportRecord> = Table::new("reports");
/// (reporter, target kind, target) → report: one report per person and target.
pub const REPORTS_BY_REPORTER: Table<(u128, u8, u128), u128> = Table::new("reports_by_reporter");
/// Reports not yet resolved, by id: the reports queue.
pub const REPORTS_OPEN: Table<u128, ()> = Table::new("reports_open");
/// Teacher verification requests, by teacher.
pub const VERIFICATIONS: Table<u128, VerificationRecord> = Table::new("verifications");
/// Teachers whose request waits for an admin.
pub const VERIFICATIONS_PENDING: Table<u128, ()> = Table::new("verifications_pending");

// ---- uploads (migration 11) ----

/// Upload id → its record (owner, purpose, the file's SHA-256, where it is attached).
pub const UPLOADS: Table<u128, UploadRecord> = Table::new("uploads");
/// (owner, upload) → (): a person's uploads.
pub const UPLOADS_BY_OWNER: Table<(u128, u128), ()> = Table::new("uploads_by_owner");

// ---- analytics counters (migration 12) ----
// Kept by the writes that move them (learning's repo, commerce's sales and refunds), in the same
// unit of work; `analytics::counters` recounts them from the records (`lectern check`).

/// (course, UTC day number) → enrollments still held that began that day, and completions
/// (enrollments completed that day).
pub const COURSE_DAYS: Table<(u128, u32), DayCounts> = Table::new("course_days");
/// Lesson → how many students have completed it (the entries of `completions_by_lesson`).
pub const LESSON_COMPLETED: Table<u128, u64> = Table::new("lesson_completed");
/// (course, rating 1..=5) → published reviews with that rating.
pub const COURSE_RATINGS: Table<(u128, u8), u64> = Table::new("course_ratings");
/// (course, last activity in ms, student) → (): each enrollment once, by its last activity
/// (enrolling, marking a lesson), so "active since t" is one short range.
pub const ACTIVITY_BY_COURSE: Table<(u128, i64, u128), ()> = Table::new("activity_by_course");
/// (course, UTC day number, currency) → money taken and given back that day (the provider's
/// side of the ledger's sales and refunds).
pub const COURSE_MONEY: Table<(u128, u32, String), MoneyDay> = Table::new("course_money");

// ---- quizzes (migration 14) ----
/// (lesson, student, attempt number from 1) → the attempt: counted and written in one unit of
/// work, so `max_attempts` holds whatever arrives at once.
pub const QUIZ_ATTEMPTS: Table<(u128, u128, u32), AttemptRecord> = Table::new("quiz_attempts");
/// lesson → attempts, passes and per-question counters (moved by the attempt's write).
pub const QUIZ_STATS: Table<u128, QuizStats> = Table::new("quiz_stats");
// ---- lesson Q&A (migration 15) ----

/// Question id → the question (its lesson and course, author, text, status, answer count,
/// accepted answer).
pub const QUESTIONS: Table<u128, QuestionRecord> = Table::new("questions");
/// (lesson, question) → (): a lesson's questions, newest last.
pub const QUESTIONS_BY_LESSON: Table<(u128, u128), ()> = Table::new("questions_by_lesson");
/// (course, question) → (): a course's questions (its search, the teacher's recent questions).
pub const QUESTIONS_BY_COURSE: Table<(u128, u128), ()> = Table::new("questions_by_course");
/// Answer id → the answer.
pub const ANSWERS: Table<u128, AnswerRecord> = Table::new("answers");
/// (question, answer) → (): a question's answers, oldest first.
pub const ANSWERS_BY_QUESTION: Table<(u128, u128), ()> = Table::new("answers_by_question");
/// Post id → its kind (0 question, 1 answer): posts held by the screen, the admins' Q&A queue.
pub const QA_PENDING: Table<u128, u8> = Table::new("qa_pending");
/// (author, written at in ms, post id) → (): a person's questions and answers by time (a
/// burst of posts).
pub const QA_BY_AUTHOR: Table<(u128, i64, u128), ()> = Table::new("qa_by_author");

/// Every table, for backups and restores (add new tables here too).
pub const ALL: &[&dyn RawTable] = &[
    &META,
    &CHANGES,
    &USERS,
    &USERS_BY_EMAIL,
    &USERS_BY_ROLE,
    &REFRESH_TOKENS,
    &FAMILIES,
    &FAMILIES_BY_USER,
    &TOKENS_BY_FAMILY,
    &EMAIL_TOKENS,
    &OUTBOX,
    &OUTBOX_DUE,
    &CATEGORIES,
    &CATEGORIES_BY_SLUG,
    &COURSES,
    &COURSES_BY_SLUG,
    &COURSES_BY_TEACHER,
    &MODULES,
    &MODULES_BY_COURSE,
    &LESSONS,
    &LESSONS_BY_MODULE,
    &ENROLLMENTS,
    &ENROLLMENTS_BY_COURSE,
    &COMPLETIONS,
    &COMPLETIONS_BY_LESSON,
    &REVIEWS,
    &REVIEWS_BY_COURSE,
    &REVIEWS_BY_AUTHOR,
    &WISHLIST,
    &WISHLIST_BY_TIME,
    &NOTIFICATIONS,
    &NOTIFICATIONS_UNREAD,
    &ORDERS,
    &ORDERS_BY_BUYER,
    &ORDERS_PENDING,
    &ORDERS_BY_REF,
    &PAYMENT_EVENTS,
    &COUPONS,
    &COUPONS_BY_CODE,
    &COUPONS_BY_COURSE,
    &COUPON_USES,
    &LEDGER,
    &LEDGER_BALANCES,
    &LEDGER_HOLDS,
    &PAYOUTS,
    &PAYOUTS_BY_TEACHER,
    &PARKED_EVENTS,
    &REFUND_REQUESTS,
    &EMAIL_PREFS,
    &REMINDERS,
    &REMINDERS_DUE,
    &DIGEST_ITEMS,
    &DIGESTS_DUE,
    &CERTIFICATES,
    &CERTIFICATES_BY_STUDENT,
    &AUDIT,
    &REVIEWS_PENDING,
    &REVIEW_FINGERPRINTS,
    &COURSES_IN_REVIEW,
    &COURSE_FINGERPRINTS,
    &REPORTS,
    &REPORTS_BY_REPORTER,
    &REPORTS_OPEN,
    &UPLOADS,
    &UPLOADS_BY_OWNER,
    &COURSE_DAYS,
    &LESSON_COMPLETED,
    &COURSE_RATINGS,
    &ACTIVITY_BY_COURSE,
    &COURSE_MONEY,
    &VERIFICATIONS,
    &VERIFICATIONS_PENDING,
    &QUIZ_ATTEMPTS,
    &QUIZ_STATS,
    &QUESTIONS,
    &QUESTIONS_BY_LESSON,
    &QUESTIONS_BY_COURSE,
    &ANSWERS,
    &ANSWERS_BY_QUESTION,
    &QA_PENDING,
    &QA_BY_AUTHOR,
];

const MIGRATIONS: &[Migration] = &[
    Migration { to: 1, name: "initial tables", run: v1_initial },
    Migration { to: 2, name: "index users by role", run: v2_users_by_role },
    Migration { to: 3, name: "catalog and learning tables", run: v3_catalog },
    Migration { to: 4, name: "orders, payment events and coupons", run: v4_commerce },
    Migration { to: 5, name: "ledger, payouts and refunds", run: v5_money },
    Migration { to: 6, name: "engagement mail: preferences, reminders, digests", run: v6_engagement },
    Migration { to: 7, name: "course certificates", run: v7_certificates },
    Migration { to: 8, name: "the audit log", run: v8_audit },
    Migration {
        to: 10,
        name: "moderation: review and course queues, text fingerprints, reports",
        run: v10_moderation,
    },
    Migration { to: 11, name: "uploads", run: v11_uploads },
    Migration { to: 12, name: "analytics counters, backfilled from the records", run: v12_analytics },
    Migration { to: 13, name: "teacher verification requests", run: v13_verification },
    Migration { to: 14, name: "quiz attempts and their counters", run: v14_quizzes },
    Migration { to: 15, name: "lesson Q&A: questions, answers, their queue", run: v15_qa },
];

/// Quiz attempts. Quizzes themselves and module unlock rules are fields of the lesson and module
/// records (`#[serde(default)]`), so older records need no change.
fn v14_quizzes(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(QUIZ_ATTEMPTS)?;
    tx.create(QUIZ_STATS)?;
    Ok(())
}

fn v15_qa(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(QUESTIONS)?;
    tx.create(QUESTIONS_BY_LESSON)?;
    tx.create(QUESTIONS_BY_COURSE)?;
    tx.create(ANSWERS)?;
    tx.create(ANSWERS_BY_QUESTION)?;
    tx.create(QA_PENDING)?;
    tx.create(QA_BY_AUTHOR)?;
    Ok(())
}

fn v11_uploads(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(UPLOADS)?;
    tx.create(UPLOADS_BY_OWNER)?;
    Ok(())
}

/// Analytics counters: the tables, filled from the enrollments, completions, reviews and ledger
/// that exist (the same recount `lectern check` compares them with).
fn v12_analytics(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(COURSE_DAYS)?;
    tx.create(LESSON_COMPLETED)?;
    tx.create(COURSE_RATINGS)?;
    tx.create(ACTIVITY_BY_COURSE)?;
    tx.create(COURSE_MONEY)?;
    crate::analytics::counters::backfill(tx)
}

fn v13_verification(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(VERIFICATIONS)?;
    tx.create(VERIFICATIONS_PENDING)?;
    Ok(())
}

/// Moderation tables. Existing reviews are published (their records' default) and their texts
/// fingerprinted, so a spammer's old reviews count as copies.
fn v10_moderation(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(REVIEWS_PENDING)?;
    tx.create(REVIEW_FINGERPRINTS)?;
    tx.create(COURSES_IN_REVIEW)?;
    tx.create(COURSE_FINGERPRINTS)?;
    tx.create(REPORTS)?;
    tx.create(REPORTS_BY_REPORTER)?;
    tx.create(REPORTS_OPEN)?;
    let mut after: Option<u128> = None;
    loop {
        let chunk = match after {
            None => tx.range(REVIEWS, .., 1000)?,
            Some(k) => tx.range(REVIEWS, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (id, r) in &chunk {
            if let Some(fp) = crate::screen::fingerprint(&r.text_md) {
                tx.put(REVIEW_FINGERPRINTS, &(fp, *id), &r.course_id.key())?;
            }
        }
    }
    Ok(())
}

fn v8_audit(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(AUDIT)?;
    Ok(())
}

/// Engagement tables. Enrollments that exist already get reminder state, due at once: the
/// scheduler's first pass applies the rules (inactivity, sending hours) and reschedules them.
fn v6_engagement(tx: &mut Tx<'_>) -> StoreResult<()> {
    use crate::learning::repo::EnrollmentStatus;
    tx.create(EMAIL_PREFS)?;
    tx.create(REMINDERS)?;
    tx.create(REMINDERS_DUE)?;
    tx.create(DIGEST_ITEMS)?;
    tx.create(DIGESTS_DUE)?;
    let mut after: Option<(u128, u128)> = None;
    loop {
        let chunk = match after {
            None => tx.range(ENROLLMENTS, .., 1000)?,
            Some(k) => {
                tx.range(ENROLLMENTS, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?
            }
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for ((user, course), e) in &chunk {
            if e.status == EnrollmentStatus::Active {
                let due = e.enrolled_at.millis();
                let state = ReminderState { due: Some(due), ..Default::default() };
                tx.put(REMINDERS, &(*user, *course), &state)?;
                tx.put(REMINDERS_DUE, &(due, *user, *course), &())?;
            }
        }
    }
    Ok(())
}

fn v7_certificates(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(CERTIFICATES)?;
    tx.create(CERTIFICATES_BY_STUDENT)?;
    Ok(())
}

fn v5_money(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(LEDGER)?;
    tx.create(LEDGER_BALANCES)?;
    tx.create(LEDGER_HOLDS)?;
    tx.create(PAYOUTS)?;
    tx.create(PAYOUTS_BY_TEACHER)?;
    tx.create(PARKED_EVENTS)?;
    tx.create(REFUND_REQUESTS)?;
    Ok(())
}

fn v4_commerce(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(ORDERS)?;
    tx.create(ORDERS_BY_BUYER)?;
    tx.create(ORDERS_PENDING)?;
    tx.create(ORDERS_BY_REF)?;
    tx.create(PAYMENT_EVENTS)?;
    tx.create(COUPONS)?;
    tx.create(COUPONS_BY_CODE)?;
    tx.create(COUPONS_BY_COURSE)?;
    tx.create(COUPON_USES)?;
    Ok(())
}

fn v3_catalog(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(CATEGORIES)?;
    tx.create(CATEGORIES_BY_SLUG)?;
    tx.create(COURSES)?;
    tx.create(COURSES_BY_SLUG)?;
    tx.create(COURSES_BY_TEACHER)?;
    tx.create(MODULES)?;
    tx.create(MODULES_BY_COURSE)?;
    tx.create(LESSONS)?;
    tx.create(LESSONS_BY_MODULE)?;
    tx.create(ENROLLMENTS)?;
    tx.create(ENROLLMENTS_BY_COURSE)?;
    tx.create(COMPLETIONS)?;
    tx.create(COMPLETIONS_BY_LESSON)?;
    tx.create(REVIEWS)?;
    tx.create(REVIEWS_BY_COURSE)?;
    tx.create(REVIEWS_BY_AUTHOR)?;
    tx.create(WISHLIST)?;
    tx.create(WISHLIST_BY_TIME)?;
    tx.create(NOTIFICATIONS)?;
    tx.create(NOTIFICATIONS_UNREAD)?;
    Ok(())
}

fn v1_initial(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(META)?;
    tx.create(CHANGES)?;
    tx.create(USERS)?;
    tx.create(USERS_BY_EMAIL)?;
    tx.create(REFRESH_TOKENS)?;
    tx.create(FAMILIES)?;
    tx.create(FAMILIES_BY_USER)?;
    tx.create(TOKENS_BY_FAMILY)?;
    tx.create(EMAIL_TOKENS)?;
    tx.create(OUTBOX)?;
    tx.create(OUTBOX_DUE)?;
    Ok(())
}

/// Version 1 found admins by scanning users; version 2 keeps an index, backfilled here.
fn v2_users_by_role(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(USERS_BY_ROLE)?;
    let mut after: Option<u128> = None;
    loop {
        let chunk = match after {
            None => tx.range(USERS, .., 1000)?,
            Some(k) => tx.range(USERS, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (id, user) in &chunk {
            tx.put(USERS_BY_ROLE, &(user.role.as_u8(), *id), &())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_is_the_last_migration() {
        assert_eq!(super::SCHEMA.version(), super::SCHEMA_VERSION);
    }
}
