// Lectern app.js: progressive enhancement of the server-rendered pages (contract: web/README.md).
// One ES module, no imports, no build step. Every page works without it.

const TIMEOUT_MS = 10_000;
const REFRESH_URL = '/api/v1/auth/session/refresh';
const REFRESHED_KEY = 'lectern-refreshed-at';

const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const report = (e) => console.error('[lectern]', e);

/** Wraps `fn` so that neither a throw nor a rejection escapes: one broken widget never breaks the page. */
const guard = (fn) =>
  function (...args) {
    try {
      const r = fn.apply(this, args);
      if (r && typeof r.catch === 'function') r.catch(report);
      return r;
    } catch (e) {
      report(e);
    }
  };

// ---- API client

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const m = document.cookie.match(/(?:^|;\s*)lectern_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** One request; the timeout covers the body too. Resolves to {res, data}; throws (status 0) on network failure. */
async function exchange(url, method, body) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  const headers = { Accept: 'application/json' };
  const token = csrfToken();
  if (token) headers['X-CSRF-Token'] = token;
  const init = { method, headers, credentials: 'same-origin', signal: ctrl.signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {}
    return { res, data };
  } catch (e) {
    throw Object.assign(new Error(ctrl.signal.aborted ? 'Request timed out' : 'Network error'), { status: 0, cause: e });
  } finally {
    clearTimeout(timer);
  }
}

let refreshing = null;

/** Refreshes the session once for all waiting requests: one shared promise in this tab, and one
 *  refresh across tabs (Web Locks; a tab that waited for another tab's refresh just retries).
 *  Resolves to true when the failed request is worth retrying. */
function refreshSession(since) {
  if (refreshing) return refreshing;
  const run = async () => {
    try {
      if (Number(localStorage.getItem(REFRESHED_KEY)) > since) return true;
    } catch {}
    const { res, data } = await exchange(REFRESH_URL, 'POST');
    if (!res.ok) return false;
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && data?.csrf_token) meta.content = data.csrf_token;
    try {
      localStorage.setItem(REFRESHED_KEY, String(Date.now()));
    } catch {}
    return true;
  };
  const locked = navigator.locks?.request ? navigator.locks.request('lectern-refresh', run) : run();
  refreshing = Promise.resolve(locked)
    .catch(() => false)
    .finally(() => (refreshing = null));
  return refreshing;
}

/** JSON API call. Throws an Error with `status` (0: network or timeout) and the problem+json `detail`. */
export async function api(url, { method = 'GET', body } = {}) {
  const since = Date.now();
  let { res, data } = await exchange(url, method, body);
  if (res.status === 401 && !url.startsWith(REFRESH_URL) && (await refreshSession(since))) {
    ({ res, data } = await exchange(url, method, body));
  }
  if (!res.ok) {
    const detail = data?.detail;
    throw Object.assign(new Error(detail || `HTTP ${res.status}`), { status: res.status, detail, problem: data });
  }
  return data;
}

// ---- DOM helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k in node && !k.includes('-')) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

const stars = (n) => {
  const r = Math.max(0, Math.min(5, Math.round(Number(n) || 0)));
  return el('span', { class: 'stars', role: 'img', 'aria-label': `${r}/5`, text: '★'.repeat(r) + '☆'.repeat(5 - r) });
};

function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium' }).format(d);
  } catch {
    return d.toLocaleDateString();
  }
}

/** Shows `message` in a status element as a failure, with a retry button when `retry` is given. */
function showFailure(status, message, retryLabel, retry) {
  if (!status) return;
  status.replaceChildren(el('span', { text: message || 'Failed.' }));
  status.classList.add('failed');
  status.hidden = false;
  if (retry) {
    const btn = el('button', { type: 'button', class: 'retry', text: retryLabel || 'Retry' });
    btn.addEventListener('click', guard(retry));
    status.append(btn);
  }
}

function clearStatus(status) {
  if (!status) return;
  status.replaceChildren();
  status.classList.remove('failed');
  status.hidden = true;
}

