//! `alphadome apikey …`.

use crate::cli::ApikeyCommand;
use crate::output;
use alphadome_core::ApiKeyId;
use alphadome_service::Services;

/// Runs an API key command.
pub async fn run(services: &Services, cmd: ApikeyCommand) -> anyhow::Result<()> {
    match cmd {
        ApikeyCommand::Create { tenant, name, expires_at, out } => {
            let tenant_id = match &tenant {
                Some(slug) => Some(super::tenant_id(services, slug).await?),
                None => None,
            };
            let created = services.create_api_key(tenant_id, &name, expires_at, super::ACTOR).await?;
            if out.json {
                return output::json(&created);
            }
            let scope = tenant.map_or_else(|| "platform".to_owned(), |s| format!("tenant {s}"));
            crate::output::line(&format!("created {scope} API key {} ({})", created.record.name, created.id));
            crate::output::line(&created.key);
            eprintln!("store it now: it cannot be shown again");
            Ok(())
        }
        ApikeyCommand::List { tenant, out } => {
            let tenant_id = match &tenant {
                Some(slug) => Some(super::tenant_id(services, slug).await?),
                None => None,
            };
            let keys = services.api_keys(tenant_id).await?;
            if out.json {
                return output::json(&keys);
            }
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|k| {
                    let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                    vec![
                        k.id.to_string(),
                        k.name.clone(),
                        format!("{}…", k.key_prefix),
                        k.scope.clone(),
                        state.into(),
                        output::opt(&k.last_used_at),
                    ]
                })
                .collect();
            output::table(&["ID", "NAME", "KEY", "SCOPE", "STATE", "LAST USED"], &rows);
            Ok(())
        }
        ApikeyCommand::Revoke { id } => {
            let key = services.revoke_api_key(ApiKeyId(id), super::ACTOR).await?;
            crate::output::line(&format!("revoked API key {} ({})", key.name, key.id));
            Ok(())
        }
    }
}
