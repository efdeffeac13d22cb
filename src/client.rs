//! A tiny HTTP/1.1 client for the command line talking to a server on the same host
//! (`lectern health`, `lectern backup --server`). Plain HTTP only: it is meant for loopback.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, bail};

pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// `base` is `http://host:port`; `path` starts with `/`.
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    json: Option<&str>,
) -> anyhow::Result<Reply> {
    let Some(hostport) = base.trim_end_matches('/').strip_prefix("http://") else {
        bail!("{base}: only http:// URLs on this host are supported");
    };
    let mut stream = TcpStream::connect(hostport).with_context(|| format!("connecting to {hostport}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if let Some(t) = bearer {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").context("malformed HTTP response")?;
    let status: u16 =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("malformed status line")?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Ok(Reply { status, body })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
