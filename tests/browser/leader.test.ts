/**
 * The leader view (#/leader) in Chromium against the real server. The server's clock starts three days back and is
 * moved forward hour by hour while cases and alerts come in, so the heat history has real frames to replay; then it
 * runs at real time. Checks the ranking, the heatmaps drawn, the explanation on click, the time slider and the
 * language toggle; screenshots go to test-artifacts/leader.png (Chinese) and leader-en.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { forgetServer, LEADER } from '../helpers/auth.js';
import { alertRaised, BANTIAN, caseReported, GANGTOU, MAAN_TANG, PINGHU } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { signInContext } from './auth-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, launchChromium, postEvents, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[leader browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const HOUR = 3_600_000;
const SEED_HOURS = 72;
const VIEWPORT = { width: 1920, height: 1080 };
const TITLE = '某电子厂拖欠员工工资（领导视图）';
const PARTY = '李四光';

/** Communities across three streets; 岗头 (GANGTOU) gets the most labour cases and a red alert. */
const AREAS: Array<{ streetCode: string; communityCode: string; every: number; category: string }> = [
  { streetCode: BANTIAN, communityCode: GANGTOU, every: 3, category: 'labour' },
  { streetCode: BANTIAN, communityCode: MAAN_TANG, every: 7, category: 'neighbour' },
  { streetCode: PINGHU, communityCode: '440307003002', every: 9, category: 'property' },
  { streetCode: '440307015', communityCode: '440307015001', every: 13, category: 'family' },
];

