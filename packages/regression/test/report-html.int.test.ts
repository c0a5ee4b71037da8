import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { SqlClient } from '@switchyard/postgres';
import { browserForTests } from '@switchyard/testing';
import { type Browser, chromium } from 'playwright-core';
import { buildRunReport } from '../src/report/build-run-report.ts';
import { renderHtml } from '../src/report/render-html.ts';
import { renderJUnit } from '../src/report/render-junit.ts';
import type { RunReport } from '../src/report/run-report.ts';
import { filledStore, run } from './report-fixtures.ts';

const browser = await browserForTests();
const screenshot = new URL('../docs/report.png', import.meta.url);

describe('the HTML report in a real browser', { skip: browser.skip }, () => {
  let client: SqlClient;
  let report: RunReport;
  let chrome: Browser;

  before(async () => {
    const filled = await filledStore();
    client = filled.client;
    report = await buildRunReport(filled.store, run);
    chrome = await chromium.launch({ executablePath: browser.executablePath, args: [...browser.args] });
  });

  after(async () => {
    await chrome?.close();
    await client?.close();
  });

  it('draws a bar per message type with mismatches, the time chart and the examples', {
    timeout: 60_000,
  }, async () => {
    const page = await chrome.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.setContent(renderHtml(report));
    const bars = await page
      .locator('#by-message-type rect.bar')
      .evaluateAll((rects) =>
        rects.map((rect) => [rect.getAttribute('data-label'), rect.getAttribute('data-value')]),
      );
    assert.deepEqual(bars, [
      ['urn:message:shop:InvoiceIssued', '5'],
      ['urn:message:shop:ShipmentBooked', '1'],
    ]);
    // The bars have a size on screen: the SVG rendered, not just parsed.
    const box = await page.locator('#by-message-type rect.bar').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 5, `bar drawn (${JSON.stringify(box)})`);
    assert.equal(await page.locator('#over-time rect.column').count(), report.overTime.buckets.length);
    const latencyBars = await page
      .locator('#latency rect.bar')
      .evaluateAll((rects) =>
        rects.map((rect) => [rect.getAttribute('data-label'), rect.getAttribute('data-value')]),
      );
    assert.deepEqual(latencyBars, [
      ['urn:message:shop:ShipmentBooked · baseline', '1000'],
      ['urn:message:shop:ShipmentBooked · candidate', '1500'],
      ['urn:message:shop:InvoiceIssued · baseline', '0'],
      ['urn:message:shop:InvoiceIssued · candidate', '0'],
    ]);
    assert.match(await page.locator('table.latency').innerText(), /1\.50×/);
    await page.locator('details.difference summary').first().click();
    const example = page.locator('details.difference').first().locator('tr.example').first();
    assert.deepEqual(await example.locator('td').allInnerTexts(), ['o-5', '990', '1005']);
    assert.match(await page.locator('.verdict').innerText(), /FAIL/);
    // Self-contained: nothing fetched beyond the page itself.
    assert.deepEqual(requests, []);
    // The README's picture: taken again only when asked, so a test run leaves the checkout as it was.
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir(new URL('.', screenshot), { recursive: true });
      await page.screenshot({ path: screenshot.pathname, fullPage: true });
    }
  });

  it('gives JUnit XML that an XML parser accepts, odd characters included', { timeout: 60_000 }, async () => {
    const nasty = `a"b'c<d>e&f\u0001g\ud800h😀`;
    const xml = renderJUnit({
      ...report,
      reconcilers: report.reconcilers.map((reconciler) => ({
        ...reconciler,
        name: nasty,
        failures: reconciler.failures.map((failure) => ({ ...failure, detail: nasty })),
      })),
    });
    const page = await chrome.newPage();
    const parsed = await page.evaluate((text) => {
      // The test's TypeScript has no DOM library; this runs in the page, where DOMParser exists.
      const { DOMParser } = globalThis as unknown as { DOMParser: new () => XmlParser };
      const document = new DOMParser().parseFromString(text, 'application/xml');
      const error = document.querySelector('parsererror');
      return {
        error: error?.textContent ?? null,
        names: [...document.querySelectorAll('testcase')].map((testcase) => testcase.getAttribute('name')),
        failures: document.querySelectorAll('failure').length,
      };
    }, xml);
    assert.equal(parsed.error, null);
    assert.deepEqual(parsed.names, [`a"b'c<d>e&f\\u{1}g\\u{D800}h😀`, `a"b'c<d>e&f\\u{1}g\\u{D800}h😀`]);
    assert.equal(parsed.failures, 7);
  });
});

/** The little of the browser's DOMParser this test uses. */
interface XmlParser {
  parseFromString(
    text: string,
    type: string,
  ): {
    querySelector(selector: string): { textContent: string | null } | null;
    querySelectorAll(
      selector: string,
    ): Iterable<{ getAttribute(name: string): string | null }> & { length: number };
  };
}
