// Issue 15's training courses in a real browser: the demo contact signs a colleague up for an
// open course on a phone (a third person of Padova waits for the limit of two), passes a seat
// to a colleague, withdraws one after the confirmation page; the staff open a course from the
// form, close a sign-up after its confirmation, record attendance and set an entity's entries;
// every page checked by axe-core and for width at 390 and 1366 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

async function courseLink(page, title) {
  await page.goto(`${env.base}/corsi`);
  await page.click(`#course-list a:has-text("${title}")`);
  await page.waitForSelector('#course-title');
}

test('a contact signs people up, passes a seat and withdraws one (phone)', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/corsi`);
  await page.waitForSelector('#course-list');
  await inspect(page, 'courses-phone');
  await courseLink(page, 'La firma digitale remota');
  // Only the contact's entities' people are shown.
  const people = await page.textContent('#enrolment-list');
  assert.match(people, /Chiara Zanella/);
  assert.doesNotMatch(people, /Luca Bortolami/);
  assert.match(people, /Francesca Boscolo\s*in attesa/);
  await inspect(page, 'course-contact-phone');
  // A new person of Abano: a seat.
  await page.selectOption('#i-ente', { label: 'Comune di Abano Terme' });
  await page.fill('#i-nome', 'Nadia Rossetto');
  await page.fill('#i-email', 'nadia.rossetto@example.org');
  await Promise.all([page.waitForNavigation(), page.click('#enrol-submit')]);
  assert.match(await page.textContent('#course-saved'), /Nadia Rossetto è iscritto al corso: posto assegnato/);
  // The same address again is refused, with the reason.
  await page.selectOption('#i-ente', { label: 'Comune di Abano Terme' });
  await page.fill('#i-nome', 'Nadia Rossetto');
  await page.fill('#i-email', 'nadia.rossetto@example.org');
  await Promise.all([page.waitForNavigation(), page.click('#enrol-submit')]);
  assert.match(await page.textContent('#course-error'), /già iscritto/);
  await inspect(page, 'course-contact-error-phone');
  // Chiara passes her seat to a colleague.
  const chiara = page.locator('.enrolment', { hasText: 'Chiara Zanella' });
  await chiara.locator('summary').click();
  await chiara.locator('input[name=nome]').fill('Matteo Baldan');
  await chiara.locator('input[name=email]').fill('matteo.baldan@example.org');
  await Promise.all([page.waitForNavigation(), chiara.locator('button:has-text("Passa il posto")').click()]);
  assert.match(await page.textContent('#course-saved'), /passato a Matteo Baldan/);
  // Davide withdraws, after the page that says what follows.
  const davide = page.locator('.enrolment', { hasText: 'Davide Gallo' });
  await Promise.all([page.waitForNavigation(), davide.locator('button:has-text("Ritira")').click()]);
  assert.match(await page.textContent('h1'), /Ritirare l'iscrizione di Davide Gallo/);
  await inspect(page, 'course-withdraw-confirm-phone');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Ritira l\'iscrizione")')]);
  assert.match(await page.textContent('#course-saved'), /Iscrizione di Davide Gallo ritirata/);
  // Padova's waiting person takes the seat freed.
  assert.match(await page.textContent('#enrolment-list'), /Francesca Boscolo\s*ammesso/);
  await page.close();
});

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`the staff open a course, close it, and read the entries (${size})`, async () => {
    const page = await pageAt(env.browser, viewport);
    await login(page, env.base, 'admin', 'cst-demo-admin');
    await page.goto(`${env.base}/corsi`);
    await page.click('#course-new summary');
    await page.fill('#n-titolo', `Il protocollo informatico (${size})`);
    await page.fill('#n-inizio', '2030-03-04T09:00');
    await page.fill('#n-altre', 'domani');
    await page.fill('#n-posti', '8');
    await page.click('label[for=n-annuncio]');
    assert.equal(await page.isChecked('#n-annuncio'), false);
    await inspect(page, `course-new-${size}`);
    await Promise.all([page.waitForNavigation(), page.click('#course-create')]);
    assert.match(await page.textContent('#courses-error'), /«domani» non è una data e ora/);
    assert.equal(await page.inputValue('#n-titolo'), `Il protocollo informatico (${size})`);
    await page.fill('#n-altre', '2030-03-11 09:00');
    await Promise.all([page.waitForNavigation(), page.click('#course-create')]);
    assert.match(await page.textContent('#course-saved'), /Corso aperto alle iscrizioni/);
    assert.match(await page.textContent('#course-facts'), /lunedì 04\/03\/2030, 9:00–13:00/);
    await inspect(page, `course-staff-${size}`);
    // Closing with nobody signed up: the page warns the course will be cancelled.
    await Promise.all([page.waitForNavigation(), page.click('#course-close')]);
    assert.match(await page.textContent('main'), /sarà annullato/);
    await inspect(page, `course-close-confirm-${size}`);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Chiudi le iscrizioni")')]);
    assert.match(await page.textContent('#course-saved'), /il corso è annullato/);
    assert.match(await page.textContent('#course-state'), /annullato/);

    // The course held last month: attendance, certificates, and Padova's entries.
    await courseLink(page, 'Privacy e GDPR');
    assert.match(await page.textContent('#course-state'), /confermato/);
    const anna = page.locator('.enrolment', { hasText: 'Anna Schiavon' });
    await anna.locator('select[name=presenza]').selectOption('present');
    await Promise.all([page.waitForNavigation(), anna.locator('button:has-text("Registra")').click()]);
    assert.match(await page.textContent('#course-saved'), /Anna Schiavon: presente/);
    const href = await page.locator('.enrolment', { hasText: 'Anna Schiavon' }).locator('a:has-text("Attestato")').getAttribute('href');
    const pdf = await page.request.get(`${env.base}${href}`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const register = await page.request.get(`${env.base}${await page.getAttribute('#course-register', 'href')}`);
    assert.equal(register.status(), 200);
    await inspect(page, `course-held-${size}`);
    await page.close();
  });
}

test('an entity\'s entries of the year and the extra one (desk)', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'admin', 'cst-demo-admin');
  // The year of the course held (last year's, early in January).
  await courseLink(page, 'Privacy e GDPR');
  const year = (await page.textContent('#course-facts')).match(/\d{2}\/\d{2}\/(\d{4})/)[1];
  await page.goto(`${env.base}/entities?q=Padova`);
  await page.locator('main a:text-is("Comune di Padova")').first().click();
  await page.waitForSelector('#entity-training');
  await Promise.all([page.waitForNavigation(), page.click('#entity-training')]);
  await page.selectOption('#f-anno', year);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Mostra")')]);
  assert.match(await page.textContent('#entries-total'), /^4$/);
  assert.match(await page.textContent('#entries-extra'), /^1 \(€ 96,00\)$/);
  assert.match(await page.textContent('#participations'), /assente ingiustificato/);
  await inspect(page, 'entries-desk');
  await page.fill('#f-ingressi', '6');
  await Promise.all([page.waitForNavigation(), page.click('#entries-save')]);
  assert.match(await page.textContent('#entries-saved'), /Ingressi \d{4}: 6/);
  assert.match(await page.textContent('#entries-extra'), /^0$/);
  await page.close();
});
