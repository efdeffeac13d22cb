//! The identity rules, free of HTTP.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::password::Hasher;
use super::repo::{self, Rotation, TokenPurpose, UserRecord};
use super::tokens::{Keys, hash_token};
use super::types::{Email, Name, Password, Role};
use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::error::{Code, Error, Result};
use crate::ids::{FamilyId, UserId};
use crate::mail::{self, Mailer, templates};
use crate::ratelimit::SlidingWindow;
use crate::store::Store;

pub const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);
pub const RESET_TTL: Duration = Duration::from_secs(3600);
/// How long a just-spent refresh token is taken for a concurrent browser refresh, not a theft.
pub const BROWSER_REFRESH_GRACE: Duration = Duration::from_secs(20);
const HOUR: Duration = Duration::from_secs(3600);
/// Failed sign-ins allowed per email address and client (IPv4 address or IPv6 /64) in
/// [`FAILURE_WINDOW`]; past it that client gets 429 for this email.
pub const LOGIN_FAILURES: u32 = 10;
/// Failed sign-ins for one email from all clients together in [`FAILURE_WINDOW`] after which
/// every attempt for it is slowed by [`ACCOUNT_SLOWDOWN`]. Slowed, never refused: an attacker
/// elsewhere must not be able to lock the owner out.
pub const ACCOUNT_FAILURES: u32 = 20;
pub const ACCOUNT_SLOWDOWN: Duration = Duration::from_secs(2);
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A fixed-size limiter key for an email (and a client), so no input can make the limiter's
/// keys large.
fn failure_key(email: &Email, client: Option<IpAddr>) -> [u8; 16] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(email.as_str().as_bytes());
    if let Some(ip) = client {
        h.update([0]);
        h.update(crate::ratelimit::client_key(ip).to_string().as_bytes());
    }
    let mut key = [0; 16];
    key.copy_from_slice(&h.finalize()[..16]);
    key
}

fn too_many_failures(wait: Duration) -> Error {
    Error::RateLimited { retry_after_secs: wait.as_secs().max(1) }
}

/// A signed-in caller: who, and through which sign-in (refresh family).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub family: FamilyId,
}

/// What sign-in, registration and refresh hand back.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub user: UserRecord,
    pub family: FamilyId,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub name: Name,
    pub role: Role,
    pub locale: String,
}

pub struct Identity {
    store: Store,
    clock: Arc<Clock>,
    hasher: Hasher,
    pub keys: Keys,
    mailer: Arc<Mailer>,
    public_url: String,
    school: String,
    session_lifetime: Duration,
    reset_per_account: SlidingWindow<UserId>,
    reset_per_ip: SlidingWindow<IpAddr>,
    resend_per_account: SlidingWindow<UserId>,
    /// Failed sign-ins per email and client (known emails or not, so the limit reveals nothing).
    login_failures: SlidingWindow<[u8; 16]>,
    /// Failed sign-ins per email from every client: past [`ACCOUNT_FAILURES`], attempts slow down.
    account_failures: SlidingWindow<[u8; 16]>,
    /// Wrong current passwords per account.
    password_failures: SlidingWindow<UserId>,
    tasks: tokio_util::task::TaskTracker,
}

fn invalid_credentials() -> Error {
    Error::Unauthorized {
        code: Code::InvalidCredentials,
        detail: "The email or password is not correct.".into(),
    }
}

fn account_locked() -> Error {
    Error::Forbidden {
        code: Code::AccountLocked,
        detail: "This account is locked by the school's administrators. Contact them to have it unlocked."
            .into(),
    }
}

fn invalid_session() -> Error {
    Error::Unauthorized { code: Code::InvalidToken, detail: "This session has ended; sign in again.".into() }
}

impl Identity {
    pub fn new(
        config: &Config,
        store: Store,
        clock: Arc<Clock>,
        keys: Keys,
        mailer: Arc<Mailer>,
        tasks: tokio_util::task::TaskTracker,
    ) -> Identity {
        Identity {
            store,
            clock,
            hasher: Hasher::new(config.hash_concurrency),
            keys,
            mailer,
            public_url: config.public_url.clone(),
            school: config.school_name.clone(),
            session_lifetime: config.session_lifetime,
            reset_per_account: SlidingWindow::new(3, HOUR),
            reset_per_ip: SlidingWindow::new(3, HOUR),
            resend_per_account: SlidingWindow::new(3, HOUR),
            login_failures: SlidingWindow::new(LOGIN_FAILURES, FAILURE_WINDOW),
            account_failures: SlidingWindow::new(ACCOUNT_FAILURES, FAILURE_WINDOW),
            password_failures: SlidingWindow::new(5, FAILURE_WINDOW),
            tasks,
        }
    }

    fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }

    fn pair(&self, user: UserRecord, family: FamilyId, refresh_token: String) -> TokenPair {
        let (access_token, expires_in) = self.keys.issue_access(user.id, user.role, family);
        TokenPair { user, family, access_token, refresh_token, expires_in }
    }

    /// Creates an account, signs it in and queues the verification email, all in one commit.
    pub async fn register(&self, acc: NewAccount) -> Result<TokenPair> {
        let password_hash = self.hasher.hash(acc.password.expose()).await?;
        let now = self.clock.now();
        let user = UserRecord {
            id: UserId::generate(),
            email: acc.email.as_str().to_owned(),
            name: acc.name.into_string(),
            role: acc.role,
            password_hash,
            email_verified: false,
            locale: acc.locale,
            created_at: now,
            updated_at: now,
            password_changed_at: None,
            bio_html: String::new(),
            locked_at: None,
            deleted_at: None,
            // Signing up opens a session: the person is active today.
            verified_at: None,
            last_active_at: Some(now),
        };
        let (lifetime, school, public_url) =
            (self.session_lifetime, self.school.clone(), self.public_url.clone());
        let (user, family, token) = self
            .store
            .write(move |tx| {
                repo::insert_user(tx, &user)?;
                let verify =
                    repo::create_email_token(tx, TokenPurpose::VerifyEmail, user.id, now, VERIFY_TTL)?;
                let url = format!("{public_url}/verify-email?token={verify}");
                mail::enqueue(
                    tx,
                    templates::verification(&user.locale, &user.email, &user.name, &school, &url),
                    now,
                )?;
                let (fam, token) = repo::create_family(tx, user.id, now, lifetime)?;
                Ok((user.clone(), fam.id, token))
            })
            .await?;
        self.mailer.wake();
        tracing::info!(user = %user.id, role = user.role.as_str(), "account created");
        Ok(self.pair(user, family, token))
    }

    /// Signs in from `client`. Unknown emails cost the same hashing work as known ones and get
    /// the same answer. Something that is not an email address cannot be an account: it is
    /// refused before the limiters or the hasher see it.
    pub async fn login(&self, email: &str, password: &str, client: IpAddr) -> Result<TokenPair> {
        let email = Email::parse(email).map_err(|_| invalid_credentials())?;
        let (here, everywhere) = (failure_key(&email, Some(client)), failure_key(&email, None));
        self.login_failures.peek(&here, self.clock.now()).map_err(too_many_failures)?;
        if self.account_failures.peek(&everywhere, self.clock.now()).is_err() {
            tokio::time::sleep(ACCOUNT_SLOWDOWN).await;
        }
        let result = self.check_password(&email, password).await;
        if matches!(result, Err(Error::Unauthorized { .. })) {
            self.login_failures.hit(&here, self.clock.now());
            self.account_failures.hit(&everywhere, self.clock.now());
        }
        let user = result?;
        if user.locked_at.is_some() {
            return Err(account_locked());
        }
        let (now, lifetime, id) = (self.clock.now(), self.session_lifetime, user.id);
        let (user, fam, token) = self
            .store
            .write(move |tx| {
                let mut user = repo::get_user(tx, id)?;
                if user.is_barred() {
                    return Err(account_locked());
                }
                repo::touch(tx, &mut user, now)?;
                let (fam, token) = repo::create_family(tx, id, now, lifetime)?;
                Ok((user, fam, token))
            })
            .await?;
        Ok(self.pair(user, fam.id, token))
    }

    async fn check_password(&self, email: &Email, password: &str) -> Result<UserRecord> {
        let user = self.store.get(|rtx| Ok(repo::user_by_email(rtx, email.as_str())?))?;
        let Some(user) = user else {
            self.hasher.verify_dummy(password).await?;
            return Err(invalid_credentials());
        };
        if !self.hasher.verify(&user.password_hash, password).await? {
            return Err(invalid_credentials());
        }
        Ok(user)
    }

    /// Spends a refresh token for a new pair. A spent token revokes its whole family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair> {
        self.rotate(refresh_token, None).await
    }

    /// The browser's refresh: like [`Identity::refresh`], but a token spent in the last
    /// [`BROWSER_REFRESH_GRACE`] is taken for two tabs refreshing at once (401 `session_raced`,
    /// nothing revoked) rather than a stolen token.
    pub async fn refresh_browser(&self, refresh_token: &str) -> Result<TokenPair> {
        self.rotate(refresh_token, Some(BROWSER_REFRESH_GRACE)).await
    }

    async fn rotate(&self, refresh_token: &str, grace: Option<Duration>) -> Result<TokenPair> {
        let hash = hash_token(refresh_token);
        let now = self.clock.now();
        match self.store.write(move |tx| repo::rotate(tx, &hash, now, grace)).await? {
            Rotation::Rotated { user, family, token } => Ok(self.pair(*user, family.id, token)),
            Rotation::Invalid => Err(invalid_session()),
            Rotation::Raced => {
                tracing::info!("a browser refreshed a session twice within the grace window");
                Err(Error::Unauthorized {
                    code: Code::SessionRaced,
                    detail: "Another request refreshed this session a moment ago; retry with its cookies."
                        .into(),
                })
            }
            Rotation::Reused => {
                tracing::warn!("refresh token reused: its family was revoked");
                Err(Error::Unauthorized {
                    code: Code::TokenReused,
                    detail: "This refresh token was already used; the session has been ended for safety."
                        .into(),
                })
            }
        }
    }

    /// The family a refresh token belongs to, if it is still active.
    pub async fn family_of(&self, refresh_token: &str) -> Result<Option<FamilyId>> {
        let hash = hash_token(refresh_token);
        let now = self.clock.now();
        self.store
            .read(move |rtx| {
                Ok(repo::family_of_token(rtx, &hash)?.filter(|f| f.is_active(now)).map(|f| f.id))
            })
            .await
    }

    /// Ends the sign-in the refresh token belongs to. Unknown tokens are ignored (idempotent).
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let hash = hash_token(refresh_token);
        let now = self.clock.now();
        self.store
            .write(move |tx| {
                if let Some(f) = repo::family_of_token(tx, &hash)? {
                    repo::revoke_family(tx, f.id, now)?;
                }
                Ok(())
            })
            .await
    }

    pub async fn end_session(&self, family: FamilyId) -> Result<()> {
        let now = self.clock.now();
        self.store.write(move |tx| repo::revoke_family(tx, family, now)).await
    }

    /// Checks an access token and that its sign-in is still active.
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal> {
        let claims = self.keys.verify_access(access_token).ok_or_else(invalid_session)?;
        let user_id: UserId = claims.sub.parse().map_err(|_| invalid_session())?;
        let family: FamilyId = claims.sid.parse().map_err(|_| invalid_session())?;
        let now = self.clock.now();
        let user = self
            .store
            .get(|rtx| {
                let fam = repo::family(rtx, family)?;
                match fam {
                    Some(f) if f.user_id == user_id => {
                        // A locked account's sign-ins were revoked with the lock: say why.
                        let user = repo::user(rtx, user_id)?;
                        Ok(user.filter(|u| u.locked_at.is_some() || f.is_active(now)))
                    }
                    _ => Ok(None),
                }
            })?
            .ok_or_else(invalid_session)?;
        // Locking also revokes every sign-in; this says why, and holds even for a request that
        // raced the lock.
        if user.deleted_at.is_some() {
            return Err(invalid_session());
        }
        if user.locked_at.is_some() {
            return Err(Error::Unauthorized {
                code: Code::AccountLocked,
                detail: "This account is locked by the school's administrators.".into(),
            });
        }
        Ok(Principal { user, family })
    }

    pub async fn verify_email(&self, token: &str) -> Result<UserRecord> {
        let hash = hash_token(token);
        let now = self.clock.now();
        let (school, link) = (self.school.clone(), self.link("/courses"));
        let user = self
            .store
            .write(move |tx| {
                let rec = repo::consume_email_token(tx, TokenPurpose::VerifyEmail, &hash, now)?;
                let mut user = repo::get_user(tx, rec.user_id)?;
                if user.deleted_at.is_some() {
                    return Err(Error::BadRequest {
                        code: Code::InvalidToken,
                        detail: "This link is invalid or has expired. Ask for a new one.".into(),
                    });
                }
                if !user.email_verified {
                    user.email_verified = true;
                    user.updated_at = now;
                    repo::update_user(tx, &user)?;
                    mail::enqueue(
                        tx,
                        templates::welcome(&user.locale, &user.email, &user.name, &school, &link),
                        now,
                    )?;
                }
                Ok(user)
            })
            .await?;
        self.mailer.wake();
        Ok(user)
    }

    pub async fn resend_verification(&self, user: &UserRecord) -> Result<()> {
        if user.email_verified {
            return Err(Error::Conflict {
                code: Code::AlreadyVerified,
                detail: "This email is already confirmed.".into(),
            });
        }
        let now = self.clock.now();
        self.resend_per_account
            .check(&user.id, now)
            .map_err(|d| Error::RateLimited { retry_after_secs: d.as_secs() })?;
        let (school, public_url, id) = (self.school.clone(), self.public_url.clone(), user.id);
        self.store
            .write(move |tx| {
                let user = repo::get_user(tx, id)?;
                let token = repo::create_email_token(tx, TokenPurpose::VerifyEmail, id, now, VERIFY_TTL)?;
                let url = format!("{public_url}/verify-email?token={token}");
                mail::enqueue(
                    tx,
                    templates::verification(&user.locale, &user.email, &user.name, &school, &url),
                    now,
                )?;
                Ok(())
            })
            .await?;
        self.mailer.wake();
        Ok(())
    }

    /// Starts a password reset. The caller answers 202 at once whatever happens here, so
    /// known and unknown addresses look the same; only the per-IP limit is visible.
    pub fn forgot_password(self: &Arc<Self>, email: &str, ip: IpAddr) -> Result<()> {
        let now = self.clock.now();
        self.reset_per_ip
            .check(&ip, now)
            .map_err(|d| Error::RateLimited { retry_after_secs: d.as_secs() })?;
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let this = self.clone();
        self.tasks.spawn(async move {
            if let Err(e) = this.send_reset(email).await {
                tracing::warn!(error = %e, "password reset email not queued");
            }
        });
        Ok(())
    }

    async fn send_reset(&self, email: Email) -> Result<()> {
        let key = email.as_str().to_owned();
        let Some(user) = self.store.read(move |rtx| Ok(repo::user_by_email(rtx, &key)?)).await? else {
            return Ok(());
        };
        let now = self.clock.now();
        if self.reset_per_account.check(&user.id, now).is_err() {
            tracing::info!(user = %user.id, "password reset limit reached for account");
            return Ok(());
        }
        let (school, public_url) = (self.school.clone(), self.public_url.clone());
        self.store
            .write(move |tx| {
                let token =
                    repo::create_email_token(tx, TokenPurpose::ResetPassword, user.id, now, RESET_TTL)?;
                let url = format!("{public_url}/reset-password?token={token}");
                mail::enqueue(
                    tx,
                    templates::reset(&user.locale, &user.email, &user.name, &school, &url),
                    now,
                )?;
                Ok(())
            })
            .await?;
        self.mailer.wake();
        Ok(())
    }

    /// Sets a new password with a reset token (once) and ends every sign-in of the account.
    pub async fn reset_password(&self, token: &str, password: Password) -> Result<()> {
        let hash = hash_token(token);
        let now = self.clock.now();
        let valid = self
            .store
            .read(move |rtx| {
                Ok(repo::peek_email_token(rtx, TokenPurpose::ResetPassword, &hash, now)?.is_some())
            })
            .await?;
        if !valid {
            return Err(Error::BadRequest {
                code: Code::InvalidToken,
                detail: "This link is invalid or has expired. Ask for a new one.".into(),
            });
        }
        let password_hash = self.hasher.hash(password.expose()).await?;
        let now = self.clock.now();
        self.store
            .write(move |tx| {
                let rec = repo::consume_email_token(tx, TokenPurpose::ResetPassword, &hash, now)?;
                let mut user = repo::get_user(tx, rec.user_id)?;
                if user.deleted_at.is_some()
                    || user.password_changed_at.is_some_and(|changed| rec.created_at < changed)
                {
                    // Issued before the last password change: that request is over.
                    return Err(Error::BadRequest {
                        code: Code::InvalidToken,
                        detail: "This link is invalid or has expired. Ask for a new one.".into(),
                    });
                }
                user.password_hash = password_hash.clone();
                user.password_changed_at = Some(now);
                // The reset proved control of the mailbox.
                user.email_verified = true;
                user.updated_at = now;
                repo::update_user(tx, &user)?;
                repo::revoke_all(tx, user.id, None, now)?;
                Ok(())
            })
            .await
    }

    pub async fn update_profile(
        &self,
        id: UserId,
        name: Option<Name>,
        locale: Option<String>,
        bio_md: Option<String>,
    ) -> Result<UserRecord> {
        let now = self.clock.now();
        let bio_html =
            bio_md.as_deref().map(|b| crate::richtext::render_markdown(b, crate::richtext::Profile::Short));
        self.store
            .write(move |tx| {
                let mut user = repo::get_user(tx, id)?;
                if let Some(n) = &name {
                    user.name = n.clone().into_string();
                }
                if let Some(b) = &bio_html {
                    user.bio_html = b.clone();
                }
                if let Some(l) = &locale {
                    user.locale = l.clone();
                }
                user.updated_at = now;
                repo::update_user(tx, &user)?;
                Ok(user)
            })
            .await
    }

    pub(super) fn store(&self) -> &Store {
        &self.store
    }

    pub(super) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The caller's current password, limited per account (a wrong one is a 403: the session
    /// itself is valid).
    pub(super) async fn check_current_password(&self, who: &Principal, current: &str) -> Result<()> {
        self.password_failures.peek(&who.user.id, self.clock.now()).map_err(too_many_failures)?;
        if !self.hasher.verify(&who.user.password_hash, current).await? {
            self.password_failures.hit(&who.user.id, self.clock.now());
            return Err(Error::Forbidden {
                code: Code::InvalidCredentials,
                detail: "The current password is not correct.".into(),
            });
        }
        Ok(())
    }

    /// Changes the password and ends every other sign-in; the caller's own stays.
    pub async fn change_password(&self, who: &Principal, current: &str, new: Password) -> Result<()> {
        self.check_current_password(who, current).await?;
        let password_hash = self.hasher.hash(new.expose()).await?;
        let (id, keep, now) = (who.user.id, who.family, self.clock.now());
        self.store
            .write(move |tx| {
                let mut user = repo::get_user(tx, id)?;
                user.password_hash = password_hash.clone();
                user.password_changed_at = Some(now);
                user.updated_at = now;
                repo::update_user(tx, &user)?;
                repo::revoke_all(tx, id, Some(keep), now)?;
                Ok(())
            })
            .await
    }

    /// Creates an account directly (admin CLI, first-start admin); the email counts as verified.
    pub async fn create_account(
        &self,
        email: Email,
        password: Password,
        name: Name,
        role: Role,
    ) -> Result<UserRecord> {
        let password_hash = self.hasher.hash(password.expose()).await?;
        let now = self.clock.now();
        let user = UserRecord {
            id: UserId::generate(),
            email: email.as_str().to_owned(),
            name: name.into_string(),
            role,
            password_hash,
            email_verified: true,
            locale: "en".into(),
            created_at: now,
            updated_at: now,
            password_changed_at: None,
            bio_html: String::new(),
            locked_at: None,
            deleted_at: None,
            verified_at: None,
            last_active_at: None,
        };
        self.store
            .write(move |tx| {
                repo::insert_user(tx, &user)?;
                Ok(user.clone())
            })
            .await
    }

    /// Creates the configured admin if the school has no admin yet. True if one was created.
    pub async fn ensure_admin(&self, email: &str, password: &str) -> anyhow::Result<bool> {
        if self.store.read(|rtx| Ok(repo::any_with_role(rtx, Role::Admin)?)).await? {
            return Ok(false);
        }
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("LECTERN_ADMIN_EMAIL {}", e.message))?;
        let password = Password::parse("password", password)
            .map_err(|e| anyhow::anyhow!("LECTERN_ADMIN_PASSWORD {}", e.message))?;
        let name = Name::parse("Administrator").expect("a valid name");
        self.create_account(email, password, name, Role::Admin).await?;
        Ok(true)
    }

    /// Computes the dummy hash ahead of the first sign-in.
    pub async fn warm_up(&self) {
        let _ = self.hasher.verify_dummy("warm up").await;
    }

    /// Deletes sign-ins and email tokens that ended more than a day ago (they can no longer
    /// matter), in small units so sign-ins never wait long behind the purge.
    pub async fn purge_ended_sessions(&self) -> Result<usize> {
        const CHUNK: usize = 1000;
        let cutoff = Timestamp(self.clock.now().millis() - 86_400_000);
        let mut total = 0;
        let mut after = None;
        loop {
            let (n, next) =
                self.store.write(move |tx| repo::purge_families(tx, cutoff, after, CHUNK)).await?;
            total += n;
            match next {
                Some(k) => after = Some(k),
                None => break,
            }
        }
        let mut after = None;
        loop {
            let (n, next) =
                self.store.write(move |tx| repo::purge_email_tokens(tx, cutoff, after, CHUNK)).await?;
            total += n;
            match next {
                Some(k) => after = Some(k),
                None => break,
            }
        }
        Ok(total)
    }
}
