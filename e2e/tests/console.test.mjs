// Browser tests of the staff console: headless Chromium against a real `jaga serve`.
//
// Every test sets up what it needs (its own staff members, customers, reveals) on the file's
// server, so any test passes alone (`--test-name-pattern`) and in any order
// (`JAGA_E2E_ORDER=reverse` or `shuffle[:SEED]`, see ../lib/order.mjs).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  startServer, browser, onboard, login, acceptAgreement, screenshot, freshCode, member,
  request, jaga, PASSWORD,
} from '../lib/harness.mjs';
import { test, register } from '../lib/order.mjs';

let server;
let apiKey;

before(async () => {
  server = await startServer();
  apiKey = await server.apiKey('customers:read,customers:write,orders:read,orders:write');
});

after(async () => {
  if (server) await server.stop();
});

/** A customer created through the API (201 asserted). */
async function customer(body) {
  const c = await server.api(apiKey, 'POST', '/v1/customers', body);
  assert.equal(c.status, 201, c.text);
  return c.json;
}

/**
 * A customer with HTML in her name and notes, every identifier, and with `order` one paid
 * order; `email` differs per test, so a search by it finds this test's customer only.
 */
async function dewi(email, { order = false } = {}) {
  const c = await customer({
    full_name: 'Dewi <script>alert(1)</script> Sari',
    email,
    phone: '081234567890',
    national_id: '3174011205900001',
    address: { street: 'Jl. Melati No. 5', city: 'Jakarta Selatan', province: 'DKI Jakarta', postal_code: '12345' },
    notes: '<b>VIP</b> <img src=x onerror=alert(2)>',
  });
  if (order) {
    const o = await server.api(apiKey, 'POST', `/v1/customers/${c.id}/orders`, {
      order_ref: 'INV-2026-0001',
      // In sen (ISO 4217 minor units): Rp 300.000.
      amount_minor: 30000000,
      currency: 'IDR',
      status: 'paid',
      items: [{ sku: 'SRM-01', name: 'Serum Vitamin C', quantity: 2, unit_price_minor: 15000000 }],
    });
    assert.equal(o.status, 201, o.text);
  }
  return c;
}

/** Reveals `fields` of customer `id` on the console's form, with a purpose and its detail. */
async function reveal(page, id, fields, purpose, detail) {
  await page.goto(`${server.base}/console/customers/${id}`);
  await page.waitForSelector('#reveal-form');
  for (const f of fields) await page.check(`#reveal-form input[value=${f}]`);
  await page.selectOption('#purpose', purpose);
  await page.fill('#purpose_detail', detail);
  await page.click('#reveal-submit');
  await page.waitForSelector('#reveal-notice');
}

test('admin: invitation → password → TOTP enrolment → sign-in with a generated code; agreement gate', async () => {
  const c = await dewi('dewi.sari@gmail.com', { order: true });
  const admin = await member(server, 'admin', { email: 'owner@toko.example', shot: true, agree: false });
  const b = admin.b;
  const { page } = b;
  try {
    // Sign out and back in with a code computed from the enrolment secret.
    await page.click('#logout');
    await page.waitForSelector('#login-submit');
    await login(page, server.base, admin.email, admin.secret, { shot: true });

    // The agreement gate: no customer data before it is accepted.
    await page.goto(`${server.base}/console/customers/${c.id}`);
    assert.match(page.url(), /\/console\/agreement$/);
    assert.equal(await page.locator('#customer-fields').count(), 0);
    assert.ok(!(await page.content()).includes('d***@gmail.com'));
    await screenshot(page, 'agreement');
    await acceptAgreement(page);

    await page.goto(`${server.base}/console/customers`);
    await screenshot(page, 'search');
    await page.selectOption('#kind', 'email');
    await page.fill('#q', 'dewi.sari@gmail.com');
    await page.click('#search-submit');
    await page.waitForSelector('#results');
    assert.equal(await page.locator('#results tbody tr').count(), 1);

    assert.match(await page.textContent('main'), /1 pelanggan ditemukan/);
    await page.click(`#results a[href="/console/customers/${c.id}"]`);
    await page.waitForSelector('#customer-fields');
    // Amounts for the currency, statuses and times for the reader: Rp, dibayar, WIB.
    const orders = await page.textContent('#orders');
    assert.match(orders, /Rp 300\.000/);
    assert.match(orders, /dibayar/);
    assert.match(orders, /\d{4}-\d\d-\d\d \d\d:\d\d WIB/);
    await screenshot(page, 'customer');

    await page.goto(`${server.base}/console/staff`);
    await page.waitForSelector('#staff-list');
    await screenshot(page, 'staff');
    await page.goto(`${server.base}/console/account`);
    await page.waitForSelector('#sessions');
    await screenshot(page, 'account');
    await page.goto(`${server.base}/console/activity`);
    await page.waitForSelector('#activity');
    assert.ok((await page.textContent('#activity')).includes('staff.agreement.accept'));
    await screenshot(page, 'activity');
    assert.deepEqual(b.errors, [], 'no script errors (CSP violations show up here)');
  } finally {
    await b.close();
  }
});

