// Billing in a real browser: the administrator reads the year's statements at the desk (the
// demo's run: Padova's issued, the others drafts), runs the year again and watches the
// progress bar, issues Abano Terme's draft after a confirmation, records a wrong then a right
// payment, and corrects the billing settings (a wrong IBAN comes back next to its field, with
// what was typed); the contact reads the issued statements on a phone. Every page at the
// width it is used at, axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date()).slice(0, 4));

/// Clicks `selector` and waits for the page it leads to.
async function go(page, selector) {
  await Promise.all([page.waitForLoadState(), page.waitForNavigation(), page.click(selector)]);
}

test('the year\'s statements: run, issue after a confirmation, payments, settings', async () => {
  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/statements`);
  assert.equal(await desk.textContent('h1'), `Rendiconti ${year}`);
  const padova = desk.locator('#statement-table tbody tr').filter({ hasText: 'Comune di Padova' }).first();
  assert.match(await padova.textContent(), new RegExp(`${year}/0001`));
  assert.match(await desk.textContent('#run-progress'), /Ultima elaborazione/);
  await inspect(desk, 'billing-list-desk');

  // Running the year again: the progress bar, then the same drafts (nothing new).
  await go(desk, '#run-start');
  assert.match(await desk.textContent('.alert-success'), /Elaborazione dei rendiconti del \d{4} avviata/);
  await desk.waitForFunction(() => /Ultima elaborazione/.test(document.querySelector('#run-progress')?.textContent ?? ''), null, { timeout: 20000 });
  assert.match(await desk.textContent('#run-progress'), /0 righe scritte/);

  // Abano Terme's draft: issued after a confirmation that names the total.
  await desk.fill('#q', 'Abano');
  await desk.waitForFunction(() => document.querySelectorAll('#statement-table tbody tr').length === 1);
  await go(desk, '#statement-table tbody tr a');
  assert.match(await desk.textContent('h1'), new RegExp(`Bozza di rendiconto ${year}`));
  assert.match(await desk.textContent('#statement-lines'), /Pacchetto PD14/);
  await inspect(desk, 'billing-draft-desk');
  await go(desk, '#statement-issue');
  assert.match(await desk.textContent('#confirm-question'), /Emettere questo rendiconto del \d{4}\?/);
  assert.match(await desk.textContent('#confirm-consequences'), /Ente: Comune di Abano Terme/);
  assert.match(await desk.textContent('#confirm-consequences'), /Totale € [\d.]+,\d\d/);
  await inspect(desk, 'billing-issue-confirm-desk');
  await go(desk, '#confirm-yes');
  assert.match(await desk.textContent('.alert-success'), new RegExp(`numero ${year}/0002`));
  assert.equal(await desk.textContent('#statement-state'), 'Emesso');

  // A payment: a wrong amount is said next to the form and what was typed stays.
  await desk.fill('#pay-importo', 'cento euro');
  await desk.fill('#pay-riferimento', 'CRO 0001');
  await go(desk, '#payment-save');
  assert.match(await desk.textContent('#payment-error'), /L'importo va scritto come numero/);
  assert.equal(await desk.inputValue('#pay-riferimento'), 'CRO 0001');
  await desk.fill('#pay-importo', '100,00');
  await go(desk, '#payment-save');
  assert.match(await desk.textContent('.alert-success'), /Pagamento di € 100,00 registrato: restano € [\d.]+,\d\d/);
  assert.match(await desk.textContent('#payment-list'), /€ 100,00 · CRO 0001/);
  await inspect(desk, 'billing-issued-desk');

  // Abano Terme has no office code yet: its e-invoice is refused with the reason, by the form.
  await go(desk, '#statement-invoice');
  await go(desk, '#confirm-yes');
  assert.match(await desk.textContent('#invoice-error'), /codice univoco ufficio/);
  // Padova's statement becomes a FatturaPA file, validated, ready to send.
  await desk.goto(`${env.base}/statements?q=Padova`);
  await go(desk, '#statement-table tbody tr:has-text("Comune di Padova") a');
  await go(desk, '#statement-invoice');
  assert.match(await desk.textContent('#confirm-consequences'), /Fattura \(TD01\)/);
  await go(desk, '#confirm-yes');
  assert.match(await desk.textContent('.alert-success'), /Fattura elettronica creata: IT80006510285_\w{5}\.xml/);
  assert.match(await desk.textContent('#invoice-list'), /Pronta per l'invio/);
  assert.equal(await desk.textContent('#statement-state'), 'Fatturato');
  assert.equal(await desk.locator('#statement-invoice').count(), 0, 'one live invoice at a time');
  await inspect(desk, 'billing-invoiced-desk');

  // The settings: a wrong IBAN comes back next to its field.
  await desk.goto(`${env.base}/billing/settings`);
  assert.equal(await desk.inputValue('#denominazione'), 'Provincia di Padova - Centro Servizi Territoriale');
  await desk.fill('#iban', 'IT00 X000 0000 0000 0000 0000 000');
  await go(desk, '#settings-save');
  assert.match(await desk.textContent('#settings-error'), /un campo da correggere/);
  assert.match(await desk.textContent('#iban-error'), /IBAN non valido/);
  assert.equal(await desk.inputValue('#iban'), 'IT00 X000 0000 0000 0000 0000 000');
  await inspect(desk, 'billing-settings-desk');
  await desk.fill('#iban', 'IT60X0542811101000000123456');
  await go(desk, '#settings-save');
  assert.match(await desk.textContent('.alert-success'), /Impostazioni salvate/);

  // The contact, on a phone: the issued statements of their entities, not the drafts.
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'referente', 'cst-demo-referente');
  await phone.goto(`${env.base}/statements`);
  const rows = await phone.locator('#statement-table tbody tr').allTextContents();
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.ok(rows.every((r) => /Comune di (Padova|Abano Terme)/.test(r)), rows.join(' | '));
  await inspect(phone, 'billing-list-phone');
  await go(phone, '#statement-table tbody tr:has-text("Abano") a');
  assert.match(await phone.textContent('#statement-paid'), /€ 100,00/);
  assert.equal(await phone.locator('#payment-form').count(), 0);
  await inspect(phone, 'billing-statement-phone');
});

test('the deadlines calendar: the contact on a phone adds one and gets a feed; staff renew one', async () => {
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'referente', 'cst-demo-referente');
  await phone.goto(`${env.base}/deadlines`);
  assert.match(await phone.textContent('#deadline-table'), /Licenze antivirus/);
  await inspect(phone, 'deadlines-phone');
  await go(phone, '#deadline-add');
  assert.match(await phone.textContent('#deadlines-error'), /Scrivere che cosa scade/);
  await phone.fill('#dl-titolo', 'Rinnovo del contratto di assistenza della centrale telefonica');
  await phone.fill('#dl-data', `${year + 1}-02-15`);
  await phone.fill('#dl-ogni', '12');
  await go(phone, '#deadline-add');
  assert.match(await phone.textContent('.alert-success'), /Scadenza aggiunta/);
  assert.match(await phone.textContent('#deadline-table'), /centrale telefonica/);
  await go(phone, '#feed-new');
  assert.match(await phone.textContent('#feed-url'), /\/calendar\/cal_[0-9a-f]+\.ics/);
  const feed = await phone.textContent('#feed-url');
  assert.ok(feed.trim().startsWith('http://'), feed);
  const ics = await (await fetch(feed.trim())).text();
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.match(ics.replace(/\r\n /g, ''), /centrale telefonica/);

  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/deadlines?tipo=manual&al=${year + 2}-12-31`);
  const row = desk.locator('#deadline-table tbody tr').filter({ hasText: 'centrale telefonica' });
  await Promise.all([desk.waitForNavigation(), row.locator('button').click()]);
  assert.match(await desk.textContent('#confirm-question'), /Segnare come rinnovata la scadenza del 15\/02\/\d{4}\?/);
  await go(desk, '#confirm-yes');
  assert.match(await desk.textContent('.alert-success'), /rinnovata/);
  await desk.goto(`${env.base}/deadlines?tipo=manual&al=${year + 2}-12-31`);
  const rows = await desk.locator('#deadline-table tbody tr').filter({ hasText: 'centrale telefonica' }).allTextContents();
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.match(rows[0], /chiusa/);
  await inspect(desk, 'deadlines-desk');
});

test('revenue and sustainability: charts, the centre\'s costs, at the desk and on a phone', async () => {
  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/reports/revenue`);
  assert.equal(await desk.locator('#chart-years svg[role=img] title').count(), 1);
  await desk.click('#costs summary');
  await desk.fill('#c-voce', 'Personale tecnico');
  await desk.fill('#c-importo', 'mille euro');
  await go(desk, '#cost-add');
  assert.match(await desk.textContent('#revenue-error'), /L'importo va scritto come numero/);
  assert.equal(await desk.inputValue('#c-voce'), 'Personale tecnico');
  await desk.fill('#c-importo', '12.000,00');
  await go(desk, '#cost-add');
  assert.match(await desk.textContent('.alert-success'), /Costo aggiunto/);
  assert.match(await desk.textContent('#revenue-years'), /€ 12\.000,00/);
  assert.match(await desk.textContent('#revenue-years'), /\d+,\d%/);
  await inspect(desk, 'revenue-desk');
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'operatore', 'cst-demo-operatore');
  await phone.goto(`${env.base}/reports/revenue`);
  await inspect(phone, 'revenue-phone');
});
