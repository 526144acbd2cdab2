/**
 * The duty desk hears a new red alert: with the notifications permission granted to the page, a red alert raised
 * through intake shows a system notification (the page's Notification constructor is observed through an init
 * script that records each call before passing it on) and plays the alert sound (oscillators counted by sound.ts).
 * A muted kind stays silent. Each console shows its first-visit hint, in zh and en, until dismissed, and remembers that.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { asDept, DUTY, LEADER, type Who } from '../helpers/auth.js';
import { alertRaised, caseReported, MAAN_TANG } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { signInContext } from './auth-harness.js';
import { launchConsoleChromium } from './console-harness.js';
import { CHROMIUM, chromiumAvailable, ensureClientBuilt, postEvents } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[duty alarm browser tests] SKIPPED: no Chromium at ${CHROMIUM}`);
const CJK = /[\u3400-\u9fff]/;

describe.skipIf(!available)('the duty desk hears what matters', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function open(who: Who, hash: string, lang: 'zh' | 'en' = 'zh', grant = false): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    contexts.push(context);
    if (grant) await context.grantPermissions(['notifications'], { origin: server.url });
    await context.addInitScript((l) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem('sygl.locale', l);
        sessionStorage.setItem('seeded', '1');
      }
      // Observe the page's notifications: record each construction, then pass it on to the real constructor.
      const Real = window.Notification;
      const calls: Array<{ title: string; body?: string; tag?: string }> = [];
      (window as unknown as { __notifications: typeof calls }).__notifications = calls;
      if (Real) {
        const Observed = function (this: unknown, title: string, options?: NotificationOptions) {
          calls.push({ title, body: options?.body, tag: options?.tag });
          return new Real(title, options);
        } as unknown as typeof Notification;
        Object.defineProperty(Observed, 'permission', { get: () => Real.permission });
        Observed.requestPermission = Real.requestPermission.bind(Real);
        window.Notification = Observed;
      }
    }, lang);
    await signInContext(context, server, who);
    const page = await context.newPage();
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications: Array<{ title: string; body?: string; tag?: string }> }).__notifications);
  const sounds = (page: Page) => page.evaluate(() => Number(document.body.dataset.soundsPlayed ?? 0));

  beforeAll(async () => {
    ensureClientBuilt();
    server = await startServer({ LOG_LEVEL: 'warn' });
    await postEvents(server.url, [caseReported({ communityCode: MAAN_TANG })]);
    browser = await launchConsoleChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('notifies a new 特急 case even when the queue page shows only older ones (the queue is oldest first)', async () => {
    // More waiting cases than a page holds: the new one is past the first page of the queue.
    await postEvents(server.url, Array.from({ length: 55 }, (_, i) => caseReported({ title: `等候中的纠纷${i}`, communityCode: MAAN_TANG })));
    const page = await open(DUTY, '#/duty', 'zh', true);
    await page.waitForFunction(() => document.querySelector('[data-testid="duty-alarm"]')?.getAttribute('data-permission') === 'granted');
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    await page.waitForLoadState('networkidle');
    const before = (await notifications(page)).length;
    await postEvents(server.url, [caseReported({ title: '特急：群体聚集', severity: 5, peopleInvolved: 60, communityCode: MAAN_TANG })]);
    await page.waitForFunction((n) => (window as unknown as { __notifications: unknown[] }).__notifications.length > n, before);
    const shown = (await notifications(page)).slice(before);
    expect(shown.map((n) => n.title)).toHaveLength(1);
    expect(shown[0]!.body).toContain('坂田');
    await page.context().close();
  });

  it('shows a notification and plays the sound for a new red alert, and neither once red alerts are muted', async () => {
    const page = await open(DUTY, '#/duty', 'zh', true);
    const bar = page.getByTestId('duty-alarm');
    await bar.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="duty-alarm"]')?.getAttribute('data-permission') === 'granted');
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    // The alert board's first answer is the baseline.
    await page.getByTestId('alerts-panel').waitFor().catch(() => undefined);
    await page.waitForLoadState('networkidle');
    expect(await notifications(page)).toEqual([]);
    const soundsBefore = await sounds(page);

    await postEvents(server.url, [alertRaised({ level: 'red', title: '集体讨薪风险：涉及120人', communityCode: MAAN_TANG })]);
    await page.waitForFunction(() => (window as unknown as { __notifications: unknown[] }).__notifications.length > 0);
    const [shown] = await notifications(page);
    expect(shown!.title).toBe('新的红色预警');
    expect(shown!.body).toContain('坂田');
    // No personal data in a notification that may show on a locked screen: place and category only.
    expect(shown!.body).not.toContain('120');
    await page.waitForFunction((n) => Number(document.body.dataset.soundsPlayed ?? 0) > n, soundsBefore);

    // Muted, a red alert is silent.
    await page.getByTestId('alarm-toggle-redAlert').click();
    expect(await page.getByTestId('alarm-toggle-redAlert').getAttribute('aria-pressed')).toBe('false');
    const heard = (await notifications(page)).length;
    const soundsNow = await sounds(page);
    await postEvents(server.url, [alertRaised({ level: 'red', title: '第二条红色预警', communityCode: MAAN_TANG })]);
    // The alert list shows the second alert: the desk has heard of it.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="alert-row"]').length >= 2);
    expect((await notifications(page)).length).toBe(heard);
    expect(await sounds(page)).toBe(soundsNow);
    // The mute is remembered.
    await page.reload();
    await page.getByTestId('alarm-toggle-redAlert').waitFor();
    expect(await page.getByTestId('alarm-toggle-redAlert').getAttribute('aria-pressed')).toBe('false');
    await page.context().close();
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`shows each console's first-visit hint in ${lang} until it is dismissed, and remembers that`, async () => {
      for (const [who, hash, name] of [
        [DUTY, '#/duty', 'duty'],
        [asDept('labour'), '#/dept', 'dept'],
        [LEADER, '#/leader', 'leader'],
      ] as const) {
        const page = await open(who, hash, lang);
        const hint = page.getByTestId('first-visit-hint');
        await hint.waitFor();
        expect(await hint.getAttribute('data-console')).toBe(name);
        const text = await hint.innerText();
        if (lang === 'zh') expect(text).toMatch(CJK);
        else expect(text).not.toMatch(CJK);
        await page.getByTestId('first-visit-hint-close').click();
        await hint.waitFor({ state: 'detached' });
        await page.reload();
        await page.getByTestId('view-title').or(page.locator('header')).first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.getByTestId('first-visit-hint').count()).toBe(0);
        await page.context().close();
      }
    });
  }
});
