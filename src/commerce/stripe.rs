//! Stripe through its documented HTTP API: Checkout Sessions to take a payment, and webhooks
//! (`Stripe-Signature`) to learn the outcome. No SDK: a form-encoded POST and an HMAC.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::config::StripeConfig;
use crate::error::{Code, Error, Result};

/// How old a signed webhook may be (Stripe's documented default tolerance).
pub const TOLERANCE_SECS: i64 = 300;

pub struct Stripe {
    config: StripeConfig,
    http: reqwest::Client,
}

/// What a Checkout Session needs from the order.
pub struct SessionRequest<'a> {
    pub order_id: &'a str,
    pub course_title: &'a str,
    pub amount_minor: i64,
    /// ISO 4217, any case (Stripe wants lower case).
    pub currency: &'a str,
    pub customer_email: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// Unix seconds; Stripe accepts 30 minutes to 24 hours from now.
    pub expires_at: i64,
}

#[derive(Debug, Deserialize)]
pub struct Session {
    pub id: String,
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    #[serde(default)]
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
}

/// What a refund is of.
pub struct RefundRequest<'a> {
    pub payment_intent: &'a str,
    pub amount_minor: i64,
    pub order_id: &'a str,
    /// Unique per refund: the order and the running total asked.
    pub idempotency_key: &'a str,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Stripe {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("an HTTP client with default settings builds");
        Stripe { config, http }
    }

    /// Creates a Checkout Session in `payment` mode. The order id is the idempotency key, so
    /// a retried request gets the same session rather than a second one.
    pub async fn create_session(&self, req: &SessionRequest<'_>) -> Result<Session> {
        let amount = req.amount_minor.to_string();
        let currency = req.currency.to_ascii_lowercase();
        let expires_at = req.expires_at.to_string();
        let form: [(&str, &str); 12] = [
            ("mode", "payment"),
            ("client_reference_id", req.order_id),
            ("metadata[order_id]", req.order_id),
            ("customer_email", req.customer_email),
            ("success_url", req.success_url),
            ("cancel_url", req.cancel_url),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", &currency),
            ("line_items[0][price_data][unit_amount]", &amount),
            ("line_items[0][price_data][product_data][name]", req.course_title),
            ("payment_intent_data[metadata][order_id]", req.order_id),
            ("expires_at", &expires_at),
        ];
        let res = self
            .http
            .post(format!("{}/v1/checkout/sessions", self.config.api_base))
            .bearer_auth(self.config.secret_key.expose_str())
            .header("Idempotency-Key", format!("checkout-{}", req.order_id))
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable(&format!("Stripe could not be reached: {e}")))?;
        let status = res.status();
        if !status.is_success() {
            // Stripe's error body names the problem; it carries no secret.
            let body = res.text().await.unwrap_or_default();
            tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "Stripe refused a checkout session");
            return Err(unavailable("Stripe refused the checkout"));
        }
        res.json::<Session>()
            .await
            .map_err(|e| unavailable(&format!("Stripe's answer was not understood: {e}")))
    }

    /// Checks `Stripe-Signature` over the raw body and parses the event.
    /// Asks Stripe to give (part of) a payment back. The order changes when `charge.refunded`
    /// confirms it.
    pub async fn refund(&self, req: &RefundRequest<'_>) -> Result<()> {
        let amount = req.amount_minor.to_string();
        let form = [
            ("payment_intent", req.payment_intent),
            ("amount", amount.as_str()),
            ("metadata[order_id]", req.order_id),
        ];
        let res = self
            .http
            .post(format!("{}/v1/refunds", self.config.api_base))
            .bearer_auth(self.config.secret_key.expose_str())
            .header("Idempotency-Key", req.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable(&format!("Stripe could not be reached: {e}")))?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "Stripe refused a refund");
            return Err(unavailable("Stripe refused the refund"));
        }
        Ok(())
    }

    /// A Checkout Session read back from Stripe, to heal a webhook that never came (`None`:
    /// Stripe does not know it).
    pub async fn get_session(&self, id: &str) -> Result<Option<Session>> {
        self.read("checkout/sessions", id, "checkout session").await
    }

    /// Reads an object of Stripe's API by id (`kind`: the path after `/v1/`); `None` when Stripe
    /// does not know it. An id that is not Stripe-shaped is never sent: it must not shape the URL.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
        what: &str,
    ) -> Result<Option<T>> {
        if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Ok(None);
        }
        let res = self
            .http
            .get(format!("{}/v1/{kind}/{id}", self.config.api_base))
            .bearer_auth(self.config.secret_key.expose_str())
            .send()
            .await
            .map_err(|e| unavailable(&format!("Stripe could not be reached: {e}")))?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !res.status().is_success() {
            return Err(unavailable(&format!("Stripe did not show the {what}")));
        }
        res.json::<T>()
            .await
            .map(Some)
            .map_err(|e| unavailable(&format!("Stripe's answer was not understood: {e}")))
    }

    /// The order id a PaymentIntent carries (`metadata.order_id`, set at checkout), for events
    /// that name only the PaymentIntent and come before Lectern learnt it (a dispute).
    pub async fn order_of_payment_intent(&self, id: &str) -> Result<Option<String>> {
        let pi: Option<serde_json::Value> = self.read("payment_intents", id, "payment").await?;
        Ok(pi.and_then(|pi| pi["metadata"]["order_id"].as_str().map(str::to_owned)))
    }

    pub fn verify(&self, header: Option<&str>, body: &[u8], now_secs: i64) -> Result<Event> {
        verify_signature(self.config.webhook_secret.expose(), header, body, now_secs)?;
        serde_json::from_slice(body).map_err(|e| Error::Malformed(format!("not a Stripe event: {e}")))
    }
}

