//! Every table of the store, in one place.
//!
//! Naming: `<entity>` holds records by id; `<entity>_by_<field>` is a secondary index kept in the
//! same write transaction as the record it points to. Keys are ULIDs as `u128`, so an index
//! keyed by `(parent, child)` lists a parent's children in creation order.

use super::table::Table;
use crate::catalog::repo::{CategoryRecord, CourseRecord, LessonRecord, ModuleRecord};
use crate::clock::Timestamp;
use crate::identity::repo::{EmailTokenRecord, FamilyRecord, RefreshTokenRecord, UserRecord};
use crate::learning::repo::{EnrollmentRecord, NotificationRecord, ReviewRecord};
use crate::mail::OutboxRecord;
use serde::{Deserialize, Serialize};

/// Store-wide facts: `schema_version`, `position` (see `store::Tx::record_change`).
pub const META: Table<String, u64> = Table::new("meta");

/// The change log: position → what changed. Derived data (the search index) follows it.
pub const CHANGES: Table<u64, Change> = Table::new("changes");

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

/// Every table, for backups and restores (add new tables here too).
pub const ALL: &[&dyn super::table::RawTable] = &[
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
];

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub id: u128,
}
