/**
 * The duty desk's intake queue in Chromium (issue 16): with more open cases than a page holds, it says the true total,
 * shows the oldest first, pages forward and back, and switches to newest first — in Chinese and in English.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { DUTY } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { signInContext } from './auth-harness.js';
import { launchConsoleChromium } from './console-harness.js';
import { CHROMIUM, chromiumAvailable, ensureClientBuilt, postEvents, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[queue browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const CASES = 63;
const T0 = Date.UTC(2026, 11, 1, 1);

describe.skipIf(!available)('the intake queue in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: Array<{ phase: string; text: string }>;
  const ids: string[] = [];

  beforeAll(async () => {
    ensureClientBuilt();
    server = await startServer({ LOG_LEVEL: 'warn', RISK_RULES: false });
    const results = await postEvents(
      server.url,
      Array.from({ length: CASES }, (_, i) => caseReported({ title: `排队第${i + 1}件纠纷`, reportedAt: new Date(T0 + i * 60_000).toISOString() })),
    );
    ids.push(...results.map((r) => r.caseId!));
    browser = await launchConsoleChromium();
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, server, DUTY);
    page = await context.newPage();
    errors = watchErrors(page, () => 'queue');
    await page.goto(`${server.url}/#/duty`);
    await page.getByTestId('duty-console').waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const shownIds = () => page.locator('[data-testid="queue-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')));
  const countText = () => page.getByTestId('queue-count').textContent();

  it('shows the true total, oldest first, and pages through every case', async () => {
    await page.locator(`[data-testid="queue-row"][data-case-id="${ids[0]}"]`).waitFor();
    expect(await countText()).toContain(`共 ${CASES} 件 · 第 1–50 件`);
    expect(await shownIds()).toEqual(ids.slice(0, 50));

    await page.getByTestId('queue-next').click();
    await page.locator(`[data-testid="queue-row"][data-case-id="${ids[50]}"]`).waitFor();
    expect(await countText()).toContain(`共 ${CASES} 件 · 第 51–${CASES} 件`);
    expect(await shownIds()).toEqual(ids.slice(50));
    expect(await page.getByTestId('queue-next').isDisabled()).toBe(true);

    await page.getByTestId('queue-prev').click();
    await page.locator(`[data-testid="queue-row"][data-case-id="${ids[0]}"]`).waitFor();
    expect(await page.getByTestId('queue-prev').isDisabled()).toBe(true);
  });

  it('switches to newest first, from the first page', async () => {
    await page.getByTestId('queue-next').click();
    await page.locator(`[data-testid="queue-row"][data-case-id="${ids[50]}"]`).waitFor();
    await page.getByTestId('queue-sort').selectOption('newest');
    await page.locator(`[data-testid="queue-row"][data-case-id="${ids.at(-1)}"]`).waitFor();
    expect(await shownIds()).toEqual(ids.slice(-50).reverse());
    expect(await countText()).toContain('第 1–50 件');
  });

  it('says the same in English', async () => {
    await page.evaluate(() => localStorage.setItem('sygl.locale', 'en'));
    await page.reload();
    await page.getByTestId('duty-console').waitFor();
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    const text = await countText();
    expect(text).toMatch(new RegExp(`1–50 of ${CASES} cases`));
    expect(errors).toEqual([]);
  });
});