test('admin invites on the staff page; the link works in another browser (HTTP/2, no Host header)', async () => {
  const admin = await member(server, 'admin');
  const b = admin.b;
  const other = await browser();
  try {
    await b.page.goto(`${server.base}/console/staff`);
    await b.page.fill('#inv-email', 'rina@toko.example');
    await b.page.selectOption('#inv-role', 'cs_staff');
    await b.page.click('#invite-submit');
    // The enrolment code was a fresh step-up: no prompt. (Should one come, it names what it
    // confirms.)
    if (await b.page.locator('#stepup-what').count()) {
      assert.match(await b.page.textContent('#stepup-what'), /rina@toko\.example/);
      await b.page.fill('#code', await freshCode(admin.secret));
      await b.page.click('#code-submit');
    }
    await b.page.waitForSelector('#invite-link');
    const link = (await b.page.textContent('#invite-link')).trim();
    // The link starts with the server's own address (public_url), never https://localhost/.
    assert.ok(link.startsWith(`${server.base}/console/invite?token=`), link);
    await screenshot(b.page, 'invite-created');
    const { secret } = await onboard(other.page, link, 'Rina Wijaya');
    assert.ok(secret.length >= 16);
    await b.page.goto(`${server.base}/console/staff`);
    assert.ok((await b.page.textContent('#staff-list')).includes('rina@toko.example'));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await other.close();
  }
});

/** Answers a step-up prompt, if one comes, with a fresh code from `secret`. */
async function stepUpIfAsked(page, what, secret) {
  await page.waitForLoadState('load');
  if (await page.locator('#stepup-what').count()) {
    if (what) assert.match(await page.textContent('#stepup-what'), what);
    await page.fill('#code', await freshCode(secret));
    await page.click('#code-submit');
    await page.waitForLoadState('load');
  }
}

