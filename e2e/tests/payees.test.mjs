// Browser tests of BEC-safe payouts (issue 14): a payee's bank-detail change is verified by a
// call-back from a different finance member (the number on file only), a payout to the new
// details needs approvals from others (the creator's own approval is refused, with the reason
// on the page), a change of the payee's contacts is verified by a call to the OLD number on file
// (the requested one is refused), and the e-mail check explains a bank-change request and links
// to the payees.
// Each test makes its own members, so any order passes (`JAGA_E2E_ORDER`, ../lib/order.mjs).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, member, freshCode, screenshot } from '../lib/harness.mjs';
import { test, register } from '../lib/order.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

/** Answers a step-up prompt, if one comes, with a fresh code from `secret`. */
async function stepUpIfAsked(page, what, secret) {
  await page.waitForLoadState('load');
  if (await page.locator('#stepup-what').count()) {
    if (what) assert.match(await page.textContent('#stepup-what'), what);
    await page.fill('#code', await freshCode(secret));
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#code-submit'),
    ]);
    await page.waitForLoadState('load');
  }
}

/** Submits a form by clicking `selector` and waits for the answer's page. */
async function submit(page, selector) {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click(selector),
  ]);
  await page.waitForLoadState('load');
}

/** Records the call-back on the payee page open in `page`. */
async function callBack(page, number, confirmed, reference, secret) {
  await page.fill('#v-number', number);
  await page.fill('#v-confirmed', confirmed);
  await page.fill('#v-reference', reference);
  await submit(page, '#verify-approve');
  await stepUpIfAsked(page, /versi|version/, secret);
}

