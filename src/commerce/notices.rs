//! The emails commerce sends, queued in the same unit of work as the change they tell of: a
//! receipt when an order is paid, a notice when money is given back, and a teacher's payout
//! decided.

use super::payouts::{PayoutRecord, PayoutStatus};
use super::repo::OrderRecord;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::identity::repo::UserRecord;
use crate::mail::{self, templates};
use crate::store::Tx;

/// What every email needs to know of the school.
#[derive(Debug, Clone)]
pub struct Letters {
    pub school: String,
    /// Without a trailing slash.
    pub public_url: String,
}

/// "19.90 USD": amounts in emails are plain, in every language.
pub fn amount(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", m / 100, m % 100)
}

impl Letters {
    pub fn receipt(
        &self,
        tx: &mut Tx<'_>,
        buyer: &UserRecord,
        o: &OrderRecord,
        course: &str,
        now: Timestamp,
    ) -> Result<()> {
        let url = format!("{}/orders/{}", self.public_url, o.id);
        let paid = amount(o.total_minor(), &o.currency);
        let email =
            templates::receipt(&buyer.locale, &buyer.email, &buyer.name, &self.school, &url, course, &paid);
        mail::enqueue(tx, email, now)?;
        Ok(())
    }

    pub fn refund(
        &self,
        tx: &mut Tx<'_>,
        buyer: &UserRecord,
        o: &OrderRecord,
        course: &str,
        refunded_minor: i64,
        now: Timestamp,
    ) -> Result<()> {
        let url = format!("{}/orders/{}", self.public_url, o.id);
        let back = amount(refunded_minor, &o.currency);
        let email =
            templates::refund(&buyer.locale, &buyer.email, &buyer.name, &self.school, &url, course, &back);
        mail::enqueue(tx, email, now)?;
        Ok(())
    }

    pub fn payout_decided(
        &self,
        tx: &mut Tx<'_>,
        teacher: &UserRecord,
        p: &PayoutRecord,
        now: Timestamp,
    ) -> Result<()> {
        let url = format!("{}/studio/earnings", self.public_url);
        let paid = p.status == PayoutStatus::Paid;
        let detail = if paid { p.reference.clone() } else { p.reason.clone() }.unwrap_or_default();
        let email = templates::payout(
            &teacher.locale,
            &teacher.email,
            &teacher.name,
            &self.school,
            &url,
            paid,
            &amount(p.amount_minor, &p.currency),
            &detail,
        );
        mail::enqueue(tx, email, now)?;
        Ok(())
    }
}
