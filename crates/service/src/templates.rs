//! A tenant's personas.

use crate::error::StoreResultExt;
use crate::{Result, ServiceError, Services};
use alphadome_core::TenantId;
use alphadome_core::template::TemplateFields;
use alphadome_store::{StoreError, Template};

impl Services {
    /// The tenant's templates, default first.
    pub async fn templates(&self, tenant: TenantId) -> Result<Vec<Template>> {
        self.store.tenant(tenant).templates().await.or_missing("template")
    }

    /// One template.
    pub async fn template(&self, tenant: TenantId, name: &str) -> Result<Template> {
        self.store.tenant(tenant).template(name).await.or_missing("template")
    }

    /// Creates the named template, or changes the present fields of an existing one.
    pub async fn set_template(
        &self,
        tenant: TenantId,
        name: &str,
        fields: &TemplateFields,
        actor: &str,
    ) -> Result<Template> {
        let scope = self.store.tenant(tenant);
        let template = match scope.template(name).await {
            Ok(existing) => {
                if existing.fields.is_default && fields.is_default == Some(false) {
                    return Err(ServiceError::Conflict {
                        field: "is_default",
                        hint: "; make another template the default instead",
                    });
                }
                let renamed = TemplateFields { template_name: None, ..fields.clone() };
                renamed.apply_to(existing.fields)?
            }
            Err(StoreError::NotFound) => {
                TemplateFields { template_name: Some(name.to_owned()), ..fields.clone() }.validate_new()?
            }
            Err(e) => return Err(ServiceError::from_store(e, "template")),
        };
        scope.save_template(&template, actor).await.or_missing("template")
    }

    /// Deletes a template that is not the default.
    pub async fn delete_template(&self, tenant: TenantId, name: &str, actor: &str) -> Result<()> {
        self.store.tenant(tenant).delete_template(name, actor).await.or_missing("template")
    }
}
