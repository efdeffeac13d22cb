//! Our own extractors: the same problem+json for malformed input as for every other error.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr};

use crate::error::{Error, FieldError};

/// JSON in and out; a body is a JSON object. Rejections become 400 / 413 / 415 / 422 problems.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let axum::Json(mut value) =
            axum::Json::<serde_json::Value>::from_request(req, state).await.map_err(json_rejection)?;
        // Every body is an object; serde would also read a struct from an array of its fields.
        if !value.is_object() {
            return Err(Error::validation("body", "must be a JSON object"));
        }
        if let Ok(v) = T::deserialize(&value) {
            return Ok(Json(v));
        }
        // `2.0` is an integer to JSON Schema, so to the OpenAPI document, but not to serde: read
        // whole numbers written with a fraction as integers. Read again through axum, whose
        // errors name the field.
        whole_floats_as_integers(&mut value);
        let bytes = serde_json::to_vec(&value).map_err(|e| Error::Internal(e.into()))?;
        axum::Json::<T>::from_bytes(&bytes).map(|axum::Json(v)| Json(v)).map_err(json_rejection)
    }
}

/// Turns every number with no fractional part (`2.0`, `1e3`) into an integer.
fn whole_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                // `as` saturates; the range checks keep only exact conversions.
                if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    *n = (f as u64).into();
                } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                    *n = (f as i64).into();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_floats_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

fn json_rejection(rej: JsonRejection) -> Error {
    match rej {
        JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
        JsonRejection::JsonDataError(e) => Error::Validation(vec![FieldError::new("body", e.body_text())]),
        JsonRejection::JsonSyntaxError(_) => Error::Malformed("The body is not valid JSON.".into()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        other => Error::Malformed(other.body_text()),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut res = axum::Json(self.0).into_response();
        res.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        res
    }
}

/// Query strings; a bad one is a 400 problem.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| Error::Malformed(e.body_text()))
    }
}

/// The client's address, as decided by the `client_ip` middleware (trusted proxies only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        Ok(parts.extensions.get::<ClientIp>().copied().unwrap_or(ClientIp(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;
    use axum::http::header::COOKIE;
    use serde_json::json;

    #[test]
    fn finds_cookies_among_many() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, "a=1; lectern_access=tok; b=2".parse().unwrap());
        h.append(COOKIE, "c=3".parse().unwrap());
        assert_eq!(cookie(&h, "lectern_access"), Some("tok"));
        assert_eq!(cookie(&h, "c"), Some("3"));
        assert_eq!(cookie(&h, "lectern"), None);
    }

    #[test]
    fn whole_floats_read_as_integers_and_fractions_stay() {
        let mut v = json!({"a": 2.0, "b": [1e3, -4.0, 0.5], "c": {"d": 1.5e300, "e": 7}, "f": -0.0});
        whole_floats_as_integers(&mut v);
        assert_eq!(v, json!({"a": 2, "b": [1000, -4, 0.5], "c": {"d": 1.5e300, "e": 7}, "f": 0}));
        assert!(v["a"].is_u64() && v["b"][1].is_i64());
    }
}
