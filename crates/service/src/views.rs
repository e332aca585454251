//! What callers are shown: the output types of the CLI's `--json` and of the API. Secrets
#![allow(missing_docs)] // The fields mirror the columns documented in SPEC §1 and alphadome-core.
//! appear only as their last four characters.

use alphadome_core::settings::ControlSettings;
use alphadome_core::template::TemplateIn;
use alphadome_core::training::TrainingEntryIn;
use alphadome_crypto::SealedSecret;
use alphadome_store::{ApiKey, ApiKeyScope, Template, Tenant, TrainingEntry};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A tenant as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenantOut {
    pub id: Uuid,
    pub slug: String,
    pub client_name: String,
    pub client_phone: Option<String>,
    pub client_email: Option<String>,
    pub brand_id: Option<Uuid>,
    pub point_of_contact_name: Option<String>,
    pub point_of_contact_phone: Option<String>,
    pub whatsapp_phone_number_id: Option<String>,
    pub whatsapp_business_account_id: Option<String>,
    /// Masked: `…abcd`.
    pub whatsapp_access_token: Option<String>,
    /// Masked.
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_token_expires_at: Option<DateTime<Utc>>,
    /// When Meta rejected the token (sends are paused until a new one is set).
    pub whatsapp_token_broken_at: Option<DateTime<Utc>>,
    pub ai_provider: Option<String>,
    /// Masked.
    pub ai_api_key: Option<String>,
    pub ai_model: Option<String>,
    pub ai_base_url: Option<String>,
    pub is_active: bool,
    pub is_verified: bool,
    /// Masked; shown in full only when the tenant is created.
    pub webhook_verify_token: String,
    pub webhook_url: Option<String>,
    /// Where this tenant's own Meta app should deliver webhooks.
    pub webhook_path: String,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn masked(s: &Option<SealedSecret>) -> Option<String> {
    s.as_ref().map(SealedSecret::masked)
}

impl From<&Tenant> for TenantOut {
    fn from(t: &Tenant) -> Self {
        let p = &t.profile;
        Self {
            id: t.id.0,
            slug: t.slug.to_string(),
            client_name: p.client_name.clone(),
            client_phone: p.client_phone.as_ref().map(ToString::to_string),
            client_email: p.client_email.clone(),
            brand_id: p.brand_id,
            point_of_contact_name: p.point_of_contact_name.clone(),
            point_of_contact_phone: p.point_of_contact_phone.as_ref().map(ToString::to_string),
            whatsapp_phone_number_id: p.whatsapp_phone_number_id.clone(),
            whatsapp_business_account_id: p.whatsapp_business_account_id.clone(),
            whatsapp_access_token: masked(&t.secrets.whatsapp_access_token),
            whatsapp_app_secret: masked(&t.secrets.whatsapp_app_secret),
            whatsapp_token_expires_at: p.whatsapp_token_expires_at,
            whatsapp_token_broken_at: t.whatsapp_token_broken_at,
            ai_provider: p.ai_provider.map(|a| a.as_str().to_owned()),
            ai_api_key: masked(&t.secrets.ai_api_key),
            ai_model: p.ai_model.clone(),
            ai_base_url: p.ai_base_url.clone(),
            is_active: p.is_active,
            is_verified: p.is_verified,
            webhook_verify_token: alphadome_crypto::mask(&p.webhook_verify_token),
            webhook_url: p.webhook_url.clone(),
            webhook_path: format!("/webhooks/whatsapp/{}", t.slug),
            metadata: p.metadata.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A training entry as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainingOut {
    pub id: Uuid,
    pub data_type: String,
    pub question: String,
    pub answer: String,
    pub category: Option<String>,
    pub priority: i32,
    pub confidence_score: f64,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&TrainingEntry> for TrainingOut {
    fn from(t: &TrainingEntry) -> Self {
        let e: &TrainingEntryIn = &t.entry;
        Self {
            id: t.id.0,
            data_type: e.data_type.as_str().to_owned(),
            question: e.question.clone(),
            answer: e.answer.clone(),
            category: e.category.clone(),
            priority: e.priority,
            confidence_score: e.confidence_score,
            is_active: e.is_active,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A template as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateOut {
    pub id: Uuid,
    pub template_name: String,
    pub description: Option<String>,
    pub system_prompt: String,
    #[schema(value_type = Object)]
    pub conversation_context: serde_json::Value,
    pub tone: String,
    pub max_response_length: i32,
    pub is_active: bool,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Template> for TemplateOut {
    fn from(t: &Template) -> Self {
        let f: &TemplateIn = &t.fields;
        Self {
            id: t.id.0,
            template_name: f.template_name.clone(),
            description: f.description.clone(),
            system_prompt: f.system_prompt.clone(),
            conversation_context: f.conversation_context.clone(),
            tone: f.tone.clone(),
            max_response_length: f.max_response_length,
            is_active: f.is_active,
            is_default: f.is_default,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Settings as shown.
pub type SettingsOut = ControlSettings;

/// An API key as shown (never the key itself after creation).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKeyOut {
    pub id: Uuid,
    /// `platform`, or the tenant's id.
    pub scope: String,
    pub name: String,
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&ApiKey> for ApiKeyOut {
    fn from(k: &ApiKey) -> Self {
        Self {
            id: k.id.0,
            scope: match k.scope {
                ApiKeyScope::Platform => "platform".into(),
                ApiKeyScope::Tenant(t) => t.to_string(),
            },
            name: k.name.clone(),
            key_prefix: k.key_prefix.clone(),
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}
