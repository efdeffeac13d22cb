//! Rich text: Markdown (which may contain HTML) in, HTML that cannot run script out.
//!
//! Every rich-text field (course description, lesson body, review text, profile bio) passes
//! through here before it is stored. Markdown is rendered with pulldown-cmark, then the HTML is
//! cleaned by ammonia with an allow-list: no `<script>`/`<style>`, no event handlers, no
//! `javascript:`/`data:` URLs, no SVG or MathML, links open safely. Cleaning is idempotent:
//! cleaning the output again changes nothing.

use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::Builder;
use pulldown_cmark::{Options, Parser, html};

fn builder(tags: &[&'static str]) -> Builder<'static> {
    let mut b = Builder::empty();
    b.add_tags(tags.iter().copied())
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title", "width", "height"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("th", ["align"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .strip_comments(true);
    b
}

const BLOCKS: &[&str] = &[
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "kbd",
    "mark",
];

const INLINE: &[&str] = &[
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
];

/// Course descriptions, lesson bodies: headings, lists, code, tables, images.
static DOCUMENT: LazyLock<Builder<'static>> = LazyLock::new(|| builder(BLOCKS));
/// Reviews and short texts: paragraphs, emphasis, lists and links only.
static SHORT: LazyLock<Builder<'static>> = LazyLock::new(|| builder(INLINE));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Document,
    Short,
}

fn policy(p: Profile) -> &'static Builder<'static> {
    match p {
        Profile::Document => &DOCUMENT,
        Profile::Short => &SHORT,
    }
}

/// Renders Markdown (with optional inline HTML) to safe HTML.
pub fn render_markdown(md: &str, profile: Profile) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(md.len() + md.len() / 4);
    html::push_html(&mut raw, Parser::new_ext(md, opts));
    clean(&raw, profile)
}

/// Cleans HTML with the allow-list of `profile`.
pub fn clean(html: &str, profile: Profile) -> String {
    policy(profile).clean(html).to_string()
}

/// The words of an HTML fragment without its markup (for search and descriptions in meta tags).
pub fn plain_text(html: &str) -> String {
    plain_text_opening(html, usize::MAX)
}

/// The first `max_chars` characters of [`plain_text`], reading only as much of `html` as
/// they need (search snippets look at a description's opening only).
pub fn plain_text_opening(html: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(html.len().min(max_chars.saturating_mul(2)));
    let mut in_tag = false;
    // Entities and runs of spaces shrink: read a margin past the characters kept.
    let budget = max_chars.saturating_mul(2).saturating_add(64);
    let mut taken = 0usize;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => {
                out.push(c);
                taken += 1;
                if taken >= budget {
                    break;
                }
            }
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut text = String::with_capacity(decoded.len());
    let mut chars = 0usize;
    for word in decoded.split_whitespace() {
        if !text.is_empty() {
            text.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= max_chars {
                return text;
            }
            text.push(c);
            chars += 1;
        }
    }
    text
}

/// Test support: known XSS vectors and a check for executable output (used by the API tests).
#[doc(hidden)]
pub mod xss {
    /// Known XSS vectors: none may survive as something a browser would execute.
    pub const PAYLOADS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<svg onload=alert(1)><circle r=1></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<iframe src=\"https://evil.test\"></iframe>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<body onload=alert(1)>",
        "<object data=\"x.swf\"></object>",
        "<embed src=\"x.swf\">",
        "<form action=\"https://evil.test\"><input name=p></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test\">",
        "<base href=\"https://evil.test/\">",
        "<style>@import 'https://evil.test/x.css';</style>",
        "<details open ontoggle=alert(1)>",
        "<img src=\"x\" srcset=\"javascript:alert(1)\">",
        "[click](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "<scr<script>ipt>alert(1)</script>",
        "<<script>script>alert(1)//<</script>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<textarea><script>alert(1)</script></textarea>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    ];

    /// What a browser could execute: dangerous tags, or dangerous attributes and URLs *inside*
    /// tags. (Text such as "javascript:" between tags is shown, not run.)
    pub fn looks_executable(html: &str) -> Option<&'static str> {
        let lower = html.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
            let tag = &rest[start..end];
            for bad in [
                "<script",
                "<svg",
                "<math",
                "<iframe",
                "<object",
                "<embed",
                "<form",
                "<meta",
                "<base",
                "<style",
                "<textarea",
                "<input",
                "<link",
                "javascript:",
                "vbscript:",
                "data:",
                " on",
                "style=",
                "srcset",
            ] {
                if tag.contains(bad) {
                    return Some(bad);
                }
            }
            rest = &rest[end..];
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::xss::{PAYLOADS, looks_executable};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_payloads_come_out_harmless() {
        for p in PAYLOADS {
            for profile in [Profile::Document, Profile::Short] {
                let out = render_markdown(p, profile);
                assert_eq!(looks_executable(&out), None, "{p} -> {out}");
                let out = clean(p, profile);
                assert_eq!(looks_executable(&out), None, "{p} -> {out}");
            }
        }
    }

    #[test]
    fn markdown_keeps_its_meaning() {
        let html = render_markdown(
            "### Step 1\n\nUse **bold** and `code`:\n\n```rust\nfn main() {}\n```\n\n- a\n- b\n\n[docs](https://docs.rs)",
            Profile::Document,
        );
        assert!(html.contains("<h3>Step 1</h3>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<pre><code class=\"language-rust\">"));
        assert!(html.contains("<li>a</li>"));
        assert!(
            html.contains("<a href=\"https://docs.rs\" rel=\"noopener noreferrer nofollow ugc\">docs</a>")
        );
    }

    #[test]
    fn short_texts_lose_images_and_headings_but_keep_words() {
        let html = render_markdown("## Big\n\n![x](https://i.test/a.png) Great *course*", Profile::Short);
        assert!(!html.contains("<h2") && !html.contains("<img"));
        assert!(html.contains("Big") && html.contains("<em>course</em>"));
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain_text("<p>Hello <b>world</b> &amp; you</p>"), "Hello world & you");
    }

    proptest! {
        #[test]
        fn cleaning_is_idempotent(s in ".{0,200}") {
            for profile in [Profile::Document, Profile::Short] {
                let once = render_markdown(&s, profile);
                prop_assert_eq!(clean(&once, profile), once.clone());
            }
        }

        #[test]
        fn payloads_in_noise_stay_harmless(pre in "[a-z <>=\"']{0,20}", i in 0..PAYLOADS.len(), post in "[a-z <>=\"']{0,20}") {
            let s = format!("{pre}{}{post}", PAYLOADS[i]);
            prop_assert_eq!(looks_executable(&render_markdown(&s, Profile::Document)), None);
        }
    }
}
