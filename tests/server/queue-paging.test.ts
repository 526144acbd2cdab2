/**
 * The duty queue pages through every open case with a true total, oldest first by default (issue 16: it used to show
 * the newest 200 and hide the rest). Checked against a model of what was posted and commanded, over generated
 * filters, orders and pages; and every row's title is masked as the case's own masker does.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuePage } from '../../shared/api.js';
import { caseTextMasker } from '../../shared/masking.js';
import { command, DUTY, get } from '../helpers/dispatch.js';
import { BANTIAN, caseReported, GANGTOU, MAAN_TANG, PINGHU } from '../helpers/factories.js';
import type { RunningServer } from '../../server/boot.js';
import { post, startServer } from '../helpers/server.js';

const PINGHU_COMMUNITY = '440307003002';
const CASES = 45;

describe('GET /api/queue', () => {
  let server: RunningServer;
  /** The model: every posted case in intake order, with its status after the commands below. */
  const model: Array<{ id: string; status: string; streetCode: string; category: string; title: string; names: string[] }> = [];

  beforeAll(async () => {
    server = await startServer({ RISK_RULES: false });
    const places = [
      { streetCode: BANTIAN, communityCode: GANGTOU },
      { streetCode: BANTIAN, communityCode: MAAN_TANG },
      { streetCode: PINGHU, communityCode: PINGHU_COMMUNITY },
    ];
    const categories = ['labour', 'family', 'property'];
    const events = Array.from({ length: CASES }, (_, i) =>
      caseReported({
        ...places[i % 3]!,
        category: categories[Math.floor(i / 3) % 3]!,
        title: `第${i + 1}件：李建国 电话 138 0013 ${String(8000 + i)} 反映欠薪`,
        parties: [{ role: 'applicant', name: '李建国', phone: `1380013${String(8000 + i)}` }],
        reportedAt: new Date(Date.UTC(2026, 11, 1, 2) + i * 60_000).toISOString(),
      }),
    );
    const res = await post(server, { events });
    expect(res.status).toBe(201);
    res.body.results.forEach((r: { caseId: string }, i: number) =>
      model.push({ id: r.caseId, status: 'received', streetCode: events[i]!.streetCode, category: events[i]!.category, title: events[i]!.title, names: ['李建国'] }),
    );
    // Every fourth case triaged: a second open status to filter on. Every ninth archived out of the queue is not
    // possible in one step, so every seventh is whistled: it leaves the queue.
    for (const [i, c] of model.entries()) {
      if (i % 4 === 0 || i % 7 === 0) {
        expect((await command(server, c.id, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' })).status).toBe(201);
        c.status = 'triaged';
      }
      if (i % 7 === 0) {
        expect((await command(server, c.id, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead: 'labour', assists: [] })).status).toBe(201);
        c.status = 'whistled';
      }
    }
  }, 60_000);
  afterAll(() => server?.close());

  const query = fc.record(
    {
      status: fc.constantFrom('received', 'triaged', 'returned'),
      streetCode: fc.constantFrom(BANTIAN, PINGHU),
      category: fc.constantFrom('labour', 'family', 'property', 'debt'),
      sort: fc.constantFrom('oldest', 'newest'),
      limit: fc.integer({ min: 1, max: 60 }),
      offset: fc.integer({ min: 0, max: 60 }),
    },
    { requiredKeys: [] },
  );

  it('answers every page of every filter and order as the model says, with the true total', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const params = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
        const res = await get(server, `/api/queue?${params}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const page = res.body as QueuePage;
        const open = ['received', 'triaged', 'returned', 'reopened'];
        const matching = model.filter(
          (c) => (q.status ? c.status === q.status : open.includes(c.status)) && (!q.streetCode || c.streetCode === q.streetCode) && (!q.category || c.category === q.category),
        );
        const ordered = (q.sort ?? 'oldest') === 'oldest' ? matching : [...matching].reverse();
        const offset = q.offset ?? 0;
        const limit = q.limit ?? 50;
        const expected = ordered.slice(offset, offset + limit);
        expect(page.total).toBe(matching.length);
        expect({ offset: page.offset, limit: page.limit, sort: page.sort }).toEqual({ offset, limit, sort: q.sort ?? 'oldest' });
        expect(page.items.map((r) => r.case.id)).toEqual(expected.map((c) => c.id));
        for (const [i, row] of page.items.entries()) {
          expect(row.title).toBe(caseTextMasker([{ name: expected[i]!.names[0]! }])(expected[i]!.title));
          expect(row.title).not.toContain('李建国');
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('refuses a bad page or order with 400 naming the field', async () => {
    for (const [param, field] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['offset=-1', 'offset'], ['sort=random', 'sort']] as const) {
      const res = await get(server, `/api/queue?${param}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
  });
});
