// scratch exploration (not a test file: no .test.mjs), deleted afterwards
import { startCst, startBrowser, login, pageAt, PHONE, DESK } from './harness.mjs';
const cst = await startCst();
const browser = await startBrowser();
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 10);
const deadline = d.toISOString().slice(0, 10);
try {
  const a = await pageAt(browser, DESK);
  await login(a, cst.base, 'admin', 'cst-demo-admin');
  await a.goto(`${cst.base}/needs`);
  for (const [y, s] of [['2030', deadline], ['2027', '2028-01-10'], ['', ''], ['2027', '31/12/2026']]) {
    await a.fill('#anno', y); await a.fill('#scadenza', s).catch(() => {});
    await Promise.all([a.waitForLoadState(), a.click('#campaign-open')]);
    console.log('OPEN', y, s, '->', await a.textContent('#needs-error').catch(() => 'none'), '| kept:', await a.inputValue('#anno'), await a.inputValue('#scadenza'));
  }
  await a.fill('#anno', '2027'); await a.fill('#scadenza', deadline);
  await Promise.all([a.waitForURL(/needs\/\d+$/), a.click('#campaign-open')]);
  const camp = a.url();
  const p = await pageAt(browser, PHONE);
  await login(p, cst.base, 'referente', 'cst-demo-referente');
  await p.goto(`${cst.base}/needs`);
  await Promise.all([p.waitForLoadState(), p.click('#campaign-list a:has-text("Abano")')]);
  const form = p.url();
  const idx = async (code) => Number((await p.locator('#needs-form fieldset').filter({ has: p.locator('legend .mono', { hasText: code }) }).getAttribute('id')).slice(4));
  const i11 = await idx('PD11'), i15 = await idx('PD15'), i01 = await idx('PD01');
  for (const [ans, q] of [['interested', '1.5'], ['interested', '-3'], ['interested', '2000000'], ['interested', '0'], ['interested', ''], ['interested', ' 1.000 '], ['no', 'abc'], ['interested', '1,5']]) {
    await p.goto(form);
    await p.selectOption(`#a${i11}`, ans); await p.fill(`#q${i11}`, q);
    const [r] = await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST'), p.click('#form-draft')]);
    await p.waitForLoadState();
    console.log('Q', ans, JSON.stringify(q), '->', r.status(), await p.textContent(`#e${i11}`).catch(() => ''), '| saved:', await p.textContent('#form-saved').catch(() => ''), '| now', await p.inputValue(`#a${i11}`), await p.inputValue(`#q${i11}`));
  }
  // two wrong rows: both marked?
  await p.goto(form);
  await p.selectOption(`#a${i11}`, 'interested'); await p.fill(`#q${i11}`, 'x');
  await p.selectOption(`#a${i15}`, 'interested'); await p.fill(`#q${i15}`, '0');
  await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST'), p.click('#form-draft')]);
  console.log('TWO', await p.textContent(`#e${i11}`).catch(() => '-'), '|', await p.textContent(`#e${i15}`).catch(() => '-'));
  // send, then save a draft: what happens to the sent form?
  await p.goto(form);
  await p.selectOption(`#a${i11}`, 'interested'); await p.fill(`#q${i11}`, '5');
  await Promise.all([p.waitForLoadState(), p.click('#form-send')]);
  console.log('SENT', await p.textContent('#form-state'));
  await Promise.all([p.waitForLoadState(), p.click('#form-draft')]);
  console.log('THEN DRAFT', await p.textContent('#form-state'), '|', await p.textContent('#form-saved'));
  await Promise.all([p.waitForLoadState(), p.click('#form-send')]);
  // staff: draft on a sent form?
  await a.goto(form);
  console.log('STAFF sees', await a.textContent('#form-state'));
  await Promise.all([a.waitForLoadState(), a.click('#form-draft')]);
  console.log('STAFF DRAFT', await a.textContent('#form-state'), '|', await a.textContent('#form-saved').catch(() => ''));
  await Promise.all([a.waitForLoadState(), a.click('#form-send')]);
  console.log('STAFF SEND', await a.textContent('#form-state'));
  await p.goto(form);
  console.log('CONTACT sees', await p.textContent('#form-state'));
  // a contact on another entity's form
  const other = Number(form.match(/forms\/(\d+)/)[1]) + 1;
  const r = await p.goto(form.replace(/forms\/\d+/, `forms/${other}`));
  console.log('OTHER ENTITY', r.status(), (await p.textContent('main')).trim().slice(0, 200));
  const r2 = await p.goto(`${camp}/riepilogo.xlsx`).catch((e) => ({ status: () => 'download:' + e.message.slice(0, 40) }));
  console.log('CONTACT XLSX', r2.status());
  const r3 = await p.goto(`${cst.base}/needs/999`);
  console.log('MISSING', r3.status(), (await p.textContent('main')).trim().slice(0, 200));
  const r4 = await p.goto(`${cst.base}/needs/abc`);
  console.log('BAD ID', r4.status(), (await p.textContent('main')).trim().slice(0, 200));
  // filter with a weird state
  const r5 = await a.goto(`${camp}?stato=zzz&q=%3Cb%3E&pagina=99`);
  console.log('FILTER', r5.status(), (await a.textContent('#form-list')).replace(/\s+/g, ' ').slice(0, 300));
  // supplier
  const s = await pageAt(browser, DESK);
  await login(s, cst.base, 'fornitore', 'cst-demo-fornitore');
  const r6 = await s.goto(`${cst.base}/needs`);
  console.log('SUPPLIER', r6.status(), (await s.textContent('main')).trim().slice(0, 200));
  // nav: is there a link to /needs in the menu?
  console.log('NAV admin', await a.locator('a[href="/needs"]').count(), 'NAV contact', await p.locator('a[href="/needs"]').count());
  await p.goto(`${cst.base}/`);
  console.log('HOME contact mentions needs:', await p.locator('a[href^="/needs"]').count());
} finally {
  await browser.close(); await cst.stop();
}
