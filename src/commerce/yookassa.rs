//! YooKassa through its documented v3 HTTP API: a payment with redirect confirmation (and a
//! 54-FZ receipt) to take the money, and its notifications to learn the outcome.
//!
//! Notifications carry no signature. They are believed only from YooKassa's networks
//! ([`YooKassa::trusts`]), and even then only as a hint: the payment is read again from the API
//! with the shop's credentials and that answer is what counts. The secret key goes only into
//! the `Authorization` header: never into a log line or an error.

use std::net::IpAddr;

use serde::Deserialize;
use serde_json::json;

use crate::config::YooKassaConfig;
use crate::error::{Error, Result};

/// YooKassa's limit on a payment's `description` and on a receipt item's `description`.
const DESCRIPTION_MAX_CHARS: usize = 128;

pub struct YooKassa {
    config: YooKassaConfig,
    http: reqwest::Client,
}

/// What a payment needs from the order.
pub struct PaymentRequest<'a> {
    pub order_id: &'a str,
    pub course_title: &'a str,
    pub amount_minor: i64,
    /// ISO 4217 (YooKassa wants upper case).
    pub currency: &'a str,
    /// The buyer's, for the 54-FZ receipt.
    pub customer_email: &'a str,
    /// Where YooKassa sends the buyer back after paying (or not).
    pub return_url: &'a str,
}

/// A payment as YooKassa describes it: only the fields Lectern acts on.
#[derive(Debug, Deserialize)]
pub struct Payment {
    pub id: String,
    /// `pending`, `waiting_for_capture`, `succeeded` or `canceled`.
    pub status: String,
    #[serde(default)]
    pub paid: bool,
    pub amount: Amount,
    #[serde(default)]
    pub confirmation: Option<Confirmation>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// What has been refunded of it so far, in all.
    #[serde(default)]
    pub refunded_amount: Option<Amount>,
}

/// A refund as YooKassa shows it.
#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    pub payment_id: String,
    /// `pending`, `succeeded` or `canceled`.
    pub status: String,
}

/// What a refund is of.
pub struct RefundRequest<'a> {
    pub payment_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub course_title: &'a str,
    pub customer_email: &'a str,
    /// Unique per refund: the order and the running total asked.
    pub idempotence_key: &'a str,
}

#[derive(Debug, Deserialize)]
pub struct Amount {
    /// Major units as a decimal string: `"4900.00"`.
    pub value: String,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    pub confirmation_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub order_id: Option<String>,
}

/// A notification's envelope: which event, about which object. Nothing else in it is believed.
#[derive(Debug, Deserialize)]
pub struct Notification {
    pub event: String,
    pub object: NotificationObject,
}

#[derive(Debug, Deserialize)]
pub struct NotificationObject {
    pub id: String,
}

impl Notification {
    pub fn parse(body: &[u8]) -> Result<Notification> {
        serde_json::from_slice(body)
            .map_err(|e| Error::Malformed(format!("not a YooKassa notification: {e}")))
    }
}

impl YooKassa {
    pub fn new(config: YooKassaConfig) -> YooKassa {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("an HTTP client with default settings builds");
        YooKassa { config, http }
    }

