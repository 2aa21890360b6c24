// Delivery in a real browser: a contact on a phone asks for a service from its card and sees the
// quote before sending; staff at the desk approve it and record the activation; the entity's page
// lists the service; every page of the flow at both widths, axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

test('a contact asks for a service on a phone; staff approve and deliver it', async () => {
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'referente', 'cst-demo-referente');
  await phone.goto(`${env.base}/catalog/PD09`);
  await Promise.all([phone.waitForLoadState(), phone.click('#request-service')]);
  await phone.selectOption('#ente', { label: 'Comune di Abano Terme' });
  await phone.fill('#quantita', 'tre');
  await Promise.all([phone.waitForLoadState(), phone.click('#request-quote-button')]);
  assert.match(await phone.textContent('#quantita-error'), /«tre» non è un numero intero/);
  await phone.fill('#quantita', '3');
  await phone.fill('#note', 'Postazioni per la sala studio');
  await Promise.all([phone.waitForLoadState(), phone.click('#request-quote-button')]);
  assert.match(await phone.textContent('#request-quote'), /Preventivo: € [\d.]+,\d\d/);
  await inspect(phone, 'dl-contact-phone-request-quote');
  await Promise.all([phone.waitForLoadState(), phone.click('#request-send')]);
  assert.match(await phone.textContent('#request-saved'), /Richiesta n\. \d+ inviata/);
  const url = phone.url();
  await inspect(phone, 'dl-contact-phone-request-sent');
  await phone.goto(`${env.base}/`);
  assert.match(await phone.textContent('#card-activations'), /inviata/);
  await phone.close();

  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/`);
  assert.match(await desk.textContent('#card-activations'), /da approvare/);
  await desk.goto(url);
  await Promise.all([desk.waitForLoadState(), desk.click('#request-approve')]);
  assert.match(await desk.textContent('#request-saved'), /Richiesta approvata/);
  await desk.fill('#data', '2026-12-01');
  await Promise.all([desk.waitForLoadState(), desk.click('#request-deliver button')]);
  assert.match(await desk.textContent('#request-saved'), /Servizio attivato dal 01\/12\/2026/);
  await inspect(desk, 'dl-admin-desk-request-delivered');
  await desk.click('main a:has-text("Comune di Abano Terme")');
  await desk.waitForSelector('#active-services');
  assert.match(await desk.textContent('#active-services'), /PD09.*dal 01\/12\/2026/s);
  await desk.close();
});

test('a technician logs work on a package on a phone; the contact sees the balance and acknowledges it', async () => {
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'operatore', 'cst-demo-operatore');
  await phone.goto(`${env.base}/entities?q=028001`);
  await Promise.all([phone.waitForLoadState(), phone.click('#entity-table a:has-text("Comune di Abano Terme")')]);
  await Promise.all([phone.waitForLoadState(), phone.locator('#package-list a').first().click()]);
  assert.match(await phone.textContent('#package-balance'), /0,50 giornate usate su 5,00/);
  await phone.fill('#ore', '2');
  await phone.fill('#minuti', '30');
  await phone.selectOption('#modo', 'remote');
  await phone.fill('#descrizione', 'Configurazione della VPN per il telelavoro');
  await Promise.all([phone.waitForLoadState(), phone.click('#report-save')]);
  assert.match(await phone.textContent('#package-saved'), /2 h 30 min da remoto; usate 0,81 giornate su 5,00/);
  await inspect(phone, 'dl-operator-phone-package');
  const url = phone.url();
  await phone.close();

  const contact = await pageAt(env.browser, PHONE);
  await login(contact, env.base, 'referente', 'cst-demo-referente');
  await contact.goto(url);
  assert.match(await contact.textContent('#package-balance'), /0,81 giornate usate su 5,00 · restano 4,19/);
  await Promise.all([contact.waitForLoadState(), contact.locator('#report-list button:has-text("Presa visione")').first().click()]);
  assert.match(await contact.textContent('#package-saved'), /Presa visione registrata/);
  await inspect(contact, 'dl-contact-phone-package');
  await contact.close();
});

test('staff send a custom quote at the desk; the contact approves it on a phone; work starts', async () => {
  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/entities?q=028001`);
  await Promise.all([desk.waitForLoadState(), desk.click('#entity-table a:has-text("Comune di Abano Terme")')]);
  await desk.click('#project-new summary');
  await desk.fill('#pj-titolo', 'Nuovo sito della biblioteca');
  await desk.fill('#pj-descrizione', 'Analisi dei contenuti, grafica e messa in linea');
  await Promise.all([desk.waitForLoadState(), desk.click('#project-new button[type=submit]')]);
  assert.match(await desk.textContent('#project-saved'), /Progetto registrato/);
  await desk.fill('#testo0', 'Analisi e sviluppo');
  await desk.fill('#giornate0', '2,5');
  await desk.fill('#tariffa0', '393,00');
  await desk.fill('#testo1', 'Licenze');
  await desk.fill('#importo1', 'centocinquanta');
  await Promise.all([desk.waitForLoadState(), desk.click('#quote-send')]);
  assert.match(await desk.textContent('#project-error'), /Riga 2: giornate .* e importi .* vanno scritti come numeri/);
  assert.equal(await desk.inputValue('#giornate0'), '2,5', 'what was typed stays');
  await desk.fill('#importo1', '150,00');
  await Promise.all([desk.waitForLoadState(), desk.click('#quote-send')]);
  assert.match(await desk.textContent('#project-saved'), /versione 1, € 1\.132,50/);
  await inspect(desk, 'dl-admin-desk-project-quote');
  const url = desk.url();

  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'referente', 'cst-demo-referente');
  await phone.goto(url);
  assert.match(await phone.textContent('#quote-total'), /€ 1\.132,50/);
  await inspect(phone, 'dl-contact-phone-project');
  await Promise.all([phone.waitForLoadState(), phone.click('#project-approve')]);
  assert.match(await phone.textContent('#confirm-question'), /Approvare il preventivo di € 1\.132,50\?/);
  await inspect(phone, 'dl-contact-phone-project-confirm');
  await Promise.all([phone.waitForLoadState(), phone.click('#confirm-yes')]);
  assert.match(await phone.textContent('#project-saved'), /Preventivo approvato/);
  assert.match(await phone.textContent('#project-decision'), /Approvato da .* \(versione 1 del preventivo\)/);
  await phone.close();

  await desk.goto(url);
  await desk.click('#work-new summary');
  await desk.fill('#w-ore', '2');
  await desk.fill('#w-descrizione', 'Analisi dei contenuti con la biblioteca');
  await Promise.all([desk.waitForLoadState(), desk.click('#work-save')]);
  assert.match(await desk.textContent('#work-saved'), /Intervento registrato/);
  const pdf = await desk.locator('#work-list a:has-text("Stampa (PDF)")').first().getAttribute('href');
  const r = await desk.request.get(env.base + pdf);
  assert.equal(r.headers()['content-type'], 'application/pdf');
  assert.equal((await r.body()).subarray(0, 5).toString(), '%PDF-');
  await inspect(desk, 'dl-admin-desk-project-work');
  await desk.close();
});

const pages = {
  admin: ['/requests', '/requests?stato=tutte', '/requests/new', 'first:/requests #request-table tbody a'],
  referente: ['/requests', '/requests/new?servizio=PD11', 'first:/requests #request-table tbody a',
    'first:/entities?q=028001 #entity-table tbody a'],
};

for (const [user, paths] of Object.entries(pages)) {
  test(`the request pages of ${user} work on a phone and at the desk`, async () => {
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
        await inspect(page, `dl-${user}-${width}${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}`);
      }
      await page.close();
    }
  });
}
