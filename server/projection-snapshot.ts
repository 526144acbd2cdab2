/**
 * Projection snapshots: the folded read models saved next to the log, so start-up replays only the tail of the log
 * instead of all of it (docs/architecture.md §8: a million events in ≤ 10 s). The log stays the record: a snapshot that
 * does not match it (other version, other settings, a seq the log lacks or an event id that differs) is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WallState } from '../shared/wall-state.js';
import type { CaseRecord } from './domain/case-index.js';
import { Directory, type DirectorySnapshot } from './domain/directory.js';
import { LeaderStats } from './domain/leader-stats.js';
import { RiskEngine } from './domain/risk/engine.js';
import { Projections, type ProjectionSettings } from './projections.js';
import type { EventStore } from './store/event-store.js';

/** Bump when the shape of a projection changes: old snapshots are then rebuilt from the log. */
export const SNAPSHOT_VERSION = 6;
const FILE = 'projections.snapshot.json';

interface SnapshotFile {
  version: number;
  seq: number;
  lastEventId: string;
  wall: WallState;
  cases: CaseRecord[];
  histories: ReturnType<Projections['cases']['histories']>;
  /** The risk engine's state and the fingerprint of the rules it was folded with (null: rules were off). */
  risk: { fingerprint: string; state: unknown } | null;
  leader: unknown;
  directory: DirectorySnapshot;
}

/** Records (and timelines) serialised per slice before the event loop is let go. */
const SLICE = 1_000;
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes the snapshot without holding the event loop for long: the cases and their timelines, nearly all of its size,
 * are serialised a slice at a time with the event loop let go between slices, while events go on being applied. The
 * case index tracks which records those events change; at the end, in one synchronous step, those records and the
 * ones added meanwhile are serialised again, and the rest of the state (wall, risk, leader, directory) is taken, so
 * every part is as of one seq, the one the snapshot names. The file is written asynchronously, then renamed over the
 * previous one.
 */
export async function saveSnapshot(dir: string, projections: Projections, store: EventStore): Promise<boolean> {
  if (projections.seq === 0) return false;
  const index = projections.cases;
  const tracker = index.trackChanges();
  let body: { head: string; cases: string[]; steps: string[]; tail: string; seq: number };
  try {
    const records = index.records();
    const recordCount = records.length;
    const cases: string[] = new Array(recordCount);
    const steps0 = index.histories().steps;
    const steps: string[] = new Array(steps0.length);
    for (let i = 0; i < recordCount; i += SLICE) {
      for (let j = i; j < Math.min(i + SLICE, recordCount); j++) cases[j] = JSON.stringify(records[j]);
      await yieldToEvents();
    }
    for (let i = 0; i < steps0.length; i += SLICE) {
      for (let j = i; j < Math.min(i + SLICE, steps0.length); j++) steps[j] = JSON.stringify(steps0[j]);
      await yieldToEvents();
    }
    // One synchronous step from here: everything below is as of `seq`.
    const seq = projections.seq;
    const changedIds = new Set<string>();
    for (const record of tracker.changed) changedIds.add(record.id);
    const all = index.records();
    for (let j = 0; j < all.length; j++) if (j >= recordCount || tracker.changed.has(all[j]!)) cases[j] = JSON.stringify(all[j]);
    const history = index.histories();
    for (let j = 0; j < history.steps.length; j++) if (j >= steps0.length || changedIds.has(history.steps[j]![0])) steps[j] = JSON.stringify(history.steps[j]);
    const rest = {
      wall: JSON.stringify(projections.wall),
      commands: JSON.stringify(history.commands),
      risk: JSON.stringify(projections.risk ? { fingerprint: projections.risk.fingerprint, state: projections.risk.snapshot() } : null),
      leader: JSON.stringify(projections.leader.snapshot()),
      directory: JSON.stringify(projections.directory.snapshot()),
    };
    body = {
      seq,
      cases,
      steps,
      head: `{"version":${SNAPSHOT_VERSION},"seq":${seq},"lastEventId":`,
      tail: `,"risk":${rest.risk},"leader":${rest.leader},"directory":${rest.directory},"wall":${rest.wall}}`,
    };
    body.tail = `],"commands":${rest.commands}}${body.tail}`;
  } finally {
    tracker.stop();
  }
  const [last] = await store.readAfter(body.seq - 1, 1);
  if (!last || last.seq !== body.seq) return false;
  const file = path.join(dir, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  // Write then rename: a crash mid-write leaves the previous snapshot, never half of one.
  const out = await fs.promises.open(tmp, 'w');
  try {
    await out.write(`${body.head}${JSON.stringify(last.id)},"cases":[`);
    await writeJoined(out, body.cases);
    await out.write('],"histories":{"steps":[');
    await writeJoined(out, body.steps);
    await out.write(body.tail);
  } finally {
    await out.close();
  }
  await fs.promises.rename(tmp, file);
  return true;
}

/** `items` joined by commas, a slice per write. */
async function writeJoined(out: fs.promises.FileHandle, items: readonly string[]): Promise<void> {
  for (let i = 0; i < items.length; i += SLICE * 10) await out.write(`${i > 0 ? ',' : ''}${items.slice(i, i + SLICE * 10).join(',')}`);
}

export async function loadSnapshot(dir: string, store: EventStore, settings: ProjectionSettings): Promise<{ projections: Projections } | { reason: string }> {
  const file = path.join(dir, FILE);
  if (!fs.existsSync(file)) return { reason: 'no snapshot' };
  let snap: SnapshotFile;
  try {
    snap = JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotFile;
  } catch {
    return { reason: 'snapshot unreadable' };
  }
  if (snap.version !== SNAPSHOT_VERSION) return { reason: `snapshot version ${snap.version}, need ${SNAPSHOT_VERSION}` };
  if (snap.wall.tzOffsetMinutes !== settings.tzOffsetMinutes || snap.wall.halfLifeHours !== settings.halfLifeHours) {
    return { reason: 'snapshot made with other heat or time-zone settings' };
  }
  const [atSeq] = await store.readAfter(snap.seq - 1, 1);
  if (!atSeq || atSeq.seq !== snap.seq || atSeq.id !== snap.lastEventId) return { reason: 'snapshot does not match the event log' };
  let risk: RiskEngine | undefined;
  let leader: LeaderStats;
  let directory: Directory;
  try {
    if (settings.risk) {
      const saved = snap.risk;
      if (!saved || saved.fingerprint !== new RiskEngine(settings.risk).fingerprint) return { reason: 'snapshot made with other risk rules' };
      risk = RiskEngine.restore(saved.state, settings.risk);
    }
    leader = LeaderStats.restore(snap.leader, { tzOffsetMinutes: settings.tzOffsetMinutes });
    directory = Directory.restore(snap.directory);
  } catch {
    return { reason: 'snapshot holds unreadable risk or leader state' };
  }
  const projections = new Projections(settings, { ...(risk && { risk }), leader, directory });
  Object.assign(projections.wall, snap.wall);
  projections.cases.restore(snap.cases);
  projections.cases.restoreHistories(snap.histories);
  return { projections };
}