    /// Whether a notification from `ip` may be looked at (IPv4-mapped IPv6 counts as IPv4).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.config.networks.iter().any(|n| n.contains(&ip))
    }

    /// Creates a payment (captured at once, confirmed on YooKassa's page) with a 54-FZ receipt of
    /// one `service` item. The Idempotence-Key is derived from the order id, so a retried request
    /// gets the same payment rather than a second one.
    pub async fn create_payment(&self, req: &PaymentRequest<'_>) -> Result<Payment> {
        let body = payment_body(req, self.config.vat_code)?;
        let res = self
            .http
            .post(format!("{}/payments", self.config.api_base))
            .basic_auth(&self.config.shop_id, Some(self.config.secret_key.expose_str()))
            .header("Idempotence-Key", idempotence_key(req.order_id))
            .json(&body)
            .send()
            .await
            .map_err(|e| unavailable(&format!("YooKassa could not be reached: {e}")))?;
        let status = res.status();
        if !status.is_success() {
            // YooKassa's error body names the problem (`code`, `description`, `parameter`); it
            // carries no secret.
            let body = res.text().await.unwrap_or_default();
            tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "YooKassa refused a payment");
            return Err(unavailable("YooKassa refused the payment"));
        }
        res.json::<Payment>()
            .await
            .map_err(|e| unavailable(&format!("YooKassa's answer was not understood: {e}")))
    }

    /// Reads a payment; `None` if YooKassa does not know it (a forged or foreign id).
    pub async fn get_payment(&self, id: &str) -> Result<Option<Payment>> {
        if !plain_id(id) {
            return Ok(None);
        }
        self.read(&format!("payments/{id}"), "payment").await
    }

    /// Reads an object of YooKassa's API (`path` after the base); `None` when it answers 404.
    async fn read<T: serde::de::DeserializeOwned>(&self, path: &str, what: &str) -> Result<Option<T>> {
        let res = self
            .http
            .get(format!("{}/{path}", self.config.api_base))
            .basic_auth(&self.config.shop_id, Some(self.config.secret_key.expose_str()))
            .send()
            .await
            .map_err(|e| unavailable(&format!("YooKassa could not be reached: {e}")))?;
        let status = res.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "YooKassa refused to show a {what}");
            return Err(unavailable(&format!("YooKassa did not show the {what}")));
        }
        res.json::<T>()
            .await
            .map(Some)
            .map_err(|e| unavailable(&format!("YooKassa's answer was not understood: {e}")))
    }
}

impl YooKassa {
    /// Asks YooKassa to give money back, with the 54-FZ refund receipt of the same one service.
    pub async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refund> {
        let amount = json!({
            "value": minor_to_major(req.amount_minor),
            "currency": req.currency.to_ascii_uppercase(),
        });
        let body = json!({
            "payment_id": req.payment_id,
            "amount": amount,
            "receipt": {
                "customer": {"email": req.customer_email},
                "items": [{
                    "description": truncate(req.course_title, DESCRIPTION_MAX_CHARS),
                    "quantity": "1.00",
                    "amount": amount,
                    "vat_code": self.config.vat_code,
                    "payment_subject": "service",
                    "payment_mode": "full_payment",
                }],
            },
        });
        let res = self
            .http
            .post(format!("{}/refunds", self.config.api_base))
            .basic_auth(&self.config.shop_id, Some(self.config.secret_key.expose_str()))
            .header("Idempotence-Key", req.idempotence_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| unavailable(&format!("YooKassa could not be reached: {e}")))?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "YooKassa refused a refund");
            return Err(unavailable("YooKassa refused the refund"));
        }
        res.json::<Refund>()
            .await
            .map_err(|e| unavailable(&format!("YooKassa's answer was not understood: {e}")))
    }

    /// A refund read back from YooKassa (`None`: it does not know it).
    pub async fn get_refund(&self, id: &str) -> Result<Option<Refund>> {
        if !plain_id(id) {
            return Ok(None);
        }
        self.read(&format!("refunds/{id}"), "refund").await
    }
}

/// YooKassa's ids are UUID-like; anything else is not one of ours and must not shape a URL.
fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The same key for every attempt at one order's payment (YooKassa allows 64 characters).
pub fn idempotence_key(order_id: &str) -> String {
    format!("lectern-order-{order_id}")
}

