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

export async function saveSnapshot(dir: string, projections: Projections, store: EventStore): Promise<boolean> {
  if (projections.seq === 0) return false;
  const [last] = await store.readAfter(projections.seq - 1, 1);
  if (!last) return false;
  const body: SnapshotFile = {
    version: SNAPSHOT_VERSION,
    seq: projections.seq,
    lastEventId: last.id,
    wall: projections.wall,
    cases: [...projections.cases.records()],
    histories: projections.cases.histories(),
    risk: projections.risk && { fingerprint: projections.risk.fingerprint, state: projections.risk.snapshot() },
    leader: projections.leader.snapshot(),
    directory: projections.directory.snapshot(),
  };
  const file = path.join(dir, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  // Write then rename: a crash mid-write leaves the previous snapshot, never half of one.
  fs.writeFileSync(tmp, JSON.stringify(body));
  fs.renameSync(tmp, file);
  return true;
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
