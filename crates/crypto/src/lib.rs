//! Secrets at rest and keys in transit.
//!
//! * [`Keyring`]: the versioned master keys. The newest seals; every version opens, so a
//!   rotation can re-seal stored secrets while the service keeps running.
//! * [`Keyring::seal`] / [`Keyring::open`]: XChaCha20-Poly1305 with a random 192-bit nonce.
//!   The associated data binds each ciphertext to its owner (the tenant) and field, so a
//!   ciphertext copied into another tenant's row, or another column, does not open.
//! * [`hash_api_key`], [`random_token`]: for credentials we only ever compare.
//! * [`verify_hub_signature`]: Meta's webhook signatures.

mod keyring;
mod password;
mod sealed;
mod signature;

pub use keyring::{Keyring, KeyringError, MasterKey};
pub use password::{hash_password, verify_password};
pub use sealed::{SealError, SealedSecret, mask};
pub use secrecy::{ExposeSecret, SecretString};
pub use signature::{hub_signature, verify_hub_signature};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Random bytes from the operating system.
///
/// # Panics
/// When the operating system has no randomness to give, which leaves nothing safe to do.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// A random url-safe token carrying `N` bytes of entropy.
pub fn random_token<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<N>())
}

/// The stored form of an API key: hex SHA-256. API keys carry 256 random bits, so a fast
/// hash is as strong as a slow one here and lets every request look its key up directly.
pub fn hash_api_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (random_token::<32>(), random_token::<32>());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn api_key_hash_is_stable_hex() {
        assert_eq!(hash_api_key("abc"), hash_api_key("abc"));
        assert_eq!(hash_api_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
