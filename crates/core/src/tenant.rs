//! Tenants: the client businesses, each with its own WhatsApp number and settings.

use crate::error::{clean_text, optional_text, required_text};
use crate::{PhoneNumber, Slug, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which AI service answers for a tenant. Any OpenAI-compatible endpoint works with
/// `custom` and a base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AiProvider {
    /// OpenAI's API.
    Openai,
    /// OpenRouter.
    Openrouter,
    /// Hugging Face's inference router.
    Huggingface,
    /// Any other OpenAI-compatible endpoint (Ollama, llama.cpp, …); needs a base URL.
    Custom,
}

impl AiProvider {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Openai => "openai",
            Self::Openrouter => "openrouter",
            Self::Huggingface => "huggingface",
            Self::Custom => "custom",
        }
    }

    /// Parses a provider name; `none` or empty means no AI.
    pub fn parse(s: &str) -> Result<Option<Self>, ValidationError> {
        match s.trim() {
            "" | "none" => Ok(None),
            "openai" => Ok(Some(Self::Openai)),
            "openrouter" => Ok(Some(Self::Openrouter)),
            "huggingface" => Ok(Some(Self::Huggingface)),
            "custom" => Ok(Some(Self::Custom)),
            _ => Err(ValidationError::new(
                "ai_provider",
                "must be openai, openrouter, huggingface, custom or none",
            )),
        }
    }
}

/// A tenant's fields as people and programs send them, for a create or an update.
/// Absent fields are left alone by an update; an empty string clears an optional field.
/// Secrets are deliberately not here: they travel separately and are sealed on arrival.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantFields {
    /// Url-safe unique name (required on create; cannot change).
    pub slug: Option<String>,
    /// The business's name (required on create).
    pub client_name: Option<String>,
    /// The business's phone, normalised to 254….
    pub client_phone: Option<String>,
    /// The business's email.
    pub client_email: Option<String>,
    /// A brand this tenant is tagged with.
    pub brand_id: Option<Uuid>,
    /// The person to talk to at the business.
    pub point_of_contact_name: Option<String>,
    /// That person's phone.
    pub point_of_contact_phone: Option<String>,
    /// Meta's id for the business's WhatsApp number: the routing key of inbound messages.
    pub whatsapp_phone_number_id: Option<String>,
    /// Meta's WhatsApp Business Account id.
    pub whatsapp_business_account_id: Option<String>,
    /// When the WhatsApp access token expires (RFC 3339).
    pub whatsapp_token_expires_at: Option<DateTime<Utc>>,
    /// `openai`, `openrouter`, `huggingface`, `custom` or `none`.
    pub ai_provider: Option<String>,
    /// The model name at that provider.
    pub ai_model: Option<String>,
    /// Base URL of an OpenAI-compatible endpoint (required for `custom`).
    pub ai_base_url: Option<String>,
    /// Whether the bot serves this tenant.
    pub is_active: Option<bool>,
    /// Whether the operator has verified the business.
    pub is_verified: Option<bool>,
    /// The token Meta echoes in the webhook handshake; generated when absent.
    pub webhook_verify_token: Option<String>,
    /// Where the tenant's own Meta app sends webhooks, if not the platform's.
    pub webhook_url: Option<String>,
    /// Free-form JSON for the operator's own use.
    pub metadata: Option<serde_json::Value>,
    /// Credentials, write-only: sealed on arrival, never returned.
    pub secrets: Option<SecretFields>,
}

/// A tenant's credentials as sent: write-only. An empty string removes a credential.
/// `Debug` never prints them.
#[derive(Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretFields {
    /// WhatsApp Cloud API access token.
    pub whatsapp_access_token: Option<String>,
    /// App secret of the tenant's own Meta app (for signed webhooks on its own path).
    pub whatsapp_app_secret: Option<String>,
    /// Key for the tenant's AI provider.
    pub ai_api_key: Option<String>,
}

impl std::fmt::Debug for SecretFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("SecretFields")
            .field("whatsapp_access_token", &shown(&self.whatsapp_access_token))
            .field("whatsapp_app_secret", &shown(&self.whatsapp_app_secret))
            .field("ai_api_key", &shown(&self.ai_api_key))
            .finish()
    }
}

impl SecretFields {
    /// Each credential present, with its column name.
    pub fn present(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("whatsapp_access_token", &self.whatsapp_access_token),
            ("whatsapp_app_secret", &self.whatsapp_app_secret),
            ("ai_api_key", &self.ai_api_key),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
    }

