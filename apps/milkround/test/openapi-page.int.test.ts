import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserForTests } from '@switchyard/testing';
import { type Browser, chromium } from 'playwright-core';
import { milkroundModules } from '../src/app.ts';
import { type RunningMilkround, startMilkround } from './support/milkround-host.ts';

const browser = await browserForTests();

describe('the OpenAPI page in a real browser', { skip: browser.skip }, () => {
  let milkround: RunningMilkround;
  let chrome: Browser;

  before(async () => {
    milkround = await startMilkround({ modules: milkroundModules() });
    chrome = await chromium.launch({ executablePath: browser.executablePath, args: [...browser.args] });
  });

  after(async () => {
    await chrome?.close();
    await milkround?.stop();
  });

  it('lists every module’s operations and opens one to try', { timeout: 60_000 }, async () => {
    const page = await chrome.newPage();
    await page.goto(`${milkround.url}/docs/`);
    // Swagger UI renders one block per operation, its path in a data attribute.
    const paths = page.locator('.opblock-summary-path');
    await paths.first().waitFor();
    const shown = await paths.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute('data-path')),
    );
    for (const path of ['/memberships', '/orders/standing', '/deliveries/runs', '/returns/complaints']) {
      assert.ok(shown.includes(path), `${path} is on the page (shown: ${shown.join(', ')})`);
    }
    await page.locator('.opblock-post .opblock-summary-path[data-path="/orders/one-off"]').click();
    await page.getByRole('button', { name: 'Try it out' }).waitFor();
    assert.match(await page.locator('.opblock.is-open').innerText(), /deliveryDate/);
  });
});
