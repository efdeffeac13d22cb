// Lectern app.js: progressive enhancement for the server-rendered pages (contract: web/README.md).
// One ES module, no imports, no build step. Every page works without it.

const TIMEOUT_MS = 10_000;
const REFRESH_URL = '/api/v1/auth/session/refresh';
const REFRESHED_KEY = 'lectern-refreshed-at';

const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** Runs `fn`, logging instead of throwing, so one broken widget never breaks the page. */
function guard(fn) {
  return function guarded(...args) {
    try {
      const r = fn.apply(this, args);
      if (r && typeof r.catch === 'function') r.catch(report);
      return r;
    } catch (e) {
      report(e);
    }
  };
}
function report(e) {
  console.error('[lectern]', e);
}

// ---------------------------------------------------------------- API client

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const m = document.cookie.match(/(?:^|;\s*)lectern_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** One HTTP exchange with a timeout covering the body too. Resolves to {res, data}. */
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
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    return { res, data };
  } catch (e) {
    const err = new Error(ctrl.signal.aborted ? 'Request timed out' : 'Network error');
    err.status = 0;
    err.cause = e;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

let refreshing = null;

/** Refreshes the session once for everyone waiting: one request per tab, and one across tabs
 *  (Web Locks); a tab that waited for another's refresh just retries. Resolves to true when the
 *  original request is worth retrying. */
function refreshSession(since) {
  if (refreshing) return refreshing;
  const run = async () => {
    try {
      if (Number(localStorage.getItem(REFRESHED_KEY)) > since) return true; // another tab did it
    } catch {}
    const { res, data } = await exchange(REFRESH_URL, 'POST');
    if (!res.ok) return false;
    if (data?.csrf_token) {
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) meta.content = data.csrf_token;
    }
    try {
      localStorage.setItem(REFRESHED_KEY, String(Date.now()));
    } catch {}
    return true;
  };
  const locked = navigator.locks?.request ? navigator.locks.request('lectern-refresh', run) : run();
  refreshing = Promise.resolve(locked)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** JSON API call. Throws an Error with `status` (0 for network/timeout) and the problem `detail`. */
export async function api(url, { method = 'GET', body } = {}) {
  const since = Date.now();
  let { res, data } = await exchange(url, method, body);
  if (res.status === 401 && !url.startsWith(REFRESH_URL) && (await refreshSession(since))) {
    ({ res, data } = await exchange(url, method, body));
  }
  if (!res.ok) {
    const err = new Error(data?.detail || data?.title || `HTTP ${res.status}`);
    err.status = res.status;
    err.detail = data?.detail;
    err.problem = data;
    throw err;
  }
  return data;
}

// ---------------------------------------------------------------- helpers

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

function starsText(n) {
  const r = Math.max(0, Math.min(5, Math.round(Number(n) || 0)));
  return '★'.repeat(r) + '☆'.repeat(5 - r);
}

function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium' }).format(d);
  } catch {
    return d.toLocaleDateString();
  }
}

/** Shows a failure in `status` with a retry button; `retry` runs when it is pressed. */
function showFailure(status, message, retryLabel, retry) {
  if (!status) return;
  status.replaceChildren();
  status.classList.add('failed');
  status.hidden = false;
  status.append(el('span', { text: message || 'Failed.' }));
  if (retry) {
    const btn = el('button', { type: 'button', class: 'retry', text: retryLabel || 'Retry' });
    btn.addEventListener('click', guard(() => retry()));
    status.append(btn);
  }
}

function clearStatus(status) {
  if (!status) return;
  status.replaceChildren();
  status.classList.remove('failed');
  status.hidden = true;
}

/** Keeps keyboard focus on the page when the focused element is about to disappear. */
function rescueFocus(leaving, target) {
  if (!leaving.contains(document.activeElement) || !target) return;
  if (!target.hasAttribute('tabindex') && !target.matches('a[href], button, input, select, textarea')) {
    target.setAttribute('tabindex', '-1');
  }
  target.focus({ preventScroll: true });
}

