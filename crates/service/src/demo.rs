//! The demo tenant: Kassangas Music Shop in Nairobi, the first customer, with a persona and
//! knowledge written from the facts the shop gave us.

use crate::{Result, Services};
use alphadome_core::Slug;
use alphadome_core::template::TemplateFields;
use alphadome_core::tenant::TenantFields;
use alphadome_core::training_io::{self, Format};
use alphadome_store::StoreError;

const SLUG: &str = "kassangas";
const TRAINING_CSV: &str = include_str!("demo/kassangas.csv");
const PERSONA: &str = include_str!("demo/persona.txt");

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    /// It was already there; nothing changed.
    AlreadyPresent {
        /// Its slug.
        slug: String,
    },
    /// It was created.
    Created {
        /// Its slug.
        slug: String,
        /// Training entries loaded.
        training_entries: usize,
        /// What they are (`18 faq, 5 canned_reply`).
        summary: String,
        /// The verify token for Meta's webhook settings.
        webhook_verify_token: String,
    },
}

impl Services {
    /// Creates the Kassangas demo tenant unless a tenant with its slug exists.
    pub async fn load_demo(&self) -> Result<DemoOutcome> {
        let slug = Slug::parse(SLUG).expect("the demo slug is valid");
        match self.store.tenant_by_slug(&slug).await {
            Ok(_) => return Ok(DemoOutcome::AlreadyPresent { slug: SLUG.into() }),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(crate::ServiceError::from_store(e, "tenant")),
        }
        let fields = TenantFields {
            slug: Some(SLUG.into()),
            client_name: Some("Kassangas Music Shop".into()),
            client_phone: Some("0702245555".into()),
            point_of_contact_name: Some("Gideon".into()),
            point_of_contact_phone: Some("0702245555".into()),
            is_active: Some(true),
            metadata: Some(serde_json::json!({ "city": "Nairobi", "demo": true })),
            ..Default::default()
        };
        let created = self.create_tenant(&fields, "demo").await?;
        let tenant = alphadome_core::TenantId(created.tenant.id);
        let persona = TemplateFields {
            system_prompt: Some(PERSONA.trim().to_owned()),
            tone: Some("friendly".into()),
            description: Some("Kassangas' everyday shop assistant".into()),
            ..Default::default()
        };
        self.set_template(tenant, "default", &persona, "demo").await?;
        let escalation = [("escalation_phone".to_owned(), "0702245555".to_owned())];
        self.set_settings(tenant, &escalation, "demo").await?;
        let entries =
            self.import_training(tenant, Format::Csv, TRAINING_CSV.as_bytes(), false, "demo").await?;
        Ok(DemoOutcome::Created {
            slug: SLUG.into(),
            training_entries: entries.len(),
            summary: training_io::summary(&entries),
            webhook_verify_token: created.webhook_verify_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_training_file_is_valid_and_rich_enough() {
        let entries = training_io::parse(Format::Csv, TRAINING_CSV.as_bytes()).unwrap();
        assert!(entries.len() >= 12, "{} entries", entries.len());
        let canned: Vec<_> = entries
            .iter()
            .filter(|e| e.data_type == alphadome_core::training::DataType::CannedReply)
            .map(|e| e.question.as_str())
            .collect();
        for intent in ["greeting", "thanks", "help", "human"] {
            assert!(canned.contains(&intent), "missing canned reply {intent}");
        }
    }
}
