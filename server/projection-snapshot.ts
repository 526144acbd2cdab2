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

/** Bump when the shape of a projection or of the file changes: old snapshots are then rebuilt from the log. */
export const SNAPSHOT_VERSION = 7;
const FILE = 'projections.snapshot.json';

/**
 * The file is one JSON value a line, so neither writing nor reading ever holds all of it as one string (at a million
 * events that string alone would be ~600 MB): a first line `{"version":7}`; a line `C<record>` per case record and
 * `H<[id, seqs]>` per case timeline, in index order; lines `c<i> <record>` and `h<i> <[id, seqs]>` that replace entry
 * i (records changed, or added, while the lines before were written); and a last line `M<meta>` with the seq the
 * whole file is as of and the rest of the state. A file without its `M` line is unreadable.
 */
interface SnapshotMeta {
  seq: number;
  lastEventId: string;
  wall: WallState;
  commands: ReturnType<Projections['cases']['histories']>['commands'];
  /** The risk engine's state and the fingerprint of the rules it was folded with (null: rules were off). */
  risk: { fingerprint: string; state: unknown } | null;
  leader: unknown;
  directory: DirectorySnapshot;
}

/** Records (and timelines) serialised per write, between which the event loop runs. */
const SLICE = 1_000;

/**
 * Writes the snapshot without holding the event loop for long and without building it in memory: the cases and their
 * timelines, nearly all of it, are serialised a slice at a time and written asynchronously while events go on being
 * applied. The case index tracks which records those events change; at the end, in one synchronous step, those
 * records and the ones added meanwhile are serialised again (as replacement lines) and the rest of the state (wall,
 * risk, leader, directory) is taken, so the file is as of one seq, the one it names. Written to a temporary file,
 * then renamed over the previous snapshot: a crash mid-write leaves the previous one.
 */
