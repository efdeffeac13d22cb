//! Static assets (`web/static`), embedded in the binary. Each is served under a content-hashed
//! name (`app.1f3a9c2b7d.css`, cached for a year) and under its plain name (revalidated by ETag);
//! templates always link the hashed one, so a new binary never serves a stale stylesheet.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/static/"]
struct Files;

pub struct Assets {
    /// Plain name → hashed URL (`/static/app.<hash>.css`).
    urls: HashMap<String, String>,
    /// Hashed file name → plain name.
    by_hashed: HashMap<String, String>,
    /// Plain name → its hash (the ETag).
    hashes: HashMap<String, String>,
    /// A hash over every asset: the service worker's cache version.
    pub version: String,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(Assets::load);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Assets {
    fn load() -> Assets {
        let mut urls = HashMap::new();
        let mut by_hashed = HashMap::new();
        let mut hashes = HashMap::new();
        let mut all = Vec::new();
        let mut names: Vec<String> = Files::iter().map(|n| n.into_owned()).collect();
        names.sort();
        for name in names {
            let file = Files::get(&name).expect("listed files exist");
            let hash = hex(&file.metadata.sha256_hash()[..5]);
            all.extend_from_slice(hash.as_bytes());
            let hashed = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{name}.{hash}"),
            };
            urls.insert(name.clone(), format!("/static/{hashed}"));
            by_hashed.insert(hashed, name.clone());
            hashes.insert(name, hash);
        }
        use sha2::Digest;
        let version = hex(&sha2::Sha256::digest(&all)[..6]);
        Assets { urls, by_hashed, hashes, version }
    }

    /// The URL to link for an asset. An unknown name is a bug in a template: it links the plain
    /// path, which answers 404.
    pub fn url(&self, name: &str) -> String {
        self.urls.get(name).cloned().unwrap_or_else(|| format!("/static/{name}"))
    }

    /// The hashed URLs of what the service worker precaches.
    pub fn precache(&self) -> Vec<String> {
        ["app.css", "app.js", "icon.svg"].iter().map(|n| self.url(n)).collect()
    }
}

pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let assets = &*ASSETS;
    let (name, immutable) = match assets.by_hashed.get(&file) {
        Some(plain) => (plain.as_str(), true),
        None => (file.as_str(), false),
    };
    let Some(body) = Files::get(name) else {
        return crate::error::Error::NotFound.into_response();
    };
    let etag = format!("\"{}\"", assets.hashes.get(name).map_or("", String::as_str));
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, no-cache" };
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    if super::etag_matches(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    (h, body.data.into_owned()).into_response()
}

/// `GET /sw.js`: the service worker, at the root so its scope is the whole site, with the
/// hashed asset list prepended.
pub async fn service_worker() -> Response {
    let assets = &*ASSETS;
    let body = Files::get("sw.js").map(|f| f.data.into_owned()).unwrap_or_default();
    let list: Vec<String> = assets.precache();
    let script = format!(
        "const VERSION = {};\nconst ASSETS = {};\n{}",
        serde_json::to_string(&assets.version).expect("a string"),
        serde_json::to_string(&list).expect("strings"),
        String::from_utf8_lossy(&body)
    );
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], script)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_extension_and_map_back() {
        let url = ASSETS.url("app.css");
        let file = url.strip_prefix("/static/").unwrap();
        assert!(file.starts_with("app.") && file.ends_with(".css") && file.len() > "app.css".len());
        assert_eq!(ASSETS.by_hashed.get(file).map(String::as_str), Some("app.css"));
    }
}
