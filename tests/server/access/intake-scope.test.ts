/**
 * What an integration key may touch, against one real server: generated keys (sources) × cases (who reported them,
 * which department they were whistled to). A key resolves only the cases its sources reported or that were whistled
 * to a department of the same name (the court system and the court); any other case answers exactly as a missing
 * one. And a sourceRef stands for one event: the same payload again is an idempotent 200, any generated difference a
 * 409 `source_ref_conflict` naming the field and never the stored value.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asAdmin } from '../../helpers/auth.js';
import { command, DUTY, get } from '../../helpers/dispatch.js';
import { BANTIAN, GANGTOU, MAAN_TANG, nextRef } from '../../helpers/factories.js';
import { caseSources, eventSources } from '../../../shared/vocabulary.js';
import { post, startServer } from '../../helpers/server.js';
import { send } from './principals.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT_INTAKE: 0, RATE_LIMIT_COMMANDS: 0 });
}, 60_000);
afterAll(async () => {
  await server.close();
});

/** One key per set of sources, made through the admin API like an administrator would. */
const keys = new Map<string, Promise<string>>();
function keyFor(sources: readonly string[], types: readonly string[] = ['case.reported', 'case.resolved', 'alert.raised']): Promise<string> {
  const id = `${[...sources].sort().join(',')}|${[...types].sort().join(',')}`;
  let key = keys.get(id);
  if (!key) {
    key = asAdmin(server, 'POST', '/api/admin/keys', { name: `接入 ${randomUUID().slice(0, 6)}`, types, sources }).then((made) => {
      if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.body)}`);
      return made.body.secret as string;
    });
    keys.set(id, key);
  }
  return key;
}
const intake = async (key: string, body: unknown) => send(server, 'POST', '/api/events', { headers: { authorization: `Bearer ${key}` }, body });

describe('an integration key and the cases it may touch', () => {
  const departments = ['court', 'police', 'labour', 'justice'] as const;

  it('resolves only cases its sources reported or that were whistled to their department; any other answers as a missing case', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...caseSources),
        fc.option(fc.constantFrom(...departments), { nil: undefined }),
        fc.subarray([...eventSources], { minLength: 1 }),
        fc.nat(),
        async (reportedBy, whistledTo, sources, pick) => {
          const reported = await post(server, { type: 'case.reported', source: reportedBy, sourceRef: nextRef('scope'), kind: 'dispute', category: 'labour', title: '欠薪', streetCode: BANTIAN, communityCode: GANGTOU, severity: 2 });
          expect(reported.status).toBe(201);
          const caseId = reported.body.results[0].caseId as string;
          if (whistledTo) {
            expect((await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people' })).status).toBe(201);
            expect((await command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead: whistledTo, assists: [] })).status).toBe(201);
          }
          const key = await keyFor(sources, ['case.resolved']);
          const source = sources[pick % sources.length]!;
          const resolve = (id: string) => intake(key, { type: 'case.resolved', source, sourceRef: `res-${caseId}`, caseId: id, outcome: 'mediated' });
          const answer = await resolve(caseId);
          const mayTouch = (sources as string[]).includes(reportedBy) || (whistledTo !== undefined && (sources as string[]).includes(whistledTo));
          if (mayTouch) {
            expect(answer.status).toBe(201);
            expect(answer.body.results[0]).toMatchObject({ type: 'case.resolved', caseId, duplicate: false });
            return;
          }
          const none = await resolve(randomUUID());
          expect({ status: answer.status, text: answer.text }).toEqual({ status: none.status, text: none.text });
          expect(answer.status).toBe(400);
          expect(answer.text).not.toContain(caseId);
          expect((await get(server, `/api/cases/${caseId}`)).body.case.status).not.toBe('resolved');
        },
      ),
      { numRuns: 40 },
    );
  }, 240_000);
});

describe('a sourceRef stands for one event', () => {
  /** A well-formed case report with generated optional fields. */
  const report = fc.record(
    {
      kind: fc.constantFrom('dispute', 'petition'),
      category: fc.constantFrom('labour', 'family', 'neighbour'),
      title: fc.string({ minLength: 2, maxLength: 40 }).map((s) => `纠纷${s.trim()}`),
      description: fc.string({ minLength: 1, maxLength: 80 }),
      communityCode: fc.constantFrom(GANGTOU, MAAN_TANG),
      location: fc.record({ lat: fc.double({ min: 22.6, max: 22.7, noNaN: true }), lng: fc.double({ min: 114.0, max: 114.1, noNaN: true }) }),
      severity: fc.integer({ min: 1, max: 5 }),
      peopleInvolved: fc.integer({ min: 1, max: 500 }),
      occurredAt: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      reportedAt: fc.date({ min: new Date('2026-01-02T00:00:00Z'), max: new Date('2026-06-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      parties: fc.array(fc.record({ role: fc.constantFrom('applicant', 'respondent'), name: fc.constantFrom('张三', '李四', '王五'), phone: fc.constantFrom('13800001111', '13900002222') }), { maxLength: 2 }),
    },
    { requiredKeys: ['kind', 'category', 'title', 'communityCode', 'severity'] },
  );
  const mutable = ['kind', 'category', 'title', 'description', 'communityCode', 'location', 'severity', 'peopleInvolved', 'occurredAt', 'reportedAt', 'parties'] as const;

  /** A different valid value for one field (or the field left out, when it is optional and was given). */
  function changed(field: (typeof mutable)[number], base: Record<string, unknown>, seed: number): Record<string, unknown> {
    const next = { ...base };
    const alternative: Record<string, () => unknown> = {
      kind: () => (base.kind === 'dispute' ? 'petition' : 'dispute'),
      category: () => (base.category === 'labour' ? 'family' : 'labour'),
      title: () => `${String(base.title)}改${seed}`,
      description: () => (base.description === undefined ? `补充${seed}` : seed % 2 ? undefined : `${String(base.description)}!`),
      communityCode: () => (base.communityCode === GANGTOU ? MAAN_TANG : GANGTOU),
      location: () => (base.location === undefined ? { lat: 22.65, lng: 114.05 } : seed % 2 ? undefined : { lat: 22.61, lng: 114.01 }),
      severity: () => ((Number(base.severity) % 5) + 1),
      peopleInvolved: () => (base.peopleInvolved === undefined ? 2 + (seed % 50) : Number(base.peopleInvolved) + 1),
      occurredAt: () => (base.occurredAt === undefined ? '2025-06-01T08:00:00.000Z' : seed % 2 ? undefined : new Date(Date.parse(String(base.occurredAt)) + 60_000).toISOString()),
      reportedAt: () => new Date(Date.parse(String(base.reportedAt ?? '2026-03-01T00:00:00Z')) + 3_600_000).toISOString(),
      parties: () => [...((base.parties as unknown[] | undefined) ?? []), { role: 'other', name: `赵${seed % 10}` }],
    };
    const value = alternative[field]!();
    if (value === undefined) delete next[field];
    else next[field] = value;
    return next;
  }
  const stringsOf = (value: unknown): string[] => (typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(stringsOf) : []);

  it('answers the same report again with 200, and a generated difference in any field with 409 naming that field alone', async () => {
    const key = await keyFor(['hotline']);
    await fc.assert(
      fc.asyncProperty(report, fc.constantFrom(...mutable), fc.nat(), async (fields, field, seed) => {
        // A report without reportedAt gets it from the clock: a retry may leave it out as well and be the same report.
        const base = { type: 'case.reported', source: 'hotline', sourceRef: nextRef('conflict'), streetCode: BANTIAN, ...fields };
        const first = await intake(key, base);
        expect(first.status).toBe(201);
        const again = await intake(key, base);
        expect(again.status).toBe(200);
        expect(again.body.results[0]).toMatchObject({ duplicate: true, caseId: first.body.results[0].caseId, seq: first.body.results[0].seq });

        const other = changed(field, base, seed);
        if (field === 'reportedAt' && base.reportedAt === undefined) return; // a time the server chose cannot be restated
        const conflict = await intake(key, other);
        expect(conflict.status).toBe(409);
        expect(conflict.body).toEqual({ error: { code: 'source_ref_conflict', message: expect.any(String), details: [{ path: field, message: expect.any(String) }] } });
        for (const stored of stringsOf((base as Record<string, unknown>)[field]).filter((s) => s.length >= 4)) expect(conflict.text).not.toContain(stored);
        // Nothing was stored for it: the first payload is still the one event of this sourceRef.
        expect((await intake(key, base)).status).toBe(200);
      }),
      { numRuns: 60 },
    );
  }, 240_000);

  it('refuses the whole batch when one retry differs, and stores none of it', async () => {
    const key = await keyFor(['hotline']);
    const base = { type: 'case.reported', source: 'hotline', sourceRef: nextRef('batch'), kind: 'dispute', category: 'labour', title: '欠薪十二人', streetCode: BANTIAN, communityCode: GANGTOU, severity: 3 };
    expect((await intake(key, base)).status).toBe(201);
    const fresh = { ...base, sourceRef: nextRef('batch'), title: '新案件' };
    const batch = await intake(key, { events: [fresh, { ...base, severity: 4 }] });
    expect(batch.status).toBe(409);
    expect(batch.body.error.details).toEqual([{ path: 'events[1].severity', message: expect.any(String) }]);
    expect((await intake(key, fresh)).status).toBe(201);
  });

  it('treats a resolution and an alert the same way', async () => {
    const key = await keyFor(['hotline', 'system']);
    const reported = await intake(key, { type: 'case.reported', source: 'hotline', sourceRef: nextRef('r'), kind: 'dispute', category: 'labour', title: '欠薪', streetCode: BANTIAN, communityCode: GANGTOU, severity: 2 });
    const other = await intake(key, { type: 'case.reported', source: 'hotline', sourceRef: nextRef('r'), kind: 'dispute', category: 'labour', title: '欠薪', streetCode: BANTIAN, communityCode: GANGTOU, severity: 2 });
    const resolution = { type: 'case.resolved', source: 'hotline', sourceRef: nextRef('res'), caseId: reported.body.results[0].caseId, outcome: 'mediated', note: '双方签订调解协议' };
    expect((await intake(key, resolution)).status).toBe(201);
    expect((await intake(key, resolution)).status).toBe(200);
    for (const [field, value] of [['outcome', 'withdrawn'], ['note', '另一份协议'], ['caseId', other.body.results[0].caseId]] as const) {
      const answer = await intake(key, { ...resolution, [field]: value });
      expect({ field, status: answer.status, body: answer.body }).toEqual({ field, status: 409, body: { error: { code: 'source_ref_conflict', message: expect.any(String), details: [{ path: field, message: expect.any(String) }] } } });
      expect(answer.text).not.toContain('双方签订调解协议');
    }
    const alert = { type: 'alert.raised', source: 'system', sourceRef: nextRef('alert'), level: 'red', title: '集体讨薪风险', streetCode: BANTIAN };
    expect((await intake(key, alert)).status).toBe(201);
    expect((await intake(key, alert)).status).toBe(200);
    for (const [field, value] of [['level', 'orange'], ['title', '另一个风险'], ['communityCode', GANGTOU]] as const) {
      const answer = await intake(key, { ...alert, [field]: value });
      expect({ field, status: answer.status, details: answer.body.error?.details }).toEqual({ field, status: 409, details: [{ path: field, message: expect.any(String) }] });
      expect(answer.text).not.toContain('集体讨薪风险');
    }
    // One sourceRef, one event: an alert under a case report's sourceRef is a conflict on its type.
    const caseRef = reported.body.results[0];
    const typed = await intake(key, { ...alert, source: 'hotline', sourceRef: resolution.sourceRef });
    expect({ status: typed.status, details: typed.body.error?.details }).toEqual({ status: 409, details: [{ path: 'type', message: expect.any(String) }] });
    expect(typed.text).not.toContain(caseRef.caseId);
  });
});
