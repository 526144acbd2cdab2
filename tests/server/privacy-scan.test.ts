/**
 * The masking policy end to end (issue 15 items 1 and 3): generated personal data (tests/helpers/pii.ts) is planted
 * in every text field an integration or a user can write — case titles, descriptions, party names, alert titles from
 * outside systems, alert acknowledge and close notes, triage and supervision notes, return reasons, progress and
 * resolution notes, an unmask's reason — and every surface is scanned for each role: the wall's read API and every
 * socket frame it receives, the desks' read APIs for departments, duty and leader, /api/alerts*, the leader overview,
 * reports as JSON, HTML and PDF text, the archived report, the ledger .xlsx and the admin's audit view. Nothing
 * planted may come back where the role is not entitled to it; the audited unmask still shows it all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { ADMIN, asDept, authHeaders, DUTY, LEADER, WALL, type Who } from '../helpers/auth.js';
import { command, get } from '../helpers/dispatch.js';
import { BANTIAN, caseReported, caseResolved, GANGTOU } from '../helpers/factories.js';
import { anyPlanted, leaks, mobile, id18, name as nameArb, sentence, type Planted } from '../helpers/pii.js';
import { fetchAs, post, RecordingClient, startServer } from '../helpers/server.js';
import { onCi } from '../helpers/pg-env.js';
import { pdfText } from './reports/pdf-text.js';
import { exportLedger, readWorkbook } from './ledger/ledger-client.js';

const HOUR = 3_600_000;
/** Wednesday 2 Dec 2026, 10:00 in Shenzhen. */
const NOW = Date.parse('2026-12-02T02:00:00Z');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = !fs.existsSync(chromium) && !onCi;
/** A case's own point: the wall must never receive it. */
const POINT = { lat: 22.6531274, lng: 114.0612389 };
const SEED = Number(process.env.PII_SEED ?? Date.now() % 1_000_000);

/** Every string in a JSON body, but times and ids (which may hold digit runs that are no one's data). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})$/.test(value) && !/^[\da-f]{8}-[\da-f]{4}-/.test(value)) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(k, out), strings(v, out);
  return out;
}

/** What of `planted` any of these texts lets out, with where. */
function scan(where: string, texts: readonly string[], planted: readonly Planted[]): string[] {
  const found: string[] = [];
  for (const t of texts) for (const p of leaks(t, planted)) found.push(`${where}: ${p.kind} ${JSON.stringify(p.text)} in ${JSON.stringify(t.slice(0, 300))}`);
  return found;
}

