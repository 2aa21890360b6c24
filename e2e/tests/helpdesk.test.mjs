// The help desk in a real browser: a contact opens a ticket from the portal (the priorities are
// explained in the form), an operator takes charge and replies, the contact sees the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

test('a contact opens a ticket, an operator takes charge and replies, the contact sees it', async () => {
  const contact = await env.browser.newPage();
  await login(contact, env.base, 'referente', 'cst-demo-referente');
  await contact.click('a.nav-link:has-text("Assistenza")');
  await contact.click('#new-ticket');
  assert.match(await contact.textContent('#priority-choice'), /Alta.*blocco del lavoro.*entro 8 ore lavorative/s);
  // Nothing typed: refused with the reason, nothing sent.
  await contact.click('#ticket-form button[type=submit]');
  await contact.waitForSelector('#form-message');
  assert.match(await contact.textContent('#subject-error'), /oggetto è obbligatorio/);
  await contact.selectOption('#entity_id', { label: 'Comune di Padova' });
  await contact.fill('#subject', 'La posta elettronica non parte');
  await contact.fill('#description', 'Da stamattina nessuna e-mail esce dall\'ufficio anagrafe.');
  await contact.click('label[for=priority-high]');
  await shot(contact, '19-ticket-new');
  await contact.click('#ticket-form button[type=submit]');
  await contact.waitForSelector('#ticket-subject');
  const number = (await contact.textContent('#ticket-subject')).trim().split(' ')[0];
  assert.match(number, /^\d{4}\/\d{6}$/);
  assert.equal((await contact.textContent('#ticket-state')).trim(), 'Nuovo');
  assert.match(await contact.textContent('#take-charge-due'), /\d\d\/\d\d\/\d{4} \d\d:\d\d/);
  const url = contact.url();
  // The contact attaches a screenshot of the error; a file over the limit is refused with why.
  await contact.setInputFiles('#file', { name: 'errore.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a', 'hex') });
  await contact.click('#upload-form button[type=submit]');
  await contact.waitForSelector('#files a:has-text("errore.png")');
  await contact.setInputFiles('#file', { name: 'enorme.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
  await contact.click('#upload-form button[type=submit]');
  await contact.waitForSelector('#ticket-error');
  assert.match(await contact.textContent('#ticket-error'), /enorme\.bin.*supera il limite di 10,0 MB/);
  assert.equal(await contact.locator('#files li').count(), 1);

  const operator = await env.browser.newPage();
  await login(operator, env.base, 'operatore', 'cst-demo-operatore');
  await operator.goto(`${env.base}/tickets`);
  await operator.click(`a:has-text("${number}")`);
  await operator.click('#take-charge');
  await operator.waitForSelector('#ticket-state:has-text("In lavorazione")');
  assert.match(await operator.textContent('#taken'), /operatore/);
  // The operator downloads the contact's file: the same bytes, as a download.
  const file = await operator.evaluate(async () => {
    const r = await fetch(document.querySelector('#files a').href);
    return { disposition: r.headers.get('content-disposition'), bytes: [...new Uint8Array(await r.arrayBuffer())] };
  });
  assert.match(file.disposition, /^attachment; filename="errore\.png"/);
  assert.deepEqual(file.bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await operator.fill('#body', 'Presa in carico: controlliamo il server di posta.');
  await operator.click('#reply-form button[type=submit]');
  await operator.waitForSelector('#thread :text("controlliamo il server")');
  await operator.fill('#body', 'Chiamare il fornitore del relay.');
  await operator.click('label[for=internal]');
  await operator.click('#reply-form button[type=submit]');
  await operator.waitForSelector('#thread .internal-note');
  await shot(operator, '20-ticket-operator');

  await contact.goto(url);
  assert.equal((await contact.textContent('#ticket-state')).trim(), 'In lavorazione');
  assert.match(await contact.textContent('#thread'), /controlliamo il server di posta/);
  assert.doesNotMatch(await contact.textContent('#thread'), /fornitore del relay/, 'internal notes stay internal');
  assert.match(await contact.textContent('#taken'), /operatore/);
  await contact.goto(`${env.base}/tickets`);
  assert.match(await contact.textContent('#ticket-table'), new RegExp(number.replace('/', '\\/')));
  await shot(contact, '21-ticket-portal');

  // The SLA report: the high-priority ticket was taken in time.
  await operator.click('#nav-assistenza');
  await operator.click('a.dropdown-item:has-text("Rispetto degli SLA")');
  await operator.waitForSelector('#sla-table');
  // The demo's tickets are in the month too: the figure is a percentage, ours is one of them.
  assert.match(await operator.textContent('#sla-high'), /\d+,\d%/);
  assert.match(await operator.textContent('#sla-breakdown'), /Comune di Padova/);
  assert.equal(await operator.locator('svg.sla-chart rect').count(), 6);
  const csv = await operator.evaluate(async () => (await fetch(document.querySelector('#sla-csv').href)).text());
  assert.match(csv, /^month,entity_id,entity,priority,total,met,pending,percent\r\n/);
  assert.match(csv, /Comune di Padova,high,\d+,\d+,\d+,\d+\.\d/);
  await shot(operator, '22-sla-report');
  await contact.close();
  await operator.close();
});
