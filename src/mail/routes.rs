//! Admin view of the outbox.

use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::MailStatus;
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::Result;
use crate::http::extract::{Json, Query};
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::AdminUser;
use crate::ids::MessageId;
use crate::schema::OUTBOX;
use crate::store::page::{PageParams, decode_cursor, page_from};

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxItem {
    id: MessageId,
    to: String,
    subject: String,
    text: String,
    status: MailStatus,
    attempts: u32,
    last_error: Option<String>,
    created_at: Rfc3339,
    /// Extra headers, such as `List-Unsubscribe` (name, value).
    headers: Vec<(String, String)>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxPage {
    items: Vec<OutboxItem>,
    next_cursor: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_outbox))
}

/// Recent outgoing mail, newest first.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin",
    params(PageParams),
    responses((status = 200, body = OutboxPage), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn list_outbox(
    State(app): State<AppState>,
    _admin: AdminUser,
    Query(page): Query<PageParams>,
) -> Result<Json<OutboxPage>> {
    let limit = page.limit()?;
    let before = page.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let rows = app
        .store
        .read(move |rtx| {
            let range = match before {
                Some(b) => OUTBOX.range(rtx, ..b, true, limit + 1)?,
                None => OUTBOX.range(rtx, .., true, limit + 1)?,
            };
            Ok(range)
        })
        .await?;
    let page = page_from(rows, limit);
    Ok(Json(OutboxPage {
        items: page
            .items
            .into_iter()
            .map(|(_, m)| OutboxItem {
                id: m.id,
                to: m.to,
                subject: m.subject,
                text: m.text,
                status: m.status,
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: Rfc3339(m.created_at),
                headers: m.headers,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}
