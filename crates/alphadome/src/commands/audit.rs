//! `alphadome audit`.

use crate::cli::AuditArgs;
use crate::output;
use alphadome_service::Services;

/// Prints the newest audit entries.
pub async fn run(services: &Services, args: AuditArgs) -> anyhow::Result<()> {
    let tenant = match &args.tenant {
        Some(slug) => Some(super::tenant_id(services, slug).await?),
        None => None,
    };
    let entries = services.audit_log(tenant, args.limit).await?;
    if args.out.json {
        return output::json(&entries);
    }
    for e in entries {
        let tenant = e.bot_tenant_id.map_or_else(|| "platform".to_owned(), |t| t.to_string());
        output::line(&format!(
            "{}  {:<36}  {:<28}  {:<24}  {}",
            e.created_at.format("%Y-%m-%d %H:%M:%S"),
            tenant,
            e.action,
            e.actor,
            e.detail.0
        ));
    }
    Ok(())
}
