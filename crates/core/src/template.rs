//! Bot templates: a tenant's personas (system prompt, tone, context).

use crate::ValidationError;
use crate::error::{clean_text, required_text};
use serde::{Deserialize, Serialize};

/// A validated template, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateIn {
    /// Name, unique per tenant (`default`, `product`, `support`, …).
    pub template_name: String,
    /// What this persona is for.
    pub description: Option<String>,
    /// The system prompt given to the AI model.
    pub system_prompt: String,
    /// Extra context given with every conversation (JSON object).
    pub conversation_context: serde_json::Value,
    /// `professional`, `friendly`, …
    pub tone: String,
    /// Longest reply, in characters.
    pub max_response_length: i32,
    /// Inactive templates are kept but unused.
    pub is_active: bool,
    /// The template used unless another is chosen; one per tenant.
    pub is_default: bool,
}

/// Template fields as sent by people and programs; absent fields are left alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFields {
    /// Name, lowercase letters, digits, `-` and `_`.
    pub template_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// System prompt.
    pub system_prompt: Option<String>,
    /// JSON object of context.
    pub conversation_context: Option<serde_json::Value>,
    /// Tone word.
    pub tone: Option<String>,
    /// 20 to 4096.
    pub max_response_length: Option<i32>,
    /// Active or not.
    pub is_active: Option<bool>,
    /// Make this the default.
    pub is_default: Option<bool>,
}

impl TemplateIn {
    /// The persona every new tenant starts with.
    pub fn default_for(client_name: &str) -> Self {
        Self {
            template_name: "default".into(),
            description: Some("The bot's everyday persona".into()),
            system_prompt: format!(
                "You are the WhatsApp assistant of {client_name}. Answer customers briefly and \
                 politely, using only the business's own information. If you do not know the \
                 answer, say so honestly and offer to connect the customer with a person."
            ),
            conversation_context: serde_json::json!({}),
            tone: "friendly".into(),
            max_response_length: 600,
            is_active: true,
            is_default: true,
        }
    }
}

impl TemplateFields {
    /// Validates a new template (name required; the rest default).
    pub fn validate_new(&self) -> Result<TemplateIn, ValidationError> {
        let base = TemplateIn {
            template_name: template_name(self.template_name.as_deref().unwrap_or(""))?,
            description: None,
            system_prompt: String::new(),
            conversation_context: serde_json::json!({}),
            tone: "friendly".into(),
            max_response_length: 600,
            is_active: true,
            is_default: false,
        };
        self.apply_to(base)
    }

    /// Applies the present fields to a template.
    pub fn apply_to(&self, mut t: TemplateIn) -> Result<TemplateIn, ValidationError> {
        if let Some(v) = &self.template_name {
            t.template_name = template_name(v)?;
        }
        if let Some(v) = &self.description {
            let v = clean_text("description", v, 500)?;
            t.description = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = &self.system_prompt {
            t.system_prompt = clean_text("system_prompt", v, 20_000)?;
        }
        if let Some(v) = &self.conversation_context {
            if !v.is_object() {
                return Err(ValidationError::new("conversation_context", "must be a JSON object"));
            }
            t.conversation_context = v.clone();
        }
        if let Some(v) = &self.tone {
            t.tone = tone(v)?;
        }
        if let Some(v) = self.max_response_length {
            if !(20..=4096).contains(&v) {
                return Err(ValidationError::new("max_response_length", "must be from 20 to 4096"));
            }
            t.max_response_length = v;
        }
        if let Some(v) = self.is_active {
            t.is_active = v;
        }
        if let Some(v) = self.is_default {
            t.is_default = v;
        }
        if t.is_default && !t.is_active {
            return Err(ValidationError::new("is_active", "the default template must be active"));
        }
        Ok(t)
    }
}

fn template_name(v: &str) -> Result<String, ValidationError> {
    let v = required_text("template_name", v, 64)?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
        return Err(ValidationError::new(
            "template_name",
            "may contain only lowercase letters, digits, '-' and '_'",
        ));
    }
    Ok(v)
}

fn tone(v: &str) -> Result<String, ValidationError> {
    let v = required_text("tone", v, 32)?.to_ascii_lowercase();
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return Err(ValidationError::new("tone", "must be one word, such as professional or friendly"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_validate() {
        let t = TemplateFields { template_name: Some("support".into()), ..Default::default() }
            .validate_new()
            .unwrap();
        assert!(!t.is_default);
        let bad = TemplateFields { template_name: Some("Bad Name".into()), ..Default::default() };
        assert!(bad.validate_new().is_err());
        let bad = TemplateFields { max_response_length: Some(5), ..Default::default() };
        assert!(bad.apply_to(t.clone()).is_err());
        let bad = TemplateFields { is_active: Some(false), is_default: Some(true), ..Default::default() };
        assert!(bad.apply_to(t).is_err());
    }
}