describe.skipIf(!available)('leader view in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let offset = -SEED_HOURS * HOUR;
  let phase = 'load';
  let errors: Array<{ phase: string; text: string }> = [];

  /** One seeded hour: the clock moves on, cases of that hour come in, the sweep takes the hour's frame. */
  async function seedHour(h: number): Promise<void> {
    offset += HOUR;
    const events: unknown[] = [];
    for (const { every, ...area } of AREAS) {
      if (h % every !== 0) continue;
      events.push(
        caseReported({
          ...area,
          title: TITLE,
          severity: area.category === 'labour' ? 4 : 2,
          peopleInvolved: 3,
          parties: [{ role: 'applicant', name: PARTY, phone: '13900001111', idNumber: '44030719850101002X' }],
        }),
      );
    }
    if (h === SEED_HOURS - 20) events.push(alertRaised({ level: 'red', streetCode: BANTIAN, communityCode: GANGTOU, title: '岗头社区欠薪群体性风险' }));
    if (h === SEED_HOURS - 6) events.push(alertRaised({ level: 'orange', streetCode: PINGHU, communityCode: '440307003002', title: '平湖物业纠纷集中' }));
    if (events.length) await postEvents(server.url, events);
    await server.risk.sweep();
  }

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn', RISK_SWEEP_MS: 3_600_000 }, { clock: () => Date.now() + offset });
    for (let h = 1; h <= SEED_HOURS; h++) await seedHour(h);
    offset = 0;
    await server.risk.sweep();
    // The admin session that made the intake key began three days back on the server's clock and has since timed out:
    // sign in afresh now.
    forgetServer(server.url);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: VIEWPORT });
    await signInContext(context, server, LEADER);
    page = await context.newPage();
    errors = watchErrors(page, () => phase);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('ranks the hotspots by risk score, communities and streets', async () => {
    await page.goto(`${server.url}/#/leader`);
    const rows = page.getByTestId('hotspot-row');
    await rows.first().waitFor();
    expect(await page.locator('h1').textContent()).toContain('领导驾驶舱');
    expect(await rows.first().getAttribute('data-code')).toBe(GANGTOU);
    expect(await rows.first().textContent()).toContain('岗头');
    const scores = (await rows.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.score))));
    expect(scores.length).toBeGreaterThanOrEqual(4);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0);
    // Sparklines carry the 14 days; the top area had cases today or yesterday.
    const spark = (await rows.first().getByTestId('sparkline').getAttribute('data-values'))!.split(',').map(Number);
    expect(spark).toHaveLength(14);
    expect(spark.slice(-4).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    await page.getByTestId('hotspot-level-street').click();
    await expect.poll(() => page.getByTestId('hotspot-ranking').getAttribute('data-level')).toBe('street');
    expect(await rows.count()).toBe(11);
    expect(await rows.first().getAttribute('data-code')).toBe(BANTIAN);
    await page.getByTestId('hotspot-level-community').click();
    await expect.poll(() => rows.first().getAttribute('data-code')).toBe(GANGTOU);
  });

  it('refreshes the ranking when the socket tells of a new case, without a reload', async () => {
    phase = 'live';
    const newcomer = '440307015004';
    const row = page.locator(`[data-testid="hotspot-row"][data-code="${newcomer}"]`);
    expect(await row.count()).toBe(0);
    await postEvents(server.url, [caseReported({ streetCode: '440307015', communityCode: newcomer, category: 'land', severity: 5, peopleInvolved: 2 })]);
    await row.waitFor({ timeout: 8000 });
    expect(await row.textContent()).toContain('回龙埔');
  });

  it('draws the category × week and hour-of-week heatmaps, the replay map and the open alerts', async () => {
    phase = 'charts';
    await page.waitForFunction((names) => names.every((n) => performance.getEntriesByName(`drawn:${n}`).length > 0), ['leader-fields', 'leader-hours', 'leader-map'], { timeout: 15_000 });
    for (const name of ['leader-fields', 'leader-hours']) {
      // Some cells are painted in a colour other than the panel's: the heatmap has data on its canvas.
      // ECharts may paint on more than one layer: count over every canvas of the chart.
      const painted = await page.locator(`[data-chart="${name}"] canvas`).evaluateAll((canvases) =>
        canvases.reduce((hot, canvas) => {
          const c = canvas as HTMLCanvasElement;
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < data.length; i += 4) if (data[i]! > 150 && data[i + 2]! < 120) hot += 1;
          return hot;
        }, 0),
      );
      expect(painted, name).toBeGreaterThan(50);
    }
    const alerts = page.getByTestId('alert-row');
    await expect.poll(() => alerts.count()).toBeGreaterThanOrEqual(2);
    const levels = await alerts.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.level));
    expect(levels).toEqual(expect.arrayContaining(['red', 'orange']));
    expect(Number(await page.locator('[data-testid="open-alerts"] .level-count[data-level="red"]').getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'leader-overview.png') });
  });

  it('opens a hotspot’s explanation on click: score parts, masked cases, alerts, daily series', async () => {
    phase = 'explain';
    const top = page.getByTestId('hotspot-row').first();
    const score = await top.getAttribute('data-score');
    await top.click();
    const panel = page.getByTestId('risk-explanation');
    await expect.poll(() => panel.getAttribute('data-state')).toBe('ready');
    expect(await panel.getAttribute('data-code')).toBe(GANGTOU);
    expect(await panel.getByTestId('explain-score').textContent()).toBe(score);
    expect(await panel.locator('[data-part]').count()).toBe(4);
    expect(await panel.getByTestId('explain-case').count()).toBeGreaterThan(0);
    expect(await panel.getByTestId('explain-case').first().textContent()).toContain('劳资');
    expect(await panel.getByTestId('explain-alert').count()).toBeGreaterThanOrEqual(1);
    expect((await panel.getByTestId('explain-daily').getAttribute('data-values'))!.split(',').length).toBeGreaterThanOrEqual(2);
    // Masked: no title, party name, phone or ID number anywhere on the page.
    const text = await page.locator('body').innerText();
    for (const secret of [TITLE, PARTY, '13900001111', '44030719850101002X']) expect(text).not.toContain(secret);
  });

  it('moves the replay through the hours with the slider and with play', async () => {
    phase = 'replay';
    const label = page.getByTestId('replay-label');
    const slider = page.getByTestId('replay-slider');
    await expect.poll(() => label.textContent()).toContain('现在');
    const last = Number(await slider.getAttribute('max'));
    expect(last).toBeGreaterThanOrEqual(7 * 24 - 1);
    expect(Number(await label.getAttribute('data-index'))).toBe(last);
    const peakNow = await page.getByTestId('replay-peak').textContent();

    // Two days back: the seeded cases had begun, with fewer of them than now.
    const target = last - 48;
    await slider.fill(String(target));
    await expect.poll(() => label.getAttribute('data-index')).toBe(String(target));
    const at = Date.parse((await label.getAttribute('data-at'))!);
    expect(Date.now() - at).toBeGreaterThan(47 * HOUR);
    expect(Date.now() - at).toBeLessThan(50 * HOUR);
    expect(await label.textContent()).not.toContain('现在');
    expect(await label.textContent()).toMatch(/\d\d-\d\d \d\d:00 周[一二三四五六日]/);
    expect(await page.getByTestId('replay-peak').textContent()).not.toBe(peakNow);

    // Before the seeding began the district was calm.
    await slider.fill('0');
    await expect.poll(() => label.getAttribute('data-index')).toBe('0');
    expect((await page.getByTestId('replay-peak').textContent())!.trim()).toBe('');

    const play = page.getByTestId('replay-play');
    await play.click();
    await expect.poll(() => play.getAttribute('data-playing')).toBe('true');
    await expect.poll(async () => Number(await label.getAttribute('data-index')), { timeout: 5000 }).toBeGreaterThan(3);
    await play.click();
    await expect.poll(() => play.getAttribute('data-playing')).toBe('false');
    await slider.fill(String(target + 30));
    await expect.poll(() => label.getAttribute('data-index')).toBe(String(target + 30));
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'leader.png') });
  });

  it('switches to English and back', async () => {
    phase = 'language';
    await page.getByRole('button', { name: '切换到英文' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Leader dashboard');
    expect(await page.getByTestId('hotspot-ranking').locator('h2').textContent()).toBe('Risk hotspots');
    expect(await page.getByTestId('replay-label').textContent()).toMatch(/\d\d-\d\d \d\d:00 (Mon|Tue|Wed|Thu|Fri|Sat|Sun)/);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'leader-en.png') });
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('领导驾驶舱');
  });

  it('fits a 1366×768 office screen: every pane inside the window, none over another', async () => {
    phase = 'small';
    await page.keyboard.press('Escape');
    await page.getByTestId('risk-explanation').waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(300);
    const problems = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll<HTMLElement>('.leader-body > .slot')].map((el) => ({ name: el.className, box: el.getBoundingClientRect() }));
      const found: string[] = [];
      for (const { name, box } of boxes) {
        if (box.width < 200 || box.height < 150) found.push(`${name} too small`);
        if (box.right > innerWidth + 1 || box.bottom > innerHeight + 1) found.push(`${name} outside`);
      }
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.box;
          const b = boxes[j]!.box;
          if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1) found.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
        }
      return found;
    });
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'leader-1366x768.png') });
  });

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
