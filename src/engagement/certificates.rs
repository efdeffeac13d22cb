//! Course certificates: issued once, in the unit of work that completes an enrollment; read by
//! code; revoked by admins; rendered as a PDF and signed as an Open Badges 3.0 credential.
//!
//! A certificate records the facts as they were when it was issued (the student's, course's,
//! teacher's and school's names): renaming any of them later does not rewrite what was attested.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};

use super::badge::BadgeKey;
use super::pdf::{self, Sheet};
use crate::catalog::repo as catalog;
use crate::catalog::repo::CourseRecord;
use crate::clock::{Clock, Timestamp};
use crate::error::{Error, Result};
use crate::i18n::{Lang, Tr};
use crate::identity::Role;
use crate::identity::repo::{self as identity, UserRecord};
use crate::ids::{CourseId, UserId};
use crate::learning::events::{LearningEvent, Subscriber};
use crate::schema::{CERTIFICATES, CERTIFICATES_BY_STUDENT};
use crate::store::{Readable, Store, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revocation {
    pub at: Timestamp,
    pub reason: String,
    pub by: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificateRecord {
    pub code: String,
    pub student_id: UserId,
    pub student_name: String,
    pub course_id: CourseId,
    pub course_title: String,
    /// The course's slug when issued; readers prefer the current one (see [`Certificates::get`]).
    pub course_slug: String,
    pub course_subtitle: String,
    pub teacher_name: String,
    pub school_name: String,
    pub completed_at: Timestamp,
    pub issued_at: Timestamp,
    #[serde(default)]
    pub revoked: Option<Revocation>,
}

/// 128 random bits, base64url without padding: 22 characters, safe in a URL path.
fn new_code() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    Ok(B64.encode(bytes))
}

/// A string that could be a code this server made (anything else is simply not found).
/// Removes the student's name from their certificates (their account is being deleted): the
/// certificates keep attesting the course, to nobody by name.
pub fn forget_student(tx: &mut Tx<'_>, student: UserId) -> Result<()> {
    let s = student.key();
    for ((_, _), code) in tx.range(CERTIFICATES_BY_STUDENT, (s, 0)..=(s, u128::MAX), usize::MAX)? {
        if let Some(mut c) = tx.get(CERTIFICATES, &code)? {
            c.student_name = String::new();
            tx.put(CERTIFICATES, &code, &c)?;
        }
    }
    Ok(())
}

pub fn is_code(s: &str) -> bool {
    s.len() == 22 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

// ---- repo ----

pub fn certificate(r: &impl Readable, code: &str) -> StoreResult<Option<CertificateRecord>> {
    if !is_code(code) {
        return Ok(None);
    }
    r.get(CERTIFICATES, &code.to_owned())
}

pub fn certificate_of(
    r: &impl Readable,
    student: UserId,
    course: CourseId,
) -> StoreResult<Option<CertificateRecord>> {
    match r.get(CERTIFICATES_BY_STUDENT, &(student.key(), course.key()))? {
        Some(code) => r.get(CERTIFICATES, &code),
        None => Ok(None),
    }
}

pub fn certificates_of(r: &impl Readable, student: UserId) -> StoreResult<Vec<CertificateRecord>> {
    let u = student.key();
    let mut out = Vec::new();
    for (_, code) in r.range(CERTIFICATES_BY_STUDENT, (u, 0)..=(u, u128::MAX), usize::MAX)? {
        if let Some(c) = r.get(CERTIFICATES, &code)? {
            out.push(c);
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.issued_at));
    Ok(out)
}

/// The current slug of the certificate's course, if it still exists.
fn with_current_slug(r: &impl Readable, mut c: CertificateRecord) -> StoreResult<CertificateRecord> {
    if let Some(course) = catalog::course(r, c.course_id)? {
        c.course_slug = course.slug;
    }
    Ok(c)
}

/// Issues the certificate for a completion, inside its unit of work: at most one per student
/// and course, whatever happens to the enrollment afterwards.
/// A student has just completed a course (learning's `Completed` event).
#[derive(Debug)]
pub struct CourseCompleted<'a> {
    pub student: UserId,
    pub course: &'a CourseRecord,
    pub at: Timestamp,
}

pub fn issue_in(tx: &mut Tx<'_>, event: &CourseCompleted<'_>, school_name: &str) -> Result<()> {
    let key = (event.student.key(), event.course.id.key());
    if tx.contains(CERTIFICATES_BY_STUDENT, &key)? {
        return Ok(());
    }
    // An account deleted since it enrolled gets nothing, and must not stop the completing unit
    // of work (a teacher deleting a lesson completes every remaining student at once).
    let Some(student) = identity::user(tx, event.student)? else {
        return Ok(());
    };
    let teacher = identity::user(tx, event.course.teacher_id)?.map(|t| t.name).unwrap_or_default();
    let mut code = new_code()?;
    while tx.contains(CERTIFICATES, &code)? {
        code = new_code()?;
    }
    let c = CertificateRecord {
        code: code.clone(),
        student_id: student.id,
        student_name: student.name,
        course_id: event.course.id,
        course_title: event.course.title.clone(),
        course_slug: event.course.slug.clone(),
        course_subtitle: event.course.subtitle.clone(),
        teacher_name: teacher,
        school_name: school_name.to_owned(),
        completed_at: event.at,
        issued_at: event.at,
        revoked: None,
    };
    tx.put(CERTIFICATES, &code, &c)?;
    tx.put(CERTIFICATES_BY_STUDENT, &key, &code)?;
    Ok(())
}

/// What `/certificates/{code}.json` answers.
#[derive(Debug)]
pub enum Credential {
    /// The compact JWS.
    Signed(String),
    /// Revoked certificates are not signed again: the endpoint answers 410.
    Revoked(Box<CertificateRecord>),
}

pub struct Certificates {
    store: Store,
    clock: Arc<Clock>,
    key: BadgeKey,
    public_url: String,
}

impl Certificates {
    pub fn new(store: Store, clock: Arc<Clock>, key: BadgeKey, public_url: &str) -> Certificates {
        Certificates { store, clock, key, public_url: public_url.to_owned() }
    }

    /// The reaction to course completions that issues certificates (subscribed when the app is
    /// assembled).
    pub fn on_completion(school_name: String) -> Subscriber {
        Arc::new(move |tx, event| match *event {
            LearningEvent::Completed { user, course, now } => {
                issue_in(tx, &CourseCompleted { student: user, course, at: now }, &school_name)
            }
            _ => Ok(()),
        })
    }

    /// A certificate by code; unknown (or malformed) codes are 404.
    pub async fn get(&self, code: &str) -> Result<CertificateRecord> {
        let code = code.to_owned();
        self.store
            .read(move |r| {
                let c = certificate(r, &code)?.ok_or(Error::NotFound)?;
                Ok(with_current_slug(r, c)?)
            })
            .await
    }

    /// The student's certificates, newest first.
    pub async fn of_student(&self, student: UserId) -> Result<Vec<CertificateRecord>> {
        self.store
            .read(move |r| {
                let list = certificates_of(r, student)?;
                Ok(list.into_iter().map(|c| with_current_slug(r, c)).collect::<StoreResult<_>>()?)
            })
            .await
    }

    /// The student's certificate for one course, if they earned it.
    pub async fn of_student_in(
        &self,
        student: UserId,
        course: CourseId,
    ) -> Result<Option<CertificateRecord>> {
        self.store.read(move |r| Ok(certificate_of(r, student, course)?)).await
    }

    /// Revokes a certificate (admins). Revoking again keeps the first revocation.
    pub async fn revoke(&self, who: &UserRecord, code: &str, reason: String) -> Result<CertificateRecord> {
        if who.role != Role::Admin {
            return Err(Error::forbidden());
        }
        let (code, by, now) = (code.to_owned(), who.id, self.clock.now());
        self.store
            .write(move |tx| {
                let mut c = certificate(tx, &code)?.ok_or(Error::NotFound)?;
                if c.revoked.is_none() {
                    c.revoked = Some(Revocation { at: now, reason: reason.clone(), by });
                    tx.put(CERTIFICATES, &code, &c)?;
                    crate::audit::record(
                        tx,
                        crate::audit::Action {
                            actor: Some(by),
                            action: "certificate.revoke",
                            target_type: "certificate",
                            target_id: code.clone(),
                            reason: Some(&reason),
                        },
                        now,
                    )?;
                }
                Ok(with_current_slug(tx, c)?)
            })
            .await
    }

    /// The verification page's absolute URL (the QR code's content).
    pub fn verify_url(&self, code: &str) -> String {
        format!("{}/certificates/{code}", self.public_url)
    }

    /// The certificate as a PDF in `lang`.
    pub async fn pdf(&self, code: &str, lang: Lang) -> Result<Vec<u8>> {
        let c = self.get(code).await?;
        let sheet = self.sheet(&c, lang);
        tokio::task::spawn_blocking(move || pdf::render(&sheet))
            .await
            .map_err(|e| anyhow::anyhow!("rendering the certificate: {e}"))?
            .map_err(Error::Internal)
    }

    /// The words of the PDF in `lang`.
    pub fn sheet(&self, c: &CertificateRecord, lang: Lang) -> Sheet {
        let tr = Tr(lang);
        Sheet {
            school: c.school_name.clone(),
            title: tr.t("cert-title"),
            certifies: tr.t("cert-certifies"),
            student: c.student_name.clone(),
            completed: tr.t("cert-completed"),
            course: c.course_title.clone(),
            taught_by: if c.teacher_name.is_empty() {
                String::new()
            } else {
                tr.with("cert-taught-by", "teacher", &c.teacher_name)
            },
            date_label: tr.t("cert-date"),
            date: long_date(tr, c.completed_at),
            code_label: tr.t("cert-code"),
            code: c.code.clone(),
            verify_label: tr.t("cert-verify-at"),
            verify_url: self.verify_url(&c.code),
            revoked: c.revoked.as_ref().map(|r| tr.with("cert-revoked-banner", "reason", &r.reason)),
            lang: lang.code().to_owned(),
        }
    }

    /// The Open Badges 3.0 credential, signed as a VC-JWT; revoked certificates are not.
    pub async fn credential(&self, code: &str) -> Result<Credential> {
        let c = self.get(code).await?;
        if c.revoked.is_some() {
            return Ok(Credential::Revoked(Box::new(c)));
        }
        let payload = super::openbadges::achievement_credential(&c, &self.public_url);
        Ok(Credential::Signed(self.key.sign_jws("vc+jwt", &payload)))
    }

    /// `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        self.key.jwks()
    }

    /// LinkedIn's "add to profile" link for a certificate.
    pub fn linkedin_url(&self, c: &CertificateRecord) -> String {
        let (year, month) = match time::OffsetDateTime::from_unix_timestamp(c.issued_at.millis() / 1000) {
            Ok(t) => (t.year(), u8::from(t.month())),
            Err(_) => (1970, 1),
        };
        format!(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name={}&organizationName={}&issueYear={year}&issueMonth={month}&certUrl={}&certId={}",
            encode(&c.course_title),
            encode(&c.school_name),
            encode(&self.verify_url(&c.code)),
            encode(&c.code),
        )
    }
}

/// A date with the month written out ("6 December 2026", "6 декабря 2026 г.").
pub fn long_date(tr: Tr, t: Timestamp) -> String {
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(t.millis() / 1000) else {
        return String::new();
    };
    tr.args(
        "cert-long-date",
        &[
            ("day", crate::i18n::Arg::Text(dt.day().to_string())),
            ("month", crate::i18n::Arg::Text(tr.t(&format!("cert-month-{}", u8::from(dt.month()))))),
            ("year", crate::i18n::Arg::Text(dt.year().to_string())),
        ],
    )
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_url_safe() {
        let (a, b) = (new_code().unwrap(), new_code().unwrap());
        assert_ne!(a, b);
        assert!(is_code(&a) && is_code(&b), "{a} {b}");
        assert!(!is_code("short") && !is_code("AAAAAAAAAAAAAAAAAAAAA/"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("Rust & Co / Раст"), "Rust%20%26%20Co%20%2F%20%D0%A0%D0%B0%D1%81%D1%82");
    }
}
