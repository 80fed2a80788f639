//! Secrets at rest: AES-256-GCM under `ECOMCRM_ENCRYPTION_KEY`, a fresh 96-bit nonce per value.
//! Stored form: nonce (12 bytes) followed by ciphertext and tag.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

/// Encrypts and decrypts tokens for storage.
#[derive(Clone)]
pub struct Cipher(Aes256Gcm);

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(***)")
    }
}

/// A stored value could not be decrypted (wrong key or tampered bytes).
#[derive(Debug, thiserror::Error)]
#[error("stored secret cannot be decrypted with ECOMCRM_ENCRYPTION_KEY")]
pub struct DecryptError;

impl Cipher {
    /// A cipher for a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self(Aes256Gcm::new(key.into()))
    }

    /// Encrypts a secret.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from(nonce_bytes);
        // Encryption with a valid key and nonce cannot fail for inputs of this size.
        let ct = self.0.encrypt(&nonce, plain.as_bytes()).unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts a value made by [`Cipher::seal`].
    pub fn open(&self, sealed: &[u8]) -> Result<String, DecryptError> {
        if sealed.len() < 12 + 16 {
            return Err(DecryptError);
        }
        let (nonce, ct) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| DecryptError)?;
        let plain = self
            .0
            .decrypt(&Nonce::from(nonce), ct)
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_with_the_same_key_only() {
        let a = Cipher::new(&[7; 32]);
        let sealed = a.seal("shpat_secret");
        assert!(!sealed.windows(12).any(|w| w == b"shpat_secret"));
        assert_eq!(a.open(&sealed).unwrap(), "shpat_secret");
        assert!(Cipher::new(&[8; 32]).open(&sealed).is_err());
        assert!(a.open(&sealed[..10]).is_err());
    }
}