export async function saveSnapshot(dir: string, projections: Projections, store: EventStore): Promise<boolean> {
  if (projections.seq === 0) return false;
  const file = path.join(dir, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const index = projections.cases;
  const out = await fs.promises.open(tmp, 'w');
  let done = false;
  try {
    const tracker = index.trackChanges();
    let last: string;
    let meta: { seq: number; text: string };
    try {
      await out.write(`${JSON.stringify({ version: SNAPSHOT_VERSION })}\n`);
      const records = index.records();
      const recordCount = records.length;
      for (let i = 0; i < recordCount; i += SLICE) {
        let text = '';
        for (let j = i; j < Math.min(i + SLICE, recordCount); j++) text += `C${JSON.stringify(records[j])}\n`;
        await out.write(text);
      }
      const steps0 = index.histories().steps;
      for (let i = 0; i < steps0.length; i += SLICE) {
        let text = '';
        for (let j = i; j < Math.min(i + SLICE, steps0.length); j++) text += `H${JSON.stringify(steps0[j])}\n`;
        await out.write(text);
      }
      // One synchronous step from here to the end of the block: everything in it is as of `seq`.
      const seq = projections.seq;
      let fixes = '';
      const all = index.records();
      for (let j = 0; j < all.length; j++) if (j >= recordCount || tracker.changed.has(all[j]!)) fixes += `c${j} ${JSON.stringify(all[j])}\n`;
      const changedIds = new Set<string>();
      for (const record of tracker.changed) changedIds.add(record.id);
      const history = index.histories();
      for (let j = 0; j < history.steps.length; j++) if (j >= steps0.length || changedIds.has(history.steps[j]![0])) fixes += `h${j} ${JSON.stringify(history.steps[j])}\n`;
      const rest: Omit<SnapshotMeta, 'lastEventId'> = {
        seq,
        wall: projections.wall,
        commands: history.commands,
        risk: projections.risk ? { fingerprint: projections.risk.fingerprint, state: projections.risk.snapshot() } : null,
        leader: projections.leader.snapshot(),
        directory: projections.directory.snapshot(),
      };
      meta = { seq, text: JSON.stringify(rest) };
      last = fixes;
    } finally {
      tracker.stop();
    }
    const [event] = await store.readAfter(meta.seq - 1, 1);
    if (!event || event.seq !== meta.seq) return false;
    await out.write(`${last}M{"lastEventId":${JSON.stringify(event.id)},${meta.text.slice(1)}\n`);
    done = true;
  } finally {
    await out.close();
    if (!done) await fs.promises.rm(tmp, { force: true });
  }
  await fs.promises.rename(tmp, file);
  return true;
}

export async function loadSnapshot(dir: string, store: EventStore, settings: ProjectionSettings): Promise<{ projections: Projections } | { reason: string }> {
  const file = path.join(dir, FILE);
  // What a save cut short by a crash or kill left (hundreds of MB on a long log): never read, so never kept.
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (name.startsWith(`${FILE}.`) && name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  }
  if (!fs.existsSync(file)) return { reason: 'no snapshot' };
  // The version from the first bytes, so an older file (one line of hundreds of MB) is never read whole.
  const first = Buffer.alloc(64);
  const fd = fs.openSync(file, 'r');
  const got = fs.readSync(fd, first, 0, first.length, 0);
  fs.closeSync(fd);
  const version = /^\{"version":(\d+)[,}]/.exec(first.subarray(0, got).toString('latin1'))?.[1];
  if (version === undefined) return { reason: 'snapshot unreadable' };
  if (Number(version) !== SNAPSHOT_VERSION) return { reason: `snapshot version ${version}, need ${SNAPSHOT_VERSION}` };
  const cases: CaseRecord[] = [];
  const steps: ReturnType<Projections['cases']['histories']>['steps'] = [];
  let meta: SnapshotMeta | undefined;
  try {
    let head = true;
    const take = (line: string) => {
      if (head) {
        head = false;
        return;
      }
      const tag = line[0];
      if (tag === 'C') cases.push(JSON.parse(line.slice(1)) as CaseRecord);
      else if (tag === 'H') steps.push(JSON.parse(line.slice(1)) as (typeof steps)[number]);
      else if (tag === 'c' || tag === 'h') {
        const space = line.indexOf(' ');
        const at = Number(line.slice(1, space));
        const value = JSON.parse(line.slice(space + 1)) as never;
        if (!Number.isInteger(at) || at < 0) throw new Error('bad index');
        if (tag === 'c') cases[at] = value;
        else steps[at] = value;
      } else if (tag === 'M') meta = JSON.parse(line.slice(1)) as SnapshotMeta;
      else if (line !== '') throw new Error('unknown line');
    };
    // Lines split by hand from large chunks (node:readline costs about as much again as the parsing).
    let rest = '';
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 4 << 20 })) {
      const text = rest + (chunk as string);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        take(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
    }
    if (rest) take(rest);
  } catch {
    return { reason: 'snapshot unreadable' };
  }
  if (!meta || cases.includes(undefined as never) || steps.includes(undefined as never)) return { reason: 'snapshot unreadable' };
  if (meta.wall.tzOffsetMinutes !== settings.tzOffsetMinutes || meta.wall.halfLifeHours !== settings.halfLifeHours) {
    return { reason: 'snapshot made with other heat or time-zone settings' };
  }
  const [atSeq] = await store.readAfter(meta.seq - 1, 1);
  if (!atSeq || atSeq.seq !== meta.seq || atSeq.id !== meta.lastEventId) return { reason: 'snapshot does not match the event log' };
  let risk: RiskEngine | undefined;
  let leader: LeaderStats;
  let directory: Directory;
  try {
    if (settings.risk) {
      const saved = meta.risk;
      if (!saved || saved.fingerprint !== new RiskEngine(settings.risk).fingerprint) return { reason: 'snapshot made with other risk rules' };
      risk = RiskEngine.restore(saved.state, settings.risk);
    }
    leader = LeaderStats.restore(meta.leader, { tzOffsetMinutes: settings.tzOffsetMinutes });
    directory = Directory.restore(meta.directory);
  } catch {
    return { reason: 'snapshot holds unreadable risk or leader state' };
  }
  const projections = new Projections(settings, { ...(risk && { risk }), leader, directory });
  Object.assign(projections.wall, meta.wall);
  projections.cases.restore(cases);
  projections.cases.restoreHistories({ steps, commands: meta.commands });
  return { projections };
}
