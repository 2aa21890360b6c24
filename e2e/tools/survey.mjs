// Walks pages of a running cst as each role at both widths and prints what inspect() finds,
// without failing: a tool for developers (`node tools/survey.mjs http://127.0.0.1:8088`).
import { startBrowser, login, pageAt, inspect, PHONE, DESK } from '../tests/harness.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const only = process.argv[3];
const roles = {
  admin: ['/', '/tickets', '/tickets/new', '/entities', '/entities/1', '/entities/new', '/catalog', '/catalog/PD01', '/price-lists', '/price-lists/1', '/membership-fee', '/users', '/users/new', '/audit', '/jobs', '/import', '/helpdesk/mail', '/helpdesk/settings', '/reports/sla', '/phases', '/nessuna-pagina'],
  operatore: ['/', '/tickets', '/tickets?scaduti=1'],
  referente: ['/', '/tickets', '/tickets/new', '/entities', '/catalog'],
  fornitore: ['/', '/phases'],
};
const browser = await startBrowser();
let problems = 0;
for (const [user, paths] of Object.entries(roles)) {
  if (only && only !== user) continue;
  for (const [wname, vp] of [['desk', DESK], ['phone', PHONE]]) {
    const page = await pageAt(browser, vp);
    await login(page, base, user, `cst-demo-${user}`);
    for (const p of paths) {
      await page.goto(base + p);
      const name = `survey-${user}-${wname}${p.replace(/[^a-z0-9]+/gi, '-')}`;
      try { await inspect(page, name); } catch (e) { problems++; console.log(`\n## ${user} ${wname} ${p}\n${e.message}`); }
    }
    await page.close();
  }
}
await browser.close();
console.log(`\n${problems} page(s) with problems`);
