// Test harness: a real `jaga serve` in a temp data directory, staff and customers made through
// the CLI and the API, TOTP codes computed from the enrolment secret, and headless Chromium.
//
// Nothing is built here: JAGA_BIN names the `jaga` binary (e2e/run.sh builds it).

import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import https from 'node:https';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/**
 * Where screenshots go: `JAGA_SCREENSHOTS` if set (CI sets a folder under target/, so a run never
 * leaves the checkout dirty), else docs/screenshots/ (a developer refreshing the committed pictures).
 */
export const SCREENSHOTS =
  process.env.JAGA_SCREENSHOTS || join(here, '..', '..', 'docs', 'screenshots');

export const JAGA_BIN = process.env.JAGA_BIN;
if (!JAGA_BIN) {
  throw new Error('set JAGA_BIN to the jaga binary (e2e/run.sh does this)');
}

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic',
];

/** One HTTPS request to the server (self-signed certificate accepted: it is our own). */
export function request(base, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = https.request(u, { method, headers, rejectUnauthorized: false, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Runs a `jaga` subcommand against `dataDir`; returns stdout and stderr. */
export async function jaga(dataDir, args, env = {}) {
  const { stdout, stderr } = await run(JAGA_BIN, ['--data-dir', dataDir, ...args], {
    env: { ...process.env, ...env, JAGA_LOG: 'warn' },
    timeout: 120000,
    maxBuffer: 4 * 1024 * 1024,
  });
  return { stdout, stderr };
}

/**
 * Starts `jaga serve --listen 127.0.0.1:0` on `dataDir` (the server binds a port the system
 * chooses and prints it; no port is picked here and released before the server binds it) and
 * waits for /readyz. Returns { child, logs, base }.
 */
async function serve(dataDir, env) {
  const logs = [];
  const child = spawn(JAGA_BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0'], {
    env: { ...process.env, ...env, JAGA_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const deadline = Date.now() + 60000;
  let base = null;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`jaga serve exited (${child.exitCode}):\n${logs.join('')}`);
    }
    if (!base) {
      const m = /Jaga is serving[^\n]*?https:\/\/(127\.0\.0\.1:\d+)/.exec(logs.join(''));
      if (m) base = `https://${m[1]}`;
    }
    if (base) {
      try {
        const r = await request(base, 'GET', '/readyz');
        if (r.status === 200) return { child, logs, base };
      } catch { /* not up yet */ }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`jaga serve did not become ready:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops a `jaga serve` child: SIGTERM, then SIGKILL if it has not exited within 12 s. */
async function halt(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 12000);
  await exited;
  clearTimeout(timer);
}

/**
 * A running `jaga serve` in a fresh temporary data directory (`jaga init`, then `serve`).
 * `env` adds settings. `restart(env)` serves the same data directory again with other
 * settings (on a new port: `base` changes; cookies, which ignore the port, stay valid).
 */
export async function startServer(env = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'jaga-e2e-'));
  const dataDir = join(dir, 'data');
  let running;
  try {
    await jaga(dataDir, ['init'], env);
    running = await serve(dataDir, env);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const { child, logs, base } = running;
  const server = {
    base, dataDir, dir, child, logs, env,
    async stop() {
      await halt(this.child);
      await rm(dir, { recursive: true, force: true });
    },
    /** Stops the server and serves the same data directory with `newEnv` instead. */
    async restart(newEnv = {}) {
      await halt(this.child);
      const next = await serve(dataDir, newEnv);
      Object.assign(this, next, { env: newEnv });
    },
    /** Invites a staff member with the CLI; returns the invitation link (path + token). */
    async inviteStaff(email, role) {
      const { stdout, stderr } = await jaga(dataDir, ['staff', 'add', '--email', email, '--role', role], this.env);
      const m = /\/console\/invite\?token=[A-Za-z0-9_\-]+/.exec(stdout + '\n' + stderr);
      if (!m) throw new Error(`no invitation link in the output of jaga staff add:\n${stdout}\n${stderr}`);
      return new URL(m[0], this.base).toString();
    },
    /** An API key with the given scopes (created with the CLI). */
    async apiKey(scopes) {
      const { stdout } = await jaga(dataDir, ['apikey', 'create', '--name', 'e2e', '--scopes', scopes], this.env);
      return stdout.trim().split('\n').pop().trim();
    },
    /** Calls the JSON API with an API key. */
    async api(key, method, path, body) {
      const r = await request(this.base, method, path, {
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return r;
    },
  };
  return server;
}

/** RFC 4648 base32 decoding (the TOTP secret as shown for manual entry). */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[^A-Z2-7]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) for the time step containing `atMs`. */
export function totp(secretBase32, atMs = Date.now()) {
  const key = base32Decode(secretBase32);
  const counter = Math.floor(atMs / 1000 / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

/**
 * A code from a time step this secret has not used yet. The server accepts one step of clock
 * skew either way and refuses a step at or before the last one used, so the current step is
 * taken when free, else the next one (valid for the next 30 to 60 s); only when that one is
 * used too does this wait for the step to come.
 */
const lastStep = new Map();
export async function freshCode(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const step = Math.max(now, (lastStep.get(secret) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      return totp(secret, step * 30000);
    }
    await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 200));
  }
}

/** Marks the current step as used (after a code was sent outside `freshCode`). */
export function markUsed(secret) {
  const now = Math.floor(Date.now() / 30000);
  lastStep.set(secret, Math.max(now, lastStep.get(secret) ?? -1));
}

/** Headless Chromium with a fresh user-data directory; returns { context, page, close }. */
export async function browser() {
  const profile = await mkdtemp(join(tmpdir(), 'jaga-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 860 },
    locale: 'id-ID',
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the page as <SCREENSHOTS>/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export const PASSWORD = 'kopi susu gula aren di pagi hari';

/**
 * Accepts an invitation in the browser: name and password, TOTP enrolment (secret read from the
 * page), recovery codes. Leaves the page signed in. Returns { secret, recovery }.
 */
export async function onboard(page, link, name, { shot = false } = {}) {
  await page.goto(link);
  if (shot) await screenshot(page, 'invite');
  await page.fill('#name', name);
  await page.fill('#password', PASSWORD);
  await page.fill('#confirm', PASSWORD);
  await page.click('#invite-submit');
  await page.waitForSelector('#totp-secret');
  if (shot) await screenshot(page, 'enrol-totp');
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.fill('#code', await freshCode(secret));
  await page.click('#enrol-submit');
  await page.waitForSelector('#recovery-codes');
  if (shot) await screenshot(page, 'recovery-codes');
  const recovery = (await page.locator('#recovery-codes li').allTextContents()).map((s) => s.trim());
  await page.click('#recovery-done');
  return { secret, recovery };
}

/** Signs in with password and a fresh TOTP code. */
export async function login(page, base, email, secret, { shot = false } = {}) {
  await page.goto(`${base}/console/login`);
  if (shot) await screenshot(page, 'login');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#code');
  if (shot) await screenshot(page, 'login-totp');
  await page.fill('#code', await freshCode(secret));
  // Wait for the server's answer to the code: a navigation started before it lands would
  // cancel the POST and leave the session half signed in.
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/login/code')),
    page.click('#code-submit'),
  ]);
  await page.waitForLoadState('load');
}

/**
 * Accepts the confidentiality agreement, which the page must show: every caller is a member who
 * has not accepted it yet, so a missing agreement page is a failure (a gate that silently
 * disappeared), not something to step over.
 */
export async function acceptAgreement(page) {
  // Wait for the page the last click led to, then for the server to take the acceptance:
  // navigating away while the POST is in flight would cancel it.
  await page.waitForLoadState('load');
  const agree = page.locator('#agree');
  try {
    await agree.waitFor({ state: 'visible', timeout: 15000 });
  } catch {
    throw new Error(`expected the confidentiality agreement, got ${page.url()}`);
  }
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/console/agreement')),
    agree.click(),
  ]);
  await page.waitForLoadState('load');
}

let serial = 0;
/** A number unique within this process, for e-mail addresses no other test uses. */
export function unique() {
  serial += 1;
  return serial;
}

/**
 * A staff member of `role` of their own: invited with the CLI, onboarded in a fresh browser
 * (password, TOTP enrolment, recovery codes) and, unless `agree: false`, past the
 * confidentiality agreement. The browser stays signed in, with a fresh step-up (the enrolment
 * code). Returns { b, email, name, secret, recovery }; the caller closes `b`.
 */
export async function member(server, role, { email, name, shot = false, agree = true } = {}) {
  const address = email ?? `${role.replace('_', '-')}-${unique()}@toko.example`;
  const who = name ?? `${role} tester`;
  const link = await server.inviteStaff(address, role);
  const b = await browser();
  try {
    const { secret, recovery } = await onboard(b.page, link, who, { shot });
    if (agree) await acceptAgreement(b.page);
    return { b, email: address, name: who, secret, recovery };
  } catch (e) {
    await b.close();
    throw e;
  }
}
