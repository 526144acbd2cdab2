import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRules } from '../../server/auth/access.js';
import type { RunningServer } from '../../server/boot.js';
import { BANTIAN, GANGTOU, PINGHU, alertRaised, caseReported, caseResolved } from '../helpers/factories.js';
import { cookieFor, DUTY, integrationKey, WALL } from '../helpers/auth.js';
import { fetchAs, post, startServer } from '../helpers/server.js';

let server: RunningServer;
const snapshotSeq = async () => ((await (await fetchAs(server, '/api/snapshot')).json()) as { state: { seq: number } }).state.seq;
const read = async (path: string) => (await fetchAs(server, path)).json();

beforeAll(async () => {
  server = await startServer({ BODY_LIMIT: '64kb' });
  // Credentials are access events in the log: made up front, so the tests below count only what intake appends.
  await Promise.all([integrationKey(server), cookieFor(server, WALL), cookieFor(server, DUTY)]);
});
afterAll(async () => {
  await server.close();
});

describe('POST /api/events', () => {
  it('stores one event durably and answers with its id, seq and case id', async () => {
    const before = await snapshotSeq();
    const res = await post(server, caseReported());
    expect(res.status).toBe(201);
    expect(res.body.results).toEqual([
      { index: 0, id: expect.any(String), seq: before + 1, type: 'case.reported', duplicate: false, caseId: expect.any(String) },
    ]);
    expect(await snapshotSeq()).toBe(before + 1);
  });

  it('is idempotent on (source, sourceRef): a repeat returns the original and appends nothing', async () => {
    const event = caseReported();
    const first = await post(server, event);
    const again = await post(server, event);
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toEqual({ ...first.body.results[0], duplicate: true });
    // Another payload under the same sourceRef is not a repeat: it is refused, and the stored title is not told.
    const changed = await post(server, { ...event, title: '改过的标题' });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toEqual({ code: 'source_ref_conflict', message: expect.any(String), details: [{ path: 'title', message: expect.any(String) }] });
    expect(JSON.stringify(changed.body)).not.toContain(event.title);
    const sameRefOtherSource = await post(server, { ...event, source: 'grid' });
    expect(sameRefOtherSource.status).toBe(201);
  });

  it('takes a batch all-or-nothing and reports every bad field by path', async () => {
    const before = await snapshotSeq();
    const res = await post(server, {
      events: [
        caseReported(),
        caseReported({ severity: 'high' as never }),
        { ...caseReported(), communityCode: '440307013999' },
        { type: 'case.moved' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['events[1].severity', 'events[3].type']);
    expect(await snapshotSeq()).toBe(before);
  });

  it('rejects codes that are not in the district, and communities of another street', async () => {
    const before = await snapshotSeq();
    const res = await post(server, {
      events: [caseReported(), caseReported({ streetCode: '440306017', communityCode: '440306017001' }), caseReported({ streetCode: PINGHU, communityCode: GANGTOU }), caseReported({ category: 'aliens' })],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'events[1].streetCode', message: expect.stringContaining('unknown street code 440306017') },
      { path: 'events[2].communityCode', message: expect.stringContaining('is not in street 440307003') },
      { path: 'events[3].category', message: 'unknown category "aliens"' },
    ]);
    expect(await snapshotSeq()).toBe(before);
  });

  it('resolves a case reported earlier (even in the same batch), once', async () => {
    const report = caseReported();
    const batch = await post(server, { events: [report, caseResolved(report.sourceRef)] });
    expect(batch.status).toBe(201);
    expect(batch.body.results[1].caseId).toBe(batch.body.results[0].caseId);
    const resolution = caseResolved(report.sourceRef);
    const second = await post(server, resolution);
    expect(second.status).toBe(400);
    expect(second.body.error.details[0].message).toMatch(/is resolved and cannot be resolved again/);
    const unknown = await post(server, caseResolved('never-reported'));
    expect(unknown.body.error.details[0]).toEqual({ path: 'caseSourceRef', message: 'no case never-reported is known from source hotline' });
  });

  it('answers a retried resolution with the original result instead of a conflict', async () => {
    const report = caseReported();
    await post(server, report);
    const resolution = caseResolved(report.sourceRef);
    const first = await post(server, resolution);
    const retry = await post(server, resolution);
    expect(retry.status).toBe(200);
    expect(retry.body.results[0]).toEqual({ ...first.body.results[0], duplicate: true });
  });

  it('lets only one of two concurrent resolutions of the same case through', async () => {
    const report = caseReported();
    await post(server, report);
    const results = await Promise.all([post(server, caseResolved(report.sourceRef)), post(server, caseResolved(report.sourceRef))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
  });

  it('refuses timestamps in the future and resolutions before the report', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await post(server, caseReported({ reportedAt: future }))).body.error.details[0].path).toBe('reportedAt');
    const report = caseReported({ reportedAt: new Date(Date.now() - 60_000).toISOString() });
    await post(server, report);
    const early = await post(server, caseResolved(report.sourceRef, { resolvedAt: new Date(Date.now() - 3_600_000).toISOString() }));
    expect(early.body.error.details[0].path).toBe('resolvedAt');
  });

  it('accepts alerts from outside systems for a street or a community', async () => {
    const res = await post(server, { events: [alertRaised(), alertRaised({ communityCode: undefined, level: 'blue' })] });
    expect(res.status).toBe(201);
    expect(res.body.results[0].alertId).toEqual(expect.any(String));
  });

  describe('bad requests of any shape get a clear 4xx and append nothing', () => {
    const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
      ['malformed JSON', () => post(server, '{"type": "case.reported",'), 400, 'malformed_json'],
      ['wrong content type', () => post(server, JSON.stringify(caseReported()), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ['no content type', () => post(server, JSON.stringify(caseReported()), {}), 415, 'unsupported_media_type'],
      ['a JSON array', () => post(server, [caseReported()]), 400, 'invalid_request'],
      ['a JSON string', () => post(server, '"hello"'), 400, 'invalid_request'],
      ['an empty batch', () => post(server, { events: [] }), 400, 'invalid_request'],
      ['events not an array', () => post(server, { events: { a: 1 } }), 400, 'invalid_request'],
      ['extra keys next to events', () => post(server, { events: [caseReported()], token: 'x' }), 400, 'invalid_request'],
      ['a batch over 1,000', () => post(server, { events: Array.from({ length: 1001 }, () => ({})) }), 413, 'batch_too_large'],
      ['a body over the limit', () => post(server, caseReported({ description: 'x'.repeat(70_000) })), 413, 'payload_too_large'],
      ['missing fields', () => post(server, { type: 'case.reported' }), 400, 'invalid_request'],
      ['no integration key', () => post(server, caseReported(), { 'content-type': 'application/json', authorization: '' }), 401, 'unauthenticated'],
      ['a duty officer session instead of a key', async () => post(server, caseReported(), { 'content-type': 'application/json', authorization: '', cookie: await cookieFor(server, DUTY) }), 401, 'unauthenticated'],
    ];
    it.each(cases)('%s', async (_name, send, status, code) => {
      const before = await snapshotSeq();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(await snapshotSeq()).toBe(before);
    });
  });
});

describe('read API', () => {
  it('filters and pages cases without personal data', async () => {
    const refs = Array.from({ length: 7 }, () => caseReported({ communityCode: '440307013007', category: 'neighbour' }));
    await post(server, { events: refs });
    const page1 = await read('/api/cases?communityCode=440307013007&category=neighbour&limit=5');
    expect(page1.total).toBe(7);
    expect(page1.items).toHaveLength(5);
    expect(page1.items[0].seq).toBeGreaterThan(page1.items[4].seq);
    const page2 = await read(`/api/cases?communityCode=440307013007&category=neighbour&limit=5&cursor=${page1.nextCursor}`);
    expect(page2.items).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    expect(JSON.stringify([page1, page2])).not.toMatch(/张三丰|13800001234|440307199001011234|拖欠/);
    const street = await read(`/api/cases?streetCode=${BANTIAN}&status=open&limit=500`);
    expect(street.items.every((c: { streetCode: string; status: string }) => c.streetCode === BANTIAN && c.status === 'received')).toBe(true);
  });

  it('rejects bad query parameters with 400', async () => {
    for (const q of ['limit=0', 'limit=abc', 'status=lost', 'from=yesterday', 'colour=red', 'cursor=x']) {
      const res = await fetchAs(server, `/api/cases?${q}`);
      expect(res.status, q).toBe(400);
    }
  });

  it('explains heat by its parts and top cases', async () => {
    const res = await read(`/api/areas/${GANGTOU}/heat`);
    expect(res.level).toBe('community');
    expect(res.heat).toBeCloseTo(res.parts.openCases + res.parts.recentEvents + res.parts.alerts, 0);
    expect(res.topCases.length).toBeGreaterThan(0);
    expect((await fetchAs(server, '/api/areas/123456789/heat')).status).toBe(404);
  });

  it('serves geography, config, health and an OpenAPI document of every route', async () => {
    const geo = await read('/api/geo');
    expect(geo.geo.streets.features).toHaveLength(11);
    expect(geo.geo.communities.features).toHaveLength(111);
    expect((await read('/api/client-config')).tzOffsetMinutes).toBe(480);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
    // Every route the access table knows (and so every route the app serves: see the route inventory test).
    const routes = [...new Set(routeRules.map((r) => r.path.replace(/:([a-zA-Z]+)/g, '{$1}')))].sort();
    expect(Object.keys(doc.paths).sort()).toEqual(routes);
    expect(routes).toEqual(expect.arrayContaining(['/api/events', '/api/cases/{id}', '/api/cases/{id}/unmask', '/api/auth/login', '/api/admin/users', '/healthz', '/readyz']));
    const missing = await fetch(`${server.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });
});
