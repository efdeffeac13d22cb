//! Personal data: a person's export of everything stored about them, and the deletion of their
//! account. It sits above the domains it reads and asks each to forget what it holds, through
//! that domain's own functions, in one unit of work.
//!
//! Deletion anonymises rather than removes: the account keeps its id (orders, the ledger,
//! reviews and the audit log reference ids, not names) while its email, name, bio, password,
//! sessions, notifications, email preferences, queued and sent mail, and the name on its
//! certificates go. Reviews stay, shown as "former student". The email can be registered again.

pub mod routes;

use serde::Serialize;

use crate::app::AppState;
use crate::audit::{self, Action};
use crate::commerce::payouts::PayoutRecord;
use crate::commerce::repo::OrderRecord;
use crate::engagement::certificates::{self, CertificateRecord};
use crate::engagement::repo::EmailPrefs;
use crate::error::Result;
use crate::identity::repo::{self as users, UserRecord};
use crate::identity::service::Principal;
use crate::ids::UserId;
use crate::learning::repo::{AttemptRecord, EnrollmentRecord, NotificationRecord, ReviewRecord};
use crate::qa::repo::{AnswerRecord, QuestionRecord};
use crate::schema::*;
use crate::store::Readable;

/// The account, without its password hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountExport {
    id: UserId,
    email: String,
    name: String,
    role: String,
    email_verified: bool,
    locale: String,
    bio_html: String,
    #[schema(value_type = i64)]
    created_at: crate::clock::Timestamp,
    #[schema(value_type = Option<i64>)]
    last_active_at: Option<crate::clock::Timestamp>,
}

#[derive(Debug, Serialize)]
pub struct EnrollmentExport {
    pub course_id: String,
    pub enrollment: EnrollmentRecord,
    /// (lesson id, completed at) of every lesson completed.
    pub completions: Vec<(String, crate::clock::Timestamp)>,
}

/// Everything stored about one person (times are milliseconds since 1970, UTC).
#[derive(Debug, Serialize)]
pub struct Export {
    pub account: AccountExport,
    pub enrollments: Vec<EnrollmentExport>,
    pub reviews: Vec<ReviewRecord>,
    pub wishlist: Vec<String>,
    pub notifications: Vec<NotificationRecord>,
    pub orders: Vec<OrderRecord>,
    pub payouts: Vec<PayoutRecord>,
    pub certificates: Vec<CertificateRecord>,
    pub email_preferences: EmailPrefs,
    /// Active sign-ins: when each started and ends (the tokens are never stored).
    pub sessions: Vec<(crate::clock::Timestamp, crate::clock::Timestamp)>,
    /// Questions and answers the person wrote under lessons.
    pub questions: Vec<QuestionRecord>,
    pub answers: Vec<AnswerRecord>,
    /// Quiz attempts, by lesson.
    pub quiz_attempts: Vec<QuizAttemptExport>,
}

#[derive(Debug, Serialize)]
pub struct QuizAttemptExport {
    pub lesson_id: String,
    pub attempt: u32,
    #[serde(flatten)]
    pub record: AttemptRecord,
}