fn unavailable(why: &str) -> Error {
    Error::Unavailable(why.to_owned())
}

fn bad_signature(why: &str) -> Error {
    Error::BadRequest { code: Code::InvalidSignature, detail: why.to_owned() }
}

/// `t=<unix>,v1=<hex>[,v1=<hex>...]`: HMAC-SHA256 of `"<t>.<body>"` with the endpoint secret,
/// compared in constant time with every `v1` (several while a secret is being rolled), and `t`
/// no further than the tolerance from now.
pub fn verify_signature(secret: &[u8], header: Option<&str>, body: &[u8], now_secs: i64) -> Result<()> {
    let header = header.ok_or_else(|| bad_signature("Stripe-Signature is missing."))?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => {
                if let Some(bytes) = from_hex(sig) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or_else(|| bad_signature("Stripe-Signature has no timestamp."))?;
    if (now_secs - t).abs() > TOLERANCE_SECS {
        return Err(bad_signature("Stripe-Signature is too old."));
    }
    let valid = signatures.iter().any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(sig).is_ok()
    });
    if valid { Ok(()) } else { Err(bad_signature("Stripe-Signature does not match.")) }
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// The signature header Stripe would send (for the local stand-in in tests and benches).
pub fn sign(secret: &[u8], body: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// A webhook event: only the fields Lectern acts on.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";

    #[test]
    fn a_signed_body_verifies_and_any_change_does_not() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(SECRET, body, 1_000);
        assert!(verify_signature(SECRET, Some(&header), body, 1_000).is_ok());
        assert!(verify_signature(SECRET, Some(&header), body, 1_000 + TOLERANCE_SECS).is_ok());
        assert!(verify_signature(SECRET, Some(&header), br#"{"id":"evt_2"}"#, 1_000).is_err());
        assert!(verify_signature(b"other", Some(&header), body, 1_000).is_err());
        assert!(verify_signature(SECRET, Some(&header), body, 1_000 + TOLERANCE_SECS + 1).is_err());
        assert!(verify_signature(SECRET, None, body, 1_000).is_err());
        assert!(verify_signature(SECRET, Some("v1=00"), body, 1_000).is_err());
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        let body = b"{}";
        let good = sign(SECRET, body, 50);
        let v1 = good.split(",v1=").nth(1).unwrap();
        let header = format!("t=50,v1={},v1={v1},v0=ignored", "ab".repeat(32));
        assert!(verify_signature(SECRET, Some(&header), body, 60).is_ok());
    }
}
