//! The command line, as clap sees it. Secrets are never flag values: flags name an
//! environment variable or a file to read them from, or ask for standard input.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Alphadome: a multi-tenant WhatsApp business-bot platform.
#[derive(Debug, Parser)]
#[command(name = "alphadome", version, about, propagate_version = true)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts (each also has an environment variable).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Optional TOML config file (lowest precedence after built-in defaults).
    #[arg(long, global = true, env = "ALPHADOME_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… [env: ALPHADOME_DATABASE_URL or DATABASE_URL]
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// PostgreSQL schema for Alphadome's tables [env: ALPHADOME_DB_SCHEMA] [default: alphadome]
    #[arg(long, global = true)]
    pub db_schema: Option<String>,
    /// Log format: text or json [env: ALPHADOME_LOG_FORMAT] [default: text]
    #[arg(long, global = true)]
    pub log_format: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (migrates first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage tenants (client businesses).
    #[command(subcommand)]
    Tenant(Box<TenantCommand>),
    /// Manage a tenant's training data (FAQ, canned replies, examples).
    #[command(subcommand)]
    Training(TrainingCommand),
    /// Manage a tenant's bot personas.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Show or change a tenant's switches and limits.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Talk to a tenant's bot as a customer would, without WhatsApp: each line read from
    /// standard input gets the bot's reply with its source, matched entry and score.
    /// Nothing is sent or recorded.
    Chat(ChatArgs),
    /// See and end hand-offs: conversations a person has taken over from the bot.
    #[command(subcommand)]
    Handoff(HandoffCommand),
    /// Show the audit log: who did what, when (one tenant's, or the whole platform's).
    Audit(AuditArgs),
    /// Manage the master keys that seal stored secrets.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage accounts of the people who run the platform or a tenant (dashboard logins).
    #[command(subcommand)]
    User(UserCommand),
}

/// `user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account: a platform admin, or an admin of one tenant. The password (12 or
    /// more characters) comes from an environment variable, a file or standard input.
    Create {
        /// Login email.
        #[arg(long)]
        email: String,
        /// Runs the whole platform.
        #[arg(long, conflicts_with = "tenant", required_unless_present = "tenant")]
        platform_admin: bool,
        /// Runs this tenant only (its slug).
        #[arg(long)]
        tenant: Option<String>,
        /// Read the password from this environment variable.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Read the password from this file.
        #[arg(long, value_name = "PATH")]
        password_file: Option<PathBuf>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new master key version to the key file and re-seal every stored secret under it,
    /// tenant by tenant, while the service keeps answering (it reads both versions). Old
    /// versions stay in the file. With ALPHADOME_MASTER_KEY instead of a file, add the new
    /// version to the variable first; this then re-seals under the newest version there.
    Rotate {
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this tenant's entries.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Most entries to show, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[command(flatten)]
    pub out: JsonFlag,
}

/// `handoff …`.
#[derive(Debug, Subcommand)]
pub enum HandoffCommand {
    /// List a tenant's conversations with a person, newest first.
    List {
        /// The tenant's slug.
        slug: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Give a customer's conversation back to the bot.
    Release {
        /// The tenant's slug.
        slug: String,
        /// The customer (their WhatsApp number, as listed).
        customer: String,
    },
}

/// `chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The tenant's slug.
    pub slug: String,
    /// Ask just this one message instead of reading standard input.
    #[arg(long, short)]
    pub message: Option<String>,
    #[command(flatten)]
    pub out: JsonFlag,
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: ALPHADOME_LISTEN, or PORT for 0.0.0.0:PORT] [default: 127.0.0.1:8080]
    #[arg(long)]
    pub listen: Option<String>,
    /// Load the Kassangas Music Shop demo tenant if it is absent, and print how to use it.
    #[arg(long)]
    pub demo: bool,
}

