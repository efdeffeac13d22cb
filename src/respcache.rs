//! The response cache: answers for visitors (rendered pages, public JSON), kept in memory so a
//! popular course page is rendered once, not once per request. Both the JSON API and the pages
//! use it; it depends on neither.
//!
//! An entry remembers the position (store + search index) it was rendered at. It is served while
//! nothing has changed since, and for [`FRESH_FOR`] after a change: under a steady stream of
//! writes (students completing lessons) a visitor's page lags by about a second, and each page is
//! rendered about once a second. Past that, one request re-renders while the others are still
//! served the previous version (stale-while-revalidate). Signed-in pages are never cached.
//!
//! Stale-while-revalidate is only for changes of content. A change that takes something out of
//! public view (see [`crate::cache::Withdrawals`]) ends every entry rendered before it at once,
//! and a re-render that answers anything but 200 drops the entry it was refreshing, so a course
//! taken down is gone for every visitor as soon as the write answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// What a cached answer is tagged with, read *before* rendering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// Moves whenever the store commits or the search index catches up (a listing rendered while
    /// the index lagged must not outlive the lag).
    position: u64,
    /// The withdrawals counted so far: an answer from before a withdrawal is never served.
    withdrawals: u64,
}

pub fn freshness(app: &crate::app::AppState) -> Tag {
    // The withdrawals first: one recorded after this read may still be missing from the
    // position, and then the entry is merely stale, never served past the withdrawal.
    let withdrawals = app.catalog.withdrawals().count();
    let store = *app.store.subscribe().borrow();
    Tag { position: store.wrapping_add(app.search.position()), withdrawals }
}

pub struct CachedPage {
    /// Shared with every response that serves it (a clone is a reference count, not a copy).
    pub body: axum::body::Bytes,
    pub etag: String,
    /// Unique per render: what a [`Replay`] was recorded from.
    pub serial: u64,
    tag: Tag,
    rendered: Instant,
    /// Milliseconds after `rendered` at which one request took on re-rendering (0: nobody).
    refreshing: AtomicU64,
}

/// How long the one request re-rendering a stale entry has before another may try.
const REFRESH_CLAIM: Duration = Duration::from_secs(2);

/// An answer's key in the cache: what it is (a path, `api:course:{id}`) and its language.
pub type PageKey = (String, &'static str);

/// Whether an answer's key is a search: its query string has a non-empty `q` (the API's
/// `api:courses?…` and the catalog page's `/courses?…` alike). Most of what students type is
/// asked once, so a search is kept only when asked again: keeping each would cost a copy and an
/// eviction per request and push the popular answers out (a flood of made-up queries would
/// empty the cache). Everything else is bounded by the content (a course, a catalog page) and
/// kept at once.
fn is_search(key: &str) -> bool {
    key.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|p| p.strip_prefix("q=").is_some_and(|v| !v.is_empty()))
    })
}

/// Remembers which searches were asked lately (see [`is_search`]): a fixed table of key hashes,
/// each asked key overwriting one slot. No lock and no allocation; a key pushed out by another
/// only costs one more render before it is kept.
struct Doorkeeper {
    slots: Box<[AtomicU64]>,
}

impl Doorkeeper {
    /// 2^14 slots (128 KiB): under 12,000 made-up searches a second a popular one is still
    /// remembered for more than a second; under a normal load, for minutes.
    const BITS: u32 = 14;

    fn new() -> Doorkeeper {
        Doorkeeper { slots: (0..1 << Self::BITS).map(|_| AtomicU64::new(0)).collect() }
    }

    /// Whether `key` was asked since its slot was last taken by another; remembers it either way.
    fn asked_before(&self, key: &PageKey) -> bool {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        key.hash(&mut hasher);
        // 0 marks an empty slot; the high bits pick the slot (FxHash mixes them best).
        let hash = hasher.finish() | 1;
        let slot = &self.slots[(hash >> (64 - Self::BITS)) as usize];
        slot.swap(hash, Ordering::Relaxed) == hash
    }
}