test('bank change, call-back by another member, four-eyes payout with a refused self-approval', async () => {
  const fina = await member(server, 'finance', { name: 'Fina Keuangan' });
  const dewi = await member(server, 'finance', { name: 'Dewi Keuangan' });
  const owner = await member(server, 'admin', { name: 'Ayu Pemilik' });
  try {
    // Fina adds the supplier with the number on file from the contract.
    const p = fina.b.page;
    await p.goto(`${server.base}/console/payees`);
    await p.fill('#p-name', 'PT Glow Beauty');
    await p.fill('#p-phone', '0812 3456 7890');
    await p.fill('#p-email', 'billing@glowbeauty.co.id');
    await p.fill('#p-bank', 'BCA');
    await p.fill('#p-account', '2830199401');
    await p.fill('#p-holder', 'PT Glow Beauty');
    await screenshot(p, 'payee-new');
    await submit(p, '#payee-submit');
    await p.waitForSelector('#payee-name');
    const payeeUrl = p.url().split('?')[0];
    assert.match(await p.textContent('#payee-held'), /Belum ada rekening terverifikasi/);
    // Fina asked for these details: the page says another member must call.
    assert.equal(await p.locator('#verify-own').count(), 1);
    // ...and the server refuses her call-back.
    await callBack(p, '081234567890', 'akhiran 9401', 'K7Q2', fina.secret);
    assert.match(await p.textContent('[role=alert]'), /anggota keuangan atau admin lain/);

    // Dewi makes the call-back: only the number on file is shown; a number from elsewhere is refused.
    const d = dewi.b.page;
    await d.goto(payeeUrl);
    assert.equal((await d.textContent('#call-number')).trim(), '+6281234567890');
    await callBack(d, '0899 1111 2222', 'akhiran 9401', 'K7Q2', dewi.secret);
    assert.match(await d.textContent('[role=alert]'), /Telepon nomor yang terdaftar/);
    await screenshot(d, 'payee-callback-wrong-number');
    await d.goto(payeeUrl);
    await callBack(d, '0812 3456 7890', 'akhiran 9401, atas nama PT Glow Beauty', 'K7Q2', dewi.secret);
    await d.waitForSelector('#payee-payable dl');
    assert.match(await d.textContent('#payee-versions'), /terverifikasi/);

    // Fina records the supplier's new account: version 2 waits; payouts still use version 1.
    await p.goto(payeeUrl);
    await p.fill('#c-bank', 'Mandiri');
    await p.fill('#c-account', '137-00-1234567-3');
    await p.fill('#c-holder', 'PT Glow Beauty');
    await submit(p, '#change-submit');
    await p.waitForSelector('#payee-verify');
    assert.match(await p.textContent('#payee-payable'), /2830199401/);
    await screenshot(p, 'payee-change-pending');

    // Dewi calls the number on file (not one from the change request) and verifies it.
    await d.goto(payeeUrl);
    assert.match(await d.textContent('#pending-account'), /1370012345673/);
    await d.fill('#v-number', '081234567890');
    await d.fill('#v-confirmed', 'akhiran 5673, atas nama PT Glow Beauty');
    await d.fill('#v-reference', 'M3X9');
    await screenshot(d, 'payee-callback');
    await submit(d, '#verify-approve');
    await stepUpIfAsked(d, /versi 2/, dewi.secret);
    await d.waitForSelector('#payee-payable');
    assert.match(await d.textContent('#payee-payable'), /1370012345673/);
    assert.match(await d.textContent('#payee-versions'), /M3X9/);

    // Fina creates a payout to the new details: held for one more approval, with a warning.
    await p.goto(`${server.base}/console/payouts`);
    await p.selectOption('#o-payee', { label: 'PT Glow Beauty' });
    await p.fill('#o-amount', '5.000.000');
    await p.fill('#o-remark', 'INV-2026-114');
    await submit(p, '#payout-submit');
    await p.waitForSelector('#payout-chain');
    const payoutUrl = p.url().split('?')[0];
    assert.match(await p.textContent('#payout-warning'), /diubah dalam 14 hari terakhir/);
    assert.match(await p.textContent('#payout-status'), /0 dari 2 persetujuan/);
    // Her own approval is refused, with the reason on the page.
    await submit(p, '#payout-approve');
    await stepUpIfAsked(p, /Setujui/, fina.secret);
    assert.match(await p.textContent('#payout-error'), /anggota keuangan atau admin lain/);
    await screenshot(p, 'payout-self-approval-refused');

    // Dewi and the owner approve.
    for (const [m, page] of [[dewi, d], [owner, owner.b.page]]) {
      await page.goto(payoutUrl);
      await submit(page, '#payout-approve');
      await stepUpIfAsked(page, /Setujui|Approve/, m.secret);
      await page.waitForSelector('#payout-chain');
    }
    const o = owner.b.page;
    assert.equal(await o.getAttribute('#payout-status', 'data-status'), 'approved');
    const chain = await o.textContent('#payout-chain');
    assert.match(chain, /versi 2 diminta oleh/);
    assert.match(chain, /menelepon 081234567890/);
    assert.match(chain, /M3X9/);
    assert.equal(await o.locator('#payout-chain li.approve').count(), 2);
    await screenshot(o, 'payout-chain');
    // In English too.
    await o.click('#lang-switch');
    await o.waitForSelector('#payout-chain');
    assert.match(await o.textContent('#payout-chain'), /Approved by/);
    // The refusals above are pages answered with 403/422 (Chromium logs their status); no
    // other error, and no script error, happened.
    for (const m of [fina, dewi, owner]) {
      assert.deepEqual(m.b.errors.filter((e) => !/status of (403|422)\b/.test(e)), []);
    }
  } finally {
    await fina.b.close();
    await dewi.b.close();
    await owner.b.close();
  }
});

const BANK_CHANGE_MAIL = [
  'From: "PT Glow Beauty" <billing@glowbeauty-invoice.com>',
  'To: finance@toko.example',
  'Subject: Perubahan rekening',
  'Message-ID: <x1@glowbeauty-invoice.com>',
  'Date: Mon, 7 Dec 2026 09:00:00 +0700',
  '',
  'Selamat pagi,',
  'Mohon segera transfer pembayaran invoice INV-7 ke rekening baru kami: BCA 1234567890 a.n. Glow Beauty.',
  'Rekening lama sedang diaudit, jangan telepon kantor.',
  '',
].join('\r\n');

test('the e-mail check explains a bank-change request and links to the payees', async () => {
  const fina = await member(server, 'finance');
  const p = fina.b.page;
  try {
    await p.goto(`${server.base}/console/mail`);
    await p.setInputFiles('#mail-file', {
      name: 'invoice.eml',
      mimeType: 'message/rfc822',
      buffer: Buffer.from(BANK_CHANGE_MAIL),
    });
    await submit(p, '#mail-submit');
    await p.waitForSelector('#mail-result');
    assert.equal(await p.getAttribute('#mail-result', 'data-verdict'), 'high');
    assert.match(await p.textContent('#mail-verdict'), /Risiko tinggi/);
    const codes = await p.locator('#mail-indicators li').evaluateAll((ls) => ls.map((l) => l.dataset.code));
    assert.ok(codes.includes('BANK_DETAILS_CHANGE'), codes.join(','));
    assert.match(await p.textContent('#mail-bank-change'), /nomor yang sudah tercatat/);
    await screenshot(p, 'mail-check');
    await p.click('#mail-start-verification');
    await p.waitForSelector('h1');
    assert.match(p.url(), /\/console\/payees$/);
    assert.deepEqual(fina.b.errors, []);
  } finally {
    await fina.b.close();
  }
});

