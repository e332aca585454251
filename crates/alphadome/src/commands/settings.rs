//! `alphadome settings …`.

use crate::cli::SettingsCommand;
use crate::output;
use alphadome_core::settings::ControlSettings;
use alphadome_service::Services;
use anyhow::bail;

/// Runs a settings command.
pub async fn run(services: &Services, cmd: SettingsCommand) -> anyhow::Result<()> {
    match cmd {
        SettingsCommand::Show { slug, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            print(&services.settings(tenant).await?, out.json)
        }
        SettingsCommand::Set { slug, pairs, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let pairs = pairs
                .iter()
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => Ok((k.trim().to_owned(), v.to_owned())),
                    None => bail!("{p:?} is not KEY=VALUE"),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            print(&services.set_settings(tenant, &pairs, super::ACTOR).await?, out.json)
        }
    }
}

fn print(settings: &ControlSettings, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(settings);
    }
    let value = serde_json::to_value(settings)?;
    let pairs: Vec<(&str, String)> = alphadome_core::settings::KEYS
        .iter()
        .map(|k| (*k, value[*k].as_str().map_or_else(|| value[*k].to_string(), str::to_owned)))
        .collect();
    output::fields(&pairs);
    Ok(())
}
