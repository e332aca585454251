//! Phone numbers, always held in one normalised form: the international digits without a
//! plus sign, as WhatsApp writes them in `wa_id` (`254702245555`).

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised phone number: 8–15 digits, country code first, no `+`.
///
/// Kenyan numbers are accepted in every form people write them — `0702 245 555`,
/// `702245555`, `+254 702 245555`, `254702245555` — and all become `254702245555`.
/// Other countries' numbers must carry their country code (`+1 631 555 1181`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

const KENYA: &str = "254";

impl PhoneNumber {
    /// Parses and normalises a phone number.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::parse_field("phone", raw)
    }

    /// Like [`PhoneNumber::parse`], naming `field` in the error.
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let err = || {
            Err(ValidationError::new(
                field,
                "is not a phone number; write it as 07XXXXXXXX, 01XXXXXXXX or with the country code (+254…)",
            ))
        };
        let trimmed = raw.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || " -().".contains(c)) {
            return err();
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let normalised = match (plus, digits.len()) {
            (false, 10) if digits.starts_with("07") || digits.starts_with("01") => {
                format!("{KENYA}{}", &digits[1..])
            }
            (false, 9) if digits.starts_with('7') || digits.starts_with('1') => {
                format!("{KENYA}{digits}")
            }
            _ if digits.starts_with('0') => return err(),
            (_, 8..=15) => digits,
            _ => return err(),
        };
        if normalised.starts_with(KENYA) && !is_kenyan_subscriber(&normalised[3..]) {
            return err();
        }
        Ok(Self(normalised))
    }

    /// The number as digits (`254702245555`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Kenyan subscriber numbers are nine digits starting with 7 or 1.
fn is_kenyan_subscriber(rest: &str) -> bool {
    rest.len() == 9 && (rest.starts_with('7') || rest.starts_with('1'))
}

impl TryFrom<String> for PhoneNumber {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> Self {
        p.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kenyan_forms_normalise() {
        for raw in [
            "0702245555",
            "0702 245 555",
            "702245555",
            "+254702245555",
            "+254 702 245-555",
            "254702245555",
            " (0702) 245555 ",
        ] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), "254702245555", "{raw}");
        }
        assert_eq!(PhoneNumber::parse("0110123456").unwrap().as_str(), "254110123456");
    }

    #[test]
    fn international_numbers_keep_their_country_code() {
        assert_eq!(PhoneNumber::parse("+1 631 555 1181").unwrap().as_str(), "16315551181");
        assert_eq!(PhoneNumber::parse("16315551181").unwrap().as_str(), "16315551181");
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "+",
            "07022",
            "0802245555",
            "2548022455555",
            "254702245",
            "phone",
            "07022455551234",
            "+254 0702245555",
            "12-34",
            "0702245555; DROP TABLE",
            "٠٧٠٢٢٤٥٥٥٥",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn normalising_is_idempotent() {
        for raw in ["0702245555", "+1 631 555 1181", "0110123456"] {
            let once = PhoneNumber::parse(raw).unwrap();
            assert_eq!(PhoneNumber::parse(once.as_str()).unwrap(), once);
        }
    }
}