function reviewItem(r) {
  const li = el('li', { class: 'review' });
  if (r.id != null) li.id = `review-${r.id}`;
  const rating = Number(r.rating) || 0;
  const head = el(
    'div',
    { class: 'review-head' },
    el('span', { class: 'stars', role: 'img', 'aria-label': `${rating}/5`, text: starsText(rating) }),
    el('span', { class: 'review-author', text: r.author_name ?? r.author?.name ?? '' }),
  );
  if (r.created_at) head.append(el('time', { dateTime: r.created_at, text: formatDate(r.created_at) }));
  const body = el('div', { class: 'review-body' });
  body.innerHTML = r.text_html ?? ''; // sanitised by the server
  li.append(head, body);
  return li;
}

// ---------------------------------------------------------------- optimistic toggles

function setLessonDone(id, done) {
  if (id == null || id === '') return;
  for (const node of $$(`[data-lesson-id="${CSS.escape(String(id))}"]:not(form)`)) {
    node.classList.toggle('done', done);
  }
}

function updateProgress(p) {
  if (!p || typeof p !== 'object') return;
  const done = Number(p.completed_lessons) || 0;
  const total = Number(p.total_lessons) || 0;
  const percent = Number.isFinite(Number(p.percent)) ? Number(p.percent) : total ? Math.round((done * 100) / total) : 0;
  if (Array.isArray(p.completed_lesson_ids)) {
    const ids = new Set(p.completed_lesson_ids.map(String));
    for (const node of $$('[data-lesson-id]:not(form)')) node.classList.toggle('done', ids.has(node.dataset.lessonId));
  }
  for (const bar of $$('[data-progress-bar]')) {
    bar.max = Math.max(total, 1);
    bar.value = done;
  }
  for (const text of $$('[data-progress-text]')) {
    const tpl = text.dataset.progressTemplate;
    if (tpl) {
      text.textContent = tpl.replaceAll('{done}', done).replaceAll('{total}', total).replaceAll('{percent}', percent);
    }
  }
  for (const banner of $$('[data-course-complete]')) banner.hidden = p.status !== 'completed';
}