    /// Checks each credential is one line of visible text, at most 4096 characters.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (name, v) in self.present() {
            if v.len() > 4096 || v.chars().any(|c| c.is_control() || c == ' ') {
                return Err(ValidationError::new(
                    name,
                    "must be one line of text without spaces, at most 4096 characters",
                ));
            }
        }
        Ok(())
    }
}

/// A tenant's validated, non-secret profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantProfile {
    /// The business's name.
    pub client_name: String,
    /// Normalised phone.
    pub client_phone: Option<PhoneNumber>,
    /// Email.
    pub client_email: Option<String>,
    /// Brand tag.
    pub brand_id: Option<Uuid>,
    /// Contact person.
    pub point_of_contact_name: Option<String>,
    /// Contact person's phone.
    pub point_of_contact_phone: Option<PhoneNumber>,
    /// Routing key of inbound WhatsApp messages.
    pub whatsapp_phone_number_id: Option<String>,
    /// WhatsApp Business Account id.
    pub whatsapp_business_account_id: Option<String>,
    /// Token expiry.
    pub whatsapp_token_expires_at: Option<DateTime<Utc>>,
    /// AI provider, if any.
    pub ai_provider: Option<AiProvider>,
    /// AI model.
    pub ai_model: Option<String>,
    /// AI endpoint base URL.
    pub ai_base_url: Option<String>,
    /// Serving or not.
    pub is_active: bool,
    /// Verified by the operator.
    pub is_verified: bool,
    /// Webhook handshake token.
    pub webhook_verify_token: String,
    /// Tenant's own webhook URL.
    pub webhook_url: Option<String>,
    /// Operator's JSON.
    pub metadata: serde_json::Value,
}

impl TenantFields {
    /// Validates a create: returns the slug and the profile. `generated_token` is used
    /// when no verify token was given.
    pub fn validate_new(&self, generated_token: String) -> Result<(Slug, TenantProfile), ValidationError> {
        let slug = Slug::parse(self.slug.as_deref().unwrap_or(""))?;
        let name = self.client_name.as_deref().unwrap_or("");
        let empty = TenantProfile {
            client_name: required_text("client_name", name, 200)?,
            client_phone: None,
            client_email: None,
            brand_id: None,
            point_of_contact_name: None,
            point_of_contact_phone: None,
            whatsapp_phone_number_id: None,
            whatsapp_business_account_id: None,
            whatsapp_token_expires_at: None,
            ai_provider: None,
            ai_model: None,
            ai_base_url: None,
            is_active: false,
            is_verified: false,
            webhook_verify_token: generated_token,
            webhook_url: None,
            metadata: serde_json::json!({}),
        };
        Ok((slug, self.apply_to(empty)?))
    }

    /// Applies the present fields to a profile (for an update). The slug cannot change.
    pub fn apply_to(&self, mut p: TenantProfile) -> Result<TenantProfile, ValidationError> {
        if let Some(v) = &self.client_name {
            p.client_name = required_text("client_name", v, 200)?;
        }
        set_phone(&mut p.client_phone, "client_phone", &self.client_phone)?;
        if let Some(v) = &self.client_email {
            p.client_email = parse_email("client_email", v)?;
        }
        if let Some(v) = self.brand_id {
            p.brand_id = Some(v);
        }
        if let Some(v) = &self.point_of_contact_name {
            p.point_of_contact_name = optional_text("point_of_contact_name", Some(v), 200)?;
        }
        set_phone(&mut p.point_of_contact_phone, "point_of_contact_phone", &self.point_of_contact_phone)?;
        if let Some(v) = &self.whatsapp_phone_number_id {
            p.whatsapp_phone_number_id = meta_id("whatsapp_phone_number_id", v)?;
        }
        if let Some(v) = &self.whatsapp_business_account_id {
            p.whatsapp_business_account_id = meta_id("whatsapp_business_account_id", v)?;
        }
        if let Some(v) = self.whatsapp_token_expires_at {
            p.whatsapp_token_expires_at = Some(v);
        }
        self.apply_ai(&mut p)?;
        if let Some(v) = self.is_active {
            p.is_active = v;
        }
        if let Some(v) = self.is_verified {
            p.is_verified = v;
        }
        if let Some(v) = &self.webhook_verify_token {
            p.webhook_verify_token = verify_token(v)?;
        }
        if let Some(v) = &self.webhook_url {
            p.webhook_url = optional_url("webhook_url", v)?;
        }
        if let Some(v) = &self.metadata {
            if !v.is_object() {
                return Err(ValidationError::new("metadata", "must be a JSON object"));
            }
            p.metadata = v.clone();
        }
        Ok(p)
    }