/** Moves keyboard focus to `target` when it is inside `leaving`, which is about to disappear. */
function rescueFocus(leaving, target) {
  if (!target || !leaving.contains(document.activeElement)) return;
  if (!target.matches('a[href], button, input, select, textarea, [tabindex]')) target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

/** A review as the course page renders it; `text_html` comes sanitised from the server. */
function reviewItem(r) {
  const li = el('li', { class: 'review', id: r.id != null ? `review-${r.id}` : null });
  const head = el('div', { class: 'review-head' }, stars(r.rating));
  head.append(el('strong', { class: 'review-author', text: r.author_name ?? r.author?.name ?? '' }));
  if (r.created_at) head.append(el('time', { class: 'date', dateTime: r.created_at, text: formatDate(r.created_at) }));
  const body = el('div', { class: 'review-body' });
  body.innerHTML = r.text_html ?? '';
  li.append(head);
  // Held by the screen: only its author sees it, until an admin checks it.
  const note = document.querySelector('[data-review-form]')?.dataset.msgPending;
  if (r.status === 'pending' && note) {
    li.classList.add('review-pending');
    li.append(el('p', { class: 'notice notice-info review-pending-note', text: note }));
  }
  li.append(body);
  return li;
}

const saved = (target, detail) => target.dispatchEvent(new CustomEvent('lectern:saved', { bubbles: true, detail }));

// ---- optimistic toggles

function markLessons(test) {
  for (const node of $$('[data-lesson-id]:not(form)')) {
    const done = test(node.dataset.lessonId);
    if (done != null) node.classList.toggle('done', done);
  }
}

function updateProgress(p) {
  if (!p || typeof p !== 'object') return;
  const done = Number(p.completed_lessons) || 0;
  const total = Number(p.total_lessons) || 0;
  const percent = Number.isFinite(Number(p.percent)) ? Number(p.percent) : total ? Math.round((done * 100) / total) : 0;
  if (Array.isArray(p.completed_lesson_ids)) {
    const ids = new Set(p.completed_lesson_ids.map(String));
    markLessons((id) => ids.has(id));
  }
  for (const bar of $$('[data-progress-bar]')) {
    bar.max = Math.max(total, 1);
    bar.value = done;
  }
  for (const node of $$('[data-progress-text]')) {
    const tpl = node.dataset.progressTemplate;
    if (tpl) node.textContent = tpl.replaceAll('{done}', done).replaceAll('{total}', total).replaceAll('{percent}', percent);
  }
  for (const banner of $$('[data-course-complete]')) banner.hidden = p.status !== 'completed';
}

function decrementUnread() {
  for (const badge of $$('[data-unread-count]')) {
    const own = Number.parseInt(badge.dataset.unreadCount, 10);
    const next = Math.max(0, (Number.isFinite(own) ? own : Number.parseInt(badge.textContent, 10) || 0) - 1);
    badge.dataset.unreadCount = String(next);
    // replace the number only, keeping any other (e.g. visually hidden) text inside the badge
    const walker = document.createTreeWalker(badge, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (/\d/.test(t.data)) {
        t.data = t.data.replace(/\d+/, String(next));
        break;
      }
    }
    badge.hidden = next === 0;
  }
}

function initToggle(form) {
  const d = form.dataset;
  const button = form.querySelector('button[type=submit], button:not([type])');
  const status = form.querySelector('.action-status');
  let busy = false;

  const apply = (on) => {
    d.state = on ? 'on' : 'off';
    if (button) {
      button.setAttribute('aria-pressed', String(on));
      const label = on ? d.labelOn : d.labelOff;
      if (label) button.textContent = label;
    }
    if (d.kind === 'complete' && d.lessonId) markLessons((id) => (id === d.lessonId ? on : null));
  };

  const run = async (on) => {
    const method = on ? d.onMethod : d.offMethod;
    if (busy || !method || !d.api) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    button?.setAttribute('aria-disabled', 'true');
    clearStatus(status);
    apply(on);
    try {
      const data = await api(d.api, { method: method.toUpperCase() });
      clearStatus(status);
      if (d.kind === 'complete') updateProgress(data);
      if (d.kind === 'read') {
        const item = form.closest('li.notification');
        item?.classList.remove('unread');
        rescueFocus(form, item);
        form.hidden = true;
        decrementUnread();
      }
      saved(form, data);
    } catch (e) {
      apply(!on);
      showFailure(status, d.msgFailed, d.msgRetry, () => run(on));
      console.warn('[lectern]', e);
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
      button?.removeAttribute('aria-disabled');
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const on = d.state !== 'on';
    if (on || d.offMethod) guard(run)(on); // a one-way action (no data-off-method) only goes on
  });
}

// ---- reviews

function initReviewForm(form) {
  const d = form.dataset;
  const status = form.querySelector('.action-status');
  let busy = false;

  const submit = async () => {
    if (busy) return;
    const fields = new FormData(form);
    const rating = Number(fields.get('rating'));
    const text = String(fields.get('text') ?? '');
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      const input = form.querySelector('[name="rating"]');
      if (input?.required && !input.reportValidity()) return;
      if (d.msgRating) showFailure(status, d.msgRating);
      input?.focus();
      return;
    }
    busy = true;
    form.setAttribute('aria-busy', 'true');
    clearStatus(status);
    const list = document.getElementById('reviews-list');
    const empty = document.querySelector('.empty-reviews');
    const emptyWasHidden = empty?.hidden;
    const head = el('div', { class: 'review-head' }, stars(rating));
    if (d.authorName) head.append(el('strong', { class: 'review-author', text: d.authorName }));
    const pending = el('li', { class: 'review pending', 'aria-busy': 'true' }, head, el('div', { class: 'review-body', text }));
    list?.prepend(pending);
    if (list && empty) empty.hidden = true;
    try {
      const review = await api(d.api, { method: 'POST', body: { rating, text } });
      const item = review && typeof review === 'object' ? reviewItem(review) : null;
      if (item) pending.replaceWith(item);
      else pending.classList.remove('pending');
      let thanks = null;
      if (d.msgSaved) {
        thanks = el('p', { class: 'notice notice-success', role: 'status', text: d.msgSaved });
        form.after(thanks);
      }
      rescueFocus(form, thanks ?? item);
      form.hidden = true;
      saved(form, review);
    } catch (e) {
      pending.remove();
      if (empty) empty.hidden = emptyWasHidden;
      showFailure(status, d.msgFailed, d.msgRetry, submit);
      console.warn('[lectern]', e);
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    guard(submit)();
  });
}