test('admin cancels and resends pending invitations and names the shop on the staff page', async () => {
  const admin = await member(server, 'admin');
  const b = admin.b;
  const other = await browser();
  const letterFor = await dewi('dewi.letter@gmail.com');
  await customer({ full_name: 'Budi Santoso', email: 'budi.lang@example.co.id', phone: '+6281311113333' });
  try {
    const links = {};
    for (const email of ['sinta@toko.example', 'yoga@toko.example']) {
      await b.page.goto(`${server.base}/console/staff`);
      await b.page.fill('#inv-email', email);
      await b.page.selectOption('#inv-role', 'finance');
      await b.page.click('#invite-submit');
      await stepUpIfAsked(b.page, new RegExp(email.replace('.', '\\.')), admin.secret);
      await b.page.waitForSelector('#invite-link');
      links[email] = (await b.page.textContent('#invite-link')).trim();
    }
    await b.page.goto(`${server.base}/console/staff`);
    const row = (email) => b.page.locator('#pending-invitations tr[data-invitation]', { hasText: email });
    assert.equal(await row('sinta@toko.example').count(), 1);
    assert.equal(await row('yoga@toko.example').count(), 1);
    await screenshot(b.page, 'staff-pending');

    // Cancel: the row goes and the link no longer opens.
    await row('sinta@toko.example').locator('button', { hasText: 'Batalkan' }).click();
    await b.page.waitForSelector('.notice.ok');
    assert.match(await b.page.textContent('.notice.ok'), /Undangan dibatalkan/);
    assert.equal(await row('sinta@toko.example').count(), 0);
    const cancelled = await other.page.goto(links['sinta@toko.example']);
    assert.equal(cancelled.status(), 404);

    // Resend: a new link (after a step-up naming the person), the old one dead, the new one opens.
    await row('yoga@toko.example').locator('button', { hasText: 'Kirim ulang' }).click();
    await stepUpIfAsked(b.page, /yoga@toko\.example/, admin.secret);
    await b.page.waitForSelector('#invite-link');
    assert.match(await b.page.textContent('#invite-created'), /Tautan baru untuk yoga@toko\.example/);
    const fresh = (await b.page.textContent('#invite-link')).trim();
    assert.notEqual(fresh, links['yoga@toko.example']);
    assert.ok(fresh.startsWith(`${server.base}/console/invite?token=`), fresh);
    assert.equal((await other.page.goto(links['yoga@toko.example'])).status(), 404);
    assert.equal((await other.page.goto(fresh)).status(), 200);
    assert.match(await other.page.textContent('main'), /yoga@toko\.example/);

    // The shop's name, edited here, heads the letter to a customer.
    await b.page.goto(`${server.base}/console/staff`);
    await b.page.fill('#shop-name', '');
    await b.page.click('#shop-submit');
    await b.page.waitForSelector('#err-shop-name');
    await b.page.fill('#shop-name', 'Toko Cantik Bandung');
    await b.page.click('#shop-submit');
    await b.page.waitForSelector('.notice.ok');
    assert.match(await b.page.textContent('.notice.ok'), /Nama toko disimpan/);
    assert.equal(await b.page.inputValue('#shop-name'), 'Toko Cantik Bandung');
    await screenshot(b.page, 'shop-name');
    await b.page.goto(`${server.base}/console/audit/reports/letter?code=${letterFor.code}&lang=id&format=html`);
    await b.page.waitForSelector('#letter');
    assert.ok((await b.page.textContent('#letter')).includes('Toko Cantik Bandung'));

    // Switching the language after a search keeps the search and its results.
    await b.page.goto(`${server.base}/console/customers`);
    await b.page.selectOption('#kind', 'email');
    await b.page.fill('#q', 'budi.lang@example.co.id');
    await b.page.click('#search-submit');
    await b.page.waitForSelector('#results');
    await b.page.click('#lang-switch');
    await b.page.waitForSelector('html[lang=en]');
    assert.equal(await b.page.locator('#results tbody tr').count(), 1);
    assert.equal(await b.page.inputValue('#q'), 'budi.lang@example.co.id');
    assert.match(await b.page.textContent('main'), /1 customer found/);
    await screenshot(b.page, 'search-en');
    await b.page.click('#lang-switch');
    await b.page.waitForSelector('html[lang=id]');
    assert.equal(await b.page.locator('#results tbody tr').count(), 1);
    // The empty shop name's 422 and the dead links' 404s are the browsers' only complaints.
    assert.deepEqual(b.errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await b.close();
    await other.close();
  }
});

test('cs_staff sees masks, HTML in names and notes is escaped, and there is no reveal', async () => {
  const c = await dewi('dewi.s@gmail.com');
  const { b } = await member(server, 'cs_staff');
  const { page } = b;
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
  try {
    await page.goto(`${server.base}/console/customers/${c.id}`);
    await page.waitForSelector('#customer-fields');
    assert.equal(await page.textContent('#field-email'), 'd***@gmail.com' + await page.locator('#field-email .tag').textContent());
    assert.match(await page.textContent('#field-phone'), /\+62 812-\*\*\*\*-7890/);
    // NIK is hidden from CS staff altogether (not even masked), and says so ("—" reads as
    // "no data").
    assert.equal((await page.textContent('#field-national_id')).trim(), 'disembunyikan untuk peran Anda');
    assert.ok(!(await page.content()).includes('3174011205900001'));
    assert.equal(await page.locator('#reveal-form').count(), 0);
    assert.equal(await page.locator('#no-reveal').count(), 1);
    // No audit log for CS staff: no menu entry, and the page is refused.
    assert.equal(await page.locator('nav a[href="/console/audit"]').count(), 0);
    const audit = await page.request.get(`${server.base}/console/audit`, { maxRedirects: 0 });
    assert.equal(audit.status(), 403);
    // The notes' HTML is text, not markup.
    assert.ok((await page.textContent('#notes')).includes('<img src=x onerror=alert(2)>'));
    assert.equal(await page.locator('#notes img, #notes b').count(), 0);
    // Posting the reveal form anyway (with a valid CSRF token) is refused.
    const csrf = await page.getAttribute('input[name=csrf_token]', 'value');
    const r = await page.request.post(`${server.base}/console/customers/${c.id}/reveal`, {
      form: { csrf_token: csrf, field: 'email', purpose: 'refund', purpose_detail: 'x' },
      maxRedirects: 0,
    });
    assert.equal(r.status(), 403);
    assert.ok(!(await r.text()).includes('dewi.s@gmail.com'));
    // Role escalation through a form: cs_staff cannot reach staff management.
    const esc = await page.request.post(`${server.base}/console/staff/invite`, {
      form: { csrf_token: csrf, email: 'evil@example.com', role: 'admin' },
      maxRedirects: 0,
    });
    assert.equal(esc.status(), 403);
    // A card number in a note is refused and shown back masked.
    await page.fill('#note', 'Pelanggan minta refund ke kartu 4111 1111 1111 1111 ya');
    await page.click('#note-submit');
    await page.waitForSelector('#note-form');
    const draft = await page.inputValue('#note');
    assert.ok(!draft.includes('4111 1111 1111 1111'));
    assert.ok(draft.includes('1111'));
    assert.ok((await page.content()).includes('Nomor kartu pembayaran tidak boleh disimpan'));
    // A CVV is refused the same way (it used to answer 500 and lose the text): an inline
    // error in the member's language, the rest of the text kept, and saving again works.
    await page.fill('#note', 'Pelanggan telepon, CVV 123, minta refund');
    await page.click('#note-submit');
    await page.waitForSelector('#note-form');
    assert.equal(await page.inputValue('#note'), 'Pelanggan telepon, CVV ***, minta refund');
    assert.match(await page.textContent('main'), /CVV \(kode keamanan kartu\) tidak boleh disimpan/);
    // The masked card number saved again is accepted.
    await page.fill('#note', 'refund ke kartu 4111 1111 1111 1111');
    await page.click('#note-submit');
    await page.waitForSelector('#note-form');
    await page.click('#note-submit');
    await page.waitForSelector('.notice.ok');
    assert.ok(!(await page.textContent('#notes')).includes('4111 1111 1111 1111'));
    // A normal note is added, escaped.
    await page.fill('#note', 'Paket <b>rusak</b>, kirim ulang');
    await page.click('#note-submit');
    await page.waitForSelector('.notice.ok');
    assert.ok((await page.textContent('#notes')).includes('Paket <b>rusak</b>, kirim ulang'));
    // An oversized note gets a localized error, not a stack trace.
    await page.evaluate(() => document.querySelector('#note').removeAttribute('maxlength'));
    await page.fill('#note', 'x'.repeat(5000));
    await page.click('#note-submit');
    await page.waitForSelector('.notice.err');
    assert.match(await page.textContent('.notice.err'), /maksimal 4000 karakter/);
    assert.equal(dialogs, 0, 'no script from customer data ran');
  } finally {
    await b.close();
  }
});

// Entering a TOTP code (here: at enrolment) counts as the step-up for the next 5 minutes, so the
// reveal goes through without a second code; the prompt itself is covered by the Rust console
// tests (`reveal_asks_for_a_fresh_code_once_the_step_up_is_stale`).
test('cs_manager reveals with a purpose, and the reveal is in the audit data', async () => {
  const c = await dewi('dewi.sari.jkt@gmail.com');
  const { b } = await member(server, 'cs_manager');
  const { page } = b;
  try {
    await reveal(page, c.id, ['email', 'phone'], 'refund', 'TICKET-4242');
    assert.match(await page.textContent('#reveal-notice'), /Refund: TICKET-4242|TICKET-4242/);
    assert.match(await page.textContent('#field-email'), /dewi\.sari\.jkt@gmail\.com/);
    assert.match(await page.textContent('#field-phone'), /6281234567890/);
    // NIK was not asked for: still masked.
    assert.match(await page.textContent('#field-national_id'), /\*{12}0001/);
    await screenshot(page, 'customer-revealed');
    // The audit data: the member's activity shows the reveal with its purpose and fields.
    await page.goto(`${server.base}/console/activity`);
    const rows = await page.locator('#activity tbody tr').allTextContents();
    const row = rows.find((r) => r.includes('customer.reveal'));
    assert.ok(row, rows.join('\n'));
    // The reason in the reader's language, the fields by name, the time in WIB.
    assert.match(row, /Pengembalian dana: TICKET-4242/);
    assert.match(row, /E-mail/);
    assert.match(row, /buka data/);
    assert.match(row, /WIB/);
    // …and in the log itself, which `jaga audit verify` checks end to end.
  } finally {
    await b.close();
  }
});

test('auditor: the log shows the reveal without PII, verifies, and hands out the checkpoint', async () => {
  // The reveal the auditor looks for: a CS manager's, of a customer of this test's own.
  const c = await dewi('dewisari88@gmail.com');
  const manager = await member(server, 'cs_manager');
  try {
    await reveal(manager.b.page, c.id, ['email', 'phone'], 'refund', 'TICKET-4242');
  } finally {
    await manager.b.close();
  }
  const { b } = await member(server, 'auditor', { agree: false });
  const { page } = b;
  try {
    // The agreement comes first; then the auditor lands on the audit log.
    assert.match(page.url(), /\/console\/agreement$/);
    await acceptAgreement(page);
    await page.waitForSelector('#audit-events');
    assert.match(page.url(), /\/console\/audit$/);
    assert.equal(await page.locator('nav a[href="/console/customers"]').count(), 0);
    // Search by action and customer code: the manager's reveal, with its purpose.
    await page.fill('#action', 'customer.reveal');
    await page.fill('#code', c.code);
    await page.click('#audit-search-submit');
    await page.waitForSelector('#audit-events');
    const rows = await page.locator('#audit-events tbody tr').allTextContents();
    assert.equal(rows.length, 1, rows.join('\n'));
    assert.match(rows[0], /customer\.reveal/);
    assert.match(rows[0], /Pengembalian dana: TICKET-4242/);
    // Staff by name and role, the time in the shop's zone.
    assert.match(rows[0], /cs_manager tester \(Manajer CS\)/);
    assert.match(rows[0], / WIB/);
    assert.ok(rows[0].includes(c.code));
    const html = await page.content();
    for (const pii of ['dewisari88@gmail.com', '081234567890', 'Dewi', '3174011205900001']) {
      assert.ok(!html.includes(pii), `${pii} on the audit page`);
    }
    // A signed checkpoint (as `jaga serve` makes every 60 s), then "verify now".
    await jaga(server.dataDir, ['audit', 'checkpoint']);
    await page.fill('#action', 'customer');
    await page.fill('#code', '');
    await page.click('#audit-search-submit');
    await page.waitForSelector('#checkpoint-download');
    await page.click('#verify-submit');
    await page.waitForSelector('#verify-result');
    assert.match(await page.textContent('#verify-result'), /Log utuh: \d+ kejadian diperiksa/);
    assert.equal(await page.inputValue('#action'), 'customer', 'the filters survive the check');
    await screenshot(page, 'audit');
    // The checkpoint downloads as a file: the signed note.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#checkpoint-download'),
    ]);
    assert.match(download.suggestedFilename(), /^checkpoint-\d+\.txt$/);
    const note = await readFile(await download.path(), 'utf8');
    assert.match(note, /^jaga\/audit\/\S+\n\d+\n\S+\n\n\u2014 jaga\/audit\//);
    // Reports: who accessed Dewi's data (the reveal), and the letter to her as a file.
    await page.click('#reports-link');
    await page.fill('#code', c.code);
    await page.fill('#shop', 'Toko Cantik');
    await page.click('#report-customer-submit');
    await page.waitForSelector('#customer-report');
    assert.match(await page.textContent('#customer-report'), /customer\.reveal/);
    assert.ok(!(await page.content()).includes('dewisari88@gmail.com'));
    await screenshot(page, 'reports');
    // The letter to the customer, a document in her language: the shop's name, the reason
    // translated, staff by role (never by name), times in WIB.
    await page.click('#letter-id');
    await page.waitForSelector('#letter');
    const letterId = await page.textContent('#letter');
    assert.match(letterId, /Perihal: Catatan akses data pribadi Anda/);
    assert.ok(letterId.includes('Toko Cantik'), letterId);
    assert.match(letterId, /Pengembalian dana: TICKET-4242/);
    assert.match(letterId, /Waktu \(WIB\)/);
    assert.match(letterId, /Manajer CS/);
    assert.ok(!letterId.includes('cs_manager tester'), 'staff are named by role in the letter');
    assert.ok(!letterId.includes('Our shop'));
    await screenshot(page, 'letter-id');
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#letter-pdf')]);
    assert.match(pdf.suggestedFilename(), /^access-JG-[A-Z0-9-]+-id\.pdf$/);
    assert.ok((await readFile(await pdf.path())).subarray(0, 5).equals(Buffer.from('%PDF-')));
    await page.goBack();
    await page.waitForSelector('#customer-report');
    await page.click('#letter-en');
    await page.waitForSelector('#letter');
    const letterEn = await page.textContent('#letter');
    assert.match(letterEn, /Re: Record of access to your personal data/);
    assert.match(letterEn, /Refund: TICKET-4242/);
    assert.match(letterEn, /Time \(WIB\)/);
    assert.match(letterEn, /CS manager/);
    await screenshot(page, 'letter-en');
    const [txt] = await Promise.all([page.waitForEvent('download'), page.click('#letter-text')]);
    const text = await readFile(await txt.path(), 'utf8');
    assert.ok(text.includes('Toko Cantik') && text.includes('Refund: TICKET-4242'));
    // The audit page in English: actions, reasons and outcomes translated.
    await page.goto(`${server.base}/console/audit?action=customer.reveal`);
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang=en]');
    assert.match(page.url(), /action=customer\.reveal/, 'switching language keeps the search');
    const en = await page.locator('#audit-events tbody tr').allTextContents();
    assert.ok(en.some((r) => /reveal/.test(r) && /Refund: TICKET-4242/.test(r) && /done/.test(r)), en.join('\n'));
    await screenshot(page, 'audit-en');
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang=id]');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('admin erases a customer from the console: typed code, step-up, gone', async () => {
  const c = await customer({ full_name: 'Sari Hapus', phone: '081299990000' });
  const admin = await member(server, 'admin');
  const { b } = admin;
  try {
    await b.page.goto(`${server.base}/console/customers/${c.id}`);
    await b.page.click('#erase-link');
    await b.page.waitForSelector('#erase-form');
    assert.match(await b.page.textContent('#erase-warning'), /tidak dapat dibatalkan/);
    await screenshot(b.page, 'erase');
    // A wrong code: said at the field, nothing erased.
    await b.page.fill('#confirm_code', 'JG-AAAA-BBBB-C');
    await b.page.click('#erase-submit');
    await b.page.waitForSelector('#err-confirm_code');
    // The right code, typed in lower case.
    await b.page.fill('#confirm_code', c.code.toLowerCase());
    await b.page.click('#erase-submit');
    await b.page.waitForLoadState('load');
    if (await b.page.locator('#stepup-what').count()) {
      assert.ok((await b.page.textContent('#stepup-what')).includes(c.code));
      assert.equal(await b.page.getAttribute('#stepup-cancel', 'href'), `/console/customers/${c.id}`);
      await b.page.fill('#code', await freshCode(admin.secret));
      await b.page.click('#code-submit');
      await b.page.waitForLoadState('load');
    }
    assert.match(await b.page.textContent('.notice.ok'), new RegExp(`${c.code} telah dihapus permanen`));
    const gone = await server.api(apiKey, 'GET', `/v1/customers/${c.id}`);
    assert.equal(gone.status, 410);
    // The wrong code's 422 is the browser's only complaint.
    assert.deepEqual(b.errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await b.close();
  }
});

