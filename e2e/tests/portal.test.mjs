// Issue 14 in a real browser: a citizen, without an account, finds Padova's events on its
// public pages, is refused when the privacy notice is not ticked (what was typed stays), signs
// up for a full event and lands on the waiting list, then cancels from the sign-up's own page;
// every page checked by axe-core and for width, on a phone and at a desk.
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
  test(`a citizen signs up for an event and cancels (${size})`, async () => {
    const id = await padovaId();
    const page = await pageAt(env.browser, viewport);
    await page.goto(`${env.base}/p/${id}`);
    assert.match(await page.textContent('.it-brand-title'), /Comune di Padova/);
    await inspect(page, `portal-home-${size}`);
    await page.click(`a[href="/p/${id}/eventi"]`);
    await page.waitForURL(/\/eventi$/);
    assert.match(await page.textContent('main'), /Posti disponibili: 114 su 120/);
    await inspect(page, `portal-events-${size}`);

    await page.click('a:text("Laboratorio di programmazione per ragazzi")');
    assert.match(await page.textContent('#posti'), /Al completo/);
    await page.fill('#nome', `Giorgia Ferro ${size}`);
    await page.fill('#email', 'giorgia.ferro@example.org');
    await page.selectOption('#posti-richiesti', '1');
    // Without the notice ticked: refused, and what was typed is still there.
    await page.click('button[type=submit]');
    await page.waitForSelector('#errori');
    assert.match(await page.textContent('#errori'), /informativa/);
    assert.equal(await page.inputValue('#nome'), `Giorgia Ferro ${size}`);
    await inspect(page, `portal-event-refused-${size}`);
    await page.click('label[for=consenso]');
    await Promise.all([page.waitForURL(/\/iscrizioni\/\d+\/[0-9a-f]+\?nuova=1/), page.click('button[type=submit]')]);
    assert.match(await page.textContent('#esito'), /lista d'attesa/);
    assert.match(await page.textContent('#stato'), /in lista d'attesa, al \dº posto/);
    await inspect(page, `portal-registration-${size}`);

    await page.click('button:text("Annulla l\'iscrizione")');
    await page.waitForSelector('#stato');
    assert.match(await page.textContent('#stato'), /annullata/);
    await inspect(page, `portal-cancelled-${size}`);
    await page.goto(`${env.base}/p/${id}/privacy`);
    await inspect(page, `portal-privacy-${size}`);
    await page.close();
  });
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`a citizen reads the calls for tender, their corrections and outcomes (${size})`, async () => {
    const id = await padovaId();
    const page = await pageAt(env.browser, viewport);
    await page.goto(`${env.base}/p/${id}`);
    await page.click(`a[href="/p/${id}/bandi"]`);
    await page.waitForSelector('#bandi');
    assert.match(await page.textContent('#bandi'), /Manutenzione ordinaria delle strade comunali 2027-2028/);
    assert.match(await page.textContent('#bandi'), /2 rettifiche/);
    await inspect(page, `portal-tenders-${size}`);
    await page.click('a:text("Manutenzione ordinaria delle strade comunali 2027-2028")');
    await page.waitForSelector('#rettifiche');
    assert.match(await page.textContent('#rettifiche'), /Proroga di una settimana/);
    assert.match(await page.textContent('#rettifiche'), /Scadenza: .* → /);
    assert.match(await page.textContent('#documenti'), /disciplinare di gara\.txt/);
    await inspect(page, `portal-tender-${size}`);
    await page.goto(`${env.base}/p/${id}/bandi?stato=esito`);
    await page.click('a:text("Servizio di pulizia degli uffici comunali")');
    assert.match(await page.textContent('#stato-bando'), /Scaduto con esito/);
    assert.match(await page.textContent('main'), /Aggiudicato a Servizi Euganei/);
    await inspect(page, `portal-tender-outcome-${size}`);
    await page.close();
  });
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`a citizen books an appointment with the Anagrafe and cancels it (${size})`, async () => {
    const id = await padovaId();
    const page = await pageAt(env.browser, viewport);
    await page.goto(`${env.base}/p/${id}`);
    await page.click(`a[href="/p/${id}/appuntamenti"]`);
    await page.waitForSelector('h2:text("Anagrafe")');
    assert.match(await page.textContent('main'), /Ufficio tecnico/);
    await inspect(page, `portal-appointments-${size}`);
    // The first free time of the Anagrafe.
    await page.click('section:has(h2:text("Anagrafe")) a.btn >> nth=0');
    await page.waitForSelector('#orario');
    await page.fill('#nome', `Marta Schiavon ${size}`);
    await page.fill('#email', 'marta@example.org');
    await page.fill('#motivo', "Rinnovo della carta d'identità elettronica");
    await page.click('button[type=submit]');
    await page.waitForSelector('#errori');
    assert.match(await page.textContent('#errori'), /informativa/);
    assert.equal(await page.inputValue('#motivo'), "Rinnovo della carta d'identità elettronica");
    await inspect(page, `portal-slot-refused-${size}`);
    await page.click('label[for=consenso]');
    await Promise.all([page.waitForURL(/\/prenotazioni\/\d+\/[0-9a-f]+\?nuova=1/), page.click('button[type=submit]')]);
    assert.match(await page.textContent('#esito'), /Appuntamento prenotato/);
    assert.match(await page.getAttribute('#ics', 'href'), /calendario\.ics$/);
    await inspect(page, `portal-booking-${size}`);
    await page.click('button:text("Annulla l\'appuntamento")');
    await page.waitForSelector('#stato');
    assert.match(await page.textContent('#stato'), /annullato/);
    await page.close();
  });
}

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`the entity's contact manages an event's sign-ups (${size})`, async () => {
    const page = await pageAt(env.browser, viewport);
    await login(page, env.base, 'referente', 'cst-demo-referente');
    await page.goto(`${env.base}/entities?q=Padova`);
    await page.click('#entity-table a:text-is("Comune di Padova")');
    await page.click('#entity-events');
    await page.waitForSelector('#event-list');
    // A new event with no seats: refused, what was typed stays.
    await page.click('#event-new summary');
    await page.fill('#e-titolo', `Incontro sul bilancio ${size}`);
    await page.fill('#e-data', '2027-02-10');
    await page.fill('#e-ora', '18:30');
    await page.fill('#e-posti', '0');
    await page.click('#event-create');
    await page.waitForSelector('#events-error');
    assert.match(await page.textContent('#events-error'), /posti/);
    assert.equal(await page.inputValue('#e-titolo'), `Incontro sul bilancio ${size}`);
    await inspect(page, `portal-staff-events-${size}`);
    await page.fill('#e-posti', '40');
    await page.click('#event-create');
    await page.waitForSelector('#event-saved');
    assert.match(await page.textContent('#event-seats'), /40 posti, 0 confermati/);

    // The full workshop: web and operator sign-ups in two colours.
    await page.goto(`${env.base}/entities?q=Padova`);
    await page.click('#entity-table a:text-is("Comune di Padova")');
    await page.click('#entity-events');
    await page.click('a:text("Laboratorio di programmazione per ragazzi")');
    await page.waitForSelector('#signup-list');
    assert.ok(await page.locator('#signup-list .badge.bg-primary').count() > 0);
    assert.ok(await page.locator('#signup-list .badge.bg-secondary').count() > 0);
    await page.fill('#r-nome', `Nonna Pina ${size}`);
    await page.fill('#r-email', 'pina@example.org');
    await page.click('#signup-add');
    await page.waitForSelector('#event-saved');
    assert.match(await page.textContent('#event-saved'), /in lista d'attesa/);
    await inspect(page, `portal-staff-event-${size}`);
    // Cancelling asks first (each run cancels a different person of the demo).
    const who = size === 'phone' ? 'Sara Pavan' : 'Luca Bortolami';
    await page.click(`#signup-list li:has-text("${who}") button`);
    await page.waitForSelector(`h1:text("Annullare l'iscrizione di ${who}?")`);
    await inspect(page, `portal-staff-cancel-${size}`);
    await page.click('button[type=submit]:text("Annulla l\'iscrizione")');
    await page.waitForSelector('#event-saved');
    assert.match(await page.textContent('#event-saved'), new RegExp(`${who} annullata`));
    await page.close();
  });
}
