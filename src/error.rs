//! The one error type of Lectern and its rendering as RFC 9457 problem+json.
//!
//! Every failure that reaches a client goes through [`Error`]. Each variant carries a stable,
//! snake_case `code` that clients may match on; the human text (`detail`) may change freely.
//! Internal failures become an opaque 500: the cause is logged once, here, and never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The codes of the errors that name a rule (the variants with a `code`). Clients match on the
/// string; Rust code, pages included, matches on the variant. [`Code::ALL`] lists them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Unauthenticated,
    InvalidCredentials,
    InvalidToken,
    TokenReused,
    SessionRaced,
    Forbidden,
    CsrfFailed,
    CrossSite,
    TeachersOnly,
    NotEnrolled,
    OwnCourse,
    NotPublished,
    EmailTaken,
    SlugTaken,
    AlreadyVerified,
    AlreadyEnrolled,
    AlreadyReviewed,
    /// A checkout for a course that is free (enroll instead) or a provider that is not offered.
    NotForSale,
    /// A payment provider event whose signature or origin could not be verified.
    InvalidSignature,
    /// A refund asked for after the refund window or past the progress limit.
    RefundWindowClosed,
    /// An order that cannot be refunded (not paid, already refunded, or more than is left).
    NotRefundable,
    /// A payout below the minimum or above what is available.
    PayoutUnavailable,
    /// A payout that an admin has already marked paid or rejected.
    PayoutDecided,
    /// The account was locked by an admin: its sessions ended and it cannot sign in.
    AccountLocked,
    /// An admin tried to lock or demote their own account.
    OwnAccount,
    /// The change would leave the school without an admin.
    LastAdmin,
    /// The account was deleted (anonymised); nothing more can be done to it.
    AccountDeleted,
    /// The same person reporting the same thing twice.
    AlreadyReported,
    /// A moderation decision on something not waiting for it (a course not in review, a
    /// report already resolved...).
    NotPending,
    /// A moderation action that does not apply to its target, or is not available yet.
    NotSupported,
    /// A lesson of a module that has not opened for this student yet (drip or prerequisite).
    LessonLocked,
    /// A quiz attempt past the quiz's `max_attempts`.
    NoAttemptsLeft,
    /// A quiz attempt at a lesson that is not a quiz.
    NotAQuiz,
    /// A quiz lesson is completed by passing it, not by marking it.
    QuizRequired,
}

impl Code {
    pub const ALL: &[Code] = &[
        Code::Unauthenticated,
        Code::InvalidCredentials,
        Code::InvalidToken,
        Code::TokenReused,
        Code::SessionRaced,
        Code::Forbidden,
        Code::CsrfFailed,
        Code::CrossSite,
        Code::TeachersOnly,
        Code::NotEnrolled,
        Code::OwnCourse,
        Code::NotPublished,
        Code::EmailTaken,
        Code::SlugTaken,
        Code::AlreadyVerified,
        Code::AlreadyEnrolled,
        Code::AlreadyReviewed,
        Code::NotForSale,
        Code::InvalidSignature,
        Code::RefundWindowClosed,
        Code::NotRefundable,
        Code::PayoutUnavailable,
        Code::PayoutDecided,
        Code::AccountLocked,
        Code::OwnAccount,
        Code::LastAdmin,
        Code::AccountDeleted,
        Code::AlreadyReported,
        Code::NotPending,
        Code::NotSupported,
        Code::LessonLocked,
        Code::NoAttemptsLeft,
        Code::NotAQuiz,
        Code::QuizRequired,
    ];

