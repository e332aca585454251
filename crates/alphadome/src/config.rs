//! Layered configuration: built-in defaults < optional TOML file < `ALPHADOME_*`
//! environment < command-line flags. Read once at start-up, validated whole, then passed
//! down; nothing deeper in the code reads the environment.

use crate::cli::GlobalArgs;
use alphadome_crypto::{Keyring, SecretString};
use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The built-in database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/alphadome.db";
/// The built-in listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The optional config file's shape (every field optional). See `config.default.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    db_schema: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    master_key_file: Option<PathBuf>,
    log_format: Option<String>,
    db_max_connections: Option<u32>,
    db_role: Option<String>,
    worker_lease_seconds: Option<u64>,
    worker_receipt_wait_seconds: Option<u64>,
    redis_url: Option<String>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL (may hold a password: print it with `redact_url`).
    pub database_url: String,
    /// PostgreSQL schema.
    pub db_schema: String,
    /// Most database connections.
    pub db_max_connections: u32,
    /// PostgreSQL role the service acts as after migrating as the login user
    /// (`ALPHADOME_DB_ROLE`).
    pub db_role: Option<String>,
    /// HTTP listen address.
    pub listen: String,
    /// Public base URL for callbacks.
    pub public_url: String,
    /// Where the master key comes from.
    pub master_key: MasterKeySource,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// The platform Meta app's secret (`ALPHADOME_WHATSAPP_APP_SECRET[_FILE]`).
    pub whatsapp_app_secret: Option<SecretString>,
    /// The platform webhook's verify token (`ALPHADOME_WHATSAPP_VERIFY_TOKEN[_FILE]`).
    pub whatsapp_verify_token: Option<SecretString>,
    /// WhatsApp Cloud API base URL (`ALPHADOME_GRAPH_BASE_URL`).
    pub graph_base_url: String,
    /// Graph API version (`ALPHADOME_GRAPH_API_VERSION`).
    pub graph_api_version: String,
    /// The tenant whose WhatsApp number sends platform alerts to tenants' escalation phones
    /// (`ALPHADOME_PLATFORM_TENANT`, a slug).
    pub platform_tenant: Option<String>,
    /// How long a worker's claim on a job lasts before another may take it over.
    pub worker_lease: Duration,
    /// How long a send cut off by a crash waits for Meta's receipts before it is sent again.
    pub worker_receipt_wait: Duration,
    /// Redis shared by every `serve` process (`ALPHADOME_REDIS_URL`; may hold a password:
    /// print it with `redact_url`): the pace of each WhatsApp number is kept there.
    pub redis_url: Option<String>,
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    /// `ALPHADOME_MASTER_KEY` (its value is read at start-up and not kept here).
    Env,
    /// A key file; created with mode 0600 if missing.
    File(PathBuf),
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Builds and validates the configuration; `listen_flag` is `serve --listen`.
    pub fn load(global: &GlobalArgs, listen_flag: Option<&str>) -> anyhow::Result<Self> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let database_url = global
            .database_url
            .clone()
            .or_else(|| env("ALPHADOME_DATABASE_URL"))
            .or_else(|| env("DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let listen = listen_flag
            .map(str::to_owned)
            .or_else(|| env("ALPHADOME_LISTEN"))
            .or_else(|| env("PORT").map(|p| format!("0.0.0.0:{p}")))
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let log_format = match global
            .log_format
            .clone()
            .or_else(|| env("ALPHADOME_LOG_FORMAT"))
            .or(file.log_format)
            .as_deref()
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("log format {other:?} is not text or json"),
        };
        let master_key = if env("ALPHADOME_MASTER_KEY").is_some() {
            MasterKeySource::Env
        } else {
            let path = env("ALPHADOME_MASTER_KEY_FILE").map(PathBuf::from).or(file.master_key_file);
            MasterKeySource::File(path.unwrap_or_else(|| data_dir(&database_url).join("master.key")))
        };
        let db_max_connections = match env("ALPHADOME_DB_MAX_CONNECTIONS") {
            Some(v) => v.parse().context("ALPHADOME_DB_MAX_CONNECTIONS must be a whole number")?,
            None => file.db_max_connections.unwrap_or(alphadome_store::DEFAULT_MAX_CONNECTIONS),
        };
        let worker_lease = seconds("ALPHADOME_WORKER_LEASE_SECONDS", file.worker_lease_seconds, 60)?;
        let worker_receipt_wait =
            seconds("ALPHADOME_WORKER_RECEIPT_WAIT_SECONDS", file.worker_receipt_wait_seconds, 120)?;
        let public_url =
            env("ALPHADOME_PUBLIC_URL").or(file.public_url).unwrap_or_else(|| format!("http://{listen}"));
        let config = Self {
            database_url,
            db_schema: global
                .db_schema
                .clone()
                .or_else(|| env("ALPHADOME_DB_SCHEMA"))
                .or(file.db_schema)
                .unwrap_or_else(|| "alphadome".into()),
            db_max_connections,
            db_role: env("ALPHADOME_DB_ROLE").or(file.db_role),
            listen,
            public_url,
            master_key,
            log_format,
            whatsapp_app_secret: secret_env("ALPHADOME_WHATSAPP_APP_SECRET")?,
            whatsapp_verify_token: secret_env("ALPHADOME_WHATSAPP_VERIFY_TOKEN")?,
            graph_base_url: env("ALPHADOME_GRAPH_BASE_URL")
                .unwrap_or_else(|| "https://graph.facebook.com".into()),
            graph_api_version: env("ALPHADOME_GRAPH_API_VERSION")
                .unwrap_or_else(|| alphadome_service::graph::DEFAULT_VERSION.into()),
            worker_lease,
            worker_receipt_wait,
            platform_tenant: env("ALPHADOME_PLATFORM_TENANT"),
            redis_url: env("ALPHADOME_REDIS_URL").or(file.redis_url),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let url = &self.database_url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            bail!(
                "the database URL must start with sqlite:// or postgres:// (got {})",
                alphadome_store::redact_url(url)
            );
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            bail!("the listen address {:?} is not HOST:PORT (for example 127.0.0.1:8080)", self.listen);
        }
        if !(self.graph_base_url.starts_with("https://") || self.graph_base_url.starts_with("http://")) {
            bail!("ALPHADOME_GRAPH_BASE_URL must be an http(s) URL");
        }
        if self.worker_lease < Duration::from_secs(1) {
            bail!("the worker lease must be at least 1 second");
        }
        if !(1..=1000).contains(&self.db_max_connections) {
            bail!("the database connection limit must be 1 to 1000");
        }
        if let Some(url) = &self.redis_url
            && !url.starts_with("redis://")
        {
            bail!("ALPHADOME_REDIS_URL must start with redis:// (got {})", alphadome_store::redact_url(url));
        }
        Ok(())
    }

    /// The master keyring, from the environment or the key file (created on first run).
    pub fn keyring(&self) -> anyhow::Result<Keyring> {
        match &self.master_key {
            MasterKeySource::Env => {
                let text = std::env::var("ALPHADOME_MASTER_KEY").unwrap_or_default();
                Keyring::parse(&text).context("ALPHADOME_MASTER_KEY is not a valid master key")
            }
            MasterKeySource::File(path) => {
                Keyring::load_or_create(path).context("cannot use the master key file")
            }
        }
    }
}

