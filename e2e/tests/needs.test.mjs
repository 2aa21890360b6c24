// The yearly needs form in a real browser: the administrator opens next year's campaign at the
// desk (a deadline already past is refused and what was typed stays); the contact fills in
// Abano Terme's form on a phone (a wrong quantity comes back next to its row, then a draft,
// then sent); staff read the aggregate, download the XLSX and process the form after its
// confirmation; the contact then sees it read-only. Every page at the width it is used at,
// the campaign page and the form at both, axe-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

/// Today in Rome, moved by `days`, as `YYYY-MM-DD` (the server judges deadlines on Rome's day).
function romeDay(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const italian = (iso) => iso.split('-').reverse().join('/');

const today = romeDay();
const year = Number(today.slice(0, 4)) + 1;
// Within next year at the latest, and after today.
const deadline = romeDay(14);
const past = romeDay(-1);

/// A row of the form by its service code (its fieldset, whose legend starts with the code).
const row = (page, code) => page.locator('#needs-form fieldset').filter({
  has: page.locator('legend .mono', { hasText: new RegExp(`^${code}$`) }),
});

/// The index of a row (its `row-N` id), for its select `aN`, quantity `qN` and message `eN`.
async function rowIndex(page, code) {
  const id = await row(page, code).getAttribute('id');
  return Number(id.replace('row-', ''));
}

/// Submits the form with `button` and returns the HTTP status of the POST's answer (303 when saved, 422 when refused).
async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/needs/')),
    page.click(button),
  ]);
  await page.waitForLoadState();
  return response.status();
}