/** The text a report page shows: no style sheet, no tags, no data: images (their base64 is anybody's letters). */
function pageText(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/data:[^"')\s]+/g, '').replace(/<[^>]+>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ');
}

describe('no personal data where a role is not entitled to it', () => {
  const clock = { now: NOW };
  let server: RunningServer;
  let wall: RecordingClient;
  const frames: unknown[] = [];
  /** Found by the detector, or a case's own party names: masked on every surface. */
  const detectable: Planted[] = [];
  /** Names in an outside system's alert title, which nothing can tell from other words: never on the wall. */
  const undetectable: Planted[] = [];
  const caseIds: string[] = [];
  const alertIds: string[] = [];
  let geoText = '';

  const sample = <T,>(arb: fc.Arbitrary<T>, n: number, offset = 0): T[] => fc.sample(arb, { seed: SEED + offset, numRuns: n });
  const say = (offset: number, withNames: Planted[] = [], maxValues = 3): string => {
    const [s] = sample(sentence(anyPlanted, maxValues), 1, offset);
    detectable.push(...s!.planted);
    return withNames.map((n) => `${n.text}称`).join('') + s!.text;
  };

  beforeAll(async () => {
    console.info(`[privacy-scan] seed ${SEED} (PII_SEED=${SEED} replays it)`);
    server = await startServer(
      { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-privacy-')), TIMER_SWEEP_MS: 60_000, SESSION_IDLE_MINUTES: 24 * 60, SESSION_MAX_HOURS: 7 * 24 },
      { clock: () => clock.now },
    );
    wall = new RecordingClient(server.url, { as: WALL });
    wall.socket.onAny((_event, ...args) => frames.push(args));
    await wall.connected();
    geoText = JSON.stringify(await (await fetchAs(server, '/api/geo', DUTY)).json());

    // Names that happen to be words of the district (a community named 林华…) would be found in its own data.
    // Each name once, and none inside another (an alert's name must not be a party's name by chance).
    const names: Planted[] = [];
    for (const n of sample(nameArb, 80, 1)) {
      if (!geoText.includes(n.text) && n.text.length >= 3 && !names.some((m) => m.text.includes(n.text) || n.text.includes(m.text))) names.push(n);
    }
    expect(names.length).toBeGreaterThanOrEqual(16);
    const partyNames = names.slice(0, 12);
    const alertNames = names.slice(12, 16);
    detectable.push(...partyNames);
    undetectable.push(...alertNames);
    const phones = sample(mobile, 4, 2);
    const ids = sample(id18, 4, 3);
    detectable.push(...phones, ...ids);

    // Cases from an integration: title, description, parties and a point; four cases, three parties each.
    const cases = [0, 1, 2, 3].map((i) => {
      const parties = partyNames.slice(i * 3, i * 3 + 3);
      return caseReported({
        title: say(10 + i, parties.slice(0, 1), 2).slice(0, 200),
        description: `${say(20 + i, parties)}；${parties.map((p) => p.text).join('、')}`,
        reportedAt: at((4 - i) * HOUR),
        location: POINT,
        parties: parties.map((p, k) => ({
          role: k === 0 ? ('applicant' as const) : ('respondent' as const),
          name: p.text,
          phone: phones[i]!.secret,
          idNumber: ids[i]!.secret,
        })),
      });
    });
    // Alerts from outside systems: detectable data in title and description; names (undetectable) in one more.
    const alerts = [0, 1].map((i) => ({ type: 'alert.raised' as const, source: 'hotline' as const, sourceRef: `pii-alert-${SEED}-${i}`, level: 'red' as const, title: say(30 + i, [], 2).slice(0, 200), description: say(40 + i), streetCode: BANTIAN, communityCode: GANGTOU, raisedAt: at(HOUR) }));
    const named = { ...alerts[0]!, sourceRef: `pii-alert-${SEED}-named`, title: `${alertNames.map((n) => n.text).join('、')}聚集讨薪`, description: undefined };
    const made = await post(server, { events: [...cases, ...alerts, named] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    caseIds.push(...made.body.results.slice(0, 4).map((r: { caseId: string }) => r.caseId));
    alertIds.push(...made.body.results.slice(4).map((r: { alertId: string }) => r.alertId));
    expect(alertIds).toHaveLength(3);

    const ok = (r: { status: number; body: unknown }) => expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    const namesOf = (i: number) => partyNames.slice(i * 3, i * 3 + 3);
    const labour = asDept('labour');
    const police = asDept('police');
    // Case 0: triage and supervision notes, an assisting department's return, progress and resolution notes.
    const [c0, c1, c2] = caseIds as [string, string, string];
    ok(await command(server, c0, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people', note: say(50, namesOf(0)) }));
    ok(await command(server, c0, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'urgent', lead: 'labour', assists: ['police'], note: say(51, namesOf(0)) }));
    ok(await command(server, c0, police, { type: 'return', expectedVersion: 3, reason: say(52, namesOf(0)).slice(0, 500) }));
    ok(await command(server, c0, DUTY, { type: 'supervise', expectedVersion: 4, deptId: 'labour', note: say(53, namesOf(0)) }));
    ok(await command(server, c0, labour, { type: 'reportIn', expectedVersion: 5 }));
    ok(await command(server, c0, labour, { type: 'progress', expectedVersion: 6, note: say(54, namesOf(0)) }));
    // Case 1: whistled, then returned by its lead: the case's last return reason.
    ok(await command(server, c1, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' }));
    ok(await command(server, c1, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead: 'labour', assists: [] }));
    ok(await command(server, c1, labour, { type: 'return', expectedVersion: 3, reason: say(55, namesOf(1)).slice(0, 500) }));
    // Case 2: whistled, reported in and resolved with a note.
    ok(await command(server, c2, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' }));
    ok(await command(server, c2, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead: 'labour', assists: [] }));
    ok(await command(server, c2, labour, { type: 'reportIn', expectedVersion: 3 }));
    ok(await command(server, c2, labour, { type: 'resolve', expectedVersion: 4, outcome: 'mediated', note: say(56, namesOf(2)) }));
    // Case 3: resolved through intake, with the integration's note.
    const resolved = await post(server, caseResolved(cases[3]!.sourceRef, { note: say(57, namesOf(3)) }));
    ok(resolved);
    // Alerts: one acknowledged with a note (still open), one closed with a note.
    const alertCommand = async (id: string, body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/api/alerts/${id}/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await authHeaders(server, DUTY)) }, body: JSON.stringify({ commandId: randomUUID(), ...body }) });
      return { status: res.status, body: await res.json() };
    };
    const version = async (id: string) => ((await get(server, `/api/alerts/${id}`)).body.alert.version as number);
    ok(await alertCommand(alertIds[0]!, { type: 'acknowledge', expectedVersion: await version(alertIds[0]!), note: say(60).slice(0, 500) }));
    ok(await alertCommand(alertIds[1]!, { type: 'close', expectedVersion: await version(alertIds[1]!), note: say(61).slice(0, 1000) }));
    // An unmask, with personal data in its stated reason (the audit view shows the reason).
    const unmask = await fetch(`${server.url}/api/cases/${c0}/unmask`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await authHeaders(server, DUTY)) }, body: JSON.stringify({ reason: say(62).slice(0, 200) }) });
    expect(unmask.status).toBe(200);
    const unmasked = (await unmask.json()) as { title: string; parties: Array<{ name: string }> };
    // Entitled, audited: the unmasked case is whole.
    expect(unmasked.parties.map((p) => p.name)).toEqual(namesOf(0).map((n) => n.text));
    // Intake trims human text (shared/text.ts), and a generated title can end in a space.
    expect(unmasked.title).toBe(cases[0]!.title.trim());

    await wall.until(((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq);
  }, 120_000);

  afterAll(async () => {
    wall?.close();
    await server?.close();
  });

  it('plants what it means to (the corpus is not empty, and the surfaces are not)', () => {
    expect(detectable.length).toBeGreaterThan(40);
    expect(new Set(detectable.map((p) => p.kind)).size).toBeGreaterThanOrEqual(8);
    expect(undetectable.length).toBeGreaterThan(0);
  });

  it('the wall: read API and every socket frame carry no planted text, no name and no case point', async () => {
    const surfaces: Array<[string, unknown]> = [];
    for (const p of ['/api/snapshot', '/api/cases?limit=500', `/api/areas/${BANTIAN}/risk`, `/api/areas/${GANGTOU}/risk`, `/api/areas/${GANGTOU}/heat`, `/api/areas/${BANTIAN}/heat`]) {
      const res = await fetchAs(server, p, WALL);
      expect(res.status, p).toBe(200);
      surfaces.push([p, await res.json()]);
    }
    expect(frames.length).toBeGreaterThan(0);
    surfaces.push(['socket frames', frames]);
    const found: string[] = [];
    for (const [where, body] of surfaces) {
      found.push(...scan(where, strings(body), [...detectable, ...undetectable]));
      const text = JSON.stringify(body);
      if (text.includes(String(POINT.lat)) || text.includes(String(POINT.lng)) || text.includes('"location"')) found.push(`${where}: the case's point`);
    }
    expect(found.slice(0, 20).join('\n')).toBe('');
    // The wall shows the outside alerts, labelled: level and place by the client, the source here.
    const snapshot = surfaces[0]![1] as { state: { ticker: Array<{ type: string; title?: string }> } };
    const titles = snapshot.state.ticker.filter((e) => e.type === 'alert.raised').map((e) => e.title);
    expect(titles).toEqual(['外部预警 · 12345热线报送', '外部预警 · 12345热线报送', '外部预警 · 12345热线报送']);
  });

  it('the desks: departments, duty and leader see every case text, alert and note masked', async () => {
    const reads: Array<[Who, string]> = [];
    for (const who of [DUTY, LEADER]) {
      reads.push([who, '/api/queue'], [who, '/api/whistles'], [who, '/api/alerts'], [who, '/api/alerts?status=closed']);
      for (const id of caseIds) reads.push([who, `/api/cases/${id}`]);
      for (const id of alertIds) reads.push([who, `/api/alerts/${id}`]);
    }
    reads.push([LEADER, '/api/leader/overview']);
    for (const dept of ['labour', 'police']) {
      reads.push([asDept(dept), `/api/departments/${dept}/whistles`]);
      for (const id of caseIds.slice(0, 3)) reads.push([asDept(dept), `/api/cases/${id}`]);
    }
    const found: string[] = [];
    let seen = 0;
    for (const [who, p] of reads) {
      const res = await fetchAs(server, p, who);
      if (res.status === 404 && who.role === 'dept') continue;
      expect(res.status, `${who.role} ${p}`).toBe(200);
      const body = await res.json();
      seen += 1;
      found.push(...scan(`${who.role} ${p}`, strings(body), detectable));
    }
    expect(seen).toBeGreaterThan(20);
    expect(found.slice(0, 20).join('\n')).toBe('');
  });

  it('a refusal’s current state masks the return reasons it carries', async () => {
    const res = await command(server, caseIds[0]!, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('version_conflict');
    expect(res.body.error.current.whistle.assignments.some((a: { reason?: string }) => a.reason)).toBe(true);
    expect(scan('409 current', strings(res.body), detectable).join('\n')).toBe('');
  });

  it('reports: JSON, page and PDF, live and archived, print no planted text', async () => {
    const found: string[] = [];
    const json = await fetchAs(server, '/api/reports?kind=daily&date=2026-12-02', LEADER);
    expect(json.status).toBe(200);
    const report = (await json.json()) as { alerts: { red?: Array<{ title: string }> } };
    expect(report.alerts.red?.length).toBeGreaterThanOrEqual(3);
    found.push(...scan('report json', strings(report), detectable));
    const page = await fetchAs(server, '/api/reports?kind=daily&date=2026-12-02&format=html', DUTY);
    expect(page.status).toBe(200);
    found.push(...scan('report page', [pageText(await page.text())], detectable));
    if (!noChromium) {
      const pdf = await fetchAs(server, '/api/reports?kind=daily&date=2026-12-02&format=pdf', LEADER);
      expect(pdf.status).toBe(200);
      const { text } = await pdfText(new Uint8Array(await pdf.arrayBuffer()));
      expect(text).toContain('红色');
      found.push(...scan('report pdf', [text], detectable));
    }
    // Thursday 3 Dec, 08:00 local: 2 Dec is over and archived, frozen as computed.
    clock.now = NOW + 22 * HOUR;
    expect(await server.reports.run()).toContain('daily:440307:2026-12-02');
    const id = encodeURIComponent('daily:440307:2026-12-02');
    const archived = await fetchAs(server, `/api/reports/archive/${id}`, LEADER);
    expect(archived.status).toBe(200);
    const frozen = await archived.json();
    expect(frozen.alerts.red.length).toBeGreaterThanOrEqual(3);
    found.push(...scan('archived json', strings(frozen), detectable));
    const archivedPage = await fetchAs(server, `/api/reports/archive/${id}?format=html`, LEADER);
    found.push(...scan('archived page', [pageText(await archivedPage.text())], detectable));
    expect(found.slice(0, 20).join('\n')).toBe('');
  });

  it('the ledger .xlsx and the admin’s audit view print no planted text', async () => {
    const res = await exportLedger(server, 'from=2026-12-01&to=2026-12-03', DUTY);
    expect(res.status).toBe(200);
    const book = await readWorkbook(res.body);
    const cells: string[] = [];
    book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.text ?? '')))));
    expect(cells.some((c) => c.includes('*'))).toBe(true);
    const audit = await fetchAs(server, '/api/admin/audit?limit=500', ADMIN);
    expect(audit.status).toBe(200);
    const auditBody = (await audit.json()) as { items: Array<{ action: string }> };
    expect(auditBody.items.some((i) => i.action === 'case.unmasked')).toBe(true);
    expect([...scan('ledger', cells, detectable), ...scan('audit', strings(auditBody), detectable)].slice(0, 20).join('\n')).toBe('');
  });
});