    fn apply_ai(&self, p: &mut TenantProfile) -> Result<(), ValidationError> {
        if let Some(v) = &self.ai_provider {
            p.ai_provider = AiProvider::parse(v)?;
        }
        if let Some(v) = &self.ai_model {
            p.ai_model = optional_text("ai_model", Some(v), 200)?;
        }
        if let Some(v) = &self.ai_base_url {
            p.ai_base_url = optional_url("ai_base_url", v)?;
        }
        if p.ai_provider == Some(AiProvider::Custom) && p.ai_base_url.is_none() {
            return Err(ValidationError::new("ai_base_url", "is required for the custom provider"));
        }
        if p.ai_provider.is_some() && p.ai_model.is_none() {
            return Err(ValidationError::new("ai_model", "is required when an AI provider is set"));
        }
        Ok(())
    }
}

fn set_phone(
    slot: &mut Option<PhoneNumber>,
    field: &str,
    value: &Option<String>,
) -> Result<(), ValidationError> {
    if let Some(v) = value {
        *slot = if v.trim().is_empty() { None } else { Some(PhoneNumber::parse_field(field, v)?) };
    }
    Ok(())
}

/// Meta's ids are decimal digits.
fn meta_id(field: &str, v: &str) -> Result<Option<String>, ValidationError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.len() > 32 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::new(field, "must be Meta's numeric id (digits only)"));
    }
    Ok(Some(v.to_owned()))
}

/// Checks an email address's shape (one `@`, a dot in the domain, no spaces).
pub fn parse_email(field: &str, v: &str) -> Result<Option<String>, ValidationError> {
    let v = clean_text(field, v, 254)?;
    if v.is_empty() {
        return Ok(None);
    }
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !v.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok { Ok(Some(v)) } else { Err(ValidationError::new(field, "is not an email address")) }
}

fn optional_url(field: &str, v: &str) -> Result<Option<String>, ValidationError> {
    let v = clean_text(field, v, 2_000)?;
    if v.is_empty() {
        return Ok(None);
    }
    if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(char::is_whitespace) {
        return Err(ValidationError::new(field, "must be an http:// or https:// URL"));
    }
    Ok(Some(v))
}

/// A verify token: 16–128 visible ASCII characters.
pub fn verify_token(v: &str) -> Result<String, ValidationError> {
    let v = v.trim();
    if v.len() < 16 || v.len() > 128 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValidationError::new(
            "webhook_verify_token",
            "must be 16 to 128 visible ASCII characters (or leave it out to generate one)",
        ));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kassangas() -> TenantFields {
        TenantFields {
            slug: Some("kassangas".into()),
            client_name: Some("Kassangas Music Shop".into()),
            client_phone: Some("0702245555".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_tenant_is_normalised() {
        let (slug, p) = kassangas().validate_new("t".repeat(32)).unwrap();
        assert_eq!(slug.as_str(), "kassangas");
        assert_eq!(p.client_phone.unwrap().as_str(), "254702245555");
        assert!(!p.is_active);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = kassangas();
        f.whatsapp_phone_number_id = Some("12ab".into());
        assert_eq!(f.validate_new("t".repeat(32)).unwrap_err().field, "whatsapp_phone_number_id");
        let mut f = kassangas();
        f.ai_provider = Some("custom".into());
        f.ai_model = Some("llama3".into());
        assert_eq!(f.validate_new("t".repeat(32)).unwrap_err().field, "ai_base_url");
        let mut f = kassangas();
        f.client_email = Some("not an email".into());
        assert!(f.validate_new("t".repeat(32)).is_err());
        let mut f = kassangas();
        f.webhook_verify_token = Some("short".into());
        assert!(f.validate_new("t".repeat(32)).is_err());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let f = TenantFields {
            secrets: Some(SecretFields { ai_api_key: Some("sk-canary-123456".into()), ..Default::default() }),
            ..Default::default()
        };
        assert!(!format!("{f:?}").contains("canary"));
    }

    #[test]
    fn an_update_can_clear_optional_fields() {
        let (_, p) = kassangas().validate_new("t".repeat(32)).unwrap();
        let patch = TenantFields { client_phone: Some(String::new()), ..Default::default() };
        assert_eq!(patch.apply_to(p).unwrap().client_phone, None);
    }
}
