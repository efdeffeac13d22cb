// End-to-end flows through the school's pages in Chromium (playwright-core, the system browser).
//
//   node --test --test-concurrency=1 tests/e2e/        (or tests/e2e/run.sh for everything)
//
// Env: LECTERN_BIN (server binary, default target/release/lectern), CHROMIUM_PATH
// (default /usr/bin/chromium), E2E_SCREENSHOTS (default target/e2e-screenshots/),
// E2E_KEEP_TMP=1 (keep the servers' data dirs and logs).
// The contract these tests hold the pages to: web/README.md (and the notes in tests/e2e/README.md).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  adminToken,
  LecternServer,
  PICKS,
  REPO_ROOT,
  demoCourse,
  demoStudentOf,
  launchChromium,
  lessonCount,
  mailLink,
  sessionCookies,
} from './server.mjs';

const TEST_TIMEOUT = 240_000;
const ACTION_TIMEOUT = 15_000;
const ARTIFACTS = resolve(REPO_ROOT, 'tests/e2e/artifacts');
const SCREENSHOTS = resolve(REPO_ROOT, process.env.E2E_SCREENSHOTS || 'target/e2e-screenshots');

const ADMIN_PAGES = [
  ['admin-console', '/admin'],
  ['admin-users', '/admin/users'],
  ['admin-orders', '/admin/orders'],
  ['admin-payouts', '/admin/payouts'],
  ['admin-audit', '/admin/audit'],
  ['admin-moderation', '/admin/moderation'],
];

const FIXTURES = resolve(REPO_ROOT, 'tests/e2e/fixtures');

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let seq = 0;
const unique = (prefix) => `${prefix}-${runId}-${++seq}`;

let server;
let browser;

before(async () => {
  server = new LecternServer();
  await server.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.cleanup();
});

// ------------------------------------------------------------------ diagnostics

