//! Read models of money for the pages and the exports: an order with its course and buyer, a
//! payout with its teacher, and the bank's CSV of payouts. Shared by the JSON API and the web
//! pages, so neither builds them twice (and the pages never import route code).

use std::collections::HashMap;

use super::payouts::{PayoutRecord, PayoutStatus};
use super::refunds::OrderFilter;
use super::repo::{self, OrderRecord};
use super::service::Commerce;
use crate::error::{Error, Result};
use crate::identity::repo::{self as users, UserRecord};
use crate::ids::{OrderId, UserId};
use crate::store::page::Page;

/// An order as the admin's pages list it.
pub struct OrderLine {
    pub order: OrderRecord,
    pub course_title: String,
    pub course_slug: String,
    pub buyer_email: String,
    pub buyer_name: String,
}

/// A payout with the teacher it pays.
pub struct PayoutLine {
    pub payout: PayoutRecord,
    pub teacher_name: String,
    pub teacher_email: String,
}

/// The CSV export's most rows: a school's payouts for a long while.
pub const CSV_MAX_ROWS: usize = 10_000;

/// One CSV field (RFC 4180), and never a formula: a spreadsheet would run a field that starts
/// with `=`, `+`, `-` or `@` (a teacher's name is theirs to choose).
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

impl Commerce {
    /// (name, email) of each of `ids`, in one read; unknown ids are left out.
    async fn people(&self, ids: Vec<UserId>) -> Result<HashMap<UserId, (String, String)>> {
        self.store
            .read(move |rtx| {
                let mut out = HashMap::new();
                for id in ids {
                    if out.contains_key(&id) {
                        continue;
                    }
                    if let Some(UserRecord { name, email, .. }) = users::user(rtx, id)? {
                        out.insert(id, (name, email));
                    }
                }
                Ok(out)
            })
            .await
    }

    async fn order_lines_of(&self, orders: Vec<OrderRecord>) -> Result<Vec<OrderLine>> {
        let people = self.people(orders.iter().map(|o| o.buyer_id).collect()).await?;
        let mut out = Vec::with_capacity(orders.len());
        for o in orders {
            let (course_title, course_slug) = match self.catalog.course_by_id(o.course_id).await? {
                Some(c) => (c.title.clone(), c.slug.clone()),
                None => (String::new(), String::new()),
            };
            let (buyer_name, buyer_email) = people.get(&o.buyer_id).cloned().unwrap_or_default();
            out.push(OrderLine { order: o, course_title, course_slug, buyer_email, buyer_name });
        }
        Ok(out)
    }

    /// Every order with its course and buyer (admins), newest first, filtered.
    pub async fn order_lines(
        &self,
        who: &UserRecord,
        filter: OrderFilter,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<OrderLine>> {
        let page = self.all_orders(who, filter, limit, before).await?;
        Ok(Page { items: self.order_lines_of(page.items).await?, next_cursor: page.next_cursor })
    }

    /// One order with its course and buyer (admins only, whoever bought it).
    pub async fn order_line(&self, who: &UserRecord, id: OrderId) -> Result<OrderLine> {
        super::payouts::require_admin(who)?;
        let o = self.store.read(move |rtx| repo::get_order(rtx, id)).await?;
        self.order_lines_of(vec![o]).await?.pop().ok_or(Error::NotFound)
    }

    /// Payouts with their teachers (admins), newest first, optionally of one status.
    pub async fn payout_lines(
        &self,
        who: &UserRecord,
        status: Option<PayoutStatus>,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<PayoutLine>> {
        let page = self.payouts(who, status, limit, before).await?;
        let people = self.people(page.items.iter().map(|p| p.teacher).collect()).await?;
        let items = page
            .items
            .into_iter()
            .map(|p| {
                let (teacher_name, teacher_email) = people.get(&p.teacher).cloned().unwrap_or_default();
                PayoutLine { payout: p, teacher_name, teacher_email }
            })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// The bank's export of payouts (admins), newest first: one header line, then a row each.
    pub async fn payouts_csv(&self, who: &UserRecord, status: Option<PayoutStatus>) -> Result<String> {
        let page = self.payout_lines(who, status, CSV_MAX_ROWS, None).await?;
        let mut body = String::from(
            "payout_id,teacher_id,teacher_name,teacher_email,currency,amount,status,requested_at,reference\r\n",
        );
        for PayoutLine { payout: p, teacher_name, teacher_email } in page.items {
            let row = [
                p.id.to_string(),
                p.teacher.to_string(),
                teacher_name,
                teacher_email,
                p.currency.clone(),
                super::notices::amount(p.amount_minor, "").trim().to_owned(),
                format!("{:?}", p.status).to_lowercase(),
                p.created_at.to_rfc3339(),
                p.reference.clone().unwrap_or_default(),
            ];
            body.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            body.push_str("\r\n");
        }
        Ok(body)
    }
}
