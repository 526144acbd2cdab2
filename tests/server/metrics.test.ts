/**
 * Operations can watch the server: `/metrics` (Prometheus) for the token or an allowed address only, with the intake,
 * log, socket and risk figures; one JSON request log line per request that never carries a secret or a person's data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { TEST_ADMIN_PASSWORD } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { post, RecordingClient, startServer } from '../helpers/server.js';
import { killChildren, startChild } from '../helpers/spawn-server.js';
import { importFile } from './ledger/ledger-client.js';

const TOKEN = 'metrics-token-for-the-test-0123456789';
const servers: RunningServer[] = [];
afterEach(async () => {
  killChildren();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('/metrics', () => {
  it('answers only the bearer token, with process, intake, log, socket and risk figures', async () => {
    const server = await startServer({ METRICS_TOKEN: TOKEN });
    servers.push(server);
    const none = await scrape(server.url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'metrics_unauthorized' } });
    // Any other token, however close, is refused.
    for (const wrong of fc.sample(fc.string({ minLength: 1, maxLength: 60 }).filter((t) => t !== TOKEN && /^[\x21-\x7e]+$/.test(t)), 20).concat([TOKEN.slice(0, -1), `${TOKEN}x`])) {
      expect((await scrape(server.url, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    }

    const wall = new RecordingClient(server.url);
    await wall.connected();
    expect((await post(server, { events: [caseReported(), caseReported()] })).status).toBe(201);
    expect((await post(server, { events: [{ type: 'case.reported' }] })).status).toBe(400);
    const ok = await scrape(server.url, { authorization: `Bearer ${TOKEN}` });
    wall.close();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain/);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'sygl_append_duration_seconds_count', 'sygl_commit_batch_events_sum', 'sygl_follower_lag_events 0', 'sygl_overdue_timers 0', 'sygl_pdf_queue 0', 'sygl_risk_alerts_open', 'sygl_stream_events{kind="snapshots"}']) {
      expect(ok.text).toContain(name);
    }
    expect(ok.text).toMatch(/^sygl_sockets_connected\{role="wall"\} 1$/m);
    expect(ok.text).toMatch(/^sygl_intake_requests_total\{integration="[^"]+",status="201"\} 1$/m);
    expect(ok.text).toMatch(/^sygl_intake_requests_total\{integration="[^"]+",status="400"\} 1$/m);
    expect(ok.text).toMatch(/^sygl_intake_duration_seconds_count\{integration="[^"]+"\} 2$/m);
    expect(ok.text).toMatch(/^sygl_http_requests_total\{route="\/api\/events",method="POST",status="201"\} 1$/m);
  });

  it('counts ledger import jobs: running, finished by outcome, and rows committed', async () => {
    const server = await startServer({ METRICS_TOKEN: TOKEN });
    servers.push(server);
    const figures = async () => {
      const { text } = await scrape(server.url, { authorization: `Bearer ${TOKEN}` });
      const value = (line: RegExp) => Number(line.exec(text)?.[1]);
      return {
        running: value(/^sygl_import_jobs_running (\d+)$/m),
        done: value(/^sygl_import_jobs_finished\{outcome="done"\} (\d+)$/m),
        failed: value(/^sygl_import_jobs_finished\{outcome="failed"\} (\d+)$/m),
        rows: value(/^sygl_import_rows (\d+)$/m),
      };
    };
    expect(await figures()).toEqual({ running: 0, done: 0, failed: 0, rows: 0 });
    const file = ['台账编号,登记日期,纠纷类型,所属街道,所属社区,纠纷事项', ...Array.from({ length: 7 }, (_, i) => `M-${i},2026/9/${i + 1},劳资纠纷,坂田街道,岗头社区,拖欠工资${i}`)].join('\r\n');
    const first = await importFile(server, 'metrics.csv', file, { defaults: { source: 'court' } });
    expect(first.done?.phase).toBe('done');
    expect(await figures()).toEqual({ running: 0, done: 1, failed: 0, rows: 7 });
    // The same rows again are duplicates: a job done, no row committed.
    const again = await importFile(server, 'metrics.csv', file, { defaults: { source: 'court' } });
    expect(again.done?.result).toMatchObject({ cases: 0, duplicates: 7 });
    expect(await figures()).toEqual({ running: 0, done: 2, failed: 0, rows: 7 });
  });

  it('is off (404) without a token or allow-list, and open to an allowed address without the token', async () => {
    const off = await startServer();
    servers.push(off);
    const res = await scrape(off.url);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'metrics_disabled' } });
    const allowed = await startServer({ METRICS_ALLOW: '127.0.0.1,::1,::ffff:127.0.0.1' });
    servers.push(allowed);
    expect((await scrape(allowed.url)).status).toBe(200);
    const other = await startServer({ METRICS_ALLOW: '10.9.8.7' });
    servers.push(other);
    expect((await scrape(other.url)).status).toBe(401);
  });
});

describe('request logs', () => {
  it('log request id, route, status, duration and caller id, never secrets or personal data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-reqlog-'));
    const child = startChild(dataDir, { CHILD_LOG_LEVEL: 'info' });
    const server = { url: await child.url };
    // Generated hostile strings in every place a client can put one.
    const secrets = fc.sample(fc.stringMatching(/^[A-Za-z0-9]{16,40}$/), 6);
    const [inQuery, inHeader, inCookie, inPath, inPassword, inBearer] = secrets as [string, string, string, string, string, string];
    const requestId = 'trace-0123456789';
    const traced = await fetch(`${server.url}/api/cases?q=${inQuery}`, { headers: { 'x-request-id': requestId, 'x-api-secret': inHeader, cookie: `sid=${inCookie}` } });
    expect(traced.headers.get('x-request-id')).toBe(requestId);
    await fetch(`${server.url}/api/cases/${inPath}`);
    await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: inPassword }) });
    await fetch(`${server.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${inBearer}`, 'content-type': 'application/json' }, body: '{}' });
    const person = caseReported();
    const name = `张${inQuery.slice(0, 6)}`;
    expect((await post(server, { events: [{ ...person, parties: [{ role: 'applicant', name, phone: '13800001234' }] }] })).status).toBe(201);
    expect((await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) })).status).toBe(200);
    child.child.kill('SIGTERM');
    await child.exited;

    const out = child.output();
    for (const secret of [...secrets, name, '13800001234', TEST_ADMIN_PASSWORD]) expect(out).not.toContain(secret);
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>)
      .filter((l) => l.msg === 'request' || l.msg === 'request failed');
    const tracedLine = lines.find((l) => l.reqId === requestId);
    expect(tracedLine).toMatchObject({ route: '/api/cases', res: { status: 401 }, req: { method: 'GET' } });
    expect(typeof tracedLine!.ms).toBe('number');
    const intake = lines.filter((l) => l.route === '/api/events' && l.res.status === 201);
    expect(intake).toHaveLength(1);
    expect(intake[0]!.principal).toEqual(expect.any(String));
    for (const l of lines) expect(l.reqId).toEqual(expect.any(String));
  }, 120_000);
});
