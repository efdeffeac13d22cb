//! `Reply`: what one request answered, read whole, with the assertions the tests repeat.

use std::fmt;

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// One answer: status, headers and body (as text, and as JSON when it is JSON, else `Null`).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The request, for messages: `"PATCH /api/v1/courses/01J…"`.
    pub request: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Reply {
    pub async fn read(request: String, res: Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap_or_else(|e| panic!("{request}: reading the body: {e}"));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { request, status, headers, json, text }
    }

    /// Fails (showing the request and the body) unless the status is `expected`.
    #[track_caller]
    pub fn assert_status(self, expected: StatusCode) -> Reply {
        assert_eq!(self.status, expected, "{self}");
        self
    }

    /// Fails unless this is an RFC 9457 problem (`application/problem+json` with `type`, `title`,
    /// `detail` and a `status` equal to the HTTP status) with status `expected`.
    #[track_caller]
    pub fn assert_problem(self, expected: StatusCode) -> Reply {
        assert_eq!(self.status, expected, "{self}");
        assert_eq!(self.header(CONTENT_TYPE.as_str()), Some("application/problem+json"), "{self}");
        assert_eq!(self.json["status"], expected.as_u16(), "{self}");
        assert!(
            self.json["type"].is_string()
                && self.json["title"].is_string()
                && self.json["detail"].is_string(),
            "{self}"
        );
        self
    }

    /// [`assert_problem`](Self::assert_problem), and its `code` is `code`.
    #[track_caller]
    pub fn assert_code(self, expected: StatusCode, code: &str) -> Reply {
        let r = self.assert_problem(expected);
        assert_eq!(r.problem_code(), Some(code), "{r}");
        r
    }

    /// The stable `code` of a problem body.
    pub fn problem_code(&self) -> Option<&str> {
        self.json["code"].as_str()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("a text header"))
    }

    /// Where a 201 or a redirect points ("" when nowhere).
    pub fn location(&self) -> &str {
        self.header(LOCATION.as_str()).unwrap_or_default()
    }

    /// The `id` of the JSON body.
    #[track_caller]
    pub fn id(&self) -> String {
        self.str("id").to_owned()
    }

    /// A string field of the JSON body.
    #[track_caller]
    pub fn str(&self, field: &str) -> &str {
        self.json[field].as_str().unwrap_or_else(|| panic!("no string `{field}` in {self}"))
    }
}

impl std::ops::Index<&str> for Reply {
    type Output = Value;

    fn index(&self, field: &str) -> &Value {
        &self.json[field]
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 2000;
        let body = match self.text.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &self.text[..cut]),
            None => self.text.clone(),
        };
        write!(f, "{} answered {}: {body}", self.request, self.status)
    }
}
