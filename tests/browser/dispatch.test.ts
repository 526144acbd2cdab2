/**
 * The closed loop across three screens in Chromium against the real server: a duty officer triages and whistles a
 * new labour case through the duty console (#/duty); the labour bureau's desk (#/dept) sees it arrive with a sound
 * and a banner and reports in with one click; the wall (#/wall) and the duty roll-call board show the report-in
 * without a reload. The duty officer signs in through the login form; the department desk and the wall carry
 * their sessions' cookies. Everything is done by clicks and form fills; the API is used only for background data and
 * for the "someone else" in the conflict case. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { asDept, WALL, type Who } from '../helpers/auth.js';
import { BANTIAN, caseReported, GANGTOU } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { loginThroughForm, makeUser, signInContext } from './auth-harness.js';
import { command, launchConsoleChromium, seedConsoleScenario } from './console-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, launchChromium, postEvents, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[dispatch browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const VIEWPORT = { width: 1920, height: 1080 };
const TITLE = '某电子厂拖欠12名员工工资（端到端）';
const OFFICER = { username: 'li.zhiban', name: '李值班', role: 'duty', password: 'duty-officer-password' } as const;

describe.skipIf(!available)('dispatch consoles in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let duty: Page;
  let dept: Page;
  let wall: Page;
  let caseId: string;
  let whistleId: string;
  let phase = 'load';
  const watched: Record<string, Array<{ phase: string; text: string }>> = {};

  /** A page signed in as `who` (by its session cookie), or signed out when `who` is null. */
  const open = async (name: string, hash: string, who: Who | null): Promise<Page> => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    if (who) await signInContext(context, server, who);
    const page = await context.newPage();
    watched[name] = watchErrors(page, () => phase);
    await page.goto(`${server.url}/${hash}`);
    return page;
  };
  const soundsPlayed = (page: Page) => page.evaluate(() => Number(document.body.dataset.soundsPlayed ?? 0));
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}-1920x1080.png`) });

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn' });
    await makeUser(server, OFFICER);
    await seedConsoleScenario(server.url);
    browser = await launchConsoleChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('the duty officer finds a new labour case in the queue, triages it and whistles it through the UI', async () => {
    const [result] = await postEvents(server.url, [caseReported({ category: 'labour', title: TITLE, peopleInvolved: 12, streetCode: BANTIAN, communityCode: GANGTOU })]);
    caseId = result!.caseId!;

    // The duty officer opens the desk signed out, signs in through the form and lands back on the desk.
    phase = 'login';
    duty = await open('duty', '#/duty', null);
    await duty.getByTestId('login-form').waitFor();
    await loginThroughForm(duty, OFFICER.username, OFFICER.password);
    await duty.getByTestId('duty-console').waitFor();
    expect(new URL(duty.url()).hash).toBe('#/duty');
    expect(await duty.getByTestId('signed-in-user').textContent()).toContain(OFFICER.name);
    phase = 'load';
    dept = await open('dept', '#/dept', asDept('labour'));
    wall = await open('wall', '#/wall', WALL);
    // The department desk is the session's own: no department to choose.
    expect(await dept.getByTestId('dept-console').getAttribute('data-dept')).toBe('labour');
    expect(await dept.locator('select').count()).toBe(0);
    await dept.getByTestId('dept-parts').locator('.pane-body').getByText(/暂无|拖欠|纠纷|投诉/).first().waitFor();

    phase = 'triage';
    const row = duty.locator(`[data-testid="queue-row"][data-case-id="${caseId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('坂田街道 · 岗头社区');
    await row.click();
    const detail = duty.getByTestId('case-detail');
    await expect.poll(() => detail.getAttribute('data-case-id')).toBe(caseId);
    const triage = duty.getByTestId('triage-form');
    await triage.getByText('街道', { exact: true }).click();
    await triage.getByText('人民调解', { exact: true }).click();
    await triage.getByTestId('triage-submit').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('triaged');
    await expect.poll(() => row.getAttribute('data-status')).toBe('triaged');

    phase = 'whistle';
    await detail.getByTestId('open-whistle').click();
    const dialog = duty.getByTestId('whistle-dialog');
    await dialog.getByTestId('whistle-form').waitFor();
    // The routing rules' suggestion for 12 workers unpaid: labour leads, with assists and their reason, urgent.
    expect(await dialog.getByTestId('whistle-lead').inputValue()).toBe('labour');
    expect(await dialog.getByTestId('lead-reason').textContent()).toContain('群体性欠薪');
    const assists = await dialog.getByTestId('assist-chosen').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.dept));
    expect(assists).toEqual(expect.arrayContaining(['police', 'petition', 'street-440307013']));
    expect(await dialog.getByTestId('urgency-urgent').isChecked()).toBe(true);
    await dialog.getByTestId('whistle-note').fill('请人力资源局牵头，今日内与企业负责人约谈');
    await shot(duty, 'dispatch-whistle-dialog');
    const before = await soundsPlayed(dept);
    await dialog.getByTestId('whistle-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => detail.getAttribute('data-status')).toBe('whistled');

    const card = duty.locator(`[data-testid="rollcall-board"] [data-case-id="${caseId}"]`);
    await card.waitFor();
    whistleId = (await card.getAttribute('data-whistle'))!;
    expect(whistleId).toBeTruthy();
    expect(await card.locator('[data-dept="labour"]').getAttribute('data-rollcall')).toBe('pending');

    phase = 'dept-alert';
    const part = dept.locator(`[data-testid="dept-part"][data-whistle="${whistleId}"]`);
    await part.waitFor({ timeout: 2000 });
    expect(await part.textContent()).toContain(TITLE);
    expect(await part.textContent()).toContain('牵头');
    await expect.poll(() => part.getAttribute('data-alert')).toBe('true');
    await dept.getByTestId('whistle-alert').getByText(TITLE).waitFor();
    await expect.poll(() => soundsPlayed(dept)).toBeGreaterThan(before);
    await shot(dept, 'dispatch-dept-alert');
  });

  it('one click on 报到 shows on the wall and on the duty roll-call board without a reload', async () => {
    phase = 'report-in';
    const onWall = (state: string) => `[data-whistle="${whistleId}"] [data-dept="labour"][data-rollcall="${state}"]`;
    // The wall must have the whistle (still pending) before the click, so what is timed is the report-in alone.
    await wall.waitForSelector(onWall('pending'), { timeout: 5000 });
    const part = dept.locator(`[data-testid="dept-part"][data-whistle="${whistleId}"]`);

    const clicked = Date.now();
    await part.getByTestId('report-in').click();
    // The time is printed, not asserted: this machine is shared and noisy (figures belong in bench/).
    await wall.waitForSelector(onWall('reported'), { timeout: 10_000 });
    const wallMs = Date.now() - clicked;
    console.info(`[dispatch] report-in click → wall roll-call: ${wallMs} ms`);

    const board = duty.locator(`[data-testid="rollcall-board"] [data-whistle="${whistleId}"] [data-dept="labour"]`);
    await expect.poll(() => board.getAttribute('data-rollcall'), { timeout: 2000 }).toBe('reported');
    expect(await board.textContent()).toContain('已报到');
    await expect.poll(() => part.getAttribute('data-alert')).toBe('false');
    expect(await dept.getByTestId('whistle-alert').count()).toBe(0);

    await duty.locator(`[data-testid="rollcall-board"] [data-whistle="${whistleId}"] .title`).click();
    await duty.getByTestId('timeline').locator('[data-type="whistle.reportedIn"]').waitFor();
    await shot(duty, 'dispatch-duty');
  });

  it('closes the loop through the UI: the lead submits its result, the centre follows up and archives', async () => {
    phase = 'close-out';
    // The department: open the case, record progress, submit the result.
    await dept.locator(`[data-testid="dept-part"][data-whistle="${whistleId}"] .info`).click();
    const actions = dept.getByTestId('dept-actions');
    await actions.getByTestId('progress-text').fill('已约谈企业负责人，承诺本周内分两批发放');
    await actions.getByTestId('progress-submit').click();
    await dept.getByTestId('timeline').locator('[data-type="whistle.progress"]').waitFor();
    await actions.getByTestId('resolve-form').getByText('调解成功', { exact: true }).click();
    await actions.getByTestId('resolve-submit').click();
    await expect.poll(() => dept.getByTestId('case-detail').getAttribute('data-status')).toBe('resolved');

    // The centre: the case waits for its follow-up visit; a low score would reopen it, and the form says so.
    await duty.getByTestId('queue-tab-followUp').click();
    const row = duty.locator(`[data-testid="queue-row"][data-case-id="${caseId}"]`);
    await row.click();
    const detail = duty.getByTestId('case-detail');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('resolved');
    expect(await detail.getByTestId('duty-actions').getAttribute('data-actions')).toBe('confirm followUp');
    const followUp = detail.getByTestId('followup-form');
    await followUp.getByText('2 分', { exact: true }).click();
    expect(await followUp.getByTestId('reopen-warning').textContent()).toContain('重新打开');
    await followUp.getByText('5 分', { exact: true }).click();
    expect(await followUp.getByTestId('reopen-warning').count()).toBe(0);
    await followUp.getByRole('button', { name: '登记回访' }).click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('followedUp');
    await detail.getByTestId('archive').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('archived');
    await duty.getByTestId('queue-tab-all').click();
  });

  it('offers a clear button to enable the sound when the browser blocks audio, and the click enables it', async () => {
    phase = 'sound-blocked';
    // The default autoplay policy, as on a real desk before anyone touched the page.
    const strict = await launchChromium();
    try {
      const context = await strict.newContext({ viewport: VIEWPORT });
      await signInContext(context, server, asDept('police'));
      const page = await context.newPage();
      const seen = watchErrors(page, () => phase);
      // Headless Chromium sometimes lets a fresh AudioContext run without a gesture, whatever --autoplay-policy says.
      // Start every context suspended, as a desk browser does before its first click; the console is not touched.
      await page.addInitScript(() => {
        const Real = window.AudioContext;
        window.AudioContext = class extends Real {
          constructor(options?: AudioContextOptions) {
            super(options);
            void this.suspend();
          }
        };
      });
      await page.goto(`${server.url}/#/dept`);
      const enable = page.getByTestId('sound-enable');
      await enable.waitFor();
      expect(await enable.textContent()).toContain('点击启用提示音');
      await enable.click();
      await page.getByTestId('sound-on').waitFor();
      expect(seen).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('tells the officer when someone else changed the case first, reloads it, and then accepts the whistle', async () => {
    phase = 'conflict';
    const [result] = await postEvents(server.url, [caseReported({ category: 'debt', title: '冲突测试：货款拖欠', peopleInvolved: 2, severity: 2 })]);
    const id = result!.caseId!;
    await command(server.url, id, { role: 'duty' }, { type: 'triage', tier: 'community', channel: 'people' });
    const row = duty.locator(`[data-testid="queue-row"][data-case-id="${id}"]`);
    await row.click({ timeout: 5000 });
    const detail = duty.getByTestId('case-detail');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('triaged');
    await detail.getByTestId('open-whistle').click();
    const dialog = duty.getByTestId('whistle-dialog');
    await dialog.getByTestId('whistle-form').waitFor();
    // Another officer re-triages it meanwhile: the dialog's version is now stale.
    await command(server.url, id, { role: 'duty' }, { type: 'triage', tier: 'street', channel: 'judicial' });
    await dialog.getByTestId('whistle-submit').click();
    const error = dialog.getByTestId('command-error');
    await error.waitFor({ timeout: 5000 });
    expect(await error.textContent()).toContain('案件已被他人更新');
    expect(await error.textContent()).toContain('已分流');
    // Reloaded: the case shows the other officer's triage, and a second submit is based on it.
    await expect.poll(() => detail.textContent()).toContain('司法调解');
    await dialog.getByTestId('whistle-submit').click({ timeout: 5000 });
    await dialog.waitFor({ state: 'detached', timeout: 5000 });
    await expect.poll(() => detail.getAttribute('data-status')).toBe('whistled');
  });

  it('logged no console errors on any of the three pages', () => {
    expect(Object.keys(watched).sort()).toEqual(['dept', 'duty', 'wall']);
    // Chromium logs every 4xx answer: the 409 the conflict case provokes on purpose, and the 401 of "who am I?" on the
    // signed-out desk before its officer signs in, are not errors of the app.
    const provoked = (e: { phase: string; text: string }) =>
      (e.phase === 'conflict' && /status of 409 \(Conflict\)/.test(e.text)) || (e.phase === 'login' && /status of 401 \(Unauthorized\)/.test(e.text));
    const found = Object.entries(watched).flatMap(([page, list]) => list.filter((e) => !provoked(e)).map((e) => ({ page, ...e })));
    expect(found).toEqual([]);
    expect(watched.duty!.filter(provoked).map((e) => e.phase)).toEqual(['login', 'conflict']);
  });
});
