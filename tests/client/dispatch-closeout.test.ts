import { describe, expect, it } from 'vitest';
import type { CaseDetail, CasePage, CaseSummary } from '../../shared/api.js';
import type { Loaded } from '../../client/lib/api.js';
import { loadCloseOut } from '../../client/lib/console-closeout.js';
import { summary } from './dispatch-fixtures.js';

function fakeApi(byStatus: Record<string, CaseSummary[]>, failStatus?: string) {
  const detailCalls: string[] = [];
  const caseCalls: unknown[] = [];
  return {
    detailCalls,
    caseCalls,
    api: {
      cases: async (filter: { status: string }): Promise<Loaded<CasePage>> => {
        caseCalls.push(filter);
        if (filter.status === failStatus) return { ok: false, error: { kind: 'http', status: 500 } };
        const items = byStatus[filter.status] ?? [];
        return { ok: true, data: { items, total: items.length, nextCursor: null } };
      },
      caseDetail: async (id: string): Promise<Loaded<CaseDetail>> => {
        detailCalls.push(id);
        return { ok: true, data: { case: summary('resolved', { id }), title: `title of ${id}`, parties: [], masked: true, timeline: [] } };
      },
    },
  };
}

describe('close-out lists', () => {
  it('lists resolved and confirmed cases for follow-up, most recently resolved first, with their titles', async () => {
    const { api, caseCalls } = fakeApi({
      resolved: [summary('resolved', { id: 'a', resolvedAt: '2026-11-23T01:00:00Z' }), summary('resolved', { id: 'b', resolvedAt: '2026-11-23T03:00:00Z' })],
      confirmed: [summary('confirmed', { id: 'c', resolvedAt: '2026-11-23T02:00:00Z' })],
    });
    const result = await loadCloseOut(api, 'followUp', { streetCode: '440307013' }, new Map());
    expect(result.ok && result.data.map((r) => [r.case.id, r.title])).toEqual([
      ['b', 'title of b'],
      ['c', 'title of c'],
      ['a', 'title of a'],
    ]);
    expect(caseCalls).toEqual([
      { streetCode: '440307013', status: 'resolved', limit: 100 },
      { streetCode: '440307013', status: 'confirmed', limit: 100 },
    ]);
  });

  it('fetches each title once', async () => {
    const { api, detailCalls } = fakeApi({ followedUp: [summary('followedUp', { id: 'a' })] });
    const titles = new Map<string, string>();
    await loadCloseOut(api, 'archive', {}, titles);
    await loadCloseOut(api, 'archive', {}, titles);
    expect(detailCalls).toEqual(['a']);
  });

  it('fails as a whole when a status cannot be read', async () => {
    const { api } = fakeApi({ resolved: [summary('resolved')] }, 'confirmed');
    expect(await loadCloseOut(api, 'followUp', {}, new Map())).toEqual({ ok: false, error: { kind: 'http', status: 500 } });
  });
});
