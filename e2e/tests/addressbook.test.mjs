// Issue 15's address books and send lists in a real browser: the demo contact, on a phone,
// chooses the entity, opens its book, adds a person (a wrong address refused with the reason),
// imports a CSV file (a wrong line refuses the whole file, named; then the good file, with the
// person already there left out), searches, exports, and builds a send list from the book,
// taking someone off after the confirmation page; every page checked by axe and for width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

test('a contact keeps the entity\'s address book and a send list (phone)', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/rubrica`);
  await inspect(page, 'addressbook-choose-phone');
  await Promise.all([page.waitForNavigation(), page.click('#addressbook-entities a:has-text("Comune di Padova")')]);
  await inspect(page, 'addressbook-entity-phone');
  await Promise.all([page.waitForNavigation(), page.click('#book-list a:has-text("Fornitori e uffici")')]);
  assert.match(await page.textContent('#book-count'), /6 contatti/);

  // A new person: a wrong address first.
  await page.click('#nuovo summary');
  await page.fill('#v-nome', 'Nadia Rossetto');
  await page.fill('#v-cell', '+39 333 1234567');
  await page.fill('#v-email', 'nadia@');
  await Promise.all([page.waitForNavigation(), page.click('#entry-add')]);
  assert.match(await page.textContent('#book-error'), /«nadia@» non è un indirizzo e-mail valido/);
  assert.equal(await page.inputValue('#v-nome'), 'Nadia Rossetto');
  await page.fill('#v-email', 'nadia.rossetto@example.org');
  await Promise.all([page.waitForNavigation(), page.click('#entry-add')]);
  assert.match(await page.textContent('#book-saved'), /«Nadia Rossetto» aggiunto/);

  // Import: a wrong line refuses the file; the good one comes in, the duplicate left out.
  await page.click('#importa summary');
  await page.setInputFiles('#i-file', {
    name: 'volontari.csv', mimeType: 'text/csv',
    buffer: Buffer.from('nome;cellulare;email\nPaolo Zen;333 7654321;paolo@example.org\nSbagliato;12;\n'),
  });
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
  assert.match(await page.textContent('#book-error'), /Nulla è stato importato.*Riga 3: cellulare/);
  await inspect(page, 'addressbook-import-error-phone');
  await page.click('#importa summary');
  await page.setInputFiles('#i-file', {
    name: 'volontari.csv', mimeType: 'text/csv',
    buffer: Buffer.from('nome;cellulare;email\nPaolo Zen;333 7654321;paolo@example.org\nNadia R.;+39 333 123 4567;\n'),
  });
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
  assert.match(await page.textContent('#book-saved'), /Importati 1 contatti\. Già presenti e lasciati fuori: riga 3 «Nadia R\.» \(come «Nadia Rossetto»\)/);
  assert.match(await page.textContent('#book-count'), /8 contatti/);

  // Search by a piece of a number; export.
  await page.fill('#q', '7654');
  await Promise.all([page.waitForNavigation(), page.click('#book-search button')]);
  assert.match(await page.textContent('#book-count'), /1 di 8 contatti/);
  assert.match(await page.textContent('#entry-list'), /Paolo Zen/);
  await inspect(page, 'addressbook-book-phone');
  const csv = await page.request.get(`${env.base}${await page.getAttribute('#export-csv', 'href')}`);
  assert.match(await csv.text(), /Paolo Zen;;;333 7654321/);
  const vcf = await page.request.get(`${env.base}${await page.getAttribute('#export-vcf', 'href')}`);
  assert.match(await vcf.text(), /BEGIN:VCARD\r\nVERSION:3.0\r\nFN:/);

  // A send list from the book; someone taken off after the confirmation page.
  await page.goto(`${env.base}/rubrica`);
  await Promise.all([page.waitForNavigation(), page.click('#addressbook-entities a:has-text("Comune di Padova")')]);
  await page.fill('#l-nome', 'Scuole');
  await Promise.all([page.waitForNavigation(), page.click('#list-new button')]);
  assert.match(await page.textContent('#list-saved'), /Lista «Scuole» creata/);
  const paolo = await page.locator('#m-voce option', { hasText: 'Paolo Zen' }).getAttribute('value');
  await page.selectOption('#m-voce', paolo);
  await Promise.all([page.waitForNavigation(), page.click('#member-add-entry')]);
  await page.fill('#m-nome', 'Segreteria scuola');
  await page.fill('#m-cell', '049 1112223');
  await Promise.all([page.waitForNavigation(), page.click('#member-add-typed')]);
  await page.fill('#m-nome', 'Ancora Paolo');
  await page.fill('#m-cell', '+39 333 765 4321');
  await Promise.all([page.waitForNavigation(), page.click('#member-add-typed')]);
  assert.match(await page.textContent('#list-error'), /già nella lista/);
  await inspect(page, 'addressbook-list-phone');
  const seg = page.locator('.member', { hasText: 'Segreteria scuola' });
  await Promise.all([page.waitForNavigation(), seg.locator('button').click()]);
  assert.match(await page.textContent('h1'), /Togliere «Segreteria scuola» dalla lista «Scuole»/);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Togli dalla lista")')]);
  assert.match(await page.textContent('#list-saved'), /tolto dalla lista/);
  assert.equal(await page.locator('.member').count(), 1);
  await page.close();
});

test('the staff open an entity\'s address book and change an entry (desk)', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/entities?q=Padova`);
  await page.locator('main a:text-is("Comune di Padova")').first().click();
  await Promise.all([page.waitForNavigation(), page.click('#entity-addressbook')]);
  await inspect(page, 'addressbook-entity-desk');
  await Promise.all([page.waitForNavigation(), page.click('#book-list a')]);
  await inspect(page, 'addressbook-book-desk');
  await Promise.all([page.waitForNavigation(), page.click('#entry-list a:has-text("Giovanni Bettin")')]);
  await page.fill('#v-ruolo', 'Sistemista');
  await Promise.all([page.waitForNavigation(), page.click('#entry-save')]);
  assert.match(await page.textContent('#book-saved'), /«Giovanni Bettin» aggiornato/);
  assert.match(await page.textContent('#entry-list'), /Sistemista/);
  await page.goto(`${env.base}/liste/1`);
  assert.match(await page.textContent('#list-title'), /Protezione civile/);
  await inspect(page, 'addressbook-list-desk');
  await page.close();
});