pub struct PageCache {
    pages: Option<moka::sync::Cache<PageKey, Arc<CachedPage>>>,
    doorkeeper: Doorkeeper,
    /// Requests already answered from the cache once, by what they asked (see [`Replay`]).
    replays: Option<moka::sync::Cache<Box<[u8]>, Arc<Replay>>>,
    serials: AtomicU64,
    pub counted: Outcomes,
}

/// `lectern_page_cache_total` by result: handles kept rather than looked up by name on every
/// cached answer.
pub struct Outcomes {
    pub hit: metrics::Counter,
    pub stale: metrics::Counter,
    pub refresh: metrics::Counter,
    pub withdrawn: metrics::Counter,
    pub replayed: metrics::Counter,
    /// Rendered and not kept: a search asked for the first time lately (see [`is_search`]).
    pub once: metrics::Counter,
}

impl Outcomes {
    fn new() -> Outcomes {
        let counter =
            |result: &'static str| metrics::counter!("lectern_page_cache_total", "result" => result);
        Outcomes {
            hit: counter("hit"),
            stale: counter("stale"),
            refresh: counter("refresh"),
            withdrawn: counter("withdrawn"),
            replayed: counter("replayed"),
            once: counter("asked_once"),
        }
    }
}

/// How a visitor's request was answered from the cache, recorded from the whole answer (every
/// header the middleware added) so the next identical request is answered at the door, before
/// the middleware and the router: see `http::replay`.
pub struct Replay {
    pub page: PageKey,
    /// The render the headers belong to: a newer render is recorded anew.
    pub serial: u64,
    /// Every header of the answer but its length.
    pub headers: axum::http::HeaderMap,
    /// The request metrics of its route, as `observe::track` counts them: 200s, 304s, timings.
    pub counted: [metrics::Counter; 2],
    pub timed: metrics::Histogram,
}

/// Marks a response as a visitor's answer served from the cache. Only a hit is marked, not the
/// render that put it there: a request made once (a search nobody repeats) records no replay.
#[derive(Clone)]
pub struct Replayable {
    pub page: PageKey,
    pub serial: u64,
}