// ---- lesson Q&A (the forms post to page routes without JavaScript)

/** A question or an answer as the player renders it; `body_html` comes sanitised from the server. */
function qaItem(p, form, question) {
  const li = el('li', { class: question ? 'qa-question' : 'qa-answer', id: `${question ? 'question' : 'answer'}-${p.id}` });
  if (question) li.append(el('h3', { class: 'qa-question-title', text: p.title }));
  const meta = el('p', { class: 'qa-meta' }, el('strong', { text: p.author?.name ?? '' }));
  if (p.created_at) meta.append(' · ', el('time', { dateTime: p.created_at, text: formatDate(p.created_at) }));
  li.append(meta);
  if (p.status === 'pending' && form.dataset.msgPending) {
    li.classList.add('qa-held');
    li.append(el('p', { class: 'notice notice-info', text: form.dataset.msgPending }));
  }
  const body = el('div', { class: 'qa-body' });
  body.innerHTML = p.body_html ?? '';
  li.append(body);
  return li;
}

/** Asks or answers through the API and shows the new post without a reload. */
function initQaForm(form) {
  const question = form.hasAttribute('data-qa-ask');
  const status = form.querySelector('.action-status');
  let busy = false;
  const submit = async () => {
    if (busy || !form.reportValidity()) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    clearStatus(status);
    const fields = new FormData(form);
    const body = question
      ? { title: String(fields.get('title') ?? ''), body: String(fields.get('body') ?? '') }
      : { body: String(fields.get('body') ?? '') };
    try {
      const post = await api(form.dataset.api, { method: 'POST', body });
      const item = qaItem(post, form, question);
      if (question) {
        document.getElementById('qa-list')?.prepend(item);
        document.querySelector('.qa-empty')?.setAttribute('hidden', '');
      } else {
        form.closest('.qa-question')?.querySelector('.qa-answers')?.append(item);
      }
      form.reset();
      rescueFocus(form, item);
      saved(form, post);
    } catch (e) {
      showFailure(status, form.dataset.msgFailed, form.dataset.msgRetry, submit);
      console.warn('[lectern]', e);
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    guard(submit)();
  });
}

