//! A tenant's knowledge: FAQ entries, canned replies and example exchanges.

use crate::ValidationError;
use crate::error::{clean_text, required_text};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of knowledge an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    /// A question customers ask, with the business's answer.
    Faq,
    /// A fixed reply to an intent such as a greeting or a request for a person.
    CannedReply,
    /// An example exchange that shows the bot how to answer.
    Example,
}

impl DataType {
    /// The stored name (`faq`, `canned_reply`, `example`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Faq => "faq",
            Self::CannedReply => "canned_reply",
            Self::Example => "example",
        }
    }
}

impl FromStr for DataType {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "faq" => Ok(Self::Faq),
            "canned_reply" => Ok(Self::CannedReply),
            "example" => Ok(Self::Example),
            other => Err(ValidationError::new(
                "data_type",
                format!("unknown data_type {:?}; use faq, canned_reply or example", truncate(other)),
            )),
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest question accepted, in characters.
pub const MAX_QUESTION: usize = 1_000;
/// Longest answer accepted: WhatsApp's limit for one text message.
pub const MAX_ANSWER: usize = 4_096;
/// Longest category name.
pub const MAX_CATEGORY: usize = 100;
/// Priorities run from -1000 to 1000; higher wins ties.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<i32> = -1_000..=1_000;

/// A validated training entry, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingEntryIn {
    /// What kind of entry this is.
    pub data_type: DataType,
    /// The question (or, for a canned reply, the intent it answers).
    pub question: String,
    /// The answer sent to the customer.
    pub answer: String,
    /// An optional grouping such as `Products` or `Hours`.
    pub category: Option<String>,
    /// Ranking signal: higher wins ties.
    pub priority: i32,
    /// How much to trust this entry, 0–1.
    pub confidence_score: f64,
    /// Inactive entries are kept but never used.
    pub is_active: bool,
}

/// A training entry as people and programs send it: every field optional text or value,
/// checked by [`TrainingFields::validate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingFields {
    /// `faq`, `canned_reply` or `example`.
    pub data_type: Option<String>,
    /// The question or intent.
    pub question: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// Optional category.
    pub category: Option<String>,
    /// Integer from -1000 to 1000 (default 0).
    pub priority: Option<i32>,
    /// 0 to 1 (default 1).
    pub confidence_score: Option<f64>,
    /// Default true.
    pub is_active: Option<bool>,
}

impl TrainingFields {
    /// Validates a complete entry (for a create or an import row).
    pub fn validate(&self) -> Result<TrainingEntryIn, ValidationError> {
        let data_type = self
            .data_type
            .as_deref()
            .ok_or_else(|| ValidationError::new("data_type", "is required"))?
            .parse()?;
        let entry = TrainingEntryIn {
            data_type,
            question: required_text("question", self.question.as_deref().unwrap_or(""), MAX_QUESTION)?,
            answer: required_text("answer", self.answer.as_deref().unwrap_or(""), MAX_ANSWER)?,
            category: None,
            priority: 0,
            confidence_score: 1.0,
            is_active: true,
        };
        self.apply_optional(entry)
    }

    /// Applies the fields that are present to an existing entry (for an update).
    pub fn apply_to(&self, current: TrainingEntryIn) -> Result<TrainingEntryIn, ValidationError> {
        let mut entry = current;
        if let Some(dt) = &self.data_type {
            entry.data_type = dt.parse()?;
        }
        if let Some(q) = &self.question {
            entry.question = required_text("question", q, MAX_QUESTION)?;
        }
        if let Some(a) = &self.answer {
            entry.answer = required_text("answer", a, MAX_ANSWER)?;
        }
        self.apply_optional(entry)
    }

    fn apply_optional(&self, mut entry: TrainingEntryIn) -> Result<TrainingEntryIn, ValidationError> {
        if let Some(c) = &self.category {
            let c = clean_text("category", c, MAX_CATEGORY)?;
            entry.category = (!c.is_empty()).then_some(c);
        }
        if let Some(p) = self.priority {
            entry.priority = check_priority(p)?;
        }
        if let Some(s) = self.confidence_score {
            if !(0.0..=1.0).contains(&s) {
                return Err(ValidationError::new("confidence_score", "must be between 0 and 1"));
            }
            entry.confidence_score = s;
        }
        if let Some(a) = self.is_active {
            entry.is_active = a;
        }
        Ok(entry)
    }
}

/// Checks a priority is within [`PRIORITY_RANGE`].
pub fn check_priority(p: i32) -> Result<i32, ValidationError> {
    if PRIORITY_RANGE.contains(&p) {
        Ok(p)
    } else {
        Err(ValidationError::new("priority", "must be a whole number from -1000 to 1000"))
    }
}

/// Shortens user input quoted back in an error message.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(dt: &str, q: &str, a: &str) -> TrainingFields {
        TrainingFields {
            data_type: Some(dt.into()),
            question: Some(q.into()),
            answer: Some(a.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_entry_validates_with_defaults() {
        let e = fields("faq", " Open on Sunday? ", "No, closed on Sundays.").validate().unwrap();
        assert_eq!(e.question, "Open on Sunday?");
        assert_eq!((e.priority, e.is_active, e.category), (0, true, None));
    }

    #[test]
    fn bad_entries_name_the_field() {
        assert_eq!(fields("faqs", "q", "a").validate().unwrap_err().field, "data_type");
        assert_eq!(fields("faq", "q", "  ").validate().unwrap_err().field, "answer");
        let mut f = fields("faq", "q", "a");
        f.priority = Some(5000);
        assert_eq!(f.validate().unwrap_err().field, "priority");
        f.priority = None;
        f.confidence_score = Some(1.5);
        assert_eq!(f.validate().unwrap_err().field, "confidence_score");
    }
}