test('a reused TOTP code is refused', async () => {
  const m = await member(server, 'cs_staff');
  await m.b.close();
  const { email, secret } = m;
  const b = await browser();
  const { page } = b;
  try {
    // A step not used yet: sign in with its code, sign out, and try the same code again.
    const code = await freshCode(secret);
    await page.goto(`${server.base}/console/login`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('#login-submit');
    await page.fill('#code', code);
    await page.click('#code-submit');
    await page.waitForSelector('#logout');
    await page.click('#logout');
    await page.waitForSelector('#login-submit');
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('#login-submit');
    await page.fill('#code', code);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/login/code') && r.request().method() === 'POST'),
      page.click('#code-submit'),
    ]);
    assert.equal(resp.status(), 401);
    assert.match(await page.textContent('.notice.err'), /Kode salah atau sudah dipakai/);
    assert.equal(await page.locator('#logout').count(), 0);
  } finally {
    await b.close();
  }
});

test('a request without the CSRF token is refused', async () => {
  const budi = await customer({ full_name: 'Budi Santoso', email: 'budi@example.co.id', phone: '+6281311112222' });
  const { b } = await member(server, 'cs_staff');
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/customers/${budi.id}`);
    await page.waitForSelector('#note-form');
    // Drop the token from the real form and submit it.
    await page.evaluate(() => document.querySelector('#note-form input[name=csrf_token]').remove());
    await page.fill('#note', 'forged');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/notes') && r.request().method() === 'POST'),
      page.click('#note-submit'),
    ]);
    assert.equal(resp.status(), 403);
    assert.match(await page.textContent('main'), /Formulir ini kedaluwarsa/);
    // A wrong token is refused as well, and nothing was written.
    const r = await page.request.post(`${server.base}/console/customers/${budi.id}/notes`, {
      form: { csrf_token: 'A'.repeat(43), note: 'forged' },
      maxRedirects: 0,
    });
    assert.equal(r.status(), 403);
    await page.goto(`${server.base}/console/customers/${budi.id}`);
    assert.equal(await page.locator('#notes').count(), 0);
  } finally {
    await b.close();
  }
});

test('switching language changes the page', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await page.goto(`${server.base}/console/login`);
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    assert.equal((await page.textContent('h1')).trim(), 'Masuk');
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang=en]');
    assert.equal((await page.textContent('h1')).trim(), 'Sign in');
    // Errors come in the chosen language too.
    await page.fill('#email', 'nobody@toko.example');
    await page.fill('#password', 'wrong password here');
    await page.click('#login-submit');
    await page.waitForSelector('.notice.err');
    assert.equal((await page.textContent('.notice.err')).trim(), 'Wrong e-mail or password.');
    await screenshot(page, 'login-error-en');
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang=id]');
    assert.equal((await page.textContent('h1')).trim(), 'Masuk');
  } finally {
    await b.close();
  }
});

test('pages carry a strict CSP and never show a stack trace', async () => {
  // Literal values, as the server must send them (not read from the code under test).
  const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  const r = await request(server.base, 'GET', '/console/login');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-security-policy'], CSP);
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
  assert.ok(!/<script>|style=/.test(r.text), 'no inline script or style');
  // A page behind sign-in, without a session: to the sign-in page, with the same policy.
  const nf = await request(server.base, 'GET', '/console/customers/not-a-uuid');
  assert.equal(nf.status, 303);
  assert.equal(nf.headers.location, '/console/login?expired=1');
  assert.equal(nf.headers['content-security-policy'], CSP);
  const bad = await request(server.base, 'POST', '/console/login', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'x'.repeat(200000),
  });
  // Over the form limit: refused before anything reads it, with a page in the reader's language.
  assert.equal(bad.status, 413, bad.text);
  assert.match(bad.text, /Data yang dikirim terlalu besar/);
  assert.ok(!/panicked|RUST_BACKTRACE|src\/.*\.rs/.test(bad.text));
});

// The idle timeout is a setting (`JAGA_STAFF_IDLE_TIMEOUT_SECS`, validated as a positive number
// of seconds). The member is onboarded under the default timeout; the same data directory is
// then served with a 1-second one, so the test waits about a second, and only for the server's
// clock to pass the member's last request (no sleep stands in for an event).
test('an idle session expires', async () => {
  const idle = await startServer();
  let b;
  try {
    const m = await member(idle, 'cs_staff');
    b = m.b;
    const { page } = b;
    await idle.restart({ JAGA_STAFF_IDLE_TIMEOUT_SECS: '1' });
    // A session in use is alive on the restarted server: sign in; the code's redirect lands on
    // a signed-in page.
    await login(page, idle.base, m.email, m.secret);
    const lastSeen = Date.now();
    assert.doesNotMatch(page.url(), /\/console\/login/);
    assert.equal(await page.locator('#logout').count(), 1);
    // No request for longer than the timeout, by the clock the server reads too.
    const until = lastSeen + 1000 + 250;
    while (Date.now() < until) await new Promise((r) => setTimeout(r, until - Date.now()));
    await page.goto(`${idle.base}/console/customers`);
    assert.match(page.url(), /\/console\/login\?expired=1$/);
    assert.match(await page.textContent('.notice.warn'), /Sesi Anda berakhir/);
  } finally {
    if (b) await b.close();
    await idle.stop();
  }
});

register();
