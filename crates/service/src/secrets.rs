//! Opening a tenant's sealed credentials: one function, so every opening is audited (what,
//! for which tenant, why) and none is ever logged.

use crate::Services;
use alphadome_crypto::SecretString;
use alphadome_store::{AuditEvent, Tenant};

/// A sealed credential of a tenant, by its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretField {
    /// The WhatsApp Cloud API access token.
    WhatsappAccessToken,
    /// The app secret of the tenant's own Meta app.
    WhatsappAppSecret,
    /// The key of the tenant's AI provider.
    AiApiKey,
}

impl SecretField {
    /// The column (also the sealing's associated data).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsappAccessToken => "whatsapp_access_token",
            Self::WhatsappAppSecret => "whatsapp_app_secret",
            Self::AiApiKey => "ai_api_key",
        }
    }
}

impl Services {
    /// Opens one of the tenant's credentials for `purpose`, recording the opening in the
    /// tenant's audit log. `None` when the tenant has no such credential, or it cannot be
    /// opened (logged as an error, without the secret).
    pub async fn open_secret(
        &self,
        tenant: &Tenant,
        field: SecretField,
        purpose: &str,
    ) -> Option<SecretString> {
        let s = &tenant.secrets;
        let sealed = match field {
            SecretField::WhatsappAccessToken => s.whatsapp_access_token.as_ref(),
            SecretField::WhatsappAppSecret => s.whatsapp_app_secret.as_ref(),
            SecretField::AiApiKey => s.ai_api_key.as_ref(),
        }?;
        let opened = match self.keyring.open(sealed, &tenant.id.to_string(), field.as_str()) {
            Ok(secret) => secret,
            Err(e) => {
                tracing::error!(tenant.id = %tenant.id, field = field.as_str(), error = %e, "cannot open a stored secret");
                return None;
            }
        };
        let detail = serde_json::json!({ "field": field.as_str(), "purpose": purpose });
        let event = AuditEvent::new(Some(tenant.id), "service", "secret.open", detail);
        if let Err(e) = self.store.tenant(tenant.id).record_audit(&event).await {
            // The secret is not handed out unless its opening is on record.
            tracing::error!(tenant.id = %tenant.id, error = %e, "cannot audit a secret opening");
            return None;
        }
        Some(opened)
    }
}
