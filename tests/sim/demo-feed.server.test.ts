/** The demo feed against the real server: everything it sends is accepted, and a restart re-posts idempotently. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { loadDistrictData } from '../../server/district-data.js';
import { startDemoFeed, type DemoFeedOptions, type FeedLogger } from '../../server/sim/demo-feed.js';
import { integrationKey } from '../helpers/auth.js';
import { startServer } from '../helpers/server.js';

/** The secret part of `sygl_<key id>_<secret>`: the secret is base64url and may itself hold `_`, so not split('_'). */
const secretOf = (key: string) => /^sygl_[a-z0-9]+_(.+)$/.exec(key)![1]!;

const data = loadDistrictData('longgang');

function recordingLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, msg, fields: fields as Record<string, unknown> });
  const log: FeedLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, log };
}

describe('demo feed against the real server', () => {
  let server: RunningServer;
  let apiKey: string;
  beforeAll(async () => {
    server = await startServer({ STREAM_BATCH_MS: 25 });
    // The feed posts as an integration, with a key like any other (the demo makes its own: sim/demo-access.ts).
    apiKey = await integrationKey(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  const seq = async () => ((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq;
  const options = (log: FeedLogger): DemoFeedOptions => ({
    apiKey, baseUrl: server.url, seed: 42, ratePerHour: 36_000, backfillDays: 3, district: data.info, categories: data.categories, log, tickMs: 20,
  });

  it('backfills and goes live with no event refused, then a restart re-posts history as duplicates', async () => {
    const first = recordingLog();
    const feed = startDemoFeed(options(first.log));
    await feed.backfilled;
    const afterBackfill = await seq();
    expect(afterBackfill).toBeGreaterThan(500);
    await expect.poll(seq, { timeout: 5000 }).toBeGreaterThan(afterBackfill);
    await feed.stop();
    expect(first.lines.filter((l) => l.level !== 'info')).toEqual([]);

    const before = await seq();
    const second = recordingLog();
    const again = startDemoFeed(options(second.log));
    await again.backfilled;
    await again.stop();
    expect(second.lines.filter((l) => l.level !== 'info')).toEqual([]);
    expect(first.lines.concat(second.lines).some((l) => JSON.stringify(l.fields).includes(secretOf(apiKey)))).toBe(false);
    const done = second.lines.find((l) => l.msg.includes('backfill done'))!.fields;
    expect(done.rejected).toBe(0);
    // Only the few events of the seconds between the two starts can be new.
    expect(done.duplicates as number).toBeGreaterThan((done.posted as number) * 0.95);
    expect((await seq()) - before).toBe((done.posted as number) - (done.duplicates as number));
  });
});
