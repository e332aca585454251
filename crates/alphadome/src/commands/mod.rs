//! One module per command family; each turns parsed arguments into service calls.

mod apikey;
mod audit;
mod chat;
mod handoff;
mod keys;
mod serve;
mod settings;
mod template;
mod tenant;
mod training;
mod user;

use crate::cli::{Cli, Command};
use crate::config::{Config, LogFormat, MasterKeySource};
use alphadome_service::Services;
use alphadome_store::{Store, StoreOptions};
use anyhow::Context;

/// Who the CLI acts as in the audit log.
pub const ACTOR: &str = "cli";

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve(args) => args.listen.as_deref(),
        _ => None,
    };
    let config = Config::load(&cli.global, listen)?;
    init_logging(config.log_format, matches!(cli.command, Command::Serve(_)));
    match cli.command {
        Command::Serve(args) => serve::run(&config, args.demo).await,
        Command::Migrate => {
            open(&config).await?;
            crate::output::line(&format!(
                "migrations applied to {}",
                alphadome_store::redact_url(&config.database_url)
            ));
            Ok(())
        }
        Command::Tenant(cmd) => tenant::run(&open(&config).await?, *cmd).await,
        Command::Training(cmd) => training::run(&open(&config).await?, cmd).await,
        Command::Template(cmd) => template::run(&open(&config).await?, cmd).await,
        Command::Settings(cmd) => settings::run(&open(&config).await?, cmd).await,
        Command::Apikey(cmd) => apikey::run(&open(&config).await?, cmd).await,
        Command::Chat(args) => chat::run(&open(&config).await?, args).await,
        Command::Handoff(cmd) => handoff::run(&open(&config).await?, cmd).await,
        Command::Audit(args) => audit::run(&open(&config).await?, args).await,
        Command::Keys(cmd) => keys::run(&config, cmd).await,
        Command::User(cmd) => user::run(&open(&config).await?, cmd).await,
    }
}

/// Connects, migrates and builds the services.
pub async fn open(config: &Config) -> anyhow::Result<Services> {
    let keyring = config.keyring()?;
    let mut options = StoreOptions::new(&config.database_url);
    options.schema.clone_from(&config.db_schema);
    options.max_connections = config.db_max_connections;
    let where_ = alphadome_store::redact_url(&config.database_url);
    let store =
        Store::connect(&options).await.with_context(|| format!("cannot open the database {where_}"))?;
    store.migrate().await.with_context(|| format!("cannot migrate the database {where_}"))?;
    let services = |store| match &config.master_key {
        MasterKeySource::File(path) => Services::new(store, keyring.clone()).with_key_file(path.clone()),
        MasterKeySource::Env => Services::new(store, keyring.clone()),
    };
    let Some(role) = &config.db_role else { return Ok(services(store)) };
    // Migrated as the login user (who owns the schema); the service itself runs as the role
    // that row-level security binds.
    store.close().await;
    options.role = Some(role.clone());
    let store = Store::connect(&options)
        .await
        .with_context(|| format!("cannot open the database {where_} as role {role}"))?;
    Ok(services(store))
}

/// Logs go to standard error, so command output on standard output stays clean. Commands
/// other than `serve` log only warnings unless `RUST_LOG` says otherwise.
fn init_logging(format: LogFormat, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info,sqlx=warn,tower_http=info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Resolves a tenant slug to its id.
pub async fn tenant_id(services: &Services, slug: &str) -> anyhow::Result<alphadome_core::TenantId> {
    Ok(services.tenant(slug).await?.id)
}
