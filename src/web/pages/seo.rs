//! For search engines and installs: sitemap.xml, robots.txt, the web app manifest, favicon.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::search::listing::{ListParams, list};
use crate::web::assets::ASSETS;
use crate::web::see_other;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The most URLs one sitemap file may hold (sitemaps.org); a bigger school gets a sitemap index.
const URLS_PER_SITEMAP: usize = 50_000;

type Url = (String, Option<String>);

/// Every published course and every category with courses, plus the public entry pages.
async fn urls(app: &AppState) -> Result<Vec<Url>> {
    let base = app.config.public_url.trim_end_matches('/').to_owned();
    let mut urls: Vec<Url> = vec![(format!("{base}/"), None), (format!("{base}/courses"), None)];
    for c in app.catalog.categories().await?.iter().filter(|c| c.course_count > 0) {
        urls.push((format!("{base}/categories/{}", c.slug), None));
    }
    let mut cursor = None;
    loop {
        let p = ListParams { limit: Some(100), cursor: cursor.take(), ..Default::default() };
        let page = list(&app.catalog, &app.search, p, None, "en").await?;
        for item in &page.items {
            urls.push((
                format!("{base}/courses/{}", item.course.slug),
                Some(item.course.updated_at.0.to_rfc3339()),
            ));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(urls)
}

fn urlset(urls: &[Url]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        xml.push_str("<url><loc>");
        xml.push_str(&xml_escape(loc));
        xml.push_str("</loc>");
        if let Some(m) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&xml_escape(m));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// A sitemap index naming `files` sitemaps: `/sitemaps/1.xml` ...
fn index(base: &str, files: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=files {
        xml.push_str(&format!("<sitemap><loc>{}/sitemaps/{n}.xml</loc></sitemap>\n", xml_escape(base)));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// What `/sitemap.xml` (`part: None`) or `/sitemaps/{n}.xml` holds: one urlset while the school
/// fits in one file, else an index and its parts of `per_file` URLs. `None`: no such part.
fn sitemap_body(base: &str, urls: &[Url], part: Option<usize>, per_file: usize) -> Option<String> {
    let files = urls.len().div_ceil(per_file).max(1);
    match part {
        None if files == 1 => Some(urlset(urls)),
        None => Some(index(base, files)),
        Some(n) if files > 1 && (1..=files).contains(&n) => {
            Some(urlset(&urls[(n - 1) * per_file..(n * per_file).min(urls.len())]))
        }
        Some(_) => None,
    }
}

fn xml_response(xml: impl Into<axum::body::Body>) -> Response {
    ([(CONTENT_TYPE, "application/xml; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], xml.into())
        .into_response()
}

/// A sitemap file (`part` as in [`sitemap_body`]) from the response cache while it is current:
/// listing every course is the costly part, and crawlers ask often. A course taken down leaves
/// it at once, as it leaves every cached page (see `respcache`).
async fn cached_sitemap(app: &AppState, path: &str, part: Option<usize>) -> Result<Response> {
    const KIND: &str = "xml";
    let tag = crate::respcache::freshness(app);
    if let Some(hit) = app.pages.get(path, KIND, tag) {
        return Ok(xml_response(hit.body.clone()));
    }
    let base = app.config.public_url.trim_end_matches('/').to_owned();
    let urls = urls(app).await?;
    match sitemap_body(&base, &urls, part, URLS_PER_SITEMAP) {
        Some(xml) => {
            let body = axum::body::Bytes::from(xml);
            app.pages.put(path, KIND, tag, body.clone(), crate::web::etag_of(&body));
            Ok(xml_response(body))
        }
        None => {
            app.pages.drop_entry(path, KIND);
            Err(Error::NotFound)
        }
    }
}

/// `/sitemap.xml`: the school's public pages, or the index of its sitemaps past 50,000 URLs.
pub async fn sitemap(State(app): State<AppState>) -> Result<Response> {
    cached_sitemap(&app, "/sitemap.xml", None).await
}

/// `/sitemaps/{n}.xml`: one part of a big school's sitemap.
pub async fn sitemap_part(State(app): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let n = file.strip_suffix(".xml").and_then(|n| n.parse::<usize>().ok()).ok_or(Error::NotFound)?;
    // A part past the last is refused before listing every course (crawlers guess).
    let courses =
        list(&app.catalog, &app.search, ListParams { limit: Some(1), ..Default::default() }, None, "en")
            .await?
            .total;
    let most_urls = courses + app.catalog.categories().await?.len() + 2;
    if n == 0 || n > most_urls.div_ceil(URLS_PER_SITEMAP) {
        return Err(Error::NotFound);
    }
    cached_sitemap(&app, &format!("/sitemaps/{n}.xml"), Some(n)).await
}

pub async fn robots(State(app): State<AppState>) -> Response {
    let base = app.config.public_url.trim_end_matches('/');
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /account\nDisallow: /wishlist\n\
         Disallow: /notifications\nDisallow: /lang/\n\nSitemap: {base}/sitemap.xml\n"
    );
    ([(CONTENT_TYPE, "text/plain; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

pub async fn manifest(State(app): State<AppState>) -> Response {
    let icon = |name: &str, size: &str, purpose: &str| serde_json::json!({"src": ASSETS.url(name), "sizes": size, "type": crate::web::assets::content_type(name), "purpose": purpose});
    let m = serde_json::json!({
        "name": app.config.school_name,
        "short_name": app.config.school_name.chars().take(12).collect::<String>(),
        "description": "Online courses",
        "start_url": "/learn",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#3730a3",
        "icons": [
            icon("icon-192.png", "192x192", "any"),
            icon("icon-512.png", "512x512", "any"),
            icon("icon-maskable-512.png", "512x512", "maskable"),
            icon("icon.svg", "any", "any"),
        ],
    });
    ([(CONTENT_TYPE, "application/manifest+json"), (CACHE_CONTROL, "public, max-age=3600")], m.to_string())
        .into_response()
}

pub async fn favicon() -> Response {
    see_other(&ASSETS.url("icon.svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(n: usize) -> Vec<Url> {
        (0..n).map(|i| (format!("https://s.test/courses/c{i}"), None)).collect()
    }

    #[test]
    fn a_small_school_has_one_sitemap_and_no_parts() {
        let u = urls(3);
        let xml = sitemap_body("https://s.test", &u, None, 3).unwrap();
        assert!(xml.contains("<urlset") && xml.matches("<url>").count() == 3);
        assert_eq!(sitemap_body("https://s.test", &u, Some(1), 3), None);
    }

    #[test]
    fn a_big_school_gets_an_index_and_parts_that_hold_every_url_once() {
        let u = urls(7);
        let index = sitemap_body("https://s.test", &u, None, 3).unwrap();
        assert!(index.contains("<sitemapindex"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        assert!(index.contains("<loc>https://s.test/sitemaps/3.xml</loc>"));
        let parts: Vec<String> =
            (1..=3).map(|n| sitemap_body("https://s.test", &u, Some(n), 3).unwrap()).collect();
        assert_eq!(parts.iter().map(|p| p.matches("<url>").count()).collect::<Vec<_>>(), [3, 3, 1]);
        assert!(parts[2].contains("/courses/c6<"));
        assert_eq!(sitemap_body("https://s.test", &u, Some(4), 3), None);
        assert_eq!(sitemap_body("https://s.test", &u, Some(0), 3), None);
    }
}