/// The body of `POST /payments`.
fn payment_body(req: &PaymentRequest<'_>, vat_code: u8) -> Result<serde_json::Value> {
    if req.amount_minor <= 0 {
        return Err(Error::Internal(anyhow::anyhow!(
            "a YooKassa payment of {} minor units",
            req.amount_minor
        )));
    }
    let amount = json!({
        "value": minor_to_major(req.amount_minor),
        "currency": req.currency.to_ascii_uppercase(),
    });
    Ok(json!({
        "amount": amount,
        "capture": true,
        "confirmation": {"type": "redirect", "return_url": req.return_url},
        "description": truncate(req.course_title, DESCRIPTION_MAX_CHARS),
        "metadata": {"order_id": req.order_id},
        "receipt": {
            "customer": {"email": req.customer_email},
            "items": [{
                "description": truncate(req.course_title, DESCRIPTION_MAX_CHARS),
                "quantity": "1.00",
                "amount": amount,
                "vat_code": vat_code,
                "payment_subject": "service",
                "payment_mode": "full_payment",
            }],
        },
    }))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

fn unavailable(why: &str) -> Error {
    Error::Unavailable(why.to_owned())
}

/// Minor units as YooKassa writes an amount: `490000` → `"4900.00"`, `1` → `"0.01"`. Every
/// currency Lectern prices in has two decimals. Integer arithmetic only.
pub fn minor_to_major(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// An amount YooKassa wrote (`"4900.00"`, `"0.5"`, `"12"`) in minor units; `None` for anything
/// that is not a non-negative decimal with at most two decimals, or that overflows.
pub fn major_to_minor(value: &str) -> Option<i64> {
    let (units, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || (value.contains('.') && !digits(fraction)) || fraction.len() > 2 {
        return None;
    }
    let cents = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse::<i64>().ok()?,
    };
    units.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn minor_units_become_yookassa_amounts_and_back_exactly() {
        for (minor, major) in [
            (0, "0.00"),
            (1, "0.01"),
            (10, "0.10"),
            (99, "0.99"),
            (100, "1.00"),
            (4900, "49.00"),
            (490_000, "4900.00"),
            (100_000_000, "1000000.00"),
            (12_345_678_901, "123456789.01"),
        ] {
            assert_eq!(minor_to_major(minor), major);
            assert_eq!(major_to_minor(major), Some(minor), "{major}");
        }
        assert_eq!(minor_to_major(-150), "-1.50");
        assert_eq!(major_to_minor("4900"), Some(490_000));
        assert_eq!(major_to_minor("0.5"), Some(50));
        for bad in ["", ".", "1.", ".50", "1.001", "-1.00", "+1.00", "1,00", " 1.00", "1e3", "1.0.0", "NaN"] {
            assert_eq!(major_to_minor(bad), None, "{bad:?}");
        }
        assert_eq!(major_to_minor("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(major_to_minor("92233720368547758.08"), None, "overflow");
        assert_eq!(major_to_minor("99999999999999999999.00"), None, "overflow");
    }

    #[test]
    fn a_payment_asks_for_capture_redirect_and_a_receipt_of_one_service() {
        let title = "Р".repeat(200);
        let req = PaymentRequest {
            order_id: "01JD3Z6Q8K5V4T2N1M0P9R8S7A",
            course_title: &title,
            amount_minor: 490_000,
            currency: "rub",
            customer_email: "buyer@school.test",
            return_url: "https://school.test/orders/01JD3Z6Q8K5V4T2N1M0P9R8S7A",
        };
        let body = payment_body(&req, 4).unwrap();
        assert_eq!(body["amount"], json!({"value": "4900.00", "currency": "RUB"}));
        assert_eq!(body["capture"], true);
        assert_eq!(body["confirmation"]["type"], "redirect");
        assert_eq!(body["metadata"]["order_id"], req.order_id);
        assert_eq!(body["description"].as_str().unwrap().chars().count(), 128);
        let item = &body["receipt"]["items"][0];
        assert_eq!(item["description"].as_str().unwrap().chars().count(), 128);
        assert_eq!((item["vat_code"].as_u64(), item["quantity"].as_str()), (Some(4), Some("1.00")));
        assert_eq!(item["amount"], body["amount"]);
        assert_eq!(body["receipt"]["customer"]["email"], "buyer@school.test");
        assert!(payment_body(&PaymentRequest { amount_minor: 0, ..req }, 1).is_err());
        assert!(idempotence_key("01JD3Z6Q8K5V4T2N1M0P9R8S7A").len() <= 64);
    }

    #[test]
    fn only_the_configured_networks_are_trusted() {
        let yk = YooKassa::new(YooKassaConfig {
            shop_id: "1".into(),
            secret_key: Secret::new(b"test_key".to_vec()),
            api_base: "http://127.0.0.1:1".into(),
            networks: YooKassaConfig::published_networks(),
            vat_code: 1,
        });
        for inside in ["185.71.76.1", "77.75.156.11", "::ffff:185.71.77.30", "2a02:5180:1::7"] {
            assert!(yk.trusts(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["185.71.76.32", "77.75.156.12", "127.0.0.1", "2a02:5181::1"] {
            assert!(!yk.trusts(outside.parse().unwrap()), "{outside}");
        }
    }
}
