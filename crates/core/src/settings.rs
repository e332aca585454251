//! A tenant's switches and limits (`bot_control_settings`): one row per tenant.

use crate::tenant::parse_email;
use crate::{PhoneNumber, ValidationError};
use serde::{Deserialize, Serialize};

/// Every switch and limit of one tenant's bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ControlSettings {
    /// Master switch: when off, messages are logged and nothing is sent.
    pub is_bot_enabled: bool,
    /// Most replies the bot sends per hour, for the whole tenant.
    pub max_messages_per_hour: i32,
    /// Most replies one customer gets per day.
    pub max_messages_per_user_per_day: i32,
    /// Let the tenant's AI model answer what the FAQ cannot.
    pub enable_ai_responses: bool,
    /// Offer M-Pesa plans in the chat.
    pub enable_payment_flow: bool,
    /// Draft replies for the owner to approve instead of sending them.
    pub enable_training_mode: bool,
    /// Answer automatically; when off every conversation goes to a person.
    pub enable_auto_reply: bool,
    /// Keep message text in the log.
    pub log_conversations: bool,
    /// Keep errors in the log.
    pub log_errors: bool,
    /// Who customers are sent to when the bot cannot help.
    #[schema(value_type = Option<String>)]
    pub escalation_phone: Option<PhoneNumber>,
    /// Email for the same.
    pub escalation_email: Option<String>,
    /// Most messages per second sent from the tenant's WhatsApp number (Meta's default
    /// throughput is 80; upgraded numbers allow up to 1,000).
    pub whatsapp_messages_per_second: i32,
    /// Most AI tokens (prompt and completion) the tenant's model may use per calendar month
    /// (UTC); once spent, the bot answers from its FAQ or the fallback until the month ends.
    pub ai_monthly_token_budget: i32,
    /// The approved WhatsApp message template sent instead of free text when a customer's
    /// last message is older than 24 hours (Meta allows only templates then); `None`: no
    /// reply is attempted and the reason is logged.
    pub reengagement_template: Option<String>,
    /// That template's language code (`en`, `en_US`, `sw`, …).
    pub reengagement_language: String,
}

impl Default for ControlSettings {
    fn default() -> Self {
        Self {
            is_bot_enabled: true,
            max_messages_per_hour: 1_000,
            max_messages_per_user_per_day: 100,
            enable_ai_responses: false,
            enable_payment_flow: false,
            enable_training_mode: false,
            enable_auto_reply: true,
            log_conversations: true,
            log_errors: true,
            escalation_phone: None,
            escalation_email: None,
            whatsapp_messages_per_second: 80,
            ai_monthly_token_budget: 200_000,
            reengagement_template: None,
            reengagement_language: "en".into(),
        }
    }
}

/// The names `settings set` accepts, in display order.
pub const KEYS: &[&str] = &[
    "is_bot_enabled",
    "max_messages_per_hour",
    "max_messages_per_user_per_day",
    "enable_ai_responses",
    "enable_payment_flow",
    "enable_training_mode",
    "enable_auto_reply",
    "log_conversations",
    "log_errors",
    "escalation_phone",
    "escalation_email",
    "whatsapp_messages_per_second",
    "ai_monthly_token_budget",
    "reengagement_template",
    "reengagement_language",
];

