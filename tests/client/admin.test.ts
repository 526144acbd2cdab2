import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/audit.js';
import type { AdminApi, AuditQuery } from '../../client/lib/admin-api.js';
import { adminFailure, auditQueryString, wallUrl } from '../../client/lib/admin-api.js';
import { AuditBrowser } from '../../client/lib/admin-desk.svelte.js';
import { actorLabel, adminFailureText, detailsText, districtInstant, fieldErrors, fullTime } from '../../client/lib/admin-format.js';
import { translate } from '../../client/lib/i18n.js';

const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh', key, params);

const entry = (seq: number): AuditEntry => ({ seq, at: '2026-11-22T02:00:00.000Z', actor: { kind: 'user', id: 'u1', name: '王五', role: 'duty' }, action: 'login.succeeded', outcome: 'ok', ip: '10.0.0.1', prevHash: '0'.repeat(64), hash: '1'.repeat(64) });

describe('audit browser', () => {
  it('pages back with the last seq shown as `before`, and knows when there is no more', async () => {
    const log = Array.from({ length: 7 }, (_, i) => entry(7 - i));
    const queries: AuditQuery[] = [];
    const api = {
      audit: async (query: AuditQuery) => {
        queries.push(query);
        const older = log.filter((e) => query.before === undefined || e.seq < query.before);
        return { ok: true, data: older.slice(0, query.limit) };
      },
    } as unknown as AdminApi;
    const browser = new AuditBrowser(api, 3);
    await browser.search({ action: 'login.succeeded' });
    expect(browser.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    expect(browser.end).toBe(false);
    await browser.more();
    await browser.more();
    expect(browser.entries.map((e) => e.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(browser.end).toBe(true);
    await browser.more(); // nothing older: no request
    expect(queries).toEqual([
      { action: 'login.succeeded', limit: 3 },
      { action: 'login.succeeded', limit: 3, before: 5 },
      { action: 'login.succeeded', limit: 3, before: 2 },
    ]);
  });
});

describe('admin wording', () => {
  it('names a version conflict, the last admin and a taken user name, and field errors by path', () => {
    const conflict = adminFailure(409, { error: { code: 'version_conflict', message: 'changed', current: { id: 'u1', version: 4 } } });
    expect(conflict).toMatchObject({ kind: 'conflict', current: { version: 4 } });
    expect(adminFailureText(conflict, t)).toBe('该用户已被他人修改，已载入最新信息，请核对后重新保存');
    expect(adminFailureText(adminFailure(409, { error: { code: 'last_admin', message: 'keep one' } }), t)).toBe('至少需要保留一名可用的系统管理员');
    expect(adminFailureText(adminFailure(409, { error: { code: 'username_taken', message: 'taken' } }), t, { username: 'li.si' })).toBe('用户名“li.si”已被使用');
    const invalid = adminFailure(400, { error: { code: 'invalid_request', message: '1 invalid field', details: [{ path: 'deptId', message: 'no department x' }] } });
    expect(fieldErrors(invalid)).toEqual({ deptId: 'no department x' });
  });

  it('reads filter times as district time and shows entries in it', () => {
    expect(districtInstant('2026-11-22T09:30', 480)).toBe('2026-11-22T09:30:00+08:00');
    expect(districtInstant('', 480)).toBeUndefined();
    expect(fullTime('2026-11-22T02:00:00.000Z', 480)).toBe('2026-11-22 10:00:00');
    expect(actorLabel({ kind: 'user', name: '王五', role: 'duty' }, t)).toBe('王五 (值班员)');
    expect(actorLabel({ kind: 'anonymous', name: 'nobody' }, t)).toBe('匿名 nobody');
    expect(detailsText({ reason: '回访', types: ['a', 'b'] })).toBe('reason: 回访 · types: ["a","b"]');
  });

  it('builds the wall link and the audit query', () => {
    expect(wallUrl('http://10.0.0.5:3000', '/', 'a+b/c')).toBe('http://10.0.0.5:3000/#/wall?kiosk=a%2Bb%2Fc');
    expect(auditQueryString({ action: 'logout', target: '', limit: 50, before: 9 })).toBe('?action=logout&limit=50&before=9');
  });
});
