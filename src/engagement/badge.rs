//! The school's Ed25519 signing key for Open Badges, its JWKS, and compact JWS (VC-JWT) signing.
//!
//! The key is generated once into `<data-dir>/badge.key` (PKCS#8 DER, mode 0600), like
//! `secret.key`, and like it is not part of backups: keep a copy with `secret.key`, or credentials
//! issued before a restore can no longer be verified against `/.well-known/jwks.json`.

use std::path::Path;

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The file in the data dir that holds the key.
pub const KEY_FILE: &str = "badge.key";

pub struct BadgeKey {
    pair: Ed25519KeyPair,
    kid: String,
}

impl std::fmt::Debug for BadgeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BadgeKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl BadgeKey {
    /// Reads `<data_dir>/badge.key`, or creates it (mode 0600) on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<BadgeKey> {
        use std::io::Write;
        let path = data_dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(der) => {
                return BadgeKey::from_pkcs8(&der).with_context(|| format!("reading {}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        std::fs::create_dir_all(data_dir)?;
        let der = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("generating the badge signing key"))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&path).with_context(|| format!("creating {}", path.display()))?;
        f.write_all(der.as_ref())?;
        f.sync_all()?;
        BadgeKey::from_pkcs8(der.as_ref())
    }

    pub fn from_pkcs8(der: &[u8]) -> anyhow::Result<BadgeKey> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|e| anyhow::anyhow!("not an Ed25519 PKCS#8 key: {e}"))?;
        let kid = thumbprint(&B64.encode(pair.public_key().as_ref()));
        Ok(BadgeKey { pair, kid })
    }

    /// The key id: the RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as an OKP JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": B64.encode(self.pair.public_key().as_ref()),
            "kid": self.kid,
            "use": "sig",
            "alg": "EdDSA",
        })
    }

    /// `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// A compact JWS (`alg: EdDSA`) over `payload`, with `typ` as given.
    pub fn sign_jws(&self, typ: &str, payload: &Value) -> String {
        let header = json!({ "alg": "EdDSA", "typ": typ, "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            B64.encode(serde_json::to_vec(&header).expect("a JSON value serialises")),
            B64.encode(serde_json::to_vec(payload).expect("a JSON value serialises"))
        );
        let sig = self.pair.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(sig.as_ref()))
    }
}

/// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_private_and_signs_verifiably() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = BadgeKey::load_or_create(dir.path()).unwrap();
        let k2 = BadgeKey::load_or_create(dir.path()).unwrap();
        assert_eq!(k1.kid(), k2.kid());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let jws = k1.sign_jws("vc+jwt", &json!({"a": 1}));
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ED25519,
            k1.pair.public_key().as_ref(),
        );
        let input = format!("{}.{}", parts[0], parts[1]);
        public.verify(input.as_bytes(), &B64.decode(parts[2]).unwrap()).unwrap();
    }
}
