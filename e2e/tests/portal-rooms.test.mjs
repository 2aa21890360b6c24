// Issue 14 in a real browser, the rooms and the entity's own pages: a citizen asks for the
// council hall (refused when the end comes before the start, what was typed kept), then
// withdraws the request; the entity's contact reads the front desk's day, rejects a request
// after a confirmation, is refused a timetable without days and a retention of 0 days, and reads
// the calls for tender; every page checked by axe-core and for width, on a phone and at a desk.
// A file of its own: its own server, so the public forms' brake per address starts afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

async function padovaId() {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  await page.goto(`${env.base}/entities?q=Padova`);
  const href = await page.getAttribute('#entity-table a:text-is("Comune di Padova")', 'href');
  await page.close();
  return href.split('/').pop();
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`a citizen asks for the council hall and withdraws the request (${size})`, async () => {
    const id = await padovaId();
    const page = await pageAt(env.browser, viewport);
    await page.goto(`${env.base}/p/${id}`);
    await page.click(`a[href="/p/${id}/sale"]`);
    await page.waitForSelector('a:text("Sala consiliare")');
    assert.match(await page.textContent('main'), /80 posti/);
    await inspect(page, `portal-rooms-${size}`);
    await page.click('a:text("Sala consiliare")');
    await page.waitForSelector('#ore');
    // A day ten days ahead, each run its own evening hours.
    const day = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
    await page.fill('#giorno-scelto', day);
    await Promise.all([page.waitForURL(/giorno=/), page.click('button:text("Mostra")')]);
    const [from, to] = size === 'phone' ? ['9', '11'] : ['11', '13'];
    await page.selectOption('#dalle', from);
    await page.selectOption('#alle', from);
    await page.fill('#nome', `Franco Rizzo ${size}`);
    await page.fill('#email', 'franco.rizzo@example.org');
    await page.fill('#uso', 'Assemblea del comitato di quartiere');
    await page.click('label[for=consenso]');
    // The end before the start: refused, what was typed stays.
    await page.click('button:text("Invia la richiesta")');
    await page.waitForSelector('#errori');
    assert.match(await page.textContent('#errori'), /fine deve venire dopo/);
    assert.equal(await page.inputValue('#uso'), 'Assemblea del comitato di quartiere');
    await inspect(page, `portal-room-refused-${size}`);
    await page.selectOption('#alle', to);
    // The notice stays ticked on the refused form.
    assert.ok(await page.isChecked('#consenso'));
    await Promise.all([page.waitForURL(/\/sale-prenotazioni\/\d+\/[0-9a-f]+\?nuova=1/), page.click('button:text("Invia la richiesta")')]);
    assert.match(await page.textContent('#esito'), /Richiesta inviata/);
    assert.match(await page.textContent('#stato'), /in attesa di approvazione/);
    await inspect(page, `portal-room-booking-${size}`);
    await page.click('button:text("Ritira la richiesta")');
    await page.waitForSelector('#stato');
    assert.match(await page.textContent('#stato'), /annullata/);
    await page.close();
  });
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`the entity's contact runs the front desk, the portal's settings and its calls (${size})`, async () => {
    const page = await pageAt(env.browser, viewport);
    await login(page, env.base, 'referente', 'cst-demo-referente');
    await page.goto(`${env.base}/entities?q=Padova`);
    await page.click('#entity-table a:text-is("Comune di Padova")');
    await page.click('#entity-desk');
    await page.waitForSelector('#desk-offices');
    assert.match(await page.textContent('#desk-rooms'), /Sala consiliare/);
    await inspect(page, `portal-desk-${size}`);
    // The day of the demo's room bookings: the gym's evening, the hall's request.
    const day = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
    await page.fill('#d-giorno', day);
    await Promise.all([page.waitForURL(/giorno=/), page.click('button:text("Mostra")')]);
    assert.match(await page.textContent('#desk-rooms'), /ASD Pallavolo Padova/);
    if (size === 'phone') {
      // Rejecting asks first, with a note for the person.
      await page.click('#desk-requests button:text("Respingi…")');
      await page.waitForSelector('h1:text("Respingere la richiesta di Lucia Bertin?")');
      await inspect(page, `portal-desk-reject-${size}`);
      await page.fill('textarea', 'La sala è occupata dal consiglio comunale.');
      await page.click('button[type=submit]:text("Respingi la richiesta")');
      await page.waitForSelector('#desk-saved');
      assert.match(await page.textContent('#desk-saved'), /respinta/);
    }
    // A timetable without days: refused with the reason.
    await page.click('#desk-weekly summary');
    await page.fill('#w-ufficio', 'Tributi');
    await page.click('#weekly-publish');
    await page.waitForSelector('#desk-error');
    assert.match(await page.textContent('#desk-error'), /almeno un giorno/);

    await page.goto(page.url().replace(/sportello.*$/, 'portale'));
    await page.waitForSelector('#portal-settings');
    await page.fill('#p-conservazione', '0');
    await page.click('#portal-save');
    await page.waitForSelector('#portal-error');
    assert.match(await page.textContent('#portal-error'), /conservazione/);
    await inspect(page, `portal-settings-${size}`);

    await page.goto(page.url().replace(/portale$/, 'bandi'));
    await page.waitForSelector('#tender-list');
    await inspect(page, `portal-staff-tenders-${size}`);
    await page.click('a:text("Manutenzione ordinaria delle strade comunali 2027-2028")');
    await page.waitForSelector('#tender-corrections');
    assert.match(await page.textContent('#tender-corrections'), /Proroga di una settimana/);
    await inspect(page, `portal-staff-tender-${size}`);
    await page.close();
  });
}