/// Output as JSON instead of text.
#[derive(Debug, Args, Clone, Copy)]
pub struct JsonFlag {
    /// Print machine-readable JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tenant …`.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Provision a tenant with its settings row and default template.
    Create(TenantCreateArgs),
    /// List tenants.
    List(JsonFlag),
    /// Show one tenant (secrets masked).
    Show {
        /// The tenant's slug.
        slug: String,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Change a tenant's fields or credentials (only the options given).
    Update(TenantUpdateArgs),
    /// Switch a tenant's bot on.
    Activate {
        /// The tenant's slug.
        slug: String,
    },
    /// Switch a tenant's bot off.
    Deactivate {
        /// The tenant's slug.
        slug: String,
    },
    /// Delete a tenant and all its data.
    Delete {
        /// The tenant's slug.
        slug: String,
        /// Confirm: deletion cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

/// Fields of a tenant, shared by create and update.
#[derive(Debug, Args, Default)]
pub struct TenantFieldArgs {
    /// The business's name.
    #[arg(long)]
    pub name: Option<String>,
    /// The business's phone (07…, 01…, +254…).
    #[arg(long)]
    pub phone: Option<String>,
    /// The business's email.
    #[arg(long)]
    pub email: Option<String>,
    /// Brand id (uuid).
    #[arg(long)]
    pub brand_id: Option<uuid::Uuid>,
    /// Contact person's name.
    #[arg(long)]
    pub contact_name: Option<String>,
    /// Contact person's phone.
    #[arg(long)]
    pub contact_phone: Option<String>,
    /// Meta's phone number id of the business's WhatsApp number (routing key).
    #[arg(long)]
    pub wa_phone_number_id: Option<String>,
    /// Meta's WhatsApp Business Account id.
    #[arg(long)]
    pub wa_business_account_id: Option<String>,
    /// When the WhatsApp token expires (RFC 3339, e.g. 2027-01-31T00:00:00Z).
    #[arg(long)]
    pub wa_token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// AI provider: openai, openrouter, huggingface, custom or none.
    #[arg(long)]
    pub ai_provider: Option<String>,
    /// AI model name.
    #[arg(long)]
    pub ai_model: Option<String>,
    /// Base URL of an OpenAI-compatible endpoint.
    #[arg(long)]
    pub ai_base_url: Option<String>,
    /// Webhook verify token (16–128 characters; generated when absent on create).
    #[arg(long)]
    pub webhook_verify_token: Option<String>,
    /// The tenant's own webhook URL, if it brings its own Meta app.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Free-form JSON object for the operator.
    #[arg(long)]
    pub metadata: Option<String>,
    /// Credentials, read from the environment, a file or standard input.
    #[command(flatten)]
    pub secrets: SecretArgs,
}

/// Where to read each credential from. At most one source per credential.
#[derive(Debug, Args, Default)]
pub struct SecretArgs {
    /// Read the WhatsApp access token from this environment variable.
    #[arg(long, value_name = "VAR", group = "wa_token")]
    pub wa_token_env: Option<String>,
    /// Read the WhatsApp access token from this file.
    #[arg(long, value_name = "PATH", group = "wa_token")]
    pub wa_token_file: Option<PathBuf>,
    /// Read the WhatsApp access token from standard input (one line).
    #[arg(long, group = "wa_token")]
    pub wa_token_stdin: bool,
    /// Read the tenant's Meta app secret from this environment variable.
    #[arg(long, value_name = "VAR", group = "wa_app_secret")]
    pub wa_app_secret_env: Option<String>,
    /// Read the tenant's Meta app secret from this file.
    #[arg(long, value_name = "PATH", group = "wa_app_secret")]
    pub wa_app_secret_file: Option<PathBuf>,
    /// Read the AI provider key from this environment variable.
    #[arg(long, value_name = "VAR", group = "ai_key")]
    pub ai_key_env: Option<String>,
    /// Read the AI provider key from this file.
    #[arg(long, value_name = "PATH", group = "ai_key")]
    pub ai_key_file: Option<PathBuf>,
    /// Read the AI provider key from standard input (one line).
    #[arg(long, group = "ai_key")]
    pub ai_key_stdin: bool,
}

/// `tenant create`.
#[derive(Debug, Args)]
pub struct TenantCreateArgs {
    /// Url-safe unique name (lowercase letters, digits, '-').
    #[arg(long)]
    pub slug: String,
    /// Fields.
    #[command(flatten)]
    pub fields: TenantFieldArgs,
    /// Switch the bot on at once.
    #[arg(long)]
    pub active: bool,
    /// Output format.
    #[command(flatten)]
    pub out: JsonFlag,
}

/// `tenant update`.
#[derive(Debug, Args)]
pub struct TenantUpdateArgs {
    /// The tenant's slug.
    pub slug: String,
    /// Fields to change (empty text clears an optional field).
    #[command(flatten)]
    pub fields: TenantFieldArgs,
    /// Output format.
    #[command(flatten)]
    pub out: JsonFlag,
}

/// `training …`.
#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Import a CSV or JSON file, all-or-nothing.
    Import {
        /// The tenant's slug.
        slug: String,
        /// The file (`-` for standard input); .json is read as JSON, anything else as CSV.
        file: PathBuf,
        /// Force the format: csv or json.
        #[arg(long)]
        format: Option<String>,
        /// Replace all existing training data with the file's.
        #[arg(long)]
        replace: bool,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Write all training data to standard output.
    Export {
        /// The tenant's slug.
        slug: String,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
    },
    /// List or search training data.
    List {
        /// The tenant's slug.
        slug: String,
        /// Only entries containing this text.
        #[arg(long)]
        search: Option<String>,
        /// Only this type: faq, canned_reply or example.
        #[arg(long)]
        data_type: Option<String>,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `template …`.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Create a template or change the given fields of one.
    Set(TemplateSetArgs),
    /// List a tenant's templates.
    List {
        /// The tenant's slug.
        slug: String,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `template set`.
#[derive(Debug, Args)]
pub struct TemplateSetArgs {
    /// The tenant's slug.
    pub slug: String,
    /// Template name.
    #[arg(long, default_value = "default")]
    pub name: String,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// System prompt text.
    #[arg(long, group = "prompt")]
    pub system_prompt: Option<String>,
    /// Read the system prompt from a file.
    #[arg(long, group = "prompt", value_name = "PATH")]
    pub system_prompt_file: Option<PathBuf>,
    /// Tone: professional, friendly, …
    #[arg(long)]
    pub tone: Option<String>,
    /// Longest reply in characters (20–4096).
    #[arg(long)]
    pub max_response_length: Option<i32>,
    /// Conversation context as a JSON object.
    #[arg(long)]
    pub context: Option<String>,
    /// Make this the default template.
    #[arg(long)]
    pub default: bool,
    /// Activate or deactivate (true/false).
    #[arg(long)]
    pub active: Option<bool>,
    /// Output format.
    #[command(flatten)]
    pub out: JsonFlag,
}

/// `settings …`.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show a tenant's switches and limits.
    Show {
        /// The tenant's slug.
        slug: String,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Change settings: KEY=VALUE … (all checked before any is saved).
    Set {
        /// The tenant's slug.
        slug: String,
        /// Pairs such as enable_ai_responses=true max_messages_per_hour=500.
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// `apikey …`.
#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key and print it once.
    Create {
        /// A tenant's slug for a tenant key; without it, a platform key.
        #[arg(long)]
        tenant: Option<String>,
        /// A label.
        #[arg(long)]
        name: String,
        /// When it stops working (RFC 3339).
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List keys (never the keys themselves).
    List {
        /// Only this tenant's keys.
        #[arg(long)]
        tenant: Option<String>,
        /// Output format.
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Revoke a key by id.
    Revoke {
        /// The key's id.
        id: uuid::Uuid,
    },
}
