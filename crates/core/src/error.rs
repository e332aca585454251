//! The one error a domain rule can raise: a value that is not acceptable.

use std::fmt;

/// A value that failed validation: which field, and what is wrong with it.
///
/// The message is written for the person who typed the value, and never repeats a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The field (or `line N` for an import) the problem is in.
    pub field: String,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

impl ValidationError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Checks a free-text field: trimmed, not over `max` characters, no control characters
/// other than newlines and tabs. Returns the trimmed text.
pub fn clean_text(field: &str, value: &str, max: usize) -> Result<String, ValidationError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(ValidationError::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(ValidationError::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// Like [`clean_text`], and also refuses an empty value.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, ValidationError> {
    let value = clean_text(field, value, max)?;
    if value.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    Ok(value)
}

/// [`clean_text`] for an optional field; an empty value becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    match value {
        None => Ok(None),
        Some(v) => clean_text(field, v, max).map(|v| (!v.is_empty()).then_some(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(clean_text("name", "  Kassangas  ", 20).unwrap(), "Kassangas");
        assert!(clean_text("name", &"x".repeat(21), 20).is_err());
        assert!(clean_text("name", "bad\u{0}byte", 20).is_err());
        assert!(required_text("name", "   ", 20).is_err());
        assert_eq!(optional_text("name", Some(" "), 20).unwrap(), None);
    }
}
