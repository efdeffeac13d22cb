// Shared helpers of the end-to-end tests and the Lighthouse check (not a test file itself):
// - LecternServer: runs the release binary on a throw-away data dir, can stop and start it again
//   on the same data dir and port;
// - API helpers: admin sign-in, the verification link from the outbox, browser session cookies;
// - the demo school's data (data/demo) and the picks the tests use;
// - how Chromium is launched.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ADMIN_EMAIL = 'admin@e2e.test';
export const ADMIN_PASSWORD = 'e2e-admin-password-0f3a9c';
// Fixed so that tokens (and the browser's access cookie) stay valid across a restart.
export const JWT_SECRET = 'e2e-jwt-secret-that-is-long-enough-0123456789';
// Printed by `lectern serve --demo` (src/demo.rs PASSWORD).
export const DEMO_PASSWORD = 'lectern-demo-2026';

// ---------------------------------------------------------------- Chromium

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || process.env.CHROME_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

// ---------------------------------------------------------------- the server

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
});

export class LecternServer {
  /**
   * @param {object} [o]
   * @param {string} [o.bin]   the binary (default: env LECTERN_BIN or target/release/lectern)
   * @param {Record<string,string>} [o.env]  extra environment
   * @param {boolean} [o.keep] keep the tmp dir after `cleanup()` (default: env E2E_KEEP_TMP)
   */
  constructor(o = {}) {
    const bin = o.bin || process.env.LECTERN_BIN || 'target/release/lectern';
    this.bin = resolve(REPO_ROOT, bin);
    this.extraEnv = o.env || {};
    this.keep = o.keep ?? !!process.env.E2E_KEEP_TMP;
    this.tmp = mkdtempSync(join(tmpdir(), 'lectern-e2e-'));
    this.dataDir = join(this.tmp, 'data');
    this.indexDir = join(this.tmp, 'index');
    this.logPath = join(this.tmp, 'server.log');
    this.log = createWriteStream(this.logPath, { flags: 'a' });
    this.port = null;
    this.url = null;
    this.child = null;
    this.exited = null;
  }

  /** Starts `lectern serve --demo` (again, on the same data dir and port) and waits until ready. */
  async start({ timeoutMs = 90_000 } = {}) {
    if (this.child) throw new Error('server already running');
    if (!existsSync(this.bin)) {
      throw new Error(`no server binary at ${this.bin}: run \`cargo build --release\` or set LECTERN_BIN`);
    }
    if (this.port == null) {
      this.port = await freePort();
      this.url = `http://127.0.0.1:${this.port}`;
    }
    const deadline = Date.now() + timeoutMs;
    // The port may linger for a moment after a stop: a start that dies early is retried.
    for (let attempt = 1; ; attempt++) {
      this.#spawn();
      try {
        await this.#waitReady(deadline);
        return this;
      } catch (e) {
        const died = this.child === null;
        if (died && attempt < 5 && Date.now() < deadline && /in use|AddrInUse/i.test(this.tail(20))) {
          await sleep(500 * attempt);
          continue;
        }
        await this.stop().catch(() => {});
        throw new Error(`${e.message}\n--- server log (${this.logPath}) ---\n${this.tail()}`);
      }
    }
  }