/** A browser context whose pages log console errors, page errors, failed and 4xx/5xx requests. */
async function newContext(options = {}) {
  const ctx = await browser.newContext({ locale: 'en-US', ...options });
  ctx.setDefaultTimeout(ACTION_TIMEOUT);
  ctx.setDefaultNavigationTimeout(30_000);
  ctx.e2eLog = [];
  const watch = (page) => {
    const log = (s) => ctx.e2eLog.push(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => log(`requestfailed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.status() >= 400) log(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    });
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) log(`navigated: ${f.url()}`);
    });
  };
  ctx.on('page', watch);
  return ctx;
}

/**
 * Runs `fn(ctx, page, step)` in a new context; a failure is reported with the step, the URL, a
 * snippet of the page, a screenshot and the browser log.
 */
async function inContext(name, options, fn, srv = server) {
  const ctx = await newContext(options);
  const page = await ctx.newPage();
  let current = 'start';
  const step = (s) => {
    current = s;
  };
  try {
    await fn(ctx, page, step);
  } catch (e) {
    throw await explain(e, name, current, ctx, page, srv);
  } finally {
    await ctx.close().catch(() => {});
  }
}

async function explain(e, name, stepName, ctx, page, srv) {
  const lines = [`${name}: failed at step "${stepName}": ${e.message}`];
  try {
    lines.push(`URL: ${page.url()}`);
    const snippet = await page.evaluate(() => {
      const el = document.querySelector('main') || document.body;
      const html = el ? el.outerHTML : document.documentElement.outerHTML;
      return `<html lang="${document.documentElement.lang}"${document.documentElement.hasAttribute('data-signed-in') ? ' data-signed-in' : ''}> … ${html}`;
    });
    lines.push(`HTML (${snippet.length} chars): ${snippet.replace(/\s+/g, ' ').slice(0, 3000)}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-failure.png`);
    await page.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
    lines.push(`screenshot: ${shot}`);
  } catch (x) {
    lines.push(`(no page snapshot: ${x.message})`);
  }
  if (ctx.e2eLog.length) lines.push('browser log (last 30):', ...ctx.e2eLog.slice(-30).map((l) => `  ${l}`));
  if (srv) lines.push(`server log tail (${srv.logPath}):`, srv.tail(25));
  const err = new Error(lines.join('\n'));
  err.stack = `${err.message}\n--- original stack ---\n${e.stack}`;
  return err;
}

// ------------------------------------------------------------------ page helpers

const url = (srv, path) => new URL(path, srv.url).href;
const pathOf = (u) => new URL(u).pathname;

async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.getAttribute('lang'));
}

async function signedIn(page) {
  return page.evaluate(() => document.documentElement.hasAttribute('data-signed-in'));
}

/** Waits until `el.getAttribute(name) === value`. */
async function waitAttr(locator, name, value, timeout = ACTION_TIMEOUT) {
  const el = await locator.elementHandle({ timeout });
  try {
    await locator.page().waitForFunction(({ el, name, value }) => el.getAttribute(name) === value, { el, name, value }, {
      timeout,
    });
  } catch (e) {
    const now = await el.getAttribute(name).catch(() => '(element gone)');
    throw new Error(`${name} did not become ${JSON.stringify(value)} (is ${JSON.stringify(now)}): ${e.message.split('\n')[0]}`);
  }
}

/** Whether an API response answers the request a form with `data-api` makes. */
function answers(resp, api, method) {
  if (method && resp.request().method() !== method) return false;
  const want = new URL(api, 'http://x/').pathname;
  return new URL(resp.url()).pathname === want;
}

/** The first visible element of `selector`. */
async function firstVisible(page, selector) {
  const all = page.locator(selector);
  const n = await all.count();
  for (let i = 0; i < n; i++) if (await all.nth(i).isVisible()) return all.nth(i);
  return null;
}

/** Clicks `locator` (or presses `key` on it) and waits for the page's next document (a link, or a form POST then a redirect). */
async function clickAndNavigate(page, locator, { key } = {}) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
  // When the click itself fails, that is the error to report, not this wait's later rejection.
  navigated.catch(() => {});
  if (key) await locator.press(key);
  else await locator.click();
  await navigated;
  await page.waitForLoadState('domcontentloaded');
}

/** Signs a new account up through `#signup-form`; the page ends signed in. */
async function signUp(page, srv, step, { name, email, password, role }) {
  step('open /signup');
  const link = await firstVisible(page, 'a[href="/signup"], a[href$="/signup"]');
  if (link) {
    await clickAndNavigate(page, link);
  } else {
    const r = await page.goto(url(srv, '/signup'));
    assert.equal(r.status(), 200, `GET /signup → ${r.status()}`);
  }
  assert.equal(pathOf(page.url()), '/signup');
  step('fill #signup-form');
  const form = page.locator('#signup-form');
  await form.locator('[name="name"]').fill(name);
  await form.locator('[name="email"]').fill(email);
  await form.locator('[name="password"]').fill(password);
  if (role === 'teacher') await form.locator('#role-teacher').check();
  step('submit #signup-form');
  await clickAndNavigate(page, form.locator('button[type="submit"], input[type="submit"]').first());
  assert.ok(await signedIn(page), `after sign-up the page (${page.url()}) has no html[data-signed-in]`);
}

/** Opens the email verification link from the outbox; the page shows `.notice-success`. */
async function verifyEmail(page, srv, step, email) {
  step('find the verification mail');
  const link = await mailLink(srv, email);
  assert.equal(new URL(link).origin, new URL(srv.url).origin, `verification link ${link} is not on ${srv.url}`);
  step('open the verification link');
  await page.goto(link);
  const ok = page.locator('.notice-success:visible').first();
  // Either the GET verifies, or the page asks to confirm with a POST form (link prefetchers).
  const visibleSoon = await ok.waitFor({ state: 'visible', timeout: 3_000 }).then(
    () => true,
    () => false,
  );
  if (!visibleSoon) {
    const confirm = page
      .locator('form[action*="/verify-email"], main form[method="post" i]:not([action]):not([data-signout])')
      .locator('button[type="submit"], input[type="submit"]')
      .first();
    if (await confirm.count()) await clickAndNavigate(page, confirm);
    await ok.waitFor({ state: 'visible' });
  }
}

/**
 * Searches with the visible `form.search-form` (the current page's, else the home page's) and
 * returns the result cards' links.
 */
async function search(page, srv, step, q) {
  step(`search for "${q}"`);
  const selector = 'form.search-form input[name="q"]';
  let input = await firstVisible(page, selector);
  if (!input) {
    const r = await page.goto(url(srv, '/'));
    assert.equal(r.status(), 200, `GET / → ${r.status()}`);
    input = await firstVisible(page, selector);
  }
  assert.ok(input, `no visible ${selector} on ${page.url()}`);
  await input.fill(q);
  const button = input.locator('xpath=ancestor::form[1]').locator('button[type="submit"], input[type="submit"]').first();
  if ((await button.count()) && (await button.isVisible())) {
    await clickAndNavigate(page, button);
  } else {
    await clickAndNavigate(page, input, { key: 'Enter' });
  }
  const u = new URL(page.url());
  assert.equal(u.pathname, '/courses', `search did not lead to /courses but ${page.url()}`);
  assert.equal(u.searchParams.get('q'), q);
  return page.locator('ul.course-grid li.course-card a.card-link');
}

/** The card link to `/courses/<slug>` among the results (fails with the list of results). */
async function resultFor(cards, slug) {
  const hrefs = await cards.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const i = hrefs.findIndex((h) => h && new URL(h, 'http://x/').pathname === `/courses/${slug}`);
  assert.ok(i >= 0, `no result card links to /courses/${slug}; cards: ${JSON.stringify(hrefs)}`);
  return cards.nth(i);
}

/** The course's JSON-LD (`@type` Course) on the page, checked against the demo data. */
async function checkCourseJsonLd(page, course) {
  const blocks = await page.locator('script[type="application/ld+json"]').allTextContents();
  assert.ok(blocks.length > 0, 'no script[type="application/ld+json"] on the course page');
  const nodes = [];
  for (const b of blocks) {
    let j;
    try {
      j = JSON.parse(b);
    } catch (e) {
      assert.fail(`JSON-LD does not parse (${e.message}): ${b.slice(0, 300)}`);
    }
    for (const n of [j].flat()) nodes.push(n, ...(Array.isArray(n?.['@graph']) ? n['@graph'] : []));
  }
  const ld = nodes.find((n) => [n?.['@type']].flat().includes('Course'));
  assert.ok(ld, `no JSON-LD node with @type Course in ${JSON.stringify(nodes).slice(0, 500)}`);
  const where = JSON.stringify(ld).slice(0, 800);
  assert.equal(ld.name, course.title, `JSON-LD name; ${where}`);
  assert.ok(typeof ld.description === 'string' && ld.description.trim().length > 0, `JSON-LD description; ${where}`);
  const provider = [ld.provider].flat()[0];
  assert.ok(provider && (typeof provider === 'string' || provider.name), `JSON-LD provider; ${where}`);
  const offer = [ld.offers].flat()[0];
  assert.ok(offer && offer.price !== undefined && offer.price !== null, `JSON-LD offers.price; ${where}`);
  assert.equal(Number(offer.price), course.price_minor / 100, `JSON-LD offers.price; ${where}`);
  if (offer.priceCurrency !== undefined) assert.equal(offer.priceCurrency, course.currency, `offers.priceCurrency; ${where}`);
  if (course.reviews.length) {
    const r = ld.aggregateRating;
    assert.ok(r, `JSON-LD aggregateRating (the course has ${course.reviews.length} reviews); ${where}`);
    const avg = course.reviews.reduce((s, x) => s + x.rating, 0) / course.reviews.length;
    assert.ok(Math.abs(Number(r.ratingValue) - avg) <= 0.051, `aggregateRating.ratingValue ${r.ratingValue}, expected ${avg}; ${where}`);
    const count = Number(r.reviewCount ?? r.ratingCount);
    assert.ok(count >= 1, `aggregateRating.reviewCount/ratingCount; ${where}`);
  }
}

/** Enrolls with `form#enroll-form` on the course page; the page ends in the player. */
async function enroll(page, step, slug) {
  step('enroll');
  await clickAndNavigate(page, page.locator('form#enroll-form button[type="submit"]'));
  assert.match(pathOf(page.url()), new RegExp(`^/learn/${slug}/[^/]+$`), 'enrolling did not lead to the player');
}

/** Marks the player's lesson complete and waits until the server saved it. */
async function completeLesson(page) {
  const form = page.locator('form[data-kind="complete"]').first();
  const button = form.locator('button[type="submit"]');
  await button.waitFor({ state: 'visible' });
  const pressed = await button.getAttribute('aria-pressed');
  if (pressed === 'true') return null; // done before
  assert.equal(pressed, 'false', 'the complete button has aria-pressed="false" before it is pressed');
  const api = await form.getAttribute('data-api');
  assert.ok(api, 'form[data-kind=complete] has data-api');
  const method = (await form.getAttribute('data-on-method') || 'POST').toUpperCase();
  await form.evaluate((f) => {
    f.__e2eSaved = undefined;
    f.addEventListener('lectern:saved', (e) => (f.__e2eSaved = e.detail ?? null), { once: true });
  });
  const responded = page.waitForResponse((r) => answers(r, api, method), { timeout: ACTION_TIMEOUT });
  await button.click();
  const resp = await responded;
  assert.ok(resp.ok(), `${method} ${api} answered ${resp.status()}: ${await resp.text().catch(() => '')}`);
  await waitAttr(button, 'aria-pressed', 'true');
  await page.waitForFunction((f) => f.__e2eSaved !== undefined, await form.elementHandle(), { timeout: ACTION_TIMEOUT });
  await page.locator('.action-status.failed').first().waitFor({ state: 'hidden' });
  return form.evaluate((f) => f.__e2eSaved);
}

/** Completes every lesson from the current one on, following `a[rel=next]`; returns how many. */
async function completeAllLessons(page, step, total) {
  let visited = 0;
  let last = null;
  for (;;) {
    visited++;
    step(`complete lesson ${visited} of ${total} (${pathOf(page.url())})`);
    assert.ok(visited <= total, `more than ${total} lessons reached through a[rel=next]`);
    last = (await completeLesson(page)) ?? last;
    const next = await firstVisible(page, 'a[rel~="next"]');
    if (!next) break;
    await clickAndNavigate(page, next);
  }
  assert.equal(visited, total, `a[rel=next] led through ${visited} lessons, the course has ${total}`);
  if (last && typeof last === 'object' && 'status' in last) {
    assert.equal(last.status, 'completed', `the last save answered ${JSON.stringify(last)}`);
  }
  step('course complete');
  await page.locator('[data-course-complete]:visible').first().waitFor({ state: 'visible' });
}

/** Posts a review through `form[data-review-form]` and waits until it is listed, saved. */
async function postReview(page, step, text) {
  step('post a review');
  const form = page.locator('form[data-review-form]');
  await form.waitFor({ state: 'visible' });
  const api = await form.getAttribute('data-api');
  assert.ok(api, 'form[data-review-form] has data-api');
  await form.locator('select[name="rating"]').selectOption('5');
  await form.locator('textarea[name="text"]').fill(text);
  const responded = page.waitForResponse((r) => answers(r, api, 'POST'), { timeout: ACTION_TIMEOUT });
  await form.locator('button[type="submit"]').click();
  step('review listed (pending, then saved)');
  const item = page.locator('#reviews-list li.review').filter({ hasText: text });
  await item.first().waitFor({ state: 'visible' });
  const resp = await responded;
  assert.ok(resp.ok(), `POST ${api} answered ${resp.status()}: ${await resp.text().catch(() => '')}`);
  await page.locator('#reviews-list li.review:not(.pending)').filter({ hasText: text }).first().waitFor({ state: 'visible' });
  assert.equal(await item.count(), 1, 'the review is listed once');
  assert.equal(await page.locator('#reviews-list li.review.pending').filter({ hasText: text }).count(), 0);
}

/** The review is in the course page's HTML as the server renders it, and visible after a reload. */
async function reviewPersisted(page, ctx, step, text) {
  step('reload: review still listed');
  await page.reload();
  await page.locator('#reviews-list li.review').filter({ hasText: text }).first().waitFor({ state: 'visible' });
  const res = await ctx.request.get(page.url());
  assert.equal(res.status(), 200);
  assert.ok((await res.text()).includes(text), 'the review text is in the server-rendered HTML');
}

/** From /learn, the certificate's verification page: valid, the student's name, a PDF that opens. */
async function certificateVerifies(page, srv, step, name) {
  step('open the certificate from /learn');
  await clickAndNavigate(page, page.locator('a.certificate-link').first());
  assert.match(pathOf(page.url()), /^\/certificates\/[A-Za-z0-9_-]{22}$/);
  assert.equal(await page.locator('#certificate').getAttribute('data-status'), 'valid');
  assert.equal((await page.locator('#certificate-student').innerText()).trim(), name);
  step('the PDF and the Open Badge answer');
  const pdf = await page.request.get(await page.locator('#certificate-pdf').evaluate((a) => a.href));
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  const badge = await page.request.get(await page.locator('#certificate-json').evaluate((a) => a.href));
  assert.equal(badge.status(), 200);
  assert.equal((await badge.text()).split('.').length, 3, 'a compact JWS');
  step('the verification page is public');
  const visitor = await browser.newContext();
  try {
    const p = await visitor.newPage();
    const res = await p.goto(page.url());
    assert.equal(res.status(), 200);
    assert.equal(await p.locator('#certificate').getAttribute('data-status'), 'valid');
  } finally {
    await visitor.close();
  }
}

/** `/learn` shows the course with a full progress bar. */
async function learnShowsComplete(page, srv, step, slug) {
  step('/learn shows 100%');
  await page.goto(url(srv, '/learn'));
  const found = await page.evaluate((slug) => {
    const links = [...document.querySelectorAll('a[href]')].filter((a) => {
      const p = new URL(a.href).pathname;
      return p === `/courses/${slug}` || p.startsWith(`/learn/${slug}`);
    });
    for (const a of links) {
      for (let el = a.parentElement; el && el !== document.body; el = el.parentElement) {
        const p = el.querySelector('progress');
        if (p) return { value: p.value, max: p.max, html: el.outerHTML.slice(0, 400) };
      }
    }
    return { links: links.length };
  }, slug);
  assert.ok('value' in found, `/learn: no <progress> next to a link to the course (${found.links} links to it)`);
  assert.equal(found.value, found.max, `/learn progress of ${slug}: ${found.html}`);
}

/** Signs a demo student in by cookie (POST /api/v1/auth/session) in `ctx`. */
async function signInByCookie(ctx, srv, email, password = DEMO_PASSWORD) {
  const s = await sessionCookies(srv, email, password);
  const host = new URL(srv.url).hostname;
  await ctx.addCookies(
    s.cookies.map((c) => ({ name: c.name, value: c.value, domain: host, path: c.path, sameSite: 'Lax' })),
  );
}

/** The player URL of lesson `index` (0-based) of `slug`, from the JSON API. */
async function lessonPath(srv, slug, index = 0) {
  const c = await (await fetch(url(srv, `/api/v1/courses/${slug}`))).json();
  const cur = await (await fetch(url(srv, `/api/v1/courses/${c.id}/curriculum`))).json();
  const lessons = cur.modules.flatMap((m) => m.lessons);
  return `/learn/${slug}/${lessons[index].id}`;
}

/**
 * No horizontal scroll; on failure, names the elements that stick out. The page's width is compared
 * with the layout viewport (`documentElement.clientWidth`): with mobile emulation `innerWidth`
 * grows to fit content that is too wide, so `scrollWidth <= innerWidth` alone would always hold.
 */
async function assertNoHorizontalScroll(page, what) {
  const r = await page.evaluate(() => {
    const w = Math.min(window.innerWidth, document.documentElement.clientWidth);
    const sw = document.documentElement.scrollWidth;
    const wide = [];
    if (sw > w + 1) {
      for (const el of document.querySelectorAll('body *')) {
        const b = el.getBoundingClientRect();
        if (b.right > w + 1 && b.width > 0) {
          const id = el.id ? `#${el.id}` : '';
          const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
          wide.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(b.right)}px)`);
          if (wide.length >= 12) break;
        }
      }
    }
    return { w, sw, iw: window.innerWidth, wide };
  });
  assert.ok(
    r.sw <= r.w + 1,
    `${what}: horizontal scroll (scrollWidth ${r.sw} > viewport ${r.w}; innerWidth ${r.iw}); too wide: ${r.wide.join(', ')}`,
  );
}

// ------------------------------------------------------------------ the flows

describe('lectern pages', { timeout: TEST_TIMEOUT * 6 }, () => {
  test('English: sign up, verify, typo search, JSON-LD, enroll, complete, review', { timeout: TEST_TIMEOUT }, async () => {
    const pick = PICKS.en;
    const course = demoCourse(pick.slug);
    await inContext('english-flow', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      step('open /');
      const home = await page.goto(url(server, '/'));
      assert.equal(home.status(), 200, `GET / → ${home.status()}`);
      assert.equal(await htmlLang(page), 'en');
      assert.equal(await signedIn(page), false, 'a visitor has no html[data-signed-in]');

      const email = `${unique('en')}@e2e.test`;
      await signUp(page, server, step, { name: 'Erin Endtoend', email, password: `pw-${unique('en')}-Long` });
      await verifyEmail(page, server, step, email);

      const cards = await search(page, server, step, pick.typo);
      const card = await resultFor(cards, pick.slug);
      step('open the course from the results');
      await clickAndNavigate(page, card);
      assert.equal(pathOf(page.url()), `/courses/${pick.slug}`);
      step('course JSON-LD');
      await checkCourseJsonLd(page, course);

      await enroll(page, step, pick.slug);
      await completeAllLessons(page, step, lessonCount(course));

      step('back to the course page');
      await page.goto(url(server, `/courses/${pick.slug}`));
      const text = `Clear lessons and a steady pace, checked by run ${unique('review')}.`;
      await postReview(page, step, text);
      await reviewPersisted(page, ctx, step, text);
      await learnShowsComplete(page, server, step, pick.slug);
      await certificateVerifies(page, server, step, 'Erin Endtoend');
    });
  });

  test('Russian: Accept-Language ru, sign up, inflected typo search, complete, review; language switch', { timeout: TEST_TIMEOUT }, async () => {
    const pick = PICKS.ru;
    const course = demoCourse(pick.slug);
    assert.equal(course.language, 'ru');

    await inContext('russian-language-switch', { ...DESKTOP, locale: 'ru-RU' }, async (ctx, page, step) => {
      step('visitor: / is Russian');
      const r = await page.goto(url(server, '/courses'));
      assert.equal(r.status(), 200, `GET /courses → ${r.status()}`);
      assert.equal(await htmlLang(page), 'ru', 'Accept-Language: ru-RU gives html[lang=ru]');
      step('visitor: switch to English');
      await clickAndNavigate(page, page.locator('.lang-switch a[hreflang="en"]').first());
      assert.equal(await htmlLang(page), 'en');
      assert.equal(pathOf(page.url()), '/courses', 'the language switch returns to the same page');
      step('visitor: English is remembered');
      await page.goto(url(server, '/'));
      assert.equal(await htmlLang(page), 'en', 'the next page is English too (cookie)');
      const cookie = (await ctx.cookies(server.url)).find((c) => c.name === 'lectern_lang');
      assert.equal(cookie?.value, 'en', 'cookie lectern_lang=en');
    });

    await inContext('russian-flow', { ...DESKTOP, locale: 'ru-RU' }, async (ctx, page, step) => {
      step('open /');
      await page.goto(url(server, '/'));
      assert.equal(await htmlLang(page), 'ru', 'Accept-Language: ru-RU gives html[lang=ru]');

      const email = `${unique('ru')}@e2e.test`;
      await signUp(page, server, step, { name: 'Ирина Проверкина', email, password: `пароль-${unique('ru')}` });
      assert.equal(await htmlLang(page), 'ru');
      await verifyEmail(page, server, step, email);

      const cards = await search(page, server, step, pick.typo);
      const card = await resultFor(cards, pick.slug);
      step('open the course from the results');
      await clickAndNavigate(page, card);
      assert.equal(pathOf(page.url()), `/courses/${pick.slug}`);
      await checkCourseJsonLd(page, course);

      await enroll(page, step, pick.slug);
      await completeAllLessons(page, step, lessonCount(course));

      step('back to the course page');
      await page.goto(url(server, `/courses/${pick.slug}`));
      const text = `Понятные уроки и хорошие примеры, проверка ${unique('отзыв')}.`;
      await postReview(page, step, text);
      await reviewPersisted(page, ctx, step, text);

      step('signed in: switch to English');
      await clickAndNavigate(page, page.locator('.lang-switch a[hreflang="en"]').first());
      assert.equal(await htmlLang(page), 'en');
      assert.equal(pathOf(page.url()), `/courses/${pick.slug}`, 'the language switch returns to the same page');
      await page.goto(url(server, '/learn'));
      assert.equal(await htmlLang(page), 'en', 'the choice outlasts the navigation for a signed-in Russian speaker');
    });
  });

  test('selling: buy a paid course with a coupon through the test provider, the teacher is paid out', { timeout: TEST_TIMEOUT }, async () => {
    // A paid course of maria.lopez (data/demo): $49.00, 20 % off with the demo coupon.
    const slug = 'building-rest-apis-with-fastapi';
    const teacher = 'maria.lopez@demo.lectern.school';
    await inContext('selling-buyer', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      const email = `${unique('buyer')}@e2e.test`;
      await signUp(page, server, step, { name: 'Bea Buyer', email, password: `pw-${unique('buy')}-Long` });
      await verifyEmail(page, server, step, email);
      step('the course page offers the purchase');
      await page.goto(url(server, `/courses/${slug}`));
      await page.locator('#buy-form input[name="coupon"]').fill('demo20');
      step('buy: to the test provider\'s page');
      await clickAndNavigate(page, page.locator('#buy-form button[type="submit"]'));
      assert.match(pathOf(page.url()), /^\/pay\/test\/[^/]+$/, 'buying did not lead to the payment page');
      step('pay');
      await clickAndNavigate(page, page.locator('#pay'));
      assert.match(pathOf(page.url()), /^\/orders\/[^/]+$/);
      await waitAttr(page.locator('.order-status'), 'data-status', 'order-paid', 30_000);
      assert.match(await page.locator('.order .price').innerText(), /39\.20/, 'the coupon took 20 % off $49.00');
      step('start learning: the lesson opens');
      await clickAndNavigate(page, page.locator('#start-learning'));
      assert.match(pathOf(page.url()), new RegExp(`^/learn/${slug}/[^/]+$`), 'the paid course did not open');
    });

    // $39.20, the school keeps 20 % ($7.84): the teacher has $31.36, available at once (no hold here).
    let payoutId;
    await inContext('selling-teacher', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, teacher);
      step('earnings show the sale');
      await page.goto(url(server, '/studio/earnings'));
      const usd = page.locator('tr[data-currency="USD"]');
      assert.match(await usd.locator('[data-available]').innerText(), /31\.36/);
      step('ask for a payout of everything available');
      await page.locator('#payout-currency').selectOption('USD');
      await clickAndNavigate(page, page.locator('#payout-form button[type="submit"]'));
      const row = page.locator('table.payouts tbody tr').first();
      assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'payout-requested');
      payoutId = (await row.getAttribute('id')).replace(/^payout-/, '');
      assert.match(await page.locator('tr[data-currency="USD"] [data-requested]').innerText(), /31\.36/);
    });

    await inContext('selling-admin', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      step('the admin marks the payout paid');
      await page.goto(url(server, '/admin/payouts?status=requested'));
      const row = page.locator(`#payout-${payoutId}`);
      await row.locator('input[name="reference"]').fill('BANK-2026-0001');
      await clickAndNavigate(page, row.locator('form[action$="/paid"] button[type="submit"]'));
      assert.equal(await page.locator(`#payout-${payoutId} [data-status]`).getAttribute('data-status'), 'payout-paid');
    });

    await inContext('selling-teacher-paid', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, teacher);
      step('the teacher sees it paid');
      await page.goto(url(server, '/studio/earnings'));
      assert.equal(await page.locator(`#payout-${payoutId} [data-status]`).getAttribute('data-status'), 'payout-paid');
      assert.match(await page.locator('tr[data-currency="USD"] [data-paid-out]').innerText(), /31\.36/);
    });

    // The ledger after the flow, for the record (tests/e2e/artifacts/ledger-after-selling.json).
    const token = await adminToken(server);
    const ledger = await (await fetch(url(server, '/api/v1/admin/ledger?limit=100'), { headers: { authorization: `Bearer ${token}` } })).json();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'ledger-after-selling.json'), JSON.stringify(ledger, null, 2));
    const kinds = ledger.items.map((t) => t.kind).reverse();
    assert.deepEqual(kinds, ['sale', 'payout_requested', 'payout_paid'], JSON.stringify(ledger));
    for (const t of ledger.items) {
      assert.equal(t.entries.reduce((sum, e) => sum + e.amount_minor, 0), 0, `transaction ${t.id} balances`);
    }
  });

  test('moderation: a student reports a review, the admin hides it from the queue, the student is told', { timeout: TEST_TIMEOUT }, async () => {
    const pick = PICKS.en;
    const student = demoStudentOf(pick.slug, 'en');
    const note = `Insulting another student (run ${unique('mod')}).`;
    let reviewId;
    await inContext('moderation-reporter', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, student.email);
      step('report a review from the course page');
      await page.goto(url(server, `/courses/${pick.slug}`));
      const review = page.locator('li.review:has(details.report)').first();
      reviewId = (await review.getAttribute('id')).replace(/^review-/, '');
      await review.locator('details.report summary').click();
      await review.locator('select[name="reason"]').selectOption('abuse');
      await review.locator('textarea[name="details"]').fill('Calls another student names.');
      await clickAndNavigate(page, review.locator('form.report-form button[type="submit"]'));
      assert.match(await page.locator('main').innerText(), /We received your report/);
    });

    await inContext('moderation-admin', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      step('the report waits in the moderation queue');
      await page.goto(url(server, '/admin/moderation'));
      const row = page.locator('#reports tbody tr').filter({ has: page.locator(`a[href$="#review-${reviewId}"]`) });
      assert.equal(await row.count(), 1, 'one report on that review in the queue');
      step('hide the review, with the reason');
      await row.locator('select[name="action"]').selectOption('hide');
      await row.locator('input[name="reason"]').fill(note);
      await clickAndNavigate(page, row.locator('button[type="submit"]'));
      assert.equal(await page.locator(`#reports a[href$="#review-${reviewId}"]`).count(), 0, 'resolved reports leave the queue');
      await page.goto(url(server, '/admin/audit'));
      assert.match(await page.locator('main').innerText(), new RegExp(note.replace(/[.()]/g, '\\$&')));
    });

    await inContext('moderation-told', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, student.email);
      step('the review is gone from the course page');
      await page.goto(url(server, `/courses/${pick.slug}`));
      assert.equal(await page.locator(`#review-${reviewId}`).count(), 0);
      step('the reporter is told the outcome');
      await page.goto(url(server, '/notifications'));
      assert.match(await page.locator('.notification-list').innerText(), new RegExp(note.replace(/[.()]/g, '\\$&')));
    });
  });

  test('studio: a new teacher builds a course with the wizard, uploads a cover and a video; a student seeks in it; the dashboard counts them', { timeout: TEST_TIMEOUT }, async () => {
    const title = `Watercolour ${unique('studio')}`;
    const teacherEmail = `${unique('teacher')}@e2e.test`;
    const teacherPassword = `pw-${unique('t')}-Long`;
    let courseId;
    let slug;
    await inContext('studio-teacher', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signUp(page, server, step, { name: 'Tess Teacher', email: teacherEmail, password: teacherPassword, role: 'teacher' });
      assert.equal(pathOf(page.url()), '/studio', 'a new teacher lands in the studio');
      step('the wizard: basics');
      await clickAndNavigate(page, page.locator('main a[href="/studio/courses/new"]').first());
      await page.locator('#title').fill(title);
      await page.locator('#subtitle').fill('Paint your first landscape in a weekend');
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      const m = pathOf(page.url()).match(/^\/studio\/courses\/([^/]+)\/wizard\/description$/);
      assert.ok(m, `the draft was not created: ${page.url()}`);
      courseId = m[1];
      step('description with the live preview');
      await page.locator('#description').fill('Learn **watercolour** from the first brush stroke: materials, washes, layering and colour mixing, with five small paintings to finish at home.');
      await page.locator('#description-preview strong', { hasText: 'watercolour' }).waitFor();
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      step('the first lesson');
      await page.locator('#module_title').fill('Materials');
      await page.locator('#lesson_title').fill('Brushes and paper');
      await page.locator('#lesson_body').fill('Round brushes hold water; cold-pressed paper takes washes well.');
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      assert.match(pathOf(page.url()), /\/wizard\/cover$/);
      step('upload the cover, with progress');
      // upload.js is loaded after the page: choose the file once the widget listens.
      await page.locator('.upload[data-upload="cover"][data-upload-ready]').waitFor();
      await page.locator('#cover-file').setInputFiles(join(FIXTURES, 'cover.jpg'));
      await page.waitForFunction(() => document.querySelector('input[name="cover_upload_id"]')?.value, null, { timeout: 30_000 });
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      assert.match(pathOf(page.url()), /\/wizard\/price$/);
      step('free');
      await page.locator('#pricing-free').check();
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      step('the checklist, then publish');
      assert.equal(await page.locator('[data-rule="cover"]').getAttribute('data-ok'), 'true');
      await clickAndNavigate(page, page.locator('#wizard-form button[type="submit"]'));
      const outcome = await page.locator('#publish-outcome').getAttribute('data-outcome');
      assert.equal(outcome, 'in_review', "a teacher's first course waits for an admin");
      const course = await (await page.request.get(url(server, `/api/v1/courses/${courseId}`))).json();
      slug = course.slug;
      assert.match(course.cover?.url ?? '', /^\/media\//, 'the course has its cover');

      step('the lesson editor: upload a short video; autosave');
      await page.goto(url(server, `/studio/courses/${courseId}`));
      await clickAndNavigate(page, page.locator('a.lesson-edit-link').first());
      await page.locator('.upload[data-upload="lesson_video"][data-upload-ready]').waitFor();
      await page.locator('#video-file').setInputFiles(join(FIXTURES, 'clip.webm'));
      await page.waitForFunction(() => document.querySelector('input[name="video_upload_id"]')?.value, null, { timeout: 60_000 });
      await page.locator('#lesson-form [data-save-status]', { hasText: 'Saved' }).waitFor({ timeout: 15_000 });
      await page.locator('#minutes').fill('12');
      await page.locator('#body').fill('Round brushes hold water. Watch the video, then try a flat wash.');
      await page.locator('#lesson-form [data-save-status]', { hasText: 'Saved' }).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(1_500);
      await page.reload();
      assert.match(await page.locator('#body').inputValue(), /try a flat wash/, 'autosave kept the text');
      assert.equal(await page.locator('video[data-uploaded-video]').count(), 1, 'the uploaded video is shown');

      step('add a second lesson, then move it up with the keyboard: saved without a reload');
      await page.goto(url(server, `/studio/courses/${courseId}#curriculum`));
      const add = page.locator('form.add-lesson').first();
      await add.locator('input[name="title"]').fill('Colour mixing');
      await clickAndNavigate(page, add.locator('button[type="submit"]:not([name="kind"])'));
      await page.goto(url(server, `/studio/courses/${courseId}#curriculum`));
      const second = page.locator('li.lesson-edit').nth(1);
      assert.match(await second.innerText(), /Colour mixing/);
      const before = page.url();
      await second.locator('button[data-move="up"]').focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-reorder-status]', { hasText: 'New order saved' }).waitFor({ timeout: 10_000 });
      assert.equal(page.url(), before, 'no navigation');
      const cur = await (await page.request.get(url(server, `/api/v1/courses/${courseId}/curriculum`))).json();
      assert.equal(cur.modules[0].lessons[0].title, 'Colour mixing', 'the new order is stored');
    });

    await inContext('studio-admin', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      step('the admin approves the course');
      await page.goto(url(server, '/admin/moderation'));
      const row = page.locator(`#course-${courseId}`);
      await clickAndNavigate(page, row.locator('form[action$="/approve"] button[type="submit"]'));
      assert.equal(await page.locator(`#course-${courseId}`).count(), 0, 'decided courses leave the queue');
    });

    const studentEmail = `${unique('student')}@e2e.test`;
    await inContext('studio-student', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      step('the catalog shows the course with its cover');
      await page.goto(url(server, `/courses/${slug}`));
      await signUp(page, server, step, { name: 'Sid Student', email: studentEmail, password: `pw-${unique('s')}-Long` });
      await verifyEmail(page, server, step, studentEmail);
      const cards = await search(page, server, step, title.split(' ')[0] + ' ' + title.split(' ')[1]);
      const card = await resultFor(cards, slug);
      const img = card.locator('xpath=ancestor::li[1]').locator('img').first();
      assert.match((await img.getAttribute('src')) ?? '', /^\/media\//, 'the card shows the cover');
      step('enroll and seek in the video');
      await page.goto(url(server, `/courses/${slug}`));
      await enroll(page, step, slug);
      const ranges = [];
      page.on('response', (r) => {
        if (r.url().includes('/media/') && r.status() === 206) ranges.push(r.headers()['content-range']);
      });
      // The video lesson is second now (the teacher moved "Colour mixing" up).
      await page.goto(url(server, await lessonPath(server, slug, 1)));
      const video = page.locator('video').first();
      await video.evaluate(
        (v) =>
          new Promise((res, rej) => {
            if (v.readyState >= 1) return res();
            v.addEventListener('loadedmetadata', () => res(), { once: true });
            v.addEventListener('error', () => rej(new Error(`video error ${v.error?.code}`)), { once: true });
            v.load();
          }),
      );
      const duration = await video.evaluate((v) => v.duration);
      assert.ok(duration > 3 && duration < 5, `the clip is 4 s long (${duration})`);
      const at = await video.evaluate(
        (v) =>
          new Promise((res) => {
            v.addEventListener('seeked', () => res(v.currentTime), { once: true });
            v.currentTime = 3;
          }),
      );
      assert.ok(Math.abs(at - 3) < 0.5, `seeked to ${at}`);
      assert.ok(ranges.length > 0, 'the video was read with Range requests (206)');
    });

    await inContext('studio-dashboard', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, teacherEmail, teacherPassword);
      step("the teacher's dashboard counts the student");
      await page.goto(url(server, '/studio'));
      assert.equal((await page.locator('[data-students]').innerText()).trim(), '1');
      assert.match(await page.locator(`#course-${courseId}`).innerText(), /\b1\b/);
    });
  });

  test('quiz: take a quiz, fail, retry, pass, and see the course complete', { timeout: TEST_TIMEOUT }, async () => {
    // A small course of the admin's (published at once or approved): one text lesson and a quiz.
    const token = await adminToken(server);
    const call = async (method, path, body) => {
      const r = await fetch(url(server, path), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      const data = await r.json().catch(() => null);
      assert.ok(r.ok, `${method} ${path} → ${r.status} ${JSON.stringify(data)}`);
      return data;
    };
    const title = `Quiz course ${unique('quiz')}`;
    const course = await call('POST', '/api/v1/courses', {
      title,
      description: 'A short course that ends with a quiz: read one lesson about prime numbers, then check yourself with two questions and see the course complete.',
      level: 'beginner', language: 'en', category: 'programming', price_minor: 0, currency: 'USD',
    });
    const module = await call('POST', `/api/v1/courses/${course.id}/modules`, { title: 'Numbers' });
    await call('POST', `/api/v1/modules/${module.id}/lessons`, { title: 'Primes', body: 'A prime has exactly two divisors: 1 and itself.' });
    await call('POST', `/api/v1/modules/${module.id}/lessons`, {
      title: 'Check yourself', kind: 'quiz', body: 'Two questions.',
      quiz: {
        pass_percent: 100,
        questions: [
          { kind: 'single', prompt: 'Which is a prime?', options: ['4', '7', '9'], answers: [1], feedback: '7 has no other divisors.' },
          { kind: 'short', prompt: 'The smallest prime?', answers: ['2', 'two'] },
        ],
      },
    });
    const published = await call('POST', `/api/v1/courses/${course.id}/publish`);
    if (published.status !== 'published') await call('POST', `/api/v1/admin/courses/${course.id}/approve`, {});

    await inContext('quiz-student', { ...DESKTOP, locale: 'en-US' }, async (ctx, page, step) => {
      const email = `${unique('quizzer')}@e2e.test`;
      await signUp(page, server, step, { name: 'Quinn Quiz', email, password: `pw-${unique('q')}-Long` });
      await verifyEmail(page, server, step, email);
      await page.goto(url(server, `/courses/${course.slug}`));
      await enroll(page, step, course.slug);
      step('complete the text lesson');
      await completeLesson(page);
      await clickAndNavigate(page, page.locator('a[rel="next"]'));
      const form = page.locator('form[data-quiz-form]');
      assert.equal(await form.count(), 1, 'the quiz form is shown');
      assert.doesNotMatch(await page.content(), /7 has no other divisors/, 'no feedback or answers before submitting');

      step('a wrong answer: not passed, told which one');
      await form.locator('[data-question="0"] input[value="0"]').check();
      await form.locator('[data-question="1"] input[type="text"]').fill('one');
      await form.locator('button[type="submit"]').click();
      await page.locator('[data-quiz-result] .notice').waitFor();
      assert.match(await page.locator('[data-question="0"]').getAttribute('class'), /is-wrong/);
      assert.equal(await page.locator('[data-course-complete]').isVisible(), false);

      step('retry with the right answers: passed, and the course is complete');
      await form.locator('[data-question="0"] input[value="1"]').check();
      await form.locator('[data-question="1"] input[type="text"]').fill('  TWO ');
      await form.locator('button[type="submit"]').click();
      await page.locator('[data-quiz-result] .notice-success').waitFor();
      assert.match(await page.locator('[data-question="0"] [data-feedback]').innerText(), /7 has no other divisors/);
      await page.locator('[data-course-complete]').waitFor({ state: 'visible' });
      step('after a reload too');
      await page.reload();
      assert.equal(await page.locator('[data-course-complete]').isVisible(), true);
    });
  });

  test('phone 375px: no horizontal scroll; the catalog without JavaScript', { timeout: TEST_TIMEOUT }, async () => {
    const pick = PICKS.en;
    const course = demoCourse(pick.slug);
    const student = demoStudentOf(pick.slug, 'en');
    const lesson = await lessonPath(server, pick.slug, 1);

    await inContext('phone-layout', { ...PHONE }, async (ctx, page, step) => {
      for (const path of ['/', '/courses', `/courses/${pick.slug}`]) {
        step(`no horizontal scroll on ${path}`);
        const r = await page.goto(url(server, path));
        assert.equal(r.status(), 200, `${path} → ${r.status()}`);
        await assertNoHorizontalScroll(page, path);
      }
      step('sign a demo student in');
      await signInByCookie(ctx, server, student.email);
      step(`no horizontal scroll on the lesson ${lesson}`);
      const r = await page.goto(url(server, lesson));
      assert.equal(r.status(), 200, `${lesson} → ${r.status()}`);
      assert.ok(await signedIn(page), 'the demo student is signed in');
      await assertNoHorizontalScroll(page, lesson);
    });

    await inContext('no-javascript-catalog', { ...PHONE, javaScriptEnabled: false }, async (ctx, page, step) => {
      step(`/courses?q=${pick.word} without JavaScript`);
      const r = await page.goto(url(server, `/courses?q=${encodeURIComponent(pick.word)}`));
      assert.equal(r.status(), 200, `GET /courses?q= → ${r.status()}`);
      const card = await resultFor(page.locator('ul.course-grid li.course-card a.card-link'), pick.slug);
      await card.waitFor({ state: 'visible' });
      step('course page without JavaScript');
      await clickAndNavigate(page, card);
      const curriculum = page.locator('.curriculum').first();
      await curriculum.waitFor({ state: 'visible' });
      const text = await curriculum.textContent();
      const first = course.modules[0].lessons[0].title;
      assert.ok(text.includes(first), `.curriculum lists the first lesson "${first}"`);
    });
  });

  test('offline: the complete toggle rolls back, then retries once the server is back; opened lessons stay readable', { timeout: TEST_TIMEOUT }, async () => {
    // Its own server: stopping it must not disturb the other tests.
    const own = new LecternServer();
    await own.start();
    const pick = PICKS.en;
    try {
      await inContext('offline-rollback', { ...DESKTOP }, async (ctx, page, step) => {
        step('open /');
        await page.goto(url(own, '/'));
        const email = `${unique('off')}@e2e.test`;
        await signUp(page, own, step, { name: 'Otto Offline', email, password: `pw-${unique('off')}-Long` });
        step('course page');
        await page.goto(url(own, `/courses/${pick.slug}`));
        await enroll(page, step, pick.slug);
        const lessonUrl = page.url();
        const form = page.locator('form[data-kind="complete"]').first();
        const button = form.locator('button[type="submit"]');
        await button.waitFor({ state: 'visible' });
        assert.equal(await button.getAttribute('aria-pressed'), 'false');
        // Let the page (and a service worker, if any) settle before the network goes away.
        await page.waitForLoadState('load');
        await page.waitForTimeout(500);

        step('stop the server');
        await own.stop();
        step('press complete while the server is down');
        await button.evaluate((b) => {
          b.__e2eStates = [];
          new MutationObserver(() => b.__e2eStates.push(b.getAttribute('aria-pressed'))).observe(b, {
            attributes: true,
            attributeFilter: ['aria-pressed'],
          });
        });
        await button.click();
        const failed = form.locator('.action-status.failed');
        await failed.waitFor({ state: 'visible' });
        await waitAttr(button, 'aria-pressed', 'false');
        const states = await button.evaluate((b) => b.__e2eStates);
        assert.ok(
          states.includes('true'),
          `the button flips at once, before rolling back (aria-pressed went ${JSON.stringify(states)})`,
        );
        const retry = form.locator('button.retry');
        await retry.waitFor({ state: 'visible' });

        step('start the server again');
        await own.start();
        step('retry');
        const api = await form.getAttribute('data-api');
        const method = ((await form.getAttribute('data-on-method')) || 'POST').toUpperCase();
        const responded = page.waitForResponse((r) => answers(r, api, method), { timeout: 20_000 });
        await retry.click();
        const resp = await responded;
        assert.ok(resp.ok(), `retry: ${method} ${api} answered ${resp.status()}: ${await resp.text().catch(() => '')}`);
        await waitAttr(button, 'aria-pressed', 'true');
        await form.locator('.action-status.failed').waitFor({ state: 'hidden' });
        await retry.waitFor({ state: 'hidden' });

        step('reload: completed on the server');
        await page.goto(lessonUrl);
        await waitAttr(page.locator('form[data-kind="complete"] button[type="submit"]').first(), 'aria-pressed', 'true');

        step('the service worker keeps an opened lesson readable offline');
        await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller, null, {
          timeout: 15_000,
        });
        // A navigation under the worker's control: it keeps a copy of the lesson page.
        await page.goto(lessonUrl);
        const title = (await page.locator('article.lesson h1').first().textContent()).trim();
        await page.waitForTimeout(500);
        await own.stop();
        await page.goto(lessonUrl);
        const offlineTitle = (await page.locator('article.lesson h1').first().textContent()).trim();
        assert.equal(offlineTitle, title, 'the lesson opened before is served from the cache');
        step('a page never opened shows the offline page');
        await page.goto(url(own, `/courses/${pick.slug}?never-opened=1`));
        await page.locator('.offline').first().waitFor({ state: 'visible', timeout: 10_000 });
      }, own);
    } finally {
      await own.cleanup();
    }
  });

  test('screenshots at 375px and 1280px', { timeout: TEST_TIMEOUT }, async (t) => {
    const pick = PICKS.en;
    const student = demoStudentOf(pick.slug, 'en');
    const lesson = await lessonPath(server, pick.slug, 0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const pages = [
      ['home', '/', 200],
      ['catalog', '/courses', 200],
      ['course', `/courses/${pick.slug}`, 200],
      ['signin', '/signin', 200],
      ['not-found', '/no-such-page-e2e', 404],
      ['lesson', lesson, 200, 'signed-in'], // last: the context stays signed in
    ];
    const written = [];
    for (const [width, device] of [
      [375, PHONE],
      [1280, DESKTOP],
    ]) {
      await inContext(`screenshots-${width}`, { ...device }, async (ctx, page, step) => {
        for (const [name, path, status, who] of pages) {
          step(`${width}px ${name} ${path}`);
          if (who === 'signed-in' && !(await signedIn(page))) await signInByCookie(ctx, server, student.email);
          const r = await page.goto(url(server, path));
          assert.equal(r.status(), status, `${path} → ${r.status()}`);
          await page.waitForLoadState('load');
          await page.evaluate(() => document.fonts?.ready);
          const file = join(SCREENSHOTS, `${width}-${name}.png`);
          await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 30_000 });
          written.push(file);
        }
      });
    }
    // The admin's pages (at 1280px): the console, users, the queues, money and the audit log.
    await inContext('screenshots-admin', { ...DESKTOP }, async (ctx, page, step) => {
      await signInByCookie(ctx, server, ADMIN_EMAIL, ADMIN_PASSWORD);
      for (const [name, path] of ADMIN_PAGES) {
        step(`admin ${name} ${path}`);
        const r = await page.goto(url(server, path));
        assert.equal(r.status(), 200, `${path} → ${r.status()}`);
        await page.waitForLoadState('load');
        const file = join(SCREENSHOTS, `1280-${name}.png`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 30_000 });
        written.push(file);
      }
    });
    // The teacher studio (a demo teacher), at both widths.
    const teacher = 'maria.lopez@demo.lectern.school';
    for (const [width, device] of [
      [375, PHONE],
      [1280, DESKTOP],
    ]) {
      await inContext(`screenshots-studio-${width}`, { ...device }, async (ctx, page, step) => {
        await signInByCookie(ctx, server, teacher);
        const teaching = await (await page.request.get(url(server, '/api/v1/me/teaching'))).json();
        const id = teaching.courses[0].id;
        const cur = await (await page.request.get(url(server, `/api/v1/courses/${id}/curriculum`))).json();
        const lesson = cur.modules[0].lessons[0].id;
        for (const [name, path] of [
          ['studio', '/studio'],
          ['studio-wizard', '/studio/courses/new'],
          ['studio-editor', `/studio/courses/${id}`],
          ['studio-lesson', `/studio/lessons/${lesson}`],
          ['studio-analytics', `/studio/courses/${id}/analytics?from=2026-01-01&to=2026-12-31`],
          ['studio-students', `/studio/courses/${id}/students`],
          ['studio-verification', '/studio/verification'],
        ]) {
          step(`${width}px ${name} ${path}`);
          const r = await page.goto(url(server, path));
          assert.equal(r.status(), 200, `${path} → ${r.status()}`);
          await page.waitForLoadState('load');
          if (width === 375) await assertNoHorizontalScroll(page, `${name} at 375px`);
          const file = join(SCREENSHOTS, `${width}-${name}.png`);
          await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 30_000 });
          written.push(file);
        }
      });
    }
    t.diagnostic(`screenshots in ${SCREENSHOTS}:\n${written.map((f) => `  ${f}`).join('\n')}`);
    console.log(`# screenshots (${written.length}) in ${SCREENSHOTS}`);
  });
});
