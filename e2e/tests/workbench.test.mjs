// The daily workbench, as each of the centre's people meets it: the contact on a phone, the
// operator at the desk, and every page of every role at both widths, checked by axe-core and
// for width (nothing wider than the screen), with a screenshot of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

test('the contact, on a phone, finds the request waiting for them and answers it', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  // The home: their requests, the one waiting for their answer first.
  const first = page.locator('#card-requests li').first();
  assert.match(await first.textContent(), /aspetta la tua risposta/);
  assert.ok(await page.isVisible('#card-requests-button'), 'a "Nuova richiesta" button');
  assert.ok(await page.isVisible('#card-fee'));
  // The menu: on a phone a toggler opens Bootstrap Italia's off-canvas menu.
  assert.equal(await page.isVisible('#nav-assistenza'), false, 'the menu is folded away');
  await page.click('#menu-toggle');
  await page.waitForSelector('#nav-assistenza', { state: 'visible' });
  await inspect(page, 'wb-contact-phone-menu');
  await page.click('.close-menu');
  await page.waitForSelector('#nav-assistenza', { state: 'hidden' });
  await first.locator('a').click();
  await page.waitForSelector('#ticket-subject');
  await page.fill('#body', 'Il numero di serie è ABX-4471, postazione ANAG-03.');
  await page.click('#reply-form button[type=submit]');
  await page.waitForSelector('#ticket-saved');
  assert.match(await page.textContent('#ticket-saved'), /Messaggio inviato/);
  assert.equal((await page.textContent('#ticket-state')).trim(), 'In lavorazione', 'the answer resumes the work');
  await inspect(page, 'wb-contact-phone-ticket');
  await page.close();
});

test('the operator filters the queue, sorts it, and assigns tickets several at once', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'operatore', 'cst-demo-operatore');
  // Each card of the home leads to the filtered queue.
  await page.click('#card-todo a:has-text("Non assegnati")');
  await page.waitForURL(/\/tickets\?operatore=nessuno$/);
  assert.equal(await page.inputValue('#f-operatore'), 'nessuno');
  const unassigned = await page.locator('#ticket-table tbody tr').count();
  assert.ok(unassigned > 1, `several unassigned tickets (${unassigned})`);
  // A filter changes the list in place (htmx) and the address with it.
  await page.selectOption('#f-priorita', 'medium');
  await page.waitForURL(/priorita=medium/);
  await page.waitForFunction(() => [...document.querySelectorAll('#ticket-table tbody .badge[class*=priority-]')].every((b) => b.textContent === 'Media'));
  // Search by subject.
  await page.fill('#q', 'posta');
  await page.waitForURL(/q=posta/);
  await page.waitForFunction(() => [...document.querySelectorAll('#ticket-table tbody a.subject-link')].every((a) => /posta/i.test(a.textContent)));
  // Back: the previous filter again.
  await page.goBack();
  await page.waitForFunction(() => !location.search.includes('q=posta'));
  // Sort by deadline, then the other way round.
  await page.goto(`${env.base}/tickets`);
  await page.click('th a:has-text("Presa in carico entro")');
  await page.waitForURL(/ordine=due/);
  assert.equal(await page.getAttribute('th:has(a:has-text("Presa in carico entro"))', 'aria-sort'), 'ascending');
  await page.click('th a:has-text("Presa in carico entro")');
  await page.waitForURL(/inverso=1/);
  assert.equal(await page.getAttribute('th:has(a:has-text("Presa in carico entro"))', 'aria-sort'), 'descending');
  // Assign two unassigned tickets to oneself at once.
  await page.goto(`${env.base}/tickets?operatore=nessuno`);
  const rows = page.locator('#ticket-table tbody tr');
  const numbers = [await rows.nth(0).locator('td.mono').textContent(), await rows.nth(1).locator('td.mono').textContent()];
  await rows.nth(0).locator('input.row-select').check();
  await rows.nth(1).locator('input.row-select').check();
  await page.selectOption('#bulk-action', 'assign');
  await page.selectOption('#bulk-operator', { label: 'Davide Rizzo' });
  await page.click('#bulk-apply');
  await page.waitForSelector('#queue-saved');
  assert.match(await page.textContent('#queue-saved'), /2 ticket assegnati a Davide Rizzo/);
  await page.goto(`${env.base}/tickets?operatore=io`);
  const mine = await page.textContent('#ticket-table');
  for (const n of numbers) assert.ok(mine.includes(n.trim()), `${n} is now in "Il mio lavoro"`);
  // Reclassifying a ticket confirms what changed.
  await page.click(`#ticket-table a:has-text("${numbers[0].trim()}")`);
  const to = (await page.inputValue('#priority')) === 'high' ? 'low' : 'high';
  await page.selectOption('#priority', to);
  await page.click('#priority-form button');
  await page.waitForSelector('#ticket-saved');
  assert.match(await page.textContent('#ticket-saved'), /Priorità cambiata da (media|bassa|alta) (ad alta|a bassa): presa in carico entro il \d\d\/\d\d\/\d{4}/);
  // Take charge, then resolve: a note for the requester is required, and the story tells it all.
  await page.click('#take-charge');
  await page.waitForSelector('#ticket-saved:has-text("preso in carico")');
  await page.click('#resolve summary');
  await page.click('#resolve-submit');
  await page.waitForSelector('#ticket-error');
  assert.match(await page.textContent('#ticket-error'), /nota di risoluzione/);
  assert.ok(await page.isVisible('#note'), 'the form stays open with the refusal');
  await page.fill('#note', 'Sostituito il cavo di rete della postazione: la posta parte di nuovo.');
  await page.click('#resolve-submit');
  await page.waitForSelector('#ticket-saved');
  assert.equal((await page.textContent('#ticket-state')).trim(), 'Risolto');
  const story = await page.textContent('#thread');
  const order = ['Richiesta ricevuta', 'Assegnata a Davide Rizzo', 'Priorità cambiata', 'Presa in carico', 'Sostituito il cavo di rete', 'Risolta'];
  let from = 0;
  for (const x of order) {
    const at = story.indexOf(x, from);
    assert.ok(at >= from, `«${x}» in order in the story: ${story}`);
    from = at;
  }
  await inspect(page, 'wb-operator-desk-ticket-story');
  await page.close();
});