/// A number of seconds from the environment variable `name`, else the file, else `default`.
fn seconds(name: &str, file: Option<u64>, default: u64) -> anyhow::Result<Duration> {
    let value = match env(name) {
        Some(v) => v.trim().parse().with_context(|| format!("{name} must be a whole number of seconds"))?,
        None => file.unwrap_or(default),
    };
    Ok(Duration::from_secs(value))
}

/// A secret from `NAME`, or from the file named by `NAME_FILE`.
fn secret_env(name: &str) -> anyhow::Result<Option<SecretString>> {
    if let Some(value) = env(name) {
        return Ok(Some(SecretString::from(value.trim().to_owned())));
    }
    let Some(path) = env(&format!("{name}_FILE")) else { return Ok(None) };
    let value =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {name}_FILE ({path})"))?;
    Ok(Some(SecretString::from(value.trim().to_owned())))
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("the config file {} is not valid", path.display()))
}

/// The folder beside the SQLite file (or `./data` for PostgreSQL): where the key file lives.
fn data_dir(database_url: &str) -> PathBuf {
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("./data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_default_config_file_is_valid() {
        let file: FileConfig = toml::from_str(include_str!("../../../config.default.toml")).unwrap();
        assert_eq!(file.database_url.as_deref(), Some(DEFAULT_DATABASE_URL));
        assert_eq!(file.listen.as_deref(), Some(DEFAULT_LISTEN));
    }

    #[test]
    fn the_key_file_lives_beside_the_database() {
        assert_eq!(data_dir("sqlite://./data/alphadome.db"), PathBuf::from("./data"));
        assert_eq!(data_dir("sqlite:///var/lib/a/x.db?mode=rwc"), PathBuf::from("/var/lib/a"));
        assert_eq!(data_dir("postgres://u@h/db"), PathBuf::from("./data"));
    }
}