  #spawn() {
    const args = [
      'serve',
      '--demo',
      '--data-dir', this.dataDir,
      '--index-dir', this.indexDir,
      '--addr', `127.0.0.1:${this.port}`,
    ];
    const env = {
      ...process.env,
      LECTERN_ADMIN_EMAIL: ADMIN_EMAIL,
      LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LECTERN_PUBLIC_URL: this.url,
      LECTERN_RATE_LIMIT_PER_MIN: '0',
      LECTERN_JWT_SECRET: JWT_SECRET,
      LECTERN_SHUTDOWN_TIMEOUT_SECS: '3',
      LECTERN_BACKUP_EVERY: '0',
      // The selling flow pays a teacher out the same day: no hold on their share.
      LECTERN_PAYOUT_HOLD_DAYS: '0',
      LECTERN_LOG_FORMAT: 'pretty',
      RUST_LOG: process.env.RUST_LOG || 'info',
      NO_COLOR: '1',
      ...this.extraEnv,
    };
    this.log.write(`\n=== ${new Date().toISOString()} ${this.bin} ${args.join(' ')}\n`);
    const child = spawn(this.bin, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.logText = this.logText ?? '';
    const onData = (d) => {
      this.log.write(d);
      this.logText = (this.logText + d.toString()).slice(-200_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    this.child = child;
    live.add(child);
    this.exited = new Promise((ok) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.log.write(`=== exited code=${code} signal=${signal}\n`);
        if (this.child === child) this.child = null;
        ok({ code, signal });
      });
      child.on('error', (e) => {
        this.log.write(`=== spawn error: ${e.message}\n`);
      });
    });
  }

  async #waitReady(deadline) {
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`server exited before it was ready (${last})`);
      try {
        const r = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        last = `GET /health/ready → ${r.status}`;
        if (r.status === 200) return;
      } catch (e) {
        last = `GET /health/ready: ${e.cause?.code || e.message}`;
      }
      await sleep(150);
    }
    throw new Error(`server not ready in time (${last})`);
  }

  /** SIGTERM, then waits for the process to end (SIGKILL after `timeoutMs`). */
  async stop({ timeoutMs = 15_000 } = {}) {
    const child = this.child;
    if (!child) return;
    const exited = this.exited;
    child.kill('SIGTERM');
    const t = sleep(timeoutMs, 'timeout', { ref: false });
    if ((await Promise.race([exited, t])) === 'timeout') {
      this.log.write('=== did not stop in time: SIGKILL\n');
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** The last `lines` lines the server printed. */
  tail(lines = 60) {
    const text = this.logText ?? (existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** Stops the server and removes the tmp dir (unless kept). */
  async cleanup() {
    await this.stop();
    await new Promise((ok) => this.log.end(ok));
    if (this.keep) {
      console.log(`# kept ${this.tmp}`);
    } else {
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------- API helpers

async function json(res, what) {
  const body = await res.text();
  if (!res.ok) throw new Error(`${what} → ${res.status}: ${body.slice(0, 500)}`);
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${what} → ${res.status}, not JSON: ${body.slice(0, 500)}`);
  }
}

/** An admin access token (POST /api/v1/auth/login). */
export async function adminToken(server) {
  const r = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  const j = await json(r, 'POST /api/v1/auth/login (admin)');
  if (!j.access_token) throw new Error(`admin login: no access_token in ${JSON.stringify(j).slice(0, 300)}`);
  return j.access_token;
}

/** Every string inside `v` (any depth). */
function strings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** The items of an outbox page, whatever the envelope is called. */
function outboxItems(j) {
  if (Array.isArray(j)) return j;
  for (const k of ['items', 'messages', 'data', 'results']) if (Array.isArray(j?.[k])) return j[k];
  return [];
}

function addressedTo(item, email) {
  const e = email.toLowerCase();
  for (const k of ['to', 'recipient', 'email', 'to_email']) {
    const v = item?.[k];
    if (typeof v === 'string' && v.toLowerCase().includes(e)) return true;
    if (Array.isArray(v) && v.some((x) => typeof x === 'string' && x.toLowerCase().includes(e))) return true;
  }
  return false;
}

/**
 * The newest link containing `marker` (default: the email verification link) in mail addressed to
 * `email`, polling the admin outbox for up to `timeoutMs`.
 */
export async function mailLink(server, email, { marker = '/verify-email?token=', timeoutMs = 5_000 } = {}) {
  const token = await adminToken(server);
  const deadline = Date.now() + timeoutMs;
  const urlRe = /https?:\/\/[^\s"'<>()\]]+/g;
  let seen = [];
  for (;;) {
    const r = await fetch(`${server.url}/api/v1/admin/outbox?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const j = await json(r, 'GET /api/v1/admin/outbox');
    const items = outboxItems(j);
    seen = items.map((i) => `${i?.to} | ${i?.subject}`);
    // Newest first (as the API lists them); fall back to the order given.
    for (const item of items) {
      if (!addressedTo(item, email)) continue;
      for (const s of strings(item)) {
        for (const m of s.matchAll(urlRe)) {
          const u = m[0].replace(/&amp;/g, '&').replace(/[.,;:!?]+$/, '');
          if (u.includes(marker)) return u;
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no mail to ${email} with a link containing ${marker} within ${timeoutMs} ms; outbox has:\n  ${seen.join('\n  ')}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Signs a browser session in (POST /api/v1/auth/session) and returns its cookies:
 * `{header: "a=1; b=2", cookies: [{name, value, path}], csrf}`.
 */
export async function sessionCookies(server, email, password) {
  const r = await fetch(`${server.url}/api/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const j = await json(r, `POST /api/v1/auth/session (${email})`);
  const raw = typeof r.headers.getSetCookie === 'function' ? r.headers.getSetCookie() : [r.headers.get('set-cookie')];
  const cookies = raw.filter(Boolean).map((c) => {
    const [pair, ...attrs] = c.split(';');
    const i = pair.indexOf('=');
    const path = attrs.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5) || '/';
    return { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(), path };
  });
  if (!cookies.length) throw new Error('POST /api/v1/auth/session set no cookies');
  // Only cookies sent with page requests (Path=/), e.g. not the refresh cookie of /api/v1/auth.
  const header = cookies
    .filter((c) => c.path === '/')
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
  return { header, cookies, csrf: j.csrf_token, user: j.user };
}

// ---------------------------------------------------------------- the demo school

const DEMO_DIR = join(REPO_ROOT, 'data', 'demo');

export function demoCourses() {
  return readdirSync(join(DEMO_DIR, 'courses'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DEMO_DIR, 'courses', f), 'utf8')));
}

export function demoCourse(slug) {
  return JSON.parse(readFileSync(join(DEMO_DIR, 'courses', `${slug}.json`), 'utf8'));
}

export function demoStudents() {
  return JSON.parse(readFileSync(join(DEMO_DIR, 'students.json'), 'utf8'));
}

export function lessonCount(course) {
  return course.modules.reduce((n, m) => n + m.lessons.length, 0);
}

/**
 * The courses and search words the tests use. Each course is free, has reviews in the demo data
 * and few lessons; each query is a misspelt (one letter) word of its title that the server's
 * search finds through its typo tolerance (words of 5+ letters, one edit, after stemming).
 */
export const PICKS = {
  en: {
    slug: 'git-and-github-essentials', // "Git and GitHub Essentials": free, 9 lessons, 5 reviews
    typo: 'esentials', // "essentials" with one "s" missing
    word: 'essentials', // the correct word (the no-JavaScript catalog check)
  },
  ru: {
    slug: 'finansovaya-gramotnost-predprinimatelya', // «Финансовая грамотность предпринимателя»: free, 8 lessons, 5 reviews
    typo: 'граммотности', // «грамотности» (another case) with a doubled «м»
    word: 'грамотность',
  },
};

/** A demo student of `locale` enrolled in `slug` (for signed-in pages without sign-up). */
export function demoStudentOf(slug, locale = 'en') {
  const course = demoCourse(slug);
  const students = demoStudents();
  const keys = new Set(course.enrollments.map((e) => e.student));
  const s = students.find((x) => keys.has(x.key) && x.locale === locale) || students.find((x) => keys.has(x.key));
  if (!s) throw new Error(`no demo student enrolled in ${slug}`);
  return s;
}
