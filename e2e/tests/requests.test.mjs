// Browser tests of customer requests (UU PDP) in the console: a cs_manager sees the open
// requests with their due dates (an overdue one highlighted), records a request by customer
// code and closes one, in both languages; cs_staff has no requests page. Each test sets up what
// it needs, so any order passes (`JAGA_E2E_ORDER`, ../lib/order.mjs).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, browser, onboard, acceptAgreement, screenshot } from '../lib/harness.mjs';
import { test, register } from '../lib/order.mjs';

let server;
let key;

before(async () => {
  server = await startServer();
  key = await server.apiKey('customers:write,requests:read,requests:write');
});

after(async () => {
  if (server) await server.stop();
});

/** A customer of the calling test's own with an erasure request received four days ago by
 * WhatsApp (overdue); returns the customer's code. */
async function overdueRequest() {
  const c = await server.api(key, 'POST', '/v1/customers', {
    full_name: 'Wulan Permata', email: 'wulan.permata@example.co.id', phone: '081277788899',
  });
  assert.equal(c.status, 201, c.text);
  const received = new Date(Date.now() - 96 * 3600 * 1000).toISOString();
  const r = await server.api(key, 'POST', '/v1/requests', {
    customer_id: c.json.id, kind: 'erasure', channel: 'whatsapp', received_at: received,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.overdue, true);
  return c.json.code;
}

async function member(role, email) {
  const link = await server.inviteStaff(email, role);
  const b = await browser();
  await onboard(b.page, link, `${role} tester`);
  await acceptAgreement(b.page);
  return b;
}

test('a cs_manager sees the overdue request, records one by code and closes one', async () => {
  const code = await overdueRequest();
  const b = await member('cs_manager', 'mgr-req@toko.example');
  const { page } = b;
  try {
    await page.click('nav a[href="/console/requests"]');
    await page.waitForSelector('#requests');
    const late = page.locator('tr.request.overdue');
    assert.equal(await late.count(), 1);
    const text = await late.textContent();
    assert.match(text, /penghapusan/);
    assert.match(text, /TERLAMBAT/);
    assert.match(text, new RegExp(code));
    assert.ok(!(await page.content()).includes('wulan.permata'), 'no contact data on the list');
    assert.match(await page.textContent('#requests-overdue'), /1 permintaan terlambat/);
    await screenshot(page, 'requests');

    // Record an access request by code (as the customer would read it out, lower case).
    await page.fill('#req-code', code.toLowerCase());
    await page.selectOption('#req-kind', 'access');
    await page.selectOption('#req-channel', 'email');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/requests')),
      page.click('#request-submit'),
    ]);
    await page.waitForLoadState('load');
    assert.match(await page.textContent('.notice.ok'), /Permintaan dicatat/);
    assert.equal(await page.locator('tr.request').count(), 2);

    // Close the overdue one as done (erased).
    const row = page.locator('tr.request.overdue');
    await row.locator('select[name=outcome]').selectOption('erased');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/close')),
      row.locator('button[value=done]').click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await page.locator('tr.request.overdue').count(), 0);
    assert.equal(await page.locator('tr.request').count(), 1);

    // English.
    await page.click('#lang-switch');
    await page.waitForSelector('h1');
    assert.match(await page.textContent('h1'), /Customer requests/);
    assert.match(await page.textContent('#requests'), /access \(a copy of the data\)/);
    await page.click('#requests-all');
    await page.waitForSelector('#requests');
    assert.match(await page.textContent('#requests'), /done · data erased/);
  } finally {
    await b.close();
  }
});

test('cs_staff has no requests page', async () => {
  const b = await member('cs_staff', 'cs-req@toko.example');
  const { page } = b;
  try {
    assert.equal(await page.locator('nav a[href="/console/requests"]').count(), 0);
    const r = await page.request.get(`${server.base}/console/requests`, { maxRedirects: 0 });
    assert.equal(r.status(), 403);
  } finally {
    await b.close();
  }
});

register();
