/**
 * The reports and ledgers view (#/reports) in Chromium against the real server, as the duty desk: a daily report for
 * a day with cases shows their count in its frame; a ledger CSV with a bad row is mapped from its headers, validated,
 * the bad row named and the import refused; a good CSV is imported, its cases appear in GET /api/cases, and importing
 * it again adds nothing. Screenshots go to test-artifacts/reports-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import type { CasePage, ClientConfig } from '../../shared/api.js';
import { DUTY, LEADER } from '../helpers/auth.js';
import { BANTIAN, caseReported, GANGTOU } from '../helpers/factories.js';
import { fetchAs, startServer } from '../helpers/server.js';
import { signInContext } from './auth-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, launchChromium, postEvents, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[reports browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const VIEWPORT = { width: 1920, height: 1080 };
const DAY = 86_400_000;
/** Cases reported on the day the report is asked for (two days back, at local noon). */
const CASES_THAT_DAY = 7;

const HEADER = '台账编号,登记时间,纠纷类别,街道,社区,标题,办理结果,办结时间';
const goodRows = [
  'LG-UI-001,2025-03-02 09:30,劳资纠纷,坂田街道,岗头社区,某厂拖欠工资（历史台账）,调解成功,2025-03-10 17:00',
  'LG-UI-002,2025-03-05 14:00,物业纠纷,坂田街道,岗头社区,小区物业费争议（历史台账）,,',
  'LG-UI-003,2025-03-09 10:15,邻里纠纷,坂田街道,岗头社区,楼上漏水邻里矛盾（历史台账）,,',
];
const GOOD_CSV = [HEADER, ...goodRows].join('\n');
// Row 3 of the sheet (the header is row 1) has a date that is no date.
const BAD_CSV = [HEADER, goodRows[0], 'LG-UI-009,2025-13-45 09:00,劳资纠纷,坂田街道,岗头社区,日期写错的一行,,', goodRows[2]].join('\n');

