/**
 * Signing in, in Chromium against the real server: the login page (Chinese first, English on the toggle) says what
 * went wrong — a wrong password, a lockout with the minutes to wait — and sends each role to its home, or back to
 * where the user was; a wall signs in through its kiosk link; a session that ends sends the user back to sign in with
 * 会话已过期; signing out; a view the role may not use says so. Screenshots: test-artifacts/login-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { asAdmin, originOf, TEST_ADMIN_PASSWORD } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { kioskCode, loginThroughForm, makeUser } from './auth-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, launchChromium, postEvents, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[login browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const VIEWPORT = { width: 1920, height: 1080 };
const PASSWORD = 'a-long-test-password';
const MAX_FAILURES = 3;
const USERS = {
  duty: { username: 'wang.duty', name: '王值班', role: 'duty' },
  dept: { username: 'zhou.labour', name: '周劳动', role: 'dept', deptId: 'labour' },
  leader: { username: 'chen.leader', name: '陈主任', role: 'leader' },
  locked: { username: 'lock.me', name: '锁定测试', role: 'duty' },
} as const;

/** What Chromium logs for answers this test provokes on purpose: "who am I?" while signed out, wrong passwords, the lock. */
const PROVOKED = /status of (401 \(Unauthorized\)|429 \(Too Many Requests\))/;

