//! One conformance suite for every storage operation, run against SQLite and PostgreSQL.

mod api_keys;
mod inbound;
mod preexisting;
mod rls;
mod schema;
mod templates;
mod tenants;
mod training;

use alphadome_core::TenantId;
use alphadome_core::settings::ControlSettings;
use alphadome_core::template::TemplateIn;
use alphadome_core::tenant::TenantFields;
use alphadome_store::{NewTenant, Store, Tenant, TenantSecrets};

/// Creates a tenant with the given slug and phone number id.
pub async fn make_tenant(store: &Store, slug: &str, phone_number_id: &str) -> Tenant {
    store.create_tenant(&new_tenant(slug, phone_number_id), "test").await.expect("create tenant")
}

/// A valid new tenant.
pub fn new_tenant(slug: &str, phone_number_id: &str) -> NewTenant {
    let fields = TenantFields {
        slug: Some(slug.into()),
        client_name: Some(format!("{slug} shop")),
        whatsapp_phone_number_id: Some(phone_number_id.into()),
        ..Default::default()
    };
    let (slug, profile) = fields.validate_new(alphadome_crypto::random_token::<24>()).unwrap();
    NewTenant {
        id: TenantId::new(),
        template: TemplateIn::default_for(&profile.client_name),
        slug,
        profile,
        secrets: TenantSecrets::default(),
        settings: ControlSettings::default(),
    }
}
