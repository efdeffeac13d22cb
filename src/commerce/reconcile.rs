//! Healing what the providers did not tell: a pending order whose webhook never came is asked
//! about (by a background pass every minute, and when its buyer opens the order page), orders
//! nobody paid expire, and teachers' shares leave the hold when it ends.

use std::sync::Arc;
use std::time::Duration;

use super::repo::{self, OrderRecord, OrderStatus, Outcome, Provider};
use super::service::{Commerce, PENDING_FOR, ProviderEvent};
use super::yookassa;
use crate::error::Result;

/// How often the background pass runs.
const EVERY: Duration = Duration::from_secs(60);
/// A pending order younger than this is left alone: its buyer is probably still paying.
pub const ASK_AFTER: Duration = Duration::from_secs(30);

impl Commerce {
    /// Asks the provider what became of a pending order and applies the answer. The event ids
    /// are the reconciler's own: if the webhook comes after all, it finds the order settled.
    pub async fn reconcile(&self, o: &OrderRecord) -> Result<Option<OrderRecord>> {
        if o.status != OrderStatus::Pending {
            return Ok(None);
        }
        let now = self.now();
        let age = now.0 - o.created_at.0;
        if age < ASK_AFTER.as_millis() as i64 {
            return Ok(None);
        }
        let stale = age > PENDING_FOR.as_millis() as i64;
        let outcome = match (o.provider, &o.provider_ref) {
            (Provider::Stripe, Some(session)) => match &self.stripe {
                Some(stripe) => match stripe.get_session(session).await? {
                    Some(s)
                        if s.status.as_deref() == Some("complete")
                            && s.payment_status.as_deref() == Some("paid") =>
                    {
                        Some(Outcome::Paid {
                            amount_minor: s.amount_total.unwrap_or(-1),
                            currency: s.currency.unwrap_or_default().to_ascii_uppercase(),
                            payment_ref: s.payment_intent,
                        })
                    }
                    Some(s) if s.status.as_deref() == Some("expired") => Some(Outcome::Expired),
                    Some(_) => None,
                    None if stale => Some(Outcome::Expired),
                    None => None,
                },
                None => None,
            },
            (Provider::YooKassa, Some(payment)) => match &self.yookassa {
                Some(yk) => match yk.get_payment(payment).await? {
                    Some(p) if p.status == "succeeded" && p.paid => Some(Outcome::Paid {
                        amount_minor: yookassa::major_to_minor(&p.amount.value).unwrap_or(-1),
                        currency: p.amount.currency.to_ascii_uppercase(),
                        payment_ref: None,
                    }),
                    Some(p) if p.status == "canceled" => Some(Outcome::Failed),
                    Some(_) => None,
                    None if stale => Some(Outcome::Expired),
                    None => None,
                },
                None => None,
            },
            // The test provider pays only through its page; an order without a provider
            // reference never reached its provider.
            _ if stale => Some(Outcome::Expired),
            _ => None,
        };
        let Some(outcome) = outcome else { return Ok(None) };
        let kind = match &outcome {
            Outcome::Paid { .. } => "paid",
            Outcome::Failed => "failed",
            _ => "expired",
        };
        let event_id = format!("reconcile:{}:{kind}", o.id);
        self.apply(ProviderEvent { provider: o.provider, event_id, order: o.id, outcome }).await
    }

    /// One pass over the pending orders, then the holds that have ended. Returns how many
    /// orders changed.
    pub async fn reconcile_pending(&self) -> Result<usize> {
        let pending = self.store.read(|rtx| Ok(repo::pending_orders(rtx, 1000)?)).await?;
        let mut changed = 0;
        for o in &pending {
            match self.reconcile(o).await {
                Ok(Some(after)) if after.status != OrderStatus::Pending => changed += 1,
                Ok(_) => {}
                // A provider down now is asked again on the next pass.
                Err(e) => tracing::warn!(order = %o.id, error = %e, "could not reconcile a pending order"),
            }
        }
        self.release_due().await?;
        Ok(changed)
    }

    /// The background pass, every minute until shutdown.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => match self.reconcile_pending().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(orders = n, "reconciled pending orders with their providers"),
                    Err(e) => tracing::warn!(error = %e, "reconciling orders failed"),
                },
                _ = stop.changed() => return,
            }
        }
    }
}
