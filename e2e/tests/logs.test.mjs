// Issue 13 in a real browser: Padova's titolare (the demo's contact) reviews the system
// administrators' accesses on a phone and at a desk — filtered by administrator, the CSV of
// the filtered list, the raw messages' search —, names an administrator (a wrong one is refused
// keeping what was typed), and signs off the yearly check; every page checked by axe-core and
// for width at both sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

async function openLogs(page) {
  await page.goto(`${env.base}/entities?q=Padova`);
  await page.click('#entity-table a:text-is("Comune di Padova")');
  await page.click('#entity-logs');
  await page.waitForSelector('#access-table');
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`the titolare reviews the administrators' accesses (${size})`, async () => {
    const page = await pageAt(env.browser, viewport);
    await login(page, env.base, 'referente', 'cst-demo-referente');
    await openLogs(page);
    assert.match(await page.textContent('h1'), /Registro degli accessi degli amministratori/);
    assert.match(await page.textContent('#compliance'), /365 giorni/);
    await inspect(page, `logs-review-${size}`);

    // Only the named administrator's accesses: the list changes in place.
    await page.selectOption('#f-admin', { label: 'Marco Galli' });
    await page.click('#filter-access');
    await page.waitForURL(/amministratore=\d+/);
    await page.waitForFunction(() => [...document.querySelectorAll('#access-table tbody tr td:nth-child(2) .mono')]
      .every((e) => e.textContent === 'mgalli'));
    const summary = await page.textContent('#access-list-summary');
    assert.match(summary, /\d+ accessi/);
    await page.selectOption('#f-esito', 'fallito');
    await page.click('#filter-access');
    await page.waitForURL(/esito=fallito/);
    await page.waitForFunction(() => [...document.querySelectorAll('#access-table tbody .badge')].every((b) => b.textContent === 'Fallito'));
    const csv = await page.getAttribute('#access-list-csv', 'href');
    assert.match(csv, /logs\.csv\?.*esito=fallito/);
    await inspect(page, `logs-filtered-${size}`);

    // The raw messages.
    await page.click('#search-messages');
    await page.fill('#m-testo', 'systemctl');
    await page.click('form[role=search] button[type=submit]');
    await page.waitForURL(/testo=systemctl/);
    assert.match(await page.textContent('#message-list-summary'), /10 messaggi/);
    await inspect(page, `logs-messages-${size}`);
    await page.close();
  });
}

test('the titolare names an administrator and signs off the check', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await openLogs(page);
  await page.click('#admin-new summary');
  await page.fill('#a-nome', 'Anna Bianchi');
  // More accounts than one person has: refused, with the reason.
  await page.fill('#a-account', Array.from({ length: 21 }, (_, i) => `a${i}`).join(', '));
  await page.click('#admin-add');
  await page.waitForSelector('#admin-error');
  assert.match(await page.textContent('#admin-error'), /Al massimo 20 account/);
  assert.equal(await page.inputValue('#a-nome'), 'Anna Bianchi', 'what was typed is back');
  await page.fill('#a-account', 'abianchi, PADOVA\\abianchi');
  await page.click('#admin-add');
  await page.waitForSelector('#admin-saved');
  assert.match(await page.textContent('#admin-list'), /Anna Bianchi/);

  // The check: the declaration is required by the browser too.
  assert.match(await page.textContent('#review-due'), /Non è ancora stata registrata nessuna verifica/);
  await page.fill('#v-note', 'Controllati gli accessi di Marco Galli: i tentativi falliti sono suoi errori di digitazione.');
  await page.click('label[for=v-dichiaro]');
  await page.click('#review-sign');
  await page.waitForSelector('#review-saved');
  assert.match(await page.textContent('#review-saved'), /firmata \(\d+ accessi degli amministratori, \d+ falliti\)/);
  assert.match(await page.textContent('#review-list'), /Giulia Bernardi \(referente\), titolare del trattamento/);
  assert.equal(await page.isVisible('#review-due'), false);
  await inspect(page, 'logs-review-signed-phone');
  await page.close();
});