test('the administrator terminates an agreement through its confirmation, on a phone', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/entities?q=028001`);
  await page.click('#entity-table a:has-text("Comune di Abano Terme")');
  const item = page.locator('#agreement-list li').first();
  // Without a date: said what is missing, nothing ended.
  await item.locator('button:has-text("Cessa")').click();
  await page.waitForSelector('#agreement-error');
  assert.match(await page.textContent('#agreement-error'), /ultimo giorno/);
  await page.locator('#agreement-list li').first().locator('input[type=date]').fill('2026-12-31');
  await page.locator('#agreement-list li').first().locator('button:has-text("Cessa")').click();
  await page.waitForSelector('#confirm-question');
  assert.match(await page.textContent('#confirm-question'), /Cessare la convenzione n\. .* del Comune di Abano Terme\?/);
  assert.match(await page.textContent('#confirm-consequences'), /Dal 01\/01\/2027 all'ente non si potranno addebitare servizi/);
  await inspect(page, 'wb-admin-phone-confirm-termination');
  // "Annulla" leads back with nothing changed.
  await page.click('#confirm-no');
  await page.waitForSelector('#agreement-list');
  assert.doesNotMatch(await page.textContent('#agreement-list'), /Cessata/);
  await page.locator('#agreement-list li').first().locator('input[type=date]').fill('2026-12-31');
  await page.locator('#agreement-list li').first().locator('button:has-text("Cessa")').click();
  await page.fill('#confirm-note', 'Recesso deliberato dalla giunta');
  await page.click('#confirm-yes');
  await page.waitForSelector('#entity-saved');
  assert.match(await page.textContent('#entity-saved'), /Convenzione cessata: in vigore fino al 31\/12\/2026/);
  assert.match(await page.textContent('#agreement-list'), /Cessata/);
  await page.close();
});

test('the administrator edits a price list item by form and sees the preview', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  // The demo's next-year list is not used yet: it is the one to edit.
  await page.goto(`${env.base}/price-lists`);
  await Promise.all([page.waitForLoadState(), page.locator('main table a', { hasText: /^Listino \d{4}$/ }).click()]);
  await Promise.all([page.waitForLoadState(), page.click('a[href$="/items/13"]')]);
  assert.equal(await page.inputValue('#c0_amount'), '265,00');
  // Only the fields of the chosen price show: a per-user price has no bands.
  assert.equal(await page.isVisible('#c0_unit'), true);
  assert.equal(await page.isVisible('#c0_block'), false);
  await page.selectOption('#c0_kind', 'flat');
  assert.equal(await page.isVisible('#c0_unit'), false);
  await page.selectOption('#c0_kind', 'per_unit');
  // The preview follows what is typed.
  await page.fill('#anteprima_quantita', '3');
  await page.fill('#c0_amount', '300,00');
  await page.waitForFunction(() => document.querySelector('#item-preview').textContent.includes('3 utenti × € 300,00 = € 900,00'));
  assert.equal((await page.locator('#item-preview .preview-entity').count()), 3);
  await page.fill('#c0_amount', 'trecento');
  await page.waitForSelector('#preview-error');
  assert.match(await page.textContent('#preview-error'), /«trecento» non è un importo/);
  await page.fill('#c0_amount', '300,00');
  await page.waitForSelector('.preview-amount');
  await inspect(page, 'wb-admin-desk-price-item-form');
  await Promise.all([page.waitForLoadState(), page.click('#item-save')]);
  await page.waitForSelector('#price-list-saved');
  assert.match(await page.textContent('#price-list-saved'), /Voce PD09 .* salvata/);
  assert.match(await page.textContent('#price-list-items'), /€ 300,00 per utente una tantum/);
  // The membership fee by form: a per-inhabitant rate, every member's fee and the total.
  await page.goto(`${env.base}/membership-fee`);
  const before = await page.textContent('#fee-preview-total');
  await page.selectOption('#model', 'per_inhabitant');
  assert.equal(await page.isVisible('#rate'), true);
  assert.equal(await page.isVisible('#fixed_costs'), false);
  await page.fill('#rate', '0,50');
  await page.waitForFunction((b) => document.querySelector('#fee-preview-total')?.textContent !== b, before);
  assert.match(await page.textContent('#fee-preview-total'), /Nel \d{4}: € [\d.]+,\d\d da \d+ enti; \d+ enti senza quota \(vedi sotto\)\./);
  await inspect(page, 'wb-admin-desk-membership-form');
  // This year's fees change: it asks first.
  await Promise.all([page.waitForLoadState(), page.click('#rule-save')]);
  assert.match(await page.textContent('#confirm-question'), /Cambiare la quota associativa dal \d{4}\?/);
  await inspect(page, 'wb-admin-desk-confirm-membership');
  await Promise.all([page.waitForLoadState(), page.click('#confirm-yes')]);
  assert.match(await page.textContent('#rule-saved'), /€ 0,50 per abitante/);
  await page.close();
});

test('the administrator closes a price list through its confirmation and reopens it, on a phone', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/price-lists`);
  await Promise.all([page.waitForLoadState(), page.locator('main table a', { hasText: /^Listino \d{4}$/ }).click()]);
  await page.fill('#end_valid_to', '2027-12-31');
  await Promise.all([page.waitForLoadState(), page.click('#price-list-close')]);
  assert.match(await page.textContent('#confirm-question'), /Chiudere il listino .* il 31\/12\/2027\?/);
  assert.match(await page.textContent('#confirm-consequences'), /Dal 01\/01\/2028 questo listino non darà più prezzi/);
  await inspect(page, 'wb-admin-phone-confirm-price-list-close');
  await Promise.all([page.waitForLoadState(), page.click('#confirm-yes')]);
  assert.match(await page.textContent('#price-list-saved'), /Listino chiuso: vale fino al 31\/12\/2027/);
  await Promise.all([page.waitForLoadState(), page.click('#price-list-reopen button')]);
  assert.match(await page.textContent('#price-list-saved'), /Listino riaperto/);
  await page.close();
});

