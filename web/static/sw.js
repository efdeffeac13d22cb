// Lectern service worker body. The server prepends `const VERSION = "..."; const ASSETS = [...];`.
// Static assets: cache-first. Pages: network-first; lesson pages are kept for offline reading.
// The API is never cached.
// Quizzes: a kept lesson page holds the questions only, never their answers (the server grades,
// and neither the page nor the API gives a student the answers). A graded result is the answer
// to a POST (`/learn/{slug}/{lesson}/attempt`) or to the API, so it is never kept either.

const STATIC_CACHE = `lectern-static-${VERSION}`;
const PAGES_CACHE = 'lectern-pages';
const OFFLINE_URL = '/offline';
const MAX_PAGES = 50;

// The offline page is fetched without cookies, so it never holds anyone's data.
const precache = async () => {
  const cache = await caches.open(STATIC_CACHE);
  await cache.addAll([...ASSETS, new Request(OFFLINE_URL, { credentials: 'omit', cache: 'reload' })]);
};

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((n) => n.startsWith('lectern-') && n !== STATIC_CACHE && n !== PAGES_CACHE)
          .map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(staticAsset(event, url));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(event, url));
  }
});

async function staticAsset(event, url) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(event.request, { ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(event.request);
  // refill the precache (e.g. after sign-out cleared it); plain, unhashed names are not kept
  if (res.ok && res.type === 'basic' && ASSETS.includes(url.pathname)) {
    event.waitUntil(cache.put(event.request, res.clone()).catch(() => {}));
  }
  return res;
}

async function page(event, url) {
  try {
    const res = await fetch(event.request);
    if (res.status === 200 && res.type === 'basic' && !res.redirected && url.pathname.startsWith('/learn/')) {
      event.waitUntil(keepPage(event.request, res.clone()).catch(() => {}));
    }
    // signing out clears every lectern-* cache: refill the precache while online
    event.waitUntil(
      caches
        .open(STATIC_CACHE)
        .then((c) => c.match(OFFLINE_URL, { ignoreVary: true }))
        .then((hit) => hit || precache())
        .catch(() => {}),
    );
    return res;
  } catch (err) {
    const pages = await caches.open(PAGES_CACHE);
    const kept = await pages.match(event.request, { ignoreVary: true });
    if (kept) return kept;
    const offline = await caches.match(OFFLINE_URL, { ignoreVary: true });
    return (
      offline ||
      new Response('<!doctype html><meta charset="utf-8"><title>Offline</title><p>You are offline.</p>', {
        status: 503,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      })
    );
  }
}

/** Stores a lesson page, keeping the newest MAX_PAGES (a re-stored page counts as new). */
async function keepPage(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  await cache.delete(request, { ignoreVary: true });
  await cache.put(request, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((k) => cache.delete(k)));
}
