//! Storage errors, classified so the layers above can answer 404, 409 or 503 without
//! ever showing database text to a client.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row (for this tenant).
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; `field` names it (`slug`, `client_phone`, …).
    #[error("{field} is already in use")]
    Conflict {
        /// The column whose value is taken.
        field: &'static str,
    },
    /// The database could not be reached or the pool is exhausted.
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// Anything else the database said.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Unique constraints and indexes we name, and the field each protects.
const UNIQUE_FIELDS: &[(&str, &str)] = &[
    ("bot_tenants_slug_key", "slug"),
    ("bot_tenants.slug", "slug"),
    ("bot_tenants_client_phone_key", "client_phone"),
    ("bot_tenants.client_phone", "client_phone"),
    ("bot_tenants_whatsapp_phone_number_id_key", "whatsapp_phone_number_id"),
    ("bot_tenants.whatsapp_phone_number_id", "whatsapp_phone_number_id"),
    ("bot_tenants_webhook_verify_token_key", "webhook_verify_token"),
    ("bot_tenants.webhook_verify_token", "webhook_verify_token"),
    ("bot_templates_template_name_key", "template_name"),
    ("bot_templates.template_name", "template_name"),
    ("bot_templates_one_default", "is_default"),
    ("users_phone_key", "phone"),
    ("users.phone", "phone"),
    ("api_keys_key_hash_key", "key_hash"),
    ("api_keys.key_hash", "key_hash"),
    ("subscriptions_checkout_key", "mpesa_checkout_request_id"),
    ("accounts_email_key", "email"),
    ("accounts.email", "email"),
    ("subscriptions.mpesa_checkout_request_id", "mpesa_checkout_request_id"),
];

impl StoreError {
    /// A value that could not be encoded as a query parameter.
    pub(crate) fn unencodable(e: sqlx::error::BoxDynError) -> Self {
        Self::Corrupt(format!("a parameter did not encode: {e}"))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => Self::Unavailable(e),
            sqlx::Error::Database(ref db) if db.is_unique_violation() => match unique_field(db.as_ref()) {
                Some(field) => Self::Conflict { field },
                None => Self::Database(e),
            },
            sqlx::Error::Decode(ref inner) => Self::Corrupt(inner.to_string()),
            other => Self::Database(other),
        }
    }
}

/// PostgreSQL names the constraint; SQLite names `table.column` (or the index) in its message.
fn unique_field(db: &dyn sqlx::error::DatabaseError) -> Option<&'static str> {
    if let Some(name) = db.constraint() {
        return lookup(name);
    }
    let message = db.message();
    let detail = message.strip_prefix("UNIQUE constraint failed: ")?;
    if let Some(index) = detail.strip_prefix("index '") {
        return lookup(index.trim_end_matches('\''));
    }
    // "t.a, t.b": the last column is the one that distinguishes within a tenant.
    detail.rsplit(", ").next().and_then(lookup)
}

fn lookup(name: &str) -> Option<&'static str> {
    UNIQUE_FIELDS.iter().find(|(k, _)| *k == name).map(|(_, f)| *f)
}
