// The yearly membership fee in a real browser: the fee explained on an entity's page, and an
// administrator switching the fee model, which changes the fee shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCst, login, shot } from './harness.mjs';

const env = useCst();

async function abanoFee(page) {
  await page.goto(`${env.base}/entities?q=Abano`);
  await page.click('text=Comune di Abano Terme');
  return page.textContent('#fee-amount');
}

test('the fee of an entity is shown with its computation, and follows the chosen model', async () => {
  const page = await env.browser.newPage();
  await login(page, env.base, 'admin', 'cst-demo-admin');
  // Demo data: Padova model; Abano Terme has 20.231 inhabitants, above 10.000: flat € 1.500,00.
  assert.equal(await abanoFee(page), '€ 1.500,00');
  assert.match(await page.textContent('#fee-lines'), /oltre 10\.000 ab\.: quota fissa € 1\.500,00/);
  await shot(page, '13-entity-fee');

  // A reference model fills the form; this year's fees change, so saving asks first.
  await page.goto(`${env.base}/membership-fee`);
  await Promise.all([page.waitForLoadState(), page.click('button[value="modello-macerata"]')]);
  assert.equal(await page.inputValue('#b10_amount'), '10.500,00');
  await Promise.all([page.waitForLoadState(), page.click('#rule-save')]);
  await Promise.all([page.waitForURL(`${env.base}/membership-fee`), page.click('#confirm-yes')]);
  assert.match(await page.textContent('#rule-table'), /11 fasce di popolazione/);
  await shot(page, '14-membership-model');
  // 20.231 inhabitants: the Macerata band from 20.001 to 40.000 is € 7.000,00.
  assert.equal(await abanoFee(page), '€ 7.000,00');
  assert.match(await page.textContent('#fee-lines'), /fascia da 20\.001 ab\. a 40\.000 ab\./);

  // Lecco's model needs the centre's fixed costs: left empty, the field says so.
  await page.goto(`${env.base}/membership-fee`);
  await Promise.all([page.waitForLoadState(), page.click('button[value="modello-lecco"]')]);
  await page.fill('#fixed_costs', '');
  await page.click('#rule-save');
  await page.waitForSelector('#fixed_costs-error');
  assert.match(await page.textContent('#fixed_costs-error'), /Costi fissi annui: obbligatorio/);

  // The rule as JSON, for power users: it starts from the rule in force; a gap is refused.
  await page.goto(`${env.base}/membership-fee`);
  await page.click('#rule-json summary');
  assert.match(await page.inputValue('#rule_json'), /"model": "bands"/);
  await page.fill('#rule_json', JSON.stringify({ model: 'bands', bands: [
    { from: 0, to: 1000, amount: '100.00' }, { from: 1002, to: null, amount: '200.00' }] }));
  await page.click('#rule-json-form button[type=submit]');
  await page.waitForSelector('#form-message');
  assert.match(await page.textContent('#form-message'), /manca la fascia per 1001 abitanti/);
  await page.fill('#rule_json', JSON.stringify({ model: 'marginal_tiers',
    tiers: [{ up_to: 5000, rate: '0.20' }, { up_to: 10000, rate: '0.10' }],
    flat_above: 10000, flat_amount: '1600.00' }));
  await Promise.all([page.waitForLoadState(), page.click('#rule-json-form button[type=submit]')]);
  await Promise.all([page.waitForURL(`${env.base}/membership-fee`), page.click('#confirm-yes')]);
  assert.match(await page.textContent('#rule-table'), /regola personalizzata/);
  assert.equal(await abanoFee(page), '€ 1.600,00');
  await page.close();
});
