// Issue 15's SMS in a real browser: the demo contact, on a phone, writes to the civil
// protection list; the parts and the cost are counted while typing (htmx), a character outside
// the SMS alphabet is named; sending asks first how many messages and what they cost; the log
// shows them queued (the demo has no SMS provider). Checked by axe at 390 and 1366 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

test('a contact sends an SMS to a list after seeing its cost (phone)', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/rubrica`);
  await Promise.all([page.waitForNavigation(), page.click('#addressbook-entities a:has-text("Comune di Padova")')]);
  await Promise.all([page.waitForNavigation(), page.click('#to-sms')]);
  // The menu's way in leads to the same page.
  const smsUrl = page.url();
  await page.goto(`${env.base}/sms`);
  await inspect(page, 'sms-choose-phone');
  await Promise.all([page.waitForNavigation(), page.click('#sms-entities a:has-text("Comune di Padova")')]);
  assert.equal(page.url(), smsUrl);
  const list = await page.locator('#s-lista option', { hasText: 'Protezione civile' }).getAttribute('value');
  await page.selectOption('#s-lista', list);
  await page.fill('#s-testo', 'È allerta meteo: domani scuole chiuse.');
  await page.waitForSelector('#sms-preview-counts');
  assert.match(await page.textContent('#sms-preview-counts'), /«È».*3 destinatari · 3 parti in tutto · € 0,15/);
  await page.fill('#s-testo', 'Allerta meteo: domani scuole chiuse. Seguite gli aggiornamenti sul sito del Comune e non uscite se non necessario. Il sindaco ringrazia tutti i volontari per la collaborazione.');
  await page.waitForFunction(() => /6 parti in tutto/.test(document.querySelector('#sms-preview-counts')?.textContent || ''));
  await inspect(page, 'sms-form-phone');
  await Promise.all([page.waitForNavigation(), page.click('#sms-send')]);
  assert.match(await page.textContent('h1'), /Inviare 3 SMS\?/);
  assert.match(await page.textContent('main'), /6 parti in tutto \(2 per messaggio\), costo € 0,30/);
  await inspect(page, 'sms-confirm-phone');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Invia")')]);
  assert.match(await page.textContent('#sms-saved'), /3 SMS in coda per l'invio \(6 parti, € 0,30\)/);
  assert.equal(await page.locator('.sms-message').count(), 3);
  assert.match(await page.textContent('#sms-log'), /in coda/);
  assert.match(await page.textContent('#sms-usage'), /6 parti usate/);
  // A wrong number is refused with the reason, the text kept.
  await page.fill('#s-numeri', '34a');
  await page.fill('#s-testo', 'Prova');
  await Promise.all([page.waitForNavigation(), page.click('#sms-send')]);
  assert.match(await page.textContent('#sms-error'), /«34a»/);
  assert.equal(await page.inputValue('#s-testo'), 'Prova');
  await inspect(page, 'sms-error-phone');
  await page.close();
});

test('the staff set an entity\'s monthly limit (desk)', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/entities?q=Padova`);
  await page.locator('main a:text-is("Comune di Padova")').first().click();
  await Promise.all([page.waitForNavigation(), page.click('#entity-addressbook')]);
  await Promise.all([page.waitForNavigation(), page.click('#to-sms')]);
  await page.fill('#s-limite', '5');
  await Promise.all([page.waitForNavigation(), page.click('#sms-limit button')]);
  assert.match(await page.textContent('#sms-saved'), /Limite mensile: 5 parti/);
  assert.match(await page.textContent('#sms-usage'), /su un limite di 5/);
  await page.fill('#s-numeri', '347 1234567');
  await page.fill('#s-testo', 'Prova');
  await Promise.all([page.waitForNavigation(), page.click('#sms-send')]);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Invia")')]);
  assert.match(await page.textContent('#sms-error'), /Limite mensile di SMS raggiunto: usate 6 parti su 5/);
  await inspect(page, 'sms-desk');
  await page.close();
});
