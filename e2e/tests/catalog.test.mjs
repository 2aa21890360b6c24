// The service catalogue in a real browser: the catalogue page, a service card with a quote
// explained line by line, agreements (no agreement, no charge; signing one), editing a card,
// and what a contact sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

async function openEntity(page, name) {
  await page.goto(`${env.base}/entities?q=${encodeURIComponent(name)}`);
  await page.click(`text=${name}`);
  await page.waitForSelector('#entity-name');
}

async function quote(page, code, entity, quantity, activation, year) {
  await page.goto(`${env.base}/catalog/${code}`);
  await page.selectOption('#entity_id', { label: entity });
  await page.fill('#quantity', String(quantity));
  await page.fill('#activation_date', activation);
  await page.fill('#year', String(year));
  await page.click('#quote-form button[type=submit]');
  await page.waitForSelector('#quote-amount, #quote-error');
}

test('the catalogue lists the 20 Padova services by category, with their fees', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.click('#nav-servizi');
  await page.click('a.dropdown-item:has-text("Catalogo dei servizi")');
  await page.waitForSelector('h1:has-text("Catalogo dei servizi")');
  assert.equal(await page.locator('tr[id^=service-PD]').count(), 20);
  assert.match(await page.textContent('#service-PD06'), /€ 2\.000,00 una tantum/);
  assert.match(await page.textContent('#service-PD06'), /€ 150,00 all'anno dal 2° anno/);
  assert.match(await page.textContent('#service-PD03'), /entro 7 giorni lavorativi/);
  await shot(page, '15-catalogue');

  await page.click('#nav-servizi');
  await page.click('a.dropdown-item:has-text("Listini")');
  await page.waitForSelector('#price-list-table');
  assert.match(await page.textContent('#price-list-table'), /Padova.*in vigore/s);
  await page.close();
});

test('a service card gives a quote line by line, only for entities with an agreement', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/catalog`);
  await page.click('#service-PD09 a');
  await page.waitForSelector('#service-name');
  assert.match(await page.textContent('#service-description'), /Clavis NG/);
  assert.match(await page.textContent('#service-fees'), /€ 265,00 per utente una tantum/);

  const year = new Date().getFullYear();
  await quote(page, 'PD09', 'Comune di Padova', 3, `${year}-03-01`, year + 1);
  assert.equal(await page.textContent('#quote-amount'), '€ 600,00');
  assert.match(await page.textContent('#quote-lines'), /3 utenti × € 200,00 = € 600,00/);
  await shot(page, '16-service-card-quote');

  // Cadoneghe's agreement is only a draft in the demo data: it cannot be charged.
  await quote(page, 'PD09', 'Comune di Cadoneghe', 3, `${year}-03-01`, year);
  assert.match(await page.textContent('#quote-error'), /convenzione in vigore/i);

  // Sign it on the entity's page; then the quote goes through.
  await openEntity(page, 'Comune di Cadoneghe');
  assert.match(await page.textContent('#agreement-list'), /Bozza/);
  await page.click('#agreement-list button:has-text("Firma")');
  await page.waitForSelector('#agreement-list .agreement-active, #agreement-list .agreement-expiring');
  await shot(page, '17-entity-agreements');
  await quote(page, 'PD09', 'Comune di Cadoneghe', 3, `${year}-03-01`, year);
  assert.equal(await page.textContent('#quote-amount'), '€ 795,00');

  // A bad quantity is refused with the reason, not computed.
  await quote(page, 'PD09', 'Comune di Padova', -1, `${year}-03-01`, year);
  assert.match(await page.textContent('#quote-error'), /Quantità non valida/);
  await page.close();
});

test('the membership fee of an entity can be shown for any year', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'operatore', 'cst-demo-operatore');
  await openEntity(page, 'Comune di Cadoneghe');
  const next = new Date().getFullYear() + 1;
  await page.fill('#anno', String(next));
  await page.click('#fee-year-form button');
  await page.waitForSelector(`#quota:has-text("${next}")`);
  assert.match(await page.textContent('#fee-amount'), /^€ [\d.]+,\d\d$/);
  await page.close();
});

test('an administrator edits a service card; wrong input is refused with the reason', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/catalog/PD20/edit`);
  await page.fill('#delivery_days', 'molti');
  await page.click('#service-form button[type=submit]');
  await page.waitForSelector('#form-message');
  assert.match(await page.textContent('#delivery_days-error'), /numero di giorni/);
  await page.fill('#delivery_days', '30');
  await page.selectOption('#delivery_day_kind', 'calendar');
  await Promise.all([page.waitForURL(`${env.base}/catalog/PD20`), page.click('#service-form button[type=submit]')]);
  assert.equal(await page.textContent('#delivery-time'), 'entro 30 giorni di calendario');
  await page.close();
});

test('a contact sees the catalogue and quotes only for their own entities', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/catalog/PD13`);
  const options = await page.locator('#entity_id option').allTextContents();
  assert.deepEqual(options.sort(), ['Comune di Abano Terme', 'Comune di Padova']);
  assert.equal(await page.locator('a:has-text("Modifica")').count(), 0);
  const year = new Date().getFullYear();
  await quote(page, 'PD13', 'Comune di Abano Terme', 12, `${year}-01-10`, year);
  assert.equal(await page.textContent('#quote-amount'), '€ 180,00');
  await page.close();
});

test('an administrator edits next year\'s price list in JSON while nothing has used it, and adds the one after', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  const next = new Date().getFullYear() + 1;
  // The demo's next-year list, not used yet: raise PD09's yearly fee from € 200 to € 220.
  await page.goto(`${env.base}/price-lists`);
  await Promise.all([page.waitForLoadState(), page.click(`#price-list-table a:has-text("Listino ${next}")`)]);
  assert.match(await page.textContent('#price-list-state'), /non ancora usato/);
  await page.click('#price-list-json summary');
  const items = JSON.parse(await page.inputValue('#items_json'));
  const pd09 = items.find((i) => i.service === 'PD09' && i.code === 'postazione');
  pd09.components[1].price.amount = '220.00';

  // A wrong edit is refused with the reason and changes nothing.
  await page.fill('#items_json', '[{"service": "PD09"}]');
  await page.click('#price-list-edit button[type=submit]');
  await page.waitForSelector('#form-message');
  assert.match(await page.textContent('#form-message'), /Le voci in JSON: un campo o un valore non va bene/);
  await page.fill('#name', `Listino ${next} (rivisto)`);
  await page.fill('#items_json', JSON.stringify(items));
  await page.click('#price-list-edit button[type=submit]');
  await page.waitForSelector(`h1:has-text("Listino ${next} (rivisto)")`);

  // The list after it: created as a copy, and the page says which list it closed.
  await page.goto(`${env.base}/price-lists`);
  await page.fill('#name', `Listino ${next + 1}`);
  await page.fill('#valid_from', `${next + 1}-01-01`);
  await Promise.all([page.waitForLoadState(), page.click('#price-list-form button[type=submit]')]);
  assert.match(await page.textContent('#price-list-saved'), new RegExp(`ora vale fino al 31/12/${next}`));

  await page.goto(`${env.base}/price-lists`);
  assert.match(await page.textContent('#price-list-table'), new RegExp(`al 31/12/${next - 1}`));
  await shot(page, '18-price-lists');
  // Next year's quote reads the new list.
  await quote(page, 'PD09', 'Comune di Padova', 3, `${next - 1}-03-01`, next);
  assert.equal(await page.textContent('#quote-amount'), '€ 660,00');
  await page.close();
});
