//! Password hashing: argon2id with OWASP's parameters (19 MiB, t=2, p=1, the crate defaults).
//!
//! Each hash takes ~19 MiB and tens of milliseconds of one core, so hashing runs on a few
//! threads of its own (one per core): 100 parallel sign-ins queue instead of taking 1.9 GiB at
//! once. Its own threads rather than the blocking pool, because the allocator keeps a freed
//! 19 MiB block in the heap of the thread that used it: spread over the pool's 16 threads, a
//! burst of sign-ins left ~90 MB resident after the load tests; on two threads it is 38 MiB,
//! reused by every hash after.
//! Unknown accounts are checked against a dummy hash so sign-in takes as long either way.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Hasher {
    /// The hashing threads take jobs from here; they end when the last `Hasher` is dropped.
    jobs: mpsc::Sender<Job>,
    dummy: Arc<OnceLock<String>>,
}

impl Hasher {
    pub fn new(concurrency: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("lectern-argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            // A panicking job fails its caller (its answer is dropped), not the thread.
                            Ok(job) => drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))),
                            Err(_) => return,
                        }
                    }
                })
                .expect("a thread for password hashing");
        }
        Hasher { jobs, dummy: Arc::default() }
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
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|_| Error::Unavailable("shutting down".into()))?;
        rx.await.map_err(|_| Error::Internal(anyhow::anyhow!("a hashing thread failed")))
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