    /// The stable snake_case string clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "unauthenticated",
            Code::InvalidCredentials => "invalid_credentials",
            Code::InvalidToken => "invalid_token",
            Code::TokenReused => "token_reused",
            Code::SessionRaced => "session_raced",
            Code::Forbidden => "forbidden",
            Code::CsrfFailed => "csrf_failed",
            Code::CrossSite => "cross_site",
            Code::TeachersOnly => "teachers_only",
            Code::NotEnrolled => "not_enrolled",
            Code::OwnCourse => "own_course",
            Code::NotPublished => "not_published",
            Code::EmailTaken => "email_taken",
            Code::SlugTaken => "slug_taken",
            Code::AlreadyVerified => "already_verified",
            Code::AlreadyEnrolled => "already_enrolled",
            Code::AlreadyReviewed => "already_reviewed",
            Code::NotForSale => "not_for_sale",
            Code::InvalidSignature => "invalid_signature",
            Code::RefundWindowClosed => "refund_window_closed",
            Code::NotRefundable => "not_refundable",
            Code::PayoutUnavailable => "payout_unavailable",
            Code::PayoutDecided => "payout_decided",
            Code::AccountLocked => "account_locked",
            Code::OwnAccount => "own_account",
            Code::LastAdmin => "last_admin",
            Code::AccountDeleted => "account_deleted",
            Code::AlreadyReported => "already_reported",
            Code::NotPending => "not_pending",
            Code::NotSupported => "not_supported",
            Code::LessonLocked => "lesson_locked",
            Code::NoAttemptsLeft => "no_attempts_left",
            Code::NotAQuiz => "not_a_quiz",
            Code::QuizRequired => "quiz_required",
        }
    }

    /// The statuses an answer with this code has (`invalid_credentials` is a 403 on
    /// `/me/password`, where the session itself is valid; `invalid_token` is a 400 for emailed
    /// links and a 401 for refresh tokens).
    pub fn statuses(self) -> &'static [StatusCode] {
        match self {
            Code::Unauthenticated => &[StatusCode::UNAUTHORIZED],
            Code::InvalidCredentials => &[StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN],
            Code::InvalidToken => &[StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED],
            Code::TokenReused => &[StatusCode::UNAUTHORIZED],
            Code::SessionRaced => &[StatusCode::UNAUTHORIZED],
            Code::Forbidden => &[StatusCode::FORBIDDEN],
            Code::CsrfFailed => &[StatusCode::FORBIDDEN],
            Code::CrossSite => &[StatusCode::FORBIDDEN],
            Code::TeachersOnly => &[StatusCode::FORBIDDEN],
            Code::NotEnrolled => &[StatusCode::FORBIDDEN],
            Code::OwnCourse => &[StatusCode::FORBIDDEN],
            Code::NotPublished => &[StatusCode::CONFLICT],
            Code::EmailTaken => &[StatusCode::CONFLICT],
            Code::SlugTaken => &[StatusCode::CONFLICT],
            Code::AlreadyVerified => &[StatusCode::CONFLICT],
            Code::AlreadyEnrolled => &[StatusCode::CONFLICT],
            Code::AlreadyReviewed => &[StatusCode::CONFLICT],
            Code::NotForSale => &[StatusCode::CONFLICT],
            Code::InvalidSignature => &[StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN],
            Code::RefundWindowClosed
            | Code::NotRefundable
            | Code::PayoutUnavailable
            | Code::PayoutDecided
            | Code::AlreadyReported
            | Code::NotPending
            | Code::NotSupported
            | Code::NoAttemptsLeft
            | Code::NotAQuiz
            | Code::QuizRequired => &[StatusCode::CONFLICT],
            Code::LessonLocked => &[StatusCode::FORBIDDEN],
            // 401 on a request with a session (it has ended), 403 on a sign-in with the right password.
            Code::AccountLocked => &[StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN],
            Code::OwnAccount | Code::LastAdmin | Code::AccountDeleted => &[StatusCode::CONFLICT],
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request could not be read (malformed JSON, bad query string, bad path).
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// An uploaded file of a type this upload may not have (told from its bytes).
    #[error("{0}")]
    FileType(String),
    /// An uploaded file over its limit (bytes, or an image's dimensions).
    #[error("{0}")]
    FileTooLarge(String),
    /// Well-formed input that breaks a rule (field by field).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A request that names something that cannot be used (an unknown or expired token...).
    #[error("{detail}")]
    BadRequest { code: Code, detail: String },
    #[error("{detail}")]
    Unauthorized { code: Code, detail: String },
    #[error("{detail}")]
    Forbidden { code: Code, detail: String },
    #[error("not found")]
    NotFound,
    /// The thing must be paid for first.
    #[error("payment required")]
    PaymentRequired,
    #[error("{detail}")]
    Conflict { code: Code, detail: String },
    /// A coupon that cannot be used now; `reason` is one of `unknown`, `inactive`, `expired`,
    /// `used_up`, `fully_held`, `already_used`, `currency`.
    #[error("coupon unavailable: {0}")]
    CouponUnavailable(&'static str),
    /// An edit made against an older version of the thing: `current` is what is stored now,
    /// so the editor can show it instead of silently overwriting someone else's change.
    #[error("edit conflict")]
    EditConflict(Box<serde_json::Value>),
    /// A course that cannot be published yet, with the reasons.
    #[error("not publishable")]
    NotPublishable(Vec<FieldError>),
    /// A lesson whose module has not opened for the caller: when it opens, or which module to
    /// finish first.
    #[error("lesson locked")]
    LessonLocked(Box<Locked>),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The service cannot take this request now (starting, draining, storage failing).
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a lesson is locked (`lesson_locked`): at least one of the two is set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Locked {
    /// When the module opens (RFC 3339), if a date or a delay holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_at: Option<String>,
    /// The module to complete first, if a prerequisite holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_module: Option<ModuleRef>,
}

/// A module named in a problem.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ModuleRef {
    pub id: String,
    pub title: String,
}

impl Error {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    pub fn unauthenticated() -> Self {
        Error::Unauthorized { code: Code::Unauthenticated, detail: "Sign in to continue.".into() }
    }

    pub fn forbidden() -> Self {
        Error::Forbidden { code: Code::Forbidden, detail: "You are not allowed to do this.".into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Malformed(_) | Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::PayloadTooLarge | Error::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::FileType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } | Error::LessonLocked(_) => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::PaymentRequired => StatusCode::PAYMENT_REQUIRED,
            Error::Conflict { .. }
            | Error::EditConflict(_)
            | Error::NotPublishable(_)
            | Error::CouponUnavailable(_) => StatusCode::CONFLICT,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "malformed_request",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::PayloadTooLarge | Error::FileTooLarge(_) => "payload_too_large",
            Error::FileType(_) => "unsupported_media_type",
            Error::Validation(_) => "validation_failed",
            Error::BadRequest { code, .. }
            | Error::Unauthorized { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Conflict { code, .. } => code.as_str(),
            Error::NotFound => "not_found",
            Error::LessonLocked(_) => Code::LessonLocked.as_str(),
            Error::PaymentRequired => "payment_required",
            Error::CouponUnavailable(_) => "coupon_unavailable",
            Error::EditConflict(_) => "edit_conflict",
            Error::RateLimited { .. } => "rate_limited",
            Error::NotPublishable(_) => "not_publishable",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            Error::Malformed(d) => d.clone(),
            Error::UnsupportedMediaType => "Send JSON with Content-Type: application/json.".into(),
            Error::PayloadTooLarge => "The request body is larger than this server accepts.".into(),
            Error::FileType(d) | Error::FileTooLarge(d) => d.clone(),
            Error::Validation(_) => "Some fields are not valid.".into(),
            Error::BadRequest { detail, .. }
            | Error::Unauthorized { detail, .. }
            | Error::Forbidden { detail, .. }
            | Error::Conflict { detail, .. } => detail.clone(),
            Error::NotFound => "Nothing is here.".into(),
            Error::LessonLocked(l) if l.after_module.is_some() => {
                "This lesson opens when you complete the module before it; see after_module.".into()
            }
            Error::LessonLocked(_) => "This lesson is not open yet; see available_at.".into(),
            Error::PaymentRequired => "This course is paid: buy it to enroll.".into(),
            Error::CouponUnavailable(reason) => format!("This coupon cannot be used ({reason})."),
            Error::EditConflict(_) => "Someone saved a newer version meanwhile; see current.".into(),
            Error::RateLimited { .. } => "Too many requests: slow down and retry later.".into(),
            Error::NotPublishable(_) => "The course cannot be published yet; see errors.".into(),
            // The reason is logged, not shown: it may name files, disks or internals.
            Error::Unavailable(_) => "The service is temporarily unavailable; retry shortly.".into(),
            // Never show internals.
            Error::Internal(_) => "Something went wrong on our side.".into(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// Why a coupon cannot be used (`coupon_unavailable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The stored version an edit conflicted with (`edit_conflict`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    /// When a locked lesson opens (`lesson_locked`, RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_at: Option<String>,
    /// The module to complete first (`lesson_locked`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_module: Option<ModuleRef>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: String) -> Self {
        Problem {
            type_: format!("urn:lectern:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors: None,
            reason: None,
            current: None,
            available_at: None,
            after_module: None,
        }
    }

    pub fn into_response_with(self, status: StatusCode) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        res
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            // The one place internal failures are logged; the request span carries the id.
            Error::Internal(e) => tracing::error!(error = ?e, "internal error"),
            Error::Unavailable(d) => tracing::warn!(detail = %d, "unavailable"),
            _ => {}
        }
        let mut problem = Problem::new(status, self.code(), self.detail());
        if let Error::Validation(errors) | Error::NotPublishable(errors) = &self {
            problem.errors = Some(errors.clone());
        }
        if let Error::CouponUnavailable(reason) = &self {
            problem.reason = Some((*reason).to_owned());
        }
        if let Error::LessonLocked(l) = &self {
            problem.available_at = l.available_at.clone();
            problem.after_module = l.after_module.clone();
        }
        if let Error::EditConflict(current) = self {
            problem.current = Some(*current);
            return problem.into_response_with(status);
        }
        let mut res = problem.into_response_with(status);
        if let Error::RateLimited { retry_after_secs } = self {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn server_errors_never_show_their_cause() {
        for e in [
            Error::Unavailable("No space left on device (os error 28) at /var/lib/lectern".into()),
            Error::Internal(anyhow::anyhow!("secret internals: table users corrupt")),
        ] {
            let res = e.into_response();
            let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
            let text = String::from_utf8(body.to_vec()).unwrap();
            assert!(
                !text.contains("os error") && !text.contains("internals") && !text.contains("/var"),
                "{text}"
            );
        }
    }

    #[test]
    fn codes_are_unique_and_answer_with_their_statuses() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(!c.statuses().is_empty());
            for &status in c.statuses() {
                let e = match status {
                    StatusCode::BAD_REQUEST => Error::BadRequest { code: c, detail: String::new() },
                    StatusCode::UNAUTHORIZED => Error::Unauthorized { code: c, detail: String::new() },
                    StatusCode::FORBIDDEN => Error::Forbidden { code: c, detail: String::new() },
                    StatusCode::CONFLICT => Error::Conflict { code: c, detail: String::new() },
                    other => panic!("{c}: no variant answers {other}"),
                };
                assert_eq!((e.status(), e.code()), (status, c.as_str()));
            }
        }
    }
}