function initMoreReviews(button) {
  const d = button.dataset;
  let busy = false;
  // the status element right after the button, created when the template has none
  const status = () => {
    let s = button.nextElementSibling;
    if (!s?.classList.contains('action-status')) button.after((s = el('span', { class: 'action-status', role: 'status', hidden: true })));
    return s;
  };

  const load = async () => {
    const list = document.getElementById('reviews-list');
    if (busy || !list || !d.api) return;
    busy = true;
    button.setAttribute('aria-busy', 'true');
    button.setAttribute('aria-disabled', 'true');
    clearStatus(status());
    const skeletons = [0, 1, 2].map(() => el('li', { class: 'review skeleton', 'aria-hidden': 'true' }));
    list.append(...skeletons);
    try {
      const url = new URL(d.api, location.href);
      if (d.cursor) url.searchParams.set('cursor', d.cursor);
      url.searchParams.set('limit', '10');
      const data = await api(url.pathname + url.search);
      skeletons.forEach((s) => s.remove());
      let first = null;
      for (const r of data?.items ?? []) {
        if (r.id != null && document.getElementById(`review-${r.id}`)) continue; // already on the page
        const item = reviewItem(r);
        list.append(item);
        first ??= item;
      }
      if (first) document.querySelector('.empty-reviews')?.setAttribute('hidden', '');
      if (data?.next_cursor) {
        d.cursor = data.next_cursor;
      } else {
        rescueFocus(button, first ?? list);
        button.remove();
      }
    } catch (e) {
      skeletons.forEach((s) => s.remove());
      showFailure(status(), d.msgFailed, d.msgRetry, load);
      console.warn('[lectern]', e);
    } finally {
      busy = false;
      button.removeAttribute('aria-busy');
      button.removeAttribute('aria-disabled');
    }
  };

  button.addEventListener('click', (ev) => {
    ev.preventDefault();
    guard(load)();
  });
}

// ---- search suggestions (ARIA 1.2 combobox with a listbox popup)

function initSuggest(input) {
  const list = document.getElementById(input.getAttribute('aria-controls') || '');
  if (!list || !input.dataset.api) return;
  let items = [];
  let active = -1;
  let seq = 0;
  let timer = 0;
  let blurTimer = 0;

  input.setAttribute('autocomplete', 'off');
  if (!input.hasAttribute('aria-autocomplete')) input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  list.hidden = true;

  const go = (slug) => location.assign(`/courses/${encodeURIComponent(slug)}`);
  const setActive = (i) => {
    active = i;
    Array.from(list.children).forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    const li = list.children[i];
    if (li) {
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  };
  const open = () => {
    if (!items.length || document.activeElement !== input) return close();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const render = (found) => {
    items = found.filter((x) => x?.slug && x?.title);
    list.replaceChildren(
      ...items.map((it, i) => {
        const li = el('li', { id: `${list.id}-opt-${i}`, role: 'option', 'aria-selected': 'false', text: it.title });
        li.addEventListener('mousedown', (ev) => ev.preventDefault()); // keep focus in the input
        li.addEventListener('click', () => go(it.slug));
        return li;
      }),
    );
    setActive(-1);
    open();
  };

  const fetchNow = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) return render([]);
    try {
      const url = new URL(input.dataset.api, location.href);
      url.searchParams.set('q', q);
      const data = await api(url.pathname + url.search);
      if (mine === seq) render(Array.isArray(data?.items) ? data.items : []); // else: stale
    } catch {
      if (mine === seq) render([]);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(guard(fetchNow), 150);
  });
  input.addEventListener('keydown', (ev) => {
    const expanded = !list.hidden;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (!items.length) return;
      ev.preventDefault();
      open();
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : items.length - 1) : (active + step + items.length) % items.length);
    } else if (ev.key === 'Enter' && expanded && items[active]) {
      ev.preventDefault();
      go(items[active].slug);
    } else if (ev.key === 'Escape' && expanded) {
      ev.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => {
    clearTimeout(blurTimer);
    blurTimer = setTimeout(close, 150);
  });
  input.addEventListener('focus', () => clearTimeout(blurTimer));
}

// ---- sign out, player sidebar, service worker

