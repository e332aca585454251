//! A tenant's training data: FAQ entries, canned replies, examples.

use crate::audit::{AuditEvent, AuditRows};
use crate::tenants::ConfigRows;
use crate::{Result, StoreError, TenantScope, now};
use alphadome_core::training::{DataType, TrainingEntryIn};
use alphadome_core::{TenantId, TrainingEntryId};
use chrono::{DateTime, Duration, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

/// A stored training entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingEntry {
    /// Id.
    pub id: TrainingEntryId,
    /// Its fields.
    pub entry: TrainingEntryIn,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct TrainingQuery {
    /// Only this kind.
    pub data_type: Option<DataType>,
    /// Only entries whose question, answer or category contains this text (any case).
    pub search: Option<String>,
    /// Only active entries.
    pub active_only: bool,
    /// At most this many (default: all).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: i64,
}

#[derive(sqlx::FromRow)]
struct TrainingRow {
    id: Uuid,
    data_type: String,
    question: String,
    answer: String,
    category: Option<String>,
    priority: i32,
    confidence_score: f64,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<TrainingRow> for TrainingEntry {
    type Error = StoreError;
    fn try_from(r: TrainingRow) -> Result<Self> {
        Ok(Self {
            id: TrainingEntryId(r.id),
            entry: TrainingEntryIn {
                data_type: r
                    .data_type
                    .parse()
                    .map_err(|e: alphadome_core::ValidationError| StoreError::Corrupt(e.to_string()))?,
                question: r.question,
                answer: r.answer,
                category: r.category,
                priority: r.priority,
                confidence_score: r.confidence_score,
                is_active: r.is_active,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// `SELECT … FROM bot_training_data` followed by the given clauses.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, data_type, question, answer, category, priority, confidence_score, ",
            "is_active, created_at, updated_at FROM bot_training_data ",
            $rest
        )
    };
}

/// Rows per multi-row INSERT: 9 binds each stays far below both engines' bind limits.
const INSERT_BATCH: usize = 500;

pub(crate) trait TrainingRows {
    async fn insert_training(
        &mut self,
        tenant: TenantId,
        entries: &[TrainingEntryIn],
        at: DateTime<Utc>,
    ) -> Result<Vec<TrainingEntryId>>;

    /// Adds one entry inside the caller's transaction: the row, the tenant's configuration
    /// version, and a `training.add` audit entry (naming the review item it came from, if
    /// any).
    async fn add_one_training(
        &mut self,
        tenant: TenantId,
        entry: &TrainingEntryIn,
        actor: &str,
        review: Option<uuid::Uuid>,
    ) -> Result<TrainingEntryId>;
}

impl_for_engines!(impl TrainingRows {
    async fn insert_training(&mut self, tenant: TenantId, entries: &[TrainingEntryIn], at: DateTime<Utc>) -> Result<Vec<TrainingEntryId>> {
        let ids: Vec<TrainingEntryId> = entries.iter().map(|_| TrainingEntryId::new()).collect();
        for (chunk_no, chunk) in entries.chunks(INSERT_BATCH).enumerate() {
            let mut insert = QueryBuilder::new(
                "INSERT INTO bot_training_data (id, bot_tenant_id, data_type, question, answer, \
                 category, priority, confidence_score, is_active, created_at, updated_at) ",
            );
            let first = chunk_no * INSERT_BATCH;
            insert.push_values(chunk.iter().enumerate(), |mut row, (i, e)| {
                // One microsecond apart, so listing by creation keeps the file's order.
                let created = at + Duration::microseconds((first + i) as i64);
                row.push_bind(ids[first + i].0)
                    .push_bind(tenant.0)
                    .push_bind(e.data_type.as_str())
                    .push_bind(e.question.clone())
                    .push_bind(e.answer.clone())
                    .push_bind(e.category.clone())
                    .push_bind(e.priority)
                    .push_bind(e.confidence_score)
                    .push_bind(e.is_active)
                    .push_bind(created)
                    .push_bind(created);
            });
            insert.build().execute(&mut *self).await?;
        }
        Ok(ids)
    }

    async fn add_one_training(&mut self, tenant: TenantId, entry: &TrainingEntryIn, actor: &str, review: Option<uuid::Uuid>) -> Result<TrainingEntryId> {
        let ids = self.insert_training(tenant, std::slice::from_ref(entry), now()).await?;
        let mut detail = serde_json::json!({ "id": ids[0], "data_type": entry.data_type });
        if let Some(review) = review {
            detail["review"] = serde_json::json!(review);
        }
        self.config_changed(tenant).await?;
        self.insert_audit(&AuditEvent::new(Some(tenant), actor, "training.add", detail)).await?;
        Ok(ids[0])
    }
});

impl TenantScope<'_> {
    /// Entries matching the query, in creation order.
    pub async fn training(&self, q: &TrainingQuery) -> Result<Vec<TrainingEntry>> {
        const SQL: &str = select!(
            "WHERE bot_tenant_id = $1 AND ($2 IS NULL OR data_type = $2) \
             AND ($3 = false OR is_active) \
             AND ($4 IS NULL OR LOWER(question) LIKE $4 ESCAPE '\\' OR LOWER(answer) LIKE $4 ESCAPE '\\' \
                  OR LOWER(COALESCE(category, '')) LIKE $4 ESCAPE '\\') \
             ORDER BY created_at, id LIMIT $5 OFFSET $6"
        );
        let pattern = q.search.as_deref().filter(|s| !s.trim().is_empty()).map(like_pattern);
        let rows: Vec<TrainingRow> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL)
                .bind(self.tenant.0)
                .bind(q.data_type.map(DataType::as_str))
                .bind(q.active_only)
                .bind(pattern)
                .bind(q.limit.unwrap_or(i64::MAX))
                .bind(q.offset)
                .fetch_all(&mut *tx)
                .await?
        });
        rows.into_iter().map(TrainingEntry::try_from).collect()
    }

    /// One entry.
    pub async fn training_entry(&self, id: TrainingEntryId) -> Result<TrainingEntry> {
        const SQL: &str = select!("WHERE bot_tenant_id = $1 AND id = $2");
        let row: TrainingRow = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(id.0).fetch_one(&mut *tx).await?
        });
        row.try_into()
    }

    /// Adds one entry.
    pub async fn add_training(&self, entry: &TrainingEntryIn, actor: &str) -> Result<TrainingEntry> {
        let tenant = self.tenant;
        let id =
            in_tx!(self.store, tenant = tenant, |tx| tx.add_one_training(tenant, entry, actor, None).await?);
        self.training_entry(id).await
    }

    /// Imports entries all-or-nothing, optionally replacing every existing entry.
    /// Returns how many were stored.
    pub async fn import_training(
        &self,
        entries: &[TrainingEntryIn],
        replace: bool,
        actor: &str,
    ) -> Result<usize> {
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            if replace {
                sqlx::query("DELETE FROM bot_training_data WHERE bot_tenant_id = $1")
                    .bind(tenant.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.insert_training(tenant, entries, now()).await?;
            let detail = serde_json::json!({ "rows": entries.len(), "replace": replace });
            tx.config_changed(tenant).await?;
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "training.import", detail)).await?;
        });
        Ok(entries.len())
    }

    /// Replaces one entry's fields.
    pub async fn update_training(
        &self,
        id: TrainingEntryId,
        e: &TrainingEntryIn,
        actor: &str,
    ) -> Result<TrainingEntry> {
        const SQL: &str = "UPDATE bot_training_data SET data_type = $3, question = $4, answer = $5, \
             category = $6, priority = $7, confidence_score = $8, is_active = $9, updated_at = $10 \
             WHERE bot_tenant_id = $1 AND id = $2";
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query(SQL)
                .bind(tenant.0)
                .bind(id.0)
                .bind(e.data_type.as_str())
                .bind(&e.question)
                .bind(&e.answer)
                .bind(&e.category)
                .bind(e.priority)
                .bind(e.confidence_score)
                .bind(e.is_active)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let detail = serde_json::json!({ "id": id });
            tx.config_changed(tenant).await?;
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "training.update", detail)).await?;
        });
        self.training_entry(id).await
    }

    /// Deletes one entry.
    pub async fn delete_training(&self, id: TrainingEntryId, actor: &str) -> Result<()> {
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query("DELETE FROM bot_training_data WHERE bot_tenant_id = $1 AND id = $2")
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let detail = serde_json::json!({ "id": id });
            tx.config_changed(tenant).await?;
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "training.delete", detail)).await?;
        });
        Ok(())
    }
}

/// `%text%`, lower-cased, with LIKE's wildcards in the text escaped.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern(" 50%_Off "), "%50\\%\\_off%");
    }
}
