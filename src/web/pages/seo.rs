//! For search engines and installs: sitemap.xml, robots.txt, the web app manifest, favicon.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::Result;
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

/// Every published course and every category with courses, plus the public entry pages.
pub async fn sitemap(State(app): State<AppState>) -> Result<Response> {
    let base = app.config.public_url.trim_end_matches('/').to_owned();
    let mut urls: Vec<(String, Option<String>)> =
        vec![(format!("{base}/"), None), (format!("{base}/courses"), None)];
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
            Some(c) if urls.len() < 50_000 => cursor = Some(c),
            _ => break,
        }
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        xml.push_str("<url><loc>");
        xml.push_str(&xml_escape(&loc));
        xml.push_str("</loc>");
        if let Some(m) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&xml_escape(&m));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Ok(([(CONTENT_TYPE, "application/xml; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], xml)
        .into_response())
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
