//! Tokens.
//!
//! - Access tokens: JWTs signed with HS256 (the only algorithm accepted), at most 15 minutes,
//!   with `iss`, `aud`, `exp`, `sub` (user) and `sid` (the refresh family they came from, so
//!   revoking a family revokes its access tokens too).
//! - Opaque tokens (refresh, email verification, password reset): 256 random bits, shown once,
//!   stored only as their SHA-256.
//! - CSRF tokens: an HMAC of the session's family id, so they need no storage and die with it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

use super::Role;
use crate::config::Secret;
use crate::ids::{FamilyId, UserId};

pub const AUDIENCE: &str = "lectern-api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    csrf: Vec<u8>,
    issuer: String,
    pub access_ttl: Duration,
}

/// Derives a purpose-specific key from the master secret, so one secret serves many uses.
pub fn derive(secret: &[u8], purpose: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

impl Keys {
    pub fn new(secret: &Secret, issuer: &str, access_ttl: Duration) -> Keys {
        let jwt = derive(secret.expose(), "lectern/jwt/v1");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Keys {
            encoding: EncodingKey::from_secret(&jwt),
            decoding: DecodingKey::from_secret(&jwt),
            validation,
            csrf: derive(secret.expose(), "lectern/csrf/v1"),
            issuer: issuer.to_owned(),
            access_ttl,
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs an access token; returns it and its lifetime in seconds.
    pub fn issue_access(&self, user: UserId, role: Role, family: FamilyId) -> (String, u64) {
        let now = jsonwebtoken::get_current_timestamp();
        let ttl = self.access_ttl.as_secs();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: user.to_string(),
            sid: family.to_string(),
            role,
            iat: now,
            exp: now + ttl,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, ttl)
    }

    /// Checks signature, algorithm, expiry, issuer and audience.
    pub fn verify_access(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|d| d.claims)
    }

    /// Signs arbitrary claims with the access-token key (tests craft bad tokens with it).
    #[doc(hidden)]
    pub fn sign_raw<T: Serialize>(&self, claims: &T) -> String {
        self.sign_raw_with(Algorithm::HS256, claims)
    }

    /// Like [`sign_raw`](Self::sign_raw) with another HMAC algorithm but the real key.
    #[doc(hidden)]
    pub fn sign_raw_with<T: Serialize>(&self, alg: Algorithm, claims: &T) -> String {
        jsonwebtoken::encode(&Header::new(alg), claims, &self.encoding).expect("HMAC signing cannot fail")
    }

    pub fn csrf_token(&self, family: FamilyId) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.csrf).expect("any key");
        mac.update(&family.key().to_be_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    pub fn csrf_matches(&self, family: FamilyId, presented: &str) -> bool {
        let expected = self.csrf_token(family);
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), presented.as_bytes()).into()
    }
}

/// A fresh opaque token and the hash under which it is stored.
pub fn opaque_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(&Secret::new(vec![7; 64]), "http://school.test", Duration::from_secs(900))
    }

    #[test]
    fn access_tokens_round_trip_and_bind_their_family() {
        let k = keys();
        let (u, f) = (UserId::generate(), FamilyId::generate());
        let (t, ttl) = k.issue_access(u, Role::Teacher, f);
        assert_eq!(ttl, 900);
        let c = k.verify_access(&t).unwrap();
        assert_eq!(c.sub, u.to_string());
        assert_eq!(c.sid, f.to_string());
        assert_eq!(c.role, Role::Teacher);
    }

    #[test]
    fn other_keys_and_issuers_are_rejected() {
        let (t, _) = keys().issue_access(UserId::generate(), Role::Student, FamilyId::generate());
        let other = Keys::new(&Secret::new(vec![8; 64]), "http://school.test", Duration::from_secs(900));
        assert!(other.verify_access(&t).is_none());
        let other_iss = Keys::new(&Secret::new(vec![7; 64]), "http://evil.test", Duration::from_secs(900));
        assert!(other_iss.verify_access(&t).is_none());
    }

    #[test]
    fn opaque_tokens_are_long_and_hashed() {
        let (a, ha) = opaque_token();
        let (b, _) = opaque_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in base64url");
        assert_eq!(hash_token(&a), ha);
    }

    #[test]
    fn csrf_tokens_are_per_family() {
        let k = keys();
        let (f, g) = (FamilyId::generate(), FamilyId::generate());
        assert!(k.csrf_matches(f, &k.csrf_token(f)));
        assert!(!k.csrf_matches(g, &k.csrf_token(f)));
        assert!(!k.csrf_matches(f, ""));
    }
}
