//! Outgoing email: a durable outbox in redb and a worker that delivers it.
//!
//! Messages are written to the outbox *in the same unit of work* as the change that causes them
//! (a new account and its verification email commit together or not at all). The worker sends
//! due messages over SMTP with exponential backoff; with no SMTP configured, messages are kept
//! as `not_sent` and admins read them at `GET /api/v1/admin/outbox`.

pub mod routes;
pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::clock::{Clock, Timestamp};
use crate::error::Result;
use crate::ids::MessageId;
use crate::schema::{OUTBOX, OUTBOX_DUE};
use crate::store::{Store, Tx};

pub const MAX_ATTEMPTS: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    Sent,
    /// Gave up after [`MAX_ATTEMPTS`].
    Failed,
    /// Kept: no SMTP server is configured.
    NotSent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub id: MessageId,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub status: MailStatus,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
    /// Extra headers (name, value), such as `List-Unsubscribe` on mail people can opt out of.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// A message ready to queue.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (name, value); empty for essential mail (receipts, resets, verification).
    pub headers: Vec<(String, String)>,
}

impl Email {
    /// Marks a non-essential email as one its reader can leave with one click (RFC 8058):
    /// `url` is the signed unsubscribe link, which must be `https` in production.
    pub fn unsubscribable(mut self, url: &str) -> Email {
        self.headers.push(("List-Unsubscribe".into(), format!("<{url}>")));
        self.headers.push(("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()));
        self
    }
}

/// Queues `email` inside the caller's unit of work.
pub fn enqueue(tx: &mut Tx<'_>, email: Email, now: Timestamp) -> Result<MessageId> {
    let rec = OutboxRecord {
        id: MessageId::generate(),
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        status: MailStatus::Pending,
        attempts: 0,
        last_error: None,
        next_attempt_at: now,
        created_at: now,
        sent_at: None,
        headers: email.headers,
    };
    tx.put(OUTBOX, &rec.id.key(), &rec)?;
    tx.put(OUTBOX_DUE, &(now.millis(), rec.id.key()), &())?;
    Ok(rec.id)
}

pub struct Mailer {
    store: Store,
    clock: Arc<Clock>,
    from: Mailbox,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    wake: Notify,
}

impl Mailer {
    pub fn new(
        store: Store,
        clock: Arc<Clock>,
        smtp_url: Option<&str>,
        from: &str,
    ) -> anyhow::Result<Mailer> {
        let smtp = match smtp_url {
            Some(url) => {
                check_smtp_url(url)?;
                Some(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build())
            }
            None => None,
        };
        Ok(Mailer { store, clock, from: from.parse()?, smtp, wake: Notify::new() })
    }

    /// Tells the worker new mail is queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers due messages until `shutdown` fires.
    pub async fn run(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            let wait = match self.deliver_due().await {
                Ok(Some(next)) => {
                    Duration::from_millis((next.millis() - self.clock.now().millis()).clamp(10, 60_000) as u64)
                }
                Ok(None) => Duration::from_secs(60),
                Err(e) => {
                    tracing::warn!(error = %e, "outbox delivery failed; retrying");
                    Duration::from_secs(5)
                }
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Sends what is due; returns when the next message falls due, if any remains queued.
    async fn deliver_due(&self) -> Result<Option<Timestamp>> {
        loop {
            let now = self.clock.now();
            let due = self.store.read(move |rtx| Ok(OUTBOX_DUE.range(rtx, .., false, 32)?)).await?;
            let Some(((first_at, _), ())) = due.first() else {
                return Ok(None);
            };
            if *first_at > now.millis() {
                return Ok(Some(Timestamp(*first_at)));
            }
            for ((at, id), ()) in due.into_iter().filter(|((at, _), _)| *at <= now.millis()) {
                let outcome = self.attempt(id).await;
                self.store.write(move |tx| record_attempt(tx, (at, id), outcome.clone(), now)).await?;
            }
        }
    }

    async fn attempt(&self, id: u128) -> Outcome {
        let Ok(Some(rec)) = self.store.read(move |rtx| Ok(OUTBOX.get(rtx, &id)?)).await else {
            return Outcome::Gone;
        };
        let Some(smtp) = &self.smtp else {
            return Outcome::NoSmtp;
        };
        let message = match build(&self.from, &rec) {
            Ok(m) => m,
            Err(e) => return Outcome::Permanent(e),
        };
        match smtp.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Permanent(e.to_string()),
            Err(e) => Outcome::Transient(e.to_string()),
        }
    }
}

/// Deletes delivered, failed and kept messages created before `cutoff` (at most `max`).
/// Pending ones stay whatever their age: they are still owed to someone.
pub fn purge_older_than(tx: &mut Tx<'_>, cutoff: Timestamp, max: usize) -> Result<usize> {
    // ULIDs start with their creation time in milliseconds: everything below this key is older.
    let below = (cutoff.millis().max(0) as u128) << 80;
    let mut purged = 0;
    for (key, rec) in tx.range(OUTBOX, ..below, max)? {
        if rec.status != MailStatus::Pending {
            tx.remove(OUTBOX, &key)?;
            purged += 1;
        }
    }
    Ok(purged)
}

#[derive(Debug, Clone)]
enum Outcome {
    Sent,
    NoSmtp,
    Gone,
    Transient(String),
    Permanent(String),
}

fn build(from: &Mailbox, rec: &OutboxRecord) -> std::result::Result<Message, String> {
    let to: Mailbox = rec.to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let mut builder = Message::builder().from(from.clone()).to(to).subject(rec.subject.clone());
    for (name, value) in &rec.headers {
        let name = HeaderName::new_from_ascii(name.clone()).map_err(|e| format!("bad header {name}: {e}"))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(rec.text.clone(), rec.html.clone()))
        .map_err(|e| e.to_string())
}

/// Refuses to send a password, or mail full of sign-in links, over an unencrypted connection
/// to another machine: `smtp://` without `?tls=required` is plain text on the wire.
fn check_smtp_url(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url.strip_prefix("smtp://") else { return Ok(()) };
    if url.contains("tls=required") || url.contains("tls=opportunistic") {
        return Ok(());
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let (creds, host) = authority.rsplit_once('@').map_or((None, authority), |(c, h)| (Some(c), h));
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    if creds.is_some() || !local {
        anyhow::bail!(
            "LECTERN_SMTP_URL would send mail unencrypted to {host}: use smtps://...:465 or add ?tls=required (STARTTLS); plain smtp:// is only for a relay on localhost"
        );
    }
    Ok(())
}

/// Replaces the value of every `token=` in `s` with `[redacted]`.
pub fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("token=") {
        let (head, tail) = rest.split_at(i + "token=".len());
        out.push_str(head);
        let end =
            tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(tail.len());
        if end > 0 {
            out.push_str("[redacted]");
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Backoff after `attempts` failures: 30 s, 1 min, 2 min, ... capped at 1 h.
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs((30u64 << attempts.saturating_sub(1).min(7)).min(3600))
}

fn record_attempt(tx: &mut Tx<'_>, due_key: (i64, u128), outcome: Outcome, now: Timestamp) -> Result<()> {
    tx.remove(OUTBOX_DUE, &due_key)?;
    let Some(mut rec) = tx.get(OUTBOX, &due_key.1)? else {
        return Ok(());
    };
    match outcome {
        Outcome::Gone => return Ok(()),
        Outcome::Sent => {
            rec.status = MailStatus::Sent;
            rec.sent_at = Some(now);
            rec.attempts += 1;
            // Delivered: the links' tokens belong to the recipient alone from now on.
            rec.text = redact_tokens(&rec.text);
            rec.html = redact_tokens(&rec.html);
            for (_, value) in &mut rec.headers {
                *value = redact_tokens(value);
            }
        }
        Outcome::NoSmtp => {
            rec.status = MailStatus::NotSent;
            rec.last_error = Some("not sent (no SMTP configured)".into());
        }
        Outcome::Permanent(e) => {
            rec.status = MailStatus::Failed;
            rec.attempts += 1;
            rec.last_error = Some(e);
        }
        Outcome::Transient(e) => {
            rec.attempts += 1;
            rec.last_error = Some(e);
            if rec.attempts >= MAX_ATTEMPTS {
                rec.status = MailStatus::Failed;
            } else {
                rec.next_attempt_at = now.plus(backoff(rec.attempts));
                tx.put(OUTBOX_DUE, &(rec.next_attempt_at.millis(), rec.id.key()), &())?;
            }
        }
    }
    tx.put(OUTBOX, &rec.id.key(), &rec)?;
    Ok(())
}

/// Removes every message to `address` from the outbox (sent or not), in the caller's unit of
/// work: a deleted account leaves no copy of its address or of the mail it was sent. Reads the
/// whole outbox (kept 90 days), so only for rare acts like deleting an account.
pub fn forget_recipient(tx: &mut crate::store::Tx<'_>, address: &str) -> Result<usize> {
    use std::ops::Bound::{Excluded, Unbounded};
    let mut after: Option<u128> = None;
    let mut removed = 0;
    loop {
        let rows = match after {
            None => tx.range(OUTBOX, .., 1000)?,
            Some(k) => tx.range(OUTBOX, (Excluded(k), Unbounded), 1000)?,
        };
        let done = rows.len() < 1000;
        for (key, rec) in rows {
            after = Some(key);
            if rec.to.eq_ignore_ascii_case(address) {
                tx.remove(OUTBOX_DUE, &(rec.next_attempt_at.millis(), key))?;
                tx.remove(OUTBOX, &key)?;
                removed += 1;
            }
        }
        if done {
            return Ok(removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_is_only_for_local_relays() {
        assert!(check_smtp_url("smtp://localhost:25").is_ok());
        assert!(check_smtp_url("smtp://127.0.0.1:2525").is_ok());
        assert!(check_smtp_url("smtps://u:p@mail.example:465").is_ok());
        assert!(check_smtp_url("smtp://u:p@mail.example:587?tls=required").is_ok());
        assert!(check_smtp_url("smtp://u:p@mail.example:587").is_err());
        assert!(check_smtp_url("smtp://mail.example:25").is_err());
        assert!(check_smtp_url("smtp://u:p@localhost:25").is_err(), "credentials never travel in clear");
    }

    #[test]
    fn tokens_are_redacted_from_links() {
        assert_eq!(
            redact_tokens("open https://s.test/reset-password?token=abc-DEF_12 now"),
            "open https://s.test/reset-password?token=[redacted] now"
        );
        assert_eq!(
            redact_tokens("<a href=\"x?token=q1\">x?token=q1</a>"),
            "<a href=\"x?token=[redacted]\">x?token=[redacted]</a>"
        );
        assert_eq!(redact_tokens("no tokens here"), "no tokens here");
    }

    #[test]
    fn extra_headers_reach_the_message() {
        let email = Email {
            to: "a@b.org".into(),
            subject: "Hi".into(),
            text: "t".into(),
            html: "<p>h</p>".into(),
            headers: Vec::new(),
        }
        .unsubscribable("https://s.test/unsubscribe?token=abc");
        let now = Timestamp(0);
        let rec = OutboxRecord {
            id: MessageId::generate(),
            to: email.to,
            subject: email.subject,
            text: email.text,
            html: email.html,
            status: MailStatus::Pending,
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            created_at: now,
            sent_at: None,
            headers: email.headers,
        };
        let from: Mailbox = "School <no-reply@s.test>".parse().unwrap();
        let raw = String::from_utf8(build(&from, &rec).unwrap().formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://s.test/unsubscribe?token=abc>\r\n"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(20), Duration::from_secs(3600));
    }
}
