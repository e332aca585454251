//! `alphadome user …`.

use crate::cli::UserCommand;
use crate::output;
use alphadome_service::Services;

/// Runs a user command.
pub async fn run(services: &Services, cmd: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        email,
        platform_admin: _,
        tenant,
        password_env,
        password_file,
        password_stdin,
        out,
    } = cmd;
    let password =
        crate::secrets::password(password_env.as_deref(), password_file.as_deref(), password_stdin)?;
    let tenant = match &tenant {
        Some(slug) => Some(super::tenant_id(services, slug).await?),
        None => None,
    };
    let account = services.create_account(&email, password, tenant, super::ACTOR).await?;
    if out.json {
        return output::json(&account);
    }
    output::line(&format!("created {} ({})", account.email, account.role));
    Ok(())
}
