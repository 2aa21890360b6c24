// Issue 15's FAQ in a real browser: a citizen without an account searches the centre's answers
// on a phone ("firme digitali" finds the answers about the signature), reads one and says it was
// useful; a contact typing a new ticket's subject sees the answers that match before sending;
// every page checked by axe-core and for width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, pageAt, inspect, PHONE, DESK } from './harness.mjs';

const env = useCst();

for (const [size, viewport] of [['phone', PHONE], ['desk', DESK]]) {
  test(`anyone searches the frequent questions and votes an answer (${size})`, async () => {
    const page = await pageAt(env.browser, viewport);
    await page.goto(`${env.base}/faq`);
    await page.waitForSelector('#faq-list');
    await inspect(page, `faq-list-${size}`);
    await page.fill('#faq-q', 'firme digitali');
    await Promise.all([page.waitForURL(/q=firme/), page.click('#faq-search button[type=submit]')]);
    assert.match(await page.textContent('#faq-count'), /risposte? trovat/);
    assert.match(await page.textContent('#faq-list li:first-child'), /firma/i);
    // An answer for the contacts only is not there without login.
    assert.doesNotMatch(await page.textContent('main'), /regole tecniche/);
    await inspect(page, `faq-search-${size}`);
    await page.click('#faq-list li:first-child a');
    await page.waitForSelector('#faq-body');
    await inspect(page, `faq-article-${size}`);
    await Promise.all([page.waitForURL(/votato=1/), page.click('#faq-yes')]);
    assert.match(await page.textContent('#faq-thanks'), /Grazie/);
    await page.close();
  });
}

test('a contact typing a ticket subject sees the matching answers (phone)', async () => {
  const page = await pageAt(env.browser, PHONE);
  await login(page, env.base, 'referente', 'cst-demo-referente');
  await page.goto(`${env.base}/tickets/new`);
  await page.fill('#subject', 'Ho dimenticato la password della pe');
  await page.waitForSelector('#faq-suggestions-box');
  assert.match(await page.textContent('#faq-suggestions-box'), /password della PEC/);
  await inspect(page, `faq-suggestions-phone`);
  await page.close();
});
