// The rest of the help desk in a real browser: an operator logs a phone call and hands a phase
// to a supplier; the supplier sees only its phase and updates it; the entity sees the phase's
// state; the entity's page shows its profile and tickets; admins' settings and the mail page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

test('a phase handed to a supplier, followed by the entity; profiles, panel and settings', async () => {
  const operator = await env.browser.newPage();
  await login(operator, env.base, 'operatore', 'cst-demo-operatore');
  await operator.goto(`${env.base}/tickets/new`);
  await operator.selectOption('#entity_id', { label: 'Comune di Padova' });
  await operator.fill('#subject', 'Virus sul PC dell\'ufficio tecnico');
  await operator.fill('#description', 'Chiamata del geometra: finestre che si aprono da sole.');
  await operator.click('label[for=priority-high]');
  await operator.selectOption('#channel', 'phone');
  await operator.fill('#requester_email', 'ufficio.tecnico@comune.padova.it');
  await operator.click('#ticket-form button[type=submit]');
  await operator.waitForSelector('#ticket-subject');
  const number = (await operator.textContent('#ticket-subject')).trim().split(' ')[0];
  const ticketUrl = operator.url();
  assert.equal((await operator.textContent('#requester-email')).trim(), 'ufficio.tecnico@comune.padova.it');
  await operator.click('#take-charge');
  await operator.waitForSelector('#ticket-state:has-text("In lavorazione")');

  // Hand the antivirus work to the supplier, on site authorised.
  await operator.click('summary:has-text("Affida una fase")');
  await operator.selectOption('#supplier_id', { label: 'Reti Venete Srl' });
  await operator.fill('#phase_title', 'Bonifica antivirus della postazione');
  await operator.fill('#phase_description', 'PC UT-07, secondo piano. Chiavi dal custode.');
  await operator.click('label[for=onsite_authorized]');
  await operator.click('#phase-new-form button[type=submit]');
  await operator.waitForSelector('#phases :text("Bonifica antivirus della postazione")');
  assert.match(await operator.textContent('#phases'), /Reti Venete Srl · Affidata/);
  await shot(operator, '23-ticket-phase');

  // The supplier sees its phase with the brief, updates it, and cannot open the ticket.
  const supplier = await env.browser.newPage();
  await login(supplier, env.base, 'fornitore', 'cst-demo-fornitore');
  await supplier.click('#nav-assistenza:has-text("Fasi assegnate")');
  await supplier.click('#phase-table a:has-text("Bonifica antivirus")');
  assert.match(await supplier.textContent('#onsite'), /Intervento in sede autorizzato/);
  assert.match(await supplier.textContent('main'), /Chiavi dal custode/);
  await supplier.fill('#body', 'Scansione completa avviata, due minacce in quarantena.');
  await supplier.selectOption('#state', 'in_progress');
  await supplier.click('#phase-form button[type=submit]');
  await supplier.waitForSelector('#phase-state:has-text("In lavorazione dal fornitore")');
  assert.match(await supplier.textContent('#phase-updates'), /due minacce in quarantena/);
  assert.equal((await supplier.locator('#state option[value=cancelled]').count()), 0, 'cancelling is the centre\'s');
  await shot(supplier, '24-supplier-phase');
  const r = await supplier.goto(ticketUrl);
  assert.equal(r.status(), 404, 'the supplier does not see the ticket');

  // The entity follows the phase's state, without the brief.
  const contact = await env.browser.newPage();
  await login(contact, env.base, 'referente', 'cst-demo-referente');
  await contact.goto(ticketUrl);
  assert.match(await contact.textContent('#phases'), /Bonifica antivirus della postazione · Reti Venete Srl · In lavorazione dal fornitore/);
  assert.doesNotMatch(await contact.textContent('main'), /Chiavi dal custode/);

  // The entity's page: its support profile and its tickets with the operator.
  const admin = await env.browser.newPage();
  await login(admin, env.base, 'admin', 'cst-demo-admin');
  await admin.goto(`${env.base}/entities?q=028060`);
  await admin.click('a:has-text("Comune di Padova")');
  assert.match(await admin.textContent('#support-profile'), /ENTERPRISE.*priorità in coda alta.*reperibilità del sabato/s);
  assert.match(await admin.textContent('#entity-tickets'), new RegExp(`${number.replace('/', '\\/')}.*Virus sul PC.*Davide Rizzo`, 's'));
  assert.match(await admin.textContent('#backup-checks'), /Veeam.*nessun rapporto/s);
  await admin.selectOption('#profile', 'basic');
  await admin.click('#profile-form button[type=submit]');
  await admin.waitForSelector('#support-profile:has-text("BASIC")');
  await shot(admin, '25-entity-helpdesk');

  // Settings: a wrong target is refused with the reason; the mail page shows the queue.
  await admin.goto(`${env.base}/helpdesk/settings`);
  await admin.fill('#target_percent', '150');
  await admin.click('#policy-form button[type=submit]');
  await admin.waitForSelector('#settings-error');
  assert.match(await admin.textContent('#settings-error'), /quota da rispettare: percentuale da 1 a 100/i);
  await admin.fill('#target_percent', '95');
  await admin.fill('#resolution_high', '24');
  await admin.click('#policy-form button[type=submit]');
  await admin.waitForSelector('#settings-saved');
  assert.equal(await admin.inputValue('#resolution_high'), '24');
  await shot(admin, '26-helpdesk-settings');
  await admin.goto(`${env.base}/helpdesk/mail`);
  // No SMTP server in the demo: the acknowledgement and the take-charge notice wait in the
  // queue, with the demo's activation-request e-mails (2 sent, 1 approved), those of
  // Padova's antivirus (sent, approved, delivered) that the demo's billing bills, those of
  // Padova's two portal items (sent, approved, delivered each), the answers to the seven
  // sign-ups of the demo's events, and the three of the demo's room bookings (the request's
  // receipt and its notice to the administrator, the gym's confirmation).
  assert.match(await admin.textContent('#mail-counts'), /0 inviate · 50 in coda/);
  await shot(admin, '27-helpdesk-mail');
  for (const p of [operator, supplier, contact, admin]) await p.close();
});
