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

const pages = {
  admin: ['/requests', '/requests?stato=tutte', '/requests/new', 'first:/requests #request-table tbody a'],
  referente: ['/requests', '/requests/new?servizio=PD11', 'first:/requests #request-table tbody a'],
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
