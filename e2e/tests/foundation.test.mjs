// The foundation in a real browser: login, creating an entity, a CSV import with one bad row,
// and a contact who sees only their own entities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

test('login: a wrong password is refused, the right one opens the dashboard', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.base}/entities`);
  assert.match(page.url(), /\/login\?next=%2Fentities$/);
  await shot(page, '01-login');
  await page.fill('#username', 'admin');
  await page.fill('#password', 'sbagliata');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /non corretti/);
  await page.fill('#password', 'cst-demo-admin');
  await Promise.all([page.waitForURL(`${env.base}/entities`), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Enti aderenti/);
  // The Bootstrap Italia stylesheet really applies: the header has its colour.
  const bg = await page.$eval('.it-header-center-wrapper', (e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
  assert.equal(await page.textContent('#entity-list-summary'), '1–50 di 104 enti');
  await shot(page, '02-entity-list');
  await page.goto(`${env.base}/`);
  await shot(page, '03-dashboard');
  await page.close();
});

test('search narrows the list without reloading the page (htmx)', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'operatore', 'cst-demo-operatore');
  await page.goto(`${env.base}/entities`);
  await page.fill('#q', 'abano');
  await page.waitForFunction(() => document.querySelector('#entity-list-summary')?.textContent === '1 ente');
  assert.match(await page.textContent('#entity-table tbody'), /Comune di Abano Terme/);
  await page.close();
});

test('create an entity: wrong fields are explained, then it is saved', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/entities/new`);
  await page.fill('#name', 'Unione dei Comuni del Conselvano');
  await page.selectOption('#kind', 'unione_comuni');
  await page.fill('#tax_code', '12345678901');
  await page.fill('#province', 'PD');
  await page.click('#entity-form button[type=submit]');
  await page.waitForSelector('#form-message');
  assert.match(await page.textContent('#tax_code-error'), /cifra di controllo/);
  assert.equal(await page.inputValue('#name'), 'Unione dei Comuni del Conselvano', 'what was typed is kept');
  await shot(page, '04-entity-form-error');
  await page.fill('#tax_code', '');
  await page.fill('#workstations', '25');
  await Promise.all([page.waitForURL(/\/entities\/\d+$/), page.click('#entity-form button[type=submit]')]);
  assert.equal(await page.textContent('#entity-name'), 'Unione dei Comuni del Conselvano');
  await page.fill('#full_name', 'Paolo Bettin');
  await page.fill('#email', 'ced@unioneconselvano.it');
  await Promise.all([page.waitForURL(/#referenti$/), page.click('form[action$="/contacts"] button[type=submit]')]);
  assert.match(await page.textContent('#contact-list'), /Paolo Bettin/);
  await shot(page, '05-entity-detail');
  await page.close();
});

test('CSV import: a file with one bad row imports nothing and names the line; a good one shows progress', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cst-e2e-csv-'));
  const bad = join(dir, 'enti-errati.csv');
  writeFileSync(bad, 'name;istat_code;workstations\nBiblioteca di Este;;4\nComune Fantasma;12A456;3\n');
  const good = join(dir, 'enti.csv');
  writeFileSync(good, 'name;kind;workstations\nBiblioteca di Este;biblioteca;4\nBiblioteca di Monselice;biblioteca;3\n');
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/import`);
  await page.setInputFiles('#file', bad);
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-errors');
  const errors = await page.textContent('#import-errors');
  assert.match(errors, /riga 3/);
  assert.match(errors, /nessun dato è stato modificato/);
  await shot(page, '06-import-bad-row');
  await page.goto(`${env.base}/entities?q=Este`);
  assert.doesNotMatch(await page.textContent('#entity-table'), /Biblioteca di Este/, 'nothing half-imported');

  await page.goto(`${env.base}/import`);
  await page.setInputFiles('#file', good);
  await Promise.all([page.waitForURL(/\/import\/\d+$/), page.click('#import-form button[type=submit]')]);
  await page.waitForFunction(() => /completata/.test(document.querySelector('#import-status')?.textContent ?? ''));
  assert.match(await page.textContent('#import-status'), /2 enti creati/);
  await shot(page, '07-import-done');
  await page.close();
});

test('a contact sees only their own entities', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/entities`);
  assert.equal(await page.textContent('#entity-list-summary'), '2 enti');
  const names = await page.$$eval('#entity-table tbody a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(names, ['Comune di Abano Terme', 'Comune di Padova']);
  assert.equal(await page.$('#new-entity'), null, 'no create button for a contact');
  await shot(page, '08-contact-list');
  // Another entity, by its address: not found, exactly like one that does not exist.
  const other = await page.goto(`${env.base}/entities/3`);
  assert.equal(other.status(), 404);
  await shot(page, '09-contact-other-entity');
  const own = await page.goto(`${env.base}/entities?q=Padova`);
  assert.equal(own.status(), 200);
  await page.click('text=Comune di Padova');
  assert.match(await page.textContent('#contact-list'), /Giulia Bernardi/);
  await shot(page, '10-contact-own-entity');
  await page.close();
});

test('admin pages: users and the verified audit chain', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/users`);
  assert.match(await page.textContent('#user-table'), /referente/);
  await shot(page, '11-users');
  await page.goto(`${env.base}/audit`);
  await page.click('form[action="/audit/verify"] button');
  await page.waitForSelector('#audit-verdict');
  assert.match(await page.textContent('#audit-verdict'), /Catena integra/);
  await shot(page, '12-audit');
  await page.close();
});