test('contact change, call-back to the old number by another member, verified', async () => {
  const fina = await member(server, 'finance', { name: 'Fina Kontak' });
  const dewi = await member(server, 'finance', { name: 'Dewi Kontak' });
  const digits = (s) => (s || '').replace(/\D/g, '');
  try {
    // Fina adds the courier with the number on file from the contract.
    const p = fina.b.page;
    await p.goto(`${server.base}/console/payees`);
    await p.fill('#p-name', 'CV Kurir Cepat');
    await p.fill('#p-phone', '0812 5555 0101');
    await p.fill('#p-email', 'ops@kurircepat.co.id');
    await p.fill('#p-bank', 'BCA');
    await p.fill('#p-account', '2830155501');
    await p.fill('#p-holder', 'CV Kurir Cepat');
    await submit(p, '#payee-submit');
    await p.waitForSelector('#payee-name');
    const payeeUrl = p.url().split('?')[0];

    // A mail "from the courier" gives a new phone number: Fina records the change. It waits;
    // the old number stays on file for every call-back.
    await p.fill('#k-phone', '0813 9999 0202');
    await p.fill('#k-email', 'finance@kurircepat.co.id');
    await submit(p, '#contact-submit');
    await stepUpIfAsked(p, null, fina.secret);
    await p.waitForSelector('#contact-verify');
    assert.equal(digits(await p.textContent('#payee-phone')), '6281255550101');
    assert.equal(await p.locator('#payee-contact-change').count(), 0, 'one change at a time');
    // She asked for it: another member must call.
    assert.equal(await p.locator('#contact-verify-own').count(), 1);
    await screenshot(p, 'payee-contact-change-pending');

    // Dewi is shown the OLD number to call, and the requested one separately.
    const d = dewi.b.page;
    await d.goto(payeeUrl);
    assert.equal(await d.locator('#contact-verify-own').count(), 0);
    assert.equal(digits(await d.textContent('#contact-call-number')), '6281255550101');
    assert.equal(digits(await d.textContent('#contact-new-phone')), '6281399990202');
    // Calling the requested (new) number is refused, with the reason on the page.
    await d.fill('#cv-number', '0813 9999 0202');
    await d.fill('#cv-confirmed', 'nomor baru 0202 dari Pak Budi');
    await d.fill('#cv-reference', 'R5T8');
    await submit(d, '#contact-verify-approve');
    await stepUpIfAsked(d, null, dewi.secret);
    assert.match(await d.textContent('[role=alert]'), /Telepon nomor yang terdaftar/);
    await screenshot(d, 'payee-contact-callback-wrong-number');
    await d.goto(payeeUrl);
    assert.equal(digits(await d.textContent('#payee-phone')), '6281255550101');

    // She calls the old number on file: the change is verified and the new number replaces it.
    await d.fill('#cv-number', '0812 5555 0101');
    await d.fill('#cv-confirmed', 'Pak Budi membenarkan nomor baru berakhiran 0202');
    await d.fill('#cv-reference', 'R5T8');
    await submit(d, '#contact-verify-approve');
    await stepUpIfAsked(d, null, dewi.secret);
    await d.goto(payeeUrl);
    await d.waitForSelector('#payee-contacts');
    assert.equal(await d.locator('#contact-verify').count(), 0);
    assert.equal(digits(await d.textContent('#payee-phone')), '6281399990202');
    const row = d.locator('#payee-contacts tr.contact[data-version="2"]');
    assert.match(await row.getAttribute('class'), /\bverified\b/);
    const call = await row.locator('td.call').textContent();
    assert.match(call, /R5T8/);
    assert.equal(digits(call).includes('6281255550101') || digits(call).includes('081255550101'), true, call);
    await screenshot(d, 'payee-contact-verified');
    // The bank details still waiting for their call-back now dial the new number.
    assert.equal(digits(await d.textContent('#call-number')), '6281399990202');
    for (const m of [fina, dewi]) {
      assert.deepEqual(m.b.errors.filter((e) => !/status of (403|422)\b/.test(e)), []);
    }
  } finally {
    await fina.b.close();
    await dewi.b.close();
  }
});

register();
