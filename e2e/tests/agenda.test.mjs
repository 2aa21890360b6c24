// Issue 15's shared agenda in a real browser: the demo contact, on a phone, opens the entity's
// agenda, creates a group calendar, adds a weekly meeting (a wrong end time first: the form
// comes back with the reason and what was typed), invites someone, finds the meeting in the
// month and in the week, hides and shows the layers, and cancels after the confirmation page;
// every page checked by axe and for width, on a phone and on a desk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

/// The answer link of the last invitation queued for `to`, read from the demo's database (the
/// e-mail waits in the queue: the demo has no mail server).
function invitationLink(database, to) {
  const file = database.replace(/^sqlite:\/\//, '');
  const py = "import sqlite3, sys, json\n" +
    "db = sqlite3.connect(sys.argv[1])\n" +
    "for (p,) in db.execute(\"SELECT payload FROM jobs WHERE kind = 'mail.send' ORDER BY id DESC\"):\n" +
    "    m = json.loads(p)\n" +
    "    if sys.argv[2] in m['to']:\n" +
    "        print(m['body']); break\n";
  const body = execFileSync('python3', ['-c', py, file, to], { encoding: 'utf8' });
  const m = body.match(/\/agenda\/invito\/\S+/);
  assert.ok(m, body);
  return m[0];
}

test('a contact keeps the entity\'s agenda (phone)', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/agenda`);
  if (await page.$('#agenda-entities')) {
    await inspect(page, 'agenda-choose-phone');
    await Promise.all([page.waitForNavigation(), page.click('#agenda-entities a:has-text("Comune di Padova")')]);
  }
  await inspect(page, 'agenda-entity-phone');
  await page.fill('#c-nome', 'Giunta');
  await page.click('label[for=c-gruppo]');
  await Promise.all([page.waitForNavigation(), page.click('#calendar-new button[type=submit]')]);
  assert.match(await page.textContent('#agenda-saved'), /Agenda «Giunta» creata/);
  await Promise.all([page.waitForNavigation(), page.click('#calendar-list li:has-text("Giunta") a:has-text("Nuovo appuntamento")')]);
  await inspect(page, 'agenda-new-event-phone');

  // A wrong end first: the form comes back with the reason and the values.
  await page.fill('#e-titolo', 'Riunione di giunta');
  await page.fill('#e-luogo', 'Sala «Rossa»');
  await page.fill('#e-giorno', '2027-03-16');
  await page.fill('#e-dalle', '09:00');
  await page.fill('#e-alle', '08:00');
  await page.selectOption('#e-ripeti', 'settimana');
  await page.selectOption('#e-fine', 'volte');
  await page.fill('#e-volte', '5');
  await Promise.all([page.waitForNavigation(), page.click('#event-form button[type=submit]')]);
  assert.match(await page.textContent('#event-errors'), /La fine deve venire dopo l'inizio/);
  assert.equal(await page.inputValue('#e-titolo'), 'Riunione di giunta');
  await inspect(page, 'agenda-event-error-phone');
  await page.fill('#e-alle', '10:30');
  await Promise.all([page.waitForNavigation(), page.click('#event-form button[type=submit]')]);
  assert.equal(await page.$('#event-errors'), null, await page.textContent('main'));
  assert.match(await page.textContent('#event-saved'), /Appuntamento salvato/);
  assert.match(await page.textContent('#event-when'), /martedì 16 marzo 2027, dalle 9:00 alle 10:30; si ripete ogni settimana, 5 volte/);

  // Invitations: a wrong address refused, then a good one.
  await page.fill('#i-indirizzi', 'assessore@');
  await Promise.all([page.waitForNavigation(), page.click('#invite-form button[type=submit]')]);
  assert.match(await page.textContent('#event-error'), /«assessore@» non è un indirizzo di posta/);
  await page.fill('#i-indirizzi', 'assessore@example.org');
  await Promise.all([page.waitForNavigation(), page.click('#invite-form button[type=submit]')]);
  assert.match(await page.textContent('#invitation-list'), /assessore@example\.org\s*In attesa di risposta/);
  await inspect(page, 'agenda-event-phone');
  const eventUrl = page.url();

  // The invitee opens the link of the e-mail (read from the queued message) on a phone,
  // without logging in: no answer chosen is refused, then "Forse" with a comment.
  const link = invitationLink(env.database, 'assessore@example.org');
  const guest = await pageAt(env.browser, PHONE);
  await guest.goto(`${env.base}${link}`);
  assert.match(await guest.textContent('#invite-when'), /martedì 16 marzo 2027, dalle 9:00 alle 10:30/);
  assert.match(await guest.textContent('#invite-answer'), /In attesa di risposta/);
  await inspect(guest, 'agenda-invitation-phone');
  await guest.fill('#r-commento', 'Arrivo dopo le 9:30');
  await Promise.all([guest.waitForNavigation(), guest.click('#answer-form button[type=submit]')]);
  assert.match(await guest.textContent('#answer-error'), /Scegliere una risposta/);
  assert.equal(await guest.inputValue('#r-commento'), 'Arrivo dopo le 9:30');
  await inspect(guest, 'agenda-invitation-error-phone');
  await guest.click('label[for=r-forse]');
  await Promise.all([guest.waitForNavigation(), guest.click('#answer-form button[type=submit]')]);
  assert.match(await guest.textContent('#answer-saved'), /la sua risposta è registrata \(Forse\)/);
  await guest.close();
  await page.reload();
  assert.match(await page.textContent('#invitation-list'), /Forse\s*«Arrivo dopo le 9:30»/);

  // The month after the change to summer time: still at 9:00; the week view too.
  await Promise.all([page.waitForNavigation(), page.click('nav a:has-text("Agenda di")')]);
  await page.goto(page.url().split('?')[0] + '?dal=2027-03-01');
  assert.match(await page.textContent('#agenda-period'), /Marzo 2027/);
  const days = await page.textContent('#agenda-days');
  assert.match(days, /Martedì 30 marzo 2027\s*09:00–10:30\s*Riunione di giunta/);
  assert.match(days, /Lunedì 29 marzo 2027\s*Ufficio chiuso\s*Lunedì dell'Angelo/);
  await inspect(page, 'agenda-month-phone');
  await page.click('label[for=l-chi]');
  await Promise.all([page.waitForNavigation(), page.click('#agenda-layers button')]);
  assert.doesNotMatch(await page.textContent('#agenda-days'), /Lunedì dell'Angelo/);
  assert.match(await page.textContent('#agenda-days'), /Riunione di giunta/);
  await Promise.all([page.waitForNavigation(), page.click('#agenda-nav a:has-text("Vista settimana")')]);
  assert.match(await page.textContent('#agenda-period'), /Settimana dal 01\/03\/2027 al 07\/03\/2027/);
  await inspect(page, 'agenda-week-phone');

  // Cancelled after the confirmation page.
  await page.goto(eventUrl);
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/annulla"] button')]);
  await inspect(page, 'agenda-cancel-confirm-phone');
  assert.match(await page.textContent('main'), /Riceveranno l'annullamento via e-mail 1 invitati/);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Annulla l\'appuntamento")')]);
  assert.match(await page.textContent('#event-saved'), /Appuntamento annullato/);
  await page.close();
});

test('the agenda on a desk', async () => {
  const page = await pageAt(env.browser, DESK);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/agenda`);
  if (await page.$('#agenda-entities')) {
    await Promise.all([page.waitForNavigation(), page.click('#agenda-entities a:has-text("Comune di Padova")')]);
  }
  await inspect(page, 'agenda-entity-desk');
  await Promise.all([page.waitForNavigation(), page.click('#calendar-list a:has-text("Nuovo appuntamento")')]);
  await inspect(page, 'agenda-new-event-desk');
  await page.close();
});