fn read_export(r: &impl Readable, u: UserRecord, now: crate::clock::Timestamp) -> Result<Export> {
    let k = u.id.key();
    let all = (k, 0)..=(k, u128::MAX);
    let mut enrollments = Vec::new();
    for ((_, course), e) in r.range(ENROLLMENTS, all.clone(), usize::MAX)? {
        let completions = r
            .range(COMPLETIONS, (k, course, 0)..=(k, course, u128::MAX), usize::MAX)?
            .into_iter()
            .map(|((_, _, lesson), at)| (crate::ids::LessonId::from_key(lesson).to_string(), at))
            .collect();
        enrollments.push(EnrollmentExport {
            course_id: crate::ids::CourseId::from_key(course).to_string(),
            enrollment: e,
            completions,
        });
    }
    let mut reviews = Vec::new();
    for (_, id) in r.range(REVIEWS_BY_AUTHOR, all.clone(), usize::MAX)? {
        reviews.extend(r.get(REVIEWS, &id)?);
    }
    let wishlist = r
        .range(WISHLIST, all.clone(), usize::MAX)?
        .into_iter()
        .map(|((_, c), _)| crate::ids::CourseId::from_key(c).to_string())
        .collect();
    let notifications =
        r.range(NOTIFICATIONS, all.clone(), usize::MAX)?.into_iter().map(|(_, n)| n).collect();
    let mut orders = Vec::new();
    for ((_, id), ()) in r.range(ORDERS_BY_BUYER, all.clone(), usize::MAX)? {
        orders.extend(r.get(ORDERS, &id)?);
    }
    let mut payouts = Vec::new();
    for ((_, id), ()) in r.range(PAYOUTS_BY_TEACHER, all.clone(), usize::MAX)? {
        payouts.extend(r.get(PAYOUTS, &id)?);
    }
    let mut certs = Vec::new();
    for (_, code) in r.range(CERTIFICATES_BY_STUDENT, all.clone(), usize::MAX)? {
        certs.extend(certificates::certificate(r, &code)?);
    }
    // A person's posts by time; each is a question or an answer.
    let (mut questions, mut answers) = (Vec::new(), Vec::new());
    for ((_, _, post), ()) in
        r.range(QA_BY_AUTHOR, (k, i64::MIN, 0)..=(k, i64::MAX, u128::MAX), usize::MAX)?
    {
        match r.get(QUESTIONS, &post)? {
            Some(q) => questions.push(q),
            None => answers.extend(r.get(ANSWERS, &post)?),
        }
    }
    // Attempts are kept by lesson: the quizzes of the courses the person is enrolled in.
    let mut quiz_attempts = Vec::new();
    for e in &enrollments {
        let Ok(course) = e.course_id.parse::<crate::ids::CourseId>() else { continue };
        for lesson in crate::catalog::repo::curriculum(r, course)?.lessons().filter(|l| l.quiz.is_some()) {
            let l = lesson.id.key();
            for ((_, _, n), record) in r.range(QUIZ_ATTEMPTS, (l, k, 0)..=(l, k, u32::MAX), usize::MAX)? {
                quiz_attempts.push(QuizAttemptExport {
                    lesson_id: lesson.id.to_string(),
                    attempt: n,
                    record,
                });
            }
        }
    }
    let mut sessions = Vec::new();
    for ((_, f), ()) in r.range(FAMILIES_BY_USER, all, usize::MAX)? {
        if let Some(fam) = r.get(FAMILIES, &f)?
            && fam.is_active(now)
        {
            sessions.push((fam.created_at, fam.expires_at));
        }
    }
    Ok(Export {
        email_preferences: r.get(EMAIL_PREFS, &k)?.unwrap_or_default(),
        account: AccountExport {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().to_owned(),
            email_verified: u.email_verified,
            locale: u.locale,
            bio_html: u.bio_html,
            created_at: u.created_at,
            last_active_at: u.last_active_at,
        },
        enrollments,
        reviews,
        wishlist,
        notifications,
        orders,
        payouts,
        certificates: certs,
        sessions,
        questions,
        answers,
        quiz_attempts,
    })
}

/// Everything stored about the caller, read in one snapshot.
pub async fn export(app: &AppState, who: &Principal) -> Result<Export> {
    let (id, now) = (who.user.id, app.clock.now());
    app.store
        .read(move |rtx| {
            let u = users::get_user(rtx, id)?;
            read_export(rtx, u, now)
        })
        .await
}

/// Deletes (anonymises) the caller's account after checking their password. Everything happens
/// in one unit of work; the audit log records it (actor: the person; no reason).
pub async fn delete_account(app: &AppState, who: &Principal, password: &str) -> Result<()> {
    app.identity.confirm_password(who, password).await?;
    let (id, now) = (who.user.id, app.clock.now());
    app.store
        .write(move |tx| {
            let mut u = users::get_user(tx, id)?;
            if u.deleted_at.is_some() {
                return Ok(());
            }
            let address = u.email.clone();
            users::anonymise(tx, &mut u, now)?;
            crate::mail::forget_recipient(tx, &address)?;
            crate::learning::repo::forget_notifications(tx, id)?;
            crate::engagement::repo::forget_prefs(tx, id)?;
            certificates::forget_student(tx, id)?;
            let action = Action {
                actor: Some(id),
                action: "user.delete",
                target_type: "user",
                target_id: id.to_string(),
                reason: None,
            };
            audit::record(tx, action, now)?;
            Ok(())
        })
        .await?;
    tracing::info!(user = %id, "account deleted (anonymised)");
    Ok(())
}
