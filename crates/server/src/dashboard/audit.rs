//! A tenant's audit log, newest first: who did what, when.

use super::layout::tenant_page;
use super::{TenantPage, answer};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::response::Response;
use maud::html;

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let entries = state.services.audit_log(Some(tenant.id), 200).await?;
    let body = html! {
        div.scroll {
            table {
                thead { tr { th { "When (UTC)" } th { "What" } th { "Who" } th.wide { "Details" } } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { (e.created_at.format("%Y-%m-%d %H:%M")) }
                            td { (e.action) }
                            td { (e.actor) }
                            td.wide { code { (e.detail.0.to_string()) } }
                        }
                    }
                }
            }
        }
    };
    Ok(answer(None, tenant_page(&who, &tenant, "/audit", "Audit log", body)))
}