impl ControlSettings {
    /// Sets one field from text, as `settings set KEY=VALUE` gives it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ValidationError> {
        let flag = || parse_flag(key, value);
        let limit = || parse_limit(key, value);
        match key {
            "is_bot_enabled" => self.is_bot_enabled = flag()?,
            "max_messages_per_hour" => self.max_messages_per_hour = limit()?,
            "max_messages_per_user_per_day" => self.max_messages_per_user_per_day = limit()?,
            "ai_monthly_token_budget" => self.ai_monthly_token_budget = limit()?,
            "enable_ai_responses" => self.enable_ai_responses = flag()?,
            "enable_payment_flow" => self.enable_payment_flow = flag()?,
            "enable_training_mode" => self.enable_training_mode = flag()?,
            "enable_auto_reply" => self.enable_auto_reply = flag()?,
            "log_conversations" => self.log_conversations = flag()?,
            "log_errors" => self.log_errors = flag()?,
            "escalation_phone" => {
                self.escalation_phone = match value.trim() {
                    "" => None,
                    v => Some(PhoneNumber::parse_field(key, v)?),
                }
            }
            "escalation_email" => self.escalation_email = parse_email(key, value)?,
            "reengagement_template" => {
                self.reengagement_template = match value.trim() {
                    "" => None,
                    name => Some(parse_template_name(key, name)?),
                }
            }
            "reengagement_language" => self.reengagement_language = parse_language(key, value)?,
            "whatsapp_messages_per_second" => {
                self.whatsapp_messages_per_second = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v| MESSAGES_PER_SECOND.contains(v))
                    .ok_or_else(|| ValidationError::new(key, "must be a whole number from 1 to 1000"))?
            }
            _ => {
                return Err(ValidationError::new(
                    key.chars().take(40).collect::<String>(),
                    format!("is not a setting; the settings are {}", KEYS.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// Checks the limits of a whole settings value (as the API receives it).
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (key, v) in [
            ("max_messages_per_hour", self.max_messages_per_hour),
            ("max_messages_per_user_per_day", self.max_messages_per_user_per_day),
            ("ai_monthly_token_budget", self.ai_monthly_token_budget),
        ] {
            if !(0..=MAX_LIMIT).contains(&v) {
                return Err(limit_error(key));
            }
        }
        if !MESSAGES_PER_SECOND.contains(&self.whatsapp_messages_per_second) {
            return Err(ValidationError::new(
                "whatsapp_messages_per_second",
                "must be a whole number from 1 to 1000",
            ));
        }
        if let Some(e) = &self.escalation_email {
            parse_email("escalation_email", e)?;
        }
        if let Some(name) = &self.reengagement_template {
            parse_template_name("reengagement_template", name)?;
        }
        parse_language("reengagement_language", &self.reengagement_language)?;
        Ok(())
    }
}

const MAX_LIMIT: i32 = 1_000_000_000;
const MESSAGES_PER_SECOND: std::ops::RangeInclusive<i32> = 1..=1_000;

fn limit_error(key: &str) -> ValidationError {
    ValidationError::new(key, format!("must be a whole number from 0 to {MAX_LIMIT}"))
}

fn parse_flag(key: &str, value: &str) -> Result<bool, ValidationError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err(ValidationError::new(key, "must be true or false")),
    }
}

/// Meta's template names: lowercase letters, digits and underscores.
fn parse_template_name(key: &str, value: &str) -> Result<String, ValidationError> {
    let name = value.trim();
    let ok = !name.is_empty()
        && name.len() <= 512
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(ValidationError::new(key, "must be a WhatsApp template name: lowercase letters, digits and _"))
    }
}

/// A language code as Meta's templates use it: `en`, `sw`, `en_US`, `pt_BR`.
fn parse_language(key: &str, value: &str) -> Result<String, ValidationError> {
    let code = value.trim();
    let (lang, region) = code.split_once('_').map_or((code, None), |(l, r)| (l, Some(r)));
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()));
    if lang_ok && region_ok {
        Ok(code.to_owned())
    } else {
        Err(ValidationError::new(key, "must be a language code such as en, sw or en_US"))
    }
}

fn parse_limit(key: &str, value: &str) -> Result<i32, ValidationError> {
    value.trim().parse().ok().filter(|v| (0..=MAX_LIMIT).contains(v)).ok_or_else(|| limit_error(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_from_text() {
        let mut s = ControlSettings::default();
        s.set("enable_ai_responses", "on").unwrap();
        s.set("max_messages_per_hour", "250").unwrap();
        s.set("escalation_phone", "0702245555").unwrap();
        assert!(s.enable_ai_responses);
        assert_eq!(s.max_messages_per_hour, 250);
        assert_eq!(s.escalation_phone.as_ref().unwrap().as_str(), "254702245555");
        let before = s.clone();
        assert!(s.set("max_messages_per_hour", "-1").is_err());
        assert!(s.set("is_bot_enabled", "maybe").is_err());
        assert!(s.set("no_such_key", "1").is_err());
        assert!(s.set("reengagement_template", "Hello World").is_err());
        assert!(s.set("reengagement_language", "english").is_err());
        assert_eq!(s, before, "a refused value changes nothing");
        s.set("reengagement_template", "order_follow_up").unwrap();
        s.set("reengagement_language", "en_US").unwrap();
        assert_eq!(s.reengagement_template.as_deref(), Some("order_follow_up"));
        s.set("reengagement_template", "").unwrap();
        assert_eq!(s.reengagement_template, None);
    }
}
