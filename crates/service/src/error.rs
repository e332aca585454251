//! Service errors: what the HTTP layer maps to statuses and the CLI to one-line messages.

use alphadome_core::ValidationError;
use alphadome_core::training_io::ImportError;
use alphadome_store::StoreError;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is not acceptable; nothing was changed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An import file has a bad row; nothing was imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// No such resource (or not one the caller may see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is taken.
    #[error("{field} is already in use{hint}")]
    Conflict {
        /// The field.
        field: &'static str,
        /// How to resolve it, if there is a usual way.
        hint: &'static str,
    },
    /// The caller may not do this.
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The database is unreachable or overloaded.
    #[error("the database is unavailable; try again shortly")]
    Unavailable(#[source] StoreError),
    /// Anything else: a bug or a broken database. Logged where handled, never shown in detail.
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl ServiceError {
    /// Maps a storage error, naming the missing resource.
    pub fn from_store(e: StoreError, what: &'static str) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound(what),
            StoreError::Conflict { field } => Self::Conflict { field, hint: conflict_hint(field) },
            StoreError::Unavailable(_) => Self::Unavailable(e),
            other => Self::Internal(other),
        }
    }
}

fn conflict_hint(field: &str) -> &'static str {
    match field {
        "is_default" => "; make another template the default first",
        "whatsapp_phone_number_id" => "; another tenant already owns this WhatsApp number",
        _ => "",
    }
}

/// `?` on a store call with the resource named by the closure's context.
pub(crate) trait StoreResultExt<T> {
    fn or_missing(self, what: &'static str) -> Result<T, ServiceError>;
}

impl<T> StoreResultExt<T> for Result<T, StoreError> {
    fn or_missing(self, what: &'static str) -> Result<T, ServiceError> {
        self.map_err(|e| ServiceError::from_store(e, what))
    }
}
