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
import net from 'node:net';
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

/** A free loopback port. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

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
 * A running `jaga serve`: `init`, then `serve` on a free loopback port, waiting for /readyz.
 * `env` adds settings (e.g. a short idle timeout).
 */
export async function startServer(env = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'jaga-e2e-'));
  const dataDir = join(dir, 'data');
  await jaga(dataDir, ['init'], env);
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const logs = [];
  const child = spawn(JAGA_BIN, ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, ...env, JAGA_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const deadline = Date.now() + 60000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`jaga serve exited (${child.exitCode}):\n${logs.join('')}`);
    }
    try {
      const r = await request(base, 'GET', '/readyz');
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`jaga serve did not become ready:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const server = {
    base, dataDir, dir, child, logs, env,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => { child.once('exit', r); setTimeout(r, 12000); });
      }
      await rm(dir, { recursive: true, force: true });
    },
    /** Invites a staff member with the CLI; returns the invitation link (path + token). */
    async inviteStaff(email, role) {
      const { stdout, stderr } = await jaga(dataDir, ['staff', 'add', '--email', email, '--role', role], env);
      const m = /\/console\/invite\?token=[A-Za-z0-9_\-]+/.exec(stdout + '\n' + stderr);
      if (!m) throw new Error(`no invitation link in the output of jaga staff add:\n${stdout}\n${stderr}`);
      return new URL(m[0], base).toString();
    },
    /** An API key with the given scopes (created with the CLI). */
    async apiKey(scopes) {
      const { stdout } = await jaga(dataDir, ['apikey', 'create', '--name', 'e2e', '--scopes', scopes], env);
      return stdout.trim().split('\n').pop().trim();
    },
    /** Calls the JSON API with an API key. */
    async api(key, method, path, body) {
      const r = await request(base, method, path, {
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
 * A code from a time step not used before by this secret (the server refuses a reused step),
 * waiting for the next step when needed.
 */
const lastStep = new Map();
export async function freshCode(secret) {
  for (;;) {
    const step = Math.floor(Date.now() / 30000);
    if ((lastStep.get(secret) ?? -1) < step) {
      lastStep.set(secret, step);
      return totp(secret);
    }
    await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 200));
  }
}

/** Marks the current step as used (after a code was sent outside `freshCode`). */
export function markUsed(secret) {
  lastStep.set(secret, Math.floor(Date.now() / 30000));
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

/** Accepts the confidentiality agreement if the page shows it. */
export async function acceptAgreement(page) {
  // Wait for the page the last click led to, then (if it is the agreement) for the server to
  // take the acceptance: navigating away while the POST is in flight would cancel it.
  await page.waitForLoadState('load');
  const agree = page.locator('#agree');
  try {
    await agree.waitFor({ state: 'visible', timeout: 5000 });
  } catch {
    return; // already accepted
  }
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/console/agreement')),
    agree.click(),
  ]);
  await page.waitForLoadState('load');
}
