import { startBrowser, login, pageAt, PHONE, DESK } from '/work/main/e2e/tests/harness.mjs';
const [base, user, path, out, w] = process.argv.slice(2);
const browser = await startBrowser();
const page = await pageAt(browser, w === 'desk' ? DESK : PHONE);
await login(page, base, user, `cst-demo-${user}`);
await page.goto(base + path);
if (process.argv[7]) { await page.click(process.argv[7]); await page.waitForTimeout(600); }
await page.screenshot({ path: out });
await browser.close();