impl PageCache {
    /// A cache of at most `bytes` of pages; 0 turns it off.
    /// Replays are kept in an eighth of it on top.
    pub fn new(bytes: u64) -> PageCache {
        let pages = (bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|k: &PageKey, v: &Arc<CachedPage>| {
                    // The body and key, plus the entry, its ETag and moka's own bookkeeping.
                    u32::try_from(k.0.len() + v.body.len() + 256).unwrap_or(u32::MAX)
                })
                .build()
        });
        let replays = (bytes > 0).then(|| {
            moka::sync::Cache::<Box<[u8]>, Arc<Replay>>::builder()
                .max_capacity(bytes / 8)
                .weigher(|k, v: &Arc<Replay>| {
                    let headers: usize = v.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 64).sum();
                    u32::try_from(k.len() + v.page.0.len() + headers + 256).unwrap_or(u32::MAX)
                })
                .build()
        });
        PageCache {
            pages,
            doorkeeper: Doorkeeper::new(),
            replays,
            serials: AtomicU64::new(1),
            counted: Outcomes::new(),
        }
    }

    /// The cached answer if it may be served without any re-render: fresh by [`Self::get`]'s
    /// rules. A stale one is left for `get` (the one re-render is claimed there).
    pub fn fresh(&self, key: &PageKey, now: Tag) -> Option<Arc<CachedPage>> {
        let hit = self.pages.as_ref()?.get(key)?;
        let fresh = hit.tag.withdrawals == now.withdrawals
            && (hit.tag.position == now.position || hit.rendered.elapsed() < FRESH_FOR);
        fresh.then_some(hit)
    }

    /// How an identical request was answered before, if one was.
    pub fn replay(&self, request: &[u8]) -> Option<Arc<Replay>> {
        self.replays.as_ref()?.get(request)
    }

    pub fn record_replay(&self, request: Box<[u8]>, replay: Replay) {
        if let Some(replays) = &self.replays {
            replays.insert(request, Arc::new(replay));
        }
    }

    /// The cached answer, if it may be served. When it is stale, exactly one caller gets `None`
    /// and re-renders; the others keep getting the stale answer meanwhile, so a change never
    /// sends every concurrent request into rendering the same page at once. An answer from
    /// before a withdrawal is served to nobody.
    pub fn get(&self, here: &str, lang: &'static str, now: Tag) -> Option<Arc<CachedPage>> {
        let hit = self.pages.as_ref()?.get(&(here.to_owned(), lang))?;
        if hit.tag.withdrawals != now.withdrawals {
            self.counted.withdrawn.increment(1);
            return None;
        }
        let age = hit.rendered.elapsed();
        if hit.tag.position == now.position || age < FRESH_FOR {
            self.counted.hit.increment(1);
            return Some(hit);
        }
        let now = u64::try_from(age.as_millis()).unwrap_or(u64::MAX).max(1);
        let claimed = hit.refreshing.load(Ordering::Acquire);
        let free = claimed == 0 || now.saturating_sub(claimed) > REFRESH_CLAIM.as_millis() as u64;
        if free && hit.refreshing.compare_exchange(claimed, now, Ordering::AcqRel, Ordering::Acquire).is_ok()
        {
            self.counted.refresh.increment(1);
            return None;
        }
        self.counted.stale.increment(1);
        Some(hit)
    }

    pub fn put(&self, here: &str, lang: &'static str, tag: Tag, body: axum::body::Bytes, etag: String) {
        let Some(pages) = &self.pages else { return };
        let key = (here.to_owned(), lang);
        // The doorkeeper is asked first so that it remembers the key either way.
        if is_search(here) && !self.doorkeeper.asked_before(&key) && !pages.contains_key(&key) {
            self.counted.once.increment(1);
            return;
        }
        // A rendered body may sit in a buffer up to twice its length (a grown `String`), and
        // the weigher counts the length: the cache keeps an exact copy, so its bound holds.
        let body = axum::body::Bytes::copy_from_slice(&body);
        let serial = self.serials.fetch_add(1, Ordering::Relaxed);
        let page =
            CachedPage { body, etag, serial, tag, rendered: Instant::now(), refreshing: AtomicU64::new(0) };
        pages.insert(key, Arc::new(page));
    }

    /// What the cached answers weigh, in bytes.
    pub fn bytes(&self) -> u64 {
        self.pages.as_ref().map_or(0, |p| {
            // moka counts inserts in batches: settle them first (a scrape, not a hot path).
            p.run_pending_tasks();
            p.weighted_size()
        })
    }

    /// What the recorded replays weigh, in bytes.
    pub fn replay_bytes(&self) -> u64 {
        self.replays.as_ref().map_or(0, |r| {
            r.run_pending_tasks();
            r.weighted_size()
        })
    }

    /// Whether answers are kept at all (`LECTERN_PAGE_CACHE_MB=0` turns the cache off).
    pub fn enabled(&self) -> bool {
        self.pages.is_some()
    }

    /// Forgets an answer: its re-render failed or answered something else than 200 (the course
    /// is gone, the visitor is refused), so the old answer must not be served any longer.
    pub fn drop_entry(&self, here: &str, lang: &'static str) {
        if let Some(pages) = &self.pages {
            pages.invalidate(&(here.to_owned(), lang));
        }
    }
}