test('a campaign from opening to the processed form, on a phone and at the desk', async () => {
  // The demo's Abano Terme has an approved PD09 request: delivered, it is a service the form
  // asks to renew or stop.
  const desk = await pageAt(env.browser, DESK);
  await login(desk, env.base, 'admin', 'cst-demo-admin');
  await desk.goto(`${env.base}/requests`);
  await Promise.all([desk.waitForLoadState(), desk.locator('#request-table tbody tr')
    .filter({ hasText: 'Comune di Abano Terme' }).filter({ hasText: 'PD09' }).locator('a').first().click()]);
  await desk.fill('#data', today);
  await Promise.all([desk.waitForLoadState(), desk.click('#request-deliver button')]);
  assert.match(await desk.textContent('#request-saved'), /Servizio attivato/);

  // 1. The administrator opens next year's campaign; a deadline already past is refused.
  await desk.goto(`${env.base}/needs`);
  assert.match(await desk.textContent('#campaign-list'), /Nessuna campagna aperta/);
  assert.equal(await desk.inputValue('#anno'), String(year));
  await inspect(desk, 'nd-admin-desk-list-empty');
  await desk.fill('#scadenza', past);
  await Promise.all([desk.waitForLoadState(), desk.click('#campaign-open')]);
  assert.match(await desk.textContent('#needs-error'), /La scadenza è già passata/);
  assert.equal(await desk.inputValue('#anno'), String(year));
  assert.equal(await desk.inputValue('#scadenza'), past);
  await inspect(desk, 'nd-admin-desk-open-refused');
  // Not a year at all: said, and kept.
  await desk.fill('#anno', 'prossimo');
  await desk.fill('#scadenza', deadline);
  await Promise.all([desk.waitForLoadState(), desk.click('#campaign-open')]);
  assert.match(await desk.textContent('#needs-error'), /anno/);
  assert.equal(await desk.inputValue('#anno'), 'prossimo');
  assert.equal(await desk.inputValue('#scadenza'), deadline);
  await desk.fill('#anno', String(year));
  await Promise.all([desk.waitForURL(/\/needs\/\d+$/), desk.click('#campaign-open')]);
  const campaignUrl = desk.url();
  assert.match(await desk.textContent('#campaign-saved'),
    new RegExp(`Campagna ${year} aperta: [\\d.]+ schede inviate .* entro il ${italian(deadline)}`));
  assert.match(await desk.textContent('#campaign-counts'), new RegExp(`Scadenza ${italian(deadline)}`));
  assert.match(await desk.textContent('#needs-summary'), /Nessuna scheda inviata finora/);
  await inspect(desk, 'nd-admin-desk-campaign-opened');
  // The same year again is refused.
  await desk.goto(`${env.base}/needs`);
  assert.match(await desk.textContent('#campaign-list'), new RegExp(`Campagna ${year}`));
  await desk.fill('#scadenza', deadline);
  await Promise.all([desk.waitForLoadState(), desk.click('#campaign-open')]);
  assert.match(await desk.textContent('#needs-error'), new RegExp(`${year} è già aperta`));
  await desk.close();

  // 2. The contact, on a phone, fills in Abano Terme's form.
  const phone = await pageAt(env.browser, PHONE);
  await login(phone, env.base, 'referente', 'cst-demo-referente');
  await phone.goto(`${env.base}/needs`);
  assert.match(await phone.textContent('#campaign-list'), /Scheda di Comune di Abano Terme/);
  assert.match(await phone.textContent('#campaign-list'), /Scheda di Comune di Padova/);
  await inspect(phone, 'nd-contact-phone-list');
  await Promise.all([phone.waitForLoadState(), phone.click('#campaign-list a:has-text("Comune di Abano Terme")')]);
  const formUrl = phone.url();
  assert.match(formUrl, /\/needs\/\d+\/forms\/\d+$/);
  assert.match(await phone.textContent('#form-state'), /da inviare entro il/);
  // The service it has: PD09, renewed by default with today's quantity.
  const pd09 = await rowIndex(phone, 'PD09');
  assert.equal(await phone.inputValue(`#a${pd09}`), 'renew');
  assert.equal(await phone.inputValue(`#q${pd09}`), '4');
  await inspect(phone, 'nd-contact-phone-form');
  const pd11 = await rowIndex(phone, 'PD11');
  assert.equal(await phone.inputValue(`#a${pd11}`), '');
  await phone.selectOption(`#a${pd11}`, 'interested');
  await phone.fill(`#q${pd11}`, 'dieci');
  await phone.fill(`#q${pd09}`, '6');
  await phone.fill('#note', 'Caselle PEC per il nuovo ufficio tributi');
  assert.equal(await submit(phone, '#form-draft'), 422);
  assert.match(await phone.textContent('#form-message'), /non è stata salvata/);
  assert.match(await phone.textContent(`#e${pd11}`), /«dieci» non è un numero intero/);
  // The message is inside its row, and both fields point at it.
  assert.equal(await row(phone, 'PD11').locator(`#e${pd11}`).count(), 1);
  assert.equal(await phone.inputValue(`#q${pd11}`), 'dieci');
  assert.equal(await phone.inputValue(`#a${pd11}`), 'interested');
  assert.equal(await phone.inputValue(`#q${pd09}`), '6');
  assert.equal(await phone.inputValue('#note'), 'Caselle PEC per il nuovo ufficio tributi');
  assert.match(await phone.getAttribute(`#q${pd11}`, 'class'), /is-invalid/);
  assert.equal(await phone.getAttribute(`#q${pd11}`, 'aria-describedby'), `e${pd11}`);
  assert.equal(await phone.getAttribute(`#q${pd11}`, 'aria-invalid'), 'true');
  // The message at the top names the row and leads to its field.
  await phone.click(`#form-message a[href="#q${pd11}"]`);
  assert.equal(await phone.evaluate(() => document.activeElement.id), `q${pd11}`);
  await inspect(phone, 'nd-contact-phone-form-wrong');
  // Renewing with 0 is refused with the page's own words.
  await phone.fill(`#q${pd11}`, '10');
  await phone.fill(`#q${pd09}`, '0');
  assert.equal(await submit(phone, '#form-draft'), 422);
  assert.match(await phone.textContent(`#e${pd09}`), /almeno 1/);
  assert.equal(await phone.inputValue(`#q${pd11}`), '10');
  await inspect(phone, 'nd-contact-phone-form-renew-zero');
  await phone.fill(`#q${pd09}`, '6');
  assert.equal(await submit(phone, '#form-draft'), 303);
  assert.match(await phone.textContent('#form-saved'), /Bozza salvata/);
  assert.match(await phone.textContent('#form-state'), /bozza/i);
  assert.equal(await phone.inputValue(`#a${pd11}`), 'interested');
  assert.equal(await phone.inputValue(`#q${pd11}`), '10');
  assert.equal(await phone.inputValue(`#q${pd09}`), '6');
  assert.equal(await phone.inputValue('#note'), 'Caselle PEC per il nuovo ufficio tributi');
  await inspect(phone, 'nd-contact-phone-form-draft');
  assert.equal(await submit(phone, '#form-send'), 303);
  assert.match(await phone.textContent('#form-saved'),
    new RegExp(`Scheda inviata al centro servizi. Si può ancora correggere fino al ${italian(deadline)}`));
  assert.match(await phone.textContent('#form-state'), new RegExp(`inviata il .* si può correggere fino al ${italian(deadline)}`));
  // Once sent, the draft button says that it takes the sending back.
  assert.match(await phone.textContent('#form-send'), /Invia le correzioni/);
  assert.match(await phone.textContent('#form-draft'), /Ritira l'invio/);
  await inspect(phone, 'nd-contact-phone-form-sent');
  // The campaign's own address leads a contact of two entities to the list.
  await phone.goto(campaignUrl);
  assert.equal(new URL(phone.url()).pathname, '/needs');
  await phone.close();

  // 3. Staff at the desk: the aggregate, the XLSX, the form processed after its confirmation.
  const admin = await pageAt(env.browser, DESK);
  await login(admin, env.base, 'admin', 'cst-demo-admin');
  await admin.goto(campaignUrl);
  assert.match(await admin.textContent('#needs-summary #need-PD11'), /PD11.*1\s*10\s*\+10/s);
  assert.match(await admin.textContent('#needs-summary #need-PD09'), /PD09.*1\s*6\s*\+2/s);
  assert.match(await admin.textContent('#needs-total'), /€ [\d.]+,\d\d/);
  assert.match(await admin.textContent('#campaign-counts'), /[Ii]nviat\w*: \d/);
  await inspect(admin, 'nd-admin-desk-campaign');
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#needs-xlsx')]);
  assert.equal(download.suggestedFilename(), `fabbisogni-${year}.xlsx`);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX is a ZIP');
  // The forms list, filtered.
  await admin.fill('#q', 'Abano');
  await Promise.all([admin.waitForLoadState(), admin.click('form[role=search] button[type=submit]')]);
  assert.match(await admin.textContent('#form-list'), /Comune di Abano Terme/);
  assert.doesNotMatch(await admin.textContent('#form-list'), /Comune di Padova/);
  await inspect(admin, 'nd-admin-desk-campaign-filtered');
  await Promise.all([admin.waitForLoadState(), admin.click('#form-list a:has-text("Comune di Abano Terme")')]);
  assert.equal(admin.url(), formUrl);
  await inspect(admin, 'nd-admin-desk-form');
  await Promise.all([admin.waitForLoadState(), admin.click('#form-process')]);
  assert.match(await admin.textContent('#confirm-question'), new RegExp(`Elaborare la scheda ${year} di Comune di Abano Terme\\?`));
  const consequences = await admin.textContent('#confirm-consequences');
  assert.match(consequences, new RegExp(`Richiesta di attivazione di PD11 \\(quantità 10\\) dal 01/01/${year}`));
  assert.match(consequences, new RegExp(`PD09: quantità da 4 a 6 dal 01/01/${year}`));
  await inspect(admin, 'nd-admin-desk-confirm-process');
  await Promise.all([admin.waitForLoadState(), admin.click('#confirm-yes')]);
  assert.equal(admin.url(), formUrl);
  assert.match(await admin.textContent('#form-saved'), /Scheda elaborata: 1 richiesta di attivazione, 1 cambio di quantità\./);
  assert.equal(await admin.locator('#form-process').count(), 0);
  await inspect(admin, 'nd-admin-desk-form-processed');
  // The request it made waits for approval.
  await admin.goto(`${env.base}/requests`);
  assert.match(await admin.locator('#request-table tbody tr').filter({ hasText: 'Comune di Abano Terme' })
    .filter({ hasText: 'PD11' }).first().textContent(), /10/);
  await admin.close();

  // 4. The contact sees the form read-only.
  const after = await pageAt(env.browser, PHONE);
  await login(after, env.base, 'referente', 'cst-demo-referente');
  await after.goto(formUrl);
  assert.equal(await after.locator('#needs-form').count(), 0);
  assert.equal(await after.locator('#form-send').count(), 0);
  assert.match(await after.textContent('main'), /il centro servizi l'ha già elaborata/);
  const answers = await after.textContent('#answers');
  assert.match(answers, /PD09.*rinnova.*quantità 6/s);
  assert.match(answers, /PD11.*interessato.*quantità 10/s);
  await inspect(after, 'nd-contact-phone-form-processed');
  await after.goto(`${env.base}/needs`);
  assert.match(await after.textContent('#campaign-list'), /Scheda di Comune di Abano Terme · elaborata/);
  await after.close();
});

// After the walk above (same server): every page of the campaign at the other width too.
test('the campaign, its filtered list and the forms work on a phone and at the desk', async () => {
  for (const [width, viewport] of [['desk', DESK], ['phone', PHONE]]) {
    const staff = await pageAt(env.browser, viewport);
    await login(staff, env.base, 'admin', 'cst-demo-admin');
    await staff.goto(`${env.base}/needs`);
    await inspect(staff, `nd-again-admin-${width}-list`);
    await Promise.all([staff.waitForLoadState(), staff.locator('#campaign-list a').first().click()]);
    const campaignUrl = staff.url();
    await inspect(staff, `nd-again-admin-${width}-campaign`);
    await staff.selectOption('#stato', { label: 'elaborata' });
    await Promise.all([staff.waitForLoadState(), staff.click('form[role=search] button[type=submit]')]);
    assert.match(await staff.textContent('#form-list'), /Comune di Abano Terme/);
    assert.doesNotMatch(await staff.textContent('#form-list'), /Comune di Padova/);
    await inspect(staff, `nd-again-admin-${width}-campaign-filtered`);
    await Promise.all([staff.waitForLoadState(), staff.click('#form-list a:has-text("Comune di Abano Terme")')]);
    await inspect(staff, `nd-again-admin-${width}-form-processed`);
    // Padova's form, not answered: staff may fill it in.
    await staff.goto(`${campaignUrl}?q=Padova`);
    await Promise.all([staff.waitForLoadState(), staff.click('#form-list a:has-text("Comune di Padova")')]);
    assert.equal(await staff.locator('#needs-form').count(), 1);
    await inspect(staff, `nd-again-admin-${width}-form-open`);
    await staff.close();

    const contact = await pageAt(env.browser, viewport);
    await login(contact, env.base, 'referente', 'cst-demo-referente');
    await contact.goto(`${env.base}/needs`);
    await inspect(contact, `nd-again-contact-${width}-list`);
    await Promise.all([contact.waitForLoadState(), contact.click('#campaign-list a:has-text("Comune di Padova")')]);
    assert.equal(await contact.locator('#needs-form').count(), 1);
    await inspect(contact, `nd-again-contact-${width}-form-padova`);
    await contact.close();
  }
});
