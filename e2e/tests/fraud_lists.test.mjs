// Browser tests of the fraud monitor's allow and block lists (fraud:manage, admin): an entry is
// added with a note and shown only as a masked hint, blocks matching events at once, refuses a
// card number, is removed again; other roles have no list page. Each test makes its own
// members, so any order passes (`JAGA_E2E_ORDER`, ../lib/order.mjs).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, member, screenshot } from '../lib/harness.mjs';
import { test, register } from '../lib/order.mjs';

let server;
let events;

before(async () => {
  server = await startServer();
  events = await server.apiKey('events:write');
});

after(async () => {
  if (server) await server.stop();
});

const order = (id, email) => ({
  id, ts: '2026-05-01T10:00:00+07:00', type: 'order', amount: 14500000, currency: 'IDR',
  email, customer_ref: `c-${id}`,
});

async function decision(id, email) {
  const r = await server.api(events, 'POST', '/v1/events', order(id, email));
  assert.equal(r.status, 200, r.text);
  return r.json.decision;
}

test('an admin blocks an e-mail address, sees only its hint, and removes it again', async () => {
  const { b } = await member(server, 'admin');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/fraud`);
    await Promise.all([page.waitForURL(/\/console\/fraud\/lists/), page.click('#fraud-lists-link')]);
    await page.waitForSelector('#fraud-lists-empty');
    // A card number is refused and not echoed.
    await page.selectOption('#fraud-list-add select[name=entity]', 'card');
    await page.fill('#fraud-list-add input[name=value]', '4111 1111 1111 1111');
    await page.click('#fraud-list-add button[type=submit]');
    await page.waitForSelector('#err-fl-value');
    assert.ok(!(await page.content()).includes('4111 1111'), 'the card number is not echoed');
    // Block an e-mail address, with a note.
    await page.selectOption('#fraud-list-add select[name=list]', 'block');
    await page.selectOption('#fraud-list-add select[name=entity]', 'email');
    await page.fill('#fraud-list-add input[name=value]', 'Penipu.Besar@gmail.com');
    await page.fill('#fraud-list-add input[name=note]', 'chargeback dua kali');
    await Promise.all([page.waitForURL(/done=added/), page.click('#fraud-list-add button[type=submit]')]);
    const row = page.locator('tr.fraud-list-entry');
    assert.equal(await row.count(), 1);
    const text = await row.textContent();
    assert.match(text, /blokir/);
    assert.match(text, /chargeback dua kali/);
    assert.match(text, /@gmail\.com/);
    assert.ok(!(await page.content()).toLowerCase().includes('penipu.besar'), 'only a masked hint');
    await screenshot(page, 'fraud-lists');
    // In force at once, whatever the spelling.
    assert.equal(await decision('bl-1', 'penipu.besar@GMAIL.com'), 'block');
    assert.equal(await decision('bl-2', 'orang.lain@gmail.com'), 'allow');
    // English.
    await page.click('#lang-switch');
    await page.waitForSelector('h1');
    assert.match(await page.textContent('h1'), /Allow and block lists/);
    assert.match(await row.textContent(), /block/);
    // Remove it: no longer blocked.
    await Promise.all([page.waitForURL(/done=removed/), row.locator('button.remove').click()]);
    await page.waitForSelector('#fraud-lists-empty');
    assert.equal(await decision('bl-3', 'penipu.besar@gmail.com'), 'allow');
    // A post without the CSRF token is refused and changes nothing.
    const forged = await page.request.post(`${server.base}/console/fraud/lists/add`, {
      form: { list: 'block', entity: 'email', value: 'x@example.com', note: '' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    await page.reload();
    await page.waitForSelector('#fraud-lists-empty');
  } finally {
    await b.close();
  }
});

test('cs_manager has no list page', async () => {
  const { b } = await member(server, 'cs_manager');
  const { page } = b;
  try {
    const r = await page.request.get(`${server.base}/console/fraud/lists`, { maxRedirects: 0 });
    assert.equal(r.status(), 403);
    await page.goto(`${server.base}/console/fraud`);
    assert.equal(await page.locator('#fraud-lists-link').count(), 0);
  } finally {
    await b.close();
  }
});

register();
