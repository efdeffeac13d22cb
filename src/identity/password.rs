//! Password hashing: argon2id with OWASP's parameters (19 MiB, t=2, p=1, the crate defaults).
//!
//! Each hash takes ~19 MiB and tens of milliseconds of one core, so hashing runs on the blocking
//! pool behind a semaphore: 100 parallel sign-ins queue instead of taking 1.9 GiB at once.
//! Unknown accounts are checked against a dummy hash so sign-in takes as long either way.

use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    dummy: Arc<OnceLock<String>>,
}

impl Hasher {
    pub fn new(concurrency: usize) -> Self {
        Hasher { permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy: Arc::default() }
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.blocking(move || hash_now(&password)).await?
    }

    /// True if `password` matches `phc`.
    pub async fn verify(&self, phc: &str, password: &str) -> Result<bool> {
        let (phc, password) = (phc.to_owned(), password.to_owned());
        self.blocking(move || verify_now(&phc, &password)).await
    }

    /// Spends the same effort as [`verify`](Self::verify) for an account that does not exist.
    pub async fn verify_dummy(&self, password: &str) -> Result<()> {
        let dummy = match self.dummy.get() {
            Some(d) => d.clone(),
            None => {
                let d = self.hash("dummy password for timing").await?;
                self.dummy.get_or_init(|| d).clone()
            }
        };
        let _ = self.verify(&dummy, password).await?;
        Ok(())
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self.permits.acquire().await.map_err(|_| Error::Unavailable("shutting down".into()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("hashing task failed: {e}")))
    }
}

pub fn hash_now(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("argon2: {e}")))
}

fn verify_now(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let h = Hasher::new(2);
        let phc = h.hash("correct horse battery").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify(&phc, "correct horse battery").await.unwrap());
        assert!(!h.verify(&phc, "wrong horse battery").await.unwrap());
        assert!(!h.verify("not a hash", "x").await.unwrap());
        h.verify_dummy("anything").await.unwrap();
    }
}
