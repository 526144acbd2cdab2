/**
 * The demo's dispatch history on the real server (issue 22): a fresh demo opens with the whole loop in its history —
 * the roll-call, the department board, tier containment and the heat replay are filled — the same for the same seed,
 * and a restart on the same data writes nothing twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../shared/api.js';
import type { HeatHistory } from '../../shared/risk.js';
import { activeWhistles, boardPeriod, departmentBoard, tierContainment } from '../../shared/wall-dispatch.js';
import type { WallState } from '../../shared/wall-state.js';
import type { DemoHistorySummary, RunningServer } from '../../server/boot.js';
import { DUTY, LEADER } from '../helpers/auth.js';
import { fetchAs, startServer } from '../helpers/server.js';

// A fixed clock: the same instant for both runs, so the same seed gives the same history to compare.
const NOW = Date.parse('2026-11-25T06:30:00Z');
const DAY = 86_400_000;
const dirs: string[] = [];
const servers: RunningServer[] = [];

async function demo(dataDir: string, seed = 7): Promise<{ server: RunningServer; history: DemoHistorySummary }> {
  const server = await startServer(
    { DEMO: true, DATA_DIR: dataDir, DEMO_SEED: seed, DEMO_BACKFILL_DAYS: 2, DEMO_BACKFILL_RATE_PER_HOUR: 40, DEMO_HISTORY_SHARE: 0.3, RISK_SWEEP_MS: 3_600_000 },
    { clock: () => NOW },
  );
  servers.push(server);
  const history = await server.demoHistory!;
  return { server, history };
}

const seq = async (server: RunningServer) => ((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq;

async function fingerprint(server: RunningServer) {
  const metrics = (await (await fetchAs(server, `/api/metrics?groupBy=department&from=${new Date(NOW - 10 * DAY).toISOString()}&to=${new Date(NOW).toISOString()}`, DUTY)).json()) as MetricsResponse;
  return { rows: metrics.rows, tiers: metrics.tiers };
}

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the demo history (issue 22)', () => {
  it('writes the whole loop into the backfilled days, fills every dispatch panel, the same for a seed, and nothing twice on a restart', async () => {
    const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-history-a-'));
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-history-b-'));
    dirs.push(dirA, dirB);

    const a = await demo(dirA);
    expect(a.history.dispatched).toBeGreaterThan(100);
    expect(a.history.refused, JSON.stringify(a.history.refusedBy)).toBe(0);
    // Every kind of step of the loop is in the history.
    for (const type of ['triage', 'whistle', 'reportIn', 'return', 'progress', 'resolve', 'confirm', 'followUp', 'archive', 'autoSupervise', 'escalate']) {
      expect(a.history.byType[type] ?? 0, type).toBeGreaterThan(0);
    }

    // The wall's own fold: an active roll-call, departments on the board over two days, tiers over every closure.
    const wall = (await (await fetchAs(a.server, '/api/snapshot')).json()) as { state: WallState } | WallState;
    const state = 'state' in wall ? wall.state : wall;
    expect(activeWhistles(state.dispatch, NOW).length).toBeGreaterThan(0);
    const board = departmentBoard(state.dispatch, NOW, state.tzOffsetMinutes);
    expect(board.length).toBeGreaterThan(8);
    expect(board.some((r) => r.resolutionRate !== null && r.resolutionRate > 0)).toBe(true);
    expect(boardPeriod(state.dispatch, NOW, state.tzOffsetMinutes).days).toBeGreaterThanOrEqual(2);
    const tiers = tierContainment(state.dispatch, NOW, state.tzOffsetMinutes);
    expect(tiers.total).toBeGreaterThan(200);
    expect(tiers.thin).toBe(false);

    // The leader's replay: the hours of the backfilled days differ.
    const replay = (await (await fetchAs(a.server, '/api/leader/heat-history?days=2', LEADER)).json()) as HeatHistory;
    expect(new Set(replay.frames.map((f) => f.heat.join(','))).size).toBeGreaterThan(24);

    // The same seed on a fresh data dir: the same history.
    const b = await demo(dirB);
    expect({ ...b.history, ms: 0 }).toEqual({ ...a.history, ms: 0 });
    expect(await fingerprint(b.server)).toEqual(await fingerprint(a.server));
    await b.server.close();

    // A restart on A's data: history re-sent, answered as duplicates, nothing written.
    const before = await seq(a.server);
    const figures = await fingerprint(a.server);
    await a.server.close();
    const again = await demo(dirA);
    expect(again.history.steps).toBe(0);
    expect(again.history.duplicates).toBeGreaterThan(0);
    expect(await seq(again.server)).toBe(before);
    expect(await fingerprint(again.server)).toEqual(figures);
  }, 240_000);
});
