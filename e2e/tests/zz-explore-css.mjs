import { startCst, startBrowser, login, pageAt, PHONE, DESK } from './harness.mjs';
const cst = await startCst();
const browser = await startBrowser();
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 10);
try {
  const a = await pageAt(browser, DESK);
  await login(a, cst.base, 'admin', 'cst-demo-admin');
  await a.goto(`${cst.base}/needs`);
  await a.fill('#scadenza', d.toISOString().slice(0, 10));
  await Promise.all([a.waitForURL(/needs\/\d+$/), a.click('#campaign-open')]);
  const camp = a.url();
  for (const [w, vp] of [['phone', PHONE], ['desk', DESK]]) {
    const p = await pageAt(browser, vp);
    await login(p, cst.base, 'admin', 'cst-demo-admin');
    await p.goto(`${camp}?q=Abano`);
    await p.evaluate(() => { const f = document.querySelector('form[role=search]'); f.className = 'row gx-3 gy-4 mt-2 mb-3'; });
    await p.locator('#schede').scrollIntoViewIfNeeded();
    await p.screenshot({ path: `/tmp/ndexp/camp-${w}.png` });
    await p.click('#form-list a');
    await p.waitForLoadState();
    await p.evaluate(() => document.querySelectorAll('#needs-form legend').forEach((l) => l.classList.replace('mb-2', 'mb-4')));
    await p.locator('#needs-form fieldset').nth(2).scrollIntoViewIfNeeded();
    await p.screenshot({ path: `/tmp/ndexp/form-${w}.png` });
    await p.close();
  }
} finally { await browser.close(); await cst.stop(); }
