//! Opening a tenant's sealed credentials: one function, so every opening is audited (what,
//! for which tenant, why) and none is ever logged.

use crate::Services;
use alphadome_crypto::{Keyring, SealError, SecretString};
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
    /// Re-reads the key file, if there is one; whether a keyring was loaded.
    fn reload_keyring(&self) -> bool {
        let Some(path) = &self.key_file else { return false };
        match std::fs::read_to_string(path).map(|text| Keyring::parse(&text)) {
            Ok(Ok(ring)) => {
                *self.keyring.write().unwrap_or_else(std::sync::PoisonError::into_inner) = ring;
                true
            }
            _ => {
                tracing::error!(path = %path.display(), "cannot reload the master key file");
                false
            }
        }
    }

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
        let owner = tenant.id.to_string();
        let mut opened = self.keyring().open(sealed, &owner, field.as_str());
        if let Err(SealError::UnknownKeyVersion(version)) = opened
            && self.reload_keyring()
        {
            tracing::info!(version, "master keys reloaded from the key file");
            opened = self.keyring().open(sealed, &owner, field.as_str());
        }
        let opened = match opened {
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

/// What a key rotation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rotation {
    /// The master key version everything is sealed under now.
    pub key_version: u32,
    /// Secrets re-sealed.
    pub resealed: usize,
    /// Secrets already under that version.
    pub current: usize,
}

impl Services {
    /// Re-seals every tenant's credentials under the newest key of `keyring` (which must
    /// also hold the versions they are sealed under now). Tenant by tenant and secret by
    /// secret, so a running service keeps answering: it reads either version.
    pub async fn rotate_secrets(&self, keyring: &Keyring) -> crate::Result<Rotation> {
        let mut rotation = Rotation { key_version: keyring.current().version(), ..Rotation::default() };
        for tenant in self.tenants().await? {
            let owner = tenant.id.to_string();
            let s = &tenant.secrets;
            for (field, sealed) in [
                (SecretField::WhatsappAccessToken, &s.whatsapp_access_token),
                (SecretField::WhatsappAppSecret, &s.whatsapp_app_secret),
                (SecretField::AiApiKey, &s.ai_api_key),
            ] {
                let Some(sealed) = sealed else { continue };
                if sealed.key_version().ok() == Some(rotation.key_version) {
                    rotation.current += 1;
                    continue;
                }
                let resealed = keyring.reseal(sealed, &owner, field.as_str()).map_err(|e| {
                    alphadome_core::ValidationError::new(
                        "master_key",
                        format!("{} of {}: {e}", field.as_str(), tenant.slug.as_str()),
                    )
                })?;
                let scope = self.store.tenant(tenant.id);
                let replaced = scope
                    .reseal_secret(field.as_str(), sealed, &resealed)
                    .await
                    .map_err(|e| crate::ServiceError::from_store(e, "tenant"))?;
                if replaced {
                    rotation.resealed += 1;
                }
            }
        }
        *self.keyring.write().unwrap_or_else(std::sync::PoisonError::into_inner) = keyring.clone();
        Ok(rotation)
    }
}

impl Services {
    /// Checks the tenant's WhatsApp token against the Graph API by reading its number's
    /// details: the dashboard's "test connection". `Err` says what is wrong, in words fit for
    /// the owner (never the token).
    pub async fn test_whatsapp(
        &self,
        tenant: &Tenant,
        graph: &crate::graph::GraphClient,
    ) -> std::result::Result<crate::graph::NumberInfo, String> {
        let Some(number) = tenant.profile.whatsapp_phone_number_id.as_deref() else {
            return Err("no WhatsApp phone number id is set".to_owned());
        };
        let field = SecretField::WhatsappAccessToken;
        let Some(token) = self.open_secret(tenant, field, "test connection").await else {
            return Err("no usable WhatsApp access token is stored".to_owned());
        };
        graph.check_number(number, &token).await.map_err(|e| match e {
            crate::graph::SendError::InvalidToken { .. } => {
                "Meta rejected the access token (190): replace it".to_owned()
            }
            e => e.to_string(),
        })
    }
}
