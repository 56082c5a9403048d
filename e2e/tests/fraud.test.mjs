// Browser tests of the fraud review queue: events the monitor held are listed for finance and
// cs_manager (not cs_staff), with masked contacts; a decline with a note is recorded once. Each
// test holds a case of its own, so any order passes (`JAGA_E2E_ORDER`, ../lib/order.mjs).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser, onboard, acceptAgreement, screenshot } from '../lib/harness.mjs';
import { test, register } from '../lib/order.mjs';

let server;
let key;

before(async () => {
  server = await startServer();
  key = await server.apiKey('events:write');
});

after(async () => {
  if (server) await server.stop();
});

let cases = 0;

/**
 * A case of its own for the calling test, held for review: a sign-up with a throw-away e-mail
 * address (the shipped rule `signup_disposable_email`, score 60: between `review_at` and
 * `block_at`; three declined payments are not used: with the decline signal they add up to a
 * block). Before it: the same customer's login from the same device (their history), and another
 * customer's order from that device and IP (a related event, within 24 hours). Ids, customers,
 * addresses, device and IP are the case's own, so no case is related to another test's.
 */
async function heldCase(tag) {
  cases += 1;
  const ip = `36.72.${cases}.9`;
  const device = `dev-${tag}`;
  const ids = { order: `order-${tag}`, login: `login-${tag}`, signup: `signup-${tag}` };
  const events = [{
    id: ids.order,
    ts: '2026-05-01T09:40:00+07:00',
    type: 'order',
    customer_ref: `cust-${tag}-12`,
    email: `budi.santoso.${tag}@gmail.com`,
    amount: 15000000,
    currency: 'IDR',
    device_id: device,
    ip,
  }, {
    id: ids.login,
    ts: '2026-05-01T09:50:00+07:00',
    type: 'login',
    customer_ref: `cust-${tag}-77`,
    device_id: device,
    ip,
  }, {
    id: ids.signup,
    ts: '2026-05-01T10:00:00+07:00',
    type: 'signup',
    customer_ref: `cust-${tag}-77`,
    account_created_at: '2026-05-01T10:00:00+07:00',
    email: `rina.wati.${tag}@10minutemail.com`,
    phone: `08129876543${cases % 10}`,
    ip,
    device_id: device,
  }];
  const r = await server.api(key, 'POST', '/v1/events/batch', events);
  assert.equal(r.status, 200, r.text);
  const decisions = r.json.results.map((x) => x.decision);
  assert.deepEqual(decisions, ['allow', 'allow', 'review'], JSON.stringify(r.json));
  return { ...ids, ip };
}

async function member(role, email) {
  const link = await server.inviteStaff(email, role);
  const b = await browser();
  await onboard(b.page, link, `${role} tester`);
  await acceptAgreement(b.page);
  return b;
}

test('a case shows its event, reasons, the customer\'s history and the related events, masked', async () => {
  const k = await heldCase('e2e-case');
  const b = await member('cs_manager', 'csm-fraud@toko.example');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/fraud`);
    await page.waitForSelector('#fraud-queue');
    await Promise.all([
      page.waitForURL(/\/console\/fraud\/case\//),
      page.locator(`tr.fraud-case[data-id="${k.signup}"] a.case-link`).click(),
    ]);
    await page.waitForSelector('#fraud-case');
    assert.equal(await page.getAttribute('#fraud-case', 'data-id'), k.signup);
    assert.match(await page.textContent('#fraud-case-reasons'), /signup_disposable_email/);
    assert.match(await page.textContent('#fraud-case-decision'), /ditahan untuk ditinjau/);
    assert.match(await page.textContent('#fraud-case-contact'), /36\.72\.\*\.\*/);
    // History: the customer's own earlier login.
    const history = await page.locator('tr.fraud-history').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(history, [k.login]);
    // Related: both earlier events share the device and the IP; the other customer's order
    // shares nothing else.
    const related = page.locator('tr.fraud-related');
    assert.deepEqual(await related.evaluateAll((rows) => rows.map((r) => r.dataset.id)), [k.login, k.order]);
    const order = await page.textContent(`tr.fraud-related[data-id="${k.order}"]`);
    assert.match(order, /perangkat/);
    assert.match(order, /IP/);
    assert.doesNotMatch(order, /pelanggan/);
    assert.match(await page.textContent(`tr.fraud-related[data-id="${k.login}"]`), /pelanggan/);
    // Masked everywhere: no full e-mail address, phone number or IP on the page.
    const html = await page.content();
    for (const secret of ['rina.wati', 'budi.santoso', '98765', k.ip]) {
      assert.ok(!html.includes(secret), `no ${secret}`);
    }
    await screenshot(page, 'fraud-case');
    // English.
    await page.click('#lang-switch');
    await page.waitForSelector('#fraud-case');
    assert.match(await page.textContent('h1'), /Fraud review case/);
    assert.match(await page.textContent(`tr.fraud-related[data-id="${k.order}"]`), /device/);
  } finally {
    await b.close();
  }
});

test('finance declines a held payment with a note; it leaves the queue and is recorded', async () => {
  const k = await heldCase('e2e-decline');
  const b = await member('finance', 'finance@toko.example');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/fraud`);
    await page.waitForSelector('#fraud-queue');
    const row = page.locator(`tr.fraud-case[data-id="${k.signup}"]`);
    const text = await row.textContent();
    assert.match(text, /signup_disposable_email/);
    assert.match(text, /Pendaftaran dengan e-mail sekali pakai/);
    // Contacts are masked; the full values are nowhere on the page.
    const html = await page.content();
    assert.ok(!html.includes('rina.wati') && !html.includes('98765') && !html.includes(k.ip), 'no full contact');
    assert.match(text, /36\.72\.\*\.\*/);
    await screenshot(page, 'fraud-review');
    const id = k.signup;
    await row.locator('input[name=note]').fill('kartu dicoba berulang');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/decide')),
      row.locator('button.decline').click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await page.locator(`tr.fraud-case[data-id="${id}"]`).count(), 0);
    const recent = await page.textContent('#fraud-recent');
    assert.match(recent, /ditolak/);
    assert.match(recent, /kartu dicoba berulang/);
    // English.
    await page.click('#lang-switch');
    await page.waitForSelector('h1');
    assert.match(await page.textContent('h1'), /Transactions held for review/);
  } finally {
    await b.close();
  }
});

test('cs_staff has no fraud queue', async () => {
  const b = await member('cs_staff', 'cs-fraud@toko.example');
  const { page } = b;
  try {
    assert.equal(await page.locator('nav a[href="/console/fraud"]').count(), 0);
    const r = await page.request.get(`${server.base}/console/fraud`, { maxRedirects: 0 });
    assert.equal(r.status(), 403);
  } finally {
    await b.close();
  }
});

register();
