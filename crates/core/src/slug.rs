//! Tenant slugs: the short, url-safe name a tenant is addressed by.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A url-safe tenant name: 2–63 lowercase ASCII letters, digits and single hyphens,
/// starting with a letter and not ending with a hyphen. Safe in a URL path, a file
/// name and a log line without escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Names that would collide with the service's own paths.
const RESERVED: &[&str] = &["api", "admin", "new", "login", "logout", "static", "webhooks"];

impl Slug {
    /// Parses a slug, explaining what is wrong when it is not one.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let err = |msg: &str| Err(ValidationError::new("slug", msg));
        let s = raw.trim();
        if s.len() < 2 || s.len() > 63 {
            return err("must be 2 to 63 characters long");
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return err("may contain only lowercase letters a-z, digits and '-'");
        }
        if !s.as_bytes()[0].is_ascii_lowercase() {
            return err("must start with a letter");
        }
        if s.ends_with('-') || s.contains("--") {
            return err("must not end with '-' or contain '--'");
        }
        if RESERVED.contains(&s) {
            return err("is reserved; choose another name");
        }
        Ok(Self(s.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_slugs() {
        assert_eq!(Slug::parse("kassangas-music").unwrap().as_str(), "kassangas-music");
        assert_eq!(Slug::parse(" shop2 ").unwrap().as_str(), "shop2");
    }

    #[test]
    fn refuses_hostile_slugs() {
        for bad in [
            "",
            "a",
            "../etc",
            "a/b",
            "Kassangas",
            "-shop",
            "shop-",
            "sh--op",
            "2shop",
            "api",
            "shop%2e",
            "shop\u{0}",
            "ﬁsh",
            &"a".repeat(64),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