describe.skipIf(!available)('signing in in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let phase = 'load';
  /** Console errors of every page opened, to check at the end. */
  const pages: Array<Array<{ phase: string; text: string }>> = [];

  /** A page of its own (no cookies) at `hash`. */
  const fresh = async (hash: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    pages.push(watchErrors(page, () => phase));
    await page.goto(`${server.url}/${hash}`);
    return page;
  };
  const hashOf = (page: Page) => new URL(page.url()).hash;
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn', LOGIN_MAX_FAILURES: MAX_FAILURES });
    for (const user of Object.values(USERS)) await makeUser(server, { ...user, password: PASSWORD });
    await postEvents(server.url, [caseReported({ category: 'neighbour', title: '楼上漏水' })]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks anyone not signed in to sign in, in Chinese, with the English toggle', async () => {
    const page = await fresh('#/duty');
    await page.getByTestId('login-form').waitFor();
    expect(hashOf(page)).toBe('#/login');
    expect(await page.locator('h1').textContent()).toBe('诉源治理指挥中心');
    expect(await page.getByTestId('login-submit').textContent()).toBe('登录');
    expect(await page.getByTestId('login-notice').count()).toBe(0);
    await shot(page, 'login-1920x1080');
    await page.getByRole('button', { name: '切换到英文' }).click();
    expect(await page.getByTestId('login-submit').textContent()).toBe('Sign in');
    expect(await page.getByText('User name').count()).toBe(1);
    await shot(page, 'login-en-1920x1080');
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    // Empty fields are caught before anything is sent.
    await page.getByTestId('login-submit').click();
    expect(await page.getByText('请输入用户名').count()).toBe(1);
  });

  it('says a password is wrong, keeps the user name and clears the password', async () => {
    phase = 'wrong';
    const page = await fresh('#/login');
    await loginThroughForm(page, USERS.duty.username, 'not-the-password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.getAttribute('data-kind')).toBe('invalid');
    expect(await error.textContent()).toBe('用户名或密码错误，或账号已停用');
    expect(await page.getByTestId('login-username').inputValue()).toBe(USERS.duty.username);
    expect(await page.getByTestId('login-password').inputValue()).toBe('');
    await shot(page, 'login-wrong-password');
  });

  it('says the account is locked, and for how many minutes, after too many wrong passwords', async () => {
    phase = 'lockout';
    const page = await fresh('#/login');
    const error = page.getByTestId('login-error');
    for (let i = 0; i < MAX_FAILURES; i++) {
      await loginThroughForm(page, USERS.locked.username, `wrong-${i}-password`);
      await expect.poll(() => error.getAttribute('data-kind')).toBe('invalid');
      await page.evaluate(() => document.querySelector('[data-testid="login-error"]')?.setAttribute('data-kind', 'seen'));
    }
    // Locked now, even with the right password: the page says how long to wait (LOGIN_LOCK_MINUTES, 15 by default).
    await loginThroughForm(page, USERS.locked.username, PASSWORD);
    await expect.poll(() => error.getAttribute('data-kind')).toBe('locked');
    expect(await error.textContent()).toMatch(/登录失败次数过多，已暂时锁定，请 1[45] 分钟后再试/);
    await shot(page, 'login-locked');
    expect(hashOf(page)).toBe('#/login');
  });

  it('takes each role to its own home after signing in', async () => {
    phase = 'homes';
    const homes = [
      { user: USERS.duty.username, password: PASSWORD, hash: '#/duty', view: 'duty-console' },
      { user: USERS.dept.username, password: PASSWORD, hash: '#/dept', view: 'dept-console' },
      { user: USERS.leader.username, password: PASSWORD, hash: '#/leader', view: 'leader-view' },
      { user: 'admin', password: TEST_ADMIN_PASSWORD, hash: '#/admin', view: 'admin-view' },
    ];
    for (const home of homes) {
      const page = await fresh('');
      await page.getByTestId('login-form').waitFor();
      await loginThroughForm(page, home.user, home.password);
      await page.getByTestId(home.view).waitFor();
      expect(hashOf(page), home.user).toBe(home.hash);
      if (home.hash !== '#/admin') expect(await page.getByTestId('signed-in-user').textContent()).toContain(Object.values(USERS).find((u) => u.username === home.user)!.name);
      if (home.hash === '#/dept') expect(await page.getByTestId('dept-console').getAttribute('data-dept')).toBe('labour');
      await page.context().close();
    }
  });

  it('goes back where the user was going: a leader who opened the wall lands on the wall', async () => {
    phase = 'return';
    const page = await fresh('#/wall');
    await page.getByTestId('login-form').waitFor();
    await loginThroughForm(page, USERS.leader.username, PASSWORD);
    await page.getByTestId('wall').waitFor();
    expect(hashOf(page)).toBe('#/wall');
    await page.context().close();
  });

  it('signs a wall in through its kiosk link, which leaves the address at once; a revoked code says so on the login page', async () => {
    phase = 'kiosk';
    const code = await kioskCode(server, '登录测试大屏');
    const page = await fresh(`#/wall?kiosk=${code}`);
    await page.getByTestId('wall').waitFor();
    expect(hashOf(page)).toBe('#/wall');
    expect(await page.content()).not.toContain(code);

    const kiosks = await asAdmin(server, 'GET', '/api/admin/kiosks');
    const id = (kiosks.body.items as Array<{ id: string; name: string }>).find((k) => k.name === '登录测试大屏')!.id;
    expect((await asAdmin(server, 'POST', `/api/admin/kiosks/${id}/revoke`)).status).toBe(200);
    const refused = await fresh(`#/wall?kiosk=${code}`);
    const notice = refused.getByTestId('login-notice');
    await notice.waitFor();
    expect(await notice.getAttribute('data-notice')).toBe('kioskInvalid');
    expect(await notice.textContent()).toContain('大屏授权码无效或已撤销');
    expect(hashOf(refused)).toBe('#/login');
    expect(refused.url()).not.toContain(code);
    await page.context().close();
    await refused.context().close();
  });

  it('sends a user whose session ended to sign in again with 会话已过期, then back to the desk', async () => {
    phase = 'expired';
    const page = await fresh('#/duty');
    await loginThroughForm(page, USERS.duty.username, PASSWORD);
    await page.getByTestId('duty-console').waitFor();
    // The session ends elsewhere (signed out with a copy of the cookie): the next request of the desk finds out.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sygl_session')!;
    const out = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: `${cookie.name}=${cookie.value}`, ...originOf(server) } });
    expect(out.status).toBe(204);
    await page.getByTestId('queue-tab-received').click();
    const notice = page.getByTestId('login-notice');
    await notice.waitFor({ timeout: 5000 });
    expect(await notice.textContent()).toBe('会话已过期，请重新登录');
    expect(hashOf(page)).toBe('#/login');
    await shot(page, 'login-expired');
    await loginThroughForm(page, USERS.duty.username, PASSWORD);
    await page.getByTestId('duty-console').waitFor();
    expect(hashOf(page)).toBe('#/duty');
    await page.context().close();
  });

  it('signs out from the console header, for good', async () => {
    phase = 'logout';
    const page = await fresh('#/login');
    await loginThroughForm(page, USERS.dept.username, PASSWORD);
    await page.getByTestId('dept-console').waitFor();
    await page.getByTestId('logout').click();
    const notice = page.getByTestId('login-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('您已退出登录');
    await page.goto(`${server.url}/#/dept`);
    await page.getByTestId('login-form').waitFor();
    expect(hashOf(page)).toBe('#/login');
    await page.context().close();
  });

  it('tells a department user plainly that the leader dashboard is not theirs', async () => {
    phase = 'no-access';
    const page = await fresh('#/login');
    await loginThroughForm(page, USERS.dept.username, PASSWORD);
    await page.getByTestId('dept-console').waitFor();
    await page.goto(`${server.url}/#/leader`);
    const denied = page.getByTestId('no-access');
    await denied.waitFor();
    expect(await denied.locator('h1').textContent()).toBe('无权访问领导驾驶舱');
    expect(await denied.textContent()).toContain('周劳动');
    // No broken panels: nothing of the leader view was mounted, and nothing it would have fetched was refused.
    expect(await page.getByTestId('leader-view').count()).toBe(0);
    await shot(page, 'login-no-access');
    await page.getByTestId('no-access-home').click();
    await page.getByTestId('dept-console').waitFor();
    await page.context().close();
  });

  it('logged no console errors besides the refusals it provoked', () => {
    const unexpected = pages.flat().filter((e) => !PROVOKED.test(e.text));
    expect(unexpected).toEqual([]);
  });
});
