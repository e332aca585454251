//! Passwords of accounts: hashed with Argon2id (RustCrypto's `argon2`, its default, OWASP-level
//! parameters) into a PHC string that carries its own salt and parameters.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use secrecy::{ExposeSecret, SecretString};

/// The PHC string of a new hash of `password`, with a fresh random salt.
pub fn hash_password(password: &SecretString) -> String {
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .expect("hashing with the default parameters cannot fail")
        .to_string()
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify_password(stored: &str, password: &SecretString) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    Argon2::default().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_itself_and_the_hash_hides_it() {
        let password = SecretString::from("correct horse battery staple");
        let stored = hash_password(&password);
        assert!(stored.starts_with("$argon2id$"));
        assert!(!stored.contains("horse"));
        assert!(verify_password(&stored, &password));
        assert!(!verify_password(&stored, &SecretString::from("correct horse battery stapler")));
        assert!(!verify_password("not a hash", &password));
        assert_ne!(stored, hash_password(&password), "each hash has its own salt");
    }
}
