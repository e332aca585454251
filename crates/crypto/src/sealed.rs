//! Sealed secrets: the text stored in a secret column.
//!
//! Format: `adsec:v{VERSION}:{HINT}:{BASE64URL(nonce ‖ ciphertext)}` where HINT is the
//! secret's last four characters, kept in clear so pages can show `…abcd` without
//! opening the secret. The hint is part of the associated data, so it cannot be altered.

use crate::keyring::Keyring;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

const PREFIX: &str = "adsec:v";
const NONCE_LEN: usize = 24;

/// A secret as stored: ciphertext plus the clear hint. Safe to print.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(String);

/// Why a secret could not be sealed or opened. Never contains secret material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// The stored text is not a sealed secret.
    #[error("the stored secret is malformed")]
    Malformed,
    /// It was sealed under a key version this keyring does not have.
    #[error("the stored secret needs master key version {0}, which is not configured")]
    UnknownKeyVersion(u32),
    /// Wrong key, or it was tampered with or moved to another tenant or field.
    #[error("the stored secret does not open with this key for this tenant and field")]
    Forged,
}

impl SealedSecret {
    /// Wraps text read from storage (checked when opened).
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `…abcd`: all that may ever be shown of the secret.
    pub fn masked(&self) -> String {
        self.parts().map(|p| format!("…{}", p.hint)).unwrap_or_else(|_| "…".into())
    }

    /// The master key version this was sealed under.
    pub fn key_version(&self) -> Result<u32, SealError> {
        self.parts().map(|p| p.version)
    }

    fn parts(&self) -> Result<Parts<'_>, SealError> {
        let rest = self.0.strip_prefix(PREFIX).ok_or(SealError::Malformed)?;
        let (version, rest) = rest.split_once(':').ok_or(SealError::Malformed)?;
        let (hint, payload) = rest.rsplit_once(':').ok_or(SealError::Malformed)?;
        let version = version.parse().map_err(|_| SealError::Malformed)?;
        Ok(Parts { version, hint, payload })
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSecret({})", self.masked())
    }
}

struct Parts<'a> {
    version: u32,
    hint: &'a str,
    payload: &'a str,
}

/// `…abcd` for a secret in clear (only its last four characters).
pub fn mask(secret: &str) -> String {
    format!("…{}", last4(secret))
}

fn last4(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    // Short secrets show nothing: four characters of a six-character secret is most of it.
    if chars.len() < 12 {
        return String::new();
    }
    chars[chars.len() - 4..].iter().filter(|c| **c != ':').collect()
}

fn associated_data(version: u32, owner: &str, field: &str, hint: &str) -> Vec<u8> {
    format!("alphadome-secret\0v{version}\0{owner}\0{field}\0{hint}").into_bytes()
}

impl Keyring {
    /// Seals a secret for one owner (a tenant id) and field, under the current key.
    pub fn seal(&self, secret: &SecretString, owner: &str, field: &str) -> SealedSecret {
        let key = self.current();
        let hint = last4(secret.expose_secret());
        let cipher = XChaCha20Poly1305::new(&key.bytes.into());
        let nonce = XNonce::generate();
        let aad = associated_data(key.version, owner, field, &hint);
        let payload = Payload { msg: secret.expose_secret().as_bytes(), aad: &aad };
        let ciphertext = cipher.encrypt(&nonce, payload).expect("sealing in memory cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        SealedSecret(format!("{PREFIX}{}:{hint}:{}", key.version, URL_SAFE_NO_PAD.encode(blob)))
    }

    /// Opens a secret sealed for this owner and field.
    pub fn open(&self, sealed: &SealedSecret, owner: &str, field: &str) -> Result<SecretString, SealError> {
        let parts = sealed.parts()?;
        let key = self.get(parts.version).ok_or(SealError::UnknownKeyVersion(parts.version))?;
        let blob = URL_SAFE_NO_PAD.decode(parts.payload).map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let cipher = XChaCha20Poly1305::new(&key.bytes.into());
        let aad = associated_data(parts.version, owner, field, parts.hint);
        let plain =
            cipher.decrypt(&nonce, Payload { msg: ciphertext, aad: &aad }).map_err(|_| SealError::Forged)?;
        let text = String::from_utf8(plain).map_err(|_| SealError::Malformed)?;
        Ok(SecretString::from(text))
    }

    /// Re-seals a secret under the current key (for rotation).
    pub fn reseal(&self, sealed: &SealedSecret, owner: &str, field: &str) -> Result<SealedSecret, SealError> {
        Ok(self.seal(&self.open(sealed, owner, field)?, owner, field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::MasterKey;

    const TOKEN: &str = "EAAGm0PX4ZCpsBAKZCanary1234";

    fn ring() -> Keyring {
        Keyring::new([MasterKey::generate(1)]).unwrap()
    }

    #[test]
    fn seal_then_open() {
        let ring = ring();
        let sealed = ring.seal(&SecretString::from(TOKEN), "tenant-a", "whatsapp_access_token");
        assert!(!sealed.as_str().contains("Canary"));
        assert_eq!(sealed.masked(), "…1234");
        let opened = ring.open(&sealed, "tenant-a", "whatsapp_access_token").unwrap();
        assert_eq!(opened.expose_secret(), TOKEN);
    }

    #[test]
    fn a_sealed_secret_moved_to_another_tenant_or_field_does_not_open() {
        let ring = ring();
        let sealed = ring.seal(&SecretString::from(TOKEN), "tenant-a", "whatsapp_access_token");
        assert_eq!(ring.open(&sealed, "tenant-b", "whatsapp_access_token").err(), Some(SealError::Forged));
        assert_eq!(ring.open(&sealed, "tenant-a", "ai_api_key").err(), Some(SealError::Forged));
        let tampered = SealedSecret::from_stored(sealed.as_str().replace(":1234:", ":9999:"));
        assert_eq!(ring.open(&tampered, "tenant-a", "whatsapp_access_token").err(), Some(SealError::Forged));
        assert_eq!(
            ring.open(&SealedSecret::from_stored("plain".into()), "a", "b").err(),
            Some(SealError::Malformed)
        );
    }

    #[test]
    fn old_versions_open_after_rotation_and_reseal_moves_them_forward() {
        let mut ring = ring();
        let old = ring.seal(&SecretString::from(TOKEN), "t", "f");
        ring.add_version();
        let new = ring.reseal(&old, "t", "f").unwrap();
        assert_eq!((old.key_version().unwrap(), new.key_version().unwrap()), (1, 2));
        assert_eq!(ring.open(&old, "t", "f").unwrap().expose_secret(), TOKEN);
        let only_v1 = Keyring::new([ring.get(1).unwrap().clone()]).unwrap();
        assert_eq!(only_v1.open(&new, "t", "f").err(), Some(SealError::UnknownKeyVersion(2)));
    }

    #[test]
    fn debug_output_is_masked() {
        let sealed = ring().seal(&SecretString::from(TOKEN), "t", "f");
        assert_eq!(format!("{sealed:?}"), "SealedSecret(…1234)");
        assert_eq!(mask("short"), "…");
    }
}
