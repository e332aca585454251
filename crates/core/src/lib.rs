//! Alphadome's domain: the tenants, their knowledge and switches, and the rules that
//! validate them. Nothing here does I/O, so the storage, the HTTP layer, the workers and
//! the command line all share one definition of what a valid value is.

pub mod error;
pub mod ids;
pub mod phone;
pub mod settings;
pub mod slug;
pub mod template;
pub mod tenant;
pub mod training;
pub mod training_io;
pub mod whatsapp;

pub use error::ValidationError;
pub use ids::{ApiKeyId, TemplateId, TenantId, TrainingEntryId};
pub use phone::PhoneNumber;
pub use slug::Slug;