describe.skipIf(!available)('reports view in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let day: string;
  let phase = 'load';
  let errors: Array<{ phase: string; text: string }> = [];

  async function casesTotal(): Promise<number> {
    const res = await fetchAs(server, '/api/cases?limit=1', DUTY);
    expect(res.status).toBe(200);
    return ((await res.json()) as CasePage).total;
  }

  async function upload(name: string, csv: string): Promise<void> {
    await page.getByTestId('import-file-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  }

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn' });
    const config = (await (await fetchAs(server, '/api/client-config', DUTY)).json()) as ClientConfig;
    const tz = config.tzOffsetMinutes * 60_000;
    // Local noon two days back, as an instant.
    day = new Date(Date.now() + tz - 2 * DAY).toISOString().slice(0, 10);
    const noon = Date.parse(`${day}T12:00:00Z`) - tz;
    await postEvents(
      server.url,
      Array.from({ length: CASES_THAT_DAY }, (_, i) => caseReported({ streetCode: BANTIAN, communityCode: GANGTOU, reportedAt: new Date(noon + i * 60_000).toISOString() })),
    );
    // One the day before, which the day's report must not count.
    await postEvents(server.url, [caseReported({ reportedAt: new Date(noon - DAY).toISOString() })]);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: VIEWPORT });
    await signInContext(context, server, DUTY);
    page = await context.newPage();
    errors = watchErrors(page, () => phase);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is linked from the duty desk and shows a daily report with the day’s case count', async () => {
    phase = 'report';
    await page.goto(`${server.url}/#/duty`);
    await page.locator('a[href="#/reports"]').click();
    await page.getByTestId('reports-view').waitFor();
    expect(await page.locator('h1').textContent()).toContain('报表与台账');

    await page.getByTestId('report-kind-daily').click();
    await page.getByTestId('report-date').fill(day);
    await expect.poll(() => page.getByTestId('report-period').textContent()).toContain(`${day} 至 ${day}`);
    await expect.poll(() => page.getByTestId('report-viewer').getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
    const frame = page.frameLocator('[data-testid="report-frame"]');
    const newCases = frame.locator('.card').filter({ hasText: '新增案件' }).first().locator('.value');
    await expect.poll(() => newCases.textContent(), { timeout: 10_000 }).toBe(String(CASES_THAT_DAY));
    expect(await page.getByTestId('report-frame').getAttribute('sandbox')).toBe('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-report.png') });

    // A street with no cases that day.
    await page.getByTestId('report-street').selectOption('440307003');
    await expect.poll(() => newCases.textContent(), { timeout: 20_000 }).toBe('0');

    // The address keeps the report asked for: a reload shows it again.
    expect(page.url()).toContain(`date=${day}`);
    expect(page.url()).toContain('street=440307003');
    await page.reload();
    await page.getByTestId('report-frame').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('report-date').inputValue()).toBe(day);
    expect(await page.getByTestId('report-street').inputValue()).toBe('440307003');
  });

  it('maps a ledger with a bad row, names the row and will not import it', async () => {
    phase = 'import-bad';
    await page.getByTestId('reports-tab-import').click();
    await upload('bad-ledger.csv', BAD_CSV);
    await page.getByTestId('import-mapping').waitFor({ timeout: 20_000 });
    // Prefilled from the headers.
    expect(await page.getByTestId('mapping-sourceRef').inputValue()).toBe('台账编号');
    expect(await page.getByTestId('mapping-reportedAt').inputValue()).toBe('登记时间');
    expect(await page.getByTestId('mapping-community').inputValue()).toBe('社区');
    expect(await page.getByTestId('import-preview').locator('tbody tr').count()).toBe(3);

    await page.getByTestId('import-validate').click();
    await page.getByTestId('import-report').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('report-error-rows').textContent()).toBe('1');
    const bad = page.getByTestId('import-error');
    expect(await bad.first().getAttribute('data-row')).toBe('3');
    expect(await bad.first().textContent()).toContain('登记时间');
    // The UI is in Chinese, and so is why the row is bad.
    expect(await bad.first().getByTestId('import-error-reason').textContent()).toBe('“2025-13-45 09:00”不是有效的日期时间（请写成 YYYY-MM-DD HH:mm 或 YYYY/M/D）');
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-import-bad.png') });
  });

  it('imports a good ledger: the cases appear, and importing it again adds none', async () => {
    phase = 'import-good';
    const before = await casesTotal();
    await page.getByTestId('import-reset').click();
    await upload('ledger.csv', GOOD_CSV);
    await page.getByTestId('import-mapping').waitFor({ timeout: 20_000 });
    await page.getByTestId('import-validate').click();
    await expect.poll(() => page.getByTestId('import-report').getAttribute('data-error-rows'), { timeout: 20_000 }).toBe('0');
    expect(await page.getByTestId('report-valid').textContent()).toBe('3');
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('result-cases').textContent()).toBe('3');
    expect(await page.getByTestId('result-resolutions').textContent()).toBe('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-import-done.png') });
    await expect.poll(casesTotal, { timeout: 10_000 }).toBe(before + 3);

    await page.getByTestId('import-again').click();
    await upload('ledger.csv', GOOD_CSV);
    await page.getByTestId('import-mapping').waitFor({ timeout: 20_000 });
    await page.getByTestId('import-validate').click();
    await expect.poll(() => page.getByTestId('report-duplicates').textContent(), { timeout: 20_000 }).toBe('3');
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('result-cases').textContent()).toBe('0');
    expect(await page.getByTestId('result-duplicates').textContent()).toBe('3');
    expect(await casesTotal()).toBe(before + 3);
  });

  it('shows the archive and the ledger export without errors on the page', async () => {
    phase = 'archive';
    await page.getByTestId('reports-tab-archive').click();
    await page.getByTestId('archive-list').waitFor();
    await expect.poll(async () => (await page.getByTestId('archive-row').count()) + (await page.getByTestId('archive-empty').count()), { timeout: 10_000 }).toBeGreaterThan(0);
    phase = 'export';
    await page.getByTestId('reports-tab-export').click();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-xlsx').locator('button').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    expect(errors).toEqual([]);
  });

  it('is listed on the leader view: its latest archived reports open in the reports view', async () => {
    phase = 'leader';
    // The schedule archives the finished days since the first case (three days back) and their week and month.
    const archived = await server.reports.run();
    expect(archived.length).toBeGreaterThan(0);
    const context = await browser.newContext({ viewport: VIEWPORT });
    await signInContext(context, server, LEADER);
    const leader = await context.newPage();
    const leaderErrors = watchErrors(leader, () => phase);
    await leader.goto(`${server.url}/#/leader`);
    const rows = leader.getByTestId('leader-archive-row');
    await rows.first().waitFor({ timeout: 10_000 });
    const id = await rows.first().getAttribute('data-id');
    expect(archived).toContain(id);
    await leader.screenshot({ path: path.join(ARTIFACTS, 'reports-leader.png') });

    await rows.first().locator('a').click();
    await leader.getByTestId('reports-view').waitFor();
    expect(await leader.getByTestId('reports-view').getAttribute('data-tab')).toBe('archive');
    await expect.poll(() => leader.locator(`[data-testid="archive-row"][data-id="${id}"]`).getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
    const viewer = leader.getByTestId('archive-viewer').getByTestId('report-viewer');
    await expect.poll(() => viewer.getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
    const frame = leader.frameLocator('[data-testid="archive-viewer"] [data-testid="report-frame"]');
    await expect.poll(() => frame.locator('.card').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await leader.screenshot({ path: path.join(ARTIFACTS, 'reports-archive.png') });
    expect(leaderErrors).toEqual([]);
    await context.close();
  });
});
