import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDistrictData } from '../../server/district-data.js';
import { startDemoFeed, type DemoFeed, type DemoFeedOptions, type FeedLogger } from '../../server/sim/demo-feed.js';
import { createSimulation } from '../../server/sim/generator.js';
import type { IntakeEvent } from '../../shared/intake.js';
import { DAY_MS, HOUR_MS } from '../../shared/time.js';

const NOW = Date.UTC(2026, 10, 22, 4);
const data = loadDistrictData('longgang');

/** What the fake server does with the n-th request (0-based): accept, fail, or accept and then lose the answer. */
type Answer = 'ok' | 'fail-503' | 'lost-ack' | 'bad-400';

interface Recorded {
  events: IntakeEvent[];
  answer: Answer;
  authorization: string | undefined;
}

/** A tiny stand-in for POST /api/events: stores by (source, sourceRef) like the real one and records every body. */
async function fakeIntake(answerFor: (n: number) => Answer = () => 'ok') {
  const requests: Recorded[] = [];
  const stored = new Map<string, IntakeEvent>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: IntakeEvent[] };
      const answer = answerFor(requests.length);
      requests.push({ events, answer, authorization: req.headers.authorization });
      if (answer === 'fail-503') return res.writeHead(503).end('{"error":{"code":"unavailable","message":"busy"}}');
      if (answer === 'bad-400') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'invalid', message: 'bad', details: [{ path: 'events[0].title', message: 'must not be empty' }] } }));
      }
      const results = events.map((e, index) => {
        const key = `${e.source}|${e.sourceRef}`;
        const duplicate = stored.has(key);
        if (!duplicate) stored.set(key, e);
        return { index, id: key, seq: stored.size, type: e.type, duplicate };
      });
      // The commit happened but the client never hears about it: its retry must not store anything twice.
      if (answer === 'lost-ack') return req.socket.destroy();
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    stored,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function recordingLog() {
  const lines: { level: string; msg: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, msg, fields });
  const log: FeedLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, log };
}

const feeds: DemoFeed[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function setup(answerFor?: (n: number) => Answer, overrides: Partial<DemoFeedOptions> = {}) {
  const server = await fakeIntake(answerFor);
  closers.push(server.close);
  const { lines, log } = recordingLog();
  const options: DemoFeedOptions = {
    baseUrl: `${server.url}/`, seed: 42, ratePerHour: 600, backfillRatePerHour: 20, backfillDays: 2,
    district: data.info, categories: data.categories, clock: () => NOW, log, tickMs: 5, retryBaseMs: 5, ...overrides,
  };
  const feed = startDemoFeed(options);
  feeds.push(feed);
  return { server, feed, lines };
}

/** The history the feed should write: the same simulation, run directly. */
function expectedHistory(days: number, rate: number): IntakeEvent[] {
  const sim = createSimulation({ seed: 42, district: data.info, categories: data.categories, ratePerHour: rate, startMs: NOW - days * DAY_MS });
  return sim.eventsBetween(NOW - days * DAY_MS, NOW);
}

describe('demo feed', () => {
  it('backfills the history over HTTP in batches of at most 500, with progress in the log', async () => {
    const { server, feed, lines } = await setup(undefined, { apiKey: 'k-123' });
    await feed.backfilled;
    const expected = expectedHistory(2, 20);
    expect(expected.length).toBeGreaterThan(1000);
    expect(server.requests.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 500));
    for (const r of server.requests) {
      expect(r.events.length).toBeLessThanOrEqual(500);
      expect(r.authorization).toBe('Bearer k-123');
    }
    expect(server.requests.flatMap((r) => r.events)).toEqual(expected);
    const progress = lines.filter((l) => l.msg.includes('backfilling'));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => l.msg.includes('backfill done'))).toBe(true);
  });

  it('retries a 503 and a lost acknowledgement so every event is stored exactly once', async () => {
    const answers: Answer[] = ['ok', 'fail-503', 'fail-503', 'ok', 'lost-ack', 'ok'];
    const { server, feed, lines } = await setup((n) => answers[n] ?? 'ok');
    await feed.backfilled;
    const expected = expectedHistory(2, 20);
    expect([...server.stored.values()]).toEqual(expected);
    // The retried bodies are the very batches that failed.
    expect(server.requests[2]!.events).toEqual(server.requests[1]!.events);
    expect(server.requests[3]!.events).toEqual(server.requests[1]!.events);
    expect(server.requests[5]!.events).toEqual(server.requests[4]!.events);
    expect(lines.filter((l) => l.level === 'warn').length).toBe(3);
  });

  it('logs a 4xx with the server\'s details and moves on to the next batch', async () => {
    const { server, feed, lines } = await setup((n) => (n === 0 ? 'bad-400' : 'ok'));
    await feed.backfilled;
    const error = lines.find((l) => l.level === 'error')!;
    expect(error.fields).toMatchObject({ status: 400, code: 'invalid', details: [{ path: 'events[0].title' }] });
    const skipped = new Set(server.requests[0]!.events.map((e) => e.sourceRef));
    expect(server.requests.slice(1).some((r) => r.events.some((e) => skipped.has(e.sourceRef)))).toBe(false);
    expect(server.stored.size).toBe(expectedHistory(2, 20).length - skipped.size);
  });

  it('then posts each elapsed window live at the live rate', async () => {
    let now = NOW;
    const { server, feed } = await setup(undefined, { clock: () => now, backfillDays: 0 });
    await feed.backfilled;
    expect(server.requests).toHaveLength(0);
    now += HOUR_MS;
    await expect.poll(() => server.stored.size, { timeout: 5000 }).toBeGreaterThan(100);
    const times = [...server.stored.values()].map((e) => (e.type === 'case.reported' ? Date.parse(e.reportedAt!) : NaN));
    expect(times.every((t) => Number.isNaN(t) || (t >= NOW && t < NOW + HOUR_MS))).toBe(true);
  });

  it('stops promptly, even mid-backfill against a server that keeps failing', async () => {
    const { server, feed } = await setup(() => 'fail-503', { retryBaseMs: 60_000 });
    await expect.poll(() => server.requests.length).toBeGreaterThan(0);
    await feed.stop();
    await expect(feed.backfilled).rejects.toThrow(/stopped/);
    const count = server.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests.length).toBe(count);
  });
});
