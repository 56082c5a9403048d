// Browser tests of the fraud review queue: events the monitor held are listed for finance and
// cs_manager (not cs_staff), with masked contacts; a decline with a note is recorded once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser, onboard, acceptAgreement, screenshot } from '../lib/harness.mjs';

let server;

before(async () => {
  server = await startServer();
  const key = await server.apiKey('events:write');
  // A sign-up with a throw-away e-mail address is held for review (the shipped rule
  // `signup_disposable_email`, score 60: between `review_at` and `block_at`). Three declined
  // payments are not used here: with the decline signal they add up to a block.
  // Before it: the same customer's login from the same device (their history), and another
  // customer's order from that device and IP (a related event, within 24 hours).
  const events = [{
    id: 'order-e2e-0',
    ts: '2026-05-01T09:40:00+07:00',
    type: 'order',
    customer_ref: 'cust-12',
    email: 'budi.santoso@gmail.com',
    amount: 15000000,
    currency: 'IDR',
    device_id: 'dev-e2e-1',
    ip: '36.72.1.9',
  }, {
    id: 'login-e2e-0',
    ts: '2026-05-01T09:50:00+07:00',
    type: 'login',
    customer_ref: 'cust-77',
    device_id: 'dev-e2e-1',
    ip: '36.72.1.9',
  }, {
    id: 'signup-e2e-1',
    ts: '2026-05-01T10:00:00+07:00',
    type: 'signup',
    customer_ref: 'cust-77',
    account_created_at: '2026-05-01T10:00:00+07:00',
    email: 'rina.wati@10minutemail.com',
    phone: '081298765432',
    ip: '36.72.1.9',
    device_id: 'dev-e2e-1',
  }];
  const r = await server.api(key, 'POST', '/v1/events/batch', events);
  assert.equal(r.status, 200, r.text);
  const decisions = r.json.results.map((x) => x.decision);
  assert.deepEqual(decisions, ['allow', 'allow', 'review'], JSON.stringify(r.json));
});

after(async () => {
  if (server) await server.stop();
});

async function member(role, email) {
  const link = await server.inviteStaff(email, role);
  const b = await browser();
  await onboard(b.page, link, `${role} tester`);
  await acceptAgreement(b.page);
  return b;
}

test('a case shows its event, reasons, the customer\'s history and the related events, masked', async () => {
  const b = await member('cs_manager', 'csm-fraud@toko.example');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/fraud`);
    await page.waitForSelector('#fraud-queue');
    await Promise.all([
      page.waitForURL(/\/console\/fraud\/case\//),
      page.locator('tr.fraud-case a.case-link').first().click(),
    ]);
    await page.waitForSelector('#fraud-case');
    assert.equal(await page.getAttribute('#fraud-case', 'data-id'), 'signup-e2e-1');
    assert.match(await page.textContent('#fraud-case-reasons'), /signup_disposable_email/);
    assert.match(await page.textContent('#fraud-case-decision'), /ditahan untuk ditinjau/);
    assert.match(await page.textContent('#fraud-case-contact'), /36\.72\.\*\.\*/);
    // History: the customer's own earlier login.
    const history = await page.locator('tr.fraud-history').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(history, ['login-e2e-0']);
    // Related: both earlier events share the device and the IP; the other customer's order
    // shares nothing else.
    const related = page.locator('tr.fraud-related');
    assert.deepEqual(await related.evaluateAll((rows) => rows.map((r) => r.dataset.id)), ['login-e2e-0', 'order-e2e-0']);
    const order = await page.textContent('tr.fraud-related[data-id="order-e2e-0"]');
    assert.match(order, /perangkat/);
    assert.match(order, /IP/);
    assert.doesNotMatch(order, /pelanggan/);
    assert.match(await page.textContent('tr.fraud-related[data-id="login-e2e-0"]'), /pelanggan/);
    // Masked everywhere: no full e-mail address, phone number or IP on the page.
    const html = await page.content();
    for (const secret of ['rina.wati', 'budi.santoso', '98765', '36.72.1.9']) {
      assert.ok(!html.includes(secret), `no ${secret}`);
    }
    await screenshot(page, 'fraud-case');
    // English.
    await page.click('#lang-switch');
    await page.waitForSelector('#fraud-case');
    assert.match(await page.textContent('h1'), /Fraud review case/);
    assert.match(await page.textContent('tr.fraud-related[data-id="order-e2e-0"]'), /device/);
  } finally {
    await b.close();
  }
});

test('finance declines a held payment with a note; it leaves the queue and is recorded', async () => {
  const b = await member('finance', 'finance@toko.example');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/fraud`);
    await page.waitForSelector('#fraud-queue');
    const row = page.locator('tr.fraud-case').first();
    const text = await row.textContent();
    assert.match(text, /signup_disposable_email/);
    assert.match(text, /Pendaftaran dengan e-mail sekali pakai/);
    // Contacts are masked; the full values are nowhere on the page.
    const html = await page.content();
    assert.ok(!html.includes('rina.wati') && !html.includes('98765') && !html.includes('36.72.1.9'), 'no full contact');
    assert.match(text, /36\.72\.\*\.\*/);
    await screenshot(page, 'fraud-review');
    const id = await row.getAttribute('data-id');
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
