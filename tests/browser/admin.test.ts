/**
 * The administration view (#/admin) in Chromium against the real server, all by clicks and form fills: create a
 * department user who can then sign in; edit, reset the password, disable and enable; make a wall code that is shown
 * once with a copyable wall link that signs a wall in, and revoke it; make an integration key for chosen types and
 * sources, see its last use, revoke it; filter and page the audit log and verify its chain. What the UI did is read
 * back through the API. Screenshots: test-artifacts/admin-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { ADMIN, asAdmin, authHeaders, DUTY } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { startServer } from '../helpers/server.js';
import { signInContext } from './auth-harness.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, ensureClientBuilt, launchChromium, watchErrors } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[admin browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const VIEWPORT = { width: 1920, height: 1080 };
const NEW_USER = { username: 'zhao.min', name: '赵敏', password: 'zhao-min-first-password' };

async function signIn(server: { url: string }, username: string, password: string) {
  const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, body: (await res.json()) as { role?: string; deptId?: string; name?: string } };
}

describe.skipIf(!available)('administration in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let phase = 'load';
  let errors: Array<{ phase: string; text: string }> = [];

  const tab = async (name: 'users' | 'kiosks' | 'keys' | 'audit') => {
    await page.getByTestId(`admin-tab-${name}`).click();
    await expect.poll(() => page.getByTestId('admin-view').getAttribute('data-tab')).toBe(name);
  };
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const userRow = (username: string) => page.locator(`[data-testid="user-row"][data-username="${username}"]`);

  beforeAll(async () => {
    ensureClientBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ LOG_LEVEL: 'warn' });
    await authHeaders(server, DUTY); // a duty officer in the list, and their sign-in in the audit log
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORT });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await signInContext(context, server, ADMIN);
    page = await context.newPage();
    errors = watchErrors(page, () => phase);
    await page.goto(`${server.url}/#/admin`);
    await page.getByTestId('admin-view').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the users and creates a department user, who can then sign in to that department', async () => {
    phase = 'create-user';
    await userRow('admin').waitFor();
    await userRow('t-duty').waitFor();
    await page.getByTestId('user-new').click();
    const form = page.getByTestId('user-form');
    expect(await form.getAttribute('data-mode')).toBe('create');
    await form.getByTestId('user-username').fill(NEW_USER.username);
    await form.getByTestId('user-name').fill(NEW_USER.name);
    await form.getByText('部门', { exact: true }).click();
    await form.getByTestId('user-dept').selectOption('labour');
    await form.getByTestId('user-password').fill('short');
    await form.getByTestId('user-submit').click();
    // Checked with the shared schema before anything is sent.
    expect(await form.getByText('密码至少 12 个字符').count()).toBe(1);
    expect(await userRow(NEW_USER.username).count()).toBe(0);
    await form.getByTestId('user-password').fill(NEW_USER.password);
    await form.getByTestId('user-submit').click();
    await userRow(NEW_USER.username).waitFor();
    expect(await page.getByTestId('user-message').textContent()).toBe(`已创建用户 ${NEW_USER.username}`);
    expect(await userRow(NEW_USER.username).textContent()).toContain('人力资源局');
    await expect.poll(() => page.getByTestId('user-form').getAttribute('data-mode')).toBe('edit');
    await shot('admin-users');

    const signedIn = await signIn(server, NEW_USER.username, NEW_USER.password);
    expect(signedIn).toMatchObject({ status: 200, body: { role: 'dept', deptId: 'labour', name: NEW_USER.name } });
  });

  it('renames a user and resets the password; disabling stops sign-in, enabling lets it again', async () => {
    phase = 'edit-user';
    await userRow(NEW_USER.username).click();
    const form = page.getByTestId('user-form');
    await form.getByTestId('user-name').fill('赵敏（劳动监察）');
    const newPassword = 'zhao-min-second-password';
    await form.getByTestId('user-password').fill(newPassword);
    await form.getByTestId('user-submit').click();
    await expect.poll(() => page.getByTestId('user-message').textContent()).toBe('已保存');
    await expect.poll(() => userRow(NEW_USER.username).textContent()).toContain('赵敏（劳动监察）');
    expect((await signIn(server, NEW_USER.username, NEW_USER.password)).status).toBe(401);
    expect((await signIn(server, NEW_USER.username, newPassword)).status).toBe(200);

    await page.getByTestId('user-toggle-disabled').click();
    await expect.poll(() => userRow(NEW_USER.username).getAttribute('data-disabled')).toBe('true');
    expect(await page.getByTestId('user-form').textContent()).toContain('该账号已停用');
    expect((await signIn(server, NEW_USER.username, newPassword)).status).toBe(401);

    await page.getByTestId('user-toggle-disabled').click();
    await expect.poll(() => userRow(NEW_USER.username).getAttribute('data-disabled')).toBe('false');
    expect((await signIn(server, NEW_USER.username, newPassword)).status).toBe(200);
    // The admin cannot disable themself here (the server also keeps the last admin).
    await userRow('admin').click();
    expect(await page.getByTestId('user-toggle-disabled').count()).toBe(0);
  });

  it('makes a wall code shown once, with a copyable wall link that signs a wall in; revoking it stops it', async () => {
    phase = 'kiosk';
    await tab('kiosks');
    await page.getByTestId('kiosk-name').fill('指挥中心主屏');
    await page.getByTestId('kiosk-submit').click();
    const secret = page.getByTestId('secret-once');
    await secret.waitFor();
    const code = await secret.getByTestId('secret-value').inputValue();
    const link = await secret.getByTestId('secret-url').inputValue();
    expect(code.length).toBeGreaterThanOrEqual(16);
    expect(link).toBe(`${server.url}/#/wall?kiosk=${encodeURIComponent(code)}`);
    expect(await secret.textContent()).toContain('仅显示这一次');
    await secret.getByTestId('copy-url').click();
    await expect.poll(() => secret.getByTestId('copy-url').textContent()).toBe('已复制');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await shot('admin-kiosk-code');

    // Once dismissed, the code is nowhere on the page, and the list never shows it.
    await secret.getByTestId('secret-done').click();
    await secret.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(code);
    const row = page.locator('[data-testid="kiosk-row"]', { hasText: '指挥中心主屏' });
    expect(await row.getAttribute('data-revoked')).toBe('false');

    // The link signs a wall in.
    const wallContext = await browser.newContext({ viewport: VIEWPORT });
    const wall = await wallContext.newPage();
    await wall.goto(link);
    await wall.getByTestId('wall').waitFor();
    expect(new URL(wall.url()).hash).toBe('#/wall');
    await wallContext.close();

    await row.getByTestId('revoke').click();
    expect(await row.getByTestId('revoke-confirm').textContent()).toContain('确认撤销“指挥中心主屏”');
    await row.getByTestId('revoke-yes').click();
    await expect.poll(() => row.getAttribute('data-revoked')).toBe('true');
    const refused = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(refused.status).toBe(401);
  });

  it('makes an integration key for chosen event types and sources, shows its last use, and revokes it', async () => {
    phase = 'key';
    await tab('keys');
    const form = page.getByTestId('key-create');
    await form.getByTestId('key-name').fill('12345热线平台');
    await form.getByTestId('key-submit').click();
    expect(await form.getByText('至少选择一个来源').count()).toBe(1);
    await form.getByTestId('key-source-hotline').check();
    await form.getByTestId('key-submit').click();
    const secret = page.getByTestId('secret-once');
    await secret.waitFor();
    const key = await secret.getByTestId('secret-value').inputValue();
    expect(key).toMatch(/^sygl_[0-9a-f]+_/);
    await shot('admin-key');
    await secret.getByTestId('secret-done').click();

    const row = page.locator('[data-testid="key-row"]', { hasText: '12345热线平台' });
    expect(await row.getByTestId('key-last-used').textContent()).toBe('从未使用');
    const send = (source: string) =>
      fetch(`${server.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(caseReported({ source: source as 'hotline' })) });
    expect((await send('hotline')).status).toBe(201);
    // Reopening the tab shows the list as it now is.
    await tab('users');
    await tab('keys');
    await expect.poll(() => row.getByTestId('key-last-used').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    await row.getByTestId('revoke').click();
    await row.getByTestId('revoke-yes').click();
    await expect.poll(() => row.getAttribute('data-revoked')).toBe('true');
    expect((await send('hotline')).status).toBe(401);
    const keys = await asAdmin(server, 'GET', '/api/admin/keys');
    expect((keys.body.items as Array<{ name: string; revokedAt?: string }>).find((k) => k.name === '12345热线平台')?.revokedAt).toBeTruthy();
  });

  it('filters the audit log, pages back with before, and verifies the chain', async () => {
    phase = 'audit';
    // More than a page of entries: a duty officer refused at the admin routes, each refusal audited.
    const duty = await authHeaders(server, DUTY);
    for (let i = 0; i < 55; i++) expect((await fetch(`${server.url}/api/admin/users`, { headers: duty })).status).toBe(403);
    await tab('audit');
    const rows = page.getByTestId('audit-row');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByTestId('audit-more').click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    const seqs = await rows.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);

    await page.getByTestId('audit-action').selectOption('kiosk.created');
    await page.getByTestId('audit-search').click();
    await expect.poll(async () => new Set(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.action)))).toEqual(new Set(['kiosk.created']));
    expect(await rows.first().textContent()).toContain('指挥中心主屏');

    await page.getByTestId('audit-action').selectOption('authz.denied');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => rows.first().getAttribute('data-action')).toBe('authz.denied');
    expect(await rows.first().textContent()).toContain('拒绝');

    await page.getByTestId('audit-verify').click();
    const verdict = page.getByTestId('audit-verify-result');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toMatch(/^审计链完整：共 \d+ 条，末条 #\d+$/);
    await shot('admin-audit');
  });

  it('lays every tab out inside the window', async () => {
    phase = 'layout';
    for (const name of ['users', 'kiosks', 'keys', 'audit'] as const) {
      await tab(name);
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.pane, .console-header')]
          .map((el) => ({ name: el.dataset.testid ?? el.className, box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.right > innerWidth + 1 || box.bottom > innerHeight + 1 || box.left < -1)
          .map(({ name }) => name),
      );
      expect(outside, name).toEqual([]);
    }
  });

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