function initSignout(form) {
  let leaving = false;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (leaving) return;
    leaving = true;
    const clear = (async () => {
      if (!('caches' in window)) return;
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith('lectern-')).map((n) => caches.delete(n)));
    })().catch(() => {});
    // form.submit() fires no submit event, so this handler does not run again
    Promise.race([clear, new Promise((r) => setTimeout(r, 500))]).then(() => HTMLFormElement.prototype.submit.call(form));
  });
}

/** On wide screens the lesson list is a sidebar: keep its <details> open there. */
function initPlayerToc() {
  const tocs = $$('details.player-toc');
  if (!tocs.length || !window.matchMedia) return;
  const wide = window.matchMedia('(min-width: 60rem)');
  const sync = () => wide.matches && tocs.forEach((t) => (t.open = true));
  sync();
  wide.addEventListener?.('change', guard(sync));
}

// ---- quizzes

/** The quiz form without a reload: the answers go to the API, which grades them (the page never
 * holds the right answers), and the result marks each question. Without JavaScript the same form
 * posts to the page route. */
function initQuizForm(form) {
  const d = form.dataset;
  const status = form.querySelector('.action-status');
  const result = form.parentElement.querySelector('[data-quiz-result]');
  const attempts = form.parentElement.querySelector('[data-quiz-attempts]');
  const button = form.querySelector('button[type="submit"]');
  let busy = false;

  const answers = () => {
    const fields = new FormData(form);
    return $$('[data-question]').filter((q) => form.contains(q)).map((q) => {
      const name = `q${q.dataset.question}`;
      const values = fields.getAll(name).map(String);
      if (q.dataset.kind === 'short') return values[0] ?? null;
      return values.map(Number).filter(Number.isInteger);
    });
  };

  const show = (r) => {
    const items = $$('[data-question]').filter((q) => form.contains(q));
    (r.per_question ?? []).forEach((pq, i) => {
      const item = items[i];
      if (!item) return;
      item.classList.toggle('is-correct', !!pq.correct);
      item.classList.toggle('is-wrong', !pq.correct);
      const fb = item.querySelector('[data-feedback]');
      if (fb) {
        fb.replaceChildren(el('strong', { text: pq.correct ? d.msgCorrect : d.msgWrong }));
        if (pq.feedback) fb.append(` — ${pq.feedback}`);
        fb.hidden = false;
      }
    });
    const tpl = r.passed ? d.msgPassed : d.msgNotPassed;
    if (result) {
      result.replaceChildren(
        el('p', { class: `notice ${r.passed ? 'notice-success' : 'notice-error'}`, text: (tpl || '{percent}%').replaceAll('{percent}', r.score_percent) }),
      );
      result.hidden = false;
    }
    if (attempts && r.attempts_left != null) {
      attempts.textContent = r.attempts_left > 0 ? (d.msgLeft || '').replaceAll('{left}', r.attempts_left) : d.msgNoneLeft || '';
    }
    if (r.attempts_left === 0 && button) button.remove();
    else if (button) button.textContent = d.msgRetry || button.textContent;
    if (r.progress) updateProgress(r.progress);
    if (r.passed) markLessons((id) => (id === d.lessonId ? true : null));
    rescueFocus(form, result);
  };

  form.addEventListener('submit', guard(async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    clearStatus(status);
    try {
      const r = await api(d.api, { method: 'POST', body: { answers: answers() } });
      show(r ?? {});
      saved(form, r);
    } catch (e) {
      showFailure(status, e.detail || d.msgFailed);
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  }));
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(report);
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

function init() {
  const each = (sel, fn) => $$(sel).forEach((node) => guard(fn)(node));
  each('form[data-optimistic]', initToggle);
  each('form[data-review-form]', initReviewForm);
  each('form[data-quiz-form]', initQuizForm);
  each('button[data-more-reviews]', initMoreReviews);
  each('form[data-qa-ask], form[data-qa-answer]', initQaForm);
  each('input[data-suggest]', initSuggest);
  each('form[data-signout]', initSignout);
  guard(initPlayerToc)();
  guard(registerServiceWorker)();
  // The studio's editors load their module only where they are (one instance of this module:
  // it hands over its API client instead of being imported again).
  const studio = document.querySelector('[data-studio]');
  if (studio) import(studio.dataset.studio).then((m) => m.init({ api, guard })).catch(report);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', guard(init), { once: true });
else guard(init)();