/// A JSON answer for callers without a session, from the cache when it is fresh, else produced
/// by `render` and kept. Callers with a session always get `render`'s fresh answer. The answer is
/// tagged with [`freshness`]. Visitors' answers carry an `ETag`; a matching `If-None-Match` is
/// answered 304 without the body.
pub async fn visitor_json<F>(
    app: &crate::app::AppState,
    key: String,
    locale: &str,
    anonymous: bool,
    request: &axum::http::HeaderMap,
    render: F,
) -> crate::error::Result<axum::response::Response>
where
    F: Future<Output = crate::error::Result<String>>,
{
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, VARY};
    use axum::http::{HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    if !anonymous {
        // An answer for a signed-in caller is theirs alone.
        let headers = [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "private, no-store"),
            (VARY, "Accept-Language, Authorization"),
        ];
        return Ok((headers, render.await?).into_response());
    }
    // The same answer for every visitor of a language, so shared caches may keep it (and must
    // revalidate).
    let answer = |body: axum::body::Bytes, etag: &str, replayable: Option<Replayable>| {
        let mut res = if crate::web::etag_matches(request, etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut res = axum::body::Body::from(body).into_response();
            res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            if let Some(r) = replayable {
                res.extensions_mut().insert(r);
            }
            res
        };
        let h = res.headers_mut();
        h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
        h.insert(VARY, HeaderValue::from_static("Accept-Language, Authorization"));
        h.insert(ETAG, HeaderValue::from_str(etag).expect("hex in quotes"));
        res
    };
    // Locales are normalised by the caller; anything else shares the default's entry.
    let lang = if locale == "ru" { "ru" } else { "en" };
    let tag = freshness(app);
    if let Some(hit) = app.pages.get(&key, lang, tag) {
        let replayable = Replayable { page: (key, lang), serial: hit.serial };
        return Ok(answer(hit.body.clone(), &hit.etag, Some(replayable)));
    }
    match render.await {
        Ok(body) => {
            let etag = crate::web::etag_of(&body);
            let body = axum::body::Bytes::from(body);
            app.pages.put(&key, lang, tag, body.clone(), etag.clone());
            Ok(answer(body, &etag, None))
        }
        Err(e) => {
            app.pages.drop_entry(&key, lang);
            Err(e)
        }
    }
}

/// Serialises an API answer for [`visitor_json`], into a buffer of about `size_hint` bytes
/// (a results page is 14 KB: grown from serde_json's 128 bytes, it was copied seven times).
pub fn to_json(value: &impl serde::Serialize, size_hint: usize) -> crate::error::Result<String> {
    let mut out = Vec::with_capacity(size_hint);
    serde_json::to_writer(&mut out, value)
        .map_err(|e| crate::error::Error::Internal(anyhow::anyhow!("JSON: {e}")))?;
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).map_err(|e| crate::error::Error::Internal(anyhow::anyhow!("JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = "api:courses?q=rust";

    fn tag(position: u64) -> Tag {
        Tag { position, withdrawals: 0 }
    }

    fn put(cache: &PageCache, key: &str, position: u64, body: &'static str) {
        cache.put(key, "en", tag(position), axum::body::Bytes::from_static(body.as_bytes()), "\"e\"".into());
    }

    fn kept(cache: &PageCache, key: &str, position: u64) -> Option<axum::body::Bytes> {
        cache.get(key, "en", tag(position)).map(|hit| hit.body.clone())
    }

    #[test]
    fn a_search_is_kept_once_it_is_asked_again() {
        let cache = PageCache::new(1 << 20);
        put(&cache, SEARCH, 1, "first");
        assert_eq!(kept(&cache, SEARCH, 1), None, "asked once: not kept");
        put(&cache, SEARCH, 1, "second");
        assert_eq!(kept(&cache, SEARCH, 1).as_deref(), Some(&b"second"[..]), "asked again: kept");
        assert!(cache.get(SEARCH, "ru", tag(1)).is_none(), "languages are apart");
    }

    #[test]
    fn other_answers_are_kept_at_once() {
        let cache = PageCache::new(1 << 20);
        put(&cache, "api:course:7", 1, "page");
        assert_eq!(kept(&cache, "api:course:7", 1).as_deref(), Some(&b"page"[..]));
    }

    #[test]
    fn a_kept_search_is_replaced_by_its_re_render_even_when_forgotten() {
        let cache = PageCache::new(1 << 20);
        put(&cache, SEARCH, 1, "old");
        put(&cache, SEARCH, 1, "old");
        // Made-up searches have taken every slot since.
        for slot in &cache.doorkeeper.slots {
            slot.store(0, Ordering::Relaxed);
        }
        // The re-render after a change replaces the entry: the old answer must not outlive it.
        put(&cache, SEARCH, 2, "new");
        assert_eq!(kept(&cache, SEARCH, 2).as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn searches_are_told_by_a_non_empty_q() {
        assert!(is_search("api:courses?q=rust&level=beginner"));
        assert!(is_search("/courses?level=beginner&q=go%20web"));
        assert!(!is_search("api:courses?q=&level=beginner"));
        assert!(!is_search("/courses?faq=1"));
        assert!(!is_search("api:courses"));
        assert!(!is_search("api:course:7"));
    }
}
