/**
 * The report routes against a real server on a fixed clock: cases and an alert posted through intake come back as
 * the report's figures (JSON), on the report page (HTML, under its own CSP) and in the PDF's text; the scheduler
 * archives yesterday's daily report once, frozen, and the archive serves it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedReport, ReportData } from '../../../shared/reports.js';
import type { RunningServer } from '../../../server/boot.js';
import { BANTIAN, GANGTOU, PINGHU, alertRaised, caseReported, caseResolved } from '../../helpers/factories.js';
import { DUTY, LEADER, WALL, asAdmin } from '../../helpers/auth.js';
import { fetchAs, post, startServer } from '../../helpers/server.js';
import { onCi } from '../../helpers/pg-env.js';
import { pdfText } from './pdf-text.js';

const HOUR = 3_600_000;
/** Wednesday 2 Dec 2026, 10:00 in Shenzhen. */
const NOW = Date.parse('2026-12-02T02:00:00Z');
const PINGHU_COMMUNITY = '440307003002';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = !fs.existsSync(chromium) && !onCi;
if (noChromium) console.warn(`[reports] PDF tests SKIPPED: no Chromium at ${chromium} (apt-get install chromium fonts-noto-cjk); CI runs them`);

describe('report routes', () => {
  const clock = { now: NOW };
  let server: RunningServer;
  const get = (p: string, who = DUTY) => fetchAs(server, p, who);
  const json = async <T>(p: string, who = DUTY): Promise<{ status: number; body: T }> => {
    const res = await get(p, who);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    server = await startServer(
      { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-reports-')), TIMER_SWEEP_MS: 60_000, SESSION_IDLE_MINUTES: 24 * 60, SESSION_MAX_HOURS: 7 * 24 },
      { clock: () => clock.now },
    );
    const labour = [0, 1, 2].map((i) => caseReported({ reportedAt: new Date(NOW - (3 - i) * HOUR).toISOString(), peopleInvolved: 2, severity: 2 }));
    const family = caseReported({ category: 'family', streetCode: PINGHU, communityCode: PINGHU_COMMUNITY, source: 'grid', reportedAt: new Date(NOW - HOUR).toISOString(), peopleInvolved: 1, severity: 1 });
    const neighbour = caseReported({ category: 'neighbour', communityCode: GANGTOU, reportedAt: new Date(NOW - 30 * 60_000).toISOString(), peopleInvolved: 2, severity: 1 });
    // One from the day before: the previous period.
    const yesterday = caseReported({ reportedAt: new Date(NOW - 26 * HOUR).toISOString(), peopleInvolved: 2, severity: 1 });
    const made = await post(server, { events: [...labour, family, neighbour, yesterday, alertRaised({ level: 'red', raisedAt: new Date(NOW - HOUR).toISOString() })] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const resolved = await post(server, { events: [caseResolved(labour[0]!.sourceRef, { outcome: 'mediated' }), caseResolved(family.sourceRef, { outcome: 'withdrawn', source: 'grid' })] });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('computes the daily district report from what was posted', async () => {
    const { status, body } = await json<ReportData>('/api/reports?kind=daily&date=2026-12-02');
    expect(status).toBe(200);
    expect(body.kind).toBe('daily');
    expect(body.scope).toMatchObject({ level: 'district', code: '440307' });
    expect(body.period).toMatchObject({ from: '2026-12-02', to: '2026-12-02', days: 1 });
    expect(body.previous).toMatchObject({ from: '2026-12-01', to: '2026-12-01' });
    expect(body.cases.total).toBe(5);
    // Today is still running: it is compared with yesterday up to the same time of day (同期).
    expect(body.ongoing).toBe(true);
    expect(body.previous.endMs - body.previous.startMs).toBe(NOW - body.period.startMs);
    expect(body.cases.previous).toBe(1);
    expect(body.cases.byCategory.find((r) => r.key === 'labour')).toMatchObject({ count: 3, previous: 1, name: { zh: '劳资纠纷' } });
    expect(body.cases.bySource.find((r) => r.key === 'grid')?.count).toBe(1);
    expect(body.cases.byStreet.find((r) => r.key === BANTIAN)?.count).toBe(4);
    expect(body.resolution.resolved).toBe(2);
    expect(body.resolution.resolvedOfNew).toBe(2);
    expect(body.resolution.resolutionRate).toBeCloseTo(0.4);
    expect(body.resolution.outcomes).toMatchObject({ mediated: 1, withdrawn: 1 });
    expect(body.resolution.mediationRate).toBeCloseTo(0.5);
    expect(body.alerts.byLevel.red).toBeGreaterThanOrEqual(1);
    expect(body.alerts.byRule.find((r) => r.key === 'external')?.count).toBe(1);
    expect(body.asOfSeq).toBeGreaterThan(0);
    expect(body.generatedAt).toBe(new Date(NOW).toISOString());
    // Today by default.
    expect((await json<ReportData>('/api/reports', LEADER)).body.cases.total).toBe(5);
  });

  it('narrows to one street, and answers an unknown street 404 and a bad query 400 with the fields', async () => {
    const street = await json<ReportData>(`/api/reports?date=2026-12-02&street=${BANTIAN}`);
    expect(street.status).toBe(200);
    expect(street.body.scope).toMatchObject({ level: 'street', code: BANTIAN, name: { zh: '坂田街道' } });
    expect(street.body.cases.total).toBe(4);

    const unknown = await json<{ error: { code: string; message: string } }>('/api/reports?street=440307999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('no street 440307999');

    const range = await json<{ error: { code: string; details: Array<{ path: string }> } }>('/api/reports?kind=range&date=2026-12-02');
    expect(range.status).toBe(400);
    expect(range.body.error.code).toBe('invalid_request');
    expect(range.body.error.details.map((d) => d.path).sort()).toEqual(['date', 'from', 'to']);
    for (const q of ['kind=hourly', 'date=2026-02-30', 'format=docx', 'street=abc', 'nonsense=1']) expect((await get(`/api/reports?${q}`)).status, q).toBe(400);
  });

  it('takes a range, even one reaching into the future (empty there)', async () => {
    const range = await json<ReportData>('/api/reports?kind=range&from=2026-12-01&to=2026-12-31');
    expect(range.status).toBe(200);
    expect(range.body.period.days).toBe(31);
    expect(range.body.cases.total).toBe(6);
    expect(range.body.cases.daily).toHaveLength(31);
    const future = await json<ReportData>('/api/reports?kind=monthly&date=2027-03-15');
    expect(future.status).toBe(200);
    expect(future.body.period).toMatchObject({ from: '2027-03-01', to: '2027-03-31' });
    expect(future.body.cases.total).toBe(0);
  });

  it('serves the report page under its own CSP, framable by the app only', async () => {
    const res = await get('/api/reports?date=2026-12-02&format=html', LEADER);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const html = await res.text();
    expect(html).toContain('龙岗区矛盾纠纷 日报 2026年12月2日');
    expect(html).toContain('40.0%');
    expect(html).toContain('劳资纠纷');
    expect(html.match(/<svg[\s>]/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script/i);
    const en = await (await get('/api/reports?date=2026-12-02&format=html&lang=en')).text();
    expect(en).toContain('Labour / wage arrears');
    // The rest of the app keeps its own policy.
    const other = await get('/api/reports?date=2026-12-02');
    expect(other.headers.get('x-frame-options')).toBe('DENY');
  });

  it('is not for the wall', async () => {
    expect((await get('/api/reports', WALL)).status).toBe(403);
  });

  it.skipIf(noChromium)('prints a PDF whose text holds the key figures', async () => {
    let started = performance.now();
    const res = await get('/api/reports?date=2026-12-02&format=pdf', LEADER);
    const first = performance.now() - started;
    expect(res.status, await res.clone().text().catch(() => '')).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="report_daily_440307_2026-12-02\.pdf"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('龙岗区_日报_2026-12-02.pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { pages, text } = await pdfText(bytes);
    expect(pages).toBeGreaterThanOrEqual(2);
    const flat = text.replace(/\s+/g, '');
    for (const figure of ['龙岗区矛盾纠纷', '日报', '新增案件', '40.0%', '50.0%', '劳资纠纷', '截至事件#']) expect(flat, figure).toContain(figure);

    started = performance.now();
    const again = await get('/api/reports?date=2026-12-02&format=pdf&lang=en', LEADER);
    expect(again.status).toBe(200);
    const second = performance.now() - started;
    const en = (await pdfText(new Uint8Array(await again.arrayBuffer()))).text;
    expect(en).toContain('Labour / wage arrears');
    // A PDF leaving the server is an export in the audit log (noted as the answer goes out).
    await expect
      .poll(async () => (await asAdmin(server, 'GET', '/api/admin/audit?action=export')).body.items.map((e: { target: string; actor: { role: string } }) => [e.target, e.actor.role]), { timeout: 5_000 })
      .toContainEqual(['report:daily:440307:2026-12-02', 'leader']);
    console.info(`[reports] PDF: first (Chromium starting) ${Math.round(first)} ms, next ${Math.round(second)} ms, ${bytes.length} bytes, ${pages} pages`);
  });

  it('archives yesterday’s daily report once, frozen, and serves it from the archive', async () => {
    // Thursday 3 Dec, 08:00 local: 2 Dec has ended.
    clock.now = NOW + 22 * HOUR;
    const ran = await server.reports.run();
    // The log began on 2 Dec, but holds a case reported on 1 Dec: both days are reported, oldest first.
    expect(ran).toEqual(['daily:440307:2026-12-01', 'daily:440307:2026-12-02']);
    expect(await server.reports.run()).toEqual([]);

    const list = await json<{ reports: ArchivedReport[] }>('/api/reports/archive', LEADER);
    expect(list.status).toBe(200);
    expect(list.body.reports.map((r) => r.id)).toEqual(['daily:440307:2026-12-02', 'daily:440307:2026-12-01']);
    expect(list.body.reports[0]).toEqual(
      { id: 'daily:440307:2026-12-02', kind: 'daily', scope: { level: 'district', code: '440307', name: { zh: '龙岗区', en: 'Longgang District' } }, period: { from: '2026-12-02', to: '2026-12-02' }, generatedAt: new Date(clock.now).toISOString(), headline: { cases: 5, resolved: 2, alerts: expect.any(Number) } },
    );
    expect(list.body.reports[1]!.headline.cases).toBe(1);
    expect((await json<{ reports: ArchivedReport[] }>('/api/reports/archive?limit=1')).body.reports).toHaveLength(1);
    expect((await json<{ reports: ArchivedReport[] }>('/api/reports/archive?kind=weekly')).body.reports).toEqual([]);
    expect((await json<{ reports: ArchivedReport[] }>(`/api/reports/archive?street=${BANTIAN}`)).body.reports).toEqual([]);
    expect((await get('/api/reports/archive?limit=0')).status).toBe(400);

    // A case of 2 Dec posted late changes the live report, not the archived one.
    expect((await post(server, { events: [caseReported({ reportedAt: new Date(NOW + HOUR).toISOString(), peopleInvolved: 2, severity: 1 })] })).status).toBe(201);
    expect((await json<ReportData>('/api/reports?date=2026-12-02')).body.cases.total).toBe(6);
    const id = encodeURIComponent('daily:440307:2026-12-02');
    const archived = await json<ReportData>(`/api/reports/archive/${id}`);
    expect(archived.status).toBe(200);
    expect(archived.body.id).toBe('daily:440307:2026-12-02');
    expect(archived.body.cases.total).toBe(5);
    expect(archived.body.resolution.resolutionRate).toBeCloseTo(0.4);

    const page = await get(`/api/reports/archive/${id}?format=html`, LEADER);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('40.0%');
    expect(html).toContain('daily:440307:2026-12-02');

    const missing = await json<{ error: { message: string } }>(`/api/reports/archive/${encodeURIComponent('daily:440307:2026-11-01')}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('no such archived report');
    expect((await get(`/api/reports/archive/${id}?format=xml`)).status).toBe(400);
  });
});