/// Every page of each role, at both widths: nothing wider than the screen, axe-clean.
const pages = {
  admin: ['/', '/tickets', '/tickets?stato=tutti&ordine=due', 'first:/tickets a.subject-link', '/tickets/new',
    '/entities', 'first:/entities?q=028060 #entity-table tbody a', '/entities/new', '/catalog', '/catalog/PD01',
    '/price-lists', 'first:/price-lists main table a', '/price-lists/2/items/36', '/price-lists/2/items/nuova', '/quotes',
    '/membership-fee', '/users', '/users?ruolo=contact', '/users/new',
    'first:/users a[href$="/edit"]', '/audit', '/jobs', '/import', '/helpdesk/mail', '/helpdesk/settings',
    '/reports/sla', '/phases', '/non-esiste'],
  operatore: ['/', '/tickets?operatore=io', '/phases', 'first:/phases #phase-table a', '/reports/sla'],
  referente: ['/', '/tickets', '/tickets/new', 'first:/tickets a.subject-link', '/entities',
    'first:/entities #entity-table tbody a', '/catalog', '/price-lists', '/quotes'],
  fornitore: ['/', '/phases', 'first:/phases #phase-table a', '/entities', '/catalog'],
};

for (const [user, paths] of Object.entries(pages)) {
  test(`every page of ${user} works on a phone and at the desk`, async () => {
    for (const [width, viewport] of [['desk', DESK], ['phone', PHONE]]) {
      const page = await pageAt(env.browser, viewport);
      await login(page, env.base, user, `cst-demo-${user}`);
      for (const p of paths) {
        let name = p;
        if (p.startsWith('first:')) {
          const [, list, selector] = p.match(/^first:(\S+) (.+)$/);
          await page.goto(env.base + list);
          await Promise.all([page.waitForLoadState(), page.locator(selector).first().click()]);
          name = `${list}-detail`;
        } else {
          await page.goto(env.base + p);
        }
        await inspect(page, `wb-${user}-${width}${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}`);
      }
      await page.close();
    }
  });
}