function decrementUnread() {
  for (const badge of $$('[data-unread-count]')) {
    const attr = Number.parseInt(badge.dataset.unreadCount, 10);
    const current = Number.isFinite(attr) ? attr : Number.parseInt(badge.textContent, 10) || 0;
    const next = Math.max(0, current - 1);
    badge.dataset.unreadCount = String(next);
    // replace the number inside the badge, keeping any other (e.g. visually hidden) text
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
  const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
  const status = form.querySelector('.action-status');
  const kind = form.dataset.kind;
  let busy = false;

  const apply = (on) => {
    form.dataset.state = on ? 'on' : 'off';
    if (button) {
      button.setAttribute('aria-pressed', String(on));
      const label = on ? form.dataset.labelOn : form.dataset.labelOff;
      if (label) {
        if (button.tagName === 'INPUT') button.value = label;
        else button.textContent = label;
      }
    }
    if (kind === 'complete') setLessonDone(form.dataset.lessonId, on);
  };

  const run = async (on) => {
    if (busy) return;
    const method = (on ? form.dataset.onMethod : form.dataset.offMethod)?.toUpperCase();
    if (!method || !form.dataset.api) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    button?.setAttribute('aria-disabled', 'true');
    clearStatus(status);
    apply(on);
    try {
      const data = await api(form.dataset.api, { method });
      clearStatus(status);
      if (kind === 'complete') updateProgress(data);
      if (kind === 'read') {
        const item = form.closest('li.notification');
        item?.classList.remove('unread');
        if (item) rescueFocus(form, item);
        form.hidden = true;
        decrementUnread();
      }
      form.dispatchEvent(new CustomEvent('lectern:saved', { bubbles: true, detail: data }));
    } catch (e) {
      apply(!on);
      showFailure(status, form.dataset.msgFailed, form.dataset.msgRetry, () => run(on));
      console.warn('[lectern]', e);
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
      button?.removeAttribute('aria-disabled');
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    const on = form.dataset.state !== 'on';
    if (!on && !form.dataset.offMethod) return; // one-way action already done
    guard(run)(on);
  });
}

// ---------------------------------------------------------------- reviews

function initReviewForm(form) {
  const status = form.querySelector('.action-status');
  let busy = false;

  const submit = async () => {
    if (busy) return;
    const list = document.getElementById('reviews-list');
    const fields = new FormData(form);
    const rating = Number(fields.get('rating'));
    const text = String(fields.get('text') ?? '');
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      const first = form.querySelector('[name="rating"]');
      if (first && typeof first.reportValidity === 'function' && first.required && !first.reportValidity()) return;
      if (form.dataset.msgRating) showFailure(status, form.dataset.msgRating);
      first?.focus();
      return;
    }
    busy = true;
    form.setAttribute('aria-busy', 'true');
    clearStatus(status);
    const empty = document.querySelector('.empty-reviews');
    const emptyWasHidden = empty?.hidden;
    const pending = el(
      'li',
      { class: 'review pending', 'aria-busy': 'true' },
      el(
        'div',
        { class: 'review-head' },
        el('span', { class: 'stars', role: 'img', 'aria-label': `${rating}/5`, text: starsText(rating) }),
        form.dataset.authorName ? el('span', { class: 'review-author', text: form.dataset.authorName }) : null,
      ),
      el('div', { class: 'review-body', text }),
    );
    list?.prepend(pending);
    if (list && empty) empty.hidden = true;
    try {
      const saved = await api(form.dataset.api, { method: 'POST', body: { rating, text } });
      const item = saved && typeof saved === 'object' ? reviewItem(saved) : null;
      if (item) pending.replaceWith(item);
      else pending.classList.remove('pending');
      const thanks = el('p', { class: 'notice notice-success', role: 'status', tabindex: '-1' });
      form.after(thanks);
      thanks.textContent = form.dataset.msgSaved || '';
      if (!thanks.textContent) thanks.remove();
      rescueFocus(form, thanks.isConnected ? thanks : item);
      form.hidden = true;
      form.dispatchEvent(new CustomEvent('lectern:saved', { bubbles: true, detail: saved }));
    } catch (e) {
      pending.remove();
      if (empty) empty.hidden = emptyWasHidden;
      showFailure(status, form.dataset.msgFailed, form.dataset.msgRetry, () => submit());
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
  let busy = false;
  // the status right after the button (created when the template has none)
  const statusFor = () => {
    let s = button.nextElementSibling;
    if (!s?.classList.contains('action-status')) {
      s = el('span', { class: 'action-status', role: 'status', hidden: true });
      button.after(s);
    }
    return s;
  };

  const load = async () => {
    if (busy) return;
    const list = document.getElementById('reviews-list');
    if (!list || !button.dataset.api) return;
    busy = true;
    button.setAttribute('aria-busy', 'true');
    button.setAttribute('aria-disabled', 'true');
    clearStatus(statusFor());
    const skeletons = [0, 1, 2].map(() => el('li', { class: 'review skeleton', 'aria-hidden': 'true' }));
    list.append(...skeletons);
    try {
      const url = new URL(button.dataset.api, location.href);
      if (button.dataset.cursor) url.searchParams.set('cursor', button.dataset.cursor);
      url.searchParams.set('limit', '10');
      const data = await api(url.pathname + url.search);
      skeletons.forEach((s) => s.remove());
      let first = null;
      for (const r of data?.items ?? []) {
        if (r.id != null && document.getElementById(`review-${r.id}`)) continue; // already shown
        const item = reviewItem(r);
        list.append(item);
        first ??= item;
      }
      if (first) document.querySelector('.empty-reviews')?.setAttribute('hidden', '');
      if (data?.next_cursor) {
        button.dataset.cursor = data.next_cursor;
      } else {
        rescueFocus(button, first ?? list);
        button.remove();
      }
    } catch (e) {
      skeletons.forEach((s) => s.remove());
      showFailure(statusFor(), button.dataset.msgFailed, button.dataset.msgRetry, () => load());
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

// ---------------------------------------------------------------- search suggestions

function initSuggest(input) {
  const list = document.getElementById(input.getAttribute('aria-controls') || '');
  if (!list || !input.dataset.api) return;
  let items = [];
  let active = -1;
  let timer = 0;
  let blurTimer = 0;
  let seq = 0;

  input.setAttribute('autocomplete', 'off');
  if (!input.hasAttribute('aria-autocomplete')) input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  list.hidden = true;

  const go = (slug) => {
    location.assign(`/courses/${encodeURIComponent(slug)}`);
  };
  const setActive = (i) => {
    active = i;
    list.querySelectorAll('[role=option]').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    const li = i >= 0 ? list.children[i] : null;
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
    if (!items.length) return close();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const render = (found) => {
    items = found.filter((x) => x && x.slug && x.title);
    const base = list.id || 'suggest';
    list.replaceChildren(
      ...items.map((it, i) => {
        const li = el('li', { id: `${base}-opt-${i}`, role: 'option', 'aria-selected': 'false', text: it.title });
        li.addEventListener('mousedown', (ev) => ev.preventDefault()); // keep focus in the input
        li.addEventListener('click', () => go(it.slug));
        return li;
      }),
    );
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (document.activeElement === input) open();
    else close();
  };

  const fetchNow = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      items = [];
      list.replaceChildren();
      return close();
    }
    try {
      const url = new URL(input.dataset.api, location.href);
      url.searchParams.set('q', q);
      const data = await api(url.pathname + url.search);
      if (mine !== seq) return; // a newer query is on its way
      render(Array.isArray(data?.items) ? data.items : []);
    } catch {
      if (mine === seq) {
        items = [];
        list.replaceChildren();
        close();
      }
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(guard(fetchNow), 150);
  });
  input.addEventListener('keydown', (ev) => {
    const expanded = !list.hidden && items.length > 0;
    switch (ev.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (!items.length) return;
        ev.preventDefault();
        if (!expanded) open();
        const step = ev.key === 'ArrowDown' ? 1 : -1;
        const next = active < 0 ? (step > 0 ? 0 : items.length - 1) : (active + step + items.length) % items.length;
        setActive(next);
        break;
      }
      case 'Enter':
        if (expanded && active >= 0 && items[active]) {
          ev.preventDefault();
          go(items[active].slug);
        }
        break;
      case 'Escape':
        if (expanded) {
          ev.preventDefault();
          close();
        }
        break;
      default:
    }
  });
  input.addEventListener('blur', () => {
    clearTimeout(blurTimer);
    blurTimer = setTimeout(close, 150);
  });
  input.addEventListener('focus', () => clearTimeout(blurTimer));
}

// ---------------------------------------------------------------- sign out, player, service worker

function initSignout(form) {
  let leaving = false;
  form.addEventListener('submit', (ev) => {
    if (form.dataset.cachesCleared) return; // second pass: let the browser submit
    ev.preventDefault();
    if (leaving) return;
    leaving = true;
    const clear = (async () => {
      if (!('caches' in window)) return;
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith('lectern-')).map((n) => caches.delete(n)));
    })().catch(() => {});
    const cap = new Promise((resolve) => setTimeout(resolve, 500));
    Promise.race([clear, cap]).then(() => {
      form.dataset.cachesCleared = '1';
      HTMLFormElement.prototype.submit.call(form);
    });
  });
}

/** On wide screens the lesson list is a sidebar: keep its <details> open there. */
function initPlayerToc() {
  const tocs = $$('details.player-toc');
  if (!tocs.length || !window.matchMedia) return;
  const wide = window.matchMedia('(min-width: 60rem)');
  const sync = () => {
    if (wide.matches) tocs.forEach((d) => (d.open = true));
  };
  sync();
  wide.addEventListener?.('change', guard(sync));
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
  each('button[data-more-reviews]', initMoreReviews);
  each('input[data-suggest]', initSuggest);
  each('form[data-signout]', initSignout);
  guard(initPlayerToc)();
  guard(registerServiceWorker)();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', guard(init), { once: true });
else guard(init)();
